#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: item_restore
short_description: Restore, redirect or send backed-up Exchange items, or restore them through the Restore Portal
version_added: 0.1.0
description:
  - Acts on items of a restore session chosen by id (O(items)) or by a search (O(query)), for example the
    invoices a user deleted last Tuesday.
  - O(action=restore) puts them back into their mailbox, or with O(target) into another mailbox or folder;
    O(action=send) mails them as attachments to the mailbox's own address or to O(send_to);
    O(action=operator_restore) restores them as a Restore Portal operator would, into O(target.folder) of the
    original mailbox, with a O(reason).
  - Items are sent to the server in batches of O(batch_size) per request, one request per mailbox and batch; the
    result merges the batches.
  - Restores run asynchronously on the server; by default the module waits and reports what was created, merged,
    failed and skipped.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.connection
  - vb365.restore.exchange_credentials
  - vb365.restore.restore
  - vb365.restore.restore.target
  - vb365.restore.wait
attributes:
  check_mode:
    support: full
    description: Finds the items, checks the email settings for sending, and returns the items and the requests it would send, without sending them.
  diff_mode:
    support: none
    description: The module returns no diff.
options:
  session_id:
    description: The id of a working Exchange restore session.
    type: str
    required: true
  mailbox:
    description:
      - The mailbox holding the items, by email, display name or id (the primary mailbox unless O(archive=true)).
      - Required with O(items) and with O(folder). With O(query) alone, every mailbox of the session is searched.
    type: str
  archive:
    description: Whether O(mailbox) means the user's in-place archive.
    type: bool
    default: false
  items:
    description: The ids of the items (as returned by M(vb365.restore.item_info)).
    type: list
    elements: str
  query:
    description:
      - A search query choosing the items, for example V(subject:invoice received:2026-11-17).
      - A query that matches nothing changes nothing and says so.
    type: str
  folder:
    description: With O(query), search only this folder of O(mailbox) (and its subfolders), by path or id.
    type: str
  max_items:
    description: Fail rather than act on more items than this, so that a too broad query restores nothing.
    type: int
    default: 10000
  batch_size:
    description:
      - How many items one request carries at most. 1000 keeps each request body small and each restore session's
        report readable.
    type: int
    default: 1000
  action:
    description:
      - V(restore) restores the items (to their mailbox, or to O(target)); V(send) mails them as attachments;
        V(operator_restore) restores them through the Restore Portal operator restore.
    type: str
    choices: [restore, send, operator_restore]
    default: restore
  send_to:
    description:
      - With O(action=send), the message to send. Absent, the items go to the mailbox's own address.
      - Sending needs the server's Exchange email settings (C(VexEmailSettings)); without them the module fails before
        sending anything.
    type: dict
    suboptions:
      to:
        description: The address to send the items to.
        type: str
        required: true
      from:
        description: The sender address (the server's configured sender when absent).
        type: str
      subject:
        description: The subject of the message.
        type: str
      text:
        description: The body of the message.
        type: str
  reason:
    description: With O(action=operator_restore), the reason of the restore, recorded by the server.
    type: str
seealso:
  - module: vb365.restore.item_info
  - module: vb365.restore.mailbox_restore
'''

EXAMPLES = r'''
- name: Get back the invoices Bob deleted last Tuesday (session opened with show_deleted)
  vb365.restore.item_restore:
    session_id: "{{ rs.session.id }}"
    mailbox: bob@contoso.onmicrosoft.com
    query: "subject:invoice"
    exchange_credentials:
      username: restore-operator@contoso.onmicrosoft.com
      password: "{{ vault_exchange_password }}"

- name: Put two items into a folder of another mailbox
  vb365.restore.item_restore:
    session_id: "{{ rs.session.id }}"
    mailbox: erin@contoso.onmicrosoft.com
    items: ["{{ found['items'][0].id }}", "{{ found['items'][1].id }}"]
    target:
      mailbox: frank@contoso.onmicrosoft.com
      folder: From Erin
    mark_restored_as_unread: true
    exchange_credentials:
      user_code: "{{ device_code }}"

- name: Send a message to legal as an attachment
  vb365.restore.item_restore:
    session_id: "{{ rs.session.id }}"
    mailbox: alice@contoso.onmicrosoft.com
    items: ["{{ evidence_id }}"]
    action: send
    send_to:
      to: legal@contoso.example
      subject: Evidence for case 2026-114
      text: Attached, as backed up on 17 November.
'''

RETURN = r'''
restore:
  description: The outcome of the restore requests together (as M(vb365.restore.mailbox_restore) returns it). Absent for sends and in check mode.
  returned: for restores, unless in check mode
  type: dict
items:
  description: The items acted on (or that would be, in check mode) with id, mailbox, item class, subject, sender, dates.
  returned: always
  type: list
  elements: dict
count:
  description: How many items.
  returned: always
  type: int
sent:
  description: With O(action=send), the messages sent - mailbox, to, item count.
  returned: with O(action=send)
  type: list
  elements: dict
planned_requests:
  description: In check mode, the requests that would have been sent (secrets masked).
  returned: in check mode
  type: list
  elements: dict
'''

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365ParameterError
from ansible_collections.vb365.restore.plugins.module_utils.exchange import (
    find_mailbox,
    item_summary,
    list_items,
    list_mailboxes,
    require_working_session,
    resolve_folder,
    search_items,
)
from ansible_collections.vb365.restore.plugins.module_utils.module import Vb365Module, parameter_error
from ansible_collections.vb365.restore.plugins.module_utils.restore import (
    EXCHANGE_CREDENTIALS_SPEC,
    TARGET_SPEC,
    WAIT_SPEC,
    check_wait_options,
    conclude,
    credential_method,
    credentials_body,
    flags_body,
    restore_flags_spec,
    secrets_of,
    start_and_follow,
    target_body,
)

FLAGS = ('changed_items', 'deleted_items', 'mark_restored_as_unread')
FLAG_FIELDS = frozenset(('changedItems', 'deletedItems', 'markRestoredAsUnread'))
TARGET_FIELDS = frozenset(('mailbox', 'folder', 'casServer', 'officeRegion', 'officeOrganizationName'))


def action_base(params):
    """(endpoint suffix, body without items) for the action, refusing options it does not take."""
    action = params['action']
    target = dict((k, v) for k, v in (params['target'] or {}).items() if v not in (None, ''))
    if action != 'send' and params['send_to']:
        raise parameter_error('send_to', 'only with action=send')
    if action != 'operator_restore' and params['reason']:
        raise parameter_error('reason', 'only with action=operator_restore')
    if action == 'send':
        for option in FLAGS:
            if params.get(option) is not None:
                raise parameter_error(option, 'not accepted when sending items')
        if target:
            raise parameter_error('target', 'not accepted when sending items; use send_to')
        if params['exchange_credentials']:
            raise parameter_error('exchange_credentials', 'not used when sending items; the server mails them')
        send_to = dict((k, v) for k, v in (params['send_to'] or {}).items() if v not in (None, ''))
        return ('sendToDifferentAddress', send_to) if send_to else ('sendToDefaultAddress', {})
    if action == 'operator_restore':
        if set(target) - {'folder'}:
            raise parameter_error('target', 'an operator restore goes to the original mailbox; only target.folder is accepted')
        if params['exchange_credentials']:
            raise parameter_error('exchange_credentials', 'not used by the operator restore')
        body = flags_body(params, FLAG_FIELDS, 'the operator restore')
        if target.get('folder'):
            body['folder'] = target['folder']
        if params['reason']:
            body['reason'] = params['reason']
        return 'operatorRestore', body
    credential_method(params['exchange_credentials'])
    body = credentials_body(params['exchange_credentials'])
    if not target:
        body.update(flags_body(params, frozenset(), 'the restore of items to their original place (use target to '
                                                    'restore elsewhere)'))
        return 'restore', body
    body.update(flags_body(params, FLAG_FIELDS, 'the restore of items to another location'))
    body.update(target_body(target, TARGET_FIELDS, 'the restore of items to another location'))
    return 'restoreTo', body


def check_input(params):
    for option in ('max_items', 'batch_size'):
        if params[option] < 1:
            raise parameter_error(option, 'must be at least 1, got %d' % params[option])
    if bool(params['items']) == bool(params['query']):
        raise parameter_error('items', 'give either items (ids) or query')
    if params['items'] and not params['mailbox']:
        raise parameter_error('mailbox', 'required with items')
    if params['folder'] and not params['mailbox']:
        raise parameter_error('folder', 'needs mailbox')
    if params['folder'] and not params['query']:
        raise parameter_error('folder', 'only with query; items are given by id')
    check_wait_options(params)


def select(mod, session_id, mailboxes):
    """{mailbox id: (mailbox, [items])} of the items chosen by ids or by the query."""
    params = mod.params
    mailbox = find_mailbox(mailboxes, params['mailbox'], archive=params['archive']) if params['mailbox'] else None
    if params['items']:
        page = list_items(mod.client, session_id, mailbox['id'])
        by_id = dict((i.get('id'), i) for i in page.items)
        missing = [i for i in params['items'] if i not in by_id]
        if missing:
            raise Vb365ParameterError('items: %d of the ids are not in %s in this session: %s' % (
                len(missing), mailbox.get('email'), ', '.join(missing[:10])))
        if len(params['items']) > params['max_items']:
            count = len(params['items'])
            raise parameter_error('items', '%d items is more than max_items=%d' % (count, params['max_items']))
        return {mailbox['id']: (mailbox, [by_id[i] for i in params['items']])}
    folder = resolve_folder(mod.client, session_id, mailbox, params['folder']) if params['folder'] else None
    page = search_items(mod.client, session_id, params['query'], mailbox_id=mailbox and mailbox['id'],
                        folder_id=folder and folder['id'], limit=params['max_items'])
    if page.truncated:
        raise parameter_error('query', 'matches more than max_items=%d items; narrow it or raise max_items'
                              % params['max_items'])
    by_mailbox = dict((m['id'], m) for m in mailboxes)
    groups = {}
    for item in page.items:
        owner = mailbox or by_mailbox.get(item.get('mailboxId'))
        if owner is None:
            raise Vb365ParameterError('query: the server returned item %s of an unknown mailbox %s' % (
                item.get('id'), item.get('mailboxId')))
        groups.setdefault(owner['id'], (owner, []))[1].append(item)
    return groups


def email_settings_ready(mod):
    settings = mod.client.get('/VexEmailSettings') or {}
    if not settings.get('enableNotification') or not settings.get('server'):
        raise Vb365ParameterError(
            'action=send: the VB365 server has no Exchange email settings, so it cannot send items. Configure them '
            'in the VB365 console (General Options, Notifications for Veeam Explorer for Exchange) or with '
            'PUT /v8/VexEmailSettings (enableNotification true, the SMTP server and sender), then run again. '
            'Nothing was sent.')


def run(mod):
    params = mod.params
    check_input(params)
    mod.add_secret(*secrets_of(params['exchange_credentials']))
    suffix, base = action_base(params)
    mod.add_secret(base.get('applicationCertificate'))
    session_id = params['session_id']
    require_working_session(mod.client, session_id)
    mailboxes = list_mailboxes(mod.client, session_id)
    groups = select(mod, session_id, mailboxes)
    chosen = [item_summary(item, mailbox) for mailbox, items in groups.values() for item in items]
    mod.result.update(items=chosen, count=len(chosen))
    if not chosen:
        mod.result['msg'] = 'the query matched no item: nothing to %s' % params['action'].replace('_', ' ')
        return
    if params['action'] == 'send':
        email_settings_ready(mod)
    reports = []
    sent = []
    size = params['batch_size']
    for mailbox, items in groups.values():
        path = '/RestoreSessions/%s/organization/mailboxes/%s/items/%s' % (session_id, mailbox['id'], suffix)
        for start in range(0, len(items), size):
            batch = items[start:start + size]
            body = dict(base, items=[{'id': i['id']} for i in batch])
            describe = '%s %d items of %s' % (params['action'].replace('_', ' '), len(batch), mailbox.get('email'))
            if params['action'] == 'send':
                mod.write('POST', path, body, describe=describe)
                sent.append({'mailbox': mailbox.get('email'), 'to': base.get('to') or mailbox.get('email'),
                             'items': len(batch)})
            else:
                reports.append(start_and_follow(mod, path, body, describe, session_id))
    mod.result['changed'] = True
    if params['action'] == 'send':
        mod.result['sent'] = sent
        return
    conclude(mod, reports)


def main():
    spec = dict(
        session_id=dict(type='str', required=True),
        mailbox=dict(type='str'),
        archive=dict(type='bool', default=False),
        items=dict(type='list', elements='str'),
        query=dict(type='str'),
        folder=dict(type='str'),
        max_items=dict(type='int', default=10000),
        batch_size=dict(type='int', default=1000),
        action=dict(type='str', default='restore', choices=['restore', 'send', 'operator_restore']),
        target=dict(type='dict', options=TARGET_SPEC),
        send_to=dict(type='dict', options=dict(to=dict(type='str', required=True), subject=dict(type='str'),
                                               text=dict(type='str'), **{'from': dict(type='str')})),
        reason=dict(type='str'),
        exchange_credentials=dict(type='dict', options=EXCHANGE_CREDENTIALS_SPEC),
    )
    spec.update(restore_flags_spec(FLAGS))
    spec.update(WAIT_SPEC)
    mod = Vb365Module(argument_spec=spec, mutually_exclusive=[('items', 'query')])
    mod.run(run)


if __name__ == '__main__':
    main()
