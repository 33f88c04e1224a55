"""Where restores come from: backup repositories, backup and backup copy jobs, restore points,
data retrievals, and the restore sessions opened from each of them.

The catalog is deterministic for a seed (dates fixed, never "now"):

- ``Primary repository`` (JET): one backup job per organization ("Backup <name>"), a restore
  point every day at 22:00 UTC from 2026-01-01 to 2026-11-22 with Exchange data; Contoso also has
  "Contoso OneDrive", a point every day at 23:00 in November with OneDrive data only.
- ``Object storage copy``: Contoso's backup copy job "Contoso copy to object storage" copies the
  backup every Monday at 22:00 (2026-09-07 .. 2026-11-16): copies, immutable for 30 days.
- ``Archive (long-term)``: "Contoso archive" copies the last day of each month (Jan .. Oct) to an
  archive tier: long-term copies, immutable for 365 days; their data is explored only through a
  data retrieval.
- Two data retrievals of Contoso from the archive: "Contoso September retrieval" (Retrieved, with
  its own retrieved restore point) and "Contoso June retrieval" (still Retrieving).

A session opened from a restore point, a job, a repository or a retrieval shows the backed-up
data as of that restore point's ``backupTime``.  The ``primary_repository_lost`` knob makes the
primary repository unusable: its points are still listed (the configuration database survives),
the repository shows ``isOutOfOrder``, and every session that would read it fails with 500.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .data import iso, parse_time, uid

DAY = timedelta(days=1)
PRIMARY_FIRST = datetime(2026, 1, 1, 22, 0, tzinfo=timezone.utc)
PRIMARY_LAST = datetime(2026, 11, 22, 22, 0, tzinfo=timezone.utc)
COPY_FIRST = datetime(2026, 9, 7, 22, 0, tzinfo=timezone.utc)  # a Monday
COPY_LAST = datetime(2026, 11, 16, 22, 0, tzinfo=timezone.utc)
NO_DATA = datetime(2000, 1, 1, tzinfo=timezone.utc)  # the point in time of a session with nothing in it


class Catalog:
    """Repositories, jobs, copy jobs, restore points and data retrievals of a dataset."""

    def __init__(self, dataset, seed=1):
        self.seed = seed
        self.repositories, self.jobs, self.copy_jobs, self.points, self.retrievals = [], [], [], [], []
        primary = self._repository('Primary repository', 'C:\\VeeamRepository', long_term=False)
        self.primary_id = primary['id']
        contoso = None
        for org in dataset.organizations:
            short = org.name.split('.')[0].capitalize()
            job = self._job(org, 'Backup %s' % short, primary)
            day = PRIMARY_FIRST
            while day <= PRIMARY_LAST:
                self._point(org, job['id'], primary, day, office=org.type == 'Office365')
                day += DAY
            if org.name == 'contoso.onmicrosoft.com':
                contoso = (org, job)
        if contoso is None:
            return
        org, job = contoso
        onedrive = self._job(org, 'Contoso OneDrive', primary)
        day = datetime(2026, 11, 1, 23, 0, tzinfo=timezone.utc)
        while day <= datetime(2026, 11, 22, 23, 0, tzinfo=timezone.utc):
            self._point(org, onedrive['id'], primary, day, exchange=False, onedrive=True)
            day += DAY
        copy_repo = self._repository('Object storage copy', 'contoso-copies', long_term=False, object_storage=True)
        copy_job = self._copy_job(org, 'Contoso copy to object storage', job, copy_repo)
        day = COPY_FIRST
        while day <= COPY_LAST:
            self._point(org, job['id'], copy_repo, day, is_copy=True, immutable_days=30, copy_job=copy_job['id'])
            day += 7 * DAY
        archive = self._repository('Archive (long-term)', 'contoso-archive', long_term=True, object_storage=True)
        archive_job = self._copy_job(org, 'Contoso archive', job, archive)
        for month in range(1, 11):
            last = datetime(2026, month + 1, 1, 22, 0, tzinfo=timezone.utc) - DAY
            self._point(org, job['id'], archive, last, is_copy=True, long_term=True, immutable_days=365,
                        copy_job=archive_job['id'])
        self._retrieval(org, 'Contoso September retrieval', archive, datetime(2026, 9, 30, 22, 0, tzinfo=timezone.utc),
                        'Retrieved', job['id'])
        self._retrieval(org, 'Contoso June retrieval', archive, datetime(2026, 6, 30, 22, 0, tzinfo=timezone.utc),
                        'Retrieving', job['id'])

    # ------------------------------------------------------------------ building
    def _repository(self, name, path, long_term, object_storage=False):
        repo = {'id': uid(self.seed, 'repository', name), 'name': name, 'description': 'Simulated repository',
                'path': path, 'retentionType': 'SnapshotBased', 'retentionPeriodType': 'Yearly',
                'yearlyRetentionPeriod': 'Years3', 'isLongTerm': long_term, 'isOutdated': False,
                'isOutOfSync': False, 'isIndexed': True, 'isMigrationLocked': False, 'isOutOfOrder': False,
                'objectStorageEncryptionEnabled': bool(object_storage), '_orgs': set()}
        self.repositories.append(repo)
        return repo

    def _job(self, org, name, repo):
        job = {'id': uid(self.seed, 'job', org.id, name), 'name': name, 'description': 'Simulated backup job',
               'backupType': 'EntireOrganization', 'organizationId': org.id, 'repositoryId': repo['id'],
               'lastRun': iso(PRIMARY_LAST), 'lastBackup': iso(PRIMARY_LAST), 'isEnabled': True,
               'lastStatus': 'Success', 'eTag': 1}
        repo['_orgs'].add(org.id)
        self.jobs.append(job)
        return job

    def _copy_job(self, org, name, backup_job, repo):
        job = {'id': uid(self.seed, 'copyjob', org.id, name), 'name': name, 'backupJobId': backup_job['id'],
               'organizationId': org.id, 'repositoryId': repo['id'], 'lastRun': iso(COPY_LAST),
               'lastBackup': iso(COPY_LAST), 'isEnabled': True, 'lastStatus': 'Success', 'eTag': 1}
        repo['_orgs'].add(org.id)
        self.copy_jobs.append(job)
        return job

    def _point(self, org, job_id, repo, moment, office=True, exchange=True, onedrive=False, is_copy=False,
               long_term=False, immutable_days=None, copy_job=None, retrieval=None):
        point = {'id': uid(self.seed, 'restorepoint', org.id, job_id, repo['id'], iso(moment), retrieval or ''),
                 'isDeleted': False, 'repositoryId': repo['id'], 'backupTime': iso(moment), 'jobId': job_id,
                 'organizationId': org.id, 'isExchange': exchange, 'isSharePoint': bool(office and exchange),
                 'isOneDrive': onedrive, 'isTeams': False, 'isLongTermCopy': long_term, 'isCopy': is_copy,
                 'isRetrieved': retrieval is not None, 'eTag': 1, 'objectsEtag': 1,
                 'immutabilityExpiresOn': iso(moment + immutable_days * DAY) if immutable_days else None,
                 '_moment': moment, '_copy_job': copy_job}
        if retrieval:
            point['retrievalId'] = retrieval
        self.points.append(point)
        return point

    def _retrieval(self, org, name, repo, moment, data_state, job_id):
        rid = uid(self.seed, 'retrieval', org.id, name)
        retrieval = {'id': rid, 'name': name, 'description': 'Simulated data retrieval', 'storageType': 'AzureArchive',
                     'pointInTime': iso(moment), 'organizationId': org.id, 'organizationUniqueId': org.office_name,
                     'repositoryId': repo['id'], 'dataState': data_state,
                     'lastStatus': 'Success' if data_state == 'Retrieved' else 'Running',
                     'startTime': iso(moment + 60 * DAY), 'expirationTime': '2026-12-31T00:00:00Z',
                     'enableExpirationNotification': False, 'expirationHoursThreshold': 24, 'type': 'Exchange',
                     'showDeleted': False, 'showAllVersions': False}
        if data_state == 'Retrieved':
            point = self._point(org, job_id, repo, moment, is_copy=True, long_term=True, retrieval=rid)
            retrieval['retrievedRestorePointId'] = point['id']
        self.retrievals.append(retrieval)
        return retrieval


def public(record):
    return dict((k, v) for k, v in record.items() if not k.startswith('_') and v is not None)


def _bool_query(query, name):
    value = query.get(name)
    if value in (None, ''):
        return None
    return str(value).lower() == 'true'


def _time_query(query, name):
    from .api import ApiError
    if not query.get(name):
        return None
    try:
        return parse_time(query[name])
    except ValueError:
        raise ApiError(400, '%s: %r is not a date and time.' % (name, query[name]))


class SourceApi:
    """The handlers of the catalog's operations, on top of the simulated API ``api``."""

    def __init__(self, api):
        self.api = api
        self.s = api.s

    def routes(self):
        from .api import V8
        return {
            ('GET', V8 + '/BackupRepositories'): self.repositories,
            ('GET', V8 + '/Jobs'): self.jobs,
            ('GET', V8 + '/CopyJobs'): self.copy_jobs,
            ('GET', V8 + '/DataRetrievals'): self.retrievals,
            ('GET', V8 + '/RestorePoints'): self.restore_points,
            ('GET', V8 + '/RestorePoints/{restorePointId}'): self.restore_point,
            ('POST', V8 + '/Organizations/{organizationId}/explore'): self.explore_organization,
            ('POST', V8 + '/Jobs/{jobId}/explore'): self.explore_job,
            ('POST', V8 + '/BackupRepositories/{repositoryId}/explore'): self.explore_repository,
            ('POST', V8 + '/DataRetrievals/{dataRetrievalId}/explore'): self.explore_retrieval,
        }

    @property
    def catalog(self):
        return self.s.catalog

    def _lost(self, repository_id):
        return bool(self.s.config.get('primary_repository_lost')) and repository_id == self.catalog.primary_id

    def _repository_view(self, repo):
        view = public(repo)
        if self._lost(repo['id']):
            view.update(isOutOfOrder=True, outOfOrderReason='The repository is not accessible.')
        return view

    # ------------------------------------------------------------------ listings
    def repositories(self, ctx):
        query = ctx.query
        found = self.catalog.repositories
        if query.get('organizationId'):
            found = [r for r in found if query['organizationId'].lower() in r['_orgs']]
        long_term = _bool_query(query, 'longTerm')
        if long_term is not None:
            found = [r for r in found if r['isLongTerm'] == long_term]
        return self.api.page(found, query, render=self._repository_view)

    @staticmethod
    def _filtered(records, query):
        for name in ('organizationId', 'repositoryId', 'dataState'):
            if query.get(name):
                records = [r for r in records if str(r.get(name)).lower() == query[name].lower()]
        return records

    def jobs(self, ctx):
        return self.api.page(self._filtered(self.catalog.jobs, ctx.query), ctx.query, render=public)

    def copy_jobs(self, ctx):
        return self.api.page(self._filtered(self.catalog.copy_jobs, ctx.query), ctx.query, render=public)

    def retrievals(self, ctx):
        return self.api.page(self._filtered(self.catalog.retrievals, ctx.query), ctx.query, render=public)

    def restore_points(self, ctx):
        """Filters as the spec names them.  Model ``oldest_first_inclusive`` (default): ``from``/``to``
        include their bounds, oldest first unless ``orderAsc=false``; ``newest_first_exclusive``: the
        bounds are left out and the order is always newest first."""
        query = ctx.query
        found = self.catalog.points
        for name in ('organizationId', 'jobId', 'repositoryId'):
            if query.get(name):
                found = [p for p in found if str(p.get(name)).lower() == query[name].lower()]
        for name in ('isCopy', 'isLongTermCopy', 'isRetrieved'):
            wanted = _bool_query(query, name)
            if wanted is not None:
                found = [p for p in found if p[name] == wanted]
        since, until = _time_query(query, 'from'), _time_query(query, 'to')
        exclusive = self.s.config.get('restore_points_model') == 'newest_first_exclusive'
        if since:
            found = [p for p in found if p['_moment'] > since or (p['_moment'] == since and not exclusive)]
        if until:
            found = [p for p in found if p['_moment'] < until or (p['_moment'] == until and not exclusive)]
        descending = exclusive or _bool_query(query, 'orderAsc') is False
        found = sorted(found, key=lambda p: (p['_moment'], p['id']), reverse=descending)
        return self.api.page(found, query, render=self._point_view)

    def _point_view(self, point):
        view = public(point)
        if self.s.config.get('copy_points_job') == 'copy_job' and point.get('_copy_job'):
            view['jobId'] = point['_copy_job']
        return view

    def restore_point(self, ctx):
        from .api import ApiError, Reply
        wanted = ctx.params['restorePointId'].lower()
        for point in self.catalog.points:
            if point['id'] == wanted:
                return Reply(200, self._point_view(point))
        raise ApiError(404, 'Restore point with ID %s was not found.' % ctx.params['restorePointId'])

    # ------------------------------------------------------------------ sessions
    @staticmethod
    def _options(body):
        from .api import ApiError
        if body.get('type') not in (None, 'Vex'):
            raise ApiError(400, 'type: only Exchange (Vex) restore sessions are simulated, not %s.' % body['type'])
        if not body.get('dateTime'):
            return None
        try:
            return parse_time(body['dateTime'])
        except ValueError:
            raise ApiError(400, 'dateTime: %r is not a date and time.' % body['dateTime'])

    def _exchange_points(self, **match):
        return [p for p in self.catalog.points
                if p['isExchange'] and not p['isRetrieved'] and all(p.get(k) == v for k, v in match.items())]

    def _unavailable(self, repository_id):
        from .api import ApiError
        if self._lost(repository_id):
            raise ApiError(500, 'The backup repository %s is not accessible.' % repository_id)

    def _open(self, org, source, point, body, name, empty=False):
        from .api import Reply
        self._unavailable(point['repositoryId'] if point else None)
        pit = NO_DATA if empty or point is None else point['_moment']
        session = self.api._new_session(
            org, name, 'explore', _pit=pit, _deleted=bool(body.get('showDeleted')),
            _all_versions=bool(body.get('showAllVersions')),
            _requested={'dateTime': body.get('dateTime'), 'showDeleted': body.get('showDeleted'),
                        'showAllVersions': body.get('showAllVersions')},
            _source=dict(source, restorePointId=point['id'] if point else None),
            details='Point in time: %s' % iso(pit))
        return Reply(201, self.api.public(session))

    @staticmethod
    def _latest(points, moment):
        chosen = [p for p in points if moment is None or p['_moment'] <= moment]
        return max(chosen, key=lambda p: p['_moment']) if chosen else None

    def explore_organization(self, ctx):
        """Without ``repositoryId``: the organization's backups (the primary repository); with it, the
        newest Exchange restore point of that repository at or before ``dateTime``."""
        from .api import ApiError
        body = ctx.json or {}
        if not body.get('repositoryId'):
            self._unavailable(self.catalog.primary_id)
            reply = self.api.explore(ctx)
            session = self.s.sessions[reply.body['id']]
            session['_source'] = {'kind': 'organization'}
            return reply
        org = self.api._organization(ctx.params['organizationId'])
        moment = self._options(body)
        repo_id = body['repositoryId'].lower()
        repo = self._repo(repo_id)
        if repo['isLongTerm']:
            raise ApiError(400, 'The backup repository %s keeps long-term copies: retrieve the data first '
                                '(DataRetrievals) and explore the retrieval.' % repo['name'])
        point = self._latest(self._exchange_points(organizationId=org.id, repositoryId=repo_id), moment)
        if point is None:
            raise ApiError(400, 'There is no restore point of %s in %s at or before %s.' % (
                org.name, repo['name'], body.get('dateTime')))
        return self._open(org, {'kind': 'organization', 'repositoryId': repo_id}, point, body,
                          'Exchange restore session of %s from %s' % (org.name, repo['name']))

    def _repo(self, repo_id):
        from .api import ApiError
        for repo in self.catalog.repositories:
            if repo['id'] == repo_id.lower():
                return repo
        raise ApiError(404, 'Backup repository with ID %s was not found.' % repo_id)

    def explore_job(self, ctx):
        """The job's newest Exchange point at or before ``dateTime``; before its first one, a session
        with no data (as the spec says)."""
        from .api import ApiError
        body = ctx.json or {}
        job = next((j for j in self.catalog.jobs if j['id'] == ctx.params['jobId'].lower()), None)
        if job is None:
            raise ApiError(404, 'Backup job with ID %s was not found.' % ctx.params['jobId'])
        org = self.api._organization(job['organizationId'])
        moment = self._options(body)
        points = self._exchange_points(jobId=job['id'], repositoryId=job['repositoryId'])
        if not points:
            raise ApiError(400, 'The backup job %s has no Exchange data.' % job['name'])
        point = self._latest(points, moment)
        self._unavailable(job['repositoryId'])
        return self._open(org, {'kind': 'job', 'jobId': job['id']}, point, body,
                          'Exchange restore session of %s from job %s' % (org.name, job['name']), empty=point is None)

    def explore_repository(self, ctx):
        from .api import ApiError
        body = ctx.json or {}
        repo = self._repo(ctx.params['repositoryId'])
        org = self.api._organization(ctx.query.get('organizationId') or '')
        if repo['isLongTerm']:
            raise ApiError(400, 'The backup repository %s keeps long-term copies: retrieve the data first '
                                '(DataRetrievals) and explore the retrieval.' % repo['name'])
        moment = self._options(body)
        points = self._exchange_points(organizationId=org.id, repositoryId=repo['id'])
        if not points:
            raise ApiError(404, 'The backup repository %s holds no Exchange data of %s.' % (repo['name'], org.name))
        point = self._latest(points, moment)
        if point is None:
            raise ApiError(400, 'There is no restore point of %s in %s at or before %s.' % (
                org.name, repo['name'], body.get('dateTime')))
        return self._open(org, {'kind': 'repository', 'repositoryId': repo['id']}, point, body,
                          'Exchange restore session of %s from %s' % (org.name, repo['name']))

    def explore_retrieval(self, ctx):
        from .api import ApiError
        wanted = ctx.params['dataRetrievalId'].lower()
        retrieval = next((r for r in self.catalog.retrievals if r['id'] == wanted), None)
        if retrieval is None:
            raise ApiError(404, 'Data retrieval with ID %s was not found.' % ctx.params['dataRetrievalId'])
        if retrieval['dataState'] != 'Retrieved':
            raise ApiError(400, 'The data of retrieval %s is %s, not Retrieved.' % (
                retrieval['name'], retrieval['dataState']))
        org = self.api._organization(retrieval['organizationId'])
        point = next(p for p in self.catalog.points if p['id'] == retrieval['retrievedRestorePointId'])
        body = {'showDeleted': retrieval['showDeleted'], 'showAllVersions': retrieval['showAllVersions']}
        return self._open(org, {'kind': 'retrieval', 'dataRetrievalId': retrieval['id']}, point, body,
                          'Exchange restore session of %s from retrieval %s' % (org.name, retrieval['name']))
