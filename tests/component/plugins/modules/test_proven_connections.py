# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Proven, not presumed: a link is done when cross-cluster requests through every node succeed, credentials are loaded
with evidence, and a rotated key is retired only once every node holds its successor (remote_cluster_link against the
simulator, whose nodes each hold their own keystore file, loaded credentials and connections)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_es_remote_cluster import warnings
from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import es_state, link

MODULE = 'remote_cluster_link'
# 8.15.1 local (reloads remote credentials, no per-node evidence before 9.3) to 8.14.3 remote (public proxy CA: no plan)
ROTATION = (('ece-b', 'data-b'), ('ece-a', 'search-a'))


def api_key_link(conn, local=ROTATION[0], remote=ROTATION[1], **options):
    options.setdefault('credentials_settle_seconds', 1)
    options.setdefault('credentials_wait_timeout', 10)
    return link(conn, 'api_key', local, remote, **options)


def events(sim):
    return sim.state()['events']


def sent(sim, method, fragment):
    return [r for r in sim.requests() if r['method'] == method and fragment in r['path']]


def seq(sim, method, fragment):
    return [r['seq'] for r in sent(sim, method, fragment)]


def active_keys(sim, env='ece-a', name='search-a'):
    return [k for k in es_state(sim, env, name)['api_keys'] if k['type'] == 'cross_cluster' and not k['invalidated']]


def node_keys(sim, env, name, alias='peer'):
    """The key ID each node of the cluster loaded for ``alias``."""
    import base64
    loaded = [n['loaded'].get('cluster.remote.%s.credentials' % alias) for n in es_state(sim, env, name)['nodes']]
    return [base64.b64decode(value).decode().partition(':')[0] if value else None for value in loaded]


def every_node_resolves(sim, conn, env, name, alias='peer'):
    """A cross-cluster request through each node of the local cluster succeeds (the simulator's nodes answer in turn)."""
    import requests
    es = conn.es(env, name)
    answers = [requests.get('%s/_resolve/cluster/%s:*' % (es['es_url'], alias), auth=(es['es_username'], es['es_password']),
                            verify=es['ca_path'], timeout=10).json()[alias] for dummy in range(2)]
    return all(a['connected'] and not a.get('error') for a in answers), answers


def test_a_rotation_retires_the_old_key_only_once_every_node_holds_the_new_one(sim, conn, run_module):
    first = run_module(MODULE, api_key_link(conn))
    assert first['changed'] is True and not first.get('failed'), first
    sim.clear_log()
    rotated = run_module(MODULE, api_key_link(conn, rotate=True))
    assert rotated['changed'] is True and not rotated.get('failed'), rotated
    new_id, old_id = rotated['api_key']['id'], first['api_key']['id']
    assert rotated['api_key']['invalidated_ids'] == [old_id]
    # no node ever used a key after it was invalidated: the nodes reloaded the new file first
    assert events(sim) == []
    assert node_keys(sim, 'ece-b', 'data-b') == [new_id, new_id]
    patch, = seq(sim, 'PATCH', '/keystore')
    invalidation, = seq(sim, 'DELETE', '/_security/api_key')
    reloads = seq(sim, 'POST', '/_nodes/reload_secure_settings')
    assert reloads and patch < reloads[0] and reloads[-1] < invalidation
    # the connection is judged by requests through every node, also after the invalidation
    probes = seq(sim, 'GET', '/_resolve/cluster/peer:*')
    assert len([s for s in probes if s > invalidation]) >= 2
    assert 'restart' not in rotated and rotated['credentials'].startswith('reloaded on every node')
    assert every_node_resolves(sim, conn, 'ece-b', 'data-b')[0]
    assert [k['id'] for k in active_keys(sim)] == [new_id]


def test_8_13_whose_nodes_ece_never_reloads_gets_the_reload_call_and_no_restart(sim, conn, run_module):
    sim.mutate({'op': 'set_es_version', 'env': 'ece-b', 'deployment': 'data-b', 'version': '8.13.4'})
    assert sim.settings()['keystore_reload_8_13'] is False  # ECE reloads from 8.14 in every current page
    first = run_module(MODULE, api_key_link(conn))
    assert first['changed'] is True and not first.get('failed'), first
    assert 'restart' not in first and sent(sim, 'POST', '/_nodes/reload_secure_settings')
    sim.clear_log()
    rotated = run_module(MODULE, api_key_link(conn, rotate=True))
    assert not rotated.get('failed') and 'restart' not in rotated, rotated
    assert events(sim) == []
    assert node_keys(sim, 'ece-b', 'data-b') == [rotated['api_key']['id']] * 2
    assert es_state(sim, 'ece-b', 'data-b')['restarts'] == 0
    # 8.13 is below what Elastic's current pages require: said once
    said = [w for w in warnings(rotated) if 'requires Elasticsearch 8.14.0 or later' in w]
    assert len(said) == 1 and '8.13.4' in said[0]


def test_a_reload_refused_for_want_of_manage_security_restarts_and_says_why(sim, conn, run_module):
    sim.mutate({'op': 'set_reload_privileges', 'env': 'ece-b', 'deployment': 'data-b', 'privileges': ['manage']})
    result = run_module(MODULE, api_key_link(conn))
    assert result['changed'] is True and not result.get('failed'), result
    assert result['restart']['changed'] is True
    assert 'manage_security' in result['credentials'] and '8.15.2' in result['credentials']
    assert every_node_resolves(sim, conn, 'ece-b', 'data-b')[0]


def test_from_9_3_the_digest_of_every_node_s_file_is_the_evidence(sim, conn, run_module):
    for env, name in (('ece-c', 'analytics-c'), ('ece-a', 'search-a')):
        sim.mutate({'op': 'set_es_version', 'env': env, 'deployment': name, 'version': '9.3.0'})
    args = api_key_link(conn, local=('ece-c', 'analytics-c'), credentials_settle_seconds=60)
    assert run_module(MODULE, args)['changed'] is True
    sim.clear_log()
    started = time.monotonic()
    rotated = run_module(MODULE, dict(args, rotate=True))
    assert not rotated.get('failed'), rotated
    assert time.monotonic() - started < 20  # the digests told, not the 60 s a version without them would wait
    patch, = seq(sim, 'PATCH', '/keystore')
    reloads = seq(sim, 'POST', '/_nodes/reload_secure_settings')
    assert reloads[0] < patch < reloads[-1]  # the digests of before the write, then reloads until the new file shows
    assert events(sim) == []
    assert node_keys(sim, 'ece-c', 'analytics-c') == [rotated['api_key']['id']] * 2


def test_an_interrupted_rotation_is_finished_by_the_next_run(sim, conn, run_module):
    first = run_module(MODULE, api_key_link(conn))
    sim.fault(match={'method': 'DELETE', 'path': '/_security/api_key$'}, status=503, count=-1)
    broken = run_module(MODULE, api_key_link(conn, rotate=True))
    assert broken['failed'] is True and broken['changed'] is True
    assert len(active_keys(sim)) == 2
    sim.clear_faults()
    sim.clear_log()
    rerun = run_module(MODULE, api_key_link(conn, rotate=True))
    assert not rerun.get('failed'), rerun
    # finished, not begun again: no third key, no keystore write, the old key retired
    assert sent(sim, 'POST', '/_security/cross_cluster/api_key') == [] and sent(sim, 'PATCH', '/keystore') == []
    keys = active_keys(sim)
    assert len(keys) == 1 and keys[0]['id'] != first['api_key']['id']
    assert rerun['api_key']['invalidated_ids'] == [first['api_key']['id']]
    assert events(sim) == []
    again = run_module(MODULE, api_key_link(conn))
    assert again['changed'] is False, again


def test_an_interrupted_rotation_below_8_13_is_finished_without_a_second_restart(sim, conn, run_module):
    args = api_key_link(conn, local=('ece-b', 'ingest-b'))  # 8.12.2: only a restart loads credentials
    first = run_module(MODULE, args)
    assert first['restart']['changed'] is True
    sim.fault(match={'method': 'DELETE', 'path': '/_security/api_key$'}, status=503, count=-1)
    broken = run_module(MODULE, dict(args, rotate=True))
    assert broken['failed'] is True and es_state(sim, 'ece-b', 'ingest-b')['restarts'] == 2
    sim.clear_faults()
    rerun = run_module(MODULE, dict(args, rotate=True))
    assert not rerun.get('failed'), rerun
    assert es_state(sim, 'ece-b', 'ingest-b')['restarts'] == 2 and 'restart' not in rerun
    assert len(active_keys(sim)) == 1 and events(sim) == []


def test_an_interruption_while_the_nodes_load_the_new_key_is_finished_with_a_reload(sim, conn, run_module):
    first = run_module(MODULE, api_key_link(conn))
    sim.fault(match={'method': 'POST', 'path': '/_nodes/reload_secure_settings'}, status=503, count=-1)
    broken = run_module(MODULE, api_key_link(conn, rotate=True))
    assert broken['failed'] is True
    sim.clear_faults()
    sim.settings(keystore_reload_seconds=None)  # only the link's reload loads it now
    rerun = run_module(MODULE, api_key_link(conn, rotate=True))
    assert not rerun.get('failed'), rerun
    assert sent(sim, 'POST', '/_security/cross_cluster/api_key')[-1]['seq'] < sent(sim, 'PATCH', '/keystore')[-1]['seq']
    assert len(active_keys(sim)) == 1 and active_keys(sim)[0]['id'] != first['api_key']['id']
    assert events(sim) == [] and 'restart' not in rerun


def test_a_probe_never_outlasts_the_wait(sim, conn, run_module):
    args = link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', 'data-b'), wait_timeout=2)
    sim.fault(match={'path': '/_resolve/cluster/'}, latency_ms=4000, count=-1)
    started = time.monotonic()
    result = run_module(MODULE, args)
    took = time.monotonic() - started
    assert result['failed'] is True and 'not connected after 2s' in result['msg'] and 'no answer within 2s' in result['msg']
    assert took < 2 + 1 + 5, took  # the plans, the wait of 2 s, and one probe cut short; not 30 s timeouts times retries
    time.sleep(3)  # the simulator logs a request once it has answered it
    probes = sent(sim, 'GET', '/_resolve/cluster/')
    # one request at a time, no retries stacked: the look whether the link works already, then the wait's one probe
    assert len(probes) == 2, probes


def test_connected_in_remote_info_is_not_a_verdict(sim, conn, run_module):
    args = api_key_link(conn, credentials_wait_timeout=2)
    first = run_module(MODULE, args)
    assert first['changed'] is True
    # someone else invalidates the key the nodes hold: _remote/info still says connected, every request fails
    sim.mutate({'op': 'invalidate_api_key', 'env': 'ece-a', 'deployment': 'search-a', 'id': first['api_key']['id']})
    ok, answers = every_node_resolves(sim, conn, 'ece-b', 'data-b')
    assert not ok and 'unable to authenticate' in answers[0]['error']
    check = run_module(MODULE, args, check_mode=True)
    assert check['changed'] is True and check['api_key']['created'] is True  # a new key is the only way on
    repaired = run_module(MODULE, args)
    assert repaired['changed'] is True and not repaired.get('failed'), repaired
    assert every_node_resolves(sim, conn, 'ece-b', 'data-b')[0]


def test_a_plan_that_shows_late_is_still_awaited(sim, conn, run_module):
    sim.settings(plan_start_delay=1.5)
    result = run_module('ece_deployment_trust', dict(conn.ece('ece-a'), deployment_id=conn.deployment('ece-a', 'search-a')['id'],
                                                     accounts=[{'account_id': sim.env('ece-b')['account_id'], 'trust_all': True}]))
    assert result['changed'] is True and not result.get('failed'), result
    state = es_state(sim, 'ece-a', 'search-a')
    assert state['applied_trust'] == state['trust'] and state['pending_plan'] is None


def test_check_mode_of_a_rotation_says_how_the_credentials_would_load_and_writes_nothing(sim, conn, run_module):
    run_module(MODULE, api_key_link(conn))
    sim.clear_log()
    predicted = run_module(MODULE, api_key_link(conn, rotate=True), check_mode=True)
    assert predicted['changed'] is True and not predicted.get('failed'), predicted
    assert [r for r in sim.requests() if r['write']] == []
    assert predicted['credentials'].startswith('would be reloaded on every node')
    assert predicted['api_key']['invalidated_ids'] != []


def test_a_grace_expiration_instead_of_an_invalidation(sim, conn, run_module):
    first = run_module(MODULE, api_key_link(conn))
    rotated = run_module(MODULE, api_key_link(conn, rotate=True, previous_key_grace='1h'))
    assert not rotated.get('failed'), rotated
    assert rotated['api_key']['invalidated_ids'] == [] and rotated['api_key']['expiring_ids'] == [first['api_key']['id']]
    old = [k for k in es_state(sim, 'ece-a', 'search-a')['api_keys'] if k['id'] == first['api_key']['id']][0]
    assert not old['invalidated'] and 3500 * 1000 < old['expiration'] - time.time() * 1000 < 3700 * 1000
    assert run_module(MODULE, api_key_link(conn, previous_key_grace='1h'))['changed'] is False
