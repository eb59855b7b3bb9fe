# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mask of a secret, the one redaction and the name that marks what this collection manages are each written once,
in _common.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.ece.remote_clusters.plugins.module_utils._common import MANAGED_BY, MASK

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOME = os.path.join('plugins', 'module_utils', '_common.py')
# the literals, in Python code (a module's documentation may name them)
LITERALS = re.compile(r"""^(?!\s*-|\s*#).*(['"]\*{8}['"]|['"]ece\.remote_clusters['"])""")


def code_files():
    for top in ('plugins', 'extensions'):
        for folder, dummy, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith('.py'):
                    yield os.path.join(folder, name)


def test_the_mask_and_the_managed_by_name_are_written_only_in_common():
    found = []
    for path in code_files():
        if os.path.relpath(path, ROOT) == HOME:
            continue
        with open(path) as handle:
            found.extend('%s:%d: %s' % (os.path.relpath(path, ROOT), number, line.strip())
                         for number, line in enumerate(handle, 1) if LITERALS.search(line))
    assert found == []
    assert (MASK, MANAGED_BY) == ('********', 'ece.remote_clusters')


def test_the_check_finds_a_literal():
    assert LITERALS.search("        text = text.replace(secret, '********')")
    assert LITERALS.search("    metadata = dict(managed_by='ece.remote_clusters')")
    assert not LITERALS.search("      - A key whose metadata names another owner (C(managed_by=ece.remote_clusters))")


def test_one_redaction_masks_the_longest_secret_first_and_leaves_other_values_alone():
    from ansible_collections.ece.remote_clusters.plugins.module_utils._common import redact

    assert redact('key abc and abcdef', ['abc', 'abcdef', '', None]) == 'key %s and %s' % (MASK, MASK)
    assert redact('key abcdef', ['abc', 'abcdef']) == 'key %s' % MASK  # not "********def"
    assert redact(None, ['abc']) is None and redact({'a': 'abc'}, ['abc']) == {'a': 'abc'}
