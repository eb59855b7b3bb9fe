# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ece_trust_relationship against the simulator: environment B trusts environment A."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

MODULE = 'ece_trust_relationship'
TRUST_PATH = '/api/v1/regions/ece-region/platform/configuration/trust-relationships'


def gets(sim):
    return [r for r in sim.requests() if r['method'] == 'GET']


def read_file(path):
    with open(path) as handle:
        return handle.read()


@pytest.fixture
def env_a(sim):
    """Environment A's trust parameters, as its local relationship holds them."""
    info = sim.info['environments']['ece-a']
    return {'installation_id': info['environment_id'], 'account_id': info['account_id'],
            'certificate': read_file(info['ca_cert_file'])}


@pytest.fixture
def args(conn, env_a):
    """Options that make environment B trust environment A."""
    return conn.ece('ece-b', name='ece-a', installation_id=env_a['installation_id'], certificate=env_a['certificate'],
                    account_ids=[env_a['account_id']])


def relationships_named(sim, env, name):
    rels = sim.state()['environments'][env]['trust_relationships']
    items = rels.values() if isinstance(rels, dict) else rels
    return [r for r in items if r['name'] == name]


def reformatted(pem):
    """The same certificate with other line breaks and text around it."""
    body = ''.join(pem.strip().splitlines()[1:-1])
    lines = [body[i:i + 76] for i in range(0, len(body), 76)]
    return 'subject=CN = ece-a platform CA\n-----BEGIN CERTIFICATE-----\r\n%s\r\n-----END CERTIFICATE-----\n\n' % '\r\n'.join(lines)


def create(sim, run_module, args):
    result = run_module(MODULE, args)
    assert result['changed'] is True, result
    sim.clear_log()
    return result


def test_check_mode_on_a_new_relationship_predicts_a_change_and_sends_no_write(sim, run_module, args):
    result = run_module(MODULE, args, check_mode=True)
    assert result['changed'] is True
    assert result['trust_relationship']['id'] is None
    assert result['trust_relationship']['installation_id'] == args['installation_id']
    assert sim.requests(write=True) == []
    assert relationships_named(sim, 'ece-b', 'ece-a') == []


def test_create_posts_the_relationship_once_and_returns_its_id(sim, run_module, args, env_a):
    result = run_module(MODULE, args)
    assert result['changed'] is True
    posts = sim.requests(write=True)
    assert [(r['method'], r['path'], r['status']) for r in posts] == [('POST', TRUST_PATH, 201)]
    body = posts[0]['body']
    assert body['name'] == 'ece-a'
    assert body['installation_id'] == env_a['installation_id']
    assert body['account_ids'] == [env_a['account_id']]
    assert body['trust_by_default'] is False
    assert body['public_ca_cert'].strip() == env_a['certificate'].strip()
    [stored] = relationships_named(sim, 'ece-b', 'ece-a')
    relationship = result['trust_relationship']
    assert relationship['id'] == stored['id']
    assert relationship['local'] is False
    assert relationship['certificate'].strip() == env_a['certificate'].strip()


def test_the_list_is_read_once_before_the_create_and_once_after_it(sim, run_module, args):
    run_module(MODULE, args)
    log = [(r['method'], r['path']) for r in sim.requests()]
    assert log == [('GET', TRUST_PATH), ('POST', TRUST_PATH), ('GET', TRUST_PATH)]
    reads = gets(sim)
    assert reads[0]['query'].get('include_certificate') == 'true'
    # after the create: whether another run created one for the same environment at the same time
    assert reads[1]['query'].get('include_certificate') == 'false'


def test_a_second_identical_run_changes_nothing_and_only_reads(sim, run_module, args):
    first = create(sim, run_module, args)
    second = run_module(MODULE, args)
    assert second['changed'] is False
    assert sim.requests(write=True) == []
    assert len(gets(sim)) <= 3
    assert second['trust_relationship'] == first['trust_relationship']


def test_check_mode_after_creation_predicts_no_change(sim, run_module, args):
    create(sim, run_module, args)
    assert run_module(MODULE, args, check_mode=True)['changed'] is False
    assert sim.requests(write=True) == []


def test_diff_of_a_creation_shows_absent_before_and_the_certificate_after(sim, run_module, args, env_a):
    result = run_module(MODULE, args, diff=True)
    assert result['diff']['before'] == {'state': 'absent'}
    after = result['diff']['after']
    assert after['state'] == 'present'
    assert after['installation_id'] == env_a['installation_id']
    assert after['account_ids'] == [env_a['account_id']]
    assert after['trust_by_default'] is False
    assert after['certificate'].strip() == env_a['certificate'].strip()


def test_a_change_puts_only_the_changed_field(sim, run_module, args):
    created = create(sim, run_module, args)
    result = run_module(MODULE, dict(args, trust_by_default=True), diff=True)
    assert result['changed'] is True
    puts = sim.requests(write=True)
    rel_id = created['trust_relationship']['id']
    assert [(r['method'], r['path']) for r in puts] == [('PUT', '%s/%s' % (TRUST_PATH, rel_id))]
    assert puts[0]['body'] == {'trust_by_default': True}
    assert result['diff']['before']['trust_by_default'] is False
    assert result['diff']['after']['trust_by_default'] is True
    assert result['trust_relationship']['trust_by_default'] is True
    assert result['trust_relationship']['id'] == rel_id
    assert result['trust_relationship']['certificate'] == created['trust_relationship']['certificate']
    [stored] = relationships_named(sim, 'ece-b', 'ece-a')
    assert stored['trust_by_default'] is True


def test_check_mode_predicts_an_update_without_sending_it(sim, run_module, args):
    create(sim, run_module, args)
    result = run_module(MODULE, dict(args, trust_by_default=True), check_mode=True)
    assert result['changed'] is True
    assert result['trust_relationship']['trust_by_default'] is True
    assert sim.requests(write=True) == []
    [stored] = relationships_named(sim, 'ece-b', 'ece-a')
    assert stored['trust_by_default'] is False


def test_account_ids_are_compared_as_a_set(sim, run_module, args, env_a):
    create(sim, run_module, dict(args, account_ids=[env_a['account_id'], 'f' * 32]))
    result = run_module(MODULE, dict(args, account_ids=['f' * 32, env_a['account_id'], 'f' * 32]))
    assert result['changed'] is False
    assert sim.requests(write=True) == []


def test_changed_account_ids_are_sent_whole(sim, run_module, args, env_a):
    create(sim, run_module, args)
    result = run_module(MODULE, dict(args, account_ids=[env_a['account_id'], 'e' * 32]))
    assert result['changed'] is True
    assert [r['body'] for r in sim.requests(write=True)] == [{'account_ids': sorted([env_a['account_id'], 'e' * 32])}]


def test_a_certificate_with_other_line_breaks_is_no_change(sim, run_module, args):
    create(sim, run_module, args)
    result = run_module(MODULE, dict(args, certificate=reformatted(args['certificate'])))
    assert result['changed'] is False
    assert sim.requests(write=True) == []


def test_another_certificate_is_sent(sim, run_module, args):
    create(sim, run_module, args)
    other = read_file(sim.info['environments']['ece-c']['ca_cert_file'])
    result = run_module(MODULE, dict(args, certificate=other), diff=True)
    assert result['changed'] is True
    [put] = sim.requests(write=True)
    assert list(put['body']) == ['public_ca_cert']
    assert put['body']['public_ca_cert'].strip() == other.strip()
    assert result['diff']['after']['certificate'].strip() == other.strip()
    assert result['diff']['before']['certificate'].strip() == args['certificate'].strip()


def test_options_not_given_are_left_as_they_are(sim, run_module, args, conn, env_a):
    create(sim, run_module, args)
    result = run_module(MODULE, conn.ece('ece-b', name='ece-a', trust_by_default=True))
    assert result['changed'] is True
    assert [r['body'] for r in sim.requests(write=True)] == [{'trust_by_default': True}]
    assert result['trust_relationship']['account_ids'] == [env_a['account_id']]
    assert result['trust_relationship']['installation_id'] == env_a['installation_id']
    assert result['trust_relationship']['certificate'].strip() == env_a['certificate'].strip()


def test_absent_deletes_the_relationship(sim, run_module, args, conn):
    created = create(sim, run_module, args)
    result = run_module(MODULE, conn.ece('ece-b', name='ece-a', state='absent'), diff=True)
    assert result['changed'] is True
    assert result['trust_relationship'] is None
    assert [(r['method'], r['path'], r['status']) for r in sim.requests(write=True)] == [
        ('DELETE', '%s/%s' % (TRUST_PATH, created['trust_relationship']['id']), 200)]
    assert result['diff']['before']['state'] == 'present'
    assert result['diff']['after'] == {'state': 'absent'}
    assert relationships_named(sim, 'ece-b', 'ece-a') == []


def test_absent_deletes_with_the_version_and_decides_again_after_a_concurrent_change(sim, run_module, args, conn):
    relationship_id = create(sim, run_module, args)['trust_relationship']['id']
    path = '%s/%s' % (TRUST_PATH, relationship_id)
    # renamed just before the DELETE: 409, read again, no longer the relationship asked for: kept
    sim.fault(match={'server': 'ece:ece-b', 'method': 'DELETE'},
              mutate={'op': 'update_trust_relationship', 'env': 'ece-b', 'id': relationship_id, 'fields': {'name': 'renamed'}})
    result = run_module(MODULE, conn.ece('ece-b', name='ece-a', state='absent'))
    assert result['changed'] is False and 'no longer the relationship' in result['kept'], result
    assert [(r['method'], r['query'].get('version'), r['status']) for r in sim.requests() if r['path'] == path] == [
        ('GET', None, 200), ('DELETE', '1', 409), ('GET', None, 200)]
    assert [r['id'] for r in relationships_named(sim, 'ece-b', 'renamed')] == [relationship_id]
    # changed, but still the one asked for (by its name): deleted with the new version
    sim.clear_log()
    sim.fault(match={'server': 'ece:ece-b', 'method': 'DELETE'},
              mutate={'op': 'update_trust_relationship', 'env': 'ece-b', 'id': relationship_id, 'fields': {'account_ids': []}})
    result = run_module(MODULE, conn.ece('ece-b', name='renamed', state='absent'))
    assert result['changed'] is True and result['trust_relationship'] is None, result
    assert [(r['method'], r['query'].get('version'), r['status']) for r in sim.requests() if r['path'] == path] == [
        ('GET', None, 200), ('DELETE', '2', 409), ('GET', None, 200), ('DELETE', '3', 200)]


def test_absent_in_check_mode_sends_no_delete(sim, run_module, args, conn):
    create(sim, run_module, args)
    result = run_module(MODULE, conn.ece('ece-b', name='ece-a', state='absent'), check_mode=True)
    assert result['changed'] is True
    assert sim.requests(write=True) == []
    assert len(relationships_named(sim, 'ece-b', 'ece-a')) == 1


def test_absent_twice_is_no_change(sim, run_module, conn):
    result = run_module(MODULE, conn.ece('ece-b', name='ece-a', state='absent'))
    assert result['changed'] is False
    assert sim.requests(write=True) == []
    assert len(gets(sim)) == 1


def test_the_local_relationship_is_never_changed(sim, run_module, conn):
    local_name = 'ece-b'
    for state in ('present', 'absent'):
        result = run_module(MODULE, conn.ece('ece-b', name=local_name, state=state, trust_by_default=False))
        assert result['failed'] is True
        assert 'own (local) trust relationship' in result['msg']
    assert sim.requests(write=True) == []
    [local] = relationships_named(sim, 'ece-b', local_name)
    assert local['local'] is True


def test_several_relationships_with_the_name_fail_and_list_their_ids(sim, run_module, args):
    ids = [sim.mutate({'op': 'add_trust_relationship', 'env': 'ece-b',
                       'relationship': {'name': 'ece-a', 'public_ca_cert': args['certificate']}})['id'] for dummy in range(2)]
    result = run_module(MODULE, args)
    assert result['failed'] is True
    assert '2 trust relationships are named' in result['msg']
    for rel_id in ids:
        assert rel_id in result['msg']
    assert sim.requests(write=True) == []


def test_creating_without_a_certificate_fails_before_any_write(sim, run_module, args):
    args = dict(args)
    del args['certificate']
    result = run_module(MODULE, args)
    assert result['failed'] is True
    assert 'certificate' in result['msg']
    assert sim.requests(write=True) == []


def test_the_environment_s_own_id_is_refused(sim, run_module, args):
    own_id = sim.info['environments']['ece-b']['environment_id']
    result = run_module(MODULE, dict(args, installation_id=own_id))
    assert result['failed'] is True
    assert 'ID of this environment itself' in result['msg']
    assert sim.requests(write=True) == []


@pytest.mark.parametrize('installation_id', ['ECE-A', 'A' * 32, 'abc', 'g' * 32, 'bb39ca8d-0b88-942e-cffc-f86e01b695ad'])
def test_an_installation_id_that_is_not_32_hex_fails_before_any_request(sim, run_module, args, installation_id):
    result = run_module(MODULE, dict(args, installation_id=installation_id))
    assert result['failed'] is True
    assert 'installation_id' in result['msg'] and '32 lower-case hexadecimal' in result['msg']
    assert sim.requests() == []


@pytest.mark.parametrize('certificate', [
    'not a certificate',
    '-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n',
    '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n',
])
def test_a_certificate_that_is_not_a_pem_certificate_fails_before_any_request(sim, run_module, args, certificate):
    result = run_module(MODULE, dict(args, certificate=certificate))
    assert result['failed'] is True
    assert 'certificate: not a PEM certificate' in result['msg']
    assert sim.requests() == []


def test_an_empty_name_fails_before_any_request(sim, run_module, args):
    result = run_module(MODULE, dict(args, name='  '))
    assert result['failed'] is True
    assert 'name' in result['msg']
    assert sim.requests() == []
