# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every module of this collection shares: the connection options and their checks, the clients, the handling of
interrupts, and the failure that ends a module or a link's step. Private to this collection.

A module's logic is a resource manager (``_manager.py``); the module file holds the documentation and calls
``run_module``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import signal
import threading

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.parameters import AnsibleFallbackNotFound

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import Interrupt
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import USERINFO_RE, check_url, check_version
from ansible_collections.ece.remote_clusters.plugins.module_utils._ece import API_PREFIX

# on these a module sends no further request (no retry, no poll): it fails, naming what it did not send
INTERRUPT_SIGNALS = ('SIGINT', 'SIGTERM', 'SIGHUP')
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


def set_env_fallback(*names):
    """``env_fallback`` for which an empty variable is not set: a credential of the automation controller injects every
    variable of its type, an empty string for each field left blank (an API key beside an empty user name)."""
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def ece_argument_spec():
    return dict(
        ece_url=dict(type='str', required=True, fallback=(set_env_fallback, ['ECE_URL'])),
        ece_api_key=dict(type='str', no_log=True, fallback=(set_env_fallback, ['ECE_API_KEY'])),
        ece_username=dict(type='str', fallback=(set_env_fallback, ['ECE_USERNAME'])),
        ece_password=dict(type='str', no_log=True, fallback=(set_env_fallback, ['ECE_PASSWORD'])),
        # an empty ECE_REGION means "no region prefix", as an empty ece_region does
        ece_region=dict(type='str', default='ece-region', fallback=(env_fallback, ['ECE_REGION'])),
    )


def elasticsearch_argument_spec():
    return dict(
        es_url=dict(type='str', required=True, fallback=(set_env_fallback, ['ES_URL'])),
        es_api_key=dict(type='str', no_log=True, fallback=(set_env_fallback, ['ES_API_KEY'])),
        es_username=dict(type='str', fallback=(set_env_fallback, ['ES_USERNAME'])),
        es_password=dict(type='str', no_log=True, fallback=(set_env_fallback, ['ES_PASSWORD'])),
        elasticsearch_version=dict(type='str'),
    )


def deployment_argument_spec():
    """The deployment and its Elasticsearch resource (doc fragment ``ece.remote_clusters.deployment``)."""
    return dict(
        deployment_id=dict(type='str', required=True),
        ref_id=dict(type='str'),
    )


API_OPTIONS = {
    'ece': (ece_argument_spec, 'ece_'),
    'elasticsearch': (elasticsearch_argument_spec, 'es_'),
}


CONSTRAINTS = ('mutually_exclusive', 'required_together', 'required_one_of', 'required_if', 'required_by')


def connection_options(api, fallbacks=True):
    """The connection options of ``api`` and their constraints: ``(argument_spec, constraints)``."""
    spec_factory, prefix = API_OPTIONS[api]
    spec = connection_argument_spec()
    spec.update(spec_factory())
    # ECE_CA_PATH or ES_CA_PATH: a credential's CA file, for the one API it is for
    spec['ca_path'] = dict(spec['ca_path'], fallback=(set_env_fallback, [prefix.upper() + 'CA_PATH']))
    if not fallbacks:  # options of one of several connections: the environment cannot tell which
        spec = dict((name, dict((k, v) for k, v in option.items() if k != 'fallback')) for name, option in spec.items())
    constraints = dict(mutually_exclusive=[(prefix + 'api_key', prefix + 'username')],
                       required_together=[(prefix + 'username', prefix + 'password')],
                       required_one_of=[(prefix + 'api_key', prefix + 'username')])
    return spec, constraints


def connection_errors(params, api, label=''):
    """Messages about connection options ``params`` of ``api``, found without any request.

    ``label`` prefixes option names in the messages (``local.ece.`` for a nested connection).
    """
    prefix = API_OPTIONS[api][1]
    url_option = prefix + 'url'
    errors = []
    if params[url_option] is not None:  # None: a link's es_url, which defaults to the deployment's
        errors.append(check_url(params[url_option], label + url_option, URL_EXAMPLES[api]))
    if api == 'ece':
        if not errors[0] and params['ece_url'].rstrip('/').endswith(API_PREFIX):
            errors.append('%sece_url: give the address of the ECE API without %s (the modules add it), e.g. %s'
                          % (label, API_PREFIX, URL_EXAMPLES['ece']))
        if not REGION_RE.match(params['ece_region'] or ''):
            errors.append('%sece_region: %r is not a region ID; give the region of the installation, usually "ece-region", '
                          'or an empty string for no region prefix' % (label, params['ece_region']))
    if api == 'elasticsearch' and params['elasticsearch_version'] is not None:
        errors.append(check_version(params['elasticsearch_version'], label + 'elasticsearch_version'))
    if params['request_timeout'] <= 0:
        errors.append('%srequest_timeout: %s is not a positive number of seconds; give e.g. 30' % (label, params['request_timeout']))
    if params['retries'] < 0:
        errors.append('%sretries: %d is negative; give 0 for no retry, or e.g. 3' % (label, params['retries']))
    if params['retry_backoff'] < 0:
        errors.append('%sretry_backoff: %s is negative; give the base delay in seconds, e.g. 1' % (label, params['retry_backoff']))
    if params['validate_certs'] and params['ca_path'] and not os.path.exists(params['ca_path']):
        errors.append('%sca_path: %s does not exist; give the path of the PEM file with the CA certificate that signed the '
                      'server certificate' % (label, params['ca_path']))
    return [error for error in errors if error]


def url_secrets(url):
    """The password (and user:password) in a URL's userinfo, to mask wherever Ansible shows the options."""
    userinfo = USERINFO_RE.match(url or '')
    if not userinfo:
        return []
    return [v for v in (userinfo.group(1), userinfo.group(1).partition(':')[2]) if v]


def new_client(api, params, read_only, warn):
    """The client of ``api`` for connection options ``params``; ``read_only`` in check mode."""
    prefix = API_OPTIONS[api][1]
    common = dict(api_key=params[prefix + 'api_key'], username=params[prefix + 'username'],
                  password=params[prefix + 'password'], validate_certs=params['validate_certs'],
                  ca_path=params['ca_path'], request_timeout=params['request_timeout'], retries=params['retries'],
                  retry_backoff=params['retry_backoff'], read_only=read_only, warn=warn)
    if not params['validate_certs']:
        warn('validate_certs is false: the TLS certificate of %s is not verified, so the connection '
             'and its credentials are open to interception' % params[prefix + 'url'])
    # imported here so that a module pays only for the client it uses
    if api == 'ece':
        from ansible_collections.ece.remote_clusters.plugins.module_utils._ece import EceClient
        client = EceClient(params['ece_url'], region=params['ece_region'], **common)
    else:
        from ansible_collections.ece.remote_clusters.plugins.module_utils._elasticsearch import ElasticsearchClient
        client = ElasticsearchClient(params['es_url'], version=params['elasticsearch_version'], **common)
    client.option_prefix = prefix  # the options that a refusal of the credentials names
    return client


class ClientPool:
    """One client per connection (API and options), each keeping its reads (:meth:`ApiClient.keep_reads`).

    A link has a pool of its own; the links of a rollout share one, so that a deployment, an environment's trust
    relationships or a cluster's settings are read once for all links. ``limit`` bounds the requests to one environment
    (named by its ECE URL) that are under way at a time, over every client of that environment.
    """

    def __init__(self, read_only, warn, limit=None):
        self.read_only = read_only
        self.warn = warn
        self.limit = limit
        self._clients = {}
        self._gates = {}
        self._lock = threading.Lock()
        # what the links of a rollout do one at a time (creating trust relationships)
        self.serial = threading.Lock()
        # names of the environments, by the environment a client is created for (its ECE URL): for messages
        self.names = {}

    def client(self, api, options, environment=None):
        key = (api, json.dumps(options, sort_keys=True, default=str))
        with self._lock:
            if key not in self._clients:
                client = new_client(api, options, self.read_only, self.warn)
                client.keep_reads()
                client.environment_name = self.names.get(environment)
                if self.limit:
                    client.gate = self._gates.setdefault(environment, threading.BoundedSemaphore(self.limit))
                self._clients[key] = client
            return self._clients[key]

    def read_only_twin(self):
        """A pool of clients of its own that refuse every write (a diagnosis), under the same limit of requests per
        environment."""
        twin = ClientPool(True, self.warn, self.limit)
        twin._gates, twin.names = self._gates, self.names  # pylint: disable=protected-access
        return twin

    def close(self):
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def _on_interrupt(signum, frame):  # pylint: disable=unused-argument
    Interrupt.signal_name = next((name for name in INTERRUPT_SIGNALS if getattr(signal, name, None) == signum), str(signum))


def watch_interrupts():
    """Install the handlers of ``INTERRUPT_SIGNALS`` and note the parent process; returns the handlers to restore.

    The handlers only set :class:`Interrupt`: the client checks it before every request and while it pauses, so a
    request under way ends, and nothing is sent after it. A module whose parent process (``ansible-playbook``) is gone
    sends nothing more either.
    """
    Interrupt.watch()
    previous = {}
    for name in INTERRUPT_SIGNALS:
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            if signal.getsignal(number) == signal.SIG_IGN:  # ignored on purpose (nohup): stays ignored
                continue
            previous[number] = signal.signal(number, _on_interrupt)
        except (ValueError, OSError):  # not the main thread
            pass
    return previous


def restore_interrupts(previous):
    for number, handler in previous.items():
        signal.signal(number, handler if handler is not None else signal.SIG_DFL)
    Interrupt.parent_pid = Interrupt.starter = None


def given(value):
    """``value`` without the keys whose value is None, at every depth: None is "not given", as for a module's options
    (the constraints count the keys given, and a suboption's default fills it again)."""
    if isinstance(value, dict):
        return dict((k, given(v)) for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return [given(v) for v in value]
    return value


def run_step(step):
    """``(outcome, None)`` of a step (a manager, or a planned one) that succeeded, ``(None, failure)`` of one that failed."""
    try:
        return step.outcome(), None
    except ModuleFailure as failure:
        return None, failure


class ModuleFailure(Exception):
    """Ends a module (``fail_json``) or a link's step; ``msg`` is already redacted."""

    def __init__(self, msg, **kwargs):
        super(ModuleFailure, self).__init__(msg)
        self.msg = msg
        self.kwargs = dict((k, v) for k, v in kwargs.items() if v is not None)
