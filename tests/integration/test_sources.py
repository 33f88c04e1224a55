"""restore_point_info and restore_session's sources (restore point, job, backup copy repository, data
retrieval) through ansible-playbook; what the sessions show is checked by restoring from them."""

from __future__ import annotations

import json
import os

from harness import assert_not_shown, session_play
from test_roles import example, left_open, load, run_book

CONTOSO = 'contoso.onmicrosoft.com'
EXCHANGE_PASSWORD = 'Exchange-Secret-17!'
CREDS = {'username': 'restore-operator@contoso.onmicrosoft.com', 'password': EXCHANGE_PASSWORD}


def info_play(**options):
    lines = ''.join('        %s: %s\n' % (k, json.dumps(v)) for k, v in options.items())
    return '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Points
      vb365.restore.restore_point_info:
        organization: %s
%s''' % (CONTOSO, lines)


def open_play(**options):
    lines = ''.join('        %s: %s\n' % (k, json.dumps(v)) for k, v in options.items())
    return '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open
      vb365.restore.restore_session:
        organization: %s
%s''' % (CONTOSO, lines)


RESTORE_FOLDER = '''        - name: Restore
          vb365.restore.mailbox_restore:
            session_id: "{{ rs.session.id }}"
            mailboxes: [bob@contoso.onmicrosoft.com]
            folder: Inbox/Invoices
            exchange_credentials: %s
'''


def restore_folder(**source):
    """A play that restores Bob's Inbox/Invoices from a session of the backup of 20 November (from ``source``)."""
    return session_play(RESTORE_FOLDER % json.dumps(CREDS),
                        dict({'organization': CONTOSO}, **source, point_in_time='2026-11-20'))


def repository_ids(sim_api):
    return dict((r['name'], r['id']) for r in sim_api.get('repositories'))


def test_listing_and_filtering_restore_points(runner, sim_api):
    run = runner.run(info_play(copy=True, since='2026-11-01', until='2026-11-30'))
    points = run.result('Points')['restore_points']
    assert [p['backup_time'] for p in points] == ['2026-11-16T22:00:00Z', '2026-11-09T22:00:00Z',
                                                  '2026-11-02T22:00:00Z']
    assert all(p['repository'] == 'Object storage copy' and p['is_copy'] and not p['is_long_term_copy']
               and p['job'] == 'Backup Contoso' and p['data'] == ['Exchange', 'SharePoint'] for p in points)
    assert points[0]['immutability_expires_on'] == '2026-12-16T22:00:00Z'
    query = sim_api.api_requests('GET', '/v8/RestorePoints')[0]['query']
    assert query['isCopy'] == 'true' and query['from'] == '2026-10-31T23:59:59Z'
    assert query['to'] == '2026-12-01T00:00:00Z' and query['orderAsc'] == 'false'

    everything = runner.run(info_play()).result('Points')['restore_points']
    assert len(everything) == 326 + 22 + 11 + 10 + 1  # daily, OneDrive, weekly copies, monthly archive, retrieved
    times = [p['backup_time'] for p in everything]
    assert times == sorted(times, reverse=True)

    onedrive = runner.run(info_play(job='Contoso OneDrive', limit=2)).result('Points')
    assert onedrive['truncated'] is True and len(onedrive['restore_points']) == 2
    assert onedrive['restore_points'][0]['data'] == ['OneDrive'] and onedrive['restore_points'][0]['is_exchange'] is False
    archive = runner.run(info_play(long_term_copy=True, retrieved=False)).result('Points')['restore_points']
    assert len(archive) == 10 and archive[0]['backup_time'] == '2026-10-31T22:00:00Z'
    assert archive[0]['immutability_expires_on'] == '2027-10-31T22:00:00Z'
    retrieved = runner.run(info_play(retrieved=True)).result('Points')['restore_points']
    assert [p['backup_time'] for p in retrieved] == ['2026-09-30T22:00:00Z'] and retrieved[0]['retrieval_id']
    by_copy_job = runner.run(info_play(job='Contoso copy to object storage', until='2026-09-20'))
    assert [p['backup_time'] for p in by_copy_job.result('Points')['restore_points']] == [
        '2026-09-14T22:00:00Z', '2026-09-07T22:00:00Z']
    repo_query = sim_api.api_requests('GET', '/v8/RestorePoints')[-1]['query']
    assert repo_query['repositoryId'] == repository_ids(sim_api)['Object storage copy'] and 'jobId' not in repo_query


MODEL_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Exact bounds
      vb365.restore.restore_point_info:
        organization: contoso.onmicrosoft.com
        since: "2026-11-09T22:00:00Z"
        until: "2026-11-16T22:00:00Z"
        repository: Object storage copy
    - name: By job
      vb365.restore.restore_point_info:
        organization: contoso.onmicrosoft.com
        job: Contoso copy to object storage
        limit: 2
    - name: Latest before
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
        restore_point: latest
        repository: Object storage copy
        point_in_time: "2026-11-16T22:00:00Z"
"""


def test_the_same_answers_under_every_restore_point_model(runner, sim_api):
    answers = []
    for order, job in (('oldest_first_inclusive', 'backup_job'), ('newest_first_exclusive', 'copy_job')):
        sim_api.post('reset')
        sim_api.config(restore_points_model=order, copy_points_job=job)
        run = runner.run(MODEL_PLAY)
        exact = [p['backup_time'] for p in run.result('Exact bounds')['restore_points']]
        by_job = [p['backup_time'] for p in run.result('By job')['restore_points']]
        chosen = run.result('Latest before')['restore_point']['backup_time']
        answers.append((exact, by_job, chosen))
    assert answers[0] == answers[1] == (['2026-11-16T22:00:00Z', '2026-11-09T22:00:00Z'],
                                        ['2026-11-16T22:00:00Z', '2026-11-09T22:00:00Z'], '2026-11-16T22:00:00Z')


def test_restore_from_the_backup_copy_when_the_primary_is_lost(runner, sim_api):
    sim_api.config(primary_repository_lost=True)
    lost = runner.run(restore_folder(), expect_rc=2)
    assert lost.status('Open') == 'failed' and 'not accessible' in lost.result('Open')['msg']

    run = runner.run(restore_folder(repository='Object storage copy'),
                     verbosity=4)
    opened = run.result('Open')
    assert opened['source']['kind'] == 'repository' and opened['source']['name'] == 'Object storage copy'
    copy_id = repository_ids(sim_api)['Object storage copy']
    explore = sim_api.api_requests('POST', '/explore')[-1]
    assert explore['path'] == '/v8/BackupRepositories/%s/explore' % copy_id
    assert explore['query'] == {'organizationId': opened['organization']['id']}
    assert explore['body'] == {'type': 'Vex', 'showDeleted': False, 'showAllVersions': False,
                               'dateTime': '2026-11-20T23:59:59Z'}
    # The copy of Monday 16 November still holds the 8 invoices that were deleted on the 17th.
    restored = run.result('Restore')['restore']
    assert restored['totals']['created'] == 8 and restored['status'] == 'Success'
    invoices = [r for r in sim_api.production('bob@contoso.onmicrosoft.com') if r['folder'] == 'Inbox/Invoices']
    assert len(invoices) == 8
    session = [s for s in sim_api.get('sessions') if s['kind'] == 'explore' and s['source']['kind'] == 'repository']
    assert session[0]['pointInTime'] == '2026-11-16T22:00:00Z' and session[0]['state'] == 'Stopped'
    assert_not_shown(EXCHANGE_PASSWORD, run)


def test_primary_backups_show_only_what_was_not_deleted(runner, sim_api):
    run = runner.run(restore_folder())
    assert run.result('Restore')['restore']['totals']['created'] == 3


def test_latest_restore_point_before_a_time(runner, sim_api):
    result = runner.run(open_play(restore_point='latest', point_in_time='2026-11-17T08:00:00+01:00',
                                  run_id='dr-1')).result('Open')
    point = result['restore_point']
    assert point['backup_time'] == '2026-11-16T22:00:00Z' and point['repository'] == 'Primary repository'
    assert result['source'] == {'kind': 'restore_point', 'id': point['id'], 'name': '2026-11-16T22:00:00Z'}
    explore = sim_api.api_requests('POST', '/explore')[-1]
    assert explore['body'] == {'type': 'Vex', 'showDeleted': False, 'showAllVersions': False,
                               'dateTime': '2026-11-16T22:00:00Z',
                               'repositoryId': repository_ids(sim_api)['Primary repository']}

    in_copy = runner.run(open_play(restore_point='latest', repository='Object storage copy',
                                   point_in_time='2026-11-15', run_id='dr-1')).result('Open')
    assert in_copy['restore_point']['backup_time'] == '2026-11-09T22:00:00Z' and in_copy['restore_point']['is_copy']
    assert in_copy['session']['id'] != result['session']['id']

    # Within one run (run_id), the same source reuses its session; another source opened another above.
    by_id = runner.run(open_play(restore_point=in_copy['restore_point']['id'], run_id='dr-1')).result('Open')
    assert by_id['restore_point']['id'] == in_copy['restore_point']['id'] and by_id['changed'] is True
    again = runner.run(open_play(restore_point=in_copy['restore_point']['id'], run_id='dr-1')).result('Open')
    assert again['changed'] is False and again['reused'] is True and again['session']['id'] == by_id['session']['id']


def test_a_time_before_every_restore_point_is_refused_with_the_nearest(runner, sim_api):
    run = runner.run(open_play(point_in_time='2025-12-31', repository='Object storage copy'), expect_rc=2)
    result = run.result('Open')
    assert result['msg'].startswith('point_in_time: there is no Exchange restore point of contoso.onmicrosoft.com in '
                                    'Object storage copy at or before 2025-12-31T23:59:59Z; the nearest are: '
                                    '2026-09-07T22:00:00Z')
    assert [p['backup_time'] for p in result['nearest_restore_points']] == [
        '2026-09-07T22:00:00Z', '2026-09-14T22:00:00Z', '2026-09-21T22:00:00Z']
    plain = runner.run(open_play(point_in_time='2026-01-01T12:00:00Z'), expect_rc=2).result('Open')
    assert 'the nearest are: 2026-01-01T22:00:00Z' in plain['msg']
    assert sim_api.api_requests('POST', '/explore') == [] and sim_api.get('sessions') == []


def test_job_and_retrieval_sources_and_refusals(runner, sim_api):
    job = runner.run(open_play(job='Backup Contoso', point_in_time='2026-11-10')).result('Open')
    assert job['source']['kind'] == 'job' and job['source']['name'] == 'Backup Contoso'
    assert sim_api.api_requests('POST', '/explore')[-1]['path'] == '/v8/Jobs/%s/explore' % job['source']['id']

    retrieval = runner.run(open_play(retrieval='Contoso September retrieval')).result('Open')
    assert retrieval['source']['kind'] == 'retrieval'
    assert retrieval['restore_point']['backup_time'] == '2026-09-30T22:00:00Z'
    request = sim_api.api_requests('POST', '/explore')[-1]
    assert request['path'] == '/v8/DataRetrievals/%s/explore' % retrieval['source']['id'] and request['body'] is None
    kinds = sorted(s['source']['kind'] for s in sim_api.get('sessions'))
    assert kinds == ['job', 'retrieval']
    points = {s['source']['kind']: s['pointInTime'] for s in sim_api.get('sessions')}
    assert points == {'job': '2026-11-10T22:00:00Z', 'retrieval': '2026-09-30T22:00:00Z'}

    waiting = runner.run(open_play(retrieval='Contoso June retrieval'), expect_rc=2).result('Open')
    assert waiting['msg'].startswith('retrieval: the data of Contoso June retrieval is Retrieving')
    archive = runner.run(open_play(repository='Archive (long-term)'), expect_rc=2).result('Open')
    assert archive['msg'].startswith('repository: Archive (long-term) keeps long-term copies')
    both = runner.run(open_play(job='Backup Contoso', retrieval='x'), expect_rc=2).result('Open')
    assert 'mutually exclusive' in both['msg']
    assert len(sim_api.api_requests('POST', '/explore')) == 2


def test_check_mode_resolves_the_source_and_opens_nothing(runner, sim_api):
    result = runner.run(open_play(repository='Object storage copy'), check=True).result('Open')
    planned = result['planned_requests'][0]
    assert planned['path'].startswith('/v8/BackupRepositories/') and '?organizationId=' in planned['path']
    assert sim_api.api_requests('POST', '/explore') == []


# ------------------------------------------------------------------------ the runbooks
def test_bulk_runbook_restores_from_the_backup_copy_when_the_primary_is_lost(runner, sim_api, tmp_path):
    sim_api.config(primary_repository_lost=True)
    extra = example('mailbox_bulk_restore', organization=CONTOSO, mailboxes=['bob@%s' % CONTOSO],
                    repository='Object storage copy', report_dir=str(tmp_path))
    run_book(runner, 'mailbox_bulk_restore', extra)
    (session,) = [s for s in sim_api.get('sessions') if s['kind'] == 'explore']
    assert session['source'] == {'kind': 'repository', 'repositoryId': repository_ids(sim_api)['Object storage copy'],
                                 'restorePointId': session['source']['restorePointId']}
    assert session['pointInTime'] == '2026-11-16T22:00:00Z' and left_open(sim_api, CONTOSO) == []
    invoices = [r for r in sim_api.production('bob@%s' % CONTOSO) if r['folder'] == 'Inbox/Invoices']
    assert len(invoices) == 8
    report = load(tmp_path / 'mailbox-bulk-restore.json')
    assert report['status'] == 'Success' and report['mailboxes'][0]['created'] >= 8
    assert report['source']['kind'] == 'repository' and report['source']['name'] == 'Object storage copy'


def test_ediscovery_runbook_exports_from_the_backup_copy(runner, sim_api, tmp_path):
    sim_api.config(primary_repository_lost=True)
    exports = tmp_path / 'exports'
    extra = example('ediscovery_export', export_dir=str(exports), report_dir=str(tmp_path),
                    mailboxes=['alice@%s' % CONTOSO], restore_point='latest', repository='Object storage copy',
                    point_in_time='2026-11-12')
    run_book(runner, 'ediscovery_export', extra)
    (session,) = [s for s in sim_api.get('sessions') if s['kind'] == 'explore']
    assert session['pointInTime'] == '2026-11-09T22:00:00Z' and session['requested']['dateTime'] == \
        '2026-11-09T22:00:00Z'
    explore = sim_api.api_requests('POST', '/explore')[0]
    assert explore['body']['repositoryId'] == repository_ids(sim_api)['Object storage copy']
    manifest = load(exports / 'manifest.json')
    assert [os.path.basename(f['file']) for f in manifest['files']] == ['alice.pst']
    assert manifest['source']['kind'] == 'restore_point' and manifest['restore_point']['backup_time'] == \
        '2026-11-09T22:00:00Z' and manifest['restore_point']['repository'] == 'Object storage copy'
    assert left_open(sim_api, CONTOSO) == []
