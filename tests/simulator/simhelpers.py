"""Helpers of the simulator's own tests: a requests client of the simulated API and its control API."""

from __future__ import annotations

import time

import requests

USER, PASSWORD = 'sim-test-admin', 'Sim-Test-Pa55-word!'
CONTOSO = 'contoso.onmicrosoft.com'
CREDS = {'userName': 'restore-admin@contoso.onmicrosoft.com', 'userPassword': 'Exchange-Pa55!'}
BULK_CREDS = {'office365UserName': 'restore-admin@contoso.onmicrosoft.com', 'office365UserPassword': 'Exchange-Pa55!'}


class Client:
    """requests against the simulator: ``call`` asserts the status, ``control`` talks to /_sim."""

    def __init__(self, sim):
        self.sim = sim
        self.url = sim.url
        self.http = requests.Session()
        self.http.verify = sim.ca_path
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
        self.tokens = None
        self.expected_violations = 0
        self.login()

    def login(self):
        form = {'grant_type': 'password', 'username': USER, 'password': PASSWORD, 'disable_antiforgery_token': 'true'}
        answer = self.http.post(self.url + '/v8/token', data=form)
        assert answer.status_code == 200, answer.text
        self.tokens = answer.json()
        self.http.headers['Authorization'] = 'Bearer ' + self.tokens['access_token']
        return self.tokens

    def raw(self, method, path, **kw):
        return self.http.request(method, self.url + path, **kw)

    def call(self, method, path, expect=200, **kw):
        answer = self.raw(method, path, **kw)
        assert answer.status_code == expect, (method, path, answer.status_code, answer.text[:800])
        if answer.content and 'json' in answer.headers.get('Content-Type', ''):
            return answer.json()
        return answer

    def error(self, method, path, expect, **kw):
        """An error answer: checks its status and RESTExceptionInfo shape, returns the body."""
        answer = self.raw(method, path, **kw)
        assert answer.status_code == expect, (method, path, answer.status_code, answer.text[:800])
        body = answer.json()
        assert set(body) == {'message', 'errorCode', 'stackTrace'} and body['stackTrace'] is None, body
        return body

    def control(self, method, name, body=None):
        answer = self.http.request(method, '%s/_sim/%s' % (self.url, name), json=body)
        assert answer.ok, (method, name, answer.status_code, answer.text[:500])
        return answer.json()

    def config(self, **values):
        return self.control('POST', 'config', values)

    def expect_violations(self, count):
        """The test provoked ``count`` violations on purpose: check and clear them."""
        found = self.control('GET', 'violations')
        assert len(found) == count, found
        self.control('DELETE', 'violations')
        return found

    # ---------------------------------------------------------------- dataset helpers
    def org_id(self, name=CONTOSO):
        return [o['id'] for o in self.call('GET', '/v8/Organizations')['results'] if o['name'] == name][0]

    def explore(self, org=CONTOSO, **body):
        body.setdefault('type', 'Vex')
        return self.call('POST', '/v8/Organizations/%s/explore' % self.org_id(org), json=body, expect=201)

    def mailbox(self, session, email, archive=False):
        page = self.call('GET', '/v8/RestoreSessions/%s/organization/mailboxes' % session['id'],
                         params={'limit': 10000})
        return [m for m in page['results'] if m['email'] == email and m['isArchive'] == archive][0]

    def root(self, session, mailbox=None):
        path = '/v8/RestoreSessions/%s/organization' % session['id']
        return path + '/mailboxes/%s' % mailbox['id'] if mailbox else path

    def folder(self, session, mailbox, path):
        parent = None
        for name in path.split('/'):
            params = {'name': name}
            if parent:
                params['parentId'] = parent['id']
            (parent,) = self.call('GET', self.root(session, mailbox) + '/folders', params=params)['results']
        return parent

    def wait(self, session_id, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            session = self.call('GET', '/v8/RestoreSessions/%s' % session_id)
            if session['state'] == 'Stopped':
                return session
            time.sleep(0.01)
        raise AssertionError('restore %s did not finish' % session_id)

    def restore(self, path, body, wait=True):
        """POST a restore; (operation session, statistics, events) once it is done."""
        answer = self.call('POST', path, json=body)
        assert set(answer) == {'sessionId'}
        if not wait:
            return answer['sessionId']
        op = self.wait(answer['sessionId'])
        stats = self.call('GET', '/v8/RestoreSessions/%s/Statistics' % op['id'])
        events = self.call('GET', '/v8/RestoreSessions/%s/Events' % op['id'])['results']
        return op, stats, events

    def production(self, email, archive=False):
        return self.control('GET', 'production/%s%s' % (email, '?archive=1' if archive else ''))

    def close(self):
        self.http.close()


def tour_sources_and_email(api, org):
    """Every restore source and email settings operation once (the contract tour)."""
    repos = api.call('GET', '/v8/BackupRepositories', params={'organizationId': org, 'limit': 100})['results']
    copy = [r for r in repos if r['name'] == 'Object storage copy'][0]
    jobs = api.call('GET', '/v8/Jobs', params={'organizationId': org})['results']
    api.call('GET', '/v8/CopyJobs', params={'organizationId': org})
    retrievals = api.call('GET', '/v8/DataRetrievals', params={'organizationId': org, 'dataState': 'Retrieved'})
    points = api.call('GET', '/v8/RestorePoints', params={'organizationId': org, 'orderAsc': 'false', 'limit': 5,
                                                          'isCopy': 'true', 'to': '2026-11-01T00:00:00Z'})['results']
    api.call('GET', '/v8/RestorePoints/%s' % points[0]['id'])
    sessions = [
        api.call('POST', '/v8/Organizations/%s/explore' % org, expect=201,
                 json={'type': 'Vex', 'repositoryId': copy['id'], 'dateTime': points[0]['backupTime']}),
        api.call('POST', '/v8/Jobs/%s/explore' % jobs[0]['id'], expect=201, json={'type': 'Vex'}),
        api.call('POST', '/v8/BackupRepositories/%s/explore' % copy['id'], expect=201,
                 params={'organizationId': org}, json={'type': 'Vex'}),
        api.call('POST', '/v8/DataRetrievals/%s/explore' % retrievals['results'][0]['id'], expect=201),
    ]
    for session in sessions:
        api.call('POST', '/v8/RestoreSessions/%s/Stop' % session['id'], expect=204)
    prepared = api.call('POST', '/v8/VexEmailSettings/PrepareOAuthSignIn', json={
        'authenticationServiceKind': 'Microsoft365', 'clientId': 'app', 'clientSecret': 'Client-Secret-1',
        'tenantId': 'contoso.onmicrosoft.com', 'redirectUrl': 'https://localhost/signed-in'})
    grant = [g for g in api.control('GET', 'oauth') if g['requestId'] == prepared['requestId']][0]
    done = api.call('POST', '/v8/VexEmailSettings/CompleteOAuthSignIn', json={'code': grant['code'],
                                                                              'state': grant['state']})
    api.call('POST', '/v8/VexEmailSettings/SendTestEmail', expect=204, json={'email': 'admin@contoso.example'})
    return done
