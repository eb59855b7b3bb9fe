# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ece_deployments inventory plugin against the simulator, run as Ansible runs it: ansible-inventory
(and once ansible-playbook) in a subprocess, with the checkout as the collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

ENVIRONMENTS = ('ece-a', 'ece-b', 'ece-c')
SEARCH_PATH = '/api/v1/deployments/_search'
BIN_DIR = os.path.dirname(sys.executable)


def _collections_path():
    """The directory that holds ansible_collections/ece/remote_clusters (set up by tests/conftest.py)."""
    for location in importlib.util.find_spec('ansible_collections').submodule_search_locations:
        if os.path.isdir(os.path.join(location, 'ece', 'remote_clusters')):
            return os.path.dirname(location)
    raise RuntimeError('ansible_collections.ece.remote_clusters is not importable')


def environment_entry(sim, name, **extra):
    info = sim.env(name)
    entry = dict(name=name, ece_url=info['ece_url'], ece_api_key=info['api_key'], ca_path=sim.ca_bundle, retry_backoff=0.01)
    entry.update(extra)
    return dict((k, v) for k, v in entry.items() if v is not None)


@pytest.fixture
def config(sim, tmp_path):
    """Write an inventory source; ``config(environments=[...], **top_level_options)`` returns its path."""
    def write(environments=None, filename='sim.ece_deployments.yml', **options):
        if environments is None:
            environments = [environment_entry(sim, name) for name in ENVIRONMENTS]
        data = dict(plugin='ece.remote_clusters.ece_deployments', environments=environments)
        data.update(options)
        path = tmp_path / filename
        path.write_text(yaml.safe_dump(data))
        return str(path)
    return write


@pytest.fixture
def ansible_inventory(tmp_path):
    """Run ansible-inventory; returns the CompletedProcess (``.inventory`` holds the parsed --list output)."""
    def run(source, *args, env=None):
        cmd = [os.path.join(BIN_DIR, 'ansible-inventory'), '-i', source] + list(args or ['--list'])
        environ = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_collections_path(), ANSIBLE_NOCOLOR='1',
                       ANSIBLE_INVENTORY_UNPARSED_FAILED='true', ANSIBLE_HOME=str(tmp_path / 'ansible-home'))
        for name in ('ECE_URL', 'ECE_API_KEY', 'ECE_USERNAME', 'ECE_PASSWORD', 'ECE_REGION'):
            environ.pop(name, None)
        environ.update(env or {})
        proc = subprocess.run(cmd, env=environ, capture_output=True, text=True, timeout=300, check=False)
        # ansible-core before 2.19 wraps warnings at the terminal's width: the messages on one line
        proc.stderr = ' '.join(proc.stderr.split())
        proc.inventory = plain(json.loads(proc.stdout)) if proc.returncode == 0 and '--list' in cmd else None
        return proc
    return run


def plain(value):
    """ansible-core 2.19 writes a string the inventory does not trust for templating (all API data) as
    ``{"__ansible_unsafe": "..."}`` in --list output; the tests compare the values."""
    if isinstance(value, dict):
        if list(value) == ['__ansible_unsafe']:
            return value['__ansible_unsafe']
        return dict((k, plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def searches(sim):
    return [r for r in sim.requests() if r['path'] == SEARCH_PATH]


def hostvars(inventory):
    return inventory['_meta']['hostvars']


def group_hosts(inventory, group):
    return sorted(inventory.get(group, {}).get('hosts', []))


# -- hosts, variables, groups ------------------------------------------------------------------------
def test_one_host_per_deployment_of_every_environment(sim, config, ansible_inventory):
    sim.clear_log()
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    expected = sorted('%s_%s' % (env, name) for env in ENVIRONMENTS for name in sim.env(env)['deployments'])
    assert sorted(hostvars(proc.inventory)) == expected
    assert len(expected) == 8


def test_exactly_one_search_request_per_environment_and_nothing_else(sim, config, ansible_inventory):
    sim.clear_log()
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    log = sim.requests()
    assert sorted(r['env'] for r in log) == sorted(ENVIRONMENTS)
    for request in log:
        assert (request['method'], request['path'], request['status'], request['write']) == ('POST', SEARCH_PATH, 200, False)
        assert request['body'] == {'query': {'match_all': {}}, 'size': 10000, 'sort': [{'id': {'order': 'asc'}}]}


def test_host_variables_describe_the_deployment_and_its_elasticsearch(sim, config, ansible_inventory):
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    record = sim.deployment('ece-a', 'search-a')
    variables = hostvars(proc.inventory)['ece-a_search-a']
    assert variables['ece_environment'] == 'ece-a'
    assert variables['ece_deployment_id'] == record['id']
    assert variables['ece_deployment_name'] == 'search-a'
    assert variables['ece_cluster_id'] == record['elasticsearch']['cluster_id']
    assert variables['ece_ref_id'] == record['elasticsearch']['ref_id']
    assert variables['ece_es_version'] == record['elasticsearch']['version'] == '8.14.3'
    assert variables['ece_es_endpoint'] == record['elasticsearch']['endpoint']
    assert variables['ece_es_url'] == record['elasticsearch']['url']
    assert variables['ece_healthy'] is True
    assert variables['ansible_connection'] == 'local'


def test_every_host_has_the_variables_of_its_own_deployment(sim, config, ansible_inventory):
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    for env in ENVIRONMENTS:
        for name, record in sim.env(env)['deployments'].items():
            variables = hostvars(proc.inventory)['%s_%s' % (env, name)]
            assert (variables['ece_deployment_id'], variables['ece_cluster_id'], variables['ece_es_version']) == (
                record['id'], record['elasticsearch']['cluster_id'], record['elasticsearch']['version'])


def test_no_credential_in_host_or_group_variables(sim, config, ansible_inventory):
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    for env in ENVIRONMENTS:
        assert sim.env(env)['api_key'] not in proc.stdout


def test_environment_groups_hold_their_deployments_and_the_connection_variables(sim, config, ansible_inventory):
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    for env in ENVIRONMENTS:
        group = 'ece_' + env.replace('-', '_')
        assert group_hosts(proc.inventory, group) == sorted('%s_%s' % (env, n) for n in sim.env(env)['deployments'])
    assert hostvars(proc.inventory)['ece-b_data-b']['ece_url'] == sim.env('ece-b')['ece_url']
    exported = ansible_inventory(config(), '--list', '--export')
    assert exported.returncode == 0, exported.stderr
    assert exported.inventory['ece_ece_b']['vars'] == {'ece_url': sim.env('ece-b')['ece_url'], 'ece_region': 'ece-region'}
    assert 'ece_url' not in hostvars(exported.inventory)['ece-b_data-b']


def test_version_groups_by_major_and_minor(sim, config, ansible_inventory):
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    assert group_hosts(proc.inventory, 'es_8_12') == ['ece-a_logs-a', 'ece-b_ingest-b']
    assert group_hosts(proc.inventory, 'es_8_14') == ['ece-a_search-a']
    assert group_hosts(proc.inventory, 'es_9_1') == ['ece-c_analytics-c']
    assert group_hosts(proc.inventory, 'es_6_8') == ['ece-c_archive-c']
    version_groups = sorted(g for g in proc.inventory if g.startswith('es_'))
    assert version_groups == ['es_6_8', 'es_7_17', 'es_7_5', 'es_8_12', 'es_8_14', 'es_8_15', 'es_9_1']


def test_version_is_the_one_the_cluster_runs(sim, config, ansible_inventory):
    sim.mutate({'op': 'set_es_version', 'env': 'ece-b', 'deployment': 'old-b', 'version': '8.19.2'})
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    assert hostvars(proc.inventory)['ece-b_old-b']['ece_es_version'] == '8.19.2'
    assert 'ece-b_old-b' in group_hosts(proc.inventory, 'es_8_19')
    assert 'es_7_17' not in proc.inventory


def test_stopped_deployment_is_unhealthy(sim, config, ansible_inventory):
    sim.mutate({'op': 'set_status', 'env': 'ece-a', 'deployment': 'logs-a', 'resource': 'elasticsearch', 'status': 'stopped'})
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    assert hostvars(proc.inventory)['ece-a_logs-a']['ece_healthy'] is False
    assert hostvars(proc.inventory)['ece-a_search-a']['ece_healthy'] is True


def test_graph_shows_environment_and_version_groups(sim, config, ansible_inventory):
    proc = ansible_inventory(config(), '--graph')
    assert proc.returncode == 0, proc.stderr
    lines = [line.strip(' |-') for line in proc.stdout.splitlines()]
    for group in ('@ece_ece_a:', '@ece_ece_b:', '@ece_ece_c:', '@es_8_14:', '@es_8_12:', '@es_9_1:', '@es_6_8:'):
        assert group in lines, proc.stdout
    assert 'ece-a_search-a' in lines


# -- host names ------------------------------------------------------------------------------------
def test_names_are_sanitized(sim, config, ansible_inventory):
    sim.mutate({'op': 'rename_deployment', 'env': 'ece-a', 'deployment': 'search-a', 'name': 'Search (prod) #1'})
    proc = ansible_inventory(config(environments=[environment_entry(sim, 'ece-a')]))
    assert proc.returncode == 0, proc.stderr
    variables = hostvars(proc.inventory)['ece-a_Search__prod___1']
    assert variables['ece_deployment_name'] == 'Search (prod) #1'


def test_deployments_with_the_same_name_get_their_id_appended(sim, config, ansible_inventory):
    sim.mutate({'op': 'rename_deployment', 'env': 'ece-a', 'deployment': 'logs-a', 'name': 'search-a'})
    proc = ansible_inventory(config(environments=[environment_entry(sim, 'ece-a')]))
    assert proc.returncode == 0, proc.stderr
    search_id = sim.deployment('ece-a', 'search-a')['id']
    logs_id = sim.deployment('ece-a', 'logs-a')['id']
    names = sorted(hostvars(proc.inventory))
    assert names == sorted(['ece-a_legacy-a', 'ece-a_search-a_' + search_id[:8], 'ece-a_search-a_' + logs_id[:8]])
    assert hostvars(proc.inventory)['ece-a_search-a_' + logs_id[:8]]['ece_deployment_id'] == logs_id


def test_the_same_deployment_name_in_two_environments_makes_two_hosts(sim, config, ansible_inventory):
    sim.mutate({'op': 'rename_deployment', 'env': 'ece-b', 'deployment': 'data-b', 'name': 'search-a'})
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    assert hostvars(proc.inventory)['ece-a_search-a']['ece_environment'] == 'ece-a'
    assert hostvars(proc.inventory)['ece-b_search-a']['ece_environment'] == 'ece-b'


# -- constructed -----------------------------------------------------------------------------------
def test_compose_groups_and_keyed_groups(sim, config, ansible_inventory):
    sim.mutate({'op': 'set_status', 'env': 'ece-c', 'deployment': 'archive-c', 'resource': 'elasticsearch', 'status': 'stopped'})
    source = config(compose={'es_major': "ece_es_version.split('.')[0] | int", 'kibana_hint': "ece_url ~ '/' ~ ece_deployment_id"},
                    groups={'unhealthy': 'not ece_healthy'},
                    keyed_groups=[{'key': "ece_es_version.split('.')[0]", 'prefix': 'es_major'}])
    proc = ansible_inventory(source)
    assert proc.returncode == 0, proc.stderr
    analytics = hostvars(proc.inventory)['ece-c_analytics-c']
    assert analytics['es_major'] in (9, '9')  # before ansible-core 2.19, compose results are strings
    assert analytics['kibana_hint'] == '%s/%s' % (sim.env('ece-c')['ece_url'], sim.deployment('ece-c', 'analytics-c')['id'])
    assert group_hosts(proc.inventory, 'unhealthy') == ['ece-c_archive-c']
    assert group_hosts(proc.inventory, 'es_major_7') == ['ece-a_legacy-a', 'ece-b_old-b']


def test_strict_fails_on_a_bad_compose_expression(sim, config, ansible_inventory):
    proc = ansible_inventory(config(compose={'broken': 'no_such_variable.attribute'}, strict=True))
    assert proc.returncode != 0
    assert 'broken' in proc.stderr


def test_deployment_names_from_the_api_are_never_templated(sim, config, ansible_inventory):
    sim.mutate({'op': 'rename_deployment', 'env': 'ece-a', 'deployment': 'search-a', 'name': "{{ lookup('env', 'HOME') }}"})
    proc = ansible_inventory(config(environments=[environment_entry(sim, 'ece-a')]))
    assert proc.returncode == 0, proc.stderr
    names = [v['ece_deployment_name'] for v in hostvars(proc.inventory).values()]
    assert "{{ lookup('env', 'HOME') }}" in names
    assert os.environ.get('HOME', '/root') not in names


# -- configuration sources ---------------------------------------------------------------------------
def test_credentials_from_environment_variables(sim, config, ansible_inventory):
    info = sim.env('ece-b')
    sim.clear_log()
    proc = ansible_inventory(config(environments=[{'name': 'ece-b', 'ca_path': sim.ca_bundle}]),
                             env={'ECE_URL': info['ece_url'], 'ECE_API_KEY': info['api_key']})
    assert proc.returncode == 0, proc.stderr
    assert sorted(hostvars(proc.inventory)) == sorted('ece-b_%s' % n for n in info['deployments'])
    assert [r['env'] for r in searches(sim)] == ['ece-b']


def test_basic_authentication(sim, config, ansible_inventory):
    info = sim.env('ece-c')
    entry = environment_entry(sim, 'ece-c', ece_api_key=None, ece_username=info['username'], ece_password=info['password'])
    proc = ansible_inventory(config(environments=[entry]))
    assert proc.returncode == 0, proc.stderr
    assert sorted(hostvars(proc.inventory)) == ['ece-c_analytics-c', 'ece-c_archive-c']
    assert info['password'] not in proc.stdout + proc.stderr


def test_credentials_from_a_template(sim, config, ansible_inventory):
    entry = environment_entry(sim, 'ece-a', ece_api_key="{{ lookup('ansible.builtin.env', 'SIM_ECE_A_KEY') }}")
    proc = ansible_inventory(config(environments=[entry]), env={'SIM_ECE_A_KEY': sim.env('ece-a')['api_key']})
    assert proc.returncode == 0, proc.stderr
    assert len(hostvars(proc.inventory)) == 3


def test_file_named_otherwise_is_not_this_plugins(sim, config, ansible_inventory):
    sim.clear_log()
    proc = ansible_inventory(config(filename='sim.yml'))
    assert proc.returncode != 0
    assert searches(sim) == []


# -- errors --------------------------------------------------------------------------------------------
def test_bad_api_key_fails_with_the_environment_and_status_but_not_the_key(sim, config, ansible_inventory):
    wrong_key = 'not-the-key-of-ece-b-0123456789'
    environments = [environment_entry(sim, 'ece-a'), environment_entry(sim, 'ece-b', ece_api_key=wrong_key)]
    proc = ansible_inventory(config(environments=environments))
    assert proc.returncode != 0
    assert 'environment ece-b: search deployments failed: HTTP 401' in proc.stderr
    assert 'environment ece-a' not in proc.stderr
    assert wrong_key not in proc.stdout + proc.stderr
    assert sim.env('ece-a')['api_key'] not in proc.stdout + proc.stderr


def test_bad_password_is_not_shown(sim, config, ansible_inventory):
    info = sim.env('ece-c')
    entry = environment_entry(sim, 'ece-c', ece_api_key=None, ece_username='admin', ece_password='wrong-password-42')
    proc = ansible_inventory(config(environments=[entry]))
    assert proc.returncode != 0
    assert 'environment ece-c: search deployments failed: HTTP 401' in proc.stderr
    assert 'wrong-password-42' not in proc.stdout + proc.stderr
    assert info['password'] not in proc.stdout + proc.stderr


def test_unreachable_environment_fails_with_its_name(sim, config, ansible_inventory):
    entry = environment_entry(sim, 'ece-a', ece_url='https://127.0.0.1:9', retries=0)
    proc = ansible_inventory(config(environments=[entry]))
    assert proc.returncode != 0
    assert 'environment ece-a: search deployments failed: POST https://127.0.0.1:9' in proc.stderr


def test_server_errors_are_retried_with_a_warning(sim, config, ansible_inventory):
    sim.fault(match={'server': '^ece:ece-a$', 'path': '_search$'}, status=503, count=1)
    sim.clear_log()
    proc = ansible_inventory(config())
    assert proc.returncode == 0, proc.stderr
    assert [r['status'] for r in searches(sim) if r['env'] == 'ece-a'] == [503, 200]
    assert 'environment ece-a: search deployments: HTTP 503, retry 1 of 3' in proc.stderr
    assert len(hostvars(proc.inventory)) == 8


@pytest.mark.parametrize('entry, message', [
    ({'name': 'ece-a'}, 'ece_url is missing'),
    ({'ece_url': 'https://127.0.0.1:1', 'ece_api_key': 'k'}, 'missing required arguments: name'),
    ({'name': 'ece-a', 'ece_url': 'https://127.0.0.1:1'}, 'no credentials'),
    ({'name': 'ece-a', 'ece_url': 'https://127.0.0.1:1', 'ece_api_key': 'secret-key-1', 'ece_username': 'admin',
      'ece_password': 'secret-password-1'}, 'mutually exclusive'),
    ({'name': 'ece-a', 'ece_url': 'https://127.0.0.1:1', 'ece_username': 'admin'}, 'ece_password'),
    ({'name': 'ece-a', 'ece_url': 'https://127.0.0.1:1', 'ece_api_key': 'secret-key-1', 'retries': 'many'}, 'retries'),
    ({'name': 'ece-a', 'ece_url': 'https://127.0.0.1:1', 'ece_api_key': 'secret-key-1', 'colour': 'blue'}, 'colour'),
], ids=['no-url', 'no-name', 'no-credentials', 'key-and-user', 'user-without-password', 'bad-retries', 'unknown-option'])
def test_bad_environment_fails_before_any_request(sim, config, ansible_inventory, entry, message):
    sim.clear_log()
    proc = ansible_inventory(config(environments=[entry]))
    assert proc.returncode != 0
    assert message in proc.stderr
    assert 'environments[0]' in proc.stderr
    assert 'secret-key-1' not in proc.stdout + proc.stderr
    assert 'secret-password-1' not in proc.stdout + proc.stderr
    assert sim.requests() == []


def test_environment_names_that_make_the_same_group_are_refused(sim, config, ansible_inventory):
    sim.clear_log()
    proc = ansible_inventory(config(environments=[environment_entry(sim, 'ece-a'),
                                                  dict(environment_entry(sim, 'ece-b'), name='ece_a')]))
    assert proc.returncode != 0
    assert 'both make the group ece_ece_a' in proc.stderr
    assert sim.requests() == []


# -- cache -------------------------------------------------------------------------------------------------
def test_cache_answers_the_second_run_without_a_request(sim, config, ansible_inventory, tmp_path):
    source = config(cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'))
    sim.clear_log()
    first = ansible_inventory(source)
    assert first.returncode == 0, first.stderr
    assert len(searches(sim)) == 3
    sim.clear_log()
    second = ansible_inventory(source)
    assert second.returncode == 0, second.stderr
    assert sim.requests() == []
    assert hostvars(second.inventory) == hostvars(first.inventory)
    for env in ENVIRONMENTS:
        assert sim.env(env)['api_key'] not in ''.join(p.read_text() for p in (tmp_path / 'cache').iterdir())
    for entry in (tmp_path / 'cache').iterdir():  # the cache flushed (ansible-inventory has --flush-cache from 2.17 on)
        entry.unlink()
    third = ansible_inventory(source)
    assert third.returncode == 0, third.stderr
    assert len(searches(sim)) == 3


# -- the hosts in a play -----------------------------------------------------------------------------------
def test_playbook_runs_modules_for_the_hosts_of_a_version_group(sim, config, tmp_path):
    playbook = tmp_path / 'play.yml'
    playbook.write_text(yaml.safe_dump([{
        'name': 'Read the deployments of one version group',
        'hosts': 'es_8_12',
        'gather_facts': False,
        'tasks': [{
            'name': 'Read the deployment',
            'ece.remote_clusters.ece_deployment_info': {
                'ece_url': '{{ ece_url }}', 'ece_region': '{{ ece_region }}', 'ece_api_key': '{{ api_keys[ece_environment] }}',
                'ca_path': sim.ca_bundle, 'deployment_id': '{{ ece_deployment_id }}'},
            'register': 'info',
        }, {
            'name': 'The module saw the deployment the inventory describes',
            'ansible.builtin.assert': {'that': ['info.deployments[0].elasticsearch[0].cluster_id == ece_cluster_id']},
        }],
    }]))
    extra_vars = {'api_keys': dict((env, sim.env(env)['api_key']) for env in ENVIRONMENTS)}
    environ = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_collections_path(), ANSIBLE_NOCOLOR='1',
                   ANSIBLE_INVENTORY_UNPARSED_FAILED='true', ANSIBLE_HOME=str(tmp_path / 'ansible-home'))
    proc = subprocess.run([os.path.join(BIN_DIR, 'ansible-playbook'), '-i', config(), str(playbook), '-e', json.dumps(extra_vars)],
                          env=environ, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    recap = dict(re.findall(r'^(\S+)\s+:\s+(ok=.*?)\s*$', proc.stdout, re.MULTILINE))
    assert sorted(recap) == ['ece-a_logs-a', 'ece-b_ingest-b']
    for line in recap.values():
        assert re.match(r'ok=2 +changed=0 +unreachable=0 +failed=0', line), line
    assert 'interpreter' not in proc.stdout + proc.stderr  # the controller's Python, no discovery warning


# -- the facts are those of module_utils --------------------------------------------------------------------------------
def _search_hit(accounts, organization_id=None):
    """A deployment of POST /deployments/_search with two Elasticsearch resources."""
    def resource(ref_id, cluster_id, version):
        return {'ref_id': ref_id, 'id': cluster_id, 'region': 'ece-region',
                'info': {'cluster_id': cluster_id, 'healthy': True, 'status': 'started',
                         'metadata': {'endpoint': '%s.ece-a.example.com' % cluster_id, 'ports': {'transport_passthrough': 9400}},
                         'settings': {'trust': {'accounts': accounts}},
                         'topology': {'instances': [{'service_version': version}]},
                         'plan_info': {'current': {'plan': {'elasticsearch': {'version': version}}}}}}
    return {'id': 'd5' * 16, 'name': 'search-a', 'healthy': True, 'metadata': {'organization_id': organization_id},
            'resources': {'elasticsearch': [resource('main-elasticsearch', '5a' * 16, '8.14.3'), resource('second', '5e' * 16, '8.15.1')]}}


@pytest.mark.parametrize('accounts, organization_id', [
    ([{'account_id': None}, {'account_id': 'aa' * 16, 'trust_all': True}], None),
    ([], 'org-1'),
    ([], None),
])
def test_host_variables_name_the_resource_cluster_and_account_that_ece_deployment_info_names(accounts, organization_id):
    from ansible_collections.ece.remote_clusters.plugins.inventory.ece_deployments import deployment_record
    from ansible_collections.ece.remote_clusters.plugins.module_utils._views import deployment_view

    hit = _search_hit(accounts, organization_id)
    record = deployment_record('ece-a', hit)
    view = deployment_view(hit, None, 9443)['elasticsearch'][0]  # the first resource, as the modules pick it without ref_id
    assert (record['ece_ref_id'], record['ece_cluster_id'], record.get('ece_account_id'), record['ece_es_version']) == (
        view['ref_id'], view['cluster_id'], view['account_id'], view['running_version'])


@pytest.mark.parametrize('version', ['8.14.3', '8.14', '9.1.0-SNAPSHOT', '10.0.0+build', '8.14.x', 'latest', '', None])
def test_version_groups_read_a_version_as_module_utils_does(version):
    from ansible_collections.ece.remote_clusters.plugins.inventory.ece_deployments import version_group
    from ansible_collections.ece.remote_clusters.plugins.module_utils._common import version_tuple

    try:
        expected = 'es_%d_%d' % version_tuple(version)[:2]
    except ValueError:
        expected = None
    assert version_group(version) == expected


def test_environments_take_the_connection_options_of_the_modules():
    from ansible_collections.ece.remote_clusters.plugins.inventory.ece_deployments import ENVIRONMENT_SPEC
    from ansible_collections.ece.remote_clusters.plugins.module_utils._module import connection_argument_spec, ece_argument_spec

    expected = dict(name=dict(type='str', required=True), **connection_argument_spec())
    expected.update(ece_argument_spec())
    expected['ece_url'].pop('required')  # a missing URL is named with a hint of its own
    assert ENVIRONMENT_SPEC == expected
