# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""remote_cluster_link against the simulator: environments known by their ID, defaults that never let two links
overwrite each other, the checks made before any write, and check mode that predicts what the real run does."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import (
    MODULE, converge, es_state, link, writes)

RELATIONSHIPS = '/api/v1/regions/ece-region/platform/configuration/trust-relationships'


def read_file(path):
    with open(path) as handle:
        return handle.read()


def anonymous(args):
    """The link without environment names: the environments are known only by what their APIs say."""
    for key in ('local', 'remote'):
        args[key].pop('environment', None)
    return args


def relationships(sim, env):
    return [r for r in sim.state()['environments'][env]['trust_relationships'] if not r.get('local')]


def direct(sim, env, deployment):
    return es_state(sim, env, deployment)['trust'].get('direct') or []


# -- environments known by their ID ----------------------------------------------------------------------------------------
def test_a_relationship_that_trusts_the_environment_under_another_name_is_reused(sim, conn, run_module):
    env_b = sim.info['environments']['ece-b']
    existing = sim.mutate({'op': 'add_trust_relationship', 'env': 'ece-a', 'relationship': {
        'name': 'datacenter-2', 'installation_id': env_b['environment_id'], 'public_ca_cert': read_file(env_b['ca_cert_file']),
        'account_ids': [env_b['account_id']], 'trust_by_default': True}})['id']
    sim.clear_log()

    result = converge(run_module, anonymous(link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', 'data-b'))))

    # one relationship created (in ece-b); in ece-a the existing one is used, under its own name
    assert [w for w in writes(sim) if w[0] == 'POST' and w[1] == RELATIONSHIPS] == [('POST', RELATIONSHIPS)]
    assert [r['id'] for r in relationships(sim, 'ece-a')] == [existing]
    assert relationships(sim, 'ece-a')[0]['name'] == 'datacenter-2'
    assert relationships(sim, 'ece-a')[0]['trust_by_default'] is True  # kept: the link did not ask to change it
    external = es_state(sim, 'ece-a', 'search-a')['trust']['external']
    assert [e['trust_relationship_id'] for e in external] == [existing]
    assert result['remote_info']['connected'] is True
    # a new relationship without a name given is named after the environment's own name, never "local"/"remote"
    assert [r['name'] for r in relationships(sim, 'ece-b')] == ['ece-a']


def test_two_api_key_links_from_one_deployment_keep_their_own_proxy_ca_entries(sim, conn, run_module):
    to_b = anonymous(link(conn, 'api_key', ('ece-a', 'search-a'), ('ece-b', 'data-b'), alias='to_b'))
    to_a = anonymous(link(conn, 'api_key', ('ece-a', 'search-a'), ('ece-a', 'logs-a'), alias='to_logs', trust_proxy_ca='always'))
    converge(run_module, to_b)
    converge(run_module, to_a)

    entries = direct(sim, 'ece-a', 'search-a')
    assert len(entries) == 2 and len(set(e['name'] for e in entries)) == 2  # today: both named remote-proxy, one lost
    assert all(e['type'] == 'proxy' for e in entries)
    sim.clear_log()
    assert run_module(MODULE, to_b)['changed'] is False
    assert run_module(MODULE, to_a)['changed'] is False
    assert writes(sim) == []


def test_a_public_proxy_root_needs_no_trust_entry_and_a_private_one_does(sim, conn, run_module):
    public_roots = os.path.join(sim.info['cert_dir'], 'public-root-ca.pem')
    # ece-a's proxy chain ends in the (simulated) public root: with it among the public roots, nothing to trust
    public = link(conn, 'api_key', ('ece-b', 'data-b'), ('ece-a', 'search-a'), alias='to_a', public_ca_path=public_roots)
    result = converge(run_module, public)
    assert 'proxy_trust' not in result and direct(sim, 'ece-b', 'data-b') == []
    # without it, the same root is private
    private = link(conn, 'api_key', ('ece-b', 'ingest-b'), ('ece-a', 'logs-a'), alias='to_a')
    result = converge(run_module, private)
    assert result['proxy_trust']['changed'] is True
    assert [e['type'] for e in direct(sim, 'ece-b', 'ingest-b')] == ['proxy']


# -- refused before any write --------------------------------------------------------------------------------------------
def test_versions_that_cannot_connect_are_refused_before_any_write(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-c', 'analytics-c')))
    assert result.get('failed') is True
    assert '8.14.3 (local) and 9.1.0 (remote) cannot be connected' in result['msg'], result['msg']
    assert writes(sim) == []


def test_a_deployment_linked_to_itself_is_refused_before_any_request(sim, conn, run_module):
    sim.clear_log()
    result = run_module(MODULE, link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-a', 'search-a')))
    assert result.get('failed') is True and 'is the local deployment itself' in result['msg']
    assert sim.requests() == []


def test_a_proxy_ca_of_another_environment_is_refused_before_any_write(sim, conn, run_module):
    other = read_file(sim.info['environments']['ece-c']['proxy_ca_cert_file'])
    sim.clear_log()
    result = run_module(MODULE, link(conn, 'api_key', ('ece-a', 'search-a'), ('ece-b', 'data-b'), proxy_ca_certificate=other))
    assert result.get('failed') is True
    assert 'proxy_ca_certificate: is not a certificate of the proxy chain of the remote environment' in result['msg']
    assert writes(sim) == []


def test_a_proxy_trust_entry_on_an_ece_older_than_3_7_is_refused_before_any_write(sim, conn, run_module):
    sim.mutate({'op': 'set_ece_version', 'env': 'ece-a', 'version': '3.6.2'})
    sim.clear_log()
    result = run_module(MODULE, link(conn, 'api_key', ('ece-a', 'search-a'), ('ece-b', 'data-b')))
    assert result.get('failed') is True and result.get('step') == 'proxy_trust', result
    assert 'runs ECE 3.6.2' in result['msg'] and 'from 3.7.0 on' in result['msg']
    assert writes(sim) == []


# -- check mode predicts what the real run does ------------------------------------------------------------------------------
def test_storing_a_new_key_with_the_single_modules_is_predicted_as_changed_in_check_mode(sim, conn, run_module):
    local_id = conn.deployment('ece-a', 'search-a')['id']

    def apply(check_mode):
        key = run_module('es_cross_cluster_api_key', conn.es('ece-b', 'data-b', name='k', access={'search': [{'names': ['*']}]}),
                         check_mode=check_mode)
        assert key['created'] is True
        return run_module('ece_keystore_secret', conn.ece('ece-a', deployment_id=local_id, remote_cluster_alias='to_b',
                                                          value=key['encoded'], update_secret='always'), check_mode=check_mode)

    predicted = apply(check_mode=True)
    assert writes(sim) == []
    done = apply(check_mode=False)
    assert predicted['changed'] is done['changed'] is True  # today: ok in check mode, changed for real
    assert 'cluster.remote.to_b.credentials' in es_state(sim, 'ece-a', 'search-a')['keystore']


def test_a_remote_deployment_read_without_an_endpoint_fails_with_a_clear_message(sim, conn, run_module):
    import requests  # pylint: disable=import-outside-toplevel
    env = sim.info['environments']['ece-b']
    remote_id = conn.deployment('ece-b', 'data-b')['id']
    path = '/api/v1/deployments/%s' % remote_id
    read = requests.get(env['ece_url'] + path, headers={'Authorization': 'ApiKey %s' % env['api_key']}, verify=sim.info['ca_bundle'],
                        params={'show_settings': 'true', 'show_metadata': 'true', 'show_plans': 'true', 'clear_transient': 'true'},
                        timeout=10).json()
    for resource in read['resources']['elasticsearch']:
        resource['info']['metadata'].pop('endpoint', None)
    sim.fault(match={'server': '^ece:ece-b$', 'method': 'GET', 'path': '^%s$' % path}, status=200, body=read, count=-1)
    sim.clear_log()

    result = run_module(MODULE, link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', 'data-b')))

    sim.clear_faults()
    assert result.get('failed') is True, result
    assert 'has no metadata.endpoint in its deployment read' in result['msg'] and 'Traceback' not in result['msg']
    assert writes(sim) == []


def test_deployments_whose_trust_names_no_account_are_not_taken_for_one_environment(sim, conn, run_module):
    # no accounts entry in either deployment's trust: unknown accounts must not look alike
    for env, name in (('ece-a', 'search-a'), ('ece-b', 'data-b')):
        sim.mutate({'op': 'set_trust', 'env': env, 'deployment': name, 'trust': {}})
    result = converge(run_module, link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', 'data-b')))
    assert result['same_environment'] is False
    assert es_state(sim, 'ece-a', 'search-a')['trust'].get('external'), 'trusted through the platform trust relationship'
    assert result['remote_info']['connected'] is True


def test_a_rotated_key_is_invalidated_only_after_the_link_connects_with_the_new_one(sim, conn, run_module):
    # a rotation reloads until credentials_settle_seconds after the write: the simulator's nodes hold the file in 0.4 s
    args = link(conn, 'api_key', ('ece-a', 'search-a'), ('ece-b', 'data-b'), credentials_settle_seconds=1)
    first = converge(run_module, args)
    sim.clear_log()

    rotated = run_module(MODULE, dict(args, rotate=True))

    assert not rotated.get('failed'), rotated
    log = sim.requests()

    def seq(method, path_end):
        return [r['seq'] for r in log if r['method'] == method and r['path'].endswith(path_end)]

    (create,), (store,), (invalidate,) = seq('POST', '/cross_cluster/api_key'), seq('PATCH', '/keystore'), seq('DELETE', '/api_key')
    checks = [s for s in seq('GET', '/_remote/info') if store < s < invalidate]
    assert create < store < invalidate and checks, log  # new key, keystore, connection checked, then the old key goes
    assert rotated['api_key']['invalidated_ids'] == [first['api_key']['id']]
    assert rotated['remote_info']['connected'] is True


def test_without_platform_trust_management_the_existing_relationships_are_used_or_their_absence_named(sim, conn, run_module):
    args = link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', 'data-b'), manage_platform_trust=False)
    sim.clear_log()
    missing = run_module(MODULE, args)
    assert missing.get('failed') is True and 'no trust relationship of the local environment trusts the remote' in missing['msg']
    assert writes(sim) == []

    converge(run_module, link(conn, 'certificate', ('ece-a', 'logs-a'), ('ece-b', 'ingest-b'), alias='other'))
    sim.clear_log()
    result = converge(run_module, args)
    assert not [w for w in writes(sim) if w[1] == RELATIONSHIPS]
    assert result['remote_info']['connected'] is True
