# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The progress lines of the action plugins of remote_cluster_link and remote_clusters_rollout (controller side only):
the module runs exactly as without them, and while it runs a person sees, at default verbosity, what it waits for (a
plan, a restart's plan, the connection, the credentials) and for how long.

Where the module runs on the controller (connection ``local``, e.g. ``delegate_to: localhost``), it appends what it
awaits to a file that only this run may read (owner-only, removed afterwards), named in the module's environment; a
thread of this plugin prints the awaited things every ``ECE_REMOTE_CLUSTERS_PROGRESS_INTERVAL`` seconds (15 by default,
0 turns progress off). Elsewhere, and when nothing is awaited, it prints how long the link has been running, every two
intervals. The module's arguments, result, check mode and diff are untouched; a task with ``no_log`` shows only the
time. The lines name deployments, plan attempts and aliases, never a credential.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile
import threading
import time

from ansible.plugins.action.normal import ActionModule as NormalActionModule
from ansible.utils.display import Display

from ansible_collections.ece.remote_clusters.plugins.module_utils._progress import PROGRESS_FILE

display = Display()

PROGRESS_INTERVAL = 'ECE_REMOTE_CLUSTERS_PROGRESS_INTERVAL'
DEFAULT_INTERVAL = 15.0
# a wait whose next poll is this many seconds overdue is over (or its poll is slow): it is no longer shown as awaited
GRACE = 15.0
# the longest text of a wait that is shown
MAX_TEXT = 300


def progress_interval(environ=None):
    """Seconds between two progress lines (``ECE_REMOTE_CLUSTERS_PROGRESS_INTERVAL`` on the controller), None: off."""
    value = (environ if environ is not None else os.environ).get(PROGRESS_INTERVAL, '').strip()
    if not value:
        return DEFAULT_INTERVAL
    try:
        interval = float(value)
    except ValueError:
        display.warning('%s=%r is not a number of seconds: progress every %ds' % (PROGRESS_INTERVAL, value, DEFAULT_INTERVAL))
        return DEFAULT_INTERVAL
    return interval if interval > 0 else None


def duration(seconds):
    """``45s``, ``1m10s``, ``30m``, ``2h05m``."""
    seconds = int(max(0, seconds))
    if seconds < 60:
        return '%ds' % seconds
    if seconds < 3600:
        return '%dm%02ds' % divmod(seconds, 60) if seconds % 60 else '%dm' % (seconds // 60)
    return '%dh%02dm' % divmod(seconds // 60, 60)


class Progress(threading.Thread):
    """Prints what the module awaits (read from ``path``, when given) or how long it has been running."""

    def __init__(self, label, interval, path=None):
        super(Progress, self).__init__(name='%s progress' % label.split(' ')[0])
        self.daemon = True
        self.label = label
        self.interval = interval
        self.path = path
        self.started = time.time()
        self.done = threading.Event()
        self.waits = {}  # the latest poll of each waiting thread of the module
        self._offset = 0
        self._partial = b''

    def stop(self):
        self.done.set()
        if self.is_alive():
            self.join(5)

    def run(self):
        last = self.started
        tick = min(1.0, self.interval / 2.0)
        while not self.done.wait(tick):
            try:
                now = time.time()
                lines = self.lines(now)
                if lines and now - last >= self.interval:
                    for line in lines:
                        display.display(line)
                    last = now
                elif not lines and now - last >= 2 * self.interval:
                    display.display('%s: still running after %s' % (self.label, duration(now - self.started)))
                    last = now
            except Exception:  # progress never fails the task
                continue

    def lines(self, now):
        """One line per wait in progress: what, how long so far, the limit."""
        self.read()
        waits = sorted((w for w in self.waits.values() if now <= w['until'] + GRACE), key=lambda w: w['since'])
        return ['%s: waiting for %s, %s of at most %s' % (self.label, w['what'], duration(now - w['since']), duration(round(w['limit'])))
                for w in waits]

    def read(self):
        """The polls the module appended since the last read."""
        if not self.path:
            return
        with open(self.path, 'rb') as handle:
            handle.seek(self._offset)
            data = handle.read()
        self._offset += len(data)
        data = self._partial + data
        complete, dummy, self._partial = data.rpartition(b'\n')
        for raw in complete.split(b'\n') if complete else ():
            try:
                poll = json.loads(raw.decode('utf-8'))
                self.waits[poll['thread']] = {'what': str(poll['what'])[:MAX_TEXT], 'since': float(poll['since']),
                                              'limit': float(poll['limit']), 'until': float(poll['until'])}
            except (ValueError, KeyError, TypeError):
                continue


class ProgressActionModule(NormalActionModule):
    """The module as usual (the ``normal`` action), with progress lines while it runs; an action plugin names its module
    in :meth:`_progress_name`."""

    _progress_file = None

    def run(self, tmp=None, task_vars=None):
        interval = progress_interval()
        if interval is None or self._task.async_val:
            return super(ProgressActionModule, self).run(tmp, task_vars)
        path = None
        if self._connection.transport == 'local' and not self._task.no_log:
            handle, path = tempfile.mkstemp(prefix='ece-remote-clusters-progress-', suffix='.jsonl')  # owner-only
            os.close(handle)
        progress = Progress(self._progress_label(task_vars or {}), interval, path)
        self._progress_file = path
        progress.start()
        try:
            return super(ProgressActionModule, self).run(tmp, task_vars)
        finally:
            progress.stop()
            self._progress_file = None
            if path:
                try:
                    os.remove(path)
                except OSError:
                    pass

    def _progress_name(self):  # pragma: no cover - every action plugin names its module
        """The module and what it works on, as each progress line begins."""
        raise NotImplementedError

    def _progress_label(self, task_vars):
        label = self._progress_name()
        host = task_vars.get('inventory_hostname')
        if host and host != 'localhost':
            label += ' (host %s)' % host
        return label

    def _compute_environment_string(self, raw_environment_out=None):
        """The task's environment, plus the progress file of this run for the module."""
        if not self._progress_file:
            return super(ProgressActionModule, self)._compute_environment_string(raw_environment_out)
        environment = {}
        super(ProgressActionModule, self)._compute_environment_string(environment)
        environment[PROGRESS_FILE] = self._progress_file
        if isinstance(raw_environment_out, dict):
            raw_environment_out.clear()
            raw_environment_out.update(environment)
        return self._connection._shell.env_prefix(**environment)
