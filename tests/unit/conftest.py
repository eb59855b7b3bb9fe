# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/unit holds pure tests only: decisions over canned data, argument validation, filters, documentation checks.

``ansible-test units`` runs them once per supported ansible-core version, so they must be fast and need no server.
A test that asks for the simulator (``sim``, ``conn``) or opens a network connection fails here with a message
that says where it belongs: tests/component (see CONTRIBUTING.md, "Where a test goes").
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

import pytest

SERVER_FIXTURES = ('sim', 'conn', '_simulator')
WHERE = 'tests/unit runs without a server: move this test to tests/component (CONTRIBUTING.md, "Where a test goes")'


@pytest.fixture(autouse=True)
def _no_server(request, monkeypatch):
    """Fail a test that asks for the simulator before it starts, and one that connects to any host over the network."""
    wanted = [name for name in SERVER_FIXTURES if name in request.fixturenames]
    if wanted:
        pytest.fail('%s uses %s: %s' % (request.node.nodeid, ', '.join(wanted), WHERE), pytrace=False)
    connect = socket.socket.connect

    def refuse(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError('%s connects to %s: %s' % (request.node.nodeid, address, WHERE))
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, 'connect', refuse)
