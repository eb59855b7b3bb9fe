# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""remote_cluster_link with replication: followers and auto-follow patterns as part of a link, the key's and the roles'
privileges, the prerequisites, and replication kept alive (or refused) through rotation, migration and removal.
search-a (8.14.3, ece-a) follows data-b (8.15.1, ece-b)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_es_ccr import es_call
from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import (
    MODULE, converge, es_state, link, writes)

LOCAL, LEADER = ('ece-a', 'search-a'), ('ece-b', 'data-b')
FOLLOWER = {'name': 'orders-copy', 'leader_index': 'orders'}
PATTERN = {'name': 'logs', 'leader_index_patterns': ['logs-*'], 'follow_index_pattern': '{{leader_index}}-copy'}
REPLICATION = {'followers': [FOLLOWER], 'auto_follow': [PATTERN]}
ROLE = {'name': 'replicator'}


def leader_index(sim, name='orders'):
    assert es_call(sim, LEADER, 'PUT', '/' + name).status_code == 200


def write_documents(sim, count, index='orders'):
    for number in range(count):
        assert es_call(sim, LEADER, 'POST', '/%s/_doc' % index, {'n': number}).status_code == 201


def replicating(**options):
    """The options of a replicating link: REPLICATION with the role ROLE, and ``options``."""
    chosen = dict(replication=REPLICATION, role=ROLE, wait_timeout=20, credentials_settle_seconds=1)
    chosen.update(options)
    return chosen


def ccr_state(sim):
    return es_state(sim, *LOCAL)['ccr']


def the_key(sim):
    keys = [k for k in es_state(sim, *LEADER)['api_keys'] if not k.get('invalidated') and k.get('type') == 'cross_cluster']
    assert len(keys) == 1, keys
    return keys[0]


def ccr_writes(sim):
    return [(method, path) for method, path in writes(sim) if '_ccr' in path or path.endswith(('/_close', '/_open'))]


# -- a replicated link ---------------------------------------------------------------------------------------------------
def test_an_api_key_link_replicates_predicted_first_then_converged(sim, conn, run_module):
    leader_index(sim)
    args = link(conn, 'api_key', LOCAL, LEADER, **replicating())
    sim.clear_log()
    predicted = run_module(MODULE, args, check_mode=True, diff=True)
    assert predicted['changed'] is True and not predicted.get('failed'), predicted
    assert writes(sim) == []
    assert any('follower index orders-copy' in d['before_header'] for d in predicted['diff'])

    done = converge(run_module, args)
    follower, = done['replication']['followers']
    assert (follower['follower_index'], follower['leader_index'], follower['status']) == ('orders-copy', 'orders', 'active')
    assert [p['name'] for p in done['replication']['auto_follow_patterns']] == ['logs']
    # the key grants replication on what the link replicates; the role lets its users replicate through the alias
    access = the_key(sim)['access']
    assert sorted(n for entry in access['replication'] for n in entry['names']) == ['logs-*', 'orders'], access
    role = es_state(sim, *LOCAL)['roles']['replicator']
    assert 'manage_ccr' in role['cluster']
    assert {'clusters': ['peer'], 'names': ['logs-*', 'orders'], 'privileges': ['cross_cluster_replication']} in [
        dict((k, entry[k]) for k in ('clusters', 'names', 'privileges')) for entry in role['remote_indices']]
    assert any(entry['names'] == ['*-copy', 'orders-copy'] and 'manage_follow_index' in entry['privileges']
               for entry in role['indices'])
    # the follower runs only once the connection is proven: the follow request comes after the alias
    paths = [path for method, path in writes(sim)]
    assert paths.index('/orders-copy/_ccr/follow') > paths.index('/_cluster/settings')
    # new leader indices are followed by the pattern; the leader's documents reach the follower
    write_documents(sim, 3)
    sim.clear_log()
    again = run_module(MODULE, args)
    assert again['changed'] is False and not again.get('failed'), again
    assert writes(sim) == []
    assert again['replication']['problems'] == []
    # converged: the prerequisites are read only where a follower or pattern is written, what replicates once
    reads = [r['path'] for r in sim.requests() if r['method'] == 'GET']
    assert '/_license' not in reads and '/_nodes' not in reads
    assert reads.count('/_all/_ccr/info') == 1 and reads.count('/_ccr/auto_follow') == 1


def test_a_certificate_link_replicates_with_roles_on_both_sides(sim, conn, run_module):
    leader_index(sim)
    args = link(conn, 'certificate', LOCAL, LEADER, remote_es=True, **replicating())
    done = converge(run_module, args)
    assert done['replication']['followers'][0]['status'] == 'active'
    local_role, remote_role = es_state(sim, *LOCAL)['roles']['replicator'], es_state(sim, *LEADER)['roles']['replicator']
    assert 'manage_ccr' in local_role['cluster'] and not local_role.get('remote_indices')
    assert remote_role['cluster'] == ['read_ccr']
    assert remote_role['indices'][0]['names'] == ['logs-*', 'orders'] and remote_role['indices'][0]['privileges'] == ['monitor', 'read']


def test_a_key_without_replication_is_refused_before_any_request(sim, conn, run_module):
    args = link(conn, 'api_key', LOCAL, LEADER, **replicating(access={'search': [{'names': ['*']}]}))
    sim.clear_log()
    refused = run_module(MODULE, args)
    assert refused['failed'] is True
    assert 'grants no replication on logs-*, orders' in refused['msg'] and "replication: [{names: ['logs-*', 'orders']}]" in refused['msg']
    assert sim.requests() == []


def test_restricted_search_and_replication_in_one_key_is_refused_with_the_two_aliases_way(sim, conn, run_module):
    restricted = [{'names': ['orders'], 'query': {'term': {'tenant': 'a'}}}]
    sim.clear_log()
    refused = run_module(MODULE, link(conn, 'api_key', LOCAL, LEADER, **replicating(access={'search': restricted})))
    assert refused['failed'] is True and 'under two aliases' in refused['msg'] and 'grants no replication' not in refused['msg']
    both = {'search': restricted, 'replication': [{'names': ['orders', 'logs-*']}]}
    refused = run_module(MODULE, link(conn, 'api_key', LOCAL, LEADER, **replicating(access=both)))
    assert refused['failed'] is True and 'cannot be combined with replication in one key' in refused['msg']
    assert sim.requests() == []


def test_a_licence_without_replication_is_named_before_any_follower(sim, conn, run_module):
    leader_index(sim)
    sim.mutate({'op': 'set_ccr', 'env': LOCAL[0], 'deployment': LOCAL[1], 'license': 'basic'})
    failed = run_module(MODULE, link(conn, 'api_key', LOCAL, LEADER, **replicating()))
    assert failed['failed'] is True and failed['step'] == 'replication'
    assert "local cluster's licence (basic, active) does not include cross-cluster replication" in failed['msg']
    assert ccr_writes(sim) == []


def test_nodes_without_the_remote_cluster_client_role_fail_the_connection_and_no_follower_is_written(sim, conn, run_module):
    from ecesim.testing import ApiClient, get_deployment, update_body, wait_plan  # pylint: disable=import-error,import-outside-toplevel
    import requests  # pylint: disable=import-outside-toplevel
    leader_index(sim)
    session = requests.Session()
    session.trust_env, session.verify = False, sim.info['ca_bundle']
    ece = ApiClient(session, sim.env(LOCAL[0])['ece_url'] + '/api/v1', sim.ece_headers(LOCAL[0]))
    deployment_id = sim.deployment(*LOCAL)['id']
    body = update_body(get_deployment(ece, deployment_id).json())
    for entry in body['resources']['elasticsearch'][0]['plan']['cluster_topology']:
        entry['node_roles'] = [role for role in entry['node_roles'] if role != 'remote_cluster_client']
    assert ece.put('/deployments/%s' % deployment_id, json=body).status_code == 200
    wait_plan(ece, deployment_id)
    session.close()
    # no node may reach a remote cluster: the proof of the connection fails and names the role (the prerequisite check of
    # replication, for a topology where only some nodes lack it, is tested with the pure decisions)
    failed = run_module(MODULE, link(conn, 'certificate', LOCAL, LEADER, remote_es=True, **replicating(wait_timeout=3)))
    assert failed['failed'] is True and failed['step'] == 'remote_cluster', failed
    assert 'does not have the [remote_cluster_client] role' in failed['msg']
    assert ccr_writes(sim) == []


# -- rotation ------------------------------------------------------------------------------------------------------------
def test_a_rotation_proves_the_followers_replicate_with_the_new_key(sim, conn, run_module):
    leader_index(sim)
    args = link(conn, 'api_key', LOCAL, LEADER, **replicating())
    converge(run_module, args)
    write_documents(sim, 5)
    first = the_key(sim)['id']
    sim.clear_log()
    rotated = run_module(MODULE, dict(args, rotate=True))
    assert rotated['changed'] is True and not rotated.get('failed'), rotated
    assert the_key(sim)['id'] != first
    follower, = rotated['replication']['followers']
    assert follower['global_checkpoint_lag'] == 0 and follower['fatal_exceptions'] == []
    # the followers were read after the old key was invalidated, and that is what proved them
    log = sim.requests()
    invalidated = max(i for i, r in enumerate(log) if r['method'] == 'DELETE' and r['path'] == '/_security/api_key')
    assert any(r['path'] == '/_ccr/stats' for r in log[invalidated:])


def test_a_rotation_fails_and_says_why_when_a_follower_stopped(sim, conn, run_module):
    leader_index(sim)
    args = link(conn, 'api_key', LOCAL, LEADER, **replicating(wait_timeout=3))
    converge(run_module, args)
    assert es_call(sim, LEADER, 'DELETE', '/orders').status_code == 200  # the shard follow task stops for good
    failed = run_module(MODULE, dict(args, rotate=True))
    assert failed['failed'] is True and failed['step'] == 'replication'
    assert 'the followers of peer do not replicate' in failed['msg'] and 'follower orders-copy stopped on shard 0' in failed['msg']


# -- migration -----------------------------------------------------------------------------------------------------------
def certificate_with_followers(sim, conn, run_module):
    """A certificate link whose alias two followers and a pattern use; orders-old is paused by an administrator."""
    leader_index(sim)
    leader_index(sim, 'orders-old')
    args = link(conn, 'certificate', LOCAL, LEADER, remote_es=True, **replicating(replication={
        'followers': [FOLLOWER, {'name': 'orders-old-copy', 'leader_index': 'orders-old', 'status': 'paused'}],
        'auto_follow': [PATTERN]}))
    converge(run_module, args)
    return args


def migration(args, **options):
    access = {'search': [{'names': ['*']}], 'replication': [{'names': ['orders', 'orders-old', 'logs-*']}]}
    return dict(args, model='api_key', access=access, **options)


def test_a_migration_pauses_then_resumes_exactly_what_it_paused(sim, conn, run_module):
    args = certificate_with_followers(sim, conn, run_module)
    sim.clear_log()
    predicted = run_module(MODULE, migration(args), check_mode=True)
    assert predicted['ccr_paused'] == {'followers': {'orders-copy': predicted['ccr_paused']['followers']['orders-copy']},
                                       'auto_follow': ['logs']}
    assert predicted['ccr_outage'].startswith('follower orders-copy, auto-follow pattern logs replicate nothing from their pause')
    assert writes(sim) == []

    migrated = run_module(MODULE, migration(args))
    assert migrated['changed'] is True and not migrated.get('failed'), migrated
    paths = [path for method, path in writes(sim)]
    switch = len(paths) - 1 - paths[::-1].index('/_cluster/settings')
    assert paths.index('/_ccr/auto_follow/logs/pause') < paths.index('/orders-copy/_ccr/pause_follow') < switch
    assert switch < paths.index('/orders-copy/_ccr/resume_follow') and switch < paths.index('/_ccr/auto_follow/logs/resume')
    assert '/orders-old-copy/_ccr/resume_follow' not in paths  # paused by somebody else: left paused
    assert migrated['ccr_resumed'] == migrated['ccr_paused']
    assert 0 < migrated['ccr_paused_seconds'] < 60
    ccr = ccr_state(sim)
    assert ccr['indices']['orders-copy']['follow']['tasks_running'] is True
    assert ccr['indices']['orders-old-copy']['follow']['tasks_running'] is False
    assert 'ccr_paused' not in (the_key(sim).get('metadata') or {})  # the record is gone once resumed


def test_an_interrupted_migration_is_resumed_by_the_next_run(sim, conn, run_module):
    args = certificate_with_followers(sim, conn, run_module)
    sim.fault(match={'path': '/orders-copy/_ccr/resume_follow'}, status=503, count=5)
    interrupted = run_module(MODULE, migration(args))
    assert interrupted['failed'] is True
    assert ccr_state(sim)['indices']['orders-copy']['follow']['tasks_running'] is False
    assert the_key(sim)['metadata']['ccr_paused']['followers'].keys() == {'orders-copy'}
    sim.clear_faults()
    sim.clear_log()
    finished = run_module(MODULE, migration(args))
    assert finished['changed'] is True and not finished.get('failed'), finished
    assert finished['ccr_resumed']['followers'].keys() == {'orders-copy'}
    assert ccr_state(sim)['indices']['orders-copy']['follow']['tasks_running'] is True
    assert [p for m, p in writes(sim) if p.endswith('/pause_follow') or p.endswith('/pause')] == []
    assert 'ccr_paused' not in (the_key(sim).get('metadata') or {})


def test_a_migration_without_pause_keeps_followers_running_and_proves_them(sim, conn, run_module):
    args = certificate_with_followers(sim, conn, run_module)
    sim.clear_log()
    migrated = run_module(MODULE, migration(args, ccr_pause=False))
    assert migrated['changed'] is True and not migrated.get('failed'), migrated
    assert 'ccr_paused' not in migrated
    assert [p for m, p in writes(sim) if p.endswith(('/pause_follow', '/pause'))] == []
    assert [f['status'] for f in migrated['replication']['followers'] if f['follower_index'] == 'orders-copy'] == ['active']


# -- removal -------------------------------------------------------------------------------------------------------------
def test_a_removal_is_refused_while_followers_use_the_alias_then_unfollows_when_asked(sim, conn, run_module):
    leader_index(sim)
    args = link(conn, 'api_key', LOCAL, LEADER, **replicating())
    converge(run_module, args)
    sim.clear_log()
    refused = run_module(MODULE, dict(args, state='absent'))
    assert refused['failed'] is True and refused['step'] == 'replication'
    assert 'follower orders-copy, auto-follow pattern logs replicate through peer' in refused['msg']
    assert 'ccr_on_remove: unfollow' in refused['msg'] and writes(sim) == []

    predicted = run_module(MODULE, dict(args, state='absent', ccr_on_remove='unfollow'), check_mode=True)
    assert predicted['changed'] is True and writes(sim) == []
    removed = run_module(MODULE, dict(args, state='absent', ccr_on_remove='unfollow'))
    assert removed['changed'] is True and not removed.get('failed'), removed
    assert removed['unfollowed'] == ['follower orders-copy', 'auto-follow pattern logs']
    paths = [path for method, path in writes(sim)]
    assert paths.index('/_ccr/auto_follow/logs') < paths.index('/orders-copy/_ccr/pause_follow') < paths.index(
        '/orders-copy/_close') < paths.index('/orders-copy/_ccr/unfollow') < paths.index('/orders-copy/_open') < paths.index('/_cluster/settings')
    ccr = ccr_state(sim)
    assert ccr['indices']['orders-copy']['state'] == 'open' and 'follow' not in ccr['indices']['orders-copy']
    assert ccr['patterns'] == {}


# -- in a rollout --------------------------------------------------------------------------------------------------------
def test_replication_in_a_rollout_adds_no_plan_round_and_converges(sim, conn, run_module):
    leader_index(sim)
    replicated = dict(link(conn, 'certificate', LOCAL, LEADER, remote_es=True, alias='orders_link', **replicating()),
                      name='replicated')
    plain = dict(link(conn, 'certificate', LOCAL, ('ece-b', 'ingest-b'), alias='plain'), name='plain')
    done = run_module('remote_clusters_rollout', dict(links=[replicated, plain]))
    assert done['changed'] is True and not done.get('failed'), done.get('msg')
    assert done['plan_rounds'] == 1  # the trust of both links in one round, as without replication
    outcome = dict((o['name'], o) for o in done['links'])['replicated']
    assert outcome['replication']['followers'][0]['status'] == 'active'
    # the rollout's words of what the link changed name its follower and its pattern
    assert 'follower index orders-copy of orders_link:orders on ece-a/search-a' in [c['what'] for c in outcome['changes']]
    assert any(c['what'].startswith('auto-follow pattern logs of orders_link') for c in outcome['changes'])
    sim.clear_log()
    again = run_module('remote_clusters_rollout', dict(links=[replicated, plain]))
    assert again['changed'] is False and again['plan_rounds'] == 0 and writes(sim) == []


def test_a_local_user_who_cannot_read_replication_is_warned_that_the_checks_were_skipped(sim, conn, run_module):
    args = link(conn, 'api_key', LOCAL, LEADER, credentials_settle_seconds=1)
    converge(run_module, args)
    denied = {'error': {'type': 'security_exception', 'reason': 'action [indices:monitor/xpack/ccr/follow_info] is unauthorized'},
              'status': 403}
    sim.fault(match={'path': '/_ccr/info'}, status=403, body=denied, count=-1)
    rotated = run_module(MODULE, dict(args, rotate=True))
    sim.clear_faults()
    assert rotated['changed'] is True and not rotated.get('failed'), rotated
    warnings = json.dumps(rotated.get('warnings') or [])  # strings, or from ansible-core 2.19 structured warnings
    assert 'could not be read' in warnings and 'checks that keep them replicating through the alias were skipped' in warnings
