# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The built collection installs, and its modules run from the installed copy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

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
    assert (installed / 'tests' / 'unit').is_dir() and not (installed / 'tests' / 'simulator').exists()
    info = sim.info['environments']['ece-a']
    proc = subprocess.run([os.path.join(BIN, 'ansible'), 'localhost', '-c', 'local', '-e', 'ansible_python_interpreter=' + sys.executable,
                           '-m', 'ece.remote_clusters.ece_trust_relationship_info',
                           '-a', 'ece_url=%s ca_path=%s include_certificate=false' % (info['ece_url'], sim.info['ca_bundle'])],
                          env=dict(env, ECE_API_KEY=info['api_key']), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert info['environment_id'] in proc.stdout
    assert info['api_key'] not in proc.stdout + proc.stderr


# what a checkout holds after `make simulator` (old default: ./simulator.json and ./simulator-certs/), the demo and an
# audit (./audit-report/): none of it may reach the built collection
_FORBIDDEN_NAME = re.compile(r'(^|/)(simulator[^/]*\.json|[^/]*-certs|\.simulator|audit-report)(/|$)|\.(pem|key|crt|p12)$'
                             r'|(^|/)remote_clusters\.(json|md|dot|svg)$')
_PEM_BLOCK = re.compile(rb'-----BEGIN ([A-Z0-9 ]+)-----\s*\n(?:[A-Za-z0-9+/=]{16,}\s*\n){2,}')


def _copy_checkout(dest):
    """The checkout as a user has it: every file but the git directory and the caches."""
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns('.git', '.cache', 'output', '__pycache__', '.pytest_cache'))


def test_a_tarball_built_from_a_dirty_checkout_holds_no_key_certificate_report_or_simulator_state(sim, tmp_path):
    checkout = tmp_path / 'checkout'
    _copy_checkout(str(checkout))
    # the simulator's state and certificates (with its server keys), as `make simulator` used to leave them
    (checkout / 'simulator.json').write_text(json.dumps(sim.info))
    shutil.copytree(sim.info['cert_dir'], str(checkout / 'simulator-certs'))
    assert any(name.endswith('-key.pem') or 'key' in name for name in os.listdir(str(checkout / 'simulator-certs')))
    (checkout / '.simulator').mkdir()
    (checkout / '.simulator' / 'state.json').write_text(json.dumps(sim.info))
    # an audit's report, in the checkout and under playbooks/ (run from there)
    for report_dir in (checkout / 'audit-report', checkout / 'playbooks' / 'audit-report'):
        report_dir.mkdir()
        for ext in ('json', 'md', 'dot', 'svg'):
            (report_dir / ('remote_clusters.' + ext)).write_text('report of %s\n' % sim.info['environments']['ece-a']['ece_url'])
    env = dict(os.environ, ANSIBLE_NOCOLOR='1')
    subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', str(checkout), '--output-path', str(tmp_path)],
                   env=env, check=True, capture_output=True)
    tarball = glob.glob(str(tmp_path / 'ece-remote_clusters-*.tar.gz'))
    assert len(tarball) == 1
    secrets = [env_info['api_key'] for env_info in sim.info['environments'].values()]
    secrets += [d['elasticsearch']['password'] for env_info in sim.info['environments'].values() for d in env_info['deployments'].values()]
    found = []
    with tarfile.open(tarball[0]) as archive:
        for member in archive.getmembers():
            if _FORBIDDEN_NAME.search(member.name):
                found.append(member.name)
            if member.isfile():
                data = archive.extractfile(member).read()
                found += ['%s: a PEM %s' % (member.name, m.group(1).decode()) for m in _PEM_BLOCK.finditer(data)]
                found += ['%s: a simulator credential' % member.name for s in secrets if s.encode() in data]
    assert not found, found


def test_the_simulator_writes_its_files_outside_the_directory_it_starts_in(tmp_path):
    checkout = tmp_path / 'checkout'
    checkout.mkdir()
    temp = tmp_path / 'temp'
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    env.pop('ECE_SIM_DIR', None)
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, 'tests', 'simulator', 'run_simulator.py'), '--plain-http'],
                            cwd=str(checkout), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    expected = temp / 'ece-remote-clusters-simulator' / 'simulator.json'
    assert line.strip() == 'simulator ready: %s' % expected, line
    assert expected.is_file()
    assert os.stat(str(expected.parent)).st_mode & 0o077 == 0  # its keys are the owner's alone
    assert os.listdir(str(checkout)) == []
