# -*- coding: utf-8 -*-
"""Unit tests of the client under faults: token requests retried, what a failure says about whether the
server answered, TLS errors named, server values checked, file names decoded, the session ledger."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys

import pytest
import requests
import responses

from ansible_collections.vb365.restore.plugins.module_utils.client import (
    Vb365Client,
    _filename_from_disposition,
    grant_form,
    normalize_server,
)
from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365AuthenticationError,
    Vb365ConnectionError,
    Vb365ServerError,
)
from ansible_collections.vb365.restore.plugins.module_utils.session_ledger import (
    SessionLedger,
    controller_run_id,
    current_run_id,
)

from unit_helpers import BASE, FakeClock, form_of, token_body

SECRET = 'Fault-Pa55word!'
SESSION = '11111111-2222-3333-4444-555555555555'
ORG = '6b1e2b1c-0a8e-5d7f-9c1a-2f4e5d6c7b8a'


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def warnings():
    return []


@pytest.fixture
def client(clock, warnings):
    return Vb365Client('vb365.test', 'restore-admin', SECRET, warn=warnings.append, sleep=clock.sleep,
                       clock=clock.time, max_retries=3)


# ------------------------------------------------------------------ token requests
def test_every_grant_carries_disable_antiforgery_token():
    assert grant_form('refresh_token', refresh_token='r') == {
        'grant_type': 'refresh_token', 'refresh_token': 'r', 'disable_antiforgery_token': 'true'}
    assert grant_form('password', username='u', password='p', unused=None) == {
        'grant_type': 'password', 'username': 'u', 'password': 'p', 'disable_antiforgery_token': 'true'}


def test_login_is_retried_on_503_with_retry_after_and_on_a_reset(api, client, clock, warnings):
    api.add(responses.POST, BASE + '/v8/token', status=503, headers={'Retry-After': '7'},
            json={'message': 'busy', 'errorCode': 'ServiceUnavailable', 'stackTrace': None})
    api.add(responses.POST, BASE + '/v8/token', body=requests.exceptions.ConnectionError('Connection reset by peer'))
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, BASE + '/v8/Organizations', json={'offset': 0, 'limit': 30, 'results': []})
    client.get('/Organizations')
    assert clock.sleeps[0] == 7.0 and len(clock.sleeps) == 2
    assert [form_of(c)['grant_type'] for c in api.calls[:3]] == ['password'] * 3
    assert 'retry 1 of 3' in warnings[0] and SECRET not in ' '.join(warnings)


def test_a_401_on_the_refresh_itself_falls_back_to_the_password(api, client, clock):
    api.add(responses.POST, BASE + '/v8/token', json=token_body(expires_in=600))
    api.add(responses.GET, BASE + '/v8/Organizations', json={'offset': 0, 'limit': 30, 'results': []})
    api.add(responses.POST, BASE + '/v8/token', status=401,
            json={'message': 'expired', 'errorCode': 'ResourceAccessDenied', 'stackTrace': None})
    api.add(responses.POST, BASE + '/v8/token', json=token_body(access='access-2', refresh='refresh-2'))
    api.add(responses.GET, BASE + '/v8/Organizations', json={'offset': 0, 'limit': 30, 'results': []})
    client.get('/Organizations')
    clock.now += 590
    client.get('/Organizations')
    grants = [form_of(c) for c in api.calls if c.request.url.endswith('/v8/token')]
    assert [g['grant_type'] for g in grants] == ['password', 'refresh_token', 'password']
    assert all(g['disable_antiforgery_token'] == 'true' for g in grants)
    assert api.calls[-1].request.headers['Authorization'] == 'Bearer access-2'


def test_a_wrong_password_is_not_retried(api, client):
    api.add(responses.POST, BASE + '/v8/token', status=400,
            json={'message': 'Invalid user name or password.', 'errorCode': 'ResourceAccessDenied', 'stackTrace': None})
    with pytest.raises(Vb365AuthenticationError, match='refused: .*Invalid user name'):
        client.login()
    assert len(api.calls) == 1


# ------------------------------------------------------------------ what a failure says
def test_a_gateway_error_on_a_write_says_it_may_have_been_processed(api, client):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.POST, BASE + '/v8/RestoreSessions/%s/organization/mailboxes/restore' % SESSION, status=504,
            json={'message': 'Gateway Timeout', 'errorCode': 'GatewayTimeout', 'stackTrace': None})
    with pytest.raises(Vb365ServerError) as err:
        client.post('/RestoreSessions/%s/organization/mailboxes/restore' % SESSION, {'mailboxes': [{'id': SESSION}]})
    assert err.value.maybe_processed and 'may have received the request' in err.value.msg
    assert len(api.calls) == 2  # sent once


def test_a_read_timeout_is_not_called_unreachable(api, client):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.POST, BASE + '/v8/Organizations/%s/explore' % ORG, body=requests.exceptions.ReadTimeout('read timed out'))
    with pytest.raises(Vb365ConnectionError) as err:
        client.post('/Organizations/%s/explore' % ORG, {'type': 'Vex'})
    assert 'received the request but sent no answer' in err.value.msg and 'cannot reach' not in err.value.msg
    assert err.value.maybe_processed


def test_a_cut_answer_is_not_called_unreachable(api, client):
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    cut = requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed "
                                              "connection without response'))")
    api.add(responses.POST, BASE + '/v8/Organizations/%s/explore' % ORG, body=cut)
    with pytest.raises(Vb365ConnectionError) as err:
        client.post('/Organizations/%s/explore' % ORG, {'type': 'Vex'})
    assert 'closed the connection before its answer was complete' in err.value.msg
    assert 'cannot reach' not in err.value.msg


def test_a_refused_connection_is_unreachable():
    client = Vb365Client('127.0.0.1:9', 'u', SECRET, max_retries=0, timeout=2)
    with pytest.raises(Vb365ConnectionError, match='cannot reach https://127.0.0.1:9'):
        client.login()


# ------------------------------------------------------------------ TLS
def test_validate_certs_false_wins_over_ca_path(tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('x')
    assert Vb365Client('h', 'u', 'p', validate_certs=False, ca_path=str(ca)).verify is False
    assert Vb365Client('h', 'u', 'p', validate_certs=True, ca_path=str(ca)).verify == str(ca)


def test_a_hostname_mismatch_is_named_as_such(tmp_path):
    from vb365sim.server import Simulator
    # The certificate is for 127.0.0.1 and localhost; 127.0.0.2 is the same machine under another name.
    sim = Simulator(username='u', password=SECRET, state_dir=str(tmp_path), host='127.0.0.2')
    sim.start()
    try:
        port = sim.url.rsplit(':', 1)[1]
        client = Vb365Client('127.0.0.2:%s' % port, 'u', SECRET, ca_path=sim.ca_path, max_retries=0, timeout=5)
        with pytest.raises(Vb365ConnectionError) as err:
            client.login()
        assert 'hostname mismatch' in err.value.msg and 'not trusted' not in err.value.msg
    finally:
        sim.stop()


# ------------------------------------------------------------------ server values
@pytest.mark.parametrize('value, problem', [
    ('vb365.example.com:99999', 'from 1 to 65535'),
    ('vb365.example.com:0', 'from 1 to 65535'),
    ('vb365.example.com:44x3', 'from 1 to 65535'),
    ('vb365 example.com', 'contains a space'),
    ('https://vb365.example.com:4443 ', None),
    ('vb_365!.example.com', 'not a host name'),
    ('https://user@vb365.example.com', 'not a host name, host:port or URL'),
])
def test_server_values(value, problem):
    if problem is None:
        assert normalize_server(value) == 'https://vb365.example.com:4443'
    else:
        with pytest.raises(ValueError, match=problem):
            normalize_server(value)


def test_ipv6_and_http_servers():
    assert normalize_server('[::1]') == 'https://[::1]:4443'
    assert normalize_server('http://[::1]:8080') == 'http://[::1]:8080'
    assert normalize_server('HTTPS://Vb365.example.com/v8') == 'https://Vb365.example.com:4443'


# ------------------------------------------------------------------ file names
@pytest.mark.parametrize('header, name', [
    ("attachment; filename*=UTF-8''Q4%20report%20%E2%82%AC.pst", 'Q4 report \u20ac.pst'),
    ('attachment; filename="plain name.pst"', 'plain name.pst'),
    ("attachment; filename=\"fallback.pst\"; filename*=UTF-8''%C3%A9t%C3%A9.zip", '\u00e9t\u00e9.zip'),
    ("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", 'passwd'),
    ('attachment', None),
    (None, None),
])
def test_content_disposition_names_are_decoded(header, name):
    assert _filename_from_disposition(header) == name


# ------------------------------------------------------------------ the session ledger
KEY = SessionLedger.key('https://h:4443', 'admin', 'org-1', None, False, False)


def test_a_session_is_reused_only_by_the_run_that_opened_it(tmp_path):
    path = str(tmp_path / 'ledger.json')
    SessionLedger(path, run_id='run:a').put(KEY, 'session-a')
    assert SessionLedger(path, run_id='run:a').get(KEY) == 'session-a'
    assert SessionLedger(path, run_id='run:b').get(KEY) is None
    assert SessionLedger(path, run_id=None).get(KEY) is None
    SessionLedger(path, run_id='run:b').put(KEY, 'session-b')
    SessionLedger(path, run_id='run:b').remove(KEY)
    assert SessionLedger(path, run_id='run:a').get(KEY) == 'session-a'
    assert SessionLedger(path).options_of('session-a') == {'point_in_time': None, 'show_deleted': False,
                                                           'show_all_versions': False}


def test_an_entry_of_the_old_format_belongs_to_no_run(tmp_path):
    path = tmp_path / 'ledger.json'
    path.write_text(json.dumps({KEY: 'old-session'}))
    assert SessionLedger(str(path), run_id='run:a').get(KEY) is None
    assert SessionLedger(str(path)).options_of('old-session')['point_in_time'] is None


def _put_many(path, run):
    for index in range(20):
        SessionLedger(path, run_id='run:%d' % run).put('%s|%d' % (KEY, index), 'session-%d-%d' % (run, index))


def test_parallel_runs_lose_no_entry(tmp_path):
    path = str(tmp_path / 'ledger.json')
    workers = [multiprocessing.Process(target=_put_many, args=(path, run)) for run in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    entries = json.load(open(path))
    assert len(entries) == 6 * 20
    assert oct(os.stat(path + '.lock').st_mode & 0o777) == '0o600'


def test_the_run_id_comes_from_the_option_then_the_environment():
    assert current_run_id('nightly', environ={'VB365_RUN_ID': 'x', 'JOB_ID': '7'}) == 'run:nightly'
    assert current_run_id(None, environ={'VB365_RUN_ID': 'x', 'JOB_ID': '7'}) == 'vb365_run_id:x'
    assert current_run_id(None, environ={'JOB_ID': '7'}) == 'job_id:7'


def test_the_run_id_is_the_topmost_ansible_process():
    from ansible_collections.vb365.restore.plugins.module_utils import session_ledger
    probe = ('import importlib.util\n'
             'spec = importlib.util.spec_from_file_location("ledger", %r)\n'
             'ledger = importlib.util.module_from_spec(spec)\n'
             'spec.loader.exec_module(ledger)\n'
             'print(ledger.controller_run_id())' % session_ledger.__file__)

    def spawn(code, name='ansible-playbook'):
        """Python under the name ansible-playbook, as ps shows the controller and its workers."""
        return 'import subprocess, sys; sys.stdout.write(subprocess.run(%r, executable=%r, capture_output=True, ' \
               'text=True).stdout)' % ([name, '-c', code], sys.executable)

    def run():
        # controller -> worker (both ansible-playbook) -> the module (the probe)
        controller = spawn(spawn(spawn(probe, name='python')))
        return subprocess.run([sys.executable, '-c', controller], capture_output=True, text=True, check=True).stdout.strip()

    first, second = run(), run()
    assert first.startswith('pid:') and second.startswith('pid:') and first != second, (first, second)
    assert controller_run_id() is None  # pytest does not run under ansible-playbook
