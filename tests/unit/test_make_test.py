# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make test` changes nothing outside the checkout without saying so, and puts back what it changed
(scripts/outside.sh, which scripts/test sources)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASH = shutil.which('bash')


@pytest.fixture
def venv(tmp_path_factory):
    """What install_pip_stub takes: a directory whose bin/python has ansible-test (this Python)."""
    if importlib.util.find_spec('ansible_test') is None:
        pytest.skip('ansible-test is not importable by %s: the pip bootstrap it needs cannot be told' % sys.executable)
    directory = tmp_path_factory.mktemp('venv')
    os.mkdir(str(directory / 'bin'))
    python = directory / 'bin' / 'python'
    python.write_text('#!/bin/sh\nexec %s "$@"\n' % sys.executable)  # a symlink would lose a virtual environment
    python.chmod(0o755)
    return str(directory)


def bash(script, home, path=None, **env):
    """Run ``script`` after sourcing scripts/outside.sh as scripts/test does, with ``home`` as HOME."""
    work = os.path.join(str(home), 'work')
    os.makedirs(work, exist_ok=True)
    prelude = ('set -euo pipefail\nROOT=%s WORK=%s TEMP_DIR=%s\ndie() { echo "FAILED: $*"; exit 1; }\n. "$ROOT/scripts/outside.sh"\n'
               % (ROOT, work, os.path.join(str(home), 'temp')))
    environ = dict(HOME=str(home), PATH=path or os.environ['PATH'], **env)
    return subprocess.run([BASH, '-c', prelude + script], env=environ, capture_output=True, text=True, check=False)


def tree(home):
    return sorted(os.path.relpath(os.path.join(d, f), str(home)) for d, dirs, files in os.walk(str(home)) for f in dirs + files
                  if not os.path.relpath(os.path.join(d, f), str(home)).startswith('work'))


def test_the_pip_bootstrap_is_announced_and_removed_with_the_directories_it_needed(tmp_path, venv):
    proc = bash('install_pip_stub %s\nls "$HOME/.ansible/test/cache"\nmkdir "$HOME/.ansible/test/cache/__pycache__"\n'
                'touch "$HOME/.ansible/test/cache/__pycache__/$(ls "$HOME/.ansible/test/cache" | grep get_pip | sed s/.py$//).cpython-311.pyc"\n'
                'restore_pip_stubs' % venv, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "NOTE: writing ansible-test's pip bootstrap %s/.ansible/test/cache/get_pip_" % tmp_path in proc.stdout
    assert 'get_pip_' in proc.stdout.splitlines()[1]  # it was there while the run went on
    assert 'put back as it was' in proc.stdout
    assert tree(tmp_path) == []


def test_a_pip_bootstrap_that_was_there_is_put_back_as_it_was(tmp_path, venv):
    cache = tmp_path / '.ansible' / 'test' / 'cache'
    cache.mkdir(parents=True)
    (cache / 'other.txt').write_text('kept')
    version = bash('install_pip_stub %s; ls "$HOME/.ansible/test/cache" | grep get_pip; restore_pip_stubs' % venv, tmp_path)
    name = version.stdout.splitlines()[1]
    assert name.startswith('get_pip_') and tree(tmp_path) == ['.ansible', '.ansible/test', '.ansible/test/cache', '.ansible/test/cache/other.txt']
    (cache / name).write_text('mine\n')
    proc = bash('install_pip_stub %s\ncp "$HOME/.ansible/test/cache/%s" "$WORK/stub"\nrestore_pip_stubs' % (venv, name), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(os.path.join(ROOT, '.ci', 'get_pip_stub.py')) as handle:
        assert (tmp_path / 'work' / 'stub').read_text() == handle.read()  # the stub while the run goes on
    assert (cache / name).read_text() == 'mine\n'  # and what was there before, after
    assert tree(tmp_path) == ['.ansible', '.ansible/test', '.ansible/test/cache', '.ansible/test/cache/%s' % name,
                              '.ansible/test/cache/other.txt']


def test_the_temp_entries_compared_are_those_of_the_simulator_and_the_collection_s_tests(tmp_path):
    temp = tmp_path / 'temp'
    for name in ('ecesim-abc', 'ece-remote-clusters-test.x', 'pytest-of-me', 'other'):
        (temp / name).mkdir(parents=True)
    proc = bash('temp_entries', tmp_path)
    assert proc.stdout.split() == ['ece-remote-clusters-test.x', 'ecesim-abc']


@pytest.fixture
def no_dot_path(tmp_path):
    """A PATH with no dot, whose apt-get records how it was called."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    for tool in ('id', 'cat'):
        os.symlink(subprocess.run([BASH, '-c', 'command -v %s' % tool], capture_output=True, text=True, check=True).stdout.strip(),
                   str(bin_dir / tool))
    apt = bin_dir / 'apt-get'
    apt.write_text('#!/bin/bash\necho "$*" >> %s\n' % (tmp_path / 'apt.log'))
    apt.chmod(0o755)
    return str(bin_dir)


def test_graphviz_is_not_installed_unless_asked(tmp_path, no_dot_path):
    proc = bash('install_graphviz_if_asked', tmp_path, path=no_dot_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Graphviz's dot is not installed" in proc.stdout and 'ECE_RC_INSTALL_GRAPHVIZ=1 make test' in proc.stdout
    assert not (tmp_path / 'apt.log').exists()


@pytest.mark.parametrize('asked', [{'ECE_RC_INSTALL_GRAPHVIZ': '1'}, {'CI': 'true'}], ids=['ECE_RC_INSTALL_GRAPHVIZ', 'CI'])
def test_graphviz_is_installed_with_apt_get_when_asked(tmp_path, no_dot_path, asked):
    if os.getuid() != 0:
        pytest.skip('installing Graphviz needs root: this test runs as another user')
    proc = bash('install_graphviz_if_asked', tmp_path, path=no_dot_path, **asked)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'NOTE: installing Graphviz' in proc.stdout
    assert (tmp_path / 'apt.log').read_text().splitlines() == ['update -qq', 'install -y -qq graphviz']


def test_make_test_fails_when_the_tests_leave_something_in_the_temp_dir():
    with open(os.path.join(ROOT, 'scripts', 'test')) as handle:
        script = handle.read()
    # the entries are taken before the first test suite runs, and compared after the last
    assert script.index('TEMP_BEFORE=$(temp_entries)') < script.index('run_ansible_test "$CACHE/venv-2.19" 3.11')
    check = script.index('ADDED=$(comm -13 <(printf \'%s\\n\' "$TEMP_BEFORE") <(temp_entries))')
    assert check > script.index('python -m pytest tests/unit')
    assert '[ -z "$ADDED" ] || die' in script[check:]
    commands = [line for line in script.splitlines() if not line.lstrip().startswith('#')]
    assert not [line for line in commands if 'apt-get' in line]  # only install_graphviz_if_asked installs anything


def test_pytest_runs_every_directory_of_tests_once_and_ansible_test_units_tests_unit():
    with open(os.path.join(ROOT, 'scripts', 'test')) as handle:
        script = handle.read()
    runs = [line for line in script.splitlines() if line.startswith('python -m pytest ')]
    assert len(runs) == 1
    suites = [word for word in runs[0].split() if word.startswith('tests/')]
    assert suites == ['tests/unit', 'tests/component', 'tests/simulator/tests', 'tests/integration']
    with_tests = [os.path.relpath(directory, ROOT) for directory, _dirs, files in os.walk(os.path.join(ROOT, 'tests'))
                  if 'output' not in directory.split(os.sep) and any(f.startswith('test_') and f.endswith('.py') for f in files)]
    assert with_tests and not [d for d in with_tests if not any((d + '/').startswith(s + '/') for s in suites)]
    assert script.count('ansible-test" units ') == 1  # tests/unit, by ansible-test's convention, once per ansible-core
