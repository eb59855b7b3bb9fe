# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""es_cross_cluster_api_key against the simulator's Elasticsearch clusters (default scenario)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

MODULE = 'es_cross_cluster_api_key'
NAME = 'ccs-from-ece-a'
ACCESS = {'search': [{'names': ['logs-*', 'metrics-*']}], 'replication': [{'names': 'archive-*'}]}
KEY_PATH = '/_security/cross_cluster/api_key'


# -- helpers --------------------------------------------------------------------------------------------------------------
def reads(sim):
    return [r for r in sim.requests() if not r['write']]


def warnings(result):
    """Warning texts (ansible-core 2.19 returns structured warnings, earlier versions strings)."""
    return [w['event']['msg'] if isinstance(w, dict) else w for w in result.get('warnings') or []]


def key_args(conn, env='ece-b', deployment='data-b', **extra):
    args = dict(conn.es(env, deployment), name=NAME, access=ACCESS)
    args.update(extra)
    return dict((k, v) for k, v in args.items() if v is not None)  # None: the option is not given


def keys(sim, env='ece-b', deployment='data-b', name=NAME):
    """The simulator's API keys with this name (without secrets)."""
    return [k for k in sim.state()['environments'][env]['deployments'][deployment]['elasticsearch']['api_keys'] if k['name'] == name]


def active(sim, **kwargs):
    return [k for k in keys(sim, **kwargs) if not k['invalidated']]


# -- the standard sequence --------------------------------------------------------------------------------------------------
def test_check_mode_on_a_new_key_predicts_a_creation_without_writing(sim, conn, run_module):
    result = run_module(MODULE, key_args(conn), check_mode=True)

    assert result['changed'] is True
    assert result['created'] is True
    assert result['encoded'] == 'check-mode-no-key-created' and result['id'] is None
    assert sim.requests(write=True) == []
    assert keys(sim) == []


def test_creates_a_key_and_returns_its_secret_once(sim, conn, run_module):
    result = run_module(MODULE, key_args(conn, metadata={'managed_by': 'ansible'}))

    assert result['changed'] is True
    assert (result['created'], result['updated']) == (True, False)
    [post] = sim.requests(write=True)
    assert (post['method'], post['path']) == ('POST', KEY_PATH)
    assert post['body'] == {'name': NAME, 'metadata': {'managed_by': 'ansible'},
                            'access': {'search': [{'names': ['logs-*', 'metrics-*']}], 'replication': [{'names': ['archive-*']}]}}
    [key] = active(sim)
    assert key['id'] == result['id'] and key['type'] == 'cross_cluster'
    assert result['encoded']


def test_encoded_is_the_base64_of_id_and_secret(sim, conn, run_module):
    import base64
    result = run_module(MODULE, key_args(conn))

    key_id, dummy, secret = base64.b64decode(result['encoded']).decode('ascii').partition(':')
    assert key_id == result['id'] and secret


def test_second_identical_run_is_unchanged_with_two_reads_and_no_secret(sim, conn, run_module):
    first = run_module(MODULE, key_args(conn, metadata={'managed_by': 'ansible'}))
    sim.clear_log()

    result = run_module(MODULE, key_args(conn, metadata={'managed_by': 'ansible'}))

    assert result['changed'] is False
    assert (result['created'], result['updated'], result['encoded']) == (False, False, None)
    assert result['id'] == first['id']
    assert sim.requests(write=True) == []
    assert [(r['method'], r['path'], r['query']) for r in reads(sim)] == [
        ('GET', '/', {}), ('GET', '/_security/api_key', {'name': NAME, 'active_only': 'true'})]


def test_equivalent_access_in_another_form_is_no_change(sim, conn, run_module):
    access = {'search': [{'names': ['logs-*'], 'query': {'term': {'team': 'blue'}}, 'field_security': {'grant': ['a', 'b']}}]}
    run_module(MODULE, key_args(conn, access=access))
    sim.clear_log()

    result = run_module(MODULE, key_args(conn, access={'search': [{'names': 'logs-*', 'query': '{"term": {"team": "blue"}}',
                                                                   'field_security': {'grant': ['b', 'a'], 'except': []},
                                                                   'allow_restricted_indices': False}]}))

    assert result['changed'] is False
    assert sim.requests(write=True) == []


def test_diff_shows_the_key_without_any_secret(sim, conn, run_module):
    result = run_module(MODULE, key_args(conn), diff=True)

    assert result['diff']['before'] == {}
    after = result['diff']['after']
    assert after['id'] == result['id'] and after['name'] == NAME
    assert after['access']['search'] == [{'names': ['logs-*', 'metrics-*'], 'allow_restricted_indices': False}]
    assert result['encoded'] not in json.dumps(result['diff'])
    assert 'encoded' not in json.dumps(result['diff']) and 'api_key' not in json.dumps(result['diff'])


def test_an_access_change_updates_the_key_in_place(sim, conn, run_module):
    first = run_module(MODULE, key_args(conn, expiration='30d'))
    sim.clear_log()
    new_access = {'search': [{'names': ['logs-*']}]}

    result = run_module(MODULE, key_args(conn, access=new_access, expiration='30d'), diff=True)

    assert result['changed'] is True
    assert (result['created'], result['updated']) == (False, True)
    assert result['id'] == first['id'] and result['encoded'] is None
    [put] = sim.requests(write=True)
    assert (put['method'], put['path']) == ('PUT', '%s/%s' % (KEY_PATH, first['id']))
    assert put['body'] == {'access': new_access}  # never expiration: Elasticsearch would report an update on every run
    assert result['diff']['before']['access']['replication'] and result['diff']['after']['access']['replication'] == []
    [key] = active(sim)
    assert key['id'] == first['id'] and key['access'] == {'search': [{'names': ['logs-*'], 'allow_restricted_indices': False}]}


def test_an_access_change_in_check_mode_predicts_an_update_without_writing(sim, conn, run_module):
    run_module(MODULE, key_args(conn))
    sim.clear_log()

    result = run_module(MODULE, key_args(conn, access={'search': [{'names': ['other-*']}]}), check_mode=True)

    assert (result['changed'], result['created'], result['updated']) == (True, False, True)
    assert sim.requests(write=True) == []


def test_a_metadata_change_updates_only_the_metadata(sim, conn, run_module):
    first = run_module(MODULE, key_args(conn, metadata={'owner': 'team-a'}))
    sim.clear_log()

    result = run_module(MODULE, key_args(conn, metadata={'owner': 'team-b'}))

    assert (result['changed'], result['updated'], result['id']) == (True, True, first['id'])
    # access goes with every update (required in the Elasticsearch API specification), unchanged
    [body] = [w['body'] for w in sim.requests(write=True)]
    assert body['metadata'] == {'owner': 'team-b'}
    assert body['access'] == {'search': [{'names': ['logs-*', 'metrics-*']}], 'replication': [{'names': ['archive-*']}]}
    assert sorted(body) == ['access', 'metadata']


def test_metadata_not_given_is_neither_compared_nor_changed(sim, conn, run_module):
    run_module(MODULE, key_args(conn, metadata={'owner': 'team-a'}))
    sim.clear_log()

    result = run_module(MODULE, key_args(conn))

    assert result['changed'] is False
    assert sim.requests(write=True) == []
    assert active(sim)[0]['metadata'] == {'owner': 'team-a'}


# -- rotation and duplicates ------------------------------------------------------------------------------------------------
def test_rotate_with_invalidate_previous_creates_a_new_key_and_invalidates_the_old(sim, conn, run_module):
    first = run_module(MODULE, key_args(conn))
    sim.clear_log()

    result = run_module(MODULE, key_args(conn, rotate=True, invalidate_previous=True))

    assert (result['changed'], result['created']) == (True, True)
    assert result['id'] != first['id'] and result['encoded'] and result['encoded'] != first['encoded']
    assert result['invalidated_ids'] == [first['id']]
    assert [(w['method'], w['path']) for w in sim.requests(write=True)] == [('POST', KEY_PATH), ('DELETE', '/_security/api_key')]
    assert sim.requests(write=True)[1]['body'] == {'ids': [first['id']]}
    assert [k['id'] for k in active(sim)] == [result['id']]
    sim.clear_log()
    again = run_module(MODULE, key_args(conn))
    assert (again['changed'], again['id']) == (False, result['id'])
    assert sim.requests(write=True) == []


def test_rotate_in_check_mode_predicts_creation_and_invalidation_without_writing(sim, conn, run_module):
    first = run_module(MODULE, key_args(conn))
    sim.clear_log()

    result = run_module(MODULE, key_args(conn, rotate=True, invalidate_previous=True), check_mode=True)

    assert (result['changed'], result['created'], result['encoded']) == (True, True, 'check-mode-no-key-created')
    assert result['invalidated_ids'] == [first['id']]
    assert sim.requests(write=True) == []


def test_rotate_without_invalidate_previous_keeps_the_old_key_valid(sim, conn, run_module):
    first = run_module(MODULE, key_args(conn))

    result = run_module(MODULE, key_args(conn, rotate=True))

    assert result['created'] is True and result['invalidated_ids'] == []
    assert sorted(k['id'] for k in active(sim)) == sorted([first['id'], result['id']])


def test_several_keys_with_the_name_manage_the_newest_and_warn_about_the_others(sim, conn, run_module):
    older = run_module(MODULE, key_args(conn))
    newer = run_module(MODULE, key_args(conn, rotate=True))
    sim.clear_log()

    result = run_module(MODULE, key_args(conn, access={'search': [{'names': ['logs-*']}]}))

    assert (result['id'], result['updated']) == (newer['id'], True)
    assert sim.requests(write=True)[0]['path'] == '%s/%s' % (KEY_PATH, newer['id'])
    [warning] = [w for w in warnings(result) if 'active cross-cluster API keys' in w]
    assert older['id'] in warning and 'state: absent' in warning and 'invalidate_previous' in warning


def test_invalidated_expired_and_rest_keys_with_the_name_are_ignored(sim, conn, run_module):
    gone = sim.mutate({'op': 'create_cross_cluster_api_key', 'env': 'ece-b', 'deployment': 'data-b', 'name': NAME})
    sim.mutate({'op': 'invalidate_api_key', 'env': 'ece-b', 'deployment': 'data-b', 'id': gone['id']})
    expired = sim.mutate({'op': 'create_cross_cluster_api_key', 'env': 'ece-b', 'deployment': 'data-b', 'name': NAME})
    sim.mutate({'op': 'expire_api_key', 'env': 'ece-b', 'deployment': 'data-b', 'id': expired['id']})
    wider = sim.mutate({'op': 'create_cross_cluster_api_key', 'env': 'ece-b', 'deployment': 'data-b', 'name': NAME + '-other'})
    sim.clear_log()

    result = run_module(MODULE, key_args(conn))

    assert result['created'] is True
    assert result['id'] not in (gone['id'], expired['id'], wider['id'])
    assert [w['path'] for w in sim.requests(write=True)] == [KEY_PATH]


# -- absent ------------------------------------------------------------------------------------------------------------------------
def test_absent_invalidates_every_active_key_with_the_name(sim, conn, run_module):
    first = run_module(MODULE, key_args(conn))
    second = run_module(MODULE, key_args(conn, rotate=True))
    other = run_module(MODULE, key_args(conn, name='another-key'))
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-b', 'data-b'), name=NAME, state='absent'), diff=True)

    assert result['changed'] is True
    assert sorted(result['invalidated_ids']) == sorted([first['id'], second['id']])
    [delete] = sim.requests(write=True)
    assert delete['method'] == 'DELETE' and sorted(delete['body']['ids']) == sorted([first['id'], second['id']])
    assert active(sim) == []
    assert [k['id'] for k in active(sim, name='another-key')] == [other['id']]
    assert result['diff']['after'] == {} and result['diff']['before']['id'] == second['id']


def test_absent_in_check_mode_predicts_the_invalidation_without_writing(sim, conn, run_module):
    first = run_module(MODULE, key_args(conn))
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-b', 'data-b'), name=NAME, state='absent'), check_mode=True)

    assert (result['changed'], result['invalidated_ids']) == (True, [first['id']])
    assert sim.requests(write=True) == []


def test_absent_twice_reports_no_change(sim, conn, run_module):
    run_module(MODULE, key_args(conn))
    run_module(MODULE, dict(conn.es('ece-b', 'data-b'), name=NAME, state='absent'))
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-b', 'data-b'), name=NAME, state='absent'))

    assert (result['changed'], result['invalidated_ids']) == (False, [])
    assert sim.requests(write=True) == []


def test_invalidation_errors_fail_the_task(sim, conn, run_module):
    run_module(MODULE, key_args(conn))
    sim.fault(match={'path': '^/_security/api_key$', 'method': 'DELETE'}, status=200,
              body={'invalidated_api_keys': [], 'previously_invalidated_api_keys': [], 'error_count': 1,
                    'error_details': [{'type': 'exception', 'reason': 'simulated failure'}]}, count=1)

    result = run_module(MODULE, dict(conn.es('ece-b', 'data-b'), name=NAME, state='absent'))

    assert result['failed'] is True
    assert '1 error' in result['msg'] and 'simulated failure' in result['msg']


# -- refusals -------------------------------------------------------------------------------------------------------------------
def test_api_key_authentication_is_refused_before_any_request(sim, conn, run_module):
    args = key_args(conn)
    del args['es_username'], args['es_password']
    args['es_api_key'] = conn.deployment('ece-b', 'data-b')['elasticsearch']['api_key']

    result = run_module(MODULE, args)

    assert result['failed'] is True
    assert 'es_username' in result['msg'] and 'manage_security' in result['msg']
    assert args['es_api_key'] not in result['msg']
    assert sim.requests() == []


@pytest.mark.parametrize('env, deployment', [('ece-b', 'old-b'), ('ece-c', 'archive-c')])
def test_clusters_below_8_10_are_refused_before_any_write(sim, conn, run_module, env, deployment):
    result = run_module(MODULE, key_args(conn, env=env, deployment=deployment))

    assert result['failed'] is True
    assert '8.10' in result['msg'] and conn.deployment(env, deployment)['elasticsearch']['version'] in result['msg']
    assert sim.requests(write=True) == []
    assert [r['path'] for r in sim.requests()] == ['/']


def test_works_on_8_12_and_9_1(sim, conn, run_module):
    for env, deployment in (('ece-a', 'logs-a'), ('ece-c', 'analytics-c')):
        first = run_module(MODULE, key_args(conn, env=env, deployment=deployment))
        second = run_module(MODULE, key_args(conn, env=env, deployment=deployment))
        assert (first['created'], second['changed'], second['id']) == (True, False, first['id'])


@pytest.mark.parametrize('access, words', [
    ({}, ['access.search or access.replication']),
    ({'search': []}, ['access.search or access.replication']),
    ({'search': [{'names': []}]}, ['access.search[0].names']),
    ({'search': [{'names': ['a'], 'query': 'not json'}]}, ['access.search[0].query', 'query object']),
    ({'search': [{'names': ['a'], 'field_security': {'allow': ['x']}}]}, ['access.search[0].field_security', 'grant']),
    ({'search': [{'names': ['a'], 'query': {'match_all': {}}}], 'replication': [{'names': ['b']}]}, ['replication', 'second key']),
    ({'replication': [{'names': ['b'], 'query': {'match_all': {}}}]}, ['query']),
    ({'search': [{'query': {'match_all': {}}}]}, ['names']),
])
def test_bad_access_fails_before_any_request(sim, conn, run_module, access, words):
    result = run_module(MODULE, key_args(conn, access=access))

    assert result['failed'] is True
    for word in words:
        assert word in result['msg']
    assert sim.requests() == []


def test_access_is_required_with_state_present(sim, conn, run_module):
    args = key_args(conn)
    del args['access']

    result = run_module(MODULE, args)

    assert result['failed'] is True and 'access' in result['msg']
    assert sim.requests() == []


def test_the_secret_never_appears_in_warnings_or_other_return_values(sim, conn, run_module):
    run_module(MODULE, key_args(conn))
    result = run_module(MODULE, key_args(conn, rotate=True), diff=True)

    secret = result['encoded']
    others = dict((k, v) for k, v in result.items() if k not in ('encoded', 'invocation'))
    assert secret and secret not in json.dumps(others)
    assert all(secret not in w for w in warnings(result))


# -- expiration and owners ----------------------------------------------------------------------------------------------------
def test_a_changed_expiration_updates_the_existing_key_and_a_rerun_changes_nothing(sim, conn, run_module):
    first = run_module(MODULE, key_args(conn, expiration='30d'))
    assert active(sim)[0]['metadata'] == {'requested_expiration': '30d'}
    sim.clear_log()
    assert run_module(MODULE, key_args(conn, expiration='30d'))['changed'] is False
    assert sim.requests(write=True) == []

    result = run_module(MODULE, key_args(conn, expiration='60d'))

    assert (result['changed'], result['updated'], result['created'], result['id']) == (True, True, False, first['id'])
    [body] = [w['body'] for w in sim.requests(write=True)]
    assert body['expiration'] == '60d' and body['metadata'] == {'requested_expiration': '60d'}
    [key] = active(sim)
    assert key['expiration'] - first['expiration'] > 29 * 86400 * 1000  # counted from the update, 60 days
    sim.clear_log()
    assert run_module(MODULE, key_args(conn, expiration='60d'))['changed'] is False
    assert sim.requests(write=True) == []


def test_an_expiration_change_below_8_13_fails_before_any_write(sim, conn, run_module):
    run_module(MODULE, key_args(conn, deployment='ingest-b', expiration='30d'))
    sim.clear_log()

    result = run_module(MODULE, key_args(conn, deployment='ingest-b', expiration='60d'))

    assert result['failed'] and 'Elasticsearch 8.12.2 cannot change the expiration' in result['msg']
    assert 'rotate: true' in result['msg']
    assert sim.requests(write=True) == []


def test_a_key_of_the_same_name_that_another_link_owns_is_never_taken(sim, conn, run_module):
    owner = {'managed_by': 'ece.remote_clusters', 'local_cluster_id': 'a' * 32, 'alias': 'logs'}
    theirs = run_module(MODULE, key_args(conn, metadata=owner))
    sim.clear_log()

    mine = run_module(MODULE, key_args(conn, metadata=dict(owner, local_cluster_id='b' * 32)))

    assert mine['created'] is True and mine['id'] != theirs['id']
    assert [w['method'] for w in sim.requests(write=True)] == ['POST']  # a new key; the other link's key is neither updated nor invalidated
    assert sorted(k['id'] for k in active(sim)) == sorted([theirs['id'], mine['id']])


def test_an_update_that_elasticsearch_finds_changes_nothing_is_not_a_change(sim, conn, run_module):
    first = run_module(MODULE, key_args(conn, expiration='30d'))
    # Elasticsearch answers the update with updated false (it found the key as asked after all)
    sim.fault(match={'method': 'PUT', 'path': '/_security/cross_cluster/api_key/%s$' % first['id']}, status=200,
              body={'updated': False})
    sim.clear_log()
    result = run_module(MODULE, key_args(conn, access={'search': [{'names': ['logs-*']}]}, expiration='30d'))
    assert len(sim.requests(write=True)) == 1
    assert (result['changed'], result['created'], result['updated']) == (False, False, False)
