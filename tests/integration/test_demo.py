"""`make demo` as a new user runs it: the simulator started, playbooks/demo.yml run against it
with the collection from build/collections, the result printed, the simulator stopped."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_demo_runs_to_the_end_and_prints_what_it_did(tmp_path):
    demo_dir = tmp_path / 'demo'  # does not exist yet: the demo makes it
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'VB365_')))
    env['VB365_DEMO_DIR'] = str(demo_dir)
    env['VB365_EXCHANGE_PASSWORD'] = exchange_password = 'Ex-%s!' % os.urandom(6).hex()
    # What `make demo` runs, with the interpreter of this test run's venv.
    done = subprocess.run(['bash', '.ci/collection.sh', 'bash', '.ci/demo.sh', os.path.dirname(sys.executable)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert 'demo: playbooks/demo.yml passed against the simulator' in out
    assert 'failed=0' in out and 'ok=' in out

    restored = re.search(r'Restored: (\d+) created, (\d+) merged,\s+(\d+) skipped \((\w+)\)', out)
    assert restored and int(restored.group(1)) + int(restored.group(2)) > 0 and restored.group(4) == 'Success'

    pst = demo_dir / 'alice-invoices.pst'
    exported = re.search(r'Exported (\d+) bytes to (\S+) \(sha256 ([0-9a-f]{16})\.\.\.\)', out)
    assert exported and exported.group(2) == str(pst) and int(exported.group(1)) == pst.stat().st_size > 0
    assert hashlib.sha256(pst.read_bytes()).hexdigest().startswith(exported.group(3))

    report = json.loads((demo_dir / 'demo-report.json').read_text())
    assert re.match(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', report['started'])
    assert report['started'] <= report['ended'] and report['duration_s'] >= 0
    assert report['status'] == 'Success' and report['totals']['created'] == int(restored.group(1))
    assert (demo_dir / 'demo-report.html').stat().st_size > 0
    # The made-up password never reaches the output, and the simulator is gone afterwards.
    assert exchange_password not in out and exchange_password not in (demo_dir / 'demo-report.json').read_text()
    started = re.search(r'demo: simulator at (https://\S+)', out)
    assert started, out[:2000]
    info = os.path.join(ROOT, '.tmp', 'demo-sim', 'sim.json')
    if os.path.exists(info):  # left behind only if the simulator did not stop by itself
        with open(info, encoding='utf-8') as handle:
            pid = json.load(handle).get('pid')
        assert not pid or not os.path.exists('/proc/%d' % pid), 'the demo left its simulator running'
