# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of the managers of _deployments.py (desired, differs, view, report): pure code, no simulator, no request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils._deployments import DeploymentInfo
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Context

DEPLOYMENT = '0123456789abcdef0123456789abcdef'


def manager(cls, check_mode=False, warnings=None, **params):
    """A manager without a client: any request it tried would fail."""
    return cls.create(Context(check_mode=check_mode, warn=warnings.append if warnings is not None else None), None, **params)


# -- DeploymentInfo ------------------------------------------------------------------------------------------------
def test_deployment_info_reads_only_and_reports_each_deployment_with_its_remote_connection():
    info = manager(DeploymentInfo, deployment_id=DEPLOYMENT, api_key_port=9443)
    assert info.diff is False
    read = [{'id': DEPLOYMENT, 'name': 'search', 'healthy': True, 'resources': {'elasticsearch': [{
        'ref_id': 'main-elasticsearch', 'id': 'abc', 'region': 'ece-region',
        'info': {'healthy': True, 'status': 'started',
                 'metadata': {'endpoint': 'abc.ece.example.com', 'ports': {'transport_passthrough': 9300}}}}]}}]
    assert not info.differs(read, [])
    deployments = info.report(read, read, False)['deployments']
    assert [d['id'] for d in deployments] == [DEPLOYMENT]
    es = deployments[0]['elasticsearch'][0]
    assert es['cluster_id'] == 'abc' and es['running_version'] is None
    assert es['remote_connection']['api_key'] == {'proxy_address': 'abc.ece.example.com:9443', 'server_name': 'abc.ece.example.com'}
