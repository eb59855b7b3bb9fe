# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""remote_cluster_link: migrations with a stated, minimal outage, an alias that ECE manages migrated without a needless
restart or a race with ECE's asynchronous list, and the revert path to certificates below 8.13."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_link_migration import as_api_key, certificate_link
from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import (
    MODULE, converge, es_state, link, write_kinds)

ALIAS = 'peer'


def settings_of(sim, env, name, alias=ALIAS):
    prefix = 'cluster.remote.%s.' % alias
    return dict((k[len(prefix):], v) for k, v in es_state(sim, env, name)['persistent'].items() if k.startswith(prefix))


def test_an_alias_that_ece_manages_moves_without_a_restart_and_stays_moved(sim, conn, run_module):
    local, remote = conn.deployment('ece-a', 'search-a'), conn.deployment('ece-a', 'logs-a')  # 8.14.3, 8.12.2
    managed = run_module('ece_remote_clusters', conn.ece('ece-a', deployment_id=local['id'], remote_clusters=[
        {'alias': ALIAS, 'deployment_id': remote['id']}]))
    assert managed['changed'] is True
    time.sleep(0.5)  # ECE writes the alias's settings a moment after it answered 202
    assert settings_of(sim, 'ece-a', 'search-a')['proxy_address'].endswith(':9400')
    args = link(conn, 'api_key', ('ece-a', 'search-a'), ('ece-a', 'logs-a'), credentials_settle_seconds=1)
    predicted = run_module(MODULE, args, check_mode=True)
    assert predicted['migrated'] is True and 'its removal from the ECE remote-clusters list' in predicted['outage']
    sim.clear_log()
    started = time.monotonic()
    migrated = run_module(MODULE, args)
    took = time.monotonic() - started
    assert migrated['changed'] is True and not migrated.get('failed'), migrated
    assert 'restart' not in migrated and es_state(sim, 'ece-a', 'search-a')['restarts'] == 0  # 8.14 reloads
    assert took < 15, took  # no wait for credentials on an alias that ECE had removed
    order = write_kinds(sim)
    assert order.index('deployment trust') < order.index('alias'), order  # ECE's list (a deployment path) before the alias
    time.sleep(0.6)  # anything ECE still had to apply has been applied
    assert settings_of(sim, 'ece-a', 'search-a')['proxy_address'].endswith(':9443')
    assert sim.diagnose('ece-a', 'search-a', ALIAS)['connected'] is True
    assert migrated['outage_seconds'] < took


def test_below_8_13_the_outage_is_the_restart_and_check_mode_says_so(sim, conn, run_module):
    args = link(conn, 'certificate', ('ece-b', 'ingest-b'), ('ece-b', 'data-b'), remote_es=True)  # 8.12.2 local
    converge(run_module, args)
    predicted = run_module(MODULE, as_api_key(args), check_mode=True)
    assert predicted['changed'] is True and 'the whole rolling restart' in predicted['outage']
    assert predicted['restart']['changed'] is True
    migrated = run_module(MODULE, as_api_key(args, credentials_settle_seconds=1))
    assert not migrated.get('failed') and migrated['restart']['changed'] is True, migrated
    assert sim.diagnose('ece-b', 'ingest-b', ALIAS)['connected'] is True


def test_the_guide_s_order_removes_the_alias_before_the_credentials_load(sim, conn, run_module):
    args = certificate_link(conn)
    converge(run_module, args)
    sim.clear_log()
    migrated = run_module(MODULE, as_api_key(args, migrate_alias='remove_first', credentials_settle_seconds=1))
    assert not migrated.get('failed'), migrated
    order = write_kinds(sim)
    first, last = order.index('alias'), len(order) - 1 - order[::-1].index('alias')
    assert first < order.index('/_nodes/reload_secure_settings') < last, order
    assert settings_of(sim, 'ece-a', 'search-a')['proxy_address'].endswith(':9443')


def test_a_certificate_link_re_created_below_8_13_drops_the_credentials_the_nodes_still_hold(sim, conn, run_module):
    api_key = link(conn, 'api_key', ('ece-b', 'ingest-b'), ('ece-b', 'data-b'), wait_timeout=10)  # 8.12.2: loads at a restart
    converge(run_module, api_key)
    removed = run_module(MODULE, dict(api_key, state='absent'))
    assert removed['changed'] is True and not removed.get('failed'), removed
    # the removal says no restart is needed, and the running nodes keep the credentials in memory
    nodes = es_state(sim, 'ece-b', 'ingest-b')['nodes']
    assert all('cluster.remote.%s.credentials' % ALIAS in n['loaded'] for n in nodes)
    certificate = run_module(MODULE, link(conn, 'certificate', ('ece-b', 'ingest-b'), ('ece-b', 'data-b'), wait_timeout=10))
    assert certificate['changed'] is True and not certificate.get('failed'), certificate
    assert certificate['restart']['changed'] is True and 'dropped from the running nodes by a restart' in certificate['credentials']
    assert sim.diagnose('ece-b', 'ingest-b', ALIAS)['connected'] is True


def test_a_migration_is_refused_before_any_write_while_followers_would_lose_replication(sim, conn, run_module):
    # a certificate link whose alias a follower index replicates through (search-a follows orders of data-b)
    args = link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', 'data-b'), remote_es=True, alias='ccr')
    converge(run_module, args)
    leader = conn.es('ece-b', 'data-b')
    import requests
    assert requests.put(leader['es_url'] + '/orders', auth=(leader['es_username'], leader['es_password']),
                        verify=leader['ca_path'], timeout=10).status_code == 200
    followed = run_module('es_ccr_follower', dict(conn.es('ece-a', 'search-a'), name='orders-copy', remote_cluster='ccr',
                                                  leader_index='orders', wait_timeout=10))
    assert followed['changed'] is True and not followed.get('failed'), followed
    sim.clear_log()
    refused = run_module(MODULE, dict(args, model='api_key', credentials_settle_seconds=1))
    assert refused['failed'] is True and refused['step'] == 'api_key'
    assert 'orders through ccr' in refused['msg'] and 'access.replication' in refused['msg']
    assert [r for r in sim.requests() if r['write']] == []
    access = {'search': [{'names': ['*']}], 'replication': [{'names': ['orders']}]}
    migrated = run_module(MODULE, dict(args, model='api_key', access=access, credentials_settle_seconds=1))
    assert migrated['changed'] is True and not migrated.get('failed'), migrated
    info = run_module('es_ccr_info', conn.es('ece-a', 'search-a'))
    follower, = [f for f in info['followers'] if f['follower_index'] == 'orders-copy']
    assert follower['status'] == 'active', follower
