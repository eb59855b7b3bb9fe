# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure decisions of a link (module_utils/_link_decisions.py): its options in, the options of its steps out."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils._link_decisions import (
    domain, key_options, named_account, remote_cluster_options, remote_hosts, role_options)

PARAMS = dict(model='api_key', alias='logs', metadata=None, api_key_name=None, access=None, expiration=None,
              rotate_before_days=None, replication=None, role={'name': 'reader', 'cluster': None, 'indices': None,
                                                               'remote_indices': None})
VIEW = {'cluster_id': 'c' * 32, 'version': '8.15.1', 'remote_connection': {
    'api_key': {'proxy_address': 'x.east:9443', 'server_name': 'x.east'},
    'certificate': {'proxy_address': 'x.east:9400', 'server_name': 'x.east'},
    'legacy_sniff': {'seeds': ['x.east:9400']}}}


def test_the_key_is_named_and_owned_by_the_link_and_grants_what_it_replicates():
    options = key_options(PARAMS, VIEW)
    assert options['name'] == 'logs-' + 'c' * 32 and options['invalidate_previous'] is False
    assert options['metadata'] == {'managed_by': 'ece.remote_clusters', 'local_cluster_id': 'c' * 32, 'alias': 'logs'}
    assert options['access'] == {'search': [{'names': ['*']}]}
    replicating = dict(PARAMS, replication={'followers': [{'name': 'o-copy', 'leader_index': 'o'}], 'auto_follow': []})
    assert key_options(replicating, VIEW)['access'] == {'search': [{'names': ['*']}], 'replication': [{'names': ['o']}]}
    given = dict(replicating, access={'search': [{'names': ['a']}]})
    assert key_options(given, VIEW)['access'] == {'search': [{'names': ['a']}]}  # given access is the user's: refused elsewhere


def test_the_role_reads_what_the_key_searches_and_replicates_what_the_link_follows():
    assert role_options(PARAMS)['remote_indices'] == [
        {'clusters': ['logs'], 'names': ['*'], 'privileges': ['read', 'read_cross_cluster', 'view_index_metadata']}]
    replicating = dict(PARAMS, replication={'followers': [], 'auto_follow': [
        {'name': 'p', 'leader_index_patterns': ['l-*'], 'follow_index_pattern': '{{leader_index}}-copy'}]})
    role = role_options(replicating)
    assert role['cluster'] == ['manage_ccr'] and role['indices'][0]['names'] == ['*-copy']
    assert role['remote_indices'][-1] == {'clusters': ['logs'], 'names': ['l-*'], 'privileges': ['cross_cluster_replication']}
    certificate = role_options(dict(replicating, model='certificate'))
    assert 'remote_indices' not in certificate and certificate['cluster'] == ['manage_ccr']


def test_the_connection_mode_follows_the_model_and_the_version():
    assert remote_cluster_options('api_key', VIEW, VIEW)['proxy_address'].endswith(':9443')
    assert remote_cluster_options('certificate', VIEW, VIEW) == dict(mode='proxy', proxy_address='x.east:9400', server_name='x.east')
    assert remote_cluster_options('certificate', dict(VIEW, version='7.5.2'), VIEW) == dict(mode='sniff', seeds=['x.east:9400'])


def test_what_settings_and_reads_say():
    settings = {'persistent': {'cluster.remote.a.proxy_address': 'h:9400', 'cluster.remote.b.seeds': ['s:9300', 'bad'],
                               'cluster.remote.a.mode': 'proxy'}}
    assert remote_hosts(settings) == {'a': {('h', 9400)}, 'b': {('s', 9300), ('bad', None)}}
    assert domain('abc.east.example') == 'east.example'
    view = {'account_id': 'acc', 'trust': {'accounts': [{'account_id': 'acc'}]}}
    assert named_account(view) is True and named_account(dict(view, trust={})) is False
