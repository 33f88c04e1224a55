"""report_files renders the restore_report role's HTML template to the same page as ansible-core's
templating (what ansible.builtin.template wrote before), and its JSON as to_nice_json does."""

from __future__ import annotations

import os

try:
    from ansible.module_utils import _internal as _module_utils_internal
except ImportError:  # ansible-core before 2.19 has no such mark
    _module_utils_internal = None

# Importing controller code (ansible-core 2.19 and later) marks the whole process as the controller,
# and from then on the modules' warnings go to the display instead of into their results: the module
# tests that share this process would lose them. The mark is put back once the imports are done.
_WAS_CONTROLLER = getattr(_module_utils_internal, 'is_controller', None)
from ansible.parsing.dataloader import DataLoader  # noqa: E402  pylint: disable=wrong-import-position
from ansible.plugins.filter.core import to_nice_json  # noqa: E402  pylint: disable=wrong-import-position
from ansible.template import Templar  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.vb365.restore.plugins.action.report_files import plain, render  # noqa: E402  pylint: disable=wrong-import-position

if _module_utils_internal is not None:
    _module_utils_internal.is_controller = _WAS_CONTROLLER

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TEMPLATE = os.path.join(ROOT, 'roles', 'restore_report', 'templates', 'report.html.j2')

REPORT = {
    'title': 'Bulk <restore> & "more"', 'status': 'Warning', 'check_mode': False, 'duration_s': 12,
    'organization': 'contoso.onmicrosoft.com', 'point_in_time': None, 'started': '2026-12-04T10:00:00Z',
    'ended': '2026-12-04T10:00:12Z', 'session_id': 'abc', 'restore_sessions': ['r1', 'r2'],
    'asked': {'mailboxes': ['a@x', '<b>@x'], 'batch_size': 500, 'restore_options': {'changed_items': True}},
    'totals': {'mailboxes': 3, 'created': 5, 'merged': 1, 'failed': 2, 'skipped': 9},
    'errors': ['one <error>'],
    'mailboxes': [
        {'email': 'a@x', 'is_archive': False, 'status': 'Success', 'created': 5, 'merged': 1, 'failed': 0, 'skipped': 3},
        {'email': 'a@x', 'is_archive': True, 'status': 'Failed', 'created': 0, 'merged': 0, 'failed': 2, 'skipped': 0,
         'error': 'quota <full>'},
        {'name': 'No Email', 'status': 'Not restored', 'target': 't@x', 'found': 4, 'folder': 'Inbox/<x>'}],
    'files': [{'file': 'a.pst', 'mailbox': 'a@x', 'size': 3221225472, 'sha256': 'ff', 'status': 'Success',
               'parts': [{'name': 'a-1.pst', 'size': 1073741824}]}],
    'failures': [{'status': 'Failed', 'title': 'a@x', 'message': 'quota', 'end_time': '2026-12-04T10:00:10Z'}],
    'scenario': 'mailbox_bulk_restore',
}


def test_the_page_is_the_one_ansible_template_renders():
    with open(TEMPLATE) as handle:
        source = handle.read()
    variables = {'restore_report_result': REPORT, 'restore_report_name': 'report'}
    templar = Templar(loader=DataLoader(), variables=variables)
    try:
        from ansible.template import trust_as_template  # ansible-core 2.19 and later
        expected = templar.template(trust_as_template(source), preserve_trailing_newlines=True, escape_backslashes=False)
    except ImportError:  # pragma: no cover - older ansible-core
        expected = templar.template(source, preserve_trailing_newlines=True, escape_backslashes=False)
    page = render(source, {'restore_report_result': plain(REPORT), 'restore_report_name': 'report'})
    assert page == expected
    assert 'quota &lt;full&gt;' in page and '<full>' not in page


def test_plain_keeps_the_json_of_to_nice_json():
    assert to_nice_json(plain(REPORT), indent=2, sort_keys=False) == to_nice_json(REPORT, indent=2, sort_keys=False)
