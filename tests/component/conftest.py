# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The component suite: the modules, module_utils clients and the inventory plugin against servers.

Its tests run the collection's code in-process against the bundled simulator (``sim``, ``conn``, ``run_module`` from
tests/conftest.py, shared with tests/integration) or against the scriptable HTTPS server of
plugins/module_utils/conftest.py, and assert what was sent, in which order and how many writes. pytest runs them once
(``make test``); ``ansible-test units`` does not, as it runs tests/unit only, once per ansible-core version.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
