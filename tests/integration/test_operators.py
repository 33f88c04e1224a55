"""Restore operators and tenant users through ansible-playbook: each sign-in method and the token request it
sends, the device code sign-in with the person's step played by the test, scoped sessions, the operator
restore landing in the scoped user's mailbox, refusals, device codes for Exchange credentials, and secrets
never shown."""

from __future__ import annotations

import time

import pytest

from harness import assert_not_shown, session_play
from portal_support import Person

HELPDESK = 'helpdesk@contoso.onmicrosoft.com'
BOB = 'bob@contoso.onmicrosoft.com'
CAROL = 'carol@contoso.onmicrosoft.com'
JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

OPERATOR_TASKS = '''        - name: Find
          vb365.restore.item_info:
            session_id: "{{ rs.session.id }}"
            mailbox: %(mailbox)s
            query: "subject:invoice"
          register: found
        - name: Act
          vb365.restore.item_restore:
            session_id: "{{ rs.session.id }}"
            mailbox: %(mailbox)s
            items: "{{ found.mail_items | map(attribute='id') | list }}"
            action: operator_restore
            reason: %(reason)s
            target: {folder: Recovered by operator}
          register: acted
        - name: Follow
          vb365.restore.restore_session_info:
            session_id: "{{ acted.restore.session_id }}"
'''


def operator_play(scope, mailbox, reason):
    """A play that opens a Restore Portal session of the backup of 18 November, scoped to ``scope`` with the
    ``reason``, finds the invoices of ``mailbox`` in it, restores them as the operator, and follows the restore."""
    return session_play(OPERATOR_TASKS % {'mailbox': mailbox, 'reason': reason},
                        {'scope': scope, 'reason': reason, 'point_in_time': '2026-11-18', 'show_deleted': True})


def assertion_for(sim_api, user=HELPDESK, **extra):
    return sim_api.post('identity/assertion', dict(extra, user=user))


def operator_env(issued, method='operator'):
    return {'VB365_AUTH_METHOD': method, 'VB365_ASSERTION': issued['assertion']}


def token_posts(sim_api):
    return [r for r in sim_api.get('requests') if r['method'] == 'POST' and r['path'] == '/v8/token']


def test_operator_restore_lands_in_the_scoped_mailbox(runner, sim_api):
    issued = assertion_for(sim_api)
    before, carol_before = sim_api.production(BOB), sim_api.production(CAROL)
    run = runner.run(operator_play(BOB, BOB, 'INC-4711'),
                     env=operator_env(issued), unset=('VB365_USERNAME', 'VB365_PASSWORD'), verbosity=4)
    assert_not_shown(issued['assertion'], run)
    # Each module signs in with exactly the documented fields of the operator grant.
    logins = token_posts(sim_api)
    assert logins and all(r['body'] == {'grant_type': 'operator', 'client_id': '%s.%s' % (issued['oid'], issued['tid']),
                                        'assertion': '********', 'disable_antiforgery_token': 'true'}
                          for r in logins)
    opened = run.result('Open')
    assert opened['changed'] is True and opened['scope']['name'] == BOB and opened['scope']['type'] == 'User'
    (explore,) = [r for r in sim_api.get('requests') if r['path'] == '/v8/Organization/OperatorExplore']
    assert explore['body']['reason'] == 'INC-4711' and explore['body']['scope']['id'] == issued_user_id(sim_api, BOB)
    assert explore['body']['showDeleted'] is True and explore['body']['dateTime'] == '2026-11-18T23:59:59Z'
    session = [s for s in sim_api.get('sessions') if s['id'] == opened['session']['id']][0]
    assert session['reason'] == 'INC-4711' and session['scopeName'] == BOB and session['state'] == 'Stopped'
    result = run.result('Act')
    assert result['count'] == 8 and result['restore']['status'] == 'Success'
    (followed,) = run.result('Follow')['sessions']
    assert followed['reason'] == 'INC-4711' and followed['initiated_by'] == HELPDESK and followed['state'] == 'Stopped'
    assert len([i for i in followed['statistics']['items'] if i['name'].startswith('Invoice')]) == 8
    landed = [r for r in sim_api.production(BOB) if r not in before]
    assert len(landed) == 8 and all(r['folder'].startswith('Recovered by operator/') for r in landed)
    # Nothing outside the scope was touched, no administrator resource was used.
    assert sim_api.production(CAROL) == carol_before
    assert not [r for r in sim_api.get('requests') if r['path'].startswith('/v8/Organizations')]


def issued_user_id(sim_api, email):
    return sim_api.post('identity/assertion', {'user': email})['oid']


def test_tenant_sign_in_opens_an_organization_session(runner, sim_api):
    issued = assertion_for(sim_api, 'dave@contoso.onmicrosoft.com')
    app = sim_api.get('identity')['restore_portal_application_id']
    run = runner.run('''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
      register: rs
    - name: Mailboxes
      vb365.restore.mailbox_info:
        session_id: "{{ rs.session.id }}"
    - name: Stop
      vb365.restore.restore_session:
        session_id: "{{ rs.session.id }}"
        state: absent
''', env=operator_env(issued, 'tenant'), verbosity=4)
    assert_not_shown(issued['assertion'], run)
    logins = token_posts(sim_api)
    assert logins and all(r['body'] == {'grant_type': JWT_BEARER, 'client_id': app, 'assertion': '********',
                                        'disable_antiforgery_token': 'true'} for r in logins)
    (settings,) = {r['path'] for r in sim_api.get('requests') if 'RestorePortalSettings' in r['path']}
    assert settings == '/v8/RestorePortalSettings'
    assert [r['path'] for r in sim_api.get('requests') if 'Explore' in r['path']] == ['/v8/Organization/Explore']
    assert run.result('Open')['session']['initiated_by'] == 'dave@contoso.onmicrosoft.com'
    assert BOB in [m['email'] for m in run.result('Mailboxes')['mailboxes']]


def test_password_sign_in_sends_the_password_grant(runner, sim_api, simulator):
    runner.run('''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Organizations
      vb365.restore.organization_info:
        auth_method: password
''')
    (login,) = token_posts(sim_api)
    assert login['body'] == {'grant_type': 'password', 'username': simulator.username, 'password': '********',
                             'disable_antiforgery_token': 'true'}


SIGN_IN_PLAY = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Sign in
      vb365.restore.sign_in:
        auth_method: operator
        sign_in_timeout: 60
      register: signed_in
    - name: Who
      vb365.restore.restore_session:
        auth_method: operator
        assertion: "{{ signed_in.assertion }}"
        scope: carol@contoso.onmicrosoft.com
        reason: "INC-5150"
      register: rs
    - name: Stop
      vb365.restore.restore_session:
        auth_method: operator
        assertion: "{{ signed_in.assertion }}"
        session_id: "{{ rs.session.id }}"
        state: absent
'''


def test_sign_in_with_a_device_code_played_by_the_test(runner, sim_api):
    """The sign_in action shows the code at once; the 'person' signs in through the control API."""
    with Person(sim_api, HELPDESK, 'sign-in') as person:
        run = runner.run(SIGN_IN_PLAY, verbosity=4)
    assert person.code, 'the sign_in task asked for no device code'
    # The person saw the address and the code while the task waited.
    assert person.code in run.stdout and '/identity/devicelogin' in run.stdout
    assert 'signed in as %s' % HELPDESK in run.stdout
    assert run.result('Who')['scope']['name'] == CAROL
    # The result reaches callbacks censored: only the later tasks, through the registered variable, get the token.
    assert 'assertion' not in run.result('Sign in') and 'censored' in run.result('Sign in')
    # The Microsoft token never shows at -vvvv: every token of the identity platform starts with this header.
    assert 'eyJ0eXAiOiJKV1Qi' not in run.output
    assert sim_api.get('identity')['tokens'] == 1
    logins = token_posts(sim_api)
    assert len(logins) == 2 and all(r['body']['grant_type'] == 'operator' for r in logins)


@pytest.mark.parametrize('lifetime, timeout, words', [
    (2, 30, 'the device code expired before anybody signed in with it; run the sign-in again'),
    (900, 2, 'nobody signed in with the device code within 2 s (sign_in_timeout)'),
])
def test_device_code_sign_in_that_nobody_answers_fails_with_the_reason(runner, sim_api, lifetime, timeout, words):
    sim_api.config(device_code_lifetime=lifetime)
    run = runner.run('''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Sign in
      vb365.restore.sign_in:
        auth_method: operator
        sign_in_timeout: %d
''' % timeout, expect_rc=2)
    assert words in run.result('Sign in')['msg']


def test_scope_outside_the_operator_scope_is_refused_with_what_is_managed(runner, sim_api):
    issued = assertion_for(sim_api)
    run = runner.run('''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open
      vb365.restore.restore_session:
        scope: dave@contoso.onmicrosoft.com
        reason: INC-1
''', env=operator_env(issued), expect_rc=2)
    msg = run.result('Open')['msg']
    assert msg.startswith("scope: 'dave@contoso.onmicrosoft.com' is not among the objects this restore operator may "
                          "manage (User alice@contoso.onmicrosoft.com")
    assert 'Team finance@contoso.onmicrosoft.com' in msg
    assert not [r for r in sim_api.get('requests') if 'Explore' in r['path']]


def test_mailbox_outside_the_session_scope_is_not_found(runner, sim_api):
    issued = assertion_for(sim_api)
    before = sim_api.production(CAROL)
    run = runner.run(operator_play(BOB, CAROL, 'INC-2'), env=operator_env(issued),
                     expect_rc=2)
    assert 'carol@contoso.onmicrosoft.com' in run.result('Find')['msg']
    assert run.status('Stop') == 'ok' and run.result('Stop')['session']['state'] == 'Stopped'
    assert sim_api.production(CAROL) == before
    assert not [r for r in sim_api.get('requests') if r['path'].endswith('/operatorRestore')]


OPERATOR_FORBIDDEN = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Redirect
      vb365.restore.item_restore:
        session_id: 0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10
        mailbox: bob@contoso.onmicrosoft.com
        query: subject:invoice
        target: {mailbox: dave@contoso.onmicrosoft.com}
        exchange_credentials: {user_code: ABCD}
      ignore_errors: true
    - name: Export
      vb365.restore.mailbox_export:
        session_id: 0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10
        mailbox: bob@contoso.onmicrosoft.com
        dest: "{{ playbook_dir }}/bob.pst"
      ignore_errors: true
    - name: Bulk
      vb365.restore.mailbox_restore:
        session_id: 0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10
        mailboxes: [bob@contoso.onmicrosoft.com, alice@contoso.onmicrosoft.com]
        exchange_credentials: {user_code: ABCD}
      ignore_errors: true
    - name: Code
      vb365.restore.restore_device_code:
        session_id: 0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10
      ignore_errors: true
'''


def test_what_an_operator_may_not_do_is_refused_before_any_request(runner, sim_api):
    issued = assertion_for(sim_api)
    run = runner.run(OPERATOR_FORBIDDEN, env=operator_env(issued))
    expected = {
        'Redirect': 'auth_method=operator: a restore operator restores items only with action=operator_restore',
        'Export': 'auth_method=operator: a restore operator cannot export',
        'Bulk': 'auth_method=operator: a restore operator restores items to their original mailbox',
        'Code': 'auth_method=operator: a restore operator needs no Exchange credentials',
    }
    for task, start in expected.items():
        result = run.result(task)
        assert result['failed'] is True and result['msg'].startswith(start), (task, result['msg'])
    assert sim_api.get('requests') == []


DEVICE_CODE_PLAY = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
        ledger_path: ""
      register: rs
    - name: Code
      vb365.restore.restore_device_code:
        session_id: "{{ rs.session.id }}"
        target_region: Worldwide
      register: device
    - name: Remember
      ansible.builtin.copy:
        content: "{{ {'session': rs.session.id, 'code': device.user_code} | to_json }}"
        dest: "{{ playbook_dir }}/handoff.json"
        mode: "0600"
'''
RESTORE_WITH_CODE = '''
- hosts: localhost
  gather_facts: false
  vars:
    handoff: "{{ lookup('file', playbook_dir ~ '/handoff.json') | from_json }}"
  tasks:
    - name: Restore
      block:
        - name: Restore
          vb365.restore.mailbox_restore:
            session_id: "{{ handoff.session }}"
            mailboxes: [bob@contoso.onmicrosoft.com]
            folder: Inbox/Invoices
            exchange_credentials:
              user_code: "{{ handoff.code }}"
      always:
        - name: Stop
          vb365.restore.restore_session:
            session_id: "{{ handoff.session }}"
            state: absent
'''


def test_restore_with_a_device_code_signed_in_between_two_runs(runner, sim_api):
    """What a pause or an AWX approval node does: the code is shown, a person signs in, the restore runs."""
    first = runner.run(DEVICE_CODE_PLAY)
    code = first.result('Code')
    assert set(code) >= {'user_code', 'verification_url', 'expires_in', 'message', 'expires_at'}
    assert code['expires_in'] > 800 and code['user_code'] in code['message']
    (request,) = [r for r in sim_api.get('requests') if r['path'].endswith('/restoreDeviceCode')]
    assert request['body'] == {'targetRegion': 'Worldwide'}
    sim_api.post('identity/signin', {'user_code': code['user_code'], 'user': 'alice@contoso.onmicrosoft.com'})
    second = runner.run(RESTORE_WITH_CODE, verbosity=4)
    assert_not_shown(code['user_code'], second)
    result = second.result('Restore')
    assert result['changed'] is True and result['restore']['status'] == 'Success'
    assert [r['folder'] for r in sim_api.production(BOB) if r['folder'] == 'Inbox/Invoices']


def test_restore_with_an_expired_device_code_fails_with_the_reason(runner, sim_api):
    sim_api.config(device_code_lifetime=1)
    runner.run(DEVICE_CODE_PLAY)
    time.sleep(1.2)
    run = runner.run(RESTORE_WITH_CODE, expect_rc=2)
    msg = run.result('Restore')['msg']
    assert 'userCode: the device code has expired' in msg
    assert run.result('Stop')['session']['state'] == 'Stopped'
