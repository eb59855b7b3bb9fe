# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter link_shards: shards share no deployment and are as small as that allows (connected components)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ece.remote_clusters.plugins.filter.link_shards import FilterModule, link_shards


def link(name, local, remote):
    """A link of the inventory format; ``local``/``remote`` are (environment, deployment ID)."""
    return {'name': name, 'alias': name.replace('-', '_'), 'model': 'api_key',
            'local': {'environment': local[0], 'deployment_id': local[1], 'es': {'es_password': 'secret'}},
            'remote': {'environment': remote[0], 'deployment_id': remote[1]}}


def deployments_of(item):
    return set((side['environment'], side['deployment_id']) for side in (item['local'], item['remote']))


def random_links(rng):
    environments = ['ece-%d' % i for i in range(rng.randint(1, 4))]
    pool = [(rng.choice(environments), '%032x' % rng.getrandbits(128)) for dummy in range(rng.randint(2, 30))]
    links = []
    for index in range(rng.randint(0, 40)):
        local = rng.choice(pool)
        # sometimes a link to itself's neighbour, sometimes (rarely) a deployment linked to itself
        remote = rng.choice(pool)
        links.append(link('link-%d' % index, local, remote))
    return links


def reachable(links, start):
    """Links reachable from ``start`` through shared deployments (breadth first, independent of the filter)."""
    seen, frontier = {start['name']}, [start]
    while frontier:
        current = frontier.pop()
        for other in links:
            if other['name'] not in seen and deployments_of(other) & deployments_of(current):
                seen.add(other['name'])
                frontier.append(other)
    return seen


@pytest.mark.parametrize('seed', range(300))
def test_links_that_share_a_deployment_are_in_one_shard_and_shards_are_components(seed):
    rng = random.Random(seed)
    links = random_links(rng)
    plan = link_shards(links)
    shard_of = {}
    for shard in plan['shards']:
        for name in shard['links']:
            assert name not in shard_of, 'link %s is in two shards' % name
            shard_of[name] = shard['name']
    assert sorted(shard_of) == sorted(item['name'] for item in links), 'every link is in exactly one shard'
    # no two links that share a deployment land in different shards
    for first in links:
        for second in links:
            if deployments_of(first) & deployments_of(second):
                assert shard_of[first['name']] == shard_of[second['name']]
    # minimal: each shard is exactly one connected component (every link of it reachable from its first link)
    by_name = dict((item['name'], item) for item in links)
    for shard in plan['shards']:
        assert reachable(links, by_name[shard['links'][0]]) == set(shard['links'])
        touched = set()
        for name in shard['links']:
            touched |= deployments_of(by_name[name])
        assert shard['deployments'] == sorted('%s/%s' % node for node in touched)
        assert shard['environments'] == sorted(set(node[0] for node in touched))
    # the largest shard is reported with its size
    if links:
        sizes = [len(shard['links']) for shard in plan['shards']]
        assert plan['largest']['links'] == max(sizes)
        assert plan['largest']['name'] == plan['shards'][sizes.index(max(sizes))]['name']
    else:
        assert plan == {'shards': [], 'largest': None}


def test_shards_are_named_and_ordered_by_their_first_link_and_keep_the_link_order():
    a, b, c, hub = ('ece-a', 'a' * 32), ('ece-b', 'b' * 32), ('ece-a', 'c' * 32), ('ece-b', 'd' * 32)
    links = [link('a-to-b', a, b), link('c-to-hub', c, hub), link('b-to-a', b, a), link('a-to-c', ('ece-a', 'e' * 32), c)]
    plan = link_shards(links)
    assert [s['name'] for s in plan['shards']] == ['shard_1', 'shard_2']
    assert plan['shards'][0]['links'] == ['a-to-b', 'b-to-a']
    assert plan['shards'][1]['links'] == ['c-to-hub', 'a-to-c']
    assert plan['shards'][1]['deployments'] == ['ece-a/' + 'c' * 32, 'ece-a/' + 'e' * 32, 'ece-b/' + 'd' * 32]
    assert plan['largest'] == {'name': 'shard_1', 'links': 2, 'deployments': 2}
    assert link_shards(links, prefix='group_')['shards'][0]['name'] == 'group_1'


def test_a_hub_linked_to_everything_makes_one_shard_and_says_so():
    hub = ('ece-a', '0' * 32)
    links = [link('spoke-%d' % i, ('ece-b', '%032x' % (i + 1)), hub) for i in range(5)]
    plan = link_shards(links)
    assert len(plan['shards']) == 1
    assert plan['largest'] == {'name': 'shard_1', 'links': 5, 'deployments': 6}


def test_deployment_names_are_resolved_with_the_deployment_reads():
    by_id = link('by-id', ('ece-a', 'a' * 32), ('ece-b', 'b' * 32))
    by_name = {'name': 'by-name', 'alias': 'x', 'local': {'environment': 'ece-a', 'deployment_name': 'search-a'},
               'remote': {'environment': 'ece-b', 'deployment_name': 'other-b'}}
    reads = {'ece-a': {'changed': False, 'deployments': [{'id': 'a' * 32, 'name': 'search-a'}]},
             'ece-b': [{'id': 'f' * 32, 'name': 'other-b'}]}
    plan = link_shards([by_id, by_name], deployments=reads)
    assert [s['links'] for s in plan['shards']] == [['by-id', 'by-name']]


def test_names_and_ids_mixed_in_one_environment_are_refused_without_reads():
    by_id = link('by-id', ('ece-a', 'a' * 32), ('ece-b', 'b' * 32))
    by_name = {'name': 'by-name', 'alias': 'x', 'local': {'environment': 'ece-a', 'deployment_name': 'search-a'},
               'remote': {'environment': 'ece-c', 'deployment_name': 'other'}}
    with pytest.raises(AnsibleFilterError, match='environment ece-a name deployments by name \\(search-a\\) and others by ID.*deployments='):
        link_shards([by_id, by_name])
    # links that name every deployment of an environment one way are fine
    assert len(link_shards([by_name])['shards']) == 1


@pytest.mark.parametrize('links, message', [
    ({'a': 1}, 'must be the list of links'),
    ([{'alias': 'x', 'local': {'environment': 'ece-a'}, 'remote': {'environment': 'ece-b', 'deployment_id': 'b'}}],
     'link x: local must name its environment and its deployment_id or deployment_name'),
    ([{'local': {'environment': 'ece-a', 'deployment_id': 'a'}, 'remote': {'environment': 'ece-b', 'deployment_id': 'b'}}],
     'link #1 has neither name nor alias'),
    ([link('same', ('e', 'a'), ('e', 'b')), link('same', ('e', 'c'), ('e', 'd'))], 'two links have the name same'),
])
def test_bad_input_says_what_is_wrong(links, message):
    with pytest.raises(AnsibleFilterError, match=message):
        link_shards(links)


def test_the_filter_is_registered_and_never_shows_secrets():
    assert FilterModule().filters()['link_shards'] is link_shards
    assert 'secret' not in repr(link_shards([link('x', ('e', 'a'), ('e', 'b'))]))
