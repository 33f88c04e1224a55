# -*- coding: utf-8 -*-
"""Unit tests of restore_session's source options: combinations refused before any request, and the
source in the ledger key (another source opens another session)."""

from __future__ import annotations

import json

import pytest
import responses

from ansible_collections.vb365.restore.plugins.modules import restore_session

from unit_helpers import BASE, json_of, run_module, token_body

ORG_ID = '6b1e2b1c-0a8e-5d7f-9c1a-2f4e5d6c7b8a'
JOB_ID = '44444444-4444-4444-8444-444444444444'
ORGS = {'offset': 0, 'limit': 10000, 'results': [{'id': ORG_ID, 'name': 'contoso.onmicrosoft.com'}]}
JOBS = {'offset': 0, 'limit': 10000, 'results': [{'id': JOB_ID, 'name': 'Backup Contoso', 'organizationId': ORG_ID}]}
SESSION = {'id': '0b6f1a4e-2c1d-4a57-9a3c-1f5b3c9d2e10', 'name': 'Exchange restore', 'type': 'Vex',
           'creationTime': '2026-11-23T01:00:00Z', 'state': 'Working', 'result': 'Success'}


@pytest.mark.parametrize('args, msg', [
    ({'restore_point': 'rp-1', 'point_in_time': '2026-11-17'}, 'restore_point: a restore point id fixes the time'),
    ({'restore_point': 'rp-1', 'repository': 'Copy'}, 'restore_point: a restore point id fixes the time'),
    ({'restore_point': ' '}, 'restore_point: give a restore point id or latest'),
    ({'retrieval': 'September', 'point_in_time': '2026-11-17'}, 'retrieval: a data retrieval has its own point'),
])
def test_combinations_that_cannot_work_are_refused_before_any_request(api, capsys, tmp_path, args, msg):
    args = dict(args, organization='contoso.onmicrosoft.com', ledger_path=str(tmp_path / 'ledger.json'))
    result = run_module(restore_session, args, capsys)
    assert result.failed and result['msg'].startswith(msg) and len(api.calls) == 0


def test_a_job_source_explores_the_job_and_keeps_its_own_ledger_entry(api, capsys, tmp_path):
    ledger = str(tmp_path / 'ledger.json')
    api.add(responses.POST, BASE + '/v8/token', json=token_body())
    api.add(responses.GET, BASE + '/v8/Organizations', json=ORGS)
    api.add(responses.GET, BASE + '/v8/Jobs', json=JOBS)
    api.add(responses.POST, BASE + '/v8/Jobs/%s/explore' % JOB_ID, json=SESSION, status=201)
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)
    result = run_module(restore_session, {'organization': 'contoso.onmicrosoft.com', 'job': 'backup contoso',
                                          'ledger_path': ledger, 'run_id': 'nightly-1'}, capsys)
    assert result['changed'] is True and result['source'] == {'kind': 'job', 'id': JOB_ID, 'name': 'Backup Contoso'}
    assert json_of(api.calls[3]) == {'type': 'Vex', 'showDeleted': False, 'showAllVersions': False}
    assert api.calls[2].request.params['organizationId'] == ORG_ID
    (key,) = json.load(open(ledger))
    assert '%s@job:%s' % (ORG_ID, JOB_ID) in key
