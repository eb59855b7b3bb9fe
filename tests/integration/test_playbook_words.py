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


def test_the_certificate_playbook_says_in_words_what_every_link_did_not_only_the_last(conn, inventory, ansible_playbook, tmp_path):
    import os
    import yaml
    path = os.path.join(inventory, 'group_vars', 'all', 'links.yml')
    with open(path) as handle:
        links = yaml.safe_load(handle)
    second = dict(links['certificate_links'][0], alias='ece_b_old')
    second['remote'] = dict(second['remote'], deployment_id=conn.deployment('ece-b', 'old-b')['id'])
    links['certificate_links'].append(second)
    with open(path, 'w') as handle:
        yaml.safe_dump(links, handle)
    run = ansible_playbook('certificate.yml', inventory=inventory, env={'ANSIBLE_LOG_PATH': str(tmp_path / 'two.log')})
    assert run.rc == 0, run.output[-3000:]
    for words in ('ece_b_data: search-a (ece-a) -> data-b (ece-b), TLS certificates',
                  'ece_b_old: search-a (ece-a) -> old-b (ece-b), TLS certificates',
                  'deployment trust search-a -> data-b: created or changed by this run',
                  'deployment trust search-a -> old-b: created or changed by this run'):
        assert words in run.output, words
