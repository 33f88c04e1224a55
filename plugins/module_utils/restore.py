# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restore helpers shared by the restore modules: Exchange credentials, restore flags, targets,
starting an asynchronous restore and following it to its end.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import time

from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365Error,
    Vb365NotFoundError,
    Vb365ParameterError,
    Vb365RestoreFailed,
    Vb365TimeoutError,
)
from ansible_collections.vb365.restore.plugins.module_utils.exchange import check_email, is_uuid, read_events, to_snake

# ---------------------------------------------------------------------------- argument specs
EXCHANGE_CREDENTIALS_SPEC = dict(
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    user_code=dict(type='str', no_log=True),
    application_id=dict(type='str'),
    certificate_path=dict(type='path'),
    certificate_content=dict(type='str', no_log=True),
    certificate_password=dict(type='str', no_log=True),
    impersonation_account=dict(type='str'),
    on_premises_domain=dict(type='str'),
    on_premises_username=dict(type='str'),
    on_premises_password=dict(type='str', no_log=True),
)

# option name -> API field name; the same in every restore body that accepts it.
RESTORE_FLAGS = (
    ('changed_items', 'changedItems'),
    ('deleted_items', 'deletedItems'),
    ('mark_restored_as_unread', 'markRestoredAsUnread'),
    ('exclude_drafts', 'excludeDrafts'),
    ('exclude_deleted_items', 'excludeDeletedItems'),
    ('exclude_in_place_hold_items', 'excludeInPlaceHoldItems'),
    ('exclude_litigation_hold_items', 'excludeLitigationHoldItems'),
    ('skip_unresolved', 'skipUnresolved'),
    ('recent_item_restore_period', 'recentItemRestorePeriod'),
)
FLAG_FIELD = dict(RESTORE_FLAGS)

TARGET_SPEC = dict(
    mailbox=dict(type='str'),
    folder=dict(type='str'),
    cas_server=dict(type='str'),
    region=dict(type='str', choices=['Worldwide', 'Germany', 'China', 'USDefence', 'USGovernment']),
    organization_name=dict(type='str'),
)

WAIT_SPEC = dict(
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=3600),
    poll_interval=dict(type='float', default=2.0),
)


def restore_flags_spec(names):
    """The argument spec of the restore flags a module offers (unset = the server's default)."""
    spec = {}
    for name in names:
        spec[name] = dict(type='int') if name == 'recent_item_restore_period' else dict(type='bool')
    return spec


# ---------------------------------------------------------------------------- credentials
# The suboptions that make up each method (the on-premises ones go with any of them).
CREDENTIAL_METHOD_FIELDS = (
    ('password', ('username', 'password')),
    ('device_code', ('user_code',)),
    ('application', ('application_id', 'certificate_path', 'certificate_content', 'certificate_password',
                     'impersonation_account')),
)
METHOD_NAMES = {'password': 'user name and password', 'device_code': 'device code',
                'application': 'application certificate'}


def credential_method(creds):
    """Which Exchange credential method a dict uses: 'password', 'device_code' or 'application'.

    Exactly one must be complete; anything mixed or half given is refused naming the fields.
    The on-premises fields come all three or not at all; alone they are the method
    'on_premises' (an on-premises organization, which only the bulk restore takes).
    """
    creds = creds or {}
    given = dict((k, v) for k, v in creds.items() if v not in (None, ''))
    option = 'exchange_credentials'
    on_prem = [k for k in ('on_premises_domain', 'on_premises_username', 'on_premises_password') if k in given]
    if on_prem and len(on_prem) != 3:
        raise Vb365ParameterError('%s: on-premises credentials need on_premises_domain, on_premises_username and '
                                  'on_premises_password together' % option)
    methods = []
    written = []
    for method, fields in CREDENTIAL_METHOD_FIELDS:
        used = [k for k in fields if k in given]
        if used:
            methods.append(method)
            written.append('%s (%s)' % (' and '.join('%s.%s' % (option, k) for k in used), METHOD_NAMES[method]))
    if not methods and on_prem:
        return 'on_premises'
    if not methods:
        raise Vb365ParameterError(
            '%s: give one method: username + password, user_code (device code), or application_id + '
            'certificate_path (or certificate_content) + impersonation_account (or, for an on-premises '
            'organization, on_premises_domain + on_premises_username + on_premises_password)' % option)
    if len(methods) > 1:
        raise Vb365ParameterError('%s: use one credential method, not %d: %s' % (
            option, len(methods), '; '.join(written)))
    method = methods[0]
    if method == 'password':
        missing = [k for k in ('username', 'password') if k not in given]
    elif method == 'application':
        missing = [k for k in ('application_id', 'impersonation_account') if k not in given]
        if 'certificate_path' not in given and 'certificate_content' not in given:
            missing.append('certificate_path or certificate_content')
        if 'certificate_path' in given and 'certificate_content' in given:
            raise Vb365ParameterError('%s: certificate_path and certificate_content are mutually exclusive' % option)
        if 'application_id' in given and not is_uuid(given['application_id']):
            raise Vb365ParameterError('%s.application_id: %r is not an application id (a UUID)' % (
                option, given['application_id']))
    else:
        missing = []
    if missing:
        raise Vb365ParameterError('%s: the %s method also needs %s' % (option, method.replace('_', ' '), ', '.join(missing)))
    return method


def certificate_base64(creds):
    """The application certificate as base64: read from a PFX file, or checked when given inline."""
    if creds.get('certificate_path'):
        path = creds['certificate_path']
        try:
            with open(path, 'rb') as handle:
                data = handle.read()
        except (IOError, OSError) as exc:
            raise Vb365ParameterError('exchange_credentials.certificate_path: cannot read %s: %s' % (
                path, getattr(exc, 'strerror', None) or exc))
        if not data:
            raise Vb365ParameterError('exchange_credentials.certificate_path: %s is empty' % path)
        return base64.b64encode(data).decode('ascii')
    content = ''.join(str(creds['certificate_content']).split())
    try:
        base64.b64decode(content, validate=True)
    except (ValueError, TypeError):
        raise Vb365ParameterError('exchange_credentials.certificate_content: not valid base64 (give the PFX file '
                                  'base64-encoded, or use certificate_path)')
    return content


def credentials_body(creds, bulk=False):
    """The credential fields of a restore body.

    ``bulk`` uses the bulk endpoint's names (office365UserName / office365UserPassword) and
    allows the on-premises fields, which only that endpoint accepts.
    """
    creds = creds or {}
    method = credential_method(creds)
    body = {}
    if method == 'password':
        body['office365UserName' if bulk else 'userName'] = creds['username']
        body['office365UserPassword' if bulk else 'userPassword'] = creds['password']
    elif method == 'device_code':
        body['userCode'] = creds['user_code']
    elif method == 'application':
        body['applicationId'] = creds['application_id']
        body['applicationCertificate'] = certificate_base64(creds)
        body['impersonationAccountName'] = creds['impersonation_account']
        if creds.get('certificate_password'):
            body['applicationCertificatePassword'] = creds['certificate_password']
    if creds.get('on_premises_domain'):
        if not bulk:
            raise Vb365ParameterError(
                'exchange_credentials: on_premises_domain, on_premises_username and on_premises_password are accepted '
                'only by the bulk restore of mailboxes to their original place (no folder, no target mailbox)')
        body['domainName'] = creds['on_premises_domain']
        body['onPremisesUserName'] = creds['on_premises_username']
        body['onPremisesUserPassword'] = creds['on_premises_password']
    return body


def secrets_of(creds):
    """The secret values of a credentials dict, to register with the redactor."""
    creds = creds or {}
    return [creds.get(k) for k in ('password', 'user_code', 'certificate_content', 'certificate_password',
                                   'on_premises_password') if creds.get(k)]


# ---------------------------------------------------------------------------- flags and targets
def flags_body(params, accepted, endpoint):
    """The restore flags that are set, as API fields; a set flag the endpoint does not take is refused."""
    body = {}
    for option, field in RESTORE_FLAGS:
        value = params.get(option)
        if value is None:
            continue
        if field not in accepted:
            raise Vb365ParameterError('%s: not accepted by %s; unset it for this kind of restore' % (option, endpoint))
        if option == 'recent_item_restore_period':
            if value < 0:
                raise Vb365ParameterError('%s: must be a positive number of days (or 0), got %d' % (option, value))
            body[field] = int(value)
        else:
            body[field] = bool(value)
    return body


def target_body(target, accepted, endpoint):
    """The target fields of a restoreTo body; the target mailbox is required."""
    target = dict((k, v) for k, v in (target or {}).items() if v not in (None, ''))
    if not target.get('mailbox'):
        raise Vb365ParameterError('target.mailbox: the email address of the mailbox to restore into is required '
                                  'when target is given')
    check_email(target['mailbox'], 'target.mailbox')
    names = {'mailbox': 'mailbox', 'folder': 'folder', 'cas_server': 'casServer', 'region': 'officeRegion',
             'organization_name': 'officeOrganizationName'}
    body = {}
    for option, field in names.items():
        if option not in target:
            continue
        if field not in accepted:
            raise Vb365ParameterError('target.%s: not accepted by %s' % (option, endpoint))
        body[field] = target[option]
    return body


# ---------------------------------------------------------------------------- waiting
TERMINAL_EVENT_STATES = ('Success', 'Warning', 'Failed', 'Cancelled', 'Skipped')


def _statistics(client, session_id):
    try:
        return client.get('/RestoreSessions/%s/Statistics' % session_id) or {}
    except Vb365NotFoundError:
        return {}


def follow_restore(client, session_id, timeout, poll_interval=2.0, parent_session_id=None, sleep=None, clock=None):
    """Poll an asynchronous restore until it ends or ``timeout`` seconds pass; return its report.

    The restore's own session becomes Stopped when it ends.  If a server answers with the
    parent session's id instead, the restore is over when its events have all ended.
    Token refresh is the client's job, so waits longer than the token lifetime keep working.
    """
    sleep = sleep or time.sleep
    clock = clock or time.time
    deadline = clock() + timeout
    same_as_parent = parent_session_id is not None and session_id == parent_session_id
    interval = min(max(poll_interval, 0.05), 30.0)
    while True:
        session = client.get('/RestoreSessions/%s' % session_id) or {}
        events = read_events(client, session_id)
        if same_as_parent:
            done = bool(events) and all(e.get('status') in TERMINAL_EVENT_STATES for e in events)
        else:
            done = session.get('state') == 'Stopped'
        if done:
            return build_report(session_id, session, events, _statistics(client, session_id))
        if clock() >= deadline:
            report = build_report(session_id, session, events, _statistics(client, session_id))
            raise Vb365TimeoutError(
                'the restore %s did not finish within %d seconds; it goes on on the server: follow it with '
                'vb365.restore.restore_session_info session_id=%s' % (session_id, timeout, session_id),
                details={'restore': report})
        sleep(min(interval, max(0.0, deadline - clock())) or interval)
        # Poll gently: start quick, then slow down up to 15 s between looks.
        interval = min(interval * 1.5, 15.0)


def build_report(session_id, session, events, statistics):
    """Totals, per-mailbox counts and events of a restore, as modules return them."""
    per_mailbox = []
    per_item = []
    created = merged = 0
    for detail in statistics.get('items') or []:
        kind = detail.get('itemRestoreDetailsType')
        if kind == 'BulkMailbox' or 'mailboxEmail' in detail:
            entry = {
                'email': detail.get('mailboxEmail'),
                'name': detail.get('name'),
                'is_archive': bool(detail.get('mailboxIsArchive')),
                'status': detail.get('status'),
                'created': detail.get('createdMailboxItemsCount', 0),
                'merged': detail.get('mergedMailboxItemsCount', 0),
                'failed': detail.get('failedMailboxItemsCount', 0),
                'skipped': detail.get('skippedMailboxItemsCount', 0),
            }
            if detail.get('cannotContinueMailboxError') or detail.get('error'):
                entry['error'] = detail.get('cannotContinueMailboxError') or detail.get('error')
            created += entry['created'] or 0
            merged += entry['merged'] or 0
            per_mailbox.append(entry)
        else:
            item = {'id': detail.get('id'), 'name': detail.get('name') or detail.get('title'),
                    'status': detail.get('status')}
            if detail.get('error'):
                item['error'] = detail['error']
            if detail.get('path'):
                item['path'] = detail['path']
            per_item.append(item)
    result = session.get('result')
    failed_events = [e for e in events if e.get('status') == 'Failed']
    if result is None:
        result = 'Failed' if failed_events else ('Warning' if any(e.get('status') == 'Warning' for e in events) else 'Success')
    report = {
        'session_id': session_id,
        'state': session.get('state'),
        'status': result,
        'totals': {
            'total': statistics.get('totalItemsCount', 0),
            'restored': statistics.get('restoredItemsCount', 0),
            'failed': statistics.get('failedItemsCount', 0),
            'skipped': statistics.get('skippedItemsCount', 0),
            'created': created,
            'merged': merged,
        },
        'mailboxes': per_mailbox,
        'item_details': per_item,
        'warnings': statistics.get('warnings') or [],
        'errors': statistics.get('errors') or [],
        'events': [to_snake(e) for e in events],
        'start_time': session.get('creationTime'),
        'end_time': session.get('endTime'),
    }
    return report


def finish_restore(mod, report):
    """Apply a finished restore's outcome to the module: Failed fails, Warning warns."""
    if report['status'] == 'Failed':
        failing = [e for e in report['events'] if e.get('status') == 'Failed']
        reasons = '; '.join('%s: %s' % (e.get('title') or '', e.get('message') or '') for e in failing[:10])
        errors = '; '.join(report['errors'][:10])
        raise Vb365RestoreFailed(
            'the restore %s failed: %s' % (report['session_id'], reasons or errors or 'see the events'),
            details={'restore': report})
    if report['status'] == 'Warning':
        for warning in (report['warnings'] or ['the restore %s finished with warnings' % report['session_id']])[:20]:
            mod.module.warn('restore %s: %s' % (report['session_id'], warning))


def start_and_follow(mod, path, body, describe, parent_session_id, started=None):
    """POST one asynchronous restore and, when asked, wait for it; returns the report (or a stub).

    ``started(session_id)``, when given, is called once the server has accepted the request.

    The POST is never sent twice. When its answer is lost the error says that the restore may have
    started and how to find it; when following it fails, the error keeps its id.
    """
    try:
        answer = mod.write('POST', path, body, describe=describe)
    except Vb365Error as exc:
        if exc.maybe_processed:
            exc.msg += ('; the restore may have started: before running the task again, list the restore '
                        'sessions with vb365.restore.restore_session_info; a restore session started from %s '
                        'since then is this restore, and its events tell its outcome' % parent_session_id)
            exc.args = (exc.msg,)
            exc.details = dict(exc.details, restore_may_have_started=True)
        raise
    if answer is None:  # check mode
        return None
    session_id = answer.get('sessionId')
    if started is not None:
        started(session_id)
    if not mod.params.get('wait', True):
        return {'session_id': session_id, 'state': 'Working', 'status': None}
    try:
        report = follow_restore(mod.client, session_id, mod.params['wait_timeout'], mod.params['poll_interval'],
                                parent_session_id=parent_session_id)
    except Vb365Error as exc:
        if 'restore' not in exc.details:
            exc.msg += ' (the restore %s had started; follow it with vb365.restore.restore_session_info session_id=%s)' % (
                session_id, session_id)
            exc.args = (exc.msg,)
            exc.details = dict(exc.details, restore={'session_id': session_id, 'state': None, 'status': None})
        raise
    return report


def keep_started(exc, reports):
    """Put the restores that started before ``exc`` (their ids and outcomes) into its result."""
    started = [r for r in reports if r]
    if exc.details.get('restore'):
        started.append(exc.details['restore'])
    if started:
        exc.details = dict(exc.details, restore=merge_reports(started))
    return exc


def start_all(mod, planned, parent_session_id, started=None, finished=None):
    """Start (and follow) each (path, body, describe) in turn; a failure keeps what started before it.

    ``started(index, session_id)`` and ``finished(index, report)``, when given, hear of each request
    once the server accepted it and once it ended (a restore journal records both)."""
    reports = []
    for index, (path, body, describe) in enumerate(planned):
        hook = (lambda session_id, index=index: started(index, session_id)) if started else None
        try:
            report = start_and_follow(mod, path, body, describe, parent_session_id, started=hook)
        except Vb365Error as exc:
            raise keep_started(exc, reports)
        if finished is not None and report is not None:
            finished(index, report)
        reports.append(report)
    return reports


def conclude(mod, reports):
    """Put the merged outcome of a module's restore requests into its result.

    ``changed`` is true when items were created or merged (or when the restore was only
    started, ``wait: false``); a Failed restore fails the task, a Warning warns.
    """
    if mod.check_mode:
        return
    report = merge_reports(reports)
    mod.result['restore'] = report
    if report.get('status') is None:
        mod.result['changed'] = True
    else:
        totals = report.get('totals') or {}
        mod.result['changed'] = bool(totals.get('created') or totals.get('merged'))
    finish_restore(mod, report)


def check_wait_options(params):
    if params.get('wait_timeout') is not None and params['wait_timeout'] < 1:
        raise Vb365ParameterError('wait_timeout: must be at least 1 second, got %d' % params['wait_timeout'])
    if params.get('poll_interval') is not None and params['poll_interval'] <= 0:
        raise Vb365ParameterError('poll_interval: must be a positive number of seconds')


def merge_reports(reports):
    """One report for several restore calls (batches, or one call per mailbox)."""
    reports = [r for r in reports if r]
    if not reports:
        return None
    if len(reports) == 1:
        return reports[0]
    order = {'Failed': 3, 'Warning': 2, 'Success': 1, None: 0}
    merged = {
        'session_id': reports[0].get('session_id'),
        'session_ids': [r.get('session_id') for r in reports],
        'state': 'Stopped' if all(r.get('state') == 'Stopped' for r in reports) else 'Working',
        'status': max((r.get('status') for r in reports), key=lambda s: order.get(s, 0)),
        'totals': {},
        'mailboxes': [], 'item_details': [], 'warnings': [], 'errors': [], 'events': [],
        'start_time': reports[0].get('start_time'),
        'end_time': reports[-1].get('end_time'),
    }
    for report in reports:
        for key, value in (report.get('totals') or {}).items():
            merged['totals'][key] = merged['totals'].get(key, 0) + (value or 0)
        for key in ('mailboxes', 'item_details', 'warnings', 'errors', 'events'):
            merged[key].extend(report.get(key) or [])
    return merged
