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
      - If not set, the value of the E(VB365_USERNAME) environment variable is used. One of them is required.
    type: str
  password:
    description:
      - The password of O(username). It is never shown in output, errors or logs.
      - If not set, the value of the E(VB365_PASSWORD) environment variable is used. One of them is required.
    type: str
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
  - The module logs in with the password grant, refreshes the access token before it expires (so that
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
