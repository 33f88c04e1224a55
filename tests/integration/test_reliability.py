"""The reliability suite: every fault kind applied to a restore, an export and a listing through
ansible-playbook, with the outcome, the restore POSTs, the file at ``dest`` and the sessions checked.

Each case runs one play: open a session, act (in a block), always stop the session. The fault rules go
to the simulator before the run and aim at the action's own requests (the open and stop tasks are not
hit). docs/reliability.md has the table of cases and outcomes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time

import pytest

from harness import options, session_play

BOB = 'bob@contoso.onmicrosoft.com'
EXCHANGE_PASSWORD = 'Exch-Reliab1e-Pw!'
EXPORT_SIZE = 3 * 1024 * 1024
TIMEOUT = 2  # request_timeout of every task: a delay of 3 s is a read timeout

RESTORE_POST = re.compile(r'/organization/mailboxes/([^/]+/)?restore$')
EXPORT_POST = r'/exportToPst$'
LISTING = r'/organization/mailboxes$'
EVENTS = r'^/v8/RestoreSessions/[^/]+/Events$'

OPENING = {'organization': 'contoso.onmicrosoft.com', 'ledger_path': ''}
PLAY_KEYS = '''  module_defaults:
    group/vb365.restore.all:
      request_timeout: %d
''' % TIMEOUT


def act(module, args):
    """The play of one fault case: its task ``Act`` in a session of its own."""
    return session_play('        - name: Act\n          %s:\n            session_id: "{{ rs.session.id }}"\n%s'
                        % (module, options(args, 12)), OPENING, play=PLAY_KEYS, stop_when='rs.session.id is defined')


ACTIONS = {
    'restore': ('vb365.restore.mailbox_restore', {
        'mailboxes': [BOB], 'poll_interval': 0.2, 'wait_timeout': 60,
        'exchange_credentials': {'username': 'restore@contoso.onmicrosoft.com', 'password': EXCHANGE_PASSWORD}}),
    'export': ('vb365.restore.mailbox_export', {'mailbox': BOB, 'dest': '%(dest)s'}),
    'listing': ('vb365.restore.mailbox_info', {}),
}


def fault(target, **rule):
    return dict(rule, path=target)


# fault kind -> {action: (fault rules, expected outcome)}; an outcome is 'ok' or a text the failure
# message must contain (the cause, named). The restore POST is never retried unless the answer proves
# that the server did not process it (429, 503); other requests are safe to repeat.
MAY_HAVE_STARTED = 'the restore may have started'
CASES = {
    '429 with Retry-After': {
        'restore': ([fault(RESTORE_POST.pattern, method='POST', status=429, retry_after=1)], 'ok'),
        'export': ([fault(EXPORT_POST, method='POST', status=429, retry_after=1)], 'ok'),
        'listing': ([fault(LISTING, method='GET', status=429, retry_after=1)], 'ok'),
    },
    '502': {
        'restore': ([fault(RESTORE_POST.pattern, method='POST', status=502)], MAY_HAVE_STARTED),
        'export': ([fault(EXPORT_POST, method='POST', status=502)], 'ok'),
        'listing': ([fault(LISTING, method='GET', status=502)], 'ok'),
    },
    '503': {
        'restore': ([fault(RESTORE_POST.pattern, method='POST', status=503)], 'ok'),
        'export': ([fault(EXPORT_POST, method='POST', status=503)], 'ok'),
        'listing': ([fault(LISTING, method='GET', status=503)], 'ok'),
    },
    '504': {
        'restore': ([fault(RESTORE_POST.pattern, method='POST', status=504)], MAY_HAVE_STARTED),
        'export': ([fault(EXPORT_POST, method='POST', status=504)], 'ok'),
        'listing': ([fault(LISTING, method='GET', status=504)], 'ok'),
    },
    'connection reset before a response': {
        'restore': ([fault(RESTORE_POST.pattern, method='POST', reset=True)], 'closed the connection before its answer'),
        'export': ([fault(EXPORT_POST, method='POST', reset=True)], 'ok'),
        'listing': ([fault(LISTING, method='GET', reset=True)], 'ok'),
    },
    'read timeout': {
        'restore': ([fault(RESTORE_POST.pattern, method='POST', delay_ms=3000)], 'sent no answer within 2'),
        'export': ([fault(EXPORT_POST, method='POST', delay_ms=3000)], 'ok'),
        'listing': ([fault(LISTING, method='GET', delay_ms=3000)], 'ok'),
    },
    'answer cut': {
        'restore': ([fault(RESTORE_POST.pattern, method='POST', lose_answer=True)], MAY_HAVE_STARTED),
        'export': ([fault(EXPORT_POST, method='POST', cut_after_bytes=1024 * 1024)], 'ok'),
        'listing': ([fault(LISTING, method='GET', lose_answer=True)], 'ok'),
    },
    'token expiry mid-wait': {
        'restore': ([fault(EVENTS, method='GET', expire_token=True, after=1)], 'ok'),
        'export': ([fault(EXPORT_POST, method='POST', expire_token=True)], 'ok'),
        'listing': ([fault(LISTING, method='GET', expire_token=True)], 'ok'),
    },
    '401 on the refresh itself': {
        # The open task and the action log in first (after=2); the refresh that follows is refused.
        'restore': ([fault(EVENTS, method='GET', expire_token=True, after=1),
                     fault('^/v8/token$', method='POST', status=401, after=2)], 'ok'),
        'export': ([fault(EXPORT_POST, method='POST', expire_token=True),
                    fault('^/v8/token$', method='POST', status=401, after=2)], 'ok'),
        'listing': ([fault(LISTING, method='GET', expire_token=True),
                     fault('^/v8/token$', method='POST', status=401, after=2)], 'ok'),
    },
    'JSON 500': {
        'restore': ([fault(RESTORE_POST.pattern, method='POST', status=500,
                           body={'message': 'Restore engine crashed', 'errorCode': 'InternalServerError',
                                 'stackTrace': None})], 'Restore engine crashed'),
        'export': ([fault(EXPORT_POST, method='POST', status=500,
                          body={'message': 'PST writer failed', 'errorCode': 'InternalServerError',
                                'stackTrace': None})], 'PST writer failed'),
        'listing': ([fault(LISTING, method='GET', status=500,
                           body={'message': 'Backup repository offline', 'errorCode': 'InternalServerError',
                                 'stackTrace': None})], 'Backup repository offline'),
    },
    'no room on disk': {
        'export': ([], 'no space left'),
    },
    'session stopped during a wait': {
        # after=1: the first read of the events is the one before the restore POST (the events that
        # were there before it); the session is stopped while the restore runs.
        'restore': ([fault(EVENTS, method='GET', stop_sessions=True, after=1)], 'ok'),
        'export': ([fault(EXPORT_POST, method='POST', stop_sessions=True)], 'is stopped'),
        'listing': ([fault(LISTING, method='GET', stop_sessions=True)], 'is stopped'),
    },
}
# Not applicable: a restore and a listing write no file (no room on disk), and only an export streams a
# body that can be cut mid-way (for the other two, "answer cut" loses the whole JSON answer).
PARAMS = [(kind, action) for kind, actions in CASES.items() for action in actions]

# A file system that is full after 256 KiB, for the module process only: open() of files in the
# directory named by VB365_TEST_FULL_DIR gives handles whose writes fail with ENOSPC past that.
FULL_DISK_HOOK = '''
import builtins, errno, os
_DIR = os.environ.get('VB365_TEST_FULL_DIR')
_open = builtins.open
_room = [256 * 1024]


class _Full(object):
    def __init__(self, handle):
        self._handle = handle

    def write(self, data):
        if _room[0] <= 0:
            raise OSError(errno.ENOSPC, 'No space left on device')
        data = memoryview(data)[:_room[0]] if not isinstance(data, str) else data[:_room[0]]
        written = self._handle.write(data)
        _room[0] -= written
        return written

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


def _guarded(file, mode='r', *args, **kwargs):
    handle = _open(file, mode, *args, **kwargs)
    if _DIR and isinstance(file, str) and os.path.abspath(file).startswith(_DIR) and any(c in mode for c in 'wa'):
        return _Full(handle)
    return handle


builtins.open = _guarded
'''


def sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def wait_until_no_working_session(sim_api, seconds=15):
    """Restores that started run on; every session must be Stopped in the end."""
    deadline = time.time() + seconds
    while True:
        working = [s for s in sim_api.get('sessions') if s['state'] == 'Working']
        if not working or time.time() > deadline:
            return working
        time.sleep(0.2)


@pytest.mark.parametrize('kind, action', PARAMS, ids=['%s-%s' % p for p in PARAMS])
def test_fault(kind, action, runner, sim_api, tmp_path):
    rules, expected = CASES[kind][action]
    module, args = ACTIONS[action]
    dest = str(tmp_path / 'out' / 'bob.pst')
    os.makedirs(os.path.dirname(dest))
    args = json.loads(json.dumps(args).replace('%(dest)s', dest))
    sim_api.config(export_size_bytes=EXPORT_SIZE)
    env = {}
    if kind == 'no room on disk':
        hook = tmp_path / 'hook'
        hook.mkdir()
        (hook / 'sitecustomize.py').write_text(FULL_DISK_HOOK)
        env = {'PYTHONPATH': str(hook), 'VB365_TEST_FULL_DIR': os.path.dirname(dest)}
    if rules:
        sim_api.post('faults', {'rules': rules})
    run = runner.run(act(module, args), env=env, expect_rc=None, verbosity=4)
    result = run.result('Act')
    requests = sim_api.get('requests')
    if any(rule.get('delay_ms') for rule in rules):
        # The delayed request is logged when the simulator has served it, which can be after the run
        # ended (the client gave up waiting for it): wait for it, so that it counts here and not in the
        # next test.
        deadline = time.monotonic() + 30
        while not any(r.get('fault') for r in requests) and time.monotonic() < deadline:
            time.sleep(0.2)
            requests = sim_api.get('requests')
        assert any(r.get('fault') for r in requests), 'the delayed request was never served'

    if expected == 'ok':
        assert run.rc == 0 and not result.get('failed'), result.get('msg')
    else:
        assert run.rc != 0 and result.get('failed'), 'expected a failure naming %r' % expected
        assert expected in result['msg'], result['msg']
        assert 'cannot reach' not in result['msg'], result['msg']
    # The fault was hit (a rule that never fired proves nothing).
    assert all(r['times'] == 0 for r in sim_api.get('faults')), sim_api.get('faults')

    # Sent again only after a 429 or 503, which prove that the server did not act on it.
    restore_posts = [r for r in requests if r['method'] == 'POST' and RESTORE_POST.search(r['path'])]
    may_have_acted = [r for r in restore_posts if not (r.get('fault') and r['status'] in (429, 503))]
    assert len(may_have_acted) == (1 if action == 'restore' else 0), restore_posts
    assert len(restore_posts) == len(may_have_acted) + (1 if action == 'restore' and kind in ('429 with Retry-After', '503') else 0)
    if action == 'restore' and expected == MAY_HAVE_STARTED:
        assert 'restore_session_info' in result['msg']
    if action == 'restore' and expected == 'ok':
        assert result['restore']['status'] == 'Success' and result['restore']['session_id']

    if action == 'export':
        if expected == 'ok':
            assert sha256(dest) == result['sha256'] and os.path.getsize(dest) == EXPORT_SIZE
        else:
            assert not os.path.exists(dest), 'a failed export left a file at dest'

    if kind in ('token expiry mid-wait', '401 on the refresh itself'):
        tokens = sim_api.get('tokens')
        grants = [r['body']['grant_type'] for r in requests if r['path'] == '/v8/token']
        assert 'refresh_token' in grants, grants
        if kind == 'token expiry mid-wait':
            assert tokens['refreshes'] >= 1
        else:
            assert grants.count('password') == 4  # open, act, the fallback after the refused refresh, stop

    assert run.status('Stop') == 'ok'
    assert wait_until_no_working_session(sim_api) == []
    assert EXCHANGE_PASSWORD not in run.output and runner.sim.password not in run.output


BATCHES = session_play('''        - name: Act
          vb365.restore.mailbox_restore:
            session_id: "{{ rs.session.id }}"
            mailboxes: [alice@contoso.onmicrosoft.com, bob@contoso.onmicrosoft.com]
            batch_size: 1
            poll_interval: 0.2
            exchange_credentials: {"username": "restore@contoso.onmicrosoft.com", "password": "%s"}
''' % EXCHANGE_PASSWORD, OPENING)


def test_a_failure_in_batch_2_keeps_the_id_and_counts_of_batch_1(runner, sim_api):
    sim_api.fault(method='POST', path=r'/organization/mailboxes/restore$', status=500, after=1,
                  body={'message': 'Restore engine crashed', 'errorCode': 'InternalServerError', 'stackTrace': None})
    run = runner.run(BATCHES, expect_rc=2)
    failed = run.result('Act')
    assert 'Restore engine crashed' in failed['msg']
    posts = [r for r in sim_api.get('requests') if r['method'] == 'POST' and r['path'].endswith('/mailboxes/restore')]
    assert [r['status'] for r in posts][1:] == [500] and len(posts) == 2
    # Batch 1 ran: its own restore session, its mailbox and its counts are in the failed result.
    (operation,) = [s for s in sim_api.get('sessions') if s['kind'] == 'operation']
    restore = failed['restore']
    assert restore['session_id'] == operation['id'] and restore['status'] == 'Success'
    assert [m['email'] for m in restore['mailboxes']] == ['alice@contoso.onmicrosoft.com']
    assert set(restore['totals']) >= {'created', 'merged', 'skipped', 'failed'}
    assert restore['mailboxes'][0]['status'] == 'Success'
    assert wait_until_no_working_session(sim_api) == []


def test_insecure_settings_are_warned_about(runner):
    play = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Without verification
      vb365.restore.organization_info:
        validate_certs: false
    - name: Over http
      vb365.restore.organization_info:
        server: "%s"
        request_timeout: 5
      ignore_errors: true
''' % runner.sim.url.replace('https://', 'http://')
    run = runner.run(play)
    text = ' '.join(run.output.split())
    assert 'validate_certs is false: the identity of' in text
    assert 'ca_path is ignored because validate_certs is false' in text  # VB365_CA_PATH is set
    assert 'uses http://, so the password and every token travel in clear text' in text
    assert run.result('Without verification')['organizations']
    assert run.result('Over http')['failed'] and 'cannot reach' not in run.result('Over http')['msg']
