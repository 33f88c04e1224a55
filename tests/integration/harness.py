"""The integration tests' harness: ansible-playbook runs whose task results come back as data,
the simulator's control API, and a check that a secret never reaches the output.

- ``run_playbook(playbook, ...)`` runs the venv's ``ansible-playbook`` on a playbook file or on
  YAML text, on the implicit localhost, with the collection resolved from a collection path and
  a clean Ansible configuration, and returns a ``PlaybookRun``: ``rc``, ``stdout``, ``stderr`` and
  ``tasks``, each task's result dict as the module returned it (``changed``, ``failed``, ``msg``
  and the module's own return values), recorded by the tiny callback in ``callback_plugins/``.
- ``Runner`` binds ``run_playbook`` to a simulator: VB365_SERVER, VB365_USERNAME,
  VB365_PASSWORD and VB365_CA_PATH point at it.
- ``session_play(tasks, opening, ...)`` is the YAML of a play that opens a restore session, runs
  tasks in it and always stops it; ``options(args, indent)`` writes a task's options as YAML.
- ``SimApi`` calls the simulator's control API, ``{url}/_sim/<name>``.
- ``assert_not_shown(secret, run)`` fails if the secret (or its URL- or JSON-encoded form) is in
  the run's stdout or stderr; the run must have been at ``-vvvv``.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
CALLBACKS = os.path.join(HERE, 'callback_plugins')
# The venv that runs pytest also runs ansible-playbook and, as ansible_python_interpreter, the
# modules (interpreter discovery would pick a pyenv shim on these machines).
BIN = os.path.dirname(sys.executable)
# Variables from the caller's environment that would change what a playbook run does.
INHERITED_PREFIXES = ('ANSIBLE_', 'VB365_')


def random_credentials():
    """A user name and a password made up for one test run (with characters that need encoding)."""
    return 'restore-admin-%s' % secrets.token_hex(3), 'Pw-%s!&%%' % secrets.token_urlsafe(12)


# ------------------------------------------------------------------------------ playbook runs
@dataclass
class PlaybookRun:
    """What one ``ansible-playbook`` run printed and what each task returned."""

    rc: int
    stdout: str
    stderr: str
    tasks: list = field(default_factory=list)  # [{'name', 'host', 'status', 'result'}] in run order
    verbosity: int = 0

    @property
    def output(self):
        return self.stdout + self.stderr

    @property
    def task_names(self):
        return [task['name'] for task in self.tasks]

    def results(self, name, host=None):
        """Every result of the task called ``name`` (several with loops over plays or retries)."""
        return [task['result'] for task in self.tasks
                if task['name'] == name and (host is None or task['host'] == host)]

    def result(self, name, host=None):
        """The result of the last run of the task called ``name``."""
        found = self.results(name, host)
        assert found, 'no task %r ran; the tasks that ran: %s\n%s\n%s' % (
            name, self.task_names, self.stdout[-4000:], self.stderr[-2000:])
        return found[-1]

    def status(self, name):
        """'ok', 'failed', 'skipped' or 'unreachable' for the last run of the task called ``name``."""
        found = [task['status'] for task in self.tasks if task['name'] == name]
        assert found, 'no task %r ran; the tasks that ran: %s' % (name, self.task_names)
        return found[-1]


def clean_environment():
    """``os.environ`` without the variables that would change a playbook run."""
    return dict((key, value) for key, value in os.environ.items() if not key.startswith(INHERITED_PREFIXES))


def run_playbook(playbook, extra_vars=None, env=None, check=False, verbosity=0, expect_rc=0, *,
                 collections, workdir, unset=(), diff=False, timeout=600):
    """Run ``ansible-playbook`` and return a ``PlaybookRun``.

    ``playbook`` is a path or YAML text (anything with a newline). ``collections`` is the
    collection path (the directory that holds ``ansible_collections``); ``workdir`` is the run's
    working directory, where its playbook, configuration, Ansible home and results file go.
    ``env`` adds variables, ``unset`` removes them. With ``expect_rc`` (None: any), a different
    exit code fails the test and shows the output.
    """
    os.makedirs(workdir, exist_ok=True)
    if '\n' in playbook:
        fd, path = tempfile.mkstemp(prefix='playbook-', suffix='.yml', dir=workdir)
        with os.fdopen(fd, 'w') as handle:
            handle.write(playbook)
        playbook = path
    fd, results = tempfile.mkstemp(prefix='results-', suffix='.jsonl', dir=workdir)
    os.close(fd)
    # An empty configuration file, so that no ~/.ansible.cfg or /etc/ansible/ansible.cfg applies.
    config = os.path.join(workdir, 'ansible.cfg')
    if not os.path.exists(config):
        with open(config, 'w') as handle:
            handle.write('[defaults]\n')

    full_env = clean_environment()
    full_env.update({
        'ANSIBLE_CONFIG': config,
        'ANSIBLE_HOME': os.path.join(workdir, 'ansible-home'),
        'ANSIBLE_COLLECTIONS_PATH': collections,
        'ANSIBLE_CALLBACK_PLUGINS': CALLBACKS,
        'ANSIBLE_CALLBACKS_ENABLED': 'task_results',
        'VB365_TEST_RESULTS': results,
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'ANSIBLE_LOCALHOST_WARNING': 'false',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_RETRY_FILES_ENABLED': 'false',
    })
    full_env.update(env or {})
    for name in unset:
        full_env.pop(name, None)

    cmd = [os.path.join(BIN, 'ansible-playbook'), playbook]
    if extra_vars:
        cmd += ['--extra-vars', json.dumps(extra_vars)]
    if check:
        cmd.append('--check')
    if diff:
        cmd.append('--diff')
    if verbosity:
        cmd.append('-' + 'v' * verbosity)
    proc = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=timeout, cwd=workdir,
                          stdin=subprocess.DEVNULL, check=False)
    with open(results) as handle:
        tasks = [json.loads(line) for line in handle if line.strip()]
    run = PlaybookRun(proc.returncode, proc.stdout, proc.stderr, tasks, verbosity)
    if expect_rc is not None:
        assert proc.returncode == expect_rc, 'ansible-playbook exited %s, expected %s\n--- stdout\n%s\n--- stderr\n%s' % (
            proc.returncode, expect_rc, proc.stdout[-6000:], proc.stderr[-3000:])
    return run


class Runner:
    """``run(playbook, ...)``: ``run_playbook`` connected to the simulator ``sim``."""

    def __init__(self, sim, collections, workdir):
        self.sim, self.collections, self.workdir = sim, collections, workdir
        self.env = {}
        if sim is not None:
            self.env = {
                'VB365_SERVER': sim.url, 'VB365_USERNAME': sim.username, 'VB365_PASSWORD': sim.password,
                'VB365_CA_PATH': sim.ca_path,
                'VB365_SESSION_LEDGER': os.path.join(workdir, 'ledger.json'),
            }

    def run(self, playbook, extra_vars=None, env=None, check=False, verbosity=0, expect_rc=0, **options):
        full_env = dict(self.env)
        full_env.update(env or {})
        return run_playbook(playbook, extra_vars, full_env, check, verbosity, expect_rc,
                            collections=self.collections, workdir=self.workdir, **options)

    __call__ = run


# ------------------------------------------------------------------------------ secrets
def options(args, indent):
    """The YAML lines of a task's options ``args``, ``indent`` spaces in (each value as JSON, which YAML reads)."""
    return ''.join('%s%s: %s\n' % (' ' * indent, key, json.dumps(value)) for key, value in args.items())


SESSION_PLAY = '''
- hosts: localhost
  gather_facts: false
%(play)s  tasks:
    - name: Open
      vb365.restore.restore_session:
%(opening)s      register: rs
%(open_keys)s    - name: %(block)s
      block:
%(tasks)s
      always:
        - name: Stop
          vb365.restore.restore_session:
            session_id: "{{ rs.session.id }}"
            state: absent
%(stop_keys)s'''


def session_play(tasks, opening, play='', check_mode=None, stop_when=None, block='Work'):
    """The YAML of a play that opens a restore session with the options ``opening`` (a dict; the task
    ``Open``, registered as ``rs``), runs ``tasks`` (the YAML of tasks, 8 spaces in, that find the
    session's id in ``rs.session.id``) in the block ``block``, and always stops the session (``Stop``).

    ``play``: more keys of the play (YAML, 2 spaces in: ``vars``, ``module_defaults``);
    ``check_mode``: the ``check_mode`` of ``Open`` and ``Stop``; ``stop_when``: the condition of ``Stop``.
    """
    keys = '' if check_mode is None else 'check_mode: %s\n' % json.dumps(check_mode)
    return SESSION_PLAY % {
        'play': play, 'opening': options(opening, 8), 'open_keys': keys and '      ' + keys, 'block': block,
        'tasks': tasks.rstrip('\n'),
        'stop_keys': (keys and '          ' + keys) + ('          when: %s\n' % stop_when if stop_when else ''),
    }


def encodings(secret):
    """The forms in which a secret could leak: as is, URL-encoded (form bodies, query strings), JSON-escaped."""
    return {secret, quote(secret, safe=''), quote_plus(secret), json.dumps(secret)[1:-1]}


def assert_not_shown(secret, run, min_verbosity=4):
    """Fail if ``secret`` is anywhere in the run's stdout or stderr; the run must be at -vvvv or more."""
    assert secret, 'assert_not_shown needs the secret to look for'
    assert run.verbosity >= min_verbosity, 'run the playbook with verbosity=%d: secrets leak in verbose output' % min_verbosity
    for stream, text in (('stdout', run.stdout), ('stderr', run.stderr)):
        for form in encodings(secret):
            at = text.find(form)
            if at >= 0:
                line_start = text.rfind('\n', 0, at) + 1
                line_end = text.find('\n', at)
                line = text[line_start:line_end if line_end >= 0 else len(text)].replace(form, '<THE SECRET>')
                raise AssertionError('the secret is in the %s of ansible-playbook -%s, line %d:\n%s' % (
                    stream, 'v' * run.verbosity, text.count('\n', 0, at) + 1, line[:500]))


# ------------------------------------------------------------------------------ simulator
class SimApi:
    """The simulator's control API: ``get('requests')``, ``post('faults', {...})``, ``post('reset')``..."""

    def __init__(self, url, ca_path):
        self.url, self.ca_path = url, ca_path
        self.http = requests.Session()

    def _call(self, method, name, body=None):
        # verify= on every call: REQUESTS_CA_BUNDLE in the environment would override session.verify.
        response = self.http.request(method, '%s/_sim/%s' % (self.url, name), json=body, verify=self.ca_path,
                                     timeout=30)
        assert response.ok, '%s /_sim/%s: HTTP %s %s' % (method, name, response.status_code, response.text[:500])
        return response.json()

    def get(self, name):
        return self._call('GET', name)

    def post(self, name, body=None):
        return self._call('POST', name, body)

    def delete(self, name):
        return self._call('DELETE', name)

    def fault(self, **rule):
        """One fault rule, e.g. ``fault(method='GET', path='^/v8/Organizations$', status=503, times=2)``."""
        return self.post('faults', {'rules': [rule]})

    def config(self, **values):
        return self.post('config', values)

    def production(self, email, archive=False):
        """The items of a mailbox in production (what restores wrote there)."""
        return self.get('production/%s%s' % (email, '?archive=1' if archive else ''))

    def choice(self, name):
        """The value of one server-model choice the simulator plays now (see vb365sim/models.py)."""
        from vb365sim.models import choices_of  # pylint: disable=import-outside-toplevel
        config = self.get('config')
        return config[name] if config.get(name) is not None else choices_of(config['server_model'])[name]

    def working_sessions(self, kind='explore'):
        return [s for s in self.get('sessions') if s['state'] == 'Working' and s['kind'] == kind]

    def api_requests(self, method=None, contains=''):
        """The API requests the simulator received, optionally only one method and paths containing a text."""
        return [r for r in self.get('requests')
                if (method is None or r['method'] == method) and contains in r['path']]

    def close(self):
        self.http.close()
