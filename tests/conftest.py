"""Make the checkout importable as ``ansible_collections.vb365.restore`` from any path.

A tree ``<tmp>/vb365-restore-<hash>/ansible_collections/vb365/restore`` links to this checkout
(outside the checkout, so that nothing walks into itself); the tree goes on ``sys.path`` and its
path is exported as ``VB365_TEST_COLLECTIONS`` for the playbook runs of the integration tests.
``tests/simulator``, ``tests/unit/plugins`` and ``tests/integration`` are put on ``sys.path`` too.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def collection_tree():
    digest = hashlib.sha1(ROOT.encode()).hexdigest()[:12]
    base = os.path.join(tempfile.gettempdir(), 'vb365-restore-%s' % digest)
    parent = os.path.join(base, 'ansible_collections', 'vb365')
    link = os.path.join(parent, 'restore')
    os.makedirs(parent, exist_ok=True)
    if os.path.realpath(link) != ROOT:
        tmp = '%s.%d' % (link, os.getpid())
        os.symlink(ROOT, tmp)
        os.replace(tmp, link)  # atomic, also when pytest-xdist workers race
    return base


TREE = collection_tree()
os.environ['VB365_TEST_COLLECTIONS'] = TREE
for path in (TREE, os.path.join(ROOT, 'tests', 'simulator'), os.path.join(ROOT, 'tests', 'unit', 'plugins'),
             os.path.join(ROOT, 'tests', 'integration')):
    if path not in sys.path:
        sys.path.insert(0, path)
