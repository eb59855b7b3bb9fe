# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Credentials of a link loaded with evidence: a reload of the secure settings that every node answers and the evidence
that the new keystore file is in use (see ``_proof.py``), or a restart. Plain functions over a running link. Private to
this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import connected_through_every_node
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import credentials_setting, view_version
from ansible_collections.ece.remote_clusters.plugins.module_utils._proof import (
    credentials_loading, evidence_version, file_evidence, refused_for_privileges, reload_failures, restart_needed)
from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import attempts, wait_for_plan


def check_loaded(link, cluster):
    """Nothing written this run: where requests through some node fail, and a node's ``_remote/info`` shows it built
    its connection without credentials (a run wrote them and was interrupted before they were loaded), load them
    (a reload, or a restart); where a node's requests fail to authenticate, reload (8.13 and later) in case it holds
    other credentials than the keystore's. Other failures are the wait's to name: no restart on a guess."""
    params = link.params
    connected, reason = link.proven_now(cluster)
    if connected:
        link.result['credentials'] = 'in use: cross-cluster requests through every node succeed'
        return
    infos = [cluster.remote_info(params['alias']) or {} for dummy in range(cluster.client.node_count())]
    missing = not all('cluster_credentials' in info for info in infos)
    if missing:  # a node built its connection without credentials: it has not loaded them
        load_credentials(link, cluster, proof='probe', before=None)
    elif 'unable to authenticate' in (reason or '') and not link.check_mode and \
            credentials_loading(view_version(link.local.view), params['reload_min_version'])[0] == 'reload':
        # a node may hold other credentials than the keystore's (a reload is cheap; what else fails, the wait says)
        if reload_with_evidence(link, cluster, proof='probe', before=None)[0]:
            link.result['credentials'] = 'reloaded on every node: requests through a node failed to authenticate'


def load_credentials(link, cluster, proof, before):
    """Make every node of the local cluster use the credentials of the keystore, with evidence: from 8.13 (option
    reload_min_version) a reload of the secure settings that every node answers without an exception, repeated until
    the new keystore file shows on every node (from 9.3 by its digest; before, by a cross-cluster request that
    succeeds through every node, or, where the old key would succeed too, a rotation, credentials_settle_seconds after
    the write); otherwise, a restart (below 8.13, a reload refused for want of manage_security, no evidence within
    credentials_wait_timeout). ``result.credentials`` says which happened and why."""
    params, local = link.params, link.local
    running = view_version(local.view)
    path, why = credentials_loading(running, params['reload_min_version'])
    if link.check_mode:
        if path == 'reload':
            link.result['credentials'] = ('would be reloaded on every node (%s), or loaded by a restart if the nodes '
                                          'refuse the reload or show no evidence of the new keystore file' % why)
            return
        link.steps(link.restart_step())
        link.result['credentials'] = 'would be loaded by a restart (%s)' % why
        return
    proven, failures = False, []
    if path == 'reload':
        proven, failures = reload_with_evidence(link, cluster, proof, before)
    needed, why = restart_needed(running, failures, proven, params['reload_min_version'])
    if not needed:
        link.result['credentials'] = 'reloaded on every node without a restart (%s)' % why
        return
    if local.view['pending_plan'] and proof != 'settle' and pending_plan_loaded(link, cluster):
        link.result['credentials'] = 'loaded by the plan that was pending on the local deployment (an earlier restart)'
        return
    link.steps(link.restart_step())
    link.result['credentials'] = 'loaded by a restart (%s)' % why


def reload_with_evidence(link, cluster, proof, before):
    """Reload the secure settings of every node until the evidence shows every node loaded the new keystore file, or
    credentials_wait_timeout. The evidence: from 9.3 the digest of every node's file; before, ``proof``: ``probe``,
    cross-cluster requests through every node succeed (only the new credentials can make them); ``settle``, where the
    old key would succeed too (a rotation), credentials_settle_seconds of reloads after the write; ``answer``, one
    answer of every node without an exception (a migration, whose requests work only once the alias moved).
    ``(proven, failures)``."""
    params, client = link.params, link.local_es()
    setting = credentials_setting(params['alias'])
    evidence = evidence_version(view_version(link.local.view)) and proof != 'probe'
    started = time.monotonic()
    settle = params['credentials_settle_seconds'] if proof == 'settle' and not evidence else 0
    failures = []
    for dummy in attempts(client, 'every node of deployment %s to load the credentials of %s' % (link.local.deployment_id, params['alias']),
                          settle + params['credentials_wait_timeout']):
        answer = client.reload_secure_settings()
        failures = reload_failures(answer)
        if failures and refused_for_privileges(failures):
            return False, failures
        if not failures:
            if evidence:
                proven, reason = file_evidence(answer, setting, before)
            elif proof == 'probe':
                proven, reason = connected_through_every_node(client, params['alias'])
            else:
                proven = time.monotonic() >= started + settle
                reason = 'before 9.3 no node says which keystore file it loaded: reloading until %ss after the write' % settle
            if proven:
                return True, []
            failures = [reason]
    return False, failures


def pending_plan_loaded(link, cluster):
    """A plan pending on the local deployment (the restart of an earlier run that timed out, say): wait for it, then
    look again, since it may have loaded the credentials: every node's connection built with them (``_remote/info``
    shows ``cluster_credentials``, which for credentials that were not there before is the evidence). No second
    restart for one change; a rotation, whose old credentials show the same, is not judged this way."""
    local = link.local
    try:
        client = local.client('ece', local.params['ece'])
        wait_for_plan(client, local.deployment_id, local.view['ref_id'], link.params['plan_wait_timeout'])
    except ApiError as exc:
        link.fail('wait for the plan pending on the local deployment %s: %s' % (local.deployment_id, exc.message),
                  step='restart', status=exc.status, error=exc.error)
    alias = link.params['alias']
    return all('cluster_credentials' in (cluster.remote_info(alias) or {}) for dummy in range(cluster.client.node_count()))
