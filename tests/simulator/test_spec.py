"""Tests of the OpenAPI validator that checks every request and response of the project."""

from __future__ import annotations

import json
import time

import pytest

from vb365sim.spec import SpecError, default_validator

SID = '11111111-2222-3333-4444-555555555555'
MBX = '22222222-3333-4444-5555-666666666666'
BULK = '/v8/RestoreSessions/%s/organization/mailboxes/restore' % SID
JSON = 'application/json'


@pytest.fixture(scope='module')
def spec():
    return default_validator()


def body(data):
    return json.dumps(data).encode()


def test_bulk_restore_documented_names_pass(spec):
    assert spec.validate_request('POST', BULK, {}, JSON, body({
        'mailboxes': [{'id': MBX}], 'office365UserName': 'u', 'office365UserPassword': 'p', 'changedItems': True,
        'skipUnresolved': False, 'recentItemRestorePeriod': 7})) == []


def test_misspelt_field_is_named(spec):
    problems = spec.validate_request('POST', BULK, {}, JSON, body({'mailboxes': [{'id': MBX}], 'officeUserName': 'u'}))
    assert problems == ["POST /v8/RestoreSessions/{restoreSessionId}/organization/mailboxes/restore: body: "
                        "unknown field 'officeUserName'"]


def test_nested_unknown_field_and_wrong_type(spec):
    path = '/v8/RestoreSessions/%s/organization/mailboxes/%s/items/restoreTo' % (SID, MBX)
    problems = spec.validate_request('POST', path, {}, JSON, body({'items': [{'id': 'a', 'name': 'x'}],
                                                                   'changedItems': 'yes'}))
    assert any("body.items[0]: unknown field 'name'" in p for p in problems)
    assert any("body.changedItems: 'yes' is not of type" in p for p in problems)


def test_restore_to_enum_is_checked(spec):
    path = '/v8/RestoreSessions/%s/organization/mailboxes/%s/restoreTo' % (SID, MBX)
    assert spec.validate_request('POST', path, {}, JSON, body({'mailbox': 'a@b', 'officeRegion': 'Worldwide'})) == []
    assert spec.validate_request('POST', path, {}, JSON, body({'mailbox': 'a@b', 'officeRegion': 'Mars'}))


def test_token_form_body(spec):
    form = b'grant_type=password&username=a&password=b&disable_antiforgery_token=true'
    assert spec.validate_request('POST', '/v8/token', {}, 'application/x-www-form-urlencoded', form) == []
    bad = b'grant_type=password&user=a'
    assert spec.validate_request('POST', '/v8/token', {}, 'application/x-www-form-urlencoded', bad)


def test_query_parameters(spec):
    assert spec.validate_request('GET', '/v8/Organizations', {'offset': '0', 'limit': '30'}, None, None) == []
    assert spec.validate_request('GET', '/v8/Organizations', {'limit': 'ten'}, None, None) == [
        "GET /v8/Organizations: query: limit='ten' is not an integer"]
    assert spec.validate_request('GET', '/v8/Organizations', {'foo': '1'}, None, None) == [
        "GET /v8/Organizations: query: unknown parameter 'foo'"]


def test_search_scope_without_set_id_parameter(spec):
    path = '/v8/RestoreSessions/%s/organization/searchExchange' % SID
    assert spec.validate_request('POST', path, {'offset': '0', 'limit': '10'}, JSON, body({'query': 'x'})) == []
    assert spec.validate_request('POST', path, {'setId': SID}, JSON, body({'query': 'x'})) == [
        "POST /v8/RestoreSessions/{restoreSessionId}/organization/searchExchange: query: unknown parameter 'setId'"]


def test_path_case_and_unknown_paths(spec):
    assert 'differs in letter case' in spec.validate_request('POST', '/v8/restoresessions/%s/stop' % SID, {}, None, None)[0]
    assert 'no such path' in spec.validate_request('GET', '/v8/Nope', {}, None, None)[0]
    with pytest.raises(SpecError):
        spec.match('DELETE', '/v8/RestoreSessions/%s/Stop' % SID)


def test_literal_segments_win_over_parameters(spec):
    template, _op, params = spec.match('POST', BULK)
    assert template.endswith('/mailboxes/restore') and params == {'restoreSessionId': SID}


def test_response_required_fields(spec):
    path = '/v8/RestoreSessions/%s' % SID
    good = {'id': SID, 'type': 'Vex', 'creationTime': '2026-11-23T01:00:00Z', 'state': 'Working',
            'result': 'Success', 'endTime': None}
    assert spec.validate_response('GET', path, 200, JSON, body(good)) == []
    del good['state']
    assert spec.validate_response('GET', path, 200, JSON, body(good)) == [
        "GET /v8/RestoreSessions/{restoreSessionId} -> 200: body: 'state' is a required property"]


def test_page_of_mailboxes_and_formats(spec):
    path = '/v8/RestoreSessions/%s/organization/mailboxes' % SID
    page = {'offset': 0, 'limit': 30, 'results': [{'id': MBX, 'name': 'Alice', 'email': 'a@b', 'isArchive': False}]}
    assert spec.validate_response('GET', path, 200, JSON, body(page)) == []
    page['results'][0]['id'] = 'not-a-uuid'
    assert "is not a 'uuid'" in spec.validate_response('GET', path, 200, JSON, body(page))[0]


def test_octet_stream_and_error_responses(spec):
    path = '/v8/RestoreSessions/%s/organization/mailboxes/%s/exportToPst' % (SID, MBX)
    assert spec.validate_response('POST', path, 200, 'application/octet-stream', b'!BDN') == []
    error = body({'message': 'not found', 'errorCode': 'ResourceNotFound', 'stackTrace': None})
    assert spec.validate_response('POST', path, 404, JSON, error) == []
    assert spec.validate_response('POST', path, 404, JSON, body({'message': 'x', 'errorCode': 'Nope'}))


def test_statistics_discriminated_items(spec):
    path = '/v8/RestoreSessions/%s/Statistics' % SID
    item = {'id': 'a', 'name': 'Bob', 'itemType': 'ExchangeMailbox', 'status': 'Success',
            'itemRestoreDetailsType': 'BulkMailbox', 'mailboxEmail': 'bob@x', 'mailboxIsArchive': False,
            'mailboxIsPublic': False, 'createdMailboxItemsCount': 1, 'mergedMailboxItemsCount': 0,
            'failedMailboxItemsCount': 0, 'skippedMailboxItemsCount': 0}
    stats = {'totalItemsCount': 1, 'restoredItemsCount': 1, 'failedItemsCount': 0, 'skippedItemsCount': 0,
             'items': [item]}
    assert spec.validate_response('GET', path, 200, JSON, body(stats)) == []


def test_validation_is_fast_enough_for_every_request(spec):
    """Not a timing assertion: prints the rate so a slowdown is visible in the log."""
    payload = body({'mailboxes': [{'id': MBX}], 'office365UserName': 'u', 'office365UserPassword': 'p'})
    started = time.perf_counter()
    for _round in range(500):
        assert spec.validate_request('POST', BULK, {}, JSON, payload) == []
    print('validated %.0f requests/s' % (500 / (time.perf_counter() - started)))
