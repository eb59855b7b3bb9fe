# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An interrupt stops the writes: a module process that retries a write (the simulator answers 503 with Retry-After)
gets SIGINT, SIGTERM or SIGHUP, or loses the process that started it. It sends no request after that, ends promptly,
and fails saying it was interrupted and which request it did not send. The simulator's request log is the witness."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time

import pytest

REF_ID = 'main-elasticsearch'
LIST_PATH = r'/elasticsearch/main-elasticsearch/remote-clusters$'
SIGNALS = ('SIGINT', 'SIGTERM', 'SIGHUP')


def collections_path():
    for location in importlib.util.find_spec('ansible_collections').submodule_search_locations:
        if os.path.isdir(os.path.join(location, 'ece', 'remote_clusters')):
            return os.path.dirname(location)
    raise RuntimeError('ansible_collections.ece.remote_clusters is not importable')


def module_command(tmp_path, args):
    """The command that runs ece_remote_clusters as Ansible runs a module: a process of its own, options in a file."""
    args_file = tmp_path / 'args.json'
    args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    return [sys.executable, '-m', 'ansible_collections.ece.remote_clusters.plugins.modules.ece_remote_clusters', str(args_file)]


def module_env():
    return dict(os.environ, PYTHONPATH=collections_path())


def default_signals():
    """In the child: the signals of the test runner's process (which may ignore some) back to their defaults."""
    for name in SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)


def list_requests(sim):
    return [r for r in sim.requests() if r['path'].endswith('/remote-clusters')]


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def gone(pid):
    """The process ended (or is a zombie that nobody reaped yet)."""
    try:
        with open('/proc/%d/status' % pid) as handle:
            return any(line.startswith('State:') and 'Z' in line.split()[1] for line in handle)
    except (IOError, OSError):
        return True


@pytest.fixture
def retrying_write(sim, conn):
    """Options that add an alias to search-a's list, whose every PUT is answered 503 with Retry-After: 3."""
    search_a = conn.deployment('ece-a', 'search-a')['id']
    logs_a = conn.deployment('ece-a', 'logs-a')['id']
    sim.fault(match={'server': '^ece:ece-a$', 'method': 'PUT', 'path': LIST_PATH}, status=503,
              headers={'Retry-After': '3'}, count=-1)
    sim.clear_log()
    return conn.ece('ece-a', deployment_id=search_a, ref_id=REF_ID, retries=5,
                    remote_clusters=[{'alias': 'logs_a', 'deployment_id': logs_a}])


def first_put_answered(sim):
    return [r for r in list_requests(sim) if r['method'] == 'PUT' and r['status'] == 503]


@pytest.mark.parametrize('name', SIGNALS)
def test_a_signal_stops_the_retries_at_once_and_the_module_says_what_it_did_not_send(sim, retrying_write, tmp_path, name):
    proc = subprocess.Popen(module_command(tmp_path, retrying_write), env=module_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=default_signals)  # pylint: disable=subprocess-popen-preexec-fn
    try:
        assert wait_for(lambda: first_put_answered(sim), 30), list_requests(sim)
        time.sleep(0.3)  # the module is in its 3 s pause before the retry
        sent = time.monotonic()
        proc.send_signal(getattr(signal, name))
        stdout, stderr = proc.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    time.sleep(3.5)  # past the moment the retry would have been sent

    assert took < 1.5, took
    assert len([r for r in list_requests(sim) if r['method'] == 'PUT']) == 1  # no request after the signal
    result = json.loads(stdout.decode() or '{}')
    assert result.get('failed') is True, (stdout, stderr)
    assert 'interrupted: it received %s' % name in result['msg']
    assert 'retry 1 of set remote clusters of deployment' in result['msg'] and 'was not sent' in result['msg']


INTERMEDIATE = r'''
import shlex, subprocess, sys
output, via_shell, command = sys.argv[1], sys.argv[2] == 'shell', sys.argv[3:]
if via_shell:  # as Ansible starts a module: through "/bin/sh -c", a shell that outlives the process that started it
    command = ['/bin/sh', '-c', ' '.join(shlex.quote(part) for part in command) + ' && true']
child = subprocess.Popen(command, stdout=open(output, 'wb'), stderr=subprocess.STDOUT)
print(child.pid, flush=True)
child.wait()
'''


def module_pid_under(pid):
    """The module process: ``pid`` itself, or the child of the shell ``pid``."""
    if open('/proc/%d/comm' % pid).read().strip() != 'sh':
        return pid
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for entry in os.listdir('/proc'):
            if entry.isdigit():
                try:
                    with open('/proc/%s/stat' % entry) as handle:
                        fields = handle.read().rsplit(')', 1)[1].split()
                except (IOError, OSError):
                    continue
                if int(fields[1]) == pid:
                    return int(entry)
        time.sleep(0.02)
    raise AssertionError('no module process under the shell %d' % pid)


@pytest.mark.parametrize('via_shell', [False, True], ids=['parent', 'parent-of-the-shell'])
def test_a_module_whose_parent_process_died_sends_no_further_retry(sim, retrying_write, tmp_path, via_shell):
    """ansible-playbook gone (here: the process that started the module, killed with SIGKILL, so that it tells nobody),
    also when a shell sits in between and outlives it, as Ansible's "/bin/sh -c": the retry loop does not outlive it."""
    output = tmp_path / 'module-output.json'
    parent = subprocess.Popen([sys.executable, '-c', INTERMEDIATE, str(output), 'shell' if via_shell else 'direct']
                              + module_command(tmp_path, retrying_write),
                              env=module_env(), stdout=subprocess.PIPE, preexec_fn=default_signals)  # pylint: disable=subprocess-popen-preexec-fn
    module_pid = module_pid_under(int(parent.stdout.readline()))
    try:
        assert wait_for(lambda: first_put_answered(sim), 30), list_requests(sim)
        time.sleep(0.3)
        parent.kill()
        parent.wait()
        killed = time.monotonic()
        assert wait_for(lambda: gone(module_pid), 10)
        took = time.monotonic() - killed
        time.sleep(3.5)  # past the moment the retry would have been sent
    finally:
        if not gone(module_pid):
            os.kill(module_pid, signal.SIGKILL)

    assert took < 1.5, took
    assert len([r for r in list_requests(sim) if r['method'] == 'PUT']) == 1
    result = json.loads(output.read_text() or '{}')
    assert result.get('failed') is True, output.read_text()
    assert 'interrupted: the process that started it (pid %d) ended' % parent.pid in result['msg']
    assert 'retry 1 of set remote clusters of deployment' in result['msg']


def test_a_module_of_a_killed_ansible_playbook_sends_no_further_retry(sim, retrying_write, tmp_path):
    """ansible-playbook killed with SIGKILL while its module waits to retry a write: Ansible's worker process and the
    shell that started the module live on, but the module sends nothing more."""
    playbook = tmp_path / 'playbook.yml'
    playbook.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False,
                                     'tasks': [{'ece.remote_clusters.ece_remote_clusters': retrying_write}]}]))
    inventory = tmp_path / 'hosts'
    inventory.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_LOCAL_TEMP=str(tmp_path / 'local-tmp'),
               ANSIBLE_REMOTE_TEMP=str(tmp_path / 'remote-tmp'))
    proc = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', str(inventory), str(playbook)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=default_signals)  # pylint: disable=subprocess-popen-preexec-fn
    try:
        assert wait_for(lambda: first_put_answered(sim), 60), list_requests(sim)
        time.sleep(0.3)  # the module is in its 3 s pause before the retry
    finally:
        proc.kill()
        proc.wait()
    time.sleep(4)  # past the moment the retry would have been sent

    assert len([r for r in list_requests(sim) if r['method'] == 'PUT']) == 1
