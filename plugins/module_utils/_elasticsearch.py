# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Elasticsearch API client. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiClient
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import version_tuple


class ElasticsearchClient(ApiClient):
    """Elasticsearch REST API: ``error.root_cause[0].type/reason`` error bodies, version detection."""

    api_name = 'Elasticsearch'

    def __init__(self, base_url, version=None, **kwargs):
        super(ElasticsearchClient, self).__init__(base_url, **kwargs)
        self._info = None
        self._version = version  # given by the caller (e.g. from ece_deployment_info): no GET / needed
        self.uses_api_key = 'Authorization' in self.session.headers and self.session.headers['Authorization'].startswith('ApiKey ')

    def parse_error(self, payload):
        if isinstance(payload, dict):
            error = payload.get('error')
            if isinstance(error, dict):
                causes = error.get('root_cause') or []
                cause = causes[0] if causes and isinstance(causes[0], dict) else error
                return cause.get('type'), cause.get('reason') or error.get('reason')
            if isinstance(error, str):  # e.g. "no handler found for uri [...]"
                return None, error
            return None, json.dumps(payload)[:300] if payload else None
        if isinstance(payload, str):
            return None, payload[:300]
        return None, None

    def get(self, path, operation, params=None, allow_status=()):
        return self.request('GET', path, operation, params=params, allow_status=allow_status)[1]

    def info(self):
        """``GET /``, read once per module run."""
        if self._info is None:
            self._info = self.get('/', 'read the Elasticsearch version')
        return self._info

    @property
    def version(self):
        return self._version or self.info()['version']['number']

    def version_at_least(self, minimum):
        return version_tuple(self.version) >= version_tuple(minimum)
