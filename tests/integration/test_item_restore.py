"""item_restore through ansible-playbook: restored items read back from the simulator's production state."""

from __future__ import annotations

import json

EXCHANGE_PASSWORD = 'Item-Exchange-Secret-7'
PLAY = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open
      vb365.restore.restore_session:
        organization: %(organization)s
        show_deleted: true
        ledger_path: ""
      register: rs
      check_mode: false
    - name: Work
      block:
%(pre)s        - name: Act
          vb365.restore.item_restore:
            session_id: "{{ rs.session.id }}"
%(args)s
      always:
        - name: Stop
          vb365.restore.restore_session:
            session_id: "{{ rs.session.id }}"
            state: absent
          check_mode: false
'''
CREDS = {'username': 'restore-operator@contoso.onmicrosoft.com', 'password': EXCHANGE_PASSWORD}


def play(organization='contoso.onmicrosoft.com', pre='', **args):
    lines = ''.join('            %s: %s\n' % (k, json.dumps(v)) for k, v in args.items())
    return PLAY % {'organization': organization, 'args': lines.rstrip('\n'), 'pre': pre}


def action_posts(sim_api, suffix):
    return [r for r in sim_api.get('requests') if r['method'] == 'POST' and r['path'].endswith('/items/' + suffix)]


def test_deleted_invoices_found_by_a_query_come_back(runner, sim_api):
    before = [r for r in sim_api.production('alice@contoso.onmicrosoft.com') if 'Invoice' in r['subject']]
    run = runner.run(play(mailbox='alice@contoso.onmicrosoft.com', query='subject:invoice received:>=2026-11-08',
                          exchange_credentials=CREDS), verbosity=4)
    result = run.result('Act')
    assert result['count'] == 5 and all('Invoice' in i['subject'] for i in result['items'])
    assert result['restore']['status'] == 'Success' and result['restore']['totals']['created'] == 5
    after = [r for r in sim_api.production('alice@contoso.onmicrosoft.com') if 'Invoice' in r['subject']]
    assert len(before) == 3 and len(after) == 8
    (post,) = action_posts(sim_api, 'restore')
    assert set(post['body']) == {'userName', 'userPassword', 'items'} and len(post['body']['items']) == 5
    assert EXCHANGE_PASSWORD not in run.output and runner.sim.password not in run.output


def test_restore_to_another_mailbox_folder(runner, sim_api):
    result = runner.run(play(mailbox='erin@contoso.onmicrosoft.com', query='subject:"quarterly report"',
                             target={'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'From Erin'},
                             mark_restored_as_unread=True, exchange_credentials=CREDS)).result('Act')
    assert result['restore']['totals']['created'] == result['count'] > 0
    (post,) = action_posts(sim_api, 'restoreTo')
    assert post['body']['mailbox'] == 'frank@contoso.onmicrosoft.com' and post['body']['folder'] == 'From Erin'
    assert post['body']['markRestoredAsUnread'] is True
    landed = [r for r in sim_api.production('frank@contoso.onmicrosoft.com') if r['folder'].startswith('From Erin/')]
    assert len(landed) == result['count'] and all(r['unread'] for r in landed)


def test_send_to_another_address(runner, sim_api):
    pre = '''        - name: Find
          vb365.restore.item_info:
            session_id: "{{ rs.session.id }}"
            mailbox: alice@contoso.onmicrosoft.com
            query: "subject:budget"
          register: found
'''
    result = runner.run(play(pre=pre, mailbox='alice@contoso.onmicrosoft.com', action='send',
                             items="{{ found['items'] | map(attribute='id') | list }}",
                             send_to={'to': 'legal@contoso.example', 'subject': 'Evidence', 'text': 'As asked'})
                        ).result('Act')
    assert result['changed'] is True and result['sent'][0]['to'] == 'legal@contoso.example'
    (message,) = sim_api.get('sent')
    assert message['to'] == 'legal@contoso.example' and message['subject'] == 'Evidence'
    assert sorted(message['items']) == sorted(i['id'] for i in result['items'])


def test_send_without_email_settings_fails_before_sending(runner, sim_api):
    sim_api.config(email_settings_configured=False)
    run = runner.run(play(mailbox='alice@contoso.onmicrosoft.com', query='subject:budget', action='send'), expect_rc=2)
    msg = run.result('Act')['msg']
    assert 'no Exchange email settings' in msg and 'VexEmailSettings' in msg
    assert action_posts(sim_api, 'sendToDefaultAddress') == [] and sim_api.get('sent') == []


def test_operator_restore(runner, sim_api):
    result = runner.run(play(mailbox='carol@contoso.onmicrosoft.com', query='subject:invoice', action='operator_restore',
                             reason='Ticket 4711', target={'folder': 'Recovered by operator'})).result('Act')
    assert result['restore']['session_id']
    (post,) = action_posts(sim_api, 'operatorRestore')
    assert post['body']['reason'] == 'Ticket 4711' and post['body']['folder'] == 'Recovered by operator'
    landed = [r for r in sim_api.production('carol@contoso.onmicrosoft.com')
              if r['folder'].startswith('Recovered by operator/')]
    assert len(landed) == result['count'] == 8


def test_empty_query_changes_nothing(runner, sim_api):
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', query='subject:"no such thing"',
                             exchange_credentials=CREDS)).result('Act')
    assert result['changed'] is False and result['count'] == 0 and 'matched no item' in result['msg']
    assert action_posts(sim_api, 'restore') == []


def test_a_3000_item_selection_goes_in_batches(runner, sim_api):
    result = runner.run(play(mailbox='reports@contoso.onmicrosoft.com', query='subject:"nightly report 0"',
                             exchange_credentials=CREDS)).result('Act')
    assert result['count'] == 10000 or result['count'] > 3000
    posts = action_posts(sim_api, 'restore')
    assert [len(p['body']['items']) for p in posts] == [1000] * (result['count'] // 1000) + (
        [result['count'] % 1000] if result['count'] % 1000 else [])
    assert result['restore']['totals']['skipped'] == result['count'] and len(result['restore']['session_ids']) == len(posts)


def test_too_broad_a_query_fails_before_acting(runner, sim_api):
    run = runner.run(play(mailbox='reports@contoso.onmicrosoft.com', query='subject:report', max_items=3000,
                          exchange_credentials=CREDS), expect_rc=2)
    assert 'matches more than max_items=3000' in run.result('Act')['msg']
    assert action_posts(sim_api, 'restore') == []


def test_check_mode_lists_the_items_and_sends_nothing(runner, sim_api):
    result = runner.run(play(mailbox='bob@contoso.onmicrosoft.com', query='subject:invoice', exchange_credentials=CREDS),
                        check=True).result('Act')
    assert result['count'] == 8 and len(result['planned_requests']) == 1
    assert all(i['subject'].startswith('Invoice') for i in result['items'])
    assert action_posts(sim_api, 'restore') == []
