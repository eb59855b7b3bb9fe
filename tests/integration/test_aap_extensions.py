# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the collection gives Automation Platform: the audit's findings for the next workflow node (set_stats), the
playbook that rotates the keys of named links, indirect node counting (extensions/audit/event_query.yml) and
meta/execution-environment.yml."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import importlib
import json
import os
import re
import shutil
import subprocess
import time

import pytest
import yaml

from test_remote_clusters import FAST, many, secrets_of, writes  # noqa: F401  pylint: disable=unused-import

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUERIES = os.path.join(REPO_ROOT, 'extensions', 'audit', 'event_query.yml')
API_KEY_LINK = 'logs-a-to-ingest-b'


def custom_stats(output):
    """The data of set_stats, as the default callback shows it with ANSIBLE_SHOW_CUSTOM_STATS."""
    match = re.search(r'CUSTOM STATS: \*+\n\s*RUN: (\{.*\})', output)
    assert match, output[-3000:]
    return ast.literal_eval(match.group(1)) if not match.group(1).startswith('{"') else json.loads(match.group(1))


def link_keys(sim):
    """The active cross-cluster API keys of the link logs-a-to-ingest-b (the collection's metadata names the alias)."""
    keys = sim.state()['environments']['ece-b']['deployments']['ingest-b']['elasticsearch']['api_keys']
    return [k for k in keys if (k.get('metadata') or {}).get('alias') == 'ece_b_ingest' and not k['invalidated']
            and (k['expiration'] is None or k['expiration'] > time.time() * 1000)]


@pytest.fixture
def converged(sim, many, ansible_playbook):
    inventory, env = many
    run = ansible_playbook('remote_clusters.yml', inventory=inventory, env=env,
                           extra_vars=dict(FAST, remote_clusters_link_names=[API_KEY_LINK, 'old-b-to-data-b']))
    assert run.rc == 0, run.output[-5000:]
    sim.clear_log()
    return inventory, env


def test_the_audit_hands_keys_to_rotate_and_broken_links_to_the_next_workflow_node(sim, converged, ansible_playbook, tmp_path):
    inventory, env = converged
    (key,) = link_keys(sim)
    sim.mutate({'op': 'set_api_key_expiration', 'env': 'ece-b', 'deployment': 'ingest-b', 'id': key['id'], 'days': 5})
    run = ansible_playbook('audit.yml', inventory=inventory, check=True, diff=True,
                           env=dict(env, ANSIBLE_SHOW_CUSTOM_STATS='1'),
                           extra_vars=dict(FAST, audit_report_dir=str(tmp_path / 'report'), remote_clusters_rotate_before_days=14,
                                           remote_clusters_link_names=[API_KEY_LINK, 'old-b-to-data-b', 'search-a-to-data-b']))
    assert run.rc == 0, run.output[-5000:]
    assert writes(sim.requests()) == []
    stats = custom_stats(run.output)
    assert stats['rotate_links'] == [API_KEY_LINK]
    assert stats['audit_links_broken'] == ['search-a-to-data-b']
    # the key that expires within 14 days would be replaced
    assert stats['audit_links_drifted'] == ['search-a-to-data-b', API_KEY_LINK]
    assert stats['audit_links_failed'] == []
    assert [s for s in secrets_of(sim) if s in run.output] == []


def test_the_rotation_playbook_replaces_the_key_of_the_named_link_only_and_keeps_it_connected(sim, converged, ansible_playbook):
    inventory, env = converged
    (old,) = link_keys(sim)
    run = ansible_playbook('rotate_link.yml', inventory=inventory, env=env, extra_vars=dict(FAST, rotate_links=[API_KEY_LINK]))
    assert run.rc == 0, run.output[-5000:]
    assert '1 link: 0 ok, 1 changed, 0 failed; 1 connected' in run.output
    (new,) = link_keys(sim)
    assert new['id'] != old['id']
    assert sim.diagnose('ece-a', 'logs-a', 'ece_b_ingest')['connected'] is True
    touched = set(r['server'] for r in writes(sim.requests()))
    assert touched <= {'es:ece-b/ingest-b', 'ece:ece-a', 'es:ece-a/logs-a'}, touched
    assert [s for s in secrets_of(sim) if s in run.output] == []


@pytest.mark.parametrize('rotate_links, message', [
    (None, 'Give the links whose keys to replace as rotate_links'),
    (['old-b-to-data-b'], 'Not API-key links of the inventory: old-b-to-data-b'),
    ('logs-a-to-ingest-b', 'a list of names of API-key links of the inventory (logs-a-to-ingest-b, data-b-to-search-a)'),
])
def test_the_rotation_playbook_refuses_what_is_not_an_api_key_link_before_any_request(sim, many, ansible_playbook, rotate_links, message):
    inventory, env = many
    run = ansible_playbook('rotate_link.yml', inventory=inventory, env=env,
                           extra_vars={} if rotate_links is None else {'rotate_links': rotate_links})
    assert run.rc != 0
    assert message in run.output
    assert sim.requests() == []


def return_docs(module):
    source = importlib.import_module('ansible_collections.ece.remote_clusters.plugins.modules.%s' % module)
    return yaml.safe_load(source.RETURN)


def documented(docs, path):
    """Whether the RETURN ``docs`` name every key of ``path`` (a list), in ``contains`` or in the description of a dict."""
    node = {'contains': docs}
    for key in path:
        contains = node.get('contains')
        if contains is not None:
            if key not in contains:
                return False
            node = contains[key]
            continue
        description = ' '.join(node.get('description') if isinstance(node.get('description'), list) else [node.get('description', '')])
        reference = re.search(r'as RV\(([\w.\[\]]+)\)', description)
        if 'C(%s)' % key not in description and reference:  # "The remote Elasticsearch resource, as RV(links[].local)."
            return documented(docs, reference.group(1).replace('[]', '').split('.') + path[path.index(key):])
        return 'C(%s)' % key in description and key == path[-1]
    return True


def test_every_field_the_node_counting_queries_read_is_in_the_module_s_return_docs():
    with open(QUERIES) as handle:
        queries = yaml.safe_load(handle)
    assert sorted(queries) == ['ece.remote_clusters.remote_cluster_link', 'ece.remote_clusters.remote_clusters_rollout']
    for fqcn, entry in queries.items():
        docs = return_docs(fqcn.rsplit('.', 1)[1])
        side = ['links'] if fqcn.endswith('rollout') else []
        # every field the query reads of a side (.local and .remote are read alike)
        fields = set(re.findall(r'(?<![\w"])\.([a-z_]+)', entry['query'])) - {'links', 'local', 'remote'}
        assert {'deployment_id', 'deployment_name', 'cluster_id'} <= fields
        for field in fields:
            for which in ('local', 'remote'):
                assert documented(docs, side + [which, field]), (fqcn, which, field)
        assert documented(docs, side + ['local']) and documented(docs, side + ['remote'])


def jq(query, data):
    tool = shutil.which('jq')
    if tool is None:
        pytest.skip('the jq command is not installed')
    proc = subprocess.run([tool, '-c', query], input=json.dumps(data), capture_output=True, text=True, check=True)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_a_rollout_counts_each_deployment_it_touches_once(sim, conn, run_module):
    from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import link  # pylint: disable=import-outside-toplevel
    links = []
    for index, spoke in enumerate(('data-b', 'ingest-b')):
        links.append(dict(link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', spoke), alias='spoke_%d' % index), name='to-' + spoke))
    result = run_module('remote_clusters_rollout', {'links': links}, check_mode=True)
    assert not result.get('failed'), result
    with open(QUERIES) as handle:
        query = yaml.safe_load(handle)['ece.remote_clusters.remote_clusters_rollout']['query']
    nodes = jq(query, result)
    assert sorted(node['name'] for node in nodes) == ['data-b', 'ingest-b', 'search-a']
    for node in nodes:
        record = conn.deployment('ece-b' if node['name'] != 'search-a' else 'ece-a', node['name'])
        assert node['canonical_facts'] == {'deployment_id': record['id']}
        assert node['facts']['cluster_id'] == record['elasticsearch']['cluster_id']
        assert node['facts']['device_type'] == 'Elasticsearch deployment'


def test_a_link_counts_both_of_its_deployments(sim, conn, run_module):
    from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import link  # pylint: disable=import-outside-toplevel
    result = run_module('remote_cluster_link', link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', 'data-b')), check_mode=True)
    assert not result.get('failed'), result
    with open(QUERIES) as handle:
        query = yaml.safe_load(handle)['ece.remote_clusters.remote_cluster_link']['query']
    assert sorted(node['name'] for node in jq(query, result)) == ['data-b', 'search-a']
    # a side never found is not counted
    assert jq(query, {'local': {'deployment_id': None}, 'remote': {}}) == []


def test_an_execution_environment_installs_the_python_requirements_the_collection_names():
    with open(os.path.join(REPO_ROOT, 'meta', 'execution-environment.yml')) as handle:
        meta = yaml.safe_load(handle)
    assert meta['dependencies'] == {'python': 'requirements.txt'}
    with open(os.path.join(REPO_ROOT, meta['dependencies']['python'])) as handle:
        assert [line for line in handle if line.strip() and not line.startswith('#')] == ['requests>=2.28\n']
