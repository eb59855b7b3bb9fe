# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark (not a timed test) of the collection against the bundled simulator with 20 ms added per request.

    python benchmarks/run_benchmarks.py [--per-model 5] [--cases rollout,hub,link,audit,replication]
                                        [--variants collection,remote_clusters,uri,ping] [--out-dir DIR]

Run it from the checkout with a Python that has ansible-core, PyYAML and requests, for example the virtual
environment that `make test` or `make demo` creates: .cache/venv-2.19/bin/python benchmarks/run_benchmarks.py

Cases (--cases rollout runs rollout-cold and rollout-conv, --cases hub runs hub-1 and hub-5)
  rollout-cold  a cold rollout of links of both models (--per-model of each; default 5 + 5 = 10 links) over the three
                environments of benchmarks/scenario.yml (plans of 1 s), in one ansible-playbook run per variant.
  rollout-conv  the same rollout again (converged).
  hub-1, hub-5  a hub deployment of ece-a linked (TLS-certificate model) to 1, then (after a reset) to 5 deployments
                spread over the three environments of benchmarks/hub.yml, whose plans take 6 s: the plans dominate.
                Through playbooks/remote_clusters.yml only (variant remote_clusters).
  link          one TLS-certificate link between two environments (the first link of the rollout), the simulator
                reset before each variant.
  audit         --check audit of the 200 deployments of tests/simulator/scenarios/large.yml.
  repl-cold, repl-conv  (--cases replication) the cold rollout and the converged run of rollout-cold's links through
                playbooks/remote_clusters.yml, every link with a follower of an index of its remote deployment
                (option replication; the API-key links' keys grant replication on it): compared with rollout-cold and
                rollout-conv of the variant remote_clusters, replication must leave the plan rounds as they are.
Variants
  collection    the collection's playbooks of one model each, playbooks/certificate.yml and playbooks/api_key.yml: one
                role per link (audit: ece_deployment_info without deployment_id per environment, and the
                ece_deployments inventory plugin as a second row).
  remote_clusters  playbooks/remote_clusters.yml (the role ece.remote_clusters.remote_clusters) with all links of both
                models in one inventory in the shape of playbooks/inventory_many.
  uri           the same steps with ansible.builtin.uri (benchmarks/uri/), as a careful user writes them today.
  ping          ansible-core's floor: as many ansible.builtin.ping tasks as the collection ran modules.

For every run it prints wall time, plan rounds, tasks (executed tasks / module processes), requests (reads, writes;
from the simulator's request log) and the peak RSS of the module processes (every module runs under /usr/bin/time
through a wrapper interpreter), then where the time goes, the plans of each run and the targets of the issue.

Plan rounds: the time during which at least one ECE plan was running (the union of the plan attempts' intervals, read
after the run from the plan history of every deployment through the ECE API,
GET /api/v1/deployments/{id}?show_plan_history=true), divided by the scenario's plan duration (plan_seconds): 1 means
that all plans ran side by side, 5 five plans one after another. Waves: the separate periods with a plan running.

Needs PyYAML and requests; uses the ansible-playbook next to this Python. Exit status 0 unless a run fails (targets
are reported, not enforced).
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import datetime
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import requests
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIMULATOR = os.path.join(ROOT, 'tests', 'simulator', 'run_simulator.py')
LARGE = os.path.join(ROOT, 'tests', 'simulator', 'scenarios', 'large.yml')
HUB = os.path.join(HERE, 'hub.yml')
LATENCY_MS = 20.0

# (local environment, local deployment, remote environment, remote deployment) of benchmarks/scenario.yml; the
# first N of each list make the rollout. The first five cover all three environments and one same-environment link.
CERTIFICATE_LINKS = [
    ('ece-a', 'cert-a1', 'ece-b', 'cert-b1'),
    ('ece-b', 'cert-b2', 'ece-c', 'cert-c1'),
    ('ece-c', 'cert-c2', 'ece-a', 'cert-a2'),
    ('ece-a', 'cert-a3', 'ece-c', 'cert-c3'),
    ('ece-b', 'cert-b3', 'ece-b', 'cert-b4'),
    ('ece-a', 'cert-a4', 'ece-a', 'cert-a5'),
    ('ece-c', 'cert-c4', 'ece-a', 'cert-a6'),
    ('ece-b', 'cert-b5', 'ece-a', 'cert-a7'),
    ('ece-c', 'cert-c5', 'ece-b', 'cert-b6'),
    ('ece-b', 'cert-b7', 'ece-c', 'cert-c6'),
]
API_KEY_LINKS = [
    ('ece-a', 'api-a1', 'ece-b', 'api-b1'),   # private proxy CA on the remote side: direct trust entry
    ('ece-b', 'api-b2', 'ece-a', 'api-a2'),   # local 8.12.2: restart; public proxy CA: no trust entry
    ('ece-c', 'api-c3', 'ece-b', 'api-b3'),
    ('ece-a', 'api-a5', 'ece-c', 'api-c2'),
    ('ece-b', 'api-b4', 'ece-b', 'api-b5'),   # same environment
    ('ece-a', 'api-a4', 'ece-c', 'api-c4'),
    ('ece-c', 'api-c1', 'ece-a', 'api-a3'),
    ('ece-b', 'api-b6', 'ece-c', 'api-c6'),
    ('ece-a', 'api-a6', 'ece-a', 'api-a7'),
    ('ece-c', 'api-c5', 'ece-b', 'api-b7'),
]
# benchmarks/hub.yml: the hub queries five deployments, one in its own environment and two in each other environment.
HUB_LINKS = [
    ('ece-a', 'hub', 'ece-b', 'spoke-b1'),   # the first one alone is the case hub-1
    ('ece-a', 'hub', 'ece-c', 'spoke-c1'),
    ('ece-a', 'hub', 'ece-a', 'spoke-a1'),
    ('ece-a', 'hub', 'ece-b', 'spoke-b2'),
    ('ece-a', 'hub', 'ece-c', 'spoke-c2'),
]

# The reads each module needs on a converged run, given the options the roles pass: the object it manages and the
# look-ups its options ask for, each once (patterns on "METHOD path", IDs replaced by {id}). Any other read, or a
# second read of the same URL in one module run, counts as above the minimum. GET / (the Elasticsearch version) is
# not in the minimum: the roles already know the version from ece_deployment_info.
NEEDED_READS = {
    'ece_deployment_info': (r'GET /deployments/\{id\}$', r'POST /deployments/_search$'),
    'ece_trust_relationship_info': (r'GET /platform/configuration/trust-relationships$',),
    'ece_trust_relationship': (r'GET /platform/configuration/trust-relationships$',),
    'ece_deployment_trust': (r'GET /deployments/\{id\}$', r'GET /platform/configuration/trust-relationships$'),
    'ece_keystore_secret': (r'GET /deployments/\{id\}/elasticsearch/[^/]+/keystore$',),
    'es_cross_cluster_api_key': (r'GET /_security/api_key$',),
    'ece_tls_certificate_info': (r'GET /platform/configuration/security/tls/proxy$',),
    'es_remote_cluster': (r'GET /_cluster/settings$', r'GET /_remote/info$'),
    'es_role': (r'GET /_security/role/\{name\}$',),
    'ece_deployment_restart': (r'GET /deployments/\{id\}$',),
}
# a link runs the steps of the modules above in one process: each object it manages or looks up, read once
NEEDED_READS['remote_cluster_link'] = tuple(sorted(set(pattern for patterns in NEEDED_READS.values() for pattern in patterns)))
# the rollout engine runs the links of the whole inventory in one process: each object read once in the run
NEEDED_READS['remote_clusters_rollout'] = NEEDED_READS['remote_cluster_link']
CONTROLLER_ACTIONS = {'set_fact', 'validate_argument_spec', 'assert', 'debug', 'include_role', 'include_tasks', 'import_role', 'import_tasks', 'meta',
                      'fail', 'include_vars'}


# -- simulator ----------------------------------------------------------------------------------------------------

class Simulator:
    """The bundled simulator in a subprocess (run_simulator.py), driven through its admin API."""

    def __init__(self, scenario, workdir, name):
        self.out = os.path.join(workdir, '%s.json' % name)
        self.log = open(os.path.join(workdir, '%s.log' % name), 'w')
        self.proc = subprocess.Popen([sys.executable, SIMULATOR, '--scenario', scenario, '--out', self.out,
                                      '--latency-ms', str(LATENCY_MS)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not (os.path.exists(self.out) and os.path.getsize(self.out) > 0):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit('the simulator did not start, see %s' % self.log.name)
            time.sleep(0.1)
        time.sleep(0.2)
        with open(self.out) as handle:
            self.info = json.load(handle)
        self.session = requests.Session()
        self.session.trust_env = False

    def admin(self, method, path, **kwargs):
        response = self.session.request(method, self.info['admin_url'] + path, timeout=60, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self):
        self.admin('POST', '/_sim/reset')

    def clear_log(self):
        self.admin('DELETE', '/_sim/requests')

    def requests(self):
        return self.admin('GET', '/_sim/requests')['requests']

    def settings(self):
        return self.admin('GET', '/_sim/settings')

    def plan_intervals(self, since):
        """(start, end) in epoch seconds of every plan attempt of every Elasticsearch resource that started at or after
        ``since``, from the plan history (and the pending plan) that ECE shows for each deployment:
        GET /api/v1/deployments/{id}?show_plan_history=true, sent after the run's request log was read (8 at a time).
        A plan still running ends, for this count, at its start + plan_seconds."""
        plan_seconds = float(self.settings()['plan_seconds'])

        def attempts(env, record):
            response = requests.get('%s/api/v1/deployments/%s' % (env['ece_url'], record['id']), params={'show_plan_history': 'true'},
                                    headers={'Authorization': 'ApiKey %s' % env['api_key']}, verify=self.info['ca_bundle'], timeout=60)
            response.raise_for_status()
            found = []
            for resource in response.json()['resources'].get('elasticsearch') or []:
                plan_info = resource['info'].get('plan_info') or {}
                found.extend(list(plan_info.get('history') or []) + ([plan_info['pending']] if plan_info.get('pending') else []))
            return found

        pairs = [(env, record) for env in self.info['environments'].values() for record in env['deployments'].values()]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            histories = list(pool.map(lambda pair: attempts(*pair), pairs))
        intervals = []
        for attempt in (attempt for history in histories for attempt in history):
            begin = _epoch(attempt['attempt_start_time'])
            if begin >= since:
                end = _epoch(attempt['attempt_end_time']) if attempt.get('attempt_end_time') else begin + plan_seconds
                intervals.append((begin, end))
        return sorted(intervals), plan_seconds

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


# -- files for ansible ----------------------------------------------------------------------------------------------

def _simulator_inventory_module():
    spec = importlib.util.spec_from_file_location('simulator_inventory', os.path.join(ROOT, 'scripts', 'simulator_inventory.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def links_of(sim, certificate_pairs, api_key_pairs):
    """The links of an inventory, in the shape of playbooks/inventory (certificate_links, api_key_links)."""
    si = _simulator_inventory_module()
    info = sim.info
    certificate = [{'alias': 'cert_%02d' % (index + 1), 'local': si.cluster(info, le, ld), 'remote': si.cluster(info, re_, rd)}
                   for index, (le, ld, re_, rd) in enumerate(certificate_pairs)]
    api_key = [{'alias': 'key_%02d' % (index + 1), 'local': si.cluster(info, le, ld), 'remote': si.cluster(info, re_, rd),
                'access': {'search': [{'names': ['logs-*']}]}, 'role': {'name': 'remote-reader-%02d' % (index + 1)}}
               for index, (le, ld, re_, rd) in enumerate(api_key_pairs)]
    return certificate, api_key


def write_inventory(sim, path, certificate_pairs, api_key_pairs, many=False):
    """An inventory in the shape of playbooks/inventory (certificate.yml, api_key.yml, the uri baseline), or with
    ``many`` in the shape of playbooks/inventory_many (remote_clusters.yml: remote_clusters_environments and
    remote_clusters_links, each link with a name and a model). Secrets in clear: the simulator's throw-away
    credentials, in the work directory of the benchmark."""
    si = _simulator_inventory_module()
    certificate, api_key = links_of(sim, certificate_pairs, api_key_pairs)
    os.makedirs(os.path.join(path, 'group_vars', 'all'), exist_ok=True)
    if many:
        links = ([dict(link, name=link['alias'], model='certificate') for link in certificate]
                 + [dict(link, name=link['alias'], model='api_key') for link in api_key])
        variables = {'remote_clusters_environments': si.environments(sim.info)}, {'remote_clusters_links': links}
    else:
        variables = {'ece_environments': si.environments(sim.info)}, {'certificate_links': certificate, 'api_key_links': api_key}
    files = {
        'hosts.yml': {'all': {'hosts': {'localhost': {'ansible_connection': 'local'}}}},
        os.path.join('group_vars', 'all', 'environments.yml'): variables[0],
        os.path.join('group_vars', 'all', 'links.yml'): variables[1],
    }
    for name, content in files.items():
        with open(os.path.join(path, name), 'w') as handle:
            handle.write('---\n' + yaml.safe_dump(content, default_flow_style=False, sort_keys=False))
    return certificate, api_key


def write_inventory_source(sim, path):
    """A configuration of the ece_deployments inventory plugin for every environment of the simulator."""
    config = {'plugin': 'ece.remote_clusters.ece_deployments',
              'environments': [{'name': name, 'ece_url': env['ece_url'], 'ece_api_key': env['api_key'], 'ca_path': sim.info['ca_bundle']}
                               for name, env in sim.info['environments'].items()]}
    with open(path, 'w') as handle:
        handle.write('---\n' + yaml.safe_dump(config, sort_keys=False))


def write_ping_floor(path, count):
    tasks = [{'name': 'Ping %d' % (index + 1), 'ansible.builtin.ping': None} for index in range(count)]
    play = [{'name': "ansible-core's floor: %d ping tasks" % count, 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    with open(path, 'w') as handle:
        handle.write('---\n' + yaml.safe_dump(play, sort_keys=False))


def write_wrapper(workdir):
    """The interpreter the modules run with: the real Python under /usr/bin/time, which appends max RSS (KiB),
    elapsed seconds and the command line to $BENCH_RSS_FILE. Falls back to a Python wrapper (os.wait4)."""
    path = os.path.join(workdir, 'python-rss')
    if os.access('/usr/bin/time', os.X_OK):
        text = ('#!/bin/sh\nexec /usr/bin/time -a -o "${BENCH_RSS_FILE:-/dev/null}" -f "%%M %%e %%C" %s "$@"\n' % sys.executable)
    else:
        text = ('#!%s\nimport os, sys, time\nt = time.monotonic()\npid = os.fork()\nif pid == 0:\n'
                '    os.execv(%r, [%r] + sys.argv[1:])\n_, status, usage = os.wait4(pid, 0)\n'
                'with open(os.environ.get("BENCH_RSS_FILE", os.devnull), "a") as f:\n'
                '    f.write("%%d %%.2f %%s\\n" %% (usage.ru_maxrss, time.monotonic() - t, " ".join(sys.argv[1:])))\n'
                'sys.exit(os.waitstatus_to_exitcode(status))\n' % (sys.executable, sys.executable, sys.executable))
    with open(path, 'w') as handle:
        handle.write(text)
    os.chmod(path, 0o755)
    return path


def collections_tree(workdir):
    """ANSIBLE_COLLECTIONS_PATH with ansible_collections/ece/remote_clusters -> this checkout."""
    base = os.path.join(workdir, 'collections')
    os.makedirs(os.path.join(base, 'ansible_collections', 'ece'), exist_ok=True)
    link = os.path.join(base, 'ansible_collections', 'ece', 'remote_clusters')
    if not os.path.lexists(link):
        os.symlink(ROOT, link)
    return base


# -- running and measuring -------------------------------------------------------------------------------------------

def _epoch(iso):
    return datetime.datetime.strptime(iso, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()


def _loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float('nan')


class Runner:
    def __init__(self, workdir, verbose=False):
        self.workdir = workdir
        self.verbose = verbose
        self.wrapper = write_wrapper(workdir)
        self.env = dict(os.environ)
        for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
            self.env.pop(name, None)
        self.env.update({
            'ANSIBLE_COLLECTIONS_PATH': collections_tree(workdir),
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'bench_timing',
            'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_RETRY_FILES_ENABLED': '0', 'ANSIBLE_LOCALHOST_WARNING': '0',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0', 'ANSIBLE_PYTHON_INTERPRETER': self.wrapper,
            'PATH': os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''),
        })
        self.playbook_cmd = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
        self.results = []

    def run(self, case, variant, inventory, playbooks, sim=None, check=False):
        slug = '%s-%s' % (case, variant)
        timing = os.path.join(self.workdir, slug + '.timing.jsonl')
        rss = os.path.join(self.workdir, slug + '.rss')
        output = os.path.join(self.workdir, slug + '.log')
        for path in (timing, rss):
            if os.path.exists(path):
                os.remove(path)
        env = dict(self.env, BENCH_TIMING_FILE=timing, BENCH_RSS_FILE=rss)
        cmd = [self.playbook_cmd, '-i', inventory] + list(playbooks) + [
            '-e', json.dumps({'ansible_python_interpreter': self.wrapper})] + (['--check'] if check else [])
        if sim is not None:
            sim.clear_log()
        load = _loadavg()
        since = time.time()
        start = time.monotonic()
        with open(output, 'w') as handle:
            status = subprocess.call(cmd, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=self.workdir)
        wall = time.monotonic() - start
        log = sim.requests() if sim is not None else []
        intervals, plan_seconds, source = plan_intervals(sim, log, since)
        plans_busy = _union(intervals)
        tasks = []
        if os.path.exists(timing):
            with open(timing) as handle:
                tasks = [json.loads(line) for line in handle if line.strip()]
        modules = []
        if os.path.exists(rss):
            with open(rss) as handle:
                for line in handle:
                    match = re.match(r'^(\d+) ([\d.]+) (.*)$', line.strip())
                    if match:
                        name = re.search(r'AnsiballZ_(\w+)\.py', match.group(3))
                        modules.append({'rss_kb': int(match.group(1)), 'seconds': float(match.group(2)),
                                        'module': name.group(1) if name else '?'})
        result = {
            'case': case, 'variant': variant, 'status': status, 'wall': wall, 'load': load, 'log': output,
            'tasks_run': len([t for t in tasks if t['status'] != 'skipped']),
            'module_runs': len(modules),
            'module_seconds': sum(m['seconds'] for m in modules),
            'peak_rss_mb': max([m['rss_kb'] for m in modules] or [0]) / 1024.0,
            'rss_by_module': {name: max(m['rss_kb'] for m in modules if m['module'] == name) / 1024.0
                              for name in sorted({m['module'] for m in modules})},
            'in_flight': _union((_epoch(e['time']), _epoch(e['time']) + (e['duration_ms'] or 0) / 1000.0) for e in log),
            'reads': len([e for e in log if not e['write']]),
            'writes': len([e for e in log if e['write']]),
            'plans': len(intervals), 'plan_seconds': plan_seconds, 'plans_busy': plans_busy, 'plans_source': source,
            'plan_rounds': plans_busy / plan_seconds if plan_seconds else 0.0, 'plan_waves': _waves(intervals),
            'plan_intervals': [(begin - since, end - since) for begin, end in intervals],
            'changed_tasks': len([t for t in tasks if t.get('changed') and t['action'] not in CONTROLLER_ACTIONS]),
            'failed_tasks': len([t for t in tasks if t['status'] in ('failed', 'unreachable')]),
            'per_action': _per_action(tasks, log),
        }
        self.results.append(result)
        print('  %-13s %-22s %6.1f s  %4.1f plan rounds (%2d plans)  %3d tasks / %3d modules  %4d reads %3d writes  %5.1f MB  rc=%d'
              '  (load %.1f)' % (case, variant, wall, result['plan_rounds'], result['plans'], result['tasks_run'], result['module_runs'],
                                 result['reads'], result['writes'], result['peak_rss_mb'], status, load), flush=True)
        if status != 0:
            print('    failed, see %s' % output)
        return result


def _waves(spans):
    """Number of separate periods with at least one plan running (plans that overlap are one wave)."""
    count, current_end = 0, None
    for begin, end in sorted(spans):
        if current_end is None or begin > current_end:
            count += 1
            current_end = end
        else:
            current_end = max(current_end, end)
    return count


def _union(spans):
    """Length of the union of intervals (start, end): overlapping ones count once. Used for the seconds during which
    at least one request was being served (latency included; ece_deployment_info reads 8 deployments at a time) and
    the seconds during which at least one plan was running."""
    total, current_start, current_end = 0.0, None, None
    for begin, end in sorted(spans):
        if current_end is None or begin > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = begin, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


PLAN_WRITE = re.compile(r'^(PUT /api/v1(/regions/[^/]+)?/deployments/[0-9a-f]{32}|POST .*/_restart)$')


def plan_intervals(sim, log, since):
    """The plans of a run: (intervals, plan_seconds, source). From the plan history that ECE shows for every deployment
    (source 'history'); if that cannot be read, derived from the request log (source 'log'): every write that starts a
    plan (PUT /deployments/{id}, POST .../_restart) starts one plan_start_delay after its answer, lasting plan_seconds."""
    if sim is None:
        return [], 0.0, 'none'
    try:
        intervals, plan_seconds = sim.plan_intervals(since)
        return intervals, plan_seconds, 'history'
    except (requests.RequestException, KeyError, TypeError, ValueError) as error:
        print('    plan history not read (%s): plans derived from the request log' % type(error).__name__)
    settings = sim.settings()
    plan_seconds, delay = float(settings['plan_seconds']), float(settings.get('plan_start_delay') or 0.0)
    intervals = []
    for entry in log:
        if entry['write'] and PLAN_WRITE.match('%s %s' % (entry['method'], entry['path'])) and (entry.get('status') or 200) < 300:
            begin = _epoch(entry['time']) + (entry['duration_ms'] or 0) / 1000.0 + delay
            intervals.append((begin, begin + plan_seconds))
    return sorted(intervals), plan_seconds, 'log'


def _per_action(tasks, log):
    """Requests attributed to the task that was running when they arrived (tasks run one after another)."""
    entries = sorted(((_epoch(e['time']), e) for e in log), key=lambda pair: pair[0])
    actions = collections.OrderedDict()
    for task in tasks:
        if task['status'] == 'skipped' or task.get('start') is None:
            continue
        action = task['action'].split('.')[-1]
        runs = task.get('items_run') if task.get('items_run') is not None else 1
        item = actions.setdefault(action, {'tasks': 0, 'runs': 0, 'seconds': 0.0, 'reads': 0, 'writes': 0, 'paths': collections.Counter(),
                                           'extra': collections.Counter()})
        seen = collections.Counter()
        item['tasks'] += 1
        item['runs'] += runs
        item['seconds'] += task['end'] - task['start']
        for stamp, entry in entries:
            if task['start'] - 0.002 <= stamp <= task['end'] + 0.002:
                item['writes' if entry['write'] else 'reads'] += 1
                path = re.sub(r'[0-9a-f]{32}', '{id}', entry['path'])
                path = re.sub(r'^/api/v1(/regions/[^/]+)?', '', path)
                path = re.sub(r'/_security/role/[^/]+$', '/_security/role/{name}', path)
                signature = '%s %s' % (entry['method'], path)
                item['paths'][signature] += 1
                if not entry['write'] and action in NEEDED_READS:
                    url = (entry['server'], entry['method'], entry['path'], tuple(sorted(entry['query'].items())))
                    seen[url] += 1
                    if seen[url] > runs or not any(re.search(pattern, signature) for pattern in NEEDED_READS[action]):
                        item['extra'][signature] += 1
    return actions


def check_connected(sim, certificate, api_key):
    """Every link of the rollout connected, by the simulator's own diagnosis."""
    problems = []
    for link in certificate + api_key:
        local = link['local']
        name = [n for n, d in sim.info['environments'][local['environment']]['deployments'].items() if d['id'] == local['deployment_id']][0]
        answer = sim.admin('GET', '/_sim/diagnose', params={'env': local['environment'], 'deployment': name, 'alias': link['alias']})
        if not answer.get('connected'):
            problems.append('%s: %s' % (link['alias'], '; '.join(answer.get('problems') or ['not connected'])))
    return problems


# -- report -------------------------------------------------------------------------------------------------------

def print_table(results):
    print()
    header = '| case | variant | wall s | plan rounds (plans, plan s) | tasks (run / module processes) | reads | writes | peak module RSS MB |'
    print(header)
    print('|---|---|---:|---:|---:|---:|---:|---:|')
    for r in results:
        values = (r['case'], r['variant'], r['wall'], r['plan_rounds'], r['plans'], r['plan_seconds'], r['tasks_run'], r['module_runs'],
                  r['reads'], r['writes'], r['peak_rss_mb'])
        print('| %s | %s | %.1f | %.2f (%d x %g s) | %d / %d | %d | %d | %.1f |' % values)


def print_breakdown(results, ping_cost):
    print('\nWhere the time goes: wall = controller work per task (templating, worker, callbacks; for uri also the')
    print('until/retries delays) + module processes; in the processes: requests in flight (%d ms latency each, concurrent' % LATENCY_MS)
    print('ones counted once), plans awaited (the time with at least one plan running) and the rest (interpreter start, imports, logic):')
    for r in results:
        latency = r['in_flight']
        controller = r['wall'] - r['module_seconds']
        rest = max(0.0, r['module_seconds'] - latency - r['plans_busy']) if r['module_runs'] else 0.0
        overhead = controller + rest
        print('  %-13s %-21s %6.1f s = controller %5.1f s (%3d tasks x %.2f s) + processes %5.1f s (%3d: %3d requests in flight %4.1f s,'
              ' %2d plans running %4.1f s, rest %.2f s each); per-task overhead %.0f%%, requests %.0f%%, plans %.0f%%'
              % (r['case'], r['variant'], r['wall'], controller, r['tasks_run'], controller / r['tasks_run'] if r['tasks_run'] else 0.0,
                 r['module_seconds'], r['module_runs'], r['reads'] + r['writes'], latency, r['plans'], r['plans_busy'],
                 rest / r['module_runs'] if r['module_runs'] else 0.0,
                 100 * overhead / r['wall'], 100 * latency / r['wall'], 100 * r['plans_busy'] / r['wall']))
    if ping_cost:
        print("  ansible-core's floor: %.2f s per ping task (wall / tasks of the ping runs)" % ping_cost)


def print_plans(results):
    print('\nPlans (seconds from the start of the run: start-end of each plan attempt, from the ECE plan history; a wave is a')
    print('period with at least one plan running, the plans that overlap):')
    for r in results:
        if r['plans']:
            spans = ' '.join('%.1f-%.1f' % pair for pair in r['plan_intervals'])
            source = ' (derived from the request log)' if r['plans_source'] == 'log' else ''
            print('  %-13s %-21s %4.2f rounds in %d waves: %s%s' % (r['case'], r['variant'], r['plan_rounds'], r['plan_waves'], spans, source))


def print_actions(result, title, minimum=False):
    print('\n%s: per module (runs, seconds, requests)' % title)
    print('| module | runs | s/run | reads/run | writes | reads above minimum | requests sent |')
    print('|---|---:|---:|---:|---:|---|---|')
    for action, item in result['per_action'].items():
        if action in CONTROLLER_ACTIONS or not item['runs']:
            continue
        paths = ', '.join('%s x%d' % (path, count) for path, count in item['paths'].most_common())
        extra = (', '.join('%s x%d' % (path, count) for path, count in item['extra'].most_common()) or '0') if minimum else '-'
        values = (action, item['runs'], item['seconds'] / item['runs'], item['reads'] / item['runs'], item['writes'], extra, paths)
        print('| %s | %d | %.2f | %.1f | %d | %s | %s |' % values)


def _met(ok, *runs):
    failed = [r for r in runs if r['status'] != 0]
    if failed:
        return 'unknown: the run failed (%s)' % ', '.join(r['log'] for r in failed)
    return 'met' if ok else 'NOT met'


def print_targets(by):
    print('\nTargets (reported, not enforced; plan rounds compared at the precision of the targets, one decimal: the writes of one')
    print('round start a few milliseconds apart, one after another)')
    hub1, hub5 = by.get(('hub-1', 'remote_clusters')), by.get(('hub-5', 'remote_clusters'))
    if hub5:
        print('  hub linked to 5 deployments (certificate model): %.2f plan rounds (target <= 1.5) -> %s'
              % (hub5['plan_rounds'], _met(round(hub5['plan_rounds'], 1) <= 1.5, hub5)))
    if hub1 and hub5:
        ratio = hub5['wall'] / hub1['wall']
        print('  hub, 5 links vs 1 link: %.1f s vs %.1f s = %.2f times (target <= 1.6) -> %s'
              % (hub5['wall'], hub1['wall'], ratio, _met(ratio <= 1.6, hub1, hub5)))
    for variant in ('remote_clusters', 'collection'):
        cold = by.get(('rollout-cold', variant))
        if cold:
            print('  cold rollout (%s): %.2f plan rounds in %d waves (target <= 2: trust, restarts) -> %s'
                  % (variant, cold['plan_rounds'], cold['plan_waves'], _met(round(cold['plan_rounds'], 1) <= 2, cold)))
    for variant in ('remote_clusters', 'collection'):
        conv = by.get(('rollout-conv', variant))
        if conv:
            extra = collections.Counter()
            for item in conv['per_action'].values():
                extra.update(item.get('extra') or {})
            print('  converged run (%s): %d writes (target 0), %d reads, %d above the per-module minimum (%s) -> %s'
                  % (variant, conv['writes'], conv['reads'], sum(extra.values()), ', '.join('%s x%d' % pair for pair in extra.most_common()) or 'none',
                     _met(conv['writes'] == 0 and not extra, conv)))
    link_uri = by.get(('link', 'uri'))
    for variant in ('collection', 'remote_clusters'):
        link = by.get(('link', variant))
        if link and link_uri:
            ratio = link['wall'] / link_uri['wall']
            print('  one link through its role (%s): %.1f s vs uri %.1f s = %.0f%% (target <= 33%%) -> %s'
                  % (variant, link['wall'], link_uri['wall'], 100 * ratio, _met(ratio <= 1 / 3.0, link, link_uri)))
    cold_uri = by.get(('rollout-cold', 'uri'))
    for variant in ('collection', 'remote_clusters'):
        cold = by.get(('rollout-cold', variant))
        if cold and cold_uri:
            ratio = cold['wall'] / cold_uri['wall']
            print('  cold rollout (%s): %.1f s vs uri %.1f s = %.0f%% (target <= 50%%) -> %s'
                  % (variant, cold['wall'], cold_uri['wall'], 100 * ratio, _met(ratio <= 0.5, cold, cold_uri)))
    for cold_case, repl_case in (('rollout-cold', 'repl-cold'), ('rollout-conv', 'repl-conv')):
        plain, replicated = by.get((cold_case, 'remote_clusters')), by.get((repl_case, 'remote_clusters'))
        if replicated:
            compared = ('%.2f plan rounds vs %.2f without replication (%s)' % (
                replicated['plan_rounds'], plain['plan_rounds'], cold_case) if plain else '%.2f plan rounds' % replicated['plan_rounds'])
            unchanged = round(replicated['plan_rounds'], 1) <= round(plain['plan_rounds'], 1) if plain else replicated['plan_rounds'] <= 2.1
            print('  rollout with replication, %s (remote_clusters): %s, %.1f s, %d reads, %d writes (target: the same plan rounds) -> %s'
                  % ('cold' if repl_case == 'repl-cold' else 'converged', compared, replicated['wall'], replicated['reads'],
                     replicated['writes'], _met(unchanged, replicated)))
    audit = by.get(('audit', 'collection'))
    if audit:
        print('  audit of 200 deployments: %.1f s (target < 20 s) -> %s' % (audit['wall'], _met(audit['wall'] < 20, audit)))
    peak = max([r['peak_rss_mb'] for r in by.values() if r['variant'] in ('collection', 'collection-inventory', 'remote_clusters')] or [0])
    print('  peak module RSS (collection): %.1f MB (target < 100 MB) -> %s' % (peak, _met(peak < 100)))


# -- main -----------------------------------------------------------------------------------------------------------

CASES = ('rollout', 'hub', 'link', 'audit', 'replication')
VARIANTS = ('collection', 'remote_clusters', 'uri', 'ping')
ROLLOUT_PLAYS = {'remote_clusters': [os.path.join(ROOT, 'playbooks', 'remote_clusters.yml')],
                 'uri': [os.path.join(HERE, 'uri', 'certificate.yml'), os.path.join(HERE, 'uri', 'api_key.yml')]}


def run_rollout(runner, sims, args, variants):
    """Cold rollout and converged run of the same links, one simulator per variant, so that the runs can alternate
    (collection, remote_clusters, uri, then again, then ping, ping): the machine's load drifts less between the runs
    being compared."""
    plays = dict(ROLLOUT_PLAYS, collection=[os.path.join(ROOT, path) for path in args.collection_playbooks.split(',')])
    setups = collections.OrderedDict()
    for variant in ('collection', 'remote_clusters', 'uri'):
        if variant in variants:
            sim = Simulator(os.path.join(HERE, 'scenario.yml'), runner.workdir, 'sim-rollout-' + variant)
            sims.append(sim)
            inventory = os.path.join(runner.workdir, 'inventory-rollout-' + variant)
            links = write_inventory(sim, inventory, CERTIFICATE_LINKS[:args.per_model], API_KEY_LINKS[:args.per_model],
                                    many=variant == 'remote_clusters')
            setups[variant] = (sim, inventory) + links
    print('rollout: %d certificate + %d API-key links over 3 environments' % (args.per_model, args.per_model), flush=True)
    for case in ('rollout-cold', 'rollout-conv'):
        for variant, (sim, inventory, certificate, api_key) in setups.items():
            result = runner.run(case, variant, inventory, plays[variant], sim)
            if case == 'rollout-cold':
                problems = check_connected(sim, certificate, api_key)
                result['connected'] = not problems
                if problems:
                    print('    not connected after the cold run: %s' % '; '.join(problems))
            elif result['changed_tasks']:
                print('    the converged run changed %d tasks' % result['changed_tasks'])
    if 'ping' in variants:
        if setups:
            inventory = list(setups.values())[0][1]
        else:
            sim = Simulator(os.path.join(HERE, 'scenario.yml'), runner.workdir, 'sim-rollout')
            sims.append(sim)
            inventory = os.path.join(runner.workdir, 'inventory-ping')
            write_inventory(sim, inventory, [], [])
        for case in ('rollout-cold', 'rollout-conv'):
            base = [r for r in runner.results if r['case'] == case and r['variant'] == 'collection']
            count = base[0]['module_runs'] if base else 10 * 9
            path = os.path.join(runner.workdir, 'ping-%s.yml' % case)
            write_ping_floor(path, count)
            runner.run(case, 'ping', inventory, [path])


def run_hub(runner, sims):
    """A hub linked to 1, then (after a reset of the simulator) to 5 deployments, through playbooks/remote_clusters.yml."""
    sim = Simulator(HUB, runner.workdir, 'sim-hub')
    sims.append(sim)
    print('hub: %s of ece-a linked to 1, then 5 deployments over 3 environments (certificate model), plans of %g s'
          % (HUB_LINKS[0][1], float(sim.settings()['plan_seconds'])), flush=True)
    for count in (1, 5):
        sim.reset()
        inventory = os.path.join(runner.workdir, 'inventory-hub-%d' % count)
        certificate, api_key = write_inventory(sim, inventory, HUB_LINKS[:count], [], many=True)
        runner.run('hub-%d' % count, 'remote_clusters', inventory, ROLLOUT_PLAYS['remote_clusters'], sim)
        problems = check_connected(sim, certificate, api_key)
        if problems:
            print('    not connected: %s' % '; '.join(problems))


def run_link(runner, sims, args, variants):
    """One certificate link (the first of the rollout) through its role, and written with ansible.builtin.uri."""
    sim = Simulator(os.path.join(HERE, 'scenario.yml'), runner.workdir, 'sim-link')
    sims.append(sim)
    plays = {'collection': [os.path.join(ROOT, 'playbooks', 'certificate.yml')], 'remote_clusters': ROLLOUT_PLAYS['remote_clusters'],
             'uri': [os.path.join(HERE, 'uri', 'certificate.yml')]}
    print('link: one certificate link, %s (%s) -> %s (%s)' % (CERTIFICATE_LINKS[0][1], CERTIFICATE_LINKS[0][0],
                                                              CERTIFICATE_LINKS[0][3], CERTIFICATE_LINKS[0][2]), flush=True)
    for variant in ('collection', 'remote_clusters', 'uri'):
        if variant not in variants:
            continue
        sim.reset()
        inventory = os.path.join(runner.workdir, 'inventory-link-' + variant)
        certificate, api_key = write_inventory(sim, inventory, CERTIFICATE_LINKS[:1], [], many=variant == 'remote_clusters')
        runner.run('link', variant, inventory, plays[variant], sim)
        problems = check_connected(sim, certificate, api_key)
        if problems:
            print('    not connected: %s' % '; '.join(problems))


def replicate_links(sim, inventory):
    """Every link of an inventory in the shape of inventory_many follows ``leader-<alias>`` of its remote deployment,
    written there first (3 documents); an API-key link's key also grants replication on it. Returns the followers as
    (local side, name)."""
    path = os.path.join(inventory, 'group_vars', 'all', 'links.yml')
    with open(path) as handle:
        variables = yaml.safe_load(handle)
    followers = []
    for link in variables['remote_clusters_links']:
        leader = 'leader-%s' % link['alias'].replace('_', '-')
        remote = [d for d in sim.info['environments'][link['remote']['environment']]['deployments'].values()
                  if d['id'] == link['remote']['deployment_id']][0]['elasticsearch']
        for number in range(3):
            requests.post('%s/%s/_doc' % (remote['url'], leader), json={'n': number}, auth=(remote['username'], remote['password']),
                          verify=sim.info['ca_bundle'], timeout=60).raise_for_status()
        link['replication'] = {'followers': [{'name': leader + '-copy', 'leader_index': leader}]}
        if link['model'] == 'api_key':
            link['access'] = dict(link['access'], replication=[{'names': [leader]}])
        followers.append((link['local'], leader + '-copy'))
    with open(path, 'w') as handle:
        handle.write('---\n' + yaml.safe_dump(variables, default_flow_style=False, sort_keys=False))
    return followers


def check_replicating(sim, followers):
    """Every follower active and caught up with its leader (GET /<follower>/_ccr/stats on its local cluster)."""
    problems = []
    for local, name in followers:
        cluster = [d for d in sim.info['environments'][local['environment']]['deployments'].values()
                   if d['id'] == local['deployment_id']][0]['elasticsearch']
        response = requests.get('%s/%s/_ccr/stats' % (cluster['url'], name), auth=(cluster['username'], cluster['password']),
                                verify=sim.info['ca_bundle'], timeout=60)
        shards = [shard for index in (response.json().get('indices') or []) for shard in index['shards']] if response.ok else []
        if not shards or any(s.get('fatal_exception') or s['follower_global_checkpoint'] < s['leader_global_checkpoint'] for s in shards):
            problems.append('%s: %s' % (name, response.text[:200]))
    return problems


def run_replication(runner, sims, args):
    """rollout-cold's links, each with a follower, through playbooks/remote_clusters.yml: cold, then converged."""
    sim = Simulator(os.path.join(HERE, 'scenario.yml'), runner.workdir, 'sim-replication')
    sims.append(sim)
    inventory = os.path.join(runner.workdir, 'inventory-replication')
    certificate, api_key = write_inventory(sim, inventory, CERTIFICATE_LINKS[:args.per_model], API_KEY_LINKS[:args.per_model], many=True)
    followers = replicate_links(sim, inventory)
    print('replication: the %d links of the rollout, each with a follower of an index of its remote deployment'
          % len(followers), flush=True)
    for case in ('repl-cold', 'repl-conv'):
        result = runner.run(case, 'remote_clusters', inventory, ROLLOUT_PLAYS['remote_clusters'], sim)
        problems = check_connected(sim, certificate, api_key) + check_replicating(sim, followers)
        if problems:
            print('    not connected or not replicating: %s' % '; '.join(problems))
        if case == 'repl-conv' and result['changed_tasks']:
            print('    the converged run changed %d tasks' % result['changed_tasks'])


def run_audit(runner, sims, variants):
    sim = Simulator(LARGE, runner.workdir, 'sim-audit')
    sims.append(sim)
    inventory = os.path.join(runner.workdir, 'inventory-audit')
    write_inventory(sim, inventory, [], [])
    total = sum(len(env['deployments']) for env in sim.info['environments'].values())
    print('audit: %d deployments over %d environments, --check' % (total, len(sim.info['environments'])), flush=True)
    if 'collection' in variants:
        runner.run('audit', 'collection', inventory, [os.path.join(HERE, 'audit', 'collection.yml')], sim, check=True)
        source = os.path.join(runner.workdir, 'sim.ece_deployments.yml')
        write_inventory_source(sim, source)
        runner.run('audit', 'collection-inventory', source, [os.path.join(HERE, 'audit', 'inventory_check.yml')], sim, check=True)
    if 'uri' in variants:
        runner.run('audit', 'uri', inventory, [os.path.join(HERE, 'uri', 'audit.yml')], sim, check=True)
    if 'ping' in variants:
        base = [r for r in runner.results if r['case'] == 'audit' and r['variant'] == 'collection']
        path = os.path.join(runner.workdir, 'ping-audit.yml')
        write_ping_floor(path, base[0]['module_runs'] if base else 3)
        runner.run('audit', 'ping', inventory, [path])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--per-model', type=int, default=5, help='links of each model in the rollout (default 5: 10 links)')
    parser.add_argument('--cases', default=','.join(CASES), help='any of %s (default all)' % ', '.join(CASES))
    parser.add_argument('--variants', default=','.join(VARIANTS), help='any of %s (default all)' % ', '.join(VARIANTS))
    parser.add_argument('--collection-playbooks', default='playbooks/certificate.yml,playbooks/api_key.yml',
                        help='playbooks of the collection variant (relative to the repository), same inventory shape')
    parser.add_argument('--out-dir', help='keep logs and results.json here (default: a temporary directory, removed)')
    args = parser.parse_args(argv)
    cases, variants = args.cases.split(','), args.variants.split(',')
    if not 1 <= args.per_model <= len(CERTIFICATE_LINKS):
        parser.error('--per-model must be 1..%d' % len(CERTIFICATE_LINKS))
    for name, given, known in (('case', cases, CASES), ('variant', variants, VARIANTS)):
        if set(given) - set(known):
            parser.error('unknown %s: %s (known: %s)' % (name, ', '.join(sorted(set(given) - set(known))), ', '.join(known)))

    workdir = os.path.abspath(args.out_dir) if args.out_dir else tempfile.mkdtemp(prefix='ece-rc-bench.')
    os.makedirs(workdir, exist_ok=True)
    runner = Runner(workdir)
    sims = []
    print('ece.remote_clusters benchmark: %d CPUs, load %.1f, latency %d ms per request, work dir %s'
          % (os.cpu_count(), _loadavg(), LATENCY_MS, workdir), flush=True)
    try:
        if 'rollout' in cases:
            run_rollout(runner, sims, args, variants)
        if 'hub' in cases and 'remote_clusters' in variants:
            run_hub(runner, sims)
        if 'link' in cases:
            run_link(runner, sims, args, variants)
        if 'audit' in cases:
            run_audit(runner, sims, variants)
        if 'replication' in cases and 'remote_clusters' in variants:
            run_replication(runner, sims, args)
    finally:
        for sim in sims:
            sim.stop()

    order = (['rollout-cold', 'rollout-conv', 'repl-cold', 'repl-conv', 'hub-1', 'hub-5', 'link', 'audit'],
             ['collection', 'collection-inventory', 'remote_clusters', 'uri', 'ping'])
    results = sorted(runner.results, key=lambda r: (order[0].index(r['case']), order[1].index(r['variant'])))
    by = {(r['case'], r['variant']): r for r in results}
    print_table(results)
    pings = [r['wall'] / r['tasks_run'] for r in results if r['variant'] == 'ping' and r['tasks_run'] >= 10]
    print_breakdown(results, statistics.mean(pings) if pings else None)
    print_plans(results)
    for key, title in ((('rollout-cold', 'collection'), 'Cold rollout, collection'), (('rollout-conv', 'collection'), 'Converged run, collection'),
                       (('rollout-cold', 'remote_clusters'), 'Cold rollout, remote_clusters'),
                       (('rollout-conv', 'remote_clusters'), 'Converged run, remote_clusters'),
                       (('rollout-cold', 'uri'), 'Cold rollout, uri'), (('rollout-conv', 'uri'), 'Converged run, uri'),
                       (('hub-5', 'remote_clusters'), 'Hub of 5 links, remote_clusters'),
                       (('audit', 'collection'), 'Audit, collection')):
        if key in by:
            print_actions(by[key], title, minimum=key[0] == 'rollout-conv')
    print_targets(by)
    with open(os.path.join(workdir, 'results.json'), 'w') as handle:
        json.dump(results, handle, indent=1, default=list)
    if not args.out_dir:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print('\nlogs and results.json in %s' % workdir)
    return 1 if any(r['status'] != 0 for r in results) else 0


if __name__ == '__main__':
    sys.exit(main())
