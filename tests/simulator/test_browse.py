"""Organizations, restore sessions and browsing: mailboxes, folders, items, point in time, paging."""

from __future__ import annotations

import uuid

from simhelpers import CONTOSO


def test_organizations_with_paging_and_by_id(api):
    page = api.call('GET', '/v8/Organizations')
    names = [o['name'] for o in page['results']]
    assert names == [CONTOSO, 'fabrikam.onmicrosoft.com', 'tailspin.onmicrosoft.com', 'northwind.local']
    assert page['offset'] == 0 and page['limit'] == 30 and 'totalCount' not in page
    northwind = page['results'][3]
    assert northwind['type'] == 'OnPremises' and page['results'][0]['type'] == 'Office365'
    assert northwind['firstBackuptime'] == '2026-01-01T00:00:00Z'
    assert northwind['lastBackuptime'] == '2026-11-22T22:00:00Z'
    second = api.call('GET', '/v8/Organizations', params={'offset': 1, 'limit': 2})
    assert [o['name'] for o in second['results']] == names[1:3]
    assert api.call('GET', '/v8/Organizations/%s' % northwind['id'])['name'] == 'northwind.local'
    assert api.error('GET', '/v8/Organizations/%s' % uuid.uuid4(), 404)['errorCode'] == 'ResourceNotFound'


def test_ids_are_stable_for_a_seed(api, sim):
    from vb365sim.data import Dataset  # pylint: disable=import-outside-toplevel
    again = Dataset(seed=1, bulk_mailboxes=2, report_items=10)
    assert api.org_id() == again.organizations[0].id
    other = Dataset(seed=2, bulk_mailboxes=2, report_items=10)
    assert other.organizations[0].id != again.organizations[0].id
    assert sim.state.dataset.organizations[0].mailboxes[0].id == again.organizations[0].mailboxes[0].id


def test_explore_opens_a_vex_session_and_records_its_options(api):
    session = api.explore(showDeleted=True, showAllVersions=False, dateTime='2026-11-20T12:00:00+01:00')
    assert session['type'] == 'Vex' and session['state'] == 'Working' and session['organization'] == CONTOSO
    (seen,) = api.control('GET', 'sessions')
    assert seen['kind'] == 'explore' and seen['pointInTime'] == '2026-11-20T11:00:00Z'
    assert seen['showDeleted'] is True and seen['showAllVersions'] is False
    assert seen['requested'] == {'dateTime': '2026-11-20T12:00:00+01:00', 'showDeleted': True,
                                 'showAllVersions': False}
    latest = api.explore(dateTime=None)
    assert [s['pointInTime'] for s in api.control('GET', 'sessions') if s['id'] == latest['id']] == [
        '2026-11-22T22:00:00Z']
    body = api.error('POST', '/v8/Organizations/%s/explore' % api.org_id(), 400, json={'type': 'Veod'})
    assert 'Vex' in body['message'] and body['errorCode'] == 'ParameterValidationFailure'


def test_restore_sessions_list_get_stop_and_filters(api):
    first = api.explore()
    second = api.explore(org='fabrikam.onmicrosoft.com')
    listed = api.call('GET', '/v8/RestoreSessions')['results']
    assert [s['id'] for s in listed] == [first['id'], second['id']]
    newest_first = api.call('GET', '/v8/RestoreSessions', params={'orderBy': 'CreationTime', 'orderAsc': 'false'})
    assert [s['id'] for s in newest_first['results']] == [second['id'], first['id']]
    later = api.call('GET', '/v8/RestoreSessions', params={'startTimeFrom': '2100-01-01T00:00:00Z'})
    assert later['results'] == []
    api.call('POST', '/v8/RestoreSessions/%s/Stop' % first['id'], expect=204)
    api.call('POST', '/v8/RestoreSessions/%s/Stop' % first['id'], expect=204)  # idempotent
    stopped = api.call('GET', '/v8/RestoreSessions/%s' % first['id'])
    assert stopped['state'] == 'Stopped' and stopped['endTime']
    ended = api.call('GET', '/v8/RestoreSessions', params={'endTimeFrom': '2000-01-01T00:00:00Z'})['results']
    assert [s['id'] for s in ended] == [first['id']]
    assert api.error('GET', '/v8/RestoreSessions/%s/organization/mailboxes' % first['id'], 400)['message']
    assert api.call('GET', '/v8/RestoreSessions/%s/organization' % second['id'])['name'] == 'fabrikam.onmicrosoft.com'
    assert api.call('GET', '/v8/RestoreSessions/%s/Events' % second['id'])['results'] == []
    stats = api.call('GET', '/v8/RestoreSessions/%s/Statistics' % second['id'])
    assert stats['totalItemsCount'] == 0 and stats['items'] == []
    api.error('GET', '/v8/RestoreSessions/%s' % uuid.uuid4(), 404)


def test_mailboxes_of_contoso(api):
    session = api.explore()
    page = api.call('GET', api.root(session) + '/mailboxes', params={'limit': 100})['results']
    emails = [m['email'] for m in page]
    for local in ('alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'chris.taylor', 'christopher.taylor', 'finance',
                  'broken', 'reports'):
        assert '%s@contoso.onmicrosoft.com' % local in emails
    alice = [m for m in page if m['email'] == 'alice@contoso.onmicrosoft.com']
    assert sorted(m['isArchive'] for m in alice) == [False, True] and {m['name'] for m in alice} == {'Alice Smith'}
    assert [m['name'] for m in page if m['email'].startswith('chris')] == ['Chris Taylor', 'Chris Taylor']
    assert [m['isPublic'] for m in page if m['name'] == 'Public Folders'] == [True]
    one = api.call('GET', api.root(session, page[0]))
    assert one == page[0]
    api.error('GET', api.root(session) + '/mailboxes/%s' % uuid.uuid4(), 404)
    default = api.call('GET', '/v8/RestoreSessions/%s/organization/mailboxes' % api.explore(
        org='tailspin.onmicrosoft.com')['id'])
    assert default['limit'] == 30 and len(default['results']) == 30
    assert default['results'][0] == dict(default['results'][0], email='user0001@tailspin.onmicrosoft.com',
                                         name='User 0001')


def test_folder_tree_parent_and_name_filters(api):
    session = api.explore()
    bob = api.mailbox(session, 'bob@contoso.onmicrosoft.com')
    top = api.call('GET', api.root(session, bob) + '/folders')['results']
    assert [f['name'] for f in top] == ['Inbox', 'Sent Items', 'Deleted Items', 'Drafts', 'Calendar', 'Contacts',
                                        'Tasks', 'Notes', 'Journal']
    by_name = dict((f['name'], f) for f in top)
    assert by_name['Inbox']['category'] == 'Inbox' and by_name['Deleted Items']['category'] == 'Deleted'
    assert by_name['Calendar']['type'] == 'Appointment' and by_name['Notes']['type'] == 'StickyNote'
    below = api.call('GET', api.root(session, bob) + '/folders', params={'parentId': by_name['Inbox']['id']})
    assert sorted(f['name'] for f in below['results']) == ['Invoices', 'Projects']
    found = api.call('GET', api.root(session, bob) + '/folders', params={'name': 'sent items'})['results']
    assert [f['id'] for f in found] == [by_name['Sent Items']['id']]
    assert api.folder(session, bob, 'Inbox/Projects/2026')['name'] == '2026'
    assert api.call('GET', api.root(session, bob) + '/folders/%s' % by_name['Drafts']['id']) == by_name['Drafts']
    api.error('GET', api.root(session, bob) + '/folders/nope', 404)


def test_items_of_a_folder_and_of_the_mailbox(api):
    session = api.explore(showDeleted=True, showAllVersions=True)
    alice = api.mailbox(session, 'alice@contoso.onmicrosoft.com')
    items = api.call('GET', api.root(session, alice) + '/items', params={'limit': 1000})['results']
    assert {i['itemClass'] for i in items} == {'IPM.Note', 'IPM.Appointment', 'IPM.Contact', 'IPM.DistList',
                                               'IPM.Task', 'IPM.StickyNote', 'IPM.Activity'}
    assert len({i['id'] for i in items}) == len(items) and all(i['mailboxId'] == alice['id'] for i in items)
    notes = [i for i in items if i['itemClass'] == 'IPM.Note']
    assert len(notes) >= 40 and any(i['attachments'] for i in notes)
    assert not set(items[0]) & {'body', 'folder', 'size', 'deleted', 'version', 'hold'}
    invoices = api.folder(session, alice, 'Inbox/Invoices')
    in_folder = api.call('GET', api.root(session, alice) + '/items', params={'parentId': invoices['id']})['results']
    assert len(in_folder) == 8 and all(i['from'] == 'billing@northwind.example' for i in in_folder)
    assert all(i['subject'].startswith('Invoice INV-2026-') for i in in_folder)
    one = api.call('GET', api.root(session, alice) + '/items/%s' % in_folder[0]['id'])
    assert one == in_folder[0]
    api.error('GET', api.root(session, alice) + '/items/nope', 404)


def test_point_in_time_deleted_items_and_versions(api):
    def invoices(**options):
        session = api.explore(**options)
        bob = api.mailbox(session, 'alice@contoso.onmicrosoft.com')
        folder = api.folder(session, bob, 'Inbox/Invoices')
        return api.call('GET', api.root(session, bob) + '/items', params={'parentId': folder['id']})['results']

    assert len(invoices()) == 3  # five were deleted on 2026-11-17
    assert len(invoices(showDeleted=True)) == 8
    assert len(invoices(dateTime='2026-11-16T23:00:00Z')) == 8  # not deleted yet
    assert len(invoices(dateTime='2026-11-16T12:00:00Z')) == 7  # the last one not backed up yet
    assert len(invoices(dateTime='2026-11-01T00:00:00Z')) == 0
    session = api.explore(showAllVersions=True)
    alice = api.mailbox(session, 'alice@contoso.onmicrosoft.com')
    everything = api.call('GET', api.root(session, alice) + '/items', params={'limit': 1000})['results']
    plain = api.explore()
    current = api.call('GET', api.root(plain, api.mailbox(plain, 'alice@contoso.onmicrosoft.com')) + '/items',
                       params={'limit': 1000})['results']
    assert len(everything) == len(current) + 2
    assert len([i for i in everything if (i.get('subject') or '').endswith('(draft)')]) == 2


def test_the_backup_view_matches_the_api(api):
    session = api.explore(showDeleted=True)
    bob = api.mailbox(session, 'bob@contoso.onmicrosoft.com')
    items = api.call('GET', api.root(session, bob) + '/items', params={'limit': 1000})['results']
    view = api.control('GET', 'backup/bob@contoso.onmicrosoft.com?showDeleted=true')
    assert [i['id'] for i in view] == [i['id'] for i in items]
    assert sum(1 for i in view if i['deleted']) == 5 and all(20 * 1024 <= i['size'] <= 3 << 20 for i in view) and max(i['size'] for i in view) > 2 << 20


def test_paging_25000_items_with_limit_above_10000(api):
    session = api.explore()
    reports = api.mailbox(session, 'reports@contoso.onmicrosoft.com')
    folder = api.folder(session, reports, 'Inbox/Reports')
    seen = []
    offset = 0
    while True:
        page = api.call('GET', api.root(session, reports) + '/items',
                        params={'offset': offset, 'limit': 50000, 'parentId': folder['id']})
        assert page['limit'] == 10000 and page['offset'] == offset
        seen.extend(i['id'] for i in page['results'])
        if len(page['results']) < page['limit']:
            break
        offset += len(page['results'])
    assert len(seen) == len(set(seen)) == 25000 and offset == 20000
