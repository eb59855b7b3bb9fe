# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Normalisation of Elasticsearch security objects (role privileges, cross-cluster API key access). Private to this collection.

Elasticsearch returns these objects in a normalised form that differs from what was sent: ``names`` always as a
list, ``allow_restricted_indices`` always present (default false), ``query`` as a JSON string holding the stored
bytes. Comparing both sides in the form built here avoids reporting a change (and writing) on every run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

# keys of a privileges entry whose values are sets of strings: order and duplicates have no meaning
SET_KEYS = ('names', 'privileges', 'clusters')


def as_list(value):
    """``None`` -> ``[]``; ``'a'`` -> ``['a']``; a list -> a list of str."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def string_set(value):
    """A sorted list of the distinct strings of ``value`` (a string or a list)."""
    return sorted(set(as_list(value)))


def parse_query(value):
    """A document-level-security query as an object: GET returns it as a JSON string, users give an object or a string.

    ``None`` and ``''`` mean no query. A string that is not JSON is returned unchanged (Elasticsearch will judge it).
    """
    if value is None or value == '':
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return copy.deepcopy(value)


def check_query(value, option):
    """An error message when ``value`` is neither an object nor a JSON object string, else None."""
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, str):
        try:
            if isinstance(json.loads(value), dict):
                return None
        except ValueError:
            pass
    return ('%s: a query must be a query object (for example {"term": {"team": "blue"}}) or that object as a JSON string; '
            'got %r' % (option, value))


def check_field_security(value, option):
    """An error message when ``value`` is not ``{grant: [...], except: [...]}``, else None."""
    if value is None:
        return None
    if not isinstance(value, dict) or not set(value) <= set(('grant', 'except')):
        return ('%s: field_security takes only the keys grant and except, each a list of field names, '
                'for example {"grant": ["*"], "except": ["secret.*"]}; got %r' % (option, value))
    return None


def normalize_field_security(value):
    """``{grant, except}`` with sorted lists; an empty ``except`` is the same as none. None when not set."""
    if not value:
        return None
    result = {}
    for key in ('grant', 'except'):
        if value.get(key) is not None:
            result[key] = string_set(value[key])
    if not result.get('except'):
        result.pop('except', None)
    return result or None


def normalize_entry(entry):
    """One ``indices``/``remote_indices``/``remote_cluster``/access entry in a form fit for comparison.

    Set-like keys become sorted lists, ``query`` an object, ``allow_restricted_indices`` a bool (default false) when
    the entry is an index entry (it has ``names``); keys without a value are dropped.
    """
    entry = entry or {}
    result = {}
    for key, value in entry.items():
        if key in SET_KEYS:
            result[key] = string_set(value)
        elif key == 'query':
            query = parse_query(value)
            if query is not None:
                result[key] = query
        elif key == 'field_security':
            field_security = normalize_field_security(value)
            if field_security is not None:
                result[key] = field_security
        elif key == 'allow_restricted_indices':
            continue
        elif value is not None:
            result[key] = copy.deepcopy(value)
    if 'names' in entry:
        result['allow_restricted_indices'] = bool(entry.get('allow_restricted_indices'))
    return result


def normalize_entries(entries):
    """A list of entries, normalised and in a canonical order (the order of privilege entries has no meaning)."""
    return sorted((normalize_entry(e) for e in entries or []), key=lambda e: json.dumps(e, sort_keys=True))


def request_entry(entry):
    """An entry as sent to Elasticsearch: the options the user set, nothing else (no null values)."""
    return dict((k, copy.deepcopy(v)) for k, v in (entry or {}).items() if v is not None)
