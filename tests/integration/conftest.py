# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the playbook-level tests: run ansible-playbook against the simulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest

RECAP_LINE = re.compile(r'^(\S+)\s+:\s+(ok=.*)$', re.M)
RECAP_FIELD = re.compile(r'(\w+)=(\d+)')

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collections_path():
    """The directory that holds ansible_collections/ece/remote_clusters (set up by tests/conftest.py)."""
    for location in importlib.util.find_spec('ansible_collections').submodule_search_locations:
        if os.path.isdir(os.path.join(location, 'ece', 'remote_clusters')):
            return os.path.dirname(location)
    raise RuntimeError('ansible_collections.ece.remote_clusters is not importable')


class PlaybookRun:
    def __init__(self, rc, output, stats):
        self.rc = rc
        self.output = output
        self.stats = stats

    @property
    def changed(self):
        return sum(host.get('changed', 0) for host in self.stats.values())

    @property
    def failed(self):
        return sum(host.get('failed', 0) + host.get('unreachable', 0) for host in self.stats.values())


@pytest.fixture
def collections_root():
    """The directory that holds ansible_collections/ece/remote_clusters, for PYTHONPATH or ANSIBLE_COLLECTIONS_PATH."""
    return _collections_path()


@pytest.fixture
def inventory(sim, tmp_path):
    """The example inventory's shape, filled with the simulator's URLs, IDs and credentials."""
    out = tmp_path / 'inventory'
    subprocess.run([sys.executable, os.path.join(REPO_ROOT, 'scripts', 'simulator_inventory.py'), sim.out_file, str(out)], check=True)
    return str(out)


@pytest.fixture
def ansible_playbook(tmp_path):
    """Run playbooks with the default callback; ``stats`` come from the PLAY RECAP (summed over plays)."""
    def run(*playbooks, inventory, check=False, diff=False, verbosity=0, extra_vars=None, env=None):
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', inventory]
        cmd += [os.path.join(REPO_ROOT, 'playbooks', p) if not os.path.isabs(p) else p for p in playbooks]
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        if extra_vars:
            cmd += ['-e', json.dumps(extra_vars)]
        environ = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_collections_path(), ANSIBLE_NOCOLOR='1',
                       ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default',
                       ANSIBLE_LOG_PATH=str(tmp_path / 'ansible.log'), ANSIBLE_RETRY_FILES_ENABLED='0')
        environ.update(env or {})
        proc = subprocess.run(cmd, env=environ, capture_output=True, text=True, timeout=900, check=False)
        output = proc.stdout + proc.stderr
        stats = dict((host, dict((k, int(v)) for k, v in RECAP_FIELD.findall(fields)))
                     for host, fields in RECAP_LINE.findall(proc.stdout))
        log = tmp_path / 'ansible.log'
        if log.exists():
            output += log.read_text()
        return PlaybookRun(proc.returncode, output, stats)
    return run
