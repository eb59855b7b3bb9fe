# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fleet runs (docs/aap.md): the shard plan, platform trust once, then one rollout per shard, at the same time."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from test_remote_clusters import FAST, LINKS, many, secrets_of, writes  # noqa: F401  pylint: disable=unused-import

SHARD_1 = ['search-a-to-data-b', 'legacy-a-to-old-b', 'old-b-to-archive-c', 'old-b-to-data-b', 'data-b-to-search-a']
SHARD_2 = ['logs-a-to-ingest-b']


def test_the_plan_reads_only_and_shows_the_shards_and_the_largest(sim, many, ansible_playbook):
    inventory, env = many
    run = ansible_playbook('fleet_plan.yml', inventory=inventory, env=env)
    assert run.rc == 0, run.output[-5000:]
    assert writes(sim.requests()) == []
    # search-a and data-b are named by name; the look-up tells they are the deployments other links name by ID
    assert '2 shards; the largest, shard_1, has 5 links over 5 deployments: shard_1 = %s; shard_2 = %s' % (
        ', '.join(SHARD_1), ', '.join(SHARD_2)) in run.output


def test_platform_trust_once_then_the_shards_at_once_connect_every_link_and_a_rerun_writes_nothing(sim, many, ansible_playbook, tmp_path):
    inventory, env = many
    trust = ansible_playbook('fleet_platform_trust.yml', inventory=inventory, env=env)
    assert trust.rc == 0, trust.output[-5000:]
    trust_writes = writes(sim.requests())
    assert trust_writes and all('/trust-relationships' in r['path'] for r in trust_writes), trust_writes
    sim.clear_log()

    runs = {}

    def shard(name):
        runs[name] = ansible_playbook('fleet_shard.yml', inventory=inventory, extra_vars=dict(FAST, remote_clusters_shard=name),
                                      env=dict(env, ANSIBLE_LOG_PATH=str(tmp_path / (name + '.log'))))
    threads = [threading.Thread(target=shard, args=(name,)) for name in ('shard_1', 'shard_2')]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, run in runs.items():
        assert run.rc == 0, (name, run.output[-5000:])
    assert '5 links: 0 ok, 5 changed, 0 failed; 5 connected' in runs['shard_1'].output
    assert '1 link: 0 ok, 1 changed, 0 failed; 1 connected' in runs['shard_2'].output
    # the trust relationships were there: no shard created one
    assert [r for r in writes(sim.requests()) if '/trust-relationships' in r['path']] == []
    for name, (local_env, local, dummy, dummy2, alias, dummy3) in LINKS.items():
        assert sim.diagnose(local_env, local, alias)['connected'] is True, name

    sim.clear_log()
    again = ansible_playbook('fleet_shard.yml', inventory=inventory, env=env, extra_vars=dict(FAST, remote_clusters_shard='shard_1'))
    assert again.rc == 0, again.output[-5000:]
    assert again.changed == 0
    assert writes(sim.requests()) == []
    leaked = [s for s in secrets_of(sim) if s in trust.output + runs['shard_1'].output + runs['shard_2'].output + again.output]
    assert leaked == []


def test_a_shard_that_does_not_exist_is_refused_before_any_write(sim, many, ansible_playbook):
    inventory, env = many
    run = ansible_playbook('fleet_shard.yml', inventory=inventory, env=env, extra_vars={'remote_clusters_shard': 'shard_9'})
    assert run.rc != 0
    assert 'Give the shard to run as remote_clusters_shard, one of shard_1, shard_2' in run.output
    assert writes(sim.requests()) == []


def test_a_workflow_with_fewer_shard_jobs_than_shards_is_refused_and_spare_jobs_do_nothing(sim, many, ansible_playbook):
    inventory, env = many
    plan = ansible_playbook('fleet_plan.yml', inventory=inventory, env=env, extra_vars={'remote_clusters_shard_count': 1})
    assert plan.rc != 0
    assert 'The links make 2 shards, but remote_clusters_shard_count says the workflow runs 1 shard jobs, so the links of shard_2' in plan.output
    spare = ansible_playbook('fleet_shard.yml', inventory=inventory, env=env,
                             extra_vars={'remote_clusters_shard_count': 3, 'remote_clusters_shard': 'shard_3'})
    assert spare.rc == 0, spare.output[-3000:]
    assert 'shard_3 has no links: the links make 2 shards.' in spare.output
    assert writes(sim.requests()) == []
    beyond = ansible_playbook('fleet_shard.yml', inventory=inventory, env=env,
                              extra_vars={'remote_clusters_shard_count': 3, 'remote_clusters_shard': 'shard_4'})
    assert beyond.rc != 0 and 'Give the shard to run as remote_clusters_shard' in beyond.output
