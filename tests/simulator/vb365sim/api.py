"""The simulated VB365 v8 API: state and one handler per operation of the spec.

Handlers receive a ``Context`` (matched path template, path parameters, query, JSON or form
body) and return a ``Reply``.  HTTP, TLS, validation and faults are the server's business
(server.py).  Handlers run under the state lock; restores finish in a background thread.
"""

from __future__ import annotations

import base64
import binascii
import collections
import secrets
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from email.utils import format_datetime, parsedate_to_datetime

from . import exports, smtp_settings, sources
from .identity import Directory
from .data import FIRST_BACKUP, LAST_BACKUP, Dataset, iso, parse_time, record_key
from .models import CHOICES, DEFAULT_MODEL, choices_of
from .query import QueryError, compile_query

V8 = '/v8'
RS = V8 + '/RestoreSessions/{restoreSessionId}'
MB = RS + '/organization/mailboxes/{mailboxId}'
MAX_LIMIT = 10000
DEFAULT_LIMIT = 30
GIB = 1 << 30
REQUEST_LOG_SIZE = 200000  # the oldest entries of the request log go first
SECRET_FIELDS = frozenset({
    'password', 'userPassword', 'office365UserPassword', 'onPremisesUserPassword', 'applicationCertificate',
    'applicationCertificatePassword', 'refresh_token', 'access_token', 'userCode', 'assertion', 'client_secret',
    'clientSecret', 'code',
})
DEFAULT_CONFIG = {
    'latency_ms': 0, 'token_lifetime': 3600, 'restore_delay_ms': 300, 'export_size_bytes': None,
    'pst_limit_scale': 1, 'outlook_installed': True, 'email_settings_configured': True, 'strict': True,
    'device_code_lifetime': 900,
    'primary_repository_lost': False, 'email_put_mode': 'replace',
    'restore_points_model': 'oldest_first_inclusive', 'copy_points_job': 'backup_job',
    'server_model': DEFAULT_MODEL,
}
DEFAULT_CONFIG.update((name, None) for name in CHOICES)  # None: as the server model says
ERROR_CODES = {400: 'ParameterValidationFailure', 401: 'ResourceAccessDenied', 403: 'ResourceAccessDenied',
               404: 'ResourceNotFound', 409: 'OperationConflict', 500: 'HttpError'}


class ApiError(Exception):
    """An error answer: ``{message, errorCode, stackTrace: null}`` with this status."""

    def __init__(self, status, message, code=None):
        super().__init__(message)
        self.status, self.message = status, message
        self.code = code or ERROR_CODES.get(status)


class Reply:
    def __init__(self, status=200, body=None, headers=None, stream=None, export=None, spec_body=None):
        self.status, self.body, self.headers = status, body, headers or {}
        self.stream, self.export = stream, export
        # What is checked against the spec instead of ``body`` (a documented departure, see models.py).
        self.spec_body = spec_body


def now():
    return datetime.now(timezone.utc)


def redact(data):
    """A copy of a request body with the value of every secret field replaced by ********."""
    if isinstance(data, dict):
        return dict((k, '********' if k in SECRET_FIELDS and v not in (None, '') else redact(v)) for k, v in data.items())
    if isinstance(data, list):
        return [redact(v) for v in data]
    return data


def _flag(value):
    return str(value).lower() in ('1', 'true', 'yes')


class State:
    """Everything the simulator knows; guarded by one lock."""

    def __init__(self, username, password, seed=1, bulk_mailboxes=1000, **config):
        self.username, self._password = username, password
        self.seed, self.bulk_mailboxes = seed, bulk_mailboxes
        self.lock = threading.RLock()
        self.dataset = Dataset(seed=seed, bulk_mailboxes=bulk_mailboxes)
        self.catalog = sources.Catalog(self.dataset, seed=seed)
        self.config = dict(DEFAULT_CONFIG)
        self.config.update(dict((k, v) for k, v in config.items() if v is not None))
        self._initial_config = dict(self.config)
        self.generation = 0
        self.public_url = None  # https://host:port, once the server listens
        self.reset()

    def reset(self):
        """Back to the seeded state: production, sessions, tokens, config, faults and logs."""
        with self.lock:
            self.generation += 1  # restores still running from before the reset drop their work
            self.config = dict(self._initial_config)
            self.production = self.dataset.production()
            self.tokens = {}  # access token -> (user, expiry, refresh token)
            self.refresh_tokens = {}  # refresh token -> user
            self.counters = {'logins': 0, 'refreshes': 0, 'logouts': 0, 'failed_logins': 0}
            self.sessions = {}
            self.sets = collections.OrderedDict()
            self.faults = []
            self.requests = collections.deque(maxlen=REQUEST_LOG_SIZE)
            self.violations = []
            self.sent = []
            self.exports = []
            self.email_settings, self.email_password_set, self.oauth_requests = smtp_settings.initial_state()
            self.directory = Directory(self)  # the simulated Microsoft identity platform (identity.py)
            self.operations = []  # every restore call, whichever session id it answered with

    def choice(self, name):
        """The value of one server-model choice: set on its own, or the model's."""
        value = self.config.get(name)
        return choices_of(self.config.get('server_model') or DEFAULT_MODEL)[name] if value is None else value

    # ------------------------------------------------------------------ tokens
    def issue_tokens(self, user):
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        lifetime = int(self.config['token_lifetime'])
        issued = now()
        self.tokens[access] = (user, time.time() + lifetime, refresh)
        self.refresh_tokens[refresh] = user
        stamp = iso if self.choice('token_times') == 'iso8601' else (lambda m: format_datetime(m, usegmt=True))
        return {'access_token': access, 'refresh_token': refresh, 'token_type': 'bearer', 'expires_in': lifetime,
                'userName': user, '.issued': stamp(issued), '.expires': stamp(issued + timedelta(seconds=lifetime))}

    def check_bearer(self, header):
        if not header or not header.lower().startswith('bearer '):
            raise ApiError(401, 'Authorization has been denied for this request.')
        token = header.split(' ', 1)[1].strip()
        entry = self.tokens.get(token)
        if entry is None:
            raise ApiError(401, 'Authorization has been denied for this request.')
        if time.time() >= entry[1]:
            raise ApiError(401, 'The access token has expired.')
        return token, entry[0]

    def check_password(self, username, password):
        return (secrets.compare_digest(str(username or '').lower().encode(), self.username.lower().encode())
                and secrets.compare_digest(str(password or '').encode(), self._password.encode()))

    def live_tokens(self):
        moment = time.time()
        return sum(1 for entry in self.tokens.values() if entry[1] > moment)


class Api:
    """One method per operation; ``routes`` maps (method, template) to them."""

    def __init__(self, state):
        self.s = state
        self.routes = {
            ('POST', V8 + '/token'): self.token,
            ('POST', V8 + '/token/logout'): self.logout,
            ('GET', V8 + '/Organizations'): self.organizations,
            ('GET', V8 + '/Organizations/{organizationId}'): self.organization,
            ('POST', V8 + '/Organizations/{organizationId}/explore'): self.explore,
            ('GET', V8 + '/RestoreSessions'): self.sessions,
            ('GET', RS): self.session,
            ('POST', RS + '/Stop'): self.stop,
            ('GET', RS + '/Events'): self.events,
            ('GET', RS + '/Events/{eventId}'): self.event,
            ('GET', RS + '/Statistics'): self.statistics,
            ('GET', RS + '/organization'): self.session_organization,
            ('GET', RS + '/organization/mailboxes'): self.mailboxes,
            ('GET', MB): self.mailbox,
            ('GET', MB + '/folders'): self.folders,
            ('GET', MB + '/folders/{folderId}'): self.folder,
            ('GET', MB + '/items'): self.items,
            ('GET', MB + '/items/{itemId}'): self.item,
            ('POST', RS + '/organization/searchExchange'): self.search,
            ('POST', RS + '/organization/mailboxes/search'): self.search,
            ('POST', MB + '/search'): self.search,
            ('POST', MB + '/folders/{folderId}/search'): self.search,
            ('POST', RS + '/organization/mailboxes/restore'): self.restore,
            ('POST', MB + '/restore'): self.restore,
            ('POST', MB + '/restoreTo'): self.restore,
            ('POST', MB + '/folders/{folderId}/restore'): self.restore,
            ('POST', MB + '/folders/{folderId}/restoreTo'): self.restore,
            ('POST', MB + '/items/restore'): self.restore,
            ('POST', MB + '/items/restoreTo'): self.restore,
            ('POST', MB + '/items/{itemId}/restore'): self.restore,
            ('POST', MB + '/items/{itemId}/restoreTo'): self.restore,
            ('POST', MB + '/items/operatorRestore'): self.restore,
            ('POST', MB + '/items/sendToDefaultAddress'): self.send,
            ('POST', MB + '/items/sendToDifferentAddress'): self.send,
            ('POST', MB + '/items/{itemId}/sendToDefaultAddress'): self.send,
            ('POST', MB + '/items/{itemId}/sendToDifferentAddress'): self.send,
            ('POST', RS + '/organization/exportToPst'): self.export,
            ('POST', MB + '/exportToPst'): self.export,
            ('POST', MB + '/folders/{folderId}/exportToPst'): self.export,
            ('POST', MB + '/items/exportToPst'): self.export,
            ('POST', MB + '/items/{itemId}/exportToPst'): self.export,
            ('POST', MB + '/items/Save'): self.export,
            ('POST', MB + '/items/{itemId}/save'): self.export,
        }
        self.email = smtp_settings.EmailApi(self)
        self.routes.update(self.email.routes())
        self.routes.update(sources.SourceApi(self).routes())
        # operators.py builds on this module, so it is imported here, once the module is loaded.
        from . import operators  # pylint: disable=import-outside-toplevel
        operators.install(self)  # restore operators, tenants, device codes; guards every handler

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def page(results, query, set_id=None, render=None):
        """One page of ``results``: offset/limit (default 30, at most 10,000), no total count."""
        offset = max(0, int(query.get('offset') or 0))
        limit = query.get('limit')
        limit = DEFAULT_LIMIT if limit in (None, '') else max(0, min(int(limit), MAX_LIMIT))
        chosen = results[offset:offset + limit]
        body = {'offset': offset, 'limit': limit, 'results': [render(r) for r in chosen] if render else list(chosen)}
        if set_id:
            body['setId'] = set_id
        return Reply(200, body)

    def _session(self, params, browsing=True):
        """The restore session of the path; ``browsing``: an Exchange session that is still open."""
        session = self.s.sessions.get(params['restoreSessionId'].lower())
        if session is None:
            raise ApiError(404, 'Restore session with ID %s was not found.' % params['restoreSessionId'])
        if browsing:
            if session['_kind'] != 'explore':
                raise ApiError(400, 'The restore session %s describes a restore operation; it cannot be explored.'
                               % session['id'])
            if session['state'] != 'Working':
                raise ApiError(int(self.s.choice('stopped_session')), 'The restore session %s is stopped.' % session['id'])
        return session

    def _org_of(self, session):
        return self.s.dataset.by_org[session['_org']]

    def _scoped(self, session):
        """The mailboxes a session shows: its organization's, or those of a restore operator's scope."""
        scope = session.get('_scope')
        mailboxes = self._org_of(session).mailboxes
        return mailboxes if scope is None else [m for m in mailboxes if m.id in scope]

    def _mailbox(self, session, mailbox_id):
        wanted = str(mailbox_id).lower()
        for mailbox in self._org_of(session).mailboxes:
            if mailbox.id == wanted:
                return mailbox
        raise ApiError(404, 'Mailbox with ID %s was not found in this restore session.' % mailbox_id)

    @staticmethod
    def visible(session, mailbox):
        """The items a session shows: backed up by its point in time; deleted ones only with
        showDeleted, older versions only with showAllVersions."""
        pit = session['_pit']
        deleted, versions = session['_deleted'], session['_all_versions']
        shown = []
        for item in mailbox.items:
            if item.backed_up_at > pit:
                continue
            if item.old_version and not versions:
                continue
            if item.deleted_at is not None and item.deleted_at <= pit and not deleted:
                continue
            shown.append(item)
        return shown

    @staticmethod
    def deleted_in_view(session, item):
        return item.deleted_at is not None and item.deleted_at <= session['_pit']

    @staticmethod
    def _folder(mailbox, folder_id):
        folder = mailbox.folders.get(folder_id)
        if folder is None:
            raise ApiError(404, 'Folder with ID %s was not found.' % folder_id)
        return folder

    @staticmethod
    def _under(mailbox, folder):
        """Ids of a folder and all its subfolders."""
        prefix = folder.path.lower() + '/'
        return set(f.id for f in mailbox.folders.values() if f.id == folder.id or f.path.lower().startswith(prefix))

    def _scope_items(self, session, mailbox, ctx, body, what):
        """(items, folder) that a mailbox-, folder-, item- or items-level action works on."""
        shown = self.visible(session, mailbox)
        params = ctx.params
        if 'folderId' in params:
            folder = self._folder(mailbox, params['folderId'])
            under = self._under(mailbox, folder)
            return [i for i in shown if i.folder_id in under], folder
        if 'itemId' in params:
            found = [i for i in shown if i.id == params['itemId']]
            if not found:
                raise ApiError(404, 'Item with ID %s was not found in mailbox %s.' % (params['itemId'], mailbox.email))
            return found, None
        if ctx.template.split('/')[-2] == 'items':  # .../items/restore, /items/Save, ...
            wanted = [str((i or {}).get('id')) for i in body.get('items') or []]
            if not wanted:
                raise ApiError(400, 'items: specify the IDs of the items to %s.' % what)
            by_id = dict((i.id, i) for i in shown)
            missing = [w for w in wanted if w not in by_id]
            if missing:
                raise ApiError(404, 'Items were not found in mailbox %s: %s' % (mailbox.email, ', '.join(missing[:5])))
            return [by_id[w] for w in dict.fromkeys(wanted)], None
        return shown, None

    # ------------------------------------------------------------------ auth
    def token(self, ctx):
        form = ctx.form
        grant = form.get('grant_type') or 'password'
        if str(form.get('disable_antiforgery_token') or '').lower() != 'true':
            # Outside a browser there is no antiforgery cookie: every grant must turn the check off.
            raise ApiError(400, 'The antiforgery token is missing: send disable_antiforgery_token=true outside a '
                                'browser.', 'ResourceAccessDenied')
        if grant == 'password':
            if not self.s.check_password(form.get('username'), form.get('password')):
                self.s.counters['failed_logins'] += 1
                return self._token_refused('Invalid user name or password.')
            self.s.counters['logins'] += 1
            return self._tokens(self.s.username)
        if grant == 'refresh_token':
            user = self.s.refresh_tokens.pop(form.get('refresh_token') or '', None)
            if user is None:
                return self._token_refused('The refresh token is invalid, expired or already used.')
            self.s.counters['refreshes'] += 1
            return self._tokens(user)
        raise ApiError(400, 'grant_type: %s is not simulated (password and refresh_token are).' % grant)

    def _token_refused(self, message):
        if self.s.choice('invalid_password') == 'oauth':
            return Reply(400, {'error': 'invalid_grant'})
        raise ApiError(400, message, 'ResourceAccessDenied')

    def _tokens(self, user):
        answer = self.s.issue_tokens(user)
        if self.s.choice('token_times') == 'iso8601':
            return Reply(200, answer)
        # RFC 1123 is what OWIN-based servers write; the spec says date-time, so the check sees ISO 8601.
        moments = dict((k, iso(parsedate_to_datetime(answer[k]))) for k in ('.issued', '.expires'))
        return Reply(200, answer, spec_body=dict(answer, **moments))

    def logout(self, ctx):
        entry = self.s.tokens.pop(ctx.token, None)
        if entry is not None:
            self.s.refresh_tokens.pop(entry[2], None)
        self.s.counters['logouts'] += 1
        return Reply(204)

    # ------------------------------------------------------------------ organizations and sessions
    def organizations(self, ctx):
        return self.page(self.s.dataset.organizations, ctx.query, render=lambda o: o.api())

    def _organization(self, organization_id):
        org = self.s.dataset.by_org.get(organization_id.lower())
        if org is None:
            raise ApiError(404, 'Organization with ID %s was not found.' % organization_id)
        return org

    def organization(self, ctx):
        return Reply(200, self._organization(ctx.params['organizationId']).api())

    def _new_session(self, org, name, kind, **extra):
        sid = str(uuid.uuid4())
        session = {'id': sid, 'name': name, 'organization': org.name, 'type': 'Vex', 'creationTime': iso(now()),
                   'endTime': None, 'state': 'Working', 'result': 'Success', 'initiatedBy': self.s.username,
                   'details': '', 'clientHost': '127.0.0.1', 'eTag': 1, '_kind': kind, '_org': org.id,
                   '_events': [], '_statistics': None, '_seq': len(self.s.sessions)}
        session.update(extra)
        self.s.sessions[sid] = session
        return session

    def explore(self, ctx):
        org = self._organization(ctx.params['organizationId'])
        body = ctx.json or {}
        if body.get('type') not in (None, 'Vex'):
            raise ApiError(400, 'type: only Exchange (Vex) restore sessions are simulated, not %s.' % body['type'])
        if body.get('dateTime'):
            try:
                pit = parse_time(body['dateTime'])
            except ValueError:
                raise ApiError(400, 'dateTime: %r is not a date and time.' % body['dateTime'])
            if pit < FIRST_BACKUP:
                raise ApiError(400, 'dateTime: there is no backup of %s before %s.' % (org.name, iso(FIRST_BACKUP)))
            pit = min(pit, LAST_BACKUP)
        else:
            pit = LAST_BACKUP  # null: the latest restore point
        session = self._new_session(
            org, 'Exchange restore session of %s' % org.name, 'explore', _pit=pit,
            _deleted=bool(body.get('showDeleted')), _all_versions=bool(body.get('showAllVersions')),
            _requested={'dateTime': body.get('dateTime'), 'showDeleted': body.get('showDeleted'),
                        'showAllVersions': body.get('showAllVersions')},
            details='Point in time: %s' % iso(pit))
        return Reply(201, self.public(session))

    @staticmethod
    def public(session):
        return dict((k, v) for k, v in session.items() if not k.startswith('_') and v is not None)

    @classmethod
    def control_view(cls, session):
        """A session as GET /_sim/sessions shows it: the API fields and what the simulator knows."""
        view = dict(cls.public(session), kind=session['_kind'])
        if session['_kind'] == 'explore':
            view.update(pointInTime=iso(session['_pit']), showDeleted=session['_deleted'],
                        showAllVersions=session['_all_versions'], requested=session['_requested'],
                        source=session.get('_source') or {'kind': 'organization'})
        else:
            view.update(parentSessionId=session['_parent'], operation=session['_operation'],
                        options=redact(session['_options']))
        return view

    def sessions(self, ctx):
        query = ctx.query
        found = list(self.s.sessions.values())
        for key, field, lower in (('startTimeFrom', 'creationTime', True), ('startTimeTo', 'creationTime', False),
                                  ('endTimeFrom', 'endTime', True), ('endTimeTo', 'endTime', False)):
            if query.get(key):
                try:
                    bound = parse_time(query[key])
                except ValueError:
                    raise ApiError(400, '%s: %r is not a date and time.' % (key, query[key]))
                found = [s for s in found
                         if s.get(field) and (parse_time(s[field]) >= bound if lower else parse_time(s[field]) <= bound)]
        order = 'endTime' if query.get('orderBy') == 'EndTime' else 'creationTime'
        ascending = str(query.get('orderAsc', 'true')).lower() == 'true'
        found.sort(key=lambda s: (s.get(order) or '', s['_seq']), reverse=not ascending)
        return self.page(found, query, render=self.public)

    def session(self, ctx):
        return Reply(200, self.public(self._session(ctx.params, browsing=False)))

    def stop(self, ctx):
        session = self._session(ctx.params, browsing=False)
        if session['state'] != 'Stopped':
            session.update(state='Stopped', endTime=iso(now()), eTag=session['eTag'] + 1)
            if session['_kind'] == 'operation':
                session['_stop_requested'] = True
        return Reply(204)

    def events(self, ctx):
        session = self._session(ctx.params, browsing=False)
        return self.page(session['_events'], ctx.query, render=dict)

    def event(self, ctx):
        session = self._session(ctx.params, browsing=False)
        for event in session['_events']:
            if event['id'] == ctx.params['eventId'].lower():
                return Reply(200, dict(event))
        raise ApiError(404, 'Event with ID %s was not found.' % ctx.params['eventId'])

    def statistics(self, ctx):
        session = self._session(ctx.params, browsing=False)
        stats = session['_statistics'] or {'totalItemsCount': 0, 'restoredItemsCount': 0, 'failedItemsCount': 0,
                                           'skippedItemsCount': 0, 'warnings': [], 'errors': [], 'items': []}
        return Reply(200, stats)

    def session_organization(self, ctx):
        org = self._org_of(self._session(ctx.params, browsing=False))
        return Reply(200, {'id': org.id, 'name': org.name, 'type': org.type})

    # ------------------------------------------------------------------ browsing
    def mailboxes(self, ctx):
        session = self._session(ctx.params)
        return self.page(self._scoped(session), ctx.query, render=lambda m: m.api())

    def mailbox(self, ctx):
        session = self._session(ctx.params)
        return Reply(200, self._mailbox(session, ctx.params['mailboxId']).api())

    def folders(self, ctx):
        session = self._session(ctx.params)
        mailbox = self._mailbox(session, ctx.params['mailboxId'])
        parent = ctx.query.get('parentId')
        if parent:
            self._folder(mailbox, parent)
        found = [f for f in mailbox.folders.values() if f.parent_id == (parent or None)]
        if ctx.query.get('name'):
            found = [f for f in found if f.name.lower() == ctx.query['name'].lower()]
        return self.page(found, ctx.query, render=lambda f: f.api(mailbox.id))

    def folder(self, ctx):
        session = self._session(ctx.params)
        mailbox = self._mailbox(session, ctx.params['mailboxId'])
        return Reply(200, self._folder(mailbox, ctx.params['folderId']).api(mailbox.id))

    def items(self, ctx):
        session = self._session(ctx.params)
        mailbox = self._mailbox(session, ctx.params['mailboxId'])
        shown = self.visible(session, mailbox)
        parent = ctx.query.get('parentId')
        if parent:
            self._folder(mailbox, parent)
            shown = [i for i in shown if i.folder_id == parent]
        return self.page(shown, ctx.query, render=lambda i: i.api())

    def item(self, ctx):
        session = self._session(ctx.params)
        mailbox = self._mailbox(session, ctx.params['mailboxId'])
        for item in self.visible(session, mailbox):
            if item.id == ctx.params['itemId']:
                return Reply(200, item.api())
        raise ApiError(404, 'Item with ID %s was not found in mailbox %s.' % (ctx.params['itemId'], mailbox.email))

    def search(self, ctx):
        session = self._session(ctx.params)
        set_id = ctx.query.get('setId')
        if set_id:
            cached = self.s.sets.get(set_id.lower())
            if cached is None or cached[0] != session['id']:
                raise ApiError(404, 'Search set %s was not found in restore session %s.' % (set_id, session['id']))
            return self.page(cached[1], ctx.query, set_id.lower(), render=lambda i: i.api())
        try:
            test = compile_query((ctx.json or {}).get('query'))
        except QueryError as exc:
            raise ApiError(400, 'query: %s' % exc)
        if 'mailboxId' in ctx.params:
            scope = [self._mailbox(session, ctx.params['mailboxId'])]
        else:
            scope = self._scoped(session)
        folder_ids = None
        if 'folderId' in ctx.params:
            folder_ids = self._under(scope[0], self._folder(scope[0], ctx.params['folderId']))
        results = [item for mailbox in scope for item in self.visible(session, mailbox)
                   if (folder_ids is None or item.folder_id in folder_ids) and test(item)]
        if ctx.template.endswith('searchExchange'):  # the spec gives this one no setId
            return self.page(results, ctx.query, render=lambda i: i.api())
        new_id = str(uuid.uuid4())
        self.s.sets[new_id] = (session['id'], results)
        while len(self.s.sets) > 200:  # keep the latest 200 result sets
            self.s.sets.popitem(last=False)
        return self.page(results, ctx.query, new_id, render=lambda i: i.api())

    # ------------------------------------------------------------------ restores
    @staticmethod
    def check_credentials(body, bulk, org):
        """Exactly one Exchange credential method; on-premises fields all or none."""
        user, password = ('office365UserName', 'office365UserPassword') if bulk else ('userName', 'userPassword')
        methods = {
            'user name and password (%s, %s)' % (user, password): [user, password],
            'device code (userCode)': ['userCode'],
            'application (applicationId, applicationCertificate, impersonationAccountName)':
                ['applicationId', 'applicationCertificate', 'impersonationAccountName'],
        }
        optional = {'applicationCertificatePassword': 'applicationCertificate'}
        given = [name for name, fields in methods.items() if any(body.get(f) not in (None, '') for f in fields)]
        for extra, needs in optional.items():
            if body.get(extra) not in (None, '') and body.get(needs) in (None, ''):
                raise ApiError(400, '%s: goes with %s, which is missing.' % (extra, needs))
        onprem_fields = ['domainName', 'onPremisesUserName', 'onPremisesUserPassword']
        onprem = [f for f in onprem_fields if body.get(f) not in (None, '')]
        if onprem and len(onprem) != 3:
            raise ApiError(400, 'On-premises credentials need all of domainName, onPremisesUserName and '
                                'onPremisesUserPassword; missing: %s.' % ', '.join(f for f in onprem_fields if f not in onprem))
        if org.type == 'OnPremises' and bulk and onprem and not given:
            return  # an on-premises organization: the on-premises account is the credential
        if len(given) != 1:
            if not given:
                fields = ' or '.join(methods) + (' or on-premises credentials' if bulk and org.type == 'OnPremises' else '')
                raise ApiError(400, 'Specify the credentials to restore to Exchange with: %s.' % fields)
            raise ApiError(400, 'Specify exactly one credential method for Exchange, not %s.' % ' and '.join(given))
        (method,) = given
        missing = [f for f in methods[method] if body.get(f) in (None, '')]
        if missing:
            raise ApiError(400, '%s: missing for the %s method.' % (', '.join(missing), method.split(' (')[0]))
        if body.get('applicationCertificate'):
            try:
                base64.b64decode(body['applicationCertificate'], validate=True)
            except (binascii.Error, ValueError):
                raise ApiError(400, 'applicationCertificate: not a base64 string.')

    def restore(self, ctx):
        session = self._session(ctx.params)
        org = self._org_of(session)
        body = ctx.json or {}
        template = ctx.template
        operator = template.endswith('/operatorRestore')
        bulk = template.endswith('/organization/mailboxes/restore')
        to_other = template.endswith('/restoreTo')
        if not operator:
            self.check_credentials(body, bulk, org)
        jobs = []  # [(mailbox, items or None (all visible), folder or None)]
        if bulk:
            ids = [str((m or {}).get('id')) for m in body.get('mailboxes') or []]
            if not ids:
                raise ApiError(400, 'mailboxes: specify the IDs of the mailboxes to restore.')
            for mailbox_id in dict.fromkeys(ids):
                jobs.append((self._mailbox(session, mailbox_id), None, None))
            operation = 'mailboxes'
        else:
            mailbox = self._mailbox(session, ctx.params['mailboxId'])
            items, folder = self._scope_items(session, mailbox, ctx, body, 'restore')
            if 'folderId' in ctx.params:
                operation = 'folder'
            elif '/items/' in template:
                operation = 'items'
            else:
                operation, items = 'mailbox', None
            jobs.append((mailbox, items, folder))
        target = None
        if to_other:
            if not body.get('mailbox'):
                raise ApiError(400, 'mailbox: specify the email address of the mailbox to restore to.')
            target = {'mailbox': body['mailbox'], 'folder': body.get('folder'),
                      'organization': body.get('officeOrganizationName')}
        elif operator:
            target = {'mailbox': None, 'folder': body.get('folder') or 'Restored Items', 'organization': None}
        if operation == 'items':
            count = len(jobs[0][1])
            what = '%d item%s' % (count, '' if count == 1 else 's')
        elif operation == 'folder':
            what = 'folder %s' % jobs[0][2].path
        else:
            what = '%d mailbox%s' % (len(jobs), '' if len(jobs) == 1 else 'es')
        name = '%s of %s from %s' % ('Operator restore' if operator else 'Restore', what, session['name'])
        extra = dict(_parent=session['id'], _operation=ctx.template.rsplit('/', 1)[-1], _options=dict(body),
                     _stop_requested=False)
        if self.s.choice('restore_session_id') == 'parent':
            # The operation lives in the explore session: its events join that session's.
            op = dict(id=session['id'], name=name, state='Working', result='Success', eTag=1, creationTime=iso(now()),
                      endTime=None, _kind='operation', _org=session['_org'], _events=session['_events'],
                      _statistics=None, _shared=session, **extra)
        else:
            op = self._new_session(org, name, 'operation', _shared=None, **extra)
        if operator and body.get('reason'):
            op['reason'] = body['reason']
        self.s.operations.append(op)
        # The first mailbox's event exists as soon as the call returns: Running.
        op['_first_event'] = self._event(op, len(op['_events']) + 1, jobs[0][0], target, now())
        op['_events'].append(op['_first_event'])
        thread = threading.Thread(target=self._run_restore, name='restore-%s' % op['id'][:8],
                                  args=(session, op, jobs, target, dict(body), operation, self.s.generation),
                                  daemon=True)
        thread.start()
        return Reply(200, {'sessionId': op['id']})

    @staticmethod
    def _excluded(item, opts, pit):
        """Items the restore leaves out entirely (not counted)."""
        if opts.get('excludeDrafts') and item.folder_path == 'Drafts':
            return True
        if opts.get('excludeDeletedItems') and item.folder_path == 'Deleted Items':
            return True
        if opts.get('excludeInPlaceHoldItems') and item.hold == 'in_place':
            return True
        if opts.get('excludeLitigationHoldItems') and item.hold == 'litigation':
            return True
        period = opts.get('recentItemRestorePeriod')
        if period and item.received is not None and item.received < pit - timedelta(days=int(period)):
            return True
        return False

    def _target_mailbox(self, session, target):
        """(mailbox key, error) of a restoreTo target."""
        orgs = [self._org_of(session)]
        if target.get('organization'):
            name = target['organization'].lower()
            orgs = [o for o in self.s.dataset.organizations if name in (o.name.lower(), o.office_name.lower())]
            if not orgs:
                return None, 'Cannot restore to %s: organization %s not found.' % (target['mailbox'], target['organization'])
        email = target['mailbox'].lower()
        for org in orgs:
            for mailbox in org.mailboxes:
                if mailbox.email.lower() == email and not mailbox.is_archive:
                    return mailbox, None
        return None, 'Cannot restore to %s: mailbox not found in organization %s.' % (target['mailbox'], orgs[0].name)

    def _run_restore(self, session, op, jobs, target, opts, operation, generation):
        """The asynchronous part of a restore: one event per mailbox, then statistics and result."""
        state = self.s
        delay = float(state.config.get('restore_delay_ms') or 0) / 1000.0
        step = delay / max(1, len(jobs))
        pit = session['_pit']
        per_mailbox, per_item, warnings = [], [], []
        stopped = False
        for index, (mailbox, items, _folder) in enumerate(jobs):
            with state.lock:
                if state.generation != generation:
                    return
                shared = op['_shared']
                if (op['_stop_requested'] or (shared is not None and shared['state'] == 'Stopped')) and index > 0:
                    stopped = True  # the first mailbox began when the call returned (Running): it finishes
                if index == 0:
                    event = op['_first_event']
                    started = parse_time(event['startTime'])
                else:
                    started = now()
                    event = self._event(op, len(op['_events']) + 1, mailbox, target, started)
                    op['_events'].append(event)
                if stopped:
                    event.update(status='Cancelled', endTime=iso(started), message='Stopped by the user before it began.')
                    continue
            if step:
                time.sleep(step)
            with state.lock:
                if state.generation != generation:
                    return
                counts, details, error, notes = self._restore_mailbox(session, mailbox, items, target, opts, pit,
                                                                      operation)
                warnings.extend(notes)
                status = 'Failed' if error else ('Warning' if counts['failed'] else 'Success')
                ended = now()
                event.update(status=status, endTime=iso(ended), duration=_duration(ended - started),
                             message=error or self._counts_message(mailbox, counts))
                per_mailbox.append((mailbox, counts, status, error))
                per_item.extend(details)
        with state.lock:
            if state.generation != generation:
                return
            op['_statistics'] = self._statistics(per_mailbox, per_item, warnings, stopped, operation)
            failed = any(status == 'Failed' for _m, _c, status, _e in per_mailbox)
            warned = stopped or any(status == 'Warning' for _m, _c, status, _e in per_mailbox)
            op.update(result='Failed' if failed else ('Warning' if warned else 'Success'), eTag=op['eTag'] + 1)
            if op['state'] != 'Stopped':
                op.update(state='Stopped', endTime=iso(now()))
            shared = op['_shared']
            if shared is not None:
                # The explore session keeps the worst result so far; its statistics are the latest
                # operation's or the sums over all of them, as the model says.
                if self.s.choice('statistics_scope') == 'session' and shared['_statistics']:
                    shared['_statistics'] = _add_statistics(shared['_statistics'], op['_statistics'])
                else:
                    shared['_statistics'] = op['_statistics']
                order = {'Success': 0, 'Warning': 1, 'Failed': 2}
                shared.update(result=max(shared['result'], op['result'], key=order.get), eTag=shared['eTag'] + 1)

    def _restore_mailbox(self, session, mailbox, items, target, opts, pit, operation):
        """Apply one mailbox's part of a restore to production; (counts, item details, error, warnings)."""
        counts = {'created': 0, 'merged': 0, 'failed': 0, 'skipped': 0}
        details, notes = [], []
        if mailbox.broken:
            return counts, details, 'Cannot open mailbox %s: the mailbox cannot be processed (access denied).' % (
                mailbox.email), notes
        destination, prefix = mailbox, None
        if target is not None:
            if target.get('mailbox'):
                destination, error = self._target_mailbox(session, target)
                if error:
                    return counts, details, error, notes
            if target.get('folder'):
                prefix = target['folder'].strip('/')
        production = self.s.production.setdefault(destination.key, {})
        scope = self.visible(session, mailbox) if items is None else items
        newest = {}
        for item in scope:
            if item.key not in newest or item.version > newest[item.key].version:
                newest[item.key] = item
        unread = bool(opts.get('markRestoredAsUnread'))
        for item in scope:
            if self._excluded(item, opts, pit):
                continue
            folder = '%s/%s' % (prefix, item.folder_path) if prefix else item.folder_path
            if newest[item.key] is not item:
                outcome = 'skipped'  # an older version; the newest one in scope is restored
            elif self.deleted_in_view(session, item) and opts.get('deletedItems') is False:
                outcome = 'skipped'
            elif '[corrupt]' in (item.subject or ''):
                outcome = 'failed'
                notes.append('%s: item "%s" could not be restored: the item is corrupted in the backup.' % (
                    mailbox.email, item.subject))
            else:
                key = record_key(folder, item.key)
                record = production.get(key)
                if record is None:
                    production[key] = {'id': item.key, 'subject': item.subject, 'folder': folder,
                                       'version': item.version, 'unread': unread, 'class': item.cls}
                    outcome = 'created'
                elif record['version'] != item.version and opts.get('changedItems') is not False:
                    record.update(version=item.version, subject=item.subject, unread=unread)
                    outcome = 'merged'
                else:
                    outcome = 'skipped'
            counts[outcome] += 1
            if operation == 'items':
                detail = {'id': item.id, 'name': item.subject or item.id, 'title': item.subject or item.id,
                          'itemType': 'ExchangeMailbox', 'itemRestoreDetailsType': 'Item',
                          'status': {'failed': 'Failed', 'skipped': 'Skipped'}.get(outcome, 'Success'),
                          'path': '%s/%s' % (destination.email, folder), 'warnings': []}
                if outcome == 'failed':
                    detail['error'] = 'The item is corrupted in the backup.'
                details.append(detail)
        return counts, details, None, notes

    def _counts_message(self, mailbox, counts):
        if self.s.choice('restore_counts') == 'event':
            return 'Restored mailbox %s: %d created, %d merged, %d failed, %d skipped.' % (
                mailbox.email, counts['created'], counts['merged'], counts['failed'], counts['skipped'])
        return '%s: created %d, merged %d, failed %d, skipped %d items.' % (
            mailbox.email, counts['created'], counts['merged'], counts['failed'], counts['skipped'])

    def _statistics(self, per_mailbox, per_item, warnings, stopped, operation):
        """The statistics of one operation: BulkMailbox entries for a bulk restore (every restore when the
        model says so), Item entries for item restores; no counts at all when the model keeps them in
        the events' messages."""
        counted = self.s.choice('restore_counts') == 'statistics'
        with_mailboxes = counted and (operation == 'mailboxes' or self.s.choice('mailbox_statistics') == 'every')
        items = []
        for mailbox, counts, status, error in per_mailbox:
            if not with_mailboxes:
                continue
            detail = {'id': mailbox.id, 'name': mailbox.name, 'title': 'Mailbox %s' % mailbox.email,
                      'itemType': 'ExchangeMailbox', 'status': status, 'itemRestoreDetailsType': 'BulkMailbox',
                      'mailboxEmail': mailbox.email, 'mailboxIsArchive': mailbox.is_archive,
                      'mailboxIsPublic': mailbox.is_public, 'createdMailboxItemsCount': counts['created'],
                      'mergedMailboxItemsCount': counts['merged'], 'failedMailboxItemsCount': counts['failed'],
                      'skippedMailboxItemsCount': counts['skipped'], 'warnings': []}
            if error:
                detail.update(cannotContinueMailboxError=error, error=error)
            items.append(detail)
        if counted:
            items.extend(per_item)  # item restores: one Item entry per item after the mailbox summaries
        total = dict((k, sum(c[k] for _m, c, _s, _e in per_mailbox) if counted else 0)
                     for k in ('created', 'merged', 'failed', 'skipped'))
        notes = list(warnings)
        if stopped:
            notes.append('The restore was stopped before every mailbox was processed.')
        return {'totalItemsCount': sum(total.values()), 'restoredItemsCount': total['created'] + total['merged'],
                'failedItemsCount': total['failed'], 'skippedItemsCount': total['skipped'], 'warnings': notes,
                'errors': [e for _m, _c, _s, e in per_mailbox if e], 'items': items}

    @staticmethod
    def _event(op, order, mailbox, target, started):
        destination = mailbox.email
        if target is not None:
            destination = '%s%s' % (target.get('mailbox') or mailbox.email,
                                    '/' + target['folder'].strip('/') if target.get('folder') else '')
        return {'id': str(uuid.uuid4()), 'type': 'Restore', 'status': 'Running', 'startTime': iso(started),
                'endTime': None, 'duration': '00:00:00', 'title': 'Restore of mailbox %s' % mailbox.email,
                'message': 'Restoring mailbox %s to %s.' % (mailbox.email, destination), 'order': order,
                'itemName': mailbox.email, 'itemType': 'Mailbox', 'source': mailbox.email, 'target': destination,
                'organizationId': op['_org']}

    # ------------------------------------------------------------------ sending
    def _email_ready(self):
        return self.email.ready()

    def send(self, ctx):
        session = self._session(ctx.params)
        mailbox = self._mailbox(session, ctx.params['mailboxId'])
        if not self._email_ready():
            raise ApiError(400, 'Cannot send items: email settings for Veeam Explorer for Microsoft Exchange are not '
                                'configured (VexEmailSettings).')
        body = ctx.json or {}
        items, _folder = self._scope_items(session, mailbox, ctx, body, 'send')
        different = ctx.template.endswith('sendToDifferentAddress')
        if different and not body.get('to'):
            raise ApiError(400, 'to: specify the address to send the items to.')
        names = [exports.safe_name(i.subject, i.id) + '.msg' for i in items]
        self.s.sent.append({
            'to': body['to'] if different else mailbox.email,
            'from': body.get('from') or self.s.email_settings.get('from'),
            'subject': body.get('subject') or 'Restored items from Veeam Backup for Microsoft 365',
            'text': body.get('text') or '', 'items': [i.id for i in items], 'attachments': names,
            'mailbox': mailbox.email, 'time': iso(now()),
        })
        return Reply(204)

    # ------------------------------------------------------------------ exports
    def range_honoured(self, record):
        """Whether a download answers "Range: bytes=N-": every one, or (as the model says) the mailbox export only."""
        return self.s.choice('download_range') == 'every' or record['scope'].startswith('mailbox:')

    @classmethod
    def operation_view(cls, op):
        """A restore call as GET /_sim/operations shows it."""
        return {'sessionId': op['id'], 'parentSessionId': op['_parent'], 'operation': op['_operation'],
                'options': redact(op['_options']), 'name': op['name'], 'state': op['state'], 'result': op['result'],
                'ownSession': op['_shared'] is None}

    def export(self, ctx):
        session = self._session(ctx.params)
        org = self._org_of(session)
        body = ctx.json or {}
        template = ctx.template
        msg = template.lower().endswith('/save')
        if not msg and not self.s.config.get('outlook_installed'):
            raise ApiError(500, 'Cannot export data to a PST file: a 64-bit version of Microsoft Outlook 2016, '
                                'Microsoft Outlook 2013 or Microsoft Outlook 2010 must be installed on the computer '
                                'running restore sessions.', 'HttpError')
        if 'mailboxId' in ctx.params:
            mailbox = self._mailbox(session, ctx.params['mailboxId'])
            shown, folder = self._scope_items(session, mailbox, ctx, body, 'export')
            if folder is not None:
                scope, base = 'folder:%s:%s' % (mailbox.key, folder.path), exports.safe_name(folder.name, 'folder')
            elif 'itemId' in ctx.params:
                scope = 'item:%s:%s' % (mailbox.key, shown[0].id)
                base = exports.safe_name(shown[0].subject, 'item') if msg else shown[0].id
            elif template.split('/')[-2] == 'items':
                scope = 'items:%s:%s' % (mailbox.key, ','.join(sorted(i.id for i in shown)))
                base = exports.safe_name(shown[0].subject, 'item') if msg and len(shown) == 1 else 'items'
            else:
                scope, base = 'mailbox:%s' % mailbox.key, exports.safe_name(mailbox.email.split('@')[0], 'mailbox')
        else:
            shown = [i for m in org.mailboxes for i in self.visible(session, m)]
            scope, base = 'organization:%s' % org.name, org.office_name
        keyword = body.get('contentKeyword')
        if keyword:
            low = keyword.lower()
            shown = [i for i in shown if low in (i.subject or '').lower() or low in (i.body or '').lower()]
            scope += ':keyword=%s' % low
        if not shown:
            raise ApiError(404, 'There is nothing to export: no item is in scope.')
        scope += ':pit=%s' % iso(session['_pit'])
        override = self.s.config.get('export_size_bytes')
        size = int(override) if override else sum(i.size or 0 for i in shown)
        kind = 'msg' if msg else 'pst'
        part_limit = None
        members = None
        if msg and len(shown) > 1:
            sizes = [i.size or 0 for i in shown]
            if override:
                sizes = [size // len(shown)] * len(shown)
                sizes[-1] += size - sum(sizes)
            members = [(i.id, i.subject or i.id, s) for i, s in zip(shown, sizes)]
        elif not msg and body.get('enablePstSizeLimit'):
            limit = body.get('pstSizeLimitBytes')
            if limit is None:
                raise ApiError(400, 'pstSizeLimitBytes: required when enablePstSizeLimit is true.')
            if not GIB <= int(limit) <= 49 * GIB:
                raise ApiError(400, 'pstSizeLimitBytes: the PST size limit must be from 1 GB to 49 GB '
                                    '(1073741824 to 52613349376 bytes), not %s.' % limit)
            part_limit = max(1, int(limit) // max(1, int(self.s.config.get('pst_limit_scale') or 1)))
        stream, filename = exports.build(scope, size, kind, base, part_limit, members)
        record = {'scope': scope, 'size': stream.size, 'content_size': size, 'kind': kind, 'filename': filename,
                  'parts': isinstance(stream, exports.Zip), 'part_limit': part_limit,
                  'members': [m[0] for m in stream.members] if isinstance(stream, exports.Zip) else None,
                  'items': len(shown), 'sha256': None, 'status': None, 'range_start': 0, 'bytes_sent': 0,
                  'complete': False, '_stream': stream}
        self.s.exports.append(record)
        return Reply(200, stream=stream, export=record,
                     headers={'Content-Disposition': 'attachment; filename="%s"' % filename})


def _add_statistics(before, latest):
    """Statistics summed over two operations of one session."""
    total = dict(before)
    for key in ('totalItemsCount', 'restoredItemsCount', 'failedItemsCount', 'skippedItemsCount'):
        total[key] = before[key] + latest[key]
    for key in ('warnings', 'errors', 'items'):
        total[key] = list(before.get(key) or []) + list(latest.get(key) or [])
    return total


def _duration(delta):
    seconds = int(delta.total_seconds())
    return '%02d:%02d:%02d' % (seconds // 3600, seconds % 3600 // 60, seconds % 60)
