# -*- coding: utf-8 -*-
"""Unit tests of mailbox_restore: endpoint choice and exact bodies per credential method, bad input."""

from __future__ import annotations

import base64
import json

import pytest
import responses

from ansible_collections.vb365.restore.plugins.modules import mailbox_restore

from unit_helpers import session_before_restore, BASE, FakeClock, json_of, run_module, token_body

SID = '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10'
ROOT = BASE + '/v8/RestoreSessions/%s' % SID
MB = ROOT + '/organization/mailboxes'
APP = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'
BOB = {'id': '00000000-0000-0000-0000-000000000005', 'email': 'bob@contoso.onmicrosoft.com', 'name': 'Bob Jones',
       'isArchive': False, 'isPublic': False}
ALICE = {'id': '00000000-0000-0000-0000-000000000001', 'email': 'alice@contoso.onmicrosoft.com', 'name': 'Alice',
         'isArchive': False, 'isPublic': False}
PASSWORD_CREDS = {'username': 'ex@contoso.onmicrosoft.com', 'password': 'Ex-Pa55!'}


def prepared(api):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, ROOT, json={'id': SID, 'type': 'Vex', 'state': 'Working', 'result': 'Success',
                                       'creationTime': '2026-11-23T01:00:00Z'})
    api.add(responses.GET, MB, json={'offset': 0, 'limit': 10000, 'results': [ALICE, BOB]})
    return api


def done(api):
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)


def args(**kw):
    base = {'session_id': SID, 'mailboxes': ['bob@contoso.onmicrosoft.com'], 'exchange_credentials': PASSWORD_CREDS,
            'wait': False}
    base.update(kw)
    return base


def started(api, path):
    api.add(responses.POST, path, json={'sessionId': '9a9a9a9a-1111-2222-3333-444444444444'})


def test_one_mailbox_sends_only_credentials(api, capsys):
    prepared(api)
    started(api, MB + '/%s/restore' % BOB['id'])
    done(api)
    result = run_module(mailbox_restore, args(), capsys)
    assert result['endpoint'] == 'mailbox' and result['changed'] is True
    assert json_of(api.calls[3]) == {'userName': 'ex@contoso.onmicrosoft.com', 'userPassword': 'Ex-Pa55!'}
    assert result['restore']['session_id'] == '9a9a9a9a-1111-2222-3333-444444444444'


def test_flags_on_one_mailbox_use_bulk_names(api, capsys):
    prepared(api)
    started(api, MB + '/restore')
    done(api)
    run_module(mailbox_restore, args(changed_items=True, deleted_items=False, recent_item_restore_period=30), capsys)
    assert json_of(api.calls[3]) == {
        'office365UserName': 'ex@contoso.onmicrosoft.com', 'office365UserPassword': 'Ex-Pa55!', 'changedItems': True,
        'deletedItems': False, 'recentItemRestorePeriod': 30, 'mailboxes': [{'id': BOB['id']}]}


def test_device_code_and_on_premises_in_bulk(api, capsys):
    prepared(api)
    started(api, MB + '/restore')
    done(api)
    creds = {'user_code': 'DEVICE-42', 'on_premises_domain': 'corp.local', 'on_premises_username': 'admin',
             'on_premises_password': 'OnPrem-Pa55'}
    result = run_module(mailbox_restore, args(mailboxes=['Alice', 'Bob Jones'], exchange_credentials=creds,
                                              target={'cas_server': 'cas01.corp.local'}), capsys)
    assert result['endpoint'] == 'bulk'
    assert json_of(api.calls[3]) == {'userCode': 'DEVICE-42', 'domainName': 'corp.local', 'onPremisesUserName': 'admin',
                                     'onPremisesUserPassword': 'OnPrem-Pa55', 'casServer': 'cas01.corp.local',
                                     'mailboxes': [{'id': ALICE['id']}, {'id': BOB['id']}]}


def test_application_certificate_restore_to(api, capsys, tmp_path):
    pfx = tmp_path / 'app.pfx'
    pfx.write_bytes(b'\x30\x82 fake pfx bytes')
    prepared(api)
    started(api, MB + '/%s/restoreTo' % BOB['id'])
    done(api)
    creds = {'application_id': APP, 'certificate_path': str(pfx), 'certificate_password': 'Pfx-Pa55',
             'impersonation_account': 'restore@contoso.onmicrosoft.com'}
    result = run_module(mailbox_restore, args(exchange_credentials=creds, mark_restored_as_unread=True,
                                              target={'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'Bob',
                                                      'organization_name': 'contoso.onmicrosoft.com'}), capsys)
    certificate = base64.b64encode(pfx.read_bytes()).decode()
    assert json_of(api.calls[3]) == {
        'applicationId': APP, 'applicationCertificate': certificate, 'applicationCertificatePassword': 'Pfx-Pa55',
        'impersonationAccountName': 'restore@contoso.onmicrosoft.com', 'markRestoredAsUnread': True,
        'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'Bob', 'officeOrganizationName': 'contoso.onmicrosoft.com'}
    assert certificate not in str(result) and 'Pfx-Pa55' not in str(result)


def test_check_mode_plans_masked_requests(api, capsys):
    prepared(api)
    done(api)
    result = run_module(mailbox_restore, args(mailboxes=['*@contoso.onmicrosoft.com']), capsys, check_mode=True)
    (planned,) = result['planned_requests']
    assert planned['path'] == '/v8/RestoreSessions/%s/organization/mailboxes/restore' % SID
    assert planned['body']['office365UserPassword'] == '********' and len(planned['body']['mailboxes']) == 2


@pytest.mark.parametrize('extra, message', [
    ({'exchange_credentials': {'username': 'user1', 'password': 'secret-1', 'user_code': 'code-123'}},
     'use one credential method'),
    ({'exchange_credentials': {}}, 'exchange_credentials: give one method'),
    ({'recent_item_restore_period': -1}, 'recent_item_restore_period: must be a positive'),
    ({'target': {'folder': 'x'}}, 'target.mailbox: the email address'),
    ({'batch_size': 0}, 'batch_size: must be at least 1'),
    ({'wait_timeout': 0}, 'wait_timeout: must be at least 1'),
])
def test_bad_input_fails_before_any_request(api, capsys, extra, message):
    result = run_module(mailbox_restore, args(**extra), capsys)
    assert result.failed and message in result['msg'], result['msg']
    assert [c.request.url for c in api.calls if '/restore' in c.request.url] == []


def test_region_outside_the_enum_is_refused(api, capsys):
    result = run_module(mailbox_restore, args(target={'mailbox': 'f@x', 'region': 'Mars'}), capsys)
    assert result.failed and 'region' in result['msg'] and len(api.calls) == 0


def test_flag_the_endpoint_does_not_take_is_refused(api, capsys):
    result = run_module(mailbox_restore, args(target={'mailbox': 'frank@contoso.onmicrosoft.com'}, skip_unresolved=True),
                        capsys)
    assert len(api.calls) == 0
    assert result['msg'] == ('skip_unresolved: not accepted by the restore of a mailbox to another location; unset it '
                             'for this kind of restore')


def test_flags_on_a_folder_restore_to_its_place_are_refused(api, capsys):
    result = run_module(mailbox_restore, args(folder='Inbox', changed_items=True), capsys)
    assert result.failed and result['msg'].startswith('changed_items: not accepted by the restore of a folder')


# ------------------------------------------------------------------ more bodies, per endpoint and credential method
INBOX = {'id': 'f0000000-0000-0000-0000-000000000001', 'name': 'Inbox'}
INVOICES = {'id': 'f0000000-0000-0000-0000-000000000002', 'name': 'Invoices'}
PFX = b'\x30\x82\x01\x0a made-up pfx bytes'
APP_CREDS = {'application_id': APP, 'certificate_content': base64.b64encode(PFX).decode(),
             'certificate_password': 'Pfx-Pa55', 'impersonation_account': 'restore@contoso.onmicrosoft.com'}
APP_FIELDS = {'applicationId': APP, 'applicationCertificate': base64.b64encode(PFX).decode(),
              'applicationCertificatePassword': 'Pfx-Pa55', 'impersonationAccountName': 'restore@contoso.onmicrosoft.com'}


def folders(api, mailbox):
    """The two folder lookups that walk Inbox/Invoices."""
    api.add(responses.GET, MB + '/%s/folders' % mailbox['id'], json={'offset': 0, 'limit': 10000, 'results': [INBOX]})
    api.add(responses.GET, MB + '/%s/folders' % mailbox['id'], json={'offset': 0, 'limit': 10000, 'results': [INVOICES]})


PASSWORD_FIELDS = {'userName': 'ex@contoso.onmicrosoft.com', 'userPassword': 'Ex-Pa55!'}
BULK_PASSWORD_FIELDS = {'office365UserName': 'ex@contoso.onmicrosoft.com', 'office365UserPassword': 'Ex-Pa55!'}
ONE = (['bob@contoso.onmicrosoft.com'], '/%s/restore' % BOB['id'], None)
TWO = (['alice@contoso.onmicrosoft.com', BOB['id']], '/restore', [{'id': ALICE['id']}, {'id': BOB['id']}])


@pytest.mark.parametrize('endpoint, where, creds, fields', [
    ('mailbox', ONE, PASSWORD_CREDS, PASSWORD_FIELDS),
    ('mailbox', ONE, {'user_code': 'DEVICE-42'}, {'userCode': 'DEVICE-42'}),
    ('mailbox', ONE, APP_CREDS, APP_FIELDS),
    ('bulk', TWO, PASSWORD_CREDS, BULK_PASSWORD_FIELDS),
    ('bulk', TWO, {'user_code': 'DEVICE-42'}, {'userCode': 'DEVICE-42'}),
    ('bulk', TWO, APP_CREDS, APP_FIELDS),
])
def test_each_credential_method_on_each_original_place_endpoint(api, capsys, endpoint, where, creds, fields):
    mailboxes, suffix, ids = where
    prepared(api)
    started(api, MB + suffix)
    done(api)
    result = run_module(mailbox_restore, args(mailboxes=mailboxes, exchange_credentials=creds), capsys)
    assert result['endpoint'] == endpoint
    assert json_of(api.calls[3]) == (dict(fields, mailboxes=ids) if ids else fields)
    assert 'Pfx-Pa55' not in str(result) and 'DEVICE-42' not in str(result) and 'Ex-Pa55!' not in str(result)


def test_folder_to_its_original_place(api, capsys):
    prepared(api)
    folders(api, BOB)
    started(api, MB + '/%s/folders/%s/restore' % (BOB['id'], INVOICES['id']))
    done(api)
    result = run_module(mailbox_restore, args(folder='Inbox/Invoices', exchange_credentials={'user_code': 'D-1'}),
                        capsys)
    assert result['endpoint'] == 'folder'
    assert json_of(api.calls[5]) == {'userCode': 'D-1'}


def test_a_folder_id_is_url_encoded_in_the_restore_path(api, capsys):
    """Folder ids are base64 text: a / in one is part of the id, not of the path."""
    odd = {'id': 'AAMkAG/x+y=', 'name': 'Invoices'}
    prepared(api)
    api.add(responses.GET, MB + '/%s/folders' % BOB['id'], json={'offset': 0, 'limit': 10000, 'results': [INBOX]})
    api.add(responses.GET, MB + '/%s/folders' % BOB['id'], json={'offset': 0, 'limit': 10000, 'results': [odd]})
    started(api, MB + '/%s/folders/AAMkAG%%2Fx%%2By%%3D/restore' % BOB['id'])
    done(api)
    result = run_module(mailbox_restore, args(folder='Inbox/Invoices', exchange_credentials={'user_code': 'D-1'}),
                        capsys)
    assert result['endpoint'] == 'folder' and not result.failed
    assert api.calls[5].request.url == MB + '/%s/folders/AAMkAG%%2Fx%%2By%%3D/restore' % BOB['id']


def test_folder_of_two_mailboxes_to_another_place(api, capsys):
    prepared(api)
    for mailbox in (ALICE, BOB):
        folders(api, mailbox)
    for mailbox in (ALICE, BOB):
        started(api, MB + '/%s/folders/%s/restoreTo' % (mailbox['id'], INVOICES['id']))
    done(api)
    result = run_module(mailbox_restore, args(
        mailboxes=['Alice', 'bob@contoso.onmicrosoft.com'], folder='inbox/invoices', deleted_items=True,
        exclude_in_place_hold_items=True, exclude_litigation_hold_items=False,
        target={'mailbox': 'legal@contoso.onmicrosoft.com', 'folder': 'Invoices of leavers', 'cas_server': 'cas01',
                'region': 'Worldwide'}), capsys)
    assert result['endpoint'] == 'folder_to' and len(result['restore']['session_ids']) == 2
    expected = {'userName': 'ex@contoso.onmicrosoft.com', 'userPassword': 'Ex-Pa55!', 'deletedItems': True,
                'excludeInPlaceHoldItems': True, 'excludeLitigationHoldItems': False,
                'mailbox': 'legal@contoso.onmicrosoft.com', 'folder': 'Invoices of leavers', 'casServer': 'cas01',
                'officeRegion': 'Worldwide'}
    assert json_of(api.calls[7]) == json_of(api.calls[8]) == expected


def test_several_mailboxes_to_another_mailbox_one_request_each(api, capsys):
    prepared(api)
    started(api, MB + '/%s/restoreTo' % ALICE['id'])
    started(api, MB + '/%s/restoreTo' % BOB['id'])
    done(api)
    result = run_module(mailbox_restore, args(mailboxes=['*'], target={'mailbox': 'frank@contoso.onmicrosoft.com'}),
                        capsys)
    assert result['endpoint'] == 'mailbox_to' and [m['email'] for m in result['mailboxes']] == [
        ALICE['email'], BOB['email']]
    assert json_of(api.calls[3]) == json_of(api.calls[4]) == {
        'userName': 'ex@contoso.onmicrosoft.com', 'userPassword': 'Ex-Pa55!', 'mailbox': 'frank@contoso.onmicrosoft.com'}


def test_batches_of_bulk_restores(api, capsys):
    prepared(api)
    started(api, MB + '/restore')
    started(api, MB + '/restore')
    done(api)
    result = run_module(mailbox_restore, args(mailboxes=['*'], batch_size=1), capsys)
    assert [json_of(c)['mailboxes'] for c in api.calls[3:5]] == [[{'id': ALICE['id']}], [{'id': BOB['id']}]]
    assert len(result['restore']['session_ids']) == 2 and result['changed'] is True


def test_journaled_batches_are_all_sent_and_recorded(api, capsys, tmp_path):
    """The journal hears of every batch, and hearing of one does not stop the ones after it."""
    prepared(api)
    started(api, MB + '/restore')
    started(api, MB + '/restore')
    done(api)
    journal = tmp_path / 'journal.jsonl'
    result = run_module(mailbox_restore, args(mailboxes=['*'], batch_size=1, journal=str(journal),
                                              journal_scope='scope-1'), capsys)
    assert not result.failed and len(result['restore']['session_ids']) == 2
    assert [json_of(c)['mailboxes'] for c in api.calls[3:5]] == [[{'id': ALICE['id']}], [{'id': BOB['id']}]]
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sorted(line['id'] for line in lines) == sorted([ALICE['id'], ALICE['id'], BOB['id'], BOB['id']])


def test_the_journal_is_not_touched_in_check_mode(api, capsys, tmp_path):
    prepared(api)
    done(api)
    journal = tmp_path / 'journal.jsonl'
    result = run_module(mailbox_restore, args(mailboxes=['*'], batch_size=1, journal=str(journal),
                                              journal_scope='scope-1', _ansible_check_mode=True), capsys)
    assert not result.failed and len(result['planned_requests']) == 2 and not journal.exists()


def test_zero_recent_item_period_is_sent(api, capsys):
    prepared(api)
    started(api, MB + '/restore')
    done(api)
    run_module(mailbox_restore, args(recent_item_restore_period=0), capsys)
    assert json_of(api.calls[3])['recentItemRestorePeriod'] == 0


# ------------------------------------------------------------------ the archive rule
ALICE_ARCHIVE = dict(ALICE, id='00000000-0000-0000-0000-0000000000a1', isArchive=True)


@pytest.mark.parametrize('archive, wanted', [(False, ALICE), (True, ALICE_ARCHIVE)])
def test_an_email_means_the_primary_mailbox_unless_archive(api, capsys, archive, wanted):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, ROOT, json={'id': SID, 'type': 'Vex', 'state': 'Working'})
    api.add(responses.GET, MB, json={'offset': 0, 'limit': 10000, 'results': [ALICE, ALICE_ARCHIVE, BOB]})
    started(api, MB + '/%s/restore' % wanted['id'])
    done(api)
    result = run_module(mailbox_restore, args(mailboxes=['alice@contoso.onmicrosoft.com'], archive=archive), capsys)
    assert [(m['id'], m['is_archive']) for m in result['mailboxes']] == [(wanted['id'], archive)]


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize('extra, message', [
    ({'target': {'mailbox': 'frank@contoso.onmicrosoft.com'},
      'exchange_credentials': dict(PASSWORD_CREDS, on_premises_domain='corp', on_premises_username='a',
                                   on_premises_password='OnPrem-Pa55')},
     'exchange_credentials: on_premises_domain, on_premises_username and on_premises_password are accepted only by'),
    ({'exchange_credentials': dict(APP_CREDS, certificate_content='not base64!')},
     'exchange_credentials.certificate_content: not valid base64'),
    ({'exchange_credentials': dict(APP_CREDS, certificate_content=None, certificate_path='/nonexistent/app.pfx')},
     'exchange_credentials.certificate_path: cannot read /nonexistent/app.pfx'),
    ({'exchange_credentials': dict(APP_CREDS, certificate_path='/etc/hostname')},
     'exchange_credentials: certificate_path and certificate_content are mutually exclusive'),
    ({'exchange_credentials': {'application_id': APP, 'certificate_content': APP_CREDS['certificate_content']}},
     'exchange_credentials: the application method also needs impersonation_account'),
    ({'exchange_credentials': {'username': 'ex@contoso.onmicrosoft.com'}},
     'exchange_credentials: the password method also needs password'),
    ({'folder': 'Inbox', 'skip_unresolved': True}, 'skip_unresolved: not accepted by the restore of a folder'),
    ({'folder': 'Inbox', 'target': {'mailbox': 'f@contoso.onmicrosoft.com'}, 'recent_item_restore_period': 3},
     'recent_item_restore_period: not accepted by the restore of a folder to another location'),
    ({'mailboxes': []}, 'mailboxes: give at least one mailbox'),
])
def test_more_refusals_before_any_request(api, capsys, extra, message):
    result = run_module(mailbox_restore, args(**extra), capsys)
    assert result.failed and result['msg'].startswith(message), result['msg']
    assert len(api.calls) == 0
    assert 'OnPrem-Pa55' not in str(result) and 'Pfx-Pa55' not in str(result)


def test_unknown_mailbox_fails_before_any_restore(api, capsys):
    prepared(api)
    done(api)
    result = run_module(mailbox_restore, args(mailboxes=['bob@contoso.onmicrosoft.com', 'nobody@contoso.onmicrosoft.com']),
                        capsys)
    assert result.failed and result['msg'].startswith("mailboxes: no mailbox 'nobody@contoso.onmicrosoft.com'")


# ------------------------------------------------------------------ waiting
OP = '9a9a9a9a-1111-2222-3333-444444444444'


@pytest.fixture
def fake_time(monkeypatch):
    from ansible_collections.vb365.restore.plugins.module_utils import restore
    clock = FakeClock()
    monkeypatch.setattr(restore, 'time', clock)
    return clock


def still_working(api):
    """A look at a restore that runs: only its session's state is read."""
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % OP, json={
        'id': OP, 'type': 'Vex', 'state': 'Working', 'result': None, 'creationTime': '2026-11-23T01:00:00Z'})


def operation(api, state, result, event_status, message):
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % OP, json={
        'id': OP, 'type': 'Vex', 'state': state, 'result': result, 'creationTime': '2026-11-23T01:00:00Z'})
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Events' % OP, json={'offset': 0, 'limit': 10000, 'results': [
        {'id': 'e0000000-0000-0000-0000-00000000000%d' % n, 'type': 'Restore', 'status': status, 'order': n,
         'title': 'Restore of mailbox %s' % email, 'message': message % email, 'startTime': '2026-11-23T01:00:00Z'}
        for n, (email, status) in enumerate(((ALICE['email'], 'Success'), (BOB['email'], event_status)), 1)]})


def statistics(api, bob_status, bob_error=None):
    def detail(mailbox, status, created, merged, failed, skipped, error=None):
        entry = {'id': mailbox['id'], 'name': mailbox['name'], 'itemType': 'ExchangeMailbox', 'status': status,
                 'itemRestoreDetailsType': 'BulkMailbox', 'mailboxEmail': mailbox['email'], 'mailboxIsArchive': False,
                 'createdMailboxItemsCount': created, 'mergedMailboxItemsCount': merged,
                 'failedMailboxItemsCount': failed, 'skippedMailboxItemsCount': skipped}
        if error:
            entry.update(cannotContinueMailboxError=error, error=error)
        return entry
    bob = detail(BOB, bob_status, 0, 0, 0, 0, bob_error) if bob_error else detail(BOB, bob_status, 3, 1, 1, 40)
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Statistics' % OP, json={
        'totalItemsCount': 100, 'restoredItemsCount': 9, 'failedItemsCount': 0 if bob_error else 1,
        'skippedItemsCount': 90, 'warnings': [] if bob_error else ['item "x [corrupt]" could not be restored'],
        'errors': [bob_error] if bob_error else [],
        'items': [detail(ALICE, 'Success', 4, 1, 0, 50), bob]})


def test_waits_and_reports_per_mailbox_counts_with_warnings(api, capsys, fake_time):
    prepared(api)
    session_before_restore(api, ROOT)
    started(api, MB + '/restore')
    still_working(api)
    operation(api, 'Stopped', 'Warning', 'Warning', '%s: 1 item failed')
    statistics(api, 'Warning')
    done(api)
    result = run_module(mailbox_restore, args(mailboxes=['*'], wait=True, poll_interval=2), capsys)
    assert not result.failed and result['changed'] is True
    restore = result['restore']
    assert restore['status'] == 'Warning' and restore['session_id'] == OP
    assert restore['totals'] == {'total': 100, 'restored': 9, 'failed': 1, 'skipped': 90, 'created': 7, 'merged': 2}
    assert [(m['email'], m['created'], m['merged'], m['failed'], m['skipped']) for m in restore['mailboxes']] == [
        (ALICE['email'], 4, 1, 0, 50), (BOB['email'], 3, 1, 1, 40)]
    assert [e['status'] for e in restore['events']] == ['Success', 'Warning']
    assert 'restore %s: item "x [corrupt]" could not be restored' % OP in str(result['warnings'])
    assert fake_time.sleeps == [0.25]  # the first pause is short: a restore of seconds is not waited 2 s for


def test_a_failed_restore_fails_the_task_with_the_failing_events(api, capsys, fake_time):
    prepared(api)
    session_before_restore(api, ROOT)
    started(api, MB + '/restore')
    operation(api, 'Stopped', 'Failed', 'Failed', 'Cannot open mailbox %s: access denied.')
    statistics(api, 'Failed', bob_error='Cannot open mailbox bob: access denied.')
    done(api)
    result = run_module(mailbox_restore, args(mailboxes=['*'], wait=True), capsys)
    assert result.failed
    # The failed mailbox and the server's error for it.
    assert result['msg'] == 'the restore %s failed: %s: Cannot open mailbox bob: access denied.' % (OP, BOB['email'])
    assert result['restore']['mailboxes'][1]['error'] == 'Cannot open mailbox bob: access denied.'
    assert 'Ex-Pa55!' not in str(result)


def test_a_wait_that_times_out_returns_the_session_id(api, capsys, fake_time):
    prepared(api)
    session_before_restore(api, ROOT)
    started(api, MB + '/%s/restore' % BOB['id'])
    for _look in range(5):
        still_working(api)
    operation(api, 'Working', None, 'Running', 'Restoring %s')
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Statistics' % OP, json={
        'totalItemsCount': 0, 'restoredItemsCount': 0, 'failedItemsCount': 0, 'skippedItemsCount': 0, 'items': []})
    done(api)
    result = run_module(mailbox_restore, args(wait=True, wait_timeout=5, poll_interval=2), capsys)
    assert result.failed and result['msg'].startswith('the restore %s did not finish within 5 seconds' % OP)
    assert 'vb365.restore.restore_session_info session_id=%s' % OP in result['msg']
    assert result['restore']['session_id'] == OP and result['restore']['state'] == 'Working'
    # Pauses double from 0.25 s up to poll_interval, then grow by half; the last one ends at the deadline.
    assert fake_time.sleeps == [0.25, 0.5, 1, 2, 1.25]


def test_an_on_premises_account_alone_goes_to_the_bulk_restore(api, capsys):
    prepared(api)
    started(api, MB + '/restore')
    done(api)
    creds = {'on_premises_domain': 'northwind.local', 'on_premises_username': 'NORTHWIND\\restore',
             'on_premises_password': 'OnPrem-Pa55'}
    result = run_module(mailbox_restore, args(exchange_credentials=creds), capsys)
    assert result['endpoint'] == 'bulk'
    assert json_of(api.calls[3]) == {'domainName': 'northwind.local', 'onPremisesUserName': 'NORTHWIND\\restore',
                                     'onPremisesUserPassword': 'OnPrem-Pa55', 'mailboxes': [{'id': BOB['id']}]}
    assert 'OnPrem-Pa55' not in str(result)


@pytest.mark.parametrize('extra', [{'folder': 'Inbox'}, {'target': {'mailbox': 'frank@contoso.onmicrosoft.com'}}])
def test_an_on_premises_account_alone_is_refused_elsewhere(api, capsys, extra):
    creds = {'on_premises_domain': 'northwind.local', 'on_premises_username': 'restore',
             'on_premises_password': 'OnPrem-Pa55'}
    result = run_module(mailbox_restore, args(exchange_credentials=creds, **extra), capsys)
    assert result.failed and len(api.calls) == 0
    assert result['msg'].startswith('exchange_credentials: on_premises_domain, on_premises_username and '
                                    'on_premises_password are accepted only by the bulk restore')
