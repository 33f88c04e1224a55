# -*- coding: utf-8 -*-
"""Benchmark-only callback: the wall time of every task, appended as JSON lines to $BENCH_TASK_TIMES."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: task_times
type: aggregate
short_description: Write the wall time of each task to a JSON lines file (benchmarks only)
description:
  - Used by the benchmarks in bench/ to tell where a playbook's time goes.
requirements:
  - The E(BENCH_TASK_TIMES) environment variable names the file.
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_times'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._current = None
        self._started = None

    def _close(self):
        path = os.environ.get('BENCH_TASK_TIMES')
        if self._current is not None and path:
            with open(path, 'a') as handle:
                handle.write(json.dumps({'task': self._current, 'seconds': time.perf_counter() - self._started}) + '\n')
        self._current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self._current = task.get_name()
        self._started = time.perf_counter()

    v2_playbook_on_handler_task_start = v2_playbook_on_task_start

    def v2_playbook_on_stats(self, stats):
        self._close()
