# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faithful to the real ECE and Elasticsearch (issue 12, points 1 to 4, and the plan part of issue 13), against a
simulator as strict as they are: the certificate model on the proxy's TLS passthrough port, connections probed,
plans tracked from the write on, credentials verified in ``_remote/info``, pending plans never taken for done."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import requests

LINK = 'remote_cluster_link'
CROSS = (('ece-a', 'search-a'), ('ece-b', 'data-b'))  # two environments: platform trust, external entries
SAME = (('ece-b', 'ingest-b'), ('ece-b', 'data-b'))   # one environment; ingest-b runs 8.12.2 (no credential reload)


# -- helpers ------------------------------------------------------------------------------------------------------
def side(conn, env, name, es=True):
    options = dict(deployment_id=conn.deployment(env, name)['id'], environment=env, ece=conn.ece(env))
    if es:
        options['es'] = conn.es(env, name)
        options['es'].pop('es_url')  # the module takes the deployment's service URL
    return options


def link(conn, model, local, remote, **options):
    args = dict(model=model, alias='peer', local=side(conn, *local), remote=side(conn, *remote, es=model == 'api_key'))
    args.update(options)
    return args


def es_state(sim, env, name):
    return sim.state()['environments'][env]['deployments'][name]['elasticsearch']


def requests_to(sim, env, name, method=None, path=None):
    server = 'es:%s/%s' % (env, name)
    return [r for r in sim.requests() if r['server'] == server and (method is None or r['method'] == method)
            and (path is None or path in r['path'])]


def restarts(sim):
    return [r for r in sim.requests() if r['method'] == 'POST' and r['path'].endswith('/_restart')]


def es_get(sim, env, name, path, **params):
    """A direct request to a simulated cluster, as an administrator would send it (not through the collection)."""
    info = sim.info['environments'][env]['deployments'][name]['elasticsearch']
    response = requests.get(info['url'] + path, params=params, auth=(info['username'], info['password']),
                            verify=sim.info['ca_bundle'], timeout=30)
    return response


def break_connection(sim, env, name, peer_env, peer_name, alias='peer'):
    """Leave ``alias`` of ``env/name`` disconnected with its settings right and its chain complete: the peer stops
    trusting it for a moment, during which a cross-cluster request makes a connection attempt fail; then the peer's
    trust is back. Elasticsearch does not retry the failed attempt by itself."""
    trust = es_state(sim, peer_env, peer_name)['trust']
    account = sim.info['environments'][peer_env]['account_id']
    sim.mutate({'op': 'set_trust', 'env': peer_env, 'deployment': peer_name,
                'trust': {'accounts': [{'account_id': account, 'trust_all': False, 'trust_allowlist': []}]}})
    es_get(sim, env, name, '/%s:nothing-*/_search' % alias, size='0')  # a cross-cluster search: an attempt, which fails
    assert es_get(sim, env, name, '/_remote/info').json()[alias]['connected'] is False
    sim.mutate({'op': 'set_trust', 'env': peer_env, 'deployment': peer_name, 'trust': trust})
    assert es_get(sim, env, name, '/_remote/info').json()[alias]['connected'] is False
    assert sim.diagnose(env, name, alias)['problems'][0].startswith('the last connection attempt of alias [%s]' % alias)


# -- 1. the certificate model connects on the port ECE's proxies serve for it -------------------------------------
def test_a_certificate_link_uses_the_transport_passthrough_port_and_connects(sim, conn, run_module):
    result = run_module(LINK, link(conn, 'certificate', *CROSS, wait_timeout=3))
    assert not result.get('failed'), result['msg']
    endpoint = conn.deployment('ece-b', 'data-b')['elasticsearch']['endpoint']
    assert result['remote_cluster']['remote_cluster']['proxy_address'] == '%s:9400' % endpoint
    assert result['remote_info']['connected'] is True
    assert sim.diagnose('ece-a', 'search-a', 'peer')['problems'] == []


def test_the_deployment_info_address_that_the_roles_use_connects(sim, conn, run_module):
    # the role remote_cluster_certificate: ece_deployment_info's remote_connection.certificate, then es_remote_cluster
    info = run_module('ece_deployment_info', conn.ece('ece-a', deployment_id=conn.deployment('ece-a', 'logs-a')['id']))
    certificate = info['deployments'][0]['elasticsearch'][0]['remote_connection']['certificate']
    assert certificate['proxy_address'].endswith(':9400')
    result = run_module('es_remote_cluster', dict(conn.es('ece-a', 'search-a'), alias='logs', mode='proxy', wait_for_connection=True,
                                                  wait_timeout=3, **certificate))
    assert not result.get('failed'), result['msg']
    assert result['remote_info']['connected'] is True


def test_a_certificate_alias_on_9300_is_never_connected_and_says_why(sim, conn, run_module):
    endpoint = conn.deployment('ece-a', 'logs-a')['elasticsearch']['endpoint']
    result = run_module('es_remote_cluster', dict(conn.es('ece-a', 'search-a'), alias='logs', mode='proxy', server_name=endpoint,
                                                  proxy_address='%s:9300' % endpoint, wait_for_connection=True, wait_timeout=1))
    assert result['failed'] is True and 'not connected after 1s' in result['msg']
    problems = ' '.join(sim.diagnose('ece-a', 'search-a', 'logs')['problems'])
    assert "9300 is the proxy's plain-text transport-client port" in problems


def test_an_existing_link_on_9300_is_corrected_on_the_next_run_with_a_diff(sim, conn, run_module):
    args = link(conn, 'certificate', *CROSS, wait_timeout=3)
    assert not run_module(LINK, args).get('failed')
    endpoint = conn.deployment('ece-b', 'data-b')['elasticsearch']['endpoint']
    # a link created by an earlier version of the collection, on the plain-text port
    sim.mutate({'op': 'set_es_settings', 'env': 'ece-a', 'deployment': 'search-a',
                'persistent': {'cluster.remote.peer.proxy_address': '%s:9300' % endpoint}})
    assert sim.diagnose('ece-a', 'search-a', 'peer')['connected'] is False
    sim.clear_log()
    result = run_module(LINK, args, diff=True)
    assert not result.get('failed'), result['msg']
    assert result['changed'] is True and result['remote_cluster']['changed'] is True
    diff = next(d for d in result['diff'] if 'remote cluster peer' in d['before_header'])
    assert diff['before']['proxy_address'] == '%s:9300' % endpoint and diff['after']['proxy_address'] == '%s:9400' % endpoint
    puts = requests_to(sim, 'ece-a', 'search-a', 'PUT', '/_cluster/settings')
    assert [p['body']['persistent']['cluster.remote.peer.proxy_address'] for p in puts] == ['%s:9400' % endpoint]
    assert result['remote_info']['connected'] is True
    assert run_module(LINK, args)['changed'] is False


# -- 2. a connection is probed, not only read ----------------------------------------------------------------------
def test_a_rerun_of_a_right_but_disconnected_link_probes_and_reports_connected(sim, conn, run_module):
    args = link(conn, 'certificate', *CROSS, wait_timeout=3)
    assert not run_module(LINK, args).get('failed')
    break_connection(sim, 'ece-a', 'search-a', 'ece-b', 'data-b')
    sim.clear_log()
    result = run_module(LINK, args)
    assert not result.get('failed'), result['msg']
    assert result['changed'] is False and result['remote_info']['connected'] is True
    local = requests_to(sim, 'ece-a', 'search-a')
    assert [r['method'] for r in local if r['write']] == []  # the settings were right: nothing written
    probes = [r['seq'] for r in local if r['path'] == '/_resolve/cluster/peer:*']  # search-a runs 8.14: the resolve API
    reads = [r['seq'] for r in local if r['path'] == '/_remote/info']
    assert probes and reads[-1] > probes[0]


def test_below_8_13_the_probe_is_a_search_that_reads_no_data(sim, conn, run_module):
    search = conn.deployment('ece-a', 'search-a')['elasticsearch']['endpoint']
    args = dict(conn.es('ece-a', 'logs-a'), alias='search', mode='proxy', proxy_address='%s:9400' % search, server_name=search,
                wait_for_connection=True, wait_timeout=3)
    assert run_module('es_remote_cluster', args)['remote_info']['connected'] is True
    break_connection(sim, 'ece-a', 'logs-a', 'ece-a', 'search-a', alias='search')
    sim.clear_log()
    result = run_module('es_remote_cluster', args)
    assert result['changed'] is False and result['remote_info']['connected'] is True
    searches = [r for r in requests_to(sim, 'ece-a', 'logs-a') if r['path'].endswith('/_search')]
    assert searches and all(r['path'].startswith('/search:') and r['query'].get('size') == '0' for r in searches)
    assert requests_to(sim, 'ece-a', 'logs-a', path='_resolve') == []  # 8.12 has no resolve cluster API


# -- 3. plans are tracked, not guessed ------------------------------------------------------------------------------
def test_a_plan_that_shows_late_is_awaited(sim, conn, run_module):
    sim.settings(plan_start_delay=0.5)  # longer than the first poll's pause
    dep = conn.deployment('ece-a', 'search-a')
    other_account = sim.info['environments']['ece-b']['account_id']
    result = run_module('ece_deployment_trust', conn.ece('ece-a', deployment_id=dep['id'],
                                                         accounts=[{'account_id': other_account, 'trust_all': True}]))
    assert not result.get('failed'), result['msg']
    state = es_state(sim, 'ece-a', 'search-a')
    assert state['pending_plan'] is None and state['applied_trust'] == state['trust']  # in force when the task ends
    assert result['plan'] and result['plan']['attempt_id'] == state['plan_history'][-1]['attempt_id']


def test_a_failed_plan_fails_the_step_with_the_plans_own_error(sim, conn, run_module):
    sim.fault(plan_failure='Unexpected error during step: [apply-cluster-settings]', env='ece-b', deployment='data-b')
    sim.clear_log()
    result = run_module(LINK, link(conn, 'certificate', *CROSS, wait_timeout=2))
    assert result['failed'] is True
    assert result['step'] == 'remote_trust'
    assert 'Unexpected error during step: [apply-cluster-settings]' in result['msg']
    assert requests_to(sim, 'ece-a', 'search-a', 'PUT', '/_cluster/settings') == []  # nothing after the failed step


# -- 4. credentials are verified, not assumed by version ------------------------------------------------------------
def test_credentials_that_the_nodes_reload_need_no_restart(sim, conn, run_module):
    sim.settings(keystore_reload_seconds=None)  # 8.14.3 whose nodes ECE never has reload: the link's reload call does
    result = run_module(LINK, link(conn, 'api_key', *CROSS, wait_timeout=5))
    assert not result.get('failed'), result['msg']
    assert restarts(sim) == [] and 'restart' not in result
    assert result['credentials'].startswith('reloaded on every node without a restart')
    assert result['remote_info']['connected'] is True and result['remote_info']['cluster_credentials'] == '::es_redacted::'


def test_credentials_whose_reload_the_nodes_refuse_are_loaded_by_a_restart(sim, conn, run_module):
    local = CROSS[0]
    sim.mutate({'op': 'set_reload_privileges', 'env': local[0], 'deployment': local[1], 'privileges': ['manage']})
    result = run_module(LINK, link(conn, 'api_key', *CROSS, wait_timeout=5, credentials_wait_timeout=2))
    assert not result.get('failed'), result['msg']
    assert result['restart']['restarted'] is True and len(restarts(sim)) == 1
    assert result['credentials'].startswith('loaded by a restart (the nodes refused to reload remote cluster credentials')
    assert result['remote_info']['connected'] is True and result['remote_info']['cluster_credentials'] == '::es_redacted::'


# -- issue 13: a pending plan is neither success nor a reason to start another ----------------------------------------
def test_a_trust_plan_that_never_ends_fails_every_run_naming_it_until_it_ends(sim, conn, run_module):
    sim.fault(plan_seconds=3600, env='ece-b', deployment='data-b', count=-1)
    args = link(conn, 'certificate', *CROSS, plan_wait_timeout=1, wait_timeout=2)
    first = run_module(LINK, args)
    assert first['failed'] is True and first['step'] == 'remote_trust' and 'still pending after 1s' in first['msg']
    pending = es_state(sim, 'ece-b', 'data-b')['pending_plan']
    assert pending is not None
    second = run_module(LINK, dict(args, wait_for_connection=False))
    assert second['failed'] is True and second['step'] == 'remote_trust'
    assert pending['attempt_id'] in second['msg'] and 'started 20' in second['msg']  # which plan, pending since when
    sim.clear_faults()
    sim.mutate({'op': 'complete_plans'})
    third = run_module(LINK, args)
    assert not third.get('failed'), third['msg']
    assert third['remote_info']['connected'] is True


def test_a_rerun_within_the_wait_waits_for_the_pending_trust_plan_then_succeeds(sim, conn, run_module):
    sim.fault(plan_seconds=2.5, env='ece-b', deployment='data-b')
    args = link(conn, 'certificate', *CROSS, plan_wait_timeout=1, wait_timeout=3)
    assert run_module(LINK, args)['failed'] is True
    started = time.monotonic()
    second = run_module(LINK, dict(args, plan_wait_timeout=30))
    assert not second.get('failed'), second['msg']
    assert time.monotonic() - started > 0.5  # it waited for the plan instead of taking the stored trust for applied
    assert es_state(sim, 'ece-b', 'data-b')['pending_plan'] is None
    assert second['remote_info']['connected'] is True


def test_a_rerun_while_the_links_own_restart_is_pending_waits_for_it_and_restarts_no_more(sim, conn, run_module):
    sim.fault(plan_seconds=3, env='ece-b', deployment='ingest-b')  # the restart of the first run is slow
    args = link(conn, 'api_key', *SAME, plan_wait_timeout=1, wait_timeout=3)
    first = run_module(LINK, args)
    assert first['failed'] is True and first['step'] == 'restart'
    assert len(restarts(sim)) == 1
    sim.clear_log()
    second = run_module(LINK, dict(args, plan_wait_timeout=30))
    assert not second.get('failed'), second['msg']
    assert restarts(sim) == []  # the first restart loads the credentials: no second one
    assert es_state(sim, 'ece-b', 'ingest-b')['restarts'] == 1
    assert second['remote_info']['connected'] is True and second['remote_info']['cluster_credentials'] == '::es_redacted::'
    assert 'restart' in second['credentials']


def test_after_a_failed_plan_the_next_write_waits_for_its_own_plan_not_that_failure(sim, conn, run_module):
    dep = conn.deployment('ece-a', 'search-a')
    sim.fault(plan_failure='Plan failed: no capacity in zone ece-zone-2', env='ece-a', deployment='search-a')
    trust = conn.ece('ece-a', deployment_id=dep['id'], accounts=[
        {'account_id': sim.info['environments']['ece-b']['account_id'], 'trust_all': True}])
    assert 'no capacity' in run_module('ece_deployment_trust', trust)['msg']
    failed = es_state(sim, 'ece-a', 'search-a')['plan_history'][-1]['attempt_id']
    restart = run_module('ece_deployment_restart', conn.ece('ece-a', deployment_id=dep['id']))
    assert not restart.get('failed'), restart['msg']  # the failed attempt is newer than the current one, but not the restart
    history = es_state(sim, 'ece-a', 'search-a')['plan_history']
    assert restart['plan']['attempt_id'] == history[-1]['attempt_id'] != failed and history[-1]['kind'] == 'restart'
