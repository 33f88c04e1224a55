"""Start, serve or stop the VB365 API simulator.

  run.py start --state-dir DIR [options]   start in the background; writes DIR/sim.json and prints it
  run.py serve --state-dir DIR [options]   serve in the foreground (what start runs)
  run.py stop --state-dir DIR              stop the one started in DIR (exit 0 also when none runs)

Options: --port (0: any free port), --latency-ms, --token-lifetime (s), --bulk-mailboxes,
--restore-delay-ms, --seed, --no-strict, --server-model (see docs/simulator.md; default: the
VB365_SIM_MODEL environment variable, else reference).  The API credentials it accepts come from
VB365_USERNAME and VB365_PASSWORD; they are never written to disk.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
START_TIMEOUT = 60

from vb365sim.models import MODELS  # noqa: E402  (after the path is set)


def options(parser):
    parser.add_argument('--state-dir', required=True)
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--latency-ms', type=float, default=0)
    parser.add_argument('--token-lifetime', type=int, default=3600)
    parser.add_argument('--bulk-mailboxes', type=int, default=1000)
    parser.add_argument('--restore-delay-ms', type=int, default=None)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--no-strict', action='store_true')
    parser.add_argument('--server-model', choices=sorted(MODELS), default=os.environ.get('VB365_SIM_MODEL') or None)


def fail(message):
    sys.stderr.write('run.py: %s\n' % message)
    sys.exit(1)


def credentials():
    user, password = os.environ.get('VB365_USERNAME'), os.environ.get('VB365_PASSWORD')
    if not user or not password:
        fail('set VB365_USERNAME and VB365_PASSWORD in the environment: the API credentials the simulator accepts')
    return user, password


def info_path(state_dir):
    return os.path.join(state_dir, 'sim.json')


def read_info(state_dir):
    try:
        with open(info_path(state_dir)) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def is_our_simulator(pid):
    """True when ``pid`` runs this script (a stale sim.json may name a reused pid)."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return b'run.py' in handle.read()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc: trust the pid


def alive(pid):
    """True while ``pid`` runs (a zombie waiting for its parent to reap it has stopped running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (OSError, IndexError):
        return True


def serve(args):
    from vb365sim.server import Simulator  # pylint: disable=import-outside-toplevel
    user, password = credentials()
    os.makedirs(args.state_dir, exist_ok=True)
    sim = Simulator(user, password, args.state_dir, port=args.port, latency_ms=args.latency_ms,
                    token_lifetime=args.token_lifetime, bulk_mailboxes=args.bulk_mailboxes, strict=not args.no_strict,
                    seed=args.seed, restore_delay_ms=args.restore_delay_ms, server_model=args.server_model)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *a: stopping.append(1))
    sim.start()
    info = {'url': sim.url, 'ca_path': sim.ca_path, 'pid': os.getpid(), 'port': sim.port}
    tmp = info_path(args.state_dir) + '.tmp'
    with open(tmp, 'w') as handle:
        json.dump(info, handle)
    os.replace(tmp, info_path(args.state_dir))
    sys.stdout.write('vb365sim: serving %s (state in %s)\n' % (sim.url, args.state_dir))
    sys.stdout.flush()
    try:
        while not stopping:
            time.sleep(0.2)
    finally:
        sim.stop()
        current = read_info(args.state_dir)
        if current and current.get('pid') == os.getpid():
            os.remove(info_path(args.state_dir))
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(0)  # skip tearing down the dataset object by object


def answers(info):
    context = ssl.create_default_context(cafile=info['ca_path'])
    try:
        with urllib.request.urlopen(info['url'] + '/_sim/health', context=context, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def start(args):
    credentials()
    os.makedirs(args.state_dir, exist_ok=True)
    stop(args)  # one simulator per state directory
    argv = [sys.executable, os.path.abspath(__file__), 'serve', '--state-dir', args.state_dir, '--port', str(args.port),
            '--latency-ms', str(args.latency_ms), '--token-lifetime', str(args.token_lifetime),
            '--bulk-mailboxes', str(args.bulk_mailboxes), '--seed', str(args.seed)]
    if args.restore_delay_ms is not None:
        argv += ['--restore-delay-ms', str(args.restore_delay_ms)]
    if args.no_strict:
        argv.append('--no-strict')
    if args.server_model:
        argv += ['--server-model', args.server_model]
    log_path = os.path.join(args.state_dir, 'sim.log')
    with open(log_path, 'ab') as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
                                cwd=HERE)
    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline:
        info = read_info(args.state_dir)
        if info and info.get('pid') == proc.pid and answers(info):
            print(json.dumps(info))
            return 0
        if proc.poll() is not None:
            fail('the simulator exited with status %s; see %s' % (proc.returncode, log_path))
        time.sleep(0.1)
    proc.terminate()
    fail('the simulator did not answer within %d s; see %s' % (START_TIMEOUT, log_path))
    return 1


def stop(args):
    info = read_info(args.state_dir)
    if not info:
        return 0
    pid = int(info.get('pid') or 0)
    if pid > 0 and pid != os.getpid() and alive(pid) and is_our_simulator(pid):
        try:
            os.kill(pid, signal.SIGTERM)
            deadline = time.time() + 15
            while alive(pid) and time.time() < deadline:
                time.sleep(0.05)
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.remove(info_path(args.state_dir))
    except FileNotFoundError:
        pass
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    for name in ('start', 'serve'):
        options(sub.add_parser(name))
    sub.add_parser('stop').add_argument('--state-dir', required=True)
    args = parser.parse_args()
    args.state_dir = os.path.abspath(args.state_dir)
    return {'start': start, 'serve': serve, 'stop': stop}[args.command](args) or 0


if __name__ == '__main__':
    sys.exit(main())
