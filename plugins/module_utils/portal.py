# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restore operators and tenant users: their organization, the operator's scope, the bodies of their
sessions, what an operator may not do, and device codes for Exchange credentials.

Helpers take a client and plain values and raise typed errors; modules call them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365AmbiguousError,
    Vb365NotFoundError,
    Vb365ParameterError,
)
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    EFFECTIVE_SCOPE,
    LOGGED_IN_ORGANIZATION,
)

DEVICE_CODE_REGIONS = ('Worldwide', 'Germany', 'China', 'USDefence', 'USGovernment')

# What a restore operator cannot do with the REST API, and why; checked before any request.
OPERATOR_REFUSALS = {
    'mailbox_restore': 'a restore operator restores items to their original mailbox (vb365.restore.item_restore '
                       'with action=operator_restore); whole-mailbox, folder and bulk restores need a VB365 '
                       'administrator or tenant sign-in',
    'mailbox_export': 'a restore operator cannot export to PST or save items; exports need a VB365 administrator '
                      'or tenant sign-in',
    'restore': 'a restore operator restores items only with action=operator_restore, into their original mailbox; '
               'action=restore (to the original or another mailbox) needs a VB365 administrator or tenant sign-in',
    'send': 'a restore operator cannot send items; only action=operator_restore is allowed',
    'restore_device_code': 'a restore operator needs no Exchange credentials (action=operator_restore runs with '
                           'the Restore Portal\'s own access), so no device code',
}


def refuse_for_operator(auth_method, what, option='auth_method'):
    """Raise the reason when a restore operator asks for ``what`` (a key of OPERATOR_REFUSALS)."""
    if auth_method == 'operator':
        raise Vb365ParameterError('%s=operator: %s' % (option, OPERATOR_REFUSALS[what]))


def logged_in_organization(client):
    """``GET /v8/Organization``: the organization of the signed-in operator or tenant user."""
    return client.call(LOGGED_IN_ORGANIZATION)


def effective_scope(client):
    """``GET /v8/Organization/LoggedInUser/EffectiveScope`` as one list of (kind, item)."""
    scope = client.call(EFFECTIVE_SCOPE) or {}
    found = []
    for kind in ('users', 'groups', 'sites', 'teams'):
        for item in scope.get(kind) or []:
            found.append(item)
    return found


def scope_names(item):
    """The names an operator may use for a scope item: email, display name, id, site URL or title, team mail."""
    names = [item.get('id')]
    for key in ('user', 'group', 'site', 'team'):
        obj = item.get(key) or {}
        names.extend(obj.get(field) for field in ('id', 'name', 'displayName', 'url', 'title', 'mail'))
    return [str(name) for name in names if name]


def describe_scope(item):
    for key, fields in (('user', ('name', 'displayName')), ('group', ('displayName', 'name')),
                        ('site', ('url', 'title')), ('team', ('mail', 'displayName'))):
        obj = item.get(key)
        if obj:
            return {'type': item.get('type') or key.capitalize(), 'id': item.get('id'),
                    'name': next((obj.get(f) for f in fields if obj.get(f)), item.get('id'))}
    return {'type': item.get('type'), 'id': item.get('id'), 'name': item.get('id')}


def find_scope(client, wanted, option='scope'):
    """The item of the operator's effective scope named ``wanted`` (email, name, id, URL, title or mail;
    case-insensitive).  Several matches are an error listing them; none lists what the operator manages."""
    items = effective_scope(client)
    text = str(wanted).strip().lower()
    matches = [item for item in items if text in [name.lower() for name in scope_names(item)]]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise Vb365AmbiguousError('%s: %r matches %d objects of the restore operator\'s scope: %s; give the id or '
                                  'the email' % (option, wanted, len(matches), ', '.join(
                                      '%(type)s %(name)s (%(id)s)' % describe_scope(m) for m in matches)))
    known = ', '.join('%(type)s %(name)s' % describe_scope(item) for item in items[:20]) or 'nothing'
    raise Vb365NotFoundError('%s: %r is not among the objects this restore operator may manage (%s%s)' % (
        option, wanted, known, ', ...' if len(items) > 20 else ''))


def explore_body(point_in_time, show_deleted, show_all_versions):
    body = {'type': 'Vex', 'showDeleted': show_deleted, 'showAllVersions': show_all_versions}
    if point_in_time:
        body['dateTime'] = point_in_time
    return body


def operator_explore_body(scope_item, reason, point_in_time, show_deleted, show_all_versions):
    """The body of ``POST /v8/Organization/OperatorExplore`` (``RESTOperatorExploreOptions``)."""
    body = explore_body(point_in_time, show_deleted, show_all_versions)
    body['scope'] = dict((k, v) for k, v in scope_item.items() if k != '_links')
    if reason:
        body['reason'] = reason
    return body


def device_code_body(target_application_id=None, target_region=None, target_organization_name=None):
    """The body of ``POST .../organization/restoreDeviceCode`` (``RESTDeviceCodeRequestOptions``)."""
    if target_region is not None and target_region not in DEVICE_CODE_REGIONS:
        raise Vb365ParameterError('target_region: %r is not one of %s' % (target_region, ', '.join(DEVICE_CODE_REGIONS)))
    body = {}
    for field, value in (('targetApplicationId', target_application_id), ('targetRegion', target_region),
                         ('targetOrganizationName', target_organization_name)):
        if value:
            body[field] = value
    return body


def device_code_result(answer):
    """The server's ``RESTDeviceCodeResponse`` as the module returns it."""
    answer = answer or {}
    return {'user_code': answer.get('userCode'), 'verification_url': answer.get('verificationUrl'),
            'expires_in': answer.get('expiresIn'), 'message': answer.get('message')}
