# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of the managers of _ccr.py (validate, plan, report): pure code, no simulator, no request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils._ccr import (
    CcrAutoFollowPattern, CcrFollower, follower_summary, normalize_parameter, replication_problems)
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Context, Observed

FOLLOWER = dict(name='orders-copy', remote_cluster='ece_b', leader_index='orders')
PATTERN = dict(name='logs', remote_cluster='ece_b', leader_index_patterns=['logs-*'])
DEFAULTS = {'max_read_request_operation_count': 5120, 'max_outstanding_read_requests': 12, 'max_read_request_size': '32mb',
            'max_retry_delay': '500ms', 'read_poll_timeout': '1m'}


def follower(**params):
    return CcrFollower.create(Context(), None, **dict(FOLLOWER, **params))


def pattern(**params):
    return CcrAutoFollowPattern.create(Context(), None, **dict(PATTERN, **params))


def decide(manager, current):
    """The manager's plan of ``current`` as read (no other fact)."""
    return manager.plan(Observed(current, {}))


def observed(status='active', parameters=None, **fields):
    current = dict(remote_cluster='ece_b', leader_index='orders', status=status,
                   parameters=(dict(DEFAULTS, **(parameters or {})) if status == 'active' else None))
    current.update(fields)
    return current


# -- es_ccr_follower ------------------------------------------------------------------------------------------------
def test_a_missing_follower_is_created_active_with_the_given_tuning_only():
    manager = follower(max_read_request_operation_count=100)
    desired = manager.desired(None)
    assert desired == {'remote_cluster': 'ece_b', 'leader_index': 'orders', 'status': 'active',
                       'parameters': {'max_read_request_operation_count': 100}}
    assert manager.differs(None, desired)
    assert manager.request_body() == {'max_read_request_operation_count': 100}
    assert manager.report(None, desired, True, {})['created'] is True


def test_an_active_follower_as_wanted_is_no_change_with_sizes_and_times_compared_by_value():
    manager = follower(max_read_request_size='32768kb', max_retry_delay='500ms', read_poll_timeout='60s')
    current = observed()
    assert not decide(manager, current).changed
    assert manager.report(current, current, False, {})['unverified'] == []


def test_an_active_follower_with_another_tuning_value_is_a_change_that_names_it():
    manager = follower(max_outstanding_read_requests=4)
    current = observed()
    assert decide(manager, current).changed
    assert manager.differing_parameters(current) == ['max_outstanding_read_requests']


def test_a_follower_elasticsearch_paused_is_a_change_when_active_is_wanted():
    manager = follower()
    current = observed(status='paused')
    assert decide(manager, current).changed
    assert manager.view(current)['status'] == 'paused' and manager.view(manager.desired(current))['status'] == 'active'


def test_a_paused_follower_wanted_paused_is_no_change_and_its_tuning_is_unverified_not_changed():
    manager = follower(status='paused', max_outstanding_read_requests=4, settings={'index.number_of_replicas': 0})
    current = observed(status='paused')
    assert not decide(manager, current).changed
    assert manager.unverified(current) == ['settings', 'max_outstanding_read_requests']
    assert manager.differing_parameters(current) == []


def test_absent_is_a_change_only_for_a_follower():
    manager = follower(state='absent')
    assert manager.desired(observed()) is None
    assert manager.differs(observed(), None)
    assert not manager.differs(None, None)


def test_bad_follower_input_is_refused_with_how_to_fix_it():
    manager = follower(name='Orders', remote_cluster='ECE B', max_read_request_size='32 megabytes', max_retry_delay='soon',
                       max_outstanding_read_requests=0, wait_timeout=-1)
    errors = ' | '.join(error for error in manager.validate() if error)
    assert "name: 'Orders' is not an index name; use lower-case letters" in errors
    assert "remote_cluster: 'ECE B' is not a valid remote cluster alias" in errors
    assert "max_read_request_size: '32 megabytes' is not a byte size" in errors and 'e.g. 32mb' in errors
    assert "max_retry_delay: 'soon' is not a time value" in errors
    assert 'max_outstanding_read_requests: must be 1 or more, got 0' in errors
    assert 'wait_timeout: must be 0 or more seconds, got -1' in errors


def test_values_are_normalised_for_comparison():
    assert normalize_parameter('max_read_request_size', '1mb') == normalize_parameter('max_read_request_size', '1024kb')
    assert normalize_parameter('read_poll_timeout', '1m') == normalize_parameter('read_poll_timeout', '60000ms')
    assert normalize_parameter('max_outstanding_read_requests', 3) == 3


# -- es_ccr_auto_follow_pattern ------------------------------------------------------------------------------------
def read_pattern(**fields):
    shown = {'active': True, 'remote_cluster': 'ece_b', 'leader_index_patterns': ['logs-*'], 'leader_index_exclusion_patterns': [],
             'max_outstanding_read_requests': 12}
    shown.update(fields)
    return shown


def test_a_pattern_as_read_is_no_change_and_write_only_tuning_is_unverified():
    manager = pattern(max_read_request_size='16mb', settings={'index.number_of_replicas': 0})
    current = read_pattern()
    assert not decide(manager, current).changed
    assert manager.report(current, manager.desired(current), False, {})['unverified'] == ['settings', 'max_read_request_size']


def test_the_default_follow_index_pattern_and_pattern_order_are_no_change():
    manager = pattern(leader_index_patterns=['metrics-*', 'logs-*'], follow_index_pattern='{{leader_index}}')
    current = read_pattern(leader_index_patterns=['logs-*', 'metrics-*'])
    assert not decide(manager, current).changed


def test_a_changed_pattern_or_readable_tuning_is_an_update_in_place():
    assert pattern(leader_index_exclusion_patterns=['logs-debug-*']).pattern_differs(read_pattern(), pattern(
        leader_index_exclusion_patterns=['logs-debug-*']).desired(read_pattern()))
    manager = pattern(max_outstanding_read_requests=4)
    assert manager.pattern_differs(read_pattern(), manager.desired(read_pattern()))


def test_only_active_differing_is_a_pause_not_a_put():
    manager = pattern(active=False)
    current = read_pattern()
    desired = manager.desired(current)
    assert manager.differs(current, desired) and not manager.pattern_differs(current, desired)


def test_bad_pattern_input_is_refused():
    errors = ' | '.join(e for e in pattern(name='a b', leader_index_patterns=[''], follow_index_pattern='copy').validate() if e)
    assert "name: 'a b' is not a pattern name" in errors
    assert 'leader_index_patterns: give at least one index pattern' in errors
    assert "follow_index_pattern: 'copy' must contain {{leader_index}}" in errors


# -- es_ccr_info -------------------------------------------------------------------------------------------------------
def test_the_summary_names_lag_read_and_fatal_exceptions_and_auto_follow_errors():
    stats = {'index': 'f', 'total_global_checkpoint_lag': 3, 'shards': [
        {'shard_id': 0, 'leader_global_checkpoint': 9, 'follower_global_checkpoint': 6, 'read_exceptions': [
            {'from_seq_no': 7, 'retries': 4, 'exception': {'type': 'security_exception', 'reason': 'unauthorized'}}]},
        {'shard_id': 1, 'leader_global_checkpoint': 2, 'follower_global_checkpoint': 2, 'read_exceptions': [],
         'fatal_exception': {'type': 'index_not_found_exception', 'reason': 'no such index [l]'}}]}
    summary = follower_summary({'follower_index': 'f', 'remote_cluster': 'b', 'leader_index': 'l', 'status': 'active'}, stats)
    assert summary['global_checkpoint_lag'] == 3
    assert [e['shard_id'] for e in summary['read_exceptions']] == [0] and summary['fatal_exceptions'][0]['shard_id'] == 1
    problems = replication_problems([summary], {'recent_auto_follow_errors': [
        {'leader_index': 'b:logs-1', 'auto_follow_exception': {'type': 'security_exception', 'reason': 'denied'}}]})
    assert problems == [
        'follower f stopped on shard 1: no such index [l] (index_not_found_exception); pause and resume it once the cause is fixed',
        'follower f retries reading shard 0 (4 retries): unauthorized (security_exception)',
        'auto-follow of b:logs-1 failed: denied (security_exception)']
    paused = follower_summary({'follower_index': 'p', 'status': 'paused'}, None)
    assert paused['global_checkpoint_lag'] is None and replication_problems([paused], {}) == ['follower p is paused']
