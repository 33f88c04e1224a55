"""Bad input through ansible-playbook: every case is refused before any request, with the option named,
and a misspelt secret suboption is refused without its value (at -vvvv).

All cases run as the tasks of one playbook (ignore_errors), once per test run: the tests of this file are
one pytest-xdist group (``--dist loadgroup``), so one worker runs them all; each case is then its own
test. The simulator's request log must hold no API request at all after the run.
"""

from __future__ import annotations

import json
import os

import pytest

from harness import Runner, SimApi

pytestmark = pytest.mark.xdist_group('bad_input')

SID = '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10'
APP = '6b1e2b1c-0a8e-5d7f-9c1a-2f4e5d6c7b8a'
MISSPELT_SECRET = 'Misspelt-Secret-Value-91x'
CREDS = {'username': 'restore@contoso.onmicrosoft.com', 'password': 'Exch-Pw-bad-input'}

RS = 'vb365.restore.restore_session'
MR = 'vb365.restore.mailbox_restore'
IR = 'vb365.restore.item_restore'
ME = 'vb365.restore.mailbox_export'
II = 'vb365.restore.item_info'
MI = 'vb365.restore.mailbox_info'
RI = 'vb365.restore.restore_session_info'


def mr(**args):
    return dict({'session_id': SID, 'mailboxes': ['bob@contoso.onmicrosoft.com'], 'exchange_credentials': CREDS}, **args)


def ir(**args):
    return dict({'session_id': SID, 'mailbox': 'bob@contoso.onmicrosoft.com', 'items': ['i1']}, **args)


def me(**args):
    return dict({'session_id': SID, 'mailbox': 'bob@contoso.onmicrosoft.com', 'dest': '/tmp'}, **args)


# (case id, module, arguments, a text the error must contain: the option as the user wrote it)
CASES = [
    ('server-port-99999', RS, {'organization': 'c', 'server': 'vb365.example.com:99999'}, 'server:'),
    ('server-port-0', RS, {'organization': 'c', 'server': 'vb365.example.com:0'}, 'server:'),
    ('server-space', RS, {'organization': 'c', 'server': 'vb365 example.com'}, 'server:'),
    ('server-empty', RS, {'organization': 'c', 'server': ''}, 'server: not set; give the server option or set the VB365_SERVER'),
    ('server-path', RS, {'organization': 'c', 'server': 'https://vb365.example.com/api'}, 'server:'),
    ('server-scheme', RS, {'organization': 'c', 'server': 'ftp://vb365.example.com'}, 'server:'),
    ('server-bad-char', RS, {'organization': 'c', 'server': 'vb365!.example.com'}, 'server:'),
    ('server-userinfo', RS, {'organization': 'c', 'server': 'https://admin@vb365.example.com'}, 'server:'),
    ('username-empty', RS, {'organization': 'c', 'username': ''}, 'username: not set'),
    ('password-empty', RS, {'organization': 'c', 'password': ''}, 'password: not set'),
    ('ca-path-missing', RS, {'organization': 'c', 'ca_path': '/nonexistent/ca.pem'}, 'ca_path:'),
    ('timeout-zero', RS, {'organization': 'c', 'request_timeout': 0}, 'request_timeout'),
    ('timeout-negative', RS, {'organization': 'c', 'request_timeout': -5}, 'request_timeout'),
    ('validate-certs-word', RS, {'organization': 'c', 'validate_certs': 'perhaps'}, 'validate_certs'),
    ('pit-future-date', RS, {'organization': 'c', 'point_in_time': '2999-01-01'}, 'point_in_time'),
    ('pit-future-time', RS, {'organization': 'c', 'point_in_time': '2999-01-01T00:00:00Z'}, 'point_in_time'),
    ('pit-words', RS, {'organization': 'c', 'point_in_time': 'yesterday'}, 'point_in_time'),
    ('pit-month-13', RS, {'organization': 'c', 'point_in_time': '2026-13-01'}, 'point_in_time'),
    ('pit-feb-30', RS, {'organization': 'c', 'point_in_time': '2026-02-30'}, 'point_in_time'),
    ('pit-hour-25', RS, {'organization': 'c', 'point_in_time': '2026-11-17T25:00:00'}, 'point_in_time'),
    ('rs-no-organization', RS, {}, 'organization'),
    ('rs-absent-nothing', RS, {'state': 'absent'}, 'organization'),
    ('rs-session-not-uuid', RS, {'session_id': 'not-a-uuid'}, 'session_id'),
    ('rs-state-choice', RS, {'organization': 'c', 'state': 'opened'}, 'state'),
    ('rs-show-deleted-word', RS, {'organization': 'c', 'show_deleted': 'maybe'}, 'show_deleted'),
    ('rs-unknown-option', RS, {'organization': 'c', 'organisation': 'c'}, 'organisation'),
    ('mr-no-mailboxes', MR, mr(mailboxes=[]), 'mailboxes'),
    ('mr-batch-zero', MR, mr(batch_size=0), 'batch_size'),
    ('mr-wait-timeout-zero', MR, mr(wait_timeout=0), 'wait_timeout'),
    ('mr-poll-zero', MR, mr(poll_interval=0), 'poll_interval'),
    ('mr-creds-empty', MR, mr(exchange_credentials={}), 'exchange_credentials'),
    ('mr-creds-two-methods', MR, mr(exchange_credentials=dict(CREDS, user_code='ABCD-EFGH')),
     'exchange_credentials.password (user name and password); exchange_credentials.user_code (device code)'),
    ('mr-creds-misspelt', MR, mr(exchange_credentials={'username': 'a@contoso.com', 'pasword': MISSPELT_SECRET}),
     'exchange_credentials.pasword: unknown suboption'),
    ('mr-creds-no-password', MR, mr(exchange_credentials={'username': 'a@contoso.com'}), 'exchange_credentials'),
    ('mr-creds-bad-app-id', MR, mr(exchange_credentials={'application_id': 'nope', 'certificate_content': 'YQ==',
                                                         'impersonation_account': 'a@contoso.com'}),
     'exchange_credentials.application_id'),
    ('mr-creds-no-certificate', MR, mr(exchange_credentials={'application_id': APP,
                                                             'impersonation_account': 'a@contoso.com'}),
     'certificate_path or certificate_content'),
    ('mr-creds-missing-pfx', MR, mr(exchange_credentials={'application_id': APP, 'impersonation_account': 'a@contoso.com',
                                                          'certificate_path': '/nonexistent/app.pfx'}),
     'exchange_credentials.certificate_path'),
    ('mr-creds-bad-base64', MR, mr(exchange_credentials={'application_id': APP, 'impersonation_account': 'a@contoso.com',
                                                         'certificate_content': 'not base64 !!'}),
     'exchange_credentials.certificate_content'),
    ('mr-creds-half-on-premises', MR, mr(exchange_credentials={'on_premises_domain': 'contoso.local'}),
     'exchange_credentials'),
    ('mr-target-not-email', MR, mr(target={'mailbox': 'not-an-email'}), 'target.mailbox'),
    ('mr-target-no-mailbox', MR, mr(target={'folder': 'Restored'}), 'target.mailbox'),
    ('mr-target-no-dot', MR, mr(target={'mailbox': 'frank@contoso'}), 'target.mailbox'),
    ('mr-target-region', MR, mr(target={'mailbox': 'frank@contoso.com', 'region': 'Mars'}), 'region'),
    ('mr-target-unknown', MR, mr(target={'mailbox': 'frank@contoso.com', 'mailbx': 'x'}), 'mailbx'),
    ('mr-recent-period', MR, mr(recent_item_restore_period=-1), 'recent_item_restore_period'),
    ('mr-no-session', MR, {'mailboxes': ['bob@contoso.onmicrosoft.com'], 'exchange_credentials': CREDS}, 'session_id'),
    ('mr-session-not-uuid', MR, mr(session_id='12'), 'session_id'),
    ('ir-send-to-not-email', IR, ir(action='send', send_to={'to': 'not-an-email'}), 'send_to.to'),
    ('ir-send-from-not-email', IR, ir(action='send', send_to={'to': 'frank@contoso.com', 'from': 'help desk'}),
     'send_to.from'),
    ('ir-send-to-two', IR, ir(action='send', send_to={'to': 'a@contoso.com; b@contoso.com'}), 'send_to.to'),
    ('ir-send-to-with-restore', IR, ir(send_to={'to': 'frank@contoso.com'}, exchange_credentials=CREDS), 'send_to'),
    ('ir-reason-with-restore', IR, ir(reason='audit', exchange_credentials=CREDS), 'reason'),
    ('ir-no-items-nor-query', IR, {'session_id': SID, 'mailbox': 'bob@contoso.onmicrosoft.com'}, 'items'),
    ('ir-blank-query', IR, {'session_id': SID, 'query': '   '}, 'query'),
    ('ir-items-without-mailbox', IR, {'session_id': SID, 'items': ['i1']}, 'mailbox'),
    ('ir-folder-without-query', IR, ir(folder='Inbox'), 'folder'),
    ('ir-max-items-zero', IR, ir(max_items=0), 'max_items'),
    ('ir-batch-zero', IR, ir(batch_size=0), 'batch_size'),
    ('ir-send-with-credentials', IR, ir(action='send', exchange_credentials=CREDS), 'exchange_credentials'),
    ('ir-operator-target-mailbox', IR, ir(action='operator_restore', target={'mailbox': 'frank@contoso.com'}),
     'target'),
    ('ir-items-and-query', IR, ir(query='invoice'), 'items'),
    ('ir-target-not-email', IR, ir(target={'mailbox': 'frank at contoso'}, exchange_credentials=CREDS), 'target.mailbox'),
    ('ir-action-choice', IR, ir(action='copy'), 'action'),
    ('ir-creds-misspelt', IR, ir(exchange_credentials={'user_name': 'a@contoso.com', 'password': 'Exch-Pw-2'}),
     'exchange_credentials.user_name: unknown suboption'),
    ('me-dest-empty', ME, me(dest=''), 'dest'),
    ('me-dest-blank', ME, me(dest='  '), 'dest'),
    ('me-dest-missing-dir', ME, me(dest='/nonexistent/dir/bob.pst'), 'dest'),
    ('me-msg-without-items', ME, me(format='msg'), 'format'),
    ('me-size-too-big', ME, me(pst_size_limit='100GB'), 'pst_size_limit'),
    ('me-size-too-small', ME, me(pst_size_limit='0.5GB'), 'pst_size_limit'),
    ('me-size-words', ME, me(pst_size_limit='large'), 'pst_size_limit'),
    ('me-keyword-with-items', ME, me(items=['i1'], content_keyword='x'), 'content_keyword'),
    ('me-folder-without-mailbox', ME, {'session_id': SID, 'folder': 'Inbox', 'dest': '/tmp'}, 'folder'),
    ('me-items-empty', ME, me(items=[]), 'items'),
    ('me-max-items-zero', ME, me(max_items=0), 'max_items'),
    ('me-query-empty', ME, me(query=''), 'query'),
    ('me-msg-with-size', ME, me(items=['i1'], format='msg', pst_size_limit='2GB'), 'pst_size_limit'),
    ('me-format-choice', ME, me(format='eml'), 'format'),
    ('ii-limit-zero', II, {'session_id': SID, 'mailbox': 'bob@contoso.onmicrosoft.com', 'limit': 0}, 'limit'),
    ('ii-folder-without-mailbox', II, {'session_id': SID, 'folder': 'Inbox', 'query': 'x'}, 'folder'),
    ('ii-no-mailbox', II, {'session_id': SID}, 'mailbox'),
    ('mi-no-session', MI, {}, 'session_id'),
    ('ri-limit-zero', RI, {'limit': 0}, 'limit'),
]
IDS = [case[0] for case in CASES]
assert len(set(IDS)) == len(IDS) >= 60


MODULES = sorted(set(case[1] for case in CASES))


def inventory():
    """One local host per case, holding its module and arguments: the cases run side by side (forks)."""
    hosts = dict((case_id, {'ansible_connection': 'local', 'case_module': module, 'case_args': args})
                 for case_id, module, args, _expected in CASES)
    return json.dumps({'all': {'hosts': hosts}}, indent=1)


def playbook():
    """One task per module; each host runs the task of its own module with its own arguments."""
    tasks = [{'name': module, module: '{{ case_args }}', 'when': "case_module == '%s'" % module,
              'ignore_errors': True} for module in MODULES]
    return json.dumps([{'hosts': 'all', 'gather_facts': False, 'tasks': tasks}], indent=1) + '\n'


@pytest.fixture(scope='module')
def refused(simulator_server, tmp_path_factory):
    """(the run, the API requests the simulator saw) for the playbook of every case, run once."""
    api = SimApi(simulator_server.url, simulator_server.ca_path)
    api.post('reset')
    workdir = str(tmp_path_factory.mktemp('bad-input'))
    runner = Runner(simulator_server, os.environ['VB365_TEST_COLLECTIONS'], workdir)
    with open(os.path.join(workdir, 'inventory.json'), 'w') as handle:
        handle.write(inventory())
    run = runner.run(playbook(), verbosity=4, expect_rc=None,
                     env={'ANSIBLE_INVENTORY': os.path.join(workdir, 'inventory.json'), 'ANSIBLE_FORKS': '8'})
    requests = api.get('requests')
    api.post('reset')
    api.close()
    return run, requests, workdir, simulator_server.password


def test_no_request_reached_the_server(refused):
    run, requests, _workdir, _password = refused
    assert len([t for t in run.tasks if t['status'] != 'skipped']) == len(CASES)
    assert requests == [], 'bad input sent requests: %s' % [(r['method'], r['path']) for r in requests]


@pytest.mark.parametrize('case_id, module, args, expected', CASES, ids=IDS)
def test_bad_input_is_refused_naming_the_option(refused, case_id, module, args, expected):
    run, _requests, _workdir, _password = refused
    result = run.result(module, host=case_id)
    assert result.get('failed') is True, result
    assert expected in result['msg'], result['msg']


def test_no_secret_value_is_echoed(refused):
    run, _requests, workdir, password = refused
    for secret in (MISSPELT_SECRET, CREDS['password'], password):
        assert secret not in run.output
        for root, _dirs, files in os.walk(workdir):
            for name in files:
                if name.startswith(('playbook-', 'inventory')):
                    continue  # the test's own input
                with open(os.path.join(root, name), 'rb') as handle:
                    assert secret.encode() not in handle.read(), os.path.join(root, name)
