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
                    failed_task='Apply the links in plan rounds (step local_trust)', message='the plan failed')
    graph = remote_clusters_graph(outcomes, environments, deployments, proxies={'ece-b': {'chain': [PROXY_B]}})
    summary = dict(links=len(outcomes), ok=3, changed=0, failed=1, connected=2, not_connected=2, removed=0, failed_before_checking=0)
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
