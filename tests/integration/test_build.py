# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The built collection installs, and its modules run from the installed copy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def test_built_tarball_installs_and_its_module_runs_against_the_simulator(sim, tmp_path):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path / 'collections'), ANSIBLE_NOCOLOR='1')
    env.pop('PYTHONPATH', None)  # only the installed copy
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', ROOT, '--output-path', str(tmp_path)],
                   env=env, check=True, capture_output=True)
    tarball = glob.glob(str(tmp_path / 'ece-remote_clusters-*.tar.gz'))
    assert len(tarball) == 1
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--force', tarball[0], '-p', str(tmp_path / 'collections')],
                   env=env, check=True, capture_output=True)
    installed = tmp_path / 'collections' / 'ansible_collections' / 'ece' / 'remote_clusters'
    assert (installed / 'plugins' / 'modules' / 'ece_trust_relationship_info.py').is_file()
    assert not (installed / 'benchmarks').exists() and not (installed / '.ci').exists()
    info = sim.info['environments']['ece-a']
    proc = subprocess.run([os.path.join(BIN, 'ansible'), 'localhost', '-c', 'local', '-e', 'ansible_python_interpreter=' + sys.executable,
                           '-m', 'ece.remote_clusters.ece_trust_relationship_info',
                           '-a', 'ece_url=%s ca_path=%s include_certificate=false' % (info['ece_url'], sim.info['ca_bundle'])],
                          env=dict(env, ECE_API_KEY=info['api_key']), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert info['environment_id'] in proc.stdout
    assert info['api_key'] not in proc.stdout + proc.stderr
