"""run.py: start in the background, sim.json, stop; credentials only from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import requests

RUN = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'run.py')
USER, PASSWORD = 'cli-admin', 'Cli-Test-Pa55'


def run(*args, env=None):
    environment = dict(os.environ, VB365_USERNAME=USER, VB365_PASSWORD=PASSWORD)
    environment.update(env or {})
    environment = dict((k, v) for k, v in environment.items() if v is not None)
    return subprocess.run([sys.executable, RUN] + list(args), env=environment, capture_output=True, text=True,
                          timeout=90, check=False)


def test_start_answers_and_stop(tmp_path):
    state = str(tmp_path / 'state')
    started = run('start', '--state-dir', state, '--bulk-mailboxes', '3', '--token-lifetime', '120', '--latency-ms', '0')
    assert started.returncode == 0, started.stderr
    line = started.stdout.strip()
    assert '\n' not in line
    info = json.loads(line)
    try:
        assert set(info) == {'url', 'ca_path', 'pid', 'port'} and info['url'] == 'https://127.0.0.1:%d' % info['port']
        with open(os.path.join(state, 'sim.json')) as handle:
            assert json.load(handle) == info
        assert info['ca_path'] == os.path.join(state, 'ca.pem')
        assert oct(os.stat(os.path.join(state, 'server.key')).st_mode & 0o777) == '0o600'
        token = requests.post(info['url'] + '/v8/token', verify=info['ca_path'],
                              data={'grant_type': 'password', 'username': USER, 'password': PASSWORD,
                                    'disable_antiforgery_token': 'true'})
        assert token.status_code == 200 and token.json()['expires_in'] == 120
        on_disk = ''.join(open(os.path.join(state, name), errors='replace').read() for name in os.listdir(state))
        assert PASSWORD not in on_disk
    finally:
        stopped = run('stop', '--state-dir', state)
    assert stopped.returncode == 0 and not os.path.exists(os.path.join(state, 'sim.json'))
    assert run('stop', '--state-dir', state).returncode == 0  # nothing runs: still fine
    try:
        with open('/proc/%d/stat' % info['pid']) as handle:
            assert handle.read().rsplit(')', 1)[1].split()[0] == 'Z'  # exited; its reaper has not got to it yet
    except FileNotFoundError:
        pass


def test_start_without_credentials_fails_clearly(tmp_path):
    for missing in ('VB365_USERNAME', 'VB365_PASSWORD'):
        result = run('start', '--state-dir', str(tmp_path), env={missing: None})
        assert result.returncode == 1 and 'VB365_USERNAME and VB365_PASSWORD' in result.stderr
        assert not os.path.exists(os.path.join(str(tmp_path), 'sim.json'))
