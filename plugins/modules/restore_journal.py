#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: restore_journal
short_description: Read the journal of a resumable bulk restore and tell which mailboxes are left
version_added: 0.1.0
description:
  - A restore journal is a file that M(vb365.restore.mailbox_restore) (option C(journal)) appends to for each bulk
    restore request - once when the server accepts it (status V(Submitted), with the restore's session id) and once
    with each mailbox's outcome when it ends. Several processes, such as the slices of an AWX sliced job, may share
    one journal, since every write and read locks the file.
  - This module reads the journal and splits O(mailboxes) into those that are done (their newest line says
    V(Success) or V(Warning)) and those still to restore (no line, V(Failed), V(Unknown)), so that a re-run after a
    crash or a failed batch restores only the rest.
  - A mailbox whose newest line is V(Submitted) belongs to a restore the server accepted but whose end was never
    read (the run was killed while waiting). Such a restore is never sent again while the server knows it - the module
    waits for it to end, reads its statistics and records the outcome; only when the server no longer knows the
    restore session is the mailbox restored again.
  - Lines carry a scope (organization and point in time); lines of another scope are
    ignored, so one journal file can serve several restores.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes
  - vb365.restore.connection
attributes:
  check_mode:
    description: Reads the journal and the server; records the outcome of restores that ended only when not in check mode.
options:
  path:
    description:
      - The journal file; created empty when missing (its directory must exist).
      - On AWX / Automation Controller the job's container is thrown away after the job, so put the journal on storage
        that outlives it and that every execution node of a sliced job sees, such as a persistent volume or an NFS share
        mounted into the container group or execution environment.
    type: path
    required: true
  organization_id:
    description: The id of the organization restored (C(session.organization.id) of M(vb365.restore.restore_session)).
    type: str
    required: true
  point_in_time:
    description: The point in time restored, as M(vb365.restore.restore_session) returns it (empty for the latest backup).
    type: str
    default: ""
  mailboxes:
    description: The ids of the mailboxes this run is meant to restore.
    type: list
    elements: str
    required: true
  force:
    description:
      - Start over - every mailbox of O(mailboxes) is to restore again, whatever the journal says. The journal is kept
        (other slices may use it); the new outcomes are appended and become the newest lines.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for a restore that was accepted before a crash and is still running.
    type: int
    default: 7200
seealso:
  - module: vb365.restore.mailbox_restore
'''

EXAMPLES = r'''
- name: Which mailboxes of this slice are left to restore
  vb365.restore.restore_journal:
    path: /runner/journal/contoso-2026-11-17.jsonl
    organization_id: "{{ rs.session.organization.id }}"
    point_in_time: "{{ rs.point_in_time | default('', true) }}"
    mailboxes: "{{ ansible_play_hosts | map('extract', hostvars, 'vb365_mailbox_id') | list }}"
  register: journal

- name: Restore them, recording each batch in the journal
  vb365.restore.mailbox_restore:
    session_id: "{{ rs.session.id }}"
    mailboxes: "{{ journal.todo }}"
    journal: /runner/journal/contoso-2026-11-17.jsonl
    journal_scope: "{{ journal.scope }}"
    exchange_credentials: "{{ exchange_credentials }}"
  when: journal.todo | length > 0
'''

RETURN = r'''
scope:
  description: The scope of this restore's journal lines; pass it to the C(journal_scope) option of M(vb365.restore.mailbox_restore).
  returned: always
  type: str
todo:
  description: The ids of the mailboxes still to restore, in the order of O(mailboxes).
  returned: always
  type: list
  elements: str
done:
  description:
    - The newest journal line of each mailbox that is done (id, email, is_archive, status, created, merged, failed,
      skipped, restore_session_id, recorded).
  returned: always
  type: list
  elements: dict
followed:
  description: The ids of restore sessions accepted before a crash whose outcome this run read (and recorded).
  returned: always
  type: list
  elements: str
resumed:
  description: Whether the journal already had done mailboxes of this run (a re-run continuing an earlier one).
  returned: always
  type: bool
msg:
  description: What the journal says, in a sentence.
  returned: always
  type: str
'''

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365NotFoundError
from ansible_collections.vb365.restore.plugins.module_utils.journal import (
    SUBMITTED,
    Journal,
    journal_entries,
    journal_scope,
    split_done,
)
from ansible_collections.vb365.restore.plugins.module_utils.module import PLANNED, Vb365Module, parameter_error
from ansible_collections.vb365.restore.plugins.module_utils.operations import RESTORE_SESSION
from ansible_collections.vb365.restore.plugins.module_utils.restore import follow_restore


def follow_submitted(mod, journal, latest, wanted):
    """Read the outcome of the restores accepted before a crash and record it (not in check mode); returns their
    session ids, and whether the journal was written."""
    pending = {}
    for mailbox_id in wanted:
        entry = latest.get(mailbox_id)
        if entry and entry.get('status') == SUBMITTED and entry.get('restore_session_id'):
            pending.setdefault(entry['restore_session_id'], []).append(entry)
    followed, recorded = [], False
    for restore_id, entries in pending.items():
        try:
            mod.client.call(RESTORE_SESSION, restoreSessionId=restore_id)
        except Vb365NotFoundError:
            continue  # the server no longer knows it: the mailboxes are restored again
        report = follow_restore(mod.client, restore_id, mod.params['wait_timeout'])
        followed.append(restore_id)
        mailboxes = [{'id': e['id'], 'email': e.get('email'), 'isArchive': e.get('is_archive')} for e in entries]
        lines = journal_entries(mailboxes, report)
        if mod.change_locally(lambda lines=lines: journal.record(lines)) is PLANNED:
            continue
        recorded = True
        for line in lines:
            latest[line['id']] = line
    return followed, recorded


def run(mod):
    params = mod.params
    if params['wait_timeout'] < 1:
        raise parameter_error('wait_timeout', 'must be at least 1 second, got %d' % params['wait_timeout'])
    scope = journal_scope(params['organization_id'], params['point_in_time'])
    journal = Journal(params['path'], scope, option='path')
    latest = journal.read()
    wanted = list(dict.fromkeys(params['mailboxes']))
    followed, recorded = ([], False) if params['force'] else follow_submitted(mod, journal, latest, wanted)
    todo, done = split_done(wanted, latest, force=params['force'])
    if params['force']:
        msg = 'force: all %d mailboxes are restored again, whatever the journal says' % len(todo)
    elif done:
        msg = 'resuming: %d of %d mailboxes are done according to the journal %s, %d left to restore' % (
            len(done), len(wanted), journal.path, len(todo))
    else:
        msg = 'the journal %s has no finished mailbox of this run: %d to restore' % (journal.path, len(todo))
    mod.result.update(scope=scope, todo=todo, done=done, followed=followed, resumed=bool(done), msg=msg,
                      changed=recorded)


def main():
    spec = dict(
        path=dict(type='path', required=True),
        organization_id=dict(type='str', required=True),
        point_in_time=dict(type='str', default=''),
        mailboxes=dict(type='list', elements='str', required=True),
        force=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=7200),
    )
    mod = Vb365Module(argument_spec=spec)
    mod.run(run)


if __name__ == '__main__':
    main()
