"""mailbox_info and item_info through ansible-playbook: what they return equals the simulator's dataset."""

from __future__ import annotations

import pytest

from harness import options, session_play

OPENING = {'organization': 'contoso.onmicrosoft.com', 'show_deleted': True, 'ledger_path': ''}


def play(*tasks, check_mode=None):
    body = ''
    for name, module, args in tasks:
        body += '        - name: %s\n          %s:\n            session_id: "{{ rs.session.id }}"\n%s' % (
            name, module, options(args, 12))
    return session_play(body, OPENING, check_mode=check_mode, block='Browse')


def ids(items):
    return sorted(i['id'] for i in items)


def test_mailboxes_and_folder_tree(runner, sim_api):
    run = runner.run(play(('All', 'vb365.restore.mailbox_info', {}),
                          ('Some', 'vb365.restore.mailbox_info', {'mailboxes': ['alice@contoso.onmicrosoft.com', 'Bob Jones'],
                                                                  'include_folders': True}),
                          ('Archive', 'vb365.restore.mailbox_info', {'mailboxes': ['Alice Smith'], 'archive': True})))
    everyone = run.result('All')['mailboxes']
    expected = sim_api.get('mailboxes?organization=contoso.onmicrosoft.com')
    assert sorted((m['email'], m['is_archive']) for m in everyone) == sorted((m['email'], m['isArchive']) for m in expected)
    assert [m for m in everyone if m['is_public']][0]['email'] == 'publicfolders@contoso.onmicrosoft.com'
    some = run.result('Some')['mailboxes']
    assert [m['email'] for m in some] == ['alice@contoso.onmicrosoft.com', 'bob@contoso.onmicrosoft.com']
    assert some[0]['is_archive'] is False
    paths = [f['path'] for f in some[1]['folders']]
    assert 'Inbox/Projects/2026' in paths and 'Inbox/Invoices' in paths and 'Journal' in paths
    archive = run.result('Archive')['mailboxes']
    assert len(archive) == 1 and archive[0]['is_archive'] is True and archive[0]['id'] != some[0]['id']
    assert sim_api.working_sessions() == []


def test_ambiguous_name_fails_with_both_candidates(runner, sim_api):
    run = runner.run(play(('Chris', 'vb365.restore.mailbox_info', {'mailboxes': ['Chris Taylor']})), expect_rc=2)
    msg = run.result('Chris')['msg']
    assert "'Chris Taylor' matches 2 mailboxes" in msg
    assert 'chris.taylor@contoso.onmicrosoft.com' in msg and 'christopher.taylor@contoso.onmicrosoft.com' in msg
    assert sim_api.working_sessions() == []  # the always section stopped it


def test_a_large_mailbox_loses_no_page(runner, sim_api):
    run = runner.run(play(('Reports', 'vb365.restore.item_info', {'mailbox': 'reports@contoso.onmicrosoft.com',
                                                                  'folder': 'Inbox/Reports'})))
    result = run.result('Reports')
    assert result['count'] == 25000 and result['truncated'] is False
    assert len(set(i['id'] for i in result['mail_items'])) == 25000
    pages = [r for r in sim_api.api_requests('GET', '/items') if r['query'].get('parentId')]
    assert [r['query']['offset'] for r in pages] == ['0', '10000', '20000']


def test_limit_stops_early_and_says_so(runner):
    run = runner.run(play(('Some reports', 'vb365.restore.item_info',
                           {'mailbox': 'reports@contoso.onmicrosoft.com', 'limit': 150})))
    result = run.result('Some reports')
    assert result['count'] == 150 and result['truncated'] is True and 'stopped at limit=150' in result['msg']


@pytest.mark.parametrize('args, scope', [
    ({'mailbox': 'bob@contoso.onmicrosoft.com', 'folder': 'Inbox', 'query': 'subject:invoice'}, 'folder'),
    ({'mailbox': 'bob@contoso.onmicrosoft.com', 'query': 'subject:invoice'}, 'mailbox'),
    ({'query': 'subject:invoice'}, 'mailboxes'),
    ({'query': 'subject:invoice', 'scope': 'organization'}, 'organization'),
])
def test_search_at_each_scope_matches_the_dataset(runner, sim_api, args, scope):
    run = runner.run(play(('Search', 'vb365.restore.item_info', args)))
    result = run.result('Search')
    assert result['scope'] == scope
    if 'mailbox' in args:
        backup = sim_api.get('backup/bob@contoso.onmicrosoft.com?showDeleted=true')
        expected = [i for i in backup if 'invoice' in (i.get('subject') or '').lower()]
        assert ids(result['mail_items']) == ids(expected) and len(expected) == 8
        assert {i['mailbox'] for i in result['mail_items']} == {'bob@contoso.onmicrosoft.com'}
    else:
        expected = []
        for mailbox in sim_api.get('mailboxes?organization=contoso.onmicrosoft.com'):
            view = sim_api.get('backup/%s?showDeleted=true%s' % (mailbox['email'], '&archive=1' if mailbox['isArchive'] else ''))
            expected += [i for i in view if 'invoice' in (i.get('subject') or '').lower()]
        assert ids(result['mail_items']) == ids(expected)
    first = result['mail_items'][0]
    assert first['item_class'] == 'IPM.Note' and first['from'] == 'billing@northwind.example' and first['received']


def test_listing_a_folder_by_path(runner, sim_api):
    run = runner.run(play(('Invoices', 'vb365.restore.item_info', {'mailbox': 'Alice Smith', 'folder': 'inbox/INVOICES'})))
    result = run.result('Invoices')
    backup = sim_api.get('backup/alice@contoso.onmicrosoft.com?showDeleted=true')
    assert ids(result['mail_items']) == ids([i for i in backup if i['folder'] == 'Inbox/Invoices'])
    assert {i['folder'] for i in result['mail_items']} == {'Inbox/Invoices'}


def test_unknown_folder_lists_the_folders_there(runner):
    run = runner.run(play(('Bad folder', 'vb365.restore.item_info',
                           {'mailbox': 'bob@contoso.onmicrosoft.com', 'folder': 'Inbox/Receipts'})), expect_rc=2)
    msg = run.result('Bad folder')['msg']
    assert "folder: no folder 'Receipts' in Inbox of bob@contoso.onmicrosoft.com" in msg
    assert 'Invoices' in msg and 'Projects' in msg


def test_info_modules_in_check_mode(runner, sim_api):
    playbook = play(('Check', 'vb365.restore.item_info', {'mailbox': 'bob@contoso.onmicrosoft.com',
                                                          'query': 'subject:invoice'}), check_mode=False)
    run = runner.run(playbook, check=True)
    assert run.result('Check')['count'] == 8 and run.result('Check')['changed'] is False
    assert sim_api.working_sessions() == []
