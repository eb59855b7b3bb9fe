# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ece_deployment_restart against the simulator: the restart request, the version gate, pending plans, failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

MODULE = 'ece_deployment_restart'
ENV = 'ece-a'


def args(conn, deployment='search-a', **options):
    result = conn.ece(ENV, deployment_id=conn.deployment(ENV, deployment)['id'])
    result.update(options)
    return result


def restarts_sent(sim):
    return [r for r in sim.requests() if r['method'] == 'POST' and r['path'].endswith('/_restart')]


def es_state(sim, deployment='search-a'):
    return sim.state()['environments'][ENV]['deployments'][deployment]['elasticsearch']


def start_plan(sim, deployment='search-a', seconds=1.5):
    return sim.mutate({'op': 'start_plan', 'env': ENV, 'deployment': deployment, 'kind': 'update', 'seconds': seconds})['plan_attempt_id']


# -- the standard sequence ---------------------------------------------------------------------------
def test_check_mode_predicts_a_restart_and_sends_no_write(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, args(conn), check_mode=True)
    assert result['changed'] is True
    assert result['restarted'] is True
    assert result['plan'] is None
    assert sim.requests(write=True) == []
    assert es_state(sim)['restarts'] == 0


def test_restarts_with_the_default_parameters_and_waits_for_the_plan(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, args(conn))
    assert result['changed'] is True and result['restarted'] is True
    assert len(sim.requests(write=True)) == 1
    assert restarts_sent(sim)[0]['query'] == {'skip_snapshot': 'true', 'group_attribute': '__zone__', 'cancel_pending': 'false'}
    assert restarts_sent(sim)[0]['path'].endswith('/elasticsearch/main-elasticsearch/_restart')
    state = es_state(sim)
    assert state['restarts'] == 1 and state['pending_plan'] is None
    assert result['plan']['status'] == 'success'
    assert result['plan']['attempt_id'] == state['plan_history'][-1]['attempt_id']
    assert state['plan_history'][-1]['kind'] == 'restart'
    assert result['elasticsearch_version'] == '8.14.3'


def test_options_are_passed_to_the_restart(sim, conn, run_module):
    run_module(MODULE, args(conn, skip_snapshot=False, group_attribute='__name__'))
    assert restarts_sent(sim)[0]['query'] == {'skip_snapshot': 'false', 'group_attribute': '__name__', 'cancel_pending': 'false'}


def test_diff_says_whether_the_resource_is_restarted(sim, conn, run_module):
    result = run_module(MODULE, args(conn), check_mode=True, diff=True)
    assert result['diff'] == {
        'before': {'ref_id': 'main-elasticsearch', 'elasticsearch_version': '8.14.3', 'restarted': False},
        'after': {'ref_id': 'main-elasticsearch', 'elasticsearch_version': '8.14.3', 'restarted': True}}


def test_restart_loads_the_keystore_of_an_old_version(sim, conn, run_module):
    sim.mutate({'op': 'set_keystore', 'env': ENV, 'deployment': 'logs-a', 'name': 'cluster.remote.b.credentials', 'value': 'k'})
    assert es_state(sim, 'logs-a')['loaded_keystore'] == {}
    result = run_module(MODULE, args(conn, 'logs-a', only_if_version_below='8.13.0'))
    assert result['restarted'] is True
    assert es_state(sim, 'logs-a')['loaded_keystore'] == {'cluster.remote.b.credentials': 'k'}


# -- only_if_version_below --------------------------------------------------------------------------------------
def test_only_if_version_below_skips_a_newer_version_without_a_write(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, args(conn, only_if_version_below='8.13.0'), diff=True)
    assert result['changed'] is False
    assert result['restarted'] is False
    assert '8.14.3' in result['msg'] and 'not below 8.13.0' in result['msg']
    assert sim.requests(write=True) == []
    assert result['diff']['before'] == result['diff']['after']


@pytest.mark.parametrize('check_mode', [True, False])
def test_only_if_version_below_restarts_an_older_version(sim, conn, run_module, check_mode):
    sim.clear_log()
    result = run_module(MODULE, args(conn, 'logs-a', only_if_version_below='8.13.0'), check_mode=check_mode)
    assert result['changed'] is True
    assert result['elasticsearch_version'] == '8.12.2'
    assert len(restarts_sent(sim)) == (0 if check_mode else 1)


def test_only_if_version_below_compares_versions_not_strings(sim, conn, run_module):
    # "8.14.3" < "8.9.0" as strings, but not as versions
    result = run_module(MODULE, args(conn, only_if_version_below='8.9.0'))
    assert result['changed'] is False


# -- pending plans ------------------------------------------------------------------------------------------------
def test_waits_for_a_pending_plan_before_restarting(sim, conn, run_module):
    pending = start_plan(sim, seconds=1.5)
    sim.clear_log()
    result = run_module(MODULE, args(conn))
    assert result['restarted'] is True
    assert [r['status'] for r in restarts_sent(sim)] == [202]  # never refused: sent after the plan ended
    history = es_state(sim)['plan_history']
    assert [(a['attempt_id'], a['status']) for a in history[-2:]] == [(pending, 'success'), (result['plan']['attempt_id'], 'success')]
    assert history[-1]['kind'] == 'restart'


def test_cancel_pending_cancels_the_pending_plan_and_restarts_at_once(sim, conn, run_module):
    pending = start_plan(sim, seconds=60)
    sim.clear_log()
    result = run_module(MODULE, args(conn, cancel_pending=True))
    assert result['restarted'] is True
    assert restarts_sent(sim)[0]['query']['cancel_pending'] == 'true'
    history = es_state(sim)['plan_history']
    cancelled = next(a for a in history if a['attempt_id'] == pending)
    assert cancelled['status'] == 'error'
    assert history[-1]['kind'] == 'restart' and history[-1]['status'] == 'success'


def test_plan_started_between_read_and_restart_is_waited_for(sim, conn, run_module):
    sim.fault(match={'server': '^ece:%s$' % ENV, 'method': 'POST', 'path': '/_restart$'},
              mutate={'op': 'start_plan', 'env': ENV, 'deployment': 'search-a', 'kind': 'update', 'seconds': 0.5})
    sim.clear_log()
    result = run_module(MODULE, args(conn))
    assert result['restarted'] is True, result
    assert [r['status'] for r in restarts_sent(sim)] == [422, 202]
    assert es_state(sim)['plan_history'][-1]['kind'] == 'restart'


def test_pending_plan_that_does_not_end_in_time_fails_before_the_restart(sim, conn, run_module):
    start_plan(sim, seconds=60)
    sim.clear_log()
    result = run_module(MODULE, args(conn, wait_timeout=1))
    assert result.get('failed') is True
    assert 'not restarted' in result['msg'] and 'wait_timeout' in result['msg']
    assert sim.requests(write=True) == []
    sim.mutate({'op': 'complete_plans'})


def test_pending_plan_that_fails_fails_the_task_before_the_restart(sim, conn, run_module):
    sim.fault(plan_failure='Instance capacity exhausted on allocator 192.168.44.10', env=ENV, deployment='search-a')
    start_plan(sim, seconds=0.5)
    sim.clear_log()
    result = run_module(MODULE, args(conn))
    assert result.get('failed') is True
    assert 'not restarted' in result['msg'] and 'Instance capacity exhausted on allocator 192.168.44.10' in result['msg']
    assert sim.requests(write=True) == []
    # nothing was sent: nothing changed
    assert not result.get('changed')


def test_check_mode_with_a_pending_plan_neither_waits_nor_writes(sim, conn, run_module):
    start_plan(sim, seconds=60)
    sim.clear_log()
    result = run_module(MODULE, args(conn), check_mode=True)
    assert result['changed'] is True
    assert sim.requests(write=True) == []
    assert len(sim.requests()) == 1
    sim.mutate({'op': 'complete_plans'})


# -- the restart's own plan ----------------------------------------------------------------------------------------
def test_failed_restart_plan_fails_with_the_plans_own_message(sim, conn, run_module):
    sim.fault(plan_failure='Rolling restart halted: instance-0000000001 did not come back', env=ENV, deployment='search-a')
    result = run_module(MODULE, args(conn))
    assert result.get('failed') is True
    assert 'Rolling restart halted: instance-0000000001 did not come back' in result['msg']
    assert len(restarts_sent(sim)) == 1
    # the restart was sent (and ran): the failed task says it changed the deployment
    assert result['changed'] is True


def test_without_wait_returns_the_pending_restart_plan(sim, conn, run_module):
    sim.settings(plan_seconds=30)
    result = run_module(MODULE, args(conn, wait=False))
    assert result['restarted'] is True
    state = es_state(sim)
    assert state['pending_plan']['kind'] == 'restart'
    assert result['plan'] == {'attempt_id': state['pending_plan']['attempt_id'], 'status': 'pending', 'duration_seconds': None}
    sim.mutate({'op': 'complete_plans'})


# -- bad input -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('options, message', [
    ({'only_if_version_below': 'latest'}, "only_if_version_below: 'latest' is not a version"),
    ({'wait_timeout': -5}, 'wait_timeout'),
])
def test_bad_input_fails_before_any_request(sim, conn, run_module, options, message):
    sim.clear_log()
    result = run_module(MODULE, args(conn, **options))
    assert result.get('failed') is True
    assert message in result['msg']
    assert sim.requests() == []


def test_unknown_ref_id_fails_naming_the_existing_ones_without_a_write(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, args(conn, ref_id='es-two'))
    assert result.get('failed') is True
    assert 'main-elasticsearch' in result['msg']
    assert sim.requests(write=True) == []
