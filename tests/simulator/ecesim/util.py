"""Small helpers shared by the simulator modules (ids, times, versions, ES value parsing)."""

from __future__ import annotations

import base64
import datetime
import json
import re
import secrets
import string
import time

_TOKEN_ALPHABET = string.ascii_letters + string.digits + '-_'


def new_hex32():
    """A random 32 lower-case hex id, the format of ECE deployment, cluster, environment and account ids."""
    return secrets.token_hex(16)


def new_token(length=20):
    """A random url-safe token (ES API key ids and secrets look like this)."""
    return ''.join(secrets.choice(_TOKEN_ALPHABET) for dummy in range(length))


def new_password(length=24):
    return ''.join(secrets.choice(string.ascii_letters + string.digits) for dummy in range(length))


def iso(ts=None):
    """ISO 8601 UTC with milliseconds, as ECE prints dates (e.g. 2024-01-02T03:04:05.678Z)."""
    if ts is None:
        ts = time.time()
    dt = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    return dt.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (dt.microsecond // 1000)


def epoch_ms(ts=None):
    return int((time.time() if ts is None else ts) * 1000)


def compact_json(obj):
    return json.dumps(obj, separators=(',', ':'), sort_keys=False)


def b64(text):
    return base64.b64encode(text.encode('utf-8')).decode('ascii')


_VERSION_RE = re.compile(r'^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$')


def parse_version(text):
    """'8.14.3' -> (8, 14, 3). Raises ValueError on anything else."""
    match = _VERSION_RE.match(str(text).strip())
    if not match:
        raise ValueError('invalid version [%s]' % text)
    return tuple(int(part) for part in match.groups())


def vstr(version):
    return '.'.join(str(part) for part in version)


_HEX32 = re.compile(r'^[0-9a-f]{32}$')


def is_hex32(value):
    return isinstance(value, str) and bool(_HEX32.match(value))


def simple_match(pattern, value):
    """Elasticsearch ``Regex.simpleMatch``: ``*`` matches any sequence, everything else is literal."""
    if pattern is None or value is None:
        return False
    if '*' not in pattern:
        return pattern == value
    regex = '^' + '.*'.join(re.escape(part) for part in pattern.split('*')) + '$'
    return re.match(regex, value, re.DOTALL) is not None


_TIME_RE = re.compile(r'^(-?\d+)(nanos|micros|ms|s|m|h|d)$')
_TIME_FACTORS = {'nanos': 1e-9, 'micros': 1e-6, 'ms': 1e-3, 's': 1, 'm': 60, 'h': 3600, 'd': 86400}


def parse_time_value(text):
    """Elasticsearch time value ('30s', '1d', '-1'); returns seconds; raises ValueError."""
    text = str(text).strip()
    if text in ('-1', '0'):
        return float(text)
    match = _TIME_RE.match(text)
    if not match:
        raise ValueError(text)
    return int(match.group(1)) * _TIME_FACTORS[match.group(2)]


def es_string(value):
    """How Elasticsearch stores a setting value: scalars become strings, lists keep their shape."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, list):
        return [es_string(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value)


def parse_es_bool(value):
    """Elasticsearch strict boolean parsing (``Booleans.parseBoolean``); '' (flag present) means true."""
    if value in ('', 'true'):
        return True
    if value == 'false':
        return False
    raise ValueError('Failed to parse value [%s] as only [true] or [false] are allowed.' % value)


def parse_ece_bool(value):
    if value == 'true':
        return True
    if value == 'false':
        return False
    raise ValueError("Invalid boolean value [%s], expected 'true' or 'false'" % value)


def deep_copy_json(obj):
    """Fast deep copy of JSON-like data (dict/list/scalars)."""
    if isinstance(obj, dict):
        return {key: deep_copy_json(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [deep_copy_json(value) for value in obj]
    return obj
