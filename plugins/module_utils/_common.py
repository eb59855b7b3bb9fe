# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validation, version and comparison helpers shared by the modules, and the constants they share (the mask of a secret,
the name that marks what this collection manages, the ports of the ECE proxies). Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import hashlib
import re
from urllib.parse import urlsplit

# this collection's name, which its clients send as User-Agent
COLLECTION = 'ece.remote_clusters'
# the metadata.managed_by of the cross-cluster API keys that remote_cluster_link creates: with local_cluster_id and alias,
# it says which link owns a key; a key that names another owner is never this one
MANAGED_BY = COLLECTION
# what every output (diff, result, message, log) shows in place of a secret, as Ansible's no_log does
MASK = '********'

CLUSTER_ID_RE = re.compile(r'^[0-9a-f]{32}$')
ALIAS_RE = re.compile(r'^[a-z0-9_-]+$')
PEM_RE = re.compile(r'-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----')
VERSION_RE = re.compile(r'^(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$')
# IDs the API assigns (account, trust relationship) and resource ref_ids: no spaces, slashes or other URL syntax
IDENTIFIER_RE = re.compile(r'^[A-Za-z0-9._-]+$')
# user:password@ before the host, with or without a scheme: never echo such a URL
USERINFO_RE = re.compile(r'^(?:[A-Za-z][A-Za-z0-9+.-]*://)?([^/?#@]*)@')
TIME_VALUE_RE = re.compile(r'^[0-9]+(nanos|micros|ms|s|m|h|d)$')
# the units of an Elasticsearch time value, in milliseconds
TIME_UNITS_MS = {'nanos': 1e-6, 'micros': 1e-3, 'ms': 1, 's': 1000, 'm': 60000, 'h': 3600000, 'd': 86400000}

# Ports of the ECE proxies for remote clusters (ECE networking prerequisites, "Enable CCS/CCR"): the TLS-certificate
# model connects on the transport passthrough port that the deployment read reports (9400 where it reports none); 9300 is
# the proxies' plain-text transport-client port, where no remote cluster connects; the API-key model connects on 9443.
CERTIFICATE_PORT = 9400
PLAIN_TRANSPORT_PORT = 9300
API_KEY_PORT = 9443


def certificate_port(ports, override=None):
    """The port of the TLS-certificate model: ``override``, else the ``transport_passthrough`` of ``ports``, else 9400."""
    return int(override or (ports or {}).get('transport_passthrough') or CERTIFICATE_PORT)


def version_tuple(version):
    """``'8.14.3'`` -> ``(8, 14, 3)``; ``'8.14'`` -> ``(8, 14, 0)``; ``'9.1.0-SNAPSHOT'`` -> ``(9, 1, 0)``."""
    match = VERSION_RE.match(str(version).strip())
    if not match:
        raise ValueError('%r is not a version like 8.14.3' % (version,))
    return tuple(int(part or 0) for part in match.groups())


def check_version(value, option):
    """An error message for an option that should hold a version, or None."""
    try:
        version_tuple(value)
    except ValueError:
        return '%s: %r is not a version; write it like 8.13.0' % (option, value)
    return None


def check_cluster_ids(ids, option):
    """Elasticsearch cluster IDs are 32 lower-case hex characters (not deployment names, not deployment IDs by mistake)."""
    bad = [i for i in ids or [] if not isinstance(i, str) or not CLUSTER_ID_RE.match(i)]
    if bad:
        return ('%s: %s %s not an Elasticsearch cluster ID; a cluster ID is 32 lower-case hexadecimal characters, '
                'as in resources.elasticsearch[].id of the deployment (ece_deployment_info returns it as cluster_id)'
                % (option, ', '.join(repr(b) for b in bad), 'is' if len(bad) == 1 else 'are'))
    return None


def check_deployment_ids(ids, option):
    """ECE deployment IDs are 32 lower-case hex characters (a deployment name is not an ID)."""
    bad = [i for i in ids or [] if not isinstance(i, str) or not CLUSTER_ID_RE.match(i)]
    if bad:
        return ('%s: %s %s not a deployment ID; a deployment ID is 32 lower-case hexadecimal characters, as the id '
                'ece_deployment_info returns (look a deployment up by name with its name option)'
                % (option, ', '.join(repr(b) for b in bad), 'is' if len(bad) == 1 else 'are'))
    return None


def check_identifiers(values, option, what, hint):
    """IDs that go into a request (an account ID, a trust relationship ID, a ref_id): letters, digits, ``.``, ``_``, ``-``."""
    bad = [v for v in values or [] if not isinstance(v, str) or not IDENTIFIER_RE.match(v)]
    if bad:
        return '%s: %s %s not %s; %s' % (option, ', '.join(repr(b) for b in bad), 'is' if len(bad) == 1 else 'are', what, hint)
    return None


def check_ref_id(value, option='ref_id'):
    """A resource ref_id such as main-elasticsearch."""
    return check_identifiers([value], option, 'a resource ref_id',
                             'a ref_id is a name like "main-elasticsearch" (letters, digits, ".", "_" and "-"), as in '
                             'elasticsearch[].ref_id of ece_deployment_info')


def check_url(value, option, example):
    """An error message for an option that should hold an http:// or https:// URL with a host, or None.

    A URL with credentials in it is refused without being shown: the credentials belong in their own options.
    """
    text = value if isinstance(value, str) else ''
    if not text.strip():
        return '%s: empty; give the URL with its scheme, e.g. %s' % (option, example)
    if any(c.isspace() for c in text):
        return '%s: %r contains white space; remove it, e.g. %s' % (option, value, example)
    if USERINFO_RE.match(text):
        prefix = option.split('_', 1)[0]
        return ('%s: the URL holds credentials (user:password@host); remove them from the URL and give %s_username and '
                '%s_password or %s_api_key instead' % (option, prefix, prefix, prefix))
    try:
        parts = urlsplit(text)
        valid_port = parts.port != 0  # .port raises ValueError on a port that is not a number up to 65535
    except ValueError:
        valid_port = False
    if not valid_port:
        return '%s: %r is not a URL: its port is not a number from 1 to 65535; write it like %s' % (option, value, example)
    host = parts.hostname
    if '://' not in text:
        return '%s: %r has no scheme; write it with https:// (or http://), e.g. https://%s' % (option, value, text)
    if parts.scheme.lower() not in ('http', 'https'):
        return '%s: %r is not an http:// or https:// URL; the API is served over HTTPS, e.g. %s' % (option, value, example)
    if not host:
        return '%s: %r has no valid host; write it like %s' % (option, value, example)
    return None


def time_value_ms(value):
    """An Elasticsearch time value (checked by :func:`check_time_value`) in milliseconds."""
    number = value.rstrip('nacromshd')
    return int(number) * TIME_UNITS_MS[value[len(number):]]


def check_time_value(value, option, example='90d'):
    """An Elasticsearch time value such as 90d, 12h, 30m."""
    if not isinstance(value, str) or not TIME_VALUE_RE.match(value):
        return ('%s: %r is not a time value; write a whole number and a unit (d, h, m, s, ms), e.g. %s'
                % (option, value, example))
    return None


def check_metadata_keys(metadata, option='metadata'):
    """Elasticsearch reserves metadata keys that start with an underscore."""
    reserved = sorted(k for k in metadata or {} if str(k).startswith('_'))
    if reserved:
        return ('%s: %s %s reserved (keys starting with "_" belong to Elasticsearch); rename %s without the leading "_"'
                % (option, ', '.join(repr(k) for k in reserved), 'is' if len(reserved) == 1 else 'are',
                   'it' if len(reserved) == 1 else 'them'))
    return None


def check_installation_id(value, option='installation_id'):
    """An ECE environment ID (a trust relationship's installation_id) is 32 lower-case hex characters."""
    if not isinstance(value, str) or not CLUSTER_ID_RE.match(value):
        return ('%s: %r is not an ECE environment ID; it is 32 lower-case hexadecimal characters, the installation_id '
                'of the other environment\'s local trust relationship (ece_trust_relationship_info returns it as '
                'local.installation_id)' % (option, value))
    return None


def check_ports(params, options=('certificate_port', 'api_key_port')):
    """Messages about port options that are given but are no TCP port."""
    errors = []
    for option in options:
        value = params.get(option)
        if value is not None and not 1 <= value <= 65535:
            errors.append('%s: %d is not a TCP port; give a number from 1 to 65535' % (option, value))
    return errors


def check_alias(alias, option='alias'):
    if not isinstance(alias, str) or not ALIAS_RE.match(alias):
        return ('%s: %r is not a valid remote cluster alias; use only lower-case letters, digits, "_" and "-" '
                '(no upper case, dots or spaces), e.g. "ece_b_data"' % (option, alias))
    return None


def split_pem_certificates(text):
    """The certificates of a PEM bundle, normalised; ``None`` when the text holds something else."""
    if not isinstance(text, str):
        return None
    blocks = PEM_RE.findall(text)
    if not blocks:
        return None
    certificates = []
    for block in blocks:
        body = ''.join(block.split())
        try:
            der = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return None
        if len(der) < 64 or der[0:1] != b'\x30':  # a DER certificate is an ASN.1 SEQUENCE
            return None
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        certificates.append('-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' % '\n'.join(lines))
    return certificates


def normalize_pem(text):
    """One normalised PEM certificate (or bundle), for comparison; None when not a certificate."""
    certificates = split_pem_certificates(text)
    return ''.join(certificates) if certificates else None


def pem_key(text):
    """A certificate as compared: its normalised PEM, or the text without white space when it is no PEM."""
    return normalize_pem(text) or ''.join((text or '').split())


def same_certificate(a, b):
    """Whether two PEM texts hold the same certificates, however they are wrapped; false when one is missing."""
    return bool(a and b) and pem_key(a) == pem_key(b)


def pem_fingerprint(text):
    """The SHA-256 fingerprint (hex) of the first certificate of a PEM text; None when it holds none."""
    certificates = split_pem_certificates(text)
    if not certificates:
        return None
    body = ''.join(certificates[0].split('-----')[2].split())
    return hashlib.sha256(base64.b64decode(body)).hexdigest()


def public_ca_bundle():
    """The bundle of publicly trusted root certificates that ``requests`` uses (certifi's), or None."""
    try:
        import certifi  # a dependency of requests
    except ImportError:  # pragma: no cover
        return None
    return certifi.where()


def publicly_trusted(pem, bundle_path=None):
    """Whether the root certificate ``pem`` is one of the publicly trusted roots of ``bundle_path`` (default: the bundle
    of ``requests``). A CA that is not there is private: the local cluster must be told to trust it."""
    path = bundle_path or public_ca_bundle()
    if not path:
        return False
    try:
        with open(path) as handle:
            roots = split_pem_certificates(handle.read()) or []
    except (IOError, OSError, UnicodeDecodeError):
        return False
    return pem_key(pem) in set(pem_key(root) for root in roots)


# Elasticsearch versions that can be connected as remote clusters: the same major, or adjacent majors with the older one
# on its last minor (Elastic docs, "Remote clusters" version compatibility table)
LAST_MINOR = {6: 8, 7: 17, 8: 19}
# 8.18 was released together with 9.0 and connects with 9.0, not with later 9.x (same table)
EARLY_LAST_MINOR = {(8, 18): (9, 0)}
VERSION_RULE = ('the same major version, or adjacent majors with the older one on its last minor (6.8, 7.17, 8.19; 8.18 '
                'with 9.0 only)')


def compatible_versions(a, b):
    """Whether clusters of versions ``a`` and ``b`` (strings or tuples) can be remote clusters of each other."""
    older, newer = sorted(v if isinstance(v, tuple) else version_tuple(v) for v in (a, b))
    if older[0] == newer[0]:
        return True
    if newer[0] - older[0] != 1:
        return False
    return older[1] >= LAST_MINOR.get(older[0], 99) or EARLY_LAST_MINOR.get(older[:2]) == newer[:2]


def check_pem(text, option):
    if split_pem_certificates(text) is None:
        return ('%s: not a PEM certificate; give the CA certificate text starting with "-----BEGIN CERTIFICATE-----" '
                '(for example from ece_trust_relationship_info, the local relationship\'s certificate)' % option)
    return None


def redact(text, secrets):
    """``text`` with every one of ``secrets`` in it replaced by MASK, the longest first (a secret may hold another);
    anything but a string as it is."""
    if not isinstance(text, str):
        return text
    for secret in sorted((s for s in secrets if s and isinstance(s, str)), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def mask_secrets(value, secret_keys, mask=MASK):
    """A copy of ``value`` with the values of ``secret_keys`` (at any depth) replaced by ``mask``."""
    if isinstance(value, dict):
        return dict((k, mask if k in secret_keys and v is not None else mask_secrets(v, secret_keys, mask)) for k, v in value.items())
    if isinstance(value, list):
        return [mask_secrets(v, secret_keys, mask) for v in value]
    return value


def no_log_values(spec, params):
    """The values of the options of ``spec`` marked ``no_log`` in ``params`` (suboptions included), as strings: what
    Ansible must mask wherever it shows them (ansible-core has no public function for it)."""
    found = set()
    for name, option in spec.items():
        value = (params or {}).get(name)
        if value is None:
            continue
        if option.get('no_log'):
            found.add(str(value))
        if option.get('options'):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    found.update(no_log_values(option['options'], item))
    return found


# -- facts of remote clusters that the modules, the filters and the inventory plugin share ---------------------------------
# Elasticsearch versions, strings as the version options take them (compare them through version_tuple)
# proxy mode (mode, proxy_address, server_name) exists from 7.6; before, only sniff mode (through the proxy: legacy sniff)
PROXY_MODE_VERSION = '7.6.0'
# cross-cluster API keys and the keystore setting cluster.remote.<alias>.credentials exist from 8.10
CREDENTIALS_MIN_VERSION = '8.10.0'
# the API-key model of this collection needs this version on both clusters
API_KEY_MIN_VERSION = '8.12.0'
# from 8.13 the nodes load changed remote cluster credentials at POST _nodes/reload_secure_settings; before, at a restart
RELOAD_MIN_VERSION = '8.13.0'


def major_minor(version):
    """``'8.12.0'`` -> ``'8.12'``, as messages name a release line."""
    return '%d.%d' % version_tuple(version)[:2]


def credentials_setting(alias):
    """The keystore setting that holds the encoded cross-cluster API key of the remote cluster ``alias``."""
    return 'cluster.remote.%s.credentials' % alias


def pick_resource(resources, ref_id=None):
    """The Elasticsearch resource ``ref_id`` of a deployment's list of them, or the first one when ``ref_id`` is not given;
    None when there is no such resource."""
    for resource in resources or []:
        if not ref_id or resource.get('ref_id') == ref_id:
            return resource
    return None


def resource_cluster_id(resource):
    """The Elasticsearch cluster ID of a resource of a deployment read (``info.cluster_id``, else the resource ``id``)."""
    return (resource.get('info') or {}).get('cluster_id') or resource.get('id')


def resource_account_id(deployment, resource):
    """The ECE account of a deployment read's Elasticsearch resource. ECE has one account per environment: any ``accounts``
    trust entry names it, else the deployment's (or the resource's) metadata ``organization_id``; None when unknown."""
    settings = (resource.get('info') or {}).get('settings') or {}
    for account in (settings.get('trust') or {}).get('accounts') or []:
        if account.get('account_id'):
            return account['account_id']
    for metadata in (deployment.get('metadata'), settings.get('metadata')):
        if (metadata or {}).get('organization_id'):
            return metadata['organization_id']
    return None


def view_version(cluster):
    """The version an Elasticsearch resource of an ece_deployment_info read runs: its ``running_version`` (what its instances
    run), else its plan's ``version`` (a stopped cluster runs nothing); None when neither is known."""
    cluster = cluster or {}
    return cluster.get('running_version') or cluster.get('version')


def trust_scope(entry, cluster_id):
    """How a deployment trust entry (``accounts`` or ``external``) trusts the cluster ``cluster_id``: ``'all'`` (trust_all),
    ``'allowlist'`` (its allowlist holds the cluster ID), or None (it does not)."""
    if entry.get('trust_all'):
        return 'all'
    if cluster_id and cluster_id in (entry.get('trust_allowlist') or []):
        return 'allowlist'
    return None


def split_address(address):
    """``'host:9400'`` -> ``('host', 9400)``; the port is None where the address has none or it is no number."""
    address = (address or '').strip()
    if ':' not in address:
        return address, None
    host, port = address.rsplit(':', 1)
    try:
        return host, int(port)
    except ValueError:
        return host, None
