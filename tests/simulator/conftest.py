"""Fixtures of the simulator's own tests: one simulator per test session, in this process, over
HTTPS with its CA; a logged-in ``api`` client per test, after which the simulator must have no
unexpected spec violation and is reset to its seeded state."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
from simhelpers import PASSWORD, USER, Client  # noqa: E402
from vb365sim.server import Simulator  # noqa: E402


@pytest.fixture(scope='session')
def sim(tmp_path_factory):
    server = Simulator(username=USER, password=PASSWORD, state_dir=tmp_path_factory.mktemp('sim'), latency_ms=0,
                       token_lifetime=3600, bulk_mailboxes=50, strict=True, restore_delay_ms=0)
    with server:
        yield server


@pytest.fixture
def api(sim):
    client = Client(sim)
    client.control('DELETE', 'violations')
    try:
        yield client
        violations = client.control('GET', 'violations')
    finally:
        client.control('POST', 'reset')
        client.close()
    assert violations == [], 'the simulator broke the spec or got bad requests:\n' + '\n'.join(violations)
