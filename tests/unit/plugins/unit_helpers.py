# -*- coding: utf-8 -*-
"""Shared helpers of the collection's unit tests (imported by the tests; see conftest.py)."""

from __future__ import annotations

import contextlib
import json
from urllib.parse import parse_qsl, urlsplit

from vb365sim.spec import default_validator

BASE = 'https://vb365.test:4443'


def spec_problems(calls):
    """Validate each recorded request against the spec; return the problems."""
    validator = default_validator()
    problems = []
    for call in calls:
        request = call.request
        parts = urlsplit(request.url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        content_type = request.headers.get('Content-Type')
        problems.extend(validator.validate_request(request.method, parts.path, query, content_type, body))
    return problems


def token_body(access='access-1', refresh='refresh-1', expires_in=3600):
    return {
        'access_token': access, 'refresh_token': refresh, 'token_type': 'bearer', 'expires_in': expires_in,
        '.issued': '2026-11-23T01:00:00Z', '.expires': '2026-11-23T02:00:00Z', 'userName': 'restore-admin',
    }


def form_of(call):
    body = call.request.body
    return dict(parse_qsl(body if isinstance(body, str) else body.decode()))


def json_of(call):
    return json.loads(call.request.body)


class FakeClock:
    """A clock whose sleeps only move it on: pass ``time``/``sleep`` where code takes a clock and a
    sleep function, or put it in place of a module's ``time`` (``monkeypatch.setattr(mod, 'time', clock)``)."""

    def __init__(self, now=1_000_000.0):
        self.now = now
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


CONNECTION = {'server': 'vb365.test', 'username': 'restore-admin', 'password': 'Unit-Test-Pa55!', 'ca_path': None}


class ModuleResult(dict):
    """What a module printed, plus whether it failed."""

    @property
    def failed(self):
        return bool(self.get('failed'))

    @property
    def warning_messages(self):
        """The texts of the warnings (ansible-core 2.19 returns them as structured events)."""
        return [w['event']['msg'] if isinstance(w, dict) else w for w in self.get('warnings') or []]


@contextlib.contextmanager
def _module_args_before_2_19(args):
    """What ansible-core 2.19's patch_module_args does, for 2.16 to 2.18: the arguments a module
    process would read from its argument file."""
    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    full = {'_ansible_remote_tmp': '/tmp', '_ansible_keep_remote_files': False}
    full.update(args)
    saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': full}))  # pylint: disable=protected-access
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access


def run_module(module, args, capsys, check_mode=False):
    """Run ``module.main()`` with ``args`` (plus the test connection) and return its JSON result.

    ``module`` is the imported module object. Sleeping is the caller's business (patch it
    where a wait is involved).
    """
    from ansible.module_utils.common import warnings
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:  # ansible-core before 2.19
        patch_module_args = _module_args_before_2_19

    # A module process starts with no warnings; in one test process they would pile up from run to run.
    warnings._global_warnings.clear()  # pylint: disable=protected-access
    warnings._global_deprecations.clear()  # pylint: disable=protected-access
    full = dict(CONNECTION)
    full.update(args)
    if check_mode:
        full['_ansible_check_mode'] = True
    with patch_module_args(full):
        try:
            module.main()
        except SystemExit:
            pass
    out = capsys.readouterr().out
    return ModuleResult(json.loads(out.strip().splitlines()[-1]))


def session_before_restore(api, session_url, events=(), statistics=None):
    """The GETs a waiting restore sends before its POST: the session's events and statistics so far."""
    import responses  # pylint: disable=import-outside-toplevel
    api.add(responses.GET, session_url + '/Events', json={'offset': 0, 'limit': 10000, 'results': list(events)})
    api.add(responses.GET, session_url + '/Statistics', json=statistics or {
        'totalItemsCount': 0, 'restoredItemsCount': 0, 'failedItemsCount': 0, 'skippedItemsCount': 0, 'items': []})
