# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: ece_deployments
short_description: The deployments of one or more ECE environments as inventory hosts
version_added: 1.0.0
description:
  - Adds one host per deployment of each Elastic Cloud Enterprise environment listed in O(environments), with the
    deployment's IDs, Elasticsearch version, endpoint and health as host variables.
  - The hosts are API objects, not machines; they get C(ansible_connection=local) and run the modules of this
    collection on the controller.
  - Each environment costs one request, C(POST /api/v1/deployments/_search) (a read), whatever its number of
    deployments; environments are read concurrently, at most 8 at a time.
  - B(Host names) are C(<environment>_<deployment name>), for example C(ece-a_logs-prod). Characters other than
    letters, digits, C(_), C(-) and C(.) become C(_). Deployment names are not unique in ECE; when two deployments
    of an environment get the same host name, each gets the first 8 characters of its deployment ID appended
    (C(ece-a_logs_0123abcd)).
  - B(Groups) are C(ece_<environment>) for every environment (with the group variables C(ece_url) and C(ece_region))
    and C(es_<major>_<minor>) for every Elasticsearch version (for example C(es_8_14)); characters other than letters,
    digits and C(_) become C(_) (environment C(ece-a) makes the group C(ece_ece_a)).
  - 'B(Host variables): C(ece_environment) (the environment name), C(ece_deployment_id), C(ece_deployment_name),
    C(ece_cluster_id) (the Elasticsearch cluster ID, for trust allowlists), C(ece_ref_id), C(ece_es_version) (the
    lowest version the instances run, else the plan version), C(ece_es_endpoint) (the DNS name remote clusters
    connect to), C(ece_es_url) (the Elasticsearch URL), C(ece_healthy) (bool), C(ece_account_id) (only when the
    search answer carries it) and C(ansible_connection: local). The Elasticsearch variables describe the
    deployment''s first Elasticsearch resource and are null for a deployment without one.'
  - The configuration file name must end with C(ece_deployments.yml) or C(ece_deployments.yaml).
options:
  plugin:
    description: The name of this plugin; it makes the file an inventory source of this plugin.
    type: str
    required: true
    choices: [ece.remote_clusters.ece_deployments]
notes:
  - The search asks for up to 10000 deployments in one request; should an environment hold more, the search
    cursor is followed with further requests.
  - If any environment cannot be read, the whole source fails with one line per environment saying why; no partial
    inventory is built.
  - With O(cache=true) the hosts are kept in the cache plugin (never a credential) and the ECE APIs are not asked
    again until O(cache_timeout) expires, C(--flush-cache) is given or the list of environment names changes.
  - The host variable C(ansible_python_interpreter) is set to C({{ ansible_playbook_python }}), the Python that runs
    Ansible (it has this collection's requirement C(requests)), as for the implicit C(localhost). Override it with
    O(compose).
requirements:
  - requests
extends_documentation_fragment:
  - ece.remote_clusters.ece.environments
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
# inventory/ece_deployments.yml: every deployment of two ECE environments
plugin: ece.remote_clusters.ece_deployments
environments:
  - name: ece-a
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ lookup('ansible.builtin.env', 'ECE_A_API_KEY') }}"
    ca_path: /etc/pki/ece-a-ca.pem
  - name: ece-b
    ece_url: https://ece-b.example.com:12443
    ece_username: admin
    ece_password: !vault |
      $ANSIBLE_VAULT;1.1;AES256
      6238386133633461...
# groups from the host variables, on top of ece_<environment> and es_<major>_<minor>
groups:
  unhealthy: not ece_healthy
keyed_groups:
  - key: ece_es_version.split('.')[0]
    prefix: es_major
compose:
  es_hosts: "[ece_es_url]"

# Then, for example:
#   ansible-inventory -i inventory/ece_deployments.yml --graph
#   ansible-playbook -i inventory/ece_deployments.yml -l es_8_14 site.yml
'''

import re
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import HAS_REQUESTS, ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    no_log_values, pick_resource, redact, resource_account_id, resource_cluster_id, version_tuple)
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import (
    connection_argument_spec, connection_options, ece_argument_spec, new_client)
from ansible_collections.ece.remote_clusters.plugins.module_utils._views import running_version

try:  # ansible-core 2.19+: a template string the plugin sets must be marked trusted to be rendered
    from ansible.template import trust_as_template
except ImportError:  # ansible-core 2.18 renders every string not marked unsafe
    def trust_as_template(value):
        return value

MAX_WORKERS = 8
SEARCH_SIZE = 10000
HOST_UNSAFE = re.compile(r'[^A-Za-z0-9_.-]')
GROUP_UNSAFE = re.compile(r'[^A-Za-z0-9_]')


def environment_spec():
    """The ECE connection options of the modules (their defaults and environment variables; documented by the doc fragment
    ece.remote_clusters.ece.environments), each environment with a name; a missing ece_url is reported by _environments
    with a hint instead of as a missing required option."""
    spec = dict(name=dict(type='str', required=True), **ece_argument_spec())
    spec.update(ece_url=dict((k, v) for k, v in spec['ece_url'].items() if k != 'required'), **connection_argument_spec())
    return spec


ENVIRONMENT_SPEC = environment_spec()
# the constraints of the modules' ECE credentials; missing credentials are reported with a hint of their own
ENVIRONMENT_CONSTRAINTS = dict((name, rules) for name, rules in connection_options('ece')[1].items() if name != 'required_one_of')
SECRET_OPTIONS = ('ece_api_key', 'ece_password')


def host_name(text):
    return HOST_UNSAFE.sub('_', text)


def group_name(text):
    return GROUP_UNSAFE.sub('_', text)


def version_group(version):
    """``es_8_14`` for ``8.14.3``; None when the version is unknown or not a version."""
    try:
        return 'es_%d_%d' % version_tuple(version)[:2]
    except (TypeError, ValueError):
        return None


def deployment_record(environment, deployment):
    """The host variables of one deployment (its first Elasticsearch resource), from a search hit."""
    resource = pick_resource((deployment.get('resources') or {}).get('elasticsearch')) or {}
    metadata = (resource.get('info') or {}).get('metadata') or {}
    record = {
        'ece_environment': environment,
        'ece_deployment_id': deployment.get('id'),
        'ece_deployment_name': deployment.get('name'),
        'ece_cluster_id': resource_cluster_id(resource) if resource else None,
        'ece_ref_id': resource.get('ref_id'),
        'ece_es_version': running_version(resource) if resource else None,
        'ece_es_endpoint': metadata.get('endpoint'),
        'ece_es_url': metadata.get('service_url'),
        'ece_healthy': bool(deployment.get('healthy')),
    }
    account = resource_account_id(deployment, resource) if resource else None
    if account:  # the search answer has no trust settings; only some ECE versions return an organization ID
        record['ece_account_id'] = account
    return record


def assign_host_names(environment, records):
    """``<environment>_<name>``; names that collide within the environment get the deployment ID's first 8 characters."""
    base = [host_name('%s_%s' % (environment, r['ece_deployment_name'] or r['ece_deployment_id'])) for r in records]
    counts = {}
    for name in base:
        counts[name] = counts.get(name, 0) + 1
    return [name if counts[name] == 1 else '%s_%s' % (name, (r['ece_deployment_id'] or '')[:8])
            for name, r in zip(base, records)]


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'ece.remote_clusters.ece_deployments'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(('ece_deployments.yml', 'ece_deployments.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path)
        self._read_config_data(path)
        if not HAS_REQUESTS:
            raise AnsibleError('the ece.remote_clusters.ece_deployments inventory plugin needs the Python library requests '
                               'on the controller: pip install requests')
        environments = self._environments()
        names = [e['name'] for e in environments]

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache')
        data = None
        if use_cache and cache:  # cache=False: --flush-cache or refresh_inventory
            try:
                data = self._cache[cache_key]
            except KeyError:
                data = None
            if not isinstance(data, dict) or sorted(data) != sorted(names):
                data = None  # the environment list changed since the cache was written
        if data is None:
            data = self._fetch(environments)
            if use_cache:
                self._cache[cache_key] = data
        self._populate(environments, data)

    # -- configuration -------------------------------------------------------------------------------
    def _environments(self):
        """The validated ``environments`` option, templates rendered; errors before any request, without a secret."""
        raw = self.get_option('environments')
        if not isinstance(raw, list) or not raw:
            raise AnsibleParserError('environments: give a non-empty list of ECE environments, each with at least name '
                                     'and ece_url')
        environments, errors, secrets = [], [], []
        for index, entry in enumerate(raw):
            label = 'environments[%d]' % index
            if not isinstance(entry, dict):
                errors.append('%s: expected a dictionary with name, ece_url and credentials, got %s'
                              % (label, type(entry).__name__))
                continue
            entry = dict((key, self._render(value)) for key, value in entry.items())
            secrets.extend(entry.get(k) for k in SECRET_OPTIONS if isinstance(entry.get(k), str))
            if isinstance(entry.get('name'), str):
                label = '%s (%s)' % (label, entry['name'])
            result = ArgumentSpecValidator(ENVIRONMENT_SPEC, **ENVIRONMENT_CONSTRAINTS).validate(entry)
            secrets.extend(no_log_values(ENVIRONMENT_SPEC, result.validated_parameters))
            params = result.validated_parameters
            messages = list(result.error_messages)
            if not messages:
                if not params.get('ece_url'):
                    messages.append('ece_url is missing; give the URL of the ECE API, e.g. https://ece.example.com:12443, '
                                    'or set ECE_URL')
                if not params.get('ece_api_key') and not params.get('ece_username'):
                    messages.append('no credentials; give ece_api_key, or ece_username and ece_password '
                                    '(or set ECE_API_KEY, or ECE_USERNAME and ECE_PASSWORD)')
                if not re.search(r'[A-Za-z0-9]', params['name']):
                    messages.append('name %r makes no usable host or group name; use letters, digits, "-" or "_"'
                                    % params['name'])
            errors.extend('%s: %s' % (label, m) for m in messages)
            if not messages:
                environments.append(params)
        groups = {}
        for environment in environments:
            group = 'ece_' + group_name(environment['name'])
            if group in groups:
                errors.append('environments: %r and %r both make the group %s; give environments distinct names'
                              % (groups[group], environment['name'], group))
            groups[group] = environment['name']
        if errors:
            raise AnsibleParserError(redact('; '.join(errors), secrets))
        return environments

    def _render(self, value):
        """Render a template (a lookup of a secret store, an environment variable) and decrypt a vaulted value."""
        try:
            return self.templar.template(value)
        except Exception as exc:  # the message names the failing expression, not a rendered secret
            raise AnsibleParserError('environments: a value could not be rendered: %s' % to_native(exc))

    # -- the API -------------------------------------------------------------------------------------
    def _fetch(self, environments):
        """``{environment name: {ece_url, ece_region, deployments: [host variables]}}``, environments read concurrently."""
        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(environments))) as pool:
            futures = [pool.submit(_read_environment, environment) for environment in environments]
            outcomes = [future.result() for future in futures]
        errors = []
        data = {}
        for environment, (records, warnings, error) in zip(environments, outcomes):
            for warning in warnings:
                self.display.warning('ece_deployments: environment %s: %s' % (environment['name'], warning))
            if error:
                errors.append('environment %s: %s' % (environment['name'], error))
                continue
            data[environment['name']] = {'ece_url': environment['ece_url'], 'ece_region': environment['ece_region'],
                                         'deployments': records}
        if errors:
            raise AnsibleParserError('; '.join(errors))
        return data

    # -- the inventory -------------------------------------------------------------------------------
    def _populate(self, environments, data):
        strict = self.get_option('strict')
        for environment in environments:
            name = environment['name']
            entry = data[name]
            env_group = self.inventory.add_group('ece_' + group_name(name))
            self.inventory.set_variable(env_group, 'ece_url', wrap_var(entry['ece_url']))
            self.inventory.set_variable(env_group, 'ece_region', wrap_var(entry['ece_region']))
            records = entry['deployments']
            for host, record in zip(assign_host_names(name, records), records):
                self.inventory.add_host(host, group=env_group)
                variables = dict((key, wrap_var(value)) for key, value in record.items())
                variables['ansible_connection'] = 'local'
                variables['ansible_python_interpreter'] = trust_as_template('{{ ansible_playbook_python }}')
                for key, value in variables.items():
                    self.inventory.set_variable(host, key, value)
                version = version_group(record['ece_es_version'])
                if version:
                    self.inventory.add_child(self.inventory.add_group(version), host)
                # the expressions also see the environment group's variables
                context = dict(variables, ece_url=entry['ece_url'], ece_region=entry['ece_region'])
                self._set_composite_vars(self.get_option('compose'), context, host, strict=strict)
                self._add_host_to_composed_groups(self.get_option('groups'), context, host, strict=strict)
                self._add_host_to_keyed_groups(self.get_option('keyed_groups'), context, host, strict=strict)


def _read_environment(environment):
    """Run in a worker thread: ``(host variables, warnings, error message)``; never raises, never shows a secret."""
    warnings = []
    client = None
    try:
        client = new_client('ece', environment, True, warnings.append)
        deployments, dummy = client.search_deployments({'match_all': {}}, SEARCH_SIZE)
        return [deployment_record(environment['name'], d) for d in deployments], warnings, None
    except ApiError as exc:
        return None, warnings, exc.message
    except Exception as exc:  # a bug or an unexpected answer: one line, redacted
        message = '%s: %s' % (type(exc).__name__, exc)
        secrets = [environment.get(k) for k in SECRET_OPTIONS]
        return None, warnings, client.redact(message) if client else redact(message, secrets)
    finally:
        if client is not None:
            client.close()
