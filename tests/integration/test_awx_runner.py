"""vb365.restore the way AWX / Automation Controller runs it.

- A job: ansible-runner (AWX's engine) runs a playbook from a private data directory, with the
  collection installed from the built tarball and the VB365 credential injected as AWX injects it
  (environment variables, the CA certificate written to a file under ``env/``), against the
  simulator.
- The credential type: ``extensions/awx/create_credential_type.yml`` creates it through
  ``awx.awx.credential_type`` in a controller (a fake of the part of AWX's API that the module
  uses), exactly as the file defines it, and a second run changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil

import ansible_runner
import pytest

from awx_support import CREDENTIAL_TYPE, FakeController, awx_collection, inject
from harness import PlaybookRun, assert_not_shown, run_playbook
from release_support import BIN, ROOT, built_and_installed

SMOKE = os.path.join(ROOT, 'tests', 'integration', 'playbooks', 'session_smoke.yml')


@pytest.fixture(scope='session')
def release(tmp_path_factory):
    return built_and_installed(str(tmp_path_factory.getbasetemp() / 'release'))


@pytest.fixture
def job_environment(monkeypatch):
    """The pytest process's environment without what would change the run (ansible-runner starts
    from it), with this venv's ansible-playbook first on PATH."""
    for name in list(os.environ):
        if name.startswith(('ANSIBLE_', 'VB365_', 'CONTROLLER_', 'TOWER_')):
            monkeypatch.delenv(name)
    monkeypatch.setenv('PATH', BIN + os.pathsep + os.environ.get('PATH', ''))


def ok_results(runner, task):
    return [event['event_data']['res'] for event in runner.events
            if event.get('event') == 'runner_on_ok' and event['event_data'].get('task') == task]


def test_a_job_with_the_credential_runs_under_ansible_runner(release, simulator, sim_api, tmp_path, job_environment):
    private_data_dir = tmp_path / 'job'
    os.makedirs(str(private_data_dir / 'project'))
    shutil.copy(SMOKE, str(private_data_dir / 'project' / 'smoke.yml'))
    with open(simulator.ca_path) as handle:
        ca_certificate = handle.read()
    inputs = {'server': simulator.url, 'username': simulator.username, 'password': simulator.password,
              'ca_certificate': ca_certificate, 'validate_certs': 'true'}
    envvars = inject(CREDENTIAL_TYPE, inputs, str(private_data_dir))
    assert envvars['VB365_CA_PATH'].startswith(str(private_data_dir / 'env'))
    home = tmp_path / 'home'
    os.makedirs(str(home))
    (home / 'ansible.cfg').write_text('[defaults]\n')
    envvars.update({'ANSIBLE_COLLECTIONS_PATH': release.installed, 'ANSIBLE_CONFIG': str(home / 'ansible.cfg'),
                    'ANSIBLE_HOME': str(home), 'ANSIBLE_LOCALHOST_WARNING': 'false',
                    'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false'})
    try:
        job = ansible_runner.run(private_data_dir=str(private_data_dir), playbook='smoke.yml', envvars=envvars,
                                 verbosity=4, quiet=True, ident='1', timeout=300)
        stdout = job.stdout.read()
        assert (job.status, job.rc) == ('successful', 0), stdout[-6000:]

        [opened] = ok_results(job, 'Open')
        assert opened['changed'] is True and opened['session']['organization'] == 'contoso.onmicrosoft.com'
        assert opened['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
        assert opened['invocation']['module_args']['ca_path'] == envvars['VB365_CA_PATH']
        [listed] = ok_results(job, 'List mailboxes')
        expected = sim_api.get('mailboxes?organization=contoso.onmicrosoft.com')
        assert sorted(m['email'] for m in listed['mailboxes']) == sorted(m['email'] for m in expected)
        assert [result['changed'] for result in ok_results(job, 'Stop')] == [True]
        assert sim_api.working_sessions() == []
        # The modules came from the installed tarball.
        assert os.path.join(release.collection_dir, 'plugins', 'modules', 'restore_session.py') in stdout

        # What AWX keeps of a job (its output and events) never holds the password. ansible-runner
        # also writes the job's environment to artifacts/<ident>/command, which AWX deletes with
        # the private data directory, as this test does below.
        assert_not_shown(simulator.password, PlaybookRun(job.rc, stdout, '', verbosity=4))
        kept = []
        for folder, _dirs, files in os.walk(str(private_data_dir / 'artifacts')):
            for name in files:
                if name != 'command':
                    with open(os.path.join(folder, name), errors='replace') as handle:
                        kept.append(handle.read())
        assert len(kept) > 3 and not [text for text in kept if simulator.password in text]
    finally:
        shutil.rmtree(str(private_data_dir), ignore_errors=True)


def test_the_playbook_creates_the_credential_type_in_the_controller_once(release, tmp_path):
    controller = FakeController().start()
    playbook = os.path.join(release.collection_dir, 'extensions', 'awx', 'create_credential_type.yml')
    env = {'CONTROLLER_HOST': controller.url, 'CONTROLLER_USERNAME': controller.username,
           'CONTROLLER_PASSWORD': controller.password, 'CONTROLLER_VERIFY_SSL': 'false'}
    try:
        first = run_playbook(playbook, env=env, verbosity=4, collections=awx_collection(), workdir=str(tmp_path))
        assert first.result('Create or update the credential type')['changed'] is True
        assert len(controller.credential_types) == 1
        created = controller.credential_types[1]
        for key in ('name', 'description', 'kind', 'inputs', 'injectors'):
            assert created[key] == CREDENTIAL_TYPE[key], key
        assert controller.writes() == [('POST', '/api/v2/credential_types/')]
        assert_not_shown(controller.password, first)

        second = run_playbook(playbook, env=env, collections=awx_collection(), workdir=str(tmp_path))
        assert second.result('Create or update the credential type')['changed'] is False
        assert controller.writes() == [('POST', '/api/v2/credential_types/')]

        # A controller with an older definition (another variable name) gets the current one.
        created['injectors'] = json.loads(json.dumps(created['injectors']).replace('VB365_SERVER', 'VB365_HOST'))
        third = run_playbook(playbook, env=env, collections=awx_collection(), workdir=str(tmp_path))
        assert third.result('Create or update the credential type')['changed'] is True
        assert controller.writes()[-1] == ('PATCH', '/api/v2/credential_types/1/')
        assert created['injectors'] == CREDENTIAL_TYPE['injectors']
    finally:
        controller.stop()
