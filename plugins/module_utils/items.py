# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Items of a mailbox in a restore session: listing, searches, lookup by id and the summaries modules return."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365NotFoundError
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    ITEM,
    ITEM_LIST,
    SEARCH_FOLDER,
    SEARCH_MAILBOX,
    SEARCH_MAILBOXES,
    SEARCH_ORGANIZATION,
)


def list_items(client, session_id, mailbox_id, folder_id=None, limit=None):
    """Items of a mailbox, or of one folder (not its subfolders); returns a ``Page``."""
    params = {'parentId': folder_id} if folder_id else None
    return client.call(ITEM_LIST, params=params, limit=limit, restoreSessionId=session_id, mailboxId=mailbox_id)


def search_items(client, session_id, query, mailbox_id=None, folder_id=None, scope=None, limit=None):
    """Run a search at the narrowest scope given; returns a ``Page``.

    ``folder_id`` (with ``mailbox_id``): the folder and its subfolders; ``mailbox_id``: one mailbox;
    ``scope='mailboxes'``: every mailbox of the session; ``scope='organization'``: the organization
    (the only scope whose pages have no ``setId``).
    """
    body = {'query': query}
    if folder_id:
        return client.call(SEARCH_FOLDER, body=body, limit=limit, restoreSessionId=session_id,
                           mailboxId=mailbox_id, folderId=folder_id)
    if mailbox_id:
        return client.call(SEARCH_MAILBOX, body=body, limit=limit, restoreSessionId=session_id, mailboxId=mailbox_id)
    if scope == 'organization':
        return client.call(SEARCH_ORGANIZATION, body=body, limit=limit, restoreSessionId=session_id)
    return client.call(SEARCH_MAILBOXES, body=body, limit=limit, restoreSessionId=session_id)


# Up to this many ids are looked up one by one; more are found by listing the mailbox's items once
# (which the API answers with every item of the mailbox, a slow request on a large one).
FEW_ITEM_IDS = 20


def find_items(client, session_id, mailbox, ids, option='items'):
    """The items of ``mailbox`` with these ids, in the order given (duplicates once).

    An id that is not an item of the mailbox in this session is an error that lists the unknown ids.
    """
    wanted = list(dict.fromkeys(str(i) for i in ids))
    found = {}
    if len(wanted) <= FEW_ITEM_IDS:
        for item_id in wanted:
            try:
                found[item_id] = client.call(ITEM, restoreSessionId=session_id, mailboxId=mailbox['id'], itemId=item_id)
            except Vb365NotFoundError:
                pass
    else:
        chosen = set(wanted)
        for item in list_items(client, session_id, mailbox['id']).items:
            if item.get('id') in chosen:
                found[item['id']] = item
    missing = [i for i in wanted if i not in found]
    if missing:
        raise Vb365NotFoundError('%s: %d of the %d ids are not items of %s in this restore session: %s%s' % (
            option, len(missing), len(wanted), mailbox.get('email'), ', '.join(missing[:10]),
            ' and %d more' % (len(missing) - 10) if len(missing) > 10 else ''))
    return [found[i] for i in wanted]


ITEM_FIELDS = ('id', 'mailboxId', 'itemClass', 'subject', 'from', 'to', 'cc', 'sent', 'received',
               'importance', 'name', 'fullName', 'email', 'organizer', 'startTime', 'endTime', 'location',
               'owner', 'dueDate', 'status', 'date')


def item_summary(item, mailbox=None, folder_path=None):
    """The fields people need to choose an item, snake_case, with its mailbox (and folder) when known."""
    entry = {}
    for field in ITEM_FIELDS:
        if item.get(field) not in (None, ''):
            entry[field] = item[field]
    attachments = item.get('attachments') or []
    if attachments:
        entry['attachments'] = [a.get('name') for a in attachments]
        sizes = [a.get('sizeBytes') for a in attachments if isinstance(a.get('sizeBytes'), int)]
        if sizes:
            entry['attachments_size'] = sum(sizes)
    entry = camel_dict_to_snake_dict(entry)
    if mailbox is not None:
        entry['mailbox'] = mailbox.get('email')
        entry['mailbox_id'] = mailbox.get('id')
    if folder_path:
        entry['folder'] = folder_path
    return entry
