# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The credential types of extensions/aap and extensions/eda: their injectors rendered as the platform renders them,
then a module, the rollout or the event source driven by exactly the variables they inject."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import types

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from test_remote_clusters import FAST, many, secrets_of, writes  # noqa: F401  pylint: disable=unused-import

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTROLLER = os.path.join(REPO_ROOT, 'extensions', 'aap', 'credential_types')
EDA = os.path.join(REPO_ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'credential_types')
TYPES = [(CONTROLLER, name, 'tower') for name in ('ece_environment', 'elasticsearch', 'ece_environments')] + [
    (EDA, name, 'eda') for name in ('ece_environment', 'ece_environments')]
# the only line a user adds to an inventory to take its environments from an "ECE environments" credential
ENVIRONMENTS_FROM_CREDENTIAL = (
    "{{ ece_environments_secrets | from_yaml | dict2items"
    " | map('combine', {'value': {'ca_path': ece_environments_ca_path}} if ece_environments_ca_path else {}, recursive=true)"
    " | items2dict }}")


def load(directory, name):
    with open(os.path.join(directory, name, 'input.yml')) as handle:
        inputs = yaml.safe_load(handle)
    with open(os.path.join(directory, name, 'injectors.yml')) as handle:
        injectors = yaml.safe_load(handle)
    return inputs, injectors


def inject(directory, name, values, private_dir, namespace='tower'):
    """What the platform does with a credential: ``(env, extra_vars)``.

    As the automation controller (and EDA, whose namespace is ``eda``) renders injectors: a field left blank is not
    defined (so it renders as an empty string), a boolean left blank is false, templates render in Jinja's immutable
    sandbox, each ``file`` template is written to a file of the private data directory and named by
    ``<namespace>.filename.<label>``.
    """
    inputs, injectors = load(directory, name)
    context = dict((key, value) for key, value in values.items() if isinstance(value, bool) or value)
    for field in inputs['fields']:
        if field['type'] == 'boolean' and field['id'] not in values:
            context[field['id']] = False
    sandbox = ImmutableSandboxedEnvironment()
    files = {}
    for label, template in (injectors.get('file') or {}).items():
        path = os.path.join(str(private_dir), 'env', 'file-%s-%s' % (name, label.split('.')[-1]))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as handle:
            handle.write(sandbox.from_string(template).render(**context))
        os.chmod(path, 0o600)
        files[label.split('.', 1)[1]] = path
    context[namespace] = types.SimpleNamespace(filename=types.SimpleNamespace(**files))
    env = dict((var, sandbox.from_string(template).render(**context)) for var, template in (injectors.get('env') or {}).items())
    extra_vars = dict((var, sandbox.from_string(template).render(**context)) for var, template in (injectors.get('extra_vars') or {}).items())
    return env, extra_vars


def pem(sim):
    with open(sim.info['ca_bundle']) as handle:
        return handle.read()


@pytest.mark.parametrize('directory, name, namespace', TYPES, ids=['%s-%s' % (t[2], t[1]) for t in TYPES])
def test_a_credential_type_is_well_formed(directory, name, namespace):
    inputs, injectors = load(directory, name)
    ids = [field['id'] for field in inputs['fields']]
    assert set(inputs['required']) <= set(ids)
    assert set(injectors) <= {'env', 'extra_vars', 'file'}
    for field in inputs['fields']:
        assert field['type'] in ('string', 'boolean') and field['label']
        # every secret input is a secret field: the platform encrypts it and hides it in the job's environment
        assert field.get('secret', False) == any(word in field['id'] for word in ('api_key', 'password', 'environments')), field
    # no variable the platform reserves, and every template names only inputs of the type or the file namespace
    names = list(injectors.get('env', {})) + list(injectors.get('extra_vars', {}))
    assert names and not [n for n in names if n.upper().startswith(('ANSIBLE_', 'EDA_'))]
    templates = ' '.join(list(injectors.get('env', {}).values()) + list(injectors.get('extra_vars', {}).values())
                         + list(injectors.get('file', {}).values()))
    referenced = set(ImmutableSandboxedEnvironment().parse(templates).find_all(__import__('jinja2').nodes.Name))
    assert set(node.name for node in referenced) <= set(ids) | {namespace}
    assert ('tower' if namespace == 'eda' else 'eda') + '.' not in templates


def test_ece_environment_credential_drives_an_ece_module_with_its_variables_alone(sim, run_module, monkeypatch, tmp_path):
    info = sim.info['environments']['ece-a']
    env, extra_vars = inject(CONTROLLER, 'ece_environment', {
        'ece_url': info['ece_url'], 'ece_api_key': info['api_key'], 'ece_region': info.get('region', 'ece-region'),
        'ca_certificates': pem(sim)}, tmp_path)
    assert extra_vars == {}
    assert env['ECE_USERNAME'] == env['ECE_PASSWORD'] == ''  # blank fields: set, empty
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    result = run_module('ece_deployment_info', {'name': 'search-a', 'retry_backoff': 0.01})
    assert not result.get('failed'), result
    assert [d['name'] for d in result['deployments']] == ['search-a']
    assert [r for r in sim.requests() if r['server'] != 'ece:ece-a'] == []
    assert info['api_key'] not in repr(result)


def test_ece_environment_credential_without_ca_fails_on_the_private_ca_and_says_so(sim, run_module, monkeypatch, tmp_path):
    info = sim.info['environments']['ece-a']
    env, dummy = inject(CONTROLLER, 'ece_environment', {'ece_url': info['ece_url'], 'ece_api_key': info['api_key']}, tmp_path)
    assert env['ECE_CA_PATH'] == '' and env['ECE_REGION'] == 'ece-region'
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    result = run_module('ece_deployment_info', {'name': 'search-a', 'retry_backoff': 0.01, 'retries': 0})
    assert result.get('failed') and 'certificate' in result['msg'], result


def test_elasticsearch_credential_drives_an_elasticsearch_module_with_its_variables_alone(sim, conn, run_module, monkeypatch, tmp_path):
    es = conn.es('ece-a', 'search-a')
    env, dummy = inject(CONTROLLER, 'elasticsearch', {'es_url': es['es_url'], 'es_username': es['es_username'],
                                                      'es_password': es['es_password'], 'ca_certificates': pem(sim)}, tmp_path)
    assert env['ES_API_KEY'] == ''
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    result = run_module('es_role', {'name': 'no-such-role', 'state': 'absent', 'retry_backoff': 0.01})
    assert not result.get('failed'), result
    assert result['changed'] is False
    assert [r['server'] for r in sim.requests()] and set(r['server'] for r in sim.requests()) == {'es:ece-a/search-a'}
    assert writes(sim.requests()) == []


def environments_credential(sim, with_ca=True):
    environments = dict((name, {'ece_url': env['ece_url'], 'ece_api_key': env['api_key'], 'ece_region': env.get('region', 'ece-region')})
                        for name, env in sim.info['environments'].items())
    values = {'environments': yaml.safe_dump(environments)}
    if with_ca:
        values['ca_certificates'] = pem(sim)
    return values


def test_ece_environments_credential_carries_every_environment_of_a_rollout(sim, many, ansible_playbook, tmp_path):
    inventory, env = many
    dummy, extra_vars = inject(CONTROLLER, 'ece_environments', environments_credential(sim), tmp_path)
    assert sorted(extra_vars) == ['ece_environments_ca_path', 'ece_environments_secrets']
    # the inventory's environments come from the credential: its one line replaces the vaulted connection options
    with open(os.path.join(inventory, 'group_vars', 'all', 'environments.yml'), 'w') as handle:
        handle.write('---\nremote_clusters_environments: "%s"\n' % ENVIRONMENTS_FROM_CREDENTIAL)
    extra_file = tmp_path / 'env' / 'extravars'
    extra_file.write_text(yaml.safe_dump(extra_vars))  # as the platform passes them: -e @file
    run = ansible_playbook('remote_clusters.yml', inventory=inventory, env=env,
                           extra_vars=dict(FAST, remote_clusters_link_names=['old-b-to-data-b', 'logs-a-to-ingest-b'], **extra_vars))
    assert run.rc == 0, run.output[-5000:]
    assert '2 links: 0 ok, 2 changed, 0 failed; 2 connected' in run.output
    assert [s for s in secrets_of(sim) if s in run.output] == []


def test_ece_environments_credential_without_ca_leaves_each_environment_its_own_ca_path(sim, tmp_path):
    dummy, extra_vars = inject(CONTROLLER, 'ece_environments', environments_credential(sim, with_ca=False), tmp_path)
    assert extra_vars['ece_environments_ca_path'] == ''
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    secrets = yaml.safe_load(extra_vars['ece_environments_secrets'])
    secrets['ece-a']['ca_path'] = '/etc/pki/ece-a.pem'
    variables = dict(extra_vars, ece_environments_secrets=yaml.safe_dump(secrets))
    templar = Templar(loader=DataLoader(), variables=variables)
    try:
        from ansible._internal._templating._jinja_bits import TrustedAsTemplate  # pylint: disable=import-outside-toplevel
        expression = TrustedAsTemplate().tag(ENVIRONMENTS_FROM_CREDENTIAL)
    except ImportError:  # ansible-core < 2.19
        expression = ENVIRONMENTS_FROM_CREDENTIAL
    environments = templar.template(expression)
    assert environments['ece-a']['ca_path'] == '/etc/pki/ece-a.pem'
    assert 'ca_path' not in environments['ece-b']
