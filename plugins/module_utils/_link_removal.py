# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The removal of a link (``remote_cluster_link`` with ``state: absent``). Private to this collection.

A link is undone in the reverse order of its creation, so that no half-removed link points at nothing: first what
replicates through the alias (refused unless ``ccr_on_remove: unfollow``), then the alias
(its ``cluster.remote.<alias>.*`` settings, or its entry in ECE's remote-clusters list), then for API keys the keystore
entry, the cross-cluster key and the proxy-CA trust entry, for certificates the peer's cluster ID in both deployments'
trust allowlists, and last, when asked, the platform trust relationships. Each piece of trust goes only when nothing
the link can see still needs it: another alias of the local cluster towards the same deployment or environment, an
alias of the remote cluster back to the local one, another deployment's trust that names the relationship. What
cannot be seen is kept, and ``kept`` in the result says what and why.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_certificate as certificate
from ansible_collections.ece.remote_clusters.plugins.module_utils import _link_replication as replication
from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import CrossClusterApiKey, RemoteCluster
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import same_certificate
from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import KeystoreSecret, RemoteClusters, deployment_trusts
from ansible_collections.ece.remote_clusters.plugins.module_utils._link_decisions import domain, key_options, remote_hosts
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import TlsCertificateInfo, TrustRelationship


def remove(link):
    """``state: absent``, in the order of the module's docstring above."""
    params, local = link.params, link.local
    alias = params['alias']
    link.result['kept'] = []
    others = other_aliases(link)
    # followers and patterns of the alias first: refused, or stopped with ccr_on_remove: unfollow
    replication.release(link)
    # the alias first: nothing may point at a peer whose trust is gone
    if link.result['same_environment']:
        link.steps(('ece_remote_clusters', 'alias %s in the ECE remote-clusters list of the local deployment' % alias,
                    local.ece_step(RemoteClusters, deployment_id=local.deployment_id, ref_id=local.view['ref_id'],
                                   remote_clusters=[{'alias': alias}], state='absent')))
    link.steps(('remote_cluster', 'remote cluster %s on the local cluster' % alias,
                local.es_step(RemoteCluster, alias=alias, state='absent')))
    if params['model'] == 'api_key':
        remove_api_key(link, others)
    else:
        remove_certificate(link, others)


def other_aliases(link):
    """The aliases of the local cluster but the link's own one, with the addresses they connect to."""
    local = link.local
    hosts = remote_hosts(local.client('elasticsearch', local.es_options()).cluster_settings())
    return dict((a, h) for a, h in hosts.items() if a != link.params['alias'])


def keep(link, what, why):
    link.result['kept'].append('%s: %s' % (what, why))


def remove_api_key(link, others):
    local, remote = link.local, link.remote
    alias = link.params['alias']
    link.steps(('keystore', 'credentials of %s in the local keystore' % alias, local.ece_step(
        KeystoreSecret, deployment_id=local.deployment_id, ref_id=local.view['ref_id'], remote_cluster_alias=alias,
        state='absent')))
    options = dict((k, v) for k, v in key_options(link.params, local.view).items()
                   if k in ('name', 'metadata'))  # the keys of this link: its name and owner
    link.steps(('api_key', 'cross-cluster API key of %s on the remote cluster' % alias,
                remote.es_step(CrossClusterApiKey, state='absent', **options)))
    # the nodes drop the removed alias with its settings; the invalidated key is useless, so no restart is needed
    # the proxy CA serves the connections of the API-key model, on the remote cluster server port of the proxies
    environment, port = domain(remote.view['endpoint']), link.params['api_key_port']
    users = sorted(a for a, hosts in others.items() if any(domain(h) == environment and p == port for h, p in hosts))
    if users:
        keep(link, 'the proxy CA of the remote environment', 'the aliases %s of the local cluster connect to that environment'
             % ', '.join(users))
        return
    chain = link.steps(('proxy_chain', 'read the proxy certificate chain of the remote environment',
                        remote.ece_step(TlsCertificateInfo, service='proxy')))[0].result
    certificate = link.params['proxy_ca_certificate'] or chain['root_certificate']
    entries = [e for e in (local.view.get('trust') or {}).get('direct') or [] if e.get('type') == 'proxy' and certificate]
    entries = [e for e in entries if any(same_certificate(certificate, c.get('pem')) for c in e.get('certificates') or [])]
    for entry in entries:
        if len(entry.get('certificates') or []) > 1:
            keep(link, 'the direct trust entry %s' % entry['name'], 'it holds other certificates besides the remote proxy CA')
    names = [{'name': e['name']} for e in entries if len(e.get('certificates') or []) == 1]
    if names:
        link.steps(link.deployment_trust('proxy_trust', local, 'proxy CA of the remote environment in the local deployment %s'
                                         % local.deployment_id, direct=names, state='absent'))


def remove_certificate(link, others):
    params, local, remote = link.params, link.local, link.remote
    # the TLS-certificate model: connections to the remote deployment on any other port than the API-key one
    users = sorted(a for a, hosts in others.items() if any(certificate_address(link, h, p, remote) for h, p in hosts))
    if users:
        keep(link, 'the deployment trust between the two deployments', 'the aliases %s of the local cluster connect to the '
             'remote deployment' % ', '.join(users))
        return
    if remote.params['es'] is None:
        keep(link, 'the deployment trust between the two deployments', 'remote.es is not given, so an alias of the remote '
             'cluster back to the local one cannot be seen; give remote.es to remove it')
        return
    back = sorted(a for a, hosts in remote_hosts(remote.client('elasticsearch', remote.es_options()).cluster_settings()).items()
                  if any(certificate_address(link, h, p, local) for h, p in hosts))
    if back:
        keep(link, 'the deployment trust between the two deployments', 'the aliases %s of the remote cluster connect to the '
             'local deployment' % ', '.join(back))
        return
    if params['trust_all']:
        keep(link, 'the deployment trust between the two deployments', 'trust_all trusts every deployment of the other '
             'environment, which others may need; remove it with ece_deployment_trust')
        return
    own = certificate.environment_relationships(link)
    same = own is None
    relationships = None if same else certificate.trusting(link, own)
    steps = []
    for side, peer in ((local, remote), (remote, local)):
        entry = {'trust_allowlist': [peer.view['cluster_id']]}
        if same:
            trust = dict(accounts=[dict(entry, account_id=peer.view['account_id'])]) if peer.view['account_id'] else None
        else:
            relationship = relationships[side.key]
            trust = dict(external=[dict(entry, trust_relationship_id=relationship['id'])]) if relationship else None
        if trust:
            steps.append(link.deployment_trust(side.key + '_trust', side, 'deployment trust of the %s deployment %s'
                                               % (side.key, side.deployment_id), state='absent', **trust))
    if steps:
        link.steps(*steps)  # both plans at once
    if not same and params['remove_platform_trust']:
        remove_platform_trust(link, relationships)


def certificate_address(link, host, port, side):
    """Whether an alias's address is a connection of the TLS-certificate model to ``side``'s deployment."""
    return host == side.view['endpoint'] and port != link.params['api_key_port']


def remove_platform_trust(link, relationships):
    """Each environment's relationship to the other one, unless it is trusted by default by every deployment of that
    environment or a deployment of that environment still names it (after this removal)."""
    steps, what = [], []
    for side, peer in ((link.local, link.remote), (link.remote, link.local)):
        relationship = relationships[side.key]
        if not relationship:
            continue
        what.append('the trust relationship %s in the %s environment' % (relationship['name'], side.key))
        why = relationship_kept(link, side, relationship)
        if why:
            keep(link, what.pop(), why)
            continue
        steps.append((side.key + '_relationship', 'platform trust of the %s environment in %s' % (peer.key, side.key),
                      side.ece_step(UnusedRelationship, name=relationship['name'], state='absent',
                                    installation_id=relationship['installation_id'])))
    for kept, outcome in zip(what, link.steps(*steps) if steps else []):
        if outcome.result.get('kept'):  # read again just before its deletion, after a concurrent change
            keep(link, kept, outcome.result['kept'])


def relationship_kept(link, side, relationship):
    """Why the relationship of ``side``'s environment stays (None: nothing needs it): it is trusted by default, or the
    trust of a deployment of that environment names it, as this run's trust writes leave it (in check mode, where they
    are not sent, as they would leave it: see :meth:`planned`)."""
    if relationship['trust_by_default']:
        return TRUSTED_BY_DEFAULT
    client = side.client('ece', side.params['ece'])
    trusts, missing = deployment_trusts(client)
    if missing:
        return ('the search of the deployments of the %s environment did not return %d of them, so those that trust '
                'through it cannot all be seen' % (side.key, missing))
    if link.check_mode:
        for (url, deployment_id, ref_id), trust in planned(link, side).items():
            if url == client.base_url and deployment_id in trusts:
                trusts[deployment_id][ref_id] = trust
    users = sorted(deployment_id for deployment_id, resources in trusts.items()
                   if any(e.get('trust_relationship_id') == relationship['id']
                          for trust in resources.values() for e in trust.get('external') or []))
    if users:
        return 'the trust of the deployments %s names it' % ', '.join(users)
    return None


def planned(link, side):
    """The trust of the deployments that this run writes, as the writes leave it: ``{(ECE URL, deployment ID, ref_id):
    trust}``; in a rollout, of every link's writes."""
    planned = link.schedule.trusts()
    own = link.result.get(side.key + '_trust')
    if own:
        planned[(side.client('ece', side.params['ece']).base_url, side.deployment_id, side.view['ref_id'])] = own['trust']
    return planned


TRUSTED_BY_DEFAULT = ('it is trusted by default (trust_by_default) by every deployment of its environment, which may rely on '
                      'it without an entry of their own; remove it with ece_trust_relationship')


class UnusedRelationship(TrustRelationship):
    """The relationship a removal deletes: also kept when, read again just before, it became trusted by default."""

    def keep_reason(self, relationship):
        if relationship.get('trust_by_default'):
            return TRUSTED_BY_DEFAULT
        return super(UnusedRelationship, self).keep_reason(relationship)
