"""Benchmark: the write size of a download, the choice behind the 64 KiB slices of mailbox_export.

The module reads a download in chunks of 1 MiB and writes each chunk in slices (``_Sink`` in
plugins/module_utils/client.py). This script runs that very ``_Sink`` with several slice sizes on
one stream from the simulator over HTTPS, next to curl on the same stream, in rounds, each round in
another order, the page cache flushed (os.sync) before each transfer; it reports the median
throughput, the ratio to curl and the client's system CPU time per GiB. A second part writes the
same amount from memory with no socket in between, to tell the cost of the writes alone.

    .venv/bin/python bench/write_slices.py [--size-mib 1024] [--rounds 6] [--slices-kib 64,256,1024]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys

import common
from common import collection_path, rotated, scratch_dir, start_simulator
from export_throughput import Setup, run_curl

MIB = 1024 * 1024

# The client: the module's own _Sink fed by requests, as Client.download feeds it.
CLIENT = r'''
import hashlib, sys, time
import requests
from ansible_collections.vb365.restore.plugins.module_utils.client import _Sink
url, ca, bearer, dest, slice_size = sys.argv[1:6]
started = time.perf_counter()
answer = requests.post(url, json={}, headers={'Authorization': 'Bearer ' + bearer, 'Accept-Encoding': 'identity'},
                       verify=ca, stream=True, timeout=(30, 300))
answer.raise_for_status()
digest = hashlib.sha256()
with open(dest, 'wb', buffering=0) as handle:
    sink = _Sink(handle, digest, slice_size=int(slice_size))
    for chunk in answer.iter_content(chunk_size=1024 * 1024):
        sink.put(chunk)
    sink.close()
print(time.perf_counter() - started, digest.hexdigest())
'''


def children_system_time():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime


def run_sink(sim, setup, dest, slice_size, script):
    """(seconds, sha256) of one download through _Sink in a process of its own."""
    env = dict(os.environ, PYTHONPATH=collection_path())
    out = subprocess.run([sys.executable, script, setup.url, sim.ca_path, setup.bearer, dest, str(slice_size)],
                         env=env, check=True, capture_output=True, text=True, preexec_fn=common.client_preexec())
    seconds, sha256 = out.stdout.split()
    return float(seconds), sha256


def bare_writes(size, slice_size, path):
    """System seconds of writing ``size`` bytes from memory in writes of ``slice_size``."""
    block = memoryview(os.urandom(MIB))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    with open(path, 'wb', buffering=0) as handle:
        for _block in range(size // MIB):
            for offset in range(0, MIB, slice_size):
                handle.write(block[offset:offset + slice_size])
    spent = resource.getrusage(resource.RUSAGE_SELF).ru_stime - before
    os.remove(path)
    return spent


def measure(args, size, slices):
    """Every tool ``args.rounds`` times on one stream, then the writes from memory; the figures."""
    tools = ['curl'] + slices
    figures = {'seconds': dict((tool, []) for tool in tools), 'system': dict((tool, []) for tool in tools),
               'bare': dict((s, []) for s in slices)}
    scratch = scratch_dir('vb365-bench-slices-')
    script, dest = os.path.join(scratch.name, 'client.py'), os.path.join(scratch.name, 'export.pst')
    with open(script, 'w') as handle:
        handle.write(CLIENT)
    sim = start_simulator(bulk_mailboxes=10)
    served = None
    try:
        sim.state.config['export_size_bytes'] = size
        setup = Setup(sim)
        for round_index in range(args.rounds):
            for tool in rotated(tools, round_index):
                os.sync()
                before = children_system_time()
                if tool == 'curl':
                    figures['seconds'][tool].append(run_curl(sim, setup, dest))
                else:
                    took, sha256 = run_sink(sim, setup, dest, tool, script)
                    served = served or sim.state.exports[-1]['_stream'].sha256()
                    assert sha256 == served, 'the sink hashed other bytes than were served'
                    figures['seconds'][tool].append(took)
                figures['system'][tool].append(children_system_time() - before)
                assert os.path.getsize(dest) == size, '%s wrote %d bytes' % (tool, os.path.getsize(dest))
                os.remove(dest)
        for round_index in range(args.rounds):
            for slice_size in rotated(slices, round_index):
                os.sync()
                figures['bare'][slice_size].append(bare_writes(size, slice_size, dest))
    finally:
        sim.stop()
        scratch.cleanup()
    return figures


def report(args, size, slices, figures):
    seconds, system, bare = figures['seconds'], figures['system'], figures['bare']
    gib = size / (1024.0 * MIB)
    curl = statistics.median(seconds['curl'])
    print('%d MiB over HTTPS from the simulator, %d rounds, medians; system CPU per GiB' % (args.size_mib, args.rounds))
    for tool in ['curl'] + slices:
        label = 'curl (8 KiB writes)' if tool == 'curl' else '_Sink, %d KiB slices' % (tool // 1024)
        took = statistics.median(seconds[tool])
        print('%-24s %7.1f MiB/s  %3.0f %% of curl  system %.2f s  (runs: %s)' % (
            label, args.size_mib / took, 100.0 * curl / took, statistics.median(system[tool]) / gib,
            ' '.join('%.0f' % (args.size_mib / t) for t in seconds[tool])))
    print('writes from memory, no socket:')
    for slice_size in slices:
        print('%-24s system %.2f s per GiB  (runs: %s)' % (
            '%d KiB writes' % (slice_size // 1024), statistics.median(bare[slice_size]) / gib,
            ' '.join('%.2f' % s for s in bare[slice_size])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--size-mib', type=int, default=1024)
    parser.add_argument('--rounds', type=int, default=6)
    parser.add_argument('--slices-kib', default='64,256,1024')
    args = parser.parse_args()
    size = args.size_mib * MIB
    slices = [int(s) * 1024 for s in args.slices_kib.split(',')]
    report(args, size, slices, measure(args, size, slices))


if __name__ == '__main__':
    main()
