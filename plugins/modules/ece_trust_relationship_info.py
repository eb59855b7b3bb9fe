#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ece_trust_relationship_info
short_description: Read the platform trust relationships of an ECE environment
version_added: 1.0.0
description:
  - Reads the platform trust relationships of one Elastic Cloud Enterprise environment, including the environment's own
    (local) relationship.
  - The local relationship holds the trust parameters another environment needs to trust this one. Its
    RV(local.installation_id) is the B(environment ID) and RV(local.certificate) the environment's CA certificate.
  - One request, whatever the options.
options:
  name:
    description:
      - Return only the relationships with this name.
    type: str
  include_certificate:
    description:
      - Include the CA certificate (PEM) of each relationship.
    type: bool
    default: true
extends_documentation_fragment:
  - ece.remote_clusters.ece
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes.INFO_MODULE
  - ece.remote_clusters.attributes.ACTIONGROUP_ECE
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Read environment B's trust parameters (environment ID and CA certificate)
  ece.remote_clusters.ece_trust_relationship_info:
    ece_url: https://ece-b.example.com:12443
    ece_api_key: "{{ vault_ece_b_api_key }}"
  register: env_b

- name: Show environment B's environment ID
  ansible.builtin.debug:
    msg: "{{ env_b.local.installation_id }}"

- name: Look up one relationship by name, without certificates
  ece.remote_clusters.ece_trust_relationship_info:
    name: ece-a
    include_certificate: false
  register: relationship_to_a
'''

RETURN = r'''
trust_relationships:
  description: The trust relationships, filtered by O(name) when given.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Server-assigned ID; deployment trust refers to it in C(external[].trust_relationship_id).
      type: str
      sample: 83a7b03f2a4343fe99f09bd27ca3d9ec
    name:
      description: Name of the relationship.
      type: str
    local:
      description: Whether this is the environment's own relationship.
      type: bool
    trust_by_default:
      description: Whether all deployments of this environment trust it by default.
      type: bool
    account_ids:
      description: IDs of the trusted accounts.
      type: list
      elements: str
    installation_id:
      description: ID of the trusted environment (the environment ID).
      type: str
    certificate:
      description: CA certificate (PEM) of the trusted environment; null when O(include_certificate=false).
      type: str
local:
  description: The environment's own relationship (same keys as an item of RV(trust_relationships)), null if the API has none.
  returned: always
  type: dict
  contains:
    id:
      description: Server-assigned ID of the local relationship.
      type: str
      sample: 3d2b27a5c9a54bfd8fb8a7e1c8b2b6a0
    name:
      description: Name of the local relationship, usually the environment's name.
      type: str
      sample: ece-b
    local:
      description: Always true.
      type: bool
      sample: true
    trust_by_default:
      description: The environment's default for new deployments, trusting all deployments of this environment.
      type: bool
      sample: false
    account_ids:
      description: IDs of this environment's accounts (an ECE environment has one).
      type: list
      elements: str
      sample: [651598b101e54ccab1bfdcd8b6e3b8be]
    installation_id:
      description: This environment's ID (the B(environment ID) another environment must trust).
      type: str
      sample: 1f3e0a5b2c3d4e5f60718293a4b5c6d7
    certificate:
      description: This environment's CA certificate (PEM); null when O(include_certificate=false).
      type: str
      sample: "-----BEGIN CERTIFICATE-----\n..."
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import TrustRelationshipInfo
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(TrustRelationshipInfo)


if __name__ == '__main__':
    main()
