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
version_added: 0.1.0
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

from urllib.parse import quote

from ansible_collections.ece.remote_clusters.plugins.module_utils._common import check_metadata_keys
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import RemoteClustersModule
from ansible_collections.ece.remote_clusters.plugins.module_utils._security import (
    check_field_security, check_query, normalize_entries, request_entry, string_set)

ENTRY_OPTIONS = ('indices', 'remote_indices')
# option -> minimum version; sending the field to an older cluster fails with "unexpected field"
GATED = {'remote_indices': '8.10.0', 'remote_cluster': '8.15.0', 'description': '8.15.0'}
MANAGED = ('cluster', 'indices', 'remote_indices', 'remote_cluster', 'run_as', 'metadata', 'description')


def normalize_role(role):
    """A role in a form fit for comparison; missing fields are empty, the read-only transient_metadata is dropped."""
    role = role or {}
    return {
        'cluster': string_set(role.get('cluster')),
        'indices': normalize_entries(role.get('indices')),
        'remote_indices': normalize_entries(role.get('remote_indices')),
        'remote_cluster': normalize_entries(role.get('remote_cluster')),
        'run_as': string_set(role.get('run_as')),
        'metadata': role.get('metadata') or {},
        'description': role.get('description') or '',
        'applications': normalize_entries(role.get('applications')),
        'global': role.get('global') or {},
    }


class Role(RemoteClustersModule):
    api = 'elasticsearch'

    def validate(self):
        params = self.params
        errors = [check_metadata_keys(params['metadata'])]
        if not params['name'] or len(params['name']) > 507:
            errors.append('name: a role name has 1 to 507 characters')
        for option in ENTRY_OPTIONS:
            for index, entry in enumerate(params[option] or []):
                where = '%s[%d]' % (option, index)
                for key in ('clusters', 'names', 'privileges'):
                    if key in entry and not [v for v in entry[key] if v]:
                        errors.append('%s.%s: must not be empty' % (where, key))
                errors.append(check_query(entry.get('query'), where + '.query'))
                errors.append(check_field_security(entry.get('field_security'), where + '.field_security'))
        for index, entry in enumerate(params['remote_cluster'] or []):
            for key in ('clusters', 'privileges'):
                if not [v for v in entry[key] if v]:
                    errors.append('remote_cluster[%d].%s: must not be empty' % (index, key))
        return errors

    def check_version(self):
        """Read the version only when a version-gated option is given, and refuse what the cluster cannot store."""
        used = [option for option in GATED if self.params[option]]
        too_new = [option for option in used if not self.client.version_at_least(GATED[option])]
        if too_new:
            self.fail('%s, but %s runs %s; remove %s, or upgrade the cluster' % (
                '; '.join('%s needs Elasticsearch %s or later' % (option, GATED[option]) for option in too_new),
                self.params['es_url'], self.client.version, ', '.join(too_new)))

    def execute(self):
        params = self.params
        name = params['name']
        path = '/_security/role/%s' % quote(name, safe='')
        if params['state'] == 'present':
            self.check_version()
        status, payload, dummy = self.client.request('GET', path, 'read the role %s' % name, allow_status=(404,))
        current = (payload or {}).get(name) if status == 200 else None
        before = normalize_role(current) if current is not None else {}
        self.result['created'] = False

        if params['state'] == 'absent':
            self.result['role'] = None
            if current is not None:
                self.set_changed()
                if not self.check_mode:
                    self.client.request('DELETE', path, 'delete the role %s' % name, allow_status=(404,))
            self.set_diff(before, {})
            return

        body = dict((k, v) for k, v in (current or {}).items() if k != 'transient_metadata')
        for option in MANAGED:
            if params[option] is not None:
                value = params[option]
                if option in ENTRY_OPTIONS or option == 'remote_cluster':
                    value = [request_entry(e) for e in value]
                body[option] = value
        # a version-gated field left empty is the same as a missing one, and only the missing one works on older versions
        for option in GATED:
            if option in body and not body[option]:
                del body[option]
        after = normalize_role(body)
        self.result['role'] = after
        if current is None or after != before:
            self.set_changed()
            self.result['created'] = current is None
            if not self.check_mode:
                self.client.request('PUT', path, 'write the role %s' % name, body=body)
        self.set_diff(before, after)


def main():
    privileges_entry = dict(
        names=dict(type='list', elements='str', required=True),
        privileges=dict(type='list', elements='str', required=True),
        query=dict(type='raw'),
        field_security=dict(type='dict'),
        allow_restricted_indices=dict(type='bool'),
    )
    remote_privileges_entry = dict(privileges_entry, clusters=dict(type='list', elements='str', required=True))
    Role(dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        cluster=dict(type='list', elements='str'),
        indices=dict(type='list', elements='dict', options=privileges_entry),
        remote_indices=dict(type='list', elements='dict', options=remote_privileges_entry),
        remote_cluster=dict(type='list', elements='dict', options=dict(
            clusters=dict(type='list', elements='str', required=True),
            privileges=dict(type='list', elements='str', required=True),
        )),
        run_as=dict(type='list', elements='str'),
        metadata=dict(type='dict'),
        description=dict(type='str'),
    )).run()


if __name__ == '__main__':
    main()
