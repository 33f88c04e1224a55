"""The restore journal: newest line wins per mailbox and scope, concurrent writers never interleave
lines, a line cut by a crash is skipped and does not spoil the next write."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365ParameterError
from ansible_collections.vb365.restore.plugins.module_utils.journal import (
    Journal,
    journal_entries,
    journal_scope,
    split_done,
    submitted_entries,
)

SCOPE = journal_scope('6d3f12db-86e1-52d0-8f17-8d131e7fde09', '2026-11-17T23:59:59Z')


def test_newest_line_of_a_mailbox_wins_and_other_scopes_are_ignored(tmp_path):
    path = str(tmp_path / 'j.jsonl')
    journal = Journal(path, SCOPE)
    journal.record([{'id': 'a', 'status': 'Failed'}, {'id': 'b', 'status': 'Success'}])
    journal.record([{'id': 'a', 'status': 'Success'}])
    Journal(path, journal_scope('6d3f12db-86e1-52d0-8f17-8d131e7fde09', None)).record([{'id': 'c', 'status': 'Success'}])
    latest = journal.read()
    assert dict((k, v['status']) for k, v in latest.items()) == {'a': 'Success', 'b': 'Success'}
    todo, done = split_done(['a', 'b', 'c', 'd'], latest)
    assert todo == ['c', 'd'] and [e['id'] for e in done] == ['a', 'b']
    assert split_done(['a', 'b'], latest, force=True) == (['a', 'b'], [])


def test_failed_submitted_and_unknown_are_not_done(tmp_path):
    latest = {'a': {'id': 'a', 'status': 'Failed'}, 'b': {'id': 'b', 'status': 'Submitted'},
              'c': {'id': 'c', 'status': 'Unknown'}, 'd': {'id': 'd', 'status': 'Warning'}}
    assert split_done(['a', 'b', 'c', 'd'], latest)[0] == ['a', 'b', 'c']


def _writer(path, prefix, count):
    journal = Journal(path, SCOPE)
    for n in range(count):
        journal.record([{'id': '%s-%d-%d' % (prefix, n, k), 'status': 'Success', 'pad': 'x' * 3000} for k in range(5)])


def test_two_processes_writing_at_once_lose_and_mix_nothing(tmp_path):
    path = str(tmp_path / 'j.jsonl')
    procs = [multiprocessing.Process(target=_writer, args=(path, p, 60)) for p in ('p', 'q')]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    with open(path) as handle:
        lines = [json.loads(line) for line in handle]  # every line is whole JSON
    assert len(lines) == 2 * 60 * 5 and len(Journal(path, SCOPE).read()) == 600


def test_a_line_cut_by_a_crash_is_skipped_and_the_next_write_starts_a_new_line(tmp_path):
    path = str(tmp_path / 'j.jsonl')
    journal = Journal(path, SCOPE)
    journal.record([{'id': 'a', 'status': 'Success'}])
    with open(path, 'a') as handle:
        handle.write('{"id": "b", "status": "Succ')
    journal.record([{'id': 'c', 'status': 'Success'}])
    assert sorted(journal.read()) == ['a', 'c']


def test_a_missing_directory_is_refused_naming_the_option(tmp_path):
    with pytest.raises(Vb365ParameterError, match='^mailbox_bulk_restore_journal: the directory .* does not exist'):
        Journal(str(tmp_path / 'nowhere' / 'j.jsonl'), SCOPE, option='mailbox_bulk_restore_journal')


def test_outcomes_are_matched_to_mailboxes_by_email_and_kind():
    mailboxes = [{'id': '1', 'email': 'Alice@x', 'isArchive': False}, {'id': '2', 'email': 'alice@x', 'isArchive': True},
                 {'id': '3', 'email': 'bob@x', 'isArchive': False}]
    report = {'session_id': 'r1', 'status': 'Warning', 'mailboxes': [
        {'email': 'alice@x', 'is_archive': False, 'status': 'Success', 'created': 2, 'merged': 1, 'failed': 0, 'skipped': 3},
        {'email': 'ALICE@x', 'is_archive': True, 'status': 'Failed', 'created': 0, 'merged': 0, 'failed': 4,
         'skipped': 0, 'error': 'quota'}]}
    lines = dict((e['id'], e) for e in journal_entries(mailboxes, report))
    assert (lines['1']['status'], lines['1']['created'], lines['1']['restore_session_id']) == ('Success', 2, 'r1')
    assert (lines['2']['status'], lines['2']['error']) == ('Failed', 'quota')
    assert lines['3']['status'] == 'Unknown'  # no row of its own: not done
    assert [e['status'] for e in journal_entries(mailboxes[2:], {'session_id': 'r2', 'status': 'Success'})] == ['Success']
    assert [e['status'] for e in submitted_entries(mailboxes, 'r3')] == ['Submitted'] * 3
