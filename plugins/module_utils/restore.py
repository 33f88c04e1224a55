# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restore helpers shared by the restore modules: Exchange credentials, restore flags, targets,
starting an asynchronous restore and following it to its end.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import re
import time

from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365Error,
    Vb365NotFoundError,
    Vb365ParameterError,
    Vb365RestoreFailed,
    Vb365TimeoutError,
)
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    RESTORE_SESSION,
    SESSION_STATISTICS,
)
from ansible_collections.vb365.restore.plugins.module_utils.sessions import read_events
from ansible_collections.vb365.restore.plugins.module_utils.values import check_email, is_uuid, to_snake

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
TOTAL_FIELDS = (('total', 'totalItemsCount'), ('restored', 'restoredItemsCount'), ('failed', 'failedItemsCount'),
                ('skipped', 'skippedItemsCount'))
COUNT_WORDS = ('created', 'merged', 'failed', 'skipped')
# Where a figure of a report came from (the values of ``restore.sources``).
FROM_STATISTICS = 'statistics'  # the Statistics of the restore's own session
FROM_STATISTICS_CHANGE = 'statistics_change'  # what the shared session's Statistics gained since the request
FROM_MAILBOX_STATISTICS = 'mailbox_statistics'  # the BulkMailbox entries of the Statistics
FROM_EVENTS = 'events'  # the counts in the messages of this restore's own events

# The first pause after a restore request was accepted (seconds).
FIRST_WAIT = 0.25

_NUMBER_FIRST = re.compile(r'(\d+)\s+(%s)\b' % '|'.join(COUNT_WORDS), re.I)
_WORD_FIRST = re.compile(r'\b(%s)\s*:?\s*(\d+)' % '|'.join(COUNT_WORDS), re.I)


def _statistics(client, session_id):
    try:
        return client.call(SESSION_STATISTICS, restoreSessionId=session_id) or {}
    except Vb365NotFoundError:
        return {}


def snapshot(client, session_id):
    """What a session holds before a restore is sent: its event ids and statistics.

    A server may answer a restore with the id of the session it was sent to; the events and
    statistics that were there before the request then belong to earlier operations.
    """
    return {'event_ids': set(e.get('id') for e in read_events(client, session_id)),
            'statistics': _statistics(client, session_id)}


def _waits(poll_interval):
    """The pauses between looks at a restore: short at first, so that a restore of seconds is seen
    to end within a fraction of a second, doubling up to ``poll_interval``, then growing gently up
    to 15 seconds (or ``poll_interval`` when that is longer)."""
    target = min(max(poll_interval, 0.05), 30.0)
    wait = min(target, FIRST_WAIT)
    while True:
        yield wait
        if wait < target:
            wait = min(wait * 2, target)
        else:
            wait = min(wait * 1.5, max(target, 15.0))


def follow_restore(client, session_id, timeout, poll_interval=2.0, parent_session_id=None, sleep=None, clock=None,
                   before=None):
    """Poll an asynchronous restore until it ends or ``timeout`` seconds pass; return its report.

    The restore's own session becomes Stopped when it ends: only its state is read until then,
    its events and statistics once at the end.  If a server answers with the parent session's id
    instead, the restore is the events that appeared after the request (``before``: the parent's
    ``snapshot`` taken before it), and it is over when they have all ended and stayed so between
    two looks.  Token refresh is the client's job, so waits longer than the token lifetime keep
    working.
    """
    sleep = sleep or time.sleep
    clock = clock or time.time
    deadline = clock() + timeout
    shared = parent_session_id is not None and session_id == parent_session_id
    before = before if shared else None
    waits = _waits(poll_interval)
    last_look = None
    while True:
        session = client.call(RESTORE_SESSION, restoreSessionId=session_id) or {}
        events = None
        if shared:
            events = [e for e in read_events(client, session_id)
                      if before is None or e.get('id') not in before['event_ids']]
            look = [(e.get('id'), e.get('status')) for e in events]
            ended = bool(events) and all(e.get('status') in TERMINAL_EVENT_STATES for e in events)
            done = ended and look == last_look
            last_look = look if ended else None
        else:
            done = session.get('state') == 'Stopped'
        if done or clock() >= deadline:
            if events is None:
                events = read_events(client, session_id)
            report = build_report(session_id, session, events, _statistics(client, session_id),
                                  before=before['statistics'] if before else None, shared=shared)
            if done:
                return report
            raise Vb365TimeoutError(
                'the restore %s did not finish within %d seconds; it goes on on the server: follow it with '
                'vb365.restore.restore_session_info session_id=%s' % (session_id, timeout, session_id),
                details={'restore': report})
        if last_look is not None:
            sleep(min(poll_interval, 1.0))  # ended: one more look shows whether more events come
            continue
        pause = next(waits)
        sleep(min(pause, max(0.0, deadline - clock())) or pause)


def counts_in_message(message):
    """created / merged / failed / skipped counts written in an event's message, or None.

    Both "2 created, 5 merged" and "created 2, merged 5" are read; a count not named is 0.
    """
    text = message or ''
    number_first = [(word.lower(), int(n)) for n, word in _NUMBER_FIRST.findall(text)]
    word_first = [(word.lower(), int(n)) for word, n in _WORD_FIRST.findall(text)]
    found = word_first if len(word_first) > len(number_first) else number_first
    if not found:
        return None
    counts = dict((word, 0) for word in COUNT_WORDS)
    for word, number in found:
        counts[word] += number
    return counts


def _totals_of(statistics):
    return dict((key, int(statistics.get(field) or 0)) for key, field in TOTAL_FIELDS)


def _statistics_scope(before, after, event_sums):
    """Whether a shared session's statistics are the latest operation's or sums over the session.

    The spec does not say. Statistics that went down, or that were empty before, are the
    operation's own; entries that grew after the earlier ones are sums; otherwise the counts in
    this restore's events tell which reading fits, and without them the change is taken.
    """
    was, now = _totals_of(before), _totals_of(after)
    old_items, new_items = before.get('items') or [], after.get('items') or []
    if not any(was.values()) and not old_items:
        return 'operation'
    if any(now[key] < was[key] for key in now):
        return 'operation'
    if old_items and len(new_items) > len(old_items) and new_items[:len(old_items)] == old_items:
        return 'session'
    if event_sums is not None:
        told = (event_sums['created'] + event_sums['merged'], event_sums['failed'], event_sums['skipped'])
        if told == (now['restored'] - was['restored'], now['failed'] - was['failed'], now['skipped'] - was['skipped']):
            return 'session'
        if told == (now['restored'], now['failed'], now['skipped']):
            return 'operation'
    return 'session'


def _added(before, after):
    """The part of a list that is new: what follows the earlier entries, or all of it when they are gone."""
    before, after = before or [], after or []
    if before and after[:len(before)] == before:
        return after[len(before):]
    return after


def _mailbox_entry(detail):
    entry = {
        'email': detail.get('mailboxEmail'),
        'name': detail.get('name'),
        'is_archive': bool(detail.get('mailboxIsArchive')),
        'status': detail.get('status'),
        'created': detail.get('createdMailboxItemsCount', 0),
        'merged': detail.get('mergedMailboxItemsCount', 0),
        'failed': detail.get('failedMailboxItemsCount', 0),
        'skipped': detail.get('skippedMailboxItemsCount', 0),
        'source': FROM_MAILBOX_STATISTICS,
    }
    if detail.get('cannotContinueMailboxError') or detail.get('error'):
        entry['error'] = detail.get('cannotContinueMailboxError') or detail.get('error')
    return entry


def _event_entry(event, counts):
    entry = {'email': event.get('itemName') or event.get('source') or event.get('title'), 'name': event.get('title'),
             'status': event.get('status'), 'source': FROM_EVENTS if counts else None}
    entry.update(counts or dict((word, None) for word in COUNT_WORDS))
    if event.get('status') == 'Failed':
        entry['error'] = event.get('message')
    return entry


def _event_status(events):
    states = set(e.get('status') for e in events)
    if 'Failed' in states:
        return 'Failed'
    if states & {'Warning', 'Cancelled'}:
        return 'Warning'
    return 'Success'


def build_report(session_id, session, events, statistics, before=None, shared=False):
    """Totals, per-mailbox counts, status and events of one restore, as modules return them.

    ``events`` are this restore's own; ``shared``: the server answered with the session the
    restore was sent to, whose statistics were ``before`` when it was sent.  Every figure comes
    from what the spec defines for the operation; ``sources`` says where each one came from.
    """
    restore_events = [e for e in events if e.get('type') in (None, 'Restore')] or events
    parsed = [counts_in_message(e.get('message')) for e in restore_events]
    told = [c for c in parsed if c]
    event_sums = dict((w, sum(c[w] for c in told)) for w in COUNT_WORDS) if told else None

    statistics = statistics or {}
    scope = 'operation'
    if shared and before is not None:
        scope = _statistics_scope(before, statistics, event_sums)
    details = statistics.get('items') or []
    warnings, errors = statistics.get('warnings') or [], statistics.get('errors') or []
    totals = _totals_of(statistics)
    if scope == 'session':
        details = _added(before.get('items'), details)
        warnings, errors = _added(before.get('warnings'), warnings), _added(before.get('errors'), errors)
        was = _totals_of(before)
        totals = dict((key, totals[key] - was[key]) for key in totals)
    stats_source = FROM_STATISTICS_CHANGE if scope == 'session' else FROM_STATISTICS

    per_mailbox, per_item = [], []
    for detail in details:
        if detail.get('itemRestoreDetailsType') == 'BulkMailbox':
            per_mailbox.append(_mailbox_entry(detail))
        elif detail.get('itemRestoreDetailsType') in (None, 'Item'):
            item = {'id': detail.get('id'), 'name': detail.get('name') or detail.get('title'),
                    'status': detail.get('status')}
            for key in ('error', 'path'):
                if detail.get(key):
                    item[key] = detail[key]
            per_item.append(item)
    sources = {}
    if per_mailbox:
        sources['mailboxes'] = FROM_MAILBOX_STATISTICS
        created = sum(m['created'] or 0 for m in per_mailbox)
        merged = sum(m['merged'] or 0 for m in per_mailbox)
        sources['created'] = sources['merged'] = FROM_MAILBOX_STATISTICS
    else:
        per_mailbox = [_event_entry(e, c) for e, c in zip(restore_events, parsed)]
        sources['mailboxes'] = FROM_EVENTS
        created = merged = None
        if event_sums:
            created, merged = event_sums['created'], event_sums['merged']
            sources['created'] = sources['merged'] = FROM_EVENTS
    # A server that keeps its counts only in the events' messages leaves its statistics at zero.
    silent = not any(totals.values())
    figures = {'total': None, 'restored': None, 'failed': None, 'skipped': None}
    if silent and event_sums:
        figures.update(restored=event_sums['created'] + event_sums['merged'], failed=event_sums['failed'],
                       skipped=event_sums['skipped'], total=sum(event_sums.values()))
        for key in figures:
            sources[key] = FROM_EVENTS
    elif statistics:
        figures.update(totals)
        for key in figures:
            sources[key] = stats_source
    for key in ('created', 'merged'):
        sources.setdefault(key, None)
    for key in figures:
        sources.setdefault(key, None)

    if shared:
        result = _event_status(events) if events else None
    else:
        result = session.get('result') if session.get('state') == 'Stopped' else None
        if result is None and events:
            result = _event_status(events)
    if result != 'Failed' and any(m.get('status') == 'Failed' for m in per_mailbox):
        result = 'Failed'
    totals_out = dict(figures, created=created, merged=merged)
    return {
        'session_id': session_id,
        'shared_session': bool(shared),
        'state': session.get('state'),
        'status': result,
        'totals': totals_out,
        'sources': sources,
        'changed': restored_anything(totals_out),
        'mailboxes': per_mailbox,
        'item_details': per_item,
        'warnings': warnings,
        'errors': errors,
        'events': [to_snake(e) for e in events],
        'start_time': min([e.get('startTime') for e in events if e.get('startTime')] or [None]) if shared
        else session.get('creationTime'),
        'end_time': None if shared else session.get('endTime'),
    }


def restored_anything(totals):
    """Whether the figures say that something was written: items restored, or created or merged."""
    return bool((totals.get('restored') or 0) > 0 or (totals.get('created') or 0) + (totals.get('merged') or 0) > 0)


def failed_mailboxes(report):
    return [m for m in report.get('mailboxes') or [] if m.get('status') == 'Failed']


def finish_restore(report, allow_partial=False):
    """The warnings of a finished restore; a Failed one raises ``Vb365RestoreFailed``.

    A mailbox that failed fails the task, naming it and its error, unless ``allow_partial``
    and another mailbox of the restore was restored; it is then a warning (and the report
    says ``partial``).
    """
    failed = failed_mailboxes(report)
    partial = allow_partial and failed and len(failed) < len(report.get('mailboxes') or [])
    if (report['status'] == 'Failed' or failed) and not partial:
        if failed:
            reasons = '; '.join('%s: %s' % (m.get('email') or m.get('name'), m.get('error') or 'failed')
                                for m in failed[:10])
            if len(failed) > 10:
                reasons += '; and %d more mailboxes' % (len(failed) - 10)
        else:
            failing = [e for e in report['events'] if e.get('status') == 'Failed']
            reasons = '; '.join('%s: %s' % (e.get('title') or '', e.get('message') or '') for e in failing[:10])
        errors = '; '.join(report['errors'][:10])
        raise Vb365RestoreFailed(
            'the restore %s failed: %s' % (report['session_id'], reasons or errors or 'see the events'),
            details={'restore': report})
    warnings = []
    if partial:
        # The user accepted a partial restore: it is a success with warnings, not a failure.
        report.update(partial=True, status='Warning')
        for mailbox in failed[:20]:
            warnings.append('restore %s: mailbox %s failed (allow_partial is set): %s' % (
                report['session_id'], mailbox.get('email') or mailbox.get('name'), mailbox.get('error') or 'failed'))
    if report['status'] == 'Warning':
        generic = [] if partial else ['the restore %s finished with warnings' % report['session_id']]
        for warning in (report['warnings'] or generic)[:20]:
            warnings.append('restore %s: %s' % (report['session_id'], warning))
    return warnings


def restore_changed(report):
    """Whether a merged report changed anything: the figures say something was restored, or the
    restore was only started (``wait: false``)."""
    return True if report.get('status') is None else bool(report.get('changed'))


def wait_of(params):
    """The wait options of a restore module as plain values: wait, timeout, poll_interval."""
    return {'wait': params.get('wait', True), 'timeout': params.get('wait_timeout'),
            'poll_interval': params.get('poll_interval')}


def may_have_started(exc, parent_session_id):
    """``exc`` of a restore request, saying how to find the restore when the server may have started it."""
    if exc.maybe_processed:
        exc.msg += ('; the restore may have started: before running the task again, list the restore '
                    'sessions with vb365.restore.restore_session_info; a restore session started from %s '
                    'since then is this restore, and its events tell its outcome' % parent_session_id)
        exc.args = (exc.msg,)
        exc.details = dict(exc.details, restore_may_have_started=True)
    return exc


def follow_started(client, session_id, parent_session_id, wait, before=None):
    """The report of a restore the server accepted (its session ``session_id``), followed to its end when
    ``wait['wait']``; else a stub. ``before``: the parent's ``snapshot`` taken before the request.

    When following fails, the error keeps the restore's id.
    """
    if not wait['wait']:
        return {'session_id': session_id, 'state': 'Working', 'status': None}
    try:
        return follow_restore(client, session_id, wait['timeout'], wait['poll_interval'],
                              parent_session_id=parent_session_id, before=before)
    except Vb365Error as exc:
        if 'restore' not in exc.details:
            exc.msg += ' (the restore %s had started; follow it with vb365.restore.restore_session_info session_id=%s)' % (
                session_id, session_id)
            exc.args = (exc.msg,)
            exc.details = dict(exc.details, restore={'session_id': session_id, 'state': None, 'status': None})
        raise


def keep_started(exc, reports):
    """Put the restores that started before ``exc`` (their ids and outcomes) into its result."""
    started = [r for r in reports if r]
    if exc.details.get('restore'):
        started.append(exc.details['restore'])
    if started:
        exc.details = dict(exc.details, restore=merge_reports(started))
    return exc


def check_wait_options(params):
    if params.get('wait_timeout') is not None and params['wait_timeout'] < 1:
        raise Vb365ParameterError('wait_timeout: must be at least 1 second, got %d' % params['wait_timeout'])
    if params.get('poll_interval') is not None and params['poll_interval'] <= 0:
        raise Vb365ParameterError('poll_interval: must be a positive number of seconds')


def merge_reports(reports):
    """One report for several restore calls (batches, or one call per mailbox).

    A total is the sum of the calls' figures, or None when no call gave it; its source is the
    calls' sources, comma-separated when they differ.
    """
    reports = [r for r in reports if r]
    if not reports:
        return None
    if len(reports) == 1:
        return reports[0]
    order = {'Failed': 3, 'Warning': 2, 'Success': 1, None: 0}
    merged = {
        'session_id': reports[0].get('session_id'),
        'session_ids': [r.get('session_id') for r in reports],
        'shared_session': any(r.get('shared_session') for r in reports),
        'state': 'Stopped' if all(r.get('state') == 'Stopped' for r in reports) else 'Working',
        'status': max((r.get('status') for r in reports), key=lambda s: order.get(s, 0)),
        'totals': {},
        'sources': {},
        'changed': any(r.get('changed') for r in reports),
        'mailboxes': [], 'item_details': [], 'warnings': [], 'errors': [], 'events': [],
        'start_time': reports[0].get('start_time'),
        'end_time': reports[-1].get('end_time'),
    }
    for report in reports:
        for key, value in (report.get('totals') or {}).items():
            if value is not None:
                merged['totals'][key] = (merged['totals'].get(key) or 0) + value
            else:
                merged['totals'].setdefault(key, None)
        for key, source in (report.get('sources') or {}).items():
            known = merged['sources'].setdefault(key, [])
            if source and source not in known:
                known.append(source)
        for key in ('mailboxes', 'item_details', 'warnings', 'errors', 'events'):
            merged[key].extend(report.get(key) or [])
    merged['sources'] = dict((key, ', '.join(found) or None) for key, found in merged['sources'].items())
    return merged
