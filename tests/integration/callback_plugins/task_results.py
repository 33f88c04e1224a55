# -*- coding: utf-8 -*-
"""Test-only callback: append every task result, as JSON lines, to $VB365_TEST_RESULTS."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: task_results
type: aggregate
short_description: Write each task result to a JSON lines file (tests only)
description:
  - Used by the collection's integration tests to read module return values.
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
        entry = {'task': result._task.get_name(), 'host': result._host.get_name(), 'status': status,
                 'result': result._result}
        with open(path, 'a') as handle:
            handle.write(json.dumps(entry, default=str) + '\n')

    def v2_runner_on_ok(self, result):
        self._write(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._write(result, 'skipped')
