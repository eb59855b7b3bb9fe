"""``PUT/GET /_cluster/settings`` semantics of Elasticsearch, remote-cluster settings in particular.

Modelled traps (es-api.md sections 1-2):

* flat and nested keys are the same; values are stored and returned as strings, lists keep their shape;
* ``null`` deletes, a key ending in ``*`` with ``null`` deletes every stored key it matches;
* validation runs on the RESULTING settings, so one request can null the old mode's keys and set the new ones,
  but a mode-specific key left over from the other mode fails (``[required=SNIFF, configured=PROXY]``);
* ``skip_unavailable`` and ``transport.*`` need the alias to be enabled (seeds / proxy_address);
* proxy mode (``mode``, ``proxy_address``, ``server_name``, ...) does not exist below 7.6: ``not recognized``;
* ``credentials`` is a keystore-only secure setting: ``not dynamically updateable``;
* an alias must match ``[-A-Za-z0-9_]+``: ``cluster.remote.my.alias.seeds`` is ``not recognized``.
"""

from __future__ import annotations

import re

from .errors import illegal_argument, parse_exception, validation_failed
from .util import es_string, parse_time_value, simple_match

# suffix -> (kind, first version that knows it)
REMOTE_SETTINGS = {
    'seeds': ('addresses', (6, 5, 0)),
    'skip_unavailable': ('bool', (6, 1, 0)),
    'proxy': ('address', (6, 5, 0)),
    'transport.ping_schedule': ('time', (6, 5, 0)),
    'transport.compress': ('compress', (6, 5, 0)),
    'mode': ('mode', (7, 6, 0)),
    'proxy_address': ('address', (7, 6, 0)),
    'proxy_socket_connections': ('int1', (7, 6, 0)),
    'server_name': ('string', (7, 6, 0)),
    'node_connections': ('int1', (7, 6, 0)),
    'transport.compression_scheme': ('scheme', (7, 14, 0)),
    'credentials': ('secure', (8, 10, 0)),
}
LEGACY_SEARCH_REMOTE = ('seeds', 'skip_unavailable', 'proxy')
SNIFF_ONLY = ('seeds', 'node_connections', 'proxy')
PROXY_ONLY = ('proxy_address', 'proxy_socket_connections', 'server_name')
NEEDS_ENABLED = ('skip_unavailable', 'transport.ping_schedule', 'transport.compress', 'transport.compression_scheme')

STATIC_SETTINGS = {
    'cluster.remote.initial_connect_timeout', 'cluster.remote.node.attr', 'cluster.remote.connections_per_cluster',
    'node.name', 'node.roles', 'path.data', 'path.logs', 'network.host', 'http.port', 'transport.port', 'cluster.name',
    'xpack.security.enabled', 'remote_cluster_server.enabled', 'remote_cluster.port',
}
DYNAMIC_SETTINGS = {
    'cluster.routing.allocation.enable': ('enum', ('all', 'primaries', 'new_primaries', 'none')),
    'cluster.routing.rebalance.enable': ('enum', ('all', 'primaries', 'replicas', 'none')),
    'cluster.max_shards_per_node': ('int1', None),
    'action.auto_create_index': ('string', None),
    'action.destructive_requires_name': ('bool', None),
    'indices.recovery.max_bytes_per_sec': ('string', None),
    'xpack.monitoring.collection.enabled': ('bool', None),
    'search.default_search_timeout': ('time', None),
}
DYNAMIC_PREFIXES = ('logger.',)

_ALIAS_RE = re.compile(r'^([-\w]+)\.(.+)$', re.ASCII)


class SettingKey:
    """What a flat key means: a remote-cluster setting of an alias, a plain setting, or nothing (unknown)."""

    def __init__(self, key, kind, dynamic, alias=None, suffix=None, prefix=None):
        self.key = key
        self.kind = kind
        self.dynamic = dynamic
        self.alias = alias
        self.suffix = suffix
        self.prefix = prefix


def classify(key, vt):
    """The registered setting for ``key`` on version ``vt``, or None when ES does not know it."""
    if key in STATIC_SETTINGS or (key == 'cluster.remote.connect' and vt < (8, 0, 0)):
        return SettingKey(key, 'static', False)
    if key in DYNAMIC_SETTINGS:
        return SettingKey(key, DYNAMIC_SETTINGS[key][0], True)
    if key.startswith(DYNAMIC_PREFIXES) and len(key) > len('logger.'):
        return SettingKey(key, 'string', True)
    for prefix in ('cluster.remote.', 'search.remote.'):
        if not key.startswith(prefix):
            continue
        if prefix == 'search.remote.' and vt >= (8, 0, 0):
            return None
        match = _ALIAS_RE.match(key[len(prefix):])
        if not match:
            return None
        alias, suffix = match.groups()
        if prefix == 'search.remote.' and suffix not in LEGACY_SEARCH_REMOTE:
            return None
        entry = REMOTE_SETTINGS.get(suffix)
        if entry is None or vt < entry[1]:
            return None
        kind = entry[0]
        return SettingKey(key, kind, kind != 'secure', alias=alias, suffix=suffix, prefix=prefix)
    return None


def parse_port(address):
    """``RemoteConnectionStrategy.parsePort`` with its exact messages."""
    index = address.rfind(':')
    if index == -1 or index == len(address):
        raise illegal_argument('remote hosts need to be configured as [host:port], found [%s] instead' % address)
    try:
        port = int(address[index + 1:])
    except ValueError:
        raise illegal_argument('failed to parse port')
    if port <= 0:
        raise illegal_argument('port number must be > 0 but was: [%d]' % port)
    return port


def seed_list(value):
    """A list setting as ES reads it (a string is split on commas)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [item for item in value if item != '']
    return [part.strip() for part in str(value).split(',') if part.strip()]


def _check_value(info, key, value, vt):
    kind = info.kind
    scalar = value if not isinstance(value, list) else ','.join(value)
    if kind == 'addresses':
        for address in seed_list(value):
            parse_port(address)
    elif kind == 'address':
        if scalar != '':
            parse_port(scalar)
    elif kind == 'bool':
        if scalar not in ('true', 'false'):
            raise illegal_argument('Failed to parse value [%s] as only [true] or [false] are allowed.' % scalar)
    elif kind == 'int1':
        try:
            number = int(scalar)
        except ValueError:
            raise illegal_argument('Failed to parse value [%s] for setting [%s]' % (scalar, key))
        if number < 1:
            raise illegal_argument('Failed to parse value [%s] for setting [%s] must be >= 1' % (scalar, key))
    elif kind == 'time':
        try:
            parse_time_value(scalar)
        except ValueError:
            raise illegal_argument('failed to parse setting [%s] with value [%s] as a time value: unit is missing or unrecognized'
                                   % (key, scalar))
    elif kind == 'mode':
        if scalar.lower() not in ('sniff', 'proxy'):
            raise illegal_argument('No enum constant org.elasticsearch.transport.RemoteConnectionStrategy.ConnectionStrategy.%s'
                                   % scalar.upper())
    elif kind == 'compress':
        allowed = ('true', 'false', 'indexing_data') if vt >= (7, 14, 0) else ('true', 'false')
        if scalar.lower() not in allowed:
            if vt >= (7, 14, 0):
                raise illegal_argument('No enum constant org.elasticsearch.transport.Compression.Enabled.%s' % scalar.upper())
            raise illegal_argument('Failed to parse value [%s] as only [true] or [false] are allowed.' % scalar)
    elif kind == 'scheme':
        if scalar.lower() not in ('deflate', 'lz4'):
            raise illegal_argument('No enum constant org.elasticsearch.transport.Compression.Scheme.%s' % scalar.upper())
    elif kind == 'enum':
        allowed = DYNAMIC_SETTINGS[key][1]
        if scalar.lower() not in allowed:
            raise illegal_argument('No enum constant for setting [%s] value [%s]' % (key, scalar))


def flatten(obj, prefix=''):
    """Flatten a nested settings map into dotted keys; scalars become ES strings, ``None`` stays (delete)."""
    flat = {}
    if not isinstance(obj, dict):
        raise parse_exception('settings must be an object')
    for key, value in obj.items():
        full = prefix + key if not prefix else prefix + '.' + key
        if isinstance(value, dict):
            if not value:
                continue
            flat.update(flatten(value, full))
        elif value is None:
            flat[full] = None
        elif isinstance(value, list):
            if any(isinstance(item, (dict, list)) for item in value):
                raise illegal_argument('failed to parse setting [%s]: only arrays of values are supported' % full)
            flat[full] = [es_string(item) for item in value if item is not None]
        else:
            flat[full] = es_string(value)
    return flat


def nest(flat):
    """Nested rendering of flat settings (GET without ``flat_settings``)."""
    result = {}
    for key in sorted(flat):
        parts = key.split('.')
        node = result
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = flat[key]
    return result


def _upgrade_legacy(key, vt):
    """7.x rewrites ``search.remote.*`` to ``cluster.remote.*`` (settings upgrader)."""
    if (7, 0, 0) <= vt < (8, 0, 0) and key.startswith('search.remote.'):
        return 'cluster.remote.' + key[len('search.remote.'):]
    return key


def apply_scope(scope, current, updates, vt):
    """``AbstractScopedSettings.updateSettings`` for one scope; returns (new settings, applied keys)."""
    new = dict(current)
    applied = {}
    to_remove = []
    for key in updates:
        value = updates[key]
        key = _upgrade_legacy(key, vt)
        is_delete = value is None
        info = classify(key, vt)
        if is_delete and ((info is not None and info.dynamic) or key.endswith('*')):
            to_remove.append(key)
        elif info is None:
            raise illegal_argument('%s setting [%s], not recognized' % (scope, key))
        elif not is_delete and info.dynamic:
            _check_value(info, key, value, vt)
            new[key] = value
            applied[key] = value
        else:
            raise illegal_argument('%s setting [%s], not dynamically updateable' % (scope, key))
    # deletes are applied after the updates, like ES ``applyDeletes``: a wildcard null in the same request
    # also removes keys this very request set (send explicit nulls instead when replacing an alias)
    for pattern in to_remove:
        for stored in [stored for stored in new if simple_match(pattern, stored)]:
            del new[stored]
            applied.pop(stored, None)
    return new, applied


def alias_groups(settings, vt=None):
    """{(prefix, alias): {suffix: value}} of the remote-cluster settings in a flat map."""
    groups = {}
    for key, value in settings.items():
        for prefix in ('cluster.remote.', 'search.remote.'):
            if key.startswith(prefix):
                match = _ALIAS_RE.match(key[len(prefix):])
                if match and match.group(2) in REMOTE_SETTINGS:
                    groups.setdefault((prefix, match.group(1)), {})[match.group(2)] = value
    return groups


def effective_mode(group, vt):
    if vt < (7, 6, 0):
        return 'sniff'
    return str(group.get('mode', 'sniff')).lower()


def is_enabled(group, vt):
    """An alias exists when its enablement setting is non-empty (seeds in sniff, proxy_address in proxy)."""
    if effective_mode(group, vt) == 'proxy':
        return bool(group.get('proxy_address'))
    return bool(seed_list(group.get('seeds')))


def validate_dependencies(settings, vt):
    """Validation of the resulting settings (mode-specific keys, 'remote cluster is not enabled')."""
    groups = alias_groups(settings, vt)
    for (prefix, alias) in sorted(groups):
        group = groups[(prefix, alias)]
        mode = effective_mode(group, vt)
        base = prefix + alias + '.'
        for suffix in sorted(group):
            if vt >= (7, 6, 0):
                if suffix in SNIFF_ONLY and mode != 'sniff':
                    raise illegal_argument('Setting "%s%s" cannot be used with the configured "%smode" [required=SNIFF, configured=%s]'
                                           % (base, suffix, base, mode.upper()))
                if suffix in PROXY_ONLY and mode != 'proxy':
                    raise illegal_argument('Setting "%s%s" cannot be used with the configured "%smode" [required=PROXY, configured=%s]'
                                           % (base, suffix, base, mode.upper()))
            if suffix in NEEDS_ENABLED and not is_enabled(group, vt):
                if vt >= (7, 7, 0):
                    raise illegal_argument('Cannot configure setting [%s%s] if remote cluster is not enabled.' % (base, suffix))
                raise illegal_argument('missing required setting [%sseeds] for setting [%s%s]' % (base, base, suffix))


def update_settings(es, body):
    """Apply a ``PUT /_cluster/settings`` body to a cluster; returns (persistent applied, transient applied)."""
    if body is None:
        raise parse_exception('request body is required')
    if not isinstance(body, dict):
        raise parse_exception('request body must be an object')
    persistent_updates = flatten(body.get('persistent') or {})
    transient_updates = flatten(body.get('transient') or {})
    if not persistent_updates and not transient_updates:
        raise validation_failed('no settings to update')
    vt = es.vt
    new_transient, applied_transient = apply_scope('transient', es.transient, transient_updates, vt)
    new_persistent, applied_persistent = apply_scope('persistent', es.persistent, persistent_updates, vt)
    validate_dependencies(new_transient, vt)
    validate_dependencies(new_persistent, vt)
    merged = dict(new_persistent)
    merged.update(new_transient)
    validate_dependencies(merged, vt)
    es.persistent = new_persistent
    es.transient = new_transient
    return applied_persistent, applied_transient


def effective_settings(es):
    merged = dict(es.persistent)
    merged.update(es.transient)
    return merged


def defaults(es):
    """A small ``include_defaults`` section, with affix defaults for every configured alias (as ES does)."""
    vt = es.vt
    result = {
        'cluster.remote.connections_per_cluster': '3',
        'cluster.remote.initial_connect_timeout': '30s',
        'cluster.remote.node.attr': '',
        'cluster.routing.allocation.enable': 'all',
        'cluster.max_shards_per_node': '1000',
        'action.destructive_requires_name': 'true' if vt >= (8, 0, 0) else 'false',
    }
    merged = effective_settings(es)
    for (prefix, alias), group in alias_groups(merged, vt).items():
        base = prefix + alias + '.'
        alias_defaults = {'skip_unavailable': 'true' if vt >= (8, 15, 0) else 'false', 'seeds': [], 'proxy': ''}
        if vt >= (7, 6, 0) and prefix == 'cluster.remote.':
            alias_defaults.update({'mode': 'SNIFF', 'node_connections': '3', 'proxy_address': '',
                                   'proxy_socket_connections': '18', 'server_name': ''})
        for suffix, value in alias_defaults.items():
            if suffix not in group:
                result[base + suffix] = value
    return result
