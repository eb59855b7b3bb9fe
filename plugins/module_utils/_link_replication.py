# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-cluster replication in the life of a link (options ``replication``, ``ccr_pause``, ``ccr_on_remove`` of
remote_cluster_link): plain functions over a running :class:`RemoteClusterLink` (its sides, steps and results).
Private to this collection.

- create: the followers and auto-follow patterns of ``replication``, once the connection is proven, after checking the
  licence of both clusters and the node roles of the local one (:func:`replicate`);
- before a key changes (a rotation, a migration, new access): refuse a key that would not grant ``replication`` on the
  leaders that followers of the alias use (:func:`check_key_covers`);
- a migration: pause what replicates through the alias, recorded in the new key, and resume exactly that after the
  switch (:func:`pause`, :func:`resume`); after a rotation or a migration: prove that the followers replicate
  (:func:`verify`);
- removal: refused while followers or patterns use the alias, unless ``ccr_on_remove: unfollow`` (:func:`release`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._ccr import TUNING, CcrAutoFollowPattern, CcrFollower
from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import RotationMark, restricted_search
from ansible_collections.ece.remote_clusters.plugins.module_utils._replication import (
    alias_replication, in_use, licence_problem, node_roles_problem, replicated_leaders, replication_verdict, uncovered)
from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import attempts

# the fields of an auto-follow pattern that its GET returns and a pause or resume passes on unchanged
PATTERN_KEPT = ('name', 'leader_index_patterns', 'leader_index_exclusion_patterns', 'follow_index_pattern', 'max_outstanding_read_requests')
FOLLOWER_OPTIONS = dict((name, dict(spec)) for name, spec in CcrFollower.argument_spec.items()
                        if name not in ('state', 'remote_cluster', 'wait_timeout', 'delete_index'))
FOLLOWER_OPTIONS['leader_index']['required'] = True
PATTERN_OPTIONS = dict((name, dict(spec)) for name, spec in CcrAutoFollowPattern.argument_spec.items()
                       if name not in ('state', 'remote_cluster'))
PATTERN_OPTIONS['leader_index_patterns']['required'] = True
ARGUMENT_SPEC = dict(
    replication=dict(type='dict', options=dict(
        followers=dict(type='list', elements='dict', options=FOLLOWER_OPTIONS, default=[]),
        auto_follow=dict(type='list', elements='dict', options=PATTERN_OPTIONS, default=[]),
    )),
    ccr_pause=dict(type='bool', default=True),
    ccr_on_remove=dict(type='str', choices=['refuse', 'unfollow'], default='refuse'),
)


# -- input (pure) ----------------------------------------------------------------------------------------------------
def validate(context, params, access_given):
    """Messages about the ``replication`` option, found without any request: each follower and pattern checked as its
    module checks it; under the API-key model, a key that mixes restricted search with replication, or explicit
    ``access`` that does not cover the leaders."""
    replication = params['replication']
    if not replication:
        return []
    errors = []
    for index, follower in enumerate(replication['followers']):
        step = CcrFollower.create(context, None, remote_cluster=params['alias'], **follower)
        errors.extend('replication.followers[%d].%s' % (index, error) for error in step.validate() if error)
    for index, pattern in enumerate(replication['auto_follow']):
        step = CcrAutoFollowPattern.create(context, None, remote_cluster=params['alias'], **pattern)
        errors.extend('replication.auto_follow[%d].%s' % (index, error) for error in step.validate() if error)
    names = [follower['name'] for follower in replication['followers']]
    if len(set(names)) != len(names):
        errors.append('replication.followers: two followers have the same name; give each follower index a name of its own')
    if params['model'] != 'api_key':
        return errors
    access = params['access']
    if restricted_search(access):
        if not access.get('replication'):  # (a key of both is refused by the key's own check)
            errors.append('access: a cross-cluster API key cannot grant replication together with search restricted by query '
                          'or field_security (Elasticsearch refuses it); link the remote cluster twice, under two aliases: one '
                          'for the restricted search, one for replication')
        return errors
    missing = uncovered(replicated_leaders(replication), access) if access_given else []
    if missing:
        errors.append('access: the cross-cluster API key grants no replication on %s, which replication names; add '
                      'replication: [{names: %s}] to access, or leave access out to have the link grant it'
                      % (', '.join(missing), missing))
    return errors


# -- reads -----------------------------------------------------------------------------------------------------------
def observe(link, strict=False):
    """What replicates through the link's alias on the local cluster (see ``alias_replication``); None, with a warning,
    when it cannot be read (the local user may not read it), unless ``strict``, which fails."""
    alias = link.params['alias']
    try:
        return alias_replication(link.local_es(), alias)
    except ApiError as exc:
        if strict:
            link.fail('read the replication of %s on the local cluster: %s' % (alias, exc.message),
                      step='replication', status=exc.status, error=exc.error)
        link.warn('%s: the followers and auto-follow patterns of the local cluster could not be read (%s), so the checks that '
                  'keep them replicating through the alias were skipped; give the local user the monitor and manage_ccr '
                  'privileges' % (alias, exc.message))
        return None


def check_key_covers(link, observed):
    """Before a key changes: the followers and auto-follow patterns that replicate through the alias keep working only
    when the key grants ``replication`` on their leaders (shard follow tasks retry security errors forever, so nothing
    would fail loudly): refused before any write when it does not."""
    if not observed:
        return
    missing = uncovered(in_use(observed), link.key_options(link.local.view)['access'])
    if missing:
        link.fail('followers of the local cluster replicate %s through %s, and the cross-cluster API key of this link would '
                  'grant no replication on them: their shard follow tasks would retry forever. Add them to access.replication '
                  '(for example access: {search: [...], replication: [{names: %s}]}), or pause or unfollow those followers '
                  'first' % (', '.join(missing), link.params['alias'], missing), step='api_key')


def check_prerequisites(link):
    """The licence of both clusters (when the remote one can be read) and the node roles of the local one, before the
    first follower or pattern is written."""
    problems = [licence_problem('local', link.local_es().license())]
    if link.params['remote']['es'] is not None:
        remote = link.remote.client('elasticsearch', link.remote.es_options())
        problems.append(licence_problem('remote', remote.license()))
    problems.append(node_roles_problem(link.local_es().node_roles()))
    problems = [problem for problem in problems if problem]
    if problems:
        link.fail('%s: cross-cluster replication cannot run: %s' % (link.params['alias'], '; '.join(problems)), step='replication')


# -- the followers and patterns of the option replication -------------------------------------------------------------
def replicate(link):
    """The followers and auto-follow patterns of ``replication`` on the local cluster, then what replicates through the
    alias in ``result.replication``."""
    params, local = link.params, link.local
    replication = params['replication']
    if not replication or not (replication['followers'] or replication['auto_follow']):
        return
    alias = params['alias']
    steps = [('ccr_auto_follow', 'auto-follow pattern %s of %s' % (pattern['name'], alias),
              local.es_step(CcrAutoFollowPattern, remote_cluster=alias, **pattern)) for pattern in replication['auto_follow']]
    steps += [('ccr_follower', 'follower index %s of %s:%s' % (follower['name'], alias, follower['leader_index']),
               local.es_step(CcrFollower, remote_cluster=alias, wait_timeout=params['wait_timeout'], **follower))
              for follower in replication['followers']]
    planned = [(name, label, link.plan(name, label, step)) for name, label, step in steps]
    changing = any(entry[2].plan.changed for entry in planned)
    if changing:  # something to write: can it replicate at all
        check_prerequisites(link)
    run(link, *planned)
    if changing or 'replication' not in link.result:  # (the proof of a key change read it, and nothing changed since)
        link.result['replication'] = observe(link, strict=not link.check_mode) or {}


# -- a migration: pause, resume -----------------------------------------------------------------------------------------
def paused_record(observed):
    """What a pause of ``observed`` stops: the active followers with the tuning parameters they run with (a resume without
    them would reset them to the defaults), and the active auto-follow patterns."""
    return {'followers': dict((f['follower_index'], dict((k, v) for k, v in (f['parameters'] or {}).items() if k in TUNING))
                              for f in observed['followers'] if f['status'] == 'active'),
            'auto_follow': sorted(p['name'] for p in observed['auto_follow_patterns'] if p.get('active', True))}


def pause(link, key, observed):
    """A migration with ``ccr_pause``: record in the new key what replicates through the alias, then pause it (patterns
    first, so that no new follower starts), as Elastic's migration guide says. The record is what a later run resumes,
    should this one be interrupted. Returns the record."""
    record = paused_record(observed)
    if not (record['followers'] or record['auto_follow']):
        return None
    link.result['ccr_paused'] = record
    names = ['follower %s' % name for name in sorted(record['followers'])]
    names.extend('auto-follow pattern %s' % name for name in record['auto_follow'])
    link.result['ccr_outage'] = ('%s replicate nothing from their pause before the switch of %s until they resume after the '
                                 'connection is proven with the new key: the outage of the switch (outage) and its proof'
                                 % (', '.join(names), link.params['alias']))
    if not link.check_mode:
        mark(link, key, record)
        link.paused_at = time.monotonic()
    run_states(link, observed, record, active=False)
    return record


def resume(link, key, record):
    """Resume exactly what a pause recorded, and only what is still paused (followers with ``resume_follow`` and the
    tuning parameters they ran with, patterns with their resume API), then drop the record from the key."""
    if not record:
        return
    observed = observe(link, strict=not link.check_mode) or {'followers': [], 'auto_follow_patterns': []}
    run_states(link, observed, record, active=True)
    link.result['ccr_resumed'] = record
    if link.paused_at is not None:  # paused by this run: for how long
        link.result['ccr_paused_seconds'] = round(time.monotonic() - link.paused_at, 1)
    if not link.check_mode:
        mark(link, key, {})


def run_states(link, observed, record, active):
    """Pause (``active`` false) or resume the recorded patterns and followers that ``observed`` holds, one step each:
    the patterns first on a pause, the followers first on a resume."""
    alias, local = link.params['alias'], link.local
    patterns = [('ccr_auto_follow', 'auto-follow pattern %s of %s' % (pattern['name'], alias), local.es_step(
        CcrAutoFollowPattern, remote_cluster=alias, active=active, **dict((field, pattern.get(field)) for field in PATTERN_KEPT)))
        for pattern in observed['auto_follow_patterns'] if pattern['name'] in record['auto_follow']]
    followers = [('ccr_follower', 'follower index %s of %s' % (follower['follower_index'], alias), local.es_step(
        CcrFollower, name=follower['follower_index'], remote_cluster=alias, leader_index=follower['leader_index'],
        status='active' if active else 'paused', wait_timeout=link.params['wait_timeout'],
        **record['followers'][follower['follower_index']]))
        for follower in observed['followers'] if follower['follower_index'] in record['followers']]
    for step in (followers + patterns if active else patterns + followers):
        run(link, step)


def run(link, *steps):
    """Run the steps of followers and patterns, and record those that changed (or would) in ``result.ccr_changes``: what
    each one manages, in words, with its diff."""
    for (name, label, dummy), outcome in zip(steps, link.steps(*steps)):
        if outcome.changed:
            link.result.setdefault('ccr_changes', []).append({'step': name, 'what': label, 'diff': outcome.diff})


def mark(link, key, record):
    link.steps(('ccr_mark', 'record in key %s what replication the migration paused' % key['id'], link.remote.es_step(
        RotationMark, name=key['name'], id=key['id'], ccr_paused=record)))


# -- proof ------------------------------------------------------------------------------------------------------------
def verify(link, before, expected):
    """After a key change (rotation, migration): the followers of the alias replicate - no shard stopped, every shard
    caught up with its leader or advanced since ``before`` - within wait_timeout; else the step fails with why."""
    if link.check_mode or not before or not (before['followers'] or expected):
        return
    params, now, problems = link.params, None, []
    for dummy in attempts(link.local_es(), 'the followers of %s to replicate' % params['alias'], params['wait_timeout']):
        now = observe(link, strict=True)
        proven, problems = replication_verdict(before, now, expected)
        if proven:
            link.result['replication'] = now
            return
    link.fail('the followers of %s do not replicate %ds after the change of its credentials: %s' % (
        params['alias'], params['wait_timeout'], '; '.join(problems)), step='replication', replication=now)


# -- removal ----------------------------------------------------------------------------------------------------------
def release(link):
    """Removal: the followers and auto-follow patterns that replicate through the alias would retry forever once it is
    gone. Refused while there are any, unless ``ccr_on_remove: unfollow``: the patterns deleted, each follower paused,
    closed, turned into a regular index and opened again (its data kept)."""
    params, local = link.params, link.local
    observed = observe(link)
    if not observed or not (observed['followers'] or observed['auto_follow_patterns']):
        return
    names = ['follower %s' % f['follower_index'] for f in observed['followers']] + [
        'auto-follow pattern %s' % p['name'] for p in observed['auto_follow_patterns']]
    if params['ccr_on_remove'] != 'unfollow':
        link.fail('%s replicate through %s: removing the link would leave them retrying forever. Unfollow them first '
                  '(ece.remote_clusters.es_ccr_follower state: absent), or give ccr_on_remove: unfollow to have the link do '
                  'it (the follower indices stay, as regular indices)' % (', '.join(names), params['alias']), step='replication')
    steps = [('ccr_auto_follow', 'auto-follow pattern %s of %s' % (pattern['name'], params['alias']),
              local.es_step(CcrAutoFollowPattern, name=pattern['name'], state='absent')) for pattern in observed['auto_follow_patterns']]
    steps += [('ccr_follower', 'follower index %s of %s' % (follower['follower_index'], params['alias']),
               local.es_step(CcrFollower, name=follower['follower_index'], state='absent')) for follower in observed['followers']]
    for step in steps:  # the patterns first: none may start a follower of a leader the link stops replicating
        run(link, step)
    link.result['unfollowed'] = names
