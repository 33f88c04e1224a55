# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""The session ledger: which restore session this collection opened, for which request, in which run.

The API does not say at which point in time a session was opened, so a session can only be reused
safely when we know we opened it with the same organization, point in time and options. It must
also never be handed to another run: that run may stop it while this one still works in it. So
every entry carries the id of the run that opened it, and ``get`` returns a session only to that
run. The ledger is a small JSON file on the host that runs the module (ids and times, never
credentials); every change happens under an exclusive ``fcntl`` lock, so parallel runs that share
the file never lose each other's entries. docs/decisions.md explains the run id.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import fcntl
import json
import os
import socket
import tempfile
import time

# Entries older than this are dropped when the ledger is written: no run lasts a week, and the
# server stops idle sessions long before.
MAX_AGE_SECONDS = 7 * 24 * 3600
# Environment variables that name a run, in order: the collection's own, then AWX / automation
# controller's job id (set in every job's environment).
RUN_ID_VARIABLES = ('VB365_RUN_ID', 'JOB_ID')
PLAYBOOK_COMMANDS = ('ansible-playbook', 'ansible')


def _proc_stat(pid):
    """(parent pid, start time in clock ticks since boot) of a process, from /proc; None if unknown."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            text = handle.read()
    except (OSError, ValueError):
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after its last ')'.
    fields = text[text.rfind(')') + 2:].split()
    try:
        return int(fields[1]), fields[19]
    except (IndexError, ValueError):
        return None


def _is_playbook_command(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            argv = handle.read().split(b'\0')
    except OSError:
        return False
    for arg in argv[:3]:
        name = os.path.basename(arg.decode('utf-8', 'replace'))
        if name in PLAYBOOK_COMMANDS:
            return True
    return False


def controller_run_id(start_pid=None):
    """The id of the ``ansible-playbook`` (or ``ansible``) process this module runs under, or None.

    Ansible's workers are forks of the controller process and look alike, so the topmost ancestor
    that is an Ansible command is the run. Its pid alone repeats after a reboot or in another
    container, so the id also holds the host name, the kernel's boot id and the process start time.
    None when the module does not run under the controller (another host, no /proc).
    """
    pid = start_pid or os.getppid()
    found = None
    seen = 0
    while pid and pid > 1 and seen < 64:
        seen += 1
        stat = _proc_stat(pid)
        if stat is None:
            break
        if _is_playbook_command(pid):
            found = (pid, stat[1])
        pid = stat[0]
    if found is None:
        return None
    try:
        with open('/proc/sys/kernel/random/boot_id') as handle:
            boot = handle.read().strip()[:8]
    except OSError:
        boot = 'noboot'
    return 'pid:%s:%s:%d:%s' % (socket.gethostname(), boot, found[0], found[1])


def current_run_id(explicit=None, environ=None):
    """The run this module belongs to: ``explicit`` (the ``run_id`` option), else VB365_RUN_ID, else
    AWX's JOB_ID, else the controller process; None when none can be told (then nothing is reused)."""
    if explicit not in (None, ''):
        return 'run:%s' % explicit
    environ = os.environ if environ is None else environ
    for name in RUN_ID_VARIABLES:
        if environ.get(name):
            return '%s:%s' % (name.lower(), environ[name])
    return controller_run_id()


class SessionLedger:
    """Entries ``{key: {"session": id, "run": run id, "opened": epoch seconds}}`` in a JSON file."""

    def __init__(self, path, run_id=None, clock=None):
        self.path = os.path.expanduser(path) if path else None
        self.run_id = run_id
        self._clock = clock or time.time

    @staticmethod
    def key(server, username, organization_id, point_in_time, show_deleted, show_all_versions):
        return '|'.join(str(x) for x in (server, (username or '').lower(), organization_id,
                                         point_in_time or 'latest', bool(show_deleted), bool(show_all_versions)))

    # ------------------------------------------------------------------ file and lock
    @contextlib.contextmanager
    def _locked(self):
        directory = os.path.dirname(self.path) or '.'
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
        handle = os.open(self.path + '.lock', os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            os.close(handle)

    def _load(self):
        if not self.path or not os.path.exists(self.path):
            return {}
        try:
            with open(self.path) as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        # An entry written before runs were recorded belongs to no run: it is never reused.
        return dict((k, v if isinstance(v, dict) else {'session': v, 'run': None, 'opened': 0})
                    for k, v in data.items() if isinstance(v, (dict, str)))

    def _write(self, data):
        directory = os.path.dirname(self.path) or '.'
        handle, tmp = tempfile.mkstemp(dir=directory, prefix='.sessions-')
        with os.fdopen(handle, 'w') as out:
            json.dump(data, out, indent=1, sort_keys=True)
        os.rename(tmp, self.path)

    def _change(self, key, entry):
        if not self.path:
            return
        with self._locked():
            data = self._load()
            oldest = self._clock() - MAX_AGE_SECONDS
            data = dict((k, v) for k, v in data.items() if (v.get('opened') or 0) >= oldest)
            if entry is None:
                if (data.get(key) or {}).get('run') == self.run_id:
                    data.pop(key, None)
            else:
                data[key] = entry
            self._write(data)

    # ------------------------------------------------------------------ the interface
    def entry_key(self, key):
        """Entries of several runs for one request live side by side: the run is part of the stored key."""
        return '%s|%s' % (key, self.run_id)

    def get(self, key):
        """The session this run opened for ``key``; None for another run's session or without a run id."""
        if self.run_id is None:
            return None
        entry = self._load().get(self.entry_key(key))
        if entry and entry.get('run') == self.run_id:
            return entry.get('session')
        return None

    def put(self, key, session_id):
        if self.run_id is None:
            return
        self._change(self.entry_key(key), {'session': session_id, 'run': self.run_id, 'opened': int(self._clock())})

    def remove(self, key):
        self._change(self.entry_key(key), None)

    def options_of(self, session_id):
        """What a session recorded here was opened with: point_in_time (None = latest), show_deleted,
        show_all_versions; None when this ledger does not know the session, or records it for several."""
        found = set()
        for key, entry in self._load().items():
            if entry.get('session') != session_id:
                continue
            parts = key.split('|')
            if len(parts) >= 6:
                found.add(tuple(parts[3:6]))
        if len(found) != 1:
            return None
        point_in_time, show_deleted, show_all_versions = found.pop()
        return {'point_in_time': None if point_in_time == 'latest' else point_in_time,
                'show_deleted': show_deleted == 'True', 'show_all_versions': show_all_versions == 'True'}
