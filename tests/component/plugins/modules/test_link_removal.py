# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""remote_cluster_link with state: absent against the simulator: the link undone in the reverse order of its creation,
only what no other link needs, nothing else touched, check mode and a second run that only reads."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import (
    API_KEY, CERTIFICATE, MODULE, converge, es_state, link, write_kinds, writes)


def env_state(sim, env):
    return sim.state()['environments'][env]


def relationships(sim, env):
    return [r for r in env_state(sim, env)['trust_relationships'] if not r.get('local')]


def remote_keys(state):
    return sorted(k for k in state['persistent'] if k.startswith('cluster.remote.'))


def active_keys(sim, env, deployment):
    return [k for k in es_state(sim, env, deployment)['api_keys'] if k['type'] == 'cross_cluster' and not k['invalidated']]


def test_an_api_key_link_is_removed_in_reverse_order_and_a_second_run_only_reads(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY)
    converge(run_module, args)
    other_key = sim.mutate({'op': 'create_cross_cluster_api_key', 'env': 'ece-b', 'deployment': 'data-b', 'name': 'someone-else'})
    before_other_keystore = dict(es_state(sim, 'ece-a', 'search-a')['keystore'])
    sim.clear_log()

    predicted = run_module(MODULE, dict(args, state='absent'), check_mode=True, diff=True)
    assert predicted['changed'] is True and writes(sim) == []

    removed = run_module(MODULE, dict(args, state='absent'), diff=True)

    assert removed['changed'] is True and not removed.get('failed'), removed
    assert write_kinds(sim) == ['alias', 'keystore', 'key invalidation', 'deployment trust']
    local = es_state(sim, 'ece-a', 'search-a')
    assert remote_keys(local) == []
    assert 'cluster.remote.peer.credentials' not in local['keystore']
    assert [k['id'] for k in active_keys(sim, 'ece-b', 'data-b')] == [other_key['id']]  # another key: untouched
    assert not [e for e in local['trust'].get('direct') or [] if e.get('type') == 'proxy']
    assert local['trust']['accounts'], 'the default account trust is kept'
    assert set(local['keystore']) == set(before_other_keystore) - {'cluster.remote.peer.credentials'}
    headers = [d['before_header'] for d in removed['diff']]
    assert headers == [d['before_header'] for d in predicted['diff']]  # check mode predicted every step

    sim.clear_log()
    again = run_module(MODULE, dict(args, state='absent'))
    assert again['changed'] is False and writes(sim) == []


def test_a_certificate_link_is_removed_but_trust_another_alias_needs_is_kept(sim, conn, run_module):
    args = link(conn, 'certificate', *CERTIFICATE, remote_es=True)
    converge(run_module, args)
    converge(run_module, dict(args, alias='peer_again'))  # a second alias to the same remote deployment
    sim.clear_log()

    removed = run_module(MODULE, dict(args, state='absent'))

    assert removed['changed'] is True, removed
    assert write_kinds(sim) == ['alias']
    assert 'peer_again' in removed['kept'][0]
    local = es_state(sim, 'ece-a', 'search-a')
    assert remote_keys(local) and all('peer_again' in k for k in remote_keys(local))
    assert local['trust']['external'][0]['trust_allowlist'] == [conn.deployment('ece-b', 'data-b')['elasticsearch']['cluster_id']]


def test_the_last_certificate_link_between_two_environments_takes_its_trust_and_when_asked_the_relationships(
        sim, conn, run_module):
    args = link(conn, 'certificate', *CERTIFICATE, remote_es=True)
    converge(run_module, args)
    other = link(conn, 'certificate', ('ece-a', 'logs-a'), ('ece-b', 'ingest-b'), remote_es=True, alias='other')
    converge(run_module, other)  # another link between the same environments, through the same relationships
    sim.clear_log()

    removed = run_module(MODULE, dict(args, state='absent', remove_platform_trust=True))

    assert removed['changed'] is True, removed
    assert write_kinds(sim) == ['alias', 'deployment trust', 'deployment trust']
    for env, name in (('ece-a', 'search-a'), ('ece-b', 'data-b')):
        assert es_state(sim, env, name)['trust']['external'] == []  # the emptied entry goes as a whole
    # the relationships serve the other link: kept, and said so
    assert len(relationships(sim, 'ece-a')) == 1 and len(relationships(sim, 'ece-b')) == 1
    assert [k for k in removed['kept'] if 'trust relationship' in k and 'logs-a' not in k]
    assert run_module(MODULE, other)['changed'] is False  # the other link is intact

    removed_other = run_module(MODULE, dict(other, state='absent', remove_platform_trust=True))
    assert removed_other['changed'] is True
    assert relationships(sim, 'ece-a') == [] and relationships(sim, 'ece-b') == []
    sim.clear_log()
    assert run_module(MODULE, dict(other, state='absent', remove_platform_trust=True))['changed'] is False
    assert writes(sim) == []


def external_entries(sim, env, name):
    return es_state(sim, env, name)['trust'].get('external') or []


def test_removal_leaves_no_dangling_trust_and_the_link_can_be_created_again(sim, conn, run_module):
    args = link(conn, 'certificate', *CERTIFICATE, remote_es=True)
    converge(run_module, args)
    sim.clear_log()

    removed = run_module(MODULE, dict(args, state='absent', remove_platform_trust=True))

    assert removed['changed'] is True and not removed.get('failed'), removed
    # the emptied entries leave the deployments' trust before their relationships are deleted
    assert write_kinds(sim) == ['alias', 'deployment trust', 'deployment trust', 'relationship', 'relationship']
    assert relationships(sim, 'ece-a') == [] and relationships(sim, 'ece-b') == []
    for env, name in (('ece-a', 'search-a'), ('ece-b', 'data-b')):
        assert external_entries(sim, env, name) == [], 'no entry may name a deleted relationship'
        assert es_state(sim, env, name)['trust']['accounts'], 'the default account trust is kept'
    # ECE refuses a trust write that names a missing relationship: a dangling entry would make this fail for good
    again = run_module(MODULE, args)
    assert again['changed'] is True and not again.get('failed'), again
    assert again['remote_info']['connected'] is True


def test_check_mode_of_a_removal_predicts_exactly_what_the_run_writes(sim, conn, run_module):
    kinds = (('platform trust', 'relationship'), ('deployment trust', 'deployment trust'), ('proxy CA', 'deployment trust'),
             ('keystore', 'keystore'), ('API key', 'key invalidation'), ('remote cluster', 'alias'))

    def changes(result):  # the diffs that show a change, by what they change
        return sorted(next(kind for words, kind in kinds if words in diff['before_header'])
                      for diff in result.get('diff') or [] if diff['before'] != diff['after'])

    named = {'op': 'add_trust_entry', 'env': 'ece-b', 'deployment': 'ingest-b', 'kind': 'external'}
    cases = [
        # between environments, relationships deleted
        (link(conn, 'certificate', *CERTIFICATE, remote_es=True), dict(remove_platform_trust=True), None),
        # in one environment: the default account trust (trust_all) already trusts the peer, and stays as it is
        (link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-a', 'logs-a'), remote_es=True), {}, None),
        # the relationship of ece-b is named by another deployment: kept, in check mode too
        (link(conn, 'certificate', *CERTIFICATE, remote_es=True), dict(remove_platform_trust=True), named),
        # API keys: keystore, key, proxy CA
        (link(conn, 'api_key', *API_KEY), {}, None),
    ]
    for args, options, mutation in cases:
        converge(run_module, args)
        if mutation:
            (relationship,) = relationships(sim, 'ece-b')
            sim.mutate(dict(mutation, entry={'trust_relationship_id': relationship['id'], 'trust_all': True}))
        sim.clear_log()
        predicted = run_module(MODULE, dict(args, state='absent', **options), check_mode=True, diff=True)
        assert writes(sim) == []
        removed = run_module(MODULE, dict(args, state='absent', **options), diff=True)
        assert not removed.get('failed'), removed
        assert predicted['changed'] is True and removed['changed'] is True
        assert changes(predicted) == changes(removed) == sorted(write_kinds(sim)), (args['remote'], predicted['diff'])
        assert predicted.get('kept') == removed.get('kept')


def test_removal_keeps_a_relationship_trusted_by_default_or_named_by_another_deployment(sim, conn, run_module):
    args = link(conn, 'certificate', *CERTIFICATE, remote_es=True)
    converge(run_module, args)
    (in_a,), (in_b,) = relationships(sim, 'ece-a'), relationships(sim, 'ece-b')
    # ece-a: an administrator made its relationship trusted by default by every deployment of ece-a
    made = run_module('ece_trust_relationship', dict(conn.ece('ece-a'), name=in_a['name'], trust_by_default=True))
    assert made['changed'] is True, made
    # ece-b: another deployment names the relationship, with an entry that trusts no cluster (yet)
    sim.mutate({'op': 'add_trust_entry', 'env': 'ece-b', 'deployment': 'ingest-b', 'kind': 'external',
                'entry': {'trust_relationship_id': in_b['id'], 'trust_all': False, 'trust_allowlist': []}})
    sim.clear_log()

    predicted = run_module(MODULE, dict(args, state='absent', remove_platform_trust=True), check_mode=True)
    removed = run_module(MODULE, dict(args, state='absent', remove_platform_trust=True))

    assert removed['changed'] is True and not removed.get('failed'), removed
    assert 'relationship' not in write_kinds(sim)
    assert [r['id'] for r in relationships(sim, 'ece-a')] == [in_a['id']]
    assert [r['id'] for r in relationships(sim, 'ece-b')] == [in_b['id']]
    kept = [k for k in removed['kept'] if 'trust relationship' in k]
    assert len(kept) == 2 and predicted['kept'] == removed['kept']
    assert any('trust_by_default' in k for k in kept)
    assert any(conn.deployment('ece-b', 'ingest-b')['id'] in k for k in kept)
    # the deployment that names the relationship can still be written
    account = sim.info['environments']['ece-b']['account_id']
    again = run_module('ece_deployment_trust', dict(conn.ece('ece-b'), deployment_id=conn.deployment('ece-b', 'ingest-b')['id'],
                                                    accounts=[dict(account_id=account, trust_all=True)]))
    assert not again.get('failed'), again


def relationship_deletes(sim):
    return [r for r in sim.requests() if r['method'] == 'DELETE' and '/trust-relationships/' in r['path']]


def test_a_relationship_is_deleted_with_its_version_and_decided_again_after_a_conflict(sim, conn, run_module):
    args = link(conn, 'certificate', *CERTIFICATE, remote_es=True)
    converge(run_module, args)
    (in_a,), (in_b,) = relationships(sim, 'ece-a'), relationships(sim, 'ece-b')
    # ece-a: changed (not made trusted by default) just before the DELETE: 409, read again, deleted with the new version
    sim.fault(match={'server': 'ece:ece-a', 'method': 'DELETE', 'path': '/trust-relationships/'},
              mutate={'op': 'update_trust_relationship', 'env': 'ece-a', 'id': in_a['id'], 'fields': {'account_ids': []}})
    # ece-b: made trusted by default just before the DELETE: 409, read again, kept
    sim.fault(match={'server': 'ece:ece-b', 'method': 'DELETE', 'path': '/trust-relationships/'},
              mutate={'op': 'update_trust_relationship', 'env': 'ece-b', 'id': in_b['id'], 'fields': {'trust_by_default': True}})
    sim.clear_log()

    removed = run_module(MODULE, dict(args, state='absent', remove_platform_trust=True))

    assert not removed.get('failed'), removed
    deletes = relationship_deletes(sim)
    by_env = dict((env, [(r['query'].get('version'), r['status']) for r in deletes if r['env'] == env]) for env in ('ece-a', 'ece-b'))
    assert by_env == {'ece-a': [('1', 409), ('2', 200)], 'ece-b': [('1', 409)]}
    assert relationships(sim, 'ece-a') == []
    assert [r['id'] for r in relationships(sim, 'ece-b')] == [in_b['id']]
    assert [k for k in removed['kept'] if 'trust_by_default' in k and 'remote environment' in k]
    assert removed['local_relationship']['changed'] is True and removed['remote_relationship']['changed'] is False


def test_the_users_of_a_relationship_are_found_by_a_sorted_complete_search_without_metadata(sim, conn, run_module, monkeypatch):
    from ansible_collections.ece.remote_clusters.plugins.module_utils import _deployments
    monkeypatch.setattr(_deployments, 'SEARCH_PAGE_SIZE', 1)  # one deployment per page
    args = link(conn, 'certificate', *CERTIFICATE, remote_es=True)
    converge(run_module, args)
    (in_a,) = relationships(sim, 'ece-a')
    # another deployment of ece-a names the relationship; it is modified while the pages are read, which moves it in
    # ECE's default order (last modified first), so that a search without a sort would skip it
    sim.mutate({'op': 'add_trust_entry', 'env': 'ece-a', 'deployment': 'legacy-a', 'kind': 'external',
                'entry': {'trust_relationship_id': in_a['id'], 'trust_all': True}})
    for name in ('legacy-a', 'logs-a', 'search-a'):  # ECE's default order (last modified first): legacy-a last
        sim.mutate({'op': 'bump_version', 'env': 'ece-a', 'deployment': name})
    sim.fault(match={'server': 'ece:ece-a', 'method': 'POST', 'path': '/deployments/_search$'}, after=1,
              mutate={'op': 'bump_version', 'env': 'ece-a', 'deployment': 'legacy-a'})
    sim.clear_log()

    removed = run_module(MODULE, dict(args, state='absent', remove_platform_trust=True))

    assert not removed.get('failed'), removed
    assert [r['id'] for r in relationships(sim, 'ece-a')] == [in_a['id']]
    assert [k for k in removed['kept'] if conn.deployment('ece-a', 'legacy-a')['id'] in k]
    searches = [r for r in sim.requests() if r['path'] == '/api/v1/deployments/_search']
    assert len(searches) >= 3 and searches[0]['body']['sort'] == [{'id': {'order': 'asc'}}]
    reads = [r for r in sim.requests() if r['method'] == 'GET' and r['path'].startswith('/api/v1/deployments/')
             and r['query'].get('show_settings') == 'true' and r['server'] != 'ece:ece-b']
    assert len(reads) >= 3 and all(r['query'].get('show_metadata') != 'true' and r['query'].get('show_plans') == 'false'
                                   for r in reads if r['query'].get('show_plans') == 'false')
    assert not [r for r in sim.requests() if r['query'].get('show_metadata') == 'true' and r['seq'] > searches[0]['seq']]


def test_an_entry_left_dangling_by_an_earlier_removal_is_dropped_with_the_next_trust_write(sim, conn, run_module):
    gone = 'de' * 16  # a relationship deleted while this entry, which trusts nothing, still named it
    sim.mutate({'op': 'add_trust_entry', 'env': 'ece-a', 'deployment': 'search-a', 'kind': 'external',
                'entry': {'trust_relationship_id': gone, 'trust_all': False, 'trust_allowlist': []}})
    args = link(conn, 'certificate', *CERTIFICATE, remote_es=True)
    sim.clear_log()

    predicted = run_module(MODULE, args, check_mode=True, diff=True)
    created = run_module(MODULE, args, diff=True)

    assert created['changed'] is True and not created.get('failed'), created.get('msg')
    assert created['remote_info']['connected'] is True
    external = es_state(sim, 'ece-a', 'search-a')['trust']['external']
    assert gone not in [e['trust_relationship_id'] for e in external] and len(external) == 1
    assert [w for w in created.get('warnings') or [] if gone in (w['event']['msg'] if isinstance(w, dict) else w)]
    local_diffs = [d for d in predicted['diff'] if d['before_header'].startswith('deployment trust of the local')]
    assert gone not in [e['trust_relationship_id'] for e in local_diffs[0]['after']['external']]  # check mode predicts it
    assert gone in [e['trust_relationship_id'] for e in local_diffs[0]['before']['external']]
    assert run_module(MODULE, args)['changed'] is False


def test_a_rollout_that_removes_two_links_of_one_relationship_deletes_it_and_check_mode_says_so(sim, conn, run_module):
    links = []
    for name, local, remote in (('one', ('ece-a', 'search-a'), ('ece-b', 'data-b')), ('two', ('ece-a', 'logs-a'), ('ece-b', 'ingest-b'))):
        args = link(conn, 'certificate', local, remote, remote_es=True, alias=name)
        converge(run_module, args)
        links.append(dict(args, name=name, state='absent', remove_platform_trust=True))
    sim.clear_log()

    predicted = run_module('remote_clusters_rollout', dict(links=links), check_mode=True)
    removed = run_module('remote_clusters_rollout', dict(links=links))

    assert not removed.get('failed'), removed.get('msg')
    assert relationships(sim, 'ece-a') == [] and relationships(sim, 'ece-b') == []
    for before, after in zip(predicted['links'], removed['links']):
        assert before['kept'] == after['kept'] == [], (before['kept'], after['kept'])
        assert [before.get(k, {}).get('changed') for k in ('local_relationship', 'remote_relationship')] == [True, True]


def test_a_relationship_is_kept_when_the_search_does_not_return_every_deployment(sim, conn, run_module, monkeypatch):
    from ansible_collections.ece.remote_clusters.plugins.module_utils import _deployments
    monkeypatch.setattr(_deployments, 'SEARCH_PAGE_SIZE', 1)
    args = link(conn, 'certificate', *CERTIFICATE, remote_es=True)
    converge(run_module, args)
    (in_a,) = relationships(sim, 'ece-a')
    # the second page of ece-a's search comes back empty: the deployments on it cannot be seen
    sim.fault(match={'server': 'ece:ece-a$', 'method': 'POST', 'path': '/deployments/_search$'}, after=1, status=200,
              body={'deployments': [], 'return_count': 0, 'match_count': 3})

    removed = run_module(MODULE, dict(args, state='absent', remove_platform_trust=True))

    assert not removed.get('failed'), removed.get('msg')
    assert [r['id'] for r in relationships(sim, 'ece-a')] == [in_a['id']]
    assert [k for k in removed['kept'] if 'did not return 2 of them' in k and 'local environment' in k]
    assert relationships(sim, 'ece-b') == []
