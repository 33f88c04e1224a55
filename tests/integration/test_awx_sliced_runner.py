"""A slice of a tenant-wide restore the way AWX runs it: ansible-runner with the collection installed from
the built tarball, the mailboxes inventory source in the job's inventory, the VB365 credential injected as
environment variables and the Exchange restore credential as extra variables, against the simulator."""

from __future__ import annotations

import json
import os
import shutil

import ansible_runner
import pytest

from awx_support import CREDENTIAL_TYPE, EXCHANGE_CREDENTIAL_TYPE, inject, inject_extra_vars
from harness import PlaybookRun, assert_not_shown
from release_support import BIN, built_and_installed

TAILSPIN = 'tailspin.onmicrosoft.com'


@pytest.fixture(scope='session')
def release(tmp_path_factory):
    return built_and_installed(str(tmp_path_factory.getbasetemp() / 'release'))


@pytest.fixture
def job_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith(('ANSIBLE_', 'VB365_', 'CONTROLLER_', 'TOWER_')):
            monkeypatch.delenv(name)
    monkeypatch.setenv('PATH', BIN + os.pathsep + os.environ.get('PATH', ''))


def test_a_sliced_job_with_both_credentials_restores_its_slice(release, simulator, sim_api, tmp_path, job_environment):
    job_dir = tmp_path / 'job'
    os.makedirs(str(job_dir / 'project'))
    os.makedirs(str(job_dir / 'inventory'))
    shutil.copy(os.path.join(release.collection_dir, 'playbooks', 'mailbox_bulk_restore_sliced.yml'),
                str(job_dir / 'project' / 'sliced.yml'))
    (job_dir / 'inventory' / 'tailspin.vb365.yml').write_text(json.dumps(
        {'plugin': 'vb365.restore.mailboxes', 'organization': TAILSPIN, 'point_in_time': '2026-11-17'}))
    with open(simulator.ca_path) as handle:
        ca_certificate = handle.read()
    envvars = inject(CREDENTIAL_TYPE, {'server': simulator.url, 'username': simulator.username,
                                       'password': simulator.password, 'ca_certificate': ca_certificate,
                                       'validate_certs': 'true'}, str(job_dir))
    exchange_password = 'Exchange-%s' % os.urandom(6).hex()
    extravars = inject_extra_vars(EXCHANGE_CREDENTIAL_TYPE, {
        'username': 'restore-operator@tailspin.onmicrosoft.com', 'password': exchange_password})
    journal_dir = tmp_path / 'persistent'
    os.makedirs(str(journal_dir))
    extravars.update({'mailbox_bulk_restore_point_in_time': '2026-11-17',
                      'mailbox_bulk_restore_journal': str(journal_dir / 'tailspin.journal'),
                      'mailbox_bulk_restore_report_dir': str(journal_dir / 'reports'),
                      'awx_job_id': 4711})
    home = tmp_path / 'home'
    os.makedirs(str(home))
    (home / 'ansible.cfg').write_text('[defaults]\n')
    envvars.update({'ANSIBLE_COLLECTIONS_PATH': release.installed, 'ANSIBLE_CONFIG': str(home / 'ansible.cfg'),
                    'ANSIBLE_HOME': str(home), 'ANSIBLE_LOCALHOST_WARNING': 'false'})
    try:
        job = ansible_runner.run(private_data_dir=str(job_dir), playbook='sliced.yml', envvars=envvars,
                                 extravars=extravars, limit='user00*', verbosity=4, quiet=True, ident='1', timeout=600)
        stdout = job.stdout.read()
        assert (job.status, job.rc) == ('successful', 0), stdout[-6000:]
        wanted = set(m['id'] for m in sim_api.get('mailboxes?organization=%s' % TAILSPIN)
                     if m['email'].startswith('user00'))
        sent = [m['id'] for r in sim_api.api_requests('POST', '/organization/mailboxes/restore') for m in r['body']['mailboxes']]
        assert len(wanted) == 99 and sorted(sent) == sorted(wanted)
        assert sim_api.working_sessions() == []
        # set_stats reaches AWX in the stats event: what a workflow branches on.
        [stats] = [e['event_data'] for e in job.events if e.get('event') == 'playbook_on_stats']
        summary = stats['artifact_data']['vb365_bulk_restore']['job-4711']
        assert summary['status'] == 'Success' and summary['restored'] == 99 and summary['failed_mailboxes'] == []
        assert summary['report']['json'] == str(journal_dir / 'reports' / 'mailbox-bulk-restore-job-4711.json')
        assert os.path.isfile(summary['report']['json'])
        assert_not_shown(exchange_password, PlaybookRun(job.rc, stdout, '', verbosity=4))
        for folder, _dirs, files in os.walk(str(job_dir / 'artifacts')):
            for name in files:
                if name not in ('command',):
                    with open(os.path.join(folder, name), errors='replace') as handle:
                        assert exchange_password not in handle.read(), name
    finally:
        shutil.rmtree(str(job_dir), ignore_errors=True)
