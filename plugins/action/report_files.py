# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the JSON and HTML files of a restore report on the controller, in one task.

The JSON is what ``to_nice_json(indent=2)`` gives; the HTML page is the restore_report role's template,
the one ``ansible.builtin.template`` would render, rendered here by a plain sandboxed Jinja2
environment with the few Ansible filters it uses, because ansible-core's templating costs about two
milliseconds per table row: 20 s for a report of 10,000 mailboxes, against about one second here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile

from jinja2.sandbox import SandboxedEnvironment

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase
from ansible.plugins.filter.core import regex_replace, to_bool, to_json, to_nice_json
from ansible.plugins.filter.mathstuff import human_readable


def plain(value):
    """Dicts, lists and scalars as plain Python types (ansible-core may hand over its own subclasses)."""
    if isinstance(value, dict):
        return dict((to_text(k), plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return to_text(value)


def render(source, variables):
    # The options of ansible.builtin.template's defaults, so that the page is the same.
    env = SandboxedEnvironment(trim_blocks=True, lstrip_blocks=False, keep_trailing_newline=True, autoescape=False)
    env.filters.update({'to_json': to_json, 'regex_replace': regex_replace, 'human_readable': human_readable,
                        'bool': to_bool})
    return env.from_string(source).render(**variables)


def write_atomically(dest, content, mode):
    """``content`` into ``dest`` through a temporary file renamed into place."""
    fd, partial = tempfile.mkstemp(prefix='.%s.' % os.path.basename(dest), dir=os.path.dirname(dest))
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(content)
        os.chmod(partial, mode)
        os.replace(partial, dest)
    except OSError as exc:
        if os.path.exists(partial):
            os.remove(partial)
        raise AnsibleActionFail('dir: cannot write %s: %s' % (dest, exc))


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        for name in ('data', 'dir', 'name'):
            if args.get(name) in (None, ''):
                raise AnsibleActionFail('%s is required' % name)
        if not isinstance(args['data'], dict):
            raise AnsibleActionFail('data must be a dict, got %s' % type(args['data']).__name__)
        try:
            mode = int(str(args.get('mode') or '0640'), 8)
            dir_mode = int(str(args.get('dir_mode') or '0750'), 8)
        except ValueError:
            raise AnsibleActionFail('mode and dir_mode are octal numbers such as 0640')
        name = to_text(args['name'])
        directory = os.path.abspath(os.path.expanduser(to_text(args['dir'])))
        try:
            if not os.path.isdir(directory):
                os.makedirs(directory)
                os.chmod(directory, dir_mode)
        except OSError as exc:
            raise AnsibleActionFail('dir: cannot create %s: %s' % (directory, exc))
        data = plain(args['data'])
        source_path = self._find_needle('templates', args.get('src') or 'report.html.j2')
        with open(source_path, 'rb') as handle:
            source = to_text(handle.read())
        files = {'json': os.path.join(directory, name + '.json'), 'html': os.path.join(directory, name + '.html')}
        write_atomically(files['json'], to_bytes(to_nice_json(data, indent=2, sort_keys=False) + '\n'), mode)
        write_atomically(files['html'], to_bytes(render(source, {'restore_report_result': data,
                                                                 'restore_report_name': name})), mode)
        result.update(changed=False, files=files)
        return result
