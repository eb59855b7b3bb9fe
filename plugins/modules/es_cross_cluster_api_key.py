#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: es_cross_cluster_api_key
short_description: Manage a cross-cluster API key on the remote (fulfilling) Elasticsearch cluster
version_added: 0.1.0
description:
  - Creates, updates or invalidates a cross-cluster API key, the credential of the API-key security model of remote clusters.
    Run it against the B(remote) cluster, the one whose data is searched or replicated; the local cluster stores the key's
    RV(encoded) value in its keystore as C(cluster.remote.<alias>.credentials).
  - The key is identified by O(name). Elasticsearch does not keep names unique, so the module looks up the active keys of type
    C(cross_cluster) with exactly this name (C(GET /_security/api_key?name=...&active_only=true), filtered on name, type,
    invalidation and expiration). When several exist, the newest is managed and a warning names the others.
  - An existing key whose O(access) or O(metadata) differ is updated in place (same id, no new secret). A key is created only
    when none exists, or with O(rotate=true).
  - The secret (RV(encoded)) is returned only when a key is created; Elasticsearch never returns it again.
  - Needs Elasticsearch 8.10 or later (checked with C(GET /) before any write) and a user with the C(manage_security) cluster
    privilege authenticated with O(es_username) and O(es_password). Elasticsearch refuses API-key authentication for creating
    and updating cross-cluster API keys, so O(es_api_key) is refused before any request.
options:
  name:
    description:
      - Name of the key, its identity for this module.
    type: str
    required: true
  state:
    description:
      - V(present) makes sure an active key with this name exists with the given O(access) and O(metadata).
      - V(absent) invalidates every active cross-cluster key with this name.
    type: str
    choices: [present, absent]
    default: present
  access:
    description:
      - What the key grants to the local (querying) cluster. Required with O(state=present).
      - At least one of O(access.search) and O(access.replication) must be a non-empty list. The privileges of each entry are
        fixed by Elasticsearch.
      - Compared with the key's access as Elasticsearch returns it (names as sets, O(access.search[].query) as parsed JSON,
        C(allow_restricted_indices) false by default); a difference updates the key in place.
    type: dict
    suboptions:
      search:
        description:
          - Index patterns the local cluster may search (cross-cluster search).
        type: list
        elements: dict
        suboptions:
          names:
            description: Index names or patterns.
            type: list
            elements: str
            required: true
          query:
            description:
              - Document-level security, a query object (or that object as a JSON string).
              - Not allowed when O(access.replication) is also given (Elasticsearch 8.14 and later refuse it; earlier versions
                refuse the key when it is used).
            type: raw
          field_security:
            description:
              - 'Field-level security, C({grant: [...], except: [...]}).'
              - Not allowed when O(access.replication) is also given.
            type: dict
          allow_restricted_indices:
            description: Whether the patterns also cover restricted indices (Elasticsearch's default is false).
            type: bool
      replication:
        description:
          - Index patterns the local cluster may replicate (cross-cluster replication). No document- or field-level security.
        type: list
        elements: dict
        suboptions:
          names:
            description: Index names or patterns.
            type: list
            elements: str
            required: true
          allow_restricted_indices:
            description: Whether the patterns also cover restricted indices (Elasticsearch's default is false).
            type: bool
  expiration:
    description:
      - Lifetime of a key when it is B(created), for example V(90d). Default is no expiration.
      - Not sent when an existing key is updated (Elasticsearch would then report a change on every run); use O(rotate) to get a
        key with a new expiration.
    type: str
  metadata:
    description:
      - Arbitrary metadata of the key; keys starting with C(_) are reserved.
      - When not set, the key's metadata is neither compared nor changed.
    type: dict
  rotate:
    description:
      - Create a new key even though one exists (a new secret in RV(encoded)). Reported as changed on every run.
      - The previous keys stay valid, so that the local cluster can switch to the new secret first, unless
        O(invalidate_previous=true).
    type: bool
    default: false
  invalidate_previous:
    description:
      - With O(rotate=true), invalidate the previous active keys of this name once the new key exists. Ignored without O(rotate).
      - Connections that still use an old key fail from then on; update the local keystore first, or in the same play.
    type: bool
    default: false
notes:
  - "RV(encoded) is a secret. Set C(no_log: true) on the task (Ansible shows return values in verbose output and in callbacks),
    never print it, and pass it on, for example to M(ece.remote_clusters.ece_keystore_secret) with
    O(ece.remote_clusters.ece_keystore_secret#module:remote_cluster_alias). It is never part of the diff, warnings or messages."
  - A key can only be updated by the user that created it; another user gets an HTTP 404 from Elasticsearch.
  - Elasticsearch reports the first update after each of its upgrades as a change; cross-cluster keys created before 8.15 lack
    the C(monitor_enrich) privilege that ES|QL ENRICH across clusters needs until they are updated or rotated on 8.15 or later.
extends_documentation_fragment:
  - ece.remote_clusters.elasticsearch
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ELASTICSEARCH
attributes:
  idempotent:
    description: A second run with the same options reports no change and sends no write request, except with O(rotate=true).
    support: partial
    details: O(rotate=true) creates a new key on every run.
  check_mode:
    description: Predicts RV(created), RV(updated) and RV(invalidated_ids) without sending a write request.
    support: full
    details: In check mode RV(encoded) is null, and so is RV(id) of a key that would be created.
seealso:
  - module: ece.remote_clusters.ece_keystore_secret
    description: Stores RV(encoded) in the local deployment's keystore.
  - module: ece.remote_clusters.es_role
    description: C(remote_indices) privileges on the local cluster, which intersect with the key's access.
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Create (or update) a cross-cluster API key on the remote cluster
  ece.remote_clusters.es_cross_cluster_api_key:
    es_url: https://9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_b_password }}"
    name: ccs-from-ece-a
    access:
      search:
        - names: ["logs-*", "metrics-*"]
      replication:
        - names: ["archive-*"]
    metadata:
      managed_by: ansible
  register: cc_key
  no_log: true

- name: Store the key in the local keystore, only when a new one was created
  ece.remote_clusters.ece_keystore_secret:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
    deployment_id: 5c0f3c1a7b9e4d2f8a6b1c3d5e7f9a0b
    remote_cluster_alias: ece_b_logs
    value: "{{ cc_key.encoded }}"
    update_secret: always
  when: cc_key.created
  no_log: true

- name: Search access limited to one team's documents
  ece.remote_clusters.es_cross_cluster_api_key:
    es_url: https://9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_b_password }}"
    name: ccs-blue-team
    access:
      search:
        - names: ["logs-*"]
          query: {term: {team: blue}}
          field_security:
            grant: ["*"]
            except: ["user.email"]
  no_log: true

- name: Rotate the key and invalidate the old one
  ece.remote_clusters.es_cross_cluster_api_key:
    es_url: https://9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_b_password }}"
    name: ccs-from-ece-a
    access:
      search:
        - names: ["logs-*", "metrics-*"]
    rotate: true
    invalidate_previous: true
  register: rotated
  no_log: true

- name: Invalidate every active cross-cluster key of this name
  ece.remote_clusters.es_cross_cluster_api_key:
    es_url: https://9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_b_password }}"
    name: ccs-from-ece-a
    state: absent
'''

RETURN = r'''
id:
  description: ID of the managed key (the new one when created); null when absent, or when a key would be created in check mode.
  returned: always
  type: str
  sample: VuaCfGcBCdbkQm-e5aOx
name:
  description: Name of the key.
  returned: always
  type: str
  sample: ccs-from-ece-a
created:
  description: Whether a key was (or, in check mode, would be) created.
  returned: always
  type: bool
updated:
  description: Whether an existing key was (or would be) updated in place; its id and secret stay the same.
  returned: always
  type: bool
invalidated_ids:
  description: IDs of the keys that were (or would be) invalidated, by O(state=absent) or O(invalidate_previous=true).
  returned: always
  type: list
  elements: str
  sample: [VuaCfGcBCdbkQm-e5aOx]
encoded:
  description:
    - The key's secret, C(base64(id:api_key)), to store in the local keystore as C(cluster.remote.<alias>.credentials).
    - Only when a key was created; otherwise null, since Elasticsearch never returns it again. Null in check mode.
    - 'A secret. Use C(no_log: true) on the task and never print it.'
  returned: always
  type: str
expiration:
  description: Expiration time of the managed key in milliseconds since the epoch; null when it does not expire or is unknown.
  returned: always
  type: int
  sample: 1767225600000
'''

import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import check_metadata_keys, check_time_value
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import RemoteClustersModule
from ansible_collections.ece.remote_clusters.plugins.module_utils._security import (
    check_field_security, check_query, normalize_entries, request_entry)

MIN_VERSION = '8.10.0'
ACCESS_KINDS = ('search', 'replication')


def normalize_access(access):
    """Access in a form fit for comparison: both lists present, entries normalised and in a canonical order."""
    access = access or {}
    return dict((kind, normalize_entries(access.get(kind))) for kind in ACCESS_KINDS)


def request_access(access):
    """Access as sent to Elasticsearch: the non-empty lists, entries without null values."""
    return dict((kind, [request_entry(e) for e in access[kind]]) for kind in ACCESS_KINDS if access.get(kind))


class CrossClusterApiKey(RemoteClustersModule):
    api = 'elasticsearch'
    secret_keys = ('encoded', 'api_key')

    def validate(self):
        params = self.params
        errors = [check_metadata_keys(params['metadata'])]
        if not params['name'].strip():
            errors.append('name: must not be empty; give the key a name, e.g. "<alias>-<local cluster id>"')
        if params['expiration'] is not None:
            errors.append(check_time_value(params['expiration'], 'expiration'))
        if params['es_api_key']:
            errors.append('Elasticsearch does not accept API-key authentication to manage cross-cluster API keys; connect with '
                          'es_username and es_password of a user with the manage_security cluster privilege instead of es_api_key')
        access = params['access']
        if params['state'] == 'present' and access is not None:
            if not any(access.get(kind) for kind in ACCESS_KINDS):
                errors.append('access: give a non-empty list in access.search or access.replication (or both)')
            for kind in ACCESS_KINDS:
                for index, entry in enumerate(access.get(kind) or []):
                    where = 'access.%s[%d]' % (kind, index)
                    if not [n for n in entry['names'] if n]:
                        errors.append('%s.names: give at least one index name or pattern, for example ["logs-*"]' % where)
                    errors.append(check_query(entry.get('query'), where + '.query'))
                    errors.append(check_field_security(entry.get('field_security'), where + '.field_security'))
            if access.get('replication') and any(e.get('query') is not None or e.get('field_security') is not None
                                                 for e in access.get('search') or []):
                errors.append('access: search with query or field_security cannot be combined with replication in one key; '
                              'drop the document/field level security or create a second key for replication')
        return errors

    def find_active_keys(self):
        """The active cross-cluster keys with exactly this name, newest first."""
        name = self.params['name']
        payload = self.client.get('/_security/api_key', 'look up the cross-cluster API keys named %s' % name,
                                  params={'name': name, 'active_only': 'true'}, allow_status=(404,))
        now = time.time() * 1000
        keys = [k for k in (payload or {}).get('api_keys') or []
                if k.get('name') == name and k.get('type') == 'cross_cluster' and not k.get('invalidated')
                and (not k.get('expiration') or k['expiration'] > now)]
        return sorted(keys, key=lambda k: k.get('creation') or 0, reverse=True)

    def execute(self):
        params = self.params
        name = params['name']
        version = self.client.version
        if not self.client.version_at_least(MIN_VERSION):
            raise ApiError('cross-cluster API keys need Elasticsearch 8.10 or later, but %s runs %s; use the TLS-certificate '
                           'model for this cluster' % (params['es_url'], version))
        keys = self.find_active_keys()
        self.result.update(id=None, name=name, created=False, updated=False, invalidated_ids=[], encoded=None, expiration=None)
        if params['state'] == 'absent':
            self.absent(keys)
        else:
            self.present(keys)

    def absent(self, keys):
        before = self.view(keys[0]) if keys else {}
        ids = [k['id'] for k in keys]
        if ids:
            self.set_changed()
            self.result['invalidated_ids'] = ids if self.check_mode else self.invalidate(ids)
        self.set_diff(before, {})

    def present(self, keys):
        params = self.params
        current = keys[0] if keys else None
        if len(keys) > 1 and not (params['rotate'] and params['invalidate_previous']):
            self.module.warn('%d active cross-cluster API keys are named %s; managing the newest (%s), not %s. Invalidate the '
                             'others with state: absent (and create one again), or with rotate: true and invalidate_previous: true'
                             % (len(keys), params['name'], current['id'], ', '.join(k['id'] for k in keys[1:])))
        before = self.view(current) if current else {}
        if current is None or params['rotate']:
            after = self.create(keys)
        else:
            after = self.update(current)
        self.set_diff(before, after)

    def create(self, previous):
        params = self.params
        body = {'name': params['name'], 'access': request_access(params['access'])}
        if params['metadata'] is not None:
            body['metadata'] = params['metadata']
        if params['expiration'] is not None:
            body['expiration'] = params['expiration']
        self.set_changed()
        self.result['created'] = True
        if self.check_mode:
            key = {'id': None, 'name': params['name'], 'access': params['access'], 'metadata': params['metadata'] or {}}
            self.result['invalidated_ids'] = [k['id'] for k in previous] if params['invalidate_previous'] else []
            return self.view(key)
        created = self.client.request('POST', '/_security/cross_cluster/api_key',
                                      'create the cross-cluster API key %s' % params['name'], body=body)[1]
        # the secret must never reach a message, even one about a later failure
        self.client.add_secret(created.get('encoded'))
        self.client.add_secret(created.get('api_key'))
        self.result.update(id=created.get('id'), encoded=created.get('encoded'), expiration=created.get('expiration'))
        if params['invalidate_previous'] and previous:
            self.result['invalidated_ids'] = self.invalidate([k['id'] for k in previous])
        return self.view({'id': created.get('id'), 'name': params['name'], 'access': params['access'],
                          'metadata': params['metadata'] or {}})

    def update(self, current):
        params = self.params
        self.result.update(id=current['id'], expiration=current.get('expiration'))
        body = {}
        if normalize_access(params['access']) != normalize_access(current.get('access')):
            body['access'] = request_access(params['access'])
        if params['metadata'] is not None and params['metadata'] != (current.get('metadata') or {}):
            body['metadata'] = params['metadata']
        after = dict(current)
        after.update(body)
        if not body:
            return self.view(after)
        self.set_changed()
        self.result['updated'] = True
        if not self.check_mode:
            response = self.client.request('PUT', '/_security/cross_cluster/api_key/%s' % current['id'],
                                           'update the cross-cluster API key %s (%s)' % (params['name'], current['id']),
                                           body=body)[1]
            # Elasticsearch's own verdict; false when it found nothing to change after all
            self.result['updated'] = bool((response or {}).get('updated', True))
            self.result['changed'] = self.result['updated']
        return self.view(after)

    def invalidate(self, ids):
        response = self.client.request('DELETE', '/_security/api_key', 'invalidate the cross-cluster API keys %s' % ', '.join(ids),
                                       body={'ids': ids})[1] or {}
        if response.get('error_count'):
            reasons = '; '.join(str((d or {}).get('reason') or d) for d in response.get('error_details') or [])
            raise ApiError('invalidate the cross-cluster API keys %s: %d error(s): %s' % (', '.join(ids), response['error_count'],
                                                                                          reasons or 'no details'))
        return list(response.get('invalidated_api_keys') or []) + list(response.get('previously_invalidated_api_keys') or [])

    @staticmethod
    def view(key):
        """The key as shown in the diff: never a secret."""
        return {'id': key.get('id'), 'name': key.get('name'), 'access': normalize_access(key.get('access')),
                'metadata': key.get('metadata') or {}}


def main():
    entry = dict(names=dict(type='list', elements='str', required=True),
                 allow_restricted_indices=dict(type='bool'))
    search = dict(entry, query=dict(type='raw'), field_security=dict(type='dict'))
    CrossClusterApiKey(dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        access=dict(type='dict', options=dict(
            search=dict(type='list', elements='dict', options=search),
            replication=dict(type='list', elements='dict', options=entry),
        )),
        expiration=dict(type='str'),
        metadata=dict(type='dict'),
        rotate=dict(type='bool', default=False),
        invalidate_previous=dict(type='bool', default=False),
    ), required_if=[('state', 'present', ('access',))]).run()


if __name__ == '__main__':
    main()
