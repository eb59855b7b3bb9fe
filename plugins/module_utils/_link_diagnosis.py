# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The diagnosis of a link that is not connected: both sides read by the managers of its steps on clients of their own
that never write, and the rules of ``_diagnosis.py``. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._cluster import CrossClusterApiKey
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import CREDENTIALS_MIN_VERSION, version_tuple, view_version
from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import DeploymentInfo, KeystoreSecret
from ansible_collections.ece.remote_clusters.plugins.module_utils._diagnosis import diagnose
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Context
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import ModuleFailure
from ansible_collections.ece.remote_clusters.plugins.module_utils._replication import alias_replication
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import TlsCertificateInfo, TrustRelationshipInfo


def diagnose_link(link):
    """The problems of the link, which is not connected, in plain words: both sides read by the managers of its steps, run
    by a read-only twin of the link (check mode, and clients of its own that refuse every write). A read that fails is a
    problem of kind unreadable."""
    twin = read_only_twin(link)
    try:
        return diagnose(diagnosis_facts(twin))
    finally:
        twin.pool.close()


def read_only_twin(link):
    """The link with its options and what it read of both deployments, in check mode, on clients that never write."""
    twin = type(link)(link.params, Context(check_mode=True, diff=True, secrets=link.context.secrets), None)
    twin.pool = link.pool.read_only_twin()
    twin.result = {'changed': False}
    for key in ('local', 'remote'):
        side = getattr(link, key)
        setattr(twin, key, type(side)(twin, key, side.params))
        getattr(twin, key).view = side.view
    return twin


def read_only(step):
    """The result of a read-only step, or the failure as the diagnosis takes it."""
    try:
        return step().outcome().as_result()
    except ModuleFailure as failure:
        return {'failed': True, 'msg': failure.msg}


def diagnosis_facts(link):
    """What the diagnosis needs to know of both sides (see ``_diagnosis.py``)."""
    params, local, remote = link.params, link.local, link.remote
    facts = dict(alias=params['alias'], model=params['model'], reload_min_version=params['reload_min_version'],
                 ports=dict(certificate=params['certificate_port'], api_key=params['api_key_port']))
    relationships = {}
    for side in (local, remote):
        info = read_only(lambda: side.ece_step(DeploymentInfo, deployment_id=side.deployment_id, certificate_port=params[
            'certificate_port'], api_key_port=params['api_key_port']))
        url = side.params['ece']['ece_url']
        if url not in relationships:
            relationships[url] = read_only(lambda: side.ece_step(TrustRelationshipInfo, include_certificate=True))
        facts[side.key] = dict(environment=side.environment, ref_id=side.params['ref_id'], trust_relationships=relationships[url],
                               deployment=(info.get('deployments') or [info])[0])
    if local.view is None or remote.view is None:
        return facts  # a deployment could not be read: nothing more to read
    keystore = dict(deployment_id=local.deployment_id, ref_id=local.view['ref_id'], remote_cluster_alias=params['alias'])
    facts['local'].update(
        remote_cluster=read_only(lambda: link.remote_cluster_step(link.remote_cluster_options(), wait=False)),
        keystore=read_only(lambda: local.ece_step(KeystoreSecret, **keystore)))
    try:
        facts['local']['replication'] = alias_replication(link.local_es(), params['alias'])
    except ApiError as exc:
        facts['local']['replication'] = {'failed': True, 'msg': exc.message}
    if params['model'] == 'api_key':
        if params['remote']['es'] is not None and version_tuple(view_version(remote.view)) >= version_tuple(CREDENTIALS_MIN_VERSION):
            facts['remote']['cross_cluster_api_key'] = read_only(
                lambda: remote.es_step(CrossClusterApiKey, **link.key_options(local.view)))
        if len(relationships) > 1:
            facts['remote']['proxy_certificate'] = read_only(lambda: remote.ece_step(TlsCertificateInfo, service='proxy'))
    return facts
