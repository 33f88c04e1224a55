# -*- coding: utf-8 -*-
"""Fixtures for the collection's unit tests: a registry of the exact HTTP calls a test expects.

Every request the code under test sends is checked against the VB365 OpenAPI spec, and a
registered answer that was never asked for fails the test (as does an unexpected request).
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


def _no_sleep(seconds):
    raise AssertionError('time.sleep(%r) in a unit test: give the code a fake clock (unit_helpers.FakeClock) '
                         'or monkeypatch time.sleep in the test' % (seconds,))


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    """``time.sleep`` is trapped in every unit test, so none can sleep by accident; a test that
    expects pauses puts its own recorder in place with ``monkeypatch``."""
    monkeypatch.setattr('time.sleep', _no_sleep)
