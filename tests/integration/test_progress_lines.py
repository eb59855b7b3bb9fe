# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Long waits of remote_cluster_link and remote_clusters_rollout are not silent at default verbosity: the playbooks show
which link (or rollout) waits for which plan, restart or connection, for how long and at most how long; never a secret,
and nothing in check mode."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FAST = {'ECE_REMOTE_CLUSTERS_PROGRESS_INTERVAL': '1'}
WAITING = re.compile(r'^(?:\S+ \S+ \S+ \S+ INFO\| )?(remote_cluster_link (\S+): waiting for (.*), (\S+) of at most (\S+))$', re.M)


def waiting_lines(output):
    """(alias, what, elapsed, limit) of every progress line (the log file repeats the screen's lines)."""
    return [m.group(2, 3, 4, 5) for m in WAITING.finditer(output)]


def seconds(text):
    """``1m10s``, ``4s``, ``10m`` in seconds."""
    return sum(int(n) * {'h': 3600, 'm': 60, 's': 1}[u] for n, u in re.findall(r'(\d+)([hms])', text))


def secrets_of(sim):
    """The credentials of the simulator and every keystore value (the secrets of the links)."""
    found = set()
    for env in sim.info['environments'].values():
        found.update([env['api_key'], env['password']])
        for deployment in env['deployments'].values():
            found.update([deployment['elasticsearch']['password'], deployment['elasticsearch'].get('api_key')])
    for env in sim.state()['environments'].values():
        for deployment in env['deployments'].values():
            for item in deployment['elasticsearch']['keystore'].values():
                found.add(item.get('value') if isinstance(item, dict) else item)
    return set(s for s in found if isinstance(s, str) and len(s) >= 8)


def test_certificate_link_shows_the_plans_it_waits_for_and_check_mode_shows_none(sim, conn, inventory, ansible_playbook):
    local_id, remote_id = conn.deployment('ece-a', 'search-a')['id'], conn.deployment('ece-b', 'data-b')['id']
    sim.fault(plan_seconds=4, env='ece-a', deployment='search-a')

    check = ansible_playbook('certificate.yml', inventory=inventory, check=True, diff=True, env=FAST)
    assert check.rc == 0, check.output
    assert check.changed == 1
    assert waiting_lines(check.output) == [], check.output  # nothing is awaited in check mode

    run = ansible_playbook('certificate.yml', inventory=inventory, diff=True, env=FAST)
    assert run.rc == 0, run.output
    lines = waiting_lines(run.output)
    plans = [line for line in lines if line[1].startswith('the plan of deployment search-a (%s) (main-elasticsearch), attempt ' % local_id)]
    assert plans, run.output
    assert set(line[0] for line in lines) == {'ece_b_data'}
    assert set(line[3] for line in lines) == {'30m'}  # the role's plan_wait_timeout, as everywhere
    assert max(seconds(line[2]) for line in plans) >= 2  # the wait of about 4 s, seen while it lasts
    assert all(line[1].startswith(('the plan of deployment search-a (%s) ' % local_id, 'the plan of deployment data-b (%s) ' % remote_id,
                                   'the connection of remote cluster ece_b_data')) for line in lines), lines
    assert not [s for s in secrets_of(sim) if s in run.output]
    # the module's result as before: changed once, the diff of every step, connected
    assert run.changed == 1
    assert '--- before: deployment trust of the local deployment %s' % local_id in run.output
    assert '--- before: remote cluster ece_b_data on the local cluster' in run.output
    assert sim.diagnose('ece-a', 'search-a', 'ece_b_data')['connected'] is True


def test_api_key_link_shows_the_restart_it_waits_for(sim, conn, inventory, ansible_playbook):
    local_id = conn.deployment('ece-a', 'logs-a')['id']
    # the plans of the local deployment are slow: the update of its settings, then the restart that loads the credentials (8.12)
    sim.fault(plan_seconds=3, env='ece-a', deployment='logs-a', count=2)
    run = ansible_playbook('api_key.yml', inventory=inventory, env=FAST)
    assert run.rc == 0, run.output
    lines = waiting_lines(run.output)
    history = sim.state()['environments']['ece-a']['deployments']['logs-a']['elasticsearch']['plan_history']
    restart = [a['attempt_id'] for a in history if a['kind'] == 'restart']
    assert len(restart) == 1, history
    # the restart's plan attempt and the step ECE reports it in; at most the role's plan_wait_timeout
    shown = 'the plan of deployment logs-a (%s) (main-elasticsearch), attempt %s, step ' % (local_id, restart[0])
    assert [line for line in lines if line[0] == 'ece_b_ingest' and line[1].startswith(shown) and line[3] == '30m'], run.output
    assert not [s for s in secrets_of(sim) if s in run.output]
    assert run.changed == 1
    assert sim.diagnose('ece-a', 'logs-a', 'ece_b_ingest')['connected'] is True


@pytest.fixture
def many_inventory(sim, tmp_path):
    """The shape of playbooks/inventory_many (three environments, six links), for playbooks/remote_clusters.yml."""
    out = tmp_path / 'inventory_many'
    subprocess.run([sys.executable, os.path.join(REPO_ROOT, 'scripts', 'simulator_inventory.py'), '--many', sim.out_file, str(out)],
                   check=True)
    return str(out)


# the screen's lines only (the log file repeats them with a prefix), in the order shown
ROLLOUT_WAITING = re.compile(r'^remote_clusters_rollout \((\d+) links\): waiting for (.*), (\S+) of at most (\S+)$', re.M)


def test_rollout_of_many_links_awaits_the_plans_of_a_round_together_and_shows_them(sim, conn, many_inventory, ansible_playbook):
    """playbooks/remote_clusters.yml applies every link in one task: its progress lines name the rollout and its number
    of links, and the plans of different links are awaited at the same time."""
    inventory = many_inventory
    search_a, legacy_a = conn.deployment('ece-a', 'search-a')['id'], conn.deployment('ece-a', 'legacy-a')['id']
    sim.fault(plan_seconds=4, env='ece-a', deployment='search-a')
    extra_vars = {'remote_clusters_plan_wait_timeout': 120, 'remote_clusters_wait_timeout': 15}

    check = ansible_playbook('remote_clusters.yml', inventory=inventory, check=True, env=FAST, extra_vars=extra_vars)
    assert check.rc == 0, check.output[-3000:]
    assert ROLLOUT_WAITING.findall(check.output) == [] and waiting_lines(check.output) == []  # nothing awaited in check mode

    run = ansible_playbook('remote_clusters.yml', inventory=inventory, env=FAST, extra_vars=extra_vars)
    assert run.rc == 0, run.output[-3000:]
    lines = ROLLOUT_WAITING.findall(run.output)
    assert lines and set(line[0] for line in lines) == {'6'}, run.output[-3000:]
    plans = [line for line in lines if line[1].startswith('the plan of deployment ')]
    assert set(line[3] for line in plans) == {'2m'}  # the role's plan_wait_timeout
    hub = [i for i, line in enumerate(lines) if line[1].startswith('the plan of deployment search-a (%s) ' % search_a)]
    assert hub and max(seconds(lines[i][2]) for i in hub) >= 2  # the slow plan, seen while it lasts
    # the plan of legacy-a (another link) is awaited while the slow plan of search-a runs: one round, not link after link
    legacy = [i for i, line in enumerate(lines) if line[1].startswith('the plan of deployment legacy-a (%s) ' % legacy_a)]
    assert legacy and min(legacy) < max(hub), lines
    assert not [s for s in secrets_of(sim) if s in run.output]
    assert sim.diagnose('ece-a', 'search-a', 'ece_b_data')['connected'] is True
