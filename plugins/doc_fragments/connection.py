# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  server:
    description:
      - The Veeam Backup for Microsoft 365 server that serves the REST API.
      - A host name, C(host:port) or an C(https://) URL. The port is C(4443) when not given.
      - If not set, the value of the E(VB365_SERVER) environment variable is used. One of them is required.
      - An C(http://) URL works but sends the password in clear text; the module warns.
    type: str
  username:
    description:
      - The user name to log in to the REST API with (the password grant).
      - If not set, the value of the E(VB365_USERNAME) environment variable is used. One of them is required
        with O(auth_method=password).
    type: str
  password:
    description:
      - The password of O(username). It is never shown in output, errors or logs.
      - If not set, the value of the E(VB365_PASSWORD) environment variable is used. One of them is required
        with O(auth_method=password).
    type: str
  auth_method:
    description:
      - How to sign in to the REST API.
      - V(password) - a VB365 administrator, with O(username) and O(password) (C(grant_type=password)).
      - V(operator) - a Restore Portal restore operator, with a Microsoft identity platform token in O(assertion)
        (C(grant_type=operator); the C(client_id) C(<userId>.<tenantId>) is read from the token). Such a user
        opens sessions with O(vb365.restore.restore_session#module:scope) and O(vb365.restore.restore_session#module:reason)
        and restores with O(vb365.restore.item_restore#module:action=operator_restore).
      - V(tenant) - a user of a tenant organization added with modern authentication, with a Microsoft token in
        O(assertion) (C(grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer), C(client_id) = O(application_id)).
      - The P(vb365.restore.sign_in#module) action obtains the token with Microsoft's device code flow.
      - If not set, the value of the E(VB365_AUTH_METHOD) environment variable is used.
    type: str
    choices: [password, operator, tenant]
    default: password
    version_added: 0.1.0
  assertion:
    description:
      - With O(auth_method=operator) or O(auth_method=tenant), the Microsoft identity platform access token issued
        for the Restore Portal application (for example the RV(vb365.restore.sign_in#module:assertion) of
        P(vb365.restore.sign_in#module)). It is never shown in output, errors or logs.
      - When the VB365 refresh token is refused, the module signs in again with the same assertion.
      - If not set, the value of the E(VB365_ASSERTION) environment variable is used.
    type: str
    version_added: 0.1.0
  application_id:
    description:
      - With O(auth_method=tenant), the id of the Microsoft Entra application the assertion was issued for, sent
        as C(client_id). Default - the Restore Portal application of the server (C(GET /v8/RestorePortalSettings)).
      - If not set, the value of the E(VB365_APPLICATION_ID) environment variable is used.
    type: str
    version_added: 0.1.0
  validate_certs:
    description:
      - Whether the server's TLS certificate is verified.
      - Leave it on. For a server with a certificate from a private or self-signed CA, set O(ca_path) instead.
      - V(false) turns verification off and wins over O(ca_path), which is then ignored; the module warns in
        both cases, because whoever answers in the server's place receives the password.
      - If not set, the value of the E(VB365_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file with the CA certificate(s) that signed the server's certificate.
      - It is used instead of the system trust store, and wins over E(REQUESTS_CA_BUNDLE) in the environment.
      - If not set, the value of the E(VB365_CA_PATH) environment variable is used.
    type: path
  request_timeout:
    description:
      - Seconds to wait for the server to answer one request (not the time a whole restore may take).
      - If not set, the value of the E(VB365_REQUEST_TIMEOUT) environment variable is used.
    type: float
    default: 60
notes:
  - The module signs in with the grant of O(auth_method), refreshes the access token before it expires (so that
    waits longer than the token lifetime keep working) and logs out when it ends.
  - Requests that fail with a connection error, HTTP 429, 502, 503 or 504 are retried with exponential
    backoff, honouring C(Retry-After); each retry is shown as a warning. The login and the token refresh are
    retried the same way. A write is retried only when the server cannot have processed it (connection refused,
    429, 503); when its answer is lost, the error says that it may have been processed.
  - Use C(module_defaults) with the C(group/vb365.restore.all) action group to set the connection
    options once for a play.
requirements:
  - Python 3.9 or newer where the module runs (normally the controller, or the host it is delegated to)
  - requests >= 2.31
attributes:
  action_group:
    description: Use C(group/vb365.restore.all) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - vb365.restore.all
'''
