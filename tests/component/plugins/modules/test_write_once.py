# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes that are not idempotent are done once: a gateway that answers 504 (or drops the connection) after ECE or
Elasticsearch did the work, races between two runs of the same link, and keys owned by exactly one link."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import (
    API_KEY, MODULE, converge, es_state, link)

KEY_ACCESS = {'search': [{'names': ['logs-*']}]}


def warnings(result):
    return [w['event']['msg'] if isinstance(w, dict) else w for w in result.get('warnings') or []]


def sent(sim, method, path_end):
    return [r for r in sim.requests() if r['method'] == method and r['path'].endswith(path_end)]


def active_keys(sim, env, deployment):
    return [k for k in es_state(sim, env, deployment)['api_keys'] if k['type'] == 'cross_cluster' and not k['invalidated']]


def plan_attempts(sim, env, deployment):
    return sim.state()['environments'][env]['deployments'][deployment]['elasticsearch'].get('plan_history') or []


# -- a gateway that answers 504 after the work was done ------------------------------------------------------------------
def test_a_restart_answered_504_after_it_started_is_not_started_again(sim, conn, run_module):
    deployment_id = conn.deployment('ece-a', 'search-a')['id']
    sim.fault(match={'method': 'POST', 'path': '/_restart$'}, status=504, handled=True)
    sim.clear_log()

    result = run_module('ece_deployment_restart', conn.ece('ece-a', deployment_id=deployment_id, retry_backoff=0.01))

    assert not result.get('failed'), result
    assert result['restarted'] is True
    assert len(sent(sim, 'POST', '/_restart')) == 1  # today: retried, so production restarts twice
    assert [w for w in warnings(result) if 'it was done, so it is not sent again' in w]


def test_a_restart_answered_504_before_it_started_is_sent_again(sim, conn, run_module):
    deployment_id = conn.deployment('ece-a', 'search-a')['id']
    sim.fault(match={'method': 'POST', 'path': '/_restart$'}, status=504)
    sim.clear_log()

    result = run_module('ece_deployment_restart', conn.ece('ece-a', deployment_id=deployment_id, retry_backoff=0.01))

    assert not result.get('failed'), result
    posts = sent(sim, 'POST', '/_restart')
    assert [p['status'] for p in posts] == [504, 202]
    # between the two: the plans were read back
    reads = [r for r in sim.requests() if posts[0]['seq'] < r['seq'] < posts[1]['seq']]
    assert reads and all(r['method'] == 'GET' for r in reads)


def test_a_key_created_behind_a_504_is_invalidated_and_one_key_is_created(sim, conn, run_module):
    sim.fault(match={'server': '^es:ece-b/ingest-b$', 'method': 'POST', 'path': '^/_security/cross_cluster/api_key$'},
              status=504, handled=True)
    sim.clear_log()

    options = conn.es('ece-b', 'ingest-b', name='k', access=KEY_ACCESS, retry_backoff=0.01)
    result = run_module('es_cross_cluster_api_key', options)

    assert not result.get('failed'), result
    assert len(sent(sim, 'POST', '/_security/cross_cluster/api_key')) == 2
    assert [k['id'] for k in active_keys(sim, 'ece-b', 'ingest-b')] == [result['id']]  # today: two active keys


def test_a_trust_update_answered_504_after_it_was_applied_is_reported_changed_and_its_plan_awaited(sim, conn, run_module):
    deployment_id = conn.deployment('ece-a', 'search-a')['id']
    with open(sim.info['environments']['ece-b']['proxy_ca_cert_file']) as handle:
        direct = [{'name': 'ece-b-proxy', 'type': 'proxy', 'certificates': [handle.read()]}]
    sim.fault(match={'method': 'PUT', 'path': '^/api/v1/deployments/%s$' % deployment_id}, status=504, handled=True)
    sim.clear_log()

    result = run_module('ece_deployment_trust', conn.ece('ece-a', deployment_id=deployment_id, retry_backoff=0.01, direct=direct))

    assert not result.get('failed'), result
    assert result['changed'] is True  # today: false, although this run's PUT changed the trust
    assert result['plan'] and result['plan']['status'] == 'success', result
    assert [p['status'] for p in sent(sim, 'PUT', deployment_id)] == [504, 409]
    again = run_module('ece_deployment_trust', conn.ece('ece-a', deployment_id=deployment_id, direct=direct))
    assert again['changed'] is False


# -- keys: one owner each, races repaired -----------------------------------------------------------------------------------
def test_links_sharing_an_alias_and_a_key_name_from_two_deployments_keep_their_own_keys(sim, conn, run_module):
    first = link(conn, 'api_key', ('ece-a', 'search-a'), ('ece-b', 'data-b'), api_key_name='shared-name')
    second = link(conn, 'api_key', ('ece-a', 'logs-a'), ('ece-b', 'data-b'), api_key_name='shared-name')
    one = converge(run_module, first)
    two = converge(run_module, second)

    assert one['api_key']['id'] != two['api_key']['id']
    assert not two['api_key']['invalidated_ids']  # today: the second link invalidates the first one's key
    active = sorted(k['id'] for k in active_keys(sim, 'ece-b', 'data-b'))
    assert active == sorted([one['api_key']['id'], two['api_key']['id']])
    assert run_module(MODULE, first)['changed'] is False
    assert run_module(MODULE, second)['changed'] is False
    assert sorted(k['id'] for k in active_keys(sim, 'ece-b', 'data-b')) == active


def test_two_keys_of_one_link_left_by_a_race_are_replaced_by_one(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY, credentials_settle_seconds=1)  # the simulator's nodes hold a file in 0.4 s
    first = converge(run_module, args)
    key = [k for k in active_keys(sim, 'ece-b', 'data-b') if k['id'] == first['api_key']['id']][0]
    # what a second run of the same link at the same time left: another active key with the same name and owner
    sim.mutate({'op': 'create_cross_cluster_api_key', 'env': 'ece-b', 'deployment': 'data-b', 'name': key['name'],
                'access': {'search': [{'names': ['*']}]}, 'metadata': key['metadata']})
    assert len(active_keys(sim, 'ece-b', 'data-b')) == 2

    repaired = run_module(MODULE, args)

    assert repaired['changed'] is True and repaired['api_key']['created'] is True, repaired
    assert [k['id'] for k in active_keys(sim, 'ece-b', 'data-b')] == [repaired['api_key']['id']]
    assert repaired['remote_info']['connected'] is True
    again = run_module(MODULE, args)
    assert again['changed'] is False


def _race(sim, conn, key_id):
    """Another run of the same link creates its key while this run's create is on its way."""
    local_cluster = conn.deployment('ece-a', 'search-a')['elasticsearch']['cluster_id']
    metadata = {'managed_by': 'ece.remote_clusters', 'local_cluster_id': local_cluster, 'alias': 'peer'}
    sim.fault(match={'server': '^es:ece-b/data-b$', 'method': 'POST', 'path': '^/_security/cross_cluster/api_key$'},
              mutate={'op': 'create_cross_cluster_api_key', 'env': 'ece-b', 'deployment': 'data-b', 'id': key_id,
                      'name': 'peer-%s' % local_cluster, 'metadata': metadata})


def test_two_runs_of_one_link_creating_a_key_at_once_keep_one_and_the_other_run_stores_nothing(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY, credentials_settle_seconds=1)  # the simulator's nodes hold a file in 0.4 s
    _race(sim, conn, '-' * 20)  # the other run's key has the lower ID (no token sorts before '-'): it is the one kept
    sim.clear_log()

    result = run_module(MODULE, args)

    assert result.get('failed') is True and result.get('step') == 'api_key', result
    assert 'another run created key %s' % ('-' * 20) in result['msg']
    assert [k['id'] for k in active_keys(sim, 'ece-b', 'data-b')] == ['-' * 20]
    assert not [w for w in sim.requests() if w['write'] and '/keystore' in w['path']]  # this run's key stored nowhere
    # the run of the other link would store its key; without it, a re-run replaces the key it cannot use
    repaired = run_module(MODULE, args)
    assert not repaired.get('failed'), repaired
    assert [k['id'] for k in active_keys(sim, 'ece-b', 'data-b')] == [repaired['api_key']['id']]
    assert repaired['remote_info']['connected'] is True


def test_a_run_whose_key_has_the_lower_id_keeps_it(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY)
    _race(sim, conn, 'z' * 20)  # the other run's key has the higher ID: that run invalidates it
    result = converge(run_module, args)
    assert sorted(k['id'] for k in active_keys(sim, 'ece-b', 'data-b')) == sorted([result['api_key']['id'], 'z' * 20])
    assert result['remote_info']['connected'] is True


def test_a_restart_that_cancels_a_pending_plan_and_is_answered_504_before_it_started_is_sent_again(sim, conn, run_module):
    deployment_id = conn.deployment('ece-a', 'search-a')['id']
    pending = sim.mutate({'op': 'start_plan', 'env': 'ece-a', 'deployment': 'search-a', 'kind': 'update',
                          'seconds': 30})['plan_attempt_id']
    sim.fault(match={'method': 'POST', 'path': '/_restart$'}, status=504)  # not handled: ECE never saw it
    sim.clear_log()

    result = run_module('ece_deployment_restart', conn.ece('ece-a', deployment_id=deployment_id, cancel_pending=True,
                                                           retry_backoff=0.01))

    assert not result.get('failed'), result
    # the plan still pending is the one the restart cancels, not a sign that the restart started
    assert [p['status'] for p in sent(sim, 'POST', '/_restart')] == [504, 202]
    assert result['plan']['attempt_id'] != pending


def test_a_relationship_delete_answered_504_after_it_was_done_is_not_an_error(sim, conn, run_module):
    env_b = sim.info['environments']['ece-b']
    with open(env_b['ca_cert_file']) as handle:
        args = conn.ece('ece-a', name='ece-b', installation_id=env_b['environment_id'], certificate=handle.read(),
                        account_ids=[env_b['account_id']])
    assert run_module('ece_trust_relationship', args)['changed'] is True
    sim.fault(match={'method': 'DELETE', 'path': '/trust-relationships/'}, status=504, handled=True)
    sim.clear_log()

    removed = run_module('ece_trust_relationship', dict(args, state='absent'))

    assert not removed.get('failed'), removed  # the retried DELETE finds it gone: done
    assert [r['status'] for r in sent(sim, 'DELETE', '')] == [504, 404]
    assert [r for r in sim.state()['environments']['ece-a']['trust_relationships'] if r['name'] == 'ece-b'] == []
