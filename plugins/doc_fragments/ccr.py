# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # the tuning parameters of cross-cluster replication followers (es_ccr_follower, es_ccr_auto_follow_pattern)
    DOCUMENTATION = r'''
options:
  max_read_request_operation_count:
    description: Maximum number of operations to pull per read from the leader.
    type: int
  max_outstanding_read_requests:
    description: Maximum number of outstanding read requests from the leader.
    type: int
  max_read_request_size:
    description: Maximum size in bytes of a batch of operations pulled from the leader, for example V(32mb).
    type: str
  max_write_request_operation_count:
    description: Maximum number of operations per bulk write on the follower.
    type: int
  max_write_request_size:
    description: Maximum total bytes of operations per bulk write on the follower, for example V(64mb).
    type: str
  max_outstanding_write_requests:
    description: Maximum number of outstanding write requests on the follower.
    type: int
  max_write_buffer_count:
    description: Maximum number of operations queued for writing; beyond it reads from the leader wait.
    type: int
  max_write_buffer_size:
    description: Maximum total bytes of operations queued for writing, for example V(512mb).
    type: str
  max_retry_delay:
    description: Maximum time to wait before retrying a failed operation, for example V(500ms).
    type: str
  read_poll_timeout:
    description: Maximum time to wait for new operations when the follower is in sync with the leader, for example V(1m).
    type: str
'''
