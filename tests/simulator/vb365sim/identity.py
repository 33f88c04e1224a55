"""A small simulated Microsoft identity platform, served by the simulator under ``/identity/``.

It knows the people of the Office 365 organizations of the dataset (one per mailbox owner, plus the
help desk operator), the Restore Portal application, device codes and the tokens it issued:

* ``GET  /identity/<tenant>/v2.0/.well-known/openid-configuration``
* ``POST /identity/<tenant>/oauth2/v2.0/devicecode``  (``client_id``, ``scope``)
* ``POST /identity/<tenant>/oauth2/v2.0/token``  (``grant_type=urn:ietf:params:oauth:grant-type:device_code``)

Tokens are JWT-shaped (header, claims, an opaque signature); the simulator accepts only tokens it
issued itself and that have not expired.  The person's part of a device code sign-in is played
through the control API (``POST /_sim/identity/signin``).
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import time

from .data import uid

PORTAL_APP_NAME = 'Veeam Restore Portal'
DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
HELPDESK = 'helpdesk@contoso.onmicrosoft.com'
# The operators of the dataset and what they may manage (EffectiveScope): users by email, teams by mail.
OPERATORS = {
    HELPDESK: {'users': ['alice@contoso.onmicrosoft.com', 'bob@contoso.onmicrosoft.com',
                         'carol@contoso.onmicrosoft.com'],
               'teams': ['finance@contoso.onmicrosoft.com']},
}
EXTRA_PEOPLE = {HELPDESK: 'Help Desk'}


def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data, separators=(',', ':')).encode()).rstrip(b'=').decode()


class Person:
    def __init__(self, oid, tid, email, name, org):
        self.oid, self.tid, self.email, self.name, self.org = oid, tid, email, name, org


class Directory:
    """People, tenants, the Restore Portal application, device codes and issued tokens."""

    def __init__(self, state):
        self.state = state
        dataset, seed = state.dataset, state.seed
        self.portal_app = uid(seed, 'application', 'restore-portal')
        self.tenants = {}  # tenant id -> organization
        self.people = {}  # email -> Person
        for org in dataset.organizations:
            if org.type != 'Office365':
                continue
            tid = uid(seed, 'tenant', org.name)
            self.tenants[tid] = org
            for mailbox in org.mailboxes:
                if mailbox.is_archive or mailbox.is_public or mailbox.email in self.people:
                    continue
                self.people[mailbox.email] = Person(uid(seed, 'user', mailbox.email), tid, mailbox.email,
                                                    mailbox.name, org)
        for email, name in EXTRA_PEOPLE.items():
            org = next(o for o in self.tenants.values() if email.endswith('@' + o.name))
            tid = next(t for t, o in self.tenants.items() if o is org)
            self.people[email] = Person(uid(seed, 'user', email), tid, email, name, org)
        self.codes = {}  # device code -> record
        self.tokens = {}  # token -> claims
        self.counters = {'device_codes': 0, 'tokens': 0, 'polls': 0}

    @property
    def base_url(self):
        return self.state.public_url  # set when the server starts

    # ------------------------------------------------------------------ addresses
    def authority(self):
        return '%s/identity/organizations' % (self.base_url or 'https://127.0.0.1')

    def verification_uri(self):
        return '%s/identity/devicelogin' % (self.base_url or 'https://127.0.0.1')

    def openid_configuration(self, tenant):
        root = '%s/identity/%s' % (self.base_url or 'https://127.0.0.1', tenant)
        return {'issuer': root + '/v2.0', 'authorization_endpoint': root + '/oauth2/v2.0/authorize',
                'token_endpoint': root + '/oauth2/v2.0/token',
                'device_authorization_endpoint': root + '/oauth2/v2.0/devicecode',
                'jwks_uri': root + '/discovery/v2.0/keys', 'response_types_supported': ['code'],
                'subject_types_supported': ['pairwise'], 'id_token_signing_alg_values_supported': ['RS256'],
                'scopes_supported': ['openid', 'profile', 'email', 'offline_access'],
                'tenant_region_scope': 'WW'}

    # ------------------------------------------------------------------ tokens
    def issue(self, person, audience, client_id, scope, lifetime=3600):
        """A JWT-shaped Microsoft access token for ``person`` (kept, so that it can be checked)."""
        moment = int(time.time())
        claims = {'aud': audience, 'iss': 'https://sts.simulated.example/%s/' % person.tid, 'iat': moment,
                  'nbf': moment, 'exp': moment + int(lifetime), 'oid': person.oid, 'tid': person.tid,
                  'preferred_username': person.email, 'upn': person.email, 'name': person.name,
                  'appid': client_id, 'scp': scope}
        token = '%s.%s.%s' % (_b64({'typ': 'JWT', 'alg': 'RS256'}), _b64(claims), secrets.token_urlsafe(32))
        self.tokens[token] = claims
        self.counters['tokens'] += 1
        return token

    def check(self, token):
        """The claims of a token this platform issued and that is still valid, else None."""
        claims = self.tokens.get(token or '')
        if claims is None or claims['exp'] <= time.time():
            return None
        return claims

    def person_of(self, claims):
        for person in self.people.values():
            if person.oid == claims.get('oid'):
                return person
        return None

    def _id_token(self, person, client_id):
        moment = int(time.time())
        claims = {'aud': client_id, 'iss': 'https://sts.simulated.example/%s/v2.0' % person.tid, 'iat': moment,
                  'nbf': moment, 'exp': moment + 3600, 'oid': person.oid, 'tid': person.tid,
                  'preferred_username': person.email, 'name': person.name, 'sub': person.oid}
        return '%s.%s.' % (_b64({'typ': 'JWT', 'alg': 'none'}), _b64(claims))

    # ------------------------------------------------------------------ device codes
    def new_code(self, client_id, scope, purpose, session_id=None):
        alphabet = string.ascii_uppercase + string.digits
        record = {'device_code': secrets.token_urlsafe(24),
                  'user_code': ''.join(secrets.choice(alphabet) for position in range(9)),
                  'client_id': client_id, 'scope': scope, 'purpose': purpose, 'session': session_id,
                  'expires_at': time.time() + float(self.state.config.get('device_code_lifetime') or 900),
                  'signed_in_by': None, 'redeemed': False}
        self.codes[record['device_code']] = record
        self.counters['device_codes'] += 1
        return record

    def code_by_user_code(self, user_code):
        for record in self.codes.values():
            if record['user_code'] == user_code:
                return record
        return None

    @staticmethod
    def expired(record):
        return record['expires_at'] <= time.time()

    def sign_in(self, user_code, email):
        """The person's step: sign in with a user code.  (status, answer) for the control API."""
        record = self.code_by_user_code(user_code)
        if record is None:
            return 404, {'message': 'no device code %s' % user_code}
        if self.expired(record):
            return 400, {'message': 'the code %s has expired' % user_code}
        person = self.people.get(str(email or '').lower())
        if person is None:
            return 404, {'message': 'no person %s in the directory' % email}
        record['signed_in_by'] = person.email
        return 200, {'ok': True, 'user_code': user_code, 'user': person.email}

    def control_codes(self):
        return [{'user_code': r['user_code'], 'client_id': r['client_id'], 'scope': r['scope'],
                 'purpose': r['purpose'], 'session': r['session'], 'signed_in_by': r['signed_in_by'],
                 'expired': self.expired(r), 'redeemed': r['redeemed']} for r in self.codes.values()]

    def control(self, method, name, body):
        """(status, answer) of ``/_sim/identity[/...]``."""
        body = body or {}
        if name in ('', 'identity'):
            return 200, {'authority': self.authority(), 'restore_portal_application_id': self.portal_app,
                         'tenants': dict((o.name, t) for t, o in self.tenants.items()),
                         'operators': OPERATORS, **self.counters}
        if name == 'codes':
            return 200, self.control_codes()
        if name == 'signin' and method == 'POST':
            return self.sign_in(body.get('user_code'), body.get('user'))
        if name == 'expire' and method == 'POST':
            record = self.code_by_user_code(body.get('user_code'))
            if record is None:
                return 404, {'message': 'no device code %s' % body.get('user_code')}
            record['expires_at'] = 0
            return 200, {'ok': True}
        if name == 'assertion' and method == 'POST':
            person = self.people.get(str(body.get('user') or '').lower())
            if person is None:
                return 404, {'message': 'no person %s in the directory' % body.get('user')}
            app = body.get('application_id') or self.portal_app
            token = self.issue(person, 'api://%s' % app, app, 'access_as_user', body.get('lifetime') or 3600)
            return 200, {'assertion': token, 'oid': person.oid, 'tid': person.tid}
        return 404, {'message': 'unknown identity control endpoint %s %s' % (method, name)}

    # ------------------------------------------------------------------ HTTP
    def handle(self, method, path, form):
        """(status, JSON answer) of a request to ``/identity/...`` (OAuth-style errors)."""
        parts = path.strip('/').split('/')[1:]  # after "identity"
        if method == 'GET' and len(parts) == 4 and parts[1:] == ['v2.0', '.well-known', 'openid-configuration']:
            return 200, self.openid_configuration(parts[0])
        if method == 'POST' and len(parts) == 4 and parts[1:3] == ['oauth2', 'v2.0']:
            if parts[3] == 'devicecode':
                return self._devicecode(form)
            if parts[3] == 'token':
                return self._token(form)
        return 404, {'error': 'not_found', 'error_description': 'no such endpoint: %s %s' % (method, path)}

    def _devicecode(self, form):
        client_id, scope = form.get('client_id'), form.get('scope') or ''
        if client_id != self.portal_app:
            return 400, {'error': 'unauthorized_client',
                         'error_description': 'AADSTS700016: application %s was not found.' % client_id}
        if 'api://%s/access_as_user' % self.portal_app not in scope.split():
            return 400, {'error': 'invalid_scope', 'error_description': 'the scope must include '
                                                                        'api://%s/access_as_user' % self.portal_app}
        record = self.new_code(client_id, scope, 'sign-in')
        lifetime = int(record['expires_at'] - time.time() + 0.5)
        return 200, {'device_code': record['device_code'], 'user_code': record['user_code'],
                     'verification_uri': self.verification_uri(), 'expires_in': lifetime, 'interval': 1,
                     'message': 'To sign in, use a web browser to open the page %s and enter the code %s to '
                                'authenticate.' % (self.verification_uri(), record['user_code'])}

    def _token(self, form):
        self.counters['polls'] += 1
        if form.get('grant_type') != DEVICE_GRANT:
            return 400, {'error': 'unsupported_grant_type', 'error_description': 'only the device code grant is '
                                                                                 'simulated'}
        record = self.codes.get(form.get('device_code') or '')
        if record is None or record['client_id'] != form.get('client_id'):
            return 400, {'error': 'invalid_grant', 'error_description': 'unknown device code'}
        if self.expired(record):
            return 400, {'error': 'expired_token', 'error_description': 'AADSTS70020: the device code expired.'}
        if record['redeemed']:
            return 400, {'error': 'invalid_grant', 'error_description': 'the device code was already used'}
        if not record['signed_in_by']:
            return 400, {'error': 'authorization_pending',
                         'error_description': 'AADSTS70016: the user has not yet signed in.'}
        record['redeemed'] = True
        person = self.people[record['signed_in_by']]
        app = record['client_id']
        access = self.issue(person, 'api://%s' % app, app, 'access_as_user')
        client_info = _b64({'uid': person.oid, 'utid': person.tid})
        return 200, {'token_type': 'Bearer', 'scope': 'api://%s/access_as_user' % app, 'expires_in': 3600,
                     'ext_expires_in': 3600, 'access_token': access, 'id_token': self._id_token(person, app),
                     'client_info': client_info}
