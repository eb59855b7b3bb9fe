# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A test that needs a server fails in tests/unit, saying where it belongs (tests/unit/conftest.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import sys

UNIT_DIR = os.path.dirname(os.path.abspath(__file__))

TESTS = '''
import socket

import pytest


@pytest.fixture
def sim():
    raise AssertionError('the simulator is started')


def test_asks_for_the_simulator(sim):
    pass


def test_connects():
    socket.create_connection(('127.0.0.1', 9), timeout=1)


def test_pure(tmp_path):
    socket.socketpair()[0].close()  # a local socket pair is no server
    assert tmp_path.is_dir()
'''


def test_a_unit_test_that_asks_for_the_simulator_or_connects_fails_and_names_tests_component(tmp_path):
    shutil.copy(os.path.join(UNIT_DIR, 'conftest.py'), str(tmp_path / 'conftest.py'))
    (tmp_path / 'test_layout.py').write_text(TESTS)
    (tmp_path / 'pytest.ini').write_text('[pytest]\n')
    env = dict((k, v) for k, v in os.environ.items() if k not in ('PYTEST_ADDOPTS', 'PYTEST_PLUGINS'))
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '-p', 'no:xdist', '-p', 'no:cov', '-q', '-rfE',
                           '--basetemp', str(tmp_path / 'tmp'), 'test_layout.py'],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert '1 failed, 1 passed, 1 error' in out, out
    assert 'the simulator is started' not in out  # refused before the fixture runs
    assert 'test_layout.py::test_asks_for_the_simulator uses sim: tests/unit runs without a server: move this test to tests/component' in out
    assert "test_layout.py::test_connects connects to ('127.0.0.1', 9): tests/unit runs without a server" in out
