# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input, module by module and option by option: every case fails before any request, with a message that
names the option and says how to fix it.

Each case starts from a valid set of options for the module (``test_every_baseline_is_valid`` proves it valid) and
spoils one option: an ID, an alias, a PEM, a version, a URL, a port or a list.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

import pytest

ECE_MODULES = ('ece_deployment_info', 'ece_deployment_restart', 'ece_deployment_trust', 'ece_keystore_secret',
               'ece_remote_clusters', 'ece_tls_certificate_info', 'ece_trust_relationship', 'ece_trust_relationship_info')
ES_MODULES = ('es_ccr_auto_follow_pattern', 'es_ccr_follower', 'es_ccr_info', 'es_cross_cluster_api_key', 'es_remote_cluster', 'es_role')
LINK_MODULES = ('remote_cluster_link', 'remote_clusters_rollout')
PEM = '<a CA certificate of the simulator>'  # replaced by the certificate itself


# -- valid options per module ----------------------------------------------------------------------------------------
def deployment(conn, env, name):
    return conn.deployment(env, name)


def baseline(module, conn, sim):
    """Options that are valid for ``module`` (against environment ece-a, or a cluster that supports the module)."""
    search_a = deployment(conn, 'ece-a', 'search-a')
    env_b = sim.info['environments']['ece-b']
    options = {
        'ece_deployment_info': lambda: conn.ece('ece-a', deployment_id=search_a['id']),
        'ece_deployment_restart': lambda: conn.ece('ece-a', deployment_id=search_a['id']),
        'ece_deployment_trust': lambda: conn.ece('ece-a', deployment_id=search_a['id'], accounts=[
            {'account_id': sim.info['environments']['ece-a']['account_id'], 'trust_all': True}]),
        'ece_keystore_secret': lambda: conn.ece('ece-a', deployment_id=search_a['id'], remote_cluster_alias='ece_b_data',
                                                value='not-a-real-key'),
        'ece_remote_clusters': lambda: conn.ece('ece-a', deployment_id=search_a['id'], remote_clusters=[
            {'alias': 'logs_a', 'deployment_id': deployment(conn, 'ece-a', 'logs-a')['id']}]),
        'ece_tls_certificate_info': lambda: conn.ece('ece-a'),
        'ece_trust_relationship': lambda: conn.ece('ece-a', name='ece-b', installation_id=env_b['environment_id'],
                                                   certificate=PEM, account_ids=[env_b['account_id']]),
        'ece_trust_relationship_info': lambda: conn.ece('ece-a'),
        'es_ccr_auto_follow_pattern': lambda: conn.es('ece-a', 'search-a', name='logs-from-b', remote_cluster='ece_b_data',
                                                      leader_index_patterns=['logs-*'], follow_index_pattern='{{leader_index}}-copy'),
        'es_ccr_follower': lambda: conn.es('ece-a', 'search-a', name='orders-copy', remote_cluster='ece_b_data', leader_index='orders',
                                           max_read_request_size='32mb', max_retry_delay='500ms'),
        'es_ccr_info': lambda: conn.es('ece-a', 'search-a', followers=['orders-*']),
        'es_cross_cluster_api_key': lambda: conn.es('ece-b', 'ingest-b', name='ece_b_ingest-key',
                                                    access={'search': [{'names': ['logs-*']}]}),
        'es_remote_cluster': lambda: conn.es('ece-a', 'search-a', alias='ece_b_data', mode='proxy',
                                             proxy_address='0123abcd.ece-b.example.com:9300',
                                             server_name='0123abcd.ece-b.example.com'),
        'es_role': lambda: conn.es('ece-a', 'search-a', name='remote-logs-reader', cluster=['monitor'],
                                   indices=[{'names': ['logs-*'], 'privileges': ['read']}],
                                   remote_indices=[{'clusters': ['ece_b_data'], 'names': ['logs-*'], 'privileges': ['read']}]),
        'remote_cluster_link': lambda: dict(
            model='api_key', alias='ece_b_data', access={'search': [{'names': ['logs-*']}]}, role={'name': 'ece-b-reader'},
            local=dict(deployment_id=search_a['id'], ece=conn.ece('ece-a'), es=conn.es('ece-a', 'search-a')),
            remote=dict(deployment_id=deployment(conn, 'ece-b', 'data-b')['id'], environment='ece-b', ece=conn.ece('ece-b'),
                        es=conn.es('ece-b', 'data-b'))),
    }
    # check_links_first: nothing at all is sent while a link is not well defined (by default such a link fails alone, and
    # the module diagnoses it with reads: see test_remote_clusters_rollout)
    options['remote_clusters_rollout'] = lambda: dict(links=[dict(options['remote_cluster_link'](), name='search-a-to-data-b')],
                                                      check_links_first=True)
    return resolve(options[module](), sim)


def resolve(value, sim):
    if value == PEM:
        with open(sim.info['environments']['ece-b']['ca_cert_file']) as handle:
            return handle.read()
    if isinstance(value, dict):
        return dict((k, resolve(v, sim)) for k, v in value.items())
    if isinstance(value, list):
        return [resolve(v, sim) for v in value]
    return value


def spoil(options, path, value):
    """Set ``path`` (``a``, ``a[0].b``, ``a.b[1]``) of a copy of ``options`` to ``value``; ``None`` removes a key."""
    options = copy.deepcopy(options)
    parts = [int(p) if p.isdigit() else p for p in re.findall(r'[^.\[\]]+', path)]
    target = options
    for part in parts[:-1]:
        target = target[part]
    if value is None and isinstance(parts[-1], str):
        target.pop(parts[-1], None)
    else:
        target[parts[-1]] = value
    return options


# -- the cases: (module, changes {path: value}, words the message must contain) --------------------------------------
def connection_cases():
    cases = []
    for module in ECE_MODULES:
        cases += [
            (module, {'ece_url': 'ece-a:12443'}, ['ece_url', 'has no scheme', 'https://ece-a:12443']),
            (module, {'ece_url': 'ftp://ece-a'}, ['ece_url', 'not an http:// or https:// URL', 'https://']),
            (module, {'ca_path': '/nonexistent/ece-ca.pem'}, ['ca_path', 'does not exist', 'PEM file']),
            (module, {'request_timeout': 0}, ['request_timeout', 'positive number of seconds']),
        ]
    for module in ES_MODULES:
        cases += [
            (module, {'es_url': 'ftp://x'}, ['es_url', 'not an http:// or https:// URL', 'https://']),
            (module, {'es_url': '0123abcd.ece-a.example.com:9243'},
             ['es_url', 'has no scheme', 'https://0123abcd.ece-a.example.com:9243']),
            (module, {'ca_path': '/nonexistent/es-ca.pem'}, ['ca_path', 'does not exist']),
            (module, {'retries': -1}, ['retries', 'negative', 'give 0 for no retry']),
        ]
    # the other connection checks live in the base class: one module of each kind is enough
    cases += [
        ('ece_trust_relationship_info', {'ece_url': 'https://:12443'}, ['ece_url', 'no valid host']),
        ('ece_trust_relationship_info', {'ece_url': 'https://ece-a.example.com:99999'}, ['ece_url', '1 to 65535']),
        ('ece_trust_relationship_info', {'ece_url': 'https://ece-a.example.com:12443/api/v1'}, ['ece_url', 'without /api/v1']),
        ('ece_trust_relationship_info', {'ece_url': ' https://ece-a.example.com:12443'}, ['ece_url', 'white space']),
        ('ece_trust_relationship_info', {'ece_url': ''}, ['ece_url', 'empty', 'https://']),
        ('ece_trust_relationship_info', {'ece_region': 'ece region/1'}, ['ece_region', 'ece-region']),
        ('ece_trust_relationship_info', {'retry_backoff': -1.0}, ['retry_backoff', 'negative']),
        ('ece_trust_relationship_info', {'ece_username': 'admin', 'ece_password': 'an0ther-passw0rd'},
         ['ece_api_key', 'ece_username', 'mutually exclusive']),
        ('ece_trust_relationship_info', {'ece_api_key': None}, ['ece_api_key', 'ece_username']),
        ('es_role', {'es_url': 'https://'}, ['es_url', 'no valid host']),
        ('es_role', {'request_timeout': -1.0}, ['request_timeout', 'positive']),
        ('es_role', {'es_username': None}, ['es_username', 'es_password']),
    ]
    return cases


MODULE_CASES = [
    # ece_deployment_info: IDs, lists of IDs, ports
    ('ece_deployment_info', {'deployment_id': 'search-a'}, ['deployment_id', "'search-a'", '32 lower-case hexadecimal']),
    ('ece_deployment_info', {'deployment_id': None, 'deployment_ids': ['0123456789abcdef0123456789abcdef', 'logs-a']},
     ['deployment_ids', "'logs-a'", 'not a deployment ID']),
    ('ece_deployment_info', {'certificate_port': 0}, ['certificate_port', '1 to 65535']),
    ('ece_deployment_info', {'api_key_port': 70000}, ['api_key_port', '1 to 65535']),
    ('ece_deployment_info', {'certificate_port': 'tls'}, ['certificate_port', 'int']),
    ('ece_deployment_info', {'name': 'search-a'}, ['mutually exclusive', 'deployment_id', 'name']),
    # ece_deployment_restart
    ('ece_deployment_restart', {'deployment_id': 'search-a'}, ['deployment_id', '32 lower-case hexadecimal']),
    # es_ccr_follower, es_ccr_auto_follow_pattern, es_ccr_info: index names, aliases, tuning values
    ('es_ccr_follower', {'name': 'Orders'}, ['name', "'Orders'", 'not an index name', 'lower-case']),
    ('es_ccr_follower', {'leader_index': 'orders,audit'}, ['leader_index', 'not an index name', 'commas']),
    ('es_ccr_follower', {'leader_index': None}, ['state is present', 'leader_index']),
    ('es_ccr_follower', {'remote_cluster': 'ECE B'}, ['remote_cluster', 'not a valid remote cluster alias', 'ece_b_data']),
    ('es_ccr_follower', {'max_read_request_size': '32 megabytes'}, ['max_read_request_size', 'not a byte size', '32mb']),
    ('es_ccr_follower', {'max_retry_delay': 'soon'}, ['max_retry_delay', 'not a time value', '500ms']),
    ('es_ccr_follower', {'max_outstanding_read_requests': 0}, ['max_outstanding_read_requests', '1 or more']),
    ('es_ccr_follower', {'wait_timeout': -1}, ['wait_timeout', '0 or more seconds']),
    ('es_ccr_auto_follow_pattern', {'name': 'logs from b'}, ['name', 'not a pattern name', 'spaces']),
    ('es_ccr_auto_follow_pattern', {'leader_index_patterns': ['']}, ['leader_index_patterns', 'at least one', 'logs-*']),
    ('es_ccr_auto_follow_pattern', {'follow_index_pattern': 'copy'}, ['follow_index_pattern', 'must contain {{leader_index}}']),
    ('es_ccr_auto_follow_pattern', {'max_write_buffer_size': '1 GB'}, ['max_write_buffer_size', 'not a byte size']),
    ('es_ccr_info', {'followers': ['Orders']}, ['followers', 'not an index name']),
    ('ece_deployment_restart', {'ref_id': 'main elasticsearch'}, ['ref_id', 'main-elasticsearch']),
    ('ece_deployment_restart', {'only_if_version_below': 'latest'}, ['only_if_version_below', 'like 8.13.0']),
    ('ece_deployment_restart', {'only_if_version_below': '8'}, ['only_if_version_below', 'like 8.13.0']),
    ('ece_deployment_restart', {'wait_timeout': -5}, ['wait_timeout', 'negative', '1800']),
    ('ece_deployment_restart', {'group_attribute': ' '}, ['group_attribute', '__zone__']),
    # ece_deployment_trust: IDs, cluster-ID lists, PEM lists, scope IDs, names
    ('ece_deployment_trust', {'deployment_id': 'ece-a/search-a'}, ['deployment_id', 'not a deployment ID']),
    ('ece_deployment_trust', {'ref_id': '../keystore'}, ['ref_id', 'main-elasticsearch']),
    ('ece_deployment_trust', {'wait_timeout': -1}, ['wait_timeout', 'negative']),
    ('ece_deployment_trust', {'accounts[0].account_id': 'my account'},
     ['accounts[0].account_id', 'not an account ID', 'ece_deployment_info']),
    ('ece_deployment_trust', {'accounts[0].trust_all': False, 'accounts[0].trust_allowlist': ['search-a']},
     ['accounts[0].trust_allowlist', "'search-a'", 'cluster ID is 32 lower-case hexadecimal']),
    ('ece_deployment_trust', {'accounts[0].trust_allowlist': ['0123456789abcdef0123456789abcdef']},
     ['accounts[0]', 'trust_all: true with a trust_allowlist', 'remove trust_allowlist']),
    ('ece_deployment_trust', {'external': [{'trust_relationship_id': 'ece b', 'trust_all': True}]},
     ['external[0].trust_relationship_id', 'not a trust relationship ID', 'trust_relationship_name']),
    ('ece_deployment_trust', {'external': [{'trust_relationship_name': '', 'trust_all': True}]},
     ['external[0].trust_relationship_name', 'must not be empty']),
    ('ece_deployment_trust', {'external': [{'trust_relationship_name': 'ece-b', 'trust_allowlist': ['DATA-B']}]},
     ['external[0].trust_allowlist', "'DATA-B'", 'cluster_id']),
    ('ece_deployment_trust', {'external': [{'trust_relationship_id': 'abc'}, {'trust_relationship_id': 'abc'}]},
     ['external[1]', 'given twice']),
    ('ece_deployment_trust', {'direct': [{'name': 'ece-b-proxy', 'type': 'proxy', 'certificates': ['MIIB not a pem']}]},
     ['direct[0].certificates[0]', 'not a PEM certificate', '-----BEGIN CERTIFICATE-----']),
    ('ece_deployment_trust', {'direct': [{'name': 'ece-b-proxy', 'type': 'proxy', 'certificates': []}]},
     ['direct[0].certificates', 'at least one CA certificate']),
    ('ece_deployment_trust', {'direct': [{'name': 'ece-b', 'type': 'generic', 'certificates': [PEM], 'scope_id': 'ECE_B!'}]},
     ['direct[0].scope_id', 'lower-case letters and digits']),
    ('ece_deployment_trust', {'direct': [{'name': ' ', 'type': 'proxy', 'certificates': [PEM]}]},
     ['direct[0].name', 'must not be empty']),
    ('ece_deployment_trust', {'direct': [{'name': 'ece-b', 'certificates': [PEM], 'additional_node_names': ['']}]},
     ['direct[0].additional_node_names', 'node name is empty']),
    ('ece_deployment_trust', {'direct': [{'name': 'ece-b-proxy', 'type': 'proxy', 'certificates': [PEM], 'trust_all': True}]},
     ['direct[0]', 'type proxy', 'remove trust_all: true']),
    # ece_keystore_secret: IDs, aliases, versions
    ('ece_keystore_secret', {'deployment_id': 'SEARCH-A'}, ['deployment_id', 'not a deployment ID']),
    ('ece_keystore_secret', {'ref_id': 'main/elasticsearch'}, ['ref_id', 'main-elasticsearch']),
    ('ece_keystore_secret', {'remote_cluster_alias': 'ECE-B'}, ['remote_cluster_alias', 'lower-case letters']),
    ('ece_keystore_secret', {'remote_cluster_alias': 'ece b'}, ['remote_cluster_alias', 'no upper case, dots or spaces']),
    ('ece_keystore_secret', {'remote_cluster_alias': None, 'setting': ' s3.client.default.access_key'},
     ['setting', 's3.client.default.access_key']),
    ('ece_keystore_secret', {'reload_min_version': 'eight'}, ['reload_min_version', 'like 8.13.0']),
    ('ece_keystore_secret', {'remote_cluster_alias': None}, ['one of the following is required', 'remote_cluster_alias']),
    # ece_remote_clusters: IDs, aliases, lists
    ('ece_remote_clusters', {'deployment_id': 'search-a'}, ['deployment_id', 'not a deployment ID']),
    ('ece_remote_clusters', {'ref_id': ''}, ['ref_id', 'main-elasticsearch']),
    ('ece_remote_clusters', {'remote_clusters[0].alias': 'Logs A'}, ['remote_clusters[0].alias', 'lower-case']),
    ('ece_remote_clusters', {'remote_clusters[0].deployment_id': 'logs-a'},
     ['remote_clusters[0].deployment_id', 'not a deployment ID']),
    ('ece_remote_clusters', {'remote_clusters[0].deployment_id': None},
     ['remote_clusters[0].deployment_id', 'required with state=present']),
    ('ece_remote_clusters', {'remote_clusters[0].elasticsearch_ref_id': ''},
     ['remote_clusters[0].elasticsearch_ref_id', 'main-elasticsearch']),
    ('ece_remote_clusters', {'remote_clusters': [{'alias': 'logs_a', 'deployment_id': '0123456789abcdef0123456789abcdef'}] * 2},
     ['remote_clusters', "'logs_a'", 'give each alias once']),
    ('ece_remote_clusters', {'state': 'absent', 'purge': True}, ['purge', 'state=present only']),
    # the list left out (an undefined variable, commonly) with purge: never "remove every remote cluster"
    ('ece_remote_clusters', {'remote_clusters': None, 'purge': True}, ['remote_clusters', 'purge', 'remote_clusters: []', 'removes all']),
    # ece_tls_certificate_info
    ('ece_tls_certificate_info', {'service': 'kibana'}, ['service', 'proxy']),
    # ece_trust_relationship: IDs, PEMs, lists
    ('ece_trust_relationship', {'installation_id': 'ece-b'},
     ['installation_id', 'not an ECE environment ID', 'local.installation_id']),
    ('ece_trust_relationship', {'certificate': 'MIIDdzCCAl+gAwIBAgIU'},
     ['certificate', 'not a PEM certificate', '-----BEGIN CERTIFICATE-----']),
    ('ece_trust_relationship', {'certificate': '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n'},
     ['certificate', 'not a PEM certificate']),
    ('ece_trust_relationship', {'account_ids': ['']}, ['account_ids', 'not an account ID', 'account_ids']),
    ('ece_trust_relationship', {'account_ids': ['acct 1']}, ['account_ids', "'acct 1'", 'ece_trust_relationship_info']),
    ('ece_trust_relationship', {'name': '  '}, ['name', 'must not be empty']),
    # ece_trust_relationship_info
    ('ece_trust_relationship_info', {'include_certificate': 'maybe'}, ['include_certificate', 'bool']),
    # es_cross_cluster_api_key: names, lists, durations
    ('es_cross_cluster_api_key', {'name': ' '}, ['name', 'must not be empty']),
    ('es_cross_cluster_api_key', {'expiration': '90 days'}, ['expiration', 'not a time value', '90d']),
    ('es_cross_cluster_api_key', {'access': {}}, ['access', 'non-empty list']),
    ('es_cross_cluster_api_key', {'access.search[0].names': ['']}, ['access.search[0].names', 'at least one index name']),
    ('es_cross_cluster_api_key', {'access.search[0].query': 'not json'}, ['access.search[0].query', 'query object']),
    ('es_cross_cluster_api_key', {'metadata': {'_managed_by': 'ansible'}}, ['metadata', "'_managed_by'", 'reserved']),
    ('es_cross_cluster_api_key', {'es_username': None, 'es_password': None, 'es_api_key': 'a2V5OnNlY3JldA=='},
     ['es_api_key', 'es_username', 'manage_security']),
    # es_remote_cluster: aliases, addresses, ports, lists
    ('es_remote_cluster', {'alias': 'Ece.B'}, ['alias', 'lower-case']),
    ('es_remote_cluster', {'proxy_address': '0123abcd.ece-b.example.com'}, ['proxy_address', 'host:port']),
    ('es_remote_cluster', {'proxy_address': '0123abcd.ece-b.example.com:70000'}, ['proxy_address', '1 to 65535']),
    ('es_remote_cluster', {'proxy_address': 'https://0123abcd.ece-b.example.com:9300'}, ['proxy_address', 'host:port']),
    ('es_remote_cluster', {'server_name': '0123abcd.ece-b.example.com:9300'}, ['server_name', 'without scheme or port']),
    ('es_remote_cluster', {'proxy_socket_connections': 0}, ['proxy_socket_connections', '1 or more']),
    ('es_remote_cluster', {'mode': 'sniff', 'proxy_address': None, 'server_name': None, 'seeds': ['a.example.com:9300', 'b']},
     ['seeds[1]', 'host:port']),
    ('es_remote_cluster', {'mode': 'sniff', 'proxy_address': None, 'server_name': None, 'seeds': []},
     ['sniff mode needs seeds']),
    ('es_remote_cluster', {'mode': 'sniff', 'proxy_address': None, 'server_name': None, 'seeds': ['a.example.com:1'],
                           'proxy': 'p.example.com'}, ['proxy', 'host:port']),
    ('es_remote_cluster', {'mode': 'sniff', 'proxy_address': None, 'server_name': None, 'seeds': ['a.example.com:1'],
                           'node_connections': 0}, ['node_connections', '1 or more']),
    ('es_remote_cluster', {'seeds': ['a.example.com:9300']}, ['seeds', 'only apply in sniff mode', 'mode: sniff']),
    ('es_remote_cluster', {'wait_timeout': -1}, ['wait_timeout', '0 or more']),
    # es_role: names, lists of privileges entries
    ('es_role', {'name': ''}, ['name', '1 to 507 characters']),
    ('es_role', {'metadata': {'_reserved': True}}, ['metadata', "'_reserved'", 'without the leading "_"']),
    ('es_role', {'indices[0].names': []}, ['indices[0].names', 'must not be empty']),
    ('es_role', {'remote_indices[0].clusters': ['']}, ['remote_indices[0].clusters', 'must not be empty']),
    ('es_role', {'remote_cluster': [{'clusters': ['ece_b_data'], 'privileges': []}]},
     ['remote_cluster[0].privileges', 'must not be empty']),
    ('es_role', {'indices[0].query': '{"term": '}, ['indices[0].query', 'query object']),
    ('es_role', {'indices[0].field_security': {'granted': ['*']}}, ['indices[0].field_security', 'grant and except']),
    # remote_cluster_link: the options of both sides are named with their side; the key's and the role's options are
    # checked by their own steps before any request
    ('remote_cluster_link', {'model': 'mtls'}, ['model', 'certificate', 'api_key']),
    ('remote_cluster_link', {'alias': 'Ece.B'}, ['alias', 'lower-case']),
    ('remote_cluster_link', {'local.deployment_id': 'search-a'}, ['local.deployment_id', 'not a deployment ID']),
    ('remote_cluster_link', {'remote.ref_id': 'main elasticsearch'}, ['remote.ref_id', 'main-elasticsearch']),
    ('remote_cluster_link', {'local.ece.ece_url': 'ece-a:12443'}, ['local.ece.ece_url', 'has no scheme']),
    ('remote_cluster_link', {'remote.ece.ece_region': 'ece region'}, ['remote.ece.ece_region', 'ece-region']),
    ('remote_cluster_link', {'local.es.es_url': 'ftp://x'}, ['local.es.es_url', 'https://']),
    ('remote_cluster_link', {'remote.es.ca_path': '/nonexistent/es-ca.pem'}, ['remote.es.ca_path', 'does not exist']),
    ('remote_cluster_link', {'local.ece.ece_api_key': None}, ['ece_api_key', 'ece_username', 'local']),
    ('remote_cluster_link', {'local.es': None}, ['local.es', 'es_username']),
    ('remote_cluster_link', {'remote.es': None}, ['remote.es', 'manage_security']),
    ('remote_cluster_link', {'remote.es.es_username': None, 'remote.es.es_password': None, 'remote.es.es_api_key': 'a2V5OnNlY3JldA=='},
     ['es_api_key', 'manage_security']),
    ('remote_cluster_link', {'access.search[0].query': 'not json'}, ['access.search[0].query', 'query object']),
    ('remote_cluster_link', {'expiration': '90 days'}, ['expiration', '90d']),
    ('remote_cluster_link', {'metadata': {'_managed_by': 'ansible'}}, ['metadata', "'_managed_by'", 'reserved']),
    ('remote_cluster_link', {'role': {'name': 'r', 'indices': [{'names': [], 'privileges': ['read']}]}},
     ['role.indices[0].names', 'must not be empty']),
    ('remote_cluster_link', {'proxy_ca_certificate': 'MIIB'}, ['proxy_ca_certificate', 'not a PEM certificate']),
    ('remote_cluster_link', {'reload_min_version': 'eight'}, ['reload_min_version', 'like 8.13.0']),
    ('remote_cluster_link', {'api_key_port': 70000}, ['api_key_port', '1 to 65535']),
    ('remote_cluster_link', {'wait_timeout': -1}, ['wait_timeout', 'negative']),
    ('remote_cluster_link', {'plan_wait_timeout': -1}, ['plan_wait_timeout', 'negative']),
    # remote_clusters_rollout: a link's problems fail the rollout before any request (check_links_first), named with the
    # link; wrong types and values of a choice fail the whole rollout
    ('remote_clusters_rollout', {'links[0].model': 'mtls'}, ['model', 'certificate', 'api_key']),
    ('remote_clusters_rollout', {'links[0].alias': 'Ece.B'}, ['search-a-to-data-b', 'alias', 'lower-case']),
    ('remote_clusters_rollout', {'links[0].local.deployment_id': 'search-a'}, ['local.deployment_id', 'not a deployment ID']),
    ('remote_clusters_rollout', {'links[0].local.deployment_name': 'search-a'}, ['search-a-to-data-b', 'local: give', 'not both']),
    ('remote_clusters_rollout', {'links[0].remote.deployment_id': None}, ['search-a-to-data-b', 'remote: give', 'deployment_name']),
    ('remote_clusters_rollout', {'links[0].local.ece.ece_url': 'ece-a:12443'}, ['local.ece.ece_url', 'has no scheme']),
    ('remote_clusters_rollout', {'links[0].remote.es': None}, ['search-a-to-data-b', 'remote.es', 'manage_security']),
    ('remote_clusters_rollout', {'links[0].wait_timeout': -1}, ['wait_timeout', 'negative']),
    ('remote_clusters_rollout', {'concurrency': 0}, ['concurrency', 'at least 1']),
]

CASES = connection_cases() + MODULE_CASES


def case_id(case):
    module, changes, dummy = case
    return '%s-%s' % (module, '+'.join('%s=%r' % (k, v) for k, v in changes.items())[:80])


# -- the tests ---------------------------------------------------------------------------------------------------------
def test_every_module_has_cases_for_its_options():
    """The matrix covers every module of the collection, and every module beyond its connection options."""
    import os
    modules_dir = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'modules')
    modules = sorted(f[:-3] for f in os.listdir(modules_dir) if f.endswith('.py') and not f.startswith('_'))
    assert sorted(ECE_MODULES + ES_MODULES + LINK_MODULES) == modules
    assert sorted(set(case[0] for case in MODULE_CASES)) == modules


@pytest.mark.parametrize('module', ECE_MODULES + ES_MODULES + LINK_MODULES)
def test_every_baseline_is_valid(sim, conn, run_module, module):
    """The options the cases start from pass validation: a case fails because of the one option it spoils."""
    result = run_module(module, baseline(module, conn, sim), check_mode=True)
    assert not result.get('failed'), result
    assert [r for r in sim.requests() if r['write']] == []


@pytest.mark.parametrize('module, changes, words', CASES, ids=[case_id(c) for c in CASES])
def test_bad_input_fails_before_any_request_naming_the_option_and_the_fix(sim, conn, run_module, module, changes, words):
    options = baseline(module, conn, sim)
    for path, value in changes.items():
        options = spoil(options, path, resolve(value, sim))
    sim.clear_log()

    result = run_module(module, options)

    assert result.get('failed') is True, result
    missing = [w for w in words if w not in result['msg']]
    assert missing == [], 'message %r lacks %r' % (result['msg'], missing)
    assert sim.requests() == []


def test_credentials_in_a_url_are_refused_without_being_shown(sim, conn, run_module):
    options = conn.ece('ece-a', ece_url='https://admin:Sup3r-s3cret@ece-a.example.com:12443')
    sim.clear_log()
    result = run_module('ece_trust_relationship_info', options)
    assert result.get('failed') is True
    assert 'ece_username' in result['msg'] and 'ece_password' in result['msg']
    assert 'Sup3r-s3cret' not in repr(result)
    assert sim.requests() == []


def test_all_problems_are_reported_at_once(sim, conn, run_module):
    options = conn.es('ece-a', 'search-a', es_url='ftp://x', alias='Bad Alias', proxy_address='nowhere', retries=-2)
    sim.clear_log()
    result = run_module('es_remote_cluster', options)
    assert result.get('failed') is True
    for option in ('es_url', 'retries', 'alias', 'proxy_address'):
        assert option in result['msg']
    assert sim.requests() == []
