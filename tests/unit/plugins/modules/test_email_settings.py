# -*- coding: utf-8 -*-
"""Unit tests of email_settings: the exact calls, the full PUT body, the password rules, check mode and
diff, the two sign-in steps, and bad input refused before any request."""

from __future__ import annotations

import json

import pytest
import responses

from ansible_collections.vb365.restore.plugins.modules import email_settings

from unit_helpers import BASE, json_of, run_module, token_body

SETTINGS = BASE + '/v8/VexEmailSettings'
CURRENT = {'enableNotification': True, 'server': 'smtp.contoso.example', 'port': 587, 'from': 'restore@contoso.example',
           'useAuthentication': True, 'useSSL': True, 'username': 'restore@contoso.example',
           'authenticationType': 'CustomSmtp'}
PASSWORD = 'Smtp-Unit-Pa55!'


def opened(api, current=None):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, SETTINGS, json=current or CURRENT)


def done(api):
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)


def test_same_settings_and_a_password_change_nothing(api, capsys):
    opened(api)
    done(api)
    result = run_module(email_settings, {'smtp_server': 'smtp.contoso.example', 'smtp_port': 587,
                                         'smtp_password': PASSWORD}, capsys)
    assert result['changed'] is False and result['password_updated'] is False
    assert result['settings']['server'] == 'smtp.contoso.example'
    assert PASSWORD not in json.dumps(result)


def test_one_field_sends_the_whole_settings_with_the_password(api, capsys):
    opened(api)
    api.add(responses.PUT, SETTINGS, status=204)
    api.add(responses.GET, SETTINGS, json=dict(CURRENT, port=465))
    done(api)
    result = run_module(email_settings, {'smtp_port': 465, 'smtp_password': PASSWORD}, capsys)
    assert result['changed'] is True and result['password_updated'] is True and result['settings']['port'] == 465
    assert json_of(api.calls[2]) == {'enableNotification': True, 'server': 'smtp.contoso.example', 'port': 465,
                                     'from': 'restore@contoso.example', 'useAuthentication': True, 'useSSL': True,
                                     'username': 'restore@contoso.example', 'userPassword': PASSWORD}


@pytest.mark.parametrize('current, update, changed', [
    (CURRENT, 'on_create', False),
    (CURRENT, 'always', True),
    (dict(CURRENT, useAuthentication=False), 'on_create', True),  # authentication is being set up
])
def test_when_a_password_alone_is_a_change(api, capsys, current, update, changed):
    opened(api, current)
    done(api)
    result = run_module(email_settings, {'use_authentication': True, 'smtp_password': PASSWORD,
                                         'update_password': update, '_ansible_diff': True}, capsys, check_mode=True)
    assert result['changed'] is changed
    if changed:
        assert result['planned_requests'][0]['body']['userPassword'] == '********'
        assert result['diff']['after']['smtp_password'] == 'changed'
    assert PASSWORD not in json.dumps(result)


def test_authentication_without_a_user_name_is_refused(api, capsys):
    opened(api, dict(CURRENT, useAuthentication=False, username=''))
    done(api)
    result = run_module(email_settings, {'use_authentication': True}, capsys)
    assert result.failed and result['msg'].startswith('smtp_username: required with use_authentication')


@pytest.mark.parametrize('args, msg', [
    ({'smtp_port': 0}, 'smtp_port: must be 1 to 65535'),
    ({'sender': 'restore'}, "sender: 'restore' is not an email address"),
    ({'send_test_to': 'x'}, 'send_test_to: '),
    ({'oauth_prepare': {'client_id': 'a', 'client_secret': 'b', 'redirect_url': 'https://localhost'}},
     'oauth_prepare: tenant_id is required'),
])
def test_bad_input_is_refused_before_any_request(api, capsys, args, msg):
    result = run_module(email_settings, args, capsys)
    assert result.failed and result['msg'].startswith(msg) and len(api.calls) == 0


def test_test_message_after_the_settings(api, capsys):
    opened(api)
    api.add(responses.POST, SETTINGS + '/SendTestEmail', status=204)
    done(api)
    result = run_module(email_settings, {'send_test_to': 'helpdesk@contoso.example'}, capsys)
    assert result['changed'] is False and result['test_message'] == {'to': 'helpdesk@contoso.example', 'sent': True}
    assert json_of(api.calls[2]) == {'email': 'helpdesk@contoso.example'}


def test_sign_in_in_two_steps(api, capsys):
    opened(api)
    api.add(responses.POST, SETTINGS + '/PrepareOAuthSignIn',
            json={'requestId': 'req-1', 'signInUrl': 'https://login.example/authorize?state=s-1'})
    done(api)
    step_one = run_module(email_settings, {'oauth_prepare': {
        'client_id': 'app', 'client_secret': 'App-Secret-1', 'tenant_id': 'contoso.onmicrosoft.com',
        'redirect_url': 'https://localhost/signed-in'}}, capsys)
    assert step_one['changed'] is False and step_one['oauth']['sign_in_url'].endswith('state=s-1')
    assert json_of(api.calls[2]) == {'authenticationServiceKind': 'Microsoft365', 'clientId': 'app',
                                     'clientSecret': 'App-Secret-1', 'tenantId': 'contoso.onmicrosoft.com',
                                     'redirectUrl': 'https://localhost/signed-in'}
    assert 'App-Secret-1' not in json.dumps(step_one)

    opened(api)
    api.add(responses.POST, SETTINGS + '/CompleteOAuthSignIn', json={'requestId': 'req-1', 'userId': 'user-9'})
    api.add(responses.PUT, SETTINGS, status=204)
    api.add(responses.GET, SETTINGS, json=dict(CURRENT, authenticationType='Microsoft365', isAuthenticated=True,
                                               userId='user-9'))
    done(api)
    step_two = run_module(email_settings, {'oauth_complete': {'code': 'Code-123', 'state': 's-1'}}, capsys)
    assert step_two['changed'] is True and step_two['oauth'] == {'request_id': 'req-1', 'user_id': 'user-9'}
    put = json_of(api.calls[-3])
    assert put['requestId'] == 'req-1' and put['userId'] == 'user-9' and 'userPassword' not in put
    assert step_two['settings']['authentication_type'] == 'Microsoft365'
    assert 'Code-123' not in json.dumps(step_two)
