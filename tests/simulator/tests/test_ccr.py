"""Cross-cluster replication: indices, the follower state machine, auto-follow, stats, privileges of the key, licence."""

from __future__ import annotations

import time

import pytest

from ecesim.testing import get_deployment, update_body, wait_plan

LOCAL = ('ece-a', 'search-a')     # 8.14.3: the follower cluster
LEADER = ('ece-a', 'logs-a')      # 8.12.2: the leader cluster, same environment (trusted by default)
START = 0.2


def _error(response):
    return response.json()['error']['root_cause'][0]


def _link(sim, es, alias='logs', key_access=None):
    """An alias from search-a to logs-a: TLS-certificate model, or the API-key model with a key of ``key_access``."""
    endpoint = sim.deployment(*LEADER)['elasticsearch']['endpoint']
    port = 9400
    if key_access is not None:
        created = sim.mutate({'op': 'create_cross_cluster_api_key', 'env': LEADER[0], 'deployment': LEADER[1], 'name': 'ccr',
                              'access': key_access})
        sim.mutate({'op': 'set_keystore', 'env': LOCAL[0], 'deployment': LOCAL[1], 'name': 'cluster.remote.%s.credentials' % alias,
                    'value': created['encoded'], 'loaded': True})
        port = 9443
    settings = {'cluster.remote.%s.mode' % alias: 'proxy', 'cluster.remote.%s.proxy_address' % alias: '%s:%d' % (endpoint, port),
                'cluster.remote.%s.server_name' % alias: endpoint}
    assert es(*LOCAL).put('/_cluster/settings', json={'persistent': settings}).status_code == 200
    assert es(*LOCAL).get('/_remote/info').json()[alias]['connected'] is True


@pytest.fixture
def ccr(sim, es):
    sim.mutate({'op': 'set_ccr', 'env': LOCAL[0], 'deployment': LOCAL[1], 'follow_start_seconds': START})
    return es(*LOCAL), es(*LEADER)


@pytest.fixture
def linked(sim, es, ccr):
    """search-a follows through alias ``logs`` (TLS-certificate model) and logs-a holds the index ``leader``."""
    _link(sim, es)
    assert ccr[1].put('/leader').status_code == 200
    return ccr


def _write(leader, index, count):
    for dummy in range(count):
        assert leader.post('/%s/_doc' % index, json={'message': 'x'}).status_code == 201


def _info(local, index='follower'):
    return local.get('/%s/_ccr/info' % index).json()['follower_indices']


def _follow(local, leader_index='leader', index='follower', alias='logs', **body):
    return local.put('/%s/_ccr/follow' % index, json=dict({'remote_cluster': alias, 'leader_index': leader_index}, **body))


def _wait_active(local, index='follower'):
    deadline = time.monotonic() + 5
    while _info(local, index)[0]['status'] != 'active':
        assert time.monotonic() < deadline
        time.sleep(0.05)


# ---- indices -----------------------------------------------------------------------------------------------------
def test_an_index_is_created_written_closed_opened_and_deleted(sim, ccr):
    dummy, leader = ccr
    assert leader.put('/leader', json={'settings': {'number_of_shards': 2}}).json() == {
        'acknowledged': True, 'shards_acknowledged': True, 'index': 'leader'}
    again = leader.put('/leader')
    assert again.status_code == 400 and _error(again)['type'] == 'resource_already_exists_exception'
    assert [leader.post('/leader/_doc', json={'a': 1}).json()['_seq_no'] for dummy2 in range(3)] == [0, 0, 1]
    assert leader.post('/leader/_close').json()['indices'] == {'leader': {'closed': True}}
    closed = leader.post('/leader/_doc', json={'a': 1})
    assert closed.status_code == 400 and _error(closed)['type'] == 'index_closed_exception'
    assert leader.post('/leader/_open').status_code == 200
    assert leader.request('HEAD', '/leader').status_code == 200
    assert leader.delete('/leader').json() == {'acknowledged': True}
    assert leader.request('HEAD', '/leader').status_code == 404
    missing = leader.delete('/leader')
    assert missing.status_code == 404 and _error(missing)['reason'] == 'no such index [leader]'


# ---- the follower state machine --------------------------------------------------------------------------------
def test_follow_answers_before_following_starts_then_info_shows_it_active_with_parameters(sim, linked):
    local, leader = linked
    response = _follow(local, max_read_request_operation_count=100)
    assert response.json() == {'follow_index_created': True, 'follow_index_shards_acked': False, 'index_following_started': False}
    assert _info(local) == [{'follower_index': 'follower', 'remote_cluster': 'logs', 'leader_index': 'leader', 'status': 'paused'}]
    _wait_active(local)
    [info] = _info(local)
    assert info['status'] == 'active' and info['parameters']['max_read_request_operation_count'] == 100
    assert info['parameters']['max_outstanding_read_requests'] == 12


def test_with_wait_for_active_shards_follow_answers_once_following_started(sim, linked):
    local, leader = linked
    response = local.put('/follower/_ccr/follow', params={'wait_for_active_shards': '1'},
                         json={'remote_cluster': 'logs', 'leader_index': 'leader'})
    assert response.json() == {'follow_index_created': True, 'follow_index_shards_acked': True, 'index_following_started': True}
    assert _info(local)[0]['status'] == 'active'
    dumped = sim.state()['environments'][LOCAL[0]]['deployments'][LOCAL[1]]['elasticsearch']['ccr']
    assert dumped['license'] == 'enterprise'
    assert dumped['indices']['follower']['follow']['leader_index'] == 'leader' and dumped['indices']['follower']['follow']['tasks_running']


def test_checkpoints_advance_as_leader_documents_are_written(sim, linked):
    local, leader = linked
    _write(leader, 'leader', 2)
    _follow(local)
    _wait_active(local)
    [shard] = local.get('/follower/_ccr/stats').json()['indices'][0]['shards']
    assert (shard['leader_global_checkpoint'], shard['follower_global_checkpoint']) == (1, 1)
    _write(leader, 'leader', 3)
    [index] = local.get('/_ccr/stats').json()['follow_stats']['indices']
    assert index['shards'][0]['follower_global_checkpoint'] == 4 and index['total_global_checkpoint_lag'] == 0
    refused = local.post('/follower/_doc', json={'a': 1})
    assert refused.status_code == 500


def test_pause_resume_and_unfollow_need_the_right_order(sim, linked):
    local, leader = linked
    _follow(local)
    early = local.post('/follower/_ccr/pause_follow')
    assert early.status_code == 400 and _error(early)['reason'] == 'no shard follow tasks for [follower]'
    _wait_active(local)
    twice = local.post('/follower/_ccr/resume_follow', json={})
    assert twice.status_code == 400 and _error(twice)['type'] == 'resource_already_exists_exception'
    not_paused = local.post('/follower/_close')
    assert not_paused.status_code == 200
    refused = local.post('/follower/_ccr/unfollow')
    assert _error(refused)['reason'] == 'cannot convert the follower index [follower] to a non-follower, because it has not been paused'
    local.post('/follower/_open')
    assert local.post('/follower/_ccr/pause_follow').json() == {'acknowledged': True}
    assert _info(local)[0] == {'follower_index': 'follower', 'remote_cluster': 'logs', 'leader_index': 'leader', 'status': 'paused'}
    open_index = local.post('/follower/_ccr/unfollow')
    assert _error(open_index)['reason'] == 'cannot convert the follower index [follower] to a non-follower, because it has not been closed'
    assert local.post('/follower/_ccr/resume_follow', json={'max_retry_delay': '1s'}).status_code == 200
    assert _info(local)[0]['parameters']['max_retry_delay'] == '1s'
    local.post('/follower/_ccr/pause_follow')
    local.post('/follower/_close')
    assert local.post('/follower/_ccr/unfollow').json() == {'acknowledged': True}
    assert local.get('/follower/_ccr/info').json() == {'follower_indices': []}
    regular = local.post('/follower/_ccr/pause_follow')
    assert _error(regular)['reason'] == 'index [follower] is not a follower index'


def test_follow_refuses_a_missing_leader_an_unknown_alias_and_an_existing_follower(sim, es, ccr):
    local, leader = ccr
    _link(sim, es)
    missing = _follow(local)
    assert missing.status_code == 404 and _error(missing)['reason'] == 'no such index [leader]'
    unknown = _follow(local, alias='nowhere')
    assert unknown.status_code == 404 and _error(unknown)['reason'] == 'no such remote cluster: [nowhere]'
    leader.put('/leader')
    local.put('/follower')
    exists = _follow(local)
    assert exists.status_code == 500 and 'an open index with same name already exists' in _error(exists)['reason']
    bad = local.put('/other/_ccr/follow', json={'leader_index': 'leader'})
    assert _error(bad)['reason'] == 'Validation Failed: 1: [remote_cluster] is missing;'


def test_a_cluster_without_the_remote_cluster_client_role_cannot_follow(sim, ece, linked):
    local, leader = linked
    dep_id = sim.deployment(*LOCAL)['id']
    body = update_body(get_deployment(ece(), dep_id).json())
    for entry in body['resources']['elasticsearch'][0]['plan']['cluster_topology']:
        entry['node_roles'] = [role for role in entry['node_roles'] if role != 'remote_cluster_client']
    assert ece().put('/deployments/%s' % dep_id, json=body).status_code == 200
    wait_plan(ece(), dep_id)
    refused = _follow(local)
    assert refused.status_code == 400
    assert _error(refused)['reason'] == 'node [instance-0000000000] does not have the [remote_cluster_client] role'
    # nor does a cross-cluster search or resolve go through such a node
    for path in ('/_resolve/cluster/logs:*', '/logs:*/_search'):
        refused = local.get(path)
        assert refused.status_code == 400 and 'remote_cluster_client' in _error(refused)['reason']
    # GET /_nodes shows the roles of the plan (where the link reads its prerequisites)
    nodes = local.get('/_nodes', params={'filter_path': 'nodes.*.roles'}).json()['nodes']
    assert len(nodes) == 2 and all('remote_cluster_client' not in node['roles'] and 'master' in node['roles'] for node in nodes.values())


def test_the_licence_and_the_node_roles_of_a_cluster(sim, linked):
    local, leader = linked
    licence = local.get('/_license').json()['license']
    assert (licence['type'], licence['status']) == ('enterprise', 'active')
    sim.mutate({'op': 'set_ccr', 'env': LOCAL[0], 'deployment': LOCAL[1], 'license': 'basic'})
    assert local.get('/_license').json()['license']['type'] == 'basic'
    nodes = local.get('/_nodes').json()['nodes']
    assert all('remote_cluster_client' in node['roles'] and 'data_hot' in node['roles'] for node in nodes.values())


def test_data_stream_name_is_refused_below_8_4(sim, es):
    old = es('ece-b', 'old-b')
    response = old.put('/follower/_ccr/follow', json={'remote_cluster': 'x', 'leader_index': 'l', 'data_stream_name': 'd'})
    assert response.status_code == 400 and _error(response)['reason'] == '[put_follow_request] unknown field [data_stream_name]'


# ---- errors of the shard follow tasks ------------------------------------------------------------------------------
def test_a_key_without_replication_for_the_leader_is_refused_at_follow_time(sim, es, ccr):
    local, leader = ccr
    _link(sim, es, key_access={'search': [{'names': ['*']}]})
    leader.put('/leader')
    response = _follow(local)
    assert response.status_code == 403 and 'towards remote cluster is unauthorized' in _error(response)['reason']
    assert 'index privileges [cross_cluster_replication,all]' in _error(response)['reason']


def test_a_key_that_loses_replication_gives_read_exceptions_retried_forever(sim, es, ccr):
    local, leader = ccr
    _link(sim, es, key_access={'replication': [{'names': ['leader']}]})
    leader.put('/leader')
    _follow(local)
    _wait_active(local)
    assert local.get('/follower/_ccr/stats').json()['indices'][0]['shards'][0]['read_exceptions'] == []
    created = sim.mutate({'op': 'create_cross_cluster_api_key', 'env': LEADER[0], 'deployment': LEADER[1], 'name': 'search-only',
                          'access': {'search': [{'names': ['*']}]}})
    sim.mutate({'op': 'set_keystore', 'env': LOCAL[0], 'deployment': LOCAL[1], 'name': 'cluster.remote.logs.credentials',
                'value': created['encoded'], 'loaded': True})
    _write(leader, 'leader', 1)
    local.get('/follower/_ccr/stats')
    [shard] = local.get('/follower/_ccr/stats').json()['indices'][0]['shards']
    [failure] = shard['read_exceptions']
    assert failure['exception']['type'] == 'security_exception' and failure['retries'] >= 2
    assert 'fatal_exception' not in shard and shard['follower_global_checkpoint'] == -1
    assert _info(local)[0]['status'] == 'active'


def test_a_lost_connection_is_retried_and_a_deleted_leader_is_fatal(sim, linked):
    local, leader = linked
    _follow(local)
    _wait_active(local)
    sim.mutate({'op': 'set_status', 'env': LEADER[0], 'deployment': LEADER[1], 'status': 'stopped'})
    [shard] = local.get('/follower/_ccr/stats').json()['indices'][0]['shards']
    assert shard['read_exceptions'][0]['exception']['type'] == 'connect_transport_exception' and 'fatal_exception' not in shard
    sim.mutate({'op': 'set_status', 'env': LEADER[0], 'deployment': LEADER[1], 'status': 'started'})
    leader.delete('/leader')
    [shard] = local.get('/follower/_ccr/stats').json()['indices'][0]['shards']
    assert shard['fatal_exception'] == {'type': 'index_not_found_exception', 'reason': 'no such index [leader]'}


def test_a_follower_retries_while_its_alias_is_gone_and_catches_up_once_it_is_back(sim, es, linked):
    local, leader = linked
    _follow(local)
    _wait_active(local)
    saved = {key: value for key, value in local.get('/_cluster/settings', params={'flat_settings': 'true'}).json()['persistent'].items()
             if key.startswith('cluster.remote.logs.')}
    local.put('/_cluster/settings', json={'persistent': {key: None for key in saved}})
    _write(leader, 'leader', 2)
    [shard] = local.get('/follower/_ccr/stats').json()['indices'][0]['shards']
    assert shard['read_exceptions'][0]['exception'] == {'type': 'no_such_remote_cluster_exception',
                                                        'reason': 'no such remote cluster: [logs]'}
    assert (shard['leader_global_checkpoint'], shard['follower_global_checkpoint']) == (-1, -1)
    local.put('/_cluster/settings', json={'persistent': saved})
    [shard] = local.get('/follower/_ccr/stats').json()['indices'][0]['shards']
    assert shard['read_exceptions'] == [] and shard['follower_global_checkpoint'] == shard['leader_global_checkpoint'] == 1
    assert shard['failed_read_requests'] >= 1


def test_stats_of_an_index_without_follow_tasks_is_not_found(sim, ccr):
    local, dummy = ccr
    local.put('/plain')
    response = local.get('/plain/_ccr/stats')
    assert response.status_code == 404 and _error(response)['reason'] == 'No shard follow tasks for follower indices [plain]'


# ---- auto-follow -----------------------------------------------------------------------------------------------------
def test_auto_follow_follows_only_leader_indices_created_after_the_pattern(sim, es, ccr):
    local, leader = ccr
    _link(sim, es)
    leader.put('/logs-old')
    body = {'remote_cluster': 'logs', 'leader_index_patterns': ['logs-*'], 'follow_index_pattern': '{{leader_index}}-copy',
            'max_read_request_size': '16mb', 'max_outstanding_read_requests': 4}
    assert local.put('/_ccr/auto_follow/p', json=body).json() == {'acknowledged': True}
    assert local.get('/_ccr/auto_follow/p').json() == {'patterns': [{'name': 'p', 'pattern': {
        'active': True, 'remote_cluster': 'logs', 'leader_index_patterns': ['logs-*'], 'leader_index_exclusion_patterns': [],
        'follow_index_pattern': '{{leader_index}}-copy', 'max_outstanding_read_requests': 4}}]}
    leader.put('/logs-new')
    assert [f['follower_index'] for f in _info(local, '_all')] == ['logs-new-copy']
    assert local.post('/_ccr/auto_follow/p/pause').status_code == 200
    leader.put('/logs-while-paused')
    assert local.get('/_ccr/auto_follow').json()['patterns'][0]['pattern']['active'] is False
    assert [f['follower_index'] for f in _info(local, '_all')] == ['logs-new-copy']
    local.post('/_ccr/auto_follow/p/resume')
    assert [f['follower_index'] for f in _info(local, '_all')] == ['logs-new-copy', 'logs-while-paused-copy']
    stats = local.get('/_ccr/stats').json()['auto_follow_stats']
    assert stats['number_of_successful_follow_indices'] == 2
    assert local.delete('/_ccr/auto_follow/p').json() == {'acknowledged': True}
    missing = local.delete('/_ccr/auto_follow/p')
    assert missing.status_code == 404 and _error(missing)['reason'] == 'auto-follow pattern [p] is missing'


def test_an_update_makes_the_pattern_active_and_marks_only_its_new_patterns_existing_indices(sim, es, ccr):
    local, leader = ccr
    _link(sim, es)
    leader.put('/logs-1')
    leader.put('/metrics-1')
    body = {'remote_cluster': 'logs', 'leader_index_patterns': ['logs-*'], 'leader_index_exclusion_patterns': ['logs-1']}
    local.put('/_ccr/auto_follow/p', json=body)
    local.post('/_ccr/auto_follow/p/pause')
    # logs-1 existed but was excluded: not marked; metrics-* is new: metrics-1 is marked
    local.put('/_ccr/auto_follow/p', json={'remote_cluster': 'logs', 'leader_index_patterns': ['logs-*', 'metrics-*']})
    assert local.get('/_ccr/auto_follow/p').json()['patterns'][0]['pattern']['active'] is True
    assert [f['follower_index'] for f in _info(local, '_all')] == ['logs-1']


def test_auto_follow_without_replication_access_records_an_error(sim, es, ccr):
    local, leader = ccr
    _link(sim, es, key_access={'replication': [{'names': ['metrics-*']}]})
    local.put('/_ccr/auto_follow/p', json={'remote_cluster': 'logs', 'leader_index_patterns': ['logs-*']})
    leader.put('/logs-1')
    stats = local.get('/_ccr/stats').json()['auto_follow_stats']
    assert stats['number_of_failed_follow_indices'] == 1
    assert stats['recent_auto_follow_errors'][0]['auto_follow_exception']['type'] == 'security_exception'
    # keyed by the pattern and the leader index (AutoFollowCoordinator: autoFollowPatternName + ":" + index name)
    assert stats['recent_auto_follow_errors'][0]['leader_index'] == 'p:logs-1'


# ---- licence --------------------------------------------------------------------------------------------------------
def test_a_basic_licence_refuses_ccr_on_either_side(sim, linked):
    local, leader = linked
    sim.mutate({'op': 'set_ccr', 'env': LOCAL[0], 'deployment': LOCAL[1], 'license': 'basic'})
    refused = _follow(local)
    assert refused.status_code == 403 and refused.json()['error']['reason'] == 'current license is non-compliant for [ccr]'
    sim.mutate({'op': 'set_ccr', 'env': LOCAL[0], 'deployment': LOCAL[1], 'license': 'platinum'})
    sim.mutate({'op': 'set_ccr', 'env': LEADER[0], 'deployment': LEADER[1], 'license': 'basic'})
    remote = _follow(local)
    assert remote.status_code == 400 and _error(remote)['reason'] == (
        'can not fetch remote index [logs:leader] metadata as the remote cluster [logs] is not licensed for [ccr]; the license '
        'mode [BASIC] on cluster [logs] does not enable [ccr]')


def test_every_ccr_request_is_logged_as_the_spec_allows(sim, es, ccr):
    local, dummy = ccr
    local.get('/_ccr/stats', params={'timeout': '5s'})
    bad = local.get('/_ccr/stats', params={'flat_settings': 'true'})
    assert bad.status_code == 400
    entries = sim.requests()
    assert [e['spec_violation'] is None for e in entries[-2:]] == [True, False]
