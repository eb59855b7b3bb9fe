# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS at module level against the simulator's HTTPS endpoints: verification is on by default, an unknown CA fails
clearly before any request (so no credential is sent), ca_path works and validate_certs: false warns."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def warnings(result):
    return [w['event']['msg'] if isinstance(w, dict) else w for w in result.get('warnings') or []]


@pytest.fixture(scope='module')
def unrelated_ca(tmp_path_factory):
    """A CA that signed none of the simulator's certificates."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Unrelated test CA')])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    path = tmp_path_factory.mktemp('unrelated-ca') / 'ca.pem'
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(path)


# one ECE module and one Elasticsearch module, each with the options of a read
TARGETS = {
    'ece': ('ece_trust_relationship_info', lambda conn: conn.ece('ece-a')),
    'elasticsearch': ('es_role', lambda conn: conn.es('ece-a', 'search-a', name='tls-probe', state='absent')),
}


def options(conn, kind, **changes):
    module, make = TARGETS[kind]
    args = make(conn)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return module, args


def credentials(sim, kind):
    if kind == 'ece':
        env = sim.info['environments']['ece-a']
        return [env['api_key']]
    es = sim.info['environments']['ece-a']['deployments']['search-a']['elasticsearch']
    return [es['password']]


@pytest.mark.parametrize('kind', sorted(TARGETS))
def test_verification_is_on_by_default_and_fails_without_ca_path_naming_it(sim, conn, run_module, kind):
    module, args = options(conn, kind, ca_path=None)
    assert 'validate_certs' not in args

    result = run_module(module, args)

    assert result.get('failed') is True
    assert 'TLS verification of https://127.0.0.1:' in result['msg']
    assert 'certificate verify failed' in result['msg']
    assert 'Set ca_path to the CA bundle' in result['msg']
    assert sim.requests() == []  # the handshake failed: no request, so no credential, reached the server
    assert not [w for w in warnings(result) if 'retry' in w]  # a verification failure is not retried


@pytest.mark.parametrize('kind', sorted(TARGETS))
def test_an_unknown_ca_fails_clearly_before_any_request(sim, conn, run_module, unrelated_ca, kind):
    module, args = options(conn, kind, ca_path=unrelated_ca)

    result = run_module(module, args)

    assert result.get('failed') is True
    assert 'certificate verify failed' in result['msg'] and 'ca_path' in result['msg']
    assert sim.requests() == []
    for secret in credentials(sim, kind):
        assert secret not in json.dumps(result)


def test_the_ca_of_another_environment_is_not_trusted(sim, conn, run_module):
    """Each environment has its own CA: ece-b's CA does not vouch for ece-a's API."""
    module, args = options(conn, 'ece', ca_path=sim.info['environments']['ece-b']['ca_cert_file'])
    result = run_module(module, args)
    assert result.get('failed') is True and 'certificate verify failed' in result['msg']
    assert sim.requests() == []


@pytest.mark.parametrize('kind', sorted(TARGETS))
def test_ca_path_verifies_the_server(sim, conn, run_module, kind):
    module, args = options(conn, kind, ca_path=sim.info['environments']['ece-a']['ca_cert_file'])

    result = run_module(module, args)

    assert not result.get('failed'), result
    assert warnings(result) == []
    assert len(sim.requests()) >= 1


@pytest.mark.parametrize('kind', sorted(TARGETS))
def test_validate_certs_false_connects_and_warns(sim, conn, run_module, kind):
    module, args = options(conn, kind, ca_path=None, validate_certs=False)

    result = run_module(module, args)

    assert not result.get('failed'), result
    url = args['ece_url'] if kind == 'ece' else args['es_url']
    assert [w for w in warnings(result) if w.startswith('validate_certs is false: the TLS certificate of %s is not verified' % url)]
    for secret in credentials(sim, kind):
        assert secret not in json.dumps(warnings(result))
    assert len(sim.requests()) >= 1


def test_validate_certs_false_ignores_a_bad_ca_path(sim, conn, run_module):
    """ca_path is only read when certificates are verified."""
    module, args = options(conn, 'ece', ca_path='/nonexistent/ca.pem', validate_certs=False)
    result = run_module(module, args)
    assert not result.get('failed'), result
