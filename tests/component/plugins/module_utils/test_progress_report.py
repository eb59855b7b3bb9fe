# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module side of the progress of remote_cluster_link: every poll of a wait tells what it awaits, since when and
until when at most, in the file the action plugin names; nothing without that file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._ece import EceClient
from ansible_collections.ece.remote_clusters.plugins.module_utils._progress import PROGRESS_FILE, report
from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import wait_for_plan


def _polls(path):
    with open(str(path)) as handle:
        return [json.loads(line) for line in handle]


def _plan(pending=None, current=None):
    return {'info': {'plan_info': {'pending': pending, 'current': current or {}, 'history': []}}}


def test_a_plan_wait_tells_each_poll(server, make_client, fake_sleep, tmp_path, monkeypatch):
    progress = tmp_path / 'progress'
    progress.write_text('')
    monkeypatch.setenv(PROGRESS_FILE, str(progress))
    done = {'plan_attempt_id': 'a2', 'plan_attempt_log': [{'step_id': 'plan-completed', 'status': 'success'}]}
    steps = [{'step_id': 'plan-validation', 'status': 'success'}, {'step_id': 'rolling-restart-instances', 'status': 'pending'}]
    pending = dict(status=200, body=_plan(pending={'plan_attempt_id': 'a2', 'plan_attempt_log': steps}, current={'plan_attempt_id': 'a1'}))
    server.reply(pending, pending, dict(status=200, body=_plan(current=done)))
    before = time.time()
    wait_for_plan(make_client(EceClient, sleep=fake_sleep), 'd1', 'main-elasticsearch', 600, previous_attempt='a1')
    polls = _polls(progress)
    assert len(polls) == len(fake_sleep.delays) == 2
    assert [p['what'] for p in polls] == ['the plan of deployment d1 (main-elasticsearch), attempt a2, step rolling-restart-instances'] * 2
    assert [p['limit'] for p in polls] == [600, 600]
    assert before - 1 <= polls[0]['since'] <= polls[1]['since'] + 0.01 <= time.time() + 1
    assert polls[0]['until'] >= polls[0]['since'] + 0.25  # the next poll is due after the pause
    assert len(set(p['thread'] for p in polls)) == 1


def test_nothing_is_written_without_the_variable_and_no_file_is_created(tmp_path, monkeypatch):
    monkeypatch.delenv(PROGRESS_FILE, raising=False)
    report('the connection of remote cluster x', time.monotonic() + 60, 60, 1.0)  # no error, nowhere
    missing = tmp_path / 'gone'
    monkeypatch.setenv(PROGRESS_FILE, str(missing))
    report('the connection of remote cluster x', time.monotonic() + 60, 60, 1.0)
    assert not os.path.exists(str(missing))  # a module never creates the file: only the action plugin's is written


def test_a_wait_names_a_deployment_by_its_name_once_it_was_read(tmp_path, monkeypatch):
    from ansible_collections.ece.remote_clusters.plugins.module_utils._progress import name_deployment
    progress = tmp_path / 'progress'
    progress.write_text('')
    monkeypatch.setenv(PROGRESS_FILE, str(progress))
    known, unknown = 'a' * 32, 'b' * 32
    name_deployment(known, 'search-a')
    report('the plan of deployment %s (main-elasticsearch)' % known, time.monotonic() + 60, 60, 1.0)
    report('the nodes of deployment %s to load the credentials of x' % unknown, time.monotonic() + 60, 60, 1.0)
    assert [p['what'] for p in _polls(progress)] == [
        'the plan of deployment search-a (%s) (main-elasticsearch)' % known,
        'the nodes of deployment %s to load the credentials of x' % unknown]
