# -*- coding: utf-8 -*-
"""Unit tests of mailbox_restore: endpoint choice and exact bodies per credential method, bad input."""

from __future__ import annotations

import base64

import pytest
import responses

from ansible_collections.vb365.restore.plugins.modules import mailbox_restore

from unit_helpers import BASE, json_of, run_module, token_body

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
