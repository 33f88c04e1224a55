"""Restore operators, tenants and device codes in the simulator: grants, scoped sessions, refusals."""

from __future__ import annotations

import requests

from simhelpers import CONTOSO, CREDS

HELPDESK = 'helpdesk@contoso.onmicrosoft.com'
JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'


def bearer_session(api, tokens):
    http = requests.Session()
    http.verify = api.sim.ca_path
    http.trust_env = False
    http.headers['Authorization'] = 'Bearer ' + tokens['access_token']
    return http


def sign_in(api, user, grant='operator', client_id=None, application_id=None):
    """(answer of POST /v8/token, the Microsoft token) for ``user`` with the given grant."""
    issued = api.control('POST', 'identity/assertion', {'user': user, 'application_id': application_id})
    if client_id is None:
        client_id = '%s.%s' % (issued['oid'], issued['tid']) if grant == 'operator' else (
            application_id or api.control('GET', 'identity')['restore_portal_application_id'])
    answer = api.raw('POST', '/v8/token', data={'grant_type': grant, 'client_id': client_id,
                                                'assertion': issued['assertion'], 'disable_antiforgery_token': 'true'},
                     headers={'Authorization': None})
    return answer, issued


def as_user(api, user, grant='operator'):
    answer = sign_in(api, user, grant)[0]
    assert answer.status_code == 200, answer.text
    return bearer_session(api, answer.json())


def test_restore_portal_settings_need_no_token(api):
    answer = requests.get(api.url + '/v8/RestorePortalSettings', verify=api.sim.ca_path)
    assert answer.status_code == 200
    settings = answer.json()
    assert settings['isEnabled'] is True and settings['msalAuthorityUri'].startswith(api.url + '/identity/')
    assert settings['applicationId'] == api.control('GET', 'identity')['restore_portal_application_id']


def test_operator_grant_checks_client_id_and_assertion(api):
    answer, issued = sign_in(api, HELPDESK)
    assert answer.status_code == 200 and answer.json()['userName'] == HELPDESK
    wrong = sign_in(api, HELPDESK, client_id='%s.%s' % (issued['tid'], issued['oid']))[0]
    assert wrong.status_code == 400 and 'client_id' in wrong.json()['message']
    forged = api.raw('POST', '/v8/token', data={'grant_type': 'operator', 'client_id': 'a.b',
                                                'assertion': issued['assertion'][:-4] + 'AAAA',
                                                'disable_antiforgery_token': 'true'})
    assert forged.status_code == 400 and 'assertion' in forged.json()['message']
    assert api.control('GET', 'tokens')['failed_logins'] == 2


def test_tenant_grant_needs_the_application_of_the_assertion(api):
    answer = sign_in(api, 'dave@contoso.onmicrosoft.com', grant=JWT_BEARER)[0]
    assert answer.status_code == 200
    other = sign_in(api, 'dave@contoso.onmicrosoft.com', grant=JWT_BEARER,
                    client_id='00000000-0000-0000-0000-000000000001')[0]
    assert other.status_code == 400 and 'client_id' in other.json()['message']


def test_operator_session_is_limited_to_its_scope(api):
    http = as_user(api, HELPDESK)
    me = http.get(api.url + '/v8/Organization/LoggedInUser').json()
    assert me['name'] == HELPDESK
    assert http.get(api.url + '/v8/Organization/LoggedInUser/OperatorInfo').json() == {'isOperator': True}
    scope = http.get(api.url + '/v8/Organization/LoggedInUser/EffectiveScope').json()
    assert sorted(u['user']['name'] for u in scope['users']) == [
        'alice@contoso.onmicrosoft.com', 'bob@contoso.onmicrosoft.com', 'carol@contoso.onmicrosoft.com']
    bob = [u for u in scope['users'] if u['user']['name'].startswith('bob@')][0]
    answer = http.post(api.url + '/v8/Organization/OperatorExplore',
                       json={'type': 'Vex', 'showDeleted': True, 'scope': bob, 'reason': 'Ticket 1'})
    assert answer.status_code == 201, answer.text
    session = answer.json()
    assert session['reason'] == 'Ticket 1' and session['scopeName'] == 'bob@contoso.onmicrosoft.com'
    root = api.url + '/v8/RestoreSessions/%s/organization' % session['id']
    listed = http.get(root + '/mailboxes', params={'limit': 100}).json()['results']
    assert [m['email'] for m in listed] == ['bob@contoso.onmicrosoft.com']
    carol = api.mailbox(api.explore(), 'carol@contoso.onmicrosoft.com')
    assert http.get(root + '/mailboxes/%s' % carol['id']).status_code == 404
    refused = http.post(root + '/mailboxes/%s/items/operatorRestore' % carol['id'], json={'items': [{'id': 'x'}]})
    assert refused.status_code == 403 and 'outside the scope' in refused.json()['message']
    items = http.get(root + '/mailboxes/%s/items' % listed[0]['id'], params={'limit': 5}).json()['results']
    for action, body in (('restoreTo', dict(CREDS, mailbox='dave@contoso.onmicrosoft.com')),
                         ('exportToPst', {})):
        answer = http.post(root + '/mailboxes/%s/items/%s' % (listed[0]['id'], action),
                           json=dict(body, items=[{'id': items[0]['id']}]))
        assert answer.status_code == 403 and 'operatorRestore' in answer.json()['message']
    assert http.get(api.url + '/v8/Organizations').status_code == 403
    stop = http.post(api.url + '/v8/RestoreSessions/%s/Stop' % session['id'])
    assert stop.status_code == 204


def test_operator_scope_outside_effective_scope_is_refused(api):
    http = as_user(api, HELPDESK)
    answer = http.post(api.url + '/v8/Organization/OperatorExplore',
                       json={'type': 'Vex', 'scope': {'type': 'User', 'id': 'not-managed'}, 'reason': 'r'})
    assert answer.status_code == 403
    plain = as_user(api, 'dave@contoso.onmicrosoft.com')
    assert plain.get(api.url + '/v8/Organization/LoggedInUser/OperatorInfo').json() == {'isOperator': False}
    answer = plain.post(api.url + '/v8/Organization/OperatorExplore', json={'type': 'Vex', 'reason': 'r'})
    assert answer.status_code == 403 and 'not a restore operator' in answer.json()['message']


def test_operator_restore_only_in_operator_sessions(api):
    session = api.explore()
    carol = api.mailbox(session, 'carol@contoso.onmicrosoft.com')
    body = api.error('POST', '/v8/RestoreSessions/%s/organization/mailboxes/%s/items/operatorRestore'
                     % (session['id'], carol['id']), 403, json={'items': [{'id': 'x'}]})
    assert 'OperatorExplore' in body['message']
    assert api.error('GET', '/v8/Organization', 403)['errorCode'] == 'ResourceAccessDenied'


def test_tenant_session_and_sessions_of_others(api):
    http = as_user(api, 'dave@contoso.onmicrosoft.com', grant=JWT_BEARER)
    org = http.get(api.url + '/v8/Organization').json()
    assert org['name'] == CONTOSO
    answer = http.post(api.url + '/v8/Organization/Explore', json={'type': 'Vex'})
    assert answer.status_code == 201 and answer.json()['initiatedBy'] == 'dave@contoso.onmicrosoft.com'
    mine = answer.json()['id']
    theirs = api.explore()['id']
    assert http.get(api.url + '/v8/RestoreSessions/%s' % theirs).status_code == 404
    assert http.get(api.url + '/v8/RestoreSessions/%s' % mine).status_code == 200
    assert api.call('GET', '/v8/RestoreSessions/%s' % mine)['id'] == mine  # the administrator sees it


def test_restore_device_code_signed_in_or_expired(api):
    session = api.explore()
    root = '/v8/RestoreSessions/%s/organization' % session['id']
    code = api.call('POST', root + '/restoreDeviceCode', json={'targetRegion': 'Worldwide'})
    assert set(code) == {'userCode', 'verificationUrl', 'expiresIn', 'message'} and code['expiresIn'] > 800
    bob = api.mailbox(session, 'bob@contoso.onmicrosoft.com')
    restore = root + '/mailboxes/%s/restore' % bob['id']
    body = api.error('POST', restore, 400, json={'userCode': code['userCode']})
    assert 'nobody has signed in' in body['message']
    api.control('POST', 'identity/signin', {'user_code': code['userCode'], 'user': 'alice@contoso.onmicrosoft.com'})
    assert api.call('POST', restore, json={'userCode': code['userCode']})['sessionId']
    expired = api.call('POST', root + '/restoreDeviceCode', json={})
    api.control('POST', 'identity/expire', {'user_code': expired['userCode']})
    assert 'expired' in api.error('POST', restore, 400, json={'userCode': expired['userCode']})['message']
    (logged,) = [r for r in api.control('GET', 'requests') if r['path'].endswith('/restore') and r['status'] == 200]
    assert logged['body'] == {'userCode': '********'}
