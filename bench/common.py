"""Shared plumbing of the benchmarks: a simulator in this process and timed ansible-playbook runs."""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulator'))

from vb365sim.server import Simulator  # noqa: E402  pylint: disable=wrong-import-position


# The CPUs that the benchmarked client processes run on (None: wherever the kernel puts them).
CLIENT_CPUS = None


def pin(server_cpus, client_cpus):
    """Keep this process (and the simulator's threads in it) on ``server_cpus`` and every client
    process started through ``client_preexec`` on ``client_cpus``: on a host of its own, a real
    server does not take the client's CPU time."""
    global CLIENT_CPUS  # pylint: disable=global-statement
    os.sched_setaffinity(0, server_cpus)
    CLIENT_CPUS = set(client_cpus)


def client_preexec():
    """The ``preexec_fn`` of a client process: pinned to CLIENT_CPUS when ``pin`` was called."""
    if CLIENT_CPUS is None:
        return None
    cpus = set(CLIENT_CPUS)
    return lambda: os.sched_setaffinity(0, cpus)


def collection_path():
    """A directory tree with ansible_collections/vb365/restore linked to this checkout."""
    base = os.path.join(tempfile.gettempdir(), 'vb365-bench-%s' % hashlib.sha1(ROOT.encode()).hexdigest()[:10])
    parent = os.path.join(base, 'ansible_collections', 'vb365')
    os.makedirs(parent, exist_ok=True)
    link = os.path.join(parent, 'restore')
    if not os.path.islink(link):
        os.symlink(ROOT, link)
    return base


def scratch_dir(prefix):
    """A directory for the files a benchmark writes, removed afterwards: under .tmp/ of the checkout
    when it exists (the disk the project works on), else in the system's temporary directory."""
    scratch = os.path.join(ROOT, '.tmp')
    return tempfile.TemporaryDirectory(prefix=prefix, dir=scratch if os.path.isdir(scratch) else None)


def rotated(items, round_index):
    """``items`` in the order of round ``round_index``: each item takes every position in turn."""
    shift = round_index % len(items)
    return items[shift:] + items[:shift]


def start_simulator(**kw):
    user, password = 'bench-%s' % secrets.token_hex(3), secrets.token_urlsafe(16)
    sim = Simulator(user, password, tempfile.mkdtemp(prefix='vb365-bench-'), **kw)
    sim.username, sim.password = user, password
    return sim.start()


def run_playbook(sim, playbook_text, extra_env=None):
    """Run a playbook against the simulator; return (seconds, completed process)."""
    fd, path = tempfile.mkstemp(suffix='.yml')
    with os.fdopen(fd, 'w') as handle:
        handle.write(playbook_text)
    env = dict(os.environ, VB365_SERVER=sim.url, VB365_USERNAME=sim.username, VB365_PASSWORD=sim.password,
               VB365_CA_PATH=sim.ca_path, ANSIBLE_COLLECTIONS_PATH=collection_path(),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1')
    env.update(extra_env or {})
    started = time.perf_counter()
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), path], env=env,
                          capture_output=True, text=True, check=False, preexec_fn=client_preexec())
    elapsed = time.perf_counter() - started
    os.remove(path)
    if proc.returncode != 0:
        raise SystemExit('playbook failed:\n%s\n%s' % (proc.stdout[-4000:], proc.stderr[-2000:]))
    return elapsed, proc
