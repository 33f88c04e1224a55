"""restore_session, organization_info and restore_session_info through ansible-playbook, over HTTPS."""

from __future__ import annotations

OPEN_AND_STOP = '''
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/vb365.restore.all:
      request_timeout: 30
  tasks:
    - name: Find the organization
      vb365.restore.organization_info:
        name: contoso.onmicrosoft.com
    - name: Open
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
        point_in_time: "2026-11-17"
        show_deleted: true
      register: rs
    - name: Read it
      vb365.restore.restore_session_info:
        session_id: "{{ rs.session.id }}"
    - name: Stop
      vb365.restore.restore_session:
        session_id: "{{ rs.session.id }}"
        state: absent
'''

OPEN_ONLY = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open
      vb365.restore.restore_session:
        organization: contoso.onmicrosoft.com
'''


def test_open_and_stop_with_only_environment_credentials(runner, sim_api):
    run = runner.run(OPEN_AND_STOP)
    org = run.result('Find the organization')['organizations'][0]
    assert org['name'] == 'contoso.onmicrosoft.com' and org['last_backuptime'] == '2026-11-22T22:00:00Z'
    opened = run.result('Open')
    assert opened['changed'] is True and opened['point_in_time'] == '2026-11-17T23:59:59Z'
    info = run.result('Read it')['sessions'][0]
    assert info['id'] == opened['session']['id'] and info['state'] == 'Working' and info['events'] == []
    stopped = run.result('Stop')
    assert stopped['changed'] is True and stopped['session']['state'] == 'Stopped'
    sessions = sim_api.get('sessions')
    assert [s['state'] for s in sessions] == ['Stopped']
    explore = sim_api.api_requests('POST', '/explore')[0]
    assert explore['body'] == {'type': 'Vex', 'showDeleted': True, 'showAllVersions': False,
                               'dateTime': '2026-11-17T23:59:59Z'}
    tokens = sim_api.get('tokens')
    assert tokens['logins'] == tokens['logouts'] == 4 and tokens['live'] == 0


def test_running_twice_with_one_run_id_leaves_one_session(runner, sim_api):
    first = runner.run(OPEN_ONLY, env={'VB365_RUN_ID': 'nightly-42'}).result('Open')
    second = runner.run(OPEN_ONLY, env={'VB365_RUN_ID': 'nightly-42'}).result('Open')
    assert first['changed'] is True and second['changed'] is False and second['reused'] is True
    assert second['session']['id'] == first['session']['id']
    assert len(sim_api.working_sessions()) == 1


def test_another_run_never_gets_the_session_of_a_run(runner, sim_api):
    first = runner.run(OPEN_ONLY).result('Open')
    second = runner.run(OPEN_ONLY).result('Open')
    assert second['changed'] is True and second['reused'] is False
    assert second['session']['id'] != first['session']['id']
    assert len(sim_api.working_sessions()) == 2


def test_check_mode_opens_nothing(runner, sim_api):
    run = runner.run(OPEN_ONLY, check=True)
    result = run.result('Open')
    assert result['changed'] is True and result['planned_requests'][0]['path'].endswith('/explore')
    assert sim_api.api_requests('POST', '/explore') == [] and sim_api.get('sessions') == []


def test_wrong_password_fails_clearly_and_never_shows_it(runner, simulator):
    wrong = 'Wrong-%s' % simulator.password
    run = runner.run(OPEN_ONLY, env={'VB365_PASSWORD': wrong}, verbosity=4, expect_rc=2)
    msg = run.result('Open')['msg']
    assert 'login to https://127.0.0.1' in msg and 'refused' in msg and 'Invalid user name or password' in msg
    assert wrong not in run.output and simulator.password not in run.output


def test_no_secret_in_verbose_output_of_a_success(runner, simulator):
    run = runner.run(OPEN_AND_STOP, verbosity=4)
    assert simulator.password not in run.output


def test_unknown_organization_lists_the_known_ones(runner):
    run = runner.run(OPEN_ONLY.replace('contoso.onmicrosoft.com', 'northwinds'), expect_rc=2)
    msg = run.result('Open')['msg']
    assert msg.startswith("organization: no organization 'northwinds'; there are:")
    for name in ('contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com', 'tailspin.onmicrosoft.com', 'northwind.local'):
        assert name in msg


def test_untrusted_certificate_points_to_ca_path(runner):
    run = runner.run(OPEN_ONLY, unset=('VB365_CA_PATH',), expect_rc=2)
    msg = run.result('Open')['msg']
    assert 'CERTIFICATE_VERIFY_FAILED' in msg or 'certificate verify failed' in msg
    assert 'set ca_path / VB365_CA_PATH' in msg


def test_ca_path_wins_over_requests_ca_bundle(runner):
    run = runner.run(OPEN_ONLY, env={'REQUESTS_CA_BUNDLE': '/etc/ssl/certs/ca-certificates.crt'})
    assert run.result('Open')['changed'] is True


def test_server_busy_twice_then_ok_is_retried_with_warnings(runner, sim_api):
    sim_api.fault(method='GET', path='^/v8/Organizations$', status=503, retry_after=0, times=2)
    run = runner.run(OPEN_ONLY)
    result = run.result('Open')
    assert result['changed'] is True
    warnings = result.get('warnings', [])
    assert len(warnings) == 2 and all('HTTP 503' in w for w in warnings)
    assert [r['status'] for r in sim_api.api_requests('GET', '/v8/Organizations')] == [503, 503, 200]


def test_expired_token_is_refreshed(runner, sim_api):
    sim_api.fault(method='GET', path='^/v8/Organizations$', expire_token=True, times=1)
    assert runner.run(OPEN_ONLY).result('Open')['changed'] is True
    assert sim_api.get('tokens')['refreshes'] == 1


def test_session_list_filters(runner, sim_api):
    runner.run(OPEN_ONLY)
    listing = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Working ones
      vb365.restore.restore_session_info:
        state: Working
        organization: contoso.onmicrosoft.com
    - name: None stopped
      vb365.restore.restore_session_info:
        state: Stopped
'''
    run = runner.run(listing)
    assert len(run.result('Working ones')['sessions']) == 1
    assert run.result('None stopped')['sessions'] == []
