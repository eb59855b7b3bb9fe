"""HTTP/1.1 plumbing: many listening sockets (one per ECE environment and per Elasticsearch cluster,
plus the admin API), one acceptor thread using a selector, one thread per connection, keep-alive.

TLS handshakes run in the connection thread, so a slow or broken client never blocks the acceptor.
"""

from __future__ import annotations

import http.server
import json
import selectors
import socket
import ssl
import threading
import time
from urllib.parse import parse_qs, urlsplit

REASONS = {code: phrase for code, (phrase, dummy) in http.server.BaseHTTPRequestHandler.responses.items()}


class Request:
    """A parsed request. ``query`` holds the last value of each parameter, ``query_lists`` all of them."""

    def __init__(self, method, target, headers, body, client):
        self.method = method
        parts = urlsplit(target)
        self.path = parts.path or '/'
        self.raw_query = parts.query
        self.query_lists = parse_qs(parts.query, keep_blank_values=True)
        self.query = {key: values[-1] for key, values in self.query_lists.items()}
        self.headers = headers
        self.body = body
        self.client = client
        self.has_body = bool(body and body.strip())
        self.json = None
        self.json_error = None
        if self.has_body:
            try:
                self.json = json.loads(body.decode('utf-8'))
            except (ValueError, UnicodeDecodeError) as exc:
                self.json_error = str(exc)

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def logged_body(self):
        if not self.has_body:
            return None
        if self.json_error is None:
            return self.json
        return self.body.decode('utf-8', 'replace')


class Response:
    """A response; ``body`` is JSON-serialised unless it is bytes. ``drop`` closes the connection without answering."""

    def __init__(self, status=200, body=None, headers=None, drop=False, spec_violation=None, fault=None, pretty=False):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.drop = drop
        self.spec_violation = spec_violation
        self.fault = fault
        self.pretty = pretty

    def payload(self):
        if self.body is None:
            return b''
        if isinstance(self.body, bytes):
            return self.body
        if self.pretty:
            return (json.dumps(self.body, indent=2) + '\n').encode('utf-8')
        return json.dumps(self.body, separators=(',', ':')).encode('utf-8')


class _ServerStub:
    """What ``BaseHTTPRequestHandler`` expects as ``server``."""

    def __init__(self, core, listener):
        self.core = core
        self.listener = listener


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'ecesim'
    sys_version = ''
    disable_nagle_algorithm = True
    timeout = 300

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return

    def _read_body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b';', 1)[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b'\r\n', b'\n', b''):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b''.join(chunks)
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def _dispatch(self):
        listener = self.server.listener
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        request = Request(self.command, self.path, self.headers, body, self.client_address)
        response = self.server.core.app.handle(listener.context, request)
        if response.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        payload = response.payload()
        headers = response.headers
        lines = ['HTTP/1.1 %d %s' % (response.status, REASONS.get(response.status, 'Unknown'))]
        if payload or 'Content-Type' not in headers:
            headers.setdefault('Content-Type', 'application/json')
        if response.status == 204 or response.status == 304:
            payload = b''
        headers['Content-Length'] = str(len(payload))
        if self.close_connection or self.headers.get('Connection', '').lower() == 'close':
            headers['Connection'] = 'close'
            self.close_connection = True
        for name, value in headers.items():
            lines.append('%s: %s' % (name, value))
        head = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')
        if self.command == 'HEAD':
            payload = b''
        self.wfile.write(head + payload)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch


class Listener:
    def __init__(self, context, sock, ssl_context):
        self.context = context
        self.sock = sock
        self.ssl_context = ssl_context
        self.port = sock.getsockname()[1]


class ServerCore:
    """Owns the listening sockets, the acceptor thread and the live connections."""

    def __init__(self, app, host='127.0.0.1'):
        self.app = app
        self.host = host
        self.listeners = []
        self.selector = selectors.DefaultSelector()
        self.connections = set()
        self.conn_lock = threading.Lock()
        self.thread = None
        self.running = False

    def listen(self, context, ssl_context=None, port=0):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, port))
        sock.listen(128)
        sock.setblocking(False)
        listener = Listener(context, sock, ssl_context)
        self.listeners.append(listener)
        self.selector.register(sock, selectors.EVENT_READ, listener)
        return listener

    def start(self):
        self.running = True
        self.thread = threading.Thread(target=self._accept_loop, name='ecesim-acceptor', daemon=True)
        self.thread.start()

    def _accept_loop(self):
        while self.running:
            try:
                events = self.selector.select(timeout=0.2)
            except (OSError, ValueError):
                if not self.running:
                    return
                time.sleep(0.05)
                continue
            for key, dummy in events:
                listener = key.data
                try:
                    conn, addr = listener.sock.accept()
                except (BlockingIOError, OSError):
                    continue
                conn.setblocking(True)
                thread = threading.Thread(target=self._serve, args=(conn, addr, listener), daemon=True)
                thread.start()

    def _serve(self, conn, addr, listener):
        raw = conn
        with self.conn_lock:
            self.connections.add(conn)
        try:
            if listener.ssl_context is not None:
                conn.settimeout(30)
                try:
                    conn = listener.ssl_context.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError):
                    return
                with self.conn_lock:
                    self.connections.add(conn)
            _Handler(conn, addr, _ServerStub(self, listener))
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            with self.conn_lock:
                self.connections.discard(conn)
                self.connections.discard(raw)
            try:
                conn.close()
            except OSError:
                pass

    def stop(self):
        self.running = False
        for listener in self.listeners:
            try:
                self.selector.unregister(listener.sock)
            except (KeyError, ValueError):
                pass
            listener.sock.close()
        if self.thread is not None:
            self.thread.join(timeout=2)
        with self.conn_lock:
            connections = list(self.connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                conn.close()
            except OSError:
                pass
        self.selector.close()
