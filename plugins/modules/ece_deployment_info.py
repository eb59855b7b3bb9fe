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
version_added: 0.1.0
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
    type: int
    default: 9300
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
                  sample: a542184a7a7d45b88b83f95392f450ab.ece-b.example.com:9300
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

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ece.remote_clusters.plugins.module_utils._common import check_deployment_ids
from ansible_collections.ece.remote_clusters.plugins.module_utils._ece import API_PREFIX, running_version
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import RemoteClustersModule

MAX_WORKERS = 8
SEARCH_PAGE_SIZE = 1000  # per search page; further pages follow the cursor


def remote_connection(endpoint, transport_passthrough, certificate_port, api_key_port):
    if not endpoint:
        return None
    return {
        'certificate': {'proxy_address': '%s:%d' % (endpoint, certificate_port), 'server_name': endpoint},
        'api_key': {'proxy_address': '%s:%d' % (endpoint, api_key_port), 'server_name': endpoint},
        'legacy_sniff': {'seeds': ['%s:1' % endpoint],
                         'proxy': '%s:%s' % (endpoint, transport_passthrough) if transport_passthrough else None},
    }


def elasticsearch_view(resource, deployment, certificate_port, api_key_port):
    info = resource.get('info') or {}
    metadata = info.get('metadata') or {}
    plan_info = info.get('plan_info') or {}
    plan = (plan_info.get('current') or {}).get('plan') or {}
    ports = metadata.get('ports') or {}
    trust = (info.get('settings') or {}).get('trust')
    accounts = [a.get('account_id') for a in (trust or {}).get('accounts') or [] if a.get('account_id')]
    # ECE has one account per environment: any accounts entry names it
    account_id = accounts[0] if accounts else ((deployment.get('metadata') or {}).get('organization_id')
                                               or ((info.get('settings') or {}).get('metadata') or {}).get('organization_id'))
    return {
        'ref_id': resource.get('ref_id'),
        'cluster_id': info.get('cluster_id') or resource.get('id'),
        'region': resource.get('region'),
        'version': (plan.get('elasticsearch') or {}).get('version'),
        # only what instances report: a stopped cluster runs nothing
        'running_version': running_version(resource) if (info.get('topology') or {}).get('instances') else None,
        'healthy': bool(info.get('healthy')),
        'status': info.get('status'),
        'pending_plan': bool(plan_info.get('pending')),
        'endpoint': metadata.get('endpoint'),
        'aliased_endpoint': metadata.get('aliased_endpoint'),
        'service_url': metadata.get('service_url'),
        'ports': {'http': ports.get('http'), 'https': ports.get('https'),
                  'transport_passthrough': ports.get('transport_passthrough')},
        'trust': trust,
        'account_id': account_id,
        'remote_connection': remote_connection(metadata.get('endpoint'), ports.get('transport_passthrough'),
                                               certificate_port, api_key_port),
    }


def deployment_view(deployment, certificate_port, api_key_port):
    resources = deployment.get('resources') or {}
    return {
        'id': deployment.get('id'),
        'name': deployment.get('name'),
        'alias': deployment.get('alias'),
        'healthy': bool(deployment.get('healthy')),
        'kibana': [{'ref_id': k.get('ref_id'), 'id': k.get('id'), 'status': (k.get('info') or {}).get('status'),
                    'healthy': bool((k.get('info') or {}).get('healthy'))} for k in resources.get('kibana') or []],
        'elasticsearch': [elasticsearch_view(r, deployment, certificate_port, api_key_port)
                          for r in resources.get('elasticsearch') or []],
    }


class DeploymentInfo(RemoteClustersModule):
    api = 'ece'

    def validate(self):
        params = self.params
        errors = []
        if params['deployment_id'] is not None:
            errors.append(check_deployment_ids([params['deployment_id']], 'deployment_id'))
        if params['deployment_ids'] is not None:
            errors.append(check_deployment_ids(params['deployment_ids'], 'deployment_ids'))
        for option in ('certificate_port', 'api_key_port'):
            if not 1 <= params[option] <= 65535:
                errors.append('%s: %d is not a TCP port; give a number from 1 to 65535' % (option, params[option]))
        return errors

    def execute(self):
        params = self.params
        if params['deployment_id'] is not None:
            ids = [params['deployment_id']]
        elif params['deployment_ids'] is not None:
            ids = list(dict.fromkeys(params['deployment_ids']))  # without duplicates, in order
        else:
            ids = self.search(params['name'])
        self.result['deployments'] = [deployment_view(d, params['certificate_port'], params['api_key_port'])
                                      for d in self.read(ids)]

    def search(self, name):
        """IDs of every deployment, or of those named ``name``, following the search cursor."""
        query = {'match': {'name': {'query': name, 'operator': 'and'}}} if name is not None else {'match_all': {}}
        body = {'query': query, 'size': SEARCH_PAGE_SIZE}
        ids, cursors, returned, match_count = [], set(), 0, None
        while True:
            page = self.client.request('POST', '%s/deployments/_search' % API_PREFIX, 'search deployments', body=body,
                                       write=False)[1] or {}
            hits = page.get('deployments') or []
            returned += len(hits)
            match_count = page.get('match_count', match_count)
            # the match query is analysed: keep exact names only
            ids.extend(d['id'] for d in hits if name is None or d.get('name') == name)
            cursor = page.get('cursor')
            if not hits or not cursor or cursor in cursors:
                break
            cursors.add(cursor)
            body = {'cursor': cursor}
        if match_count is not None and returned < match_count:
            self.module.warn('the deployment search returned %d of the %d deployments that matched and no cursor to '
                             'read the others; give deployment_ids to read a deployment that is missing' % (returned, match_count))
        return list(dict.fromkeys(ids))

    def read(self, ids):
        """One GET per deployment, concurrently over the module's one session; the first failure (in order) is raised."""
        def get(deployment_id):
            return self.client.get_deployment(deployment_id, show_settings=True, show_metadata=True, show_plans=True)[0]

        if len(ids) <= 1:
            return [get(i) for i in ids]
        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(ids))) as pool:
            futures = [pool.submit(get, i) for i in ids]
            return [future.result() for future in futures]


def main():
    DeploymentInfo(dict(
        deployment_id=dict(type='str'),
        deployment_ids=dict(type='list', elements='str'),
        name=dict(type='str'),
        certificate_port=dict(type='int', default=9300),
        api_key_port=dict(type='int', default=9443, no_log=False),
    ), mutually_exclusive=[('deployment_id', 'deployment_ids', 'name')]).run()


if __name__ == '__main__':
    main()
