"""Run playbooks against the simulator and read what each task returned."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)


class SimApi:
    """The simulator's control API (``/_sim/...``)."""

    def __init__(self, url, ca_path):
        self.url, self.ca_path = url, ca_path
        self.http = requests.Session()

    def _call(self, method, name, body=None):
        response = self.http.request(method, '%s/_sim/%s' % (self.url, name), json=body, verify=self.ca_path, timeout=30)
        response.raise_for_status()
        return response.json()

    def get(self, name):
        return self._call('GET', name)

    def post(self, name, body=None):
        return self._call('POST', name, body)

    def delete(self, name):
        return self._call('DELETE', name)

    def fault(self, **rule):
        return self.post('faults', {'rules': [rule]})

    def config(self, **values):
        return self.post('config', values)

    def production(self, email, archive=False):
        return self.get('production/%s%s' % (email, '?archive=1' if archive else ''))

    def working_sessions(self, kind='explore'):
        return [s for s in self.get('sessions') if s['state'] == 'Working' and s['kind'] == kind]

    def api_requests(self, method=None, contains=''):
        return [r for r in self.get('requests')
                if (method is None or r['method'] == method) and contains in r['path']]


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str
    tasks: list = field(default_factory=list)

    def result(self, name):
        """The result of the last run of the task called ``name``."""
        found = [t for t in self.tasks if t['task'] == name]
        assert found, 'no task %r ran; tasks: %s\n%s' % (name, [t['task'] for t in self.tasks], self.stdout[-3000:])
        return found[-1]['result']

    @property
    def output(self):
        return self.stdout + self.stderr


class Runner:
    """``run(playbook)``: ansible-playbook with the simulator's connection in the environment."""

    def __init__(self, sim, collections, workdir):
        self.sim, self.collections, self.workdir = sim, collections, workdir
        self.env = {
            'VB365_SERVER': sim.url, 'VB365_USERNAME': sim.username, 'VB365_PASSWORD': sim.password,
            'VB365_CA_PATH': sim.ca_path, 'VB365_SESSION_LEDGER': os.path.join(workdir, 'ledger.json'),
        }

    def run(self, playbook, extra_vars=None, env=None, check=False, verbosity=0, expect_rc=0, unset=()):
        if '\n' in playbook:
            fd, path = tempfile.mkstemp(suffix='.yml', dir=self.workdir)
            with os.fdopen(fd, 'w') as handle:
                handle.write(playbook)
            playbook = path
        fd, results = tempfile.mkstemp(suffix='.jsonl', dir=self.workdir)
        os.close(fd)
        full_env = dict(os.environ)
        full_env.update({
            'ANSIBLE_COLLECTIONS_PATH': self.collections,
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'task_results',
            'ANSIBLE_LOCALHOST_WARNING': 'false', 'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable, 'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false', 'ANSIBLE_HOME': os.path.join(self.workdir, 'ansible-home'),
            'VB365_TEST_RESULTS': results,
        })
        full_env.update(self.env)
        full_env.update(env or {})
        for name in unset:
            full_env.pop(name, None)
        cmd = [os.path.join(BIN, 'ansible-playbook'), playbook]
        if extra_vars:
            cmd += ['-e', json.dumps(extra_vars)]
        if check:
            cmd.append('--check')
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        proc = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=600, cwd=self.workdir,
                              check=False)
        tasks = []
        if os.path.exists(results):
            with open(results) as handle:
                tasks = [json.loads(line) for line in handle if line.strip()]
        run = PlaybookRun(proc.returncode, proc.stdout, proc.stderr, tasks)
        if expect_rc is not None:
            assert proc.returncode == expect_rc, 'ansible-playbook exited %s, expected %s\n%s\n%s' % (
                proc.returncode, expect_rc, proc.stdout[-6000:], proc.stderr[-3000:])
        return run


def random_credentials():
    return 'restore-admin-%s' % secrets.token_hex(3), 'Pw-%s!' % secrets.token_urlsafe(12)
