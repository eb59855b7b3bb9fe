# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-cluster replication: the resource managers of the modules es_ccr_follower, es_ccr_auto_follow_pattern and
es_ccr_info. Private to this collection.

What the APIs return decides what can be compared: ``GET /<f>/_ccr/info`` returns the tuning parameters of a follower
only while it is active (none while paused, nor right after its creation, before its shard follow tasks run), and
``GET /_ccr/auto_follow`` returns only ``max_outstanding_read_requests`` of them; ``settings`` are never returned. What
cannot be read is written on create (and on resume), and reported as ``unverified``, never as a change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ece.remote_clusters.plugins.module_utils._client import ApiError
from ansible_collections.ece.remote_clusters.plugins.module_utils._common import TIME_UNITS_MS, check_alias, check_time_value, time_value_ms
from ansible_collections.ece.remote_clusters.plugins.module_utils._manager import Manager
from ansible_collections.ece.remote_clusters.plugins.module_utils._waiters import attempts

COUNT_PARAMETERS = ('max_read_request_operation_count', 'max_outstanding_read_requests', 'max_write_request_operation_count',
                    'max_outstanding_write_requests', 'max_write_buffer_count')
SIZE_PARAMETERS = ('max_read_request_size', 'max_write_request_size', 'max_write_buffer_size')
TIME_PARAMETERS = ('max_retry_delay', 'read_poll_timeout')
TUNING = COUNT_PARAMETERS + SIZE_PARAMETERS + TIME_PARAMETERS
TUNING_SPEC = dict([(name, dict(type='int')) for name in COUNT_PARAMETERS] + [(name, dict(type='str')) for name in SIZE_PARAMETERS + TIME_PARAMETERS])
# the only tuning parameter GET /_ccr/auto_follow returns
PATTERN_READABLE = ('max_outstanding_read_requests',)
DATA_STREAM_VERSION = '8.4.0'
SIZE_RE = re.compile(r'^([0-9]+)(b|kb|mb|gb|tb|pb)$')
SIZE_UNITS = {'b': 1, 'kb': 1024, 'mb': 1024 ** 2, 'gb': 1024 ** 3, 'tb': 1024 ** 4, 'pb': 1024 ** 5}
INDEX_NAME_RE = re.compile(r'^[^A-Z\\/*?"<>| ,#:]+$')
# a follower created paused can be paused only once its shard follow tasks run: it waits this long at least
MIN_START_WAIT = 120
LICENSE_HINT = ('the cluster\'s licence does not include cross-cluster replication (it needs platinum or enterprise, on both '
                'the follower and the leader cluster)')


def normalize_parameter(name, value):
    """A tuning value as comparable: sizes in bytes, time values in milliseconds, counts as they are."""
    if value is None or name in COUNT_PARAMETERS:
        return value
    text = str(value).strip().lower()
    if name in SIZE_PARAMETERS:
        found = SIZE_RE.match(text)
        return int(found.group(1)) * SIZE_UNITS[found.group(2)] if found else text
    number = text.rstrip('nacromshd')
    unit = text[len(number):]
    return time_value_ms(text) if number.isdigit() and unit in TIME_UNITS_MS else text


def check_tuning(params):
    """Messages about the tuning options of ``params``."""
    errors = []
    for name in COUNT_PARAMETERS:
        if params.get(name) is not None and params[name] < 1:
            errors.append('%s: must be 1 or more, got %d' % (name, params[name]))
    for name in SIZE_PARAMETERS:
        if params.get(name) is not None and not SIZE_RE.match(str(params[name]).strip().lower()):
            errors.append('%s: %r is not a byte size; write a whole number and a unit (b, kb, mb, gb), e.g. 32mb' % (name, params[name]))
    for name in TIME_PARAMETERS:
        if params.get(name) is not None:
            errors.append(check_time_value(params[name], name, example='500ms'))
    return errors


def check_index_name(name, option):
    if not name or not INDEX_NAME_RE.match(name) or name.startswith(('_', '-', '+')) or name in ('.', '..'):
        return ('%s: %r is not an index name; use lower-case letters, digits and "-", "_", "." (not first), without spaces, '
                'commas, wildcards or any of \\/?"<>|#:' % (option, name))
    return None


def given_tuning(params, names=TUNING):
    return dict((name, params[name]) for name in names if params.get(name) is not None)


class CcrManager(Manager):
    """What the CCR managers share: a licence refusal named as such."""

    api = 'elasticsearch'

    def call(self, function, *args):
        try:
            return function(*args)
        except ApiError as exc:
            if exc.status == 403 and 'non-compliant for [ccr]' in (exc.message or ''):
                self.fail('%s: %s' % (LICENSE_HINT, exc.message), status=exc.status, error=exc.error)
            if exc.status == 400 and 'is not licensed for [ccr]' in (exc.message or ''):
                self.fail('%s: %s' % (LICENSE_HINT, exc.message), status=exc.status, error=exc.error)
            raise

    def differs(self, current, desired):
        if desired is None or current is None:
            return current != desired
        return self.compare(current, desired)

    def compare(self, current, desired):
        """Whether an existing object differs from the wanted one."""
        return current != desired


# -- es_ccr_follower ---------------------------------------------------------------------------------------------
class CcrFollower(CcrManager):
    argument_spec = dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        remote_cluster=dict(type='str'),
        leader_index=dict(type='str'),
        data_stream_name=dict(type='str'),
        status=dict(type='str', choices=['active', 'paused'], default='active'),
        settings=dict(type='dict'),
        wait_timeout=dict(type='int', default=120),
        delete_index=dict(type='bool', default=False),
        **TUNING_SPEC
    )
    required_if = [('state', 'present', ('remote_cluster', 'leader_index'))]

    def validate(self):
        params = self.params
        errors = [check_index_name(params['name'], 'name')]
        if params['state'] == 'absent':
            return errors
        errors.append(check_alias(params['remote_cluster'], 'remote_cluster'))
        errors.append(check_index_name(params['leader_index'], 'leader_index'))
        if params['wait_timeout'] < 0:
            errors.append('wait_timeout: must be 0 or more seconds, got %d' % params['wait_timeout'])
        return errors + check_tuning(params)

    def read(self):
        params = self.params
        name = params['name']
        if params['state'] == 'present' and params['data_stream_name'] and not self.client.version_at_least(DATA_STREAM_VERSION):
            self.fail('data_stream_name needs Elasticsearch %s or later, but %s runs %s; remove data_stream_name (the follower '
                      'keeps the leader\'s name) or upgrade the cluster' % (DATA_STREAM_VERSION, self.client.base_url, self.client.version))
        current = self.follower()
        if current is None:
            if params['state'] == 'present' and self.client.index_exists(name):
                self.fail('the index %s exists and is not a follower index; a follower is created as a new index: delete that '
                          'index, or give the follower another name' % name)
            return None
        if params['state'] == 'present':
            moved = [option for option in ('remote_cluster', 'leader_index') if current.get(option) != params[option]]
            if moved:
                self.fail('the follower index %s follows %s on remote cluster %s; %s cannot change in place (Elasticsearch cannot '
                          'point a follower elsewhere). To follow the new leader, re-create it: run this task with state: absent '
                          'and delete_index: true, then again with the new %s' % (
                              name, current.get('leader_index'), current.get('remote_cluster'), ' and '.join(moved), ' and '.join(moved)))
        return {'remote_cluster': current.get('remote_cluster'), 'leader_index': current.get('leader_index'),
                'status': current.get('status'), 'parameters': current.get('parameters')}

    def follower(self):
        """The ``_ccr/info`` entry of the follower, or None when the index is missing or not a follower."""
        name = self.params['name']
        found = [entry for entry in self.call(self.client.follower_info, name) if entry.get('follower_index') == name]
        return found[0] if found else None

    def desired(self, current):
        params = self.params
        if params['state'] == 'absent':
            return None
        return {'remote_cluster': params['remote_cluster'], 'leader_index': params['leader_index'], 'status': params['status'],
                'parameters': given_tuning(params)}

    def differing_parameters(self, current):
        """The given tuning parameters the follower has another value of (comparable only while it is active)."""
        readable = (current or {}).get('parameters')
        if not readable:
            return []
        return sorted(name for name, value in given_tuning(self.params).items()
                      if normalize_parameter(name, readable.get(name)) != normalize_parameter(name, value))

    def unverified(self, current):
        """Given options that could not be compared with the follower: settings (never returned), and the tuning
        parameters while it is paused."""
        if current is None:
            return []
        names = ['settings'] if self.params['settings'] else []
        if not current.get('parameters'):
            names.extend(sorted(given_tuning(self.params)))
        return names

    def compare(self, current, desired):
        if desired['status'] != current['status']:
            return True
        return desired['status'] == 'active' and bool(self.differing_parameters(current))

    def request_body(self):
        return given_tuning(self.params)

    def apply(self, current, desired, facts):
        name = self.params['name']
        client = self.client
        if desired is None:
            self.remove(current)
            return None
        if current is None:
            body = dict(remote_cluster=desired['remote_cluster'], leader_index=desired['leader_index'], **self.request_body())
            for option in ('settings', 'data_stream_name'):
                if self.params[option]:
                    body[option] = self.params[option]
            self.send_create(body)
            if desired['status'] == 'paused':
                self.wait_until_following(max(self.params['wait_timeout'], MIN_START_WAIT))
                client.pause_follower(name)
            return desired
        if current['status'] == 'active':
            client.pause_follower(name)
        if desired['status'] == 'active':
            self.call(client.resume_follower, name, self.request_body())
        return desired

    def send_create(self, body):
        """``PUT .../_ccr/follow``. The client sends a PUT again after a broken connection, and a second create of a follower
        that the first one made fails: after a failure, the follower as it is now tells whether the create was done."""
        name = self.params['name']
        try:
            self.call(self.client.create_follower, name, body)
        except ApiError:
            done = self.follower()
            if done is None or (done.get('remote_cluster'), done.get('leader_index')) != (body['remote_cluster'], body['leader_index']):
                raise

    def remove(self, current):
        """Stop following for good: pause (if running), close, unfollow, then open the regular index, or delete it."""
        name = self.params['name']
        client = self.client
        if current['status'] == 'active':
            client.pause_follower(name)
        client.close_index(name)
        client.unfollow(name)
        if self.params['delete_index']:
            client.delete_index(name)
        else:
            client.open_index(name)

    def settle(self, after, changed, facts):
        """A follower started or resumed: its parameters once it follows."""
        if after is not None and changed and after['status'] == 'active' and self.params['wait_timeout'] > 0:
            return dict(after, parameters=self.wait_until_following(self.params['wait_timeout']).get('parameters'))
        return None

    def wait_until_following(self, timeout):
        """Poll ``_ccr/info`` until the follower is active with its parameters: ``PUT .../_ccr/follow`` (and a resume)
        answers before the shard follow tasks run, and ``_ccr/info`` shows it paused without parameters meanwhile."""
        name, found = self.params['name'], None
        for dummy in attempts(self.client, 'the follower index %s to start following' % name, timeout):
            found = self.follower()
            if found and found.get('status') == 'active' and found.get('parameters') is not None:
                return found
        self.fail('the follower index %s has not started following within %ds (last _ccr/info: %s); check es_ccr_info for '
                  'read or fatal exceptions, the connection of remote cluster %s and the replication privileges'
                  % (name, timeout, found or 'not a follower', self.params['remote_cluster']), changed=True)

    def report(self, current, after, changed, facts):
        return {'follower': self.view(after) if after is not None else None, 'created': changed and current is None and after is not None,
                'differing_parameters': self.differing_parameters(current) if after is not None else [],
                'unverified': self.unverified(current) if after is not None else []}

    def view(self, state):
        if state is None:
            return {}
        parameters = state.get('parameters') or {}
        shown = dict((key, state[key]) for key in ('remote_cluster', 'leader_index', 'status'))
        # the given tuning parameters, as the follower has them (when readable) or will have them
        shown['parameters'] = dict((name, parameters[name]) for name in sorted(given_tuning(self.params)) if name in parameters)
        return shown


# -- es_ccr_auto_follow_pattern ------------------------------------------------------------------------------------
PATTERN_FIELDS = ('remote_cluster', 'leader_index_patterns', 'leader_index_exclusion_patterns', 'follow_index_pattern')
DEFAULT_FOLLOW_PATTERN = '{{leader_index}}'


class CcrAutoFollowPattern(CcrManager):
    argument_spec = dict(
        name=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        remote_cluster=dict(type='str'),
        leader_index_patterns=dict(type='list', elements='str'),
        leader_index_exclusion_patterns=dict(type='list', elements='str'),
        follow_index_pattern=dict(type='str'),
        settings=dict(type='dict'),
        active=dict(type='bool', default=True),
        **TUNING_SPEC
    )
    required_if = [('state', 'present', ('remote_cluster', 'leader_index_patterns'))]

    def validate(self):
        params = self.params
        errors = []
        if not params['name'] or not INDEX_NAME_RE.match(params['name']):
            errors.append('name: %r is not a pattern name; use letters, digits, "-", "_" and ".", without spaces, commas or '
                          'wildcards' % params['name'])
        if params['state'] == 'absent':
            return errors
        errors.append(check_alias(params['remote_cluster'], 'remote_cluster'))
        if not [pattern for pattern in params['leader_index_patterns'] or [] if pattern]:
            errors.append('leader_index_patterns: give at least one index pattern of the leader cluster, e.g. ["logs-*"]')
        follow = params['follow_index_pattern']
        if follow is not None and DEFAULT_FOLLOW_PATTERN not in follow:
            errors.append('follow_index_pattern: %r must contain {{leader_index}}, which each follower name takes from its leader, '
                          'e.g. "{{leader_index}}-copy"' % follow)
        return errors + check_tuning(params)

    def read(self):
        return self.call(self.client.auto_follow_patterns, self.params['name']).get(self.params['name'])

    def desired(self, current):
        params = self.params
        if params['state'] == 'absent':
            return None
        wanted = dict((field, params[field]) for field in PATTERN_FIELDS)
        wanted['leader_index_exclusion_patterns'] = params['leader_index_exclusion_patterns'] or []
        wanted['active'] = params['active']
        wanted.update(given_tuning(params, PATTERN_READABLE))
        return wanted

    @staticmethod
    def comparable(pattern):
        """The fields of a pattern that GET returns, in a form fit for comparison."""
        result = dict((field, pattern.get(field)) for field in PATTERN_FIELDS)
        for field in ('leader_index_patterns', 'leader_index_exclusion_patterns'):
            result[field] = sorted(set(result[field] or []))
        result['follow_index_pattern'] = result['follow_index_pattern'] or DEFAULT_FOLLOW_PATTERN
        return result

    def pattern_differs(self, current, desired):
        if current is None:
            return True
        if self.comparable(current) != self.comparable(desired):
            return True
        return any(current.get(name) != desired[name] for name in PATTERN_READABLE if name in desired)

    def compare(self, current, desired):
        return self.pattern_differs(current, desired) or bool(current.get('active')) != desired['active']

    def apply(self, current, desired, facts):
        name = self.params['name']
        client = self.client
        if desired is None:
            client.delete_auto_follow_pattern(name)
            return None
        if self.pattern_differs(current, desired):
            body = dict((field, value) for field, value in desired.items() if field != 'active' and value not in (None, []))
            body.update(given_tuning(self.params))
            if self.params['settings']:
                body['settings'] = self.params['settings']
            self.call(client.put_auto_follow_pattern, name, body)
            if not desired['active']:
                client.pause_auto_follow_pattern(name)  # a PUT makes the pattern active, also an update of a paused one
        elif desired['active']:
            client.resume_auto_follow_pattern(name)
        else:
            client.pause_auto_follow_pattern(name)
        return desired

    def report(self, current, after, changed, facts):
        unverified = []
        if after is not None and current is not None:
            unverified = (['settings'] if self.params['settings'] else []) + sorted(
                name for name in given_tuning(self.params) if name not in PATTERN_READABLE)
        return {'pattern': self.view(after) if after is not None else None, 'created': changed and current is None and after is not None,
                'unverified': unverified}

    def view(self, state):
        if state is None:
            return {}
        shown = self.comparable(state)
        shown['active'] = bool(state.get('active'))
        shown.update((name, state[name]) for name in PATTERN_READABLE if name in state)
        return shown


# -- es_ccr_info -----------------------------------------------------------------------------------------------------
def follower_summary(info, stats):
    """One follower: its info and, from its shard stats, lag, read exceptions and fatal exceptions."""
    shards = (stats or {}).get('shards') or []
    lag = sum(max(0, (shard.get('leader_global_checkpoint') or 0) - (shard.get('follower_global_checkpoint') or 0)) for shard in shards)
    read_exceptions = [dict(exception, shard_id=shard.get('shard_id')) for shard in shards for exception in shard.get('read_exceptions') or []]
    fatal = [dict(shard['fatal_exception'], shard_id=shard.get('shard_id')) for shard in shards if shard.get('fatal_exception')]
    return {
        'follower_index': info.get('follower_index'), 'remote_cluster': info.get('remote_cluster'),
        'leader_index': info.get('leader_index'), 'status': info.get('status'), 'parameters': info.get('parameters'),
        'global_checkpoint_lag': (stats or {}).get('total_global_checkpoint_lag', lag) if stats else None,
        'read_exceptions': read_exceptions, 'fatal_exceptions': fatal,
        'shards': [dict((key, shard.get(key)) for key in ('shard_id', 'leader_global_checkpoint', 'follower_global_checkpoint',
                                                          'failed_read_requests', 'time_since_last_read_millis')) for shard in shards],
    }


def summarize(infos, patterns, stats):
    """``(followers, patterns)`` of what the CCR APIs returned: each follower's info with its shard stats
    (:func:`follower_summary`), each auto-follow pattern with its name."""
    by_index = dict((entry.get('index'), entry) for entry in (stats.get('follow_stats') or {}).get('indices') or [])
    return ([follower_summary(info, by_index.get(info.get('follower_index'))) for info in infos],
            [dict(pattern, name=name) for name, pattern in sorted(patterns.items())])


def replication_problems(followers, auto_follow_stats):
    """Plain words about what does not replicate: fatal exceptions, paused followers, read exceptions, auto-follow errors."""
    problems = []
    for follower in followers:
        name = follower['follower_index']
        for fatal in follower['fatal_exceptions']:
            problems.append('follower %s stopped on shard %s: %s (%s); pause and resume it once the cause is fixed'
                            % (name, fatal['shard_id'], fatal.get('reason'), fatal.get('type')))
        if follower['status'] == 'paused':
            problems.append('follower %s is paused' % name)
        for failure in follower['read_exceptions']:
            exception = failure.get('exception') or {}
            problems.append('follower %s retries reading shard %s (%s retries): %s (%s)' % (
                name, failure['shard_id'], failure.get('retries'), exception.get('reason'), exception.get('type')))
    for error in (auto_follow_stats or {}).get('recent_auto_follow_errors') or []:
        exception = error.get('auto_follow_exception') or {}
        problems.append('auto-follow of %s failed: %s (%s)' % (error.get('leader_index'), exception.get('reason'), exception.get('type')))
    return problems


class CcrInfo(CcrManager):
    diff = False
    argument_spec = dict(
        followers=dict(type='list', elements='str', default=['_all']),
        stats=dict(type='bool', default=True),
    )

    def validate(self):
        return [check_index_name(name.replace('*', 'x'), 'followers') for name in self.params['followers'] if name != '_all']

    def read(self):
        client = self.client
        expression = ','.join(self.params['followers'])
        info = self.call(client.follower_info, expression)
        patterns = client.auto_follow_patterns()
        stats = self.call(client.ccr_stats) if self.params['stats'] else {}
        followers, patterns = summarize(info, patterns, stats)
        auto_follow_stats = stats.get('auto_follow_stats')
        return {'followers': followers, 'auto_follow_patterns': patterns, 'auto_follow_stats': auto_follow_stats,
                'problems': replication_problems(followers, auto_follow_stats) if self.params['stats'] else
                [('follower %s is paused' % f['follower_index']) for f in followers if f['status'] == 'paused']}

    def differs(self, current, desired):
        return False

    def report(self, current, after, changed, facts):
        return dict(current)
