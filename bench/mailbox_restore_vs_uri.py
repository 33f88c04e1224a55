"""Benchmark: restore N mailboxes to their original place with mailbox_restore vs ansible.builtin.uri.

Both run against the simulator with the same latency per request (default 20 ms), one after the
other in this run; the ratio of their wall times is what counts, not the absolute seconds.

    .venv/bin/python bench/mailbox_restore_vs_uri.py [--mailboxes 500] [--latency-ms 20]
"""

from __future__ import annotations

import argparse

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
        changed_items: true
        exchange_credentials:
          username: restore-operator@tailspin.onmicrosoft.com
          password: bench-exchange-password
        poll_interval: 0.5
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mailboxes', type=int, default=500)
    parser.add_argument('--latency-ms', type=float, default=20)
    args = parser.parse_args()
    sim = start_simulator(bulk_mailboxes=args.mailboxes, latency_ms=args.latency_ms, restore_delay_ms=200)
    try:
        module_s, proc = run_playbook(sim, MODULE)
        created = [line for line in proc.stdout.splitlines() if '"msg": "created' in line]
        sim_requests = len(sim.state.requests)
        sim.state.reset()
        uri_s, _proc = run_playbook(sim, URI)
        uri_requests = len(sim.state.requests)
    finally:
        sim.stop()
    print('mailboxes: %d, simulator latency: %.0f ms per request' % (args.mailboxes, args.latency_ms))
    print('mailbox_restore: %.1f s, %d API requests (%s)' % (module_s, sim_requests, created[0].strip() if created else ''))
    print('ansible.builtin.uri: %.1f s, %d API requests' % (uri_s, uri_requests))
    print('ratio: the module is %.1f times faster' % (uri_s / module_s))


if __name__ == '__main__':
    main()
