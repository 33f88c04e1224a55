#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: restore_session_info
short_description: Read restore sessions of Veeam Backup for Microsoft 365, with their events and statistics
version_added: 0.1.0
description:
  - Returns one restore session with its events and restore statistics (use it to follow a restore started
    with O(ignore:wait=false) or one whose wait timed out), or a filtered list of restore sessions.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes.info
  - vb365.restore.connection
options:
  session_id:
    description:
      - The id of one restore session. Its events and statistics are returned too.
      - Without it, the sessions matching the filters below are returned, newest first.
    type: str
  organization:
    description: Only sessions of the organization with this name.
    type: str
  state:
    description: Only sessions in this state.
    type: str
    choices: [Working, Stopped]
  type:
    description: Only sessions of this type. V(Vex) is Exchange; V(any) returns every type.
    type: str
    choices: [Vex, Veod, Vesp, Vet, any]
    default: Vex
  started_after:
    description: Only sessions started at or after this date or date-time (UTC when no offset is given).
    type: str
  started_before:
    description: Only sessions started before this date or date-time.
    type: str
  limit:
    description:
      - Return at most this many sessions. The result says C(truncated=true) when more exist.
      - Without it every matching session is read, page by page.
    type: int
seealso:
  - module: vb365.restore.restore_session
  - module: vb365.restore.mailbox_restore
'''

EXAMPLES = r'''
- name: Follow a restore started without waiting
  vb365.restore.restore_session_info:
    session_id: "{{ restore.restore.session_id }}"
  register: progress
  until: progress.sessions[0].state == 'Stopped'
  retries: 60
  delay: 10

- name: Exchange restore sessions still open
  vb365.restore.restore_session_info:
    state: Working
  register: open_sessions
'''

RETURN = r'''
sessions:
  description: The restore sessions found (snake_case fields of the API's restore session).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The session id.
      type: str
    name:
      description: The session name.
      type: str
    organization:
      description: The organization name.
      type: str
    type:
      description: The session type.
      type: str
    state:
      description: V(Working) or V(Stopped).
      type: str
    result:
      description: V(Success), V(Warning) or V(Failed).
      type: str
    creation_time:
      description: When it started.
      type: str
    end_time:
      description: When it ended.
      type: str
    events:
      description: With O(session_id), the session's events in order (title, status, message, times).
      type: list
      elements: dict
    statistics:
      description: With O(session_id), the restore statistics (counts, warnings, errors, per-item details), when the server has them.
      type: dict
truncated:
  description: Whether O(limit) cut the list while more sessions exist.
  returned: always
  type: bool
'''

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365NotFoundError
from ansible_collections.vb365.restore.plugins.module_utils.sessions import get_session, read_events
from ansible_collections.vb365.restore.plugins.module_utils.times import normalize_point_in_time
from ansible_collections.vb365.restore.plugins.module_utils.values import to_snake
from ansible_collections.vb365.restore.plugins.module_utils.module import Vb365Module, parameter_error
from ansible_collections.vb365.restore.plugins.module_utils.operations import RESTORE_SESSIONS, SESSION_STATISTICS


def one_session(mod):
    session = to_snake(get_session(mod.client, mod.params['session_id']))
    session['events'] = [to_snake(e) for e in read_events(mod.client, mod.params['session_id'])]
    try:
        statistics = mod.client.call(SESSION_STATISTICS, restoreSessionId=mod.params['session_id'])
    except Vb365NotFoundError:
        statistics = None
    session['statistics'] = to_snake(statistics) if statistics else None
    mod.result.update(sessions=[session], truncated=False)


def run(mod):
    params = mod.params
    if params['session_id']:
        return one_session(mod)
    if params['limit'] is not None and params['limit'] < 1:
        raise parameter_error('limit', 'must be at least 1, got %d' % params['limit'])
    query = {'orderBy': 'CreationTime', 'orderAsc': 'false'}
    if params['started_after']:
        query['startTimeFrom'] = normalize_point_in_time(params['started_after'], 'started_after')
    if params['started_before']:
        query['startTimeTo'] = normalize_point_in_time(params['started_before'], 'started_before')

    def wanted(session):
        if params['type'] != 'any' and session.get('type') != params['type']:
            return False
        if params['state'] and session.get('state') != params['state']:
            return False
        if params['organization'] and str(session.get('organization') or '').lower() != params['organization'].lower():
            return False
        return True

    page = mod.client.call(RESTORE_SESSIONS, params=query)
    sessions = [to_snake(s) for s in page.items if wanted(s)]
    truncated = False
    if params['limit'] is not None and len(sessions) > params['limit']:
        sessions, truncated = sessions[:params['limit']], True
    mod.result.update(sessions=sessions, truncated=truncated)


def main():
    mod = Vb365Module(
        argument_spec=dict(
            session_id=dict(type='str'),
            organization=dict(type='str'),
            state=dict(type='str', choices=['Working', 'Stopped']),
            type=dict(type='str', default='Vex', choices=['Vex', 'Veod', 'Vesp', 'Vet', 'any']),
            started_after=dict(type='str'),
            started_before=dict(type='str'),
            limit=dict(type='int'),
        ),
        mutually_exclusive=[('session_id', 'organization'), ('session_id', 'state'), ('session_id', 'limit')],
    )
    mod.run(run)


if __name__ == '__main__':
    main()
