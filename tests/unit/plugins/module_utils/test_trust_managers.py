# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of the managers of _trust.py (desired, differs, view): pure code, no simulator, no request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Context
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import DeploymentTrust, TrustRelationship, merge_trust

DEPLOYMENT = '0123456789abcdef0123456789abcdef'
PEER = 'fedcba9876543210fedcba9876543210'
OTHER = 'aaaabbbbccccddddeeeeffff00001111'
B_ID = 'bbbb2222bbbb2222bbbb2222bbbb2222'


def manager(cls, check_mode=False, warnings=None, **params):
    """A manager without a client: any request it tried would fail."""
    return cls.create(Context(check_mode=check_mode, warn=warnings.append if warnings is not None else None), None, **params)


# -- TrustRelationship ---------------------------------------------------------------------------------------------
def relationship(**params):
    found = manager(TrustRelationship, **dict(dict(name='ece-b', installation_id=B_ID), **params))
    found.local = {'local': True, 'installation_id': 'aaaa1111aaaa1111aaaa1111aaaa1111'}
    return found


def test_an_existing_relationship_keeps_trust_by_default_unless_it_is_given():
    current = {'id': '1', 'name': 'ece-b', 'installation_id': B_ID, 'trust_by_default': True, 'account_ids': ['x']}
    kept = relationship(account_ids=['x'])
    assert kept.differs(current, kept.desired(current)) is False
    turned = relationship(trust_by_default=False, account_ids=['x'])
    desired = turned.desired(current)
    assert turned.differs(current, desired) is True and desired['trust_by_default'] is False


def test_a_relationship_to_this_environment_itself_is_refused():
    own = relationship(installation_id='aaaa1111aaaa1111aaaa1111aaaa1111')
    with pytest.raises(ApiError, match='is the ID of this environment itself'):
        own.desired(None)


def test_a_new_relationship_needs_the_certificate_and_absent_removes_what_exists():
    with pytest.raises(ApiError, match='certificate is not given'):
        relationship().desired(None)
    gone = relationship(state='absent')
    assert gone.differs({'id': '1'}, gone.desired({'id': '1'})) is True
    assert gone.differs(None, gone.desired(None)) is False
    assert gone.view(None) == {'state': 'absent'}


# -- DeploymentTrust -----------------------------------------------------------------------------------------------
def trust(**params):
    return manager(DeploymentTrust, deployment_id=DEPLOYMENT, **params)


def test_an_allowlist_entry_is_added_without_wiping_the_others():
    current = {'accounts': [{'account_id': 'acc', 'trust_all': True}],
               'external': [{'trust_relationship_id': 'r1', 'trust_all': False, 'trust_allowlist': [OTHER]}]}
    added = trust(external=[{'trust_relationship_id': 'r1', 'trust_allowlist': [PEER]}])
    after = added.desired(current)
    assert after['accounts'] == current['accounts']
    assert after['external'] == [{'trust_relationship_id': 'r1', 'trust_all': False, 'trust_allowlist': [OTHER, PEER]}]
    again = added.desired(after)
    assert again == after  # idempotent


def test_absent_removes_only_the_given_cluster():
    current = {'external': [{'trust_relationship_id': 'r1', 'trust_all': False, 'trust_allowlist': [OTHER, PEER]}]}
    removed = trust(state='absent', external=[{'trust_relationship_id': 'r1', 'trust_allowlist': [PEER]}])
    assert removed.desired(current)['external'][0]['trust_allowlist'] == [OTHER]


def test_the_merge_is_pure_and_drops_an_entry_that_names_a_deleted_relationship_only_with_a_change():
    current = {'external': [{'trust_relationship_id': 'gone', 'trust_all': False, 'trust_allowlist': []},
                            {'trust_relationship_id': 'r1', 'trust_all': False, 'trust_allowlist': [OTHER]}]}
    read = copy.deepcopy(current)
    after = merge_trust(current, {'accounts': [{'account_id': 'acc', 'trust_all': True}]}, dangling=('gone',))
    assert current == read  # current in, desired out
    assert after == {'accounts': [{'account_id': 'acc', 'trust_all': True}], 'external': [current['external'][1]]}
    assert merge_trust(current, {'accounts': []}, dangling=('gone',)) == current  # no change: nothing to write, nothing dropped
    purged = merge_trust(current, {'external': [{'trust_relationship_id': 'r1', 'trust_allowlist': [PEER]}]}, purge=True)
    assert purged['external'][1]['trust_allowlist'] == [PEER]


def test_the_same_trust_is_sent_again_only_when_the_last_plan_failed():
    current = {'accounts': [{'account_id': 'acc', 'trust_all': True}]}
    warnings = []
    same = manager(DeploymentTrust, warnings=warnings, deployment_id=DEPLOYMENT, accounts=[{'account_id': 'acc', 'trust_all': True}])
    same.resource = {'info': {'plan_info': {'healthy': True}}}
    assert same.differs(current, same.desired(current)) is False and not same.reapplied
    same.resource = {'info': {'plan_info': {'healthy': False}}}
    assert same.differs(current, same.desired(current)) is True and same.reapplied
    assert warnings and 'the last plan failed' in warnings[0]
