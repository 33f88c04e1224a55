"""Tenant-wide restores spread over slices: the mailboxes inventory plugin through ansible-inventory,
sliced runs of the bulk role that together restore every mailbox exactly once, and a run killed
halfway that a re-run finishes without restoring the done mailboxes again (the simulator's request
log says what was sent)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from harness import BIN, SimApi, clean_environment, random_credentials
from vb365sim.server import Simulator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLICED = os.path.join(ROOT, 'playbooks', 'mailbox_bulk_restore_sliced.yml')
COMBINE = os.path.join(ROOT, 'playbooks', 'mailbox_bulk_restore_combine.yml')
TAILSPIN = 'tailspin.onmicrosoft.com'


def environment(sim, workdir):
    config = os.path.join(workdir, 'ansible.cfg')
    with open(config, 'w') as handle:
        handle.write('[defaults]\n')
    env = clean_environment()
    env.update({'VB365_SERVER': sim.url, 'VB365_USERNAME': sim.username, 'VB365_PASSWORD': sim.password,
                'VB365_CA_PATH': sim.ca_path, 'ANSIBLE_CONFIG': config,
                'ANSIBLE_HOME': os.path.join(workdir, 'ansible-home'),
                'ANSIBLE_COLLECTIONS_PATH': os.environ['VB365_TEST_COLLECTIONS'],
                'ANSIBLE_PYTHON_INTERPRETER': sys.executable, 'ANSIBLE_LOCALHOST_WARNING': 'false',
                'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_RETRY_FILES_ENABLED': 'false'})
    return env


def source(workdir, name='mailboxes', **options):
    path = os.path.join(str(workdir), '%s.vb365.yml' % name)
    with open(path, 'w') as handle:
        json.dump(dict({'plugin': 'vb365.restore.mailboxes'}, **options), handle)
    return path


def inventory(sim, workdir, **options):
    proc = subprocess.run([os.path.join(BIN, 'ansible-inventory'), '-i', source(workdir, **options), '--list'],
                          env=environment(sim, str(workdir)), capture_output=True, text=True, cwd=str(workdir),
                          check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return plain(json.loads(proc.stdout)), proc


def plain(data):
    """The listing without ansible-inventory's markers of values from a plugin ({"__ansible_unsafe": value})."""
    if isinstance(data, dict):
        if set(data) == {'__ansible_unsafe'}:
            return data['__ansible_unsafe']
        return dict((k, plain(v)) for k, v in data.items())
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


def hosts_of(listing, group):
    return set(listing.get(group, {}).get('hosts', []))


# ------------------------------------------------------------------------------ inventory
def test_inventory_lists_the_mailboxes_with_their_variables_and_groups(simulator, sim_api, tmp_path):
    listing, _proc = inventory(simulator, tmp_path, organization='contoso.onmicrosoft.com',
                               keyed_groups=[{'key': 'vb365_email[0]', 'prefix': 'letter'}],
                               groups={'finance': "vb365_email.startswith('finance')"},
                               compose={'restore_wave': "'first' if vb365_name is match('A') else 'later'"})
    expected = sim_api.get('mailboxes?organization=contoso.onmicrosoft.com')
    hostvars = listing['_meta']['hostvars']
    primaries = set(m['email'] for m in expected if not m.get('isArchive') and not m.get('isPublic'))
    assert hosts_of(listing, 'vb365_primary_mailboxes') == primaries
    assert hosts_of(listing, 'vb365_archives') == {'alice@contoso.onmicrosoft.com+archive'}
    assert hosts_of(listing, 'vb365_public_folders') == {'publicfolders@contoso.onmicrosoft.com'}
    assert len(hostvars) == len(expected)
    archive = hostvars['alice@contoso.onmicrosoft.com+archive']
    primary = hostvars['alice@contoso.onmicrosoft.com']
    assert archive['vb365_archive'] is True and primary['vb365_archive'] is False
    assert archive['vb365_mailbox_id'] != primary['vb365_mailbox_id']
    assert primary['ansible_connection'] == 'local'
    assert primary['vb365_organization'] == 'contoso.onmicrosoft.com' and primary['restore_wave'] == 'first'
    assert hosts_of(listing, 'finance') == {'finance@contoso.onmicrosoft.com'}
    assert hosts_of(listing, 'letter_b') == {'bob@contoso.onmicrosoft.com', 'broken@contoso.onmicrosoft.com'}
    # The restore session it read the mailboxes through was stopped again.
    assert sim_api.working_sessions() == []
    assert len(sim_api.api_requests('POST', '/Stop')) == 1


def test_inventory_filters(simulator, sim_api, tmp_path):
    csv_path = tmp_path / 'wanted.csv'
    csv_path.write_text('Email,Note\nBob@contoso.onmicrosoft.com,x\nalice@contoso.onmicrosoft.com,y\nnobody@contoso.onmicrosoft.com,z\n')
    listing, proc = inventory(simulator, tmp_path, organization='contoso.onmicrosoft.com',
                              mailboxes_csv=str(csv_path), archives='exclude')
    assert set(listing['_meta']['hostvars']) == {'bob@contoso.onmicrosoft.com', 'alice@contoso.onmicrosoft.com'}
    assert 'nobody@contoso.onmicrosoft.com' in proc.stderr
    listing, _proc = inventory(simulator, tmp_path, organization='contoso.onmicrosoft.com', archives='only')
    assert set(listing['_meta']['hostvars']) == {'alice@contoso.onmicrosoft.com+archive'}
    listing, _proc = inventory(simulator, tmp_path, organization='contoso.onmicrosoft.com',
                               mailboxes=['chris*', 'Finance *'], exclude=['christopher.*'], public_folders=False)
    assert set(listing['_meta']['hostvars']) == {'chris.taylor@contoso.onmicrosoft.com',
                                                 'finance@contoso.onmicrosoft.com'}


@pytest.fixture(scope='module')
def big_simulator(tmp_path_factory):
    username, password = random_credentials()
    sim = Simulator(username=username, password=password, state_dir=str(tmp_path_factory.mktemp('bigsim')),
                    bulk_mailboxes=10050, strict=True, restore_delay_ms=50)
    sim.username, sim.password = username, password
    sim.start()
    yield sim
    sim.stop()


def test_inventory_reads_every_page_beyond_ten_thousand(big_simulator, tmp_path):
    control = SimApi(big_simulator.url, big_simulator.ca_path)
    try:
        control.delete('requests')
        listing, _proc = inventory(big_simulator, tmp_path, organization=TAILSPIN)
        hosts = listing['_meta']['hostvars']
        assert len(hosts) == 10050
        assert 'user0001@tailspin.onmicrosoft.com' in hosts and 'user10050@tailspin.onmicrosoft.com' in hosts
        pages = [r['query'] for r in control.get('requests') if r['path'].endswith('/organization/mailboxes')]
        assert [(str(q.get('offset')), str(q.get('limit'))) for q in pages] == [('0', '10000'), ('10000', '10000')]
        assert control.get('violations') == []
    finally:
        control.close()


# ------------------------------------------------------------------------------ sliced runs
def sliced_command(workdir, limit, extra):
    return [os.path.join(BIN, 'ansible-playbook'), '-i', os.path.join(str(workdir), 'tailspin.vb365.yml'), SLICED,
            '--limit', limit, '--extra-vars', json.dumps(extra)]


def restored_ids(sim_api):
    """The mailbox ids of every bulk restore request the simulator accepted, in order."""
    ids = []
    for request in sim_api.api_requests('POST', '/organization/mailboxes/restore'):
        if request['status'] == 200 or request['status'] == 201:
            ids.extend(m['id'] for m in request['body']['mailboxes'])
    return ids


def extra_vars(workdir, **more):
    values = {'mailbox_bulk_restore_point_in_time': '2026-11-17',
              'mailbox_bulk_restore_report_dir': os.path.join(str(workdir), 'reports'),
              'mailbox_bulk_restore_journal': os.path.join(str(workdir), 'tailspin.journal'),
              'mailbox_bulk_restore_exchange_credentials': {'username': 'restore-operator@tailspin.onmicrosoft.com',
                                                            'password': 'exchange-pass-%d' % os.getpid()}}
    values.update(more)
    return values


def test_concurrent_slices_restore_every_mailbox_exactly_once(simulator, sim_api, tmp_path):
    source(tmp_path, name='tailspin', organization=TAILSPIN)
    env = environment(simulator, str(tmp_path))
    slices = ['user00*:user01*', 'user02*']
    procs = [subprocess.Popen(sliced_command(tmp_path, limit, extra_vars(tmp_path, mailbox_bulk_restore_batch_size=40,
                                                                         mailbox_bulk_restore_slice_name='s%d' % n)),
                              env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for n, limit in enumerate(slices)]
    outputs = [proc.communicate(timeout=600)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs[0][-3000:] + outputs[1][-3000:]
    everyone = [m['id'] for m in sim_api.get('mailboxes?organization=%s' % TAILSPIN)]
    ids = restored_ids(sim_api)
    assert sorted(ids) == sorted(everyone) and len(ids) == 250
    # One restore session per slice, each stopped.
    # Each process reads the inventory through a session of its own, then restores in one session.
    assert len(sim_api.api_requests('POST', '/explore')) == 2 + 2
    assert sim_api.working_sessions() == []
    reports = sorted(os.listdir(str(tmp_path / 'reports')))
    assert reports == ['mailbox-bulk-restore-s0.html', 'mailbox-bulk-restore-s0.json',
                       'mailbox-bulk-restore-s1.html', 'mailbox-bulk-restore-s1.json']
    with open(str(tmp_path / 'tailspin.journal')) as handle:
        lines = [json.loads(line) for line in handle]
    assert sorted(line['id'] for line in lines if line['status'] == 'Success') == sorted(everyone)
    # The reports of both slices combine into one report of all 250 mailboxes.
    combine = subprocess.run([os.path.join(BIN, 'ansible-playbook'), COMBINE, '--extra-vars', json.dumps({
        'restore_report_combine_files': [str(tmp_path / 'reports' / 'mailbox-bulk-restore-*.json')],
        'restore_report_dir': str(tmp_path / 'combined')})], env=env, cwd=str(tmp_path), capture_output=True,
        text=True, check=False, timeout=300)
    assert combine.returncode == 0, combine.stdout[-3000:]
    with open(str(tmp_path / 'combined' / 'combined-report.json')) as handle:
        combined = json.load(handle)
    assert combined['totals']['mailboxes'] == 250 and combined['status'] == 'Success'
    assert sorted(m['email'] for m in combined['mailboxes']) == sorted(
        m['email'] for m in sim_api.get('mailboxes?organization=%s' % TAILSPIN))


def kill_tree(pid):
    """SIGKILL ``pid`` and every process under it at once, as a lost node or a killed container would.
    (ansible-playbook's workers start sessions of their own, so killing the process group is not enough.)"""
    parents = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as handle:
                    parents[int(entry)] = int(handle.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in tree:
                tree.add(child)
                frontier.append(child)
    for member in tree:
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return tree


def journal_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.endswith('\n')]


def test_a_killed_run_is_resumed_without_restoring_done_mailboxes_again(simulator, sim_api, tmp_path):
    source(tmp_path, name='tailspin', organization=TAILSPIN)
    env = environment(simulator, str(tmp_path))
    journal = str(tmp_path / 'tailspin.journal')
    sim_api.config(restore_delay_ms=400)
    values = extra_vars(tmp_path, mailbox_bulk_restore_batch_size=25, mailbox_bulk_restore_poll_interval=0.1)
    first = subprocess.Popen(sliced_command(tmp_path, 'all', values), env=env, cwd=str(tmp_path),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while len([line for line in journal_lines(journal) if line['status'] == 'Success']) < 50:
        assert first.poll() is None and time.time() < deadline, 'the first run ended before it was killed'
        time.sleep(0.05)
    killed = kill_tree(first.pid)
    assert first.wait() == -signal.SIGKILL and len(killed) > 1
    at_kill = journal_lines(journal)
    newest = dict((line['id'], line['status']) for line in at_kill)
    done_before = set(i for i, status in newest.items() if status == 'Success')
    accepted_before = set(i for i, status in newest.items() if status == 'Submitted')
    sent_before = restored_ids(sim_api)
    assert 50 <= len(done_before) < 250

    second = subprocess.run(sliced_command(tmp_path, 'all', values), env=env, cwd=str(tmp_path),
                            capture_output=True, text=True, check=False, timeout=600)
    assert second.returncode == 0, second.stdout[-4000:]
    # The restore accepted before the kill is followed to its end first, so its mailboxes count as done.
    assert 'resuming: %d of 250 mailboxes are done' % len(done_before | accepted_before) in second.stdout
    sent_after = restored_ids(sim_api)[len(sent_before):]
    # Nothing the journal had as done, nor a restore it had as accepted by the server, was sent again:
    # the accepted one was followed to its end instead.
    assert not set(sent_after) & (done_before | accepted_before)
    # Only a batch the server accepted in the instant before its journal line was written can be sent
    # twice: at most one batch (25 mailboxes), none of which the journal knew.
    resent = set(sent_after) & set(sent_before)
    assert len(resent) <= 25 and not resent & set(line['id'] for line in at_kill)
    everyone = set(m['id'] for m in sim_api.get('mailboxes?organization=%s' % TAILSPIN))
    assert set(sent_before) | set(sent_after) == everyone
    assert len(sent_before) + len(sent_after) == 250 + len(resent)
    finished = dict((line['id'], line['status']) for line in journal_lines(journal))
    assert set(finished) == everyone and set(finished.values()) == {'Success'}


def test_inventory_cache_serves_a_second_read_without_the_server(simulator, sim_api, tmp_path):
    options = dict(organization='contoso.onmicrosoft.com', cache=True, cache_plugin='ansible.builtin.jsonfile',
                   cache_connection=str(tmp_path / 'cache'), cache_timeout=600)
    first, _proc = inventory(simulator, tmp_path, **options)
    requests = len(sim_api.get('requests'))
    second, _proc = inventory(simulator, tmp_path, **options)
    assert second == first and len(first['_meta']['hostvars']) == 13
    assert len(sim_api.get('requests')) == requests


def test_inventory_refuses_bad_options_before_any_request(simulator, sim_api, tmp_path):
    proc = subprocess.run([os.path.join(BIN, 'ansible-inventory'), '-i',
                           source(tmp_path, organization='contoso.onmicrosoft.com', page_size=20000), '--list'],
                          env=environment(simulator, str(tmp_path)), capture_output=True, text=True,
                          cwd=str(tmp_path), check=False, timeout=300)
    assert 'page_size: must be 1 to 10000, got 20000' in proc.stderr
    assert sim_api.get('requests') == []
