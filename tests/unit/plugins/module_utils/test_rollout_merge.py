# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The merge of several links' deployment trust into one write: pure decision code, no simulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils._rollout import merge_wanted


def wanted(accounts=(), external=(), direct=()):
    return {'accounts': list(accounts), 'external': list(external), 'direct': list(direct)}


def test_entries_of_one_relationship_are_one_entry_with_every_cluster():
    merged = merge_wanted([wanted(external=[{'trust_relationship_id': 'r1', 'trust_allowlist': ['a'], 'trust_all': None}]),
                           wanted(external=[{'trust_relationship_id': 'r1', 'trust_allowlist': ['b', 'a']}]),
                           wanted(external=[{'trust_relationship_id': 'r2', 'trust_allowlist': ['c']}])], 'present')
    assert merged['external'] == [{'trust_relationship_id': 'r1', 'trust_allowlist': ['a', 'b']},
                                  {'trust_relationship_id': 'r2', 'trust_allowlist': ['c']}]
    assert merged['accounts'] == [] and merged['direct'] == []


def test_trust_all_of_one_link_covers_the_allowlists_of_the_others():
    merged = merge_wanted([wanted(accounts=[{'account_id': 'acc', 'trust_allowlist': ['a']}]),
                           wanted(accounts=[{'account_id': 'acc', 'trust_all': True}])], 'present')
    assert merged['accounts'] == [{'account_id': 'acc', 'trust_all': True}]


def test_a_link_that_gives_no_trust_all_does_not_turn_it_off():
    # None is "not given": an entry that trusts all stays so unless a link asks for false
    merged = merge_wanted([wanted(accounts=[{'account_id': 'acc', 'trust_all': True}]),
                           wanted(accounts=[{'account_id': 'acc', 'trust_all': None, 'trust_allowlist': ['a']}])], 'present')
    assert merged['accounts'] == [{'account_id': 'acc', 'trust_all': True}]


def test_proxy_entries_of_one_name_hold_every_certificate_once():
    merged = merge_wanted([wanted(direct=[{'name': 'ece-b-proxy', 'type': 'proxy', 'certificates': ['PEM-1']}]),
                           wanted(direct=[{'name': 'ece-b-proxy', 'type': 'proxy', 'certificates': ['PEM-1', 'PEM-2']}])],
                          'present')
    assert merged['direct'] == [{'name': 'ece-b-proxy', 'type': 'proxy', 'certificates': ['PEM-1', 'PEM-2']}]


def test_removal_of_a_whole_entry_wins_over_the_removal_of_some_clusters():
    merged = merge_wanted([wanted(external=[{'trust_relationship_id': 'r1', 'trust_allowlist': ['a']}]),
                           wanted(external=[{'trust_relationship_id': 'r1'}]),
                           wanted(external=[{'trust_relationship_id': 'r2', 'trust_allowlist': ['b']}]),
                           wanted(external=[{'trust_relationship_id': 'r2', 'trust_allowlist': ['c']}])], 'absent')
    assert merged['external'] == [{'trust_relationship_id': 'r1'}, {'trust_relationship_id': 'r2', 'trust_allowlist': ['b', 'c']}]
