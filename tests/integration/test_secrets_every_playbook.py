# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets stay hidden at every verbosity, in every file: every playbook of the collection (playbooks/*.yml), at -vvv
with --diff, in check mode and for real, with one link whose remote credentials are wrong (it fails), and every byte
of output, of the log and of every file the runs wrote (reports included) scanned for every password, API key, encoded
key and keystore value the simulator knows, and the wrong password too. The report files are private (0600 in 0700)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import importlib.util
import json
import os
import stat
import subprocess
import sys

import yaml

from test_secrets import basic_token, decoded_parts  # the same decoding of keys and tokens

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(REPO_ROOT, 'playbooks', '*.yml')))
WRONG_PASSWORD = 'Wr0ng-passw0rd-of-the-broken-link-4f9c1e'
BROKEN_LINK = 'logs-a-to-ingest-b'
MIN_LENGTH = 8  # every secret of the simulator is a long random string: shorter matches would be noise


def collections_path():
    for location in importlib.util.find_spec('ansible_collections').submodule_search_locations:
        if os.path.isdir(os.path.join(location, 'ece', 'remote_clusters')):
            return os.path.dirname(location)
    raise RuntimeError('ansible_collections.ece.remote_clusters is not importable')


def known_secrets(sim):
    """Every secret the simulator knows: ECE API keys and passwords, Elasticsearch passwords and REST keys, every
    keystore value (the encoded cross-cluster keys), also values written and replaced since; with their kinds."""
    secrets, kinds = {WRONG_PASSWORD}, set()
    for env in sim.info['environments'].values():
        secrets.update([env['api_key'], env['password'], basic_token(env['username'], env['password'])])
        kinds.add('ece api key')
        for deployment in env['deployments'].values():
            es = deployment['elasticsearch']
            secrets.update([es['password'], basic_token(es['username'], es['password']), es['api_key']])
            secrets.update(decoded_parts(es['api_key']))
            kinds.add('es password')
    values = []
    for env in sim.state()['environments'].values():
        for deployment in env['deployments'].values():
            es = deployment['elasticsearch']
            for store in (es['keystore'], es.get('loaded_keystore') or {}):
                values.extend(item.get('value') if isinstance(item, dict) else item for item in store.values())
    for request in sim.requests():
        if request['method'] == 'PATCH' and request['path'].endswith('/keystore'):
            values.extend(item.get('value') for item in ((request['body'] or {}).get('secrets') or {}).values()
                          if isinstance(item, dict))
    for value in values:
        if isinstance(value, str) and value != 'check-mode':
            secrets.add(value)
            kinds.add('keystore value')
            if decoded_parts(value):
                kinds.add('encoded cross-cluster key')
                secrets.update(decoded_parts(value))
    return set(s for s in secrets if s and len(s) >= MIN_LENGTH), kinds


def context(text, secret):
    """Where a secret was found, with the secret itself masked: enough to find the task, never the secret."""
    index = text.index(secret)
    return text[max(0, index - 160):index + len(secret) + 40].replace(secret, '<SECRET>').replace('\n', ' ')


def written_files(root):
    found = []
    for directory, dummy, files in os.walk(root):
        found.extend(os.path.join(directory, name) for name in files)
    return found


def inventories(sim, tmp_path):
    """Both example inventories of the collection, filled by scripts/simulator_inventory.py: playbooks/inventory (for
    certificate.yml and api_key.yml) and playbooks/inventory_many with an encrypted vault (for remote_clusters.yml and
    audit.yml). In both, the remote Elasticsearch password of the API-key link from logs-a to ingest-b is wrong."""
    script = os.path.join(REPO_ROOT, 'scripts', 'simulator_inventory.py')
    password_file = tmp_path / 'vault-password'
    password_file.write_text('a vault password for the tests\n')
    simple, many = tmp_path / 'inventory', tmp_path / 'inventory_many'
    subprocess.run([sys.executable, script, sim.out_file, str(simple)], check=True)
    subprocess.run([sys.executable, script, '--many', '--vault-password-file', str(password_file), sim.out_file, str(many)],
                   check=True)
    links_file = simple / 'group_vars' / 'all' / 'links.yml'
    links = yaml.safe_load(links_file.read_text())
    for link in links['api_key_links']:
        link['remote']['es']['es_password'] = WRONG_PASSWORD
    links_file.write_text(yaml.safe_dump(links))
    links_file = many / 'group_vars' / 'all' / 'links.yml'
    links = yaml.safe_load(links_file.read_text())
    broken = [link for link in links['remote_clusters_links'] if link['name'] == BROKEN_LINK]
    assert len(broken) == 1
    broken[0]['remote']['es']['es_password'] = WRONG_PASSWORD  # a wrong secret given in clear: hidden all the same
    links_file.write_text(yaml.safe_dump(links))
    return [str(simple), str(many)], str(password_file)


def run_playbook(playbook, inventory_dirs, password_file, workdir, check, extra_vars):
    cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')]
    for inventory in inventory_dirs:
        cmd += ['-i', inventory]
    cmd += [os.path.join(REPO_ROOT, 'playbooks', playbook), '--diff', '-vvv', '-e', json.dumps(extra_vars)]
    if check:
        cmd.append('--check')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_NOCOLOR='1',
               ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default', ANSIBLE_LOG_PATH=os.path.join(workdir, 'ansible.log'),
               ANSIBLE_RETRY_FILES_ENABLED='0', ANSIBLE_VAULT_PASSWORD_FILE=password_file,
               ANSIBLE_LOCAL_TEMP=os.path.join(workdir, 'ansible-tmp'), ANSIBLE_KEEP_REMOTE_FILES='0')
    proc = subprocess.run(cmd, env=env, cwd=workdir, capture_output=True, text=True, timeout=900, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_no_secret_in_any_output_or_file_of_any_playbook_at_vvv_with_a_failing_link(sim, tmp_path):
    inventory_dirs, password_file = inventories(sim, tmp_path)
    workdir = tmp_path / 'work'  # the runs' working directory: the reports and every other file they write land here
    workdir.mkdir()
    assert {'remote_clusters.yml', 'audit.yml', 'certificate.yml', 'api_key.yml'} <= set(PLAYBOOKS)
    extra_vars = {'remote_clusters_wait_timeout': 15, 'remote_clusters_plan_wait_timeout': 120,
                  'audit_report_dir': str(workdir / 'audit-report')}
    reports_of = {'remote_clusters.yml': {'remote_clusters_report_dir': str(workdir / 'rollout-report')},
                  # what the playbooks of fleets and of Event-Driven Ansible take
                  'fleet_shard.yml': {'remote_clusters_shard': 'shard_1'},
                  'rotate_link.yml': {'rotate_links': [BROKEN_LINK, 'data-b-to-search-a']},
                  'diagnose_link.yml': {'diagnose_links': [BROKEN_LINK, 'search-a-to-data-b']},
                  'notify_link_fault.yml': {'remote_link': {'kind': 'disconnected', 'name': BROKEN_LINK, 'detail': 'not connected'}}}

    outputs, failed_runs = [], []
    for check in (True, False):
        for playbook in PLAYBOOKS:
            rc, output = run_playbook(playbook, inventory_dirs, password_file, str(workdir), check,
                                      dict(extra_vars, **reports_of.get(playbook, {})))
            outputs.append(output)
            if rc != 0:
                failed_runs.append((playbook, check))
    # the broken link fails where it is applied for real; the other links of the rollout connect
    assert ('remote_clusters.yml', False) in failed_runs and ('api_key.yml', False) in failed_runs, failed_runs
    assert sim.diagnose('ece-b', 'data-b', 'ece_a_search')['connected'] is True

    secrets, kinds = known_secrets(sim)
    assert {'ece api key', 'es password', 'keystore value', 'encoded cross-cluster key'} <= kinds, kinds
    text = '\n'.join(outputs)
    assert len(text) > 20000  # -vvv output, not an empty capture
    assert 'Invalid username or password' in text or 'unable to authenticate' in text or '401' in text  # the failing link
    files = written_files(str(workdir))
    reports = [f for f in files if os.path.basename(os.path.dirname(f)) in ('audit-report', 'rollout-report')]
    for directory in ('audit-report', 'rollout-report'):  # both report directories, each with at least these three
        assert set(['remote_clusters.json', 'remote_clusters.md', 'remote_clusters.dot']) <= set(
            os.path.basename(f) for f in reports if os.path.basename(os.path.dirname(f)) == directory), files
    leaks = []
    for secret in secrets:
        if secret in text:
            leaks.append('output: ...%s...' % context(text, secret))
        for path in files:
            with open(path, 'rb') as handle:
                content = handle.read().decode('utf-8', 'replace')
            if secret in content:
                leaks.append('%s: ...%s...' % (os.path.relpath(path, str(workdir)), context(content, secret)))
    assert leaks == [], 'secrets found (%d):\n%s' % (len(leaks), '\n'.join(sorted(set(leaks))))

    # the reports describe trust and endpoints of production: private to their owner
    for path in reports:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, (path, oct(os.stat(path).st_mode))
        assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700, path
