"""Cross-cluster replication of one cluster: indices, follower indices, auto-follow patterns, stats, licence.

Modelled (README "Cross-cluster replication", with the sources):

* indices: ``PUT /<index>``, ``POST /<index>/_doc`` (a leader document advances the global checkpoint of one of its
  shards), ``_close``/``_open``, ``DELETE``, ``HEAD``/``GET``; a write to a missing index creates it;
* a follower is created by ``PUT /<f>/_ccr/follow``, which answers before its shard follow tasks run: until they do
  (``follow_start_seconds`` later), ``_ccr/info`` shows it ``paused`` without ``parameters``; pause removes the tasks,
  resume creates them (refused while they exist); unfollow needs the tasks gone AND the index closed;
* the shard follow tasks read the leader while they run (lazily, whenever the follower cluster is asked about CCR):
  connection and security errors are ``read_exceptions`` retried forever, any other error (the leader index gone) is
  the shard's ``fatal_exception`` and stops it;
* auto-follow patterns follow only leader indices created after the pattern (and, paused, while it was paused);
* the cross-cluster API key of an API-key remote must name the leader index in ``access.replication``;
* a licence per cluster (state op ``set_ccr``), one that includes CCR by default; both sides are checked.
"""

from __future__ import annotations

import json
import time

from .connectivity import attempt, configured_aliases, evaluate, loaded_credentials
from .errors import EsError, illegal_argument, validation_failed, x_content_parse
from .httpcore import Response
from .util import b64, epoch_ms, new_token, parse_time_value, simple_match

# how long after PUT /<f>/_ccr/follow (restore of the leader's files) the shard follow tasks start; state op set_ccr
FOLLOW_START_SECONDS = 0.3
DEFAULT_LICENSE = 'enterprise'
LICENSES = ('basic', 'gold', 'platinum', 'enterprise', 'trial')
CCR_LICENSES = ('platinum', 'enterprise', 'trial')
# the follow parameters and the values Elasticsearch fills in (GET /<f>/_ccr/info of the ES docs)
DEFAULT_PARAMETERS = {
    'max_read_request_operation_count': 5120, 'max_outstanding_read_requests': 12, 'max_read_request_size': '32mb',
    'max_write_request_operation_count': 5120, 'max_write_request_size': '9223372036854775807b',
    'max_outstanding_write_requests': 9, 'max_write_buffer_count': 2147483647, 'max_write_buffer_size': '512mb',
    'max_retry_delay': '500ms', 'read_poll_timeout': '1m',
}
COUNT_PARAMETERS = ('max_read_request_operation_count', 'max_outstanding_read_requests', 'max_write_request_operation_count',
                    'max_outstanding_write_requests', 'max_write_buffer_count')
SIZE_PARAMETERS = ('max_read_request_size', 'max_write_request_size', 'max_write_buffer_size')
TIME_PARAMETERS = ('max_retry_delay', 'read_poll_timeout')
PATTERN_FIELDS = ('remote_cluster', 'leader_index_patterns', 'leader_index_exclusion_patterns', 'follow_index_pattern', 'settings')
SIZE_UNITS = {'b': 1, 'kb': 1024, 'mb': 1024 ** 2, 'gb': 1024 ** 3, 'tb': 1024 ** 4, 'pb': 1024 ** 5}
RECENT_ERRORS = 5

# rest-api-spec parameters of the APIs served here (none is in the bundled spec copies: es_api NOT_IN_BUNDLED_SPECS)
PARAMS = {
    'indices.create': {'wait_for_active_shards', 'timeout', 'master_timeout'},
    'indices.get': {'local', 'ignore_unavailable', 'allow_no_indices', 'expand_wildcards', 'flat_settings', 'include_defaults',
                    'master_timeout', 'features'},
    'indices.exists': {'local', 'ignore_unavailable', 'allow_no_indices', 'expand_wildcards', 'flat_settings', 'include_defaults'},
    'indices.delete': {'timeout', 'master_timeout', 'ignore_unavailable', 'allow_no_indices', 'expand_wildcards'},
    'indices.close': {'timeout', 'master_timeout', 'ignore_unavailable', 'allow_no_indices', 'expand_wildcards', 'wait_for_active_shards'},
    'indices.open': {'timeout', 'master_timeout', 'ignore_unavailable', 'allow_no_indices', 'expand_wildcards', 'wait_for_active_shards'},
    'index': {'wait_for_active_shards', 'op_type', 'refresh', 'routing', 'timeout', 'version', 'version_type', 'if_seq_no',
              'if_primary_term', 'pipeline', 'require_alias'},
    'ccr.follow': {'wait_for_active_shards', 'master_timeout'},
    'ccr.pause_follow': {'master_timeout'},
    'ccr.resume_follow': {'master_timeout'},
    'ccr.unfollow': {'master_timeout'},
    'ccr.follow_info': {'master_timeout'},
    'ccr.follow_stats': {'timeout'},
    'ccr.stats': {'master_timeout', 'timeout'},
    'ccr.put_auto_follow_pattern': {'master_timeout'},
    'ccr.get_auto_follow_pattern': {'master_timeout'},
    'ccr.delete_auto_follow_pattern': {'master_timeout'},
    'ccr.pause_auto_follow_pattern': {'master_timeout'},
    'ccr.resume_auto_follow_pattern': {'master_timeout'},
    'license.get': {'local', 'accept_enterprise', 'master_timeout'},
    'nodes.info': {'flat_settings', 'timeout'},
}
NO_BODY = {'license.get', 'nodes.info', 'indices.get', 'indices.exists', 'indices.delete', 'indices.close', 'indices.open', 'ccr.pause_follow', 'ccr.unfollow',
           'ccr.follow_info', 'ccr.follow_stats', 'ccr.stats', 'ccr.get_auto_follow_pattern', 'ccr.delete_auto_follow_pattern',
           'ccr.pause_auto_follow_pattern', 'ccr.resume_auto_follow_pattern'}
OPS_DOC = {'set_ccr': 'env, deployment, license (basic|gold|platinum|enterprise|trial; CCR needs platinum or better), '
                      'follow_start_seconds (how long after PUT _ccr/follow the shard follow tasks start)'}


# ---- state ------------------------------------------------------------------------------------------------
def state(es):
    """The CCR state of a cluster, created on first use (``EsCluster.reset`` drops it)."""
    if es.ccr is None:
        es.ccr = {'license': DEFAULT_LICENSE, 'follow_start_seconds': FOLLOW_START_SECONDS, 'indices': {}, 'patterns': {},
                  'auto_follow': {'number_of_failed_follow_indices': 0, 'number_of_failed_remote_cluster_state_requests': 0,
                                  'number_of_successful_follow_indices': 0, 'recent_auto_follow_errors': []}}
    return es.ccr


def apply_op(es, op):
    """State op ``set_ccr``."""
    ccr = state(es)
    if 'license' in op:
        if op['license'] not in LICENSES:
            raise ValueError('license must be one of %s' % (LICENSES,))
        ccr['license'] = op['license']
    if 'follow_start_seconds' in op:
        ccr['follow_start_seconds'] = max(0.0, float(op['follow_start_seconds']))
    return {'ok': True}


def dump(es):
    """The CCR state of a cluster for ``GET /_sim/state`` (no background work is run for it)."""
    ccr = state(es)
    now = time.time()
    indices = {}
    for name, index in sorted(ccr['indices'].items()):
        entry = {'state': index['state'], 'shards': index['shards'], 'global_checkpoints': list(index['checkpoints'])}
        follow = index['follow']
        if follow is not None:
            entry['follow'] = {'remote_cluster': follow['remote_cluster'], 'leader_index': follow['leader_index'],
                               'tasks_running': _tasks_running(follow, now), 'parameters': dict(follow['parameters'])}
        indices[name] = entry
    patterns = dict((name, {key: (sorted(value) if isinstance(value, set) else value) for key, value in pattern.items() if key != 'followed'})
                    for name, pattern in sorted(ccr['patterns'].items()))
    return {'license': ccr['license'], 'follow_start_seconds': ccr['follow_start_seconds'], 'indices': indices, 'patterns': patterns}


def _new_index(name, shards=1, now=None):
    now = time.time() if now is None else now
    return {'name': name, 'uuid': new_token(22), 'state': 'open', 'created': now, 'shards': shards,
            'checkpoints': [-1] * shards, 'docs': 0, 'follow': None}


def _index_not_found(name):
    return EsError(404, 'index_not_found_exception', 'no such index [%s]' % name,
                   extra={'resource.type': 'index_or_alias', 'resource.id': name, 'index_uuid': '_na_', 'index': name})


def _security(message):
    return EsError(403, 'security_exception', message)


def _license_refused():
    # LicenseUtils.newComplianceException: an ElasticsearchSecurityException, 403
    return EsError(403, 'security_exception', 'current license is non-compliant for [ccr]', extra={'license.expired.feature': 'ccr'})


def _remote_license_refused(what, alias, license_type):
    return EsError(400, 'status_exception', 'can not fetch %s as the remote cluster [%s] is not licensed for [ccr]; the license mode '
                   '[%s] on cluster [%s] does not enable [ccr]' % (what, alias, license_type.upper(), alias))


def _matches(patterns, name):
    return any(simple_match(pattern, name) for pattern in patterns or [])


def _key_of(remote, encoded):
    for key in remote.api_keys.values():
        if b64('%s:%s' % (key['id'], key['secret'])) == encoded:
            return key
    return None


def _who(auth):
    if auth and auth.get('type') == 'api_key':
        return 'API key id [%s] of user [%s]' % (auth['key']['id'], auth['user'])
    return 'user [%s] with assigned roles [superuser]' % ((auth or {}).get('user') or 'elastic')


# ---- the remote side: connection, credentials, leader -------------------------------------------------------
def remote_client_missing(es):
    """From 7.10 (``node_roles`` in the plan) a cluster whose nodes lack the ``remote_cluster_client`` role cannot reach
    a remote cluster (``RemoteClusterService.ensureClientIsEnabled``)."""
    topology = (es.plan or {}).get('cluster_topology') or []
    with_roles = [entry for entry in topology if 'node_roles' in entry]
    if not es.v(7, 10, 0) or not with_roles or any('remote_cluster_client' in entry['node_roles'] for entry in with_roles):
        return None
    return illegal_argument('node [instance-0000000000] does not have the [remote_cluster_client] role')


def _remote(world, es, alias):
    """The leader cluster of ``alias``, connected (an attempt is made as a cross-cluster request does), or an EsError."""
    missing_role = remote_client_missing(es)
    if missing_role is not None:
        return None, missing_role
    if alias not in configured_aliases(es):
        return None, EsError(404, 'no_such_remote_cluster_exception', 'no such remote cluster: [%s]' % alias)
    evaluation = evaluate(world, es, alias)
    if not evaluation['connected']:
        for node in es.nodes:  # each node whose connection failed attempts again
            if not (node.connections.get(alias) or {}).get('connected'):
                attempt(world, es, alias, node)
        evaluation = evaluate(world, es, alias)
    if not evaluation['connected']:
        # the message of the simulator's other cross-cluster requests; GET /_sim/diagnose says which link is missing
        return None, EsError(500, 'connect_transport_exception', '[%s] unable to connect to remote cluster' % alias)
    return world.cluster_by_id(evaluation['remote']['cluster_id']), None


def _replication_denied(es, alias, leader, index_name, action, auth):
    """The API-key model: the remote's cross-cluster key must name the leader index in ``access.replication``."""
    encoded = loaded_credentials(es, alias)
    if not encoded:
        return None  # TLS-certificate model: the (superuser) caller's own roles apply on the remote
    key = _key_of(leader, encoded)
    names = [name for entry in ((key or {}).get('access') or {}).get('replication') or [] for name in entry.get('names') or []]
    if _matches(names, index_name):
        return None
    return _security('action [%s] towards remote cluster is unauthorized for %s authenticated by API key id [%s] of user [%s] on '
                     'indices [%s], this action is granted by the index privileges [cross_cluster_replication,all]'
                     % (action, _who(auth), (key or {}).get('id'), (key or {}).get('username', 'elastic'), index_name))


# ---- shard follow tasks -----------------------------------------------------------------------------------
def _tasks_running(follow, now):
    return follow['tasks_at'] is not None and now >= follow['tasks_at']


def _shard_error(world, es, follow, leader_name):
    """What one read of the leader by the shard follow tasks meets: (leader index, None) or (None, (kind, type, reason))
    with kind ``retry`` (ShardFollowNodeTask.shouldRetry: connection and security errors, blocks) or ``fatal``."""
    alias = follow['remote_cluster']
    leader, error = _remote(world, es, alias)
    if error is not None:
        return None, ('retry', error.etype, error.reason)
    denied = _replication_denied(es, alias, leader, leader_name, 'indices:data/read/xpack/ccr/shard_changes', None)
    if denied is not None:
        return None, ('retry', denied.etype, denied.reason)
    index = state(leader)['indices'].get(leader_name)
    if index is None or index['uuid'] != follow['leader_uuid']:
        return None, ('fatal', 'index_not_found_exception', 'no such index [%s]' % leader_name)
    if index['state'] == 'close':
        return None, ('retry', 'cluster_block_exception', 'index [%s] blocked by: [FORBIDDEN/4/index closed];' % leader_name)
    return index, None


def _read_leader(world, es, index, now):
    """One round of the shard follow tasks of follower ``index``: catch up with the leader, or record the error."""
    follow = index['follow']
    if not _tasks_running(follow, now) or all(shard['fatal'] for shard in follow['shards']):
        return
    leader, problem = _shard_error(world, es, follow, follow['leader_index'])
    if problem is None and index['state'] == 'close':
        problem = ('retry', 'index_closed_exception', 'closed')
    for number, shard in enumerate(follow['shards']):
        if shard['fatal']:
            continue
        if problem is None:
            shard['leader_gcp'] = leader['checkpoints'][number]
            copied = shard['leader_gcp'] - shard['follower_gcp']
            if copied > 0:
                shard['operations'] += copied
                index['checkpoints'][number] = shard['follower_gcp'] = shard['leader_gcp']
                index['docs'] += copied
            shard['read_exceptions'] = []
            shard['last_read'] = now
            shard['successful_reads'] += 1
            continue
        kind, etype, reason = problem
        if kind == 'fatal':
            shard['fatal'] = {'type': etype, 'reason': reason}
            continue
        shard['failed_reads'] += 1
        exceptions = shard['read_exceptions']
        if exceptions and exceptions[0]['exception']['type'] == etype:
            exceptions[0]['retries'] += 1
            exceptions[0]['exception']['reason'] = reason
        else:
            shard['read_exceptions'] = [{'from_seq_no': shard['follower_gcp'] + 1, 'retries': 1,
                                         'exception': {'type': etype, 'reason': reason}}]


def _start_tasks(index, parameters, now, delay=0.0):
    follow = index['follow']
    follow['parameters'] = parameters
    follow['tasks_at'] = now + delay
    for shard in follow['shards']:
        shard.update(fatal=None, read_exceptions=[])


# ---- auto-follow ---------------------------------------------------------------------------------------------
def _auto_follow_error(ccr, name, etype, reason, remote_state=False):
    stats = ccr['auto_follow']
    stats['number_of_failed_remote_cluster_state_requests' if remote_state else 'number_of_failed_follow_indices'] += 1
    errors = [entry for entry in stats['recent_auto_follow_errors'] if entry['leader_index'] != name]
    errors.append({'leader_index': name, 'timestamp': epoch_ms(),
                   'auto_follow_exception': {'type': etype, 'reason': reason}})
    stats['recent_auto_follow_errors'] = errors[-RECENT_ERRORS:]


def _auto_follow(world, es, now):
    ccr = state(es)
    for name, pattern in sorted(ccr['patterns'].items()):
        if not pattern['active']:
            continue
        if ccr['license'] not in CCR_LICENSES:
            return  # AutoFollowCoordinator: "skipping auto-follower coordination" (a log line, no stats)
        leader, error = _remote(world, es, pattern['remote_cluster'])
        if error is None and state(leader)['license'] not in CCR_LICENSES:
            error = _remote_license_refused('remote cluster state', pattern['remote_cluster'], state(leader)['license'])
        if error is not None:
            _auto_follow_error(ccr, name, error.etype, error.reason, remote_state=True)
            continue
        for leader_index in sorted(state(leader)['indices'].values(), key=lambda i: i['created']):
            if (leader_index['uuid'] in pattern['followed'] or leader_index['state'] != 'open' or leader_index['follow'] is not None
                    or not _matches(pattern['leader_index_patterns'], leader_index['name'])
                    or _matches(pattern['leader_index_exclusion_patterns'], leader_index['name'])):
                continue
            pattern['followed'].add(leader_index['uuid'])
            follower_name = (pattern['follow_index_pattern'] or '{{leader_index}}').replace('{{leader_index}}', leader_index['name'])
            denied = _replication_denied(es, pattern['remote_cluster'], leader, leader_index['name'],
                                         'indices:internal/admin/ccr/restore/session/put', None)
            if denied is not None or follower_name in ccr['indices']:
                reason = denied.reason if denied else 'index [%s] already exists' % follower_name
                _auto_follow_error(ccr, '%s:%s' % (name, leader_index['name']),
                                   denied.etype if denied else 'resource_already_exists_exception', reason)
                continue
            _create_follower(es, follower_name, pattern['remote_cluster'], leader_index, dict(pattern['parameters']), now)
            ccr['auto_follow']['number_of_successful_follow_indices'] += 1


def sync(world, es, now=None):
    """Run what Elasticsearch does in the background, up to now: auto-follow, then one read round of every follower."""
    now = time.time() if now is None else now
    ccr = state(es)
    if ccr['patterns']:
        _auto_follow(world, es, now)
    for index in list(ccr['indices'].values()):
        if index['follow'] is not None:
            _read_leader(world, es, index, now)


def _create_follower(es, name, alias, leader_index, parameters, now, data_stream_name=None):
    index = _new_index(name, leader_index['shards'], now)
    index['follow'] = {'remote_cluster': alias, 'leader_index': leader_index['name'], 'leader_uuid': leader_index['uuid'],
                       'parameters': parameters, 'tasks_at': None, 'data_stream_name': data_stream_name,
                       'shards': [{'leader_gcp': -1, 'follower_gcp': -1, 'operations': 0, 'successful_reads': 0, 'failed_reads': 0,
                                   'read_exceptions': [], 'fatal': None, 'last_read': now} for dummy in range(leader_index['shards'])]}
    state(es)['indices'][name] = index
    _start_tasks(index, parameters, now, state(es)['follow_start_seconds'])
    return index


# ---- request bodies --------------------------------------------------------------------------------------------
def _size_ok(value):
    text = str(value).strip().lower()
    number = text.rstrip('kmgtpb')
    return number.isdigit() and text[len(number):] in SIZE_UNITS


def _parameters(body, parser):
    """The follow parameters of a request body, checked; unknown fields refused as Elasticsearch's parser does."""
    result = {}
    errors = []
    for key, value in body.items():
        if key not in DEFAULT_PARAMETERS:
            continue
        if key in COUNT_PARAMETERS:
            if not isinstance(value, int) or isinstance(value, bool):
                raise x_content_parse('[%s] failed to parse field [%s]' % (parser, key))
            if value < 1:
                errors.append('%s must be larger than 0' % key)
        elif key in SIZE_PARAMETERS:
            if not _size_ok(value):
                raise x_content_parse('[%s] failed to parse field [%s]' % (parser, key))
        else:
            try:
                parse_time_value(value)
            except ValueError:
                raise x_content_parse('[%s] failed to parse field [%s]' % (parser, key))
        result[key] = value
    if errors:
        raise validation_failed(*errors)
    return result


def _check_fields(body, allowed, parser):
    for key in body:
        if key not in allowed and key not in DEFAULT_PARAMETERS:
            raise x_content_parse('[%s] unknown field [%s]' % (parser, key))


def _names(ccr, expression):
    """Indices named by a path expression (``_all``, ``*``, patterns, comma lists); a missing concrete name is an error."""
    found = []
    for part in expression.split(','):
        if part in ('_all', '*') or '*' in part:
            found.extend(name for name in sorted(ccr['indices']) if part in ('_all', '*') or simple_match(part, name))
        elif part in ccr['indices']:
            found.append(part)
        else:
            raise _index_not_found(part)
    return list(dict.fromkeys(found))


# ---- the API ---------------------------------------------------------------------------------------------------
class CcrApi:
    """The index and CCR endpoints; ``api`` is the EsApi (its body and parameter helpers)."""

    def __init__(self, api):
        self.api = api
        self.world = api.world

    def add_routes(self, route):
        # literal paths first: /_ccr/auto_follow/{name} must not be taken for /{index}/_ccr/...
        route(('GET',), '/_license', 'license.get', self.license)
        route(('GET',), '/_nodes', 'nodes.info', self.nodes_info)
        route(('GET',), '/_ccr/stats', 'ccr.stats', self.stats, since=(6, 5, 0))
        route(('GET',), '/_ccr/auto_follow', 'ccr.get_auto_follow_pattern', self.get_patterns, since=(6, 5, 0))
        route(('GET',), '/_ccr/auto_follow/{name}', 'ccr.get_auto_follow_pattern', self.get_patterns, since=(6, 5, 0))
        route(('PUT',), '/_ccr/auto_follow/{name}', 'ccr.put_auto_follow_pattern', self.put_pattern, since=(6, 5, 0))
        route(('DELETE',), '/_ccr/auto_follow/{name}', 'ccr.delete_auto_follow_pattern', self.delete_pattern, since=(6, 5, 0))
        route(('POST',), '/_ccr/auto_follow/{name}/pause', 'ccr.pause_auto_follow_pattern', self.pause_pattern, since=(7, 5, 0))
        route(('POST',), '/_ccr/auto_follow/{name}/resume', 'ccr.resume_auto_follow_pattern', self.resume_pattern, since=(7, 5, 0))
        route(('PUT',), '/{index}/_ccr/follow', 'ccr.follow', self.follow, since=(6, 5, 0))
        route(('POST',), '/{index}/_ccr/pause_follow', 'ccr.pause_follow', self.pause_follow, since=(6, 5, 0))
        route(('POST',), '/{index}/_ccr/resume_follow', 'ccr.resume_follow', self.resume_follow, since=(6, 5, 0))
        route(('POST',), '/{index}/_ccr/unfollow', 'ccr.unfollow', self.unfollow, since=(6, 5, 0))
        route(('GET',), '/{index}/_ccr/info', 'ccr.follow_info', self.follow_info, since=(6, 7, 0))
        route(('GET',), '/{index}/_ccr/stats', 'ccr.follow_stats', self.follow_stats, since=(6, 5, 0))
        route(('POST',), '/{index}/_doc', 'index', self.index_document)
        route(('POST',), '/{index}/_close', 'indices.close', self.close)
        route(('POST',), '/{index}/_open', 'indices.open', self.open)
        route(('PUT',), '/{index}', 'indices.create', self.create_index)
        route(('GET',), '/{index}', 'indices.get', self.get_index)
        route(('HEAD',), '/{index}', 'indices.exists', self.index_exists)
        route(('DELETE',), '/{index}', 'indices.delete', self.delete_index)

    def _ready(self, es, licensed=True):
        """Background work up to now, then the local licence check of the CCR APIs that make it (put follow, resume,
        the stats APIs, put auto-follow pattern: ``ccrLicenseChecker.isCcrAllowed()``)."""
        sync(self.world, es)
        ccr = state(es)
        if licensed and ccr['license'] not in CCR_LICENSES:
            raise _license_refused()
        return ccr

    # ---- the prerequisites: licence and node roles -------------------------------------------------------------
    def license(self, es, req, auth):
        """``GET /_license``: the licence of the cluster (the fields the docs' example shows; no signature)."""
        ccr = state(es)
        return Response(200, {'license': {'status': 'active', 'uid': es.cluster_id[:8] + '-licence', 'type': ccr['license'],
                                          'issue_date': '2026-01-01T00:00:00.000Z', 'issue_date_in_millis': 1767225600000,
                                          'max_nodes': 1000, 'issued_to': es.cluster_id, 'issuer': 'elasticsearch',
                                          'start_date_in_millis': -1}})

    def nodes_info(self, es, req, auth):
        """``GET /_nodes``: every node with its name and the roles the deployment's plan gives it (from 7.10 its
        ``node_roles``; before, ``node_type``, with ``remote_cluster_client``, a default role then); the rest of a
        node's info is left out."""
        roles = set()
        for entry in (es.plan or {}).get('cluster_topology') or []:
            if 'node_roles' in entry:
                roles.update(entry['node_roles'])
            else:
                roles.update(role for role, on in (entry.get('node_type') or {}).items() if on)
                roles.add('remote_cluster_client')
        return Response(200, {'_nodes': {'total': len(es.nodes), 'successful': len(es.nodes), 'failed': 0},
                              'cluster_name': es.cluster_id,
                              'nodes': dict((node.id, {'name': node.name, 'roles': sorted(roles)}) for node in es.nodes)})

    # ---- indices ----------------------------------------------------------------------------------------------
    def create_index(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        if name != name.lower() or name.startswith(('_', '-', '+')) or name in ('.', '..'):
            reason = 'must be lowercase' if name != name.lower() else 'must not start with \'_\', \'-\', or \'+\''
            raise EsError(400, 'invalid_index_name_exception', 'Invalid index name [%s], %s' % (name, reason),
                          extra={'index_uuid': '_na_', 'index': name})
        if name in ccr['indices']:
            existing = ccr['indices'][name]
            raise EsError(400, 'resource_already_exists_exception', 'index [%s/%s] already exists' % (name, existing['uuid']),
                          extra={'index_uuid': existing['uuid'], 'index': name})
        body = self.api._body(req, required=False) or {}
        settings = body.get('settings') or {}
        shards = (settings.get('index') or {}).get('number_of_shards', settings.get('number_of_shards', 1))
        ccr['indices'][name] = _new_index(name, max(1, int(shards)))
        return Response(200, {'acknowledged': True, 'shards_acknowledged': True, 'index': name})

    def get_index(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        body = {}
        for index_name in _names(ccr, name):
            index = ccr['indices'][index_name]
            settings = {'number_of_shards': str(index['shards']), 'number_of_replicas': '1', 'uuid': index['uuid'],
                        'provided_name': index_name, 'creation_date': str(epoch_ms(index['created']))}
            if index['follow'] is not None:
                settings['xpack'] = {'ccr': {'following_index': 'true'}}
            if index['state'] == 'close':
                settings['verified_before_close'] = 'true'
            body[index_name] = {'aliases': {}, 'mappings': {}, 'settings': {'index': settings}}
        return Response(200, body)

    def index_exists(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        try:
            found = _names(ccr, name)
        except EsError:
            found = []
        return Response(200 if found else 404, b'', {'Content-Type': 'application/json'})

    def delete_index(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        for index_name in _names(ccr, name):
            del ccr['indices'][index_name]
        return Response(200, {'acknowledged': True})

    def close(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        names = _names(ccr, name)
        for index_name in names:
            ccr['indices'][index_name]['state'] = 'close'
        return Response(200, {'acknowledged': True, 'shards_acknowledged': True,
                              'indices': {index_name: {'closed': True} for index_name in names}})

    def open(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        for index_name in _names(ccr, name):
            ccr['indices'][index_name]['state'] = 'open'
        return Response(200, {'acknowledged': True, 'shards_acknowledged': True})

    def index_document(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        body = self.api._body(req)
        index = ccr['indices'].get(name)
        if index is None:  # action.auto_create_index: the index is created by its first document
            index = ccr['indices'][name] = _new_index(name)
        if index['state'] == 'close':
            raise EsError(400, 'index_closed_exception', 'closed', extra={'index_uuid': index['uuid'], 'index': name})
        if index['follow'] is not None:
            raise EsError(500, 'illegal_state_exception', 'a following engine does not accept operations without an assigned '
                          'sequence number')
        doc_id = str(body.get('_sim_id') or new_token(20))
        shard = index['docs'] % index['shards']
        index['checkpoints'][shard] += 1
        index['docs'] += 1
        return Response(201, {'_index': name, '_id': doc_id, '_version': 1, 'result': 'created',
                              '_shards': {'total': 2, 'successful': 1, 'failed': 0}, '_seq_no': index['checkpoints'][shard],
                              '_primary_term': 1})

    # ---- followers --------------------------------------------------------------------------------------------
    def follow(self, es, req, auth, name):
        ccr = self._ready(es)
        body = self.api._body(req)
        allowed = ['remote_cluster', 'leader_index', 'settings'] + (['data_stream_name'] if es.v(8, 4, 0) else [])
        _check_fields(body, allowed, 'put_follow_request')
        missing = [field for field in ('remote_cluster', 'leader_index') if not body.get(field)]
        if missing:
            raise validation_failed(*['[%s] is missing' % field for field in missing])
        parameters = dict(DEFAULT_PARAMETERS, **_parameters(body, 'put_follow_request'))
        alias, leader_name = body['remote_cluster'], body['leader_index']
        leader, error = _remote(self.world, es, alias)
        if error is not None:
            raise error
        if state(leader)['license'] not in CCR_LICENSES:
            raise _remote_license_refused('remote index [%s:%s] metadata' % (alias, leader_name), alias, state(leader)['license'])
        denied = _replication_denied(es, alias, leader, leader_name, 'indices:internal/admin/ccr/restore/session/put', auth)
        if denied is not None:
            raise denied
        leader_index = state(leader)['indices'].get(leader_name)
        if leader_index is None:
            raise _index_not_found(leader_name)
        if leader_index['follow'] is not None:
            raise illegal_argument('leader index [%s] should reference an index, not a follower index' % leader_name)
        if name in ccr['indices']:
            raise EsError(500, 'snapshot_restore_exception', '[_ccr_%s:_latest_/_latest_] cannot restore index [%s] because an open '
                          'index with same name already exists in the cluster. Either close or delete the existing index or '
                          'restore the index under a different name by providing a rename pattern and replacement name'
                          % (alias, name))
        index = _create_follower(es, name, alias, leader_index, parameters, time.time(), body.get('data_stream_name'))
        # wait_for_active_shards (default 0): with 1 or more the call answers once the shards are restored and the
        # following has started (TransportPutFollowAction); with 0 it answers at once, before
        waited = req.query.get('wait_for_active_shards', '0') not in ('0', 'none')
        if waited:
            _start_tasks(index, parameters, time.time())
        started = _tasks_running(index['follow'], time.time())
        return Response(200, {'follow_index_created': True, 'follow_index_shards_acked': waited, 'index_following_started': started})

    def _follower(self, ccr, name):
        index = ccr['indices'].get(name)
        if index is None:
            raise _index_not_found(name)
        if index['follow'] is None:
            raise illegal_argument('index [%s] is not a follower index' % name)
        return index

    def pause_follow(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        index = self._follower(ccr, name)
        if index['follow']['tasks_at'] is None or not _tasks_running(index['follow'], time.time()):
            raise illegal_argument('no shard follow tasks for [%s]' % name)
        index['follow']['tasks_at'] = None
        return Response(200, {'acknowledged': True})

    def resume_follow(self, es, req, auth, name):
        ccr = self._ready(es)
        index = self._follower(ccr, name)
        body = self.api._body(req, required=False) or {}
        _check_fields(body, [], 'resume_follow_request')
        parameters = dict(DEFAULT_PARAMETERS, **_parameters(body, 'resume_follow_request'))
        follow = index['follow']
        if follow['tasks_at'] is not None:
            raise EsError(400, 'resource_already_exists_exception', 'task with id {%s-0} already exist' % index['uuid'])
        leader, error = _remote(self.world, es, follow['remote_cluster'])
        if error is not None:
            raise error
        denied = _replication_denied(es, follow['remote_cluster'], leader, follow['leader_index'],
                                     'indices:monitor/stats', auth)
        if denied is not None:
            raise denied
        leader_index = state(leader)['indices'].get(follow['leader_index'])
        if leader_index is None or leader_index['uuid'] != follow['leader_uuid']:
            raise _index_not_found(follow['leader_index'])
        _start_tasks(index, parameters, time.time())
        return Response(200, {'acknowledged': True})

    def unfollow(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        index = self._follower(ccr, name)
        if index['state'] != 'close':
            raise illegal_argument('cannot convert the follower index [%s] to a non-follower, because it has not been closed' % name)
        if index['follow']['tasks_at'] is not None:
            raise illegal_argument('cannot convert the follower index [%s] to a non-follower, because it has not been paused' % name)
        index['follow'] = None
        return Response(200, {'acknowledged': True})

    def follow_info(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        now = time.time()
        followers = []
        for index_name in _names(ccr, name):
            follow = ccr['indices'][index_name]['follow']
            if follow is None:
                continue
            entry = {'follower_index': index_name, 'remote_cluster': follow['remote_cluster'], 'leader_index': follow['leader_index']}
            if _tasks_running(follow, now):
                entry['status'] = 'active'
                entry['parameters'] = json.loads(json.dumps(follow['parameters']))
            else:
                entry['status'] = 'paused'
            followers.append(entry)
        return Response(200, {'follower_indices': followers})

    def _index_stats(self, ccr, names, now):
        indices = []
        for index_name in names:
            index = ccr['indices'][index_name]
            follow = index['follow']
            if follow is None or not _tasks_running(follow, now):
                continue
            shards = [self._shard_stats(index_name, follow, number, shard, now) for number, shard in enumerate(follow['shards'])]
            lag = sum(max(0, shard['leader_global_checkpoint'] - shard['follower_global_checkpoint']) for shard in shards)
            indices.append({'index': index_name, 'total_global_checkpoint_lag': lag, 'shards': shards})
        return indices

    @staticmethod
    def _shard_stats(index_name, follow, number, shard, now):
        stats = {
            'remote_cluster': follow['remote_cluster'], 'leader_index': follow['leader_index'], 'follower_index': index_name,
            'shard_id': number, 'leader_global_checkpoint': shard['leader_gcp'], 'leader_max_seq_no': shard['leader_gcp'],
            'follower_global_checkpoint': shard['follower_gcp'], 'follower_max_seq_no': shard['follower_gcp'],
            'last_requested_seq_no': shard['follower_gcp'], 'outstanding_read_requests': 1, 'outstanding_write_requests': 0,
            'write_buffer_operation_count': 0, 'write_buffer_size_in_bytes': 0, 'follower_mapping_version': 1,
            'follower_settings_version': 1, 'follower_aliases_version': 1, 'total_read_time_millis': shard['successful_reads'],
            'total_read_remote_exec_time_millis': shard['successful_reads'], 'successful_read_requests': shard['successful_reads'],
            'failed_read_requests': shard['failed_reads'], 'operations_read': shard['operations'], 'bytes_read': shard['operations'] * 100,
            'total_write_time_millis': shard['operations'], 'successful_write_requests': shard['operations'],
            'failed_write_requests': 0, 'operations_written': shard['operations'],
            'read_exceptions': json.loads(json.dumps(shard['read_exceptions'])),
            'time_since_last_read_millis': int((now - shard['last_read']) * 1000),
        }
        if shard['fatal']:
            stats['fatal_exception'] = dict(shard['fatal'])
        return stats

    def follow_stats(self, es, req, auth, name):
        ccr = self._ready(es)
        names = _names(ccr, name)
        indices = self._index_stats(ccr, names, time.time())
        if not indices and name not in ('_all', '*'):
            raise EsError(404, 'resource_not_found_exception', 'No shard follow tasks for follower indices [%s]' % name)
        return Response(200, {'indices': indices})

    def stats(self, es, req, auth):
        ccr = self._ready(es)
        auto = json.loads(json.dumps(ccr['auto_follow']))
        auto['auto_followed_clusters'] = []
        for pattern in ccr['patterns'].values():
            if pattern['active'] and pattern['remote_cluster'] not in [c['cluster_name'] for c in auto['auto_followed_clusters']]:
                auto['auto_followed_clusters'].append({'cluster_name': pattern['remote_cluster'], 'time_since_last_check_millis': 0,
                                                       'last_seen_metadata_version': es.metadata_version})
        return Response(200, {'auto_follow_stats': auto,
                              'follow_stats': {'indices': self._index_stats(ccr, sorted(ccr['indices']), time.time())}})

    # ---- auto-follow patterns ----------------------------------------------------------------------------------
    def _pattern(self, ccr, name):
        if name not in ccr['patterns']:
            raise EsError(404, 'resource_not_found_exception', 'auto-follow pattern [%s] is missing' % name)
        return ccr['patterns'][name]

    def put_pattern(self, es, req, auth, name):
        ccr = self._ready(es)
        body = self.api._body(req)
        _check_fields(body, list(PATTERN_FIELDS), 'put_auto_follow_pattern_request')
        missing = [field for field in ('remote_cluster', 'leader_index_patterns') if not body.get(field)]
        if missing:
            raise validation_failed(*['[%s] is missing' % field for field in missing])
        parameters = dict(DEFAULT_PARAMETERS, **_parameters(body, 'put_auto_follow_pattern_request'))
        leader, error = _remote(self.world, es, body['remote_cluster'])
        if error is not None:
            raise error
        if state(leader)['license'] not in CCR_LICENSES:
            raise _remote_license_refused('remote cluster state', body['remote_cluster'], state(leader)['license'])
        previous = ccr['patterns'].get(name)
        patterns = list(body['leader_index_patterns'])
        exclusions = list(body.get('leader_index_exclusion_patterns') or [])
        # TransportPutAutoFollowPatternAction: the existing leader indices that match the patterns (on an update: the
        # patterns it did not have before) are marked as followed, so never followed; a PUT makes the pattern active
        marking = [pattern for pattern in patterns if not previous or pattern not in previous['leader_index_patterns']]
        followed = set(previous['followed']) if previous else set()
        followed.update(index['uuid'] for index in state(leader)['indices'].values()
                        if _matches(marking, index['name']) and not _matches(exclusions, index['name']))
        ccr['patterns'][name] = {
            'remote_cluster': body['remote_cluster'], 'leader_index_patterns': patterns, 'leader_index_exclusion_patterns': exclusions,
            'follow_index_pattern': body.get('follow_index_pattern'), 'settings': body.get('settings') or {},
            'parameters': parameters, 'active': True, 'followed': followed,
        }
        return Response(200, {'acknowledged': True})

    def get_patterns(self, es, req, auth, name=None):
        ccr = self._ready(es, licensed=False)
        names = [name] if name is not None else sorted(ccr['patterns'])
        patterns = []
        for pattern_name in names:
            pattern = self._pattern(ccr, pattern_name)
            shown = {'active': pattern['active'], 'remote_cluster': pattern['remote_cluster'],
                     'leader_index_patterns': list(pattern['leader_index_patterns']),
                     'leader_index_exclusion_patterns': list(pattern['leader_index_exclusion_patterns']),
                     'max_outstanding_read_requests': pattern['parameters']['max_outstanding_read_requests']}
            if pattern['follow_index_pattern'] is not None:
                shown['follow_index_pattern'] = pattern['follow_index_pattern']
            patterns.append({'name': pattern_name, 'pattern': shown})
        return Response(200, {'patterns': patterns})

    def delete_pattern(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        self._pattern(ccr, name)
        del ccr['patterns'][name]
        return Response(200, {'acknowledged': True})

    def pause_pattern(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        self._pattern(ccr, name)['active'] = False
        return Response(200, {'acknowledged': True})

    def resume_pattern(self, es, req, auth, name):
        ccr = self._ready(es, licensed=False)
        self._pattern(ccr, name)['active'] = True
        sync(self.world, es)
        return Response(200, {'acknowledged': True})
