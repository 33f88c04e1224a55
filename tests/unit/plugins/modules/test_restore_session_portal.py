# -*- coding: utf-8 -*-
"""Unit tests of restore_session for restore operators and tenant users: the calls it sends, the scope it
resolves, check mode, and the input refused before any request."""

from __future__ import annotations

import base64
import json

import pytest
import responses

from ansible_collections.vb365.restore.plugins.modules import restore_session

from unit_helpers import BASE, form_of, json_of, run_module, token_body

SESSION_ID = '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10'
ORG = {'id': '6b1e2b1c-0a8e-5d7f-9c1a-2f4e5d6c7b8a', 'name': 'contoso.onmicrosoft.com', 'type': 'Office365'}
BOB = {'type': 'User', 'id': 'u-bob', 'user': {'id': 'u-bob', 'displayName': 'Bob Jones',
                                               'name': 'bob@contoso.onmicrosoft.com', 'type': 'User'},
       '_links': {'self': {'href': '/v8/x'}}}
CHRIS = [{'type': 'User', 'id': 'u-%d' % n, 'user': {'id': 'u-%d' % n, 'displayName': 'Chris Taylor',
                                                     'name': 'chris%d@contoso.onmicrosoft.com' % n, 'type': 'User'}}
         for n in (1, 2)]
TEAM = {'type': 'Team', 'id': '5a0e4b9c-1d2e-4f3a-8b7c-6d5e4f3a2b1c', 'team': {
    'id': '5a0e4b9c-1d2e-4f3a-8b7c-6d5e4f3a2b1c', 'description': 'Finance', 'displayName': 'Finance Team',
    'mail': 'finance@contoso.onmicrosoft.com'}}
SCOPE = {'users': [BOB] + CHRIS, 'sites': [], 'teams': [TEAM]}


def jwt(**claims):
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b'=').decode()
    return 'eyJhbGciOiJSUzI1NiJ9.%s.c2ln' % body


ASSERTION = jwt(oid='oid-1', tid='tid-1', preferred_username='helpdesk@contoso.onmicrosoft.com')
OPERATOR = {'auth_method': 'operator', 'assertion': ASSERTION, 'username': None, 'password': None}


def session():
    return {'id': SESSION_ID, 'name': 'Restore Portal session', 'organization': 'contoso.onmicrosoft.com',
            'type': 'Vex', 'creationTime': '2026-11-23T01:00:00Z', 'state': 'Working', 'result': 'Success',
            'reason': 'INC-1', 'scopeName': 'bob@contoso.onmicrosoft.com'}


def signed_in(api):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, BASE + '/v8/Organization', json=ORG)


def test_operator_session_is_opened_with_the_scope_and_reason(api, capsys):
    signed_in(api)
    api.add(responses.GET, BASE + '/v8/Organization/LoggedInUser/EffectiveScope', json=SCOPE)
    api.add(responses.POST, BASE + '/v8/Organization/OperatorExplore', json=session(), status=201)
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)
    result = run_module(restore_session, dict(OPERATOR, scope='Bob Jones', reason='INC-1', show_deleted=True,
                                              point_in_time='2026-11-18'), capsys)
    assert result['changed'] is True and result['session']['scope_name'] == 'bob@contoso.onmicrosoft.com'
    assert result['scope'] == {'type': 'User', 'id': 'u-bob', 'name': 'bob@contoso.onmicrosoft.com'}
    assert form_of(api.calls[0]) == {'grant_type': 'operator', 'client_id': 'oid-1.tid-1', 'assertion': ASSERTION,
                                     'disable_antiforgery_token': 'true'}
    scope = dict(BOB)
    del scope['_links']
    assert json_of(api.calls[3]) == {'type': 'Vex', 'showDeleted': True, 'showAllVersions': False,
                                     'dateTime': '2026-11-18T23:59:59Z', 'scope': scope, 'reason': 'INC-1'}
    assert ASSERTION not in json.dumps(result)


def test_check_mode_resolves_the_team_and_opens_nothing(api, capsys):
    signed_in(api)
    api.add(responses.GET, BASE + '/v8/Organization/LoggedInUser/EffectiveScope', json=SCOPE)
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)
    result = run_module(restore_session, dict(OPERATOR, scope='FINANCE@contoso.onmicrosoft.com'), capsys,
                        check_mode=True)
    assert result['changed'] is True and 'session' not in result
    (planned,) = result['planned_requests']
    assert planned['path'] == '/v8/Organization/OperatorExplore' and planned['body']['scope']['id'] == TEAM['id']


@pytest.mark.parametrize('scope, words', [
    ('Chris Taylor', "scope: 'Chris Taylor' matches 2 objects of the restore operator's scope: User "
                     "chris1@contoso.onmicrosoft.com (u-1), User chris2@contoso.onmicrosoft.com (u-2)"),
    ('dave@contoso.onmicrosoft.com', "scope: 'dave@contoso.onmicrosoft.com' is not among the objects this restore "
                                     "operator may manage (User bob@contoso.onmicrosoft.com, User "),
])
def test_a_scope_that_is_not_one_managed_object_fails_before_opening(api, capsys, scope, words):
    signed_in(api)
    api.add(responses.GET, BASE + '/v8/Organization/LoggedInUser/EffectiveScope', json=SCOPE)
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)
    result = run_module(restore_session, dict(OPERATOR, scope=scope), capsys)
    assert result.failed and result['msg'].startswith(words)


def test_tenant_session_is_of_the_own_organization(api, capsys):
    api.add(responses.GET, BASE + '/v8/RestorePortalSettings', json={'applicationId': '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b'})
    signed_in(api)
    api.add(responses.POST, BASE + '/v8/Organization/Explore', json=session(), status=201)
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)
    result = run_module(restore_session, dict(OPERATOR, auth_method='tenant', organization='contoso.onmicrosoft.com'),
                        capsys)
    assert result['changed'] is True and result['organization']['name'] == 'contoso.onmicrosoft.com'
    assert form_of(api.calls[1])['grant_type'] == 'urn:ietf:params:oauth:grant-type:jwt-bearer'
    assert json_of(api.calls[3]) == {'type': 'Vex', 'showDeleted': False, 'showAllVersions': False}


def test_another_organization_is_refused_for_a_tenant(api, capsys):
    api.add(responses.GET, BASE + '/v8/RestorePortalSettings', json={'applicationId': '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b'})
    signed_in(api)
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)
    result = run_module(restore_session, dict(OPERATOR, auth_method='tenant', organization='fabrikam'), capsys)
    assert result.failed and result['msg'] == ("organization: 'fabrikam' is not the organization of the signed-in "
                                               "user (contoso.onmicrosoft.com)")


@pytest.mark.parametrize('args, words', [
    (dict(OPERATOR), 'scope: required with auth_method=operator'),
    (dict(OPERATOR, state='absent'), 'session_id: required with auth_method=operator to stop a session'),
    ({'organization': 'contoso', 'scope': 'bob'}, 'scope: only with auth_method=operator'),
    ({'organization': 'contoso', 'reason': 'INC-1'}, 'reason: only with auth_method=operator'),
    (dict(OPERATOR, assertion=None), 'assertion: required with auth_method=operator'),
    (dict(OPERATOR, assertion='not-a-token', scope='bob'), 'assertion: not a token from the Microsoft identity'),
])
def test_bad_input_fails_before_any_request(api, capsys, args, words):
    result = run_module(restore_session, args, capsys)
    assert result.failed and result['msg'].startswith(words)
    assert len(api.calls) == 0
