# -*- coding: utf-8 -*-
"""Unit tests of the shared restore helpers: credentials, flags, targets, following a restore."""

from __future__ import annotations

import base64

import pytest
import responses

from ansible_collections.vb365.restore.plugins.module_utils.client import Vb365Client
from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365ParameterError,
    Vb365TimeoutError,
)
from ansible_collections.vb365.restore.plugins.module_utils.restore import (
    build_report,
    credential_method,
    credentials_body,
    flags_body,
    _waits,
    follow_restore,
    merge_reports,
    secrets_of,
    target_body,
)

from unit_helpers import BASE, FakeClock, token_body

APP_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'
OP = '9a9a9a9a-1111-2222-3333-444444444444'


# ------------------------------------------------------------------ credentials
def test_password_method_standard_and_bulk_names():
    creds = {'username': 'ex-admin@contoso.onmicrosoft.com', 'password': 'pw-123'}
    assert credentials_body(creds) == {'userName': 'ex-admin@contoso.onmicrosoft.com', 'userPassword': 'pw-123'}
    assert credentials_body(creds, bulk=True) == {'office365UserName': 'ex-admin@contoso.onmicrosoft.com',
                                                  'office365UserPassword': 'pw-123'}


def test_device_code_method():
    assert credentials_body({'user_code': 'ABCD-EFGH'}) == {'userCode': 'ABCD-EFGH'}


def test_application_certificate_from_file(tmp_path):
    pfx = tmp_path / 'app.pfx'
    pfx.write_bytes(b'\x30\x82\x01\x0a binary pfx')
    body = credentials_body({'application_id': APP_ID, 'certificate_path': str(pfx), 'certificate_password': 'cp',
                             'impersonation_account': 'restore@contoso.onmicrosoft.com'})
    assert body == {'applicationId': APP_ID, 'applicationCertificate': base64.b64encode(pfx.read_bytes()).decode(),
                    'applicationCertificatePassword': 'cp', 'impersonationAccountName': 'restore@contoso.onmicrosoft.com'}


def test_application_certificate_inline_base64_is_checked():
    good = base64.b64encode(b'pfx').decode()
    body = credentials_body({'application_id': APP_ID, 'certificate_content': ' %s\n' % good,
                             'impersonation_account': 'r@c'})
    assert body['applicationCertificate'] == good
    with pytest.raises(Vb365ParameterError, match='certificate_content: not valid base64'):
        credentials_body({'application_id': APP_ID, 'certificate_content': 'not base64!', 'impersonation_account': 'r'})


def test_on_premises_fields_only_in_bulk():
    creds = {'username': 'u', 'password': 'p', 'on_premises_domain': 'corp.local', 'on_premises_username': 'admin',
             'on_premises_password': 'op'}
    body = credentials_body(creds, bulk=True)
    assert body['domainName'] == 'corp.local' and body['onPremisesUserName'] == 'admin'
    assert body['onPremisesUserPassword'] == 'op'
    with pytest.raises(Vb365ParameterError, match='only by the bulk restore'):
        credentials_body(creds)


@pytest.mark.parametrize('creds, message', [
    ({}, 'give one method'),
    (None, 'give one method'),
    ({'username': 'u'}, 'also needs password'),
    ({'username': 'u', 'password': 'p', 'user_code': 'c'}, 'use one credential method, not 2: exchange_credentials.username and exchange_credentials.password '
     '(user name and password); exchange_credentials.user_code (device code)'),
    ({'application_id': APP_ID, 'impersonation_account': 'x'}, 'certificate_path or certificate_content'),
    ({'application_id': 'nope', 'certificate_content': 'YQ==', 'impersonation_account': 'x'}, 'not an application id'),
    ({'application_id': APP_ID, 'certificate_content': 'YQ==', 'certificate_path': '/x', 'impersonation_account': 'x'},
     'mutually exclusive'),
    ({'username': 'u', 'password': 'p', 'on_premises_domain': 'd'}, 'together'),
])
def test_credential_mistakes_are_named(creds, message):
    with pytest.raises(Vb365ParameterError) as err:
        credential_method(creds)
    assert err.value.msg.startswith('exchange_credentials') and message in err.value.msg


def test_unreadable_certificate_names_the_option(tmp_path):
    with pytest.raises(Vb365ParameterError, match='certificate_path: cannot read'):
        credentials_body({'application_id': APP_ID, 'certificate_path': str(tmp_path / 'missing.pfx'),
                          'impersonation_account': 'x'})


def test_secrets_of_lists_every_secret():
    creds = {'username': 'u', 'password': 'p1', 'certificate_password': 'p2', 'on_premises_password': 'p3'}
    assert sorted(secrets_of(creds)) == ['p1', 'p2', 'p3']


# ------------------------------------------------------------------ flags and targets
def test_flags_sent_only_when_set_and_as_booleans():
    params = {'changed_items': True, 'deleted_items': False, 'mark_restored_as_unread': None,
              'recent_item_restore_period': 7}
    accepted = {'changedItems', 'deletedItems', 'recentItemRestorePeriod'}
    assert flags_body(params, accepted, 'the bulk restore') == {
        'changedItems': True, 'deletedItems': False, 'recentItemRestorePeriod': 7}


def test_flag_not_accepted_is_refused_not_dropped():
    with pytest.raises(Vb365ParameterError) as err:
        flags_body({'skip_unresolved': True}, {'changedItems'}, 'a restore to another mailbox')
    assert err.value.msg == 'skip_unresolved: not accepted by a restore to another mailbox; unset it for this kind of restore'


def test_negative_period_is_refused():
    with pytest.raises(Vb365ParameterError, match='recent_item_restore_period: must be a positive'):
        flags_body({'recent_item_restore_period': -3}, {'recentItemRestorePeriod'}, 'x')


def test_target_fields_and_required_mailbox():
    accepted = {'mailbox', 'folder', 'casServer', 'officeRegion', 'officeOrganizationName'}
    assert target_body({'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'Erin', 'region': 'Worldwide',
                        'organization_name': 'contoso.onmicrosoft.com', 'cas_server': None}, accepted, 'x') == {
        'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'Erin', 'officeRegion': 'Worldwide',
        'officeOrganizationName': 'contoso.onmicrosoft.com'}
    with pytest.raises(Vb365ParameterError, match='target.mailbox: the email address'):
        target_body({'folder': 'x'}, accepted, 'x')
    with pytest.raises(Vb365ParameterError, match='target.region: not accepted by the operator restore'):
        target_body({'mailbox': 'm@contoso.com', 'region': 'China'}, {'mailbox'}, 'the operator restore')
    with pytest.raises(Vb365ParameterError, match="target.mailbox: 'not-an-email' is not an email address"):
        target_body({'mailbox': 'not-an-email'}, accepted, 'x')


# ------------------------------------------------------------------ following a restore
def stats_body():
    return {'totalItemsCount': 10, 'restoredItemsCount': 7, 'failedItemsCount': 1, 'skippedItemsCount': 2,
            'warnings': ['1 item failed'], 'items': [
                {'id': 'a', 'name': 'Bob Jones', 'itemType': 'ExchangeMailbox', 'status': 'Warning',
                 'itemRestoreDetailsType': 'BulkMailbox', 'mailboxEmail': 'bob@contoso.onmicrosoft.com',
                 'mailboxIsArchive': False, 'mailboxIsPublic': False, 'createdMailboxItemsCount': 5,
                 'mergedMailboxItemsCount': 2, 'failedMailboxItemsCount': 1, 'skippedMailboxItemsCount': 2}]}


def op_session(state, result='Success'):
    return {'id': OP, 'type': 'Vex', 'state': state, 'result': result, 'creationTime': '2026-11-23T01:00:00Z'}


def events(status):
    return {'offset': 0, 'limit': 10000, 'results': [
        {'id': 'e0000000-0000-0000-0000-000000000001', 'status': status, 'title': 'bob@contoso.onmicrosoft.com',
         'message': 'Restoring', 'startTime': '2026-11-23T01:00:00Z', 'order': 1, 'type': 'Restore'}]}


def test_follow_until_stopped_and_report_counts(api):
    clock = FakeClock(now=0.0)
    client = Vb365Client('vb365.test', 'u', 'p', sleep=clock.sleep, clock=clock.time)
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % OP, json=op_session('Working'))
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % OP, json=op_session('Stopped', 'Warning'))
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Events' % OP, json=events('Warning'))
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Statistics' % OP, json=stats_body())
    report = follow_restore(client, OP, timeout=60, poll_interval=2, sleep=clock.sleep, clock=clock.time)
    assert report['status'] == 'Warning' and report['state'] == 'Stopped'
    assert report['totals'] == {'total': 10, 'restored': 7, 'failed': 1, 'skipped': 2, 'created': 5, 'merged': 2}
    assert report['mailboxes'] == [{'email': 'bob@contoso.onmicrosoft.com', 'name': 'Bob Jones', 'is_archive': False,
                                    'status': 'Warning', 'created': 5, 'merged': 2, 'failed': 1, 'skipped': 2,
                                    'source': 'mailbox_statistics'}]
    assert clock.sleeps == [0.25]  # while it runs only the session is read; its events once it has ended


def test_follow_times_out_with_the_session_id(api):
    clock = FakeClock(now=0.0)
    client = Vb365Client('vb365.test', 'u', 'p', sleep=clock.sleep, clock=clock.time)
    api.add(responses.POST, BASE + '/v8/token', json=token_body(expires_in=36000))
    for _attempt in range(6):  # at 0, 0.25, 0.75, 1.75, 3.75 and 5 s
        api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % OP, json=op_session('Working'))
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Events' % OP, json=events('Running'))
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Statistics' % OP, json=stats_body())
    with pytest.raises(Vb365TimeoutError) as err:
        follow_restore(client, OP, timeout=5, poll_interval=2, sleep=clock.sleep, clock=clock.time)
    assert OP in err.value.msg and 'restore_session_info' in err.value.msg
    assert err.value.details['restore']['session_id'] == OP
    assert err.value.details['restore']['events'][0]['status'] == 'Running'
    assert clock.sleeps == [0.25, 0.5, 1, 2, 1.25]


def test_follow_when_server_returns_the_parent_session(api):
    """A server that answers with the exploring session's id: done when every event has ended, twice in a row."""
    clock = FakeClock(now=0.0)
    client = Vb365Client('vb365.test', 'u', 'p', sleep=clock.sleep, clock=clock.time)
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    for _look in range(2):
        api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % OP, json=op_session('Working'))
        api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Events' % OP, json=events('Success'))
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Statistics' % OP, json=stats_body())
    report = follow_restore(client, OP, timeout=60, parent_session_id=OP, sleep=clock.sleep, clock=clock.time)
    assert report['state'] == 'Working' and report['events'][0]['status'] == 'Success'


def test_merge_reports_adds_counts_and_keeps_worst_status():
    one = build_report('s1', op_session('Stopped', 'Success'), [], stats_body())
    two = build_report('s2', op_session('Stopped', 'Failed'), [], stats_body())
    merged = merge_reports([one, two])
    assert merged['status'] == 'Failed' and merged['session_ids'] == ['s1', 's2']
    assert merged['totals']['created'] == 10 and len(merged['mailboxes']) == 2
    assert merge_reports([one]) is one and merge_reports([]) is None


@pytest.mark.parametrize('poll_interval, expected', [
    (2, [0.25, 0.5, 1, 2, 3, 4.5, 6.75, 10.125, 15, 15]),
    (30, [0.25, 0.5, 1, 2, 4, 8, 16, 30, 30, 30]),
    (0.1, [0.1, 0.15000000000000002, 0.22500000000000003]),
])
def test_the_pauses_between_looks_start_short_and_grow_to_a_ceiling(poll_interval, expected):
    waits = _waits(poll_interval)
    assert [next(waits) for _n in expected] == pytest.approx(expected)
