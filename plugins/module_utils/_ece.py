# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ECE API client: one named method per call of the ECE API, and nothing else. Private to this collection.

What a module decides over these calls lives in its manager (e.g. the trust read-modify-write in ``_trust.py``), the
waits for plans in ``_waiters.py`` and the shapes returned from what was read in ``_views.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiClient, ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._progress import name_deployment

API_PREFIX = '/api/v1'
TRUST_RELATIONSHIPS = '/configuration/trust-relationships'
DEPLOYMENT_QUERY = dict(show_settings=True, show_metadata=True, show_plans=True, clear_transient=True)
# a deployment read for its trust only: no metadata (large, and it can carry credentials), no plans
TRUST_QUERY = dict(show_settings=True, show_metadata=False, show_plans=False)
# the order of a paged deployment search: a static, unique field
DEPLOYMENT_SORT = [{'id': {'order': 'asc'}}]


class EceClient(ApiClient):
    """ECE API: ``/api/v1`` paths, ``errors[].code/message`` error bodies, region-prefixed platform paths."""

    api_name = 'ECE API'

    def __init__(self, base_url, region='ece-region', **kwargs):
        super(EceClient, self).__init__(base_url, **kwargs)
        self.region = region or ''

    def parse_error(self, payload):
        if isinstance(payload, dict) and isinstance(payload.get('errors'), list) and payload['errors']:
            codes = [str(e.get('code', '')) for e in payload['errors'] if isinstance(e, dict)]
            messages = [str(e.get('message', '')) for e in payload['errors'] if isinstance(e, dict)]
            return ', '.join(c for c in codes if c), '; '.join(m for m in messages if m)
        if isinstance(payload, str):
            return None, payload[:300]
        return None, None

    # -- paths ---------------------------------------------------------------------------------
    def platform_path(self, path):
        """``/platform/...`` lives under ``/regions/{region}`` unless the region is empty (older ECE docs)."""
        if self.region:
            return '%s/regions/%s/platform%s' % (API_PREFIX, self.region, path)
        return '%s/platform%s' % (API_PREFIX, path)

    @staticmethod
    def deployment_path(deployment_id, suffix=''):
        return '%s/deployments/%s%s' % (API_PREFIX, deployment_id, suffix)

    def get(self, path, operation, params=None, allow_status=(), reuse=False):
        return self.request('GET', path, operation, params=params, allow_status=allow_status, reuse=reuse)[1]

    # -- platform --------------------------------------------------------------------------------
    def platform_version(self):
        """The ECE version (``GET /platform``, ``PlatformInfo.version``), e.g. ``3.7.2``."""
        info = self.get('%s/platform' % API_PREFIX, 'read the ECE platform version', reuse=True) or {}
        return info.get('version')

    # -- trust relationships ---------------------------------------------------------------------
    def list_trust_relationships(self, include_certificate=True):
        body = self.get(self.platform_path(TRUST_RELATIONSHIPS), 'list trust relationships',
                        params={'include_certificate': query_flag(include_certificate)}, reuse=True)
        return body.get('trust_relationships', [])

    def create_trust_relationship(self, body):
        return self.request('POST', self.platform_path(TRUST_RELATIONSHIPS), 'create trust relationship %s' % body.get('name'),
                            body=body, expected=(201,))[1]

    def update_trust_relationship(self, relationship_id, body, name):
        return self.request('PUT', self.platform_path('%s/%s' % (TRUST_RELATIONSHIPS, relationship_id)),
                            'update trust relationship %s' % name, body=body)[1]

    def trust_relationship(self, relationship_id):
        """``(relationship, version)``: one relationship with its ``x-cloud-resource-version``, the version a DELETE checks;
        ``(None, None)`` when it is gone."""
        status, body, headers = self.request('GET', self.platform_path('%s/%s' % (TRUST_RELATIONSHIPS, relationship_id)),
                                             'get trust relationship %s' % relationship_id, allow_status=(404,),
                                             params={'include_certificate': 'false'})
        if status == 404:
            return None, None
        return body, headers.get('x-cloud-resource-version')

    def delete_trust_relationship(self, relationship_id, name, version=None):
        """Delete a relationship; one already gone (a retried DELETE whose first answer was lost) is deleted, too. With
        ``version`` (of :meth:`trust_relationship`), ECE refuses with 409 when the relationship changed since."""
        self.request('DELETE', self.platform_path('%s/%s' % (TRUST_RELATIONSHIPS, relationship_id)),
                     'delete trust relationship %s (%s)' % (name, relationship_id), allow_status=(404,),
                     params={'version': version} if version is not None else None)

    def tls_certificate_chain(self, service):
        """``GET /platform/configuration/security/tls/{service}``: ``{chain, user_supplied, chain_status}``."""
        return self.get(self.platform_path('/configuration/security/tls/%s' % service),
                        'get TLS certificate chain of %s' % service, reuse=True) or {}

    # -- deployments -----------------------------------------------------------------------------
    def keystore(self, deployment_id, ref_id):
        """The secure settings of an Elasticsearch resource's keystore (names and ``as_file``, never values)."""
        return (self.get(self._keystore_path(deployment_id, ref_id), 'get keystore of deployment %s (%s)' % (deployment_id, ref_id),
                         reuse=True) or {}).get('secrets') or {}

    def update_keystore(self, deployment_id, ref_id, secrets):
        """``PATCH .../keystore``: ``secrets`` maps setting names to ``{value, as_file}``, or to ``{}`` to remove one."""
        self.request('PATCH', self._keystore_path(deployment_id, ref_id), 'set keystore of deployment %s (%s)' % (deployment_id, ref_id),
                     body={'secrets': secrets})

    def remote_clusters(self, deployment_id, ref_id):
        """The ECE remote-clusters list of an Elasticsearch resource (``resources``: alias, deployment_id, ...)."""
        return (self.get(self._remote_clusters_path(deployment_id, ref_id), 'get remote clusters of deployment %s (%s)'
                         % (deployment_id, ref_id)) or {}).get('resources') or []

    def set_remote_clusters(self, deployment_id, ref_id, resources):
        """``PUT .../remote-clusters``: the whole list is replaced (the API has no version check)."""
        self.request('PUT', self._remote_clusters_path(deployment_id, ref_id), 'set remote clusters of deployment %s (%s)'
                     % (deployment_id, ref_id), body={'resources': resources}, expected=(202,))

    def _remote_clusters_path(self, deployment_id, ref_id):
        return self.deployment_path(deployment_id, '/elasticsearch/%s/remote-clusters' % ref_id)

    def _keystore_path(self, deployment_id, ref_id):
        return self.deployment_path(deployment_id, '/elasticsearch/%s/keystore' % ref_id)

    def restart_elasticsearch(self, deployment_id, ref_id, params, operation):
        """``POST .../elasticsearch/{ref_id}/_restart``: starts a restart plan (not idempotent: see ``write_once``)."""
        self.request('POST', self.deployment_path(deployment_id, '/elasticsearch/%s/_restart' % ref_id), operation,
                     params=params, expected=(202,))

    def get_deployment(self, deployment_id, reuse=True, **params):
        """GET a deployment; returns ``(deployment, resource_version)``.

        Without ``params``, with everything the modules use (settings, metadata, plans without their
        transient part), so that one read serves every step of a link (see ``keep_reads``).
        """
        query = dict((k, query_flag(v)) for k, v in (params or DEPLOYMENT_QUERY).items())
        status, body, headers = self.request('GET', self.deployment_path(deployment_id), 'get deployment %s' % deployment_id,
                                             params=query, reuse=reuse)
        name_deployment(deployment_id, (body or {}).get('name'))
        return body, headers.get('x-cloud-resource-version')

    def search_deployments(self, query, page_size):
        """Every deployment that ``query`` matches, following the cursor: ``(deployments, match_count)``.

        The search is a read (``POST`` with ``write=False``). It is sorted by deployment ID: ECE's default order (rank,
        then last modified) moves a deployment modified between two pages, which a cursor then skips (ECE API spec,
        ``DeploymentsSearchResponse.cursor``: sort on a static and unique field). A deployment that appears on two pages
        is returned once.
        """
        body = {'query': query, 'size': page_size, 'sort': DEPLOYMENT_SORT}
        found, cursors, match_count = [], set(), None
        while True:
            page = self.request('POST', '%s/deployments/_search' % API_PREFIX, 'search deployments', body=body, write=False)[1]
            if not isinstance(page, dict) or not isinstance(page.get('deployments'), list):
                raise ApiError('search deployments: the answer is not a DeploymentsSearchResponse (no deployments list); '
                               'is ece_url the ECE API?')
            found.extend(page['deployments'])
            match_count = page.get('match_count', match_count)
            more = not isinstance(match_count, int) or match_count > len(found)
            cursor = page.get('cursor')
            if not page['deployments'] or not more or not cursor or cursor in cursors:
                break
            cursors.add(cursor)
            body = {'cursor': cursor}
        unique = {}
        for deployment in found:
            unique.setdefault(deployment.get('id'), deployment)
        return list(unique.values()), match_count

    def put_deployment(self, deployment_id, version, payload):
        """``PUT /deployments/{id}``: update a deployment with ``payload`` (a ``DeploymentUpdateRequest``); with ``version``
        (the ``x-cloud-resource-version`` of :meth:`get_deployment`), ECE refuses with 409 when the deployment changed since."""
        return self.request('PUT', self.deployment_path(deployment_id), 'update deployment %s' % deployment_id,
                            params={'version': version} if version is not None else None, body=payload)[1]

    def plan_info(self, deployment_id, ref_id, operation, logs=False):
        """``GET .../elasticsearch/{ref_id}`` with the plans and their history (and logs): its ``info.plan_info``; never
        kept for reuse, since a plan changes while it runs."""
        params = {'show_plans': 'true', 'show_plan_history': 'true'}
        if logs:
            params['show_plan_logs'] = 'true'
        info = self.get(self.deployment_path(deployment_id, '/elasticsearch/%s' % ref_id), operation, params=params) or {}
        return (info.get('info') or {}).get('plan_info') or {}


def query_flag(value):
    """A boolean as the ECE API takes it in a query string; other values as they are."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return value
