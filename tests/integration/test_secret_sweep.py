"""The secret sweep: every module and every role at -vvvv, on success and failure paths; no secret in the
output of ansible-playbook nor in any file the run wrote (reports, manifests, ledgers, exports' indexes)."""

from __future__ import annotations

import os
import re

import pytest

from harness import assert_not_shown
from test_roles import EXCHANGE_PASSWORD, example, run_book

WRONG_PASSWORD = 'Wrong-Pa55-%d!' % os.getpid()
NOBODY = '6f0c1f1e-aaaa-4bbb-8ccc-0123456789ab'
# As users pass secrets: from a vault or the environment, never written in the playbook (Ansible shows the
# source line of a failed task).
CREDS = '{"username": "restore@contoso.onmicrosoft.com", "password": "{{ lookup(\'env\', \'VB365_EXCHANGE_PASSWORD\') }}"}'

MODULES = '''
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/vb365.restore.all:
      request_timeout: 30
  tasks:
    - name: Organizations
      vb365.restore.organization_info:
    - name: Open
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
      register: rs
    - name: Work
      block:
        - name: Sessions
          vb365.restore.restore_session_info:
            session_id: "{{ rs.session.id }}"
        - name: Mailboxes
          vb365.restore.mailbox_info:
            session_id: "{{ rs.session.id }}"
            mailboxes: [bob@contoso.onmicrosoft.com]
        - name: Items
          vb365.restore.item_info:
            session_id: "{{ rs.session.id }}"
            mailbox: bob@contoso.onmicrosoft.com
            limit: 3
          register: found
        - name: Restore a mailbox
          vb365.restore.mailbox_restore:
            session_id: "{{ rs.session.id }}"
            mailboxes: [bob@contoso.onmicrosoft.com]
            exchange_credentials: %(creds)s
            poll_interval: 0.1
        - name: Restore an item
          vb365.restore.item_restore:
            session_id: "{{ rs.session.id }}"
            mailbox: bob@contoso.onmicrosoft.com
            items: ["{{ found.mail_items[0].id }}"]
            exchange_credentials: %(creds)s
            poll_interval: 0.1
        - name: Export
          vb365.restore.mailbox_export:
            session_id: "{{ rs.session.id }}"
            mailbox: bob@contoso.onmicrosoft.com
            dest: "{{ dest }}/bob.pst"
        # Failure paths, each with the secrets in its arguments.
        - name: Restore an unknown mailbox
          vb365.restore.mailbox_restore:
            session_id: "{{ rs.session.id }}"
            mailboxes: [nobody@contoso.onmicrosoft.com]
            exchange_credentials: %(creds)s
          ignore_errors: true
        - name: Restore an unknown item
          vb365.restore.item_restore:
            session_id: "{{ rs.session.id }}"
            mailbox: bob@contoso.onmicrosoft.com
            items: [no-such-item]
            exchange_credentials: %(creds)s
          ignore_errors: true
        - name: Restore with a server error
          vb365.restore.mailbox_restore:
            session_id: "{{ rs.session.id }}"
            mailboxes: [bob@contoso.onmicrosoft.com]
            exchange_credentials: %(creds)s
          ignore_errors: true
        - name: Export with a server error
          vb365.restore.mailbox_export:
            session_id: "{{ rs.session.id }}"
            mailbox: bob@contoso.onmicrosoft.com
            dest: "{{ dest }}/bob-2.pst"
          ignore_errors: true
        - name: Unknown session
          vb365.restore.restore_session_info:
            session_id: %(nobody)s
          ignore_errors: true
        - name: Mailboxes of an unknown session
          vb365.restore.mailbox_info:
            session_id: %(nobody)s
          ignore_errors: true
        - name: Items of an unknown mailbox
          vb365.restore.item_info:
            session_id: "{{ rs.session.id }}"
            mailbox: nobody@contoso.onmicrosoft.com
          ignore_errors: true
        - name: Unknown organization
          vb365.restore.restore_session:
            organization: nowhere.example.com
          ignore_errors: true
        - name: Wrong password
          vb365.restore.organization_info:
            password: "{{ lookup('env', 'WRONG_PASSWORD') }}"
          ignore_errors: true
      always:
        - name: Stop
          vb365.restore.restore_session:
            organization: contoso.onmicrosoft.com
            state: absent
'''

BEARER = re.compile(r'(?i)bearer\s+(?!\*{8})[A-Za-z0-9._~+/=-]{8,}')


def sweep(run, directories, *secrets):
    for secret in secrets:
        assert_not_shown(secret, run)
    assert not BEARER.search(run.output), BEARER.search(run.output).group(0)
    checked = 0
    for directory in directories:
        for base, _dirs, files in os.walk(str(directory)):
            for name in files:
                if name.startswith('playbook-'):
                    continue  # the test's own input
                with open(os.path.join(base, name), 'rb') as handle:
                    data = handle.read()
                checked += 1
                for secret in secrets:
                    assert secret.encode() not in data, os.path.join(base, name)
                assert not BEARER.search(data.decode('utf-8', 'replace')), os.path.join(base, name)
    return checked


def test_every_module_on_success_and_failure(runner, simulator, sim_api, tmp_path):
    dest = tmp_path / 'exports'
    dest.mkdir()
    sim_api.post('faults', {'rules': [
        {'method': 'POST', 'path': r'/organization/mailboxes/[^/]+/restore$', 'status': 500, 'after': 1},
        {'method': 'POST', 'path': r'/exportToPst$', 'status': 500, 'after': 1}]})
    run = runner.run(MODULES % {'creds': CREDS, 'nobody': NOBODY}, extra_vars={'dest': str(dest)}, verbosity=4,
                     env={'VB365_EXCHANGE_PASSWORD': EXCHANGE_PASSWORD, 'WRONG_PASSWORD': WRONG_PASSWORD})
    failed = [task['name'] for task in run.tasks if task['result'].get('failed')]
    assert failed == ['Restore an unknown mailbox', 'Restore an unknown item', 'Restore with a server error',
                      'Export with a server error', 'Unknown session', 'Mailboxes of an unknown session',
                      'Items of an unknown mailbox', 'Unknown organization', 'Wrong password']
    written = sweep(run, [runner.workdir, dest], simulator.password, EXCHANGE_PASSWORD, WRONG_PASSWORD)
    assert written >= 4  # the ledger, the export and its manifest, the results
    assert os.path.exists(runner.env['VB365_SESSION_LEDGER'])


ROLE_FAULTS = {
    'mailbox_bulk_restore': r'/organization/mailboxes/restore$',
    'mailbox_redirect_restore': r'/restoreTo$',
    'deleted_items_recovery': r'/restore(To)?$',
    'ediscovery_export': r'/exportToPst$',
}


@pytest.mark.parametrize('outcome', ['success', 'failure'])
@pytest.mark.parametrize('role', sorted(ROLE_FAULTS))
def test_every_role_on_success_and_failure(role, outcome, runner, simulator, sim_api, tmp_path):
    overrides = {'report_dir': str(tmp_path / 'reports')}
    if role == 'ediscovery_export':
        overrides['export_dir'] = str(tmp_path / 'exports')
    if outcome == 'failure':
        sim_api.fault(method='POST', path=ROLE_FAULTS[role], status=500, times=1000)
    run = run_book(runner, role, example(role, **overrides), verbosity=4, expect_rc=None)
    assert (run.rc == 0) == (outcome == 'success'), run.stdout[-3000:]
    assert sweep(run, [runner.workdir, tmp_path], simulator.password, EXCHANGE_PASSWORD) >= 2
    assert [s for s in sim_api.get('sessions') if s['state'] == 'Working' and s['kind'] == 'explore'] == []
