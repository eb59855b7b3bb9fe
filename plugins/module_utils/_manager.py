# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Resource managers: one per managed object, and the one runner of their life cycle. Private to this collection.

A manager knows one object of ECE or Elasticsearch (a trust relationship, a deployment's trust, a keystore secret, a
role, ...): its options (``argument_spec`` and constraints, without the connection options) and its life cycle, which
:func:`run_manager` runs in this order:

- :meth:`~Manager.validate`: messages about bad input, with no request;
- :meth:`~Manager.read`: the reads; it returns what it saw, an :class:`Observed` (the object, and the facts that the
  decisions need besides it: what else was read, when), and keeps nothing on the manager;
- :meth:`~Manager.plan`: pure, from what was read: a :class:`Plan` (the object as it should be, whether that is a
  change, the warnings);
- :meth:`~Manager.apply`: the writes (the read-modify-write of its object included); never called in check mode;
- :meth:`~Manager.settle`: the waits and reads after the writes, or when nothing changed; never in check mode;
- :meth:`~Manager.report`: pure, the fields of its result from what was read, written and found after.

:func:`run_manager` is the only place that decides what check mode skips, the only one that shows the warnings of a
plan, and the only one that makes the diff (secrets masked). It returns an :class:`Outcome`: the compositions (a link,
a rollout) use it as it is, and a module turns it into its result (:meth:`Outcome.as_result`) at the end. A manager
reads ``check_mode`` only to word or predict its report (what a real run reads in ``settle``, after the writes, check
mode reads in ``read``, since nothing is written).

A module is ``run_module(Manager)``; ``remote_cluster_link`` and ``remote_clusters_rollout`` compose managers
(:meth:`Manager.create`) over clients they share.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback
from collections import namedtuple

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ApiError, CheckModeWriteError, Interrupted)
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import MASK, mask_secrets
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import (
    API_OPTIONS, CONSTRAINTS, ModuleFailure, connection_errors, connection_options, given, new_client, restore_interrupts,
    url_secrets, watch_interrupts)


class Context:
    """What a manager knows of the run it is part of: check mode, diff mode, where warnings go, the values to mask."""

    def __init__(self, check_mode=False, diff=False, warn=None, secrets=None):
        self.check_mode = check_mode
        self.diff = diff
        self.warn = warn or (lambda message: None)
        self.secrets = secrets if secrets is not None else set()

    @classmethod
    def of(cls, module):
        """The context of an AnsibleModule: its mode, its warnings, its no_log values."""
        return cls(module.check_mode, module._diff, module.warn, module.no_log_values)

    def mask(self, *values):
        """Values never to show from now on (a new key's secret)."""
        self.secrets.update(value for value in values if value)


class Observed(namedtuple('Observed', 'object facts')):
    """What :meth:`Manager.read` saw: the object as it is (the diff's before) and ``facts``, a dict of what the decisions
    need besides it (what else was read, when). A manager may return the object alone: it has no facts."""

    __slots__ = ()


def observed(value):
    """``value`` as an :class:`Observed`: the object alone has no facts."""
    return value if isinstance(value, Observed) else Observed(value, {})


class Plan(namedtuple('Plan', 'observed desired changed warnings')):
    """What a manager decided from what it read (:meth:`Manager.plan`), before any write: the object as it should be,
    whether that changes it, and the warnings to show."""

    __slots__ = ()

    @property
    def current(self):
        return self.observed.object

    @property
    def facts(self):
        return self.observed.facts


class Outcome(namedtuple('Outcome', 'changed before after result diff')):
    """What a manager did (or would do, in check mode): whether it changed the object, the object before and after, the
    fields of its result and its diff (secrets masked; None without diff mode, or for a manager that shows none)."""

    __slots__ = ()

    def as_result(self):
        """The outcome as a module returns it: its fields, ``changed`` and, in diff mode, ``diff``."""
        result = dict(self.result, changed=self.changed)
        if self.diff is not None:
            result['diff'] = self.diff
        return result


class Manager:
    """One managed object. Subclasses set the options and implement the parts of the life cycle they need."""

    api = None            # the client it needs: 'ece' or 'elasticsearch'
    secret_keys = ()      # keys whose values the diff masks
    diff = True           # whether its result has a diff (read-only managers have none)
    argument_spec = {}    # its own options; a module adds the connection options of ``api``
    mutually_exclusive = ()
    required_together = ()
    required_one_of = ()
    required_if = ()
    required_by = {}

    def __init__(self, params, context, client=None):
        self.params = params
        self.context = context
        self.check_mode = context.check_mode
        self.client = client

    @classmethod
    def constraints(cls):
        found = dict((name, list(getattr(cls, name))) for name in CONSTRAINTS[:4])
        found['required_by'] = dict(cls.required_by)
        return found

    @classmethod
    def create(cls, context, client, **params):
        """A manager of the options ``params`` that code gives (a step of a link): checked against the argument spec, with
        its defaults; a mistake there is a bug of this collection, named as such."""
        validation = ArgumentSpecValidator(cls.argument_spec, **cls.constraints()).validate(given(params))
        if validation.error_messages:
            raise ModuleFailure('internal error, please report it: %s: %s' % (cls.__name__, '; '.join(validation.error_messages)))
        return cls(validation.validated_parameters, context, client)

    # -- the life cycle (see run_manager) ------------------------------------------------------------------
    def validate(self):
        """Messages about bad input, found without any request."""
        return []

    def read(self):
        """The object as it is, with the facts the decisions need (an :class:`Observed`, or the object alone); reads only,
        and nothing kept on the manager."""
        return None

    def plan(self, observed):
        """Pure: the :class:`Plan` of what :meth:`read` saw. Here the object as :meth:`desired` wants it, changed when
        :meth:`differs` says so, with no warning; a manager whose decisions need the facts, or warn, overrides it."""
        current = observed.object
        desired = self.desired(current)
        return Plan(observed, desired, bool(self.differs(current, desired)), ())

    def desired(self, current):
        """The object as it should be, from ``current`` and the options (pure)."""
        return current

    def differs(self, current, desired):
        return self.view(current) != self.view(desired)

    def apply(self, current, desired, facts):
        """Make ``current`` what ``desired`` says (``facts``: what :meth:`read` found besides the object); returns the
        object after the writes, or an :class:`Observed` of it with what the writes found (a plan they started). Never
        called in check mode."""
        return desired

    def changed_by(self, current, after):
        """Whether the writes of :meth:`apply` changed the object, which ``after`` may show they did not (the API found
        nothing to change after all)."""
        return True

    def settle(self, after, changed, facts):
        """What a real run does after ``apply`` or when nothing changed (wait for a plan or a connection, read what the
        report needs after a write): returns the object after it, or an :class:`Observed` of it with what it found, or
        None when it found nothing. Never in check mode."""

    def report(self, current, after, changed, facts):
        """Pure: the fields of the result, besides ``changed`` and ``diff`` (``facts``: what was read, written and
        settled besides the object)."""
        return {}

    def view(self, state):
        """What the diff shows of a state of the object."""
        return state

    # -- helpers -----------------------------------------------------------------------------------------------
    def warn(self, message):
        self.context.warn(message)

    def fail(self, msg, **kwargs):
        if self.client is not None:
            msg = self.client.redact(msg)
        raise ModuleFailure(msg, **kwargs)

    def check_connection(self, params, api, label=''):
        """Messages about connection options ``params`` of ``api``; a password in its URL is masked from now on."""
        self.context.mask(*url_secrets(params[API_OPTIONS[api][1] + 'url']))
        return connection_errors(params, api, label)

    def outcome(self, validated=False):
        """What :func:`run_manager` did: the :class:`Outcome` that a composition uses."""
        return run_manager(self, validated)

    def run(self, validated=False):
        """The module's result: the :class:`Outcome` as a module returns it."""
        return self.outcome(validated).as_result()

    def diff_of(self, before, after):
        """The diff of two states of the object, as :meth:`view` shows them, secrets masked."""
        return {'before': mask_secrets(self.view(before), self.secret_keys, MASK),
                'after': mask_secrets(self.view(after), self.secret_keys, MASK)}


class Composition(Manager):
    """A module made of managers (a link, a rollout): its :meth:`execute` runs them and fills ``self.result``."""

    diff = False

    def execute(self):  # pragma: no cover - every composition overrides it
        raise NotImplementedError

    def run(self, validated=False):
        self.result = {'changed': False}
        check(self, validated)
        try:
            self.execute()
        except (ApiError, Interrupted, CheckModeWriteError) as exc:
            failed(self, exc, self.result['changed'])
        return self.result

    def set_changed(self, changed=True):
        self.result['changed'] = self.result['changed'] or bool(changed)


def check(manager, validated):
    """Fail on bad input, before any request (unless the module checked it already)."""
    errors = [] if validated else [error for error in manager.validate() if error]
    if errors:
        manager.fail('; '.join(errors))


def failed(manager, exc, changed):
    """Fail with an API error (``status``, ``error``), an interruption, or a write that check mode refused (a bug)."""
    if isinstance(exc, ApiError):
        manager.fail(exc.message, status=exc.status, error=exc.error, changed=changed or None)
    if isinstance(exc, Interrupted):
        manager.fail(str(exc), changed=changed or None)
    manager.fail('internal error, please report it: %s' % exc, exception=traceback.format_exc())


def plan_manager(manager, validated=False):
    """Validate (unless done), read and decide: the :class:`Plan` of ``manager``, its warnings shown. No write."""
    check(manager, validated)
    try:
        plan = manager.plan(observed(manager.read()))
    except (ApiError, Interrupted, CheckModeWriteError) as exc:
        failed(manager, exc, False)
    for warning in plan.warnings:
        manager.warn(warning)
    return plan


class Planned:
    """A step planned before it runs (:func:`plan_manager`), so that what it will do decides what comes before it (a
    check that only a change needs); :meth:`outcome` carries the plan out without reading again."""

    def __init__(self, manager):
        self.manager = manager
        self.plan = plan_manager(manager)

    def outcome(self):
        return run_manager(self.manager, validated=True, planned=self.plan)


def run_manager(manager, validated=False, planned=None):
    """Validate (unless done), read and plan (or take ``planned``, a :class:`Plan` made before) and, outside check mode,
    apply and settle: the only place that decides what check mode skips. Returns the :class:`Outcome`; API errors become
    :class:`ModuleFailure` with ``status`` and ``error``."""
    plan = planned or plan_manager(manager, validated)
    client = manager.client
    writes = client.thread_writes() if client is not None else 0
    try:
        current, after, changed, facts = plan.current, plan.desired, plan.changed, dict(plan.facts)
        if not manager.check_mode:
            if changed:
                after, found = observed(manager.apply(current, plan.desired, facts))
                facts.update(found)
                changed = manager.changed_by(current, after)
            settled = manager.settle(after, changed, facts)
            if settled is not None:
                after, found = observed(settled)
                facts.update(found)
        diff = manager.diff_of(current, after) if manager.diff and manager.context.diff else None
        return Outcome(changed, current, after, manager.report(current, after, changed, facts), diff)
    except (ApiError, Interrupted, CheckModeWriteError) as exc:
        # changed only when a write was sent before the failure (it may have been applied)
        failed(manager, exc, client is not None and client.thread_writes() > writes)


def module_specification(cls):
    """``(argument_spec, constraints)`` of the module of manager ``cls``: its options with the connection options."""
    spec, constraints = connection_options(cls.api) if cls.api else ({}, dict((c, []) for c in CONSTRAINTS[:4]))
    spec.update(cls.argument_spec)
    own = cls.constraints()
    for name in CONSTRAINTS[:4]:
        constraints[name] = list(constraints.get(name, [])) + own[name]
    constraints['required_by'] = own['required_by']
    return spec, constraints


def run_module(cls):
    """The module of manager ``cls``: its options checked, one client, the manager run, the result returned."""
    spec, constraints = module_specification(cls)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **constraints)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    handlers = watch_interrupts()
    manager = cls(module.params, Context.of(module))
    try:
        errors = manager.check_connection(module.params, cls.api) if cls.api else []
        errors = [error for error in errors + list(manager.validate()) if error]
        if errors:
            raise ModuleFailure('; '.join(errors))
        if cls.api:
            manager.client = new_client(cls.api, module.params, module.check_mode, module.warn)
        result = manager.run(validated=True)
    except ModuleFailure as failure:
        module.fail_json(msg=failure.msg, **failure.kwargs)
    finally:
        if manager.client is not None:
            manager.client.close()
        restore_interrupts(handlers)
    module.exit_json(**result)
