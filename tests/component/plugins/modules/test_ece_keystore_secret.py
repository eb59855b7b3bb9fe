# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ece_keystore_secret against the simulator: writes, idempotency, restart_required, and the value never shown."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

import pytest

MODULE = 'ece_keystore_secret'
ENV = 'ece-a'
SECRET = 'Zq7-distinctive-Secret-Value-4k2P=='  # must never appear in any output
SETTING = 'cluster.remote.ece_b_data.credentials'


def args(conn, deployment='search-a', **options):
    result = conn.ece(ENV, deployment_id=conn.deployment(ENV, deployment)['id'])
    result.update(options)
    return result


def gets(sim):
    return [r for r in sim.requests() if r['method'] == 'GET']


def es_state(sim, deployment='search-a'):
    return sim.state()['environments'][ENV]['deployments'][deployment]['elasticsearch']


def set_keystore(sim, name=SETTING, value='old-value', as_file=False, deployment='search-a'):
    sim.mutate({'op': 'set_keystore', 'env': ENV, 'deployment': deployment, 'name': name, 'value': value, 'as_file': as_file})


# -- the standard sequence ---------------------------------------------------------------------------
def test_check_mode_predicts_creation_and_sends_no_write(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, args(conn, remote_cluster_alias='ece_b_data', value=SECRET), check_mode=True)
    assert result['changed'] is True
    assert result['secret'] == {'name': SETTING, 'as_file': False}
    assert sim.requests(write=True) == []
    assert es_state(sim)['keystore'] == {}


def test_creates_the_setting_with_one_patch(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, args(conn, remote_cluster_alias='ece_b_data', value=SECRET))
    assert result['changed'] is True
    assert [(r['method'], r['path'].rsplit('/', 1)[-1]) for r in sim.requests(write=True)] == [('PATCH', 'keystore')]
    assert sim.requests(write=True)[0]['body'] == {'secrets': {SETTING: {'value': SECRET, 'as_file': False}}}
    assert es_state(sim)['keystore'] == {SETTING: {'value': SECRET, 'as_file': False}}


def test_second_run_with_on_create_leaves_the_setting_alone(sim, conn, run_module):
    options = args(conn, remote_cluster_alias='ece_b_data', value=SECRET)
    run_module(MODULE, options)
    sim.clear_log()
    result = run_module(MODULE, dict(options, value='another-value'))
    assert result['changed'] is False
    assert result['restart_required'] is False
    assert sim.requests(write=True) == []
    assert len(gets(sim)) <= 3
    assert es_state(sim)['keystore'][SETTING]['value'] == SECRET


def test_update_secret_always_writes_and_reports_a_change_every_run(sim, conn, run_module):
    set_keystore(sim, value='old-value')
    for value in ('new-value', 'new-value'):
        sim.clear_log()
        result = run_module(MODULE, args(conn, remote_cluster_alias='ece_b_data', value=value, update_secret='always'))
        assert result['changed'] is True
        assert len(sim.requests(write=True)) == 1
    assert es_state(sim)['keystore'][SETTING]['value'] == 'new-value'


def test_on_create_rewrites_a_setting_stored_with_another_as_file(sim, conn, run_module):
    set_keystore(sim, name='gcs.client.default.credentials_file', value='{}', as_file=False)
    sim.clear_log()
    result = run_module(MODULE, args(conn, setting='gcs.client.default.credentials_file', value={'type': 'service_account'},
                                     as_file=True))
    assert result['changed'] is True
    assert sim.requests(write=True)[0]['body'] == {'secrets': {'gcs.client.default.credentials_file': {
        'value': {'type': 'service_account'}, 'as_file': True}}}
    assert es_state(sim)['keystore']['gcs.client.default.credentials_file']['as_file'] is True


def test_diff_shows_name_and_as_file_with_the_value_masked(sim, conn, run_module):
    result = run_module(MODULE, args(conn, remote_cluster_alias='ece_b_data', value=SECRET), check_mode=True, diff=True)
    assert result['diff'] == {'before': {'name': SETTING, 'state': 'absent'},
                              'after': {'name': SETTING, 'as_file': False, 'value': '********'}}


def test_absent_removes_the_setting_with_an_empty_entry(sim, conn, run_module):
    set_keystore(sim)
    sim.clear_log()
    result = run_module(MODULE, args(conn, remote_cluster_alias='ece_b_data', state='absent'), diff=True)
    assert result['changed'] is True
    assert result['secret'] is None
    assert sim.requests(write=True)[0]['body'] == {'secrets': {SETTING: {}}}
    assert SETTING not in es_state(sim)['keystore']
    assert result['diff']['after'] == {'name': SETTING, 'state': 'absent'}


def test_absent_twice_changes_nothing_the_second_time(sim, conn, run_module):
    set_keystore(sim)
    options = args(conn, remote_cluster_alias='ece_b_data', state='absent')
    run_module(MODULE, options)
    sim.clear_log()
    result = run_module(MODULE, options)
    assert result['changed'] is False
    assert sim.requests(write=True) == []


def test_setting_option_names_the_setting_as_given(sim, conn, run_module):
    run_module(MODULE, args(conn, setting='s3.client.default.secret_key', value=SECRET))
    assert 's3.client.default.secret_key' in es_state(sim)['keystore']


# -- restart_required ----------------------------------------------------------------------------------------
@pytest.mark.parametrize('deployment, version, restart_required', [
    ('logs-a', '8.12.2', True),     # does not reload remote cluster credentials
    ('search-a', '8.14.3', False),  # ECE has the nodes reload them, a moment after the change
])
def test_restart_required_depends_on_the_running_version(sim, conn, run_module, deployment, version, restart_required):
    result = run_module(MODULE, args(conn, deployment, remote_cluster_alias='ece_b_data', value=SECRET))
    assert result['changed'] is True
    assert result['elasticsearch_version'] == version
    assert result['restart_required'] is restart_required
    # the simulator's nodes agree: loaded without a restart (ECE's reload, a moment later) only where none is required
    time.sleep(0.8)
    assert (SETTING in es_state(sim, deployment)['loaded_keystore']) is not restart_required


def test_restart_is_not_required_when_nothing_changed(sim, conn, run_module):
    set_keystore(sim, deployment='logs-a')
    result = run_module(MODULE, args(conn, 'logs-a', remote_cluster_alias='ece_b_data', value=SECRET))
    assert result['changed'] is False
    assert result['restart_required'] is False


def test_reload_min_version_is_configurable(sim, conn, run_module):
    result = run_module(MODULE, args(conn, remote_cluster_alias='ece_b_data', value=SECRET, reload_min_version='9.0.0'))
    assert result['restart_required'] is True


def test_removal_on_an_old_version_requires_a_restart(sim, conn, run_module):
    set_keystore(sim, deployment='logs-a')
    result = run_module(MODULE, args(conn, 'logs-a', remote_cluster_alias='ece_b_data', state='absent'))
    assert result['changed'] is True
    assert result['restart_required'] is True


# -- the value never shows ------------------------------------------------------------------------------------
@pytest.mark.parametrize('check_mode', [True, False])
def test_value_never_appears_in_the_result_diff_or_warnings(sim, conn, run_module, check_mode):
    result = run_module(MODULE, args(conn, remote_cluster_alias='ece_b_data', value=SECRET, validate_certs=False),
                        check_mode=check_mode, diff=True)
    assert result['changed'] is True
    assert result['diff']['after']['value'] == '********'
    assert result.get('warnings')  # validate_certs: false warns: the scan below covers warnings too
    assert SECRET not in json.dumps(result)
    assert SECRET not in json.dumps(result.get('warnings'))


def test_value_never_appears_in_an_error_that_echoes_it(sim, conn, run_module):
    sim.fault(match={'server': '^ece:%s$' % ENV, 'method': 'PATCH', 'path': '/keystore$'}, status=400,
              body={'errors': [{'code': 'root.invalid_data', 'message': 'cannot store [%s]' % SECRET}]})
    result = run_module(MODULE, args(conn, remote_cluster_alias='ece_b_data', value=SECRET), diff=True)
    assert result.get('failed') is True
    assert 'HTTP 400' in result['msg']
    assert SECRET not in json.dumps(result)


def test_dict_value_never_appears_in_the_result(sim, conn, run_module):
    value = {'type': 'service_account', 'private_key': SECRET}
    result = run_module(MODULE, args(conn, setting='gcs.client.default.credentials_file', value=value, as_file=True), diff=True)
    assert result['changed'] is True
    assert SECRET not in json.dumps(result)
    assert json.loads(es_state(sim)['keystore']['gcs.client.default.credentials_file']['value']) == value


# -- look-up without a value ------------------------------------------------------------------------------
def test_without_a_value_the_module_only_looks_the_setting_up(sim, conn, run_module):
    sim.clear_log()
    missing = run_module(MODULE, args(conn, remote_cluster_alias='ece_b_data'))
    assert (missing['changed'], missing['exists'], missing['secret']) == (False, False, None)
    set_keystore(sim)
    found = run_module(MODULE, args(conn, remote_cluster_alias='ece_b_data'))
    assert (found['changed'], found['exists'], found['secret']) == (False, True, {'name': SETTING, 'as_file': False})
    assert sim.requests(write=True) == []
    assert es_state(sim)['keystore'][SETTING]['value'] == 'old-value'


# -- bad input: refused before any request ------------------------------------------------------------------
@pytest.mark.parametrize('options, message', [
    ({'remote_cluster_alias': 'ECE B', 'value': SECRET}, "remote_cluster_alias: 'ECE B' is not a valid remote cluster alias"),
    ({'remote_cluster_alias': 'ece_b', 'value': SECRET, 'reload_min_version': 'eight'}, 'reload_min_version'),
    ({'remote_cluster_alias': 'ece_b', 'setting': 'x.y', 'value': SECRET}, 'mutually exclusive'),
    ({'value': SECRET}, 'one of the following is required'),
    ({'remote_cluster_alias': 'ece_b', 'value': 12345}, 'must be a string or a dictionary'),
])
def test_bad_input_fails_before_any_request(sim, conn, run_module, options, message):
    sim.clear_log()
    result = run_module(MODULE, args(conn, **options))
    assert result.get('failed') is True
    assert message in result['msg']
    assert SECRET not in json.dumps(result)
    assert sim.requests() == []
