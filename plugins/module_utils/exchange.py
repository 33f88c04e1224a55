# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Domain helpers for Exchange restores: name-to-id resolution, times, result shaping.

One place for the lookups every module needs.  A name that matches several objects is an
error that lists the candidates; a name that matches nothing lists what exists.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import fnmatch
import re
from urllib.parse import quote

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365AmbiguousError,
    Vb365NotFoundError,
    Vb365ParameterError,
)

UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
MAX_CANDIDATES_SHOWN = 20
# An Exchange address: a local part without spaces or separators, @, and a domain with a dot.
EMAIL_RE = re.compile(r'^[^@\s<>(),;:"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$')
# How far ahead of this host's clock a point in time may be (clocks differ a little).
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


def is_uuid(value):
    return bool(value) and bool(UUID_RE.match(str(value)))


def check_email(value, option):
    """Refuse a value that is not one email address, naming the option."""
    if not isinstance(value, str) or not EMAIL_RE.match(value.strip()):
        raise Vb365ParameterError('%s: %r is not an email address (user@example.com)' % (option, value))
    return value.strip()


def to_snake(data):
    """API object -> the snake_case dict modules return, without HAL links and actions."""
    if not isinstance(data, dict):
        return data
    clean = dict((k, v) for k, v in data.items() if k not in ('_links', '_actions'))
    return camel_dict_to_snake_dict(clean)


# ---------------------------------------------------------------------------- times
def normalize_point_in_time(value, option='point_in_time'):
    """Accept what people type and return an RFC 3339 UTC date-time, or None for 'latest'.

    ``2026-11-17`` is the end of that day (UTC): a restore "as of the 17th" includes its
    backups.  A date-time without an offset is UTC.  ``latest``/empty means the newest backup.
    """
    if value is None:
        return None
    text = str(value).strip()
    if text == '' or text.lower() in ('latest', 'now'):
        return None
    if re.match(r'^\d{4}-\d{2}-\d{2}$', text):
        try:
            day = datetime.datetime.strptime(text, '%Y-%m-%d')
        except ValueError:
            raise Vb365ParameterError('%s: %r is not a valid date (YYYY-MM-DD)' % (option, value))
        if day.date() > _utcnow().date():
            raise Vb365ParameterError('%s: %r is in the future; backups exist only up to now' % (option, value))
        moment = day.replace(hour=23, minute=59, second=59)
        return moment.strftime('%Y-%m-%dT%H:%M:%SZ')
    match = re.match(r'^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$', text, re.IGNORECASE)
    if not match:
        raise Vb365ParameterError(
            '%s: %r is not a date or date-time; use e.g. 2026-11-17, 2026-11-17T08:30:00 (UTC) or '
            '2026-11-17T08:30:00+01:00' % (option, value))
    date_part, time_part, _fraction, offset = match.groups()
    if len(time_part) == 5:
        time_part += ':00'
    try:
        moment = datetime.datetime.strptime('%sT%s' % (date_part, time_part), '%Y-%m-%dT%H:%M:%S')
    except ValueError:
        raise Vb365ParameterError('%s: %r is not a valid date-time' % (option, value))
    if offset and offset.upper() != 'Z':
        sign = 1 if offset[0] == '+' else -1
        digits = offset[1:].replace(':', '')
        delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment = moment - sign * delta
    if moment > _utcnow() + FUTURE_TOLERANCE:
        raise Vb365ParameterError('%s: %r is in the future; backups exist only up to now' % (option, value))
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def _utcnow():
    """Now, in UTC, without a time zone (as the parsed points in time)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------------------- matching
def _describe(obj, fields):
    return ', '.join('%s=%s' % (f, obj.get(f)) for f in fields if obj.get(f) not in (None, ''))


def _candidates(objects, fields):
    shown = ['{%s}' % _describe(o, fields) for o in objects[:MAX_CANDIDATES_SHOWN]]
    more = len(objects) - len(shown)
    return '; '.join(shown) + ((' and %d more' % more) if more > 0 else '')


def pick_one(objects, ref, kind, option, keys, describe_fields):
    """The one object whose id equals ``ref``, or whose ``keys`` match it case-insensitively."""
    if ref is None or str(ref).strip() == '':
        raise Vb365ParameterError('%s: a %s name or id is required' % (option, kind))
    wanted = str(ref).strip()
    by_id = [o for o in objects if str(o.get('id', '')).lower() == wanted.lower()]
    if by_id:
        return by_id[0]
    for key in keys:
        matches = [o for o in objects if str(o.get(key) or '').lower() == wanted.lower()]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise Vb365AmbiguousError(
                '%s: %r matches %d %ss; use one of their ids: %s' % (
                    option, wanted, len(matches), kind, _candidates(matches, describe_fields)),
                details={'candidates': [to_snake(m) for m in matches]})
    raise Vb365NotFoundError(
        '%s: no %s %r; there are: %s' % (option, kind, wanted, _candidates(objects, describe_fields) or 'none'),
        details={'candidates': [to_snake(o) for o in objects[:MAX_CANDIDATES_SHOWN]]})


# ---------------------------------------------------------------------------- organizations
def list_organizations(client):
    return client.paginate('/Organizations').items


def find_organization(client, ref, option='organization'):
    """An organization by id, name (e.g. contoso.onmicrosoft.com) or Microsoft 365 name."""
    if is_uuid(ref):
        try:
            return client.get('/Organizations/%s' % ref)
        except Vb365NotFoundError:
            raise Vb365NotFoundError('%s: no organization with id %s' % (option, ref))
    return pick_one(list_organizations(client), ref, 'organization', option,
                    ('name', 'officeName'), ('id', 'name', 'type'))


# ---------------------------------------------------------------------------- mailboxes
def list_mailboxes(client, session_id):
    return client.paginate('/RestoreSessions/%s/organization/mailboxes' % session_id).items


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
                    _candidates(pool, ('id', 'email', 'name', 'isArchive'))),
                details={'candidates': [to_snake(m) for m in pool]})
    raise Vb365NotFoundError(
        '%s: no mailbox %r in this restore session (%d mailboxes; e.g. %s)' % (
            option, ref, len(mailboxes), _candidates(mailboxes[:5], ('email', 'name'))),
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
def _folders_path(session_id, mailbox_id):
    return '/RestoreSessions/%s/organization/mailboxes/%s/folders' % (session_id, mailbox_id)


def list_child_folders(client, session_id, mailbox_id, parent_id=None):
    params = {'parentId': parent_id} if parent_id else None
    return client.paginate(_folders_path(session_id, mailbox_id), params=params).items


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
                    _candidates(matches, ('id', 'name'))),
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
        folder = client.get('%s/%s' % (_folders_path(session_id, mailbox_id), folder_id))
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


# ---------------------------------------------------------------------------- restore sessions
def session_summary(session):
    """A restore session as modules return it (snake_case)."""
    return to_snake(session) if session else None


def get_session(client, session_id, option='session_id'):
    if not is_uuid(session_id):
        raise Vb365ParameterError('%s: %r is not a restore session id (a UUID)' % (option, session_id))
    return client.get('/RestoreSessions/%s' % session_id)


def require_working_session(client, session_id, option='session_id'):
    """The restore session, which must be a Working Exchange (Vex) session."""
    session = get_session(client, session_id, option)
    if session.get('type') not in (None, 'Vex'):
        raise Vb365ParameterError('%s: restore session %s is a %s session, not an Exchange (Vex) one' % (
            option, session_id, session.get('type')))
    if session.get('state') != 'Working':
        raise Vb365ParameterError('%s: restore session %s is %s; open a new one with vb365.restore.restore_session' % (
            option, session_id, session.get('state')))
    return session


def read_events(client, session_id):
    """Every event of a restore session, in the server's order."""
    events = client.paginate('/RestoreSessions/%s/Events' % session_id).items
    return sorted(events, key=lambda e: (e.get('order') is None, e.get('order')))


# ---------------------------------------------------------------------------- items and searches
def _mailbox_path(session_id, mailbox_id):
    return '/RestoreSessions/%s/organization/mailboxes/%s' % (session_id, mailbox_id)


def list_items(client, session_id, mailbox_id, folder_id=None, limit=None):
    """Items of a mailbox, or of one folder (not its subfolders); returns a ``Page``."""
    params = {'parentId': folder_id} if folder_id else None
    return client.paginate(_mailbox_path(session_id, mailbox_id) + '/items', params=params, limit=limit)


def search_items(client, session_id, query, mailbox_id=None, folder_id=None, scope=None, limit=None):
    """Run a search at the narrowest scope given; returns a ``Page``.

    ``folder_id`` (with ``mailbox_id``): the folder and its subfolders; ``mailbox_id``: one mailbox;
    ``scope='mailboxes'``: every mailbox of the session; ``scope='organization'``: the organization
    (the only scope whose pages have no ``setId``).
    """
    body = {'query': query}
    if folder_id:
        path = _mailbox_path(session_id, mailbox_id) + '/folders/%s/search' % folder_id
    elif mailbox_id:
        path = _mailbox_path(session_id, mailbox_id) + '/search'
    elif scope == 'organization':
        return client.paginate('/RestoreSessions/%s/organization/searchExchange' % session_id, method='POST',
                               json_body=body, limit=limit)
    else:
        path = '/RestoreSessions/%s/organization/mailboxes/search' % session_id
    return client.paginate(path, method='POST', json_body=body, limit=limit, use_set_id=True)


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
                found[item_id] = client.get(_mailbox_path(session_id, mailbox['id']) + '/items/' + quote(item_id, safe=''))
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
