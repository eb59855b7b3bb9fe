# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A rollout interrupted halfway (a link fails on one call or one plan, alone or in a plan round of many links), then
run again: it converges, and nothing is lost or duplicated (one active cross-cluster key per name, one trust
relationship per environment, one trust entry per relationship, the entries that were there before kept)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def writes(requests):
    return [r for r in requests if r['write']]


def es_state(sim, env, deployment):
    return sim.state()['environments'][env]['deployments'][deployment]['elasticsearch']


def cluster_id(sim, env, deployment):
    return sim.info['environments'][env]['deployments'][deployment]['elasticsearch']['cluster_id']


# -- the API-key model: ece-a/logs-a (8.12, restarted) -> ece-b/ingest-b ---------------------------------------------------
ALIAS = 'ece_b_ingest'


def key_name(sim):
    return '%s-%s' % (ALIAS, cluster_id(sim, 'ece-a', 'logs-a'))


def cross_cluster_keys(sim, name):
    return [k for k in es_state(sim, 'ece-b', 'ingest-b')['api_keys'] if k['name'] == name and k['type'] == 'cross_cluster']


def active(keys):
    return [k for k in keys if not k['invalidated']]


def credentials(sim):
    """The key ID of the encoded credentials stored in logs-a's keystore, or None."""
    stored = es_state(sim, 'ece-a', 'logs-a')['keystore'].get('cluster.remote.%s.credentials' % ALIAS)
    if stored is None:
        return None
    return base64.b64decode(stored['value']).decode('ascii').split(':', 1)[0]


def proxy_entries(sim):
    return [d for d in es_state(sim, 'ece-a', 'logs-a')['trust'].get('direct') or [] if d['name'].startswith('ece-b-proxy-')]


def assert_api_key_link_converged(sim, name):
    keys = active(cross_cluster_keys(sim, name))
    assert len(keys) == 1, keys  # no second active key with the same name
    assert credentials(sim) == keys[0]['id']  # the keystore holds the key that is active
    assert len(proxy_entries(sim)) == 1
    assert sim.diagnose('ece-a', 'logs-a', ALIAS)['connected'] is True


def test_api_key_link_failing_on_the_keystore_write_converges_on_rerun_with_one_active_key(sim, inventory, ansible_playbook):
    name = key_name(sim)
    sim.fault(match={'server': '^ece:ece-a$', 'method': 'PATCH', 'path': '/keystore$'}, status=500, count=1)

    first = ansible_playbook('api_key.yml', inventory=inventory)

    assert first.rc != 0 and first.failed == 1, first.output[-3000:]
    assert 'credentials in the local keystore: ' in first.output  # the failed step, named in the message
    created = active(cross_cluster_keys(sim, name))
    assert len(created) == 1 and credentials(sim) is None  # the key exists, its secret never reached the keystore
    assert [r for r in sim.requests() if r['path'].endswith('/_cluster/settings') and r['method'] == 'PUT'
            and r['deployment'] == 'logs-a'] == []  # the rollout stopped at the failure

    again = ansible_playbook('api_key.yml', inventory=inventory)

    assert again.rc == 0, again.output[-3000:]
    assert_api_key_link_converged(sim, name)
    # the key whose secret was lost is replaced, not left active beside the new one
    assert [k['invalidated'] for k in cross_cluster_keys(sim, name) if k['id'] == created[0]['id']] == [True]
    sim.clear_log()
    third = ansible_playbook('api_key.yml', inventory=inventory)
    assert third.rc == 0 and third.changed == 0, third.output[-3000:]
    assert writes(sim.requests()) == []


def test_api_key_link_failing_on_the_remote_cluster_settings_converges_without_a_new_key_or_second_restart(
        sim, inventory, ansible_playbook):
    name = key_name(sim)
    sim.fault(match={'server': '^es:ece-a/logs-a$', 'method': 'PUT', 'path': '^/_cluster/settings$'}, status=500, count=1)

    first = ansible_playbook('api_key.yml', inventory=inventory)

    assert first.rc != 0 and first.failed == 1, first.output[-3000:]
    assert 'remote cluster ece_b_ingest on the local cluster: ' in first.output
    key_id = active(cross_cluster_keys(sim, name))[0]['id']
    assert credentials(sim) == key_id
    assert es_state(sim, 'ece-a', 'logs-a')['restarts'] == 0  # the settings come before the restart

    again = ansible_playbook('api_key.yml', inventory=inventory)

    assert again.rc == 0, again.output[-3000:]
    assert_api_key_link_converged(sim, name)
    assert [k['id'] for k in cross_cluster_keys(sim, name)] == [key_id]  # the same key, no rotation
    assert es_state(sim, 'ece-a', 'logs-a')['restarts'] == 1  # one restart in all, to load the stored credentials


# -- the TLS-certificate model: ece-a/search-a -> ece-b/data-b ----------------------------------------------------------------
CERT_ALIAS = 'ece_b_data'


def relationships(sim, env, name):
    return [r for r in sim.state()['environments'][env]['trust_relationships'] if r['name'] == name]


def external_entries(sim, env, deployment, relationship_id):
    return [e for e in es_state(sim, env, deployment)['trust'].get('external') or []
            if e['trust_relationship_id'] == relationship_id]


def seed_unrelated_trust(sim):
    """search-a already trusts one cluster of ece-c: that entry must survive the rollout and its retry."""
    env_c = sim.info['environments']['ece-c']
    with open(env_c['ca_cert_file']) as handle:
        pem = handle.read()
    relationship = sim.mutate({'op': 'add_trust_relationship', 'env': 'ece-a', 'relationship': {
        'name': 'ece-c', 'installation_id': env_c['environment_id'], 'public_ca_cert': pem,
        'account_ids': [env_c['account_id']]}})['id']
    entry = {'trust_relationship_id': relationship, 'trust_all': False,
             'trust_allowlist': [cluster_id(sim, 'ece-c', 'analytics-c')]}
    sim.mutate({'op': 'add_trust_entry', 'env': 'ece-a', 'deployment': 'search-a', 'kind': 'external', 'entry': entry})
    return relationship, entry


def assert_certificate_link_converged(sim, unrelated):
    relationship, entry = unrelated
    in_a, in_b = relationships(sim, 'ece-a', 'ece-b'), relationships(sim, 'ece-b', 'ece-a')
    assert len(in_a) == 1 and len(in_b) == 1  # no duplicate trust relationship
    local = external_entries(sim, 'ece-a', 'search-a', in_a[0]['id'])
    remote = external_entries(sim, 'ece-b', 'data-b', in_b[0]['id'])
    assert len(local) == 1 and len(remote) == 1  # no duplicate trust entry
    assert local[0]['trust_allowlist'] == [cluster_id(sim, 'ece-b', 'data-b')]
    assert remote[0]['trust_allowlist'] == [cluster_id(sim, 'ece-a', 'search-a')]
    kept = external_entries(sim, 'ece-a', 'search-a', relationship)
    assert len(kept) == 1 and kept[0]['trust_allowlist'] == entry['trust_allowlist']  # not lost
    assert sim.diagnose('ece-a', 'search-a', CERT_ALIAS)['connected'] is True


def test_certificate_link_failing_on_the_remote_trust_update_converges_on_rerun(sim, inventory, ansible_playbook):
    unrelated = seed_unrelated_trust(sim)
    data_b = sim.info['environments']['ece-b']['deployments']['data-b']['id']
    sim.fault(match={'server': '^ece:ece-b$', 'method': 'PUT', 'path': '/deployments/%s$' % data_b}, status=500, count=1)

    first = ansible_playbook('certificate.yml', inventory=inventory)

    assert first.rc != 0 and first.failed == 1, first.output[-3000:]
    assert 'deployment trust of the remote deployment %s: ' % data_b in first.output
    assert len(relationships(sim, 'ece-a', 'ece-b')) == 1 and len(relationships(sim, 'ece-b', 'ece-a')) == 1

    again = ansible_playbook('certificate.yml', inventory=inventory)

    assert again.rc == 0, again.output[-3000:]
    assert_certificate_link_converged(sim, unrelated)


def test_certificate_link_whose_trust_plan_fails_stops_there_and_converges_on_rerun(sim, inventory, ansible_playbook):
    unrelated = seed_unrelated_trust(sim)
    message = 'Plan change failed: allocator capacity exhausted in zone ece-zone-1'
    sim.fault(plan_failure=message, env='ece-a', deployment='search-a', count=1)

    first = ansible_playbook('certificate.yml', inventory=inventory)

    assert first.rc != 0 and first.failed == 1, first.output[-3000:]
    assert message in first.output
    failed_put = [r for r in sim.requests() if r['method'] == 'PUT' and r['deployment'] == 'search-a' and r['env'] == 'ece-a'
                  and r['server'] == 'ece:ece-a']
    assert len(failed_put) == 1
    # the remote side's trust was updated at the same time; nothing else changed after the failure
    assert [(r['method'], r['deployment']) for r in writes(sim.requests()) if r['seq'] > failed_put[0]['seq']] in (
        [], [('PUT', 'data-b')])
    assert [r for r in writes(sim.requests()) if r['path'] == '/_cluster/settings'] == []

    again = ansible_playbook('certificate.yml', inventory=inventory)

    assert again.rc == 0, again.output[-3000:]
    assert_certificate_link_converged(sim, unrelated)
    sim.clear_log()
    third = ansible_playbook('certificate.yml', inventory=inventory)
    assert third.rc == 0 and third.changed == 0, third.output[-3000:]
    assert writes(sim.requests()) == []


def restarts(sim, deployment_id):
    return [r for r in sim.requests() if r['method'] == 'POST' and r['path'].endswith('/_restart') and deployment_id in r['path']
            and r['status'] == 202]


def test_api_key_link_interrupted_before_the_restart_restarts_on_rerun_and_converges(sim, inventory, ansible_playbook):
    """Below 8.13 stored credentials are loaded only by a restart: a re-run must restart even though the keystore
    does not change any more (the nodes' _remote/info shows no cluster_credentials for the alias)."""
    deployment_id = sim.info['environments']['ece-a']['deployments']['logs-a']['id']
    sim.fault(match={'server': 'ece:ece-a', 'method': 'POST', 'path': '/_restart$'}, status=503, count=10)

    first = ansible_playbook('api_key.yml', inventory=inventory)

    assert first.rc != 0 and first.failed == 1, first.output[-3000:]
    assert credentials(sim) is not None  # stored, but not loaded by the running nodes
    assert restarts(sim, deployment_id) == []
    sim.clear_faults()
    sim.clear_log()

    again = ansible_playbook('api_key.yml', inventory=inventory)

    assert again.rc == 0, again.output[-3000:]
    assert len(restarts(sim, deployment_id)) == 1
    assert_api_key_link_converged(sim, key_name(sim))
    sim.clear_log()
    third = ansible_playbook('api_key.yml', inventory=inventory)
    assert third.rc == 0 and third.changed == 0, third.output[-3000:]
    assert writes(sim.requests()) == []


# -- every link of an inventory in plan rounds: playbooks/remote_clusters.yml -------------------------------------------------
def test_rollout_whose_plan_fails_on_a_deployment_of_two_links_fails_those_links_and_converges_on_rerun(
        sim, tmp_path, ansible_playbook):
    """old-b is the remote deployment of legacy-a-to-old-b and the local one of old-b-to-archive-c: the plan round writes
    the trust of both links to old-b at once, and when that plan fails, both links fail (their trust is not applied);
    the links that do not touch old-b connect, and a re-run converges with one relationship per pair of environments
    and one trust entry per relationship."""
    out = tmp_path / 'inventory_many'
    subprocess.run([sys.executable, os.path.join(REPO_ROOT, 'scripts', 'simulator_inventory.py'), '--many', sim.out_file, str(out)],
                   check=True)
    message = 'Plan change failed: allocator capacity exhausted in zone ece-zone-1'
    sim.fault(plan_failure=message, env='ece-b', deployment='old-b', count=1)
    old_b = sim.info['environments']['ece-b']['deployments']['old-b']['id']
    extra_vars = {'remote_clusters_wait_timeout': 15, 'remote_clusters_plan_wait_timeout': 120,
                  'remote_clusters_report_dir': str(tmp_path / 'report')}
    sim.clear_log()

    first = ansible_playbook('remote_clusters.yml', inventory=str(out), extra_vars=extra_vars)

    assert first.rc != 0 and first.failed == 1, first.output[-3000:]  # only the final "a link failed" task
    puts = [r for r in writes(sim.requests()) if r['server'] == 'ece:ece-b' and r['method'] == 'PUT' and r['path'].endswith('/deployments/%s' % old_b)]
    assert len(puts) == 1, puts  # the trust of both links in one write, one plan
    report = dict((link['name'], link) for link in json.loads((tmp_path / 'report' / 'remote_clusters.json').read_text())['links'])
    failed = set(name for name, link in report.items() if link['status'] == 'failed')
    assert {'legacy-a-to-old-b', 'old-b-to-archive-c'} <= failed <= {'legacy-a-to-old-b', 'old-b-to-archive-c', 'old-b-to-data-b'}
    assert report['legacy-a-to-old-b']['failed_task'] == 'Apply the links in plan rounds (step remote_trust)'
    assert report['old-b-to-archive-c']['failed_task'] == 'Apply the links in plan rounds (step local_trust)'
    assert message in report['legacy-a-to-old-b']['message'] and message in report['old-b-to-archive-c']['message']
    for env, deployment, alias in (('ece-a', 'search-a', 'ece_b_data'), ('ece-a', 'logs-a', 'ece_b_ingest'),
                                   ('ece-b', 'data-b', 'ece_a_search')):
        assert sim.diagnose(env, deployment, alias)['connected'] is True, alias  # the links that do not touch old-b

    again = ansible_playbook('remote_clusters.yml', inventory=str(out), extra_vars=extra_vars)

    assert again.rc == 0, again.output[-3000:]
    assert ', 0 failed; 6 connected, 0 not connected, 0 removed, 0 failed before checking' in again.output
    for env, other in (('ece-a', 'ece-b'), ('ece-b', 'ece-a'), ('ece-b', 'ece-c'), ('ece-c', 'ece-b')):
        assert len(relationships(sim, env, other)) == 1, (env, other)  # no duplicate trust relationship
    external = es_state(sim, 'ece-b', 'old-b')['trust']['external']
    ids = [entry['trust_relationship_id'] for entry in external]
    assert sorted(ids) == sorted([relationships(sim, 'ece-b', 'ece-a')[0]['id'], relationships(sim, 'ece-b', 'ece-c')[0]['id']])
    sim.clear_log()
    third = ansible_playbook('remote_clusters.yml', inventory=str(out), extra_vars=extra_vars)
    assert third.rc == 0 and third.changed == 0, third.output[-3000:]
    assert writes(sim.requests()) == []
