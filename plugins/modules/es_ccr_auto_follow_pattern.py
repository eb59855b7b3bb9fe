#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: es_ccr_auto_follow_pattern
short_description: Manage a cross-cluster replication auto-follow pattern
version_added: 1.0.0
description:
  - Creates, updates in place, pauses, resumes or deletes an auto-follow pattern, which makes a follower index for every new
    index of the remote cluster O(remote_cluster) that matches O(leader_index_patterns).
  - Only leader indices created after the pattern are followed; updating a pattern leaves the followers it made as they are.
  - Reads the pattern with C(GET /_ccr/auto_follow/<name>), which returns its patterns, O(follow_index_pattern), O(active)
    and, of the tuning parameters, only O(max_outstanding_read_requests). The others and O(settings) are sent whenever the
    pattern is written, never compared, and listed in RV(unverified).
  - O(active) is reconciled with the pause and resume APIs.
options:
  name:
    description:
      - Name of the auto-follow pattern.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the pattern; V(absent) deletes it (its followers stay).
    type: str
    choices: [present, absent]
    default: present
  remote_cluster:
    description:
      - Alias of the remote cluster whose new indices are followed. Required with O(state=present).
    type: str
  leader_index_patterns:
    description:
      - Index patterns of the remote cluster, for example V(logs-*). Required with O(state=present).
    type: list
    elements: str
  leader_index_exclusion_patterns:
    description:
      - Index patterns of the remote cluster never to follow.
    type: list
    elements: str
  follow_index_pattern:
    description:
      - Name of each follower, with C({{leader_index}}) for the leader's name; Elasticsearch's default is C({{leader_index}}).
    type: str
  settings:
    description:
      - Index settings of the followers it creates (never returned by Elasticsearch, so never compared).
    type: dict
  active:
    description:
      - Whether the pattern follows new indices (V(false) pauses it; indices created meanwhile are followed on resume).
    type: bool
    default: true
notes:
  - Needs a licence that includes cross-cluster replication on both clusters and the C(manage_ccr) cluster privilege. Over an
    API-key remote cluster, the cross-cluster API key must cover every leader index pattern in C(access.replication).
extends_documentation_fragment:
  - ece.remote_clusters.ccr
  - ece.remote_clusters.elasticsearch
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ELASTICSEARCH
seealso:
  - module: ece.remote_clusters.es_ccr_follower
  - module: ece.remote_clusters.es_ccr_info
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Follow every new logs index of ece_b_data
  ece.remote_clusters.es_ccr_auto_follow_pattern:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    name: logs-from-b
    remote_cluster: ece_b_data
    leader_index_patterns: ["logs-*"]
    leader_index_exclusion_patterns: ["logs-debug-*"]
    follow_index_pattern: "{{ '{{leader_index}}' }}-copy"

- name: Pause it
  ece.remote_clusters.es_ccr_auto_follow_pattern:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    name: logs-from-b
    remote_cluster: ece_b_data
    leader_index_patterns: ["logs-*"]
    active: false

- name: Delete it
  ece.remote_clusters.es_ccr_auto_follow_pattern:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    name: logs-from-b
    state: absent
'''

RETURN = r'''
pattern:
  description: The pattern after the run (predicted in check mode), as GET returns it; null when it does not exist.
  returned: always
  type: dict
  sample:
    remote_cluster: ece_b_data
    leader_index_patterns: ["logs-*"]
    leader_index_exclusion_patterns: []
    follow_index_pattern: "{{leader_index}}-copy"
    active: true
created:
  description: Whether the pattern was (or would be) created.
  returned: always
  type: bool
unverified:
  description: Given options of an existing pattern that Elasticsearch does not return, so could not be compared.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._ccr import CcrAutoFollowPattern
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(CcrAutoFollowPattern)


if __name__ == '__main__':
    main()
