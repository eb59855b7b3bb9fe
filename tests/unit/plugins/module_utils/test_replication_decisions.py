# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure decisions of a replicating link (module_utils/_replication.py): observations in, verdicts out."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import restricted_search
from ansible_collections.ece.remote_clusters.plugins.module_utils._replication import (
    access_with_replication, follower_role, licence_problem, node_roles_problem, replication_verdict, uncovered)


def follower(name='copy', status='active', shards=((0, 5, 5),), fatal=None, read_exceptions=()):
    """A follower as alias_replication returns it; shards as (shard_id, leader checkpoint, follower checkpoint)."""
    return {'follower_index': name, 'leader_index': 'orders', 'status': status, 'parameters': {},
            'fatal_exceptions': [dict(fatal, shard_id=0)] if fatal else [], 'read_exceptions': list(read_exceptions),
            'shards': [{'shard_id': s, 'leader_global_checkpoint': leader, 'follower_global_checkpoint': own}
                       for s, leader, own in shards]}


def observed(*followers):
    return {'followers': list(followers), 'auto_follow_patterns': [], 'problems': []}


def test_caught_up_or_advancing_followers_replicate_and_a_stuck_one_does_not():
    before = observed(follower(shards=((0, 9, 2),)))
    assert replication_verdict(None, observed(follower()), ['copy']) == (True, [])
    assert replication_verdict(before, observed(follower(shards=((0, 9, 4),))), ['copy']) == (True, [])
    stuck = follower(shards=((0, 9, 2),), read_exceptions=[{'shard_id': 0, 'exception': {'reason': 'unauthorized'}}])
    proven, problems = replication_verdict(before, observed(stuck), ['copy'])
    assert proven is False and problems == ['follower copy is behind its leader on shard 0 and did not advance: unauthorized']
    # without an earlier read, a lagging shard is not proven; an empty follower of an empty leader is caught up
    assert replication_verdict(None, observed(follower(shards=((0, 9, 2),))), ['copy'])[0] is False
    assert replication_verdict(None, observed(follower(shards=((0, -1, -1),))), ['copy']) == (True, [])


def test_stopped_paused_and_vanished_followers_are_named():
    stopped = follower(fatal={'reason': 'no such index [orders]'})
    assert replication_verdict(None, observed(stopped), ['copy'])[1] == ['follower copy stopped on shard 0: no such index [orders]']
    assert replication_verdict(None, observed(follower(status='paused', shards=())), ['copy'])[1] == [
        'follower copy does not replicate yet (paused)']
    assert replication_verdict(None, observed(), ['copy'])[1] == ['follower copy does not follow its leader any more']
    # a follower that somebody else paused is not this link's to prove
    assert replication_verdict(None, observed(follower(name='other', status='paused', shards=())), ['copy'])[1] == [
        'follower copy does not follow its leader any more']


def test_key_access_covers_the_leaders_and_refuses_restricted_search():
    access = {'search': [{'names': ['*']}]}
    assert access_with_replication(access, ['orders', 'logs-*']) == {
        'search': [{'names': ['*']}], 'replication': [{'names': ['logs-*', 'orders']}]}
    covered = {'search': [{'names': ['*']}], 'replication': [{'names': ['ord*']}]}
    assert access_with_replication(covered, ['orders']) is covered
    assert uncovered(['orders', 'logs-1'], covered) == ['logs-1']
    assert restricted_search({'search': [{'names': ['a'], 'field_security': {'grant': ['x']}}]}) is True
    assert restricted_search(access) is False


def test_the_role_of_a_replicating_link_keeps_what_was_given():
    role = follower_role({'name': 'r', 'cluster': ['monitor'], 'indices': [{'names': ['x'], 'privileges': ['read']}]},
                         'peer', ['orders'], ['orders-copy'])
    assert role['cluster'] == ['monitor', 'manage_ccr']
    assert role['indices'] == [{'names': ['x'], 'privileges': ['read']},
                               {'names': ['orders-copy'], 'privileges': ['monitor', 'read', 'write', 'manage_follow_index']}]
    assert role['remote_indices'] == [{'clusters': ['peer'], 'names': ['orders'], 'privileges': ['cross_cluster_replication']}]


def test_prerequisites_are_named():
    assert licence_problem('local', {'type': 'platinum', 'status': 'active'}) is None
    assert 'gold, active' in licence_problem('remote', {'type': 'gold', 'status': 'active'})
    assert 'expired' in licence_problem('local', {'type': 'enterprise', 'status': 'expired'})
    good = {'n1': {'roles': ['master', 'data_hot', 'remote_cluster_client']}}
    assert node_roles_problem(good) is None
    assert '(1 do not)' in node_roles_problem({'n1': {'roles': ['master', 'data_hot']}})
    assert '(0 do)' in node_roles_problem({'n1': {'roles': ['master', 'remote_cluster_client']}, 'n2': {'roles': ['data_hot']}})
