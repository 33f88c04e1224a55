# -*- coding: utf-8 -*-
"""Unit tests of mailbox_info and item_info: resolution, ambiguity, scopes and limits."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.vb365.restore.plugins.modules import item_info, mailbox_info

from unit_helpers import BASE, json_of, run_module, token_body

SID = '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10'
ROOT = BASE + '/v8/RestoreSessions/%s' % SID
MB = ROOT + '/organization/mailboxes'


def mbx(n, email, name, archive=False):
    return {'id': '00000000-0000-0000-0000-%012d' % n, 'email': email, 'name': name, 'isArchive': archive,
            'isPublic': False}


ALICE = mbx(1, 'alice@contoso.onmicrosoft.com', 'Alice Smith')
ALICE_ARCHIVE = mbx(2, 'alice@contoso.onmicrosoft.com', 'Alice Smith', archive=True)
CHRIS1 = mbx(3, 'chris.taylor@contoso.onmicrosoft.com', 'Chris Taylor')
CHRIS2 = mbx(4, 'christopher.taylor@contoso.onmicrosoft.com', 'Chris Taylor')
BOB = mbx(5, 'bob@contoso.onmicrosoft.com', 'Bob Jones')
ALL = [ALICE, ALICE_ARCHIVE, CHRIS1, CHRIS2, BOB]


def page(results, limit=10000, set_id=None):
    body = {'offset': 0, 'limit': limit, 'results': results}
    if set_id:
        body['setId'] = set_id
    return body


@pytest.fixture
def session_api(api):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, ROOT, json={'id': SID, 'type': 'Vex', 'state': 'Working', 'result': 'Success',
                                       'creationTime': '2026-11-23T01:00:00Z'})
    api.add(responses.GET, MB, json=page(ALL))
    return api


def done(api):
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)


def test_mailboxes_by_email_name_and_wildcard(session_api, capsys):
    done(session_api)
    wanted = ['alice@contoso.onmicrosoft.com', 'Bob Jones', 'chris*']
    result = run_module(mailbox_info, {'session_id': SID, 'mailboxes': wanted}, capsys)
    assert [m['email'] for m in result['mailboxes']] == [
        'alice@contoso.onmicrosoft.com', 'bob@contoso.onmicrosoft.com',
        'chris.taylor@contoso.onmicrosoft.com', 'christopher.taylor@contoso.onmicrosoft.com']
    assert result['mailboxes'][0]['is_archive'] is False and result['count'] == 4


def test_archive_flag_picks_the_archive(session_api, capsys):
    done(session_api)
    result = run_module(mailbox_info, {'session_id': SID, 'mailboxes': ['alice@contoso.onmicrosoft.com'],
                                       'archive': True}, capsys)
    assert [m['id'] for m in result['mailboxes']] == [ALICE_ARCHIVE['id']]


def test_ambiguous_name_lists_both_candidates(session_api, capsys):
    done(session_api)
    result = run_module(mailbox_info, {'session_id': SID, 'mailboxes': ['Chris Taylor']}, capsys)
    assert result.failed
    assert "'Chris Taylor' matches 2 mailboxes" in result['msg']
    assert CHRIS1['email'] in result['msg'] and CHRIS2['email'] in result['msg']
    assert len(result['candidates']) == 2


def test_unknown_mailbox_fails_clearly(session_api, capsys):
    done(session_api)
    result = run_module(mailbox_info, {'session_id': SID, 'mailboxes': ['zoe@contoso.onmicrosoft.com']}, capsys)
    assert result.failed and "no mailbox 'zoe@contoso.onmicrosoft.com'" in result['msg']


def test_folder_tree(session_api, capsys):
    folders = MB + '/%s/folders' % BOB['id']
    session_api.add(responses.GET, folders, json=page([{'id': 'f-inbox', 'name': 'Inbox', 'category': 'Inbox'}]),
                    match=[responses.matchers.query_param_matcher({'offset': '0', 'limit': '10000'})])
    session_api.add(responses.GET, folders, json=page([{'id': 'f-proj', 'name': 'Projects'}]))
    session_api.add(responses.GET, folders, json=page([]))
    done(session_api)
    result = run_module(mailbox_info, {'session_id': SID, 'mailboxes': ['bob@contoso.onmicrosoft.com'],
                                       'include_folders': True}, capsys)
    assert [f['path'] for f in result['mailboxes'][0]['folders']] == ['Inbox', 'Inbox/Projects']
    assert session_api.calls[4].request.params['parentId'] == 'f-inbox'


def test_item_search_in_a_folder_path(session_api, capsys):
    folders = MB + '/%s/folders' % ALICE['id']
    session_api.add(responses.GET, folders, json=page([{'id': 'f-inbox', 'name': 'Inbox'}]))
    session_api.add(responses.GET, folders, json=page([{'id': 'f-inv', 'name': 'Invoices'}]))
    session_api.add(responses.POST, folders + '/f-inv/search', json=page([
        {'id': 'i1', 'itemClass': 'IPM.Note', 'subject': 'Invoice INV-2026-001', 'from': 'billing@northwind.example',
         'received': '2026-11-17T09:00:00Z', 'mailboxId': ALICE['id']}], set_id='aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'))
    done(session_api)
    result = run_module(item_info, {'session_id': SID, 'mailbox': 'Alice Smith', 'folder': 'inbox/invoices',
                                    'query': 'subject:invoice'}, capsys)
    assert result['scope'] == 'folder' and result['count'] == 1 and result['truncated'] is False
    item = result['mail_items'][0]
    assert item['subject'] == 'Invoice INV-2026-001' and item['item_class'] == 'IPM.Note'
    assert item['mailbox'] == ALICE['email'] and item['from'] == 'billing@northwind.example'
    assert json_of(session_api.calls[5]) == {'query': 'subject:invoice'}


def test_item_search_all_mailboxes_maps_mailbox_emails(session_api, capsys):
    session_api.add(responses.POST, MB + '/search', json=page([
        {'id': 'i1', 'subject': 'a', 'mailboxId': BOB['id']}, {'id': 'i2', 'subject': 'b', 'mailboxId': ALICE['id']}],
        limit=3))
    done(session_api)
    result = run_module(item_info, {'session_id': SID, 'query': 'budget', 'limit': 2}, capsys)
    assert [i['mailbox'] for i in result['mail_items']] == [BOB['email'], ALICE['email']]
    assert result['truncated'] is False and result['scope'] == 'mailboxes'


def test_item_search_organization_scope_and_limit(session_api, capsys):
    session_api.add(responses.POST, ROOT + '/organization/searchExchange',
                    json=page([{'id': 'i%d' % n, 'mailboxId': BOB['id']} for n in range(3)], limit=3))
    done(session_api)
    result = run_module(item_info, {'session_id': SID, 'query': 'x', 'scope': 'organization', 'limit': 2}, capsys)
    assert result['count'] == 2 and result['truncated'] is True and 'stopped at limit=2' in result['msg']


def test_folder_without_mailbox_fails_before_requests(api, capsys):
    result = run_module(item_info, {'session_id': SID, 'folder': 'Inbox'}, capsys)
    assert result.failed and result['msg'] == 'folder: needs mailbox' and len(api.calls) == 0


def test_stopped_session_is_refused(api, capsys):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, ROOT, json={'id': SID, 'type': 'Vex', 'state': 'Stopped', 'result': 'Success',
                                       'creationTime': '2026-11-23T01:00:00Z'})
    done(api)
    result = run_module(item_info, {'session_id': SID, 'mailbox': 'x'}, capsys)
    assert result.failed and 'is Stopped' in result['msg']
