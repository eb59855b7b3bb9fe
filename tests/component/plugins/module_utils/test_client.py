# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP clients against a real HTTPS server on 127.0.0.1 (see conftest.py), and the validators."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import email.utils
import json
import socket
import time

import pytest

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiClient, ApiError, CheckModeWriteError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    check_alias, check_cluster_ids, check_pem, check_version, mask_secrets, normalize_pem, pem_key, same_certificate, split_pem_certificates,
    version_tuple)
from ansible_collections.ece.remote_clusters.plugins.module_utils._ece import EceClient
from ansible_collections.ece.remote_clusters.plugins.module_utils._elasticsearch import ElasticsearchClient
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Context, observed, run_manager
from ansible_collections.ece.remote_clusters.plugins.module_utils._trust import DeploymentTrust
from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import wait_for_plan

API_KEY = 'sekret-api-key-123'
USERNAME = 'elastic'
PASSWORD = 'sekret-pass-456'
BASIC_TOKEN = 'ZWxhc3RpYzpzZWtyZXQtcGFzcy00NTY='  # base64('elastic:sekret-pass-456')
MASK = '********'
AWKWARD = u'sek"ret\\p\u00e4ss-789'  # a password that JSON escapes
AWKWARD_TOKEN = base64.b64encode((USERNAME + ':' + AWKWARD).encode('utf-8')).decode('ascii')
CLUSTER_ID = '0123456789abcdef0123456789abcdef'
INSECURE = pytest.mark.filterwarnings('ignore:Unverified HTTPS request')


def _ece_error(code, message):
    return {'errors': [{'code': code, 'message': message}]}


def _es_error(error_type, reason):
    return {'error': {'root_cause': [{'type': error_type, 'reason': reason}], 'type': 'outer_type', 'reason': 'outer reason'},
            'status': 400}


# -- authentication ------------------------------------------------------------------------------
def test_api_key_header_and_default_headers(server, make_client):
    server.reply(dict(status=200, body={'ok': True}))
    client = make_client(ApiClient, api_key=API_KEY)
    status, body, headers = client.request('PUT', '/things/1', 'put thing', params={'refresh': 'true'}, body={'a': [1, 2]})
    assert (status, body, headers['Content-Type']) == (200, {'ok': True}, 'application/json')
    (seen,) = server.requests
    assert seen.headers['authorization'] == 'ApiKey ' + API_KEY
    assert seen.headers['accept'] == 'application/json'
    assert seen.headers['content-type'] == 'application/json'
    assert seen.headers['user-agent'] == 'ece.remote_clusters'
    assert (seen.method, seen.path, seen.query, seen.body) == ('PUT', '/things/1', {'refresh': 'true'}, '{"a":[1,2]}')
    assert (client.requests_sent, client.writes_sent) == (1, 1)


def test_basic_auth_header(server, make_client):
    server.reply(200)
    client = make_client(ApiClient, api_key=None, username=USERNAME, password=PASSWORD)
    client.request('GET', '/', 'read')
    assert server.requests[0].headers['authorization'] == 'Basic ' + BASIC_TOKEN
    assert base64.b64decode(BASIC_TOKEN) == b'elastic:sekret-pass-456'


def test_api_key_wins_over_username(server, make_client):
    server.reply(200)
    make_client(ApiClient, api_key=API_KEY, username=USERNAME, password=PASSWORD).request('GET', '/', 'read')
    assert server.requests[0].headers['authorization'] == 'ApiKey ' + API_KEY


def test_no_credentials_no_authorization_header(server, make_client):
    server.reply(200)
    make_client(ApiClient, api_key=None).request('GET', '/', 'read')
    assert 'authorization' not in server.requests[0].headers


def test_base_url_trailing_slash(server, make_client):
    server.reply(200)
    make_client(ApiClient, base_url=server.url + '/').request('GET', '/x', 'read')
    assert server.requests[0].path == '/x'


# -- TLS -----------------------------------------------------------------------------------------
def _tls_refused(client):
    with pytest.raises(ApiError) as info:
        client.request('GET', '/', 'read the thing')
    message = str(info.value)
    assert message.startswith('read the thing failed: TLS verification of https://127.0.0.1:')
    assert 'certificate verify failed' in message
    assert 'ca_path' in message and 'validate_certs' in message
    assert message.count('(') == message.count(')'), message
    assert info.value.status is None and info.value.operation == 'read the thing'
    return message


def test_tls_ca_path_is_trusted(server, make_client, pki):
    server.reply(200)
    assert make_client(ApiClient, ca_path=pki.ca_path).request('GET', '/', 'read')[0] == 200


def test_tls_without_ca_path_fails_clearly(server, make_client):
    message = _tls_refused(make_client(EceClient, ca_path=None))
    assert 'signed the ECE API certificate' in message
    assert server.requests == []


def test_tls_unrelated_ca_refused(server, make_client, pki):
    message = _tls_refused(make_client(ElasticsearchClient, ca_path=pki.other_ca_path))
    assert 'signed the Elasticsearch certificate' in message
    assert server.requests == []


def test_tls_error_is_not_retried(server, make_client, pki):
    client = make_client(ApiClient, ca_path=pki.other_ca_path, retries=3)
    _tls_refused(client)
    assert client.requests_sent == 1 and client.test_warnings == []


@INSECURE
def test_tls_validate_certs_false(server, make_client, pki):
    server.reply(200, 200)
    assert make_client(ApiClient, validate_certs=False, ca_path=None).request('GET', '/', 'read')[0] == 200
    # ca_path is ignored when verification is off
    assert make_client(ApiClient, validate_certs=False, ca_path=pki.other_ca_path).request('GET', '/', 'read')[0] == 200


def test_ca_path_wins_over_environment_bundle(server, make_client, pki, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', pki.other_ca_path)
    monkeypatch.setenv('CURL_CA_BUNDLE', pki.other_ca_path)
    server.reply(200)
    assert make_client(ApiClient, ca_path=pki.ca_path).request('GET', '/', 'read')[0] == 200


def test_environment_bundle_does_not_override_ca_path(server, make_client, pki, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', pki.ca_path)
    monkeypatch.setenv('CURL_CA_BUNDLE', pki.ca_path)
    _tls_refused(make_client(ApiClient, ca_path=pki.other_ca_path))
    # nor is the environment bundle used behind the user's back when ca_path is not set
    _tls_refused(make_client(ApiClient, ca_path=None))


def test_missing_ca_path_file_is_an_api_error(server, make_client, tmp_path):
    missing = str(tmp_path / 'no-such-ca.pem')
    with pytest.raises(ApiError) as info:
        make_client(ApiClient, ca_path=missing).request('GET', '/', 'read')
    assert 'read failed' in str(info.value) and missing in str(info.value)
    assert server.requests == []


def test_url_without_scheme_is_an_api_error(make_client):
    with pytest.raises(ApiError) as info:
        make_client(ApiClient, base_url='ece.example.com:12443').request('GET', '/api/v1', 'read')
    assert 'read failed' in str(info.value) and 'ece.example.com:12443/api/v1' in str(info.value)


# -- retries -------------------------------------------------------------------------------------
def test_retry_503_then_success(server, make_client):
    server.reply(503, 503, dict(status=200, body={'done': True}))
    client = make_client(ApiClient, retries=2)
    assert client.request('GET', '/x', 'read x')[1] == {'done': True}
    assert len(server.requests) == 3 and client.requests_sent == 3
    assert len(client.test_warnings) == 2
    assert client.test_warnings[0].startswith('read x: HTTP 503, retry 1 of 2 in ')
    assert client.test_warnings[1].startswith('read x: HTTP 503, retry 2 of 2 in ')


@pytest.mark.parametrize('status', [429, 502, 504])
def test_other_retry_statuses(server, make_client, status):
    server.reply(status, 200)
    client = make_client(ApiClient, retries=1)
    assert client.request('GET', '/x', 'read x')[0] == 200
    assert len(server.requests) == 2 and 'HTTP %d' % status in client.test_warnings[0]


def test_retry_after_seconds_is_honoured(server, make_client, fake_sleep):
    server.reply(dict(status=429, headers={'Retry-After': '1'}), 200)
    client = make_client(ApiClient, retries=3, sleep=fake_sleep)
    assert client.request('GET', '/x', 'read x')[0] == 200
    assert len(fake_sleep.delays) == 1 and fake_sleep.delays[0] >= 1.0
    assert 'HTTP 429, retry 1 of 3 in 1.0s' in client.test_warnings[0]


def test_retry_after_http_date_and_cap(server, make_client, fake_sleep):
    in_30s = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.reply(dict(status=503, headers={'Retry-After': in_30s}), dict(status=503, headers={'Retry-After': '3600'}),
                 dict(status=503, headers={'Retry-After': 'soon'}), 200)
    make_client(ApiClient, retries=3, sleep=fake_sleep).request('GET', '/x', 'read x')
    first, second, third = fake_sleep.delays
    assert 25 <= first <= 31
    assert second == 60.0  # never longer than MAX_RETRY_AFTER
    assert third <= 0.04  # an unreadable Retry-After falls back to the backoff


def test_backoff_is_jittered_exponential(server, make_client, fake_sleep):
    server.reply(503, 503, 503, 503, 503, 503, 200)
    make_client(ApiClient, retries=6, retry_backoff=0.5, sleep=fake_sleep).request('GET', '/x', 'read x')
    assert len(fake_sleep.delays) == 6
    for number, delay in enumerate(fake_sleep.delays, 1):
        ceiling = 0.5 * 2 ** (number - 1)
        assert ceiling / 2 <= delay <= ceiling, (number, delay)


def test_retries_exhausted(server, make_client):
    server.reply(dict(status=503, body=_ece_error('unavailable', 'busy')), 503, dict(status=503, body=_ece_error('unavailable', 'busy')))
    client = make_client(EceClient, retries=2)
    with pytest.raises(ApiError) as info:
        client.get('/api/v1/x', 'read x')
    assert info.value.status == 503
    assert str(info.value) == 'read x failed: HTTP 503: unavailable: busy (after 2 retries)'
    assert info.value.error == _ece_error('unavailable', 'busy')
    assert len(server.requests) == 3 and len(client.test_warnings) == 2


def test_no_retries_configured(server, make_client):
    server.reply(503)
    with pytest.raises(ApiError) as info:
        make_client(ApiClient, retries=0).request('GET', '/x', 'read x')
    assert info.value.status == 503 and 'after' not in str(info.value)
    assert len(server.requests) == 1


@pytest.mark.parametrize('status', [400, 401, 403, 404, 409])
def test_other_4xx_never_retried(server, make_client, status):
    server.reply(status, 200)
    client = make_client(EceClient, retries=3)
    with pytest.raises(ApiError) as info:
        client.request('PUT', '/api/v1/x', 'update x', body={})
    assert info.value.status == status and 'HTTP %d' % status in str(info.value)
    assert len(server.requests) == 1 and client.test_warnings == []


def test_allow_status_returns_instead_of_raising(server, make_client):
    server.reply(dict(status=404, body=_ece_error('not.found', 'nope')))
    status, body, dummy = make_client(EceClient).request('GET', '/api/v1/x', 'read x', allow_status=(404,))
    assert (status, body) == (404, _ece_error('not.found', 'nope'))


@pytest.mark.parametrize('method', ['GET', 'PUT', 'DELETE'])
def test_dropped_connection_retried(server, make_client, method):
    server.reply('drop', dict(status=200, body={'ok': 1}))
    client = make_client(ApiClient, retries=2)
    assert client.request(method, '/x', 'op', body={'a': 1} if method == 'PUT' else None)[1] == {'ok': 1}
    assert [r.method for r in server.requests] == [method, method]
    assert len(client.test_warnings) == 1 and 'retry 1 of 2' in client.test_warnings[0]


def test_dropped_post_write_not_retried(server, make_client):
    server.reply('drop', 200)
    client = make_client(ApiClient, retries=3)
    with pytest.raises(ApiError) as info:
        client.request('POST', '/_security/api_key', 'create key', body={'name': 'k'})
    assert str(info.value).startswith('create key failed: POST %s/_security/api_key: ' % server.url)
    assert 'after' not in str(info.value)
    assert len(server.requests) == 1 and client.test_warnings == []


def test_dropped_read_only_post_retried(server, make_client):
    server.reply('drop', dict(status=200, body={'hits': []}))
    client = make_client(ApiClient, retries=3)
    assert client.request('POST', '/_search', 'search', body={}, write=False)[1] == {'hits': []}
    assert len(server.requests) == 2 and client.writes_sent == 0


def test_dropped_every_time(server, make_client):
    server.reply('drop', 'drop', 'drop')
    with pytest.raises(ApiError) as info:
        make_client(ApiClient, retries=2).request('GET', '/x', 'read x')
    assert '(after 2 retries)' in str(info.value) and info.value.status is None
    assert len(server.requests) == 3


def _refused_url():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    port = listener.getsockname()[1]
    listener.close()
    return 'https://127.0.0.1:%d' % port


def test_connection_refused_post_write_is_retried(make_client):
    client = make_client(ApiClient, base_url=_refused_url(), retries=2)
    with pytest.raises(ApiError) as info:
        client.request('POST', '/x', 'create x', body={})
    assert '(after 2 retries)' in str(info.value)  # nothing reached the server: safe to send again
    assert client.requests_sent == 3 and len(client.test_warnings) == 2


def test_timeout_retried_then_success(server, make_client):
    server.reply(dict(status=200, delay=3), dict(status=200, body={'late': False}))
    client = make_client(ApiClient, request_timeout=0.3, retries=2)
    assert client.request('GET', '/slow', 'read slow')[1] == {'late': False}
    assert len(server.requests) == 2
    assert client.test_warnings[0].startswith('read slow: no answer within 0.3s (request_timeout), retry 1 of 2')


def test_timeout_exhausted(server, make_client):
    server.reply_always(status=200, delay=3)
    client = make_client(ApiClient, request_timeout=0.3, retries=2)
    with pytest.raises(ApiError) as info:
        client.request('GET', '/slow', 'read slow')
    assert str(info.value) == 'read slow failed: GET %s/slow: no answer within 0.3s (request_timeout) (after 2 retries)' % server.url
    assert info.value.status is None
    assert len(server.requests) == 3 and len(client.test_warnings) == 2


def test_timeout_post_write_not_retried(server, make_client):
    server.reply_always(status=200, delay=3)
    client = make_client(ApiClient, request_timeout=0.3, retries=2)
    with pytest.raises(ApiError) as info:
        client.request('POST', '/x', 'create x', body={})
    assert 'no answer within 0.3s' in str(info.value)
    assert len(server.requests) == 1


# -- error formatting ----------------------------------------------------------------------------
def test_ece_error_format(server, make_client):
    body = _ece_error('deployments.deployment_not_found', 'Deployment abc could not be found')
    server.reply(dict(status=404, body=body))
    with pytest.raises(ApiError) as info:
        make_client(EceClient).get_deployment('abc')
    assert str(info.value) == ('get deployment abc failed: HTTP 404: deployments.deployment_not_found: '
                               'Deployment abc could not be found')
    assert info.value.message == str(info.value)
    assert (info.value.status, info.value.error, info.value.operation) == (404, body, 'get deployment abc')


def test_ece_several_errors(server, make_client):
    body = {'errors': [{'code': 'a.one', 'message': 'first'}, {'code': 'b.two', 'message': 'second'}]}
    server.reply(dict(status=400, body=body))
    with pytest.raises(ApiError) as info:
        make_client(EceClient).get('/api/v1/x', 'read x')
    assert str(info.value) == 'read x failed: HTTP 400: a.one, b.two: first; second'


def test_ece_non_json_and_empty_bodies(server, make_client):
    server.reply(dict(status=500, body='<html>Internal Server Error</html>'), dict(status=404))
    client = make_client(EceClient, retries=0)
    with pytest.raises(ApiError) as info:
        client.get('/api/v1/x', 'read x')
    assert str(info.value) == 'read x failed: HTTP 500: <html>Internal Server Error</html>'
    assert info.value.error == '<html>Internal Server Error</html>'
    with pytest.raises(ApiError) as info:
        client.get('/api/v1/x', 'read x')
    assert str(info.value) == 'read x failed: HTTP 404: Not Found'
    assert info.value.error is None


def test_es_root_cause_error_format(server, make_client):
    body = _es_error('illegal_argument_exception', 'unknown setting [cluster.remote.x.bogus]')
    server.reply(dict(status=400, body=body))
    with pytest.raises(ApiError) as info:
        make_client(ElasticsearchClient).request('PUT', '/_cluster/settings', 'update cluster settings', body={})
    assert str(info.value) == ('update cluster settings failed: HTTP 400: illegal_argument_exception: '
                               'unknown setting [cluster.remote.x.bogus]')
    assert (info.value.status, info.value.error) == (400, body)


def test_es_plain_string_error(server, make_client):
    body = {'error': 'no handler found for uri [/_nope] and method [GET]', 'status': 400}
    server.reply(dict(status=400, body=body))
    with pytest.raises(ApiError) as info:
        make_client(ElasticsearchClient).get('/_nope', 'read nope')
    assert str(info.value) == 'read nope failed: HTTP 400: no handler found for uri [/_nope] and method [GET]'
    assert info.value.error == body


def test_es_non_json_error(server, make_client):
    server.reply(dict(status=502, body='Bad gateway from the proxy'))
    with pytest.raises(ApiError) as info:
        make_client(ElasticsearchClient, retries=0).get('/', 'read root')
    assert str(info.value) == 'read root failed: HTTP 502: Bad gateway from the proxy'
    assert (info.value.status, info.value.error) == (502, 'Bad gateway from the proxy')


# -- check mode ----------------------------------------------------------------------------------
@pytest.mark.parametrize('method', ['PUT', 'POST', 'PATCH', 'DELETE', 'put'])
def test_read_only_refuses_writes(server, make_client, method):
    client = make_client(ApiClient, read_only=True)
    with pytest.raises(CheckModeWriteError) as info:
        client.request(method, '/x', 'change x', body={})
    assert 'change x would send %s /x in check mode' % method.upper() == str(info.value)
    assert server.requests == [] and client.requests_sent == 0


def test_read_only_allows_reads(server, make_client):
    server.reply(200, 200)
    client = make_client(ApiClient, read_only=True)
    assert client.request('POST', '/_search', 'search', body={}, write=False)[0] == 200
    assert client.request('GET', '/x', 'read x')[0] == 200
    assert [r.method for r in server.requests] == ['POST', 'GET'] and client.writes_sent == 0


# -- ECE client ----------------------------------------------------------------------------------
def test_ece_platform_path():
    assert EceClient('https://ece', region='ece-region').platform_path('/x') == '/api/v1/regions/ece-region/platform/x'
    assert EceClient('https://ece', region='').platform_path('/x') == '/api/v1/platform/x'
    assert EceClient('https://ece', region=None).platform_path('/x') == '/api/v1/platform/x'
    assert EceClient.deployment_path('d1', '/elasticsearch/main') == '/api/v1/deployments/d1/elasticsearch/main'


def test_ece_list_trust_relationships(server, make_client):
    server.reply(dict(status=200, body={'trust_relationships': [{'id': 'local'}]}))
    assert make_client(EceClient, region='r2').list_trust_relationships() == [{'id': 'local'}]
    (seen,) = server.requests
    assert (seen.path, seen.query) == ('/api/v1/regions/r2/platform/configuration/trust-relationships',
                                       {'include_certificate': 'true'})


def _deployment(attempt_id='a1'):
    plan = {'cluster_topology': [{'size': {'value': 1024}}], 'elasticsearch': {'version': '8.14.3'},
            'transient': {'plan_configuration': {'cluster_reboot': 'forced'}}}
    return {'id': 'd1', 'resources': {'elasticsearch': [
        {'ref_id': 'main-elasticsearch', 'region': 'ece-region', 'id': CLUSTER_ID,
         'info': {'settings': {'trust': {'accounts': []}},
                  'plan_info': {'current': {'plan_attempt_id': attempt_id, 'plan': plan}}}}]}}


# -- the deployment search (ece_deployment_info, the inventory plugin) -------------------------------------
def test_search_deployments_follows_the_cursor_until_every_match_is_read(server, make_client):
    server.reply(dict(status=200, body={'deployments': [{'id': 'd1'}, {'id': 'd2'}], 'match_count': 3, 'cursor': 'c1'}),
                 dict(status=200, body={'deployments': [{'id': 'd2'}, {'id': 'd3'}], 'match_count': 3, 'cursor': 'c2'}))
    client = make_client(EceClient)
    deployments, match_count = client.search_deployments({'match_all': {}}, 2)
    # d2 was modified between the pages and came twice: returned once
    assert ([d['id'] for d in deployments], match_count) == (['d1', 'd2', 'd3'], 3)
    assert [(r.method, r.path, r.json()) for r in server.requests] == [
        ('POST', '/api/v1/deployments/_search', {'query': {'match_all': {}}, 'size': 2, 'sort': [{'id': {'order': 'asc'}}]}),
        ('POST', '/api/v1/deployments/_search', {'cursor': 'c1'})]
    assert client.writes_sent == 0  # a search is a read, also in check mode


def test_search_deployments_stops_at_a_repeated_cursor_and_refuses_an_answer_that_is_no_search(server, make_client):
    server.reply(dict(status=200, body={'deployments': [{'id': 'd1'}], 'match_count': 5, 'cursor': 'c1'}),
                 dict(status=200, body={'deployments': [{'id': 'd2'}], 'match_count': 5, 'cursor': 'c1'}),
                 dict(status=200, body={'ok': True}))
    client = make_client(EceClient, read_only=True)
    deployments, match_count = client.search_deployments({'match_all': {}}, 1)
    assert ([d['id'] for d in deployments], match_count) == (['d1', 'd2'], 5)  # the caller warns: 2 of 5
    with pytest.raises(ApiError, match='not a DeploymentsSearchResponse'):
        client.search_deployments({'match_all': {}}, 1)


# -- reads kept for the next step (remote_cluster_link) -------------------------------------------------
def test_kept_reads_answer_a_repeated_get_until_a_write_to_that_resource(server, make_client):
    server.reply(dict(status=200, body={'n': 1}), dict(status=200, body={'b': 1}), dict(status=200, body={}),
                 dict(status=200, body={'n': 2}))
    client = make_client(ApiClient)
    client.keep_reads()
    first = client.request('GET', '/a/1', 'read a', params={'x': 'true'}, reuse=True)[1]
    first['n'] = 'changed by the caller'
    assert client.request('GET', '/a/1', 'read a', params={'x': 'true'}, reuse=True)[1] == {'n': 1}  # a copy, not sent
    assert client.request('GET', '/b', 'read b', reuse=True)[1] == {'b': 1}
    client.request('PATCH', '/a/1/keystore', 'write a part of a', body={})  # forgets /a/1, not /b
    assert client.request('GET', '/a/1', 'read a', params={'x': 'true'}, reuse=True)[1] == {'n': 2}
    assert client.request('GET', '/b', 'read b', reuse=True)[1] == {'b': 1}
    sent = [(r.method, r.path) for r in server.requests]
    assert sent == [('GET', '/a/1'), ('GET', '/b'), ('PATCH', '/a/1/keystore'), ('GET', '/a/1')]


def test_a_read_answered_while_another_thread_writes_is_not_kept(server, make_client):
    # links of a rollout share a client: a read sent before another link's write and answered after it shows the state
    # before the write, and must not answer the next read
    server.reply(dict(status=200, body={'relationships': []}), dict(status=200, body={'id': 'r1'}),
                 dict(status=200, body={'relationships': ['r1']}))
    client = make_client(ApiClient)
    client.keep_reads()
    send = client._send

    def write_meanwhile(method, path, *args):
        answer = send(method, path, *args)
        if method == 'GET' and not server.requests[1:]:  # the other thread's write lands before this answer is kept
            client.request('POST', '/relationships', 'create r1', body={})
        return answer

    client._send = write_meanwhile
    assert client.request('GET', '/relationships', 'list', reuse=True)[1] == {'relationships': []}
    assert client.request('GET', '/relationships', 'list', reuse=True)[1] == {'relationships': ['r1']}
    assert [(r.method, r.path) for r in server.requests] == [('GET', '/relationships'), ('POST', '/relationships'),
                                                             ('GET', '/relationships')]


def test_a_poll_and_a_client_that_keeps_no_reads_always_ask_the_server(server, make_client):
    server.reply(*[dict(status=200, body={'n': i}) for i in range(4)])
    polling = make_client(ApiClient)
    polling.keep_reads()
    assert [polling.request('GET', '/plan', 'poll')[1]['n'] for dummy in range(2)] == [0, 1]  # no reuse=True: a poll
    plain = make_client(ApiClient)
    assert [plain.request('GET', '/a', 'read', reuse=True)[1]['n'] for dummy in range(2)] == [2, 3]
    assert len(server.requests) == 4


def _trust_writer(client, check_mode=False, ref_id=None, **params):
    """The deployment-trust manager of deployment d1 over ``client``, which adds account x: its ``apply`` is the trust
    read-modify-write; its warnings go where the client's go."""
    params = dict(dict(accounts=[{'account_id': 'x'}], wait=False), **params)
    return DeploymentTrust.create(Context(check_mode=check_mode, warn=client.test_warnings.append), client, deployment_id='d1',
                                  ref_id=ref_id, **params)


def _write(writer):
    """The read of ``writer`` (one GET of the deployment) and its read-modify-write (``apply``) of a trust without
    account x: the object after it, and what the write found (the plan it awaited)."""
    read = writer.read()
    return observed(writer.apply(read.object, {'accounts': [{'account_id': 'x', 'trust_all': False}]}, read.facts))


def test_the_trust_write_reads_again_after_waiting_for_a_pending_plan_even_with_kept_reads(server, make_client):
    pending = _deployment()
    pending['resources']['elasticsearch'][0]['info']['plan_info']['pending'] = {'plan_attempt_id': 'a2'}
    server.reply(dict(status=200, body=pending, headers={'x-cloud-resource-version': '5'}),
                 dict(status=200, body=_es_resource_info(current={'plan_attempt_id': 'a2'},
                                                         history=[{'plan_attempt_id': 'a2', 'healthy': True}])),
                 dict(status=200, body=_deployment('a2'), headers={'x-cloud-resource-version': '6'}),
                 dict(status=200, body={'id': 'd1'}))
    client = make_client(EceClient)
    client.keep_reads()
    _write(_trust_writer(client))
    assert [(r.method, r.path) for r in server.requests] == [
        ('GET', '/api/v1/deployments/d1'), ('GET', '/api/v1/deployments/d1/elasticsearch/main-elasticsearch'),
        ('GET', '/api/v1/deployments/d1'), ('PUT', '/api/v1/deployments/d1')]
    assert server.requests[3].query == {'version': '6'}


def test_the_trust_write_is_merged_again_and_sent_again_once_after_a_409(server, make_client):
    conflict = _ece_error('deployments.version_conflict', 'version mismatch')
    concurrent = _deployment()
    concurrent['resources']['elasticsearch'][0]['info']['settings']['trust'] = {'accounts': [{'account_id': 'y', 'trust_all': True}]}
    server.reply(dict(status=200, body=_deployment(), headers={'x-cloud-resource-version': '5'}),
                 dict(status=409, body=conflict),
                 dict(status=200, body=concurrent, headers={'x-cloud-resource-version': '6'}),
                 dict(status=200, body={'id': 'd1'}))
    client = make_client(EceClient)
    writer = _trust_writer(client)
    trust, found = _write(writer)
    settings = {'trust': {'accounts': [{'account_id': 'y', 'trust_all': True}, {'account_id': 'x', 'trust_all': False}]}}
    assert (trust, found) == (settings['trust'], {'plan': None})
    assert [(r.method, r.path) for r in server.requests] == [('GET', '/api/v1/deployments/d1'), ('PUT', '/api/v1/deployments/d1')] * 2
    assert server.requests[0].query == {'show_settings': 'true', 'show_metadata': 'true', 'show_plans': 'true',
                                        'clear_transient': 'true'}
    assert (server.requests[1].query, server.requests[3].query) == ({'version': '5'}, {'version': '6'})
    assert server.requests[1].json()['resources']['elasticsearch'][0]['settings'] == {'trust': {'accounts': [
        {'account_id': 'x', 'trust_all': False}]}}
    sent = server.requests[3].json()
    assert sent['prune_orphans'] is False
    (es,) = sent['resources']['elasticsearch']
    assert (es['ref_id'], es['region'], es['settings']) == ('main-elasticsearch', 'ece-region', settings)
    assert 'transient' not in es['plan'] and es['plan']['elasticsearch'] == {'version': '8.14.3'}
    assert len(client.test_warnings) == 1 and 'HTTP 409' in client.test_warnings[0]


def test_the_trust_write_fails_on_a_second_409(server, make_client):
    conflict = dict(status=409, body=_ece_error('deployments.version_conflict', 'version mismatch'))
    server.reply(dict(status=200, body=_deployment()), conflict, dict(status=200, body=_deployment()), conflict)
    with pytest.raises(ApiError) as info:
        _write(_trust_writer(make_client(EceClient), ref_id='main-elasticsearch'))
    assert info.value.status == 409 and len(server.requests) == 4


def test_the_trust_write_in_check_mode_reads_and_sends_no_write(server, make_client):
    server.reply(dict(status=200, body=_deployment()))
    client = make_client(EceClient, read_only=True)
    outcome = run_manager(_trust_writer(client, check_mode=True), validated=True)
    assert (outcome.changed, outcome.after) == (True, {'accounts': [{'account_id': 'x', 'trust_all': False}]})
    assert [r.method for r in server.requests] == ['GET']


def _es_resource_info(pending=None, current=None, history=None):
    return {'info': {'plan_info': {'pending': pending, 'current': current or {}, 'history': history or []}}}


def test_ece_wait_for_plan_success(server, make_client, fake_sleep):
    done = {'plan_attempt_id': 'a2', 'plan_attempt_log': [{'step_id': 'plan-completed', 'status': 'success'}]}
    server.reply(dict(status=200, body=_es_resource_info(pending={'plan_attempt_id': 'a2'}, current={'plan_attempt_id': 'a1'})),
                 dict(status=200, body=_es_resource_info(current=done)))
    summary = wait_for_plan(make_client(EceClient, sleep=fake_sleep), 'd1', 'main-elasticsearch', 60, previous_attempt='a1')
    assert (summary['attempt_id'], summary['status']) == ('a2', 'success')
    assert fake_sleep.delays == [0.25]  # first poll interval; it grows by half each poll
    assert server.requests[0].path == '/api/v1/deployments/d1/elasticsearch/main-elasticsearch'
    assert server.requests[0].query == {'show_plans': 'true', 'show_plan_logs': 'true', 'show_plan_history': 'true'}


def test_ece_wait_for_plan_failure_names_the_plan_error(server, make_client, fake_sleep):
    failed = {'plan_attempt_id': 'a2', 'plan_attempt_log': [
        {'step_id': 'plan-completed', 'status': 'error', 'info_log': [{'message': 'trust settings are invalid'}]}]}
    server.reply(dict(status=200, body=_es_resource_info(current={'plan_attempt_id': 'a1'}, history=[{'plan_attempt_id': 'a1'}, failed])))
    with pytest.raises(ApiError) as info:
        wait_for_plan(make_client(EceClient, sleep=fake_sleep), 'd1', 'main-elasticsearch', 60, previous_attempt='a1')
    assert str(info.value).endswith('plan attempt a2 failed: trust settings are invalid')
    assert info.value.error == {'plan_attempt_id': 'a2', 'message': 'trust settings are invalid'}


# -- Elasticsearch client ------------------------------------------------------------------------
def test_es_version_read_once(server, make_client):
    server.reply(dict(status=200, body={'cluster_name': 'c', 'version': {'number': '8.14.3'}}))
    client = make_client(ElasticsearchClient)
    assert client.version == '8.14.3'
    assert client.version_at_least('8.14') and client.version_at_least('8.14.3') and client.version_at_least('7.17.0')
    assert not client.version_at_least('8.15.0')
    assert [(r.method, r.path) for r in server.requests] == [('GET', '/')]


def test_es_uses_api_key():
    assert ElasticsearchClient('https://es', api_key=API_KEY).uses_api_key
    assert not ElasticsearchClient('https://es', username=USERNAME, password=PASSWORD).uses_api_key
    assert not ElasticsearchClient('https://es').uses_api_key


# -- secrets -------------------------------------------------------------------------------------
def _echo_credentials(record):
    """What a careless server might say: the Authorization header and the credentials in it."""
    header = record.headers.get('authorization', '')
    scheme, dummy, value = header.partition(' ')
    decoded = base64.b64decode(value).decode('utf-8') if scheme == 'Basic' else value
    return 'denied for Authorization: %s (credentials %s, token %s)' % (header, decoded, value)


SCENARIOS = {
    'ece-errors': dict(status=404, body=lambda r: {'errors': [{'code': 'auth.%s' % _echo_credentials(r), 'message': _echo_credentials(r)}]}),
    'es-root-cause': dict(status=400, body=lambda r: {'error': {'root_cause': [{'type': 'security_exception', 'reason': _echo_credentials(r)}],
                                                                'header': r.headers.get('authorization')}}),
    'es-string': dict(status=400, body=lambda r: {'error': _echo_credentials(r)}),
    'non-json': dict(status=500, body=_echo_credentials),
    'unauthorized': dict(status=401, body=lambda r: {'errors': [{'code': 'root.unauthenticated', 'message': _echo_credentials(r)}],
                                                     'error': {'reason': _echo_credentials(r)}}),
    'retries-exhausted': dict(status=503, body=lambda r: {'errors': [{'message': _echo_credentials(r)}], 'error': _echo_credentials(r)}),
    'dropped': dict(drop=True),
    'timeout': dict(status=200, delay=3),
}

AUTH = {
    'api_key': (dict(api_key=API_KEY), (API_KEY,)),
    'basic': (dict(api_key=None, username=USERNAME, password=PASSWORD), (PASSWORD, BASIC_TOKEN)),
    'basic-awkward': (dict(api_key=None, username=USERNAME, password=AWKWARD), (AWKWARD, AWKWARD_TOKEN)),
}


def _strings(value):
    """Every string in a JSON-like value, keys included."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _assert_no_secret(client, exc, secrets):
    texts = [str(exc), exc.message, json.dumps(exc.error), json.dumps(exc.error, ensure_ascii=False)] + _strings(exc.error)
    texts.extend(client.test_warnings)
    for secret in secrets + (API_KEY, PASSWORD, BASIC_TOKEN):
        for text in texts:
            assert secret not in text


# every scenario for both clients and every kind of credential; one timeout case is enough (it carries nothing from the server)
SECRET_CASES = [pytest.param(scenario, cls, auth, id='%s-%s-%s' % (scenario, name, auth))
                for scenario in sorted(SCENARIOS) for name, cls in (('ece', EceClient), ('es', ElasticsearchClient))
                for auth in sorted(AUTH) if scenario != 'timeout' or (name, auth) == ('es', 'basic')]


@pytest.mark.parametrize('scenario, cls, auth', SECRET_CASES)
def test_no_secret_in_errors_or_warnings(server, make_client, scenario, cls, auth):
    server.reply_always(**SCENARIOS[scenario])
    options, secrets = AUTH[auth]
    client = make_client(cls, retries=1, request_timeout=0.3, **options)
    with pytest.raises(ApiError) as info:
        client.request('GET', '/x', 'read x')
    _assert_no_secret(client, info.value, secrets)
    if scenario not in ('dropped', 'timeout'):
        assert MASK in str(info.value) or MASK in json.dumps(info.value.error)
        assert MASK in json.dumps(info.value.error)
    if scenario == 'retries-exhausted':
        assert len(client.test_warnings) == 1


@pytest.mark.parametrize('auth', sorted(AUTH))
def test_no_secret_in_tls_errors(server, make_client, pki, auth):
    options, secrets = AUTH[auth]
    client = make_client(EceClient, ca_path=pki.other_ca_path, **options)
    with pytest.raises(ApiError) as info:
        client.request('GET', '/x', 'read x')
    _assert_no_secret(client, info.value, secrets)


def test_add_secret_redacts_values_the_api_returned(server, make_client):
    server.reply(dict(status=400, body={'error': {'reason': 'key new-key-xyz is a duplicate'}}))
    client = make_client(ElasticsearchClient)
    client.add_secret('new-key-xyz')
    client.add_secret('new-key-xyz')
    client.add_secret(None)
    with pytest.raises(ApiError) as info:
        client.request('POST', '/_security/api_key', 'create key', body={})
    assert 'new-key-xyz' not in str(info.value) and 'new-key-xyz' not in json.dumps(info.value.error)
    assert client.redact(42) == 42


# -- _common validators --------------------------------------------------------------------------
@pytest.mark.parametrize('text, expected', [('8.14.3', (8, 14, 3)), ('8.14', (8, 14, 0)), ('9.1.0-SNAPSHOT', (9, 1, 0)),
                                            (' 7.17.22 ', (7, 17, 22)), ('8.0.0+build1', (8, 0, 0)), ('10.2.11', (10, 2, 11))])
def test_version_tuple(text, expected):
    assert version_tuple(text) == expected


@pytest.mark.parametrize('text', ['8', 'eight', '', 'v8.14.3', '8.14.3.1', None])
def test_version_tuple_rejects(text):
    with pytest.raises(ValueError):
        version_tuple(text)
    assert check_version(text, 'minimum_version').startswith('minimum_version: ')


def test_version_ordering():
    assert version_tuple('8.10.0') > version_tuple('8.9.3')
    assert check_version('8.13.0', 'v') is None


def test_check_cluster_ids():
    assert check_cluster_ids([CLUSTER_ID], 'trust_allowlist') is None
    assert check_cluster_ids([], 'x') is None and check_cluster_ids(None, 'x') is None
    one = check_cluster_ids([CLUSTER_ID, CLUSTER_ID.upper()], 'trust_allowlist')
    assert one.startswith("trust_allowlist: '%s' is not an Elasticsearch cluster ID" % CLUSTER_ID.upper())
    two = check_cluster_ids(['my-deployment', CLUSTER_ID[:31], 12], 'ids')
    assert "'my-deployment', '%s', 12 are not" % CLUSTER_ID[:31] in two
    assert check_cluster_ids([CLUSTER_ID + '0'], 'ids') is not None


@pytest.mark.parametrize('alias', ['ece_b_data', 'a', 'remote-1', '0_9'])
def test_check_alias_valid(alias):
    assert check_alias(alias) is None


@pytest.mark.parametrize('alias', ['Upper', 'a.b', 'a b', '', None, 'a:b', u'\u00e4'])
def test_check_alias_invalid(alias):
    message = check_alias(alias, 'remote_alias')
    assert message.startswith('remote_alias: %r is not a valid remote cluster alias' % (alias,))


def test_check_pem(pki):
    assert check_pem(pki.ca_pem, 'certificate') is None
    assert check_pem(pki.ca_pem + pki.other_ca_pem, 'certificate') is None
    for bad in (pki.server_key_pem, 'not a pem', '', None, 42,
                '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
                '-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n'):
        message = check_pem(bad, 'certificate')
        assert message.startswith('certificate: not a PEM certificate'), bad


def test_normalize_pem_ignores_whitespace(pki):
    expected = normalize_pem(pki.ca_pem)
    assert expected == pki.ca_pem  # cryptography writes the canonical 64-column form
    body = pki.ca_pem.split('-----')[2]
    one_line = '-----BEGIN CERTIFICATE-----%s-----END CERTIFICATE-----' % ''.join(body.split())
    reflowed = '\r\n'.join('  ' + line + ' ' for line in pki.ca_pem.strip().splitlines())
    narrow = '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----' % '\n'.join(
        ''.join(body.split())[i:i + 40] for i in range(0, len(''.join(body.split())), 40))
    for variant in (one_line, reflowed, narrow, '\n\n' + pki.ca_pem + '\n\n'):
        assert normalize_pem(variant) == expected
    assert normalize_pem(pki.ca_pem + pki.other_ca_pem) == pki.ca_pem + pki.other_ca_pem
    assert len(split_pem_certificates(reflowed + '\n' + pki.other_ca_pem)) == 2
    assert normalize_pem(pki.ca_pem) != normalize_pem(pki.other_ca_pem)
    assert normalize_pem(pki.server_key_pem) is None


def test_same_certificate_compares_however_the_pem_is_wrapped(pki):
    one_line = '-----BEGIN CERTIFICATE-----%s-----END CERTIFICATE-----' % ''.join(pki.ca_pem.split('-----')[2].split())
    assert same_certificate(pki.ca_pem, one_line) and pem_key(one_line) == pki.ca_pem
    assert not same_certificate(pki.ca_pem, pki.other_ca_pem)
    assert not same_certificate(pki.ca_pem, None) and not same_certificate('', '')


def test_mask_secrets():
    value = {'name': 'n', 'api_key': 'k', 'nested': [{'password': 'p', 'keep': 1}, 'plain'], 'token': None}
    masked = mask_secrets(value, ('api_key', 'password', 'token'))
    assert masked == {'name': 'n', 'api_key': MASK, 'nested': [{'password': MASK, 'keep': 1}, 'plain'], 'token': None}
    assert value['api_key'] == 'k' and value['nested'][0]['password'] == 'p'
    assert mask_secrets({'api_key': 'k'}, ('api_key',), mask='X') == {'api_key': 'X'}
    assert mask_secrets('text', ('api_key',)) == 'text'


def test_no_log_values_of_options_and_suboptions_are_found():
    from ansible_collections.ece.remote_clusters.plugins.module_utils._common import no_log_values
    spec = {'password': {'no_log': True}, 'name': {},
            'side': {'type': 'dict', 'options': {'es_password': {'no_log': True}, 'es_url': {}}},
            'keys': {'type': 'list', 'options': {'secret': {'no_log': True}}}}
    params = {'password': 'p1', 'name': 'n', 'side': {'es_password': 'p2', 'es_url': 'u'}, 'keys': [{'secret': 'p3'}, {'secret': None}]}
    assert no_log_values(spec, params) == {'p1', 'p2', 'p3'}
