"""Scenario files: which ECE environments and deployments the simulator serves.

Format (YAML)::

    plan_seconds: 1.0        # how long a plan (update, restart) stays pending
    plans_enabled: true      # does PUT /deployments/{id} start a plan attempt
    latency_ms: 0            # added to every simulated request
    plan_start_delay: 0.2    # a plan shows as pending this long after the write that started it
    keystore_file_seconds: 0.2    # ECE writes a changed keystore file to node i this long * (i + 1) after the change
    keystore_reload_seconds: 0.6  # ECE has nodes of 8.14+ (8.13: keystore_reload_8_13) reload their secure settings this
                                  # long after a keystore change; null: never (a reload API call or a restart loads it)
    keystore_reload_8_13: false
    remote_clusters_apply_seconds: 0.3  # ECE answers a remote-clusters PUT with 202 and writes the settings this long later
    tls: true                # false = plain HTTP everywhere (only when asked)
    environments:
      - name: ece-a          # [a-z0-9-]+, unique
        ece_version: 3.8.0
        region: ece-region
        proxy_ca: public     # public | private
        deployments:
          - name: search-a
            version: 8.14.3  # Elasticsearch 6.8 .. 9.x
            kibana: true     # default true
        generate:            # optional bulk deployments (large scenarios)
          - count: 60
            name: "bulk-a-{n:03d}"
            versions: [8.15.1, 7.17.25]   # cycled
"""

from __future__ import annotations

import os
import re

import yaml

from .util import parse_version

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO_DIR = os.path.join(os.path.dirname(HERE), 'scenarios')
DEFAULT_SCENARIO = os.path.join(SCENARIO_DIR, 'default.yml')

_NAME_RE = re.compile(r'^[a-z0-9][a-z0-9-]*$')
_DEPLOYMENT_NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9 _.-]*$')


class ScenarioError(ValueError):
    pass


def _version(text, where):
    try:
        version = parse_version(text)
    except ValueError:
        raise ScenarioError('%s: invalid version [%s]' % (where, text))
    if version < (6, 8, 0) or version[0] > 9:
        raise ScenarioError('%s: version [%s] is outside the simulated range 6.8 .. 9.x' % (where, text))
    return str(text)


def load_scenario(path=None):
    """Load and normalise a scenario file (default: scenarios/default.yml)."""
    path = path or DEFAULT_SCENARIO
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle) or {}
    return normalize_scenario(data, source=path)


def normalize_scenario(data, source='<scenario>'):
    if not isinstance(data, dict):
        raise ScenarioError('%s: the scenario must be a mapping' % source)
    known = {'plan_seconds', 'plans_enabled', 'latency_ms', 'tls', 'environments', 'description', 'plan_start_delay',
             'keystore_file_seconds', 'keystore_reload_seconds', 'keystore_reload_8_13', 'remote_clusters_apply_seconds'}
    unknown = set(data) - known
    if unknown:
        raise ScenarioError('%s: unknown keys %s' % (source, sorted(unknown)))
    envs = data.get('environments') or []
    if not envs:
        raise ScenarioError('%s: at least one environment is needed' % source)
    result = {
        'source': os.path.abspath(source) if os.path.exists(source) else source,
        'plan_seconds': float(data.get('plan_seconds', 1.0)),
        'plans_enabled': bool(data.get('plans_enabled', True)),
        'latency_ms': float(data.get('latency_ms', 0)),
        'plan_start_delay': float(data.get('plan_start_delay', 0.2)),
        'keystore_file_seconds': float(data.get('keystore_file_seconds', 0.2)),
        'remote_clusters_apply_seconds': float(data.get('remote_clusters_apply_seconds', 0.3)),
        'keystore_reload_seconds': (None if data.get('keystore_reload_seconds', 0.6) is None
                                    else float(data.get('keystore_reload_seconds', 0.6))),
        'keystore_reload_8_13': bool(data.get('keystore_reload_8_13', False)),
        'tls': bool(data.get('tls', True)),
        'environments': [],
    }
    seen_envs = set()
    for env in envs:
        name = str(env.get('name', ''))
        if not _NAME_RE.match(name) or name in seen_envs:
            raise ScenarioError('%s: invalid or duplicate environment name [%s]' % (source, name))
        seen_envs.add(name)
        proxy_ca = env.get('proxy_ca', 'private')
        if proxy_ca not in ('public', 'private'):
            raise ScenarioError('%s: environment %s: proxy_ca must be public or private' % (source, name))
        norm = {
            'name': name,
            'ece_version': str(env.get('ece_version', '3.8.0')),
            'region': str(env.get('region', 'ece-region')),
            'proxy_ca': proxy_ca,
            'deployments': [],
        }
        parse_version(norm['ece_version'])
        deployments = list(env.get('deployments') or [])
        for gen in env.get('generate') or []:
            versions = [str(v) for v in gen.get('versions') or ['8.15.1']]
            pattern = str(gen.get('name', name + '-dep-{n:03d}'))
            for index in range(int(gen.get('count', 0))):
                deployments.append({'name': pattern.format(n=index + 1), 'version': versions[index % len(versions)],
                                    'kibana': gen.get('kibana', True)})
        seen = set()
        for dep in deployments:
            dep_name = str(dep.get('name', ''))
            if not _DEPLOYMENT_NAME_RE.match(dep_name) or dep_name in seen:
                raise ScenarioError('%s: environment %s: invalid or duplicate deployment name [%s]' % (source, name, dep_name))
            seen.add(dep_name)
            norm['deployments'].append({
                'name': dep_name,
                'version': _version(dep.get('version', '8.15.1'), '%s/%s' % (name, dep_name)),
                'kibana': bool(dep.get('kibana', True)),
            })
        result['environments'].append(norm)
    return result
