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
  - With O(state=present) a second identical task of the same run reuses the session this collection opened for
    the same server, user, organization, point in time and options, if it is still working, instead of opening
    another one. The API does not tell at which point in time a session was opened, so the module keeps a
    small ledger of the sessions it opened (ids only) in O(ledger_path). A session is never handed to another
    run (see O(run_id)).
  - The session is opened from the organization's backups, or from a chosen source - a restore point
    (O(restore_point)), a backup job (O(job)), a backup repository such as a backup copy (O(repository)) or a
    data retrieval (O(retrieval)). The source is part of what makes a session the same one for reuse.
  - When O(point_in_time) is given and the source has no Exchange restore point at or before it, the module
    fails before opening anything and names the nearest restore points.
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - vb365.restore.attributes
  - vb365.restore.connection
attributes:
  check_mode:
    description: In check mode nothing is opened or stopped; the result says what would happen.
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
  restore_point:
    description:
      - Open the session from this restore point (an id from M(vb365.restore.restore_point_info)), at its backup
        time and from its repository; a retrieved point opens its data retrieval.
      - V(latest) picks the newest Exchange restore point at or before O(point_in_time) (the newest of all without
        it), of O(repository) when given; the point chosen is returned as RV(restore_point).
      - Long-term copies (archive tiers) are explored only once retrieved; give the retrieval as O(retrieval).
    type: str
    version_added: 0.1.0
  job:
    description:
      - Open the session from the backups of this backup job (name or id), as of O(point_in_time).
    type: str
    version_added: 0.1.0
  repository:
    description:
      - Open the session from this backup repository (name or id), for example the object storage repository that
        a backup copy job writes to, when the primary repository is lost or encrypted. The newest restore point of
        the organization in that repository at or before O(point_in_time) is used.
    type: str
    version_added: 0.1.0
  retrieval:
    description:
      - Open the session from the data of this data retrieval (name or id), the way to restore from a long-term
        copy in an archive tier. Its point in time and options are the retrieval's own.
    type: str
    version_added: 0.1.0
  session_id:
    description:
      - The id of an existing restore session. With O(state=present) it is checked to be a working
        Exchange session and returned; with O(state=absent) it is stopped.
    type: str
  scope:
    description:
      - With O(auth_method=operator), the user, group, site or team whose data the Restore Portal session is
        for, by email, display name, site URL or title, team mail, or id, within the operator's effective scope
        (C(GET /v8/Organization/LoggedInUser/EffectiveScope)). Required with O(auth_method=operator).
      - The session shows only the mailboxes of that scope; the server refuses restores outside it.
    type: str
    version_added: 0.1.0
  reason:
    description:
      - With O(auth_method=operator), the reason of the restore (for example the ticket number), recorded by the
        server on the session.
    type: str
    version_added: 0.1.0
  ledger_path:
    description:
      - The file in which the module records the sessions it opened, so that a later task of the same run reuses them.
      - Set it to an empty string to turn reuse off (every run with O(state=present) opens a new session).
      - If not set, the value of the E(VB365_SESSION_LEDGER) environment variable is used.
      - Parallel runs may share the file. Every change is made under a lock, and each entry belongs to the
        run that opened the session (see O(run_id)).
    type: path
    default: ~/.ansible/vb365_restore/sessions.json
  run_id:
    description:
      - Names the run that owns the sessions this task opens. A session from the ledger is reused only by the run
        that opened it (or when O(session_id) asks for it), never by another run, which could stop it while this
        one still works in it.
      - If not set, the E(VB365_RUN_ID) environment variable is used, then E(JOB_ID) (set by AWX and automation
        controller in every job), then the C(ansible-playbook) process the module runs under (host, boot and
        process start time). When none of them can be told (for example when the module runs on another host than
        the controller), nothing is reused.
      - Set the same value in tasks of several playbook runs that should share their sessions.
    type: str
    version_added: 0.1.0
notes:
  - With O(auth_method=operator) the session is opened with C(POST /v8/Organization/OperatorExplore), with
    O(auth_method=tenant) with C(POST /v8/Organization/Explore), both of the signed-in user's own organization
    (O(organization), when given, must name it). Such sessions are not reused from the ledger; each run with
    O(state=present) opens one.
  - A restore session holds resources on the VB365 server. Stop it when done (O(state=absent)); the roles of
    this collection do it in an C(always) section.
  - When the answer to the explore request is lost (the connection is cut, a gateway answers 502 or 504, or no
    answer comes within O(request_timeout)), the request is not sent again. The module looks for the working
    session of the organization created since then; it returns that one (with RV(recovered)) when there is exactly
    one, else it fails listing the likely ones in RV(session_candidates) with how to stop them.
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

- name: As a restore operator, open a session for Bob's mailbox with the ticket as the reason
  vb365.restore.restore_session:
    server: vb365.example.com
    auth_method: operator
    assertion: "{{ signed_in.assertion }}"
    scope: bob@contoso.onmicrosoft.com
    reason: "INC-4711"
    show_deleted: true
  register: operator_session

- name: Restore from the backup copy when the primary repository is lost
  vb365.restore.restore_session:
    organization: contoso.onmicrosoft.com
    repository: Object storage copy
    point_in_time: "2026-11-17"

- name: Open a session at the newest restore point before an incident, and show which one it is
  vb365.restore.restore_session:
    organization: contoso.onmicrosoft.com
    restore_point: latest
    point_in_time: "2026-11-17T08:00:00+01:00"
  register: before_incident

- name: Open a session from retrieved archive data
  vb365.restore.restore_session:
    organization: contoso.onmicrosoft.com
    retrieval: Contoso September retrieval

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
recovered:
  description: True when the answer to the explore request was lost and the session it opened was found.
  returned: when it happened
  type: bool
  version_added: 0.1.0
session_candidates:
  description: On failure after a lost explore answer, the sessions the request may have opened.
  returned: when several could be it
  type: list
  elements: dict
  version_added: 0.1.0
reused:
  description: Whether an existing session was reused instead of opening a new one.
  returned: with O(state=present)
  type: bool
organization:
  description: The organization the session is for.
  returned: when O(organization) is given
  type: dict
  sample: {id: 6b1e2b1c-0a8e-5d7f-9c1a-2f4e5d6c7b8a, name: contoso.onmicrosoft.com}
scope:
  description: With O(auth_method=operator), the scope the session was opened for.
  returned: with O(auth_method=operator) and O(state=present)
  type: dict
  sample: {type: User, id: 4f0c2d1e-6b7a-5c8d-9e0f-1a2b3c4d5e6f, name: bob@contoso.onmicrosoft.com}
point_in_time:
  description: The point in time sent to the server (RFC 3339, UTC), or null for the latest backup.
  returned: when O(organization) is given
  type: str
  sample: "2026-11-17T23:59:59Z"
source:
  description: Where the session is opened from.
  returned: when O(organization) is given with O(state=present)
  type: dict
  contains:
    kind:
      description: V(organization), V(restore_point), V(job), V(repository) or V(retrieval).
      type: str
    id:
      description: The id of the source.
      type: str
    name:
      description: Its name (the backup time for a restore point).
      type: str
  sample: {kind: repository, id: 0c8d3f0e-4b1a-5e3c-9d7f-1a2b3c4d5e6f, name: Object storage copy}
restore_point:
  description:
    - The restore point the session is opened from, with O(restore_point) (for V(latest), the one chosen) and for a
      data retrieval; the same fields as RV(vb365.restore.restore_point_info#module:restore_points) returns.
  returned: with O(restore_point) or O(retrieval)
  type: dict
  sample:
    id: 3f6f7a9e-5c1b-5d2e-8f4a-9b0c1d2e3f4a
    backup_time: "2026-11-16T22:00:00Z"
    repository: Object storage copy
    is_copy: true
planned_requests:
  description: In check mode, the write requests that would have been sent (secrets masked).
  returned: in check mode, when something would change
  type: list
  elements: dict
'''

import datetime

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365Error, Vb365NotFoundError
from ansible_collections.vb365.restore.plugins.module_utils.browse import find_organization
from ansible_collections.vb365.restore.plugins.module_utils.sessions import get_session, session_summary
from ansible_collections.vb365.restore.plugins.module_utils.times import normalize_point_in_time
from ansible_collections.vb365.restore.plugins.module_utils.module import PLANNED, Vb365Module, parameter_error
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    OPERATOR_EXPLORE,
    RESTORE_SESSIONS,
    STOP_SESSION,
    TENANT_EXPLORE,
    Request,
)
from ansible_collections.vb365.restore.plugins.module_utils.portal import (
    describe_scope,
    explore_body,
    find_scope,
    logged_in_organization,
    operator_explore_body,
)
from ansible_collections.vb365.restore.plugins.module_utils.session_ledger import SessionLedger, current_run_id
from ansible_collections.vb365.restore.plugins.module_utils.sources import ledger_organization, plan_source
from ansible.module_utils.basic import env_fallback

# How far the server's clock may be behind the controller's when looking for a session whose
# explore answer was lost.
CLOCK_SKEW = datetime.timedelta(minutes=5)


def resolve_request(mod, purpose):
    """The organization and point in time asked for, and the ledger entry of that request."""
    params = mod.params
    if not params['organization']:
        raise parameter_error('organization', purpose)
    point_in_time = normalize_point_in_time(params['point_in_time'])
    check_source_options(params)
    organization = find_organization(mod.client, params['organization'])
    mod.result['organization'] = {'id': organization.get('id'), 'name': organization.get('name')}
    mod.result['point_in_time'] = point_in_time
    plan = resolve_source(mod, organization, point_in_time)
    ledger = SessionLedger(params['ledger_path'], run_id=current_run_id(params['run_id']))
    key = SessionLedger.key(mod.client.base_url, params['username'], ledger_organization(organization['id'], plan),
                            point_in_time, params['show_deleted'], params['show_all_versions'])
    return organization, plan, ledger, key


def check_source_options(params):
    """Combinations of source options that cannot work, refused before any request."""
    point = params['restore_point']
    if point is not None and not str(point).strip():
        raise parameter_error('restore_point', 'give a restore point id or latest')
    if point and str(point).lower() != 'latest':
        for other in ('point_in_time', 'repository'):
            if params[other]:
                raise parameter_error('restore_point', 'a restore point id fixes the time and the repository; '
                                                       'remove %s (or use restore_point: latest)' % other)
    if params['retrieval'] and params['point_in_time']:
        raise parameter_error('retrieval', 'a data retrieval has its own point in time; remove point_in_time')


def resolve_source(mod, organization, point_in_time):
    """The plan to open a session from the source the options name; reports the source and point."""
    params = mod.params
    plan = plan_source(mod.client, organization, point_in_time, params['show_deleted'], params['show_all_versions'],
                       restore_point=params['restore_point'], job=params['job'], repository=params['repository'],
                       retrieval=params['retrieval'])
    if mod.params['state'] == 'present':
        mod.result['source'] = plan.source
        if plan.restore_point is not None:
            mod.result['restore_point'] = plan.restore_point
    return plan


def check_portal_options(mod):
    """scope and reason belong to the operator; the operator needs a scope."""
    params = mod.params
    method = mod.sign_in.method
    for option in ('scope', 'reason'):
        if params[option] and method != 'operator':
            raise parameter_error(option, 'only with auth_method=operator (a Restore Portal session)')
    for option in ('restore_point', 'job', 'repository', 'retrieval'):
        if params[option] and method != 'password':
            raise parameter_error(option, 'only for an administrator (auth_method=password): a Restore Portal or '
                                          'tenant session is opened from the organization\'s own backups')
    if method == 'operator' and params['state'] == 'present' and not params['session_id'] and not params['scope']:
        raise parameter_error('scope', 'required with auth_method=operator: the user, group, site or team to '
                                       'restore data of, within the operator\'s effective scope')


def present_portal(mod):
    """A session of a restore operator (OperatorExplore) or of a tenant user (Organization/Explore)."""
    params = mod.params
    point_in_time = normalize_point_in_time(params['point_in_time'])
    organization = logged_in_organization(mod.client)
    wanted = params['organization']
    if wanted and wanted.lower() not in [str(organization.get(k) or '').lower() for k in ('id', 'name')]:
        raise parameter_error('organization', '%r is not the organization of the signed-in user (%s)'
                              % (wanted, organization.get('name')))
    mod.result['organization'] = {'id': organization.get('id'), 'name': organization.get('name')}
    mod.result['point_in_time'] = point_in_time
    if mod.sign_in.method == 'operator':
        item = find_scope(mod.client, params['scope'])
        mod.result['scope'] = describe_scope(item)
        body = operator_explore_body(item, params['reason'], point_in_time, params['show_deleted'],
                                     params['show_all_versions'])
        op, what = OPERATOR_EXPLORE, 'a Restore Portal session of %s' % mod.result['scope']['name']
    else:
        body = explore_body(point_in_time, params['show_deleted'], params['show_all_versions'])
        op, what = TENANT_EXPLORE, 'a restore session of %s' % organization.get('name')
    mod.result['changed'] = True
    session = mod.write(Request(op, body, describe='open %s' % what))
    if session is not PLANNED:
        mod.result['session'] = session_summary(session)


def present(mod):
    params = mod.params
    mod.result['reused'] = False
    check_portal_options(mod)
    if mod.sign_in.method != 'password' and not params['session_id']:
        present_portal(mod)
        return
    if params['session_id']:
        session = get_session(mod.client, params['session_id'])
        if session.get('state') != 'Working':
            raise parameter_error('session_id', 'restore session %s is %s; omit session_id to open a new one'
                                  % (params['session_id'], session.get('state')))
        mod.result.update(session=session_summary(session), reused=True)
        return
    organization, plan, ledger, key = resolve_request(
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
    mod.result['changed'] = True
    asked_at = datetime.datetime.now(datetime.timezone.utc)
    try:
        plan.request.describe = 'open an Exchange restore session of %s%s' % (
            organization.get('name'), describe_source(plan))
        session = mod.write(plan.request)
    except Vb365Error as exc:
        if not exc.maybe_processed:
            raise
        session = recover_lost_session(mod, organization, asked_at, exc)
    if session is not PLANNED:
        ledger.put(key, session['id'])
        mod.result['session'] = session_summary(session)


def _parse_time(value):
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace('Z', '+00:00'))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def recover_lost_session(mod, organization, asked_at, exc):
    """The session the server opened although its answer was lost, or an error that names the likely ones.

    It is the one working Exchange session of the organization created since the request was sent
    (allowing for clock skew). Several such sessions (another run opened one at the same time) are
    not guessed between: the error lists them and how to stop them.
    """
    since = asked_at - CLOCK_SKEW
    listed = mod.client.call(RESTORE_SESSIONS, params={
        'startTimeFrom': since.strftime('%Y-%m-%dT%H:%M:%SZ'), 'orderBy': 'CreationTime', 'orderAsc': 'false'}).items
    found = [s for s in listed
             if s.get('type') in (None, 'Vex') and s.get('state') == 'Working'
             and str(s.get('organization') or '').lower() == str(organization.get('name') or '').lower()
             and (_parse_time(s.get('creationTime')) or since) >= since]
    if len(found) == 1:
        mod.module.warn('the answer to the explore request was lost (%s); the session it opened was found: %s, '
                        'created %s' % (exc.msg, found[0]['id'], found[0].get('creationTime')))
        mod.result['recovered'] = True
        return found[0]
    how = 'stop it with vb365.restore.restore_session state=absent session_id=<id>'
    if not found:
        exc.msg += ('; no new session of %s was found on the server, so it probably opened none (check with '
                    'vb365.restore.restore_session_info)' % organization.get('name'))
    else:
        exc.msg += ('; the server may have opened a session: %d were opened for %s since then (%s); the one this '
                    'request opened is among them: %s' % (
                        len(found), organization.get('name'), ', '.join(s['id'] for s in found), how))
        exc.details = dict(exc.details, session_candidates=[session_summary(s) for s in found])
    exc.args = (exc.msg,)
    raise exc


def describe_source(plan):
    if plan.kind == 'organization':
        return ''
    return ' from %s %s' % (plan.kind.replace('_', ' '), plan.source.get('name') or plan.source.get('id'))


def stop(mod, session):
    if session.get('state') == 'Stopped':
        mod.result['session'] = session_summary(session)
        return
    mod.result['changed'] = True
    if mod.write(Request(STOP_SESSION, describe='stop restore session %s' % session['id'],
                         restoreSessionId=session['id'])) is not PLANNED:
        session = get_session(mod.client, session['id'])
    mod.result['session'] = session_summary(session)


def absent(mod):
    params = mod.params
    check_portal_options(mod)
    if mod.sign_in.method != 'password' and not params['session_id']:
        raise parameter_error('session_id', 'required with auth_method=%s to stop a session (sessions of '
                                            'operators and tenant users are not in the ledger)' % mod.sign_in.method)
    if params['session_id']:
        try:
            session = get_session(mod.client, params['session_id'])
        except Vb365NotFoundError:
            mod.result['msg'] = 'restore session %s does not exist' % params['session_id']
            return
        stop(mod, session)
        return
    organization, _plan, ledger, key = resolve_request(
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
    mod.change_locally(lambda: ledger.remove(key))


def main():
    mod = Vb365Module(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            organization=dict(type='str'),
            point_in_time=dict(type='str'),
            show_deleted=dict(type='bool', default=False),
            show_all_versions=dict(type='bool', default=False),
            restore_point=dict(type='str'),
            job=dict(type='str'),
            repository=dict(type='str'),
            retrieval=dict(type='str'),
            session_id=dict(type='str'),
            scope=dict(type='str'),
            reason=dict(type='str'),
            ledger_path=dict(type='path', default='~/.ansible/vb365_restore/sessions.json',
                             fallback=(env_fallback, ['VB365_SESSION_LEDGER'])),
            run_id=dict(type='str'),
        ),
        mutually_exclusive=[('restore_point', 'job', 'retrieval'), ('repository', 'job'), ('repository', 'retrieval')],
    )
    mod.run(present if mod.params['state'] == 'present' else absent)


if __name__ == '__main__':
    main()
