# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-cluster replication as part of a link: the followers and auto-follow patterns that replicate through an alias,
whether they replicate, and the privileges a link grants for them. One read (:func:`alias_replication`) and pure
decisions over what it returned. Private to this collection.

Sources (see docs/replication.md): the privileges are those of Elastic's "Configure privileges for cross-cluster
replication" (certificate model) and "Add remote clusters using API key authentication" (API-key model); a
cross-cluster API key's ``access.replication`` cannot be combined with document- or field-level security
(``CrossClusterApiKeyRoleDescriptorBuilder``); shard follow tasks retry security and connection errors forever
(``ShardFollowNodeTask.shouldRetry``) and stop only on other errors (``fatal_exception``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

from ansible_collections.ece.remote_clusters.plugins.module_utils._ccr import replication_problems, summarize

# the local role of a replicating link (both models) and, in the certificate model, the role of the same name on the
# remote cluster (the leader)
FOLLOWER_CLUSTER_PRIVILEGES = ['manage_ccr']
FOLLOWER_INDEX_PRIVILEGES = ['monitor', 'read', 'write', 'manage_follow_index']
LEADER_CLUSTER_PRIVILEGES = ['read_ccr']
LEADER_INDEX_PRIVILEGES = ['monitor', 'read']
REMOTE_REPLICATION_PRIVILEGES = ['cross_cluster_replication']
# licences that include cross-cluster replication
CCR_LICENSES = ('platinum', 'enterprise', 'trial')


# -- what replicates through an alias ------------------------------------------------------------------------------
def alias_replication(client, alias):
    """The followers and auto-follow patterns of the cluster of ``client`` that replicate through ``alias``, with their
    shard stats and the problems in plain words. Raises the client's ``ApiError`` when replication cannot be read (no
    licence that includes it, or no privilege to read it)."""
    infos = [info for info in client.follower_info('_all') if info.get('remote_cluster') == alias]
    patterns = dict((name, pattern) for name, pattern in client.auto_follow_patterns().items() if pattern.get('remote_cluster') == alias)
    stats = client.ccr_stats() if infos or patterns else {}
    followers, summaries = summarize(infos, patterns, stats)
    auto_follow_stats = dict(stats.get('auto_follow_stats') or {})
    # the recent errors of these patterns only (each names its pattern, or pattern:leader index)
    auto_follow_stats['recent_auto_follow_errors'] = [
        error for error in auto_follow_stats.get('recent_auto_follow_errors') or []
        if str(error.get('leader_index') or '').partition(':')[0] in patterns]
    return dict(followers=followers, auto_follow_patterns=summaries,
                auto_follow_errors=auto_follow_stats['recent_auto_follow_errors'], problems=replication_problems(followers, auto_follow_stats))


def replicated_leaders(replication):
    """The leader indices and leader index patterns that a link's ``replication`` option names."""
    replication = replication or {}
    leaders = [follower['leader_index'] for follower in replication.get('followers') or []]
    leaders.extend(name for pattern in replication.get('auto_follow') or [] for name in pattern['leader_index_patterns'])
    return leaders


def in_use(observed):
    """The leader indices and patterns that the followers and patterns of an :func:`alias_replication` read use."""
    leaders = [follower['leader_index'] for follower in observed['followers']]
    leaders.extend(name for pattern in observed['auto_follow_patterns'] for name in pattern.get('leader_index_patterns') or [])
    return leaders


def uncovered(leaders, access):
    """The leaders (index names or patterns) that no ``access.replication`` entry of a cross-cluster API key covers."""
    granted = [name for entry in (access or {}).get('replication') or [] for name in entry.get('names') or []]
    return sorted(set(leader for leader in leaders if not any(fnmatch.fnmatchcase(leader, name) for name in granted)))


def access_with_replication(access, leaders):
    """A key's ``access`` that also grants ``replication`` on ``leaders`` (added as one entry when not covered)."""
    missing = uncovered(leaders, access)
    if not missing:
        return access
    return dict(access, replication=list(access.get('replication') or []) + [{'names': missing}])


def follower_role(role, alias, leaders, followers):
    """A local role (``es_role`` options) that also lets its users replicate through ``alias`` under the API-key model:
    ``manage_ccr``, the follower indices' privileges, and ``remote_indices`` with ``cross_cluster_replication``."""
    role = dict(role)
    role['cluster'] = _union(role.get('cluster'), FOLLOWER_CLUSTER_PRIVILEGES)
    if followers:
        role['indices'] = list(role.get('indices') or []) + [{'names': sorted(followers), 'privileges': FOLLOWER_INDEX_PRIVILEGES}]
    if leaders:
        role['remote_indices'] = list(role.get('remote_indices') or []) + [
            {'clusters': [alias], 'names': sorted(set(leaders)), 'privileges': REMOTE_REPLICATION_PRIVILEGES}]
    return role


def leader_role(name, leaders):
    """The role of the same name on the remote cluster that the certificate model needs to read the leaders."""
    return dict(name=name, cluster=list(LEADER_CLUSTER_PRIVILEGES),
                indices=[{'names': sorted(set(leaders)), 'privileges': LEADER_INDEX_PRIVILEGES}])


def _union(first, second):
    return list(first or []) + [item for item in second if item not in (first or [])]


# -- prerequisites ---------------------------------------------------------------------------------------------------
def licence_problem(side, licence):
    """A sentence when the licence of one side (``GET /_license``'s ``license``) does not include replication."""
    kind, status = (licence or {}).get('type'), (licence or {}).get('status')
    if kind in CCR_LICENSES and status in (None, 'active'):
        return None
    return ('the %s cluster\'s licence (%s, %s) does not include cross-cluster replication: it needs an active platinum or '
            'enterprise licence (or a trial) on both clusters' % (side, kind or 'unknown', status or 'unknown'))


def node_roles_problem(nodes):
    """A sentence when the local cluster's nodes (``GET /_nodes``' ``nodes``) cannot replicate: every master-eligible node
    needs the ``remote_cluster_client`` role, and at least one node needs it together with a data role."""
    roles = [set(node.get('roles') or []) for node in (nodes or {}).values()]
    masters = [node for node in roles if 'master' in node and 'remote_cluster_client' not in node]
    data = [node for node in roles if 'remote_cluster_client' in node and any(role.startswith('data') for role in node)]
    if not masters and data:
        return None
    return ('the local cluster cannot replicate: every master-eligible node needs the remote_cluster_client role (%d do not) '
            'and at least one node needs it together with a data role (%d do); add the role in the deployment\'s topology'
            % (len(masters), len(data)))


# -- whether followers replicate -------------------------------------------------------------------------------------
def _checkpoint(value):
    return -1 if value is None else value


def _behind(shard, earlier):
    """A shard that has not caught up with its leader and has not advanced since ``earlier`` (None: no earlier read)."""
    follower = _checkpoint(shard.get('follower_global_checkpoint'))
    if follower >= _checkpoint(shard.get('leader_global_checkpoint')):
        return False
    return earlier is None or follower <= _checkpoint(earlier)


def checkpoints(observed):
    """``{(follower, shard): follower_global_checkpoint}`` of an :func:`alias_replication` read."""
    return dict(((follower['follower_index'], shard['shard_id']), shard.get('follower_global_checkpoint'))
                for follower in observed['followers'] for shard in follower['shards'])


def replication_verdict(before, after, expected=None):
    """Whether the followers of ``after`` replicate: ``(proven, problems)``. A follower replicates when none of its shards
    stopped on a fatal exception and every shard caught up with its leader (the leader's global checkpoint reached) or
    advanced since ``before`` (an earlier read; None for none). ``expected``: the active followers that must be there
    (a follower that is paused or has no running shard task is not replicating)."""
    problems = []
    earlier = checkpoints(before) if before else {}
    followers = dict((follower['follower_index'], follower) for follower in after['followers'])
    for name in sorted(set(expected or []) - set(followers)):
        problems.append('follower %s does not follow its leader any more' % name)
    for name, follower in sorted(followers.items()):
        if follower['status'] != 'active' and name not in (expected or []):
            continue  # paused by somebody else: reported by the diagnosis, not this link's to prove
        if follower['fatal_exceptions']:
            fatal = follower['fatal_exceptions'][0]
            problems.append('follower %s stopped on shard %s: %s' % (name, fatal.get('shard_id'), fatal.get('reason')))
            continue
        if follower['status'] != 'active' or not follower['shards']:
            problems.append('follower %s does not replicate yet (%s)' % (name, follower['status']))
            continue
        behind = [shard for shard in follower['shards'] if _behind(shard, earlier.get((name, shard['shard_id'])) if before else None)]
        if behind:
            retries = [exception for exception in follower['read_exceptions'] if exception.get('shard_id') in [s['shard_id'] for s in behind]]
            problems.append('follower %s is behind its leader on shard%s %s and did not advance%s' % (
                name, 's' if len(behind) > 1 else '', ', '.join(str(shard['shard_id']) for shard in behind),
                (': %s' % ((retries[0].get('exception') or {}).get('reason'))) if retries else ''))
    return not problems, problems
