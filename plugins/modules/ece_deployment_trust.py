#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ece_deployment_trust
short_description: Manage which deployments an ECE deployment's Elasticsearch trusts
version_added: 0.1.0
description:
  - Manages C(resources.elasticsearch[].settings.trust) of one deployment of Elastic Cloud Enterprise, that is which
    clusters its Elasticsearch resource trusts for remote cluster connections in the TLS-certificate model, and which
    proxy CA certificates it trusts in the API-key model.
  - The trust object has three lists. O(accounts) trusts clusters of an account (in ECE, the environment's single
    account, for deployments of the same environment). O(external) trusts clusters of another environment through a
    platform trust relationship (see M(ece.remote_clusters.ece_trust_relationship)). O(direct) trusts clusters whose
    certificates are signed by a CA given in the entry; an entry of O(direct[].type=proxy) holds another environment's
    proxy CA for the API-key model.
  - Entries are identified by C(account_id), by trust relationship and by C(name). Entries that are not named in the
    options are always kept, also with O(purge=true), so the default trust of the deployment's own account is never
    lost by accident. To remove an entry, name it with O(state=absent).
  - The update is a read-modify-write of the whole trust object (the API replaces it as a whole) through
    C(PUT /api/v1/deployments/{id}) with C(prune_orphans=false) (other resources such as Kibana are left alone), the
    current plan without its C(transient) part (so a past forced restart is not repeated) and the resource version
    read, so that a concurrent change is detected (HTTP 409); the deployment is then read again and the change
    applied on top of the concurrent one, once.
  - Nothing is written when the trust already is as asked. The comparison ignores the order of allowlists, the
    read-only C(external[].name), C(direct[].uid) and C(certificates[].metadata), the allowlist of an entry that
    trusts all, and how a PEM certificate is wrapped.
  - When the last plan of the resource failed (C(plan_info.healthy) is false), the trust stored as asked may not be in
    use, since a failed plan is not applied; the trust is then sent again, which starts a new plan (with a warning), so
    that running the task again after a failure converges.
options:
  accounts:
    description:
      - Trust of the clusters of an account. In ECE the environment has a single account; its ID is in the
        C(account_ids) of the local trust relationship (M(ece.remote_clusters.ece_trust_relationship_info)).
    type: list
    elements: dict
    suboptions:
      account_id:
        description:
          - ID of the account. Identifies the entry.
        type: str
        required: true
      trust_all:
        description:
          - Trust every cluster of the account. When not given, an existing entry keeps its value and a new entry
            is created with V(false).
          - V(false) together with O(accounts[].trust_allowlist) narrows an entry that trusted all to the allowlist.
        type: bool
      trust_allowlist:
        description:
          - Elasticsearch cluster IDs (32 lower-case hexadecimal characters, not deployment IDs) to trust.
          - Added to the entry's allowlist, or made its whole allowlist with O(purge=true). With O(state=absent),
            the cluster IDs to remove from the entry.
          - Must not be given with O(accounts[].trust_all=true), where the API ignores it.
        type: list
        elements: str
      name:
        description:
          - Human readable name of the entry. An existing name is kept when not given.
        type: str
  external:
    description:
      - Trust of clusters of another environment through a platform trust relationship of this environment.
    type: list
    elements: dict
    suboptions:
      trust_relationship_id:
        description:
          - ID of the trust relationship in this environment. Identifies the entry.
          - Exactly one of O(external[].trust_relationship_id) and O(external[].trust_relationship_name) is required.
        type: str
      trust_relationship_name:
        description:
          - Name of the trust relationship in this environment, resolved to its ID with one request that lists the
            relationships (only sent when a name is used).
          - An unknown or ambiguous name fails the task before anything is written.
        type: str
      trust_all:
        description:
          - Trust every cluster of the other environment. When not given, an existing entry keeps its value and a
            new entry is created with V(false).
        type: bool
      trust_allowlist:
        description:
          - Elasticsearch cluster IDs of the other environment to trust (32 lower-case hexadecimal characters).
          - Merged like O(accounts[].trust_allowlist).
        type: list
        elements: str
  direct:
    description:
      - Trust of clusters whose node certificates are signed by a CA given here, without a platform trust relationship.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the entry. Identifies it.
        type: str
        required: true
      type:
        description:
          - Kind of the trusted environment. The API assumes V(generic) when none is set.
          - V(proxy) holds the CA of another environment's proxy, needed for API-key remote clusters when that CA is
            private. Such an entry takes no O(direct[].trust_all=true), O(direct[].trust_allowlist),
            O(direct[].scope_id) or O(direct[].additional_node_names).
        type: str
        choices: [ECE, ESS, generic, proxy]
      scope_id:
        description:
          - Lower-case alphanumeric string of at most 32 characters, usually the other environment's ID or the
            organization ID. Required by the API when O(direct[].trust_all=true) or the allowlist is not empty.
        type: str
      certificates:
        description:
          - The CA certificates (PEM text, one certificate each) of the entry. Required for a new entry.
          - When given, they are the entry's whole list of certificates, compared without regard to line wrapping
            and order.
          - "Sent to the API as C([{pem: ...}]); the C(uid) of an existing entry is sent back unchanged."
        type: list
        elements: str
      trust_all:
        description:
          - Trust every cluster matching O(direct[].scope_id). When not given, an existing entry keeps its value and
            a new entry is created with V(false).
        type: bool
      trust_allowlist:
        description:
          - Elasticsearch cluster IDs to trust (32 lower-case hexadecimal characters). Merged like
            O(accounts[].trust_allowlist).
        type: list
        elements: str
      additional_node_names:
        description:
          - Node names trusted in addition to those deducible from the allowlist and scope. No wildcards.
          - Added to the entry's list, or made its whole list with O(purge=true).
        type: list
        elements: str
  state:
    description:
      - V(present) makes the listed entries exist with the listed settings and cluster IDs.
      - V(absent) removes the listed cluster IDs from their entries; an entry given without a
        C(trust_allowlist) is removed as a whole. C(trust_all) and the other settings are ignored then.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With V(true), the C(trust_allowlist) and C(additional_node_names) given for an entry are its whole lists,
        and cluster IDs not listed are removed from it.
      - With V(false), they are added to what the entry already has.
      - Entries not named in the options are never removed; use O(state=absent) for that.
    type: bool
    default: false
  wait:
    description:
      - Wait until the plan that the update starts has finished, and fail with the plan's own error if it fails.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the plan with O(wait=true).
    type: int
    default: 600
extends_documentation_fragment:
  - ece.remote_clusters.deployment
  - ece.remote_clusters.ece
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ECE
notes:
  - Allowlists hold Elasticsearch cluster IDs (C(resources.elasticsearch[].id) of a deployment, the C(cluster_id) that
    M(ece.remote_clusters.ece_deployment_info) returns), never deployment IDs.
  - Trust in the TLS-certificate model must be set on both deployments, each trusting the other.
seealso:
  - module: ece.remote_clusters.ece_trust_relationship
  - module: ece.remote_clusters.ece_deployment_info
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Trust one cluster of environment B through the platform trust relationship "ece-b"
  ece.remote_clusters.ece_deployment_trust:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    external:
      - trust_relationship_name: ece-b
        trust_allowlist:
          - 9b8c7d6e5f4a4b3c2d1e0f9a8b7c6d5e

- name: Narrow the trust of the own account from "all deployments" to two clusters
  ece.remote_clusters.ece_deployment_trust:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    accounts:
      - account_id: 651598b101e54ccab1bfdcd8b6e3b8be
        trust_all: false
        trust_allowlist:
          - 1f2e3d4c5b6a47989a8b7c6d5e4f3a2b
          - 0a9b8c7d6e5f40312f1e0d9c8b7a6f5e
    purge: true

- name: Trust the private proxy CA of environment B for API-key remote clusters
  ece.remote_clusters.ece_deployment_trust:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    direct:
      - name: ece-b-proxy
        type: proxy
        certificates:
          - "{{ ece_b_proxy_tls.root_certificate }}"

- name: Stop trusting one cluster of environment B
  ece.remote_clusters.ece_deployment_trust:
    deployment_id: 4a1c7e0f3b2d4c5e8f9a0b1c2d3e4f5a
    external:
      - trust_relationship_name: ece-b
        trust_allowlist:
          - 9b8c7d6e5f4a4b3c2d1e0f9a8b7c6d5e
    state: absent
'''

RETURN = r'''
trust:
  description:
    - The trust settings of the Elasticsearch resource after the task (in check mode, as they would be), in the API's
      shape (C(accounts), C(external), C(direct)).
  returned: always
  type: dict
  sample:
    accounts:
      - account_id: 651598b101e54ccab1bfdcd8b6e3b8be
        trust_all: true
    external:
      - trust_relationship_id: 83a7b03f2a4343fe99f09bd27ca3d9ec
        name: ece-b
        trust_all: false
        trust_allowlist: [9b8c7d6e5f4a4b3c2d1e0f9a8b7c6d5e]
    direct: []
plan_change:
  description:
    - Whether the update started a plan of the Elasticsearch resource.
    - With O(wait=false), and in check mode, whether an update was (or would be) sent, since it may start a plan
      that is not watched.
  returned: always
  type: bool
plan:
  description: The plan attempt the update started, when O(wait=true) and a plan ran.
  returned: when a plan ran
  type: dict
  contains:
    attempt_id:
      description: ID of the plan attempt.
      type: str
    status:
      description: Outcome of the plan attempt, V(success) (a failed plan fails the task).
      type: str
    duration_seconds:
      description: Seconds spent waiting for the plan.
      type: float
'''

import copy
import re

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    check_cluster_ids, check_deployment_ids, check_identifiers, check_pem, check_ref_id, normalize_pem)
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import RemoteClustersModule

SCOPE_ID_RE = re.compile(r'^[a-z0-9]{1,32}$')

# Per list of the trust object: the key of an entry, its plain settings and its set-valued settings.
KINDS = (
    ('accounts', 'account_id', ('name',), ('trust_allowlist',)),
    ('external', 'trust_relationship_id', (), ('trust_allowlist',)),
    ('direct', 'name', ('type', 'scope_id'), ('trust_allowlist', 'additional_node_names')),
)
# Read-only fields the API fills and ignores on write: never compared, never sent.
READ_ONLY = {'external': ('name',), 'direct': ()}


# -- comparing ----------------------------------------------------------------------------------------
def _pem_key(pem):
    return normalize_pem(pem) or (pem or '').strip()


def comparable(trust):
    """The trust object as the API means it: entries keyed, allowlists as sets (irrelevant when trust_all is true),
    read-only fields (external[].name, direct[].uid, certificates[].metadata) dropped, PEMs normalised."""
    result = {}
    for kind, key, scalars, sets in KINDS:
        entries = {}
        for entry in (trust or {}).get(kind) or []:
            item = {'trust_all': bool(entry.get('trust_all'))}
            for field in scalars:
                item[field] = entry.get(field)
            if kind == 'direct':
                item['type'] = entry.get('type') or 'generic'
                item['certificates'] = sorted(_pem_key(c.get('pem')) for c in entry.get('certificates') or [])
            for field in sets:
                item[field] = sorted(set(entry.get(field) or []))
            if item['trust_all']:
                item['trust_allowlist'] = None
            entries[entry.get(key)] = item
        result[kind] = entries
    return result


# -- changing -----------------------------------------------------------------------------------------
def _certificates(existing, wanted):
    """The wanted PEMs as ``[{pem}]``, keeping an existing item (and its read-back form) where it is the same certificate."""
    by_key = dict((_pem_key(c.get('pem')), c) for c in existing or [])
    result = []
    for pem in wanted:
        key = _pem_key(pem)
        if key not in [_pem_key(c['pem']) for c in result]:
            result.append(copy.deepcopy(by_key[key]) if key in by_key else {'pem': pem})
    return result


def apply_present(entries, wanted, kind, key, scalars, sets, purge):
    """Upsert the wanted entries into a copy of ``entries``; entries not named are kept."""
    result = copy.deepcopy(entries or [])
    for want in wanted:
        entry = next((e for e in result if e.get(key) == want[key]), None)
        if entry is None:
            entry = {key: want[key], 'trust_all': False}
            result.append(entry)
        if want.get('trust_all') is not None:
            entry['trust_all'] = want['trust_all']
        for field in scalars:
            if want.get(field) is not None:
                entry[field] = want[field]
        for field in sets:
            if want.get(field) is None:
                continue
            if purge:
                entry[field] = _unique(want[field])
            else:
                current = list(entry.get(field) or [])
                entry[field] = current + [v for v in _unique(want[field]) if v not in current]
        if kind == 'direct' and want.get('certificates') is not None:
            entry['certificates'] = _certificates(entry.get('certificates'), want['certificates'])
    return result


def apply_absent(entries, wanted, key):
    """Remove the listed cluster IDs from their entries, or whole entries given without an allowlist."""
    result = copy.deepcopy(entries or [])
    for want in wanted:
        entry = next((e for e in result if e.get(key) == want[key]), None)
        if entry is None:
            continue
        if want.get('trust_allowlist'):
            entry['trust_allowlist'] = [v for v in entry.get('trust_allowlist') or [] if v not in want['trust_allowlist']]
        else:
            result.remove(entry)
    return result


def for_write(trust):
    """The trust object to send: read-only fields dropped, certificates as ``[{pem}]``, the ``uid`` read back kept."""
    result = {}
    for kind, dummy, dummy2, dummy3 in KINDS:
        if kind not in trust:
            continue
        entries = []
        for entry in trust[kind] or []:
            item = dict((k, v) for k, v in entry.items() if k not in READ_ONLY.get(kind, ()) and v is not None)
            if kind == 'direct':
                item['certificates'] = [{'pem': c['pem']} for c in entry.get('certificates') or []]
            entries.append(item)
        result[kind] = entries
    return result


def check_direct(entries, names, deployment_id):
    """What the API requires of the named direct entries after the change, checked before anything is sent."""
    for entry in entries or []:
        if entry.get('name') not in names:
            continue
        where = 'direct entry %r of deployment %s' % (entry.get('name'), deployment_id)
        if not entry.get('certificates'):
            raise ApiError('%s: has no certificates; give the CA certificate(s) in direct[].certificates' % where)
        if entry.get('type') == 'proxy':
            extra = [f for f in ('trust_all', 'trust_allowlist', 'scope_id', 'additional_node_names') if entry.get(f)]
            if extra:
                raise ApiError('%s: is of type proxy, which only holds proxy CA certificates, but has %s; remove them with '
                               'state: absent, or give another type' % (where, ', '.join(extra)))
            continue
        if not entry.get('scope_id') and (entry.get('trust_all') or entry.get('trust_allowlist')):
            raise ApiError('%s: trust_all: true or a trust_allowlist needs a scope_id (the other environment\'s ID or the '
                           'organization ID); set direct[].scope_id' % where)
        if not entry.get('scope_id') and not entry.get('additional_node_names'):
            raise ApiError('%s: needs a scope_id or additional_node_names to know which nodes the CA may vouch for; set '
                           'direct[].scope_id, or use type: proxy for a proxy CA' % where)


def _unique(values):
    result = []
    for value in values:
        if value not in result:
            result.append(value)
    return result


class DeploymentTrust(RemoteClustersModule):
    api = 'ece'

    def validate(self):
        params = self.params
        errors = [check_deployment_ids([params['deployment_id']], 'deployment_id')]
        if params['ref_id'] is not None:
            errors.append(check_ref_id(params['ref_id']))
        if params['wait_timeout'] < 0:
            errors.append('wait_timeout: %d is negative; give the seconds to wait for the plan, e.g. 600' % params['wait_timeout'])
        for index, entry in enumerate(params['accounts'] or []):
            errors.append(check_identifiers([entry['account_id']], 'accounts[%d].account_id' % index, 'an account ID',
                                            'give the ECE account ID, as ece_deployment_info returns it (elasticsearch[].account_id)'))
        for index, entry in enumerate(params['external'] or []):
            if entry.get('trust_relationship_id') is not None:
                errors.append(check_identifiers([entry['trust_relationship_id']], 'external[%d].trust_relationship_id' % index,
                                                'a trust relationship ID', 'give the id that ece_trust_relationship_info returns, '
                                                'or the relationship\'s name in trust_relationship_name'))
            elif not (entry.get('trust_relationship_name') or '').strip():
                errors.append('external[%d].trust_relationship_name: must not be empty; give the name of the trust relationship '
                              '(usually the other environment\'s name)' % index)
        for index, entry in enumerate(params['direct'] or []):
            if not entry['name'].strip():
                errors.append('direct[%d].name: must not be empty; give the entry a name, e.g. "ece-b-proxy"' % index)
            if any(not (n or '').strip() for n in entry.get('additional_node_names') or []):
                errors.append('direct[%d].additional_node_names: a node name is empty; give node names such as '
                              '"*.node.ece-b.example.com"' % index)
        for kind, key, dummy, dummy2 in KINDS:
            seen = []
            for index, entry in enumerate(self.params[kind] or []):
                where = '%s[%d]' % (kind, index)
                if entry.get('trust_all') and entry.get('trust_allowlist'):
                    errors.append('%s: trust_all: true with a trust_allowlist; the API ignores the allowlist of an entry that '
                                  'trusts all: remove trust_allowlist, or set trust_all: false to trust only the listed '
                                  'clusters' % where)
                errors.append(check_cluster_ids(entry.get('trust_allowlist'), where + '.trust_allowlist'))
                identity = entry.get(key)
                if kind == 'external':
                    identity = (entry.get('trust_relationship_id'), entry.get('trust_relationship_name'))
                if identity in seen:
                    errors.append('%s: the same entry is given twice in %s; give each entry once' % (where, kind))
                seen.append(identity)
        for index, entry in enumerate(self.params['direct'] or []):
            where = 'direct[%d]' % index
            for number, pem in enumerate(entry.get('certificates') or []):
                errors.append(check_pem(pem, '%s.certificates[%d]' % (where, number)))
            if entry.get('certificates') is not None and not entry['certificates'] and self.params['state'] == 'present':
                errors.append('%s.certificates: empty; a direct entry needs at least one CA certificate' % where)
            if entry.get('scope_id') is not None and not SCOPE_ID_RE.match(entry['scope_id']):
                errors.append('%s.scope_id: %r is not valid; use at most 32 lower-case letters and digits, e.g. the other '
                              'environment\'s ID' % (where, entry['scope_id']))
            if entry.get('type') == 'proxy' and self.params['state'] == 'present':
                extra = [o for o in ('trust_allowlist', 'scope_id', 'additional_node_names') if entry.get(o)]
                if entry.get('trust_all'):
                    extra.insert(0, 'trust_all: true')
                if extra:
                    errors.append('%s: an entry of type proxy only holds the proxy CA certificates; remove %s'
                                  % (where, ', '.join(extra)))
        return errors

    def resolve_external(self):
        """``external`` with every trust relationship name replaced by its ID (one list request, only when a name is used)."""
        wanted = [dict(e) for e in self.params['external'] or []]
        if not any(e.get('trust_relationship_name') for e in wanted):
            return wanted
        relationships = self.client.list_trust_relationships(include_certificate=False)
        for index, entry in enumerate(wanted):
            name = entry.get('trust_relationship_name')
            if not name:
                continue
            ids = [r.get('id') for r in relationships if r.get('name') == name]
            if len(ids) != 1:
                names = ', '.join(sorted(repr(r.get('name')) for r in relationships)) or 'none'
                problem = 'no trust relationship is named %r' % name if not ids else '%d trust relationships are named %r' % (len(ids), name)
                raise ApiError('external[%d].trust_relationship_name: %s in this environment (existing: %s); create it with '
                               'ece_trust_relationship or give trust_relationship_id' % (index, problem, names))
            entry['trust_relationship_id'] = ids[0]
        ids = [e['trust_relationship_id'] for e in wanted]
        duplicates = sorted(set(i for i in ids if ids.count(i) > 1))
        if duplicates:
            raise ApiError('external: trust relationship %s is given twice (by ID and by name); give it once' % ', '.join(duplicates))
        return wanted

    def desired(self, current, wanted):
        trust = copy.deepcopy(current)
        for kind, key, scalars, sets in KINDS:
            if not wanted[kind]:
                continue
            if self.params['state'] == 'present':
                trust[kind] = apply_present(trust.get(kind), wanted[kind], kind, key, scalars, sets, self.params['purge'])
            else:
                trust[kind] = apply_absent(trust.get(kind), wanted[kind], key)
        return trust

    def execute(self):
        deployment_id = self.params['deployment_id']
        wanted = {'accounts': self.params['accounts'] or [], 'external': self.resolve_external(),
                  'direct': self.params['direct'] or []}
        seen = {}

        def compute(resource):
            current = ((resource.get('info') or {}).get('settings') or {}).get('trust') or {}
            after = self.desired(current, wanted)
            seen.update(before=current, after=after, reapplied=False)
            if comparable(after) == comparable(current):
                if ((resource.get('info') or {}).get('plan_info') or {}).get('healthy') is not False:
                    return None
                seen['reapplied'] = True  # stored as asked, but the failed plan never put it to use
            check_direct(after.get('direct'), [e['name'] for e in wanted['direct']], deployment_id)
            return {'trust': for_write(after)}

        dummy, settings, plan = self.client.update_es_settings(deployment_id, self.params['ref_id'], compute,
                                                               wait=self.params['wait'] and not self.check_mode,
                                                               wait_timeout=self.params['wait_timeout'])
        changed = settings is not None
        self.set_changed(changed)
        if changed and seen.get('reapplied'):
            self.module.warn('deployment %s: the last plan failed, so the trust settings, stored as asked, may not be in use; '
                             '%s sent again to start a new plan' % (deployment_id, 'they would be' if self.check_mode else 'they were'))
        self.result['trust'] = seen['after']
        self.result['plan_change'] = plan is not None if (changed and self.params['wait'] and not self.check_mode) else changed
        if plan is not None:
            self.result['plan'] = plan
        self.set_diff(seen['before'], seen['after'])


def _allowlist_options():
    return dict(type='list', elements='str')


def main():
    DeploymentTrust(dict(
        deployment_id=dict(type='str', required=True),
        ref_id=dict(type='str'),
        accounts=dict(type='list', elements='dict', options=dict(
            account_id=dict(type='str', required=True),
            trust_all=dict(type='bool'),
            trust_allowlist=_allowlist_options(),
            name=dict(type='str'),
        )),
        external=dict(type='list', elements='dict', options=dict(
            trust_relationship_id=dict(type='str'),
            trust_relationship_name=dict(type='str'),
            trust_all=dict(type='bool'),
            trust_allowlist=_allowlist_options(),
        ), mutually_exclusive=[('trust_relationship_id', 'trust_relationship_name')],
            required_one_of=[('trust_relationship_id', 'trust_relationship_name')]),
        direct=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True),
            type=dict(type='str', choices=['ECE', 'ESS', 'generic', 'proxy']),
            scope_id=dict(type='str'),
            certificates=dict(type='list', elements='str'),
            trust_all=dict(type='bool'),
            trust_allowlist=_allowlist_options(),
            additional_node_names=dict(type='list', elements='str'),
        )),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        purge=dict(type='bool', default=False),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=600),
    )).run()


if __name__ == '__main__':
    main()
