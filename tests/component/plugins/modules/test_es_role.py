# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""es_role against the simulator's Elasticsearch clusters (default scenario)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

MODULE = 'es_role'
NAME = 'remote-logs-reader'
ROLE_PATH = '/_security/role/%s' % NAME
REMOTE_INDICES = [{'clusters': ['ece_b_*'], 'names': ['logs-*'], 'privileges': ['read', 'read_cross_cluster', 'view_index_metadata']}]
INDICES = [{'names': ['local-*'], 'privileges': ['read']}]


# -- helpers --------------------------------------------------------------------------------------------------------------
def reads(sim):
    return [r for r in sim.requests() if not r['write']]


def role_args(conn, env='ece-a', deployment='search-a', **extra):
    args = dict(conn.es(env, deployment), name=NAME, cluster=['monitor'], indices=INDICES, remote_indices=REMOTE_INDICES)
    args.update(extra)
    return dict((k, v) for k, v in args.items() if v is not None)  # None: the option is not given


def stored(sim, env='ece-a', deployment='search-a', name=NAME):
    return sim.state()['environments'][env]['deployments'][deployment]['elasticsearch']['roles'].get(name)


# -- the standard sequence --------------------------------------------------------------------------------------------------
def test_check_mode_on_a_new_role_predicts_its_creation_without_writing(sim, conn, run_module):
    result = run_module(MODULE, role_args(conn), check_mode=True)

    assert (result['changed'], result['created']) == (True, True)
    assert result['role']['remote_indices'][0]['clusters'] == ['ece_b_*']
    assert sim.requests(write=True) == []
    assert stored(sim) is None


def test_creates_the_role_with_remote_indices(sim, conn, run_module):
    result = run_module(MODULE, role_args(conn))

    assert (result['changed'], result['created']) == (True, True)
    [put] = sim.requests(write=True)
    assert (put['method'], put['path']) == ('PUT', ROLE_PATH)
    assert put['body'] == {'cluster': ['monitor'], 'indices': INDICES, 'remote_indices': REMOTE_INDICES}
    assert stored(sim)['remote_indices'][0]['names'] == ['logs-*']
    assert result['role']['remote_indices'] == [dict(REMOTE_INDICES[0], allow_restricted_indices=False)]


def test_second_identical_run_is_unchanged_and_only_reads(sim, conn, run_module):
    run_module(MODULE, role_args(conn))
    sim.clear_log()

    result = run_module(MODULE, role_args(conn))

    assert (result['changed'], result['created']) == (False, False)
    assert sim.requests(write=True) == []
    assert [(r['method'], r['path']) for r in reads(sim)] == [('GET', '/'), ('GET', ROLE_PATH)]


def test_a_role_without_version_gated_options_needs_one_read(sim, conn, run_module):
    run_module(MODULE, role_args(conn, remote_indices=None))
    sim.clear_log()

    result = run_module(MODULE, role_args(conn, remote_indices=None))

    assert result['changed'] is False
    assert [r['path'] for r in sim.requests()] == [ROLE_PATH]


def test_equivalent_input_in_another_form_is_no_change(sim, conn, run_module):
    run_module(MODULE, role_args(conn, remote_indices=[dict(REMOTE_INDICES[0], query={'term': {'team': 'blue'}})]))
    sim.clear_log()

    result = run_module(MODULE, role_args(conn, cluster=['monitor', 'monitor'], indices=[
        {'names': 'local-*', 'privileges': ['read'], 'allow_restricted_indices': False}], remote_indices=[
        {'clusters': 'ece_b_*', 'names': ['logs-*'], 'privileges': ['view_index_metadata', 'read_cross_cluster', 'read'],
         'query': '{"term":{"team":"blue"}}'}]))

    assert result['changed'] is False
    assert sim.requests(write=True) == []


def test_diff_shows_the_normalised_role_before_and_after(sim, conn, run_module):
    run_module(MODULE, role_args(conn))

    result = run_module(MODULE, role_args(conn, cluster=['monitor', 'manage_ccr']), diff=True)

    assert result['diff']['before']['cluster'] == ['monitor']
    assert result['diff']['after']['cluster'] == ['manage_ccr', 'monitor']
    assert result['diff']['before']['remote_indices'] == result['diff']['after']['remote_indices']
    assert 'transient_metadata' not in result['diff']['before']


def test_a_change_rewrites_the_role_and_is_not_a_creation(sim, conn, run_module):
    run_module(MODULE, role_args(conn))
    sim.clear_log()
    remote = [dict(REMOTE_INDICES[0], privileges=['cross_cluster_replication'])]

    result = run_module(MODULE, role_args(conn, remote_indices=remote))

    assert (result['changed'], result['created']) == (True, False)
    [put] = sim.requests(write=True)
    assert put['body']['remote_indices'] == remote
    assert stored(sim)['remote_indices'][0]['privileges'] == ['cross_cluster_replication']


def test_options_not_given_are_kept_when_the_role_is_written_back(sim, conn, run_module):
    run_module(MODULE, role_args(conn, metadata={'managed_by': 'ansible'}, run_as=['other']))
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-a', 'search-a'), name=NAME, cluster=['monitor', 'manage_ccr']))

    assert result['changed'] is True
    [put] = sim.requests(write=True)
    assert put['body']['cluster'] == ['monitor', 'manage_ccr']
    assert put['body']['indices'][0]['names'] == ['local-*']
    assert put['body']['remote_indices'][0]['clusters'] == ['ece_b_*']
    assert put['body']['metadata'] == {'managed_by': 'ansible'} and put['body']['run_as'] == ['other']
    assert 'transient_metadata' not in put['body']


def test_parts_the_module_does_not_manage_are_kept(sim, conn, run_module):
    applications = [{'application': 'kibana-.kibana', 'privileges': ['read'], 'resources': ['*']}]
    run_module(MODULE, role_args(conn))
    role = stored(sim)
    role['applications'] = applications
    # application privileges written by another tool (Kibana does this)
    info = conn.deployment('ece-a', 'search-a')['elasticsearch']
    body = dict((k, v) for k, v in role.items() if k != 'transient_metadata')
    response = requests.put(info['url'] + ROLE_PATH, json=body, auth=(info['username'], info['password']),
                            verify=sim.info['ca_bundle'], timeout=10)
    assert response.status_code == 200
    sim.clear_log()

    result = run_module(MODULE, role_args(conn, cluster=['all']))

    [put] = sim.requests(write=True)
    assert put['body']['applications'] == applications
    assert result['role']['applications'] == applications


# -- versions -----------------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('env, deployment', [('ece-b', 'old-b'), ('ece-a', 'legacy-a'), ('ece-c', 'archive-c')])
def test_remote_indices_are_refused_below_8_10_before_any_write(sim, conn, run_module, env, deployment):
    result = run_module(MODULE, role_args(conn, env=env, deployment=deployment))

    assert result['failed'] is True
    assert 'remote_indices needs Elasticsearch 8.10.0' in result['msg']
    assert conn.deployment(env, deployment)['elasticsearch']['version'] in result['msg']
    assert sim.requests(write=True) == []
    assert [r['path'] for r in sim.requests()] == ['/']


def test_remote_cluster_and_description_are_refused_below_8_15_before_any_write(sim, conn, run_module):
    result = run_module(MODULE, role_args(conn, remote_cluster=[{'clusters': ['ece_b_*'], 'privileges': ['monitor_enrich']}],
                                          description='Searches logs'))

    assert result['failed'] is True
    assert 'remote_cluster needs Elasticsearch 8.15.0' in result['msg'] and 'description needs' in result['msg']
    assert '8.14.3' in result['msg']
    assert sim.requests(write=True) == []


def test_a_role_without_remote_privileges_works_on_6_8(sim, conn, run_module):
    args = role_args(conn, env='ece-c', deployment='archive-c', remote_indices=[], description='')

    first = run_module(MODULE, args)
    second = run_module(MODULE, args)

    assert (first['changed'], second['changed']) == (True, False)
    assert [set(w['body']) for w in sim.requests(write=True)] == [{'cluster', 'indices'}]


def test_remote_cluster_and_description_on_8_15_converge(sim, conn, run_module):
    args = role_args(conn, env='ece-b', deployment='data-b', description='Searches logs',
                     remote_cluster=[{'clusters': ['ece_a_*'], 'privileges': ['monitor_enrich']}])

    first = run_module(MODULE, args)
    sim.clear_log()
    second = run_module(MODULE, args)

    assert (first['changed'], second['changed']) == (True, False)
    assert sim.requests(write=True) == []
    assert stored(sim, 'ece-b', 'data-b')['description'] == 'Searches logs'
    assert second['role']['remote_cluster'] == [{'clusters': ['ece_a_*'], 'privileges': ['monitor_enrich']}]


def test_elasticsearch_errors_fail_with_its_reason(sim, conn, run_module):
    result = run_module(MODULE, role_args(conn, env='ece-b', deployment='data-b',
                                          remote_cluster=[{'clusters': ['ece_a_*'], 'privileges': ['monitor_stats']}]))

    assert result['failed'] is True
    assert 'HTTP 400' in result['msg'] and 'monitor_stats' in result['msg']


# -- absent --------------------------------------------------------------------------------------------------------------------------
def test_absent_deletes_the_role(sim, conn, run_module):
    run_module(MODULE, role_args(conn))
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-a', 'search-a'), name=NAME, state='absent'), diff=True)

    assert result['changed'] is True and result['role'] is None
    assert [(w['method'], w['path']) for w in sim.requests(write=True)] == [('DELETE', ROLE_PATH)]
    assert stored(sim) is None
    assert result['diff']['after'] == {} and result['diff']['before']['cluster'] == ['monitor']


def test_absent_in_check_mode_predicts_the_deletion_without_writing(sim, conn, run_module):
    run_module(MODULE, role_args(conn))
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-a', 'search-a'), name=NAME, state='absent'), check_mode=True)

    assert result['changed'] is True
    assert sim.requests(write=True) == []
    assert stored(sim) is not None


def test_absent_twice_reports_no_change(sim, conn, run_module):
    run_module(MODULE, role_args(conn))
    run_module(MODULE, dict(conn.es('ece-a', 'search-a'), name=NAME, state='absent'))
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-a', 'search-a'), name=NAME, state='absent'))

    assert result['changed'] is False
    assert sim.requests(write=True) == []


def test_a_role_name_with_special_characters_is_quoted_in_the_path(sim, conn, run_module):
    result = run_module(MODULE, dict(conn.es('ece-a', 'search-a'), name='team a/readers', cluster=['monitor']))

    assert result['changed'] is True
    assert stored(sim, name='team a/readers')['cluster'] == ['monitor']
    again = run_module(MODULE, dict(conn.es('ece-a', 'search-a'), name='team a/readers', cluster=['monitor']))
    assert again['changed'] is False


# -- bad input: no request at all -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('extra, words', [
    (dict(indices=[{'names': [], 'privileges': ['read']}]), ['indices[0].names', 'empty']),
    (dict(remote_indices=[{'clusters': [], 'names': ['a'], 'privileges': ['read']}]), ['remote_indices[0].clusters', 'empty']),
    (dict(remote_indices=[{'names': ['a'], 'privileges': ['read']}]), ['clusters']),
    (dict(indices=[{'names': ['a'], 'privileges': ['read'], 'query': 'no json'}]), ['indices[0].query']),
    (dict(indices=[{'names': ['a'], 'privileges': ['read'], 'field_security': {'deny': ['x']}}]), ['field_security', 'grant']),
    (dict(remote_cluster=[{'clusters': ['a'], 'privileges': []}]), ['remote_cluster[0].privileges']),
    (dict(name=''), ['name', '507']),
])
def test_bad_input_fails_before_any_request(sim, conn, run_module, extra, words):
    result = run_module(MODULE, role_args(conn, **extra))

    assert result['failed'] is True
    for word in words:
        assert word in result['msg']
    assert sim.requests() == []
