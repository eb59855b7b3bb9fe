# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options from environment variables, as the credential types of the automation controller inject them:
a variable set but empty (a field left blank) is not set, except ECE_REGION; the CA file per API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.ece.remote_clusters.plugins.module_utils._module import connection_options


def validated(api, params=None, fallbacks=True):
    spec, constraints = connection_options(api, fallbacks=fallbacks)
    result = ArgumentSpecValidator(spec, **constraints).validate(dict(params or {}))
    return result.validated_parameters, result.error_messages


@pytest.fixture
def injected(monkeypatch):
    def inject(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
    for name in ('ECE_URL', 'ECE_API_KEY', 'ECE_USERNAME', 'ECE_PASSWORD', 'ECE_REGION', 'ECE_CA_PATH',
                 'ES_URL', 'ES_API_KEY', 'ES_USERNAME', 'ES_PASSWORD', 'ES_CA_PATH'):
        monkeypatch.delenv(name, raising=False)
    return inject


def test_blank_fields_of_a_credential_count_as_not_set(injected):
    injected(ECE_URL='https://ece.example.com:12443', ECE_API_KEY='key', ECE_USERNAME='', ECE_PASSWORD='', ECE_CA_PATH='')
    params, errors = validated('ece')
    assert errors == []
    assert (params['ece_api_key'], params['ece_username'], params['ece_password'], params['ca_path']) == ('key', None, None, None)


def test_an_empty_region_still_means_no_region_prefix(injected):
    injected(ECE_URL='https://ece.example.com:12443', ECE_API_KEY='key', ECE_REGION='')
    assert validated('ece')[0]['ece_region'] == ''


def test_each_api_takes_the_ca_file_of_its_own_variable(injected):
    injected(ECE_CA_PATH='/ece-ca.pem', ES_CA_PATH='/es-ca.pem', ES_URL='https://es.example.com:9243', ES_USERNAME='u', ES_PASSWORD='p',
             ECE_URL='https://ece.example.com:12443', ECE_API_KEY='key')
    assert validated('ece')[0]['ca_path'] == '/ece-ca.pem'
    assert validated('elasticsearch')[0]['ca_path'] == '/es-ca.pem'
    # an option given wins; the options of one of several connections never come from the environment
    assert validated('elasticsearch', {'ca_path': '/given.pem'})[0]['ca_path'] == '/given.pem'
    params, dummy = validated('elasticsearch', {'es_url': 'https://es.example.com:9243', 'es_api_key': 'k'}, fallbacks=False)
    assert params['ca_path'] is None and params['es_username'] is None
