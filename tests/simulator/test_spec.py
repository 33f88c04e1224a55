"""Tests of the OpenAPI validator that checks every request and response of the project."""

from __future__ import annotations

import json
import time

import pytest

from vb365sim.spec import SpecError, SpecValidator, default_validator, is_date_time

SID = '11111111-2222-3333-4444-555555555555'
MBX = '22222222-3333-4444-5555-666666666666'
ORG = '33333333-4444-5555-6666-777777777777'
BULK = '/v8/RestoreSessions/%s/organization/mailboxes/restore' % SID
BULK_T = 'POST /v8/RestoreSessions/{restoreSessionId}/organization/mailboxes/restore'
ITEMS = '/v8/RestoreSessions/%s/organization/mailboxes/%s/items' % (SID, MBX)
JSON = 'application/json'
FORM = 'application/x-www-form-urlencoded'


@pytest.fixture(scope='module')
def spec():
    return default_validator()


def body(data):
    return json.dumps(data).encode()


def session(**changes):
    good = {'id': SID, 'type': 'Vex', 'creationTime': '2026-11-23T01:00:00.1234567+01:00', 'state': 'Working',
            'result': 'Success', 'endTime': None}
    good.update(changes)
    return good


# ------------------------------------------------------------------------------ routing
def test_default_validator_is_one_per_process(spec):
    assert default_validator() is spec


def test_operations_list_every_operation(spec):
    operations = spec.operations()
    assert ('POST', '/v8/RestoreSessions/{restoreSessionId}/organization/mailboxes/restore',
            'ExchangeMailbox_RestoreMailboxesAction') in operations
    assert ('POST', '/v8/token', 'token') in operations
    assert len(operations) == len(set(operations)) == spec.spec['x-contract']['operations'] > 90


def test_literal_segments_win_over_parameters(spec):
    template, op, params = spec.match('POST', BULK)
    assert template.endswith('/mailboxes/restore') and params == {'restoreSessionId': SID}
    assert op['operationId'] == 'ExchangeMailbox_RestoreMailboxesAction'
    template, _op, params = spec.match('GET', '/v8/RestoreSessions/%s/organization/mailboxes/%s' % (SID, MBX))
    assert template.endswith('/mailboxes/{mailboxId}') and params['mailboxId'] == MBX


def test_path_case_and_unknown_paths(spec):
    assert spec.validate_request('POST', '/v8/RestoreSessions/%s/Stop' % SID, {}, None, None) == []
    problems = spec.validate_request('POST', '/v8/restoresessions/%s/stop' % SID, {}, None, None)
    assert problems == ["POST /v8/restoresessions/%s/stop: the path differs in letter case from the spec's "
                        "/v8/RestoreSessions/{restoreSessionId}/Stop" % SID]
    with pytest.raises(SpecError, match='differs in letter case'):
        spec.match('POST', '/v8/RestoreSessions/%s/stop' % SID)
    assert spec.match('POST', '/v8/restoresessions/%s/stop' % SID, case_sensitive=False)[0] == \
        '/v8/RestoreSessions/{restoreSessionId}/Stop'
    assert spec.validate_request('GET', '/v8/Nope', {}, None, None) == ['GET /v8/Nope: no such path in the spec']
    with pytest.raises(SpecError, match='the spec has no DELETE'):
        spec.match('DELETE', '/v8/RestoreSessions/%s/Stop' % SID)


def test_path_parameter_format(spec):
    assert spec.validate_request('POST', '/v8/RestoreSessions/not-an-id/Stop', {}, None, None) == [
        "POST /v8/RestoreSessions/{restoreSessionId}/Stop: path: restoreSessionId='not-an-id' is not a 'uuid'"]


# ------------------------------------------------------------------------------ request bodies
def test_bulk_restore_documented_names_pass(spec):
    assert spec.validate_request('POST', BULK, {}, JSON, body({
        'mailboxes': [{'id': MBX}], 'office365UserName': 'u', 'office365UserPassword': 'p', 'changedItems': True,
        'skipUnresolved': False, 'recentItemRestorePeriod': 7})) == []


def test_misspelt_field_is_named(spec):
    problems = spec.validate_request('POST', BULK, {}, JSON, body({'mailboxes': [{'id': MBX}], 'officeUserName': 'u'}))
    assert problems == ["%s: body: unknown field 'officeUserName'" % BULK_T]


def test_nested_format_and_range_problems_say_where(spec):
    problems = spec.validate_request('POST', BULK, {}, JSON, body({'mailboxes': [{'id': MBX}, {'id': 'x'}],
                                                                   'recentItemRestorePeriod': 2 ** 31}))
    assert problems == ["%s: body.mailboxes[1].id: 'x' is not a 'uuid'" % BULK_T,
                        "%s: body.recentItemRestorePeriod: 2147483648 is not a 'int32'" % BULK_T]


def test_items_restore_takes_item_ids(spec):
    path = ITEMS + '/restore'
    assert spec.validate_request('POST', path, {}, JSON, body({'items': [{'id': 'AAMkAG=='}], 'userName': 'u',
                                                               'userPassword': 'p'})) == []
    problems = spec.validate_request('POST', path, {}, JSON, body({'items': [{'id': 'AAMkAG==', 'name': 'x'}],
                                                                   'itemIds': ['AAMkAG==']}))
    label = 'POST /v8/RestoreSessions/{restoreSessionId}/organization/mailboxes/{mailboxId}/items/restore'
    assert problems == ["%s: body.items[0]: unknown field 'name'" % label, "%s: body: unknown field 'itemIds'" % label]


def test_restore_to_types_and_enums(spec):
    path = '/v8/RestoreSessions/%s/organization/mailboxes/%s/restoreTo' % (SID, MBX)
    assert spec.validate_request('POST', path, {}, JSON, body({'mailbox': 'a@b', 'officeRegion': 'Worldwide',
                                                               'changedItems': True})) == []
    problems = spec.validate_request('POST', path, {}, JSON, body({'mailbox': 'a@b', 'officeRegion': 'Mars',
                                                                   'changedItems': 'yes'}))
    assert len(problems) == 2
    assert "body.changedItems: 'yes' is not of type 'boolean'" in problems[0]
    assert "body.officeRegion: 'Mars' is not one of" in problems[1]


def test_nullable_fields_take_null_others_do_not(spec):
    path = '/v8/RestoreSessions/%s/organization/mailboxes/%s/restoreTo' % (SID, MBX)
    assert spec.validate_request('POST', path, {}, JSON, body({'mailbox': 'a@b', 'changedItems': None})) == []
    assert spec.validate_request('POST', path, {}, JSON, body({'mailbox': None}))  # not nullable


def test_read_only_fields_are_refused_in_requests(spec):
    problems = spec.validate_request('PUT', '/v8/Organizations/%s' % ORG, {}, JSON, body({
        'type': 'Office365', 'name': 'contoso', 'id': ORG}))
    assert "PUT /v8/Organizations/{organizationId}: body.id: read-only: set by the server, not allowed in a request" \
        in problems


def test_body_content_type_and_presence(spec):
    assert spec.validate_request('POST', BULK, {}, 'text/plain', b'{}') == [
        "%s: body: content type 'text/plain' is not one of ['application/json']" % BULK_T]
    assert spec.validate_request('POST', BULK, {}, JSON, b'{not json')[0].startswith('%s: body: not JSON' % BULK_T)
    assert spec.validate_request('POST', BULK, {}, JSON, None) == ['%s: body: a request body is required' % BULK_T]
    assert spec.validate_request('POST', '/v8/RestoreSessions/%s/Stop' % SID, {}, JSON, b'{"force": true}') == [
        'POST /v8/RestoreSessions/{restoreSessionId}/Stop: body: the operation takes no request body']


def test_token_form_body(spec):
    form = b'grant_type=password&username=a&password=b&disable_antiforgery_token=true'
    assert spec.validate_request('POST', '/v8/token', {}, FORM, form) == []
    assert spec.validate_request('POST', '/v8/token', {}, FORM, b'grant_type=refresh_token&refresh_token=r') == []
    assert spec.validate_request('POST', '/v8/token', {}, FORM, b'grant_type=password&user=a') == [
        "POST /v8/token: body: unknown field 'user'"]
    assert spec.validate_request('POST', '/v8/token', {}, FORM, b'grant_type=pass&disable_antiforgery_token=1') == [
        "POST /v8/token: body.disable_antiforgery_token: '1' is not of type 'boolean', 'null'",
        "POST /v8/token: body.grant_type: 'pass' is not one of ['password', 'refresh_token', "
        "'urn:ietf:params:oauth:grant-type:jwt-bearer', 'operator']"]


# ------------------------------------------------------------------------------ query parameters
def test_query_parameters(spec):
    assert spec.validate_request('GET', '/v8/Organizations', {'offset': '0', 'limit': '30'}, None, None) == []
    assert spec.validate_request('GET', '/v8/Organizations', {'limit': 'ten'}, None, None) == [
        "GET /v8/Organizations: query: limit='ten' is not an integer"]
    assert spec.validate_request('GET', '/v8/Organizations', {'limit': str(2 ** 31)}, None, None) == [
        "GET /v8/Organizations: query: limit='2147483648' is out of the int32 range"]
    assert spec.validate_request('GET', '/v8/Organizations', {'foo': '1'}, None, None) == [
        "GET /v8/Organizations: query: unknown parameter 'foo'"]
    assert spec.validate_request('GET', '/v8/Organizations', {'Limit': '1'}, None, None) == [
        "GET /v8/Organizations: query: unknown parameter 'Limit' (the spec spells it 'limit')"]
    assert spec.validate_request('GET', '/v8/Organizations', {'limit': ['1', '2']}, None, None) == [
        'GET /v8/Organizations: query: limit is given 2 times']


def test_query_parameter_formats_and_enums(spec):
    assert spec.validate_request('GET', ITEMS, {'parentId': 'AAMk', 'offset': '0', 'limit': '5'}, None, None) == []
    search = '/v8/RestoreSessions/%s/organization/mailboxes/search' % SID
    assert spec.validate_request('POST', search, {'setId': SID}, JSON, body({'query': 'x'})) == []
    assert spec.validate_request('POST', search, {'setId': 'abc'}, JSON, body({'query': 'x'})) == [
        "POST /v8/RestoreSessions/{restoreSessionId}/organization/mailboxes/search: query: "
        "setId='abc' is not a 'uuid'"]
    assert spec.validate_request('GET', '/v8/RestoreSessions', {'orderBy': 'Nope'}, None, None) == [
        "GET /v8/RestoreSessions: query: orderBy='Nope' is not one of ['CreationTime', 'EndTime']"]


def test_search_scope_without_set_id_parameter(spec):
    path = '/v8/RestoreSessions/%s/organization/searchExchange' % SID
    assert spec.validate_request('POST', path, {'offset': '0', 'limit': '10'}, JSON, body({'query': 'x'})) == []
    assert spec.validate_request('POST', path, {'setId': SID}, JSON, body({'query': 'x'})) == [
        "POST /v8/RestoreSessions/{restoreSessionId}/organization/searchExchange: query: unknown parameter 'setId'"]


# ------------------------------------------------------------------------------ responses
def test_restore_session_response(spec):
    path = '/v8/RestoreSessions/%s' % SID
    assert spec.validate_response('GET', path, 200, JSON, body(session())) == []
    missing = session()
    del missing['state']
    assert spec.validate_response('GET', path, 200, JSON, body(missing)) == [
        "GET /v8/RestoreSessions/{restoreSessionId} -> 200: body: 'state' is a required property"]
    assert spec.validate_response('GET', path, 200, JSON, body(session(creationTime='2026-11-23T01:00:00'))) == [
        "GET /v8/RestoreSessions/{restoreSessionId} -> 200: body.creationTime: '2026-11-23T01:00:00' is not a "
        "'date-time'"]
    assert spec.validate_response('GET', path, 201, JSON, body(session())) == [
        "GET /v8/RestoreSessions/{restoreSessionId} -> 201: status 201 is not documented "
        "(documented: ['200', 'default'])"]


def test_date_time_is_rfc_3339_with_an_offset():
    assert is_date_time('2026-11-23T01:00:00Z') and is_date_time('2026-11-23T01:00:00.1234567-05:30')
    assert not is_date_time('2026-11-23T01:00:00')  # no offset
    assert not is_date_time('2026-11-23T01:00Z')  # no seconds
    assert not is_date_time('2026-13-23T01:00:00Z')  # no 13th month
    assert not is_date_time('23/11/2026 01:00')


def test_page_of_mailboxes_and_formats(spec):
    path = '/v8/RestoreSessions/%s/organization/mailboxes' % SID
    page = {'offset': 0, 'limit': 30, 'results': [{'id': MBX, 'name': 'Alice', 'email': 'a@b', 'isArchive': False}]}
    assert spec.validate_response('GET', path, 200, JSON, body(page)) == []
    page['results'][0]['id'] = 'not-a-uuid'
    assert spec.validate_response('GET', path, 200, JSON, body(page)) == [
        "GET /v8/RestoreSessions/{restoreSessionId}/organization/mailboxes -> 200: body.results[0].id: "
        "'not-a-uuid' is not a 'uuid'"]


def test_octet_stream_export_response(spec):
    path = '/v8/RestoreSessions/%s/organization/mailboxes/%s/exportToPst' % (SID, MBX)
    assert spec.validate_response('POST', path, 200, 'application/octet-stream', b'!BDN') == []
    assert spec.validate_response('POST', path, 200, 'application/octet-stream', None) == []  # a stream
    assert spec.validate_response('POST', path, 200, JSON, b'{}') == [
        'POST /v8/RestoreSessions/{restoreSessionId}/organization/mailboxes/{mailboxId}/exportToPst -> 200: '
        "content type 'application/json' is not one of ['application/octet-stream']"]


def test_error_responses_follow_the_default_schema(spec):
    path = '/v8/RestoreSessions/%s/organization/mailboxes/%s/exportToPst' % (SID, MBX)
    error = body({'message': 'not found', 'errorCode': 'ResourceNotFound', 'stackTrace': None})
    assert spec.validate_response('POST', path, 404, JSON, error) == []
    problems = spec.validate_response('POST', path, 404, JSON, body({'message': 'x', 'errorCode': 'Nope'}))
    assert len(problems) == 1 and "-> 404: body.errorCode: 'Nope' is not one of" in problems[0]


def test_responses_without_a_body(spec):
    path = '/v8/RestoreSessions/%s/Stop' % SID
    assert spec.validate_response('POST', path, 204, None, None) == []
    assert spec.validate_response('POST', path, 204, JSON, b'{}') == [
        'POST /v8/RestoreSessions/{restoreSessionId}/Stop -> 204: the documented response has no body']
    assert spec.validate_response('GET', '/v8/RestoreSessions/%s' % SID, 200, None, None) == [
        "GET /v8/RestoreSessions/{restoreSessionId} -> 200: body missing (documented: ['application/json'])"]


def test_token_response_any_media_type(spec):
    token = {'access_token': 'a', 'refresh_token': 'r', 'token_type': 'bearer', 'expires_in': 3600,
             '.issued': '2026-11-23T01:00:00Z', '.expires': '2026-11-23T02:00:00Z'}
    assert spec.validate_response('POST', '/v8/token', 200, 'application/json; charset=utf-8', body(token)) == []
    assert spec.validate_response('POST', '/v8/token', 200, JSON, body(dict(token, expires_in='1h')))


def test_write_only_fields_are_refused_in_responses(spec):
    page = {'offset': 0, 'limit': 30, 'results': [{'id': ORG, 'type': 'Office365', 'name': 'contoso',
                                                   'newApplicationName': 'secret-app'}]}
    problems = spec.validate_response('GET', '/v8/Organizations', 200, JSON, body(page))
    assert problems == ['GET /v8/Organizations -> 200: body.results[0].newApplicationName: write-only: '
                        'never part of a response']


def test_nullable_composed_schema(spec):
    path = '/v8/BackupRepositories'
    answer = {'name': 'Copies', 'retentionType': 'ItemLevel', 'objectStorage': None}
    assert spec.validate_request('POST', path, {}, JSON, body(answer)) == []
    answer['objectStorage'] = 'yesterday'
    assert spec.validate_request('POST', path, {}, JSON, body(answer)) == [
        "POST /v8/BackupRepositories: body.objectStorage: 'yesterday' is not of type 'object'"]


def test_statistics_items_follow_the_schema_of_their_discriminator(spec):
    path = '/v8/RestoreSessions/%s/Statistics' % SID
    label = 'GET /v8/RestoreSessions/{restoreSessionId}/Statistics -> 200'
    bulk = {'id': 'a', 'name': 'Bob', 'itemType': 'ExchangeMailbox', 'status': 'Success',
            'itemRestoreDetailsType': 'BulkMailbox', 'mailboxEmail': 'bob@x', 'mailboxIsArchive': False,
            'mailboxIsPublic': False, 'createdMailboxItemsCount': 1, 'mergedMailboxItemsCount': 0,
            'failedMailboxItemsCount': 0, 'skippedMailboxItemsCount': 0}
    item = {'id': 'b', 'name': 'Invoice', 'itemType': 'ExchangeMailbox', 'status': 'Success',
            'itemRestoreDetailsType': 'Item'}
    stats = {'totalItemsCount': 2, 'restoredItemsCount': 2, 'failedItemsCount': 0, 'skippedItemsCount': 0,
             'items': [bulk, item]}
    assert spec.validate_response('GET', path, 200, JSON, body(stats)) == []
    del bulk['mailboxEmail']  # required by RESTBulkMailboxItemRestoreDetails, not by the composed schema
    item['itemRestoreDetailsType'] = 'Folder'
    assert spec.validate_response('GET', path, 200, JSON, body(stats)) == [
        "%s: body.items[0]: 'mailboxEmail' is a required property" % label,
        "%s: body.items[1].itemRestoreDetailsType: 'Folder' is not one of the discriminator values "
        "['BulkMailbox', 'BulkOneDrive', 'Item']" % label]


# ------------------------------------------------------------------------------ the whole spec
def test_every_schema_of_the_spec_compiles():
    fresh = SpecValidator()
    compiled = 0
    for method, template, _operation_id in fresh.operations():
        op = fresh.spec['paths'][template][method.lower()]
        for media, content in op.get('requestBody', {}).get('content', {}).items():
            fresh.validator(('request', method, template, media), content.get('schema', {}), 'request')
            compiled += 1
        for status, answer in op['responses'].items():
            for media, content in (answer.get('content') or {}).items():
                fresh.validator(('response', method, template, status, media), content.get('schema', {}), 'response')
                compiled += 1
    assert compiled > 2 * fresh.spec['x-contract']['operations']


def test_validation_is_fast_enough_for_every_request(spec):
    """Not a timing assertion: prints the rate so that a slowdown shows in the log."""
    payload = body({'mailboxes': [{'id': MBX}], 'office365UserName': 'u', 'office365UserPassword': 'p'})
    page = body({'offset': 0, 'limit': 30, 'results': [{'id': MBX, 'name': 'Alice', 'email': 'a@b'}] * 30})
    rounds = 2000
    started = time.perf_counter()
    for _round in range(rounds):
        assert spec.validate_request('POST', BULK, {}, JSON, payload) == []
    requests = rounds / (time.perf_counter() - started)
    started = time.perf_counter()
    for _round in range(rounds // 10):
        assert spec.validate_response('GET', '/v8/RestoreSessions/%s/organization/mailboxes' % SID, 200, JSON,
                                      page) == []
    pages = rounds // 10 / (time.perf_counter() - started)
    print('\nspec validation: %.0f bulk restore requests/s (%.3f ms each), %.0f pages of 30 mailboxes/s'
          % (requests, 1000 / requests, pages))
