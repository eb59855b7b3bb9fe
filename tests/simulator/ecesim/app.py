"""The simulator application: certificates, listeners, dispatch, request log, faults, output file."""

from __future__ import annotations

import json
import os
import re
import ssl
import tempfile
import time
import traceback

from .admin import AdminApi, AdminError, apply_op
from .certs import CertAuthority
from .paths import default_out_file
from .ece_api import EceApi
from .es_api import EsApi
from .httpcore import Response, ServerCore
from .scenario import load_scenario, normalize_scenario
from .state import World
from .swagger import SpecSet
from .util import iso

LOG_LIMIT = 100000
_DEPLOYMENT_IN_PATH = re.compile(r'/deployments/([0-9a-f]{32})')


class SimulatorApp:
    """One simulator: call :meth:`start`, then :meth:`stop`. Thread-safe; all state sits behind ``world.lock``."""

    def __init__(self, scenario=None, out_file=None, spec_dir=None, latency_ms=None, plan_seconds=None, plain_http=None,
                 admin_port=0, host='127.0.0.1'):
        if isinstance(scenario, dict):
            self.scenario = normalize_scenario(scenario)
        else:
            self.scenario = load_scenario(scenario)
        if latency_ms is not None:
            self.scenario['latency_ms'] = float(latency_ms)
        if plan_seconds is not None:
            self.scenario['plan_seconds'] = float(plan_seconds)
        if plain_http:
            self.scenario['tls'] = False
        self.out_file = os.path.abspath(out_file or default_out_file())
        self.cert_dir = os.path.splitext(self.out_file)[0] + '-certs'
        self.spec_dir = spec_dir
        self.specs = SpecSet(spec_dir) if spec_dir else None
        self.admin_port = admin_port
        self.host = host
        self.world = World(self.scenario)
        self.core = ServerCore(self, host)
        self.ece = EceApi(self.world, self.specs)
        self.es = EsApi(self.world, self.specs)
        self.admin = AdminApi(self)
        self.info = None
        self.started = False

    # ---- startup -------------------------------------------------------------------------------------
    def _write(self, name, text):
        path = os.path.join(self.cert_dir, name)
        with open(path, 'w', encoding='ascii') as handle:
            handle.write(text)
        return path

    def _certificates(self):
        # server keys: a directory the simulator creates is its owner's alone
        os.makedirs(os.path.dirname(self.out_file), mode=0o700, exist_ok=True)
        os.makedirs(self.cert_dir, mode=0o700, exist_ok=True)
        public_root = None
        if any(env.proxy_ca == 'public' for env in self.world.envs.values()):
            public_root = CertAuthority('Simulated Public Root CA G1', org='Simulated Public Trust Services')
            self._write('public-root-ca.pem', public_root.pem)
        contexts = {}
        bundle = []
        for env in self.world.envs.values():
            env.ca = CertAuthority('%s platform CA' % env.name)
            cert_pem, key_pem = env.ca.issue('%s.%s' % (env.name, 'sim.example'), dns_names=['localhost', '*.%s.sim.example' % env.name],
                                             ip_addresses=['127.0.0.1'])
            env.server_cert_pem = cert_pem
            env.ca_file = self._write('%s-ca.pem' % env.name, env.ca.pem)
            cert_file = self._write('%s-server.pem' % env.name, cert_pem + env.ca.pem)
            key_file = self._write('%s-server-key.pem' % env.name, key_pem)
            os.chmod(key_file, 0o600)
            bundle.append(env.ca.pem)
            proxy_names = ['*.%s.sim.example' % env.name]
            if env.proxy_ca == 'public':
                root = public_root
            else:
                root = CertAuthority('%s proxy CA' % env.name)
            leaf_pem, dummy = root.issue('*.%s.sim.example' % env.name, dns_names=proxy_names)
            env.proxy_root_pem = root.pem
            env.proxy_chain = [leaf_pem, root.pem]
            env.proxy_ca_file = self._write('%s-proxy-ca.pem' % env.name, root.pem)
            if self.scenario['tls']:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert_file, key_file)
                context.set_alpn_protocols(['http/1.1'])
                contexts[env.name] = context
        self.ca_bundle = self._write('ca-bundle.pem', ''.join(bundle))
        return contexts

    def start(self):
        contexts = self._certificates()
        scheme = 'https' if self.scenario['tls'] else 'http'
        admin = self.core.listen({'kind': 'admin'}, None, self.admin_port)
        self.admin_url = 'http://%s:%d' % (self.host, admin.port)
        for env in self.world.envs.values():
            listener = self.core.listen({'kind': 'ece', 'env': env.name}, contexts.get(env.name))
            env.port = listener.port
            env.url = '%s://%s:%d' % (scheme, self.host, listener.port)
            for dep in env.deployments.values():
                listener = self.core.listen({'kind': 'es', 'env': env.name, 'dep_id': dep.id}, contexts.get(env.name))
                dep.es.port = listener.port
                dep.es.url = '%s://%s:%d' % (scheme, self.host, listener.port)
        self.world.reset()
        self.info = self._info()
        self._write_out()
        self.core.start()
        self.started = True
        return self

    def _info(self):
        envs = {}
        for env in self.world.envs.values():
            deployments = {}
            for dep in env.deployments.values():
                es = dep.es
                deployments[dep.name] = {
                    'id': dep.id, 'name': dep.name, 'kibana_id': dep.kibana_id if dep.has_kibana else None,
                    'elasticsearch': {'ref_id': es.ref_id, 'cluster_id': es.cluster_id, 'version': es.initial_version, 'url': es.url,
                                      'endpoint': es.endpoint, 'username': 'elastic', 'password': es.password,
                                      'api_key': es.admin_key_encoded, 'api_key_id': es.admin_key_id},
                }
            envs[env.name] = {
                'ece_url': env.url, 'ca_cert_file': env.ca_file, 'environment_id': env.env_id, 'account_id': env.account_id,
                'region': env.region, 'api_key': env.api_key, 'username': env.username, 'password': env.password,
                'proxy_ca': env.proxy_ca, 'proxy_ca_cert_file': env.proxy_ca_file, 'ece_version': env.ece_version,
                'local_trust_relationship_id': env.local_relationship_id, 'deployments': deployments,
            }
        return {'admin_url': self.admin_url, 'ca_bundle': self.ca_bundle, 'cert_dir': self.cert_dir, 'tls': self.scenario['tls'],
                'spec_dir': os.path.abspath(self.spec_dir) if self.spec_dir else None, 'scenario': self.scenario['source'],
                'pid': os.getpid(), 'environments': envs}

    def _write_out(self):
        directory = os.path.dirname(self.out_file)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix='.simulator-', suffix='.json', dir=directory)
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            json.dump(self.info, stream, indent=2)
            stream.write('\n')
        os.replace(tmp, self.out_file)

    def stop(self):
        if self.started:
            self.core.stop()
            self.started = False

    # ---- dispatch ------------------------------------------------------------------------------------
    def handle(self, context, req):
        kind = context['kind']
        if kind == 'admin':
            return self.admin.handle(req)
        world = self.world
        started = time.monotonic()
        stamp = time.time()
        env = world.envs[context['env']]
        dep = env.deployments[context['dep_id']] if kind == 'es' else None
        with world.lock:
            server = 'ece:%s' % env.name if kind == 'ece' else 'es:%s/%s' % (env.name, dep.name)
            fault = world.faults.take(server, req.method, req.path)
            mutate_problem = None
            if fault is not None and fault.mutate is not None:
                for op in fault.mutate if isinstance(fault.mutate, list) else [fault.mutate]:
                    try:
                        apply_op(world, op)
                    except (AdminError, KeyError, ValueError, TypeError) as exc:
                        mutate_problem = str(exc)
            delay = world.settings['latency_ms'] + (fault.latency_ms if fault is not None else 0)
        if delay > 0:
            time.sleep(delay / 1000.0)
        if fault is not None and fault.handled:
            # a gateway that gave up after the work was done: the request is handled, its answer replaced by the fault
            with world.lock:
                world.tick()
                dummy = self.ece.handle(env, req) if kind == 'ece' else self.es.handle(dep.es, req)
        if fault is not None and fault.drop:
            response = Response(drop=True)
        elif fault is not None and fault.status:
            response = self._fault_response(kind, fault)
        else:
            try:
                with world.lock:
                    world.tick()
                    response = self.ece.handle(env, req) if kind == 'ece' else self.es.handle(dep.es, req)
            except Exception as exc:  # a simulator bug: answer 500 and keep serving, with the cause in the log
                detail = ''.join(traceback.format_exception_only(type(exc), exc)).strip()
                response = Response(500, {'error': 'simulator internal error: %s' % detail})
                response.fault = 'internal_error: %s' % detail
                traceback.print_exc()
        if fault is not None:
            response.fault = fault.describe() + (' (mutate failed: %s)' % mutate_problem if mutate_problem else '')
        self._log(kind, env, dep, server, req, response, stamp, started)
        return response

    @staticmethod
    def _fault_response(kind, fault):
        status = int(fault.status)
        headers = {str(key): str(value) for key, value in fault.headers.items()}
        body = fault.body
        if body is None:
            message = 'Injected fault: HTTP %d' % status
            if kind == 'ece':
                body = {'errors': [{'code': 'sim.injected_fault', 'message': message}]}
                headers.setdefault('x-cloud-error-codes', 'sim.injected_fault')
            else:
                body = {'error': {'root_cause': [{'type': 'sim_injected_fault', 'reason': message}], 'type': 'sim_injected_fault',
                                  'reason': message}, 'status': status}
        elif isinstance(body, str):
            body = body.encode('utf-8')
        return Response(status, body, headers)

    def _log(self, kind, env, dep, server, req, response, stamp, started):
        path = req.path
        if kind == 'ece':
            match = _DEPLOYMENT_IN_PATH.search(path)
            found = env.deployments.get(match.group(1)) if match else None
            dep_name = found.name if found else None
        else:
            dep_name = dep.name
        write = req.method in ('PUT', 'POST', 'PATCH', 'DELETE')
        if req.method == 'POST' and (path.rstrip('/').endswith('/deployments/_search') or path.startswith('/_security/_query/api_key')):
            write = False
        entry = {
            'seq': 0, 'time': iso(stamp), 'server': server, 'client': '%s:%s' % tuple(req.client[:2]) if req.client else None,
            'env': env.name, 'deployment': dep_name, 'method': req.method,
            'path': path, 'query': dict(req.query), 'status': None if response.drop else response.status,
            'duration_ms': round((time.monotonic() - started) * 1000, 3), 'write': write, 'body': req.logged_body(),
            'spec_violation': response.spec_violation, 'fault': response.fault,
        }
        with self.world.lock:
            self.world.seq += 1
            entry['seq'] = self.world.seq
            self.world.log.append(entry)
            if len(self.world.log) > LOG_LIMIT * 1.1:
                del self.world.log[:len(self.world.log) - LOG_LIMIT]
