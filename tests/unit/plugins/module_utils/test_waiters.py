# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one way a wait polls (_waiters.attempts): attempts until one succeeds or the time is up, pauses between them
through the client (interruptible, shown as progress), never past the deadline. No server, no request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import attempts


class Client:
    """A client whose pauses are recorded (and really taken: the deadline is the machine's clock)."""

    def __init__(self):
        self.pauses = []

    def sleep(self, seconds, waiting=None):
        self.pauses.append((seconds, waiting))
        time.sleep(seconds)


def test_a_wait_that_succeeds_at_the_third_attempt_pauses_twice_and_says_what_it_awaits():
    client, tries = Client(), []
    for left in attempts(client, 'the followers of logs to replicate', 5, interval=0.01):
        tries.append(left)
        if len(tries) == 3:
            break
    assert len(tries) == 3 and all(0 < left <= 5 for left in tries) and tries == sorted(tries, reverse=True)
    assert [seconds for seconds, dummy in client.pauses] == [0.01, 0.01]
    what, deadline, limit = client.pauses[0][1]
    assert (what, limit) == ('the followers of logs to replicate', 5) and deadline > time.monotonic()


def test_without_time_there_is_one_attempt_and_no_pause():
    client = Client()
    assert list(attempts(client, 'anything', 0)) == [0] and client.pauses == []


def test_a_wait_ends_at_its_deadline_and_never_pauses_past_it():
    client = Client()
    started = time.monotonic()
    tries = list(attempts(client, 'a connection', 0.2, interval=0.15))
    assert 2 <= len(tries) <= 3 and 0.2 <= time.monotonic() - started < 1.0
    assert client.pauses[0][0] == 0.15 and all(seconds <= 0.15 for seconds, dummy in client.pauses[1:])
    # each pause only as long as the time that was left: together never longer than the wait
    assert sum(seconds for seconds, dummy in client.pauses) <= 0.2
