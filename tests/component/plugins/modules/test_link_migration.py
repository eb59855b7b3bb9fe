# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""remote_cluster_link: a link moved in place from TLS certificates to a cross-cluster API key, under the same alias,
with its credentials loaded before the one settings update that moves it; the reverse is refused."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import (
    CERTIFICATE, MODULE, converge, es_state, link, write_kinds, writes)

CLUSTER_ID = {}


def certificate_link(conn):
    return link(conn, 'certificate', *CERTIFICATE, remote_es=True)


def as_api_key(args, **options):
    return dict(args, model='api_key', **options)


def test_a_certificate_link_moves_to_an_api_key_without_pointing_at_nothing(sim, conn, run_module):
    args = certificate_link(conn)
    converge(run_module, args)
    sim.clear_log()

    predicted = run_module(MODULE, as_api_key(args), check_mode=True, diff=True)
    assert predicted['changed'] is True and predicted['migrated'] is True and writes(sim) == []
    assert 'fail from the reload of the credentials until the alias moves to port 9443: seconds' in predicted['outage']

    migrated = run_module(MODULE, as_api_key(args), diff=True)

    assert migrated['changed'] is True and not migrated.get('failed'), migrated
    order = write_kinds(sim)
    # key, proxy CA (its plan before the credentials exist), keystore, the nodes' reload, and at once the one settings
    # update: no plan, no wait between the load and the move, the outage of seconds that it is
    reload = '/_nodes/reload_secure_settings'
    assert order.index('key') < order.index('deployment trust') < order.index('keystore') < order.index(reload), order
    assert order[order.index(reload) + 1] == 'alias' and order.count('alias') == 1, order
    assert 0 < migrated['outage_seconds'] < 10
    settings = es_state(sim, 'ece-a', 'search-a')['persistent']
    assert settings['cluster.remote.peer.proxy_address'].endswith(':9443')
    assert migrated['remote_info']['connected'] is True and migrated['remote_info']['cluster_credentials']
    assert [d['before_header'] for d in migrated['diff']] == [d['before_header'] for d in predicted['diff']]
    # the certificate-model trust stays unless asked
    assert es_state(sim, 'ece-a', 'search-a')['trust']['external'][0]['trust_allowlist']
    again = run_module(MODULE, as_api_key(args))
    assert again['changed'] is False and again['migrated'] is False


def test_the_trust_of_the_certificate_model_goes_after_the_move_only_when_asked(sim, conn, run_module):
    args = certificate_link(conn)
    converge(run_module, args)
    sim.clear_log()

    migrated = run_module(MODULE, as_api_key(args, remove_previous_trust=True))

    assert migrated['changed'] is True, migrated
    order = write_kinds(sim, remote_info=True)
    assert order[-2:] == ['deployment trust', 'deployment trust'] and order.index('alias') < len(order) - 2, order
    for env, name in (('ece-a', 'search-a'), ('ece-b', 'data-b')):
        assert es_state(sim, env, name)['trust']['external'] == []  # the emptied entry goes as a whole
    assert migrated['remote_info']['connected'] is True


def test_moving_an_api_key_link_back_to_certificates_is_refused_before_any_write(sim, conn, run_module):
    args = as_api_key(certificate_link(conn))
    converge(run_module, args)
    sim.clear_log()

    refused = run_module(MODULE, dict(args, model='certificate'))

    assert refused.get('failed') is True
    assert 'connects with a cross-cluster API key (port 9443)' in refused['msg'] and 'deprecated in 9.0' in refused['msg']
    assert writes(sim) == []
