#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mailbox_restore
short_description: Restore whole Exchange mailboxes or folders from Veeam Backup for Microsoft 365
version_added: 0.1.0
description:
  - Restores whole mailboxes, or one folder of each, from a restore session opened with
    M(vb365.restore.restore_session) - back to their original place, into another mailbox (and folder, Exchange
    server, region or organization), or many at once through the bulk restore.
  - The module picks the endpoint. One mailbox to its original place without restore flags uses the mailbox
    restore, whose body takes credentials only; several mailboxes (or one with restore flags, on-premises
    credentials or a O(target) with only O(target.cas_server)) use one bulk restore per O(batch_size) mailboxes;
    O(target.mailbox) uses a restore to another location per mailbox; O(folder) uses the folder restores, one per
    mailbox. An option the chosen endpoint does not take is refused before any request, never dropped.
  - The restore runs asynchronously on the server; by default the module waits for it and reports the created,
    merged, failed and skipped item counts of every mailbox. Several requests (batches, or one per mailbox) are
    followed one after the other, each for up to O(wait_timeout) seconds.
  - The server decides what to do with each item (create what is missing, merge what changed, skip what is the
    same), so a second identical run is safe and reports mostly skipped items. C(changed) is true when the server's
    figures for this restore say that anything was restored (items restored, created or merged), and false only
    when they say that nothing was.
  - The figures are this restore's own, also when the server answers with the id of the session the restore was
    sent to - the events that appeared after the request and the change of the statistics since then, never an
    earlier restore's. RV(restore.sources) says where each figure came from.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes
  - vb365.restore.connection
  - vb365.restore.exchange_credentials
  - vb365.restore.restore
  - vb365.restore.restore.mailbox
  - vb365.restore.restore.target
  - vb365.restore.wait
attributes:
  check_mode:
    description: Resolves the mailboxes, folder and credentials and returns the restore requests it would send, without sending them.
  diff_mode:
    description: The module returns no diff; the server decides item by item.
options:
  session_id:
    description: The id of a working Exchange restore session.
    type: str
    required: true
  mailboxes:
    description:
      - The mailboxes to restore, each by email, display name or id, or a shell-style wildcard on email and name.
      - A plain value must match exactly one mailbox; an unknown or ambiguous one fails before anything is restored.
    type: list
    elements: str
    required: true
  archive:
    description:
      - Whether O(mailboxes) means the users' in-place archive mailboxes.
      - An archive has the same email (and usually name) as its owner's mailbox, so emails, names and wildcards match
        primary mailboxes only by default, and archives only when this is V(true). Ids match either.
    type: bool
    default: false
  folder:
    description:
      - Restore only this folder (with its subfolders) of each mailbox, by path (V(Inbox/Projects)) or id.
    type: str
  batch_size:
    description: How many mailboxes one bulk restore request carries at most.
    type: int
    default: 500
  journal:
    description:
      - Record in this journal file, right after each bulk restore request is accepted and again when it ends, which
        mailboxes it restored and how (see M(vb365.restore.restore_journal), which reads it and tells what is left).
      - Several processes may write one journal at once (the file is locked for each write).
      - Only with the bulk restore; ignored in check mode.
    type: path
    version_added: 0.1.0
  journal_scope:
    description:
      - The scope of the journal lines, as M(vb365.restore.restore_journal) returns it (C(scope)). Required with
        O(journal).
    type: str
    version_added: 0.1.0
  allow_partial:
    description:
      - Whether a restore in which some mailboxes failed (and others were restored) succeeds, with a warning naming
        each failed mailbox and its error.
      - By default a failed mailbox fails the task, naming the mailbox and the server's error. A mailbox the server
        skipped (for example with O(skip_unresolved)) is not a failure. A restore in which every mailbox failed
        always fails.
    type: bool
    default: false
    version_added: 0.1.0
seealso:
  - module: vb365.restore.restore_session
  - module: vb365.restore.mailbox_info
  - module: vb365.restore.restore_session_info
'''

EXAMPLES = r'''
- name: Put three mailboxes back as they were at the point in time of the session
  vb365.restore.mailbox_restore:
    session_id: "{{ rs.session.id }}"
    mailboxes:
      - alice@contoso.onmicrosoft.com
      - bob@contoso.onmicrosoft.com
      - Carol White
    changed_items: true
    deleted_items: true
    exchange_credentials:
      username: restore-operator@contoso.onmicrosoft.com
      password: "{{ vault_exchange_password }}"
  register: restored

- name: A leaver's mailbox into a folder of the manager's mailbox
  vb365.restore.mailbox_restore:
    session_id: "{{ rs.session.id }}"
    mailboxes: [erin@contoso.onmicrosoft.com]
    target:
      mailbox: frank@contoso.onmicrosoft.com
      folder: Erin Leaver
    exclude_drafts: true
    exchange_credentials:
      application_id: 3f2504e0-4f89-41d3-9a0c-0305e82c3301
      certificate_path: /etc/pki/vb365/restore-app.pfx
      certificate_password: "{{ vault_pfx_password }}"
      impersonation_account: restore-operator@contoso.onmicrosoft.com

- name: One folder, started without waiting
  vb365.restore.mailbox_restore:
    session_id: "{{ rs.session.id }}"
    mailboxes: [bob@contoso.onmicrosoft.com]
    folder: Inbox/Invoices
    exchange_credentials:
      user_code: "{{ device_code }}"
    wait: false
'''

RETURN = r'''
restore:
  description: The outcome of the restore (of all its requests together). Absent in check mode.
  returned: unless in check mode
  type: dict
  contains:
    session_id:
      description: The restore session id the server returned (the first one, when there were several requests).
      type: str
    session_ids:
      description: Every restore session id, when there were several requests.
      type: list
      elements: str
    status:
      description: V(Success), V(Warning) or V(Failed); null when O(wait=false).
      type: str
    totals:
      description:
        - Item counts of this restore (total, restored, failed, skipped, created, merged).
        - A count the server did not give for this restore is null (for example created and merged, which only
          the per-mailbox statistics of a bulk restore or the events' messages carry).
      type: dict
    sources:
      description:
        - Where each figure of RV(restore.totals) (and, under V(mailboxes), the per-mailbox list) came from -
          V(statistics) (the statistics of the restore's own session), V(statistics_change) (what the statistics
          of the session the restore was sent to gained since the request), V(mailbox_statistics) (the
          per-mailbox entries of the statistics), V(events) (the counts written in this restore's own events), or
          null (not given by the server).
      type: dict
      version_added: 0.1.0
    changed:
      description: Whether the figures say that anything was restored.
      type: bool
      version_added: 0.1.0
    shared_session:
      description: Whether the server answered with the id of the session the restore was sent to.
      type: bool
      version_added: 0.1.0
    partial:
      description: Present and true when some mailboxes failed and O(allow_partial) let the task succeed.
      type: bool
      version_added: 0.1.0
    mailboxes:
      description:
        - Per mailbox - email, name, is_archive, status, created, merged, failed, skipped, error, and the source of
          its counts (V(mailbox_statistics), V(events), or null when the server gave only its status).
      type: list
      elements: dict
    events:
      description: The restore session's events (title, status, message, start and end time).
      type: list
      elements: dict
    warnings:
      description: Warnings the server reported.
      type: list
      elements: str
    errors:
      description: Errors the server reported.
      type: list
      elements: str
  sample:
    session_id: 9a9a9a9a-1111-2222-3333-444444444444
    status: Success
    totals: {total: 55, restored: 10, failed: 0, skipped: 45, created: 8, merged: 2}
    mailboxes:
      - {email: bob@contoso.onmicrosoft.com, status: Success, created: 8, merged: 2, failed: 0, skipped: 45}
mailboxes:
  description: The mailboxes that were resolved and restored (id, email, name, is_archive, is_public).
  returned: always
  type: list
  elements: dict
endpoint:
  description: Which kind of restore request was used (V(mailbox), V(bulk), V(mailbox_to), V(folder), V(folder_to)).
  returned: always
  type: str
planned_requests:
  description: In check mode, the restore requests that would have been sent (secrets masked).
  returned: in check mode
  type: list
  elements: dict
'''

from ansible_collections.vb365.restore.plugins.module_utils.browse import filter_mailboxes, list_mailboxes, mailbox_summary, resolve_folder
from ansible_collections.vb365.restore.plugins.module_utils.sessions import require_working_session
from ansible_collections.vb365.restore.plugins.module_utils.journal import Journal, journal_entries, submitted_entries
from ansible_collections.vb365.restore.plugins.module_utils.module import PLANNED, Vb365Module, parameter_error
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    RESTORE_FOLDER,
    RESTORE_FOLDER_TO,
    RESTORE_MAILBOX,
    RESTORE_MAILBOX_TO,
    RESTORE_MAILBOXES,
    Request,
)
from ansible_collections.vb365.restore.plugins.module_utils.portal import refuse_for_operator
from ansible_collections.vb365.restore.plugins.module_utils.restore import (
    EXCHANGE_CREDENTIALS_SPEC,
    RESTORE_FLAGS,
    TARGET_SPEC,
    WAIT_SPEC,
    check_wait_options,
    credentials_body,
    flags_body,
    restore_flags_spec,
    secrets_of,
    target_body,
    wait_of,
)

# The operation of each kind of restore (the ``endpoint`` the module returns); what each body takes is
# in its entry of operations.py.
OPERATIONS = {
    'mailbox': RESTORE_MAILBOX,
    'bulk': RESTORE_MAILBOXES,
    'mailbox_to': RESTORE_MAILBOX_TO,
    'folder': RESTORE_FOLDER,
    'folder_to': RESTORE_FOLDER_TO,
}
ENDPOINT_NAMES = {
    'mailbox': 'the restore of one mailbox to its original place',
    'bulk': 'the bulk restore of mailboxes to their original place',
    'mailbox_to': 'the restore of a mailbox to another location',
    'folder': 'the restore of a folder to its original place',
    'folder_to': 'the restore of a folder to another location',
}


def choose_endpoint(params, count):
    """Which restore request fits the options, decided before any request is sent."""
    target = dict((k, v) for k, v in (params['target'] or {}).items() if v not in (None, ''))
    creds = params['exchange_credentials'] or {}
    flags_set = [option for option, _field in RESTORE_FLAGS if params.get(option) is not None]
    if params['folder']:
        return 'folder_to' if target else 'folder'
    if target and set(target) != {'cas_server'}:
        return 'mailbox_to'
    if count == 1 and not flags_set and not target and not creds.get('on_premises_domain'):
        return 'mailbox'
    return 'bulk'


def request_base(params, endpoint):
    """Credentials, flags and target of every request of this restore."""
    name = ENDPOINT_NAMES[endpoint]
    op = OPERATIONS[endpoint]
    base = dict(credentials_body(params['exchange_credentials'], bulk=op.credentials == 'bulk'))
    base.update(flags_body(params, op.body, name))
    target = dict((k, v) for k, v in (params['target'] or {}).items() if v not in (None, ''))
    if endpoint in ('mailbox_to', 'folder_to'):
        base.update(target_body(target, op.body, name))
    elif target:
        base['casServer'] = target['cas_server']
    return base


def build_requests(client, params, session_id, mailboxes, endpoint, base):
    """The ``Request`` of each restore call of the chosen endpoint, each body ``base`` (``request_base``) and
    what the call restores."""
    target = dict((k, v) for k, v in (params['target'] or {}).items() if v not in (None, ''))
    op = OPERATIONS[endpoint]
    if endpoint == 'bulk':
        size = params['batch_size']
        return [Request(op, dict(base, mailboxes=[{'id': m['id']} for m in mailboxes[i:i + size]]),
                        describe='bulk restore of %d mailboxes' % len(mailboxes[i:i + size]),
                        restoreSessionId=session_id)
                for i in range(0, len(mailboxes), size)]
    requests = []
    for mailbox in mailboxes:
        where = {'restoreSessionId': session_id, 'mailboxId': mailbox['id']}
        what = mailbox.get('email')
        if endpoint.startswith('folder'):
            folder = resolve_folder(client, session_id, mailbox, params['folder'])
            where['folderId'] = folder['id']
            what = '%s of %s' % (folder['path'], what)
        describe = 'restore %s%s' % (what, (' to %s' % target['mailbox']) if target.get('mailbox') else '')
        requests.append(Request(op, dict(base), describe=describe, **where))
    return requests


def journal_hooks(journal, mailboxes, size):
    """What the restore journal hears of each bulk request: its mailboxes once the server accepted it, their
    outcome once it ended."""
    def batch(index):
        return mailboxes[index * size:(index + 1) * size]
    return {'started': lambda index, restore_id: journal.record(submitted_entries(batch(index), restore_id)),
            'finished': lambda index, report: journal.record(journal_entries(batch(index), report))}


def run(mod):
    params = mod.params
    refuse_for_operator(mod.sign_in.method, 'mailbox_restore')
    if params['batch_size'] < 1:
        raise parameter_error('batch_size', 'must be at least 1, got %d' % params['batch_size'])
    if not params['mailboxes']:
        raise parameter_error('mailboxes', 'give at least one mailbox')
    check_wait_options(params)
    if params['journal'] and not params['journal_scope']:
        raise parameter_error('journal_scope', 'required with journal (the scope restore_journal returned)')
    mod.add_secret(*secrets_of(params['exchange_credentials']))
    # The credentials are checked, and every option the endpoint will not take refused, before any request.
    endpoint = choose_endpoint(params, len(params['mailboxes']))
    base = request_base(params, endpoint)
    session_id = params['session_id']
    require_working_session(mod.client, session_id)
    mailboxes = filter_mailboxes(list_mailboxes(mod.client, session_id), params['mailboxes'],
                                 option='mailboxes', archive=params['archive'])
    if not mailboxes:
        raise parameter_error('mailboxes', 'no mailbox of the session matches %s' % ', '.join(params['mailboxes']))
    if choose_endpoint(params, len(mailboxes)) != endpoint:  # the names given matched more mailboxes, or fewer
        endpoint = choose_endpoint(params, len(mailboxes))
        base = request_base(params, endpoint)
    planned = build_requests(mod.client, params, session_id, mailboxes, endpoint, base)
    mod.result.update(mailboxes=[mailbox_summary(m) for m in mailboxes], endpoint=endpoint)
    mod.result['changed'] = True
    hooks = {}
    if params['journal'] and endpoint == 'bulk':
        journal = mod.change_locally(lambda: Journal(params['journal'], params['journal_scope']))
        if journal is not PLANNED:
            hooks = journal_hooks(journal, mailboxes, params['batch_size'])
    mod.conclude(mod.restore(planned, session_id, wait_of(params), **hooks), allow_partial=params['allow_partial'])


def main():
    spec = dict(
        session_id=dict(type='str', required=True),
        mailboxes=dict(type='list', elements='str', required=True),
        archive=dict(type='bool', default=False),
        folder=dict(type='str'),
        batch_size=dict(type='int', default=500),
        journal=dict(type='path'),
        journal_scope=dict(type='str'),
        allow_partial=dict(type='bool', default=False),
        target=dict(type='dict', options=TARGET_SPEC),
        exchange_credentials=dict(type='dict', options=EXCHANGE_CREDENTIALS_SPEC),
    )
    spec.update(restore_flags_spec(option for option, _field in RESTORE_FLAGS))
    spec.update(WAIT_SPEC)
    mod = Vb365Module(argument_spec=spec)
    mod.run(run)


if __name__ == '__main__':
    main()
