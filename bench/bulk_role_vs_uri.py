"""Benchmark: the mailbox_bulk_restore role restoring N mailboxes vs two hand-written uri runbooks.

Three runs against one simulator with the same latency per request (default 20 ms), one after the
other in this run, the simulator reset between them:

- bench/bulk_role/role.yml: the role with its defaults (bulk requests of 500, waited for, a report);
- bench/bulk_role/uri_bulk.yml: ansible.builtin.uri through the same bulk endpoint;
- bench/bulk_role/uri_per_mailbox.yml: ansible.builtin.uri one mailbox at a time, as the API
  reference reads (skipped with --no-per-mailbox, it is the slow one).

Each run must leave the same production state (items per mailbox) and no spec violation. The ratios
of wall times count, not the seconds.

    .venv/bin/python bench/bulk_role_vs_uri.py [--mailboxes 1000] [--latency-ms 20] [--no-per-mailbox]
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile

from common import run_playbook, start_simulator

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bulk_role')
RUNS = (('mailbox_bulk_restore role', 'role.yml'),
        ('uri, bulk endpoint', 'uri_bulk.yml'),
        ('uri, mailbox by mailbox', 'uri_per_mailbox.yml'))


def production_counts(sim):
    with sim.state.lock:
        return dict((mailbox, len(items)) for mailbox, items in sim.state.production.items())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mailboxes', type=int, default=1000)
    parser.add_argument('--latency-ms', type=float, default=20)
    parser.add_argument('--no-per-mailbox', action='store_true', help='leave out the slow uri run')
    args = parser.parse_args()
    runs = RUNS[:2] if args.no_per_mailbox else RUNS
    sim = start_simulator(bulk_mailboxes=args.mailboxes, latency_ms=args.latency_ms, restore_delay_ms=200)
    extra = {'BENCH_EXCHANGE_PASSWORD': secrets.token_urlsafe(16)}
    results, expected = [], None
    try:
        for label, name in runs:
            sim.state.reset()
            extra['BENCH_OUT'] = tempfile.mkdtemp(prefix='vb365-bench-report-')
            with open(os.path.join(HERE, name)) as handle:
                seconds, _proc = run_playbook(sim, handle.read(), extra)
            counts = production_counts(sim)
            if expected is None:
                expected = counts
            elif counts != expected:
                raise SystemExit('%s left another production state than the role' % label)
            if sim.state.violations:
                raise SystemExit('%s: spec violations:\n%s' % (label, '\n'.join(sim.state.violations[:10])))
            results.append((label, seconds, len(sim.state.requests)))
    finally:
        sim.stop()
    print('mailboxes: %d, simulator latency: %.0f ms per request, production items after each run: %d' % (
        args.mailboxes, args.latency_ms, sum(expected.values())))
    for label, seconds, requests in results:
        print('%-28s %8.1f s %6d API requests' % (label + ':', seconds, requests))
    base = results[0][1]
    for label, seconds, _requests in results[1:]:
        print('ratio: %s takes %.2f times the time of the role' % (label, seconds / base))


if __name__ == '__main__':
    main()
