# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The options a role documents as required are required: without them the role's argument validation names them,
before any task of the role runs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = ('platform_trust', 'remote_cluster_api_key', 'remote_cluster_certificate', 'remote_clusters')


def required(role):
    with open(os.path.join(REPO_ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    return sorted(name for name, spec in options.items() if spec.get('required'))


@pytest.mark.parametrize('role', ROLES)
def test_a_required_option_has_no_default_and_its_absence_is_named(role, ansible_playbook, tmp_path):
    names = required(role)
    assert names
    with open(os.path.join(REPO_ROOT, 'roles', role, 'defaults', 'main.yml')) as handle:
        defaults = yaml.safe_load(handle) or {}
    assert [name for name in names if name in defaults] == []
    playbook = tmp_path / 'play.yml'
    playbook.write_text(yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
                                         'roles': ['ece.remote_clusters.%s' % role]}]))
    run = ansible_playbook(str(playbook), inventory='localhost,')
    assert run.rc != 0
    assert 'missing required arguments: %s' % ', '.join(names) in run.output, run.output[-3000:]
