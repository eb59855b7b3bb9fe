# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ECE API client. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiClient, ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import pick_resource, version_tuple
from ansible_collections.ece.remote_clusters.plugins.module_utils._progress import name_deployment

API_PREFIX = '/api/v1'
TRUST_RELATIONSHIPS = '/configuration/trust-relationships'
# after a write, how long no plan may show before a wait takes it that none started: ECE shows a plan a moment after the
# write that started it, how long after is undocumented; ECE's Go SDK (cloud-sdk-go pkg/plan, TrackChange) polls every 2 to
# 10 s and concludes after 2 to 4 polls that showed nothing, so at least 4 s. Polled fast meanwhile: a plan that shows
# ends the window at once
QUIET_SECONDS = 4.0
# a plan is polled every poll_interval for this many seconds, then ever more gently (up to max_interval)
FAST_POLLS_SECONDS = 3.0
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

    def plan_attempt_since(self, deployment_id, ref_id, previous_attempt, ignore=()):
        """The ID of a plan attempt of the Elasticsearch resource that started after ``previous_attempt``: the pending one,
        else a newer one that ended (a failed attempt never becomes current: the history tells), not one of ``ignore``;
        None when none shows within ``QUIET_SECONDS``."""
        started = time.monotonic()
        interval = 0.25
        while True:  # a plan shows a moment after the write that started it
            plan_info = self.plan_info(deployment_id, ref_id, 'read the plans of deployment %s (%s)' % (deployment_id, ref_id))
            pending = plan_info.get('pending') or {}
            attempt = (pending if pending.get('plan_attempt_id') not in ignore else None) or \
                _find_attempt(plan_info, None, previous_attempt, ignore) or {}
            if attempt.get('plan_attempt_id'):
                return attempt['plan_attempt_id']
            if time.monotonic() - started >= QUIET_SECONDS:
                return None
            self.sleep(interval)
            interval = min(1.0, interval * 1.5)

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

    @staticmethod
    def es_resource(deployment, ref_id=None):
        """The deployment's Elasticsearch resource ``ref_id``, or its first one when ``ref_id`` is not given."""
        resources = (deployment.get('resources') or {}).get('elasticsearch') or []
        if not resources:
            raise ApiError('deployment %s has no Elasticsearch resource' % deployment.get('id'))
        resource = pick_resource(resources, ref_id)
        if resource is not None:
            return resource
        raise ApiError('deployment %s has no Elasticsearch resource with ref_id %s; it has: %s' % (
            deployment.get('id'), ref_id, ', '.join(r.get('ref_id', '?') for r in resources)))

    def update_es_settings(self, deployment_id, ref_id, compute, wait=True, wait_timeout=600):
        """Read-modify-write of one Elasticsearch resource's ``settings`` through ``PUT /deployments/{id}``.

        ``compute(resource)`` returns the new ``settings`` object to send (only the keys to change,
        e.g. ``{'trust': {...}}``) or ``None`` when nothing needs to change. The payload is the
        pattern of ECE's own tooling: ``prune_orphans: false`` (true would shut down every resource
        not in the body, such as Kibana), the current plan without its ``transient`` part (sent back,
        a ``cluster_reboot`` would restart the cluster again) and ``?version=`` so a concurrent
        change is answered with 409: then the deployment is read again and ``compute`` re-applied
        on top of the concurrent change, once. ECE refuses an update while a plan is pending, so a
        pending plan is waited for first.

        Returns ``(resource_before, settings_sent_or_None, plan_summary_or_None)``.
        """
        waited_for_pending = conflict_retried = False
        sent = {}  # a write answered with 409: the resource read before it, its settings, the plan attempts before it
        for dummy in range(3):
            # read again after waiting for a pending plan or a conflict
            deployment, version = self.get_deployment(deployment_id, reuse=not (waited_for_pending or conflict_retried))
            resource = self.es_resource(deployment, ref_id)
            settings = compute(resource)
            plan_info = resource['info'].get('plan_info') or {}
            if settings is None and sent:
                # the change is there after a 409: a write of this run that was answered late (the transport sent it again
                # with the old version) or a concurrent one that made the same change; either way the deployment changed
                # in this run, and the plan it started is awaited
                plan_summary = self.wait_for_plan(deployment_id, sent['resource']['ref_id'], wait_timeout, sent['previous_attempt'],
                                                  after_write=True, ignore=sent['earlier']) if wait else None
                return sent['resource'], sent['settings'], plan_summary
            if settings is None and wait and plan_info.get('pending') and not self.read_only:
                return resource, None, self.await_pending_plan(deployment_id, resource, wait_timeout)
            if settings is None or self.read_only:
                return resource, settings, None
            if plan_info.get('pending') and not waited_for_pending:
                # ECE refuses an update while another plan runs: let it finish, then read again
                self.warn('deployment %s: waiting for the pending plan to finish before the update' % deployment_id)
                self.wait_for_plan(deployment_id, resource['ref_id'], wait_timeout)
                waited_for_pending = True
                continue
            plan = copy.deepcopy((plan_info.get('current') or {}).get('plan'))
            if not plan:
                raise ApiError('deployment %s: Elasticsearch resource %s has no current plan to send back' % (
                    deployment_id, resource['ref_id']))
            plan.pop('transient', None)
            previous_attempt = (plan_info.get('current') or {}).get('plan_attempt_id')
            earlier = self.failed_attempts(deployment_id, resource['ref_id'], plan_info)
            payload = {'prune_orphans': False,
                       'resources': {'elasticsearch': [{'ref_id': resource['ref_id'], 'region': resource['region'],
                                                        'plan': plan, 'settings': settings}]}}
            try:
                self.request('PUT', self.deployment_path(deployment_id), 'update deployment %s' % deployment_id,
                             params={'version': version} if version is not None else None, body=payload)
            except ApiError as exc:
                if exc.status == 409 and not conflict_retried:
                    conflict_retried = True
                    sent = dict(resource=resource, settings=settings, previous_attempt=previous_attempt, earlier=earlier)
                    self.warn('update deployment %s: changed concurrently (HTTP 409); read again and re-applied on top of '
                              'the concurrent change' % deployment_id)
                    continue
                raise
            plan_summary = None
            if wait:
                plan_summary = self.wait_for_plan(deployment_id, resource['ref_id'], wait_timeout, previous_attempt, after_write=True,
                                                  ignore=earlier)
            return resource, settings, plan_summary
        raise ApiError('update deployment %s: unreachable' % deployment_id)  # pragma: no cover

    def await_pending_plan(self, deployment_id, resource, wait_timeout):
        """Nothing to change, but a plan still runs (perhaps the one of an earlier run that made this change): the settings
        are in force only once it ended well. Its summary, or None when no plan is pending."""
        if not ((resource.get('info') or {}).get('plan_info') or {}).get('pending'):
            return None
        self.warn('deployment %s: its settings are as wanted, waiting for its pending plan to finish' % deployment_id)
        return self.wait_for_plan(deployment_id, resource['ref_id'], wait_timeout)

    def plan_info(self, deployment_id, ref_id, operation, logs=False):
        """``GET .../elasticsearch/{ref_id}`` with the plans and their history (and logs): its ``info.plan_info``; never
        kept for reuse, since a plan changes while it runs."""
        params = {'show_plans': 'true', 'show_plan_history': 'true'}
        if logs:
            params['show_plan_logs'] = 'true'
        info = self.get(self.deployment_path(deployment_id, '/elasticsearch/%s' % ref_id), operation, params=params) or {}
        return (info.get('info') or {}).get('plan_info') or {}

    def failed_attempts(self, deployment_id, ref_id, plan_info):
        """The IDs of the attempts that failed after the current one (``plan_info.healthy`` false): they are in the plan
        history only, newer than the current attempt, and none of them is a plan that a write started after this read.
        Read only when the resource's plans are not healthy."""
        if plan_info.get('healthy') is not False:
            return ()
        history = self.plan_info(deployment_id, ref_id, 'read the plan history of deployment %s (%s)'
                                 % (deployment_id, ref_id)).get('history') or []
        return tuple(a.get('plan_attempt_id') for a in history if a.get('plan_attempt_id'))

    def wait_for_plan(self, deployment_id, ref_id, timeout, previous_attempt=None, poll_interval=0.25, max_interval=5.0,
                      after_write=False, ignore=()):
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
        watched = None
        while True:
            plan_info = self.plan_info(deployment_id, ref_id, operation, logs=True)
            pending = plan_info.get('pending')
            attempt = None if pending else _find_attempt(plan_info, watched, previous_attempt, ignore)
            quiet = attempt is None and after_write and watched is None and time.monotonic() - started < QUIET_SECONDS
            if pending or quiet:
                if pending:
                    watched = pending.get('plan_attempt_id') or watched
                if time.monotonic() >= deadline:
                    if not pending:
                        return None
                    raise ApiError('%s: still pending after %ss (wait_timeout): plan attempt %s, started %s, step %s' % (
                        operation, timeout, watched, pending.get('attempt_start_time') or 'at an unknown time',
                        _current_step(pending)), error={'plan_attempt_id': watched, 'pending': True})
                self.sleep(poll_interval, waiting=('the plan of deployment %s (%s)%s' % (deployment_id, ref_id, pending and ', attempt %s, step %s' % (
                    watched, _current_step(pending)) or ''), deadline, timeout))
                if time.monotonic() - started >= FAST_POLLS_SECONDS:  # a short plan is seen done at once, a long one polled gently
                    poll_interval = min(max_interval, poll_interval * 1.5)
                continue
            if attempt is None:
                return None
            failure = plan_failure(attempt)
            if failure:
                raise ApiError('%s: plan attempt %s failed: %s' % (operation, attempt.get('plan_attempt_id'), failure),
                               error={'plan_attempt_id': attempt.get('plan_attempt_id'), 'message': failure})
            return {'attempt_id': attempt.get('plan_attempt_id'), 'status': 'success',
                    'duration_seconds': round(time.monotonic() - started, 1)}


def relationship_view(item):
    """A trust relationship of the API in this collection's words (``certificate`` for ``public_ca_cert``)."""
    return {
        'id': item.get('id'),
        'name': item.get('name'),
        'local': bool(item.get('local')),
        'trust_by_default': bool(item.get('trust_by_default')),
        'account_ids': list(item.get('account_ids') or []),
        'installation_id': item.get('installation_id'),
        'certificate': item.get('public_ca_cert'),
    }


def running_version(resource):
    """The Elasticsearch version an ES resource runs: the lowest ``service_version`` of its instances
    (during a rolling upgrade the old nodes decide what works), else the version of its current plan."""
    info = resource.get('info') or {}
    versions = []
    for instance in (info.get('topology') or {}).get('instances') or []:
        try:
            versions.append((version_tuple(instance.get('service_version')), instance.get('service_version')))
        except ValueError:  # no version while an instance is starting
            continue
    if versions:
        return min(versions)[1]
    plan = ((info.get('plan_info') or {}).get('current') or {}).get('plan') or {}
    return (plan.get('elasticsearch') or {}).get('version')


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


def _find_attempt(plan_info, watched, previous, ignore=()):
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


def _current_step(pending):
    log = pending.get('plan_attempt_log') or []
    return log[-1].get('step_id') if log else 'unknown'


def query_flag(value):
    """A boolean as the ECE API takes it in a query string; other values as they are."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return value
