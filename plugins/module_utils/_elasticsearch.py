# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Elasticsearch API client. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from urllib.parse import quote

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiClient, ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import version_tuple

# an index pattern that matches nothing, for a probe search before 8.13
PROBE_PATTERN = 'ece-remote-clusters-probe-none*'


class ElasticsearchClient(ApiClient):
    """Elasticsearch REST API: ``error.root_cause[0].type/reason`` error bodies, version detection."""

    api_name = 'Elasticsearch'

    def __init__(self, base_url, version=None, **kwargs):
        super(ElasticsearchClient, self).__init__(base_url, **kwargs)
        self._info = None
        self._version = version  # given by the caller (e.g. from ece_deployment_info): no GET / needed
        self.uses_api_key = 'Authorization' in self.session.headers and self.session.headers['Authorization'].startswith('ApiKey ')

    def parse_error(self, payload):
        if isinstance(payload, dict):
            error = payload.get('error')
            if isinstance(error, dict):
                causes = error.get('root_cause') or []
                cause = causes[0] if causes and isinstance(causes[0], dict) else error
                return cause.get('type'), cause.get('reason') or error.get('reason')
            if isinstance(error, str):  # e.g. "no handler found for uri [...]"
                return None, error
            return None, json.dumps(payload)[:300] if payload else None
        if isinstance(payload, str):
            return None, payload[:300]
        return None, None

    def get(self, path, operation, params=None, allow_status=(), reuse=False):
        return self.request('GET', path, operation, params=params, allow_status=allow_status, reuse=reuse)[1]

    def info(self):
        """``GET /``, read once per module run."""
        if self._info is None:
            self._info = self.get('/', 'read the Elasticsearch version')
        return self._info

    @property
    def version(self):
        return self._version or self.info()['version']['number']

    def version_at_least(self, minimum):
        return version_tuple(self.version) >= version_tuple(minimum)

    # -- cross-cluster API keys --------------------------------------------------------------------
    def active_api_keys(self):
        """``GET /_security/api_key?active_only=true``: every active API key the user may see."""
        payload = self.get('/_security/api_key', 'list the active API keys', params={'active_only': 'true'}, allow_status=(404,))
        return (payload or {}).get('api_keys') or []

    def api_keys_named(self, name):
        """``GET /_security/api_key?name=&active_only=true``: the active API keys of that name the user may see."""
        payload = self.get('/_security/api_key', 'look up the cross-cluster API keys named %s' % name,
                           params={'name': name, 'active_only': 'true'}, allow_status=(404,))
        return (payload or {}).get('api_keys') or []

    def create_cross_cluster_api_key(self, body):
        """``POST /_security/cross_cluster/api_key``; the answer holds the secret (``api_key``, ``encoded``) once."""
        return self.request('POST', '/_security/cross_cluster/api_key', 'create the cross-cluster API key %s' % body['name'],
                            body=body)[1]

    def update_cross_cluster_api_key(self, key_id, body):
        return self.request('PUT', '/_security/cross_cluster/api_key/%s' % key_id,
                            'update the cross-cluster API key %s' % key_id, body=body)[1]

    def invalidate_api_keys(self, ids, operation=None):
        """Invalidate API keys by ID; returns the IDs that are invalidated now (also those that were already)."""
        operation = operation or 'invalidate the API keys %s' % ', '.join(ids)
        response = self.request('DELETE', '/_security/api_key', operation, body={'ids': list(ids)})[1] or {}
        if response.get('error_count'):
            reasons = '; '.join(str((d or {}).get('reason') or d) for d in response.get('error_details') or [])
            raise ApiError('%s: %d error(s): %s' % (operation, response['error_count'], reasons or 'no details'))
        return list(response.get('invalidated_api_keys') or []) + list(response.get('previously_invalidated_api_keys') or [])

    # -- roles -------------------------------------------------------------------------------------
    def get_role(self, name):
        """``GET /_security/role/{name}``: the role, or None when it does not exist."""
        status, payload, dummy = self.request('GET', _role_path(name), 'read the role %s' % name, allow_status=(404,))
        return (payload or {}).get(name) if status == 200 else None

    def put_role(self, name, body):
        self.request('PUT', _role_path(name), 'write the role %s' % name, body=body)

    def roles(self):
        """``GET /_security/role``: every role, by name."""
        return self.get('/_security/role', 'read the roles') or {}

    def delete_role(self, name):
        self.request('DELETE', _role_path(name), 'delete the role %s' % name, allow_status=(404,))

    # -- remote clusters ---------------------------------------------------------------------------
    def cluster_settings(self, fresh=False):
        """``GET /_cluster/settings`` with flat keys: ``{persistent: {...}, transient: {...}}`` (``fresh``: read again, for
        a change that another party makes)."""
        return self.get('/_cluster/settings', 'read the cluster settings', params={'flat_settings': 'true'}, reuse=not fresh) or {}

    def update_cluster_settings(self, body, operation):
        """``PUT /_cluster/settings`` with ``{persistent: {...}, transient: {...}}``; a null value removes a setting."""
        return self.request('PUT', '/_cluster/settings', operation, body=body)[1]

    def remote_info(self):
        """``GET /_remote/info``: the current connection of every remote cluster; it never attempts a connection."""
        return self.get('/_remote/info', 'read the remote cluster connections') or {}

    def resolve_remote_cluster(self, alias, timeout, cluster_timeout=None):
        """``GET /_resolve/cluster/<alias>:*`` (from 8.13; ``cluster_timeout`` seconds as ``timeout=`` from 8.18): a
        cross-cluster request that reads no data, see :meth:`_probe`."""
        params = {'timeout': '%ds' % cluster_timeout} if cluster_timeout is not None else None
        return self._probe('/_resolve/cluster/%s:*' % alias, params, alias, timeout)

    def search_remote_cluster(self, alias, timeout):
        """``GET /<alias>:<pattern that matches nothing>/_search``: a search of the remote cluster that matches no index,
        see :meth:`_probe`."""
        return self._probe('/%s:%s/_search' % (alias, PROBE_PATTERN),
                           {'size': '0', 'allow_no_indices': 'true', 'ignore_unavailable': 'true'}, alias, timeout)

    def _probe(self, path, params, alias, timeout):
        """One cross-cluster request through whichever node answers: it makes that node attempt a connection when it has
        none, and authenticates with the credentials the node holds now. Sent once, within ``timeout`` seconds. ``(status,
        body)``, error statuses included; an unanswered request raises ApiError."""
        status, body, dummy = self.request('GET', path, 'a cross-cluster request to remote cluster %s' % alias, params=params,
                                           allow_status=tuple(range(400, 600)), timeout=timeout)
        return status, body

    def reload_secure_settings(self):
        """``POST /_nodes/reload_secure_settings``: every node reloads the keystore file it has now; the answer has a result
        per node (``reload_exception`` where it failed; from 9.3 the names and the digest of what it loaded)."""
        return self.request('POST', '/_nodes/reload_secure_settings', 'reload the secure settings of every node')[1] or {}

    def node_count(self):
        """The number of nodes of the cluster (``_cluster/health``), kept for the run."""
        health = self.get('/_cluster/health', 'read the cluster health', params={'filter_path': 'number_of_nodes'}, reuse=True)
        return int((health or {}).get('number_of_nodes') or 1)

    # -- cross-cluster replication (follower indices, auto-follow patterns) --------------------------------------------
    def license(self):
        """``GET /_license``: the licence of the cluster (``type``, ``status``)."""
        return (self.get('/_license', 'read the licence', reuse=True) or {}).get('license') or {}

    def node_roles(self):
        """``GET /_nodes``: ``{node ID: {roles: [...]}}``."""
        return (self.get('/_nodes', 'read the roles of the nodes', params={'filter_path': 'nodes.*.roles'}, reuse=True) or {}).get('nodes') or {}

    def follower_info(self, index):
        """``GET /<index>/_ccr/info``: the followers among ``index`` (a name, a pattern or ``_all``); none when it is missing."""
        status, payload, dummy = self.request('GET', '/%s/_ccr/info' % _index(index), 'read the follower info of %s' % index,
                                              allow_status=(404,))
        return (payload or {}).get('follower_indices') or [] if status == 200 else []

    def follower_stats(self, index):
        """``GET /<index>/_ccr/stats``: the shard stats of a follower whose tasks run; none when no task runs."""
        status, payload, dummy = self.request('GET', '/%s/_ccr/stats' % _index(index), 'read the follower stats of %s' % index,
                                              allow_status=(404,))
        return (payload or {}).get('indices') or [] if status == 200 else []

    def ccr_stats(self):
        """``GET /_ccr/stats``: ``auto_follow_stats`` and ``follow_stats`` of the cluster."""
        return self.get('/_ccr/stats', 'read the cross-cluster replication stats') or {}

    def index_exists(self, index):
        """``HEAD /<index>``."""
        return self.request('HEAD', '/%s' % _index(index), 'look up the index %s' % index, allow_status=(404,))[0] == 200

    def create_follower(self, index, body):
        """``PUT /<index>/_ccr/follow``: answers before the shard follow tasks run."""
        return self.request('PUT', '/%s/_ccr/follow' % _index(index), 'create the follower index %s' % index, body=body)[1] or {}

    def pause_follower(self, index):
        self.request('POST', '/%s/_ccr/pause_follow' % _index(index), 'pause the follower index %s' % index)

    def resume_follower(self, index, body):
        self.request('POST', '/%s/_ccr/resume_follow' % _index(index), 'resume the follower index %s' % index, body=body)

    def unfollow(self, index):
        self.request('POST', '/%s/_ccr/unfollow' % _index(index), 'turn the follower index %s into a regular index' % index)

    def close_index(self, index):
        self.request('POST', '/%s/_close' % _index(index), 'close the index %s' % index)

    def open_index(self, index):
        self.request('POST', '/%s/_open' % _index(index), 'open the index %s' % index)

    def delete_index(self, index):
        self.request('DELETE', '/%s' % _index(index), 'delete the index %s' % index, allow_status=(404,))

    def auto_follow_patterns(self, name=None):
        """``GET /_ccr/auto_follow[/<name>]``: ``{name: pattern}``; a missing pattern is absent."""
        path = '/_ccr/auto_follow' + ('/%s' % _index(name) if name else '')
        status, payload, dummy = self.request('GET', path, 'read the auto-follow pattern%s' % (' ' + name if name else 's'),
                                              allow_status=(404,))
        patterns = (payload or {}).get('patterns') or [] if status == 200 else []
        return dict((entry['name'], entry['pattern']) for entry in patterns)

    def put_auto_follow_pattern(self, name, body):
        self.request('PUT', '/_ccr/auto_follow/%s' % _index(name), 'write the auto-follow pattern %s' % name, body=body)

    def delete_auto_follow_pattern(self, name):
        self.request('DELETE', '/_ccr/auto_follow/%s' % _index(name), 'delete the auto-follow pattern %s' % name, allow_status=(404,))

    def pause_auto_follow_pattern(self, name):
        self.request('POST', '/_ccr/auto_follow/%s/pause' % _index(name), 'pause the auto-follow pattern %s' % name)

    def resume_auto_follow_pattern(self, name):
        self.request('POST', '/_ccr/auto_follow/%s/resume' % _index(name), 'resume the auto-follow pattern %s' % name)


def _role_path(name):
    return '/_security/role/%s' % quote(name, safe='')


def _index(name):
    return quote(name, safe=',*')
