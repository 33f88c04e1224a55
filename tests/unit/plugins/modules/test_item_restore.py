# -*- coding: utf-8 -*-
"""Unit tests of item_restore: the endpoint and exact body of each action, batches, email settings, what is refused."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.vb365.restore.plugins.module_utils.items import FEW_ITEM_IDS
from ansible_collections.vb365.restore.plugins.modules import item_restore

from unit_helpers import session_before_restore, BASE, json_of, run_module, token_body
from vb365sim.spec import default_validator

SID = '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10'
ROOT = BASE + '/v8/RestoreSessions/%s' % SID
BOB = {'id': '00000000-0000-0000-0000-000000000005', 'email': 'bob@contoso.onmicrosoft.com', 'name': 'Bob Jones',
       'isArchive': False, 'isPublic': False}
ALICE = {'id': '00000000-0000-0000-0000-000000000001', 'email': 'alice@contoso.onmicrosoft.com', 'name': 'Alice',
         'isArchive': False, 'isPublic': False}
MAILBOXES = ROOT + '/organization/mailboxes'
ITEMS = MAILBOXES + '/%s/items' % BOB['id']
CREDS = {'username': 'ex@contoso.onmicrosoft.com', 'password': 'Ex-Pa55!'}
OP = '9a9a9a9a-1111-2222-3333-444444444444'
OP2 = '9a9a9a9a-1111-2222-3333-555555555555'
# Exchange item ids are base64 with '/', '+' and '=': they must travel URL-encoded in a path.
ID1, ID2 = 'AAMkAGI2/TG93+AAA=', 'AAMkAGI2/TG93+AAB='
SETTINGS = BASE + '/v8/VexEmailSettings'
SMTP = {'enableNotification': True, 'server': 'smtp.contoso.example', 'port': 587, 'from': 'restore@contoso.example',
        'authenticationType': 'CustomSmtp'}


def item(item_id, mailbox=None, subject=None):
    return {'id': item_id, 'subject': subject or 'Subject %s' % item_id, 'itemClass': 'IPM.Note',
            'mailboxId': (mailbox or BOB)['id']}


def page(results):
    return {'offset': 0, 'limit': 10000, 'results': results}


def opened(api):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, ROOT, json={'id': SID, 'type': 'Vex', 'state': 'Working', 'result': 'Success',
                                       'creationTime': '2026-11-23T01:00:00Z'})


def mailboxes(api, boxes=(BOB,)):
    api.add(responses.GET, MAILBOXES, json=page(list(boxes)))


def by_id(api, ids=(ID1, ID2)):
    """The session, its mailboxes and one GET per item id (a few ids are looked up one by one)."""
    opened(api)
    mailboxes(api)
    for item_id in ids:
        api.add(responses.GET, ITEMS + '/' + item_id.replace('/', '%2F').replace('+', '%2B').replace('=', '%3D'),
                json=item(item_id))


def done(api):
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)


def args(**kw):
    base = {'session_id': SID, 'mailbox': 'bob@contoso.onmicrosoft.com', 'items': [ID1, ID2], 'wait': False}
    base.update(kw)
    return dict((k, v) for k, v in base.items() if v is not None)


def followed(api, session_id, result='Success', statistics=None, events=None):
    """The answers that follow_restore reads for a restore that has ended."""
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % session_id, json={
        'id': session_id, 'type': 'Vex', 'state': 'Stopped', 'result': result, 'creationTime': '2026-11-23T01:00:00Z'})
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Events' % session_id, json=page(events or [
        {'id': 'e0000000-0000-0000-0000-000000000001', 'status': result, 'title': 'Restore of mailbox Bob',
         'message': 'done' if result != 'Failed' else 'Cannot open mailbox bob@contoso.onmicrosoft.com',
         'order': 1, 'type': 'Restore'}]))
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/Statistics' % session_id, json=statistics or {})


def item_statistics(outcomes):
    """Statistics with one Item detail per (id, status) and the mailbox's counts."""
    created = sum(1 for _i, s in outcomes if s == 'Success')
    skipped = sum(1 for _i, s in outcomes if s == 'Skipped')
    return {'totalItemsCount': len(outcomes), 'restoredItemsCount': created, 'failedItemsCount': 0,
            'skippedItemsCount': skipped, 'items': [
                {'id': BOB['id'], 'name': 'Bob Jones', 'itemRestoreDetailsType': 'BulkMailbox', 'status': 'Success',
                 'mailboxEmail': BOB['email'], 'createdMailboxItemsCount': created, 'mergedMailboxItemsCount': 0,
                 'failedMailboxItemsCount': 0, 'skippedMailboxItemsCount': skipped}] + [
                {'id': i, 'name': 'Subject %s' % i, 'itemRestoreDetailsType': 'Item', 'status': s,
                 'path': 'bob@contoso.onmicrosoft.com/Inbox'} for i, s in outcomes]}


def posts(api):
    return [c for c in api.calls if c.request.method == 'POST' and '/items/' in c.request.url]


# ------------------------------------------------------------------ endpoints and bodies
@pytest.mark.parametrize('extra, endpoint, body', [
    ({'exchange_credentials': CREDS}, 'restore',
     {'userName': 'ex@contoso.onmicrosoft.com', 'userPassword': 'Ex-Pa55!'}),
    ({'exchange_credentials': {'user_code': 'CODE-1'}, 'deleted_items': True, 'changed_items': False,
      'mark_restored_as_unread': True,
      'target': {'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'From Bob', 'region': 'Germany',
                 'cas_server': 'outlook.office365.de', 'organization_name': 'fabrikam.onmicrosoft.com'}}, 'restoreTo',
     {'userCode': 'CODE-1', 'deletedItems': True, 'changedItems': False, 'markRestoredAsUnread': True,
      'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'From Bob', 'officeRegion': 'Germany',
      'casServer': 'outlook.office365.de', 'officeOrganizationName': 'fabrikam.onmicrosoft.com'}),
    ({'action': 'operator_restore', 'reason': 'Ticket 1', 'changed_items': False, 'deleted_items': True,
      'mark_restored_as_unread': False, 'target': {'folder': 'Back'}},
     'operatorRestore', {'changedItems': False, 'deletedItems': True, 'markRestoredAsUnread': False, 'folder': 'Back',
                         'reason': 'Ticket 1'}),
    ({'action': 'operator_restore'}, 'operatorRestore', {}),
])
def test_each_restore_action_posts_its_documented_body(api, capsys, extra, endpoint, body):
    by_id(api)
    api.add(responses.POST, ITEMS + '/' + endpoint, json={'sessionId': OP})
    done(api)
    result = run_module(item_restore, args(**extra), capsys)
    assert not result.failed, result.get('msg')
    assert result['endpoint'] == endpoint and result['count'] == 2 and result['changed'] is True
    assert result['restore'] == {'session_id': OP, 'state': 'Working', 'status': None}
    (post,) = posts(api)
    assert json_of(post) == dict(body, items=[{'id': ID1}, {'id': ID2}])
    assert [i['subject'] for i in result['mail_items']] == ['Subject %s' % ID1, 'Subject %s' % ID2]


def test_application_certificate_goes_to_restore_to_and_stays_secret(api, capsys, tmp_path):
    pfx = tmp_path / 'app.pfx'
    pfx.write_bytes(b'\x30\x82 pfx bytes')
    creds = {'application_id': '3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'certificate_path': str(pfx),
             'certificate_password': 'Cert-Pa55', 'impersonation_account': 'restore@contoso.onmicrosoft.com'}
    by_id(api)
    api.add(responses.POST, ITEMS + '/restoreTo', json={'sessionId': OP})
    done(api)
    result = run_module(item_restore, args(exchange_credentials=creds, target={'mailbox': 'bob@contoso.onmicrosoft.com',
                                                                               'folder': 'Recovered'}), capsys)
    body = json_of(posts(api)[0])
    assert set(body) == {'applicationId', 'applicationCertificate', 'applicationCertificatePassword',
                         'impersonationAccountName', 'mailbox', 'folder', 'items'}
    assert 'Cert-Pa55' not in str(result) and body['applicationCertificate'] not in str(result)


@pytest.mark.parametrize('send_to, endpoint, body, to', [
    (None, 'sendToDefaultAddress', {}, 'bob@contoso.onmicrosoft.com'),
    ({'to': 'legal@contoso.example', 'subject': 'Evidence', 'from': 'it@contoso.example', 'text': 'As asked'},
     'sendToDifferentAddress',
     {'to': 'legal@contoso.example', 'subject': 'Evidence', 'from': 'it@contoso.example', 'text': 'As asked'},
     'legal@contoso.example'),
])
def test_send_checks_the_email_settings_then_sends(api, capsys, send_to, endpoint, body, to):
    opened(api)
    api.add(responses.GET, SETTINGS, json=SMTP)
    mailboxes(api)
    for item_id in (ID1, ID2):
        api.add(responses.GET, ITEMS + '/' + item_id.replace('/', '%2F').replace('+', '%2B').replace('=', '%3D'),
                json=item(item_id))
    api.add(responses.POST, ITEMS + '/' + endpoint, status=204)
    done(api)
    result = run_module(item_restore, args(action='send', send_to=send_to), capsys)
    assert result['changed'] is True and result['endpoint'] == endpoint and 'restore' not in result
    assert result['sent'] == [{'mailbox': 'bob@contoso.onmicrosoft.com', 'to': to, 'item_count': 2}]
    assert json_of(posts(api)[0]) == dict(body, items=[{'id': ID1}, {'id': ID2}])


def test_the_field_sets_are_the_spec_schemas():
    """What each list endpoint's operation takes (plus items) is its request schema; the single-item endpoints take
    no more."""
    spec = default_validator().spec
    schemas = spec['components']['schemas']
    base = '/v8/RestoreSessions/{restoreSessionId}/organization/mailboxes/{mailboxId}/items/'

    def fields(path):
        content = spec['paths'][base + path]['post'].get('requestBody', {}).get('content', {})
        if not content:
            return set()
        ref = content['application/json']['schema']['$ref'].rsplit('/', 1)[-1]
        return set(schemas[ref]['properties'])

    for endpoint, op in item_restore.OPERATIONS.items():
        accepted = op.body - {'items'}
        assert fields(endpoint) == accepted | {'items'}, endpoint
        if endpoint != 'operatorRestore':  # the only one without a single-item twin
            assert fields('{itemId}/' + endpoint) <= accepted, endpoint
    assert '{itemId}/operatorRestore' not in str(spec['paths'].keys())


# ------------------------------------------------------------------ choosing items
def test_many_ids_are_found_with_one_listing(api, capsys):
    ids = ['id-%03d' % n for n in range(FEW_ITEM_IDS + 1)]
    opened(api)
    mailboxes(api)
    api.add(responses.GET, ITEMS, json=page([item('other')] + [item(i) for i in reversed(ids)]))
    api.add(responses.POST, ITEMS + '/restore', json={'sessionId': OP})
    done(api)
    result = run_module(item_restore, args(items=ids + ids[:3], exchange_credentials=CREDS), capsys)
    assert result['count'] == len(ids) and [i['id'] for i in result['mail_items']] == ids
    assert json_of(posts(api)[0])['items'] == [{'id': i} for i in ids]


def test_unknown_ids_are_named_and_nothing_is_restored(api, capsys):
    opened(api)
    mailboxes(api)
    api.add(responses.GET, ITEMS + '/i-1', json=item('i-1'))
    api.add(responses.GET, ITEMS + '/nope', status=404, json={'message': 'Item not found', 'errorCode': 'NotFound'})
    done(api)
    result = run_module(item_restore, args(items=['i-1', 'nope'], exchange_credentials=CREDS), capsys)
    assert result.failed
    assert result['msg'] == ('items: 1 of the 2 ids are not items of bob@contoso.onmicrosoft.com in this restore '
                             'session: nope')
    assert posts(api) == []


def test_a_query_without_mailbox_searches_every_mailbox_and_acts_per_mailbox(api, capsys):
    opened(api)
    mailboxes(api, (ALICE, BOB))
    api.add(responses.POST, MAILBOXES + '/search', json=dict(page([
        item('b-1', BOB, 'Invoice 1'), item('a-1', ALICE, 'Invoice 2'), item('b-2', BOB, 'Invoice 3')]), setId=OP2))
    api.add(responses.POST, ITEMS + '/restoreTo', json={'sessionId': OP})
    api.add(responses.POST, MAILBOXES + '/%s/items/restoreTo' % ALICE['id'], json={'sessionId': OP2})
    done(api)
    result = run_module(item_restore, args(mailbox=None, items=None, query='subject:invoice', exchange_credentials=CREDS,
                                           target={'mailbox': 'legal@contoso.onmicrosoft.com'}), capsys)
    assert json_of(api.calls[3]) == {'query': 'subject:invoice'}
    assert [i['mailbox'] for i in result['mail_items']] == ['bob@contoso.onmicrosoft.com'] * 2 + ['alice@contoso.onmicrosoft.com']
    bob, alice = posts(api)
    assert json_of(bob)['items'] == [{'id': 'b-1'}, {'id': 'b-2'}] and json_of(alice)['items'] == [{'id': 'a-1'}]
    assert json_of(alice)['mailbox'] == 'legal@contoso.onmicrosoft.com'
    assert result['restore']['session_ids'] == [OP, OP2] and result['batches'] == {'total': 2, 'sent': 2, 'size': 1000}


def test_a_query_within_a_folder_searches_that_folder(api, capsys):
    opened(api)
    mailboxes(api)
    folder = {'id': 'f-inbox', 'name': 'Inbox', 'mailboxId': BOB['id']}
    api.add(responses.GET, MAILBOXES + '/%s/folders' % BOB['id'], json=page([folder]))
    api.add(responses.POST, MAILBOXES + '/%s/folders/f-inbox/search' % BOB['id'],
            json=dict(page([item('i-1')]), setId=OP2))
    api.add(responses.POST, ITEMS + '/restore', json={'sessionId': OP})
    done(api)
    result = run_module(item_restore, args(items=None, query='subject:x', folder='Inbox', exchange_credentials=CREDS),
                        capsys)
    assert result['count'] == 1 and json_of(posts(api)[-1])['items'] == [{'id': 'i-1'}]


def test_a_query_that_matches_nothing_changes_nothing(api, capsys):
    opened(api)
    mailboxes(api)
    api.add(responses.POST, MAILBOXES + '/%s/search' % BOB['id'], json=dict(page([]), setId=OP2))
    done(api)
    result = run_module(item_restore, args(items=None, query='subject:nothing', exchange_credentials=CREDS), capsys)
    assert not result.failed and result['changed'] is False and result['count'] == 0
    assert result['msg'] == 'the query matched no item: nothing to restore' and 'restore' not in result


def test_an_empty_id_list_changes_nothing_without_a_request(api, capsys):
    result = run_module(item_restore, args(items=[], exchange_credentials=CREDS), capsys)
    assert result['changed'] is False and result['msg'] == 'items is empty: nothing to restore'
    assert len(api.calls) == 0


def test_a_query_over_max_items_fails_before_acting(api, capsys):
    opened(api)
    mailboxes(api)
    api.add(responses.POST, MAILBOXES + '/%s/search' % BOB['id'],
            json=dict(page([item('i-%d' % n) for n in range(4)]), setId=OP2))
    done(api)
    result = run_module(item_restore, args(items=None, query='subject:x', max_items=3, exchange_credentials=CREDS),
                        capsys)
    assert result.failed and result['msg'] == ('query: matches more than max_items=3 items; narrow it or raise '
                                               'max_items')
    assert json_of(api.calls[3]) == {'query': 'subject:x'} and posts(api) == []


# ------------------------------------------------------------------ batches and waiting
def test_batches_split_the_items_and_the_report_merges_them(api, capsys, monkeypatch):
    monkeypatch.setattr('time.sleep', lambda seconds: None)
    ids = ['i-%d' % n for n in range(5)]
    by_id(api, ids)
    sessions = ['9a9a9a9a-0000-0000-0000-00000000000%d' % n for n in range(3)]
    for batch, session_id in zip((ids[0:2], ids[2:4], ids[4:]), sessions):
        session_before_restore(api, ROOT)
        api.add(responses.POST, ITEMS + '/restore', json={'sessionId': session_id})
        followed(api, session_id, statistics=item_statistics([(i, 'Success') for i in batch]))
    done(api)
    result = run_module(item_restore, args(items=ids, batch_size=2, wait=True, exchange_credentials=CREDS), capsys)
    assert [len(json_of(c)['items']) for c in posts(api)] == [2, 2, 1]
    report = result['restore']
    assert report['session_ids'] == sessions and report['status'] == 'Success'
    assert report['totals']['created'] == 5 and report['totals']['restored'] == 5
    assert [(i['id'], i['status']) for i in report['item_details']] == [(i, 'Success') for i in ids]
    assert result['batches'] == {'total': 3, 'sent': 3, 'size': 2} and result['changed'] is True


def test_a_restore_that_only_skips_is_unchanged(api, capsys):
    by_id(api)
    session_before_restore(api, ROOT)
    api.add(responses.POST, ITEMS + '/restore', json={'sessionId': OP})
    followed(api, OP, statistics=item_statistics([(ID1, 'Skipped'), (ID2, 'Skipped')]))
    done(api)
    result = run_module(item_restore, args(wait=True, exchange_credentials=CREDS), capsys)
    assert result['changed'] is False and result['restore']['totals']['skipped'] == 2


def test_a_failed_batch_fails_the_task_and_stops_the_next_batches(api, capsys):
    ids = ['i-%d' % n for n in range(3)]
    by_id(api, ids)
    session_before_restore(api, ROOT)
    api.add(responses.POST, ITEMS + '/restore', json={'sessionId': OP})
    followed(api, OP, result='Failed', statistics={'errors': ['Cannot open mailbox bob@contoso.onmicrosoft.com']})
    done(api)
    result = run_module(item_restore, args(items=ids, batch_size=1, wait=True, exchange_credentials=CREDS), capsys)
    assert result.failed and result['msg'].startswith('the restore %s failed: Restore of mailbox Bob: Cannot open' % OP)
    assert len(posts(api)) == 1 and result['batches'] == {'total': 3, 'sent': 1, 'size': 1}
    assert result['restore']['status'] == 'Failed'
    warnings = [w['event']['msg'] if isinstance(w, dict) else w for w in result['warnings']]  # 2.19: structured
    assert 'the restore of batch 1 of 3 failed; the 2 batches after it were not sent' in warnings


# ------------------------------------------------------------------ email settings
@pytest.mark.parametrize('settings, problem', [
    (dict(SMTP, enableNotification=False), 'enableNotification is not true'),
    (dict(SMTP, server=''), 'no SMTP server is set'),
    ({'enableNotification': True, 'authenticationType': 'Microsoft365', 'isAuthenticated': False},
     'the Microsoft365 account has not completed its sign-in'),
])
def test_send_without_email_settings_fails_before_any_send(api, capsys, settings, problem):
    opened(api)
    api.add(responses.GET, SETTINGS, json=settings)
    done(api)
    result = run_module(item_restore, args(action='send'), capsys)
    assert result.failed and result['msg'].startswith(
        'action: send needs the Exchange email settings of the VB365 server, and they are missing (%s' % problem)
    assert 'nothing was sent' in result['msg'] and 'vb365.restore.email_settings module' in result['msg']
    assert posts(api) == []


def test_send_through_microsoft_365_after_sign_in(api, capsys):
    opened(api)
    api.add(responses.GET, SETTINGS, json={'enableNotification': True, 'authenticationType': 'Microsoft365',
                                           'isAuthenticated': True, 'userId': 'u-1'})
    mailboxes(api)
    api.add(responses.GET, ITEMS + '/i-1', json=item('i-1'))
    api.add(responses.POST, ITEMS + '/sendToDefaultAddress', status=204)
    done(api)
    result = run_module(item_restore, args(action='send', items=['i-1']), capsys)
    assert result['sent'] == [{'mailbox': 'bob@contoso.onmicrosoft.com', 'to': 'bob@contoso.onmicrosoft.com', 'item_count': 1}]


def test_sends_go_in_batches_of_50_by_default(api, capsys):
    ids = ['i-%03d' % n for n in range(120)]
    opened(api)
    api.add(responses.GET, SETTINGS, json=SMTP)
    mailboxes(api)
    api.add(responses.GET, ITEMS, json=page([item(i) for i in ids]))
    for _batch in range(3):
        api.add(responses.POST, ITEMS + '/sendToDefaultAddress', status=204)
    done(api)
    result = run_module(item_restore, args(action='send', items=ids), capsys)
    assert [len(json_of(c)['items']) for c in posts(api)] == [50, 50, 20]
    assert [s['item_count'] for s in result['sent']] == [50, 50, 20]


# ------------------------------------------------------------------ check mode
def test_check_mode_lists_the_items_and_posts_nothing(api, capsys):
    by_id(api)
    done(api)
    result = run_module(item_restore, args(exchange_credentials=CREDS), capsys, check_mode=True)
    assert result['changed'] is True and 'restore' not in result and result['count'] == 2
    assert [i['subject'] for i in result['mail_items']] == ['Subject %s' % ID1, 'Subject %s' % ID2]
    (planned,) = result['planned_requests']
    assert planned['method'] == 'POST' and planned['path'] == '/v8/RestoreSessions/%s/organization/mailboxes/%s/items/' \
        'restore' % (SID, BOB['id'])
    assert planned['body'] == {'userName': 'ex@contoso.onmicrosoft.com', 'userPassword': '********',
                               'items': [{'id': ID1}, {'id': ID2}]}
    assert posts(api) == [] and 'Ex-Pa55!' not in str(result)


def test_check_mode_send_checks_settings_and_sends_nothing(api, capsys):
    opened(api)
    api.add(responses.GET, SETTINGS, json=SMTP)
    mailboxes(api)
    api.add(responses.GET, ITEMS + '/i-1', json=item('i-1'))
    done(api)
    result = run_module(item_restore, args(action='send', items=['i-1']), capsys, check_mode=True)
    assert result['changed'] is True and 'sent' not in result and result['batches']['sent'] == 0
    assert result['planned_requests'][0]['path'].endswith('/items/sendToDefaultAddress') and posts(api) == []


# ------------------------------------------------------------------ refused input
@pytest.mark.parametrize('extra, message', [
    ({'exchange_credentials': CREDS, 'changed_items': True},
     'changed_items: not accepted by the restore of items to their original place (use target to restore elsewhere)'),
    ({'exchange_credentials': CREDS, 'mark_restored_as_unread': False}, 'mark_restored_as_unread: not accepted by'),
    ({'action': 'send', 'exchange_credentials': CREDS}, 'exchange_credentials: not used by sending items'),
    ({'action': 'operator_restore', 'exchange_credentials': CREDS}, 'exchange_credentials: not used by the operator'),
    ({'action': 'send', 'mark_restored_as_unread': True}, 'mark_restored_as_unread: not used when sending items'),
    ({'action': 'send', 'target': {'folder': 'x'}}, 'target: not used when sending items; use send_to'),
    ({'action': 'operator_restore', 'target': {'mailbox': 'x@y', 'region': 'China'}},
     'target: an operator restore goes to the original mailbox; only target.folder is accepted, not target.mailbox, '
     'target.region'),
    ({'exchange_credentials': CREDS, 'target': {'folder': 'x'}}, 'target.mailbox: the email address'),
    ({'reason': 'why', 'exchange_credentials': CREDS}, 'reason: only with action=operator_restore'),
    ({'send_to': {'to': 'a@b'}, 'exchange_credentials': CREDS}, 'send_to: only with action=send'),
    ({'items': None, 'query': None}, 'items: give either items (ids) or query'),
    ({'items': None, 'query': '  '}, 'query: is empty'),
    ({'mailbox': None}, 'mailbox: required with items'),
    ({'items': None, 'query': 'x', 'folder': 'Inbox', 'mailbox': None}, 'folder: needs mailbox'),
    ({'folder': 'Inbox'}, 'folder: only with query'),
    ({'items': None, 'query': 'x', 'archive': True, 'mailbox': None}, 'archive: needs mailbox'),
    ({'items': ['a', 'b', 'c'], 'max_items': 2}, 'items: 3 ids is more than max_items=2'),
    ({}, 'exchange_credentials: give one method'),
    ({'exchange_credentials': {'user_code': 'CODE-77', 'on_premises_domain': 'corp.local', 'on_premises_username': 'admin',
                               'on_premises_password': 'OnPrem-Pa55'}}, 'exchange_credentials: on_premises_domain'),
    ({'exchange_credentials': {'on_premises_domain': 'corp.local', 'on_premises_username': 'admin',
                               'on_premises_password': 'OnPrem-Pa55'}}, 'exchange_credentials: on_premises_domain'),
    ({'action': 'send', 'exchange_credentials': {'user_code': 'CODE-77'}}, 'exchange_credentials: not used by sending'),
    ({'exchange_credentials': CREDS, 'batch_size': 0}, 'batch_size: must be at least 1'),
    ({'exchange_credentials': CREDS, 'max_items': 0}, 'max_items: must be at least 1'),
    ({'exchange_credentials': CREDS, 'wait_timeout': 0}, 'wait_timeout: must be at least 1 second'),
])
def test_refused_before_any_request(api, capsys, extra, message):
    result = run_module(item_restore, args(**extra), capsys)
    assert result.failed and result['msg'].startswith(message), result['msg']
    assert len(api.calls) == 0


def test_items_and_query_together_are_refused(api, capsys):
    result = run_module(item_restore, args(query='subject:x', exchange_credentials=CREDS), capsys)
    assert result.failed and result['msg'] == 'parameters are mutually exclusive: items|query'
    assert len(api.calls) == 0
