#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: item_restore
short_description: Restore, redirect or send backed-up Exchange items, or restore them as a Restore Portal operator
version_added: 0.1.0
description:
  - Acts on items of a restore session chosen by id (O(items)) or by a search (O(query)), for example the
    invoices a user deleted last Tuesday.
  - O(action=restore) puts them back into their mailbox, or with O(target) into another mailbox, folder, Exchange
    server, region or organization; O(action=send) mails them as attachments to the mailbox's own address, or
    to O(send_to); O(action=operator_restore) restores them as a Restore Portal operator does, into the original
    mailbox (optionally into O(target.folder)), with a O(reason).
  - The module uses the endpoints that take a list of items (C(items/restore), C(items/restoreTo),
    C(items/sendToDefaultAddress), C(items/sendToDifferentAddress), C(items/operatorRestore)); the single-item
    endpoints take nothing more, so they are never needed. An option the chosen endpoint does not take is
    refused, never dropped.
  - Items go to the server in batches of O(batch_size), one request per mailbox and batch; the result merges the
    batches. When a batch's restore fails, the batches after it are not sent.
  - Restores run asynchronously on the server; by default the module waits and reports what was created, merged,
    failed and skipped, item by item. Sending is synchronous.
  - The server decides item by item (create what is missing, merge what changed, skip what is the same), so a
    second identical restore is safe; C(changed) is true when the server's figures for this restore say that
    anything was restored (items restored, created or merged), and false only when they say that nothing was.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes
  - vb365.restore.connection
  - vb365.restore.exchange_credentials
  - vb365.restore.restore
  - vb365.restore.restore.target
  - vb365.restore.wait
attributes:
  check_mode:
    description:
      - Finds the items, checks the email settings for sending, and returns the items with their subjects and the
        requests it would send, without sending them.
notes:
  - O(exchange_credentials) is required with O(action=restore) and refused with the other actions (the server
    sends with its own email settings; the operator restore uses the Restore Portal's account).
  - Sending needs the server's Exchange email settings (C(GET /v8/VexEmailSettings)) - notifications enabled and an
    SMTP server set (or, for Microsoft 365 and Gmail sending, a completed sign-in). Without them the task fails
    before sending anything and says how to set them.
options:
  session_id:
    description: The id of a working Exchange restore session.
    type: str
    required: true
  mailbox:
    description:
      - The mailbox holding the items, by email, display name or id (the primary mailbox unless O(archive=true)).
      - Required with O(items) and with O(folder). With O(query) alone, every mailbox of the session is searched and
        the items found are acted on per mailbox (each mailbox's items go to that mailbox's endpoint).
    type: str
  archive:
    description: Whether O(mailbox) means the user's in-place archive.
    type: bool
    default: false
  items:
    description:
      - The ids of the items (as returned by M(vb365.restore.item_info)). Every id must be an item of O(mailbox) in
        this restore session, or nothing is done.
      - An empty list changes nothing and says so.
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
    description: Fail, before acting, rather than act on more items than this, so that a too broad query restores nothing.
    type: int
    default: 10000
  batch_size:
    description:
      - How many items one request carries at most.
      - Unset, 1000 for restores (a request body of 100 to 200 KB and a restore whose per-item report stays readable)
        and 50 for sends (each request is one message with the items attached, which has to stay under the mail
        server's message size limit).
    type: int
  action:
    description:
      - V(restore) restores the items (to their mailbox, or to O(target)); V(send) mails them as attachments;
        V(operator_restore) restores them through the Restore Portal's operator restore.
    type: str
    choices: [restore, send, operator_restore]
    default: restore
  target:
    description:
      - With O(action=restore), restore into another mailbox (O(target.mailbox) is then required) and optionally a
        folder, Exchange server, region or organization, instead of the original place.
      - With O(action=operator_restore), only O(target.folder) is accepted - the folder of the original mailbox to
        restore into.
      - Refused with O(action=send).
  send_to:
    description:
      - With O(action=send), the message to send. Absent, the items go to the address of the mailbox they come from.
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
  - module: vb365.restore.restore_session_info
'''

EXAMPLES = r'''
- name: Get back the invoices Bob deleted last Tuesday (session opened with show_deleted)
  vb365.restore.item_restore:
    session_id: "{{ rs.session.id }}"
    mailbox: bob@contoso.onmicrosoft.com
    query: "subject:invoice received:2026-11-17"
    exchange_credentials:
      username: restore-operator@contoso.onmicrosoft.com
      password: "{{ vault_exchange_password }}"

- name: Put two items into a folder of another mailbox, unread
  vb365.restore.item_restore:
    session_id: "{{ rs.session.id }}"
    mailbox: erin@contoso.onmicrosoft.com
    items: ["{{ found.mail_items[0].id }}", "{{ found.mail_items[1].id }}"]
    target:
      mailbox: frank@contoso.onmicrosoft.com
      folder: From Erin
    mark_restored_as_unread: true
    exchange_credentials:
      user_code: "{{ device_code }}"

- name: Collect every contract of the organization in the legal team's mailbox
  vb365.restore.item_restore:
    session_id: "{{ rs.session.id }}"
    query: "subject:contract"
    max_items: 2000
    target:
      mailbox: legal@contoso.onmicrosoft.com
      folder: Contracts from backup
    exchange_credentials:
      username: restore-operator@contoso.onmicrosoft.com
      password: "{{ vault_exchange_password }}"

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

- name: Restore items as a Restore Portal operator, with the ticket as the reason
  vb365.restore.item_restore:
    session_id: "{{ operator_session_id }}"
    mailbox: carol@contoso.onmicrosoft.com
    query: "subject:invoice"
    action: operator_restore
    reason: Ticket 4711
    target:
      folder: Recovered by the helpdesk
  register: op

- name: Show the operator restore's session
  ansible.builtin.debug:
    msg: "{{ op.restore.session_id }}"
'''

RETURN = r'''
restore:
  description:
    - The outcome of the restore requests together (every batch and mailbox). Absent for sends, in check mode and when
      nothing matched.
    - For an operator restore, RV(restore.session_id) is the session id the API returned.
  returned: for restores, unless in check mode or nothing matched
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
        - Item counts of all batches together (total, restored, failed, skipped, created, merged), each batch's own.
        - A count the server did not give is null.
      type: dict
    sources:
      description:
        - Where each figure of RV(restore.totals) came from - V(statistics), V(statistics_change),
          V(mailbox_statistics), V(events) or null; see M(vb365.restore.mailbox_restore).
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
    item_details:
      description: Per item, where the server reports it - id, name (subject), status, path it was restored to, error.
      type: list
      elements: dict
    mailboxes:
      description: Per mailbox and batch - email, name, is_archive, status, created, merged, failed, skipped, error.
      type: list
      elements: dict
    events:
      description: The restore sessions' events (title, status, message, start and end time).
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
    totals: {total: 5, restored: 5, failed: 0, skipped: 0, created: 5, merged: 0}
    item_details:
      - {id: AAMkADU3, name: Invoice INV-2026-101, status: Success, path: bob@contoso.onmicrosoft.com/Inbox/Invoices}
mail_items:
  description: The items acted on (or that would be, in check mode) - id, mailbox, mailbox_id, item class, subject, sender, dates.
  returned: always
  type: list
  elements: dict
  sample:
    - {id: AAMkADU3, mailbox: bob@contoso.onmicrosoft.com, item_class: IPM.Note, subject: Invoice INV-2026-101}
count:
  description: How many items.
  returned: always
  type: int
endpoint:
  description: The endpoint used, one of V(restore), V(restoreTo), V(sendToDefaultAddress), V(sendToDifferentAddress), V(operatorRestore).
  returned: always
  type: str
batches:
  description: How many requests the items needed (V(total)), how many were sent (V(sent)) and the items per request (V(size)).
  returned: when items matched
  type: dict
  sample: {total: 3, sent: 3, size: 1000}
sent:
  description: With O(action=send), the messages sent - mailbox, to, item count.
  returned: with O(action=send), unless in check mode
  type: list
  elements: dict
planned_requests:
  description: In check mode, the requests that would have been sent (secrets masked).
  returned: in check mode
  type: list
  elements: dict
'''

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365ParameterError
from ansible_collections.vb365.restore.plugins.module_utils.browse import find_mailbox, list_mailboxes, resolve_folder
from ansible_collections.vb365.restore.plugins.module_utils.items import find_items, item_summary, search_items
from ansible_collections.vb365.restore.plugins.module_utils.sessions import require_working_session
from ansible_collections.vb365.restore.plugins.module_utils.values import check_email
from ansible_collections.vb365.restore.plugins.module_utils.module import PLANNED, Vb365Module, parameter_error
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    EMAIL_SETTINGS,
    OPERATOR_RESTORE_ITEMS,
    RESTORE_ITEMS,
    RESTORE_ITEMS_TO,
    SEND_ITEMS,
    SEND_ITEMS_TO,
    Request,
)
from ansible_collections.vb365.restore.plugins.module_utils.portal import refuse_for_operator
from ansible_collections.vb365.restore.plugins.module_utils.restore import (
    EXCHANGE_CREDENTIALS_SPEC,
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

FLAGS = ('changed_items', 'deleted_items', 'mark_restored_as_unread')

# The operation of each list endpoint (the ``endpoint`` the module returns); what each body takes is in its
# entry of operations.py.
OPERATIONS = {
    'restore': RESTORE_ITEMS,
    'restoreTo': RESTORE_ITEMS_TO,
    'sendToDefaultAddress': SEND_ITEMS,
    'sendToDifferentAddress': SEND_ITEMS_TO,
    'operatorRestore': OPERATOR_RESTORE_ITEMS,
}
ENDPOINT_NAMES = {
    'restore': 'the restore of items to their original place (use target to restore elsewhere)',
    'restoreTo': 'the restore of items to another location',
    'sendToDefaultAddress': 'sending items',
    'sendToDifferentAddress': 'sending items',
    'operatorRestore': 'the operator restore',
}
# Items per request unless batch_size says otherwise; see docs/item_restore.md.
DEFAULT_BATCH = {'restore': 1000, 'operator_restore': 1000, 'send': 50}


def given(options):
    """The suboptions of a dict option that are set."""
    return dict((k, v) for k, v in (options or {}).items() if v not in (None, ''))


def refuse_unused(params):
    """Options the chosen action does not use are refused, never ignored."""
    action = params['action']
    if action != 'send' and params['send_to']:
        raise parameter_error('send_to', 'only with action=send')
    if action != 'operator_restore' and params['reason']:
        raise parameter_error('reason', 'only with action=operator_restore')
    if action == 'restore':
        return
    if given(params['exchange_credentials']):
        raise parameter_error('exchange_credentials', 'not used by %s; the server %s' % (
            'sending items' if action == 'send' else 'the operator restore',
            'mails them' if action == 'send' else 'restores them with the Restore Portal\'s own account'))
    target = given(params['target'])
    if action == 'send':
        if target:
            raise parameter_error('target', 'not used when sending items; use send_to')
        for option in FLAGS:
            if params[option] is not None:
                raise parameter_error(option, 'not used when sending items')
    extra = sorted('target.%s' % k for k in set(target) - {'folder'})
    if extra:
        raise parameter_error('target', 'an operator restore goes to the original mailbox; only target.folder is '
                                        'accepted, not %s' % ', '.join(extra))


def action_request(params):
    """(endpoint, body without items) of the action; refuses what that endpoint does not take."""
    refuse_unused(params)
    action = params['action']
    target = given(params['target'])
    if action == 'send':
        send_to = given(params['send_to'])
        for field in ('to', 'from'):
            if field in send_to:
                check_email(send_to[field], 'send_to.%s' % field)
        endpoint = 'sendToDifferentAddress' if send_to else 'sendToDefaultAddress'
        body = send_to
    elif action == 'operator_restore':
        endpoint = 'operatorRestore'
        body = flags_body(params, OPERATIONS[endpoint].body, ENDPOINT_NAMES[endpoint])
        body.update((k, v) for k, v in (('folder', target.get('folder')), ('reason', params['reason'])) if v)
    else:
        endpoint = 'restoreTo' if target else 'restore'
        body = credentials_body(params['exchange_credentials'])
        body.update(flags_body(params, OPERATIONS[endpoint].body, ENDPOINT_NAMES[endpoint]))
        if target:
            body.update(target_body(target, OPERATIONS[endpoint].body, ENDPOINT_NAMES[endpoint]))
    return endpoint, body


def check_input(params):
    for option in ('max_items', 'batch_size'):
        if params[option] is not None and params[option] < 1:
            raise parameter_error(option, 'must be at least 1, got %d' % params[option])
    if params['items'] is None and not params['query']:
        raise parameter_error('items', 'give either items (ids) or query')
    if params['query'] is not None and not params['query'].strip():
        raise parameter_error('query', 'is empty')
    if params['items'] is not None and not params['mailbox']:
        raise parameter_error('mailbox', 'required with items')
    if params['folder'] and not params['query']:
        raise parameter_error('folder', 'only with query; items are given by id')
    if params['folder'] and not params['mailbox']:
        raise parameter_error('folder', 'needs mailbox')
    if params['archive'] and not params['mailbox']:
        raise parameter_error('archive', 'needs mailbox')
    if params['items'] and len(set(params['items'])) > params['max_items']:
        raise parameter_error('items', '%d ids is more than max_items=%d' % (len(set(params['items'])), params['max_items']))
    check_wait_options(params)


def email_settings_problem(settings):
    """Why the server cannot send items with these VexEmailSettings, or None when it can."""
    if settings.get('enableNotification') is not True:
        return 'enableNotification is not true'
    kind = settings.get('authenticationType') or 'CustomSmtp'
    if kind == 'CustomSmtp' and not settings.get('server'):
        return 'no SMTP server is set'
    if kind != 'CustomSmtp' and settings.get('isAuthenticated') is not True:
        return 'the %s account has not completed its sign-in (isAuthenticated is not true)' % kind
    return None


def require_email_settings(client):
    problem = email_settings_problem(client.call(EMAIL_SETTINGS) or {})
    if problem:
        raise parameter_error('action', (
            'send needs the Exchange email settings of the VB365 server, and they are missing (%s), so nothing was '
            'sent. Set them with the vb365.restore.email_settings module (enabled, smtp_server, smtp_port, sender, '
            'use_ssl, use_authentication, smtp_username, smtp_password; or its Microsoft 365 sign-in), or in Veeam '
            'Explorer for Microsoft Exchange, then run the task again.') % problem)


def select(client, params, session_id, mailboxes):
    """[(mailbox, [items])] chosen by ids or by the query, one entry per mailbox."""
    mailbox = find_mailbox(mailboxes, params['mailbox'], archive=params['archive']) if params['mailbox'] else None
    if params['items'] is not None:
        return [(mailbox, find_items(client, session_id, mailbox, params['items']))]
    folder = resolve_folder(client, session_id, mailbox, params['folder']) if params['folder'] else None
    page = search_items(client, session_id, params['query'], mailbox_id=mailbox and mailbox['id'],
                        folder_id=folder and folder['id'], limit=params['max_items'])
    if page.truncated:
        raise parameter_error('query', 'matches more than max_items=%d items; narrow it or raise max_items'
                              % params['max_items'])
    by_id = dict((m['id'], m) for m in mailboxes)
    groups = {}
    for item in page.items:
        owner = mailbox or by_id.get(item.get('mailboxId'))
        if owner is None:
            raise Vb365ParameterError('query: the server returned item %s of mailbox %s, which is not in this restore '
                                      'session' % (item.get('id'), item.get('mailboxId')))
        groups.setdefault(owner['id'], (owner, []))[1].append(item)
    return list(groups.values())


def plan(session_id, groups, endpoint, base, size, verb):
    """The requests to send: (``Request``, mailbox, item count), one per mailbox and batch."""
    requests = []
    for mailbox, items in groups:
        for start in range(0, len(items), size):
            batch = items[start:start + size]
            body = dict(base, items=[{'id': i['id']} for i in batch])
            describe = '%s %d items of %s' % (verb, len(batch), mailbox.get('email'))
            requests.append((Request(OPERATIONS[endpoint], body, describe=describe, restoreSessionId=session_id,
                                     mailboxId=mailbox['id']), mailbox, len(batch)))
    return requests


def send(mod, requests):
    sent = []
    for request, mailbox, count in requests:
        if mod.write(request) is PLANNED:
            continue
        sent.append({'mailbox': mailbox.get('email'), 'to': request.body.get('to') or mailbox.get('email'),
                     'item_count': count})
        mod.result['batches']['sent'] = len(sent)
    if sent:
        mod.result['sent'] = sent


def restore(mod, requests):
    """Start (and follow) one restore per request; stop at the first one that fails."""
    def finished(index, _report):
        mod.result['batches']['sent'] = index + 1
    mod.conclude(mod.restore([request for request, _mailbox, _count in requests], mod.params['session_id'],
                             wait_of(mod.params), finished=finished, stop_after_failed=True))


def run(mod):
    params = mod.params
    if params['action'] != 'operator_restore':
        refuse_for_operator(mod.sign_in.method, params['action'])
    check_input(params)
    mod.add_secret(*secrets_of(params['exchange_credentials']))
    endpoint, base = action_request(params)
    verb = params['action'].replace('_', ' ')
    mod.result.update(mail_items=[], count=0, endpoint=endpoint)
    if params['items'] == []:
        mod.result['msg'] = 'items is empty: nothing to %s' % verb
        return
    session_id = params['session_id']
    require_working_session(mod.client, session_id)
    if params['action'] == 'send':
        require_email_settings(mod.client)
    groups = select(mod.client, params, session_id, list_mailboxes(mod.client, session_id))
    chosen = [item_summary(item, mailbox) for mailbox, items in groups for item in items]
    mod.result.update(mail_items=chosen, count=len(chosen))
    if not chosen:
        mod.result['msg'] = 'the query matched no item: nothing to %s' % verb
        return
    size = params['batch_size'] or DEFAULT_BATCH[params['action']]
    requests = plan(session_id, groups, endpoint, base, size, verb)
    mod.result.update(changed=True, batches={'total': len(requests), 'sent': 0, 'size': size})
    if params['action'] == 'send':
        send(mod, requests)
    else:
        restore(mod, requests)


def main():
    spec = dict(
        session_id=dict(type='str', required=True),
        mailbox=dict(type='str'),
        archive=dict(type='bool', default=False),
        items=dict(type='list', elements='str'),
        query=dict(type='str'),
        folder=dict(type='str'),
        max_items=dict(type='int', default=10000),
        batch_size=dict(type='int'),
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
