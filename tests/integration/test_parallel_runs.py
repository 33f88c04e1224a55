"""Sessions under parallel runs and lost answers, through ansible-playbook: runs that share a ledger never
share a session, a session whose explore answer was lost is found (and the roles stop it), Stop is retried."""

from __future__ import annotations

import concurrent.futures
import json
import os

from test_roles import EXCHANGE_PASSWORD, TAILSPIN, example, explore_sessions, left_open, run_book

CONTOSO = 'contoso.onmicrosoft.com'

OPEN_TWICE_AND_STOP = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
      register: first
    - name: Let the other runs open theirs
      ansible.builtin.pause:
        seconds: 1
    - name: Open again
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
      register: again
    - name: Stop
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
        state: absent
'''

OPEN_AND_STOP = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
        ledger_path: ""
      register: rs
    - name: Stop
      vb365.restore.restore_session:
        session_id: "{{ rs.session.id }}"
        state: absent
      when: rs.session.id is defined
'''


def test_parallel_runs_sharing_a_ledger_never_share_a_session(runner, sim_api):
    runs = 4
    with concurrent.futures.ThreadPoolExecutor(runs) as pool:
        done = list(pool.map(lambda _n: runner.run(OPEN_TWICE_AND_STOP), range(runs)))
    opened = [run.result('Open')['session']['id'] for run in done]
    assert len(set(opened)) == runs
    for run, session_id in zip(done, opened):
        again = run.result('Open again')
        assert again['reused'] is True and again['session']['id'] == session_id
        assert run.result('Stop')['session']['id'] == session_id
    assert [s['state'] for s in sim_api.get('sessions')] == ['Stopped'] * runs
    with open(runner.env['VB365_SESSION_LEDGER']) as handle:
        ledger = json.load(handle)
    assert ledger == {}  # each run removed its own entry, and only its own


def test_a_lost_explore_answer_is_recovered(runner, sim_api):
    sim_api.fault(method='POST', path='/explore$', lose_answer=True)
    run = runner.run(OPEN_AND_STOP)
    opened = run.result('Open')
    assert opened['recovered'] is True and opened['changed'] is True
    assert 'the answer to the explore request was lost' in run.stderr + run.stdout
    (session,) = sim_api.get('sessions')
    assert opened['session']['id'] == session['id'] and session['state'] == 'Stopped'
    assert len(sim_api.api_requests('POST', '/explore')) == 1


def test_a_lost_explore_answer_among_other_new_sessions_names_them_and_how_to_stop_them(runner, sim_api, simulator):
    # Another run opened a session of the same organization a moment ago.
    other = runner.run(OPEN_AND_STOP.replace('    - name: Stop', '    - name: Keep').replace(
        'state: absent', 'state: present'))
    other_id = other.result('Open')['session']['id']
    sim_api.fault(method='POST', path='/explore$', lose_answer=True)
    run = runner.run(OPEN_AND_STOP, expect_rc=2)
    failed = run.result('Open')
    candidates = [s['id'] for s in failed['session_candidates']]
    new_id = [s['id'] for s in sim_api.get('sessions') if s['id'] != other_id][0]
    assert sorted(candidates) == sorted([other_id, new_id])
    assert 'state=absent session_id=<id>' in failed['msg'] and other_id in failed['msg'] and new_id in failed['msg']
    assert len(sim_api.api_requests('POST', '/explore')) == 2


def test_a_reset_on_stop_is_retried(runner, sim_api):
    sim_api.fault(method='POST', path='/Stop$', reset=True)
    run = runner.run(OPEN_AND_STOP)
    assert run.result('Stop')['session']['state'] == 'Stopped'
    assert [s['state'] for s in sim_api.get('sessions')] == ['Stopped']
    assert [r['status'] for r in sim_api.api_requests('POST', '/Stop')] == ['reset', 204]


def test_the_bulk_restore_role_stops_a_session_whose_explore_answer_was_lost(runner, sim_api, tmp_path):
    sim_api.fault(method='POST', path='/explore$', lose_answer=True)
    extra = example('mailbox_bulk_restore', report_dir=str(tmp_path), mailboxes=['user0001@%s' % TAILSPIN])
    run = run_book(runner, 'mailbox_bulk_restore', extra, verbosity=4)
    (session,) = explore_sessions(sim_api, TAILSPIN)
    assert session['state'] == 'Stopped' and left_open(sim_api, TAILSPIN) == []
    report = json.load(open(os.path.join(str(tmp_path), 'mailbox-bulk-restore.json')))
    assert report['status'] == 'Success' and report['session_id'] == session['id']
    assert EXCHANGE_PASSWORD not in run.output
