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
version_added: 1.0.0
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
      - Proxy mode, C(host:port) of the remote cluster, for example V(0123456789abcdef0123456789abcdef.ece.example.com:9400)
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
      - After the change (and also when nothing changed), wait until cross-cluster requests to the alias (C(GET
        /_resolve/cluster/<alias>:*) from Elasticsearch 8.13 on, before that a search of the remote cluster that matches
        no index) succeed through every node of the local cluster, and fail after
        O(wait_timeout) seconds naming the alias, why the last request failed and what C(GET /_remote/info) reported.
        C(_remote/info) alone is not the verdict, since it can say connected while the requests fail.
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
    proxy_address: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9400
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
    proxy_address: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9400
    server_name: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com
    skip_unavailable: 'true'
remote_info:
  description:
    - The alias's entry of C(GET /_remote/info) at the end of the run, null when the alias is not listed or
      O(state=absent). With O(wait_for_connection=true), C(connected) is true only because the cross-cluster requests
      through every node succeeded.
    - In check mode it shows the connection before the predicted change.
  returned: always
  type: dict
  sample:
    connected: true
    mode: proxy
    proxy_address: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d.ece-b.example.com:9400
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

from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import RemoteCluster
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(RemoteCluster)


if __name__ == '__main__':
    main()
