# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ece_deployment_trust against the simulator: what it sends, what it keeps, when it writes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

MODULE = 'ece_deployment_trust'
ENV = 'ece-a'


# -- helpers ----------------------------------------------------------------------------------------
def deployment_id(conn, name='search-a'):
    return conn.deployment(ENV, name)['id']


def cluster_id(conn, env, name):
    return conn.deployment(env, name)['elasticsearch']['cluster_id']


def args(conn, **options):
    result = conn.ece(ENV, deployment_id=deployment_id(conn))
    result.update(options)
    return result


def gets(sim):
    return [r for r in sim.requests() if r['method'] == 'GET']


def puts(sim):
    return [r for r in sim.requests() if r['method'] == 'PUT']


def es_state(sim, name='search-a'):
    return sim.state()['environments'][ENV]['deployments'][name]


def account_id(sim):
    return sim.info['environments'][ENV]['account_id']


def add_relationship(sim, name='ece-b'):
    env_b = sim.info['environments']['ece-b']
    with open(env_b['ca_cert_file']) as handle:
        pem = handle.read()
    return sim.mutate({'op': 'add_trust_relationship', 'env': ENV, 'relationship': {
        'name': name, 'installation_id': env_b['environment_id'], 'public_ca_cert': pem,
        'account_ids': [env_b['account_id']]}})['id']


def read_pem(sim, env='ece-b', key='proxy_ca_cert_file'):
    with open(sim.info['environments'][env][key]) as handle:
        return handle.read()


def set_trust(sim, trust, name='search-a'):
    sim.mutate({'op': 'set_trust', 'env': ENV, 'deployment': name, 'trust': trust})


def entry(trust, kind, key, value):
    return next((e for e in trust.get(kind) or [] if e.get(key) == value), None)


def rewrap(pem):
    """The same certificate with other line breaks and surrounding whitespace."""
    lines = pem.strip().splitlines()
    body = ''.join(lines[1:-1])
    return '\n  %s\n%s\n%s\n\n' % (lines[0], '\n'.join(body[i:i + 76] for i in range(0, len(body), 76)), lines[-1])


@pytest.fixture
def relationship(sim):
    return add_relationship(sim)


@pytest.fixture
def mixed_trust(sim, conn, relationship):
    """A deployment that already trusts its account (all), one cluster through another relationship and a direct CA."""
    other = add_relationship(sim, 'ece-c')
    trust = {
        'accounts': [{'account_id': account_id(sim), 'trust_all': True}],
        'external': [{'trust_relationship_id': other, 'trust_all': False,
                      'trust_allowlist': [cluster_id(conn, 'ece-c', 'analytics-c')]}],
        'direct': [{'name': 'legacy-ca', 'uid': 'a1b2c3d4e5f60718293a4b5c6d7e8f90', 'type': 'generic', 'scope_id': 'legacy1',
                    'trust_all': True, 'certificates': [{'pem': read_pem(sim, 'ece-c', 'ca_cert_file')}]}],
    }
    set_trust(sim, trust)
    sim.clear_log()
    return {'relationship': relationship, 'other': other, 'trust': trust}


# -- the standard sequence ---------------------------------------------------------------------------
def test_check_mode_predicts_change_and_sends_no_write(sim, conn, run_module, relationship):
    data_b = cluster_id(conn, 'ece-b', 'data-b')
    sim.clear_log()
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b]}]),
                        check_mode=True)
    assert result['changed'] is True
    assert entry(result['trust'], 'external', 'trust_relationship_id', relationship)['trust_allowlist'] == [data_b]
    assert sim.requests(write=True) == []
    assert entry(es_state(sim)['elasticsearch']['trust'], 'external', 'trust_relationship_id', relationship) is None


def test_adds_external_entry_and_keeps_accounts_and_unrelated_entries(sim, conn, run_module, mixed_trust):
    data_b = cluster_id(conn, 'ece-b', 'data-b')
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': mixed_trust['relationship'],
                                                      'trust_allowlist': [data_b]}]))
    assert result['changed'] is True, result
    assert len(sim.requests(write=True)) == 1
    sent = puts(sim)[0]['body']['resources']['elasticsearch'][0]['settings']['trust']
    assert sent['accounts'] == mixed_trust['trust']['accounts']
    assert entry(sent, 'external', 'trust_relationship_id', mixed_trust['other']) == mixed_trust['trust']['external'][0]
    assert entry(sent, 'direct', 'name', 'legacy-ca')['uid'] == 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
    assert entry(sent, 'external', 'trust_relationship_id', mixed_trust['relationship']) == {
        'trust_relationship_id': mixed_trust['relationship'], 'trust_all': False, 'trust_allowlist': [data_b]}
    stored = es_state(sim)['elasticsearch']['trust']
    assert len(stored['accounts']) == 1 and len(stored['external']) == 2 and len(stored['direct']) == 1


def test_second_identical_run_changes_nothing_and_only_reads(sim, conn, run_module, mixed_trust):
    options = args(conn, external=[{'trust_relationship_name': 'ece-b', 'trust_allowlist': [cluster_id(conn, 'ece-b', 'data-b')]}],
                   direct=[{'name': 'legacy-ca', 'trust_all': True}])
    assert run_module(MODULE, options)['changed'] is True
    sim.clear_log()
    result = run_module(MODULE, options)
    assert result['changed'] is False, result
    assert result['plan_change'] is False
    assert sim.requests(write=True) == []
    assert len(gets(sim)) <= 3


def test_diff_shows_trust_before_and_after(sim, conn, run_module, mixed_trust):
    data_b = cluster_id(conn, 'ece-b', 'data-b')
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': mixed_trust['relationship'],
                                                      'trust_allowlist': [data_b]}]), check_mode=True, diff=True)
    before, after = result['diff']['before'], result['diff']['after']
    assert entry(before, 'external', 'trust_relationship_id', mixed_trust['relationship']) is None
    assert entry(after, 'external', 'trust_relationship_id', mixed_trust['relationship'])['trust_allowlist'] == [data_b]
    assert before['accounts'] == after['accounts'] == mixed_trust['trust']['accounts']
    assert sim.requests(write=True) == []


def test_allowlist_is_merged_into_the_existing_one(sim, conn, run_module, relationship):
    data_b, old_b = cluster_id(conn, 'ece-b', 'data-b'), cluster_id(conn, 'ece-b', 'old-b')
    run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b]}]))
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [old_b]}]))
    assert result['changed'] is True
    stored = entry(es_state(sim)['elasticsearch']['trust'], 'external', 'trust_relationship_id', relationship)
    assert sorted(stored['trust_allowlist']) == sorted([data_b, old_b])


def test_allowlist_order_does_not_matter(sim, conn, run_module, relationship):
    ids = [cluster_id(conn, 'ece-b', 'data-b'), cluster_id(conn, 'ece-b', 'old-b')]
    run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': ids}]))
    sim.clear_log()
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': ids[::-1]}],
                                     purge=True))
    assert result['changed'] is False
    assert sim.requests(write=True) == []


def test_purge_makes_the_given_allowlist_the_whole_allowlist(sim, conn, run_module, mixed_trust):
    data_b, old_b = cluster_id(conn, 'ece-b', 'data-b'), cluster_id(conn, 'ece-b', 'old-b')
    relationship = mixed_trust['relationship']
    run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b, old_b]}]))
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [old_b]}],
                                     purge=True))
    assert result['changed'] is True
    stored = es_state(sim)['elasticsearch']['trust']
    assert entry(stored, 'external', 'trust_relationship_id', relationship)['trust_allowlist'] == [old_b]
    # purge never removes entries that were not named
    assert entry(stored, 'external', 'trust_relationship_id', mixed_trust['other']) is not None
    assert stored['accounts'] == mixed_trust['trust']['accounts']
    assert entry(stored, 'direct', 'name', 'legacy-ca') is not None


def test_trust_all_false_with_allowlist_narrows_an_account_that_trusted_all(sim, conn, run_module):
    logs_a = cluster_id(conn, ENV, 'logs-a')
    result = run_module(MODULE, args(conn, accounts=[{'account_id': account_id(sim), 'trust_all': False,
                                                      'trust_allowlist': [logs_a]}]))
    assert result['changed'] is True
    assert es_state(sim)['elasticsearch']['trust']['accounts'] == [
        {'account_id': account_id(sim), 'trust_all': False, 'trust_allowlist': [logs_a]}]


def test_allowlist_is_irrelevant_while_trust_all_is_true(sim, conn, run_module, relationship):
    set_trust(sim, {'accounts': [{'account_id': account_id(sim), 'trust_all': True}],
                    'external': [{'trust_relationship_id': relationship, 'trust_all': True,
                                  'trust_allowlist': [cluster_id(conn, 'ece-b', 'data-b')]}]})
    sim.clear_log()
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_all': True}]))
    assert result['changed'] is False
    assert sim.requests(write=True) == []


def test_absent_removes_listed_cluster_ids_and_keeps_the_entry(sim, conn, run_module, mixed_trust):
    data_b, old_b = cluster_id(conn, 'ece-b', 'data-b'), cluster_id(conn, 'ece-b', 'old-b')
    relationship = mixed_trust['relationship']
    run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b, old_b]}]))
    sim.clear_log()
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b]}],
                                     state='absent'))
    assert result['changed'] is True
    assert len(sim.requests(write=True)) == 1
    stored = es_state(sim)['elasticsearch']['trust']
    assert entry(stored, 'external', 'trust_relationship_id', relationship)['trust_allowlist'] == [old_b]
    assert entry(stored, 'external', 'trust_relationship_id', mixed_trust['other']) is not None


def test_absent_twice_changes_nothing_the_second_time(sim, conn, run_module, relationship):
    data_b = cluster_id(conn, 'ece-b', 'data-b')
    run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b]}]))
    options = args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b]}], state='absent')
    assert run_module(MODULE, options)['changed'] is True
    sim.clear_log()
    result = run_module(MODULE, options)
    assert result['changed'] is False
    assert sim.requests(write=True) == []
    assert len(gets(sim)) <= 3


def test_absent_of_the_last_cluster_id_removes_the_external_entry_but_not_an_account_entry(sim, conn, run_module, relationship):
    data_b, own = cluster_id(conn, 'ece-b', 'data-b'), cluster_id(conn, 'ece-a', 'logs-a')
    set_trust(sim, {'accounts': [{'account_id': account_id(sim), 'trust_all': False, 'trust_allowlist': [own]}],
                    'external': [{'trust_relationship_id': relationship, 'trust_all': False, 'trust_allowlist': [data_b]}]})
    sim.clear_log()
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b]}],
                                     accounts=[{'account_id': account_id(sim), 'trust_allowlist': [own]}], state='absent'))
    assert result['changed'] is True and len(sim.requests(write=True)) == 1
    stored = es_state(sim)['elasticsearch']['trust']
    # the external entry would name its relationship and trust nothing: it goes; the account entry stays, emptied
    assert stored['external'] == []
    assert stored['accounts'] == [{'account_id': account_id(sim), 'trust_all': False, 'trust_allowlist': []}]


def test_an_entry_that_trusts_nothing_and_names_a_deleted_relationship_goes_with_the_next_write(sim, conn, run_module, relationship):
    gone, data_b = 'de' * 16, cluster_id(conn, 'ece-b', 'data-b')
    set_trust(sim, {'accounts': [{'account_id': account_id(sim), 'trust_all': True}],
                    'external': [{'trust_relationship_id': gone, 'trust_all': False, 'trust_allowlist': []}]})
    sim.clear_log()
    # nothing to write: nothing is dropped either
    assert run_module(MODULE, args(conn, accounts=[{'account_id': account_id(sim), 'trust_all': True}]))['changed'] is False
    assert sim.requests(write=True) == []
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b]}]))
    assert result['changed'] is True and not result.get('failed'), result.get('msg')
    assert [e['trust_relationship_id'] for e in es_state(sim)['elasticsearch']['trust']['external']] == [relationship]


def test_absent_without_allowlist_removes_the_whole_entry(sim, conn, run_module, mixed_trust):
    result = run_module(MODULE, args(conn, direct=[{'name': 'legacy-ca'}], state='absent'), diff=True)
    assert result['changed'] is True
    stored = es_state(sim)['elasticsearch']['trust']
    assert entry(stored, 'direct', 'name', 'legacy-ca') is None
    assert stored['accounts'] == mixed_trust['trust']['accounts']
    assert len(stored['external']) == 1
    assert entry(result['diff']['before'], 'direct', 'name', 'legacy-ca') is not None
    assert entry(result['diff']['after'], 'direct', 'name', 'legacy-ca') is None


# -- what the PUT must (not) carry -----------------------------------------------------------------------
def test_update_never_shuts_down_kibana(sim, conn, run_module, relationship):
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_all': True}]))
    assert result['changed'] is True
    body = puts(sim)[0]['body']
    assert body['prune_orphans'] is False
    assert list(body['resources']) == ['elasticsearch']
    assert es_state(sim)['kibana']['status'] == 'started'


def test_plan_is_never_sent_back_with_its_transient_part(sim, conn, run_module, relationship):
    # a past forced restart leaves "cluster_reboot: forced" in the current plan's transient part
    sim.mutate({'op': 'start_plan', 'env': ENV, 'deployment': 'search-a', 'kind': 'restart', 'seconds': 0})
    state = es_state(sim)['elasticsearch']
    assert state['plan']['transient']['plan_configuration']['cluster_reboot'] == 'forced'
    restarts = state['restarts']
    sim.clear_log()
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_all': True}]))
    assert result['changed'] is True
    plan = puts(sim)[0]['body']['resources']['elasticsearch'][0]['plan']
    assert 'transient' not in plan
    assert plan['cluster_topology'] and plan['elasticsearch']['version'] == '8.14.3'
    assert es_state(sim)['elasticsearch']['restarts'] == restarts


def test_put_carries_the_version_read(sim, conn, run_module, relationship):
    version = es_state(sim)['version']
    run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_all': True}]))
    assert puts(sim)[0]['query'] == {'version': str(version)}


def test_concurrent_change_is_read_again_and_merged(sim, conn, run_module, relationship):
    other = add_relationship(sim, 'ece-c')
    concurrent = {'trust_relationship_id': other, 'trust_all': True}
    sim.fault(match={'server': '^ece:%s$' % ENV, 'method': 'PUT', 'path': '/deployments/%s$' % deployment_id(conn)},
              mutate={'op': 'add_trust_entry', 'env': ENV, 'deployment': 'search-a', 'kind': 'external', 'entry': concurrent},
              count=1)
    sim.clear_log()
    data_b = cluster_id(conn, 'ece-b', 'data-b')
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b]}]))
    assert result['changed'] is True, result
    assert [r['status'] for r in puts(sim)] == [409, 200]
    stored = es_state(sim)['elasticsearch']['trust']
    assert entry(stored, 'external', 'trust_relationship_id', other)['trust_all'] is True
    assert entry(stored, 'external', 'trust_relationship_id', relationship)['trust_allowlist'] == [data_b]
    assert stored['accounts'] == [{'account_id': account_id(sim), 'trust_all': True}]
    assert 'HTTP 409' in json.dumps(result.get('warnings', []))  # a string or, from ansible-core 2.19, a structured warning


# -- plans -------------------------------------------------------------------------------------------------
def test_waits_for_the_plan_and_reports_it(sim, conn, run_module, relationship):
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_all': True}]))
    assert result['plan_change'] is True
    assert result['plan']['status'] == 'success'
    state = es_state(sim)['elasticsearch']
    assert state['pending_plan'] is None
    assert result['plan']['attempt_id'] == state['plan_history'][-1]['attempt_id']
    # the running cluster uses the new trust once the plan is done
    assert entry(state['applied_trust'], 'external', 'trust_relationship_id', relationship)['trust_all'] is True


def test_without_wait_returns_before_the_plan_ends(sim, conn, run_module, relationship):
    sim.settings(plan_seconds=30)
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_all': True}], wait=False))
    assert result['changed'] is True
    assert result['plan_change'] is True
    assert 'plan' not in result
    assert es_state(sim)['elasticsearch']['pending_plan'] is not None
    sim.mutate({'op': 'complete_plans'})


def test_failed_plan_fails_the_task_with_the_plans_own_message(sim, conn, run_module, relationship):
    sim.fault(plan_failure='Allocator capacity exceeded in zone ece-zone-1', env=ENV, deployment='search-a')
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_all': True}]))
    assert result.get('failed') is True
    assert 'Allocator capacity exceeded in zone ece-zone-1' in result['msg']
    assert len(sim.requests(write=True)) == 1


# -- trust relationship names --------------------------------------------------------------------------------
def test_relationship_name_is_resolved_with_one_list_request(sim, conn, run_module, relationship):
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_name': 'ece-b', 'trust_all': True}]))
    assert result['changed'] is True
    listing = [r for r in sim.requests() if r['path'].endswith('/trust-relationships')]
    assert len(listing) == 1 and listing[0]['method'] == 'GET'
    assert entry(es_state(sim)['elasticsearch']['trust'], 'external', 'trust_relationship_id', relationship)['trust_all'] is True


def test_relationship_list_is_not_read_when_only_ids_are_given(sim, conn, run_module, relationship):
    run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_all': True}]))
    assert [r for r in sim.requests() if 'trust-relationships' in r['path']] == []


def test_unknown_relationship_name_fails_before_any_write_naming_the_existing_ones(sim, conn, run_module, relationship):
    sim.clear_log()
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_name': 'ece-z', 'trust_all': True}]))
    assert result.get('failed') is True
    assert "'ece-z'" in result['msg'] and "'ece-b'" in result['msg'] and "'ece-a'" in result['msg']
    assert sim.requests(write=True) == []
    assert len(sim.requests()) == 1


# -- direct entries ---------------------------------------------------------------------------------------
def test_proxy_ca_entry_is_added_and_compared_without_regard_to_pem_wrapping(sim, conn, run_module):
    pem = read_pem(sim)
    result = run_module(MODULE, args(conn, direct=[{'name': 'ece-b-proxy', 'type': 'proxy', 'certificates': [pem]}]))
    assert result['changed'] is True, result
    sent = entry(puts(sim)[0]['body']['resources']['elasticsearch'][0]['settings']['trust'], 'direct', 'name', 'ece-b-proxy')
    assert sent == {'name': 'ece-b-proxy', 'type': 'proxy', 'trust_all': False, 'certificates': [{'pem': pem}]}
    sim.clear_log()
    again = run_module(MODULE, args(conn, direct=[{'name': 'ece-b-proxy', 'type': 'proxy', 'certificates': [rewrap(pem)]}]))
    assert again['changed'] is False
    assert sim.requests(write=True) == []


def test_direct_entry_uid_read_back_is_sent_with_the_change(sim, conn, run_module, mixed_trust):
    new_pem = read_pem(sim, 'ece-b', 'ca_cert_file')
    result = run_module(MODULE, args(conn, direct=[{'name': 'legacy-ca', 'certificates': [new_pem]}]))
    assert result['changed'] is True
    sent = entry(puts(sim)[0]['body']['resources']['elasticsearch'][0]['settings']['trust'], 'direct', 'name', 'legacy-ca')
    assert sent['uid'] == 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
    assert sent['certificates'] == [{'pem': new_pem}]
    assert 'metadata' not in sent['certificates'][0]


def test_new_direct_entry_without_certificates_fails_before_any_write(sim, conn, run_module):
    result = run_module(MODULE, args(conn, direct=[{'name': 'no-ca', 'scope_id': 'abc123', 'trust_all': True}]))
    assert result.get('failed') is True
    assert 'certificates' in result['msg']
    assert sim.requests(write=True) == []


def test_allowlist_on_an_existing_proxy_entry_fails_before_any_write(sim, conn, run_module):
    set_trust(sim, {'accounts': [{'account_id': account_id(sim), 'trust_all': True}],
                    'direct': [{'name': 'ece-b-proxy', 'type': 'proxy', 'trust_all': False, 'uid': '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
                                'certificates': [{'pem': read_pem(sim)}]}]})
    sim.clear_log()
    result = run_module(MODULE, args(conn, direct=[{'name': 'ece-b-proxy', 'trust_allowlist': [cluster_id(conn, 'ece-b', 'data-b')]}]))
    assert result.get('failed') is True
    assert 'type proxy' in result['msg'] and 'trust_allowlist' in result['msg']
    assert sim.requests(write=True) == []


# -- bad input: refused before any request ------------------------------------------------------------------
@pytest.mark.parametrize('options, message', [
    ({'accounts': [{'account_id': '441951b68fa410d4f19905fa1e656cfc', 'trust_all': True,
                    'trust_allowlist': ['0123456789abcdef0123456789abcdef']}]}, 'trust_all: true with a trust_allowlist'),
    ({'external': [{'trust_relationship_id': 'abc', 'trust_allowlist': ['search-b']}]}, "'search-b' is not an Elasticsearch cluster ID"),
    ({'accounts': [{'account_id': 'x', 'trust_allowlist': ['0123456789ABCDEF0123456789ABCDEF']}]}, 'not an Elasticsearch cluster ID'),
    ({'direct': [{'name': 'x', 'certificates': ['not a certificate'], 'scope_id': 'abc'}]}, 'direct[0].certificates[0]: not a PEM certificate'),
    ({'direct': [{'name': 'x', 'type': 'proxy', 'trust_all': True, 'certificates': []}]}, 'type proxy'),
    ({'direct': [{'name': 'x', 'scope_id': 'Not-Valid'}]}, 'scope_id'),
    ({'external': [{'trust_relationship_id': 'a'}, {'trust_relationship_id': 'a'}]}, 'given twice'),
])
def test_bad_input_fails_before_any_request(sim, conn, run_module, options, message):
    sim.clear_log()
    result = run_module(MODULE, args(conn, **options))
    assert result.get('failed') is True
    assert message in result['msg']
    assert sim.requests() == []


def test_external_entry_needs_an_id_or_a_name(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, args(conn, external=[{'trust_all': True}]))
    assert result.get('failed') is True
    assert 'trust_relationship_id' in result['msg']
    assert sim.requests() == []


def test_trust_as_wanted_with_a_plan_pending_awaits_that_plan_and_writes_nothing(sim, conn, run_module):
    # the trust is in place, but a plan (an earlier run's, say) still runs: it is in force only once that plan ends well
    wanted = [{'account_id': account_id(sim), 'trust_all': True}]
    assert not run_module(MODULE, args(conn, accounts=wanted)).get('failed')
    attempt = sim.mutate({'op': 'start_plan', 'env': ENV, 'deployment': 'search-a', 'kind': 'update', 'seconds': 0.6})['plan_attempt_id']
    sim.clear_log()
    result = run_module(MODULE, args(conn, accounts=wanted))
    assert result['changed'] is False and sim.requests(write=True) == []
    assert result['plan']['attempt_id'] == attempt
    texts = [w['event']['msg'] if isinstance(w, dict) else w for w in result.get('warnings') or []]
    assert any('waiting for its pending plan' in w for w in texts), texts
    # in check mode the plan is not awaited
    attempt = sim.mutate({'op': 'start_plan', 'env': ENV, 'deployment': 'search-a', 'kind': 'update', 'seconds': 0.6})['plan_attempt_id']
    sim.clear_log()
    checked = run_module(MODULE, args(conn, accounts=wanted), check_mode=True)
    assert checked['changed'] is False and 'plan' not in checked and len(sim.requests()) == 1


def test_wait_timeout_counts_in_all_the_pending_plan_and_the_plan_of_the_update(sim, conn, run_module, relationship):
    # a plan already pending takes most of wait_timeout: the plan of the update gets what is left (each would fit alone)
    data_b = cluster_id(conn, 'ece-b', 'data-b')
    sim.settings(plan_seconds=2.5)
    sim.mutate({'op': 'start_plan', 'env': ENV, 'deployment': 'search-a', 'kind': 'update', 'seconds': 2.5})
    sim.clear_log()
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b]}],
                                     wait_timeout=4))
    assert result.get('failed') is True and result['changed'] is True, result
    assert 'still pending after' in result['msg'] and '(wait_timeout)' in result['msg']
    assert len(sim.requests(write=True)) == 1  # the update, sent once after the pending plan ended
    sim.mutate({'op': 'complete_plans'})


def test_a_change_reads_the_deployment_once_and_writes_it_once(sim, conn, run_module, relationship):
    # the read-modify-write takes the deployment (and its version) that the module read to decide: no second GET
    data_b = cluster_id(conn, 'ece-b', 'data-b')
    sim.clear_log()
    result = run_module(MODULE, args(conn, external=[{'trust_relationship_id': relationship, 'trust_allowlist': [data_b]}],
                                     wait=False))
    assert result['changed'] is True, result
    path = '/api/v1/deployments/%s' % deployment_id(conn)
    assert [(r['method'], r['path']) for r in sim.requests() if r['path'] == path] == [('GET', path), ('PUT', path)]
