# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The TLS-certificate model of a link (remote_cluster_link, model: certificate): platform trust between the two
environments, deployment trust on both sides, the alias in proxy (or legacy sniff) mode, then replication. Plain
functions over a running link (its sides, steps and results). Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_replication as replication
from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import Role
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import CREDENTIALS_MIN_VERSION, credentials_setting, version_tuple, view_version
from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import KeystoreSecret
from ansible_collections.ece.remote_clusters.plugins.module_utils._link_decisions import CHECK_MODE_RELATIONSHIP, named_account
from ansible_collections.ece.remote_clusters.plugins.module_utils._proof import PROBE_TIMEOUT, credentials_loading, reload_failures
from ansible_collections.ece.remote_clusters.plugins.module_utils._replication import leader_role, replicated_leaders
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import TrustRelationship, TrustRelationshipInfo


def create(link):
    """A link of the TLS-certificate model, in this order: refuse an alias of the API-key model; platform trust between
    two environments (both relationships, one link at a time in a rollout); the deployment trust of both sides (both
    plans at once); the alias; credentials the nodes still hold of an earlier API-key link dropped; the connection
    proven (in check mode, judged from reads); the roles and the followers of ``replication``."""
    params, local, remote = link.params, link.local, link.remote
    if any(port == params['api_key_port'] for dummy, port in link.own_addresses()):
        link.fail('the alias %s of the local cluster connects with a cross-cluster API key (port %d); moving it back to the '
                  'TLS-certificate model, which Elasticsearch deprecated in 9.0, is not supported: keep model: api_key, or '
                  'remove the link (state: absent) and create it again under the TLS-certificate model'
                  % (params['alias'], params['api_key_port']))
    own = environment_relationships(link)
    same = own is None
    relationships = None
    if not same:
        relationships = platform_trust(link, own) if params['manage_platform_trust'] else existing_relationships(link, own)
    steps = []
    for side, peer in ((local, remote), (remote, local)):
        entry = {'trust_all': True} if params['trust_all'] else {'trust_allowlist': [peer.view['cluster_id']]}
        if same:
            if not peer.view['account_id']:
                link.fail('the account of the %s deployment %s is unknown (its trust settings name no account), so '
                          'the %s deployment cannot trust it by account' % (peer.key, peer.deployment_id, side.key))
            trust = dict(accounts=[dict(entry, account_id=peer.view['account_id'])])
        else:
            trust = dict(external=[dict(entry, trust_relationship_id=relationships[side.key])])
        label = 'deployment trust of the %s deployment %s' % (side.key, side.deployment_id)
        steps.append(link.deployment_trust(side.key + '_trust', side, label, **trust))
    link.steps(*steps)  # both plans at once
    cluster = link.configure_remote_cluster(link.remote_cluster_step(link.remote_cluster_options(), wait=False))
    if params['wait_for_connection'] and link.check_mode:
        link.verdict(cluster)
    # a converged link is proven at once (no probe waits longer than wait_timeout): nothing to mend, nothing to wait for
    if not link.check_mode and not link.proven_now(cluster, max(1, min(PROBE_TIMEOUT, params['wait_timeout'])))[0]:
        drop_stale_credentials(link, cluster)
    if params['wait_for_connection'] and not link.check_mode and not link.proven:
        link.wait_for_connection(cluster)
    if params['role'] and params['replication']:
        certificate_roles(link)
    replication.replicate(link)


def certificate_roles(link):
    """The TLS-certificate model authorizes a follower's requests on the remote cluster by the names of its user's roles:
    the local role (``manage_ccr``, the followers' privileges) and, when the remote cluster can be reached, a role of
    the same name there that reads the leaders (``read_ccr``, ``monitor`` and ``read``)."""
    params, remote = link.params, link.remote
    steps = [('role', 'role %s on the local cluster' % params['role']['name'], link.local.es_step(Role, **link.role_options()))]
    if params['remote']['es'] is not None:
        steps.append(('remote_role', 'role %s on the remote cluster' % params['role']['name'], remote.es_step(
            Role, **leader_role(params['role']['name'], replicated_leaders(params['replication'])))))
    else:
        link.warn('%s: the remote cluster needs a role named %s with read_ccr and the monitor and read privileges on the '
                  'leader indices; give remote.es to have the link write it' % (params['alias'], params['role']['name']))
    link.steps(*steps)


def drop_stale_credentials(link, cluster):
    """A certificate-model alias whose nodes still hold credentials for it in memory (an API-key link of the same alias
    was removed, and the nodes keep what they loaded until a reload, below 8.13 until a restart) is built for the
    remote cluster server port and never connects through the transport passthrough: ``_remote/info`` of a node shows
    ``cluster_credentials`` while the keystore holds none. Then the nodes reload their keystore, or restart."""
    params, local = link.params, link.local
    running = view_version(local.view)
    if link.check_mode or version_tuple(running) < version_tuple(CREDENTIALS_MIN_VERSION):
        return
    alias = params['alias']
    nodes = cluster.client.node_count()
    if not any('cluster_credentials' in (cluster.remote_info(alias) or {}) for dummy in range(nodes)):
        return
    lookup, = link.steps(('keystore', 'look up the credentials in the local keystore', local.ece_step(
        KeystoreSecret, deployment_id=local.deployment_id, ref_id=local.view['ref_id'], remote_cluster_alias=alias)))
    if lookup.result['exists']:
        link.fail('the local keystore holds credentials for %s (%s), so its nodes connect with an API key, not with '
                  'TLS certificates: remove them (ece_keystore_secret, state: absent) or keep model: api_key'
                  % (alias, credentials_setting(alias)), step='keystore')
    path, why = credentials_loading(running, params['reload_min_version'])
    if path == 'reload':
        failures = reload_failures(link.local_es().reload_secure_settings())
        if not failures:
            link.result['credentials'] = ('dropped from the running nodes by a reload: they still held the credentials of '
                                          'an earlier API-key link of %s' % alias)
            return
        why = '; '.join(failures)
    link.steps(link.restart_step())
    link.result['credentials'] = ('dropped from the running nodes by a restart: they still held the credentials of an '
                                  'earlier API-key link of %s (%s)' % (alias, why))


def environment_relationships(link):
    """The trust relationships of both environments, or None when the deployments are of one environment. Known by
    the accounts their trust names, else each environment's own ID decides; ``same_environment`` is settled either
    way."""
    if link.result['same_environment'] and all(named_account(side.view) for side in (link.local, link.remote)):
        return None
    own = own_relationships(link)
    link.result['same_environment'] = own['local']['local']['installation_id'] == own['remote']['local']['installation_id']
    return None if link.result['same_environment'] else own


def trusting(link, own):
    """The relationship of each environment that trusts the other one (by its ID; of several, left over when the
    deletion of a duplicate failed, the lowest ID, as ece_trust_relationship picks it), or None."""
    found = {}
    for side, peer in ((link.local, link.remote), (link.remote, link.local)):
        installation_id = own[peer.key]['local']['installation_id']
        matches = sorted((r for r in own[side.key]['trust_relationships']
                          if not r['local'] and r['installation_id'] == installation_id), key=lambda r: str(r['id']))
        found[side.key] = matches[0] if matches else None
    return found


def own_relationships(link):
    """Each environment's trust relationships (``trust_relationships``) and its own one (``local``: its environment
    ID, CA certificate and account IDs)."""
    sides = (link.local, link.remote)
    outcomes = link.steps(*[(side.key + '_environment', 'read the trust relationships of the %s environment' % side.key,
                             side.ece_step(TrustRelationshipInfo)) for side in sides])
    results = [outcome.result for outcome in outcomes]
    for side, result in zip(sides, results):
        if not result['local'] or not result['local'].get('installation_id'):
            link.fail('the %s environment returned no local trust relationship with an environment ID; check the ECE '
                      'version (2.9 or later) and the role of the API user' % side.key)
    return dict((side.key, result) for side, result in zip(sides, results))


def relationship_name(peer, own):
    """The name of a new relationship to ``peer``'s environment: its given name, else the name that environment gives
    itself, else one made of its ID (never a default that two links to two environments would share)."""
    if peer.params['environment']:
        return peer.params['environment']
    name = own[peer.key]['local'].get('name')
    return name if name and name not in ('local', 'remote') else 'ece-%s' % own[peer.key]['local']['installation_id'][:12]


def platform_trust(link, own):
    """Bi-directional platform trust; returns the relationship ID each deployment trust names, or ``None`` in check
    mode when a relationship does not exist yet."""
    params, local, remote = link.params, link.local, link.remote
    steps = []
    for side, peer in ((local, remote), (remote, local)):
        peer_own = own[peer.key]['local']
        steps.append((side.key + '_relationship', 'platform trust of the %s environment in %s' % (peer.key, side.key),
                      side.ece_step(TrustRelationship, name=relationship_name(peer, own),
                                    installation_id=peer_own['installation_id'], certificate=peer_own['certificate'],
                                    account_ids=peer_own['account_ids'], trust_by_default=params['trust_by_default'])))
    with link.pool.serial:  # in a rollout, one link at a time: the next one finds the relationship the first created
        outcomes = link.steps(*steps)
    # check mode: a relationship that does not exist yet has no ID; the deployment trust names a stand-in, so that its
    # change shows in the diff as the real run makes it
    return dict((side.key, outcome.result['trust_relationship'].get('id') or CHECK_MODE_RELATIONSHIP % relationship_name(peer, own))
                for (side, peer), outcome in zip(((local, remote), (remote, local)), outcomes))


def existing_relationships(link, own):
    """With manage_platform_trust false: the ID of the relationship of each environment that trusts the other one."""
    found = trusting(link, own)
    for side, peer in ((link.local, link.remote), (link.remote, link.local)):
        if found[side.key] is None:
            link.fail('manage_platform_trust is false, but no trust relationship of the %s environment trusts the %s '
                      'environment (ID %s); create it (manage_platform_trust: true does)'
                      % (side.key, peer.key, own[peer.key]['local']['installation_id']))
    return dict((key, relationship['id']) for key, relationship in found.items())
