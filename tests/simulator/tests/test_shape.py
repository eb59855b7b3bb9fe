"""Shape: one process, one command, every environment and cluster on its own HTTPS port, the output file."""

from __future__ import annotations

import http.client
import json
import os
import re
import ssl
import time

import pytest
import requests

from ecesim.scenario import SCENARIO_DIR, load_scenario
from ecesim.testing import Simulator

HEX32 = re.compile(r'^[0-9a-f]{32}$')


def _session(bundle):
    session = requests.Session()
    session.trust_env = False
    session.verify = bundle
    return session


def test_one_command_serves_every_environment_and_cluster_and_prints_the_ready_line(tmp_path):
    sim = Simulator.start(in_thread=False, workdir=str(tmp_path))
    try:
        assert sim.process.poll() is None
        session = _session(sim.ca_bundle)
        assert sorted(sim.info['environments']) == ['ece-a', 'ece-b', 'ece-c']
        for env in sim.info['environments'].values():
            response = session.get(env['ece_url'] + '/api/v1/platform', headers={'Authorization': 'ApiKey ' + env['api_key']})
            assert response.status_code == 200
            for dep in env['deployments'].values():
                response = session.get(dep['elasticsearch']['url'] + '/', auth=('elastic', dep['elasticsearch']['password']))
                assert response.json()['version']['number'] == dep['elasticsearch']['version']
    finally:
        sim.stop()
    assert sim.process is None


def test_output_file_holds_urls_credentials_ca_bundle_and_ids(sim):
    with open(sim.out_file, encoding='utf-8') as handle:
        info = json.load(handle)
    assert info == sim.info
    assert os.path.isfile(info['ca_bundle'])
    assert info['admin_url'].startswith('http://127.0.0.1:')
    for name, env in info['environments'].items():
        assert env['ece_url'].startswith('https://127.0.0.1:')
        assert HEX32.match(env['environment_id']) and HEX32.match(env['account_id'])
        assert env['region'] == 'ece-region' and env['username'] == 'admin' and env['password'] and env['api_key']
        assert env['proxy_ca'] in ('public', 'private')
        assert os.path.isfile(env['ca_cert_file'])
        for dep_name, dep in env['deployments'].items():
            assert dep['name'] == dep_name and HEX32.match(dep['id']) and HEX32.match(dep['kibana_id'])
            es = dep['elasticsearch']
            assert es['ref_id'] == 'main-elasticsearch' and HEX32.match(es['cluster_id'])
            assert es['endpoint'] == '%s.%s.sim.example' % (es['cluster_id'], name)
            assert es['username'] == 'elastic' and es['password'] and es['api_key']
    assert info['environments']['ece-a']['deployments']['search-a']['elasticsearch']['version'] == '8.14.3'
    assert info['environments']['ece-c']['deployments']['archive-c']['elasticsearch']['version'] == '6.8.23'


def test_each_environment_has_its_own_ca_that_verifies_its_ece_api_and_clusters(sim):
    envs = sim.info['environments']
    pems = set()
    for env in envs.values():
        with open(env['ca_cert_file'], encoding='ascii') as handle:
            pems.add(handle.read())
    assert len(pems) == 3
    own = _session(envs['ece-b']['ca_cert_file'])
    assert own.get(envs['ece-b']['ece_url'] + '/api/v1/platform',
                   headers={'Authorization': 'ApiKey ' + envs['ece-b']['api_key']}).status_code == 200
    es = envs['ece-b']['deployments']['data-b']['elasticsearch']
    assert own.get(es['url'] + '/', auth=('elastic', es['password'])).status_code == 200
    other = _session(envs['ece-a']['ca_cert_file'])
    with pytest.raises(requests.exceptions.SSLError):
        other.get(envs['ece-b']['ece_url'] + '/api/v1/platform')


def test_every_cluster_answers_on_its_own_https_port(sim, session):
    ports = set()
    for env in sim.info['environments'].values():
        ports.add(env['ece_url'])
        for dep in env['deployments'].values():
            es = dep['elasticsearch']
            ports.add(es['url'])
            body = session.get(es['url'] + '/', headers={'Authorization': 'ApiKey ' + es['api_key']}).json()
            assert body['cluster_name'] == es['cluster_id']
    assert len(ports) == 3 + 8


def test_keep_alive_serves_several_requests_on_one_connection(sim):
    env = sim.env('ece-a')
    port = int(env['ece_url'].rsplit(':', 1)[1])
    context = ssl.create_default_context(cafile=sim.ca_bundle)
    conn = http.client.HTTPSConnection('127.0.0.1', port, context=context, timeout=10)
    try:
        for dummy in range(3):
            conn.request('GET', '/api/v1/platform', headers={'Authorization': 'ApiKey ' + env['api_key']})
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            assert response.getheader('Connection') != 'close'
    finally:
        conn.close()


def test_plain_http_only_when_asked(tmp_path, sim):
    assert all(env['ece_url'].startswith('https://') for env in sim.info['environments'].values())
    plain = Simulator.start(workdir=str(tmp_path), plain_http=True)
    try:
        env = plain.env('ece-c')
        assert env['ece_url'].startswith('http://')
        response = requests.get(env['ece_url'] + '/api/v1/platform', headers={'Authorization': 'ApiKey ' + env['api_key']}, timeout=10)
        assert response.status_code == 200
    finally:
        plain.stop()


def test_large_scenario_has_three_environments_and_200_deployments_and_starts_quickly(tmp_path):
    scenario = load_scenario(os.path.join(SCENARIO_DIR, 'large.yml'))
    assert len(scenario['environments']) == 3
    assert sum(len(env['deployments']) for env in scenario['environments']) == 200
    start = time.monotonic()
    sim = Simulator.start(scenario=os.path.join(SCENARIO_DIR, 'large.yml'), workdir=str(tmp_path))
    took = time.monotonic() - start
    try:
        assert sum(len(env['deployments']) for env in sim.info['environments'].values()) == 200
        assert sim.reset()['took_ms'] < 250
    finally:
        sim.stop()
    assert took < 5.0
