"""Start, serve or stop the VB365 API simulator.

  run.py start --state-dir DIR [options]   start in the background; writes DIR/sim.json and prints it
  run.py serve --state-dir DIR [options]   serve in the foreground
  run.py stop --state-dir DIR              stop the one started in DIR

The API credentials it accepts come from VB365_USERNAME and VB365_PASSWORD; they are never written to disk.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def options(parser):
    parser.add_argument('--state-dir', required=True)
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--latency-ms', type=float, default=0)
    parser.add_argument('--token-lifetime', type=int, default=3600)
    parser.add_argument('--bulk-mailboxes', type=int, default=1000)
    parser.add_argument('--restore-delay-ms', type=int, default=None)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--no-strict', action='store_true')


def credentials():
    user, password = os.environ.get('VB365_USERNAME'), os.environ.get('VB365_PASSWORD')
    if not user or not password:
        sys.exit('run.py: set VB365_USERNAME and VB365_PASSWORD: the credentials the simulator accepts')
    return user, password


def serve(args):
    from vb365sim.server import Simulator  # pylint: disable=import-outside-toplevel
    user, password = credentials()
    sim = Simulator(user, password, args.state_dir, port=args.port, latency_ms=args.latency_ms,
                    token_lifetime=args.token_lifetime, bulk_mailboxes=args.bulk_mailboxes, strict=not args.no_strict,
                    seed=args.seed, restore_delay_ms=args.restore_delay_ms)
    sim.start()
    info = {'url': sim.url, 'ca_path': sim.ca_path, 'pid': os.getpid(), 'port': sim.port}
    tmp = os.path.join(args.state_dir, 'sim.json.tmp')
    with open(tmp, 'w') as handle:
        json.dump(info, handle)
    os.rename(tmp, os.path.join(args.state_dir, 'sim.json'))
    stopping = []
    signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *a: stopping.append(1))
    while not stopping:
        time.sleep(0.2)
    sim.stop()


def start(args):
    credentials()
    os.makedirs(args.state_dir, exist_ok=True)
    info_path = os.path.join(args.state_dir, 'sim.json')
    if os.path.exists(info_path):
        os.remove(info_path)
    argv = [sys.executable, os.path.abspath(__file__), 'serve'] + sys.argv[2:]
    log = open(os.path.join(args.state_dir, 'sim.log'), 'ab')
    proc = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(info_path):
            with open(info_path) as handle:
                print(handle.read())
            return 0
        if proc.poll() is not None:
            log_path = os.path.join(args.state_dir, 'sim.log')
            sys.exit('run.py: the simulator exited with %s; see %s' % (proc.returncode, log_path))
        time.sleep(0.1)
    proc.terminate()
    sys.exit('run.py: the simulator did not start within 60 s')


def stop(args):
    info_path = os.path.join(args.state_dir, 'sim.json')
    if not os.path.exists(info_path):
        return 0
    with open(info_path) as handle:
        pid = json.load(handle)['pid']
    try:
        os.kill(pid, signal.SIGTERM)
        for _attempt in range(100):
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.remove(info_path)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    for name in ('start', 'serve'):
        options(sub.add_parser(name))
    sub.add_parser('stop').add_argument('--state-dir', required=True)
    args = parser.parse_args()
    return {'start': start, 'serve': serve, 'stop': stop}[args.command](args) or 0


if __name__ == '__main__':
    sys.exit(main())
