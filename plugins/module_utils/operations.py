# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every VB365 REST API operation the collection uses, in one table.

Each entry says how the operation is called: its method, its path template exactly as the
contract (tests/simulator/contract/vb365_v8.json) writes it, the query parameters and body
fields it accepts (their wire names), the body fields every request of it carries, the style of
Exchange credentials its body takes, and the kind of answer it gives. The client runs an entry
with ``client.call(OPERATION, params=..., body=..., **path_values)``; a module that changes the
server asks for it with ``mod.write(OPERATION, ...)``. No API path is written anywhere else.

tests/unit/plugins/module_utils/test_operations.py checks every entry against the contract: a
path, method, field or parameter the server does not know cannot ship. docs/development.md
("How to add an operation") walks through adding one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import string

# ---------------------------------------------------------------------------- kinds of answer
JSON = 'json'  # a JSON object (or an empty answer)
PAGE = 'page'  # a paged collection (offset/limit), read to the end by the client
RESTORE = 'restore'  # an asynchronous restore: the answer names the session that runs it
FILE = 'file'  # a file (PST, MSG or ZIP), streamed to disk
NONE = 'none'  # nothing worth reading (HTTP 204 or a body the collection ignores)

# ---------------------------------------------------------------------------- credential styles
# The Exchange credentials of a restore body (see restore.credentials_body).
STANDARD_CREDENTIALS = frozenset((
    'userName', 'userPassword', 'userCode', 'applicationId', 'applicationCertificate',
    'applicationCertificatePassword', 'impersonationAccountName'))
# The bulk restore names the user fields differently and also takes on-premises credentials.
BULK_CREDENTIALS = frozenset((
    'office365UserName', 'office365UserPassword', 'userCode', 'applicationId', 'applicationCertificate',
    'applicationCertificatePassword', 'impersonationAccountName', 'domainName', 'onPremisesUserName',
    'onPremisesUserPassword'))
CREDENTIAL_FIELDS = {'standard': STANDARD_CREDENTIALS, 'bulk': BULK_CREDENTIALS, 'none': frozenset()}

# ---------------------------------------------------------------------------- shared field sets
PAGING = ('offset', 'limit')
SEARCH_PAGING = PAGING + ('setId',)
EXPLORE = frozenset(('type', 'dateTime', 'showDeleted', 'showAllVersions'))
ITEM_FLAGS = frozenset(('changedItems', 'deletedItems', 'markRestoredAsUnread'))
MAILBOX_EXCLUDES = frozenset(('excludeDrafts', 'excludeDeletedItems', 'excludeInPlaceHoldItems',
                              'excludeLitigationHoldItems'))
TARGET = frozenset(('mailbox', 'folder', 'casServer', 'officeRegion', 'officeOrganizationName'))
PST_OPTIONS = frozenset(('enablePstSizeLimit', 'pstSizeLimitBytes'))

OPERATIONS = {}


class Operation:
    """One API operation: how to call it and what it accepts."""

    def __init__(self, name, method, path, query=(), body=(), always=(), credentials='none', answer=JSON,
                 idempotent=None, auth=True, form=False):
        self.name = name
        self.method = method
        self.path = path
        # Names of the path's {placeholders}, in order.
        self.path_names = tuple(field for _text, field, _spec, _conv in string.Formatter().parse(path) if field)
        self.query = frozenset(query)
        self.credentials = credentials
        self.body = frozenset(body) | CREDENTIAL_FIELDS[credentials] | frozenset(always)
        self.always = frozenset(always)
        self.answer = answer
        # Whether a request whose answer was lost may be sent again (true for reads; a Stop too).
        self.idempotent = method == 'GET' if idempotent is None else idempotent
        # False for the operations that need no token (signing in, the Restore Portal settings).
        self.auth = auth
        # The body is sent as a form (application/x-www-form-urlencoded) instead of JSON.
        self.form = form

    def __repr__(self):
        return '<%s %s %s>' % (self.name, self.method, self.path)


def _operation(name, method, path, **kwargs):
    OPERATIONS[name] = Operation(name, method, path, **kwargs)
    return OPERATIONS[name]


SESSIONS = '/v8/RestoreSessions/{restoreSessionId}'
MAILBOXES = SESSIONS + '/organization/mailboxes'
MAILBOX = MAILBOXES + '/{mailboxId}'
ITEMS = MAILBOX + '/items'

# ---------------------------------------------------------------------------- signing in
TOKEN = _operation(
    'token', 'POST', '/v8/token', form=True, auth=False,
    # A token request is safe to repeat: a lost answer only leaves a token nobody uses, which expires.
    idempotent=True, always=('grant_type', 'disable_antiforgery_token'),
    body=('username', 'password', 'refresh_token', 'client_id', 'assertion'))
LOGOUT = _operation('logout', 'POST', '/v8/token/logout', answer=NONE, idempotent=True)
RESTORE_PORTAL_SETTINGS = _operation('restore_portal_settings', 'GET', '/v8/RestorePortalSettings', auth=False)

# ---------------------------------------------------------------------------- organizations and sources
ORGANIZATIONS = _operation('organizations', 'GET', '/v8/Organizations', query=PAGING, answer=PAGE)
ORGANIZATION = _operation('organization', 'GET', '/v8/Organizations/{organizationId}')
EXPLORE_ORGANIZATION = _operation(
    'explore_organization', 'POST', '/v8/Organizations/{organizationId}/explore',
    body=EXPLORE | {'repositoryId'}, always=('type',))
JOBS = _operation('jobs', 'GET', '/v8/Jobs', query=PAGING + ('organizationId',), answer=PAGE)
EXPLORE_JOB = _operation('explore_job', 'POST', '/v8/Jobs/{jobId}/explore', body=EXPLORE, always=('type',))
COPY_JOBS = _operation('copy_jobs', 'GET', '/v8/CopyJobs', query=PAGING + ('organizationId',), answer=PAGE)
REPOSITORIES = _operation('repositories', 'GET', '/v8/BackupRepositories',
                          query=PAGING + ('organizationId',), answer=PAGE)
EXPLORE_REPOSITORY = _operation(
    'explore_repository', 'POST', '/v8/BackupRepositories/{repositoryId}/explore',
    query=('organizationId',), body=EXPLORE, always=('type',))
RETRIEVALS = _operation('retrievals', 'GET', '/v8/DataRetrievals', query=PAGING + ('organizationId',), answer=PAGE)
EXPLORE_RETRIEVAL = _operation('explore_retrieval', 'POST', '/v8/DataRetrievals/{dataRetrievalId}/explore')
RESTORE_POINTS = _operation(
    'restore_points', 'GET', '/v8/RestorePoints', answer=PAGE,
    query=PAGING + ('organizationId', 'jobId', 'repositoryId', 'orderAsc', 'from', 'to', 'isCopy', 'isLongTermCopy',
                    'isRetrieved'))
RESTORE_POINT = _operation('restore_point', 'GET', '/v8/RestorePoints/{restorePointId}')

# ---------------------------------------------------------------------------- Restore Portal (operators, tenant users)
LOGGED_IN_ORGANIZATION = _operation('logged_in_organization', 'GET', '/v8/Organization')
EFFECTIVE_SCOPE = _operation('effective_scope', 'GET', '/v8/Organization/LoggedInUser/EffectiveScope')
OPERATOR_EXPLORE = _operation(
    'operator_explore', 'POST', '/v8/Organization/OperatorExplore',
    body=EXPLORE | {'scope', 'reason'}, always=('type', 'scope'))
TENANT_EXPLORE = _operation('tenant_explore', 'POST', '/v8/Organization/Explore', body=EXPLORE, always=('type',))

# ---------------------------------------------------------------------------- restore sessions
RESTORE_SESSIONS = _operation(
    'restore_sessions', 'GET', '/v8/RestoreSessions', answer=PAGE,
    query=PAGING + ('startTimeFrom', 'startTimeTo', 'endTimeFrom', 'endTimeTo', 'orderBy', 'orderAsc'))
RESTORE_SESSION = _operation('restore_session', 'GET', SESSIONS)
SESSION_EVENTS = _operation('session_events', 'GET', SESSIONS + '/Events', query=PAGING, answer=PAGE)
SESSION_STATISTICS = _operation('session_statistics', 'GET', SESSIONS + '/Statistics')
# Stopping is safe to repeat, so a lost answer is retried like a read.
STOP_SESSION = _operation('stop_session', 'POST', SESSIONS + '/Stop', answer=NONE, idempotent=True)
DEVICE_CODE = _operation(
    'device_code', 'POST', SESSIONS + '/organization/restoreDeviceCode',
    body=('targetApplicationId', 'targetRegion', 'targetOrganizationName'))

# ---------------------------------------------------------------------------- browsing and searching
SESSION_MAILBOXES = _operation('session_mailboxes', 'GET', MAILBOXES, query=PAGING, answer=PAGE)
FOLDERS = _operation('folders', 'GET', MAILBOX + '/folders', query=PAGING + ('parentId',), answer=PAGE)
FOLDER = _operation('folder', 'GET', MAILBOX + '/folders/{folderId}')
ITEM_LIST = _operation('items', 'GET', ITEMS, query=PAGING + ('parentId',), answer=PAGE)
ITEM = _operation('item', 'GET', ITEMS + '/{itemId}')
SEARCH_FOLDER = _operation('search_folder', 'POST', MAILBOX + '/folders/{folderId}/search',
                           query=SEARCH_PAGING, body=('query',), always=('query',), answer=PAGE)
SEARCH_MAILBOX = _operation('search_mailbox', 'POST', MAILBOX + '/search',
                            query=SEARCH_PAGING, body=('query',), always=('query',), answer=PAGE)
SEARCH_MAILBOXES = _operation('search_mailboxes', 'POST', MAILBOXES + '/search',
                              query=SEARCH_PAGING, body=('query',), always=('query',), answer=PAGE)
# The only search whose pages have no setId.
SEARCH_ORGANIZATION = _operation('search_organization', 'POST', SESSIONS + '/organization/searchExchange',
                                 query=PAGING, body=('query',), always=('query',), answer=PAGE)

# ---------------------------------------------------------------------------- restores (asynchronous)
RESTORE_MAILBOX = _operation('restore_mailbox', 'POST', MAILBOX + '/restore', credentials='standard',
                             answer=RESTORE)
RESTORE_MAILBOX_TO = _operation(
    'restore_mailbox_to', 'POST', MAILBOX + '/restoreTo', credentials='standard', answer=RESTORE,
    body=ITEM_FLAGS | MAILBOX_EXCLUDES | TARGET, always=('mailbox',))
RESTORE_MAILBOXES = _operation(
    'restore_mailboxes', 'POST', MAILBOXES + '/restore', credentials='bulk', answer=RESTORE,
    body=ITEM_FLAGS | MAILBOX_EXCLUDES | {'casServer', 'skipUnresolved', 'recentItemRestorePeriod'},
    always=('mailboxes',))
RESTORE_FOLDER = _operation('restore_folder', 'POST', MAILBOX + '/folders/{folderId}/restore',
                            credentials='standard', answer=RESTORE)
RESTORE_FOLDER_TO = _operation(
    'restore_folder_to', 'POST', MAILBOX + '/folders/{folderId}/restoreTo', credentials='standard', answer=RESTORE,
    body=ITEM_FLAGS | MAILBOX_EXCLUDES | TARGET, always=('mailbox',))
# Items (item_restore offers no exclude flags: they are for whole mailboxes).
RESTORE_ITEMS = _operation('restore_items', 'POST', ITEMS + '/restore', credentials='standard', answer=RESTORE,
                           always=('items',))
RESTORE_ITEMS_TO = _operation(
    'restore_items_to', 'POST', ITEMS + '/restoreTo', credentials='standard', answer=RESTORE,
    body=ITEM_FLAGS | MAILBOX_EXCLUDES | TARGET, always=('items', 'mailbox'))
# No credentials: the Restore Portal's own.
OPERATOR_RESTORE_ITEMS = _operation(
    'operator_restore_items', 'POST', ITEMS + '/operatorRestore', answer=RESTORE,
    body=ITEM_FLAGS | {'folder', 'reason'}, always=('items',))
SEND_ITEMS = _operation('send_items', 'POST', ITEMS + '/sendToDefaultAddress', answer=NONE, always=('items',))
SEND_ITEMS_TO = _operation('send_items_to', 'POST', ITEMS + '/sendToDifferentAddress', answer=NONE,
                           body=('from', 'subject', 'text'), always=('items', 'to'))

# ---------------------------------------------------------------------------- exports (files)
EXPORT_ORGANIZATION = _operation('export_organization', 'POST', SESSIONS + '/organization/exportToPst',
                                 body=PST_OPTIONS | {'contentKeyword'}, answer=FILE, idempotent=True)
EXPORT_MAILBOX = _operation('export_mailbox', 'POST', MAILBOX + '/exportToPst',
                            body=PST_OPTIONS | {'contentKeyword'}, answer=FILE, idempotent=True)
EXPORT_FOLDER = _operation('export_folder', 'POST', MAILBOX + '/folders/{folderId}/exportToPst',
                           body=PST_OPTIONS | {'contentKeyword'}, answer=FILE, idempotent=True)
EXPORT_ITEM = _operation('export_item', 'POST', ITEMS + '/{itemId}/exportToPst', body=PST_OPTIONS, answer=FILE,
                         idempotent=True)
EXPORT_ITEMS = _operation('export_items', 'POST', ITEMS + '/exportToPst', body=PST_OPTIONS, always=('items',),
                          answer=FILE, idempotent=True)
SAVE_ITEM = _operation('save_item', 'POST', ITEMS + '/{itemId}/save', answer=FILE, idempotent=True)
SAVE_ITEMS = _operation('save_items', 'POST', ITEMS + '/Save', always=('items',), answer=FILE, idempotent=True)

# ---------------------------------------------------------------------------- email settings (sending items)
EMAIL_SETTINGS = _operation('email_settings', 'GET', '/v8/VexEmailSettings')
SET_EMAIL_SETTINGS = _operation(
    'set_email_settings', 'PUT', '/v8/VexEmailSettings', answer=NONE,
    body=('enableNotification', 'server', 'port', 'useSSL', 'from', 'useAuthentication', 'username',
          'userPassword', 'userId', 'mailApiUrl', 'requestId'))
PREPARE_OAUTH_SIGN_IN = _operation(
    'prepare_oauth_sign_in', 'POST', '/v8/VexEmailSettings/PrepareOAuthSignIn',
    body=('tenantId',), always=('authenticationServiceKind', 'clientId', 'clientSecret', 'redirectUrl'))
COMPLETE_OAUTH_SIGN_IN = _operation('complete_oauth_sign_in', 'POST', '/v8/VexEmailSettings/CompleteOAuthSignIn',
                                    always=('code', 'state'))
SEND_TEST_EMAIL = _operation('send_test_email', 'POST', '/v8/VexEmailSettings/SendTestEmail', always=('email',),
                             answer=NONE)


class Request:
    """One request a module wants sent: an operation, its path values, query and body, and what it does
    in words (shown in check mode's planned requests)."""

    def __init__(self, op, body=None, params=None, describe=None, **path_values):
        self.op = op
        self.body = body
        self.params = params
        self.describe = describe
        self.path_values = path_values
