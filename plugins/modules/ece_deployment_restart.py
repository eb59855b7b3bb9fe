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
version_added: 0.1.0
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
  wait:
    description:
      - Wait until the restart plan has finished, and fail with the plan's own error if it fails.
      - With V(false), the module returns once ECE accepted the restart.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait in all, for a pending plan and for the restart plan.
    type: int
    default: 1800
extends_documentation_fragment:
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

import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    check_deployment_ids, check_ref_id, check_version, version_tuple)
from ansible_collections.ece.remote_clusters.plugins.module_utils._ece import running_version
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import RemoteClustersModule


class DeploymentRestart(RemoteClustersModule):
    api = 'ece'
    deadline = None  # time.monotonic() by which every wait of this run ends

    def validate(self):
        errors = [check_deployment_ids([self.params['deployment_id']], 'deployment_id')]
        if self.params['ref_id'] is not None:
            errors.append(check_ref_id(self.params['ref_id']))
        if not self.params['group_attribute'].strip():
            errors.append('group_attribute: must not be empty; leave it out to restart zone by zone (__zone__)')
        if self.params['only_if_version_below'] is not None:
            errors.append(check_version(self.params['only_if_version_below'], 'only_if_version_below'))
        if self.params['wait_timeout'] < 0:
            errors.append('wait_timeout: %d is negative; give the seconds to wait, e.g. 1800' % self.params['wait_timeout'])
        return errors

    def remaining(self):
        return max(0, self.deadline - time.monotonic())

    def wait_for_pending(self, deployment_id, ref_id, previous_attempt):
        """Wait for a plan someone else started; it fails the task (before any restart) when it fails or does not end."""
        try:
            summary = self.client.wait_for_plan(deployment_id, ref_id, self.remaining(), previous_attempt)
        except ApiError as exc:
            raise ApiError('not restarted: a plan already pending on deployment %s did not finish well: %s' % (deployment_id, exc.message),
                           status=exc.status, error=exc.error)
        return (summary or {}).get('attempt_id') or previous_attempt

    def restart(self, deployment_id, ref_id):
        params = {'skip_snapshot': _bool(self.params['skip_snapshot']), 'group_attribute': self.params['group_attribute'],
                  'cancel_pending': _bool(self.params['cancel_pending'])}
        path = self.client.deployment_path(deployment_id, '/elasticsearch/%s/_restart' % ref_id)
        self.client.request('POST', path, 'restart deployment %s (%s)' % (deployment_id, ref_id), params=params, expected=(202,))

    def execute(self):
        deployment_id = self.params['deployment_id']
        self.deadline = time.monotonic() + self.params['wait_timeout']
        deployment, dummy = self.client.get_deployment(deployment_id, show_plans=True)
        resource = self.client.es_resource(deployment, self.params['ref_id'])
        ref_id = resource['ref_id']
        version = running_version(resource)
        plan_info = resource['info'].get('plan_info') or {}
        previous_attempt = (plan_info.get('current') or {}).get('plan_attempt_id')
        self.result.update(restarted=False, plan=None, elasticsearch_version=version)

        threshold = self.params['only_if_version_below']
        if threshold is not None:
            if version is None:
                raise ApiError('deployment %s (%s): the running Elasticsearch version is unknown, so only_if_version_below '
                               'cannot be checked; retry when the deployment is running' % (deployment_id, ref_id))
            if version_tuple(version) >= version_tuple(threshold):
                self.result['msg'] = 'not restarted: deployment %s (%s) runs Elasticsearch %s, not below %s' % (
                    deployment_id, ref_id, version, threshold)
                self.set_diff(self.view(ref_id, version, False), self.view(ref_id, version, False))
                return

        self.set_changed(True)
        self.result['restarted'] = True
        self.set_diff(self.view(ref_id, version, False), self.view(ref_id, version, True))
        if self.check_mode:
            self.result['msg'] = 'deployment %s (%s) would be restarted' % (deployment_id, ref_id)
            return

        if plan_info.get('pending') and not self.params['cancel_pending']:
            previous_attempt = self.wait_for_pending(deployment_id, ref_id, previous_attempt)
        try:
            self.restart(deployment_id, ref_id)
        except ApiError as exc:
            # a plan started between the read and the restart: wait for it once, then restart
            if exc.status != 422 or self.params['cancel_pending']:
                raise
            previous_attempt = self.wait_for_pending(deployment_id, ref_id, previous_attempt)
            self.restart(deployment_id, ref_id)

        if self.params['wait']:
            self.result['plan'] = self.client.wait_for_plan(deployment_id, ref_id, self.remaining(), previous_attempt)
            self.result['msg'] = 'deployment %s (%s) restarted' % (deployment_id, ref_id)
        else:
            info = self.client.get(self.client.deployment_path(deployment_id, '/elasticsearch/%s' % ref_id),
                                   'get deployment %s (%s)' % (deployment_id, ref_id), params={'show_plans': 'true'}).get('info') or {}
            pending = (info.get('plan_info') or {}).get('pending') or {}
            if pending.get('plan_attempt_id'):
                self.result['plan'] = {'attempt_id': pending['plan_attempt_id'], 'status': 'pending', 'duration_seconds': None}
            self.result['msg'] = 'deployment %s (%s): restart started' % (deployment_id, ref_id)

    @staticmethod
    def view(ref_id, version, restarted):
        return {'ref_id': ref_id, 'elasticsearch_version': version, 'restarted': restarted}


def _bool(value):
    return 'true' if value else 'false'


def main():
    DeploymentRestart(dict(
        deployment_id=dict(type='str', required=True),
        ref_id=dict(type='str'),
        only_if_version_below=dict(type='str'),
        skip_snapshot=dict(type='bool', default=True),
        group_attribute=dict(type='str', default='__zone__'),
        cancel_pending=dict(type='bool', default=False),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=1800),
    )).run()


if __name__ == '__main__':
    main()
