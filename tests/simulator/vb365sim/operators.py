"""Restore operators and tenants in the simulated VB365 API.

* the token grants ``operator`` and ``urn:ietf:params:oauth:grant-type:jwt-bearer`` (the assertion must
  be a token of the simulated identity platform, ``identity.py``);
* ``GET /v8/RestorePortalSettings`` (anonymous), ``/v8/Organization``, ``.../LoggedInUser``,
  ``.../OperatorInfo``, ``.../EffectiveScope``;
* ``POST /v8/Organization/OperatorExplore`` (a session limited to the scope) and ``/v8/Organization/Explore``;
* ``POST .../organization/restoreDeviceCode`` (a code that the control API signs in, or that expires);
* who may call what: ``install()`` wraps every handler of the API with ``guard``.
"""

from __future__ import annotations

import copy
import time

from .api import RS, V8, ApiError, Reply
from .data import uid
from .identity import OPERATORS

JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
ANONYMOUS = frozenset((V8 + '/token', V8 + '/RestorePortalSettings'))
ORG = V8 + '/Organization'
# Administration: not for restore operators nor tenant users.
ADMIN_ONLY = frozenset((V8 + '/Organizations', V8 + '/Organizations/{organizationId}',
                        V8 + '/Organizations/{organizationId}/explore', V8 + '/RestoreSessions',
                        V8 + '/VexEmailSettings'))
# Restore Portal and tenant resources: not for a VB365 administrator.
PORTAL_ONLY = frozenset((ORG, ORG + '/LoggedInUser', ORG + '/LoggedInUser/OperatorInfo',
                         ORG + '/LoggedInUser/EffectiveScope', ORG + '/Explore', ORG + '/OperatorExplore'))
# What a restore operator's session allows besides browsing: the operator restore, stopping it, reading results.
OPERATOR_WRITES = ('/operatorRestore', '/search', '/Stop', '/searchExchange')


class Principal:
    """Who holds a VB365 token: ``admin``, ``operator`` or ``tenant`` (with the Microsoft person)."""

    def __init__(self, kind, key, person=None):
        self.kind, self.key, self.person = kind, key, person


class Operators:
    def __init__(self, api):
        self.api = api
        self.s = api.s

    @property
    def directory(self):
        return self.s.directory

    # ------------------------------------------------------------------ who is calling
    def principal(self, ctx):
        if ctx.token is None:
            return None
        user = self.s.tokens[ctx.token][0]
        for kind in ('operator', 'tenant'):
            if user.startswith(kind + ':'):
                return Principal(kind, user, self.directory.people[user.split(':', 1)[1]])
        return Principal('admin', user)

    def owner_of(self, session):
        return session.get('_owner') or self.s.username

    # ------------------------------------------------------------------ tokens
    def token(self, ctx):
        form = ctx.form
        grant = form.get('grant_type') or 'password'
        if grant not in ('operator', JWT_BEARER) or str(form.get('disable_antiforgery_token') or '').lower() != 'true':
            return self.api.token(ctx)  # the other grants, and the antiforgery rule of every grant
        for field in ('client_id', 'assertion'):
            if not form.get(field):
                self.s.counters['failed_logins'] += 1
                raise ApiError(400, '%s: required with grant_type %s.' % (field, grant), 'ResourceAccessDenied')
        claims = self.directory.check(form['assertion'])
        person = self.directory.person_of(claims) if claims else None
        if person is None:
            self.s.counters['failed_logins'] += 1
            raise ApiError(400, 'The assertion is not valid: not issued by the Microsoft identity platform or '
                                'expired.', 'ResourceAccessDenied')
        if grant == 'operator':
            if claims['aud'] not in ('api://%s' % self.directory.portal_app, self.directory.portal_app):
                self.s.counters['failed_logins'] += 1
                raise ApiError(400, 'The assertion was not issued for the Restore Portal application.',
                               'ResourceAccessDenied')
            expected = '%s.%s' % (person.oid, person.tid)
            if form['client_id'] != expected:
                self.s.counters['failed_logins'] += 1
                raise ApiError(400, 'client_id: must be <userId>.<tenantId> of the signed-in user.',
                               'ResourceAccessDenied')
        else:
            if claims['aud'] not in ('api://%s' % form['client_id'], form['client_id']):
                self.s.counters['failed_logins'] += 1
                raise ApiError(400, 'client_id: the assertion was not issued for application %s.'
                               % form['client_id'], 'ResourceAccessDenied')
        self.s.counters['logins'] += 1
        tokens = self.s.issue_tokens('%s:%s' % ('operator' if grant == 'operator' else 'tenant', person.email))
        tokens['userName'] = person.email
        return Reply(200, tokens)

    # ------------------------------------------------------------------ portal resources
    def portal_settings(self, ctx):
        return Reply(200, {'applicationId': self.directory.portal_app, 'msalAuthorityUri': self.directory.authority(),
                           'restorePortalUri': self.s.public_url or 'https://127.0.0.1', 'isEnabled': True})

    def organization(self, ctx):
        org = self.principal(ctx).person.org
        data = org.api()
        return Reply(200, dict((k, data[k]) for k in ('id', 'name', 'description', 'type', 'isBackedup',
                                                      'firstBackuptime', 'lastBackuptime')))

    def logged_in_user(self, ctx):
        person = self.principal(ctx).person
        return Reply(200, {'id': person.oid, 'name': person.email})

    def operator_info(self, ctx):
        person = self.principal(ctx).person
        return Reply(200, {'isOperator': self.principal(ctx).kind == 'operator' and person.email in OPERATORS})

    def scope_items(self, person):
        """The EffectiveScope answer, and for each item id the mailbox emails it covers."""
        managed = OPERATORS.get(person.email) if person else None
        users, teams, covers = [], [], {}
        for email in (managed or {}).get('users', []):
            member = self.directory.people[email]
            users.append({'type': 'User', 'id': member.oid, 'user': {
                'id': member.oid, 'displayName': member.name, 'name': member.email, 'type': 'User'}})
            covers[member.oid] = {email}
        for mail in (managed or {}).get('teams', []):
            team_id = uid(self.s.seed, 'team', mail)
            team = self.directory.people.get(mail)
            name = team.name if team else mail
            teams.append({'type': 'Team', 'id': team_id, 'team': {
                'id': team_id, 'description': 'Team of %s' % name, 'displayName': name, 'mail': mail}})
            covers[team_id] = {mail}
        return {'users': users, 'sites': [], 'teams': teams}, covers

    def effective_scope(self, ctx):
        principal = self.principal(ctx)
        scope, _covers = self.scope_items(principal.person if principal.kind == 'operator' else None)
        return Reply(200, scope)

    def _explore_as(self, ctx, org, principal, body):
        """Open a session of ``org`` with the API's own explore, owned by ``principal``."""
        inner = copy.copy(ctx)
        inner.params = {'organizationId': org.id}
        inner.json = {k: body.get(k) for k in ('dateTime', 'type', 'showDeleted', 'showAllVersions') if k in body}
        reply = self.api.explore(inner)
        session = self.s.sessions[reply.body['id']]
        session.update(_owner=principal.key, initiatedBy=principal.person.email)
        return session

    def tenant_explore(self, ctx):
        principal = self.principal(ctx)
        if principal.kind != 'tenant':
            raise ApiError(403, 'A restore operator opens restore sessions with Organization/OperatorExplore.')
        session = self._explore_as(ctx, principal.person.org, principal, ctx.json or {})
        return Reply(201, self.api.public(session))

    def operator_explore(self, ctx):
        principal = self.principal(ctx)
        person = principal.person
        if principal.kind != 'operator' or person.email not in OPERATORS:
            raise ApiError(403, 'The signed-in user %s is not a restore operator.' % person.email)
        body = ctx.json or {}
        wanted = (body.get('scope') or {}).get('id')
        if not wanted:
            raise ApiError(400, 'scope: specify the user, group, site or team to restore data of.')
        scope, covers = self.scope_items(person)
        if wanted not in covers:
            raise ApiError(403, 'scope: %s is not among the objects the restore operator may manage.' % wanted)
        name = next(i.get('user', {}).get('name') or i.get('team', {}).get('mail')
                    for i in scope['users'] + scope['teams'] if i['id'] == wanted)
        session = self._explore_as(ctx, person.org, principal, body)
        session.update(_operator=True, scopeName=name, name='Restore Portal session of %s by %s' % (name, person.email),
                       _scope=set(m.id for m in person.org.mailboxes if m.email in covers[wanted]))
        if body.get('reason'):
            session['reason'] = body['reason']
        return Reply(201, self.api.public(session))

    # ------------------------------------------------------------------ device codes for Exchange
    def restore_device_code(self, ctx):
        session = self.api._session(ctx.params)  # pylint: disable=protected-access
        body = ctx.json or {}
        client_id = body.get('targetApplicationId') or self.directory.portal_app
        record = self.directory.new_code(client_id, 'Exchange restore', 'exchange', session['id'])
        record['target'] = {'region': body.get('targetRegion'), 'organization': body.get('targetOrganizationName')}
        verification = self.directory.verification_uri()
        lifetime = int(record['expires_at'] - time.time() + 0.5)
        return Reply(200, {'userCode': record['user_code'], 'verificationUrl': verification, 'expiresIn': lifetime,
                           'message': 'To sign in, open the page %s and enter the code %s to authenticate.'
                                      % (verification, record['user_code'])})

    # ------------------------------------------------------------------ who may call what
    def guard(self, method, template, handler):
        def guarded(ctx):
            principal = self.principal(ctx)
            if principal is not None:
                self._allow(method, template, ctx, principal)
            reply = handler(ctx)
            if principal is not None and reply.status == 200 and isinstance(reply.body, dict) \
                    and reply.body.get('sessionId') in self.s.sessions:
                # A restore's own session belongs to whoever started it.
                operation = self.s.sessions[reply.body['sessionId']]
                parent = self.s.sessions.get(ctx.params.get('restoreSessionId', '').lower())
                if parent is not None and parent.get('_owner'):
                    operation.update(_owner=parent['_owner'], initiatedBy=parent['initiatedBy'])
            return reply
        return guarded

    def _allow(self, method, template, ctx, principal):
        if principal.kind == 'admin' and template in PORTAL_ONLY:
            raise ApiError(403, '%s %s is for Restore Portal operators and tenant users; sign in with the operator '
                                'or jwt-bearer grant.' % (method, template))
        if principal.kind != 'admin' and template in ADMIN_ONLY:
            raise ApiError(403, '%s %s is not available to a %s.' % (
                method, template, 'restore operator' if principal.kind == 'operator' else 'tenant user'))
        if 'restoreSessionId' not in ctx.params:
            return
        session = self.s.sessions.get(ctx.params['restoreSessionId'].lower())
        if session is None:
            return  # the handler answers 404
        if principal.kind != 'admin' and self.owner_of(session) != principal.key:
            raise ApiError(404, 'Restore session with ID %s was not found.' % ctx.params['restoreSessionId'])
        operator_session = bool(session.get('_operator'))
        if template.endswith('/operatorRestore') and not operator_session:
            raise ApiError(403, 'operatorRestore needs a restore session created by a restore operator '
                                '(Organization/OperatorExplore).')
        if operator_session and method != 'GET' and not template.endswith(OPERATOR_WRITES):
            raise ApiError(403, 'A restore operator restores items to their original mailbox with operatorRestore; '
                                '%s is not allowed in a Restore Portal session.' % template.rsplit('/', 1)[-1])
        mailbox_id = ctx.params.get('mailboxId')
        if operator_session and mailbox_id and mailbox_id.lower() not in session['_scope']:
            if template.endswith('/operatorRestore'):
                raise ApiError(403, 'The mailbox %s is outside the scope of this restore session (%s).'
                               % (mailbox_id, session.get('scopeName')))
            raise ApiError(404, 'Mailbox with ID %s was not found in this restore session.' % mailbox_id)
        code = (ctx.json or {}).get('userCode')
        if code:
            self._check_user_code(code)

    def _check_user_code(self, code):
        """A device code this server issued must be signed in with, and not expired; others pass (a code
        from elsewhere cannot be told apart)."""
        record = self.directory.code_by_user_code(code)
        if record is None:
            return
        if self.directory.expired(record):
            raise ApiError(400, 'userCode: the device code has expired; obtain a new one with restoreDeviceCode.')
        if not record['signed_in_by']:
            raise ApiError(400, 'userCode: nobody has signed in with the device code yet.')


def install(api):
    """Add the operator and tenant operations to ``api.routes`` and guard every handler."""
    ops = Operators(api)
    api.routes.update({
        ('POST', V8 + '/token'): ops.token,
        ('GET', V8 + '/RestorePortalSettings'): ops.portal_settings,
        ('GET', ORG): ops.organization,
        ('GET', ORG + '/LoggedInUser'): ops.logged_in_user,
        ('GET', ORG + '/LoggedInUser/OperatorInfo'): ops.operator_info,
        ('GET', ORG + '/LoggedInUser/EffectiveScope'): ops.effective_scope,
        ('POST', ORG + '/Explore'): ops.tenant_explore,
        ('POST', ORG + '/OperatorExplore'): ops.operator_explore,
        ('POST', RS + '/organization/restoreDeviceCode'): ops.restore_device_code,
    })
    for key, handler in list(api.routes.items()):
        api.routes[key] = ops.guard(key[0], key[1], handler)
    return ops
