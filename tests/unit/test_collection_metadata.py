# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's metadata stays complete: every module is in its action group, and says so in its docs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

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
    # remote_cluster_link is in no group: each side of a link carries its own connection options
    assert [m for m in MODULES if not m.startswith(('ece_', 'es_'))] == ['remote_cluster_link']
    for module in [m for m in MODULES if m.startswith(('ece_', 'es_'))]:
        with open(os.path.join(ROOT, 'plugins', 'modules', module + '.py')) as handle:
            text = handle.read()
        kind = 'ECE' if module.startswith('ece_') else 'ELASTICSEARCH'
        fragment = 'ece' if module.startswith('ece_') else 'elasticsearch'
        assert 'ece.remote_clusters.attributes.ACTIONGROUP_%s' % kind in text, module
        assert '  - ece.remote_clusters.%s\n' % fragment in text, module
        assert '  - ece.remote_clusters.connection\n' in text, module


def test_requires_ansible_covers_the_supported_cores():
    assert runtime()['requires_ansible'] == '>=2.18.0'
