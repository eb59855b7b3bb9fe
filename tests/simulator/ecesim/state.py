"""The simulated world: environments, deployments, Elasticsearch clusters and the plan engine.

Identities (ids, ports, credentials, certificates) are created once at start and survive
``POST /_sim/reset``; everything else (trust, keystore, settings, keys, roles, plans, log, faults) is
rebuilt from the scenario by :meth:`World.reset`. One ``RLock`` (``world.lock``) guards all of it.

Plans are evaluated lazily: a pending plan has an end time and :meth:`World.tick` (called before every
request is handled) completes the plans whose time has come, applying their effects (trust applied to
the running cluster, keystore loaded by the restarted nodes, version upgraded). A plan shows in the API
only ``plan_start_delay`` seconds after the write that started it (ECE answers the write first).

Every cluster has two nodes (:class:`Node`), each with the keystore file on its own disk, the secure settings it
loaded and its own remote connections. After a keystore change, ECE writes the new file to node ``i``
``keystore_file_seconds * (i + 1)`` later; the same tick has the nodes reload their secure settings
``keystore_reload_seconds`` after the change on the versions where ECE does that (:func:`reloads_keystore`), each
node loading the file it has then.
"""

from __future__ import annotations

import threading
import time
import uuid

from .faults import FaultStore
from .util import (deep_copy_json, iso, new_hex32, new_password, new_token, b64, parse_version)

ES_REF_ID = 'main-elasticsearch'
KIBANA_REF_ID = 'main-kibana'
PORT_HTTP = 9200
PORT_HTTPS = 9243
PORT_TRANSPORT_PASSTHROUGH = 9400
PORT_TRANSPORT = 9300
PORT_REMOTE_CLUSTER = 9443
DOMAIN = 'sim.example'

UPDATE_STEPS = ['plan-validation', 'validate-plan-prerequisites', 'log-initial-plan-state', 'apply-plan-changes',
                'wait-until-running', 'apply-cluster-settings']
RESTART_STEPS = ['plan-validation', 'validate-plan-prerequisites', 'log-initial-plan-state', 'rolling-restart-instances',
                 'wait-until-running']


class PlanAttempt:
    """One plan attempt of an Elasticsearch resource (ECE ``ElasticsearchClusterPlanInfo``)."""

    def __init__(self, number, kind, plan, action, started, duration, failure, effects, written=None):
        # written: when the write that started the attempt was answered; the attempt shows from ``started`` on
        self.written = started if written is None else written
        self.attempt_id = str(uuid.uuid4())
        self.name = 'attempt-%010d' % number
        self.kind = kind
        self.plan = plan
        self.action = action
        self.started = started
        self.ends_at = started + duration
        self.failure = failure
        self.effects = effects
        self.ended = None
        self.status = 'pending'   # pending | success | error
        self.error_message = None
        self.status_before = None

    def to_json(self, show_logs, now):
        done = self.ended is not None
        info = {
            'plan_attempt_id': self.attempt_id,
            'plan_attempt_name': self.name,
            'healthy': self.status != 'error',
            'attempt_start_time': iso(self.started),
            'plan': deep_copy_json(self.plan),
            'plan_attempt_log': self._log(now) if show_logs else [],
            'source': {'facilitator': 'adminconsole', 'action': self.action, 'date': iso(self.started),
                       'user_id': 'admin', 'remote_addresses': ['127.0.0.1']},
            'warnings': [],
        }
        if done:
            info['attempt_end_time'] = iso(self.ended)
            info['plan_end_time'] = iso(self.ended)
        if self.status == 'error':
            info['error'] = {'timestamp': iso(self.ended), 'message': self.error_message,
                             'details': {}, 'failure_type': 'ClusterFailure:PlanFailed'}
        return info

    def _log(self, now):
        names = RESTART_STEPS if self.kind == 'restart' else UPDATE_STEPS
        end = self.ended if self.ended is not None else now
        total = max(self.ends_at - self.started, 0.001)
        progress = min(max((end - self.started) / total, 0.0), 1.0) if self.ended is None else 1.0
        done_steps = int(progress * len(names)) if self.ended is None else len(names)
        steps = []
        slice_len = total / (len(names) + 1)
        for index, name in enumerate(names):
            start = self.started + index * slice_len
            if index < done_steps:
                finish = start + slice_len
                steps.append(_step(name, start, finish, 'success', 'completed', 'Step [%s] completed' % name))
            elif index == done_steps and self.ended is None:
                steps.append(_step(name, start, None, 'pending', 'in_progress', 'Step [%s] in progress' % name))
                break
        if self.ended is not None:
            if self.status == 'error':
                steps.append(_step('plan-completed', self.ended, self.ended, 'error', 'completed', self.error_message,
                                   failure_type='ClusterFailure:PlanFailed'))
            else:
                steps.append(_step('plan-completed', self.ended, self.ended, 'success', 'completed', 'Plan successfully completed'))
        return steps


def _step(step_id, started, completed, status, stage, message, failure_type=None):
    entry = {'timestamp': iso(completed or started), 'stage': stage, 'message': message, 'details': {}}
    if failure_type:
        entry['failure_type'] = failure_type  # ClusterPlanStepLogMessageInfo.failure_type: the step failed
    step = {'step_id': step_id, 'started': iso(started), 'status': status, 'stage': stage, 'info_log': [entry]}
    if completed is not None:
        step['completed'] = iso(completed)
        step['duration_in_millis'] = int((completed - started) * 1000)
    return step


class Node:
    """One Elasticsearch node: the keystore file on its disk, the secure settings it loaded (at start, or by a reload),
    and its connections to remote clusters (alias -> the outcome of its last connection attempt, see connectivity.py)."""

    def __init__(self, node_id, name):
        self.id = node_id
        self.name = name
        self.file = {}
        self.file_modified = time.time()
        self.file_at = None  # when the keystore file that ECE is writing reaches this node, or None
        self.loaded = {}
        self.connections = {}

    def receive_file(self, values, when=None):
        self.file = dict(values)
        self.file_modified = time.time() if when is None else when
        self.file_at = None


class EsCluster:
    """The Elasticsearch resource of a deployment: ECE-side resource state and ES runtime state."""

    def __init__(self, deployment, version):
        self.deployment = deployment
        self.env = deployment.env
        self.ref_id = ES_REF_ID
        self.cluster_id = new_hex32()
        self.initial_version = version
        self.password = new_password()
        self.admin_key_id = new_token(20)
        self.admin_key_secret = new_token(22)
        self.cluster_uuid = new_token(22)
        self.node_ids = [new_token(22) for dummy in range(2)]
        self.port = None
        self.url = None
        self.endpoint = '%s.%s.%s' % (self.cluster_id, self.env.name, DOMAIN)
        self.reset()

    # ---- identity helpers -------------------------------------------------------------------------
    @property
    def admin_key_encoded(self):
        return b64('%s:%s' % (self.admin_key_id, self.admin_key_secret))

    @property
    def name(self):
        return self.deployment.name

    def reset(self):
        self.version = self.initial_version
        self.vt = parse_version(self.version)
        self.status = 'started'
        self.plan = _initial_plan(self.version)
        created = time.time()
        initial = PlanAttempt(0, 'create', self.plan, 'deployments.create-deployment', created - 120, 60, None, {})
        initial.ended = created - 60
        initial.status = 'success'
        self.current_attempt = initial
        self.plan_history = [initial]
        self.pending = None
        self.plan_healthy = True
        self.attempt_counter = 0
        self.trust = default_trust(self.env)
        self.applied_trust = default_trust(self.env)
        self.other_settings = {}
        self.keystore = {}
        self.nodes = [Node(node_id, 'instance-%010d' % index) for index, node_id in enumerate(self.node_ids)]
        self.next_node = 0
        # the cluster privileges of the user who calls reload_secure_settings (None: all of them, as elastic has)
        self.reload_privileges = None
        self.remote_clusters = []
        self.persistent = {}
        self.transient = {}
        self.api_keys = {}
        self.roles = {}
        self.ccr = None  # cross-cluster replication: indices, followers, patterns, licence (ccr.state)
        self.restarts = 0
        # when the running nodes load the keystore by themselves (ECE's reload after a keystore change), or None
        self.keystore_reload_at = None
        self.metadata_version = 1
        self.metadata_modified = created
        self.api_keys[self.admin_key_id] = {
            'id': self.admin_key_id, 'name': 'ecesim-admin', 'type': 'rest', 'secret': self.admin_key_secret,
            'creation': int(created * 1000), 'expiration': None, 'invalidated': False, 'invalidation': None,
            'username': 'elastic', 'realm': 'reserved', 'realm_type': 'reserved', 'metadata': {},
            'role_descriptors': {}, 'access': None, 'doc_version': self.version,
        }

    def v(self, *minimum):
        return self.vt >= tuple(minimum)

    def pick_node(self):
        """The node that answers a REST request: the load balancer takes them in turn."""
        node = self.nodes[self.next_node % len(self.nodes)]
        self.next_node += 1
        return node

    def keystore_values(self):
        return {name: entry['value'] for name, entry in self.keystore.items()}

    @property
    def loaded_keystore(self):
        """The secure settings that every node loaded with the same value."""
        first, others = self.nodes[0].loaded, self.nodes[1:]
        return {name: value for name, value in first.items() if all(node.loaded.get(name) == value for node in others)}

    @property
    def running(self):
        return self.status != 'stopped'

    @property
    def healthy(self):
        return self.running and self.plan_healthy


class Deployment:
    def __init__(self, env, spec):
        self.env = env
        self.initial_name = spec['name']
        self.name = spec['name']
        self.id = new_hex32()
        self.has_kibana = spec.get('kibana', True)
        self.kibana_id = new_hex32()
        self.es = EsCluster(self, spec['version'])
        self.reset()

    def reset(self):
        now = time.time()
        self.name = self.initial_name
        self.tags = []
        self.organization_id = None  # DeploymentMetadata.organization_id: not rendered unless an op sets it
        self.version = 1
        self.created = now
        self.modified = now
        self.kibana = None
        if self.has_kibana:
            self.kibana = {'id': self.kibana_id, 'ref_id': KIBANA_REF_ID, 'status': 'started',
                           'plan': _initial_kibana_plan(self.es.initial_version), 'attempt_id': str(uuid.uuid4()),
                           'attempt_time': now - 60}
        self.es.reset()

    def touch(self):
        self.version += 1
        self.modified = time.time()


def default_trust(env):
    """The trust every new deployment gets: its environment's account, trusting all."""
    return {'accounts': [{'account_id': env.account_id, 'trust_all': True}]}


def _initial_plan(version):
    vt = parse_version(version)
    topology = {
        'id': 'hot_content',
        'zone_count': 2,
        'instance_configuration_id': 'data.default',
        'size': {'value': 4096, 'resource': 'memory'},
        'elasticsearch': {'node_attributes': {'data': 'hot'}},
    }
    if vt >= (7, 10, 0):
        topology['node_roles'] = ['master', 'ingest', 'transform', 'data_hot', 'remote_cluster_client', 'data_content']
    else:
        topology['node_type'] = {'master': True, 'data': True, 'ingest': True}
    return {
        'cluster_topology': [topology],
        'elasticsearch': {'version': version, 'enabled_built_in_plugins': []},
        'deployment_template': {'id': 'default'},
        'autoscaling_enabled': False,
    }


def _initial_kibana_plan(version):
    return {
        'cluster_topology': [{'instance_configuration_id': 'kibana', 'zone_count': 1,
                              'size': {'value': 1024, 'resource': 'memory'}}],
        'kibana': {'version': version},
    }


class Environment:
    def __init__(self, spec):
        self.name = spec['name']
        self.ece_version = self.initial_ece_version = spec['ece_version']
        self.ece_vt = parse_version(self.ece_version)
        self.region = spec['region']
        self.proxy_ca = spec['proxy_ca']
        self.env_id = new_hex32()
        self.account_id = new_hex32()
        self.local_relationship_id = new_hex32()
        self.api_key = new_token(40)
        self.username = 'admin'
        self.password = new_password()
        self.port = None
        self.url = None
        # certificates are attached by the application (certs.CertAuthority objects and PEM strings)
        self.ca = None
        self.proxy_root_pem = None
        self.proxy_chain = []
        self.deployments = {}
        self.by_name = {}
        for dep_spec in spec['deployments']:
            dep = Deployment(self, dep_spec)
            self.deployments[dep.id] = dep
            self.by_name[dep.name] = dep
        self.trust_relationships = {}

    def reset(self):
        now = time.time()
        self.ece_version, self.ece_vt = self.initial_ece_version, parse_version(self.initial_ece_version)
        self.trust_relationships = {
            self.local_relationship_id: {
                'id': self.local_relationship_id, 'name': self.name, 'trust_by_default': True,
                'account_ids': [self.account_id], 'public_ca_cert': self.ca.pem if self.ca else '',
                'local': True, 'installation_id': self.env_id, 'created': now, 'last_modified': now, 'version': 1,
            }
        }
        for dep in self.deployments.values():
            dep.reset()
        self.by_name = {dep.name: dep for dep in self.deployments.values()}

    def v(self, *minimum):
        return self.ece_vt >= tuple(minimum)

    def find_deployment(self, ref):
        """A deployment by id or name."""
        return self.deployments.get(ref) or self.by_name.get(ref)


class World:
    """Everything the simulator knows; guarded by ``self.lock``."""

    def __init__(self, scenario):
        self.scenario = scenario
        self.lock = threading.RLock()
        self.envs = {}
        for env_spec in scenario['environments']:
            env = Environment(env_spec)
            self.envs[env.name] = env
        self.endpoints = {}
        for env in self.envs.values():
            for dep in env.deployments.values():
                self.endpoints[dep.es.endpoint] = dep.es
        self.faults = FaultStore()
        self.settings = {}
        self.log = []
        self.seq = 0
        self.pending = set()
        self.reloads = set()
        self.deliveries = set()
        self.deferred = []  # (when, function, args): what ECE does a moment after it answered
        # what tests look for afterwards: a key invalidated while a node still used it, ...
        self.events = []
        # connectivity.refresh_connections, installed by the APIs (see _refresh_connections)
        self.refresh_connections = None

    # ---- lifecycle --------------------------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.settings = {
                'latency_ms': float(self.scenario.get('latency_ms', 0)),
                'plan_seconds': float(self.scenario.get('plan_seconds', 1.0)),
                'plans_enabled': bool(self.scenario.get('plans_enabled', True)),
                'plan_start_delay': float(self.scenario.get('plan_start_delay', 0.2)),
                'keystore_file_seconds': float(self.scenario.get('keystore_file_seconds', 0.2)),
                'remote_clusters_apply_seconds': float(self.scenario.get('remote_clusters_apply_seconds', 0.3)),
                'keystore_reload_seconds': _optional_float(self.scenario.get('keystore_reload_seconds', 0.6)),
                'keystore_reload_8_13': bool(self.scenario.get('keystore_reload_8_13', False)),
            }
            for env in self.envs.values():
                env.reset()
            self.faults.clear()
            self.log = []
            self.pending = set()
            self.reloads = set()
            self.deliveries = set()
            self.deferred = []
            self.events = []

    def all_clusters(self):
        for env in self.envs.values():
            for dep in env.deployments.values():
                yield dep.es

    def find(self, env_name, deployment_ref):
        env = self.envs.get(env_name)
        if env is None:
            raise KeyError('unknown environment [%s]' % env_name)
        dep = env.find_deployment(deployment_ref)
        if dep is None:
            raise KeyError('unknown deployment [%s] in environment [%s]' % (deployment_ref, env_name))
        return dep

    def cluster_by_id(self, cluster_id):
        for es in self.all_clusters():
            if es.cluster_id == cluster_id:
                return es
        return None

    # ---- plan engine -------------------------------------------------------------------------------
    def start_plan(self, es, kind, plan, action, effects, seconds=None, delay=None):
        """Start a plan attempt on an ES resource. It shows as pending ``plan_start_delay`` seconds after the write that
        started it (``delay`` overrides), then completes ``plan_seconds`` later (see :meth:`tick`)."""
        now = time.time()
        failure, slow = self.faults.take_plan_fault(es.env.name, es.deployment)
        duration = self.settings['plan_seconds'] if seconds is None else float(seconds)
        if slow is not None:
            duration = slow
        delay = max(0.0, self.settings.get('plan_start_delay', 0.0) if delay is None else float(delay))
        es.attempt_counter += 1
        attempt = PlanAttempt(es.attempt_counter, kind, plan, action, now + delay, duration, failure, effects, written=now)
        es.pending = attempt
        attempt.status_before = es.status  # what the resource shows until the attempt shows
        if es.status != 'stopped' or effects.get('start'):
            es.status = 'restarting' if kind == 'restart' else 'reconfiguring'
        if duration <= 0 and delay <= 0:
            self._complete(es, now)
        else:
            self.pending.add(es)
        return attempt

    def keystore_changed(self, es):
        """After a keystore change through ECE: the new file reaches node ``i`` ``keystore_file_seconds * (i + 1)`` later,
        and where ECE has the nodes reload their secure settings, they do ``keystore_reload_seconds`` after the change."""
        now = time.time()
        step = max(0.0, self.settings.get('keystore_file_seconds', 0.0))
        for index, node in enumerate(es.nodes):
            node.file_at = now + step * (index + 1)
        self.deliveries.add(es)
        delay = self.settings.get('keystore_reload_seconds')
        if delay is not None and reloads_keystore(es, self.settings):
            es.keystore_reload_at = now + max(0.0, delay)
            self.reloads.add(es)
        self.tick()

    def write_keystore_files(self, es):
        """ECE writes the keystore file to every node at once (a node that starts gets the current one)."""
        values = es.keystore_values()
        for node in es.nodes:
            node.receive_file(values)
        self.deliveries.discard(es)

    def reload_nodes(self, es, nodes=None, remote_credentials=True):
        """The nodes reload their secure settings from the file each has now (``remote_credentials`` false: all but the
        remote cluster credentials, as a reload refused for them does); connections follow (connectivity.py)."""
        for node in nodes or es.nodes:
            loaded = dict(node.file)
            if not remote_credentials:
                loaded = dict((name, value) for name, value in loaded.items() if not is_remote_credentials(name))
                loaded.update((name, value) for name, value in node.loaded.items() if is_remote_credentials(name))
            node.loaded = loaded
        _refresh_connections(self, es)

    def load_keystore(self, es):
        """The running nodes load the current keystore (as after a restart)."""
        es.keystore_reload_at = None
        self.reloads.discard(es)
        self.write_keystore_files(es)
        self.reload_nodes(es)

    def later(self, seconds, function, *args):
        """Call ``function(*args)`` ``seconds`` from now (at once when 0), at the tick that comes then."""
        if seconds <= 0:
            function(*args)
            return
        self.deferred.append((time.time() + seconds, function, args))

    def tick(self, now=None):
        if not self.pending and not self.reloads and not self.deliveries and not self.deferred:
            return
        now = time.time() if now is None else now
        due = [item for item in self.deferred if item[0] <= now]
        self.deferred = [item for item in self.deferred if item[0] > now]
        for dummy, function, args in sorted(due, key=lambda item: item[0]):
            function(*args)
        for es in list(self.deliveries):
            waiting = [node for node in es.nodes if node.file_at is not None]
            for node in waiting:
                if now >= node.file_at:
                    node.receive_file(es.keystore_values(), node.file_at)
            if all(node.file_at is None for node in es.nodes):
                self.deliveries.discard(es)
        for es in list(self.pending):
            if es.pending is None:
                self.pending.discard(es)
            elif now >= es.pending.ends_at:
                self._complete(es, es.pending.ends_at)
        for es in list(self.reloads):
            if es.keystore_reload_at is None:
                self.reloads.discard(es)
            elif now >= es.keystore_reload_at:
                es.keystore_reload_at = None
                self.reloads.discard(es)
                self.reload_nodes(es)  # each node loads the file it has now

    def complete_all(self):
        for es in list(self.pending):
            if es.pending is not None:
                self._complete(es, time.time())

    def cancel_plan(self, es, message='The plan was cancelled'):
        attempt = es.pending
        attempt.ended = time.time()
        attempt.status = 'error'
        attempt.error_message = message
        es.plan_history.append(attempt)
        es.pending = None
        es.plan_healthy = False
        self.pending.discard(es)
        es.status = 'stopped' if attempt.effects.get('was_stopped') else 'started'

    def _complete(self, es, when):
        attempt = es.pending
        attempt.ended = when
        es.pending = None
        self.pending.discard(es)
        if attempt.failure:
            attempt.status = 'error'
            attempt.error_message = attempt.failure
            es.plan_healthy = False
            es.status = 'stopped' if attempt.effects.get('was_stopped') else 'started'
            es.plan_history.append(attempt)
            return
        attempt.status = 'success'
        es.plan_history.append(attempt)
        es.current_attempt = attempt
        es.plan = attempt.plan
        es.plan_healthy = True
        es.status = 'started'
        effects = attempt.effects
        if 'trust' in effects:
            es.applied_trust = deep_copy_json(effects['trust'])
        new_version = effects.get('version')
        restarted = bool(effects.get('reboot') or effects.get('start'))
        if new_version and new_version != es.version:
            es.version = new_version
            es.vt = parse_version(new_version)
            restarted = True
        if restarted:
            es.restarts += 1
            es.keystore_reload_at = None
            self.reloads.discard(es)
            self.write_keystore_files(es)
            for node in es.nodes:  # started nodes read their keystore file
                node.loaded = dict(node.file)
        es.metadata_version += 1
        es.metadata_modified = when
        # restarted nodes connect to their remote clusters again (a new attempt each); so do the connections whose
        # chain this plan completed, if they had never been attempted
        _refresh_connections(self, es)


def is_remote_credentials(name):
    return name.startswith('cluster.remote.') and name.endswith('.credentials')


def reloads_keystore(es, settings):
    """Whether ECE has the running nodes of ``es`` reload their secure settings after a keystore change: Elasticsearch
    8.14 and later (every current ECE page), 8.13 only when ``keystore_reload_8_13`` (an older revision said 8.13), never
    below (a restart loads the keystore)."""
    if es.v(8, 14, 0):
        return True
    return es.v(8, 13, 0) and bool(settings.get('keystore_reload_8_13', False))


def _optional_float(value):
    return None if value is None else float(value)


def _refresh_connections(world, es):
    """Connection attempts after a change of ``es`` (``connectivity.refresh_connections``, which the APIs install: that
    module imports this one)."""
    if world.refresh_connections is not None:
        world.refresh_connections(world, es)
