#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: item_info
short_description: Find backed-up Exchange items by listing a mailbox or folder, or by a search query
version_added: 0.1.0
description:
  - Lists the items of a mailbox or of one folder in a restore session, or searches for items with a query at the
    scope of a folder (and its subfolders), a mailbox, every mailbox, or the organization.
  - Returns the fields people need to choose what to restore (id, mailbox, item class, subject, sender, recipients,
    dates, attachments), ready for M(vb365.restore.item_restore) and M(vb365.restore.mailbox_export).
  - Every page is read; only O(limit) stops early, and the result says so.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes.info
  - vb365.restore.connection
options:
  session_id:
    description: The id of a working Exchange restore session.
    type: str
    required: true
  mailbox:
    description:
      - The mailbox, by email, display name or id. An email or name means the primary mailbox unless O(archive=true).
      - Required to list items or to search in a O(folder). Omit it to search every mailbox (see O(scope)).
    type: str
  archive:
    description: Whether O(mailbox) means the in-place archive mailbox of that user.
    type: bool
    default: false
  folder:
    description:
      - A folder of O(mailbox), by path (V(Inbox/Projects/2026); a slash inside a name is written V(\\/)) or id.
      - Without O(query), the items of that folder only; with O(query), the folder and its subfolders are searched.
    type: str
  query:
    description:
      - A search query in the syntax of Veeam Explorer for Microsoft Exchange, for example
        V(subject:invoice received:2026-11-17) or V(from:billing@northwind.example "quarterly report").
      - Without it, items are listed.
    type: str
  scope:
    description:
      - Where a O(query) without O(mailbox) searches. V(mailboxes) searches every mailbox of the session,
        V(organization) uses the organization-wide search.
    type: str
    choices: [mailboxes, organization]
    default: mailboxes
  limit:
    description:
      - Return at most this many items. C(truncated) in the result says whether more exist.
      - Without it every item is returned, however many pages that takes.
    type: int
seealso:
  - module: vb365.restore.mailbox_info
  - module: vb365.restore.item_restore
'''

EXAMPLES = r'''
- name: Invoices Alice received on 17 November, in any folder
  vb365.restore.item_info:
    session_id: "{{ restore.session.id }}"
    mailbox: alice@contoso.onmicrosoft.com
    query: "subject:invoice received:2026-11-17"
  register: invoices

- name: The first 100 items of a folder
  vb365.restore.item_info:
    session_id: "{{ restore.session.id }}"
    mailbox: Alice Smith
    folder: Inbox/Projects/2026
    limit: 100

- name: Every message from a sender, across all mailboxes
  vb365.restore.item_info:
    session_id: "{{ restore.session.id }}"
    query: "from:billing@northwind.example"
'''

RETURN = r'''
mail_items:
  description: The items found.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The item id (give it to M(vb365.restore.item_restore) O(vb365.restore.item_restore#module:items)).
      type: str
    mailbox:
      description: The email of the mailbox holding it.
      type: str
    mailbox_id:
      description: The id of that mailbox.
      type: str
    folder:
      description: The folder path, when the items were listed from one folder.
      type: str
    item_class:
      description: The Exchange item class (C(IPM.Note), C(IPM.Appointment), C(IPM.Contact), ...).
      type: str
    subject:
      description: The subject (messages, appointments, tasks).
      type: str
    from:
      description: The sender.
      type: str
    to:
      description: The recipients.
      type: str
    sent:
      description: When it was sent.
      type: str
    received:
      description: When it was received.
      type: str
    attachments:
      description: The names of its attachments.
      type: list
      elements: str
    attachments_size:
      description: The total size of its attachments in bytes, where the server gives it.
      type: int
count:
  description: The number of items returned.
  returned: always
  type: int
truncated:
  description: Whether O(limit) stopped the reading while more items exist.
  returned: always
  type: bool
scope:
  description: Where the items came from, C(folder), C(mailbox), C(mailboxes) or C(organization).
  returned: always
  type: str
'''

from ansible_collections.vb365.restore.plugins.module_utils.browse import find_mailbox, list_mailboxes, resolve_folder
from ansible_collections.vb365.restore.plugins.module_utils.items import item_summary, list_items, search_items
from ansible_collections.vb365.restore.plugins.module_utils.sessions import require_working_session
from ansible_collections.vb365.restore.plugins.module_utils.module import Vb365Module, parameter_error


def run(mod):
    params = mod.params
    session_id = params['session_id']
    if params['limit'] is not None and params['limit'] < 1:
        raise parameter_error('limit', 'must be at least 1, got %d' % params['limit'])
    if params['folder'] and not params['mailbox']:
        raise parameter_error('folder', 'needs mailbox')
    if not params['query'] and not params['mailbox']:
        raise parameter_error('mailbox', 'required to list items (or give a query to search every mailbox)')
    if params['query'] is not None and not params['query'].strip():
        raise parameter_error('query', 'is empty')
    require_working_session(mod.client, session_id)
    mailboxes = list_mailboxes(mod.client, session_id)
    by_id = dict((m['id'], m) for m in mailboxes)
    mailbox = find_mailbox(mailboxes, params['mailbox'], archive=params['archive']) if params['mailbox'] else None
    folder = resolve_folder(mod.client, session_id, mailbox, params['folder']) if params['folder'] else None

    if params['query']:
        page = search_items(mod.client, session_id, params['query'], mailbox_id=mailbox and mailbox['id'],
                            folder_id=folder and folder['id'], scope=params['scope'], limit=params['limit'])
        scope = 'folder' if folder else ('mailbox' if mailbox else params['scope'])
    else:
        page = list_items(mod.client, session_id, mailbox['id'], folder_id=folder and folder['id'],
                          limit=params['limit'])
        scope = 'folder' if folder else 'mailbox'
    folder_path = folder['path'] if (folder and not params['query']) else None
    items = [item_summary(item, mailbox or by_id.get(item.get('mailboxId')), folder_path) for item in page.items]
    mod.result.update(mail_items=items, count=len(items), truncated=page.truncated, scope=scope)
    if page.truncated:
        mod.result['msg'] = 'stopped at limit=%d; more items match' % params['limit']


def main():
    mod = Vb365Module(
        argument_spec=dict(
            session_id=dict(type='str', required=True),
            mailbox=dict(type='str'),
            archive=dict(type='bool', default=False),
            folder=dict(type='str'),
            query=dict(type='str'),
            scope=dict(type='str', default='mailboxes', choices=['mailboxes', 'organization']),
            limit=dict(type='int'),
        ),
    )
    mod.run(run)


if __name__ == '__main__':
    main()
