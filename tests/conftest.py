"""Let plain ``pytest`` import this checkout as ``ansible_collections.vb365.restore``.

Python can only import the collection's code from a directory laid out as
``<root>/ansible_collections/vb365/restore``, and a checkout can live anywhere. So this file:

- links the checkout into ``<tmp>/vb365-restore-<hash of the checkout path>/ansible_collections/
  vb365/restore`` (outside the checkout, so that nothing walks into itself; replaced atomically,
  so that pytest-xdist workers starting together do not trip over each other);
- installs ansible-core's collection finder on that tree, the way ansible-test does for unit
  tests, so ``ansible_collections.vb365.restore.plugins...`` and ``ansible.module_utils`` resolve
  as they do when Ansible runs the modules;
- exports the tree as ``VB365_TEST_COLLECTIONS`` (the integration tests' collection path);
- puts ``tests/simulator`` (``import vb365sim``), ``tests/unit/plugins`` and
  ``tests/integration`` on ``sys.path``.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def collection_tree(checkout=ROOT):
    """The directory that holds ``ansible_collections/vb365/restore`` -> ``checkout``."""
    digest = hashlib.sha256(checkout.encode()).hexdigest()[:12]
    tree = os.path.join(tempfile.gettempdir(), 'vb365-restore-%s' % digest)
    namespace = os.path.join(tree, 'ansible_collections', 'vb365')
    link = os.path.join(namespace, 'restore')
    os.makedirs(namespace, exist_ok=True)
    if os.path.realpath(link) != os.path.realpath(checkout):
        tmp = '%s.%d.tmp' % (link, os.getpid())
        os.symlink(checkout, tmp)
        os.replace(tmp, link)
    return tree


def install_collection_finder(tree):
    """ansible-core's importer for ``ansible_collections.*``, limited to ``tree``."""
    # pylint: disable-next=import-outside-toplevel
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    if not any(type(finder).__name__ == '_AnsibleCollectionFinder' for finder in sys.meta_path):
        _AnsibleCollectionFinder(paths=[tree])._install()  # pylint: disable=protected-access


TREE = collection_tree()
os.environ['VB365_TEST_COLLECTIONS'] = TREE
for path in (os.path.join(ROOT, 'tests', 'simulator'), os.path.join(ROOT, 'tests', 'unit', 'plugins'),
             os.path.join(ROOT, 'tests', 'integration')):
    if path not in sys.path:
        sys.path.insert(0, path)
install_collection_finder(TREE)
