"""Tokens: login, refresh, expiry, logout, and what the simulator counts."""

from __future__ import annotations

import requests

from simhelpers import PASSWORD, USER


def login_form(password=PASSWORD, user=USER):
    return {'grant_type': 'password', 'username': user, 'password': password, 'disable_antiforgery_token': 'true'}


def test_login_answers_an_oauth_token_response(api):
    tokens = api.login()
    assert {'access_token', 'refresh_token', 'token_type', 'expires_in', '.issued', '.expires'} <= set(tokens)
    assert tokens['expires_in'] == 3600 and tokens['token_type'] == 'bearer' and tokens['userName'] == USER
    assert api.control('GET', 'tokens')['logins'] == 2  # the fixture's and this one


def test_wrong_credentials_are_400_and_never_echoed(api):
    http = requests.Session()
    for form in (login_form('Wrong-Secret-123'), login_form(user='nobody')):
        answer = http.post(api.url + '/v8/token', data=form, verify=api.sim.ca_path)
        assert answer.status_code == 400
        body = answer.json()
        assert 'Invalid user name or password' in body['message'] and 'Wrong-Secret-123' not in answer.text
        assert set(body) == {'message', 'errorCode', 'stackTrace'}
    logged = [r for r in api.control('GET', 'requests') if r['path'] == '/v8/token']
    assert all(r['body']['password'] == '********' for r in logged)
    assert PASSWORD not in str(api.control('GET', 'requests'))
    assert api.control('GET', 'tokens')['failed_logins'] == 2


def test_missing_unknown_or_malformed_bearer_is_401(api):
    for headers in ({}, {'Authorization': 'Bearer forged'}, {'Authorization': 'Basic eDp5'}):
        answer = requests.get(api.url + '/v8/Organizations', headers=headers, verify=api.sim.ca_path)
        assert answer.status_code == 401 and answer.json()['errorCode'] == 'ResourceAccessDenied'


def test_refresh_gives_a_new_pair_and_spends_the_old_refresh_token(api):
    first = api.tokens
    form = {'grant_type': 'refresh_token', 'refresh_token': first['refresh_token'], 'disable_antiforgery_token': 'true'}
    fresh = api.call('POST', '/v8/token', data=form)
    assert fresh['access_token'] != first['access_token'] and fresh['refresh_token'] != first['refresh_token']
    assert api.error('POST', '/v8/token', 400, data=form)['message'].startswith('The refresh token')
    api.http.headers['Authorization'] = 'Bearer ' + fresh['access_token']
    api.call('GET', '/v8/Organizations')
    counts = api.control('GET', 'tokens')
    assert counts['refreshes'] == 1 and 'access_token' not in str(counts)


def test_tokens_expire_after_the_lifetime_knob(api):
    api.config(token_lifetime=0)
    tokens = api.login()
    assert tokens['expires_in'] == 0
    body = api.error('GET', '/v8/Organizations', 401)
    assert 'expired' in body['message']
    form = {'grant_type': 'refresh_token', 'refresh_token': tokens['refresh_token'], 'disable_antiforgery_token': 'true'}
    refreshed = api.call('POST', '/v8/token', data=form)
    assert refreshed['expires_in'] == 0  # a refresh still works; the new token expires as fast


def test_logout_revokes_the_access_and_refresh_token(api):
    refresh = api.tokens['refresh_token']
    api.call('POST', '/v8/token/logout', expect=204)
    api.error('GET', '/v8/Organizations', 401)
    api.error('POST', '/v8/token', 400,
              data={'grant_type': 'refresh_token', 'refresh_token': refresh, 'disable_antiforgery_token': 'true'})
    counts = api.control('GET', 'tokens')
    assert counts['logouts'] == 1 and counts['live'] == 0


def test_an_expire_token_fault_answers_401_once(api):
    api.control('POST', 'faults', {'rules': [{'path': '^/v8/Organizations$', 'expire_token': True, 'times': 1}]})
    assert 'expired' in api.error('GET', '/v8/Organizations', 401)['message']
    api.call('GET', '/v8/Organizations')


def test_a_grant_without_disable_antiforgery_token_is_refused(api):
    """Outside a browser there is no antiforgery cookie: the refresh grant needs the field as the password grant does."""
    form = {'grant_type': 'refresh_token', 'refresh_token': api.tokens['refresh_token']}
    assert 'antiforgery' in api.error('POST', '/v8/token', 400, data=form)['message']
    fresh = api.call('POST', '/v8/token', data=dict(form, disable_antiforgery_token='true'))
    assert fresh['access_token']
