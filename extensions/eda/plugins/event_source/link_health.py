# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Event source ``ece.remote_clusters.link_health``: polls the remote-cluster links of an inventory, read-only, and
emits one event per finding (a key about to expire, a key no longer valid, a link that does not connect, credentials
not loaded, an environment that cannot be reached) and one when a finding clears."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import datetime
import os
import sys
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor

DOCUMENTATION = r'''
name: link_health
short_description: Events about the health of remote-cluster links across ECE environments
version_added: 1.0.0
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
description:
  - "Polls the links of an inventory (the environments and links of the playbook C(remote_clusters.yml) and the role
    ece.remote_clusters.remote_clusters) and emits one event per finding, C({remote_link: {kind, name, alias, model,
    local, remote, detail, ...}}), when the finding appears, and one event of kind V(recovered) when it clears."
  - It only reads; its clients refuse every write (the deployment search, a C(POST), is a read).
  - V(key_expiring) - API-key model - the link's active cross-cluster API key on the remote cluster expires within
    O(rotate_before_days) days (or the link's own C(rotate_before_days)); C(key) holds its C(id), C(name),
    C(expiration) and C(expires_in_days).
  - V(key_invalid) - API-key model - the remote cluster has no active cross-cluster API key of the link (its name and
    owner, as the module ece.remote_clusters.remote_cluster_link creates it) - it was invalidated or it expired, so the
    credentials in the local keystore no longer authenticate. Which key the keystore holds cannot be read (ECE returns
    the names of keystore settings, never their values), so a keystore that holds another key is found as
    V(disconnected).
  - V(disconnected) - the local cluster does not connect to the alias (C(_resolve/cluster/<alias>:*) from Elasticsearch
    8.13, else C(_remote/info) after an attempt), or the alias is not configured.
  - V(credentials_not_loaded) - API-key model - C(_remote/info) shows the alias without C(cluster_credentials) - the
    nodes have not loaded the keystore's credentials (a restart or a reload is needed).
  - V(unreachable) - an ECE environment or a cluster of the link could not be read; C(side) says which, C(detail) why.
    The other checks of that link wait for the next poll, and its other findings stand.
  - V(recovered) - a finding of the link cleared; C(recovered_from) is its kind.
  - V(follower_fatal) - a link with C(replication) - a follower index that replicates through the alias stopped on a
    fatal exception (the leader index deleted, for example); C(followers) names them. Fix the cause, then pause and
    resume the follower.
  - V(auto_follow_errors) - a link with C(replication) - an auto-follow pattern of the alias failed recently to follow
    a leader index; C(patterns) names them.
  - Requests to one environment (its ECE API and the clusters of its deployments together) are spread out to at most
    O(requests_per_second). Secrets never appear in an event; a message of a server that contains one is masked.
options:
  environments:
    description:
      - The ECE environments, by name, each with the connection options of C(module_defaults) of
        C(group/ece.remote_clusters.ece) (C(ece_url), C(ece_api_key) or C(ece_username) and C(ece_password), C(ece_region),
        C(ca_path), C(validate_certs), C(request_timeout), C(retries), C(retry_backoff)), as a mapping or as the YAML text
        of one (the extra variable C(ece_environments_secrets) that the EDA credential type "ECE environments" injects).
      - When it is not given, one environment named V(ece) is taken from the environment variables E(ECE_URL),
        E(ECE_API_KEY), E(ECE_USERNAME), E(ECE_PASSWORD), E(ECE_REGION) and E(ECE_CA_PATH) (the EDA credential type
        "ECE environment").
    type: raw
  ca_path:
    description:
      - The CA certificates (a PEM file) of every environment of O(environments) that gives no C(ca_path) of its own, such
        as the extra variable C(ece_environments_ca_path) of the EDA credential type "ECE environments". Empty means none.
    type: str
  links:
    description:
      - The links, in the format of C(remote_clusters_links) (C(name), C(alias), C(model), C(local) and C(remote) with
        C(environment), C(deployment_id) or C(deployment_name), and C(es), the connection options of the cluster, whose
        C(es_url) defaults to the deployment's service URL), as a list or as the YAML text of one.
      - A link without C(remote.es) is not checked for its key. Links with C(state=absent) are skipped.
    type: raw
    required: true
  link_names:
    description: Watch only the links with these names (default every link).
    type: list
    elements: str
  interval:
    description: Seconds between two polls.
    type: float
    default: 300
  rotate_before_days:
    description: A key that expires within this many days is V(key_expiring), unless the link sets its own C(rotate_before_days).
    type: float
    default: 14
  requests_per_second:
    description: At most this many requests a second to one environment.
    type: float
    default: 2
'''

EXAMPLES = r'''
- name: Look after the remote-cluster links
  hosts: localhost
  sources:
    - ece.remote_clusters.link_health:
        environments: "{{ ece_environments_secrets }}"
        ca_path: "{{ ece_environments_ca_path }}"
        links: "{{ remote_clusters_links }}"
        interval: 600
        rotate_before_days: 14
  rules:
    - name: Rotate a key that is about to expire
      condition: event.remote_link.kind == "key_expiring"
      throttle:
        once_within: 1 hour
        group_by_attributes:
          - event.remote_link.name
      action:
        run_job_template:
          name: ECE remote clusters - rotate
          organization: Default
          job_args:
            extra_vars:
              rotate_links:
                - "{{ event.remote_link.name }}"
'''


def _import_collection():
    """The collection's module_utils; a source runs from an installed collection, which may not be on the path."""
    try:
        import ansible_collections.ece.remote_clusters.plugins.module_utils._module  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        here = os.path.abspath(__file__)
        root = here
        for dummy in range(7):  # <root>/ansible_collections/ece/remote_clusters/extensions/eda/plugins/event_source/x.py
            root = os.path.dirname(root)
        sys.path.insert(0, os.path.dirname(root))


_import_collection()

# pylint: disable=wrong-import-position
import yaml  # noqa: E402
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # noqa: E402

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError  # noqa: E402
from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import (  # noqa: E402
    MANAGED_BY, CrossClusterApiKey, connected_through_every_node, days_left)
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import redact, view_version  # noqa: E402
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import (  # noqa: E402
    ClientPool, ModuleFailure, connection_errors, connection_options)
from ansible_collections.ece.remote_clusters.plugins.module_utils._replication import alias_replication  # noqa: E402
from ansible_collections.ece.remote_clusters.plugins.module_utils._views import elasticsearch_view, es_resource  # noqa: E402

KINDS = ('key_expiring', 'key_invalid', 'disconnected', 'credentials_not_loaded', 'unreachable', 'recovered',
         # links with replication
         'follower_fatal', 'auto_follow_errors')
ENVIRONMENT_VARIABLES = ('ECE_URL', 'ECE_API_KEY', 'ECE_USERNAME', 'ECE_PASSWORD', 'ECE_REGION', 'ECE_CA_PATH')
SECRET_OPTIONS = ('ece_api_key', 'ece_password', 'es_api_key', 'es_password')
DAY_SECONDS = 24 * 3600


class SourceError(ValueError):
    """Arguments that cannot work: raised before any request, every mistake named."""


# -- arguments ---------------------------------------------------------------------------------------------------------
def _parsed(value, name, kind, errors):
    """``value``, or the YAML text of it, as a ``kind`` (dict or list); an empty one and a message when it is not."""
    if isinstance(value, str):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            errors.append('%s: not valid YAML (%s)' % (name, str(exc).splitlines()[0]))
            return kind()
    if value is None:
        return kind()
    if not isinstance(value, kind):
        errors.append('%s: give a %s, not %s' % (name, 'mapping' if kind is dict else 'list', type(value).__name__))
        return kind()
    return value


def _environments_from_variables():
    values = dict((var, os.environ.get(var)) for var in ENVIRONMENT_VARIABLES)
    if not values['ECE_URL']:
        return {}
    options = dict(ece_url=values['ECE_URL'], ece_api_key=values['ECE_API_KEY'] or None, ece_username=values['ECE_USERNAME'] or None,
                   ece_password=values['ECE_PASSWORD'] or None, ca_path=values['ECE_CA_PATH'] or None)
    if values['ECE_REGION'] is not None:
        options['ece_region'] = values['ECE_REGION']
    return {'ece': options}


def _connection(api, options, label, url_required=True):
    """Connection options with their defaults, checked as a module checks them: ``(params, errors)``."""
    spec, constraints = connection_options(api, fallbacks=False)
    if not url_required:
        spec = dict(spec, es_url=dict(spec['es_url'], required=False))
    if not isinstance(options, dict):
        return None, ['%s: give the connection options as a mapping' % label.rstrip('.')]
    result = ArgumentSpecValidator(spec, **constraints).validate(dict((k, v) for k, v in options.items() if v is not None))
    errors = ['%s: %s' % (label.rstrip('.'), message) for message in result.error_messages]
    if errors:
        return None, errors
    return result.validated_parameters, connection_errors(result.validated_parameters, api, label)


def _side(link, which, label, environments, errors):
    side = link.get(which)
    if not isinstance(side, dict):
        errors.append('%s.%s: give the %s deployment as a mapping with environment and deployment_id or deployment_name' % (label, which, which))
        return None
    environment = side.get('environment')
    if environment not in environments:
        errors.append('%s.%s.environment: %r is not one of the environments (%s)' % (
            label, which, environment, ', '.join(sorted(environments)) or 'none given'))
    if not (side.get('deployment_id') or side.get('deployment_name')):
        errors.append('%s.%s: give deployment_id or deployment_name' % (label, which))
    es = None
    if side.get('es') is not None:
        es, found = _connection('elasticsearch', side['es'], '%s.%s.es.' % (label, which), url_required=False)
        errors.extend(found)
    return {'environment': environment, 'deployment_id': side.get('deployment_id'), 'deployment_name': side.get('deployment_name'),
            'ref_id': side.get('ref_id'), 'es': es}


def _number(args, name, default, errors, positive=True):
    value = args.get(name, default)
    try:
        value = float(value)
    except (TypeError, ValueError):
        errors.append('%s: %r is not a number' % (name, value))
        return default
    if value < 0 or (positive and value == 0):
        errors.append('%s: %s is not a %s number' % (name, value, 'positive' if positive else 'non-negative'))
    return value


def load_args(args):
    """The source's settings from its arguments; every mistake at once, before any request."""
    errors = []
    given_environments = args.get('environments')
    environments_in = (_parsed(given_environments, 'environments', dict, errors) if given_environments is not None
                       else _environments_from_variables())
    if not environments_in and not errors:
        errors.append('environments: give the ECE environments (a mapping of names to connection options), or set ECE_URL '
                      'and its credentials in the environment')
    environments = {}
    for name, options in environments_in.items():
        if args.get('ca_path') and isinstance(options, dict) and not options.get('ca_path'):
            options = dict(options, ca_path=args['ca_path'])
        params, found = _connection('ece', options, 'environments.%s.' % name)
        errors.extend(found)
        environments[name] = params
    links_in = _parsed(args.get('links'), 'links', list, errors)
    wanted = args.get('link_names') or []
    links, names = [], set()
    for index, link in enumerate(links_in):
        if not isinstance(link, dict):
            errors.append('links[%d]: give a link as a mapping' % index)
            continue
        name = link.get('name') or link.get('alias')
        label = 'links[%d] (%s)' % (index, name)
        if not link.get('alias'):
            errors.append('%s: give the alias' % label)
        if name in names:
            errors.append('%s: another link has this name; give each link a name of its own' % label)
        names.add(name)
        if link.get('state', 'present') == 'absent' or (wanted and name not in wanted):
            continue
        model = link.get('model', 'certificate')
        if model not in ('certificate', 'api_key'):
            errors.append('%s.model: %r is neither certificate nor api_key' % (label, model))
        local, remote = (_side(link, which, label, environments, errors) for which in ('local', 'remote'))
        if local is not None and local['es'] is None:
            errors.append('%s.local.es: give the connection options of the local cluster (es_username and es_password or '
                          'es_api_key), which the source reads the remote cluster connection with' % label)
        links.append({'name': name, 'alias': link.get('alias'), 'model': model, 'local': local, 'remote': remote,
                      'rotate_before_days': link.get('rotate_before_days'), 'api_key_name': link.get('api_key_name'),
                      'metadata': link.get('metadata') or {}, 'replication': bool(link.get('replication'))})
    unknown = sorted(set(wanted) - names)
    if unknown:
        errors.append('link_names: no link is named %s' % ', '.join(unknown))
    if not links_in:
        errors.append('links: give the links to watch (remote_clusters_links)')
    interval = _number(args, 'interval', 300.0, errors)
    threshold = _number(args, 'rotate_before_days', 14.0, errors, positive=False)
    rate = _number(args, 'requests_per_second', 2.0, errors)
    errors = [e for e in errors if e]
    if errors:
        raise SourceError('ece.remote_clusters.link_health: %d problem(s), nothing was sent: %s' % (len(errors), '; '.join(errors)))
    secrets = set()
    for options in list(environments.values()) + [side['es'] for link in links for side in (link['local'], link['remote']) if side['es']]:
        secrets.update(options[key] for key in SECRET_OPTIONS if options.get(key))
    return types.SimpleNamespace(environments=environments, links=links, interval=interval, rotate_before_days=threshold,
                                 requests_per_second=rate, secrets=secrets)


# -- requests ----------------------------------------------------------------------------------------------------------
class Pace:
    """At most ``rate`` request starts a second per environment, over every thread."""

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.gap = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self.next = {}
        self.lock = threading.Lock()

    def wait(self, environment):
        with self.lock:
            now = self.clock()
            start = max(now, self.next.get(environment, now))
            self.next[environment] = start + self.gap
        if start > now:
            self.sleep(start - now)

    def paced(self, client, environment):
        if not getattr(client, '_link_health_paced', False):
            request = client.request

            def paced_request(*args, **kwargs):
                self.wait(environment)
                return request(*args, **kwargs)
            client.request = paced_request
            client._link_health_paced = True
        return client


def link_connected(client, alias):
    """The collection's verdict of a working connection, as remote_cluster_link judges it: cross-cluster requests
    through every node of the local cluster succeed (``_resolve/cluster/<alias>:*`` from Elasticsearch 8.13, its
    ``connected`` and ``error``; below, a search of the remote cluster that reads no data). ``_remote/info`` is never
    the verdict. ``(connected, detail)``."""
    return connected_through_every_node(client, alias)


# -- polling -----------------------------------------------------------------------------------------------------------
class Unreachable(Exception):
    def __init__(self, side, detail):
        super(Unreachable, self).__init__(detail)
        self.side = side
        self.detail = detail


class LinkHealth:
    """The findings of every link, poll after poll; :meth:`poll` returns the events of one poll."""

    def __init__(self, settings, now=time.time):
        self.settings = settings
        self.now = now
        self.pace = Pace(settings.requests_per_second)
        self.findings = {}   # link name -> {kind: event}
        self.keys_seen = {}  # link name -> the ID of its last active key

    def mask(self, text):
        return redact(str(text), self.settings.secrets)

    def poll(self):
        pool = ClientPool(read_only=True, warn=lambda message: None)
        deployments, lock = {}, threading.Lock()
        try:
            with ThreadPoolExecutor(max_workers=4) as executor:
                results = list(executor.map(lambda link: self.check(link, pool, deployments, lock), self.settings.links))
        finally:
            pool.close()
        events = []
        for link, checked, found in results:
            events.extend(self.changes(link, checked, found))
        return events

    def changes(self, link, checked, found):
        """Events of the findings that appeared or changed kind, and a ``recovered`` for each one checked and gone."""
        before = self.findings.setdefault(link['name'], {})
        events = []
        for kind in list(before):
            if kind in checked and kind not in found:
                # a key that expired or was invalidated is key_invalid now: it did not recover from expiring
                if not (kind == 'key_expiring' and 'key_invalid' in found):
                    events.append(self.event(link, 'recovered', 'no longer %s' % kind.replace('_', ' '), recovered_from=kind))
                del before[kind]
        for kind, event in found.items():
            if kind not in before or before[kind]['remote_link']['detail'] != event['remote_link']['detail'] and kind != 'key_expiring':
                events.append(event)
            before[kind] = event
        return events

    def event(self, link, kind, detail, **extra):
        body = {'kind': kind, 'name': link['name'], 'alias': link['alias'], 'model': link['model'],
                'local': self.side_view(link['local']), 'remote': self.side_view(link['remote']),
                'detail': self.mask(detail), 'at': datetime.datetime.fromtimestamp(self.now(), datetime.timezone.utc).isoformat()}
        body.update(extra)
        return {'remote_link': body}

    @staticmethod
    def side_view(side):
        return dict((key, side.get(key)) for key in ('environment', 'deployment_id', 'deployment_name', 'cluster_id'))

    def check(self, link, pool, deployments, lock):
        """``(link, kinds checked, {kind: event})`` of one link, its sides with what the poll found out about them."""
        checked, found = set(), {}
        link = dict(link, local=dict(link['local']), remote=dict(link['remote']))
        try:
            local = self.deployment(link, 'local', pool, deployments, lock)
            remote = self.deployment(link, 'remote', pool, deployments, lock)
            local_client = self.es_client(link, 'local', local, pool)
            checked.update(['disconnected', 'credentials_not_loaded'])
            self.connection(link, local_client, found)
            if link['model'] == 'api_key' and link['remote']['es'] is not None:
                remote_client = self.es_client(link, 'remote', remote, pool)
                checked.update(['key_expiring', 'key_invalid'])
                self.key(link, remote_client, local, found)
            if link['replication']:
                checked.update(['follower_fatal', 'auto_follow_errors'])
                self.replication(link, local_client, found)
            checked.add('unreachable')
        except Unreachable as exc:
            found['unreachable'] = self.event(link, 'unreachable', exc.detail, side=exc.side)
        except Exception as exc:  # pylint: disable=broad-except  # a source that stops watches nothing: report, go on
            found['unreachable'] = self.event(link, 'unreachable', 'could not check the link (%s: %s)' % (type(exc).__name__, exc),
                                              side=None)
        return link, checked, found

    def deployment(self, link, which, pool, deployments, lock):
        side = link[which]
        key = (side['environment'], side['deployment_id'] or side['deployment_name'])
        with lock:
            if key not in deployments:
                deployments[key] = threading.Lock()
            entry_lock = deployments[key]
        with entry_lock:
            cached = deployments.get(key + ('view',))
            if cached is None:
                cached = deployments[key + ('view',)] = self.read_deployment(side, pool, which)
        if isinstance(cached, Unreachable):
            raise Unreachable(which, cached.detail)
        side.update(deployment_id=cached['id'], deployment_name=cached['name'], cluster_id=cached['cluster']['cluster_id'])
        return cached

    def read_deployment(self, side, pool, which):
        environment = side['environment']
        client = self.pace.paced(pool.client('ece', self.settings.environments[environment], environment), environment)
        try:
            if side['deployment_id']:
                deployment = client.get_deployment(side['deployment_id'])[0]
            else:
                matches = [d for d in client.search_deployments({'match': {'name': {'query': side['deployment_name'], 'operator': 'and'}}}, 100)[0]
                           if d.get('name') == side['deployment_name']]
                if len(matches) != 1:
                    return Unreachable(which, 'environment %s has %d deployments named %s; name the deployment by its ID' % (
                        environment, len(matches), side['deployment_name']))
                deployment = client.get_deployment(matches[0]['id'])[0]
            cluster = elasticsearch_view(es_resource(deployment, side['ref_id']), deployment, None, 9443)
        except (ApiError, ModuleFailure) as exc:
            return Unreachable(which, 'environment %s: %s' % (environment, self.mask(exc)))
        return {'id': deployment.get('id'), 'name': deployment.get('name'), 'cluster': cluster}

    def es_client(self, link, which, deployment, pool):
        options = dict(link[which]['es'])
        options['es_url'] = options['es_url'] or deployment['cluster'].get('service_url')
        options['elasticsearch_version'] = options['elasticsearch_version'] or view_version(deployment['cluster'])
        if not options['es_url']:
            raise Unreachable(which, 'the %s deployment %s has no service URL; give %s.es.es_url' % (which, deployment['name'], which))
        environment = link[which]['environment']
        return self.pace.paced(pool.client('elasticsearch', options, environment), environment)

    def connection(self, link, client, found):
        alias = link['alias']
        try:
            entry = client.remote_info().get(alias) if link['model'] == 'api_key' else None
            if entry is not None and 'cluster_credentials' not in entry:
                found['credentials_not_loaded'] = self.event(
                    link, 'credentials_not_loaded', 'the nodes of the local cluster have not loaded the credentials of %s from the '
                    'keystore (no cluster_credentials in _remote/info); restart the cluster or reload its secure settings' % alias)
            connected, detail = link_connected(client, alias)
        except (ApiError, ModuleFailure) as exc:
            raise Unreachable('local', 'the local cluster: %s' % self.mask(exc))
        if not connected:
            found['disconnected'] = self.event(link, 'disconnected', '%s: %s' % (alias, detail))

    def replication(self, link, client, found):
        """The followers that replicate through the alias and stopped on a fatal exception, and the recent errors of its
        auto-follow patterns, as remote_cluster_link reads them (``alias_replication``)."""
        try:
            observed = alias_replication(client, link['alias'])
        except ApiError as exc:
            raise Unreachable('local', 'the replication of %s could not be read: %s' % (link['alias'], exc.message))
        stopped = [f for f in observed['followers'] if f['fatal_exceptions']]
        if stopped:
            detail = '; '.join('follower %s stopped on shard %s: %s' % (
                f['follower_index'], f['fatal_exceptions'][0].get('shard_id'), f['fatal_exceptions'][0].get('reason')) for f in stopped)
            found['follower_fatal'] = self.event(link, 'follower_fatal', detail, followers=[f['follower_index'] for f in stopped])
        errors = observed['auto_follow_errors']
        if errors:
            detail = '; '.join('auto-follow of %s failed: %s' % (e.get('leader_index'), (e.get('auto_follow_exception') or {}).get('reason'))
                               for e in errors)
            patterns = sorted(set(str(e.get('leader_index') or '').partition(':')[0] for e in errors))
            found['auto_follow_errors'] = self.event(link, 'auto_follow_errors', detail, patterns=patterns)

    def key(self, link, client, local, found):
        cluster_id = local['cluster']['cluster_id']
        name = link['api_key_name'] or '%s-%s' % (link['alias'], cluster_id)
        metadata = dict(link['metadata'], managed_by=MANAGED_BY, local_cluster_id=cluster_id, alias=link['alias'])
        lookup = CrossClusterApiKey({'name': name, 'metadata': metadata}, types.SimpleNamespace(check_mode=True), client)
        try:
            keys = lookup.find_active_keys()
        except (ApiError, ModuleFailure) as exc:
            raise Unreachable('remote', 'the remote cluster: %s' % self.mask(exc))
        if not keys:
            last = self.keys_seen.get(link['name'])
            found['key_invalid'] = self.event(
                link, 'key_invalid', 'the remote cluster has no active cross-cluster API key %s%s: it was invalidated or it '
                'expired, so the credentials in the local keystore no longer authenticate; rotate the key' % (
                    name, ' (the key %s is no longer active)' % last if last else ''), key={'name': name, 'id': last})
            return
        key = keys[0]
        self.keys_seen[link['name']] = key['id']
        days = days_left(key)
        threshold = link['rotate_before_days'] if link['rotate_before_days'] else self.settings.rotate_before_days
        if days is not None and days <= threshold:
            expiration = datetime.datetime.fromtimestamp(key['expiration'] / 1000.0, datetime.timezone.utc).isoformat()
            found['key_expiring'] = self.event(
                link, 'key_expiring', 'the cross-cluster API key %s expires in %.1f days (%s), within %s days' % (
                    key['id'], days, expiration, threshold),
                key={'id': key['id'], 'name': name, 'expiration': expiration, 'expires_in_days': round(days, 1)})


async def main(queue, args):
    """Poll every ``interval`` seconds and put each event on ``queue``; bad arguments fail before any request."""
    health = LinkHealth(load_args(args))
    while True:
        for event in await asyncio.get_running_loop().run_in_executor(None, health.poll):
            await queue.put(event)
        await asyncio.sleep(health.settings.interval)
