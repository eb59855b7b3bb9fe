#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ece_keystore_secret
short_description: Manage one secure setting in the Elasticsearch keystore of an ECE deployment
version_added: 1.0.0
description:
  - Sets or removes one secure setting in the keystore of a deployment's Elasticsearch resource through the ECE API
    (C(/api/v1/deployments/{id}/elasticsearch/{ref_id}/keystore)), for example the credentials of an API-key remote
    cluster, C(cluster.remote.<alias>.credentials).
  - The API never returns values, only the names of the settings and whether they are stored as files. So an
    existing setting cannot be compared; O(update_secret) says whether it is left alone or written every run.
  - Elasticsearch loads a changed keystore without a restart only from some version on (8.13 for remote cluster
    credentials). The module reports in RV(restart_required) when the keystore changed and the running version is
    below O(reload_min_version); M(ece.remote_clusters.ece_deployment_restart) does the restart.
  - Sends two reads (the deployment, for its version and Elasticsearch resource, and the keystore) and at most one
    write.
options:
  setting:
    description:
      - Name of the secure setting, for example V(s3.client.default.access_key).
      - Exactly one of O(setting) and O(remote_cluster_alias) is required.
    type: str
  remote_cluster_alias:
    description:
      - Alias of an API-key remote cluster; the setting is C(cluster.remote.<alias>.credentials), and O(value) is the
        C(encoded) cross-cluster API key of the remote cluster.
      - Only lower-case letters, digits, C(_) and C(-). It must be the alias of the remote cluster settings
        (M(ece.remote_clusters.es_remote_cluster)).
    type: str
  value:
    description:
      - The secret value, a string, or a dictionary that the keystore stores as a JSON string.
      - Never returned, logged or shown in a diff.
      - Without it, O(state=present) only looks the setting up. Nothing is written, and RV(exists) tells whether the
        setting is there (the API-key role uses this to decide whether a key's secret must be created anew).
    type: raw
  as_file:
    description:
      - Store the value as a file in the keystore (for settings that expect a file, such as GCS credentials).
      - Unlike the API, which stores a dictionary as a file unless told otherwise, the module sends this option's value
        every time it writes.
    type: bool
    default: false
  state:
    description:
      - V(present) makes the setting exist, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  update_secret:
    description:
      - V(on_create) writes the value only when the setting does not exist yet, or when it exists with another
        O(as_file) (the only difference the API lets the module see). An existing value is otherwise left alone,
        since it cannot be read back.
      - V(always) writes the value every run and reports a change every run.
    type: str
    choices: [on_create, always]
    default: on_create
  reload_min_version:
    description:
      - The lowest Elasticsearch version that loads the changed setting without a restart; below it,
        RV(restart_required) is true after a change.
      - The default fits remote cluster credentials (reloadable from 8.13). For settings that are never reloaded,
        set a version above the deployment's.
    type: str
    default: 8.13.0
extends_documentation_fragment:
  - ece.remote_clusters.deployment
  - ece.remote_clusters.ece
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ECE
attributes:
  idempotent:
    description:
      - With O(update_secret=on_create), a second run reports no change and sends no write.
      - With O(update_secret=always), every run writes the value and reports a change.
    support: partial
notes:
  - Use C(no_log) on the task or vault the value; the module never returns it, but Ansible shows task arguments in
    some failure output of other plugins.
seealso:
  - module: ece.remote_clusters.ece_deployment_restart
  - module: ece.remote_clusters.es_cross_cluster_api_key
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Store the cross-cluster API key of environment B's cluster for the alias "ece_b_data"
  ece.remote_clusters.ece_keystore_secret:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    remote_cluster_alias: ece_b_data
    value: "{{ cross_cluster_key.encoded }}"
  no_log: true
  register: keystore

- name: Restart Elasticsearch where it does not reload the credentials
  ece.remote_clusters.ece_deployment_restart:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
  when: keystore.restart_required

- name: Look up whether the credentials of the alias "ece_b_data" are in the keystore (no write)
  ece.remote_clusters.ece_keystore_secret:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    remote_cluster_alias: ece_b_data
  register: credentials

- name: Rotate a secret on every run
  ece.remote_clusters.ece_keystore_secret:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    setting: s3.client.default.secret_key
    value: "{{ vault_s3_secret_key }}"
    update_secret: always
  no_log: true

- name: Store GCS credentials as a file
  ece.remote_clusters.ece_keystore_secret:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    setting: gcs.client.default.credentials_file
    value: "{{ vault_gcs_service_account }}"
    as_file: true
  no_log: true

- name: Remove the credentials of a remote cluster
  ece.remote_clusters.ece_keystore_secret:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    remote_cluster_alias: ece_b_data
    state: absent
'''

RETURN = r'''
exists:
  description: Whether the setting existed before the task.
  returned: always
  type: bool
  sample: true
secret:
  description: The setting after the task (in check mode, as it would be), without its value; null when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the secure setting.
      type: str
      sample: cluster.remote.ece_b_data.credentials
    as_file:
      description: Whether the value is stored as a file.
      type: bool
      sample: false
elasticsearch_version:
  description:
    - The Elasticsearch version the resource runs (the lowest of its instances).
    - Null when O(ref_id) is given and nothing changed, since the version is then not needed and not read.
  returned: always
  type: str
  sample: 8.12.2
restart_required:
  description:
    - Whether the keystore changed and the running Elasticsearch version is below O(reload_min_version), so that
      Elasticsearch needs a restart to use the change.
  returned: always
  type: bool
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import KeystoreSecret
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import run_module


def main():
    run_module(KeystoreSecret)


if __name__ == '__main__':
    main()
