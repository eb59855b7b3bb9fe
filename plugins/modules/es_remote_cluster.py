#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: es_remote_cluster
short_description: Manage a remote cluster of an Elasticsearch cluster through its cluster settings
version_added: 0.1.0
description:
  - Creates, updates or removes the persistent cluster settings C(cluster.remote.<alias>.*) that connect an Elasticsearch
    cluster (the local, querying cluster) to a remote cluster, in proxy mode or in sniff mode.
  - Reads the version (C(GET /)) and both scopes of C(GET /_cluster/settings?flat_settings=true), compares them as
    Elasticsearch stores them (strings), and sends C(PUT /_cluster/settings) only when something differs.
  - Only the keys of this alias are touched. A mode switch sets the other mode's keys to null in the same request, as
    Elasticsearch requires. Keys of the alias left in the C(transient) scope that would override the wanted values are
    removed (transient settings are no longer recommended); the module writes C(persistent) settings only.
  - Works with Elasticsearch 6.8 to 9.x. Proxy mode exists from 7.6; older clusters use sniff mode, optionally through
    a TCP proxy (O(proxy)).
  - The API-key security model also needs the cross-cluster API key in the keystore as C(cluster.remote.<alias>.credentials)
    (see M(ece.remote_clusters.ece_keystore_secret)); that secure setting is never touched here.
options:
  alias:
    description:
      - Name of the remote cluster on the local cluster, as used in C(<alias>:<index>) searches and role C(clusters) patterns.
      - Lower-case letters, digits, C(_) and C(-) only.
    type: str
    required: true
  state:
    description:
      - V(present) configures the remote cluster as given.
      - V(absent) removes every C(cluster.remote.<alias>.*) setting of the alias, in both scopes. A remote cluster defined
        in C(elasticsearch.yml) cannot be removed through the API.
    type: str
    choices: [present, absent]
    default: present
  mode:
    description:
      - Connection mode.
      - V(proxy) connects through one address (O(proxy_address)), for example the ECE proxy. Needs Elasticsearch 7.6 or later;
        requested on an older cluster it fails before any write.
      - V(sniff) connects to O(seeds) and discovers the remote nodes from there.
      - When not set, the mode follows from the options given, V(proxy) with O(proxy_address), V(sniff) with O(seeds).
    type: str
    choices: [proxy, sniff]
  proxy_address:
    description:
      - Proxy mode, C(host:port) of the remote cluster, for example V(0123456789abcdef0123456789abcdef.ece.example.com:9300)
        for the TLS-certificate model or port 9443 for the API-key model.
      - Required in proxy mode.
    type: str
  server_name:
    description:
      - Proxy mode, the host name sent as TLS server name (SNI), without a port. ECE routes on it, so set it to the remote
        cluster's endpoint.
      - When not set, a value already stored is kept.
    type: str
  proxy_socket_connections:
    description:
      - Proxy mode, the number of sockets to open to the remote cluster (Elasticsearch's default is 18).
      - When not set, a value already stored is kept.
    type: int
  seeds:
    description:
      - Sniff mode, C(host:port) addresses of remote nodes to start discovery from.
      - Required in sniff mode.
      - With the ECE proxy on Elasticsearch 6.7 to 7.5 this is V(<endpoint>:1), together with O(proxy).
    type: list
    elements: str
  proxy:
    description:
      - Sniff mode, C(host:port) of a TCP proxy through which every connection to the remote nodes goes (the legacy way of
        Elasticsearch 6.7 to 7.5 to reach a remote cluster behind the ECE proxy, for example
        V(<endpoint>:<transport passthrough port>)).
      - From Elasticsearch 7.6, use O(mode=proxy) instead; the module warns when this option is used there.
    type: str
  node_connections:
    description:
      - Sniff mode, the number of remote nodes to connect to (Elasticsearch's default is 3). Needs Elasticsearch 7.6 or later.
      - When not set, a value already stored is kept.
    type: int
  skip_unavailable:
    description:
      - Whether searches across clusters skip this remote cluster when it cannot be reached instead of failing.
      - Always written, because Elasticsearch's default changed from false to true in 8.15; an unset value would change
        behaviour when the local cluster is upgraded.
    type: bool
    default: false
  wait_for_connection:
    description:
      - After the change (and also when nothing changed), poll C(GET /_remote/info) every second until the alias is connected,
        and fail after O(wait_timeout) seconds naming the alias and the last state Elasticsearch reported.
      - Not done in check mode; the module then reads C(GET /_remote/info) once.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the connection with O(wait_for_connection=true).
    type: int
    default: 60
notes:
  - Needs the C(manage) cluster privilege (C(monitor) to read only, as in check mode).
  - Settings of this alias other than those named here (for example C(transport.compress)) are left as they are, unless a
    mode switch makes them invalid.
extends_documentation_fragment:
  - ece.remote_clusters.elasticsearch
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ELASTICSEARCH
seealso:
  - module: ece.remote_clusters.ece_deployment_info
    description: Returns, per Elasticsearch resource, C(remote_connection) with the proxy address and server name to use here.
  - module: ece.remote_clusters.ece_remote_clusters
    description: The ECE API way of defining remote clusters between deployments of the same ECE environment.
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Connect to a cluster of another ECE environment in proxy mode (TLS-certificate model)
  ece.remote_clusters.es_remote_cluster:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    alias: ece_b_logs
    mode: proxy
    proxy_address: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9300
    server_name: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com
    skip_unavailable: true
    wait_for_connection: true

- name: Connect a 7.5 cluster through the ECE proxy (legacy sniff mode)
  ece.remote_clusters.es_remote_cluster:
    es_url: https://0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_legacy_password }}"
    alias: ece_b_logs
    mode: sniff
    seeds:
      - 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:1
    proxy: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9400

- name: Remove the remote cluster
  ece.remote_clusters.es_remote_cluster:
    es_url: https://3f1c6a7e5b2d4c0e9a8b7c6d5e4f3a2b.ece-a.example.com:9243
    es_username: elastic
    es_password: "{{ vault_cluster_a_password }}"
    alias: ece_b_logs
    state: absent
'''

RETURN = r'''
remote_cluster:
  description:
    - The alias's effective settings after the run (predicted in check mode), without the C(cluster.remote.<alias>.) prefix,
      as Elasticsearch stores them (strings, and lists of strings for C(seeds)). Transient values override persistent ones.
    - Empty when the alias has no settings.
  returned: always
  type: dict
  sample:
    mode: proxy
    proxy_address: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9300
    server_name: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com
    skip_unavailable: 'true'
remote_info:
  description:
    - The alias's entry of C(GET /_remote/info) at the end of the run (the last one polled with O(wait_for_connection=true)),
      null when the alias is not listed or O(state=absent).
    - In check mode it shows the connection before the predicted change.
  returned: always
  type: dict
  sample:
    connected: true
    mode: proxy
    proxy_address: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9300
    server_name: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com
    num_proxy_sockets_connected: 18
    max_proxy_socket_connections: 18
    initial_connect_timeout: 30s
    skip_unavailable: true
elasticsearch_version:
  description: Version of the local Elasticsearch cluster.
  returned: always
  type: str
  sample: 8.15.3
'''

import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._common import check_alias, version_tuple
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import RemoteClustersModule

PROXY_KEYS = ('proxy_address', 'server_name', 'proxy_socket_connections')
SNIFF_KEYS = ('seeds', 'node_connections', 'proxy')
LIST_KEYS = ('seeds',)
# the mode setting and proxy mode exist from this version on
MODE_VERSION = (7, 6, 0)
POLL_INTERVAL = 1.0


def check_address(value, option):
    """``host:port`` with a port 1..65535, as Elasticsearch parses remote addresses; a message, or None."""
    text = str(value)
    host, sep, port = text.rpartition(':')
    if (not sep or not host.strip() or not port.isdigit() or not 1 <= int(port) <= 65535 or any(c.isspace() for c in text)
            or '/' in host):  # no scheme (https://) or path: a transport address is host:port only
        return ('%s: %r is not an address like "remote.example.com:9300"; write host:port with a port from 1 to 65535 '
                '(9300 for the TLS-certificate model, 9443 for the API-key model on ECE)' % (option, text))
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


class RemoteCluster(RemoteClustersModule):
    api = 'elasticsearch'

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
                          '"<remote endpoint>:9300"), usually with server_name "<remote endpoint>"')
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
        """Refuse, before any write, what this Elasticsearch version does not have."""
        params = self.params
        if version_tuple(version) < MODE_VERSION:
            if mode == 'proxy':
                self.fail('proxy mode needs Elasticsearch 7.6 or later, but %s runs %s; use mode: sniff with seeds '
                          '["<remote endpoint>:1"] and proxy "<remote endpoint>:<transport passthrough port>" '
                          '(ece_deployment_info returns them as remote_connection.legacy_sniff)' % (params['es_url'], version))
            if params['node_connections'] is not None:
                self.fail('node_connections needs Elasticsearch 7.6 or later, but %s runs %s; remove it (the node setting '
                          'cluster.remote.connections_per_cluster applies)' % (params['es_url'], version))
        elif params['proxy'] is not None:
            self.module.warn('proxy (sniff mode through a TCP proxy) is a legacy setting; from Elasticsearch 7.6 on, use '
                             'mode: proxy with proxy_address and server_name')

    def desired(self, mode, version):
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

    def execute(self):
        params = self.params
        alias = params['alias']
        prefix = 'cluster.remote.%s.' % alias
        version = self.client.version
        self.result['elasticsearch_version'] = version
        if params['state'] == 'present':
            self.check_version(self.requested_mode(), version)
        settings = self.client.get('/_cluster/settings', 'read the cluster settings', params={'flat_settings': 'true'})
        # the alias's keys per scope; search.remote.<alias>.* are its 6.x names, read as a fallback there
        owned = (prefix, 'search.remote.%s.' % alias)
        scopes = dict((scope, dict((k, v) for k, v in (settings.get(scope) or {}).items() if k.startswith(owned)))
                      for scope in ('persistent', 'transient'))

        if params['state'] == 'absent':
            body = dict((scope, dict((key, None) for key in values)) for scope, values in scopes.items())
        else:
            body = self.changes(scopes, prefix, version)

        after_scopes = {}
        for scope, values in scopes.items():
            merged = dict(values)
            merged.update((k, normalize(k[len(prefix):], v)) for k, v in body[scope].items())
            after_scopes[scope] = dict((k, v) for k, v in merged.items() if v is not None)
        after = self.view(after_scopes, prefix)

        request = dict((scope, values) for scope, values in body.items() if values)
        if request:
            self.set_changed()
            if not self.check_mode:
                self.client.request('PUT', '/_cluster/settings', 'update the settings of remote cluster %s' % alias, body=request)
        self.result['remote_cluster'] = after
        self.set_diff(self.view(scopes, prefix), after)

        self.result['remote_info'] = None
        if params['state'] == 'present':
            if params['wait_for_connection'] and not self.check_mode:
                self.result['remote_info'] = self.wait_for_connection(alias)
            else:
                self.result['remote_info'] = self.remote_info(alias)

    def changes(self, scopes, prefix, version):
        """The PUT body per scope for state present: empty maps when the settings are as wanted."""
        alias = self.params['alias']
        want, other_keys = self.desired(self.requested_mode(), version)
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
            # transient values override persistent ones and are validated on their own: remove all of the alias's
            body['transient'] = dict((key, None) for key in transient)
            self.module.warn('transient settings of remote cluster %s (%s) overrode the persistent ones; they are removed '
                             '(transient settings are no longer recommended)' % (alias, ', '.join(sorted(transient))))
        return body

    @staticmethod
    def view(scopes, prefix):
        """The alias's effective settings without the prefix; transient overrides persistent."""
        view = {}
        for scope in ('persistent', 'transient'):
            for key, value in scopes[scope].items():
                if key.startswith(prefix):
                    view[key[len(prefix):]] = value
        return view

    def remote_info(self, alias):
        info = self.client.get('/_remote/info', 'read the remote cluster connections')
        return (info or {}).get(alias)

    def wait_for_connection(self, alias):
        timeout = self.params['wait_timeout']
        deadline = time.monotonic() + timeout
        while True:
            entry = self.remote_info(alias)
            if entry and entry.get('connected'):
                return entry
            if time.monotonic() >= deadline:
                state = ('last _remote/info entry: %s' % entry) if entry else 'the alias is not listed in _remote/info'
                self.fail('remote cluster %s is not connected after %ds (%s); check the address and server_name, the trust '
                          'between the deployments (and environments), and for the API-key model the credentials in the '
                          'keystore' % (alias, timeout, state), changed=self.result['changed'],
                          remote_cluster=self.result.get('remote_cluster'), remote_info=entry)
            self.client.sleep(POLL_INTERVAL)


def main():
    RemoteCluster(dict(
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
    )).run()


if __name__ == '__main__':
    main()
