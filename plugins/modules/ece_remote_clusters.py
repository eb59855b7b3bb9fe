#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ece_remote_clusters
short_description: Manage the ECE remote clusters of a deployment (same environment, TLS certificate model)
version_added: 1.0.0
description:
  - Manages the list of remote clusters that Elastic Cloud Enterprise keeps for a deployment's Elasticsearch resource
    (C(/deployments/{id}/elasticsearch/{ref_id}/remote-clusters)). ECE turns the list into the cluster's
    C(cluster.remote.*) settings.
  - This API works only for the TLS certificate model and for remote deployments of the same ECE environment. For
    another environment or for the API key model, use M(ece.remote_clusters.es_remote_cluster). The deployments must
    trust each other (see M(ece.remote_clusters.ece_deployment_trust)).
  - The API replaces the whole list on every write. The module reads the list, changes only the aliases it is given
    (unless O(purge=true)) and writes the whole list back, only when it differs. Remote clusters it was not asked to
    change are always written back unchanged.
  - The API has no version check, so another run or user may replace the list at the same time. After each write the
    module reads the list back; when what it wrote is not there, it merges its change into the list read back and
    writes again, at most four times, then fails. It never reports success for a change the list does not show. A write
    answered with HTTP 500, 502, 504 or a timeout is also decided by reading the list back.
  - Entries are compared on O(remote_clusters[].alias), O(remote_clusters[].deployment_id),
    O(remote_clusters[].elasticsearch_ref_id) and O(remote_clusters[].skip_unavailable).
options:
  deployment_id:
    description:
      - ID of the local deployment, whose remote clusters are managed (32 lower-case hexadecimal characters).
    type: str
    required: true
  ref_id:
    description:
      - Reference ID of the local deployment's Elasticsearch resource.
      - When not given, the deployment's first Elasticsearch resource, which costs one more (small) request.
    type: str
  remote_clusters:
    description:
      - The remote clusters to add, update (O(state=present)) or remove (O(state=absent)), identified by their alias.
      - With O(purge=true) and O(state=present), the complete list; V([]) then removes every remote cluster.
    type: list
    elements: dict
    suboptions:
      alias:
        description:
          - Alias of the remote cluster, as searches name it (C(alias:index)).
          - Only lower-case letters, digits, C(_) and C(-).
        type: str
        required: true
      deployment_id:
        description:
          - ID of the remote deployment, in the same ECE environment (32 lower-case hexadecimal characters).
          - Required with O(state=present).
        type: str
      elasticsearch_ref_id:
        description:
          - Reference ID of the remote deployment's Elasticsearch resource.
          - The default is the reference ID that ECE's templates give the first Elasticsearch resource; a deployment
            created otherwise may use another one (M(ece.remote_clusters.ece_deployment_info) returns it as
            RV(ece.remote_clusters.ece_deployment_info#module:deployments[].elasticsearch[].ref_id)).
        type: str
        default: main-elasticsearch
      skip_unavailable:
        description:
          - Whether searches skip this remote cluster when it is unavailable instead of failing.
        type: bool
        default: false
  state:
    description:
      - V(present) adds the listed remote clusters or updates them to match.
      - V(absent) removes the listed aliases; only O(remote_clusters[].alias) counts.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With V(true), O(remote_clusters) is the complete list and every other remote cluster is removed.
      - Only with O(state=present).
      - O(remote_clusters) is required with O(purge=true), and the module fails before any request without it, so that
        an undefined or omitted list never removes every remote cluster. Give V([]) to remove all of them.
    type: bool
    default: false
extends_documentation_fragment:
  - ece.remote_clusters.ece
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ECE
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Add the logging deployment as remote cluster "logging" (other remote clusters are kept)
  ece.remote_clusters.ece_remote_clusters:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
    deployment_id: 0e4b5a1f2c3d4e5f60718293a4b5c6d7
    remote_clusters:
      - alias: logging
        deployment_id: 9a8b7c6d5e4f30211203948576abcdef
        skip_unavailable: true

- name: Remove the remote cluster "logging"
  ece.remote_clusters.ece_remote_clusters:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
    deployment_id: 0e4b5a1f2c3d4e5f60718293a4b5c6d7
    remote_clusters:
      - alias: logging
    state: absent

- name: Make this the complete list of remote clusters
  ece.remote_clusters.ece_remote_clusters:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
    deployment_id: 0e4b5a1f2c3d4e5f60718293a4b5c6d7
    ref_id: main-elasticsearch
    remote_clusters:
      - alias: metrics
        deployment_id: 3c4d5e6f708192a3b4c5d6e7f8091a2b
        elasticsearch_ref_id: main-elasticsearch
    purge: true
'''

RETURN = r'''
ref_id:
  description: Reference ID of the local Elasticsearch resource whose remote clusters were managed.
  returned: always
  type: str
  sample: main-elasticsearch
remote_clusters:
  description:
    - The remote clusters after the change (predicted in check mode), as the API lists them.
  returned: always
  type: list
  elements: dict
  contains:
    alias:
      description: Alias of the remote cluster.
      type: str
      sample: logging
    deployment_id:
      description: ID of the remote deployment.
      type: str
      sample: 9a8b7c6d5e4f30211203948576abcdef
    elasticsearch_ref_id:
      description: Reference ID of the remote Elasticsearch resource.
      type: str
      sample: main-elasticsearch
    skip_unavailable:
      description: Whether searches skip the remote cluster when it is unavailable.
      type: bool
      sample: false
    info:
      description:
        - Read-only state that the API reports (C(healthy), C(connected), C(compatible), C(trusted), C(trusted_back)).
        - Absent when the API gives none, and for a remote cluster predicted in check mode.
      type: dict
      returned: when the API gives it
      sample:
        healthy: true
        connected: true
        compatible: true
        trusted: true
        trusted_back: true
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import RemoteClusters
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(RemoteClusters)


if __name__ == '__main__':
    main()
