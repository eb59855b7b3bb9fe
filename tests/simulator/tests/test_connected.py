"""Connected means the whole chain is right: every link of both security models, and the diagnostic naming the missing one."""

from __future__ import annotations

import time

from ecesim.testing import get_deployment, update_body, wait_plan

TR = '/platform/configuration/trust-relationships'


def _ca(sim, env):
    with open(sim.env(env)['ca_cert_file'], encoding='ascii') as handle:
        return handle.read()


def _proxy(es_client, alias, endpoint, port, server_name=None):
    settings = {'cluster.remote.%s.mode' % alias: 'proxy', 'cluster.remote.%s.proxy_address' % alias: '%s:%d' % (endpoint, port),
                'cluster.remote.%s.server_name' % alias: endpoint if server_name is None else server_name,
                'cluster.remote.%s.skip_unavailable' % alias: True}
    response = es_client.put('/_cluster/settings', json={'persistent': settings})
    assert response.status_code == 200, response.text
    return response


def _probe(es_client, alias, nodes=2):
    """A cross-cluster request through each node (the load balancer takes them in turn), the lightest the version has:
    each node attempts a connection to ``alias``. The answer of the last one."""
    version = es_client.get('/').json()['version']['number']
    for dummy in range(nodes):
        if tuple(int(p) for p in version.split('.')[:2]) >= (8, 13):
            response = es_client.get('/_resolve/cluster/%s:*' % alias)
        else:
            response = es_client.get('/%s:nothing-*/_search' % alias, params={'size': '0'})
    return response


def _connected(es_client, alias, probe=True):
    """``connected`` of ``alias`` in ``_remote/info``, after a probe (Elasticsearch does not retry a failed attempt itself)."""
    if probe:
        _probe(es_client, alias)
    return es_client.get('/_remote/info').json()[alias]['connected']


def _set_trust(ece_client, dep_id, trust):
    response = ece_client.put('/deployments/%s' % dep_id, json=update_body(get_deployment(ece_client, dep_id).json(), trust=trust))
    assert response.status_code == 200, response.text
    wait_plan(ece_client, dep_id)


def _relationship(sim, ece, in_env, for_env, cert=None):
    body = {'name': for_env, 'public_ca_cert': cert or _ca(sim, for_env), 'installation_id': sim.env(for_env)['environment_id'],
            'account_ids': [sim.env(for_env)['account_id']]}
    response = ece(in_env).post(TR, json=body)
    assert response.status_code == 201
    return response.json()['id']


def _account(sim, env):
    return {'account_id': sim.env(env)['account_id'], 'trust_all': True}


def _problems(sim, env, dep, alias):
    return ' | '.join(sim.diagnose(env, dep, alias)['problems'])


# ---- TLS-certificate model ---------------------------------------------------------------------------------
def test_certificate_model_in_one_environment_connects_through_the_ece_remote_clusters_api(sim, ece, es):
    a, b = sim.deployment('ece-a', 'search-a'), sim.deployment('ece-a', 'logs-a')
    ece().put('/deployments/%s/elasticsearch/main-elasticsearch/remote-clusters' % a['id'],
              json={'resources': [{'deployment_id': b['id'], 'elasticsearch_ref_id': 'main-elasticsearch', 'alias': 'logs'}]})
    time.sleep(0.4)  # ECE writes the settings a moment after it answered 202
    info = es('ece-a', 'search-a').get('/_remote/info').json()['logs']
    assert info['connected'] is True and info['mode'] == 'proxy' and info['num_proxy_sockets_connected'] == 18
    assert 'cluster_credentials' not in info
    diagnosis = sim.diagnose('ece-a', 'search-a', 'logs')
    assert diagnosis['connected'] is True and diagnosis['model'] == 'certificate' and diagnosis['problems'] == []
    assert diagnosis['remote']['deployment'] == 'logs-a'


def test_certificate_model_in_one_environment_needs_account_trust_both_ways(sim, ece, es):
    a, b = sim.deployment('ece-a', 'search-a'), sim.deployment('ece-a', 'logs-a')
    _proxy(es('ece-a', 'search-a'), 'logs', b['elasticsearch']['endpoint'], 9400)
    assert _connected(es('ece-a', 'search-a'), 'logs') is True
    _set_trust(ece(), b['id'], {'accounts': [{'account_id': sim.env('ece-a')['account_id'], 'trust_all': False, 'trust_allowlist': []}]})
    assert _connected(es('ece-a', 'search-a'), 'logs') is False
    assert 'deployment ece-a/logs-a does not trust ece-a/search-a' in _problems(sim, 'ece-a', 'search-a', 'logs')
    _set_trust(ece(), b['id'], {'accounts': [{'account_id': sim.env('ece-a')['account_id'], 'trust_all': False,
                                              'trust_allowlist': [a['elasticsearch']['cluster_id']]}]})
    assert _connected(es('ece-a', 'search-a'), 'logs') is True


def test_an_allowlist_holding_a_deployment_id_instead_of_a_cluster_id_is_named(sim, ece, es):
    a, b = sim.deployment('ece-a', 'search-a'), sim.deployment('ece-a', 'logs-a')
    _proxy(es('ece-a', 'search-a'), 'logs', b['elasticsearch']['endpoint'], 9400)
    _set_trust(ece(), b['id'], {'accounts': [{'account_id': sim.env('ece-a')['account_id'], 'trust_all': False,
                                              'trust_allowlist': [a['id']]}]})
    problems = _problems(sim, 'ece-a', 'search-a', 'logs')
    assert 'allowlists take Elasticsearch cluster ids' in problems


def test_certificate_model_across_environments_needs_platform_trust_both_ways_and_external_entries(sim, ece, es):
    a, b = sim.deployment('ece-a', 'search-a'), sim.deployment('ece-b', 'data-b')
    local = es('ece-a', 'search-a')
    _proxy(local, 'data', b['elasticsearch']['endpoint'], 9400)
    assert _connected(local, 'data') is False
    problems = _problems(sim, 'ece-a', 'search-a', 'data')
    assert 'environment ece-a has no trust relationship for environment ece-b' in problems
    assert 'environment ece-b has no trust relationship for environment ece-a' in problems
    rel_a = _relationship(sim, ece, 'ece-a', 'ece-b')
    rel_b = _relationship(sim, ece, 'ece-b', 'ece-a')
    problems = _problems(sim, 'ece-a', 'search-a', 'data')
    assert 'no trust relationship' not in problems
    assert 'deployment ece-a/search-a has no `external` trust entry' in problems
    _set_trust(ece('ece-a'), a['id'], {'accounts': [_account(sim, 'ece-a')], 'external': [
        {'trust_relationship_id': rel_a, 'trust_all': False, 'trust_allowlist': [b['elasticsearch']['cluster_id']]}]})
    assert _connected(local, 'data') is False
    problems = _problems(sim, 'ece-a', 'search-a', 'data')
    assert 'ece-a/search-a has no' not in problems and 'deployment ece-b/data-b has no `external` trust entry' in problems
    _set_trust(ece('ece-b'), b['id'], {'accounts': [_account(sim, 'ece-b')],
                                       'external': [{'trust_relationship_id': rel_b, 'trust_all': True}]})
    assert _connected(local, 'data') is True
    assert sim.diagnose('ece-a', 'search-a', 'data')['problems'] == []


def test_a_relationship_trusted_by_default_is_trusted_by_every_deployment_of_its_environment(sim, ece, es):
    b = sim.deployment('ece-b', 'data-b')
    rel_a = _relationship(sim, ece, 'ece-a', 'ece-b')
    rel_b = _relationship(sim, ece, 'ece-b', 'ece-a')
    _set_trust(ece('ece-b'), b['id'], {'accounts': [_account(sim, 'ece-b')],
                                       'external': [{'trust_relationship_id': rel_b, 'trust_all': True}]})
    local = es('ece-a', 'search-a')  # its trust has no external entry at all
    _proxy(local, 'data', b['elasticsearch']['endpoint'], 9400)
    assert _connected(local, 'data') is False
    assert 'deployment ece-a/search-a has no `external` trust entry' in _problems(sim, 'ece-a', 'search-a', 'data')
    response = ece('ece-a').put('%s/%s' % (TR, rel_a), json={'trust_by_default': True})
    assert response.status_code == 200, response.text
    assert _connected(local, 'data') is True
    assert sim.diagnose('ece-a', 'search-a', 'data')['problems'] == []


def test_a_trust_update_that_sends_back_an_entry_naming_a_deleted_relationship_is_refused(sim, ece, es):
    a = sim.deployment('ece-a', 'search-a')
    rel_a = _relationship(sim, ece, 'ece-a', 'ece-b')
    dangling = {'trust_relationship_id': rel_a, 'trust_all': False, 'trust_allowlist': []}
    _set_trust(ece('ece-a'), a['id'], {'accounts': [_account(sim, 'ece-a')], 'external': [dangling]})
    assert ece('ece-a').delete('%s/%s' % (TR, rel_a)).status_code == 200  # ECE documents no check of its users
    # any later trust write of the deployment, even one that only sends the entry back, is refused
    response = ece('ece-a').put('/deployments/%s' % a['id'], json=update_body(
        get_deployment(ece('ece-a'), a['id']).json(), trust={'accounts': [_account(sim, 'ece-a')], 'external': [dangling]}))
    assert response.status_code == 400
    assert response.json()['errors'][0]['code'] == 'trust_relationships.not_found'


def test_a_trust_relationship_with_the_wrong_certificate_is_not_enough(sim, ece, es):
    a, b = sim.deployment('ece-a', 'search-a'), sim.deployment('ece-b', 'data-b')
    rel_a = _relationship(sim, ece, 'ece-a', 'ece-b', cert=_ca(sim, 'ece-c'))
    rel_b = _relationship(sim, ece, 'ece-b', 'ece-a')
    _set_trust(ece('ece-a'), a['id'], {'accounts': [_account(sim, 'ece-a')], 'external': [{'trust_relationship_id': rel_a, 'trust_all': True}]})
    _set_trust(ece('ece-b'), b['id'], {'accounts': [_account(sim, 'ece-b')], 'external': [{'trust_relationship_id': rel_b, 'trust_all': True}]})
    _proxy(es('ece-a', 'search-a'), 'data', b['elasticsearch']['endpoint'], 9400)
    assert _connected(es('ece-a', 'search-a'), 'data') is False
    assert 'hold the wrong certificate' in _problems(sim, 'ece-a', 'search-a', 'data')


def test_proxy_mode_needs_the_remote_endpoint_as_server_name(sim, es):
    b = sim.deployment('ece-a', 'logs-a')
    _proxy(es(), 'logs', b['elasticsearch']['endpoint'], 9400, server_name='other.example')
    assert _connected(es(), 'logs') is False
    assert 'server_name [other.example] is not the remote endpoint' in _problems(sim, 'ece-a', 'search-a', 'logs')


def test_legacy_sniff_below_7_6_connects_with_endpoint_seeds_and_the_proxy(sim, ece, es):
    legacy, old = sim.deployment('ece-a', 'legacy-a'), sim.deployment('ece-b', 'old-b')
    rel_a = _relationship(sim, ece, 'ece-a', 'ece-b')
    rel_b = _relationship(sim, ece, 'ece-b', 'ece-a')
    sim.mutate([{'op': 'set_trust', 'env': 'ece-a', 'deployment': 'legacy-a', 'trust': {
                 'accounts': [_account(sim, 'ece-a')], 'external': [{'trust_relationship_id': rel_a, 'trust_all': True}]}},
                {'op': 'set_trust', 'env': 'ece-b', 'deployment': 'old-b', 'trust': {
                 'accounts': [_account(sim, 'ece-b')], 'external': [{'trust_relationship_id': rel_b, 'trust_all': True}]}}])
    client = es('ece-a', 'legacy-a')
    endpoint = old['elasticsearch']['endpoint']
    client.put('/_cluster/settings', json={'persistent': {'cluster.remote.old.seeds': [endpoint + ':1']}})
    assert _connected(client, 'old') is False
    assert 'legacy sniff mode needs cluster.remote.old.proxy' in _problems(sim, 'ece-a', 'legacy-a', 'old')
    client.put('/_cluster/settings', json={'persistent': {'cluster.remote.old.proxy': endpoint + ':9400'}})
    info = client.get('/_remote/info').json()['old']
    assert info['connected'] is True and info['seeds'] == [endpoint + ':1'] and 'proxy' not in info
    assert legacy['elasticsearch']['version'] == '7.5.2'


def test_sniff_mode_from_7_6_on_does_not_connect_through_the_ece_proxy(sim, es):
    b = sim.deployment('ece-a', 'logs-a')
    client = es()
    client.put('/_cluster/settings', json={'persistent': {'cluster.remote.logs.seeds': [b['elasticsearch']['endpoint'] + ':9300']}})
    assert _connected(client, 'logs') is False
    assert 'must use proxy mode' in _problems(sim, 'ece-a', 'search-a', 'logs')


def test_incompatible_versions_are_not_connected(sim, ece, es):
    legacy, search = sim.deployment('ece-a', 'legacy-a'), sim.deployment('ece-a', 'search-a')
    ece().put('/deployments/%s/elasticsearch/main-elasticsearch/remote-clusters' % legacy['id'],
              json={'resources': [{'deployment_id': search['id'], 'elasticsearch_ref_id': 'main-elasticsearch', 'alias': 'new'}]})
    time.sleep(0.4)
    item = ece().get('/deployments/%s/elasticsearch/main-elasticsearch/remote-clusters' % legacy['id']).json()['resources'][0]
    assert item['info']['compatible'] is False and item['info']['connected'] is False and item['info']['trusted'] is True
    assert 'not compatible' in _problems(sim, 'ece-a', 'legacy-a', 'new')


def test_adjacent_majors_are_compatible_when_the_older_is_on_its_last_minor(sim, ece, es):
    old, data = sim.deployment('ece-b', 'old-b'), sim.deployment('ece-b', 'data-b')
    ece('ece-b').put('/deployments/%s/elasticsearch/main-elasticsearch/remote-clusters' % old['id'],
                     json={'resources': [{'deployment_id': data['id'], 'elasticsearch_ref_id': 'main-elasticsearch', 'alias': 'data'}]})
    time.sleep(0.4)
    assert _connected(es('ece-b', 'old-b'), 'data') is True  # 7.17 -> 8.15


def test_an_unknown_endpoint_is_not_connected(sim, es):
    _proxy(es(), 'ghost', 'ffffffffffffffffffffffffffffffff.ece-a.sim.example', 9400)
    assert _connected(es(), 'ghost') is False
    assert 'does not name a simulated deployment endpoint' in _problems(sim, 'ece-a', 'search-a', 'ghost')


# ---- API-key model -----------------------------------------------------------------------------------------
def _cc_key(sim, es, env, dep, name='ccs'):
    response = es(env, dep, basic=True).post('/_security/cross_cluster/api_key', auth=sim.es_auth(env, dep),
                                             json={'name': name, 'access': {'search': [{'names': ['*']}]}})
    assert response.status_code == 200, response.text
    return response.json()


def _credentials(ece, env, dep_id, alias, encoded):
    response = ece(env).patch('/deployments/%s/elasticsearch/main-elasticsearch/keystore' % dep_id,
                              json={'secrets': {'cluster.remote.%s.credentials' % alias: {'value': encoded}}})
    assert response.status_code == 200
    time.sleep(0.7)  # ECE has the nodes of 8.14+ reload it keystore_reload_seconds (0.6 s) later


def test_api_key_model_connects_with_loaded_credentials_of_an_active_cross_cluster_key(sim, ece, es):
    local, remote = sim.deployment('ece-b', 'data-b'), sim.deployment('ece-a', 'search-a')
    key = _cc_key(sim, es, 'ece-a', 'search-a')
    _credentials(ece, 'ece-b', local['id'], 'sa', key['encoded'])
    _proxy(es('ece-b', 'data-b'), 'sa', remote['elasticsearch']['endpoint'], 9443)
    info = es('ece-b', 'data-b').get('/_remote/info').json()['sa']
    # the settings written after the credentials were loaded: the first attempt connects, no probe needed
    assert info['connected'] is True and info['cluster_credentials'] == '::es_redacted::'
    diagnosis = sim.diagnose('ece-b', 'data-b', 'sa')
    assert diagnosis['model'] == 'api_key' and diagnosis['problems'] == []  # ece-a's proxy CA is public: no direct trust needed


def test_api_key_model_to_a_private_proxy_ca_needs_a_direct_proxy_trust_entry(sim, ece, es):
    local, remote = sim.deployment('ece-a', 'search-a'), sim.deployment('ece-b', 'data-b')
    key = _cc_key(sim, es, 'ece-b', 'data-b')
    _credentials(ece, 'ece-a', local['id'], 'data', key['encoded'])
    _proxy(es('ece-a', 'search-a'), 'data', remote['elasticsearch']['endpoint'], 9443)
    assert _connected(es('ece-a', 'search-a'), 'data') is False
    assert 'the proxy of environment ece-b uses a private CA' in _problems(sim, 'ece-a', 'search-a', 'data')
    chain = ece('ece-b').get('/platform/configuration/security/tls/proxy').json()
    assert chain['user_supplied'] is False
    leaf_only = {'accounts': [_account(sim, 'ece-a')], 'direct': [
        {'name': 'ece-b proxy', 'type': 'proxy', 'trust_all': False, 'certificates': [{'pem': chain['chain'][0]}]}]}
    _set_trust(ece('ece-a'), local['id'], leaf_only)
    assert _connected(es('ece-a', 'search-a'), 'data') is False
    root = {'accounts': [_account(sim, 'ece-a')], 'direct': [
        {'name': 'ece-b proxy', 'type': 'proxy', 'trust_all': False, 'certificates': [{'pem': chain['chain'][-1]}]}]}
    _set_trust(ece('ece-a'), local['id'], root)
    assert _connected(es('ece-a', 'search-a'), 'data') is True


def test_api_key_model_needs_8_12_on_both_sides(sim, ece, es):
    local, remote = sim.deployment('ece-b', 'data-b'), sim.deployment('ece-a', 'search-a')
    key = _cc_key(sim, es, 'ece-a', 'search-a')
    _credentials(ece, 'ece-b', local['id'], 'sa', key['encoded'])
    _proxy(es('ece-b', 'data-b'), 'sa', remote['elasticsearch']['endpoint'], 9443)
    assert _connected(es('ece-b', 'data-b'), 'sa') is True
    sim.mutate({'op': 'set_es_version', 'env': 'ece-a', 'deployment': 'search-a', 'version': '8.11.4'})
    assert _connected(es('ece-b', 'data-b'), 'sa') is False
    assert 'needs Elasticsearch 8.12 or later on the remote cluster' in _problems(sim, 'ece-b', 'data-b', 'sa')


def test_api_key_credentials_below_8_13_are_used_only_after_a_restart(sim, ece, es):
    local, remote = sim.deployment('ece-b', 'ingest-b'), sim.deployment('ece-b', 'data-b')
    key = _cc_key(sim, es, 'ece-b', 'data-b')
    _credentials(ece, 'ece-b', local['id'], 'data', key['encoded'])
    _proxy(es('ece-b', 'ingest-b'), 'data', remote['elasticsearch']['endpoint'], 9443)
    info = es('ece-b', 'ingest-b').get('/_remote/info').json()['data']
    assert info['connected'] is False and 'cluster_credentials' not in info
    diagnosis = sim.diagnose('ece-b', 'ingest-b', 'data')
    assert diagnosis['model'] == 'certificate' and 'no credentials are loaded' in ' '.join(diagnosis['problems'])
    ece('ece-b').post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % local['id'])
    wait_plan(ece('ece-b'), local['id'])
    assert _connected(es('ece-b', 'ingest-b'), 'data') is True


def test_an_invalidated_or_expired_key_does_not_connect(sim, ece, es):
    local, remote = sim.deployment('ece-b', 'data-b'), sim.deployment('ece-a', 'search-a')
    key = _cc_key(sim, es, 'ece-a', 'search-a')
    _credentials(ece, 'ece-b', local['id'], 'sa', key['encoded'])
    _proxy(es('ece-b', 'data-b'), 'sa', remote['elasticsearch']['endpoint'], 9443)
    sim.mutate({'op': 'expire_api_key', 'env': 'ece-a', 'deployment': 'search-a', 'id': key['id']})
    assert 'has expired' in _problems(sim, 'ece-b', 'data-b', 'sa')
    second = _cc_key(sim, es, 'ece-a', 'search-a')
    _credentials(ece, 'ece-b', local['id'], 'sa', second['encoded'])
    assert _connected(es('ece-b', 'data-b'), 'sa') is True
    es('ece-a', 'search-a', basic=True).delete('/_security/api_key', auth=sim.es_auth('ece-a', 'search-a'), json={'ids': [second['id']]})
    # the open connections stay: _remote/info still says connected, with cluster_credentials; every request fails
    assert _connected(es('ece-b', 'data-b'), 'sa') is True
    assert es('ece-b', 'data-b').get('/_remote/info').json()['sa']['cluster_credentials'] == '::es_redacted::'
    resolved = _probe(es('ece-b', 'data-b'), 'sa').json()['sa']
    assert resolved['connected'] is False and resolved['error'] == 'unable to authenticate user [%s] for action ' \
        '[indices:admin/resolve/cluster]' % second['id']
    assert 'has been invalidated' in _problems(sim, 'ece-b', 'data-b', 'sa')
    assert sim.state()['events'][-1]['event'] == 'key_invalidated_in_use'


def test_a_changed_credential_rebuilds_no_connection_and_each_request_uses_what_its_node_holds(sim, ece, es):
    sim.settings(keystore_reload_seconds=None)
    local, remote = sim.deployment('ece-b', 'data-b'), sim.deployment('ece-a', 'search-a')
    first, second = _cc_key(sim, es, 'ece-a', 'search-a'), _cc_key(sim, es, 'ece-a', 'search-a')
    client = es('ece-b', 'data-b')
    _credentials(ece, 'ece-b', local['id'], 'sa', first['encoded'])
    client.post('/_nodes/reload_secure_settings')
    _proxy(client, 'sa', remote['elasticsearch']['endpoint'], 9443)
    assert _connected(client, 'sa') is True
    attempts = [n['connections']['sa']['time'] for n in sim.state()['environments']['ece-b']['deployments']['data-b']['elasticsearch']['nodes']]
    ece('ece-b').patch('/deployments/%s/elasticsearch/main-elasticsearch/keystore' % local['id'],
                       json={'secrets': {'cluster.remote.sa.credentials': {'value': second['encoded']}}})
    time.sleep(0.25)  # the new file has reached the first node only
    client.post('/_nodes/reload_secure_settings')
    nodes = sim.state()['environments']['ece-b']['deployments']['data-b']['elasticsearch']['nodes']
    assert [n['connections']['sa']['time'] for n in nodes] == attempts  # no connection was rebuilt
    es('ece-a', 'search-a', basic=True).delete('/_security/api_key', auth=sim.es_auth('ece-a', 'search-a'), json={'ids': [first['id']]})
    answers = [client.get('/_resolve/cluster/sa:*').json()['sa'] for dummy in range(2)]
    assert sorted(a['connected'] for a in answers) == [False, True]  # the node that still holds the first key fails
    assert [e['node'] for e in sim.state()['events']] == [nodes[1]['name']]


def test_the_port_must_match_the_security_model(sim, ece, es):
    local, remote = sim.deployment('ece-b', 'data-b'), sim.deployment('ece-a', 'search-a')
    _proxy(es('ece-b', 'data-b'), 'sa', remote['elasticsearch']['endpoint'], 9443)
    assert 'port 9443 is the remote cluster server port of the API-key model' in _problems(sim, 'ece-b', 'data-b', 'sa')
    key = _cc_key(sim, es, 'ece-a', 'search-a')
    _credentials(ece, 'ece-b', local['id'], 'sa', key['encoded'])
    _proxy(es('ece-b', 'data-b'), 'sa', remote['elasticsearch']['endpoint'], 9400)
    assert 'the remote cluster server port is 9443' in _problems(sim, 'ece-b', 'data-b', 'sa')


def test_the_diagnostic_lists_every_alias_when_none_is_given(sim, es):
    b = sim.deployment('ece-a', 'logs-a')
    _proxy(es(), 'one', b['elasticsearch']['endpoint'], 9400)
    _proxy(es(), 'two', b['elasticsearch']['endpoint'], 9443)
    aliases = sim.diagnose('ece-a', 'search-a')['aliases']
    assert aliases['one']['connected'] is True and aliases['two']['connected'] is False
    missing = sim.diagnose('ece-a', 'search-a', 'none')
    assert missing['configured'] is False and missing['problems']


# ---- the proxy's ports and connection attempts -------------------------------------------------------------
def test_the_certificate_model_on_the_proxy_plain_text_port_9300_is_never_connected(sim, es):
    b = sim.deployment('ece-a', 'logs-a')
    _proxy(es(), 'logs', b['elasticsearch']['endpoint'], 9300)  # the same environment trusts all of its account
    assert _connected(es(), 'logs') is False
    assert "port 9300 is the proxy's plain-text transport-client port" in _problems(sim, 'ece-a', 'search-a', 'logs')
    _proxy(es(), 'logs', b['elasticsearch']['endpoint'], 9400)
    assert _connected(es(), 'logs', probe=False) is True


def test_after_a_failed_attempt_an_alias_stays_disconnected_until_a_cross_cluster_request(sim, ece, es):
    a, b = sim.deployment('ece-a', 'search-a'), sim.deployment('ece-b', 'data-b')
    local = es('ece-a', 'search-a')
    rel_a, rel_b = _relationship(sim, ece, 'ece-a', 'ece-b'), _relationship(sim, ece, 'ece-b', 'ece-a')
    _set_trust(ece('ece-a'), a['id'], {'accounts': [_account(sim, 'ece-a')], 'external': [{'trust_relationship_id': rel_a, 'trust_all': True}]})
    _proxy(local, 'data', b['elasticsearch']['endpoint'], 9400)  # written before the remote side trusts: the attempt fails
    assert _connected(local, 'data', probe=False) is False
    _set_trust(ece('ece-b'), b['id'], {'accounts': [_account(sim, 'ece-b')], 'external': [{'trust_relationship_id': rel_b, 'trust_all': True}]})
    for dummy in range(3):  # the chain is complete now, but _remote/info only reports the failed attempt
        assert _connected(local, 'data', probe=False) is False
    assert 'Elasticsearch does not retry by itself' in _problems(sim, 'ece-a', 'search-a', 'data')
    resolved = _probe(local, 'data')
    assert resolved.status_code == 200 and resolved.json()['data']['connected'] is True
    assert _connected(local, 'data', probe=False) is True
    assert sim.diagnose('ece-a', 'search-a', 'data')['problems'] == []


def test_below_8_13_a_search_of_the_remote_cluster_is_the_probe(sim, ece, es):
    logs, search = sim.deployment('ece-a', 'logs-a'), sim.deployment('ece-a', 'search-a')
    client = es('ece-a', 'logs-a')
    _set_trust(ece(), search['id'], {'accounts': [{'account_id': sim.env('ece-a')['account_id'], 'trust_all': False,
                                                   'trust_allowlist': []}]})
    _proxy(client, 'search', search['elasticsearch']['endpoint'], 9400)
    assert _connected(client, 'search', probe=False) is False
    _set_trust(ece(), search['id'], {'accounts': [_account(sim, 'ece-a')]})
    assert _connected(client, 'search', probe=False) is False
    assert client.get('/_resolve/cluster/search:*').status_code == 400  # no such API before 8.13
    for dummy in range(2):  # each node makes its own attempt
        found = client.get('/search:nothing-*/_search', params={'size': '0', 'allow_no_indices': 'true', 'ignore_unavailable': 'true'})
        assert found.status_code == 200 and found.json()['_clusters']['successful'] == 1 and found.json()['hits']['hits'] == []
    assert _connected(client, 'search', probe=False) is True
    assert logs['elasticsearch']['version'] == '8.12.2'


def test_a_probe_of_an_unknown_alias_is_404_and_of_a_disconnected_one_reports_it(sim, es):
    assert es().get('/_resolve/cluster/ghost:*').status_code == 404
    _proxy(es(), 'ghost', 'ffffffffffffffffffffffffffffffff.ece-a.sim.example', 9400)
    entry = es().get('/_resolve/cluster/ghost:*').json()['ghost']
    assert entry['connected'] is False and entry['skip_unavailable'] is True and entry['error']
    search = es().get('/ghost:*/_search', params={'size': '0'})
    assert search.status_code == 200 and search.json()['_clusters']['skipped'] == 1  # skip_unavailable: true
    es().put('/_cluster/settings', json={'persistent': {'cluster.remote.ghost.skip_unavailable': False}})
    assert es().get('/ghost:*/_search', params={'size': '0'}).status_code == 500


def test_a_restart_and_a_credentials_reload_are_connection_attempts(sim, ece, es):
    local, remote = sim.deployment('ece-b', 'data-b'), sim.deployment('ece-a', 'search-a')
    key = _cc_key(sim, es, 'ece-a', 'search-a')
    sim.settings(keystore_reload_seconds=None)
    _proxy(es('ece-b', 'data-b'), 'sa', remote['elasticsearch']['endpoint'], 9443)  # no credentials yet: fails
    _credentials(ece, 'ece-b', local['id'], 'sa', key['encoded'])
    info = es('ece-b', 'data-b').get('/_remote/info').json()['sa']
    assert info['connected'] is False and 'cluster_credentials' not in info  # the nodes never reloaded them
    ece('ece-b').post('/deployments/%s/elasticsearch/main-elasticsearch/_restart' % local['id'])
    wait_plan(ece('ece-b'), local['id'])
    info = es('ece-b', 'data-b').get('/_remote/info').json()['sa']
    assert info['connected'] is True and info['cluster_credentials'] == '::es_redacted::'
