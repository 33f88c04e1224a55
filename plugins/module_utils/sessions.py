# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading restore sessions: a session by id, the check that it is a working Exchange one, its events."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365ParameterError
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    RESTORE_SESSION,
    SESSION_EVENTS,
)
from ansible_collections.vb365.restore.plugins.module_utils.values import is_uuid, to_snake


def session_summary(session):
    """A restore session as modules return it (snake_case)."""
    return to_snake(session) if session else None


def get_session(client, session_id, option='session_id'):
    if not is_uuid(session_id):
        raise Vb365ParameterError('%s: %r is not a restore session id (a UUID)' % (option, session_id))
    return client.call(RESTORE_SESSION, restoreSessionId=session_id)


def require_working_session(client, session_id, option='session_id'):
    """The restore session, which must be a Working Exchange (Vex) session."""
    session = get_session(client, session_id, option)
    if session.get('type') not in (None, 'Vex'):
        raise Vb365ParameterError('%s: restore session %s is a %s session, not an Exchange (Vex) one' % (
            option, session_id, session.get('type')))
    if session.get('state') != 'Working':
        raise Vb365ParameterError('%s: restore session %s is %s; open a new one with vb365.restore.restore_session' % (
            option, session_id, session.get('state')))
    return session


def read_events(client, session_id):
    """Every event of a restore session, in the server's order."""
    events = client.call(SESSION_EVENTS, restoreSessionId=session_id).items
    return sorted(events, key=lambda e: (e.get('order') is None, e.get('order')))
