# -*- coding: utf-8 -*-
"""Unit tests of mailbox_export: the request of each scope, files on disk, re-runs, resume, refusals, failures."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile

import pytest
import responses

from ansible_collections.vb365.restore.plugins.module_utils import client as client_mod
from ansible_collections.vb365.restore.plugins.module_utils.session_ledger import SessionLedger
from ansible_collections.vb365.restore.plugins.modules import mailbox_export

from unit_helpers import BASE, CONNECTION, json_of, run_module, token_body

SID = '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10'
SID2 = '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e11'
ORG = 'contoso.onmicrosoft.com'
BOB = {'id': '00000000-0000-0000-0000-000000000005', 'email': 'bob@contoso.onmicrosoft.com', 'name': 'Bob Jones',
       'isArchive': False, 'isPublic': False}
BOB_ARCHIVE = dict(BOB, id='00000000-0000-0000-0000-000000000006', isArchive=True)
INBOX = {'id': 'f-inbox', 'name': 'Inbox'}
INVOICES = {'id': 'f-invoices', 'name': 'Invoices'}
# Exchange item ids are base64 with '/', '+' and '=': they must travel URL-encoded in a path.
ID1, ID2 = 'AAMkAGI2/TG93+AAA=', 'AAMkAGI2/TG93+AAB='
CONTENT = b'!BDN' + bytes(range(256)) * 4000
MSG = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + b'm' * 5000


def root(sid=SID):
    return BASE + '/v8/RestoreSessions/%s/organization' % sid


def mailbox_url(sid=SID, mailbox=None):
    return root(sid) + '/mailboxes/' + (mailbox or BOB)['id']


def page(results):
    return {'offset': 0, 'limit': 10000, 'results': results}


def item(item_id):
    return {'id': item_id, 'subject': 'Contract %s' % item_id[-4:], 'itemClass': 'IPM.Note', 'mailboxId': BOB['id']}


def opening(api, sid=SID, mailboxes=True):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, BASE + '/v8/RestoreSessions/%s' % sid, json={
        'id': sid, 'type': 'Vex', 'state': 'Working', 'result': 'Success', 'organization': ORG,
        'creationTime': '2026-11-23T01:00:00Z'})
    if mailboxes:
        api.add(responses.GET, root(sid) + '/mailboxes', json=page([BOB, BOB_ARCHIVE]))


def closing(api):
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)


def serve(api, url, body=CONTENT, name='bob.pst', status=200, headers=None):
    extra = {'Content-Disposition': 'attachment; filename="%s"' % name} if name else {}
    extra.update(headers or {})
    api.add(responses.POST, url, body=body, status=status, content_type='application/octet-stream', headers=extra,
            auto_calculate_content_length=True)


def export(args, capsys, check_mode=False, **more):
    full = {'session_id': SID, 'ledger_path': ''}
    full.update(args, **more)
    return run_module(mailbox_export, full, capsys, check_mode=check_mode)


def exported(api, capsys, args, sid=SID, url=None, **served):
    """One run that exports a mailbox (``url``: the export request expected) and its result."""
    opening(api, sid)
    serve(api, url or mailbox_url(sid) + '/exportToPst', **served)
    closing(api)
    return export(dict(args, session_id=sid), capsys)


def rerun(api, capsys, args, sid=SID, check_mode=False):
    """One run that must find its export done: no export request is registered."""
    opening(api, sid)
    closing(api)
    return export(dict(args, session_id=sid), capsys, check_mode=check_mode)


def leftovers(directory):
    """Files other than the export and its manifest: partial files and temporary files."""
    return sorted(n for n in os.listdir(str(directory)) if n.endswith(('.part', '.part.json')) or n.startswith('.vb365-'))


def sha(data):
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ one request per scope, as the spec says
def browse_folder(api):
    api.add(responses.GET, mailbox_url() + '/folders', json=page([INBOX, {'id': 'f-sent', 'name': 'Sent Items'}]))
    api.add(responses.GET, mailbox_url() + '/folders', json=page([INVOICES]))


def get_items(api, *ids):
    for item_id in ids:
        api.add(responses.GET, mailbox_url() + '/items/' + item_id.replace('/', '%2F').replace('+', '%2B')
                .replace('=', '%3D'), json=item(item_id))


def search(api, *ids, url=None):
    api.add(responses.POST, url or mailbox_url() + '/search', json=dict(page([item(i) for i in ids]), setId='set-1'))


SCOPES = {
    'organization': ({}, None, root() + '/exportToPst', {}, {'kind': 'organization'}),
    'organization with a keyword and a limit': (
        {'content_keyword': 'Falcon', 'pst_size_limit': '10GB'}, None, root() + '/exportToPst',
        {'contentKeyword': 'Falcon', 'enablePstSizeLimit': True, 'pstSizeLimitBytes': 10 * 1073741824},
        {'kind': 'organization'}),
    'mailbox': ({'mailbox': 'Bob Jones'}, None, mailbox_url() + '/exportToPst', {},
                {'kind': 'mailbox', 'mailbox': BOB['email'], 'mailbox_id': BOB['id'], 'is_archive': False}),
    'archive mailbox with a limit in bytes': (
        {'mailbox': BOB['email'], 'archive': True, 'pst_size_limit': '1073741824'}, None,
        mailbox_url(mailbox=BOB_ARCHIVE) + '/exportToPst', {'enablePstSizeLimit': True, 'pstSizeLimitBytes': 1073741824},
        {'kind': 'mailbox', 'mailbox': BOB['email'], 'mailbox_id': BOB_ARCHIVE['id'], 'is_archive': True}),
    'folder with a keyword': (
        {'mailbox': BOB['email'], 'folder': 'inbox/invoices', 'content_keyword': 'northwind'}, browse_folder,
        mailbox_url() + '/folders/f-invoices/exportToPst', {'contentKeyword': 'northwind'},
        {'kind': 'folder', 'mailbox': BOB['email'], 'mailbox_id': BOB['id'], 'is_archive': False,
         'folder': 'Inbox/Invoices', 'folder_id': 'f-invoices'}),
    'one item': (
        {'mailbox': BOB['email'], 'items': [ID1]}, lambda api: get_items(api, ID1),
        mailbox_url() + '/items/AAMkAGI2%2FTG93%2BAAA%3D/exportToPst', {},
        {'kind': 'items', 'mailbox': BOB['email'], 'mailbox_id': BOB['id'], 'is_archive': False, 'item_count': 1}),
    'items with a limit': (
        {'mailbox': BOB['email'], 'items': [ID1, ID2], 'pst_size_limit': '2 GiB'}, lambda api: get_items(api, ID1, ID2),
        mailbox_url() + '/items/exportToPst',
        {'items': [{'id': ID1}, {'id': ID2}], 'enablePstSizeLimit': True, 'pstSizeLimitBytes': 2 * 1073741824},
        {'kind': 'items', 'mailbox': BOB['email'], 'mailbox_id': BOB['id'], 'is_archive': False, 'item_count': 2}),
    'items found by a query in a folder': (
        {'mailbox': BOB['email'], 'folder': 'Inbox/Invoices', 'query': 'from:billing'},
        lambda api: (browse_folder(api), search(api, ID1, ID2, url=mailbox_url() + '/folders/f-invoices/search')),
        mailbox_url() + '/items/exportToPst', {'items': [{'id': ID1}, {'id': ID2}]},
        {'kind': 'items', 'mailbox': BOB['email'], 'mailbox_id': BOB['id'], 'is_archive': False, 'item_count': 2,
         'folder': 'Inbox/Invoices', 'folder_id': 'f-invoices'}),
}


@pytest.mark.parametrize('case', sorted(SCOPES))
def test_each_scope_sends_its_export_request_and_writes_the_served_bytes(api, capsys, tmp_path, case):
    args, browse, url, body, scope = SCOPES[case]
    opening(api, mailboxes='mailbox' in args)
    if browse:
        browse(api)
    serve(api, url)
    closing(api)
    dest = tmp_path / 'out.pst'
    result = export(dict(args, dest=str(dest)), capsys)
    assert not result.failed, result['msg']
    export_call = api.calls[-2]
    assert export_call.request.url == url and json_of(export_call) == body
    assert export_call.request.headers['Accept'] == 'application/octet-stream, application/json'
    assert dest.read_bytes() == CONTENT and leftovers(tmp_path) == []
    assert result['changed'] is True and result['scope'] == scope and result['files'] == []
    assert (result['dest'], result['size'], result['sha256']) == (str(dest), len(CONTENT), sha(CONTENT))
    assert (result['fetched'], result['resumed']) == (len(CONTENT), 0)
    assert result['elapsed'] > 0 and result['throughput_mib_s'] >= 0
    manifest = json.loads((tmp_path / 'out.pst.vb365.json').read_text())
    assert result['manifest'] == str(tmp_path / 'out.pst.vb365.json')
    assert (manifest['size'], manifest['sha256'], manifest['dest'], manifest['scope']) == (
        len(CONTENT), sha(CONTENT), str(dest), scope)
    assert manifest['request']['body'] == body and manifest['request']['server'] == BASE
    assert manifest['request']['organization'] == ORG and SID not in json.dumps(manifest['request'])
    assert manifest['session']['id'] == SID and manifest['session']['point_in_time_known'] is False


def test_msg_of_one_item_has_no_body_and_of_several_is_a_zip_of_msg_files(api, capsys, tmp_path):
    opening(api)
    get_items(api, ID1)
    serve(api, mailbox_url() + '/items/AAMkAGI2%2FTG93%2BAAA%3D/save', body=MSG, name='Contract AAA=.msg')
    closing(api)
    one = export({'mailbox': BOB['email'], 'items': [ID1], 'format': 'msg', 'dest': str(tmp_path)}, capsys)
    assert api.calls[-2].request.body is None
    assert one['dest'] == str(tmp_path / 'Contract AAA=.msg') and (tmp_path / 'Contract AAA=.msg').read_bytes() == MSG

    several = io.BytesIO()
    with zipfile.ZipFile(several, 'w') as archive:
        archive.writestr('Contract AAA=.msg', MSG)
        archive.writestr('Contract AAB=.msg', MSG[::-1])
    opening(api)
    search(api, ID1, ID2)
    serve(api, mailbox_url() + '/items/Save', body=several.getvalue(), name='items.zip')
    closing(api)
    result = export({'mailbox': BOB['email'], 'query': 'subject:contract', 'format': 'msg',
                     'dest': str(tmp_path / 'contracts.zip'), 'extract': True}, capsys)
    assert json_of(api.calls[-2]) == {'items': [{'id': ID1}, {'id': ID2}]}
    assert [(f['name'], f['size'], f['sha256']) for f in result['files']] == [
        ('Contract AAA=.msg', len(MSG), sha(MSG)), ('Contract AAB=.msg', len(MSG), sha(MSG[::-1]))]
    assert (tmp_path / 'contracts' / 'Contract AAB=.msg').read_bytes() == MSG[::-1]


def zip_of_parts(*parts):
    data = io.BytesIO()
    with zipfile.ZipFile(data, 'w', zipfile.ZIP_STORED) as archive:
        for name, content in parts:
            archive.writestr(name, content)
    return data.getvalue()


PARTS = [('bob_1.pst', b'!BDN' + b'1' * 70000), ('bob_2.pst', b'!BDN' + b'2' * 30000)]


def test_a_zip_of_parts_is_listed_extracted_and_put_back_by_a_rerun_without_a_request(api, capsys, tmp_path):
    served = zip_of_parts(*PARTS)
    args = {'mailbox': BOB['email'], 'dest': str(tmp_path / 'bob.zip'), 'pst_size_limit': '1GB', 'extract': True}
    result = exported(api, capsys, args, body=served, name='bob.zip')
    assert result['files'] == [
        {'name': name, 'size': len(data), 'sha256': sha(data), 'path': str(tmp_path / 'bob' / name)}
        for name, data in PARTS]
    assert (tmp_path / 'bob.zip').read_bytes() == served and (tmp_path / 'bob' / 'bob_2.pst').read_bytes() == PARTS[1][1]
    assert sorted(os.listdir(str(tmp_path / 'bob'))) == ['bob_1.pst', 'bob_2.pst']

    os.remove(str(tmp_path / 'bob' / 'bob_1.pst'))
    again = rerun(api, capsys, args)
    assert again['changed'] is True and 'parts were extracted into %s' % (tmp_path / 'bob') in again['msg']
    assert (tmp_path / 'bob' / 'bob_1.pst').read_bytes() == PARTS[0][1] and again['fetched'] == 0

    third = rerun(api, capsys, args)
    assert third['changed'] is False and third['files'] == result['files']


def test_a_zip_where_a_pst_was_named_is_kept_with_a_warning(api, capsys, tmp_path):
    result = exported(api, capsys, {'mailbox': BOB['email'], 'dest': str(tmp_path / 'bob.pst'), 'pst_size_limit': '1GB'},
                      body=zip_of_parts(*PARTS), name='bob.zip')
    assert [f['name'] for f in result['files']] == ['bob_1.pst', 'bob_2.pst'] and 'path' not in result['files'][0]
    assert 'the server sent a ZIP; it is at %s' % (tmp_path / 'bob.pst') in result.warning_messages
    assert not (tmp_path / 'bob').exists()


def test_a_directory_gets_the_servers_file_name_never_outside_it(api, capsys, tmp_path):
    result = exported(api, capsys, {'mailbox': BOB['email'], 'dest': str(tmp_path)}, name='../../etc/bob.pst')
    assert result['dest'] == str(tmp_path / 'bob.pst') and (tmp_path / 'bob.pst').read_bytes() == CONTENT
    assert leftovers(tmp_path) == [n for n in os.listdir(str(tmp_path)) if n.startswith('.vb365-export-')]
    assert [n for n in leftovers(tmp_path) if n.endswith('.part')] == []
    nameless = exported(api, capsys, {'mailbox': BOB['email'], 'dest': str(tmp_path), 'force': True}, name=None)
    assert os.path.basename(nameless['dest']).startswith('export-') and nameless['dest'].endswith('.pst')


# ------------------------------------------------------------------ re-runs
def test_a_rerun_with_an_intact_file_sends_no_export_and_changes_nothing_unless_forced(api, capsys, tmp_path):
    args = {'mailbox': BOB['email'], 'dest': str(tmp_path / 'bob.pst')}
    exported(api, capsys, args)
    again = rerun(api, capsys, args)
    assert again['changed'] is False and again['msg'] == '%s is complete already (same request, same size and sha256)' % (
        tmp_path / 'bob.pst')
    assert (again['size'], again['sha256'], again['fetched'], again['elapsed']) == (len(CONTENT), sha(CONTENT), 0, 0.0)
    assert 'warnings' not in again

    forced = exported(api, capsys, dict(args, force=True))
    assert forced['changed'] is True and forced['fetched'] == len(CONTENT)


def test_an_altered_file_or_another_request_is_exported_again(api, capsys, tmp_path):
    dest = tmp_path / 'bob.pst'
    args = {'mailbox': BOB['email'], 'dest': str(dest)}
    exported(api, capsys, args)
    dest.write_bytes(CONTENT[:-1] + b'!')  # same size, other bytes
    assert exported(api, capsys, args)['changed'] is True and dest.read_bytes() == CONTENT
    other = exported(api, capsys, dict(args, content_keyword='invoice'))
    assert other['changed'] is True and json_of(api.calls[-2]) == {'contentKeyword': 'invoice'}


def write_ledger(path, sessions):
    """A session ledger as restore_session leaves it: {session id: (point in time, show_deleted)}."""
    if path.exists():
        path.unlink()
    for sid, (point_in_time, show_deleted) in sessions.items():
        ledger = SessionLedger(str(path), run_id='run:nightly-1')
        ledger.put(SessionLedger.key(BASE, CONNECTION['username'], 'org-1', point_in_time, show_deleted, False), sid)


def test_the_point_in_time_from_the_session_ledger_tells_exports_apart(api, capsys, tmp_path):
    ledger = tmp_path / 'ledger.json'
    write_ledger(ledger, {SID: ('2026-11-17T23:59:59Z', False)})
    dest = tmp_path / 'out'
    dest.mkdir()
    args = {'mailbox': BOB['email'], 'dest': str(dest / 'bob.pst'), 'ledger_path': str(ledger)}
    exported(api, capsys, args)
    manifest = json.loads((dest / 'bob.pst.vb365.json').read_text())
    assert manifest['session'] == {'id': SID, 'creation_time': '2026-11-23T01:00:00Z', 'point_in_time_known': True,
                                   'point_in_time': '2026-11-17T23:59:59Z', 'show_deleted': False,
                                   'show_all_versions': False}
    # A later session at the same point in time (the first one was stopped): the same export.
    write_ledger(ledger, {SID2: ('2026-11-17T23:59:59Z', False)})
    same = rerun(api, capsys, args, sid=SID2)
    assert same['changed'] is False and same.warning_messages == []
    # A session at another point in time, or with deleted items shown: exported again.
    write_ledger(ledger, {SID: ('2026-11-17T23:59:59Z', False), SID2: ('2026-10-01T23:59:59Z', False)})
    assert exported(api, capsys, args, sid=SID2)['changed'] is True
    write_ledger(ledger, {SID2: ('2026-10-01T23:59:59Z', True)})
    assert exported(api, capsys, args, sid=SID2)['changed'] is True
    assert json.loads((dest / 'bob.pst.vb365.json').read_text())['session']['show_deleted'] is True


def test_without_the_point_in_time_another_session_is_taken_for_the_same_with_a_warning(api, capsys, tmp_path):
    args = {'mailbox': BOB['email'], 'dest': str(tmp_path / 'bob.pst')}
    exported(api, capsys, args)
    again = rerun(api, capsys, args, sid=SID2)
    assert again['changed'] is False
    assert again.warning_messages == [
        '%s was exported in restore session %s; the point in time of restore session %s is not in the session ledger, '
        'so it may differ: use force=true to export it again' % (tmp_path / 'bob.pst', SID, SID2)]


# ------------------------------------------------------------------ check mode
def test_check_mode_says_what_would_be_written_where_and_sends_no_export(api, capsys, tmp_path):
    opening(api)
    browse_folder(api)
    closing(api)
    dest = tmp_path / 'invoices.pst'
    result = export({'mailbox': BOB['email'], 'folder': 'Inbox/Invoices', 'dest': str(dest),
                     'pst_size_limit': '5GB'}, capsys, check_mode=True)
    assert result['changed'] is True and result['dest'] == str(dest)
    assert result['msg'] == 'would export the folder to %s' % dest
    assert result['planned_requests'] == [{
        'method': 'POST', 'path': '/v8/RestoreSessions/%s/organization/mailboxes/%s/folders/f-invoices/exportToPst'
        % (SID, BOB['id']), 'body': {'enablePstSizeLimit': True, 'pstSizeLimitBytes': 5 * 1073741824},
        'description': 'export folder to %s' % dest}]
    assert os.listdir(str(tmp_path)) == []


def test_check_mode_of_a_complete_export_is_unchanged(api, capsys, tmp_path):
    args = {'mailbox': BOB['email'], 'dest': str(tmp_path / 'bob.pst')}
    exported(api, capsys, args)
    result = rerun(api, capsys, args, check_mode=True)
    assert result['changed'] is False and 'planned_requests' not in result


# ------------------------------------------------------------------ resuming
def test_a_cut_run_refused_on_retry_keeps_its_partial_file_and_the_next_one_asks_for_the_rest(
        api, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr('time.sleep', lambda seconds: None)
    big = CONTENT * 3
    dest = tmp_path / 'bob.pst'
    args = {'mailbox': BOB['email'], 'dest': str(dest)}
    opening(api)
    # The answer stops after 2,600,000 of its bytes; what came in whole reads (of 1 MiB) is kept.
    api.add(responses.POST, mailbox_url() + '/exportToPst', body=big[:2600000], content_type='application/octet-stream',
            headers={'Content-Length': str(len(big))}, auto_calculate_content_length=False)
    # The retry is refused.
    api.add(responses.POST, mailbox_url() + '/exportToPst', status=409,
            json={'message': 'Another export of this mailbox is running.', 'errorCode': 'OperationConflict'})
    closing(api)
    failed = export(args, capsys)
    kept = (tmp_path / 'bob.pst.part').stat().st_size
    assert 2600000 - 1024 * 1024 < kept <= 2600000
    assert failed.failed and 'Another export of this mailbox is running.' in failed['msg']
    assert ('the %d bytes received are kept in %s.part: run the task again to resume' % (kept, dest)) in failed['msg']
    assert not dest.exists() and (tmp_path / 'bob.pst.part').read_bytes() == big[:kept]
    assert api.calls[3].request.headers.get('Range') is None and api.calls[4].request.headers['Range'] == 'bytes=%d-' % kept
    assert any('transfer cut at %d of %d bytes' % (kept, len(big)) in w for w in failed.warning_messages)

    opening(api)
    serve(api, mailbox_url() + '/exportToPst', body=big[kept:], status=206,
          headers={'Content-Range': 'bytes %d-%d/%d' % (kept, len(big) - 1, len(big))})
    closing(api)
    result = export(args, capsys)
    assert api.calls[-2].request.headers['Range'] == 'bytes=%d-' % kept
    assert dest.read_bytes() == big and result['sha256'] == sha(big) and leftovers(tmp_path) == []
    assert (result['resumed'], result['fetched'], result['size']) == (1, len(big) - kept, len(big))


def test_a_partial_file_of_another_export_is_deleted_not_resumed(api, capsys, tmp_path):
    (tmp_path / 'bob.pst.part').write_bytes(b'someone else')
    opening(api)
    serve(api, mailbox_url() + '/exportToPst')
    closing(api)
    result = export({'mailbox': BOB['email'], 'dest': str(tmp_path / 'bob.pst')}, capsys)
    assert 'Range' not in api.calls[-2].request.headers
    assert result.warning_messages == ['deleted %s, the partial file of another export' % (tmp_path / 'bob.pst.part')]
    assert (tmp_path / 'bob.pst').read_bytes() == CONTENT and result['resumed'] == 0


def test_resume_false_starts_over_and_a_failure_leaves_no_partial_file(api, capsys, tmp_path, monkeypatch):
    sleeps = []
    monkeypatch.setattr('time.sleep', sleeps.append)
    args = {'mailbox': BOB['email'], 'dest': str(tmp_path / 'bob.pst'), 'resume': False}
    opening(api)
    api.add(responses.POST, mailbox_url() + '/exportToPst', body=CONTENT[:1000], content_type='application/octet-stream',
            headers={'Content-Length': str(len(CONTENT))}, auto_calculate_content_length=False)
    api.add(responses.POST, mailbox_url() + '/exportToPst', status=400,
            json={'message': 'The restore session was stopped.', 'errorCode': 'OperationConflict'})
    closing(api)
    result = export(args, capsys)
    assert result.failed and 'The restore session was stopped.' in result['msg'] and 'kept' not in result['msg']
    assert os.listdir(str(tmp_path)) == []
    assert len(sleeps) == 1 and 0 < sleeps[0] < 5  # one pause with jitter before the retry, never a real one


# ------------------------------------------------------------------ failures
def test_an_error_body_instead_of_the_file_is_reported_and_leaves_no_file(api, capsys, tmp_path):
    opening(api)
    api.add(responses.POST, mailbox_url() + '/exportToPst', status=200,
            json={'message': 'Export failed: the backup repository is offline.', 'errorCode': 'ProxyOffline'})
    closing(api)
    result = export({'mailbox': BOB['email'], 'dest': str(tmp_path / 'bob.pst')}, capsys)
    assert result.failed and 'Export failed: the backup repository is offline.' in result['msg']
    assert result['error_code'] == 'ProxyOffline' and not (tmp_path / 'bob.pst').exists()
    assert os.listdir(str(tmp_path)) == []


def test_a_server_without_outlook_is_passed_on(api, capsys, tmp_path):
    outlook = ('Cannot export data to a PST file: a 64-bit version of Microsoft Outlook 2016, Microsoft Outlook 2013 '
               'or Microsoft Outlook 2010 must be installed on the computer running restore sessions.')
    opening(api, mailboxes=False)
    api.add(responses.POST, root() + '/exportToPst', status=500, json={'message': outlook, 'errorCode': 'HttpError'})
    closing(api)
    result = export({'dest': str(tmp_path / 'org.pst')}, capsys)
    assert result.failed and outlook in result['msg'] and result['status'] == 500
    assert os.listdir(str(tmp_path)) == []


def test_no_room_for_the_export_fails_before_writing(api, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(client_mod.shutil, 'disk_usage', lambda path: type('Usage', (), {'free': 1000})())
    result = exported(api, capsys, {'mailbox': BOB['email'], 'dest': str(tmp_path / 'bob.pst')})
    assert result.failed and result['msg'] == 'no space left for %s: %d more bytes are needed, 1000 are free' % (
        tmp_path / 'bob.pst.part', len(CONTENT))
    assert os.listdir(str(tmp_path)) == []


def test_unknown_item_ids_are_named(api, capsys, tmp_path):
    opening(api)
    get_items(api, ID1)
    api.add(responses.GET, mailbox_url() + '/items/AAMkAGI2%2FTG93%2BAAB%3D', status=404,
            json={'message': 'Item not found.', 'errorCode': 'ResourceNotFound'})
    closing(api)
    result = export({'mailbox': BOB['email'], 'items': [ID1, ID2], 'dest': str(tmp_path / 'x.pst')}, capsys)
    assert result.failed and result['msg'].startswith('items: 1 of the 2 ids are not items of %s' % BOB['email'])
    assert ID2 in result['msg']


def test_a_query_that_finds_nothing_exports_nothing(api, capsys, tmp_path):
    opening(api)
    search(api)
    closing(api)
    result = export({'mailbox': BOB['email'], 'query': 'subject:nothing', 'dest': str(tmp_path / 'x.pst')}, capsys)
    assert result.failed and result['msg'] == "query: 'subject:nothing' matches no item of %s; nothing to export" % (
        BOB['email'])


# ------------------------------------------------------------------ refused before any request
GIB = 1073741824


@pytest.mark.parametrize('value, size', [
    ('1GB', GIB), ('49GB', 49 * GIB), ('10 gb', 10 * GIB), ('1.5GiB', int(1.5 * GIB)), ('1536MB', int(1.5 * GIB)),
    ('2g', 2 * GIB), (str(GIB), GIB),
])
def test_sizes_in_veeams_gigabytes(api, capsys, tmp_path, value, size):
    opening(api)
    closing(api)
    result = export({'mailbox': BOB['email'], 'dest': str(tmp_path / 'x.pst'), 'pst_size_limit': value}, capsys,
                    check_mode=True)
    assert result['planned_requests'][0]['body'] == {'enablePstSizeLimit': True, 'pstSizeLimitBytes': size}


@pytest.mark.parametrize('value, problem', [
    ('500MB', '500MB is 524288000 bytes; the PST size limit must be from 1 GB (1073741824 bytes) to 49 GB'),
    ('0.5GB', 'must be from 1 GB'), ('50GB', '50GB is 53687091200 bytes'), ('1073741823', 'must be from 1 GB'),
    ('1TB', '1TB is 1099511627776 bytes'), ('lots', "'lots' is not a size"), ('-1GB', 'is not a size'),
    ('10 GBs', 'is not a size'),
])
def test_sizes_outside_1_to_49_gb_are_refused_before_any_request(api, capsys, tmp_path, value, problem):
    result = export({'mailbox': BOB['email'], 'dest': str(tmp_path / 'x.pst'), 'pst_size_limit': value}, capsys)
    assert result.failed and result['msg'].startswith('pst_size_limit: ') and problem in result['msg']
    assert len(api.calls) == 0


@pytest.mark.parametrize('args, msg', [
    ({'folder': 'Inbox'}, 'folder: needs mailbox'),
    ({'items': [ID1]}, 'items: needs mailbox'),
    ({'query': 'x'}, 'query: needs mailbox'),
    ({'archive': True}, 'archive: needs mailbox'),
    ({'mailbox': 'bob', 'items': []}, 'items: is empty; nothing to export'),
    ({'mailbox': 'bob', 'query': '  '}, 'query: is empty'),
    ({'mailbox': 'bob', 'items': [ID1], 'query': 'x'}, 'items: give either items or query'),
    ({'mailbox': 'bob', 'folder': 'Inbox', 'items': [ID1]}, 'folder: only with query; items are given by id'),
    ({'mailbox': 'bob', 'format': 'msg'}, 'format: msg is for items'),
    ({'format': 'msg'}, 'format: msg is for items'),
    ({'mailbox': 'bob', 'items': [ID1], 'content_keyword': 'x'}, 'content_keyword: only for the organization'),
    ({'content_keyword': ''}, 'content_keyword: is empty'),
    ({'mailbox': 'bob', 'items': [ID1], 'format': 'msg', 'pst_size_limit': '2GB'}, 'pst_size_limit: only for pst'),
    ({'mailbox': 'bob', 'query': 'x', 'max_items': 0}, 'max_items: must be at least 1'),
])
def test_what_cannot_be_exported_is_refused_before_any_request(api, capsys, tmp_path, args, msg):
    result = export(dict(args, dest=str(tmp_path / 'x.pst')), capsys)
    assert result.failed and result['msg'].startswith(msg)
    assert len(api.calls) == 0


def test_destinations_that_cannot_be_written_are_refused_before_any_request(api, capsys, tmp_path):
    missing = export({'dest': str(tmp_path / 'missing' / 'x.pst')}, capsys)
    assert missing['msg'] == 'dest: the directory %s does not exist' % (tmp_path / 'missing')
    os.mkfifo(str(tmp_path / 'fifo'))
    fifo = export({'dest': str(tmp_path / 'fifo')}, capsys)
    assert fifo['msg'] == 'dest: %s exists and is not a regular file' % (tmp_path / 'fifo')
    # /sys refuses new files, even to root (whom permissions do not stop).
    unwritable = export({'dest': '/sys/x.pst'}, capsys)
    assert unwritable['msg'] in ('dest: the directory /sys is not writable',
                                 'dest: cannot write in the directory /sys: Permission denied')
    assert len(api.calls) == 0


def test_the_password_is_never_in_the_result(api, capsys, tmp_path):
    opening(api)
    api.add(responses.POST, mailbox_url() + '/exportToPst', status=500,
            json={'message': 'Login as restore-admin with %s failed' % CONNECTION['password']})
    closing(api)
    result = export({'mailbox': BOB['email'], 'dest': str(tmp_path / 'x.pst')}, capsys)
    assert result.failed and CONNECTION['password'] not in json.dumps(result) and '********' in result['msg']
