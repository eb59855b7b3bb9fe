# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""remote_cluster_link against adversarial input and timing: names that do not tell environments apart, trust that
names no account, and two runs that create the platform trust at the same time against a slow ECE API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import (
    CERTIFICATE, MODULE, converge, es_state, link)


def read_file(path):
    with open(path) as handle:
        return handle.read()


def pem_key(pem):
    return ''.join(line for line in pem.strip().splitlines() if not line.startswith('-----'))


def test_two_environments_given_one_name_keep_a_proxy_ca_entry_each(sim, conn, run_module):
    sim.mutate({'op': 'set_es_version', 'env': 'ece-c', 'deployment': 'analytics-c', 'version': '8.15.1'})
    to_b = link(conn, 'api_key', ('ece-a', 'search-a'), ('ece-b', 'data-b'), alias='to_b')
    to_c = link(conn, 'api_key', ('ece-a', 'search-a'), ('ece-c', 'analytics-c'), alias='to_c')
    for args in (to_b, to_c):
        args['remote']['environment'] = 'peer'  # one name for two environments (both with a private proxy CA)
    converge(run_module, to_b)
    converge(run_module, to_c)

    proxies = [e for e in es_state(sim, 'ece-a', 'search-a')['trust'].get('direct') or [] if e.get('type') == 'proxy']
    held = sorted(pem_key(c['pem']) for e in proxies for c in e['certificates'])
    expected = sorted(pem_key(read_file(sim.info['environments'][env]['proxy_ca_cert_file'])) for env in ('ece-b', 'ece-c'))
    assert len(proxies) == 2 and held == expected, [e['name'] for e in proxies]
    for alias in ('to_b', 'to_c'):
        assert sim.diagnose('ece-a', 'search-a', alias)['connected'] is True, sim.diagnose('ece-a', 'search-a', alias)
    assert run_module(MODULE, to_b)['changed'] is False


def run_links(*links):
    """The links run at the same time, each in a thread of its own: their results (or failures)."""
    from ansible_collections.ece.remote_clusters.plugins.module_utils._link import RemoteClusterLink
    from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Context
    from ansible_collections.ece.remote_clusters.plugins.module_utils._module import ModuleFailure
    results, start = [None] * len(links), threading.Barrier(len(links))

    def run(index):
        start.wait()
        try:
            results[index] = RemoteClusterLink.create(Context(), None, **links[index]).run()
        except ModuleFailure as failure:
            results[index] = dict(failure.kwargs, failed=True, msg=failure.msg)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(links))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_links_against_a_slow_ece_leave_one_platform_trust_relationship(sim, conn):
    first = link(conn, 'certificate', *CERTIFICATE)
    second = link(conn, 'certificate', ('ece-a', 'logs-a'), ('ece-b', 'ingest-b'), alias='other')
    for attempt in range(3):  # which run's relationship gets the lower ID is chance: three times
        sim.reset()
        sim.settings(plan_seconds=0.2, latency_ms=20)
        for env in ('ece-a', 'ece-b'):
            # the first creation of each environment is slow: the other run creates its own, sees only its own and keeps it
            sim.fault(match={'server': 'ece:%s$' % env, 'method': 'POST', 'path': '/trust-relationships$'}, latency_ms=800)

        results = run_links(first, second)

        for result in results:
            assert not result.get('failed'), result.get('msg')
        state = sim.state()['environments']
        for env, deployments in (('ece-a', ('search-a', 'logs-a')), ('ece-b', ('data-b', 'ingest-b'))):
            kept = [r['id'] for r in state[env]['trust_relationships'] if not r.get('local')]
            assert len(kept) == 1, (attempt, env, kept)
            for name in deployments:  # every deployment trust names the one that is left
                trust = state[env]['deployments'][name]['elasticsearch']['trust']
                assert [e['trust_relationship_id'] for e in trust['external']] == kept
        assert len([r for r in sim.requests() if r['method'] == 'POST' and r['path'].endswith('/trust-relationships')]) == 4


def test_a_trust_without_an_accounts_entry_is_never_taken_for_one_environment(sim, conn, run_module):
    for env, name in CERTIFICATE:
        # no accounts entry in either trust; both deployments report one organization (the only account left to see)
        sim.mutate({'op': 'set_trust', 'env': env, 'deployment': name, 'trust': {}})
        sim.mutate({'op': 'set_organization', 'env': env, 'deployment': name, 'organization_id': 'org-1'})
    for model in ('certificate', 'api_key'):
        args = link(conn, model, *CERTIFICATE, wait_timeout=5, alias='peer_%s' % model)
        result = run_module(MODULE, args)
        assert not result.get('failed'), result.get('msg')
        assert result['same_environment'] is False
        assert result['remote_info']['connected'] is True
    state = sim.state()['environments']
    assert [r for r in state['ece-a']['trust_relationships'] if not r.get('local')]  # platform trust, not account trust
    assert not es_state(sim, 'ece-a', 'search-a')['trust'].get('accounts')
    assert [e for e in es_state(sim, 'ece-a', 'search-a')['trust']['direct'] if e['type'] == 'proxy']  # ece-b's proxy CA
