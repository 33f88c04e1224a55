"""mailbox_export through ansible-playbook: files on disk compared byte for byte with what the simulator served."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile

from vb365sim import exports

PLAY = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
        ledger_path: ""
      register: rs
      check_mode: false
    - name: Work
      block:
        - name: Export
          vb365.restore.mailbox_export:
            session_id: "{{ rs.session.id }}"
%s
      always:
        - name: Stop
          vb365.restore.restore_session:
            session_id: "{{ rs.session.id }}"
            state: absent
          check_mode: false
'''


def play(**args):
    return PLAY % ''.join('            %s: %s\n' % (k, json.dumps(v)) for k, v in args.items()).rstrip('\n')


def sha256(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def served(sim_api):
    return sim_api.get('exports')[-1]


def expected(sim_api, kind='pst'):
    export = served(sim_api)
    return exports.Content(export['scope'], export['size'], kind) if not export['parts'] else None


def test_mailbox_export_is_the_served_bytes(runner, sim_api, tmp_path):
    dest = tmp_path / 'bob.pst'
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(dest))).result('Export')
    content = expected(sim_api)
    assert dest.read_bytes() == b''.join(content.iter())
    assert result['sha256'] == sha256(dest) == content.sha256() and result['size'] == content.size
    assert result['changed'] is True and result['scope']['kind'] == 'mailbox' and result['files'] == []
    assert not os.path.exists(str(dest) + '.part') and os.path.exists(str(dest) + '.vb365.json')


def test_a_rerun_changes_nothing_unless_forced(runner, sim_api, tmp_path):
    dest = tmp_path / 'bob.pst'
    runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(dest)))
    again = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(dest))).result('Export')
    assert again['changed'] is False and 'complete already' in again['msg']
    assert len(sim_api.get('exports')) == 1
    forced = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(dest), force=True)).result('Export')
    assert forced['changed'] is True and len(sim_api.get('exports')) == 2


def test_each_scope_and_the_server_file_name(runner, sim_api, tmp_path):
    cases = [({}, 'contoso.pst'), ({'mailbox': 'Alice Smith', 'folder': 'Inbox/Invoices'}, 'Invoices.pst'),
             ({'mailbox': 'alice@contoso.onmicrosoft.com', 'query': 'subject:invoice'}, 'items.pst'),
             ({'content_keyword': 'falcon'}, 'contoso.pst')]
    for index, (args, name) in enumerate(cases):
        out = tmp_path / str(index)
        out.mkdir()
        result = runner.run(play(dest=str(out), **args)).result('Export')
        assert os.path.basename(result['dest']) == name
        content = expected(sim_api)
        assert result['sha256'] == content.sha256() and os.path.getsize(result['dest']) == content.size
    kinds = [e['scope'].split(':')[0] for e in sim_api.get('exports')]
    assert kinds == ['organization', 'folder', 'items', 'organization']
    assert 'keyword=falcon' in sim_api.get('exports')[-1]['scope']


def test_one_item_as_msg(runner, sim_api, tmp_path):
    dest = tmp_path / 'item.msg'
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', query='subject:"quarterly report 16"', format='msg',
                             dest=str(dest))).result('Export')
    assert dest.read_bytes()[:8] == b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' and result['scope']['items'] == 1
    assert sim_api.api_requests('POST', '/save')[0]['body'] is None


def test_a_zip_of_parts_split_at_the_limit(runner, sim_api, tmp_path):
    sim_api.config(pst_limit_scale=1024)  # 1 GB splits at 1 MiB in the simulator
    dest = tmp_path / 'bob.zip'
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(dest), pst_size_limit='1GB',
                             extract=True)).result('Export')
    body = sim_api.api_requests('POST', '/exportToPst')[0]['body']
    assert body == {'enablePstSizeLimit': True, 'pstSizeLimitBytes': 1073741824}
    parts = result['files']
    assert len(parts) > 2 and all(p['size'] <= 1 << 20 for p in parts) and parts[0]['name'] == 'bob_1.pst'
    with zipfile.ZipFile(str(dest)) as archive:
        assert [i.filename for i in archive.infolist()] == [p['name'] for p in parts]
    for part in parts:
        assert sha256(part['path']) == part['sha256'] and os.path.dirname(part['path']) == str(tmp_path / 'bob')


def test_a_cut_transfer_resumes_with_range(runner, sim_api, tmp_path):
    sim_api.config(export_size_bytes=32 * 1024 * 1024)
    cut = int(32 * 1024 * 1024 * 0.4)
    sim_api.fault(path='exportToPst$', cut_after_bytes=cut, times=1)
    dest = tmp_path / 'big.pst'
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(dest))).result('Export')
    assert result['sha256'] == sha256(dest) == expected(sim_api).sha256()
    first, second = sim_api.api_requests('POST', '/exportToPst')
    assert first['bytes'] == cut and second['range'] is not None
    resumed_from = int(second['range'].split('=')[1].rstrip('-'))
    assert cut - resumed_from <= 1024 * 1024  # at most one buffer is fetched twice
    assert result['resumed'] == 1 and result['fetched'] <= 32 * 1024 * 1024 + 1024 * 1024
    assert any('transfer cut' in w for w in result['warnings'])


def test_a_partial_file_from_an_earlier_run_is_resumed(runner, sim_api, tmp_path):
    dest = tmp_path / 'bob.pst'
    runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(dest)))
    whole = dest.read_bytes()
    os.remove(str(dest))
    os.remove(str(dest) + '.vb365.json')
    (tmp_path / 'bob.pst.part').write_bytes(whole[:100000])
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(dest))).result('Export')
    assert dest.read_bytes() == whole and result['fetched'] == len(whole) - 100000
    assert sim_api.api_requests('POST', '/exportToPst')[-1]['range'] == 'bytes=100000-'


def test_server_errors_are_passed_on_and_leave_no_file(runner, sim_api, tmp_path):
    sim_api.config(outlook_installed=False)
    dest = tmp_path / 'bob.pst'
    run = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(dest)), expect_rc=2)
    assert 'Microsoft Outlook' in run.result('Export')['msg']
    assert not dest.exists()


def test_bad_sizes_and_paths_fail_before_any_request(runner, sim_api, tmp_path):
    for value in ('500MB', '0.5GB', '50GB', 'lots'):
        run = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(tmp_path / 'x.pst'),
                              pst_size_limit=value), expect_rc=2)
        assert run.result('Export')['msg'].startswith('pst_size_limit:')
    run = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(tmp_path / 'missing' / 'x.pst')), expect_rc=2)
    assert run.result('Export')['msg'].startswith('dest: the directory')
    run = runner.run(play(dest=str(tmp_path / 'x.msg'), format='msg'), expect_rc=2)
    assert run.result('Export')['msg'].startswith('format: msg is for items')
    assert sim_api.get('exports') == []


def test_check_mode_writes_nothing(runner, sim_api, tmp_path):
    dest = tmp_path / 'bob.pst'
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', dest=str(dest)), check=True).result('Export')
    assert result['changed'] is True and result['planned_requests'][0]['path'].endswith('/exportToPst')
    assert not dest.exists() and sim_api.get('exports') == []
