# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ece_remote_clusters when another writer changes the same list at the same time, made deterministic.

The remote-clusters API replaces the whole list and has no version check. The module runs in this process; the other
writer is this test, which writes the list directly through the ECE API at a moment the simulator holds fixed: an
injected latency keeps the module's request waiting inside the simulator while the other writer's request is handled.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import time

import pytest
import requests

MODULE = 'ece_remote_clusters'
REF_ID = 'main-elasticsearch'
LIST_PATH = r'/elasticsearch/main-elasticsearch/remote-clusters$'


@pytest.fixture
def ids(conn):
    return dict((name, conn.deployment('ece-a', name)['id']) for name in ('search-a', 'logs-a', 'legacy-a'))


def entry(alias, deployment_id):
    return {'alias': alias, 'deployment_id': deployment_id, 'elasticsearch_ref_id': REF_ID, 'skip_unavailable': False}


def list_url(sim, deployment_id):
    ece_url = sim.info['environments']['ece-a']['ece_url']
    return '%s/api/v1/deployments/%s/elasticsearch/%s/remote-clusters' % (ece_url, deployment_id, REF_ID)


def put_list(sim, deployment_id, resources):
    """The other writer: sets the whole list through the ECE API."""
    response = requests.put(list_url(sim, deployment_id), json={'resources': resources}, headers=sim.ece_headers('ece-a'),
                            verify=sim.info['ca_bundle'], timeout=10)
    assert response.status_code == 202, response.text


def api_aliases(sim, deployment_id):
    response = requests.get(list_url(sim, deployment_id), headers=sim.ece_headers('ece-a'), verify=sim.info['ca_bundle'], timeout=10)
    assert response.status_code == 200, response.text
    return sorted(e['alias'] for e in response.json()['resources'])


def module_requests(sim, method):
    """The module's requests to the list (the other writer's are the test's own, told apart by their client port)."""
    return [r for r in sim.requests() if r['method'] == method and r['path'].endswith('/remote-clusters')]


def wait_taken(sim, fault_id, timeout=10):
    """Block until the simulator applied fault ``fault_id`` to a request (that request is now waiting in its latency)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        remaining = [f['remaining'] for f in sim.admin('GET', '/_sim/faults')['faults'] if f['id'] == fault_id]
        if not remaining or remaining[0] == 0:
            return True
        time.sleep(0.01)
    return False


def in_background(target):
    errors = []

    def run():
        try:
            target()
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)
    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_another_writer_replacing_the_list_right_after_the_write_does_not_lose_this_runs_alias(sim, conn, ids, run_module):
    """Two runs add different aliases at once: the other run read the list before this run's write and wrote it back
    (with its own alias) just after, before this run read it back. This run must notice, merge again and write again:
    both aliases end up in the list."""
    sim.clear_log()
    put_fault = sim.fault(match={'server': '^ece:ece-a$', 'method': 'PUT', 'path': LIST_PATH}, latency_ms=300, count=1)

    def other_writer():
        assert wait_taken(sim, put_fault['id'])  # this run's PUT is in the simulator
        # this run's read-back waits 1.5 s inside the simulator, after the other run's write
        get_fault = sim.fault(match={'server': '^ece:ece-a$', 'method': 'GET', 'path': LIST_PATH}, latency_ms=1500, count=1)
        assert wait_taken(sim, get_fault['id'])
        put_list(sim, ids['search-a'], [entry('legacy_a', ids['legacy-a'])])  # the other run's list: read before this write
    thread, errors = in_background(other_writer)

    result = run_module(MODULE, conn.ece('ece-a', deployment_id=ids['search-a'], ref_id=REF_ID,
                                         remote_clusters=[{'alias': 'logs_a', 'deployment_id': ids['logs-a']}]))
    thread.join(30)
    assert errors == []

    assert result.get('failed') is not True, result
    assert result['changed'] is True
    assert api_aliases(sim, ids['search-a']) == ['legacy_a', 'logs_a']
    assert sorted(e['alias'] for e in result['remote_clusters']) == ['legacy_a', 'logs_a']
    assert 'another writer replaced the list' in json.dumps(result.get('warnings', []))  # a string, or structured (2.19)
    # this run wrote twice: its list, then its alias merged into the other writer's list
    bodies = [sorted(e['alias'] for e in r['body']['resources']) for r in module_requests(sim, 'PUT')]
    assert bodies == [['logs_a'], ['legacy_a'], ['legacy_a', 'logs_a']]


def test_a_write_that_never_sticks_fails_after_a_bounded_number_of_writes_and_never_reports_success(sim, conn, ids, run_module):
    """Every write is accepted (202) but replaced at once, as by a writer that keeps winning: the module writes a bounded
    number of times, then fails saying so; it never reports success for a change that is not in the list."""
    sim.clear_log()
    sim.fault(match={'server': '^ece:ece-a$', 'method': 'PUT', 'path': LIST_PATH}, status=202, body={}, count=-1)

    result = run_module(MODULE, conn.ece('ece-a', deployment_id=ids['search-a'], ref_id=REF_ID,
                                         remote_clusters=[{'alias': 'logs_a', 'deployment_id': ids['logs-a']}]))

    assert result.get('failed') is True, result
    assert "alias 'logs_a' missing" in result['msg'] and 'another run or user replaced the whole list' in result['msg']
    assert 'run the task again' in result['msg']
    assert len(module_requests(sim, 'PUT')) == 4  # LIST_WRITE_ATTEMPTS
    assert api_aliases(sim, ids['search-a']) == []


@pytest.mark.parametrize('retries', [0, 2])
def test_a_gateway_timeout_after_ece_applied_the_list_is_decided_by_reading_it_back(sim, conn, ids, run_module, retries):
    """Every PUT is answered 504 by a gateway, and ECE applied the first one (here: the test applies it while the
    gateway waits). The module, after the client's retries of the idempotent PUT, reads the list back instead of
    failing: the change is there, so the task succeeds, with a warning, and the alias is listed once."""
    sim.clear_log()
    put = {'server': '^ece:ece-a$', 'method': 'PUT', 'path': LIST_PATH}
    first = sim.fault(match=put, status=504, latency_ms=400, count=1)
    later = sim.fault(match=put, status=504, count=-1)

    def applied_by_ece():
        assert wait_taken(sim, first['id'])  # the first PUT waits 400 ms in the simulator, then gets its 504
        sim.admin('DELETE', '/_sim/faults/%d' % later['id'])
        put_list(sim, ids['search-a'], [entry('logs_a', ids['logs-a'])])  # what ECE applied
        sim.fault(match=put, status=504, count=-1)  # and the retries get 504 too
    thread, errors = in_background(applied_by_ece)

    result = run_module(MODULE, conn.ece('ece-a', deployment_id=ids['search-a'], ref_id=REF_ID, retries=retries,
                                         remote_clusters=[{'alias': 'logs_a', 'deployment_id': ids['logs-a']}]))
    thread.join(30)
    assert errors == []

    assert result.get('failed') is not True, result
    assert result['changed'] is True
    assert api_aliases(sim, ids['search-a']) == ['logs_a']
    assert 'the list read back shows the change applied' in json.dumps(result.get('warnings', []))
    assert len([r for r in module_requests(sim, 'PUT') if r['fault']]) == retries + 1
