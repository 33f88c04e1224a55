"""What restores report, under every server model: changed, status and counts match what the simulator
restored (read back from its production state), each restore's own, also in a sequence of restores in
one session with a failure in the middle; a failed mailbox of a bulk restore fails the task unless
allow_partial; sign-in and stopped sessions answered each model's way."""

from __future__ import annotations

import json

import pytest

from harness import assert_not_shown, options, session_play

EXCHANGE_PASSWORD = 'Outcome-Exchange-Secret-9'
CREDS = {'username': 'restore-operator@contoso.onmicrosoft.com', 'password': EXCHANGE_PASSWORD}
CONTOSO = 'contoso.onmicrosoft.com'
BOB, CAROL, BROKEN = 'bob@' + CONTOSO, 'carol@' + CONTOSO, 'broken@' + CONTOSO
ERIN, FRANK = 'erin@' + CONTOSO, 'frank@' + CONTOSO

STEP = '''        - name: %(name)s
          vb365.restore.mailbox_restore:
            session_id: "{{ rs.session.id }}"
            exchange_credentials: "{{ exchange }}"
            poll_interval: 0.2
%(args)s
          ignore_errors: true
'''


def sequence(*steps):
    """A play that opens one session and runs ``(name, {options})`` restores in it, going on after failures."""
    text = ''.join(STEP % {'name': name, 'args': options(args, 12).rstrip('\n')} for name, args in steps)
    return session_play(text, {'organization': CONTOSO, 'show_deleted': True, 'ledger_path': ''},
                        play='  vars:\n    exchange: %s\n' % json.dumps(CREDS))


def records(sim_api, email):
    return dict(((r['folder'], r['id']), r['version']) for r in sim_api.production(email))


def written(before, after, under=''):
    """(created, merged): records that appeared, and records whose version changed, in folders under ``under``."""
    created = [k for k in after if k not in before and k[0].startswith(under)]
    merged = [k for k in after if k in before and after[k] != before[k] and k[0].startswith(under)]
    return len(created), len(merged)


@pytest.mark.every_model
def test_a_sequence_of_restores_in_one_session_with_a_failure_in_the_middle(runner, sim_api):
    before = {email: records(sim_api, email) for email in (BOB, CAROL)}
    run = runner.run(sequence(('Bob', {'mailboxes': [BOB]}), ('Broken', {'mailboxes': [BROKEN]}),
                              ('Carol', {'mailboxes': [CAROL]}), ('Bob again', {'mailboxes': [BOB]})), verbosity=4)
    bob, broken, carol, again = (run.result(n) for n in ('Bob', 'Broken', 'Carol', 'Bob again'))
    bob_created, bob_merged = written(before[BOB], records(sim_api, BOB))
    carol_created, carol_merged = written(before[CAROL], records(sim_api, CAROL))
    assert bob_created > 0 and bob_merged > 0 and carol_created > 0 and carol_merged > 0

    # Each restore reports its own figures, never a running total.
    assert bob['changed'] is True and bob['restore']['status'] == 'Success'
    assert (bob['restore']['totals']['created'], bob['restore']['totals']['merged']) == (bob_created, bob_merged)
    assert bob['restore']['totals']['restored'] == bob_created + bob_merged
    assert broken.get('failed') is True and BROKEN in broken['msg'] and 'cannot be processed' in broken['msg']
    assert broken['restore']['totals']['restored'] == 0
    # Carol's restore is not blamed for Broken's failure: one item of her own failed (a corrupt one).
    assert not carol.get('failed') and carol['changed'] is True and carol['restore']['status'] == 'Warning'
    assert BROKEN not in json.dumps(carol['restore'])
    assert (carol['restore']['totals']['created'], carol['restore']['totals']['merged']) == (carol_created, carol_merged)
    assert carol['restore']['totals']['restored'] == carol_created + carol_merged
    assert carol['restore']['totals']['failed'] == 1
    # The same restore again finds everything there: nothing changed, and nobody else's failure.
    assert not again.get('failed') and again['changed'] is False and again['restore']['status'] == 'Success'
    assert again['restore']['totals']['restored'] == 0 and again['restore']['totals']['created'] == 0
    assert again['restore']['totals']['merged'] == 0 and again['restore']['totals']['failed'] == 0
    shared = sim_api.choice('restore_session_id') == 'parent'
    assert all(r['restore']['shared_session'] is shared for r in (bob, broken, carol, again))
    assert_not_shown(EXCHANGE_PASSWORD, run)
    assert sim_api.working_sessions() == []


@pytest.mark.every_model
def test_changed_when_a_leavers_mailbox_goes_into_a_managers_folder(runner, sim_api):
    before = records(sim_api, FRANK)
    run = runner.run(sequence(('Leaver', {'mailboxes': [ERIN], 'target': {'mailbox': FRANK, 'folder': 'Erin'}})))
    result = run.result('Leaver')
    created, merged = written(before, records(sim_api, FRANK), under='Erin/')
    assert created > 20 and merged == 0
    totals = result['restore']['totals']
    assert not result.get('failed') and result['changed'] is True and result['restore']['status'] == 'Success'
    assert (totals['created'], totals['merged'], totals['restored']) == (created, 0, created)
    sources = result['restore']['sources']
    assert sources['created'] in ('events', 'mailbox_statistics') and sources['restored']
    (mailbox,) = result['restore']['mailboxes']
    assert mailbox['email'] == ERIN and mailbox['created'] == created


@pytest.mark.every_model
def test_a_bulk_restore_with_a_failed_mailbox_fails_unless_partial_is_allowed(runner, sim_api):
    before = records(sim_api, BOB)
    run = runner.run(sequence(('Strict', {'mailboxes': [BOB, BROKEN]}),
                              ('Partial', {'mailboxes': [BOB, BROKEN], 'allow_partial': True})))
    strict, partial = run.result('Strict'), run.result('Partial')
    assert strict.get('failed') is True and strict['endpoint'] == 'bulk'
    assert BROKEN in strict['msg'] and 'cannot be processed' in strict['msg'] and BOB not in strict['msg']
    # Bob was restored all the same, and the first restore says so.
    created, merged = written(before, records(sim_api, BOB))
    assert created > 0 and merged > 0
    assert (strict['restore']['totals']['created'], strict['restore']['totals']['merged']) == (created, merged)
    rows = dict((m['email'], m) for m in strict['restore']['mailboxes'])
    assert rows[BROKEN]['status'] == 'Failed' and rows[BOB]['status'] == 'Success'

    assert not partial.get('failed') and partial['restore']['partial'] is True
    assert partial['restore']['status'] == 'Warning' and partial['changed'] is False  # Bob: everything there now
    assert any(BROKEN in str(w) and 'allow_partial' in str(w) for w in partial['warnings'])


@pytest.mark.every_model
def test_a_stopped_session_is_refused_before_any_restore(runner, sim_api):
    play = sequence(('Restore', {'mailboxes': [BOB]})).replace(
        '    - name: Work\n', '    - name: Stop first\n      vb365.restore.restore_session:\n'
        '        session_id: "{{ rs.session.id }}"\n        state: absent\n    - name: Work\n')
    result = runner.run(play).result('Restore')
    assert result.get('failed') is True and 'stopped' in result['msg'].lower()
    assert sim_api.api_requests('POST', contains='/restore') == []


@pytest.mark.every_model
def test_a_wrong_password_is_a_clear_error_that_never_shows_the_password(runner, sim_api):
    wrong = 'Not-The-Password-%s' % sim_api.choice('invalid_password')
    play = sequence().split('    - name: Work', maxsplit=1)[0]
    run = runner.run(play, env={'VB365_PASSWORD': wrong}, expect_rc=2, verbosity=4)
    result = run.result('Open')
    said = 'invalid_grant' if sim_api.choice('invalid_password') == 'oauth' else 'Invalid user name or password.'
    assert result['failed'] is True and result['msg'].startswith('login to %s as ' % runner.sim.url)
    assert 'HTTP 400' in result['msg'] and said in result['msg']
    assert sim_api.get('tokens')['failed_logins'] == 1 and sim_api.working_sessions() == []
    assert_not_shown(wrong, run)
