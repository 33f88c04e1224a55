"""Asynchronous restores: operation sessions, events, statistics, and the production state they change."""

from __future__ import annotations

import base64
import time

import pytest

from simhelpers import BULK_CREDS, CREDS
from portal_helpers import PortalClient

ALICE, BOB, CAROL = 'alice@contoso.onmicrosoft.com', 'bob@contoso.onmicrosoft.com', 'carol@contoso.onmicrosoft.com'


def counts(stats, email=None):
    (detail,) = [d for d in stats['items'] if d['itemRestoreDetailsType'] == 'BulkMailbox'
                 and (email is None or d['mailboxEmail'] == email)]
    return (detail['createdMailboxItemsCount'], detail['mergedMailboxItemsCount'], detail['failedMailboxItemsCount'],
            detail['skippedMailboxItemsCount'])


def folder_records(api, email, folder):
    return [r for r in api.production(email) if r['folder'] == folder]


def test_bulk_restore_is_asynchronous_and_changes_production(api):
    session = api.explore(showDeleted=True)
    bob = api.mailbox(session, BOB)
    assert folder_records(api, BOB, 'Inbox/Invoices') == []  # Bob lost the folder
    op, stats, events = api.restore(api.root(session) + '/mailboxes/restore',
                                    dict(BULK_CREDS, mailboxes=[{'id': bob['id']}], markRestoredAsUnread=True))
    assert op['type'] == 'Vex' and op['result'] == 'Success' and op['endTime']
    assert op['name'] == 'Restore of 1 mailbox from %s' % session['name']
    assert counts(stats) == (8, 2, 0, 43)
    assert (stats['totalItemsCount'], stats['restoredItemsCount'], stats['skippedItemsCount']) == (53, 10, 43)
    restored = folder_records(api, BOB, 'Inbox/Invoices')
    assert len(restored) == 8 and all(r['unread'] for r in restored)
    assert [(e['type'], e['status'], e['order']) for e in events] == [('Restore', 'Success', 1)]
    assert BOB in events[0]['title'] and BOB in events[0]['message']
    listed = [s['id'] for s in api.call('GET', '/v8/RestoreSessions')['results']]
    assert listed == [session['id'], op['id']]
    operation = [s for s in api.control('GET', 'sessions') if s['id'] == op['id']][0]
    assert operation['kind'] == 'operation' and operation['parentSessionId'] == session['id']
    assert operation['options']['office365UserPassword'] == '********'
    # Once more: everything is there now.
    _op, stats, _events = api.restore(api.root(session) + '/mailboxes/restore',
                                      dict(BULK_CREDS, mailboxes=[{'id': bob['id']}]))
    assert counts(stats) == (0, 0, 0, 53)


def test_events_run_then_finish_in_order(api):
    api.config(restore_delay_ms=1500)  # 0.5 s a mailbox: ample for the checks below on a busy machine
    session = api.explore(org='tailspin.onmicrosoft.com')
    page = api.call('GET', api.root(session) + '/mailboxes', params={'limit': 3})['results']
    started = time.time()
    op_id = api.restore(api.root(session) + '/mailboxes/restore',
                        dict(BULK_CREDS, mailboxes=[{'id': m['id']} for m in page]), wait=False)
    early = api.call('GET', '/v8/RestoreSessions/%s' % op_id)
    assert early['state'] == 'Working' and 'endTime' not in early
    first = api.call('GET', '/v8/RestoreSessions/%s/Events' % op_id)['results']
    assert first[0]['status'] == 'Running' and first[0]['order'] == 1
    op = api.wait(op_id)
    assert time.time() - started >= 1.4 and op['result'] == 'Success'
    events = api.call('GET', '/v8/RestoreSessions/%s/Events' % op_id)['results']
    assert [(e['order'], e['status']) for e in events] == [(1, 'Success'), (2, 'Success'), (3, 'Success')]
    assert [e['itemName'] for e in events] == [m['email'] for m in page]
    assert api.call('GET', '/v8/RestoreSessions/%s/Events/%s' % (op_id, events[1]['id'])) == events[1]
    stats = api.call('GET', '/v8/RestoreSessions/%s/Statistics' % op_id)
    assert [counts(stats, m['email']) for m in page] == [(1, 0, 0, 2)] * 3  # each misses one of its 3 messages
    assert len(api.production('user0002@tailspin.onmicrosoft.com')) == 3


def test_stopping_a_running_restore_cancels_what_has_not_begun(api):
    api.config(restore_delay_ms=3000)  # 1 s a mailbox: the Stop lands while the first one runs
    session = api.explore(org='tailspin.onmicrosoft.com')
    page = api.call('GET', api.root(session) + '/mailboxes', params={'limit': 3})['results']
    op_id = api.restore(api.root(session) + '/mailboxes/restore',
                        dict(BULK_CREDS, mailboxes=[{'id': m['id']} for m in page]), wait=False)
    api.call('POST', '/v8/RestoreSessions/%s/Stop' % op_id, expect=204)
    assert api.call('GET', '/v8/RestoreSessions/%s' % op_id)['state'] == 'Stopped'
    deadline = time.time() + 10
    while True:  # the mailbox under way finishes; the state said Stopped at once
        events = api.call('GET', '/v8/RestoreSessions/%s/Events' % op_id)['results']
        if len(events) == 3 and 'Running' not in [e['status'] for e in events] or time.time() > deadline:
            break
        time.sleep(0.02)
    assert [e['status'] for e in events] == ['Success', 'Cancelled', 'Cancelled']
    assert api.call('GET', '/v8/RestoreSessions/%s' % op_id)['result'] == 'Warning'


def test_a_reset_drops_a_restore_in_flight(api):
    api.config(restore_delay_ms=300)
    session = api.explore(showDeleted=True)
    bob = api.mailbox(session, BOB)
    api.restore(api.root(session, bob) + '/restore', dict(CREDS), wait=False)
    api.control('POST', 'reset')
    time.sleep(0.4)
    assert folder_records(api, BOB, 'Inbox/Invoices') == [] and api.control('GET', 'sessions') == []


@pytest.mark.parametrize('options, expected', [
    ({}, (5, 2, 0, 46)),
    ({'excludeDrafts': True, 'excludeDeletedItems': True, 'excludeInPlaceHoldItems': True,
      'excludeLitigationHoldItems': True}, (5, 2, 0, 42)),
    ({'deletedItems': False}, (0, 2, 0, 51)),
    ({'changedItems': False}, (5, 0, 0, 48)),
    ({'recentItemRestorePeriod': 10}, (2, 0, 0, 4)),
])
def test_restore_options_on_one_mailbox(api, options, expected):
    session = api.explore(showDeleted=True)
    alice = api.mailbox(session, ALICE)
    op, stats, _events = api.restore(api.root(session) + '/mailboxes/restore',
                                     dict(BULK_CREDS, mailboxes=[{'id': alice['id']}], **options))
    assert counts(stats) == expected and op['result'] == 'Success'
    invoices = folder_records(api, ALICE, 'Inbox/Invoices')
    assert len(invoices) == 3 + expected[0] and not any(r['unread'] for r in invoices)


def test_versions_newest_in_scope_wins_and_an_old_one_merges(api):
    api.config(mailbox_statistics='every')  # per-mailbox counts for this non-bulk restore too
    session = api.explore(showAllVersions=True)
    alice = api.mailbox(session, ALICE)
    _op, stats, _events = api.restore(api.root(session, alice) + '/restore', dict(CREDS))
    assert counts(stats) == (0, 2, 0, 48)  # two older versions in scope are skipped
    items = api.call('GET', api.root(session, alice) + '/items', params={'limit': 1000})['results']
    (old,) = [i for i in items if i.get('subject') == 'Customer escalation 5 (draft)']
    _op, stats, _events = api.restore(api.root(session, alice) + '/items/%s/restore' % old['id'], dict(CREDS))
    assert counts(stats) == (0, 1, 0, 0)
    (record,) = [r for r in api.production(ALICE) if r['id'] == old['id'][:-3]]
    assert record['version'] == 1 and record['subject'].endswith('(draft)')


def test_failures_a_broken_mailbox_and_a_corrupt_item(api):
    session = api.explore()
    broken = api.mailbox(session, 'broken@contoso.onmicrosoft.com')
    carol = api.mailbox(session, CAROL)
    op, stats, events = api.restore(api.root(session) + '/mailboxes/restore',
                                    dict(BULK_CREDS, mailboxes=[{'id': broken['id']}, {'id': carol['id']}]))
    assert op['result'] == 'Failed' and op['name'] == 'Restore of 2 mailboxes from %s' % session['name']
    by_mail = dict((d['mailboxEmail'], d) for d in stats['items'])
    assert by_mail['broken@contoso.onmicrosoft.com']['status'] == 'Failed'
    assert by_mail['broken@contoso.onmicrosoft.com']['cannotContinueMailboxError']
    assert by_mail[CAROL]['status'] == 'Warning' and counts(stats, CAROL)[2] == 1
    assert [e['status'] for e in events] == ['Failed', 'Warning']
    assert stats['errors'] and any('[corrupt]' in w for w in stats['warnings'])
    op, _stats, _events = api.restore(api.root(session, carol) + '/restore', dict(CREDS))
    assert op['result'] == 'Warning'


def test_restore_to_another_mailbox_and_folder(api):
    api.config(mailbox_statistics='every')  # per-mailbox counts for this non-bulk restore too
    session = api.explore()
    erin = api.mailbox(session, 'erin@contoso.onmicrosoft.com')
    body = dict(CREDS, mailbox='frank@contoso.onmicrosoft.com', folder='Erin Leaver', excludeDrafts=True,
                officeRegion='Worldwide')
    op, stats, events = api.restore(api.root(session, erin) + '/restoreTo', body)
    assert op['result'] == 'Success' and counts(stats) == (47, 0, 0, 0)
    assert events[0]['target'] == 'frank@contoso.onmicrosoft.com/Erin Leaver'
    moved = [r for r in api.production('frank@contoso.onmicrosoft.com') if r['folder'].startswith('Erin Leaver/')]
    assert len(moved) == 47 and 'Erin Leaver/Inbox/Projects/2026' in {r['folder'] for r in moved}
    assert not [r for r in moved if r['folder'] == 'Erin Leaver/Drafts']
    _op, stats, _events = api.restore(api.root(session, erin) + '/restoreTo', body)
    assert counts(stats) == (0, 0, 0, 47)
    # Into the mailbox itself, below a folder: copies, the originals stay.
    before = folder_records(api, 'erin@contoso.onmicrosoft.com', 'Inbox')
    _op, stats, _events = api.restore(api.root(session, erin) + '/restoreTo',
                                      dict(CREDS, mailbox='erin@contoso.onmicrosoft.com', folder='Recovered'))
    assert counts(stats) == (48, 0, 0, 0)
    assert folder_records(api, 'erin@contoso.onmicrosoft.com', 'Inbox') == before
    copies = folder_records(api, 'erin@contoso.onmicrosoft.com', 'Recovered/Inbox')
    assert sorted(r['id'] for r in copies) == sorted(r['id'] for r in before)


def test_restore_to_a_mailbox_that_does_not_exist_fails(api):
    api.config(mailbox_statistics='every')  # per-mailbox counts for this non-bulk restore too
    session = api.explore()
    erin = api.mailbox(session, 'erin@contoso.onmicrosoft.com')
    for target in ({'mailbox': 'ghost@contoso.onmicrosoft.com'}, {'mailbox': 'gina@fabrikam.onmicrosoft.com'},
                   {'mailbox': 'gina@fabrikam.onmicrosoft.com', 'officeOrganizationName': 'nowhere.example'}):
        op, stats, events = api.restore(api.root(session, erin) + '/restoreTo', dict(CREDS, **target))
        assert op['result'] == 'Failed' and events[0]['status'] == 'Failed'
        assert 'not found' in events[0]['message'] and stats['errors']
    op, stats, _events = api.restore(api.root(session, erin) + '/restoreTo', dict(
        CREDS, mailbox='gina@fabrikam.onmicrosoft.com', officeOrganizationName='fabrikam.onmicrosoft.com',
        folder='From Contoso'))
    assert op['result'] == 'Success' and counts(stats)[0] == 48


def test_folder_restores(api):
    api.config(mailbox_statistics='every')  # per-mailbox counts for this non-bulk restore too
    session = api.explore(showDeleted=True)
    alice = api.mailbox(session, ALICE)
    invoices = api.folder(session, alice, 'Inbox/Invoices')
    op, stats, _events = api.restore(api.root(session, alice) + '/folders/%s/restore' % invoices['id'], dict(CREDS))
    assert counts(stats) == (5, 0, 0, 3) and op['name'] == 'Restore of folder Inbox/Invoices from %s' % session['name']
    inbox = api.folder(session, alice, 'Inbox')
    _op, stats, _events = api.restore(api.root(session, alice) + '/folders/%s/restoreTo' % inbox['id'],
                                      dict(CREDS, mailbox='dave@contoso.onmicrosoft.com', folder='Alice/Old'))
    copied = [r for r in api.production('dave@contoso.onmicrosoft.com') if r['folder'].startswith('Alice/Old/')]
    backup = api.control('GET', 'backup/%s?showDeleted=true' % ALICE)
    in_inbox = [i for i in backup if i['folder'] == 'Inbox' or i['folder'].startswith('Inbox/')]
    assert counts(stats)[0] == len(copied) == len(in_inbox) == 38
    assert {r['folder'] for r in copied} == {'Alice/Old/' + i['folder'] for i in in_inbox}


def test_item_restores_report_each_item(api):
    api.config(mailbox_statistics='every')  # per-mailbox counts for this non-bulk restore too
    session = api.explore(showDeleted=True)
    alice = api.mailbox(session, ALICE)
    invoices = api.folder(session, alice, 'Inbox/Invoices')
    items = api.call('GET', api.root(session, alice) + '/items', params={'parentId': invoices['id']})['results']
    chosen = [{'id': i['id']} for i in items[-3:]]
    op, stats, _events = api.restore(api.root(session, alice) + '/items/restore', dict(CREDS, items=chosen))
    assert op['name'] == 'Restore of 3 items from %s' % session['name'] and counts(stats) == (3, 0, 0, 0)
    details = [d for d in stats['items'] if d['itemRestoreDetailsType'] == 'Item']
    assert [d['id'] for d in details] == [c['id'] for c in chosen]
    assert all(d['status'] == 'Success' and d['path'] == ALICE + '/Inbox/Invoices' for d in details)
    _op, stats, _events = api.restore(api.root(session, alice) + '/items/%s/restore' % chosen[0]['id'], dict(CREDS))
    assert [d['status'] for d in stats['items'] if d['itemRestoreDetailsType'] == 'Item'] == ['Skipped']
    _op, stats, _events = api.restore(api.root(session, alice) + '/items/restoreTo', dict(
        CREDS, items=chosen, mailbox=BOB, folder='From Alice', markRestoredAsUnread=True))
    landed = folder_records(api, BOB, 'From Alice/Inbox/Invoices')
    assert counts(stats)[0] == len(landed) == 3 and all(r['unread'] for r in landed)
    _op, stats, _events = api.restore(api.root(session, alice) + '/items/%s/restoreTo' % chosen[1]['id'],
                                      dict(CREDS, mailbox=BOB))
    assert counts(stats) == (1, 0, 0, 0) and len(folder_records(api, BOB, 'Inbox/Invoices')) == 1
    api.error('POST', api.root(session, alice) + '/items/restore', 404, json=dict(CREDS, items=[{'id': 'nope'}]))
    assert 'items' in api.error('POST', api.root(session, alice) + '/items/restore', 400, json=dict(CREDS))['message']


def test_operator_restore_goes_to_the_original_mailbox(api, sim):
    operator = PortalClient(sim)
    session = operator.operator_explore(CAROL, reason='Ticket 4711', showDeleted=True)
    carol = operator.mailbox(session, CAROL)
    invoices = operator.folder(session, carol, 'Inbox/Invoices')
    items = operator.call('GET', operator.root(session, carol) + '/items', params={'parentId': invoices['id']})['results']
    answer = operator.call('POST', operator.root(session, carol) + '/items/operatorRestore',
                           json={'items': [{'id': i['id']} for i in items], 'reason': 'Ticket 4711'})
    op = operator.wait(answer['sessionId'])
    assert op['reason'] == 'Ticket 4711' and op['name'].startswith('Operator restore of 8 items')
    assert len(folder_records(api, CAROL, 'Restored Items/Inbox/Invoices')) == 8
    answer = operator.call('POST', operator.root(session, carol) + '/items/operatorRestore',
                           json={'items': [{'id': items[0]['id']}], 'folder': 'Operator', 'changedItems': True})
    operator.wait(answer['sessionId'])
    assert len(folder_records(api, CAROL, 'Operator/Inbox/Invoices')) == 1
    operator.close()


CERT = base64.b64encode(b'0\x82\x01\x0a not really a certificate').decode()


@pytest.mark.parametrize('body, words', [
    ({}, ['userName', 'userCode', 'applicationId']),
    ({'userName': 'a@b.c'}, ['userPassword']),
    ({'userName': 'a@b.c', 'userPassword': 'p', 'userCode': 'ABCD'}, ['exactly one']),
    ({'applicationId': '11111111-2222-3333-4444-555555555555', 'applicationCertificate': CERT},
     ['impersonationAccountName']),
    ({'applicationId': '11111111-2222-3333-4444-555555555555', 'applicationCertificate': 'not base64!',
      'impersonationAccountName': 'svc@contoso.onmicrosoft.com'}, ['applicationCertificate', 'base64']),
    ({'userCode': 'ABCD', 'applicationCertificatePassword': 'p'}, ['applicationCertificatePassword']),
])
def test_credentials_missing_or_mixed_are_refused(api, body, words):
    session = api.explore()
    alice = api.mailbox(session, ALICE)
    error = api.error('POST', api.root(session, alice) + '/restore', 400, json=body)
    assert error['errorCode'] == 'ParameterValidationFailure'
    assert all(w in error['message'] for w in words), error['message']
    assert 'not really' not in error['message'] and "'p'" not in error['message']


def test_each_credential_method_is_accepted_and_masked_in_the_log(api):
    session = api.explore()
    alice = api.mailbox(session, ALICE)
    for body in (dict(CREDS), {'userCode': 'ABCD-EFGH'},
                 {'applicationId': '11111111-2222-3333-4444-555555555555', 'applicationCertificate': CERT,
                  'applicationCertificatePassword': 'Cert-Pa55', 'impersonationAccountName': 'svc@contoso.example'}):
        api.restore(api.root(session, alice) + '/restore', body)
    logged = [r['body'] for r in api.control('GET', 'requests') if r['path'].endswith('/restore')]
    assert logged[0]['userPassword'] == logged[1]['userCode'] == logged[2]['applicationCertificate'] == '********'
    text = str(api.control('GET', 'requests')) + str(api.control('GET', 'sessions'))
    for secret in (CREDS['userPassword'], 'ABCD-EFGH', CERT, 'Cert-Pa55'):
        assert secret not in text


def test_on_premises_bulk_restore_and_strict_bodies(api):
    session = api.explore(org='northwind.local')
    ivan = api.mailbox(session, 'ivan@northwind.local')
    path = api.root(session) + '/mailboxes/restore'
    onprem = {'domainName': 'NORTHWIND', 'onPremisesUserName': 'restore', 'onPremisesUserPassword': 'OnPrem-Pa55'}
    op, _stats, _events = api.restore(path, dict(onprem, mailboxes=[{'id': ivan['id']}]))
    assert op['result'] == 'Success'
    partial = api.error('POST', path, 400, json={'mailboxes': [{'id': ivan['id']}], 'domainName': 'NORTHWIND'})
    assert 'onPremisesUserPassword' in partial['message']
    misspelt = api.error('POST', path, 400, json=dict(BULK_CREDS, mailboxes=[{'id': ivan['id']}], officeUserName='x'))
    assert "'officeUserName'" in misspelt['message'] and misspelt['errorCode'] == 'ParameterValidationFailure'
    wrong_kind = api.error('POST', path, 400, json=dict(CREDS, mailboxes=[{'id': ivan['id']}]))
    assert "'userName'" in wrong_kind['message']  # the bulk body names them office365UserName/-Password
    api.expect_violations(2)
