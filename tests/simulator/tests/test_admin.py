"""Admin API: request log, reset, faults (status, latency, drop, slow and failing plans, concurrent changes), state."""

from __future__ import annotations

import time

import pytest
import requests

from ecesim.testing import SimulatorError, get_deployment, update_body, wait_plan


def test_request_log_records_method_path_status_timing_and_body(sim, ece, es):
    since = sim.last_seq()
    ece().get('/platform')
    es().put('/_cluster/settings', json={'persistent': {'cluster.remote.r1.seeds': ['h:9300']}}, params={'flat_settings': 'true'})
    entries = sim.requests(since=since)
    assert [entry['server'] for entry in entries] == ['ece:ece-a', 'es:ece-a/search-a']
    first, second = entries
    assert first['method'] == 'GET' and first['path'] == '/api/v1/platform' and first['status'] == 200 and first['write'] is False
    assert second['method'] == 'PUT' and second['query'] == {'flat_settings': 'true'} and second['write'] is True
    assert second['body'] == {'persistent': {'cluster.remote.r1.seeds': ['h:9300']}}
    assert second['deployment'] == 'search-a' and second['env'] == 'ece-a'
    for entry in entries:
        assert entry['duration_ms'] >= 0 and entry['seq'] > since and entry['time'].endswith('Z')
        assert entry['spec_violation'] is None and entry['fault'] is None


def test_request_log_marks_read_only_posts_as_not_writes(sim, ece, es):
    ece().post('/deployments/_search', json={'query': {'match_all': {}}})
    es().post('/_security/_query/api_key', json={})
    ece().patch('/deployments/%s/elasticsearch/main-elasticsearch/keystore' % sim.deployment('ece-a', 'search-a')['id'],
                json={'secrets': {'a.b': {'value': 'x'}}})
    writes = sim.requests(write=True)
    assert [entry['method'] for entry in writes] == ['PATCH']
    assert len(sim.requests(write=False)) == 2
    assert len(sim.requests(server='^es:')) == 1


def test_request_log_can_be_cleared(sim, ece):
    ece().get('/platform')
    assert sim.requests()
    sim.clear_log()
    assert sim.requests() == []


def test_reset_restores_the_initial_state_with_the_same_ids_ports_and_credentials(sim, ece, es):
    dep = sim.deployment('ece-a', 'search-a')
    before = sim.state()['environments']['ece-a']
    ece().post('/platform/configuration/trust-relationships',
               json={'name': 'x', 'public_ca_cert': open(sim.env('ece-b')['ca_cert_file'], encoding='ascii').read()})
    es().put('/_cluster/settings', json={'persistent': {'cluster.remote.r1.seeds': ['h:9300']}})
    ece().patch('/deployments/%s/elasticsearch/_main/keystore' % dep['id'], json={'secrets': {'s': {'value': 'v'}}})
    sim.fault(match={'path': '/nothing'}, status=500, count=5)
    changed = sim.state()
    assert len(changed['environments']['ece-a']['trust_relationships']) == 2 and changed['faults']
    result = sim.reset()
    assert result['took_ms'] < 50
    after = sim.state()
    assert after['faults'] == [] and sim.requests() == []
    assert after['environments']['ece-a']['trust_relationships'] == before['trust_relationships']
    es_after = after['environments']['ece-a']['deployments']['search-a']['elasticsearch']
    assert es_after['persistent'] == {} and es_after['keystore'] == {}
    assert es_after['cluster_id'] == dep['elasticsearch']['cluster_id']
    assert es().get('/').status_code == 200  # same port, same API key


def test_fault_answers_a_status_for_the_next_k_matching_requests(sim, ece):
    sim.fault(match={'server': '^ece:ece-a$', 'method': 'GET', 'path': '/platform$'}, status=503, count=2, headers={'Retry-After': '1'})
    first = ece().get('/platform')
    assert first.status_code == 503 and first.headers['Retry-After'] == '1'
    assert first.json()['errors'][0]['code'] == 'sim.injected_fault'
    assert ece().get('/platform').status_code == 503
    assert ece().get('/platform').status_code == 200
    assert ece('ece-b').get('/platform').status_code == 200
    faults = [entry['fault'] for entry in sim.requests()]
    assert faults == ['status:503', 'status:503', None, None]


def test_fault_with_a_custom_body_on_elasticsearch(sim, es):
    sim.fault(match={'server': 'es:ece-a/search-a'}, status=429, body={'error': 'too many'}, count=1)
    response = es().get('/_cluster/health')
    assert response.status_code == 429 and response.json() == {'error': 'too many'}


def test_fault_adds_latency(sim, ece):
    sim.fault(match={'path': '/platform$'}, latency_ms=300, count=1)
    start = time.monotonic()
    assert ece().get('/platform').status_code == 200
    assert time.monotonic() - start >= 0.29
    assert sim.requests()[-1]['fault'] == 'latency:300'


def test_global_latency_setting_slows_every_simulated_request(sim, ece):
    sim.settings(latency_ms=150)
    start = time.monotonic()
    ece().get('/platform')
    assert time.monotonic() - start >= 0.14
    sim.settings(latency_ms=0)


def test_fault_drops_the_connection_without_an_answer(sim, ece):
    sim.fault(match={'path': '/platform$'}, drop=True, count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        ece().get('/platform')
    assert ece().get('/platform').status_code == 200
    assert sim.requests()[0]['fault'] == 'drop' and sim.requests()[0]['status'] is None


def test_slow_plans_stay_pending_for_plan_seconds(sim, ece):
    sim.settings(plan_seconds=1.0)
    dep = sim.deployment('ece-a', 'search-a')
    assert ece().post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % dep['id']).status_code == 202
    time.sleep(0.6)  # it shows 0.2 s after the write (plan_start_delay), then runs for plan_seconds
    info = get_deployment(ece(), dep['id']).json()['resources']['elasticsearch'][0]['info']
    assert 'pending' in info['plan_info'] and info['status'] == 'restarting'
    time.sleep(0.75)
    info = get_deployment(ece(), dep['id']).json()['resources']['elasticsearch'][0]['info']
    assert 'pending' not in info['plan_info'] and info['status'] == 'started'


def test_a_slow_plan_fault_makes_the_next_plan_of_one_deployment_slow(sim, ece):
    dep = sim.deployment('ece-a', 'logs-a')
    sim.fault(plan_seconds=1.2, env='ece-a', deployment='logs-a', count=1)
    ece().post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'])
    time.sleep(0.6)
    assert 'pending' in get_deployment(ece(), dep['id']).json()['resources']['elasticsearch'][0]['info']['plan_info']
    wait_plan(ece(), dep['id'])
    start = time.monotonic()
    ece().post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'])
    wait_plan(ece(), dep['id'])
    assert time.monotonic() - start < 1.0  # back to plan_seconds


def test_plans_can_be_disabled_for_updates(sim, ece):
    sim.settings(plans_enabled=False)
    dep = sim.deployment('ece-b', 'data-b')
    body = get_deployment(ece('ece-b'), dep['id']).json()
    response = ece('ece-b').put('/deployments/%s' % dep['id'], json=update_body(body))
    assert response.status_code == 200
    info = get_deployment(ece('ece-b'), dep['id']).json()['resources']['elasticsearch'][0]['info']
    assert 'pending' not in info['plan_info']


def test_plan_failure_fault_fails_the_next_plan_with_its_message(sim, ece):
    dep = sim.deployment('ece-a', 'logs-a')
    sim.fault(plan_failure='Instance [instance-0000000001] failed to start', env='ece-a', deployment='logs-a', count=1)
    assert ece().post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % dep['id']).status_code == 202
    body = wait_plan(ece(), dep['id'])
    info = body['resources']['elasticsearch'][0]['info']
    last = info['plan_info']['history'][-1]
    assert info['plan_info']['healthy'] is False and last['healthy'] is False
    assert last['plan_attempt_log'][-1]['step_id'] == 'plan-completed'
    assert last['plan_attempt_log'][-1]['status'] == 'error'
    assert last['plan_attempt_log'][-1]['info_log'][-1]['message'] == 'Instance [instance-0000000001] failed to start'
    assert last['error']['message'] == 'Instance [instance-0000000001] failed to start'
    assert sim.state()['environments']['ece-a']['deployments']['logs-a']['elasticsearch']['restarts'] == 0
    ece().post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'])
    assert wait_plan(ece(), dep['id'])['resources']['elasticsearch'][0]['info']['plan_info']['healthy'] is True


def test_mutate_fault_simulates_a_concurrent_change_before_the_request(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    response = get_deployment(ece(), dep['id'])
    version = response.headers['x-cloud-resource-version']
    sim.fault(match={'method': 'PUT', 'path': '/deployments/%s$' % dep['id']}, count=1,
              mutate={'op': 'add_trust_entry', 'env': 'ece-a', 'deployment': 'search-a', 'kind': 'accounts',
                      'entry': {'account_id': '0' * 32, 'trust_all': True}})
    conflict = ece().put('/deployments/%s' % dep['id'], params={'version': version}, json=update_body(response.json()))
    assert conflict.status_code == 409
    assert conflict.json()['errors'][0]['code'] == 'deployments.deployment_version_conflict'
    fresh = get_deployment(ece(), dep['id'])
    assert int(fresh.headers['x-cloud-resource-version']) == int(version) + 1
    accounts = fresh.json()['resources']['elasticsearch'][0]['info']['settings']['trust']['accounts']
    assert {'account_id': '0' * 32, 'trust_all': True} in accounts


def test_state_can_be_read_and_set(sim, es):
    sim.mutate({'op': 'set_es_settings', 'env': 'ece-a', 'deployment': 'search-a',
                'persistent': {'cluster.remote.raw.seeds': ['raw:9300']}})
    sim.mutate({'op': 'set_keystore', 'env': 'ece-a', 'deployment': 'search-a', 'name': 'k1', 'value': 'v1'})
    state = sim.state()['environments']['ece-a']['deployments']['search-a']['elasticsearch']
    assert state['persistent'] == {'cluster.remote.raw.seeds': ['raw:9300']}
    assert state['keystore'] == {'k1': {'value': 'v1', 'as_file': False}}
    assert state['loaded_keystore'] == {'k1': 'v1'}  # 8.14: loaded at once
    flat = es().get('/_cluster/settings', params={'flat_settings': 'true'}).json()
    assert flat['persistent'] == {'cluster.remote.raw.seeds': ['raw:9300']}
    results = sim.mutate([{'op': 'bump_version', 'env': 'ece-a', 'deployment': 'search-a'}, {'op': 'complete_plans'}])
    assert results == [{'ok': True}, {'ok': True}]


def test_unknown_admin_operations_and_bad_faults_are_rejected(sim):
    with pytest.raises(SimulatorError) as err:
        sim.mutate({'op': 'no_such_op'})
    assert err.value.status == 400
    with pytest.raises(SimulatorError):
        sim.fault(match={'path': 'x'})
    with pytest.raises(SimulatorError):
        sim.diagnose('ece-z', 'nope', 'a')
