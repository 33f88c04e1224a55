# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base every vb365.restore module stands on.

It adds the connection options, builds the one client, refuses writes in check mode (the
write is recorded as a planned call instead), turns typed errors into ``fail_json`` and runs
the cleanups (stopping restore sessions it opened, logging out) on success and on failure.
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
    Redactor,
    Vb365Client,
    normalize_server,
)
from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365Error,
    Vb365ParameterError,
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


class Vb365Module:
    """Wraps ``AnsibleModule`` with the connection, check-mode guard and cleanup.

    Module code runs in ``run(main)``: ``main(self)`` reads ``self.params``, uses
    ``self.client`` for reads and ``self.write()`` for anything that changes the server,
    fills ``self.result`` and returns.  Errors raised as ``Vb365Error`` fail the task with a
    clear message; cleanups registered with ``add_cleanup`` always run.
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
        self._cleanups = []
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
    def write(self, method, path, json_body=None, describe=None, idempotent=False):
        """Send a request that changes the server, unless in check mode.

        In check mode the call is only recorded in ``self.planned`` (returned to the user
        as ``planned_requests``) and ``None`` is returned. ``idempotent`` writes (a Stop) are
        retried like reads when their answer is lost.
        """
        if self.check_mode:
            entry = {'method': method.upper(), 'path': self.client.path_of(self.client.url(path))}
            if json_body is not None:
                entry['body'] = self.redactor.data(json_body)
            if describe:
                entry['description'] = describe
            self.planned.append(entry)
            return None
        return self.client.json(method.upper(), path, json_body=json_body, idempotent=idempotent)

    # ------------------------------------------------------------------ lifecycle
    def add_cleanup(self, func, description):
        """Run ``func()`` when the module ends, successful or not (last added runs first)."""
        self._cleanups.append((func, description))

    def _run_cleanups(self):
        problems = []
        while self._cleanups:
            func, description = self._cleanups.pop()
            try:
                func()
            except Exception as exc:  # pylint: disable=broad-except
                problems.append('%s: %s' % (description, exc))
        if self._client is not None:
            self._client.logout()
        return problems

    def fail(self, msg, **kwargs):
        """Fail before any request (bad input); names the option in ``msg``."""
        self.module.fail_json(msg=msg, **kwargs)

    def _redact_result(self, result):
        return self.redactor.data(result)

    def run(self, main):
        try:
            main(self)
        except Vb365Error as exc:
            problems = self._run_cleanups()
            result = dict(self.result)
            result.update(exc.to_result())
            msg = exc.msg
            if problems:
                msg += ' (cleanup also failed: %s)' % '; '.join(problems)
            if self._client is not None:
                result['api_trace'] = self._client.trace[-20:]
            result.pop('failed', None)
            self.module.fail_json(msg=self._redact_text(msg), **self._redact_result(result))
        except Exception as exc:  # pylint: disable=broad-except
            problems = self._run_cleanups()
            self.module.fail_json(
                msg=self._redact_text('unexpected error: %s%s' % (exc, (' (cleanup: %s)' % '; '.join(problems)) if problems else '')),
                exception=self._redact_text(traceback.format_exc()))
        problems = self._run_cleanups()
        for problem in problems:
            self.module.warn('cleanup failed: %s' % problem)
        if self.check_mode and self.planned:
            self.result['planned_requests'] = self.planned
        self.module.exit_json(**self._redact_result(self.result))

    def _redact_text(self, text):
        return self.redactor.text(text)


def parameter_error(option, problem):
    """A ``Vb365ParameterError`` whose message starts with the option's name."""
    return Vb365ParameterError('%s: %s' % (option, problem))
