# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-rulebook end to end against the simulator, with the shipped command-line rulebooks and no person involved:
a key about to expire is rotated without an outage, and a link that does not connect is diagnosed.

It needs the venv of scripts/test_eda (ansible-rulebook and a Java runtime); in CI a missing one fails the run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from test_remote_clusters import FAST, secrets_of  # pylint: disable=unused-import
from test_rulebooks import eda_env, eda_venv

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
API_KEY_LINK = 'logs-a-to-ingest-b'
DEADLINE = 240


@pytest.fixture
def plain_inventory(sim, tmp_path):
    """The inventory_many shape with its secrets in a plain vault.yml (as the simulator's own demo inventory)."""
    out = tmp_path / 'inventory_many'
    subprocess.run([sys.executable, os.path.join(REPO_ROOT, 'scripts', 'simulator_inventory.py'), '--many', sim.out_file, str(out)],
                   check=True)
    return out


def rulebook_vars(inventory, tmp_path, names):
    """link_health_environments and link_health_links: the inventory's, with the secrets of vault.yml put in."""
    group_vars = inventory / 'group_vars' / 'all'
    secrets = yaml.safe_load((group_vars / 'vault.yml').read_text())
    text = (group_vars / 'environments.yml').read_text() + (group_vars / 'links.yml').read_text().replace('---', '')
    for name, value in secrets.items():
        text = text.replace('{{ %s }}' % name, value)
    data = yaml.safe_load(text)
    path = tmp_path / 'link_health_vars.yml'
    path.write_text(yaml.safe_dump({'link_health_environments': data['remote_clusters_environments'],
                                    'link_health_links': [l for l in data['remote_clusters_links'] if l['name'] in names]}))
    return str(path)


def link_keys(sim):
    keys = sim.state()['environments']['ece-b']['deployments']['ingest-b']['elasticsearch']['api_keys']
    return [k for k in keys if (k.get('metadata') or {}).get('alias') == 'ece_b_ingest' and not k['invalidated']
            and (k['expiration'] is None or k['expiration'] > time.time() * 1000)]


class Rulebook:
    """ansible-rulebook running a shipped rulebook of the collection, its output in a file."""

    def __init__(self, venv, rulebook, inventory, variables, tmp_path):
        self.log = open(str(tmp_path / ('%s.log' % rulebook)), 'w+')  # pylint: disable=consider-using-with
        env = dict(eda_env(venv), ANSIBLE_NOCOLOR='1', ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default', TMPDIR=str(tmp_path))
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [os.path.join(venv, 'bin', 'ansible-rulebook'), '-r', 'ece.remote_clusters.' + rulebook, '-i', str(inventory),
             '--vars', variables, '-v'],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=str(tmp_path), start_new_session=True)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def wait_for(self, condition, what):
        deadline = time.monotonic() + DEADLINE
        while not condition():
            assert self.process.poll() is None, 'ansible-rulebook ended (%s) before %s:\n%s' % (self.process.returncode, what, self.output()[-6000:])
            assert time.monotonic() < deadline, 'no %s within %d s:\n%s' % (what, DEADLINE, self.output()[-6000:])
            time.sleep(0.5)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)
        output = self.output()
        self.log.close()
        return output


def test_ansible_rulebook_rotates_a_key_about_to_expire_with_no_outage(sim, plain_inventory, ansible_playbook, tmp_path):
    venv = eda_venv()
    run = ansible_playbook('remote_clusters.yml', inventory=str(plain_inventory),
                           extra_vars=dict(FAST, remote_clusters_link_names=[API_KEY_LINK]))
    assert run.rc == 0, run.output[-5000:]
    (old,) = link_keys(sim)
    sim.mutate({'op': 'set_api_key_expiration', 'env': 'ece-b', 'deployment': 'ingest-b', 'id': old['id'], 'days': 5})
    variables = rulebook_vars(plain_inventory, tmp_path, [API_KEY_LINK])
    sim.clear_log()

    rulebook = Rulebook(venv, 'rotate_expiring_keys_cli', plain_inventory, variables, tmp_path)
    try:
        rulebook.wait_for(lambda: [k for k in link_keys(sim) if k['id'] != old['id']] and 'PLAY RECAP' in rulebook.output(),
                          'rotation of the key')
    finally:
        output = rulebook.stop()
    (new,) = link_keys(sim)
    assert new['id'] != old['id']
    assert sim.diagnose('ece-a', 'logs-a', 'ece_b_ingest')['connected'] is True
    assert '1 link: 0 ok, 1 changed, 0 failed; 1 connected' in output, output[-5000:]
    # no outage: the alias never pointed at nothing - the new key was stored and connected before the old one went
    requests = sim.requests()
    created = [r['seq'] for r in requests if r['method'] == 'POST' and r['path'] == '/_security/cross_cluster/api_key']
    invalidated = [r['seq'] for r in requests if r['method'] == 'DELETE' and r['path'] == '/_security/api_key']
    stored = [r['seq'] for r in requests if r['write'] and '/keystore' in r['path']]
    assert len(created) == 1 and len(invalidated) == 1 and stored
    assert created[0] < stored[0] < invalidated[0]
    assert [s for s in secrets_of(sim) if s in output] == []


def test_ansible_rulebook_diagnoses_a_link_that_does_not_connect(sim, plain_inventory, tmp_path):
    venv = eda_venv()
    variables = rulebook_vars(plain_inventory, tmp_path, ['old-b-to-data-b'])
    rulebook = Rulebook(venv, 'diagnose_disconnected_links_cli', plain_inventory, variables, tmp_path)
    expected = 'old-b-to-data-b: The remote cluster data_b is not configured on the local cluster ece-b/old-b'
    try:
        rulebook.wait_for(lambda: expected in rulebook.output() and 'PLAY RECAP' in rulebook.output(), 'diagnosis')
    finally:
        output = rulebook.stop()
    assert sim.requests(write=True) == []
    assert [s for s in secrets_of(sim) if s in output] == []
