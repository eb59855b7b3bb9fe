# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/remote_clusters.yml and playbooks/audit.yml over three environments and six links, against the simulator.

The inventory is the shape of playbooks/inventory_many, written by scripts/simulator_inventory.py --many, with its
secrets in a vault file encrypted with ansible-vault.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# name -> (local environment, local deployment, remote environment, remote deployment, alias, model)
LINKS = {
    'search-a-to-data-b': ('ece-a', 'search-a', 'ece-b', 'data-b', 'ece_b_data', 'certificate'),
    'legacy-a-to-old-b': ('ece-a', 'legacy-a', 'ece-b', 'old-b', 'ece_b_old', 'certificate'),
    'old-b-to-archive-c': ('ece-b', 'old-b', 'ece-c', 'archive-c', 'ece_c_archive', 'certificate'),
    'old-b-to-data-b': ('ece-b', 'old-b', 'ece-b', 'data-b', 'data_b', 'certificate'),
    'logs-a-to-ingest-b': ('ece-a', 'logs-a', 'ece-b', 'ingest-b', 'ece_b_ingest', 'api_key'),
    'data-b-to-search-a': ('ece-b', 'data-b', 'ece-a', 'search-a', 'ece_a_search', 'api_key'),
}
# the links run fast against the simulator; a link that cannot connect should not hold a test for a minute
FAST = {'remote_clusters_wait_timeout': 15, 'remote_clusters_plan_wait_timeout': 120}


def writes(requests):
    return [r for r in requests if r['write']]


def secrets_of(sim):
    found = set()
    for env in sim.info['environments'].values():
        found.update([env['api_key'], env['password']])
        for deployment in env['deployments'].values():
            found.update([deployment['elasticsearch']['password'], deployment['elasticsearch'].get('api_key')])
    found.discard(None)
    return found


@pytest.fixture
def many(sim, tmp_path):
    """The inventory of three environments and six links, with an encrypted vault; returns (inventory, env)."""
    password_file = tmp_path / 'vault-password'
    password_file.write_text('a vault password for the tests\n')
    out = tmp_path / 'inventory_many'
    subprocess.run([sys.executable, os.path.join(REPO_ROOT, 'scripts', 'simulator_inventory.py'), '--many',
                    '--vault-password-file', str(password_file), sim.out_file, str(out)], check=True)
    return str(out), {'ANSIBLE_VAULT_PASSWORD_FILE': str(password_file)}


@pytest.fixture
def rollout(many, ansible_playbook):
    inventory, env = many

    def run(check=False, diff=False, extra_vars=None):
        return ansible_playbook('remote_clusters.yml', inventory=inventory, env=env, check=check, diff=diff,
                                extra_vars=dict(FAST, **(extra_vars or {})))
    return run


@pytest.fixture
def audit(many, ansible_playbook, tmp_path):
    """Run playbooks/audit.yml with --check --diff; returns (run, report) with the JSON report loaded."""
    inventory, env = many
    report_dir = tmp_path / 'audit-report'

    def run(extra_vars=None):
        result = ansible_playbook('audit.yml', inventory=inventory, env=env, check=True, diff=True,
                                  extra_vars=dict(FAST, audit_report_dir=str(report_dir), **(extra_vars or {})))
        path = report_dir / 'remote_clusters.json'
        report = json.loads(path.read_text()) if path.exists() else None
        return result, report
    run.dir = report_dir
    return run


def outcomes(report):
    return dict((link['name'], link) for link in report['links'])


def problems(outcome):
    return [p['problem'] for p in outcome['problems']]


def summary_line(output, name):
    lines = [line for line in output.splitlines() if line.strip().strip('"').startswith(name + ' ')]
    assert lines, 'no summary line for %s' % name
    return lines[0]


# -- rollout --------------------------------------------------------------------------------------------
def test_vault_file_of_the_generated_inventory_is_encrypted(sim, many):
    inventory, dummy = many
    with open(os.path.join(inventory, 'group_vars', 'all', 'vault.yml')) as handle:
        text = handle.read()
    assert text.startswith('$ANSIBLE_VAULT;')
    assert not [s for s in secrets_of(sim) if s in text]
    with open(os.path.join(inventory, 'group_vars', 'all', 'links.yml')) as handle:
        links = handle.read()
    assert '{{ vault_search_a_es_password }}' in links
    assert not [s for s in secrets_of(sim) if s in links]


def test_rollout_connects_every_link_and_a_rerun_changes_nothing_and_sends_no_write(sim, rollout):
    run = rollout()
    assert run.rc == 0, run.output[-5000:]
    for name, (env, deployment, dummy, dummy2, alias, dummy3) in LINKS.items():
        diagnosis = sim.diagnose(env, deployment, alias)
        assert diagnosis['connected'] is True, (name, diagnosis['problems'])
    for name, link in LINKS.items():
        line = summary_line(run.output, name)
        assert ' changed ' in line and ' connected ' in line, line
    assert '6 links: 0 ok, 6 changed, 0 failed; 6 connected, 0 not connected, 0 removed, 0 failed before checking' in run.output
    # the API-key links through a private proxy CA: ece-b's is trusted by logs-a, ece-a's (public) needs no entry
    assert 'trust of the proxy CA of environment ece-b in ece-a/logs-a' in summary_line(run.output, 'logs-a-to-ingest-b')
    assert 'proxy CA' not in summary_line(run.output, 'data-b-to-search-a')

    sim.clear_log()
    again = rollout()
    assert again.rc == 0, again.output[-5000:]
    assert again.changed == 0
    assert writes(sim.requests()) == []
    assert '6 links: 6 ok, 0 changed, 0 failed; 6 connected, 0 not connected' in again.output
    leaked = [s for s in secrets_of(sim) if s in run.output + again.output]
    assert leaked == []


def test_rollout_of_selected_links_applies_only_those(sim, rollout):
    run = rollout(extra_vars={'remote_clusters_link_names': ['old-b-to-data-b']})
    assert run.rc == 0, run.output[-5000:]
    assert '1 link: 0 ok, 1 changed, 0 failed; 1 connected, 0 not connected' in run.output
    assert sim.diagnose('ece-b', 'old-b', 'data_b')['connected'] is True
    assert sim.diagnose('ece-a', 'search-a', 'ece_b_data')['connected'] is False
    touched = set(r['server'] for r in writes(sim.requests()))
    assert touched == {'es:ece-b/old-b'}


def test_a_failing_link_does_not_stop_the_others_and_the_summary_lists_every_outcome(sim, rollout, many, tmp_path):
    inventory, dummy = many
    links_file = os.path.join(inventory, 'group_vars', 'all', 'links.yml')
    with open(links_file) as handle:
        links = yaml.safe_load(handle)
    # a seventh link whose remote deployment name names no deployment
    search_a = [link for link in links['remote_clusters_links'] if link['name'] == 'search-a-to-data-b'][0]['local']
    links['remote_clusters_links'].append({'name': 'search-a-to-nowhere', 'alias': 'nowhere',
                                           'local': {'environment': 'ece-a', 'deployment_name': 'search-a', 'es': search_a['es']},
                                           'remote': {'environment': 'ece-b', 'deployment_name': 'no-such-deployment'}})
    with open(links_file, 'w') as handle:
        yaml.safe_dump(links, handle)
    # every request to ece-c's API fails: the link to archive-c fails, the others do not
    sim.fault(match={'server': '^ece:ece-c$'}, status=500, body={'errors': [{'code': 'sim.down', 'message': 'ece-c is down'}]}, count=-1)
    report_dir = tmp_path / 'rollout-report'
    run = rollout(extra_vars={'remote_clusters_report_dir': str(report_dir)})
    assert run.rc != 0
    assert run.failed == 1, run.output[-8000:]  # only the final "a link failed" task
    for name, (env, deployment, dummy, dummy2, alias, dummy3) in LINKS.items():
        if name != 'old-b-to-archive-c':
            assert sim.diagnose(env, deployment, alias)['connected'] is True, name
    assert sim.diagnose('ece-b', 'old-b', 'ece_c_archive')['connected'] is False
    failed = summary_line(run.output, 'old-b-to-archive-c')
    assert ' failed before checking ' in failed and 'read the remote deployment: ' in failed and 'ece-c is down' in failed
    nowhere = summary_line(run.output, 'search-a-to-nowhere')
    assert ' failed before checking ' in nowhere and 'does not name exactly one deployment' in nowhere
    assert '7 links: 0 ok, 5 changed, 2 failed; 5 connected, 0 not connected, 0 removed, 2 failed before checking' in run.output
    assert '2 of 7 links failed: old-b-to-archive-c' in run.output

    report = outcomes(json.loads((report_dir / 'remote_clusters.json').read_text()))
    assert report['old-b-to-archive-c']['status'] == 'failed'
    assert report['old-b-to-archive-c']['link_status'] == 'failed_before_checking'
    assert report['search-a-to-nowhere']['remote']['deployment_name'] == 'no-such-deployment'
    assert report['old-b-to-archive-c']['failed_task'] == 'Apply the links in plan rounds (step remote_deployment)'
    # the diagnosis could not read ece-c either, and says so
    assert 'unreadable' in problems(report['old-b-to-archive-c'])
    assert report['search-a-to-nowhere']['failed_task'] == 'Apply the links in plan rounds (step remote_deployment)'
    assert sorted(n for n, o in report.items() if o['status'] == 'changed') == sorted(n for n in LINKS if n != 'old-b-to-archive-c')
    # the report holds what changed, with diffs, but never a secret (the new keys' secrets included)
    text = (report_dir / 'remote_clusters.json').read_text() + (report_dir / 'remote_clusters.md').read_text()
    keystores = [entry['value'] for env in sim.state()['environments'].values() for dep in env['deployments'].values()
                 for entry in dep['elasticsearch']['keystore'].values()]
    assert keystores and [s for s in secrets_of(sim) | set(keystores) if s in text + run.output] == []


def write_links(inventory, links):
    with open(os.path.join(inventory, 'group_vars', 'all', 'links.yml'), 'w') as handle:
        yaml.safe_dump({'remote_clusters_links': links}, handle)


def read_links(inventory):
    with open(os.path.join(inventory, 'group_vars', 'all', 'links.yml')) as handle:
        return yaml.safe_load(handle)['remote_clusters_links']


def test_a_hub_linked_to_three_deployments_is_written_once_and_a_rerun_sends_no_write(sim, conn, rollout, many):
    """search-a (ece-a) connects to three deployments of ece-b: the trust of the hub takes the three clusters in one
    write (one plan), not one write per link."""
    inventory, dummy = many
    hub_es = [link for link in read_links(inventory) if link['name'] == 'search-a-to-data-b'][0]['local']['es']
    remotes = ('data-b', 'ingest-b', 'old-b')
    write_links(inventory, [{'name': 'search-a-to-%s' % remote, 'alias': 'hub_to_%s' % remote.replace('-', '_'),
                             'local': {'environment': 'ece-a', 'deployment_name': 'search-a', 'es': hub_es},
                             'remote': {'environment': 'ece-b', 'deployment_id': conn.deployment('ece-b', remote)['id']}}
                            for remote in remotes])
    hub = conn.deployment('ece-a', 'search-a')['id']
    sim.clear_log()

    run = rollout()

    assert run.rc == 0, run.output[-5000:]
    hub_writes = [r for r in writes(sim.requests()) if r['server'] == 'ece:ece-a' and r['path'].endswith('/deployments/%s' % hub)]
    assert [r['method'] for r in hub_writes] == ['PUT'], hub_writes
    for remote in remotes:
        assert sim.diagnose('ece-a', 'search-a', 'hub_to_%s' % remote.replace('-', '_'))['connected'] is True, remote
        line = summary_line(run.output, 'search-a-to-%s' % remote)
        assert ' changed ' in line and ' connected ' in line and 'deployment trust of ece-a/search-a' in line, line
    assert ('3 links: 0 ok, 3 changed, 0 failed; 3 connected, 0 not connected, 0 removed, 0 failed before checking; 1 plan round\n'
            in run.output.replace('"', '\n'))
    trust = sim.state()['environments']['ece-a']['deployments']['search-a']['elasticsearch']['trust']['external']
    assert len(trust) == 1 and sorted(trust[0]['trust_allowlist']) == sorted(
        conn.deployment('ece-b', remote)['elasticsearch']['cluster_id'] for remote in remotes)

    sim.clear_log()
    again = rollout()
    assert again.rc == 0, again.output[-5000:]
    assert again.changed == 0
    assert writes(sim.requests()) == []
    assert '3 links: 3 ok, 0 changed, 0 failed; 3 connected, 0 not connected, 0 removed, 0 failed before checking; 0 plan rounds' in again.output


def test_links_that_lack_something_stop_the_play_before_any_request_and_are_all_named(sim, rollout, many):
    inventory, dummy = many
    links = read_links(inventory)
    by_name = dict((link['name'], link) for link in links)
    by_name['search-a-to-data-b']['alias'] = 'Data.B'
    del by_name['old-b-to-data-b']['local']['es']
    del by_name['logs-a-to-ingest-b']['remote']['es']
    del by_name['data-b-to-search-a']['remote']['deployment_name']
    write_links(inventory, links)
    sim.clear_log()

    run = rollout()

    assert run.rc != 0 and run.failed == 1, run.output[-5000:]
    assert sim.requests() == []  # not even a read
    message = [line for line in run.output.splitlines() if 'nothing was sent to any environment' in line][0]
    assert '4 of 6 links are not well defined, and nothing was sent to any environment' in message
    assert 'link search-a-to-data-b: alias: ' in message
    assert 'link old-b-to-data-b: local.es: give the connection options of a local Elasticsearch user' in message
    assert 'link logs-a-to-ingest-b: remote.es: the API-key model creates the cross-cluster API key' in message
    assert 'link data-b-to-search-a: remote: give deployment_id or deployment_name' in message
    assert 'old-b-to-archive-c:' not in message
    for name in LINKS:
        assert ' failed before checking ' in summary_line(run.output, name)
    assert '6 links: 0 ok, 0 changed, 6 failed; 0 connected, 0 not connected, 0 removed, 6 failed before checking' in run.output


def test_a_link_to_an_environment_the_inventory_lacks_stops_the_play_before_any_request(sim, rollout, many):
    inventory, dummy = many
    links = read_links(inventory)
    links[1]['remote']['environment'] = 'ece-z'
    write_links(inventory, links)
    sim.clear_log()

    run = rollout()

    assert run.rc != 0 and run.failed == 1, run.output[-5000:]
    assert sim.requests() == []
    assert 'among the names of remote_clusters_environments (ece-a, ece-b, ece-c); unknown: ece-z' in run.output
    assert 'Apply the links in plan rounds' not in run.output


def test_an_option_the_module_refuses_fails_every_link_with_its_message_and_the_summary_and_report_still_come(
        sim, rollout, many, tmp_path):
    """An option the module does not know fails the whole run before any request: every link is recorded as failed before
    checking, with the module's message; the summary and the report still come."""
    inventory, dummy = many
    links = read_links(inventory)
    links[0]['local']['es']['es_colour'] = 'blue'
    write_links(inventory, links)
    sim.clear_log()
    report_dir = tmp_path / 'report'

    run = rollout(extra_vars={'remote_clusters_report_dir': str(report_dir)})

    assert run.rc != 0 and run.failed == 1, run.output[-5000:]  # only the final "a link failed" task
    assert writes(sim.requests()) == []
    assert '6 links: 0 ok, 0 changed, 6 failed; 0 connected, 0 not connected, 0 removed, 6 failed before checking; 0 plan rounds' in run.output
    assert 'The module: ' in run.output and 'es_colour' in run.output
    report = outcomes(json.loads((report_dir / 'remote_clusters.json').read_text()))
    for name in LINKS:
        assert report[name]['status'] == 'failed' and report[name]['failed_task'] == 'Apply the links in plan rounds', name
        assert report[name]['link_status'] == 'failed_before_checking'
        assert 'es_colour' in report[name]['message'], report[name]['message']
        assert ' failed before checking ' in summary_line(run.output, name)
        assert report[name]['problems'] == []  # the module could not run: nothing was read


def test_links_set_absent_are_removed_and_the_others_stay_connected(sim, rollout, many):
    assert rollout().rc == 0
    inventory, dummy = many
    links_file = os.path.join(inventory, 'group_vars', 'all', 'links.yml')
    with open(links_file) as handle:
        links = yaml.safe_load(handle)
    for link in links['remote_clusters_links']:
        if link['name'] in ('logs-a-to-ingest-b', 'search-a-to-data-b'):
            link['state'] = 'absent'
    with open(links_file, 'w') as handle:
        yaml.safe_dump(links, handle)
    sim.clear_log()

    run = rollout(extra_vars={'remote_clusters_link_names': ['logs-a-to-ingest-b', 'search-a-to-data-b']})

    assert run.rc == 0, run.output[-5000:]
    assert '2 links: 0 ok, 2 changed, 0 failed; 0 connected, 0 not connected, 2 removed, 0 failed before checking' in run.output
    for name in ('logs-a-to-ingest-b', 'search-a-to-data-b'):
        assert ' removed ' in summary_line(run.output, name)
    for env, deployment, alias in (('ece-a', 'logs-a', 'ece_b_ingest'), ('ece-a', 'search-a', 'ece_b_data')):
        assert not [k for k in sim.state()['environments'][env]['deployments'][deployment]['elasticsearch']['persistent']
                    if k.startswith('cluster.remote.%s.' % alias)]
    keystore = sim.state()['environments']['ece-a']['deployments']['logs-a']['elasticsearch']['keystore']
    assert 'cluster.remote.ece_b_ingest.credentials' not in keystore
    for name, (env, deployment, dummy, dummy2, alias, dummy3) in LINKS.items():
        if name not in ('logs-a-to-ingest-b', 'search-a-to-data-b'):
            assert sim.diagnose(env, deployment, alias)['connected'] is True, name
    again = rollout(extra_vars={'remote_clusters_link_names': ['logs-a-to-ingest-b', 'search-a-to-data-b']})
    assert '2 links: 2 ok, 0 changed, 0 failed' in again.output


# -- audit ----------------------------------------------------------------------------------------------
def test_audit_of_fresh_environments_reports_what_would_change_sends_no_write_and_fails_on_drift_when_asked(sim, audit):
    run, report = audit(extra_vars={'audit_fail_on_drift': True})
    # the play fails at its very end, after every link ran and the report was written
    assert run.rc != 0 and run.failed == 1, run.output[-5000:]
    assert '6 of 6 links would change: search-a-to-data-b, legacy-a-to-old-b' in run.output
    assert writes(sim.requests()) == []
    assert report['check_mode'] is True
    # one round for the trust of every link, one for the restart of logs-a (8.12) that loads its new credentials
    assert ('6 links: 0 ok, 6 would change, 0 failed; 0 connected, 6 not connected, 0 removed, 0 failed before checking; '
            '2 plan rounds would be needed') in run.output
    assert report['plan_rounds'] == 2
    links = outcomes(report)
    assert sorted(links) == sorted(LINKS)
    for name, outcome in links.items():
        assert outcome['status'] == 'changed' and outcome['connected'] is False, name
        # the alias is not configured yet, and the diagnosis says so first
        assert problems(outcome) == ['alias_missing'], (name, outcome['problems'])
    what = [c['what'] for c in links['search-a-to-data-b']['changes']]
    assert what == ['trust relationship for environment ece-b in environment ece-a',
                    'trust relationship for environment ece-a in environment ece-b',
                    'deployment trust of ece-a/search-a', 'deployment trust of ece-b/data-b',
                    'remote cluster ece_b_data on ece-a/search-a']
    # check mode cannot name relationships that do not exist yet: the deployment trust names a stand-in, in its diff
    local_trust = links['search-a-to-data-b']['changes'][2]['diff']
    assert local_trust['after']['external'][0]['trust_relationship_id'] == 'to-be-created-trusting-ece-b'
    remote_cluster = links['search-a-to-data-b']['changes'][-1]['diff']
    assert remote_cluster['before'] == {}
    assert remote_cluster['after']['proxy_address'].endswith('.ece-b.sim.example:9400')
    what = [c['what'] for c in links['logs-a-to-ingest-b']['changes']]
    assert what[:2] == ['cross-cluster API key on ece-b/ingest-b', 'credentials of ece_b_ingest in the keystore of ece-a/logs-a']
    assert 'restart of ece-a/logs-a to load the credentials' in what
    assert ' would change ' in summary_line(run.output, 'logs-a-to-ingest-b')
    markdown = (audit.dir / 'remote_clusters.md').read_text()
    assert '| search-a-to-data-b | certificate | ece-a/search-a | ece-b/data-b | `ece_b_data` | would change | **NOT connected** |' in markdown
    assert re.search(r'ece_a__search_a -\.- (rc\d+)\(\["ece_b_data<br/>certificate: NOT connected"\]\) -\.-> ece_b__data_b\n  class \1 broken\n',
                     markdown), markdown
    assert 'platform trust' not in markdown.split('```mermaid')[1]  # no platform trust exists yet


def test_audit_lists_the_keys_no_link_owns_and_those_that_expire_soon(sim, rollout, audit):
    assert rollout().rc == 0
    # a key of this collection for an alias of logs-a that no link has anymore (removed by hand)
    logs_a = sim.info['environments']['ece-a']['deployments']['logs-a']['elasticsearch']
    orphan = sim.mutate({'op': 'create_cross_cluster_api_key', 'env': 'ece-b', 'deployment': 'ingest-b', 'name': 'old-link-key',
                         'metadata': {'managed_by': 'ece.remote_clusters', 'local_cluster_id': logs_a['cluster_id'],
                                      'alias': 'ece_b_old_alias'}})
    sim.clear_log()

    key = [k for k in sim.state()['environments']['ece-b']['deployments']['ingest-b']['elasticsearch']['api_keys']
           if k['name'] != 'old-link-key' and k['type'] == 'cross_cluster' and not k['invalidated']][0]
    sim.mutate({'op': 'set_api_key_expiration', 'env': 'ece-b', 'deployment': 'ingest-b', 'id': key['id'], 'days': 5})
    sim.clear_log()

    run, report = audit(extra_vars={'remote_clusters_rotate_before_days': 14})

    assert run.rc == 0, run.output[-5000:]
    assert writes(sim.requests()) == []
    assert [k['id'] for k in report['unowned_keys']] == [orphan['id']]
    assert report['unowned_keys'][0]['alias'] == 'ece_b_old_alias'
    markdown = (audit.dir / 'remote_clusters.md').read_text()
    assert 'Cross-cluster API keys that no link of this run owns' in markdown and orphan['id'] in markdown
    # the key of logs-a-to-ingest-b expires in 5 days: listed, and predicted as replaced
    assert outcomes(report)['logs-a-to-ingest-b']['key_expiring'] is True
    assert 4.9 < outcomes(report)['logs-a-to-ingest-b']['key_expires_in_days'] <= 5
    assert '| logs-a-to-ingest-b | `ece_b_ingest` |' in markdown.split('expire soon')[1]
    assert not outcomes(report)['data-b-to-search-a']['key_expiring']


def test_audit_of_a_converged_rollout_sends_no_write_and_draws_every_link_connected(sim, rollout, audit):
    assert rollout().rc == 0
    sim.clear_log()
    run, report = audit()
    assert run.rc == 0, run.output[-5000:]
    assert run.changed == 0
    assert writes(sim.requests()) == []
    assert report['summary'] == {'links': 6, 'ok': 6, 'changed': 0, 'failed': 0, 'connected': 6, 'not_connected': 0, 'removed': 0,
                                 'failed_before_checking': 0, 'replicating': 0, 'replication_problems': 0}
    assert all(link['replication'] is None for link in report['links'])  # no link replicates
    graph = report['graph']
    edges = dict((e['link'], e) for e in graph['remote_clusters'])
    assert sorted(edges) == sorted(LINKS)
    assert all(e['connected'] for e in edges.values())
    assert edges['old-b-to-archive-c']['from'] == 'ece_b__old_b' and edges['old-b-to-archive-c']['to'] == 'ece_c__archive_c'
    platform = sorted((e['from'], e['to'], e['verified']) for e in graph['platform_trust'])
    assert platform == [('ece-a', 'ece-b', True), ('ece-b', 'ece-a', True), ('ece-b', 'ece-c', True), ('ece-c', 'ece-b', True)]
    trust = set((e['from'], e['to'], e['via'], e['scope']) for e in graph['deployment_trust'])
    assert ('ece_a__search_a', 'ece_b__data_b', 'external', 'allowlist') in trust
    assert ('ece_b__data_b', 'ece_a__search_a', 'external', 'allowlist') in trust
    assert ('ece_a__legacy_a', 'ece_b__old_b', 'external', 'all') in trust  # trust_all: true
    assert ('ece_b__old_b', 'ece_b__data_b', 'accounts', 'all') in trust
    ids = dict((e['name'], e['environment_id']) for e in graph['environments'])
    assert ids == dict((name, env['environment_id']) for name, env in sim.info['environments'].items())

    markdown = (audit.dir / 'remote_clusters.md').read_text()
    mermaid = markdown.split('```mermaid\n')[1].split('```')[0]
    assert mermaid.startswith('graph LR\n')
    assert re.search(r'ece_a__search_a === rc\d+\(\["ece_b_data<br/>certificate: connected"\]\) ==> ece_b__data_b\n', mermaid)
    assert re.search(r'ece_a__logs_a === rc\d+\(\["ece_b_ingest<br/>api_key: connected"\]\) ==> ece_b__ingest_b\n', mermaid)
    assert 'ece_b <-.->|"platform trust"| ece_c' in mermaid  # mutual: one line, both ends
    # the API-key link of logs-a trusts the proxy CA of ece-b (private): in both pictures and in the trust table
    assert '    ece_b__proxy_ca[["proxy CA"]]\n' in mermaid and 'ece_a__logs_a -.-> ece_b__proxy_ca\n' in mermaid
    assert re.search(r'\| ece-a/logs-a \| the proxy CA of environment ece-b \| `direct` trust entry `ece-b-proxy-[0-9a-f]+` of type '
                     r'`proxy` \(API-key model\) \|', markdown), markdown
    assert [(e['from'], e['to'], e['known']) for e in graph['proxy_trust']] == [('ece_a__logs_a', 'ece-b', True)]
    assert '| **NOT connected** |' not in markdown
    dot = (audit.dir / 'remote_clusters.dot').read_text()
    assert dot.count(' [penwidth=4, color="darkgreen"') == 6
    assert 'ece_b__old_b -> ece_c__archive_c [penwidth=4, color="darkgreen", fontcolor="darkgreen", label="ece_c_archive\\ncertificate"];' in dot
    assert 'ece_a__logs_a -> ece_b__proxy_ca [style=dotted, color="royalblue"' in dot
    assert 'subgraph cluster_ece_c {' in dot


def _relationship(sim, env, name):
    return [r for r in sim.state()['environments'][env]['trust_relationships'] if r['name'] == name][0]


def test_audit_names_broken_trust_keys_and_keystores_in_plain_words(sim, conn, rollout, audit):
    assert rollout().rc == 0
    data_b = conn.deployment('ece-b', 'data-b')
    search_a = conn.deployment('ece-a', 'search-a')
    old_b = conn.deployment('ece-b', 'old-b')
    state = sim.state()['environments']
    # data-b's external entry for ece-a loses search-a's cluster ID, and lists the deployment ID instead (a classic mistake)
    trust = state['ece-b']['deployments']['data-b']['elasticsearch']['trust']
    for entry in trust['external']:
        entry['trust_allowlist'] = [search_a['id']]
    # and its account trust allowlists only itself, not old-b
    trust['accounts'] = [dict(entry, trust_all=False, trust_allowlist=[data_b['elasticsearch']['cluster_id']]) for entry in trust['accounts']]
    sim.mutate({'op': 'set_trust', 'env': 'ece-b', 'deployment': 'data-b', 'trust': trust})
    # ece-c's trust relationship for ece-b holds another environment ID
    relationship = _relationship(sim, 'ece-c', 'ece-b')
    sim.mutate([{'op': 'delete_trust_relationship', 'env': 'ece-c', 'id': relationship['id']},
                {'op': 'add_trust_relationship', 'env': 'ece-c',
                 'relationship': dict(relationship, installation_id='0' * 32)}])
    # the cross-cluster API key of logs-a is invalidated on ingest-b
    key = [k for k in state['ece-b']['deployments']['ingest-b']['elasticsearch']['api_keys']
           if k['name'].startswith('ece_b_ingest-') and not k['invalidated']][0]
    sim.mutate({'op': 'invalidate_api_key', 'env': 'ece-b', 'deployment': 'ingest-b', 'id': key['id']})
    # data-b's keystore loses the credentials of ece_a_search (8.15 loads the change at once)
    sim.mutate({'op': 'set_keystore', 'env': 'ece-b', 'deployment': 'data-b', 'name': 'cluster.remote.ece_a_search.credentials',
                'value': None})
    for name in ('search-a-to-data-b', 'old-b-to-archive-c', 'old-b-to-data-b', 'logs-a-to-ingest-b', 'data-b-to-search-a'):
        env, deployment, dummy, dummy2, alias, dummy3 = LINKS[name]
        assert sim.diagnose(env, deployment, alias)['connected'] is False, name
    sim.clear_log()

    run, report = audit()
    assert run.rc == 0, run.output[-5000:]
    assert writes(sim.requests()) == []
    links = outcomes(report)
    assert links['legacy-a-to-old-b']['connected'] is True and links['legacy-a-to-old-b']['problems'] == []

    search = links['search-a-to-data-b']
    assert search['connected'] is False and problems(search) == ['allowlist_missing_cluster_id']
    message = search['problems'][0]['message']
    assert message.startswith('Deployment ece-b/data-b trusts only some deployments of environment ece-a, and its allowlist')
    assert 'lacks the cluster ID %s of ece-a/search-a' % search_a['elasticsearch']['cluster_id'] in message
    assert 'It lists the deployment ID %s instead: allowlists take Elasticsearch cluster IDs.' % search_a['id'] in message
    assert [c['what'] for c in search['changes']] == ['deployment trust of ece-b/data-b']

    same_environment = links['old-b-to-data-b']
    assert problems(same_environment) == ['allowlist_missing_cluster_id']
    assert ('Deployment ece-b/data-b trusts only some deployments of its own environment, and its allowlist (%s) lacks the cluster ID %s'
            % (data_b['elasticsearch']['cluster_id'], old_b['elasticsearch']['cluster_id'])) in same_environment['problems'][0]['message']

    archive = links['old-b-to-archive-c']
    assert problems(archive) == ['wrong_environment_id']
    assert archive['problems'][0]['side'] == 'remote'
    assert ('Environment ece-c trusts environment ece-b through trust relationship ece-b, but that relationship holds the environment ID '
            '%s, while ece-b says its environment ID is %s' % ('0' * 32, sim.info['environments']['ece-b']['environment_id'])
            in archive['problems'][0]['message'])

    logs = links['logs-a-to-ingest-b']
    assert problems(logs) == ['api_key_invalid']
    assert 'No active cross-cluster API key named ece_b_ingest-' in logs['problems'][0]['message']
    assert 'was invalidated, has expired or was deleted' in logs['problems'][0]['message']

    data = links['data-b-to-search-a']
    assert problems(data) == ['keystore_missing_credentials']
    assert 'The keystore of the local deployment ece-b/data-b lacks cluster.remote.ece_a_search.credentials' in data['problems'][0]['message']

    # the same words in the summary and in the Markdown report, and the broken edges in red
    assert 'old-b-to-archive-c: Environment ece-c trusts environment ece-b through trust relationship ece-b' in run.output
    markdown = (audit.dir / 'remote_clusters.md').read_text()
    assert '### search-a-to-data-b' in markdown and '(`allowlist_missing_cluster_id`, remote side)' in markdown
    assert 'ece_c -.->|"platform trust (WRONG ID or certificate)"| ece_b' not in markdown  # the ID is unknown: no edge to ece-b
    dot = (audit.dir / 'remote_clusters.dot').read_text()
    assert dot.count('color="red", label="') >= 5


def test_audit_names_missing_platform_trust_wrong_certificates_restarts_and_ports(sim, conn, rollout, audit):
    assert rollout().rc == 0
    # ece-a no longer trusts ece-b: both links from ece-a to ece-b break on the local side
    sim.mutate({'op': 'delete_trust_relationship', 'env': 'ece-a', 'id': _relationship(sim, 'ece-a', 'ece-b')['id']})
    # ece-c's relationship for ece-b holds ece-a's CA certificate
    relationship = _relationship(sim, 'ece-c', 'ece-b')
    ece_a_ca = _relationship(sim, 'ece-a', 'ece-a')['public_ca_cert']
    sim.mutate([{'op': 'delete_trust_relationship', 'env': 'ece-c', 'id': relationship['id']},
                {'op': 'add_trust_relationship', 'env': 'ece-c', 'relationship': dict(relationship, public_ca_cert=ece_a_ca)}])
    # logs-a (8.12): new credentials in the keystore that the running nodes have not loaded (no restart yet)
    key = sim.mutate({'op': 'create_cross_cluster_api_key', 'env': 'ece-b', 'deployment': 'ingest-b', 'name': 'replacement'})
    name = 'cluster.remote.ece_b_ingest.credentials'
    sim.mutate([{'op': 'set_keystore', 'env': 'ece-a', 'deployment': 'logs-a', 'name': name, 'value': None, 'loaded': True},
                {'op': 'set_keystore', 'env': 'ece-a', 'deployment': 'logs-a', 'name': name, 'value': key['encoded'], 'loaded': False}])
    # data-b's API-key remote cluster points at the TLS-certificate port
    endpoint = conn.deployment('ece-a', 'search-a')['elasticsearch']['endpoint']
    sim.mutate({'op': 'set_es_settings', 'env': 'ece-b', 'deployment': 'data-b',
                'persistent': {'cluster.remote.ece_a_search.proxy_address': endpoint + ':9300'}})
    sim.clear_log()

    run, report = audit()
    assert run.rc == 0, run.output[-5000:]
    assert writes(sim.requests()) == []
    links = outcomes(report)
    for name in ('search-a-to-data-b', 'legacy-a-to-old-b'):
        assert problems(links[name]) == ['relationship_missing'], links[name]['problems']
        assert links[name]['problems'][0]['message'].startswith(
            'Environment ece-a has no trust relationship for environment ece-b (environment ID %s): platform trust is missing on '
            'the ece-a side.' % sim.info['environments']['ece-b']['environment_id'])
        assert 'trust relationship for environment ece-b in environment ece-a' in [c['what'] for c in links[name]['changes']]
    archive = links['old-b-to-archive-c']
    assert problems(archive) == ['wrong_certificate']
    assert archive['problems'][0]['message'].startswith(
        'The trust relationship ece-b of environment ece-c for environment ece-b holds a CA certificate that is not the platform CA of ece-b')
    logs = links['logs-a-to-ingest-b']
    assert problems(logs) == ['restart_required']
    assert 'Elasticsearch 8.12.2 loads remote cluster credentials only at a restart' in logs['problems'][0]['message']
    data = links['data-b-to-search-a']
    assert problems(data) == ['wrong_model']
    assert 'uses port 9300 of the TLS-certificate model, but the link uses the API-key model' in data['problems'][0]['message']
    assert [c['what'] for c in data['changes']] == ['remote cluster ece_a_search on ece-b/data-b']
    # cross-check with the simulator's own view of each broken chain
    assert any('no trust relationship for environment ece-b' in p for p in sim.diagnose('ece-a', 'search-a', 'ece_b_data')['problems'])
    assert any('wrong certificate' in p for p in sim.diagnose('ece-b', 'old-b', 'ece_c_archive')['problems'])
    assert any('port 9300' in p for p in sim.diagnose('ece-b', 'data-b', 'ece_a_search')['problems'])
    graph = report['graph']
    assert ('ece-c', 'ece-b', False) in [(e['from'], e['to'], e['verified']) for e in graph['platform_trust']]
    assert ('ece-a', 'ece-b') not in [(e['from'], e['to']) for e in graph['platform_trust']]
    markdown = (audit.dir / 'remote_clusters.md').read_text()
    assert 'ece_c -.->|"platform trust (WRONG ID or certificate)"| ece_b' in markdown
