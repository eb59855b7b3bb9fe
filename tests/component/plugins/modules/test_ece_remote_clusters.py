# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ece_remote_clusters against the simulator: search-a (ece-a) gets remote clusters in its own environment."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

MODULE = 'ece_remote_clusters'
REF_ID = 'main-elasticsearch'


def gets(sim):
    return [r for r in sim.requests() if r['method'] == 'GET']


def list_path(deployment_id, ref_id=REF_ID):
    return '/api/v1/deployments/%s/elasticsearch/%s/remote-clusters' % (deployment_id, ref_id)


@pytest.fixture
def ids(conn):
    return dict((name, conn.deployment('ece-a', name)['id']) for name in ('search-a', 'logs-a', 'legacy-a'))


def entry(alias, deployment_id, skip_unavailable=False, ref_id=REF_ID):
    return {'alias': alias, 'deployment_id': deployment_id, 'elasticsearch_ref_id': ref_id, 'skip_unavailable': skip_unavailable}


def args_for(conn, ids, remote_clusters, **extra):
    return conn.ece('ece-a', deployment_id=ids['search-a'], remote_clusters=remote_clusters, **extra)


def api_list(sim, deployment_id):
    """The list as the ECE API returns it now, read directly (not through the module)."""
    env = sim.info['environments']['ece-a']
    response = requests.get(env['ece_url'] + list_path(deployment_id), headers=sim.ece_headers('ece-a'),
                            verify=sim.info['ca_bundle'], timeout=10)
    assert response.status_code == 200, response.text
    return response.json()['resources']


def seed(sim, deployment_id, resources):
    """Set the list directly through the ECE API, as another tool or a user in the UI would, then clear the log."""
    env = sim.info['environments']['ece-a']
    response = requests.put(env['ece_url'] + list_path(deployment_id), json={'resources': resources},
                            headers=sim.ece_headers('ece-a'), verify=sim.info['ca_bundle'], timeout=10)
    assert response.status_code == 202, response.text
    sim.clear_log()


def without_info(items):
    return [dict((k, v) for k, v in item.items() if k != 'info') for item in items]


def test_check_mode_on_a_new_alias_predicts_a_change_and_sends_no_write(sim, conn, run_module, ids):
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a']}]), check_mode=True)
    assert result['changed'] is True
    assert result['remote_clusters'] == [entry('logs', ids['logs-a'])]
    assert sim.requests(write=True) == []
    assert api_list(sim, ids['search-a']) == []


def test_adding_an_alias_puts_the_whole_list_once(sim, conn, run_module, ids):
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a'], 'skip_unavailable': True}]))
    assert result['changed'] is True
    [put] = sim.requests(write=True)
    assert (put['method'], put['path'], put['status']) == ('PUT', list_path(ids['search-a']), 202)
    assert put['body'] == {'resources': [entry('logs', ids['logs-a'], skip_unavailable=True)]}
    assert without_info(api_list(sim, ids['search-a'])) == [entry('logs', ids['logs-a'], skip_unavailable=True)]
    assert result['ref_id'] == REF_ID
    assert without_info(result['remote_clusters']) == [entry('logs', ids['logs-a'], skip_unavailable=True)]


def test_the_result_after_a_write_carries_the_api_s_info(sim, conn, run_module, ids):
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a']}]))
    [item] = result['remote_clusters']
    assert set(item['info']) == {'healthy', 'connected', 'compatible', 'trusted', 'trusted_back'}


def test_a_second_identical_run_changes_nothing_and_only_reads(sim, conn, run_module, ids):
    args = args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a']}])
    run_module(MODULE, args)
    sim.clear_log()
    result = run_module(MODULE, args)
    assert result['changed'] is False
    assert sim.requests(write=True) == []
    assert len(gets(sim)) <= 3
    assert without_info(result['remote_clusters']) == [entry('logs', ids['logs-a'])]


def test_check_mode_after_the_change_predicts_no_change(sim, conn, run_module, ids):
    args = args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a']}])
    run_module(MODULE, args)
    sim.clear_log()
    assert run_module(MODULE, args, check_mode=True)['changed'] is False
    assert sim.requests(write=True) == []


def test_without_ref_id_one_small_deployment_get_finds_the_first_elasticsearch_resource(sim, conn, run_module, ids):
    run_module(MODULE, args_for(conn, ids, []))
    first, second = gets(sim)
    assert first['path'] == '/api/v1/deployments/%s' % ids['search-a']
    assert first['query']['show_plans'] == 'false'
    assert first['query'].get('show_settings', 'false') == 'false'
    assert first['query'].get('show_metadata', 'false') == 'false'
    assert second['path'] == list_path(ids['search-a'])


def test_with_ref_id_only_the_list_is_read(sim, conn, run_module, ids):
    result = run_module(MODULE, args_for(conn, ids, [], ref_id=REF_ID))
    assert result['changed'] is False
    assert [(r['method'], r['path']) for r in sim.requests()] == [('GET', list_path(ids['search-a']))]


def test_diff_shows_the_list_before_and_after(sim, conn, run_module, ids):
    seed(sim, ids['search-a'], [entry('legacy', ids['legacy-a'])])
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a']}]), diff=True)
    assert result['diff'] == {
        'before': {'remote_clusters': [entry('legacy', ids['legacy-a'])]},
        'after': {'remote_clusters': [entry('legacy', ids['legacy-a']), entry('logs', ids['logs-a'])]},
    }


def test_nothing_unrelated_is_lost_when_an_alias_is_added(sim, conn, run_module, ids):
    seed(sim, ids['search-a'], [entry('legacy', ids['legacy-a'], skip_unavailable=True)])
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a']}]))
    assert result['changed'] is True
    [put] = sim.requests(write=True)
    assert put['body'] == {'resources': [entry('legacy', ids['legacy-a'], skip_unavailable=True), entry('logs', ids['logs-a'])]}
    assert all('info' not in item for item in put['body']['resources'])
    final = without_info(api_list(sim, ids['search-a']))
    assert final == [entry('legacy', ids['legacy-a'], skip_unavailable=True), entry('logs', ids['logs-a'])]
    assert without_info(result['remote_clusters']) == final


def test_a_changed_alias_is_updated_in_place_and_the_others_kept(sim, conn, run_module, ids):
    seed(sim, ids['search-a'], [entry('logs', ids['logs-a']), entry('legacy', ids['legacy-a'])])
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a'], 'skip_unavailable': True}]),
                        diff=True)
    assert result['changed'] is True
    [put] = sim.requests(write=True)
    assert put['body'] == {'resources': [entry('logs', ids['logs-a'], skip_unavailable=True), entry('legacy', ids['legacy-a'])]}
    assert result['diff']['before']['remote_clusters'][1]['skip_unavailable'] is False
    assert result['diff']['after']['remote_clusters'][1]['skip_unavailable'] is True


def test_an_alias_pointing_elsewhere_is_changed(sim, conn, run_module, ids):
    seed(sim, ids['search-a'], [entry('peer', ids['logs-a'])])
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'peer', 'deployment_id': ids['legacy-a']}]))
    assert result['changed'] is True
    assert without_info(api_list(sim, ids['search-a'])) == [entry('peer', ids['legacy-a'])]


def test_absent_removes_only_the_listed_alias(sim, conn, run_module, ids):
    seed(sim, ids['search-a'], [entry('logs', ids['logs-a']), entry('legacy', ids['legacy-a'])])
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs'}], state='absent'), diff=True)
    assert result['changed'] is True
    [put] = sim.requests(write=True)
    assert put['body'] == {'resources': [entry('legacy', ids['legacy-a'])]}
    assert without_info(api_list(sim, ids['search-a'])) == [entry('legacy', ids['legacy-a'])]
    assert result['diff']['after'] == {'remote_clusters': [entry('legacy', ids['legacy-a'])]}


def test_absent_in_check_mode_sends_no_write(sim, conn, run_module, ids):
    seed(sim, ids['search-a'], [entry('logs', ids['logs-a'])])
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs'}], state='absent'), check_mode=True)
    assert result['changed'] is True
    assert result['remote_clusters'] == []
    assert sim.requests(write=True) == []
    assert len(api_list(sim, ids['search-a'])) == 1


def test_absent_twice_is_no_change(sim, conn, run_module, ids):
    seed(sim, ids['search-a'], [entry('legacy', ids['legacy-a'])])
    args = args_for(conn, ids, [{'alias': 'logs'}], state='absent')
    result = run_module(MODULE, args)
    assert result['changed'] is False
    assert sim.requests(write=True) == []
    assert without_info(result['remote_clusters']) == [entry('legacy', ids['legacy-a'])]


def test_purge_makes_the_list_authoritative(sim, conn, run_module, ids):
    seed(sim, ids['search-a'], [entry('legacy', ids['legacy-a']), entry('old', ids['logs-a'])])
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a']}], purge=True))
    assert result['changed'] is True
    [put] = sim.requests(write=True)
    assert put['body'] == {'resources': [entry('logs', ids['logs-a'])]}
    assert without_info(api_list(sim, ids['search-a'])) == [entry('logs', ids['logs-a'])]


def test_purge_with_an_empty_list_removes_every_remote_cluster(sim, conn, run_module, ids):
    seed(sim, ids['search-a'], [entry('legacy', ids['legacy-a'])])
    result = run_module(MODULE, args_for(conn, ids, [], purge=True))
    assert result['changed'] is True
    assert [r['body'] for r in sim.requests(write=True)] == [{'resources': []}]
    assert api_list(sim, ids['search-a']) == []


def test_purge_with_the_same_list_in_another_order_is_no_change(sim, conn, run_module, ids):
    seed(sim, ids['search-a'], [entry('legacy', ids['legacy-a']), entry('logs', ids['logs-a'])])
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a']},
                                                     {'alias': 'legacy', 'deployment_id': ids['legacy-a']}], purge=True))
    assert result['changed'] is False
    assert sim.requests(write=True) == []


def test_a_remote_deployment_of_another_environment_fails_with_the_api_error(sim, conn, run_module, ids):
    other = conn.deployment('ece-b', 'data-b')['id']
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'data_b', 'deployment_id': other}]))
    assert result['failed'] is True
    assert 'deployments.deployment_remote_resource_not_found' in result['msg']
    assert api_list(sim, ids['search-a']) == []


def test_a_missing_local_deployment_fails_with_the_api_s_404(sim, conn, run_module, ids):
    result = run_module(MODULE, conn.ece('ece-a', deployment_id='0' * 32, remote_clusters=[]))
    assert result['failed'] is True
    assert result['status'] == 404
    assert 'deployments.deployment_not_found' in result['msg']


@pytest.mark.parametrize('alias', ['Logs', 'logs.a', 'logs a', '', 'logs:a'])
def test_a_bad_alias_fails_before_any_request(sim, conn, run_module, ids, alias):
    result = run_module(MODULE, args_for(conn, ids, [{'alias': alias, 'deployment_id': ids['logs-a']}]))
    assert result['failed'] is True
    assert 'remote_clusters[0].alias' in result['msg'] and 'not a valid remote cluster alias' in result['msg']
    assert sim.requests() == []


@pytest.mark.parametrize('deployment_id', ['logs-a', 'ABCDEF0123456789ABCDEF0123456789', '1234'])
def test_a_remote_deployment_id_that_is_not_32_hex_fails_before_any_request(sim, conn, run_module, ids, deployment_id):
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs', 'deployment_id': deployment_id}]))
    assert result['failed'] is True
    assert 'remote_clusters[0].deployment_id' in result['msg'] and 'not a deployment ID' in result['msg']
    assert sim.requests() == []


def test_a_local_deployment_id_that_is_not_32_hex_fails_before_any_request(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-a', deployment_id='search-a', remote_clusters=[]))
    assert result['failed'] is True
    assert 'deployment_id' in result['msg'] and 'not a deployment ID' in result['msg']
    assert sim.requests() == []


def test_present_without_a_remote_deployment_id_fails_before_any_request(sim, conn, run_module, ids):
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs'}]))
    assert result['failed'] is True
    assert 'remote_clusters[0].deployment_id: required with state=present' in result['msg']
    assert sim.requests() == []


def test_an_alias_given_twice_fails_before_any_request(sim, conn, run_module, ids):
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs', 'deployment_id': ids['logs-a']},
                                                     {'alias': 'logs', 'deployment_id': ids['legacy-a']}]))
    assert result['failed'] is True
    assert "'logs' given more than once" in result['msg']
    assert sim.requests() == []


def test_purge_with_absent_fails_before_any_request(sim, conn, run_module, ids):
    result = run_module(MODULE, args_for(conn, ids, [{'alias': 'logs'}], state='absent', purge=True))
    assert result['failed'] is True
    assert 'purge' in result['msg']
    assert sim.requests() == []
