"""Fixtures of the integration tests: an in-process simulator and a playbook runner.

After every test the simulator must have seen no request and given no answer that breaks
Veeam's OpenAPI spec; then it is reset to its seeded state.
"""

from __future__ import annotations

import os

import pytest

from harness import Runner, SimApi, random_credentials
from vb365sim.server import Simulator


@pytest.fixture(scope='session')
def simulator(tmp_path_factory):
    username, password = random_credentials()
    sim = Simulator(username, password, str(tmp_path_factory.mktemp('sim')), bulk_mailboxes=250,
                    restore_delay_ms=50)
    sim.username, sim.password = username, password
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim_api(simulator):
    api = SimApi(simulator.url, simulator.ca_path)
    api.delete('violations')
    yield api
    violations = api.get('violations')
    api.post('reset')
    assert violations == [], 'requests or answers broke the OpenAPI spec:\n' + '\n'.join(violations)


@pytest.fixture
def runner(simulator, sim_api, tmp_path):
    return Runner(simulator, os.environ['VB365_TEST_COLLECTIONS'], str(tmp_path))
