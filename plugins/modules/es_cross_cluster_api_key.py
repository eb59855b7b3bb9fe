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
version_added: 1.0.0
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
      - Lifetime of the key, for example V(90d). Default is no expiration.
      - The value asked for is recorded in the key's metadata as C(requested_expiration), since Elasticsearch only shows when a
        key expires. When it differs from the value of an existing key (or, for a key without that record, from its lifetime
        at creation), the key is updated with it, and its new expiration counts from the update; Elasticsearch 8.13 and later
        can update it, older versions fail before any write (use O(rotate)). Not given, the expiration is left as it is.
    type: str
  metadata:
    description:
      - Arbitrary metadata of the key; keys starting with C(_) are reserved.
      - When not set, the key's metadata is neither compared nor changed.
      - A key whose metadata names another owner (C(managed_by=ece.remote_clusters) with another C(local_cluster_id) or
        C(alias) than this metadata, as M(ece.remote_clusters.remote_cluster_link) writes) is never taken for this one; it
        is neither updated nor invalidated.
    type: dict
  rotate:
    description:
      - Create a new key even though one exists (a new secret in RV(encoded)). Reported as changed on every run.
      - The previous keys stay valid, so that the local cluster can switch to the new secret first, unless
        O(invalidate_previous=true).
    type: bool
    default: false
  rotate_before_days:
    description:
      - Create a new key, as O(rotate=true) does, when the active key expires within this many days. Not given, a key is
        never replaced because of its expiration.
      - RV(expires_in_days) tells how many days the active key had left.
    type: int
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
    details: >-
      In check mode RV(id) of a key that would be created is null, and RV(encoded) is the stand-in
      C(check-mode-no-key-created), so that a task that stores it (M(ece.remote_clusters.ece_keystore_secret)) predicts
      its change as the real run makes it.
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
previous_ids:
  description: IDs of the active keys of this name that a new key replaces (O(rotate=true)), invalidated or not.
  returned: always
  type: list
  elements: str
  sample: [VuaCfGcBCdbkQm-e5aOx]
expires_in_days:
  description: Days until the active key found expires (before any replacement); null for a key without expiration.
  returned: always
  type: float
  sample: 12.5
encoded:
  description:
    - The key's secret, C(base64(id:api_key)), to store in the local keystore as C(cluster.remote.<alias>.credentials).
    - Only when a key was created; otherwise null, since Elasticsearch never returns it again. In check mode, when a
      key would be created, the stand-in C(check-mode-no-key-created).
    - 'A secret. Use C(no_log: true) on the task and never print it.'
  returned: always
  type: str
expiration:
  description: Expiration time of the managed key in milliseconds since the epoch; null when it does not expire or is unknown.
  returned: always
  type: int
  sample: 1767225600000
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import CrossClusterApiKey
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(CrossClusterApiKey)


if __name__ == '__main__':
    main()
