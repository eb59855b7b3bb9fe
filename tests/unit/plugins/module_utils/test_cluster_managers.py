# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of the managers of _cluster.py (plan, report, view): observed in, plan out; pure code, no simulator, no
request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import (
    CHECK_MODE_ENCODED, MANAGED_BY, CrossClusterApiKey, RemoteCluster)
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Context, Observed

PREFIX = 'cluster.remote.b.'
PROXY = dict(alias='b', proxy_address='b.example.com:9400', server_name='b.example.com')


def cluster(**params):
    return RemoteCluster.create(Context(), None, **params)


def state(version='8.15.0', persistent=None, transient=None):
    return {'version': version, 'persistent': dict(persistent or {}), 'transient': dict(transient or {})}


# -- RemoteCluster -------------------------------------------------------------------------------------------------
def test_a_new_alias_sends_the_whole_wanted_set_and_shows_it_as_stored():
    manager = cluster(**PROXY)
    current = state()
    desired = manager.desired(current)
    assert desired['request'] == {'persistent': {PREFIX + 'mode': 'proxy', PREFIX + 'proxy_address': 'b.example.com:9400',
                                                 PREFIX + 'server_name': 'b.example.com', PREFIX + 'skip_unavailable': False}}
    assert manager.differs(current, desired)
    assert manager.view(current) == {}
    # the view is what Elasticsearch stores: strings
    assert manager.view(desired) == {'mode': 'proxy', 'proxy_address': 'b.example.com:9400', 'server_name': 'b.example.com',
                                     'skip_unavailable': 'false'}


def test_an_alias_as_wanted_is_no_change():
    manager = cluster(**PROXY)
    current = state(persistent={PREFIX + 'mode': 'proxy', PREFIX + 'proxy_address': 'b.example.com:9400',
                                PREFIX + 'server_name': 'b.example.com', PREFIX + 'skip_unavailable': 'false'})
    desired = manager.desired(current)
    assert desired['request'] == {}
    assert not manager.differs(current, desired)
    assert manager.view(desired) == manager.view(current)


def test_one_changed_value_sends_the_whole_set_again():
    manager = cluster(skip_unavailable=True, **PROXY)
    current = state(persistent={PREFIX + 'mode': 'proxy', PREFIX + 'proxy_address': 'b.example.com:9400',
                                PREFIX + 'server_name': 'b.example.com', PREFIX + 'skip_unavailable': 'false'})
    desired = manager.desired(current)
    assert desired['request']['persistent'][PREFIX + 'skip_unavailable'] is True
    assert len(desired['request']['persistent']) == 4
    assert manager.view(desired)['skip_unavailable'] == 'true'


def test_a_switch_to_proxy_mode_nulls_the_sniff_keys_in_the_same_request():
    manager = cluster(**PROXY)
    current = state(persistent={PREFIX + 'mode': 'sniff', PREFIX + 'seeds': ['b.example.com:9300'],
                                PREFIX + 'skip_unavailable': 'false'})
    desired = manager.desired(current)
    assert desired['request']['persistent'][PREFIX + 'seeds'] is None
    assert desired['request']['persistent'][PREFIX + 'mode'] == 'proxy'
    assert 'seeds' not in manager.view(desired)


def test_conflicting_transient_keys_are_removed_with_a_warning():
    manager = cluster(**PROXY)
    current = state(persistent={PREFIX + 'mode': 'proxy', PREFIX + 'proxy_address': 'b.example.com:9400',
                                PREFIX + 'server_name': 'b.example.com', PREFIX + 'skip_unavailable': 'false'},
                    transient={PREFIX + 'skip_unavailable': 'true'})
    assert manager.view(current)['skip_unavailable'] == 'true'  # transient overrides persistent
    plan = manager.plan(Observed(current, {}))
    assert plan.changed and plan.desired['request'] == {'transient': {PREFIX + 'skip_unavailable': None}}
    assert plan.desired['transient'] == {}
    assert manager.view(plan.desired)['skip_unavailable'] == 'false'
    assert len(plan.warnings) == 1 and 'transient' in plan.warnings[0]


def test_legacy_names_of_the_alias_are_nulled():
    manager = cluster(mode='sniff', alias='b', seeds=['b.example.com:9300'])
    current = state(version='6.8.23', persistent={'search.remote.b.seeds': ['b.example.com:9300']})
    desired = manager.desired(current)
    # no mode key before 7.6
    assert desired['request'] == {'persistent': {PREFIX + 'seeds': ['b.example.com:9300'], PREFIX + 'skip_unavailable': False,
                                                 'search.remote.b.seeds': None}}
    assert desired['persistent'] == {PREFIX + 'seeds': ['b.example.com:9300'], PREFIX + 'skip_unavailable': 'false'}


def test_absent_nulls_every_key_of_the_alias_in_both_scopes():
    manager = cluster(alias='b', state='absent')
    current = state(persistent={PREFIX + 'mode': 'proxy', 'search.remote.b.seeds': ['b.example.com:9300']},
                    transient={PREFIX + 'skip_unavailable': 'true'})
    desired = manager.desired(current)
    assert desired['request'] == {'persistent': {PREFIX + 'mode': None, 'search.remote.b.seeds': None},
                                  'transient': {PREFIX + 'skip_unavailable': None}}
    assert manager.differs(current, desired)
    assert manager.view(desired) == {}
    assert not manager.differs(state(), manager.desired(state()))


# -- CrossClusterApiKey --------------------------------------------------------------------------------------------
ACCESS = {'search': [{'names': ['logs-*']}]}
DAY_MS = 24 * 3600 * 1000
NOW_MS = int(time.time() * 1000)
FACTS = {'version': '8.15.0', 'now': NOW_MS}  # what the key's read observes besides the keys


def decide(manager, current):
    """The key manager's plan of the keys ``current`` as read."""
    return manager.plan(Observed(current, FACTS))


def api_key(check_mode=False, **params):
    options = dict(name='b-key', access=ACCESS)
    options.update(params)
    return CrossClusterApiKey.create(Context(check_mode=check_mode), None, **options)


def stored(key_id, days_old=1, expires_in_days=None, access=None, metadata=None):
    """A key as Elasticsearch lists it."""
    return {'id': key_id, 'name': 'b-key', 'type': 'cross_cluster', 'creation': NOW_MS - days_old * DAY_MS,
            'expiration': NOW_MS + expires_in_days * DAY_MS if expires_in_days is not None else None,
            'access': access or {'search': [{'names': ['logs-*'], 'allow_restricted_indices': False}]},
            'metadata': metadata if metadata is not None else {}}


def test_no_key_is_a_new_key_with_a_stand_in_secret_in_check_mode():
    manager = api_key(check_mode=True, expiration='90d')
    desired = decide(manager, []).desired
    assert manager.differs([], desired)
    assert manager.view([]) == {}
    # the expiration asked for is recorded in the metadata
    assert manager.view(desired) == {'id': None, 'name': 'b-key', 'metadata': {'requested_expiration': '90d'},
                                     'access': {'search': [{'names': ['logs-*'], 'allow_restricted_indices': False}], 'replication': []}}
    result = manager.report([], desired, True, FACTS)
    assert (result['created'], result['updated'], result['id'], result['encoded']) == (True, False, None, CHECK_MODE_ENCODED)
    assert result['previous_ids'] == [] and result['invalidated_ids'] == [] and result['expires_in_days'] is None


def test_a_key_as_wanted_is_no_change_and_reports_its_days_left():
    manager = api_key()
    current = [stored('k1', expires_in_days=30)]
    desired = decide(manager, current).desired
    assert desired[0]['id'] == 'k1'
    assert not manager.differs(current, desired)
    result = manager.report(current, desired, False, FACTS)
    assert (result['created'], result['updated'], result['id'], result['encoded']) == (False, False, 'k1', None)
    assert result['expiration'] == current[0]['expiration'] and result['expires_in_days'] == 30.0


def test_an_access_change_updates_the_newest_key_in_place():
    manager = api_key(access={'search': [{'names': ['logs-*', 'metrics-*']}]})
    current = [stored('k1')]
    desired = decide(manager, current).desired
    assert [k['id'] for k in desired] == ['k1']
    assert manager.differs(current, desired)
    result = manager.report(current, desired, True, FACTS)
    assert (result['created'], result['updated'], result['id'], result['invalidated_ids']) == (False, True, 'k1', [])
    # Elasticsearch found nothing to change after all: the key stays as it was
    assert not manager.report(current, current, True, FACTS)['updated']


def test_rotate_creates_a_key_and_keeps_or_invalidates_the_previous_one():
    current = [stored('k1')]
    keep = api_key(rotate=True)
    desired = decide(keep, current).desired
    assert [k['id'] for k in desired] == [None, 'k1']
    assert keep.differs(current, desired)
    result = keep.report(current, desired, True, FACTS)
    assert (result['created'], result['previous_ids'], result['invalidated_ids']) == (True, ['k1'], [])
    invalidate = api_key(rotate=True, invalidate_previous=True)
    desired = decide(invalidate, current).desired
    assert [k['id'] for k in desired] == [None]
    result = invalidate.report(current, desired, True, FACTS)
    assert (result['created'], result['previous_ids'], result['invalidated_ids']) == (True, ['k1'], ['k1'])


def test_several_keys_of_one_owner_are_replaced_by_a_new_key_with_a_warning():
    metadata = {'managed_by': MANAGED_BY, 'local_cluster_id': 'a' * 32, 'alias': 'b'}
    manager = api_key(metadata=metadata)
    current = [stored('k2', metadata=metadata), stored('k1', days_old=2, metadata=metadata)]
    plan = decide(manager, current)
    desired = plan.desired
    assert plan.changed and [k['id'] for k in desired] == [None, 'k2', 'k1']
    assert len(plan.warnings) == 1 and 'a new key replaces them' in plan.warnings[0]
    assert manager.report(current, desired, True, FACTS)['previous_ids'] == ['k2', 'k1']


def test_a_key_that_expires_within_rotate_before_days_is_replaced():
    manager = api_key(rotate_before_days=14, expiration='90d')
    current = [stored('k1', expires_in_days=10, metadata={'requested_expiration': '90d'})]
    plan = decide(manager, current)
    desired = plan.desired
    assert plan.changed and [k['id'] for k in desired] == [None, 'k1']
    assert len(plan.warnings) == 1 and 'rotate_before_days: 14' in plan.warnings[0]
    assert manager.report(current, desired, True, FACTS)['expires_in_days'] == 10.0


def test_absent_invalidates_every_key():
    manager = api_key(state='absent', access=None)
    current = [stored('k2'), stored('k1', days_old=2)]
    desired = decide(manager, current).desired
    assert desired == [] and manager.differs(current, desired) and not manager.differs([], decide(manager, []).desired)
    result = manager.report(current, desired, True, FACTS)
    assert (result['id'], result['created'], result['updated'], result['invalidated_ids']) == (None, False, False, ['k2', 'k1'])
    assert result['expires_in_days'] is None


def test_the_view_never_shows_a_secret():
    manager = api_key()
    after = [dict(decide(manager, []).desired[0], id='k9', encoded='ZW5jb2RlZA==', api_key='c2VjcmV0')]
    assert sorted(manager.view(after)) == ['access', 'id', 'metadata', 'name']
