#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: es_ccr_info
short_description: Report the cross-cluster replication of a cluster
version_added: 1.0.0
description:
  - Reads the follower indices (C(GET /<followers>/_ccr/info)), the auto-follow patterns (C(GET /_ccr/auto_follow)) and the
    replication stats (C(GET /_ccr/stats)) of the cluster it connects to, and says in RV(problems) what does not replicate.
  - A follower's shard follow tasks retry connection and security errors forever (RV(followers[].read_exceptions)); any other
    error stops them (RV(followers[].fatal_exceptions)) until the follower is paused and resumed.
options:
  followers:
    description:
      - Follower index names or patterns to report; V(_all) reports every follower.
    type: list
    elements: str
    default: [_all]
  stats:
    description:
      - Whether to read C(_ccr/stats) (lag, read and fatal exceptions, auto-follow errors).
    type: bool
    default: true
notes:
  - Needs the C(monitor) cluster privilege (follower info and stats) and C(manage_ccr) (the get auto-follow pattern API), and
    a licence that includes cross-cluster replication.
extends_documentation_fragment:
  - ece.remote_clusters.elasticsearch
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes.INFO_MODULE
  - ece.remote_clusters.attributes.ACTIONGROUP_ELASTICSEARCH
seealso:
  - module: ece.remote_clusters.es_ccr_follower
  - module: ece.remote_clusters.es_ccr_auto_follow_pattern
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Is everything replicating?
  ece.remote_clusters.es_ccr_info:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
  register: replication

- name: Fail on any replication problem
  ansible.builtin.assert:
    that: replication.problems | length == 0
    fail_msg: "{{ replication.problems | join('; ') }}"
'''

RETURN = r'''
followers:
  description: The follower indices.
  returned: always
  type: list
  elements: dict
  contains:
    follower_index:
      description: Name of the follower index.
      type: str
    remote_cluster:
      description: Alias of the remote cluster it reads from.
      type: str
    leader_index:
      description: The index it follows.
      type: str
    status:
      description: V(active) or V(paused).
      type: str
    parameters:
      description: Its tuning parameters (only while it is active).
      type: dict
    global_checkpoint_lag:
      description: Operations the follower is behind its leader, over all shards (null when no stats were read or it is paused).
      type: int
    read_exceptions:
      description: Errors the shard follow tasks retry (with C(shard_id), C(retries), C(exception)).
      type: list
      elements: dict
    fatal_exceptions:
      description: Errors that stopped a shard's follow task (with C(shard_id), C(type), C(reason)).
      type: list
      elements: dict
    shards:
      description: Per shard the leader and follower global checkpoints, failed reads and time since the last read.
      type: list
      elements: dict
auto_follow_patterns:
  description: The auto-follow patterns, as C(GET /_ccr/auto_follow) returns them, with their C(name).
  returned: always
  type: list
  elements: dict
auto_follow_stats:
  description: The C(auto_follow_stats) of C(_ccr/stats) (counters and C(recent_auto_follow_errors)); null without O(stats).
  returned: always
  type: dict
problems:
  description: What does not replicate, in plain words (fatal exceptions, paused followers, read exceptions, auto-follow errors).
  returned: always
  type: list
  elements: str
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._ccr import CcrInfo
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(CcrInfo)


if __name__ == '__main__':
    main()
