# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The waits: how a wait polls (:func:`attempts`, which every wait of this collection uses), and the waits for ECE plans
(how a plan that a write started is found, polled and judged). Private to this collection.

Each function takes the client whose named calls it polls; the clients themselves never wait. A poll's pause goes
through ``client.sleep``, which an interruption ends and which tells the progress of a wait to the action plugins of
remote_cluster_link and remote_clusters_rollout.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError

# the pause between two attempts of a wait for Elasticsearch (a connection, credentials loaded, followers that follow or
# replicate, settings that ECE writes)
POLL_SECONDS = 1.0
# after a write, how long no plan may show before a wait takes it that none started: ECE shows a plan a moment after the
# write that started it, how long after is undocumented; ECE's Go SDK (cloud-sdk-go pkg/plan, TrackChange) polls every 2 to
# 10 s and concludes after 2 to 4 polls that showed nothing, so at least 4 s. Polled fast meanwhile: a plan that shows
# ends the window at once
QUIET_SECONDS = 4.0
# a plan is polled every POLL_INTERVAL for FAST_POLLS_SECONDS, then ever more gently (half as long again each poll, up to
# MAX_POLL_INTERVAL): a short plan is seen done at once, a long one is not polled a thousand times
POLL_INTERVAL = 0.25
FAST_POLLS_SECONDS = 3.0
MAX_POLL_INTERVAL = 5.0
# while the quiet window lasts, polled from QUIET_POLL_INTERVAL on, up to MAX_QUIET_POLL_INTERVAL
QUIET_POLL_INTERVAL = 0.25
MAX_QUIET_POLL_INTERVAL = 1.0


def plan_wait_options(timeout):
    """The options of a module that waits for the plan its write starts: ``wait`` (true by default) and ``wait_timeout``
    (seconds, ``timeout`` by default: in all, for a plan already pending and for the plan of the write), as
    ece_deployment_trust and ece_deployment_restart take them. The doc fragment ``plan_wait`` documents them; a module
    gives only the default of ``wait_timeout``."""
    return dict(wait=dict(type='bool', default=True), wait_timeout=dict(type='int', default=timeout))


def remaining(deadline):
    """The seconds left until ``deadline`` (``time.monotonic()``), never negative."""
    return max(0, deadline - time.monotonic())


def attempts(client, what, timeout, interval=POLL_SECONDS):
    """The attempts of a wait for ``what`` (in words, for the progress line): yields the seconds left before each one, and
    between two of them pauses ``interval`` seconds through ``client.sleep``, until ``timeout`` seconds have passed. The
    caller ends the loop once an attempt succeeds, and fails after it::

        for left in attempts(client, 'the followers of logs to replicate', timeout):
            if replicating():
                return
        fail(...)
    """
    deadline = time.monotonic() + timeout
    while True:
        yield remaining(deadline)
        if time.monotonic() >= deadline:
            return
        client.sleep(min(interval, remaining(deadline)), waiting=(what, deadline, timeout))


def wait_for_plan(client, deployment_id, ref_id, timeout, previous_attempt=None, after_write=False, ignore=()):
    """Wait until the Elasticsearch resource has no pending plan; fail with the plan's own error.

    ECE answers a write before the plan it starts shows as pending. After a write (``after_write``), the wait
    therefore ends only on a plan attempt newer than ``previous_attempt`` (the current one before the write), or
    after ``QUIET_SECONDS`` of polls that show no plan pending and no newer attempt, as ECE's own clients do
    (cloud-sdk-go's plan tracker): never on the first poll.

    ``ignore``: IDs of attempts that are not the one awaited although they may end after ``previous_attempt`` (a
    pending plan that the write cancelled).

    Returns a summary ``{attempt_id, status, duration_seconds}`` of the attempt that ran, or ``None`` when no new
    plan attempt appeared.
    """
    operation = 'wait for the plan of deployment %s (%s)' % (deployment_id, ref_id)
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    poll_interval = POLL_INTERVAL
    watched = None
    while True:
        plan_info = client.plan_info(deployment_id, ref_id, operation, logs=True)
        pending = plan_info.get('pending')
        attempt = None if pending else find_attempt(plan_info, watched, previous_attempt, ignore)
        quiet = attempt is None and after_write and watched is None and time.monotonic() - started < QUIET_SECONDS
        if pending or quiet:
            if pending:
                watched = pending.get('plan_attempt_id') or watched
            if time.monotonic() >= deadline:
                if not pending:
                    return None
                raise ApiError('%s: still pending after %.0fs (wait_timeout): plan attempt %s, started %s, step %s' % (
                    operation, timeout, watched, pending.get('attempt_start_time') or 'at an unknown time',
                    current_step(pending)), error={'plan_attempt_id': watched, 'pending': True})
            client.sleep(poll_interval, waiting=('the plan of deployment %s (%s)%s' % (deployment_id, ref_id, pending and ', attempt %s, step %s' % (
                watched, current_step(pending)) or ''), deadline, timeout))
            if time.monotonic() - started >= FAST_POLLS_SECONDS:
                poll_interval = min(MAX_POLL_INTERVAL, poll_interval * 1.5)
            continue
        if attempt is None:
            return None
        failure = plan_failure(attempt)
        if failure:
            raise ApiError('%s: plan attempt %s failed: %s' % (operation, attempt.get('plan_attempt_id'), failure),
                           error={'plan_attempt_id': attempt.get('plan_attempt_id'), 'message': failure})
        return {'attempt_id': attempt.get('plan_attempt_id'), 'status': 'success',
                'duration_seconds': round(time.monotonic() - started, 1)}


def plan_attempt_since(client, deployment_id, ref_id, previous_attempt, ignore=()):
    """The ID of a plan attempt of the Elasticsearch resource that started after ``previous_attempt``: the pending one,
    else a newer one that ended (a failed attempt never becomes current: the history tells), not one of ``ignore``;
    None when none shows within ``QUIET_SECONDS``."""
    started = time.monotonic()
    interval = QUIET_POLL_INTERVAL
    while True:  # a plan shows a moment after the write that started it
        plan_info = client.plan_info(deployment_id, ref_id, 'read the plans of deployment %s (%s)' % (deployment_id, ref_id))
        pending = plan_info.get('pending') or {}
        attempt = (pending if pending.get('plan_attempt_id') not in ignore else None) or \
            find_attempt(plan_info, None, previous_attempt, ignore) or {}
        if attempt.get('plan_attempt_id'):
            return attempt['plan_attempt_id']
        if time.monotonic() - started >= QUIET_SECONDS:
            return None
        client.sleep(interval)
        interval = min(MAX_QUIET_POLL_INTERVAL, interval * 1.5)


def await_pending_plan(client, deployment_id, resource, wait_timeout):
    """Nothing to change, but a plan still runs (perhaps the one of an earlier run that made this change): the settings
    are in force only once it ended well. Its summary, or None when no plan is pending."""
    if not ((resource.get('info') or {}).get('plan_info') or {}).get('pending'):
        return None
    client.warn('deployment %s: its settings are as wanted, waiting for its pending plan to finish' % deployment_id)
    return wait_for_plan(client, deployment_id, resource['ref_id'], wait_timeout)


def failed_attempts(client, deployment_id, ref_id, plan_info):
    """The IDs of the attempts that failed after the current one (``plan_info.healthy`` false): they are in the plan
    history only, newer than the current attempt, and none of them is a plan that a write started after this read.
    Read only when the resource's plans are not healthy."""
    if plan_info.get('healthy') is not False:
        return ()
    history = client.plan_info(deployment_id, ref_id, 'read the plan history of deployment %s (%s)'
                               % (deployment_id, ref_id)).get('history') or []
    return tuple(a.get('plan_attempt_id') for a in history if a.get('plan_attempt_id'))


def plan_failure(attempt):
    """The error message of a failed plan attempt, or None when it succeeded (ECE SDK rule)."""
    for step in reversed(attempt.get('plan_attempt_log') or []):
        if step.get('step_id') == 'plan-completed':
            if step.get('status') == 'error':
                logs = step.get('info_log') or []
                return (logs[-1].get('message') if logs else None) or (attempt.get('error') or {}).get('message') or 'plan failed'
            return None
    if attempt.get('error'):
        return attempt['error'].get('message') or 'plan failed'
    return None


def find_attempt(plan_info, watched, previous, ignore=()):
    """The plan attempt our change started: the one seen pending, else the newest one after ``previous`` that is not one
    of ``ignore``."""
    current = plan_info.get('current') or {}
    history = list(reversed(plan_info.get('history') or []))  # newest first
    if watched:
        for candidate in [current] + history:
            if candidate.get('plan_attempt_id') == watched:
                return candidate
        return None
    if current.get('plan_attempt_id') not in (None, previous) and current.get('plan_attempt_id') not in ignore:
        return current
    for candidate in history:  # a failed attempt never becomes current: look in the history
        attempt_id = candidate.get('plan_attempt_id')
        if attempt_id == previous:
            break
        if attempt_id and attempt_id not in ignore:
            return candidate
    return None


def current_step(pending):
    """The step a pending plan attempt is at, by its last log entry."""
    log = pending.get('plan_attempt_log') or []
    return log[-1].get('step_id') if log else 'unknown'
