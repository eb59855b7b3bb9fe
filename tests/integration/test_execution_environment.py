# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment definition (execution-environment.yml) makes a complete build context.

``ansible-builder create`` writes the Containerfile and ``_build/`` without a container engine; the
galaxy stage's install and the builder stage's dependency introspection are then run here, on the
host, exactly as the Containerfile runs them in the image.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN_DIR = os.path.dirname(sys.executable)


def _clean_env(collections_path):
    """As in the image: no checkout of this collection on PYTHONPATH or in the collections path."""
    env = dict((k, v) for k, v in os.environ.items() if k not in ('PYTHONPATH', 'ANSIBLE_COLLECTIONS_PATH'))
    env['ANSIBLE_COLLECTIONS_PATH'] = str(collections_path)
    return env


def _install(context, collections_path):
    """The galaxy stage's command; the Containerfile runs it in /build, a copy of _build."""
    return subprocess.run([_tool('ansible-galaxy'), 'collection', 'install', '-r', 'requirements.yml',
                           '--collections-path', str(collections_path)],
                          cwd=str(context / '_build'), env=_clean_env(collections_path),
                          capture_output=True, text=True, timeout=300, check=False)


def _tool(name):
    path = os.path.join(BIN_DIR, name)
    if not os.path.exists(path):
        pytest.skip('%s is not installed next to %s' % (name, sys.executable))
    return path


@pytest.fixture(scope='module')
def context(tmp_path_factory):
    """The build context ansible-builder creates from the repository's definition."""
    directory = tmp_path_factory.mktemp('ee') / 'context'
    proc = subprocess.run([_tool('ansible-builder'), 'create', '-f', os.path.join(REPO_ROOT, 'execution-environment.yml'),
                           '--context', str(directory), '--output-filename', 'Containerfile'],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return directory


def test_definition_is_ansible_builder_version_3_with_pinned_core():
    with open(os.path.join(REPO_ROOT, 'execution-environment.yml')) as handle:
        definition = yaml.safe_load(handle)
    assert definition['version'] == 3
    assert definition['images']['base_image']['name']
    assert definition['dependencies']['ansible_core'] == {'package_pip': 'ansible-core==2.19.14'}
    assert definition['dependencies']['ansible_runner'] == {'package_pip': 'ansible-runner'}
    assert definition['dependencies']['python'] == 'requirements.txt'
    assert definition['dependencies']['galaxy'] == 'meta/ee-requirements.yml'


def test_the_base_image_is_pinned_to_a_release_and_can_be_replaced_at_build_time(context):
    with open(os.path.join(REPO_ROOT, 'execution-environment.yml')) as handle:
        name = yaml.safe_load(handle)['images']['base_image']['name']
    image, dummy, tag = name.rpartition(':')
    assert '/' in image and tag and tag != 'latest' and any(c.isdigit() for c in tag), name
    # ansible-builder build --build-arg EE_BASE_IMAGE=... builds on another base (Red Hat's, for Automation Platform)
    containerfile = (context / 'Containerfile').read_text()
    assert 'ARG EE_BASE_IMAGE="%s"' % name in containerfile and 'FROM $EE_BASE_IMAGE AS base' in containerfile


def test_containerfile_installs_core_runner_and_the_galaxy_requirements(context):
    containerfile = (context / 'Containerfile').read_text()
    assert 'ansible-core==2.19.14 ansible-runner' in containerfile
    assert 'ansible-galaxy collection install' in containerfile and '-r requirements.yml' in containerfile
    assert 'COPY _build/requirements.txt requirements.txt' in containerfile


def test_build_context_holds_the_python_requirements(context):
    lines = [line.strip() for line in (context / '_build' / 'requirements.txt').read_text().splitlines()]
    assert 'requests>=2.28' in lines


def test_build_context_holds_the_collection_source_without_tests(context):
    requirements = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    assert requirements['collections'] == [{'name': './ece.remote_clusters', 'type': 'dir'}]
    source = context / '_build' / 'ece.remote_clusters'
    for name in ('galaxy.yml', 'README.md', 'LICENSE', 'requirements.txt', 'meta/runtime.yml',
                 'plugins/inventory/ece_deployments.py', 'plugins/module_utils/_ece.py'):
        assert (source / name).is_file(), name
    assert not (source / 'tests').exists()
    assert not (source / '.git').exists()


def test_galaxy_stage_installs_the_collection_from_the_context(context, tmp_path):
    proc = _install(context, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = tmp_path / 'ansible_collections' / 'ece' / 'remote_clusters'
    manifest = json.loads((installed / 'MANIFEST.json').read_text())['collection_info']
    assert (manifest['namespace'], manifest['name']) == ('ece', 'remote_clusters')
    assert (installed / 'plugins' / 'inventory' / 'ece_deployments.py').is_file()
    assert (installed / 'plugins' / 'modules' / 'ece_deployment_trust.py').is_file()
    # what the platform reads from an installed collection: its Python requirements and indirect node counting
    assert (installed / 'meta' / 'execution-environment.yml').is_file()
    assert (installed / 'extensions' / 'audit' / 'event_query.yml').is_file()


def test_builder_stage_finds_requests_for_the_installed_collection(context, tmp_path):
    assert _install(context, tmp_path).returncode == 0
    proc = subprocess.run([sys.executable, str(context / '_build' / 'scripts' / 'introspect.py'), 'introspect', str(tmp_path),
                           '--user-pip', str(context / '_build' / 'requirements.txt')],
                          env=_clean_env(tmp_path), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    python = yaml.safe_load(proc.stdout)['python']
    assert any(line.startswith('requests') and 'from collection ece.remote_clusters' in line for line in python), python
