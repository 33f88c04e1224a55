#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: restore_device_code
short_description: Obtain a Microsoft device code for restoring Exchange data of a restore session
version_added: 0.1.0
description:
  - Asks the VB365 server for a device code of the Microsoft identity platform (C(POST
    /v8/RestoreSessions/{id}/organization/restoreDeviceCode)), for organizations added with modern app-only
    authentication.
  - A person opens RV(verification_url), enters RV(user_code) and signs in with an account that may restore to
    the target mailboxes. Then a restore module is given the code as O(vb365.restore.mailbox_restore#module:exchange_credentials.user_code)
    (or O(vb365.restore.item_restore#module:exchange_credentials.user_code)), before the code expires
    (RV(expires_in) seconds).
  - In a playbook, show RV(message) with C(ansible.builtin.pause) or stop at an AWX workflow approval node between
    this task and the restore; see the Exchange credentials guide.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes
  - vb365.restore.connection
attributes:
  check_mode:
    description: In check mode no code is requested; the result lists the request that would be sent.
options:
  session_id:
    description: The restore session the restore will run in.
    type: str
    required: true
  target_application_id:
    description:
      - The id of the Microsoft Entra application to restore with, when restoring to another organization.
    type: str
  target_region:
    description: The region of the Microsoft 365 organization restored to, when restoring to another organization.
    type: str
    choices: [Worldwide, Germany, China, USDefence, USGovernment]
  target_organization_name:
    description: The name of the Microsoft 365 organization restored to, when restoring to another organization.
    type: str
notes:
  - The code is shown to whoever runs the playbook, because a person must type it on the sign-in page. Use it once,
    soon; the module returns it as RV(user_code) and never logs the access it grants.
  - A restore operator (O(auth_method=operator)) needs no device code and is refused before any request.
seealso:
  - module: vb365.restore.mailbox_restore
  - module: vb365.restore.item_restore
'''

EXAMPLES = r'''
- name: Get a device code for the restore
  vb365.restore.restore_device_code:
    session_id: "{{ session.session.id }}"
  register: device

- name: Let the person sign in with it
  ansible.builtin.pause:
    prompt: "{{ device.message }} Press Enter once signed in."

- name: Restore Bob's mailbox with the device code
  vb365.restore.mailbox_restore:
    session_id: "{{ session.session.id }}"
    mailboxes: [bob@contoso.onmicrosoft.com]
    exchange_credentials:
      user_code: "{{ device.user_code }}"

- name: A code for restoring to another organization
  vb365.restore.restore_device_code:
    session_id: "{{ session.session.id }}"
    target_application_id: 6f7e8d9c-0b1a-4c3d-8e5f-1a2b3c4d5e6f
    target_region: Worldwide
    target_organization_name: fabrikam.onmicrosoft.com
'''

RETURN = r'''
user_code:
  description: The code the person enters on the sign-in page.
  returned: unless in check mode
  type: str
  sample: F4KQ2RZ7M
verification_url:
  description: The page where the person signs in.
  returned: unless in check mode
  type: str
  sample: https://microsoft.com/devicelogin
expires_in:
  description: Seconds the code stays valid.
  returned: unless in check mode
  type: int
  sample: 900
message:
  description: The server's instructions for the person.
  returned: unless in check mode
  type: str
expires_at:
  description: When the code expires (UTC, RFC 3339), computed from RV(expires_in) and the time of the answer.
  returned: unless in check mode
  type: str
planned_requests:
  description: In check mode, the request that would have been sent.
  returned: in check mode
  type: list
  elements: dict
'''

import datetime

from ansible_collections.vb365.restore.plugins.module_utils.sessions import require_working_session
from ansible_collections.vb365.restore.plugins.module_utils.values import is_uuid
from ansible_collections.vb365.restore.plugins.module_utils.module import PLANNED, Vb365Module, parameter_error
from ansible_collections.vb365.restore.plugins.module_utils.operations import DEVICE_CODE, Request
from ansible_collections.vb365.restore.plugins.module_utils.portal import (
    DEVICE_CODE_REGIONS,
    device_code_body,
    device_code_result,
    refuse_for_operator,
)


def run(mod):
    params = mod.params
    refuse_for_operator(mod.sign_in.method, 'restore_device_code')
    if not is_uuid(params['session_id']):
        raise parameter_error('session_id', '%r is not a restore session id (a UUID)' % params['session_id'])
    if params['target_application_id'] and not is_uuid(params['target_application_id']):
        raise parameter_error('target_application_id', '%r is not an application id (a UUID)'
                              % params['target_application_id'])
    body = device_code_body(params['target_application_id'], params['target_region'],
                            params['target_organization_name'])
    require_working_session(mod.client, params['session_id'])
    # Asking for a code changes nothing that is kept; it is a write only in that it reaches Microsoft.
    answer = mod.write(Request(DEVICE_CODE, body, describe='obtain a device code for restore session %s'
                               % params['session_id'], restoreSessionId=params['session_id']))
    if answer is PLANNED:
        return
    result = device_code_result(answer)
    if result['expires_in'] is not None:
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=int(result['expires_in']))
        result['expires_at'] = expires.replace(microsecond=0).isoformat().replace('+00:00', 'Z')
    mod.result.update(result)


def main():
    mod = Vb365Module(
        argument_spec=dict(
            session_id=dict(type='str', required=True),
            target_application_id=dict(type='str'),
            target_region=dict(type='str', choices=list(DEVICE_CODE_REGIONS)),
            target_organization_name=dict(type='str'),
        ),
    )
    mod.run(run)


if __name__ == '__main__':
    main()
