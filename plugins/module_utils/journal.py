# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore journal: which mailboxes of a tenant-wide restore are done, and how.

A JSON Lines file, appended to and never rewritten, so that several processes (the slices of
an AWX sliced job, or ``--limit``ed runs) can share one file: every append and every read holds
an ``fcntl`` lock on the file, and a line is written with one ``write`` call. The newest line of
a mailbox wins. Lines carry a ``scope`` (organization and point in time): a journal
reused for another restore does not make it skip anything.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - Windows controllers are not supported by ansible-core
    HAS_FCNTL = False

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365ParameterError

# Outcomes after which a mailbox is done: a re-run leaves it alone (unless forced).
DONE_STATES = ('Success', 'Warning')
# A restore request was sent for the mailbox and its outcome was not yet read.
SUBMITTED = 'Submitted'


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


class Journal:
    """One journal file; ``option`` names the option the path came from, for errors."""

    def __init__(self, path, scope, option='journal'):
        if not path:
            raise Vb365ParameterError('%s: a file path is required' % option)
        if not HAS_FCNTL:
            raise Vb365ParameterError('%s: needs a controller with fcntl (Linux or another POSIX system)' % option)
        self.path = os.path.abspath(os.path.expanduser(path))
        self.scope = scope
        self.option = option
        parent = os.path.dirname(self.path)
        if not os.path.isdir(parent):
            raise Vb365ParameterError('%s: the directory %s does not exist (on AWX, use a directory that outlives the '
                                      'job container: a mounted persistent volume or a shared file system)'
                                      % (option, parent))

    def _open(self):
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o640)
        except OSError as exc:
            raise Vb365ParameterError('%s: cannot open %s: %s' % (self.option, self.path, exc.strerror))

    def read(self):
        """{mailbox id: newest entry} of this scope."""
        latest = {}
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            with os.fdopen(os.dup(fd), 'r', encoding='utf-8') as handle:
                handle.seek(0)
                for line in handle:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue  # a line cut by a crash while it was written
                    if isinstance(entry, dict) and entry.get('scope') == self.scope and entry.get('id'):
                        latest[entry['id']] = entry
        finally:
            os.close(fd)  # closing the descriptor releases the lock
        return latest

    def record(self, entries):
        """Append entries (dicts with at least ``id`` and ``status``), all in one locked write."""
        if not entries:
            return 0
        stamp = _now()
        lines = []
        for entry in entries:
            line = dict(entry, scope=self.scope)
            line.setdefault('recorded', stamp)
            lines.append(json.dumps(line, sort_keys=True, separators=(',', ':')))
        data = ('\n'.join(lines) + '\n').encode('utf-8')
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # A previous writer killed halfway leaves a line without its end: start on a new line.
            size = os.fstat(fd).st_size
            if size:
                os.lseek(fd, size - 1, os.SEEK_SET)
                if os.read(fd, 1) != b'\n':
                    data = b'\n' + data
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
        return len(entries)


def journal_scope(organization_id, point_in_time):
    """The scope of a restore's lines: the same mailbox at another point in time is other work.
    (Mailbox ids tell primary mailboxes and archives apart.)"""
    return '%s|%s' % (organization_id, point_in_time or 'latest')


def split_done(mailbox_ids, latest, force=False):
    """(to do, done entries) for ``mailbox_ids`` given the journal's newest entries."""
    if force:
        return list(mailbox_ids), []
    todo, done = [], []
    for mailbox_id in mailbox_ids:
        entry = latest.get(mailbox_id)
        if entry and entry.get('status') in DONE_STATES:
            done.append(entry)
        else:
            todo.append(mailbox_id)
    return todo, done


def submitted_entries(mailboxes, restore_session_id):
    """Lines saying that a restore of ``mailboxes`` (API objects) was accepted as ``restore_session_id``."""
    return [{'id': m['id'], 'email': m.get('email'), 'is_archive': bool(m.get('isArchive')), 'status': SUBMITTED,
             'restore_session_id': restore_session_id} for m in mailboxes]


def journal_entries(mailboxes, report):
    """Lines with the outcome of each of ``mailboxes`` in a finished restore's report.

    A mailbox is matched to its statistics row by email and kind (primary or archive); one
    without a row takes the status of the whole restore only when the report has no row at all
    (a server that gives no per-mailbox details), else it stays undone (V(Unknown)).
    """
    rows = {}
    for row in report.get('mailboxes') or []:
        rows[(str(row.get('email') or '').lower(), bool(row.get('is_archive')))] = row
    entries = []
    for mailbox in mailboxes:
        row = rows.get((str(mailbox.get('email') or '').lower(), bool(mailbox.get('isArchive'))))
        entry = {'id': mailbox['id'], 'email': mailbox.get('email'), 'is_archive': bool(mailbox.get('isArchive')),
                 'restore_session_id': report.get('session_id')}
        if row is not None:
            entry.update(status=row.get('status') or 'Unknown', created=row.get('created', 0),
                         merged=row.get('merged', 0), failed=row.get('failed', 0), skipped=row.get('skipped', 0))
            if row.get('error'):
                entry['error'] = row['error']
        else:
            entry['status'] = (report.get('status') or 'Unknown') if not rows else 'Unknown'
        entries.append(entry)
    return entries
