"""Fixtures for the simulator's own tests: one simulator per session, reset before every test."""

from __future__ import annotations

import os
import sys

import pytest
import requests

SIM_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if SIM_DIR not in sys.path:
    sys.path.insert(0, SIM_DIR)

from ecesim.testing import ApiClient, Simulator, find_spec_dir  # noqa: E402  pylint: disable=wrong-import-position

PLAN_SECONDS = 0.3


@pytest.fixture(scope='session')
def sim(tmp_path_factory):
    """The default scenario, with spec strictness when the shared specs are there; plans take 0.3 s."""
    simulator = Simulator.start(spec_dir=find_spec_dir(), workdir=str(tmp_path_factory.mktemp('sim')), plan_seconds=PLAN_SECONDS)
    yield simulator
    simulator.stop()


@pytest.fixture(autouse=True)
def clean(request):
    """Every test that uses the session simulator starts from the scenario's initial state."""
    if 'sim' in request.fixturenames:
        request.getfixturevalue('sim').reset()
    yield


@pytest.fixture(scope='session')
def session(sim):
    """A keep-alive session verifying against the simulator's CA bundle (CA variables of the environment ignored)."""
    http = requests.Session()
    http.trust_env = False
    http.verify = sim.ca_bundle
    yield http
    http.close()


@pytest.fixture
def ece(sim, session):
    """``ece('ece-a')`` -> client of that environment's ECE API, base ``/api/v1``, ApiKey auth."""
    def make(env='ece-a'):
        info = sim.env(env)
        return ApiClient(session, info['ece_url'] + '/api/v1', {'Authorization': 'ApiKey ' + info['api_key']})
    return make


@pytest.fixture
def es(sim, session):
    """``es('ece-a', 'search-a', basic=False)`` -> client of that cluster (ApiKey auth, or none with basic=True: pass auth=)."""
    def make(env='ece-a', deployment='search-a', basic=False):
        info = sim.deployment(env, deployment)['elasticsearch']
        if basic:
            return ApiClient(session, info['url'], {})
        return ApiClient(session, info['url'], {'Authorization': 'ApiKey ' + info['api_key']})
    return make
