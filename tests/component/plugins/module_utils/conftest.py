# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real, scriptable HTTPS server on 127.0.0.1 and a throw-away PKI for the client tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


# -- PKI ---------------------------------------------------------------------------------------
def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, subject_key, issuer, issuer_key, ca, san=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer)
               .public_key(subject_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1))
               .not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                                      data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                                      crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = (builder
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                   .add_extension(x509.SubjectAlternativeName(san), critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM).decode('ascii')


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode('ascii')


class Pki:
    """Paths and PEM texts of a CA, a server certificate it signed, and an unrelated CA."""

    def __init__(self, directory):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = _certificate(_name('test CA'), ca_key, _name('test CA'), ca_key, ca=True)
        other_key = ec.generate_private_key(ec.SECP256R1())
        other_cert = _certificate(_name('unrelated CA'), other_key, _name('unrelated CA'), other_key, ca=True)
        server_key = ec.generate_private_key(ec.SECP256R1())
        san = [x509.IPAddress(ipaddress.ip_address('127.0.0.1')), x509.DNSName('localhost')]
        server_cert = _certificate(_name('127.0.0.1'), server_key, _name('test CA'), ca_key, ca=False, san=san)

        self.ca_pem = _pem(ca_cert)
        self.other_ca_pem = _pem(other_cert)
        self.server_key_pem = _key_pem(server_key)
        self.ca_path = str(directory / 'ca.pem')
        self.other_ca_path = str(directory / 'other_ca.pem')
        self.server_cert_path = str(directory / 'server.pem')
        self.server_key_path = str(directory / 'server.key')
        for path, text in ((self.ca_path, self.ca_pem), (self.other_ca_path, self.other_ca_pem),
                           (self.server_cert_path, _pem(server_cert)), (self.server_key_path, self.server_key_pem)):
            with open(path, 'w') as handle:
                handle.write(text)


@pytest.fixture(scope='session')
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp('pki'))


# -- server ------------------------------------------------------------------------------------
class Reply:
    """One canned answer: a status with headers and a body (dict/list -> JSON, str -> text, callable(request) -> either).

    ``drop=True`` closes the connection without answering; ``delay`` waits that many seconds first.
    """

    def __init__(self, status=200, body=None, headers=None, drop=False, delay=0.0):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.drop = drop
        self.delay = delay


class Recorded:
    """One request as the server saw it."""

    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return 'Recorded(%s %s %r)' % (self.method, self.path, self.query)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall between them

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _handle(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length).decode('utf-8') if length else ''
        url = urlsplit(self.path)
        record = Recorded(self.command, url.path, dict((k, v[0]) for k, v in parse_qs(url.query).items()),
                          dict((k.lower(), v) for k, v in self.headers.items()), body)
        reply = self.server.script.take(record)
        if reply.delay:
            self.server.script.released.wait(reply.delay)
        if reply.drop or self.server.script.released.is_set():
            self.close_connection = True
            return
        payload = reply.body(record) if callable(reply.body) else reply.body
        if payload is None:
            data, content_type = b'', None
        elif isinstance(payload, str):
            data, content_type = payload.encode('utf-8'), 'text/plain; charset=utf-8'
        else:
            data, content_type = json.dumps(payload).encode('utf-8'), 'application/json'
        self.send_response(reply.status)
        if content_type:
            self.send_header('Content-Type', content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _handle


class Script:
    """The replies to give, in order, and the requests received."""

    def __init__(self):
        self.replies = []
        self.default = None
        self.requests = []
        self.released = threading.Event()
        self._lock = threading.Lock()

    def take(self, record):
        with self._lock:
            self.requests.append(record)
            if self.replies:
                return self.replies.pop(0)
        if self.default is not None:
            return self.default
        return Reply(599, {'test_server': 'no reply scripted for %s %s' % (record.method, record.path)})


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # handshakes refused by the client and writes to timed-out sockets are expected here


class HttpsServer:
    """``ThreadingHTTPServer`` on 127.0.0.1 (port 0), TLS, in a daemon thread."""

    def __init__(self, pki):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki.server_cert_path, pki.server_key_path)
        self.script = Script()
        self._server = _TlsServer(('127.0.0.1', 0), _Handler)
        # the handshake runs on first read, in the request's own thread, not in the accept loop
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)
        self._server.script = self.script
        self.url = 'https://127.0.0.1:%d' % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.01})
        self._thread.daemon = True
        self._thread.start()

    def reply(self, *replies):
        """Queue replies: an int (a status with an empty JSON object), ``'drop'``, or a dict of ``Reply`` arguments."""
        for item in replies:
            if item == 'drop':
                item = Reply(drop=True)
            elif isinstance(item, int):
                item = Reply(item, {})
            else:
                item = Reply(**item)
            self.script.replies.append(item)
        return self

    def reply_always(self, **kwargs):
        """The reply to give once the queue is empty (instead of an HTTP 599 'no reply scripted')."""
        self.script.default = Reply(**kwargs)

    @property
    def requests(self):
        return list(self.script.requests)

    def stop(self):
        self.script.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@pytest.fixture
def server(pki):
    instance = HttpsServer(pki)
    yield instance
    instance.stop()


class FakeSleep:
    """Records the delays asked for instead of sleeping."""

    def __init__(self):
        self.delays = []

    def __call__(self, seconds):
        self.delays.append(seconds)


@pytest.fixture
def fake_sleep():
    return FakeSleep()


@pytest.fixture
def make_client(pki, server):
    """``make_client(cls, **kwargs)``: a client of ``server`` that trusts the test CA; fast retries; warnings collected."""
    clients = []

    def factory(cls, **kwargs):
        warnings = []
        options = dict(api_key='test-key', ca_path=pki.ca_path, request_timeout=5.0, retries=2, retry_backoff=0.01,
                       warn=warnings.append)
        options.update(kwargs)
        client = cls(kwargs.pop('base_url', server.url), **dict((k, v) for k, v in options.items() if k != 'base_url'))
        client.test_warnings = warnings
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
