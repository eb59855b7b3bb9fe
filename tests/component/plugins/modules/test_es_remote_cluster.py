# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""es_remote_cluster against the simulator's Elasticsearch clusters (default scenario)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

MODULE = 'es_remote_cluster'
ALIAS = 'logs_a'


# -- helpers --------------------------------------------------------------------------------------------------------------
def reads(sim):
    return [r for r in sim.requests() if not r['write']]


def endpoint(conn, env, deployment):
    return conn.deployment(env, deployment)['elasticsearch']['endpoint']


def proxy_args(conn, env='ece-a', deployment='search-a', remote=('ece-a', 'logs-a'), **extra):
    """Proxy mode from ``deployment`` to ``remote`` over the transport passthrough port 9400 (TLS-certificate model)."""
    host = endpoint(conn, *remote)
    args = dict(conn.es(env, deployment), alias=ALIAS, mode='proxy', proxy_address='%s:9400' % host, server_name=host)
    args.update(extra)
    return dict((k, v) for k, v in args.items() if v is not None)  # None: the option is not given


def legacy_args(conn, env='ece-a', deployment='legacy-a', remote=('ece-b', 'old-b'), **extra):
    host = endpoint(conn, *remote)
    args = dict(conn.es(env, deployment), alias=ALIAS, mode='sniff', seeds=['%s:1' % host], proxy='%s:9400' % host)
    args.update(extra)
    return args


def warnings(result):
    """Warning texts (ansible-core 2.19 returns structured warnings, earlier versions strings)."""
    return [w['event']['msg'] if isinstance(w, dict) else w for w in result.get('warnings') or []]


def stored(sim, env, deployment, scope='persistent'):
    return sim.state()['environments'][env]['deployments'][deployment]['elasticsearch'][scope]


def put_bodies(sim):
    return [r['body'] for r in sim.requests(write=True) if r['method'] == 'PUT' and r['path'] == '/_cluster/settings']


# -- the standard sequence --------------------------------------------------------------------------------------------------
def test_check_mode_on_a_new_alias_predicts_a_change_and_sends_no_write(sim, conn, run_module):
    result = run_module(MODULE, proxy_args(conn), check_mode=True)

    assert result['changed'] is True
    assert result['remote_cluster']['proxy_address'].endswith(':9400')
    assert sim.requests(write=True) == []
    assert stored(sim, 'ece-a', 'search-a') == {}


def test_proxy_mode_on_8x_writes_address_server_name_and_explicit_skip_unavailable(sim, conn, run_module):
    host = endpoint(conn, 'ece-a', 'logs-a')

    result = run_module(MODULE, proxy_args(conn))

    assert result['changed'] is True
    assert put_bodies(sim) == [{'persistent': {
        'cluster.remote.logs_a.mode': 'proxy',
        'cluster.remote.logs_a.proxy_address': '%s:9400' % host,
        'cluster.remote.logs_a.server_name': host,
        'cluster.remote.logs_a.skip_unavailable': False,
    }}]
    assert result['remote_cluster'] == {'mode': 'proxy', 'proxy_address': '%s:9400' % host, 'server_name': host,
                                        'skip_unavailable': 'false'}
    assert stored(sim, 'ece-a', 'search-a') == dict(('cluster.remote.logs_a.%s' % k, v) for k, v in result['remote_cluster'].items())


def test_second_identical_run_is_unchanged_and_only_reads(sim, conn, run_module):
    run_module(MODULE, proxy_args(conn))
    sim.clear_log()

    result = run_module(MODULE, proxy_args(conn))

    assert result['changed'] is False
    assert sim.requests(write=True) == []
    assert [(r['method'], r['path']) for r in reads(sim)] == [('GET', '/'), ('GET', '/_cluster/settings'), ('GET', '/_remote/info')]


def test_check_mode_on_a_converged_alias_predicts_no_change(sim, conn, run_module):
    run_module(MODULE, proxy_args(conn))
    sim.clear_log()

    result = run_module(MODULE, proxy_args(conn), check_mode=True)

    assert result['changed'] is False
    assert sim.requests(write=True) == []


def test_diff_shows_the_alias_settings_before_and_after(sim, conn, run_module):
    host = endpoint(conn, 'ece-a', 'logs-a')
    run_module(MODULE, proxy_args(conn))

    result = run_module(MODULE, proxy_args(conn, skip_unavailable=True, proxy_socket_connections=6), diff=True)

    assert result['diff']['before'] == {'mode': 'proxy', 'proxy_address': '%s:9400' % host, 'server_name': host,
                                        'skip_unavailable': 'false'}
    assert result['diff']['after'] == {'mode': 'proxy', 'proxy_address': '%s:9400' % host, 'server_name': host,
                                       'skip_unavailable': 'true', 'proxy_socket_connections': '6'}


def test_changing_skip_unavailable_writes_it_and_reports_a_change(sim, conn, run_module):
    run_module(MODULE, proxy_args(conn))
    sim.clear_log()

    result = run_module(MODULE, proxy_args(conn, skip_unavailable=True))

    assert result['changed'] is True
    assert put_bodies(sim)[0]['persistent']['cluster.remote.logs_a.skip_unavailable'] is True
    assert stored(sim, 'ece-a', 'search-a')['cluster.remote.logs_a.skip_unavailable'] == 'true'


def test_skip_unavailable_is_always_in_the_body_even_when_left_at_its_default(sim, conn, run_module):
    args = proxy_args(conn)
    run_module(MODULE, dict(args, alias='first'))
    run_module(MODULE, legacy_args(conn))
    run_module(MODULE, dict(proxy_args(conn, deployment='analytics-c', env='ece-c', remote=('ece-c', 'analytics-c'))))

    bodies = put_bodies(sim)
    assert len(bodies) == 3
    for body in bodies:
        assert [k for k in body['persistent'] if k.endswith('.skip_unavailable')], body


def test_an_unrelated_alias_is_left_untouched(sim, conn, run_module):
    other = endpoint(conn, 'ece-a', 'legacy-a')
    sim.mutate({'op': 'set_es_settings', 'env': 'ece-a', 'deployment': 'search-a', 'persistent': {
        'cluster.remote.other.mode': 'proxy', 'cluster.remote.other.proxy_address': '%s:9400' % other,
        'cluster.remote.other.skip_unavailable': 'true'}})
    sim.clear_log()

    run_module(MODULE, proxy_args(conn))
    run_module(MODULE, proxy_args(conn, mode='sniff', proxy_address=None, server_name=None, seeds=['%s:9300' % other]))
    run_module(MODULE, dict(conn.es('ece-a', 'search-a'), alias=ALIAS, state='absent'))

    bodies = put_bodies(sim)
    assert len(bodies) == 3
    for body in bodies:
        for scope in body.values():
            assert all(key.startswith('cluster.remote.%s.' % ALIAS) for key in scope), body
    persistent = stored(sim, 'ece-a', 'search-a')
    assert persistent == {'cluster.remote.other.mode': 'proxy', 'cluster.remote.other.proxy_address': '%s:9400' % other,
                          'cluster.remote.other.skip_unavailable': 'true'}


def test_settings_not_given_are_kept(sim, conn, run_module):
    run_module(MODULE, proxy_args(conn, proxy_socket_connections=4))
    sim.clear_log()

    result = run_module(MODULE, proxy_args(conn, skip_unavailable=True))

    assert 'cluster.remote.logs_a.proxy_socket_connections' not in put_bodies(sim)[0]['persistent']
    assert result['remote_cluster']['proxy_socket_connections'] == '4'
    assert stored(sim, 'ece-a', 'search-a')['cluster.remote.logs_a.proxy_socket_connections'] == '4'


# -- mode switches -----------------------------------------------------------------------------------------------------------
def test_switch_from_sniff_to_proxy_nulls_the_sniff_keys_in_the_same_request(sim, conn, run_module):
    host = endpoint(conn, 'ece-a', 'logs-a')
    run_module(MODULE, dict(conn.es('ece-a', 'search-a'), alias=ALIAS, mode='sniff', seeds=['%s:9300' % host], node_connections=2))
    sim.clear_log()

    result = run_module(MODULE, proxy_args(conn))

    assert result['changed'] is True
    body = put_bodies(sim)
    assert len(body) == 1
    assert body[0]['persistent']['cluster.remote.logs_a.seeds'] is None
    assert body[0]['persistent']['cluster.remote.logs_a.node_connections'] is None
    assert body[0]['persistent']['cluster.remote.logs_a.mode'] == 'proxy'
    assert body[0]['persistent']['cluster.remote.logs_a.proxy_address'] == '%s:9400' % host
    expected = ['cluster.remote.logs_a.%s' % k for k in ('mode', 'proxy_address', 'server_name', 'skip_unavailable')]
    assert sorted(stored(sim, 'ece-a', 'search-a')) == expected


def test_switch_from_proxy_to_sniff_nulls_the_proxy_keys_in_the_same_request(sim, conn, run_module):
    host = endpoint(conn, 'ece-a', 'logs-a')
    run_module(MODULE, proxy_args(conn, proxy_socket_connections=3))
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-a', 'search-a'), alias=ALIAS, seeds=['%s:9300' % host]))

    assert result['changed'] is True
    assert put_bodies(sim) == [{'persistent': {
        'cluster.remote.logs_a.mode': 'sniff',
        'cluster.remote.logs_a.seeds': ['%s:9300' % host],
        'cluster.remote.logs_a.skip_unavailable': False,
        'cluster.remote.logs_a.proxy_address': None,
        'cluster.remote.logs_a.server_name': None,
        'cluster.remote.logs_a.proxy_socket_connections': None,
    }}]
    assert result['remote_cluster'] == {'mode': 'sniff', 'seeds': ['%s:9300' % host], 'skip_unavailable': 'false'}


# -- versions ------------------------------------------------------------------------------------------------------------------
def test_legacy_sniff_mode_with_proxy_on_7_5_has_no_mode_key_and_converges(sim, conn, run_module):
    host = endpoint(conn, 'ece-b', 'old-b')

    result = run_module(MODULE, legacy_args(conn))

    assert result['changed'] is True
    assert result['elasticsearch_version'].startswith('7.5.')
    assert put_bodies(sim) == [{'persistent': {
        'cluster.remote.logs_a.seeds': ['%s:1' % host],
        'cluster.remote.logs_a.proxy': '%s:9400' % host,
        'cluster.remote.logs_a.skip_unavailable': False,
    }}]
    sim.clear_log()
    again = run_module(MODULE, legacy_args(conn))
    assert again['changed'] is False
    assert sim.requests(write=True) == []


def test_proxy_mode_is_refused_below_7_6_before_any_write(sim, conn, run_module):
    result = run_module(MODULE, proxy_args(conn, deployment='legacy-a'))

    assert result['failed'] is True
    assert '7.6' in result['msg'] and 'sniff' in result['msg'] and '7.5.2' in result['msg']
    assert sim.requests(write=True) == []
    assert stored(sim, 'ece-a', 'legacy-a') == {}


def test_node_connections_is_refused_below_7_6_before_any_write(sim, conn, run_module):
    result = run_module(MODULE, legacy_args(conn, node_connections=2))

    assert result['failed'] is True
    assert 'node_connections' in result['msg'] and '7.6' in result['msg']
    assert sim.requests(write=True) == []


def test_legacy_proxy_setting_on_7_6_or_later_works_with_a_warning(sim, conn, run_module):
    result = run_module(MODULE, legacy_args(conn, deployment='search-a'))

    assert result['changed'] is True
    assert any('mode: proxy' in w for w in warnings(result))
    assert put_bodies(sim)[0]['persistent']['cluster.remote.logs_a.mode'] == 'sniff'


@pytest.mark.parametrize('env, deployment', [
    ('ece-c', 'archive-c'), ('ece-a', 'legacy-a'), ('ece-b', 'old-b'), ('ece-a', 'logs-a'), ('ece-a', 'search-a'),
    ('ece-b', 'data-b'), ('ece-c', 'analytics-c'),
])
def test_every_version_gets_its_mode_and_converges(sim, conn, run_module, env, deployment):
    version = conn.deployment(env, deployment)['elasticsearch']['version']
    if tuple(int(p) for p in version.split('.')[:2]) < (7, 6):
        args = legacy_args(conn, env=env, deployment=deployment)
    else:
        args = proxy_args(conn, env=env, deployment=deployment, remote=(env, deployment))

    check = run_module(MODULE, args, check_mode=True)
    first = run_module(MODULE, args)
    sim.clear_log()
    second = run_module(MODULE, args)

    assert (check['changed'], first['changed'], second['changed']) == (True, True, False)
    assert first['elasticsearch_version'] == version
    assert sim.requests(write=True) == []
    assert len(reads(sim)) <= 3
    assert check['remote_cluster'] == first['remote_cluster'] == second['remote_cluster']


# -- transient leftovers ------------------------------------------------------------------------------------------------------
def test_conflicting_transient_keys_of_the_alias_are_removed(sim, conn, run_module):
    host = endpoint(conn, 'ece-a', 'logs-a')
    sim.mutate({'op': 'set_es_settings', 'env': 'ece-a', 'deployment': 'search-a', 'transient': {
        'cluster.remote.logs_a.seeds': ['%s:9300' % host], 'cluster.remote.logs_a.skip_unavailable': 'true',
        'cluster.remote.other.seeds': ['%s:9300' % host]}})
    sim.clear_log()

    result = run_module(MODULE, proxy_args(conn))

    assert result['changed'] is True
    body = put_bodies(sim)[0]
    assert body['transient'] == {'cluster.remote.logs_a.seeds': None, 'cluster.remote.logs_a.skip_unavailable': None}
    assert body['persistent']['cluster.remote.logs_a.mode'] == 'proxy'
    assert stored(sim, 'ece-a', 'search-a', 'transient') == {'cluster.remote.other.seeds': ['%s:9300' % host]}
    assert any('transient' in w for w in warnings(result))
    assert result['remote_cluster']['skip_unavailable'] == 'false'


def test_transient_keys_equal_to_the_wanted_values_are_left_alone(sim, conn, run_module):
    run_module(MODULE, proxy_args(conn))
    sim.mutate({'op': 'set_es_settings', 'env': 'ece-a', 'deployment': 'search-a',
                'transient': {'cluster.remote.logs_a.skip_unavailable': 'false'}})
    sim.clear_log()

    result = run_module(MODULE, proxy_args(conn))

    assert result['changed'] is False
    assert sim.requests(write=True) == []


# -- absent ----------------------------------------------------------------------------------------------------------------------
def test_absent_nulls_every_key_of_the_alias_in_both_scopes(sim, conn, run_module):
    host = endpoint(conn, 'ece-a', 'logs-a')
    run_module(MODULE, proxy_args(conn, proxy_socket_connections=5))
    sim.mutate({'op': 'set_es_settings', 'env': 'ece-a', 'deployment': 'search-a',
                'transient': {'cluster.remote.logs_a.server_name': host}})
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-a', 'search-a'), alias=ALIAS, state='absent'), diff=True)

    assert result['changed'] is True
    assert put_bodies(sim) == [{
        'persistent': dict(('cluster.remote.logs_a.%s' % k, None)
                           for k in ('mode', 'proxy_address', 'server_name', 'skip_unavailable', 'proxy_socket_connections')),
        'transient': {'cluster.remote.logs_a.server_name': None},
    }]
    assert result['remote_cluster'] == {}
    assert result['remote_info'] is None
    assert result['diff']['after'] == {}
    assert stored(sim, 'ece-a', 'search-a') == {} and stored(sim, 'ece-a', 'search-a', 'transient') == {}


def test_absent_in_check_mode_predicts_the_removal_without_writing(sim, conn, run_module):
    run_module(MODULE, proxy_args(conn))
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-a', 'search-a'), alias=ALIAS, state='absent'), check_mode=True)

    assert result['changed'] is True
    assert sim.requests(write=True) == []
    assert len(stored(sim, 'ece-a', 'search-a')) == 4


def test_absent_twice_reports_no_change(sim, conn, run_module):
    run_module(MODULE, proxy_args(conn))
    run_module(MODULE, dict(conn.es('ece-a', 'search-a'), alias=ALIAS, state='absent'))
    sim.clear_log()

    result = run_module(MODULE, dict(conn.es('ece-a', 'search-a'), alias=ALIAS, state='absent'))

    assert result['changed'] is False
    assert sim.requests(write=True) == []


# -- waiting for the connection -------------------------------------------------------------------------------------------
def test_wait_for_connection_returns_once_the_remote_is_connected(sim, conn, run_module):
    # search-a and logs-a are in the same environment: the default trust (the environment's account, trust_all) suffices
    result = run_module(MODULE, proxy_args(conn, wait_for_connection=True, wait_timeout=10))

    assert result['changed'] is True
    assert result['remote_info']['connected'] is True
    assert result['remote_info']['mode'] == 'proxy'
    assert sim.diagnose('ece-a', 'search-a', ALIAS)['connected'] is True


def test_wait_for_connection_fails_naming_the_alias_and_the_last_state(sim, conn, run_module):
    # the API-key port without credentials: the chain is not right, so the alias never connects
    result = run_module(MODULE, proxy_args(conn, proxy_address='%s:9443' % endpoint(conn, 'ece-a', 'logs-a'),
                                           wait_for_connection=True, wait_timeout=1))

    assert result['failed'] is True
    assert ALIAS in result['msg'] and 'not connected after 1s' in result['msg']
    assert "'connected': False" in result['msg']
    assert result['remote_info']['connected'] is False
    # the verdict is a cross-cluster request, tried until the wait ends, never _remote/info
    assert 'a cross-cluster request failed (Unable to connect to [%s])' % ALIAS in result['msg']
    assert len([r for r in sim.requests() if r['path'].startswith('/_resolve/cluster/%s:' % ALIAS)]) >= 2


def test_wait_for_connection_is_skipped_in_check_mode(sim, conn, run_module):
    result = run_module(MODULE, proxy_args(conn, wait_for_connection=True, wait_timeout=5), check_mode=True)

    assert result['changed'] is True
    assert result['remote_info'] is None
    assert len([r for r in sim.requests() if r['path'] == '/_remote/info']) == 1


# -- bad input: no request at all -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('extra, words', [
    (dict(proxy_address='remote.example.com'), ['proxy_address', 'host:port']),
    (dict(proxy_address='remote.example.com:0'), ['proxy_address', '1 to 65535']),
    (dict(proxy_address='remote.example.com:70000'), ['proxy_address', '1 to 65535']),
    (dict(proxy_address='remote.example.com:http'), ['proxy_address', 'host:port']),
    (dict(proxy_address=':9300'), ['proxy_address', 'host:port']),
    (dict(mode='sniff', proxy_address=None, server_name=None, seeds=['ok.example.com:9300', 'bad']), ['seeds[1]', 'host:port']),
    (dict(mode='sniff', proxy_address=None, server_name=None, seeds=['a.example.com:1'], proxy='p.example.com'), ['proxy', 'host:port']),
    (dict(server_name='remote.example.com:9300'), ['server_name', 'without scheme or port']),
    (dict(alias='Logs.A'), ['alias', 'lower-case']),
    (dict(seeds=['a.example.com:9300']), ['seeds', 'sniff mode', 'mode: sniff']),
    (dict(mode=None, seeds=['a.example.com:9300']), ['proxy-mode', 'sniff-mode']),
    (dict(proxy_address=None), ['proxy mode needs proxy_address']),
    (dict(mode='sniff', proxy_address=None, server_name=None), ['sniff mode needs seeds']),
    (dict(mode=None, proxy_address=None, server_name=None), ['proxy_address (proxy mode) or seeds (sniff mode)']),
    (dict(proxy_socket_connections=0), ['proxy_socket_connections', '1 or more']),
])
def test_bad_input_fails_before_any_request(sim, conn, run_module, extra, words):
    result = run_module(MODULE, proxy_args(conn, **extra))

    assert result['failed'] is True
    for word in words:
        assert word in result['msg']
    assert sim.requests() == []
