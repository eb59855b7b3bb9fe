# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""es_ccr_follower, es_ccr_auto_follow_pattern and es_ccr_info against the simulator: search-a (8.14) follows logs-a (8.12)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

LOCAL = ('ece-a', 'search-a')
LEADER = ('ece-a', 'logs-a')
ALIAS = 'logs'
INFO = '/orders-copy/_ccr/info'


# -- helpers --------------------------------------------------------------------------------------------------------------
def writes(sim):
    return [(r['method'], r['path']) for r in sim.requests() if r['write']]


def es_call(sim, deployment, method, path, body=None):
    """A request to a simulated cluster, outside the modules (the leader's documents, a pause by someone else)."""
    info = sim.info['environments'][deployment[0]]['deployments'][deployment[1]]['elasticsearch']
    session = requests.Session()
    session.trust_env = False
    response = session.request(method, info['url'] + path, json=body, verify=sim.info['ca_bundle'],
                               headers={'Authorization': 'ApiKey ' + info['api_key']}, timeout=30)
    session.close()
    return response


def link(sim, conn, key_access=None):
    """The alias ``logs`` on search-a: TLS-certificate model, or API-key model with a key of ``key_access``."""
    endpoint = conn.deployment(*LEADER)['elasticsearch']['endpoint']
    port = 9400
    if key_access is not None:
        use_key(sim, key_access)
        port = 9443
    sim.mutate({'op': 'set_es_settings', 'env': LOCAL[0], 'deployment': LOCAL[1], 'persistent': {
        'cluster.remote.logs.mode': 'proxy', 'cluster.remote.logs.proxy_address': '%s:%d' % (endpoint, port),
        'cluster.remote.logs.server_name': endpoint}})
    sim.mutate({'op': 'set_ccr', 'env': LOCAL[0], 'deployment': LOCAL[1], 'follow_start_seconds': 0.3})
    assert es_call(sim, LEADER, 'PUT', '/orders').status_code == 200


def use_key(sim, access):
    created = sim.mutate({'op': 'create_cross_cluster_api_key', 'env': LEADER[0], 'deployment': LEADER[1], 'name': 'ccr',
                          'access': access})
    sim.mutate({'op': 'set_keystore', 'env': LOCAL[0], 'deployment': LOCAL[1], 'name': 'cluster.remote.logs.credentials',
                'value': created['encoded'], 'loaded': True})


def follower_args(conn, **extra):
    args = dict(conn.es(*LOCAL), name='orders-copy', remote_cluster=ALIAS, leader_index='orders', wait_timeout=10)
    args.update(extra)
    return args


@pytest.fixture
def linked(sim, conn):
    link(sim, conn)
    sim.clear_log()


# -- es_ccr_follower: the standard sequence ------------------------------------------------------------------------------
def test_check_mode_predicts_the_follower_and_sends_no_write(sim, conn, run_module, linked):
    result = run_module('es_ccr_follower', follower_args(conn), check_mode=True, diff=True)

    assert (result['changed'], result['created']) == (True, True)
    assert result['diff'] == {'before': {}, 'after': {'remote_cluster': ALIAS, 'leader_index': 'orders', 'status': 'active',
                                                      'parameters': {}}}
    assert writes(sim) == []


def test_create_waits_until_following_really_started_then_a_second_run_only_reads(sim, conn, run_module, linked):
    result = run_module('es_ccr_follower', follower_args(conn, max_read_request_operation_count=1024))

    assert (result['changed'], result['created']) == (True, True)
    assert result['follower']['status'] == 'active'
    assert result['follower']['parameters'] == {'max_read_request_operation_count': 1024}
    assert writes(sim) == [('PUT', '/orders-copy/_ccr/follow')]
    polls = [r for r in sim.requests() if r['path'] == INFO]
    assert len(polls) >= 2  # the first poll after the create shows it paused: it answers before following starts
    assert sim.requests()[-1]['path'] == INFO
    sim.clear_log()

    again = run_module('es_ccr_follower', follower_args(conn, max_read_request_operation_count=1024))

    assert again['changed'] is False and again['unverified'] == []
    assert [(r['method'], r['path']) for r in sim.requests()] == [('GET', INFO)]


def test_a_changed_tuning_parameter_pauses_and_resumes_with_it(sim, conn, run_module, linked):
    run_module('es_ccr_follower', follower_args(conn))
    sim.clear_log()

    result = run_module('es_ccr_follower', follower_args(conn, max_outstanding_read_requests=4), diff=True)

    assert result['changed'] is True and result['differing_parameters'] == ['max_outstanding_read_requests']
    assert result['diff']['before']['parameters'] == {'max_outstanding_read_requests': 12}
    assert result['diff']['after']['parameters'] == {'max_outstanding_read_requests': 4}
    assert writes(sim) == [('POST', '/orders-copy/_ccr/pause_follow'), ('POST', '/orders-copy/_ccr/resume_follow')]
    [resume] = [r for r in sim.requests() if r['path'].endswith('resume_follow')]
    assert resume['body'] == {'max_outstanding_read_requests': 4}
    assert run_module('es_ccr_follower', follower_args(conn, max_outstanding_read_requests=4))['changed'] is False


def test_a_create_whose_answer_was_lost_is_read_back_not_failed(sim, conn, run_module, linked):
    # a gateway gives up after Elasticsearch created the follower: the client sends the PUT again, which fails
    sim.fault(match={'method': 'PUT', 'path': '/_ccr/follow$'}, status=504, handled=True)

    result = run_module('es_ccr_follower', follower_args(conn))

    assert result['changed'] is True and result['follower']['status'] == 'active', result
    puts = [r for r in sim.requests() if r['method'] == 'PUT']
    assert [r['status'] for r in puts] == [504, 500]  # the second create is refused: the follower exists
    first_read_after = [r for r in sim.requests() if r['seq'] > puts[-1]['seq']][0]
    assert (first_read_after['method'], first_read_after['path']) == ('GET', INFO)


def test_absent_pauses_closes_unfollows_and_opens_then_absent_again_only_reads(sim, conn, run_module, linked):
    run_module('es_ccr_follower', follower_args(conn))
    check = run_module('es_ccr_follower', follower_args(conn, state='absent'), check_mode=True)
    assert check['changed'] is True
    sim.clear_log()

    result = run_module('es_ccr_follower', follower_args(conn, state='absent'))

    assert result['changed'] is True and result['follower'] is None
    assert writes(sim) == [('POST', '/orders-copy/_ccr/pause_follow'), ('POST', '/orders-copy/_close'),
                           ('POST', '/orders-copy/_ccr/unfollow'), ('POST', '/orders-copy/_open')]
    assert es_call(sim, LOCAL, 'HEAD', '/orders-copy').status_code == 200  # kept, as a regular index
    sim.clear_log()

    again = run_module('es_ccr_follower', follower_args(conn, state='absent'))

    assert again['changed'] is False and writes(sim) == []


def test_absent_with_delete_index_deletes_it(sim, conn, run_module, linked):
    run_module('es_ccr_follower', follower_args(conn))
    sim.clear_log()

    run_module('es_ccr_follower', follower_args(conn, state='absent', delete_index=True))

    assert writes(sim)[-1] == ('DELETE', '/orders-copy')
    assert es_call(sim, LOCAL, 'HEAD', '/orders-copy').status_code == 404


def test_a_follower_paused_by_someone_else_is_resumed(sim, conn, run_module, linked):
    run_module('es_ccr_follower', follower_args(conn))
    assert es_call(sim, LOCAL, 'POST', '/orders-copy/_ccr/pause_follow').status_code == 200
    sim.clear_log()

    result = run_module('es_ccr_follower', follower_args(conn), diff=True)

    assert result['changed'] is True
    assert (result['diff']['before']['status'], result['diff']['after']['status']) == ('paused', 'active')
    assert writes(sim) == [('POST', '/orders-copy/_ccr/resume_follow')]
    assert result['follower']['status'] == 'active'


def test_a_follower_created_paused_is_paused_once_it_follows(sim, conn, run_module, linked):
    result = run_module('es_ccr_follower', follower_args(conn, status='paused', max_outstanding_read_requests=4))

    assert result['changed'] is True and result['follower']['status'] == 'paused'
    assert writes(sim) == [('PUT', '/orders-copy/_ccr/follow'), ('POST', '/orders-copy/_ccr/pause_follow')]
    again = run_module('es_ccr_follower', follower_args(conn, status='paused', max_outstanding_read_requests=4))
    assert again['changed'] is False and again['unverified'] == ['max_outstanding_read_requests']


def test_another_leader_is_refused_with_how_to_re_create_and_nothing_is_written(sim, conn, run_module, linked):
    run_module('es_ccr_follower', follower_args(conn))
    sim.clear_log()

    result = run_module('es_ccr_follower', follower_args(conn, leader_index='orders-v2'))

    assert result['failed'] is True
    assert 'follows orders on remote cluster logs; leader_index cannot change in place' in result['msg']
    assert 'state: absent and delete_index: true, then again with the new leader_index' in result['msg']
    assert writes(sim) == []


def test_an_existing_regular_index_is_refused_before_any_write(sim, conn, run_module, linked):
    es_call(sim, LOCAL, 'PUT', '/orders-copy')
    sim.clear_log()

    result = run_module('es_ccr_follower', follower_args(conn))

    assert result['failed'] is True and 'the index orders-copy exists and is not a follower index' in result['msg']
    assert writes(sim) == []


def test_data_stream_name_below_8_4_is_refused_before_any_write(sim, conn, run_module):
    result = run_module('es_ccr_follower', dict(conn.es('ece-b', 'old-b'), name='f', remote_cluster='x', leader_index='l',
                                                data_stream_name='logs-app'))

    assert result['failed'] is True
    assert result['msg'].startswith('data_stream_name needs Elasticsearch 8.4.0 or later') and 'runs 7.17.25' in result['msg']
    assert writes(sim) == []


def test_bad_input_fails_before_any_request(sim, conn, run_module):
    result = run_module('es_ccr_follower', follower_args(conn, name='Orders', max_read_request_size='lots'))

    assert result['failed'] is True and 'is not an index name' in result['msg'] and 'is not a byte size' in result['msg']
    assert sim.requests() == []


def test_a_basic_licence_is_named(sim, conn, run_module, linked):
    sim.mutate({'op': 'set_ccr', 'env': LOCAL[0], 'deployment': LOCAL[1], 'license': 'basic'})

    result = run_module('es_ccr_follower', follower_args(conn))

    assert result['failed'] is True and result['status'] == 403
    assert result['msg'].startswith("the cluster's licence does not include cross-cluster replication")
    assert 'current license is non-compliant for [ccr]' in result['msg']
    info = run_module('es_ccr_info', conn.es(*LOCAL))
    assert info['failed'] is True and 'licence does not include cross-cluster replication' in info['msg']


# -- privileges of the API-key model -----------------------------------------------------------------------------------
def test_a_key_without_replication_of_the_leader_is_refused_and_shows_as_read_exceptions_later(sim, conn, run_module):
    link(sim, conn, key_access={'search': [{'names': ['*']}]})

    refused = run_module('es_ccr_follower', follower_args(conn))

    assert refused['failed'] is True and refused['status'] == 403 and 'towards remote cluster is unauthorized' in refused['msg']
    use_key(sim, {'replication': [{'names': ['orders']}]})
    assert run_module('es_ccr_follower', follower_args(conn))['changed'] is True
    use_key(sim, {'search': [{'names': ['*']}]})  # a rotation to a key without replication
    es_call(sim, LEADER, 'POST', '/orders/_doc', {'n': 1})

    info = run_module('es_ccr_info', conn.es(*LOCAL))

    [follower] = info['followers']
    assert follower['status'] == 'active' and follower['fatal_exceptions'] == []
    assert follower['read_exceptions'][0]['exception']['type'] == 'security_exception'
    assert any('retries reading shard 0' in problem for problem in info['problems'])


# -- es_ccr_info ---------------------------------------------------------------------------------------------------------
def test_info_reports_lag_caught_up_and_a_fatal_exception(sim, conn, run_module, linked):
    run_module('es_ccr_follower', follower_args(conn))
    for number in range(3):
        es_call(sim, LEADER, 'POST', '/orders/_doc', {'n': number})
    sim.clear_log()

    info = run_module('es_ccr_info', conn.es(*LOCAL), check_mode=True)

    [follower] = info['followers']
    assert follower['global_checkpoint_lag'] == 0 and follower['shards'][0]['follower_global_checkpoint'] == 2
    assert info['problems'] == [] and info['changed'] is False and writes(sim) == []
    es_call(sim, LEADER, 'DELETE', '/orders')
    stopped = run_module('es_ccr_info', conn.es(*LOCAL))
    assert stopped['followers'][0]['fatal_exceptions'][0]['type'] == 'index_not_found_exception'
    assert stopped['problems'][0].startswith('follower orders-copy stopped on shard 0: no such index [orders]')


# -- es_ccr_auto_follow_pattern --------------------------------------------------------------------------------------------
def pattern_args(conn, **extra):
    args = dict(conn.es(*LOCAL), name='logs-from-a', remote_cluster=ALIAS, leader_index_patterns=['logs-*'],
                follow_index_pattern='{{leader_index}}-copy')
    args.update(extra)
    return args


def test_a_pattern_is_created_updated_in_place_paused_resumed_and_deleted(sim, conn, run_module, linked):
    path = '/_ccr/auto_follow/logs-from-a'
    check = run_module('es_ccr_auto_follow_pattern', pattern_args(conn), check_mode=True, diff=True)
    assert (check['changed'], check['created']) == (True, True) and writes(sim) == []
    assert check['diff'] == {'before': {}, 'after': {
        'remote_cluster': ALIAS, 'leader_index_patterns': ['logs-*'], 'leader_index_exclusion_patterns': [],
        'follow_index_pattern': '{{leader_index}}-copy', 'active': True}}

    created = run_module('es_ccr_auto_follow_pattern', pattern_args(conn, max_read_request_size='16mb'))
    assert created['created'] is True and writes(sim) == [('PUT', path)]
    es_call(sim, LEADER, 'PUT', '/logs-1')
    info = run_module('es_ccr_info', conn.es(*LOCAL))
    assert [f['follower_index'] for f in info['followers']] == ['logs-1-copy']
    sim.clear_log()

    same = run_module('es_ccr_auto_follow_pattern', pattern_args(conn, max_read_request_size='16mb'))
    assert same['changed'] is False and same['unverified'] == ['max_read_request_size']
    assert [(r['method'], r['path']) for r in sim.requests()] == [('GET', path)]

    updated = run_module('es_ccr_auto_follow_pattern', pattern_args(conn, leader_index_exclusion_patterns=['logs-debug-*']), diff=True)
    assert updated['changed'] is True and writes(sim) == [('PUT', path)]
    assert (updated['diff']['before']['leader_index_exclusion_patterns'], updated['diff']['after']['leader_index_exclusion_patterns']) == (
        [], ['logs-debug-*'])
    sim.clear_log()

    paused = run_module('es_ccr_auto_follow_pattern', pattern_args(conn, leader_index_exclusion_patterns=['logs-debug-*'], active=False))
    assert paused['pattern']['active'] is False and writes(sim) == [('POST', path + '/pause')]
    sim.clear_log()
    # a PUT makes a pattern active again: an update of a paused pattern that stays paused pauses it after the PUT
    kept = run_module('es_ccr_auto_follow_pattern', pattern_args(conn, leader_index_exclusion_patterns=['logs-debug-*', 'logs-tmp-*'],
                                                                 active=False))
    assert kept['changed'] is True and writes(sim) == [('PUT', path), ('POST', path + '/pause')]
    assert run_module('es_ccr_auto_follow_pattern', pattern_args(
        conn, leader_index_exclusion_patterns=['logs-debug-*', 'logs-tmp-*'], active=False))['changed'] is False
    sim.clear_log()
    resumed = run_module('es_ccr_auto_follow_pattern', pattern_args(conn, leader_index_exclusion_patterns=['logs-debug-*', 'logs-tmp-*']))
    assert resumed['changed'] is True and writes(sim) == [('POST', path + '/resume')]
    sim.clear_log()

    removed = run_module('es_ccr_auto_follow_pattern', dict(conn.es(*LOCAL), name='logs-from-a', state='absent'))
    assert removed['changed'] is True and writes(sim) == [('DELETE', path)]
    again = run_module('es_ccr_auto_follow_pattern', dict(conn.es(*LOCAL), name='logs-from-a', state='absent'))
    assert again['changed'] is False and writes(sim) == [('DELETE', path)]
