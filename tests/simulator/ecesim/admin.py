"""The admin API (plain HTTP, paths under ``/_sim/``), clearly separate from the simulated APIs.

=========================  ==============================================================================
``GET /_sim/info``          the output document (URLs, credentials, ids, CA bundle)
``GET /_sim/requests``      request log; query ``since`` (seq), ``server`` (regex), ``write`` (true/false)
``DELETE /_sim/requests``   clear the log
``POST /_sim/reset``        back to the scenario's initial state (same ids, ports, credentials)
``GET /_sim/faults``        active faults; ``POST`` adds one (see ``faults.py``); ``DELETE`` clears all,
                            ``DELETE /_sim/faults/{id}`` one
``GET|PUT /_sim/settings``  ``latency_ms``, ``plan_seconds``, ``plans_enabled``, ``plan_start_delay``,
                            ``keystore_file_seconds``, ``keystore_reload_seconds`` (null: never), ``keystore_reload_8_13``
``GET /_sim/state``         dump of the whole state (keystore values included: this is a test tool)
``POST /_sim/state``        one operation ``{"op": ...}`` or ``{"ops": [...]}`` (see :func:`apply_op`)
``GET /_sim/diagnose``      ``env``, ``deployment``, ``alias`` -> {connected, model, problems, ...}
=========================  ==============================================================================
"""

from __future__ import annotations

import re
import time

from . import ccr
from .connectivity import configured_aliases, evaluate, refresh_connections
from .es_settings import flatten
from .httpcore import Response
from .util import b64, deep_copy_json, epoch_ms, iso, new_hex32, new_token, parse_version

SETTINGS = ('latency_ms', 'plan_seconds', 'plans_enabled', 'plan_start_delay', 'keystore_file_seconds', 'keystore_reload_seconds',
            'keystore_reload_8_13', 'remote_clusters_apply_seconds')
OPS_DOC = {
    'set_trust': 'env, deployment, trust; applied (default true: the running cluster uses it at once), bump_version (default false)',
    'add_trust_entry': 'env, deployment, kind (accounts|external|direct), entry; bump_version (default true) - a concurrent change',
    'bump_version': 'env, deployment: increments x-cloud-resource-version',
    'set_version': 'env, deployment, version (int)',
    'set_es_settings': 'env, deployment, persistent and/or transient (flat or nested; null deletes; no validation)',
    'set_keystore': 'env, deployment, name, value (null deletes), as_file, loaded (true/false; default: the version rule)',
    'load_keystore': 'env, deployment: running nodes load the keystore (as after a restart)',
    'set_reload_privileges': 'env, deployment, privileges (list, or null for all): the cluster privileges of the user who calls '
                             'reload_secure_settings (8.13.0-8.15.1 refuse remote credentials without manage_security)',
    'start_plan': 'env, deployment, kind (update|restart), seconds (optional), delay (before it shows; default 0)',
    'complete_plans': 'complete every pending plan now',
    'add_trust_relationship': 'env, relationship {name, installation_id, public_ca_cert, account_ids, trust_by_default} -> id',
    'delete_trust_relationship': 'env, id',
    'update_trust_relationship': 'env, id, fields {name, trust_by_default, account_ids, ...}: a concurrent change (version + 1)',
    'set_es_version': 'env, deployment, version: the running Elasticsearch version (plan version follows)',
    'set_status': 'env, deployment, resource (elasticsearch|kibana), status (started|stopped)',
    'create_cross_cluster_api_key': 'env, deployment, name, access, metadata, id (default random) -> {id, encoded}',
    'invalidate_api_key': 'env, deployment, id',
    'expire_api_key': 'env, deployment, id',
    'set_api_key_expiration': 'env, deployment, id, days: the key expires that many days from now',
    'rename_deployment': 'env, deployment, name',
    'set_organization': 'env, deployment, organization_id: metadata.organization_id of the deployment (null: none)',
    'set_ece_version': 'env, version: the ECE version of the environment (its gates follow; a reset restores it)',
}
OPS_DOC.update(ccr.OPS_DOC)


class AdminError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _dep(world, op):
    try:
        return world.find(op.get('env'), op.get('deployment'))
    except KeyError as exc:
        raise AdminError(404, str(exc.args[0]))


def apply_op(world, op):
    """Apply one state operation (admin ``POST /_sim/state`` or a fault's ``mutate``); caller holds the lock."""
    if not isinstance(op, dict) or 'op' not in op:
        raise AdminError(400, 'an operation is an object with an "op" field; known ops: %s' % sorted(OPS_DOC))
    name = op['op']
    if name == 'complete_plans':
        world.complete_all()
        return {'ok': True}
    if name == 'set_ece_version':
        env = world.envs.get(op.get('env'))
        if env is None:
            raise AdminError(404, 'unknown environment [%s]' % op.get('env'))
        env.ece_vt = parse_version(op['version'])
        env.ece_version = op['version']
        return {'ok': True}
    if name in ('add_trust_relationship', 'delete_trust_relationship', 'update_trust_relationship'):
        env = world.envs.get(op.get('env'))
        if env is None:
            raise AdminError(404, 'unknown environment [%s]' % op.get('env'))
        if name == 'delete_trust_relationship':
            return {'deleted': env.trust_relationships.pop(op.get('id'), None) is not None}
        if name == 'update_trust_relationship':
            rel = env.trust_relationships.get(op.get('id'))
            if rel is None:
                raise AdminError(404, 'unknown trust relationship [%s]' % op.get('id'))
            rel.update(deep_copy_json(op.get('fields') or {}))
            rel['version'] += 1
            rel['last_modified'] = time.time()
            return {'version': rel['version']}
        rel = dict(op.get('relationship') or {})
        now = time.time()
        rel.setdefault('id', new_hex32())
        rel.setdefault('name', 'raw-%s' % rel['id'][:6])
        rel.setdefault('trust_by_default', False)
        rel.setdefault('account_ids', [])
        rel.setdefault('public_ca_cert', '')
        rel.setdefault('local', False)
        rel.setdefault('installation_id', None)
        rel.update({'created': now, 'last_modified': now, 'version': 1})
        env.trust_relationships[rel['id']] = rel
        return {'id': rel['id']}
    if name not in OPS_DOC:
        raise AdminError(400, 'unknown op [%s]; known ops: %s' % (name, sorted(OPS_DOC)))
    dep = _dep(world, op)
    es = dep.es
    if name in ccr.OPS_DOC:
        return ccr.apply_op(es, op)
    if name == 'set_trust':
        es.trust = deep_copy_json(op.get('trust') or {})
        if op.get('applied', True):
            es.applied_trust = deep_copy_json(es.trust)
        if op.get('bump_version'):
            dep.touch()
    elif name == 'add_trust_entry':
        kind = op.get('kind', 'external')
        if kind not in ('accounts', 'external', 'direct'):
            raise AdminError(400, 'kind must be accounts, external or direct')
        entry = deep_copy_json(op.get('entry') or {})
        es.trust.setdefault(kind, []).append(entry)
        es.applied_trust.setdefault(kind, []).append(deep_copy_json(entry))
        if op.get('bump_version', True):
            dep.touch()
    elif name == 'bump_version':
        dep.touch()
    elif name == 'set_version':
        dep.version = int(op['version'])
    elif name == 'set_es_settings':
        for scope in ('persistent', 'transient'):
            if op.get(scope) is None:
                continue
            target = getattr(es, scope)
            for key, value in flatten(op[scope]).items():
                if value is None:
                    target.pop(key, None)
                else:
                    target[key] = value
        refresh_connections(world, es)
    elif name == 'set_keystore':
        key = op['name']
        if op.get('value') is None:
            es.keystore.pop(key, None)
        else:
            es.keystore[key] = {'value': op['value'], 'as_file': bool(op.get('as_file', False))}
        loaded = op.get('loaded')
        if loaded is None:
            loaded = es.v(8, 13, 0)
        if loaded:
            world.load_keystore(es)
    elif name == 'load_keystore':
        world.load_keystore(es)
    elif name == 'set_reload_privileges':
        es.reload_privileges = op.get('privileges')
    elif name == 'start_plan':
        kind = op.get('kind', 'update')
        plan = deep_copy_json(es.plan)
        effects = {}
        if kind == 'restart':
            plan['transient'] = {'plan_configuration': {'cluster_reboot': 'forced'}}
            effects['reboot'] = True
        attempt = world.start_plan(es, kind, plan, 'admin.start-plan', effects, seconds=op.get('seconds'), delay=op.get('delay', 0))
        return {'plan_attempt_id': attempt.attempt_id}
    elif name == 'set_es_version':
        parse_version(op['version'])
        es.version = op['version']
        es.vt = parse_version(op['version'])
        es.plan['elasticsearch']['version'] = op['version']
    elif name == 'set_status':
        status = op.get('status', 'started')
        if op.get('resource', 'elasticsearch') == 'kibana':
            if dep.kibana:
                dep.kibana['status'] = status
        else:
            es.status = status
    elif name in ('create_cross_cluster_api_key', 'invalidate_api_key', 'expire_api_key', 'set_api_key_expiration'):
        return _api_key_op(es, name, op)
    elif name == 'set_organization':
        dep.organization_id = op.get('organization_id')
    elif name == 'rename_deployment':
        env = dep.env
        del env.by_name[dep.name]
        dep.name = op['name']
        env.by_name[dep.name] = dep
    return {'ok': True}


def _api_key_op(es, name, op):
    if name == 'create_cross_cluster_api_key':
        access = op.get('access') or {'search': [{'names': ['*']}]}
        norm = {kind: [{'names': list(e['names']) if isinstance(e['names'], list) else [e['names']],
                        'allow_restricted_indices': False} for e in entries] for kind, entries in access.items()}
        key_id, secret = op.get('id') or new_token(20), new_token(22)
        es.api_keys[key_id] = {
            'id': key_id, 'name': op.get('name', 'sim-key'), 'type': 'cross_cluster', 'secret': secret, 'creation': epoch_ms(),
            'expiration': None, 'invalidated': False, 'invalidation': None, 'username': 'elastic', 'realm': 'reserved',
            'realm_type': 'reserved', 'metadata': dict(op.get('metadata') or {}), 'access': norm,
            'role_descriptors': {'cross_cluster': {'cluster': ['cross_cluster_search'], 'indices': [], 'applications': [], 'run_as': [],
                                                   'metadata': {}, 'transient_metadata': {'enabled': True}}},
            'doc_version': es.version,
        }
        return {'id': key_id, 'encoded': b64('%s:%s' % (key_id, secret))}
    key = es.api_keys.get(op.get('id'))
    if key is None:
        raise AdminError(404, 'unknown API key [%s]' % op.get('id'))
    if name == 'invalidate_api_key':
        key['invalidated'] = True
        key['invalidation'] = epoch_ms()
    elif name == 'set_api_key_expiration':
        key['expiration'] = epoch_ms() + int(float(op['days']) * 24 * 3600 * 1000)
    else:
        key['expiration'] = epoch_ms() - 1000
    return {'ok': True}


def dump_state(world, app_info):
    """Everything, for tests (``GET /_sim/state``)."""
    envs = {}
    for env in world.envs.values():
        deployments = {}
        for dep in env.deployments.values():
            es = dep.es
            deployments[dep.name] = {
                'id': dep.id, 'version': dep.version, 'kibana': deep_copy_json(dep.kibana),
                'elasticsearch': {
                    'cluster_id': es.cluster_id, 'version': es.version, 'status': es.status, 'plan_healthy': es.plan_healthy,
                    'trust': deep_copy_json(es.trust), 'applied_trust': deep_copy_json(es.applied_trust),
                    'keystore': deep_copy_json(es.keystore), 'loaded_keystore': dict(es.loaded_keystore),
                    'persistent': deep_copy_json(es.persistent), 'transient': deep_copy_json(es.transient),
                    'remote_clusters': deep_copy_json(es.remote_clusters), 'restarts': es.restarts,
                    'plan': deep_copy_json(es.plan),
                    'pending_plan': None if es.pending is None else {'kind': es.pending.kind, 'attempt_id': es.pending.attempt_id,
                                                                     'ends_at': iso(es.pending.ends_at)},
                    'plan_history': [{'kind': a.kind, 'status': a.status, 'error': a.error_message, 'attempt_id': a.attempt_id}
                                     for a in es.plan_history],
                    'api_keys': [{k: v for k, v in key.items() if k != 'secret'} for key in es.api_keys.values()],
                    'roles': deep_copy_json(es.roles),
                    'ccr': ccr.dump(es),  # indices, followers, auto-follow patterns, licence
                    'remote_aliases': configured_aliases(es),
                    # the outcome of each alias's last connection attempt (Elasticsearch does not retry a failed one itself),
                    # connected when every node is
                    'connections': _connections(es),
                    'nodes': [{'id': node.id, 'name': node.name, 'file': dict(node.file), 'loaded': dict(node.loaded),
                               'connections': {alias: dict(c, time=iso(c['time']), signature=None)
                                               for alias, c in sorted(node.connections.items())}} for node in es.nodes],
                },
            }
        envs[env.name] = {
            'environment_id': env.env_id, 'account_id': env.account_id,
            'trust_relationships': [{k: v for k, v in rel.items() if k not in ('created', 'last_modified')}
                                    for rel in env.trust_relationships.values()],
            'deployments': deployments,
        }
    return {'settings': dict(world.settings), 'faults': world.faults.to_json(), 'environments': envs, 'info': app_info,
            'events': list(world.events)}


def _connections(es):
    """Each alias's connection as the nodes have it: connected when every node is, the first failure's reason."""
    result = {}
    for alias in sorted(set(alias for node in es.nodes for alias in node.connections)):
        states = [node.connections[alias] for node in es.nodes if alias in node.connections]
        failed = [state for state in states if not state['connected']]
        result[alias] = {'connected': not failed and len(states) == len(es.nodes),
                         'reason': failed[0]['reason'] if failed else '', 'time': iso(max(state['time'] for state in states))}
    return result


class AdminApi:
    def __init__(self, app):
        self.app = app
        self.world = app.world

    def handle(self, req):
        try:
            return self._handle(req)
        except AdminError as err:
            return Response(err.status, {'error': err.message})
        except (KeyError, ValueError, TypeError) as exc:
            return Response(400, {'error': '%s: %s' % (type(exc).__name__, exc)})

    def _json(self, req):
        if not req.has_body:
            return {}
        if req.json_error is not None:
            raise AdminError(400, 'invalid JSON: %s' % req.json_error)
        return req.json

    def _handle(self, req):
        path = req.path.rstrip('/')
        method = req.method
        world = self.world
        if path in ('/_sim', '/_sim/info') and method == 'GET':
            return Response(200, self.app.info)
        if path == '/_sim/requests':
            if method == 'DELETE':
                with world.lock:
                    world.log = []
                return Response(200, {'ok': True})
            if method == 'GET':
                return Response(200, self._requests(req))
        if path == '/_sim/reset' and method == 'POST':
            start = time.time()
            world.reset()
            return Response(200, {'ok': True, 'took_ms': round((time.time() - start) * 1000, 2)})
        if path == '/_sim/faults':
            with world.lock:
                if method == 'GET':
                    return Response(200, {'faults': world.faults.to_json()})
                if method == 'DELETE':
                    world.faults.clear()
                    return Response(200, {'ok': True})
                if method == 'POST':
                    body = self._json(req)
                    specs = body if isinstance(body, list) else [body]
                    try:
                        added = [world.faults.add(spec).to_json() for spec in specs]
                    except (ValueError, re.error) as exc:
                        raise AdminError(400, str(exc))
                    return Response(200, added[0] if not isinstance(body, list) else {'faults': added})
        match = re.match(r'^/_sim/faults/(\d+)$', path)
        if match and method == 'DELETE':
            with world.lock:
                return Response(200, {'deleted': world.faults.remove(int(match.group(1)))})
        if path == '/_sim/settings':
            with world.lock:
                if method in ('PUT', 'POST'):
                    body = self._json(req)
                    unknown = set(body) - set(SETTINGS)
                    if unknown:
                        raise AdminError(400, 'unknown settings %s' % sorted(unknown))
                    for key in ('latency_ms', 'plan_seconds', 'plan_start_delay', 'keystore_file_seconds',
                                'remote_clusters_apply_seconds'):
                        if key in body:
                            world.settings[key] = float(body[key])
                    if 'keystore_reload_seconds' in body:  # null: the nodes never load a keystore change by themselves
                        value = body['keystore_reload_seconds']
                        world.settings['keystore_reload_seconds'] = None if value is None else float(value)
                    for key in ('plans_enabled', 'keystore_reload_8_13'):
                        if key in body:
                            world.settings[key] = bool(body[key])
                if method in ('GET', 'PUT', 'POST'):
                    return Response(200, dict(world.settings))
        if path == '/_sim/state':
            with world.lock:
                world.tick()
                if method == 'GET':
                    return Response(200, dump_state(world, self.app.info))
                if method == 'POST':
                    body = self._json(req)
                    if isinstance(body, dict) and 'ops' in body:
                        return Response(200, {'results': [apply_op(world, op) for op in body['ops']]})
                    return Response(200, apply_op(world, body))
        if path == '/_sim/diagnose' and method == 'GET':
            with world.lock:
                world.tick()
                dep = _dep(world, req.query)
                alias = req.query.get('alias')
                if not alias:
                    return Response(200, {'aliases': {a: evaluate(world, dep.es, a) for a in configured_aliases(dep.es)}})
                return Response(200, evaluate(world, dep.es, alias))
        if path == '/_sim/ops' and method == 'GET':
            return Response(200, OPS_DOC)
        raise AdminError(404, 'unknown admin endpoint %s %s' % (method, req.path))

    def _requests(self, req):
        since = int(req.query.get('since') or 0)
        server = re.compile(req.query['server']) if req.query.get('server') else None
        write = req.query.get('write')
        with self.world.lock:
            entries = [entry for entry in self.world.log if entry['seq'] > since]
            last = self.world.seq
        if server is not None:
            entries = [entry for entry in entries if server.search(entry['server'])]
        if write in ('true', 'false'):
            entries = [entry for entry in entries if entry['write'] == (write == 'true')]
        return {'requests': entries, 'last_seq': last}
