# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of the managers of _trust.py (plan, view): observed in, plan out; pure code, no simulator, no request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Context, Observed
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import DeploymentTrust, TrustRelationship, merge_trust, sent_again

DEPLOYMENT = '0123456789abcdef0123456789abcdef'
PEER = 'fedcba9876543210fedcba9876543210'
OTHER = 'aaaabbbbccccddddeeeeffff00001111'
B_ID = 'bbbb2222bbbb2222bbbb2222bbbb2222'


def manager(cls, check_mode=False, **params):
    """A manager without a client: any request it tried would fail."""
    return cls.create(Context(check_mode=check_mode), None, **params)


# -- TrustRelationship ---------------------------------------------------------------------------------------------
LOCAL = {'local': True, 'installation_id': 'aaaa1111aaaa1111aaaa1111aaaa1111'}


def relationship(**params):
    return manager(TrustRelationship, **dict(dict(name='ece-b', installation_id=B_ID), **params))


def decide(found, current, duplicates=()):
    """The plan of a relationship manager from the relationship read, this environment's own and the duplicates."""
    return found.plan(Observed(current, {'local': LOCAL, 'duplicates': list(duplicates)}))


def test_an_existing_relationship_keeps_trust_by_default_unless_it_is_given():
    current = {'id': '1', 'name': 'ece-b', 'installation_id': B_ID, 'trust_by_default': True, 'account_ids': ['x']}
    assert decide(relationship(account_ids=['x']), current) == (Observed(current, {'local': LOCAL, 'duplicates': []}), current,
                                                                False, [])
    plan = decide(relationship(trust_by_default=False, account_ids=['x']), current)
    assert plan.changed is True and plan.desired['trust_by_default'] is False


def test_a_relationship_to_this_environment_itself_is_refused():
    own = relationship(installation_id='aaaa1111aaaa1111aaaa1111aaaa1111')
    with pytest.raises(ApiError, match='is the ID of this environment itself'):
        decide(own, None)


def test_a_new_relationship_needs_the_certificate_and_absent_removes_what_exists():
    with pytest.raises(ApiError, match='certificate is not given'):
        decide(relationship(), None)
    gone = relationship(state='absent')
    assert decide(gone, {'id': '1'}).changed is True
    assert decide(gone, None).changed is False
    assert gone.view(None) == {'state': 'absent'}


def test_other_relationships_that_trust_the_same_environment_are_named_in_a_warning():
    current = {'id': '1', 'name': 'ece-b', 'installation_id': B_ID, 'account_ids': ['x']}
    plan = decide(relationship(account_ids=['x']), current, duplicates=['7'])
    assert not plan.changed and len(plan.warnings) == 1
    assert '7 also trust environment %s' % B_ID in plan.warnings[0] and '1 is managed and used' in plan.warnings[0]


# -- DeploymentTrust -----------------------------------------------------------------------------------------------
def trust(**params):
    return manager(DeploymentTrust, deployment_id=DEPLOYMENT, **params)


def trust_plan(found, current, healthy=True, dangling=()):
    """The plan of a deployment-trust manager from the trust read, its resource's last plan and the entries asked for."""
    wanted = {'accounts': found.params['accounts'] or [], 'external': found.params['external'] or [],
              'direct': found.params['direct'] or []}
    resource = {'info': {'plan_info': {'healthy': healthy}}}
    return found.plan(Observed(current, {'resource': resource, 'wanted': wanted, 'dangling': tuple(dangling)}))


def test_an_allowlist_entry_is_added_without_wiping_the_others():
    current = {'accounts': [{'account_id': 'acc', 'trust_all': True}],
               'external': [{'trust_relationship_id': 'r1', 'trust_all': False, 'trust_allowlist': [OTHER]}]}
    added = trust(external=[{'trust_relationship_id': 'r1', 'trust_allowlist': [PEER]}])
    plan = trust_plan(added, current)
    after = plan.desired
    assert plan.changed and after['accounts'] == current['accounts']
    assert after['external'] == [{'trust_relationship_id': 'r1', 'trust_all': False, 'trust_allowlist': [OTHER, PEER]}]
    again = trust_plan(added, after)
    assert again.desired == after and not again.changed  # idempotent


def test_absent_removes_only_the_given_cluster():
    current = {'external': [{'trust_relationship_id': 'r1', 'trust_all': False, 'trust_allowlist': [OTHER, PEER]}]}
    removed = trust(state='absent', external=[{'trust_relationship_id': 'r1', 'trust_allowlist': [PEER]}])
    assert trust_plan(removed, current).desired['external'][0]['trust_allowlist'] == [OTHER]


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
    same = trust(accounts=[{'account_id': 'acc', 'trust_all': True}])
    plan = trust_plan(same, current)
    assert plan.changed is False and not plan.warnings
    plan = trust_plan(same, current, healthy=False)
    assert plan.changed is True and sent_again(plan.current, plan.desired)
    assert len(plan.warnings) == 1 and 'the last plan failed' in plan.warnings[0]


def test_an_entry_that_names_a_deleted_relationship_goes_with_the_change_and_a_warning():
    current = {'external': [{'trust_relationship_id': 'gone', 'trust_all': False, 'trust_allowlist': []}]}
    plan = trust_plan(trust(accounts=[{'account_id': 'acc', 'trust_all': True}]), current, dangling=['gone'])
    assert plan.changed and plan.desired == {'accounts': [{'account_id': 'acc', 'trust_all': True}], 'external': []}
    assert len(plan.warnings) == 1 and 'names the deleted trust relationship gone' in plan.warnings[0]
    # without an update it stays (ECE takes it as it is), and nothing says it goes
    same = trust_plan(trust(accounts=[]), current, dangling=['gone'])
    assert (same.changed, same.desired, list(same.warnings)) == (False, current, [])
