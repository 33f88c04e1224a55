"""The simulated VB365 v8 API: state and one handler per operation of the spec.

Handlers receive the matched path template, path parameters, query and JSON body, and return
a ``Reply``.  HTTP, TLS, validation and faults are the server's business (server.py).
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from . import exports
from .data import LAST_BACKUP, Dataset, iso, parse_time
from .query import QueryError, compile_query

V8 = '/v8'
RS = V8 + '/RestoreSessions/{restoreSessionId}'
MB = RS + '/organization/mailboxes/{mailboxId}'
SECRET_FIELDS = {'password', 'userPassword', 'office365UserPassword', 'onPremisesUserPassword',
                 'applicationCertificate', 'applicationCertificatePassword', 'refresh_token', 'userCode',
                 'access_token', 'assertion'}
DEFAULT_CONFIG = {
    'latency_ms': 0, 'token_lifetime': 3600, 'restore_delay_ms': 300, 'export_size_bytes': None,
    'pst_limit_scale': 1, 'outlook_installed': True, 'email_settings_configured': True, 'strict': True,
}


class ApiError(Exception):
    def __init__(self, status, message, code=None):
        super().__init__(message)
        self.status, self.message = status, message
        self.code = code or {400: 'ParameterValidationFailure', 401: 'ResourceAccessDenied',
                             403: 'ResourceAccessDenied', 404: 'ResourceNotFound', 409: 'OperationConflict'}.get(status)


class Reply:
    def __init__(self, status=200, body=None, headers=None, stream=None, content_type='application/json'):
        self.status, self.body, self.headers = status, body, headers or {}
        self.stream, self.content_type = stream, content_type


def now():
    return datetime.now(timezone.utc)


def redact(data):
    if isinstance(data, dict):
        return dict((k, '********' if k in SECRET_FIELDS and v not in (None, '') else redact(v)) for k, v in data.items())
    if isinstance(data, list):
        return [redact(v) for v in data]
    return data


class State:
    """Everything the simulator knows; guarded by one lock."""

    def __init__(self, username, password, seed=1, bulk_mailboxes=1000, **config):
        self.username, self._password = username, password
        self.seed, self.bulk_mailboxes = seed, bulk_mailboxes
        self.lock = threading.RLock()
        self.dataset = Dataset(seed=seed, bulk_mailboxes=bulk_mailboxes)
        self.config = dict(DEFAULT_CONFIG)
        self.config.update(dict((k, v) for k, v in config.items() if v is not None))
        self._initial_config = dict(self.config)
        self.reset()

    def reset(self):
        with self.lock:
            self.config = dict(self._initial_config)
            self.production = self.dataset.production()
            self.tokens = {}
            self.refresh_tokens = {}
            self.counters = {'logins': 0, 'refreshes': 0, 'logouts': 0, 'failed_logins': 0}
            self.sessions = {}
            self.sets = {}
            self.faults = []
            self.requests = []
            self.violations = []
            self.sent = []
            self.exports = []
            self.email_settings = {'enableNotification': True, 'server': 'smtp.contoso.example', 'port': 587,
                                   'from': 'restore@contoso.example', 'useAuthentication': True, 'useSSL': True,
                                   'username': 'restore@contoso.example', 'authenticationType': 'CustomSmtp'}

    # ------------------------------------------------------------------ tokens
    def issue_tokens(self, user):
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        lifetime = int(self.config['token_lifetime'])
        issued = now()
        self.tokens[access] = (user, time.time() + lifetime)
        self.refresh_tokens[refresh] = user
        return {'access_token': access, 'refresh_token': refresh, 'token_type': 'bearer', 'expires_in': lifetime,
                'userName': user, '.issued': iso(issued), '.expires': iso(issued + timedelta(seconds=lifetime))}

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
        return (secrets.compare_digest(str(username or '').lower(), self.username.lower())
                and secrets.compare_digest(str(password or ''), self._password))


class Api:
    """One method per operation; the routing table maps (method, template) to them."""

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
            ('GET', V8 + '/VexEmailSettings'): self.get_email_settings,
            ('PUT', V8 + '/VexEmailSettings'): self.put_email_settings,
        }

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def page(results, query, set_id=None):
        offset = int(query.get('offset', 0) or 0)
        limit = int(query.get('limit', 30) or 30)
        limit = max(0, min(limit, 10000))
        body = {'offset': offset, 'limit': limit, 'results': results[offset:offset + limit]}
        if set_id:
            body['setId'] = set_id
        return Reply(200, body)

    def _session(self, params, explore_only=True):
        session = self.s.sessions.get(params['restoreSessionId'].lower())
        if session is None:
            raise ApiError(404, 'Restore session with ID %s was not found.' % params['restoreSessionId'])
        if explore_only and session['_kind'] == 'explore' and session['state'] != 'Working':
            raise ApiError(400, 'The restore session %s is stopped.' % session['id'])
        return session

    def _org_of(self, session):
        return self.s.dataset.by_org[session['_org']]

    def _mailbox(self, session, params):
        org = self._org_of(session)
        for mailbox in org.mailboxes:
            if mailbox.id == params['mailboxId'].lower():
                return mailbox
        raise ApiError(404, 'Mailbox with ID %s was not found in this restore session.' % params['mailboxId'])

    def visible(self, session, mailbox):
        pit = session['_pit']
        shown = []
        for item in mailbox.items:
            if item.backed_up_at > pit:
                continue
            if item.old_version and not session['_all_versions']:
                continue
            if item.deleted_at is not None and item.deleted_at <= pit and not session['_deleted']:
                continue
            shown.append(item)
        return shown

    @staticmethod
    def _folder(mailbox, folder_id):
        folder = mailbox.folders.get(folder_id)
        if folder is None:
            raise ApiError(404, 'Folder with ID %s was not found.' % folder_id)
        return folder

    @staticmethod
    def _under(mailbox, folder):
        prefix = folder.path.lower() + '/'
        return set(f.id for f in mailbox.folders.values() if f.id == folder.id or f.path.lower().startswith(prefix))

    # ------------------------------------------------------------------ auth
    def token(self, ctx):
        form = ctx.form
        grant = form.get('grant_type', 'password')
        if grant == 'password':
            if not self.s.check_password(form.get('username'), form.get('password')):
                self.s.counters['failed_logins'] += 1
                raise ApiError(400, 'Invalid user name or password.', 'ResourceAccessDenied')
            self.s.counters['logins'] += 1
            return Reply(200, self.s.issue_tokens(self.s.username))
        if grant == 'refresh_token':
            user = self.s.refresh_tokens.pop(form.get('refresh_token') or '', None)
            if user is None:
                raise ApiError(400, 'The refresh token is invalid or has expired.', 'ResourceAccessDenied')
            self.s.counters['refreshes'] += 1
            return Reply(200, self.s.issue_tokens(user))
        raise ApiError(400, 'The grant type %s is not simulated.' % grant)

    def logout(self, ctx):
        self.s.tokens.pop(ctx.token, None)
        self.s.counters['logouts'] += 1
        return Reply(204)

    # ------------------------------------------------------------------ organizations and sessions
    def organizations(self, ctx):
        return self.page([o.api() for o in self.s.dataset.organizations], ctx.query)

    def organization(self, ctx):
        org = self.s.dataset.by_org.get(ctx.params['organizationId'].lower())
        if org is None:
            raise ApiError(404, 'Organization with ID %s was not found.' % ctx.params['organizationId'])
        return Reply(200, org.api())

    def _new_session(self, org, name, kind, **extra):
        sid = str(uuid.uuid4())
        session = {'id': sid, 'name': name, 'organization': org.name, 'type': 'Vex', 'creationTime': iso(now()),
                   'endTime': None, 'state': 'Working', 'result': 'Success', 'initiatedBy': self.s.username,
                   'details': '', 'clientHost': '127.0.0.1', 'eTag': 1, '_kind': kind, '_org': org.id,
                   '_events': [], '_statistics': None}
        session.update(extra)
        self.s.sessions[sid] = session
        return session

    def explore(self, ctx):
        org = self.s.dataset.by_org.get(ctx.params['organizationId'].lower())
        if org is None:
            raise ApiError(404, 'Organization with ID %s was not found.' % ctx.params['organizationId'])
        body = ctx.json or {}
        if body.get('type') not in (None, 'Vex'):
            raise ApiError(400, 'Only Exchange (Vex) restore sessions are simulated.')
        pit = parse_time(body['dateTime']) if body.get('dateTime') else LAST_BACKUP
        pit = min(pit, LAST_BACKUP)
        session = self._new_session(org, 'Exchange restore session of %s' % org.name, 'explore', _pit=pit,
                                    _deleted=bool(body.get('showDeleted')), _all_versions=bool(body.get('showAllVersions')),
                                    details='Point in time %s' % iso(pit))
        return Reply(201, self.public(session))

    @staticmethod
    def public(session):
        return dict((k, v) for k, v in session.items() if not k.startswith('_') and v is not None)

    def sessions(self, ctx):
        query = ctx.query
        found = list(self.s.sessions.values())
        for key, field, op in (('startTimeFrom', 'creationTime', 'ge'), ('startTimeTo', 'creationTime', 'le'),
                               ('endTimeFrom', 'endTime', 'ge'), ('endTimeTo', 'endTime', 'le')):
            if query.get(key):
                bound = parse_time(query[key])
                if op == 'ge':
                    found = [s for s in found if s.get(field) and parse_time(s[field]) >= bound]
                else:
                    found = [s for s in found if s.get(field) and parse_time(s[field]) <= bound]
        order = 'endTime' if query.get('orderBy') == 'EndTime' else 'creationTime'
        ascending = str(query.get('orderAsc', 'true')).lower() == 'true'
        found.sort(key=lambda s: (s.get(order) or '', s['id']), reverse=not ascending)
        return self.page([self.public(s) for s in found], query)

    def session(self, ctx):
        return Reply(200, self.public(self._session(ctx.params, explore_only=False)))

    def stop(self, ctx):
        session = self._session(ctx.params, explore_only=False)
        if session['state'] != 'Stopped':
            session.update(state='Stopped', endTime=iso(now()))
        return Reply(204)

    def events(self, ctx):
        session = self._session(ctx.params, explore_only=False)
        return self.page(list(session['_events']), ctx.query)

    def event(self, ctx):
        session = self._session(ctx.params, explore_only=False)
        for event in session['_events']:
            if event['id'] == ctx.params['eventId'].lower():
                return Reply(200, event)
        raise ApiError(404, 'Event %s was not found.' % ctx.params['eventId'])

    def statistics(self, ctx):
        session = self._session(ctx.params, explore_only=False)
        stats = session['_statistics'] or {'totalItemsCount': 0, 'restoredItemsCount': 0, 'failedItemsCount': 0,
                                           'skippedItemsCount': 0, 'items': []}
        return Reply(200, stats)

    def session_organization(self, ctx):
        org = self._org_of(self._session(ctx.params, explore_only=False))
        return Reply(200, {'id': org.id, 'name': org.name, 'type': org.type})

    # ------------------------------------------------------------------ browsing
    def mailboxes(self, ctx):
        session = self._session(ctx.params)
        return self.page([m.api() for m in self._org_of(session).mailboxes], ctx.query)

    def mailbox(self, ctx):
        session = self._session(ctx.params)
        return Reply(200, self._mailbox(session, ctx.params).api())

    def folders(self, ctx):
        session = self._session(ctx.params)
        mailbox = self._mailbox(session, ctx.params)
        parent = ctx.query.get('parentId')
        if parent:
            self._folder(mailbox, parent)
        found = [f for f in mailbox.folders.values() if f.parent_id == (parent or None)]
        if ctx.query.get('name'):
            found = [f for f in found if f.name.lower() == ctx.query['name'].lower()]
        return self.page([f.api(mailbox.id) for f in found], ctx.query)

    def folder(self, ctx):
        session = self._session(ctx.params)
        mailbox = self._mailbox(session, ctx.params)
        return Reply(200, self._folder(mailbox, ctx.params['folderId']).api(mailbox.id))

    def items(self, ctx):
        session = self._session(ctx.params)
        mailbox = self._mailbox(session, ctx.params)
        shown = self.visible(session, mailbox)
        parent = ctx.query.get('parentId')
        if parent:
            self._folder(mailbox, parent)
            shown = [i for i in shown if i.folder_id == parent]
        return self.page([i.api() for i in shown], ctx.query)

    def item(self, ctx):
        session = self._session(ctx.params)
        mailbox = self._mailbox(session, ctx.params)
        for item in self.visible(session, mailbox):
            if item.id == ctx.params['itemId']:
                return Reply(200, item.api())
        raise ApiError(404, 'Item %s was not found.' % ctx.params['itemId'])

    def search(self, ctx):
        session = self._session(ctx.params)
        set_id = ctx.query.get('setId')
        if set_id:
            cached = self.s.sets.get(set_id)
            if cached is None:
                raise ApiError(404, 'Search set %s was not found.' % set_id)
            return self.page(cached, ctx.query, set_id)
        try:
            test = compile_query((ctx.json or {}).get('query'))
        except QueryError as exc:
            raise ApiError(400, 'Invalid search query: %s' % exc)
        if 'mailboxId' in ctx.params:
            scope = [self._mailbox(session, ctx.params)]
        else:
            scope = self._org_of(session).mailboxes
        folder_ids = None
        if 'folderId' in ctx.params:
            folder_ids = self._under(scope[0], self._folder(scope[0], ctx.params['folderId']))
        results = []
        for mailbox in scope:
            for item in self.visible(session, mailbox):
                if (folder_ids is None or item.folder_id in folder_ids) and test(item):
                    results.append(item.api())
        if ctx.template.endswith('searchExchange'):
            return self.page(results, ctx.query)
        new_id = str(uuid.uuid4())
        self.s.sets[new_id] = results
        return self.page(results, ctx.query, new_id)

    # ------------------------------------------------------------------ restores
    @staticmethod
    def check_credentials(body, bulk):
        user, password = ('office365UserName', 'office365UserPassword') if bulk else ('userName', 'userPassword')
        methods = []
        if body.get(user) or body.get(password):
            if not (body.get(user) and body.get(password)):
                raise ApiError(400, 'Both %s and %s are required.' % (user, password))
            methods.append('password')
        if body.get('userCode'):
            methods.append('device code')
        app = [k for k in ('applicationId', 'applicationCertificate', 'impersonationAccountName',
                           'applicationCertificatePassword') if body.get(k)]
        if app:
            missing = [k for k in ('applicationId', 'applicationCertificate', 'impersonationAccountName') if not body.get(k)]
            if missing:
                raise ApiError(400, 'The application credentials also need %s.' % ', '.join(missing))
            try:
                base64.b64decode(body['applicationCertificate'], validate=True)
            except ValueError:
                raise ApiError(400, 'applicationCertificate is not a base64 string.')
            methods.append('application')
        if len(methods) != 1:
            raise ApiError(400, 'Specify exactly one authentication method for Exchange (%s given).' % (
                ' and '.join(methods) or 'none'))
        onprem = [k for k in ('domainName', 'onPremisesUserName', 'onPremisesUserPassword') if body.get(k)]
        if onprem and len(onprem) != 3:
            raise ApiError(400, 'domainName, onPremisesUserName and onPremisesUserPassword go together.')

    def restore(self, ctx):
        session = self._session(ctx.params)
        org = self._org_of(session)
        body = ctx.json or {}
        template = ctx.template
        operator = template.endswith('operatorRestore')
        bulk = template.endswith('/organization/mailboxes/restore')
        if not operator:
            self.check_credentials(body, bulk)
        # What to restore: [(mailbox, items)]
        jobs = []
        if bulk:
            ids = [m.get('id') for m in body.get('mailboxes') or []]
            if not ids:
                raise ApiError(400, 'Specify the mailboxes to restore.')
            for mid in ids:
                jobs.append((self._mailbox(session, {'mailboxId': str(mid)}), None))
        else:
            mailbox = self._mailbox(session, ctx.params)
            shown = self.visible(session, mailbox)
            if 'folderId' in ctx.params:
                under = self._under(mailbox, self._folder(mailbox, ctx.params['folderId']))
                shown = [i for i in shown if i.folder_id in under]
            elif 'itemId' in ctx.params:
                shown = [i for i in shown if i.id == ctx.params['itemId']]
                if not shown:
                    raise ApiError(404, 'Item %s was not found.' % ctx.params['itemId'])
            elif '/items/' in template:
                wanted = [str(i.get('id')) for i in body.get('items') or []]
                if not wanted:
                    raise ApiError(400, 'Specify the items to restore.')
                by_id = dict((i.id, i) for i in shown)
                missing = [w for w in wanted if w not in by_id]
                if missing:
                    raise ApiError(404, 'Items were not found: %s' % ', '.join(missing[:5]))
                shown = [by_id[w] for w in wanted]
            jobs.append((mailbox, shown))
        target = None
        if template.endswith('restoreTo'):
            target = {'mailbox': body.get('mailbox'), 'folder': body.get('folder')}
            if not target['mailbox']:
                raise ApiError(400, 'Specify the target mailbox.')
        if operator:
            target = {'mailbox': None, 'folder': body.get('folder') or 'Restored Items'}
        what = '%d mailbox%s' % (len(jobs), 'es' if len(jobs) != 1 else '') if (bulk or jobs[0][1] is None) else \
            '%d item%s' % (len(jobs[0][1]), 's' if len(jobs[0][1]) != 1 else '')
        op = self._new_session(org, 'Restore of %s from %s' % (what, session['name']), 'operation', _pit=session['_pit'],
                               _deleted=session['_deleted'], _all_versions=session['_all_versions'],
                               reason=body.get('reason') or None)
        options = dict(body)
        thread = threading.Thread(target=self._run_restore, args=(session, op, jobs, target, options), daemon=True)
        thread.start()
        return Reply(200, {'sessionId': op['id']})

    def _excluded(self, item, opts, pit):
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

    def _target_key(self, org, email):
        for mailbox in org.mailboxes:
            if mailbox.email.lower() == (email or '').lower() and not mailbox.is_archive:
                return mailbox.key
        for o in self.s.dataset.organizations:
            for mailbox in o.mailboxes:
                if mailbox.email.lower() == (email or '').lower() and not mailbox.is_archive:
                    return mailbox.key
        return None

    def _run_restore(self, session, op, jobs, target, opts):
        delay = float(self.s.config.get('restore_delay_ms') or 0) / 1000.0
        started = now()
        order = 0
        per_mailbox = []
        with self.s.lock:
            for mailbox, _items in jobs:
                order += 1
                op['_events'].append(self._event(op, order, 'Running', 'Restoring %s' % mailbox.email,
                                                 'Restore of mailbox %s started' % mailbox.email, started))
        if delay:
            time.sleep(delay)
        with self.s.lock:
            pit = session['_pit']
            for index, (mailbox, items) in enumerate(jobs):
                event = op['_events'][index]
                counts = {'created': 0, 'merged': 0, 'failed': 0, 'skipped': 0}
                error = None
                if items is None:
                    items = self.visible(session, mailbox)
                if mailbox.broken:
                    error = 'Cannot open the mailbox %s in the target organization: access denied.' % mailbox.email
                target_key = mailbox.key
                prefix = None
                if target is not None and target.get('mailbox'):
                    target_key = self._target_key(self._org_of(session), target['mailbox'])
                    if target_key is None:
                        error = 'The target mailbox %s was not found.' % target['mailbox']
                if target is not None and target.get('folder'):
                    prefix = target['folder'].strip('/')
                if error is None:
                    production = self.s.production.setdefault(target_key, {})
                    for item in items:
                        if self._excluded(item, opts, pit):
                            continue
                        if item.deleted_at is not None and item.deleted_at <= pit and opts.get('deletedItems') is False:
                            counts['skipped'] += 1
                            continue
                        if '[corrupt]' in (item.subject or ''):
                            counts['failed'] += 1
                            continue
                        folder = '%s/%s' % (prefix, item.folder_path) if prefix else item.folder_path
                        record = production.get(item.id)
                        if record is None or (prefix and record['folder'] != folder):
                            production[item.id] = {'id': item.id, 'subject': item.subject, 'folder': folder,
                                                   'version': item.version, 'unread': bool(opts.get('markRestoredAsUnread')),
                                                   'class': item.cls}
                            counts['created'] += 1
                        elif record['version'] != item.version and opts.get('changedItems') is not False:
                            record['version'] = item.version
                            record['unread'] = bool(opts.get('markRestoredAsUnread'))
                            counts['merged'] += 1
                        else:
                            counts['skipped'] += 1
                status = 'Failed' if error else ('Warning' if counts['failed'] else 'Success')
                ended = now()
                event.update(status=status, endTime=iso(ended),
                             duration=str(ended - started).split('.', maxsplit=1)[0],
                             message=error or 'Created %(created)d, merged %(merged)d, failed %(failed)d, '
                                              'skipped %(skipped)d items' % counts)
                per_mailbox.append((mailbox, counts, status, error))
            details = []
            for mailbox, counts, status, error in per_mailbox:
                detail = {'id': mailbox.id, 'name': mailbox.name, 'title': 'Mailbox %s' % mailbox.email,
                          'itemType': 'ExchangeMailbox', 'status': status, 'itemRestoreDetailsType': 'BulkMailbox',
                          'mailboxEmail': mailbox.email, 'mailboxIsArchive': mailbox.is_archive,
                          'mailboxIsPublic': mailbox.is_public, 'createdMailboxItemsCount': counts['created'],
                          'mergedMailboxItemsCount': counts['merged'], 'failedMailboxItemsCount': counts['failed'],
                          'skippedMailboxItemsCount': counts['skipped'], 'warnings': []}
                if error:
                    detail['cannotContinueMailboxError'] = error
                    detail['error'] = error
                details.append(detail)
            total = dict((k, sum(c[k] for _m, c, _s, _e in per_mailbox)) for k in ('created', 'merged', 'failed', 'skipped'))
            failed = any(s == 'Failed' for _m, _c, s, _e in per_mailbox)
            warning = total['failed'] > 0
            op['_statistics'] = {
                'totalItemsCount': sum(total.values()), 'restoredItemsCount': total['created'] + total['merged'],
                'failedItemsCount': total['failed'], 'skippedItemsCount': total['skipped'],
                'warnings': ['%d items failed to restore' % total['failed']] if warning else [],
                'errors': [e for _m, _c, _s, e in per_mailbox if e], 'items': details}
            op.update(state='Stopped', endTime=iso(now()),
                      result='Failed' if failed else ('Warning' if warning else 'Success'))

    @staticmethod
    def _event(op, order, status, title, message, started):
        return {'id': str(uuid.uuid4()), 'type': 'Restore', 'status': status, 'startTime': iso(started),
                'endTime': None, 'duration': '0:00:00', 'title': title, 'message': message, 'order': order,
                'organizationId': op['_org']}

    # ------------------------------------------------------------------ sending
    def _email_ready(self):
        settings = self.s.email_settings
        return self.s.config.get('email_settings_configured') and settings.get('enableNotification') \
            and settings.get('server')

    def send(self, ctx):
        session = self._session(ctx.params)
        mailbox = self._mailbox(session, ctx.params)
        if not self._email_ready():
            raise ApiError(400, 'Email settings for Veeam Explorer for Microsoft Exchange are not configured.')
        body = ctx.json or {}
        shown = dict((i.id, i) for i in self.visible(session, mailbox))
        ids = [ctx.params['itemId']] if 'itemId' in ctx.params else [str(i.get('id')) for i in body.get('items') or []]
        if not ids:
            raise ApiError(400, 'Specify the items to send.')
        missing = [i for i in ids if i not in shown]
        if missing:
            raise ApiError(404, 'Items were not found: %s' % ', '.join(missing[:5]))
        different = ctx.template.endswith('sendToDifferentAddress')
        if different and not body.get('to'):
            raise ApiError(400, 'Specify the address to send the items to.')
        self.s.sent.append({
            'to': body.get('to') if different else mailbox.email,
            'from': body.get('from') or self.s.email_settings.get('from'),
            'subject': body.get('subject') or 'Restored items', 'text': body.get('text') or '',
            'items': ids, 'attachments': [shown[i].subject for i in ids], 'mailbox': mailbox.email,
        })
        return Reply(204)

    def get_email_settings(self, ctx):
        settings = dict(self.s.email_settings)
        if not self.s.config.get('email_settings_configured'):
            settings.update(enableNotification=False, server='')
        return Reply(200, settings)

    def put_email_settings(self, ctx):
        body = dict(ctx.json or {})
        body.pop('userPassword', None)
        self.s.email_settings.update(dict((k, v) for k, v in body.items() if not k.startswith('_')))
        self.s.config['email_settings_configured'] = bool(self.s.email_settings.get('enableNotification'))
        return Reply(204)

    # ------------------------------------------------------------------ exports
    def export(self, ctx):
        session = self._session(ctx.params)
        org = self._org_of(session)
        body = ctx.json or {}
        template = ctx.template
        msg = template.lower().endswith('/save')
        if not msg and not self.s.config.get('outlook_installed'):
            raise ApiError(500, 'Cannot export data to a PST file: a 64-bit version of Microsoft Outlook 2016 or '
                                'later must be installed on the Veeam Backup for Microsoft 365 server.', 'HttpError')
        if 'mailboxId' in ctx.params:
            mailbox = self._mailbox(session, ctx.params)
            shown = self.visible(session, mailbox)
            if 'folderId' in ctx.params:
                folder = self._folder(mailbox, ctx.params['folderId'])
                under = self._under(mailbox, folder)
                shown = [i for i in shown if i.folder_id in under]
                scope, base = 'folder:%s:%s' % (mailbox.key, folder.path), folder.name.replace(' ', '_')
            elif 'itemId' in ctx.params:
                shown = [i for i in shown if i.id == ctx.params['itemId']]
                if not shown:
                    raise ApiError(404, 'Item %s was not found.' % ctx.params['itemId'])
                scope, base = 'item:%s:%s' % (mailbox.key, shown[0].id), shown[0].id
            elif '/items/' in template:
                wanted = [str(i.get('id')) for i in body.get('items') or []]
                if not wanted:
                    raise ApiError(400, 'Specify the items to export.')
                by_id = dict((i.id, i) for i in shown)
                missing = [w for w in wanted if w not in by_id]
                if missing:
                    raise ApiError(404, 'Items were not found: %s' % ', '.join(missing[:5]))
                shown = [by_id[w] for w in wanted]
                scope, base = 'items:%s:%s' % (mailbox.key, ','.join(sorted(wanted))), 'items'
            else:
                scope, base = 'mailbox:%s' % mailbox.key, mailbox.email.split('@')[0]
        else:
            shown = [i for m in org.mailboxes for i in self.visible(session, m)]
            scope, base = 'organization:%s' % org.name, org.office_name
        keyword = body.get('contentKeyword')
        if keyword:
            low = keyword.lower()
            shown = [i for i in shown if low in (i.subject or '').lower() or low in (i.body or '').lower()]
            scope += ':keyword=%s' % low
        if not shown:
            raise ApiError(404, 'There is nothing to export: no items match.')
        scope += ':pit=%s' % iso(session['_pit'])
        size = self.s.config.get('export_size_bytes') or sum(i.size or 0 for i in shown)
        kind = 'msg' if msg else 'pst'
        part_limit = None
        if msg and len(shown) > 1:
            part_limit = max(1, size // len(shown))
        elif body.get('enablePstSizeLimit') and body.get('pstSizeLimitBytes'):
            limit = int(body['pstSizeLimitBytes'])
            if not 1 << 30 <= limit <= 49 << 30:
                raise ApiError(400, 'The PST size limit must be from 1 GB to 49 GB.')
            part_limit = max(1, limit // int(self.s.config.get('pst_limit_scale') or 1))
        stream, filename = exports.build(scope, size, kind, base, part_limit)
        record = {'scope': scope, 'size': stream.size, 'filename': filename, 'parts': part_limit is not None,
                  'sha256': None, '_stream': stream}
        self.s.exports.append(record)
        return Reply(200, stream=stream, content_type='application/octet-stream',
                     headers={'Content-Disposition': 'attachment; filename="%s"' % filename})
