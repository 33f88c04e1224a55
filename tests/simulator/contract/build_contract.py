"""Build the project's API contract from Veeam's full OpenAPI document of the VB365 REST API v8.

The contract (``vb365_v8.json`` beside this script) holds the facts of the operations that the
collection and the simulator use, or are about to use: paths, methods, operation ids,
parameters, request and response schemas, enums and formats.  Prose (descriptions, summaries,
examples, tags) is dropped, and only the component schemas those operations reach are kept.
The simulator, its validator and every test read the contract; nothing else of the full
document is needed at run time.

    python tests/simulator/contract/build_contract.py SPEC [--out FILE]   write the contract
    python tests/simulator/contract/build_contract.py SPEC --check        exit 1 if the committed
                                                                          contract differs

SPEC is a full document: Veeam's published one, or the one a VB365 server serves when Swagger is
enabled (``https://<server>:4443/swagger/docs/v8``).  The output is deterministic (sorted keys,
fixed indentation), so that a regenerated contract compares byte for byte.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONTRACT = os.path.join(HERE, 'vb365_v8.json')
METHODS = ('get', 'put', 'post', 'delete', 'patch', 'head', 'options')
REF_PREFIX = '#/components/schemas/'

# The operations in the contract: every path that matches one of these and none of EXCLUDED.
INCLUDED = [re.compile(p) for p in (
    r'^/v8/token(/logout)?$',
    r'^/v8/Organizations$',
    r'^/v8/Organizations/\{organizationId\}(/explore|/Users(/\{userId\})?|/Groups(/\{groupId\}(/Members)?)?'
    r'|/usedRepositories)?$',
    r'^/v8/Organization(/.*)?$',
    r'^/v8/RestoreSessions(/.*)?$',
    r'^/v8/RestorePoints(/\{restorePointId\})?$',
    r'^/v8/RestorePortalSettings$',
    r'^/v8/Jobs(/\{jobId\}(/explore|/CopyJob)?)?$',
    r'^/v8/CopyJobs(/\{id\})?$',
    r'^/v8/BackupRepositories(/\{repositoryId\}(/explore|/backedupOrganizations|/MailboxData(/\{mailboxId\})?'
    r'|/OrganizationData(/\{organizationId\})?)?)?$',
    r'^/v8/DataRetrievals(/\{dataRetrievalId\}(/explore|/mailboxes)?)?$',
    r'^/v8/VexEmailSettings(/.*)?$',
    r'^/v8/ProtectedUsers(/\{protectedUserId\})?$',
    r'^/v8/ServiceInstance$',
    r'^/v8/Health$',
)]
# Other workloads' parts of a restore session (SharePoint, OneDrive, Teams) are not Exchange's.
EXCLUDED = re.compile(r'/(sites|onedrives|teams|webs)(/|$)|searchSharePoint|searchOneDrive|searchTeams', re.I)

# Annotation keywords: prose and examples, not facts the wire depends on.
DROPPED = frozenset(('description', 'summary', 'example', 'examples', 'tags', 'externalDocs', 'title',
                     'x-ms-enum', 'x-anyOf'))
# Objects whose keys are names chosen by the document (never keywords to drop).
NAME_MAPS = frozenset(('properties', 'schemas', 'paths', 'responses', 'content', 'mapping', 'headers',
                       'encoding', 'securitySchemes', 'variables'))


def included(path):
    return any(p.match(path) for p in INCLUDED) and not EXCLUDED.search(path)


def strip(node, key=None):
    """``node`` without the prose keywords; the keys of name maps are kept whatever they are."""
    if isinstance(node, list):
        return [strip(n) for n in node]
    if not isinstance(node, dict):
        return node
    if key in NAME_MAPS:
        return {name: strip(value) for name, value in node.items()}
    return {k: strip(v, k) for k, v in node.items() if k not in DROPPED}


def references(node, found):
    """Add the component schema names that ``node`` refers to."""
    if isinstance(node, list):
        for n in node:
            references(n, found)
    elif isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and k in ('$ref',) or (k == 'mapping' and isinstance(v, dict)):
                for ref in ([v] if isinstance(v, str) else v.values()):
                    if isinstance(ref, str) and ref.startswith(REF_PREFIX):
                        found.add(ref[len(REF_PREFIX):])
            else:
                references(v, found)


def build(spec, source_bytes):
    """The contract (a dict) of a full OpenAPI document."""
    paths = {}
    for path in sorted(spec.get('paths', {})):
        if included(path):
            item = spec['paths'][path]
            paths[path] = strip({k: v for k, v in item.items() if k in METHODS or k == 'parameters'})
    schemas_in = spec.get('components', {}).get('schemas', {})
    wanted, todo = set(), set()
    references(paths, todo)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        if name not in schemas_in:
            raise SystemExit('build_contract: the document refers to a schema it lacks: %s' % name)
        wanted.add(name)
        found = set()
        references(schemas_in[name], found)
        todo |= found - wanted
    info = spec.get('info', {})
    return {
        'openapi': spec.get('openapi'),
        'info': {'title': info.get('title'), 'version': info.get('version')},
        'x-contract': {
            'about': 'Facts of the VB365 REST API v8 operations that vb365.restore uses, derived from the '
                     "vendor's OpenAPI document by tests/simulator/contract/build_contract.py; do not edit by hand.",
            'source_sha256': hashlib.sha256(source_bytes).hexdigest(),
            'operations': sum(1 for item in paths.values() for m in item if m in METHODS),
            'schemas': len(wanted),
        },
        'paths': paths,
        'components': {'schemas': {name: strip(schemas_in[name]) for name in sorted(wanted)}},
    }


def render(contract):
    return json.dumps(contract, indent=1, sort_keys=True, ensure_ascii=False) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('spec', help="the full OpenAPI document (JSON) of the VB365 REST API v8")
    parser.add_argument('--out', default=CONTRACT, help='where to write the contract (default: %(default)s)')
    parser.add_argument('--check', action='store_true', help='compare with --out instead of writing it')
    args = parser.parse_args(argv)
    with open(args.spec, 'rb') as handle:
        raw = handle.read()
    text = render(build(json.loads(raw), raw))
    if args.check:
        try:
            with open(args.out, encoding='utf-8') as handle:
                current = handle.read()
        except FileNotFoundError:
            current = ''
        if current == text:
            print('build_contract: %s matches %s' % (args.out, args.spec))
            return 0
        diff = difflib.unified_diff(current.splitlines(), text.splitlines(), args.out, 'regenerated', lineterm='', n=1)
        sys.stdout.write('\n'.join(list(diff)[:80]) + '\n')
        print('build_contract: %s differs from what %s gives; regenerate it:\n  python %s %s'
              % (args.out, args.spec, os.path.relpath(__file__), args.spec))
        return 1
    with open(args.out, 'w', encoding='utf-8') as handle:
        handle.write(text)
    contract = json.loads(text)['x-contract']
    print('build_contract: %s: %d operations, %d schemas, %d bytes' % (args.out, contract['operations'],
                                                                       contract['schemas'], len(text.encode())))
    return 0


if __name__ == '__main__':
    sys.exit(main())
