"""The roles and their runbooks, run as a user would, against the simulator."""

from __future__ import annotations

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def runbook(name):
    return os.path.join(ROOT, 'playbooks', name)


def example(name, **overrides):
    """The runbook's example variables, with ``overrides`` given without the role's prefix."""
    import yaml  # pylint: disable=import-outside-toplevel
    with open(os.path.join(ROOT, 'playbooks', 'vars', name)) as handle:
        data = yaml.safe_load(handle)
    prefix = name.split('.')[0] + '_'
    data.update((prefix + key, value) for key, value in overrides.items())
    return data


def report(path):
    with open(path) as handle:
        return json.load(handle)


def test_bulk_restore_runbook_restores_and_reports(runner, sim_api, tmp_path):
    extra = example('mailbox_bulk_restore.example.yml', report_dir=str(tmp_path / 'reports'))
    run = runner.run(runbook('mailbox_bulk_restore.yml'), extra_vars=extra)
    data = report(str(tmp_path / 'reports' / 'mailbox-bulk-restore.json'))
    assert data['status'] == 'Success' and len(data['mailboxes']) == 99
    assert all(m['created'] == 1 for m in data['mailboxes'])
    assert len(sim_api.production('user0042@tailspin.onmicrosoft.com')) == 3
    html = (tmp_path / 'reports' / 'mailbox-bulk-restore.html').read_text()
    assert 'user0042@tailspin.onmicrosoft.com' in html and '<script' not in html
    assert sim_api.working_sessions() == [] and run.rc == 0


def test_a_failure_mid_run_still_stops_the_session_and_reports(runner, sim_api, tmp_path):
    extra = example('mailbox_bulk_restore.example.yml', organization='contoso.onmicrosoft.com',
                    mailboxes=['broken@contoso.onmicrosoft.com', 'bob@contoso.onmicrosoft.com'],
                    report_dir=str(tmp_path))
    run = runner.run(runbook('mailbox_bulk_restore.yml'), extra_vars=extra, expect_rc=2)
    assert sim_api.working_sessions() == []
    data = report(str(tmp_path / 'mailbox-bulk-restore.json'))
    assert data['status'] == 'Failed' and 'broken@contoso.onmicrosoft.com' in data['error']
    assert [m['email'] for m in data['mailboxes'] if m['status'] == 'Failed'] == ['broken@contoso.onmicrosoft.com']
    assert 'report:' in run.stdout


def test_all_mailboxes_needs_the_explicit_opt_in(runner, sim_api, tmp_path):
    extra = example('mailbox_bulk_restore.example.yml', mailboxes=[], report_dir=str(tmp_path))
    run = runner.run(runbook('mailbox_bulk_restore.yml'), extra_vars=extra, expect_rc=2)
    assert 'mailbox_bulk_restore_all_mailboxes' in run.stdout and sim_api.get('sessions') == []
    extra['mailbox_bulk_restore_all_mailboxes'] = True
    runner.run(runbook('mailbox_bulk_restore.yml'), extra_vars=extra)
    assert len(report(str(tmp_path / 'mailbox-bulk-restore.json'))['mailboxes']) == 250


def test_deleted_items_recovery_into_a_recovery_folder(runner, sim_api, tmp_path):
    extra = example('deleted_items_recovery.example.yml', report_dir=str(tmp_path))
    runner.run(runbook('deleted_items_recovery.yml'), extra_vars=extra)
    data = report(str(tmp_path / 'deleted-items-recovery.json'))
    assert data['status'] == 'Success' and [m['found'] for m in data['mailboxes']] == [8, 8]
    for email in ('alice@contoso.onmicrosoft.com', 'bob@contoso.onmicrosoft.com'):
        recovered = [r for r in sim_api.production(email) if r['folder'].startswith('Recovered 2026-11-17/')]
        assert len(recovered) == 8 and all('Invoice' in r['subject'] for r in recovered)
    assert sim_api.working_sessions() == []


def test_redirect_restore_from_a_mapping(runner, sim_api, tmp_path):
    extra = example('mailbox_redirect_restore.example.yml', report_dir=str(tmp_path))
    runner.run(runbook('mailbox_redirect_restore.yml'), extra_vars=extra)
    data = report(str(tmp_path / 'mailbox-redirect-restore.json'))
    assert data['status'] == 'Success' and len(data['mailboxes']) == 2
    frank = sim_api.production('frank@contoso.onmicrosoft.com')
    assert [r for r in frank if r['folder'].startswith('Erin Leaver/Inbox')]
    assert {r['folder'] for r in frank if r['folder'].startswith('Dave projects/')} <= {
        'Dave projects/Inbox/Projects', 'Dave projects/Inbox/Projects/2026'}
    assert sim_api.working_sessions() == []


def test_ediscovery_export_with_manifest_and_a_rerun(runner, sim_api, tmp_path):
    extra = example('ediscovery_export.example.yml', export_dir=str(tmp_path / 'exports'),
                    report_dir=str(tmp_path))
    runner.run(runbook('ediscovery_export.yml'), extra_vars=extra)
    manifest = report(str(tmp_path / 'exports' / 'manifest.json'))
    assert [os.path.basename(f['file']) for f in manifest['files']] == ['alice.pst', 'erin.pst']
    for entry in manifest['files']:
        assert os.path.getsize(entry['file']) == entry['size'] and entry['mailbox'].endswith('@contoso.onmicrosoft.com')
    runner.run(runbook('ediscovery_export.yml'), extra_vars=extra)
    assert len(sim_api.get('exports')) == 2  # the second run found both files complete
    assert report(str(tmp_path / 'ediscovery-export.json'))['status'] == 'Success'
