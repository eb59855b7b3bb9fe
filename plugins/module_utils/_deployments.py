# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Deployments of ECE: the managers of the modules ece_deployment_info, ece_deployment_restart, ece_keystore_secret
and ece_remote_clusters. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    API_KEY_PORT, MASK, RELOAD_MIN_VERSION, check_alias, check_ports, check_deployment_ids, check_ref_id, check_version,
    credentials_setting, version_tuple)
from ansible_collections.ece.remote_clusters.plugins.module_utils._ece import TRUST_QUERY, query_flag
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Manager, Observed, Plan
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import deployment_argument_spec
from ansible_collections.ece.remote_clusters.plugins.module_utils._views import deployment_view, es_resource, running_version, trust_of
from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import (
    failed_attempts, plan_attempt_since, plan_wait_options, remaining, wait_for_plan)

# -- ece_deployment_info -------------------------------------------------------------------------------------------
MAX_WORKERS = 8
SEARCH_PAGE_SIZE = 1000  # per search page; further pages follow the cursor


class DeploymentInfo(Manager):
    api = 'ece'
    diff = False  # reads only
    argument_spec = dict(
        deployment_id=dict(type='str'),
        deployment_ids=dict(type='list', elements='str'),
        name=dict(type='str'),
        certificate_port=dict(type='int'),
        api_key_port=dict(type='int', default=API_KEY_PORT, no_log=False),
    )
    mutually_exclusive = [('deployment_id', 'deployment_ids', 'name')]

    def validate(self):
        params = self.params
        errors = []
        if params['deployment_id'] is not None:
            errors.append(check_deployment_ids([params['deployment_id']], 'deployment_id'))
        if params['deployment_ids'] is not None:
            errors.append(check_deployment_ids(params['deployment_ids'], 'deployment_ids'))
        errors.extend(check_ports(params))
        return errors

    def read(self):
        """The deployments asked for, as ECE returns them."""
        params = self.params
        if params['deployment_id'] is not None:
            ids = [params['deployment_id']]
        elif params['deployment_ids'] is not None:
            ids = list(dict.fromkeys(params['deployment_ids']))  # without duplicates, in order
        else:
            ids = self.search(params['name'])
        return get_deployments(self.client, ids)

    def differs(self, current, desired):
        return False  # reads only

    def report(self, current, after, changed, facts):
        return {'deployments': [deployment_view(d, self.params['certificate_port'], self.params['api_key_port']) for d in current]}

    def search(self, name):
        """IDs of every deployment, or of those named ``name``."""
        query = {'match': {'name': {'query': name, 'operator': 'and'}}} if name is not None else {'match_all': {}}
        deployments, match_count = self.client.search_deployments(query, SEARCH_PAGE_SIZE)
        if match_count is not None and len(deployments) < match_count:
            self.warn('the deployment search returned %d of the %d deployments that matched and no cursor to '
                      'read the others; give deployment_ids to read a deployment that is missing'
                      % (len(deployments), match_count))
        # the match query is analysed: keep exact names only
        return [d['id'] for d in deployments if name is None or d.get('name') == name]


def get_deployments(client, ids, **query):
    """One GET per deployment (with ``query``, else everything the modules use), concurrently over the module's one
    session; the first failure (in order) is raised."""
    def get(deployment_id):
        return client.get_deployment(deployment_id, **query)[0]

    if len(ids) <= 1:
        return [get(i) for i in ids]
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(ids))) as pool:
        futures = [pool.submit(get, i) for i in ids]
        return [future.result() for future in futures]


def deployment_trusts(client):
    """The trust of every deployment of an environment: ``({deployment ID: {ref_id: trust of that Elasticsearch
    resource}}, missing)``, where ``missing`` counts the deployments that matched the search but that it did not return.
    The IDs come from one search sorted by ID and paged by its cursor; each deployment is then read with its settings
    only, without the metadata (large, and it can carry credentials) and the plans. Not a search on the trust settings:
    the ECE API specification names no searchable trust field, and a query on a field that is not indexed would match
    nothing, so that a relationship in use would look unused."""
    found, match_count = client.search_deployments({'match_all': {}}, SEARCH_PAGE_SIZE)
    deployments = get_deployments(client, [d['id'] for d in found], reuse=False, **TRUST_QUERY)
    trusts = dict((d['id'], dict((r.get('ref_id'), trust_of(r)) for r in (d.get('resources') or {}).get('elasticsearch') or []))
                  for d in deployments)
    return trusts, max(0, (match_count or 0) - len(found))


# -- ece_deployment_restart ----------------------------------------------------------------------------------------
class DeploymentRestart(Manager):
    api = 'ece'
    argument_spec = dict(
        deployment_argument_spec(),
        only_if_version_below=dict(type='str'),
        skip_snapshot=dict(type='bool', default=True),
        group_attribute=dict(type='str', default='__zone__'),
        cancel_pending=dict(type='bool', default=False),
        **plan_wait_options(1800)
    )

    def validate(self):
        errors = [check_deployment_ids([self.params['deployment_id']], 'deployment_id')]
        if self.params['ref_id'] is not None:
            errors.append(check_ref_id(self.params['ref_id']))
        if not self.params['group_attribute'].strip():
            errors.append('group_attribute: must not be empty; leave it out to restart zone by zone (__zone__)')
        if self.params['only_if_version_below'] is not None:
            errors.append(check_version(self.params['only_if_version_below'], 'only_if_version_below'))
        if self.params['wait_timeout'] < 0:
            errors.append('wait_timeout: %d is negative; give the seconds to wait, e.g. 1800' % self.params['wait_timeout'])
        return errors

    def wait_for_pending(self, deployment_id, ref_id, previous_attempt, deadline):
        """Wait for a plan someone else started; it fails the task (before any restart) when it fails or does not end."""
        try:
            summary = wait_for_plan(self.client, deployment_id, ref_id, remaining(deadline), previous_attempt)
        except ApiError as exc:
            raise ApiError('not restarted: a plan already pending on deployment %s did not finish well: %s' % (deployment_id, exc.message),
                           status=exc.status, error=exc.error)
        return (summary or {}).get('attempt_id') or previous_attempt

    def restart(self, deployment_id, ref_id, previous_attempt, cancelled):
        """Start the restart once: after an answer that may come after ECE started it, the plans read back decide (a plan
        that the restart cancels, still pending if the restart did not reach ECE, is not taken for it)."""
        params = {'skip_snapshot': query_flag(self.params['skip_snapshot']), 'group_attribute': self.params['group_attribute'],
                  'cancel_pending': query_flag(self.params['cancel_pending'])}
        operation = 'restart deployment %s (%s)' % (deployment_id, ref_id)

        def started():
            return plan_attempt_since(self.client, deployment_id, ref_id, previous_attempt, ignore=cancelled)

        self.client.write_once(operation, lambda: self.client.restart_elasticsearch(deployment_id, ref_id, params, operation),
                               started)

    def read(self):
        """The resource's ref_id, running version and plans; ``deadline``: when every wait of this run ends
        (``time.monotonic()``)."""
        deadline = time.monotonic() + self.params['wait_timeout']
        deployment, dummy = self.client.get_deployment(self.params['deployment_id'])
        resource = es_resource(deployment, self.params['ref_id'])
        return Observed({'ref_id': resource['ref_id'], 'elasticsearch_version': running_version(resource), 'restarted': False,
                         'plan_info': resource['info'].get('plan_info') or {}}, {'deadline': deadline})

    def desired(self, current):
        threshold, version = self.params['only_if_version_below'], current['elasticsearch_version']
        if threshold is not None:
            if version is None:
                self.fail('deployment %s (%s): the running Elasticsearch version is unknown, so only_if_version_below '
                          'cannot be checked; retry when the deployment is running' % (self.params['deployment_id'], current['ref_id']))
            if version_tuple(version) >= version_tuple(threshold):
                return current
        return dict(current, restarted=True)

    def apply(self, current, desired, facts):
        """The restart, after a plan someone else started (unless cancel_pending); the plan attempts that the wait for the
        restart's plan must not take for it."""
        deployment_id, ref_id, plan_info = self.params['deployment_id'], current['ref_id'], current['plan_info']
        previous_attempt = (plan_info.get('current') or {}).get('plan_attempt_id')
        # attempts that end after the current one but are not the restart's: a pending plan that it cancels, failed ones
        cancelled = failed_attempts(self.client, deployment_id, ref_id, plan_info)
        if plan_info.get('pending') and not self.params['cancel_pending']:
            previous_attempt = self.wait_for_pending(deployment_id, ref_id, previous_attempt, facts['deadline'])
        elif plan_info.get('pending'):
            cancelled += (plan_info['pending'].get('plan_attempt_id'),)
        try:
            self.restart(deployment_id, ref_id, previous_attempt, cancelled)
        except ApiError as exc:
            # a plan started between the read and the restart: wait for it once, then restart
            if exc.status != 422 or self.params['cancel_pending']:
                raise
            previous_attempt = self.wait_for_pending(deployment_id, ref_id, previous_attempt, facts['deadline'])
            self.restart(deployment_id, ref_id, previous_attempt, cancelled)
        return Observed(desired, {'previous_attempt': previous_attempt, 'cancelled': cancelled})

    def settle(self, after, changed, facts):
        """The restart's plan (``plan``): awaited with ``wait``, else its attempt once it shows."""
        if not changed:
            return None
        deployment_id, ref_id, previous_attempt, cancelled = (self.params['deployment_id'], after['ref_id'], facts['previous_attempt'],
                                                              facts['cancelled'])
        if self.params['wait']:
            return Observed(after, {'plan': wait_for_plan(self.client, deployment_id, ref_id, remaining(facts['deadline']),
                                                          previous_attempt, after_write=True, ignore=cancelled)})
        # the restart's plan shows a moment after the answer: read until it does (a few reads at most)
        attempt_id = plan_attempt_since(self.client, deployment_id, ref_id, previous_attempt, ignore=cancelled)
        return Observed(after, {'plan': {'attempt_id': attempt_id, 'status': 'pending', 'duration_seconds': None} if attempt_id else None})

    def report(self, current, after, changed, facts):
        where = (self.params['deployment_id'], current['ref_id'])
        if not changed:
            msg = 'not restarted: deployment %s (%s) runs Elasticsearch %s, not below %s' % (
                where + (current['elasticsearch_version'], self.params['only_if_version_below']))
        elif self.check_mode:
            msg = 'deployment %s (%s) would be restarted' % where
        elif self.params['wait']:
            msg = 'deployment %s (%s) restarted' % where
        else:
            msg = 'deployment %s (%s): restart started' % where
        return {'restarted': changed, 'plan': facts.get('plan'), 'elasticsearch_version': current['elasticsearch_version'],
                'msg': msg}

    def view(self, state):
        return {'ref_id': state['ref_id'], 'elasticsearch_version': state['elasticsearch_version'], 'restarted': state['restarted']}


# -- ece_keystore_secret -------------------------------------------------------------------------------------------
class KeystoreSecret(Manager):
    api = 'ece'
    secret_keys = ('value',)
    argument_spec = dict(
        deployment_argument_spec(),
        setting=dict(type='str', no_log=False),
        remote_cluster_alias=dict(type='str'),
        value=dict(type='raw', no_log=True),
        as_file=dict(type='bool', default=False),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        update_secret=dict(type='str', default='on_create', choices=['on_create', 'always']),
        reload_min_version=dict(type='str', default=RELOAD_MIN_VERSION),
    )
    mutually_exclusive = [('setting', 'remote_cluster_alias')]
    required_one_of = [('setting', 'remote_cluster_alias')]

    @property
    def name(self):
        if self.params['remote_cluster_alias'] is not None:
            return credentials_setting(self.params['remote_cluster_alias'])
        return self.params['setting']

    def validate(self):
        errors = [check_deployment_ids([self.params['deployment_id']], 'deployment_id'),
                  check_version(self.params['reload_min_version'], 'reload_min_version')]
        if self.params['ref_id'] is not None:
            errors.append(check_ref_id(self.params['ref_id']))
        if self.params['remote_cluster_alias'] is not None:
            errors.append(check_alias(self.params['remote_cluster_alias'], 'remote_cluster_alias'))
        elif not self.params['setting'].strip() or self.params['setting'] != self.params['setting'].strip():
            errors.append('setting: %r is not a setting name; give the name of a secure setting, e.g. '
                          's3.client.default.access_key' % self.params['setting'])
        value = self.params['value']
        if self.params['state'] == 'present' and value is not None and not isinstance(value, (str, dict)):
            # never show the value: it may be a secret of another type given by mistake
            errors.append('value: must be a string or a dictionary, not %s' % type(value).__name__)
        return errors

    def register_secret(self):
        """Make sure the value never appears in an error message, also as the JSON the API would echo, nor in the result."""
        value = self.params['value']
        texts = [value] if isinstance(value, str) else []
        if isinstance(value, dict):
            texts = [json.dumps(value), json.dumps(value, separators=(',', ':'))]
        for text in texts:
            self.client.add_secret(text)
        self.context.mask(*texts)

    def read_resource(self):
        """The Elasticsearch resource's ref_id and running version (one deployment GET)."""
        deployment, dummy = self.client.get_deployment(self.params['deployment_id'])
        resource = es_resource(deployment, self.params['ref_id'])
        return resource['ref_id'], running_version(resource)

    def read(self):
        """The secret's name and whether it is a file, if it exists; the resource's ref_id and running version, which says
        whether a write needs a restart (with ref_id given, the deployment is read only when a write follows)."""
        self.register_secret()
        ref_id, version, known = self.params['ref_id'], None, not self.params['ref_id']
        if known:  # the deployment is read for its ref_id, and its running version comes with it
            ref_id, version = self.read_resource()
        existing = self.client.keystore(self.params['deployment_id'], ref_id).get(self.name)
        secret = {'name': self.name, 'as_file': bool(existing.get('as_file'))} if existing is not None else None
        state = {'ref_id': ref_id, 'elasticsearch_version': version, 'secret': secret}
        if not known and self.differs(state, self.desired(state)):
            state['elasticsearch_version'] = self.read_resource()[1]
        return state

    def plan(self, observed):
        current = observed.object
        desired = self.desired(current)
        changed = self.differs(current, desired)
        warnings = []
        if changed and current['elasticsearch_version'] is None:
            warnings.append('deployment %s: the running Elasticsearch version is unknown; restart_required is true to be safe'
                            % self.params['deployment_id'])
        return Plan(observed, desired, changed, warnings)

    def desired(self, current):
        if self.params['state'] == 'absent':
            return dict(current, secret=None)
        if self.params['value'] is None:  # a look-up
            return current
        return dict(current, secret={'name': self.name, 'as_file': self.params['as_file']})

    def differs(self, current, desired):
        if self.params['state'] == 'present' and self.params['value'] is not None and self.params['update_secret'] == 'always':
            return True
        return self.view(current) != self.view(desired)

    def apply(self, current, desired, facts):
        # a setting without a value is removed
        body = {'value': self.params['value'], 'as_file': self.params['as_file']} if desired['secret'] else {}
        self.client.update_keystore(self.params['deployment_id'], current['ref_id'], {self.name: body})
        return desired

    def report(self, current, after, changed, facts):
        version = current['elasticsearch_version']
        return {'exists': current['secret'] is not None, 'secret': after['secret'], 'elasticsearch_version': version,
                'restart_required': changed and (version is None or version_tuple(version) < version_tuple(self.params['reload_min_version']))}

    def view(self, state):
        return dict(state['secret'], value=MASK) if state['secret'] else {'name': self.name, 'state': 'absent'}


# -- ece_remote_clusters -------------------------------------------------------------------------------------------
# the list is written at most this often when another writer keeps replacing it (with the client's backoff in between)
LIST_WRITE_ATTEMPTS = 4
# failed writes of the list that ECE may have applied all the same (a gateway that gave up waiting, an error in the
# middle of the work; 503 says the work was not taken on): the list read back decides
LIST_WRITE_UNCERTAIN = frozenset((500, 502, 504))


def normalize(entry):
    """The writable fields of an entry, ``skip_unavailable`` explicit (the API's default is false); never ``info``."""
    return {'alias': entry.get('alias'), 'deployment_id': entry.get('deployment_id'),
            'elasticsearch_ref_id': entry.get('elasticsearch_ref_id'),
            'skip_unavailable': bool(entry.get('skip_unavailable'))}


def predicted(current, desired):
    """The list check mode predicts: unchanged entries keep the ``info`` read, new or changed ones have none yet."""
    read = dict((e.get('alias'), e) for e in current)
    after = []
    for entry in desired:
        old = read.get(entry['alias'])
        if old is not None and 'info' in old and normalize(old) == entry:
            entry = dict(entry, info=old['info'])
        after.append(entry)
    return after


def diff_view(entries):
    return {'remote_clusters': sorted((normalize(e) for e in entries), key=lambda e: e['alias'] or '')}


class RemoteClusters(Manager):
    api = 'ece'
    argument_spec = dict(
        deployment_argument_spec(),
        remote_clusters=dict(type='list', elements='dict', options=dict(
            alias=dict(type='str', required=True),
            deployment_id=dict(type='str'),
            elasticsearch_ref_id=dict(type='str', default='main-elasticsearch'),
            skip_unavailable=dict(type='bool', default=False),
        )),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        purge=dict(type='bool', default=False),
    )

    def validate(self):
        params = self.params
        entries = params['remote_clusters'] or []
        errors = [check_deployment_ids([params['deployment_id']], 'deployment_id')]
        if params['ref_id'] is not None:
            errors.append(check_ref_id(params['ref_id']))
        if params['purge'] and params['state'] == 'absent':
            errors.append('purge: applies to state=present only; to remove every remote cluster use state: present, '
                          'purge: true and remote_clusters: []')
        elif params['purge'] and params['remote_clusters'] is None:
            # an undefined variable in a playbook commonly leaves the list out: never read that as "remove everything"
            errors.append('remote_clusters: required with purge: true; give remote_clusters, the complete list of remote '
                          'clusters to keep (an empty list, remote_clusters: [], removes all of them)')
        aliases = [e['alias'] for e in entries]
        for index, entry in enumerate(entries):
            option = 'remote_clusters[%d]' % index
            errors.append(check_alias(entry['alias'], option + '.alias'))
            if params['state'] == 'present':
                if entry['deployment_id'] is None:
                    errors.append('%s.deployment_id: required with state=present; give the ID of the remote deployment '
                                  '(alias %r)' % (option, entry['alias']))
                else:
                    errors.append(check_deployment_ids([entry['deployment_id']], option + '.deployment_id'))
                errors.append(check_ref_id(entry['elasticsearch_ref_id'], option + '.elasticsearch_ref_id'))
        duplicates = sorted(set(a for a in aliases if aliases.count(a) > 1))
        if duplicates:
            errors.append('remote_clusters: alias %s given more than once; give each alias once'
                          % ', '.join(repr(a) for a in duplicates))
        return errors

    def read(self):
        ref_id = self.params['ref_id'] or self.first_es_ref_id(self.params['deployment_id'])
        return {'ref_id': ref_id, 'remote_clusters': self.client.remote_clusters(self.params['deployment_id'], ref_id)}

    def desired(self, current):
        return dict(current, remote_clusters=self.merged(current['remote_clusters']))

    def differs(self, current, desired):
        by_alias = dict((e.get('alias'), normalize(e)) for e in current['remote_clusters'])
        return by_alias != dict((e['alias'], e) for e in desired['remote_clusters'])

    def apply(self, current, desired, facts):
        where = (self.params['deployment_id'], current['ref_id'])
        return dict(desired, remote_clusters=self.write_list(where, 'remote clusters of deployment %s (%s)' % where,
                                                             desired['remote_clusters']))

    def report(self, current, after, changed, facts):
        entries = current['remote_clusters']
        if changed:
            entries = predicted(entries, after['remote_clusters']) if self.check_mode else after['remote_clusters']
        return {'ref_id': current['ref_id'], 'remote_clusters': entries}

    def view(self, state):
        return diff_view(state['remote_clusters'])

    def write_list(self, where, operation, desired):
        """Write the whole list and read it back; the list read back, once it holds what this run asked for.

        The API replaces the whole list and has no version check: another writer may replace the list between this
        run's read and its write, or just after the write. So the list is read back after each write, and when what
        this run asked for is not in it, it is merged again into the list read back and written again, at most
        ``LIST_WRITE_ATTEMPTS`` times. A write that failed in a way that may come after ECE applied it (a gateway error
        or a timeout, after the client's retries of the idempotent PUT) is decided by the list read back too.
        """
        client = self.client
        accepted = 0
        while True:
            failure = None
            try:
                client.set_remote_clusters(where[0], where[1], desired)
                accepted += 1
            except ApiError as exc:
                if exc.status is not None and exc.status not in LIST_WRITE_UNCERTAIN:
                    raise
                failure = exc
            after = client.remote_clusters(*where)
            missing = self.not_applied(after)
            if not missing:
                if failure is not None:
                    self.warn('%s; the list read back shows the change applied' % failure.message)
                return after
            if failure is not None:  # not applied after all: the error stands
                raise failure
            if accepted >= LIST_WRITE_ATTEMPTS:
                self.fail('set %s: the list read back after each of %d accepted writes lacked what this run wrote (%s): '
                          'another run or user replaced the whole list each time (the API has no version check), so this '
                          'change is not done; run the task again once the other writer is finished'
                          % (operation, accepted, '; '.join(missing)))
            client.pause(accepted, None, 'set ' + operation, 'another writer replaced the list (%s); written again with the list '
                         'read back' % '; '.join(missing), budget=LIST_WRITE_ATTEMPTS - 1)
            desired = self.merged(after)

    def not_applied(self, entries):
        """What this run asked for that ``entries`` (a list read back) does not show, as short phrases."""
        params = self.params
        given = [normalize(e) for e in params['remote_clusters'] or []]
        read = dict((e.get('alias'), normalize(e)) for e in entries)
        if params['state'] == 'absent':
            return ['alias %r still listed' % e['alias'] for e in given if e['alias'] in read]
        missing = []
        for entry in given:
            if entry['alias'] not in read:
                missing.append('alias %r missing' % entry['alias'])
            elif read[entry['alias']] != entry:
                missing.append('alias %r differs' % entry['alias'])
        if params['purge']:
            wanted = set(e['alias'] for e in given)
            missing.extend('alias %r listed, which purge removes' % alias for alias in sorted(a for a in read if a not in wanted))
        return missing

    def first_es_ref_id(self, deployment_id):
        # a small GET: no plans, settings, metadata or template enrichment
        deployment = self.client.get_deployment(deployment_id, show_plans=False, show_settings=False, show_metadata=False,
                                                show_instance_configurations=False, enrich_with_template=False)[0]
        return es_resource(deployment)['ref_id']

    def merged(self, current):
        """The whole list to write: the entries ``current``, with the listed aliases upserted or removed."""
        params = self.params
        given = [normalize(e) for e in params['remote_clusters'] or []]
        if params['state'] == 'present' and params['purge']:
            return given
        if params['state'] == 'absent':
            removed = set(e['alias'] for e in given)
            return [normalize(e) for e in current if e.get('alias') not in removed]
        wanted = dict((e['alias'], e) for e in given)
        result = [wanted.pop(e.get('alias'), None) or normalize(e) for e in current]
        return result + [e for e in given if e['alias'] in wanted]
