# -*- coding: utf-8 -*-
"""Unit tests of restore_device_code: the request it sends, what it returns, check mode, refusals."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.vb365.restore.plugins.modules import restore_device_code

from unit_helpers import BASE, json_of, run_module, token_body

SESSION_ID = '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10'
APP = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b'
CODE = {'userCode': 'F4KQ2RZ7M', 'verificationUrl': 'https://microsoft.com/devicelogin', 'expiresIn': 900,
        'message': 'To sign in, open https://microsoft.com/devicelogin and enter F4KQ2RZ7M.'}
PATH = BASE + '/v8/RestoreSessions/%s/organization/restoreDeviceCode' % SESSION_ID


def working_session(api):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % SESSION_ID, json={
        'id': SESSION_ID, 'type': 'Vex', 'creationTime': '2026-11-23T01:00:00Z', 'state': 'Working',
        'result': 'Success'})


def test_the_code_and_its_expiry_are_returned(api, capsys):
    working_session(api)
    api.add(responses.POST, PATH, json=CODE)
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)
    result = run_module(restore_device_code, {'session_id': SESSION_ID, 'target_application_id': APP,
                                              'target_region': 'Germany',
                                              'target_organization_name': 'fabrikam.onmicrosoft.com'}, capsys)
    assert json_of(api.calls[2]) == {'targetApplicationId': APP, 'targetRegion': 'Germany',
                                     'targetOrganizationName': 'fabrikam.onmicrosoft.com'}
    assert (result['user_code'], result['verification_url'], result['expires_in'], result['message']) == (
        'F4KQ2RZ7M', 'https://microsoft.com/devicelogin', 900, CODE['message'])
    assert result['expires_at'].endswith('Z') and result['changed'] is False


def test_check_mode_asks_for_no_code(api, capsys):
    working_session(api)
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)
    result = run_module(restore_device_code, {'session_id': SESSION_ID}, capsys, check_mode=True)
    assert result['planned_requests'] == [{'method': 'POST', 'path': PATH[len(BASE):], 'body': {},
                                           'description': 'obtain a device code for restore session %s' % SESSION_ID}]
    assert 'user_code' not in result


@pytest.mark.parametrize('args, words', [
    ({'session_id': 'not-a-session'}, "session_id: 'not-a-session' is not a restore session id"),
    ({'session_id': SESSION_ID, 'target_application_id': 'my-app'},
     "target_application_id: 'my-app' is not an application id"),
    ({'session_id': SESSION_ID, 'auth_method': 'operator', 'assertion': 'a.eyJvaWQiOiJvIiwidGlkIjoidCJ9.c'},
     'auth_method=operator: a restore operator needs no Exchange credentials'),
])
def test_bad_input_fails_before_any_request(api, capsys, args, words):
    result = run_module(restore_device_code, args, capsys)
    assert result.failed and result['msg'].startswith(words)
    assert len(api.calls) == 0
