"""The harness tests itself: playbook runs and their task results, the secret check, the simulator fixtures."""

from __future__ import annotations

import os
import sys

import pytest
import requests

from harness import PlaybookRun, assert_not_shown

DEBUG = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Say hello
      ansible.builtin.debug:
        msg: "hello {{ who | default('world') }}"
    - name: Change something
      ansible.builtin.command: "true"
      changed_when: true
    - name: Only in check mode
      ansible.builtin.debug:
        msg: checking
      when: ansible_check_mode
    - name: Read the environment
      ansible.builtin.debug:
        msg: "{{ lookup('ansible.builtin.env', 'HARNESS_PROBE') }}"
'''

FAILING = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Fail on purpose
      ansible.builtin.fail:
        msg: this task fails
    - name: Never reached
      ansible.builtin.debug:
        msg: unreachable
'''


def test_task_results_come_back_as_data(playbook_runner):
    run = playbook_runner.run(DEBUG, extra_vars={'who': 'harness'}, env={'HARNESS_PROBE': 'from-env'})
    assert run.rc == 0
    assert run.task_names == ['Say hello', 'Change something', 'Only in check mode', 'Read the environment']
    assert run.result('Say hello')['msg'] == 'hello harness'
    assert run.result('Say hello')['changed'] is False
    assert run.result('Change something')['changed'] is True and run.result('Change something')['rc'] == 0
    assert run.status('Only in check mode') == 'skipped'
    assert run.result('Read the environment')['msg'] == 'from-env'
    assert all(task['host'] == 'localhost' for task in run.tasks)
    assert 'PLAY RECAP' in run.stdout


def test_check_mode_and_a_playbook_file(playbook_runner, tmp_path):
    path = tmp_path / 'debug.yml'
    path.write_text(DEBUG)
    run = playbook_runner.run(str(path), check=True)
    assert run.status('Only in check mode') == 'ok' and run.result('Only in check mode')['msg'] == 'checking'


def test_a_failed_task_and_the_expected_exit_code(playbook_runner):
    run = playbook_runner.run(FAILING, expect_rc=2)
    assert run.status('Fail on purpose') == 'failed'
    result = run.result('Fail on purpose')
    assert result['failed'] is True and result['msg'] == 'this task fails'
    assert 'Never reached' not in run.task_names
    with pytest.raises(AssertionError, match='no task .Never reached. ran'):
        run.result('Never reached')
    with pytest.raises(AssertionError, match='exited 2, expected 0'):
        playbook_runner.run(FAILING)


def test_the_caller_s_ansible_variables_do_not_leak_in(playbook_runner, monkeypatch):
    monkeypatch.setenv('ANSIBLE_STDOUT_CALLBACK', 'ansible.builtin.oneline')  # would print no task banners
    monkeypatch.setenv('VB365_SERVER', 'https://should-not-be-used.invalid')
    run = playbook_runner.run(DEBUG)
    assert 'TASK [Say hello]' in run.stdout and 'should-not-be-used' not in run.output


def test_modules_run_with_the_venv_python(playbook_runner):
    run = playbook_runner.run('''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Python
      ansible.builtin.command: "{{ ansible_python_interpreter }} -c 'import sys; print(sys.prefix)'"
''')
    assert run.result('Python')['stdout'] == sys.prefix


def test_the_collection_resolves_from_the_checkout(playbook_runner):
    collections = os.environ['VB365_TEST_COLLECTIONS']
    restore = os.path.join(collections, 'ansible_collections', 'vb365', 'restore')
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert os.path.realpath(restore) == os.path.realpath(root)
    run = playbook_runner.run('''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Find the module
      ansible.builtin.debug:
        msg: "{{ lookup('ansible.builtin.config', 'COLLECTIONS_PATHS') }}"
''')
    assert run.result('Find the module')['msg'] == [collections]


def test_secret_check_finds_a_leak_at_vvvv(playbook_runner):
    secret = 'S3cret&Value!'
    leak = playbook_runner.run('''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Leak it, URL-encoded
      ansible.builtin.debug:
        msg: "{{ lookup('ansible.builtin.env', 'HARNESS_SECRET') | urlencode }}"
''', env={'HARNESS_SECRET': secret}, verbosity=4)
    with pytest.raises(AssertionError, match='the secret is in the stdout'):
        assert_not_shown(secret, leak)
    quiet = playbook_runner.run(DEBUG, env={'HARNESS_SECRET': secret}, verbosity=4)
    assert_not_shown(secret, quiet)
    with pytest.raises(AssertionError, match='verbosity=4'):
        assert_not_shown(secret, PlaybookRun(0, '', '', [], verbosity=1))


def test_the_simulator_fixtures(simulator, sim_api):
    assert simulator.url.startswith('https://127.0.0.1:')
    assert simulator.username and simulator.password
    token = requests.post(simulator.url + '/v8/token', verify=simulator.ca_path, timeout=30, data={
        'grant_type': 'password', 'username': simulator.username, 'password': simulator.password,
        'disable_antiforgery_token': 'true'})
    assert token.status_code == 200, token.text
    assert [r['path'] for r in sim_api.api_requests('POST')] == ['/v8/token']
    sim_api.fault(method='GET', path='^/v8/Organizations$', status=503, retry_after=0, times=1)
    assert len(sim_api.get('faults')) == 1
    sim_api.post('reset')
    assert sim_api.get('faults') == [] and sim_api.get('requests') == []
    assert sim_api.production('alice@contoso.onmicrosoft.com')


def test_run_playbook_talks_to_the_simulator(run_playbook, simulator, sim_api):
    run = run_playbook('''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Connection
      ansible.builtin.debug:
        msg:
          - "{{ lookup('ansible.builtin.env', 'VB365_SERVER') }}"
          - "{{ lookup('ansible.builtin.env', 'VB365_CA_PATH') }}"
          - "{{ lookup('ansible.builtin.env', 'VB365_USERNAME') }}"
''', verbosity=4)
    assert run.result('Connection')['msg'] == [simulator.url, simulator.ca_path, simulator.username]
    assert_not_shown(simulator.password, run)
    assert sim_api.get('violations') == []
