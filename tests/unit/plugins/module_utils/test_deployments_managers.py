# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of the managers of _deployments.py (plan, view, report): observed in, plan out; pure code, no simulator,
no request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import (
    DeploymentInfo, DeploymentRestart, KeystoreSecret, RemoteClusters)
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Context, Observed
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import MASK
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import ModuleFailure

DEPLOYMENT = '0123456789abcdef0123456789abcdef'
OTHER = 'fedcba9876543210fedcba9876543210'
SETTING = 'cluster.remote.b.credentials'


def manager(cls, check_mode=False, **params):
    """A manager without a client: any request it tried would fail."""
    return cls.create(Context(check_mode=check_mode), None, **params)


# -- RemoteClusters ------------------------------------------------------------------------------------------------
def entry(alias, deployment_id=OTHER, skip_unavailable=False, **extra):
    return dict(alias=alias, deployment_id=deployment_id, elasticsearch_ref_id='main-elasticsearch',
                skip_unavailable=skip_unavailable, **extra)


def clusters(*entries):
    return {'ref_id': 'main-elasticsearch', 'remote_clusters': list(entries)}


def remote_clusters(check_mode=False, **params):
    return manager(RemoteClusters, check_mode=check_mode, deployment_id=DEPLOYMENT, **params)


def test_remote_clusters_upserts_the_given_aliases_and_keeps_the_others_in_order():
    current = clusters(entry('a', info={'connected': True}), entry('b'))
    desired = remote_clusters(remote_clusters=[entry('c'), entry('a', skip_unavailable=True)]).desired(current)
    assert desired == clusters(entry('a', skip_unavailable=True), entry('b'), entry('c'))


def test_remote_clusters_purge_keeps_only_the_given_list_and_absent_removes_the_given_aliases():
    current = clusters(entry('a'), entry('b'))
    assert remote_clusters(remote_clusters=[entry('c')], purge=True).desired(current) == clusters(entry('c'))
    assert remote_clusters(remote_clusters=[{'alias': 'a'}], state='absent').desired(current) == clusters(entry('b'))


def test_remote_clusters_the_order_and_the_info_of_entries_are_no_change():
    # skip_unavailable left out is false
    current = clusters(entry('b', info={'connected': True}),
                       {'alias': 'a', 'deployment_id': OTHER, 'elasticsearch_ref_id': 'main-elasticsearch'})
    rc = remote_clusters(remote_clusters=[entry('a')])
    desired = rc.desired(current)
    assert not rc.differs(current, desired)
    assert rc.view(current) == rc.view(desired) == {'remote_clusters': [entry('a'), entry('b')]}
    assert rc.differs(current, remote_clusters(remote_clusters=[entry('a', skip_unavailable=True)]).desired(current))


def test_remote_clusters_check_mode_predicts_the_list_with_the_info_of_unchanged_entries_only():
    current = clusters(entry('a', info={'connected': True}), entry('b', info={'connected': False}))
    rc = remote_clusters(check_mode=True, remote_clusters=[entry('b', skip_unavailable=True), entry('c')])
    desired = rc.desired(current)
    assert rc.report(current, desired, True, {}) == {'ref_id': 'main-elasticsearch', 'remote_clusters': [
        entry('a', info={'connected': True}), entry('b', skip_unavailable=True), entry('c')]}
    # without a change, the list as read
    assert rc.report(current, rc.desired(current), False, {})['remote_clusters'] is current['remote_clusters']


def test_remote_clusters_a_real_run_reports_the_list_read_back():
    current = clusters(entry('a'))
    after = clusters(entry('a'), entry('c', info={'connected': True}))
    rc = remote_clusters(remote_clusters=[entry('c')])
    assert rc.report(current, after, True, {})['remote_clusters'] == after['remote_clusters']


# -- KeystoreSecret ------------------------------------------------------------------------------------------------
def secret(as_file=False, ref_id='main-elasticsearch', version='8.15.0'):
    return {'ref_id': ref_id, 'elasticsearch_version': version,
            'secret': {'name': SETTING, 'as_file': as_file} if as_file is not None else None}


def keystore(check_mode=False, **params):
    if 'setting' not in params:
        params['remote_cluster_alias'] = 'b'
    return manager(KeystoreSecret, check_mode=check_mode, deployment_id=DEPLOYMENT, **params)


@pytest.mark.parametrize('current_as_file, params, changed', [
    (None, dict(value='s'), True),                                   # created
    (False, dict(value='s'), False),                                 # on_create: kept
    (False, dict(value='s', update_secret='always'), True),          # always: written again
    (False, dict(value='s', as_file=True), True),                    # as_file changed
    (True, dict(), False),                                           # a look-up never changes
    (None, dict(update_secret='always'), False),                     # ... not even with always
    (False, dict(state='absent'), True),                             # removed
    (None, dict(state='absent'), False),                             # already gone
])
def test_keystore_secret_decides_the_write(current_as_file, params, changed):
    ks = keystore(**params)
    current = secret(current_as_file)
    assert ks.differs(current, ks.desired(current)) is changed


def test_keystore_secret_view_never_holds_the_value_and_shows_a_missing_setting_as_absent():
    ks = keystore(value='Zq7-secret', as_file=True)
    current = secret(None)
    desired = ks.desired(current)
    assert ks.view(current) == {'name': SETTING, 'state': 'absent'}
    assert ks.view(desired) == {'name': SETTING, 'as_file': True, 'value': MASK}
    assert 'Zq7-secret' not in repr(desired)
    assert keystore(setting='s3.client.default.access_key', state='absent').view(secret(None))['name'] == 's3.client.default.access_key'


@pytest.mark.parametrize('version, changed, required', [('8.12.0', True, True), ('8.13.0', True, False), ('8.12.0', False, False)])
def test_keystore_secret_restart_required_below_reload_min_version(version, changed, required):
    ks = keystore(value='s')
    current = secret(None if changed else False, version=version)
    result = ks.report(current, ks.desired(current), changed, {})
    assert result == {'exists': not changed, 'secret': {'name': SETTING, 'as_file': False}, 'elasticsearch_version': version,
                      'restart_required': required}


def test_keystore_secret_an_unknown_version_requires_a_restart_with_a_warning():
    ks = keystore(state='absent')
    current = secret(False, version=None)
    plan = ks.plan(Observed(current, {}))
    assert plan.changed and ks.report(current, plan.desired, True, {})['restart_required'] is True
    assert len(plan.warnings) == 1 and 'version is unknown' in plan.warnings[0]
    assert keystore(state='absent').plan(Observed(secret(None, version=None), {})).warnings == []  # nothing to write


# -- DeploymentRestart ---------------------------------------------------------------------------------------------
def deployment(version='8.12.0'):
    return {'ref_id': 'main-elasticsearch', 'elasticsearch_version': version, 'restarted': False,
            'plan_info': {'current': {'plan_attempt_id': 'attempt-1'}}}


def restart(check_mode=False, **params):
    return manager(DeploymentRestart, check_mode=check_mode, deployment_id=DEPLOYMENT, **params)


def test_restart_without_a_threshold_restarts_and_the_view_shows_no_plan_internals():
    step = restart()
    current = deployment()
    desired = step.desired(current)
    assert step.differs(current, desired)
    assert step.view(current) == {'ref_id': 'main-elasticsearch', 'elasticsearch_version': '8.12.0', 'restarted': False}
    assert step.view(desired) == {'ref_id': 'main-elasticsearch', 'elasticsearch_version': '8.12.0', 'restarted': True}


@pytest.mark.parametrize('version, changed', [('8.12.0', True), ('8.13.0', False), ('8.14.1', False)])
def test_restart_only_if_version_below(version, changed):
    step = restart(only_if_version_below='8.13.0')
    current = deployment(version)
    assert step.differs(current, step.desired(current)) is changed


def test_restart_only_if_version_below_an_unknown_version_fails():
    with pytest.raises(ModuleFailure, match='only_if_version_below cannot be checked'):
        restart(only_if_version_below='8.13.0').desired(deployment(None))


def test_restart_report_says_what_was_or_would_be_done():
    current = deployment('8.14.0')
    kept = restart(only_if_version_below='8.13.0').report(current, current, False, {})
    assert kept == {'restarted': False, 'plan': None, 'elasticsearch_version': '8.14.0',
                    'msg': 'not restarted: deployment %s (main-elasticsearch) runs Elasticsearch 8.14.0, not below 8.13.0' % DEPLOYMENT}
    step = restart(check_mode=True)
    predicted = step.report(current, step.desired(current), True, {})
    assert predicted['restarted'] is True and predicted['plan'] is None
    assert predicted['msg'] == 'deployment %s (main-elasticsearch) would be restarted' % DEPLOYMENT
    plan = {'attempt_id': 'attempt-2', 'status': 'pending', 'duration_seconds': None}
    started = restart(wait=False).report(current, step.desired(current), True, {'plan': plan})
    assert started['plan'] == plan and started['msg'].endswith(': restart started')


# -- DeploymentInfo ------------------------------------------------------------------------------------------------
def test_deployment_info_reads_only_and_reports_each_deployment_with_its_remote_connection():
    info = manager(DeploymentInfo, deployment_id=DEPLOYMENT, api_key_port=9443)
    assert info.diff is False
    read = [{'id': DEPLOYMENT, 'name': 'search', 'healthy': True, 'resources': {'elasticsearch': [{
        'ref_id': 'main-elasticsearch', 'id': 'abc', 'region': 'ece-region',
        'info': {'healthy': True, 'status': 'started',
                 'metadata': {'endpoint': 'abc.ece.example.com', 'ports': {'transport_passthrough': 9300}}}}]}}]
    assert not info.differs(read, [])
    deployments = info.report(read, read, False, {})['deployments']
    assert [d['id'] for d in deployments] == [DEPLOYMENT]
    es = deployments[0]['elasticsearch'][0]
    assert es['cluster_id'] == 'abc' and es['running_version'] is None
    assert es['remote_connection']['api_key'] == {'proxy_address': 'abc.ece.example.com:9443', 'server_name': 'abc.ece.example.com'}
