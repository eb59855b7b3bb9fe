# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugin of remote_cluster_link: its progress lines, their interval, and the module's environment."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import threading
import time

import pytest

from ansible_collections.ece.remote_clusters.plugins.action.remote_cluster_link import ActionModule
from ansible_collections.ece.remote_clusters.plugins.action.remote_clusters_rollout import ActionModule as RolloutActionModule
from ansible_collections.ece.remote_clusters.plugins.plugin_utils import _progress_lines as action
from ansible_collections.ece.remote_clusters.plugins.module_utils._progress import PROGRESS_FILE, report


@pytest.mark.parametrize('seconds, text', [(0, '0s'), (45.9, '45s'), (60, '1m'), (70, '1m10s'), (1800, '30m'),
                                           (7500, '2h05m')])
def test_duration(seconds, text):
    assert action.duration(seconds) == text


@pytest.mark.parametrize('value, interval', [(None, 15.0), ('', 15.0), ('1', 1.0), ('0.5', 0.5), ('0', None),
                                             ('-1', None), ('soon', 15.0)])
def test_interval(value, interval):
    assert action.progress_interval({} if value is None else {action.PROGRESS_INTERVAL: value}) == interval


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / 'progress'
    path.write_text('')
    monkeypatch.setenv(PROGRESS_FILE, str(path))
    return str(path)


def test_lines_show_every_wait_in_progress_with_its_time_and_limit(progress_file):
    report('the plan of deployment d2 (main-elasticsearch)', time.monotonic() + 1790, 1800, 5.0)  # 10 s so far

    def other():  # a step in another thread waits for the plan of the other deployment at the same time
        report('the plan of deployment d1 (main-elasticsearch), attempt a7', time.monotonic() + 1730, 1800, 5.0)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    report('the plan of deployment d2 (main-elasticsearch), attempt b3', time.monotonic() + 1780, 1800, 5.0)
    progress = action.Progress('remote_cluster_link ece_b_data', 15.0, progress_file)
    now = time.time() + 0.5
    assert progress.lines(now) == [
        'remote_cluster_link ece_b_data: waiting for the plan of deployment d1 (main-elasticsearch), attempt a7, 1m10s of at most 30m',
        'remote_cluster_link ece_b_data: waiting for the plan of deployment d2 (main-elasticsearch), attempt b3, 20s of at most 30m']
    # a wait whose next poll did not come is over
    assert progress.lines(now + 5 + action.GRACE + 1) == []


def test_a_line_written_in_part_is_read_once_complete(progress_file):
    progress = action.Progress('remote_cluster_link x', 15.0, progress_file)
    with open(progress_file, 'a') as handle:
        handle.write('{"thread": 1, "what": "the connection of remote cluster x", "since": %f, ' % time.time())
    assert progress.lines(time.time()) == []
    with open(progress_file, 'a') as handle:
        handle.write('"limit": 60, "until": %f}\nnot json\n' % (time.time() + 1))
    assert progress.lines(time.time()) == ['remote_cluster_link x: waiting for the connection of remote cluster x, 0s of at most 1m']


def test_the_thread_prints_waits_at_the_interval_and_the_time_when_nothing_is_awaited(progress_file, monkeypatch):
    shown = []
    monkeypatch.setattr(action.display, 'display', lambda msg, **kwargs: shown.append(msg))
    elsewhere = action.Progress('remote_cluster_link x', 0.2)  # the module runs elsewhere: no file
    elsewhere.start()
    time.sleep(1.1)
    elsewhere.stop()
    assert 2 <= len(shown) <= 3 and all(s.startswith('remote_cluster_link x: still running after ') for s in shown), shown
    del shown[:]
    waiting = action.Progress('remote_cluster_link x', 0.2, progress_file)
    waiting.start()
    for dummy in range(6):
        report('the connection of remote cluster x', time.monotonic() + 60, 60, 0.2)
        time.sleep(0.2)
    waiting.stop()
    assert 4 <= len(shown) <= 7 and all(s.startswith('remote_cluster_link x: waiting for the connection of remote cluster x, ')
                                        for s in shown), shown
    assert not waiting.is_alive()


def test_the_module_environment_names_the_progress_file_of_the_run():
    class Shell:
        @staticmethod
        def env_prefix(**kwargs):
            return ' '.join('%s=%s' % item for item in sorted(kwargs.items()))

    class Task:
        environment = [{'HTTPS_PROXY': 'http://proxy:3128'}]

    class Templar:
        @staticmethod
        def template(value):
            return value

    plugin = ActionModule.__new__(ActionModule)
    plugin._task, plugin._templar = Task(), Templar()
    plugin._connection = type('Connection', (), {'_shell': Shell()})()
    assert plugin._compute_environment_string() == 'HTTPS_PROXY=http://proxy:3128'
    plugin._progress_file = '/tmp/progress'
    raw = {}
    assert plugin._compute_environment_string(raw) == 'ECE_REMOTE_CLUSTERS_PROGRESS_FILE=/tmp/progress HTTPS_PROXY=http://proxy:3128'
    assert raw == {'HTTPS_PROXY': 'http://proxy:3128', PROGRESS_FILE: '/tmp/progress'}


def test_the_limit_is_shown_to_the_second(progress_file):
    """A step that gets the rest of the link's time (a restart after the settings) shows 30m, not 29m59s."""
    report('the plan of deployment d1 (main-elasticsearch)', time.monotonic() + 1799.6, 1799.6, 1.0)
    assert action.Progress('remote_cluster_link x', 15.0, progress_file).lines(time.time()) == [
        'remote_cluster_link x: waiting for the plan of deployment d1 (main-elasticsearch), 0s of at most 30m']


class _Task:
    def __init__(self, no_log=False, async_val=0):
        self.no_log, self.async_val = no_log, async_val
        self.args = {'alias': 'ece_b_data', 'local': {'es': {'es_password': 'a-secret-password'}}}
        self.environment = None


def _plugin(task, transport='local'):
    plugin = ActionModule.__new__(ActionModule)
    plugin._task = task
    plugin._connection = type('Connection', (), {'transport': transport})()
    return plugin


@pytest.mark.parametrize('transport, no_log, async_val, has_file', [
    ('local', False, 0, True), ('ssh', False, 0, False), ('local', True, 0, False), ('local', False, 60, False)])
def test_run_passes_through_with_a_file_of_the_run_only_where_the_module_runs_on_the_controller(
        monkeypatch, transport, no_log, async_val, has_file):
    seen = {}

    def normal_run(self, tmp=None, task_vars=None):
        seen['file'] = self._progress_file
        if self._progress_file:
            seen['mode'] = os.stat(self._progress_file).st_mode & 0o777
        return {'changed': True, 'diff': [{'before': {}, 'after': {}}], 'task_vars': task_vars}

    monkeypatch.setattr(action.NormalActionModule, 'run', normal_run)
    monkeypatch.delenv(action.PROGRESS_INTERVAL, raising=False)
    result = _plugin(_Task(no_log, async_val), transport).run(task_vars={'inventory_hostname': 'localhost'})
    assert result == {'changed': True, 'diff': [{'before': {}, 'after': {}}], 'task_vars': {'inventory_hostname': 'localhost'}}
    assert bool(seen['file']) is has_file
    if has_file:
        assert seen['mode'] == 0o600
        assert not os.path.exists(seen['file'])  # removed after the run


def test_the_label_names_the_alias_and_a_host_other_than_localhost_and_no_alias_under_no_log():
    assert _plugin(_Task())._progress_label({'inventory_hostname': 'localhost'}) == 'remote_cluster_link ece_b_data'
    assert _plugin(_Task())._progress_label({'inventory_hostname': 'ece-a'}) == 'remote_cluster_link ece_b_data (host ece-a)'
    assert _plugin(_Task(no_log=True))._progress_label({'inventory_hostname': 'localhost'}) == 'remote_cluster_link'


def test_the_rollout_label_counts_the_links_and_names_a_host_other_than_localhost():
    plugin = RolloutActionModule.__new__(RolloutActionModule)
    plugin._task = _Task()
    plugin._task.args = {'links': [{'name': 'a'}, {'name': 'b'}]}
    assert plugin._progress_label({'inventory_hostname': 'localhost'}) == 'remote_clusters_rollout (2 links)'
    assert plugin._progress_label({'inventory_hostname': 'ece-a'}) == 'remote_clusters_rollout (2 links) (host ece-a)'
