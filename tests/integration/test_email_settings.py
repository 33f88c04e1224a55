"""email_settings through ansible-playbook: set, re-set with no change, check mode with diff, test
message, the Microsoft 365 sign-in in two steps, then a send with item_restore that works."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from harness import assert_not_shown, session_play

SMTP_PASSWORD = 'Smtp-Secret-17!&'
CLIENT_SECRET = 'App-Secret-17-xyz'


def play(**options):
    lines = ''.join('        %s: %s\n' % (k, json.dumps(v)) for k, v in options.items())
    return '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Mail
      vb365.restore.email_settings:
%s''' % lines


RELAY = dict(enabled=True, smtp_server='relay.contoso.example', smtp_port=2525, use_ssl=True,
             sender='vbo-restore@contoso.example', use_authentication=True, smtp_username='vbo-relay',
             smtp_password=SMTP_PASSWORD)

SEND = session_play('''        - name: Find
          vb365.restore.item_info:
            session_id: "{{ rs.session.id }}"
            mailbox: alice@contoso.onmicrosoft.com
            query: "subject:Invoice"
            limit: 1
          register: found
        - name: Send
          vb365.restore.item_restore:
            session_id: "{{ rs.session.id }}"
            mailbox: alice@contoso.onmicrosoft.com
            items: "{{ found.mail_items | map(attribute='id') | list }}"
            action: send
''', {'organization': 'contoso.onmicrosoft.com', 'ledger_path': ''})


def puts(sim_api):
    return sim_api.api_requests('PUT', '/v8/VexEmailSettings')


def test_set_reset_check_mode_and_test_message(runner, sim_api):
    sim_api.config(email_settings_configured=False)
    refused = runner.run(SEND, expect_rc=2).result('Send')
    assert 'vb365.restore.email_settings' in refused['msg'] and sim_api.get('sent') == []

    preview = runner.run(play(**RELAY), check=True, diff=True, verbosity=4)
    result = preview.result('Mail')
    assert result['changed'] is True and puts(sim_api) == []
    diff = result['diff']
    assert diff['before']['enable_notification'] is False and diff['after']['server'] == 'relay.contoso.example'
    assert diff['before']['smtp_password'] == 'set' and diff['after']['smtp_password'] == 'changed'
    assert result['planned_requests'][0]['body']['userPassword'] == '********'
    assert_not_shown(SMTP_PASSWORD, preview)

    first = runner.run(play(send_test_to='helpdesk@contoso.example', **RELAY), verbosity=4)
    result = first.result('Mail')
    assert result['changed'] is True and result['password_updated'] is True
    assert result['settings']['server'] == 'relay.contoso.example' and result['settings']['port'] == 2525
    assert result['test_message'] == {'to': 'helpdesk@contoso.example', 'sent': True}
    (put,) = puts(sim_api)
    assert put['body'] == {'enableNotification': True, 'server': 'relay.contoso.example', 'port': 2525,
                           'from': 'vbo-restore@contoso.example', 'useAuthentication': True, 'useSSL': True,
                           'username': 'vbo-relay', 'userPassword': '********'}
    (test,) = sim_api.get('sent')
    assert test['kind'] == 'test' and test['to'] == 'helpdesk@contoso.example'
    assert test['from'] == 'vbo-restore@contoso.example'
    assert_not_shown(SMTP_PASSWORD, first)

    again = runner.run(play(**RELAY), diff=True).result('Mail')
    assert again['changed'] is False and again['password_updated'] is False and len(puts(sim_api)) == 1
    assert again['diff']['before'] == again['diff']['after']

    forced = runner.run(play(update_password='always', **RELAY)).result('Mail')
    assert forced['changed'] is True and forced['password_updated'] is True and len(puts(sim_api)) == 2

    sent = runner.run(SEND)
    assert sent.result('Send')['changed'] is True
    message = [m for m in sim_api.get('sent') if m.get('kind') != 'test'][0]
    assert message['to'] == 'alice@contoso.onmicrosoft.com' and message['from'] == 'vbo-restore@contoso.example'
    assert len(message['items']) == 1


def test_read_only_and_one_field_under_each_put_model(runner, sim_api):
    read = runner.run(play()).result('Mail')
    assert read['changed'] is False and read['settings']['server'] == 'smtp.contoso.example'
    assert not [key for key in read['settings'] if 'password' in key]
    assert sim_api.api_requests('PUT') == []
    for mode in ('replace', 'merge'):
        sim_api.post('reset')
        sim_api.config(email_put_mode=mode)
        changed = runner.run(play(smtp_port=465)).result('Mail')
        assert changed['changed'] is True and changed['settings']['port'] == 465
        assert changed['settings']['server'] == 'smtp.contoso.example', mode
        assert changed['settings']['from'] == 'restore@contoso.example', mode


def test_bad_input_is_refused_before_any_request(runner, sim_api):
    bad = runner.run(play(smtp_port=70000), expect_rc=2).result('Mail')
    assert bad['msg'].startswith('smtp_port: must be 1 to 65535')
    sender = runner.run(play(sender='not-an-address'), expect_rc=2).result('Mail')
    assert sender['msg'].startswith('sender: ')
    assert sim_api.api_requests(contains='/VexEmailSettings') == []


def test_microsoft_365_sign_in_in_two_steps(runner, sim_api):
    prepare = {'client_id': 'mail-app', 'client_secret': CLIENT_SECRET, 'tenant_id': 'contoso.onmicrosoft.com',
               'redirect_url': 'https://localhost/signed-in'}
    first = runner.run(play(oauth_prepare=prepare), verbosity=4)
    step_one = first.result('Mail')
    assert step_one['changed'] is False
    url = step_one['oauth']['sign_in_url']
    assert url.startswith('https://login.microsoftonline.com/contoso.onmicrosoft.com/')
    state = parse_qs(urlsplit(url).query)['state'][0]
    assert_not_shown(CLIENT_SECRET, first)
    # The person signs in; the identity platform sends the browser to the redirect address with code and state.
    (grant,) = sim_api.get('oauth')
    assert grant['state'] == state
    second = runner.run(play(enabled=True, sender='mailer@contoso.onmicrosoft.com',
                             mail_api_url='https://graph.microsoft.com',
                             oauth_complete={'code': grant['code'], 'state': state}), verbosity=4)
    step_two = second.result('Mail')
    assert step_two['changed'] is True and step_two['oauth']['user_id']
    settings = step_two['settings']
    assert settings['authentication_type'] == 'Microsoft365' and settings['is_authenticated'] is True
    assert settings['user_id'] == step_two['oauth']['user_id']
    put = puts(sim_api)[-1]
    assert put['body']['requestId'] == step_two['oauth']['request_id'] and 'userPassword' not in put['body']
    assert_not_shown(grant['code'], second)
    sent = runner.run(SEND).result('Send')
    assert sent['changed'] is True
