# -*- coding: utf-8 -*-
"""The operations table (plugins/module_utils/operations.py) against the contract, entry by entry, and how
the client and the module base run an entry."""

from __future__ import annotations

import json
import os
import re

import pytest
import responses

from ansible_collections.vb365.restore.plugins.module_utils import operations as ops
from ansible_collections.vb365.restore.plugins.module_utils.client import Vb365Client
from ansible_collections.vb365.restore.plugins.module_utils.module import Vb365Module

from unit_helpers import BASE, json_of, run_module, token_body

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
with open(os.path.join(ROOT, 'tests', 'simulator', 'contract', 'vb365_v8.json')) as _handle:
    CONTRACT = json.load(_handle)
SCHEMAS = CONTRACT['components']['schemas']


def contract_of(op):
    return CONTRACT['paths'][op.path][op.method.lower()]


def schema(ref_or_schema):
    if '$ref' in ref_or_schema:
        return SCHEMAS[ref_or_schema['$ref'].rsplit('/', 1)[-1]]
    return ref_or_schema


def body_schema(op):
    """The request body's schema (the form's for a form operation), or None when the operation takes none."""
    content = contract_of(op).get('requestBody', {}).get('content', {})
    media = 'application/x-www-form-urlencoded' if op.form else 'application/json'
    return schema(content[media]['schema']) if media in content else None


def success(op):
    """(status, content) of the operation's success answer in the contract."""
    answers = contract_of(op)['responses']
    status = min(code for code in answers if code.isdigit() and code.startswith('2'))
    return status, answers[status].get('content', {})


ALL = sorted(ops.OPERATIONS.values(), key=lambda op: op.name)


@pytest.mark.parametrize('op', ALL, ids=[op.name for op in ALL])
def test_every_entry_is_an_operation_of_the_contract(op):
    assert op.path in CONTRACT['paths'], '%s: no such path in the contract' % op.name
    assert op.method.lower() in CONTRACT['paths'][op.path], '%s: the contract has no %s %s' % (
        op.name, op.method, op.path)
    parameters = contract_of(op).get('parameters', [])
    assert set(op.path_names) == set(p['name'] for p in parameters if p['in'] == 'path')
    query = set(p['name'] for p in parameters if p['in'] == 'query')
    assert op.query <= query, 'query parameters the contract does not define: %s' % sorted(op.query - query)
    required_query = set(p['name'] for p in parameters if p['in'] == 'query' and p.get('required'))
    assert required_query <= op.query


@pytest.mark.parametrize('op', ALL, ids=[op.name for op in ALL])
def test_every_body_field_is_one_the_contract_defines_and_the_required_ones_are_always_sent(op):
    defined = body_schema(op)
    if defined is None:
        assert not op.body, '%s takes no body in the contract, the table gives it %s' % (op.name, sorted(op.body))
        return
    fields = set(defined.get('properties', {}))
    assert op.body <= fields, 'fields the contract does not define: %s' % sorted(op.body - fields)
    assert op.always <= op.body
    assert set(defined.get('required', [])) <= op.always, '%s: a required field is not always sent' % op.name


@pytest.mark.parametrize('op', ALL, ids=[op.name for op in ALL])
def test_the_kind_of_answer_is_the_contracts(op):
    status, content = success(op)
    if op.answer == ops.NONE:
        assert status == '204' or not content
    elif op.answer == ops.FILE:
        assert 'application/octet-stream' in content
    else:
        answer = schema(next(iter(content.values()))['schema'])
        if op.answer == ops.PAGE:
            assert answer.get('x-veeam-page-result') is True
            assert {'offset', 'limit'} <= op.query
        elif op.answer == ops.RESTORE:
            assert 'sessionId' in answer['properties']
        else:
            assert answer.get('type') == 'object' and not answer.get('x-veeam-page-result')


@pytest.mark.parametrize('op', ALL, ids=[op.name for op in ALL])
def test_the_credential_style_is_the_bodys(op):
    fields = set((body_schema(op) or {}).get('properties', {}))
    if op.credentials == 'standard':
        assert {'userName', 'userPassword'} <= fields and 'office365UserName' not in fields
    elif op.credentials == 'bulk':
        assert {'office365UserName', 'office365UserPassword', 'domainName'} <= fields
    else:
        assert not ({'userName', 'office365UserName'} & op.body)


def test_a_write_that_is_not_a_read_is_sent_once_unless_the_table_says_so():
    """Only reads, the token, stopping a session and the exports (which only read data) may be sent again."""
    again = sorted(op.name for op in ALL if op.idempotent and op.method != 'GET')
    assert again == ['export_folder', 'export_item', 'export_items', 'export_mailbox', 'export_organization',
                     'logout', 'save_item', 'save_items', 'stop_session', 'token']
    assert all(not op.idempotent for op in ALL if op.answer == ops.RESTORE)


def test_no_api_path_is_written_outside_the_table():
    """Every first segment of a contract path ('/RestoreSessions', '/token', ...) appears as a string in
    plugins/ only in operations.py."""
    segments = sorted(set(path.split('/')[2] for path in CONTRACT['paths']))
    pattern = re.compile(r'''['"]/(?:v8/)?(%s)\b''' % '|'.join(segments))
    found = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, 'plugins')):
        for name in files:
            if not name.endswith('.py') or name == 'operations.py':
                continue
            path = os.path.join(folder, name)
            with open(path) as handle:
                for number, line in enumerate(handle, 1):
                    if pattern.search(line):
                        found.append('%s:%d: %s' % (os.path.relpath(path, ROOT), number, line.strip()))
    assert found == []


# ------------------------------------------------------------------ running an entry
@pytest.fixture
def client():
    return Vb365Client('vb365.test', 'restore-admin', 'Unit-Test-Pa55!', sleep=lambda s: None)


def login(api):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())


SESSION = '5e55a000-0000-4000-8000-000000000001'
MAILBOX = '3a11b000-0000-4000-8000-000000000002'


def test_path_values_are_url_encoded_in_one_place(api, client):
    login(api)
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s/organization/mailboxes/%s/items/a%%2Fb%%3D%%2Bc' % (
        SESSION, MAILBOX), json={'id': 'a/b=+c'})
    assert client.call(ops.ITEM, restoreSessionId=SESSION, mailboxId=MAILBOX, itemId='a/b=+c') == {'id': 'a/b=+c'}


def test_a_page_entry_is_read_to_the_end_and_a_search_follows_its_set(api, client):
    login(api)
    url = BASE + '/v8/RestoreSessions/%s/organization/mailboxes/search' % SESSION
    set_id = '5e7a0000-0000-4000-8000-000000000003'
    api.add(responses.POST, url, json={'offset': 0, 'limit': 2, 'setId': set_id, 'results': [{'id': 1}, {'id': 2}]})
    api.add(responses.POST, url, json={'offset': 2, 'limit': 2, 'setId': set_id, 'results': [{'id': 3}]})
    found = client.call(ops.SEARCH_MAILBOXES, body={'query': 'invoice'}, page_size=2, restoreSessionId=SESSION)
    assert [i['id'] for i in found.items] == [1, 2, 3] and found.pages == 2
    assert api.calls[2].request.params == {'offset': '2', 'limit': '2', 'setId': set_id}
    assert json_of(api.calls[2]) == {'query': 'invoice'}


@pytest.mark.parametrize('call, message', [
    (lambda c: c.call(ops.RESTORE_SESSION), 'restore_session takes the path values restoreSessionId, not none'),
    (lambda c: c.call(ops.RESTORE_SESSIONS, params={'state': 'Working'}), 'takes no query parameter state'),
    (lambda c: c.call(ops.RESTORE_ITEMS, body={'userName': 'x', 'items': [], 'folder': 'Inbox'}, restoreSessionId='s',
                      mailboxId='m'), 'the body has fields the operation does not take: folder'),
    (lambda c: c.call(ops.RESTORE_ITEMS, body={'userName': 'x'}, restoreSessionId='s', mailboxId='m'),
     'restore_items: the body lacks items'),
    (lambda c: c.call(ops.SEND_TEST_EMAIL), 'send_test_email needs a body with email'),
])
def test_a_request_the_table_does_not_allow_is_refused_before_anything_is_sent(client, call, message):
    with responses.RequestsMock() as api:  # nothing may be sent
        with pytest.raises(ValueError) as err:
            call(client)
        assert not api.calls
    assert message in str(err.value)


def test_a_page_entry_is_checked_with_its_paging_parameters(api, client):
    login(api)
    api.add(responses.GET, BASE + '/v8/Organizations', json={'offset': 0, 'limit': 100, 'results': [{'id': 'o-1'}]})
    assert client.call(ops.ORGANIZATIONS).items == [{'id': 'o-1'}]


class _WritesABadRequest:
    """A module whose one write lacks a field its operation always needs (a mistake in a module)."""

    @staticmethod
    def main():
        mod = Vb365Module({})
        mod.run(lambda m: m.write(ops.Request(ops.RESTORE_ITEMS, {'userName': 'x'}, restoreSessionId='s',
                                              mailboxId='m')))


@pytest.mark.parametrize('check_mode', [False, True], ids=['sent', 'planned'])
def test_a_write_the_table_does_not_allow_fails_the_task_planned_or_sent(capsys, check_mode):
    with responses.RequestsMock() as api:  # nothing may be sent, not even the sign-in
        result = run_module(_WritesABadRequest, {}, capsys, check_mode=check_mode)
        assert not api.calls
    assert result['failed'] is True and 'restore_items: the body lacks items' in result['msg']
    assert 'planned_requests' not in result
