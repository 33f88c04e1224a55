"""The operator_restore role and its runbook, run as a help desk operator runs them: what lands in the user's
mailbox, the sessions opened (scoped, with the ticket as the reason) and stopped, the report, and the device code
sign-in of the runbook."""

from __future__ import annotations

import json
import os
import yaml

from harness import assert_not_shown
from portal_support import Person

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HELPDESK = 'helpdesk@contoso.onmicrosoft.com'
BOB = 'bob@contoso.onmicrosoft.com'
RUNBOOK = os.path.join(ROOT, 'playbooks', 'operator_restore.yml')


def example(tmp_path, **overrides):
    with open(os.path.join(ROOT, 'playbooks', 'vars', 'operator_restore.example.yml')) as handle:
        data = yaml.safe_load(handle)
    data.update(operator_restore_poll_interval=0.1, operator_restore_report_dir=str(tmp_path / 'reports'))
    data.update(('operator_restore_' + key, value) for key, value in overrides.items())
    return data


def deleted_invoices(sim_api):
    """The invoices of Bob that the backups show deleted on 17 November."""
    return sorted(i['subject'] for i in sim_api.get('backup/%s?showDeleted=1&dateTime=2026-11-18T23:59:59Z' % BOB)
                  if i['deleted'])


def test_runbook_restores_what_bob_deleted_in_the_window(runner, sim_api, tmp_path):
    issued = sim_api.post('identity/assertion', {'user': HELPDESK})
    before = sim_api.production(BOB)
    run = runner.run(RUNBOOK, extra_vars=example(tmp_path), env={'VB365_ASSERTION': issued['assertion']},
                     unset=('VB365_USERNAME', 'VB365_PASSWORD'), verbosity=4)
    assert_not_shown(issued['assertion'], run)
    assert run.status('Sign in as a restore operator with a device code (unless VB365_ASSERTION is set)') == 'skipped'
    landed = [r for r in sim_api.production(BOB) if r not in before]
    wanted = deleted_invoices(sim_api)
    assert len(wanted) == 5 and sorted(r['subject'] for r in landed) == wanted
    assert all(r['folder'] == 'Restored by the help desk/Inbox/Invoices' for r in landed)
    sessions = sim_api.get('sessions')
    explored = [s for s in sessions if s['kind'] == 'explore']
    assert len(explored) == 4 and all(s['state'] == 'Stopped' and s['reason'] == 'INC-4711' and s['scopeName'] == BOB
                                      for s in explored)
    (operation,) = [s for s in sessions if s['kind'] == 'operation']
    assert operation['operation'] == 'operatorRestore' and operation['reason'] == 'INC-4711'
    assert operation['initiatedBy'] == HELPDESK
    report = json.loads((tmp_path / 'reports' / 'operator-restore.json').read_text())
    assert report['status'] == 'Success' and report['scenario'] == 'operator_restore'
    assert report['mailboxes'][0]['found'] == 5 and report['mailboxes'][0]['created'] == 5
    assert report['asked']['reason'] == 'INC-4711'
    # Only the Restore Portal's operations were used: no administrator resource.
    assert not [r for r in sim_api.get('requests') if r['path'].startswith(('/v8/Organizations', '/v8/RestoreSessions?'))]
    second = runner.run(RUNBOOK, extra_vars=example(tmp_path), env={'VB365_ASSERTION': issued['assertion']})
    assert second.result('vb365.restore.operator_restore : Give the result')['ansible_facts']['operator_restore_result']['totals']['skipped'] == 5


def test_role_in_check_mode_restores_nothing(runner, sim_api, tmp_path):
    issued = sim_api.post('identity/assertion', {'user': HELPDESK})
    before = sim_api.production(BOB)
    runner.run(RUNBOOK, extra_vars=example(tmp_path), env={'VB365_ASSERTION': issued['assertion']}, check=True)
    assert sim_api.production(BOB) == before
    report = json.loads((tmp_path / 'reports' / 'operator-restore.json').read_text())
    assert report['status'] == 'Planned' and report['mailboxes'][0]['found'] == 5
    assert all(s['state'] == 'Stopped' for s in sim_api.get('sessions'))


def test_user_outside_the_scope_fails_and_leaves_nothing_open(runner, sim_api, tmp_path):
    issued = sim_api.post('identity/assertion', {'user': HELPDESK})
    run = runner.run(RUNBOOK, extra_vars=example(tmp_path, user='dave@contoso.onmicrosoft.com'),
                     env={'VB365_ASSERTION': issued['assertion']}, expect_rc=2)
    report = json.loads((tmp_path / 'reports' / 'operator-restore.json').read_text())
    assert report['status'] == 'Failed' and 'is not among the objects this restore operator may manage' in report['errors'][0]
    assert sim_api.get('sessions') == []
    assert 'report:' in run.result('vb365.restore.operator_restore : Fail when the operator restore failed')['msg']


def test_runbook_signs_in_with_a_device_code(runner, sim_api, tmp_path):
    with Person(sim_api, HELPDESK, 'sign-in'):
        run = runner.run(RUNBOOK, extra_vars=example(tmp_path), unset=('VB365_USERNAME', 'VB365_PASSWORD'), verbosity=4)
    assert 'eyJ0eXAiOiJKV1Qi' not in run.output  # no token of the identity platform in the output
    assert len([r for r in sim_api.production(BOB) if r['folder'].startswith('Restored by the help desk/')]) == 5


def test_a_session_that_cannot_be_stopped_is_reported_and_the_others_are_stopped(runner, sim_api, tmp_path):
    issued = sim_api.post('identity/assertion', {'user': HELPDESK})
    sim_api.fault(method='POST', path='/Stop$', status=500, times=1)
    run = runner.run(RUNBOOK, extra_vars=example(tmp_path), env={'VB365_ASSERTION': issued['assertion']}, expect_rc=2)
    explored = [s for s in sim_api.get('sessions') if s['kind'] == 'explore']
    (left,) = [s for s in explored if s['state'] == 'Working']
    assert len(explored) == 4 and len([s for s in explored if s['state'] == 'Stopped']) == 3
    report = json.loads((tmp_path / 'reports' / 'operator-restore.json').read_text())
    assert report['status'] == 'Failed' and report['mailboxes'][0]['created'] == 5
    (error,) = report['errors']
    assert error.startswith('the restore session %s could not be stopped, stop it by hand: ' % left['id']), error
    assert '500' in error and left['id'] in run.stdout
