"""What build_contract.py keeps of Veeam's OpenAPI document in the committed contract.

The drift check (the committed contract is what build_contract.py makes of the full document) is
``build_contract.py SPEC --check``; .ci/run runs it when the full document is beside the checkout.
"""

from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'contract'))
import build_contract  # noqa: E402  pylint: disable=wrong-import-position


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
