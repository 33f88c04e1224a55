"""The collection as users install it: ``ansible-galaxy collection build``, an install of the
tarball into an empty collection path, ``ansible-doc`` and playbook runs from that install with
only the VB365_* environment variables, and the execution environment built around it.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tarfile

import pytest
import yaml

from harness import Runner, assert_not_shown
from release_support import BIN, ROOT, ansible_env, built_and_installed, galaxy_version, run

SMOKE = os.path.join(ROOT, 'tests', 'integration', 'playbooks', 'session_smoke.yml')
MODULES = sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))
                 if not path.endswith('__init__.py'))
# Modules that talk to no VB365 server.
LOCAL_MODULES = ('report_files',)
ROLES = sorted(os.path.basename(os.path.dirname(os.path.dirname(path)))
               for path in glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')))


@pytest.fixture(scope='session')
def release(tmp_path_factory):
    return built_and_installed(str(tmp_path_factory.getbasetemp() / 'release'))


def test_the_tarball_holds_the_collection_and_no_development_files(release):
    with tarfile.open(release.tarball) as archive:
        names = set(archive.getnames())
        manifest = json.load(archive.extractfile('MANIFEST.json'))
    info = manifest['collection_info']
    assert (info['namespace'], info['name'], info['version']) == ('vb365', 'restore', galaxy_version())
    assert info['dependencies'] == {}
    wanted = ['README.md', 'LICENSE', 'CHANGELOG.md', 'changelogs/changelog.yaml', 'meta/runtime.yml',
              'meta/execution-environment.yml', 'requirements.txt', 'bindep.txt',
              'extensions/awx/vb365_credential_type.yml', 'extensions/awx/create_credential_type.yml',
              'plugins/module_utils/client.py', 'plugins/doc_fragments/connection.py']
    wanted += ['plugins/modules/%s.py' % name for name in MODULES]
    wanted += ['roles/%s/meta/argument_specs.yml' % name for name in ROLES]
    assert [name for name in wanted if name not in names] == []
    unwanted = ('.venv/', '.tmp/', 'build/', 'bench/', '.ci/', '.git/', 'tests/output/', 'mk/', 'vb365-reports/',
                'playbooks/vb365-reports/')
    assert sorted(name for name in names if name.startswith(unwanted) or name.endswith(('.pyc', '.tar.gz'))) == []
    # The Makefile calls .ci/ scripts, which do not ship: it does not ship either.
    assert 'Makefile' not in names


def test_ansible_doc_shows_every_module_and_role_of_the_install(release, tmp_path):
    env = ansible_env(str(tmp_path / 'home'))
    env['ANSIBLE_COLLECTIONS_PATH'] = release.installed
    listed = json.loads(run([os.path.join(BIN, 'ansible-doc'), '--json', '-l', 'vb365.restore'], env).stdout)
    assert sorted(listed) == ['vb365.restore.%s' % name for name in MODULES]
    docs = json.loads(run([os.path.join(BIN, 'ansible-doc'), '--json', '-t', 'module']
                          + ['vb365.restore.%s' % name for name in MODULES], env).stdout)
    for name in MODULES:
        doc = docs['vb365.restore.%s' % name]['doc']
        assert doc['short_description'], name
        if name in LOCAL_MODULES:  # they write files on the controller; no VB365 connection
            assert 'server' not in doc['options'], name
            continue
        assert doc['options']['server']['type'] == 'str', name
        assert 'VB365_PASSWORD' in ' '.join(doc['options']['password']['description']), name
    roles = json.loads(run([os.path.join(BIN, 'ansible-doc'), '--json', '-t', 'role']
                           + ['vb365.restore.%s' % name for name in ROLES], env).stdout)
    assert sorted(roles) == ['vb365.restore.%s' % name for name in ROLES]
    for name in ROLES:
        assert roles['vb365.restore.%s' % name]['entry_points']['main']['short_description'], name


def test_a_playbook_runs_from_the_install_with_only_the_environment(release, simulator, sim_api, tmp_path):
    runner = Runner(simulator, release.installed, str(tmp_path))
    run_ = runner.run(SMOKE, verbosity=4)
    opened = run_.result('Open')
    assert opened['changed'] is True and opened['session']['organization'] == 'contoso.onmicrosoft.com'
    expected = sim_api.get('mailboxes?organization=contoso.onmicrosoft.com')
    assert sorted(m['email'] for m in run_.result('List mailboxes')['mailboxes']) == sorted(m['email'] for m in expected)
    assert run_.result('Stop')['changed'] is True
    assert sim_api.working_sessions() == []
    # The modules came from the install: no other copy of the collection is on the path.
    assert os.path.join(release.collection_dir, 'plugins', 'modules', 'restore_session.py') in run_.output
    assert_not_shown(simulator.password, run_)


def test_a_runbook_runs_from_the_install_by_its_name(release, simulator, sim_api, tmp_path):
    with open(os.path.join(release.collection_dir, 'playbooks', 'vars', 'deleted_items_recovery.example.yml')) as handle:
        extra = yaml.safe_load(handle)
    extra['deleted_items_recovery_report_dir'] = str(tmp_path / 'reports')
    runner = Runner(simulator, release.installed, str(tmp_path))
    runner.run('vb365.restore.deleted_items_recovery', extra_vars=extra)
    with open(str(tmp_path / 'reports' / 'deleted-items-recovery.json')) as handle:
        report = json.load(handle)
    assert report['status'] == 'Success'
    recovered = [r for r in sim_api.production('bob@contoso.onmicrosoft.com') if r['folder'].startswith('Recovered 2026-11-17/')]
    assert recovered and all('Invoice' in r['subject'] for r in recovered)
    assert sim_api.working_sessions() == []


def test_ansible_builder_creates_the_execution_environment_context(release, tmp_path):
    """``ansible-builder create`` on execution-environment.yml, then the two build steps that
    need no container: the collection install from the context and the introspection that
    turns meta/execution-environment.yml into the image's Python and system requirements."""
    project = tmp_path / 'project'
    os.makedirs(str(project / '.tmp' / 'release'))
    shutil.copy(os.path.join(ROOT, 'execution-environment.yml'), str(project))
    shutil.copy(release.tarball, str(project / '.tmp' / 'release' / 'vb365-restore.tar.gz'))
    env = ansible_env(str(tmp_path / 'home'))
    context = tmp_path / 'context'
    run([os.path.join(BIN, 'ansible-builder'), 'create', '-f', 'execution-environment.yml', '-c', str(context),
         '--output-filename', 'Containerfile'], env, cwd=str(project))
    containerfile = (context / 'Containerfile').read_text()
    assert 'ansible-galaxy collection install' in containerfile and 'introspect' in containerfile
    assert (context / '_build' / 'collections' / 'vb365-restore.tar.gz').read_bytes() == open(release.tarball, 'rb').read()

    # The galaxy stage: `ansible-galaxy collection install -r requirements.yml` in _build.
    collections = tmp_path / 'ee-collections'
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '-r', 'requirements.yml',
         '--collections-path', str(collections)], env, cwd=str(context / '_build'))
    assert os.path.isfile(str(collections / 'ansible_collections' / 'vb365' / 'restore' / 'MANIFEST.json'))

    # The builder stage's introspection of the installed collections.
    found = yaml.safe_load(run([os.path.join(BIN, 'ansible-builder'), 'introspect', '--sanitize', str(collections)],
                               env).stdout.split('---', 1)[1])
    with open(os.path.join(ROOT, 'requirements.txt')) as handle:
        python = [line.split('#')[0].strip() for line in handle if line.split('#')[0].strip()]
    assert [entry.split('#')[0].strip() for entry in found['python']] == python
    assert any(entry.startswith('ca-certificates') for entry in found['system'])


def test_the_changelog_is_current(tmp_path):
    """changelogs/changelog.yaml holds every fragment and module, and CHANGELOG.md is generated from
    it (after adding a fragment or a module: `make changelog`)."""
    with open(os.path.join(ROOT, 'changelogs', 'changelog.yaml')) as handle:
        release = yaml.safe_load(handle)['releases'][galaxy_version()]
    hint = ' (run `make changelog`)'
    fragments = sorted(os.listdir(os.path.join(ROOT, 'changelogs', 'fragments')))
    assert sorted(release['fragments']) == fragments, hint
    modules = sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py')))
    assert sorted(module['name'] for module in release['modules']) == modules, hint

    copy = tmp_path / 'collection'
    os.makedirs(str(copy / 'changelogs'))
    for name in ('galaxy.yml', 'CHANGELOG.md'):
        shutil.copy(os.path.join(ROOT, name), str(copy))
    for name in ('config.yaml', 'changelog.yaml'):
        shutil.copy(os.path.join(ROOT, 'changelogs', name), str(copy / 'changelogs'))
    shutil.copytree(os.path.join(ROOT, 'changelogs', 'fragments'), str(copy / 'changelogs' / 'fragments'))
    env = ansible_env(str(tmp_path / 'home'))
    run([os.path.join(BIN, 'antsibull-changelog'), 'lint'], env, cwd=str(copy))
    run([os.path.join(BIN, 'antsibull-changelog'), 'generate'], env, cwd=str(copy))
    with open(os.path.join(ROOT, 'CHANGELOG.md')) as handle:
        assert (copy / 'CHANGELOG.md').read_text() == handle.read(), 'CHANGELOG.md is not generated from changelogs/' + hint
