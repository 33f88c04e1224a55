"""The roles and their runbooks, run as a user runs them (the runbook, its example variables, a
report directory), against the simulator: what the mailboxes hold afterwards, the report files,
the sessions left on the server, the runbook's exit code and what it printed."""

from __future__ import annotations

import html.parser
import json
import os

import pytest
import yaml

from harness import assert_not_shown

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTOSO = 'contoso.onmicrosoft.com'
TAILSPIN = 'tailspin.onmicrosoft.com'
EXCHANGE_PASSWORD = 'Exch-&-Pw-%s!' % os.getpid()


def runbook(name):
    return os.path.join(ROOT, 'playbooks', name + '.yml')


def example(name, **overrides):
    """A runbook's example variables, with ``overrides`` named without the role's prefix and a
    quick poll of restores (the simulator finishes them in 50 ms)."""
    with open(os.path.join(ROOT, 'playbooks', 'vars', name + '.example.yml')) as handle:
        data = yaml.safe_load(handle)
    prefix = name + '_'
    if prefix + 'exchange_credentials' in data:
        data[prefix + 'poll_interval'] = 0.1
    data.update((prefix + key, value) for key, value in overrides.items())
    return data


def run_book(runner, name, extra, **options):
    """Run a runbook as a user does: the example variables read the Exchange password from the
    environment (a vault or an AWX credential in real life), never from the command line."""
    return runner.run(runbook(name), extra_vars=extra, env={'VB365_EXCHANGE_PASSWORD': EXCHANGE_PASSWORD}, **options)


def load(path):
    with open(str(path)) as handle:
        return json.load(handle)


def left_open(sim_api, organization):
    """The explore sessions of an organization still working on the server."""
    return [s for s in sim_api.working_sessions() if s['organization'] == organization]


def explore_sessions(sim_api, organization):
    return [s for s in sim_api.get('sessions') if s['kind'] == 'explore' and s['organization'] == organization]


class _Page(html.parser.HTMLParser):
    """What a browser would load from a page: scripts, and the URLs of links, images, styles, frames."""

    def __init__(self):
        super().__init__()
        self.tags, self.urls, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [value for name, value in attrs if name in ('src', 'href', 'srcset', 'action', 'data') and value]

    def handle_data(self, data):
        self.text.append(data)


def check_html(path, secrets=()):
    """The HTML report parses, loads nothing and runs nothing; returns its visible text."""
    with open(str(path)) as handle:
        source = handle.read()
    page = _Page()
    page.feed(source)
    assert page.tags[:1] == ['html'] and 'script' not in page.tags and page.urls == [], (page.tags[:5], page.urls)
    assert '@import' not in source and 'url(' not in source
    for secret in secrets:
        assert secret not in source
    return ' '.join(' '.join(page.text).split())


def assert_no_secret_in_files(directory, *secrets):
    for base, _dirs, files in os.walk(str(directory)):
        for name in files:
            with open(os.path.join(base, name), 'rb') as handle:
                data = handle.read()
            for secret in secrets:
                assert secret.encode() not in data, os.path.join(base, name)


# ------------------------------------------------------------------------ mailbox_bulk_restore
@pytest.mark.every_model
def test_bulk_restore_runbook_restores_every_mailbox_reports_it_and_a_rerun_changes_nothing(runner, simulator, sim_api,
                                                                                            tmp_path):
    reports = tmp_path / 'reports'
    extra = example('mailbox_bulk_restore', report_dir=str(reports), batch_size=40)
    before = sim_api.production('user0042@%s' % TAILSPIN)
    run = run_book(runner, 'mailbox_bulk_restore', extra, verbosity=4)

    # 99 mailboxes (user0001..user0099) in three bulk requests of at most 40, each mailbox got its lost message back.
    posts = sim_api.api_requests('POST', contains='/organization/mailboxes/restore')
    assert [len(p['body']['mailboxes']) for p in posts] == [40, 40, 19]
    assert len(before) == 2 and len(sim_api.production('user0042@%s' % TAILSPIN)) == 3
    (session,) = explore_sessions(sim_api, TAILSPIN)
    assert session['requested']['dateTime'] == '2026-11-17T23:59:59Z' and session['state'] == 'Stopped'

    data = load(reports / 'mailbox-bulk-restore.json')
    assert data['status'] == 'Success' and data['errors'] == [] and data['session_id'] == session['id']
    assert data['asked']['mailboxes'] == ['user00*@%s' % TAILSPIN] and data['asked']['point_in_time'] == '2026-11-17'
    assert data['point_in_time'] == '2026-11-17T23:59:59Z' and len(data['restore_sessions']) == 3
    assert len(data['mailboxes']) == 99 and all(m['created'] == 1 and m['skipped'] == 2 for m in data['mailboxes'])
    assert data['totals']['mailboxes'] == 99 and data['totals']['created'] == 99
    assert data['duration_s'] >= 0 and data['ended'] >= data['started']
    text = check_html(reports / 'mailbox-bulk-restore.html', secrets=[EXCHANGE_PASSWORD])
    assert 'user0042@%s' % TAILSPIN in text and 'Success' in text and '2026-11-17T23:59:59Z' in text

    result = run.result('Say what was done')
    assert result['msg'][0].startswith('Success: 99 mailboxes, 99 items created')
    assert result['msg'][1] == 'Report: %s' % (reports / 'mailbox-bulk-restore.html')
    assert_not_shown(EXCHANGE_PASSWORD, run)
    assert_not_shown(simulator.password, run)
    assert_no_secret_in_files(reports, EXCHANGE_PASSWORD, simulator.password)
    assert left_open(sim_api, TAILSPIN) == []

    # A second run finds every item there: nothing created, nothing reported as changed.
    again = run_book(runner, 'mailbox_bulk_restore', extra)
    assert 'changed=0' in again.stdout
    data = load(reports / 'mailbox-bulk-restore.json')
    assert data['status'] == 'Success' and data['totals']['created'] == 0 and data['totals']['skipped'] == 297
    assert len(sim_api.production('user0042@%s' % TAILSPIN)) == 3 and left_open(sim_api, TAILSPIN) == []


@pytest.mark.every_model
def test_a_failing_mailbox_mid_run_still_stops_the_session_and_reports_each_mailbox(runner, sim_api, tmp_path):
    extra = example('mailbox_bulk_restore', organization=CONTOSO, point_in_time='', report_dir=str(tmp_path),
                    mailboxes=['bob@%s' % CONTOSO, 'broken@%s' % CONTOSO, 'carol@%s' % CONTOSO])
    run = run_book(runner, 'mailbox_bulk_restore', extra, expect_rc=2)

    assert left_open(sim_api, CONTOSO) == [] and len(explore_sessions(sim_api, CONTOSO)) == 1
    data = load(tmp_path / 'mailbox-bulk-restore.json')
    rows = dict((m['email'], m) for m in data['mailboxes'])
    assert data['status'] == 'Failed' and 'broken@%s' % CONTOSO in data['errors'][0]
    assert rows['broken@%s' % CONTOSO]['status'] == 'Failed' and 'cannot be processed' in rows['broken@%s' % CONTOSO]['error']
    assert rows['bob@%s' % CONTOSO]['status'] == 'Success' and rows['bob@%s' % CONTOSO]['created'] == 3
    assert rows['carol@%s' % CONTOSO]['status'] == 'Warning' and rows['carol@%s' % CONTOSO]['failed'] == 1
    assert [e['status'] for e in data['failures']] == ['Failed', 'Warning']
    # The restore went on for the others: Bob's invoices that were in the backup are back.
    assert len([r for r in sim_api.production('bob@%s' % CONTOSO) if r['folder'] == 'Inbox/Invoices']) == 3
    text = check_html(tmp_path / 'mailbox-bulk-restore.html')
    assert 'access denied' in text and 'Scanned contract' not in text
    assert 'report: %s' % (tmp_path / 'mailbox-bulk-restore.html') in run.stdout
    assert 'Say what was done' not in run.task_names


@pytest.mark.every_model
def test_a_failed_mailbox_is_a_warning_when_a_partial_restore_is_allowed(runner, sim_api, tmp_path):
    extra = example('mailbox_bulk_restore', organization=CONTOSO, point_in_time='', report_dir=str(tmp_path),
                    mailboxes=['bob@%s' % CONTOSO, 'broken@%s' % CONTOSO], allow_partial=True)
    run = run_book(runner, 'mailbox_bulk_restore', extra)
    data = load(tmp_path / 'mailbox-bulk-restore.json')
    rows = dict((m['email'], m) for m in data['mailboxes'])
    assert data['status'] == 'Warning' and data['errors'] == []
    assert rows['broken@%s' % CONTOSO]['status'] == 'Failed' and rows['bob@%s' % CONTOSO]['created'] == 3
    assert data['totals']['created'] == 3 and data['totals']['restored'] == 5
    assert 'broken@%s failed (allow_partial is set)' % CONTOSO in run.stderr + run.stdout
    assert left_open(sim_api, CONTOSO) == []


def test_an_unknown_mailbox_fails_before_anything_is_restored(runner, sim_api, tmp_path):
    extra = example('mailbox_bulk_restore', report_dir=str(tmp_path), mailboxes=['user0001@%s' % TAILSPIN, 'nobody@%s' % TAILSPIN])
    run = run_book(runner, 'mailbox_bulk_restore', extra, expect_rc=2)
    assert sim_api.api_requests('POST', contains='/restore') == [] and left_open(sim_api, TAILSPIN) == []
    data = load(tmp_path / 'mailbox-bulk-restore.json')
    assert data['status'] == 'Failed' and "no mailbox 'nobody@%s'" % TAILSPIN in data['errors'][0]
    assert "nobody@%s" % TAILSPIN in run.stdout


def test_a_server_error_on_the_restore_request_still_stops_the_session(runner, sim_api, tmp_path):
    sim_api.fault(method='POST', path='/organization/mailboxes/restore$', status=500, times=1)
    extra = example('mailbox_bulk_restore', report_dir=str(tmp_path), batch_size=50)
    run_book(runner, 'mailbox_bulk_restore', extra, expect_rc=2)
    assert left_open(sim_api, TAILSPIN) == []
    data = load(tmp_path / 'mailbox-bulk-restore.json')
    assert data['status'] == 'Failed' and '500' in data['errors'][0]


def test_a_session_that_cannot_be_stopped_is_reported_with_its_id(runner, sim_api, tmp_path):
    sim_api.fault(method='POST', path='/Stop$', status=500, times=10)
    extra = example('mailbox_bulk_restore', report_dir=str(tmp_path), mailboxes=['user0001@%s' % TAILSPIN])
    run = run_book(runner, 'mailbox_bulk_restore', extra, expect_rc=2)
    (session,) = left_open(sim_api, TAILSPIN)
    data = load(tmp_path / 'mailbox-bulk-restore.json')
    assert data['status'] == 'Failed' and data['mailboxes'][0]['created'] == 1
    assert data['errors'] == [data['errors'][0]] and session['id'] in data['errors'][0]
    assert 'could not be stopped, stop it by hand' in data['errors'][0] and session['id'] in run.stdout


def test_every_mailbox_needs_the_explicit_opt_in(runner, sim_api, tmp_path):
    extra = example('mailbox_bulk_restore', mailboxes=[], report_dir=str(tmp_path))
    run = run_book(runner, 'mailbox_bulk_restore', extra, expect_rc=2)
    assert 'mailbox_bulk_restore_all_mailboxes' in run.stdout and sim_api.get('sessions') == []
    extra['mailbox_bulk_restore_all_mailboxes'] = True
    run_book(runner, 'mailbox_bulk_restore', extra)
    data = load(tmp_path / 'mailbox-bulk-restore.json')
    assert len(data['mailboxes']) == 250 and data['asked']['mailboxes'] == 'every mailbox of the organization'
    assert len(sim_api.production('user0250@%s' % TAILSPIN)) == 3 and left_open(sim_api, TAILSPIN) == []


def test_check_mode_restores_nothing_and_reports_the_plan(runner, sim_api, tmp_path):
    extra = example('mailbox_bulk_restore', report_dir=str(tmp_path), mailboxes=['user000*@%s' % TAILSPIN])
    run = run_book(runner, 'mailbox_bulk_restore', extra, check=True)
    assert sim_api.api_requests('POST', contains='/restore') == [] and left_open(sim_api, TAILSPIN) == []
    assert len(sim_api.production('user0001@%s' % TAILSPIN)) == 2
    planned = run.result('vb365.restore.mailbox_bulk_restore : Restore the mailboxes to their original place through the bulk restore')
    assert planned['changed'] is True and len(planned['planned_requests']) == 1  # it would restore them
    data = load(tmp_path / 'mailbox-bulk-restore.json')
    assert data['check_mode'] is True and data['status'] == 'Planned'
    assert [m['status'] for m in data['mailboxes']] == ['Planned'] * 9
    assert 'check mode: nothing was restored' in check_html(tmp_path / 'mailbox-bulk-restore.html')


def test_bad_role_variables_are_refused_before_any_request(runner, sim_api, tmp_path):
    extra = example('mailbox_bulk_restore', report_dir=str(tmp_path), restore_options={'changed_itmes': True})
    run = run_book(runner, 'mailbox_bulk_restore', extra, expect_rc=2)
    assert 'changed_itmes' in run.stdout and sim_api.api_requests() == []
    assert not os.path.exists(str(tmp_path / 'mailbox-bulk-restore.json'))


# ------------------------------------------------------------------------ deleted_items_recovery
@pytest.mark.every_model
def test_deleted_items_come_back_into_a_recovery_folder_once(runner, simulator, sim_api, tmp_path):
    extra = example('deleted_items_recovery', report_dir=str(tmp_path))
    run = run_book(runner, 'deleted_items_recovery', extra, verbosity=4)
    (session,) = explore_sessions(sim_api, CONTOSO)
    assert session['showDeleted'] is True and session['state'] == 'Stopped'
    data = load(tmp_path / 'deleted-items-recovery.json')
    assert data['status'] == 'Success' and data['asked']['query'] == 'received:2026-11-01..2026-11-30 subject:invoice'
    assert [(m['email'], m['found'], m['created']) for m in data['mailboxes']] == [
        ('alice@%s' % CONTOSO, 8, 8), ('bob@%s' % CONTOSO, 8, 8)]
    for email in ('alice@%s' % CONTOSO, 'bob@%s' % CONTOSO):
        recovered = [r for r in sim_api.production(email) if r['folder'].startswith('Recovered 2026-11-17/')]
        assert len(recovered) == 8 and all(r['subject'].startswith('Invoice INV-2026-1') for r in recovered)
    assert 'Recovered 2026-11-17' in check_html(tmp_path / 'deleted-items-recovery.html', secrets=[EXCHANGE_PASSWORD])
    assert_not_shown(EXCHANGE_PASSWORD, run)
    assert_no_secret_in_files(tmp_path, EXCHANGE_PASSWORD, simulator.password)

    again = run_book(runner, 'deleted_items_recovery', extra)
    assert 'changed=0' in again.stdout
    data = load(tmp_path / 'deleted-items-recovery.json')
    assert [(m['created'], m['skipped']) for m in data['mailboxes']] == [(0, 8), (0, 8)]
    assert len([r for r in sim_api.production('bob@%s' % CONTOSO) if r['folder'].startswith('Recovered')]) == 8
    assert left_open(sim_api, CONTOSO) == []


def test_deleted_items_back_in_place_with_only_an_upper_bound(runner, sim_api, tmp_path):
    extra = example('deleted_items_recovery', report_dir=str(tmp_path), recovery_folder='', received_from='',
                    received_to='2026-11-16', query='from:billing@northwind.example',
                    mailboxes=['Bob Jones'])
    run_book(runner, 'deleted_items_recovery', extra)
    data = load(tmp_path / 'deleted-items-recovery.json')
    assert data['asked']['query'] == 'received:<=2026-11-16 from:billing@northwind.example'
    assert [(m['email'], m['found'], m['created']) for m in data['mailboxes']] == [('bob@%s' % CONTOSO, 8, 8)]
    invoices = [r for r in sim_api.production('bob@%s' % CONTOSO) if r['folder'] == 'Inbox/Invoices']
    assert len(invoices) == 8 and left_open(sim_api, CONTOSO) == []


def test_a_mailbox_that_fails_mid_run_does_not_stop_the_others_nor_leave_the_session(runner, sim_api, tmp_path):
    extra = example('deleted_items_recovery', report_dir=str(tmp_path),
                    mailboxes=['alice@%s' % CONTOSO, 'broken@%s' % CONTOSO, 'bob@%s' % CONTOSO])
    run = run_book(runner, 'deleted_items_recovery', extra, expect_rc=2)
    assert left_open(sim_api, CONTOSO) == []
    data = load(tmp_path / 'deleted-items-recovery.json')
    assert [(m['email'], m['status']) for m in data['mailboxes']] == [
        ('alice@%s' % CONTOSO, 'Success'), ('broken@%s' % CONTOSO, 'Failed'), ('bob@%s' % CONTOSO, 'Success')]
    assert data['status'] == 'Failed' and data['errors'][0].startswith('broken@%s: ' % CONTOSO)
    assert any(e['status'] == 'Failed' and 'broken' in e['message'] for e in data['failures'])
    assert len([r for r in sim_api.production('bob@%s' % CONTOSO) if r['folder'].startswith('Recovered')]) == 8
    assert 'deleted-items-recovery.html' in run.stdout


# ------------------------------------------------------------------------ mailbox_redirect_restore
@pytest.mark.every_model
def test_a_leavers_mailbox_and_a_folder_go_into_the_managers_mailbox(runner, simulator, sim_api, tmp_path):
    extra = example('mailbox_redirect_restore', report_dir=str(tmp_path))
    run = run_book(runner, 'mailbox_redirect_restore', extra, verbosity=4)
    data = load(tmp_path / 'mailbox-redirect-restore.json')
    assert data['status'] == 'Success'
    assert [(m['email'], m['folder'], m['target']) for m in data['mailboxes']] == [
        ('erin@%s' % CONTOSO, '', 'frank@%s/Erin Leaver' % CONTOSO),
        ('dave@%s' % CONTOSO, 'Inbox/Projects', 'frank@%s/Dave projects' % CONTOSO)]
    frank = sim_api.production('frank@%s' % CONTOSO)
    erin = [r for r in frank if r['folder'].startswith('Erin Leaver/')]
    assert erin and len(erin) == data['mailboxes'][0]['created']
    assert not [r for r in erin if r['folder'] == 'Erin Leaver/Drafts']  # exclude_drafts
    assert {r['folder'] for r in frank if r['folder'].startswith('Dave projects/')} == {
        'Dave projects/Inbox/Projects', 'Dave projects/Inbox/Projects/2026'}
    assert_not_shown(EXCHANGE_PASSWORD, run)
    assert_no_secret_in_files(tmp_path, EXCHANGE_PASSWORD, simulator.password)
    assert left_open(sim_api, CONTOSO) == []

    again = run_book(runner, 'mailbox_redirect_restore', extra)
    assert 'changed=0' in again.stdout
    assert load(tmp_path / 'mailbox-redirect-restore.json')['totals']['created'] == 0


def test_a_tenant_to_tenant_move_and_a_missing_target_mid_run(runner, sim_api, tmp_path):
    mapping = [{'source': 'gina@fabrikam.onmicrosoft.com', 'target': 'frank@fabrikam.onmicrosoft.com', 'folder': 'Gina <old> & co'},
               {'source': 'hank@fabrikam.onmicrosoft.com', 'target': 'nobody@fabrikam.onmicrosoft.com'},
               {'source': 'frank@fabrikam.onmicrosoft.com', 'source_folder': 'Inbox/Invoices', 'target': 'frank@%s' % CONTOSO,
                'organization_name': CONTOSO, 'folder': 'From Fabrikam'}]
    extra = example('mailbox_redirect_restore', organization='fabrikam.onmicrosoft.com', mapping=mapping,
                    target_region='Worldwide', report_dir=str(tmp_path))
    run_book(runner, 'mailbox_redirect_restore', extra, expect_rc=2)
    assert left_open(sim_api, 'fabrikam.onmicrosoft.com') == []
    data = load(tmp_path / 'mailbox-redirect-restore.json')
    assert [m['status'] for m in data['mailboxes']] == ['Success', 'Failed', 'Success']
    assert data['status'] == 'Failed' and 'nobody@fabrikam.onmicrosoft.com' in data['errors'][0]
    assert [r for r in sim_api.production('frank@fabrikam.onmicrosoft.com') if r['folder'].startswith('Gina <old> & co/')]
    moved = [r for r in sim_api.production('frank@%s' % CONTOSO) if r['folder'].startswith('From Fabrikam/')]
    assert len(moved) == data['mailboxes'][2]['created'] > 0
    bodies = [p['body'] for p in sim_api.api_requests('POST', contains='/restoreTo')]
    assert [b.get('officeOrganizationName') for b in bodies] == [None, None, CONTOSO]
    assert all(b['officeRegion'] == 'Worldwide' for b in bodies)
    # Folder names are shown, escaped, never interpreted.
    with open(str(tmp_path / 'mailbox-redirect-restore.html')) as handle:
        source = handle.read()
    assert 'Gina &lt;old&gt; &amp; co' in source and 'Gina <old>' not in source
    assert 'frank@fabrikam.onmicrosoft.com/Gina <old> & co' in check_html(tmp_path / 'mailbox-redirect-restore.html')


# ------------------------------------------------------------------------ ediscovery_export
@pytest.mark.every_model
def test_ediscovery_export_writes_pst_files_and_a_manifest_and_keeps_them_on_a_rerun(runner, sim_api, tmp_path):
    exports = tmp_path / 'exports'
    extra = example('ediscovery_export', export_dir=str(exports), report_dir=str(tmp_path))
    run_book(runner, 'ediscovery_export', extra)
    manifest = load(exports / 'manifest.json')
    assert manifest['organization'] == CONTOSO and manifest['point_in_time'] == 'latest'
    assert [os.path.relpath(f['file'], str(exports)) for f in manifest['files']] == [
        'alice@%s/alice.pst' % CONTOSO, 'erin@%s/erin.pst' % CONTOSO]
    served = dict((e['filename'], e) for e in sim_api.get('exports'))
    for entry in manifest['files']:
        assert os.path.getsize(entry['file']) == entry['size'] == served[os.path.basename(entry['file'])]['size']
        assert entry['sha256'] == served[os.path.basename(entry['file'])]['sha256']
        assert entry['mailbox'] == os.path.basename(os.path.dirname(entry['file']))
    report = load(tmp_path / 'ediscovery-export.json')
    assert report['status'] == 'Success' and [f['status'] for f in report['files']] == ['Exported', 'Exported']
    assert 'alice.pst' in check_html(tmp_path / 'ediscovery-export.html')
    assert left_open(sim_api, CONTOSO) == []

    again = run_book(runner, 'ediscovery_export', extra)
    assert 'changed=0' in again.stdout and len(sim_api.get('exports')) == 2 and 'WARNING' not in again.stderr
    assert [f['status'] for f in load(tmp_path / 'ediscovery-export.json')['files']] == ['Complete already'] * 2
    assert load(exports / 'manifest.json') == manifest


def test_an_organization_wide_keyword_export_split_into_parts(runner, sim_api, tmp_path):
    sim_api.config(pst_limit_scale=512)  # a 1 GB limit splits at 2 MiB
    exports = tmp_path / 'exports'
    extra = example('ediscovery_export', mailboxes=[], keyword='invoice', pst_size_limit='1GB', extract=True,
                    export_dir=str(exports), report_dir=str(tmp_path))
    run_book(runner, 'ediscovery_export', extra)
    (export,) = sim_api.get('exports')
    (entry,) = load(exports / 'manifest.json')['files']
    assert entry['mailbox'] == '(organization)' and entry['query'] == 'invoice'
    assert os.path.relpath(entry['file'], str(exports)) == '%s/%s' % (CONTOSO, export['filename'])
    assert entry['file'].endswith('.zip') and [p['name'] for p in entry['parts']] == export['members']
    for part in entry['parts']:
        assert os.path.getsize(part['path']) == part['size']
    assert sum(p['size'] for p in entry['parts']) == export['content_size'] and entry['size'] == export['size']
    assert left_open(sim_api, CONTOSO) == []


@pytest.mark.every_model
def test_a_cut_export_fails_the_run_and_the_next_run_resumes_it(runner, sim_api, tmp_path):
    exports = tmp_path / 'exports'
    extra = example('ediscovery_export', mailboxes=['erin@%s' % CONTOSO], export_dir=str(exports), report_dir=str(tmp_path))
    # The transfer is cut after 2 MB, and the server refuses the request that would resume it.
    sim_api.post('faults', {'rules': [{'path': '/exportToPst$', 'cut_after_bytes': 2000000},
                                      {'path': '/exportToPst$', 'status': 500, 'body': {
                                          'message': 'The export job was terminated.', 'errorCode': 'HttpError',
                                          'stackTrace': None}}]})
    run = run_book(runner, 'ediscovery_export', extra, expect_rc=2)
    assert left_open(sim_api, CONTOSO) == [] and 'ediscovery-export.html' in run.stdout
    report = load(tmp_path / 'ediscovery-export.json')
    assert report['status'] == 'Failed' and report['files'][0]['status'] == 'Failed'
    assert report['files'][0]['size'] is None  # a failed export has no size (not the directory's 4096)
    assert '0 files 0.00 Bytes in files' in check_html(tmp_path / 'ediscovery-export.html')
    assert 'The export job was terminated.' in report['errors'][0]
    assert not os.path.exists(str(exports / 'manifest.json'))
    partial = [n for n in os.listdir(str(exports / ('erin@%s' % CONTOSO))) if n.endswith('.part')]
    assert len(partial) == 1
    kept = os.path.getsize(str(exports / ('erin@%s' % CONTOSO) / partial[0]))
    assert 1000000 < kept <= 2000000

    run_book(runner, 'ediscovery_export', extra)
    (entry,) = load(exports / 'manifest.json')['files']
    last = sim_api.get('exports')[-1]
    assert last['range_start'] == kept and last['complete'] and entry['sha256'] == last['sha256']
    assert entry['size'] == os.path.getsize(entry['file']) == last['size']
    assert load(tmp_path / 'ediscovery-export.json')['status'] == 'Success'


def test_relative_directories_are_relative_to_where_ansible_playbook_runs(runner, tmp_path):
    # The runner starts ansible-playbook in tmp_path; the runbook lives elsewhere (the collection).
    extra = example('ediscovery_export', export_dir='rel-exports', report_dir='rel-reports')
    run_book(runner, 'ediscovery_export', extra)
    manifest = tmp_path / 'rel-exports' / 'manifest.json'
    report = load(tmp_path / 'rel-reports' / 'ediscovery-export.json')
    assert report['manifest'] == str(manifest) and report['asked']['directory'] == str(tmp_path / 'rel-exports')
    assert [os.path.dirname(f['file']) for f in load(manifest)['files']] == [
        str(tmp_path / 'rel-exports' / ('%s@%s' % (who, CONTOSO))) for who in ('alice', 'erin')]
    assert all(f['size'] == os.path.getsize(f['file']) for f in report['files'])
    playbooks = os.path.dirname(runbook('ediscovery_export'))
    assert not os.path.exists(os.path.join(playbooks, 'rel-exports'))
    assert not os.path.exists(os.path.join(playbooks, 'rel-reports'))
