"""One tour through every simulated operation: each answer must follow the spec (the ``api`` fixture
fails the test on any violation), and no operation may be left out of the tour."""

from __future__ import annotations

from portal_helpers import JWT_BEARER, PortalClient
from simhelpers import BULK_CREDS, CREDS, tour_sources_and_email


def test_every_operation_answers_per_the_spec(api, sim):
    org = api.org_id()
    api.call('GET', '/v8/Organizations', params={'offset': 0, 'limit': 2})
    api.call('GET', '/v8/Organizations/%s' % org)
    session = api.explore(showDeleted=True, showAllVersions=True, dateTime='2026-11-22T00:00:00Z')
    root = api.root(session)
    api.call('GET', '/v8/RestoreSessions', params={'orderBy': 'EndTime', 'orderAsc': 'false', 'limit': 5})
    api.call('GET', '/v8/RestoreSessions/%s' % session['id'])
    api.call('GET', root)
    alice = api.mailbox(session, 'alice@contoso.onmicrosoft.com')
    mailbox = api.root(session, alice)
    api.call('GET', mailbox)
    folders = api.call('GET', mailbox + '/folders')['results']
    for folder in folders:
        api.call('GET', mailbox + '/folders/%s' % folder['id'])
    inbox = folders[0]
    items = api.call('GET', mailbox + '/items', params={'limit': 1000})['results']
    for item in items:  # every item class, every version, deleted ones too
        api.call('GET', mailbox + '/items/%s' % item['id'])
    note = [i for i in items if i['itemClass'] == 'IPM.Note'][0]
    ids = [{'id': note['id']}]
    for path in (root + '/searchExchange', root + '/mailboxes/search', mailbox + '/search',
                 mailbox + '/folders/%s/search' % inbox['id']):
        api.call('POST', path, json={'query': 'invoice'})
    api.call('POST', mailbox + '/search', json={'query': 'invoice'},
             params={'setId': api.call('POST', mailbox + '/search', json={'query': 'x'})['setId']})
    to = {'mailbox': 'bob@contoso.onmicrosoft.com', 'folder': 'Tour'}
    operations = [
        api.restore(root + '/mailboxes/restore', dict(BULK_CREDS, mailboxes=[{'id': alice['id']}])),
        api.restore(mailbox + '/restore', dict(CREDS)),
        api.restore(mailbox + '/restoreTo', dict(CREDS, **to)),
        api.restore(mailbox + '/folders/%s/restore' % inbox['id'], dict(CREDS)),
        api.restore(mailbox + '/folders/%s/restoreTo' % inbox['id'], dict(CREDS, **to)),
        api.restore(mailbox + '/items/restore', dict(CREDS, items=ids)),
        api.restore(mailbox + '/items/restoreTo', dict(CREDS, items=ids, **to)),
        api.restore(mailbox + '/items/%s/restore' % note['id'], dict(CREDS)),
        api.restore(mailbox + '/items/%s/restoreTo' % note['id'], dict(CREDS, **to)),
    ]
    op = operations[0][0]
    event = api.call('GET', '/v8/RestoreSessions/%s/Events' % op['id'])['results'][0]
    api.call('GET', '/v8/RestoreSessions/%s/Events/%s' % (op['id'], event['id']))
    api.call('POST', mailbox + '/items/sendToDefaultAddress', expect=204, json={'items': ids})
    api.call('POST', mailbox + '/items/sendToDifferentAddress', expect=204, json={'items': ids, 'to': 'x@y.example'})
    api.call('POST', mailbox + '/items/%s/sendToDefaultAddress' % note['id'], expect=204)
    api.call('POST', mailbox + '/items/%s/sendToDifferentAddress' % note['id'], expect=204, json={'to': 'x@y.example'})
    api.config(export_size_bytes=100000)
    for path, body in ((root + '/exportToPst', {}), (mailbox + '/exportToPst', {}),
                       (mailbox + '/folders/%s/exportToPst' % inbox['id'], {}),
                       (mailbox + '/items/exportToPst', {'items': ids}),
                       (mailbox + '/items/%s/exportToPst' % note['id'], {}),
                       (mailbox + '/items/Save', {'items': ids}), (mailbox + '/items/%s/save' % note['id'], None)):
        api.call('POST', path, json=body)
    settings = api.call('GET', '/v8/VexEmailSettings')
    api.call('PUT', '/v8/VexEmailSettings', expect=204, json=dict(
        (k, v) for k, v in settings.items() if k not in ('authenticationType', 'clientId', 'tenantId')))
    tour_sources_and_email(api, org)
    api.call('GET', '/v8/RestoreSessions/%s/Statistics' % session['id'])
    tour_restore_portal(api, sim, root)
    api.call('POST', '/v8/RestoreSessions/%s/Stop' % session['id'], expect=204)
    api.call('POST', '/v8/token', data={'grant_type': 'refresh_token', 'refresh_token': api.tokens['refresh_token'],
                                        'disable_antiforgery_token': 'true'})
    api.call('POST', '/v8/token/logout', expect=204)
    api.error('GET', '/v8/RestoreSessions/%s' % session['id'], 401)
    toured = set()
    for entry in api.control('GET', 'requests'):
        template, _params = sim.router.match(entry['method'], entry['path'])
        toured.add((entry['method'], template))
    assert toured == set(sim.api.routes), set(sim.api.routes) - toured


def tour_restore_portal(api, sim, root):
    """The operations of restore operators and tenant users, and the device code of a session."""
    api.call('GET', '/v8/RestorePortalSettings')
    api.call('POST', root + '/restoreDeviceCode', json={'targetRegion': 'Worldwide',
                                                        'targetOrganizationName': 'contoso.onmicrosoft.com'})
    operator = PortalClient(sim)
    for path in ('', '/LoggedInUser', '/LoggedInUser/OperatorInfo'):
        operator.call('GET', '/v8/Organization' + path)
    session = operator.operator_explore('alice@contoso.onmicrosoft.com', reason='tour')
    alice = operator.mailbox(session, 'alice@contoso.onmicrosoft.com')
    item = operator.call('GET', operator.root(session, alice) + '/items', params={'limit': 1})['results'][0]
    operator.restore(operator.root(session, alice) + '/items/operatorRestore',
                     {'items': [{'id': item['id']}], 'reason': 'tour'})
    operator.close()
    tenant = PortalClient(sim, 'dave@contoso.onmicrosoft.com', JWT_BEARER)
    tenant.call('POST', '/v8/Organization/Explore', expect=201, json={'type': 'Vex'})
    tenant.close()
