# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the client signs in: the form of each token grant, and where a Microsoft assertion comes from.

Three ways to sign in to the VB365 REST API (``POST /v8/token``):

* ``password`` - a VB365 administrator: ``grant_type=password``, ``username``, ``password``.
* ``operator`` - a Restore Portal operator: ``grant_type=operator``, ``client_id`` = ``<userId>.<tenantId>``
  of the Microsoft user, ``assertion`` = a Microsoft identity platform token for the Restore Portal
  application.
* ``tenant`` - a user of a tenant organization added with modern authentication:
  ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``, ``client_id`` = the application id,
  ``assertion`` = a Microsoft token for that application.

The assertion is given by the user, or obtained with Microsoft's device code flow (MSAL for Python,
an optional requirement) by the ``vb365.restore.sign_in`` action, which shows the sign-in address and
code to the person running the job and waits for them.  The Restore Portal's application id and
authority come from ``GET /v8/RestorePortalSettings``, which needs no token.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import time

try:
    import requests
except ImportError:  # pragma: no cover - the client reports the missing library
    requests = None

try:
    import msal
    MSAL_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised when the optional library is absent
    msal = None
    MSAL_IMPORT_ERROR = exc

from ansible_collections.vb365.restore.plugins.module_utils.client import grant_form
from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365AuthenticationError,
    Vb365ConnectionError,
    Vb365Error,
    Vb365ParameterError,
    Vb365ServerError,
    Vb365TimeoutError,
)
from ansible_collections.vb365.restore.plugins.module_utils.operations import RESTORE_PORTAL_SETTINGS, Request

AUTH_METHODS = ('password', 'operator', 'tenant')
JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
GRANTS = {'password': 'password', 'operator': 'operator', 'tenant': JWT_BEARER}
MSAL_REQUIREMENT = 'msal >= 1.28'


def jwt_claims(token, option='assertion'):
    """The claims (payload) of a JWT, read without checking its signature (the server checks it)."""
    parts = str(token or '').split('.')
    if len(parts) != 3 or not parts[1]:
        raise Vb365ParameterError('%s: not a token from the Microsoft identity platform (a JWT of three '
                                  'dot-separated parts)' % option)
    payload = parts[1] + '=' * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode('ascii')).decode('utf-8'))
    except (ValueError, TypeError, UnicodeError):
        raise Vb365ParameterError('%s: the token\'s claims cannot be read (not base64url JSON)' % option)
    if not isinstance(claims, dict):
        raise Vb365ParameterError('%s: the token\'s claims are not a JSON object' % option)
    return claims


def operator_client_id(claims, option='assertion'):
    """``<userId>.<tenantId>``: the Microsoft user (``oid``) and tenant (``tid``) of the assertion."""
    missing = [name for name in ('oid', 'tid') if not claims.get(name)]
    if missing:
        raise Vb365ParameterError('%s: the token has no %s claim, so the operator client_id <userId>.<tenantId> '
                                  'cannot be built; sign in as a user of the organization' % (option, ' and '.join(missing)))
    return '%s.%s' % (claims['oid'], claims['tid'])


def portal_scopes(application_id):
    """The delegated permission of the Restore Portal application that the assertion is asked for."""
    return ['api://%s/access_as_user' % application_id]


def restore_portal_settings(client):
    """``GET /v8/RestorePortalSettings`` without a token (the operation is anonymous), through the client's
    retrying send path."""
    try:
        settings = client.call(RESTORE_PORTAL_SETTINGS)
    except Vb365ServerError as exc:
        if exc.status is None or exc.status < 300:  # an answer that is not JSON
            settings = None
        else:
            raise
    if not isinstance(settings, dict):
        raise Vb365AuthenticationError('GET %s: the server answered without the Restore Portal settings'
                                       % client.shown_path(Request(RESTORE_PORTAL_SETTINGS)))
    return settings


class SignIn:
    """The token-request form of one sign-in method, handed to the client on every (re)login.

    ``assertion`` is the Microsoft token for ``operator`` and ``tenant``; ``application_id`` (tenant
    only) defaults to the Restore Portal's application from the server's settings.
    """

    def __init__(self, method='password', username=None, password=None, assertion=None, application_id=None):
        if method not in AUTH_METHODS:
            raise Vb365ParameterError('auth_method: %r is not one of %s' % (method, ', '.join(AUTH_METHODS)))
        self.method = method
        self.username = username
        self._password = password
        self._assertion = assertion
        self.application_id = application_id
        self.claims = None
        self.check()

    def check(self):
        """Refuse incomplete input before any request; read the assertion's user for the operator."""
        if self.method == 'password':
            missing = [name for name, value in (('username', self.username), ('password', self._password)) if not value]
            if missing:
                raise Vb365ParameterError('%s: required with auth_method=password' % ' and '.join(missing))
            return
        if not self._assertion:
            raise Vb365ParameterError(
                'assertion: required with auth_method=%s (a Microsoft identity platform token for the Restore '
                'Portal application; obtain one with the vb365.restore.sign_in action, or set VB365_ASSERTION)'
                % self.method)
        self.claims = jwt_claims(self._assertion)
        if self.method == 'operator':
            operator_client_id(self.claims)

    @property
    def label(self):
        """Who signs in, for messages (never a secret)."""
        if self.method == 'password':
            return self.username
        who = self.claims.get('preferred_username') or self.claims.get('upn') or self.claims.get('oid')
        return '%s %s' % ('restore operator' if self.method == 'operator' else 'tenant user', who)

    def secrets(self):
        return [value for value in (self._password, self._assertion) if value]

    def token_form(self, client):
        """The form fields of ``POST /v8/token`` for this method (exactly those the spec documents)."""
        if self.method == 'password':
            return grant_form('password', username=self.username, password=self._password)
        if self.method == 'operator':
            client_id = operator_client_id(self.claims)
        else:
            client_id = self.application_id or restore_portal_settings(client).get('applicationId')
            if not client_id:
                raise Vb365AuthenticationError('the server has no Restore Portal application configured; give '
                                               'application_id (the application the assertion was issued for)')
        return grant_form(GRANTS[self.method], client_id=client_id, assertion=self._assertion)


class _VerifyingSession(requests.Session if requests else object):
    """A requests session that passes its own ``verify`` on every request, so that
    ``REQUESTS_CA_BUNDLE`` in the environment cannot replace it."""

    def __init__(self, verify):
        super(_VerifyingSession, self).__init__()
        self._verify = verify

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        kwargs['verify'] = self._verify
        return super(_VerifyingSession, self).request(method, url, *args, **kwargs)


class DeviceCodeSignIn:
    """Microsoft's device code flow through MSAL: ``start()`` asks for a code, ``wait()`` polls until the
    person signed in, the code expired or ``timeout`` seconds passed.  The device code itself never leaves
    this object; the user code and address are meant to be shown to the person."""

    def __init__(self, application_id, authority, verify=True, timeout=60, msal_module=None):
        library = msal_module or msal
        if library is None:
            raise Vb365Error('the device code sign-in needs the Python library msal (%s) on the controller: '
                             'pip install "%s" (%s)' % (MSAL_REQUIREMENT, MSAL_REQUIREMENT, MSAL_IMPORT_ERROR))
        if not application_id or not authority:
            raise Vb365AuthenticationError('the server\'s Restore Portal settings give no application id or '
                                           'authority; is Restore Portal configured on the server?')
        self.application_id = application_id
        self.scopes = portal_scopes(application_id)
        try:
            self.app = library.PublicClientApplication(
                application_id, authority=authority, http_client=_VerifyingSession(verify), timeout=timeout,
                instance_discovery=False, validate_authority=False)
        except ValueError as exc:
            raise Vb365ConnectionError('the Microsoft identity platform at %s cannot be used: %s' % (authority, exc))
        except requests.exceptions.RequestException as exc:
            raise Vb365ConnectionError('cannot reach the Microsoft identity platform at %s: %s' % (authority, exc))
        self._flow = None

    def start(self):
        """Ask for a device code; returns what to show: ``user_code``, ``verification_uri``, ``expires_in``,
        ``message``."""
        try:
            flow = self.app.initiate_device_flow(scopes=self.scopes)
        except requests.exceptions.RequestException as exc:
            raise Vb365ConnectionError('cannot reach the Microsoft identity platform: %s' % exc)
        if 'user_code' not in flow:
            raise Vb365AuthenticationError('the Microsoft identity platform gave no device code: %s' % (
                flow.get('error_description') or flow.get('error') or 'no reason given'))
        self._flow = flow
        return {'user_code': flow['user_code'], 'verification_uri': flow.get('verification_uri'),
                'expires_in': flow.get('expires_in'), 'message': flow.get('message')}

    def wait(self, timeout, clock=None):
        """Poll until the person signed in; returns the Microsoft access token (the assertion)."""
        clock = clock or time.time
        flow = self._flow
        # MSAL polls until the flow's expires_at: bound it by the wait the user allows.
        flow['expires_at'] = min(float(flow.get('expires_at') or 0) or clock() + timeout, clock() + timeout)
        try:
            result = self.app.acquire_token_by_device_flow(flow)
        except requests.exceptions.RequestException as exc:
            raise Vb365ConnectionError('cannot reach the Microsoft identity platform: %s' % exc)
        if result.get('access_token'):
            return result['access_token']
        error = result.get('error') or 'no token'
        if error in ('authorization_pending', 'slow_down'):
            raise Vb365TimeoutError('nobody signed in with the device code within %d s (sign_in_timeout)' % timeout)
        if error in ('expired_token', 'code_expired'):
            raise Vb365AuthenticationError('the device code expired before anybody signed in with it; run the '
                                           'sign-in again')
        raise Vb365AuthenticationError('the Microsoft identity platform refused the sign-in: %s' % (
            result.get('error_description') or error))
