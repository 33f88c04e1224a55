# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  exchange_credentials:
    description:
      - How the VB365 server authenticates to Exchange to write the restored data. Give exactly one method.
      - B(User name and password) - O(exchange_credentials.username) and O(exchange_credentials.password).
      - B(Device code) - O(exchange_credentials.user_code), for organizations added with modern app-only
        authentication.
      - B(Application certificate) - O(exchange_credentials.application_id), O(exchange_credentials.certificate_path)
        or O(exchange_credentials.certificate_content), optionally O(exchange_credentials.certificate_password),
        and O(exchange_credentials.impersonation_account).
      - B(On-premises account) - O(exchange_credentials.on_premises_domain),
        O(exchange_credentials.on_premises_username) and O(exchange_credentials.on_premises_password), alone for an
        on-premises organization or with one of the methods above for a hybrid one. Only the bulk restore of
        mailboxes to their original place takes them.
      - Required for restores; sending items by email needs none.
      - The secrets are never shown in output, errors or logs.
    type: dict
    suboptions:
      username:
        description: The Exchange (Microsoft 365) account that performs the restore.
        type: str
      password:
        description: Its password.
        type: str
      user_code:
        description: A device code obtained for the restore session.
        type: str
      application_id:
        description: The id of the Microsoft Entra application used for the restore.
        type: str
      certificate_path:
        description: A PFX file with the application's certificate; it is sent base64-encoded.
        type: path
      certificate_content:
        description: The application's certificate (PFX) as a base64 string, instead of O(exchange_credentials.certificate_path).
        type: str
      certificate_password:
        description: The password of the certificate.
        type: str
      impersonation_account:
        description: The Exchange account the application acts as.
        type: str
      on_premises_domain:
        description:
          - For a bulk restore of an on-premises or hybrid organization, the domain of the Exchange server with the
            Client Access role. With O(exchange_credentials.on_premises_username) and
            O(exchange_credentials.on_premises_password).
        type: str
      on_premises_username:
        description: The on-premises account for a bulk restore.
        type: str
      on_premises_password:
        description: Its password.
        type: str
'''
