# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Flags every restore takes.
    DOCUMENTATION = r'''
options:
  changed_items:
    description:
      - Whether items that changed since the backup are restored (merged). Unset, the server's default applies.
    type: bool
  deleted_items:
    description:
      - Whether items that were deleted since the backup are restored. Unset, the server's default applies.
    type: bool
  mark_restored_as_unread:
    description: Whether restored items are marked as unread. Unset, the server's default applies.
    type: bool
'''

    # Flags of mailbox and folder restores.
    MAILBOX = r'''
options:
  exclude_drafts:
    description: Whether the Drafts folder is left out.
    type: bool
  exclude_deleted_items:
    description: Whether the Deleted Items folder is left out.
    type: bool
  exclude_in_place_hold_items:
    description: Whether items preserved by an In-Place Hold are left out.
    type: bool
  exclude_litigation_hold_items:
    description: Whether items preserved by a Litigation Hold are left out.
    type: bool
  skip_unresolved:
    description: Whether unresolved items are skipped. Only the bulk restore of mailboxes to their original place takes it.
    type: bool
  recent_item_restore_period:
    description:
      - A number of days (0 or more); the items backed up during this recent period are restored first.
      - Only the bulk restore of mailboxes to their original place takes it.
    type: int
'''

    # Where a restoreTo puts the data.
    TARGET = r'''
options:
  target:
    description:
      - Restore into another mailbox (and folder, server, region or organization) instead of the original place.
      - Absent, the data goes back where it came from.
    type: dict
    suboptions:
      mailbox:
        description: The email address of the mailbox to restore into. Required when O(target) is given.
        type: str
      folder:
        description: The folder of that mailbox to restore into (created if missing).
        type: str
      cas_server:
        description: The Exchange server with the Client Access role to restore through (on-premises).
        type: str
      region:
        description: The Microsoft 365 region of the target organization.
        type: str
        choices: [Worldwide, Germany, China, USDefence, USGovernment]
      organization_name:
        description: The name of the target Microsoft 365 organization (for example V(fabrikam.onmicrosoft.com)).
        type: str
'''
