# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Simulator-backed tests run each in a forked child process (as ``ansible-test units`` and pytest-forked's ``--forked``
run tests) leave no simulator directory (its keys, API keys and passwords) in the temporary directory: a forked child
exits without tearing down session fixtures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _forked_plugin_dir():
    try:
        import ansible_test
    except ImportError:
        pytest.skip('ansible-test (part of ansible-core) is not importable: its forked-test plugin is needed')
    return os.path.join(os.path.dirname(ansible_test.__file__), '_util', 'target', 'pytest', 'plugins')


def test_forked_unit_tests_leave_the_temp_dir_as_they_found_it(tmp_path, collections_root):
    temp = tmp_path / 'temp'
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp), PYTEST_PLUGINS='ansible_forked',
               PYTHONPATH=os.pathsep.join([collections_root, _forked_plugin_dir()]))
    env.pop('PYTEST_ADDOPTS', None)
    tests = 'tests/component/plugins/modules/test_ece_deployment_info.py'
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-p', 'no:xdist',
                           '--basetemp', str(tmp_path / 'pytest'), tests,
                           '-k', 'one_deployment_is_read or resource_carries_ids or many_deployments'],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '3 passed' in proc.stdout, proc.stdout
    assert sorted(os.listdir(str(temp))) == []
