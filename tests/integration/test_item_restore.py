"""item_restore through ansible-playbook: restored items read back from the simulator's production state,
sent messages from its outbox, the requests it received."""

from __future__ import annotations

import json

import pytest

from harness import assert_not_shown, options, session_play

EXCHANGE_PASSWORD = 'Item-Exchange-Secret-7'
CREDS = {'username': 'restore-operator@contoso.onmicrosoft.com', 'password': EXCHANGE_PASSWORD}
FIND = '''        - name: Find
          vb365.restore.item_info:
            session_id: "{{ rs.session.id }}"
            mailbox: %s
            query: %s
            limit: %d
          register: found
          check_mode: false
'''
FOUND_IDS = "{{ found['mail_items'] | map(attribute='id') | list }}"


def play(organization='contoso.onmicrosoft.com', pre='', **args):
    act = '        - name: Act\n          vb365.restore.item_restore:\n            session_id: "{{ rs.session.id }}"\n'
    return session_play(pre + act + options(args, 12),
                        {'organization': organization, 'show_deleted': True, 'ledger_path': ''}, check_mode=False)


def find(mailbox, query, limit=10000):
    return FIND % (json.dumps(mailbox), json.dumps(query), limit)


def action_posts(sim_api, suffix=''):
    """POSTs to the item action endpoints (restore, restoreTo, send..., operatorRestore), optionally one of them."""
    return [r for r in sim_api.get('requests')
            if r['method'] == 'POST' and '/items/' in r['path'] and r['path'].endswith('/items/' + suffix)]


@pytest.mark.every_model
def test_deleted_invoices_found_by_a_query_come_back_once(runner, sim_api):
    def invoices():
        return [r for r in sim_api.production('alice@contoso.onmicrosoft.com') if 'Invoice' in r['subject']]

    before = invoices()
    task = play(mailbox='alice@contoso.onmicrosoft.com', query='subject:invoice received:>=2026-11-08',
                exchange_credentials=CREDS)
    run = runner.run(task, verbosity=4)
    result = run.result('Act')
    assert result['count'] == 5 and all(i['subject'].startswith('Invoice') for i in result['mail_items'])
    assert result['changed'] is True and result['endpoint'] == 'restore'
    assert result['restore']['status'] == 'Success' and result['restore']['totals']['created'] == 5
    if sim_api.choice('restore_counts') == 'statistics':  # per-item entries come with the statistics' counts
        assert sorted(i['id'] for i in result['restore']['item_details']) == sorted(i['id'] for i in result['mail_items'])
        assert all(i['status'] == 'Success' and i['path'].startswith('alice@contoso.onmicrosoft.com/Inbox/Invoices')
                   for i in result['restore']['item_details'])
    else:
        assert result['restore']['item_details'] == [] and result['restore']['sources']['created'] == 'events'
    after = invoices()
    assert len(before) == 3 and len(after) == 8
    assert sorted(r['subject'] for r in after if r not in before) == sorted(i['subject'] for i in result['mail_items'])
    (post,) = action_posts(sim_api, 'restore')
    assert set(post['body']) == {'userName', 'userPassword', 'items'} and len(post['body']['items']) == 5
    assert_not_shown(EXCHANGE_PASSWORD, run)
    assert_not_shown(runner.sim.password, run)

    again = runner.run(task).result('Act')
    assert again['changed'] is False and again['restore']['totals']['skipped'] == 5
    assert invoices() == after


@pytest.mark.every_model
def test_restore_to_another_mailbox_folder(runner, sim_api):
    result = runner.run(play(mailbox='erin@contoso.onmicrosoft.com', query='subject:"quarterly report"',
                             target={'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'From Erin'},
                             mark_restored_as_unread=True, exchange_credentials=CREDS)).result('Act')
    assert result['endpoint'] == 'restoreTo' and result['count'] == 3
    assert result['restore']['totals']['created'] == 3
    (post,) = action_posts(sim_api, 'restoreTo')
    assert set(post['body']) == {'userName', 'userPassword', 'mailbox', 'folder', 'markRestoredAsUnread', 'items'}
    assert post['body']['mailbox'] == 'frank@contoso.onmicrosoft.com' and post['body']['folder'] == 'From Erin'
    assert post['body']['markRestoredAsUnread'] is True
    landed = [r for r in sim_api.production('frank@contoso.onmicrosoft.com') if r['folder'].startswith('From Erin/')]
    assert sorted(r['subject'] for r in landed) == sorted(i['subject'] for i in result['mail_items'])
    assert all(r['unread'] for r in landed)


def test_a_query_over_every_mailbox_acts_per_mailbox(runner, sim_api):
    result = runner.run(play(query='subject:invoice to:chris', exchange_credentials=CREDS,
                             target={'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'Taylors'})).result('Act')
    owners = sorted(set(i['mailbox'] for i in result['mail_items']))
    assert owners == ['chris.taylor@contoso.onmicrosoft.com', 'christopher.taylor@contoso.onmicrosoft.com']
    assert result['count'] == 16 and result['restore']['totals']['created'] == 16
    posts = action_posts(sim_api, 'restoreTo')
    by_mailbox = dict((i['mailbox_id'], i['mailbox']) for i in result['mail_items'])
    assert sorted(by_mailbox[p['path'].split('/mailboxes/')[1].split('/')[0]] for p in posts) == owners
    assert [len(p['body']['items']) for p in posts] == [8, 8]
    landed = [r for r in sim_api.production('frank@contoso.onmicrosoft.com') if r['folder'].startswith('Taylors/')]
    assert len(landed) == 16


def test_send_to_another_address(runner, sim_api):
    result = runner.run(play(pre=find('alice@contoso.onmicrosoft.com', 'subject:budget'),
                             mailbox='alice@contoso.onmicrosoft.com', action='send', items=FOUND_IDS,
                             send_to={'to': 'legal@contoso.example', 'subject': 'Evidence', 'text': 'As asked'})
                        ).result('Act')
    assert result['changed'] is True and result['endpoint'] == 'sendToDifferentAddress'
    assert result['sent'] == [{'mailbox': 'alice@contoso.onmicrosoft.com', 'to': 'legal@contoso.example', 'item_count': 3}]
    (message,) = sim_api.get('sent')
    assert message['to'] == 'legal@contoso.example' and message['subject'] == 'Evidence' and message['text'] == 'As asked'
    assert sorted(message['items']) == sorted(i['id'] for i in result['mail_items'])
    (post,) = action_posts(sim_api, 'sendToDifferentAddress')
    assert set(post['body']) == {'to', 'subject', 'text', 'items'}


def test_send_to_the_mailbox_itself(runner, sim_api):
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', query='subject:budget', action='send')).result('Act')
    assert result['endpoint'] == 'sendToDefaultAddress' and result['count'] == 3
    (message,) = sim_api.get('sent')
    assert message['to'] == 'bob@contoso.onmicrosoft.com' and len(message['attachments']) == 3
    assert [set(p['body']) for p in action_posts(sim_api, 'sendToDefaultAddress')] == [{'items'}]


def test_send_without_email_settings_fails_before_sending(runner, sim_api):
    sim_api.config(email_settings_configured=False)
    run = runner.run(play(mailbox='alice@contoso.onmicrosoft.com', query='subject:budget', action='send'), expect_rc=2)
    msg = run.result('Act')['msg']
    assert msg.startswith('action: send needs the Exchange email settings of the VB365 server, and they are missing')
    assert 'vb365.restore.email_settings module' in msg and 'nothing was sent' in msg
    assert action_posts(sim_api) == [] and sim_api.get('sent') == []


def test_empty_query_changes_nothing(runner, sim_api):
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', query='subject:"no such thing"',
                             exchange_credentials=CREDS)).result('Act')
    assert result['changed'] is False and result['count'] == 0
    assert result['msg'] == 'the query matched no item: nothing to restore'
    assert action_posts(sim_api) == []


@pytest.mark.every_model
def test_a_3000_item_selection_goes_in_three_batches(runner, sim_api):
    result = runner.run(play(pre=find('reports@contoso.onmicrosoft.com', 'subject:"nightly report 0"', 3000),
                             mailbox='reports@contoso.onmicrosoft.com', items=FOUND_IDS, exchange_credentials=CREDS,
                             target={'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'Reports'})).result('Act')
    assert result['count'] == 3000 and result['batches'] == {'total': 3, 'sent': 3, 'size': 1000}
    posts = action_posts(sim_api, 'restoreTo')
    assert [len(p['body']['items']) for p in posts] == [1000, 1000, 1000]
    assert sorted(i['id'] for p in posts for i in p['body']['items']) == sorted(i['id'] for i in result['mail_items'])
    report = result['restore']
    per_item = 3000 if sim_api.choice('restore_counts') == 'statistics' else 0
    assert len(report['session_ids']) == 3 and report['totals']['created'] == 3000 and len(report['item_details']) == per_item
    assert report['totals']['restored'] == 3000 and result['changed'] is True
    landed = [r for r in sim_api.production('frank@contoso.onmicrosoft.com') if r['folder'].startswith('Reports/')]
    assert len(landed) == 3000


@pytest.mark.every_model
def test_a_failed_restore_fails_the_task_and_stops_the_batches(runner, sim_api):
    run = runner.run(play(mailbox='broken@contoso.onmicrosoft.com', query='subject:invoice', batch_size=3,
                          exchange_credentials=CREDS), expect_rc=2)
    result = run.result('Act')
    assert 'failed' in result['msg'] and 'Cannot open mailbox broken@contoso.onmicrosoft.com' in result['msg']
    assert result['restore']['status'] == 'Failed' and result['batches'] == {'total': 3, 'sent': 1, 'size': 3}
    assert len(action_posts(sim_api, 'restore')) == 1
    assert any('the 2 batches after it were not sent' in w for w in result['warnings'])


def test_too_broad_a_query_fails_before_acting(runner, sim_api):
    run = runner.run(play(mailbox='reports@contoso.onmicrosoft.com', query='subject:report', max_items=3000,
                          exchange_credentials=CREDS), expect_rc=2)
    assert run.result('Act')['msg'] == 'query: matches more than max_items=3000 items; narrow it or raise max_items'
    assert action_posts(sim_api) == []


def test_a_wait_outlives_the_token(runner, sim_api):
    sim_api.config(token_lifetime=2, restore_delay_ms=5000)
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', query='subject:invoice', poll_interval=0.5,
                             exchange_credentials=CREDS)).result('Act')
    assert result['restore']['status'] == 'Success'
    assert sim_api.get('tokens')['refreshes'] >= 2


def test_check_mode_lists_the_items_and_sends_nothing(runner, sim_api):
    run = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', query='subject:invoice', exchange_credentials=CREDS),
                     check=True, verbosity=4)
    result = run.result('Act')
    assert result['changed'] is True and result['count'] == 8 and 'restore' not in result
    assert all(i['subject'].startswith('Invoice') for i in result['mail_items'])
    (planned,) = result['planned_requests']
    assert planned['path'].endswith('/items/restore') and planned['body']['userPassword'] == '********'
    assert action_posts(sim_api) == []
    assert_not_shown(EXCHANGE_PASSWORD, run)
