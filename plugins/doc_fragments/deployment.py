# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The Elasticsearch resource of one deployment that a module manages.
    DOCUMENTATION = r'''
options:
  deployment_id:
    description:
      - ID of the deployment (32 lower-case hexadecimal characters).
    type: str
    required: true
  ref_id:
    description:
      - C(ref_id) of the Elasticsearch resource, for example V(main-elasticsearch).
      - Default is the deployment's first (usually only) Elasticsearch resource.
    type: str
'''
