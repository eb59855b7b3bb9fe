# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pictures of the report of the role remote_clusters, rendered from its templates as the role renders them: the
Graphviz layout draws no text over another and keeps its legend small; the Mermaid diagram gives each remote cluster a
box of its own (no two labels on one pair of nodes); broken links stand out; the proxy-CA trust of the API-key model is
in both pictures and in the trust table."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import jinja2
from ansible.plugins.filter.core import FilterModule as CoreFilters
from ansible.plugins.filter.mathstuff import FilterModule as MathFilters

from ansible_collections.ece.remote_clusters.plugins.filter.remote_clusters_graph import remote_clusters_graph
from ansible_collections.ece.remote_clusters.plugins.module_utils._diagnosis import replication_diagnosis
from ansible_collections.ece.remote_clusters.tests.unit.plugins.filter.layout import dot_or_skip, layout, overlaps, texts
from ansible_collections.ece.remote_clusters.tests.unit.plugins.filter.test_remote_clusters_graph import (
    CLUSTER, DEPLOYMENT, outcome, world)

TEMPLATES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles', 'remote_clusters', 'templates')
PROXY_B = '-----BEGIN CERTIFICATE-----\nproxy-ca-of-ece-b\n-----END CERTIFICATE-----\n'


def report():
    """Two environments, three links between search-a and data-b (one broken, one each way, one of each model), one
    within ece-b (broken), and search-a trusting the private proxy CA of ece-b."""
    outcomes, environments, deployments = world()
    search_a = deployments['ece-a']['deployments'][0]['elasticsearch'][0]
    search_a['trust']['direct'] = [{'name': 'ece-b-proxy', 'type': 'proxy', 'trust_all': False, 'certificates': [{'pem': PROXY_B}]}]
    outcomes += [outcome('search-a-to-data-b-by-key', ('ece-a', 'search-a'), ('ece-b', 'data-b'), connected=False, model='api_key'),
                 outcome('data-b-to-search-a', ('ece-b', 'data-b'), ('ece-a', 'search-a'), model='api_key')]
    for item in outcomes:
        item.update(check_mode=False, link_status='connected' if item['connected'] else 'not_connected', changes=[], problems=[],
                    failed_task='Apply the links in plan rounds (step local_trust)', message='the plan failed', replication=None)
    graph = remote_clusters_graph(outcomes, environments, deployments, proxies={'ece-b': {'chain': [PROXY_B]}})
    summary = dict(links=len(outcomes), ok=3, changed=0, failed=1, connected=2, not_connected=2, removed=0, failed_before_checking=0,
                   replicating=0, replication_problems=0)
    return {'generated_at': '2026-01-01T00:00:00Z', 'check_mode': True, 'summary': summary, 'plan_rounds': 0,
            'links': outcomes, 'unowned_keys': [], 'graph': graph}


def render(name, data):
    """A template of the role, as the role's template module renders it (trim_blocks, Ansible's filters)."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, undefined=jinja2.StrictUndefined)
    environment.filters.update(CoreFilters().filters())
    environment.filters.update(MathFilters().filters())
    return environment.get_template(name).render(__remote_clusters_report=data, __remote_clusters_report_dot={'rc': 0})


def test_the_graphviz_picture_draws_no_text_over_another_and_its_legend_is_small():
    dot = dot_or_skip()
    source = render('report.dot.j2', report())
    drawn = layout(dot, source)
    boxes = texts(drawn)
    for alias in ('search_a_to_data_b', 'old_b_to_data_b', 'search_a_to_data_b_by_key', 'data_b_to_search_a', 'proxy CA'):
        assert alias in [b[1] for b in boxes], alias
    assert overlaps(boxes) == []
    left, bottom, right, top = (float(v) for v in drawn['bb'].split(','))
    (legend,) = [o for o in drawn['objects'] if o.get('name') == 'legend']
    # width and height in inches, the bounding box in points
    assert float(legend['width']) * float(legend['height']) * 72 * 72 < 0.1 * (right - left) * (top - bottom)


def test_broken_links_are_bold_red_and_the_proxy_ca_trust_is_drawn_in_graphviz():
    source = render('report.dot.j2', report())
    broken = re.findall(r'^  (\w+) -> (\w+) \[(penwidth=[^\]]*NOT connected")\];$', source, re.M)
    assert sorted((a, b) for a, b, dummy in broken) == [('ece_a__search_a', 'ece_b__data_b'), ('ece_b__old_b', 'ece_b__data_b')]
    assert all('penwidth=2, style=dashed, color="red"' in attributes for dummy, dummy2, attributes in broken)
    assert re.search(r'^    ece_b__proxy_ca \[label="proxy CA", shape=note', source, re.M)
    assert 'ece_a__search_a -> ece_b__proxy_ca [style=dotted, color="royalblue"' in source


def test_mermaid_gives_every_label_a_pair_of_nodes_of_its_own_and_shows_the_proxy_ca_trust():
    markdown = render('report.md.j2', report())
    mermaid = markdown.split('```mermaid\n')[1].split('```')[0]
    edges = re.findall(r'^  (\w+) (\S+?)(?:\|"([^"]*)"\|)? (\w+)(?:\(\[|$)', mermaid, re.M)
    labelled = [frozenset((a, b)) for a, dummy, label, b in edges if label]
    assert len(labelled) == len(set(labelled)), edges
    # each remote cluster is a box of its own between its two deployments, in the colour of its state
    boxes = re.findall(r'^  (\w+) (===|-\.-) (rc\d+)\(\["([^"]*)"\]\) (==>|-\.->) (\w+)\n  class \3 (\w+)$', mermaid, re.M)
    assert len(boxes) == 4
    assert ('ece_a__search_a', '-.-', 'rc3', 'search_a_to_data_b_by_key<br/>api_key: NOT connected', '-.->', 'ece_b__data_b',
            'broken') in boxes
    styles = dict(re.findall(r'^  linkStyle (\d+) (.*)$', mermaid, re.M))
    red = [index for index, style in styles.items() if 'stroke:#c62828' in style]
    assert len(red) == 4 and all('stroke-width:3px' in styles[index] for index in red)  # two links, two lines each
    assert '    ece_b__proxy_ca[["proxy CA"]]\n' in mermaid and '  ece_a__search_a -.-> ece_b__proxy_ca\n' in mermaid
    assert ('| ece-a/search-a | the proxy CA of environment ece-b | `direct` trust entry `ece-b-proxy` of type `proxy` '
            '(API-key model) |') in markdown
    assert DEPLOYMENT['search-a'] not in mermaid and CLUSTER['data-b'] not in mermaid


# -- links that replicate ----------------------------------------------------------------------------------------
def follower(name, leader, status='active', lag=0):
    return {'follower_index': name, 'remote_cluster': 'x', 'leader_index': leader, 'status': status, 'parameters': None,
            'global_checkpoint_lag': None if status == 'paused' else lag, 'read_exceptions': [], 'fatal_exceptions': [], 'shards': []}


def replicated_report():
    """The report above, with the replication through three aliases as the role records it: search-a-to-data-b replicates
    with a paused follower (connected, a problem), data-b-to-search-a replicates well, and the broken API-key link has a
    follower that waits for it (its chain diagnosis names that problem too)."""
    data = report()
    links = dict((o['name'], o) for o in data['links'])
    replications = {
        'search-a-to-data-b': ({'followers': [follower('orders-copy', 'orders', lag=12), follower('logs-copy', 'logs', 'paused')],
                                'auto_follow_patterns': [{'name': 'logs-from-b', 'active': False, 'remote_cluster': 'search_a_to_data_b',
                                                          'leader_index_patterns': ['logs-*', 'metrics-*']}],
                                'auto_follow_errors': []}, True),
        'data-b-to-search-a': ({'followers': [follower('users-copy', 'users', lag=3)], 'auto_follow_patterns': [], 'auto_follow_errors': []}, True),
        'search-a-to-data-b-by-key': ({'followers': [follower('audit-copy', 'audit')], 'auto_follow_patterns': [], 'auto_follow_errors': []}, False),
    }
    for name, (replication, connected) in replications.items():
        replication['problems'] = replication_diagnosis(replication, links[name]['alias'], links[name]['model'], connected)
        links[name]['replication'] = replication
    links['search-a-to-data-b-by-key']['problems'] = [
        {'problem': 'restart_required', 'side': 'local', 'message': 'The keystore holds the credentials, not loaded.'}
    ] + links['search-a-to-data-b-by-key']['replication']['problems']
    data['graph'] = remote_clusters_graph(data['links'], *world()[1:], proxies={'ece-b': {'chain': [PROXY_B]}})
    data['summary'].update(replicating=3, replication_problems=2)
    return data


def test_a_connected_link_whose_followers_have_problems_is_orange_in_graphviz_and_its_label_counts_them():
    source = render('report.dot.j2', replicated_report())
    edges = dict((alias, (a, b, attributes)) for a, b, attributes, alias in re.findall(
        r'^  (\w+) -> (\w+) \[(penwidth=[^\]]*label="(\w+)[^\]]*)\];$', source, re.M))
    assert edges['search_a_to_data_b'] == ('ece_a__search_a', 'ece_b__data_b', 'penwidth=4, color="darkorange", fontcolor="darkorange3", '
                                           'label="search_a_to_data_b\\ncertificate\\n2 followers, 1 pattern: 1 problem"')
    assert edges['data_b_to_search_a'][2] == 'penwidth=4, color="darkgreen", fontcolor="darkgreen", label="data_b_to_search_a\\napi_key\\n1 follower"'
    assert edges['search_a_to_data_b_by_key'][2].startswith('penwidth=2, style=dashed, color="red"')  # not connected: red
    assert 'connected, followers with problems' in source
    assert 'connected, followers with problems' not in render('report.dot.j2', report())  # the legend shows what is drawn
    dot = dot_or_skip()
    drawn = layout(dot, source)
    assert overlaps(texts(drawn)) == []
    left, bottom, right, top = (float(v) for v in drawn['bb'].split(','))
    (legend,) = [o for o in drawn['objects'] if o.get('name') == 'legend']
    assert float(legend['width']) * float(legend['height']) * 72 * 72 < 0.1 * (right - left) * (top - bottom)


def test_mermaid_marks_a_connected_link_whose_followers_have_problems_in_orange():
    mermaid = render('report.md.j2', replicated_report()).split('```mermaid\n')[1].split('```')[0]
    boxes = re.findall(r'^  (\w+) (===|-\.-) (rc\d+)\(\["([^"]*)"\]\) (==>|-\.->) (\w+)\n  class \3 (\w+)$', mermaid, re.M)
    by_label = dict((label.split('<br/>')[0], (label, cls)) for dummy, dummy2, dummy3, label, dummy4, dummy5, cls in boxes)
    assert by_label['search_a_to_data_b'] == ('search_a_to_data_b<br/>certificate: connected<br/>2 followers, 1 pattern: 1 replication problem',
                                              'replication')
    assert by_label['data_b_to_search_a'] == ('data_b_to_search_a<br/>api_key: connected<br/>1 follower', 'connected')
    assert by_label['search_a_to_data_b_by_key'][1] == 'broken'
    assert '  classDef replication fill:#fff3e0,stroke:#ef6c00' in mermaid
    styles = dict(re.findall(r'^  linkStyle (\d+) (.*)$', mermaid, re.M))
    assert len([index for index, style in styles.items() if style == 'stroke:#ef6c00,stroke-width:4px']) == 2  # both lines of one link


def test_the_markdown_has_a_replication_section_per_link_with_followers_patterns_and_problems():
    markdown = render('report.md.j2', replicated_report())
    assert '3 links replicate indices (cross-cluster replication), 2 with problems.' in markdown
    section = markdown.split('## Replication\n')[1].split('\n## ')[0]
    assert [line for line in section.split('\n') if line.startswith('### ')] == [
        '### Replication of search-a-to-data-b (`search_a_to_data_b`)', '### Replication of search-a-to-data-b-by-key (`search_a_to_data_b_by_key`)',
        '### Replication of data-b-to-search-a (`data_b_to_search_a`)']
    assert '| `orders-copy` | `orders` | active | 12 | 0 | 0 |' in section
    assert '| `logs-copy` | `logs` | **paused** | - | 0 | 0 |' in section
    assert '| `logs-from-b` | `logs-*`, `metrics-*` | **no** |' in section
    assert ('- Follower logs-copy of logs on search_a_to_data_b is paused: it does not replicate until it is resumed (es_ccr_follower '
            'with status: active). (`follower_paused`, local side)') in section
    assert 'No problem: every follower replicates.' in section.split('### Replication of data-b-to-search-a')[1]
    # the link that is not connected: its chain under "Why it is not connected", its followers under Replication, once each
    assert markdown.count('(`replication_interrupted`, local side)') == 1
    details = markdown.split('### search-a-to-data-b-by-key\n')[1].split('###')[0]
    assert '(`restart_required`, local side)' in details and 'replication_interrupted' not in details


def test_a_replication_that_could_not_be_read_is_a_problem_of_the_section_without_tables():
    data = report()
    data['links'][0]['replication'] = {'failed': True, 'msg': 'HTTP 403 current license is non-compliant for [ccr]',
                                       'problems': replication_diagnosis({'failed': True, 'msg': 'HTTP 403'}, 'search_a_to_data_b')}
    data['summary'].update(replicating=1, replication_problems=1)
    section = render('report.md.j2', data).split('## Replication\n')[1].split('\n## ')[0]
    assert '| Follower |' not in section and '(`replication_unreadable`, local side)' in section
