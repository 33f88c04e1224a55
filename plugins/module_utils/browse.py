# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Browsing a backup: organizations, the mailboxes of a restore session and their folders, by name or id."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import re

from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365AmbiguousError,
    Vb365NotFoundError,
    Vb365ParameterError,
)
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    FOLDER,
    FOLDERS,
    ORGANIZATION,
    ORGANIZATIONS,
    SESSION_MAILBOXES,
)
from ansible_collections.vb365.restore.plugins.module_utils.values import candidates_text, is_uuid, pick_one, to_snake


# ---------------------------------------------------------------------------- organizations
def list_organizations(client):
    return client.call(ORGANIZATIONS).items


def find_organization(client, ref, option='organization'):
    """An organization by id, name (e.g. contoso.onmicrosoft.com) or Microsoft 365 name."""
    if is_uuid(ref):
        try:
            return client.call(ORGANIZATION, organizationId=ref)
        except Vb365NotFoundError:
            raise Vb365NotFoundError('%s: no organization with id %s' % (option, ref))
    return pick_one(list_organizations(client), ref, 'organization', option,
                    ('name', 'officeName'), ('id', 'name', 'type'))


# ---------------------------------------------------------------------------- mailboxes
def list_mailboxes(client, session_id):
    return client.call(SESSION_MAILBOXES, restoreSessionId=session_id).items


def find_mailbox(mailboxes, ref, option='mailbox', archive=False):
    """One mailbox of a restore session by id, email or display name.

    An in-place archive has the same email (and often name) as its owner's primary mailbox:
    an email or name means the primary mailbox unless ``archive`` is true.
    """
    if ref is None or str(ref).strip() == '':
        raise Vb365ParameterError('%s: a mailbox email, name or id is required' % option)
    wanted = str(ref).strip().lower()
    by_id = [m for m in mailboxes if str(m.get('id', '')).lower() == wanted]
    if by_id:
        return by_id[0]
    for key in ('email', 'name'):
        matches = [m for m in mailboxes if str(m.get(key) or '').lower() == wanted]
        if not matches:
            continue
        kind = [m for m in matches if bool(m.get('isArchive')) == bool(archive)]
        if len(kind) == 1:
            return kind[0]
        pool = kind or matches
        if len(pool) > 1 or not kind:
            what = 'archive mailbox' if archive else 'mailbox'
            raise Vb365AmbiguousError(
                '%s: %r matches %d mailboxes%s; use an email or id: %s' % (
                    option, ref, len(pool), '' if kind else ' but no %s' % what,
                    candidates_text(pool, ('id', 'email', 'name', 'isArchive'))),
                details={'candidates': [to_snake(m) for m in pool]})
    raise Vb365NotFoundError(
        '%s: no mailbox %r in this restore session (%d mailboxes; e.g. %s)' % (
            option, ref, len(mailboxes), candidates_text(mailboxes[:5], ('email', 'name'))),
        details={'candidates': []})


def filter_mailboxes(mailboxes, patterns, option='mailboxes', archive=None):
    """Mailboxes matching a list of ids, emails, names or shell-style wildcards.

    A plain value must match exactly one mailbox (see ``find_mailbox``); a pattern with
    ``*``, ``?`` or ``[`` may match any number.  ``archive`` None keeps both kinds for
    wildcards.  Order follows the input, duplicates removed.
    """
    chosen = []
    seen = set()
    # Ids are looked up in an index: a list of 10,000 ids would otherwise scan every mailbox for each.
    by_id = dict((str(m.get('id', '')).lower(), m) for m in mailboxes)
    for pattern in patterns:
        text = str(pattern).strip()
        if text.lower() in by_id:
            found = [by_id[text.lower()]]
        elif any(c in text for c in '*?['):
            low = text.lower()
            found = [m for m in mailboxes
                     if (fnmatch.fnmatchcase(str(m.get('email') or '').lower(), low)
                         or fnmatch.fnmatchcase(str(m.get('name') or '').lower(), low))
                     and (archive is None or bool(m.get('isArchive')) == archive)]
        else:
            found = [find_mailbox(mailboxes, text, option=option, archive=bool(archive))]
        for mailbox in found:
            if mailbox['id'] not in seen:
                seen.add(mailbox['id'])
                chosen.append(mailbox)
    return chosen


def mailbox_summary(mailbox):
    return {
        'id': mailbox.get('id'),
        'email': mailbox.get('email'),
        'name': mailbox.get('name'),
        'is_archive': bool(mailbox.get('isArchive')),
        'is_public': bool(mailbox.get('isPublic')),
    }


# ---------------------------------------------------------------------------- folders
def list_child_folders(client, session_id, mailbox_id, parent_id=None):
    params = {'parentId': parent_id} if parent_id else None
    return client.call(FOLDERS, params=params, restoreSessionId=session_id, mailboxId=mailbox_id).items


def split_folder_path(path):
    """``Inbox/Projects/2026`` -> segments; a literal slash in a name is written ``\\/``."""
    parts = re.split(r'(?<!\\)/', str(path).strip().strip('/'))
    return [p.replace('\\/', '/').strip() for p in parts if p.strip()]


def resolve_folder(client, session_id, mailbox, ref, option='folder'):
    """A folder of a mailbox by path (``Inbox/Projects/2026``) or by id.

    Returns the folder dict with an extra ``path`` key.
    """
    if ref is None or str(ref).strip() == '':
        raise Vb365ParameterError('%s: a folder path or id is required' % option)
    segments = split_folder_path(ref)
    if not segments:
        raise Vb365ParameterError('%s: %r is not a folder path' % (option, ref))
    parent = None
    walked = []
    for index, segment in enumerate(segments):
        children = list_child_folders(client, session_id, mailbox['id'], parent['id'] if parent else None)
        matches = [f for f in children if str(f.get('name') or '').lower() == segment.lower()]
        if len(matches) > 1:
            raise Vb365AmbiguousError(
                '%s: %r has %d folders named %r in %s; use the folder id: %s' % (
                    option, ref, len(matches), segment, mailbox.get('email'),
                    candidates_text(matches, ('id', 'name'))),
                details={'candidates': [to_snake(m) for m in matches]})
        if not matches:
            if index == 0 and len(segments) == 1:
                by_id = _folder_by_id(client, session_id, mailbox['id'], str(ref).strip())
                if by_id is not None:
                    return by_id
            names = ', '.join(sorted(str(f.get('name')) for f in children)) or 'none'
            raise Vb365NotFoundError(
                '%s: no folder %r in %s of %s; folders there: %s' % (
                    option, segment, '/'.join(walked) or 'the top level', mailbox.get('email'), names))
        parent = matches[0]
        walked.append(parent.get('name'))
    parent = dict(parent)
    parent['path'] = '/'.join(walked)
    return parent


def _folder_by_id(client, session_id, mailbox_id, folder_id):
    try:
        folder = client.call(FOLDER, restoreSessionId=session_id, mailboxId=mailbox_id, folderId=folder_id)
    except (Vb365NotFoundError,):
        return None
    except Exception:  # pylint: disable=broad-except
        # Some ids are not valid in a URL path segment: treat as "no such folder".
        return None
    if isinstance(folder, dict):
        folder = dict(folder)
        folder.setdefault('path', folder.get('name'))
    return folder


def folder_tree(client, session_id, mailbox_id, parent=None, prefix=''):
    """Every folder of a mailbox, depth first, each with its ``path``."""
    result = []
    for folder in list_child_folders(client, session_id, mailbox_id, parent):
        path = '%s/%s' % (prefix, folder.get('name')) if prefix else folder.get('name')
        entry = to_snake(folder)
        entry['path'] = path
        result.append(entry)
        result.extend(folder_tree(client, session_id, mailbox_id, folder.get('id'), path))
    return result
