# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Platform trust relationships, deployment trust and TLS certificate chains of ECE: the logic of the modules
ece_trust_relationship_info, ece_trust_relationship, ece_deployment_trust and ece_tls_certificate_info, with the
deployment trust's read-modify-write (DeploymentTrust.apply) and its pure merge (merge_trust), which the plan rounds of
remote_clusters_rollout use too. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re
import time

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    check_cluster_ids, check_deployment_ids, check_identifiers, check_installation_id, check_pem, check_ref_id, normalize_pem, pem_key,
    same_certificate)
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Manager, Observed, Plan
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import deployment_argument_spec
from ansible_collections.ece.remote_clusters.plugins.module_utils._views import es_resource, relationship_view, settings_update, trust_of
from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import (
    await_pending_plan, failed_attempts, plan_wait_options, remaining, wait_for_plan)


# -- ece_trust_relationship_info -----------------------------------------------------------------------------------
class TrustRelationshipInfo(Manager):
    api = 'ece'
    diff = False
    argument_spec = dict(
        name=dict(type='str'),
        include_certificate=dict(type='bool', default=True),
    )

    def read(self):
        return [relationship_view(i) for i in self.client.list_trust_relationships(self.params['include_certificate'])]

    def report(self, current, after, changed, facts):
        local = next((i for i in current if i['local']), None)
        items = [i for i in current if self.params['name'] is None or i['name'] == self.params['name']]
        return dict(trust_relationships=items, local=local)


# -- ece_trust_relationship ----------------------------------------------------------------------------------------
TRUST_RELATIONSHIPS = '/configuration/trust-relationships'


def state_view(item):
    """The relationship as it appears in the diff: its managed fields, account IDs sorted."""
    if item is None:
        return {'state': 'absent'}
    view = relationship_view(item)
    return {'state': 'present', 'name': view['name'], 'installation_id': view['installation_id'],
            'certificate': view['certificate'], 'trust_by_default': view['trust_by_default'],
            'account_ids': sorted(view['account_ids'])}


class TrustRelationship(Manager):
    api = 'ece'
    argument_spec = dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        installation_id=dict(type='str'),
        certificate=dict(type='str'),
        trust_by_default=dict(type='bool'),
        account_ids=dict(type='list', elements='str'),
    )

    def validate(self):
        params = self.params
        errors = []
        if not params['name'].strip():
            errors.append('name: must not be empty; give the name of the relationship, usually the other environment\'s name')
        if params['installation_id'] is not None:
            errors.append(check_installation_id(params['installation_id']))
        if params['certificate'] is not None:
            errors.append(check_pem(params['certificate'], 'certificate'))
        if params['account_ids'] is not None:
            errors.append(check_identifiers(params['account_ids'], 'account_ids', 'an account ID',
                                            'give the account IDs of the other environment (its local relationship\'s '
                                            'account_ids, as ece_trust_relationship_info returns them)'))
        return errors

    def read(self):
        """The relationship to manage, with this environment's own (``local``) and the other relationships that trust the
        same environment (``duplicates``)."""
        items = self.client.list_trust_relationships(include_certificate=True)
        current = self.find(items, self.params['name'], self.params['installation_id'])
        others = [i for i in items if current and i is not current and not i.get('local')]
        duplicates = [i.get('id') for i in others if i.get('installation_id') == current.get('installation_id')]
        return Observed(current, {'local': next((i for i in items if i.get('local')), None), 'duplicates': duplicates})

    @staticmethod
    def find(items, name, installation_id=None):
        """The relationship to manage: the one that trusts ``installation_id`` (whatever its name), else the one named ``name``.

        An environment is known by its ID; its name in another environment is whatever whoever created the relationship
        chose, so a relationship that trusts the environment under another name is the same relationship.
        """
        if installation_id:
            # several: two runs created one at the same time; every run keeps the same one, the lowest ID (as create does)
            by_id = sorted((i for i in items if not i.get('local') and i.get('installation_id') == installation_id),
                           key=lambda i: str(i.get('id')))
            if by_id:
                return by_id[0]
        matches = [i for i in items if i.get('name') == name]
        if installation_id:  # a relationship of this name that trusts another environment is not this one
            matches = [i for i in matches if i.get('local') or not i.get('installation_id')]
        if any(i.get('local') for i in matches):
            raise ApiError('name: %r is the name of this environment\'s own (local) trust relationship, which this module '
                           'never changes; give the name of the relationship to the other environment' % name)
        if len(matches) > 1:
            raise ApiError('%d trust relationships are named %r (ids: %s); delete the duplicates (DELETE '
                           '/platform/configuration/trust-relationships/<id>) so that one remains, then run again'
                           % (len(matches), name, ', '.join(str(i.get('id')) for i in matches)))
        return matches[0] if matches else None

    def changes(self, current):
        """The fields of the update request that differ from ``current`` (all of them for a new relationship)."""
        params = self.params
        current = current or {}
        body = {}
        # kept as it is unless given: someone may have made it trusted by default on purpose
        if params['trust_by_default'] is not None and params['trust_by_default'] != bool(current.get('trust_by_default')):
            body['trust_by_default'] = params['trust_by_default']
        if params['installation_id'] is not None and params['installation_id'] != current.get('installation_id'):
            body['installation_id'] = params['installation_id']
        if params['certificate'] is not None and not same_certificate(params['certificate'], current.get('public_ca_cert')):
            body['public_ca_cert'] = normalize_pem(params['certificate'])
        if params['account_ids'] is not None and set(params['account_ids']) != set(current.get('account_ids') or []):
            body['account_ids'] = sorted(set(params['account_ids']))
        return body

    def plan(self, observed):
        current, facts = observed
        warnings = []
        if facts['duplicates']:
            warnings.append('trust relationship %s: %s also trust environment %s (left from runs that created one at the same '
                            'time); %s is managed and used. Delete the others once no deployment trust names them.' % (
                                self.params['name'], ', '.join(str(d) for d in facts['duplicates']),
                                current.get('installation_id'), current.get('id')))
        desired = self.desired(current, facts['local'])
        return Plan(observed, desired, self.differs(current, desired), warnings)

    def desired(self, current, local=None):
        params = self.params
        if params['state'] == 'absent':
            return None
        installation_id = params['installation_id']
        if installation_id and local is not None and installation_id == local.get('installation_id'):
            raise ApiError('installation_id: %s is the ID of this environment itself; give the ID of the other environment '
                           '(run ece_trust_relationship_info there and use its local.installation_id)' % installation_id)
        body = self.changes(current)
        if current is not None:
            return dict(current, **body)
        if params['certificate'] is None:
            raise ApiError('trust relationship %r does not exist and certificate is not given: give the other '
                           'environment\'s CA certificate (its local relationship\'s certificate) to create it' % params['name'])
        return dict(body, name=params['name'], trust_by_default=bool(params['trust_by_default']))

    def differs(self, current, desired):
        if desired is None or current is None:
            return desired is not current
        return bool(self.changes(current))

    def apply(self, current, desired, facts):
        name = self.params['name']
        if desired is None:
            return self.delete(current)
        if current is None:
            response = self.create_relationship(desired)
        else:
            response = self.client.update_trust_relationship(current['id'], self.changes(current), name)
        # the responses carry no certificate: keep the one read or sent
        return dict(desired, **(response or {}))

    def changed_by(self, current, after):
        return self.params['state'] == 'present' or after is None

    def report(self, current, after, changed, facts):
        result = {'trust_relationship': relationship_view(after) if after is not None else None}
        if facts.get('kept'):
            result['kept'] = facts['kept']
        return result

    def view(self, state):
        return state_view(state)

    def keep_reason(self, relationship):
        """Why ``relationship``, read again just before its deletion, is to be kept after all (None: delete it): it is no
        longer the relationship asked for."""
        if self.find([relationship], self.params['name'], self.params['installation_id']) is None:
            return 'it was changed concurrently and is no longer the relationship %r asked for' % self.params['name']
        return None

    def delete(self, current):
        """DELETE with ``?version=`` of the relationship read just before: a concurrent change is answered with 409, then it
        is read and decided again (once). Returns None when deleted (or gone already), else an :class:`Observed` of the
        relationship kept and why (``kept``)."""
        for attempt in (1, 2):
            relationship, version = self.client.trust_relationship(current['id'])
            if relationship is None:
                return None
            kept = self.keep_reason(relationship)
            if kept:
                self.warn('trust relationship %s (%s) kept: %s' % (self.params['name'], current['id'], kept))
                return Observed(dict(current, **relationship), {'kept': kept})
            try:
                self.client.delete_trust_relationship(current['id'], self.params['name'], version)
                return None
            except ApiError as exc:
                if exc.status != 409 or attempt == 2:
                    raise
                self.warn('delete trust relationship %s: changed concurrently (HTTP 409); read again' % self.params['name'])
        return None  # pragma: no cover

    def trusting(self):
        """The relationships this one may be, read again, in a stable order: those that trust the other environment (by
        its ID), else those of this name."""
        installation_id, name = self.params['installation_id'], self.params['name']
        items = [i for i in self.client.list_trust_relationships(include_certificate=False) if not i.get('local')]
        if installation_id:
            items = [i for i in items if i.get('installation_id') == installation_id]
        else:
            items = [i for i in items if i.get('name') == name]
        return sorted(items, key=lambda i: str(i.get('id')))

    def create_relationship(self, body):
        """Create the relationship once: after an answer that may come after ECE created it, the relationships read back
        decide (``write_once``). When another run created one at the same time, every run keeps the same one and deletes
        its own, before anything refers to it: the oldest (``last_modified``, then the lowest ID). Not the lowest ID alone:
        a run that read back only its own relationship kept it, and one created after that read is younger, whatever its ID,
        so the run that created it defers to it."""
        created = self.client.write_once('create trust relationship %s' % self.params['name'],
                                         lambda: self.client.create_trust_relationship(body),
                                         lambda: (self.trusting() or [None])[0])
        found = self.trusting()
        keeper = min(found or [created], key=lambda i: (str(i.get('last_modified') or ''), str(i.get('id'))))
        if keeper.get('id') == created.get('id'):
            return created
        self.client.delete_trust_relationship(created['id'], self.params['name'])
        self.warn('trust relationship %s: another run created one for the same environment at the same time; this '
                  'run\'s (%s) was deleted and %s is used' % (self.params['name'], created.get('id'), keeper.get('id')))
        return keeper


# -- ece_deployment_trust ------------------------------------------------------------------------------------------
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
                item['certificates'] = sorted(pem_key(c.get('pem')) for c in entry.get('certificates') or [])
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
    by_key = dict((pem_key(c.get('pem')), c) for c in existing or [])
    result = []
    for pem in wanted:
        key = pem_key(pem)
        if key not in [pem_key(c['pem']) for c in result]:
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


def apply_absent(entries, wanted, kind, key):
    """Remove the listed cluster IDs from their entries, or whole entries given without an allowlist. An ``external`` entry
    that then trusts nothing (no cluster ID left, not trust_all) goes as a whole: it would only name its relationship, which
    may then be deleted, and ECE refuses every later trust write that names a missing relationship."""
    result = copy.deepcopy(entries or [])
    for want in wanted:
        entry = next((e for e in result if e.get(key) == want[key]), None)
        if entry is None:
            continue
        if not want.get('trust_allowlist'):
            result.remove(entry)
        elif set(want['trust_allowlist']) & set(entry.get('trust_allowlist') or []):
            entry['trust_allowlist'] = [v for v in entry['trust_allowlist'] if v not in want['trust_allowlist']]
            if kind == 'external' and not entry['trust_allowlist'] and not entry.get('trust_all'):
                result.remove(entry)
    return result


def keeps(entry, dangling):
    """Whether an external trust entry stays once the relationships ``dangling`` are gone: it trusts something, or names
    another relationship."""
    return bool(entry.get('trust_all') or entry.get('trust_allowlist')) or entry.get('trust_relationship_id') not in dangling


def merge_trust(current, wanted, state='present', purge=False, dangling=()):
    """The trust object ``current`` with the entries ``wanted`` (lists by kind, as the options give them) added or changed
    (``state`` present; ``purge``: their allowlists and node names replaced, not extended) or removed (``state`` absent);
    entries not named are kept. When that is a change, also without the ``external`` entries that trust nothing and name
    one of the deleted relationships ``dangling`` (ECE refuses every trust update that names a missing relationship).

    Pure: ``current`` in, the desired trust out (a copy; ``current`` is left as it is). The one merge of the deployment
    trust, of ece_deployment_trust as of each link of a rollout whose entries a plan round writes together."""
    trust = copy.deepcopy(current)
    for kind, key, scalars, sets in KINDS:
        if not wanted.get(kind):
            continue
        if state == 'present':
            trust[kind] = apply_present(trust.get(kind), wanted[kind], kind, key, scalars, sets, purge)
        else:
            trust[kind] = apply_absent(trust.get(kind), wanted[kind], kind, key)
    if dangling and comparable(trust) != comparable(current):
        trust['external'] = [e for e in trust['external'] if keeps(e, dangling)]
    return trust


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


def sent_again(current, desired):
    """Whether a trust write would send the trust as it is: a change only to start a new plan after a failed one."""
    return comparable(desired) == comparable(current)


class DeploymentTrust(Manager):
    api = 'ece'
    argument_spec = dict(
        deployment_argument_spec(),
        accounts=dict(type='list', elements='dict', options=dict(
            account_id=dict(type='str', required=True),
            trust_all=dict(type='bool'),
            trust_allowlist=dict(type='list', elements='str'),
            name=dict(type='str'),
        )),
        external=dict(type='list', elements='dict', options=dict(
            trust_relationship_id=dict(type='str'),
            trust_relationship_name=dict(type='str'),
            trust_all=dict(type='bool'),
            trust_allowlist=dict(type='list', elements='str'),
        ), mutually_exclusive=[('trust_relationship_id', 'trust_relationship_name')],
            required_one_of=[('trust_relationship_id', 'trust_relationship_name')]),
        direct=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True),
            type=dict(type='str', choices=['ECE', 'ESS', 'generic', 'proxy']),
            scope_id=dict(type='str'),
            certificates=dict(type='list', elements='str'),
            trust_all=dict(type='bool'),
            trust_allowlist=dict(type='list', elements='str'),
            additional_node_names=dict(type='list', elements='str'),
        )),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        purge=dict(type='bool', default=False),
        **plan_wait_options(600)
    )

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
        relationships = self.client.list_trust_relationships()  # as the other trust steps read it: one read serves all
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

    def dangling(self, trust):
        """The IDs of the deleted relationships that ``external`` entries trusting nothing still name (left by a removal of
        an earlier version of this collection). ECE refuses every trust update that names a missing relationship, so such
        an entry goes with the next write; the relationships are read only when there is such an entry."""
        empty = [e.get('trust_relationship_id') for e in trust.get('external') or []
                 if not e.get('trust_all') and not e.get('trust_allowlist')]
        if not empty:
            return ()
        existing = set(r.get('id') for r in self.client.list_trust_relationships(include_certificate=False))
        return tuple(i for i in empty if i not in existing)

    def wanted(self):
        """The entries asked for, by kind, with trust relationships by ID (a read only when one is given by name)."""
        return {'accounts': self.params['accounts'] or [], 'external': self.resolve_external(), 'direct': self.params['direct'] or []}

    def read(self):
        """The trust of the Elasticsearch resource, with the resource (``resource``), the entries asked for (``wanted``; a
        relationship named that does not exist fails before the deployment is read), its ``version`` (which the write
        sends), the deleted relationships that entries trusting nothing still name (``dangling``) and when every wait of
        this run ends (``deadline``)."""
        deadline = time.monotonic() + self.params['wait_timeout']
        wanted = self.wanted()
        deployment, version = self.client.get_deployment(self.params['deployment_id'])
        resource = es_resource(deployment, self.params['ref_id'])
        trust = trust_of(resource)
        return Observed(trust, {'resource': resource, 'version': version, 'wanted': wanted, 'dangling': self.dangling(trust),
                                'deadline': deadline})

    def plan(self, observed):
        """The trust merged with the entries asked for. Stored as asked but after a failed plan, which never put it to use,
        it is sent again (a change) to start a new plan."""
        current, facts = observed
        deployment_id = self.params['deployment_id']
        warnings = ['deployment %s: its external trust entry that names the deleted trust relationship %s trusts no cluster; '
                    'it goes with this trust update, since ECE refuses every update that names a missing relationship'
                    % (deployment_id, relationship_id) for relationship_id in facts['dangling']]
        desired = merge_trust(current, facts['wanted'], self.params['state'], self.params['purge'], facts['dangling'])
        if sent_again(current, desired):
            if ((facts['resource'].get('info') or {}).get('plan_info') or {}).get('healthy') is not False:
                return Plan(observed, desired, False, ())  # no update: a dangling entry stays until the next one
            warnings.append('deployment %s: the last plan failed, so the trust settings, stored as asked, may not be in use; '
                            '%s sent again to start a new plan' % (deployment_id, 'they would be' if self.check_mode else 'they were'))
        check_direct(desired.get('direct'), [e['name'] for e in facts['wanted']['direct']], deployment_id)
        return Plan(observed, desired, True, warnings)

    def apply(self, current, desired, facts):
        """Write the trust: a read-modify-write of the Elasticsearch resource's ``settings`` through ``PUT /deployments/{id}``;
        the trust after it.

        The deployment as :meth:`read` read it (``resource``, ``version``) is taken first, the entries asked for are
        merged into its trust, and only ``settings.trust`` is sent, with the current plan (see
        :func:`settings_update`) and ``?version=`` of the read, so that a concurrent change is answered with 409: then the
        deployment is read again and the entries merged again on top of the concurrent change, once. ECE refuses an update
        while a plan is pending, so a pending plan is waited for first. With ``wait``, the plan the write started is
        awaited (``plan``: its summary). The trust read is sent again as it is when the plan decided so (a failed plan)."""
        deployment_id, wait, deadline = self.params['deployment_id'], self.params['wait'], facts['deadline']
        reapply = sent_again(current, desired)
        waited_for_pending = conflict_retried = False
        summary = None
        sent = None  # a write answered with 409: its resource's ref_id, the plan attempts before it
        resource, version = facts['resource'], facts['version']
        for attempt in range(3):
            if attempt:  # after a wait for a pending plan or a 409: the deployment as it is now
                deployment, version = self.client.get_deployment(deployment_id, reuse=False)
                resource = es_resource(deployment, self.params['ref_id'])
            before = trust_of(resource)
            trust = merge_trust(before, facts['wanted'], self.params['state'], self.params['purge'], facts['dangling'])
            plan_info = resource['info'].get('plan_info') or {}
            if comparable(trust) == comparable(before) and not reapply:
                if sent:
                    # the change is there after a 409: a write of this run that was answered late (the transport sent it
                    # again with the old version) or a concurrent one that made the same change; either way the deployment
                    # changed in this run, and the plan it started is awaited
                    summary = wait_for_plan(self.client, deployment_id, sent['ref_id'], remaining(deadline),
                                            sent['previous_attempt'], after_write=True, ignore=sent['earlier']) if wait else None
                elif wait:
                    summary = await_pending_plan(self.client, deployment_id, resource, remaining(deadline))
                return Observed(trust, {'plan': summary})
            if plan_info.get('pending') and not waited_for_pending:
                # ECE refuses an update while another plan runs: let it finish, then read again
                self.warn('deployment %s: waiting for the pending plan to finish before the update' % deployment_id)
                wait_for_plan(self.client, deployment_id, resource['ref_id'], remaining(deadline))
                waited_for_pending = True
                continue
            payload = settings_update(deployment_id, resource, {'trust': for_write(trust)})
            previous_attempt = (plan_info.get('current') or {}).get('plan_attempt_id')
            earlier = failed_attempts(self.client, deployment_id, resource['ref_id'], plan_info)
            try:
                self.client.put_deployment(deployment_id, version, payload)
            except ApiError as exc:
                if exc.status != 409 or conflict_retried:
                    raise
                conflict_retried = True
                sent = dict(ref_id=resource['ref_id'], previous_attempt=previous_attempt, earlier=earlier)
                self.warn('update deployment %s: changed concurrently (HTTP 409); read again and re-applied on top of '
                          'the concurrent change' % deployment_id)
                continue
            if wait:
                summary = wait_for_plan(self.client, deployment_id, resource['ref_id'], remaining(deadline), previous_attempt,
                                        after_write=True, ignore=earlier)
            return Observed(trust, {'plan': summary})
        raise ApiError('update deployment %s: unreachable' % deployment_id)  # pragma: no cover

    def settle(self, after, changed, facts):
        if not changed and self.params['wait']:
            return Observed(after, {'plan': await_pending_plan(self.client, self.params['deployment_id'], facts['resource'],
                                                               remaining(facts['deadline']))})
        return None

    def report(self, current, after, changed, facts):
        real_wait = changed and self.params['wait'] and not self.check_mode
        summary = facts.get('plan')
        result = {'trust': after, 'plan_change': summary is not None if real_wait else changed}
        if summary is not None:
            result['plan'] = summary
        return result


# -- ece_tls_certificate_info --------------------------------------------------------------------------------------
class TlsCertificateInfo(Manager):
    api = 'ece'
    diff = False
    argument_spec = dict(
        service=dict(type='str', choices=['proxy', 'adminconsole', 'ui', 'internalca'], default='proxy'),
    )

    def read(self):
        return self.client.tls_certificate_chain(self.params['service'])

    def report(self, current, after, changed, facts):
        chain = list(current.get('chain') or [])
        return dict(chain=chain, root_certificate=chain[-1] if chain else None,
                    user_supplied=bool(current.get('user_supplied')), chain_status=current.get('chain_status'))
