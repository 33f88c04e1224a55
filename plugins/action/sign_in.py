# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sign_in action: Microsoft's device code flow on the controller, shown live to the person running
the job, for the operator and tenant sign-in of the other modules (see plugins/modules/sign_in.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import urlsplit

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.vb365.restore.plugins.module_utils.auth import (
    DeviceCodeSignIn,
    jwt_claims,
    operator_client_id,
    restore_portal_settings,
)
from ansible_collections.vb365.restore.plugins.module_utils.client import Vb365Client
from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365Error
from ansible_collections.vb365.restore.plugins.module_utils.module import CONNECTION_ARGUMENT_SPEC

display = Display()

ARGUMENT_SPEC = dict(CONNECTION_ARGUMENT_SPEC)
ARGUMENT_SPEC.update(
    sign_in_timeout=dict(type='int', default=300),
)


def same_host(url_a, url_b):
    """Whether two https URLs name the same host and port (the identity platform served by the VB365 host)."""
    first, second = urlsplit(url_a), urlsplit(url_b)
    return (first.hostname, first.port or 443) == (second.hostname, second.port or 443)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(ARGUMENT_SPEC)
        method = args['auth_method']
        if method not in ('operator', 'tenant'):
            raise AnsibleActionFail('auth_method: set operator or tenant; the password sign-in needs no Microsoft '
                                    'token')
        if args['sign_in_timeout'] < 1:
            raise AnsibleActionFail('sign_in_timeout: must be at least 1 second, got %d' % args['sign_in_timeout'])
        try:
            client = Vb365Client(args['server'], None, None, validate_certs=args['validate_certs'],
                                 ca_path=args['ca_path'], timeout=args['request_timeout'], warn=display.warning)
        except (Vb365Error, ValueError) as exc:
            raise AnsibleActionFail('server: %s' % exc)
        try:
            settings = restore_portal_settings(client)
            application_id = args['application_id'] if method == 'tenant' and args['application_id'] \
                else settings.get('applicationId')
            authority = settings.get('msalAuthorityUri')
            # The identity platform is checked with the system's trust store, unless the VB365 host serves it.
            verify = client.verify if authority and same_host(client.base_url, authority) else True
            flow = DeviceCodeSignIn(application_id, authority, verify=verify, timeout=args['request_timeout'])
            shown = flow.start()
            display.display('vb365.restore.sign_in: %s (waiting up to %d s)' % (
                shown['message'] or 'open %s and enter the code %s' % (shown['verification_uri'], shown['user_code']),
                args['sign_in_timeout']), color='bright purple')
            assertion = flow.wait(args['sign_in_timeout'])
            claims = jwt_claims(assertion)
        except Vb365Error as exc:
            raise AnsibleActionFail(client.redactor.text(exc.msg))
        user = claims.get('preferred_username') or claims.get('upn') or claims.get('oid')
        display.display('vb365.restore.sign_in: signed in as %s' % user)
        result.update(
            changed=False,
            assertion=assertion,
            user=user,
            client_id=operator_client_id(claims) if method == 'operator' else application_id,
            expires_on=claims.get('exp'),
            # The token is for later tasks only: never shown, at any verbosity.
            _ansible_no_log=True,
        )
        return result
