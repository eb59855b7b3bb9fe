# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every API call is a named method of EceClient or ElasticsearchClient: no request and no API path elsewhere."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENTS = {'_client.py', '_ece.py', '_elasticsearch.py'}
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
