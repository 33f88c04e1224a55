#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: report_files
short_description: Write the JSON and HTML files of a restore report on the controller
version_added: 0.1.0
description:
  - Writes the report O(data) as C(<name>.json) (as the C(to_nice_json) filter with an indent of 2 writes it) and as
    C(<name>.html), the HTML template of the role vb365.restore.restore_report (C(templates/report.html.j2), or
    O(src)) rendered with the data, into O(dir) on the controller, each atomically (a temporary file renamed into
    place). O(dir) is created when missing.
  - The template is rendered by a sandboxed Jinja2 environment with the options of M(ansible.builtin.template) and the
    Ansible filters the template uses (C(bool), C(to_json), C(regex_replace), C(human_readable)); the page is the same as
    M(ansible.builtin.template) writes, in a fraction of the time for reports of thousands of mailboxes.
  - Used by the role vb365.restore.restore_report; writing the files is never reported as a change.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes
attributes:
  action:
    support: full
    description: Runs as an action plugin, on the controller.
  check_mode:
    support: none
    description: Writes the files in check mode too (a report of a dry run); use C(check_mode=false) on the task.
options:
  data:
    description: The report, as the role's C(restore_report_result) fact holds it.
    type: dict
    required: true
  name:
    description: The base name of the report files (the page names its JSON twin C(<name>.json)).
    type: str
    required: true
  dir:
    description: The directory of the files, created when missing.
    type: path
    required: true
  mode:
    description: The files' permissions, octal.
    type: str
    default: "0640"
  dir_mode:
    description: The permissions of O(dir) when it is created, octal.
    type: str
    default: "0750"
  src:
    description: Another template than the role's C(report.html.j2), found as M(ansible.builtin.template) finds its C(src).
    type: str
'''

EXAMPLES = r'''
- name: Write the report files
  vb365.restore.report_files:
    data: "{{ restore_report_result }}"
    name: mailbox-bulk-restore
    dir: /srv/reports
'''

RETURN = r'''
files:
  description: The files written (C(json) and C(html), absolute paths).
  returned: success
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        data=dict(type='dict', required=True), name=dict(type='str', required=True),
        dir=dict(type='path', required=True), mode=dict(type='str', default='0640'),
        dir_mode=dict(type='str', default='0750'), src=dict(type='str')))
    module.fail_json(msg='vb365.restore.report_files runs as an action plugin on the controller; call it from a task')


if __name__ == '__main__':
    main()
