#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: es_ccr_follower
short_description: Manage a cross-cluster replication follower index
version_added: 1.0.0
description:
  - Creates a follower index that replicates O(leader_index) of the remote cluster O(remote_cluster) (cross-cluster
    replication), keeps it active or paused, and stops following for good with O(state=absent).
  - Reads the follower with C(GET /<name>/_ccr/info). A follower that Elasticsearch paused (or someone else) is a change when
    O(status=active), and is resumed.
  - C(PUT /<name>/_ccr/follow) answers before the follower really starts following; the module then waits (O(wait_timeout))
    until C(_ccr/info) shows it active with its parameters. So does a resume.
  - The tuning parameters are sent on create and on resume. C(_ccr/info) returns them only while the follower is active. A
    different value of an active follower is a change (pause, then resume with the new values); while it is paused they
    cannot be read, and are listed in RV(unverified) instead of being reported as a change. O(settings) are never returned.
  - O(leader_index) and O(remote_cluster) of an existing follower cannot change; the task fails and says how to re-create it.
  - O(state=absent) pauses the follower (if it runs), closes it, turns it into a regular index (unfollow) and opens it again,
    or deletes it when O(delete_index=true). Nothing is done when it is not a follower.
options:
  name:
    description:
      - Name of the follower index (on the cluster this module connects to).
    type: str
    required: true
  state:
    description:
      - V(present) creates the follower (or keeps it as wanted); V(absent) stops following (see O(delete_index)).
    type: str
    choices: [present, absent]
    default: present
  remote_cluster:
    description:
      - Alias of the remote cluster that holds the leader index. It must be connected. Required with O(state=present).
    type: str
  leader_index:
    description:
      - Name of the index to follow on the remote cluster. Required with O(state=present).
    type: str
  data_stream_name:
    description:
      - When the leader index is a backing index of a data stream, the name of the data stream the follower becomes part of.
      - Elasticsearch 8.4 or later; an older cluster fails the task before any write.
    type: str
  status:
    description:
      - V(active) follows the leader; V(paused) keeps the follower but stops reading from the leader.
    type: str
    choices: [active, paused]
    default: active
  settings:
    description:
      - Index settings of the follower, sent on create only (Elasticsearch never returns them to compare).
    type: dict
  wait_timeout:
    description:
      - Seconds to wait, after a create or a resume, until the follower really follows. V(0) does not wait (a follower created
        with O(status=paused) still waits up to 120 seconds, since it can only be paused once it follows).
    type: int
    default: 120
  delete_index:
    description:
      - With O(state=absent), delete the follower index instead of keeping it as a regular index.
    type: bool
    default: false
notes:
  - Needs a licence that includes cross-cluster replication (platinum or enterprise) on both clusters, and the C(manage_ccr)
    cluster privilege with C(monitor), C(read), C(write) and C(manage_follow_index) on the follower index. Over an API-key
    remote cluster, the cross-cluster API key must name the leader index in C(access.replication) and the local role needs
    C(remote_indices) with C(cross_cluster_replication) for the alias; over a TLS-certificate remote cluster the user needs
    C(read_ccr) and C(monitor), C(read) on the leader index there. See docs/replication.md.
extends_documentation_fragment:
  - ece.remote_clusters.ccr
  - ece.remote_clusters.elasticsearch
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ELASTICSEARCH
seealso:
  - module: ece.remote_clusters.es_ccr_info
    description: Whether followers replicate (lag, read and fatal exceptions).
  - module: ece.remote_clusters.es_ccr_auto_follow_pattern
    description: Followers created for new leader indices.
  - module: ece.remote_clusters.es_remote_cluster
    description: The remote cluster alias a follower reads through.
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Follow the index orders of remote cluster ece_b_data
  ece.remote_clusters.es_ccr_follower:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    name: orders-copy
    remote_cluster: ece_b_data
    leader_index: orders
    max_read_request_operation_count: 1024

- name: Pause it
  ece.remote_clusters.es_ccr_follower:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    name: orders-copy
    remote_cluster: ece_b_data
    leader_index: orders
    status: paused

- name: Stop following and keep the index as a regular one
  ece.remote_clusters.es_ccr_follower:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    name: orders-copy
    state: absent
'''

RETURN = r'''
follower:
  description:
    - The follower after the run (predicted in check mode); C(parameters) holds the given tuning parameters as the follower has
      them (when readable). Null when it is not a follower.
  returned: always
  type: dict
  sample:
    remote_cluster: ece_b_data
    leader_index: orders
    status: active
    parameters: {max_read_request_operation_count: 1024}
created:
  description: Whether the follower was (or would be) created.
  returned: always
  type: bool
differing_parameters:
  description: Given tuning parameters the active follower had other values of (they were, or would be, applied by a resume).
  returned: always
  type: list
  elements: str
unverified:
  description:
    - Given options that could not be compared with the follower, because Elasticsearch does not return them (O(settings)),
      or not while the follower is paused (the tuning parameters). They are not reported as a change.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._ccr import CcrFollower
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(CcrFollower)


if __name__ == '__main__':
    main()
