# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What proves that a link works, and the decisions about loading its credentials: pure functions over the answers of
Elasticsearch (no request is sent here). Private to this collection.

- A link is connected when a cross-cluster request succeeds: the answer of ``_resolve/cluster/<alias>:*`` (8.13 and
  later) names the alias ``connected`` and without an ``error`` (the only REST answer that shows an authentication
  failure), or below 8.13 a search of the remote cluster that reads no data is not skipped. ``_remote/info`` only says
  how a node's connection was built (``cluster_credentials``), never whether its requests authenticate, and it answers
  for one node: Elasticsearch rebuilds no connection when a credential's value changes
  (``RemoteClusterService.updateRemoteClusterCredentials``), and each request carries the credential its node holds now.
- Credentials are loaded when ``POST _nodes/reload_secure_settings`` answers for every node without a ``reload_exception``
  after the keystore file reached the nodes: from 9.3 each node names the secure settings it loaded and the digest of
  its file, which shows it; before, nothing does, and only a successful request with the new key, or time, tells.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ece.remote_clusters.plugins.module_utils._common import version_tuple

# remote cluster credentials are reloadable (POST _nodes/reload_secure_settings) from this version on
# (elastic/elasticsearch#102798, 8.13.0 release notes); below, only a restart loads them
RELOADABLE_VERSION = '8.13.0'
# from this version each node's reload answer names the secure settings it loaded and the digest of its keystore file
# (elasticsearch-specification#5825, NodeReloadResult)
RELOAD_EVIDENCE_VERSION = '9.3.0'
# 8.13.0 to 8.15.1 refuse to reload remote credentials for a user without manage_security (elastic/elasticsearch#111543)
RELOAD_PRIVILEGE_FIXED = '8.15.2'
# the version that Elastic's current pages require on both sides for the API-key model (the collection takes 8.12 on)
DOCUMENTED_API_KEY_VERSION = '8.14.0'
# how long one probe may take, whatever the client's request_timeout (the wait's own limit comes first)
PROBE_TIMEOUT = 10.0
# the resolve cluster API, the lightest request that makes a cluster connect to its remote clusters, exists from this version
RESOLVE_CLUSTER_VERSION = '8.13.0'
# it takes a timeout from this version (Elasticsearch 8.18 release notes)
RESOLVE_TIMEOUT_VERSION = '8.18.0'


def _at_least(version, minimum):
    try:
        return version_tuple(version) >= version_tuple(minimum)
    except ValueError:
        return False


def probe_verdict(alias, status, body, error=None):
    """``(connected, reason)`` of one cross-cluster request to ``alias``: its HTTP status and body (the resolve cluster
    API's, or a probe search's), and for an error status its error (type and reason, as the client parsed them).
    ``reason`` says what failed, in Elasticsearch's words where it gave some."""
    if status >= 400:
        return False, 'HTTP %s: %s' % (status, ': '.join(part for part in error or () if part) or 'no error text')
    body = body if isinstance(body, dict) else {}
    if '_clusters' in body or 'hits' in body:  # a search: the remote cluster is skipped when it failed
        clusters = body.get('_clusters') or {}
        if clusters.get('skipped') or not clusters.get('successful'):
            return False, 'the search of remote cluster %s skipped it (not connected, or its requests are refused)' % alias
        return True, None
    entry = body.get(alias)
    if not isinstance(entry, dict):
        return False, 'the resolve cluster answer has no entry for %s' % alias
    if entry.get('error'):
        return False, str(entry['error'])
    if not entry.get('connected'):
        return False, 'not connected'
    return True, None


def reload_failures(answer):
    """The failures of a ``reload_secure_settings`` answer: ``_nodes.failed`` and every node's ``reload_exception`` (a
    200 answer does not mean every node reloaded)."""
    failures = ['%s node(s) failed' % (answer.get('_nodes') or {}).get('failed')] if (answer.get('_nodes') or {}).get('failed') else []
    for node_id, node in sorted((answer.get('nodes') or {}).items()):
        cause = node.get('reload_exception')
        if cause:
            failures.append('node %s: %s' % (node.get('name') or node_id, cause.get('reason') or cause.get('type') or cause))
    return failures


def refused_for_privileges(failures):
    """Whether reload failures are the refusal of 8.13.0 to 8.15.1 to reload remote credentials for a user without
    manage_security (elastic/elasticsearch#111543)."""
    return any('remote_cluster_credentials/reload' in failure or 'manage_security' in failure for failure in failures)


def digests(answer):
    """The keystore digest of every node of a reload answer (9.3 and later), as a set."""
    return set(node.get('keystore_digest') for node in (answer.get('nodes') or {}).values() if node.get('keystore_digest'))


def file_evidence(answer, setting, before):
    """From 9.3: ``(proven, reason)`` that every node loaded one new keystore file that holds ``setting``: every node names
    it, one digest on every node, and not a digest the nodes had before the keystore write (``before``)."""
    nodes = list((answer.get('nodes') or {}).values())
    missing = [node.get('name') for node in nodes if setting not in (node.get('secure_setting_names') or [])]
    if missing:
        return False, 'the nodes %s have no %s in their keystore file yet' % (', '.join(sorted(missing)), setting)
    found = digests(answer)
    if len(found) != 1:
        return False, 'the nodes hold %d different keystore files' % len(found)
    if found & set(before or ()):
        return False, 'the nodes still hold the keystore file of before the write'
    return True, None


def credentials_loading(version, reload_min_version=RELOADABLE_VERSION):
    """How the running nodes of Elasticsearch ``version`` load changed remote cluster credentials: ``('reload', why)``
    from ``reload_min_version`` (8.13) on, else ``('restart', why)``."""
    if _at_least(version, reload_min_version):
        return 'reload', 'Elasticsearch %s reloads remote cluster credentials (POST _nodes/reload_secure_settings)' % version
    return 'restart', 'Elasticsearch %s is below %s, which first reloads remote cluster credentials' % (version, reload_min_version)


def restart_needed(version, failures, proven, reload_min_version=RELOADABLE_VERSION):
    """Whether a restart must load the credentials, and why: the version does not reload them, the nodes refused the
    reload (the privilege of 8.13.0 to 8.15.1), or no evidence showed them loaded in time. ``(needed, why)``."""
    path, why = credentials_loading(version, reload_min_version)
    if path == 'restart':
        return True, why
    if failures and refused_for_privileges(failures):
        return True, ('the nodes refused to reload remote cluster credentials for this user (%s); Elasticsearch 8.13.0 to 8.15.1 '
                      'need the manage_security privilege for it (fixed in %s)' % ('; '.join(failures), RELOAD_PRIVILEGE_FIXED))
    if not proven:
        return True, 'no evidence showed the nodes loaded them in time (%s)' % ('; '.join(failures) or 'credentials_wait_timeout')
    return False, why


def evidence_version(version):
    """Whether the reload answers of Elasticsearch ``version`` show which keystore file each node loaded (9.3)."""
    return _at_least(version, RELOAD_EVIDENCE_VERSION)


def below_documented(*versions):
    """The versions below the one Elastic's current pages require for the API-key model (8.14)."""
    return [version for version in versions if version and not _at_least(version, DOCUMENTED_API_KEY_VERSION)]
