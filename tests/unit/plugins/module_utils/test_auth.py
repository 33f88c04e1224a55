# -*- coding: utf-8 -*-
"""Unit tests of the sign-in methods: the form of each token grant, the assertion's claims, the anonymous
Restore Portal settings, re-sign-in when the refresh token is refused, and the device code flow (MSAL)."""

from __future__ import annotations

import base64
import json

import pytest
import responses

from ansible_collections.vb365.restore.plugins.module_utils import auth
from ansible_collections.vb365.restore.plugins.module_utils.auth import (
    JWT_BEARER,
    DeviceCodeSignIn,
    SignIn,
    jwt_claims,
    restore_portal_settings,
)
from ansible_collections.vb365.restore.plugins.module_utils.client import Vb365Client
from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365AuthenticationError,
    Vb365Error,
    Vb365ParameterError,
    Vb365TimeoutError,
)

from unit_helpers import BASE, form_of, spec_problems, token_body

APP = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b'
OID, TID = '11111111-aaaa-4bbb-8ccc-000000000001', '22222222-dddd-4eee-8fff-000000000002'
SETTINGS = {'applicationId': APP, 'msalAuthorityUri': 'https://login.example/organizations',
            'restorePortalUri': 'https://portal.example', 'isEnabled': True}


def jwt(**claims):
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b'=').decode()
    return '%s.%s.%s' % (part({'typ': 'JWT', 'alg': 'RS256'}), part(claims), 'c2lnbmF0dXJl')


ASSERTION = jwt(oid=OID, tid=TID, preferred_username='helpdesk@contoso.example', aud='api://%s' % APP)


def test_claims_are_read_from_the_payload():
    assert jwt_claims(ASSERTION)['oid'] == OID


@pytest.mark.parametrize('token, words', [
    ('not-a-jwt', 'three dot-separated parts'),
    ('a.%%%.c', 'cannot be read'),
    ('a.%s.c' % base64.urlsafe_b64encode(b'[1]').decode().rstrip('='), 'not a JSON object'),
])
def test_a_token_that_is_no_jwt_is_refused_naming_the_option(token, words):
    with pytest.raises(Vb365ParameterError, match='^assertion: .*' + words):
        jwt_claims(token)


def test_operator_needs_the_user_and_tenant_of_the_assertion():
    with pytest.raises(Vb365ParameterError, match='assertion: the token has no tid claim'):
        SignIn('operator', assertion=jwt(oid=OID))


@pytest.mark.parametrize('kwargs, words', [
    ({'method': 'password', 'username': 'u'}, '^password: required with auth_method=password'),
    ({'method': 'password'}, '^username and password: required'),
    ({'method': 'operator'}, '^assertion: required with auth_method=operator'),
    ({'method': 'tenant'}, '^assertion: required with auth_method=tenant'),
    ({'method': 'kerberos'}, '^auth_method: '),
])
def test_incomplete_input_is_refused_before_any_request(kwargs, words):
    with pytest.raises(Vb365ParameterError, match=words):
        SignIn(**kwargs)


@responses.activate
def test_operator_form_has_exactly_the_documented_fields():
    form = SignIn('operator', assertion=ASSERTION).token_form(Vb365Client('vb365.test', None, None))
    assert form == {'grant_type': 'operator', 'client_id': '%s.%s' % (OID, TID), 'assertion': ASSERTION,
                    'disable_antiforgery_token': 'true'}
    assert len(responses.calls) == 0  # the operator needs no Restore Portal settings


@responses.activate
def test_tenant_form_takes_the_restore_portal_application_anonymously():
    responses.add(responses.GET, BASE + '/v8/RestorePortalSettings', json=SETTINGS)
    client = Vb365Client('vb365.test', None, None)
    client.session.headers['Authorization'] = 'Bearer stale'
    form = SignIn('tenant', assertion=ASSERTION).token_form(client)
    assert form == {'grant_type': JWT_BEARER, 'client_id': APP, 'assertion': ASSERTION,
                    'disable_antiforgery_token': 'true'}
    (call,) = responses.calls
    assert 'Authorization' not in call.request.headers and spec_problems(responses.calls) == []
    given = SignIn('tenant', assertion=ASSERTION, application_id='app-given').token_form(client)
    assert given['client_id'] == 'app-given' and len(responses.calls) == 1


@responses.activate
def test_restore_portal_settings_errors_carry_the_server_message():
    responses.add(responses.GET, BASE + '/v8/RestorePortalSettings', status=500,
                  json={'message': 'Restore Portal is not configured', 'errorCode': 'HttpError', 'stackTrace': None})
    with pytest.raises(Vb365Error, match='Restore Portal is not configured'):
        restore_portal_settings(Vb365Client('vb365.test', None, None))


@responses.activate
def test_client_signs_in_again_the_same_way_when_the_refresh_is_refused():
    sign_in = SignIn('operator', assertion=ASSERTION)
    client = Vb365Client('vb365.test', sign_in.label, None, auth=sign_in)
    responses.add(responses.POST, BASE + '/v8/token', json=token_body('a1', 'r1'))
    responses.add(responses.GET, BASE + '/v8/Organization', status=401)
    responses.add(responses.POST, BASE + '/v8/token', status=400,
                  json={'message': 'refresh token expired', 'errorCode': 'ResourceAccessDenied', 'stackTrace': None})
    responses.add(responses.POST, BASE + '/v8/token', json=token_body('a2', 'r2'))
    responses.add(responses.GET, BASE + '/v8/Organization', json={'id': 'x', 'name': 'contoso'})
    assert client.get('/Organization')['name'] == 'contoso'
    grants = [form_of(c)['grant_type'] for c in responses.calls if c.request.url.endswith('/v8/token')]
    assert grants == ['operator', 'refresh_token', 'operator']
    assert form_of(responses.calls[3])['assertion'] == ASSERTION
    assert responses.calls[4].request.headers['Authorization'] == 'Bearer a2'
    assert spec_problems(responses.calls) == []


@responses.activate
def test_a_refused_operator_sign_in_names_who_and_never_the_assertion():
    sign_in = SignIn('operator', assertion=ASSERTION)
    client = Vb365Client('vb365.test', sign_in.label, None, auth=sign_in)
    responses.add(responses.POST, BASE + '/v8/token', status=400,
                  json={'message': 'bad assertion %s' % ASSERTION, 'errorCode': 'ResourceAccessDenied',
                        'stackTrace': None})
    with pytest.raises(Vb365AuthenticationError) as caught:
        client.get('/Organization')
    assert 'as restore operator helpdesk@contoso.example refused' in caught.value.msg
    assert ASSERTION not in caught.value.msg and '********' in caught.value.msg


class FakeApp:
    """Stands in for msal.PublicClientApplication: records what the flow asked, answers as told."""

    made = []

    def __init__(self, client_id, authority=None, http_client=None, timeout=None, instance_discovery=None,
                 validate_authority=None):
        self.client_id, self.authority = client_id, authority
        self.options = {'instance_discovery': instance_discovery, 'validate_authority': validate_authority,
                        'verify': getattr(http_client, '_verify', None)}
        self.flow_answer = {'user_code': 'ABC123', 'device_code': 'secret-device', 'verification_uri': 'https://x/dl',
                            'expires_in': 900, 'expires_at': 2e9, 'message': 'Open https://x/dl, enter ABC123'}
        self.token_answer = {'access_token': ASSERTION}
        self.waited = None
        FakeApp.made.append(self)

    def initiate_device_flow(self, scopes=None):
        self.scopes = scopes
        return dict(self.flow_answer)

    def acquire_token_by_device_flow(self, flow):
        self.waited = flow
        return self.token_answer


class FakeMsal:
    PublicClientApplication = FakeApp


def test_device_code_flow_asks_for_the_restore_portal_permission_and_bounds_the_wait():
    flow = DeviceCodeSignIn(APP, SETTINGS['msalAuthorityUri'], verify='/ca.pem', msal_module=FakeMsal)
    app = FakeApp.made[-1]
    assert app.options == {'instance_discovery': False, 'validate_authority': False, 'verify': '/ca.pem'}
    shown = flow.start()
    assert shown == {'user_code': 'ABC123', 'verification_uri': 'https://x/dl', 'expires_in': 900,
                     'message': 'Open https://x/dl, enter ABC123'}
    assert 'secret-device' not in json.dumps(shown)
    assert app.scopes == ['api://%s/access_as_user' % APP]
    assert flow.wait(120, clock=lambda: 1000.0) == ASSERTION
    assert app.waited['expires_at'] == 1120.0


@pytest.mark.parametrize('answer, error, words', [
    ({'error': 'authorization_pending'}, Vb365TimeoutError, 'nobody signed in with the device code within 5 s'),
    ({'error': 'expired_token'}, Vb365AuthenticationError, 'the device code expired'),
    ({'error': 'access_denied', 'error_description': 'the user declined'}, Vb365AuthenticationError,
     'refused the sign-in: the user declined'),
])
def test_device_code_flow_failures_say_why(answer, error, words):
    flow = DeviceCodeSignIn(APP, SETTINGS['msalAuthorityUri'], msal_module=FakeMsal)
    FakeApp.made[-1].token_answer = answer
    flow.start()
    with pytest.raises(error, match=words):
        flow.wait(5)


def test_missing_msal_names_the_package(monkeypatch):
    monkeypatch.setattr(auth, 'msal', None)
    with pytest.raises(Vb365Error, match=r'needs the Python library msal .*pip install "msal >= 1.28"'):
        DeviceCodeSignIn(APP, SETTINGS['msalAuthorityUri'])


def test_no_restore_portal_application_is_a_clear_error():
    with pytest.raises(Vb365AuthenticationError, match='is Restore Portal configured'):
        DeviceCodeSignIn(None, None, msal_module=FakeMsal)
