# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The migration of a link from the TLS-certificate model to the API-key model: the switch of the alias, with its outage
measured (predicted in check mode), and ECE's remote-clusters list. Plain functions over a running link. Private to
this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_credentials as credentials
from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import RemoteCluster
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import view_version
from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import RemoteClusters
from ansible_collections.ece.remote_clusters.plugins.module_utils._link_decisions import remote_hosts
from ansible_collections.ece.remote_clusters.plugins.module_utils._proof import credentials_loading
from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import attempts

# ECE writes the settings of a change of its remote-clusters list a moment after it answered: polled often
ALIAS_GONE_POLL_SECONDS = 0.25


def check_roles(link):
    """After a migration: the local users need roles with ``remote_indices`` for the alias (the certificate model
    authorized their requests on the remote cluster); warn when no local role has one."""
    alias = link.params['alias']
    roles = link.local_es().roles()
    if not any(alias in (entry.get('clusters') or []) or '*' in (entry.get('clusters') or [])
               for role in roles.values() for entry in role.get('remote_indices') or []):
        link.warn('%s: no local role grants remote_indices for the alias; under the API-key model the users who search '
                  'or replicate through it need one (the option role writes one)' % alias)


def switch(link, cluster, loading, before):
    """A migration from the certificate model, in one breath: from the moment a node loads the credentials until the
    alias points at the API-key port, that node's requests fail ("requires channel profile to be [_remote_cluster],
    but got [default]"), so the alias moves right after the load, and the outage is measured (predicted in check
    mode) in ``outage`` and ``outage_seconds``. An alias that ECE manages leaves ECE's list first (ECE applies that
    list a moment after it answers: the alias is written only once ECE's settings are gone). With
    ``migrate_alias: remove_first`` the alias is removed before the credentials load, as Elastic's migration guide
    does. Everything that needs a plan came before."""
    params, local = link.params, link.local
    alias = params['alias']
    path, why = credentials_loading(view_version(local.view), params['reload_min_version'])
    started = time.monotonic()
    managed = False
    if link.result['same_environment']:
        listed, = link.steps(('ece_remote_clusters', 'alias %s in the ECE remote-clusters list of the local deployment' % alias,
                              local.ece_step(RemoteClusters, deployment_id=local.deployment_id, ref_id=local.view['ref_id'],
                                             remote_clusters=[{'alias': alias}], state='absent')))
        managed = listed.changed
        if managed:
            await_alias_gone(link)
    link.result['outage'] = ('cross-cluster requests through %s fail from %s until the alias moves to port %d: %s' % (
        alias, 'its removal from the ECE remote-clusters list' if managed else
        'the reload of the credentials' if path == 'reload' else 'the restart that loads the credentials',
        params['api_key_port'], 'seconds (%s)' % why if path == 'reload' else 'the whole rolling restart (%s)' % why))
    if params['migrate_alias'] == 'remove_first':
        link.steps(('alias_removed', 'remote cluster %s removed before the credentials load' % alias,
                    local.es_step(RemoteCluster, alias=alias, state='absent')))
    if loading:
        credentials.load_credentials(link, cluster, proof='answer', before=before)
    link.result['remote_info'] = cluster.remote_info(alias)
    link.configure_remote_cluster(cluster)
    if link.check_mode:
        return
    if loading and 'restart' not in link.result and path == 'reload':
        proven, failures = credentials.reload_with_evidence(link, cluster, proof='probe', before=None)
        if not proven:
            link.fail('the alias %s moved to port %d, but cross-cluster requests through every node do not succeed: %s'
                      % (alias, params['api_key_port'], '; '.join(failures)), step='remote_cluster')
    else:
        credentials.check_loaded(link, cluster)
    link.result['outage_seconds'] = round(time.monotonic() - started, 1)


def await_alias_gone(link):
    """ECE answers a change of its remote-clusters list with 202 and writes the settings a moment later: wait until the
    alias's settings are gone, so that the alias the link writes next is not removed after it."""
    if link.check_mode:
        return
    alias, client, timeout = link.params['alias'], link.local_es(), link.params['plan_wait_timeout']
    for dummy in attempts(client, 'ECE to remove alias %s from the local settings' % alias, timeout, ALIAS_GONE_POLL_SECONDS):
        if alias not in remote_hosts(client.cluster_settings(fresh=True)):
            return
    link.fail('ECE did not remove the alias %s from the settings of the local cluster within %ds after it was taken out of '
              'the ECE remote-clusters list' % (alias, timeout), step='ece_remote_clusters')
