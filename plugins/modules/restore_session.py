#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: restore_session
short_description: Open or stop an Exchange restore session in Veeam Backup for Microsoft 365
version_added: 0.1.0
description:
  - Opens (explores) an Exchange restore session of a backed-up Microsoft 365 or on-premises organization
    at a point in time, or stops one.
  - Every other module of the collection works inside such a session, given by its id.
  - With O(state=present) a second identical run reuses the session this collection opened for the same
    server, user, organization, point in time and options, if it is still working, instead of opening
    another one. The API does not tell at which point in time a session was opened, so the module keeps a
    small ledger of the sessions it opened (ids only) in O(ledger_path).
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.connection
attributes:
  check_mode:
    support: full
    description: In check mode nothing is opened or stopped; the result says what would happen.
  diff_mode:
    support: none
    description: The module returns no diff.
options:
  state:
    description:
      - V(present) opens a session (or reuses the one opened before), V(absent) stops it.
    type: str
    choices: [present, absent]
    default: present
  organization:
    description:
      - The organization, by name (for example V(contoso.onmicrosoft.com)), Microsoft 365 name or id.
      - Required with O(state=present) unless O(session_id) is given, and with O(state=absent) unless
        O(session_id) is given.
    type: str
  point_in_time:
    description:
      - The point in time to restore from. The newest backup before it is used.
      - A date (V(2026-11-17), meaning the end of that day, UTC), a date-time without offset (UTC) or with
        an offset (V(2026-11-17T08:30:00+01:00)). Omit it, or use V(latest), for the newest backup.
    type: str
  show_deleted:
    description: Whether the session shows items that users had deleted before the point in time.
    type: bool
    default: false
  show_all_versions:
    description: Whether the session shows every version of items changed before the point in time.
    type: bool
    default: false
  session_id:
    description:
      - The id of an existing restore session. With O(state=present) it is checked to be a working
        Exchange session and returned; with O(state=absent) it is stopped.
    type: str
  ledger_path:
    description:
      - The file in which the module records the sessions it opened, so that a re-run reuses them.
      - Set it to an empty string to turn reuse off (every run with O(state=present) opens a new session).
      - If not set, the value of the E(VB365_SESSION_LEDGER) environment variable is used.
    type: path
    default: ~/.ansible/vb365_restore/sessions.json
notes:
  - A restore session holds resources on the VB365 server. Stop it when done (O(state=absent)); the roles of
    this collection do it in an C(always) section.
seealso:
  - module: vb365.restore.restore_session_info
  - module: vb365.restore.organization_info
'''

EXAMPLES = r'''
- name: Open a restore session of Contoso as of the end of 17 November 2026, with deleted items
  vb365.restore.restore_session:
    server: vb365.example.com
    username: "{{ vault_vb365_user }}"
    password: "{{ vault_vb365_password }}"
    ca_path: /etc/pki/vb365-ca.pem
    organization: contoso.onmicrosoft.com
    point_in_time: "2026-11-17"
    show_deleted: true
  register: restore

- name: Stop it again
  vb365.restore.restore_session:
    session_id: "{{ restore.session.id }}"
    state: absent

- name: Connection options from the environment (VB365_SERVER, VB365_USERNAME, VB365_PASSWORD, VB365_CA_PATH)
  vb365.restore.restore_session:
    organization: contoso.onmicrosoft.com
'''

RETURN = r'''
session:
  description: The restore session (after the change). Absent when check mode would open a new one.
  returned: when a session exists or was opened
  type: dict
  contains:
    id:
      description: The session id, to give to the other modules as O(session_id).
      type: str
      sample: 0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10
    name:
      description: The session name the server gave it.
      type: str
    organization:
      description: The organization's name.
      type: str
      sample: contoso.onmicrosoft.com
    type:
      description: The session type, V(Vex) for Exchange.
      type: str
    state:
      description: V(Working) or V(Stopped).
      type: str
    result:
      description: V(Success), V(Warning) or V(Failed).
      type: str
    creation_time:
      description: When the session was opened.
      type: str
    end_time:
      description: When it was stopped.
      type: str
  sample:
    id: 0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10
    organization: contoso.onmicrosoft.com
    type: Vex
    state: Working
    result: Success
reused:
  description: Whether an existing session was reused instead of opening a new one.
  returned: with O(state=present)
  type: bool
organization:
  description: The organization the session is for.
  returned: when O(organization) is given
  type: dict
  sample: {id: 6b1e2b1c-0a8e-5d7f-9c1a-2f4e5d6c7b8a, name: contoso.onmicrosoft.com}
point_in_time:
  description: The point in time sent to the server (RFC 3339, UTC), or null for the latest backup.
  returned: when O(organization) is given
  type: str
  sample: "2026-11-17T23:59:59Z"
planned_requests:
  description: In check mode, the write requests that would have been sent (secrets masked).
  returned: in check mode, when something would change
  type: list
  elements: dict
'''

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365NotFoundError
from ansible_collections.vb365.restore.plugins.module_utils.exchange import (
    SessionLedger,
    find_organization,
    get_session,
    normalize_point_in_time,
    session_summary,
)
from ansible_collections.vb365.restore.plugins.module_utils.module import Vb365Module, parameter_error
from ansible.module_utils.basic import env_fallback


def resolve_request(mod, purpose):
    """The organization and point in time asked for, and the ledger entry of that request."""
    params = mod.params
    if not params['organization']:
        raise parameter_error('organization', purpose)
    point_in_time = normalize_point_in_time(params['point_in_time'])
    organization = find_organization(mod.client, params['organization'])
    mod.result['organization'] = {'id': organization.get('id'), 'name': organization.get('name')}
    mod.result['point_in_time'] = point_in_time
    ledger = SessionLedger(params['ledger_path'])
    key = SessionLedger.key(mod.client.base_url, params['username'], organization['id'], point_in_time,
                            params['show_deleted'], params['show_all_versions'])
    return organization, point_in_time, ledger, key


def present(mod):
    params = mod.params
    mod.result['reused'] = False
    if params['session_id']:
        session = get_session(mod.client, params['session_id'])
        if session.get('state') != 'Working':
            raise parameter_error('session_id', 'restore session %s is %s; omit session_id to open a new one'
                                  % (params['session_id'], session.get('state')))
        mod.result.update(session=session_summary(session), reused=True)
        return
    organization, point_in_time, ledger, key = resolve_request(
        mod, 'required to open a restore session (or give session_id)')
    known = ledger.get(key)
    if known:
        try:
            session = get_session(mod.client, known)
        except Vb365NotFoundError:
            session = None
        if session and session.get('state') == 'Working':
            mod.result.update(session=session_summary(session), reused=True)
            return
    body = {'type': 'Vex', 'showDeleted': params['show_deleted'], 'showAllVersions': params['show_all_versions']}
    if point_in_time:
        body['dateTime'] = point_in_time
    mod.result['changed'] = True
    session = mod.write('POST', '/Organizations/%s/explore' % organization['id'], body,
                        describe='open an Exchange restore session of %s' % organization.get('name'))
    if session is not None:
        ledger.put(key, session['id'])
        mod.result['session'] = session_summary(session)


def stop(mod, session):
    if session.get('state') == 'Stopped':
        mod.result['session'] = session_summary(session)
        return
    mod.result['changed'] = True
    mod.write('POST', '/RestoreSessions/%s/Stop' % session['id'], describe='stop restore session %s' % session['id'])
    if not mod.check_mode:
        session = get_session(mod.client, session['id'])
    mod.result['session'] = session_summary(session)


def absent(mod):
    params = mod.params
    if params['session_id']:
        try:
            session = get_session(mod.client, params['session_id'])
        except Vb365NotFoundError:
            mod.result['msg'] = 'restore session %s does not exist' % params['session_id']
            return
        stop(mod, session)
        return
    organization, _point_in_time, ledger, key = resolve_request(
        mod, 'give session_id, or the organization and point_in_time used to open it')
    known = ledger.get(key)
    if not known:
        mod.result['msg'] = 'no restore session of %s opened by this collection for these options' % organization.get('name')
        return
    try:
        session = get_session(mod.client, known)
    except Vb365NotFoundError:
        session = None
    if session is not None:
        stop(mod, session)
    if not mod.check_mode:
        ledger.remove(key)


def main():
    mod = Vb365Module(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            organization=dict(type='str'),
            point_in_time=dict(type='str'),
            show_deleted=dict(type='bool', default=False),
            show_all_versions=dict(type='bool', default=False),
            session_id=dict(type='str'),
            ledger_path=dict(type='path', default='~/.ansible/vb365_restore/sessions.json',
                             fallback=(env_fallback, ['VB365_SESSION_LEDGER'])),
        ),
    )
    mod.run(present if mod.params['state'] == 'present' else absent)


if __name__ == '__main__':
    main()
