# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which part of a remote-cluster chain is broken, in plain words: the rules of the filter remote_cluster_diagnosis and
of the rollout's diagnosis of the links that are not connected. Pure code: it reads what the read-only managers
returned (see the filter's documentation for the shape). Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.module_utils.common.text.converters import to_native

# the ports, versions and settings of remote clusters are those of module_utils, read at each call: one definition
from ansible_collections.ece.remote_clusters.plugins.module_utils import _common
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    certificate_port, compatible_versions, credentials_setting, major_minor, pick_resource, same_certificate, split_address,
    trust_scope, version_tuple, view_version)


def _version(text):
    try:
        return version_tuple(text)
    except (TypeError, ValueError):
        return None


def _failed(value):
    return isinstance(value, dict) and bool(value.get('failed'))


def _usable(value):
    return isinstance(value, dict) and value and not value.get('failed') and not value.get('skipped')


class Side:
    """One side of the link: its environment name, deployment and Elasticsearch resource."""

    def __init__(self, data, role):
        self.data = data if isinstance(data, dict) else {}
        self.role = role
        self.environment = self.data.get('environment') or role
        deployment = self.data.get('deployment')
        self.deployment = deployment if _usable(deployment) else None
        self.cluster = None
        if self.deployment:
            self.cluster = pick_resource(self.deployment.get('elasticsearch'), self.data.get('ref_id'))
        relationships = self.data.get('trust_relationships')
        self.relationships = relationships if _usable(relationships) else None

    @property
    def label(self):
        name = (self.deployment or {}).get('name') or (self.deployment or {}).get('id') or 'the %s deployment' % self.role
        return '%s/%s' % (self.environment, name)

    @property
    def version(self):
        if not self.cluster:
            return None
        return _version(self.version_text)

    @property
    def version_text(self):
        return view_version(self.cluster)

    @property
    def cluster_id(self):
        return (self.cluster or {}).get('cluster_id')

    @property
    def account_id(self):
        return (self.cluster or {}).get('account_id')

    @property
    def trust(self):
        return (self.cluster or {}).get('trust') or {}

    @property
    def environment_id(self):
        return ((self.relationships or {}).get('local') or {}).get('installation_id')

    @property
    def environment_certificate(self):
        return ((self.relationships or {}).get('local') or {}).get('certificate')


class DiagnosisInputError(ValueError):
    """The facts given to the diagnosis are not of its shape."""


class Diagnosis:
    """The diagnosis of one link: what the facts say of it (alias, model, ports, both sides) and the problems found so
    far. ``run`` says in what order the checks run; the checks of the alias, of the certificate-model trust and of the
    API-key model are the plain functions below the class, over this diagnosis or over the sides and ``add``."""

    def __init__(self, facts):
        if not isinstance(facts, dict):
            raise DiagnosisInputError('the input must be a dictionary, not %s' % type(facts).__name__)
        if not facts.get('alias'):
            raise DiagnosisInputError('the input needs the alias of the remote cluster')
        self.facts = facts
        self.alias = facts['alias']
        self.model = facts.get('model') or 'certificate'
        if self.model not in ('certificate', 'api_key'):
            raise DiagnosisInputError('model must be certificate or api_key, not %r' % (self.model,))
        self.ports = facts.get('ports') or {}
        self.api_key_port = int(self.ports.get('api_key') or _common.API_KEY_PORT)
        self.reload_min_version = _version(facts.get('reload_min_version') or _common.RELOAD_MIN_VERSION)
        self.now = facts.get('now') or int(time.time() * 1000)
        self.local = Side(facts.get('local'), 'local')
        self.remote = Side(facts.get('remote'), 'remote')
        self.problems = []

    def add(self, problem, side, message):
        self.problems.append({'problem': problem, 'side': side, 'message': message})

    # -- all of it, in the order of the chain ------------------------------------------------------
    def run(self):
        """Unreadable inputs, both clusters, the alias (nothing of the link beyond it when it is missing), versions, the
        trust of the model, a fallback when nothing is found yet the link is not connected; the replication last."""
        self.check_inputs()
        self.check_clusters()
        settings, remote_info = self.alias_settings()
        if check_alias_settings(self, settings, remote_info):
            self.check_versions()
            if self.model == 'certificate':
                check_certificate_stray_credentials(self)
                check_certificate_trust(self.local, self.remote, self.add)
            else:
                check_api_key(self, remote_info)
            if not self.problems and not (remote_info or {}).get('connected'):
                self.add_fallback(remote_info)
        self.check_replication(remote_info)
        return self.problems

    # -- inputs ------------------------------------------------------------------------------------
    def check_inputs(self):
        reads = (('local', 'deployment', 'the local deployment'), ('remote', 'deployment', 'the remote deployment'),
                 ('local', 'trust_relationships', 'the trust relationships of the local environment'),
                 ('remote', 'trust_relationships', 'the trust relationships of the remote environment'),
                 ('local', 'remote_cluster', 'the settings of the alias on the local cluster'),
                 ('local', 'keystore', 'the keystore of the local deployment'),
                 ('remote', 'cross_cluster_api_key', 'the cross-cluster API key on the remote cluster'),
                 ('remote', 'proxy_certificate', 'the proxy certificate of the remote environment'))
        for role, key, what in reads:
            value = ((self.facts.get(role) or {}) if isinstance(self.facts.get(role), dict) else {}).get(key)
            if _failed(value):
                self.add('unreadable', role, 'Could not read %s (%s), so the checks that need it were skipped.'
                         % (what, to_native(value.get('msg') or 'no message')))
        for side in (self.local, self.remote):
            if side.deployment and not side.cluster:
                self.add('unreadable', side.role, 'Deployment %s has no Elasticsearch resource %s.'
                         % (side.label, side.data.get('ref_id') or ''))

    # -- state of both clusters --------------------------------------------------------------------
    def check_clusters(self):
        for side in (self.local, self.remote):
            cluster = side.cluster
            if not cluster:
                continue
            status = cluster.get('status')
            if status in ('stopped', 'stopping'):
                self.add('cluster_stopped', side.role, 'The %s cluster %s is %s; start it (a restart plan starts a stopped '
                         'cluster).' % (side.role, side.label, status))
            if cluster.get('pending_plan'):
                self.add('plan_pending', side.role, 'A plan is still running on %s deployment %s; trust and keystore changes '
                         'take effect only once it has completed. Wait for it, then check again.' % (side.role, side.label))

    def check_versions(self):
        local, remote = self.local.version, self.remote.version
        if self.model == 'api_key':
            minimum = _common.API_KEY_MIN_VERSION
            for side in (self.local, self.remote):
                if side.version and side.version < version_tuple(minimum):
                    self.add('incompatible_versions', side.role, 'The API-key model needs Elasticsearch %s or later on both '
                             'clusters, but the %s cluster %s runs %s: upgrade it, or use the TLS-certificate model '
                             '(model: certificate).' % (major_minor(minimum), side.role, side.label, side.version_text))
        if local and remote and not compatible_versions(local, remote):
            self.add('incompatible_versions', 'both', 'Elasticsearch %s (local, %s) and %s (remote, %s) are incompatible '
                     'versions for remote clusters: they need %s. Upgrade the older cluster.'
                     % (self.local.version_text, self.local.label, self.remote.version_text, self.remote.label, _common.VERSION_RULE))

    # -- the alias's settings on the local cluster -------------------------------------------------
    def alias_settings(self):
        result = (self.facts.get('local') or {}).get('remote_cluster')
        if not _usable(result):
            return None, None
        before = (result.get('diff') or {}).get('before')
        settings = before if isinstance(before, dict) else None
        return settings, result.get('remote_info')

    # -- after the chain ---------------------------------------------------------------------------
    def connected(self, remote_info):
        """Whether the link is connected: as given, else as _remote/info says, else (not read) when no part of the chain
        is broken."""
        if isinstance(self.facts.get('connected'), bool):
            return self.facts['connected']
        if remote_info is not None:
            return bool(remote_info.get('connected'))
        return not any(p['problem'] != 'unreadable' for p in self.problems)

    def check_replication(self, remote_info):
        """The followers and auto-follow patterns that replicate through the alias, after the chain: a follower cannot
        replicate over a link that is not connected."""
        replication = (self.facts.get('local') or {}).get('replication') if isinstance(self.facts.get('local'), dict) else None
        if replication is None:
            return
        threshold = self.facts.get('replication_lag_threshold')
        self.problems.extend(replication_diagnosis(
            replication, self.alias, self.model, self.connected(remote_info),
            REPLICATION_LAG_THRESHOLD if threshold is None else int(threshold)))

    def add_fallback(self, remote_info):
        if remote_info is None and self.alias_settings()[0] is None:
            return  # nothing was read: nothing to say beyond the unreadable inputs
        if self.model == 'api_key':
            key = (self.facts.get('remote') or {}).get('cross_cluster_api_key')
            if isinstance(key, dict) and key.get('created') is False:
                self.add('credentials_mismatch', 'both', 'An active cross-cluster API key %s exists on %s and the local keystore holds '
                         'credentials for %s, but they do not authenticate; the keystore probably holds another key\'s secret (a '
                         'secret cannot be read back to compare). Apply the link with rotate: true to create a new key and store it.'
                         % (key.get('name'), self.remote.label, self.alias))
                return
        self.add('unknown', 'both', 'Every part of the chain the APIs show is right, yet %s reports %s as not connected: check that '
                 'its nodes reach the ECE proxy of %s on the remote endpoint, and the proxy logs.'
                 % (self.local.label, self.alias, self.remote.environment))


# -- the alias and its addresses on the local cluster ---------------------------------------------------------------
def check_alias_settings(diagnosis, settings, remote_info):
    """Address, port, mode and model of the alias; False when the alias is not configured at all."""
    if settings is None:
        return True
    alias, local, remote = diagnosis.alias, diagnosis.local, diagnosis.remote
    if not settings.get('proxy_address') and not settings.get('seeds'):
        diagnosis.add('alias_missing', 'local', 'The remote cluster %s is not configured on the local cluster %s (it has no '
                      'cluster.remote.%s.proxy_address or seeds): apply the link.' % (alias, local.label, alias))
        return False
    mode = settings.get('mode') or ('proxy' if settings.get('proxy_address') else 'sniff')
    endpoint = (remote.cluster or {}).get('endpoint')
    endpoints = set(e for e in (endpoint, (remote.cluster or {}).get('aliased_endpoint')) if e)
    remote_ports = (remote.cluster or {}).get('ports')
    passthrough = certificate_port(remote_ports)
    tls_port = certificate_port(remote_ports, diagnosis.ports.get('certificate'))
    if mode == 'proxy':
        _check_proxy_mode(diagnosis, settings, endpoint, endpoints, tls_port, passthrough)
    else:
        _check_sniff_mode(diagnosis, settings, endpoint, endpoints, tls_port, passthrough)
    if remote_info and diagnosis.model == 'certificate' and remote_info.get('cluster_credentials'):
        diagnosis.add('wrong_model', 'local', 'The local cluster %s has credentials loaded for %s, so it connects in the API-key '
                      'model, but the link uses the TLS-certificate model: remove %s from its keystore '
                      '(ece_keystore_secret with state: absent) and restart it, or set model: api_key.'
                      % (local.label, alias, credentials_setting(alias)))
    return True


def _check_proxy_mode(diagnosis, settings, endpoint, endpoints, tls_port, passthrough):
    """Proxy mode: proxy_address, server_name and the port of the model. ``tls_port`` is the port the TLS-certificate
    model connects to, ``passthrough`` the transport passthrough port of the remote deployment."""
    alias, model, api_key_port, add = diagnosis.alias, diagnosis.model, diagnosis.api_key_port, diagnosis.add
    host, port = split_address(settings.get('proxy_address'))
    if endpoints and host not in endpoints:
        add('wrong_address', 'local', 'cluster.remote.%s.proxy_address points at %s, which is not the endpoint of the '
            'remote deployment %s (%s): set it to %s:%d.' % (alias, host or 'nothing', diagnosis.remote.label, endpoint, endpoint,
                                                             api_key_port if model == 'api_key' else tls_port))
    server_name = settings.get('server_name')
    if endpoint and not server_name:
        add('wrong_server_name', 'local', 'cluster.remote.%s.server_name is not set; the ECE proxy routes on it: set it to '
            'the remote endpoint %s.' % (alias, endpoint))
    elif endpoints and server_name not in endpoints:
        add('wrong_server_name', 'local', 'cluster.remote.%s.server_name is %s, not the remote endpoint %s.'
            % (alias, server_name, endpoint))
    certificate_ports = (tls_port, passthrough)
    if model == 'certificate':
        if port == api_key_port:
            add('wrong_model', 'local', 'cluster.remote.%s.proxy_address uses port %d, the remote cluster server port of the '
                'API-key model, but the link uses the TLS-certificate model, which connects to port %d: fix the port, or '
                'set model: api_key.' % (alias, port, tls_port))
        elif port == _common.PLAIN_TRANSPORT_PORT and port not in certificate_ports:
            add('wrong_port', 'local', 'cluster.remote.%s.proxy_address uses port %d: %d is the proxy\'s plain-text '
                'transport port, where no remote cluster connects; the TLS-certificate model connects to the transport '
                'passthrough port %d: apply the link again to correct it.' % (alias, port, port, tls_port))
        elif port not in certificate_ports:
            message = ('cluster.remote.%s.proxy_address uses port %s; the TLS-certificate model connects to the transport '
                       'passthrough port %d of the ECE proxy.')
            add('wrong_port', 'local', message % (alias, port, tls_port))
    else:
        if port in certificate_ports + (_common.PLAIN_TRANSPORT_PORT,):
            add('wrong_model', 'local', 'cluster.remote.%s.proxy_address uses port %d of the TLS-certificate model, but the '
                'link uses the API-key model, whose remote cluster server listens on port %d: fix the port, or set '
                'model: certificate.' % (alias, port, api_key_port))
        elif port != api_key_port:
            add('wrong_port', 'local', 'cluster.remote.%s.proxy_address uses port %s; the API-key model connects to port %d '
                'of the ECE proxy.' % (alias, port, api_key_port))


def _check_sniff_mode(diagnosis, settings, endpoint, endpoints, tls_port, passthrough):
    """Sniff mode: wrong for the API-key model and for versions that have proxy mode; else the seeds and the legacy
    cluster.remote.<alias>.proxy setting."""
    alias, local, add = diagnosis.alias, diagnosis.local, diagnosis.add
    if diagnosis.model == 'api_key':
        add('wrong_mode', 'local', 'The remote cluster %s is in sniff mode; the API-key model through the ECE proxy needs '
            'proxy mode with proxy_address %s:%d.' % (alias, endpoint or '<remote endpoint>', diagnosis.api_key_port))
        return
    if local.version and local.version >= version_tuple(_common.PROXY_MODE_VERSION):
        add('wrong_mode', 'local', 'The remote cluster %s is in sniff mode, which cannot reach a cluster behind the ECE proxy '
            '(the sniffed node addresses are internal); Elasticsearch %s has proxy mode: use proxy_address %s:%d and '
            'server_name %s.' % (alias, local.version_text, endpoint or '<remote endpoint>', tls_port, endpoint or '<remote endpoint>'))
        return
    seeds = settings.get('seeds') or []
    seeds = [seeds] if isinstance(seeds, str) else seeds
    hosts = [split_address(seed)[0] for seed in seeds]
    if endpoints and not any(h in endpoints for h in hosts):
        add('wrong_address', 'local', 'The seeds of %s (%s) do not name the endpoint of the remote deployment %s (%s).'
            % (alias, ', '.join(seeds), diagnosis.remote.label, endpoint))
    proxy = settings.get('proxy')
    expected = '%s:%s' % (endpoint, passthrough) if endpoint else None
    if not proxy:
        add('wrong_address', 'local', 'Legacy sniff mode through the ECE proxy needs cluster.remote.%s.proxy = %s.'
            % (alias, expected or '<remote endpoint>:<transport passthrough port>'))
    elif expected:
        host, port = split_address(proxy)
        if host not in endpoints:
            add('wrong_address', 'local', 'cluster.remote.%s.proxy is %s, not the remote endpoint %s.' % (alias, proxy, expected))
        elif port != passthrough:
            add('wrong_port', 'local', 'cluster.remote.%s.proxy uses port %s; the ECE proxy takes legacy sniff connections on '
                'the transport passthrough port %s.' % (alias, port, passthrough))


# -- trust in the TLS-certificate model: functions of both sides and add -------------------------------------------
def same_environment(local, remote):
    """Known by the environments' IDs, else by the accounts of both deployments; never by the names given to the
    environments (two environments may be given one name): unknown is not the same environment."""
    if local.environment_id and remote.environment_id:
        return local.environment_id == remote.environment_id
    if local.account_id and remote.account_id:
        return local.account_id == remote.account_id
    return False


def check_certificate_trust(local, remote, add):
    """Each side trusts the other: by account within one environment, else by platform trust and an external entry."""
    if not (local.cluster and remote.cluster):
        return
    if same_environment(local, remote):
        _check_account_trust(local, remote, add)
        _check_account_trust(remote, local, add)
        return
    if not (local.relationships and remote.relationships):
        return
    _check_platform_trust(local, remote, add)
    _check_platform_trust(remote, local, add)


def _allowlist_problem(truster, trustee, entry, where, add):
    allowlist = entry.get('trust_allowlist') or []
    hint = ''
    if (trustee.deployment or {}).get('id') in allowlist:
        hint = (' It lists the deployment ID %s instead: allowlists take Elasticsearch cluster IDs.'
                % trustee.deployment['id'])
    add('allowlist_missing_cluster_id', truster.role, 'Deployment %s trusts only some deployments of %s, and its allowlist '
        '(%s) lacks the cluster ID %s of %s: add it (or set trust_all).%s'
        % (truster.label, where, ', '.join(allowlist) or 'empty', trustee.cluster_id, trustee.label, hint))


def _check_account_trust(truster, trustee, add):
    entries = [e for e in truster.trust.get('accounts') or [] if e.get('account_id') == trustee.account_id]
    if not entries:
        add('deployment_trust_missing', truster.role, 'Deployment %s does not trust the deployments of its own environment '
            '%s: its trust has no accounts entry for account %s. Add one with trust_all or the cluster ID %s of %s.'
            % (truster.label, truster.environment, trustee.account_id, trustee.cluster_id, trustee.label))
    elif not any(trust_scope(e, trustee.cluster_id) for e in entries):
        _allowlist_problem(truster, trustee, entries[0], 'its own environment', add)


def _check_platform_trust(truster, trustee, add):
    relationships = [r for r in truster.relationships.get('trust_relationships') or [] if not r.get('local')]
    by_environment_id = [r for r in relationships if r.get('installation_id') == trustee.environment_id]
    named = [r for r in relationships if r.get('name') == trustee.environment and r not in by_environment_id]
    referenced_ids = set(e.get('trust_relationship_id') for e in truster.trust.get('external') or [])
    if not by_environment_id:
        wrong = named or [r for r in relationships
                          if all((r.get('id') in referenced_ids, same_certificate(r.get('certificate'), trustee.environment_certificate)))]
        if wrong:
            message = ('Environment %s trusts environment %s through trust relationship %s, but that relationship holds the '
                       'environment ID %s, while %s says its environment ID is %s: update the relationship\'s installation_id.')
            add('wrong_environment_id', truster.role, message % (
                truster.environment, trustee.environment, wrong[0].get('name'), wrong[0].get('installation_id'),
                trustee.environment, trustee.environment_id))
        else:
            message = ('Environment %s has no trust relationship for environment %s (environment ID %s): platform trust is '
                       'missing on the %s side. Create it with the environment ID and CA certificate of %s (role platform_trust).')
            add('relationship_missing', truster.role, message % (
                truster.environment, trustee.environment, trustee.environment_id, truster.environment, trustee.environment))
        return
    good = [r for r in by_environment_id
            if r.get('certificate') is None or same_certificate(r.get('certificate'), trustee.environment_certificate)]
    if not good:
        add('wrong_certificate', truster.role, 'The trust relationship %s of environment %s for environment %s holds a CA '
            'certificate that is not the platform CA of %s: replace it with the certificate of %s\'s own trust '
            'relationship.' % (by_environment_id[0].get('name'), truster.environment, trustee.environment,
                               trustee.environment, trustee.environment))
        return
    good_ids = set(r.get('id') for r in good)
    entries = [e for e in truster.trust.get('external') or [] if e.get('trust_relationship_id') in good_ids]
    if not entries:
        add('deployment_trust_missing', truster.role, 'Deployment %s does not trust environment %s: its trust has no '
            'external entry for trust relationship %s. Add one with trust_all or the cluster ID %s of %s.'
            % (truster.label, trustee.environment, good[0].get('name'), trustee.cluster_id, trustee.label))
    elif not any(trust_scope(e, trustee.cluster_id) for e in entries):
        _allowlist_problem(truster, trustee, entries[0], 'environment %s' % trustee.environment, add)


def check_certificate_stray_credentials(diagnosis):
    """Credentials in the local keystore make Elasticsearch use the API-key model for the alias once loaded; said once,
    not again when the alias's settings already showed a wrong model."""
    keystore = (diagnosis.facts.get('local') or {}).get('keystore')
    if not (_usable(keystore) and keystore.get('exists')):
        return
    local = diagnosis.local
    if local.version and local.version < version_tuple(_common.CREDENTIALS_MIN_VERSION):
        return
    if any(p['problem'] == 'wrong_model' for p in diagnosis.problems):
        return
    diagnosis.add('wrong_model', 'local', 'The keystore of %s holds %s: once loaded, Elasticsearch uses the '
                  'API-key model for this alias, but the link uses the TLS-certificate model. Remove the setting '
                  '(ece_keystore_secret with state: absent), or set model: api_key.' % (local.label, credentials_setting(diagnosis.alias)))


# -- the API-key model ----------------------------------------------------------------------------------------------
def check_api_key(diagnosis, remote_info):
    """The credentials in the local keystore, whether the nodes loaded them, the key on the remote cluster, and the
    trust of the local deployment in the remote proxy's CA."""
    alias, local, remote, add = diagnosis.alias, diagnosis.local, diagnosis.remote, diagnosis.add
    facts_local = diagnosis.facts.get('local') or {}
    facts_remote = diagnosis.facts.get('remote') or {}
    keystore = facts_local.get('keystore')
    if _usable(keystore) and 'exists' in keystore:
        if not keystore['exists']:
            add('keystore_missing_credentials', 'local', 'The keystore of the local deployment %s lacks '
                '%s, the encoded cross-cluster API key of the remote cluster: apply the link '
                '(it creates a key and stores it).' % (local.label, credentials_setting(alias)))
        elif isinstance(remote_info, dict) and not remote_info.get('cluster_credentials'):
            version = local.version
            if version and version < diagnosis.reload_min_version:
                add('restart_required', 'local', 'The keystore of %s holds the credentials of %s, but the running nodes have '
                    'not loaded them: Elasticsearch %s loads remote cluster credentials only at a restart. Restart the '
                    'deployment (ece_deployment_restart).' % (local.label, alias, local.version_text))
            else:
                add('restart_required', 'local', 'The keystore of %s holds the credentials of %s, but the running nodes have '
                    'not loaded them: reload the secure settings (POST _nodes/reload_secure_settings) or restart the '
                    'deployment.' % (local.label, alias))
    key = facts_remote.get('cross_cluster_api_key')
    if _usable(key):
        if key.get('created') and _usable(keystore) and keystore.get('exists') is False:
            add('api_key_invalid', 'remote', 'No active cross-cluster API key named %s exists on the remote cluster %s '
                '(the link was never applied, or its key was invalidated or has expired). Apply the link: it creates a '
                'key and stores it.' % (key.get('name'), remote.label))
        elif key.get('created'):
            add('api_key_invalid', 'remote', 'No active cross-cluster API key named %s exists on the remote cluster %s: it '
                'was invalidated, has expired or was deleted, so the credentials in the local keystore no longer '
                'authenticate. Apply the link again: it creates a new key and stores it.' % (key.get('name'), remote.label))
        elif key.get('expiration') and key['expiration'] <= diagnosis.now:
            add('api_key_invalid', 'remote', 'The cross-cluster API key %s (%s) on %s has expired: apply the link with '
                'rotate: true.' % (key.get('name'), key.get('id'), remote.label))
    _check_proxy_ca(local, remote, facts_remote.get('proxy_certificate'), add)


def _check_proxy_ca(local, remote, chain, add):
    if not _usable(chain) or same_environment(local, remote):
        return
    if chain.get('user_supplied') or not chain.get('root_certificate'):
        return
    for entry in local.trust.get('direct') or []:
        if entry.get('type') != 'proxy':
            continue
        for certificate in entry.get('certificates') or []:
            pem = certificate.get('pem') if isinstance(certificate, dict) else certificate
            if same_certificate(pem, chain['root_certificate']):
                return
    add('proxy_ca_not_trusted', 'local', 'The proxy of environment %s presents a certificate of its own, private CA, and the '
        'local deployment %s does not trust it: add a direct trust entry of type proxy holding the root of GET '
        '/platform/configuration/security/tls/proxy of %s.' % (remote.environment, local.label, remote.environment))


# -- cross-cluster replication through the alias --------------------------------------------------------------------
# operations a follower may be behind its leader before the diagnosis names the lag
REPLICATION_LAG_THRESHOLD = 1000
# errors that Elasticsearch's shard follow tasks retry forever (ShardFollowNodeTask.shouldRetry), by what they mean
CONNECTION_ERRORS = ('connect_transport_exception', 'node_disconnected_exception', 'node_not_connected_exception',
                     'no_such_remote_cluster_exception', 'node_closed_exception', 'transport_exception')
BLOCK_ERRORS = ('cluster_block_exception', 'index_closed_exception')


def _plural(count, noun, plural=None):
    return '%d %s' % (count, noun if count == 1 else plural or noun + 's')


def _error(exception):
    exception = exception or {}
    return '%s (%s)' % (to_native(exception.get('reason') or 'no reason given'), exception.get('type') or 'unknown error')


def _privileges_hint(alias, model, leaders):
    leaders = ', '.join(sorted(set(leaders))) or 'the leader index'
    if model == 'api_key':
        return ('the link\'s cross-cluster API key lacks replication access to %s (access.replication of the key, on the leader '
                'cluster), or the local role lacks manage_ccr and remote_indices with cross_cluster_replication for %s and %s: '
                'grant them (apply the link with its replication option), and replication resumes by itself'
                % (leaders, alias, leaders))
    return ('the roles of the user that created the follower lack read_ccr and the index privileges monitor and read on %s on '
            'the leader cluster, or manage_ccr on the local cluster: grant them, and replication resumes by itself' % leaders)


def _retry_hint(exception, alias, model, leaders):
    """What a retried error means and what to do about it."""
    kind = (exception or {}).get('type') or ''
    if kind == 'security_exception':
        return _privileges_hint(alias, model, leaders)
    if kind in CONNECTION_ERRORS:
        return 'the connection to %s fails: see why the link is not connected' % alias
    if kind in BLOCK_ERRORS:
        return 'the leader index is closed or blocked: open it on the leader cluster'
    return 'Elasticsearch retries it; fix its cause'


def replication_diagnosis(replication, alias, model='certificate', connected=True, lag_threshold=REPLICATION_LAG_THRESHOLD):
    """The problems of the followers and auto-follow patterns that replicate through ``alias`` (what
    ``_replication.alias_replication`` returned, or a failed read), each ``{problem, side, message}``: what stopped or is
    paused, then, over a connected link, what retries, what fails to auto-follow and what lags; over a link that is not
    connected, one problem says that the followers retry because of it."""
    if not isinstance(replication, dict):
        return []
    if replication.get('failed'):
        return [{'problem': 'replication_unreadable', 'side': 'local', 'message': (
            'Could not read the cross-cluster replication through %s (%s): reading it needs a licence that includes it '
            '(platinum, enterprise or a trial) and a user with the cluster privileges monitor (followers and their stats) and '
            'manage_ccr (auto-follow patterns) on the local cluster.'
            % (alias, to_native(replication.get('msg') or 'no message')))}]
    followers = [f for f in replication.get('followers') or [] if isinstance(f, dict)]
    patterns = [p for p in replication.get('auto_follow_patterns') or [] if isinstance(p, dict)]
    problems = []

    def add(problem, side, message):
        problems.append({'problem': problem, 'side': side, 'message': message})

    for follower in followers:
        name, leader = follower.get('follower_index'), follower.get('leader_index')
        fatal = follower.get('fatal_exceptions') or []
        if fatal:
            shards = ', '.join(str(f.get('shard_id')) for f in fatal)
            gone = any(f.get('type') == 'index_not_found_exception' for f in fatal)
            add('follower_stopped', 'local', 'Follower %s stopped replicating %s of %s on shard%s %s: %s. Elasticsearch does not '
                'retry this error: %s.' % (name, leader, alias, 's' if len(fatal) > 1 else '', shards, _error(fatal[0]),
                                           'the leader index is gone, so the follower cannot resume: stop following it '
                                           '(es_ccr_follower with state: absent) and follow the new leader index' if gone else
                                           'fix the cause, then pause and resume the follower (es_ccr_follower with '
                                           'status: paused, then status: active)'))
        elif follower.get('status') == 'paused':
            add('follower_paused', 'local', 'Follower %s of %s on %s is paused: it does not replicate until it is resumed '
                '(es_ccr_follower with status: active).' % (name, leader, alias))
    waiting = [f for f in followers if f.get('status') != 'paused' and not f.get('fatal_exceptions')]
    errors = [e for e in replication.get('auto_follow_errors') or [] if isinstance(e, dict)]
    if not connected:
        if waiting or patterns:
            add('replication_interrupted', 'local', '%s%s replicate%s through %s, which is not connected: %s until the link '
                'connects again, and catches up by itself then; fix why the link is not connected.' % (
                    ('%s (%s)' % (_plural(len(waiting), 'follower'), ', '.join(f.get('follower_index') for f in waiting))) if waiting else '',
                    ('%s%s (%s)' % (' and ' if waiting else '', _plural(len(patterns), 'auto-follow pattern'),
                                    ', '.join(p.get('name') for p in patterns))) if patterns else '',
                    's' if len(waiting) + len(patterns) == 1 else '', alias,
                    'replication retries (read exceptions)' if waiting else 'no new leader index is followed'))
        return problems
    for follower in waiting:
        name, leader = follower.get('follower_index'), follower.get('leader_index')
        retried = follower.get('read_exceptions') or []
        if retried:
            first = retried[0]
            add('follower_retrying', 'both' if (first.get('exception') or {}).get('type') == 'security_exception' else 'local',
                'Follower %s cannot read %s of %s and retries (%s on shard %s): %s; %s.' % (
                    name, leader, alias, _plural(int(first.get('retries') or 0), 'retry', 'retries'), first.get('shard_id'),
                    _error(first.get('exception')), _retry_hint(first.get('exception'), alias, model, [leader])))
        elif (follower.get('global_checkpoint_lag') or 0) > lag_threshold:
            add('replication_lag', 'local', 'Follower %s is %d operations behind %s of %s (more than %d): it catches up while the '
                'leader is written more slowly than it replicates; if the lag keeps growing, give the local cluster more '
                'capacity or raise max_read_request_size and max_outstanding_read_requests of the follower.'
                % (name, follower['global_checkpoint_lag'], leader, alias, lag_threshold))
    by_name = dict((p.get('name'), p) for p in patterns)
    for error in errors:
        pattern, dummy, index = to_native(error.get('leader_index') or '').partition(':')
        exception = error.get('auto_follow_exception')
        leaders = [index] if index else (by_name.get(pattern) or {}).get('leader_index_patterns') or []
        add('auto_follow_failed', 'both' if (exception or {}).get('type') == 'security_exception' else 'local',
            'Auto-follow pattern %s of %s failed%s: %s; %s.' % (
                pattern, alias, (' to follow %s' % index) if index else ' to read the leader cluster', _error(exception),
                _retry_hint(exception, alias, model, leaders)))
    return problems


def diagnose(facts):
    """The problems of one remote-cluster link, in the order of its chain, each in plain words."""
    return Diagnosis(facts).run()
