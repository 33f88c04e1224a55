"""The mailboxes inventory plugin's own logic: host names, filters and the CSV list."""

from __future__ import annotations

try:
    from ansible.module_utils import _internal as _module_utils_internal
except ImportError:  # ansible-core before 2.19 has no such mark
    _module_utils_internal = None

# Importing controller code (ansible-core 2.19 and later) marks the whole process as the controller,
# and from then on the modules' warnings go to the display instead of into their results: the module
# tests that share this process would lose them. The mark is put back once the imports are done.
_WAS_CONTROLLER = getattr(_module_utils_internal, 'is_controller', None)
from ansible_collections.vb365.restore.plugins.inventory.mailboxes import (  # noqa: E402  pylint: disable=wrong-import-position
    host_name,
    read_csv_emails,
    select,
)

if _module_utils_internal is not None:
    _module_utils_internal.is_controller = _WAS_CONTROLLER

MAILBOXES = [
    {'id': '1', 'email': 'alice@x.com', 'name': 'Alice', 'isArchive': False, 'isPublic': False},
    {'id': '2', 'email': 'alice@x.com', 'name': 'Alice', 'isArchive': True, 'isPublic': False},
    {'id': '3', 'email': 'pf@x.com', 'name': 'Public Folders', 'isArchive': False, 'isPublic': True},
    {'id': '4', 'email': 'bob@x.com', 'name': 'Bob Sales', 'isArchive': False, 'isPublic': False},
]


def ids(mailboxes):
    return [m['id'] for m in mailboxes]


def test_an_archive_host_is_named_after_the_email_with_a_suffix():
    assert [host_name(m) for m in MAILBOXES[:2]] == ['alice@x.com', 'alice@x.com+archive']


def test_filters_combine():
    assert ids(select(MAILBOXES)) == ['1', '2', '3', '4']
    assert ids(select(MAILBOXES, archives='exclude', public_folders=False)) == ['1', '4']
    assert ids(select(MAILBOXES, archives='only')) == ['2']
    assert ids(select(MAILBOXES, include=['*sales'])) == ['4']
    assert ids(select(MAILBOXES, exclude=['ALICE@*'])) == ['3', '4']
    assert ids(select(MAILBOXES, emails=['bob@x.com', 'alice@x.com'], archives='exclude')) == ['1', '4']


def test_csv_with_and_without_a_header(tmp_path):
    with_header = tmp_path / 'a.csv'
    with_header.write_text('name,Email\nBob,Bob@X.com\n\nAlice, alice@x.com \n', encoding='utf-8-sig')
    assert read_csv_emails(str(with_header)) == ['bob@x.com', 'alice@x.com']
    plain = tmp_path / 'b.csv'
    plain.write_text('bob@x.com\nalice@x.com\n')
    assert read_csv_emails(str(plain)) == ['bob@x.com', 'alice@x.com']
