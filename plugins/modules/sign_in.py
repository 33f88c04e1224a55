#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sign_in
short_description: Sign in a restore operator or tenant user with the device code flow of Microsoft
version_added: 0.1.0
description:
  - Obtains a Microsoft identity platform token for the Restore Portal application of a VB365 server, for the
    other modules' O(assertion) with O(auth_method=operator) or O(auth_method=tenant).
  - Reads the application id and authority from C(GET /v8/RestorePortalSettings) (no sign-in needed), asks the
    Microsoft identity platform for a device code and shows the sign-in page and the code in the job's output at
    once; a person opens the page, enters the code and signs in. The action waits up to O(sign_in_timeout) seconds.
  - The result is never shown (it is marked C(no_log)); register it and give RV(assertion) to the next tasks,
    for example through C(module_defaults).
  - This is an action that runs on the controller, which needs the Python library C(msal).
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes
  - vb365.restore.connection
attributes:
  check_mode:
    description: Signing in changes nothing; it runs the same in check mode.
  diff_mode:
    description: No diff.
options:
  sign_in_timeout:
    description:
      - Seconds to wait for the person to sign in. The task fails when nobody did, or when the code expired first.
    type: int
    default: 300
requirements:
  - msal >= 1.28 (on the controller)
notes:
  - O(auth_method) must be V(operator) or V(tenant); O(username), O(password) and O(assertion) are not used.
  - The identity platform's TLS certificate is checked with the system's trust store (and E(REQUESTS_CA_BUNDLE)),
    except when the authority is served by the VB365 server's own host and port, whose O(ca_path) applies.
seealso:
  - module: vb365.restore.restore_session
'''

EXAMPLES = r'''
- name: Sign in as a restore operator (the code is shown in the job output)
  vb365.restore.sign_in:
    server: vb365.example.com
    auth_method: operator
    sign_in_timeout: 600
  register: signed_in

- name: Open a Restore Portal session with it
  vb365.restore.restore_session:
    server: vb365.example.com
    auth_method: operator
    assertion: "{{ signed_in.assertion }}"
    scope: bob@contoso.onmicrosoft.com
    reason: INC-4711
'''

RETURN = r'''
assertion:
  description: The Microsoft access token, for O(assertion) of the other modules. Never shown.
  returned: success
  type: str
user:
  description: Who signed in (the user principal name).
  returned: success
  type: str
  sample: helpdesk@contoso.onmicrosoft.com
client_id:
  description: The C(client_id) the token grant will send (C(<userId>.<tenantId>) for an operator).
  returned: success
  type: str
expires_on:
  description: When the token expires, in seconds since the epoch.
  returned: success
  type: int
'''
