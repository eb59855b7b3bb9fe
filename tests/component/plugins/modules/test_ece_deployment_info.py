# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ece_deployment_info against the simulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

MODULE = 'ece_deployment_info'
SEARCH_PATH = '/api/v1/deployments/_search'
READ_FLAGS = {'show_settings': 'true', 'show_metadata': 'true', 'show_plans': 'true', 'clear_transient': 'true'}


def deployment_path(deployment_id):
    return '/api/v1/deployments/%s' % deployment_id


def env_deployments(sim, env):
    return sim.info['environments'][env]['deployments']


def test_one_deployment_is_read_with_one_get_of_settings_metadata_and_plans(sim, conn, run_module):
    search_a = conn.deployment('ece-a', 'search-a')
    result = run_module(MODULE, conn.ece('ece-a', deployment_id=search_a['id']))
    assert result['changed'] is False
    assert [(r['method'], r['path'], r['query']) for r in sim.requests()] == [
        ('GET', deployment_path(search_a['id']), READ_FLAGS)]
    [deployment] = result['deployments']
    assert (deployment['id'], deployment['name'], deployment['healthy']) == (search_a['id'], 'search-a', True)


def test_elasticsearch_resource_carries_ids_version_health_and_endpoint(sim, conn, run_module):
    search_a = conn.deployment('ece-a', 'search-a')
    result = run_module(MODULE, conn.ece('ece-a', deployment_id=search_a['id']))
    [es] = result['deployments'][0]['elasticsearch']
    expected = search_a['elasticsearch']
    assert es['ref_id'] == expected['ref_id']
    assert es['cluster_id'] == expected['cluster_id']
    assert es['version'] == expected['version'] == '8.14.3'
    assert es['running_version'] == expected['version']
    assert es['endpoint'] == expected['endpoint']
    assert es['region'] == 'ece-region'
    assert (es['healthy'], es['status'], es['pending_plan']) == (True, 'started', False)
    assert es['service_url']
    assert es['aliased_endpoint'] is None
    assert set(es['ports']) == {'http', 'https', 'transport_passthrough'}
    assert all(isinstance(port, int) for port in es['ports'].values())


def test_trust_and_the_environment_account_are_returned(sim, conn, run_module):
    search_a = conn.deployment('ece-a', 'search-a')
    account_id = sim.info['environments']['ece-a']['account_id']
    result = run_module(MODULE, conn.ece('ece-a', deployment_id=search_a['id']))
    [es] = result['deployments'][0]['elasticsearch']
    assert es['trust'] == {'accounts': [{'account_id': account_id, 'trust_all': True}]}
    assert es['account_id'] == account_id


def test_a_stopped_cluster_has_a_plan_version_but_no_running_version(sim, conn, run_module):
    search_a = conn.deployment('ece-a', 'search-a')
    sim.mutate({'op': 'set_status', 'env': 'ece-a', 'deployment': 'search-a', 'status': 'stopped'})
    result = run_module(MODULE, conn.ece('ece-a', deployment_id=search_a['id']))
    [es] = result['deployments'][0]['elasticsearch']
    assert es['status'] == 'stopped'
    assert es['version'] == '8.14.3'
    assert es['running_version'] is None


def test_remote_connection_uses_the_endpoint_and_the_default_ports(sim, conn, run_module):
    search_a = conn.deployment('ece-a', 'search-a')
    result = run_module(MODULE, conn.ece('ece-a', deployment_id=search_a['id']))
    [es] = result['deployments'][0]['elasticsearch']
    endpoint = search_a['elasticsearch']['endpoint']
    assert es['ports']['transport_passthrough'] == 9400
    assert es['remote_connection'] == {
        # the transport passthrough port ECE reports for the deployment, where the TLS-certificate model connects
        'certificate': {'proxy_address': '%s:%d' % (endpoint, es['ports']['transport_passthrough']), 'server_name': endpoint},
        'api_key': {'proxy_address': endpoint + ':9443', 'server_name': endpoint},
        'legacy_sniff': {'seeds': [endpoint + ':1'], 'proxy': '%s:%d' % (endpoint, es['ports']['transport_passthrough'])},
    }


def test_remote_connection_ports_are_configurable(sim, conn, run_module):
    search_a = conn.deployment('ece-a', 'search-a')
    result = run_module(MODULE, conn.ece('ece-a', deployment_id=search_a['id'], certificate_port=19400, api_key_port=9444))
    connection = result['deployments'][0]['elasticsearch'][0]['remote_connection']
    endpoint = search_a['elasticsearch']['endpoint']
    assert connection['certificate']['proxy_address'] == endpoint + ':19400'
    assert connection['api_key']['proxy_address'] == endpoint + ':9444'


def test_kibana_resources_are_listed_with_their_status(sim, conn, run_module):
    search_a = conn.deployment('ece-a', 'search-a')
    sim.mutate({'op': 'set_status', 'env': 'ece-a', 'deployment': 'search-a', 'resource': 'kibana', 'status': 'stopped'})
    result = run_module(MODULE, conn.ece('ece-a', deployment_id=search_a['id']))
    [kibana] = result['deployments'][0]['kibana']
    assert kibana['id'] == search_a['kibana_id']
    assert kibana['status'] == 'stopped'
    assert kibana['healthy'] is False
    assert kibana['ref_id']


def test_a_running_plan_shows_as_pending(sim, conn, run_module):
    search_a = conn.deployment('ece-a', 'search-a')
    sim.mutate({'op': 'start_plan', 'env': 'ece-a', 'deployment': 'search-a', 'seconds': 60})
    try:
        result = run_module(MODULE, conn.ece('ece-a', deployment_id=search_a['id']))
    finally:
        sim.mutate({'op': 'complete_plans'})
    assert result['deployments'][0]['elasticsearch'][0]['pending_plan'] is True


def test_deployment_ids_are_read_in_order_once_each(sim, conn, run_module):
    ids = [conn.deployment('ece-a', name)['id'] for name in ('legacy-a', 'search-a', 'logs-a')]
    result = run_module(MODULE, conn.ece('ece-a', deployment_ids=ids + [ids[0]]))
    assert [d['id'] for d in result['deployments']] == ids
    assert [d['name'] for d in result['deployments']] == ['legacy-a', 'search-a', 'logs-a']
    requests = sim.requests()
    assert sorted(r['path'] for r in requests) == sorted(deployment_path(i) for i in ids)
    assert all(r['method'] == 'GET' and r['query'] == READ_FLAGS for r in requests)


def _interval(entry):
    start = datetime.datetime.strptime(entry['time'], '%Y-%m-%dT%H:%M:%S.%fZ').timestamp()
    return start, start + entry['duration_ms'] / 1000.0


def test_several_deployments_are_read_concurrently(sim, conn, run_module):
    ids = [d['id'] for d in env_deployments(sim, 'ece-a').values()]
    sim.settings(latency_ms=300)
    try:
        run_module(MODULE, conn.ece('ece-a', deployment_ids=ids))
    finally:
        sim.settings(latency_ms=0)
    intervals = [_interval(r) for r in sim.requests()]
    assert len(intervals) == len(ids) == 3
    # every request started before the first one ended: they were in flight together
    assert max(start for start, dummy in intervals) < min(end for dummy, end in intervals)


def test_without_a_selector_every_deployment_is_found_with_a_read_only_search(sim, conn, run_module):
    expected = env_deployments(sim, 'ece-b')
    result = run_module(MODULE, conn.ece('ece-b'))
    assert sorted(d['name'] for d in result['deployments']) == sorted(expected)
    requests = sim.requests()
    assert requests[0]['method'] == 'POST' and requests[0]['path'] == SEARCH_PATH
    assert requests[0]['write'] is False
    assert requests[0]['body']['query'] == {'match_all': {}}
    assert sorted(r['path'] for r in requests[1:]) == sorted(deployment_path(d['id']) for d in expected.values())
    assert [r for r in requests if r['write']] == []


def test_name_keeps_only_the_exact_name(sim, conn, run_module):
    search_a = conn.deployment('ece-a', 'search-a')
    sim.mutate({'op': 'rename_deployment', 'env': 'ece-a', 'deployment': 'logs-a', 'name': 'search-a copy'})
    sim.clear_log()
    result = run_module(MODULE, conn.ece('ece-a', name='search-a'))
    assert [d['id'] for d in result['deployments']] == [search_a['id']]
    search, get = sim.requests()
    assert search['path'] == SEARCH_PATH and search['body']['query'] == {
        'match': {'name': {'query': 'search-a', 'operator': 'and'}}}
    assert get['path'] == deployment_path(search_a['id'])


def test_a_name_no_deployment_has_returns_an_empty_list(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-a', name='search'))
    assert result['deployments'] == []
    assert [r['path'] for r in sim.requests()] == [SEARCH_PATH]


def test_a_missing_deployment_fails_with_the_api_s_404(sim, conn, run_module):
    missing = '0' * 32
    result = run_module(MODULE, conn.ece('ece-a', deployment_ids=[conn.deployment('ece-a', 'search-a')['id'], missing]))
    assert result['failed'] is True
    assert result['status'] == 404
    assert 'deployments.deployment_not_found' in result['msg']
    assert missing in result['msg']


def test_check_mode_reads_the_same_and_writes_nothing(sim, conn, run_module):
    args = conn.ece('ece-c')
    normal = run_module(MODULE, args)
    checked = run_module(MODULE, args, check_mode=True)
    assert checked['changed'] is False
    assert checked['deployments'] == normal['deployments']
    assert [r for r in sim.requests() if r['write']] == []


@pytest.mark.parametrize('option, value', [
    ('deployment_id', 'search-a'),
    ('deployment_id', '6B04259EFEA3D39668F7232C9E923797'),
    ('deployment_ids', ['0' * 32, 'not-an-id']),
])
def test_an_id_that_is_not_32_hex_fails_before_any_request(sim, conn, run_module, option, value):
    result = run_module(MODULE, conn.ece('ece-a', **{option: value}))
    assert result['failed'] is True
    assert option in result['msg'] and 'not a deployment ID' in result['msg']
    assert sim.requests() == []


def test_selectors_are_mutually_exclusive(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-a', deployment_id='0' * 32, name='search-a'))
    assert result['failed'] is True
    assert 'mutually exclusive' in result['msg']
    assert sim.requests() == []


def test_a_port_out_of_range_fails_before_any_request(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-a', certificate_port=70000))
    assert result['failed'] is True
    assert 'certificate_port' in result['msg']
    assert sim.requests() == []


@pytest.fixture
def many_deployments():
    """A simulator of its own (one test uses it): one environment with 20 deployments."""
    from ecesim.testing import Simulator  # pylint: disable=import-error
    scenario = {'environments': [{'name': 'ece-many', 'ece_version': '3.8.0', 'region': 'ece-region', 'proxy_ca': 'public',
                                  'generate': [{'count': 20, 'name': 'bulk-{n:02d}', 'versions': ['8.15.1']}]}]}
    simulator = Simulator.start(scenario=scenario)
    yield simulator
    simulator.stop()


def test_many_deployments_are_read_concurrently_by_at_most_eight_requests_at_a_time(many_deployments, run_module):
    sim = many_deployments
    info = sim.info['environments']['ece-many']
    sim.settings(latency_ms=150)
    sim.clear_log()
    result = run_module(MODULE, dict(ece_url=info['ece_url'], ece_api_key=info['api_key'], ca_path=sim.info['ca_bundle']))
    assert len(result['deployments']) == 20
    reads = [r for r in sim.requests() if r['method'] == 'GET']
    assert len(reads) == 20 and len(set(r['path'] for r in reads)) == 20
    events = sorted([(start, 1) for start, dummy in map(_interval, reads)] + [(end, -1) for dummy, end in map(_interval, reads)])
    in_flight, most = 0, 0
    for dummy, change in events:
        in_flight += change
        most = max(most, in_flight)
    assert 2 <= most <= 8  # concurrent, with a bounded pool
