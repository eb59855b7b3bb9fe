#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ece_deployment_restart
short_description: Restart the Elasticsearch resource of an ECE deployment
version_added: 1.0.0
description:
  - Restarts a deployment's Elasticsearch resource through the ECE API
    (C(POST /api/v1/deployments/{id}/elasticsearch/{ref_id}/_restart)) and waits for the restart plan to finish.
  - Typically used after M(ece.remote_clusters.ece_keystore_secret) changed the keystore of an Elasticsearch version that
    does not reload it (RV(ece.remote_clusters.ece_keystore_secret#module:restart_required)).
  - With O(only_if_version_below), the resource is only restarted when the version it runs is lower; otherwise
    nothing is sent and RV(msg) says why.
  - When another plan is pending, the module waits for it to finish (within O(wait_timeout)) before it restarts,
    or cancels it with O(cancel_pending=true). A pending plan that fails fails the task before the restart.
options:
  only_if_version_below:
    description:
      - Restart only when the Elasticsearch version the resource runs (the lowest of its instances) is lower than
        this version, for example V(8.13.0).
      - When not given, the resource is restarted on every run.
    type: str
  skip_snapshot:
    description:
      - Do not take a snapshot before the restart.
    type: bool
    default: true
  group_attribute:
    description:
      - How instances are grouped for the rolling restart. V(__zone__) restarts one availability zone at a time,
        V(__name__) one instance at a time, V(__all__) all at once (with downtime); or a comma-separated list of
        instance attributes.
    type: str
    default: __zone__
  cancel_pending:
    description:
      - Cancel a pending plan of the resource and restart at once.
      - With V(false), the module waits for a pending plan to finish before it restarts.
    type: bool
    default: false
  wait_timeout:
    default: 1800
extends_documentation_fragment:
  - ece.remote_clusters.plan_wait
  - ece.remote_clusters.deployment
  - ece.remote_clusters.ece
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ECE
attributes:
  check_mode:
    description: Predicts whether a restart would happen and sends no write; it does not wait for a pending plan.
    support: full
  diff_mode:
    description: The diff shows the resource, its version, and whether it is restarted.
    support: full
  idempotent:
    description:
      - A restart is not idempotent by nature; every run restarts the resource.
      - With O(only_if_version_below), a run after an upgrade to that version or later changes nothing.
    support: partial
seealso:
  - module: ece.remote_clusters.ece_keystore_secret
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Restart Elasticsearch to load new remote cluster credentials, where it does not reload them
  ece.remote_clusters.ece_deployment_restart:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    only_if_version_below: 8.13.0
  when: keystore.restart_required

- name: Restart one instance at a time, cancelling a stuck plan, without waiting
  ece.remote_clusters.ece_deployment_restart:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    ref_id: main-elasticsearch
    group_attribute: __name__
    cancel_pending: true
    wait: false
'''

RETURN = r'''
restarted:
  description: Whether the restart was sent (in check mode, whether it would be).
  returned: always
  type: bool
plan:
  description:
    - The restart's plan attempt; null when nothing was restarted, in check mode, and when no plan attempt was seen.
  returned: always
  type: dict
  contains:
    attempt_id:
      description: ID of the plan attempt.
      type: str
    status:
      description: V(success) after waiting (a failed plan fails the task), V(pending) with O(wait=false).
      type: str
    duration_seconds:
      description: Seconds spent waiting for the plan; null with O(wait=false).
      type: float
elasticsearch_version:
  description: The Elasticsearch version the resource runs (the lowest of its instances), read before the restart.
  returned: always
  type: str
  sample: 8.12.2
msg:
  description: What was done, or why nothing was done.
  returned: always
  type: str
  sample: "not restarted: deployment 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a runs Elasticsearch 8.14.1, not below 8.13.0"
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import DeploymentRestart
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(DeploymentRestart)


if __name__ == '__main__':
    main()
