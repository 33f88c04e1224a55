#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: organization_info
short_description: Find the organizations backed up by Veeam Backup for Microsoft 365
version_added: 0.1.0
description:
  - Lists the Microsoft 365, on-premises and hybrid organizations known to a VB365 server, or finds one by
    name or id, with its first and last backup times.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes.info
  - vb365.restore.connection
options:
  name:
    description:
      - Return only the organization with this name (for example V(contoso.onmicrosoft.com)) or Microsoft 365
        name, compared case-insensitively. Shell-style wildcards (V(*), V(?)) return every match.
      - A plain name that matches nothing fails and lists the organizations that exist.
    type: str
  id:
    description: Return only the organization with this id.
    type: str
seealso:
  - module: vb365.restore.restore_session
'''

EXAMPLES = r'''
- name: List every organization
  vb365.restore.organization_info:
  register: orgs

- name: Find Contoso
  vb365.restore.organization_info:
    name: contoso.onmicrosoft.com
  register: contoso

- name: Show its last backup time
  ansible.builtin.debug:
    msg: "{{ contoso.organizations[0].last_backuptime }}"
'''

RETURN = r'''
organizations:
  description: The organizations found, with the server's fields in snake_case.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The organization id.
      type: str
    name:
      description: The organization name.
      type: str
      sample: contoso.onmicrosoft.com
    type:
      description: V(Office365), V(OnPremises) or V(Hybrid).
      type: str
    first_backuptime:
      description: When the organization was first backed up.
      type: str
    last_backuptime:
      description: When it was last backed up.
      type: str
  sample:
    - id: 6b1e2b1c-0a8e-5d7f-9c1a-2f4e5d6c7b8a
      name: contoso.onmicrosoft.com
      type: Office365
      last_backuptime: "2026-11-22T22:00:00Z"
'''

import fnmatch

from ansible_collections.vb365.restore.plugins.module_utils.browse import find_organization, list_organizations
from ansible_collections.vb365.restore.plugins.module_utils.values import to_snake
from ansible_collections.vb365.restore.plugins.module_utils.module import Vb365Module


def run(mod):
    name, org_id = mod.params['name'], mod.params['id']
    if org_id:
        found = [find_organization(mod.client, org_id, option='id')]
    elif name and not any(c in name for c in '*?['):
        found = [find_organization(mod.client, name, option='name')]
    else:
        found = list_organizations(mod.client)
        if name:
            pattern = name.lower()
            found = [o for o in found
                     if fnmatch.fnmatchcase(str(o.get('name') or '').lower(), pattern)
                     or fnmatch.fnmatchcase(str(o.get('officeName') or '').lower(), pattern)]
    mod.result['organizations'] = [to_snake(o) for o in found]


def main():
    mod = Vb365Module(
        argument_spec=dict(name=dict(type='str'), id=dict(type='str')),
        mutually_exclusive=[('name', 'id')],
    )
    mod.run(run)


if __name__ == '__main__':
    main()
