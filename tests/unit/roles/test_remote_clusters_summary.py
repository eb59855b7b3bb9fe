# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The summary of the role remote_clusters (templates/summary.txt.j2), rendered as the role renders it: where each link
stands in words, both sides by name (by ID when the name is not known), columns aligned, counts in the singular for one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import jinja2
from ansible.plugins.filter.core import FilterModule as CoreFilters

TEMPLATES = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'remote_clusters', 'templates')
ID = '0123456789abcdef0123456789abcdef'


def outcome(name, status, link_status, local=('ece-a', 'search-a', None), remote=('ece-b', 'data-b', None), **extra):
    sides = dict((key, {'environment': env, 'deployment_name': deployment, 'deployment_id': deployment_id})
                 for key, (env, deployment, deployment_id) in (('local', local), ('remote', remote)))
    return dict(dict(name=name, model='certificate', status=status, link_status=link_status, check_mode=False, changes=[],
                     problems=[], failed_task=None, message=None, replication=None, **sides), **extra)


def render(outcomes, check_mode=False, plan_rounds=1, rollout=None):
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, undefined=jinja2.StrictUndefined)
    environment.filters.update(CoreFilters().filters())
    text = environment.get_template('summary.txt.j2').render(
        remote_clusters_outcomes=outcomes, ansible_check_mode=check_mode, __remote_clusters_plan_rounds=plan_rounds,
        __remote_clusters_rollout=rollout or {})
    return text.strip().split('\n')


def test_each_status_in_words_both_sides_named_and_columns_aligned_when_a_side_is_shown_by_its_id():
    lines = render([
        outcome('connected-link', 'changed', 'connected', changes=[{'what': 'deployment trust of ece-a/search-a'}]),
        outcome('by-id', 'failed', 'failed_before_checking', remote=('ece-b', None, ID), failed_task='Apply (step remote_deployment)',
                message='read the remote deployment: HTTP 401'),
        outcome('gone', 'changed', 'removed', changes=[{'what': 'remote cluster gone on ece-a/search-a'}]),
        outcome('broken', 'ok', 'not_connected', problems=[{'message': 'The alias is not configured.'}]),
        outcome('late', 'failed', 'failed', failed_task='Apply (step local_trust)', message='the plan failed'),
    ])
    header, rows, total = lines[0], [line for line in lines[1:-1] if not line.startswith('    ')], lines[-1]
    assert header.split() == ['LINK', 'MODEL', 'LOCAL', '->', 'REMOTE', 'CHANGE', 'STATUS', 'DETAILS']
    by_name = dict((row.split()[0], row) for row in rows)
    assert 'ece-a/search-a -> ece-b/%s ' % ID in by_name['by-id']
    # every column starts where its header starts, whatever the width of a side
    for row in rows:
        assert row.index(' -> ') == header.index(' -> ')
        assert row[header.index('CHANGE') - 2:header.index('CHANGE')] == '  ' and row[header.index('CHANGE')] != ' '
        assert row[header.index('STATUS') - 2:header.index('STATUS')] == '  ' and row[header.index('STATUS')] != ' '
        assert row[header.index('DETAILS') - 2:header.index('DETAILS')] == '  ' and row[header.index('DETAILS')] != ' '
    statuses = dict((name, row[header.index('STATUS'):header.index('DETAILS')].strip()) for name, row in by_name.items())
    assert statuses == {'connected-link': 'connected', 'by-id': 'failed before checking', 'gone': 'removed',
                        'broken': 'NOT connected', 'late': 'failed'}
    assert '    broken: The alias is not configured.' in lines
    assert total == ('5 links: 1 ok, 2 changed, 2 failed; 1 connected, 1 not connected, 1 removed, 1 failed before checking; '
                     '1 plan round')


def test_one_link_and_the_message_of_a_module_that_ran_no_link():
    lines = render([outcome('only', 'failed', 'failed_before_checking', failed_task='Apply', message='unsupported parameter')],
                   check_mode=True, plan_rounds=0, rollout={'msg': 'Unsupported parameters for (remote_clusters_rollout) module'})
    assert 'The module: Unsupported parameters for (remote_clusters_rollout) module' in lines
    assert lines[-1] == ('1 link: 0 ok, 0 would change, 1 failed; 0 connected, 0 not connected, 0 removed, 1 failed before checking; '
                         '0 plan rounds would be needed')


def test_the_problems_of_the_replication_of_a_link_follow_its_chain_problems_once_each():
    interrupted = {'problem': 'replication_interrupted', 'side': 'local', 'message': '1 follower (orders-copy) replicates through x.'}
    paused = {'problem': 'follower_paused', 'side': 'local', 'message': 'Follower logs-copy of logs on y is paused.'}
    lines = render([
        outcome('broken', 'ok', 'not_connected', problems=[{'problem': 'unknown', 'message': 'The chain looks right.'}, interrupted],
                replication={'followers': [], 'auto_follow_patterns': [], 'problems': [interrupted]}),
        outcome('paused', 'ok', 'connected', replication={'followers': [], 'auto_follow_patterns': [], 'problems': [paused]}),
        outcome('fine', 'ok', 'connected', replication={'followers': [], 'auto_follow_patterns': [], 'problems': []}),
    ])
    indented = [line for line in lines if line.startswith('    ')]
    assert indented == ['    broken: The chain looks right.', '    broken: 1 follower (orders-copy) replicates through x.',
                        '    paused: Follower logs-copy of logs on y is paused.']
