# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's commands run as written against the bundled simulator that `make simulator` starts, and `make
simulator` prints how to point the example playbooks at it.

The audit the README shows, of six converged links, also gives the picture checked here: readable (no text drawn over
other text), with a legend whose line styles differ, rendered to PNG by Graphviz, and offered as SVG next to the
Markdown. Graphviz's ``dot`` is needed (Debian package graphviz; ``make test`` installs it when asked, with
ECE_RC_INSTALL_GRAPHVIZ=1, and in CI): without it the test skips, and in CI a skipped test fails the run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

import pytest

from ansible_collections.ece.remote_clusters.tests.unit.plugins.filter.layout import dot_or_skip, layout, overlaps, texts

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README_SIM_DIR = '/tmp/ece-remote-clusters-simulator'


def readme_commands(program):
    """The commands of the README's console blocks that run ``program``, continuation lines joined, comments removed."""
    with open(os.path.join(REPO_ROOT, 'README.md')) as handle:
        text = handle.read()
    commands = []
    for block in re.findall(r'```console\n(.*?)```', text, re.S):
        for line in block.replace('\\\n', ' ').splitlines():
            line = line.split(' # ')[0].strip()
            if line.startswith(program + ' '):
                commands.append(line)
    return commands


@pytest.fixture
def make_simulator(tmp_path):
    """`bash scripts/simulator` (what `make simulator` runs) with its files in a directory of the test."""
    sim_dir = tmp_path / 'simulator'
    env = dict(os.environ, ECE_SIM_DIR=str(sim_dir), PYTHONUNBUFFERED='1')
    out = tmp_path / 'make-simulator.out'
    with open(str(out), 'w') as handle:
        proc = subprocess.Popen(['bash', os.path.join(REPO_ROOT, 'scripts', 'simulator'), '--plan-seconds', '0.3'],
                                cwd=REPO_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 90
        while time.time() < deadline and 'audit.yml' not in out.read_text() and proc.poll() is None:
            time.sleep(0.2)
        assert 'audit.yml' in out.read_text(), out.read_text()
        yield sim_dir, out.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert not os.path.exists(os.path.join(REPO_ROOT, 'simulator.json'))


def test_make_simulator_writes_inventories_and_prints_how_to_run_the_example_playbooks(make_simulator):
    sim_dir, output = make_simulator
    for inventory in ('inventory', 'inventory_many'):
        assert os.path.isfile(os.path.join(str(sim_dir), inventory, 'hosts.yml'))
    printed = [line.strip() for line in output.splitlines() if line.strip().startswith('ansible-playbook ')]
    assert 'ansible-playbook -i %s/inventory playbooks/certificate.yml --check --diff' % sim_dir in printed
    assert any('%s/inventory_many playbooks/audit.yml --check --diff' % sim_dir in line for line in printed)


def test_the_readme_commands_run_as_written_and_the_audit_picture_is_readable(make_simulator, tmp_path):
    sim_dir, dummy = make_simulator
    playbooks = readme_commands('ansible-playbook')
    assert len(playbooks) >= 5, playbooks
    # every command shown is one for the simulator's inventories; the README says in words what to set for others
    assert all(cmd.startswith('ansible-playbook -i %s/' % README_SIM_DIR) for cmd in playbooks), playbooks
    docs = readme_commands('ansible-doc')
    assert docs
    bin_dir = os.path.dirname(sys.executable)
    collections = [p for p in sys.path if os.path.isdir(os.path.join(p, 'ansible_collections', 'ece', 'remote_clusters'))]
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ['PATH'], ANSIBLE_NOCOLOR='1',
               ANSIBLE_COLLECTIONS_PATH=collections[0], ANSIBLE_RETRY_FILES_ENABLED='0')
    for command in docs + playbooks:
        argv = shlex.split(command.replace(README_SIM_DIR, str(sim_dir)))
        proc = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
        assert proc.returncode == 0, '%s\n%s' % (command, (proc.stdout + proc.stderr)[-3000:])
    report_dir = sim_dir / 'audit-report'
    report = json.loads((report_dir / 'remote_clusters.json').read_text())
    assert len(report['links']) == 6 and all(link['connected'] for link in report['links'])

    # the picture of the six converged links of that audit
    dot = dot_or_skip()
    # rendered to PNG by Graphviz
    dot_file = report_dir / 'remote_clusters.dot'
    png = tmp_path / 'remote_clusters.png'
    subprocess.run([dot, '-Tpng', str(dot_file), '-o', str(png)], check=True, capture_output=True)
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n' and png.stat().st_size > 10000

    # readable: every link's alias is drawn, and no text is drawn over another
    boxes = texts(layout(dot, dot_file.read_text()))
    for alias in ('ece_b_data', 'ece_b_old', 'ece_c_archive', 'data_b', 'ece_b_ingest', 'ece_a_search'):
        assert alias in [b[1] for b in boxes], alias
    assert not overlaps(boxes), overlaps(boxes)

    # a small legend in the colours of the links, and the six links drawn as it says for connected ones
    text = dot_file.read_text()
    legend = re.search(r'^  legend \[(.*)\];$', text, re.M).group(1)
    assert 'color="darkgreen"' in legend and 'color="red"' in legend and 'color="royalblue"' in legend
    links = re.findall(r'^  (?!legend)\w+ -> \w+ \[(penwidth=[^\]]*label="[^"]*")\];$', text, re.M)
    assert len(links) == 6
    assert all('penwidth=4, color="darkgreen"' in link and 'dashed' not in link for link in links)

    # the SVG next to the Markdown, which shows it, with the report's file mode
    svg = (report_dir / 'remote_clusters.svg').read_text()
    assert svg.lstrip().startswith('<?xml') and '<svg' in svg and 'ece_b_ingest' in svg
    markdown = (report_dir / 'remote_clusters.md').read_text()
    assert '](remote_clusters.svg)' in markdown
    assert os.stat(str(report_dir / 'remote_clusters.svg')).st_mode & 0o777 == \
        os.stat(str(report_dir / 'remote_clusters.md')).st_mode & 0o777


def guide_block(guide, heading):
    """The console block of a section of a guide in docs/, as it would be pasted into a shell."""
    with open(os.path.join(REPO_ROOT, 'docs', guide)) as handle:
        text = handle.read()
    section = text.split('\n## %s\n' % heading, 1)[1].split('\n## ', 1)[0]
    return re.findall(r'```console\n(.*?)```', section, re.S)[0]


def test_the_rollouts_guide_s_simulator_commands_run_when_pasted(tmp_path, collections_root):
    block = guide_block('rollouts.md', 'Trying it against the simulator')
    checkout_before = sorted(n for n in os.listdir(REPO_ROOT) if not n.startswith('.'))  # not coverage data
    temp = tmp_path / 'temp'
    temp.mkdir()
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ['PATH'], TMPDIR=str(temp), ANSIBLE_NOCOLOR='1',
               ANSIBLE_COLLECTIONS_PATH=collections_root, ANSIBLE_RETRY_FILES_ENABLED='0')
    # line by line, as pasted: each command must succeed, and none may run before the simulator has written its file
    out = tmp_path / 'out'
    with open(str(out), 'w') as handle:
        proc = subprocess.Popen(['bash', '-e', '-c', block], cwd=REPO_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        returncode = proc.wait(timeout=900)
    finally:  # a command that failed leaves the simulator running in the background
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except OSError:
            pass
    output = out.read_text()
    assert returncode == 0, output[-3000:]
    assert re.findall(r'^\S+\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0', output, re.M), output[-3000:]
    assert output.count('PLAY RECAP') == 2, output[-3000:]
    assert os.listdir(str(temp)) == []  # the simulator stopped, its files removed
    assert sorted(n for n in os.listdir(REPO_ROOT) if not n.startswith('.')) == checkout_before  # no audit report in it
