# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The wait of a module whose change starts an ECE plan (the options of _waiters.plan_wait_options). A module gives
    # wait_timeout its own default in its options (only the default: the rest comes from here).
    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Wait until the plan that the change starts has finished, and fail with the plan's own error if it fails.
      - With V(false), the module returns once ECE has accepted the change.
      - Either way, a plan already pending is waited for first, since ECE takes no change while a plan runs; it fails
        the task when it fails. Check mode never waits.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait in all, for a plan already pending and for the plan the change starts.
    type: int
'''
