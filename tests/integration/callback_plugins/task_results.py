# -*- coding: utf-8 -*-
"""Test-only callback: append every task result, as one JSON line, to $VB365_TEST_RESULTS."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: task_results
type: aggregate
short_description: Write each task result to a JSON lines file (tests only)
description:
  - Used by the collection's integration tests to read module return values.
  - "Each line is a JSON object with the keys C(name) (the task's name), C(host), C(status)
    (ok, failed, skipped or unreachable) and C(result) (the task's result, with C(failed) always set)."
requirements:
  - The E(VB365_TEST_RESULTS) environment variable names the file.
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_results'
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, result, status):
        path = os.environ.get('VB365_TEST_RESULTS')
        if not path:
            return
        # ansible-core 2.19 has public task/host/result; older versions only the underscored ones.
        task = getattr(result, 'task', None) or result._task
        host = getattr(result, 'host', None) or result._host
        data = dict(result.result if hasattr(type(result), 'result') else result._result)
        # ansible-core 2.19 hands callbacks results without the 'failed' key: put it back.
        data.setdefault('failed', status in ('failed', 'unreachable'))
        entry = {'name': task.get_name(), 'host': host.get_name(), 'status': status, 'result': data}
        with open(path, 'a') as handle:
            handle.write(json.dumps(entry, default=str) + '\n')

    def v2_runner_on_ok(self, result):
        self._write(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._write(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._write(result, 'unreachable')
