"""The four searches, their cached result sets, and the query syntax."""

from __future__ import annotations

import pytest

from vb365sim.data import Dataset
from vb365sim.query import QueryError, compile_query


@pytest.fixture(scope='module')
def bob_items():
    dataset = Dataset(seed=1, bulk_mailboxes=1, report_items=10)
    (bob,) = [m for m in dataset.mailboxes.values() if m.email == 'bob@contoso.onmicrosoft.com']
    return [i for i in bob.items if not i.old_version]


def subjects(items, query):
    test = compile_query(query)
    return sorted(i.subject for i in items if test(i))


def test_search_at_each_scope_and_set_ids(api):
    session = api.explore(showDeleted=True)
    bob = api.mailbox(session, 'bob@contoso.onmicrosoft.com')
    root = api.root(session)
    in_bob = api.call('POST', root + '/mailboxes/%s/search' % bob['id'], json={'query': 'subject:invoice'})
    assert len(in_bob['results']) == 8 and in_bob['setId']
    again = api.call('POST', root + '/mailboxes/%s/search' % bob['id'], json={'query': 'subject:invoice'},
                     params={'setId': in_bob['setId'], 'offset': 5, 'limit': 5})
    assert [i['id'] for i in again['results']] == [i['id'] for i in in_bob['results'][5:]]
    assert again['setId'] == in_bob['setId'] and again['limit'] == 5
    everywhere = api.call('POST', root + '/mailboxes/search', json={'query': 'subject:invoice'}, params={'limit': 1000})
    org_wide = api.call('POST', root + '/searchExchange', json={'query': 'subject:invoice'}, params={'limit': 1000})
    assert len(everywhere['results']) == len(org_wide['results']) == 8 * 10  # 10 standard Contoso mailboxes
    assert 'setId' not in org_wide and everywhere['setId']
    inbox = api.folder(session, bob, 'Inbox')
    in_inbox = api.call('POST', root + '/mailboxes/%s/folders/%s/search' % (bob['id'], inbox['id']),
                        json={'query': 'from:billing received:2026-11-01..2026-11-30'})
    assert len(in_inbox['results']) == 8  # Inbox/Invoices is below Inbox
    sent = api.folder(session, bob, 'Sent Items')
    assert api.call('POST', root + '/mailboxes/%s/folders/%s/search' % (bob['id'], sent['id']),
                    json={'query': 'invoice'})['results'] == []
    other = api.explore()
    api.error('POST', api.root(other) + '/mailboxes/search', 404, json={'query': 'x'},
              params={'setId': everywhere['setId']})


def test_query_syntax_on_the_api(api):
    session = api.explore()
    bob = api.mailbox(session, 'bob@contoso.onmicrosoft.com')
    path = api.root(session, bob) + '/search'

    def found(query):
        return sorted(i.get('subject') or i.get('fullName') or i.get('name')
                      for i in api.call('POST', path, json={'query': query}, params={'limit': 1000})['results'])

    assert found('received:2026-11-02') == ['Invoice INV-2026-100']
    assert found('"quarterly report 16"') == ['Quarterly report 16']
    assert found('subject:"Quarterly REPORT" received:<2026-10-20') == ['Quarterly report 1']
    assert found('kind:contact') == ['Ada Lovelace', 'Alan Turing', 'Grace Hopper']
    body = api.error('POST', path, 400, json={'query': 'colour:red'})
    assert 'unknown search field' in body['message'] and body['errorCode'] == 'ParameterValidationFailure'
    assert 'not a date' in api.error('POST', path, 400, json={'query': 'received:yesterday'})['message']


def test_query_terms(bob_items):
    assert subjects(bob_items, 'subject:invoice from:billing') == ['Invoice INV-2026-%03d' % n for n in range(100, 108)]
    assert subjects(bob_items, 'subject:invoice received:>=2026-11-14') == [
        'Invoice INV-2026-106', 'Invoice INV-2026-107']
    assert subjects(bob_items, 'subject:invoice received:>2026-11-14') == ['Invoice INV-2026-107']
    assert subjects(bob_items, 'subject:invoice received:<=2026-11-04') == [
        'Invoice INV-2026-100', 'Invoice INV-2026-101']
    assert subjects(bob_items, 'subject:invoice received:<2026-11-04') == ['Invoice INV-2026-100']
    assert subjects(bob_items, 'subject:invoice received:2026-11-04..2026-11-06') == [
        'Invoice INV-2026-101', 'Invoice INV-2026-102']
    assert subjects(bob_items, 'body:"amount due: 1000 eur"') == ['Invoice INV-2026-100']
    assert subjects(bob_items, 'to:frank@') == ['Re: Budget review', 'Re: Quarterly report']
    assert subjects(bob_items, 'kind:task') == ['Review contract', 'Submit expenses']
    assert subjects(bob_items, 'kind:note') == ['Wi-Fi password is on the wall']
    assert subjects(bob_items, 'kind:meeting all') == ['All hands']
    assert subjects(bob_items, 'INV-2026-105 billing') == ['Invoice INV-2026-105']  # bare words: AND
    assert subjects(bob_items, 'newsletter') == ['Old newsletter']


@pytest.mark.parametrize('query', ['', '   ', 'kind:spaceship', 'received:2026-13-01', 'size:>1', 'received:>=nope'])
def test_bad_queries(query):
    with pytest.raises(QueryError):
        compile_query(query)
