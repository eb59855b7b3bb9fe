# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keys replaced before they expire (rotate_before_days), by es_cross_cluster_api_key and by remote_cluster_link."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import (
    API_KEY, MODULE, converge, es_state, link)

ACCESS = {'search': [{'names': ['logs-*']}]}


def active(sim, env, deployment):
    return [k for k in es_state(sim, env, deployment)['api_keys'] if k['type'] == 'cross_cluster' and not k['invalidated']]


def key(conn, **options):
    return conn.es('ece-b', 'ingest-b', name='k', access=ACCESS, **options)


def test_a_key_that_expires_within_rotate_before_days_is_replaced(sim, conn, run_module):
    first = run_module('es_cross_cluster_api_key', key(conn, expiration='10d'))
    kept = run_module('es_cross_cluster_api_key', key(conn, expiration='10d', rotate_before_days=5))
    assert kept['changed'] is False and kept['created'] is False
    assert 9.9 < kept['expires_in_days'] <= 10

    replaced = run_module('es_cross_cluster_api_key', key(conn, expiration='30d', rotate_before_days=14))

    assert replaced['created'] is True and replaced['previous_ids'] == [first['id']], replaced
    assert replaced['encoded'] and replaced['id'] != first['id']
    assert sorted(k['id'] for k in active(sim, 'ece-b', 'ingest-b')) == sorted([first['id'], replaced['id']])


def test_an_expiration_not_longer_than_rotate_before_days_is_refused_before_any_request(sim, conn, run_module):
    sim.clear_log()
    result = run_module('es_cross_cluster_api_key', key(conn, expiration='7d', rotate_before_days=14))
    assert result.get('failed') is True and 'every run would replace the key' in result['msg']
    assert sim.requests() == []


def test_a_link_replaces_a_key_before_it_expires_without_an_outage_then_converges(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY, expiration='10d', credentials_settle_seconds=1)  # the simulator's nodes hold a file in 0.4 s
    first = converge(run_module, args)
    args.update(expiration='30d', rotate_before_days=14)

    rotated = run_module(MODULE, args)

    assert rotated['changed'] is True and rotated['api_key']['created'] is True, rotated
    assert rotated['api_key']['invalidated_ids'] == [first['api_key']['id']]
    assert [k['id'] for k in active(sim, 'ece-b', 'data-b')] == [rotated['api_key']['id']]
    assert rotated['remote_info']['connected'] is True
    # the new key lives 30 days: nothing to replace on the next run
    again = run_module(MODULE, args)
    assert again['changed'] is False and again['api_key']['created'] is False
