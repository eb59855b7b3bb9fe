# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a module waits for, told to the action plugins of remote_cluster_link and remote_clusters_rollout while the module
runs (plugins/plugin_utils/_progress_lines.py prints it).

Private to this collection: the API may change without notice.

Where the module runs on the controller, the action plugin creates a file (owner-only) and names it in the module's
environment (``PROGRESS_FILE``). Every poll of a wait (a plan, a connection, credentials) appends one JSON line to it:
what is awaited (IDs and names, never a credential), since when, the limit and when the next poll is due. The action
plugin prints the awaited things at default verbosity while the module runs. Without that variable (the module runs
elsewhere, or another module) nothing is written; a file that cannot be written is ignored: progress never fails a
module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import threading
import time

PROGRESS_FILE = 'ECE_REMOTE_CLUSTERS_PROGRESS_FILE'

_LOCK = threading.Lock()
# the names of the deployments this process read, by ID: a wait names a deployment by its name where it is known
_NAMES = {}
_DEPLOYMENT_ID = re.compile(r'\bdeployment ([0-9a-f]{32})\b')


def name_deployment(deployment_id, name):
    """Remember the name of a deployment (read from the ECE API) for the lines of its waits."""
    if deployment_id and name:
        _NAMES[deployment_id] = name


def named(what):
    """``what`` with each deployment whose name is known named by it, its ID kept in parentheses."""
    return _DEPLOYMENT_ID.sub(lambda match: 'deployment %s (%s)' % (_NAMES[match.group(1)], match.group(1))
                              if match.group(1) in _NAMES else match.group(0), what)


def report(what, deadline, limit, pause):
    """One poll of a wait: ``what`` is awaited until ``deadline`` (``time.monotonic()``), at most ``limit`` seconds in
    all; the next poll comes after ``pause`` seconds. Several threads may wait at once: each has its own line."""
    path = os.environ.get(PROGRESS_FILE)
    if not path:
        return
    now, elapsed = time.time(), max(0.0, limit - (deadline - time.monotonic()))
    line = json.dumps({'thread': threading.current_thread().ident, 'what': named(what), 'since': round(now - elapsed, 3),
                       'limit': limit, 'until': round(now + pause, 3)}) + '\n'
    try:
        with _LOCK:
            # never creates a file: only the one the action plugin created for this run is written
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            try:
                os.write(fd, line.encode('utf-8'))
            finally:
                os.close(fd)
    except (OSError, ValueError):
        pass
