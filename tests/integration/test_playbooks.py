# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The user's playbooks end to end against the simulator: what they change, what they send, what they show."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def writes(requests):
    return [r for r in requests if r['write']]


def restarts(requests, deployment_id):
    return [r for r in requests if r['method'] == 'POST' and r['path'].endswith('/_restart') and deployment_id in r['path']]


def test_certificate_playbook_in_check_mode_predicts_changes_and_sends_no_write(sim, inventory, ansible_playbook):
    run = ansible_playbook('certificate.yml', inventory=inventory, check=True, diff=True)
    assert run.rc == 0, run.output
    assert run.changed > 0
    assert writes(sim.requests()) == []


def test_certificate_playbook_connects_the_link_and_a_rerun_sends_only_reads(sim, inventory, ansible_playbook):
    run = ansible_playbook('certificate.yml', inventory=inventory)
    assert run.rc == 0, run.output
    assert sim.diagnose('ece-a', 'search-a', 'ece_b_data')['connected'] is True
    sim.clear_log()
    again = ansible_playbook('certificate.yml', inventory=inventory)
    assert again.rc == 0, again.output
    assert again.changed == 0
    assert writes(sim.requests()) == []


def test_api_key_playbook_restarts_the_812_cluster_once_and_connects(sim, conn, inventory, ansible_playbook):
    local_id = conn.deployment('ece-a', 'logs-a')['id']
    run = ansible_playbook('api_key.yml', inventory=inventory)
    assert run.rc == 0, run.output
    assert len(restarts(sim.requests(), local_id)) == 1
    assert sim.diagnose('ece-a', 'logs-a', 'ece_b_ingest')['connected'] is True
    sim.clear_log()
    again = ansible_playbook('api_key.yml', inventory=inventory)
    assert again.rc == 0, again.output
    assert again.changed == 0
    assert writes(sim.requests()) == []


def test_api_key_playbook_in_check_mode_on_a_fresh_pair_sends_no_write(sim, inventory, ansible_playbook):
    run = ansible_playbook('api_key.yml', inventory=inventory, check=True, diff=True)
    assert run.rc == 0, run.output
    assert run.changed > 0
    assert writes(sim.requests()) == []


def test_audit_of_converged_links_reports_no_change_and_sends_no_write(sim, inventory, ansible_playbook):
    assert ansible_playbook('certificate.yml', 'api_key.yml', inventory=inventory).rc == 0
    sim.clear_log()
    audit = ansible_playbook('certificate.yml', 'api_key.yml', inventory=inventory, check=True, diff=True)
    assert audit.rc == 0, audit.output
    assert audit.changed == 0
    assert writes(sim.requests()) == []
