"""The ECE REST API of one environment (base path ``/api/v1``).

Modelled traps (ece-api.md):

* platform paths answer with and without ``/regions/{region}``; a wrong region is a 404;
* the trust object of a deployment only appears with ``show_settings=true``;
* ``PUT /deployments/{id}``: ``prune_orphans`` is required and honoured (a Kibana missing from the body is
  shut down when it is true); ``?version=`` must match ``x-cloud-resource-version`` (409 otherwise);
  a provided ``settings.trust`` REPLACES the whole trust object (drop ``accounts`` and the environment's
  default account trust is gone); a plan sent back with its ``transient`` part (``cluster_reboot: forced``
  left by a restart) is executed again; an update starts a plan attempt that stays pending for a while;
* keystore: GET shows names and ``as_file`` only; PATCH merges, an entry without value deletes;
* remote-clusters PUT replaces the whole list, same environment only, and writes the ES settings;
* ``_restart`` is refused with 422 while another plan is pending (unless ``cancel_pending=true``);
* trust relationships: the server assigns ids, and a POST with an existing name creates a duplicate.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import time
import types

from .certs import certificate_metadata, chain_expiry, load_pem_certificates
from .connectivity import refresh_connections, remote_resource_info
from .errors import EceError, EsError
from .es_settings import update_settings
from .httpcore import Response
from .state import (ES_REF_ID, KIBANA_REF_ID, PORT_HTTP, PORT_HTTPS, PORT_TRANSPORT_PASSTHROUGH, DOMAIN, default_trust)
from .util import (b64, deep_copy_json, iso, new_hex32, parse_ece_bool, parse_version, vstr)

RESOURCE_KINDS = ('elasticsearch', 'kibana', 'apm', 'appsearch', 'enterprise_search', 'integrations_server')
TLS_SERVICES = ('adminconsole', 'proxy', 'ui', 'internalca')
_ALIAS_RE = re.compile(r'^[-A-Za-z0-9_]*$')
_SCOPE_RE = re.compile(r'^[a-z0-9]{1,32}$')


def _not_found_deployment(dep_id):
    return EceError(404, 'deployments.deployment_not_found', 'Deployment [%s] not found' % dep_id)


def _invalid(message, code='root.invalid_data', fields=None):
    return EceError(400, code, message, fields=fields)


class EceApi:
    """Routes and handlers; every handler runs with the world lock held."""

    def __init__(self, world, specs=None):
        self.world = world
        self.specs = specs
        self.routes = []
        world.refresh_connections = refresh_connections  # plans and keystore reloads make connection attempts
        self._route('GET', r'/platform', self.get_platform, platform=True)
        self._route('GET', r'/platform/configuration/trust-relationships', self.list_trust, platform=True)
        self._route('POST', r'/platform/configuration/trust-relationships', self.create_trust, platform=True)
        self._route('GET', r'/platform/configuration/trust-relationships/([^/]+)', self.get_trust, platform=True)
        self._route('PUT', r'/platform/configuration/trust-relationships/([^/]+)', self.update_trust, platform=True)
        self._route('DELETE', r'/platform/configuration/trust-relationships/([^/]+)', self.delete_trust, platform=True)
        self._route('GET', r'/platform/configuration/security/tls/([^/]+)', self.get_tls, platform=True)
        self._route('GET', r'/deployments', self.list_deployments)
        self._route('POST', r'/deployments/_search', self.search_deployments)
        self._route('GET', r'/deployments/([^/_][^/]*)', self.get_deployment)
        self._route('PUT', r'/deployments/([^/_][^/]*)', self.update_deployment)
        self._route('GET', r'/deployments/([^/]+)/elasticsearch/([^/]+)', self.get_es_resource)
        self._route('GET', r'/deployments/([^/]+)/elasticsearch/([^/]+)/keystore', self.get_keystore)
        self._route('PATCH', r'/deployments/([^/]+)/elasticsearch/([^/]+)/keystore', self.patch_keystore)
        self._route('GET', r'/deployments/([^/]+)/elasticsearch/([^/]+)/remote-clusters', self.get_remote_clusters)
        self._route('PUT', r'/deployments/([^/]+)/elasticsearch/([^/]+)/remote-clusters', self.put_remote_clusters)
        self._route('POST', r'/deployments/([^/]+)/elasticsearch/([^/]+)/_restart', self.restart)
        self._route('DELETE', r'/deployments/([^/]+)/([^/]+)/([^/]+)/plan/pending', self.cancel_pending)

    def _route(self, method, pattern, handler, platform=False):
        self.routes.append((method, re.compile('^' + pattern + '$'), handler, platform))

    # ---- entry point ---------------------------------------------------------------------------
    def handle(self, env, req):
        """Authenticate, route, validate against the spec, run the handler; returns a Response."""
        try:
            return self._handle(env, req)
        except EceError as err:
            headers = {'x-cloud-error-codes': err.code}
            return Response(err.status, err.body(), headers, spec_violation=err.spec_violation)

    def _handle(self, env, req):
        self._authenticate(env, req)
        path = req.path.rstrip('/') if req.path != '/' else req.path
        base = '/api/v1'
        if not (path == base or path.startswith(base + '/')):
            raise EceError(404, 'root.resource_not_found', 'The requested resource [%s] could not be found' % req.path)
        rest = path[len(base):] or '/'
        region_prefixed = False
        match = re.match(r'^/regions/([^/]+)(/.*)?$', rest)
        if match:
            region, rest = match.group(1), match.group(2) or '/'
            if region != env.region:
                raise EceError(404, 'root.resource_not_found', 'Region [%s] not found' % region)
            if not (rest == '/platform' or rest.startswith('/platform/')):
                # only platform paths are regional; /deployments/... is global
                raise EceError(404, 'root.resource_not_found', 'The requested resource [%s] could not be found' % req.path)
            region_prefixed = True
        handler, args, method_allowed = None, (), False
        for method, regex, candidate, platform in self.routes:
            found = regex.match(rest)
            if not found or (region_prefixed and not platform):
                continue
            if method != req.method:
                method_allowed = True
                continue
            handler, args = candidate, found.groups()
            break
        spec_op = None
        if self.specs is not None:
            spec_op, dummy, dummy2 = self.specs.ece.find(req.method, rest)
        if handler is None:
            if spec_op is not None:
                raise EceError(501, 'sim.not_implemented', 'The simulator does not implement %s %s (operation %s)'
                               % (req.method, rest, spec_op.get('operationId')))
            violation = ('%s %s is not an operation of the ECE API spec' % (req.method, rest)) if self.specs is not None else None
            if method_allowed:
                raise EceError(405, 'root.method_not_allowed', 'HTTP method [%s] is not supported by this resource' % req.method,
                               spec_violation=violation)
            raise EceError(404, 'root.resource_not_found', 'The requested resource [%s] could not be found' % req.path,
                           spec_violation=violation)
        if req.has_body and req.json_error is not None:
            raise EceError(400, 'root.invalid_json_request', 'The request body is not valid JSON: %s' % req.json_error)
        if spec_op is not None:
            errors = self.specs.ece.validate_request(spec_op, req.query, req.json, req.has_body)
            if errors:
                code = 'root.invalid_data' if errors[0].startswith('query parameter') else 'root.invalid_json_request'
                raise EceError(400, code, 'The request does not conform to the API specification: %s' % errors[0],
                               fields=[error.split(':', 1)[0] for error in errors[:10]], spec_violation='; '.join(errors))
        return handler(env, req, *args)

    def _authenticate(self, env, req):
        header = req.header('Authorization') or ''
        scheme, dummy, value = header.partition(' ')
        scheme = scheme.lower()
        if scheme == 'apikey' and value.strip() == env.api_key:
            return
        if scheme == 'basic':
            try:
                user, dummy, password = base64.b64decode(value.strip()).decode('utf-8').partition(':')
            except (ValueError, UnicodeDecodeError):
                user, password = None, None
            if user == env.username and password == env.password:
                return
        raise EceError(401, 'root.unauthenticated', 'The supplied authentication is invalid')

    # ---- helpers --------------------------------------------------------------------------------
    @staticmethod
    def _bool(req, name, default):
        if name not in req.query:
            return default
        try:
            return parse_ece_bool(req.query[name])
        except ValueError as exc:
            raise EceError(400, 'root.invalid_data', 'Query parameter [%s]: %s' % (name, exc))

    def _deployment(self, env, dep_id):
        dep = env.deployments.get(dep_id)
        if dep is None:
            raise _not_found_deployment(dep_id)
        return dep

    def _es(self, env, dep_id, ref_id):
        dep = self._deployment(env, dep_id)
        if ref_id in (dep.es.ref_id, '_main'):
            return dep, dep.es
        raise EceError(404, 'deployments.deployment_resource_not_found',
                       'Resource [elasticsearch] with ref_id [%s] not found in deployment [%s]' % (ref_id, dep_id))

    @staticmethod
    def _body(req, required=True):
        if not req.has_body:
            if required:
                raise _invalid('The request body is required', code='root.invalid_json_request')
            return None
        if not isinstance(req.json, dict):
            raise _invalid('The request body must be a JSON object', code='root.invalid_json_request')
        return req.json

    @staticmethod
    def _resource_headers(version, created, modified):
        return {'x-cloud-resource-version': str(version), 'x-cloud-resource-created': iso(created),
                'x-cloud-resource-last-modified': iso(modified)}

    # ---- platform ----------------------------------------------------------------------------------
    def get_platform(self, env, req):
        count = len(env.deployments)
        region = {
            'region_id': env.region,
            'zookeeper_states': {'states': [{'id': '1', 'state': 'connected'}]},
            'allocators': {'healthy': True, 'zone_summaries': [
                {'zone_id': 'ece-zone-%d' % zone, 'total_allocators': 1, 'healthy_allocators': 1, 'connected_allocators': 1,
                 'disconnected_allocators': 0, 'in_maintenance_allocators': 0, 'connected_capacity': 262144,
                 'max_available_capacity': 131072, 'instances': count * 2} for zone in (1, 2)]},
            'runners': {'healthy': True, 'total_runners': 3, 'healthy_runners': 3, 'connected_runners': 3,
                        'connected_capacity': 786432, 'max_available_capacity': 262144, 'containers_count': 40 + count * 3},
            'proxies': {'healthy': True, 'expected_proxies_count': 2, 'proxies_count': 2,
                        'proxies': [{'proxy_id': 'proxy-%d' % index, 'healthy': True} for index in (1, 2)]},
            'container_sets_status': {'healthy': True, 'healthy_container_sets_count': 12, 'unhealthy_container_sets_count': 0,
                                      'unhealthy_container_sets': []},
            'constructors': {'constructors': [{'constructor_id': '192.168.44.10', 'status': {'connected': True, 'maintenance_mode': False}}]},
            'coordinators': {'coordinators': [{'name': '192.168.44.10', 'public_hostname': '%s.%s' % (env.name, DOMAIN),
                                               'leader_port': 2888, 'election_port': 3888, 'client_port': 2191, 'attributes': {}}]},
            'resources': {'healthy': True, 'available_count': 100, 'used_count': count, 'missing_count': 0,
                          'minimum_available_count': 10, 'account_count': 1},
        }
        body = {'version': env.ece_version, 'services': [], 'phone_home_enabled': False, 'eula_accepted': True,
                'regions': [region], 'unreachable_regions': []}
        return Response(200, body)

    # ---- trust relationships -----------------------------------------------------------------------------
    @staticmethod
    def _render_relationship(rel, include_certificate):
        body = {'id': rel['id'], 'name': rel['name'], 'trust_by_default': rel['trust_by_default'],
                'account_ids': list(rel.get('account_ids') or []), 'local': rel['local'],
                'last_modified': iso(rel['last_modified'])}
        if rel.get('installation_id') is not None:
            body['installation_id'] = rel['installation_id']
        if include_certificate:
            body['public_ca_cert'] = rel['public_ca_cert']
        return body

    @staticmethod
    def _relationship_summary(rel):
        body = {'id': rel['id'], 'name': rel['name'], 'trust_by_default': rel['trust_by_default'], 'local': rel['local'],
                'account_ids': list(rel.get('account_ids') or [])}
        if rel.get('installation_id') is not None:
            body['installation_id'] = rel['installation_id']
        return body

    def _relationship(self, env, rel_id):
        rel = env.trust_relationships.get(rel_id)
        if rel is None and rel_id == 'local' and not env.v(3, 6, 0):
            rel = env.trust_relationships[env.local_relationship_id]
        if rel is None:
            raise EceError(404, 'trust_relationships.not_found', 'Trust relationship [%s] not found' % rel_id)
        return rel

    def list_trust(self, env, req):
        include = self._bool(req, 'include_certificate', False)
        flt = req.query.get('filter', 'all') if env.v(3, 5, 2) else 'all'
        if flt not in ('all', 'local', 'non-local'):
            raise _invalid("Query parameter [filter] must be one of 'all', 'local', 'non-local'")
        items = []
        for rel in env.trust_relationships.values():
            if (flt == 'local' and not rel['local']) or (flt == 'non-local' and rel['local']):
                continue
            items.append(self._render_relationship(rel, include))
        return Response(200, {'trust_relationships': items})

    @staticmethod
    def _check_relationship_fields(body, creating):
        for field in ('name', 'public_ca_cert', 'installation_id'):
            if field in body and body[field] is not None and not isinstance(body[field], str):
                raise _invalid('Field [%s] must be a string' % field, fields=[field])
        if creating:
            for field in ('name', 'public_ca_cert'):
                if not body.get(field):
                    raise _invalid('Field [%s] is required' % field, code='root.invalid_json_request', fields=[field])
        if body.get('public_ca_cert') is not None:
            try:
                load_pem_certificates(body['public_ca_cert'])
            except ValueError:
                raise _invalid('Field [public_ca_cert] is not a valid PEM encoded certificate', fields=['public_ca_cert'])
        if 'account_ids' in body and body['account_ids'] is not None:
            if not isinstance(body['account_ids'], list) or not all(isinstance(a, str) for a in body['account_ids']):
                raise _invalid('Field [account_ids] must be a list of strings', fields=['account_ids'])
        if 'trust_by_default' in body and body['trust_by_default'] is not None and not isinstance(body['trust_by_default'], bool):
            raise _invalid('Field [trust_by_default] must be a boolean', fields=['trust_by_default'])

    def create_trust(self, env, req):
        body = self._body(req)
        self._check_relationship_fields(body, creating=True)
        now = time.time()
        rel = {'id': new_hex32(), 'name': body['name'], 'trust_by_default': bool(body.get('trust_by_default')),
               'account_ids': list(body.get('account_ids') or []), 'public_ca_cert': body['public_ca_cert'], 'local': False,
               'installation_id': body.get('installation_id'), 'created': now, 'last_modified': now, 'version': 1}
        # no uniqueness check on name or installation_id: real ECE lets duplicates through (undocumented)
        env.trust_relationships[rel['id']] = rel
        return Response(201, self._relationship_summary(rel), self._resource_headers(1, now, now))

    def get_trust(self, env, req, rel_id):
        rel = self._relationship(env, rel_id)
        include = self._bool(req, 'include_certificate', False)
        return Response(200, self._render_relationship(rel, include),
                        self._resource_headers(rel['version'], rel['created'], rel['last_modified']))

    def update_trust(self, env, req, rel_id):
        rel = self._relationship(env, rel_id)
        body = self._body(req)
        self._check_relationship_fields(body, creating=False)
        for field in ('name', 'trust_by_default', 'account_ids', 'public_ca_cert', 'installation_id'):
            if field in body and body[field] is not None:
                rel[field] = list(body[field]) if field == 'account_ids' else body[field]
        rel['version'] += 1
        rel['last_modified'] = time.time()
        return Response(200, self._relationship_summary(rel),
                        self._resource_headers(rel['version'], rel['created'], rel['last_modified']))

    def delete_trust(self, env, req, rel_id):
        rel = self._relationship(env, rel_id)
        if 'version' in req.query:
            try:
                version = int(req.query['version'])
            except ValueError:
                raise _invalid('Query parameter [version] must be an integer')
            if version != rel['version']:
                raise EceError(409, 'trust_relationships.version_conflict',
                               'Trust relationship [%s] has version [%d], not [%d]' % (rel['id'], rel['version'], version))
        if rel['local']:
            raise _invalid('The local trust relationship cannot be deleted', code='trust_relationships.local_not_deletable')
        del env.trust_relationships[rel['id']]
        return Response(200, {})

    # ---- TLS -----------------------------------------------------------------------------------------------
    def get_tls(self, env, req, service):
        if service not in TLS_SERVICES:
            raise EceError(404, 'cert.not_found', 'No certificate chain for service [%s]' % service)
        if service == 'proxy':
            chain = list(env.proxy_chain)
            user_supplied = env.proxy_ca == 'public'
        elif service == 'internalca':
            chain = [env.ca.pem]
            user_supplied = False
        else:
            chain = [env.server_cert_pem, env.ca.pem]
            user_supplied = False
        expiry, subject = chain_expiry(chain)
        body = {'user_supplied': user_supplied, 'chain': chain, 'api_managed': True,
                'chain_status': {'expiration_date': expiry, 'first_certificate_to_expire': subject}}
        return Response(200, body)

    # ---- deployment rendering ----------------------------------------------------------------------------
    def _render_trust(self, env, trust):
        result = {}
        for kind in ('accounts', 'external', 'direct'):
            if kind not in trust:
                continue
            entries = []
            for entry in trust[kind]:
                entry = deep_copy_json(entry)
                if kind == 'external' and env.v(3, 5, 2):
                    rel = env.trust_relationships.get(entry.get('trust_relationship_id'))
                    if rel is not None:
                        entry['name'] = rel['name']
                if kind == 'direct':
                    for cert in entry.get('certificates') or []:
                        try:
                            cert['metadata'] = certificate_metadata(cert['pem'])
                        except (ValueError, KeyError):
                            pass
                entries.append(entry)
            result[kind] = entries
        return result

    @staticmethod
    def _plan_json(attempt, flags, now):
        info = attempt.to_json(flags['show_plan_logs'], now)
        if flags['clear_transient']:
            info['plan'].pop('transient', None)
        return info

    def _instances(self, es, version, running):
        if not running:
            return []
        instances = []
        for index in range(2):
            instances.append({
                'instance_name': 'instance-%010d' % index,
                'instance_configuration': {'id': 'data.default', 'name': 'data.default', 'resource': 'memory'},
                'service_version': version, 'healthy': True, 'container_started': True, 'service_running': True,
                'maintenance_mode': False, 'zone': 'ece-zone-%d' % (index + 1), 'allocator_id': '192.168.44.%d' % (10 + index),
                'memory': {'instance_capacity': 4096},
                'node_roles': list(es.plan['cluster_topology'][0].get('node_roles') or []),
            })
        return instances

    def render_es(self, dep, flags, now=None):
        """``ElasticsearchResourceInfo`` of a deployment's Elasticsearch resource."""
        es = dep.es
        env = dep.env
        now = time.time() if now is None else now
        plan_info = {'healthy': es.plan_healthy, 'history': []}
        if flags['show_plans']:
            plan_info['current'] = self._plan_json(es.current_attempt, flags, now)
            if es.pending is not None and now >= es.pending.started:
                # a plan shows only once ECE has started it, a moment after the write's answer (plan_start_delay)
                plan_info['pending'] = self._plan_json(es.pending, flags, now)
        if flags['show_plan_history']:
            plan_info['history'] = [self._plan_json(attempt, flags, now) for attempt in es.plan_history]
        names = ['instance-%010d' % index for index in range(2)]
        metadata = {
            'version': es.metadata_version, 'last_modified': iso(es.metadata_modified),
            'endpoint': es.endpoint, 'service_url': es.url,
            'cloud_id': '%s:%s' % (dep.name, b64('%s.%s:%d$%s$%s' % (env.name, DOMAIN, PORT_HTTPS, es.cluster_id, dep.kibana_id))),
            'ports': {'http': PORT_HTTP, 'https': PORT_HTTPS, 'transport_passthrough': PORT_TRANSPORT_PASSTHROUGH},
            'services_urls': [{'service': 'elasticsearch', 'url': es.url}],
        }
        if flags['show_metadata']:
            metadata['raw'] = {'cluster_id': es.cluster_id, 'name': dep.name, 'version': es.version,
                               'endpoint': es.endpoint, 'ports': dict(metadata['ports'])}
        hidden = es.pending is not None and now < es.pending.started
        info = {
            'cluster_id': es.cluster_id, 'cluster_name': dep.name, 'deployment_id': dep.id,
            'healthy': es.healthy, 'status': es.pending.status_before if hidden else es.status, 'plan_info': plan_info,
            'elasticsearch': {
                'healthy': es.running,
                'shard_info': {'healthy': True, 'available_shards': [{'instance_name': name, 'shard_count': 5} for name in names],
                               'unavailable_shards': [], 'unavailable_replicas': []},
                'master_info': {'healthy': es.running, 'masters': [{'master_node_id': es.node_ids[0], 'master_instance_name': names[0],
                                                                    'instances': names}], 'instances_with_no_master': []},
                'blocking_issues': {'healthy': True, 'cluster_level': [], 'index_level': []},
                'shards_status': {'status': 'green'},
            },
            'metadata': metadata,
            'topology': {'healthy': es.running, 'instances': self._instances(es, es.version, es.running)},
            'associated_kibana_clusters': ([{'kibana_id': dep.kibana_id, 'enabled': dep.kibana['status'] != 'stopped'}]
                                           if dep.kibana else []),
            'associated_apm_clusters': [], 'associated_appsearch_clusters': [], 'associated_enterprise_search_clusters': [],
            'snapshots': {'healthy': True, 'count': 12, 'recent_success': True, 'latest_successful': True},
            'external_links': [], 'region': env.region,
        }
        if flags['show_settings']:
            info['settings'] = {'trust': self._render_trust(env, es.trust), 'metadata': {'name': dep.name, 'hidden': False},
                                'dedicated_masters_threshold': 6}
        if flags.get('show_system_alerts'):
            info['system_alerts'] = []
        return {'ref_id': es.ref_id, 'id': es.cluster_id, 'region': env.region, 'info': info}

    def render_kibana(self, dep, flags):
        kibana = dep.kibana
        env = dep.env
        running = kibana['status'] != 'stopped'
        current = {'plan_attempt_id': kibana['attempt_id'], 'plan_attempt_name': 'attempt-0000000000', 'healthy': True,
                   'attempt_start_time': iso(kibana['attempt_time']), 'attempt_end_time': iso(kibana['attempt_time'] + 30),
                   'plan_end_time': iso(kibana['attempt_time'] + 30), 'plan': deep_copy_json(kibana['plan']),
                   'plan_attempt_log': [], 'warnings': []}
        plan_info = {'healthy': True, 'history': []}
        if flags['show_plans']:
            plan_info['current'] = current
        if flags['show_plan_history']:
            plan_info['history'] = [current]
        instances = []
        if running:
            instances = [{'instance_name': 'instance-0000000000', 'service_version': kibana['plan']['kibana'].get('version'),
                          'healthy': True, 'container_started': True, 'service_running': True, 'maintenance_mode': False,
                          'zone': 'ece-zone-1'}]
        info = {
            'cluster_id': dep.kibana_id, 'cluster_name': dep.name, 'deployment_id': dep.id,
            'elasticsearch_cluster': {'elasticsearch_id': dep.es.cluster_id},
            'healthy': running, 'status': kibana['status'], 'plan_info': plan_info,
            'metadata': {'version': 1, 'last_modified': iso(dep.created), 'endpoint': '%s.%s.%s' % (dep.kibana_id, env.name, DOMAIN),
                         'ports': {'http': PORT_HTTP, 'https': PORT_HTTPS, 'transport_passthrough': PORT_TRANSPORT_PASSTHROUGH}},
            'topology': {'healthy': running, 'instances': instances},
            'external_links': [], 'region': env.region,
        }
        return {'ref_id': kibana['ref_id'], 'elasticsearch_cluster_ref_id': dep.es.ref_id, 'id': dep.kibana_id,
                'region': env.region, 'info': info}

    def _flags(self, env, req):
        flags = {
            'show_plans': self._bool(req, 'show_plans', True),
            'show_plan_logs': self._bool(req, 'show_plan_logs', False),
            'show_plan_history': self._bool(req, 'show_plan_history', False),
            'show_settings': self._bool(req, 'show_settings', False),
            'show_metadata': self._bool(req, 'show_metadata', False),
            'clear_transient': self._bool(req, 'clear_transient', False) and env.v(3, 7, 0),
            'show_system_alerts': 0,
        }
        for name in ('show_security', 'show_plan_defaults', 'convert_legacy_plans', 'show_instance_configurations',
                     'enrich_with_template', 'force_all_plan_history'):
            self._bool(req, name, False)
        if 'show_system_alerts' in req.query:
            try:
                flags['show_system_alerts'] = int(req.query['show_system_alerts'])
            except ValueError:
                raise _invalid('Query parameter [show_system_alerts] must be an integer')
        return flags

    def render_deployment(self, dep, flags, search=False):
        now = time.time()
        resources = {'elasticsearch': [self.render_es(dep, flags, now)],
                     'kibana': [self.render_kibana(dep, flags)] if dep.kibana else [],
                     'apm': [], 'appsearch': [], 'enterprise_search': [], 'integrations_server': []}
        body = {'id': dep.id, 'name': dep.name, 'healthy': dep.es.healthy, 'resources': resources,
                'settings': {'auto_ops': {'status': 'not_connected'}, 'autoscaling_enabled': False},
                'metadata': {'last_modified': iso(dep.modified), 'owner_id': 'admin', 'system_owned': False, 'hidden': False,
                             'subscription_level': 'standard', 'last_resource_plan_modified': iso(dep.es.metadata_modified),
                             'tags': deep_copy_json(dep.tags)}}
        if dep.organization_id:
            body['metadata']['organization_id'] = dep.organization_id
        if search:
            body.pop('settings')
        return body

    @staticmethod
    def _resource_list(dep):
        env = dep.env
        resources = []
        if dep.es.status != 'stopped':
            resources.append({'ref_id': dep.es.ref_id, 'id': dep.es.cluster_id, 'kind': 'elasticsearch', 'region': env.region})
        if dep.kibana and dep.kibana['status'] != 'stopped':
            resources.append({'ref_id': dep.kibana['ref_id'], 'id': dep.kibana_id, 'kind': 'kibana', 'region': env.region,
                              'elasticsearch_cluster_ref_id': dep.es.ref_id})
        return resources

    # ---- deployments: read ------------------------------------------------------------------------------
    def list_deployments(self, env, req):
        items = [{'id': dep.id, 'name': dep.name, 'resources': self._resource_list(dep)} for dep in env.deployments.values()]
        return Response(200, {'deployments': items})

    def get_deployment(self, env, req, dep_id):
        dep = self._deployment(env, dep_id)
        flags = self._flags(env, req)
        return Response(200, self.render_deployment(dep, flags), self._resource_headers(dep.version, dep.created, dep.modified))

    def get_es_resource(self, env, req, dep_id, ref_id):
        dep, dummy = self._es(env, dep_id, ref_id)
        flags = self._flags(env, req)
        return Response(200, self.render_es(dep, flags))

    def search_deployments(self, env, req):
        body = self._body(req, required=False) or {}
        if body.get('cursor') is not None:  # "When set, all other fields are ignored"
            body = _decode_cursor(body['cursor'])
        query, size, start = body.get('query'), body.get('size'), body.get('from') or 0
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            raise _invalid('Field [size] must be a non-negative integer', fields=['size'])
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            raise _invalid('Field [from] must be a non-negative integer', fields=['from'])
        matched = _sort_deployments([dep for dep in env.deployments.values() if _query_matches(dep, query)], body.get('sort'))
        returned = matched[start:] if size is None else matched[start:start + size]
        result = {'return_count': len(returned), 'match_count': len(matched), 'deployments': []}
        if start + len(returned) < len(matched):
            # the next page is the next offset of the same query in the order at the time it is read
            result['cursor'] = _encode_cursor(dict(query=query, size=size, sort=body.get('sort'), **{'from': start + len(returned)}))
        minimal = req.query.get('minimal_metadata')
        if minimal:
            fields = [field.strip() for field in minimal.split(',') if field.strip()]
            result['minimal_metadata'] = [{field: _minimal_value(dep, field) for field in fields} for dep in returned]
        else:
            flags = {'show_plans': False, 'show_plan_logs': False, 'show_plan_history': False, 'show_settings': False,
                     'show_metadata': False, 'clear_transient': False}
            result['deployments'] = [self.render_deployment(dep, flags, search=True) for dep in returned]
        return Response(200, result)

    # ---- deployments: update -----------------------------------------------------------------------------
    def update_deployment(self, env, req, dep_id):
        dep = self._deployment(env, dep_id)
        body = self._body(req)
        if 'prune_orphans' not in body or not isinstance(body['prune_orphans'], bool):
            raise _invalid('Field [prune_orphans] is required and must be a boolean', code='root.invalid_json_request',
                           fields=['prune_orphans'])
        if 'version' in req.query and req.query['version'] != str(dep.version):
            raise EceError(409, 'deployments.deployment_version_conflict',
                           'The deployment [%s] was modified concurrently: version [%s] was given but the current version is [%d]'
                           % (dep.id, req.query['version'], dep.version))
        prune = body['prune_orphans']
        validate_only = self._bool(req, 'validate_only', False)
        hide_pruned = self._bool(req, 'hide_pruned_orphans', False)
        self._bool(req, 'skip_snapshot', False)
        resources = body.get('resources') or {}
        if not isinstance(resources, dict):
            raise _invalid('Field [resources] must be an object', code='root.invalid_json_request')
        for kind in ('apm', 'appsearch', 'enterprise_search', 'integrations_server'):
            if resources.get(kind):
                raise _invalid('The simulator does not support adding [%s] resources' % kind, code='deployments.unsupported_resource')
        es_payloads = resources.get('elasticsearch') or []
        kibana_payloads = resources.get('kibana') or []
        es_change = None
        for payload in es_payloads:
            es_change = self._check_es_payload(dep, payload)
        for payload in kibana_payloads:
            self._check_kibana_payload(dep, payload)
        if body.get('name') is not None and not isinstance(body['name'], str):
            raise _invalid('Field [name] must be a string', fields=['name'])
        if es_change is not None and dep.es.pending is not None:
            raise _invalid('There is a plan still pending for [%s], cancel that or wait for it to complete before submitting a new one'
                           % dep.es.ref_id, code='clusters.cluster_plan_state_error')
        if validate_only:
            diagnostics = {'updates': {'elasticsearch': [{'ref_id': dep.es.ref_id, 'display_name': dep.name,
                                                          'backend_plan': es_change['plan'] if es_change else deep_copy_json(dep.es.plan)}]}}
            return Response(200, {'id': dep.id, 'name': dep.name, 'resources': self._resource_list(dep), 'diagnostics': diagnostics})
        shutdown = {'elasticsearch': [], 'kibana': [], 'apm': [], 'appsearch': [], 'enterprise_search': [], 'integrations_server': []}
        if body.get('name'):
            del env.by_name[dep.name]
            dep.name = body['name']
            env.by_name[dep.name] = dep
        metadata = body.get('metadata') or {}
        if metadata.get('tags') is not None:
            dep.tags = deep_copy_json(metadata['tags'])
        if es_change is not None:
            self._apply_es_change(dep, es_change)
        elif prune and dep.es.status != 'stopped':
            # an Elasticsearch resource missing from a pruning update is an orphan: it is shut down with its dependents
            dep.es.status = 'stopped'
            dependents = []
            if dep.kibana and dep.kibana['status'] != 'stopped':
                dep.kibana['status'] = 'stopped'
                dependents.append({'id': dep.kibana_id, 'kind': 'kibana'})
            shutdown['elasticsearch'].append({'id': dep.es.cluster_id, 'dependents': dependents})
        if kibana_payloads and dep.kibana:
            dep.kibana['plan'] = deep_copy_json(kibana_payloads[-1]['plan'])
            if dep.es.status != 'stopped':
                dep.kibana['status'] = 'started'
        elif prune and dep.kibana and dep.kibana['status'] != 'stopped':
            dep.kibana['status'] = 'stopped'
            shutdown['kibana'].append(dep.kibana_id)
        dep.touch()
        response = {'id': dep.id, 'name': dep.name, 'resources': self._resource_list(dep)}
        if prune and not hide_pruned:
            response['shutdown_resources'] = shutdown
        return Response(200, response, self._resource_headers(dep.version, dep.created, dep.modified))

    def _check_es_payload(self, dep, payload):
        env = dep.env
        if not isinstance(payload, dict):
            raise _invalid('Elasticsearch payloads must be objects', code='root.invalid_json_request')
        for field in ('ref_id', 'region', 'plan'):
            if payload.get(field) is None:
                raise _invalid('Field [resources.elasticsearch[].%s] is required' % field, code='root.invalid_json_request',
                               fields=['resources.elasticsearch[].%s' % field])
        if payload['ref_id'] != dep.es.ref_id:
            raise _invalid('The simulator does not support adding Elasticsearch resources (unknown ref_id [%s]; the deployment has [%s])'
                           % (payload['ref_id'], dep.es.ref_id), code='deployments.unsupported_resource')
        if payload['region'] != env.region:
            raise _invalid('Region [%s] does not match the region [%s] of the resource' % (payload['region'], env.region),
                           code='templates.region_not_found')
        plan = payload['plan']
        if not isinstance(plan, dict) or not plan.get('cluster_topology') or not isinstance(plan.get('elasticsearch'), dict):
            raise _invalid('The plan needs a non-empty [cluster_topology] and an [elasticsearch] section',
                           code='clusters.cluster_invalid_plan')
        plan = deep_copy_json(plan)
        new_version = plan['elasticsearch'].get('version') or dep.es.version
        try:
            new_vt = parse_version(new_version)
        except ValueError:
            raise _invalid('Elasticsearch version [%s] is not available' % new_version, code='stackpack.version_not_found')
        cur = dep.es.vt
        if new_vt < cur:
            raise _invalid('Downgrading Elasticsearch from [%s] to [%s] is not supported' % (dep.es.version, new_version),
                           code='clusters.cluster_invalid_plan')
        if new_vt[0] > cur[0] and (new_vt[0] - cur[0] > 1 or cur[1] < {6: 8, 7: 17, 8: 19}.get(cur[0], 0)):
            raise _invalid('Upgrading Elasticsearch from [%s] to [%s] is not supported: upgrade to the last minor of %d.x first'
                           % (dep.es.version, new_version, cur[0]), code='clusters.cluster_invalid_plan')
        plan['elasticsearch']['version'] = new_version
        transient = plan.get('transient') or {}
        reboot = ((transient.get('plan_configuration') or {}).get('cluster_reboot') == 'forced')
        settings = payload.get('settings')
        change = {'plan': plan, 'version': vstr(new_vt), 'reboot': reboot, 'transient': bool(transient),
                  'display_name': payload.get('display_name')}
        if settings is not None:
            if not isinstance(settings, dict):
                raise _invalid('Field [settings] must be an object', code='root.invalid_json_request')
            if 'trust' in settings:
                trust = settings['trust']
                change['trust'] = default_trust(env) if trust is None else self._check_trust(env, trust)
            if settings.get('keystore_contents') is not None:
                change['keystore'] = self._check_keystore_body(settings['keystore_contents'])
        return change

    def _check_kibana_payload(self, dep, payload):
        if not isinstance(payload, dict):
            raise _invalid('Kibana payloads must be objects', code='root.invalid_json_request')
        for field in ('ref_id', 'elasticsearch_cluster_ref_id', 'region', 'plan'):
            if payload.get(field) is None:
                raise _invalid('Field [resources.kibana[].%s] is required' % field, code='root.invalid_json_request')
        if dep.kibana is None or payload['ref_id'] != dep.kibana['ref_id']:
            raise _invalid('The simulator does not support adding Kibana resources (ref_id [%s])' % payload['ref_id'],
                           code='deployments.unsupported_resource')
        if payload['elasticsearch_cluster_ref_id'] != dep.es.ref_id:
            raise _invalid('Kibana [%s] must refer to Elasticsearch [%s]' % (payload['ref_id'], dep.es.ref_id))
        if not isinstance(payload['plan'], dict) or not isinstance(payload['plan'].get('kibana'), dict):
            raise _invalid('The Kibana plan needs a [kibana] section', code='clusters.cluster_invalid_plan')

    def _check_trust(self, env, trust):
        """Built-in checks of ``ElasticsearchClusterTrustSettings`` (schema and documented rules)."""
        if not isinstance(trust, dict):
            raise _invalid('Field [trust] must be an object', code='root.invalid_json_request')
        allowed = ['accounts', 'external'] + (['direct'] if env.v(3, 3, 0) else [])
        for key in trust:
            if key not in allowed:
                raise _invalid('Unknown field [trust.%s]' % key, code='root.invalid_json_request', fields=['trust.' + key])
        result = {}
        for kind in allowed:
            if kind not in trust or trust[kind] is None:
                continue
            if not isinstance(trust[kind], list):
                raise _invalid('Field [trust.%s] must be an array' % kind, code='root.invalid_json_request')
            result[kind] = []
            for index, entry in enumerate(trust[kind]):
                where = 'trust.%s[%d]' % (kind, index)
                if not isinstance(entry, dict):
                    raise _invalid('Field [%s] must be an object' % where, code='root.invalid_json_request')
                if not isinstance(entry.get('trust_all'), bool):
                    raise _invalid('Field [%s.trust_all] is required and must be a boolean' % where, code='root.invalid_json_request')
                allowlist = entry.get('trust_allowlist')
                if allowlist is not None and (not isinstance(allowlist, list) or not all(isinstance(item, str) for item in allowlist)):
                    raise _invalid('Field [%s.trust_allowlist] must be a list of strings' % where, code='root.invalid_json_request')
                clean = deep_copy_json(entry)
                if kind == 'accounts':
                    if not isinstance(entry.get('account_id'), str) or not entry['account_id']:
                        raise _invalid('Field [%s.account_id] is required' % where, code='root.invalid_json_request')
                elif kind == 'external':
                    rel_id = entry.get('trust_relationship_id')
                    if not isinstance(rel_id, str) or not rel_id:
                        raise _invalid('Field [%s.trust_relationship_id] is required' % where, code='root.invalid_json_request')
                    if rel_id not in env.trust_relationships:
                        raise _invalid('Trust relationship [%s] referenced by [%s] does not exist' % (rel_id, where),
                                       code='trust_relationships.not_found')
                    clean.pop('name', None)  # "retrieved from the TrustRelationship and ignored on write"
                else:
                    clean = self._check_direct(env, entry, where)
                result[kind].append(clean)
        return result

    @staticmethod
    def _check_direct(env, entry, where):
        if not isinstance(entry.get('name'), str) or not entry['name']:
            raise _invalid('Field [%s.name] is required' % where, code='root.invalid_json_request')
        certificates = entry.get('certificates')
        if not isinstance(certificates, list) or not certificates:
            raise _invalid('Field [%s.certificates] needs at least one certificate' % where, code='root.invalid_json_request')
        for cert in certificates:
            if not isinstance(cert, dict) or not isinstance(cert.get('pem'), str):
                raise _invalid('Field [%s.certificates[].pem] is required' % where, code='root.invalid_json_request')
            try:
                load_pem_certificates(cert['pem'])
            except ValueError:
                raise _invalid('Field [%s.certificates[].pem] is not a valid PEM certificate' % where)
        dtype = entry.get('type', 'generic')
        allowed_types = ('ECE', 'ESS', 'generic', 'proxy') if env.v(3, 7, 0) else ('ECE', 'ESS', 'generic')
        if dtype not in allowed_types:
            raise _invalid('Field [%s.type] must be one of %s' % (where, list(allowed_types)), code='root.invalid_json_request')
        scope_id = entry.get('scope_id')
        if scope_id is not None and not _SCOPE_RE.match(str(scope_id)):
            raise _invalid('Field [%s.scope_id] must be lowercase alphanumeric, at most 32 characters' % where)
        if dtype == 'proxy':
            if entry.get('trust_all') or entry.get('trust_allowlist') or scope_id or entry.get('additional_node_names'):
                raise _invalid('Direct trust [%s] of type proxy must have trust_all false and no trust_allowlist, scope_id or '
                               'additional_node_names' % entry['name'])
        else:
            if (entry.get('trust_all') or entry.get('trust_allowlist')) and not scope_id:
                raise _invalid('Direct trust [%s] needs a scope_id when it trusts all or has a trust_allowlist' % entry['name'])
            if not scope_id and not entry.get('additional_node_names'):
                raise _invalid('Direct trust [%s] needs a scope_id or additional_node_names' % entry['name'])
        clean = deep_copy_json(entry)
        clean['certificates'] = [{'pem': cert['pem']} for cert in certificates]
        clean.setdefault('uid', new_hex32())
        return clean

    def _apply_es_change(self, dep, change):
        es = dep.es
        effects = {}
        if 'trust' in change:
            es.trust = change['trust']  # replaces the whole trust object
            effects['trust'] = deep_copy_json(change['trust'])
        if 'keystore' in change:
            self._merge_keystore(es, change['keystore'])
            self.world.keystore_changed(es)
        if change['reboot']:
            effects['reboot'] = True
        if change['version'] != es.version:
            effects['version'] = change['version']
        if es.status == 'stopped':
            effects['start'] = True
            effects['was_stopped'] = True
        if self.world.settings['plans_enabled'] or effects.get('reboot') or effects.get('version') or effects.get('start'):
            self.world.start_plan(es, 'update', change['plan'], 'deployments.update-deployment', effects)
        else:
            es.plan = change['plan']
            if 'trust' in effects:
                es.applied_trust = deep_copy_json(effects['trust'])
            es.metadata_version += 1
            es.metadata_modified = time.time()

    # ---- keystore ----------------------------------------------------------------------------------------
    @staticmethod
    def _check_keystore_body(body):
        if not isinstance(body, dict) or not isinstance(body.get('secrets'), dict):
            raise _invalid('Field [secrets] is required and must be an object', code='root.invalid_json_request', fields=['secrets'])
        for name, entry in body['secrets'].items():
            if not name:
                raise _invalid('Keystore setting names must not be empty')
            if entry is not None and not isinstance(entry, dict):
                raise _invalid('Keystore entry [%s] must be an object' % name, code='root.invalid_json_request')
            if entry and entry.get('value') is not None and not isinstance(entry['value'], (str, dict)):
                raise _invalid('Keystore entry [%s]: value must be a string or an object' % name, code='root.invalid_json_request')
            if entry and entry.get('as_file') is not None and not isinstance(entry['as_file'], bool):
                raise _invalid('Keystore entry [%s]: as_file must be a boolean' % name, code='root.invalid_json_request')
        return body['secrets']

    def _merge_keystore(self, es, secrets):
        """PATCH semantics: merge; an entry without a value (or null) deletes the setting."""
        for name, entry in secrets.items():
            value = entry.get('value') if isinstance(entry, dict) else None
            if value is None:
                es.keystore.pop(name, None)
                continue
            as_file = entry.get('as_file')
            if as_file is None:
                as_file = isinstance(value, dict)
            stored = value if isinstance(value, str) else _json_string(value)
            es.keystore[name] = {'value': stored, 'as_file': bool(as_file)}

    @staticmethod
    def _render_keystore(es):
        return {'secrets': {name: {'as_file': entry['as_file']} for name, entry in sorted(es.keystore.items())}}

    def get_keystore(self, env, req, dep_id, ref_id):
        dummy, es = self._es(env, dep_id, ref_id)
        return Response(200, self._render_keystore(es))

    def patch_keystore(self, env, req, dep_id, ref_id):
        dummy, es = self._es(env, dep_id, ref_id)
        secrets = self._check_keystore_body(self._body(req))
        self._merge_keystore(es, secrets)
        # ECE writes the file to the nodes a moment later (keystore_file_seconds), and has them reload their secure
        # settings on the versions that reload remote credentials (keystore_reload_seconds; never when it is null);
        # below them only a restart loads the keystore
        self.world.keystore_changed(es)
        return Response(200, self._render_keystore(es))

    # ---- remote clusters ---------------------------------------------------------------------------------
    def get_remote_clusters(self, env, req, dep_id, ref_id):
        dummy, es = self._es(env, dep_id, ref_id)
        resources = []
        for ref in es.remote_clusters:
            item = dict(ref)
            item['info'] = remote_resource_info(self.world, es, ref)
            resources.append(item)
        return Response(200, {'resources': resources})

    def put_remote_clusters(self, env, req, dep_id, ref_id):
        dummy, es = self._es(env, dep_id, ref_id)
        body = self._body(req)
        items = body.get('resources')
        if not isinstance(items, list):
            raise _invalid('Field [resources] is required and must be an array', code='root.invalid_json_request', fields=['resources'])
        new_list = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise _invalid('Field [resources[%d]] must be an object' % index, code='root.invalid_json_request')
            for field in ('deployment_id', 'elasticsearch_ref_id', 'alias'):
                if not isinstance(item.get(field), str):
                    raise _invalid('Field [resources[%d].%s] is required' % (index, field), code='root.invalid_json_request')
            remote_dep = env.deployments.get(item['deployment_id'])
            if remote_dep is None or item['elasticsearch_ref_id'] not in (remote_dep.es.ref_id, '_main'):
                raise EceError(400, 'deployments.deployment_remote_resource_not_found',
                               'Invalid Remote Clusters Configuration. The following resource could not be found: '
                               '(deployment [%s] - ref_id [%s])' % (item['deployment_id'], item['elasticsearch_ref_id']))
            skip = item.get('skip_unavailable', False)
            if skip is not None and not isinstance(skip, bool):
                raise _invalid('Field [resources[%d].skip_unavailable] must be a boolean' % index, code='root.invalid_json_request')
            new_list.append({'deployment_id': remote_dep.id, 'elasticsearch_ref_id': item['elasticsearch_ref_id'],
                             'alias': item['alias'], 'skip_unavailable': bool(skip)})
        updates = {}
        new_aliases = set(ref['alias'] for ref in new_list)
        legacy = not es.v(7, 6, 0)
        for ref in es.remote_clusters:
            if ref['alias'] not in new_aliases:
                keys = ('seeds', 'proxy', 'skip_unavailable') if legacy else ('mode', 'proxy_address', 'server_name', 'skip_unavailable')
                for key in keys:
                    updates['cluster.remote.%s.%s' % (ref['alias'], key)] = None
        for ref in new_list:
            remote = env.deployments[ref['deployment_id']].es
            prefix = 'cluster.remote.%s.' % ref['alias']
            if legacy:
                updates[prefix + 'seeds'] = ['%s:1' % remote.endpoint]
                updates[prefix + 'proxy'] = '%s:%d' % (remote.endpoint, PORT_TRANSPORT_PASSTHROUGH)
            else:
                updates[prefix + 'mode'] = 'proxy'
                updates[prefix + 'proxy_address'] = '%s:%d' % (remote.endpoint, PORT_TRANSPORT_PASSTHROUGH)
                updates[prefix + 'server_name'] = remote.endpoint
            updates[prefix + 'skip_unavailable'] = 'true' if ref['skip_unavailable'] else 'false'
        if updates:
            try:
                # refused at once, as before: validated on a copy of the settings
                update_settings(types.SimpleNamespace(persistent=copy.deepcopy(es.persistent),
                                                      transient=copy.deepcopy(es.transient), vt=es.vt), {'persistent': updates})
            except EsError as err:
                raise EceError(500, 'deployments.cluster_request_failed',
                               'The Elasticsearch cluster rejected the remote cluster settings: %s' % err.reason)
        es.remote_clusters = new_list
        if updates:
            # 202 Accepted: ECE writes the settings a moment later (remote_clusters_apply_seconds)
            self.world.later(self.world.settings.get('remote_clusters_apply_seconds', 0.0), self._apply_remote_clusters, es, updates)
        return Response(202, {})

    def _apply_remote_clusters(self, es, updates):
        try:
            update_settings(es, {'persistent': updates})
        except EsError:  # changed since it was accepted: ECE's later failure is not modelled
            return
        refresh_connections(self.world, es)

    # ---- restart / plans ---------------------------------------------------------------------------------
    def restart(self, env, req, dep_id, ref_id):
        dep, es = self._es(env, dep_id, ref_id)
        cancel = self._bool(req, 'cancel_pending', False)
        skip_snapshot = self._bool(req, 'skip_snapshot', True)
        self._bool(req, 'restore_snapshot', True)
        group = req.query.get('group_attribute', '__zone__')
        if 'shard_init_wait_time' in req.query and not re.match(r'^\d+$', req.query['shard_init_wait_time']):
            raise _invalid('Query parameter [shard_init_wait_time] must be an integer')
        if es.pending is not None:
            if not cancel:
                raise EceError(422, 'deployments.deployment_resource_plan_change_error',
                               'There is a plan still pending for resource [%s], cancel that or wait for it to complete before '
                               'restarting' % es.ref_id)
            self.world.cancel_plan(es, 'The plan was cancelled by a restart with cancel_pending=true')
        plan = deep_copy_json(es.plan)
        plan['transient'] = {'plan_configuration': {'cluster_reboot': 'forced', 'skip_snapshot': skip_snapshot},
                             'strategy': {'rolling': {'group_by': group}}}
        effects = {'reboot': True}
        if es.status == 'stopped':
            effects.update({'start': True, 'was_stopped': True})
        self.world.start_plan(es, 'restart', plan, 'elasticsearch.restart-cluster', effects)
        dep.touch()
        return Response(202, {})

    def cancel_pending(self, env, req, dep_id, kind, ref_id):
        dep = self._deployment(env, dep_id)
        self._bool(req, 'force_delete', False)
        ignore_missing = self._bool(req, 'ignore_missing', False)
        if kind not in RESOURCE_KINDS:
            raise _invalid('Unknown resource kind [%s]' % kind)
        if kind == 'elasticsearch' and ref_id in (dep.es.ref_id, '_main'):
            pending = dep.es.pending
            if pending is not None:
                self.world.cancel_plan(dep.es)
            elif not ignore_missing:
                raise _invalid('The Resource does not have a pending plan', code='deployments.resource_does_not_have_a_pending_plan')
        elif kind == 'kibana' and dep.kibana and ref_id in (KIBANA_REF_ID, '_main'):
            if not ignore_missing:
                raise _invalid('The Resource does not have a pending plan', code='deployments.resource_does_not_have_a_pending_plan')
        else:
            raise EceError(404, 'deployments.deployment_resource_not_found',
                           'Resource [%s] with ref_id [%s] not found in deployment [%s]' % (kind, ref_id, dep_id))
        return Response(200, {'id': dep.id, 'kind': kind, 'ref_id': ref_id if ref_id != '_main' else ES_REF_ID})


def _json_string(value):
    return json.dumps(value, separators=(',', ':'))


# ---- deployment search (a subset of the ES query DSL over a few fields) -------------------------------------
_TOKEN_RE = re.compile(r'[a-z0-9]+')


def _tokens(text):
    return _TOKEN_RE.findall(str(text).lower())


def _field_values(dep, field):
    es = dep.es
    table = {
        'id': [dep.id], 'name': [dep.name], 'healthy': ['true' if es.healthy else 'false'],
        'resources.elasticsearch.id': [es.cluster_id], 'resources.elasticsearch.info.cluster_id': [es.cluster_id],
        'resources.elasticsearch.ref_id': [es.ref_id], 'resources.elasticsearch.region': [dep.env.region],
        'resources.elasticsearch.info.plan_info.current.plan.elasticsearch.version': [es.plan['elasticsearch']['version']],
        'resources.elasticsearch.info.status': [es.status],
        'resources.kibana.id': [dep.kibana_id] if dep.kibana else [],
        'metadata.tags.key': [tag.get('key') for tag in dep.tags],
        'metadata.tags.value': [tag.get('value') for tag in dep.tags],
    }
    return [str(value) for value in table.get(field, [])]


def _single(spec, key_name):
    """``{"field": {"value": x}}`` or ``{"field": x}`` -> (field, x)."""
    if not isinstance(spec, dict) or len(spec) != 1:
        raise _invalid('Query [%s] must name exactly one field' % key_name)
    field, value = next(iter(spec.items()))
    return field, value


def _query_matches(dep, query):
    if not query:
        return True
    if not isinstance(query, dict):
        raise _invalid('Field [query] must be an object')
    for kind, spec in query.items():
        if not _clause_matches(dep, kind, spec):
            return False
    return True


def _clause_matches(dep, kind, spec):
    if kind == 'match_all':
        return True
    if kind == 'match_none':
        return False
    if kind == 'term':
        field, value = _single(spec, kind)
        value = value.get('value') if isinstance(value, dict) else value
        return str(value) in _field_values(dep, field)
    if kind == 'prefix':
        field, value = _single(spec, kind)
        value = value.get('value') if isinstance(value, dict) else value
        return any(item.startswith(str(value)) for item in _field_values(dep, field))
    if kind == 'match':
        field, value = _single(spec, kind)
        operator = 'or'
        if isinstance(value, dict):
            operator = str(value.get('operator', 'or')).lower()
            value = value.get('query')
        wanted = _tokens(value)
        have = set()
        for item in _field_values(dep, field):
            have.update(_tokens(item))
        if not wanted:
            return False
        return all(token in have for token in wanted) if operator == 'and' else any(token in have for token in wanted)
    if kind == 'exists':
        return bool(_field_values(dep, (spec or {}).get('field')))
    if kind == 'nested':
        return _query_matches(dep, (spec or {}).get('query'))
    if kind in ('query_string', 'simple_query_string'):
        wanted = _tokens((spec or {}).get('query', ''))
        have = set(_tokens(dep.name)) | set([dep.id, dep.es.cluster_id])
        return any(token in have for token in wanted)
    if kind == 'bool':
        spec = spec or {}
        if not all(_query_matches(dep, clause) for clause in (spec.get('must') or []) + (spec.get('filter') or [])):
            return False
        if any(_query_matches(dep, clause) for clause in spec.get('must_not') or []):
            return False
        should = spec.get('should') or []
        if should:
            needed = spec.get('minimum_should_match')
            if needed is None:
                needed = 0 if (spec.get('must') or spec.get('filter')) else 1
            return sum(1 for clause in should if _query_matches(dep, clause)) >= int(needed)
        return True
    if kind == 'range':
        return True
    raise _invalid('Unsupported query [%s]' % kind)


def _encode_cursor(state):
    return base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode('utf-8')).decode('ascii')


def _decode_cursor(cursor):
    try:
        state = json.loads(base64.urlsafe_b64decode(str(cursor).encode('ascii')).decode('utf-8'))
    except (ValueError, UnicodeError):
        state = None
    if not isinstance(state, dict):
        raise _invalid('Field [cursor] is not a cursor of this search', fields=['cursor'])
    return state


def _sort_deployments(deployments, sort):
    """``sort`` as ES takes it (``"field"``, ``{"field": "asc"}``, ``{"field": {"order": "desc"}}``); without it, ECE's
    default: "query rank and last modified date descending" (the simulated queries rank every hit alike), so a deployment
    modified between two pages moves, and an offset cursor skips another."""
    if sort is None:
        return sorted(deployments, key=lambda dep: dep.modified, reverse=True)
    if not isinstance(sort, list):
        raise _invalid('Field [sort] must be an array', fields=['sort'])
    result = list(deployments)
    for item in reversed(sort):
        field, order = (item, 'asc') if isinstance(item, str) else (next(iter(item.items())) if isinstance(item, dict) and len(item) == 1
                                                                    else (None, None))
        order = order.get('order', 'asc') if isinstance(order, dict) else order
        if field is None or order not in ('asc', 'desc'):
            raise _invalid('Field [sort]: each item is a field name or {field: asc|desc} or {field: {order: asc|desc}}', fields=['sort'])
        if deployments and not any(_field_values(dep, field) for dep in deployments):
            raise _invalid('No mapping found for [%s] in order to sort on' % field, fields=['sort'])
        result.sort(key=lambda dep: (_field_values(dep, field) or [''])[0], reverse=order == 'desc')
    return result


def _minimal_value(dep, field):
    if field == 'id':
        return dep.id
    if field == 'name':
        return dep.name
    if field == 'healthy':
        return dep.es.healthy
    return None
