# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base every vb365.restore module stands on.

It adds the connection options, builds the one client, and sends the requests that change the
server: a module describes each one (an operation of operations.py and its values, a ``Request``)
and hands it to ``write``, which checks its body against the table, registers its secrets and, in
check mode, records it as a planned request instead of sending it. Check mode is decided here and
nowhere else, also for the changes a module makes to files on the controller (``change_locally``).
Restores are started and followed by ``restore`` and their outcome applied by
``conclude``. Typed errors become ``fail_json``; the client logs out at the end, on success and on
failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.vb365.restore.plugins.module_utils.auth import AUTH_METHODS, SignIn
from ansible_collections.vb365.restore.plugins.module_utils.client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    SECRET_FIELDS,
    Redactor,
    Vb365Client,
    normalize_server,
)
from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365Error,
    Vb365ParameterError,
)
from ansible_collections.vb365.restore.plugins.module_utils.restore import (
    finish_restore,
    follow_started,
    keep_started,
    may_have_started,
    merge_reports,
    restore_changed,
    snapshot,
)

CONNECTION_ARGUMENT_SPEC = dict(
    # Required, but checked by the module itself: its message names the option and its variable.
    server=dict(type='str', fallback=(env_fallback, ['VB365_SERVER'])),
    username=dict(type='str', fallback=(env_fallback, ['VB365_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(env_fallback, ['VB365_PASSWORD'])),
    auth_method=dict(type='str', default='password', choices=list(AUTH_METHODS),
                     fallback=(env_fallback, ['VB365_AUTH_METHOD'])),
    assertion=dict(type='str', no_log=True, fallback=(env_fallback, ['VB365_ASSERTION'])),
    application_id=dict(type='str', fallback=(env_fallback, ['VB365_APPLICATION_ID'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['VB365_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['VB365_CA_PATH'])),
    request_timeout=dict(type='float', default=60.0, fallback=(env_fallback, ['VB365_REQUEST_TIMEOUT'])),
)


class _CheckedModule(AnsibleModule):
    """``AnsibleModule`` that takes unknown suboptions out of dict options before validating.

    Ansible's own error for a misspelt suboption, and the invocation it logs at ``-vvv``, would show
    its value, which is often a secret (``exchange_credentials.pasword``): the keys are removed here
    and ``Vb365Module`` refuses them by name, without their values.
    """

    def _load_params(self):
        super(_CheckedModule, self)._load_params()
        self.unknown_suboptions = []
        for name, spec in self.argument_spec.items():
            options = spec.get('options') if isinstance(spec, dict) else None
            value = self.params.get(name) if isinstance(self.params, dict) else None
            if not options or not isinstance(value, dict):
                continue
            known = set(options)
            for option in options.values():
                known.update(option.get('aliases') or ())
            for key in sorted(set(value) - known, key=str):
                value.pop(key)
                self.unknown_suboptions.append((name, key, sorted(options)))


class _Planned:
    """What ``write`` returns in check mode: the request was recorded, not sent."""

    def __repr__(self):
        return 'PLANNED'


PLANNED = _Planned()


class Vb365Module:
    """Wraps ``AnsibleModule`` with the connection, the one check-mode decision and the end of the run.

    Module code runs in ``run(main)``: ``main(self)`` reads ``self.params``, uses
    ``self.client`` for reads and ``self.write()`` for anything that changes the server,
    fills ``self.result`` and returns.  Errors raised as ``Vb365Error`` fail the task with a
    clear message; the client logs out in any case.
    """

    def __init__(self, argument_spec, supports_check_mode=True, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.module = _CheckedModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.result = dict(changed=False)
        self.planned = []
        self._client = None
        self.redactor = Redactor()
        self.sign_in = None
        self._validate_connection()

    # ------------------------------------------------------------------ connection
    def _validate_connection(self):
        for name, key, known in self.module.unknown_suboptions:
            self.fail('%s.%s: unknown suboption (its value is not shown); %s takes: %s' % (
                name, key, name, ', '.join(known)))
        needed = [('server', 'VB365_SERVER')]
        if self.params['auth_method'] == 'password':  # operators and tenant users sign in with an assertion
            needed += [('username', 'VB365_USERNAME'), ('password', 'VB365_PASSWORD')]
        for option, variable in needed:
            if self.params[option] is None or not str(self.params[option]).strip():
                self.fail('%s: not set; give the %s option or set the %s environment variable' % (
                    option, option, variable))
        try:
            base_url = normalize_server(self.params['server'])
        except ValueError as exc:
            self.fail('server: %s' % exc)
        if base_url.startswith('http://'):
            self.module.warn('server: %s uses http://, so the password and every token travel in clear text; '
                             'use https://' % base_url)
        if not self.params['validate_certs']:
            self.module.warn('validate_certs is false: the identity of %s is not checked, so whoever answers in '
                             'its place receives the password; give ca_path instead' % base_url)
            if self.params['ca_path']:
                self.module.warn('ca_path is ignored because validate_certs is false')
        ca_path = self.params['ca_path']
        if ca_path and not os.path.isfile(ca_path):
            self.fail('ca_path: %s is not a file (give the PEM file of the CA that signed the server certificate; '
                      'relative paths are resolved on the host that runs the module)' % ca_path)
        timeout = self.params['request_timeout']
        if timeout is None or timeout <= 0:
            self.fail('request_timeout must be a positive number of seconds, got %r' % (timeout,))
        try:
            self.sign_in = SignIn(self.params['auth_method'], username=self.params['username'],
                                  password=self.params['password'], assertion=self.params['assertion'],
                                  application_id=self.params['application_id'])
        except Vb365Error as exc:
            self.fail(exc.msg)

    @property
    def client(self):
        """The logged-in client; created on first use, so bad input fails before any request."""
        if self._client is None:
            self._client = Vb365Client(
                server=self.params['server'],
                username=self.sign_in.label,
                password=self.params['password'],
                auth=None if self.sign_in.method == 'password' else self.sign_in,
                validate_certs=self.params['validate_certs'],
                ca_path=self.params['ca_path'],
                timeout=self.params['request_timeout'],
                warn=self.module.warn,
                redactor=self.redactor,
            )
        return self._client

    def add_secret(self, *values):
        """Register more values (Exchange passwords, certificates) to mask in every message."""
        self.redactor.add(*values)

    # ------------------------------------------------------------------ writes
    def write(self, request, send=None):
        """Send a ``Request`` that changes the server, unless in check mode.

        The body is checked against the operation's entry (by the client when it is sent, here
        when it is only planned), and its secret fields are registered with the redactor. In
        check mode the request is only recorded in ``self.planned`` (returned to the user as
        ``planned_requests``) and ``PLANNED`` is returned; otherwise the server's answer (None
        when it sent none). ``send``, when given, sends it instead of the client and its value is
        returned (an export streams the answer into a file it prepares first).
        """
        op = request.op
        self.add_secret(*(value for field, value in (request.body or {}).items()
                          if str(field).lower() in SECRET_FIELDS and isinstance(value, str)))
        if self.check_mode:
            # A request that is sent is checked by the client (client.call); a planned one here.
            self.client.check_request(op, request.params, request.body)
            entry = {'method': op.method, 'path': self.client.shown_path(request)}
            if request.body is not None:
                entry['body'] = self.redactor.data(request.body)
            if request.describe:
                entry['description'] = request.describe
            self.planned.append(entry)
            return PLANNED
        if send is not None:
            return send()
        return self.client.call(op, params=request.params, body=request.body, **request.path_values)

    def change_locally(self, change):
        """Make a change on the controller (the session ledger, a restore journal, extracted files) with
        ``change()``, unless in check mode; returns its value, or ``PLANNED``."""
        if self.check_mode:
            return PLANNED
        return change()

    # ------------------------------------------------------------------ restores
    def restore(self, requests, parent_session_id, wait, started=None, finished=None, stop_after_failed=False):
        """Start each restore ``Request`` in turn and follow it; returns the reports of those that
        started (none in check mode). A failure keeps what started before it in its result.

        ``wait`` is ``restore.wait_of(params)``. ``started(index, session_id)`` hears of each request
        the server accepted, ``finished(index, report)`` of each report. ``stop_after_failed``: a
        restore that failed stops the requests after it (with a warning).
        """
        reports = []
        for index, request in enumerate(requests):
            try:
                report = self._restore_one(request, parent_session_id, wait,
                                           (lambda session_id, index=index: started(index, session_id))
                                           if started else None)
            except Vb365Error as exc:
                raise keep_started(exc, reports)
            if report is PLANNED:
                continue
            reports.append(report)
            if finished is not None:
                finished(index, report)
            left = len(requests) - index - 1
            if stop_after_failed and report.get('status') == 'Failed' and left:
                self.module.warn('the restore of batch %d of %d failed; the %d batches after it were not sent'
                                 % (index + 1, len(requests), left))
                break
        return reports

    def _restore_one(self, request, parent_session_id, wait, started):
        """The POST of one restore is never sent twice (its operation is not idempotent)."""
        before = None
        if wait['wait'] and not self.check_mode:
            before = snapshot(self.client, parent_session_id)
        try:
            answer = self.write(request)
        except Vb365Error as exc:
            raise may_have_started(exc, parent_session_id)
        if answer is PLANNED:
            return PLANNED
        session_id = answer.get('sessionId')
        if started is not None:
            started(session_id)
        return follow_started(self.client, session_id, parent_session_id, wait, before)

    def conclude(self, reports, allow_partial=False):
        """Put the merged outcome of the restores into the result: ``restore`` and ``changed``.

        A Failed restore fails the task, a Warning warns. Nothing started (check mode): nothing to do.
        """
        if not reports:
            return
        report = merge_reports(reports)
        self.result['restore'] = report
        self.result['changed'] = restore_changed(report)
        for warning in finish_restore(report, allow_partial):
            self.module.warn(warning)

    # ------------------------------------------------------------------ lifecycle
    def _end(self):
        """Log out (a failed logout is ignored: the token expires anyway)."""
        if self._client is not None:
            self._client.logout()

    def fail(self, msg, **kwargs):
        """Fail before any request (bad input); names the option in ``msg``."""
        self.module.fail_json(msg=msg, **kwargs)

    def _redact_result(self, result):
        return self.redactor.data(result)

    def run(self, main):
        try:
            main(self)
        except Vb365Error as exc:
            trace = self._client.trace[-20:] if self._client is not None else None
            self._end()
            result = dict(self.result)
            result.update(exc.to_result())
            if trace is not None:
                result['api_trace'] = trace
            result.pop('failed', None)
            self.module.fail_json(msg=self._redact_text(exc.msg), **self._redact_result(result))
        except Exception as exc:  # pylint: disable=broad-except
            self._end()
            self.module.fail_json(msg=self._redact_text('unexpected error: %s' % exc),
                                  exception=self._redact_text(traceback.format_exc()))
        self._end()
        if self.check_mode and self.planned:
            self.result['planned_requests'] = self.planned
        self.module.exit_json(**self._redact_result(self.result))

    def _redact_text(self, text):
        return self.redactor.text(text)


def parameter_error(option, problem):
    """A ``Vb365ParameterError`` whose message starts with the option's name."""
    return Vb365ParameterError('%s: %s' % (option, problem))
