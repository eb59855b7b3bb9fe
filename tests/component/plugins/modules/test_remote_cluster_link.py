# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""remote_cluster_link against the simulator: both models end to end in one module run, what it sends, how
often it reads, check mode, diff, secrets and failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import json

import pytest

MODULE = 'remote_cluster_link'


# -- helpers ----------------------------------------------------------------------------------------
def side(conn, env, name, es=True, **es_extra):
    options = dict(deployment_id=conn.deployment(env, name)['id'], environment=env, ece=conn.ece(env))
    if es:
        options['es'] = conn.es(env, name, **es_extra)
        options['es'].pop('es_url')  # the module takes the deployment's service URL
    return options


def link(conn, model, local, remote, remote_es=None, **options):
    """Options of a link from ``local`` to ``remote``, each ``(environment, deployment name)``."""
    args = dict(model=model, alias=options.pop('alias', 'peer'), local=side(conn, *local),
                remote=side(conn, *remote, es=remote_es if remote_es is not None else model == 'api_key'))
    args.update(options)
    return args


def writes(sim):
    return [(r['method'], r['path']) for r in sim.requests() if r['write']]


WRITE_KINDS = (('/_cluster/settings', 'alias'), ('/keystore', 'keystore'), ('/_security/cross_cluster/api_key', 'key'),
               ('/_security/api_key', 'key invalidation'), ('/_restart', 'restart'), ('/trust-relationships', 'relationship'))


def write_kinds(sim, remote_info=False):
    """What each write touched, in the order sent (``deployment trust`` for a deployment update); with ``remote_info``,
    also where ``_remote/info`` was read between them."""
    names = []
    for r in sim.requests():
        if remote_info and r['method'] == 'GET' and r['path'] == '/_remote/info' and names and names[-1] != 'remote info':
            names.append('remote info')
        if r['write']:
            names.append(next((name for end, name in WRITE_KINDS if r['path'].endswith(end) or end + '/' in r['path']),
                              'deployment trust' if r['path'].startswith('/api/v1/deployments/') else r['path']))
    return names


def repeated_reads(sim):
    """GETs of one URL (server, path, query) sent more than once: a step that read what the link already had."""
    counts = collections.Counter((r['server'], r['path'], json.dumps(r['query'], sort_keys=True))
                                 for r in sim.requests() if r['method'] == 'GET' and not _is_poll(r))
    return [key for key, count in counts.items() if count > 1]


def _is_poll(entry):
    # waiting for a plan or a connection reads the same URL until it is done, by design; a connection is proven by a
    # cross-cluster request through every node, the same request as often as the cluster has nodes
    return entry['path'].endswith('/_remote/info') or entry['path'].startswith('/_resolve/cluster/') or _is_plan_poll(entry)


def _is_plan_poll(entry):
    return entry['method'] == 'GET' and entry['path'].startswith('/api/v1/deployments/') and entry['path'].count('/') == 6


def es_state(sim, env, name):
    return sim.state()['environments'][env]['deployments'][name]['elasticsearch']


def converge(run_module, args):
    result = run_module(MODULE, args)
    assert result['changed'] is True and not result.get('failed'), result
    return result


CERTIFICATE = (('ece-a', 'search-a'), ('ece-b', 'data-b'))
API_KEY = (('ece-a', 'search-a'), ('ece-b', 'data-b'))


# -- TLS-certificate model ----------------------------------------------------------------------------
def test_certificate_link_between_environments_does_every_step_once(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, link(conn, 'certificate', *CERTIFICATE))
    assert result['changed'] is True, result
    relationships = '/api/v1/regions/ece-region/platform/configuration/trust-relationships'
    local_id, remote_id = conn.deployment('ece-a', 'search-a')['id'], conn.deployment('ece-b', 'data-b')['id']
    assert sorted(writes(sim)) == sorted([('POST', relationships), ('POST', relationships),
                                          ('PUT', '/api/v1/deployments/%s' % local_id),
                                          ('PUT', '/api/v1/deployments/%s' % remote_id), ('PUT', '/_cluster/settings')])
    assert result['local_relationship']['changed'] is True and result['remote_relationship']['changed'] is True
    assert result['local_relationship']['trust_relationship']['name'] == 'ece-b'
    assert result['remote_relationship']['trust_relationship']['name'] == 'ece-a'
    # each side trusts the peer's cluster through the new relationship, and nothing else was dropped
    local_trust = es_state(sim, 'ece-a', 'search-a')['trust']
    (external,) = local_trust['external']
    assert external['trust_relationship_id'] == result['local_relationship']['trust_relationship']['id']
    assert external['trust_allowlist'] == [conn.deployment('ece-b', 'data-b')['elasticsearch']['cluster_id']]
    assert local_trust['accounts'], 'the default account trust must be kept'
    assert result['remote_cluster']['remote_cluster']['mode'] == 'proxy'
    assert result['remote_cluster']['remote_cluster']['proxy_address'].endswith(':9400')
    assert result['remote_info']['connected'] is True
    assert repeated_reads(sim) == []


def test_certificate_link_waits_for_both_plans_at_once(sim, conn, run_module):
    sim.settings(plan_seconds=1.0)
    sim.clear_log()
    converge(run_module, link(conn, 'certificate', *CERTIFICATE))
    log = sim.requests()
    puts = [r for r in log if r['method'] == 'PUT' and r['path'].startswith('/api/v1/deployments/')]
    assert len(puts) == 2
    first, second = sorted(puts, key=lambda r: r['seq'])
    first_plan_polls = [r['seq'] for r in log if _is_plan_poll(r) and r['deployment'] == first['deployment']]
    # the second update is sent while the first plan is still being awaited: neither plan waits for the other
    assert second['seq'] < max(first_plan_polls)


def test_certificate_link_second_run_sends_only_reads_each_once(sim, conn, run_module):
    args = link(conn, 'certificate', *CERTIFICATE)
    converge(run_module, args)
    sim.clear_log()
    result = run_module(MODULE, args)
    assert result['changed'] is False
    assert writes(sim) == []
    assert repeated_reads(sim) == []
    assert result['local_trust']['changed'] is False and result['remote_trust']['changed'] is False


def test_certificate_link_check_mode_predicts_without_writing(sim, conn, run_module):
    args = link(conn, 'certificate', *CERTIFICATE)
    sim.clear_log()
    result = run_module(MODULE, args, check_mode=True, diff=True)
    assert result['changed'] is True
    assert writes(sim) == []
    # the relationships do not exist yet: the deployment trust names a stand-in for each, and shows in the diff
    assert result['local_trust']['changed'] is True and result['remote_trust']['changed'] is True
    headers = [d['before_header'] for d in result['diff']]
    assert 'deployment trust of the local deployment %s' % args['local']['deployment_id'] in headers
    (local_diff,) = [d for d in result['diff'] if d['before_header'].startswith('deployment trust of the local')]
    assert local_diff['after']['external'][0]['trust_relationship_id'] == 'to-be-created-trusting-ece-b'
    assert result['remote_cluster']['changed'] is True
    converge(run_module, args)
    sim.clear_log()
    again = run_module(MODULE, args, check_mode=True)
    assert again['changed'] is False and writes(sim) == []


def test_certificate_link_check_mode_predicts_a_second_link_exactly(sim, conn, run_module):
    converge(run_module, link(conn, 'certificate', *CERTIFICATE))
    second = link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', 'ingest-b'), alias='peer2')
    sim.clear_log()
    predicted = run_module(MODULE, second, check_mode=True)
    assert predicted['changed'] is True and writes(sim) == []
    # the relationships exist: only both deployments' trust and the new alias change
    assert predicted['local_relationship']['changed'] is False and predicted['remote_relationship']['changed'] is False
    assert predicted['local_trust']['changed'] is True and predicted['remote_trust']['changed'] is True
    assert predicted['remote_cluster']['changed'] is True
    applied = run_module(MODULE, second)
    assert applied['changed'] is True
    assert (applied['local_trust']['trust'], applied['remote_trust']['trust']) == (
        predicted['local_trust']['trust'], predicted['remote_trust']['trust'])
    # the first link's peer stays trusted next to the second one
    (external,) = es_state(sim, 'ece-a', 'search-a')['trust']['external']
    assert sorted(external['trust_allowlist']) == sorted(
        conn.deployment('ece-b', name)['elasticsearch']['cluster_id'] for name in ('data-b', 'ingest-b'))


def test_certificate_link_within_one_environment_trusts_the_account(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-a', 'logs-a')))
    assert result['changed'] is True and result['same_environment'] is True
    assert 'local_relationship' not in result and 'remote_relationship' not in result
    assert not [w for w in writes(sim) if 'trust-relationships' in w[1]]
    account = sim.info['environments']['ece-a']['account_id']
    accounts = es_state(sim, 'ece-a', 'search-a')['trust']['accounts']
    assert [a for a in accounts if a['account_id'] == account]


def test_certificate_link_from_7_5_uses_legacy_sniff_mode(sim, conn, run_module):
    # 7.5 connects to 7.x and 6.8 only (an 8.x remote would be refused as incompatible)
    result = run_module(MODULE, link(conn, 'certificate', ('ece-a', 'legacy-a'), ('ece-b', 'old-b'),
                                     wait_for_connection=False))
    assert not result.get('failed'), result
    settings = result['remote_cluster']['remote_cluster']
    assert settings.get('mode', 'sniff') == 'sniff' and 'proxy_address' not in settings
    assert settings['seeds'] and settings['proxy'].endswith(':9400')


def test_diff_is_one_entry_per_changed_step_with_its_header(sim, conn, run_module):
    result = run_module(MODULE, link(conn, 'certificate', *CERTIFICATE), diff=True)
    headers = [d['before_header'] for d in result['diff']]
    assert headers == ['platform trust of the remote environment in local', 'platform trust of the local environment in remote',
                       'deployment trust of the local deployment %s' % conn.deployment('ece-a', 'search-a')['id'],
                       'deployment trust of the remote deployment %s' % conn.deployment('ece-b', 'data-b')['id'],
                       'remote cluster peer on the local cluster']


# -- API-key model ------------------------------------------------------------------------------------
def test_api_key_link_stores_the_key_and_never_returns_it(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, link(conn, 'api_key', *API_KEY), diff=True)
    assert result['changed'] is True, result
    setting = 'cluster.remote.peer.credentials'
    stored = es_state(sim, 'ece-a', 'search-a')['keystore'][setting]['value']
    assert stored not in json.dumps(result)
    assert 'encoded' not in result['api_key'] and result['api_key']['created'] is True
    assert result['keystore']['changed'] is True and result['keystore']['secret'] == {'name': setting, 'as_file': False}
    # ece-b's proxy CA is private: trusted in the local deployment as a direct entry of type proxy
    direct = es_state(sim, 'ece-a', 'search-a')['trust']['direct']
    assert [(d['name'][:len('ece-b-proxy-')], d['type']) for d in direct] == [('ece-b-proxy-', 'proxy')]
    assert result['remote_cluster']['remote_cluster']['proxy_address'].endswith(':9443')
    assert result['remote_info']['connected'] is True and 'restart' not in result  # 8.14: reloads the credentials
    # read twice: the deployment and its keystore, once more after the trust update (what needs a plan comes before the
    # credentials are written, and a write forgets what was read under it); the keys, once more after the create, for
    # another run's key created at the same time
    local_deployment = '/api/v1/deployments/%s' % conn.deployment('ece-a', 'search-a')['id']
    assert sorted(key[1] for key in repeated_reads(sim)) == sorted([local_deployment, local_deployment + '/elasticsearch/main-elasticsearch/keystore',
                                                                   '/_security/api_key'])


def test_api_key_link_second_run_sends_only_reads_each_once(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY)
    converge(run_module, args)
    sim.clear_log()
    result = run_module(MODULE, args)
    assert result['changed'] is False and writes(sim) == []
    assert repeated_reads(sim) == []
    assert result['api_key']['created'] is False and result['keystore']['exists'] is True


def test_api_key_link_restarts_below_8_13_and_waits_for_the_connection(sim, conn, run_module):
    args = link(conn, 'api_key', ('ece-b', 'ingest-b'), ('ece-a', 'search-a'))
    sim.clear_log()
    result = run_module(MODULE, args)
    assert result['restart']['restarted'] is True
    assert result['remote_info']['connected'] is True and 'cluster_credentials' in result['remote_info']
    restarts = [w for w in writes(sim) if w[1].endswith('/_restart')]
    assert len(restarts) == 1
    sim.clear_log()
    again = run_module(MODULE, args)
    assert again['changed'] is False and writes(sim) == [] and 'restart' not in again


def test_api_key_link_check_mode_predicts_without_writing(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY)
    sim.clear_log()
    result = run_module(MODULE, args, check_mode=True, diff=True)
    assert result['changed'] is True and writes(sim) == []
    assert result['api_key']['created'] is True and result['keystore']['changed'] is True
    assert 'check-mode' not in json.dumps(result)
    converge(run_module, args)
    sim.clear_log()
    assert run_module(MODULE, args, check_mode=True)['changed'] is False and writes(sim) == []


def test_api_key_link_rotation_replaces_the_stored_key(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY, credentials_settle_seconds=1)  # the simulator's nodes hold a file in 0.4 s
    first = converge(run_module, args)
    before = es_state(sim, 'ece-a', 'search-a')['keystore']['cluster.remote.peer.credentials']['value']
    args['rotate'] = True
    rotated = run_module(MODULE, args)
    after = es_state(sim, 'ece-a', 'search-a')['keystore']['cluster.remote.peer.credentials']['value']
    assert rotated['api_key']['id'] != first['api_key']['id'] and before != after
    assert rotated['api_key']['invalidated_ids'] == [first['api_key']['id']]


def test_api_key_link_with_a_role_grants_the_searched_indices_of_the_alias(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY, access={'search': [{'names': ['logs-*']}]}, role={'name': 'peer-reader'})
    result = converge(run_module, args)
    assert result['role']['changed'] is True
    role = es_state(sim, 'ece-a', 'search-a')['roles']['peer-reader']
    assert role['remote_indices'] == [{'clusters': ['peer'], 'names': ['logs-*'],
                                       'privileges': ['read', 'read_cross_cluster', 'view_index_metadata'],
                                       'allow_restricted_indices': False}]
    assert run_module(MODULE, args)['changed'] is False


# -- bad input and failures ---------------------------------------------------------------------------
@pytest.mark.parametrize('change, message', [
    (dict(alias='Peer!'), 'alias'),
    (dict(model='api_key', remote_es=False), 'remote.es: the API-key model creates the cross-cluster API key'),
    (dict(model='api_key', access={'search': [{'names': ['a'], 'query': '{not json'}]}), 'access.search[0].query'),
    (dict(model='api_key', reload_min_version='eight'), 'reload_min_version'),
    (dict(model='api_key', proxy_ca_certificate='not a pem'), 'proxy_ca_certificate'),
    (dict(certificate_port=0), 'certificate_port: 0 is not a TCP port'),
])
def test_bad_input_fails_before_any_request(sim, conn, run_module, change, message):
    model = change.pop('model', 'certificate')
    remote_es = change.pop('remote_es', None)
    args = link(conn, model, *CERTIFICATE, remote_es=remote_es, **change)
    sim.clear_log()
    result = run_module(MODULE, args)
    assert result.get('failed') is True and message in result['msg'], result
    assert sim.requests() == []


def test_bad_deployment_id_and_connection_options_are_named_by_side(sim, conn, run_module):
    args = link(conn, 'certificate', *CERTIFICATE)
    args['remote']['deployment_id'] = 'data-b'
    args['local']['ece']['ece_url'] += '/api/v1'
    sim.clear_log()
    result = run_module(MODULE, args)
    assert 'remote.deployment_id' in result['msg'] and 'local.ece.ece_url' in result['msg']
    assert sim.requests() == []


def test_api_key_authentication_on_the_remote_is_refused_before_any_request(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY)
    args['remote']['es'] = dict(es_api_key='c2VjcmV0LWtleQ==', ca_path=sim.info['ca_bundle'])
    sim.clear_log()
    result = run_module(MODULE, args)
    assert result['failed'] is True and 'es_username and es_password' in result['msg']
    assert 'c2VjcmV0LWtleQ==' not in json.dumps(result)
    assert sim.requests() == []


def test_a_failed_step_is_named_and_the_steps_before_it_are_returned(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY)
    sim.fault(match={'path': '/_security/cross_cluster/api_key'}, status=403, count=1)
    result = run_module(MODULE, args)
    assert result['failed'] is True and result['step'] == 'api_key'
    assert result['msg'].startswith('cross-cluster API key on the remote cluster: ')
    assert result['keystore']['exists'] is False and result['status'] == 403
    assert 'remote_cluster' not in result


def test_passwords_never_appear_in_the_result(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY)
    result = run_module(MODULE, args, diff=True)
    text = json.dumps(result)
    for options in (args['local']['es'], args['remote']['es']):
        assert options['es_password'] not in text
    for options in (args['local']['ece'], args['remote']['ece']):
        assert options['ece_api_key'] not in text


def test_a_password_in_a_url_of_either_side_is_refused_and_never_shown(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY)
    args['local']['ece']['ece_url'] = args['local']['ece']['ece_url'].replace('https://', 'https://admin:ece-url-pw-1@')
    args['remote']['es']['es_url'] = 'https://elastic:es-url-pw-2@es.example.com:9243'
    sim.clear_log()
    result = run_module(MODULE, args)
    assert result['failed'] is True and 'local.ece.ece_url' in result['msg'] and 'remote.es.es_url' in result['msg']
    assert 'ece-url-pw-1' not in json.dumps(result) and 'es-url-pw-2' not in json.dumps(result)
    assert sim.requests() == []


def test_each_server_is_asked_over_one_kept_alive_connection_per_side(sim, conn, run_module):
    args = link(conn, 'api_key', *API_KEY)
    converge(run_module, args)
    sim.clear_log()
    assert run_module(MODULE, args)['changed'] is False
    connections = collections.defaultdict(set)
    for entry in sim.requests():
        connections[entry['server']].add(entry['client'])
    # both environments' ECE APIs and both clusters, each read over a single connection
    assert sorted(connections) == ['ece:ece-a', 'ece:ece-b', 'es:ece-a/search-a', 'es:ece-b/data-b']
    assert all(len(clients) == 1 for clients in connections.values()), dict(connections)
