# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Whether to wait until the restore ends. The task then fails if the restore fails (with the failing events),
        and succeeds with warnings if it ends with warnings.
      - With V(false) the task returns at once with the restore's session id; follow it with
        M(vb365.restore.restore_session_info).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the restore to end. When they run out the task fails and returns the restore's
        session id; the restore itself goes on on the server.
      - The access token is refreshed while waiting, so waits longer than its lifetime work.
    type: int
    default: 3600
  poll_interval:
    description:
      - Seconds between looks at the restore's progress once it has run for a while. The first look is at once,
        the next ones after 0.25, 0.5, 1 second and so on, doubling up to O(poll_interval), so that a short restore
        is seen to end without waiting a whole interval; from there the interval grows up to 15 seconds (or
        O(poll_interval) when that is longer).
      - While the restore runs only its session is read; its events and statistics once it has ended.
    type: float
    default: 2.0
'''
