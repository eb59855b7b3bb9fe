# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every API call is a named method of EceClient or ElasticsearchClient: no request and no API path elsewhere; and those
clients only call: no check-mode rule, no wait, no warning, nothing of the managers, waiters or views."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENTS = {'_client.py', '_ece.py', '_elasticsearch.py'}
# the clients of named calls (_client.py is their transport)
NAMED_CALLS = ('_ece.py', '_elasticsearch.py')
# a decision: check mode (run_manager decides it), a wait or a pause (_waiters.py), a warning, a request chosen by the
# version, an import of what decides
DECISION = re.compile(r"\bread_only\b|check_mode|\.sleep\(|\bimport time\b|\btime\.|\.warn\(|self\.version_at_least\(|"
                      r"module_utils\._(manager|waiters|views|trust|deployments|cluster|link|rollout|ccr)\b")
# a request sent, or an API path written, outside the clients
CALL = re.compile(r"\.request\(|client\.get\(|deployment_path\(|platform_path\(|['\"]/(_security|_cluster|_remote|_resolve|api/v1)")


def plugin_files():
    for folder, dummy, files in os.walk(os.path.join(ROOT, 'plugins')):
        for name in files:
            if name.endswith('.py') and name not in CLIENTS:
                yield os.path.join(folder, name)


def test_no_request_or_api_path_outside_the_clients():
    found = []
    for path in plugin_files():
        with open(path) as handle:
            for number, line in enumerate(handle, 1):
                if CALL.search(line):
                    found.append('%s:%d: %s' % (os.path.relpath(path, ROOT), number, line.strip()))
    assert found == []


def test_the_check_finds_a_request_outside_the_clients():
    assert CALL.search("payload = self.client.request('GET', '/_security/api_key', 'look up')")
    assert CALL.search("self.client.get('/_cluster/settings', 'read')")


def test_the_clients_of_named_calls_decide_nothing():
    found = []
    for name in NAMED_CALLS:
        path = os.path.join(ROOT, 'plugins', 'module_utils', name)
        with open(path) as handle:
            found.extend('%s:%d: %s' % (name, number, line.strip()) for number, line in enumerate(handle, 1) if DECISION.search(line))
    assert found == []


def test_the_check_finds_a_decision_in_a_client():
    assert DECISION.search("            if settings is None or self.read_only:")
    assert DECISION.search("        self.sleep(interval)")
    assert DECISION.search("        if self.version_at_least(RESOLVE_CLUSTER_VERSION):")
    assert DECISION.search("                self.warn('update deployment %s: changed concurrently' % deployment_id)")
    assert DECISION.search("from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import wait_for_plan")
    assert not DECISION.search("        return self.request('PUT', self.deployment_path(deployment_id), 'update deployment')[1]")
