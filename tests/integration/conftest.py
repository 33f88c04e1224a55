"""Fixtures of the integration tests.

- ``simulator``: the VB365 simulator, in this process, over HTTPS with its own CA, with a user
  name and password made up for this run (``simulator.username``, ``simulator.password``). One
  server per pytest-xdist worker; after every test it must have seen no request and sent no
  answer that breaks Veeam's OpenAPI spec (``GET /_sim/violations`` is empty), and it is reset to
  its seeded state.
- ``sim_api``: its control API (``sim_api.get('requests')``, ``.post('faults', {...})``...).
- ``runner`` (``runner.run(...)``) and ``run_playbook(...)``: ansible-playbook connected to it
  through VB365_SERVER, VB365_USERNAME, VB365_PASSWORD and VB365_CA_PATH.
- ``playbook_runner``: ansible-playbook with no simulator (the harness's own tests).

Server models (docs/simulator.md): the simulator plays the model named by VB365_SIM_MODEL
(default ``reference``). A test marked ``@pytest.mark.every_model`` runs once per model (its id
ends in ``[<model>]``), the simulator switched to that model for the test; VB365_SIM_MODELS (names
separated by commas) limits those runs to some models (`make compat` runs the default one only: the
server models do not depend on the ansible-core release).
"""

from __future__ import annotations

import os

import pytest

from harness import Runner, SimApi, random_credentials
from vb365sim.models import MODELS
from vb365sim.server import Simulator

SERVER_MODEL = os.environ.get('VB365_SIM_MODEL') or 'reference'


def pytest_generate_tests(metafunc):
    """Tests marked every_model run under each server model."""
    if metafunc.definition.get_closest_marker('every_model') and 'simulator' in metafunc.fixturenames:
        wanted = [m.strip() for m in os.environ.get('VB365_SIM_MODELS', '').split(',') if m.strip()]
        unknown = sorted(set(wanted) - set(MODELS))
        if unknown:
            raise pytest.UsageError('VB365_SIM_MODELS: unknown server model(s) %s; known: %s'
                                    % (', '.join(unknown), ', '.join(MODELS)))
        metafunc.parametrize('simulator', wanted or list(MODELS), indirect=True)


@pytest.fixture(scope='session')
def simulator_server(tmp_path_factory):
    """One simulator per pytest-xdist worker (each worker is its own session)."""
    username, password = random_credentials()
    sim = Simulator(username=username, password=password, state_dir=str(tmp_path_factory.mktemp('sim')),
                    latency_ms=0, token_lifetime=3600, bulk_mailboxes=250, strict=True,
                    restore_delay_ms=50,  # asynchronous restores finish in 50 ms instead of 300
                    server_model=SERVER_MODEL)
    sim.username, sim.password = username, password
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def simulator(simulator_server, request):
    """The simulator, checked against the spec and reset after each test (to the test's server model)."""
    control = SimApi(simulator_server.url, simulator_server.ca_path)
    control.post('reset')
    model = getattr(request, 'param', None)
    if model:
        control.post('config', {'server_model': model})
    simulator_server.model = model or SERVER_MODEL
    yield simulator_server
    try:
        violations = control.get('violations')
    finally:
        control.post('reset')
        control.close()
    assert violations == [], 'requests or answers broke the OpenAPI spec:\n' + '\n'.join(str(v) for v in violations)


@pytest.fixture
def sim_api(simulator):
    api = SimApi(simulator.url, simulator.ca_path)
    yield api
    api.close()


@pytest.fixture
def runner(simulator, tmp_path):
    return Runner(simulator, os.environ['VB365_TEST_COLLECTIONS'], str(tmp_path))


@pytest.fixture
def run_playbook(runner):
    """``run_playbook(playbook_path_or_yaml, extra_vars=None, env=None, check=False, verbosity=0, expect_rc=0)``."""
    return runner.run


@pytest.fixture
def playbook_runner(tmp_path):
    return Runner(None, os.environ['VB365_TEST_COLLECTIONS'], str(tmp_path))
