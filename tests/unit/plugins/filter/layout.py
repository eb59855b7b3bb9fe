# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The text Graphviz draws, read from its JSON layout (``dot -Tjson``), and the pieces of it drawn over each other."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import shutil
import subprocess

import pytest


def dot_or_skip():
    """Graphviz's dot; without it the test skips, naming what is missing (and in CI a skipped test fails the run)."""
    dot = shutil.which('dot')
    if not dot:
        pytest.skip("Graphviz's dot is not installed (package graphviz; ECE_RC_INSTALL_GRAPHVIZ=1 make test installs it): the "
                    "pictures are not checked")
    return dot


def layout(dot, source):
    """The JSON layout of a DOT text."""
    return json.loads(subprocess.run([dot, '-Tjson'], input=source, check=True, capture_output=True, text=True).stdout)


def texts(drawn):
    """Every piece of text Graphviz draws, as (owner, text, left, bottom, right, top) in points."""
    boxes = []
    for index, obj in enumerate(drawn.get('objects', []) + drawn.get('edges', [])):
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


def overlaps(boxes):
    """The pairs of texts of different owners (nodes, edges, clusters) whose boxes overlap."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a[0] == b[0]:
                continue  # the lines of one label
            if a[2] < b[4] and b[2] < a[4] and a[3] < b[5] and b[3] < a[5]:
                found.append((a[1], b[1]))
    return found
