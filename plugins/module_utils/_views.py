# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ECE API's objects in the shapes this collection returns, decides on and sends: pure functions, no request.
Private to this collection.

A deployment as ece_deployment_info returns it, a trust relationship in this collection's words, the Elasticsearch
resource of a deployment read, its running version and its trust settings, and the update request that changes its
settings.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    API_KEY_PORT, certificate_port as passthrough_port, pick_resource, resource_account_id, resource_cluster_id, version_tuple)


# -- trust relationships -------------------------------------------------------------------------------------------
def relationship_view(item):
    """A trust relationship of the API in this collection's words (``certificate`` for ``public_ca_cert``)."""
    return {
        'id': item.get('id'),
        'name': item.get('name'),
        'local': bool(item.get('local')),
        'trust_by_default': bool(item.get('trust_by_default')),
        'account_ids': list(item.get('account_ids') or []),
        'installation_id': item.get('installation_id'),
        'certificate': item.get('public_ca_cert'),
    }


# -- deployments ---------------------------------------------------------------------------------------------------
def es_resource(deployment, ref_id=None):
    """The deployment's Elasticsearch resource ``ref_id``, or its first one when ``ref_id`` is not given."""
    resources = (deployment.get('resources') or {}).get('elasticsearch') or []
    if not resources:
        raise ApiError('deployment %s has no Elasticsearch resource' % deployment.get('id'))
    resource = pick_resource(resources, ref_id)
    if resource is not None:
        return resource
    raise ApiError('deployment %s has no Elasticsearch resource with ref_id %s; it has: %s' % (
        deployment.get('id'), ref_id, ', '.join(r.get('ref_id', '?') for r in resources)))


def settings_update(deployment_id, resource, settings):
    """The ``DeploymentUpdateRequest`` that changes the ``settings`` (only the keys to change, e.g. ``{'trust': {...}}``) of
    the Elasticsearch resource ``resource`` of a deployment read, as ECE's own tooling sends it: ``prune_orphans: false``
    (true would shut down every resource not in the body, such as Kibana) and the current plan without its ``transient``
    part (sent back, a ``cluster_reboot`` would restart the cluster again)."""
    plan = copy.deepcopy((((resource.get('info') or {}).get('plan_info') or {}).get('current') or {}).get('plan'))
    if not plan:
        raise ApiError('deployment %s: Elasticsearch resource %s has no current plan to send back' % (deployment_id, resource['ref_id']))
    plan.pop('transient', None)
    return {'prune_orphans': False,
            'resources': {'elasticsearch': [{'ref_id': resource['ref_id'], 'region': resource['region'], 'plan': plan,
                                             'settings': settings}]}}


def trust_of(resource):
    """The trust settings of an Elasticsearch resource of a deployment read."""
    return ((resource.get('info') or {}).get('settings') or {}).get('trust') or {}


def running_version(resource):
    """The Elasticsearch version an ES resource runs: the lowest ``service_version`` of its instances
    (during a rolling upgrade the old nodes decide what works), else the version of its current plan."""
    info = resource.get('info') or {}
    versions = []
    for instance in (info.get('topology') or {}).get('instances') or []:
        try:
            versions.append((version_tuple(instance.get('service_version')), instance.get('service_version')))
        except ValueError:  # no version while an instance is starting
            continue
    if versions:
        return min(versions)[1]
    plan = ((info.get('plan_info') or {}).get('current') or {}).get('plan') or {}
    return (plan.get('elasticsearch') or {}).get('version')


def remote_connection(endpoint, ports, certificate_port=None, api_key_port=API_KEY_PORT):
    """The settings a local cluster needs to reach this resource through the ECE proxies, per model."""
    if not endpoint:
        return None
    passthrough = passthrough_port(ports)
    return {
        'certificate': {'proxy_address': '%s:%d' % (endpoint, passthrough_port(ports, certificate_port)), 'server_name': endpoint},
        'api_key': {'proxy_address': '%s:%d' % (endpoint, api_key_port), 'server_name': endpoint},
        # sniff mode through the proxy (6.7 to 7.5): a seed the proxy ignores, and the proxy's passthrough port
        'legacy_sniff': {'seeds': ['%s:1' % endpoint], 'proxy': '%s:%d' % (endpoint, passthrough)},
    }


def elasticsearch_view(resource, deployment, certificate_port, api_key_port):
    """An Elasticsearch resource of a deployment read, as ece_deployment_info returns it."""
    info = resource.get('info') or {}
    metadata = info.get('metadata') or {}
    plan_info = info.get('plan_info') or {}
    plan = (plan_info.get('current') or {}).get('plan') or {}
    ports = metadata.get('ports') or {}
    trust = (info.get('settings') or {}).get('trust')
    return {
        'ref_id': resource.get('ref_id'),
        'cluster_id': resource_cluster_id(resource),
        'region': resource.get('region'),
        'version': (plan.get('elasticsearch') or {}).get('version'),
        # only what instances report: a stopped cluster runs nothing
        'running_version': running_version(resource) if (info.get('topology') or {}).get('instances') else None,
        'healthy': bool(info.get('healthy')),
        'status': info.get('status'),
        'pending_plan': bool(plan_info.get('pending')),
        'endpoint': metadata.get('endpoint'),
        'aliased_endpoint': metadata.get('aliased_endpoint'),
        'service_url': metadata.get('service_url'),
        'ports': {'http': ports.get('http'), 'https': ports.get('https'),
                  'transport_passthrough': ports.get('transport_passthrough')},
        'trust': trust,
        'account_id': resource_account_id(deployment, resource),
        'remote_connection': remote_connection(metadata.get('endpoint'), ports, certificate_port, api_key_port),
    }


def deployment_view(deployment, certificate_port, api_key_port):
    """A deployment read, as ece_deployment_info returns it."""
    resources = deployment.get('resources') or {}
    return {
        'id': deployment.get('id'),
        'name': deployment.get('name'),
        'alias': deployment.get('alias'),
        'healthy': bool(deployment.get('healthy')),
        'kibana': [{'ref_id': k.get('ref_id'), 'id': k.get('id'), 'status': (k.get('info') or {}).get('status'),
                    'healthy': bool((k.get('info') or {}).get('healthy'))} for k in resources.get('kibana') or []],
        'elasticsearch': [elasticsearch_view(r, deployment, certificate_port, api_key_port)
                          for r in resources.get('elasticsearch') or []],
    }
