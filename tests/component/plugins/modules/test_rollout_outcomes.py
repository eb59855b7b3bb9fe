# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What remote_clusters_rollout tells of each link: credentials refused once per environment, named with the environment,
the URL and the option; each link's status, its changes in words and both sides by name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_cluster_link import link, writes
from ansible_collections.ece.remote_clusters.tests.component.plugins.modules.test_remote_clusters_rollout import (
    by_name, hub_links)

MODULE = 'remote_clusters_rollout'


def refused(sim, env):
    return [r for r in sim.requests() if r['server'] == 'ece:%s' % env and r['status'] == 401]


def test_a_refused_ece_api_key_is_sent_once_per_environment_and_named_with_environment_url_and_option(sim, conn, run_module):
    links = hub_links(conn)  # three links from ece-a to three deployments of ece-b
    for args in links:
        args['remote']['ece']['ece_api_key'] = 'not-the-key-of-ece-b'
    sim.clear_log()
    result = run_module(MODULE, dict(links=links))
    assert result['failed'] is True
    assert len(refused(sim, 'ece-b')) == 1, refused(sim, 'ece-b')
    assert refused(sim, 'ece-a') == [] and writes(sim) == []
    outcomes = by_name(result)
    first = [o for o in outcomes.values() if 'HTTP 401' in o['msg']]
    assert len(first) == 1, [o['msg'] for o in outcomes.values()]
    (first,) = first
    url = conn.ece('ece-b')['ece_url']
    assert ('environment ece-b (the ECE API at %s) refused the credentials: check ece_api_key (or give ece_username and '
            'ece_password instead) (in the ece options of the remote side of the link)' % url) in first['msg'], first['msg']
    assert first['step'] == 'remote_deployment'
    for name, outcome in outcomes.items():
        assert outcome['status'] == 'failed_before_checking', (name, outcome['status'])
        assert outcome['remote']['environment'] == 'ece-b' and outcome['local']['environment'] == 'ece-a'
        if outcome is not first:
            assert outcome['msg'] == 'not attempted: environment ece-b refused the credentials (see link %s)' % first['name']
    assert 'not-the-key-of-ece-b' not in str(result)


def test_a_refused_user_names_the_basic_auth_options(sim, conn, run_module):
    (args,) = hub_links(conn, spokes=('data-b',))
    args['local']['ece'].pop('ece_api_key')
    args['local']['ece'].update(ece_username='admin', ece_password='wrong-password')
    result = run_module(MODULE, dict(links=[args]))
    (outcome,) = result['links']
    assert 'environment ece-a (the ECE API at %s) refused the credentials: check ece_username and ece_password' % (
        conn.ece('ece-a')['ece_url']) in outcome['msg']
    assert '(in the ece options of the local side of the link)' in outcome['msg']
    assert 'wrong-password' not in str(result)


def test_a_module_names_the_url_and_option_of_refused_credentials(sim, conn, run_module):
    result = run_module('ece_deployment_info', dict(conn.ece('ece-a', ece_api_key='wrong'), deployment_id=conn.deployment('ece-a', 'search-a')['id']))
    assert result['failed'] is True and result['status'] == 401
    assert result['msg'].endswith('the ECE API at %s refused the credentials: check ece_api_key (or give ece_username and '
                                  'ece_password instead)' % conn.ece('ece-a')['ece_url']), result['msg']
    es = run_module('es_remote_cluster', dict(conn.es('ece-a', 'search-a', es_password='wrong'), alias='peer', state='absent'))
    assert es['failed'] is True and 'refused the credentials: check es_username and es_password' in es['msg'], es['msg']


def test_each_link_has_its_status_its_changes_in_words_and_both_sides_by_name(sim, conn, run_module):
    data_b, ingest_b = hub_links(conn, spokes=('data-b', 'ingest-b'))
    bad = dict(hub_links(conn, spokes=('old-b',))[0], alias='Not An Alias')
    sim.clear_log()
    result = run_module(MODULE, dict(links=[data_b, ingest_b, bad]), check_mode=True)
    outcomes = by_name(result)
    # check mode: nothing is set up yet, so nothing is connected; the bad link was refused before any request
    assert [outcomes[n]['status'] for n in ('hub-to-data-b', 'hub-to-ingest-b', 'hub-to-old-b')] == [
        'not_connected', 'not_connected', 'failed_before_checking']
    assert [c['what'] for c in outcomes['hub-to-data-b']['changes']] == [
        'trust relationship for environment ece-b in environment ece-a',
        'trust relationship for environment ece-a in environment ece-b',
        'deployment trust of ece-a/search-a', 'deployment trust of ece-b/data-b', 'remote cluster spoke_0 on ece-a/search-a']
    assert outcomes['hub-to-data-b']['local']['deployment_name'] == 'search-a'
    assert outcomes['hub-to-old-b']['changes'] == [] and 'alias' in outcomes['hub-to-old-b']['msg']
    assert outcomes['hub-to-old-b']['remote'] == {
        'deployment_id': bad['remote']['deployment_id'], 'environment': 'ece-b', 'deployment_name': None}
    assert writes(sim) == []

    result = run_module(MODULE, dict(links=[data_b, ingest_b]))
    assert [o['status'] for o in result['links']] == ['connected', 'connected']
    data_b['state'] = 'absent'
    removed = by_name(run_module(MODULE, dict(links=[data_b, ingest_b])))
    assert removed['hub-to-data-b']['status'] == 'removed'
    assert 'remote cluster spoke_0 on ece-a/search-a' in [c['what'] for c in removed['hub-to-data-b']['changes']]
    assert removed['hub-to-ingest-b']['status'] == 'connected' and removed['hub-to-ingest-b']['changes'] == []


def test_a_link_that_fails_after_reading_both_deployments_is_failed_and_names_its_step(sim, conn, run_module):
    (args,) = hub_links(conn, spokes=('data-b',))
    sim.fault(plan_failure='Allocator capacity exceeded in zone ece-zone-1', env='ece-a', deployment='search-a')
    (outcome,) = run_module(MODULE, dict(links=[args]))['links']
    assert outcome['status'] == 'failed' and outcome['step'] == 'local_trust'
    assert outcome['local']['deployment_name'] == 'search-a' and outcome['remote']['deployment_name'] == 'data-b'


def test_deployment_names_given_are_kept_when_the_link_fails_before_reading_them(sim, conn, run_module):
    args = link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', 'data-b'), alias='data', name='by-name')
    args['remote'].pop('deployment_id')
    args['remote']['deployment_name'] = 'no-such-deployment'
    (outcome,) = run_module(MODULE, dict(links=[args]))['links']
    assert outcome['status'] == 'failed_before_checking'
    assert outcome['remote'] == {'deployment_id': None, 'environment': 'ece-b', 'deployment_name': 'no-such-deployment'}


def test_a_single_link_names_the_side_the_url_and_the_option_of_refused_credentials(sim, conn, run_module):
    args = link(conn, 'certificate', ('ece-a', 'search-a'), ('ece-b', 'data-b'))
    args['remote']['ece']['ece_api_key'] = 'not-the-key-of-ece-b'
    result = run_module('remote_cluster_link', args)
    assert result['failed'] is True and result['step'] == 'remote_deployment'
    assert result['msg'].startswith('read the remote deployment: ')
    assert 'the ECE API at %s refused the credentials: check ece_api_key' % conn.ece('ece-b')['ece_url'] in result['msg']
    assert writes(sim) == [] and 'not-the-key-of-ece-b' not in str(result)
