# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter remote_cluster_diagnosis: one test per problem kind, with input shaped like the modules' returns."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import time

import pytest
from ansible.errors import AnsibleFilterError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.ece.remote_clusters.plugins.filter.remote_cluster_diagnosis import (
    FilterModule, remote_cluster_diagnosis)
from ansible_collections.ece.remote_clusters.plugins.module_utils import _common
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import compatible_versions

ENV_ID = {'ece-a': 'a1' * 16, 'ece-b': 'b2' * 16}
ACCOUNT = {'ece-a': 'aa' * 16, 'ece-b': 'bb' * 16}
CLUSTER = {'search-a': '5a' * 16, 'data-b': 'db' * 16, 'old-b': '0b' * 16}
DEPLOYMENT = {'search-a': 'd5' * 16, 'data-b': 'dd' * 16, 'old-b': 'd0' * 16}
REL_ID = {('ece-a', 'ece-b'): '1b' * 16, ('ece-b', 'ece-a'): '1a' * 16}
_CERTS = {}


def certificate(name):
    """A real self-signed CA certificate (PEM), one per name."""
    if name not in _CERTS:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime(2024, 1, 1)
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
        _CERTS[name] = cert.public_bytes(serialization.Encoding.PEM).decode()
    return _CERTS[name]


def endpoint(name, env):
    return '%s.%s.example.com' % (CLUSTER[name], env)


def deployment(name, env, version, trust):
    """One item of ece_deployment_info's ``deployments``."""
    host = endpoint(name, env)
    return {
        'id': DEPLOYMENT[name], 'name': name, 'alias': None, 'healthy': True, 'kibana': [],
        'elasticsearch': [{
            'ref_id': 'main-elasticsearch', 'cluster_id': CLUSTER[name], 'region': 'ece-region', 'version': version,
            'running_version': version, 'healthy': True, 'status': 'started', 'pending_plan': False, 'endpoint': host,
            'aliased_endpoint': None, 'service_url': 'https://%s:9243' % host,
            'ports': {'http': 9200, 'https': 9243, 'transport_passthrough': 9400}, 'trust': trust, 'account_id': ACCOUNT[env],
            'remote_connection': {
                'certificate': {'proxy_address': host + ':9400', 'server_name': host},
                'api_key': {'proxy_address': host + ':9443', 'server_name': host},
                'legacy_sniff': {'seeds': [host + ':1'], 'proxy': host + ':9400'}},
        }],
    }


def relationships(env, *others):
    """ece_trust_relationship_info of ``env``, which trusts ``others`` (correctly)."""
    local = {'id': 'l0' + env[-1] * 30, 'name': env, 'local': True, 'trust_by_default': True, 'account_ids': [ACCOUNT[env]],
             'installation_id': ENV_ID[env], 'certificate': certificate(env)}
    items = [local] + [{'id': REL_ID[(env, other)], 'name': other, 'local': False, 'trust_by_default': False,
                        'account_ids': [ACCOUNT[other]], 'installation_id': ENV_ID[other], 'certificate': certificate(other)}
                       for other in others]
    return {'changed': False, 'failed': False, 'trust_relationships': items, 'local': local}


def external_trust(env, other, allowlist=None, trust_all=False):
    entry = {'trust_relationship_id': REL_ID[(env, other)], 'trust_all': trust_all}
    if allowlist is not None:
        entry['trust_allowlist'] = allowlist
    return {'accounts': [{'account_id': ACCOUNT[env], 'trust_all': True}], 'external': [entry]}


def alias_result(settings, connected=False, credentials=False, version='8.14.3'):
    """es_remote_cluster run with check_mode and diff: diff.before holds the alias's settings."""
    info = None
    if settings:
        info = {'connected': connected, 'mode': settings.get('mode', 'sniff'), 'skip_unavailable': False}
        if credentials:
            info['cluster_credentials'] = '::es_redacted::'
    return {'changed': False, 'failed': False, 'remote_cluster': settings, 'remote_info': info, 'elasticsearch_version': version,
            'diff': {'before': settings, 'after': settings}}


def proxy_settings(name, env, port):
    return {'mode': 'proxy', 'proxy_address': '%s:%d' % (endpoint(name, env), port), 'server_name': endpoint(name, env),
            'skip_unavailable': 'false'}


def certificate_link(**changes):
    """ece-a/search-a (8.14) -> ece-b/data-b (8.15), TLS-certificate model, everything right but not connected."""
    facts = {
        'alias': 'ece_b_data', 'model': 'certificate',
        'local': {'environment': 'ece-a',
                  'deployment': deployment('search-a', 'ece-a', '8.14.3', external_trust('ece-a', 'ece-b', [CLUSTER['data-b']])),
                  'trust_relationships': relationships('ece-a', 'ece-b'),
                  'remote_cluster': alias_result(proxy_settings('data-b', 'ece-b', 9400)),
                  'keystore': {'changed': False, 'exists': False, 'secret': None, 'restart_required': False}},
        'remote': {'environment': 'ece-b',
                   'deployment': deployment('data-b', 'ece-b', '8.15.1', external_trust('ece-b', 'ece-a', [CLUSTER['search-a']])),
                   'trust_relationships': relationships('ece-b', 'ece-a')},
    }
    facts.update(changes)
    return facts


def api_key_link(version='8.12.2'):
    """ece-a/search-a -> ece-b/data-b in the API-key model; ece-b's proxy CA is private and trusted; credentials loaded."""
    trust = {'accounts': [{'account_id': ACCOUNT['ece-a'], 'trust_all': True}],
             'direct': [{'name': 'ece-b-proxy', 'type': 'proxy', 'trust_all': False,
                         'certificates': [{'pem': certificate('ece-b-proxy'), 'metadata': {'fingerprint': 'AB:CD'}}]}]}
    return {
        'alias': 'ece_b_data', 'model': 'api_key',
        'local': {'environment': 'ece-a', 'deployment': deployment('search-a', 'ece-a', version, trust),
                  'trust_relationships': relationships('ece-a'),
                  'remote_cluster': alias_result(proxy_settings('data-b', 'ece-b', 9443), credentials=True, version=version),
                  'keystore': {'changed': False, 'exists': True, 'secret': {'name': 'cluster.remote.ece_b_data.credentials'},
                               'restart_required': False, 'elasticsearch_version': version}},
        'remote': {'environment': 'ece-b', 'deployment': deployment('data-b', 'ece-b', '8.15.1', {'accounts': []}),
                   'trust_relationships': relationships('ece-b'),
                   'cross_cluster_api_key': {'changed': False, 'created': False, 'updated': False, 'id': 'VuaCfGcBCdbkQm-e5aOx',
                                             'name': 'ece_b_data-' + CLUSTER['search-a'], 'invalidated_ids': [], 'encoded': None,
                                             'expiration': None},
                   'proxy_certificate': {'changed': False, 'chain': [certificate('ece-b-leaf'), certificate('ece-b-proxy')],
                                         'root_certificate': certificate('ece-b-proxy'), 'user_supplied': False}},
    }


def kinds(facts):
    return [p['problem'] for p in remote_cluster_diagnosis(facts)]


def messages(facts):
    return [p['message'] for p in remote_cluster_diagnosis(facts)]


def cluster(facts, side):
    return facts[side]['deployment']['elasticsearch'][0]


# -- the filter's frame ------------------------------------------------------------------------------
def test_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {'remote_cluster_diagnosis': remote_cluster_diagnosis}


def test_a_connected_link_has_no_problem():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9400), connected=True)
    assert remote_cluster_diagnosis(facts) == []


@pytest.mark.parametrize('facts, words', [
    ('not a dict', 'must be a dictionary'),
    ({'model': 'certificate'}, 'needs the alias'),
    ({'alias': 'x', 'model': 'tls'}, 'model must be certificate or api_key'),
])
def test_bad_input_is_refused_with_a_clear_message(facts, words):
    with pytest.raises(AnsibleFilterError, match=words):
        remote_cluster_diagnosis(facts)


def test_a_link_whose_chain_looks_right_but_is_not_connected_is_unknown_and_says_where_to_look():
    assert kinds(certificate_link()) == ['unknown']
    assert 'reach the ECE proxy of ece-b' in messages(certificate_link())[0]


def test_a_failed_read_is_reported_as_unreadable_and_its_checks_are_skipped():
    facts = certificate_link()
    facts['remote']['trust_relationships'] = {'failed': True, 'msg': 'list the trust relationships: HTTP 401 root.unauthenticated'}
    found = remote_cluster_diagnosis(facts)
    assert [p['problem'] for p in found] == ['unreadable']
    assert found[0]['side'] == 'remote'
    assert 'Could not read the trust relationships of the remote environment (list the trust relationships: HTTP 401' in found[0]['message']


# -- the alias ------------------------------------------------------------------------------------------
def test_an_alias_without_settings_is_missing_and_nothing_else_is_checked():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result({})
    facts['remote']['trust_relationships'] = relationships('ece-b')  # broken too, but the alias comes first
    assert kinds(facts) == ['alias_missing']
    assert messages(facts)[0].startswith('The remote cluster ece_b_data is not configured on the local cluster ece-a/search-a')


def test_a_proxy_address_on_another_host_is_a_wrong_address():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result(dict(proxy_settings('data-b', 'ece-b', 9400), proxy_address='data-b.ece-b.example.com:9400'))
    assert kinds(facts) == ['wrong_address']
    assert 'points at data-b.ece-b.example.com, which is not the endpoint of the remote deployment ece-b/data-b' in messages(facts)[0]


def test_a_missing_or_wrong_server_name_is_named():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result(dict(proxy_settings('data-b', 'ece-b', 9400), server_name=None))
    assert kinds(facts) == ['wrong_server_name']
    facts['local']['remote_cluster'] = alias_result(dict(proxy_settings('data-b', 'ece-b', 9400), server_name='ece-b.example.com'))
    assert kinds(facts) == ['wrong_server_name']
    assert 'server_name is ece-b.example.com, not the remote endpoint' in messages(facts)[0]


def test_a_port_that_is_no_proxy_port_is_a_wrong_port():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9200))
    assert kinds(facts) == ['wrong_port']
    assert 'uses port 9200; the TLS-certificate model connects to the transport passthrough port 9400' in messages(facts)[0]


def test_the_transport_passthrough_port_is_right_for_the_certificate_model():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9400))
    assert kinds(facts) == ['unknown']


def test_the_plain_text_transport_port_is_a_problem_of_its_own_in_the_certificate_model():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9300))
    assert kinds(facts) == ['wrong_port']
    assert ("uses port 9300: 9300 is the proxy's plain-text transport port, where no remote cluster connects; the "
            "TLS-certificate model connects to the transport passthrough port 9400") in messages(facts)[0]


def test_the_passthrough_port_the_deployment_reports_is_the_default():
    facts = certificate_link()
    cluster(facts, 'remote')['ports']['transport_passthrough'] = 19400
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 19400))
    assert kinds(facts) == ['unknown']
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9400))
    assert kinds(facts) == ['wrong_port']


def test_the_api_key_port_in_the_certificate_model_is_a_wrong_model():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9443))
    assert kinds(facts) == ['wrong_model']
    assert 'uses port 9443, the remote cluster server port of the API-key model' in messages(facts)[0]


def test_the_certificate_port_in_the_api_key_model_is_a_wrong_model():
    facts = api_key_link()
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9300), credentials=True)
    assert kinds(facts) == ['wrong_model']
    assert 'uses port 9300 of the TLS-certificate model, but the link uses the API-key model' in messages(facts)[0]


def test_a_configured_port_replaces_the_default():
    facts = api_key_link()
    facts['ports'] = {'api_key': 19443}
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 19443), credentials=True)
    assert kinds(facts) == ['credentials_mismatch']


def test_credentials_loaded_in_the_certificate_model_are_a_wrong_model():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9400), credentials=True)
    facts['local']['keystore']['exists'] = True
    assert kinds(facts) == ['wrong_model']
    assert 'has credentials loaded for ece_b_data, so it connects in the API-key model' in messages(facts)[0]


def test_credentials_in_the_keystore_in_the_certificate_model_are_a_wrong_model():
    facts = certificate_link()
    facts['local']['keystore']['exists'] = True
    assert kinds(facts) == ['wrong_model']
    assert 'holds cluster.remote.ece_b_data.credentials: once loaded, Elasticsearch uses the API-key model' in messages(facts)[0]


def test_sniff_mode_from_76_on_is_a_wrong_mode():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result({'mode': 'sniff', 'seeds': [endpoint('data-b', 'ece-b') + ':9300']})
    assert kinds(facts) == ['wrong_mode']
    assert 'Elasticsearch 8.14.3 has proxy mode' in messages(facts)[0]


def test_sniff_mode_in_the_api_key_model_is_a_wrong_mode():
    facts = api_key_link()
    facts['local']['remote_cluster'] = alias_result({'mode': 'sniff', 'seeds': [endpoint('data-b', 'ece-b') + ':9443']}, credentials=True)
    assert kinds(facts) == ['wrong_mode']


def legacy_link(proxy):
    """ece-a/search-a on 7.5.2 (no proxy mode) -> ece-b/old-b on 7.17 in legacy sniff mode through the proxy."""
    facts = certificate_link()
    facts['local']['deployment'] = deployment('search-a', 'ece-a', '7.5.2', external_trust('ece-a', 'ece-b', trust_all=True))
    facts['remote']['deployment'] = deployment('old-b', 'ece-b', '7.17.25', external_trust('ece-b', 'ece-a', [CLUSTER['search-a']]))
    facts['local']['remote_cluster'] = alias_result({'seeds': [endpoint('old-b', 'ece-b') + ':1'], 'proxy': proxy, 'skip_unavailable': 'false'},
                                                    version='7.5.2')
    return facts


def test_legacy_sniff_mode_through_the_proxy_is_right_below_76():
    assert kinds(legacy_link(endpoint('old-b', 'ece-b') + ':9400')) == ['unknown']


def test_legacy_sniff_mode_on_another_proxy_port_is_a_wrong_port():
    facts = legacy_link(endpoint('old-b', 'ece-b') + ':9300')
    assert kinds(facts) == ['wrong_port']
    assert 'on the transport passthrough port 9400' in messages(facts)[0]


def test_legacy_sniff_mode_without_proxy_is_a_wrong_address():
    facts = legacy_link(None)
    assert kinds(facts) == ['wrong_address']
    assert 'needs cluster.remote.ece_b_data.proxy = %s:9400' % endpoint('old-b', 'ece-b') in messages(facts)[0]


# -- clusters and versions -------------------------------------------------------------------------------
def test_a_stopped_cluster_is_named():
    facts = certificate_link()
    cluster(facts, 'remote')['status'] = 'stopped'
    assert kinds(facts) == ['cluster_stopped']
    assert messages(facts)[0].startswith('The remote cluster ece-b/data-b is stopped')


def test_a_pending_plan_says_that_trust_waits_for_it():
    facts = certificate_link()
    cluster(facts, 'local')['pending_plan'] = True
    assert kinds(facts) == ['plan_pending']
    assert 'take effect only once it has completed' in messages(facts)[0]


@pytest.mark.parametrize('local, remote, expected', [
    ('8.15.1', '7.17.25', True), ('7.17.25', '6.8.23', True), ('9.1.0', '8.19.2', True), ('8.14.3', '8.15.1', True),
    ('8.15.1', '7.16.3', False), ('9.1.0', '8.15.1', False), ('8.15.1', '6.8.23', False), ('7.10.2', '6.7.1', False),
    # 8.18 was released with 9.0 and connects with 9.0 only
    ('8.18.3', '9.0.4', True), ('9.0.0', '8.18.0', True), ('8.18.3', '9.1.0', False), ('10.0.0', '8.19.2', False),
])
def test_version_compatibility_follows_the_last_minor_rule(local, remote, expected):
    assert compatible_versions(local, remote) is expected


def test_incompatible_versions_are_named_with_both_versions():
    facts = certificate_link()
    facts['remote']['deployment'] = deployment('data-b', 'ece-b', '9.1.0', external_trust('ece-b', 'ece-a', [CLUSTER['search-a']]))
    assert kinds(facts) == ['incompatible_versions']
    assert messages(facts)[0].startswith('Elasticsearch 8.14.3 (local, ece-a/search-a) and 9.1.0 (remote, ece-b/data-b) are incompatible')


def test_the_api_key_model_below_812_is_incompatible():
    facts = api_key_link(version='8.11.4')
    assert 'incompatible_versions' in kinds(facts)
    assert any('needs Elasticsearch 8.12 or later on both clusters, but the local cluster ece-a/search-a runs 8.11.4' in m for m in messages(facts))


# -- trust in the TLS-certificate model -----------------------------------------------------------------
def test_a_missing_trust_relationship_in_the_local_environment_is_named():
    facts = certificate_link()
    facts['local']['trust_relationships'] = relationships('ece-a')
    found = remote_cluster_diagnosis(facts)
    assert [p['problem'] for p in found] == ['relationship_missing']
    assert found[0]['side'] == 'local'
    assert found[0]['message'].startswith('Environment ece-a has no trust relationship for environment ece-b (environment ID %s): '
                                          'platform trust is missing on the ece-a side.' % ENV_ID['ece-b'])


def test_a_missing_trust_relationship_in_the_remote_environment_is_named():
    facts = certificate_link()
    facts['remote']['trust_relationships'] = relationships('ece-b')
    found = remote_cluster_diagnosis(facts)
    assert [(p['problem'], p['side']) for p in found] == [('relationship_missing', 'remote')]
    assert 'platform trust is missing on the ece-b side' in found[0]['message']


def test_a_trust_relationship_with_another_environment_id_is_a_wrong_environment_id():
    facts = certificate_link()
    facts['local']['trust_relationships']['trust_relationships'][1]['installation_id'] = 'ff' * 16
    assert kinds(facts) == ['wrong_environment_id']
    assert messages(facts)[0].startswith('Environment ece-a trusts environment ece-b through trust relationship ece-b, but that '
                                         'relationship holds the environment ID %s, while ece-b says its environment ID is %s'
                                         % ('ff' * 16, ENV_ID['ece-b']))


def test_a_renamed_relationship_with_a_wrong_id_is_found_through_the_deployment_trust():
    facts = certificate_link()
    relationship = facts['local']['trust_relationships']['trust_relationships'][1]
    relationship.update(name='the-other-one', installation_id='ff' * 16)
    assert kinds(facts) == ['wrong_environment_id']
    assert 'through trust relationship the-other-one' in messages(facts)[0]


def test_a_trust_relationship_with_another_certificate_is_a_wrong_certificate():
    facts = certificate_link()
    facts['remote']['trust_relationships']['trust_relationships'][1]['certificate'] = certificate('someone-else')
    found = remote_cluster_diagnosis(facts)
    assert [(p['problem'], p['side']) for p in found] == [('wrong_certificate', 'remote')]
    assert found[0]['message'].startswith('The trust relationship ece-a of environment ece-b for environment ece-a holds a CA certificate '
                                          'that is not the platform CA of ece-a')


def test_the_same_certificate_in_another_layout_is_not_wrong():
    facts = certificate_link()
    relationship = facts['remote']['trust_relationships']['trust_relationships'][1]
    relationship['certificate'] = relationship['certificate'].replace('\n', '\r\n') + '\n\n'
    assert kinds(facts) == ['unknown']


def test_a_deployment_without_external_trust_entry_lacks_deployment_trust():
    facts = certificate_link()
    cluster(facts, 'local')['trust'] = {'accounts': [{'account_id': ACCOUNT['ece-a'], 'trust_all': True}]}
    assert kinds(facts) == ['deployment_trust_missing']
    assert messages(facts)[0].startswith('Deployment ece-a/search-a does not trust environment ece-b: its trust has no external entry '
                                         'for trust relationship ece-b. Add one with trust_all or the cluster ID %s of ece-b/data-b.'
                                         % CLUSTER['data-b'])


def test_an_allowlist_without_the_peer_cluster_id_is_named_with_the_id():
    facts = certificate_link()
    cluster(facts, 'remote')['trust'] = external_trust('ece-b', 'ece-a', ['ab' * 16])
    found = remote_cluster_diagnosis(facts)
    assert [(p['problem'], p['side']) for p in found] == [('allowlist_missing_cluster_id', 'remote')]
    assert found[0]['message'] == ('Deployment ece-b/data-b trusts only some deployments of environment ece-a, and its allowlist (%s) lacks '
                                   'the cluster ID %s of ece-a/search-a: add it (or set trust_all).' % ('ab' * 16, CLUSTER['search-a']))


def test_an_allowlist_with_the_deployment_id_instead_of_the_cluster_id_says_so():
    facts = certificate_link()
    cluster(facts, 'remote')['trust'] = external_trust('ece-b', 'ece-a', [DEPLOYMENT['search-a']])
    assert kinds(facts) == ['allowlist_missing_cluster_id']
    assert messages(facts)[0].endswith('It lists the deployment ID %s instead: allowlists take Elasticsearch cluster IDs.' % DEPLOYMENT['search-a'])


def test_trust_all_needs_no_allowlist():
    facts = certificate_link()
    cluster(facts, 'remote')['trust'] = external_trust('ece-b', 'ece-a', trust_all=True)
    assert kinds(facts) == ['unknown']


def same_environment_link(remote_trust):
    facts = certificate_link()
    facts['remote'] = {'environment': 'ece-a', 'trust_relationships': relationships('ece-a'),
                       'deployment': dict(deployment('data-b', 'ece-b', '8.15.1', remote_trust))}
    cluster(facts, 'remote')['account_id'] = ACCOUNT['ece-a']
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9400))
    return facts


def test_within_one_environment_a_missing_accounts_entry_lacks_deployment_trust():
    facts = same_environment_link({'accounts': []})
    assert kinds(facts) == ['deployment_trust_missing']
    assert messages(facts)[0].startswith('Deployment ece-a/data-b does not trust the deployments of its own environment ece-a')


def test_within_one_environment_an_allowlist_without_the_peer_is_named():
    facts = same_environment_link({'accounts': [{'account_id': ACCOUNT['ece-a'], 'trust_all': False, 'trust_allowlist': [CLUSTER['data-b']]}]})
    assert kinds(facts) == ['allowlist_missing_cluster_id']
    assert 'trusts only some deployments of its own environment' in messages(facts)[0]


def test_within_one_environment_no_platform_trust_is_needed():
    facts = same_environment_link({'accounts': [{'account_id': ACCOUNT['ece-a'], 'trust_all': True}]})
    assert kinds(facts) == ['unknown']


# -- the API-key model ----------------------------------------------------------------------------------
def test_an_api_key_link_whose_chain_is_right_but_does_not_authenticate_is_a_credentials_mismatch():
    facts = api_key_link()
    assert kinds(facts) == ['credentials_mismatch']
    assert 'Apply the link with rotate: true' in messages(facts)[0]


def test_a_keystore_without_the_credentials_is_named():
    facts = api_key_link()
    facts['local']['keystore']['exists'] = False
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9443))
    assert kinds(facts) == ['keystore_missing_credentials']
    assert messages(facts)[0].startswith('The keystore of the local deployment ece-a/search-a lacks cluster.remote.ece_b_data.credentials')


def test_credentials_that_812_has_not_loaded_need_a_restart():
    facts = api_key_link(version='8.12.2')
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9443), credentials=False)
    assert kinds(facts) == ['restart_required']
    assert 'Elasticsearch 8.12.2 loads remote cluster credentials only at a restart. Restart the deployment' in messages(facts)[0]


def test_credentials_that_814_has_not_loaded_need_a_reload():
    facts = api_key_link(version='8.14.3')
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9443), credentials=False)
    assert kinds(facts) == ['restart_required']
    assert 'reload the secure settings (POST _nodes/reload_secure_settings)' in messages(facts)[0]


def test_no_active_key_on_the_remote_means_it_was_invalidated_or_expired():
    facts = api_key_link()
    facts['remote']['cross_cluster_api_key'].update(created=True, id=None, changed=True)
    found = remote_cluster_diagnosis(facts)
    assert [(p['problem'], p['side']) for p in found] == [('api_key_invalid', 'remote')]
    assert found[0]['message'].startswith('No active cross-cluster API key named ece_b_data-%s exists on the remote cluster ece-b/data-b: it '
                                          'was invalidated, has expired or was deleted' % CLUSTER['search-a'])


def test_an_expired_key_is_named():
    facts = api_key_link()
    facts['now'] = int(time.time() * 1000)
    facts['remote']['cross_cluster_api_key']['expiration'] = facts['now'] - 60000
    assert kinds(facts) == ['api_key_invalid']
    assert 'has expired: apply the link with rotate: true' in messages(facts)[0]


def test_a_private_proxy_ca_that_the_local_deployment_does_not_trust_is_named():
    facts = api_key_link()
    cluster(facts, 'local')['trust'] = {'accounts': [{'account_id': ACCOUNT['ece-a'], 'trust_all': True}]}
    assert kinds(facts) == ['proxy_ca_not_trusted']
    assert messages(facts)[0].startswith('The proxy of environment ece-b presents a certificate of its own, private CA, and the local '
                                         'deployment ece-a/search-a does not trust it')


def test_a_proxy_entry_with_another_certificate_does_not_trust_the_proxy():
    facts = api_key_link()
    cluster(facts, 'local')['trust']['direct'][0]['certificates'] = [{'pem': certificate('ece-c-proxy')}]
    assert kinds(facts) == ['proxy_ca_not_trusted']


@pytest.mark.parametrize('change', ['public_proxy', 'same_environment'])
def test_a_public_proxy_ca_or_one_environment_needs_no_proxy_trust(change):
    facts = api_key_link()
    cluster(facts, 'local')['trust'] = {'accounts': [{'account_id': ACCOUNT['ece-a'], 'trust_all': True}]}
    if change == 'public_proxy':
        facts['remote']['proxy_certificate']['user_supplied'] = True
    else:
        facts['remote']['trust_relationships'] = copy.deepcopy(facts['local']['trust_relationships'])
    assert kinds(facts) == ['credentials_mismatch']


def test_several_broken_parts_are_all_named_in_the_order_of_the_chain():
    facts = api_key_link()
    facts['local']['keystore']['exists'] = False
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9443))
    facts['remote']['cross_cluster_api_key'].update(created=True)
    cluster(facts, 'local')['trust'] = {}
    assert kinds(facts) == ['keystore_missing_credentials', 'api_key_invalid', 'proxy_ca_not_trusted']
    assert 'the link was never applied, or its key was invalidated or has expired' in messages(facts)[1]


# -- the facts are those of module_utils: changed there, the diagnosis follows (a copy in the filter would not) --------------
def test_the_api_key_port_is_the_one_of_module_utils(monkeypatch):
    monkeypatch.setattr(_common, 'API_KEY_PORT', 9555)
    facts = api_key_link()
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9555), credentials=True)
    assert kinds(facts) == ['credentials_mismatch']
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9443), credentials=True)
    assert kinds(facts) == ['wrong_port']
    assert 'the API-key model connects to port 9555 of the ECE proxy' in messages(facts)[0]


def test_the_plain_text_transport_port_is_the_one_of_module_utils(monkeypatch):
    monkeypatch.setattr(_common, 'PLAIN_TRANSPORT_PORT', 9301)
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9301))
    assert kinds(facts) == ['wrong_port']
    assert "uses port 9301: 9301 is the proxy's plain-text transport port" in messages(facts)[0]


def test_the_api_key_model_version_is_the_one_of_module_utils(monkeypatch):
    monkeypatch.setattr(_common, 'API_KEY_MIN_VERSION', '8.15.0')
    facts = api_key_link(version='8.14.3')
    assert 'incompatible_versions' in kinds(facts)
    assert any('needs Elasticsearch 8.15 or later on both clusters, but the local cluster ece-a/search-a runs 8.14.3' in m
               for m in messages(facts))


def test_the_reload_version_is_the_one_of_module_utils(monkeypatch):
    monkeypatch.setattr(_common, 'RELOAD_MIN_VERSION', '8.15.0')
    facts = api_key_link(version='8.14.3')
    facts['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9443), credentials=False)
    assert kinds(facts) == ['restart_required']
    assert 'Elasticsearch 8.14.3 loads remote cluster credentials only at a restart' in messages(facts)[0]
    facts['reload_min_version'] = '8.14.0'  # the link's own option still wins
    assert 'reload the secure settings' in messages(facts)[0]


def test_the_proxy_mode_version_is_the_one_of_module_utils(monkeypatch):
    monkeypatch.setattr(_common, 'PROXY_MODE_VERSION', '7.5.0')
    facts = legacy_link(endpoint('old-b', 'ece-b') + ':9400')
    assert kinds(facts) == ['wrong_mode']
    assert 'Elasticsearch 7.5.2 has proxy mode' in messages(facts)[0]


def test_the_credentials_version_is_the_one_of_module_utils(monkeypatch):
    facts = certificate_link()
    facts['local']['keystore']['exists'] = True
    assert kinds(facts) == ['wrong_model']
    monkeypatch.setattr(_common, 'CREDENTIALS_MIN_VERSION', '8.15.0')  # the local cluster runs 8.14.3: no such setting yet
    assert kinds(facts) == ['unknown']


def test_the_version_rule_is_the_one_of_module_utils(monkeypatch):
    monkeypatch.setattr(_common, 'VERSION_RULE', 'the rule of module_utils')
    facts = certificate_link()
    facts['remote']['deployment'] = deployment('data-b', 'ece-b', '9.1.0', external_trust('ece-b', 'ece-a', [CLUSTER['search-a']]))
    assert 'they need the rule of module_utils' in messages(facts)[0]


def test_the_resource_is_picked_by_ref_id_as_module_utils_picks_it():
    facts = certificate_link()
    resources = facts['remote']['deployment']['elasticsearch']
    resources.insert(0, dict(resources[0], ref_id='other-elasticsearch', status='stopped'))
    assert _common.pick_resource(resources)['ref_id'] == 'other-elasticsearch'
    assert kinds(facts)[0] == 'cluster_stopped'  # no ref_id: the first resource
    facts['remote']['ref_id'] = 'main-elasticsearch'
    assert _common.pick_resource(resources, 'main-elasticsearch') is resources[1]
    assert kinds(facts) == ['unknown']
    facts['remote']['ref_id'] = 'missing'
    assert _common.pick_resource(resources, 'missing') is None
    assert kinds(facts)[0] == 'unreadable'


# the diagnosis in the adversarial cases of links (issue: two environments given one name)
def test_the_diagnosis_never_takes_two_environments_of_one_name_for_one_environment():
    facts = certificate_link()
    for side in ('local', 'remote'):
        facts[side]['environment'] = 'peer'  # one name for two environments
        facts[side]['trust_relationships'] = {'failed': True, 'msg': 'HTTP 403'}  # their IDs are unknown
        resource = cluster(facts, side)
        resource['account_id'] = None  # and their trust objects name no account
        resource['trust'] = dict(resource['trust'], accounts=[])
    assert 'deployment_trust_missing' not in kinds(facts), messages(facts)
    assert not [m for m in messages(facts) if 'its own environment' in m]


# -- cross-cluster replication through the alias (after the chain) ------------------------------------------------
def follower(name='orders-copy', leader='orders', status='active', lag=0, read_exceptions=(), fatal=()):
    """One follower as _replication.alias_replication returns it (_ccr.follower_summary)."""
    shards = [{'shard_id': 0, 'leader_global_checkpoint': 10 + lag, 'follower_global_checkpoint': 10,
               'failed_read_requests': len(read_exceptions), 'time_since_last_read_millis': 50}]
    return {'follower_index': name, 'remote_cluster': 'ece_b_data', 'leader_index': leader, 'status': status, 'parameters': None,
            'global_checkpoint_lag': None if status == 'paused' else lag, 'read_exceptions': list(read_exceptions),
            'fatal_exceptions': list(fatal), 'shards': [] if status == 'paused' else shards}


def replicating(*followers, **extra):
    replication = {'followers': list(followers), 'auto_follow_patterns': [], 'auto_follow_errors': [], 'problems': []}
    replication.update(extra)
    return replication


def connected_link(replication, model='certificate', **facts):
    link = api_key_link() if model == 'api_key' else certificate_link()
    if model == 'certificate':
        link['local']['remote_cluster'] = alias_result(proxy_settings('data-b', 'ece-b', 9400), connected=True)
    else:
        link['local']['remote_cluster']['remote_info']['connected'] = True
    link['local']['replication'] = replication
    link.update(facts)
    return link


SECURITY_ERROR = {'type': 'security_exception', 'reason': 'action [indices:data/read/xpack/ccr/shard_changes] towards remote '
                  'cluster is unauthorized for user [_system] with assigned roles [] authenticated by API key id [k1]'}
PATTERN = {'name': 'logs-from-b', 'active': True, 'remote_cluster': 'ece_b_data', 'leader_index_patterns': ['logs-*']}


def test_followers_that_replicate_over_a_connected_link_are_no_problem():
    assert remote_cluster_diagnosis(connected_link(replicating(follower(lag=3), auto_follow_patterns=[PATTERN]))) == []


def test_a_follower_stopped_on_a_fatal_exception_is_named_with_its_reason_and_how_to_recover():
    fatal = {'shard_id': 0, 'type': 'illegal_state_exception', 'reason': 'mapping update failed'}
    found = remote_cluster_diagnosis(connected_link(replicating(follower(fatal=[fatal]))))
    assert [(p['problem'], p['side']) for p in found] == [('follower_stopped', 'local')]
    assert found[0]['message'] == (
        'Follower orders-copy stopped replicating orders of ece_b_data on shard 0: mapping update failed (illegal_state_exception). '
        'Elasticsearch does not retry this error: fix the cause, then pause and resume the follower (es_ccr_follower with '
        'status: paused, then status: active).')


def test_a_follower_whose_leader_was_deleted_cannot_resume_and_says_so():
    fatal = {'shard_id': 1, 'type': 'index_not_found_exception', 'reason': 'no such index [orders]'}
    found = messages(connected_link(replicating(follower(fatal=[fatal]))))
    assert 'the leader index is gone, so the follower cannot resume: stop following it (es_ccr_follower with state: absent)' in found[0]


def test_a_paused_follower_is_named_with_how_to_resume_it():
    found = remote_cluster_diagnosis(connected_link(replicating(follower(status='paused'))))
    assert [p['problem'] for p in found] == ['follower_paused']
    assert found[0]['message'] == ('Follower orders-copy of orders on ece_b_data is paused: it does not replicate until it is '
                                   'resumed (es_ccr_follower with status: active).')


def test_a_security_error_that_the_follower_retries_names_the_key_and_the_role_in_the_api_key_model():
    retried = {'shard_id': 0, 'from_seq_no': 11, 'retries': 7, 'exception': SECURITY_ERROR}
    found = remote_cluster_diagnosis(connected_link(replicating(follower(read_exceptions=[retried])), model='api_key'))
    assert [(p['problem'], p['side']) for p in found] == [('follower_retrying', 'both')]
    assert found[0]['message'].startswith('Follower orders-copy cannot read orders of ece_b_data and retries (7 retries on shard 0): '
                                          'action [indices:data/read/xpack/ccr/shard_changes] towards remote cluster is unauthorized')
    assert ("(security_exception); the link's cross-cluster API key lacks replication access to orders (access.replication of the "
            "key, on the leader cluster), or the local role lacks manage_ccr and remote_indices with cross_cluster_replication "
            "for ece_b_data and orders") in found[0]['message']


def test_a_security_error_in_the_certificate_model_names_the_privileges_of_the_roles():
    retried = {'shard_id': 0, 'from_seq_no': 11, 'retries': 1, 'exception': SECURITY_ERROR}
    found = messages(connected_link(replicating(follower(read_exceptions=[retried]))))
    assert '(1 retry on shard 0)' in found[0]
    assert 'lack read_ccr and the index privileges monitor and read on orders on the leader cluster' in found[0]


def test_a_closed_leader_that_the_follower_retries_says_to_open_it():
    retried = {'shard_id': 0, 'retries': 3, 'exception': {'type': 'cluster_block_exception', 'reason': 'index [orders] blocked'}}
    found = remote_cluster_diagnosis(connected_link(replicating(follower(read_exceptions=[retried]))))
    assert [(p['problem'], p['side']) for p in found] == [('follower_retrying', 'local')]
    assert found[0]['message'].endswith('the leader index is closed or blocked: open it on the leader cluster.')


def test_auto_follow_errors_name_the_pattern_and_the_leader_index():
    errors = [{'leader_index': 'logs-from-b:logs-2026', 'timestamp': 1, 'auto_follow_exception': SECURITY_ERROR},
              {'leader_index': 'logs-from-b', 'timestamp': 2,
               'auto_follow_exception': {'type': 'no_such_remote_cluster_exception', 'reason': 'no such remote cluster: [ece_b_data]'}}]
    found = remote_cluster_diagnosis(connected_link(replicating(auto_follow_patterns=[PATTERN], auto_follow_errors=errors), model='api_key'))
    assert [(p['problem'], p['side']) for p in found] == [('auto_follow_failed', 'both'), ('auto_follow_failed', 'local')]
    assert found[0]['message'].startswith('Auto-follow pattern logs-from-b of ece_b_data failed to follow logs-2026: action ')
    assert 'lacks replication access to logs-2026' in found[0]['message']
    assert found[1]['message'].startswith('Auto-follow pattern logs-from-b of ece_b_data failed to read the leader cluster: no such '
                                          'remote cluster: [ece_b_data] (no_such_remote_cluster_exception); the connection to ece_b_data fails')


def test_a_lag_above_the_threshold_is_named_and_one_below_is_not():
    assert kinds(connected_link(replicating(follower(lag=1000)))) == []
    found = remote_cluster_diagnosis(connected_link(replicating(follower(lag=1001))))
    assert [p['problem'] for p in found] == ['replication_lag']
    assert found[0]['message'].startswith('Follower orders-copy is 1001 operations behind orders of ece_b_data (more than 1000)')
    assert kinds(connected_link(replicating(follower(lag=30)), replication_lag_threshold=20)) == ['replication_lag']


def test_replication_that_cannot_be_read_is_named_with_the_licence_and_the_privileges():
    found = remote_cluster_diagnosis(connected_link({'failed': True, 'msg': 'HTTP 403 current license is non-compliant for [ccr]'}))
    assert [(p['problem'], p['side']) for p in found] == [('replication_unreadable', 'local')]
    assert found[0]['message'].startswith('Could not read the cross-cluster replication through ece_b_data (HTTP 403 current license '
                                          'is non-compliant for [ccr]): reading it needs a licence that includes it')


def test_over_a_link_that_is_not_connected_the_followers_retry_because_of_it_and_come_after_the_chain():
    retried = {'shard_id': 0, 'retries': 9, 'exception': {'type': 'connect_transport_exception', 'reason': 'connect timed out'}}
    fatal = {'shard_id': 0, 'type': 'illegal_state_exception', 'reason': 'mapping update failed'}
    facts = certificate_link()
    facts['remote']['trust_relationships'] = relationships('ece-b')
    facts['local']['replication'] = replicating(follower(read_exceptions=[retried], lag=5000), follower('logs-copy', 'logs', status='paused'),
                                                follower('stopped-copy', 'stopped', fatal=[fatal]), auto_follow_patterns=[PATTERN],
                                                auto_follow_errors=[{'leader_index': 'logs-from-b', 'auto_follow_exception': retried['exception']}])
    found = remote_cluster_diagnosis(facts)
    # the chain first; then what needs an action of its own; then one problem for everything that retries over the link
    assert [p['problem'] for p in found] == ['relationship_missing', 'follower_paused', 'follower_stopped', 'replication_interrupted']
    assert found[-1]['message'] == (
        '1 follower (orders-copy) and 1 auto-follow pattern (logs-from-b) replicate through ece_b_data, which is not connected: '
        'replication retries (read exceptions) until the link connects again, and catches up by itself then; fix why the link '
        'is not connected.')


def test_followers_of_a_link_whose_alias_is_missing_retry_too():
    facts = certificate_link()
    facts['local']['remote_cluster'] = alias_result({})
    facts['local']['replication'] = replicating(follower())
    assert kinds(facts) == ['alias_missing', 'replication_interrupted']


def test_a_link_that_looks_right_but_is_not_connected_keeps_its_fallback_before_the_replication():
    facts = certificate_link()
    facts['local']['replication'] = replicating(follower())
    assert kinds(facts) == ['unknown', 'replication_interrupted']


def test_connected_given_as_a_fact_decides_without_the_alias_settings():
    facts = {'alias': 'ece_b_data', 'model': 'api_key', 'connected': False, 'local': {'replication': replicating(follower())}}
    assert kinds(facts) == ['replication_interrupted']
    facts['connected'] = True
    assert kinds(facts) == []
    retried = {'shard_id': 0, 'retries': 2, 'exception': SECURITY_ERROR}
    facts['local']['replication'] = replicating(follower(read_exceptions=[retried]))
    assert kinds(facts) == ['follower_retrying']


def test_a_link_without_followers_has_no_replication_problem_even_when_not_connected():
    facts = certificate_link()
    facts['local']['replication'] = replicating()
    assert kinds(facts) == ['unknown']
