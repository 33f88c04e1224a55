# -*- coding: utf-8 -*-
"""Fixtures of every unit test (tests/unit and below): ``time.sleep`` is trapped, so that no test
can sleep by accident."""

from __future__ import annotations

import sys
import time

import pytest

_SLEEP = time.sleep
_COLLECTION = 'ansible_collections.vb365.restore.'


def _no_sleep(seconds):
    raise AssertionError('time.sleep(%r) in a unit test: give the code a fake clock (unit_helpers.FakeClock) '
                         'or monkeypatch time.sleep in the test' % (seconds,))


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    """``time.sleep`` is trapped in every unit test; a test that expects pauses puts its own recorder
    in place with ``monkeypatch``. A module of the collection that holds ``time.sleep`` under a name
    of its own (``from time import sleep``) gets the trap there too."""
    monkeypatch.setattr(time, 'sleep', _no_sleep)
    for name, module in list(sys.modules.items()):
        if name.startswith(_COLLECTION) and module is not None:
            for attribute, value in list(vars(module).items()):
                if value is _SLEEP:
                    monkeypatch.setattr(module, attribute, _no_sleep)
