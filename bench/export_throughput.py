"""Benchmark: a large PST export from the simulator over HTTPS, by mailbox_export, curl and ansible.builtin.uri.

One run, the same stream each time (the simulator's export_size_bytes knob sets its size). The
module is run the way Ansible runs it (a separate Python process with its arguments in a file), so
that its peak memory (max RSS) can be read; curl and uri are timed on the same stream.

    .venv/bin/python bench/export_throughput.py [--size-gib 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import requests

from common import ROOT, collection_path, run_playbook, start_simulator

MIB = 1024 * 1024


def token(sim):
    answer = requests.post(sim.url + '/v8/token', verify=sim.ca_path, data={
        'grant_type': 'password', 'username': sim.username, 'password': sim.password,
        'disable_antiforgery_token': 'true'})
    answer.raise_for_status()
    return answer.json()['access_token']


def open_session(sim, bearer):
    headers = {'Authorization': 'Bearer ' + bearer}
    orgs = requests.get(sim.url + '/v8/Organizations', headers=headers, verify=sim.ca_path).json()['results']
    org = [o for o in orgs if o['name'] == 'contoso.onmicrosoft.com'][0]
    session = requests.post(sim.url + '/v8/Organizations/%s/explore' % org['id'], json={'type': 'Vex'},
                            headers=headers, verify=sim.ca_path).json()
    boxes = requests.get(sim.url + '/v8/RestoreSessions/%s/organization/mailboxes' % session['id'],
                         headers=headers, verify=sim.ca_path).json()['results']
    bob = [m for m in boxes if m['email'] == 'bob@contoso.onmicrosoft.com'][0]
    return session['id'], bob['id']


def run_module(sim, session_id, dest):
    """mailbox_export in its own process; returns (seconds, result, max RSS in MiB)."""
    args = {'ANSIBLE_MODULE_ARGS': {
        'server': sim.url, 'username': sim.username, 'password': sim.password, 'ca_path': sim.ca_path,
        'session_id': session_id, 'mailbox': 'bob@contoso.onmicrosoft.com', 'dest': dest, 'force': True}}
    fd, path = tempfile.mkstemp(suffix='.json')
    with os.fdopen(fd, 'w') as handle:
        json.dump(args, handle)
    module = os.path.join(ROOT, 'plugins', 'modules', 'mailbox_export.py')
    env = dict(os.environ, PYTHONPATH=collection_path())
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, module, path], env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    os.remove(path)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result.get('failed'):
        raise SystemExit('module failed: %s' % result.get('msg'))
    return elapsed, result, max(peak, before) / 1024.0


def run_curl(sim, bearer, session_id, mailbox_id, dest):
    url = sim.url + '/v8/RestoreSessions/%s/organization/mailboxes/%s/exportToPst' % (session_id, mailbox_id)
    started = time.perf_counter()
    subprocess.run(['curl', '-sS', '--fail', '--cacert', sim.ca_path, '-X', 'POST', '-H', 'Authorization: Bearer ' + bearer,
                    '-H', 'Content-Type: application/json', '--data', '{}', '-o', dest, url], check=True)
    return time.perf_counter() - started


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
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size-gib', type=float, default=2)
    args = parser.parse_args()
    size = int(args.size_gib * 1024 * MIB)
    sim = start_simulator(bulk_mailboxes=10)
    sim.state.config['export_size_bytes'] = size
    work = tempfile.mkdtemp(prefix='vb365-bench-export-', dir=os.path.join(ROOT, '.tmp') if os.path.isdir(
        os.path.join(ROOT, '.tmp')) else None)
    try:
        bearer = token(sim)
        session_id, mailbox_id = open_session(sim, bearer)
        curl_s = run_curl(sim, bearer, session_id, mailbox_id, os.path.join(work, 'curl.pst'))
        os.remove(os.path.join(work, 'curl.pst'))
        module_s, result, peak_mib = run_module(sim, session_id, os.path.join(work, 'module.pst'))
        os.remove(os.path.join(work, 'module.pst'))
        url = sim.url + '/v8/RestoreSessions/%s/organization/mailboxes/%s/exportToPst' % (session_id, mailbox_id)
        uri_s, _proc = run_playbook(sim, URI % {'url': url, 'ca': sim.ca_path, 'bearer': bearer,
                                                'dest': os.path.join(work, 'uri.pst')})
        uri_ok = os.path.getsize(os.path.join(work, 'uri.pst')) == size
        os.remove(os.path.join(work, 'uri.pst'))
    finally:
        sim.stop()
    mib = size / MIB
    print('export size: %.0f MiB over HTTPS from the simulator' % mib)
    print('curl:            %6.1f s  %7.1f MiB/s' % (curl_s, mib / curl_s))
    print('mailbox_export:  %6.1f s  %7.1f MiB/s  (module process peak RSS %.0f MiB, sha256 %s...)' % (
        module_s, mib / module_s, peak_mib, result['sha256'][:12]))
    print('ansible.builtin.uri with dest: %6.1f s  %7.1f MiB/s  (complete: %s)' % (uri_s, mib / uri_s, uri_ok))
    print('mailbox_export reaches %.0f %% of curl\'s throughput' % (100.0 * curl_s / module_s))


if __name__ == '__main__':
    main()
