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
    (optionally only what contains O(content_keyword)), of a mailbox, of a folder, of items chosen by id or by a
    search; or MSG files of items.
  - The scope follows from what is given. Nothing - the organization; O(mailbox) - that mailbox; O(mailbox) and
    O(folder) - that folder and its subfolders; O(mailbox) and O(items) or O(query) - those items (a O(query) with
    O(folder) searches that folder and its subfolders).
  - The file is streamed to disk in constant memory into a partial file beside the destination, and renamed only
    when complete, so a failed export never leaves a file at O(dest). A transfer that is cut is resumed with an
    HTTP Range request, within the task and, when O(resume=true), by the next run.
  - With O(pst_size_limit) the server splits a large PST into parts of at most that size and sends a ZIP of them;
    O(extract=true) unpacks the parts next to it.
  - A second run of the same request finds the finished file and its manifest (C(<dest>.vb365.json)), checks its
    size and SHA-256, and changes nothing, unless O(force=true). The request is the server, the organization, the
    scope, the format, the keyword and the limit, and the point in time and options of the session when the
    session ledger of M(vb365.restore.restore_session) knows them (the API does not tell them).
  - PST exports need a 64-bit Microsoft Outlook on the VB365 server; the server's message is passed on if it has none.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes
  - vb365.restore.connection
attributes:
  check_mode:
    description:
      - Resolves the scope and says what would be written where (C(planned_requests)), without requesting the export.
notes:
  - The point in time of a restore session is known only from the session ledger of M(vb365.restore.restore_session).
    When it is not known (the session was opened elsewhere, or with an empty O(ledger_path)), a finished export of the
    same scope to the same O(dest) counts as done whatever its point in time; the module warns when it came from
    another restore session. Use O(force=true) to export another point in time to the same O(dest).
  - The files are created with the permissions the umask of the user running the module gives; mail exports are
    sensitive, so choose O(dest) in a directory only the right people can read.
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
    description:
      - A folder of O(mailbox), by path (V(Inbox/Projects)) or id. Alone, the folder and its subfolders are exported;
        with O(query), the search is made there.
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
      - Split the PST into parts of at most this size, delivered as a ZIP. Bytes, or a size such as V(10GB) or
        V(1536MB), where units are powers of 1024 as Veeam counts them (1 GB = 1073741824 bytes).
      - From 1 GB to 49 GB; anything else is refused before a request is sent.
    type: str
  force:
    description: Export again even when a complete file of the same request is already at O(dest).
    type: bool
    default: false
  resume:
    description:
      - Resume a transfer that was cut, from the partial file a previous run of the same request left. With V(false)
        the partial file is discarded and the export starts over, and a failed transfer leaves no partial file.
      - A cut within the task is always resumed.
    type: bool
    default: true
  extract:
    description:
      - When the server sends a ZIP (of PST parts, or of MSG files), unpack it into a directory next to it, named
        like the ZIP without its extension.
      - A later run puts back parts that are missing or altered, from the ZIP, without a request.
    type: bool
    default: false
  ledger_path:
    description:
      - The session ledger of M(vb365.restore.restore_session), read to learn the point in time and options of
        O(session_id), which go into the manifest. An empty string reads none.
      - If not set, the value of the E(VB365_SESSION_LEDGER) environment variable is used.
    type: path
    default: ~/.ansible/vb365_restore/sessions.json
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

- name: One folder of a mailbox
  vb365.restore.mailbox_export:
    session_id: "{{ rs.session.id }}"
    mailbox: Alice Smith
    folder: Inbox/Invoices
    dest: /srv/exports/alice-invoices.pst

- name: Messages found by a search, as MSG files
  vb365.restore.mailbox_export:
    session_id: "{{ rs.session.id }}"
    mailbox: alice@contoso.onmicrosoft.com
    query: "subject:contract from:legal@fabrikam.example"
    format: msg
    dest: /srv/exports/alice-contracts.zip
'''

RETURN = r'''
dest:
  description:
    - The file written, or found complete. In check mode the file that would be written, or the directory when
      O(dest) is one (the server names the file).
  returned: always
  type: str
  sample: /srv/exports/erin.zip
manifest:
  description: The manifest beside the file (what was asked, size, SHA-256, parts).
  returned: unless in check mode
  type: str
  sample: /srv/exports/erin.zip.vb365.json
size:
  description: The size of the file in bytes.
  returned: unless in check mode
  type: int
  sample: 27917287424
sha256:
  description: Its SHA-256, computed while it was written.
  returned: unless in check mode
  type: str
files:
  description: The members of a ZIP (of PST parts, or of MSG files); empty for a single file.
  returned: unless in check mode
  type: list
  elements: dict
  contains:
    name:
      description: The member's file name.
      type: str
      sample: erin_1.pst
    size:
      description: Its size in bytes.
      type: int
    sha256:
      description: Its SHA-256.
      type: str
    path:
      description: Where it was extracted, with O(extract=true).
      type: str
      sample: /srv/exports/erin/erin_1.pst
scope:
  description: What was exported.
  returned: always
  type: dict
  contains:
    kind:
      description: V(organization), V(mailbox), V(folder) or V(items).
      type: str
    mailbox:
      description: The email of the mailbox.
      type: str
    mailbox_id:
      description: Its id in the restore session.
      type: str
    is_archive:
      description: Whether the mailbox is an in-place archive.
      type: bool
    folder:
      description: The path of the folder.
      type: str
    folder_id:
      description: Its id.
      type: str
    item_count:
      description: How many items were exported.
      type: int
elapsed:
  description: Seconds the transfer took (0 when nothing was transferred).
  returned: unless in check mode
  type: float
throughput_mib_s:
  description: MiB received per second of transfer.
  returned: unless in check mode
  type: float
resumed:
  description: How many times a transfer was resumed with a Range request, from a cut in this run or a partial file.
  returned: unless in check mode
  type: int
fetched:
  description: Bytes received over the network in this run.
  returned: unless in check mode
  type: int
planned_requests:
  description: In check mode, the export request that would be sent.
  returned: in check mode, when an export is needed
  type: list
  elements: dict
'''

import os
import time
from urllib.parse import quote

from ansible.module_utils.basic import env_fallback

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365Error
from ansible_collections.vb365.restore.plugins.module_utils.browse import find_mailbox, list_mailboxes, resolve_folder
from ansible_collections.vb365.restore.plugins.module_utils.items import find_items, search_items
from ansible_collections.vb365.restore.plugins.module_utils.sessions import require_working_session
from ansible_collections.vb365.restore.plugins.module_utils.export import (
    Destination,
    file_kind,
    parse_size_limit,
    parts_intact,
    request_key,
    zip_parts,
)
from ansible_collections.vb365.restore.plugins.module_utils.module import PLANNED, Vb365Module, parameter_error
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    EXPORT_FOLDER,
    EXPORT_ITEM,
    EXPORT_ITEMS,
    EXPORT_MAILBOX,
    EXPORT_ORGANIZATION,
    SAVE_ITEM,
    SAVE_ITEMS,
    Request,
)
from ansible_collections.vb365.restore.plugins.module_utils.portal import refuse_for_operator
from ansible_collections.vb365.restore.plugins.module_utils.session_ledger import SessionLedger

MIB = 1048576.0


def check_input(params):
    """Refuse what cannot be exported, before any request; returns the PST size limit in bytes."""
    if not str(params['dest'] or '').strip():
        raise parameter_error('dest', 'is empty; give the file to write, or an existing directory')
    if params['items'] is not None and not params['items']:
        raise parameter_error('items', 'is empty; nothing to export')
    if params['query'] is not None and not params['query'].strip():
        raise parameter_error('query', 'is empty')
    given = [o for o in ('items', 'query') if params[o]]
    if len(given) > 1:
        raise parameter_error('items', 'give either items or query')
    for option in ['folder', 'archive'] + given:
        if params[option] and not params['mailbox']:
            raise parameter_error(option, 'needs mailbox')
    if params['folder'] and params['items']:
        raise parameter_error('folder', 'only with query; items are given by id')
    if params['format'] == 'msg' and not given:
        raise parameter_error('format', 'msg is for items (give items or query); a mailbox or folder exports to pst')
    if params['content_keyword'] is not None and (given or not params['content_keyword'].strip()):
        raise parameter_error('content_keyword', 'only for the organization, a mailbox or a folder; use query for items'
                              if given else 'is empty')
    if params['format'] == 'msg' and params['pst_size_limit']:
        raise parameter_error('pst_size_limit', 'only for pst')
    if params['max_items'] < 1:
        raise parameter_error('max_items', 'must be at least 1')
    return parse_size_limit(params['pst_size_limit'])


def chosen_items(client, params, session_id, mailbox, folder):
    """Ids of the items to export, given or found by the query; unknown ids are named."""
    if params['items']:
        return [i['id'] for i in find_items(client, session_id, mailbox, params['items'])]
    page = search_items(client, session_id, params['query'], mailbox_id=mailbox['id'],
                        folder_id=folder and folder['id'], limit=params['max_items'])
    if page.truncated:
        raise parameter_error('query', 'matches more than max_items=%d items; narrow it or raise max_items'
                              % params['max_items'])
    if not page.items:
        raise parameter_error('query', '%r matches no item of %s%s; nothing to export' % (
            params['query'], mailbox.get('email'), (' in %s' % folder['path']) if folder else ''))
    return [i['id'] for i in page.items]


def plan(client, params, session_id, limit):
    """(``Request``, scope) of the export."""
    options = {'enablePstSizeLimit': True, 'pstSizeLimitBytes': limit} if limit else {}
    whole = dict(options, contentKeyword=params['content_keyword']) if params['content_keyword'] else options
    if not params['mailbox']:
        return Request(EXPORT_ORGANIZATION, whole, restoreSessionId=session_id), {'kind': 'organization'}
    mailbox = find_mailbox(list_mailboxes(client, session_id), params['mailbox'], archive=params['archive'])
    where = {'restoreSessionId': session_id, 'mailboxId': mailbox['id']}
    scope = {'kind': 'mailbox', 'mailbox': mailbox.get('email'), 'mailbox_id': mailbox['id'],
             'is_archive': bool(mailbox.get('isArchive'))}
    folder = resolve_folder(client, session_id, mailbox, params['folder']) if params['folder'] else None
    if folder:
        scope.update(folder=folder['path'], folder_id=folder['id'])
    if not (params['items'] or params['query']):
        if folder:
            scope['kind'] = 'folder'
            return Request(EXPORT_FOLDER, whole, folderId=folder['id'], **where), scope
        return Request(EXPORT_MAILBOX, whole, **where), scope
    ids = chosen_items(client, params, session_id, mailbox, folder)
    scope.update(kind='items', item_count=len(ids))
    if params['format'] == 'msg' and len(ids) == 1:
        return Request(SAVE_ITEM, itemId=ids[0], **where), scope
    if params['format'] == 'msg':
        return Request(SAVE_ITEMS, {'items': [{'id': i} for i in ids]}, **where), scope
    if len(ids) == 1:
        return Request(EXPORT_ITEM, options, itemId=ids[0], **where), scope
    return Request(EXPORT_ITEMS, dict(options, items=[{'id': i} for i in ids]), **where), scope


def key_path(request):
    """The part of the request's path after ``/organization``, as manifests have always recorded it (ids as
    given, the item id URL-encoded), so that an export finished by an earlier version is still known."""
    values = dict(request.path_values)
    if 'itemId' in values:
        values['itemId'] = quote(values['itemId'], safe='')
    return request.op.path.format(**values).split('/organization', 1)[1]


def describe_request(base_url, params, session, request):
    """What identifies this export (for the manifest and its key), and the session it comes from."""
    known = SessionLedger(params['ledger_path']).options_of(session['id']) if params['ledger_path'] else None
    described = {'server': base_url, 'organization': session.get('organization'),
                 'path': key_path(request), 'body': request.body, 'format': params['format'],
                 'session_options': known}
    origin = dict(known or {}, id=session['id'], creation_time=session.get('creationTime'),
                  point_in_time_known=known is not None)
    return described, origin


def extract_dir(final):
    stem = os.path.splitext(final)[0]
    return stem if stem != final else final + '.parts'


def unchanged(mod, target, done, origin):
    """Report a complete export; re-extract its parts when asked and they are not all intact."""
    params = mod.params
    files = done.get('files') or []
    previous = (done.get('session') or {}).get('id')
    if previous != origin['id'] and not origin['point_in_time_known']:
        mod.module.warn('%s was exported in restore session %s; the point in time of restore session %s is not in '
                        'the session ledger, so it may differ: use force=true to export it again'
                        % (done['dest'], previous, origin['id']))
    mod.result.update(dest=done['dest'], manifest=target.index, size=done['size'], sha256=done['sha256'],
                      files=files, elapsed=0.0, throughput_mib_s=0.0, resumed=0, fetched=0,
                      msg='%s is complete already (same request, same size and sha256)' % done['dest'])
    if not (params['extract'] and files and not parts_intact(files)):
        return
    mod.result['changed'] = True
    where = extract_dir(done['dest'])
    files = mod.change_locally(lambda: zip_parts(done['dest'], where))
    if files is PLANNED:
        mod.result['msg'] = '%s is complete; its parts would be extracted into %s' % (done['dest'], where)
        return
    done['files'] = files
    target.write_manifest(done)
    mod.result.update(files=done['files'], msg='%s is complete; its parts were extracted into %s' % (done['dest'], where))


def transfer(client, target, request, resume):
    """Download into the partial file (resuming one this request left) and move it to its place.

    Returns (final path, download info, seconds, warnings)."""
    warnings = []
    if resume:
        if target.claim_partial():
            warnings.append('deleted %s, the partial file of another export' % target.partial)
    else:
        target.discard_partial()
    started = time.time()
    try:
        info = client.call(request.op, body=request.body, dest=target.partial, resume=resume, **request.path_values)
    except Vb365Error as exc:
        kept = os.path.getsize(target.partial) if os.path.exists(target.partial) else 0
        if not (resume and kept):
            target.discard_partial()
        else:
            exc.msg += ' (the %d bytes received are kept in %s: run the task again to resume%s)' % (
                kept, target.partial, ' once there is room' if 'no space' in exc.msg else '')
            exc.args = (exc.msg,)
        raise
    elapsed = max(time.time() - started, 1e-6)
    kind = file_kind(target.partial)
    final = target.final_path(info['filename'], kind)
    target.finish(final)
    if kind == 'zip' and not final.lower().endswith('.zip'):
        warnings.append('the server sent a ZIP; it is at %s' % final)
    return final, info, elapsed, warnings


def run(mod):
    params = mod.params
    refuse_for_operator(mod.sign_in.method, 'mailbox_export')
    limit = check_input(params)
    target = Destination(params['dest'])
    target.check_writable()
    session = require_working_session(mod.client, params['session_id'])
    request, scope = plan(mod.client, params, session['id'], limit)
    described, origin = describe_request(mod.client.base_url, params, session, request)
    target.bind(request_key(described))
    mod.result.update(scope=scope, dest=target.dest)
    done = None if params['force'] else target.complete()
    if done:
        unchanged(mod, target, done, origin)
        return
    mod.result['changed'] = True
    request.describe = 'export %s to %s' % (scope['kind'], target.dest)
    done = mod.write(request, send=lambda: transfer(mod.client, target, request, params['resume']))
    if done is PLANNED:
        mod.result['msg'] = 'would export the %s to %s' % (scope['kind'], target.dest)
        return
    final, info, elapsed, warnings = done
    for warning in warnings:
        mod.module.warn(warning)
    manifest = {'key': target.key, 'request': described, 'session': origin, 'scope': scope, 'dest': final,
                'size': info['size'], 'sha256': info['sha256'], 'files': [],
                'finished': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}
    # The manifest is written as soon as the file is complete: an extraction that fails is redone from it.
    target.write_manifest(manifest)
    mod.result.update(dest=final, manifest=target.index, size=info['size'], sha256=info['sha256'], files=[],
                      elapsed=round(elapsed, 3), throughput_mib_s=round(info['fetched'] / MIB / elapsed, 1),
                      resumed=info['resumed'], fetched=info['fetched'])
    files = zip_parts(final, extract_dir(final) if params['extract'] else None)
    if files:
        manifest['files'] = files
        target.write_manifest(manifest)
        mod.result['files'] = files


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
            ledger_path=dict(type='path', default='~/.ansible/vb365_restore/sessions.json',
                             fallback=(env_fallback, ['VB365_SESSION_LEDGER'])),
        ),
    )
    mod.run(run)


if __name__ == '__main__':
    main()
