"""Injected faults (admin API ``POST /_sim/faults``).

A request fault matches on ``server`` (regex searched in e.g. ``ece:ece-a`` or ``es:ece-a/search-a``),
``method`` (exact, case-insensitive) and ``path`` (regex searched in the path, query string excluded)
and applies to the next ``count`` matching requests (default 1; -1 = until cleared), once ``after`` matching requests
(default 0) have passed untouched. Actions:

* ``status`` (+ optional ``body``, ``headers``): answer with that status instead of handling the request;
* ``drop``: close the connection without an answer;
* ``latency_ms``: wait before handling (combinable with the other actions);
* ``handled`` (with ``status`` or ``drop``): handle the request first, then answer with the fault instead of its
  answer, as a gateway that gave up waiting after the server did the work (HTTP 502/504, a dropped connection);
* ``mutate``: apply a state operation (see ``admin.apply_op``) just before handling, to simulate a
  concurrent change by someone else (e.g. a version bump with an added trust entry).

A plan fault ``{"plan_failure": "message", "env": ..., "deployment": ..., "count": N}`` makes the next N
plans (updates or restarts) of that deployment fail with that message; ``{"plan_seconds": S, "env": ...,
"deployment": ...}`` makes them take S seconds (a slow plan); both can be combined.
"""

from __future__ import annotations

import itertools
import re


class Fault:
    _ids = itertools.count(1)

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError('a fault must be a JSON object')
        known = {'match', 'status', 'body', 'headers', 'drop', 'latency_ms', 'count', 'mutate', 'plan_failure', 'plan_seconds',
                 'env', 'deployment', 'description', 'handled', 'after'}
        unknown = set(spec) - known
        if unknown:
            raise ValueError('unknown fault fields %s' % sorted(unknown))
        self.id = next(self._ids)
        self.spec = spec
        match = spec.get('match') or {}
        if not isinstance(match, dict) or set(match) - {'server', 'method', 'path'}:
            raise ValueError('match takes only server, method and path')
        self.server = re.compile(match['server']) if match.get('server') else None
        self.method = match['method'].upper() if match.get('method') else None
        self.path = re.compile(match['path']) if match.get('path') else None
        self.count = int(spec.get('count', 1))
        self.after = int(spec.get('after', 0))
        self.status = spec.get('status')
        self.body = spec.get('body')
        self.headers = dict(spec.get('headers') or {})
        self.drop = bool(spec.get('drop'))
        self.handled = bool(spec.get('handled'))
        self.latency_ms = float(spec.get('latency_ms') or 0)
        self.mutate = spec.get('mutate')
        self.plan_failure = spec.get('plan_failure')
        self.plan_seconds = float(spec['plan_seconds']) if spec.get('plan_seconds') is not None else None
        self.env = spec.get('env')
        self.deployment = spec.get('deployment')
        if self.is_plan_fault:
            if not self.env or not self.deployment:
                raise ValueError('plan faults need env and deployment')
        elif not (self.status or self.drop or self.latency_ms or self.mutate):
            raise ValueError('a fault needs one of status, drop, latency_ms, mutate or plan_failure')
        if self.status is not None and not 100 <= int(self.status) <= 599:
            raise ValueError('status must be an HTTP status code')
        if self.mutate is not None and not isinstance(self.mutate, (dict, list)):
            raise ValueError('mutate must be an operation object or a list of them')

    @property
    def is_plan_fault(self):
        return self.plan_failure is not None or self.plan_seconds is not None

    @property
    def kind(self):
        if self.plan_failure is not None:
            return 'plan_failure'
        if self.plan_seconds is not None:
            return 'slow_plan'
        if self.drop:
            return 'drop'
        if self.status:
            return 'status'
        if self.mutate is not None:
            return 'mutate'
        return 'latency'

    def describe(self):
        if self.kind == 'status':
            return 'status:%s' % self.status
        if self.kind == 'latency':
            return 'latency:%g' % self.latency_ms
        if self.kind == 'mutate':
            ops = self.mutate if isinstance(self.mutate, list) else [self.mutate]
            return 'mutate:' + ','.join(str(op.get('op')) for op in ops)
        return self.kind

    def matches(self, server, method, path):
        if self.count == 0 or self.is_plan_fault:
            return False
        if self.server and not self.server.search(server):
            return False
        if self.method and self.method != method:
            return False
        if self.path and not self.path.search(path):
            return False
        return True

    def consume(self):
        if self.count > 0:
            self.count -= 1

    def to_json(self):
        data = dict(self.spec)
        data['id'] = self.id
        data['remaining'] = self.count
        data['kind'] = self.kind
        return data


class FaultStore:
    """Faults in the order they were added; the first matching one applies. Not locked itself: callers hold the world lock."""

    def __init__(self):
        self.faults = []

    def add(self, spec):
        fault = Fault(spec)
        self.faults.append(fault)
        return fault

    def clear(self):
        self.faults = []

    def remove(self, fault_id):
        before = len(self.faults)
        self.faults = [fault for fault in self.faults if fault.id != fault_id]
        return len(self.faults) != before

    def take(self, server, method, path):
        for fault in self.faults:
            if fault.matches(server, method, path):
                if fault.after > 0:  # a request it lets pass
                    fault.after -= 1
                    continue
                fault.consume()
                return fault
        return None

    def take_plan_fault(self, env_name, deployment):
        """(failure message or None, duration override or None) for the next plan of a deployment."""
        for fault in self.faults:
            if not fault.is_plan_fault or fault.count == 0 or fault.env != env_name:
                continue
            if fault.deployment in (deployment.name, deployment.id):
                fault.consume()
                return (str(fault.plan_failure) if fault.plan_failure is not None else None), fault.plan_seconds
        return None, None

    def to_json(self):
        return [fault.to_json() for fault in self.faults]
