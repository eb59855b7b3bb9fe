# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure decisions of a link (remote_cluster_link): the options of its steps from its own options and what was read
of the deployments, and what the settings and reads of a cluster say. No request is made here. Private to this
collection. (Whether credentials load by a reload or a restart, and what proves it, is ``_proof.py``; the privileges
of replication are ``_replication.py``.)"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils._common import MANAGED_BY
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import PROXY_MODE_VERSION, version_tuple
from ansible_collections.ece.remote_clusters.plugins.module_utils._replication import (
    access_with_replication, follower_role, replicated_leaders)

# direct trust entries of type proxy exist from this ECE version on (ECE API reference, DirectTrustRelationship.type)
PROXY_TRUST_ECE_VERSION = '3.7.0'
# check mode: the ID a deployment trust names for a relationship that the real run creates
# (named after that environment: in a rollout, the trust of one deployment to two new environments stays two entries)
CHECK_MODE_RELATIONSHIP = 'to-be-created-trusting-%s'
DEFAULT_ACCESS = {'search': [{'names': ['*']}]}
REMOTE_INDICES_PRIVILEGES = ['read', 'read_cross_cluster', 'view_index_metadata']


def key_options(params, local_view):
    """The options of the cross-cluster API key of a link (es_cross_cluster_api_key): named after the alias and the local
    cluster, owned by them (metadata), with the access given, or search on everything and the replication the link
    sets up."""
    metadata = dict(params['metadata'] or {}, managed_by=MANAGED_BY, local_cluster_id=local_view['cluster_id'],
                    alias=params['alias'])
    # the replication the link sets up is granted by the key, unless access is given (then it must grant it)
    access = params['access'] or access_with_replication(DEFAULT_ACCESS, replicated_leaders(params['replication']))
    return dict(name=params['api_key_name'] or '%s-%s' % (params['alias'], local_view['cluster_id']),
                access=access, metadata=metadata, expiration=params['expiration'],
                rotate_before_days=params['rotate_before_days'], invalidate_previous=False)


def role_options(params):
    """The local role (es_role): as given, with ``remote_indices`` for the key's search access by default (API-key model),
    and what replicating through the alias needs (``manage_ccr``, the followers' privileges, and, under the API-key
    model, ``remote_indices`` with ``cross_cluster_replication`` on the leaders)."""
    role = dict((k, v) for k, v in params['role'].items() if v is not None)
    api_key = params['model'] == 'api_key'
    if api_key and 'remote_indices' not in role:
        names = [n for entry in (params['access'] or DEFAULT_ACCESS).get('search') or [] for n in entry['names']]
        role['remote_indices'] = [{'clusters': [params['alias']], 'names': names or ['*'],
                                   'privileges': REMOTE_INDICES_PRIVILEGES}]
    wanted = params['replication'] or {}
    if wanted.get('followers') or wanted.get('auto_follow'):
        followers = [f['name'] for f in wanted['followers']] + [
            (p['follow_index_pattern'] or '{{leader_index}}').replace('{{leader_index}}', '*') for p in wanted['auto_follow']]
        role = follower_role(role, params['alias'], replicated_leaders(wanted) if api_key else [], followers)
    return role


def remote_cluster_options(model, local_view, remote_view):
    """How the local cluster connects to the remote one: proxy mode on the port of the model, or, for the certificate
    model below Elasticsearch 7.6 (which has no proxy mode), legacy sniff mode through the transport passthrough."""
    connection = remote_view['remote_connection']
    if model == 'api_key':
        return dict(mode='proxy', **connection['api_key'])
    if version_tuple(local_view['version']) >= version_tuple(PROXY_MODE_VERSION):
        return dict(mode='proxy', **connection['certificate'])
    return dict(mode='sniff', **connection['legacy_sniff'])


def remote_hosts(settings):
    """The addresses each alias of a cluster's flat settings connects to: ``{alias: set((host, port))}`` (proxy address
    and seeds; the port is None where none is given)."""
    hosts = {}
    for scope in ('persistent', 'transient'):
        for key, value in (settings.get(scope) or {}).items():
            parts = key.split('.')
            if len(parts) < 4 or parts[0] not in ('cluster', 'search') or parts[1] != 'remote':
                continue
            alias, setting = '.'.join(parts[2:-1]), parts[-1]
            if setting in ('proxy_address', 'seeds') and value:
                for address in value if isinstance(value, list) else [value]:
                    host, dummy, port = str(address).rpartition(':')
                    hosts.setdefault(alias, set()).add((host, int(port)) if host and port.isdigit() else (str(address), None))
    return hosts


def named_account(view):
    """Whether the account of a deployment read is one that its trust names in an ``accounts`` entry. Only such an account
    tells an environment (one account each): an account taken from elsewhere (the metadata's organization) does not."""
    return bool(view['account_id']) and any(e.get('account_id') == view['account_id']
                                            for e in (view.get('trust') or {}).get('accounts') or [])


def domain(endpoint):
    """The environment part of a deployment endpoint: ``<cluster id>.<environment domain>``."""
    return (endpoint or '').split('.', 1)[-1]
