# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One link between two deployments, in either security model, in one module run: the logic of the module
remote_cluster_link. Private to this collection.

Every step is the logic of one of the collection's modules (ece_deployment_info, ece_trust_relationship,
ece_deployment_trust, ...), run as a step of this module: same options, same validation, same checks and
writes. What the link adds is the order, the values passed from one step to the next, one client per
connection whose reads serve the next step when nothing was written in between, and plans of both
deployments awaited together.

Where things are: this module holds the options, the checks before any request, the two sides and the steps (the link
as the context of its sequences); each sequence is a module of plain functions over it, read top-down:
``_link_certificate`` (model certificate), ``_link_api_key`` (model api_key), ``_link_credentials`` (loading the
credentials with evidence), ``_link_migration`` (the switch from certificates to API keys), ``_link_replication``
(followers and auto-follow patterns), ``_link_removal`` (state absent) and ``_link_diagnosis``; the pure decisions are
``_link_decisions``, ``_proof`` and ``_replication``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_api_key as api_key
from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_certificate as certificate
from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_diagnosis as diagnosis
from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_removal as removal
from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_replication as replication
from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import (
    CrossClusterApiKey, RemoteCluster, Role, check_key_authentication, connected_through_every_node)
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    API_KEY_PORT, RELOAD_MIN_VERSION, VERSION_RULE, check_alias, check_deployment_ids, check_pem, check_ports, check_ref_id,
    check_time_value, check_version, compatible_versions, pick_resource, view_version)
from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import DeploymentInfo, DeploymentRestart
from ansible_collections.ece.remote_clusters.plugins.module_utils._link_decisions import (
    key_options, remote_cluster_options, remote_hosts, role_options)
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Composition, Planned
from ansible_collections.ece.remote_clusters.plugins.module_utils._proof import PROBE_TIMEOUT
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import (
    ClientPool, ModuleFailure, connection_options, deployment_argument_spec, run_step)
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import DeploymentTrust

# steps that only read: a failure names them, but their results are returned in the link's own words (local, remote)
UNRECORDED = ('local_deployment', 'remote_deployment', 'local_environment', 'remote_environment', 'proxy_chain', 'ccr_follower',
              'ccr_auto_follow', 'ccr_mark')
ROLE_OPTIONS = ('name', 'cluster', 'indices', 'remote_indices', 'remote_cluster', 'metadata', 'description')


def side_options():
    """The options of one side of the link (``local`` or ``remote``)."""
    ece, ece_constraints = connection_options('ece', fallbacks=False)
    es, es_constraints = connection_options('elasticsearch', fallbacks=False)
    es['es_url'] = dict(type='str')  # default: the service URL of the deployment's Elasticsearch resource
    return dict(
        deployment_argument_spec(),
        environment=dict(type='str'),
        ece=dict(type='dict', required=True, options=ece, **ece_constraints),
        es=dict(type='dict', options=es, **es_constraints),
    )


class Side:
    """One deployment of the link: its options, its view (once read) and one client per API."""

    def __init__(self, link, key, params):
        self.link = link
        self.key = key
        self.params = params
        self.deployment_id = params['deployment_id']
        self.environment = params['environment'] or key  # a name for messages; the environment is known by its ID
        self.view = None

    def client(self, api, options):
        return self.link.pool.client(api, options, environment=self.params['ece']['ece_url'])

    def es_options(self, view=None):
        view = view or self.view
        options = dict(self.params['es'])
        options['es_url'] = options['es_url'] or view['service_url']
        # the version ECE reports saves the request that reads it
        options['elasticsearch_version'] = options['elasticsearch_version'] or view_version(view)
        return options

    def ece_step(self, cls, **params):
        """A manager of the ECE API of this side."""
        return cls.create(self.link.context, self.client('ece', self.params['ece']), **params)

    def es_step(self, cls, **params):
        """A manager of the Elasticsearch of this side."""
        return cls.create(self.link.context, self.client('elasticsearch', self.es_options()), **params)


class Steps:
    """How a link runs its steps: one alone, several at the same time. A rollout gives its links its own, which make the
    steps that start plans join the plan rounds of every link."""

    def run(self, steps):
        """``[(result, failure)]`` of ``steps`` (managers), in their order."""
        if len(steps) == 1:
            return [run_step(steps[0])]
        with ThreadPoolExecutor(max_workers=len(steps)) as pool:
            return list(pool.map(run_step, steps))

    def trusts(self):
        """The trust of the deployments that other links write in this run (see :meth:`PlanRounds.trusts`): none here."""
        return {}


class RemoteClusterLink(Composition):
    """The link as the context its sequences share (``_link_certificate``, ``_link_api_key``, ``_link_removal``, ...):
    its options and checks, its two sides and their clients, its steps and its result."""

    api = None
    pool = None           # the clients: the link's own, or those the links of a rollout share
    schedule = Steps()    # how steps run: alone or in threads, or in a rollout the plan rounds of every link
    local = remote = None  # the two sides, once the link runs
    argument_spec = dict(
        model=dict(type='str', required=True, choices=['certificate', 'api_key']),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        alias=dict(type='str', required=True),
        local=dict(type='dict', required=True, options=side_options()),
        remote=dict(type='dict', required=True, options=side_options()),
        skip_unavailable=dict(type='bool', default=False),
        wait_for_connection=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=60),
        plan_wait_timeout=dict(type='int', default=1800),
        # TLS-certificate model
        trust_all=dict(type='bool', default=False),
        manage_platform_trust=dict(type='bool', default=True),
        remove_platform_trust=dict(type='bool', default=False),
        remove_previous_trust=dict(type='bool', default=False),
        trust_by_default=dict(type='bool'),
        certificate_port=dict(type='int'),
        # API-key model
        access=dict(type='dict', options=CrossClusterApiKey.argument_spec['access']['options']),
        api_key_name=dict(type='str', no_log=False),
        metadata=dict(type='dict'),
        expiration=dict(type='str'),
        rotate=dict(type='bool', default=False),
        rotate_before_days=dict(type='int'),
        list_owned_keys=dict(type='bool', default=False),
        api_key_port=dict(type='int', default=API_KEY_PORT, no_log=False),
        trust_proxy_ca=dict(type='str', choices=['auto', 'always', 'never'], default='auto'),
        proxy_ca_certificate=dict(type='str'),
        public_ca_path=dict(type='path'),
        reload_min_version=dict(type='str', default=RELOAD_MIN_VERSION),
        credentials_wait_timeout=dict(type='int', default=30),
        credentials_settle_seconds=dict(type='int', default=15),
        previous_key_grace=dict(type='str', no_log=False),
        migrate_alias=dict(type='str', choices=['keep', 'remove_first'], default='keep'),
        role=dict(type='dict', options=dict((name, dict(Role.argument_spec[name])) for name in ROLE_OPTIONS)),
        # cross-cluster replication (both models)
        **replication.ARGUMENT_SPEC
    )

    # -- input -----------------------------------------------------------------------------------
    def validate(self):
        params = self.params
        errors = [check_alias(params['alias'])]
        for key in ('local', 'remote'):
            side = params[key]
            errors.append(check_deployment_ids([side['deployment_id']], '%s.deployment_id' % key))
            if side['ref_id'] is not None:
                errors.append(check_ref_id(side['ref_id'], '%s.ref_id' % key))
            errors.extend(self.check_connection(side['ece'], 'ece', '%s.ece.' % key))
            if side['es'] is not None:
                errors.extend(self.check_connection(side['es'], 'elasticsearch', '%s.es.' % key))
        if params['local']['deployment_id'] == params['remote']['deployment_id']:
            errors.append('remote.deployment_id: %s is the local deployment itself; a link connects a deployment to another one'
                          % params['remote']['deployment_id'])
        if params['local']['es'] is None:
            errors.append('local.es: give the connection options of a local Elasticsearch user who may manage cluster '
                          'settings (es_username and es_password, or es_api_key); es_url defaults to the deployment\'s')
        errors.extend(check_ports(params))
        for option, example in (('wait_timeout', 60), ('plan_wait_timeout', 1800), ('credentials_wait_timeout', 30),
                                ('credentials_settle_seconds', 15)):
            if params[option] < 0:
                errors.append('%s: %d is negative; give the seconds to wait, e.g. %d' % (option, params[option], example))
        if params['model'] == 'api_key':
            errors.extend(self.validate_api_key())
        errors.extend(replication.validate(self.context, params, access_given=params['access'] is not None))
        if params['role'] and params['local']['es'] is not None and (params['model'] == 'api_key' or params['replication']):
            # checked by the role's own step before any request
            errors.extend('role.%s' % error for error in Role.create(self.context, None, **self.role_options()).validate() if error)
        return errors

    def validate_api_key(self):
        params = self.params
        errors = [check_version(params['reload_min_version'], 'reload_min_version')]
        if params['previous_key_grace'] is not None:
            errors.append(check_time_value(params['previous_key_grace'], 'previous_key_grace'))
        if params['proxy_ca_certificate']:
            errors.append(check_pem(params['proxy_ca_certificate'], 'proxy_ca_certificate'))
        if params['remote']['es'] is None:
            errors.append('remote.es: the API-key model creates the cross-cluster API key on the remote cluster; give the '
                          'connection options of a remote user with the manage_security privilege (es_username and '
                          'es_password)')
            return errors
        errors.append(check_key_authentication(params['remote']['es']['es_api_key']))
        # the options of the key, checked by its own step before any request (the local cluster ID that names the key is
        # not known yet: a stand-in takes its place)
        stand_in = {'cluster_id': '0' * 32}
        errors.extend(CrossClusterApiKey.create(self.context, None, **self.key_options(stand_in)).validate())
        return errors

    # -- life cycle ------------------------------------------------------------------------------
    def run(self, validated=False):
        self.local = Side(self, 'local', self.params['local'])
        self.remote = Side(self, 'remote', self.params['remote'])
        self.diffs = []
        own_pool = self.pool is None
        if own_pool:
            self.pool = ClientPool(self.check_mode, self.warn)
        try:
            return super(RemoteClusterLink, self).run(validated)
        finally:
            if own_pool:
                self.pool.close()

    def execute(self):
        params = self.params
        self.proven = False  # cross-cluster requests through every node succeeded after the last change of this run
        self.paused_at = None  # when this run paused the replication through the alias (a migration)
        self.result.update(model=params['model'], alias=params['alias'])
        try:
            self.read_deployments()
            if params['state'] == 'absent':
                removal.remove(self)
            elif params['model'] == 'certificate':
                certificate.create(self)
            else:
                api_key.create(self)
        except ModuleFailure as failure:
            # what was done before the failure, for the report of a rollout
            failure.kwargs = dict(self.result, **failure.kwargs)
            raise
        finally:
            if self.diffs:
                self.result['diff'] = self.diffs

    def steps(self, *steps):
        """Run ``(name, label, step)`` steps as :attr:`schedule` runs them (at the same time when there are several; in a
        rollout, steps that start plans join the plan round of every link); record their results (with their diffs) in
        the link's and return their :class:`Outcome` objects."""
        done = self.schedule.run([step[2] for step in steps])
        outcomes = []
        for (name, label, dummy), (outcome, failure) in zip(steps, done):
            if failure is not None:
                self.fail('%s: %s' % (label, failure.msg), status=failure.kwargs.get('status'),
                          error=failure.kwargs.get('error'), step=name)
            if outcome.diff:
                self.diffs.append(dict(outcome.diff, before_header=label, after_header=label))
            self.set_changed(outcome.changed)
            if name not in UNRECORDED:
                self.result[name] = outcome.as_result()
            outcomes.append(outcome)
        return outcomes

    def plan(self, name, label, step):
        """``step`` read and decided before it runs (:class:`Planned`): ``plan.changed`` says whether it will change
        anything; give it to :meth:`steps` as any step. A failure names the step, as :meth:`steps` does."""
        try:
            return Planned(step)
        except ModuleFailure as failure:
            self.fail('%s: %s' % (label, failure.msg), status=failure.kwargs.get('status'), error=failure.kwargs.get('error'),
                      step=name)

    # -- both models -----------------------------------------------------------------------------
    def read_deployments(self):
        params = self.params
        sides = (self.local, self.remote)
        outcomes = self.steps(*[(side.key + '_deployment', 'read the %s deployment' % side.key,
                                 side.ece_step(DeploymentInfo, deployment_id=side.deployment_id,
                                               certificate_port=params['certificate_port'], api_key_port=params['api_key_port']))
                                for side in sides])
        for side, outcome in zip(sides, outcomes):
            deployment = outcome.result['deployments'][0]
            resources = deployment['elasticsearch']
            ref_id = side.params['ref_id']
            resource = pick_resource(resources, ref_id)
            if resource is None:
                self.fail('%s.ref_id: deployment %s has no Elasticsearch resource %s; it has: %s' % (
                    side.key, side.deployment_id, ref_id, ', '.join(r['ref_id'] for r in resources) or 'none'))
            side.view = dict(resource, deployment_id=side.deployment_id, deployment_name=deployment['name'])
            self.result[side.key] = side.view
        self.check_addresses()
        accounts = [side.view['account_id'] for side in sides]
        # unknown (None) unless both account IDs are known: a missing ID never means "the same environment"
        self.result['same_environment'] = accounts[0] == accounts[1] if all(accounts) else None
        if params['state'] == 'present':
            self.check_versions()

    def check_addresses(self):
        """What the link needs of each deployment read: the remote endpoint, and a service URL where es_url is not given."""
        for side in (self.local, self.remote):
            where = '%s deployment %s (%s)' % (side.key, side.deployment_id, side.view['ref_id'])
            if side is self.remote and not side.view['endpoint']:
                self.fail('the %s has no metadata.endpoint in its deployment read, so there is no address for the remote '
                          'cluster; check that its Elasticsearch resource is running and that the ECE user may read its '
                          'metadata' % where)
            if side.params['es'] is not None and not side.params['es']['es_url'] and not side.view['service_url']:
                self.fail('%s.es.es_url: not given, and the %s has no metadata.service_url to take it from; give the URL '
                          'of its Elasticsearch in %s.es.es_url' % (side.key, where, side.key))

    def check_versions(self):
        """Refuse, before any write, a link between versions that cannot talk to each other."""
        local, remote = self.local.view['version'], self.remote.view['version']
        if local and remote and not compatible_versions(local, remote):
            self.fail('Elasticsearch %s (local) and %s (remote) cannot be connected: remote clusters need %s; upgrade the '
                      'older cluster first' % (local, remote, VERSION_RULE))

    def remote_cluster_options(self):
        return remote_cluster_options(self.params['model'], self.local.view, self.remote.view)

    def remote_cluster_step(self, options, wait):
        return self.local.es_step(RemoteCluster, alias=self.params['alias'], skip_unavailable=self.params['skip_unavailable'],
                                  wait_for_connection=wait, wait_timeout=self.params['wait_timeout'], **options)

    def own_addresses(self):
        """The addresses the alias of the link connects to now (``(host, port)``), from the local cluster's settings."""
        local = self.local
        return remote_hosts(local.client('elasticsearch', local.es_options()).cluster_settings()).get(self.params['alias'], set())

    def configure_remote_cluster(self, step):
        """The remote cluster on the local cluster; returns the step, to wait for the connection later."""
        self.steps(('remote_cluster', 'remote cluster %s on the local cluster' % self.params['alias'], step))
        self.result['remote_info'] = self.result['remote_cluster']['remote_info']
        return step

    def wait_for_connection(self, cluster):
        """Wait until cross-cluster requests through every node of the local cluster succeed (see
        ``RemoteCluster.wait_for_connection``); ``_remote/info`` alone is never the verdict. The step name of a failure is
        remote_cluster."""
        try:
            self.result['remote_info'] = cluster.wait_for_connection(self.params['alias'])
        except ModuleFailure as failure:
            self.fail('wait for the connection: %s' % failure.msg, step='remote_cluster')
        self.result['remote_cluster']['remote_info'] = self.result['remote_info']

    def deployment_trust(self, name, side, label, **trust):
        return (name, label, side.ece_step(
            DeploymentTrust, deployment_id=side.deployment_id, ref_id=side.view['ref_id'],
            wait_timeout=self.params['plan_wait_timeout'], **trust))

    def verdict(self, cluster):
        """Check mode, which waits for nothing: whether cross-cluster requests through every node succeed now (reads
        only), as ``remote_info.connected``; ``_remote/info`` would say connected over connections whose requests fail."""
        if self.proven or not self.result.get('remote_info'):
            return
        connected, dummy = connected_through_every_node(cluster.client, self.params['alias'])
        self.result['remote_info'] = dict(self.result['remote_info'], connected=connected)

    def proven_now(self, cluster, timeout=PROBE_TIMEOUT):
        """Whether cross-cluster requests through every node succeed now, each within ``timeout``: ``(connected, reason
        of the first failure)``; when they do, the link is proven and ``remote_info`` (read again, after the requests) says
        so."""
        alias = self.params['alias']
        connected, reason = connected_through_every_node(cluster.client, alias, timeout)
        if connected:
            self.result['remote_info'] = dict(cluster.remote_info(alias) or {}, connected=True)
            self.result['remote_cluster']['remote_info'] = self.result['remote_info']
            self.proven = True
        return connected, reason

    def diagnosis(self):
        """The problems of the link, which is not connected, in plain words (see ``_link_diagnosis``)."""
        return diagnosis.diagnose_link(self)

    def key_options(self, local_view):
        return key_options(self.params, local_view)

    def role_options(self):
        return role_options(self.params)

    def role(self):
        name = self.params['role']['name']
        self.steps(('role', 'role %s on the local cluster' % name, self.local.es_step(Role, **self.role_options())))

    def local_es(self):
        return self.local.client('elasticsearch', self.local.es_options())

    def restart_step(self):
        local = self.local
        return ('restart', 'restart of the local Elasticsearch to load the credentials', local.ece_step(
            DeploymentRestart, deployment_id=local.deployment_id, ref_id=local.view['ref_id'],
            wait_timeout=self.params['plan_wait_timeout']))
