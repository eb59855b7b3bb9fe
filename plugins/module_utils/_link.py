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
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import (
    EXPIRATION_UPDATE_VERSION, MANAGED_BY, OWNER_KEYS, CrossClusterApiKey, PreviousKeys, RemoteCluster, Role,
    RotationMark, check_key_authentication, connected_through_every_node)
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    API_KEY_MIN_VERSION, API_KEY_PORT, CREDENTIALS_MIN_VERSION, PROXY_MODE_VERSION, RELOAD_MIN_VERSION, VERSION_RULE, check_alias,
    check_deployment_ids, check_pem, check_ports, check_ref_id, check_time_value, check_version, compatible_versions, credentials_setting,
    pem_fingerprint, pick_resource, publicly_trusted, same_certificate, version_tuple, view_version)
from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import (
    DeploymentInfo, DeploymentRestart, KeystoreSecret, RemoteClusters)
from ansible_collections.ece.remote_clusters.plugins.module_utils._link_removal import LinkRemoval, named_account, remote_hosts
from ansible_collections.ece.remote_clusters.plugins.module_utils._diagnosis import diagnose
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Composition, Context
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import (
    ClientPool, ModuleFailure, connection_options, deployment_argument_spec, run_step)
from ansible_collections.ece.remote_clusters.plugins.module_utils._proof import (
    DOCUMENTED_API_KEY_VERSION, below_documented, credentials_loading, digests, evidence_version, file_evidence, refused_for_privileges,
    reload_failures, restart_needed)
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import (
    DeploymentTrust, TlsCertificateInfo, TrustRelationship, TrustRelationshipInfo)
from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import wait_for_plan

# direct trust entries of type proxy exist from this ECE version on (ECE API reference, DirectTrustRelationship.type)
PROXY_TRUST_ECE_VERSION = '3.7.0'
CREDENTIALS_POLL_INTERVAL = 1.0
# check mode: the ID a deployment trust names for a relationship that the real run creates
# (named after that environment: in a rollout, the trust of one deployment to two new environments stays two entries)
CHECK_MODE_RELATIONSHIP = 'to-be-created-trusting-%s'
DEFAULT_ACCESS = {'search': [{'names': ['*']}]}
REMOTE_INDICES_PRIVILEGES = ['read', 'read_cross_cluster', 'view_index_metadata']
# steps that only read: a failure names them, but their results are returned in the link's own words (local, remote)
UNRECORDED = ('local_deployment', 'remote_deployment', 'local_environment', 'remote_environment', 'proxy_chain')
# the steps that start a plan: in a rollout they join the plan round of every link
PLAN_STEPS = (DeploymentTrust, DeploymentRestart)
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


class RemoteClusterLink(LinkRemoval, Composition):
    api = None
    pool = None    # the clients: the link's own, or those the links of a rollout share
    rounds = None  # in a rollout: the plan rounds that the links' plan-making steps join
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
        # the options of the key and of the role, checked by their own steps before any request (the local cluster ID
        # that names the key is not known yet: a stand-in takes its place)
        stand_in = {'cluster_id': '0' * 32}
        errors.extend(CrossClusterApiKey.create(self.context, None, **self.key_options(stand_in)).validate())
        if params['role'] and params['local']['es'] is not None:
            errors.extend('role.%s' % error for error in Role.create(self.context, None, **self.role_options()).validate() if error)
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
        self.result.update(model=params['model'], alias=params['alias'])
        try:
            self.read_deployments()
            if params['state'] == 'absent':
                self.remove()
            elif params['model'] == 'certificate':
                self.certificate()
            else:
                self.api_key()
        except ModuleFailure as failure:
            # what was done before the failure, for the report of a rollout
            failure.kwargs = dict(self.result, **failure.kwargs)
            raise
        finally:
            if self.diffs:
                self.result['diff'] = self.diffs

    def steps(self, *steps):
        """Run ``(name, label, step)`` steps, at the same time when there are several; record and return their results.

        In a rollout, steps that start plans (deployment trust, restarts) wait for the plan round of every link
        (:class:`PlanRounds`), which writes each deployment once and awaits all plans together."""
        if self.rounds is not None and any(isinstance(step[2], PLAN_STEPS) for step in steps):
            outcomes = self.rounds.join([step[2] for step in steps])
        elif len(steps) == 1:
            outcomes = [run_step(steps[0][2])]
        else:
            with ThreadPoolExecutor(max_workers=len(steps)) as pool:
                outcomes = list(pool.map(lambda step: run_step(step[2]), steps))
        results = []
        for (name, label, dummy), (result, failure) in zip(steps, outcomes):
            if failure is not None:
                self.fail('%s: %s' % (label, failure.msg), status=failure.kwargs.get('status'),
                          error=failure.kwargs.get('error'), step=name)
            diff = result.get('diff')
            if diff:
                self.diffs.append(dict(diff, before_header=label, after_header=label))
            self.set_changed(result['changed'])
            if name not in UNRECORDED:
                self.result[name] = result
            results.append(result)
        return results

    # -- both models -----------------------------------------------------------------------------
    def read_deployments(self):
        params = self.params
        sides = (self.local, self.remote)
        results = self.steps(*[(side.key + '_deployment', 'read the %s deployment' % side.key,
                                side.ece_step(DeploymentInfo, deployment_id=side.deployment_id,
                                              certificate_port=params['certificate_port'], api_key_port=params['api_key_port']))
                               for side in sides])
        for side, result in zip(sides, results):
            resources = result['deployments'][0]['elasticsearch']
            ref_id = side.params['ref_id']
            resource = pick_resource(resources, ref_id)
            if resource is None:
                self.fail('%s.ref_id: deployment %s has no Elasticsearch resource %s; it has: %s' % (
                    side.key, side.deployment_id, ref_id, ', '.join(r['ref_id'] for r in resources) or 'none'))
            side.view = dict(resource, deployment_id=side.deployment_id, deployment_name=result['deployments'][0]['name'])
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
        """How the local cluster connects to the remote one: proxy mode on the port of the model, or, for the certificate
        model below Elasticsearch 7.6 (which has no proxy mode), legacy sniff mode through the transport passthrough."""
        connection = self.remote.view['remote_connection']
        if self.params['model'] == 'api_key':
            return dict(mode='proxy', **connection['api_key'])
        if version_tuple(self.local.view['version']) >= version_tuple(PROXY_MODE_VERSION):
            return dict(mode='proxy', **connection['certificate'])
        return dict(mode='sniff', **connection['legacy_sniff'])

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

    # -- TLS-certificate model -------------------------------------------------------------------
    def certificate(self):
        params, local, remote = self.params, self.local, self.remote
        if any(port == params['api_key_port'] for dummy, port in self.own_addresses()):
            self.fail('the alias %s of the local cluster connects with a cross-cluster API key (port %d); moving it back to the '
                      'TLS-certificate model, which Elasticsearch deprecated in 9.0, is not supported: keep model: api_key, or '
                      'remove the link (state: absent) and create it again under the TLS-certificate model'
                      % (params['alias'], params['api_key_port']))
        own = self.environment_relationships()
        same = own is None
        relationships = None
        if not same:
            relationships = self.platform_trust(own) if params['manage_platform_trust'] else self.existing_relationships(own)
        steps = []
        for side, peer in ((local, remote), (remote, local)):
            entry = {'trust_all': True} if params['trust_all'] else {'trust_allowlist': [peer.view['cluster_id']]}
            if same:
                if not peer.view['account_id']:
                    self.fail('the account of the %s deployment %s is unknown (its trust settings name no account), so '
                              'the %s deployment cannot trust it by account' % (peer.key, peer.deployment_id, side.key))
                trust = dict(accounts=[dict(entry, account_id=peer.view['account_id'])])
            else:
                trust = dict(external=[dict(entry, trust_relationship_id=relationships[side.key])])
            label = 'deployment trust of the %s deployment %s' % (side.key, side.deployment_id)
            steps.append(self.deployment_trust(side.key + '_trust', side, label, **trust))
        self.steps(*steps)  # both plans at once
        cluster = self.configure_remote_cluster(self.remote_cluster_step(self.remote_cluster_options(), wait=False))
        self.drop_stale_credentials(cluster)
        if params['wait_for_connection'] and self.check_mode:
            self.verdict(cluster)
        if params['wait_for_connection'] and not self.check_mode:
            self.wait_for_connection(cluster)

    def verdict(self, cluster):
        """Check mode, which waits for nothing: whether cross-cluster requests through every node succeed now (reads
        only), as ``remote_info.connected``; ``_remote/info`` would say connected over connections whose requests fail."""
        if self.proven or not self.result.get('remote_info'):
            return
        connected, dummy = connected_through_every_node(cluster.client, self.params['alias'])
        self.result['remote_info'] = dict(self.result['remote_info'], connected=connected)

    def drop_stale_credentials(self, cluster):
        """A certificate-model alias whose nodes still hold credentials for it in memory (an API-key link of the same alias
        was removed, and the nodes keep what they loaded until a reload, below 8.13 until a restart) is built for the
        remote cluster server port and never connects through the transport passthrough: ``_remote/info`` of a node shows
        ``cluster_credentials`` while the keystore holds none. Then the nodes reload their keystore, or restart."""
        params, local = self.params, self.local
        running = view_version(local.view)
        if self.check_mode or version_tuple(running) < version_tuple(CREDENTIALS_MIN_VERSION):
            return
        alias = params['alias']
        nodes = cluster.client.node_count()
        if not any('cluster_credentials' in (cluster.remote_info(alias) or {}) for dummy in range(nodes)):
            return
        lookup, = self.steps(('keystore', 'look up the credentials in the local keystore', local.ece_step(
            KeystoreSecret, deployment_id=local.deployment_id, ref_id=local.view['ref_id'], remote_cluster_alias=alias)))
        if lookup['exists']:
            self.fail('the local keystore holds credentials for %s (%s), so its nodes connect with an API key, not with '
                      'TLS certificates: remove them (ece_keystore_secret, state: absent) or keep model: api_key'
                      % (alias, credentials_setting(alias)), step='keystore')
        path, why = credentials_loading(running, params['reload_min_version'])
        if path == 'reload':
            failures = reload_failures(self.local_es().reload_secure_settings())
            if not failures:
                self.result['credentials'] = ('dropped from the running nodes by a reload: they still held the credentials of '
                                              'an earlier API-key link of %s' % alias)
                return
            why = '; '.join(failures)
        self.steps(self.restart_step())
        self.result['credentials'] = ('dropped from the running nodes by a restart: they still held the credentials of an '
                                      'earlier API-key link of %s (%s)' % (alias, why))

    def environment_relationships(self):
        """The trust relationships of both environments, or None when the deployments are of one environment. Known by
        the accounts their trust names, else each environment's own ID decides; ``same_environment`` is settled either
        way."""
        if self.result['same_environment'] and all(named_account(side.view) for side in (self.local, self.remote)):
            return None
        own = self.own_relationships()
        self.result['same_environment'] = own['local']['local']['installation_id'] == own['remote']['local']['installation_id']
        return None if self.result['same_environment'] else own

    def trusting(self, own):
        """The relationship of each environment that trusts the other one (by its ID; of several, left over when the
        deletion of a duplicate failed, the lowest ID, as ece_trust_relationship picks it), or None."""
        found = {}
        for side, peer in ((self.local, self.remote), (self.remote, self.local)):
            installation_id = own[peer.key]['local']['installation_id']
            matches = sorted((r for r in own[side.key]['trust_relationships']
                              if not r['local'] and r['installation_id'] == installation_id), key=lambda r: str(r['id']))
            found[side.key] = matches[0] if matches else None
        return found

    def own_relationships(self):
        """Each environment's trust relationships (``trust_relationships``) and its own one (``local``: its environment
        ID, CA certificate and account IDs)."""
        sides = (self.local, self.remote)
        results = self.steps(*[(side.key + '_environment', 'read the trust relationships of the %s environment' % side.key,
                                side.ece_step(TrustRelationshipInfo)) for side in sides])
        for side, result in zip(sides, results):
            if not result['local'] or not result['local'].get('installation_id'):
                self.fail('the %s environment returned no local trust relationship with an environment ID; check the ECE '
                          'version (2.9 or later) and the role of the API user' % side.key)
        return dict((side.key, result) for side, result in zip(sides, results))

    @staticmethod
    def relationship_name(peer, own):
        """The name of a new relationship to ``peer``'s environment: its given name, else the name that environment gives
        itself, else one made of its ID (never a default that two links to two environments would share)."""
        if peer.params['environment']:
            return peer.params['environment']
        name = own[peer.key]['local'].get('name')
        return name if name and name not in ('local', 'remote') else 'ece-%s' % own[peer.key]['local']['installation_id'][:12]

    def platform_trust(self, own):
        """Bi-directional platform trust; returns the relationship ID each deployment trust names, or ``None`` in check
        mode when a relationship does not exist yet."""
        params, local, remote = self.params, self.local, self.remote
        steps = []
        for side, peer in ((local, remote), (remote, local)):
            peer_own = own[peer.key]['local']
            steps.append((side.key + '_relationship', 'platform trust of the %s environment in %s' % (peer.key, side.key),
                          side.ece_step(TrustRelationship, name=self.relationship_name(peer, own),
                                        installation_id=peer_own['installation_id'], certificate=peer_own['certificate'],
                                        account_ids=peer_own['account_ids'], trust_by_default=params['trust_by_default'])))
        with self.pool.serial:  # in a rollout, one link at a time: the next one finds the relationship the first created
            results = self.steps(*steps)
        # check mode: a relationship that does not exist yet has no ID; the deployment trust names a stand-in, so that its
        # change shows in the diff as the real run makes it
        return dict((side.key, result['trust_relationship'].get('id') or CHECK_MODE_RELATIONSHIP % self.relationship_name(peer, own))
                    for (side, peer), result in zip(((local, remote), (remote, local)), results))

    def existing_relationships(self, own):
        """With manage_platform_trust false: the ID of the relationship of each environment that trusts the other one."""
        found = self.trusting(own)
        for side, peer in ((self.local, self.remote), (self.remote, self.local)):
            if found[side.key] is None:
                self.fail('manage_platform_trust is false, but no trust relationship of the %s environment trusts the %s '
                          'environment (ID %s); create it (manage_platform_trust: true does)'
                          % (side.key, peer.key, own[peer.key]['local']['installation_id']))
        return dict((key, relationship['id']) for key, relationship in found.items())

    # -- diagnosis: the link read only -----------------------------------------------------------
    def diagnosis(self):
        """The problems of the link, which is not connected, in plain words: both sides read by the managers of its steps
        in check mode (nothing is written). A read that fails is a problem of kind unreadable."""
        context, check_mode = self.context, self.check_mode
        self.context = Context(check_mode=True, diff=True, secrets=context.secrets)
        self.check_mode = True
        try:
            return diagnose(self.diagnosis_facts())
        finally:
            self.context, self.check_mode = context, check_mode

    @staticmethod
    def read_only(step):
        """The result of a read-only step, or the failure as the diagnosis takes it."""
        try:
            return step().run()
        except ModuleFailure as failure:
            return {'failed': True, 'msg': failure.msg}

    def diagnosis_facts(self):
        """What the diagnosis needs to know of both sides (see ``_diagnosis.py``)."""
        params, local, remote = self.params, self.local, self.remote
        facts = dict(alias=params['alias'], model=params['model'], reload_min_version=params['reload_min_version'],
                     ports=dict(certificate=params['certificate_port'], api_key=params['api_key_port']))
        relationships = {}
        for side in (local, remote):
            info = self.read_only(lambda: side.ece_step(DeploymentInfo, deployment_id=side.deployment_id, certificate_port=params[
                'certificate_port'], api_key_port=params['api_key_port']))
            url = side.params['ece']['ece_url']
            if url not in relationships:
                relationships[url] = self.read_only(lambda: side.ece_step(TrustRelationshipInfo, include_certificate=True))
            facts[side.key] = dict(environment=side.environment, ref_id=side.params['ref_id'], trust_relationships=relationships[url],
                                   deployment=(info.get('deployments') or [info])[0])
        if local.view is None or remote.view is None:
            return facts  # a deployment could not be read: nothing more to read
        keystore = dict(deployment_id=local.deployment_id, ref_id=local.view['ref_id'], remote_cluster_alias=params['alias'])
        facts['local'].update(
            remote_cluster=self.read_only(lambda: self.remote_cluster_step(self.remote_cluster_options(), wait=False)),
            keystore=self.read_only(lambda: local.ece_step(KeystoreSecret, **keystore)))
        if params['model'] == 'api_key':
            if params['remote']['es'] is not None and version_tuple(view_version(remote.view)) >= version_tuple(CREDENTIALS_MIN_VERSION):
                facts['remote']['cross_cluster_api_key'] = self.read_only(
                    lambda: remote.es_step(CrossClusterApiKey, **self.key_options(local.view)))
            if len(relationships) > 1:
                facts['remote']['proxy_certificate'] = self.read_only(lambda: remote.ece_step(TlsCertificateInfo, service='proxy'))
        return facts

    # -- API-key model ---------------------------------------------------------------------------
    def key_options(self, local_view):
        params = self.params
        metadata = dict(params['metadata'] or {}, managed_by=MANAGED_BY, local_cluster_id=local_view['cluster_id'],
                        alias=params['alias'])
        return dict(name=params['api_key_name'] or '%s-%s' % (params['alias'], local_view['cluster_id']),
                    access=params['access'] or DEFAULT_ACCESS, metadata=metadata, expiration=params['expiration'],
                    rotate_before_days=params['rotate_before_days'], invalidate_previous=False)

    def role_options(self):
        params = self.params
        role = dict((k, v) for k, v in params['role'].items() if v is not None)
        if 'remote_indices' not in role:
            names = [n for entry in (params['access'] or DEFAULT_ACCESS).get('search') or [] for n in entry['names']]
            role['remote_indices'] = [{'clusters': [params['alias']], 'names': names or ['*'],
                                       'privileges': REMOTE_INDICES_PRIVILEGES}]
        return role

    def api_key(self):
        params, local, remote = self.params, self.local, self.remote
        alias = params['alias']
        old = [side for side in (local, remote) if version_tuple(side.view['version']) < version_tuple(API_KEY_MIN_VERSION)]
        if old:
            self.fail('the API-key security model needs Elasticsearch %s or later on both sides; the local cluster runs %s and '
                      'the remote one %s. Upgrade them, or use model: certificate' % (
                          API_KEY_MIN_VERSION, local.view['version'], remote.view['version']))
        if params['previous_key_grace'] is not None and version_tuple(remote.view['version']) < version_tuple(EXPIRATION_UPDATE_VERSION):
            self.fail('previous_key_grace: Elasticsearch %s (remote) cannot give an existing key an expiration (%s and later '
                      'can); leave previous_key_grace out to invalidate the previous keys once the new one works'
                      % (remote.view['version'], EXPIRATION_UPDATE_VERSION))
        below = below_documented(local.view['version'], remote.view['version'])
        if below:
            self.warn('%s: Elastic\'s current documentation requires Elasticsearch %s or later on both sides for the API-key model '
                      '(local %s, remote %s); this collection connects 8.12 and later, but upgrade when you can'
                      % (alias, DOCUMENTED_API_KEY_VERSION, local.view['version'], remote.view['version']))
        proxy_ca = self.proxy_ca()  # read before any write: a wrong certificate or an old ECE fails here
        # an alias of the TLS-certificate model under this name: migrated in place, the credentials loaded before the one
        # settings update that moves it to the remote cluster server port
        migrating = any(port != params['api_key_port'] for dummy, port in self.own_addresses())
        self.result['migrated'] = migrating
        if migrating:
            self.check_replication()  # before any write
        keystore = dict(deployment_id=local.deployment_id, ref_id=local.view['ref_id'], remote_cluster_alias=alias)
        lookup, = self.steps(('keystore', 'look up the credentials in the local keystore',
                              local.ece_step(KeystoreSecret, **keystore)))
        # the secret is readable only at creation: without it in the keystore, a new key is the only way on
        key, = self.steps(('api_key', 'cross-cluster API key on the remote cluster', remote.es_step(
            CrossClusterApiKey, rotate=params['rotate'] or not lookup['exists'], **self.key_options(local.view))))
        encoded = key.pop('encoded', None)
        if encoded:
            self.context.mask(encoded)
        previous = key.get('previous_ids') or []
        rotation = key.get('rotation')  # how far a rotation that an earlier run began got
        # what needs a plan comes before the credentials are written: no plan runs while a node holds credentials that
        # its alias cannot use yet (a migration) or that wait to be loaded
        if proxy_ca:
            self.steps(self.deployment_trust(
                'proxy_trust', local, 'proxy CA of the remote environment in the local deployment %s' % local.deployment_id,
                direct=[proxy_ca]))
        if migrating and params['role']:
            self.role()  # the users' privileges for the alias before it switches
        before = None
        if key['created']:
            before = self.keystore_digests(previous)
            # (in check mode, encoded is the key manager's stand-in: no key, no secret, the same change predicted)
            self.steps(('keystore', 'credentials in the local keystore', local.ece_step(
                KeystoreSecret, value=encoded, update_secret='always',
                reload_min_version=params['reload_min_version'], **keystore)))
            rotation = self.mark_rotation(key, previous, 'stored')
        cluster = self.remote_cluster_step(self.remote_cluster_options(), wait=False)
        loading = key['created'] or rotation == 'stored'
        if migrating:
            self.switch(cluster, loading, before)
        else:
            self.configure_remote_cluster(cluster)
            if loading:
                self.load_credentials(cluster, proof='settle' if previous else 'probe', before=before)
            else:
                self.check_loaded(cluster)
        if loading:
            self.mark_rotation(key, previous, 'loaded')
        if params['wait_for_connection'] and self.check_mode:
            self.verdict(cluster)
        if params['wait_for_connection'] and not self.check_mode and not self.proven:
            self.wait_for_connection(cluster)
        self.retire_previous(cluster, key, previous)
        if params['list_owned_keys']:
            self.result['owned_keys'] = self.owned_keys()
        if migrating and params['remove_previous_trust']:
            self.result['kept'] = []
            self.remove_certificate(self.other_aliases())
        if params['role'] and not migrating:
            self.role()
        elif migrating and not self.check_mode:
            self.check_roles()

    def role(self):
        name = self.params['role']['name']
        self.steps(('role', 'role %s on the local cluster' % name, self.local.es_step(Role, **self.role_options())))

    def check_replication(self):
        """A migration: followers and auto-follow patterns of the local cluster that replicate through the alias keep
        working after the switch only when the new key grants ``replication`` on their leader indices (shard follow tasks
        retry security errors forever, so nothing would fail loudly): refused before any write when it does not."""
        alias, client = self.params['alias'], self.local_es()
        try:
            leaders = [f['leader_index'] for f in client.follower_info('_all') if f.get('remote_cluster') == alias]
            leaders += [name for pattern in client.auto_follow_patterns().values() if pattern.get('remote_cluster') == alias
                        for name in pattern.get('leader_index_patterns') or []]
        except ApiError as exc:  # no replication licence or API: nothing replicates through the alias
            self.warn('%s: the followers of the local cluster could not be read (%s); make sure that the key grants '
                      'replication on the leader indices of any follower of this alias' % (alias, exc.message))
            return
        granted = [name for entry in (self.params['access'] or DEFAULT_ACCESS).get('replication') or [] for name in entry['names']]
        missing = sorted(set(leader for leader in leaders if not any(fnmatch.fnmatchcase(leader, name) for name in granted)))
        if missing:
            self.fail('followers of the local cluster replicate %s through %s, and the cross-cluster API key of this link would '
                      'grant no replication on them: after the switch their shard follow tasks would retry forever. Add '
                      'them to access.replication (for example access: {search: [...], replication: [{names: %s}]}), or pause '
                      'or unfollow those followers first' % (', '.join(missing), alias, missing), step='api_key')

    def check_roles(self):
        """After a migration: the local users need roles with ``remote_indices`` for the alias (the certificate model
        authorized their requests on the remote cluster); warn when no local role has one."""
        alias = self.params['alias']
        roles = self.local_es().roles()
        if not any(alias in (entry.get('clusters') or []) or '*' in (entry.get('clusters') or [])
                   for role in roles.values() for entry in role.get('remote_indices') or []):
            self.warn('%s: no local role grants remote_indices for the alias; under the API-key model the users who search '
                      'or replicate through it need one (the option role writes one)' % alias)

    def switch(self, cluster, loading, before):
        """A migration from the certificate model, in one breath: from the moment a node loads the credentials until the
        alias points at the API-key port, that node's requests fail ("requires channel profile to be [_remote_cluster],
        but got [default]"), so the alias moves right after the load, and the outage is measured (predicted in check
        mode) in ``outage`` and ``outage_seconds``. An alias that ECE manages leaves ECE's list first (ECE applies that
        list a moment after it answers: the alias is written only once ECE's settings are gone). With
        ``migrate_alias: remove_first`` the alias is removed before the credentials load, as Elastic's migration guide
        does. Everything that needs a plan came before."""
        params, local = self.params, self.local
        alias = params['alias']
        path, why = credentials_loading(view_version(local.view), params['reload_min_version'])
        started = time.monotonic()
        managed = False
        if self.result['same_environment']:
            listed, = self.steps(('ece_remote_clusters', 'alias %s in the ECE remote-clusters list of the local deployment' % alias,
                                  local.ece_step(RemoteClusters, deployment_id=local.deployment_id, ref_id=local.view['ref_id'],
                                                 remote_clusters=[{'alias': alias}], state='absent')))
            managed = listed['changed']
            if managed:
                self.await_alias_gone()
        self.result['outage'] = ('cross-cluster requests through %s fail from %s until the alias moves to port %d: %s' % (
            alias, 'its removal from the ECE remote-clusters list' if managed else
            'the reload of the credentials' if path == 'reload' else 'the restart that loads the credentials',
            params['api_key_port'], 'seconds (%s)' % why if path == 'reload' else 'the whole rolling restart (%s)' % why))
        if params['migrate_alias'] == 'remove_first':
            self.steps(('alias_removed', 'remote cluster %s removed before the credentials load' % alias,
                        local.es_step(RemoteCluster, alias=alias, state='absent')))
        if loading:
            self.load_credentials(cluster, proof='answer', before=before)
        self.result['remote_info'] = cluster.remote_info(alias)
        self.configure_remote_cluster(cluster)
        if self.check_mode:
            return
        if loading and 'restart' not in self.result and path == 'reload':
            proven, failures = self.reload_with_evidence(cluster, proof='probe', before=None)
            if not proven:
                self.fail('the alias %s moved to port %d, but cross-cluster requests through every node do not succeed: %s'
                          % (alias, params['api_key_port'], '; '.join(failures)), step='remote_cluster')
        else:
            self.check_loaded(cluster)
        self.result['outage_seconds'] = round(time.monotonic() - started, 1)

    def await_alias_gone(self):
        """ECE answers a change of its remote-clusters list with 202 and writes the settings a moment later: wait until the
        alias's settings are gone, so that the alias the link writes next is not removed after it."""
        if self.check_mode:
            return
        alias, client = self.params['alias'], self.local_es()
        timeout = self.params['plan_wait_timeout']
        deadline = time.monotonic() + timeout
        while alias in remote_hosts(client.cluster_settings(fresh=True)):
            if time.monotonic() >= deadline:
                self.fail('ECE did not remove the alias %s from the settings of the local cluster within %ds after it was taken '
                          'out of the ECE remote-clusters list' % (alias, timeout), step='ece_remote_clusters')
            client.sleep(0.25, waiting=('ECE to remove alias %s from the local settings' % alias, deadline, timeout))

    def owned_keys(self):
        """Every active cross-cluster API key of the remote cluster that a link of this collection owns (its metadata says
        which: the local cluster ID and the alias), so that an audit can list those that no link of it owns."""
        client = self.remote.client('elasticsearch', self.remote.es_options())
        return [dict(id=k['id'], name=k.get('name'), expiration=k.get('expiration'),
                     **dict((owner, (k.get('metadata') or {}).get(owner)) for owner in OWNER_KEYS))
                for k in client.active_api_keys()
                if k.get('type') == 'cross_cluster' and (k.get('metadata') or {}).get('managed_by') == MANAGED_BY]

    def local_es(self):
        return self.local.client('elasticsearch', self.local.es_options())

    def mark_rotation(self, key, previous, state):
        """Record in the new key of a rotation how far the rotation got (``stored``, ``loaded``), so that a run interrupted
        after it is finished by the next one; returns the state. Nothing for a key that replaces none."""
        if not previous or (self.check_mode and key['created']):  # (check mode creates no key to record it in)
            return None
        self.steps(('rotation', 'record in key %s that it is %s' % (key['id'] or '(new)', state), self.remote.es_step(
            RotationMark, name=key['name'], id=key['id'], state=state)))
        return state

    def keystore_digests(self, previous):
        """From 9.3, before the keystore write of a rotation: the digests of the keystore files the nodes hold, so that the
        file that follows the write is told from them (a reload answers them). None otherwise."""
        if self.check_mode or not previous or not evidence_version(view_version(self.local.view)):
            return None
        return digests(self.local_es().reload_secure_settings())

    def check_loaded(self, cluster):
        """Nothing written this run: where requests through some node fail, and a node's ``_remote/info`` shows it built
        its connection without credentials (a run wrote them and was interrupted before they were loaded), load them
        (a reload, or a restart); where a node's requests fail to authenticate, reload (8.13 and later) in case it holds
        other credentials than the keystore's. Other failures are the wait's to name: no restart on a guess."""
        params = self.params
        connected, reason = connected_through_every_node(cluster.client, params['alias'])
        if connected:
            self.result['credentials'] = 'in use: cross-cluster requests through every node succeed'
            self.result['remote_info'] = dict(cluster.remote_info(params['alias']) or {}, connected=True)
            self.result['remote_cluster']['remote_info'] = self.result['remote_info']
            self.proven = True
            return
        infos = [cluster.remote_info(params['alias']) or {} for dummy in range(cluster.client.node_count())]
        missing = not all('cluster_credentials' in info for info in infos)
        if missing:  # a node built its connection without credentials: it has not loaded them
            self.load_credentials(cluster, proof='probe', before=None)
        elif 'unable to authenticate' in (reason or '') and not self.check_mode and \
                credentials_loading(view_version(self.local.view), params['reload_min_version'])[0] == 'reload':
            # a node may hold other credentials than the keystore's (a reload is cheap; what else fails, the wait says)
            if self.reload_with_evidence(cluster, proof='probe', before=None)[0]:
                self.result['credentials'] = 'reloaded on every node: requests through a node failed to authenticate'

    def load_credentials(self, cluster, proof, before):
        """Make every node of the local cluster use the credentials of the keystore, with evidence: from 8.13 (option
        reload_min_version) a reload of the secure settings that every node answers without an exception, repeated until
        the new keystore file shows on every node (from 9.3 by its digest; before, by a cross-cluster request that
        succeeds through every node, or, where the old key would succeed too, a rotation, credentials_settle_seconds after
        the write); otherwise, a restart (below 8.13, a reload refused for want of manage_security, no evidence within
        credentials_wait_timeout). ``result.credentials`` says which happened and why."""
        params, local = self.params, self.local
        running = view_version(local.view)
        path, why = credentials_loading(running, params['reload_min_version'])
        if self.check_mode:
            if path == 'reload':
                self.result['credentials'] = ('would be reloaded on every node (%s), or loaded by a restart if the nodes '
                                              'refuse the reload or show no evidence of the new keystore file' % why)
                return
            self.steps(self.restart_step())
            self.result['credentials'] = 'would be loaded by a restart (%s)' % why
            return
        proven, failures = False, []
        if path == 'reload':
            proven, failures = self.reload_with_evidence(cluster, proof, before)
        needed, why = restart_needed(running, failures, proven, params['reload_min_version'])
        if not needed:
            self.result['credentials'] = 'reloaded on every node without a restart (%s)' % why
            return
        if local.view['pending_plan'] and proof != 'settle' and self.pending_plan_loaded(cluster):
            self.result['credentials'] = 'loaded by the plan that was pending on the local deployment (an earlier restart)'
            return
        self.steps(self.restart_step())
        self.result['credentials'] = 'loaded by a restart (%s)' % why

    def reload_with_evidence(self, cluster, proof, before):
        """Reload the secure settings of every node until the evidence shows every node loaded the new keystore file, or
        credentials_wait_timeout. The evidence: from 9.3 the digest of every node's file; before, ``proof``: ``probe``,
        cross-cluster requests through every node succeed (only the new credentials can make them); ``settle``, where the
        old key would succeed too (a rotation), credentials_settle_seconds of reloads after the write; ``answer``, one
        answer of every node without an exception (a migration, whose requests work only once the alias moved).
        ``(proven, failures)``."""
        params, client = self.params, self.local_es()
        setting = credentials_setting(params['alias'])
        evidence = evidence_version(view_version(self.local.view)) and proof != 'probe'
        started = time.monotonic()
        settle = params['credentials_settle_seconds'] if proof == 'settle' and not evidence else 0
        deadline = started + settle + params['credentials_wait_timeout']
        while True:
            answer = client.reload_secure_settings()
            failures = reload_failures(answer)
            if failures and refused_for_privileges(failures):
                return False, failures
            if not failures:
                if evidence:
                    proven, reason = file_evidence(answer, setting, before)
                elif proof == 'probe':
                    proven, reason = connected_through_every_node(client, params['alias'])
                else:
                    proven = time.monotonic() >= started + settle
                    reason = 'before 9.3 no node says which keystore file it loaded: reloading until %ss after the write' % settle
                if proven:
                    return True, []
                failures = [reason]
            if time.monotonic() >= deadline:
                return False, failures
            client.sleep(CREDENTIALS_POLL_INTERVAL, waiting=('every node of deployment %s to load the credentials of %s' % (
                self.local.deployment_id, params['alias']), deadline, params['credentials_wait_timeout']))

    def pending_plan_loaded(self, cluster):
        """A plan pending on the local deployment (the restart of an earlier run that timed out, say): wait for it, then
        look again, since it may have loaded the credentials: every node's connection built with them (``_remote/info``
        shows ``cluster_credentials``, which for credentials that were not there before is the evidence). No second
        restart for one change; a rotation, whose old credentials show the same, is not judged this way."""
        local = self.local
        try:
            client = local.client('ece', local.params['ece'])
            wait_for_plan(client, local.deployment_id, local.view['ref_id'], self.params['plan_wait_timeout'])
        except ApiError as exc:
            self.fail('wait for the plan pending on the local deployment %s: %s' % (local.deployment_id, exc.message),
                      step='restart', status=exc.status, error=exc.error)
        alias = self.params['alias']
        return all('cluster_credentials' in (cluster.remote_info(alias) or {}) for dummy in range(cluster.client.node_count()))

    def restart_step(self):
        local = self.local
        return ('restart', 'restart of the local Elasticsearch to load the credentials', local.ece_step(
            DeploymentRestart, deployment_id=local.deployment_id, ref_id=local.view['ref_id'],
            wait_timeout=self.params['plan_wait_timeout']))

    def retire_previous(self, cluster, key, previous):
        """The older keys of this link are retired only once the new key is in use on every node (loaded with evidence,
        then cross-cluster requests through every node succeed), never before; invalidated, or with previous_key_grace
        given that long to expire. After an invalidation the requests are tried again through every node: a node that
        still held an old key fails them, so the nodes reload (8.13 and later) until they succeed, and otherwise the step
        fails and says how to recover; it never reports a connection that requests do not prove."""
        params = self.params
        if not previous:
            return
        done, = self.steps(('previous_keys', 'retire the previous cross-cluster API keys of %s' % params['alias'],
                            self.remote.es_step(PreviousKeys, name=key['name'], ids=previous, grace=params['previous_key_grace'])))
        self.result['api_key']['invalidated_ids'] = done['invalidated_ids']
        self.result['api_key']['expiring_ids'] = done['expiring_ids']
        if self.check_mode or not done['invalidated_ids']:
            return
        try:
            self.result['remote_info'] = cluster.wait_for_connection(params['alias'])
            return
        except ModuleFailure as failure:
            reason = failure.msg
        if credentials_loading(view_version(self.local.view), params['reload_min_version'])[0] == 'reload':
            proven, failures = self.reload_with_evidence(cluster, proof='probe', before=None)
            if proven:
                self.result['credentials'] = 'reloaded again on every node after the previous key was invalidated'
                return
            reason = '; '.join(failures) or reason
        self.fail('the previous cross-cluster API keys %s of %s were invalidated, but cross-cluster requests through a node of '
                  'the local deployment %s fail: it still uses one of them (%s). To recover, run the task again (it reloads the '
                  'credentials, or restarts below %s), or restart the local deployment' % (
                      ', '.join(done['invalidated_ids']), params['alias'], self.local.deployment_id, reason,
                      params['reload_min_version']), step='previous_keys')

    def proxy_ca(self):
        """The ``direct`` trust entry of the remote environment's proxy CA for the local deployment, where it is private; None
        when no entry is needed. Checked before any write: the certificate belongs to the remote environment's proxy, and
        the local ECE knows entries of type proxy."""
        params, local, remote = self.params, self.local, self.remote
        mode = params['trust_proxy_ca']
        # one environment by the accounts its trust names, or else by the environments' IDs (read only then)
        if mode == 'never' or (mode == 'auto' and self.result['same_environment'] and self.environment_relationships() is None):
            return None
        chain, = self.steps(('proxy_chain', 'read the proxy certificate chain of the remote environment',
                             remote.ece_step(TlsCertificateInfo, service='proxy')))
        certificate = params['proxy_ca_certificate'] or chain['root_certificate']
        if not certificate:
            return None
        if params['proxy_ca_certificate'] and chain['chain'] and not any(
                same_certificate(params['proxy_ca_certificate'], pem) for pem in chain['chain']):
            self.fail('proxy_ca_certificate: is not a certificate of the proxy chain of the remote environment (%s); give '
                      'the root of GET /platform/configuration/security/tls/proxy of the remote environment, or leave it out '
                      'to read it from there' % remote.environment)
        if mode == 'auto' and publicly_trusted(certificate, params['public_ca_path']):
            return None
        for existing in ((local.view.get('trust') or {}).get('direct') or []):
            if existing.get('type') == 'proxy' and any(same_certificate(certificate, c.get('pem')) for c in existing.get('certificates') or []):
                # an entry holds the certificate already, whatever its name: nothing to write
                self.result['proxy_trust'] = {'changed': False, 'msg': 'the direct trust entry %s of type proxy holds the '
                                                                       'remote proxy CA already' % existing['name']}
                return None
        self.check_ece_version(local)
        # named after the certificate, and after the environment when it is given: two environments given the same name
        # never share a default name, so that the entry of one never replaces the certificate of the other
        fingerprint = pem_fingerprint(certificate)
        name = ('%s-proxy-%s' % (remote.params['environment'], fingerprint[:12]) if remote.params['environment']
                else 'proxy-ca-%s' % fingerprint[:16])
        return {'name': name, 'type': 'proxy', 'trust_all': False, 'certificates': [certificate]}

    def check_ece_version(self, side):
        """Refuse a proxy trust entry on an ECE that does not have that type, before any write."""
        version = side.client('ece', side.params['ece']).platform_version()
        try:
            too_old = version_tuple(version) < version_tuple(PROXY_TRUST_ECE_VERSION)
        except ValueError:
            return
        if too_old:
            self.fail('the %s environment runs ECE %s; trusting the remote proxy CA needs a direct trust entry of type proxy, '
                      'which ECE has from %s on: upgrade ECE, set trust_proxy_ca: never if the proxy certificate of the remote '
                      'environment is publicly trusted, or use model: certificate' % (side.key, version, PROXY_TRUST_ECE_VERSION),
                      step='proxy_trust')
