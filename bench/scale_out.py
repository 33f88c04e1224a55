"""Benchmark: a tenant-wide restore of N mailboxes three ways, and the mailboxes inventory plugin at size.

Against one simulator with the same latency per request (default 20 ms), one run after the other in
this process, the simulator reset between them:

- role: the mailbox_bulk_restore role in one run from localhost (bench/bulk_role/role.yml);
- slices: the same mailboxes as hosts of the vb365.restore.mailboxes inventory, split into S slices the
  way AWX job slicing splits an inventory (host i goes to slice i mod S), run as S concurrent
  ``ansible-playbook --limit @slice-file`` processes of playbooks/mailbox_bulk_restore_sliced.yml with a
  shared journal. The inventory is read once beforehand into the inventory cache (AWX reads it once in
  an inventory update, not once per slice); that read is timed on its own;
- uri: the hand-written ansible.builtin.uri runbook through the bulk endpoint (bench/bulk_role/uri_bulk.yml).

For each: wall time, API requests, the controller's peak memory (the largest resident set of any one
process, and for the slices the sum of the S processes' peaks), the report's size and the time the
tasks that write it took (from bench/callback_plugins/task_times.py), and the slowest tasks. Every
run must leave the same production state. The ratios of wall times count, not the seconds.

With ``--inventory-sizes`` it also times ``ansible-inventory --list`` of the plugin against
simulators of that many mailboxes.

    .venv/bin/python bench/scale_out.py [--mailboxes 1000] [--latency-ms 20] [--slices 4]
        [--runs role,slices,uri] [--inventory-sizes 10000,50000]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

from bulk_role_vs_uri import production_counts
from common import ROOT, client_preexec, collection_path, start_simulator

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)
SLICED = os.path.join(ROOT, 'playbooks', 'mailbox_bulk_restore_sliced.yml')
REPORT_TASKS = ('Complete the report', 'Create the report directory', 'Write the JSON report',
                'Write the JSON and HTML reports', 'Write the HTML report', 'Write the report')
EXCHANGE_PASSWORD = 'bench-exchange-%d' % os.getpid()


def environment(sim, workdir, times):
    return dict(os.environ, VB365_SERVER=sim.url, VB365_USERNAME=sim.username, VB365_PASSWORD=sim.password,
                VB365_CA_PATH=sim.ca_path, ANSIBLE_COLLECTIONS_PATH=collection_path(),
                ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='false',
                ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1',
                ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'), ANSIBLE_CALLBACKS_ENABLED='task_times',
                BENCH_TASK_TIMES=times, BENCH_OUT=os.path.join(workdir, 'reports'),
                BENCH_EXCHANGE_PASSWORD=EXCHANGE_PASSWORD)


def timed(cmd, env, cwd):
    """Start ``cmd`` under GNU time; returns the Popen and the file GNU time writes the peak RSS (KiB) to."""
    fd, rss = tempfile.mkstemp(suffix='.rss')
    os.close(fd)
    proc = subprocess.Popen(['/usr/bin/time', '-f', '%M', '-o', rss] + cmd, env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=client_preexec())
    return proc, rss


def finish(proc, rss):
    output = proc.communicate()[0]
    with open(rss) as handle:
        peak = int(handle.read().split()[-1])
    os.remove(rss)
    if proc.returncode != 0:
        raise SystemExit('run failed:\n%s' % output[-5000:])
    return peak


def task_times(path):
    totals = collections.OrderedDict()
    if os.path.exists(path):
        with open(path) as handle:
            for line in handle:
                entry = json.loads(line)
                totals[entry['task']] = totals.get(entry['task'], 0.0) + entry['seconds']
    return totals


def report_size(directory):
    size = 0
    for name in os.listdir(directory) if os.path.isdir(directory) else []:
        if name.endswith(('.json', '.html')):
            size += os.path.getsize(os.path.join(directory, name))
    return size


def write_inventory(workdir, cache_dir):
    path = os.path.join(workdir, 'tailspin.vb365.yml')
    with open(path, 'w') as handle:
        json.dump({'plugin': 'vb365.restore.mailboxes', 'organization': 'tailspin.onmicrosoft.com',
                   'point_in_time': '2026-11-17', 'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile',
                   'cache_connection': cache_dir, 'cache_timeout': 3600}, handle)
    return path


def run_role(sim, workdir, times):
    playbook = os.path.join(HERE, 'bulk_role', 'role.yml')
    started = time.perf_counter()
    peak = finish(*timed([os.path.join(BIN, 'ansible-playbook'), playbook], environment(sim, workdir, times), workdir))
    return time.perf_counter() - started, peak, peak


def run_uri(sim, workdir, times):
    os.makedirs(os.path.join(workdir, 'reports'), exist_ok=True)
    playbook = os.path.join(HERE, 'bulk_role', 'uri_bulk.yml')
    started = time.perf_counter()
    peak = finish(*timed([os.path.join(BIN, 'ansible-playbook'), playbook], environment(sim, workdir, times), workdir))
    return time.perf_counter() - started, peak, peak


def read_inventory(sim, workdir, times, inventory, refresh=True):
    cmd = [os.path.join(BIN, 'ansible-inventory'), '-i', inventory, '--list', '--output', os.path.join(workdir, 'inv.json')]
    if refresh:
        cmd.insert(-2, '--flush-cache')
    started = time.perf_counter()
    peak = finish(*timed(cmd, environment(sim, workdir, times), workdir))
    return time.perf_counter() - started, peak


def run_slices(sim, workdir, times, slices, mailboxes):
    inventory = write_inventory(workdir, os.path.join(workdir, 'inventory-cache'))
    inventory_seconds, inventory_peak = read_inventory(sim, workdir, times + '.inventory', inventory)
    hosts = ['user%04d@tailspin.onmicrosoft.com' % n for n in range(1, mailboxes + 1)]
    procs = []
    extra = {'mailbox_bulk_restore_report_dir': os.path.join(workdir, 'reports'),
             'mailbox_bulk_restore_journal': os.path.join(workdir, 'tailspin.journal'),
             'mailbox_bulk_restore_point_in_time': '2026-11-17',
             'mailbox_bulk_restore_exchange_credentials': {'username': 'restore-operator@tailspin.onmicrosoft.com',
                                                           'password': EXCHANGE_PASSWORD}}
    started = time.perf_counter()
    for index in range(slices):
        limit = os.path.join(workdir, 'slice-%d.txt' % index)
        with open(limit, 'w') as handle:
            handle.write('\n'.join(hosts[index::slices]) + '\n')
        cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory, SLICED, '--limit', '@' + limit,
               '--extra-vars', json.dumps(dict(extra, mailbox_bulk_restore_slice_name='slice%d' % index))]
        procs.append(timed(cmd, environment(sim, workdir, '%s.%d' % (times, index)), workdir))
    peaks = [finish(proc, rss) for proc, rss in procs]
    seconds = time.perf_counter() - started
    return seconds, max(peaks), sum(peaks), inventory_seconds, inventory_peak


def inventory_at_size(size, latency_ms):
    sim = start_simulator(bulk_mailboxes=size, latency_ms=latency_ms)
    try:
        with tempfile.TemporaryDirectory(prefix='vb365-bench-inv-') as workdir:
            inventory = write_inventory(workdir, os.path.join(workdir, 'cache'))
            seconds, peak = read_inventory(sim, workdir, os.path.join(workdir, 'times'), inventory)
            cached, cached_peak = read_inventory(sim, workdir, os.path.join(workdir, 'times'), inventory, refresh=False)
            with open(os.path.join(workdir, 'inv.json')) as handle:
                hosts = len(json.load(handle)['_meta']['hostvars'])
            requests = len(sim.state.requests)
    finally:
        sim.stop()
    return hosts, seconds, peak, cached, cached_peak, requests


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mailboxes', type=int, default=1000)
    parser.add_argument('--latency-ms', type=float, default=20)
    parser.add_argument('--slices', type=int, default=4)
    parser.add_argument('--runs', default='role,slices,uri')
    parser.add_argument('--inventory-sizes', default='')
    args = parser.parse_args()
    runs = [r for r in args.runs.split(',') if r]
    rows, expected = [], None
    if runs:
        sim = start_simulator(bulk_mailboxes=args.mailboxes, latency_ms=args.latency_ms, restore_delay_ms=200)
        try:
            for name in runs:
                sim.state.reset()
                with tempfile.TemporaryDirectory(prefix='vb365-bench-scale-') as workdir:
                    times = os.path.join(workdir, 'times.jsonl')
                    extra = ''
                    if name == 'role':
                        seconds, peak, total = run_role(sim, workdir, times)
                    elif name == 'uri':
                        seconds, peak, total = run_uri(sim, workdir, times)
                    else:
                        seconds, peak, total, inv_s, inv_peak = run_slices(
                            sim, workdir, times, args.slices, args.mailboxes)
                        extra = 'inventory read once before: %.1f s, %d MiB' % (inv_s, inv_peak // 1024)
                    per_task = collections.Counter()
                    for candidate in os.listdir(workdir):
                        if candidate.startswith('times.jsonl') and not candidate.endswith('.inventory'):
                            per_task.update(task_times(os.path.join(workdir, candidate)))
                    report_s = sum(v for k, v in per_task.items() if k.split(' : ')[-1] in REPORT_TASKS)
                    size = report_size(os.path.join(workdir, 'reports'))
                    requests = len(sim.state.requests)
                    counts = production_counts(sim)
                    if expected is None:
                        expected = counts
                    elif counts != expected:
                        raise SystemExit('%s left another production state than the first run' % name)
                    if sim.state.violations:
                        raise SystemExit('%s: spec violations:\n%s' % (name, '\n'.join(sim.state.violations[:10])))
                    slowest = per_task.most_common(4)
                    rows.append((name, seconds, requests, peak, total, size, report_s, slowest, extra))
        finally:
            sim.stop()
        print('mailboxes: %d, simulator latency: %.0f ms per request, %d slices' % (
            args.mailboxes, args.latency_ms, args.slices))
        for name, seconds, requests, peak, total, size, report_s, slowest, extra in rows:
            print('%-7s %7.1f s  %6d API requests  peak RSS %4d MiB (all processes %4d MiB)  report %7.1f KiB '
                  'written in %5.2f s' % (name + ':', seconds, requests, peak // 1024, total // 1024, size / 1024.0,
                                          report_s))
            print('        slowest tasks (summed over processes): %s' % '; '.join(
                '%s %.1f s' % (task, secs) for task, secs in slowest))
            if extra:
                print('        %s' % extra)
        base = dict((row[0], row[1]) for row in rows).get('uri')
        if base:
            for row in rows:
                if row[0] != 'uri':
                    print('ratio: %s takes %.2f times the time of the uri runbook' % (row[0], row[1] / base))
    for size in [int(s) for s in args.inventory_sizes.split(',') if s]:
        hosts, seconds, peak, cached, cached_peak, requests = inventory_at_size(size, args.latency_ms)
        print('inventory of %d mailboxes (%d hosts): %.1f s, peak RSS %d MiB, %d API requests; from the cache: '
              '%.1f s, %d MiB' % (size, hosts, seconds, peak // 1024, requests, cached, cached_peak // 1024))


if __name__ == '__main__':
    main()
