# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source ece.remote_clusters.link_health: ``main()`` against an asyncio queue and the simulator, with the
key clock of the collection advanced by the test."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import contextlib
import importlib.util
import os
import time

import pytest
import yaml

from ansible_collections.ece.remote_clusters.plugins.module_utils import _cluster
from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import link as module_link

from test_credential_types import EDA, inject, pem
from test_remote_clusters import secrets_of

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(REPO_ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'link_health.py')
FAST = {'interval': 0.05, 'requests_per_second': 200}
WAIT = 20


def load_source():
    """The source as ansible-rulebook loads it: a file of the installed collection."""
    spec = importlib.util.spec_from_file_location('link_health', SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Clock:
    """The collection's key clock (``time`` of module_utils/_cluster), ``days`` ahead of the real one."""

    def __init__(self):
        self.days = 0.0

    def time(self):
        return time.time() + self.days * 24 * 3600

    def __getattr__(self, name):  # monotonic, sleep: the real ones
        return getattr(time, name)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(_cluster, 'time', fake)
    return fake


def side(conn, env, name, es=True):
    found = {'environment': env, 'deployment_name': name}
    if es:
        found['es'] = dict((k, v) for k, v in conn.es(env, name).items() if k != 'es_url')
    return found


def environments(conn):
    return dict((env, conn.ece(env)) for env in ('ece-a', 'ece-b', 'ece-c'))


def no_secret_in(sim, events):
    text = repr(events)
    assert [s for s in secrets_of(sim) if s in text] == []


class Watch:
    """``main()`` running as a task; ``next(kind)`` waits for the next event (of that kind)."""

    def __init__(self, source, args):
        self.queue = asyncio.Queue()
        self.task = asyncio.ensure_future(source.main(self.queue, args))
        self.events = []

    async def next(self, *kinds, timeout=WAIT):
        while True:
            event = await asyncio.wait_for(self.queue.get(), timeout)
            self.events.append(event)
            if not kinds or event['remote_link']['kind'] in kinds:
                return event['remote_link']

    async def until(self, sim, since, path_part, count):
        """Wait until the source sent ``count`` requests whose path holds ``path_part`` since log entry ``since``."""
        deadline = time.monotonic() + WAIT
        while len([r for r in sim.requests(since=since) if path_part in r['path']]) < count:
            assert time.monotonic() < deadline, 'the source did not poll'
            assert not self.task.done(), self.task.exception()
            await asyncio.sleep(0.05)

    def pending(self):
        found = []
        while not self.queue.empty():
            found.append(self.queue.get_nowait())
        self.events.extend(found)
        return found

    async def stop(self):
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def run(coroutine):
    return asyncio.run(coroutine)


def converge(run_module, conn, model, local, remote, alias, **options):
    result = run_module('remote_cluster_link', module_link(conn, model, local, remote, alias=alias, **options))
    assert not result.get('failed') and result['remote_info']['connected'], result
    return result


def assert_sides(conn, event, local, remote):
    for which, (env, name) in (('local', local), ('remote', remote)):
        record = conn.deployment(env, name)
        assert event[which] == {'environment': env, 'deployment_id': record['id'], 'deployment_name': name,
                                'cluster_id': record['elasticsearch']['cluster_id']}


LOCAL, REMOTE = ('ece-a', 'search-a'), ('ece-b', 'data-b')


def certificate_link(conn):
    return {'name': 'certificate-link', 'alias': 'ece_b_data', 'local': side(conn, *LOCAL), 'remote': side(conn, *REMOTE, es=False)}


def api_key_link(conn, **extra):
    return dict({'name': 'search-a-to-data-b', 'alias': 'ece_b_data', 'model': 'api_key',
                 'local': side(conn, *LOCAL), 'remote': side(conn, *REMOTE)}, **extra)


def test_a_key_crossing_the_threshold_then_invalidated_then_rotated(sim, conn, run_module, clock):
    result = converge(run_module, conn, 'api_key', LOCAL, REMOTE, 'ece_b_data', expiration='20d')
    key_id = result['api_key']['id']
    source = load_source()
    sim.clear_log()

    async def scenario():
        watch = Watch(source, dict(FAST, environments=environments(conn), links=[api_key_link(conn)], rotate_before_days=14))
        start = sim.last_seq()
        await watch.until(sim, start, '/_security/api_key', 2)  # two whole polls: a healthy link is no event
        assert watch.pending() == []

        clock.days = 7  # 13 days left
        expiring = await watch.next()
        assert expiring['kind'] == 'key_expiring'
        assert (expiring['name'], expiring['alias'], expiring['model']) == ('search-a-to-data-b', 'ece_b_data', 'api_key')
        assert_sides(conn, expiring, LOCAL, REMOTE)
        assert expiring['key']['id'] == key_id
        assert expiring['key']['name'] == 'ece_b_data-%s' % conn.deployment(*LOCAL)['elasticsearch']['cluster_id']
        assert 12.5 < expiring['key']['expires_in_days'] < 13.5
        assert 'expires in 13.0 days' in expiring['detail'] or 'expires in 12.9 days' in expiring['detail']
        # the same finding is not repeated poll after poll
        seq = sim.last_seq()
        await watch.until(sim, seq, '/_security/api_key', 2)
        assert watch.pending() == []

        # someone else invalidates the key: no active key, and the link no longer connects
        sim.mutate({'op': 'invalidate_api_key', 'env': REMOTE[0], 'deployment': REMOTE[1], 'id': key_id})
        kinds = {}
        while set(kinds) != {'key_invalid', 'disconnected'}:
            event = await watch.next()
            kinds[event['kind']] = event
        assert key_id in kinds['key_invalid']['detail'] and kinds['key_invalid']['key']['id'] == key_id
        assert kinds['disconnected']['detail'].startswith('ece_b_data: ')
        await watch.until(sim, sim.last_seq(), '/_resolve/cluster', 2)
        assert watch.pending() == [], 'an invalid key is not also "recovered" from expiring'

        # the key is replaced: both findings clear
        clock.days = 0
        await asyncio.get_running_loop().run_in_executor(None, lambda: converge(
            run_module, conn, 'api_key', LOCAL, REMOTE, 'ece_b_data', expiration='20d'))
        recovered = set()
        while recovered != {'key_invalid', 'disconnected'}:
            event = await watch.next()
            assert event['kind'] == 'recovered', event
            recovered.add(event['recovered_from'])
            assert_sides(conn, event, LOCAL, REMOTE)
        await watch.stop()
        return watch.events

    no_secret_in(sim, run(scenario()))


def test_the_source_never_writes(sim, conn, run_module, clock):
    converge(run_module, conn, 'api_key', LOCAL, REMOTE, 'ece_b_data')
    source = load_source()
    sim.clear_log()

    async def scenario():
        watch = Watch(source, dict(FAST, environments=environments(conn), links=[api_key_link(conn)]))
        await watch.until(sim, 0, '/_security/api_key', 3)
        await watch.stop()

    run(scenario())
    assert sim.requests(write=True) == []
    # reads only, and a POST only for the deployment search (a read)
    assert set(r['method'] for r in sim.requests()) <= {'GET', 'POST'}
    assert [r['path'] for r in sim.requests() if r['method'] == 'POST' and not r['path'].endswith('/deployments/_search')] == []


def test_a_remote_going_down_and_coming_back(sim, conn, run_module, clock):
    converge(run_module, conn, 'certificate', LOCAL, REMOTE, 'ece_b_data')
    trust = sim.state()['environments'][REMOTE[0]]['deployments'][REMOTE[1]]['elasticsearch']['trust']
    source = load_source()
    link = certificate_link(conn)

    async def scenario():
        watch = Watch(source, dict(FAST, environments=environments(conn), links=[link]))
        await watch.until(sim, sim.last_seq(), '/_resolve/cluster', 2)
        assert watch.pending() == []
        # the remote deployment stops trusting the local one
        sim.mutate({'op': 'set_trust', 'env': REMOTE[0], 'deployment': REMOTE[1], 'trust': {'accounts': [], 'external': []}})
        down = await watch.next()
        assert (down['kind'], down['name'], down['model']) == ('disconnected', 'certificate-link', 'certificate')
        assert_sides(conn, down, LOCAL, REMOTE)
        assert down['detail'].startswith('ece_b_data: Unable to connect to [ece_b_data]')  # the resolve answer's error
        sim.mutate({'op': 'set_trust', 'env': REMOTE[0], 'deployment': REMOTE[1], 'trust': trust})
        back = await watch.next()
        assert (back['kind'], back['recovered_from']) == ('recovered', 'disconnected')
        await watch.stop()
        return watch.events

    no_secret_in(sim, run(scenario()))
    assert [r['path'] for r in sim.requests() if '_ccr' in r['path']] == []  # a link without replication is not asked about it


def test_an_unreachable_environment_is_an_event_and_the_source_goes_on(sim, conn, run_module, clock):
    converge(run_module, conn, 'certificate', LOCAL, REMOTE, 'ece_b_data')
    source = load_source()
    envs = environments(conn)
    envs['ece-b'] = dict(envs['ece-b'], retries=0)
    link = certificate_link(conn)

    async def scenario():
        sim.fault(match={'server': 'ece:ece-b'}, status=503, count=-1)
        watch = Watch(source, dict(FAST, environments=envs, links=[link]))
        event = await watch.next()
        assert (event['kind'], event['side']) == ('unreachable', 'remote')
        assert event['detail'].startswith('environment ece-b: ') and '503' in event['detail']
        assert event['remote']['deployment_name'] == 'data-b' and event['remote']['deployment_id'] is None
        await asyncio.sleep(0.3)
        assert not watch.task.done()
        sim.clear_faults()
        back = await watch.next()
        assert (back['kind'], back['recovered_from']) == ('recovered', 'unreachable')
        await watch.stop()
        return watch.events

    no_secret_in(sim, run(scenario()))


def test_a_server_message_that_holds_a_secret_is_masked(sim, conn, run_module, clock):
    converge(run_module, conn, 'certificate', LOCAL, REMOTE, 'ece_b_data')
    password = conn.es(*LOCAL)['es_password']
    sim.fault(match={'server': 'es:ece-a/search-a', 'path': '_resolve/cluster'}, status=400, count=-1,
              body={'error': {'root_cause': [{'type': 'x', 'reason': 'bad credentials %s' % password}]}})
    source = load_source()
    link = certificate_link(conn)
    (event,) = source.LinkHealth(source.load_args(dict(environments=environments(conn), links=[link]))).poll()
    assert event['remote_link']['kind'] == 'disconnected'
    assert event['remote_link']['detail'] == 'ece_b_data: HTTP 400: x: bad credentials ********'
    no_secret_in(sim, [event])


def test_an_unexpected_error_is_reported_and_the_next_poll_goes_on(sim, conn, run_module, clock, monkeypatch):
    converge(run_module, conn, 'certificate', LOCAL, REMOTE, 'ece_b_data')
    source = load_source()
    health = source.LinkHealth(source.load_args(dict(environments=environments(conn), links=[certificate_link(conn)])))

    def broken(*args):
        raise RuntimeError('boom')
    monkeypatch.setattr(source, 'elasticsearch_view', broken)
    (event,) = [e['remote_link'] for e in health.poll()]
    assert (event['kind'], event['side'], event['detail']) == ('unreachable', None, 'could not check the link (RuntimeError: boom)')
    monkeypatch.undo()
    monkeypatch.setattr(_cluster, 'time', clock)
    (event,) = [e['remote_link'] for e in health.poll()]
    assert (event['kind'], event['recovered_from']) == ('recovered', 'unreachable')


def test_credentials_not_loaded_by_the_nodes(sim, conn, run_module, clock):
    converge(run_module, conn, 'api_key', LOCAL, REMOTE, 'ece_b_data')
    setting = 'cluster.remote.ece_b_data.credentials'
    value = sim.state()['environments'][LOCAL[0]]['deployments'][LOCAL[1]]['elasticsearch']['keystore'][setting]
    sim.mutate([{'op': 'set_keystore', 'env': LOCAL[0], 'deployment': LOCAL[1], 'name': setting, 'value': None, 'loaded': True},
                {'op': 'set_keystore', 'env': LOCAL[0], 'deployment': LOCAL[1], 'name': setting, 'value': value, 'loaded': False}])
    source = load_source()

    async def scenario():
        watch = Watch(source, dict(FAST, environments=environments(conn), links=[api_key_link(conn)]))
        event = await watch.next('credentials_not_loaded')
        assert 'ece_b_data' in event['detail'] and 'cluster_credentials' in event['detail']
        await watch.stop()
        return watch.events

    no_secret_in(sim, run(scenario()))


def test_the_eda_credential_types_drive_the_source(sim, conn, run_module, clock, monkeypatch, tmp_path):
    """ECE environments (extra variable, YAML text) and ECE environment (environment variables, named "ece")."""
    converge(run_module, conn, 'certificate', LOCAL, REMOTE, 'ece_b_data')
    source = load_source()
    many = dict((name, {'ece_url': env['ece_url'], 'ece_api_key': env['api_key']}) for name, env in sim.info['environments'].items())
    dummy, extra_vars = inject(EDA, 'ece_environments', {'environments': yaml.safe_dump(many), 'ca_certificates': pem(sim)}, tmp_path, 'eda')
    # the rulebook passes both extra variables to the source, as they are
    link = certificate_link(conn)
    settings = source.load_args({'environments': extra_vars['ece_environments_secrets'], 'ca_path': extra_vars['ece_environments_ca_path'],
                                 'links': yaml.safe_dump([link])})
    assert source.LinkHealth(settings).poll() == []

    info = sim.info['environments']['ece-a']
    env, dummy = inject(EDA, 'ece_environment', {'ece_url': info['ece_url'], 'ece_api_key': info['api_key'],
                                                 'ca_certificates': pem(sim)}, tmp_path / 'one', 'eda')
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    local_only = {'name': 'local-link', 'alias': 'old', 'local': dict(side(conn, *LOCAL), environment='ece'),
                  'remote': {'environment': 'ece', 'deployment_name': 'search-a'}}
    (event,) = [e['remote_link'] for e in source.LinkHealth(source.load_args({'links': [local_only]})).poll()]
    assert (event['kind'], event['local']['environment']) == ('disconnected', 'ece')
    assert event['detail'] == 'old: HTTP 404: no_such_remote_cluster_exception: no such remote cluster: [old]'


@pytest.mark.parametrize('args, message', [
    ({}, 'links: give the links to watch'),
    ({'environments': 'ece-a: [', 'links': []}, 'environments: not valid YAML'),
    ({'environments': {'ece-a': {'ece_url': 'https://ece.example.com:12443'}}, 'links': []},
     'environments.ece-a: one of the following is required: ece_api_key, ece_username'),
    ({'environments': {'ece-a': {'ece_url': 'ftp://x', 'ece_api_key': 'k'}}, 'links': [{'alias': 'a', 'local': {'environment': 'ece-a', 'deployment_id': 'x'},
                                                                                        'remote': {'environment': 'ece-a'}}]},
     "environments.ece-a.ece_url: "),
    ({'environments': {'ece-a': {'ece_url': 'https://ece.example.com:12443', 'ece_api_key': 'k'}},
      'links': [{'alias': 'a', 'local': {'environment': 'ece-z', 'deployment_id': 'x', 'es': {}}, 'remote': {'environment': 'ece-a'}}],
      'interval': 0},
     "links[0] (a).local.environment: 'ece-z' is not one of the environments (ece-a)"),
])
def test_bad_arguments_fail_before_any_request_and_say_what_to_fix(sim, args, message, monkeypatch):
    for var in ('ECE_URL', 'ECE_API_KEY'):
        monkeypatch.delenv(var, raising=False)
    source = load_source()
    sim.clear_log()
    with pytest.raises(source.SourceError) as caught:
        run(source.main(asyncio.Queue(), args))
    assert message in str(caught.value)
    assert 'nothing was sent' in str(caught.value)
    assert "'k'" not in str(caught.value)
    assert sim.requests() == []


def test_requests_to_one_environment_are_spread_out():
    source = load_source()
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pace = source.Pace(4, clock=lambda: now[0], sleep=sleep)
    starts = []
    for dummy in range(5):
        pace.wait('ece-a')
        starts.append(now[0])
    pace.wait('ece-b')  # another environment does not wait for ece-a
    assert starts == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert now[0] == 1.0 and len(slept) == 4


def test_a_poll_against_the_simulator_keeps_to_the_rate(sim, conn, run_module, clock):
    converge(run_module, conn, 'api_key', LOCAL, REMOTE, 'ece_b_data')
    source = load_source()
    health = source.LinkHealth(source.load_args(dict(environments=environments(conn), links=[api_key_link(conn)], requests_per_second=10)))
    sim.clear_log()
    started = time.monotonic()
    assert health.poll() == []
    elapsed = time.monotonic() - started
    per_environment = {}
    for request in sim.requests():
        environment = request['server'].split(':', 1)[1].split('/')[0]
        per_environment[environment] = per_environment.get(environment, 0) + 1
    assert elapsed >= (max(per_environment.values()) - 1) / 10.0 - 0.01, (per_environment, elapsed)


def test_the_source_is_documented_like_a_plugin():
    source = load_source()
    documentation = yaml.safe_load(source.DOCUMENTATION)
    assert documentation['name'] == 'link_health' and documentation['short_description']
    assert sorted(documentation['options']) == ['ca_path', 'environments', 'interval', 'link_names', 'links', 'requests_per_second',
                                                'rotate_before_days']
    for kind in source.KINDS:
        assert 'V(%s)' % kind in ' '.join(documentation['description'])
    (example,) = yaml.safe_load(source.EXAMPLES)
    assert set(example['sources'][0]['ece.remote_clusters.link_health']) <= set(documentation['options'])


def test_before_8_13_the_verdict_is_a_search_through_every_node(sim, conn, run_module, clock):
    local, remote = ('ece-b', 'old-b'), ('ece-b', 'data-b')  # 7.17: no _resolve/cluster
    source = load_source()
    link = {'name': 'old-to-data', 'alias': 'data_b', 'local': side(conn, *local), 'remote': side(conn, *remote, es=False)}
    health = source.LinkHealth(source.load_args(dict(environments=environments(conn), links=[link])))
    (event,) = [e['remote_link'] for e in health.poll()]
    assert (event['kind'], event['detail']) == ('disconnected', 'data_b: HTTP 404: no_such_remote_cluster_exception: no such '
                                                                'remote cluster: [data_b]')
    assert [r for r in sim.requests() if '_resolve' in r['path']] == []
    converge(run_module, conn, 'certificate', local, remote, 'data_b')
    sim.clear_log()
    (event,) = [e['remote_link'] for e in health.poll()]
    assert (event['kind'], event['recovered_from']) == ('recovered', 'disconnected')
    # the verdict: a search of the remote that matches nothing, through each node (never _remote/info)
    paths = [r['path'] for r in sim.requests() if r['server'] == 'es:ece-b/old-b' and r['path'] != '/_cluster/health']
    assert paths == ['/data_b:ece-remote-clusters-probe-none*/_search'] * 2


def test_a_follower_that_stops_on_a_replicated_link_is_an_event(sim, conn, run_module, clock):
    import requests  # pylint: disable=import-outside-toplevel
    leader = sim.deployment(*REMOTE)['elasticsearch']
    http = requests.Session()
    http.trust_env, http.verify = False, sim.info['ca_bundle']
    auth = {'Authorization': 'ApiKey ' + leader['api_key']}
    assert http.put(leader['url'] + '/orders', headers=auth, timeout=30).status_code == 200
    replication = {'followers': [{'name': 'orders-copy', 'leader_index': 'orders'}]}
    converge(run_module, conn, 'certificate', LOCAL, REMOTE, 'ece_b_data', remote_es=True, replication=replication, wait_timeout=20)
    source = load_source()
    link = dict(certificate_link(conn), replication=replication)

    async def scenario():
        watch = Watch(source, dict(FAST, environments=environments(conn), links=[link]))
        await watch.until(sim, sim.last_seq(), '/_all/_ccr/info', 1)
        assert watch.pending() == []
        # the leader index is deleted: the follower's shard task stops for good
        assert http.delete(leader['url'] + '/orders', headers=auth, timeout=30).status_code == 200
        stopped = await watch.next()
        assert (stopped['kind'], stopped['followers']) == ('follower_fatal', ['orders-copy'])
        assert stopped['detail'].startswith('follower orders-copy stopped on shard 0:')
        await watch.stop()
        return watch.events

    try:
        no_secret_in(sim, run(scenario()))
    finally:
        http.close()
