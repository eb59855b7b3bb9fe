# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter ``link_shards``: split links into shards that share no deployment, for parallel rollouts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: link_shards
short_description: Split links into shards that share no deployment, for rollouts that run in parallel
version_added: 1.0.0
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
description:
  - Splits the links of an inventory (the format of the variable C(remote_clusters_links) of the role
    ece.remote_clusters.remote_clusters) into shards, so that two links that touch one deployment are always in the same
    shard. The shards are the connected components of the graph whose nodes are deployments and whose edges are links,
    so they are as small as that rule allows.
  - One rollout per shard can then run at the same time as the others (for example one job per shard in an Ansible
    Automation Platform workflow) and no deployment is written by two rollouts at once. ECE writes a deployment's trust
    settings as a whole, without a version check, so two jobs that write one deployment at once could undo each other.
  - Environment-level objects (the platform trust relationships between environments) are shared by shards; create them
    once before the shards run (playbook C(fleet_platform_trust.yml)).
  - A deployment is known by its environment and its C(deployment_id), or by its C(deployment_name) when the link gives no
    ID. When one environment's links name some deployments by name and others by ID, the filter cannot tell whether they
    are the same deployment and refuses, unless O(deployments) maps those names to IDs.
  - The filter sends no request.
positional: _input
options:
  _input:
    description:
      - The links, each a dictionary with C(name) (default its C(alias)), and C(local) and C(remote), each with
        C(environment) and C(deployment_id) or C(deployment_name). Other keys are ignored.
    type: list
    elements: dict
    required: true
  deployments:
    description:
      - Per environment name, the result of M(ece.remote_clusters.ece_deployment_info) (or its C(deployments) list), used to
        turn deployment names into IDs.
    type: dict
    default: {}
  prefix:
    description: Prefix of the shard names, which are numbered from 1 in the order of the links.
    type: str
    default: shard_
'''

EXAMPLES = r'''
- name: Plan the shards of the inventory's links
  ansible.builtin.set_fact:
    plan: "{{ remote_clusters_links | ece.remote_clusters.link_shards }}"

- name: Say how much a fleet of links can run in parallel
  ansible.builtin.debug:
    msg: "{{ plan.shards | length }} shards; the largest, {{ plan.largest.name }}, has {{ plan.largest.links }} links"

- name: Roll out the second shard only
  ansible.builtin.include_role:
    name: ece.remote_clusters.remote_clusters
  vars:
    remote_clusters_link_names: "{{ plan.shards[1].links }}"
'''

RETURN = r'''
_value:
  description: The shards.
  type: dict
  contains:
    shards:
      description:
        - The shards, in the order of their first link. Each has C(name) (C(shard_1), C(shard_2), ...), C(links) (the names
          of its links, in the order of the input), C(deployments) (C(<environment>/<deployment ID or name>), sorted) and
          C(environments) (sorted).
      type: list
      elements: dict
    largest:
      description:
        - The shard with the most links (the first one of them), with C(name), C(links) and C(deployments) (their
          numbers). It bounds how much a fleet rollout gains from running shards in parallel, for example when one hub
          deployment is linked to every other one. V(null) when there is no link.
      type: dict
'''

from ansible.errors import AnsibleFilterError

_SIDES = ('local', 'remote')


def _deployment_items(value):
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and not value.get('failed') and not value.get('skipped'):
        return value.get('deployments') or []
    return []


def _ids_by_name(deployments):
    """``{(environment, name): id}`` from the deployment reads, for names that name exactly one deployment."""
    found = {}
    for environment, value in (deployments or {}).items():
        for item in _deployment_items(value):
            if isinstance(item, dict) and item.get('name') and item.get('id'):
                found.setdefault((environment, item['name']), set()).add(item['id'])
    return dict((key, ids.pop()) for key, ids in found.items() if len(ids) == 1)


def _side(link, side, label):
    data = link.get(side)
    if not isinstance(data, dict) or not data.get('environment') or not (data.get('deployment_id') or data.get('deployment_name')):
        raise AnsibleFilterError('link_shards: %s: %s must name its environment and its deployment_id or deployment_name' % (label, side))
    return data


def _node(data, ids_by_name):
    environment = data['environment']
    deployment_id = data.get('deployment_id') or ids_by_name.get((environment, data.get('deployment_name')))
    if deployment_id:
        return (environment, 'id', deployment_id)
    return (environment, 'name', data['deployment_name'])


def _refuse_ambiguous(nodes):
    by_environment = {}
    for environment, kind, value in nodes:
        by_environment.setdefault(environment, {}).setdefault(kind, []).append(value)
    for environment in sorted(by_environment):
        kinds = by_environment[environment]
        if 'id' in kinds and 'name' in kinds:
            raise AnsibleFilterError(
                'link_shards: the links of environment %s name deployments by name (%s) and others by ID; the filter cannot '
                'tell whether they are the same deployment. Name each deployment one way, or pass deployments= with the '
                'result of ece.remote_clusters.ece_deployment_info for that environment' % (environment, ', '.join(sorted(set(kinds['name'])))))


class _Components:
    """Union-find over deployments."""

    def __init__(self):
        self.parent = {}

    def find(self, node):
        self.parent.setdefault(node, node)
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, first, second):
        self.parent[self.find(first)] = self.find(second)


def link_shards(links, deployments=None, prefix='shard_'):
    """Connected components of the link graph (see DOCUMENTATION)."""
    if not isinstance(links, list) or not all(isinstance(link, dict) for link in links):
        raise AnsibleFilterError('link_shards: the input must be the list of links (dictionaries), as remote_clusters_links holds them')
    ids_by_name = _ids_by_name(deployments)
    components = _Components()
    named = []
    seen = set()
    for index, link in enumerate(links):
        name = link.get('name') or link.get('alias')
        label = 'link %s' % (name or '#%d' % (index + 1))
        if not name:
            raise AnsibleFilterError('link_shards: %s has neither name nor alias' % label)
        if name in seen:
            raise AnsibleFilterError('link_shards: two links have the name %s (or alias, without a name); give each link a name of its own' % name)
        local, remote = (_node(_side(link, side, label), ids_by_name) for side in _SIDES)
        components.union(local, remote)
        seen.add(name)
        named.append((name, local, remote))
    _refuse_ambiguous([node for item in named for node in item[1:]])
    shards = []
    by_root = {}
    for name, local, remote in named:
        root = components.find(local)
        if root not in by_root:
            by_root[root] = {'name': '%s%d' % (prefix, len(shards) + 1), 'links': [], 'nodes': set()}
            shards.append(by_root[root])
        by_root[root]['links'].append(name)
        by_root[root]['nodes'].update([local, remote])
    result = []
    for shard in shards:
        result.append({'name': shard['name'], 'links': shard['links'],
                       'deployments': sorted('%s/%s' % (node[0], node[2]) for node in shard['nodes']),
                       'environments': sorted(set(node[0] for node in shard['nodes']))})
    largest = None
    for shard in result:
        if largest is None or len(shard['links']) > largest['links']:
            largest = {'name': shard['name'], 'links': len(shard['links']), 'deployments': len(shard['deployments'])}
    return {'shards': result, 'largest': largest}


class FilterModule(object):
    def filters(self):
        return {'link_shards': link_shards}
