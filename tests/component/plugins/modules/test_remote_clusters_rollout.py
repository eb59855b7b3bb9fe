# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""remote_clusters_rollout against the simulator: each deployment written once per plan round, all plans awaited
together, each link its own outcome."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import datetime

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import (
    es_state, link, repeated_reads, writes)

MODULE = 'remote_clusters_rollout'
HUB = ('ece-a', 'search-a')
# deployments of ece-b that the 8.14 hub can connect to
SPOKES = ('data-b', 'ingest-b', 'old-b')


def hub_links(conn, spokes=SPOKES, **options):
    links = []
    for index, spoke in enumerate(spokes):
        args = link(conn, 'certificate', HUB, ('ece-b', spoke), alias='spoke_%d' % index, **options)
        args['name'] = 'hub-to-%s' % spoke
        links.append(args)
    return links


def by_name(result):
    return dict((outcome['name'], outcome) for outcome in result['links'])


def deployment_writes(sim, conn, env, name):
    path = '/api/v1/deployments/%s' % conn.deployment(env, name)['id']
    return [w for w in writes(sim) if w == ('PUT', path)]


def cluster_id(conn, env, name):
    return conn.deployment(env, name)['elasticsearch']['cluster_id']


def test_a_hub_is_written_once_and_every_plan_is_awaited_in_one_round(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, dict(links=hub_links(conn)), diff=True)
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert result['plan_rounds'] == 1
    # the hub once, with the trust of every spoke; each spoke once; one relationship per direction, not one per link
    assert len(deployment_writes(sim, conn, *HUB)) == 1
    for spoke in SPOKES:
        assert len(deployment_writes(sim, conn, 'ece-b', spoke)) == 1
    counts = collections.Counter(path.rsplit('/', 1)[-1] for method, path in writes(sim) if method == 'POST')
    assert counts['trust-relationships'] == 2
    (external,) = es_state(sim, *HUB)['trust']['external']
    assert sorted(external['trust_allowlist']) == sorted(cluster_id(conn, 'ece-b', spoke) for spoke in SPOKES)
    assert es_state(sim, *HUB)['trust']['accounts'], 'the account trust of the hub must be kept'
    outcomes = by_name(result)
    for spoke in SPOKES:
        outcome = outcomes['hub-to-%s' % spoke]
        assert outcome['remote_info']['connected'] is True
        # each link's diff shows its own spoke: the allowlist entry it asked for
        assert outcome['local_trust']['changed'] is True
        after = outcome['local_trust']['diff']['after']['external'][0]['trust_allowlist']
        assert after == [cluster_id(conn, 'ece-b', spoke)]
    # every deployment was read once for all links (a relationship list or the hub's cluster settings are read again
    # after another link wrote there)
    assert [read for read in repeated_reads(sim) if '/deployments/' in read[1]] == []


def test_a_converged_rollout_sends_only_reads_each_once(sim, conn, run_module):
    links = hub_links(conn)
    assert run_module(MODULE, dict(links=links))['changed'] is True
    sim.clear_log()
    result = run_module(MODULE, dict(links=links))
    assert result['changed'] is False and result['plan_rounds'] == 0, result
    assert writes(sim) == []
    assert repeated_reads(sim) == []
    assert all(outcome['remote_info']['connected'] for outcome in result['links'])


def test_check_mode_predicts_every_link_and_sends_no_write(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, dict(links=hub_links(conn)), check_mode=True, diff=True)
    assert writes(sim) == []
    assert result['changed'] is True and result['plan_rounds'] == 1
    for outcome in result['links']:
        assert outcome['changed'] is True and outcome['local_trust']['changed'] is True
        assert outcome['remote_trust']['changed'] is True
    headers = [diff['before_header'] for diff in result['diff']]
    assert any(header.startswith('hub-to-old-b: deployment trust of the local deployment') for header in headers), headers


def test_a_link_whose_deployment_cannot_be_read_fails_alone(sim, conn, run_module):
    old_b = conn.deployment('ece-b', 'old-b')['id']
    sim.fault(match={'server': '^ece:ece-b$', 'method': 'GET', 'path': '/deployments/%s$' % old_b}, status=500,
              body={'errors': [{'code': 'sim.down', 'message': 'old-b cannot be read'}]}, count=-1)
    links = hub_links(conn)
    for args in links:
        args['remote']['ece']['retries'] = 0
    result = run_module(MODULE, dict(links=links))
    assert result['failed'] is True
    assert result['msg'].startswith('1 of 3 links failed: hub-to-old-b: read the remote deployment')
    outcomes = by_name(result)
    assert outcomes['hub-to-old-b']['failed'] is True and outcomes['hub-to-old-b']['step'] == 'remote_deployment'
    for spoke in ('data-b', 'ingest-b'):
        assert outcomes['hub-to-%s' % spoke]['remote_info']['connected'] is True
        assert sim.diagnose('ece-a', 'search-a', outcomes['hub-to-%s' % spoke]['alias'])['connected'] is True


def test_a_failed_plan_of_the_hub_fails_the_links_that_need_it_and_no_other(sim, conn, run_module):
    links = hub_links(conn, spokes=('data-b', 'ingest-b'))
    other = link(conn, 'certificate', ('ece-b', 'old-b'), ('ece-b', 'data-b'), alias='other')
    other['name'] = 'old-b-to-data-b'
    sim.fault(plan_failure='Allocator capacity exceeded in zone ece-zone-1', env='ece-a', deployment='search-a')
    result = run_module(MODULE, dict(links=links + [other]))
    outcomes = by_name(result)
    assert result['failed'] is True and result['msg'].startswith('2 of 3 links failed')
    for name in ('hub-to-data-b', 'hub-to-ingest-b'):
        assert outcomes[name]['failed'] is True and outcomes[name]['step'] == 'local_trust'
        assert 'Allocator capacity exceeded' in outcomes[name]['msg']
    assert not outcomes['old-b-to-data-b'].get('failed')
    assert outcomes['old-b-to-data-b']['remote_info']['connected'] is True


def test_restarts_of_one_deployment_are_one_restart(sim, conn, run_module):
    # logs-a runs 8.12.2: its nodes load new credentials only on a restart; two links from it need one
    links = []
    for remote, alias in (('ingest-b', 'ingest'), ('data-b', 'data')):
        args = link(conn, 'api_key', ('ece-a', 'logs-a'), ('ece-b', remote), alias=alias)
        args['name'] = 'logs-a-to-%s' % remote
        links.append(args)
    sim.clear_log()
    result = run_module(MODULE, dict(links=links))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    restarts = [path for method, path in writes(sim) if path.endswith('/_restart')]
    assert len(restarts) == 1
    for outcome in result['links']:
        assert outcome['credentials'].startswith('loaded by a restart'), outcome['credentials']
        assert outcome['remote_info']['connected'] is True


def test_deployments_given_by_name_are_found_and_a_name_of_nothing_fails_its_link(sim, conn, run_module):
    links = hub_links(conn, spokes=('data-b',))
    for key in ('local', 'remote'):
        links[0][key].pop('deployment_id')
    links[0]['local']['deployment_name'] = 'search-a'
    links[0]['remote']['deployment_name'] = 'data-b'
    nowhere = hub_links(conn, spokes=('ingest-b',))[0]
    nowhere['remote'].pop('deployment_id')
    nowhere['remote']['deployment_name'] = 'no-such-deployment'
    result = run_module(MODULE, dict(links=links + [nowhere]))
    outcomes = by_name(result)
    assert outcomes['hub-to-data-b']['remote_info']['connected'] is True
    assert outcomes['hub-to-data-b']['remote']['deployment_id'] == conn.deployment('ece-b', 'data-b')['id']
    failed = outcomes['hub-to-ingest-b']
    assert failed['failed'] is True and failed['step'] == 'remote_deployment'
    assert "remote.deployment_name: 'no-such-deployment' does not name exactly one deployment" in failed['msg']


def test_bad_input_of_the_rollout_fails_before_any_request(sim, conn, run_module):
    links = hub_links(conn, spokes=('data-b', 'data-b'))
    sim.clear_log()
    result = run_module(MODULE, dict(links=links, concurrency=0))
    assert result['failed'] is True
    assert 'concurrency: 0 is not a number of requests' in result['msg']
    assert 'the names hub-to-data-b are given twice' in result['msg']
    assert sim.requests() == []


def test_a_bad_link_fails_alone_before_any_request_of_its_own(sim, conn, run_module):
    links = hub_links(conn, spokes=('data-b', 'ingest-b'))
    links[1]['alias'] = 'Not An Alias'
    result = run_module(MODULE, dict(links=links, diagnose=False))
    outcomes = by_name(result)
    assert outcomes['hub-to-ingest-b']['failed'] is True and 'alias' in outcomes['hub-to-ingest-b']['msg']
    assert outcomes['hub-to-ingest-b']['status'] == 'failed_before_checking'
    assert outcomes['hub-to-data-b']['remote_info']['connected'] is True
    ingest_b = conn.deployment('ece-b', 'ingest-b')['id']
    assert not [r for r in sim.requests() if r['deployment'] == 'ingest-b' or ingest_b in r['path']]


def test_a_bad_link_is_diagnosed_with_reads_only(sim, conn, run_module):
    links = hub_links(conn, spokes=('data-b', 'ingest-b'))
    links[1]['alias'] = 'Not An Alias'
    sim.clear_log()
    outcomes = by_name(run_module(MODULE, dict(links=links)))
    bad = outcomes['hub-to-ingest-b']
    assert bad['status'] == 'failed_before_checking' and 'alias' in bad['msg']
    # both deployments were read for the diagnosis (the platform trust is missing on both sides: ingest-b's trust of the hub)
    assert bad['problems'], bad
    ingest_b = conn.deployment('ece-b', 'ingest-b')['id']
    touching = [r for r in sim.requests() if r['deployment'] == 'ingest-b' or ingest_b in r['path']]
    assert touching and not [r for r in touching if r['write']]


def test_check_links_first_refuses_every_bad_link_before_any_request(sim, conn, run_module):
    links = hub_links(conn)
    links[1]['alias'] = 'Not An Alias'
    links[2]['local']['es'] = None
    sim.clear_log()
    result = run_module(MODULE, dict(links=links, check_links_first=True))
    assert sim.requests() == []
    assert result['failed'] is True
    assert result['msg'].startswith('2 of 3 links are not well defined, and nothing was sent to any environment: '
                                    'link hub-to-ingest-b: alias: '), result['msg']
    assert 'link hub-to-old-b: local.es: give the connection options' in result['msg']
    outcomes = by_name(result)
    assert [o['status'] for o in result['links']] == ['failed_before_checking'] * 3
    assert outcomes['hub-to-data-b']['msg'] == 'not attempted: 2 other links are not well defined (check_links_first)'
    assert outcomes['hub-to-old-b']['remote']['environment'] == 'ece-b'


def test_concurrency_bounds_the_requests_to_one_environment(sim, conn, run_module):
    sim.settings(latency_ms=30)
    sim.clear_log()
    result = run_module(MODULE, dict(links=hub_links(conn), concurrency=1))
    assert not result.get('failed'), result.get('msg')
    spans = collections.defaultdict(list)
    for entry in sim.requests():
        if entry['server'].startswith('ece:'):
            start = datetime.datetime.strptime(entry['time'], '%Y-%m-%dT%H:%M:%S.%fZ').timestamp()
            spans[entry['server']].append((start, start + entry['duration_ms'] / 1000.0))
    assert spans
    for server, intervals in spans.items():
        intervals.sort()
        # one request at a time: each starts after the one before it ended (the log's times are in milliseconds)
        overlaps = [(a, b) for a, b in zip(intervals, intervals[1:]) if b[0] < a[1] - 0.002]
        assert overlaps == [], server


def test_check_mode_keeps_the_trust_of_a_hub_to_two_new_environments_apart(sim, conn, run_module):
    # neither relationship exists yet: each link's deployment trust names a stand-in of its own environment
    links = []
    for env, spoke in (('ece-b', 'old-b'), ('ece-c', 'archive-c')):
        args = link(conn, 'certificate', ('ece-a', 'legacy-a'), (env, spoke), alias=spoke.replace('-', '_'))
        args['name'] = 'legacy-a-to-%s' % spoke
        links.append(args)
    result = run_module(MODULE, dict(links=links), check_mode=True, diff=True)
    assert writes(sim) == [] and not result.get('failed'), result.get('msg')
    outcomes = by_name(result)
    stand_ins = [outcomes[name]['local_trust']['diff']['after']['external'][0]['trust_relationship_id']
                 for name in ('legacy-a-to-old-b', 'legacy-a-to-archive-c')]
    assert stand_ins == ['to-be-created-trusting-ece-b', 'to-be-created-trusting-ece-c']
    # the merged prediction of the hub holds two entries, each with its own cluster
    trust = outcomes['legacy-a-to-old-b']['local_trust']['trust']
    assert sorted(e['trust_relationship_id'] for e in trust['external']) == stand_ins


def test_a_link_that_is_not_connected_is_diagnosed_without_a_write(sim, conn, run_module):
    links = hub_links(conn, spokes=('data-b', 'ingest-b'), wait_timeout=2)
    assert run_module(MODULE, dict(links=links))['changed'] is True
    # someone removes the hub's trust of ingest-b by hand: that link no longer connects, and the diagnosis says why
    ingest_b = cluster_id(conn, 'ece-b', 'ingest-b')
    hub = conn.deployment(*HUB)['id']
    run_module('ece_deployment_trust', dict(conn.ece('ece-a'), deployment_id=hub, state='absent', external=[
        {'trust_relationship_id': es_state(sim, *HUB)['trust']['external'][0]['trust_relationship_id'],
         'trust_allowlist': [ingest_b]}]))
    sim.clear_log()
    result = run_module(MODULE, dict(links=links), check_mode=True)
    assert writes(sim) == []
    outcomes = by_name(result)
    assert 'problems' not in outcomes['hub-to-data-b']
    problems = outcomes['hub-to-ingest-b']['problems']
    assert [p['problem'] for p in problems] == ['allowlist_missing_cluster_id'], problems
    assert ingest_b in problems[0]['message']


def test_a_failed_plan_of_the_hub_does_not_fail_a_link_whose_trust_the_hub_has_already(sim, conn, run_module):
    data_b, ingest_b = hub_links(conn, spokes=('data-b', 'ingest-b'))
    assert run_module(MODULE, dict(links=[data_b]))['changed'] is True
    sim.fault(plan_failure='Allocator capacity exceeded in zone ece-zone-1', env='ece-a', deployment='search-a')
    # (the simulator takes a deployment whose last plan failed as unhealthy: data-b's link is not waited for here)
    result = run_module(MODULE, dict(links=[dict(data_b, wait_for_connection=False), ingest_b]))
    outcomes = by_name(result)
    assert result['msg'].startswith('1 of 2 links failed: hub-to-ingest-b')
    assert outcomes['hub-to-ingest-b']['step'] == 'local_trust'
    assert not outcomes['hub-to-data-b'].get('failed') and outcomes['hub-to-data-b']['changed'] is False
    own = outcomes['hub-to-data-b']['local_trust']
    assert (own['changed'], own['plan_change']) == (False, False)
    assert own['trust']['external'][0]['trust_allowlist'] == [cluster_id(conn, 'ece-b', 'data-b')]  # as it was read


def test_a_link_that_failed_before_reading_its_deployments_names_them(sim, conn, run_module):
    (args,) = hub_links(conn, spokes=('data-b',))
    args['local']['ece']['retries'] = 0
    sim.fault(match={'server': '^ece:ece-a$', 'method': 'GET', 'path': '/deployments/'}, status=503, count=-1)
    (outcome,) = run_module(MODULE, dict(links=[args]))['links']
    assert outcome['failed'] is True
    assert outcome['local']['deployment_id'] == args['local']['deployment_id']
    assert outcome['remote']['deployment_id'] == args['remote']['deployment_id']


def test_restarts_of_two_deployments_run_in_one_round_together(sim, conn, run_module):
    # logs-a and ingest-b run 8.12.2: each link's local needs a restart to load its credentials; both in one round
    sim.settings(plan_seconds=1.0)
    links = []
    for local, remote, alias in ((('ece-a', 'logs-a'), ('ece-b', 'data-b'), 'data'), (('ece-b', 'ingest-b'), ('ece-a', 'search-a'), 'search')):
        args = link(conn, 'api_key', local, remote, alias=alias, credentials_wait_timeout=0)
        args['name'] = '%s-to-%s' % (local[1], remote[1])
        links.append(args)
    sim.clear_log()
    result = run_module(MODULE, dict(links=links))
    assert not result.get('failed'), result.get('msg')
    restarts = [r for r in sim.requests() if r['write'] and r['path'].endswith('/_restart')]
    assert sorted(r['deployment'] for r in restarts) == ['ingest-b', 'logs-a']
    # the second restart is sent before the first one's plan is done: no restart waits for another
    first, second = sorted(restarts, key=lambda r: r['seq'])
    polls = [r['seq'] for r in sim.requests() if r['deployment'] == first['deployment'] and r['method'] == 'GET'
             and '/elasticsearch/' in r['path'] and r['seq'] > first['seq']]
    assert second['seq'] < max(polls)
    assert all(outcome['credentials'].startswith('loaded by a restart') for outcome in result['links'])
