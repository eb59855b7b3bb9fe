"""Without the official API specs (not part of the repository), the tests that need them say why they skip and how to
make them run; in CI (CI=true) they fail instead."""

from __future__ import annotations

import os
import subprocess
import sys

SIM_TESTS = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(SIM_TESTS)))


def _run(tmp_path, **env):
    environ = dict(os.environ, ECE_SIM_SPEC_DIR=str(tmp_path / 'no-specs'), **env)
    environ.pop('CI', None)
    environ.update(env)
    return subprocess.run([sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '-p', 'no:xdist', '-q', '-rs',
                           os.path.join(SIM_TESTS, 'test_conformance.py'), os.path.join(SIM_TESTS, 'test_strictness.py'),
                           '-k', 'test_every_ece or test_unknown or closed or violation'],
                          cwd=REPO_ROOT, env=environ, capture_output=True, text=True, timeout=300, check=False)


def test_the_tests_that_need_the_specs_say_why_they_skip_and_how_to_make_them_run(tmp_path):
    proc = _run(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    skips = [line for line in proc.stdout.splitlines() if line.startswith('SKIPPED')]
    assert skips, proc.stdout
    for line in skips:
        assert 'the official API specs are not available' in line and 'ECE_SIM_SPEC_DIR=DIR' in line, line
    assert any('looked in %s' % (tmp_path / 'no-specs') in line for line in skips), skips


def test_in_ci_they_fail_instead(tmp_path):
    proc = _run(tmp_path, CI='true')
    assert proc.returncode != 0, proc.stdout
    assert 'the official API specs are not available' in proc.stdout + proc.stderr
