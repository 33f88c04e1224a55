"""The trap of tests/unit/conftest.py: no unit test sleeps, neither through ``time.sleep`` nor through
a module of the collection that imported ``sleep`` from ``time``."""

from __future__ import annotations

import sys
import time
import types

import pytest

SLEEPY = 'ansible_collections.vb365.restore.plugins.module_utils._sleepy_for_the_trap_test'


@pytest.fixture(scope='module')
def sleepy():
    """A module of the collection as ``from time import sleep`` leaves it, imported before the trap is set
    (a module-scoped fixture runs before the autouse one of the test)."""
    module = types.ModuleType(SLEEPY)
    module.sleep = time.sleep
    sys.modules[SLEEPY] = module
    yield module
    del sys.modules[SLEEPY]


def test_time_sleep_is_trapped():
    with pytest.raises(AssertionError, match=r'time\.sleep\(5\) in a unit test'):
        time.sleep(5)


def test_sleep_imported_from_time_by_the_collection_is_trapped(sleepy):
    with pytest.raises(AssertionError, match=r'time\.sleep\(5\) in a unit test'):
        sleepy.sleep(5)
