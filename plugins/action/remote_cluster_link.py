# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action plugin of remote_cluster_link: the module as usual, with progress lines while it runs, labelled with the
link's alias (see plugins/plugin_utils/_progress_lines.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.plugin_utils._progress_lines import ProgressActionModule


class ActionModule(ProgressActionModule):
    """The module as usual, with progress lines while it runs."""

    def _progress_name(self):
        label = 'remote_cluster_link'
        if not self._task.no_log:
            label += ' %s' % str(self._task.args.get('alias') or '')[:100]
        return label
