# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP transport shared by the ECE and the Elasticsearch client.

Private to this collection: the API may change without notice.

One ``requests.Session`` per client (keep-alive), ``verify`` passed on every request (a
``REQUESTS_CA_BUNDLE`` in the environment would otherwise override a session-level ``verify``),
jittered exponential backoff on connection errors, 429, 502, 503 and 504 honouring ``Retry-After``,
never a retry of another 4xx, and error messages that never carry a credential. A client of a check-mode run refuses
every write (a safety net: ``run_manager`` calls no write in check mode); reads may be kept for the next step of a link
(``keep_reads``); a write that is not idempotent is sent once (``write_once``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import copy
import email.utils
import json
import os
import random
import threading
import time
import traceback

from ansible_collections.ece.remote_clusters.plugins.module_utils._common import COLLECTION, redact
from ansible_collections.ece.remote_clusters.plugins.module_utils._progress import report

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

RETRY_STATUSES = frozenset((429, 502, 503, 504))
# answers that may come after the server did the work (a gateway that gave up waiting): a write that is not idempotent
# is not retried on them; its caller reads first, then decides (``ApiError.ambiguous``)
AMBIGUOUS_STATUSES = frozenset((500, 502, 503, 504))
WRITE_METHODS = frozenset(('POST', 'PUT', 'PATCH', 'DELETE'))
# Retry-After can ask for a long pause; never sleep longer than this per retry.
MAX_RETRY_AFTER = 60.0
# a pause (retry, poll) sleeps in slices this long, and ends early once the module is interrupted
PAUSE_SLICE = 0.1


class Interrupt:
    """Why the module process must send nothing more: set by the signal handlers that ``run_module`` installs."""

    signal_name = None  # SIGINT, SIGTERM or SIGHUP received
    parent_pid = None   # the parent process when the module started: once it is gone, nothing more is sent
    # the nearest ancestor that is no shell (Ansible starts a module through "/bin/sh -c", whose shell outlives
    # ansible-playbook), an Ansible worker process: (pid, start time, its parent's pid); once it or its parent
    # (ansible-playbook) is gone, nothing more is sent either
    starter = None

    @classmethod
    def watch(cls):
        cls.signal_name = None
        cls.parent_pid = os.getppid()
        cls.starter = None
        pid = cls.parent_pid
        for dummy in range(4):
            stat = _proc_stat(pid)
            if stat is None:  # no /proc (not Linux): the parent alone is watched
                return
            if stat[0] not in SHELLS:
                cls.starter = (pid, stat[2], stat[1])
                return
            pid = stat[1]

    @classmethod
    def reason(cls):
        if cls.signal_name:
            return 'it received %s' % cls.signal_name
        if cls.parent_pid is not None and os.getppid() != cls.parent_pid:
            return 'the process that started it (pid %d) ended' % cls.parent_pid
        if cls.starter is not None:
            stat = _proc_stat(cls.starter[0])
            if stat is None or stat[2] != cls.starter[1] or stat[3] == 'Z':
                return 'the process that started it (pid %d) ended' % cls.starter[0]
            if stat[1] != cls.starter[2]:
                return 'the parent (pid %d) of the process that started it ended' % cls.starter[2]
        return None


SHELLS = frozenset(('sh', 'bash', 'dash', 'ash', 'zsh', 'ksh'))


def _proc_stat(pid):
    """``(command name, parent pid, start time, state)`` of a process from /proc, or None (gone, or no /proc)."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            text = handle.read()
    except (IOError, OSError):
        return None
    name, rest = text[text.index('(') + 1:text.rindex(')')], text[text.rindex(')') + 2:].split()
    return name, int(rest[1]), rest[19], rest[0]


class Interrupted(Exception):
    """The module was interrupted (signal, or its parent process gone) before a request: that request was not sent."""


class ApiError(Exception):
    """A failed API call, already phrased for a user: one line, no credential."""

    def __init__(self, message, status=None, error=None, operation=None, ambiguous=False):
        super(ApiError, self).__init__(message)
        self.message = message
        self.status = status
        self.error = error
        self.operation = operation
        # a write that is not idempotent may have been done although it failed (timeout, broken connection or gateway
        # error after sending): read before sending it again
        self.ambiguous = ambiguous


class CheckModeWriteError(Exception):
    """Raised when code would send a write in check mode: a bug, never a user error."""


class _NoGate:
    """The gate of a client that is not bounded: lets every request through."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


_NO_GATE = _NoGate()


class ApiClient:
    """Base HTTP client. Subclasses know the API's paths and error format."""

    api_name = 'API'
    option_prefix = ''  # of the connection options: ece_ or es_

    def __init__(self, base_url, api_key=None, username=None, password=None, validate_certs=True,
                 ca_path=None, request_timeout=30.0, retries=3, retry_backoff=1.0, read_only=False,
                 warn=None, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise ImportError('requests is required')  # the module checks first with missing_required_lib
        self.base_url = base_url.rstrip('/')
        self.verify = (ca_path or True) if validate_certs else False
        self.timeout = request_timeout
        self.retries = max(0, int(retries))
        self.retry_backoff = max(0.0, float(retry_backoff))
        self.read_only = read_only
        self.warn = warn or (lambda message: None)
        self._sleep = sleep
        self.requests_sent = 0
        self.writes_sent = 0
        self._thread = threading.local()  # the writes of each thread: of one manager, on a client that links share
        self._secrets = [s for s in (api_key, password) if s]
        # the options of the credentials, named in the message of an answer that refuses them (HTTP 401)
        self.credential_options = ('api_key',) if api_key else ('username', 'password')
        # a name of the environment, for messages (a rollout names them; a module knows only the URL)
        self.environment_name = None
        self._reads = None
        self._read_locks = {}
        self._writes_forgotten = 0  # writes whose reads were forgotten: a read that spans one is not kept
        self._lock = threading.Lock()
        # a semaphore shared by the clients of one environment in a rollout: at most so many requests at a time
        self.gate = None
        self.session = requests.Session()
        self.session.trust_env = False  # no .netrc auth and no environment CA bundle behind our back
        self.session.headers.update({'Accept': 'application/json', 'Content-Type': 'application/json',
                                     'User-Agent': COLLECTION})
        if api_key:
            self.session.headers['Authorization'] = 'ApiKey %s' % api_key
        elif username:
            token = base64.b64encode(('%s:%s' % (username, password or '')).encode('utf-8')).decode('ascii')
            self.session.headers['Authorization'] = 'Basic %s' % token
            self._secrets.append(token)

    # -- interrupts --------------------------------------------------------------------------
    def check_interrupt(self, what):
        """Raise :class:`Interrupted` when the module was interrupted; ``what`` names what is then not done."""
        reason = Interrupt.reason()
        if reason:
            raise Interrupted('interrupted: %s, so %s' % (reason, what))

    def sleep(self, seconds, what='nothing more was sent', waiting=None):
        """Pause ``seconds`` (a retry, a poll), ending early with :class:`Interrupted` once the module is interrupted.

        ``waiting``: for the poll of a wait, ``(what is awaited, deadline as time.monotonic(), limit in seconds)``,
        told to the action plugin of remote_cluster_link or remote_clusters_rollout, which shows it while the module runs
        (never a credential)."""
        self.check_interrupt(what)
        if waiting:
            report(waiting[0], waiting[1], waiting[2], seconds)
        if self._sleep is not time.sleep:  # a test's clock: one call
            self._sleep(seconds)
        else:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                time.sleep(max(0.0, min(PAUSE_SLICE, deadline - time.monotonic())))
                self.check_interrupt(what)
        self.check_interrupt(what)

    # -- secrets -----------------------------------------------------------------------------
    def add_secret(self, value):
        """Register a value that must never appear in a message (e.g. a key the API returned)."""
        if value and value not in self._secrets:
            self._secrets.append(value)

    def redact(self, text):
        """``text`` without any credential of this client or value registered with :meth:`add_secret`."""
        return redact(text, self._secrets)

    # -- requests ----------------------------------------------------------------------------
    def url(self, path):
        return self.base_url + path

    def thread_writes(self):
        """The writes this thread sent over the client."""
        return getattr(self._thread, 'writes', 0)

    def keep_reads(self):
        """Answer a GET that passes ``reuse=True`` from an identical earlier one, until a write to that resource.

        For a module that applies several steps over one client (``remote_cluster_link``, ``remote_clusters_rollout``): each step
        reads the object it manages, and the next step does not read it again when nothing was
        written to it in between. A write forgets the reads of its path, of the paths below it and of
        the paths above it (a keystore update forgets the deployment). Polls never pass ``reuse``.
        """
        self._reads = {}

    def request(self, method, path, operation, params=None, body=None, expected=(200,), headers=None,
                allow_status=(), write=None, reuse=False, timeout=None):
        """Send one request, with retries, and return ``(status, json_body, response_headers)``.

        ``write`` defaults to the method being POST/PUT/PATCH/DELETE; read-only POSTs (searches)
        pass ``write=False``. Writes are refused in check mode, and writes that are not idempotent
        (POST) are not retried after a connection broke, since the server may have acted on them.
        ``reuse``: see :meth:`keep_reads`. ``timeout``: seconds for this request alone, sent once, never retried (a
        probe within a wait); the client's ``request_timeout`` and ``retries`` otherwise.
        """
        method = method.upper()
        if write is None:
            write = method in WRITE_METHODS
        if timeout is not None:
            return self._send(method, path, operation, params, body, expected, headers, allow_status, write, timeout)
        if self._reads is None or method != 'GET':
            if not write or self._reads is None:
                return self._send(method, path, operation, params, body, expected, headers, allow_status, write)
            self._forget(path)
            try:
                return self._send(method, path, operation, params, body, expected, headers, allow_status, write)
            finally:
                self._forget(path)  # also what another thread read while the write was under way
        key = (path, tuple(sorted((params or {}).items())))
        if not reuse:
            return copy.deepcopy(self._keep(key, path, operation, params, expected, headers, allow_status))
        with self._lock:
            lock = self._read_locks.setdefault(key, threading.Lock())
        with lock:  # threads that share this client (the links of a rollout) read one resource once
            answer = self._reads.get(key)
            if answer is None:
                answer = self._keep(key, path, operation, params, expected, headers, allow_status)
            return copy.deepcopy(answer)

    def _keep(self, key, path, operation, params, expected, headers, allow_status):
        """Read, and keep the answer unless a write was sent over this client meanwhile (it may predate that write)."""
        writes = self._writes_forgotten
        answer = self._send('GET', path, operation, params, None, expected, headers, allow_status, False)
        with self._lock:
            if self._writes_forgotten == writes:
                self._reads[key] = answer
        return answer

    def _forget(self, path):
        """Forget the reads of a written resource, of its parts and of what it is part of."""
        with self._lock:
            self._writes_forgotten += 1
            for key in [k for k in self._reads if k[0].startswith(path) or path.startswith(k[0])]:
                del self._reads[key]

    def _send(self, method, path, operation, params, body, expected, headers, allow_status, write, timeout=None):
        if write and self.read_only:
            raise CheckModeWriteError('%s would send %s %s in check mode' % (operation, method, path))
        retry_broken_connection = not (write and method == 'POST')
        retries, option = (self.retries, ' (request_timeout)') if timeout is None else (0, '')
        timeout = self.timeout if timeout is None else timeout
        data = json.dumps(body, separators=(',', ':')) if body is not None else None
        attempt = 0
        while True:
            self.check_interrupt('%s was not sent (%s %s)%s' % (operation, method, self.url(path), _attempts(attempt)))
            self.requests_sent += 1
            if write:
                self.writes_sent += 1
                self._thread.writes = self.thread_writes() + 1
            try:
                with self.gate or _NO_GATE:
                    response = self.session.request(method, self.url(path), params=params, data=data, headers=headers,
                                                    timeout=timeout, verify=self.verify)
            except requests.exceptions.SSLError as exc:
                raise ApiError(self.redact('%s failed: TLS verification of %s failed (%s). Set ca_path to the CA bundle that '
                                           'signed the %s certificate, or validate_certs: false to skip verification '
                                           '(not recommended).' % (operation, self.base_url, _short_reason(exc), self.api_name)),
                               operation=operation)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                is_timeout = isinstance(exc, requests.exceptions.Timeout)
                reason = ('no answer within %gs%s' % (round(timeout, 1), option)) if is_timeout else _short_reason(exc)
                connect_phase = isinstance(exc, requests.exceptions.ConnectTimeout) or _is_connect_refused(exc)
                if attempt < retries and (retry_broken_connection or connect_phase):
                    attempt += 1
                    self.pause(attempt, None, operation, reason)
                    continue
                not_retried = ''
                if not (retry_broken_connection or connect_phase):
                    not_retried = ('; a %s is not retried once it may have reached the server, which may have acted on it: '
                                   'run the task again, it reads the current state before it writes' % method)
                raise ApiError(self.redact('%s failed: %s %s: %s%s%s' % (
                    operation, method, self.url(path), reason, _attempts(attempt), not_retried)), operation=operation,
                    ambiguous=not (retry_broken_connection or connect_phase))
            except (requests.exceptions.RequestException, OSError) as exc:  # a missing ca_path file, a URL without https://
                raise ApiError(self.redact('%s failed: %s %s: %s' % (operation, method, self.url(path), _short_reason(exc))),
                               operation=operation)
            status = response.status_code
            # 429 means not done; a gateway error after a POST may come after the work was done: not retried blindly
            retry_status = status in RETRY_STATUSES and (retry_broken_connection or status == 429)
            if retry_status and attempt < retries:
                attempt += 1
                self.pause(attempt, response.headers.get('Retry-After'), operation, 'HTTP %s' % status)
                continue
            payload = _json_or_text(response)
            if status in expected or status in allow_status:
                return status, payload, response.headers
            code, text = self.parse_error(payload)
            detail = ': '.join(part for part in (code, text) if part) or (response.reason or 'no error text')
            if status == 401:
                detail += '. %s' % self.refusal()
            raise ApiError(self.redact('%s failed: HTTP %s: %s%s' % (operation, status, detail, _attempts(attempt))),
                           status=status, error=_redact_obj(self, payload), operation=operation,
                           ambiguous=not retry_broken_connection and status in AMBIGUOUS_STATUSES)

    def refusal(self):
        """What an answer HTTP 401 means, in words: who refused the credentials, and which options to fix."""
        prefix = self.option_prefix
        if self.credential_options == ('api_key',):
            fix = 'check %sapi_key (or give %susername and %spassword instead)' % (prefix, prefix, prefix)
        else:
            fix = 'check %susername and %spassword (or give %sapi_key instead)' % (prefix, prefix, prefix)
        who = 'the %s at %s' % (self.api_name, self.base_url)
        if self.environment_name:
            who = 'environment %s (%s)' % (self.environment_name, who)
        return '%s refused the credentials: %s' % (who, fix)

    def pause(self, attempt, retry_after, operation, reason, budget=None):
        """Warn and wait before attempt ``attempt`` of ``budget`` (``retries``): the backoff with jitter, at least what
        the server asked for with Retry-After."""
        delay = self.retry_backoff * (2 ** (attempt - 1))
        delay = random.uniform(delay / 2.0, delay)  # jitter: spread the retries of many hosts
        server_wait = _parse_retry_after(retry_after)
        if server_wait is not None:
            delay = max(delay, min(server_wait, MAX_RETRY_AFTER))
        self.warn('%s: %s, retry %d of %d in %.1fs' % (operation, reason, attempt, budget or self.retries, delay))
        self.sleep(delay, 'retry %d of %s was not sent' % (attempt, operation))

    def write_once(self, operation, send, done):
        """Send a write that is not idempotent (create a key or a relationship, start a restart) so that it is done once.

        The transport never retries such a write after an answer that may come after the server did the work (a timeout,
        a broken connection, HTTP 500/502/503/504: ``ApiError.ambiguous``). Here, after such an answer and the usual
        pause of a retry, ``done()`` reads whether the work was done: when it returns something, that is the result; when
        it returns None, the write is sent again, within the ``retries`` budget.
        """
        attempt = 0
        while True:
            try:
                return send()
            except ApiError as exc:
                if not exc.ambiguous or attempt >= self.retries:
                    if attempt:
                        raise ApiError('%s%s; before each retry it was read back as not done' % (exc.message, _attempts(attempt)),
                                       status=exc.status, error=exc.error, operation=exc.operation)
                    raise
                attempt += 1
                self.pause(attempt, None, operation, '%s, read back before it is sent again' % _reason(exc))
                found = done()
                if found is not None:
                    self.warn('%s: read back after %s: it was done, so it is not sent again' % (operation, _reason(exc)))
                    return found

    def parse_error(self, payload):  # pragma: no cover - overridden
        return None, payload if isinstance(payload, str) else json.dumps(payload)

    def close(self):
        self.session.close()


def _reason(exc):
    """What an ambiguous failure was, for a warning: the HTTP status, or the broken connection's message."""
    return 'HTTP %s' % exc.status if exc.status else exc.message


def _attempts(attempt):
    return ' (after %d retries)' % attempt if attempt else ''


def _json_or_text(response):
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def _redact_obj(client, obj):
    # on the values themselves: in json.dumps text a secret with '"', '\\' or non-ASCII is escaped and not found
    if isinstance(obj, dict):
        return dict((client.redact(k), _redact_obj(client, v)) for k, v in obj.items())
    if isinstance(obj, list):
        return [_redact_obj(client, v) for v in obj]
    return client.redact(obj)


def _parse_retry_after(value):
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _short_reason(exc):
    """The innermost reason of a requests/urllib3 error, without the retry-pool noise."""
    text = str(exc)
    for marker in ('Caused by ', '(Caused by '):
        if marker in text:
            text = text.split(marker, 1)[1].rstrip(')')
    if 'CERTIFICATE_VERIFY_FAILED' in text:
        start = text.find('certificate verify failed')
        return text[start:].split("'")[0].split(' (_ssl.c:')[0].rstrip(' )(') if start >= 0 else 'certificate verify failed'
    return text[:300]


def _is_connect_refused(exc):
    text = str(exc)
    return 'Connection refused' in text or 'NewConnectionError' in text or 'Failed to establish a new connection' in text
