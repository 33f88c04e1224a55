"""Benchmark: the mailbox_bulk_restore role restoring N mailboxes vs a hand-written ansible.builtin.uri runbook.

Both against the simulator with the same latency per request (default 20 ms), one after the other
in this run; the ratio of wall times counts.

    .venv/bin/python bench/bulk_role_vs_uri.py [--mailboxes 1000] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import tempfile

from common import run_playbook, start_simulator
from mailbox_restore_vs_uri import URI

ROLE = '''
- hosts: localhost
  gather_facts: false
  roles:
    - role: vb365.restore.mailbox_bulk_restore
      vars:
        mailbox_bulk_restore_organization: tailspin.onmicrosoft.com
        mailbox_bulk_restore_all_mailboxes: true
        mailbox_bulk_restore_restore_options: {changed_items: true, poll_interval: 0.5}
        mailbox_bulk_restore_report_dir: %s
        mailbox_bulk_restore_exchange_credentials:
          username: restore-operator@tailspin.onmicrosoft.com
          password: bench-exchange-password
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mailboxes', type=int, default=1000)
    parser.add_argument('--latency-ms', type=float, default=20)
    args = parser.parse_args()
    sim = start_simulator(bulk_mailboxes=args.mailboxes, latency_ms=args.latency_ms, restore_delay_ms=200)
    try:
        role_s, _proc = run_playbook(sim, ROLE % tempfile.mkdtemp(prefix='vb365-bench-report-'))
        role_requests = len(sim.state.requests)
        created = sum(len(m) for m in sim.state.production.values())
        sim.state.reset()
        uri_s, _proc = run_playbook(sim, URI)
        uri_requests = len(sim.state.requests)
    finally:
        sim.stop()
    print('mailboxes: %d, simulator latency: %.0f ms per request' % (args.mailboxes, args.latency_ms))
    print('mailbox_bulk_restore role: %.1f s, %d API requests (production items after: %d)' % (
        role_s, role_requests, created))
    print('ansible.builtin.uri runbook: %.1f s, %d API requests' % (uri_s, uri_requests))
    print('ratio: the role is %.1f times faster' % (uri_s / role_s))


if __name__ == '__main__':
    main()
