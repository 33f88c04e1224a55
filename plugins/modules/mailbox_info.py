#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mailbox_info
short_description: Find the mailboxes (and their folders) in an Exchange restore session
version_added: 0.1.0
description:
  - Lists the backed-up mailboxes of a restore session opened with M(vb365.restore.restore_session), filtered by
    email, display name, id or wildcard, optionally with each mailbox's folder tree.
  - Archive (in-place archive) and public folder mailboxes are marked.
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
  mailboxes:
    description:
      - Return only these mailboxes, each given by email, display name or id, or by a shell-style wildcard
        (V(*@contoso.onmicrosoft.com), V(Chris*)) matched against the email and the name.
      - A plain value must match exactly one mailbox; an unknown or ambiguous one fails and lists the candidates.
      - An email or name means the primary mailbox; set O(archive=true) for the in-place archive.
      - Without it, every mailbox of the session is returned.
    type: list
    elements: str
  archive:
    description:
      - With O(mailboxes), whether plain emails and names mean in-place archive mailboxes instead of primary ones,
        and whether wildcards match only archives (V(true)) or only primary mailboxes (V(false)).
      - Unset, wildcards match both kinds and plain values mean the primary mailbox.
    type: bool
  include_folders:
    description: Whether to return each mailbox's folder tree (one request per folder level).
    type: bool
    default: false
seealso:
  - module: vb365.restore.item_info
  - module: vb365.restore.restore_session
'''

EXAMPLES = r'''
- name: All mailboxes of the session
  vb365.restore.mailbox_info:
    session_id: "{{ restore.session.id }}"
  register: all_mailboxes

- name: Two users, with their folders
  vb365.restore.mailbox_info:
    session_id: "{{ restore.session.id }}"
    mailboxes:
      - alice@contoso.onmicrosoft.com
      - Bob Jones
    include_folders: true
  register: found

- name: Every mailbox of the sales team
  vb365.restore.mailbox_info:
    session_id: "{{ restore.session.id }}"
    mailboxes: ["sales-*@contoso.onmicrosoft.com"]
'''

RETURN = r'''
mailboxes:
  description: The mailboxes found.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The mailbox id in the restore session.
      type: str
    email:
      description: The mailbox's email address.
      type: str
      sample: alice@contoso.onmicrosoft.com
    name:
      description: The display name.
      type: str
      sample: Alice Smith
    is_archive:
      description: Whether it is an in-place archive mailbox.
      type: bool
    is_public:
      description: Whether it is a public folder mailbox.
      type: bool
    folders:
      description: With O(include_folders), every folder depth first, each with its C(path) (for example C(Inbox/Projects)).
      type: list
      elements: dict
count:
  description: The number of mailboxes returned.
  returned: always
  type: int
'''

from ansible_collections.vb365.restore.plugins.module_utils.browse import filter_mailboxes, folder_tree, list_mailboxes, mailbox_summary
from ansible_collections.vb365.restore.plugins.module_utils.sessions import require_working_session
from ansible_collections.vb365.restore.plugins.module_utils.module import Vb365Module


def run(mod):
    params = mod.params
    session_id = params['session_id']
    require_working_session(mod.client, session_id)
    mailboxes = list_mailboxes(mod.client, session_id)
    if params['mailboxes']:
        mailboxes = filter_mailboxes(mailboxes, params['mailboxes'], option='mailboxes', archive=params['archive'])
    result = []
    for mailbox in mailboxes:
        entry = mailbox_summary(mailbox)
        if params['include_folders']:
            entry['folders'] = folder_tree(mod.client, session_id, mailbox['id'])
        result.append(entry)
    mod.result.update(mailboxes=result, count=len(result))


def main():
    mod = Vb365Module(
        argument_spec=dict(
            session_id=dict(type='str', required=True),
            mailboxes=dict(type='list', elements='str'),
            archive=dict(type='bool'),
            include_folders=dict(type='bool', default=False),
        ),
    )
    mod.run(run)


if __name__ == '__main__':
    main()
