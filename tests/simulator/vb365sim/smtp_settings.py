"""The Exchange email settings (``/v8/VexEmailSettings``) that sends use: read, change, test message
and the two-step Microsoft 365 / Google OAuth sign-in.

- ``GET`` answers ``RESTSmtpSettings``; the password is never part of it.
- ``PUT`` (``RestSmtpSettingsFromClient``) replaces the settings: a field left out is emptied
  (knob ``email_put_mode: replace``, the default) or kept (``merge``).  The password is kept when
  ``userPassword`` is left out in both modes (the server never shows it, so a client cannot send it
  back).  ``useAuthentication`` needs a user name and a password (sent now or kept); notifications
  need a server.  ``requestId`` + ``userId`` of a completed OAuth sign-in switch the settings to that
  account (``authenticationType`` Microsoft365 or GoogleGmail, ``isAuthenticated``); without them
  the settings are ``CustomSmtp``.
- ``PrepareOAuthSignIn`` answers a ``requestId`` and a ``signInUrl`` whose ``state`` names the
  request; ``GET /_sim/oauth`` plays the person who signs in: it lists each request with the
  ``code`` and ``state`` the identity platform would put in the redirect.  ``CompleteOAuthSignIn``
  takes them and answers the request id and the account's ``userId``.
- ``SendTestEmail`` (``{"email"}``) needs working settings and adds a message with ``kind: test``
  to ``/_sim/sent``.
"""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import quote

DEFAULT_EMAIL_SETTINGS = {
    'enableNotification': True, 'server': 'smtp.contoso.example', 'port': 587, 'from': 'restore@contoso.example',
    'useAuthentication': True, 'useSSL': True, 'username': 'restore@contoso.example',
    'authenticationType': 'CustomSmtp',
}
PLAIN_FIELDS = ('username', 'enableNotification', 'server', 'port', 'from', 'useAuthentication', 'useSSL',
                'userId', 'mailApiUrl')
EMPTY = {'enableNotification': False, 'useAuthentication': False, 'useSSL': False}


def initial_state():
    """(settings, password is set, OAuth requests) after a reset."""
    return dict(DEFAULT_EMAIL_SETTINGS), True, {}


class EmailApi:
    def __init__(self, api):
        self.api = api
        self.s = api.s

    def routes(self):
        from .api import V8
        base = V8 + '/VexEmailSettings'
        return {
            ('GET', base): self.get,
            ('PUT', base): self.put,
            ('POST', base + '/PrepareOAuthSignIn'): self.prepare,
            ('POST', base + '/CompleteOAuthSignIn'): self.complete,
            ('POST', base + '/SendTestEmail'): self.test,
        }

    def ready(self):
        settings = self.s.email_settings
        return bool(self.s.config.get('email_settings_configured') and settings.get('enableNotification')
                    and (settings.get('server') or settings.get('isAuthenticated')))

    def get(self, ctx):
        from .api import Reply
        settings = dict((k, v) for k, v in self.s.email_settings.items() if v is not None)
        if not self.s.config.get('email_settings_configured'):
            settings.update(enableNotification=False, server='')
        return Reply(200, settings)

    def put(self, ctx):
        from .api import ApiError, Reply
        body = dict(ctx.json or {})
        current = self.s.email_settings
        if self.s.config.get('email_put_mode') == 'merge':
            new = dict(current)
        else:
            new = dict((k, EMPTY.get(k)) for k in PLAIN_FIELDS)
            new['authenticationType'] = 'CustomSmtp'
        new.update((k, body[k]) for k in PLAIN_FIELDS if k in body)
        password_set = self.s.email_password_set
        if body.get('userPassword') not in (None, ''):
            password_set = True
        oauth = None
        if body.get('requestId'):
            oauth = self.s.oauth_requests.get(body['requestId'])
            if oauth is None or not oauth.get('userId'):
                raise ApiError(400, 'requestId: no completed sign-in request %s.' % body['requestId'])
            if body.get('userId') not in (None, oauth['userId']):
                raise ApiError(400, 'userId: the sign-in request %s signed in %s.' % (body['requestId'], oauth['userId']))
            new.update(authenticationType=oauth['kind'], clientId=oauth['clientId'], tenantId=oauth.get('tenantId'),
                       userId=oauth['userId'], isAuthenticated=True)
        elif current.get('isAuthenticated') and new.get('userId') and new.get('userId') == current.get('userId'):
            for key in ('authenticationType', 'clientId', 'tenantId', 'isAuthenticated'):
                new[key] = current.get(key)
        else:
            new.update(authenticationType='CustomSmtp', clientId=None, tenantId=None, userId=None, isAuthenticated=None)
        if new['authenticationType'] == 'CustomSmtp':
            if new.get('useAuthentication') and not new.get('username'):
                raise ApiError(400, 'username: the SMTP server requires authentication; specify the user name.')
            if new.get('useAuthentication') and not password_set:
                raise ApiError(400, 'userPassword: the SMTP server requires authentication; specify the password.')
            if new.get('enableNotification') and not new.get('server'):
                raise ApiError(400, 'server: specify the SMTP server that sends email messages.')
        if new.get('port') is not None and not 0 < int(new['port']) < 65536:
            raise ApiError(400, 'port: %s is not a TCP port.' % new['port'])
        self.s.email_settings = new
        self.s.email_password_set = password_set
        self.s.config['email_settings_configured'] = bool(new.get('enableNotification')
                                                          and (new.get('server') or new.get('isAuthenticated')))
        return Reply(204)

    def prepare(self, ctx):
        from .api import ApiError, Reply
        body = ctx.json or {}
        kind = body.get('authenticationServiceKind') or 'Microsoft365'
        missing = [f for f in ('clientId', 'clientSecret', 'redirectUrl') if not body.get(f)]
        if kind == 'Microsoft365' and not body.get('tenantId'):
            missing.append('tenantId')
        if missing:
            raise ApiError(400, '%s: required to prepare a %s sign-in.' % (', '.join(missing), kind))
        request_id, state = str(uuid.uuid4()), secrets.token_urlsafe(16)
        if kind == 'Microsoft365':
            url = 'https://login.microsoftonline.com/%s/oauth2/v2.0/authorize' % quote(body['tenantId'], safe='')
        else:
            url = 'https://accounts.google.com/o/oauth2/v2/auth'
        url += '?client_id=%s&response_type=code&redirect_uri=%s&state=%s' % (
            quote(body['clientId'], safe=''), quote(body['redirectUrl'], safe=''), state)
        self.s.oauth_requests[request_id] = {
            'requestId': request_id, 'kind': kind, 'clientId': body['clientId'], 'tenantId': body.get('tenantId'),
            'redirectUrl': body['redirectUrl'], 'state': state, 'code': secrets.token_urlsafe(24), 'userId': None}
        return Reply(200, {'requestId': request_id, 'signInUrl': url})

    def complete(self, ctx):
        from .api import ApiError, Reply
        body = ctx.json or {}
        found = [r for r in self.s.oauth_requests.values() if r['state'] == body.get('state')]
        if not found:
            raise ApiError(400, 'state: no sign-in request is waiting for this state.')
        request = found[0]
        if not secrets.compare_digest(str(body.get('code') or ''), request['code']):
            raise ApiError(400, 'code: the authorization code is not valid for this sign-in request.')
        request['userId'] = str(uuid.uuid5(uuid.NAMESPACE_URL, 'mailer:%s' % request['clientId']))
        return Reply(200, {'requestId': request['requestId'], 'userId': request['userId']})

    def test(self, ctx):
        from .api import ApiError, Reply
        from .data import iso
        from .api import now
        body = ctx.json or {}
        if not body.get('email'):
            raise ApiError(400, 'email: specify the address to send the test message to.')
        if not self.ready():
            raise ApiError(400, 'Cannot send a test message: email settings for Veeam Explorer for Microsoft '
                                'Exchange are not configured (VexEmailSettings).')
        self.s.sent.append({'kind': 'test', 'to': body['email'], 'from': self.s.email_settings.get('from'),
                            'subject': 'Veeam Explorer for Microsoft Exchange test message', 'text': '',
                            'items': [], 'attachments': [], 'mailbox': None, 'time': iso(now())})
        return Reply(204)

    def oauth_view(self):
        """GET /_sim/oauth: what the identity platform would redirect to for each sign-in request."""
        return [dict((k, r[k]) for k in ('requestId', 'kind', 'clientId', 'tenantId', 'redirectUrl', 'state', 'code',
                                         'userId')) for r in self.s.oauth_requests.values()]
