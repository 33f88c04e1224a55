# -*- coding: utf-8 -*-
"""Unit tests of how a restore's report is built from what the server gives: the operation's own
statistics, the change of a shared session's statistics, BulkMailbox entries, the counts in the
events' messages; the status and ``changed``; a failed mailbox and allow_partial."""

from __future__ import annotations

import pytest

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365RestoreFailed
from ansible_collections.vb365.restore.plugins.module_utils.restore import (
    build_report,
    counts_in_message,
    finish_restore,
    merge_reports,
)

OWN = {'id': 'op', 'type': 'Vex', 'state': 'Stopped', 'result': 'Success', 'creationTime': '2026-11-23T01:00:00Z',
       'endTime': '2026-11-23T01:01:00Z'}
EXPLORE = {'id': 'rs', 'type': 'Vex', 'state': 'Working', 'result': 'Success', 'creationTime': '2026-11-23T00:00:00Z'}
ZERO = {'totalItemsCount': 0, 'restoredItemsCount': 0, 'failedItemsCount': 0, 'skippedItemsCount': 0, 'items': []}


def stats(total, restored, failed, skipped, items=(), warnings=(), errors=()):
    return {'totalItemsCount': total, 'restoredItemsCount': restored, 'failedItemsCount': failed,
            'skippedItemsCount': skipped, 'items': list(items), 'warnings': list(warnings), 'errors': list(errors)}


def bulk_entry(email, status, created, merged, failed, skipped, error=None):
    entry = {'id': email, 'name': email, 'itemType': 'ExchangeMailbox', 'status': status,
             'itemRestoreDetailsType': 'BulkMailbox', 'mailboxEmail': email, 'mailboxIsArchive': False,
             'mailboxIsPublic': False, 'createdMailboxItemsCount': created, 'mergedMailboxItemsCount': merged,
             'failedMailboxItemsCount': failed, 'skippedMailboxItemsCount': skipped}
    if error:
        entry['cannotContinueMailboxError'] = error
    return entry


def event(number, status, message, item='bob@contoso.onmicrosoft.com'):
    return {'id': 'e-%d' % number, 'type': 'Restore', 'status': status, 'message': message, 'order': number,
            'itemName': item, 'title': 'Restore of mailbox %s' % item, 'startTime': '2026-11-23T01:00:0%dZ' % number}


# ------------------------------------------------------------------ counts in messages
@pytest.mark.parametrize('message, counts', [
    ('2 created, 5 merged, 10 skipped', {'created': 2, 'merged': 5, 'failed': 0, 'skipped': 10}),
    ('bob@contoso.onmicrosoft.com: created 8, merged 2, failed 0, skipped 43 items.',
     {'created': 8, 'merged': 2, 'failed': 0, 'skipped': 43}),
    ('Restored mailbox bob: 1 Created, 0 merged, 1 failed, 3 skipped.',
     {'created': 1, 'merged': 0, 'failed': 1, 'skipped': 3}),
    ('Restore of 1 item(s) of carol ... 1 failed', {'created': 0, 'merged': 0, 'failed': 1, 'skipped': 0}),
    ('Restoring mailbox bob to bob.', None),
    (None, None),
])
def test_counts_are_read_from_either_wording(message, counts):
    assert counts_in_message(message) == counts


# ------------------------------------------------------------------ a restore with its own session
def test_the_own_sessions_statistics_and_bulk_entries():
    report = build_report('op', OWN, [event(1, 'Success', 'done')], stats(
        60, 10, 0, 50, items=[bulk_entry('a@x', 'Success', 4, 1, 0, 20), bulk_entry('b@x', 'Success', 3, 2, 0, 30)]))
    assert report['totals'] == {'total': 60, 'restored': 10, 'failed': 0, 'skipped': 50, 'created': 7, 'merged': 3}
    assert report['sources'] == {'mailboxes': 'mailbox_statistics', 'created': 'mailbox_statistics',
                                 'merged': 'mailbox_statistics', 'total': 'statistics', 'restored': 'statistics',
                                 'failed': 'statistics', 'skipped': 'statistics'}
    assert report['changed'] is True and report['status'] == 'Success' and report['shared_session'] is False


def test_no_bulk_entries_counts_from_the_event_and_changed_from_restored():
    """The issue's server: no BulkMailbox entry for a one-mailbox restore, the counts in the event."""
    report = build_report('op', OWN, [event(1, 'Success', '2 created, 5 merged, 10 skipped')], stats(17, 7, 0, 10))
    assert report['changed'] is True
    assert report['totals'] == {'total': 17, 'restored': 7, 'failed': 0, 'skipped': 10, 'created': 2, 'merged': 5}
    assert report['sources']['created'] == 'events' and report['sources']['restored'] == 'statistics'
    assert report['mailboxes'] == [{'email': 'bob@contoso.onmicrosoft.com', 'name': 'Restore of mailbox '
                                    'bob@contoso.onmicrosoft.com', 'status': 'Success', 'source': 'events',
                                    'created': 2, 'merged': 5, 'failed': 0, 'skipped': 10}]


def test_only_restored_items_count_is_enough_for_changed():
    report = build_report('op', OWN, [event(1, 'Success', 'Restoring mailbox bob.')], stats(17, 7, 0, 10))
    assert report['changed'] is True and report['totals']['created'] is None and report['sources']['created'] is None
    assert report['mailboxes'][0]['created'] is None and report['mailboxes'][0]['source'] is None


def test_nothing_restored_is_unchanged():
    report = build_report('op', OWN, [event(1, 'Success', 'created 0, merged 0, failed 0, skipped 17')],
                          stats(17, 0, 0, 17))
    assert report['changed'] is False and report['totals']['skipped'] == 17


def test_statistics_without_counts_leave_the_figures_to_the_events():
    report = build_report('op', OWN, [event(1, 'Success', 'Restored mailbox bob: 3 created, 1 merged, 0 failed, '
                                                          '9 skipped.')], ZERO)
    assert report['totals'] == {'total': 13, 'restored': 4, 'failed': 0, 'skipped': 9, 'created': 3, 'merged': 1}
    assert set(report['sources'].values()) == {'events'} and report['changed'] is True


# ------------------------------------------------------------------ a restore answered with the explore session's id
def test_shared_session_with_statistics_summed_over_the_session():
    before = stats(20, 8, 1, 11, items=[bulk_entry('a@x', 'Warning', 6, 2, 1, 11)], errors=['earlier'])
    after = stats(30, 12, 1, 17, items=[bulk_entry('a@x', 'Warning', 6, 2, 1, 11), bulk_entry('b@x', 'Success', 3, 1, 0, 6)],
                  errors=['earlier'])
    report = build_report('rs', EXPLORE, [event(3, 'Success', 'done', 'b@x')], after, before=before, shared=True)
    assert report['totals'] == {'total': 10, 'restored': 4, 'failed': 0, 'skipped': 6, 'created': 3, 'merged': 1}
    assert [m['email'] for m in report['mailboxes']] == ['b@x'] and report['errors'] == []
    assert report['sources']['restored'] == 'statistics_change' and report['status'] == 'Success'


def test_shared_session_with_the_latest_operations_statistics():
    """Statistics that went down since the request are the operation's own."""
    before = stats(30, 12, 1, 17)
    report = build_report('rs', EXPLORE, [event(3, 'Success', 'Restoring b')], stats(9, 3, 0, 6), before=before,
                          shared=True)
    assert report['totals']['restored'] == 3 and report['sources']['restored'] == 'statistics'


@pytest.mark.parametrize('latest, restored, source', [
    (stats(17, 7, 0, 10), 7, 'statistics'),  # the event's counts match the latest figures, not the change
    (stats(34, 14, 0, 20), 7, 'statistics_change'),  # they match the change: sums over the session
])
def test_shared_session_ambiguous_statistics_are_told_apart_by_the_events(latest, restored, source):
    before = stats(17, 7, 0, 10)
    report = build_report('rs', EXPLORE, [event(2, 'Success', '2 created, 5 merged, 10 skipped')], latest,
                          before=before, shared=True)
    assert report['totals']['restored'] == restored and report['sources']['restored'] == source
    assert report['changed'] is True


def test_shared_session_status_comes_from_this_restores_events_only():
    """The explore session's result keeps an earlier restore's failure: it is not this one's."""
    failed_before = dict(EXPLORE, result='Failed')
    report = build_report('rs', failed_before, [event(4, 'Success', 'created 1, merged 0, failed 0, skipped 2')],
                          ZERO, before=ZERO, shared=True)
    assert report['status'] == 'Success' and report['state'] == 'Working' and report['end_time'] is None


# ------------------------------------------------------------------ failed mailboxes
def test_a_failed_mailbox_fails_even_when_the_session_says_warning():
    session = dict(OWN, result='Warning')
    report = build_report('op', session, [event(1, 'Success', 'ok', 'a@x'), event(2, 'Failed', 'no', 'b@x')], stats(
        10, 4, 0, 6, items=[bulk_entry('a@x', 'Success', 4, 0, 0, 6),
                            bulk_entry('b@x', 'Failed', 0, 0, 0, 0, error='Cannot open mailbox b@x.')]))
    assert report['status'] == 'Failed'
    with pytest.raises(Vb365RestoreFailed) as err:
        finish_restore(report)
    assert err.value.msg == 'the restore op failed: b@x: Cannot open mailbox b@x.'


def test_allow_partial_turns_a_failed_mailbox_into_a_warning():
    report = build_report('op', dict(OWN, result='Failed'), [], stats(
        10, 4, 0, 6, items=[bulk_entry('a@x', 'Success', 4, 0, 0, 6), bulk_entry('b@x', 'Skipped', 0, 0, 0, 0),
                            bulk_entry('c@x', 'Failed', 0, 0, 0, 0, error='Cannot open mailbox c@x.')]))
    warnings = finish_restore(report, allow_partial=True)
    assert report['status'] == 'Warning' and report['partial'] is True
    assert warnings == ['restore op: mailbox c@x failed (allow_partial is set): Cannot open mailbox c@x.']


def test_allow_partial_does_not_accept_a_restore_in_which_every_mailbox_failed():
    report = build_report('op', dict(OWN, result='Failed'), [], stats(
        0, 0, 0, 0, items=[bulk_entry('c@x', 'Failed', 0, 0, 0, 0, error='Cannot open mailbox c@x.')]))
    with pytest.raises(Vb365RestoreFailed):
        finish_restore(report, allow_partial=True)


def test_a_skipped_mailbox_is_not_a_failure():
    report = build_report('op', OWN, [], stats(
        5, 5, 0, 0, items=[bulk_entry('a@x', 'Success', 5, 0, 0, 0), bulk_entry('u@x', 'Skipped', 0, 0, 0, 0)]))
    warnings = finish_restore(report)
    assert report['status'] == 'Success' and warnings == []


# ------------------------------------------------------------------ several requests
def test_merged_reports_keep_unknown_counts_unknown_and_name_every_source():
    one = build_report('s1', OWN, [event(1, 'Success', 'Restoring.')], stats(5, 5, 0, 0))
    two = build_report('s2', OWN, [event(1, 'Success', '1 created, 1 merged')], stats(2, 2, 0, 0))
    merged = merge_reports([one, two])
    assert merged['totals']['restored'] == 7 and merged['totals']['created'] == 1
    assert merged['sources']['created'] == 'events' and merged['sources']['restored'] == 'statistics'
    assert merged['changed'] is True
    none = merge_reports([one, build_report('s3', OWN, [], stats(0, 0, 0, 0))])
    assert none['totals']['created'] is None and none['sources']['created'] is None
