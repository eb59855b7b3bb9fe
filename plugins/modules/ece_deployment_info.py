#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ece_deployment_info
short_description: Read ECE deployments and what remote clusters need to know about them
version_added: 1.0.0
description:
  - Reads deployments of an Elastic Cloud Enterprise environment and returns, for each Elasticsearch resource, what
    the other modules of this collection need, such as the cluster ID, versions, health, pending plan, endpoint and
    ports, trust settings, the environment's account ID, and the addresses another cluster uses to connect to it as a
    remote cluster.
  - Give one of O(deployment_id), O(deployment_ids) or O(name); with none of them every deployment is read.
  - One C(GET /deployments/{id}) per deployment (with settings, metadata and plans). Several deployments are read
    concurrently, at most 8 at a time. Without O(deployment_id) or O(deployment_ids) the deployments are first found
    with C(POST /deployments/_search), a read that changes nothing.
options:
  deployment_id:
    description:
      - ID of the deployment to read (32 lower-case hexadecimal characters).
      - A deployment that does not exist fails the task with the API's message.
    type: str
  deployment_ids:
    description:
      - IDs of the deployments to read, in this order. Duplicates are read once.
      - A deployment that does not exist fails the task with the API's message.
    type: list
    elements: str
  name:
    description:
      - Read the deployments with exactly this name (names are not unique in ECE).
      - RV(deployments) is empty when no deployment has this name.
    type: str
  certificate_port:
    description:
      - Port of RV(deployments[].elasticsearch[].remote_connection.certificate.proxy_address), the port the ECE proxies
        accept remote cluster connections on in the TLS certificate model.
      - By default the transport passthrough port the deployment read reports (C(metadata.ports.transport_passthrough)),
        and 9400 where ECE reports none.
      - Port 9300 of the ECE proxies is the plain-text transport-client port, where no remote cluster connects in the TLS
        certificate model.
    type: int
  api_key_port:
    description:
      - Port of RV(deployments[].elasticsearch[].remote_connection.api_key.proxy_address), the port the ECE proxies
        accept remote cluster connections on in the API key model.
    type: int
    default: 9443
extends_documentation_fragment:
  - ece.remote_clusters.ece
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes.INFO_MODULE
  - ece.remote_clusters.attributes.ACTIONGROUP_ECE
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Read the remote deployment in environment B
  ece.remote_clusters.ece_deployment_info:
    ece_url: https://ece-b.example.com:12443
    ece_api_key: "{{ vault_ece_b_api_key }}"
    deployment_id: 0e4b5a1f2c3d4e5f60718293a4b5c6d7
  register: remote

- name: Point a local cluster at it (TLS certificate model)
  ece.remote_clusters.es_remote_cluster:
    es_url: https://local-cluster.example.com:9243
    es_api_key: "{{ vault_local_es_api_key }}"
    alias: ece_b_data
    mode: proxy
    proxy_address: "{{ remote.deployments[0].elasticsearch[0].remote_connection.certificate.proxy_address }}"
    server_name: "{{ remote.deployments[0].elasticsearch[0].remote_connection.certificate.server_name }}"

- name: Read two deployments at once
  ece.remote_clusters.ece_deployment_info:
    deployment_ids:
      - 0e4b5a1f2c3d4e5f60718293a4b5c6d7
      - 9a8b7c6d5e4f30211203948576abcdef
  register: pair

- name: Find deployments by name
  ece.remote_clusters.ece_deployment_info:
    name: logging-prod
  register: by_name
'''

RETURN = r'''
deployments:
  description: The deployments read, in the order of O(deployment_ids) or as the search returned them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Deployment ID.
      type: str
      sample: 0e4b5a1f2c3d4e5f60718293a4b5c6d7
    name:
      description: Deployment name.
      type: str
      sample: logging-prod
    alias:
      description: Deployment alias, null when it has none.
      type: str
    healthy:
      description: Whether the whole deployment is healthy.
      type: bool
    kibana:
      description: The deployment's Kibana resources.
      type: list
      elements: dict
      contains:
        ref_id:
          description: Reference ID of the resource.
          type: str
          sample: main-kibana
        id:
          description: Kibana cluster ID.
          type: str
        status:
          description: Status of the resource, for example V(started).
          type: str
        healthy:
          description: Whether the resource is healthy.
          type: bool
    elasticsearch:
      description: The deployment's Elasticsearch resources.
      type: list
      elements: dict
      contains:
        ref_id:
          description: Reference ID of the resource (the O(ece.remote_clusters.ece_remote_clusters#module:ref_id) of other modules).
          type: str
          sample: main-elasticsearch
        cluster_id:
          description: Elasticsearch cluster ID, the ID that trust allowlists hold.
          type: str
          sample: a542184a7a7d45b88b83f95392f450ab
        region:
          description: Region of the resource.
          type: str
          sample: ece-region
        version:
          description: Elasticsearch version of the current plan.
          type: str
          sample: 8.15.3
        running_version:
          description:
            - The lowest Elasticsearch version the cluster's instances run (they differ only during an upgrade);
              null when no instance runs.
          type: str
          sample: 8.15.3
        healthy:
          description: Whether the resource is healthy.
          type: bool
        status:
          description: Status of the resource, for example V(started) or V(reconfiguring).
          type: str
        pending_plan:
          description: Whether a plan is pending (running) on the resource.
          type: bool
        endpoint:
          description: DNS name of the cluster.
          type: str
          sample: a542184a7a7d45b88b83f95392f450ab.ece-b.example.com
        aliased_endpoint:
          description: DNS name derived from the deployment alias, null when there is none.
          type: str
        service_url:
          description: URL of the cluster.
          type: str
          sample: https://a542184a7a7d45b88b83f95392f450ab.ece-b.example.com:9243
        ports:
          description: Ports of the cluster's endpoint.
          type: dict
          contains:
            http:
              description: HTTP port.
              type: int
            https:
              description: HTTPS port.
              type: int
            transport_passthrough:
              description: Transport passthrough port (the TLS certificate model's remote cluster port).
              type: int
        trust:
          description: The trust settings (C(accounts), C(external), C(direct)) as the API returns them, null when it returns none.
          type: dict
        account_id:
          description:
            - ID of the environment's account, for C(accounts) trust entries; from the trust settings, else from the
              deployment's metadata. Null when neither has it.
          type: str
          sample: ec38dd0aa45f4a69909ca5c81c27138a
        remote_connection:
          description:
            - Settings another cluster uses to connect to this one as a remote cluster, derived from RV(deployments[].elasticsearch[].endpoint).
            - Null when the API returns no endpoint.
          type: dict
          contains:
            certificate:
              description: Proxy mode, TLS certificate model.
              type: dict
              contains:
                proxy_address:
                  description: C(cluster.remote.<alias>.proxy_address), the endpoint and O(certificate_port).
                  type: str
                  sample: a542184a7a7d45b88b83f95392f450ab.ece-b.example.com:9400
                server_name:
                  description: C(cluster.remote.<alias>.server_name), the endpoint.
                  type: str
                  sample: a542184a7a7d45b88b83f95392f450ab.ece-b.example.com
            api_key:
              description: Proxy mode, API key model.
              type: dict
              contains:
                proxy_address:
                  description: C(cluster.remote.<alias>.proxy_address), the endpoint and O(api_key_port).
                  type: str
                  sample: a542184a7a7d45b88b83f95392f450ab.ece-b.example.com:9443
                server_name:
                  description: C(cluster.remote.<alias>.server_name), the endpoint.
                  type: str
                  sample: a542184a7a7d45b88b83f95392f450ab.ece-b.example.com
            legacy_sniff:
              description: Sniff mode through the ECE proxy, for a local Elasticsearch from 6.7 to 7.5 (no proxy mode).
              type: dict
              contains:
                seeds:
                  description: C(cluster.remote.<alias>.seeds), the endpoint on port 1 (the proxy routes by name).
                  type: list
                  elements: str
                  sample: [a542184a7a7d45b88b83f95392f450ab.ece-b.example.com:1]
                proxy:
                  description:
                    - C(cluster.remote.<alias>.proxy), the endpoint and its transport passthrough port.
                    - Null when the API returns no transport passthrough port.
                  type: str
                  sample: a542184a7a7d45b88b83f95392f450ab.ece-b.example.com:9400
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import DeploymentInfo
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(DeploymentInfo)


if __name__ == '__main__':
    main()
