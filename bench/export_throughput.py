"""Benchmark: one large PST export from the simulator over HTTPS, by mailbox_export, curl and ansible.builtin.uri.

All three fetch the same stream from one simulator in this run (its export_size_bytes knob sets the
size), in rounds, each round in another order; before each transfer the page cache is flushed
(os.sync), so that one tool's dirty pages do not slow the next one's writes. Medians are reported.

- mailbox_export runs as a new-style module in its own Python process (its arguments in a file, as
  Ansible passes them), so its memory is its own: the peak resident set size (VmHWM) is read from
  /proc while it runs. (getrusage's ru_maxrss of a child would count the memory of this process,
  the simulator's, which the child had at fork.) The module is also run on a small export: its peak
  memory must not depend on the size.
- curl writes the same stream to a file with a token from a login done beforehand.
- curl followed by sha256sum: a download that is verified, as the module's is.
- ansible.builtin.uri with dest runs through ansible-playbook; the wall time of a playbook with a
  debug task alone (Ansible's start) is subtracted to estimate its transfer.

With --pin the simulator stays on the first CPU and every client on the others, as when the server
is a host of its own: then the clients do not compete with the server for CPU time. Without it, on a
2-core machine, the simulator and the client share the two cores.

Goals (issue 6): mailbox_export reaches at least 90 % of curl's throughput; its peak memory stays
under 100 MiB whatever the size.

    .venv/bin/python bench/export_throughput.py [--size-gib 2] [--rounds 5] [--small-mib 64] [--pin]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

import common
from common import ROOT, client_preexec, collection_path, rotated, run_playbook, scratch_dir, start_simulator

MIB = 1024 * 1024
BOB = 'bob@contoso.onmicrosoft.com'
URI = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Download with uri
      ansible.builtin.uri:
        url: "%(url)s"
        method: POST
        ca_path: "%(ca)s"
        headers: {Authorization: "Bearer %(bearer)s"}
        body_format: json
        body: {}
        dest: "%(dest)s"
        timeout: 600
'''
EMPTY = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Nothing
      ansible.builtin.debug:
        msg: start
'''


class Setup:
    """A logged-in view of the simulator: bearer token, restore session and Bob's export URL."""

    def __init__(self, sim):
        self.sim = sim
        answer = requests.post(sim.url + '/v8/token', verify=sim.ca_path, timeout=30, data={
            'grant_type': 'password', 'username': sim.username, 'password': sim.password,
            'disable_antiforgery_token': 'true'})
        answer.raise_for_status()
        self.bearer = answer.json()['access_token']
        orgs = self.get('/v8/Organizations')['results']
        org = [o for o in orgs if o['name'] == 'contoso.onmicrosoft.com'][0]
        session = requests.post(sim.url + '/v8/Organizations/%s/explore' % org['id'], json={'type': 'Vex'},
                                headers=self.headers, verify=sim.ca_path, timeout=30).json()
        self.session_id = session['id']
        boxes = self.get('/v8/RestoreSessions/%s/organization/mailboxes' % self.session_id)['results']
        bob = [m for m in boxes if m['email'] == BOB][0]
        self.url = sim.url + '/v8/RestoreSessions/%s/organization/mailboxes/%s/exportToPst' % (self.session_id, bob['id'])

    @property
    def headers(self):
        return {'Authorization': 'Bearer ' + self.bearer}

    def get(self, path):
        return requests.get(self.sim.url + path, headers=self.headers, verify=self.sim.ca_path, timeout=30).json()


def peak_memory(pid, stop, found):
    """Poll VmHWM (the process's own peak RSS) of ``pid`` until ``stop`` is set."""
    while not stop.is_set():
        try:
            with open('/proc/%d/status' % pid) as handle:
                match = re.search(r'^VmHWM:\s+(\d+) kB', handle.read(), re.MULTILINE)
            if match:
                found[0] = max(found[0], int(match.group(1)))
        except OSError:
            pass
        stop.wait(0.005)


def run_module(sim, setup, dest):
    """mailbox_export in its own process; returns (wall seconds, result, peak RSS in MiB)."""
    args = {'ANSIBLE_MODULE_ARGS': {
        'server': sim.url, 'username': sim.username, 'password': sim.password, 'ca_path': sim.ca_path,
        'session_id': setup.session_id, 'mailbox': BOB, 'dest': dest, 'force': True, 'ledger_path': ''}}
    fd, path = tempfile.mkstemp(suffix='.json')
    with os.fdopen(fd, 'w') as handle:
        json.dump(args, handle)
    module = os.path.join(ROOT, 'plugins', 'modules', 'mailbox_export.py')
    env = dict(os.environ, PYTHONPATH=collection_path())
    stop, found = threading.Event(), [0]
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, module, path], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=client_preexec())
    watcher = threading.Thread(target=peak_memory, args=(proc.pid, stop, found))
    watcher.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    watcher.join()
    os.remove(path)
    result = json.loads(out.strip().splitlines()[-1]) if out.strip() else {'failed': True, 'msg': err[-2000:]}
    if result.get('failed'):
        raise SystemExit('module failed: %s' % result.get('msg'))
    return elapsed, result, found[0] / 1024.0


def run_curl(sim, setup, dest, verify=False):
    started = time.perf_counter()
    subprocess.run(['curl', '-sS', '--fail', '--cacert', sim.ca_path, '-X', 'POST', '-H',
                    'Authorization: Bearer ' + setup.bearer, '-H', 'Content-Type: application/json', '--data', '{}',
                    '-o', dest, setup.url], check=True, preexec_fn=client_preexec())
    if verify:
        subprocess.run(['sha256sum', dest], check=True, stdout=subprocess.DEVNULL, preexec_fn=client_preexec())
    return time.perf_counter() - started


def run_uri(sim, setup, dest):
    return run_playbook(sim, URI % {'url': setup.url, 'ca': sim.ca_path, 'bearer': setup.bearer, 'dest': dest})[0]


def measure(args, size):
    """Run every tool ``args.rounds`` times on one stream; returns the figures."""
    sim = start_simulator(bulk_mailboxes=10)
    scratch = scratch_dir('vb365-bench-export-')
    work = scratch.name
    figures = {'times': dict((k, []) for k in ('curl', 'curl_sha256sum', 'module', 'module_transfer', 'uri')),
               'peaks': [], 'served': None}
    times = figures['times']
    try:
        setup = Setup(sim)
        figures['ansible_start'] = statistics.median([run_playbook(sim, EMPTY)[0], run_playbook(sim, EMPTY)[0], run_playbook(sim, EMPTY)[0]])
        sim.state.config['export_size_bytes'] = args.small_mib * MIB
        small = run_module(sim, setup, os.path.join(work, 'small.pst'))
        figures['small_peak'] = small[2]
        os.remove(small[1]['dest'])
        sim.state.config['export_size_bytes'] = size
        for round_index in range(args.rounds):
            for tool in rotated(['curl', 'module', 'uri', 'curl_sha256sum'], round_index):
                dest = os.path.join(work, '%s.pst' % tool)
                os.sync()
                if tool.startswith('curl'):
                    times[tool].append(run_curl(sim, setup, dest, verify=tool == 'curl_sha256sum'))
                elif tool == 'module':
                    wall, result, peak = run_module(sim, setup, dest)
                    times['module'].append(wall)
                    times['module_transfer'].append(result['elapsed'])
                    figures['peaks'].append(peak)
                    if figures['served'] is None:
                        figures['served'] = sim.state.exports[-1]['_stream'].sha256()
                    assert result['sha256'] == figures['served'] and result['size'] == size, 'the module wrote other bytes'
                else:
                    times['uri'].append(run_uri(sim, setup, dest))
                assert os.path.getsize(dest) == size, '%s wrote %d bytes' % (tool, os.path.getsize(dest))
                os.remove(dest)
    finally:
        sim.stop()
        scratch.cleanup()
    return figures


def report(args, size, figures):
    mib = size / MIB
    times = figures['times']

    def median(key):
        return statistics.median(times[key])

    def line(label, seconds, note=''):
        print('%-34s %6.2f s  %7.1f MiB/s  %3.0f %% of curl%s' % (
            label, seconds, mib / seconds, 100.0 * median('curl') / seconds, note))

    print('export: %.0f MiB over HTTPS from the simulator, %d rounds, medians; each run (s): %s' % (
        mib, args.rounds, '; '.join('%s %s' % (k, ' '.join('%.2f' % t for t in v)) for k, v in times.items())))
    line('curl', median('curl'))
    line('curl, then sha256sum', median('curl_sha256sum'))
    line('mailbox_export, transfer', median('module_transfer'), ' (its own elapsed)')
    line('mailbox_export, whole process', median('module'), ' (Python start, login, lookups included)')
    line('ansible.builtin.uri dest, playbook', median('uri'))
    line('ansible.builtin.uri dest, estimate', max(median('uri') - figures['ansible_start'], 0.01),
         ' (playbook minus %.2f s of Ansible start)' % figures['ansible_start'])
    print('mailbox_export peak memory (VmHWM): %.0f MiB for %.0f MiB, %.0f MiB for %d MiB; sha256 %s' % (
        max(figures['peaks']), mib, figures['small_peak'], args.small_mib, figures['served']))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--size-gib', type=float, default=2)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--small-mib', type=int, default=64)
    parser.add_argument('--pin', action='store_true',
                        help='the simulator on CPU 0, every client on the other CPUs, as with a server on a host of its own')
    args = parser.parse_args()
    if args.pin:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            raise SystemExit('--pin needs at least 2 CPUs')
        common.pin({cpus[0]}, cpus[1:])
        print('pinned: the simulator on CPU %d, the clients on CPUs %s' % (cpus[0], ','.join(map(str, cpus[1:]))))
    size = int(args.size_gib * 1024 * MIB)
    report(args, size, measure(args, size))


if __name__ == '__main__':
    main()
