"""The server itself: strictness, fault rules, knobs, the control API, keep-alive, robustness."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
import uuid

import pytest
import requests

from simhelpers import BULK_CREDS
from vb365sim.api import Reply
from vb365sim.models import CHOICES


def test_strict_mode_rejects_a_misspelt_field_and_a_wrong_path_case(api):
    session = api.explore()
    path = api.root(session) + '/mailboxes/restore'
    body = api.error('POST', path, 400, json={'mailboxes': [], 'officeUserName': 'x'})
    assert "unknown field 'officeUserName'" in body['message'] and body['errorCode'] == 'ParameterValidationFailure'
    body = api.error('POST', '/v8/restoresessions/%s/stop' % session['id'], 400)
    assert 'letter case' in body['message']
    body = api.error('GET', '/v8/Organizations', 400, params={'limit': 'ten'})
    assert 'limit' in body['message']
    violations = api.expect_violations(3)
    assert all(v.startswith('request: ') for v in violations)
    assert api.call('GET', '/v8/RestoreSessions/%s' % session['id'])['state'] == 'Working'  # the Stop never ran


def test_lenient_mode_serves_them_and_still_records_them(api):
    api.config(strict=False)
    assert api.call('GET', '/v8/organizations')['results']  # case-insensitive, as the real server
    session = api.explore()
    api.call('POST', '/v8/restoresessions/%s/stop' % session['id'], expect=204)
    assert api.call('GET', '/v8/RestoreSessions/%s' % session['id'])['state'] == 'Stopped'
    api.expect_violations(2)


def test_an_answer_that_breaks_the_spec_is_a_500(api, sim):
    key = ('GET', '/v8/Organizations')
    original = sim.api.routes[key]
    sim.api.routes[key] = lambda ctx: Reply(200, {'offset': 0, 'limit': 30, 'results': 'not a list'})
    try:
        body = api.error('GET', '/v8/Organizations', 500)
    finally:
        sim.api.routes[key] = original
    assert 'Simulator bug' in body['message']
    (violation,) = api.expect_violations(1)
    assert violation.startswith('response: ')


def test_a_crash_is_a_500_and_the_server_goes_on(api, sim):
    key = ('GET', '/v8/Organizations')
    original = sim.api.routes[key]

    def crash(ctx):
        raise RuntimeError('boom')

    sim.api.routes[key] = crash
    try:
        body = api.error('GET', '/v8/Organizations', 500)
    finally:
        sim.api.routes[key] = original
    assert 'boom' in body['message']
    assert 'RuntimeError' in api.expect_violations(1)[0]
    api.call('GET', '/v8/Organizations')


def test_unknown_and_unsimulated_paths(api):
    assert api.error('GET', '/v9/Organizations', 404)['errorCode'] == 'ResourceNotFound'
    assert api.error('GET', '/v8/Health', 404)['message'].startswith('No simulated resource')  # in the spec, not here
    api.error('GET', '/v8/NoSuchThing', 400)  # not in the spec: a bad request
    api.expect_violations(1)


def test_status_fault_rules_fire_in_order_and_are_spent(api):
    rules = [{'method': 'GET', 'path': '^/v8/Organizations$', 'status': 503, 'retry_after': 3, 'times': 2},
             {'path': '^/v8/Organizations$', 'status': 429, 'times': 1,
              'body': {'message': 'Too many requests', 'errorCode': None, 'stackTrace': None}}]
    listed = api.control('POST', 'faults', {'rules': rules})
    assert [r['times'] for r in listed] == [2, 1]
    first = api.raw('GET', '/v8/Organizations')
    assert first.status_code == 503 and first.headers['Retry-After'] == '3' and first.json()['stackTrace'] is None
    assert api.raw('GET', '/v8/Organizations').status_code == 503
    third = api.raw('GET', '/v8/Organizations')
    assert third.status_code == 429 and third.json()['message'] == 'Too many requests'
    assert api.raw('GET', '/v8/Organizations').status_code == 200
    assert api.raw('POST', '/v8/token/logout').status_code == 204  # other paths never matched
    assert [r['status'] for r in api.control('GET', 'requests') if r['path'] != '/v8/token'] == [503, 503, 429, 200, 204]
    assert [r['times'] for r in api.control('GET', 'faults')] == [0, 0]
    assert api.control('DELETE', 'faults') == []


def test_a_reset_fault_closes_the_connection_without_an_answer(api):
    api.control('POST', 'faults', {'rules': [{'path': 'Organizations', 'reset': True, 'times': 1}]})
    with pytest.raises(requests.exceptions.ConnectionError):
        api.raw('GET', '/v8/Organizations')
    assert api.call('GET', '/v8/Organizations')['results']
    assert [r['status'] for r in api.control('GET', 'requests') if r['path'] != '/v8/token'] == ['reset', 200]


def test_the_request_log_masks_secrets(api):
    session = api.explore()
    alice = api.mailbox(session, 'alice@contoso.onmicrosoft.com')
    api.restore(api.root(session) + '/mailboxes/restore', dict(BULK_CREDS, mailboxes=[{'id': alice['id']}]))
    log = api.control('GET', 'requests')
    (restore,) = [r for r in log if r['path'].endswith('/mailboxes/restore')]
    assert restore['body']['office365UserPassword'] == '********' and restore['body']['office365UserName']
    assert restore['status'] == 200 and restore['method'] == 'POST' and restore['bytes'] > 0
    assert BULK_CREDS['office365UserPassword'] not in json.dumps(log)
    page = [r for r in log if r['path'].endswith('/organization/mailboxes')][0]
    assert page['query'] == {'limit': '10000'}
    api.control('DELETE', 'requests')
    assert api.control('GET', 'requests') == []


def test_latency_and_config_knobs(api):
    config = api.config(latency_ms=120)
    assert config['latency_ms'] == 120 and set(config) == {
        'latency_ms', 'token_lifetime', 'restore_delay_ms', 'export_size_bytes', 'pst_limit_scale',
        'outlook_installed', 'email_settings_configured', 'strict', 'device_code_lifetime',
        'primary_repository_lost', 'email_put_mode', 'restore_points_model', 'copy_points_job',
        'server_model'} | set(CHOICES)
    started = time.perf_counter()
    api.call('GET', '/v8/Organizations')
    assert time.perf_counter() - started >= 0.12
    answer = api.http.post(api.url + '/_sim/config', json={'latency': 1})
    assert answer.status_code == 400 and 'latency' in answer.json()['message']
    started = time.perf_counter()
    api.control('GET', 'health')  # the control API has no latency
    assert time.perf_counter() - started < 0.1


def test_reset_returns_to_the_seeded_state(api):
    session = api.explore(showDeleted=True)
    bob = api.mailbox(session, 'bob@contoso.onmicrosoft.com')
    api.restore(api.root(session) + '/mailboxes/restore', dict(BULK_CREDS, mailboxes=[{'id': bob['id']}]))
    api.config(outlook_installed=False)
    api.control('POST', 'faults', {'rules': [{'path': 'x', 'status': 500}]})
    seeded = len(api.production('user0001@tailspin.onmicrosoft.com'))
    api.control('POST', 'reset')
    assert api.control('GET', 'sessions') == [] and api.control('GET', 'faults') == []
    assert api.control('GET', 'requests') == [] and api.control('GET', 'config')['outlook_installed'] is True
    assert not [r for r in api.production('bob@contoso.onmicrosoft.com') if r['folder'] == 'Inbox/Invoices']
    assert seeded == 2 and api.control('GET', 'tokens')['live'] == 0
    api.error('GET', '/v8/Organizations', 401)  # tokens are gone too
    api.login()


def test_control_views(api):
    assert api.control('GET', 'health')['ok'] is True
    mailboxes = api.control('GET', 'mailboxes?organization=fabrikam.onmicrosoft.com')
    assert sorted(m['email'].split('@')[0] for m in mailboxes) == ['frank', 'gina', 'hank']
    assert len(api.control('GET', 'mailboxes')) == 13 + 3 + 50 + 2
    archive = api.production('alice@contoso.onmicrosoft.com', archive=True)
    assert len(archive) == 3 and len(api.production('alice@contoso.onmicrosoft.com')) > 40
    assert api.http.get(api.url + '/_sim/production/nobody@contoso.onmicrosoft.com').status_code == 404
    assert api.http.get(api.url + '/_sim/backup/nobody@contoso.onmicrosoft.com').status_code == 404
    assert api.http.get(api.url + '/_sim/nothing').status_code == 404


def test_keep_alive_one_connection_for_many_requests(api, sim):
    context = ssl.create_default_context(cafile=sim.ca_path)
    connection = http.client.HTTPSConnection('127.0.0.1', sim.port, context=context, timeout=10)
    headers = {'Authorization': 'Bearer ' + api.tokens['access_token']}
    sockets = set()
    for path in ('/v8/Organizations', '/v8/RestoreSessions', '/v8/Organizations/%s' % uuid.uuid4(), '/v8/Organizations'):
        connection.request('GET', path, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status in (200, 404) and response.getheader('Connection') != 'close'
        sockets.add(id(connection.sock))
    connection.close()
    assert len(sockets) == 1


def test_a_silent_client_does_not_block_the_others(api, sim):
    silent = socket.create_connection(('127.0.0.1', sim.port))  # connects, never says a word
    try:
        started = time.perf_counter()
        api.call('GET', '/v8/Organizations')
        assert time.perf_counter() - started < 2
    finally:
        silent.close()


def test_concurrent_clients(api):
    import concurrent.futures  # pylint: disable=import-outside-toplevel
    session = api.explore()

    def browse(_index):
        client = requests.Session()
        client.verify, client.trust_env = api.sim.ca_path, False
        client.headers['Authorization'] = api.http.headers['Authorization']
        pages = [client.get(api.url + api.root(session) + '/mailboxes', params={'offset': n, 'limit': 5}).status_code
                 for n in range(5)]
        client.close()
        return pages

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(browse, range(16)))
    assert all(codes == [200] * 5 for codes in results)


def test_a_lost_answer_is_served_but_never_sent(api):
    api.control('POST', 'faults', {'rules': [{'method': 'POST', 'path': '/explore$', 'lose_answer': True}]})
    with pytest.raises(requests.exceptions.ConnectionError):
        api.raw('POST', '/v8/Organizations/%s/explore' % api.org_id(), json={'type': 'Vex'}, timeout=10)
    sessions = api.control('GET', 'sessions')
    assert [s['state'] for s in sessions] == ['Working']
    assert [r['status'] for r in api.control('GET', 'requests') if r['path'].endswith('/explore')] == ['lost']


def test_stop_sessions_stops_every_working_explore_session(api):
    api.explore()
    api.control('POST', 'faults', {'rules': [{'method': 'GET', 'path': '^/v8/Organizations$', 'stop_sessions': True}]})
    api.call('GET', '/v8/Organizations')
    assert [s['state'] for s in api.control('GET', 'sessions')] == ['Stopped']


def test_delay_makes_a_short_client_time_out(api):
    api.control('POST', 'faults', {'rules': [{'method': 'GET', 'path': '^/v8/Organizations$', 'delay_ms': 600}]})
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.raw('GET', '/v8/Organizations', timeout=0.2)


def test_after_lets_the_first_matching_requests_through(api):
    api.control('POST', 'faults', {'rules': [{'method': 'GET', 'path': '^/v8/Organizations$', 'status': 503,
                                              'after': 1}]})
    api.call('GET', '/v8/Organizations')
    api.error('GET', '/v8/Organizations', 503)
    api.call('GET', '/v8/Organizations')
