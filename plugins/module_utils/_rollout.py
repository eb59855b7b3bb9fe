# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every link of an inventory in one module run, in plan rounds: the logic of the module remote_clusters_rollout.
Private to this collection.

Each link runs as in remote_cluster_link, in a thread of its own, over clients that all links share (a deployment or an
environment's trust relationships is read once for all links). A link's step that starts a plan (deployment trust, a
restart) joins the plan round: when every link that still runs waits for one, the round writes each deployment once,
with the changes of every link that touches it merged, and awaits all plans together. A link that fails fails alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import DeploymentInfo, DeploymentRestart
from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._link import RemoteClusterLink, Side, Steps
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Composition, Outcome, plan_manager, run_manager
from ansible_collections.ece.remote_clusters.plugins.module_utils._outcome import describe
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import (
    ClientPool, ModuleFailure, run_step)
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import KINDS, DeploymentTrust, comparable, merge_trust, sent_again

# the steps that start a plan: in a rollout they join the plan round of every link
PLAN_STEPS = (DeploymentTrust, DeploymentRestart)

DEFAULT_CONCURRENCY = 4
# the order of the plan-making steps of one deployment in a round
ORDER = ('present', 'absent', 'restart')


def rollout_link_options():
    """The options of one link of a rollout: those of remote_cluster_link, a name, and a deployment by name."""
    options = copy.deepcopy(RemoteClusterLink.argument_spec)
    options['name'] = dict(type='str', required=True)
    for key in ('local', 'remote'):
        side = options[key]['options']
        side['deployment_id'] = dict(type='str')
        side['deployment_name'] = dict(type='str')
    return options


def merge_wanted(contributions, state):
    """The entries of several deployment-trust steps of one deployment as one: entries of one key are combined (see
    :func:`combine`); an entry that trusts all clusters needs no allowlist."""
    merged = dict((kind, []) for kind, dummy, dummy2, dummy3 in KINDS)
    for wanted in contributions:
        for kind, key, scalars, sets in KINDS:
            for want in wanted[kind]:
                entry = next((e for e in merged[kind] if e.get(key) == want.get(key)), None)
                if entry is None:
                    merged[kind].append(dict((k, copy.deepcopy(v)) for k, v in want.items() if v is not None))
                else:
                    combine(entry, want, scalars, sets + (('certificates',) if kind == 'direct' else ()), state)
    for entry in (e for entries in merged.values() for e in entries if e.get('trust_all')):
        entry.pop('trust_allowlist', None)
    return merged


def combine(entry, want, scalars, lists, state):
    """``want`` added to ``entry`` of the same key: trust_all if one asks for it, its lists joined; in ``absent``, an entry
    given whole (without an allowlist) is removed whole."""
    if want.get('trust_all') is not None:
        entry['trust_all'] = bool(entry.get('trust_all')) or want['trust_all']
    for field in scalars:
        if want.get(field) is not None:
            entry[field] = want[field]
    for field in lists:
        if state == 'absent' and field == 'trust_allowlist' and (not want.get(field) or field not in entry):
            entry.pop(field, None)
        elif want.get(field) is not None:
            entry[field] = list(entry.get(field) or []) + [v for v in want[field] if v not in (entry.get(field) or [])]


class RoundSteps(Steps):
    """The steps of a link of a rollout: those that start plans (deployment trust, restarts) join the plan round of every
    link (:class:`PlanRounds`), which writes each deployment once and awaits all plans together; the others run as a
    link runs them."""

    def __init__(self, rounds):
        self.rounds = rounds

    def run(self, steps):
        if any(isinstance(step, PLAN_STEPS) for step in steps):
            return self.rounds.join(steps)
        return super(RoundSteps, self).run(steps)

    def trusts(self):
        return self.rounds.trusts()


class PlanRounds:
    """The plan rounds of the links of a rollout, each link in a thread of its own.

    :meth:`join` blocks a link until the round it joined has run; :meth:`run` (the module's own thread) runs a round as
    soon as every link that still runs has joined one, until every link ended.
    """

    def __init__(self, links):
        self._condition = threading.Condition()
        self._running = links
        self._waiting = []
        self._outcomes = {}
        self._token = 0
        self.rounds = 0      # rounds that wrote (or would write, in check mode) at least one deployment
        self.writes = 0      # deployments written in them
        self._trusts = {}    # (ECE URL, deployment ID, ref_id): the trust a round left (or would leave, in check mode)

    def join(self, steps):
        """``steps`` (DeploymentTrust and DeploymentRestart) in the next round; their ``(result, failure)`` in order."""
        with self._condition:
            self._token += 1
            token = self._token
            self._waiting.append((token, steps))
            self._condition.notify_all()
            while token not in self._outcomes:
                self._condition.wait()
            return self._outcomes.pop(token)

    def trusts(self):
        """The trust of each deployment that a round wrote (or would write, in check mode), as it left it."""
        with self._condition:
            return dict(self._trusts)

    def ended(self):
        """A link ended (done or failed): the others no longer wait for it."""
        with self._condition:
            self._running -= 1
            self._condition.notify_all()

    def run(self):
        while True:
            with self._condition:
                while self._running and len(self._waiting) < self._running:
                    self._condition.wait()
                if not self._running:
                    return
                batch, self._waiting = self._waiting, []
            writes = self.writes
            outcomes = self.run_round(batch)
            with self._condition:
                self.rounds += self.writes > writes
                self._outcomes.update(outcomes)
                self._condition.notify_all()

    def run_round(self, batch):
        """Every deployment of the round in a thread of its own; its steps merged by kind, in the order of ORDER."""
        deployments = {}
        for token, steps in batch:
            for index, step in enumerate(steps):
                kind = 'restart' if isinstance(step, DeploymentRestart) else step.params['state']
                key = (step.client.base_url, step.params['deployment_id'])
                deployments.setdefault(key, dict((k, []) for k in ORDER))[kind].append((token, index, step))
        outcomes = dict((token, [None] * len(steps)) for token, steps in batch)
        with ThreadPoolExecutor(max_workers=len(deployments)) as pool:
            for done in pool.map(self.run_deployment, deployments.values()):
                for (token, index), outcome in done:
                    outcomes[token][index] = outcome
        return outcomes

    def run_deployment(self, kinds):
        done = []
        for kind in ORDER:
            members = kinds[kind]
            if members:
                outcomes = self.run_kind(kind, [step for dummy, dummy2, step in members])
                done.extend(((token, index), outcome) for (token, index, dummy), outcome in zip(members, outcomes))
        return done

    def run_kind(self, kind, steps):
        """The steps of one kind of one deployment as one: a restart, or one trust write with every link's entries."""
        try:
            if kind == 'restart':
                outcome, failure = run_step(steps[0])
                self.count(outcome)
                return [(copy.deepcopy(outcome), failure) for dummy in steps]
            wanted = [step.wanted() for step in steps] if len(steps) > 1 else None
            lead = merged_trust(steps, wanted) if wanted else steps[0]
            plan = outcome = failure = None
            try:
                plan = plan_manager(lead)
                outcome = run_manager(lead, validated=True, planned=plan)
            except ModuleFailure as exc:
                failure = exc
            self.count(outcome)
            if outcome is not None:
                with self._condition:
                    self._trusts[(lead.client.base_url, lead.params['deployment_id'], plan.facts['resource']['ref_id'])] = outcome.after
            if len(steps) == 1:
                return [(outcome, failure)]
            if failure is None:
                return [(share(plan, outcome, step, own), None) for step, own in zip(steps, wanted)]
            return [unshared(plan, step, own, failure) for step, own in zip(steps, wanted)]
        except Exception as exc:  # a link waits for this outcome: never leave it waiting
            failure = ModuleFailure('internal error, please report it: %s' % exc, exception=traceback.format_exc())
            return [(None, failure) for dummy in steps]

    def count(self, outcome):
        """A deployment written (or that would be, in check mode) in this round."""
        if outcome is not None and outcome.changed:
            with self._condition:
                self.writes += 1


def merged_trust(steps, wanted):
    """One deployment-trust step with the entries ``wanted`` of ``steps`` (of one deployment and state), over the first
    one's client."""
    first = steps[0]
    params = dict(first.params, wait_timeout=max(step.params['wait_timeout'] for step in steps))
    params.update(merge_wanted(wanted, first.params['state']))
    return DeploymentTrust.create(first.context, first.client, **params)


def own_trust(plan, step, wanted):
    """The trust of the deployment as the merged step read it, with the entries ``wanted`` of one link's step only."""
    return merge_trust(plan.current, wanted, step.params['state'], step.params['purge'])


def resent(plan):
    """Whether the merged step sends the trust as it read it, to start a new plan after a failed one: a change of every
    link's."""
    return plan.changed and sent_again(plan.current, plan.desired)


def unshared(plan, step, wanted, failure):
    """The outcome of a link whose own entries the deployment had already, when the merged write failed: the failure is
    not its own; else ``failure`` (its entries were missing, the deployment could not be read, or its last plan failed)."""
    if plan is None or resent(plan) or comparable(own_trust(plan, step, wanted)) != comparable(plan.current):
        return None, failure
    return Outcome(False, plan.current, plan.current, {'trust': plan.current, 'plan_change': False}, None), None


def share(plan, outcome, step, wanted):
    """The outcome of one link's deployment-trust step that the merged step applied: changed when the link's own entries
    changed the trust (or the trust was sent again after a failed plan), with their diff."""
    own = own_trust(plan, step, wanted)
    changed = comparable(own) != comparable(plan.current) or bool(outcome.changed and resent(plan))
    result = dict(outcome.result) if changed else dict(outcome.result, plan_change=False)
    return Outcome(changed, plan.current, own, result, step.diff_of(plan.current, own) if changed and step.context.diff else None)


class RemoteClustersRollout(Composition):
    api = None
    argument_spec = dict(
        links=dict(type='list', elements='dict', required=True, options=rollout_link_options()),
        concurrency=dict(type='int', default=DEFAULT_CONCURRENCY),
        diagnose=dict(type='bool', default=True),
        check_links_first=dict(type='bool', default=False),
    )

    def validate(self):
        errors = []
        if self.params['concurrency'] < 1:
            errors.append('concurrency: %d is not a number of requests; give at least 1, e.g. %d'
                          % (self.params['concurrency'], DEFAULT_CONCURRENCY))
        names = [link['name'] for link in self.params['links']]
        twice = sorted(set(name for name in names if names.count(name) > 1))
        if twice:
            errors.append('links: the names %s are given twice; give each link a name of its own' % ', '.join(twice))
        return errors

    def execute(self):
        links = self.params['links']
        pool = ClientPool(self.check_mode, self.warn, limit=self.params['concurrency'])
        for link in links:
            for key in ('local', 'remote'):
                if link[key]['environment']:
                    pool.names.setdefault(link[key]['ece']['ece_url'], link[key]['environment'])
        if self.params['check_links_first']:
            self.refuse_bad_links(links)
        rounds = PlanRounds(len(links))
        contacts = FirstContact()
        try:
            with ThreadPoolExecutor(max_workers=max(1, len(links))) as threads:
                futures = [threads.submit(self.run_link, link, pool, rounds, contacts) for link in links]
                rounds.run()
                outcomes = [future.result() for future in futures]
        finally:
            pool.close()
        diffs = [dict(diff, before_header='%s: %s' % (outcome['name'], diff.get('before_header', '')),
                      after_header='%s: %s' % (outcome['name'], diff.get('after_header', '')))
                 for outcome in outcomes for diff in outcome.get('diff') or []]
        self.result.update(links=outcomes, plan_rounds=rounds.rounds)
        self.set_changed(any(outcome['changed'] for outcome in outcomes))
        if diffs:
            self.result['diff'] = diffs
        failed = [outcome for outcome in outcomes if outcome.get('failed')]
        if failed:
            self.fail('%d of %d links failed: %s' % (len(failed), len(outcomes), '; '.join(
                '%s: %s' % (outcome['name'], outcome['msg']) for outcome in failed)), **self.result)

    def refuse_bad_links(self, links):
        """With check_links_first: fail before any request when a link is not well defined, naming every such link."""
        errors = dict((link['name'], self.link_errors(link)) for link in links)
        bad = [name for name in errors if errors[name]]
        if not bad:
            return
        outcomes = []
        for link in links:
            msg = ('; '.join(errors[link['name']]) if errors[link['name']]
                   else 'not attempted: %d other links are not well defined (check_links_first)' % len(bad))
            result = dict(changed=False, failed=True, msg=msg)
            self.name_sides(link, result)
            outcomes.append(dict(result, name=link['name'], **describe(link, result)))
        self.fail('%d of %d links are not well defined, and nothing was sent to any environment: %s' % (
            len(bad), len(links), '; '.join('link %s: %s' % (name, '; '.join(errors[name])) for name in bad)),
            links=outcomes, plan_rounds=0)

    @staticmethod
    def name_sides(params, result):
        """Both sides of a link's result with their environments, and the deployment names that the link gave (a link that
        failed before reading its deployments is known by them)."""
        for key in ('local', 'remote'):
            result[key] = dict(result.get(key) or {'deployment_id': params[key]['deployment_id']},
                               environment=params[key]['environment'])
            result[key].setdefault('deployment_name', params[key].get('deployment_name'))

    def run_link(self, params, pool, rounds, contacts):
        """One link, in its thread: its result with its name, or its failure (``failed``, ``msg``, ``step``); and, when it
        is not connected, its ``problems``; in every case its ``status``, its ``changes`` in words and the names of both
        sides."""
        given = copy.deepcopy(params)
        params = copy.deepcopy(params)
        name = params.pop('name')
        result, link, errors = {'changed': False}, None, []
        try:
            errors = self.link_errors(params)
            if errors:
                raise ModuleFailure('; '.join(errors))
            for key in ('local', 'remote'):
                self.first_contact(name, key, params[key], pool, contacts)
            link = RemoteClusterLink.create(self.context, None, **params)
            link.pool, link.schedule = pool, RoundSteps(rounds)
            result = link.run()
        except ModuleFailure as failure:
            result = dict(result, **failure.kwargs)
            result.update(failed=True, msg=failure.msg)
        finally:
            rounds.ended()
        self.name_sides(given, result)
        if self.params['diagnose'] and params['state'] == 'present' and not (result.get('remote_info') or {}).get('connected'):
            if 'model' in result:  # the link got past its own checks (its result names its model): why is it not connected
                result['problems'] = link.diagnosis()
            elif errors and params['local']['deployment_id'] and params['remote']['deployment_id']:
                result['problems'] = self.diagnosis_of_refused(params, pool)
        return dict(result, name=name, **describe(given, result))

    def diagnosis_of_refused(self, params, pool):
        """The problems of a link whose options were refused, read as far as its options allow (reads only)."""
        params = copy.deepcopy(params)
        for key in ('local', 'remote'):
            params[key].pop('deployment_name', None)
        link = RemoteClusterLink.create(self.context, None, **params)
        link.pool = pool
        link.local, link.remote = Side(link, 'local', link.params['local']), Side(link, 'remote', link.params['remote'])
        try:
            return link.diagnosis()
        except (ModuleFailure, ApiError, ValueError, TypeError, KeyError) as exc:
            return [{'problem': 'unreadable', 'side': 'both',
                     'message': 'The link could not be diagnosed with the options given: %s' % getattr(exc, 'msg', exc)}]

    def link_errors(self, params):
        """The link's bad input, found before any request (a deployment given by name: a stand-in ID in its place)."""
        checked = copy.deepcopy(params)
        checked.pop('name', None)
        errors = []
        for index, key in enumerate(('local', 'remote')):
            side = checked[key]
            name = side.pop('deployment_name')
            if bool(side['deployment_id']) == bool(name):
                errors.append('%s: give deployment_id or deployment_name%s' % (key, ', not both' if name else ''))
            side['deployment_id'] = side['deployment_id'] or '%032x' % (index + 1)
        return errors + [error for error in RemoteClusterLink.create(self.context, None, **checked).validate() if error]

    def first_contact(self, name, key, side, pool, contacts):
        """The first request of the link to the ECE API of one side, through ``contacts``: the ID of a deployment given by
        name; for one given by ID, its read, which the link's own read then takes from the client's reads."""
        client = pool.client('ece', side['ece'], environment=side['ece']['ece_url'])
        deployment_name = side.pop('deployment_name')
        if side['deployment_id']:
            contacts.run(client, name, 'read the %s deployment' % key, '%s_deployment' % key,
                         lambda: DeploymentInfo.create(self.context, client, deployment_id=side['deployment_id']).outcome().result, fail=False)
            return
        found = contacts.run(client, name, 'find the %s deployment by name' % key, '%s_deployment' % key,
                             lambda: DeploymentInfo.create(self.context, client, name=deployment_name).outcome().result)['deployments']
        if len(found) != 1:
            raise ModuleFailure('%s.deployment_name: %r does not name exactly one deployment of the %s environment (%d found); '
                                'give its deployment_id instead' % (key, deployment_name, side['environment'] or key, len(found)),
                                step='%s_deployment' % key)
        side['deployment_id'] = found[0]['id']


class FirstContact:
    """The first request of a rollout over each client of an ECE API goes alone, the others wait for its answer: when the
    API refuses the credentials (HTTP 401), one request is refused, and the other links of that environment are not
    attempted; they name the link that was refused. Once a request was answered, requests no longer wait."""

    def __init__(self):
        self._lock = threading.Lock()
        self._locks = {}
        self._answered = set()
        self._refused = {}  # the link refused, by client

    def run(self, client, name, label, step, read, fail=True):
        """``read()`` (the link ``name``'s step ``step``, ``label`` in words), or its failure; with ``fail`` false, a
        failure other than a refusal of the credentials is left to the link's own read (None)."""
        key = id(client)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        if key not in self._answered:
            with lock:
                if key not in self._answered:
                    if key in self._refused:
                        raise ModuleFailure('not attempted: %s refused the credentials (see link %s)' % (
                            'environment %s' % client.environment_name if client.environment_name else client.base_url,
                            self._refused[key]), step=step)
                    found = self.call(key, name, label, step, read, fail)
                    self._answered.add(key)
                    return found
        return self.call(key, name, label, step, read, fail)

    def call(self, key, name, label, step, read, fail):
        try:
            return read()
        except ModuleFailure as failure:
            msg = '%s: %s' % (label, failure.msg)
            if failure.kwargs.get('status') == 401:
                self._refused[key] = name
                msg += ' (in the ece options of the %s side of the link)' % step.split('_')[0]
            elif not fail:
                return None
            raise ModuleFailure(msg, step=step, status=failure.kwargs.get('status'), error=failure.kwargs.get('error'))
