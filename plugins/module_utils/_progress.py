# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a module waits for, told to the action plugin of remote_cluster_link while the module runs.

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
import threading
import time

PROGRESS_FILE = 'ECE_REMOTE_CLUSTERS_PROGRESS_FILE'

_LOCK = threading.Lock()


def report(what, deadline, limit, pause):
    """One poll of a wait: ``what`` is awaited until ``deadline`` (``time.monotonic()``), at most ``limit`` seconds in
    all; the next poll comes after ``pause`` seconds. Several threads may wait at once: each has its own line."""
    path = os.environ.get(PROGRESS_FILE)
    if not path:
        return
    now, elapsed = time.time(), max(0.0, limit - (deadline - time.monotonic()))
    line = json.dumps({'thread': threading.current_thread().ident, 'what': what, 'since': round(now - elapsed, 3),
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
