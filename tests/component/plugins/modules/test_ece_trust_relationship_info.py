# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ece_trust_relationship_info against the simulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MODULE = 'ece_trust_relationship_info'
REGION_PATH = '/api/v1/regions/ece-region/platform/configuration/trust-relationships'
REGIONLESS_PATH = '/api/v1/platform/configuration/trust-relationships'


def read_file(path):
    with open(path) as handle:
        return handle.read()


def add_relationship(sim, env, name, certificate, **fields):
    relationship = dict(name=name, public_ca_cert=certificate, **fields)
    return sim.mutate({'op': 'add_trust_relationship', 'env': env, 'relationship': relationship})['id']


def test_local_holds_the_environment_id_account_and_certificate(sim, conn, run_module):
    info = sim.info['environments']['ece-a']
    result = run_module(MODULE, conn.ece('ece-a'))
    assert result['changed'] is False
    local = result['local']
    assert local['local'] is True
    assert local['id'] == info['local_trust_relationship_id']
    assert local['installation_id'] == info['environment_id']
    assert local['account_ids'] == [info['account_id']]
    assert local['certificate'].strip() == read_file(info['ca_cert_file']).strip()


def test_one_get_with_certificates_on_the_region_path_by_default(sim, conn, run_module):
    run_module(MODULE, conn.ece('ece-a'))
    requests = sim.requests()
    assert [(r['method'], r['path'], r['query'].get('include_certificate')) for r in requests] == [
        ('GET', REGION_PATH, 'true')]


def test_an_empty_region_sends_the_path_without_region_prefix(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-a', ece_region=''))
    assert result['local']['installation_id'] == sim.info['environments']['ece-a']['environment_id']
    assert [(r['method'], r['path']) for r in sim.requests()] == [('GET', REGIONLESS_PATH)]


def test_include_certificate_false_asks_for_none_and_returns_null(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-a', include_certificate=False))
    assert [r['query'].get('include_certificate') for r in sim.requests()] == ['false']
    assert result['trust_relationships']
    assert all(item['certificate'] is None for item in result['trust_relationships'])
    assert result['local']['certificate'] is None


def test_name_filters_the_list_but_local_is_always_returned(sim, conn, run_module):
    certificate = read_file(sim.info['environments']['ece-b']['ca_cert_file'])
    wanted = add_relationship(sim, 'ece-a', 'ece-b', certificate,
                              installation_id=sim.info['environments']['ece-b']['environment_id'])
    add_relationship(sim, 'ece-a', 'ece-c', read_file(sim.info['environments']['ece-c']['ca_cert_file']))
    sim.clear_log()
    result = run_module(MODULE, conn.ece('ece-a', name='ece-b'))
    assert [item['id'] for item in result['trust_relationships']] == [wanted]
    item = result['trust_relationships'][0]
    assert item['local'] is False
    assert item['installation_id'] == sim.info['environments']['ece-b']['environment_id']
    assert item['certificate'].strip() == certificate.strip()
    assert result['local']['name'] == 'ece-a'
    assert len(sim.requests()) == 1


def test_a_name_nobody_has_returns_an_empty_list(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-a', name='no-such-environment'))
    assert result['trust_relationships'] == []
    assert result['local'] is not None


def test_without_a_name_every_relationship_is_returned(sim, conn, run_module):
    certificate = read_file(sim.info['environments']['ece-b']['ca_cert_file'])
    added = add_relationship(sim, 'ece-a', 'ece-b', certificate, trust_by_default=True, account_ids=['a' * 32])
    result = run_module(MODULE, conn.ece('ece-a'))
    by_id = dict((item['id'], item) for item in result['trust_relationships'])
    assert set(by_id) == {added, sim.info['environments']['ece-a']['local_trust_relationship_id']}
    assert by_id[added]['trust_by_default'] is True
    assert by_id[added]['account_ids'] == ['a' * 32]


def test_bad_credentials_fail_with_the_api_error_and_no_key_in_the_output(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-a', ece_api_key='wrong-key-123'))
    assert result['failed'] is True
    assert result['status'] == 401
    assert 'root.unauthenticated' in result['msg']
    assert 'wrong-key-123' not in str(result)
