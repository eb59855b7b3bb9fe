# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit's picture of a converged six-link inventory: readable (no text drawn over other text), with a legend whose
line styles differ, rendered to PNG by Graphviz, and offered as SVG next to the Markdown.

Graphviz's ``dot`` is needed (Debian package graphviz; ``make test`` installs it). Without it the tests skip, and in CI
a skipped test fails the run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAST = {'remote_clusters_wait_timeout': 15, 'remote_clusters_plan_wait_timeout': 120}


@pytest.fixture
def dot():
    path = shutil.which('dot')
    if not path:
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")
    return path


@pytest.fixture
def converged_report(sim, tmp_path, ansible_playbook, dot):  # pylint: disable=unused-argument
    """The six links of playbooks/inventory_many's shape rolled out, then audited; returns the report directory."""
    inventory = tmp_path / 'inventory_many'
    subprocess.run([sys.executable, os.path.join(REPO_ROOT, 'scripts', 'simulator_inventory.py'), '--many',
                    sim.out_file, str(inventory)], check=True)
    rollout = ansible_playbook('remote_clusters.yml', inventory=str(inventory), extra_vars=FAST)
    assert rollout.rc == 0, rollout.output[-3000:]
    report_dir = tmp_path / 'audit-report'
    audit = ansible_playbook('audit.yml', inventory=str(inventory), check=True, diff=True,
                             extra_vars=dict(FAST, audit_report_dir=str(report_dir)))
    assert audit.rc == 0, audit.output[-3000:]
    assert 'remote_clusters.svg' in audit.output
    report = json.loads((report_dir / 'remote_clusters.json').read_text())
    assert len(report['links']) == 6 and all(link['connected'] for link in report['links'])
    return report_dir


def _texts(layout):
    """Every piece of text Graphviz draws, as (owner, left, bottom, right, top) in points."""
    boxes = []
    for index, obj in enumerate(layout.get('objects', []) + layout.get('edges', [])):
        owner = '%s#%d' % (obj.get('name') or 'edge', index)
        for key in ('_ldraw_', '_hldraw_', '_tldraw_'):
            size = 14.0
            for op in obj.get(key, []):
                if op['op'] == 'F':
                    size = float(op['size'])
                elif op['op'] == 'T' and op['text'].strip():
                    x, y = op['pt']
                    width = float(op['width'])
                    left = {'l': x, 'r': x - width}.get(op['align'], x - width / 2)
                    boxes.append((owner, op['text'], left, y - 0.2 * size, left + width, y + 0.8 * size))
    return boxes


def _overlaps(boxes):
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a[0] == b[0]:
                continue  # the lines of one label
            if a[2] < b[4] and b[2] < a[4] and a[3] < b[5] and b[3] < a[5]:
                found.append((a[1], b[1]))
    return found


def test_the_audit_picture_of_six_converged_links_is_readable_with_a_legend_and_offered_as_svg(converged_report, dot, tmp_path):
    # rendered to PNG by Graphviz
    dot_file = converged_report / 'remote_clusters.dot'
    png = tmp_path / 'remote_clusters.png'
    subprocess.run([dot, '-Tpng', str(dot_file), '-o', str(png)], check=True, capture_output=True)
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n' and png.stat().st_size > 10000

    # readable: every link's alias is drawn, and no text is drawn over another
    layout = json.loads(subprocess.run([dot, '-Tjson', str(dot_file)], check=True, capture_output=True, text=True).stdout)
    boxes = _texts(layout)
    texts = [b[1] for b in boxes]
    for alias in ('ece_b_data', 'ece_b_old', 'ece_c_archive', 'data_b', 'ece_b_ingest', 'ece_a_search'):
        assert alias in texts, alias
    assert not _overlaps(boxes), _overlaps(boxes)

    # a legend whose connected and broken lines differ, and links drawn as it says
    text = dot_file.read_text()
    legend = dict(re.findall(r'legend_(\w+)_from -> legend_\w+_to \[([^\]]*)\]', text))
    assert set(legend) == {'connected', 'broken', 'trust'}
    width = dict((k, float(re.search(r'penwidth=([0-9.]+)', v).group(1)) if 'penwidth' in v else 1.0) for k, v in legend.items())
    assert width['connected'] >= 2 * width['broken']
    assert 'dashed' in legend['broken'] and 'dashed' not in legend['connected'] and 'dotted' in legend['trust']
    links = re.findall(r'^  (?!legend)\w+ -> \w+ \[(penwidth=[^\]]*label="[^"]*")\];$', text, re.M)
    assert len(links) == 6
    assert all('penwidth=%g' % width['connected'] in link and 'dashed' not in link for link in links)

    # the SVG next to the Markdown, which shows it, with the report's file mode
    svg = (converged_report / 'remote_clusters.svg').read_text()
    assert svg.lstrip().startswith('<?xml') and '<svg' in svg and 'ece_b_ingest' in svg
    markdown = (converged_report / 'remote_clusters.md').read_text()
    assert '](remote_clusters.svg)' in markdown
    assert os.stat(str(converged_report / 'remote_clusters.svg')).st_mode & 0o777 == \
        os.stat(str(converged_report / 'remote_clusters.md')).st_mode & 0o777
