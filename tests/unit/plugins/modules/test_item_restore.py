# -*- coding: utf-8 -*-
"""Unit tests of item_restore: the endpoint and exact body of each action, and what is refused."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.vb365.restore.plugins.modules import item_restore

from unit_helpers import BASE, json_of, run_module, token_body

SID = '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10'
ROOT = BASE + '/v8/RestoreSessions/%s' % SID
BOB = {'id': '00000000-0000-0000-0000-000000000005', 'email': 'bob@contoso.onmicrosoft.com', 'name': 'Bob Jones',
       'isArchive': False, 'isPublic': False}
ITEMS = BASE + '/v8/RestoreSessions/%s/organization/mailboxes/%s/items' % (SID, BOB['id'])
CREDS = {'username': 'ex@contoso.onmicrosoft.com', 'password': 'Ex-Pa55!'}
OP = {'sessionId': '9a9a9a9a-1111-2222-3333-444444444444'}


def prepared(api, items=('i-1', 'i-2')):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, ROOT, json={'id': SID, 'type': 'Vex', 'state': 'Working', 'result': 'Success',
                                       'creationTime': '2026-11-23T01:00:00Z'})
    api.add(responses.GET, ROOT + '/organization/mailboxes', json={'offset': 0, 'limit': 10000, 'results': [BOB]})
    api.add(responses.GET, ITEMS, json={'offset': 0, 'limit': 10000, 'results': [
        {'id': i, 'subject': 'Subject %s' % i, 'itemClass': 'IPM.Note', 'mailboxId': BOB['id']} for i in items]})


def done(api):
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)


def args(**kw):
    base = {'session_id': SID, 'mailbox': 'bob@contoso.onmicrosoft.com', 'items': ['i-1', 'i-2'], 'wait': False}
    base.update(kw)
    return dict((k, v) for k, v in base.items() if v is not None)


@pytest.mark.parametrize('extra, suffix, body', [
    ({'exchange_credentials': CREDS}, 'restore',
     {'userName': 'ex@contoso.onmicrosoft.com', 'userPassword': 'Ex-Pa55!'}),
    ({'exchange_credentials': {'user_code': 'CODE-1'}, 'deleted_items': True,
      'target': {'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'From Bob', 'region': 'Germany'}}, 'restoreTo',
     {'userCode': 'CODE-1', 'deletedItems': True, 'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'From Bob',
      'officeRegion': 'Germany'}),
    ({'action': 'operator_restore', 'reason': 'Ticket 1', 'changed_items': False, 'target': {'folder': 'Back'}},
     'operatorRestore', {'changedItems': False, 'folder': 'Back', 'reason': 'Ticket 1'}),
])
def test_restore_actions_send_the_documented_bodies(api, capsys, extra, suffix, body):
    prepared(api)
    api.add(responses.POST, ITEMS + '/' + suffix, json=OP)
    done(api)
    result = run_module(item_restore, args(**extra), capsys)
    assert result['count'] == 2 and result['restore']['session_id'] == OP['sessionId']
    assert json_of(api.calls[4]) == dict(body, items=[{'id': 'i-1'}, {'id': 'i-2'}])


@pytest.mark.parametrize('send_to, suffix, body', [
    (None, 'sendToDefaultAddress', {}),
    ({'to': 'legal@contoso.example', 'subject': 'Evidence', 'from': 'it@contoso.example'}, 'sendToDifferentAddress',
     {'to': 'legal@contoso.example', 'subject': 'Evidence', 'from': 'it@contoso.example'}),
])
def test_send_checks_email_settings_then_sends(api, capsys, send_to, suffix, body):
    prepared(api)
    api.add(responses.GET, BASE + '/v8/VexEmailSettings', json={'enableNotification': True, 'server': 'smtp.x'})
    api.add(responses.POST, ITEMS + '/' + suffix, status=204)
    done(api)
    result = run_module(item_restore, args(action='send', send_to=send_to), capsys)
    assert result['changed'] is True and result['sent'][0]['items'] == 2
    assert json_of(api.calls[5]) == dict(body, items=[{'id': 'i-1'}, {'id': 'i-2'}])


def test_batches(api, capsys):
    prepared(api, items=['i-%d' % n for n in range(5)])
    for _batch in range(3):
        api.add(responses.POST, ITEMS + '/restore', json=OP)
    done(api)
    result = run_module(item_restore, args(items=['i-%d' % n for n in range(5)], batch_size=2,
                                           exchange_credentials=CREDS), capsys)
    assert [len(json_of(c)['items']) for c in api.calls[4:7]] == [2, 2, 1]
    assert len(result['restore']['session_ids']) == 3


def test_unknown_ids_are_refused_before_acting(api, capsys):
    prepared(api)
    done(api)
    result = run_module(item_restore, args(items=['i-1', 'nope'], exchange_credentials=CREDS), capsys)
    assert result.failed and result['msg'].startswith('items: 1 of the ids are not in bob@contoso.onmicrosoft.com')


@pytest.mark.parametrize('extra, message', [
    ({'exchange_credentials': CREDS, 'changed_items': True}, 'changed_items: not accepted by the restore of items to '
                                                             'their original place'),
    ({'action': 'send', 'exchange_credentials': CREDS}, 'exchange_credentials: not used when sending'),
    ({'action': 'send', 'mark_restored_as_unread': True}, 'mark_restored_as_unread: not accepted when sending'),
    ({'action': 'operator_restore', 'target': {'mailbox': 'x@y'}}, 'target: an operator restore goes to the original'),
    ({'reason': 'why', 'exchange_credentials': CREDS}, 'reason: only with action=operator_restore'),
    ({'send_to': {'to': 'a@b'}, 'exchange_credentials': CREDS}, 'send_to: only with action=send'),
    ({'items': None, 'query': None}, 'items: give either items (ids) or query'),
    ({'mailbox': None}, 'mailbox: required with items'),
    ({'exchange_credentials': {}}, 'exchange_credentials: give one method'),
    ({'exchange_credentials': CREDS, 'batch_size': 0}, 'batch_size: must be at least 1'),
])
def test_refused_before_any_request(api, capsys, extra, message):
    result = run_module(item_restore, args(**extra), capsys)
    assert result.failed and result['msg'].startswith(message), result['msg']
    assert len(api.calls) == 0
