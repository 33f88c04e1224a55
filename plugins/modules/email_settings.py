#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: email_settings
short_description: Read and set the Exchange email settings that Veeam Backup for Microsoft 365 sends items with
version_added: 0.1.0
description:
  - Reads and sets the email settings of Veeam Explorer for Microsoft Exchange on a VB365 server
    (C(/v8/VexEmailSettings)), which M(vb365.restore.item_restore) with O(vb365.restore.item_restore#module:action=send)
    needs - the SMTP server, its port, SSL, authentication and the sender address - and sends a test message.
  - Options left out keep the value the server has. A second run with the same options changes nothing.
  - The server never shows the SMTP password, so the module cannot compare it. It sends the password whenever it
    changes the settings, and changes them for the password alone only as O(update_password) says.
  - Microsoft 365 (or Google) sending without an SMTP server needs a sign-in in a browser, in two steps that a
    playbook can drive - O(oauth_prepare) returns the address to sign in at; the person who signs in is sent to
    the redirect address with a C(code) and a C(state), which O(oauth_complete) takes to finish the sign-in and
    switch the settings to that account. Where no one can open the address from the playbook's run, do the
    sign-in in Veeam Explorer for Microsoft Exchange instead (Options, Email settings).
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes
  - vb365.restore.connection
attributes:
  check_mode:
    description: In check mode nothing is changed, signed in or sent; the result and the diff say what would change.
  diff_mode:
    support: full
    description: The settings before and after; the password shows only as whether it is set or would change.
options:
  enabled:
    description: Whether Veeam Explorer for Microsoft Exchange may send email messages (C(enableNotification)).
    type: bool
  smtp_server:
    description: The DNS name or IP address of the SMTP server (C(server)).
    type: str
  smtp_port:
    description: The port of the SMTP server (C(port)), 1 to 65535.
    type: int
  use_ssl:
    description: Whether to use a secure connection to the SMTP server (C(useSSL)).
    type: bool
  sender:
    description: The address messages are sent from (C(from)).
    type: str
    aliases: [from_address]
  use_authentication:
    description: Whether the SMTP server requires authentication (C(useAuthentication)).
    type: bool
  smtp_username:
    description: The user name for the SMTP server (C(username)). Needed with O(use_authentication=true).
    type: str
  smtp_password:
    description:
      - The password for the SMTP server (C(userPassword)). Never shown, logged or returned.
      - It is sent with every change of the settings; whether it alone is a change is O(update_password).
    type: str
  update_password:
    description:
      - V(on_create) sends the password (and reports a change) only when authentication is being set up - the
        server does not use authentication yet, or O(smtp_username) changes. Otherwise a given password alone
        changes nothing, so that a second run reports no change.
      - V(always) sends it every time it is given and reports a change, since the server cannot tell whether it
        differs.
    type: str
    choices: [always, on_create]
    default: on_create
  mail_api_url:
    description: For Microsoft 365 sending, the Microsoft Graph endpoint that sends the messages (C(mailApiUrl)).
    type: str
  oauth_prepare:
    description:
      - Step one of the Microsoft 365 (or Google) sign-in - registers a sign-in request on the server and returns
        RV(oauth.sign_in_url), the address at which the account that will send messages signs in.
    type: dict
    suboptions:
      service:
        description: Where the account is.
        type: str
        choices: [Microsoft365, GoogleGmail]
        default: Microsoft365
      client_id:
        description: The application (client) id registered in Microsoft Entra ID or the Google Cloud console.
        type: str
        required: true
      client_secret:
        description: The secret of that application. Never shown, logged or returned.
        type: str
        required: true
      tenant_id:
        description: The Microsoft Entra tenant id. Required for V(Microsoft365).
        type: str
      redirect_url:
        description: Where the sign-in sends the browser afterwards, with C(code) and C(state) in the address.
        type: str
        required: true
  oauth_complete:
    description:
      - Step two of the sign-in - takes the C(code) and C(state) from the redirect address, completes the sign-in
        and switches the settings to the signed-in account (with O(sender), O(enabled) and O(mail_api_url) as
        given).
    type: dict
    suboptions:
      code:
        description: The C(code) of the redirect address. Never shown, logged or returned.
        type: str
        required: true
      state:
        description: The C(state) of the redirect address.
        type: str
        required: true
  send_test_to:
    description:
      - After the settings are in place, send a test message to this address (C(SendTestEmail)). Sending it is not
        reported as a change of the settings; in check mode it is not sent.
    type: str
notes:
  - The settings are the server's, shared by everyone who uses Veeam Explorer for Microsoft Exchange on it.
seealso:
  - module: vb365.restore.item_restore
'''

EXAMPLES = r'''
- name: Read the email settings
  vb365.restore.email_settings:
  register: mail

- name: Send through the company SMTP relay, and check with a test message
  vb365.restore.email_settings:
    enabled: true
    smtp_server: smtp.contoso.example
    smtp_port: 587
    use_ssl: true
    sender: restore@contoso.example
    use_authentication: true
    smtp_username: restore@contoso.example
    smtp_password: "{{ vault_smtp_password }}"
    send_test_to: helpdesk@contoso.example

- name: Microsoft 365 sending, step one - where to sign in
  vb365.restore.email_settings:
    oauth_prepare:
      client_id: "{{ mail_app_id }}"
      client_secret: "{{ vault_mail_app_secret }}"
      tenant_id: contoso.onmicrosoft.com
      redirect_url: https://localhost/signed-in
  register: signin

- name: Ask the operator to sign in and paste the address the browser ended at
  ansible.builtin.pause:
    prompt: "Sign in at {{ signin.oauth.sign_in_url }} and paste the address you were sent to"
  register: redirected

- name: Microsoft 365 sending, step two - finish the sign-in and use that account
  vb365.restore.email_settings:
    enabled: true
    sender: restore@contoso.onmicrosoft.com
    mail_api_url: https://graph.microsoft.com
    oauth_complete:
      code: "{{ redirected.user_input | regex_search('[?&]code=([^&]+)', '\\1') | first }}"
      state: "{{ redirected.user_input | regex_search('[?&]state=([^&]+)', '\\1') | first }}"
'''

RETURN = r'''
settings:
  description: The email settings (after the change; in check mode, as they would be), without any password.
  returned: always
  type: dict
  contains:
    enable_notification:
      description: Whether sending is enabled.
      type: bool
    server:
      description: The SMTP server.
      type: str
    port:
      description: Its port.
      type: int
    from:
      description: The sender address.
      type: str
    use_ssl:
      description: Whether a secure connection is used.
      type: bool
    use_authentication:
      description: Whether the SMTP server requires authentication.
      type: bool
    username:
      description: The SMTP user name.
      type: str
    authentication_type:
      description: V(CustomSmtp), V(Microsoft365) or V(GoogleGmail).
      type: str
    user_id:
      description: With a sign-in, the account that sends.
      type: str
    is_authenticated:
      description: With a sign-in, whether it was completed.
      type: bool
  sample:
    enable_notification: true
    server: smtp.contoso.example
    port: 587
    from: restore@contoso.example
    use_ssl: true
    use_authentication: true
    username: restore@contoso.example
    authentication_type: CustomSmtp
password_updated:
  description: Whether the password was sent (or, in check mode, would be).
  returned: always
  type: bool
oauth:
  description: The sign-in request, with O(oauth_prepare) or O(oauth_complete).
  returned: with O(oauth_prepare) or O(oauth_complete), not in check mode
  type: dict
  contains:
    request_id:
      description: The id of the sign-in request.
      type: str
    sign_in_url:
      description: With O(oauth_prepare), the address at which to sign in.
      type: str
    user_id:
      description: With O(oauth_complete), the account that signed in.
      type: str
test_message:
  description: The test message, with O(send_test_to).
  returned: with O(send_test_to)
  type: dict
  sample: {to: helpdesk@contoso.example, sent: true}
planned_requests:
  description: In check mode, the write requests that would have been sent (secrets masked).
  returned: in check mode, when something would be sent
  type: list
  elements: dict
'''

import re

from ansible_collections.vb365.restore.plugins.module_utils.values import to_snake
from ansible_collections.vb365.restore.plugins.module_utils.module import PLANNED, Vb365Module, parameter_error
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    COMPLETE_OAUTH_SIGN_IN,
    EMAIL_SETTINGS,
    PREPARE_OAUTH_SIGN_IN,
    SEND_TEST_EMAIL,
    SET_EMAIL_SETTINGS,
    Request,
)

# option -> field of RestSmtpSettingsFromClient
FIELDS = (('enabled', 'enableNotification'), ('smtp_server', 'server'), ('smtp_port', 'port'), ('use_ssl', 'useSSL'),
          ('sender', 'from'), ('use_authentication', 'useAuthentication'), ('smtp_username', 'username'),
          ('mail_api_url', 'mailApiUrl'))
# fields of RESTSmtpSettings that a PUT sends back as they are
KEPT = ('username', 'enableNotification', 'server', 'port', 'from', 'useAuthentication', 'useSSL', 'userId',
        'mailApiUrl')
EMAIL_RE = re.compile(r'^[^@\s]+@[^@\s]+$')


def check_options(params):
    """Bad input is refused before any request, naming the option."""
    port = params['smtp_port']
    if port is not None and not 0 < port < 65536:
        raise parameter_error('smtp_port', 'must be 1 to 65535, got %d' % port)
    for option in ('sender', 'send_test_to'):
        if params[option] is not None and not EMAIL_RE.match(params[option]):
            raise parameter_error(option, '%r is not an email address' % params[option])
    for option in ('smtp_server', 'smtp_username'):
        if params[option] is not None and not params[option].strip():
            raise parameter_error(option, 'must not be empty')
    prepare = params['oauth_prepare']
    if prepare and prepare['service'] == 'Microsoft365' and not prepare.get('tenant_id'):
        raise parameter_error('oauth_prepare', 'tenant_id is required for a Microsoft365 sign-in')


def desired_settings(current, params):
    """The settings as they should be: the server's, with every given option in place."""
    wanted = dict((field, current.get(field)) for field in KEPT if current.get(field) is not None)
    for option, field in FIELDS:
        if params[option] is not None:
            wanted[field] = params[option]
    if wanted.get('useAuthentication') and not wanted.get('username') \
            and (current.get('authenticationType') or 'CustomSmtp') == 'CustomSmtp':
        raise parameter_error('smtp_username', 'required with use_authentication: true (the server has no user name)')
    return wanted


def password_change(current, wanted, params):
    """Whether the given password is to be sent as a change of its own."""
    if not params['smtp_password']:
        return False
    if params['update_password'] == 'always':
        return True
    return bool(wanted.get('useAuthentication')) and (
        not current.get('useAuthentication') or (current.get('username') or '') != (wanted.get('username') or ''))


def view(settings, password):
    """Settings as the diff shows them: snake_case, the password only as a word."""
    shown = to_snake(dict((k, v) for k, v in settings.items() if k in KEPT + ('authenticationType', 'isAuthenticated')))
    shown['smtp_password'] = password
    return shown


def prepare_sign_in(mod):
    options = mod.params['oauth_prepare']
    body = {'authenticationServiceKind': options['service'], 'clientId': options['client_id'],
            'clientSecret': options['client_secret'], 'redirectUrl': options['redirect_url']}
    if options.get('tenant_id'):
        body['tenantId'] = options['tenant_id']
    answer = mod.write(Request(PREPARE_OAUTH_SIGN_IN, body,
                               describe='prepare a %s sign-in for sending' % options['service']))
    if answer is not PLANNED:
        mod.result['oauth'] = {'request_id': answer.get('requestId'), 'sign_in_url': answer.get('signInUrl')}


def complete_sign_in(mod, wanted):
    options = mod.params['oauth_complete']
    answer = mod.write(Request(COMPLETE_OAUTH_SIGN_IN, {'code': options['code'], 'state': options['state']},
                               describe='complete the sign-in of the account that sends'))
    if answer is PLANNED:
        return
    mod.result['oauth'] = {'request_id': answer.get('requestId'), 'user_id': answer.get('userId')}
    wanted['requestId'] = answer.get('requestId')
    if answer.get('userId'):
        wanted['userId'] = answer['userId']


def run(mod):
    params = mod.params
    check_options(params)
    mod.add_secret(params['smtp_password'], (params['oauth_prepare'] or {}).get('client_secret'),
                   (params['oauth_complete'] or {}).get('code'), (params['oauth_complete'] or {}).get('state'))
    current = mod.client.call(EMAIL_SETTINGS) or {}
    wanted = desired_settings(current, params)
    if params['oauth_prepare']:
        prepare_sign_in(mod)
    changed_fields = sorted(field for field in wanted if wanted[field] != current.get(field))
    send_password = password_change(current, wanted, params)
    signing_in = bool(params['oauth_complete'])
    before_password = 'set' if current.get('useAuthentication') else 'not used'
    after_password = 'changed' if send_password else before_password
    change = bool(changed_fields or send_password or signing_in)
    after = dict(current)
    after.update(wanted)
    if signing_in:
        after.pop('authenticationType', None)  # the signed-in account's kind, known once the server has it
        after['isAuthenticated'] = True
        after_password = 'not used'
    mod.result['changed'] = change
    mod.result['password_updated'] = False
    if mod.module._diff:
        mod.result['diff'] = {'before': view(current, before_password), 'after': view(after, after_password)}
    settings = after
    if change:
        if signing_in:
            complete_sign_in(mod, wanted)
        body = dict((k, v) for k, v in wanted.items() if v is not None)
        if params['smtp_password'] and wanted.get('useAuthentication') and not signing_in:
            body['userPassword'] = params['smtp_password']
            mod.result['password_updated'] = True
        fields = changed_fields + (['userPassword'] if 'userPassword' in body else []) + (
            ['requestId'] if signing_in else [])
        answer = mod.write(Request(SET_EMAIL_SETTINGS, body,
                                   describe='set the Exchange email settings (%s)' % ', '.join(fields)))
        if answer is not PLANNED:
            settings = mod.client.call(EMAIL_SETTINGS) or {}
    mod.result['settings'] = to_snake(dict((k, v) for k, v in settings.items() if k != 'userPassword'))
    if params['send_test_to']:
        answer = mod.write(Request(SEND_TEST_EMAIL, {'email': params['send_test_to']},
                                   describe='send a test message to %s' % params['send_test_to']))
        mod.result['test_message'] = {'to': params['send_test_to'], 'sent': answer is not PLANNED}


def main():
    mod = Vb365Module(
        argument_spec=dict(
            enabled=dict(type='bool'),
            smtp_server=dict(type='str'),
            smtp_port=dict(type='int'),
            use_ssl=dict(type='bool'),
            sender=dict(type='str', aliases=['from_address']),
            use_authentication=dict(type='bool'),
            smtp_username=dict(type='str'),
            smtp_password=dict(type='str', no_log=True),
            update_password=dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False),
            mail_api_url=dict(type='str'),
            oauth_prepare=dict(type='dict', options=dict(
                service=dict(type='str', default='Microsoft365', choices=['Microsoft365', 'GoogleGmail']),
                client_id=dict(type='str', required=True),
                client_secret=dict(type='str', required=True, no_log=True),
                tenant_id=dict(type='str'),
                redirect_url=dict(type='str', required=True),
            )),
            oauth_complete=dict(type='dict', options=dict(
                code=dict(type='str', required=True, no_log=True),
                state=dict(type='str', required=True),
            )),
            send_test_to=dict(type='str'),
        ),
        mutually_exclusive=[('oauth_prepare', 'oauth_complete'), ('oauth_complete', 'smtp_password')],
    )
    mod.run(run)


if __name__ == '__main__':
    main()
