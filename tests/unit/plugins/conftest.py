# -*- coding: utf-8 -*-
"""Fixtures for the collection's unit tests: a registry of the exact HTTP calls a test expects.

Every request the code under test sends is checked against the VB365 OpenAPI spec, and a
registered answer that was never asked for fails the test (as does an unexpected request).
``time.sleep`` is trapped for every unit test by tests/unit/conftest.py.
"""

from __future__ import annotations

import os
import sys

import pytest
import responses
from responses import registries

sys.path.insert(0, os.path.dirname(__file__))

from unit_helpers import spec_problems  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def api():
    """An ordered ``responses`` mock; on teardown all registered answers must have been used."""
    with responses.RequestsMock(registry=registries.OrderedRegistry, assert_all_requests_are_fired=True) as mock:
        yield mock
        assert spec_problems(mock.calls) == []
