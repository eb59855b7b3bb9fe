"""ECE API behaviour: auth, region paths, trust relationships, deployments, updates, keystore, remote clusters, restart, TLS."""

from __future__ import annotations

import time

from cryptography import x509

from ecesim.testing import get_deployment, update_body, wait_plan

TR = '/platform/configuration/trust-relationships'


def _ca(sim, env):
    with open(sim.env(env)['ca_cert_file'], encoding='ascii') as handle:
        return handle.read()


def _es_info(body):
    return body['resources']['elasticsearch'][0]['info']


# ---- auth and paths -----------------------------------------------------------------------------------
def test_api_key_and_basic_authentication_are_accepted(sim, ece, session):
    env = sim.env('ece-a')
    assert ece().get('/platform').status_code == 200
    response = session.get(env['ece_url'] + '/api/v1/platform', auth=(env['username'], env['password']))
    assert response.status_code == 200


def test_missing_or_wrong_credentials_get_401_with_the_ece_error_body(sim, ece, session):
    env = sim.env('ece-a')
    for kwargs in ({}, {'headers': {'Authorization': 'ApiKey wrong'}}):
        response = session.get(env['ece_url'] + '/api/v1/deployments', **kwargs)
        assert response.status_code == 401
        assert response.json()['errors'][0]['code'] == 'root.unauthenticated'
        assert response.headers['x-cloud-error-codes'] == 'root.unauthenticated'
    response = session.get(env['ece_url'] + '/api/v1/platform', auth=('admin', 'nope'))
    assert response.status_code == 401
    other = sim.env('ece-b')
    assert session.get(env['ece_url'] + '/api/v1/platform', headers={'Authorization': 'ApiKey ' + other['api_key']}).status_code == 401


def test_platform_paths_answer_with_and_without_the_region_prefix(ece):
    plain = ece().get(TR)
    regional = ece().get('/regions/ece-region' + TR)
    assert plain.status_code == regional.status_code == 200
    assert plain.json() == regional.json()
    assert ece().get('/regions/ece-region/platform').json()['version'] == '3.8.0'


def test_a_wrong_region_is_404_with_the_ece_error_body(ece):
    response = ece().get('/regions/us-east-1' + TR)
    assert response.status_code == 404
    assert response.json()['errors'][0]['code'] == 'root.resource_not_found'


def test_deployment_paths_take_no_region_prefix(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    assert ece().get('/deployments/%s' % dep['id']).status_code == 200
    assert ece().get('/regions/ece-region/deployments/%s' % dep['id']).status_code == 404


def test_platform_reports_the_ece_version_and_region(ece):
    body = ece().get('/platform').json()
    assert body['version'] == '3.8.0'
    assert [region['region_id'] for region in body['regions']] == ['ece-region']


# ---- trust relationships ---------------------------------------------------------------------------------
def test_the_local_trust_relationship_exists_with_the_environment_id_ca_and_account(sim, ece):
    env = sim.env('ece-b')
    items = ece('ece-b').get(TR, params={'filter': 'local', 'include_certificate': 'true'}).json()['trust_relationships']
    assert len(items) == 1
    local = items[0]
    assert local['local'] is True and local['installation_id'] == env['environment_id']
    assert local['account_ids'] == [env['account_id']] and local['id'] == env['local_trust_relationship_id']
    assert local['public_ca_cert'] == _ca(sim, 'ece-b')


def test_trust_relationship_list_filters_and_shows_certificates_only_on_request(sim, ece):
    client = ece('ece-a')
    assert client.post(TR, json={'name': 'ece-b', 'public_ca_cert': _ca(sim, 'ece-b'),
                                 'installation_id': sim.env('ece-b')['environment_id']}).status_code == 201
    everything = client.get(TR).json()['trust_relationships']
    assert len(everything) == 2 and all('public_ca_cert' not in item for item in everything)
    non_local = client.get(TR, params={'filter': 'non-local', 'include_certificate': 'true'}).json()['trust_relationships']
    assert [item['name'] for item in non_local] == ['ece-b'] and non_local[0]['public_ca_cert'] == _ca(sim, 'ece-b')


def test_creating_a_trust_relationship_returns_201_with_a_server_assigned_id(sim, ece):
    env_b = sim.env('ece-b')
    response = ece('ece-a').post(TR, json={'name': 'to-b', 'public_ca_cert': _ca(sim, 'ece-b'), 'installation_id': env_b['environment_id'],
                                           'account_ids': [env_b['account_id']], 'trust_by_default': False})
    assert response.status_code == 201
    body = response.json()
    assert len(body['id']) == 32 and body['local'] is False and 'public_ca_cert' not in body and 'last_modified' not in body
    assert response.headers['x-cloud-resource-version'] == '1'
    fetched = ece('ece-a').get(TR + '/' + body['id'], params={'include_certificate': 'true'}).json()
    assert fetched['installation_id'] == env_b['environment_id'] and fetched['public_ca_cert'] == _ca(sim, 'ece-b')


def test_a_duplicate_trust_relationship_name_is_not_rejected(sim, ece):
    body = {'name': 'same', 'public_ca_cert': _ca(sim, 'ece-b'), 'installation_id': sim.env('ece-b')['environment_id']}
    first = ece().post(TR, json=body)
    second = ece().post(TR, json=body)
    assert first.status_code == second.status_code == 201 and first.json()['id'] != second.json()['id']
    names = [item['name'] for item in ece().get(TR).json()['trust_relationships']]
    assert names.count('same') == 2


def test_trust_relationship_update_delete_and_not_found(sim, ece):
    created = ece().post(TR, json={'name': 'x', 'public_ca_cert': _ca(sim, 'ece-c')}).json()
    updated = ece().put(TR + '/' + created['id'], json={'trust_by_default': True, 'installation_id': sim.env('ece-c')['environment_id']})
    assert updated.status_code == 200 and updated.json()['trust_by_default'] is True
    assert updated.headers['x-cloud-resource-version'] == '2'
    assert ece().delete(TR + '/' + created['id']).json() == {}
    missing = ece().get(TR + '/' + created['id'])
    assert missing.status_code == 404 and missing.json()['errors'][0]['code'] == 'trust_relationships.not_found'
    assert ece().delete(TR + '/' + created['id']).status_code == 404


def test_a_trust_relationship_needs_a_valid_pem_certificate(ece):
    response = ece().post(TR, json={'name': 'x', 'public_ca_cert': 'not a certificate'})
    assert response.status_code == 400


# ---- reading deployments -----------------------------------------------------------------------------------
def test_trust_appears_only_with_show_settings(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    plain = _es_info(ece().get('/deployments/%s' % dep['id']).json())
    assert 'settings' not in plain
    with_settings = _es_info(ece().get('/deployments/%s' % dep['id'], params={'show_settings': 'true'}).json())
    assert with_settings['settings']['trust'] == {'accounts': [{'account_id': sim.env('ece-a')['account_id'], 'trust_all': True}]}


def test_deployment_get_shows_plans_logs_history_and_metadata_on_request(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    default = _es_info(ece().get('/deployments/%s' % dep['id']).json())
    assert default['plan_info']['current']['plan']['elasticsearch']['version'] == '8.14.3'
    assert default['plan_info']['current']['plan_attempt_log'] == [] and default['plan_info']['history'] == []
    assert 'raw' not in default['metadata']
    no_plans = _es_info(ece().get('/deployments/%s' % dep['id'], params={'show_plans': 'false'}).json())
    assert 'current' not in no_plans['plan_info']
    params = {'show_plan_logs': 'true', 'show_plan_history': 'true', 'show_metadata': 'true'}
    full = _es_info(ece().get('/deployments/%s' % dep['id'], params=params).json())
    assert full['plan_info']['current']['plan_attempt_log'][-1]['step_id'] == 'plan-completed'
    assert len(full['plan_info']['history']) == 1 and 'raw' in full['metadata']


def test_metadata_endpoint_ports_and_resource_version_header(sim, ece):
    dep = sim.deployment('ece-b', 'data-b')
    response = ece('ece-b').get('/deployments/%s' % dep['id'], params={'show_metadata': 'true'})
    assert response.headers['x-cloud-resource-version'] == '1'
    assert 'x-cloud-resource-created' in response.headers and 'x-cloud-resource-last-modified' in response.headers
    info = _es_info(response.json())
    assert info['cluster_id'] == dep['elasticsearch']['cluster_id'] == response.json()['resources']['elasticsearch'][0]['id']
    assert info['metadata']['endpoint'] == dep['elasticsearch']['endpoint']
    assert info['metadata']['service_url'] == dep['elasticsearch']['url']
    assert info['metadata']['ports'] == {'http': 9200, 'https': 9243, 'transport_passthrough': 9400}
    assert info['topology']['instances'][0]['service_version'] == '8.15.1'


def test_the_elasticsearch_resource_answers_by_ref_id_and_main(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    by_ref = ece().get('/deployments/%s/elasticsearch/main-elasticsearch' % dep['id'])
    by_main = ece().get('/deployments/%s/elasticsearch/_main' % dep['id'])
    assert by_ref.status_code == by_main.status_code == 200
    assert by_ref.json()['id'] == dep['elasticsearch']['cluster_id']
    missing = ece().get('/deployments/%s/elasticsearch/other' % dep['id'])
    assert missing.status_code == 404 and missing.json()['errors'][0]['code'] == 'deployments.deployment_resource_not_found'
    unknown = ece().get('/deployments/%s' % ('f' * 32))
    assert unknown.status_code == 404 and unknown.json()['errors'][0]['code'] == 'deployments.deployment_not_found'


def test_deployments_can_be_listed_and_searched_by_name_and_cluster_id(sim, ece):
    listing = ece().get('/deployments').json()['deployments']
    assert sorted(item['name'] for item in listing) == ['legacy-a', 'logs-a', 'search-a']
    dep = sim.deployment('ece-a', 'logs-a')
    by_cluster = {'query': {'nested': {'path': 'resources.elasticsearch', 'query': {
        'match': {'resources.elasticsearch.id': {'query': dep['elasticsearch']['cluster_id']}}}}}}
    found = ece().post('/deployments/_search', json=by_cluster).json()
    assert found['match_count'] == 1 and found['deployments'][0]['id'] == dep['id']
    by_name = ece().post('/deployments/_search', json={'query': {'match': {'name': {'query': 'logs-a', 'operator': 'and'}}}}).json()
    assert [item['name'] for item in by_name['deployments']] == ['logs-a']
    loose = ece().post('/deployments/_search', json={'query': {'match': {'name': {'query': 'a'}}}}).json()
    assert loose['match_count'] == 3  # match is analysed: names are not unique keys
    sized = ece().post('/deployments/_search', json={'query': {'match_all': {}}, 'size': 1}).json()
    assert sized['return_count'] == 1 and sized['match_count'] == 3


def test_a_search_pages_by_cursor_in_its_sort_and_by_default_a_modified_deployment_moves(sim, ece):
    def pages(body, between=None):
        names, page = [], ece().post('/deployments/_search', json=body).json()
        while True:
            names.extend(item['name'] for item in page['deployments'])
            if not page.get('cursor'):
                return names
            if between:
                between()
                between = None
            page = ece().post('/deployments/_search', json={'cursor': page['cursor']}).json()

    by_id = sorted(sim.env('ece-a')['deployments'].values(), key=lambda d: d['id'])
    body = {'query': {'match_all': {}}, 'size': 1, 'sort': [{'id': {'order': 'asc'}}]}
    assert pages(body, lambda: sim.mutate({'op': 'bump_version', 'env': 'ece-a', 'deployment': by_id[-1]['name']})) == \
        [d['name'] for d in by_id]
    for name in ('legacy-a', 'logs-a', 'search-a'):
        sim.mutate({'op': 'bump_version', 'env': 'ece-a', 'deployment': name})
    # ECE's default order: last modified first; legacy-a, modified after the first page, is skipped
    assert pages({'query': {'match_all': {}}, 'size': 1},
                 lambda: sim.mutate({'op': 'bump_version', 'env': 'ece-a', 'deployment': 'legacy-a'})) == ['search-a', 'search-a', 'logs-a']
    refused = ece().post('/deployments/_search', json={'sort': [{'no_such_field': 'asc'}]})
    assert refused.status_code == 400


# ---- updates ---------------------------------------------------------------------------------------------
def test_an_update_requires_prune_orphans(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    body = update_body(get_deployment(ece(), dep['id']).json())
    del body['prune_orphans']
    response = ece().put('/deployments/%s' % dep['id'], json=body)
    assert response.status_code == 400


def test_prune_orphans_true_shuts_down_a_kibana_missing_from_the_body(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    body = update_body(get_deployment(ece(), dep['id']).json(), prune_orphans=True)
    response = ece().put('/deployments/%s' % dep['id'], json=body)
    assert response.status_code == 200
    assert response.json()['shutdown_resources']['kibana'] == [dep['kibana_id']]
    assert [res['kind'] for res in response.json()['resources']] == ['elasticsearch']
    kibana = ece().get('/deployments/%s' % dep['id']).json()['resources']['kibana'][0]
    assert kibana['info']['status'] == 'stopped'
    assert sim.state()['environments']['ece-a']['deployments']['search-a']['kibana']['status'] == 'stopped'


def test_prune_orphans_false_keeps_resources_missing_from_the_body(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    response = ece().put('/deployments/%s' % dep['id'], json=update_body(get_deployment(ece(), dep['id']).json()))
    assert response.status_code == 200 and 'shutdown_resources' not in response.json()
    assert ece().get('/deployments/%s' % dep['id']).json()['resources']['kibana'][0]['info']['status'] == 'started'


def test_a_version_conflict_is_409(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    got = get_deployment(ece(), dep['id'])
    body = update_body(got.json())
    assert ece().put('/deployments/%s' % dep['id'], params={'version': got.headers['x-cloud-resource-version']}, json=body).status_code == 200
    wait_plan(ece(), dep['id'])
    stale = ece().put('/deployments/%s' % dep['id'], params={'version': got.headers['x-cloud-resource-version']}, json=body)
    assert stale.status_code == 409
    assert stale.json()['errors'][0]['code'] == 'deployments.deployment_version_conflict'
    assert stale.headers['x-cloud-error-codes'] == 'deployments.deployment_version_conflict'


def test_the_version_counter_increments_on_every_successful_update(sim, ece):
    dep = sim.deployment('ece-b', 'data-b')
    client = ece('ece-b')
    versions = []
    for dummy in range(3):
        got = get_deployment(client, dep['id'])
        versions.append(int(got.headers['x-cloud-resource-version']))
        response = client.put('/deployments/%s' % dep['id'], params={'version': str(versions[-1])}, json=update_body(got.json()))
        assert response.status_code == 200
        assert int(response.headers['x-cloud-resource-version']) == versions[-1] + 1
        wait_plan(client, dep['id'])
    assert versions == [1, 2, 3]


def test_a_provided_trust_replaces_the_whole_trust_object(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    rel = ece().post(TR, json={'name': 'b', 'public_ca_cert': _ca(sim, 'ece-b'), 'installation_id': sim.env('ece-b')['environment_id']})
    trust = {'external': [{'trust_relationship_id': rel.json()['id'], 'trust_all': True}]}
    response = ece().put('/deployments/%s' % dep['id'], json=update_body(get_deployment(ece(), dep['id']).json(), trust=trust))
    assert response.status_code == 200
    shown = _es_info(get_deployment(ece(), dep['id']).json())['settings']['trust']
    assert 'accounts' not in shown  # the default account trust is gone: "Trust no deployment" in the same environment
    assert shown['external'] == [{'trust_relationship_id': rel.json()['id'], 'trust_all': True, 'name': 'b'}]


def test_an_update_starts_a_plan_that_takes_time_and_ends_with_plan_completed(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    response = ece().put('/deployments/%s' % dep['id'], json=update_body(get_deployment(ece(), dep['id']).json()))
    assert response.status_code == 200
    time.sleep(0.25)  # the plan shows a moment after the write (plan_start_delay)
    pending = _es_info(ece().get('/deployments/%s' % dep['id'], params={'show_plan_logs': 'true'}).json())
    assert pending['status'] == 'reconfiguring' and 'pending' in pending['plan_info']
    assert pending['plan_info']['pending']['plan_attempt_log'][-1]['status'] == 'pending'
    body = wait_plan(ece(), dep['id'])
    info = _es_info(body)
    assert info['status'] == 'started' and info['plan_info']['healthy'] is True
    log = info['plan_info']['current']['plan_attempt_log']
    assert log[-1]['step_id'] == 'plan-completed' and log[-1]['status'] == 'success'
    assert info['plan_info']['current']['plan_attempt_id'] == pending['plan_info']['pending']['plan_attempt_id']


def test_a_second_plan_is_refused_while_one_is_pending(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    body = update_body(get_deployment(ece(), dep['id']).json())
    assert ece().put('/deployments/%s' % dep['id'], json=body).status_code == 200
    again = ece().put('/deployments/%s' % dep['id'], json=body)
    assert again.status_code == 400 and again.json()['errors'][0]['code'] == 'clusters.cluster_plan_state_error'


def test_a_plan_sent_back_with_its_transient_cluster_reboot_restarts_the_cluster(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    assert ece().post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % dep['id']).status_code == 202
    wait_plan(ece(), dep['id'])

    def state():
        return sim.state()['environments']['ece-a']['deployments']['search-a']['elasticsearch']
    assert state()['restarts'] == 1
    raw = ece().get('/deployments/%s' % dep['id'], params={'show_settings': 'true'}).json()
    assert _es_info(raw)['plan_info']['current']['plan']['transient']['plan_configuration']['cluster_reboot'] == 'forced'
    assert ece().put('/deployments/%s' % dep['id'], json=update_body(raw, keep_transient=True)).status_code == 200
    wait_plan(ece(), dep['id'])
    assert state()['restarts'] == 2  # re-executed
    cleared = get_deployment(ece(), dep['id']).json()  # clear_transient=true
    assert 'transient' not in _es_info(cleared)['plan_info']['current']['plan']
    assert ece().put('/deployments/%s' % dep['id'], json=update_body(cleared)).status_code == 200
    wait_plan(ece(), dep['id'])
    assert state()['restarts'] == 2


def test_external_trust_must_reference_an_existing_trust_relationship(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    trust = {'accounts': [{'account_id': sim.env('ece-a')['account_id'], 'trust_all': True}],
             'external': [{'trust_relationship_id': 'a' * 32, 'trust_all': True}]}
    response = ece().put('/deployments/%s' % dep['id'], json=update_body(get_deployment(ece(), dep['id']).json(), trust=trust))
    assert response.status_code == 400


def test_direct_trust_of_type_proxy_follows_the_documented_rules(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    with open(sim.env('ece-b')['proxy_ca_cert_file'], encoding='ascii') as handle:
        proxy_ca = handle.read()
    accounts = [{'account_id': sim.env('ece-a')['account_id'], 'trust_all': True}]
    bad = {'accounts': accounts, 'direct': [{'name': 'b-proxy', 'type': 'proxy', 'trust_all': True, 'certificates': [{'pem': proxy_ca}]}]}
    got = get_deployment(ece(), dep['id']).json()
    assert ece().put('/deployments/%s' % dep['id'], json=update_body(got, trust=bad)).status_code == 400
    good = {'accounts': accounts, 'direct': [{'name': 'b-proxy', 'type': 'proxy', 'trust_all': False, 'certificates': [{'pem': proxy_ca}]}]}
    assert ece().put('/deployments/%s' % dep['id'], json=update_body(got, trust=good)).status_code == 200
    direct = _es_info(get_deployment(ece(), dep['id']).json())['settings']['trust']['direct'][0]
    assert direct['uid'] and direct['certificates'][0]['metadata']['fingerprint']


# ---- keystore ---------------------------------------------------------------------------------------------
def test_keystore_get_shows_names_and_as_file_only(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    path = '/deployments/%s/elasticsearch/main-elasticsearch/keystore' % dep['id']
    response = ece().patch(path, json={'secrets': {'cluster.remote.b.credentials': {'value': 'c2VjcmV0', 'as_file': False},
                                                   'gcs.client.default.credentials_file': {'value': {'type': 'service_account'}}}})
    assert response.status_code == 200
    expected = {'secrets': {'cluster.remote.b.credentials': {'as_file': False}, 'gcs.client.default.credentials_file': {'as_file': True}}}
    assert response.json() == expected
    assert ece().get(path).json() == expected


def test_keystore_patch_merges_and_an_entry_without_value_deletes(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    path = '/deployments/%s/elasticsearch/_main/keystore' % dep['id']
    ece().patch(path, json={'secrets': {'a': {'value': '1'}, 'b': {'value': '2'}, 'c': {'value': '3'}}})
    ece().patch(path, json={'secrets': {'d': {'value': '4'}}})
    assert sorted(ece().get(path).json()['secrets']) == ['a', 'b', 'c', 'd']
    ece().patch(path, json={'secrets': {'a': {}, 'b': None, 'c': {'as_file': False}}})
    assert sorted(ece().get(path).json()['secrets']) == ['d']
    stored = sim.state()['environments']['ece-a']['deployments']['search-a']['elasticsearch']['keystore']
    assert stored == {'d': {'value': '4', 'as_file': False}}


# ---- remote clusters ---------------------------------------------------------------------------------------
def _remote_clusters_path(dep):
    return '/deployments/%s/elasticsearch/main-elasticsearch/remote-clusters' % dep['id']


def test_remote_clusters_put_replaces_the_whole_list_with_202_and_writes_the_es_settings(sim, ece, es):
    a, b, c = (sim.deployment('ece-a', name) for name in ('search-a', 'logs-a', 'legacy-a'))
    put = ece().put(_remote_clusters_path(a), json={'resources': [
        {'deployment_id': b['id'], 'elasticsearch_ref_id': 'main-elasticsearch', 'alias': 'logs', 'skip_unavailable': True}]})
    assert put.status_code == 202 and put.json() == {}
    # accepted, applied a moment later (remote_clusters_apply_seconds)
    assert es('ece-a', 'search-a').get('/_cluster/settings', params={'flat_settings': 'true'}).json()['persistent'] == {}
    time.sleep(0.4)
    flat = es('ece-a', 'search-a').get('/_cluster/settings', params={'flat_settings': 'true'}).json()['persistent']
    endpoint = b['elasticsearch']['endpoint']
    assert flat == {'cluster.remote.logs.mode': 'proxy', 'cluster.remote.logs.proxy_address': endpoint + ':9400',
                    'cluster.remote.logs.server_name': endpoint, 'cluster.remote.logs.skip_unavailable': 'true'}
    ece().put(_remote_clusters_path(a), json={'resources': [
        {'deployment_id': c['id'], 'elasticsearch_ref_id': 'main-elasticsearch', 'alias': 'legacy'}]})
    listed = ece().get(_remote_clusters_path(a)).json()['resources']
    assert [item['alias'] for item in listed] == ['legacy']  # logs was replaced, not kept
    time.sleep(0.4)
    flat = es('ece-a', 'search-a').get('/_cluster/settings', params={'flat_settings': 'true'}).json()['persistent']
    assert not any(key.startswith('cluster.remote.logs.') for key in flat)
    assert ece().put(_remote_clusters_path(a), json={'resources': []}).status_code == 202
    time.sleep(0.4)
    assert es('ece-a', 'search-a').get('/_cluster/settings', params={'flat_settings': 'true'}).json()['persistent'] == {}


def test_remote_clusters_take_deployments_of_the_same_environment_only(sim, ece):
    a = sim.deployment('ece-a', 'search-a')
    other = sim.deployment('ece-b', 'data-b')
    response = ece().put(_remote_clusters_path(a), json={'resources': [
        {'deployment_id': other['id'], 'elasticsearch_ref_id': 'main-elasticsearch', 'alias': 'b'}]})
    assert response.status_code == 400
    assert response.json()['errors'][0]['code'] == 'deployments.deployment_remote_resource_not_found'
    assert '(deployment [%s] - ref_id [main-elasticsearch])' % other['id'] in response.json()['errors'][0]['message']


def test_remote_clusters_get_includes_the_read_only_info(sim, ece):
    a, b = sim.deployment('ece-a', 'search-a'), sim.deployment('ece-a', 'logs-a')
    ref = {'deployment_id': b['id'], 'elasticsearch_ref_id': 'main-elasticsearch', 'alias': 'logs'}
    ece().put(_remote_clusters_path(a), json={'resources': [ref]})
    time.sleep(0.4)
    item = ece().get(_remote_clusters_path(a)).json()['resources'][0]
    assert item['skip_unavailable'] is False
    assert item['info'] == {'healthy': True, 'connected': True, 'compatible': True, 'trusted': True, 'trusted_back': True}


def test_remote_clusters_on_a_cluster_below_7_6_write_legacy_sniff_settings(sim, ece, es):
    legacy = sim.deployment('ece-a', 'legacy-a')
    target = sim.deployment('ece-a', 'logs-a')
    assert ece().put(_remote_clusters_path(legacy), json={'resources': [
        {'deployment_id': target['id'], 'elasticsearch_ref_id': 'main-elasticsearch', 'alias': 'logs'}]}).status_code == 202
    time.sleep(0.4)
    flat = es('ece-a', 'legacy-a').get('/_cluster/settings', params={'flat_settings': 'true'}).json()['persistent']
    endpoint = target['elasticsearch']['endpoint']
    assert flat == {'cluster.remote.logs.seeds': [endpoint + ':1'], 'cluster.remote.logs.proxy': endpoint + ':9400',
                    'cluster.remote.logs.skip_unavailable': 'false'}


def test_remote_clusters_fail_when_elasticsearch_rejects_the_settings(sim, ece, es):
    a, b = sim.deployment('ece-a', 'search-a'), sim.deployment('ece-a', 'logs-a')
    es('ece-a', 'search-a').put('/_cluster/settings', json={'persistent': {'cluster.remote.logs.seeds': ['x:9300']}})
    response = ece().put(_remote_clusters_path(a), json={'resources': [
        {'deployment_id': b['id'], 'elasticsearch_ref_id': 'main-elasticsearch', 'alias': 'logs'}]})
    assert response.status_code == 500
    assert response.json()['errors'][0]['code'] == 'deployments.cluster_request_failed'
    assert 'required=SNIFF, configured=PROXY' in response.json()['errors'][0]['message']


# ---- restart and plans -------------------------------------------------------------------------------------
def test_restart_answers_202_and_runs_a_plan(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    response = ece().post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'],
                          params={'skip_snapshot': 'true', 'group_attribute': '__zone__'})
    assert response.status_code == 202
    time.sleep(0.25)  # the plan shows a moment after the write (plan_start_delay)
    info = _es_info(ece().get('/deployments/%s' % dep['id']).json())
    assert info['status'] == 'restarting' and 'pending' in info['plan_info']
    info = _es_info(wait_plan(ece(), dep['id']))
    assert info['status'] == 'started' and info['plan_info']['current']['plan_attempt_log'][-1]['step_id'] == 'plan-completed'


def test_restart_while_a_plan_is_pending_is_422_unless_cancel_pending(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    path = '/deployments/%s/elasticsearch/main-elasticsearch/_restart' % dep['id']
    assert ece().post(path).status_code == 202
    refused = ece().post(path)
    assert refused.status_code == 422
    assert refused.json()['errors'][0]['code'] == 'deployments.deployment_resource_plan_change_error'
    assert ece().post(path, params={'cancel_pending': 'true'}).status_code == 202
    history = _es_info(wait_plan(ece(), dep['id']))['plan_info']['history']
    assert [attempt['healthy'] for attempt in history[-2:]] == [False, True]


def test_a_pending_plan_can_be_cancelled(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    ece().post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'])
    response = ece().delete('/deployments/%s/elasticsearch/main-elasticsearch/plan/pending' % dep['id'])
    assert response.status_code == 200 and response.json() == {'id': dep['id'], 'kind': 'elasticsearch', 'ref_id': 'main-elasticsearch'}
    again = ece().delete('/deployments/%s/elasticsearch/main-elasticsearch/plan/pending' % dep['id'])
    assert again.status_code == 400 and again.json()['errors'][0]['code'] == 'deployments.resource_does_not_have_a_pending_plan'


def test_restart_loads_the_keystore_into_the_running_nodes(sim, ece):
    dep = sim.deployment('ece-b', 'ingest-b')  # 8.12: no automatic reload
    client = ece('ece-b')
    client.patch('/deployments/%s/elasticsearch/main-elasticsearch/keystore' % dep['id'], json={'secrets': {'k': {'value': 'v'}}})

    def state():
        return sim.state()['environments']['ece-b']['deployments']['ingest-b']['elasticsearch']
    assert state()['loaded_keystore'] == {}
    client.post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'])
    assert state()['loaded_keystore'] == {}
    wait_plan(client, dep['id'])
    assert state()['loaded_keystore'] == {'k': 'v'}


# ---- TLS chains --------------------------------------------------------------------------------------------
def test_the_proxy_chain_of_a_private_environment_is_not_user_supplied_and_ends_with_its_private_ca(sim, ece):
    body = ece('ece-b').get('/platform/configuration/security/tls/proxy').json()
    assert body['user_supplied'] is False and len(body['chain']) == 2
    with open(sim.env('ece-b')['proxy_ca_cert_file'], encoding='ascii') as handle:
        assert body['chain'][-1] == handle.read()
    leaf = x509.load_pem_x509_certificate(body['chain'][0].encode())
    root = x509.load_pem_x509_certificate(body['chain'][1].encode())
    assert leaf.issuer == root.subject
    assert body['chain_status']['expiration_date']


def test_the_proxy_chain_of_a_public_environment_is_user_supplied_and_signed_by_a_public_root(sim, ece):
    body = ece('ece-a').get('/regions/ece-region/platform/configuration/security/tls/proxy').json()
    assert body['user_supplied'] is True
    root = x509.load_pem_x509_certificate(body['chain'][-1].encode())
    assert 'Public' in root.subject.rfc4514_string()
    assert body['chain'][-1] != _ca(sim, 'ece-a')


def test_other_tls_services_and_an_unknown_service(sim, ece):
    ui = ece().get('/platform/configuration/security/tls/ui').json()
    assert ui['chain'][-1] == _ca(sim, 'ece-a') and ui['user_supplied'] is False
    assert ece().get('/platform/configuration/security/tls/internalca').json()['chain'] == [_ca(sim, 'ece-a')]
    assert ece().get('/platform/configuration/security/tls/nope').status_code in (400, 404)


def test_an_unknown_path_is_404_with_the_ece_error_body(ece):
    response = ece().get('/no/such/thing')
    assert response.status_code == 404 and response.json()['errors'][0]['code'] == 'root.resource_not_found'


def test_plan_history_timestamps_move_forward(sim, ece):
    dep = sim.deployment('ece-a', 'logs-a')
    ece().post('/deployments/%s/elasticsearch/_main/_restart' % dep['id'])
    time.sleep(0.05)
    history = _es_info(wait_plan(ece(), dep['id']))['plan_info']['history']
    assert history[0]['attempt_end_time'] <= history[1]['attempt_start_time'] < history[1]['attempt_end_time']


def test_a_plan_shows_a_moment_after_the_write_that_started_it(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    before = _es_info(get_deployment(ece(), dep['id']).json())
    response = ece().put('/deployments/%s' % dep['id'], json=update_body(get_deployment(ece(), dep['id']).json()))
    assert response.status_code == 200
    right_after = _es_info(ece().get('/deployments/%s' % dep['id'], params={'show_plan_history': 'true'}).json())
    assert 'pending' not in right_after['plan_info'] and right_after['status'] == 'started'
    assert right_after['plan_info']['current']['plan_attempt_id'] == before['plan_info']['current']['plan_attempt_id']
    refused = ece().put('/deployments/%s' % dep['id'], json=update_body(get_deployment(ece(), dep['id']).json()))
    assert refused.status_code == 400  # the plan exists already, it only does not show yet
    time.sleep(0.25)
    later = _es_info(ece().get('/deployments/%s' % dep['id']).json())
    assert 'pending' in later['plan_info'] and later['status'] == 'reconfiguring'


def test_a_failed_plan_reports_its_error_in_its_log_and_its_error(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    sim.fault(plan_failure='The trust settings could not be applied', env='ece-a', deployment='search-a')
    ece().put('/deployments/%s' % dep['id'], json=update_body(get_deployment(ece(), dep['id']).json()))
    failed = _es_info(wait_plan(ece(), dep['id']))['plan_info']['history'][-1]
    last = failed['plan_attempt_log'][-1]
    assert last['step_id'] == 'plan-completed' and last['status'] == 'error'
    assert last['info_log'][-1]['message'] == 'The trust settings could not be applied'
    assert last['info_log'][-1]['failure_type'] and failed['error']['message'] == 'The trust settings could not be applied'
    assert failed['healthy'] is False
