# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A replicated link end to end through the role remote_clusters: playbooks/remote_clusters.yml creates the follower of
the link search-a-to-data-b (scripts/simulator_inventory.py --many --replication), and playbooks/audit.yml reports it
in the JSON, the summary, the Markdown and both pictures: replicating, then paused by someone."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest
import requests
import yaml

from ansible_collections.ece.remote_clusters.tests.integration.test_aap_extensions import custom_stats

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAST = {'remote_clusters_wait_timeout': 15, 'remote_clusters_plan_wait_timeout': 120}
LEADER, FOLLOWER = ('ece-b', 'data-b'), ('ece-a', 'search-a')


def es_call(sim, deployment, method, path, body=None):
    """A request to a simulated cluster, outside the playbooks (the leader's documents, a pause by someone else)."""
    info = sim.info['environments'][deployment[0]]['deployments'][deployment[1]]['elasticsearch']
    with requests.Session() as session:
        session.trust_env = False
        response = session.request(method, info['url'] + path, json=body, verify=sim.info['ca_bundle'],
                                   headers={'Authorization': 'ApiKey ' + info['api_key']}, timeout=30)
    assert response.status_code < 300, response.text
    return response.json()


@pytest.fixture
def rolled_out(sim, tmp_path, ansible_playbook):
    """A function that writes the inventory of six links, search-a-to-data-b with a follower of data-b's index orders
    (3 documents) and the given auto-follow patterns, rolls it out, and returns a function that runs the audit and
    returns (run, report, markdown, dot)."""
    def roll_out(auto_follow=None):
        out = tmp_path / 'inventory_many'
        subprocess.run([sys.executable, os.path.join(REPO_ROOT, 'scripts', 'simulator_inventory.py'), '--many', '--replication',
                        sim.out_file, str(out)], check=True)
        if auto_follow:
            links_file = out / 'group_vars' / 'all' / 'links.yml'
            variables = yaml.safe_load(links_file.read_text())
            variables['remote_clusters_links'][0]['replication']['auto_follow'] = auto_follow
            links_file.write_text(yaml.safe_dump(variables))
        for number in range(3):
            es_call(sim, LEADER, 'POST', '/orders/_doc', {'n': number})
        run = ansible_playbook('remote_clusters.yml', inventory=str(out), extra_vars=FAST)
        assert run.rc == 0, run.output[-5000:]
        report_dir = tmp_path / 'audit-report'

        def audit():
            result = ansible_playbook('audit.yml', inventory=str(out), check=True, diff=True, env={'ANSIBLE_SHOW_CUSTOM_STATS': '1'},
                                      extra_vars=dict(FAST, audit_report_dir=str(report_dir)))
            report = json.loads((report_dir / 'remote_clusters.json').read_text())
            return result, report, (report_dir / 'remote_clusters.md').read_text(), (report_dir / 'remote_clusters.dot').read_text()
        return audit
    return roll_out


@pytest.fixture
def replicated(rolled_out):
    """The audit of the rolled out links, search-a-to-data-b with a follower of orders."""
    return rolled_out()


def link_of(report, name='search-a-to-data-b'):
    return [link for link in report['links'] if link['name'] == name][0]


def test_the_audit_reports_the_follower_that_the_rollout_created_as_replicating(sim, replicated):
    info = es_call(sim, FOLLOWER, 'GET', '/orders-copy/_ccr/info')['follower_indices']
    assert [(f['remote_cluster'], f['leader_index'], f['status']) for f in info] == [('ece_b_data', 'orders', 'active')]
    es_call(sim, LEADER, 'POST', '/orders/_doc', {'n': 3})
    sim.clear_log()
    run, report, markdown, dot = replicated()
    assert run.rc == 0, run.output[-5000:]
    assert [r for r in sim.requests() if r['write']] == []
    assert custom_stats(run.output)['audit_links_replication_problems'] == []
    replication = link_of(report)['replication']
    assert [(f['follower_index'], f['leader_index'], f['status'], f['global_checkpoint_lag']) for f in replication['followers']] == [
        ('orders-copy', 'orders', 'active', 0)]
    assert replication['problems'] == []
    assert all(link['replication'] is None for link in report['links'] if link['name'] != 'search-a-to-data-b')
    assert (report['summary']['replicating'], report['summary']['replication_problems']) == (1, 0)
    assert '1 link replicates indices (cross-cluster replication), 0 with problems.' in markdown
    assert '### Replication of search-a-to-data-b (`ece_b_data`)' in markdown
    assert '| `orders-copy` | `orders` | active | 0 | 0 | 0 |' in markdown
    assert 'label="ece_b_data\\ncertificate\\n1 follower"' in dot and 'darkorange' not in dot
    edge = [e for e in report['graph']['remote_clusters'] if e['link'] == 'search-a-to-data-b'][0]
    assert edge['replication'] == {'followers': 1, 'auto_follow_patterns': 0, 'problems': 0}


def test_a_follower_paused_by_someone_is_a_problem_of_the_link_in_the_summary_the_report_and_the_pictures(sim, replicated):
    es_call(sim, FOLLOWER, 'POST', '/orders-copy/_ccr/pause_follow')
    sim.clear_log()
    run, report, markdown, dot = replicated()
    assert run.rc == 0, run.output[-5000:]
    assert [r for r in sim.requests() if r['write']] == []  # check mode: the resume is only predicted
    # the next node of an Automation Platform workflow gets the link's name
    assert custom_stats(run.output)['audit_links_replication_problems'] == ['search-a-to-data-b']
    outcome = link_of(report)
    assert outcome['status'] == 'changed' and outcome['connected'] is True
    assert [p['problem'] for p in outcome['replication']['problems']] == ['follower_paused']
    message = outcome['replication']['problems'][0]['message']
    assert message == ('Follower orders-copy of orders on ece_b_data is paused: it does not replicate until it is resumed '
                       '(es_ccr_follower with status: active).')
    assert 'search-a-to-data-b: ' + message in run.output  # the summary
    assert report['summary']['replication_problems'] == 1
    assert '| `orders-copy` | `orders` | **paused** | - | 0 | 0 |' in markdown
    assert '- %s (`follower_paused`, local side)' % message in markdown
    assert 'label="ece_b_data\\ncertificate\\n1 follower: 1 problem"' in dot
    assert 'penwidth=4, color="darkorange"' in dot and 'connected, followers with problems' in dot


def test_the_followers_of_a_link_that_is_not_connected_wait_for_it_after_the_chain_problems(sim, replicated):
    # data-b's external trust lists search-a's deployment ID instead of its cluster ID: the link is not connected
    search_a = sim.info['environments']['ece-a']['deployments']['search-a']
    trust = sim.state()['environments']['ece-b']['deployments']['data-b']['elasticsearch']['trust']
    for entry in trust['external']:
        entry['trust_allowlist'] = [search_a['id']]
    sim.mutate({'op': 'set_trust', 'env': 'ece-b', 'deployment': 'data-b', 'trust': trust})
    assert sim.diagnose('ece-a', 'search-a', 'ece_b_data')['connected'] is False
    sim.clear_log()
    run, report, markdown, dot = replicated()
    assert run.rc == 0, run.output[-5000:]
    assert [r for r in sim.requests() if r['write']] == []
    outcome = link_of(report)
    assert outcome['connected'] is False
    # the chain first, then one problem for the follower that retries because of it (the rollout's diagnosis and the role)
    assert [p['problem'] for p in outcome['problems']] == ['allowlist_missing_cluster_id', 'replication_interrupted']
    assert [p['problem'] for p in outcome['replication']['problems']] == ['replication_interrupted']
    assert outcome['replication']['problems'][0]['message'].startswith(
        '1 follower (orders-copy) replicates through ece_b_data, which is not connected: replication retries')
    details = markdown.split('### search-a-to-data-b\n')[1].split('\n## ')[0]
    assert '(`allowlist_missing_cluster_id`, remote side)' in details and 'replication_interrupted' not in details
    assert markdown.count('(`replication_interrupted`, local side)') == 1
    assert 'label="ece_b_data\\ncertificate, NOT connected\\n1 follower: 1 problem"' in dot
    # the summary names each problem once (the output holds it twice: on the screen and in the log file)
    chain = run.output.count('search-a-to-data-b: Deployment ece-b/data-b trusts only some deployments')
    assert chain > 0 and run.output.count('search-a-to-data-b: 1 follower (orders-copy) replicates through ece_b_data') == chain


def test_an_auto_follow_pattern_that_cannot_create_a_follower_is_named_with_the_pattern_and_the_leader_index(sim, rolled_out):
    audit = rolled_out(auto_follow=[{'name': 'logs-from-b', 'leader_index_patterns': ['logs-*'],
                                     'follow_index_pattern': '{{ "{{leader_index}}" }}-copy'}])
    # a regular index on search-a has the name the pattern gives the follower of a new leader index logs-2
    es_call(sim, FOLLOWER, 'PUT', '/logs-2-copy')
    es_call(sim, LEADER, 'POST', '/logs-2/_doc', {'n': 1})
    run, report, markdown, dot = audit()
    assert run.rc == 0, run.output[-5000:]
    replication = link_of(report)['replication']
    assert [(p['name'], p['active']) for p in replication['auto_follow_patterns']] == [('logs-from-b', True)]
    assert [p['problem'] for p in replication['problems']] == ['auto_follow_failed']
    assert replication['problems'][0]['message'].startswith(
        'Auto-follow pattern logs-from-b of ece_b_data failed to follow logs-2: index [logs-2-copy] already exists '
        '(resource_already_exists_exception)')
    assert '| `logs-from-b` | `logs-*` | yes |' in markdown
    assert 'label="ece_b_data\\ncertificate\\n1 follower, 1 pattern: 1 problem"' in dot
