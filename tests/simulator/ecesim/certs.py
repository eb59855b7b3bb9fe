"""Certificate authorities and server certificates (EC P-256, fast to generate).

Every ECE environment gets its own platform CA (the ``public_ca_cert`` of its local trust relationship),
which also signs the HTTPS server certificate of its ECE API and of its Elasticsearch clusters. The
proxy chain of an environment is signed either by the environment's private proxy CA or by one
simulated "well-known public" root shared by every environment with ``proxy_ca: public``.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common_name, org):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode('ascii')


def _cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


class CertAuthority:
    """A self-signed CA that can issue leaf certificates."""

    def __init__(self, common_name, org='ECE simulator'):
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        subject = _name(common_name, org)
        ski = x509.SubjectKeyIdentifier.from_public_key(self.key.public_key())
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = _cert_pem(self.cert)
        self.key_pem = _key_pem(self.key)

    def issue(self, common_name, dns_names=(), ip_addresses=(), org='ECE simulator'):
        """Issue a server certificate; returns (cert_pem, key_pem)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        sans = [x509.DNSName(name) for name in dns_names]
        sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name, org))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        return _cert_pem(cert), _key_pem(key)


def load_pem_certificates(text):
    """Parse every certificate of a PEM string; raises ValueError when none is valid."""
    if not isinstance(text, str) or '-----BEGIN CERTIFICATE-----' not in text:
        raise ValueError('no PEM certificate found')
    return x509.load_pem_x509_certificates(text.encode('ascii', 'replace'))


def normalize_pem(text):
    """Canonical form of the first certificate of a PEM string (so whitespace differences do not matter), or None."""
    try:
        certs = load_pem_certificates(text)
    except ValueError:
        return None
    return _cert_pem(certs[0]).strip()


def certificate_metadata(pem):
    """The read-only ``CertificateMetaData`` ECE shows for a trusted certificate."""
    cert = load_pem_certificates(pem)[0]
    der = cert.public_bytes(serialization.Encoding.DER)
    fingerprint = hashlib.sha256(der).hexdigest()
    return {
        'fingerprint': ':'.join(fingerprint[i:i + 2] for i in range(0, len(fingerprint), 2)).upper(),
        'valid_from': cert.not_valid_before_utc.strftime('%Y-%m-%dT%H:%M:%S.000Z'),
        'valid_to': cert.not_valid_after_utc.strftime('%Y-%m-%dT%H:%M:%S.000Z'),
        'also_trusted_by': [],
    }


def chain_expiry(pems):
    """(expiration date, subject) of the first certificate of a chain to expire."""
    first = None
    for pem in pems:
        cert = load_pem_certificates(pem)[0]
        if first is None or cert.not_valid_after_utc < first.not_valid_after_utc:
            first = cert
    return first.not_valid_after_utc.strftime('%Y-%m-%dT%H:%M:%S.000Z'), first.subject.rfc4514_string()
