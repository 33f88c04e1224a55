# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: mailboxes
short_description: The backed-up Exchange mailboxes of an organization as inventory hosts
version_added: 0.1.0
description:
  - Turns the mailboxes in the backup of one Microsoft 365 or on-premises organization into inventory hosts, so that
    AWX / Automation Controller job slicing (or C(--limit)) spreads a tenant-wide restore over several jobs.
  - Reads the mailboxes through a short-lived Exchange restore session at O(point_in_time) (the latest backup when not
    set), opened and stopped again within the inventory run, also when reading fails. The ids it gives are the ids the
    restore requests of such a session take.
  - A primary mailbox is named after its email; an in-place archive has the same email, so its host name is the email
    followed by V(+archive). Public folder mailboxes are in the group C(vb365_public_folders), archives in
    C(vb365_archives), primary mailboxes in C(vb365_primary_mailboxes); every host is in C(vb365_mailboxes).
  - Every host runs on the controller (C(ansible_connection=local)); its variables are C(vb365_mailbox_id),
    C(vb365_email), C(vb365_name), C(vb365_archive), C(vb365_public), C(vb365_organization),
    C(vb365_organization_id) and C(vb365_point_in_time) (the point in time of the backup the data is read from,
    null for the latest), for C(compose), C(groups) and C(keyed_groups).
  - The file must end in C(.vb365.yml) or C(.vb365.yaml).
author:
  - vb365.restore maintainers (@vb365-restore)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; must be V(vb365.restore.mailboxes).
    type: str
    required: true
    choices: [vb365.restore.mailboxes]
  server:
    description:
      - The Veeam Backup for Microsoft 365 server (host, C(host:port) or C(https://) URL; port 4443 when not given).
    type: str
    required: true
    env:
      - name: VB365_SERVER
  username:
    description: The user name to log in to the REST API with.
    type: str
    required: true
    env:
      - name: VB365_USERNAME
  password:
    description: The password of O(username). Keep it in the environment or a vault, never in the inventory file.
    type: str
    required: true
    env:
      - name: VB365_PASSWORD
  validate_certs:
    description: Whether the server's TLS certificate is verified. For a private CA, set O(ca_path) instead.
    type: bool
    default: true
    env:
      - name: VB365_VALIDATE_CERTS
  ca_path:
    description: A PEM file with the CA certificate(s) that signed the server's certificate.
    type: path
    env:
      - name: VB365_CA_PATH
  request_timeout:
    description: Seconds to wait for the server to answer one request.
    type: float
    default: 60
    env:
      - name: VB365_REQUEST_TIMEOUT
  organization:
    description: The organization whose backed-up mailboxes become hosts, by name, Microsoft 365 name or id.
    type: str
    required: true
  point_in_time:
    description:
      - The point in time of the backup to list (a date such as V(2026-11-17), meaning the end of that day, UTC, or a
        date-time). Empty for the latest backup.
    type: str
    default: ""
  mailboxes:
    description:
      - Keep only the mailboxes whose email or display name matches one of these shell-style patterns, case-insensitively
        (V(sales-*@contoso.onmicrosoft.com), V(User 00*)). Empty keeps every mailbox.
    type: list
    elements: str
    default: []
  exclude:
    description: Leave out the mailboxes whose email or display name matches one of these shell-style patterns.
    type: list
    elements: str
    default: []
  mailboxes_csv:
    description:
      - A CSV file with the mailboxes to keep, one per row, by email. The column C(email) is used when the first row names
        it, else the first column. Rows that name no backed-up mailbox are shown as a warning.
      - Combined with O(mailboxes), a mailbox must pass both.
    type: path
  archives:
    description:
      - V(include) lists primary mailboxes and their in-place archives, V(exclude) only primary mailboxes, V(only) only
        archives.
    type: str
    default: include
    choices: [include, exclude, only]
  public_folders:
    description: Whether public folder mailboxes become hosts.
    type: bool
    default: true
  page_size:
    description: Mailboxes per page request (at most 10,000, the most the API serves); every page is read.
    type: int
    default: 10000
notes:
  - Opening a restore session takes a few seconds on a real server; enable the inventory cache (O(cache=true)) for
    inventories that are read often.
  - On AWX / Automation Controller, use the Veeam Backup for Microsoft 365 credential type of this collection on the
    inventory source; it sets the E(VB365_SERVER), E(VB365_USERNAME), E(VB365_PASSWORD), E(VB365_VALIDATE_CERTS) and
    E(VB365_CA_PATH) the options fall back to.
requirements:
  - requests >= 2.31
seealso:
  - module: vb365.restore.mailbox_info
  - module: vb365.restore.restore_session
'''

EXAMPLES = r'''
# contoso.vb365.yml: every primary mailbox of contoso as of 17 November, grouped by the first letter of
# the email, the connection taken from VB365_SERVER, VB365_USERNAME, VB365_PASSWORD and VB365_CA_PATH.
plugin: vb365.restore.mailboxes
organization: contoso.onmicrosoft.com
point_in_time: "2026-11-17"
archives: exclude
public_folders: false
keyed_groups:
  - key: vb365_email[0]
    prefix: letter
groups:
  finance: vb365_email is match('finance')
compose:
  restore_priority: "'high' if vb365_email in ['ceo@contoso.onmicrosoft.com'] else 'normal'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /var/tmp/vb365-inventory
cache_timeout: 3600

# sales.vb365.yml (a file of its own): the mailboxes named in a CSV file, except the shared ones.
#   plugin: vb365.restore.mailboxes
#   organization: contoso.onmicrosoft.com
#   mailboxes_csv: /srv/recovery/sales-mailboxes.csv
#   exclude:
#     - "shared-*"
'''

import csv
import fnmatch

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.vb365.restore.plugins.module_utils.client import MAX_PAGE_SIZE, Vb365Client
from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365Error
from ansible_collections.vb365.restore.plugins.module_utils.operations import EXPLORE_ORGANIZATION, SESSION_MAILBOXES, STOP_SESSION
from ansible_collections.vb365.restore.plugins.module_utils.browse import find_organization
from ansible_collections.vb365.restore.plugins.module_utils.times import normalize_point_in_time

ARCHIVE_SUFFIX = '+archive'


def host_name(mailbox):
    """The email; an archive shares it with its owner's mailbox and gets a suffix."""
    email = mailbox.get('email') or mailbox.get('name') or mailbox['id']
    return email + ARCHIVE_SUFFIX if mailbox.get('isArchive') else email


def read_csv_emails(path):
    """The emails of a CSV file (column ``email`` when the header names it, else the first column), lowered."""
    try:
        with open(path, newline='', encoding='utf-8-sig') as handle:
            rows = [row for row in csv.reader(handle) if row and any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError) as exc:
        raise AnsibleParserError('mailboxes_csv: cannot read %s: %s' % (path, exc))
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    column = header.index('email') if 'email' in header else 0
    if 'email' in header or '@' not in rows[0][0]:
        rows = rows[1:]
    return [row[column].strip().lower() for row in rows if len(row) > column and row[column].strip()]


def _matches(mailbox, patterns):
    email = str(mailbox.get('email') or '').lower()
    name = str(mailbox.get('name') or '').lower()
    return any(fnmatch.fnmatchcase(email, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def select(mailboxes, include=(), exclude=(), emails=None, archives='include', public_folders=True):
    """The mailboxes that pass every filter, in the server's order."""
    include = [str(p).strip().lower() for p in include]
    exclude = [str(p).strip().lower() for p in exclude]
    wanted = set(emails) if emails is not None else None
    chosen = []
    for mailbox in mailboxes:
        archive = bool(mailbox.get('isArchive'))
        if (archives == 'exclude' and archive) or (archives == 'only' and not archive):
            continue
        if mailbox.get('isPublic') and not public_folders:
            continue
        if wanted is not None and str(mailbox.get('email') or '').lower() not in wanted:
            continue
        if include and not _matches(mailbox, include):
            continue
        if exclude and _matches(mailbox, exclude):
            continue
        chosen.append(mailbox)
    return chosen


def read_backup(client, organization_ref, point_in_time, page_size):
    """The organization and its backed-up mailboxes at ``point_in_time``, through a restore session
    that is stopped again before this returns (also when reading fails)."""
    organization = find_organization(client, organization_ref)
    body = {'type': 'Vex', 'showDeleted': False, 'showAllVersions': False}
    if point_in_time:
        body['dateTime'] = point_in_time
    session = client.call(EXPLORE_ORGANIZATION, body=body, organizationId=organization['id'])
    try:
        mailboxes = client.call(SESSION_MAILBOXES, page_size=page_size, restoreSessionId=session['id']).items
    finally:
        client.call(STOP_SESSION, restoreSessionId=session['id'])
    return organization, mailboxes


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'vb365.restore.mailboxes'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(('.vb365.yml', '.vb365.yaml'))

    def _client(self):
        timeout = self.get_option('request_timeout')
        if timeout is None or timeout <= 0:
            raise AnsibleParserError('request_timeout must be a positive number of seconds, got %r' % (timeout,))
        try:
            return Vb365Client(
                server=self.get_option('server'), username=self.get_option('username'),
                password=self.get_option('password'), validate_certs=self.get_option('validate_certs'),
                ca_path=self.get_option('ca_path'), timeout=timeout, warn=self.display.warning)
        except (ValueError, Vb365Error) as exc:
            raise AnsibleParserError('server: %s' % exc)

    def _fetch(self):
        page_size = self.get_option('page_size')
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise AnsibleParserError('page_size: must be 1 to %d, got %d' % (MAX_PAGE_SIZE, page_size))
        point_in_time = normalize_point_in_time(self.get_option('point_in_time'))
        client = self._client()
        try:
            organization, mailboxes = read_backup(client, self.get_option('organization'), point_in_time, page_size)
        except Vb365Error as exc:
            raise AnsibleError('vb365.restore.mailboxes: %s' % client.redactor.text(str(exc)))
        finally:
            try:
                client.logout()
            except Vb365Error:
                pass
        keep = ('id', 'email', 'name', 'isArchive', 'isPublic')
        return {
            'organization': {'id': organization.get('id'), 'name': organization.get('name')},
            'point_in_time': point_in_time,
            'mailboxes': [dict((k, m.get(k)) for k in keep) for m in mailboxes],
        }

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        data = None
        if use_cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if data is None:
            data = self._fetch()
        if update_cache:
            self._cache[cache_key] = data
        self._populate(data)

    def _populate(self, data):
        emails = None
        if self.get_option('mailboxes_csv'):
            emails = read_csv_emails(self.get_option('mailboxes_csv'))
            known = set(str(m.get('email') or '').lower() for m in data['mailboxes'])
            missing = [e for e in emails if e not in known]
            if missing:
                self.display.warning('mailboxes_csv: %d rows name no backed-up mailbox of %s: %s' % (
                    len(missing), data['organization']['name'], ', '.join(missing[:20])))
        chosen = select(data['mailboxes'], self.get_option('mailboxes'), self.get_option('exclude'), emails,
                        self.get_option('archives'), self.get_option('public_folders'))
        strict = self.get_option('strict')
        for group in ('vb365_mailboxes', 'vb365_primary_mailboxes', 'vb365_archives', 'vb365_public_folders'):
            self.inventory.add_group(group)
        for mailbox in chosen:
            name = host_name(mailbox)
            self.inventory.add_host(name, group='vb365_mailboxes')
            if mailbox.get('isPublic'):
                self.inventory.add_child('vb365_public_folders', name)
            elif mailbox.get('isArchive'):
                self.inventory.add_child('vb365_archives', name)
            else:
                self.inventory.add_child('vb365_primary_mailboxes', name)
            variables = {
                'ansible_connection': 'local',
                'vb365_mailbox_id': mailbox['id'],
                'vb365_email': mailbox.get('email'),
                'vb365_name': mailbox.get('name'),
                'vb365_archive': bool(mailbox.get('isArchive')),
                'vb365_public': bool(mailbox.get('isPublic')),
                'vb365_organization': data['organization']['name'],
                'vb365_organization_id': data['organization']['id'],
                'vb365_point_in_time': data['point_in_time'],
            }
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option('compose'), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, name, strict=strict)
