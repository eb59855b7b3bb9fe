# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory plugin's environments take the ECE connection options of the modules: their argument spec, their
constraints, and documentation that names the same options with the same types and defaults as the modules' fragments."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ece.remote_clusters.plugins.doc_fragments import connection, ece
from ansible_collections.ece.remote_clusters.plugins.inventory.ece_deployments import (
    DOCUMENTATION, ENVIRONMENT_CONSTRAINTS, ENVIRONMENT_SPEC)
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import connection_options


def documented():
    return yaml.safe_load(ece.ModuleDocFragment.ENVIRONMENTS)['options']['environments']['suboptions']


def test_the_plugin_documents_its_environments_with_the_shared_fragment():
    assert 'ece.remote_clusters.ece.environments' in yaml.safe_load(DOCUMENTATION)['extends_documentation_fragment']
    assert 'environments' not in yaml.safe_load(DOCUMENTATION)['options']


def test_the_documented_environment_options_are_those_of_the_argument_spec():
    docs = documented()
    assert sorted(docs) == sorted(ENVIRONMENT_SPEC)
    for name, spec in ENVIRONMENT_SPEC.items():
        assert (docs[name]['type'], docs[name].get('default'), bool(docs[name].get('required'))) == (
            spec['type'], spec.get('default'), bool(spec.get('required'))), name


def test_the_documented_environment_options_have_the_types_and_defaults_of_the_modules_fragments():
    modules = dict(yaml.safe_load(ece.ModuleDocFragment.DOCUMENTATION)['options'],
                   **yaml.safe_load(connection.ModuleDocFragment.DOCUMENTATION)['options'])
    docs = documented()
    assert sorted(modules) == sorted(name for name in docs if name != 'name')
    for name, option in modules.items():
        assert (docs[name]['type'], docs[name].get('default')) == (option['type'], option.get('default')), name


def test_the_credentials_follow_the_constraints_of_the_modules():
    constraints = connection_options('ece')[1]
    assert ENVIRONMENT_CONSTRAINTS == dict(mutually_exclusive=constraints['mutually_exclusive'],
                                           required_together=constraints['required_together'])
    both = ArgumentSpecValidator(ENVIRONMENT_SPEC, **ENVIRONMENT_CONSTRAINTS).validate(
        {'name': 'ece-a', 'ece_api_key': 'k', 'ece_username': 'admin', 'ece_password': 'p'})
    assert any('mutually exclusive' in message for message in both.error_messages)
