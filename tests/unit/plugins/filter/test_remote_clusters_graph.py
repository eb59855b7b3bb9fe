# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter remote_clusters_graph: who trusts whom and which remote clusters are connected."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ece.remote_clusters.plugins.filter.remote_clusters_graph import FilterModule, remote_clusters_graph
from ansible_collections.ece.remote_clusters.plugins.module_utils import _common

ENV_ID = {'ece-a': 'a1' * 16, 'ece-b': 'b2' * 16}
ACCOUNT = {'ece-a': 'aa' * 16, 'ece-b': 'bb' * 16}
CLUSTER = {'search-a': '5a' * 16, 'data-b': 'db' * 16, 'old-b': '0b' * 16}
DEPLOYMENT = {'search-a': 'd5' * 16, 'data-b': 'dd' * 16, 'old-b': 'd0' * 16}
REL_ID = {('ece-a', 'ece-b'): '1b' * 16, ('ece-b', 'ece-a'): '1a' * 16}
# the filter compares certificates as PEM text when they do not parse as certificates
CERTIFICATE = dict((name, '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' % name) for name in ('ece-a', 'ece-b', 'someone-else'))


def certificate(name):
    return CERTIFICATE[name]


def deployment(name, env, version, trust):
    """One item of ece_deployment_info's ``deployments`` (the keys the graph reads)."""
    return {'id': DEPLOYMENT[name], 'name': name,
            'elasticsearch': [{'ref_id': 'main-elasticsearch', 'cluster_id': CLUSTER[name], 'version': version, 'running_version': version,
                               'trust': trust, 'account_id': ACCOUNT[env], 'endpoint': '%s.%s.example.com' % (CLUSTER[name], env)}]}


def relationships(env, *others):
    """ece_trust_relationship_info of ``env``, which trusts ``others``."""
    local = {'id': 'l0' + env[-1] * 30, 'name': env, 'local': True, 'account_ids': [ACCOUNT[env]], 'installation_id': ENV_ID[env],
             'certificate': certificate(env)}
    return {'changed': False, 'local': local,
            'trust_relationships': [local] + [{'id': REL_ID[(env, other)], 'name': other, 'local': False, 'account_ids': [ACCOUNT[other]],
                                               'installation_id': ENV_ID[other], 'certificate': certificate(other)} for other in others]}


def external_trust(env, other, allowlist):
    return {'accounts': [{'account_id': ACCOUNT[env], 'trust_all': True}],
            'external': [{'trust_relationship_id': REL_ID[(env, other)], 'trust_all': False, 'trust_allowlist': allowlist}]}


def outcome(name, local, remote, connected=True, status='ok', model='certificate'):
    return {'name': name, 'alias': name.replace('-', '_'), 'model': model, 'status': status, 'connected': connected,
            'local': {'environment': local[0], 'deployment_id': DEPLOYMENT[local[1]], 'deployment_name': local[1]},
            'remote': {'environment': remote[0], 'deployment_id': DEPLOYMENT[remote[1]], 'deployment_name': remote[1]}}


def world():
    """ece-a/search-a -> ece-b/data-b (external allowlist both ways) and ece-b/old-b -> ece-b/data-b (accounts)."""
    environments = {'ece-a': relationships('ece-a', 'ece-b'), 'ece-b': relationships('ece-b', 'ece-a')}
    data_b_trust = external_trust('ece-b', 'ece-a', [CLUSTER['search-a']])
    deployments = {
        'ece-a': {'changed': False, 'deployments': [deployment('search-a', 'ece-a', '8.14.3', external_trust('ece-a', 'ece-b', [CLUSTER['data-b']]))]},
        'ece-b': {'changed': False, 'deployments': [deployment('data-b', 'ece-b', '8.15.1', data_b_trust),
                                                    deployment('old-b', 'ece-b', '7.17.25', {'accounts': [{'account_id': ACCOUNT['ece-b'],
                                                                                                           'trust_allowlist': [CLUSTER['data-b']]}]})]},
    }
    outcomes = [outcome('search-a-to-data-b', ('ece-a', 'search-a'), ('ece-b', 'data-b')),
                outcome('old-b-to-data-b', ('ece-b', 'old-b'), ('ece-b', 'data-b'), connected=False, status='failed')]
    return outcomes, environments, deployments


def test_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {'remote_clusters_graph': remote_clusters_graph}


def test_nodes_are_the_environments_and_deployments_with_identifiers_for_diagrams():
    graph = remote_clusters_graph(*world())
    assert graph['environments'] == [
        {'name': 'ece-a', 'key': 'ece_a', 'environment_id': 'a1' * 16, 'proxy_key': 'ece_a__proxy_ca', 'proxy_trusted': False},
        {'name': 'ece-b', 'key': 'ece_b', 'environment_id': 'b2' * 16, 'proxy_key': 'ece_b__proxy_ca', 'proxy_trusted': False}]
    assert [(d['key'], d['cluster_id'], d['version']) for d in graph['deployments']] == [
        ('ece_a__search_a', CLUSTER['search-a'], '8.14.3'), ('ece_b__data_b', CLUSTER['data-b'], '8.15.1'),
        ('ece_b__old_b', CLUSTER['old-b'], '7.17.25')]


def test_remote_cluster_edges_carry_alias_model_and_connection():
    graph = remote_clusters_graph(*world())
    assert graph['remote_clusters'] == [
        {'from': 'ece_a__search_a', 'to': 'ece_b__data_b', 'link': 'search-a-to-data-b', 'alias': 'search_a_to_data_b',
         'model': 'certificate', 'status': 'ok', 'connected': True, 'replication': None},
        {'from': 'ece_b__old_b', 'to': 'ece_b__data_b', 'link': 'old-b-to-data-b', 'alias': 'old_b_to_data_b',
         'model': 'certificate', 'status': 'failed', 'connected': False, 'replication': None}]


def test_remote_cluster_edges_count_the_followers_patterns_and_problems_of_the_replication_through_the_alias():
    outcomes, environments, deployments = world()
    outcomes[0]['replication'] = {'followers': [{'follower_index': 'a'}, {'follower_index': 'b'}], 'auto_follow_patterns': [],
                                  'problems': [{'problem': 'follower_paused', 'side': 'local', 'message': 'Follower b ... is paused'}]}
    outcomes[1]['replication'] = {'failed': True, 'msg': 'HTTP 403', 'problems': [{'problem': 'replication_unreadable'}]}
    edges = remote_clusters_graph(outcomes, environments, deployments)['remote_clusters']
    assert [e['replication'] for e in edges] == [{'followers': 2, 'auto_follow_patterns': 0, 'problems': 1},
                                                 {'followers': 0, 'auto_follow_patterns': 0, 'problems': 1}]


def test_platform_trust_is_verified_against_what_the_trusted_environment_states():
    outcomes, environments, deployments = world()
    environments['ece-b']['trust_relationships'][1]['certificate'] = certificate('someone-else')
    edges = remote_clusters_graph(outcomes, environments, deployments)['platform_trust']
    assert [(e['from'], e['to'], e['relationship'], e['known'], e['verified']) for e in edges] == [
        ('ece-a', 'ece-b', 'ece-b', True, True), ('ece-b', 'ece-a', 'ece-a', True, False)]


def test_a_relationship_for_an_environment_outside_the_graph_is_an_unknown_edge():
    outcomes, environments, deployments = world()
    environments['ece-a']['trust_relationships'][1]['installation_id'] = 'ff' * 16
    edges = remote_clusters_graph(outcomes, environments, deployments)['platform_trust']
    assert edges[0] == {'from': 'ece-a', 'to': 'ff' * 16, 'relationship': 'ece-b', 'relationship_id': REL_ID[('ece-a', 'ece-b')],
                        'known': False, 'verified': False}


def test_deployment_trust_edges_follow_accounts_and_external_entries():
    graph = remote_clusters_graph(*world())
    edges = set((e['from'], e['to'], e['via'], e['scope'], e['linked']) for e in graph['deployment_trust'])
    assert edges == {
        ('ece_a__search_a', 'ece_b__data_b', 'external', 'allowlist', True),
        ('ece_b__data_b', 'ece_a__search_a', 'external', 'allowlist', True),
        ('ece_b__data_b', 'ece_b__old_b', 'accounts', 'all', True),
        ('ece_b__old_b', 'ece_b__data_b', 'accounts', 'allowlist', True),
    }


def test_an_allowlist_without_the_cluster_id_draws_no_trust_edge():
    outcomes, environments, deployments = world()
    deployments['ece-b']['deployments'][0]['elasticsearch'][0]['trust'] = external_trust('ece-b', 'ece-a', [DEPLOYMENT['search-a']])
    edges = [(e['from'], e['to']) for e in remote_clusters_graph(outcomes, environments, deployments)['deployment_trust']]
    assert ('ece_b__data_b', 'ece_a__search_a') not in edges
    assert ('ece_a__search_a', 'ece_b__data_b') in edges


def test_failed_reads_leave_out_their_edges_but_keep_the_links():
    outcomes, environments, deployments = world()
    environments['ece-b'] = {'failed': True, 'msg': 'HTTP 500'}
    deployments['ece-a'] = {'failed': True, 'msg': 'HTTP 500'}
    graph = remote_clusters_graph(outcomes, environments, deployments)
    assert [(e['from'], e['to']) for e in graph['platform_trust']] == [('ece-a', 'b2' * 16)]
    assert len(graph['remote_clusters']) == 2
    search_a = [d for d in graph['deployments'] if d['key'] == 'ece_a__search_a'][0]
    assert search_a['cluster_id'] is None  # known from the link only
    assert not [e for e in graph['deployment_trust'] if 'ece_a__search_a' in (e['from'], e['to'])]


def test_the_input_must_be_the_list_of_outcomes():
    with pytest.raises(AnsibleFilterError, match='list of link outcomes'):
        remote_clusters_graph({'links': []})


def test_a_deployment_shows_its_first_resource_and_the_version_it_runs_as_module_utils_reads_them():
    outcomes, environments, deployments = world()
    resources = deployments['ece-b']['deployments'][0]['elasticsearch']
    resources[0]['running_version'] = None  # stopped: the version of its plan
    resources.append(dict(resources[0], ref_id='second-elasticsearch', cluster_id='5e' * 16, running_version='8.16.0'))
    node = [d for d in remote_clusters_graph(outcomes, environments, deployments)['deployments'] if d['key'] == 'ece_b__data_b'][0]
    first = _common.pick_resource(resources)
    assert (node['cluster_id'], node['version']) == (first['cluster_id'], _common.view_version(first)) == (CLUSTER['data-b'], '8.15.1')


def test_a_direct_entry_of_type_proxy_is_trust_of_the_environment_whose_proxy_chain_holds_its_certificate():
    outcomes, environments, deployments = world()
    search_a = deployments['ece-a']['deployments'][0]['elasticsearch'][0]
    search_a['trust']['direct'] = [
        {'name': 'ece-b-proxy', 'type': 'proxy', 'certificates': [{'pem': certificate('ece-b')}]},
        {'name': 'elsewhere', 'type': 'proxy', 'certificates': [{'pem': certificate('someone-else')}]},
        {'name': 'a-ca', 'type': 'generic', 'certificates': [{'pem': certificate('ece-b')}]}]
    graph = remote_clusters_graph(outcomes, environments, deployments,
                                  proxies={'ece-b': {'chain': [certificate('ece-b')]}, 'ece-a': {'failed': True}})
    assert graph['proxy_trust'] == [{'from': 'ece_a__search_a', 'to': 'ece-b', 'entry': 'ece-b-proxy', 'known': True},
                                    {'from': 'ece_a__search_a', 'to': 'elsewhere', 'entry': 'elsewhere', 'known': False}]
    assert [e['proxy_trusted'] for e in graph['environments']] == [False, True]
