# -*- coding: utf-8 -*-
"""Unit tests of restore_session: the exact calls it sends, reuse through the ledger, check mode, errors."""

from __future__ import annotations

import json

import pytest
import responses

from ansible_collections.vb365.restore.plugins.modules import restore_session

from unit_helpers import BASE, CONNECTION, json_of, run_module, token_body

ORG_ID = '6b1e2b1c-0a8e-5d7f-9c1a-2f4e5d6c7b8a'
SESSION_ID = '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10'
ORGS = {'offset': 0, 'limit': 10000, 'results': [
    {'id': ORG_ID, 'name': 'contoso.onmicrosoft.com', 'officeName': 'contoso', 'type': 'Office365'},
    {'id': '7c2f3c2d-1b9f-4e80-8d2b-3a5f6e7d8c9b', 'name': 'fabrikam.onmicrosoft.com', 'type': 'Office365'},
]}

POINTS = {'offset': 0, 'limit': 10000, 'results': [
    {'id': 'rp-1', 'backupTime': '2026-11-16T22:00:00Z', 'organizationId': ORG_ID, 'isExchange': True},
]}


def session(state='Working'):
    return {'id': SESSION_ID, 'name': 'Exchange restore', 'organization': 'contoso.onmicrosoft.com', 'type': 'Vex',
            'creationTime': '2026-11-23T01:00:00Z', 'state': state, 'result': 'Success'}


@pytest.fixture
def ledger(tmp_path):
    return str(tmp_path / 'ledger' / 'sessions.json')


def login(api):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())


def logout(api):
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)


def test_open_sends_explore_and_records_it(api, capsys, ledger):
    login(api)
    api.add(responses.GET, BASE + '/v8/Organizations', json=ORGS)
    api.add(responses.GET, BASE + '/v8/RestorePoints', json=POINTS)
    api.add(responses.POST, BASE + '/v8/Organizations/%s/explore' % ORG_ID, json=session(), status=201)
    logout(api)
    result = run_module(restore_session, {'organization': 'Contoso.onmicrosoft.com', 'point_in_time': '2026-11-17',
                                          'show_deleted': True, 'ledger_path': ledger, 'run_id': 'nightly-1'},
                        capsys)
    assert result['changed'] is True and result['reused'] is False
    assert result['session']['id'] == SESSION_ID and result['session']['state'] == 'Working'
    assert api.calls[2].request.params == {'organizationId': ORG_ID, 'orderAsc': 'false', 'offset': '0',
                                           'limit': '10000'}
    assert json_of(api.calls[3]) == {'type': 'Vex', 'showDeleted': True, 'showAllVersions': False,
                                     'dateTime': '2026-11-17T23:59:59Z'}
    assert [(e['session'], e['run']) for e in json.load(open(ledger)).values()] == [(SESSION_ID, 'run:nightly-1')]


def test_second_run_reuses_the_working_session(api, capsys, ledger):
    login(api)
    api.add(responses.GET, BASE + '/v8/Organizations', json=ORGS)
    api.add(responses.POST, BASE + '/v8/Organizations/%s/explore' % ORG_ID, json=session(), status=201)
    logout(api)
    args = {'organization': 'contoso.onmicrosoft.com', 'ledger_path': ledger, 'run_id': 'nightly-1'}
    run_module(restore_session, args, capsys)
    login(api)
    api.add(responses.GET, BASE + '/v8/Organizations', json=ORGS)
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % SESSION_ID, json=session())
    logout(api)
    result = run_module(restore_session, args, capsys)
    assert result['changed'] is False and result['reused'] is True
    assert [c.request.method for c in api.calls].count('POST') == 5  # 2 logins, 1 explore, 2 logouts


def test_stopped_session_in_ledger_opens_a_new_one(api, capsys, ledger):
    args = {'organization': 'contoso.onmicrosoft.com', 'ledger_path': ledger, 'run_id': 'nightly-1'}
    login(api)
    api.add(responses.GET, BASE + '/v8/Organizations', json=ORGS)
    api.add(responses.POST, BASE + '/v8/Organizations/%s/explore' % ORG_ID, json=session(), status=201)
    logout(api)
    run_module(restore_session, args, capsys)
    login(api)
    api.add(responses.GET, BASE + '/v8/Organizations', json=ORGS)
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % SESSION_ID, json=session('Stopped'))
    api.add(responses.POST, BASE + '/v8/Organizations/%s/explore' % ORG_ID, json=session(), status=201)
    logout(api)
    assert run_module(restore_session, args, capsys)['changed'] is True


def test_check_mode_resolves_but_sends_no_explore(api, capsys, ledger):
    login(api)
    api.add(responses.GET, BASE + '/v8/Organizations', json=ORGS)
    logout(api)
    result = run_module(restore_session, {'organization': 'contoso.onmicrosoft.com', 'ledger_path': ledger},
                        capsys, check_mode=True)
    assert result['changed'] is True
    assert result['planned_requests'] == [{'method': 'POST', 'path': '/v8/Organizations/%s/explore' % ORG_ID,
                                           'body': {'type': 'Vex', 'showDeleted': False, 'showAllVersions': False},
                                           'description': 'open an Exchange restore session of contoso.onmicrosoft.com'}]


def test_absent_stops_by_id(api, capsys, ledger):
    login(api)
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % SESSION_ID, json=session())
    api.add(responses.POST, BASE + '/v8/RestoreSessions/%s/Stop' % SESSION_ID, status=204)
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % SESSION_ID, json=session('Stopped'))
    logout(api)
    result = run_module(restore_session, {'state': 'absent', 'session_id': SESSION_ID, 'ledger_path': ledger}, capsys)
    assert result['changed'] is True and result['session']['state'] == 'Stopped'


def test_absent_on_stopped_session_changes_nothing(api, capsys, ledger):
    login(api)
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % SESSION_ID, json=session('Stopped'))
    logout(api)
    result = run_module(restore_session, {'state': 'absent', 'session_id': SESSION_ID, 'ledger_path': ledger}, capsys)
    assert result['changed'] is False


def test_unknown_organization_lists_candidates(api, capsys, ledger):
    login(api)
    api.add(responses.GET, BASE + '/v8/Organizations', json=ORGS)
    logout(api)
    result = run_module(restore_session, {'organization': 'northwind', 'ledger_path': ledger}, capsys)
    assert result.failed
    assert "organization: no organization 'northwind'" in result['msg']
    assert 'contoso.onmicrosoft.com' in result['msg'] and 'fabrikam.onmicrosoft.com' in result['msg']


@pytest.mark.parametrize('value', ['yesterday', '2026-13-01', '2026-11-17 25:00'])
def test_bad_point_in_time_fails_before_any_request(api, capsys, ledger, value):
    result = run_module(restore_session, {'organization': 'contoso.onmicrosoft.com', 'point_in_time': value,
                                          'ledger_path': ledger}, capsys)
    assert result.failed and result['msg'].startswith('point_in_time:')
    assert len(api.calls) == 0


def test_password_never_in_failure_output(api, capsys, ledger):
    api.add(responses.POST, BASE + '/v8/token', status=400,
            json={'message': 'Invalid user name or password: %s' % CONNECTION['password']})
    result = run_module(restore_session, {'organization': 'contoso.onmicrosoft.com', 'ledger_path': ledger}, capsys)
    assert result.failed and 'refused' in result['msg']
    assert CONNECTION['password'] not in json.dumps(result)


def test_bad_server_value_names_the_option(api, capsys, ledger):
    result = run_module(restore_session, {'server': 'https://host/api/x', 'organization': 'c', 'ledger_path': ledger},
                        capsys)
    assert result.failed and result['msg'].startswith('server:')
