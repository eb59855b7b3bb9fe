# -*- coding: utf-8 -*-
# Copyright: Contributors to the ece.remote_clusters collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What publishing needs: a version certification accepts, release notes that read as what a release offers, the
guides as pages of the docs site, and links that work where Galaxy and the docs site show them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'scripts'))

import docsite  # noqa: E402  pylint: disable=import-error,wrong-import-position


def _yaml(*path):
    with open(os.path.join(ROOT, *path)) as handle:
        return yaml.safe_load(handle)


def test_the_version_is_one_that_certification_accepts():
    major = int(str(_yaml('galaxy.yml')['version']).split('.', 1)[0])
    assert major >= 1  # galaxy-importer's require_v1_or_greater, which make test turns on


def test_the_fragments_of_an_unreleased_collection_read_as_what_its_first_release_offers():
    fragments = [_yaml(path) for path in sorted(glob.glob(os.path.join(ROOT, 'changelogs', 'fragments', '*.yml')))]
    summaries = [f for f in fragments if 'release_summary' in f]
    assert len(summaries) == 1, 'one release_summary for the release'
    if not _yaml('changelogs', 'changelog.yaml').get('releases'):
        # nothing was released: no bug history of a version nobody had, no porting notes from it
        for section in ('bugfixes', 'breaking_changes', 'deprecated_features', 'removed_features', 'security_fixes', 'trivial'):
            assert not [f for f in fragments if section in f], section


def test_the_changelog_config_releases_this_collection():
    config = _yaml('changelogs', 'config.yaml')
    assert config['title'] == 'ece.remote_clusters'
    assert config['changelog_filename_template'] == '../CHANGELOG.rst'
    assert config['prelude_section_name'] == 'release_summary' and config['keep_fragments'] is False


def test_the_docs_site_pages_are_those_of_the_guides_today():
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'docsite.py'), '--check'],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    extra = _yaml('docs', 'docsite', 'extra-docs.yml')
    guides = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'docs')) if name.endswith('.md'))
    assert extra['sections'][0]['toctree'] == guides
    for guide in guides:
        assert os.path.isfile(os.path.join(ROOT, 'docs', 'docsite', 'rst', guide + '.rst'))


def test_links_of_a_guide_become_references_of_the_docs_site_or_absolute_urls():
    text = ('# Title\n\nSee [Plan rounds](#plan-rounds), [the other guide](other.md#a-part), the\n'
            '[playbook](../playbooks/audit.yml) and [Elastic](https://www.elastic.co/).\n\n## Plan rounds\n\n'
            '| a | b |\n|---|---|\n| `x` | y\\|z |\n\n```yaml\nkey: value\n```\n')
    rst = docsite.Converter('mine', text, ['mine', 'other']).convert()
    assert ':ref:`Plan rounds <ansible_collections.ece.remote_clusters.docsite.mine.plan_rounds>`' in rst
    assert '.. _ansible_collections.ece.remote_clusters.docsite.mine.plan_rounds:' in rst
    assert ':ref:`the other guide <ansible_collections.ece.remote_clusters.docsite.other.a_part>`' in rst
    assert '`playbook <%s/blob/main/playbooks/audit.yml>`__' % _yaml('galaxy.yml')['repository'] in rst
    assert '`Elastic <https://www.elastic.co/>`__' in rst
    assert '.. list-table::' in rst and '  * - ``x``' in rst and '    - y\\|z' in rst
    assert '.. code-block:: yaml\n\n    key: value' in rst


def test_a_link_to_a_heading_that_does_not_exist_is_refused():
    try:
        docsite.Converter('mine', 'See [nothing](#nothing).\n', ['mine']).convert()
    except ValueError as err:
        assert '#nothing' in str(err)
    else:
        raise AssertionError('a broken link was converted')


def test_the_readme_galaxy_shows_has_no_relative_link():
    with open(os.path.join(ROOT, 'README.md')) as handle:
        text = handle.read()
    targets = re.findall(r'\]\(([^)\s]+)\)', text)
    assert targets
    assert [t for t in targets if not re.match(r'^(https://|#)', t)] == []
    for section in ('## Support', '## Release notes', '## Contributing', '## Guides'):
        assert '\n%s\n' % section in text, section


def test_the_docs_site_links_name_the_issue_tracker_and_the_repository():
    links = _yaml('docs', 'docsite', 'links.yml')
    repository = _yaml('galaxy.yml')['repository']
    assert links['issue_tracker'] == _yaml('galaxy.yml')['issues']
    assert repository.endswith('/' + links['edit_on_github']['repository'])
    assert {'Release notes', 'Support'} <= set(link['description'] for link in links['extra_links'])
