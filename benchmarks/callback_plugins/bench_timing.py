# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark helper (benchmarks/run_benchmarks.py), not part of the collection: appends one JSON line per task
result (start, end, action, status, loop items, attempts, changed) to the file named by $BENCH_TIMING_FILE."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: bench_timing
type: aggregate
short_description: task timings for benchmarks/run_benchmarks.py
description: Writes one JSON line per task result to $BENCH_TIMING_FILE.
options: {}
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timing'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._path = os.environ.get('BENCH_TIMING_FILE')
        self._start = {}

    def _write(self, record):
        if self._path:
            with open(self._path, 'a') as handle:
                handle.write(json.dumps(record) + '\n')

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start[task._uuid] = time.time()

    def v2_playbook_on_handler_task_start(self, task):
        self._start[task._uuid] = time.time()

    def _done(self, result, status):
        task = result._task
        res = result._result or {}
        items = res.get('results') if isinstance(res.get('results'), list) else None
        self._write({
            'task': task.get_name(), 'action': task.action, 'status': status,
            'start': self._start.get(task._uuid), 'end': time.time(),
            'changed': bool(res.get('changed')),
            'items': len(items) if items is not None else None,
            'items_run': len([i for i in items if not i.get('skipped')]) if items is not None else None,
            'attempts': res.get('attempts'),
            'host': result._host.get_name(),
        })

    def v2_runner_on_ok(self, result):
        self._done(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._done(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._done(result, 'unreachable')
