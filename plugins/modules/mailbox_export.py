#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mailbox_export
short_description: Export backed-up Exchange mail to PST or MSG files, streamed to disk and resumable
version_added: 0.1.0
description:
  - Exports from a restore session to a file on the host that runs the module - a PST of the whole organization
    (optionally only what matches O(content_keyword)), of a mailbox, of a folder, of items chosen by id or by a
    search; or MSG files of items.
  - The scope follows from what is given. Nothing - the organization; O(mailbox) - that mailbox; O(mailbox) and
    O(folder) - that folder and its subfolders; O(items) or O(query) - those items.
  - The file is streamed to disk in constant memory into a partial file beside the destination, and renamed only
    when complete, so a failed export never leaves a file at O(dest). A transfer that is cut is resumed with an
    HTTP Range request, within the task and, when O(resume=true), by the next run.
  - With O(pst_size_limit) the server splits a large PST into parts of at most that size and sends a ZIP of them;
    O(extract=true) unpacks the parts next to it.
  - A second run with the same request (server, organization, scope, format and options) finds the finished file
    and its manifest (C(<dest>.vb365.json)), checks its size and SHA-256, and changes nothing, unless O(force=true).
    The API does not tell the point in time of a session, so exporting another point in time to the same O(dest)
    needs O(force=true).
  - PST exports need a 64-bit Microsoft Outlook on the VB365 server; the server's message is passed on if it has none.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.connection
attributes:
  check_mode:
    support: full
    description: Resolves the scope and says what would be written where, without requesting the export.
  diff_mode:
    support: none
    description: The module returns no diff.
options:
  session_id:
    description: The id of a working Exchange restore session.
    type: str
    required: true
  mailbox:
    description: The mailbox to export, or holding the items, by email, display name or id.
    type: str
  archive:
    description: Whether O(mailbox) means the user's in-place archive.
    type: bool
    default: false
  folder:
    description: A folder of O(mailbox) to export (with its subfolders), by path (V(Inbox/Projects)) or id.
    type: str
  items:
    description: Ids of items of O(mailbox) to export.
    type: list
    elements: str
  query:
    description: A search query choosing the items of O(mailbox) to export (for example V(subject:contract)).
    type: str
  max_items:
    description: Fail rather than export more items than this, when they come from O(query).
    type: int
    default: 10000
  format:
    description: V(pst), or V(msg) (only for items; several items arrive as a ZIP of MSG files).
    type: str
    choices: [pst, msg]
    default: pst
  dest:
    description:
      - The file to write, or an existing directory (the file then gets the name the server gives it).
    type: path
    required: true
  content_keyword:
    description: Export only what contains this keyword. Only for the organization, a mailbox or a folder.
    type: str
  pst_size_limit:
    description:
      - Split the PST into parts of at most this size, delivered as a ZIP. Bytes, or gigabytes such as V(10GB)
        (1 GB = 1073741824 bytes). From 1 GB to 49 GB.
    type: str
  force:
    description: Export again even when a complete file of the same request is already at O(dest).
    type: bool
    default: false
  resume:
    description:
      - Resume a transfer that was cut, from the partial file a previous run left. With V(false) the partial file is
        discarded and the export starts over, and a failed transfer leaves no partial file.
    type: bool
    default: true
  extract:
    description: When the server sends a ZIP of parts, unpack the parts into a directory next to it (its name without C(.zip)).
    type: bool
    default: false
seealso:
  - module: vb365.restore.item_info
  - module: vb365.restore.restore_session
'''

EXAMPLES = r'''
- name: A leaver's mailbox as PST, in parts of at most 10 GB
  vb365.restore.mailbox_export:
    session_id: "{{ rs.session.id }}"
    mailbox: erin@contoso.onmicrosoft.com
    dest: /srv/exports/erin.zip
    pst_size_limit: 10GB
    extract: true

- name: Everything of the organization that mentions a project, for legal
  vb365.restore.mailbox_export:
    session_id: "{{ rs.session.id }}"
    content_keyword: Falcon
    dest: /srv/exports/

- name: Two messages as MSG files
  vb365.restore.mailbox_export:
    session_id: "{{ rs.session.id }}"
    mailbox: alice@contoso.onmicrosoft.com
    query: "subject:contract from:legal@fabrikam.example"
    format: msg
    dest: /srv/exports/alice-contracts.zip
'''

RETURN = r'''
dest:
  description: The file written (or that would be, in check mode, when O(dest) is a file path).
  returned: always
  type: str
size:
  description: Its size in bytes.
  returned: unless in check mode
  type: int
sha256:
  description: Its SHA-256, computed while it was written.
  returned: unless in check mode
  type: str
files:
  description: The parts of a ZIP (name, size, sha256, and path when extracted); empty for a single file.
  returned: unless in check mode
  type: list
  elements: dict
scope:
  description: What was exported - kind (organization, mailbox, folder, items) and the resolved mailbox, folder or item count.
  returned: always
  type: dict
elapsed:
  description: Seconds the transfer took (0 when nothing was transferred).
  returned: unless in check mode
  type: float
throughput_mib_s:
  description: MiB per second of the transfer.
  returned: unless in check mode
  type: float
resumed:
  description: How many times a cut transfer was resumed with a Range request.
  returned: unless in check mode
  type: int
fetched:
  description: Bytes received over the network in this run.
  returned: unless in check mode
  type: int
'''

import os
import time

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365Error, Vb365ParameterError
from ansible_collections.vb365.restore.plugins.module_utils.exchange import (
    find_mailbox,
    list_mailboxes,
    require_working_session,
    resolve_folder,
    search_items,
)
from ansible_collections.vb365.restore.plugins.module_utils.export import (
    Destination,
    parse_size_limit,
    request_key,
    zip_parts,
)
from ansible_collections.vb365.restore.plugins.module_utils.module import Vb365Module, parameter_error


def check_input(params):
    given = [o for o in ('items', 'query') if params[o]]
    if len(given) > 1:
        raise parameter_error('items', 'give either items or query')
    if (params['folder'] or given) and not params['mailbox']:
        raise parameter_error('mailbox', 'required with %s' % ('folder' if params['folder'] else given[0]))
    if params['folder'] and given:
        raise parameter_error('folder', 'export a folder, or items; not both')
    if params['format'] == 'msg' and not given:
        raise parameter_error('format', 'msg is for items (give items or query); a mailbox or folder exports to pst')
    if params['content_keyword'] and given:
        raise parameter_error('content_keyword', 'only for the organization, a mailbox or a folder; use query for items')
    if params['format'] == 'msg' and params['pst_size_limit']:
        raise parameter_error('pst_size_limit', 'only for pst')
    if params['max_items'] < 1:
        raise parameter_error('max_items', 'must be at least 1')
    return parse_size_limit(params['pst_size_limit'])


def plan(mod, session_id, limit):
    """(path, body, scope) of the export request."""
    params = mod.params
    root = '/RestoreSessions/%s/organization' % session_id
    size_fields = {'enablePstSizeLimit': True, 'pstSizeLimitBytes': limit} if limit else {}
    keyword = {'contentKeyword': params['content_keyword']} if params['content_keyword'] else {}
    if not params['mailbox']:
        return root + '/exportToPst', dict(keyword, **size_fields), {'kind': 'organization'}
    mailbox = find_mailbox(list_mailboxes(mod.client, session_id), params['mailbox'], archive=params['archive'])
    base = '%s/mailboxes/%s' % (root, mailbox['id'])
    scope = {'mailbox': mailbox.get('email'), 'mailbox_id': mailbox['id'], 'is_archive': bool(mailbox.get('isArchive'))}
    if params['folder']:
        folder = resolve_folder(mod.client, session_id, mailbox, params['folder'])
        scope.update(kind='folder', folder=folder['path'], folder_id=folder['id'])
        return '%s/folders/%s/exportToPst' % (base, folder['id']), dict(keyword, **size_fields), scope
    if not (params['items'] or params['query']):
        scope['kind'] = 'mailbox'
        return base + '/exportToPst', dict(keyword, **size_fields), scope
    ids = list(params['items'] or [])
    if params['query']:
        page = search_items(mod.client, session_id, params['query'], mailbox_id=mailbox['id'], limit=params['max_items'])
        if page.truncated:
            raise parameter_error('query', 'matches more than max_items=%d items' % params['max_items'])
        ids = [i['id'] for i in page.items]
        if not ids:
            raise Vb365ParameterError('query: %r matches no item in %s; nothing to export' % (
                params['query'], mailbox.get('email')))
    scope.update(kind='items', items=len(ids))
    if params['format'] == 'msg':
        if len(ids) == 1:
            return '%s/items/%s/save' % (base, ids[0]), None, scope
        return base + '/items/Save', {'items': [{'id': i} for i in ids]}, scope
    if len(ids) == 1:
        return '%s/items/%s/exportToPst' % (base, ids[0]), dict(size_fields), scope
    return base + '/items/exportToPst', dict(size_fields, items=[{'id': i} for i in ids]), scope


def run(mod):
    params = mod.params
    limit = check_input(params)
    session_id = params['session_id']
    probe = Destination(params['dest'], 'probe')
    probe.check_writable()
    session = require_working_session(mod.client, session_id)
    path, body, scope = plan(mod, session_id, limit)
    # The same request: server, organization, scope, format and options. The API does not tell a session's
    # point in time, so an export of another point in time to the same dest needs force.
    request = {'server': mod.client.base_url, 'organization': session.get('organization'),
               'path': path.split('/organization', 1)[1], 'body': body, 'format': params['format']}
    key = request_key(request)
    target = Destination(params['dest'], key)
    mod.result.update(scope=scope, dest=target.dest)
    done = None if params['force'] else target.complete(key)
    if done:
        mod.result.update(changed=False, dest=done['dest'], size=done['size'], sha256=done['sha256'],
                          files=done.get('files', []), elapsed=0.0, throughput_mib_s=0.0, resumed=0, fetched=0,
                          msg='%s is complete already (same request, same sha256)' % done['dest'])
        return
    mod.result['changed'] = True
    if mod.check_mode:
        mod.write('POST', path, body, describe='export %s to %s' % (scope['kind'], target.dest))
        return
    if not params['resume']:
        target.discard_partial()
    started = time.time()
    try:
        info = mod.client.download(path, target.partial, json_body=body, resume=params['resume'])
    except Vb365Error:
        if not params['resume']:
            target.discard_partial()
        raise
    elapsed = max(time.time() - started, 1e-6)
    final = target.final_path(info['filename'])
    os.replace(target.partial, final)
    extract_to = os.path.splitext(final)[0] if params['extract'] else None
    files = zip_parts(final, extract_to) or []
    manifest = {'key': key, 'request': request, 'dest': final, 'size': info['size'], 'sha256': info['sha256'],
                'files': files, 'scope': scope, 'finished': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}
    target.write_manifest(manifest)
    mod.result.update(dest=final, size=info['size'], sha256=info['sha256'], files=files,
                      elapsed=round(elapsed, 3), throughput_mib_s=round(info['fetched'] / 1048576.0 / elapsed, 1),
                      resumed=info['resumed'], fetched=info['fetched'])


def main():
    mod = Vb365Module(
        argument_spec=dict(
            session_id=dict(type='str', required=True),
            mailbox=dict(type='str'),
            archive=dict(type='bool', default=False),
            folder=dict(type='str'),
            items=dict(type='list', elements='str'),
            query=dict(type='str'),
            max_items=dict(type='int', default=10000),
            format=dict(type='str', default='pst', choices=['pst', 'msg']),
            dest=dict(type='path', required=True),
            content_keyword=dict(type='str', no_log=False),
            pst_size_limit=dict(type='str'),
            force=dict(type='bool', default=False),
            resume=dict(type='bool', default=True),
            extract=dict(type='bool', default=False),
        ),
    )
    mod.run(run)


if __name__ == '__main__':
    main()
