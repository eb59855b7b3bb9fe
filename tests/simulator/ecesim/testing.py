"""Test helper: start a simulator for a test session and drive its admin API.

Example (pytest)::

    import sys; sys.path.insert(0, 'tests/simulator')
    from ecesim.testing import Simulator

    sim = Simulator.start()                      # default scenario, in-process, background threads
    env = sim.info['environments']['ece-a']      # URLs, credentials, ids (the output file's content)
    sim.reset()                                  # before each test: initial state, same ids/ports (< 50 ms)
    sim.fault(match={'server': '^ece:ece-a$', 'path': '/keystore$'}, status=503, count=2)
    entries = sim.requests(write=True)           # the request log (method, path, status, body, ...)
    sim.mutate({'op': 'complete_plans'})         # state operations, see README
    print(sim.diagnose('ece-a', 'search-a', 'my-remote'))
    sim.stop()

``in_thread=False`` runs ``run_simulator.py`` in a subprocess instead (for playbook tests that need
the simulator to outlive a Python call, or a separate process for benchmarks).
"""

from __future__ import annotations

import json as jsonlib
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from .app import SimulatorApp
from .swagger import find_spec_dir

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_SCRIPT = os.path.join(os.path.dirname(HERE), 'run_simulator.py')

__all__ = ['Simulator', 'SimulatorError', 'find_spec_dir']


class SimulatorError(RuntimeError):
    """An admin API call failed (status and the decoded body are attached)."""

    def __init__(self, status, body):
        super().__init__('admin API answered %s: %s' % (status, body))
        self.status = status
        self.body = body


class Simulator:
    """A running simulator (in-process or subprocess) and a client of its admin API."""

    def __init__(self, info, out_file, app=None, process=None, workdir=None, own_workdir=False):
        self.info = info
        self.out_file = out_file
        self.app = app
        self.process = process
        self.workdir = workdir
        self.own_workdir = own_workdir  # created by start(): stop() removes it, with the keys and passwords inside
        self.admin_url = info['admin_url']
        self.ca_bundle = info['ca_bundle']

    # ---- lifecycle ----------------------------------------------------------------------------------
    @classmethod
    def start(cls, scenario=None, spec_dir=None, workdir=None, in_thread=True, plan_seconds=None, latency_ms=None,
              plain_http=False, timeout=30.0):
        """Start a simulator and return it once every listener is up.

        ``scenario``: a YAML path or an already parsed dict (default: scenarios/default.yml).
        ``spec_dir``: enables spec strictness (use :func:`find_spec_dir` to locate the shared specs).
        ``workdir``: where the output file and certificates go (default: a new temporary directory, which
        :meth:`stop` removes, as does a start that fails; a directory given is left in place).
        """
        own_workdir = not workdir
        workdir = workdir or tempfile.mkdtemp(prefix='ecesim-')
        try:
            return cls._start(scenario, spec_dir, workdir, own_workdir, in_thread, plan_seconds, latency_ms, plain_http,
                              timeout)
        except BaseException:
            if own_workdir:
                shutil.rmtree(workdir, ignore_errors=True)
            raise

    @classmethod
    def _start(cls, scenario, spec_dir, workdir, own_workdir, in_thread, plan_seconds, latency_ms, plain_http, timeout):
        out_file = os.path.join(workdir, 'simulator.json')
        if in_thread:
            app = SimulatorApp(scenario=scenario, out_file=out_file, spec_dir=spec_dir, latency_ms=latency_ms,
                               plan_seconds=plan_seconds, plain_http=plain_http)
            app.start()
            return cls(app.info, out_file, app=app, workdir=workdir, own_workdir=own_workdir)
        if isinstance(scenario, dict):
            path = os.path.join(workdir, 'scenario.json')
            with open(path, 'w', encoding='utf-8') as handle:
                jsonlib.dump(scenario, handle)
            scenario = path
        command = [sys.executable, RUN_SCRIPT, '--out', out_file]
        if scenario:
            command += ['--scenario', scenario]
        if spec_dir:
            command += ['--spec-dir', spec_dir]
        if plan_seconds is not None:
            command += ['--plan-seconds', str(plan_seconds)]
        if latency_ms is not None:
            command += ['--latency-ms', str(latency_ms)]
        if plain_http:
            command.append('--plain-http')
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # pylint: disable=consider-using-with
        lines = queue.Queue()

        def _reader():
            for line in process.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=_reader, daemon=True).start()
        deadline = time.monotonic() + timeout
        output = []
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            output.append(line)
            if line.startswith('simulator ready:'):
                with open(out_file, encoding='utf-8') as handle:
                    info = jsonlib.load(handle)
                return cls(info, out_file, process=process, workdir=workdir, own_workdir=own_workdir)
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError('the simulator did not start:\n' + ''.join(output))

    def stop(self):
        if self.app is not None:
            self.app.stop()
            self.app = None
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.own_workdir = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ---- admin API ------------------------------------------------------------------------------------
    def admin(self, method, path, json=None):  # pylint: disable=redefined-outer-name
        """Call the admin API; returns the decoded JSON body; raises SimulatorError on an HTTP error."""
        data = None if json is None else jsonlib.dumps(json).encode('utf-8')
        request = urllib.request.Request(self.admin_url + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # nosec - loopback admin API
                return jsonlib.loads(response.read().decode('utf-8') or 'null')
        except urllib.error.HTTPError as err:
            body = err.read().decode('utf-8')
            try:
                body = jsonlib.loads(body)
            except ValueError:
                pass
            raise SimulatorError(err.code, body)

    def requests(self, since=None, server=None, write=None):
        """Request log entries (list of dicts), optionally after seq ``since``, for a server regex, writes only."""
        params = {}
        if since is not None:
            params['since'] = str(since)
        if server is not None:
            params['server'] = server
        if write is not None:
            params['write'] = 'true' if write else 'false'
        query = ('?' + urllib.parse.urlencode(params)) if params else ''
        return self.admin('GET', '/_sim/requests' + query)['requests']

    def last_seq(self):
        return self.admin('GET', '/_sim/requests?since=999999999999')['last_seq']

    def clear_log(self):
        return self.admin('DELETE', '/_sim/requests')

    def reset(self):
        return self.admin('POST', '/_sim/reset')

    def fault(self, **spec):
        """Add a fault, e.g. ``fault(match={'path': '_cluster/settings'}, status=503, count=2)``; returns it (with its id)."""
        return self.admin('POST', '/_sim/faults', spec)

    def clear_faults(self):
        return self.admin('DELETE', '/_sim/faults')

    def settings(self, **values):
        """Change ``latency_ms``, ``plan_seconds``, ``plans_enabled``, ``plan_start_delay``, ``keystore_file_seconds``,
        ``keystore_reload_seconds`` (None: ECE never has the nodes reload a keystore change) or ``keystore_reload_8_13``;
        returns the settings."""
        return self.admin('PUT', '/_sim/settings', values)

    def state(self):
        return self.admin('GET', '/_sim/state')

    def mutate(self, op):
        """Apply a state operation (dict) or several (list); see README "State operations"."""
        if isinstance(op, list):
            return self.admin('POST', '/_sim/state', {'ops': op})['results']
        return self.admin('POST', '/_sim/state', op)

    def diagnose(self, env, deployment, alias=None):
        params = {'env': env, 'deployment': deployment}
        if alias is not None:
            params['alias'] = alias
        return self.admin('GET', '/_sim/diagnose?' + urllib.parse.urlencode(params))

    # ---- conveniences -----------------------------------------------------------------------------------
    def env(self, name):
        return self.info['environments'][name]

    def deployment(self, env, name):
        return self.info['environments'][env]['deployments'][name]

    def ece_headers(self, env):
        return {'Authorization': 'ApiKey %s' % self.env(env)['api_key']}

    def es_auth(self, env, deployment):
        """(username, password) of the ``elastic`` user of a cluster, for ``requests``' ``auth=``."""
        info = self.deployment(env, deployment)['elasticsearch']
        return (info['username'], info['password'])

    def es_headers(self, env, deployment):
        return {'Authorization': 'ApiKey %s' % self.deployment(env, deployment)['elasticsearch']['api_key']}


# ---- small HTTP helpers for tests (they take any requests-like session; no dependency here) -----------------------
class ApiClient:
    """A client of one simulated API: ``ApiClient(session, base_url, headers).get('/path', params=...)``."""

    def __init__(self, session, base, headers=None):
        self.session = session
        self.base = base
        self.headers = dict(headers or {})

    def request(self, method, path, headers=None, **kwargs):
        merged = dict(self.headers)
        merged.update(headers or {})
        kwargs.setdefault('timeout', 30)
        return self.session.request(method, self.base + path, headers=merged, **kwargs)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def put(self, path, **kwargs):
        return self.request('PUT', path, **kwargs)

    def post(self, path, **kwargs):
        return self.request('POST', path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request('PATCH', path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)


def get_deployment(ece_client, dep_id, **params):
    """``GET /deployments/{id}`` the way an update should read it (settings, plans, metadata, transient cleared)."""
    query = {'show_settings': 'true', 'show_plans': 'true', 'clear_transient': 'true', 'show_metadata': 'true'}
    query.update(params)
    response = ece_client.get('/deployments/%s' % dep_id, params=query)
    if response.status_code != 200:
        raise AssertionError('GET deployment %s: %s %s' % (dep_id, response.status_code, response.text))
    return response


def update_body(deployment_json, trust=None, prune_orphans=False, keep_transient=False):
    """The standard settings-only ``DeploymentUpdateRequest`` built from a GET (as ecctl --generate-update-payload)."""
    resource = deployment_json['resources']['elasticsearch'][0]
    plan = dict(resource['info']['plan_info']['current']['plan'])
    if not keep_transient:
        plan.pop('transient', None)
    payload = {'ref_id': resource['ref_id'], 'region': resource['region'], 'plan': plan}
    if trust is not None:
        payload['settings'] = {'trust': trust}
    return {'prune_orphans': prune_orphans, 'resources': {'elasticsearch': [payload]}}


def wait_plan(ece_client, dep_id, timeout=10.0, quiet=0.35):
    """Poll until the Elasticsearch resource has had no pending plan for ``quiet`` seconds in a row; returns the last GET
    body (logs and history). A plan shows only a moment after the write that started it (``plan_start_delay``), so one
    poll without a pending plan does not mean that it ended: ``quiet`` must be longer than that delay."""
    deadline = time.time() + timeout
    quiet_since = None
    while time.time() < deadline:
        body = ece_client.get('/deployments/%s' % dep_id, params={'show_plan_logs': 'true', 'show_plan_history': 'true'}).json()
        if 'pending' in body['resources']['elasticsearch'][0]['info']['plan_info']:
            quiet_since = None
        else:
            quiet_since = quiet_since or time.time()
            if time.time() - quiet_since >= quiet:
                return body
        time.sleep(0.05)
    raise AssertionError('plan still pending after %s s' % timeout)
