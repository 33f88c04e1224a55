"""Server models: each choice where the spec is silent, played as the model (or a single override) says,
and every answer still valid against the spec (the ``api`` fixture fails a test that leaves a violation)."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import pytest

from simhelpers import BULK_CREDS, CREDS, PASSWORD, USER
from vb365sim.models import CHOICES, MODELS, choices_of
from vb365sim.server import Simulator

BOB, CAROL = 'bob@contoso.onmicrosoft.com', 'carol@contoso.onmicrosoft.com'


def restore_bob(api, session, wait=True):
    """A one-mailbox restore to the original place; (answered session id, its events, statistics)."""
    bob = api.mailbox(session, BOB)
    answer = api.call('POST', api.root(session, bob) + '/restore', json=CREDS)
    sid = answer['sessionId']
    if wait:
        finished(api, sid)
    events = api.call('GET', '/v8/RestoreSessions/%s/Events' % sid, params={'limit': 100})['results']
    return sid, events, api.call('GET', '/v8/RestoreSessions/%s/Statistics' % sid)


def finished(api, _sid=None, timeout=20):
    """Wait until every restore operation is over (its own session or the explore session's part)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if all(op['state'] == 'Stopped' for op in api.control('GET', 'operations')):
            return
        time.sleep(0.01)
    raise AssertionError('the restore did not finish')


def test_every_model_names_a_value_of_each_choice_and_the_reference_takes_the_first():
    assert choices_of('reference') == dict((name, values[0]) for name, values in CHOICES.items())
    for model in MODELS:
        chosen = choices_of(model)
        assert set(chosen) == set(CHOICES) and all(chosen[k] in CHOICES[k] for k in chosen)
    # Every value of every choice is played by some model.
    for name, values in CHOICES.items():
        assert set(values) == set(choices_of(m)[name] for m in MODELS), name


def test_an_unknown_model_or_choice_value_is_refused(api, tmp_path):
    answer = api.raw('POST', '/_sim/config', json={'server_model': 'nonesuch'})
    assert answer.status_code == 400 and 'reference' in answer.json()['message']
    answer = api.raw('POST', '/_sim/config', json={'restore_session_id': 'sometimes'})
    assert answer.status_code == 400 and "'new', 'parent'" in answer.json()['message']
    with pytest.raises(ValueError, match='shared_session'):
        Simulator(USER, PASSWORD, tmp_path, server_model='nonesuch')


def test_reference_a_restore_session_of_its_own_and_no_bulk_entries_for_one_mailbox(api):
    session = api.explore(showDeleted=True)
    sid, events, stats = restore_bob(api, session)
    assert sid != session['id'] and api.call('GET', '/v8/RestoreSessions/%s' % sid)['state'] == 'Stopped'
    assert stats['restoredItemsCount'] == 10 and stats['items'] == []
    assert [e['message'] for e in events] == ['%s: created 8, merged 2, failed 0, skipped 43 items.' % BOB]
    (op,) = api.control('GET', 'operations')
    assert op['sessionId'] == sid and op['parentSessionId'] == session['id'] and op['ownSession'] is True


def test_per_mailbox_entries_on_every_restore(api):
    api.config(mailbox_statistics='every')
    _sid, _events, stats = restore_bob(api, api.explore(showDeleted=True))
    (entry,) = stats['items']
    assert entry['itemRestoreDetailsType'] == 'BulkMailbox' and entry['createdMailboxItemsCount'] == 8


def test_shared_session_events_join_the_explore_session_and_statistics_add_up(api):
    api.config(server_model='shared_session')
    session = api.explore(showDeleted=True)
    sid, events, stats = restore_bob(api, session)
    assert sid == session['id'] and api.call('GET', '/v8/RestoreSessions/%s' % sid)['state'] == 'Working'
    assert [e['order'] for e in events] == [1] and stats['restoredItemsCount'] == 10
    assert [i['mailboxEmail'] for i in stats['items']] == [BOB]  # mailbox_statistics: every
    carol = api.mailbox(session, CAROL)
    api.call('POST', api.root(session) + '/mailboxes/restore', json=dict(BULK_CREDS, mailboxes=[{'id': carol['id']}]))
    finished(api, sid)
    events = api.call('GET', '/v8/RestoreSessions/%s/Events' % sid)['results']
    stats = api.call('GET', '/v8/RestoreSessions/%s/Statistics' % sid)
    assert [e['order'] for e in events] == [1, 2] and [e['status'] for e in events] == ['Success', 'Warning']
    carol_entry = stats['items'][1]
    assert [i['mailboxEmail'] for i in stats['items']] == [BOB, CAROL] and stats['restoredItemsCount'] == 10 + (
        carol_entry['createdMailboxItemsCount'] + carol_entry['mergedMailboxItemsCount'])
    # The explore session keeps the worst result so far; no restore session of its own was made.
    assert api.call('GET', '/v8/RestoreSessions/%s' % sid)['result'] == 'Warning'
    assert [s['kind'] for s in api.control('GET', 'sessions')] == ['explore']


def test_shared_latest_statistics_are_the_latest_operations_and_counts_only_in_messages(api):
    api.config(server_model='shared_latest')
    session = api.explore(showDeleted=True)
    sid, events, stats = restore_bob(api, session)
    assert sid == session['id']
    assert stats['restoredItemsCount'] == 0 and stats['totalItemsCount'] == 0 and stats['items'] == []
    assert events[-1]['message'] == 'Restored mailbox %s: 8 created, 2 merged, 0 failed, 43 skipped.' % BOB


def test_statistics_of_the_latest_operation_replace_the_earlier_ones(api):
    api.config(restore_session_id='parent', statistics_scope='operation')
    session = api.explore(showDeleted=True)
    restore_bob(api, session)
    _sid, events, stats = restore_bob(api, session)  # again: everything is there now
    assert len(events) == 2 and stats['restoredItemsCount'] == 0 and stats['skippedItemsCount'] == 53


@pytest.mark.parametrize('model, status', [('reference', 400), ('shared_session', 409), ('shared_latest', 500)])
def test_a_stopped_session_answers_as_the_model_says(api, model, status):
    api.config(server_model=model)
    session = api.explore()
    api.call('POST', '/v8/RestoreSessions/%s/Stop' % session['id'], expect=204)
    body = api.error('GET', api.root(session) + '/mailboxes', status)
    assert 'is stopped' in body['message']


@pytest.mark.parametrize('choice', ['every', 'mailbox'])
def test_range_on_a_folder_export_only_where_the_model_honours_it(api, choice):
    api.config(download_range=choice)
    session = api.explore()
    bob = api.mailbox(session, BOB)
    inbox = api.folder(session, bob, 'Inbox')
    folder = api.raw('POST', api.root(session, bob) + '/folders/%s/exportToPst' % inbox['id'], json={},
                     headers={'Range': 'bytes=1000-'})
    assert folder.status_code == (206 if choice == 'every' else 200)
    mailbox = api.raw('POST', api.root(session, bob) + '/exportToPst', json={}, headers={'Range': 'bytes=1000-'})
    assert mailbox.status_code == 206  # the mailbox export honours it in both


@pytest.mark.parametrize('choice', ['exception', 'oauth'])
def test_a_wrong_password_is_answered_as_the_model_says(api, choice):
    api.config(invalid_password=choice)
    form = {'grant_type': 'password', 'username': USER, 'password': 'wrong', 'disable_antiforgery_token': 'true'}
    answer = api.raw('POST', '/v8/token', data=form)
    assert answer.status_code == 400
    if choice == 'oauth':
        assert answer.json() == {'error': 'invalid_grant'}
    else:
        assert answer.json()['message'] == 'Invalid user name or password.'
    assert 'wrong' not in answer.text


def test_token_times_in_rfc_1123(api):
    api.config(token_times='rfc1123')
    tokens = api.login()
    issued, expires = parsedate_to_datetime(tokens['.issued']), parsedate_to_datetime(tokens['.expires'])
    assert tokens['.issued'].endswith(' GMT') and (expires - issued).total_seconds() == tokens['expires_in']
    api.config(token_times='iso8601')
    assert api.login()['.issued'].endswith('Z')
