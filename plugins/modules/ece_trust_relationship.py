#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ece_trust_relationship
short_description: Create, update or delete a platform trust relationship to another ECE environment
version_added: 0.1.0
description:
  - Manages one platform trust relationship of an Elastic Cloud Enterprise environment to another ECE environment,
    identified by its O(name).
  - Trust between environments is bi-directional. Run this module in environment B with environment A's ID and CA
    certificate, and in environment A with B's. M(ece.remote_clusters.ece_trust_relationship_info) reads an
    environment's own ID (RV(ece.remote_clusters.ece_trust_relationship_info#module:local.installation_id)) and
    certificate.
  - The relationship is looked up with one request (the list of relationships, with certificates). It is created when
    missing, updated with only the fields that differ, or deleted with O(state=absent).
  - The environment's own (local) relationship is never changed; a O(name) that is the local relationship's name is
    refused.
  - Deployments use the relationship only when their trust settings refer to it (see
    M(ece.remote_clusters.ece_deployment_trust)) or when O(trust_by_default=true).
options:
  name:
    description:
      - Name of the relationship, usually the name of the other environment. It identifies the relationship.
      - When several relationships have this name the module fails and lists their IDs; remove the duplicates first.
    type: str
    required: true
  state:
    description:
      - V(present) creates the relationship or updates it to match the given options.
      - V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  installation_id:
    description:
      - ID of the other ECE environment (its B(environment ID)), 32 lower-case hexadecimal characters.
      - It is the RV(ece.remote_clusters.ece_trust_relationship_info#module:local.installation_id) of the other environment.
      - When not given, the ID of an existing relationship is left unchanged.
    type: str
  certificate:
    description:
      - CA certificate (PEM) of the other ECE environment, the
        RV(ece.remote_clusters.ece_trust_relationship_info#module:local.certificate) of the other environment.
      - Required to create the relationship. When not given, the certificate of an existing relationship is left
        unchanged.
      - Compared with the current certificate after normalising the PEM text, so line breaks and surrounding text do
        not count as a change. The normalised PEM is sent.
    type: str
  trust_by_default:
    description:
      - Whether every deployment of this environment trusts the other environment by default.
      - With V(false), deployments trust it only through their own trust settings.
    type: bool
    default: false
  account_ids:
    description:
      - IDs of the other environment's accounts to trust (an ECE environment has one account).
      - Compared as a set. When not given, the accounts of an existing relationship are left unchanged.
    type: list
    elements: str
notes:
  - The certificate is public and is shown in the diff and in RV(trust_relationship).
extends_documentation_fragment:
  - ece.remote_clusters.ece
  - ece.remote_clusters.connection
  - ece.remote_clusters.attributes
  - ece.remote_clusters.attributes.ACTIONGROUP_ECE
author:
  - ece.remote_clusters maintainers (@ece-remote-clusters)
'''

EXAMPLES = r'''
- name: Read environment A's trust parameters
  ece.remote_clusters.ece_trust_relationship_info:
    ece_url: https://ece-a.example.com:12443
    ece_api_key: "{{ vault_ece_a_api_key }}"
  register: env_a

- name: Trust environment A in environment B
  ece.remote_clusters.ece_trust_relationship:
    ece_url: https://ece-b.example.com:12443
    ece_api_key: "{{ vault_ece_b_api_key }}"
    name: ece-a
    installation_id: "{{ env_a.local.installation_id }}"
    certificate: "{{ env_a.local.certificate }}"
    account_ids: "{{ env_a.local.account_ids }}"
    trust_by_default: false
  register: relationship

- name: Show the ID that deployment trust settings refer to
  ansible.builtin.debug:
    msg: "{{ relationship.trust_relationship.id }}"

- name: Remove the relationship to environment A
  ece.remote_clusters.ece_trust_relationship:
    ece_url: https://ece-b.example.com:12443
    ece_api_key: "{{ vault_ece_b_api_key }}"
    name: ece-a
    state: absent
'''

RETURN = r'''
trust_relationship:
  description:
    - The relationship after the change (predicted in check mode), with the keys of an item of
      RV(ece.remote_clusters.ece_trust_relationship_info#module:trust_relationships).
    - Null when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description:
        - Server-assigned ID; deployment trust settings refer to it in C(external[].trust_relationship_id).
        - Null in check mode when the relationship would be created.
      type: str
      sample: 83a7b03f2a4343fe99f09bd27ca3d9ec
    name:
      description: Name of the relationship.
      type: str
      sample: ece-a
    local:
      description: Whether this is the environment's own relationship (always false here).
      type: bool
      sample: false
    trust_by_default:
      description: Whether all deployments of this environment trust the other environment by default.
      type: bool
      sample: false
    account_ids:
      description: IDs of the trusted accounts.
      type: list
      elements: str
      sample: [651598b101e54ccab1bfdcd8b6e3b8be]
    installation_id:
      description: ID of the trusted environment.
      type: str
      sample: 1f3e0a5b2c3d4e5f60718293a4b5c6d7
    certificate:
      description: CA certificate (PEM) of the trusted environment.
      type: str
      sample: "-----BEGIN CERTIFICATE-----\n..."
'''

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import (
    check_identifiers, check_installation_id, check_pem, normalize_pem)
from ansible_collections.ece.remote_clusters.plugins.module_utils._ece import relationship_view
from ansible_collections.ece.remote_clusters.plugins.module_utils._module import RemoteClustersModule

TRUST_RELATIONSHIPS = '/configuration/trust-relationships'


def state_view(item):
    """The relationship as it appears in the diff: its managed fields, account IDs sorted."""
    if item is None:
        return {'state': 'absent'}
    view = relationship_view(item)
    return {'state': 'present', 'name': view['name'], 'installation_id': view['installation_id'],
            'certificate': view['certificate'], 'trust_by_default': view['trust_by_default'],
            'account_ids': sorted(view['account_ids'])}


class TrustRelationship(RemoteClustersModule):
    api = 'ece'

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

    def execute(self):
        name = self.params['name']
        items = self.client.list_trust_relationships(include_certificate=True)
        current = self.find(items, name)
        if self.params['state'] == 'absent':
            self.absent(current)
        else:
            self.present(current, next((i for i in items if i.get('local')), None))

    @staticmethod
    def find(items, name):
        matches = [i for i in items if i.get('name') == name]
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
        if params['trust_by_default'] != bool(current.get('trust_by_default')):
            body['trust_by_default'] = params['trust_by_default']
        if params['installation_id'] is not None and params['installation_id'] != current.get('installation_id'):
            body['installation_id'] = params['installation_id']
        if params['certificate'] is not None:
            certificate = normalize_pem(params['certificate'])
            if certificate != normalize_pem(current.get('public_ca_cert')):
                body['public_ca_cert'] = certificate
        if params['account_ids'] is not None and set(params['account_ids']) != set(current.get('account_ids') or []):
            body['account_ids'] = sorted(set(params['account_ids']))
        return body

    def present(self, current, local):
        params = self.params
        installation_id = params['installation_id']
        if installation_id and local is not None and installation_id == local.get('installation_id'):
            raise ApiError('installation_id: %s is the ID of this environment itself; give the ID of the other environment '
                           '(run ece_trust_relationship_info there and use its local.installation_id)' % installation_id)
        body = self.changes(current)
        after = dict(current or {}, **body)
        if current is None:
            if params['certificate'] is None:
                raise ApiError('trust relationship %r does not exist and certificate is not given: give the other '
                               'environment\'s CA certificate (its local relationship\'s certificate) to create it'
                               % params['name'])
            body = dict(body, name=params['name'], trust_by_default=params['trust_by_default'])
            after = dict(body)
        self.set_changed(bool(body))
        if body and not self.check_mode:
            if current is None:
                response = self.client.request('POST', self.client.platform_path(TRUST_RELATIONSHIPS),
                                               'create trust relationship %s' % params['name'], body=body,
                                               expected=(201,))[1]
            else:
                response = self.client.request('PUT', self.client.platform_path('%s/%s' % (TRUST_RELATIONSHIPS, current['id'])),
                                               'update trust relationship %s' % params['name'], body=body)[1]
            # the responses carry no certificate: keep the one read or sent
            after.update(response or {})
        self.result['trust_relationship'] = relationship_view(after)
        self.set_diff(state_view(current), state_view(after))

    def absent(self, current):
        self.set_changed(current is not None)
        if current is not None and not self.check_mode:
            self.client.request('DELETE', self.client.platform_path('%s/%s' % (TRUST_RELATIONSHIPS, current['id'])),
                                'delete trust relationship %s' % self.params['name'])
        self.result['trust_relationship'] = None
        self.set_diff(state_view(current), state_view(None))


def main():
    TrustRelationship(dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        installation_id=dict(type='str'),
        certificate=dict(type='str'),
        trust_by_default=dict(type='bool', default=False),
        account_ids=dict(type='list', elements='str'),
    )).run()


if __name__ == '__main__':
    main()
