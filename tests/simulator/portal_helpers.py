"""Helpers of the simulator's own tests for Restore Portal operators and tenant users: a client that signs
in with a Microsoft assertion minted through the control API, and operator sessions by scope."""

from __future__ import annotations

from simhelpers import Client

HELPDESK = 'helpdesk@contoso.onmicrosoft.com'
JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'


class PortalClient(Client):
    """A ``Client`` signed in as ``user`` with the ``operator`` (default) or jwt-bearer grant."""

    def __init__(self, sim, user=HELPDESK, grant='operator'):
        self.user, self.grant = user, grant
        super().__init__(sim)

    def login(self):
        issued = self.control('POST', 'identity/assertion', {'user': self.user})
        if self.grant == 'operator':
            client_id = '%s.%s' % (issued['oid'], issued['tid'])
        else:
            client_id = self.control('GET', 'identity')['restore_portal_application_id']
        form = {'grant_type': self.grant, 'client_id': client_id, 'assertion': issued['assertion'],
                'disable_antiforgery_token': 'true'}
        answer = self.http.post(self.url + '/v8/token', data=form)
        assert answer.status_code == 200, answer.text
        self.tokens = answer.json()
        self.http.headers['Authorization'] = 'Bearer ' + self.tokens['access_token']
        return self.tokens

    def scope_item(self, name):
        """The EffectiveScope item whose user email or team mail is ``name``."""
        scope = self.call('GET', '/v8/Organization/LoggedInUser/EffectiveScope')
        for item in scope['users'] + scope['teams']:
            if name in ((item.get('user') or {}).get('name'), (item.get('team') or {}).get('mail')):
                return item
        raise AssertionError('%s is not in the effective scope' % name)

    def operator_explore(self, name, reason='Ticket 1', **body):
        body.setdefault('type', 'Vex')
        return self.call('POST', '/v8/Organization/OperatorExplore', expect=201,
                         json=dict(body, scope=self.scope_item(name), reason=reason))
