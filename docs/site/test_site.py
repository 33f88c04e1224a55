"""The documentation site (docs/site/build.sh, what `make docs` runs): a page for every module and
role, made from their own documentation, the user guides, and the README's links.

Run by `make docs-test` (a stage of `make test`): python -m pytest docs/site/test_site.py
"""

from __future__ import annotations

import glob
import html
import os
import re
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py')))
ROLES = sorted(path.split(os.sep)[-3] for path in glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')))
GUIDES = sorted(os.path.basename(path)[:-4] for path in glob.glob(os.path.join(ROOT, 'docs', 'guides', '*.rst')))


def text_of(path):
    with open(path, encoding='utf-8') as handle:
        return html.unescape(re.sub(r'<[^>]+>', '', handle.read()))


def words(text):
    return ' '.join(text.split())


def module_documentation(name):
    with open(os.path.join(ROOT, 'plugins', 'modules', name + '.py')) as handle:
        source = handle.read()
    return yaml.safe_load(re.search(r"DOCUMENTATION = r'''(.*?)'''", source, re.S).group(1))


@pytest.fixture(scope='session')
def site(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('docs'))
    proc = subprocess.run(['bash', os.path.join(ROOT, 'docs', 'site', 'build.sh'), os.path.dirname(sys.executable), out],
                          capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, timeout=900)
    assert proc.returncode == 0, 'docs/site/build.sh failed\n%s\n%s' % (proc.stdout[-5000:], proc.stderr[-5000:])
    return os.path.join(out, 'html')


def test_every_module_has_a_page_from_its_own_documentation(site):
    assert MODULES
    for name in MODULES:
        doc = module_documentation(name)
        page = words(text_of(os.path.join(site, 'collections', 'vb365', 'restore', name + '_module.html')))
        assert words(doc['short_description']) in page, name
        connected = 'vb365.restore.connection' in (doc.get('extends_documentation_fragment') or [])
        for option in list(doc.get('options', {})) + (['server', 'username', 'password', 'ca_path'] if connected else []):
            assert option in page, (name, option)
        if connected:
            assert 'VB365_CA_PATH' in page, name  # from the connection doc fragment
    # Every module that talks to VB365 takes the connection options (report_files only writes files).
    assert [n for n in MODULES if 'vb365.restore.connection' not in
            (module_documentation(n).get('extends_documentation_fragment') or [])] == ['report_files']


def test_every_role_has_a_page_from_its_argument_specs(site):
    assert ROLES
    for name in ROLES:
        with open(os.path.join(ROOT, 'roles', name, 'meta', 'argument_specs.yml')) as handle:
            main = yaml.safe_load(handle)['argument_specs']['main']
        page = words(text_of(os.path.join(site, 'collections', 'vb365', 'restore', name + '_role.html')))
        assert words(main['short_description']) in page, name
        for option in main.get('options', {}):
            assert option in page, (name, option)


def test_the_index_links_every_guide_and_the_collection(site):
    with open(os.path.join(site, 'index.html'), encoding='utf-8') as handle:
        index = handle.read()
    assert set(GUIDES) >= {'getting_started', 'private_ca', 'exchange_credentials', 'awx'}
    for name in GUIDES:
        assert 'href="guides/%s.html"' % name in index, name
        with open(os.path.join(ROOT, 'docs', 'guides', name + '.rst')) as handle:
            title = [line for line in handle.read().splitlines() if line.strip() and not line.startswith('..')][0]
        assert title.strip() in words(text_of(os.path.join(site, 'guides', name + '.html'))), name
    assert 'href="collections/vb365/restore/index.html"' in index


def test_the_readme_links_to_the_guides_and_every_link_resolves():
    with open(os.path.join(ROOT, 'README.md')) as handle:
        readme = handle.read()
    targets = [target for target in re.findall(r'\]\(([^)#\s]+)', readme) if '://' not in target]
    for name in ('getting_started', 'private_ca', 'exchange_credentials', 'awx'):
        assert 'docs/guides/%s.rst' % name in targets, name
    assert [target for target in targets if not os.path.exists(os.path.join(ROOT, target))] == []
