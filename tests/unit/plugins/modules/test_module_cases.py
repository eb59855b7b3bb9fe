# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module behaviour as data: each case of ``cases/<module>.yml`` runs the module (its argument checks, manager, client,
check mode and diff: all of its code) against canned API answers, and says what it must send, in which order, and
what it must return. No server: the HTTP session answers from the case.

A case::

    - id: what the case shows
      params: {...}                 # the module's arguments, connection options included
      check_mode: false             # optional
      diff: false                   # optional
      exchanges:                    # every request the module must send, in order, with the answer it gets
        - request: GET /api/v1/deployments/<id>/elasticsearch/main-elasticsearch/keystore
          query: {...}              # optional: the query parameters sent, exactly
          sent: {...}               # optional: the JSON body sent, exactly
          status: 200               # optional, 200 by default
          headers: {...}            # optional
          body: {...}               # optional
      result: {...}                 # fields the result must have, with these values (nested dictionaries: a subset)
      contains: {...}               # optional: text that a field of the result must contain (a message, a warning)
      absent: [...]                 # optional: text that must appear nowhere in the result (a secret)

A request the case does not expect is answered with HTTP 599 and fails the case.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest
import requests
import yaml

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, but ansible-test may import this file there
    from urlparse import urlsplit

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cases')
UNEXPECTED = 599


def cases():
    found = []
    for name in sorted(os.listdir(CASES)):
        if name.endswith('.yml'):
            with open(os.path.join(CASES, name)) as handle:
                for case in yaml.safe_load(handle):
                    found.append(pytest.param(name[:-4], case, id='%s: %s' % (name[:-4], case['id'])))
    return found


class Answer:
    """What ``requests`` returns, as far as the client reads it."""

    def __init__(self, status, body, headers):
        self.status_code = status
        self.headers = requests.structures.CaseInsensitiveDict(headers or {})
        self.content = json.dumps(body).encode('utf-8') if body is not None else b''
        self.text = self.content.decode('utf-8')
        self.reason = 'canned'

    def json(self):
        return json.loads(self.text)


class Api:
    """The canned exchanges of a case, answered in order; every request is recorded as ``METHOD path``."""

    def __init__(self, exchanges):
        self.exchanges = list(exchanges)
        self.sent = []
        self.mismatches = []

    def request(self, method, url, params=None, data=None, **dummy):
        """``requests.Session.request`` of every session while the case runs (a bound method: no session passed)."""
        index = len(self.sent)
        self.sent.append('%s %s' % (method, urlsplit(url).path))
        if index >= len(self.exchanges) or self.exchanges[index]['request'] != self.sent[-1]:
            return Answer(UNEXPECTED, {'error': 'no canned answer for %s' % self.sent[-1]}, None)
        exchange = self.exchanges[index]
        if 'query' in exchange and dict(params or {}) != exchange['query']:
            self.mismatches.append('%s: query %r, not %r' % (self.sent[-1], params, exchange['query']))
        if 'sent' in exchange and (json.loads(data) if data else None) != exchange['sent']:
            self.mismatches.append('%s: body %s, not %s' % (self.sent[-1], data, json.dumps(exchange['sent'])))
        return Answer(exchange.get('status', 200), exchange.get('body'), exchange.get('headers'))


def subset(expected, actual, where='result'):
    """The differences of ``actual`` from ``expected``: every key of a dictionary expected, with the value expected."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return [problem for key, value in expected.items()
                for problem in (subset(value, actual[key], '%s.%s' % (where, key)) if key in actual else ['%s: missing' % key])]
    return [] if expected == actual else ['%s: %r, not %r' % (where, actual, expected)]


@pytest.mark.parametrize('module, case', cases())
def test_module_case(module, case, run_module, monkeypatch):
    api = Api(case['exchanges'])
    monkeypatch.setattr(requests.Session, 'request', api.request)
    result = run_module(module, case['params'], check_mode=case.get('check_mode', False), diff=case.get('diff', False))
    assert api.sent == [exchange['request'] for exchange in case['exchanges']], result
    assert api.mismatches == []
    assert subset(case['result'], result) == [], result
    assert [key for key, part in (case.get('contains') or {}).items() if part not in json.dumps(result.get(key))] == [], result
    text = json.dumps(result)
    assert [secret for secret in case.get('absent') or [] if secret in text] == []


def test_the_harness_answers_an_unexpected_request_with_599_and_sees_a_wrong_body():
    api = Api([{'request': 'PATCH /a', 'sent': {'x': 1}}])
    assert api.request('PATCH', 'https://ece.example/a', data='{"x": 2}').status_code == 200
    assert api.request('GET', 'https://ece.example/b').status_code == UNEXPECTED
    assert api.sent == ['PATCH /a', 'GET /b'] and len(api.mismatches) == 1
    assert subset({'a': {'b': 1}, 'c': 2}, {'a': {'b': 2, 'z': 0}}) == ['result.a.b: 2, not 1', 'c: missing']
