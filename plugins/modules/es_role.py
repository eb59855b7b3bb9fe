#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: es_role
short_description: Manage an Elasticsearch role, including remote_indices and remote_cluster privileges
version_added: 1.0.0
description:
  - Creates, updates or deletes a native role of an Elasticsearch cluster, typically on the local (querying) cluster of the
    API-key remote cluster model, where O(remote_indices) and O(remote_cluster) say what its users may do on remote clusters.
  - Reads the role (C(GET /_security/role/<name>)) and compares it with the wanted one in a normalised form (names, privileges
    and clusters as sets, C(query) as parsed JSON, C(allow_restricted_indices) false by default, a missing field equal to an
    empty one, C(transient_metadata) ignored). C(PUT /_security/role/<name>) is sent only on a difference, since Elasticsearch
    rewrites the role on every PUT.
  - Options not given are left as they are in an existing role (the whole role is written back); parts of the role this module
    does not manage (C(applications), C(global)) are always kept.
  - O(remote_indices) needs Elasticsearch 8.10 or later, O(remote_cluster) and O(description) 8.15 or later. The version is
    read (C(GET /)) only when one of them is given, and an older cluster fails the task before any write.
options:
  name:
    description:
      - Name of the role.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the role, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  cluster:
    description:
      - Cluster privileges, for example V(monitor) or V(manage_ccr).
    type: list
    elements: str
  indices:
    description:
      - Index privileges on the cluster itself. Replaces the role's list.
    type: list
    elements: dict
    suboptions:
      names:
        description: Index names or patterns.
        type: list
        elements: str
        required: true
      privileges:
        description: Index privileges, for example V(read) or V(view_index_metadata).
        type: list
        elements: str
        required: true
      query:
        description: Document-level security, a query object (or that object as a JSON string).
        type: raw
      field_security:
        description: 'Field-level security, C({grant: [...], except: [...]}).'
        type: dict
      allow_restricted_indices:
        description: Whether the patterns also cover restricted indices (Elasticsearch's default is false).
        type: bool
  remote_indices:
    description:
      - Index privileges on remote clusters of the API-key model (they have no effect on TLS-certificate model remotes). The
        effective access is the intersection with the remote cluster's cross-cluster API key. Replaces the role's list.
      - Cross-cluster search needs V(read), V(read_cross_cluster) and V(view_index_metadata); replication needs
        V(cross_cluster_replication) (and V(manage_ccr) in O(cluster)).
      - Elasticsearch 8.10 or later.
    type: list
    elements: dict
    suboptions:
      clusters:
        description: Remote cluster aliases or alias patterns.
        type: list
        elements: str
        required: true
      names:
        description: Index names or patterns on those clusters.
        type: list
        elements: str
        required: true
      privileges:
        description: Index privileges.
        type: list
        elements: str
        required: true
      query:
        description: Document-level security, a query object (or that object as a JSON string).
        type: raw
      field_security:
        description: 'Field-level security, C({grant: [...], except: [...]}).'
        type: dict
      allow_restricted_indices:
        description: Whether the patterns also cover restricted indices (Elasticsearch's default is false).
        type: bool
  remote_cluster:
    description:
      - Cluster privileges on remote clusters of the API-key model; only V(monitor_enrich) (8.15) and V(monitor_stats) (8.17)
        exist. Replaces the role's list.
      - Elasticsearch 8.15 or later.
    type: list
    elements: dict
    suboptions:
      clusters:
        description: Remote cluster aliases or alias patterns.
        type: list
        elements: str
        required: true
      privileges:
        description: Remote cluster privileges.
        type: list
        elements: str
        required: true
  run_as:
    description:
      - Users the role's owners may impersonate.
    type: list
    elements: str
  metadata:
    description:
      - Metadata of the role; keys starting with C(_) are reserved. Replaces the role's metadata.
    type: dict
  description:
    description:
      - Description of the role. Elasticsearch 8.15 or later.
    type: str
notes:
  - Needs the C(manage_security) cluster privilege (C(read_security) to read only, as in check mode).
  - Only native roles can be managed; roles from C(roles.yml) and reserved roles cannot.
extends_documentation_fragment:
  - ece.remote_clusters.elasticsearch
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ELASTICSEARCH
seealso:
  - module: ece.remote_clusters.es_cross_cluster_api_key
    description: The cross-cluster API key on the remote cluster, which limits what O(remote_indices) can grant.
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: A role that may search logs on the remote clusters ece_b_*
  ece.remote_clusters.es_role:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    name: remote-logs-reader
    cluster: [monitor]
    indices:
      - names: ["logs-*"]
        privileges: [read, view_index_metadata]
    remote_indices:
      - clusters: ["ece_b_*"]
        names: ["logs-*"]
        privileges: [read, read_cross_cluster, view_index_metadata]
    remote_cluster:
      - clusters: ["ece_b_*"]
        privileges: [monitor_enrich]
    description: Searches logs across ECE environments
    metadata:
      managed_by: ansible

- name: Document-level security on a remote index
  ece.remote_clusters.es_role:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    name: blue-team-remote
    remote_indices:
      - clusters: [ece_b_logs]
        names: ["logs-*"]
        privileges: [read, read_cross_cluster, view_index_metadata]
        query: {term: {team: blue}}

- name: Delete the role
  ece.remote_clusters.es_role:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    name: blue-team-remote
    state: absent
'''

RETURN = r'''
role:
  description:
    - The role after the run (predicted in check mode), normalised (lists of names and privileges sorted, C(query) as an object,
      C(allow_restricted_indices) filled in); null when it does not exist.
  returned: always
  type: dict
  sample:
    cluster: [monitor]
    indices: []
    remote_indices:
      - clusters: [ece_b_logs]
        names: ["logs-*"]
        privileges: [read, read_cross_cluster, view_index_metadata]
        allow_restricted_indices: false
    remote_cluster: []
    run_as: []
    metadata: {managed_by: ansible}
    description: ""
    applications: []
    global: {}
created:
  description: Whether the role was (or would be) created.
  returned: always
  type: bool
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import Role
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(Role)


if __name__ == '__main__':
    main()
