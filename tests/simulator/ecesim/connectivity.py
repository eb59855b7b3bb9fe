"""When is a remote cluster connected? (SIMULATOR.md "Connected means the whole chain is right")

Every link is checked and every missing one is reported in plain words; ``connected`` is true only
when there is no problem. The same evaluation feeds ``GET /_remote/info``, the ``info`` of the ECE
remote-clusters API and the admin diagnostic ``GET /_sim/diagnose``.

TLS-certificate model (no credentials loaded for the alias):
  proxy mode to ``<remote endpoint>:9400`` (the proxy's TLS transport passthrough; its 9300 is the plain-text
  transport-client port, never connected) with ``server_name = <remote endpoint>``, or legacy
  sniff (local below 7.6) with seeds ``<remote endpoint>:<any>`` and ``proxy = <remote endpoint>:9400``;
  trust both ways (same environment: ``accounts``; across environments: platform trust relationships in
  both environments with the right installation id and CA certificate, referenced by ``external`` entries
  with ``trust_all`` or the peer's cluster id, or a relationship with ``trust_by_default``); compatible versions.
API-key model (credentials loaded by the running nodes):
  proxy mode to ``<remote endpoint>:9443`` with the right ``server_name``; the credentials are the
  ``encoded`` value of an active cross-cluster key of the remote; both 8.12 or later; the local deployment
  trusts the remote environment's proxy CA (``direct`` entry of ``type: proxy``) when that CA is private.

Nodes: every node has its own connections, built from the secure settings it loaded. A connection is rebuilt when the
alias's settings change, when the node starts, and when a reload adds or removes the alias's credentials, but not when
their value changes (Elasticsearch ``RemoteClusterService.updateRemoteClusterCredentials``: "only consider added or
removed aliases"). A connection keeps the profile it was built with (``cluster_credentials`` in ``_remote/info``) and
stays connected when the key it was built with is invalidated; each cross-cluster request authenticates with the
credential its node holds now (:func:`request_problems`).

Connection attempts: the chain above is what an attempt needs. Elasticsearch attempts a connection when the
alias's connection settings change, when its nodes start (a restart plan), when the nodes load other
credentials for it, and when a cross-cluster request names it (``_resolve/cluster``, a search): see
:func:`refresh_connections` and :func:`attempt`. It does not retry a failed attempt by itself: an alias whose
last attempt failed stays disconnected, even once the chain is complete, until one of these happens.
``_remote/info`` only reports the outcome.
"""

from __future__ import annotations

import time

from .certs import normalize_pem
from .es_settings import alias_groups, effective_mode, effective_settings, is_enabled, seed_list
from .state import PORT_REMOTE_CLUSTER, PORT_TRANSPORT, PORT_TRANSPORT_PASSTHROUGH
from .util import b64

LAST_MINOR = {6: 8, 7: 17, 8: 19}


def compatible(a, b):
    """Same major, or adjacent majors where the older one is on its last minor (6.8, 7.17, 8.19)."""
    older, newer = sorted([a, b])
    if older[0] == newer[0]:
        return True
    return newer[0] - older[0] == 1 and older[1] >= LAST_MINOR.get(older[0], 99)


def _label(es):
    return '%s/%s' % (es.env.name, es.deployment.name)


def _split(address):
    if not address or ':' not in address:
        return address or '', None
    host, port = address.rsplit(':', 1)
    try:
        return host, int(port)
    except ValueError:
        return host, None


def alias_group(es, alias):
    groups = alias_groups(effective_settings(es), es.vt)
    return groups.get(('cluster.remote.', alias)) or groups.get(('search.remote.', alias))


def configured_aliases(es):
    """Aliases that exist (enabled) in the effective cluster settings, sorted."""
    result = []
    for (dummy, alias), group in alias_groups(effective_settings(es), es.vt).items():
        if is_enabled(group, es.vt) and alias not in result:
            result.append(alias)
    return sorted(result)


def credentials_name(alias):
    return 'cluster.remote.%s.credentials' % alias


def loaded_credentials(es, alias, node=None):
    """The credentials of ``alias`` that ``node`` loaded (without a node: those every node loaded alike)."""
    if not es.v(8, 10, 0):
        return None
    return (es.loaded_keystore if node is None else node.loaded).get(credentials_name(alias))


def _account_trusts(truster, trustee):
    trust = truster.applied_trust or {}
    for entry in trust.get('accounts') or []:
        if entry.get('account_id') != truster.env.account_id:
            continue
        if entry.get('trust_all') or trustee.cluster_id in (entry.get('trust_allowlist') or []):
            return True
    return False


def _allowlist_mentions_deployment_id(trust, trustee):
    for kind in ('accounts', 'external', 'direct'):
        for entry in trust.get(kind) or []:
            if trustee.deployment.id in (entry.get('trust_allowlist') or []):
                return True
    return False


def _matching_relationships(truster_env, trustee_env):
    by_installation = [rel for rel in truster_env.trust_relationships.values()
                       if not rel.get('local') and rel.get('installation_id') == trustee_env.env_id]
    expected = normalize_pem(trustee_env.ca.pem)
    good = [rel for rel in by_installation if normalize_pem(rel.get('public_ca_cert') or '') == expected]
    return by_installation, good


def trust_problems(truster, trustee):
    """Why ``truster`` does not trust ``trustee`` in the TLS-certificate model (empty list: it does)."""
    problems = []
    who = 'deployment %s' % _label(truster)
    if truster.trust != truster.applied_trust:
        problems.append('%s has a trust change that no completed plan has applied yet (plan pending or failed: the running cluster '
                        'still uses the old trust)' % who)
    if truster.env is trustee.env:
        if not _account_trusts(truster, trustee):
            problems.append('%s does not trust %s: its trust has no `accounts` entry for account %s with trust_all or cluster id %s '
                            'in trust_allowlist' % (who, _label(trustee), truster.env.account_id, trustee.cluster_id))
    else:
        by_installation, good = _matching_relationships(truster.env, trustee.env)
        if not by_installation:
            problems.append('environment %s has no trust relationship for environment %s (installation_id %s)'
                            % (truster.env.name, trustee.env.name, trustee.env.env_id))
        elif not good:
            problems.append('the trust relationship(s) %s of environment %s for environment %s hold the wrong certificate '
                            '(not the platform CA of %s)' % (sorted(rel['name'] for rel in by_installation), truster.env.name,
                                                             trustee.env.name, trustee.env.name))
        if good:
            good_ids = set(rel['id'] for rel in good)
            # trust_by_default: "trusted by default by all deployments in the current environment" (ECE API spec), no entry needed
            ok = any(rel.get('trust_by_default') for rel in good)
            for entry in (truster.applied_trust or {}).get('external') or []:
                if entry.get('trust_relationship_id') in good_ids and (
                        entry.get('trust_all') or trustee.cluster_id in (entry.get('trust_allowlist') or [])):
                    ok = True
            if not ok:
                problems.append('%s has no `external` trust entry referencing trust relationship %s (for environment %s) with trust_all '
                                'or cluster id %s in trust_allowlist' % (who, sorted(good_ids), trustee.env.name, trustee.cluster_id))
    if problems and _allowlist_mentions_deployment_id(truster.applied_trust or {}, trustee):
        problems.append('%s lists the deployment id %s of %s in a trust_allowlist; allowlists take Elasticsearch cluster ids (%s)'
                        % (who, trustee.deployment.id, _label(trustee), trustee.cluster_id))
    return problems


def _key_for_credentials(remote, encoded):
    for key in remote.api_keys.values():
        if b64('%s:%s' % (key['id'], key['secret'])) == encoded:
            return key
    return None


def _proxy_ca_trusted(local, remote_env):
    expected = normalize_pem(remote_env.proxy_root_pem)
    for entry in (local.applied_trust or {}).get('direct') or []:
        if entry.get('type') != 'proxy':
            continue
        for cert in entry.get('certificates') or []:
            if normalize_pem(cert.get('pem') or '') == expected:
                return True
    return False


def connection_signature(es, alias, node):
    """What a node's connection of ``alias`` was built with: its connection settings (not ``skip_unavailable``), the nodes
    (a restart makes new ones) and whether it had credentials for the alias (a changed value rebuilds nothing). Another
    signature means another attempt."""
    group = alias_group(es, alias) or {}
    settings = tuple(sorted((key, str(value)) for key, value in group.items() if key != 'skip_unavailable'))
    return settings, es.restarts, es.running, loaded_credentials(es, alias, node) is not None


def attempt(world, es, alias, node):
    """A connection attempt of ``alias`` by ``node`` now (its handshake authenticates with the credentials the node holds):
    its outcome is kept until the next attempt."""
    chain = evaluate_chain(world, es, alias, node)
    problems = chain['problems'] + credential_problems(world, es, alias, loaded_credentials(es, alias, node))
    node.connections[alias] = {'signature': connection_signature(es, alias, node), 'connected': not problems,
                               'time': time.time(), 'reason': '; '.join(problems),
                               'profile': 'remote_cluster' if loaded_credentials(es, alias, node) else 'default'}
    return node.connections[alias]


def refresh_connections(world, es):
    """After a change of the alias settings, the nodes or the loaded credentials of ``es``: on every node, every configured
    alias whose connection was built with something else is attempted again; the state of removed aliases is dropped."""
    aliases = configured_aliases(es)
    for node in es.nodes:
        for alias in list(node.connections):
            if alias not in aliases:
                del node.connections[alias]
        for alias in aliases:
            state = node.connections.get(alias)
            if state is None or state['signature'] != connection_signature(es, alias, node):
                attempt(world, es, alias, node)


def connection(world, es, alias, node):
    """The node's connection of ``alias``: attempted when something changed that it was not told about."""
    state = node.connections.get(alias)
    if state is None or state['signature'] != connection_signature(es, alias, node):
        state = attempt(world, es, alias, node)
    return state


def request_problems(world, es, alias, node):
    """Why a cross-cluster request over ``node``'s connection of ``alias`` fails to authenticate now (empty: it does not):
    a connection built with the remote-cluster profile sends, with each request, the credentials the node holds now."""
    state = node.connections.get(alias) or {}
    if state.get('profile') != 'remote_cluster':
        return []
    return credential_problems(world, es, alias, loaded_credentials(es, alias, node))


def evaluate(world, es, alias, node=None):
    """The connection of one alias of one local cluster as the running cluster has it: the whole chain, and the outcome of
    the last connection attempt of ``node`` (a failed one is not retried by Elasticsearch itself). Without a node: of
    every node (connected only when every node is), and the credentials each node would authenticate requests with."""
    nodes = [node] if node is not None else es.nodes
    result = evaluate_chain(world, es, alias, node)
    if not result['configured']:
        return result
    for each in nodes:
        state = connection(world, es, alias, each)
        where = '' if node is not None else ' on node %s' % each.name
        if not result['problems'] and not state['connected']:
            result['problems'].append(
                'the last connection attempt of alias [%s]%s (at %s) failed (%s) and Elasticsearch does not retry by itself: a '
                'cross-cluster request (_resolve/cluster/%s:* from 8.13, or a search of %s:<index>) makes it attempt again'
                % (alias, where, iso_time(state['time']), state['reason'] or 'no reason kept', alias, alias))
        if node is None and state['connected']:
            result['problems'].extend('cross-cluster requests through node %s fail: %s' % (each.name, problem)
                                      for problem in request_problems(world, es, alias, each))
    result['connected'] = not result['problems']
    return result


def iso_time(when):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(when))


def evaluate_chain(world, es, alias, node=None):
    """The whole chain for one alias of one local cluster (as ``node`` loaded its credentials; without a node, as every
    node did): {connected, model, mode, remote, problems}. Whether the credentials authenticate is not part of it: see
    :func:`credential_problems`."""
    result = {'alias': alias, 'local': {'env': es.env.name, 'deployment': es.deployment.name, 'cluster_id': es.cluster_id,
                                        'version': es.version},
              'configured': False, 'connected': False, 'model': None, 'mode': None, 'remote': None, 'problems': []}
    problems = result['problems']
    group = alias_group(es, alias)
    if group is None or not is_enabled(group, es.vt):
        problems.append('alias [%s] is not configured on %s (no seeds / proxy_address in its cluster settings)' % (alias, _label(es)))
        return result
    result['configured'] = True
    mode = effective_mode(group, es.vt)
    result['mode'] = mode
    loaded = loaded_credentials(es, alias, node)
    model = 'api_key' if loaded else 'certificate'
    result['model'] = model
    if not es.running:
        problems.append('the local cluster %s is stopped' % _label(es))

    if mode == 'proxy':
        address = group.get('proxy_address') or ''
        host, port = _split(address)
    else:
        seeds = seed_list(group.get('seeds'))
        host, port = _split(seeds[0]) if seeds else ('', None)
    remote = world.endpoints.get(host)
    if remote is None:
        problems.append('%s [%s] does not name a simulated deployment endpoint (<cluster_id>.<environment>.sim.example); '
                        'use the remote metadata.endpoint, not its service_url' % ('proxy_address' if mode == 'proxy' else 'seeds', host))
    else:
        result['remote'] = {'env': remote.env.name, 'deployment': remote.deployment.name, 'cluster_id': remote.cluster_id,
                            'version': remote.version}
        if not remote.running:
            problems.append('the remote cluster %s is stopped' % _label(remote))

    if model == 'certificate':
        _certificate_links(es, alias, group, mode, host, port, remote, problems)
    else:
        _api_key_links(es, alias, group, mode, host, port, remote, problems)
    result['connected'] = not problems
    return result


def _certificate_links(es, alias, group, mode, host, port, remote, problems):
    # credentials in the keystore that the node has not loaded change nothing yet: it connects with TLS certificates
    if mode == 'proxy':
        if port == PORT_REMOTE_CLUSTER:
            problems.append('port %d is the remote cluster server port of the API-key model, but no credentials are loaded for alias [%s]; '
                            'the TLS-certificate model connects to the transport passthrough port %d' % (port, alias, PORT_TRANSPORT_PASSTHROUGH))
        elif port == PORT_TRANSPORT:
            problems.append('port %d is the proxy\'s plain-text transport-client port; cross-cluster search and replication with TLS '
                            'certificates go through the transport passthrough port %d (metadata.ports.transport_passthrough), '
                            'the API-key model through %d' % (port, PORT_TRANSPORT_PASSTHROUGH, PORT_REMOTE_CLUSTER))
        elif port != PORT_TRANSPORT_PASSTHROUGH:
            problems.append('proxy_address port [%s] is not the transport passthrough port %d of the ECE proxy'
                            % (port, PORT_TRANSPORT_PASSTHROUGH))
        _check_server_name(group, remote, problems)
    else:
        if es.v(7, 6, 0):
            problems.append('sniff mode cannot reach a cluster behind the ECE proxy (sniffed node addresses are internal); '
                            'Elasticsearch %s must use proxy mode' % es.version)
        proxy_host, proxy_port = _split(group.get('proxy') or '')
        if not group.get('proxy'):
            problems.append('legacy sniff mode needs cluster.remote.%s.proxy = <remote endpoint>:%d (the ECE proxy)'
                            % (alias, PORT_TRANSPORT_PASSTHROUGH))
        elif remote is not None and (proxy_host != remote.endpoint or proxy_port != PORT_TRANSPORT_PASSTHROUGH):
            problems.append('cluster.remote.%s.proxy must be %s:%d, not %s' % (alias, remote.endpoint, PORT_TRANSPORT_PASSTHROUGH, group.get('proxy')))
    if remote is None:
        return
    if not compatible(es.vt, remote.vt):
        problems.append('versions %s (local) and %s (remote) are not compatible for remote clusters' % (es.version, remote.version))
    problems.extend(trust_problems(es, remote))
    problems.extend(trust_problems(remote, es))


def _check_server_name(group, remote, problems):
    if remote is None:
        return
    server_name = group.get('server_name') or ''
    if not server_name:
        problems.append('server_name is not set; the ECE proxy routes on it (TLS SNI) and needs the remote endpoint %s' % remote.endpoint)
    elif server_name != remote.endpoint:
        problems.append('server_name [%s] is not the remote endpoint [%s]' % (server_name, remote.endpoint))


def _api_key_links(es, alias, group, mode, host, port, remote, problems):
    if not es.v(8, 12, 0):
        problems.append('the API-key model needs Elasticsearch 8.12 or later on the local cluster (it runs %s)' % es.version)
    if mode != 'proxy':
        problems.append('the API-key model through the ECE proxy needs proxy mode, not %s' % mode)
    elif port != PORT_REMOTE_CLUSTER:
        problems.append('credentials are loaded for alias [%s] (API-key model) but proxy_address uses port %s; the remote cluster '
                        'server port is %d (requires channel profile to be [_remote_cluster], but got [default])'
                        % (alias, port, PORT_REMOTE_CLUSTER))
    if mode == 'proxy':
        _check_server_name(group, remote, problems)
    if remote is None:
        return
    if not remote.v(8, 12, 0):
        problems.append('the API-key model needs Elasticsearch 8.12 or later on the remote cluster (it runs %s)' % remote.version)
    if not compatible(es.vt, remote.vt):
        problems.append('versions %s (local) and %s (remote) are not compatible for remote clusters' % (es.version, remote.version))
    if remote.env is not es.env and remote.env.proxy_ca == 'private' and not _proxy_ca_trusted(es, remote.env):
        problems.append('the proxy of environment %s uses a private CA; deployment %s needs a `direct` trust entry of type `proxy` '
                        'holding that CA (the root of GET /platform/configuration/security/tls/proxy in %s)'
                        % (remote.env.name, _label(es), remote.env.name))
    if es.trust != es.applied_trust and remote.env is not es.env:
        problems.append('deployment %s has a trust change that no completed plan has applied yet (plan pending or failed)' % _label(es))


def remote_of(world, es, alias):
    """The simulated cluster that ``alias`` of ``es`` names, or None."""
    group = alias_group(es, alias) or {}
    address = group.get('proxy_address') or (seed_list(group.get('seeds')) or [''])[0]
    return world.endpoints.get(_split(address)[0])


def credential_problems(world, es, alias, credentials):
    """Why ``credentials`` (the encoded value a node holds for ``alias``) do not authenticate at the remote cluster now, in
    the words of Elasticsearch's authentication failure ("unable to authenticate user [<key id>] for action [...]";
    empty: they do, or there are none)."""
    remote = remote_of(world, es, alias)
    if not credentials or remote is None:
        return []
    key = _key_for_credentials(remote, credentials)
    failed = 'unable to authenticate user [%s] for action [indices:admin/resolve/cluster]'
    if key is None:
        return [failed % '<unknown key>' + ': the credentials loaded for alias [%s] are not the encoded value of any API key of %s'
                % (alias, _label(remote))]
    if key['type'] != 'cross_cluster':
        return [failed % key['id'] + ': the credentials loaded for alias [%s] are a REST API key; the API-key model needs a '
                'cross-cluster API key' % alias]
    if key['invalidated']:
        return [failed % key['id'] + ': the cross-cluster API key loaded for alias [%s] has been invalidated' % alias]
    if key['expiration'] is not None and key['expiration'] <= int(time.time() * 1000):
        return [failed % key['id'] + ': the cross-cluster API key loaded for alias [%s] has expired' % alias]
    return []


def remote_resource_info(world, es, ref):
    """``RemoteResourceInfo`` of an ECE remote-clusters entry."""
    remote_dep = es.env.deployments.get(ref['deployment_id'])
    remote = remote_dep.es if remote_dep else None
    if remote is None:
        return {'healthy': False, 'connected': False, 'compatible': False, 'trusted': False, 'trusted_back': False}
    evaluation = evaluate(world, es, ref['alias'])
    return {
        'healthy': remote.healthy,
        'connected': evaluation['connected'],
        'compatible': compatible(es.vt, remote.vt),
        'trusted': not trust_problems(es, remote),
        'trusted_back': not trust_problems(remote, es),
    }
