# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter ``remote_cluster_diagnosis``: which link of a remote-cluster chain is broken, in plain words."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: remote_cluster_diagnosis
short_description: Name the broken link of a remote cluster's chain in plain words
version_added: 1.0.0
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
description:
  - Takes what the read-only modules of this collection return about both sides of one remote-cluster link (the
    deployments, the trust relationships of both environments, the local alias settings and C(_remote/info), the
    keystore look-up, the cross-cluster API key and the remote proxy CA) and returns the problems it finds, each
    named in plain words with what to do about it.
  - The Elastic documentation says that the environment and cluster IDs of a trust setup cannot be verified. With API
    access to both environments they can. The filter compares the environment ID and CA certificate of each trust
    relationship with what the other environment says about itself, and each trust allowlist with the peer's
    Elasticsearch cluster ID.
  - Checks, in this order, what applies to the link's model, and skips the checks whose input is missing or failed; each
    failed read is reported as a problem of kind C(unreadable).
  - Then the cross-cluster replication through the alias, when given. First followers stopped on a fatal exception and
    paused followers (each needs an action of its own); over a connected link, followers that retry read exceptions (a security
    error names the key's C(replication) access and the roles), auto-follow errors and a lag above a threshold; over a link
    that is not connected, one problem says that the followers and patterns retry because of it.
  - The role ece.remote_clusters.remote_clusters feeds it for every link that is not connected.
positional: _input
options:
  _input:
    description:
      - What is known about the link, a dictionary with the keys below. Every key except C(alias) may be missing.
      - C(alias), C(model) (V(certificate) or V(api_key)), C(link) (a name used in messages).
      - C(ports) (C(certificate), default the remote's transport passthrough port, else V(9400), and C(api_key), default
        V(9443)), C(reload_min_version) (default V(8.13.0)) and C(now) (milliseconds since the epoch, default the current
        time).
      - C(local) and C(remote), each a dictionary with C(environment) (its name), C(deployment) (one item of
        RV(ece.remote_clusters.ece_deployment_info#module:deployments)), C(ref_id) (default the first Elasticsearch
        resource) and C(trust_relationships) (the result of M(ece.remote_clusters.ece_trust_relationship_info) with
        certificates).
      - C(local.remote_cluster), the result of M(ece.remote_clusters.es_remote_cluster) for the alias run with
        C(check_mode) and C(diff) (its C(diff.before) holds the alias's settings, C(remote_info) the connection).
      - C(local.keystore), the result of M(ece.remote_clusters.ece_keystore_secret) without a value (a look-up of
        C(cluster.remote.<alias>.credentials)).
      - C(remote.cross_cluster_api_key), the result of M(ece.remote_clusters.es_cross_cluster_api_key) run with
        C(check_mode) for the key the link uses (C(created=true) means no active key of that name exists).
      - C(remote.proxy_certificate), the result of M(ece.remote_clusters.ece_tls_certificate_info) for the remote
        environment's proxy.
      - C(local.replication), the followers and auto-follow patterns of the local cluster that replicate through the alias,
        like the C(replication) of M(ece.remote_clusters.remote_cluster_link) (C(followers) as
        RV(ece.remote_clusters.es_ccr_info#module:followers) returns them, C(auto_follow_patterns), and C(auto_follow_errors),
        the C(recent_auto_follow_errors) of their patterns). A failed read (C(failed=true)) is a problem of kind
        C(replication_unreadable).
      - C(connected) (a boolean), whether the link is connected, when known otherwise (default what C(remote_info) of
        C(local.remote_cluster) says; when that was not read, connected unless a part of the chain is broken).
      - C(replication_lag_threshold), the operations a follower may be behind its leader before its lag is a problem
        (default V(1000)).
      - A value that is the result of a failed task (C(failed=true)) is reported as unreadable and skipped.
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: Name what is broken in a link that is not connected
  ansible.builtin.debug:
    msg: "{{ (facts | ece.remote_clusters.remote_cluster_diagnosis) | map(attribute='message') | list }}"
  vars:
    facts:
      alias: ece_b_data
      model: certificate
      local:
        environment: ece-a
        deployment: "{{ local_info.deployments[0] }}"
        trust_relationships: "{{ ece_a_trust }}"
        remote_cluster: "{{ alias_check }}"
        keystore: "{{ keystore_lookup }}"
      remote:
        environment: ece-b
        deployment: "{{ remote_info.deployments[0] }}"
        trust_relationships: "{{ ece_b_trust }}"
'''

RETURN = r'''
_value:
  description:
    - The problems found, in the order of the chain; empty when nothing is wrong (the link should connect).
    - Each item has C(problem), a short kind (V(unreadable), V(alias_missing), V(cluster_stopped), V(plan_pending),
      V(incompatible_versions), V(wrong_mode), V(wrong_model), V(wrong_address), V(wrong_server_name), V(wrong_port),
      V(relationship_missing), V(wrong_environment_id), V(wrong_certificate), V(deployment_trust_missing),
      V(allowlist_missing_cluster_id), V(keystore_missing_credentials), V(restart_required), V(api_key_invalid),
      V(proxy_ca_not_trusted), V(credentials_mismatch), V(unknown), then of the replication V(replication_unreadable),
      V(follower_stopped), V(follower_paused), V(replication_interrupted), V(follower_retrying), V(replication_lag),
      V(auto_follow_failed)), C(side) (V(local), V(remote) or V(both)) and C(message), the plain words.
  type: list
  elements: dict
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.ece.remote_clusters.plugins.module_utils._diagnosis import DiagnosisInputError, diagnose


def remote_cluster_diagnosis(facts):
    """The problems of one remote-cluster link, in plain words (see DOCUMENTATION)."""
    try:
        return diagnose(facts)
    except DiagnosisInputError as exc:
        raise AnsibleFilterError('remote_cluster_diagnosis: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'remote_cluster_diagnosis': remote_cluster_diagnosis}
