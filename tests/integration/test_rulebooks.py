# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rulebooks of extensions/eda/rulebooks: valid for ansible-rulebook (its schema and its parser, in the venv that
scripts/test_eda prepares), throttled per link, and acting through what the collection ships; and the playbooks they
run (diagnose_link.yml, notify_link_fault.yml) against the simulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import http.server
import importlib.util
import json
import os
import subprocess
import threading

import pytest
import yaml

from test_remote_clusters import FAST, many, secrets_of, writes  # noqa: F401  pylint: disable=unused-import

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULEBOOKS = sorted(glob.glob(os.path.join(REPO_ROOT, 'extensions', 'eda', 'rulebooks', '*.yml')))
SOURCE = 'ece.remote_clusters.link_health'
KINDS = ('key_expiring', 'key_invalid', 'disconnected', 'credentials_not_loaded', 'unreachable', 'recovered',
         'follower_fatal', 'auto_follow_errors')


def collections_path():
    """The directory that holds ansible_collections/ece/remote_clusters (tests/conftest.py sets it up)."""
    for location in importlib.util.find_spec('ansible_collections').submodule_search_locations:
        if os.path.isdir(os.path.join(location, 'ece', 'remote_clusters')):
            return os.path.dirname(location)
    raise RuntimeError('ansible_collections.ece.remote_clusters is not importable')


def eda_env(venv):
    """ansible-rulebook finds collections with ansible-galaxy (of its venv) in the collections path."""
    return dict(os.environ, PATH=os.path.join(venv, 'bin') + os.pathsep + os.environ['PATH'], ANSIBLE_COLLECTIONS_PATH=collections_path())


def eda_venv():
    """The venv with ansible-rulebook (scripts/test_eda); a test that needs it fails in CI when it is missing."""
    venv = os.environ.get('ECE_EDA_VENV') or os.path.join(REPO_ROOT, '.cache', 'venv-eda')
    if not os.path.exists(os.path.join(venv, 'bin', 'ansible-rulebook')):
        pytest.skip('ansible-rulebook is not installed: run scripts/test_eda (it needs a Java runtime)')
    return venv


def load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def source_options():
    path = os.path.join(REPO_ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'link_health.py')
    spec = importlib.util.spec_from_file_location('link_health', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(yaml.safe_load(module.DOCUMENTATION)['options']), module.KINDS


def test_the_rulebooks_are_the_three_tasks_for_the_controller_and_for_the_command_line():
    names = [os.path.basename(path)[:-4] for path in RULEBOOKS]
    assert names == ['diagnose_disconnected_links', 'diagnose_disconnected_links_cli', 'notify_replication_faults',
                     'notify_replication_faults_cli', 'rotate_expiring_keys', 'rotate_expiring_keys_cli']


@pytest.mark.parametrize('path', RULEBOOKS, ids=[os.path.basename(p) for p in RULEBOOKS])
def test_every_rule_is_throttled_per_link_and_acts_through_what_the_collection_ships(path):
    options, kinds = source_options()
    assert tuple(kinds) == KINDS
    cli = path.endswith('_cli.yml')
    for ruleset in load(path):
        (source,) = ruleset['sources']
        assert set(source[SOURCE]) <= options, set(source[SOURCE]) - options
        assert {'environments', 'links'} <= set(source[SOURCE])
        for rule in ruleset['rules']:
            mentioned = [kind for kind in KINDS if '"%s"' % kind in rule['condition']]
            assert mentioned, rule['condition']
            throttle = rule['throttle']
            assert set(throttle) == {'once_within', 'group_by_attributes'}
            assert 'event.remote_link.name' in throttle['group_by_attributes']
            (kind, args), = rule['action'].items()
            if cli:
                assert kind == 'run_playbook'
                playbook = args['name'].split('.')[-1]
                assert args['name'] == 'ece.remote_clusters.' + playbook
                assert os.path.exists(os.path.join(REPO_ROOT, 'playbooks', playbook + '.yml'))
                extra_vars = args['extra_vars']
            else:
                assert kind == 'run_job_template' and args['name'].startswith('ECE remote clusters - ')
                extra_vars = args['job_args']['extra_vars']
            # the variables the playbooks take
            assert set(extra_vars) <= {'rotate_links', 'diagnose_links', 'remote_link'}
            assert not [name for name in list(extra_vars) + list(source[SOURCE]) if name.upper().startswith(('ANSIBLE_', 'EDA_'))]


def test_the_rulebooks_are_valid_for_ansible_rulebook():
    venv = eda_venv()
    check = (
        'import json, sys, yaml\n'
        'from ansible_rulebook.validators import Validate\n'
        'from ansible_rulebook import rules_parser\n'
        'found = {}\n'
        'for path in sys.argv[1:]:\n'
        '    data = yaml.safe_load(open(path))\n'
        '    Validate.rulebook(data)\n'
        '    rulesets = rules_parser.parse_rule_sets(data, {})\n'
        '    found[path] = [[a.action for r in s.rules for a in r.actions] for s in rulesets]\n'
        'print(json.dumps(found))\n')
    proc = subprocess.run([os.path.join(venv, 'bin', 'python'), '-c', check] + RULEBOOKS, capture_output=True, text=True, timeout=120,
                          env=eda_env(venv), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    actions = json.loads(proc.stdout.splitlines()[-1])
    for path in RULEBOOKS:
        expected = 'run_playbook' if path.endswith('_cli.yml') else 'run_job_template'
        assert set(a for ruleset in actions[path] for a in ruleset) == {expected}


def test_the_schema_check_refuses_a_throttle_without_grouping():
    venv = eda_venv()
    bad = [{'name': 'x', 'hosts': 'all', 'sources': [{SOURCE: {}}],
            'rules': [{'name': 'r', 'condition': 'event.i == 1', 'throttle': {'once_within': '1 hour'}, 'action': {'debug': None}}]}]
    check = 'import json, sys\nfrom ansible_rulebook.validators import Validate\nValidate.rulebook(json.loads(sys.argv[1]))\n'
    proc = subprocess.run([os.path.join(venv, 'bin', 'python'), '-c', check, json.dumps(bad)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode != 0 and 'ValidationError' in proc.stderr


def test_the_diagnosis_playbook_names_what_is_broken_and_changes_nothing(sim, many, ansible_playbook):
    inventory, env = many
    run = ansible_playbook('diagnose_link.yml', inventory=inventory, env=env,
                           extra_vars=dict(FAST, diagnose_links=['old-b-to-data-b']))
    assert writes(sim.requests()) == []
    assert run.rc == 0, run.output[-3000:]
    # the link was never made: the diagnosis names what is missing and what to do
    assert 'old-b-to-data-b: The remote cluster data_b is not configured on the local cluster ece-b/old-b' in run.output
    assert '1 link: 0 ok, 1 changed, 0 failed; 0 connected' in run.output
    assert [s for s in secrets_of(sim) if s in run.output] == []


class Hook(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802  pylint: disable=invalid-name
        self.received.append(json.loads(self.rfile.read(int(self.headers['Content-Length']))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


def test_the_notification_playbook_posts_the_finding_to_the_webhook(ansible_playbook, tmp_path):
    server = http.server.HTTPServer(('127.0.0.1', 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    inventory = tmp_path / 'hosts.yml'
    inventory.write_text('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n'
                         '      ansible_python_interpreter: "{{ ansible_playbook_python }}"\n')
    finding = {'kind': 'unreachable', 'name': 'search-a-to-data-b', 'alias': 'ece_b_data', 'detail': 'environment ece-b: HTTP 503',
               'local': {'environment': 'ece-a'}, 'remote': {'environment': 'ece-b'}, 'side': 'remote'}
    try:
        run = ansible_playbook('notify_link_fault.yml', inventory=str(inventory),
                               extra_vars={'remote_link': finding, 'notify_url': 'http://127.0.0.1:%d/hook' % server.server_port})
    finally:
        server.shutdown()
    assert run.rc == 0, run.output[-3000:]
    assert 'unreachable: link search-a-to-data-b (ece-a -> ece-b): environment ece-b: HTTP 503' in run.output
    (posted,) = Hook.received
    assert posted['remote_link'] == finding
    assert posted['text'].startswith('ECE remote clusters: unreachable on link search-a-to-data-b')
