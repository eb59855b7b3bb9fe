# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Standard attributes of a module that changes things.
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target; no write request is sent.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: full
  idempotent:
    description: When run twice in a row with the same options, the second run reports no change and sends no write request.
    support: full
'''

    # For modules that only read.
    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode); the module only reads, so it behaves the same.
    support: full
  diff_mode:
    description: The module changes nothing, so there is no diff.
    support: N/A
  idempotent:
    description: The module only reads.
    support: full
'''

    ACTIONGROUP_ECE = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/ece.remote_clusters.ece) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - ece.remote_clusters.ece
'''

    ACTIONGROUP_ELASTICSEARCH = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/ece.remote_clusters.elasticsearch) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - ece.remote_clusters.elasticsearch
'''
