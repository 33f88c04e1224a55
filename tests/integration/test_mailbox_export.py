"""mailbox_export through ansible-playbook: files on disk compared byte for byte with what the simulator served."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile

import pytest

from harness import options, session_play
from vb365sim import exports

BOB = 'bob@contoso.onmicrosoft.com'
ALICE = 'alice@contoso.onmicrosoft.com'
MIB = 1024 * 1024


def play(*exports_args, session=None, **args):
    """A play that opens a session (``session``: its options; no ledger unless given), runs one export task per
    dict of ``exports_args`` (named Export, Export 2, ...) or one with ``args``, and stops the session."""
    tasks = []
    for index, task_args in enumerate(exports_args or (args,)):
        tasks.append('        - name: Export%s\n          vb365.restore.mailbox_export:\n'
                     '            session_id: "{{ rs.session.id }}"\n%s'
                     % (' %d' % (index + 1) if index else '', options(task_args, 12)))
    return session_play(''.join(tasks), dict({'organization': 'contoso.onmicrosoft.com'},
                                             **(session if session is not None else {'ledger_path': ''})), check_mode=False)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(MIB), b''):
            digest.update(block)
    return digest.hexdigest()


def served(sim_api, index=-1):
    """The simulator's record of an export it served (with the SHA-256 of its whole content)."""
    return sim_api.get('exports')[index]


def assert_is_the_served_file(result, record):
    assert result['sha256'] == sha256(result['dest']) == record['sha256']
    assert result['size'] == os.path.getsize(result['dest']) == record['size']
    assert record['complete'] is True


def no_partial_files(directory):
    return [n for n in os.listdir(str(directory)) if '.part' in n or n.startswith('.vb365-manifest')] == []


@pytest.mark.every_model
def test_a_mailbox_export_is_the_served_bytes(runner, sim_api, tmp_path):
    dest = tmp_path / 'bob.pst'
    result = runner.run(play(mailbox=BOB, dest=str(dest))).result('Export')
    record = served(sim_api)
    content = exports.Content(record['scope'], record['size'], 'pst')
    assert dest.read_bytes() == b''.join(content.iter())
    assert_is_the_served_file(result, record)
    assert result['changed'] is True and result['scope']['kind'] == 'mailbox' and result['files'] == []
    assert result['elapsed'] > 0 and result['throughput_mib_s'] > 0 and result['resumed'] == 0
    assert no_partial_files(tmp_path) and os.path.exists(str(dest) + '.vb365.json')


@pytest.mark.every_model
def test_each_scope_and_the_server_file_name(runner, sim_api, tmp_path):
    items = [i['id'] for i in sim_api.get('backup/%s' % BOB) if i['folder'] == 'Inbox'][:2]
    cases = [({}, 'contoso.pst', 'organization:contoso.onmicrosoft.com:pit='),
             ({'content_keyword': 'falcon'}, 'contoso.pst', 'organization:contoso.onmicrosoft.com:keyword=falcon:'),
             ({'mailbox': 'Alice Smith', 'folder': 'Inbox/Invoices'}, 'Invoices.pst', 'folder:'),
             ({'mailbox': 'Alice Smith', 'folder': 'Inbox', 'content_keyword': 'invoice'}, 'Inbox.pst', 'folder:'),
             ({'mailbox': ALICE, 'query': 'subject:invoice'}, 'items.pst', 'items:'),
             ({'mailbox': BOB, 'items': items}, 'items.pst', 'items:'),
             ({'mailbox': BOB, 'items': items[:1]}, None, 'item:')]
    tasks = []
    for index, (args, _name, _scope) in enumerate(cases):
        (tmp_path / str(index)).mkdir()
        tasks.append(dict(args, dest=str(tmp_path / str(index))))
    run = runner.run(play(*tasks))
    records = sim_api.get('exports')
    assert len(records) == len(cases)
    for index, (args, name, scope) in enumerate(cases):
        result = run.result('Export' + (' %d' % (index + 1) if index else ''))
        assert os.path.dirname(result['dest']) == str(tmp_path / str(index))
        assert os.path.basename(result['dest']) == (name or os.path.basename(records[index]['filename'])), args
        assert records[index]['scope'].startswith(scope), (args, records[index]['scope'])
        assert_is_the_served_file(result, records[index])
        assert no_partial_files(tmp_path / str(index))
    assert run.result('Export 6')['scope']['item_count'] == 2


@pytest.mark.every_model
def test_msg_files_of_one_item_and_of_several(runner, sim_api, tmp_path):
    one, several = tmp_path / 'item.msg', tmp_path / 'reports.zip'
    run = runner.run(play({'mailbox': BOB, 'query': 'subject:"quarterly report 16"', 'format': 'msg', 'dest': str(one)},
                          {'mailbox': BOB, 'query': 'subject:"quarterly report 1"', 'format': 'msg',
                           'dest': str(several), 'extract': True}))
    first, second = run.result('Export'), run.result('Export 2')
    assert one.read_bytes()[:8] == b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' and first['scope']['item_count'] == 1
    assert sim_api.api_requests('POST', '/save')[0]['body'] is None
    saved = sim_api.api_requests('POST', '/items/Save')[0]['body']
    assert len(saved['items']) == second['scope']['item_count'] > 1
    records = sim_api.get('exports')
    assert_is_the_served_file(first, records[0])
    assert_is_the_served_file(second, records[1])
    with zipfile.ZipFile(str(several)) as archive:
        assert [i.filename for i in archive.infolist()] == [f['name'] for f in second['files']]
    for part in second['files']:
        assert part['path'] == str(tmp_path / 'reports' / part['name']) and sha256(part['path']) == part['sha256']


def test_a_zip_of_parts_split_at_the_limit(runner, sim_api, tmp_path):
    sim_api.config(pst_limit_scale=1024)  # 1 GB splits at 1 MiB in the simulator
    dest = tmp_path / 'bob.zip'
    result = runner.run(play(mailbox=BOB, dest=str(dest), pst_size_limit='1GB', extract=True)).result('Export')
    body = sim_api.api_requests('POST', '/exportToPst')[0]['body']
    assert body == {'enablePstSizeLimit': True, 'pstSizeLimitBytes': 1073741824}
    record = served(sim_api)
    assert_is_the_served_file(result, record)
    parts = result['files']
    assert len(parts) > 2 and [p['name'] for p in parts] == record['members'] == ['bob_%d.pst' % (i + 1)
                                                                                  for i in range(len(parts))]
    assert all(p['size'] == MIB for p in parts[:-1]) and 0 < parts[-1]['size'] <= MIB
    content = exports.Content(record['scope'], record['content_size'], 'pst')
    whole = b''.join(content.iter())
    joined = b''
    for part in parts:
        assert sha256(part['path']) == part['sha256'] and os.path.dirname(part['path']) == str(tmp_path / 'bob')
        with open(part['path'], 'rb') as handle:
            joined += handle.read()
    assert joined == whole  # the parts are the PST cut at the limit
    manifest = json.loads((tmp_path / 'bob.zip.vb365.json').read_text())
    assert manifest['files'] == parts and manifest['request']['body'] == body


@pytest.mark.every_model
def test_a_cut_at_40_percent_resumes_with_range_and_fetches_no_byte_twice_beyond_one_buffer(runner, sim_api, tmp_path):
    size = 32 * MIB
    sim_api.config(export_size_bytes=size)
    cut = int(size * 0.4)
    sim_api.fault(path='exportToPst$', cut_after_bytes=cut, times=1)
    dest = tmp_path / 'big.pst'
    result = runner.run(play(mailbox=BOB, dest=str(dest))).result('Export')
    assert_is_the_served_file(result, served(sim_api, -1))
    assert result['sha256'] == exports.Content(served(sim_api)['scope'], size, 'pst').sha256()
    first, second = sim_api.api_requests('POST', '/exportToPst')
    assert first['bytes'] == cut and first['range'] is None and second['range'] is not None
    resumed_from = int(second['range'].split('=')[1].rstrip('-'))
    assert 0 <= cut - resumed_from <= MIB and second['bytes'] == size - resumed_from
    assert result['resumed'] == 1 and size <= result['fetched'] <= size + MIB
    assert any('transfer cut at %d of %d bytes' % (resumed_from, size) in w for w in result['warnings'])
    assert no_partial_files(tmp_path)


@pytest.mark.every_model
def test_a_failed_run_keeps_its_partial_file_and_the_next_run_resumes_it(runner, sim_api, tmp_path):
    size = 8 * MIB
    sim_api.config(export_size_bytes=size)
    sim_api.post('faults', {'rules': [{'path': 'exportToPst$', 'cut_after_bytes': 3 * MIB + 5, 'times': 1},
                                      {'path': 'exportToPst$', 'status': 409, 'times': 1,
                                       'body': {'message': 'Another export of this mailbox is running.',
                                                'errorCode': 'OperationConflict'}}]})
    dest = tmp_path / 'bob.pst'
    failed = runner.run(play(mailbox=BOB, dest=str(dest)), expect_rc=2).result('Export')
    kept = os.path.getsize(str(dest) + '.part')
    assert 'Another export of this mailbox is running.' in failed['msg'] and 'run the task again to resume' in failed['msg']
    assert not dest.exists() and 0 < kept <= 3 * MIB + 5
    result = runner.run(play(mailbox=BOB, dest=str(dest))).result('Export')
    assert sim_api.api_requests('POST', '/exportToPst')[-1]['range'] == 'bytes=%d-' % kept
    assert_is_the_served_file(result, served(sim_api))
    assert result['fetched'] == size - kept and result['resumed'] == 1 and no_partial_files(tmp_path)


def test_a_rerun_changes_nothing_unless_forced(runner, sim_api, tmp_path):
    dest = tmp_path / 'bob.pst'
    runner.run(play(mailbox=BOB, dest=str(dest)))
    before = os.stat(str(dest))
    again = runner.run(play(mailbox=BOB, dest=str(dest))).result('Export')
    assert again['changed'] is False and 'complete already' in again['msg'] and again['fetched'] == 0
    assert len(sim_api.get('exports')) == 1 and os.stat(str(dest)).st_mtime_ns == before.st_mtime_ns
    forced = runner.run(play(mailbox=BOB, dest=str(dest), force=True)).result('Export')
    assert forced['changed'] is True and len(sim_api.get('exports')) == 2


def test_the_session_ledger_tells_points_in_time_apart(runner, sim_api, tmp_path):
    dest = tmp_path / 'bob.pst'
    november = {'point_in_time': '2026-11-17'}
    runner.run(play(mailbox=BOB, dest=str(dest), session=november))
    same = runner.run(play(mailbox=BOB, dest=str(dest), session=november)).result('Export')
    assert same['changed'] is False and not same.get('warnings')
    october = runner.run(play(mailbox=BOB, dest=str(dest), session={'point_in_time': '2026-10-01'})).result('Export')
    assert october['changed'] is True and len(sim_api.get('exports')) == 2
    assert served(sim_api)['scope'].endswith(':pit=2026-10-01T23:59:59Z')
    assert_is_the_served_file(october, served(sim_api))
    manifest = json.loads((tmp_path / 'bob.pst.vb365.json').read_text())
    assert manifest['session']['point_in_time'] == '2026-10-01T23:59:59Z'


def test_server_errors_are_passed_on_and_leave_no_file(runner, sim_api, tmp_path):
    sim_api.config(outlook_installed=False)
    dest = tmp_path / 'bob.pst'
    run = runner.run(play(mailbox=BOB, dest=str(dest)), expect_rc=2)
    assert 'a 64-bit version of Microsoft Outlook' in run.result('Export')['msg']
    assert not any(n.startswith('bob') for n in os.listdir(str(tmp_path)))


def test_an_error_body_instead_of_the_file_is_reported_and_leaves_no_file(runner, sim_api, tmp_path):
    sim_api.fault(path='exportToPst$', status=200, times=1,
                  body={'message': 'The export was cancelled: the backup proxy went offline.', 'errorCode': 'ProxyOffline'})
    dest = tmp_path / 'bob.pst'
    failed = runner.run(play(mailbox=BOB, dest=str(dest)), expect_rc=2).result('Export')
    assert 'The export was cancelled: the backup proxy went offline.' in failed['msg']
    assert failed['error_code'] == 'ProxyOffline' and not any(n.startswith('bob') for n in os.listdir(str(tmp_path)))


def test_no_room_for_the_export_fails_before_a_byte_is_written(runner, sim_api, tmp_path):
    sim_api.config(export_size_bytes=1 << 50)  # 1 PiB
    dest = tmp_path / 'bob.pst'
    failed = runner.run(play(mailbox=BOB, dest=str(dest)), expect_rc=2).result('Export')
    assert failed['msg'].startswith('no space left for %s.part: %d more bytes are needed' % (dest, 1 << 50))
    assert not any(n.startswith('bob') for n in os.listdir(str(tmp_path)))
    assert sim_api.api_requests('POST', '/exportToPst')[0]['bytes'] < 1 << 50


BARE = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Export
      vb365.restore.mailbox_export:
        session_id: 0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10
%s
"""


def test_bad_sizes_and_paths_fail_before_any_request(runner, sim_api, tmp_path):
    def refused(**args):
        return runner.run(BARE % options(args, 8).rstrip('\n'), expect_rc=2).result('Export')['msg']

    for value in ('500MB', '0.5GB', '50GB', 'lots', '-1GB'):
        assert refused(mailbox=BOB, dest=str(tmp_path / 'x.pst'), pst_size_limit=value).startswith('pst_size_limit: ')
    assert refused(mailbox=BOB, dest=str(tmp_path / 'x.pst'), pst_size_limit='500MB') == (
        'pst_size_limit: 500MB is 524288000 bytes; the PST size limit must be from 1 GB (1073741824 bytes) to '
        '49 GB (52613349376 bytes)')
    assert refused(mailbox=BOB, dest=str(tmp_path / 'missing' / 'x.pst')) == (
        'dest: the directory %s does not exist' % (tmp_path / 'missing'))
    # /sys refuses new files, even to root (whom permissions do not stop).
    assert refused(mailbox=BOB, dest='/sys/x.pst').startswith(('dest: the directory /sys is not writable',
                                                              'dest: cannot write in the directory /sys:'))
    assert refused(dest=str(tmp_path / 'x.msg'), format='msg').startswith('format: msg is for items')
    assert refused(mailbox=BOB, items=['a'], content_keyword='x', dest=str(tmp_path)).startswith('content_keyword: ')
    assert sim_api.get('requests') == [] and sim_api.get('tokens')['logins'] == 0
    assert not any(n.startswith('x.') for n in os.listdir(str(tmp_path)))


def test_check_mode_writes_nothing(runner, sim_api, tmp_path):
    dest = tmp_path / 'bob.pst'
    result = runner.run(play(mailbox=BOB, dest=str(dest)), check=True).result('Export')
    assert result['changed'] is True and result['planned_requests'][0]['path'].endswith('/exportToPst')
    assert result['dest'] == str(dest) and result['msg'] == 'would export the mailbox to %s' % dest
    assert not any(n.startswith('bob') for n in os.listdir(str(tmp_path))) and sim_api.get('exports') == []


@pytest.mark.every_model
def test_a_cut_folder_export_resumes_or_starts_over_as_the_server_answers_the_range(runner, sim_api, tmp_path):
    """Some servers honour Range on the mailbox export only: a folder export then comes again whole (200)."""
    size = 8 * MIB
    sim_api.config(export_size_bytes=size)
    sim_api.fault(path='/folders/.*/exportToPst$', cut_after_bytes=3 * MIB, times=1)
    dest = tmp_path / 'invoices.pst'
    result = runner.run(play(mailbox=ALICE, folder='Inbox/Invoices', dest=str(dest))).result('Export')
    assert_is_the_served_file(result, served(sim_api, -1))
    first, second = sim_api.api_requests('POST', '/exportToPst')
    assert first['bytes'] == 3 * MIB and second['range'] is not None
    if sim_api.choice('download_range') == 'every':
        assert second['status'] == 206 and result['resumed'] == 1 and result['fetched'] < size + MIB
    else:
        assert second['status'] == 200 and second['bytes'] == size and result['resumed'] == 0
    assert no_partial_files(tmp_path)
