"""The committed contract is what build_contract.py makes of Veeam's full OpenAPI document.

The full document is optional: it is read from ``$VB365_SPEC`` when that names a full document
(not a contract), else from ``../shared/vb365/vb365_rest_v8.json`` beside the checkout, where
development checkouts keep it. Without one, the check is reported as skipped with the reason;
every other test reads the committed contract only.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, 'contract'))
import build_contract  # noqa: E402  pylint: disable=wrong-import-position


def full_spec():
    """(path, bytes) of a full document, or (None, why none was found)."""
    candidates = []
    if os.environ.get('VB365_SPEC'):
        candidates.append(os.environ['VB365_SPEC'])
    candidates.append(os.path.join(os.path.dirname(ROOT), 'shared', 'vb365', 'vb365_rest_v8.json'))
    for path in candidates:
        if os.path.isfile(path):
            with open(path, 'rb') as handle:
                raw = handle.read()
            if 'x-contract' not in json.loads(raw):
                return path, raw
    return None, 'no full OpenAPI document of the VB365 REST API v8 (looked at %s)' % ', '.join(candidates)


def test_contract_is_regenerated_from_the_full_spec():
    path, raw = full_spec()
    if path is None:
        pytest.skip(raw)
    expected = build_contract.render(build_contract.build(json.loads(raw), raw))
    with open(build_contract.CONTRACT, encoding='utf-8') as handle:
        committed = handle.read()
    assert committed == expected, (
        'tests/simulator/contract/vb365_v8.json differs from what %s gives: run '
        'python tests/simulator/contract/build_contract.py %s' % (path, path))


def test_contract_keeps_facts_and_drops_prose():
    with open(build_contract.CONTRACT, encoding='utf-8') as handle:
        contract = json.load(handle)
    text = json.dumps(contract)
    assert '"summary"' not in text and '"example"' not in text
    schemas = contract['components']['schemas']
    # A property called "description" is a field of the API, not prose: it stays.
    assert 'description' in schemas['RESTBackupRepositoryFromClient']['properties']
    bulk = contract['paths']['/v8/RestoreSessions/{restoreSessionId}/organization/mailboxes/restore']['post']
    assert bulk['operationId'] == 'ExchangeMailbox_RestoreMailboxesAction'
    assert bulk['requestBody']['content']['application/json']['schema']['$ref'].endswith('RestBulkRestoreOptions')
    # Every schema a kept operation reaches is there, and nothing of other workloads is.
    assert not [p for p in contract['paths'] if '/sites' in p or '/teams' in p or '/onedrives' in p]
    refs = set()
    build_contract.references(contract, refs)
    assert refs <= set(schemas)
