# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's metadata stays complete: every module is in its action group, and says so in its docs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, 'plugins', 'modules')) if f.endswith('.py') and f != '__init__.py')


def runtime():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as handle:
        return yaml.safe_load(handle)


def test_every_ece_module_and_only_those_is_in_the_ece_action_group():
    assert sorted(runtime()['action_groups']['ece']) == [m for m in MODULES if m.startswith('ece_')]


def test_every_elasticsearch_module_and_only_those_is_in_the_elasticsearch_action_group():
    assert sorted(runtime()['action_groups']['elasticsearch']) == [m for m in MODULES if m.startswith('es_')]


def test_every_module_documents_its_action_group_and_connection_fragments():
    # remote_cluster_link and remote_clusters_rollout are in no group: each side of a link carries its own connection options
    assert [m for m in MODULES if not m.startswith(('ece_', 'es_'))] == ['remote_cluster_link', 'remote_clusters_rollout']
    for module in [m for m in MODULES if m.startswith(('ece_', 'es_'))]:
        with open(os.path.join(ROOT, 'plugins', 'modules', module + '.py')) as handle:
            text = handle.read()
        kind = 'ECE' if module.startswith('ece_') else 'ELASTICSEARCH'
        fragment = 'ece' if module.startswith('ece_') else 'elasticsearch'
        assert 'ece.remote_clusters.attributes.ACTIONGROUP_%s' % kind in text, module
        assert '  - ece.remote_clusters.%s\n' % fragment in text, module
        assert '  - ece.remote_clusters.connection\n' in text, module


def test_requires_ansible_covers_the_supported_cores():
    # 2.16: Red Hat's certification runs sanity on it, and a requires_ansible above the core that runs sanity fails it
    assert runtime()['requires_ansible'] == '>=2.16.0'


def test_roles_readme_and_ci_agree_with_requires_ansible():
    oldest = runtime()['requires_ansible'].lstrip('>=').rsplit('.0', 1)[0]  # '2.16'
    for role in sorted(os.listdir(os.path.join(ROOT, 'roles'))):
        with open(os.path.join(ROOT, 'roles', role, 'meta', 'main.yml')) as handle:
            assert str(yaml.safe_load(handle)['galaxy_info']['min_ansible_version']) == oldest, role
    with open(os.path.join(ROOT, 'README.md')) as handle:
        assert '- ansible-core %s or later' % oldest in handle.read()
    # CI runs sanity and unit tests on the oldest supported core
    with open(os.path.join(ROOT, '.ci', 'requirements-%s.txt' % oldest)) as handle:
        assert 'ansible-core==%s.' % oldest in handle.read()
    with open(os.path.join(ROOT, 'scripts', 'test')) as handle:
        script = handle.read()
    assert 'make_venv "$CACHE/venv-%s" "$PY311" "$ROOT/.ci/requirements-%s.txt"' % (oldest, oldest) in script
    assert 'run_ansible_test "$CACHE/venv-%s" 3.11' % oldest in script


def test_every_role_has_a_readme_with_its_variables_and_an_example():
    """Galaxy's importer refuses a collection whose role has no README.md ("No role readme found")."""
    roles = sorted(r for r in os.listdir(os.path.join(ROOT, 'roles')) if os.path.isdir(os.path.join(ROOT, 'roles', r)))
    assert roles
    for role in roles:
        path = os.path.join(ROOT, 'roles', role, 'README.md')
        assert os.path.isfile(path), 'role %s has no README.md' % role
        with open(path) as handle:
            text = handle.read()
        with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
            options = yaml.safe_load(handle)['argument_specs']['main']['options']
        for option in options:
            assert '| `%s` |' % option in text, '%s: README.md does not describe %s' % (role, option)
        blocks = re.findall(r'```yaml\n(.*?)```', text, re.S)
        assert blocks, '%s: README.md has no example' % role
        for block in blocks:
            yaml.safe_load(block)
        assert 'name: ece.remote_clusters.%s\n' % role in text, '%s: the example does not use the role' % role
    # the variables sections are what scripts/role_readmes.py makes of the argument specs today
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'role_readmes.py'), '--check'],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_the_options_of_a_link_of_the_rollout_are_documented_as_those_of_remote_cluster_link():
    # scripts/rollout_docs.py writes them from remote_cluster_link's documentation: a link's options are documented once
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'rollout_docs.py'), '--check'],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    with open(os.path.join(ROOT, 'plugins', 'modules', 'remote_clusters_rollout.py')) as handle:
        text = handle.read()
    assert 'O(links[].model=api_key)' in text and 'O(model=' not in text


def test_the_benchmark_usage_names_no_machine_s_virtual_environment():
    with open(os.path.join(ROOT, 'benchmarks', 'run_benchmarks.py')) as handle:
        usage = handle.read().split('"""')[1]
    commands = [line.strip() for line in usage.splitlines() if 'run_benchmarks.py' in line]
    assert commands and all(not re.match(r'/\S*python', c) for c in commands), commands
    assert 'python benchmarks/run_benchmarks.py' in usage
