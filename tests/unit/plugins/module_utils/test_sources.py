# -*- coding: utf-8 -*-
"""Unit tests of the restore source helpers: listing restore points whatever the server does with
filters and order, choosing the latest point before a time, the refusal naming the nearest points,
and the request that opens a session from each source."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.vb365.restore.plugins.module_utils.client import Vb365Client
from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365AmbiguousError,
    Vb365NotFoundError,
    Vb365ParameterError,
)
from ansible_collections.vb365.restore.plugins.module_utils.sources import (
    latest_at_or_before,
    ledger_organization,
    list_restore_points,
    nearest_points,
    plan_source,
    require_point_at_or_before,
    restore_point_summary,
)

from unit_helpers import BASE, token_body

ORG = {'id': '6b1e2b1c-0a8e-5d7f-9c1a-2f4e5d6c7b8a', 'name': 'contoso.onmicrosoft.com'}
OTHER_ORG = '7c2f3c2d-1b9f-4e80-8d2b-3a5f6e7d8c9b'
PRIMARY = '11111111-1111-4111-8111-111111111111'
COPY = '22222222-2222-4222-8222-222222222222'
ARCHIVE = '33333333-3333-4333-8333-333333333333'
JOB = '44444444-4444-4444-8444-444444444444'
RETRIEVAL = '55555555-5555-4555-8555-555555555555'


def point(pid, when, repo=PRIMARY, **flags):
    data = {'id': pid, 'backupTime': when, 'repositoryId': repo, 'jobId': JOB, 'organizationId': ORG['id'],
            'isExchange': True, 'isCopy': repo != PRIMARY, 'isLongTermCopy': repo == ARCHIVE, 'isRetrieved': False}
    data.update(flags)
    return data


def page(results):
    return {'offset': 0, 'limit': 10000, 'results': results}


@pytest.fixture
def client(api):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    return Vb365Client('vb365.test', 'u', 'p')


# ------------------------------------------------------------------ listing
def test_points_come_back_newest_first_and_filtered_even_when_the_server_ignores_both(api, client):
    """A server that answers oldest first, ignores the filters and writes times with offsets."""
    served = [point('a', '2026-11-01T22:00:00Z'), point('b', '2026-11-02T23:30:00+01:00'),
              point('c', '2026-11-03T22:00:00Z', repo=COPY), point('d', '2026-11-02T21:00:00.1234567Z'),
              point('e', '2026-11-04T22:00:00Z', organizationId=OTHER_ORG), point('f', '2026-10-30T22:00:00Z')]
    api.add(responses.GET, BASE + '/v8/RestorePoints', json=page(served))
    found = list_restore_points(client, ORG['id'], since='2026-11-01T00:00:00Z', until='2026-11-03T00:00:00Z',
                                is_copy=False)
    assert [p['id'] for p in found] == ['b', 'd', 'a']  # b is 22:30 UTC, d 21:00 UTC
    # One second wider on each side, whether the server includes its bounds or not.
    assert api.calls[1].request.params == {'organizationId': ORG['id'], 'orderAsc': 'false', 'from':
                                           '2026-10-31T23:59:59Z', 'to': '2026-11-03T00:00:01Z',
                                           'isCopy': 'false', 'offset': '0', 'limit': '10000'}


def test_every_page_is_read(api, client):
    first = [point('p%05d' % n, '2026-01-01T00:00:00Z') for n in range(10000)]
    api.add(responses.GET, BASE + '/v8/RestorePoints', json=page(first))
    api.add(responses.GET, BASE + '/v8/RestorePoints', json={'offset': 10000, 'limit': 10000,
                                                             'results': [point('last', '2026-02-01T00:00:00Z')]})
    found = list_restore_points(client, ORG['id'])
    assert len(found) == 10001 and found[0]['id'] == 'last'
    assert api.calls[2].request.params['offset'] == '10000'


# ------------------------------------------------------------------ choosing
def test_latest_at_or_before_compares_instants_not_text():
    points = [point('utc', '2026-11-16T22:00:00Z'), point('plus2', '2026-11-17T01:00:00+02:00'),
              point('later', '2026-11-17T09:00:00Z')]
    assert latest_at_or_before(points, '2026-11-17T00:00:00Z')['id'] == 'plus2'  # 23:00 UTC on the 16th
    assert latest_at_or_before(points, '2026-11-16T21:59:59Z') is None
    assert latest_at_or_before(points, None)['id'] == 'later'


def test_refusal_names_the_nearest_points_and_ignores_other_data():
    points = [point('od', '2026-01-01T10:00:00Z', isExchange=False)] + [
        point('p%d' % day, '2026-01-%02dT22:00:00Z' % day) for day in range(1, 8)]
    with pytest.raises(Vb365NotFoundError) as failure:
        require_point_at_or_before(points, '2026-01-01T12:00:00Z', 'of contoso')
    msg = failure.value.msg
    assert msg.startswith('point_in_time: there is no Exchange restore point of contoso at or before '
                          '2026-01-01T12:00:00Z; the nearest are: 2026-01-01T22:00:00Z (p1)')
    assert [p['id'] for p in failure.value.details['nearest_restore_points']] == ['p1', 'p2', 'p3']
    assert [p['id'] for p in nearest_points(points[1:], '2026-01-05T00:00:00Z')] == ['p3', 'p4', 'p5']


def test_summary_fields():
    summary = restore_point_summary(point('x', '2026-11-16T22:00:00Z', repo=COPY, isSharePoint=True,
                                          immutabilityExpiresOn='2026-12-16T22:00:00Z'),
                                    {COPY: 'Object storage copy', JOB: 'Backup Contoso'})
    assert summary['repository'] == 'Object storage copy' and summary['job'] == 'Backup Contoso'
    assert summary['data'] == ['Exchange', 'SharePoint'] and summary['is_copy'] is True
    assert summary['immutability_expires_on'] == '2026-12-16T22:00:00Z'


# ------------------------------------------------------------------ planning a session
def test_a_point_id_explores_the_organization_at_its_time_in_its_repository(api, client):
    api.add(responses.GET, BASE + '/v8/RestorePoints/x', json=point('x', '2026-11-16T22:00:00Z', repo=COPY))
    for path in ('Jobs', 'CopyJobs', 'BackupRepositories', 'DataRetrievals'):
        api.add(responses.GET, BASE + '/v8/' + path, json=page([]))
    plan = plan_source(client, ORG, None, True, False, restore_point='x')
    assert client.shown_path(plan.request) == '/v8/Organizations/%s/explore' % ORG['id']
    assert plan.body == {'type': 'Vex', 'showDeleted': True, 'showAllVersions': False,
                         'dateTime': '2026-11-16T22:00:00Z', 'repositoryId': COPY}
    assert ledger_organization(ORG['id'], plan) == '%s@point:x' % ORG['id']


def test_a_long_term_copy_must_be_retrieved_first_and_a_retrieved_point_explores_its_retrieval(api, client):
    api.add(responses.GET, BASE + '/v8/RestorePoints/lt', json=point('lt', '2026-10-31T22:00:00Z', repo=ARCHIVE))
    for path in ('Jobs', 'CopyJobs', 'BackupRepositories', 'DataRetrievals'):
        api.add(responses.GET, BASE + '/v8/' + path, json=page([]))
    with pytest.raises(Vb365ParameterError) as failure:
        plan_source(client, ORG, None, False, False, restore_point='lt')
    assert 'long-term copy' in failure.value.msg and 'retrieval' in failure.value.msg
    api.add(responses.GET, BASE + '/v8/RestorePoints/r', json=point(
        'r', '2026-09-30T22:00:00Z', repo=ARCHIVE, isRetrieved=True, retrievalId=RETRIEVAL))
    for path in ('Jobs', 'CopyJobs', 'BackupRepositories', 'DataRetrievals'):
        api.add(responses.GET, BASE + '/v8/' + path, json=page([]))
    plan = plan_source(client, ORG, None, False, False, restore_point='r')
    assert client.shown_path(plan.request) == '/v8/DataRetrievals/%s/explore' % RETRIEVAL
    assert plan.body is None


def test_a_point_of_another_organization_or_without_exchange_data_is_refused(api, client):
    for pid, extra in (('o', {'organizationId': OTHER_ORG}), ('n', {'isExchange': False, 'isOneDrive': True})):
        api.add(responses.GET, BASE + '/v8/RestorePoints/' + pid, json=point(pid, '2026-11-16T22:00:00Z', **extra))
        for path in ('Jobs', 'CopyJobs', 'BackupRepositories', 'DataRetrievals'):
            api.add(responses.GET, BASE + '/v8/' + path, json=page([]))
    with pytest.raises(Vb365ParameterError, match='another organization'):
        plan_source(client, ORG, None, False, False, restore_point='o')
    with pytest.raises(Vb365ParameterError, match='no Exchange data .OneDrive.'):
        plan_source(client, ORG, None, False, False, restore_point='n')


def test_a_repository_source_passes_the_organization_as_a_query_parameter(api, client):
    repos = [{'id': PRIMARY, 'name': 'Primary repository', 'isLongTerm': False},
             {'id': COPY, 'name': 'Object storage copy', 'isLongTerm': False}]
    api.add(responses.GET, BASE + '/v8/BackupRepositories', json=page(repos))
    api.add(responses.GET, BASE + '/v8/RestorePoints', json=page([point('c', '2026-11-16T22:00:00Z', repo=COPY)]))
    plan = plan_source(client, ORG, '2026-11-20T23:59:59Z', False, False, repository='object storage COPY')
    assert client.shown_path(plan.request) == (
        '/v8/BackupRepositories/%s/explore?organizationId=%s' % (COPY, ORG['id']))
    assert plan.body == {'type': 'Vex', 'showDeleted': False, 'showAllVersions': False,
                         'dateTime': '2026-11-20T23:59:59Z'}
    assert api.calls[1].request.params['organizationId'] == ORG['id']
    assert api.calls[2].request.params['repositoryId'] == COPY


def test_names_that_match_two_jobs_are_ambiguous(api, client):
    jobs = [{'id': JOB, 'name': 'Backup'}, {'id': PRIMARY, 'name': 'backup'}]
    api.add(responses.GET, BASE + '/v8/Jobs', json=page(jobs))
    with pytest.raises(Vb365AmbiguousError, match='^job: .Backup. matches 2 backup jobs'):
        plan_source(client, ORG, None, False, False, job='Backup')
