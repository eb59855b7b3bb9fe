# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of the managers of _cluster.py (desired, differs, view): pure code, no simulator, no request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import RemoteCluster
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Context

PREFIX = 'cluster.remote.b.'
PROXY = dict(alias='b', proxy_address='b.example.com:9400', server_name='b.example.com')


def context(warnings=None):
    return Context(warn=warnings.append if warnings is not None else None)


def cluster(warnings=None, **params):
    return RemoteCluster.create(context(warnings), None, **params)


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
    warnings = []
    manager = cluster(warnings, **PROXY)
    current = state(persistent={PREFIX + 'mode': 'proxy', PREFIX + 'proxy_address': 'b.example.com:9400',
                                PREFIX + 'server_name': 'b.example.com', PREFIX + 'skip_unavailable': 'false'},
                    transient={PREFIX + 'skip_unavailable': 'true'})
    assert manager.view(current)['skip_unavailable'] == 'true'  # transient overrides persistent
    desired = manager.desired(current)
    assert desired['request'] == {'transient': {PREFIX + 'skip_unavailable': None}}
    assert desired['transient'] == {}
    assert manager.view(desired)['skip_unavailable'] == 'false'
    assert len(warnings) == 1 and 'transient' in warnings[0]


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
