"""The simulator itself, exercised over HTTPS with plain requests."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
import requests

from vb365sim import exports
from vb365sim.server import Simulator

USER, PASSWORD = 'sim-test-admin', 'Sim-Test-Pa55-word'
CONTOSO = 'contoso.onmicrosoft.com'


@pytest.fixture(scope='module')
def sim(tmp_path_factory):
    with Simulator(USER, PASSWORD, str(tmp_path_factory.mktemp('sim')), bulk_mailboxes=20, restore_delay_ms=0) as server:
        yield server


class Client:
    def __init__(self, sim):
        self.sim = sim
        self.http = requests.Session()
        self.http.verify = sim.ca_path
        self.http.trust_env = False  # else REQUESTS_CA_BUNDLE overrides verify
        self.login()

    def login(self):
        form = {'grant_type': 'password', 'username': USER, 'password': PASSWORD, 'disable_antiforgery_token': 'true'}
        answer = self.http.post(self.sim.url + '/v8/token', data=form)
        assert answer.status_code == 200, answer.text
        self.tokens = answer.json()
        self.http.headers['Authorization'] = 'Bearer ' + self.tokens['access_token']

    def call(self, method, path, expect=200, **kw):
        answer = self.http.request(method, self.sim.url + path, **kw)
        assert answer.status_code == expect, (method, path, answer.status_code, answer.text[:500])
        return answer.json() if answer.content and 'json' in answer.headers.get('Content-Type', '') else answer

    def control(self, method, name, body=None):
        return self.http.request(method, '%s/_sim/%s' % (self.sim.url, name), json=body).json()


@pytest.fixture
def api(sim):
    client = Client(sim)
    client.control('DELETE', 'violations')
    yield client
    violations = client.control('GET', 'violations')
    client.control('POST', 'reset')
    assert violations == []


def org_id(api, name=CONTOSO):
    return [o['id'] for o in api.call('GET', '/v8/Organizations')['results'] if o['name'] == name][0]


def explore(api, **body):
    body.setdefault('type', 'Vex')
    return api.call('POST', '/v8/Organizations/%s/explore' % org_id(api), json=body, expect=201)


def mailbox(api, session, email, archive=False):
    page = api.call('GET', '/v8/RestoreSessions/%s/organization/mailboxes' % session['id'], params={'limit': 10000})
    return [m for m in page['results'] if m['email'] == email and m['isArchive'] == archive][0]


def wait(api, session_id):
    for _poll in range(200):
        session = api.call('GET', '/v8/RestoreSessions/%s' % session_id)
        if session['state'] == 'Stopped':
            return session
    raise AssertionError('restore did not finish')


def test_wrong_password_and_unknown_token(sim):
    http = requests.Session()
    answer = http.post(sim.url + '/v8/token', data={'grant_type': 'password', 'username': USER, 'password': 'nope'},
                       verify=sim.ca_path)
    assert answer.status_code == 400 and 'nope' not in answer.text
    assert http.get(sim.url + '/v8/Organizations', verify=sim.ca_path,
                    headers={'Authorization': 'Bearer forged'}).status_code == 401


def test_refresh_rotates_and_logout_revokes(api):
    old_refresh = api.tokens['refresh_token']
    form = {'grant_type': 'refresh_token', 'refresh_token': old_refresh}
    fresh = api.call('POST', '/v8/token', data=form)
    assert fresh['access_token'] != api.tokens['access_token']
    assert api.http.post(api.sim.url + '/v8/token', data=form).status_code == 400  # the old one is spent
    api.call('POST', '/v8/token/logout', expect=204)
    assert api.http.get(api.sim.url + '/v8/Organizations').status_code == 401


def test_token_expiry(api):
    api.control('POST', 'config', {'token_lifetime': 0})
    api.login()
    assert api.http.get(api.sim.url + '/v8/Organizations').status_code == 401


def test_paging_25000_items_with_limit_10000(api):
    session = explore(api)
    reports = mailbox(api, session, 'reports@contoso.onmicrosoft.com')
    seen = []
    offset = 0
    while True:
        page = api.call('GET', '/v8/RestoreSessions/%s/organization/mailboxes/%s/items' % (session['id'], reports['id']),
                        params={'offset': offset, 'limit': 20000})
        assert page['limit'] == 10000
        seen.extend(i['id'] for i in page['results'])
        if len(page['results']) < page['limit']:
            break
        offset += len(page['results'])
    assert len(seen) == len(set(seen)) == 25000


def test_searches_at_each_scope_and_set_id(api):
    session = explore(api, showDeleted=True)
    bob = mailbox(api, session, 'bob@contoso.onmicrosoft.com')
    root = '/v8/RestoreSessions/%s/organization' % session['id']
    in_bob = api.call('POST', root + '/mailboxes/%s/search' % bob['id'], json={'query': 'subject:invoice'})
    assert len(in_bob['results']) == 8 and in_bob['setId']
    page2 = api.call('POST', root + '/mailboxes/%s/search' % bob['id'], json={'query': 'subject:invoice'},
                     params={'setId': in_bob['setId'], 'offset': 5, 'limit': 5})
    assert [i['id'] for i in page2['results']] == [i['id'] for i in in_bob['results'][5:]]
    everywhere = api.call('POST', root + '/mailboxes/search', json={'query': 'subject:invoice'}, params={'limit': 1000})
    org_wide = api.call('POST', root + '/searchExchange', json={'query': 'subject:invoice'}, params={'limit': 1000})
    assert len(everywhere['results']) == len(org_wide['results']) > 8 and 'setId' not in org_wide
    folders = api.call('GET', root + '/mailboxes/%s/folders' % bob['id'])['results']
    inbox = [f for f in folders if f['name'] == 'Inbox'][0]
    in_inbox = api.call('POST', root + '/mailboxes/%s/folders/%s/search' % (bob['id'], inbox['id']),
                        json={'query': 'received:2026-11-01..2026-11-30 from:billing'})
    assert len(in_inbox['results']) == 8
    day = api.call('POST', root + '/mailboxes/%s/search' % bob['id'], json={'query': 'received:2026-11-02'})
    assert [i['subject'] for i in day['results']] == ['Invoice INV-2026-100']
    phrase = api.call('POST', root + '/mailboxes/%s/search' % bob['id'], json={'query': '"quarterly report 16"'})
    assert len(phrase['results']) == 1
    bad = api.http.post(api.sim.url + root + '/mailboxes/search', json={'query': 'colour:red'})
    assert bad.status_code == 400 and 'unknown search field' in bad.json()['message']


def test_deleted_items_only_with_show_deleted(api):
    plain = explore(api)
    with_deleted = explore(api, showDeleted=True)
    root = '/v8/RestoreSessions/%s/organization/mailboxes/%s/search'
    counts = []
    for session in (plain, with_deleted):
        alice = mailbox(api, session, 'alice@contoso.onmicrosoft.com')
        counts.append(len(api.call('POST', root % (session['id'], alice['id']), json={'query': 'invoice'})['results']))
    assert counts == [3, 8]


def test_bulk_restore_changes_production_and_reports(api):
    session = explore(api, showDeleted=True)
    bob = mailbox(api, session, 'bob@contoso.onmicrosoft.com')
    before = api.control('GET', 'production/bob@contoso.onmicrosoft.com')
    assert not [r for r in before if r['folder'] == 'Inbox/Invoices']
    answer = api.call('POST', '/v8/RestoreSessions/%s/organization/mailboxes/restore' % session['id'], json={
        'mailboxes': [{'id': bob['id']}], 'office365UserName': 'ex', 'office365UserPassword': 'x',
        'markRestoredAsUnread': True})
    op = wait(api, answer['sessionId'])
    assert op['result'] == 'Success'
    stats = api.call('GET', '/v8/RestoreSessions/%s/Statistics' % op['id'])
    detail = stats['items'][0]
    assert detail['mailboxEmail'] == 'bob@contoso.onmicrosoft.com'
    assert detail['createdMailboxItemsCount'] == 8 and detail['mergedMailboxItemsCount'] == 2
    after = api.control('GET', 'production/bob@contoso.onmicrosoft.com')
    invoices = [r for r in after if r['folder'] == 'Inbox/Invoices']
    assert len(invoices) == 8 and all(r['unread'] for r in invoices)
    events = api.call('GET', '/v8/RestoreSessions/%s/Events' % op['id'])['results']
    assert events[0]['status'] == 'Success' and 'bob@' in events[0]['title']
    # Once more: nothing left to create or merge.
    again = api.call('POST', '/v8/RestoreSessions/%s/organization/mailboxes/restore' % session['id'], json={
        'mailboxes': [{'id': bob['id']}], 'office365UserName': 'ex', 'office365UserPassword': 'x'})
    wait(api, again['sessionId'])
    detail = api.call('GET', '/v8/RestoreSessions/%s/Statistics' % again['sessionId'])['items'][0]
    assert detail['createdMailboxItemsCount'] == detail['mergedMailboxItemsCount'] == 0


def test_restore_failures(api):
    session = explore(api)
    broken = mailbox(api, session, 'broken@contoso.onmicrosoft.com')
    carol = mailbox(api, session, 'carol@contoso.onmicrosoft.com')
    path = '/v8/RestoreSessions/%s/organization/mailboxes/restore' % session['id']
    answer = api.call('POST', path, json={'mailboxes': [{'id': broken['id']}, {'id': carol['id']}],
                                          'office365UserName': 'ex', 'office365UserPassword': 'x'})
    op = wait(api, answer['sessionId'])
    assert op['result'] == 'Failed'
    stats = api.call('GET', '/v8/RestoreSessions/%s/Statistics' % op['id'])
    by_mail = dict((d['mailboxEmail'], d) for d in stats['items'])
    assert by_mail['broken@contoso.onmicrosoft.com']['status'] == 'Failed'
    assert by_mail['carol@contoso.onmicrosoft.com']['failedMailboxItemsCount'] == 1  # the [corrupt] item
    no_creds = api.http.post(api.sim.url + path, json={'mailboxes': [{'id': carol['id']}]})
    assert no_creds.status_code == 400 and 'Specify the credentials' in no_creds.json()['message']


def test_strict_server_rejects_misspelt_fields_and_wrong_case(api):
    session = explore(api)
    path = '/v8/RestoreSessions/%s/organization/mailboxes/restore' % session['id']
    answer = api.http.post(api.sim.url + path, json={'mailboxes': [], 'officeUserName': 'x'})
    assert answer.status_code == 400 and "unknown field 'officeUserName'" in answer.json()['message']
    wrong_case = api.http.post(api.sim.url + '/v8/restoresessions/%s/stop' % session['id'])
    assert wrong_case.status_code == 400 and 'letter case' in wrong_case.json()['message']
    assert len(api.control('GET', 'violations')) == 2
    api.control('DELETE', 'violations')


def test_restore_to_another_mailbox_folder(api):
    session = explore(api)
    erin = mailbox(api, session, 'erin@contoso.onmicrosoft.com')
    answer = api.call('POST', '/v8/RestoreSessions/%s/organization/mailboxes/%s/restoreTo' % (session['id'], erin['id']),
                      json={'mailbox': 'frank@contoso.onmicrosoft.com', 'folder': 'Erin Leaver', 'userName': 'ex',
                            'userPassword': 'x', 'excludeDrafts': True})
    wait(api, answer['sessionId'])
    frank = api.control('GET', 'production/frank@contoso.onmicrosoft.com')
    moved = [r for r in frank if r['folder'].startswith('Erin Leaver/')]
    assert moved and not [r for r in moved if r['folder'] == 'Erin Leaver/Drafts']


def test_send_needs_email_settings(api):
    session = explore(api)
    alice = mailbox(api, session, 'alice@contoso.onmicrosoft.com')
    root = '/v8/RestoreSessions/%s/organization/mailboxes/%s' % (session['id'], alice['id'])
    item = api.call('GET', root + '/items', params={'limit': 1})['results'][0]
    api.call('POST', root + '/items/sendToDifferentAddress', expect=204,
             json={'items': [{'id': item['id']}], 'to': 'legal@contoso.example', 'subject': 'Evidence', 'text': 'See'})
    sent = api.control('GET', 'sent')
    assert sent[0]['to'] == 'legal@contoso.example' and sent[0]['items'] == [item['id']]
    api.control('POST', 'config', {'email_settings_configured': False})
    refused = api.http.post(api.sim.url + root + '/items/sendToDefaultAddress', json={'items': [{'id': item['id']}]})
    assert refused.status_code == 400 and 'not configured' in refused.json()['message']
    assert api.call('GET', '/v8/VexEmailSettings')['enableNotification'] is False


def test_export_range_cut_and_bytes(api):
    session = explore(api)
    bob = mailbox(api, session, 'bob@contoso.onmicrosoft.com')
    path = api.sim.url + '/v8/RestoreSessions/%s/organization/mailboxes/%s/exportToPst' % (session['id'], bob['id'])
    full = api.http.post(path, json={})
    assert full.status_code == 200 and full.headers['Content-Disposition'] == 'attachment; filename="bob.pst"'
    data = full.content
    assert data[:4] == b'!BDN' and len(data) == int(full.headers['Content-Length'])
    scope = api.control('GET', 'exports')[0]['scope']
    assert exports.expected_bytes(scope, len(data)) == data
    rest = api.http.post(path, json={}, headers={'Range': 'bytes=1000-'})
    assert rest.status_code == 206 and rest.content == data[1000:]
    assert rest.headers['Content-Range'] == 'bytes 1000-%d/%d' % (len(data) - 1, len(data))
    api.control('POST', 'faults', {'rules': [{'path': 'exportToPst', 'cut_after_bytes': 5000}]})
    with pytest.raises(requests.exceptions.RequestException):
        api.http.post(path, json={}).content  # pylint: disable=expression-not-assigned


def test_pst_limit_splits_into_a_zip_of_parts(api):
    session = explore(api)
    bob = mailbox(api, session, 'bob@contoso.onmicrosoft.com')
    api.control('POST', 'config', {'pst_limit_scale': 1024})  # 1 GB limit splits at 1 MiB here
    path = '/v8/RestoreSessions/%s/organization/mailboxes/%s/exportToPst' % (session['id'], bob['id'])
    answer = api.call('POST', path, json={'enablePstSizeLimit': True, 'pstSizeLimitBytes': 1 << 30})
    assert answer.headers['Content-Disposition'] == 'attachment; filename="bob.zip"'
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = archive.namelist()
    assert names[0] == 'bob_1.pst' and all(archive.getinfo(n).file_size <= 1 << 20 for n in names)
    joined = b''.join(archive.read(n) for n in names)
    scope = api.control('GET', 'exports')[0]['scope']
    assert hashlib.sha256(joined).hexdigest() == exports.Content(scope, len(joined)).sha256()
    too_small = api.http.post(api.sim.url + path, json={'enablePstSizeLimit': True, 'pstSizeLimitBytes': 1000})
    assert too_small.status_code == 400


def test_fault_rules_fire_in_order_then_are_spent(api):
    api.control('POST', 'faults', {'rules': [{'method': 'GET', 'path': '^/v8/Organizations$', 'status': 503,
                                              'retry_after': 3, 'times': 2}]})
    first = api.http.get(api.sim.url + '/v8/Organizations')
    assert first.status_code == 503 and first.headers['Retry-After'] == '3'
    assert api.http.get(api.sim.url + '/v8/Organizations').status_code == 503
    assert api.http.get(api.sim.url + '/v8/Organizations').status_code == 200


def test_every_answer_of_a_browse_follows_the_spec(api):
    """Walks one mailbox completely; the fixture asserts no response broke the spec."""
    session = explore(api, showDeleted=True, showAllVersions=True)
    alice = mailbox(api, session, 'alice@contoso.onmicrosoft.com')
    root = '/v8/RestoreSessions/%s/organization/mailboxes/%s' % (session['id'], alice['id'])
    api.call('GET', '/v8/RestoreSessions/%s/organization' % session['id'])
    api.call('GET', root)
    for folder in api.call('GET', root + '/folders')['results']:
        api.call('GET', root + '/folders/%s' % folder['id'])
    items = api.call('GET', root + '/items', params={'limit': 1000})['results']
    assert {i['itemClass'] for i in items} >= {'IPM.Note', 'IPM.Appointment', 'IPM.Contact', 'IPM.DistList',
                                               'IPM.Task', 'IPM.StickyNote', 'IPM.Activity'}
    for item in items[:10]:
        api.call('GET', root + '/items/%s' % item['id'])
    api.call('GET', '/v8/RestoreSessions', params={'orderBy': 'CreationTime', 'orderAsc': 'false'})
    api.call('POST', '/v8/RestoreSessions/%s/Stop' % session['id'], expect=204)
