# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter ``remote_clusters_graph``: who trusts whom and which remote clusters are connected."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: remote_clusters_graph
short_description: The trust and remote-cluster graph of a set of links
version_added: 1.0.0
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
description:
  - Builds, from the outcomes of the links of role ece.remote_clusters.remote_clusters and from what the read-only
    modules return about the environments and deployments, a graph of who trusts whom and which remote clusters are
    connected. The role renders it as a Mermaid diagram and as Graphviz DOT.
  - Platform trust edges go from an environment to each environment it has a trust relationship for; an edge is
    V(verified) when the relationship holds the environment ID and CA certificate that the trusted environment states
    for itself (read from both sides).
  - Deployment trust edges go from a deployment to every deployment of the graph it trusts, through an C(accounts) entry
    (same environment) or an C(external) entry (another environment), with C(trust_all) or the trustee's cluster ID in
    the allowlist.
  - Remote-cluster edges go from the local to the remote deployment of each link, with its alias, model and whether it
    is connected.
  - Proxy-CA trust edges (the API-key model) go from a deployment to the environment whose proxy CA one of its C(direct)
    trust entries of type C(proxy) holds, found by comparing the certificates with each environment's proxy chain.
positional: _input
options:
  _input:
    description:
      - The link outcomes, each a dictionary with C(name), C(alias), C(model), C(status), C(connected), and C(local) and
        C(remote) (each with C(environment), C(deployment_id) and optionally C(deployment_name)).
      - Optionally C(replication), the cross-cluster replication through the link's alias (C(followers),
        C(auto_follow_patterns) and C(problems), lists).
    type: list
    elements: dict
    required: true
  environments:
    description:
      - Per environment name, the result of M(ece.remote_clusters.ece_trust_relationship_info) with certificates.
      - An environment whose read failed or is missing has no platform trust edges.
    type: dict
    default: {}
  deployments:
    description:
      - Per environment name, the result of M(ece.remote_clusters.ece_deployment_info) for the deployments of the links
        (or its C(deployments) list).
    type: dict
    default: {}
  proxies:
    description:
      - Per environment name, the result of M(ece.remote_clusters.ece_tls_certificate_info) with C(service=proxy) (or its
        C(chain)), to tell whose proxy CA a C(direct) trust entry of type C(proxy) holds.
      - Without it, such an entry is an edge to an unknown environment, named after the entry.
    type: dict
    default: {}
    version_added: 1.0.0
'''

EXAMPLES = r'''
- name: Build the graph of the links
  ansible.builtin.set_fact:
    graph: "{{ outcomes | ece.remote_clusters.remote_clusters_graph(environments=trust_by_environment, deployments=deployments_by_environment) }}"
'''

RETURN = r'''
_value:
  description: The graph.
  type: dict
  contains:
    environments:
      description:
        - The environments, each with C(name), C(key) (an identifier for diagrams), C(environment_id), C(proxy_key) (an
          identifier for its proxy CA in diagrams) and C(proxy_trusted) (whether a deployment of the graph trusts its
          proxy CA).
      type: list
      elements: dict
    deployments:
      description:
        - The deployments of the links, each with C(key), C(environment), C(id), C(name), C(cluster_id) and C(version).
      type: list
      elements: dict
    platform_trust:
      description:
        - Edges C(from) an environment C(to) an environment it trusts (names), with C(relationship) (its name), C(verified)
          (environment ID and certificate as the trusted environment states them) and C(known) (whether the trusted
          environment is one of the graph's).
      type: list
      elements: dict
    deployment_trust:
      description:
        - Edges C(from) a deployment C(to) a deployment it trusts (keys), with C(via) (V(accounts) or V(external)),
          C(scope) (V(all) or V(allowlist)), C(linked) (whether a link connects the two deployments, in either direction)
          and C(mutual) (whether the trustee trusts the truster too).
      type: list
      elements: dict
    remote_clusters:
      description:
        - Edges C(from) the local C(to) the remote deployment (keys), with C(link), C(alias), C(model), C(status) and C(connected).
        - And C(replication), null for a link whose outcome has no C(replication), else the numbers of its C(followers),
          its C(auto_follow_patterns) and its C(problems) (the cross-cluster replication through the alias).
      type: list
      elements: dict
    proxy_trust:
      description:
        - Edges C(from) a deployment (key) C(to) the environment (name) whose proxy CA it trusts through the C(direct) trust
          entry C(entry) of type C(proxy), with C(known) (whether that environment is one of the graph's; when not, C(to)
          is the entry's name).
      type: list
      elements: dict
      version_added: 1.0.0
'''

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.ece.remote_clusters.plugins.module_utils._common import pick_resource, same_certificate, trust_scope, view_version


def _key(*parts):
    return re.sub(r'[^A-Za-z0-9_]', '_', '__'.join(str(p) for p in parts))


def _usable(value):
    return isinstance(value, dict) and not value.get('failed') and not value.get('skipped')


def _chain(value):
    """The PEMs of a proxy chain: ece_tls_certificate_info's result, or its chain."""
    if isinstance(value, list):
        return value
    return (value.get('chain') or []) if _usable(value) else []


def _deployment_items(value):
    if isinstance(value, list):
        return value
    if _usable(value):
        return value.get('deployments') or []
    return []


def _replication(value):
    """What a remote-cluster edge shows of the replication through its alias: how many followers, patterns and problems."""
    if not isinstance(value, dict):
        return None
    return dict((key, len(value.get(key) or [])) for key in ('followers', 'auto_follow_patterns', 'problems'))


class Graph:
    def __init__(self, outcomes, environments, deployments, proxies=None):
        if not isinstance(outcomes, list):
            raise AnsibleFilterError('remote_clusters_graph: the input must be the list of link outcomes')
        self.outcomes = [o for o in outcomes if isinstance(o, dict)]
        self.trust = dict((name, value) for name, value in (environments or {}).items() if _usable(value))
        self.deployment_reads = dict((name, _deployment_items(value)) for name, value in (deployments or {}).items())
        self.proxies = dict((name, _chain(value)) for name, value in (proxies or {}).items())
        self.nodes = {}
        self.node_order = []

    # -- nodes ---------------------------------------------------------------------------------------
    def environment_names(self):
        names = []
        for outcome in self.outcomes:
            for side in ('local', 'remote'):
                env = (outcome.get(side) or {}).get('environment')
                if env and env not in names:
                    names.append(env)
        for name in list(self.trust) + list(self.deployment_reads):
            if name not in names:
                names.append(name)
        return names

    def environment_id(self, name):
        return ((self.trust.get(name) or {}).get('local') or {}).get('installation_id')

    def add_node(self, environment, deployment_id, name=None, cluster=None):
        found = self.find_node(environment, deployment_id, name)
        if found:
            return found
        label = name or deployment_id or 'unknown'
        node = {'key': _key(environment, label), 'environment': environment, 'id': deployment_id, 'name': label,
                'cluster_id': (cluster or {}).get('cluster_id'), 'version': view_version(cluster),
                'account_id': (cluster or {}).get('account_id'), 'trust': (cluster or {}).get('trust') or {}}
        self.nodes[node['key']] = node
        self.node_order.append(node['key'])
        return node

    def find_node(self, environment, deployment_id, name=None):
        for key in self.node_order:
            node = self.nodes[key]
            if node['environment'] != environment:
                continue
            if (deployment_id and node['id'] == deployment_id) or (not deployment_id and name and node['name'] == name):
                return node
        return None

    def build_nodes(self):
        for environment, items in self.deployment_reads.items():
            for deployment in items:
                self.add_node(environment, deployment.get('id'), deployment.get('name'), pick_resource(deployment.get('elasticsearch')))
        for outcome in self.outcomes:
            for side in ('local', 'remote'):
                data = outcome.get(side) or {}
                if data.get('environment'):
                    self.add_node(data['environment'], data.get('deployment_id'), data.get('deployment_name'))

    # -- edges ---------------------------------------------------------------------------------------
    def platform_trust(self):
        by_id = dict((self.environment_id(name), name) for name in self.trust if self.environment_id(name))
        edges = []
        for name, info in self.trust.items():
            for relationship in info.get('trust_relationships') or []:
                if relationship.get('local'):
                    continue
                target = by_id.get(relationship.get('installation_id'))
                verified = bool(target) and (relationship.get('certificate') is None or same_certificate(
                    relationship.get('certificate'), ((self.trust[target].get('local') or {}).get('certificate'))))
                edges.append({'from': name, 'to': target or relationship.get('installation_id') or relationship.get('name'),
                              'relationship': relationship.get('name'), 'relationship_id': relationship.get('id'),
                              'known': bool(target), 'verified': verified})
        return edges

    def deployment_trust(self):
        edges = []
        relationship_targets = {}
        by_id = dict((self.environment_id(name), name) for name in self.trust if self.environment_id(name))
        for name, info in self.trust.items():
            for relationship in info.get('trust_relationships') or []:
                if not relationship.get('local'):
                    relationship_targets[(name, relationship.get('id'))] = by_id.get(relationship.get('installation_id'))
        for truster_key in self.node_order:
            truster = self.nodes[truster_key]
            for trustee_key in self.node_order:
                trustee = self.nodes[trustee_key]
                if trustee_key == truster_key:
                    continue
                edge = self.trust_edge(truster, trustee, relationship_targets)
                if edge:
                    edges.append(dict(edge, **{'from': truster_key, 'to': trustee_key}))
        return edges

    def trust_edge(self, truster, trustee, relationship_targets):
        trust = truster['trust']
        if trustee['environment'] == truster['environment']:
            for entry in trust.get('accounts') or []:
                if trustee['account_id'] and entry.get('account_id') != trustee['account_id']:
                    continue
                scope = trust_scope(entry, trustee['cluster_id'])
                if scope:
                    return {'via': 'accounts', 'scope': scope}
            return None
        for entry in trust.get('external') or []:
            if relationship_targets.get((truster['environment'], entry.get('trust_relationship_id'))) != trustee['environment']:
                continue
            scope = trust_scope(entry, trustee['cluster_id'])
            if scope:
                return {'via': 'external', 'scope': scope}
        return None

    def remote_clusters(self):
        edges = []
        for outcome in self.outcomes:
            local, remote = outcome.get('local') or {}, outcome.get('remote') or {}
            if not (local.get('environment') and remote.get('environment')):
                continue
            source = self.find_node(local['environment'], local.get('deployment_id'), local.get('deployment_name'))
            target = self.find_node(remote['environment'], remote.get('deployment_id'), remote.get('deployment_name'))
            edges.append({'from': source['key'], 'to': target['key'], 'link': outcome.get('name'), 'alias': outcome.get('alias'),
                          'model': outcome.get('model'), 'status': outcome.get('status'), 'connected': bool(outcome.get('connected')),
                          'replication': _replication(outcome.get('replication'))})
        return edges

    def proxy_trust(self):
        """Edges from a deployment to each environment whose proxy CA a direct trust entry of type proxy of it holds."""
        edges = []
        for key in self.node_order:
            for entry in self.nodes[key]['trust'].get('direct') or []:
                if entry.get('type') != 'proxy':
                    continue
                pems = [c.get('pem') if isinstance(c, dict) else c for c in entry.get('certificates') or []]
                target = next((name for name, chain in self.proxies.items()
                               if any(same_certificate(pem, link) for pem in pems for link in chain)), None)
                edges.append({'from': key, 'to': target or entry.get('name'), 'entry': entry.get('name'), 'known': bool(target)})
        return edges

    def build(self):
        self.build_nodes()
        proxy_trust = self.proxy_trust()
        trusted = set(edge['to'] for edge in proxy_trust if edge['known'])
        environments = [{'name': name, 'key': _key(name), 'environment_id': self.environment_id(name), 'proxy_key': _key(name, 'proxy_ca'),
                         'proxy_trusted': name in trusted} for name in self.environment_names()]
        deployment_trust = self.deployment_trust()
        linked = set()
        for edge in self.remote_clusters():
            linked.update([(edge['from'], edge['to']), (edge['to'], edge['from'])])
        pairs = set((edge['from'], edge['to']) for edge in deployment_trust)
        for edge in deployment_trust:
            edge['linked'] = (edge['from'], edge['to']) in linked
            edge['mutual'] = (edge['to'], edge['from']) in pairs
        deployments = [dict((k, v) for k, v in self.nodes[key].items() if k not in ('trust', 'account_id')) for key in self.node_order]
        return {'environments': environments, 'deployments': deployments, 'platform_trust': self.platform_trust(),
                'deployment_trust': deployment_trust, 'remote_clusters': self.remote_clusters(), 'proxy_trust': proxy_trust}


def remote_clusters_graph(outcomes, environments=None, deployments=None, proxies=None):
    """Who trusts whom and which remote clusters are connected (see DOCUMENTATION)."""
    return Graph(outcomes, environments, deployments, proxies).build()


class FilterModule(object):
    def filters(self):
        return {'remote_clusters_graph': remote_clusters_graph}
