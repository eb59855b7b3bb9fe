# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The example playbooks (and so `make demo`) say in words what a link did, from the results the modules return."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def test_the_example_playbooks_say_what_the_links_did_in_words(inventory, ansible_playbook, tmp_path):
    # each run logs to its own file, so that its output is its own
    first = ansible_playbook('certificate.yml', 'api_key.yml', inventory=inventory, env={'ANSIBLE_LOG_PATH': str(tmp_path / 'first.log')})
    assert first.rc == 0, first.output[-3000:]
    for words in ('ece_b_data: search-a (ece-a) -> data-b (ece-b), TLS certificates',
                  'platform trust ece-a -> ece-b: created or changed by this run',
                  'deployment trust search-a -> data-b: created or changed by this run',
                  'ece_b_ingest: logs-a (ece-a) -> ingest-b (ece-b), cross-cluster API key',
                  'on ingest-b: created by this run',
                  'its credentials in the keystore of logs-a (cluster.remote.ece_b_ingest.credentials): stored by this run',
                  # logs-a runs 8.12: the nodes load new credentials only when restarted
                  'credentials: loaded by a restart (Elasticsearch 8.12.2 is below 8.13.0',
                  'role remote-logs-reader: created or changed by this run',
                  'connection: connected'):
        assert words in first.output, words
    again = ansible_playbook('certificate.yml', 'api_key.yml', inventory=inventory, env={'ANSIBLE_LOG_PATH': str(tmp_path / 'again.log')})
    assert again.rc == 0 and 'created or changed by this run' not in again.output and 'by a restart' not in again.output, again.output[-6000:]
    assert again.output.count('already in place') >= 8
