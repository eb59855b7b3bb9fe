# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The API-key model of a link (remote_cluster_link, model: api_key), in its order: the proxy CA where private, the
cross-cluster API key on the remote cluster, the credentials in the local keystore and loaded with evidence, the alias on
the remote cluster server port, proof through every node, then the previous keys retired and replication. Plain
functions over a running link. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_certificate as certificate
from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_credentials as credentials
from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_migration as migration
from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_removal as removal
from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_replication as replication
from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import (
    EXPIRATION_UPDATE_VERSION, MANAGED_BY, OWNER_KEYS, CrossClusterApiKey, PreviousKeys, RotationMark)
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    API_KEY_MIN_VERSION, pem_fingerprint, publicly_trusted, same_certificate, version_tuple, view_version)
from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import KeystoreSecret
from ansible_collections.ece.remote_clusters.plugins.module_utils._link_decisions import PROXY_TRUST_ECE_VERSION
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import ModuleFailure
from ansible_collections.ece.remote_clusters.plugins.module_utils._proof import (
    DOCUMENTED_API_KEY_VERSION, below_documented, credentials_loading, digests, evidence_version)
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import TlsCertificateInfo


def create(link):
    """A link of the API-key model, in this order: refuse versions without it; the proxy CA entry and what replicates
    through the alias read (a key that would not serve it refused) before any write; the key on the remote cluster; what
    needs a plan (proxy CA, a migration's role) before the credentials; the credentials in the local keystore; the alias
    with the credentials loaded with evidence (a migration: paused replication, then the switch); proof through every
    node; the previous keys retired; paused replication resumed and proven; the role; the followers of
    ``replication``."""
    params, local, remote = link.params, link.local, link.remote
    alias = params['alias']
    old = [side for side in (local, remote) if version_tuple(side.view['version']) < version_tuple(API_KEY_MIN_VERSION)]
    if old:
        link.fail('the API-key security model needs Elasticsearch %s or later on both sides; the local cluster runs %s and '
                  'the remote one %s. Upgrade them, or use model: certificate' % (
                      API_KEY_MIN_VERSION, local.view['version'], remote.view['version']))
    if params['previous_key_grace'] is not None and version_tuple(remote.view['version']) < version_tuple(EXPIRATION_UPDATE_VERSION):
        link.fail('previous_key_grace: Elasticsearch %s (remote) cannot give an existing key an expiration (%s and later '
                  'can); leave previous_key_grace out to invalidate the previous keys once the new one works'
                  % (remote.view['version'], EXPIRATION_UPDATE_VERSION))
    below = below_documented(local.view['version'], remote.view['version'])
    if below:
        link.warn('%s: Elastic\'s current documentation requires Elasticsearch %s or later on both sides for the API-key model '
                  '(local %s, remote %s); this collection connects 8.12 and later, but upgrade when you can'
                  % (alias, DOCUMENTED_API_KEY_VERSION, local.view['version'], remote.view['version']))
    proxy_entry = proxy_ca(link)  # read before any write: a wrong certificate or an old ECE fails here
    # an alias of the TLS-certificate model under this name: migrated in place, the credentials loaded before the one
    # settings update that moves it to the remote cluster server port
    migrating = any(port != params['api_key_port'] for dummy, port in link.own_addresses())
    link.result['migrated'] = migrating
    keystore = dict(deployment_id=local.deployment_id, ref_id=local.view['ref_id'], remote_cluster_alias=alias)
    lookup, = link.steps(('keystore', 'look up the credentials in the local keystore',
                          local.ece_step(KeystoreSecret, **keystore)))
    # the secret is readable only at creation: without it in the keystore, a new key is the only way on
    label = 'cross-cluster API key on the remote cluster'
    planned = link.plan('api_key', label, remote.es_step(
        CrossClusterApiKey, rotate=params['rotate'] or not lookup.result['exists'], **link.key_options(local.view)))
    # where the key changes (created, rotated, its access updated) or the alias moves to it: what replicates through the
    # alias, read before any write; a key that would not grant replication on the leaders in use is refused
    observed = None
    if migrating or planned.plan.changed:
        observed = replication.observe(link)
        replication.check_key_covers(link, observed)
    link.steps(('api_key', label, planned))
    key = link.result['api_key']  # what the link reports of the key, and says of it after its step
    encoded = key.pop('encoded', None)  # the secret goes to the keystore, never into the result
    if encoded:
        link.context.mask(encoded)
    previous = key.get('previous_ids') or []
    if observed is None and (key['created'] or previous):  # a new key, or a rotation an earlier run began: proven below
        observed = replication.observe(link)
    rotation = key.get('rotation')  # how far a rotation that an earlier run began got
    # what needs a plan comes before the credentials are written: no plan runs while a node holds credentials that
    # its alias cannot use yet (a migration) or that wait to be loaded
    if proxy_entry:
        link.steps(link.deployment_trust(
            'proxy_trust', local, 'proxy CA of the remote environment in the local deployment %s' % local.deployment_id,
            direct=[proxy_entry]))
    if migrating and params['role']:
        link.role()  # the users' privileges for the alias before it switches
    before = None
    if key['created']:
        before = keystore_digests(link, previous)
        # (in check mode, encoded is the key manager's stand-in: no key, no secret, the same change predicted)
        link.steps(('keystore', 'credentials in the local keystore', local.ece_step(
            KeystoreSecret, value=encoded, update_secret='always',
            reload_min_version=params['reload_min_version'], **keystore)))
        rotation = mark_rotation(link, key, previous, 'stored')
    cluster = link.remote_cluster_step(link.remote_cluster_options(), wait=False)
    loading = key['created'] or rotation == 'stored'
    paused = key.get('ccr_paused')  # what a migration that an earlier run began paused
    if migrating:
        if params['ccr_pause'] and observed:
            paused = replication.pause(link, key, observed)
        migration.switch(link, cluster, loading, before)
    else:
        link.configure_remote_cluster(cluster)
        if loading:
            credentials.load_credentials(link, cluster, proof='settle' if previous else 'probe', before=before)
        else:
            credentials.check_loaded(link, cluster)
    if loading:
        mark_rotation(link, key, previous, 'loaded')
    if params['wait_for_connection'] and link.check_mode:
        link.verdict(cluster)
    if params['wait_for_connection'] and not link.check_mode and not link.proven:
        link.wait_for_connection(cluster)
    retire_previous(link, cluster, key, previous)
    replication.resume(link, key, paused)
    if (key['created'] or previous) and observed:  # a new key serves the followers of the alias: they replicate
        replication.verify(link, observed, expected=[f['follower_index'] for f in observed['followers'] if f['status'] == 'active'])
    if params['list_owned_keys']:
        link.result['owned_keys'] = owned_keys(link)
    if migrating and params['remove_previous_trust']:
        link.result['kept'] = []
        removal.remove_certificate(link, removal.other_aliases(link))
    if params['role'] and not migrating:
        link.role()
    elif migrating and not link.check_mode:
        migration.check_roles(link)
    replication.replicate(link)


def owned_keys(link):
    """Every active cross-cluster API key of the remote cluster that a link of this collection owns (its metadata says
    which: the local cluster ID and the alias), so that an audit can list those that no link of it owns."""
    client = link.remote.client('elasticsearch', link.remote.es_options())
    return [dict(id=k['id'], name=k.get('name'), expiration=k.get('expiration'),
                 **dict((owner, (k.get('metadata') or {}).get(owner)) for owner in OWNER_KEYS))
            for k in client.active_api_keys()
            if k.get('type') == 'cross_cluster' and (k.get('metadata') or {}).get('managed_by') == MANAGED_BY]


def mark_rotation(link, key, previous, state):
    """Record in the new key of a rotation how far the rotation got (``stored``, ``loaded``), so that a run interrupted
    after it is finished by the next one; returns the state. Nothing for a key that replaces none."""
    if not previous or (link.check_mode and key['created']):  # (check mode creates no key to record it in)
        return None
    link.steps(('rotation', 'record in key %s that it is %s' % (key['id'] or '(new)', state), link.remote.es_step(
        RotationMark, name=key['name'], id=key['id'], state=state)))
    return state


def keystore_digests(link, previous):
    """From 9.3, before the keystore write of a rotation: the digests of the keystore files the nodes hold, so that the
    file that follows the write is told from them (a reload answers them). None otherwise."""
    if link.check_mode or not previous or not evidence_version(view_version(link.local.view)):
        return None
    return digests(link.local_es().reload_secure_settings())


def retire_previous(link, cluster, key, previous):
    """The older keys of this link are retired only once the new key is in use on every node (loaded with evidence,
    then cross-cluster requests through every node succeed), never before; invalidated, or with previous_key_grace
    given that long to expire. After an invalidation the requests are tried again through every node: a node that
    still held an old key fails them, so the nodes reload (8.13 and later) until they succeed, and otherwise the step
    fails and says how to recover; it never reports a connection that requests do not prove."""
    params = link.params
    if not previous:
        return
    done, = link.steps(('previous_keys', 'retire the previous cross-cluster API keys of %s' % params['alias'],
                        link.remote.es_step(PreviousKeys, name=key['name'], ids=previous, grace=params['previous_key_grace'])))
    invalidated = done.result['invalidated_ids']
    link.result['api_key'].update(invalidated_ids=invalidated, expiring_ids=done.result['expiring_ids'])
    if link.check_mode or not invalidated:
        return
    try:
        link.result['remote_info'] = cluster.wait_for_connection(params['alias'])
        return
    except ModuleFailure as failure:
        reason = failure.msg
    if credentials_loading(view_version(link.local.view), params['reload_min_version'])[0] == 'reload':
        proven, failures = credentials.reload_with_evidence(link, cluster, proof='probe', before=None)
        if proven:
            link.result['credentials'] = 'reloaded again on every node after the previous key was invalidated'
            return
        reason = '; '.join(failures) or reason
    link.fail('the previous cross-cluster API keys %s of %s were invalidated, but cross-cluster requests through a node of '
              'the local deployment %s fail: it still uses one of them (%s). To recover, run the task again (it reloads the '
              'credentials, or restarts below %s), or restart the local deployment' % (
                  ', '.join(invalidated), params['alias'], link.local.deployment_id, reason,
                  params['reload_min_version']), step='previous_keys')


def proxy_ca(link):
    """The ``direct`` trust entry of the remote environment's proxy CA for the local deployment, where it is private; None
    when no entry is needed. Checked before any write: the certificate belongs to the remote environment's proxy, and
    the local ECE knows entries of type proxy."""
    params, local, remote = link.params, link.local, link.remote
    mode = params['trust_proxy_ca']
    # one environment by the accounts its trust names, or else by the environments' IDs (read only then)
    if mode == 'never' or (mode == 'auto' and link.result['same_environment'] and certificate.environment_relationships(link) is None):
        return None
    chain = link.steps(('proxy_chain', 'read the proxy certificate chain of the remote environment',
                        remote.ece_step(TlsCertificateInfo, service='proxy')))[0].result
    pem = params['proxy_ca_certificate'] or chain['root_certificate']
    if not pem:
        return None
    if params['proxy_ca_certificate'] and chain['chain'] and not any(
            same_certificate(params['proxy_ca_certificate'], pem) for pem in chain['chain']):
        link.fail('proxy_ca_certificate: is not a certificate of the proxy chain of the remote environment (%s); give '
                  'the root of GET /platform/configuration/security/tls/proxy of the remote environment, or leave it out '
                  'to read it from there' % remote.environment)
    if mode == 'auto' and publicly_trusted(pem, params['public_ca_path']):
        return None
    for existing in ((local.view.get('trust') or {}).get('direct') or []):
        if existing.get('type') == 'proxy' and any(same_certificate(pem, c.get('pem')) for c in existing.get('certificates') or []):
            # an entry holds the certificate already, whatever its name: nothing to write
            link.result['proxy_trust'] = {'changed': False, 'msg': 'the direct trust entry %s of type proxy holds the '
                                                                   'remote proxy CA already' % existing['name']}
            return None
    check_ece_version(link, local)
    # named after the certificate, and after the environment when it is given: two environments given the same name
    # never share a default name, so that the entry of one never replaces the certificate of the other
    fingerprint = pem_fingerprint(pem)
    name = ('%s-proxy-%s' % (remote.params['environment'], fingerprint[:12]) if remote.params['environment']
            else 'proxy-ca-%s' % fingerprint[:16])
    return {'name': name, 'type': 'proxy', 'trust_all': False, 'certificates': [pem]}


def check_ece_version(link, side):
    """Refuse a proxy trust entry on an ECE that does not have that type, before any write."""
    version = side.client('ece', side.params['ece']).platform_version()
    try:
        too_old = version_tuple(version) < version_tuple(PROXY_TRUST_ECE_VERSION)
    except ValueError:
        return
    if too_old:
        link.fail('the %s environment runs ECE %s; trusting the remote proxy CA needs a direct trust entry of type proxy, '
                  'which ECE has from %s on: upgrade ECE, set trust_proxy_ca: never if the proxy certificate of the remote '
                  'environment is publicly trusted, or use model: certificate' % (side.key, version, PROXY_TRUST_ECE_VERSION),
                  step='proxy_trust')
