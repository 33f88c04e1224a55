"""mailbox_restore through ansible-playbook: the simulator's production state is read back."""

from __future__ import annotations

import base64
import json
import os

import pytest

from harness import assert_not_shown, options, session_play

EXCHANGE_PASSWORD = 'Exchange-Secret-42!'
PASSWORD_CREDS = {'username': 'restore-operator@contoso.onmicrosoft.com', 'password': EXCHANGE_PASSWORD}


def play(organization='contoso.onmicrosoft.com', exchange=None, **args):
    restore = ('        - name: Restore\n          vb365.restore.mailbox_restore:\n            session_id: "{{ rs.session.id }}"\n'
               '            exchange_credentials: "{{ exchange }}"\n')
    return session_play(restore + options(args, 12), {'organization': organization, 'show_deleted': True, 'ledger_path': ''},
                        play='  vars:\n    exchange: %s\n' % json.dumps(exchange or PASSWORD_CREDS), check_mode=False)


def restore_requests(sim_api):
    return [r for r in sim_api.get('requests') if r['method'] == 'POST' and r['path'].endswith(('/restore', '/restoreTo'))]


@pytest.mark.every_model
def test_one_mailbox_to_its_original_place(runner, sim_api):
    run = runner.run(play(mailboxes=['bob@contoso.onmicrosoft.com']), verbosity=4)
    result = run.result('Restore')
    assert result['changed'] is True and result['endpoint'] == 'mailbox'
    bob = result['restore']['mailboxes'][0]
    assert (bob['email'], bob['created'], bob['merged'], bob['failed']) == ('bob@contoso.onmicrosoft.com', 8, 2, 0)
    assert result['restore']['status'] == 'Success'
    production = sim_api.production('bob@contoso.onmicrosoft.com')
    assert len([r for r in production if r['folder'] == 'Inbox/Invoices']) == 8
    (request,) = restore_requests(sim_api)
    assert request['path'].endswith('/mailboxes/%s/restore' % result['mailboxes'][0]['id'])
    assert request['body'] == {'userName': 'restore-operator@contoso.onmicrosoft.com', 'userPassword': '********'}
    assert_not_shown(EXCHANGE_PASSWORD, run)
    assert_not_shown(runner.sim.password, run)
    assert sim_api.working_sessions() == []


@pytest.mark.every_model
def test_second_run_creates_nothing_and_is_unchanged(runner, sim_api):
    runner.run(play(mailboxes=['bob@contoso.onmicrosoft.com']))
    again = runner.run(play(mailboxes=['bob@contoso.onmicrosoft.com'])).result('Restore')
    assert again['changed'] is False
    assert again['restore']['totals']['created'] == again['restore']['totals']['merged'] == 0


@pytest.mark.every_model
def test_bulk_of_200_mailboxes_in_one_call(runner, sim_api):
    wanted = ['user00*', 'user01*', 'user0200@tailspin.onmicrosoft.com']  # 99 + 100 + 1
    run = runner.run(play(organization='tailspin.onmicrosoft.com', mailboxes=wanted, changed_items=True,
                          skip_unresolved=True))
    result = run.result('Restore')
    assert result['endpoint'] == 'bulk' and len(result['mailboxes']) == 200
    (request,) = restore_requests(sim_api)
    assert request['path'].endswith('/organization/mailboxes/restore')
    body = request['body']
    assert len(body['mailboxes']) == 200 and body['office365UserName'] == 'restore-operator@contoso.onmicrosoft.com'
    assert body['office365UserPassword'] == '********' and body['changedItems'] is True and body['skipUnresolved'] is True
    assert result['restore']['totals']['created'] == 200
    assert all(m['created'] == 1 and m['skipped'] == 2 for m in result['restore']['mailboxes'])
    assert len(sim_api.production('user0150@tailspin.onmicrosoft.com')) == 3


def test_batches_and_flags_on_one_mailbox_go_through_bulk(runner, sim_api):
    result = runner.run(play(organization='tailspin.onmicrosoft.com', mailboxes=['user00[0-2]*'], batch_size=10,
                             exclude_drafts=True)).result('Restore')
    requests = restore_requests(sim_api)
    assert [len(r['body']['mailboxes']) for r in requests] == [10, 10, 9]
    assert len(result['restore']['session_ids']) == 3 and result['restore']['totals']['created'] == 29


@pytest.mark.every_model
def test_restore_to_another_mailbox_and_folder(runner, sim_api):
    run = runner.run(play(mailboxes=['Erin Leaver'], target={'mailbox': 'frank@contoso.onmicrosoft.com',
                                                             'folder': 'Erin Leaver', 'region': 'Worldwide'},
                          exclude_drafts=True))
    result = run.result('Restore')
    assert result['endpoint'] == 'mailbox_to'
    (request,) = restore_requests(sim_api)
    assert request['path'].endswith('/restoreTo')
    assert request['body'] == {'userName': 'restore-operator@contoso.onmicrosoft.com', 'userPassword': '********',
                               'excludeDrafts': True, 'mailbox': 'frank@contoso.onmicrosoft.com',
                               'folder': 'Erin Leaver', 'officeRegion': 'Worldwide'}
    frank = sim_api.production('frank@contoso.onmicrosoft.com')
    moved = [r for r in frank if r['folder'].startswith('Erin Leaver/')]
    assert len(moved) == result['restore']['totals']['created'] > 40
    assert not [r for r in moved if r['folder'] == 'Erin Leaver/Drafts']


@pytest.mark.every_model
def test_folder_restore(runner, sim_api):
    result = runner.run(play(mailboxes=['alice@contoso.onmicrosoft.com'], folder='Inbox/Invoices')).result('Restore')
    assert result['endpoint'] == 'folder' and result['restore']['totals']['created'] == 5
    (request,) = restore_requests(sim_api)
    assert '/folders/' in request['path'] and request['path'].endswith('/restore')


@pytest.mark.every_model
def test_a_failed_restore_fails_the_task_with_its_events(runner, sim_api):
    run = runner.run(play(mailboxes=['broken@contoso.onmicrosoft.com', 'carol@contoso.onmicrosoft.com']), expect_rc=2)
    result = run.result('Restore')
    assert 'the restore' in result['msg'] and 'failed' in result['msg'] and 'broken@contoso.onmicrosoft.com' in result['msg']
    by_mail = dict((m['email'], m) for m in result['restore']['mailboxes'])
    assert by_mail['broken@contoso.onmicrosoft.com']['status'] == 'Failed'
    assert by_mail['carol@contoso.onmicrosoft.com']['failed'] == 1
    assert sim_api.working_sessions() == []


def test_warning_succeeds_with_warnings(runner):
    result = runner.run(play(mailboxes=['carol@contoso.onmicrosoft.com'])).result('Restore')
    assert result['restore']['status'] == 'Warning' and any('restore' in w for w in result['warnings'])


def test_check_mode_sends_no_restore(runner, sim_api):
    run = runner.run(play(mailboxes=['bob@contoso.onmicrosoft.com', 'alice@contoso.onmicrosoft.com']), check=True)
    result = run.result('Restore')
    assert result['changed'] is True and 'restore' not in result
    assert result['planned_requests'][0]['body']['office365UserPassword'] == '********'
    assert restore_requests(sim_api) == []


def test_a_wait_outlives_the_token(runner, sim_api):
    sim_api.config(token_lifetime=2, restore_delay_ms=5000)
    result = runner.run(play(mailboxes=['bob@contoso.onmicrosoft.com'], poll_interval=0.5)).result('Restore')
    assert result['restore']['status'] == 'Success'
    assert sim_api.get('tokens')['refreshes'] >= 2


def test_wait_timeout_returns_the_session_id(runner, sim_api):
    sim_api.config(restore_delay_ms=8000)
    run = runner.run(play(mailboxes=['bob@contoso.onmicrosoft.com'], wait_timeout=1, poll_interval=0.2), expect_rc=2)
    result = run.result('Restore')
    assert 'did not finish within 1 seconds' in result['msg'] and 'restore_session_info' in result['msg']
    assert result['restore']['session_id'] in result['msg']


def test_bad_input_fails_before_any_request(runner, sim_api):
    run = runner.run(play(mailboxes=['bob@contoso.onmicrosoft.com'], target={'folder': 'x'}), expect_rc=2)
    assert run.result('Restore')['msg'].startswith('target.mailbox:')
    run = runner.run(play(mailboxes=['bob@contoso.onmicrosoft.com'], target={'mailbox': 'f@x', 'region': 'Mars'}),
                     expect_rc=2)
    assert 'region' in run.result('Restore')['msg'] and 'Mars' in run.result('Restore')['msg']
    run = runner.run(play(mailboxes=['Erin Leaver'], target={'mailbox': 'frank@contoso.onmicrosoft.com'},
                          skip_unresolved=True), expect_rc=2)
    assert run.result('Restore')['msg'].startswith('skip_unresolved: not accepted by the restore of a mailbox to another')
    assert restore_requests(sim_api) == []


def test_application_certificate_from_a_pfx_file_is_never_shown(runner, sim_api, tmp_path):
    pfx = tmp_path / 'restore-app.pfx'
    pfx.write_bytes(os.urandom(1536))
    certificate = base64.b64encode(pfx.read_bytes()).decode()
    creds = {'application_id': '3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'certificate_path': str(pfx),
             'certificate_password': 'Pfx-Secret-77!', 'impersonation_account': 'restore-operator@contoso.onmicrosoft.com'}
    run = runner.run(play(exchange=creds, mailboxes=['bob@contoso.onmicrosoft.com']), verbosity=4)
    result = run.result('Restore')
    assert result['endpoint'] == 'mailbox' and result['restore']['totals']['created'] == 8
    (request,) = restore_requests(sim_api)
    assert request['body'] == {'applicationId': '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
                               'applicationCertificate': '********', 'applicationCertificatePassword': '********',
                               'impersonationAccountName': 'restore-operator@contoso.onmicrosoft.com'}
    assert len([r for r in sim_api.production('bob@contoso.onmicrosoft.com') if r['folder'] == 'Inbox/Invoices']) == 8
    assert_not_shown(certificate, run)
    assert_not_shown(certificate[:64], run)
    assert_not_shown('Pfx-Secret-77!', run)


def test_a_flag_on_one_mailbox_uses_the_bulk_restore_with_a_device_code(runner, sim_api):
    run = runner.run(play(exchange={'user_code': 'DEVICE-CODE-5150'}, mailboxes=['bob@contoso.onmicrosoft.com'],
                          exclude_drafts=True, changed_items=False), verbosity=4)
    result = run.result('Restore')
    assert result['endpoint'] == 'bulk'
    (request,) = restore_requests(sim_api)
    assert request['path'].endswith('/organization/mailboxes/restore')
    assert request['body'] == {'userCode': '********', 'excludeDrafts': True, 'changedItems': False,
                               'mailboxes': [{'id': result['mailboxes'][0]['id']}]}
    bob = result['restore']['mailboxes'][0]
    assert (bob['created'], bob['merged']) == (8, 0)  # changed items are left as they are
    assert_not_shown('DEVICE-CODE-5150', run)


def test_an_on_premises_organization_with_its_own_account(runner, sim_api):
    creds = {'on_premises_domain': 'northwind.local', 'on_premises_username': 'NORTHWIND\\restore',
             'on_premises_password': 'OnPrem-Secret-9!'}
    run = runner.run(play(organization='northwind.local', exchange=creds, mailboxes=['*@northwind.local'],
                          target={'cas_server': 'exch01.northwind.local'}), verbosity=4)
    result = run.result('Restore')
    assert result['endpoint'] == 'bulk' and len(result['mailboxes']) == 2
    (request,) = restore_requests(sim_api)
    assert request['body'] == {'domainName': 'northwind.local', 'onPremisesUserName': 'NORTHWIND\\restore',
                               'onPremisesUserPassword': '********', 'casServer': 'exch01.northwind.local',
                               'mailboxes': [{'id': m['id']} for m in result['mailboxes']]}
    assert [m['status'] for m in result['restore']['mailboxes']] == ['Success', 'Success']
    assert_not_shown('OnPrem-Secret-9!', run)


def test_the_archive_is_restored_only_when_asked(runner, sim_api):
    target = {'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'Alice archive'}
    result = runner.run(play(mailboxes=['alice@contoso.onmicrosoft.com'], archive=True, target=target)).result('Restore')
    assert [(m['email'], m['is_archive']) for m in result['mailboxes']] == [('alice@contoso.onmicrosoft.com', True)]
    moved = [r for r in sim_api.production('frank@contoso.onmicrosoft.com') if r['folder'].startswith('Alice archive/')]
    assert len(moved) == result['restore']['totals']['created'] == 3  # the archive's items, not the mailbox's 53
