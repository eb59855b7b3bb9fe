"""Elasticsearch API behaviour per cluster and version: routing, auth, cluster settings, remote info, API keys, roles, keystore loading."""

from __future__ import annotations

import base64
import time

import pytest

from ecesim.testing import wait_plan


def _reason(response):
    return response.json()['error']['root_cause'][0]['reason']


def _put(client, persistent=None, transient=None, **params):
    body = {}
    if persistent is not None:
        body['persistent'] = persistent
    if transient is not None:
        body['transient'] = transient
    return client.put('/_cluster/settings', json=body, params=params)


def _flat(client):
    return client.get('/_cluster/settings', params={'flat_settings': 'true'}).json()


# ---- routing and auth -------------------------------------------------------------------------------------
@pytest.mark.parametrize('env,dep,version', [('ece-a', 'search-a', '8.14.3'), ('ece-a', 'legacy-a', '7.5.2'),
                                             ('ece-c', 'analytics-c', '9.1.0'), ('ece-c', 'archive-c', '6.8.23')])
def test_root_reports_the_scenario_version(es, env, dep, version):
    body = es(env, dep).get('/').json()
    assert body['version']['number'] == version and body['tagline'] == 'You Know, for Search'


def test_an_unauthenticated_request_is_401_security_exception(sim, es):
    response = es(basic=True).get('/_cluster/settings')
    assert response.status_code == 401
    assert response.json()['error']['type'] == 'security_exception'
    assert _reason(response) == 'missing authentication credentials for REST request [/_cluster/settings]'
    assert 'WWW-Authenticate' in response.headers
    wrong = es(basic=True).get('/', auth=('elastic', 'wrong'))
    assert wrong.status_code == 401


def test_basic_and_api_key_authentication_are_accepted(sim, es):
    assert es(basic=True).get('/', auth=sim.es_auth('ece-a', 'search-a')).status_code == 200
    assert es().get('/').status_code == 200
    body = es().get('/_security/_authenticate').json()
    assert body['authentication_type'] == 'api_key' and body['username'] == 'elastic'
    basic = es(basic=True).get('/_security/_authenticate', auth=sim.es_auth('ece-a', 'search-a')).json()
    assert basic['authentication_type'] == 'realm' and 'superuser' in basic['roles']


def test_an_unknown_query_parameter_is_rejected_like_real_elasticsearch(es):
    response = es().get('/_cluster/settings', params={'flat': 'true'})
    assert response.status_code == 400
    assert _reason(response) == 'request [/_cluster/settings] contains unrecognized parameter: [flat]'
    close = es().get('/_cluster/settings', params={'flat_setting': 'true'})
    assert _reason(close) == 'request [/_cluster/settings] contains unrecognized parameter: [flat_setting] -> did you mean [flat_settings]?'


def test_an_unknown_path_is_no_handler_with_a_plain_string_error(es):
    response = es().get('/_no/such')
    assert response.status_code == 400
    assert response.json() == {'error': 'no handler found for uri [/_no/such] and method [GET]', 'status': 400}


def test_a_known_path_with_another_method_is_405(es):
    response = es().delete('/_cluster/settings')
    assert response.status_code == 405
    assert 'Incorrect HTTP method for uri [/_cluster/settings] and method [DELETE], allowed: [GET, PUT]' == response.json()['error']


def test_a_body_needs_a_json_content_type(es):
    response = es().put('/_cluster/settings', data='{"persistent":{}}', headers={'Content-Type': 'text/plain'})
    assert response.status_code == 406
    assert response.json()['error'] == 'Content-Type header [text/plain] is not supported'


# ---- cluster settings -------------------------------------------------------------------------------------
def test_cluster_settings_are_stored_as_strings_and_read_flat_or_nested(es):
    client = es()
    response = _put(client, persistent={'cluster': {'remote': {'r1': {'mode': 'proxy', 'proxy_address': 'h:9400',
                                                                      'proxy_socket_connections': 18, 'skip_unavailable': True}}}})
    assert response.status_code == 200
    assert response.json()['persistent'] == {'cluster': {'remote': {'r1': {'mode': 'proxy', 'proxy_address': 'h:9400',
                                                                           'proxy_socket_connections': '18', 'skip_unavailable': 'true'}}}}
    flat = _flat(client)['persistent']
    assert flat == {'cluster.remote.r1.mode': 'proxy', 'cluster.remote.r1.proxy_address': 'h:9400',
                    'cluster.remote.r1.proxy_socket_connections': '18', 'cluster.remote.r1.skip_unavailable': 'true'}
    nested = client.get('/_cluster/settings').json()['persistent']
    assert nested['cluster']['remote']['r1']['skip_unavailable'] == 'true'


def test_lists_keep_their_shape_and_scalars_become_strings(es):
    client = es()
    _put(client, persistent={'cluster.remote.r1.seeds': ['a:9300', 'b:9300'], 'cluster.remote.r2.seeds': 'c:9300'})
    flat = _flat(client)['persistent']
    assert flat['cluster.remote.r1.seeds'] == ['a:9300', 'b:9300'] and flat['cluster.remote.r2.seeds'] == 'c:9300'


def test_persistent_and_transient_are_separate_and_null_deletes(es):
    client = es()
    _put(client, persistent={'cluster.remote.p.seeds': ['a:9300']}, transient={'cluster.remote.t.seeds': ['b:9300']})
    settings = _flat(client)
    assert list(settings['persistent']) == ['cluster.remote.p.seeds'] and list(settings['transient']) == ['cluster.remote.t.seeds']
    response = _put(client, persistent={'cluster.remote.p.seeds': None})
    assert response.status_code == 200 and response.json()['persistent'] == {}
    assert _flat(client)['persistent'] == {}
    assert _put(client, persistent={'cluster.remote.never.seeds': None}).status_code == 200


def test_a_wildcard_null_deletes_every_key_of_an_alias(es):
    client = es()
    _put(client, persistent={'cluster.remote.a.seeds': ['a:9300'], 'cluster.remote.a.skip_unavailable': True,
                             'cluster.remote.ab.seeds': ['x:9300']})
    assert _put(client, persistent={'cluster.remote.a.*': None}).status_code == 200
    assert _flat(client)['persistent'] == {'cluster.remote.ab.seeds': ['x:9300']}


def test_an_unknown_setting_or_a_bad_alias_is_not_recognized(es):
    client = es()
    for key in ('cluster.remote.a.foo', 'cluster.remote.my.alias.seeds', 'no.such.setting'):
        response = _put(client, persistent={key: 'x'})
        assert response.status_code == 400
        assert _reason(response) == 'persistent setting [%s], not recognized' % key
    response = _put(client, transient={'cluster.remote.a.foo': 'x'})
    assert _reason(response) == 'transient setting [cluster.remote.a.foo], not recognized'


def test_a_mode_switch_without_nulling_the_other_modes_keys_fails(es):
    client = es()
    _put(client, persistent={'cluster.remote.a.mode': 'sniff', 'cluster.remote.a.seeds': ['h:9300']})
    response = _put(client, persistent={'cluster.remote.a.mode': 'proxy', 'cluster.remote.a.proxy_address': 'h:9400'})
    assert response.status_code == 400
    assert _reason(response) == ('Setting "cluster.remote.a.seeds" cannot be used with the configured "cluster.remote.a.mode" '
                                 '[required=SNIFF, configured=PROXY]')
    ok = _put(client, persistent={'cluster.remote.a.mode': 'proxy', 'cluster.remote.a.proxy_address': 'h:9400',
                                  'cluster.remote.a.seeds': None})
    assert ok.status_code == 200
    back = _put(client, persistent={'cluster.remote.a.mode': 'sniff', 'cluster.remote.a.seeds': ['h:9300']})
    assert _reason(back).startswith('Setting "cluster.remote.a.proxy_address" cannot be used with the configured '
                                    '"cluster.remote.a.mode" [required=PROXY, configured=SNIFF]')


def test_skip_unavailable_without_an_address_fails(es):
    response = _put(es(), persistent={'cluster.remote.a.skip_unavailable': True})
    assert response.status_code == 400
    assert _reason(response) == 'Cannot configure setting [cluster.remote.a.skip_unavailable] if remote cluster is not enabled.'
    client = es()
    _put(client, persistent={'cluster.remote.a.seeds': ['h:9300'], 'cluster.remote.a.skip_unavailable': True})
    partial = _put(client, persistent={'cluster.remote.a.seeds': None})
    assert _reason(partial) == 'Cannot configure setting [cluster.remote.a.skip_unavailable] if remote cluster is not enabled.'


def test_proxy_mode_does_not_exist_below_7_6(es):
    legacy = es('ece-a', 'legacy-a')
    response = _put(legacy, persistent={'cluster.remote.a.mode': 'proxy'})
    assert response.status_code == 400 and _reason(response) == 'persistent setting [cluster.remote.a.mode], not recognized'
    assert _reason(_put(legacy, persistent={'cluster.remote.a.proxy_address': 'h:9400'})).endswith('not recognized')
    ok = _put(legacy, persistent={'cluster.remote.a.seeds': ['h:1'], 'cluster.remote.a.proxy': 'h:9400'})
    assert ok.status_code == 200


def test_credentials_cannot_be_set_through_the_api(es):
    response = _put(es(), persistent={'cluster.remote.a.credentials': 'secret'})
    assert response.status_code == 400
    assert _reason(response) == 'persistent setting [cluster.remote.a.credentials], not dynamically updateable'


@pytest.mark.parametrize('address,message', [
    ('nohost', 'remote hosts need to be configured as [host:port], found [nohost] instead'),
    ('h:abc', 'failed to parse port'),
    ('h:0', 'port number must be > 0 but was: [0]'),
])
def test_address_parse_errors(es, address, message):
    response = _put(es(), persistent={'cluster.remote.a.seeds': [address]})
    assert response.status_code == 400 and _reason(response) == message


def test_an_empty_body_has_no_settings_to_update(es):
    response = es().put('/_cluster/settings', json={})
    assert response.status_code == 400
    assert response.json()['error']['type'] == 'action_request_validation_exception'
    assert _reason(response) == 'Validation Failed: 1: no settings to update;'


def test_include_defaults_adds_the_defaults_of_configured_aliases(es):
    client = es('ece-b', 'data-b')
    _put(client, persistent={'cluster.remote.a.mode': 'proxy', 'cluster.remote.a.proxy_address': 'h:9400'})
    defaults = client.get('/_cluster/settings', params={'flat_settings': 'true', 'include_defaults': 'true'}).json()['defaults']
    assert defaults['cluster.remote.a.skip_unavailable'] == 'true'  # 8.15 flipped the default
    assert defaults['cluster.remote.a.proxy_socket_connections'] == '18'


# ---- remote info ------------------------------------------------------------------------------------------
def test_remote_info_reports_proxy_and_sniff_aliases_with_mode_specific_fields(es):
    client = es()
    _put(client, persistent={'cluster.remote.p.mode': 'proxy', 'cluster.remote.p.proxy_address': 'nowhere:9400',
                             'cluster.remote.p.server_name': 'nowhere', 'cluster.remote.s.seeds': ['nowhere:9300']})
    info = client.get('/_remote/info').json()
    assert info['p'] == {'connected': False, 'mode': 'proxy', 'proxy_address': 'nowhere:9400', 'server_name': 'nowhere',
                         'num_proxy_sockets_connected': 0, 'max_proxy_socket_connections': 18, 'initial_connect_timeout': '30s',
                         'skip_unavailable': False}
    assert info['s'] == {'connected': False, 'mode': 'sniff', 'seeds': ['nowhere:9300'], 'num_nodes_connected': 0,
                         'max_connections_per_cluster': 3, 'initial_connect_timeout': '30s', 'skip_unavailable': False}
    legacy = es('ece-a', 'legacy-a')
    _put(legacy, persistent={'cluster.remote.s.seeds': ['nowhere:1']})
    assert 'mode' not in legacy.get('/_remote/info').json()['s']


# ---- cross-cluster API keys -------------------------------------------------------------------------------
def _create(client, name='ccs', access=None, **extra):
    body = {'name': name, 'access': access or {'search': [{'names': ['logs-*']}]}}
    body.update(extra)
    return client.post('/_security/cross_cluster/api_key', json=body)


def test_a_cross_cluster_api_key_is_created_with_its_encoded_value_shown_only_once(sim, es):
    client = es(basic=True)
    auth = sim.es_auth('ece-a', 'search-a')
    response = client.post('/_security/cross_cluster/api_key', auth=auth,
                           json={'name': 'ccs', 'access': {'search': [{'names': 'logs-*'}]}, 'metadata': {'owner': 'ansible'}})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {'id', 'name', 'api_key', 'encoded'}
    assert base64.b64decode(body['encoded']).decode() == '%s:%s' % (body['id'], body['api_key'])
    listed = client.get('/_security/api_key', auth=auth, params={'name': 'ccs'}).json()['api_keys']
    assert len(listed) == 1 and 'encoded' not in listed[0] and 'api_key' not in listed[0]
    key = listed[0]
    assert key['type'] == 'cross_cluster' and key['invalidated'] is False and key['metadata'] == {'owner': 'ansible'}
    assert key['access'] == {'search': [{'names': ['logs-*'], 'allow_restricted_indices': False}]}
    assert key['role_descriptors']['cross_cluster']['cluster'] == ['cross_cluster_search']


@pytest.mark.parametrize('access,message', [
    ({}, 'must specify non-empty access for either [search] or [replication]'),
    ({'search': []}, 'must specify non-empty access for either [search] or [replication]'),
    ({'replication': [{'names': ['a'], 'query': {'term': {'x': 1}}}]}, 'replication does not support document or field level security'),
    ({'search': [{'names': ['a'], 'query': {'term': {'x': 1}}}], 'replication': [{'names': ['b']}]},
     'search does not support document or field level security if replication is assigned'),
])
def test_cross_cluster_api_key_access_is_validated(sim, es, access, message):
    response = es(basic=True).post('/_security/cross_cluster/api_key', auth=sim.es_auth('ece-a', 'search-a'),
                                   json={'name': 'k', 'access': access})
    assert response.status_code == 400 and _reason(response) == message


def test_cross_cluster_api_keys_are_refused_with_api_key_authentication(es):
    response = _create(es())
    assert response.status_code == 400
    assert _reason(response) == ('authentication via API key not supported: An API key cannot be used to create a cross-cluster API key')


def test_cross_cluster_api_keys_do_not_exist_below_8_10(sim, es):
    response = es('ece-b', 'old-b', basic=True).post('/_security/cross_cluster/api_key', auth=sim.es_auth('ece-b', 'old-b'),
                                                     json={'name': 'x', 'access': {'search': [{'names': ['a']}]}})
    assert response.status_code == 400
    assert response.json()['error'] == 'no handler found for uri [/_security/cross_cluster/api_key] and method [POST]'


def test_an_update_reports_whether_anything_changed(sim, es):
    client = es(basic=True)
    auth = sim.es_auth('ece-a', 'search-a')
    key = client.post('/_security/cross_cluster/api_key', auth=auth, json={'name': 'k', 'access': {'search': [{'names': ['a']}]}}).json()
    path = '/_security/cross_cluster/api_key/%s' % key['id']
    fetched = client.get('/_security/api_key', auth=auth, params={'id': key['id']}).json()['api_keys'][0]
    assert client.put(path, auth=auth, json={'access': fetched['access']}).json() == {'updated': False}
    assert client.put(path, auth=auth, json={'access': {'search': [{'names': ['a', 'b']}]}}).json() == {'updated': True}
    assert client.put(path, auth=auth, json={'metadata': {'v': 1}}).json() == {'updated': True}
    assert client.put(path, auth=auth, json={'metadata': {'v': 1}}).json() == {'updated': False}
    assert client.put(path, auth=auth, json={'metadata': {'v': 1}, 'expiration': '30d'}).json() == {'updated': True}
    empty = client.put(path, auth=auth, json={})
    assert _reason(empty) == 'Validation Failed: 1: must update either [access] or [metadata] for cross-cluster API keys;'


def test_an_update_is_refused_for_invalidated_and_unknown_keys(sim, es):
    client = es(basic=True)
    auth = sim.es_auth('ece-a', 'search-a')
    key = client.post('/_security/cross_cluster/api_key', auth=auth, json={'name': 'k', 'access': {'search': [{'names': ['a']}]}}).json()
    client.delete('/_security/api_key', auth=auth, json={'ids': [key['id']]})
    response = client.put('/_security/cross_cluster/api_key/%s' % key['id'], auth=auth, json={'metadata': {}})
    assert response.status_code == 400 and _reason(response) == 'cannot update invalidated API key [%s]' % key['id']
    missing = client.put('/_security/cross_cluster/api_key/nope', auth=auth, json={'metadata': {}})
    assert missing.status_code == 404 and _reason(missing) == 'no API key owned by requesting user found for ID [nope]'


def test_names_are_not_unique_and_get_supports_prefix_wildcards_and_active_only(sim, es):
    client = es(basic=True)
    auth = sim.es_auth('ece-a', 'search-a')
    first = _create_basic(client, auth, 'dup')
    _create_basic(client, auth, 'dup')
    _create_basic(client, auth, 'dup-2')
    client.delete('/_security/api_key', auth=auth, json={'ids': [first['id']]})
    assert len(client.get('/_security/api_key', auth=auth, params={'name': 'dup'}).json()['api_keys']) == 2
    assert len(client.get('/_security/api_key', auth=auth, params={'name': 'dup', 'active_only': 'true'}).json()['api_keys']) == 1
    assert len(client.get('/_security/api_key', auth=auth, params={'name': 'dup*'}).json()['api_keys']) == 3
    invalidated = [key for key in client.get('/_security/api_key', auth=auth, params={'name': 'dup'}).json()['api_keys']
                   if key['invalidated']]
    assert invalidated[0]['id'] == first['id'] and 'invalidation' in invalidated[0]


def _create_basic(client, auth, name):
    return client.post('/_security/cross_cluster/api_key', auth=auth, json={'name': name, 'access': {'search': [{'names': ['a']}]}}).json()


def test_active_only_is_an_unrecognized_parameter_below_8_10(sim, es):
    response = es('ece-b', 'old-b').get('/_security/api_key', params={'active_only': 'true'})
    assert response.status_code == 400
    assert _reason(response).startswith('request [/_security/api_key] contains unrecognized parameter: [active_only]')


def test_invalidating_reports_invalidated_and_previously_invalidated_keys(sim, es):
    client = es(basic=True)
    auth = sim.es_auth('ece-a', 'search-a')
    key = _create_basic(client, auth, 'gone')
    first = client.delete('/_security/api_key', auth=auth, json={'name': 'gone'}).json()
    assert first == {'invalidated_api_keys': [key['id']], 'previously_invalidated_api_keys': [], 'error_count': 0}
    second = client.delete('/_security/api_key', auth=auth, json={'ids': [key['id']]}).json()
    assert second['previously_invalidated_api_keys'] == [key['id']] and second['invalidated_api_keys'] == []


def test_query_api_keys_filters_on_name_type_and_invalidated(sim, es):
    client = es(basic=True)
    auth = sim.es_auth('ece-a', 'search-a')
    _create_basic(client, auth, 'q1')
    query = {'query': {'bool': {'filter': [{'term': {'name': 'q1'}}, {'term': {'type': 'cross_cluster'}},
                                           {'term': {'invalidated': False}}]}}}
    body = client.post('/_security/_query/api_key', auth=auth, json=query).json()
    assert body['total'] == 1 and body['api_keys'][0]['name'] == 'q1'


# ---- roles -------------------------------------------------------------------------------------------------
def test_a_role_is_returned_normalised(sim, es):
    client = es()
    body = {'cluster': ['monitor'], 'indices': [{'names': 'logs-*', 'privileges': ['read'], 'query': {'term': {'a': 1}}}]}
    assert client.put('/_security/role/reader', json=body).json() == {'role': {'created': True}}
    assert client.put('/_security/role/reader', json=body).json() == {'role': {'created': False}}
    role = client.get('/_security/role/reader').json()['reader']
    assert role == {'cluster': ['monitor'], 'indices': [{'names': ['logs-*'], 'privileges': ['read'], 'query': '{"term":{"a":1}}',
                                                         'allow_restricted_indices': False}],
                    'applications': [], 'run_as': [], 'metadata': {}, 'transient_metadata': {'enabled': True}}


def test_remote_indices_exist_from_8_10_and_remote_cluster_from_8_15(sim, es):
    remote_indices = {'remote_indices': [{'clusters': ['r*'], 'names': ['logs-*'], 'privileges': ['read']}]}
    remote_cluster = {'remote_cluster': [{'clusters': ['r*'], 'privileges': ['monitor_enrich']}]}
    assert es('ece-a', 'search-a').put('/_security/role/r', json=remote_indices).status_code == 200
    old = es('ece-b', 'old-b').put('/_security/role/r', json=remote_indices)
    assert old.status_code == 400 and old.json()['error']['type'] == 'parse_exception'
    assert _reason(old) == 'failed to parse role [r]. unexpected field [remote_indices]'
    refused = es('ece-a', 'search-a').put('/_security/role/r', json=remote_cluster)
    assert _reason(refused) == 'failed to parse role [r]. unexpected field [remote_cluster]'
    assert es('ece-b', 'data-b').put('/_security/role/r', json=remote_cluster).status_code == 200
    bad = es('ece-b', 'data-b').put('/_security/role/r', json={'remote_cluster': [{'clusters': ['r'], 'privileges': ['monitor_stats']}]})
    assert 'Only [monitor_enrich] are allowed' in _reason(bad)


def test_an_unknown_role_is_404_with_an_empty_body(es):
    response = es().get('/_security/role/nope')
    assert response.status_code == 404 and response.json() == {}
    assert es().delete('/_security/role/nope').json() == {'found': False}


# ---- keystore loading --------------------------------------------------------------------------------------
def test_reload_secure_settings_answers_per_node(sim, es):
    body = es().post('/_nodes/reload_secure_settings').json()
    assert body['_nodes'] == {'total': 2, 'successful': 2, 'failed': 0}
    assert all('reload_exception' not in node for node in body['nodes'].values())


def _loaded(sim, env, dep):
    return sim.state()['environments'][env]['deployments'][dep]['elasticsearch']['loaded_keystore']


def _nodes(sim, env, dep):
    return sim.state()['environments'][env]['deployments'][dep]['elasticsearch']['nodes']


def test_a_keystore_change_reaches_each_node_a_moment_later_and_ece_reloads_it_from_8_14(sim, ece):
    dep = sim.deployment('ece-a', 'search-a')
    ece().patch('/deployments/%s/elasticsearch/_main/keystore' % dep['id'], json={'secrets': {'cluster.remote.x.credentials': {'value': 'e'}}})
    nodes = _nodes(sim, 'ece-a', 'search-a')
    assert [n['file'] for n in nodes] == [{}, {}] and _loaded(sim, 'ece-a', 'search-a') == {}
    time.sleep(0.25)  # the file reaches node i keystore_file_seconds (0.2 s) * (i + 1) after the PATCH
    assert [n['file'] for n in _nodes(sim, 'ece-a', 'search-a')] == [{'cluster.remote.x.credentials': 'e'}, {}]
    assert _loaded(sim, 'ece-a', 'search-a') == {}  # ECE has the nodes reload it keystore_reload_seconds (0.6 s) later
    time.sleep(0.45)
    assert _loaded(sim, 'ece-a', 'search-a') == {'cluster.remote.x.credentials': 'e'}


def test_a_reload_before_the_file_arrived_loads_the_old_file_on_that_node(sim, ece, es):
    sim.settings(keystore_reload_seconds=None)
    dep = sim.deployment('ece-a', 'search-a')
    ece().patch('/deployments/%s/elasticsearch/_main/keystore' % dep['id'], json={'secrets': {'cluster.remote.x.credentials': {'value': 'e'}}})
    time.sleep(0.25)
    body = es().post('/_nodes/reload_secure_settings').json()
    assert body['_nodes'] == {'total': 2, 'successful': 2, 'failed': 0}  # a success that proves nothing about the new file
    assert [n['loaded'] for n in _nodes(sim, 'ece-a', 'search-a')] == [{'cluster.remote.x.credentials': 'e'}, {}]
    time.sleep(0.2)
    es().post('/_nodes/reload_secure_settings')
    assert _loaded(sim, 'ece-a', 'search-a') == {'cluster.remote.x.credentials': 'e'}


def test_from_9_3_each_node_names_its_secure_settings_and_the_digest_of_its_file(sim, ece, es):
    sim.settings(keystore_reload_seconds=None)
    dep = sim.deployment('ece-c', 'analytics-c')
    sim.mutate({'op': 'set_es_version', 'env': 'ece-c', 'deployment': 'analytics-c', 'version': '9.3.0'})
    client = es('ece-c', 'analytics-c')
    before = set(n['keystore_digest'] for n in client.post('/_nodes/reload_secure_settings').json()['nodes'].values())
    ece('ece-c').patch('/deployments/%s/elasticsearch/_main/keystore' % dep['id'],
                       json={'secrets': {'cluster.remote.x.credentials': {'value': 'e'}}})
    time.sleep(0.25)
    nodes = client.post('/_nodes/reload_secure_settings').json()['nodes'].values()
    assert sorted(len(n['secure_setting_names']) for n in nodes) == [0, 1]
    assert len(set(n['keystore_digest'] for n in nodes)) == 2  # one node has the new file, the other the old one
    time.sleep(0.2)
    nodes = client.post('/_nodes/reload_secure_settings').json()['nodes'].values()
    digests = set(n['keystore_digest'] for n in nodes)
    assert len(digests) == 1 and digests != before
    assert all(n['secure_setting_names'] == ['cluster.remote.x.credentials'] and n['keystore_last_modified_time'] for n in nodes)


def test_8_13_0_to_8_15_1_refuse_to_reload_remote_credentials_without_manage_security(sim, ece, es):
    sim.settings(keystore_reload_seconds=None, keystore_file_seconds=0)
    dep = sim.deployment('ece-b', 'data-b')  # 8.15.1
    sim.mutate({'op': 'set_reload_privileges', 'env': 'ece-b', 'deployment': 'data-b', 'privileges': ['manage']})
    ece('ece-b').patch('/deployments/%s/elasticsearch/_main/keystore' % dep['id'],
                       json={'secrets': {'cluster.remote.x.credentials': {'value': 'e'}}})
    body = es('ece-b', 'data-b').post('/_nodes/reload_secure_settings').json()
    assert body['_nodes']['successful'] == 2  # HTTP 200 and every node "successful": the exception is per node
    reasons = [n['reload_exception']['reason'] for n in body['nodes'].values()]
    assert len(reasons) == 2 and all('granted by the cluster privileges [manage_security,all]' in r for r in reasons)
    assert _loaded(sim, 'ece-b', 'data-b') == {}
    sim.mutate({'op': 'set_es_version', 'env': 'ece-b', 'deployment': 'data-b', 'version': '8.15.2'})
    body = es('ece-b', 'data-b').post('/_nodes/reload_secure_settings').json()
    assert all('reload_exception' not in n for n in body['nodes'].values())
    assert _loaded(sim, 'ece-b', 'data-b') == {'cluster.remote.x.credentials': 'e'}


def test_nodes_that_never_reload_load_a_keystore_change_only_by_a_restart_whatever_the_version(sim, ece):
    sim.settings(keystore_reload_seconds=None)
    dep = sim.deployment('ece-a', 'search-a')
    ece().patch('/deployments/%s/elasticsearch/_main/keystore' % dep['id'], json={'secrets': {'cluster.remote.x.credentials': {'value': 'e'}}})
    time.sleep(0.4)
    assert _loaded(sim, 'ece-a', 'search-a') == {}
    ece().post('/deployments/%s/elasticsearch/_main/_restart' % dep['id'])
    wait_plan(ece(), dep['id'])
    assert _loaded(sim, 'ece-a', 'search-a') == {'cluster.remote.x.credentials': 'e'}


@pytest.mark.parametrize('reloads', [True, False])
def test_8_13_reloads_a_keystore_change_as_configured(sim, ece, reloads):
    sim.settings(keystore_reload_8_13=reloads, keystore_reload_seconds=0, keystore_file_seconds=0)
    sim.mutate({'op': 'set_es_version', 'env': 'ece-a', 'deployment': 'search-a', 'version': '8.13.4'})
    dep = sim.deployment('ece-a', 'search-a')
    ece().patch('/deployments/%s/elasticsearch/_main/keystore' % dep['id'], json={'secrets': {'cluster.remote.x.credentials': {'value': 'e'}}})
    assert _loaded(sim, 'ece-a', 'search-a') == ({'cluster.remote.x.credentials': 'e'} if reloads else {})


def test_a_keystore_change_reaches_the_running_nodes_only_after_a_restart_below_8_13(sim, ece, es):
    dep = sim.deployment('ece-a', 'logs-a')
    ece().patch('/deployments/%s/elasticsearch/_main/keystore' % dep['id'], json={'secrets': {'cluster.remote.x.credentials': {'value': 'e'}}})
    assert _loaded(sim, 'ece-a', 'logs-a') == {}
    es('ece-a', 'logs-a').post('/_nodes/reload_secure_settings')
    assert _loaded(sim, 'ece-a', 'logs-a') == {}  # not reloadable before 8.13
    ece().post('/deployments/%s/elasticsearch/_main/_restart' % dep['id'])
    wait_plan(ece(), dep['id'])
    assert _loaded(sim, 'ece-a', 'logs-a') == {'cluster.remote.x.credentials': 'e'}
