"""The Elasticsearch REST API of one cluster (the endpoints the collection uses, per version).

Modelled traps (es-api.md):

* routing before security: an unknown path is ``400 no handler found for uri [..] and method [..]`` with a
  plain-string ``error``; a known path with another method is 405; then 401 ``security_exception``;
  then unknown query parameters are refused (``contains unrecognized parameter``), version by version
  (``active_only`` of the get API key API exists from 8.10 only);
* a body needs a JSON ``Content-Type`` (406 otherwise); GET endpoints refuse a body;
* cross-cluster API keys exist from 8.10 (below: no handler), are refused with API-key authentication,
  have non-unique names, show ``encoded`` only at creation, and report ``updated: false`` on a noop;
* roles: ``remote_indices`` from 8.10, ``remote_cluster``/``description`` from 8.15, else
  ``failed to parse role [r]. unexpected field [..]``; GET of an unknown role is 404 ``{}``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.parse

from . import ccr, es_settings
from .connectivity import attempt, configured_aliases, evaluate, refresh_connections, remote_of, request_problems
from .state import is_remote_credentials
from .errors import EsError, illegal_argument, parse_exception, validation_failed, x_content_parse
from .httpcore import Response
from .util import b64, epoch_ms, iso, new_token, parse_es_bool, parse_time_value, simple_match

LUCENE = {6: '7.7.3', 7: '8.11.3', 8: '9.11.1', 9: '10.2.2'}
WIRE = {6: ('5.6.0', '5.0.0'), 7: ('6.8.0', '6.0.0-beta1'), 8: ('7.17.0', '7.0.0'), 9: ('8.19.0', '8.0.0')}
JSON_TYPES = ('application/json', 'application/x-ndjson', 'application/vnd.elasticsearch+json')

# Built-in parameter table (the rest-api-spec params of each API); with --spec-dir the spec's own list is used.
BUILTIN_PARAMS = {
    'info': set(),
    'ping': set(),
    'cluster.health': {'expand_wildcards', 'level', 'local', 'master_timeout', 'timeout', 'wait_for_active_shards', 'wait_for_nodes',
                       'wait_for_events', 'wait_for_no_relocating_shards', 'wait_for_no_initializing_shards', 'wait_for_status'},
    'cluster.get_settings': {'flat_settings', 'master_timeout', 'timeout', 'include_defaults'},
    'cluster.put_settings': {'flat_settings', 'master_timeout', 'timeout'},
    'cluster.remote_info': set(),
    'nodes.reload_secure_settings': {'timeout'},
    'security.authenticate': set(),
    'security.create_cross_cluster_api_key': set(),
    'security.update_cross_cluster_api_key': set(),
    'security.get_api_key': {'id', 'name', 'username', 'realm_name', 'owner', 'with_limited_by', 'with_profile_uid', 'active_only'},
    'security.invalidate_api_key': set(),
    'security.query_api_keys': {'with_limited_by', 'with_profile_uid', 'typed_keys'},
    'security.put_role': {'refresh'},
    'security.get_role': set(),
    'security.delete_role': {'refresh'},
    # not in the bundled specs (NOT_IN_BUNDLED_SPECS): their rest-api-spec parameter lists
    'indices.resolve_cluster': {'allow_no_indices', 'expand_wildcards', 'ignore_throttled', 'ignore_unavailable', 'timeout'},
    'search': {'allow_no_indices', 'allow_partial_search_results', 'analyzer', 'analyze_wildcard', 'batched_reduce_size',
               'ccs_minimize_roundtrips', 'default_operator', 'df', 'docvalue_fields', 'expand_wildcards', 'explain', 'from',
               'ignore_throttled', 'ignore_unavailable', 'include_named_queries_score', 'lenient', 'max_concurrent_shard_requests',
               'pre_filter_shard_size', 'preference', 'q', 'request_cache', 'rest_total_hits_as_int', 'routing', 'scroll',
               'search_type', 'seq_no_primary_term', 'size', 'sort', '_source', '_source_excludes', '_source_includes', 'stats',
               'stored_fields', 'suggest_field', 'suggest_mode', 'suggest_size', 'suggest_text', 'terminate_after', 'timeout',
               'track_scores', 'track_total_hits', 'typed_keys', 'version'},
}
BUILTIN_PARAMS.update(ccr.PARAMS)
# APIs the simulator serves that the bundled rest-api-spec copies do not hold: their parameters are the built-in ones
NOT_IN_BUNDLED_SPECS = ('indices.resolve_cluster', 'search') + tuple(ccr.PARAMS)
PARAM_SINCE = {('security.get_api_key', 'active_only'): (8, 10, 0), ('security.get_api_key', 'with_profile_uid'): (8, 14, 0),
               ('security.get_api_key', 'with_limited_by'): (8, 5, 0), ('security.query_api_keys', 'typed_keys'): (8, 14, 0),
               ('security.query_api_keys', 'with_profile_uid'): (8, 14, 0), ('security.query_api_keys', 'with_limited_by'): (8, 5, 0),
               # the resolve cluster API takes a timeout from 8.18 (Elasticsearch 8.18.0 release notes)
               ('indices.resolve_cluster', 'timeout'): (8, 18, 0)}
COMMON_PARAMS = {'pretty', 'human', 'error_trace', 'filter_path'}
NO_BODY_APIS = {'info', 'ping', 'cluster.health', 'cluster.get_settings', 'cluster.remote_info', 'security.authenticate',
                'security.get_api_key', 'security.get_role', 'security.delete_role', 'indices.resolve_cluster'} | ccr.NO_BODY
READ_ONLY_POST = {'security.query_api_keys', 'security.authenticate'}

CLUSTER_PRIVILEGES = {
    'all', 'cancel_task', 'create_snapshot', 'cross_cluster_replication', 'cross_cluster_search', 'delegate_pki', 'grant_api_key',
    'manage', 'manage_api_key', 'manage_autoscaling', 'manage_behavioral_analytics', 'manage_ccr', 'manage_data_frame_transforms',
    'manage_data_stream_global_retention', 'manage_enrich', 'manage_ilm', 'manage_index_templates', 'manage_inference',
    'manage_ingest_pipelines', 'manage_logstash_pipelines', 'manage_ml', 'manage_oidc', 'manage_own_api_key', 'manage_pipeline',
    'manage_rollup', 'manage_saml', 'manage_search_application', 'manage_search_query_rules', 'manage_search_synonyms',
    'manage_security', 'manage_service_account', 'manage_slm', 'manage_token', 'manage_transform', 'manage_user_profile',
    'manage_watcher', 'monitor', 'monitor_data_frame_transforms', 'monitor_data_stream_global_retention', 'monitor_enrich',
    'monitor_inference', 'monitor_ml', 'monitor_rollup', 'monitor_snapshot', 'monitor_stats', 'monitor_text_structure',
    'monitor_transform', 'monitor_watcher', 'none', 'post_behavioral_analytics_event', 'read_ccr', 'read_connector_secrets',
    'read_ilm', 'read_pipeline', 'read_security', 'read_slm', 'transport_client', 'write_connector_secrets',
}
INDEX_PRIVILEGES = {
    'all', 'auto_configure', 'create', 'create_doc', 'create_index', 'cross_cluster_replication', 'cross_cluster_replication_internal',
    'delete', 'delete_index', 'index', 'maintenance', 'manage', 'manage_data_stream_lifecycle', 'manage_failure_store',
    'manage_follow_index', 'manage_ilm', 'manage_leader_index', 'monitor', 'none', 'read', 'read_cross_cluster', 'read_failure_store',
    'view_index_metadata', 'write',
}
RESERVED_ROLES = ('superuser', 'viewer', 'editor', 'kibana_system', 'monitoring_user', 'remote_monitoring_agent')
ROLE_NAME_RE = re.compile(r'^[\x20-\x7e]{1,507}$')


def _levenshtein(first, second):
    previous = list(range(len(second) + 1))
    for i, char_a in enumerate(first, 1):
        current = [i]
        for j, char_b in enumerate(second, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _unrecognized(path, invalid, candidates):
    """``BaseRestHandler.unrecognized``: the exact message, with "did you mean" suggestions."""
    parts = []
    for name in invalid:
        scored = []
        for candidate in candidates:
            similarity = 1.0 - _levenshtein(name, candidate) / float(max(len(name), len(candidate)))
            if similarity > 0.5:
                scored.append((-similarity, candidate))
        scored.sort()
        text = '[%s]' % name
        if len(scored) == 1:
            text += ' -> did you mean [%s]?' % scored[0][1]
        elif scored:
            text += ' -> did you mean any of [%s]?' % ', '.join(candidate for dummy, candidate in scored)
        parts.append(text)
    word = 'parameters' if len(invalid) > 1 else 'parameter'
    return illegal_argument('request [%s] contains unrecognized %s: %s' % (path, word, ', '.join(parts)))


def _filter_path(node, patterns):
    """A subset of ``filter_path``: dotted include patterns with ``*`` (one level) and ``**`` (any depth)."""
    def walk(value, pats):
        if not pats:
            return None
        if any(not pat for pat in pats):
            return value
        if isinstance(value, list):
            items = [walk(item, pats) for item in value]
            items = [item for item in items if item is not None]
            return items or None
        if not isinstance(value, dict):
            return None
        out = {}
        for key, child in value.items():
            child_pats = []
            for pat in pats:
                head, dummy, rest = pat.partition('.')
                if head == '**':
                    child_pats.append(pat)
                    child_pats.append(rest)
                elif simple_match(head, key):
                    child_pats.append(rest)
            if child_pats:
                result = walk(child, child_pats)
                if result is not None:
                    out[key] = result
        return out or None
    result = walk(node, [pat.strip() for pat in patterns if pat.strip()])
    return result if result is not None else {}


class EsApi:
    """Routes and handlers of the per-cluster Elasticsearch API; handlers run with the world lock held."""

    def __init__(self, world, specs=None):
        self.world = world
        self.specs = specs
        self.routes = []
        world.refresh_connections = refresh_connections  # plans and keystore reloads make connection attempts
        route = self._route
        route(('GET',), '/', 'info', self.info)
        route(('HEAD',), '/', 'ping', self.ping)
        route(('GET',), '/_cluster/health', 'cluster.health', self.health)
        route(('GET',), '/_cluster/health/{index}', 'cluster.health', self.health)
        route(('GET',), '/_cluster/settings', 'cluster.get_settings', self.get_settings)
        route(('PUT',), '/_cluster/settings', 'cluster.put_settings', self.put_settings)
        route(('GET',), '/_remote/info', 'cluster.remote_info', self.remote_info, since=(6, 1, 0))
        route(('POST',), '/_nodes/reload_secure_settings', 'nodes.reload_secure_settings', self.reload_secure_settings)
        route(('POST',), '/_nodes/{node_id}/reload_secure_settings', 'nodes.reload_secure_settings', self.reload_secure_settings)
        route(('GET',), '/_security/_authenticate', 'security.authenticate', self.authenticate)
        route(('POST',), '/_security/cross_cluster/api_key', 'security.create_cross_cluster_api_key', self.create_cc_key,
              since=(8, 10, 0))
        route(('PUT',), '/_security/cross_cluster/api_key/{id}', 'security.update_cross_cluster_api_key', self.update_cc_key,
              since=(8, 10, 0))
        route(('GET',), '/_security/api_key', 'security.get_api_key', self.get_api_keys)
        route(('DELETE',), '/_security/api_key', 'security.invalidate_api_key', self.invalidate_api_keys)
        route(('GET', 'POST'), '/_security/_query/api_key', 'security.query_api_keys', self.query_api_keys, since=(7, 15, 0))
        route(('PUT', 'POST'), '/_security/role/{name}', 'security.put_role', self.put_role)
        route(('GET',), '/_security/role/{name}', 'security.get_role', self.get_role)
        route(('GET',), '/_security/role', 'security.get_role', self.get_role)
        route(('DELETE',), '/_security/role/{name}', 'security.delete_role', self.delete_role)
        # cross-cluster requests: each makes the cluster attempt a connection to the remote clusters it names
        route(('GET',), '/_resolve/cluster/{name}', 'indices.resolve_cluster', self.resolve_cluster, since=(8, 13, 0))
        route(('GET', 'POST'), '/{index}/_search', 'search', self.search)
        ccr.CcrApi(self).add_routes(route)  # indices, followers, auto-follow patterns (ccr.py)

    def _route(self, methods, template, api, handler, since=(0, 0, 0)):
        regex = '^' + re.sub(r'\{[^}]+\}', '([^/]+)', template) + '$'
        self.routes.append((methods, re.compile(regex), template, api, handler, since))

    def api_for(self, es, method, path):
        """(api name, template) of a request, or (None, None)."""
        for methods, regex, template, api, dummy, since in self.routes:
            if es.vt >= since and method in methods and regex.match(path):
                return api, template
        return None, None

    # ---- entry point ------------------------------------------------------------------------------
    def handle(self, es, req):
        try:
            response = self._handle(es, req)
        except EsError as err:
            headers = dict(err.headers)
            response = Response(err.status, err.body(), headers, spec_violation=err.spec_violation)
        if es.v(7, 14, 0):
            response.headers.setdefault('X-elastic-product', 'Elasticsearch')
        if req.query.get('pretty') in ('', 'true'):
            response.pretty = True
        return response

    def _handle(self, es, req):
        uri = req.path + ('?' + req.raw_query if req.raw_query else '')
        handler, args, api, allowed = None, (), None, []
        for methods, regex, dummy, route_api, route_handler, since in self.routes:
            if es.vt < since:
                continue
            found = regex.match(req.path)
            if not found:
                continue
            if req.method in methods:
                # Elasticsearch URL-decodes path parameters (a role named "team a/readers" arrives as team%20a%2Freaders)
                handler, args, api = route_handler, tuple(urllib.parse.unquote(g) for g in found.groups()), route_api
                break
            allowed.extend(methods)
        if handler is None:
            if allowed:
                message = 'Incorrect HTTP method for uri [%s] and method [%s], allowed: [%s]' % (uri, req.method, ', '.join(sorted(set(allowed))))
                raise EsError(405, 'method_not_allowed', message, plain=True, headers={'Allow': ','.join(sorted(set(allowed)))},
                              spec_violation=message)
            message = 'no handler found for uri [%s] and method [%s]' % (uri, req.method)
            raise EsError(400, 'no_handler', message, plain=True, spec_violation=message)
        if not es.running:
            return Response(503, {'ok': False, 'message': 'Resource [%s] is not running (shut down by ECE).' % es.cluster_id})
        auth = self._authenticate(es, req)
        self._check_params(es, api, req)
        if req.has_body:
            content_type = (req.header('Content-Type') or '').split(';')[0].strip().lower()
            if content_type not in JSON_TYPES:
                message = 'Content-Type header [%s] is not supported' % (req.header('Content-Type') or '')
                raise EsError(406, 'content_type', message, plain=True, spec_violation=message)
            if api in NO_BODY_APIS:
                raise illegal_argument('request [%s %s] does not support having a body' % (req.method, req.path))
            if req.json_error is not None:
                raise x_content_parse('Failed to parse request body: %s' % req.json_error)
        response = handler(es, req, auth, *args)
        if 'filter_path' in req.query and isinstance(response.body, dict) and response.status < 300:
            response.body = _filter_path(response.body, req.query['filter_path'].split(','))
        return response

    def _check_params(self, es, api, req):
        if self.specs is not None and api in self.specs.es.apis:
            allowed = self.specs.es.params(api)
        else:
            allowed = set(BUILTIN_PARAMS.get(api, ())) | COMMON_PARAMS
        allowed = set(name for name in allowed if es.vt >= PARAM_SINCE.get((api, name), (0, 0, 0)))
        invalid = sorted(name for name in req.query if name not in allowed)
        if invalid:
            error = _unrecognized(req.path, invalid, sorted(allowed))
            error.spec_violation = error.reason
            raise error

    def _authenticate(self, es, req):
        header = req.header('Authorization') or ''
        scheme, dummy, value = header.partition(' ')
        scheme = scheme.lower()
        www = {'WWW-Authenticate': 'Basic realm="security" charset="UTF-8", ApiKey'}
        extra = {'header': {'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey']}}
        if scheme == 'basic':
            try:
                user, dummy, password = base64.b64decode(value.strip()).decode('utf-8').partition(':')
            except (ValueError, UnicodeDecodeError):
                user, password = '', None
            if user == 'elastic' and password == es.password:
                return {'type': 'realm', 'user': 'elastic'}
            raise EsError(401, 'security_exception', 'unable to authenticate user [%s] for REST request [%s]' % (user, req.path),
                          headers=www, extra=extra)
        if scheme == 'apikey':
            try:
                key_id, dummy, secret = base64.b64decode(value.strip()).decode('utf-8').partition(':')
            except (ValueError, UnicodeDecodeError):
                key_id, secret = None, None
            key = es.api_keys.get(key_id)
            if key is not None and key['secret'] == secret and key['type'] == 'rest' and not key['invalidated'] and (
                    key['expiration'] is None or key['expiration'] > epoch_ms()):
                return {'type': 'api_key', 'user': key['username'], 'key': key}
            raise EsError(401, 'security_exception',
                          'unable to authenticate with provided credentials and anonymous access is not allowed for this request',
                          headers=www, extra=extra)
        word = 'credentials' if es.v(7, 0, 0) else 'token'
        raise EsError(401, 'security_exception', 'missing authentication %s for REST request [%s]' % (word, req.path),
                      headers=www, extra=extra)

    @staticmethod
    def _bool_param(req, name, default=False):
        if name not in req.query:
            return default
        try:
            return parse_es_bool(req.query[name])
        except ValueError as exc:
            raise illegal_argument(str(exc))

    @staticmethod
    def _body(req, required=True):
        if not req.has_body:
            if required:
                raise parse_exception('request body is required')
            return None
        if not isinstance(req.json, dict):
            raise parse_exception('request body must be a JSON object')
        return req.json

    # ---- cluster -------------------------------------------------------------------------------------
    def info(self, es, req, auth):
        major = es.vt[0]
        version = {'number': es.version, 'build_flavor': 'default', 'build_type': 'docker',
                   'build_hash': hashlib.sha1(es.version.encode()).hexdigest(), 'build_date': '2024-06-01T12:00:00.000000000Z',
                   'build_snapshot': False, 'lucene_version': LUCENE.get(major, '9.11.1'),
                   'minimum_wire_compatibility_version': WIRE.get(major, WIRE[8])[0],
                   'minimum_index_compatibility_version': WIRE.get(major, WIRE[8])[1]}
        body = {'name': 'instance-0000000000', 'cluster_name': es.cluster_id, 'cluster_uuid': es.cluster_uuid, 'version': version,
                'tagline': 'You Know, for Search'}
        return Response(200, body)

    def ping(self, es, req, auth):
        return Response(200, b'', {'Content-Type': 'application/json'})

    def health(self, es, req, auth, index=None):
        status = req.query.get('wait_for_status')
        if status is not None and status not in ('green', 'yellow', 'red'):
            raise illegal_argument('No enum constant org.elasticsearch.cluster.health.ClusterHealthStatus.%s' % status.upper())
        body = {'cluster_name': es.cluster_id, 'status': 'green', 'timed_out': False, 'number_of_nodes': 2,
                'number_of_data_nodes': 2, 'active_primary_shards': 5, 'active_shards': 10, 'relocating_shards': 0,
                'initializing_shards': 0, 'unassigned_shards': 0, 'delayed_unassigned_shards': 0, 'number_of_pending_tasks': 0,
                'number_of_in_flight_fetch': 0, 'task_max_waiting_in_queue_millis': 0, 'active_shards_percent_as_number': 100.0}
        if es.v(8, 7, 0):
            body['unassigned_primary_shards'] = 0
        return Response(200, body)

    def get_settings(self, es, req, auth):
        flat = self._bool_param(req, 'flat_settings')
        include_defaults = self._bool_param(req, 'include_defaults')
        render = (lambda settings: dict(sorted(settings.items()))) if flat else es_settings.nest
        body = {'persistent': render(es.persistent), 'transient': render(es.transient)}
        if include_defaults:
            body['defaults'] = render(es_settings.defaults(es))
        return Response(200, body)

    def put_settings(self, es, req, auth):
        flat = self._bool_param(req, 'flat_settings')
        body = self._body(req)
        applied_persistent, applied_transient = es_settings.update_settings(es, body)
        # a changed alias gets a new connection attempt, now (with the chain as it is now)
        refresh_connections(self.world, es)
        render = (lambda settings: dict(sorted(settings.items()))) if flat else es_settings.nest
        es.metadata_version += 1
        return Response(200, {'acknowledged': True, 'persistent': render(applied_persistent), 'transient': render(applied_transient)})

    def remote_info(self, es, req, auth):
        """Node-local (``TransportRemoteInfoAction``): the connections of the node that answers."""
        node = es.pick_node()
        body = {}
        for alias in configured_aliases(es):
            group = es_settings.effective_settings(es)
            prefix = 'cluster.remote.%s.' % alias
            if not any(key.startswith(prefix) for key in group):
                prefix = 'search.remote.%s.' % alias
            evaluation = evaluate(self.world, es, alias, node)
            connected = evaluation['connected']
            mode = evaluation['mode']
            skip = group.get(prefix + 'skip_unavailable')
            skip = (skip == 'true') if skip is not None else es.v(8, 15, 0)
            entry = {'connected': connected}
            if es.v(7, 6, 0):
                entry['mode'] = mode
            if mode == 'proxy':
                sockets = int(group.get(prefix + 'proxy_socket_connections') or 18)
                entry.update({'proxy_address': group.get(prefix + 'proxy_address'), 'server_name': group.get(prefix + 'server_name') or '',
                              'num_proxy_sockets_connected': sockets if connected else 0, 'max_proxy_socket_connections': sockets})
            else:
                seeds = group.get(prefix + 'seeds')
                entry.update({'seeds': seeds if isinstance(seeds, list) else es_settings.seed_list(seeds),
                              'num_nodes_connected': 1 if connected else 0,
                              'max_connections_per_cluster': int(group.get(prefix + 'node_connections') or 3)})
                if not es.v(7, 0, 0):
                    entry['http_addresses'] = []
            entry['initial_connect_timeout'] = '30s'
            entry['skip_unavailable'] = skip
            # how the node's connection was built, not whether its credentials authenticate (RemoteConnectionInfo)
            if (node.connections.get(alias) or {}).get('profile') == 'remote_cluster':
                entry['cluster_credentials'] = '::es_redacted::'
            body[alias] = entry
        return Response(200, body)

    # ---- cross-cluster requests --------------------------------------------------------------------------
    def _skip_unavailable(self, es, alias):
        group = es_settings.effective_settings(es)
        for prefix in ('cluster.remote.%s.' % alias, 'search.remote.%s.' % alias):
            if prefix + 'skip_unavailable' in group:
                return group[prefix + 'skip_unavailable'] == 'true'
        return es.v(8, 15, 0)

    def _remote_expressions(self, es, expressions):
        """``{alias: [index patterns]}`` of the remote parts of index expressions, and the local parts. A remote cluster
        that is named (no wildcard) and not configured is an error, as in Elasticsearch."""
        remotes, local = {}, []
        configured = configured_aliases(es)
        for expression in expressions:
            cluster, sep, index = expression.partition(':')
            if not sep:
                local.append(expression)
                continue
            matched = [alias for alias in configured if simple_match(cluster, alias)]
            if not matched and '*' not in cluster:
                raise EsError(404, 'no_such_remote_cluster_exception', 'no such remote cluster: [%s]' % cluster)
            for alias in matched:
                remotes.setdefault(alias, []).append(index)
        return remotes, local

    def _cross_cluster(self, es, alias, node):
        """A cross-cluster request through ``node``: it attempts a connection to ``alias`` when it has none, then
        authenticates with the credentials the node holds now. ``(connected, error)``."""
        evaluation = evaluate(self.world, es, alias, node)
        if not evaluation['connected']:
            attempt(self.world, es, alias, node)
            evaluation = evaluate(self.world, es, alias, node)
        if not evaluation['connected']:
            return False, 'Unable to connect to [%s]' % alias
        refused = request_problems(self.world, es, alias, node)
        if refused:
            return False, refused[0].split(': ', 1)[0]
        return True, None

    def resolve_cluster(self, es, req, auth, name):
        node = es.pick_node()
        remotes, local = self._remote_expressions(es, [part for part in name.split(',') if part])
        self._remote_client_enabled(es, remotes)
        body = {}
        if local:
            body['(local)'] = {'connected': True, 'skip_unavailable': False, 'matching_indices': False}
        for alias in sorted(remotes):
            connected, error = self._cross_cluster(es, alias, node)
            entry = {'connected': connected, 'skip_unavailable': self._skip_unavailable(es, alias)}
            if connected:
                remote = remote_of(self.world, es, alias)
                entry['matching_indices'] = False
                entry['version'] = {'number': remote.version, 'build_flavor': 'default',
                                    'minimum_wire_compatibility_version': WIRE.get(remote.vt[0], WIRE[8])[0],
                                    'minimum_index_compatibility_version': WIRE.get(remote.vt[0], WIRE[8])[1]}
            else:
                entry['error'] = error
            body[alias] = entry
        return Response(200, body)

    @staticmethod
    def _remote_client_enabled(es, remotes):
        """A request that reaches a remote cluster through a node without the ``remote_cluster_client`` role is refused
        (``RemoteClusterService.ensureClientIsEnabled``), as CCR is (see ccr.py)."""
        missing = ccr.remote_client_missing(es) if remotes else None
        if missing is not None:
            raise missing

    def search(self, es, req, auth, index):
        node = es.pick_node()
        remotes, local = self._remote_expressions(es, [part for part in index.split(',') if part])
        self._remote_client_enabled(es, remotes)
        ignore_unavailable = self._bool_param(req, 'ignore_unavailable')
        for pattern in local:
            if '*' not in pattern and not ignore_unavailable:  # the simulated clusters hold no index
                raise EsError(404, 'index_not_found_exception', 'no such index [%s]' % pattern,
                              extra={'index': pattern, 'resource.type': 'index_or_alias', 'resource.id': pattern})
        clusters = {'total': len(remotes) + (1 if local else 0), 'successful': 1 if local else 0, 'skipped': 0}
        for alias in sorted(remotes):
            connected, error = self._cross_cluster(es, alias, node)
            if connected:
                clusters['successful'] += 1
            elif self._skip_unavailable(es, alias):
                clusters['skipped'] += 1
            elif error.startswith('unable to authenticate'):
                raise EsError(401, 'security_exception', error)
            else:
                raise EsError(500, 'connect_transport_exception', '[%s] unable to connect to remote cluster' % alias)
        body = {'took': 1, 'timed_out': False, '_shards': {'total': 0, 'successful': 0, 'skipped': 0, 'failed': 0},
                'hits': {'total': {'value': 0, 'relation': 'eq'}, 'max_score': None, 'hits': []}}
        if remotes:
            body['_clusters'] = clusters
        return Response(200, body)

    def reload_secure_settings(self, es, req, auth, node_id=None):
        """Each selected node reloads the keystore file it has now. Remote cluster credentials are reloadable from 8.13;
        on 8.13.0 to 8.15.1 a caller without manage_security gets a reload_exception for them (elastic/elasticsearch#111543,
        fixed in 8.15.2) while the rest reloads. From 9.3 each node names what it loaded and the digest of its file."""
        body = self._body(req, required=False)
        if body is not None:
            unknown = set(body) - {'secure_settings_password'}
            if unknown:
                raise x_content_parse('[reload_secure_settings] unknown field [%s]' % sorted(unknown)[0])
        wanted = (node_id or '_all').split(',')
        selected = [node for node in es.nodes if '_all' in wanted or '_local' in wanted or node.id in wanted]
        refused = (es.v(8, 13, 0) and not es.v(8, 15, 2) and es.reload_privileges is not None
                   and not set(es.reload_privileges) & {'manage_security', 'all'})
        nodes = {}
        for node in selected:
            remote = [name for name in node.file if is_remote_credentials(name)]
            result = {'name': node.name}
            if refused and remote:
                result['reload_exception'] = {
                    'type': 'security_exception',
                    'reason': 'action [cluster:admin/xpack/security/remote_cluster_credentials/reload] is unauthorized for user '
                              '[elastic] with effective roles [%s], this action is granted by the cluster privileges '
                              '[manage_security,all]' % ','.join(es.reload_privileges)}
            if es.v(9, 3, 0):
                digest = hashlib.sha256(json.dumps(sorted(node.file.items())).encode()).hexdigest()
                result.update({'secure_setting_names': sorted(node.file), 'keystore_path': '/app/config/elasticsearch.keystore',
                               'keystore_digest': digest, 'keystore_last_modified_time': iso(node.file_modified)})
            nodes[node.id] = result
        # remote credentials are reloadable from 8.13 on; below, the running nodes keep what they loaded at start
        self.world.reload_nodes(es, selected, remote_credentials=es.v(8, 13, 0) and not refused)
        summary = {'total': len(nodes), 'successful': len(nodes), 'failed': 0}
        return Response(200, {'_nodes': summary, 'cluster_name': es.cluster_id, 'nodes': nodes})

    def authenticate(self, es, req, auth):
        if auth['type'] == 'api_key':
            key = auth['key']
            body = {'username': 'elastic', 'roles': [], 'full_name': None, 'email': None, 'metadata': {'_reserved': True},
                    'enabled': True, 'authentication_realm': {'name': '_es_api_key', 'type': '_es_api_key'},
                    'lookup_realm': {'name': '_es_api_key', 'type': '_es_api_key'}, 'authentication_type': 'api_key'}
            if es.v(7, 16, 0):
                body['api_key'] = {'id': key['id'], 'name': key['name']}
        else:
            body = {'username': 'elastic', 'roles': ['superuser'], 'full_name': None, 'email': None, 'metadata': {'_reserved': True},
                    'enabled': True, 'authentication_realm': {'name': 'reserved', 'type': 'reserved'},
                    'lookup_realm': {'name': 'reserved', 'type': 'reserved'}, 'authentication_type': 'realm'}
        return Response(200, body)

    # ---- cross-cluster API keys --------------------------------------------------------------------------
    @staticmethod
    def _parse_access(es, access, parser='cross_cluster_api_key_request'):
        if access is None:
            raise x_content_parse('[%s] access doesn\'t support values of type: VALUE_NULL' % parser)
        if not isinstance(access, dict):
            raise x_content_parse('[%s] failed to parse field [access]' % parser)
        for key in access:
            if key not in ('search', 'replication'):
                raise x_content_parse('[cross_cluster_api_key_request_access] unknown field [%s]' % key)
        result = {}
        dls = False
        for kind in ('search', 'replication'):
            entries = access.get(kind)
            if entries is None:
                continue
            if not isinstance(entries, list):
                raise x_content_parse('[cross_cluster_api_key_request_access] failed to parse field [%s]' % kind)
            normalized = []
            for entry in entries:
                if not isinstance(entry, dict):
                    raise parse_exception('failed to parse indices privileges for role [cross_cluster]. expected an object')
                allowed = ('names', 'query', 'field_security', 'allow_restricted_indices')
                for field in entry:
                    if field not in allowed:
                        raise parse_exception('failed to parse indices privileges for role [cross_cluster]. unexpected field [%s]'
                                              % field)
                names = entry.get('names')
                if isinstance(names, str):
                    names = [names]
                if not names or not isinstance(names, list) or not all(isinstance(name, str) for name in names):
                    raise parse_exception('failed to parse indices privileges for role [cross_cluster]. missing required [names] field')
                item = {'names': list(names)}
                if kind == 'replication' and ('query' in entry or 'field_security' in entry):
                    raise illegal_argument('replication does not support document or field level security')
                if entry.get('query') not in (None, ''):
                    item['query'] = entry['query'] if isinstance(entry['query'], str) else json.dumps(entry['query'], separators=(',', ':'))
                    dls = True
                if entry.get('field_security') is not None:
                    item['field_security'] = entry['field_security']
                    dls = True
                item['allow_restricted_indices'] = bool(entry.get('allow_restricted_indices', False))
                normalized.append(item)
            if normalized:
                result[kind] = normalized
        if not result:
            raise illegal_argument('must specify non-empty access for either [search] or [replication]')
        if dls and 'replication' in result and es.v(8, 14, 0):
            raise illegal_argument('search does not support document or field level security if replication is assigned')
        return result

    @staticmethod
    def _role_descriptor(es, access):
        cluster = []
        indices = []
        if access.get('search'):
            cluster.append('cross_cluster_search')
            if es.v(8, 15, 0):
                cluster.append('monitor_enrich')
        if access.get('replication'):
            cluster.append('cross_cluster_replication')
        for entry in access.get('search', []):
            item = {'names': list(entry['names']), 'privileges': ['read', 'read_cross_cluster', 'view_index_metadata']}
            if 'field_security' in entry:
                item['field_security'] = entry['field_security']
            if 'query' in entry:
                item['query'] = entry['query']
            item['allow_restricted_indices'] = entry['allow_restricted_indices']
            indices.append(item)
        for entry in access.get('replication', []):
            indices.append({'names': list(entry['names']), 'privileges': ['cross_cluster_replication', 'cross_cluster_replication_internal'],
                            'allow_restricted_indices': entry['allow_restricted_indices']})
        return {'cluster': cluster, 'indices': indices, 'applications': [], 'run_as': [], 'metadata': {},
                'transient_metadata': {'enabled': True}}

    @staticmethod
    def _check_metadata(metadata):
        if metadata is None:
            return {}
        if not isinstance(metadata, dict):
            raise x_content_parse('[cross_cluster_api_key_request] failed to parse field [metadata]')
        if any(str(key).startswith('_') for key in metadata):
            raise validation_failed('API key metadata keys may not start with [_]')
        return metadata

    @staticmethod
    def _expiration(value, field='expiration'):
        try:
            seconds = parse_time_value(value)
        except ValueError:
            raise illegal_argument('failed to parse setting [%s] with value [%s] as a time value: unit is missing or unrecognized'
                                   % (field, value))
        return epoch_ms() + int(seconds * 1000)

    def create_cc_key(self, es, req, auth):
        body = self._body(req)
        allowed = {'name', 'access', 'expiration', 'metadata'} | ({'certificate_identity'} if es.v(9, 3, 0) else set())
        for key in body:
            if key not in allowed:
                raise x_content_parse('[cross_cluster_api_key_request] unknown field [%s]' % key)
        if 'name' not in body:
            raise illegal_argument('Required [name]')
        if 'access' not in body:
            raise illegal_argument('Required [access]')
        access = self._parse_access(es, body['access'])
        metadata = self._check_metadata(body.get('metadata'))
        name = body['name']
        if not isinstance(name, str) or not name:
            raise validation_failed('api key name is required')
        if len(name) > 1024:
            raise validation_failed('api key name may not be more than [1024] characters long')
        if name != name.strip():
            raise validation_failed('api key name may not begin or end with whitespace')
        if name.startswith('_'):
            raise validation_failed('api key name may not begin with an underscore')
        expiration = self._expiration(body['expiration']) if body.get('expiration') is not None else None
        if auth['type'] == 'api_key':
            raise illegal_argument('authentication via API key not supported: An API key cannot be used to create a cross-cluster API key')
        key_id = new_token(20)
        secret = new_token(22)
        es.api_keys[key_id] = {
            'id': key_id, 'name': name, 'type': 'cross_cluster', 'secret': secret, 'creation': epoch_ms(), 'expiration': expiration,
            'invalidated': False, 'invalidation': None, 'username': auth['user'], 'realm': 'reserved', 'realm_type': 'reserved',
            'metadata': metadata, 'access': access, 'role_descriptors': {'cross_cluster': self._role_descriptor(es, access)},
            'doc_version': es.version,
        }
        response = {'id': key_id, 'name': name, 'api_key': secret, 'encoded': b64('%s:%s' % (key_id, secret))}
        if expiration is not None:
            response['expiration'] = expiration
        return Response(200, response)

    def update_cc_key(self, es, req, auth, key_id):
        if not req.has_body:
            raise validation_failed('request body is required')
        body = self._body(req)
        allowed = {'access', 'metadata'} | ({'expiration'} if es.v(8, 13, 0) else set()) | (
            {'certificate_identity'} if es.v(9, 3, 0) else set())
        for key in body:
            if key not in allowed:
                raise x_content_parse('[update_cross_cluster_api_key_request] unknown field [%s]' % key)
        if not any(key in body for key in ('access', 'metadata')) and not (es.v(9, 3, 0) and body):
            raise validation_failed('must update either [access] or [metadata] for cross-cluster API keys')
        access = self._parse_access(es, body['access'], 'update_cross_cluster_api_key_request') if 'access' in body else None
        metadata = self._check_metadata(body.get('metadata')) if 'metadata' in body else None
        if auth['type'] == 'api_key':
            raise illegal_argument('authentication via API key not supported: An API key cannot be used to update an API key')
        key = es.api_keys.get(key_id)
        if key is None or key['username'] != auth['user']:
            raise EsError(404, 'resource_not_found_exception', 'no API key owned by requesting user found for ID [%s]' % key_id)
        if key['type'] != 'cross_cluster':
            raise illegal_argument('cannot update API key of type [%s] while expected type is [cross_cluster]' % key['type'])
        if key['invalidated']:
            raise illegal_argument('cannot update invalidated API key [%s]' % key_id)
        if key['expiration'] is not None and key['expiration'] <= epoch_ms():
            raise illegal_argument('cannot update expired API key [%s]' % key_id)
        updated = key['doc_version'] != es.version
        if 'expiration' in body:
            updated = True  # "since expiration is relative to the current time, assume update"
            key['expiration'] = self._expiration(body['expiration'])
        if metadata is not None and metadata != key['metadata']:
            updated = True
            key['metadata'] = metadata
        if access is not None:
            descriptor = self._role_descriptor(es, access)
            if _canonical(descriptor) != _canonical(key['role_descriptors']['cross_cluster']):
                updated = True
            key['access'] = access
            key['role_descriptors'] = {'cross_cluster': descriptor}
        if updated:
            key['doc_version'] = es.version
        return Response(200, {'updated': updated})

    def _render_key(self, es, key, with_limited_by=False):
        body = {'id': key['id'], 'name': key['name']}
        if es.v(8, 10, 0):
            body['type'] = key['type']
        body['creation'] = key['creation']
        if key['expiration'] is not None:
            body['expiration'] = key['expiration']
        body['invalidated'] = key['invalidated']
        if key['invalidated'] and es.v(8, 12, 0):
            body['invalidation'] = key['invalidation']
        body['username'] = key['username']
        body['realm'] = key['realm']
        if es.v(8, 14, 0):
            body['realm_type'] = key['realm_type']
        if es.v(7, 13, 0):
            body['metadata'] = dict(key['metadata'])
        if es.v(8, 5, 0):
            body['role_descriptors'] = json.loads(json.dumps(key['role_descriptors']))
        if key['type'] == 'cross_cluster' and es.v(8, 10, 0):
            body['access'] = json.loads(json.dumps(key['access']))
        if with_limited_by and key['type'] == 'rest':
            body['limited_by'] = [{'superuser': _reserved_role('superuser')}]
        return body

    @staticmethod
    def _active(key):
        return not key['invalidated'] and (key['expiration'] is None or key['expiration'] > epoch_ms())

    def get_api_keys(self, es, req, auth):
        query = req.query
        key_id = query.get('id') or None
        name = query.get('name') or None
        username = query.get('username') or None
        realm = query.get('realm_name') or None
        owner = self._bool_param(req, 'owner')
        active_only = self._bool_param(req, 'active_only')
        with_limited_by = self._bool_param(req, 'with_limited_by')
        self._bool_param(req, 'with_profile_uid')
        if key_id and name:
            raise validation_failed('only one of [api key id, api key name] can be specified')
        if (key_id or name) and (username or realm):
            raise validation_failed('username or realm name must not be specified when the api key id or api key name is specified')
        if owner and (username or realm):
            raise validation_failed('neither username nor realm-name may be specified when retrieving owned API keys')
        result = []
        for key in es.api_keys.values():
            if key_id and key['id'] != key_id:
                continue
            if name and name != '*' and not (simple_match(name, key['name']) if name.endswith('*') else key['name'] == name):
                continue
            if username and key['username'] != username:
                continue
            if realm and key['realm'] != realm:
                continue
            if owner and key['username'] != auth['user']:
                continue
            if active_only and not self._active(key):
                continue
            result.append(self._render_key(es, key, with_limited_by))
        if not result and not es.v(7, 10, 0) and (key_id or name):
            raise EsError(404, 'resource_not_found_exception', 'unable to find apikey with id [%s] or name [%s]' % (key_id, name))
        return Response(200, {'api_keys': result})

    def invalidate_api_keys(self, es, req, auth):
        body = self._body(req)
        allowed = {'ids', 'id', 'name', 'username', 'realm_name', 'owner'}
        for key in body:
            if key not in allowed:
                raise x_content_parse('[invalidate_api_key_request] unknown field [%s]' % key)
        ids = body.get('ids') or ([body['id']] if body.get('id') else None)
        name = body.get('name')
        username = body.get('username')
        realm = body.get('realm_name')
        owner = bool(body.get('owner'))
        if not (ids or name or username or realm or owner):
            raise validation_failed('One of [api key id(s), api key name, username, realm name] must be specified if [owner] flag is false')
        if ids is not None and not (isinstance(ids, list) and all(isinstance(item, str) for item in ids)):
            raise x_content_parse('[invalidate_api_key_request] failed to parse field [ids]')
        invalidated, previously = [], []
        now = epoch_ms()
        for key in es.api_keys.values():
            if ids and key['id'] not in ids:
                continue
            if name and not (simple_match(name, key['name']) if '*' in name else key['name'] == name):
                continue
            if username and key['username'] != username:
                continue
            if realm and key['realm'] != realm:
                continue
            if owner and key['username'] != auth['user']:
                continue
            if key['invalidated']:
                previously.append(key['id'])
            else:
                key['invalidated'] = True
                key['invalidation'] = now
                invalidated.append(key['id'])
        self._note_keys_in_use(es, invalidated)
        return Response(200, {'invalidated_api_keys': invalidated, 'previously_invalidated_api_keys': previously, 'error_count': 0})

    def _note_keys_in_use(self, es, invalidated):
        """An event for every node of another cluster that still holds one of the keys just invalidated as the credentials
        of an alias to ``es``: from now on its cross-cluster requests fail (what a rotation must never do)."""
        for local in self.world.all_clusters():
            for node in local.nodes:
                for name, value in node.loaded.items():
                    if not is_remote_credentials(name):
                        continue
                    key_id = _credential_key_id(value)
                    if key_id in invalidated and es.api_keys.get(key_id, {}).get('type') == 'cross_cluster':
                        self.world.events.append({'event': 'key_invalidated_in_use', 'key_id': key_id, 'node': node.name,
                                                  'cluster': '%s/%s' % (local.env.name, local.deployment.name),
                                                  'setting': name, 'time': iso()})

    def query_api_keys(self, es, req, auth):
        body = self._body(req, required=False) or {}
        for key in body:
            if key not in ('query', 'from', 'size', 'sort', 'search_after', 'aggs', 'aggregations'):
                raise x_content_parse('[query_api_keys_request] unknown field [%s]' % key)
        with_limited_by = self._bool_param(req, 'with_limited_by')
        keys = [key for key in es.api_keys.values() if _api_key_query(es, key, body.get('query'))]
        sort = body.get('sort')
        sort_fields = []
        if sort:
            for item in sort if isinstance(sort, list) else [sort]:
                if isinstance(item, str):
                    sort_fields.append((item, 'asc'))
                elif isinstance(item, dict):
                    field, order = next(iter(item.items()))
                    order = order.get('order', 'asc') if isinstance(order, dict) else order
                    sort_fields.append((field, order))
            for field, order in reversed(sort_fields):
                keys.sort(key=lambda k, f=field: (_key_field(k, f) is None, _key_field(k, f) if _key_field(k, f) is not None else ''),
                          reverse=(order == 'desc'))
        start = int(body.get('from') or 0)
        size = int(body.get('size') if body.get('size') is not None else 10)
        page = keys[start:start + size]
        rendered = []
        for key in page:
            item = self._render_key(es, key, with_limited_by)
            if sort_fields:
                item['_sort'] = [_key_field(key, field) for field, dummy in sort_fields]
            rendered.append(item)
        return Response(200, {'total': len(keys), 'count': len(rendered), 'api_keys': rendered})

    # ---- roles -----------------------------------------------------------------------------------------
    def _parse_privileges(self, name, entries, field, remote):
        if not isinstance(entries, list):
            raise parse_exception('failed to parse role [%s]. expected field [%s] value to be an array' % (name, field))
        kind = 'remote indices' if remote else 'indices'
        result = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise parse_exception('failed to parse %s privileges for role [%s]. expected an object' % (kind, name))
            allowed = ['names', 'privileges', 'field_security', 'query', 'allow_restricted_indices'] + (['clusters'] if remote else [])
            for key in entry:
                if key not in allowed:
                    raise parse_exception('failed to parse %s privileges for role [%s]. unexpected field [%s]' % (kind, name, key))
            if remote and not entry.get('clusters'):
                raise parse_exception('failed to parse remote indices privileges for role [%s]. missing required [clusters] field' % name)
            names = entry.get('names')
            if names is None:
                raise parse_exception('failed to parse %s privileges for role [%s]. missing required [names] field' % (kind, name))
            if isinstance(names, str):
                names = [names]
            if not names:
                raise parse_exception('failed to parse %s privileges for role [%s]. [names] cannot be an empty array' % (kind, name))
            if entry.get('privileges') is None:
                raise parse_exception('failed to parse %s privileges for role [%s]. missing required [privileges] field' % (kind, name))
            privileges = entry['privileges'] if isinstance(entry['privileges'], list) else [entry['privileges']]
            item = {}
            if remote:
                clusters = entry['clusters'] if isinstance(entry['clusters'], list) else [entry['clusters']]
                if any(not cluster for cluster in clusters):
                    raise validation_failed('remote index cluster alias cannot be an empty string')
                item['clusters'] = list(clusters)
            item['names'] = list(names)
            item['privileges'] = list(privileges)
            if entry.get('field_security') is not None:
                item['field_security'] = entry['field_security']
            if entry.get('query') not in (None, ''):
                item['query'] = entry['query'] if isinstance(entry['query'], str) else json.dumps(entry['query'], separators=(',', ':'))
            item['allow_restricted_indices'] = bool(entry.get('allow_restricted_indices', False))
            result.append(item)
        return result

    def put_role(self, es, req, auth, name):
        body = self._body(req)
        allowed = ['cluster', 'indices', 'applications', 'run_as', 'metadata', 'transient_metadata', 'global']
        if es.v(8, 10, 0):
            allowed.append('remote_indices')
        if es.v(8, 15, 0):
            allowed += ['remote_cluster', 'description']
        for key in body:
            if key not in allowed:
                raise parse_exception('failed to parse role [%s]. unexpected field [%s]' % (name, key))
        errors = []
        if not ROLE_NAME_RE.match(name) or name != name.strip():
            errors.append('Role names must be at least 1 and no more than 507 characters. They can contain alphanumeric characters '
                          '(a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) block. Leading or '
                          'trailing whitespace is not allowed.')
        if name in RESERVED_ROLES:
            errors.append('Role [%s] is reserved and may not be used.' % name)
        cluster = body.get('cluster') or []
        if not isinstance(cluster, list) or not all(isinstance(item, str) for item in cluster):
            raise parse_exception('failed to parse role [%s]. expected field [cluster] value to be an array of strings' % name)
        for privilege in cluster:
            if privilege not in CLUSTER_PRIVILEGES and not privilege.startswith(('cluster:', 'internal:')):
                errors.append('unknown cluster privilege [%s]. a privilege must be either one of the predefined cluster privilege names '
                              '[%s] or a pattern over one of the available cluster actions' % (privilege, ','.join(sorted(CLUSTER_PRIVILEGES))))
        indices = self._parse_privileges(name, body.get('indices') or [], 'indices', False)
        remote_indices = self._parse_privileges(name, body.get('remote_indices') or [], 'remote_indices', True)
        for entry in indices + remote_indices:
            for privilege in entry['privileges']:
                if privilege not in INDEX_PRIVILEGES and not privilege.startswith('indices:'):
                    errors.append('unknown index privilege [%s]. a privilege must be either one of the predefined fixed indices privileges '
                                  '[%s] or a pattern over one of the available index actions' % (privilege, ','.join(sorted(INDEX_PRIVILEGES))))
        remote_cluster = []
        for entry in body.get('remote_cluster') or []:
            if not isinstance(entry, dict) or set(entry) - {'clusters', 'privileges'}:
                raise parse_exception('failed to parse remote_cluster for role [%s]. expected clusters and privileges' % name)
            clusters = entry.get('clusters') or []
            if not clusters or any(not cluster for cluster in clusters):
                errors.append('remote_cluster clusters aliases must contain valid non-empty, non-null values')
            allowed_remote = ['monitor_enrich'] + (['monitor_stats'] if es.v(8, 17, 0) else [])
            bad = [privilege for privilege in entry.get('privileges') or [] if privilege not in allowed_remote]
            if bad:
                errors.append('Invalid remote_cluster permissions found. Please remove the following: [%s] Only [%s] are allowed'
                              % (', '.join(bad), ', '.join(allowed_remote)))
            remote_cluster.append({'privileges': list(entry.get('privileges') or []), 'clusters': list(clusters)})
        if errors:
            raise validation_failed(*errors)
        role = {'cluster': list(cluster), 'indices': indices, 'applications': list(body.get('applications') or []),
                'run_as': list(body.get('run_as') or []), 'metadata': dict(body.get('metadata') or {}),
                'transient_metadata': {'enabled': True}}
        if body.get('global'):
            role['global'] = body['global']
        if remote_indices:
            role['remote_indices'] = remote_indices
        if remote_cluster:
            role['remote_cluster'] = remote_cluster
        if body.get('description'):
            role['description'] = body['description']
        created = name not in es.roles
        es.roles[name] = role
        return Response(200, {'role': {'created': created}})

    def get_role(self, es, req, auth, names=None):
        if names is None:
            body = {role: _reserved_role(role) for role in RESERVED_ROLES}
            body.update(json.loads(json.dumps(es.roles)))
            return Response(200, body)
        body = {}
        for name in names.split(','):
            if name in RESERVED_ROLES:
                body[name] = _reserved_role(name)
            elif name in es.roles:
                body[name] = json.loads(json.dumps(es.roles[name]))
        if not body:
            return Response(404, {})
        return Response(200, body)

    def delete_role(self, es, req, auth, name):
        if name in RESERVED_ROLES:
            raise illegal_argument('role [%s] is reserved and cannot be deleted' % name)
        if name in es.roles:
            del es.roles[name]
            return Response(200, {'found': True})
        return Response(404, {'found': False})


def _credential_key_id(encoded):
    """The key ID of an encoded API key (``base64(id:secret)``), or None."""
    try:
        return base64.b64decode(encoded).decode('utf-8').partition(':')[0]
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


def _reserved_role(name):
    if name == 'superuser':
        return {'cluster': ['all'], 'indices': [{'names': ['*'], 'privileges': ['all'], 'allow_restricted_indices': True}],
                'applications': [{'application': '*', 'privileges': ['*'], 'resources': ['*']}], 'run_as': ['*'],
                'metadata': {'_reserved': True}, 'transient_metadata': {}}
    return {'cluster': ['monitor'], 'indices': [], 'applications': [], 'run_as': [], 'metadata': {'_reserved': True},
            'transient_metadata': {'enabled': True}}


def _canonical(descriptor):
    """Role descriptors compared as sets (cluster privileges and index entries in any order)."""
    indices = sorted(json.dumps(entry, sort_keys=True) for entry in descriptor.get('indices', []))
    return sorted(descriptor.get('cluster', [])), indices


QUERYABLE = ('id', 'type', 'name', 'creation', 'expiration', 'invalidated', 'invalidation', 'username', 'realm_name')


def _key_field(key, field):
    if field in ('id', '_id'):
        return key['id']
    if field == 'realm_name':
        return key['realm']
    if field.startswith('metadata.'):
        return key['metadata'].get(field[len('metadata.'):])
    return key.get(field)


def _check_field(es, field):
    if field.startswith('metadata.') or field in ('id', '_id'):
        return
    if field not in QUERYABLE or (field == 'type' and not es.v(8, 13, 0)):
        raise illegal_argument('Field [%s] is not allowed for API Key query' % field)


def _api_key_query(es, key, query):
    if not query:
        return True
    if not isinstance(query, dict) or len(query) != 1:
        raise parse_exception('[query] must contain exactly one query')
    kind, spec = next(iter(query.items()))
    if kind == 'match_all':
        return True
    if kind == 'bool':
        spec = spec or {}
        must = (spec.get('must') or []) + (spec.get('filter') or [])
        must = must if isinstance(must, list) else [must]
        if not all(_api_key_query(es, key, clause) for clause in must):
            return False
        must_not = spec.get('must_not') or []
        if any(_api_key_query(es, key, clause) for clause in (must_not if isinstance(must_not, list) else [must_not])):
            return False
        should = spec.get('should') or []
        if should:
            should = should if isinstance(should, list) else [should]
            return any(_api_key_query(es, key, clause) for clause in should)
        return True
    if kind == 'ids':
        return key['id'] in (spec or {}).get('values', [])
    if kind == 'exists':
        field = (spec or {}).get('field')
        _check_field(es, field)
        return _key_field(key, field) is not None
    if kind in ('term', 'terms', 'prefix', 'wildcard', 'match', 'range'):
        field, value = next(iter(spec.items()))
        _check_field(es, field)
        actual = _key_field(key, field)
        if isinstance(value, dict) and kind in ('term', 'prefix', 'wildcard'):
            value = value.get('value')
        if isinstance(value, dict) and kind == 'match':
            value = value.get('query')
        if isinstance(actual, bool):
            actual = 'true' if actual else 'false'
            value = ('true' if value else 'false') if isinstance(value, bool) else value
        if kind == 'term' or kind == 'match':
            return actual is not None and str(actual) == str(value)
        if kind == 'terms':
            return actual is not None and str(actual) in [str(item) for item in value]
        if kind == 'prefix':
            return actual is not None and str(actual).startswith(str(value))
        if kind == 'wildcard':
            return actual is not None and simple_match(str(value), str(actual))
        bounds = value or {}
        if actual is None:
            return False
        checks = (('gt', lambda a, b: a > b), ('gte', lambda a, b: a >= b), ('lt', lambda a, b: a < b), ('lte', lambda a, b: a <= b))
        for op, check in checks:
            if op in bounds:
                bound = bounds[op]
                if isinstance(bound, str) and bound.startswith('now'):
                    bound = epoch_ms() + int(parse_time_value(bound[3:].lstrip('+')) * 1000) if len(bound) > 3 else epoch_ms()
                if not check(actual, bound):
                    return False
        return True
    raise illegal_argument('Query type [%s] is not supported for API Key query' % kind)
