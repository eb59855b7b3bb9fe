# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converged runs send only the reads a module needs: what the caller already knows is not read again."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def requests_of(sim):
    return [(r['method'], r['path']) for r in sim.requests()]


def test_keystore_look_up_with_ref_id_reads_only_the_keystore(sim, conn, run_module):
    deployment_id = conn.deployment('ece-a', 'logs-a')['id']
    sim.clear_log()
    result = run_module('ece_keystore_secret', conn.ece('ece-a', deployment_id=deployment_id, ref_id='main-elasticsearch',
                                                        remote_cluster_alias='ece_b'))
    assert (result['changed'], result['exists'], result['elasticsearch_version']) == (False, False, None)
    assert requests_of(sim) == [('GET', '/api/v1/deployments/%s/elasticsearch/main-elasticsearch/keystore' % deployment_id)]


def test_keystore_change_with_ref_id_reads_the_version_for_restart_required(sim, conn, run_module):
    deployment_id = conn.deployment('ece-a', 'logs-a')['id']
    result = run_module('ece_keystore_secret', conn.ece('ece-a', deployment_id=deployment_id, ref_id='main-elasticsearch',
                                                        remote_cluster_alias='ece_b', value='a-secret-value'))
    assert (result['changed'], result['elasticsearch_version'], result['restart_required']) == (True, '8.12.2', True)
    keystore = '/api/v1/deployments/%s/elasticsearch/main-elasticsearch/keystore' % deployment_id
    # the version is read before the write (the plan decides restart_required from what was read), and only for a write
    assert [(m, p.split('?')[0]) for m, p in requests_of(sim)] == [
        ('GET', keystore), ('GET', '/api/v1/deployments/%s' % deployment_id), ('PATCH', keystore)]
    sim.clear_log()
    again = run_module('ece_keystore_secret', conn.ece('ece-a', deployment_id=deployment_id, ref_id='main-elasticsearch',
                                                       remote_cluster_alias='ece_b', value='a-secret-value'))
    assert (again['changed'], again['restart_required']) == (False, False)
    assert requests_of(sim) == [('GET', keystore)]


def test_a_known_elasticsearch_version_saves_the_version_request(sim, conn, run_module):
    args = conn.es('ece-a', 'search-a', name='reader', cluster=['monitor'], elasticsearch_version='8.14.3',
                   remote_indices=[{'clusters': ['ece_b'], 'names': ['logs-*'], 'privileges': ['read']}])
    assert run_module('es_role', args)['changed'] is True
    sim.clear_log()
    assert run_module('es_role', args)['changed'] is False
    assert requests_of(sim) == [('GET', '/_security/role/reader')]


def test_a_known_old_version_is_still_refused_before_any_write(sim, conn, run_module):
    args = conn.es('ece-a', 'legacy-a', alias='ece_b', proxy_address='x.example:9300', elasticsearch_version='7.5.2')
    result = run_module('es_remote_cluster', args)
    assert result.get('failed') is True and '7.6' in result['msg']
    assert [r for r in sim.requests() if r['write'] or r['path'] == '/'] == []


def test_a_bad_elasticsearch_version_fails_before_any_request(sim, conn, run_module):
    result = run_module('es_role', conn.es('ece-a', 'search-a', name='reader', elasticsearch_version='eight'))
    assert result.get('failed') is True and 'elasticsearch_version' in result['msg']
    assert sim.requests() == []


def test_a_module_run_sends_all_its_requests_over_one_kept_alive_connection(sim, conn, run_module):
    args = conn.es('ece-a', 'search-a', alias='ece_b', mode='proxy', proxy_address='0123abcd.ece-b.example.com:9300',
                   server_name='0123abcd.ece-b.example.com')
    sim.clear_log()
    assert run_module('es_remote_cluster', args)['changed'] is True
    log = sim.requests()
    assert [r['method'] for r in log] == ['GET', 'GET', 'PUT', 'GET']  # version, settings, write, _remote/info
    assert len(set(r['client'] for r in log)) == 1
