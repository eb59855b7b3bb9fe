# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The managers keep to their protocol (``_manager.py``): ``read`` returns what it saw and keeps nothing on the manager,
the decisions (``plan``, ``desired``, ``differs``, ``changed_by``, ``report``, ``view``) send no request and show no
warning (a plan returns its warnings), and no manager keeps state between the steps of its life cycle. Checked on the
source, so that a manager written later keeps to it too."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULE_UTILS = os.path.join(ROOT, 'plugins', 'module_utils')
PURE = ('plan', 'desired', 'differs', 'changed_by', 'report', 'view')
# the compositions run managers and keep their own result: they are not managers of one object
NOT_MANAGERS = ('Composition',)


def classes():
    """Every class of module_utils: ``{name: (file, ClassDef)}``."""
    found = {}
    for name in sorted(os.listdir(MODULE_UTILS)):
        if name.endswith('.py'):
            with open(os.path.join(MODULE_UTILS, name)) as handle:
                tree = ast.parse(handle.read())
            for node in tree.body:
                if isinstance(node, ast.ClassDef):
                    found[node.name] = (name, node)
    return found


def bases(node):
    return [base.id for base in node.bases if isinstance(base, ast.Name)]


def managers(found):
    """The names of the managers: subclasses of Manager, not of a composition."""
    def lineage(name):
        while name in found:
            yield name
            parents = bases(found[name][1])
            name = parents[0] if parents else None
    return [name for name in found if 'Manager' in list(lineage(name))[1:] and not set(NOT_MANAGERS) & set(lineage(name))]


def methods(found, name):
    """The methods of class ``name`` with those it inherits from the classes of module_utils (its own win)."""
    chain = []
    while name in found:
        chain.append(found[name][1])
        parents = bases(found[name][1])
        name = parents[0] if parents else None
    table = {}
    for cls in reversed(chain):
        table.update((item.name, item) for item in cls.body if isinstance(item, ast.FunctionDef))
    return table


def is_self(node, attr=None):
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == 'self'
            and attr in (None, node.attr))


def self_calls(function):
    """What ``function`` uses of self: the names of the other methods, whether it sends a request (a call of a method of
    ``self.client``, or its ``version``, which may be read), and whether it warns. ``fail`` only words a failure."""
    called, io, warns = set(), False, False
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and is_self(node.value, 'client') and node.attr == 'version':
            io = True
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and is_self(node.func.value, 'client'):
            io = True
        elif is_self(node, 'warn'):
            warns = True
        elif is_self(node) and node.attr not in ('client', 'fail'):
            called.add(node.attr)
    return called, io, warns


def problems_of(found, name):
    table = methods(found, name)
    facts = dict((method, self_calls(function)) for method, function in table.items())

    def sends(method, seen):
        if method in seen or method not in facts:
            return False
        seen.add(method)
        called, io, dummy = facts[method]
        return io or any(sends(other, seen) for other in called)

    found_problems = []
    for method, function in table.items():
        if method == '__init__':
            continue
        for node in ast.walk(function):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == 'self':
                    found_problems.append('%s.%s keeps self.%s' % (name, method, target.attr))
    for method in PURE:
        if method not in facts:
            continue
        if sends(method, set()):
            found_problems.append('%s.%s sends requests' % (name, method))
        if facts[method][2]:
            found_problems.append('%s.%s warns (a plan returns its warnings)' % (name, method))
    return found_problems


def test_every_manager_keeps_to_the_protocol():
    found = classes()
    names = managers(found)
    assert {'TrustRelationship', 'DeploymentTrust', 'CrossClusterApiKey', 'KeystoreSecret', 'DeploymentRestart',
            'RemoteCluster', 'CcrFollower', 'UnusedRelationship'} <= set(names)
    assert [problem for name in names for problem in problems_of(found, name)] == []


def test_the_check_finds_kept_state_requests_and_warnings_in_decisions():
    source = '''
class Manager:
    def report(self, current, after, changed, facts):
        return {}


class Leaky(Manager):
    def read(self):
        self.local = self.client.list()
        return None

    def desired(self, current):
        return self.lookup(current)

    def lookup(self, current):
        return self.client.get(current)

    def plan(self, observed):
        self.warn('x')
'''
    tree = ast.parse(source)
    found = dict((node.name, ('test.py', node)) for node in tree.body if isinstance(node, ast.ClassDef))
    assert managers(found) == ['Leaky']
    assert sorted(problems_of(found, 'Leaky')) == ['Leaky.desired sends requests', 'Leaky.plan warns (a plan returns its warnings)',
                                                   'Leaky.read keeps self.local']
