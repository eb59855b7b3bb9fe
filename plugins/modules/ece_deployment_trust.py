#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ece_deployment_trust
short_description: Manage which deployments an ECE deployment's Elasticsearch trusts
version_added: 1.0.0
description:
  - Manages C(resources.elasticsearch[].settings.trust) of one deployment of Elastic Cloud Enterprise, that is which
    clusters its Elasticsearch resource trusts for remote cluster connections in the TLS-certificate model, and which
    proxy CA certificates it trusts in the API-key model.
  - The trust object has three lists. O(accounts) trusts clusters of an account (in ECE, the environment's single
    account, for deployments of the same environment). O(external) trusts clusters of another environment through a
    platform trust relationship (see M(ece.remote_clusters.ece_trust_relationship)). O(direct) trusts clusters whose
    certificates are signed by a CA given in the entry; an entry of O(direct[].type=proxy) holds another environment's
    proxy CA for the API-key model.
  - Entries are identified by C(account_id), by trust relationship and by C(name). Entries that are not named in the
    options are always kept, also with O(purge=true), so the default trust of the deployment's own account is never
    lost by accident. To remove an entry, name it with O(state=absent).
  - One exception, with a warning. An O(external) entry that trusts no cluster (no C(trust_all), an empty allowlist)
    and names a trust relationship that no longer exists is dropped when the trust is written anyway, since ECE refuses
    every trust update that names a missing relationship. The relationships are read only when such an entry exists.
  - The update is a read-modify-write of the whole trust object (the API replaces it as a whole) through
    C(PUT /api/v1/deployments/{id}) with C(prune_orphans=false) (other resources such as Kibana are left alone), the
    current plan without its C(transient) part (so a past forced restart is not repeated) and the resource version
    read, so that a concurrent change is detected (HTTP 409); the deployment is then read again and the change
    applied on top of the concurrent one, once.
  - Nothing is written when the trust already is as asked. The comparison ignores the order of allowlists, the
    read-only C(external[].name), C(direct[].uid) and C(certificates[].metadata), the allowlist of an entry that
    trusts all, and how a PEM certificate is wrapped.
  - When the last plan of the resource failed (C(plan_info.healthy) is false), the trust stored as asked may not be in
    use, since a failed plan is not applied; the trust is then sent again, which starts a new plan (with a warning), so
    that running the task again after a failure converges.
options:
  accounts:
    description:
      - Trust of the clusters of an account. In ECE the environment has a single account; its ID is in the
        C(account_ids) of the local trust relationship (M(ece.remote_clusters.ece_trust_relationship_info)).
    type: list
    elements: dict
    suboptions:
      account_id:
        description:
          - ID of the account. Identifies the entry.
        type: str
        required: true
      trust_all:
        description:
          - Trust every cluster of the account. When not given, an existing entry keeps its value and a new entry
            is created with V(false).
          - V(false) together with O(accounts[].trust_allowlist) narrows an entry that trusted all to the allowlist.
        type: bool
      trust_allowlist:
        description:
          - Elasticsearch cluster IDs (32 lower-case hexadecimal characters, not deployment IDs) to trust.
          - Added to the entry's allowlist, or made its whole allowlist with O(purge=true). With O(state=absent),
            the cluster IDs to remove from the entry.
          - Must not be given with O(accounts[].trust_all=true), where the API ignores it.
        type: list
        elements: str
      name:
        description:
          - Human readable name of the entry. An existing name is kept when not given.
        type: str
  external:
    description:
      - Trust of clusters of another environment through a platform trust relationship of this environment.
    type: list
    elements: dict
    suboptions:
      trust_relationship_id:
        description:
          - ID of the trust relationship in this environment. Identifies the entry.
          - Exactly one of O(external[].trust_relationship_id) and O(external[].trust_relationship_name) is required.
        type: str
      trust_relationship_name:
        description:
          - Name of the trust relationship in this environment, resolved to its ID with one request that lists the
            relationships (only sent when a name is used).
          - An unknown or ambiguous name fails the task before anything is written.
        type: str
      trust_all:
        description:
          - Trust every cluster of the other environment. When not given, an existing entry keeps its value and a
            new entry is created with V(false).
        type: bool
      trust_allowlist:
        description:
          - Elasticsearch cluster IDs of the other environment to trust (32 lower-case hexadecimal characters).
          - Merged like O(accounts[].trust_allowlist).
        type: list
        elements: str
  direct:
    description:
      - Trust of clusters whose node certificates are signed by a CA given here, without a platform trust relationship.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the entry. Identifies it.
        type: str
        required: true
      type:
        description:
          - Kind of the trusted environment. The API assumes V(generic) when none is set.
          - V(proxy) holds the CA of another environment's proxy, needed for API-key remote clusters when that CA is
            private. Such an entry takes no O(direct[].trust_all=true), O(direct[].trust_allowlist),
            O(direct[].scope_id) or O(direct[].additional_node_names).
        type: str
        choices: [ECE, ESS, generic, proxy]
      scope_id:
        description:
          - Lower-case alphanumeric string of at most 32 characters, usually the other environment's ID or the
            organization ID. Required by the API when O(direct[].trust_all=true) or the allowlist is not empty.
        type: str
      certificates:
        description:
          - The CA certificates (PEM text, one certificate each) of the entry. Required for a new entry.
          - When given, they are the entry's whole list of certificates, compared without regard to line wrapping
            and order.
          - "Sent to the API as C([{pem: ...}]); the C(uid) of an existing entry is sent back unchanged."
        type: list
        elements: str
      trust_all:
        description:
          - Trust every cluster matching O(direct[].scope_id). When not given, an existing entry keeps its value and
            a new entry is created with V(false).
        type: bool
      trust_allowlist:
        description:
          - Elasticsearch cluster IDs to trust (32 lower-case hexadecimal characters). Merged like
            O(accounts[].trust_allowlist).
        type: list
        elements: str
      additional_node_names:
        description:
          - Node names trusted in addition to those deducible from the allowlist and scope. No wildcards.
          - Added to the entry's list, or made its whole list with O(purge=true).
        type: list
        elements: str
  state:
    description:
      - V(present) makes the listed entries exist with the listed settings and cluster IDs.
      - V(absent) removes the listed cluster IDs from their entries; an entry given without a
        C(trust_allowlist) is removed as a whole. C(trust_all) and the other settings are ignored then.
      - An O(external) entry left with no cluster ID and without C(trust_all) is removed as a whole, so that no
        entry names a trust relationship that is deleted later (ECE refuses every trust update that names a
        missing relationship).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With V(true), the C(trust_allowlist) and C(additional_node_names) given for an entry are its whole lists,
        and cluster IDs not listed are removed from it.
      - With V(false), they are added to what the entry already has.
      - Entries not named in the options are never removed; use O(state=absent) for that.
    type: bool
    default: false
  wait_timeout:
    default: 600
extends_documentation_fragment:
  - ece.remote_clusters.plan_wait
  - ece.remote_clusters.deployment
  - ece.remote_clusters.ece
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ECE
notes:
  - Allowlists hold Elasticsearch cluster IDs (C(resources.elasticsearch[].id) of a deployment, the C(cluster_id) that
    M(ece.remote_clusters.ece_deployment_info) returns), never deployment IDs.
  - Trust in the TLS-certificate model must be set on both deployments, each trusting the other.
seealso:
  - module: ece.remote_clusters.ece_trust_relationship
  - module: ece.remote_clusters.ece_deployment_info
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Trust one cluster of environment B through the platform trust relationship "ece-b"
  ece.remote_clusters.ece_deployment_trust:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    external:
      - trust_relationship_name: ece-b
        trust_allowlist:
          - 9b8c7d6e5f4a4b3c2d1e0f9a8b7c6d5e

- name: Narrow the trust of the own account from "all deployments" to two clusters
  ece.remote_clusters.ece_deployment_trust:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    accounts:
      - account_id: 651598b101e54ccab1bfdcd8b6e3b8be
        trust_all: false
        trust_allowlist:
          - 1f2e3d4c5b6a47989a8b7c6d5e4f3a2b
          - 0a9b8c7d6e5f40312f1e0d9c8b7a6f5e
    purge: true

- name: Trust the private proxy CA of environment B for API-key remote clusters
  ece.remote_clusters.ece_deployment_trust:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    direct:
      - name: ece-b-proxy
        type: proxy
        certificates:
          - "{{ ece_b_proxy_tls.root_certificate }}"

- name: Stop trusting one cluster of environment B
  ece.remote_clusters.ece_deployment_trust:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    external:
      - trust_relationship_name: ece-b
        trust_allowlist:
          - 9b8c7d6e5f4a4b3c2d1e0f9a8b7c6d5e
    state: absent
'''

RETURN = r'''
trust:
  description:
    - The trust settings of the Elasticsearch resource after the task (in check mode, as they would be), in the API's
      shape (C(accounts), C(external), C(direct)).
  returned: always
  type: dict
  sample:
    accounts:
      - account_id: 651598b101e54ccab1bfdcd8b6e3b8be
        trust_all: true
    external:
      - trust_relationship_id: 83a7b03f2a4343fe99f09bd27ca3d9ec
        name: ece-b
        trust_all: false
        trust_allowlist: [9b8c7d6e5f4a4b3c2d1e0f9a8b7c6d5e]
    direct: []
plan_change:
  description:
    - Whether the update started a plan of the Elasticsearch resource.
    - With O(wait=false), and in check mode, whether an update was (or would be) sent, since it may start a plan
      that is not watched.
  returned: always
  type: bool
plan:
  description: The plan attempt the update started, when O(wait=true) and a plan ran.
  returned: when a plan ran
  type: dict
  contains:
    attempt_id:
      description: ID of the plan attempt.
      type: str
    status:
      description: Outcome of the plan attempt, V(success) (a failed plan fails the task).
      type: str
    duration_seconds:
      description: Seconds spent waiting for the plan.
      type: float
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import DeploymentTrust
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(DeploymentTrust)


if __name__ == '__main__':
    main()
