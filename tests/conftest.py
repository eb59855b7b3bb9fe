# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared pytest fixtures: the simulator, an in-process module runner, and CI strictness.

- ``sim``: the bundled ECE/Elasticsearch simulator (default scenario), started once per test
  session in background threads and reset before every test that uses it.
- ``run_module(name, args, check_mode=False, diff=False)``: runs a module of this collection
  in-process, as Ansible would, and returns its result dict (``failed`` set on failure).
- In CI (``CI=true``) a skipped test fails the run: a suite that cannot run must not pass silently.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import importlib
import io
import json
import os
import sys
import tempfile

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(TESTS_DIR)
sys.path.insert(0, os.path.join(TESTS_DIR, 'simulator'))


def _ensure_collection_importable():
    """Plain ``pytest`` in a checkout: expose the checkout as ansible_collections.ece.remote_clusters."""
    try:
        importlib.import_module('ansible_collections.ece.remote_clusters.plugins')
        return
    except ImportError:
        pass
    # one directory per checkout: pytest runs of two checkouts at once never re-point each other's link
    checkout = hashlib.sha256(REPO_ROOT.encode('utf-8')).hexdigest()[:12]
    base = os.path.join(tempfile.gettempdir(), 'ece-remote-clusters-pytest-%d-%s' % (os.getuid(), checkout))
    link = os.path.join(base, 'ansible_collections', 'ece', 'remote_clusters')
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if os.path.realpath(link) != os.path.realpath(REPO_ROOT):
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(REPO_ROOT, link)
    sys.path.insert(0, base)
    for name in [m for m in sys.modules if m == 'ansible_collections' or m.startswith('ansible_collections.')]:
        del sys.modules[name]


_ensure_collection_importable()


def spec_dir():
    """The official API specs (ECE Swagger, Elasticsearch REST specs), kept outside the repository."""
    candidate = os.environ.get('ECE_SIM_SPEC_DIR') or os.path.join(os.path.dirname(REPO_ROOT), 'shared', 'specs')
    return candidate if os.path.isdir(candidate) else None


def pytest_report_header(config):  # pylint: disable=unused-argument
    if spec_dir():
        return 'API specs: %s (every request to the simulator is checked against them)' % spec_dir()
    try:
        from ecesim.swagger import specs_missing  # pylint: disable=import-error
    except ImportError:  # an installed collection: its tarball has no simulator, its unit tests need none
        return 'API specs: none; no simulator (tests/simulator is not in the collection tarball)'
    return 'API specs: none, requests to the simulator are not checked against them; ' + specs_missing()


# -- the simulator ---------------------------------------------------------------------------------
def _forked(config):
    """Whether every test runs in a child process of its own (``ansible-test units``, pytest-forked's --forked)."""
    return config.pluginmanager.has_plugin('ansible_forked') or bool(getattr(config.option, 'forked', False))


def _simulator_scope(fixture_name, config):  # pylint: disable=unused-argument
    """One simulator per session; per test when tests are forked: a forked child ends without tearing down the
    session's fixtures, so a simulator started for the session would leave its directory (keys, passwords) behind."""
    return 'function' if _forked(config) else 'session'


@pytest.fixture(scope=_simulator_scope)
def _simulator():
    from ecesim.testing import Simulator  # pylint: disable=import-error
    simulator = Simulator.start(spec_dir=spec_dir())
    simulator.settings(plan_seconds=0.2)
    yield simulator
    simulator.stop()


@pytest.fixture
def sim(_simulator):
    """The simulator, back in the scenario's initial state, with an empty request log."""
    _simulator.reset()
    _simulator.settings(plan_seconds=0.2)
    yield _simulator
    violations = [r for r in _simulator.requests() if r.get('spec_violation')]
    assert not violations, 'requests that do not conform to the API specs: %s' % violations


class Connections:
    """Connection options of modules for the simulated environments and clusters."""

    def __init__(self, simulator):
        self.sim = simulator

    def ece(self, env='ece-a', **extra):
        """Options for an ECE module talking to environment ``env``."""
        info = self.sim.info['environments'][env]
        args = dict(ece_url=info['ece_url'], ece_api_key=info['api_key'], ca_path=self.sim.info['ca_bundle'],
                    ece_region=info.get('region', 'ece-region'), retry_backoff=0.01)
        args.update(extra)
        return args

    def es(self, env, deployment, **extra):
        """Options for an Elasticsearch module talking to the cluster of ``deployment`` in ``env``."""
        info = self.sim.info['environments'][env]['deployments'][deployment]['elasticsearch']
        args = dict(es_url=info['url'], es_username=info['username'], es_password=info['password'],
                    ca_path=self.sim.info['ca_bundle'], retry_backoff=0.01)
        args.update(extra)
        return args

    def deployment(self, env, name):
        """The simulator's record of a deployment: ``id``, ``elasticsearch.cluster_id``, ..."""
        return self.sim.info['environments'][env]['deployments'][name]


@pytest.fixture
def conn(sim):
    return Connections(sim)


# -- running modules in-process -------------------------------------------------------------------
def _run_module(name, args, check_mode=False, diff=False):
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:  # ansible-core < 2.19
        from ansible.module_utils import basic
        from ansible.module_utils.common.text.converters import to_bytes

        @contextlib.contextmanager
        def patch_module_args(module_args):
            saved = basic._ANSIBLE_ARGS
            basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': module_args}))
            try:
                yield
            finally:
                basic._ANSIBLE_ARGS = saved

    module = importlib.import_module('ansible_collections.ece.remote_clusters.plugins.modules.%s' % name)
    # warnings and deprecations are process-wide in ansible-core: without this, a run returns those of earlier runs
    from ansible.module_utils.common import warnings as ansible_warnings
    for store in ('_global_warnings', '_global_deprecations'):
        if hasattr(ansible_warnings, store):
            getattr(ansible_warnings, store).clear()
    # once a test has imported controller code (ansible.errors, a filter plugin), ansible-core 2.19 sends module
    # warnings to the controller's display instead of the result: run the module as on a target
    try:
        from ansible.module_utils import _internal as ansible_internal
    except ImportError:  # ansible-core < 2.19
        ansible_internal = None
    controller = getattr(ansible_internal, 'is_controller', False)
    full_args = dict(args)
    full_args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
    out = io.StringIO()
    try:
        if controller:
            ansible_internal.is_controller = False
        with patch_module_args(full_args), contextlib.redirect_stdout(out):
            with pytest.raises(SystemExit):
                module.main()
    finally:
        if controller:
            ansible_internal.is_controller = controller
    return json.loads(out.getvalue())


@pytest.fixture
def run_module():
    return _run_module


# -- CI strictness ----------------------------------------------------------------------------------
_SKIPPED = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, 'wasxfail'):
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get('CI') == 'true' and _SKIPPED and exitstatus == 0:
        sys.stderr.write('\nCI: %d test(s) skipped; a suite that cannot run fails CI:\n  %s\n'
                         % (len(_SKIPPED), '\n  '.join(_SKIPPED)))
        session.exitstatus = 1
