# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The base class of every module of this collection. Private to this collection.

A module subclasses :class:`RemoteClustersModule`, sets ``api`` (``'ece'`` or ``'elasticsearch'``),
passes its own argument spec, implements ``validate()`` (checks that need no request; their
messages fail the task before any request is sent) and ``execute()`` (reads, compares, writes,
fills ``self.result`` and calls ``self.set_diff()``). The base class merges the connection
options, creates the client on first use, refuses writes in check mode, masks secrets in the diff
and turns API errors into one-line failures with ``status`` and ``error``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ApiError, CheckModeWriteError)
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import USERINFO_RE, check_url, check_version, mask_secrets

MASK = '********'
REGION_RE = re.compile(r'^[A-Za-z0-9._-]*$')
URL_EXAMPLES = {'ece': 'https://ece.example.com:12443', 'elasticsearch': 'https://0123abcd.ece.example.com:9243'}


def connection_argument_spec():
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        request_timeout=dict(type='float', default=30.0),
        retries=dict(type='int', default=3),
        retry_backoff=dict(type='float', default=1.0),
    )


def ece_argument_spec():
    return dict(
        ece_url=dict(type='str', required=True, fallback=(env_fallback, ['ECE_URL'])),
        ece_api_key=dict(type='str', no_log=True, fallback=(env_fallback, ['ECE_API_KEY'])),
        ece_username=dict(type='str', fallback=(env_fallback, ['ECE_USERNAME'])),
        ece_password=dict(type='str', no_log=True, fallback=(env_fallback, ['ECE_PASSWORD'])),
        ece_region=dict(type='str', default='ece-region', fallback=(env_fallback, ['ECE_REGION'])),
    )


def elasticsearch_argument_spec():
    return dict(
        es_url=dict(type='str', required=True, fallback=(env_fallback, ['ES_URL'])),
        es_api_key=dict(type='str', no_log=True, fallback=(env_fallback, ['ES_API_KEY'])),
        es_username=dict(type='str', fallback=(env_fallback, ['ES_USERNAME'])),
        es_password=dict(type='str', no_log=True, fallback=(env_fallback, ['ES_PASSWORD'])),
        elasticsearch_version=dict(type='str'),
    )


API_OPTIONS = {
    'ece': (ece_argument_spec, 'ece_'),
    'elasticsearch': (elasticsearch_argument_spec, 'es_'),
}


class RemoteClustersModule:
    """Base of every module: argument spec, client, check mode, diff, errors."""

    api = None            # 'ece' or 'elasticsearch'
    secret_keys = ()      # keys whose values are masked in the diff

    def __init__(self, argument_spec, mutually_exclusive=None, required_together=None, required_one_of=None,
                 required_if=None, required_by=None):
        spec_factory, prefix = API_OPTIONS[self.api]
        spec = connection_argument_spec()
        spec.update(spec_factory())
        spec.update(argument_spec)
        self.module = AnsibleModule(
            argument_spec=spec,
            supports_check_mode=True,
            mutually_exclusive=[(prefix + 'api_key', prefix + 'username')] + list(mutually_exclusive or []),
            required_together=[(prefix + 'username', prefix + 'password')] + list(required_together or []),
            required_one_of=[(prefix + 'api_key', prefix + 'username')] + list(required_one_of or []),
            required_if=required_if or [],
            required_by=required_by or {},
        )
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.result = {'changed': False}
        self._prefix = prefix
        self._client = None

    # -- the client ------------------------------------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            self._client = self.create_client()
        return self._client

    def create_client(self):
        # imported here so that a module importing only the base class does not pay for both clients
        params, prefix = self.params, self._prefix
        common = dict(api_key=params[prefix + 'api_key'], username=params[prefix + 'username'],
                      password=params[prefix + 'password'], validate_certs=params['validate_certs'],
                      ca_path=params['ca_path'], request_timeout=params['request_timeout'], retries=params['retries'],
                      retry_backoff=params['retry_backoff'], read_only=self.check_mode, warn=self.module.warn)
        if not params['validate_certs']:
            self.module.warn('validate_certs is false: the TLS certificate of %s is not verified, so the connection '
                             'and its credentials are open to interception' % params[prefix + 'url'])
        if self.api == 'ece':
            from ansible_collections.ece.remote_clusters.plugins.module_utils._ece import EceClient
            return EceClient(params['ece_url'], region=params['ece_region'], **common)
        from ansible_collections.ece.remote_clusters.plugins.module_utils._elasticsearch import ElasticsearchClient
        return ElasticsearchClient(params['es_url'], version=params['elasticsearch_version'], **common)

    # -- life cycle ------------------------------------------------------------------------------
    def validate_connection(self):
        """Messages about the connection options, found without any request."""
        params, prefix = self.params, self._prefix
        userinfo = USERINFO_RE.match(params[prefix + 'url'] or '')
        if userinfo:  # a password in the URL: masked wherever Ansible shows the options (invocation, -vvv)
            self.module.no_log_values.update(v for v in (userinfo.group(1), userinfo.group(1).partition(':')[2]) if v)
        errors = [check_url(params[prefix + 'url'], prefix + 'url', URL_EXAMPLES[self.api])]
        if self.api == 'ece':
            if not errors[0] and params['ece_url'].rstrip('/').endswith('/api/v1'):
                errors.append('ece_url: give the address of the ECE API without /api/v1 (the modules add it), e.g. %s'
                              % URL_EXAMPLES['ece'])
            if not REGION_RE.match(params['ece_region'] or ''):
                errors.append('ece_region: %r is not a region ID; give the region of the installation, usually "ece-region", '
                              'or an empty string for no region prefix' % params['ece_region'])
        if self.api == 'elasticsearch' and params['elasticsearch_version'] is not None:
            errors.append(check_version(params['elasticsearch_version'], 'elasticsearch_version'))
        if params['request_timeout'] <= 0:
            errors.append('request_timeout: %s is not a positive number of seconds; give e.g. 30' % params['request_timeout'])
        if params['retries'] < 0:
            errors.append('retries: %d is negative; give 0 for no retry, or e.g. 3' % params['retries'])
        if params['retry_backoff'] < 0:
            errors.append('retry_backoff: %s is negative; give the base delay in seconds, e.g. 1' % params['retry_backoff'])
        if params['validate_certs'] and params['ca_path'] and not os.path.exists(params['ca_path']):
            errors.append('ca_path: %s does not exist; give the path of the PEM file with the CA certificate that signed the '
                          'server certificate' % params['ca_path'])
        return [error for error in errors if error]

    def validate(self):
        """Messages about bad input, found without any request. Override; return a list."""
        return []

    def execute(self):  # pragma: no cover - every module overrides it
        raise NotImplementedError

    def run(self):
        errors = [message for message in self.validate_connection() + list(self.validate()) if message]
        if errors:
            self.fail('; '.join(errors))
        try:
            self.execute()
        except ApiError as exc:
            self.fail(exc.message, status=exc.status, error=exc.error)
        except CheckModeWriteError as exc:
            self.fail('internal error, please report it: %s' % exc, exception=traceback.format_exc())
        finally:
            if self._client is not None:
                self._client.close()
        self.module.exit_json(**self.result)

    def fail(self, msg, **kwargs):
        if self._client is not None:
            msg = self._client.redact(msg)
        kwargs = dict((k, v) for k, v in kwargs.items() if v is not None)
        self.module.fail_json(msg=msg, **kwargs)

    # -- results ---------------------------------------------------------------------------------
    def set_changed(self, changed=True):
        self.result['changed'] = self.result['changed'] or bool(changed)

    def set_diff(self, before, after):
        """Record before/after of the managed object; returned only in diff mode, secrets masked."""
        if self.module._diff:
            self.result['diff'] = {'before': mask_secrets(before, self.secret_keys, MASK),
                                   'after': mask_secrets(after, self.secret_keys, MASK)}
