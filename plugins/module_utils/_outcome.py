# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The outcome of a link of a rollout in words: its status and what it changed. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The steps of a link that change something, and what each one manages ({local} and {remote} are the two deployments,
# {local_environment} and {remote_environment} their environments), in the order of the link's steps.
TRACKED = {
    'certificate': (
        ('ece_remote_clusters', 'alias {alias} in the ECE remote-clusters list of {local}'),
        ('local_relationship', 'trust relationship for environment {remote_environment} in environment {local_environment}'),
        ('remote_relationship', 'trust relationship for environment {local_environment} in environment {remote_environment}'),
        ('local_trust', 'deployment trust of {local}'),
        ('remote_trust', 'deployment trust of {remote}'),
        ('remote_cluster', 'remote cluster {alias} on {local}'),
    ),
    'api_key': (
        ('ece_remote_clusters', 'alias {alias} in the ECE remote-clusters list of {local}'),
        ('api_key', 'cross-cluster API key on {remote}'),
        ('keystore', 'credentials of {alias} in the keystore of {local}'),
        ('proxy_trust', 'trust of the proxy CA of environment {remote_environment} in {local}'),
        ('restart', 'restart of {local} to load the credentials'),
        ('remote_cluster', 'remote cluster {alias} on {local}'),
        ('role', 'role with remote_indices on {local}'),
        # a migration from the TLS-certificate model that removes the trust of that model
        ('local_trust', 'deployment trust of {local}'),
        ('remote_trust', 'deployment trust of {remote}'),
    ),
}
STATUSES = ('connected', 'not_connected', 'removed', 'failed_before_checking', 'failed')


def side_name(side):
    """``environment/deployment``: the deployment by its name when known, else by its ID."""
    return '%s/%s' % (side.get('environment') or '?', side.get('deployment_name') or side.get('deployment_id') or '?')


def status(params, result):
    """One of STATUSES: a link that failed before both deployments were read failed before checking anything."""
    if result.get('failed'):
        read = all((result.get(key) or {}).get('cluster_id') for key in ('local', 'remote'))
        return 'failed' if read else 'failed_before_checking'
    if params['state'] == 'absent':
        return 'removed'
    return 'connected' if (result.get('remote_info') or {}).get('connected') else 'not_connected'


def changes(params, result):
    """What the link changed (or would change, in check mode), in words, each with its step's diff and message."""
    names = {'local': side_name(result['local']), 'remote': side_name(result['remote']), 'alias': params['alias'],
             'local_environment': result['local'].get('environment') or 'local',
             'remote_environment': result['remote'].get('environment') or 'remote'}
    found = []
    for step, what in TRACKED[params['model']]:
        done = result.get(step)
        if isinstance(done, dict) and done.get('changed'):
            found.append({'step': step, 'what': what.format(**names), 'diff': done.get('diff'), 'note': done.get('msg')})
    # the followers and auto-follow patterns of the link's replication, each a step of its own
    for done in result.get('ccr_changes') or []:
        found.append({'step': done['step'], 'what': '%s on %s' % (done['what'], names['local']), 'diff': done.get('diff'),
                      'note': None})
    return found


def key_expiring(params, result):
    """Whether the link's cross-cluster API key expires within its ``rotate_before_days``."""
    days = (result.get('api_key') or {}).get('expires_in_days')
    return bool(params.get('rotate_before_days')) and days is not None and days <= params['rotate_before_days']


def describe(params, result):
    """The fields a rollout adds to a link's result: its ``status``, its ``changes`` and, for an API key, whether it
    expires soon."""
    fields = {'status': status(params, result), 'changes': changes(params, result)}
    if params['model'] == 'api_key':
        fields['key_expiring'] = key_expiring(params, result)
    return fields
