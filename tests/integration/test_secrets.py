# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No secret in any byte of output or log: the playbooks at -vvv with --diff in check mode, for real, and again,
scanned for every credential, API key, encoded cross-cluster key and keystore value the runs used or made."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# the playbooks of the inventory of one link per model (remote_clusters.yml needs remote_clusters_environments and
# remote_clusters_links, which that inventory does not set: test_secrets_every_playbook runs it with inventory_many)
PLAYBOOKS = [p for p in ('certificate.yml', 'api_key.yml') if os.path.exists(os.path.join(REPO_ROOT, 'playbooks', p))]
MIN_LENGTH = 8  # every secret of the simulator is a long random string: shorter matches would be noise


def decoded_parts(encoded):
    """The parts of an encoded API key (base64 of id:secret): the secret is a secret on its own."""
    try:
        text = base64.b64decode(encoded, validate=True).decode('utf-8')
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return []
    key_id, sep, secret = text.partition(':')
    return [text, secret] if sep and key_id else []


def basic_token(username, password):
    return base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')


def collect_secrets(sim):
    """Every secret of the simulator's output document, its state and the request log; with the kinds found."""
    secrets, kinds = set(), set()
    for env in sim.info['environments'].values():
        secrets.update([env['api_key'], env['password'], basic_token(env['username'], env['password'])])
        kinds.add('ece api key')
        for deployment in env['deployments'].values():
            es = deployment['elasticsearch']
            secrets.update([es['password'], basic_token(es['username'], es['password']), es['api_key']])
            secrets.update(decoded_parts(es['api_key']))
            kinds.add('es password')
    active_ids = set()
    for env in sim.state()['environments'].values():
        for deployment in env['deployments'].values():
            es = deployment['elasticsearch']
            active_ids.update(k['id'] for k in es['api_keys'] if k['type'] == 'cross_cluster' and not k['invalidated'])
            for values in (es['keystore'], es.get('loaded_keystore') or {}):
                for item in values.values():
                    value = item.get('value') if isinstance(item, dict) else item
                    if isinstance(value, str):
                        secrets.add(value)
                        kinds.add('keystore value')
                        secrets.update(decoded_parts(value))
    # values written to any keystore, also those replaced since (the log keeps the request bodies)
    for request in sim.requests():
        if request['method'] == 'PATCH' and request['path'].endswith('/keystore'):
            for item in ((request['body'] or {}).get('secrets') or {}).values():
                if isinstance(item, dict) and isinstance(item.get('value'), str) and item['value'] != 'check-mode':
                    secrets.add(item['value'])
                    secrets.update(decoded_parts(item['value']))
    # the encoded cross-cluster keys: keystore values that decode to the id of an active cross-cluster key
    if any(part.split(':', 1)[0] in active_ids for secret in list(secrets) for part in decoded_parts(secret)[:1]):
        kinds.add('encoded cross-cluster key')
    return set(s for s in secrets if s and len(s) >= MIN_LENGTH), kinds


def test_no_secret_appears_in_verbose_output_diff_or_log(sim, inventory, ansible_playbook):
    output = []
    for mode in ('check', 'apply', 'rerun'):
        run = ansible_playbook(*PLAYBOOKS, inventory=inventory, check=(mode == 'check'), diff=True, verbosity=3)
        assert run.rc == 0, '%s run failed: %s' % (mode, run.output[-3000:])
        if mode == 'rerun':
            assert run.changed == 0
        output.append(run.output)  # stdout, stderr and the ANSIBLE_LOG_PATH file
    assert sim.diagnose('ece-a', 'logs-a', 'ece_b_ingest')['connected'] is True

    secrets, kinds = collect_secrets(sim)

    # the scan must have something to find: credentials of both APIs, a keystore value and an encoded key
    assert {'ece api key', 'es password', 'keystore value', 'encoded cross-cluster key'} <= kinds, kinds
    assert len(secrets) > 20
    text = '\n'.join(output)
    assert len(text) > 10000  # -vvv output, not an empty capture
    leaked = sorted(s for s in secrets if s in text)
    assert leaked == [], '%d secret(s) in the output, e.g. one of %d characters' % (len(leaked), len(leaked[0]) if leaked else 0)
