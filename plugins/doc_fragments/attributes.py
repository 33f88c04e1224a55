# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The attributes of the modules. A module's own `attributes` entries are merged over these key by
    # key, so a module states only what differs: every module that changes something says what it does
    # in check mode (attributes.check_mode.description), and the ones that return a diff say so.

    # Modules that change something (vb365.restore.attributes).
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
    description: The module returns no diff.
'''

    # Modules that only read (vb365.restore.attributes.info).
    INFO = r'''
options: {}
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: The module returns no diff.
'''
