# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ece_tls_certificate_info against the simulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

MODULE = 'ece_tls_certificate_info'
TLS_PATH = '/api/v1/regions/ece-region/platform/configuration/security/tls/'


def read_file(path):
    with open(path) as handle:
        return handle.read()


def test_proxy_is_the_default_and_one_get_is_sent(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-b'))
    assert result['changed'] is False
    assert [(r['method'], r['path']) for r in sim.requests()] == [('GET', TLS_PATH + 'proxy')]


def test_a_private_proxy_ca_is_the_root_certificate_and_not_user_supplied(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-b'))
    assert result['user_supplied'] is False
    assert len(result['chain']) == 2
    assert result['root_certificate'] == result['chain'][-1]
    assert result['root_certificate'].strip() == read_file(sim.info['environments']['ece-b']['proxy_ca_cert_file']).strip()
    assert result['chain'][0] != result['root_certificate']


def test_a_public_proxy_certificate_is_user_supplied(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-a'))
    assert result['user_supplied'] is True
    assert result['root_certificate'].strip() == read_file(sim.info['environments']['ece-a']['proxy_ca_cert_file']).strip()


def test_chain_status_is_returned_as_the_api_gives_it(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-b'))
    assert set(result['chain_status']) == {'expiration_date', 'first_certificate_to_expire'}


@pytest.mark.parametrize('service', ['adminconsole', 'ui', 'internalca'])
def test_other_services_are_read_from_their_own_path(sim, conn, run_module, service):
    result = run_module(MODULE, conn.ece('ece-c', service=service))
    assert [r['path'] for r in sim.requests()] == [TLS_PATH + service]
    assert result['chain']
    assert result['root_certificate'] == result['chain'][-1]


def test_internalca_root_is_the_platform_ca(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-c', service='internalca'))
    assert result['root_certificate'].strip() == read_file(sim.info['environments']['ece-c']['ca_cert_file']).strip()


def test_an_empty_region_reads_the_path_without_region(sim, conn, run_module):
    run_module(MODULE, conn.ece('ece-b', ece_region=''))
    assert [r['path'] for r in sim.requests()] == ['/api/v1/platform/configuration/security/tls/proxy']


def test_check_mode_reads_the_same_and_writes_nothing(sim, conn, run_module):
    normal = run_module(MODULE, conn.ece('ece-b'))
    checked = run_module(MODULE, conn.ece('ece-b'), check_mode=True)
    assert checked['changed'] is False
    assert checked['chain'] == normal['chain']
    assert [r for r in sim.requests() if r['write']] == []


def test_an_unknown_service_fails_before_any_request(sim, conn, run_module):
    result = run_module(MODULE, conn.ece('ece-b', service='kibana'))
    assert result['failed'] is True
    assert 'service' in result['msg']
    assert sim.requests() == []
