#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ece_trust_relationship
short_description: Create, update or delete a platform trust relationship to another ECE environment
version_added: 1.0.0
description:
  - Manages one platform trust relationship of an Elastic Cloud Enterprise environment to another ECE environment,
    identified by its O(name).
  - Trust between environments is bi-directional. Run this module in environment B with environment A's ID and CA
    certificate, and in environment A with B's. M(ece.remote_clusters.ece_trust_relationship_info) reads an
    environment's own ID (RV(ece.remote_clusters.ece_trust_relationship_info#module:local.installation_id)) and
    certificate.
  - The relationship is looked up with one request (the list of relationships, with certificates). It is created when
    missing, updated with only the fields that differ, or deleted with O(state=absent).
  - ECE lets two runs create a relationship for the same environment at the same time. After a creation the list is
    read again, and when another run created one too, every run keeps the oldest (its C(last_modified), then the lowest
    ID) and deletes its own before anything names it.
  - The environment's own (local) relationship is never changed; a O(name) that is the local relationship's name is
    refused.
  - Deployments use the relationship only when their trust settings refer to it (see
    M(ece.remote_clusters.ece_deployment_trust)) or when O(trust_by_default=true).
options:
  name:
    description:
      - Name of the relationship, usually the name of the other environment. It names a relationship this module
        creates.
      - With O(installation_id), the relationship that trusts that environment is managed whatever its name (an
        environment is known by its ID; another name given to it by whoever created the relationship is kept). Without
        it, or when no relationship trusts that environment, the relationship of this name is managed.
      - When several relationships match the module fails and lists their IDs; remove the duplicates first.
    type: str
    required: true
  state:
    description:
      - V(present) creates the relationship or updates it to match the given options.
      - V(absent) deletes it, with the version read just before it (C(?version=)). When it changed meanwhile (HTTP 409),
        it is read again, then deleted if it is still the relationship asked for, else kept (see RV(kept)).
    type: str
    choices: [present, absent]
    default: present
  installation_id:
    description:
      - ID of the other ECE environment (its B(environment ID)), 32 lower-case hexadecimal characters.
      - It is the RV(ece.remote_clusters.ece_trust_relationship_info#module:local.installation_id) of the other environment.
      - When not given, the ID of an existing relationship is left unchanged.
    type: str
  certificate:
    description:
      - CA certificate (PEM) of the other ECE environment, the
        RV(ece.remote_clusters.ece_trust_relationship_info#module:local.certificate) of the other environment.
      - Required to create the relationship. When not given, the certificate of an existing relationship is left
        unchanged.
      - Compared with the current certificate after normalising the PEM text, so line breaks and surrounding text do
        not count as a change. The normalised PEM is sent.
    type: str
  trust_by_default:
    description:
      - Whether every deployment of this environment trusts the other environment by default.
      - With V(false), deployments trust it only through their own trust settings.
      - When not given, an existing relationship keeps its setting and a new one is created with V(false).
    type: bool
  account_ids:
    description:
      - IDs of the other environment's accounts to trust (an ECE environment has one account).
      - Compared as a set. When not given, the accounts of an existing relationship are left unchanged.
    type: list
    elements: str
notes:
  - The certificate is public and is shown in the diff and in RV(trust_relationship).
extends_documentation_fragment:
  - ece.remote_clusters.ece
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ECE
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Read environment A's trust parameters
  ece.remote_clusters.ece_trust_relationship_info:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
  register: env_a

- name: Trust environment A in environment B
  ece.remote_clusters.ece_trust_relationship:
    ece_url: https://ece-b.example.com:12443
    ece_api_key: "{{ vault_ece_b_api_key }}"
    name: ece-a
    installation_id: "{{ env_a.local.installation_id }}"
    certificate: "{{ env_a.local.certificate }}"
    account_ids: "{{ env_a.local.account_ids }}"
    trust_by_default: false
  register: relationship

- name: Show the ID that deployment trust settings refer to
  ansible.builtin.debug:
    msg: "{{ relationship.trust_relationship.id }}"

- name: Remove the relationship to environment A
  ece.remote_clusters.ece_trust_relationship:
    ece_url: https://ece-b.example.com:12443
    ece_api_key: "{{ vault_ece_b_api_key }}"
    name: ece-a
    state: absent
'''

RETURN = r'''
trust_relationship:
  description:
    - The relationship after the change (predicted in check mode), with the keys of an item of
      RV(ece.remote_clusters.ece_trust_relationship_info#module:trust_relationships).
    - Null when O(state=absent), unless it was kept (see RV(kept)).
  returned: always
  type: dict
  contains:
    id:
      description:
        - Server-assigned ID; deployment trust settings refer to it in C(external[].trust_relationship_id).
        - Null in check mode when the relationship would be created.
      type: str
      sample: 83a7b03f2a4343fe99f09bd27ca3d9ec
    name:
      description: Name of the relationship.
      type: str
      sample: ece-a
    local:
      description: Whether this is the environment's own relationship (always false here).
      type: bool
      sample: false
    trust_by_default:
      description: Whether all deployments of this environment trust the other environment by default.
      type: bool
      sample: false
    account_ids:
      description: IDs of the trusted accounts.
      type: list
      elements: str
      sample: [651598b101e54ccab1bfdcd8b6e3b8be]
    installation_id:
      description: ID of the trusted environment.
      type: str
      sample: 1f3e0a5b2c3d4e5f60718293a4b5c6d7
    certificate:
      description: CA certificate (PEM) of the trusted environment.
      type: str
      sample: "-----BEGIN CERTIFICATE-----\n..."
kept:
  description:
    - With O(state=absent), why the relationship was not deleted after all, when it changed just before the deletion (a
      concurrent change) and is no longer the relationship asked for (another name or environment ID).
  returned: when a relationship to delete was kept
  type: str
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import TrustRelationship
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(TrustRelationship)


if __name__ == '__main__':
    main()
