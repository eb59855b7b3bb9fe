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

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import CrossClusterApiKey, RemoteCluster, Role
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    check_alias, check_deployment_ids, check_pem, check_ref_id, check_version, version_tuple)
from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import (
    DeploymentInfo, DeploymentRestart, KeystoreSecret)
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import (
    ModuleFailure, RemoteClustersModule, connection_options, deployment_argument_spec, new_client)
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import (
    DeploymentTrust, TlsCertificateInfo, TrustRelationship, TrustRelationshipInfo)

API_KEY_MIN_VERSION = '8.12.0'
PROXY_MODE_VERSION = (7, 6, 0)
DEFAULT_ACCESS = {'search': [{'names': ['*']}]}
REMOTE_INDICES_PRIVILEGES = ['read', 'read_cross_cluster', 'view_index_metadata']
# steps that only read: a failure names them, but their results are returned in the link's own words (local, remote)
UNRECORDED = ('local_deployment', 'remote_deployment', 'local_environment', 'remote_environment', 'proxy_chain')
ROLE_OPTIONS = ('name', 'cluster', 'indices', 'remote_indices', 'remote_cluster', 'metadata', 'description')


def side_options(environment):
    """The options of one side of the link (``local`` or ``remote``)."""
    ece, ece_constraints = connection_options('ece', fallbacks=False)
    es, es_constraints = connection_options('elasticsearch', fallbacks=False)
    es['es_url'] = dict(type='str')  # default: the service URL of the deployment's Elasticsearch resource
    return dict(
        deployment_argument_spec(),
        environment=dict(type='str', default=environment),
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
        self.environment = params['environment']
        self.view = None
        self._clients = {}

    def client(self, api, options):
        if api not in self._clients:
            self._clients[api] = new_client(api, options, self.link.check_mode, self.link.module.warn)
            self._clients[api].keep_reads()
        return self._clients[api]

    def es_options(self, view=None):
        view = view or self.view
        options = dict(self.params['es'])
        options['es_url'] = options['es_url'] or view['service_url']
        # the version ECE reports saves the request that reads it
        options['elasticsearch_version'] = options['elasticsearch_version'] or view['running_version'] or view['version']
        return options

    def ece_step(self, cls, **params):
        return cls(parent=self.link, params=dict(self.params['ece'], **params), client=self.client('ece', self.params['ece']))

    def es_step(self, cls, **params):
        options = self.es_options()
        return cls(parent=self.link, params=dict(options, **params), client=self.client('elasticsearch', options))

    def close(self):
        for client in self._clients.values():
            client.close()


class RemoteClusterLink(RemoteClustersModule):
    api = None
    argument_spec = dict(
        model=dict(type='str', required=True, choices=['certificate', 'api_key']),
        alias=dict(type='str', required=True),
        local=dict(type='dict', required=True, options=side_options('local')),
        remote=dict(type='dict', required=True, options=side_options('remote')),
        skip_unavailable=dict(type='bool', default=False),
        wait_for_connection=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=60),
        plan_wait_timeout=dict(type='int', default=1800),
        # TLS-certificate model
        trust_all=dict(type='bool', default=False),
        manage_platform_trust=dict(type='bool', default=True),
        trust_by_default=dict(type='bool', default=False),
        certificate_port=dict(type='int', default=9300),
        # API-key model
        access=dict(type='dict', options=CrossClusterApiKey.argument_spec['access']['options']),
        api_key_name=dict(type='str', no_log=False),
        metadata=dict(type='dict'),
        expiration=dict(type='str'),
        rotate=dict(type='bool', default=False),
        api_key_port=dict(type='int', default=9443, no_log=False),
        trust_proxy_ca=dict(type='str', choices=['auto', 'always', 'never'], default='auto'),
        proxy_ca_certificate=dict(type='str'),
        reload_min_version=dict(type='str', default='8.13.0'),
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
        if params['local']['es'] is None:
            errors.append('local.es: give the connection options of a local Elasticsearch user who may manage cluster '
                          'settings (es_username and es_password, or es_api_key); es_url defaults to the deployment\'s')
        for option in ('certificate_port', 'api_key_port'):
            if not 1 <= params[option] <= 65535:
                errors.append('%s: %d is not a TCP port; give a number from 1 to 65535' % (option, params[option]))
        for option, example in (('wait_timeout', 60), ('plan_wait_timeout', 1800)):
            if params[option] < 0:
                errors.append('%s: %d is negative; give the seconds to wait, e.g. %d' % (option, params[option], example))
        if params['model'] == 'api_key':
            errors.extend(self.validate_api_key())
        return errors

    def validate_api_key(self):
        params = self.params
        errors = [check_version(params['reload_min_version'], 'reload_min_version')]
        if params['proxy_ca_certificate']:
            errors.append(check_pem(params['proxy_ca_certificate'], 'proxy_ca_certificate'))
        if params['remote']['es'] is None:
            errors.append('remote.es: the API-key model creates the cross-cluster API key on the remote cluster; give the '
                          'connection options of a remote user with the manage_security privilege (es_username and '
                          'es_password)')
            return errors
        # the options of the key and of the role, checked by their own steps before any request (names and URLs that
        # come from the deployments are not known yet: stand-ins take their place)
        stand_in = {'service_url': 'https://elasticsearch.invalid', 'running_version': None, 'version': '8.15.0',
                    'cluster_id': '0' * 32}
        errors.extend(CrossClusterApiKey(parent=self, params=dict(self.remote.es_options(stand_in),
                                                                  **self.key_options(stand_in))).validate())
        if params['role'] and params['local']['es'] is not None:
            role = Role(parent=self, params=dict(self.local.es_options(stand_in), **self.role_options()))
            errors.extend('role.%s' % error for error in role.validate() if error)
        return errors

    # -- life cycle ------------------------------------------------------------------------------
    def run(self):
        self.local = Side(self, 'local', self.params['local'])
        self.remote = Side(self, 'remote', self.params['remote'])
        self.diffs = []
        try:
            super(RemoteClusterLink, self).run()
        finally:
            self.local.close()
            self.remote.close()

    def execute(self):
        params = self.params
        self.result.update(model=params['model'], alias=params['alias'])
        try:
            self.read_deployments()
            if params['model'] == 'certificate':
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
        """Run ``(name, label, step)`` steps, at the same time when there are several; record and return their results."""
        if len(steps) == 1:
            outcomes = [self._outcome(steps[0][2])]
        else:
            with ThreadPoolExecutor(max_workers=len(steps)) as pool:
                outcomes = list(pool.map(lambda step: self._outcome(step[2]), steps))
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

    @staticmethod
    def _outcome(step):
        try:
            return step.run(), None
        except ModuleFailure as failure:
            return None, failure

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
            matches = [r for r in resources if r['ref_id'] == ref_id] if ref_id else resources[:1]
            if not matches:
                self.fail('%s.ref_id: deployment %s has no Elasticsearch resource %s; it has: %s' % (
                    side.key, side.deployment_id, ref_id, ', '.join(r['ref_id'] for r in resources) or 'none'))
            side.view = dict(matches[0], deployment_id=side.deployment_id, deployment_name=result['deployments'][0]['name'])
            self.result[side.key] = side.view
        self.result['same_environment'] = self.local.view['account_id'] == self.remote.view['account_id']

    def configure_remote_cluster(self, options, wait):
        """The remote cluster on the local cluster; returns the step, to wait for the connection later."""
        step = self.local.es_step(RemoteCluster, alias=self.params['alias'], skip_unavailable=self.params['skip_unavailable'],
                                  wait_for_connection=wait, wait_timeout=self.params['wait_timeout'], **options)
        self.steps(('remote_cluster', 'remote cluster %s on the local cluster' % self.params['alias'], step))
        self.result['remote_info'] = self.result['remote_cluster']['remote_info']
        return step

    def deployment_trust(self, name, side, label, **trust):
        return (name, label, side.ece_step(
            DeploymentTrust, deployment_id=side.deployment_id, ref_id=side.view['ref_id'],
            wait_timeout=self.params['plan_wait_timeout'], **trust))

    # -- TLS-certificate model -------------------------------------------------------------------
    def certificate(self):
        params, local, remote = self.params, self.local, self.remote
        same = self.result['same_environment']
        relationships = {'local': {'trust_relationship_name': remote.environment},
                         'remote': {'trust_relationship_name': local.environment}}
        if not same and params['manage_platform_trust']:
            own = self.own_relationships()
            same = own['local']['installation_id'] == own['remote']['installation_id']
            if not same:
                relationships = self.platform_trust(own)
        if relationships is None:
            # check mode: the relationships do not exist yet, so there is no ID for the deployment trust to name
            for side in (local, remote):
                self.result[side.key + '_trust'] = {
                    'changed': True, 'msg': 'check mode: the trust relationships do not exist yet; the deployment trust '
                                            'would be updated once they are created'}
            self.set_changed()
        else:
            steps = []
            for side, peer in ((local, remote), (remote, local)):
                entry = {'trust_all': True} if params['trust_all'] else {'trust_allowlist': [peer.view['cluster_id']]}
                if same:
                    trust = dict(accounts=[dict(entry, account_id=peer.view['account_id'])])
                else:
                    trust = dict(external=[dict(entry, **relationships[side.key])])
                label = 'deployment trust of the %s deployment %s' % (side.key, side.deployment_id)
                steps.append(self.deployment_trust(side.key + '_trust', side, label, **trust))
            self.steps(*steps)  # both plans at once
        connection = remote.view['remote_connection']
        if version_tuple(local.view['version']) >= PROXY_MODE_VERSION:
            options = dict(mode='proxy', **connection['certificate'])
        else:  # proxy mode does not exist before 7.6: legacy sniff mode through the transport passthrough
            options = dict(mode='sniff', **connection['legacy_sniff'])
        self.configure_remote_cluster(options, wait=params['wait_for_connection'] and not self.check_mode)

    def own_relationships(self):
        """Each environment's own trust relationship: its environment ID, CA certificate and account IDs."""
        sides = (self.local, self.remote)
        results = self.steps(*[(side.key + '_environment', 'read the trust relationships of the %s environment' % side.key,
                                side.ece_step(TrustRelationshipInfo)) for side in sides])
        for side, result in zip(sides, results):
            if not result['local']:
                self.fail('the %s environment returned no local trust relationship; check the ECE version (2.9 or later) '
                          'and the role of the API user' % side.key)
        return dict((side.key, result['local']) for side, result in zip(sides, results))

    def platform_trust(self, own):
        """Bi-directional platform trust; returns the relationship each deployment trust names, or ``None`` in check
        mode when a relationship does not exist yet."""
        params, local, remote = self.params, self.local, self.remote
        steps = []
        for side, peer in ((local, remote), (remote, local)):
            steps.append((side.key + '_relationship', 'platform trust of the %s environment in %s' % (peer.key, side.key),
                          side.ece_step(TrustRelationship, name=peer.environment, installation_id=own[peer.key]['installation_id'],
                                        certificate=own[peer.key]['certificate'], account_ids=own[peer.key]['account_ids'],
                                        trust_by_default=params['trust_by_default'])))
        ids = [result['trust_relationship'].get('id') for result in self.steps(*steps)]
        if not all(ids):
            return None
        return dict((side.key, {'trust_relationship_id': i}) for side, i in zip((local, remote), ids))

    # -- API-key model ---------------------------------------------------------------------------
    def key_options(self, local_view):
        params = self.params
        metadata = dict(params['metadata'] or {}, managed_by='ece.remote_clusters', local_cluster_id=local_view['cluster_id'],
                        alias=params['alias'])
        return dict(name=params['api_key_name'] or '%s-%s' % (params['alias'], local_view['cluster_id']),
                    access=params['access'] or DEFAULT_ACCESS, metadata=metadata, expiration=params['expiration'],
                    invalidate_previous=True)

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
        keystore = dict(deployment_id=local.deployment_id, ref_id=local.view['ref_id'], remote_cluster_alias=alias)
        lookup, = self.steps(('keystore', 'look up the credentials in the local keystore',
                              local.ece_step(KeystoreSecret, **keystore)))
        # the secret is readable only at creation: without it in the keystore, a new key is the only way on
        key, = self.steps(('api_key', 'cross-cluster API key on the remote cluster', remote.es_step(
            CrossClusterApiKey, rotate=params['rotate'] or not lookup['exists'], **self.key_options(local.view))))
        encoded = key.pop('encoded', None)
        if encoded:
            self.module.no_log_values.add(encoded)
        if key['created']:
            # check mode creates no key, so there is no secret yet: any value predicts the change
            self.steps(('keystore', 'credentials in the local keystore', local.ece_step(
                KeystoreSecret, value=encoded if not self.check_mode else 'check-mode', update_secret='always',
                reload_min_version=params['reload_min_version'], **keystore)))
        self.trust_proxy_ca()
        connection = remote.view['remote_connection']['api_key']
        cluster = self.configure_remote_cluster(dict(mode='proxy', **connection), wait=False)
        remote_info = self.result['remote_info'] or {}
        # Below the reload version, running nodes see new credentials only after a restart. _remote/info shows
        # cluster_credentials only for credentials the nodes loaded, so it also tells when an earlier run stored them
        # but did not get to restart (an interrupted run, a failed restart plan).
        running = local.view['running_version'] or local.view['version']
        not_loaded = (version_tuple(running) < version_tuple(params['reload_min_version'])
                      and 'cluster_credentials' not in remote_info)
        restart = self.result['keystore']['changed'] and self.result['keystore'].get('restart_required')
        if restart or not_loaded:
            self.steps(('restart', 'restart of the local Elasticsearch to load the credentials', local.ece_step(
                DeploymentRestart, deployment_id=local.deployment_id, ref_id=local.view['ref_id'],
                only_if_version_below=params['reload_min_version'], wait_timeout=params['plan_wait_timeout'])))
        if params['wait_for_connection'] and not self.check_mode and (not remote_info.get('connected') or 'restart' in self.result):
            try:
                self.result['remote_info'] = cluster.wait_for_connection(alias)
            except ModuleFailure as failure:
                self.fail('wait for the connection: %s' % failure.msg, step='remote_cluster')
            self.result['remote_cluster']['remote_info'] = self.result['remote_info']
        if params['role']:
            self.steps(('role', 'role %s on the local cluster' % params['role']['name'], local.es_step(Role, **self.role_options())))

    def trust_proxy_ca(self):
        """The remote environment's proxy CA in the local deployment's trust, where it is private."""
        params, local, remote = self.params, self.local, self.remote
        certificate = params['proxy_ca_certificate']
        mode = params['trust_proxy_ca']
        if not certificate and mode != 'never' and (mode == 'always' or not self.result['same_environment']):
            chain, = self.steps(('proxy_chain', 'read the proxy certificate chain of the remote environment',
                                 remote.ece_step(TlsCertificateInfo, service='proxy')))
            if mode == 'always' or not chain['user_supplied']:
                certificate = chain['root_certificate']
        if certificate:
            self.steps(self.deployment_trust(
                'proxy_trust', local, 'proxy CA of the remote environment in the local deployment %s' % local.deployment_id,
                direct=[{'name': '%s-proxy' % remote.environment, 'type': 'proxy', 'trust_all': False,
                         'certificates': [certificate]}]))
