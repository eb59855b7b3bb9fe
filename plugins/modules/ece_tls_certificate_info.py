#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ece_tls_certificate_info
short_description: Read the TLS certificate chain of an ECE service
version_added: 1.0.0
description:
  - Reads the public TLS certificate chain of one service of an Elastic Cloud Enterprise environment
    (C(GET /platform/configuration/security/tls/{service})). The private key is never returned by the API.
  - In the API-key remote cluster model, a local deployment must trust the proxy CA of the remote environment when it
    is private. RV(root_certificate) of O(service=proxy) is that CA; give it to
    M(ece.remote_clusters.ece_deployment_trust) as a C(direct) trust entry of C(type=proxy).
  - One request.
options:
  service:
    description:
      - The service whose certificate chain to read.
      - V(proxy) is the certificate that Elasticsearch clients and remote clusters see.
    type: str
    choices: [proxy, adminconsole, ui, internalca]
    default: proxy
extends_documentation_fragment:
  - ece.remote_clusters.ece
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes.INFO_MODULE
  - ece.remote_clusters.attributes.ACTIONGROUP_ECE
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Read the proxy certificate chain of environment B
  ece.remote_clusters.ece_tls_certificate_info:
    ece_url: https://ece-b.example.com:12443
    ece_api_key: "{{ vault_ece_b_api_key }}"
  register: env_b_proxy

- name: Trust environment B's proxy CA in a deployment of environment A when it is private
  ece.remote_clusters.ece_deployment_trust:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
    deployment_id: 0e4b5a1f2c3d4e5f60718293a4b5c6d7
    direct:
      - name: ece-b-proxy
        type: proxy
        certificates:
          - "{{ env_b_proxy.root_certificate }}"
        trust_all: false
  when: not env_b_proxy.user_supplied
'''

RETURN = r'''
chain:
  description: The PEM certificates of the chain, the server certificate first, as the API returns them.
  returned: always
  type: list
  elements: str
  sample: ["-----BEGIN CERTIFICATE-----\n...", "-----BEGIN CERTIFICATE-----\n..."]
root_certificate:
  description: The last certificate of the chain (its root CA), null when the chain is empty.
  returned: always
  type: str
  sample: "-----BEGIN CERTIFICATE-----\n..."
user_supplied:
  description:
    - Whether the chain was supplied by a user; V(false) means ECE generated it with its own, private CA.
  returned: always
  type: bool
  sample: false
chain_status:
  description: Expiry of the chain as the API reports it (C(expiration_date), C(first_certificate_to_expire)), null when not given.
  returned: always
  type: dict
  sample:
    expiration_date: "2027-01-01T00:00:00Z"
    first_certificate_to_expire: "CN=ece-b proxy"
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import TlsCertificateInfo
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(TlsCertificateInfo)


if __name__ == '__main__':
    main()
