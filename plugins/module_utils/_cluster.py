# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Elasticsearch cluster objects: the resource managers of the modules es_remote_cluster, es_cross_cluster_api_key
and es_role. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    CREDENTIALS_MIN_VERSION, MANAGED_BY, PROXY_MODE_VERSION, check_alias, check_metadata_keys, check_time_value, time_value_ms,
    version_tuple)
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Manager, Observed, Plan
from ansible_collections.ece.remote_clusters.plugins.module_utils._proof import (
    PROBE_TIMEOUT, RESOLVE_CLUSTER_VERSION, RESOLVE_TIMEOUT_VERSION, probe_verdict)
from ansible_collections.ece.remote_clusters.plugins.module_utils._security import (
    check_field_security, check_query, normalize_entries, request_entry, string_set)
from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import attempts

# -- es_remote_cluster ---------------------------------------------------------------------------------------------
PROXY_KEYS = ('proxy_address', 'server_name', 'proxy_socket_connections')
SNIFF_KEYS = ('seeds', 'node_connections', 'proxy')
LIST_KEYS = ('seeds',)
# the mode setting and proxy mode exist from this version on
MODE_VERSION = version_tuple(PROXY_MODE_VERSION)


def check_address(value, option):
    """``host:port`` with a port 1..65535, as Elasticsearch parses remote addresses; a message, or None."""
    text = str(value)
    host, sep, port = text.rpartition(':')
    well_formed = sep and host.strip() and port.isdigit() and 1 <= int(port) <= 65535
    # no white space, no scheme (https://) or path: a transport address is host:port only
    if not well_formed or any(c.isspace() for c in text) or '/' in host:
        return ('%s: %r is not an address like "remote.example.com:9400"; write host:port with a port from 1 to 65535 '
                '(9400 for the TLS-certificate model, 9443 for the API-key model on ECE)' % (option, text))
    return None


def normalize(key, value):
    """A setting value as Elasticsearch stores it: strings (bool as true/false), lists of strings for list settings."""
    if value is None:
        return None
    if key in LIST_KEYS:
        if isinstance(value, (list, tuple)):
            return [normalize(None, v) for v in value]
        return [part.strip() for part in str(value).split(',') if part.strip()]
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if key == 'mode':
        return str(value).lower()
    return str(value)


def probe(client, alias, timeout=PROBE_TIMEOUT):
    """One cross-cluster request to ``alias`` through whichever node of ``client``'s cluster answers: ``(connected,
    reason)``, the verdict of :func:`_proof.probe_verdict`. The request is the resolve cluster API from 8.13 (with a
    timeout of its own from 8.18, a second shorter than the client's, so that the cluster answers before the client gives
    up), else a search of the remote cluster that matches no index."""
    try:
        if client.version_at_least(RESOLVE_TIMEOUT_VERSION):
            status, body = client.resolve_remote_cluster(alias, timeout, max(1, int(timeout) - 1))
        elif client.version_at_least(RESOLVE_CLUSTER_VERSION):
            status, body = client.resolve_remote_cluster(alias, timeout)
        else:
            status, body = client.search_remote_cluster(alias, timeout)
    except ApiError as exc:
        return False, exc.message
    connected, reason = probe_verdict(alias, status, body, client.parse_error(body) if status >= 400 else None)
    return connected, client.redact(reason) if reason else reason


def restricted_search(access):
    """Whether a cross-cluster API key's ``access.search`` restricts documents or fields, which a key that also grants
    ``replication`` cannot do ("replication does not support document or field level security",
    ``CrossClusterApiKeyRoleDescriptorBuilder``)."""
    return any(e.get('query') is not None or e.get('field_security') is not None for e in (access or {}).get('search') or [])


def connected_through_every_node(client, alias, timeout=PROBE_TIMEOUT):
    """Whether cross-cluster requests to ``alias`` succeed through every node (as many in a row as the cluster has nodes:
    its load balancer spreads them): ``(connected, reason of the first failure)``; each request waits ``timeout`` at
    most."""
    for dummy in range(client.node_count()):
        connected, reason = probe(client, alias, timeout)
        if not connected:
            return False, reason
    return True, None


class RemoteCluster(Manager):
    api = 'elasticsearch'
    argument_spec = dict(
        alias=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        mode=dict(type='str', choices=['proxy', 'sniff']),
        proxy_address=dict(type='str'),
        server_name=dict(type='str'),
        proxy_socket_connections=dict(type='int'),
        seeds=dict(type='list', elements='str'),
        proxy=dict(type='str'),
        node_connections=dict(type='int'),
        skip_unavailable=dict(type='bool', default=False),
        wait_for_connection=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=60),
    )

    def requested_mode(self):
        params = self.params
        if params['mode']:
            return params['mode']
        if params['proxy_address'] is not None:
            return 'proxy'
        if params['seeds'] is not None:
            return 'sniff'
        return None

    def validate(self):
        params = self.params
        errors = [check_alias(params['alias'])]
        if params['state'] == 'absent':
            return errors
        proxy_given = [k for k in PROXY_KEYS if params[k] is not None]
        sniff_given = [k for k in SNIFF_KEYS if params[k] is not None]
        if params['mode'] == 'proxy' and sniff_given:
            errors.append('%s only apply in sniff mode; remove them, or set mode: sniff' % ', '.join(sniff_given))
        elif params['mode'] == 'sniff' and proxy_given:
            errors.append('%s only apply in proxy mode; remove them, or set mode: proxy' % ', '.join(proxy_given))
        elif not params['mode'] and proxy_given and sniff_given:
            errors.append('%s are proxy-mode and %s sniff-mode options; give the options of one mode only'
                          % (', '.join(proxy_given), ', '.join(sniff_given)))
        mode = self.requested_mode()
        if mode is None:
            errors.append('give proxy_address (proxy mode) or seeds (sniff mode): the address of the remote cluster')
        elif mode == 'proxy' and not params['proxy_address']:
            errors.append('proxy mode needs proxy_address, the host:port of the remote cluster (for example '
                          '"<remote endpoint>:9400"), usually with server_name "<remote endpoint>"')
        elif mode == 'sniff' and not params['seeds']:
            errors.append('sniff mode needs seeds, a list of host:port addresses of remote nodes')
        if params['proxy_address']:
            errors.append(check_address(params['proxy_address'], 'proxy_address'))
        if params['proxy']:
            errors.append(check_address(params['proxy'], 'proxy'))
        for index, seed in enumerate(params['seeds'] or []):
            errors.append(check_address(seed, 'seeds[%d]' % index))
        server_name = params['server_name']
        if server_name is not None and (not server_name.strip() or ':' in server_name or any(c.isspace() for c in server_name)):
            errors.append('server_name: %r is not a host name; give the remote endpoint without scheme or port, '
                          'for example "0123abcd.ece.example.com"' % server_name)
        for option in ('proxy_socket_connections', 'node_connections'):
            if params[option] is not None and params[option] < 1:
                errors.append('%s: must be 1 or more, got %d' % (option, params[option]))
        if params['wait_timeout'] < 0:
            errors.append('wait_timeout: must be 0 or more seconds, got %d' % params['wait_timeout'])
        return errors

    def check_version(self, mode, version):
        """Refuse, before any write, what this Elasticsearch version does not have; the warnings about what it has."""
        params = self.params
        if version_tuple(version) < MODE_VERSION:
            if mode == 'proxy':
                self.fail('proxy mode needs Elasticsearch 7.6 or later, but %s runs %s; use mode: sniff with seeds '
                          '["<remote endpoint>:1"] and proxy "<remote endpoint>:<transport passthrough port>" '
                          '(ece_deployment_info returns them as remote_connection.legacy_sniff)' % (self.client.base_url, version))
            if params['node_connections'] is not None:
                self.fail('node_connections needs Elasticsearch 7.6 or later, but %s runs %s; remove it (the node setting '
                          'cluster.remote.connections_per_cluster applies)' % (self.client.base_url, version))
        elif params['proxy'] is not None:
            return ['proxy (sniff mode through a TCP proxy) is a legacy setting; from Elasticsearch 7.6 on, use '
                    'mode: proxy with proxy_address and server_name']
        return []

    def wanted(self, mode, version):
        """The alias's wanted settings as sent (suffix -> JSON value) and the keys of the other mode."""
        params = self.params
        want = {}
        if version_tuple(version) >= MODE_VERSION:
            want['mode'] = mode
        own_keys, other_keys = (PROXY_KEYS, SNIFF_KEYS) if mode == 'proxy' else (SNIFF_KEYS, PROXY_KEYS)
        for key in own_keys:
            if params[key] is not None:
                want[key] = params[key]
        want['skip_unavailable'] = params['skip_unavailable']
        return want, other_keys

    @property
    def prefix(self):
        return 'cluster.remote.%s.' % self.params['alias']

    def read(self):
        """The Elasticsearch version and the alias's keys per scope (``persistent``, ``transient``); in check mode, which
        writes nothing, also its ``_remote/info`` entry as the report shows it (a real run reads it after the writes)."""
        alias = self.params['alias']
        version = self.client.version
        settings = self.client.cluster_settings()
        # search.remote.<alias>.* are its 6.x names, read as a fallback there
        owned = (self.prefix, 'search.remote.%s.' % alias)
        state = dict((scope, dict((k, v) for k, v in (settings.get(scope) or {}).items() if k.startswith(owned)))
                     for scope in ('persistent', 'transient'))
        state['version'] = version
        facts = {}
        if self.check_mode and self.params['state'] == 'present':
            facts['remote_info'] = self.remote_info(alias)
        return Observed(state, facts)

    def plan(self, observed):
        current = observed.object
        warnings = []
        if self.params['state'] == 'present':
            warnings = self.check_version(self.requested_mode(), current['version'])
        desired = self.desired(current)
        transient = desired['request'].get('transient')
        if transient and self.params['state'] == 'present':
            # transient values override persistent ones and are validated on their own: all of the alias's go
            warnings.append('transient settings of remote cluster %s (%s) overrode the persistent ones; they are removed '
                            '(transient settings are no longer recommended)' % (self.params['alias'], ', '.join(sorted(transient))))
        return Plan(observed, desired, bool(desired['request']), warnings)

    def desired(self, current):
        """The alias's keys per scope after the run, and ``request``: the scopes of the settings update, none when the
        settings are as wanted."""
        prefix = self.prefix
        if self.params['state'] == 'absent':
            body = dict((scope, dict((key, None) for key in current[scope])) for scope in ('persistent', 'transient'))
        else:
            body = self.changes(current, prefix, current['version'])
        after = {'version': current['version'], 'request': dict((scope, values) for scope, values in body.items() if values)}
        for scope in ('persistent', 'transient'):
            merged = dict(current[scope])
            merged.update((k, normalize(k[len(prefix):], v)) for k, v in body[scope].items())
            after[scope] = dict((k, v) for k, v in merged.items() if v is not None)
        return after

    def apply(self, current, desired, facts):
        self.client.update_cluster_settings(desired['request'], 'update the settings of remote cluster %s' % self.params['alias'])
        return desired

    def settle(self, after, changed, facts):
        """The alias's ``_remote/info`` entry after the writes: once requests prove the connection with
        ``wait_for_connection``, else as it is."""
        alias = self.params['alias']
        if self.params['state'] != 'present':
            return None
        if self.params['wait_for_connection']:
            return Observed(after, {'remote_info': self.wait_for_connection(alias, changed=changed, remote_cluster=self.view(after))})
        return Observed(after, {'remote_info': self.remote_info(alias)})

    def report(self, current, after, changed, facts):
        return {'elasticsearch_version': current['version'], 'remote_cluster': self.view(after), 'remote_info': facts.get('remote_info')}

    def changes(self, scopes, prefix, version):
        """The PUT body per scope for state present: empty maps when the settings are as wanted."""
        want, other_keys = self.wanted(self.requested_mode(), version)
        wanted = dict((k, normalize(k, v)) for k, v in want.items())

        def wrong(key, value):
            """A stored key that must go: a legacy name, the other mode's key, or a value other than the wanted one."""
            if not key.startswith(prefix):
                return True
            suffix = key[len(prefix):]
            return suffix in other_keys or (suffix in wanted and normalize(suffix, value) != wanted[suffix])

        body = {'persistent': {}, 'transient': {}}
        persistent = scopes['persistent']
        if any(wrong(k, v) for k, v in persistent.items()) or any(prefix + k not in persistent for k in wanted):
            # the whole wanted set (before 7.7 the enabling key had to be in every request), and nulls for what must go;
            # a mode switch has to null the other mode's keys in this same request
            body['persistent'] = dict((prefix + k, v) for k, v in want.items())
            body['persistent'].update((k, None) for k, v in persistent.items()
                                      if wrong(k, v) and not (k.startswith(prefix) and k[len(prefix):] in want))
        transient = scopes['transient']
        if any(wrong(k, v) for k, v in transient.items()):
            body['transient'] = dict((key, None) for key in transient)  # all of the alias's (see plan)
        return body

    def view(self, state):
        """The alias's effective settings without the prefix; transient overrides persistent."""
        prefix = self.prefix
        view = {}
        for scope in ('persistent', 'transient'):
            for key, value in state[scope].items():
                if key.startswith(prefix):
                    view[key[len(prefix):]] = value
        return view

    def remote_info(self, alias):
        return self.client.remote_info().get(alias)

    def wait_for_connection(self, alias, **fields):
        """Wait until cross-cluster requests to ``alias`` succeed through every node of the local cluster (as many in a
        row as it has nodes: its load balancer spreads them over the nodes, and each node has its own connection and
        credentials), within ``wait_timeout``; each probe is one request of its own short timeout. ``_remote/info`` is
        never the verdict: its entry (how the connection is built) is returned, ``connected`` set by the requests.
        ``fields`` go with a failure."""
        timeout, reason = self.params['wait_timeout'], None
        for left in attempts(self.client, 'the connection of remote cluster %s' % alias, timeout):
            connected, reason = connected_through_every_node(self.client, alias, max(1.0, min(PROBE_TIMEOUT, left)))
            if connected:
                return dict(self.remote_info(alias) or {}, connected=True)
        entry = self.remote_info(alias)
        self.fail('remote cluster %s is not connected after %ds: a cross-cluster request failed (%s); check the address and '
                  'server_name, the trust between the deployments (and environments), and for the API-key model the '
                  'credentials the nodes loaded and the cross-cluster API key (_remote/info: %s)'
                  % (alias, timeout, reason, entry if entry else 'the alias is not listed'), remote_info=entry, **fields)


# -- es_cross_cluster_api_key --------------------------------------------------------------------------------------
MIN_VERSION = CREDENTIALS_MIN_VERSION
DAY_MS = 24 * 3600 * 1000
CHECK_MODE_ENCODED = 'check-mode-no-key-created'
OWNER_KEYS = ('local_cluster_id', 'alias')
# metadata that records the expiration asked for: the key shows only when it expires, not the duration it was given
EXPIRATION_KEY = 'requested_expiration'
# metadata of a key that replaces others (a rotation), recorded by the link: ``stored`` once the key is in the local
# keystore, ``loaded`` once every node loaded it; an interrupted rotation is finished from there by the next run
ROTATION_KEY = 'rotation'
ROTATION_STATES = ('stored', 'loaded')
# metadata of the key of a migration that paused replication through its alias (option ccr_pause): the followers (with the
# tuning parameters they ran with) and auto-follow patterns it paused, so that a run interrupted before they were resumed
# leaves the next run to resume exactly those
CCR_PAUSED_KEY = 'ccr_paused'
# metadata of a key that a rotation retired with a grace expiration: no longer the link's key, though still active
RETIRED_KEY = 'retired'
# a key created with an expiration ends within this many milliseconds of its creation plus that duration
EXPIRATION_TOLERANCE_MS = 60000
# the update API takes an expiration from this version on
EXPIRATION_UPDATE_VERSION = '8.13.0'
ACCESS_KINDS = ('search', 'replication')
# an index entry of a cross-cluster API key's access (search entries add query and field_security)
INDEX_ENTRY = dict(names=dict(type='list', elements='str', required=True), allow_restricted_indices=dict(type='bool'))


def owned_by(key, metadata):
    """Whether ``key`` may be the key of the owner ``metadata`` describes: a key that another link of this collection
    owns (another local cluster or alias in its metadata) is not."""
    theirs, mine = key.get('metadata') or {}, metadata or {}
    if theirs.get('managed_by') != MANAGED_BY or mine.get('managed_by') != MANAGED_BY:
        return True
    return all(theirs.get(k) in (None, mine.get(k)) for k in OWNER_KEYS)


def normalize_access(access):
    """Access in a form fit for comparison: both lists present, entries normalised and in a canonical order."""
    access = access or {}
    return dict((kind, normalize_entries(access.get(kind))) for kind in ACCESS_KINDS)


def request_access(access):
    """Access as sent to Elasticsearch: the non-empty lists, entries without null values."""
    return dict((kind, [request_entry(e) for e in access[kind]]) for kind in ACCESS_KINDS if access.get(kind))


def days_left(key, now=None):
    """The days from ``now`` (epoch milliseconds; by default this moment) until ``key`` expires, or None for no key or a
    key that does not expire."""
    if key is None or not key.get('expiration'):
        return None
    return (key['expiration'] - (time.time() * 1000 if now is None else now)) / DAY_MS


def check_key_authentication(api_key):
    """The connection that manages cross-cluster API keys: a user's, as Elasticsearch refuses an API key; a message, or None."""
    if not api_key:
        return None
    return ('Elasticsearch does not accept API-key authentication to manage cross-cluster API keys; connect with '
            'es_username and es_password of a user with the manage_security cluster privilege instead of es_api_key')


def check_rotation(days, expiration):
    """``rotate_before_days`` and ``expiration`` of a key: a key replaced before it expires must live longer than that."""
    if days is None:
        return None
    if days < 0:
        return ('rotate_before_days: %d is negative; give the days before its expiration from which a key is replaced, '
                'e.g. 14' % days)
    if expiration is not None and not check_time_value(expiration, 'expiration') and time_value_ms(expiration) <= days * DAY_MS:
        return ('rotate_before_days: %d days is not shorter than the expiration %s of a new key, so every run would replace '
                'the key; give a longer expiration or fewer days' % (days, expiration))
    return None


class CrossClusterApiKey(Manager):
    api = 'elasticsearch'
    secret_keys = ('encoded', 'api_key')
    argument_spec = dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        access=dict(type='dict', options=dict(
            search=dict(type='list', elements='dict', options=dict(
                INDEX_ENTRY, query=dict(type='raw'), field_security=dict(type='dict'))),
            replication=dict(type='list', elements='dict', options=INDEX_ENTRY),
        )),
        expiration=dict(type='str'),
        metadata=dict(type='dict'),
        rotate=dict(type='bool', default=False),
        rotate_before_days=dict(type='int'),
        invalidate_previous=dict(type='bool', default=False),
    )
    required_if = [('state', 'present', ('access',))]

    def validate(self):
        params = self.params
        errors = [check_metadata_keys(params['metadata'])]
        if not params['name'].strip():
            errors.append('name: must not be empty; give the key a name, e.g. "<alias>-<local cluster id>"')
        if params['expiration'] is not None:
            errors.append(check_time_value(params['expiration'], 'expiration'))
        errors.append(check_rotation(params['rotate_before_days'], params['expiration']))
        # the module's connection (a link checks the connection of its remote side itself)
        errors.append(check_key_authentication(params.get('es_api_key')))
        access = params['access']
        if params['state'] == 'present' and access is not None:
            if not any(access.get(kind) for kind in ACCESS_KINDS):
                errors.append('access: give a non-empty list in access.search or access.replication (or both)')
            for kind in ACCESS_KINDS:
                for index, entry in enumerate(access.get(kind) or []):
                    where = 'access.%s[%d]' % (kind, index)
                    if not [n for n in entry['names'] if n]:
                        errors.append('%s.names: give at least one index name or pattern, for example ["logs-*"]' % where)
                    errors.append(check_query(entry.get('query'), where + '.query'))
                    errors.append(check_field_security(entry.get('field_security'), where + '.field_security'))
            if access.get('replication') and restricted_search(access):
                errors.append('access: search with query or field_security cannot be combined with replication in one key; '
                              'drop the document/field level security or create a second key for replication')
        return errors

    def find_active_keys(self):
        """The active cross-cluster keys with exactly this name that no other owner claims, newest first."""
        name = self.params['name']
        now = time.time() * 1000
        keys = [k for k in self.client.api_keys_named(name) if k.get('name') == name and self.active_and_ours(k, now)]
        return sorted(keys, key=lambda k: k.get('creation') or 0, reverse=True)

    def active_and_ours(self, key, now):
        """Whether ``key`` is an active cross-cluster key of this owner that no rotation retired."""
        if key.get('type') != 'cross_cluster' or key.get('invalidated'):
            return False
        if key.get('expiration') and key['expiration'] <= now:
            return False
        return owned_by(key, self.params['metadata']) and RETIRED_KEY not in (key.get('metadata') or {})

    def desired_metadata(self, current=None):
        """The metadata to write: the given one (else the current one), with the requested expiration recorded."""
        params = self.params
        metadata = params['metadata'] if params['metadata'] is not None else (current or {}).get('metadata') or {}
        metadata = dict(metadata)
        if params['expiration'] is not None:
            metadata[EXPIRATION_KEY] = params['expiration']
        elif EXPIRATION_KEY in ((current or {}).get('metadata') or {}):
            metadata.setdefault(EXPIRATION_KEY, current['metadata'][EXPIRATION_KEY])
        for kept in (ROTATION_KEY, CCR_PAUSED_KEY):  # the link's records of an unfinished rotation or migration
            if kept in ((current or {}).get('metadata') or {}):
                metadata.setdefault(kept, current['metadata'][kept])
        return metadata

    @staticmethod
    def interrupted_rotation(current):
        """Whether ``current`` (newest first) is a rotation that an earlier run began and did not finish: the newest key is
        recorded as stored in the keystore, and older ones are still active."""
        return len(current) > 1 and (current[0].get('metadata') or {}).get(ROTATION_KEY) in ROTATION_STATES

    def expiration_changed(self, current):
        """Whether the expiration asked for differs from the one the key was given (recorded in its metadata, or for a key
        without that record, its lifetime from creation to expiration)."""
        wanted = self.params['expiration']
        if wanted is None:
            return False
        recorded = (current.get('metadata') or {}).get(EXPIRATION_KEY)
        if recorded is not None:
            return recorded != wanted
        if not current.get('expiration') or not current.get('creation'):
            return True
        return abs(current['expiration'] - current['creation'] - time_value_ms(wanted)) > EXPIRATION_TOLERANCE_MS

    def read(self):
        """The active keys of this name and owner, newest first; the cluster's ``version`` and the time of the read
        (``now``, epoch milliseconds: how soon a key expires)."""
        if not self.client.version_at_least(MIN_VERSION):
            self.fail('cross-cluster API keys need Elasticsearch 8.10 or later, but %s runs %s; use the TLS-certificate '
                      'model for this cluster' % (self.client.base_url, self.client.version))
        return Observed(self.find_active_keys(), {'version': self.client.version, 'now': time.time() * 1000})

    def plan(self, observed):
        """The active keys after the run, newest first: none (absent); a new key (``id`` None) and the keys it replaces
        unless they are invalidated; or the newest key with the wanted access and metadata, and the others."""
        current, facts = observed
        params = self.params
        if params['state'] == 'absent':
            return Plan(observed, [], self.differs(current, []), ())
        warnings = []
        # several keys of one owner (this collection's metadata): left by two runs that created one at the same time; a
        # new key replaces them all, and the caller invalidates them once it is in use (rotation)
        replace = len(current) > 1 and (params['metadata'] or {}).get('managed_by') == MANAGED_BY
        if replace and self.interrupted_rotation(current):
            # the newest key is in the keystore already: finishing that rotation is the rotation asked for
            warnings.append('finishing the rotation an earlier run began: key %s (%s) replaces %s' % (
                current[0]['id'], current[0]['metadata'][ROTATION_KEY], ', '.join(k['id'] for k in current[1:])))
            desired = [dict(current[0], access=params['access'], metadata=self.desired_metadata(current[0]))] + current[1:]
            return Plan(observed, desired, self.differs(current, desired), warnings)
        if len(current) > 1 and (replace or not (params['rotate'] and params['invalidate_previous'])):
            warnings.append('%d active cross-cluster API keys are named %s (%s); %s' % (
                len(current), params['name'], ', '.join(k['id'] for k in current),
                'a new key replaces them' if replace else 'managing the newest. Invalidate the others with state: absent (and '
                'create one again), or with rotate: true and invalidate_previous: true'))
        key = current[0] if current else None
        days, before = days_left(key, facts['now']), params['rotate_before_days']
        expiring = days is not None and before is not None and days <= before
        if expiring:
            warnings.append('the cross-cluster API key %s expires in %.1f days (rotate_before_days: %d): a new key replaces it'
                            % (key['id'], days, before))
        if key is None or params['rotate'] or replace or expiring:
            new = {'id': None, 'name': params['name'], 'access': params['access'], 'metadata': self.desired_metadata()}
            desired = [new] + ([] if params['invalidate_previous'] else current)
            return Plan(observed, desired, self.differs(current, desired), warnings)
        if self.expiration_changed(key) and version_tuple(facts['version']) < version_tuple(EXPIRATION_UPDATE_VERSION):
            self.fail('expiration: the key %s exists with another expiration, and Elasticsearch %s cannot change the '
                      'expiration of a key (8.13 and later can); set rotate: true to replace the key by one with this '
                      'expiration' % (key['id'], facts['version']))
        desired = [dict(key, access=params['access'], metadata=self.desired_metadata(key))] + current[1:]
        return Plan(observed, desired, self.differs(current, desired), warnings)

    def apply(self, current, desired, facts):
        """Create or update the newest key, then invalidate the keys that ``desired`` no longer lists."""
        key = desired[0] if desired else None
        if key is not None and key['id'] is None:
            key = self.create_key(key, current)
        elif key is not None:
            key = self.update_key(current[0], key)
        kept = set(k['id'] for k in desired)
        gone = [k['id'] for k in current if k['id'] not in kept]
        if gone:
            self.client.invalidate_api_keys(gone)
        return ([key] if key else []) + desired[1:]

    def report(self, current, after, changed, facts):
        key = after[0] if after else None
        ids = [k['id'] for k in current]
        created = key is not None and key['id'] not in ids
        remaining = set(k['id'] for k in after)
        days = days_left(current[0], facts['now']) if self.params['state'] == 'present' and current else None
        return {
            'id': key['id'] if key else None,
            'name': self.params['name'],
            'created': created,
            # Elasticsearch's own verdict in a real run (see update_key)
            'updated': key is not None and not created and self.view(after) != self.view(current),
            # the keys a new one replaces (or replaced, in a rotation an earlier run began): invalidated now when asked,
            # else left to the caller (once the new key is in use)
            'previous_ids': ids if created else [i for i in ids[1:] if i in remaining] if self.interrupted_rotation(current) else [],
            'rotation': ((key.get('metadata') or {}).get(ROTATION_KEY) if key and not created else None),
            'ccr_paused': ((key.get('metadata') or {}).get(CCR_PAUSED_KEY) if key and not created else None),
            'invalidated_ids': [i for i in ids if i not in remaining],
            # check mode creates no key, so no secret: a stand-in, so that a task that stores it predicts its change as the
            # real run makes it
            'encoded': (CHECK_MODE_ENCODED if self.check_mode else key.get('encoded')) if created else None,
            'expiration': key.get('expiration') if key else None,
            'expires_in_days': round(days, 1) if days is not None else None,
        }

    def create_key(self, key, previous):
        params = self.params
        body = {'name': params['name'], 'access': request_access(params['access']), 'metadata': key['metadata']}
        if params['expiration'] is not None:
            body['expiration'] = params['expiration']
        known = set(k['id'] for k in previous)
        created = self.client.write_once('create the cross-cluster API key %s' % params['name'],
                                         lambda: self.client.create_cross_cluster_api_key(body), lambda: self.drop_orphans(known))
        # the secret must never reach a message, even one about a later failure
        self.client.add_secret(created.get('encoded'))
        self.client.add_secret(created.get('api_key'))
        self.keep_one(created, known)
        return dict(key, id=created.get('id'), encoded=created.get('encoded'), expiration=created.get('expiration'))

    def drop_orphans(self, known):
        """After a create answered in a way that may come after the key was made: a key made then has a secret nobody got,
        so it is invalidated, and None tells ``write_once`` to create the key again."""
        orphans = [k['id'] for k in self.find_active_keys() if k['id'] not in known]
        if orphans:
            self.client.invalidate_api_keys(orphans, 'invalidate the cross-cluster API keys %s, created by a request whose '
                                                     'answer was lost' % ', '.join(orphans))
        return None

    def keep_one(self, created, known):
        """Another run that created a key of this owner at the same time: every run keeps the same key (the lowest ID); a
        run whose key is not that one invalidates its own key and fails before storing it anywhere."""
        if (self.params['metadata'] or {}).get('managed_by') != MANAGED_BY:
            return  # a key without an owner may have namesakes
        rivals = [k['id'] for k in self.find_active_keys() if k['id'] not in known and k['id'] != created.get('id')]
        if not rivals or created.get('id') < min(rivals):
            return
        self.client.invalidate_api_keys([created['id']], 'invalidate the cross-cluster API key %s of this run' % created['id'])
        raise ApiError('create the cross-cluster API key %s: another run created key %s for the same owner at the same time; '
                       'this run\'s key (%s) was invalidated and stored nowhere, and the other run stores its own. Run again '
                       'once the other run is finished to check the link' % (self.params['name'], min(rivals), created['id']))

    def update_key(self, current, key):
        """Update ``current`` to ``key``; returns ``current`` when Elasticsearch found nothing to change after all."""
        params = self.params
        # access goes with every update (the API reference has it required); the same access changes nothing
        body = {'access': request_access(params['access'])}
        if key['metadata'] != (current.get('metadata') or {}):
            body['metadata'] = key['metadata']
        if self.expiration_changed(current):
            body['expiration'] = params['expiration']
        response = self.client.update_cross_cluster_api_key(current['id'], body)
        return key if (response or {}).get('updated', True) else current

    def changed_by(self, current, after):
        return self.differs(current, after)  # an update that Elasticsearch answered with updated false changed nothing

    def view(self, state):
        """The managed key (the newest) as the diff shows it: never a secret."""
        if not state:
            return {}
        key = state[0]
        return {'id': key.get('id'), 'name': key.get('name'), 'access': normalize_access(key.get('access')),
                'metadata': key.get('metadata') or {}}


# -- es_role -------------------------------------------------------------------------------------------------------
ENTRY_OPTIONS = ('indices', 'remote_indices')
# option -> minimum version; sending the field to an older cluster fails with "unexpected field"
GATED = {'remote_indices': '8.10.0', 'remote_cluster': '8.15.0', 'description': '8.15.0'}
# an entry of a role's indices (remote_indices entries add clusters)
PRIVILEGES_ENTRY = dict(
    names=dict(type='list', elements='str', required=True),
    privileges=dict(type='list', elements='str', required=True),
    query=dict(type='raw'),
    field_security=dict(type='dict'),
    allow_restricted_indices=dict(type='bool'),
)
MANAGED = ('cluster', 'indices', 'remote_indices', 'remote_cluster', 'run_as', 'metadata', 'description')


def normalize_role(role):
    """A role in a form fit for comparison; missing fields are empty, the read-only transient_metadata is dropped."""
    role = role or {}
    return {
        'cluster': string_set(role.get('cluster')),
        'indices': normalize_entries(role.get('indices')),
        'remote_indices': normalize_entries(role.get('remote_indices')),
        'remote_cluster': normalize_entries(role.get('remote_cluster')),
        'run_as': string_set(role.get('run_as')),
        'metadata': role.get('metadata') or {},
        'description': role.get('description') or '',
        'applications': normalize_entries(role.get('applications')),
        'global': role.get('global') or {},
    }


class PreviousKeys(Manager):
    """The cross-cluster API keys that a new key of a link replaces, retired once the new one is in use: invalidated, or
    with ``grace`` given an expiration that far away (the update API takes one from 8.13), so that a node that still holds
    an old key keeps working until then."""

    api = 'elasticsearch'
    argument_spec = dict(
        name=dict(type='str', required=True),
        ids=dict(type='list', elements='str', required=True),
        grace=dict(type='str'),
    )

    def read(self):
        """The given keys that are still active, with what their retirement needs (access, expiration, metadata)."""
        keys = [k for k in self.client.api_keys_named(self.params['name']) if k['id'] in self.params['ids']]
        if self.params['grace'] is None:
            return keys
        # a key that expires within the grace already is left as it is
        limit = time.time() * 1000 + time_value_ms(self.params['grace'])
        return [k for k in keys if not k.get('expiration') or k['expiration'] > limit + EXPIRATION_TOLERANCE_MS]

    def desired(self, current):
        return []

    def apply(self, current, desired, facts):
        ids = [k['id'] for k in current]
        if self.params['grace'] is None:
            self.client.invalidate_api_keys(ids, 'invalidate the previous cross-cluster API keys %s' % ', '.join(ids))
            return []
        for key in current:
            self.client.update_cross_cluster_api_key(key['id'], {
                'access': request_access(normalize_access(key.get('access'))), 'expiration': self.params['grace'],
                'metadata': dict(key.get('metadata') or {}, **{RETIRED_KEY: True})})
        return []

    def report(self, current, after, changed, facts):
        ids = [k['id'] for k in current]
        if self.params['grace'] is None:
            return {'invalidated_ids': ids, 'expiring_ids': []}
        return {'invalidated_ids': [], 'expiring_ids': ids}

    def view(self, state):
        return {'active_ids': [k['id'] for k in state]}


class RotationMark(Manager):
    """How far a rotation got, recorded in the new key's metadata (``rotation``: ``stored`` once it is in the local
    keystore, ``loaded`` once every node loaded it), so that an interrupted rotation is finished by the next run, not
    begun again; and what a migration paused of the replication through the alias (``ccr_paused``; an empty record
    removes it), so that the next run resumes exactly that."""

    api = 'elasticsearch'
    argument_spec = dict(
        name=dict(type='str', required=True),
        id=dict(type='str', required=True),
        state=dict(type='str', choices=list(ROTATION_STATES)),
        ccr_paused=dict(type='dict'),
    )

    def read(self):
        keys = [k for k in self.client.api_keys_named(self.params['name']) if k['id'] == self.params['id']]
        if not keys:
            self.fail('the cross-cluster API key %s (%s) is gone; run the task again to create a key for the link'
                      % (self.params['id'], self.params['name']))
        return keys[0]

    def desired(self, current):
        metadata = dict(current.get('metadata') or {})
        if self.params['state'] is not None:
            metadata[ROTATION_KEY] = self.params['state']
        paused = self.params['ccr_paused']
        if paused is not None:
            metadata[CCR_PAUSED_KEY] = paused
            if not any(paused.values()):
                del metadata[CCR_PAUSED_KEY]
        return dict(current, metadata=metadata)

    def differs(self, current, desired):
        return self.view(current) != self.view(desired)

    def apply(self, current, desired, facts):
        self.client.update_cross_cluster_api_key(current['id'], {'access': request_access(normalize_access(current.get('access'))),
                                                                 'metadata': desired['metadata']})
        return desired

    def view(self, state):
        metadata = state.get('metadata') or {}
        return {'id': state.get('id'), ROTATION_KEY: metadata.get(ROTATION_KEY), CCR_PAUSED_KEY: metadata.get(CCR_PAUSED_KEY)}


class Role(Manager):
    api = 'elasticsearch'
    argument_spec = dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        cluster=dict(type='list', elements='str'),
        indices=dict(type='list', elements='dict', options=PRIVILEGES_ENTRY),
        remote_indices=dict(type='list', elements='dict', options=dict(
            PRIVILEGES_ENTRY, clusters=dict(type='list', elements='str', required=True))),
        remote_cluster=dict(type='list', elements='dict', options=dict(
            clusters=dict(type='list', elements='str', required=True),
            privileges=dict(type='list', elements='str', required=True),
        )),
        run_as=dict(type='list', elements='str'),
        metadata=dict(type='dict'),
        description=dict(type='str'),
    )

    def validate(self):
        params = self.params
        errors = [check_metadata_keys(params['metadata'])]
        if not params['name'] or len(params['name']) > 507:
            errors.append('name: a role name has 1 to 507 characters')
        for option in ENTRY_OPTIONS:
            for index, entry in enumerate(params[option] or []):
                where = '%s[%d]' % (option, index)
                for key in ('clusters', 'names', 'privileges'):
                    if key in entry and not [v for v in entry[key] if v]:
                        errors.append('%s.%s: must not be empty' % (where, key))
                errors.append(check_query(entry.get('query'), where + '.query'))
                errors.append(check_field_security(entry.get('field_security'), where + '.field_security'))
        for index, entry in enumerate(params['remote_cluster'] or []):
            for key in ('clusters', 'privileges'):
                if not [v for v in entry[key] if v]:
                    errors.append('remote_cluster[%d].%s: must not be empty' % (index, key))
        return errors

    def check_version(self):
        """Read the version only when a version-gated option is given, and refuse what the cluster cannot store."""
        used = [option for option in GATED if self.params[option]]
        too_new = [option for option in used if not self.client.version_at_least(GATED[option])]
        if too_new:
            self.fail('%s, but %s runs %s; remove %s, or upgrade the cluster' % (
                '; '.join('%s needs Elasticsearch %s or later' % (option, GATED[option]) for option in too_new),
                self.client.base_url, self.client.version, ', '.join(too_new)))

    def read(self):
        if self.params['state'] == 'present':
            self.check_version()
        return self.client.get_role(self.params['name'])

    def desired(self, current):
        if self.params['state'] == 'absent':
            return None
        body = dict((k, v) for k, v in (current or {}).items() if k != 'transient_metadata')
        for option in MANAGED:
            if self.params[option] is not None:
                value = self.params[option]
                if option in ENTRY_OPTIONS or option == 'remote_cluster':
                    value = [request_entry(e) for e in value]
                body[option] = value
        # a version-gated field left empty is the same as a missing one, and only the missing one works on older versions
        for option in GATED:
            if option in body and not body[option]:
                del body[option]
        return body

    def differs(self, current, desired):
        if desired is None:
            return current is not None
        return current is None or self.view(current) != self.view(desired)

    def apply(self, current, desired, facts):
        if desired is None:
            self.client.delete_role(self.params['name'])
        else:
            self.client.put_role(self.params['name'], desired)
        return desired

    def report(self, current, after, changed, facts):
        return {'role': self.view(after) if after is not None else None,
                'created': changed and current is None and after is not None}

    def view(self, state):
        return normalize_role(state) if state is not None else {}
