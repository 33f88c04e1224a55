# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a restore comes from: restore points, backup jobs, backup (copy) repositories and data
retrievals, and the request that opens an Exchange restore session from each of them.

Helpers take a client and plain values and raise typed errors; they never see the module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365NotFoundError,
    Vb365ParameterError,
)
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    COPY_JOBS,
    EXPLORE_JOB,
    EXPLORE_ORGANIZATION,
    EXPLORE_REPOSITORY,
    EXPLORE_RETRIEVAL,
    JOBS,
    REPOSITORIES,
    RESTORE_POINT,
    RESTORE_POINTS,
    RETRIEVALS,
    Request,
)
from ansible_collections.vb365.restore.plugins.module_utils.values import is_uuid, pick_one

NEAREST_SHOWN = 3


# ---------------------------------------------------------------------------- times
def _stamp(value):
    """A comparable UTC stamp 'YYYY-MM-DDTHH:MM:SS' of an RFC 3339 date-time (any offset), or ''."""
    if not value:
        return ''
    text = str(value).strip().replace('z', 'Z')
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    if '.' in text:  # fractions of a second: keep at most 6 digits for fromisoformat
        head, tail = text.split('.', 1)
        digits = ''.join(c for c in tail if c.isdigit())
        text = head + '.' + digits[:6].ljust(6, '0') + tail[len(digits):]
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.strftime('%Y-%m-%dT%H:%M:%S')


def _shift(value, seconds):
    """An RFC 3339 UTC date-time ``seconds`` later (earlier when negative)."""
    moment = datetime.datetime.strptime(_stamp(value), '%Y-%m-%dT%H:%M:%S') + datetime.timedelta(seconds=seconds)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


# ---------------------------------------------------------------------------- listings
def list_jobs(client, organization_id):
    return client.call(JOBS, params={'organizationId': organization_id}).items


def list_copy_jobs(client, organization_id):
    return client.call(COPY_JOBS, params={'organizationId': organization_id}).items


def list_repositories(client, organization_id=None):
    params = {'organizationId': organization_id} if organization_id else None
    return client.call(REPOSITORIES, params=params).items


def list_retrievals(client, organization_id):
    return client.call(RETRIEVALS, params={'organizationId': organization_id}).items


def list_restore_points(client, organization_id, job_id=None, repository_id=None, since=None, until=None,
                        is_copy=None, is_long_term_copy=None, is_retrieved=None):
    """Every restore point of an organization that matches, newest first (all pages).

    The filters go to the server as query parameters and are applied again here, so that the
    answer is right whatever the server does with bounds and order.
    """
    params = {'organizationId': organization_id, 'orderAsc': 'false'}
    for name, value in (('jobId', job_id), ('repositoryId', repository_id)):
        if value:
            params[name] = value
    # One second wider than asked: the spec does not say whether the server includes the bounds.
    if since:
        params['from'] = _shift(since, -1)
    if until:
        params['to'] = _shift(until, 1)
    flags = (('isCopy', is_copy), ('isLongTermCopy', is_long_term_copy), ('isRetrieved', is_retrieved))
    for name, value in flags:
        if value is not None:
            params[name] = 'true' if value else 'false'
    points = client.call(RESTORE_POINTS, params=params).items
    wanted = []
    for point in points:
        stamp = _stamp(point.get('backupTime'))
        if organization_id and str(point.get('organizationId') or organization_id).lower() != organization_id.lower():
            continue
        if job_id and str(point.get('jobId') or '').lower() != job_id.lower():
            continue
        if repository_id and str(point.get('repositoryId') or '').lower() != repository_id.lower():
            continue
        if since and stamp < _stamp(since):
            continue
        if until and stamp > _stamp(until):
            continue
        if any(value is not None and bool(point.get(name)) != value for name, value in flags):
            continue
        wanted.append(point)
    wanted.sort(key=lambda p: (_stamp(p.get('backupTime')), str(p.get('id'))), reverse=True)
    return wanted


def get_restore_point(client, point_id, option='restore_point'):
    try:
        return client.call(RESTORE_POINT, restorePointId=point_id)
    except Vb365NotFoundError:
        raise Vb365NotFoundError('%s: no restore point with id %s' % (option, point_id))


# ---------------------------------------------------------------------------- lookups
def find_job(client, organization_id, ref, option='job'):
    """A backup job of the organization by name or id."""
    return pick_one(list_jobs(client, organization_id), ref, 'backup job', option, ('name',),
                    ('id', 'name', 'repositoryId'))


def find_repository(client, organization_id, ref, option='repository'):
    """A backup repository that holds the organization's data, by name or id."""
    repositories = list_repositories(client, organization_id)
    if is_uuid(ref) and not any(str(r.get('id')).lower() == str(ref).lower() for r in repositories):
        raise Vb365NotFoundError('%s: no backup repository with id %s holds data of this organization; there are: %s'
                                 % (option, ref, ', '.join(str(r.get('name')) for r in repositories) or 'none'))
    return pick_one(repositories, ref, 'backup repository', option, ('name',), ('id', 'name', 'isLongTerm'))


def find_retrieval(client, organization_id, ref, option='retrieval'):
    """A data retrieval of the organization by name or id."""
    return pick_one(list_retrievals(client, organization_id), ref, 'data retrieval', option, ('name',),
                    ('id', 'name', 'pointInTime', 'dataState'))


def names_by_id(*collections):
    found = {}
    for records in collections:
        for record in records:
            if record.get('id'):
                found[str(record['id']).lower()] = record.get('name')
    return found


# ---------------------------------------------------------------------------- shaping
def restore_point_summary(point, names=None):
    """A restore point as modules return it: time, job, repository, kinds of data, copy flags."""
    names = names or {}
    kinds = [kind for kind, flag in (('Exchange', 'isExchange'), ('SharePoint', 'isSharePoint'),
                                     ('OneDrive', 'isOneDrive'), ('Teams', 'isTeams')) if point.get(flag)]
    job_id = point.get('jobId')
    repository_id = point.get('repositoryId')
    return {
        'id': point.get('id'),
        'backup_time': point.get('backupTime'),
        'organization_id': point.get('organizationId'),
        'job_id': job_id,
        'job': names.get(str(job_id).lower()) if job_id else None,
        'repository_id': repository_id,
        'repository': names.get(str(repository_id).lower()) if repository_id else None,
        'retrieval_id': point.get('retrievalId'),
        'data': kinds,
        'is_exchange': bool(point.get('isExchange')),
        'is_copy': bool(point.get('isCopy')),
        'is_long_term_copy': bool(point.get('isLongTermCopy')),
        'is_retrieved': bool(point.get('isRetrieved')),
        'is_deleted': bool(point.get('isDeleted')),
        'immutability_expires_on': point.get('immutabilityExpiresOn'),
    }


def describe_points(points, limit=NEAREST_SHOWN):
    return '; '.join('%s (%s%s)' % (p.get('backupTime'), p.get('id'),
                                    ', copy' if p.get('isCopy') else '') for p in points[:limit]) or 'none'


# ---------------------------------------------------------------------------- choosing a point
def latest_at_or_before(points, moment):
    """The newest point at or before ``moment`` (None: the newest of all), or None."""
    limit = _stamp(moment) if moment else None
    chosen = [p for p in points if limit is None or _stamp(p.get('backupTime')) <= limit]
    return max(chosen, key=lambda p: _stamp(p.get('backupTime'))) if chosen else None


def nearest_points(points, moment, count=NEAREST_SHOWN):
    """The points closest in time to ``moment``, earliest first (for error messages)."""

    def distance(point):
        try:
            a = datetime.datetime.strptime(_stamp(point.get('backupTime')), '%Y-%m-%dT%H:%M:%S')
            b = datetime.datetime.strptime(_stamp(moment), '%Y-%m-%dT%H:%M:%S')
            return abs((a - b).total_seconds())
        except ValueError:
            return float('inf')
    closest = sorted(points, key=distance)[:count]
    return sorted(closest, key=lambda p: _stamp(p.get('backupTime')))


def require_point_at_or_before(points, moment, what, option='point_in_time'):
    """The newest Exchange point at or before ``moment``; refused, naming the nearest ones, when none is."""
    exchange = [p for p in points if p.get('isExchange', True)]
    if not exchange:
        raise Vb365NotFoundError('%s: there is no Exchange restore point %s' % (option, what))
    chosen = latest_at_or_before(exchange, moment)
    if chosen is None:
        nearest = nearest_points(exchange, moment)
        raise Vb365NotFoundError(
            '%s: there is no Exchange restore point %s at or before %s; the nearest are: %s' % (
                option, what, moment, describe_points(nearest)),
            details={'nearest_restore_points': [restore_point_summary(p) for p in nearest]})
    return chosen


# ---------------------------------------------------------------------------- opening sessions
def explore_body(point_in_time, show_deleted, show_all_versions, repository_id=None):
    body = {'type': 'Vex', 'showDeleted': bool(show_deleted), 'showAllVersions': bool(show_all_versions)}
    if point_in_time:
        body['dateTime'] = point_in_time
    if repository_id:
        body['repositoryId'] = repository_id
    return body


class SourcePlan:
    """What to send to open a session from a source (``request``), and what to tell the user about it."""

    def __init__(self, kind, request, source, restore_point=None, ledger_scope=''):
        self.kind, self.request = kind, request
        self.source, self.restore_point, self.ledger_scope = source, restore_point, ledger_scope

    @property
    def body(self):
        return self.request.body


def _point_source(client, organization, point, show_deleted, show_all_versions, names, option):
    org_id = organization['id']
    if point.get('organizationId') and str(point['organizationId']).lower() != str(org_id).lower():
        raise Vb365ParameterError('%s: restore point %s belongs to another organization (%s), not %s' % (
            option, point.get('id'), point.get('organizationId'), organization.get('name')))
    if point.get('isExchange') is False:
        raise Vb365ParameterError('%s: restore point %s of %s holds no Exchange data (%s)' % (
            option, point.get('id'), point.get('backupTime'),
            ', '.join(restore_point_summary(point)['data']) or 'no data'))
    summary = restore_point_summary(point, names)
    if point.get('isRetrieved') and point.get('retrievalId'):
        return SourcePlan('retrieval', Request(EXPLORE_RETRIEVAL, dataRetrievalId=point['retrievalId']),
                          {'kind': 'retrieval', 'id': point['retrievalId'], 'name': names.get(
                              str(point['retrievalId']).lower())}, summary,
                          'retrieval:%s' % str(point['retrievalId']).lower())
    if point.get('isLongTermCopy'):
        raise Vb365ParameterError(
            '%s: restore point %s of %s is a long-term copy; its data must be retrieved first (a data retrieval '
            'in VB365), then give the retrieval as the retrieval option' % (option, point.get('id'),
                                                                            point.get('backupTime')))
    body = explore_body(point.get('backupTime'), show_deleted, show_all_versions, point.get('repositoryId'))
    return SourcePlan('restore_point', Request(EXPLORE_ORGANIZATION, body, organizationId=org_id),
                      {'kind': 'restore_point', 'id': point.get('id'), 'name': point.get('backupTime')}, summary,
                      'point:%s' % str(point.get('id')).lower())


def plan_source(client, organization, point_in_time, show_deleted, show_all_versions, restore_point=None, job=None,
                repository=None, retrieval=None):
    """The request that opens an Exchange restore session of ``organization`` from the chosen source.

    ``restore_point`` is a restore point id or ``latest`` (the newest Exchange point at or before
    ``point_in_time``, of ``repository`` when given); ``job``, ``repository`` and ``retrieval``
    are names or ids.  With none of them the organization's own backups are explored.  When a
    ``point_in_time`` is given, a source with no Exchange restore point at or before it is refused
    before anything is opened.
    """
    org_id = organization['id']
    org_name = organization.get('name')
    if retrieval:
        found = find_retrieval(client, org_id, retrieval)
        if found.get('dataState') not in (None, 'Retrieved'):
            raise Vb365ParameterError('retrieval: the data of %s is %s, not Retrieved yet; wait for the data '
                                      'retrieval to finish' % (found.get('name'), found.get('dataState')))
        point = None
        if found.get('retrievedRestorePointId'):
            try:
                point = restore_point_summary(client.call(RESTORE_POINT, restorePointId=found['retrievedRestorePointId']),
                                              names_by_id([found]))
            except Vb365NotFoundError:
                point = None
        return SourcePlan('retrieval', Request(EXPLORE_RETRIEVAL, dataRetrievalId=found['id']),
                          {'kind': 'retrieval', 'id': found['id'], 'name': found.get('name'),
                           'point_in_time': found.get('pointInTime')}, point,
                          'retrieval:%s' % str(found['id']).lower())
    if restore_point and str(restore_point).lower() != 'latest':
        point = get_restore_point(client, restore_point)
        names = names_by_id(list_jobs(client, org_id), list_copy_jobs(client, org_id),
                            list_repositories(client, org_id), list_retrievals(client, org_id))
        return _point_source(client, organization, point, show_deleted, show_all_versions, names, 'restore_point')
    if job:
        found = find_job(client, org_id, job)
        if point_in_time:
            points = list_restore_points(client, org_id, job_id=found['id'], repository_id=found.get('repositoryId'))
            require_point_at_or_before(points, point_in_time, 'of backup job %s' % found.get('name'))
        return SourcePlan('job', Request(EXPLORE_JOB, explore_body(point_in_time, show_deleted, show_all_versions),
                                         jobId=found['id']),
                          {'kind': 'job', 'id': found['id'], 'name': found.get('name')}, None,
                          'job:%s' % str(found['id']).lower())
    found_repo = find_repository(client, org_id, repository) if repository else None
    if found_repo and found_repo.get('isLongTerm'):
        raise Vb365ParameterError(
            'repository: %s keeps long-term copies (archive tier); their data must be retrieved first (a data '
            'retrieval in VB365), then give the retrieval as the retrieval option' % found_repo.get('name'))
    if restore_point:  # latest
        points = list_restore_points(client, org_id, repository_id=found_repo['id'] if found_repo else None)
        points = [p for p in points if not p.get('isLongTermCopy') or p.get('isRetrieved')]
        where = 'of %s%s' % (org_name, ' in %s' % found_repo.get('name') if found_repo else '')
        point = require_point_at_or_before(points, point_in_time, where)
        names = names_by_id(list_jobs(client, org_id), list_copy_jobs(client, org_id),
                            [found_repo] if found_repo else list_repositories(client, org_id))
        return _point_source(client, organization, point, show_deleted, show_all_versions, names, 'restore_point')
    if found_repo:
        if point_in_time:
            points = list_restore_points(client, org_id, repository_id=found_repo['id'])
            require_point_at_or_before(points, point_in_time, 'of %s in %s' % (org_name, found_repo.get('name')))
        request = Request(EXPLORE_REPOSITORY, explore_body(point_in_time, show_deleted, show_all_versions),
                          params={'organizationId': org_id}, repositoryId=found_repo['id'])
        return SourcePlan('repository', request,
                          {'kind': 'repository', 'id': found_repo['id'], 'name': found_repo.get('name')}, None,
                          'repository:%s' % str(found_repo['id']).lower())
    if point_in_time:
        points = list_restore_points(client, org_id)
        require_point_at_or_before(points, point_in_time, 'of %s' % org_name)
    body = explore_body(point_in_time, show_deleted, show_all_versions)
    return SourcePlan('organization', Request(EXPLORE_ORGANIZATION, body, organizationId=org_id),
                      {'kind': 'organization', 'id': org_id, 'name': org_name}, None, '')


def ledger_organization(organization_id, plan):
    """The organization part of a session ledger key, with the source in it (unchanged for the
    organization's own backups, so that sessions recorded before stay reusable)."""
    return organization_id if not plan.ledger_scope else '%s@%s' % (organization_id, plan.ledger_scope)
