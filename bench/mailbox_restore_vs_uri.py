"""Benchmark: restore N mailboxes to their original place with mailbox_restore vs ansible.builtin.uri.

Both playbooks run against one simulator with the same latency per request (default 20 ms), one
after the other in this run; the ratio of their wall times is what counts, not the absolute
seconds. The module waits for the restore and reports it; the uri runbook only starts one restore
per mailbox (it would need a polling loop per restore to report anything). After each run the
simulator's production state is read: every mailbox must have its lost item back.

    .venv/bin/python bench/mailbox_restore_vs_uri.py [--mailboxes 500] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import re
import sys
import time

from common import run_playbook, start_simulator

MODULE = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open
      vb365.restore.restore_session:
        organization: tailspin.onmicrosoft.com
        ledger_path: ""
      register: rs
    - name: Restore every mailbox to its original place
      vb365.restore.mailbox_restore:
        session_id: "{{ rs.session.id }}"
        mailboxes: ["user*@tailspin.onmicrosoft.com"]
        exchange_credentials:
          username: restore-operator@tailspin.onmicrosoft.com
          password: bench-exchange-password
      register: restored
    - name: Stop
      vb365.restore.restore_session:
        session_id: "{{ rs.session.id }}"
        state: absent
    - name: Count
      ansible.builtin.debug:
        msg: "created {{ restored.restore.totals.created }} in {{ restored.mailboxes | length }} mailboxes"
'''

URI = '''
- hosts: localhost
  gather_facts: false
  vars:
    api: "{{ lookup('env', 'VB365_SERVER') }}/v8"
    ca: "{{ lookup('env', 'VB365_CA_PATH') }}"
  tasks:
    - name: Log in
      ansible.builtin.uri:
        url: "{{ api }}/token"
        method: POST
        ca_path: "{{ ca }}"
        body_format: form-urlencoded
        body:
          grant_type: password
          username: "{{ lookup('env', 'VB365_USERNAME') }}"
          password: "{{ lookup('env', 'VB365_PASSWORD') }}"
          disable_antiforgery_token: "true"
      register: token
      no_log: true
    - name: Find the organization
      ansible.builtin.uri:
        url: "{{ api }}/Organizations?limit=1000"
        ca_path: "{{ ca }}"
        headers: {Authorization: "Bearer {{ token.json.access_token }}"}
      register: orgs
    - name: Open a restore session
      ansible.builtin.uri:
        url: "{{ api }}/Organizations/{{ (orgs.json.results | selectattr('name', 'eq', 'tailspin.onmicrosoft.com') | first).id }}/explore"
        method: POST
        ca_path: "{{ ca }}"
        headers: {Authorization: "Bearer {{ token.json.access_token }}"}
        body_format: json
        body: {type: Vex}
        status_code: 201
      register: rs
    - name: List the mailboxes
      ansible.builtin.uri:
        url: "{{ api }}/RestoreSessions/{{ rs.json.id }}/organization/mailboxes?limit=10000"
        ca_path: "{{ ca }}"
        headers: {Authorization: "Bearer {{ token.json.access_token }}"}
      register: mailboxes
    - name: Restore each mailbox
      ansible.builtin.uri:
        url: "{{ api }}/RestoreSessions/{{ rs.json.id }}/organization/mailboxes/{{ item.id }}/restore"
        method: POST
        ca_path: "{{ ca }}"
        headers: {Authorization: "Bearer {{ token.json.access_token }}"}
        body_format: json
        body: {userName: restore-operator@tailspin.onmicrosoft.com, userPassword: bench-exchange-password}
      loop: "{{ mailboxes.json.results }}"
      loop_control: {label: "{{ item.email }}"}
    - name: Stop the session
      ansible.builtin.uri:
        url: "{{ api }}/RestoreSessions/{{ rs.json.id }}/Stop"
        method: POST
        ca_path: "{{ ca }}"
        headers: {Authorization: "Bearer {{ token.json.access_token }}"}
        status_code: 204
'''


def restored_mailboxes(sim, timeout=120):
    """How many tailspin mailboxes hold all their items again, once the simulator's restores have ended."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with sim.state.lock:
            running = [s for s in sim.state.sessions.values() if s.get('_kind') == 'operation' and s['state'] != 'Stopped']
        if not running:
            break
        time.sleep(0.2)
    with sim.state.lock:
        return sum(1 for key, records in sim.state.production.items()
                   if key.endswith('@tailspin.onmicrosoft.com') and len(records) == 3)


def restore_posts(sim):
    with sim.state.lock:
        return sum(1 for r in sim.state.requests if r.get('method') == 'POST' and r.get('path', '').endswith('/restore'))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mailboxes', type=int, default=500)
    parser.add_argument('--latency-ms', type=float, default=20)
    args = parser.parse_args()
    sim = start_simulator(bulk_mailboxes=args.mailboxes, latency_ms=args.latency_ms, restore_delay_ms=200)
    try:
        before = restored_mailboxes(sim)
        module_s, proc = run_playbook(sim, MODULE)
        created = re.findall(r'"msg": "(created \d+ in \d+ mailboxes)"', proc.stdout)
        module_requests, module_posts, module_done = len(sim.state.requests), restore_posts(sim), restored_mailboxes(sim)
        sim.state.reset()
        uri_s, _proc = run_playbook(sim, URI)
        uri_requests, uri_posts, uri_done = len(sim.state.requests), restore_posts(sim), restored_mailboxes(sim)
    finally:
        sim.stop()
    ratio = uri_s / module_s
    print('mailboxes: %d, simulator latency: %.0f ms per request; complete before: %d' % (
        args.mailboxes, args.latency_ms, before))
    print('mailbox_restore:     %6.1f s, %4d API requests, %3d restore POSTs, mailboxes complete after: %d (%s)' % (
        module_s, module_requests, module_posts, module_done, created[0] if created else 'no count printed'))
    print('ansible.builtin.uri: %6.1f s, %4d API requests, %3d restore POSTs, mailboxes complete after: %d' % (
        uri_s, uri_requests, uri_posts, uri_done))
    print('ratio: the module is %.1f times faster (the goal: at least 20)' % ratio)
    if module_done != args.mailboxes or uri_done != args.mailboxes:
        sys.exit('not every mailbox was restored: the runs did not do the same work')


if __name__ == '__main__':
    main()
