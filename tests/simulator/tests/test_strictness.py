"""Strictness: request bodies are checked against the spec's schemas treated as closed."""

from __future__ import annotations

import pytest
import requests

from ecesim.swagger import specs_missing
from ecesim.testing import Simulator, get_deployment, update_body


@pytest.fixture(autouse=True)
def needs_spec(sim):
    if not sim.info['spec_dir']:
        pytest.skip('strictness checks requests against the specs: ' + specs_missing())


def _ca(sim, env):
    with open(sim.env(env)['ca_cert_file'], encoding='ascii') as handle:
        return handle.read()


def _last_violation(sim):
    entry = sim.requests()[-1]
    assert entry['status'] == 400
    return entry['spec_violation']


def test_a_field_the_spec_does_not_define_is_rejected_and_logged_as_spec_violation(sim, ece):
    response = ece().post('/platform/configuration/trust-relationships',
                          json={'name': 'b', 'public_ca_cert': _ca(sim, 'ece-b'), 'certificate': 'x'})
    assert response.status_code == 400
    assert response.json()['errors'][0]['code'] == 'root.invalid_json_request'
    assert response.headers['x-cloud-error-codes'] == 'root.invalid_json_request'
    assert 'unknown field [certificate]' in _last_violation(sim)


def test_a_wrong_type_is_rejected(sim, ece):
    response = ece().post('/platform/configuration/trust-relationships',
                          json={'name': 'b', 'public_ca_cert': _ca(sim, 'ece-b'), 'trust_by_default': 'yes'})
    assert response.status_code == 400
    assert 'expected boolean but got string' in _last_violation(sim)


def test_a_missing_required_field_is_rejected(sim, ece):
    response = ece().post('/platform/configuration/trust-relationships', json={'name': 'b'})
    assert response.status_code == 400
    assert 'missing required field [public_ca_cert]' in _last_violation(sim)


def test_a_value_outside_the_enum_is_rejected(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    body = update_body(get_deployment(ece(), dep['id']).json(),
                       trust={'accounts': [{'account_id': sim.env('ece-a')['account_id'], 'trust_all': True}],
                              'direct': [{'name': 'x', 'type': 'bogus', 'trust_all': False, 'certificates': [{'pem': _ca(sim, 'ece-b')}]}]})
    response = ece().put('/deployments/%s' % dep['id'], json=body)
    assert response.status_code == 400
    assert "is not one of ['ECE', 'ESS', 'generic', 'proxy']" in _last_violation(sim)


def test_a_read_only_field_sent_back_is_rejected(sim, ece):
    a = sim.deployment('ece-a', 'search-a')
    b = sim.deployment('ece-a', 'logs-a')
    body = {'resources': [{'deployment_id': b['id'], 'elasticsearch_ref_id': 'main-elasticsearch', 'alias': 'logs',
                           'info': {'healthy': True, 'connected': True, 'compatible': True, 'trusted': True, 'trusted_back': True}}]}
    response = ece().put('/deployments/%s/elasticsearch/main-elasticsearch/remote-clusters' % a['id'], json=body)
    assert response.status_code == 400
    assert 'read-only' in _last_violation(sim)


def test_the_deployment_update_body_is_validated_against_DeploymentUpdateRequest(sim, ece):  # pylint: disable=invalid-name
    dep = sim.deployment('ece-a', 'search-a')
    body = update_body(get_deployment(ece(), dep['id']).json())
    body['resources']['elasticsearch'][0]['plan']['elasticsearch']['user_settings'] = 'x: y'
    response = ece().put('/deployments/%s' % dep['id'], json=body)
    assert response.status_code == 400
    assert 'resources.elasticsearch[0].plan.elasticsearch: unknown field [user_settings]' in _last_violation(sim)
    body = update_body(get_deployment(ece(), dep['id']).json())
    del body['prune_orphans']
    response = ece().put('/deployments/%s' % dep['id'], json=body)
    assert response.status_code == 400 and 'missing required field [prune_orphans]' in _last_violation(sim)


def test_a_query_parameter_of_the_wrong_type_is_rejected(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    response = ece().get('/deployments/%s' % dep['id'], params={'show_settings': 'yes'})
    assert response.status_code == 400
    assert 'query parameter [show_settings]' in _last_violation(sim)


def test_valid_requests_carry_no_spec_violation(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    body = update_body(get_deployment(ece(), dep['id']).json())
    assert ece().put('/deployments/%s' % dep['id'], json=body).status_code == 200
    assert all(entry['spec_violation'] is None for entry in sim.requests())


def test_built_in_checks_apply_without_a_spec_directory(tmp_path):
    plain = Simulator.start(workdir=str(tmp_path))
    try:
        env = plain.env('ece-a')
        session = requests.Session()
        session.trust_env = False
        session.verify = plain.ca_bundle
        dep = plain.deployment('ece-a', 'search-a')
        headers = {'Authorization': 'ApiKey ' + env['api_key']}
        got = session.get(env['ece_url'] + '/api/v1/deployments/%s' % dep['id'], headers=headers).json()
        body = update_body(got)
        del body['prune_orphans']
        response = session.put(env['ece_url'] + '/api/v1/deployments/%s' % dep['id'], headers=headers, json=body)
        assert response.status_code == 400 and 'prune_orphans' in response.json()['errors'][0]['message']
        response = session.post(env['ece_url'] + '/api/v1/platform/configuration/trust-relationships', headers=headers,
                                json={'name': 'x'})
        assert response.status_code == 400
    finally:
        plain.stop()
