# -*- coding: utf-8 -*-
"""Unit tests of the one HTTP client: auth, refresh, retries, paging, downloads, errors, redaction."""

from __future__ import annotations

import hashlib

import pytest
import requests
import responses

from ansible_collections.vb365.restore.plugins.module_utils import client as client_mod
from ansible_collections.vb365.restore.plugins.module_utils.client import Redactor, Vb365Client, normalize_server
from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365AuthenticationError,
    Vb365ConnectionError,
    Vb365DownloadError,
    Vb365Error,
    Vb365NotFoundError,
    Vb365ServerError,
)

from unit_helpers import BASE, FakeClock, form_of, json_of, token_body

SECRET = 'S3cret-Pa55word!'
SESSION = '11111111-2222-3333-4444-555555555555'


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def warnings():
    return []


@pytest.fixture
def client(clock, warnings):
    return Vb365Client('vb365.test', 'restore-admin', SECRET, warn=warnings.append, sleep=clock.sleep,
                       clock=clock.time, max_retries=3)


def add_login(api, **kwargs):
    api.add(responses.POST, BASE + '/v8/token', json=token_body(**kwargs))


ORGS = BASE + '/v8/Organizations'


def page(results, offset=0, limit=30, set_id=None):
    body = {'offset': offset, 'limit': limit, 'results': results}
    if set_id:
        body['setId'] = set_id
    return body


# ------------------------------------------------------------------ server names
@pytest.mark.parametrize('given, expected', [
    ('vb365.example.com', 'https://vb365.example.com:4443'),
    ('vb365.example.com:8443', 'https://vb365.example.com:8443'),
    ('https://vb365.example.com', 'https://vb365.example.com:4443'),
    ('https://vb365.example.com:4443/', 'https://vb365.example.com:4443'),
    ('https://vb365.example.com:4443/v8', 'https://vb365.example.com:4443'),
    ('10.1.2.3', 'https://10.1.2.3:4443'),
])
def test_normalize_server(given, expected):
    assert normalize_server(given) == expected


@pytest.mark.parametrize('bad', ['', '   ', 'https://host/some/path'])
def test_normalize_server_rejects(bad):
    with pytest.raises(ValueError):
        normalize_server(bad)


# ------------------------------------------------------------------ login and tokens
def test_login_uses_password_grant_and_bearer(api, client):
    add_login(api)
    api.add(responses.GET, ORGS, json=page([]))
    client.get('/Organizations')
    form = form_of(api.calls[0])
    assert form == {'grant_type': 'password', 'username': 'restore-admin', 'password': SECRET,
                    'disable_antiforgery_token': 'true'}
    assert api.calls[1].request.headers['Authorization'] == 'Bearer access-1'


def test_refresh_shortly_before_expiry(api, client, clock):
    add_login(api, expires_in=600)
    api.add(responses.GET, ORGS, json=page([]))
    api.add(responses.POST, BASE + '/v8/token', json=token_body(access='access-2', refresh='refresh-2', expires_in=600))
    api.add(responses.GET, ORGS, json=page([]))
    client.get('/Organizations')
    clock.now += 560  # inside the refresh margin (60 s, or 10 % of a short lifetime)
    client.get('/Organizations')
    assert form_of(api.calls[2]) == {
        'grant_type': 'refresh_token', 'refresh_token': 'refresh-1', 'disable_antiforgery_token': 'true'}
    assert api.calls[3].request.headers['Authorization'] == 'Bearer access-2'


def test_401_refreshes_once_and_retries(api, client):
    add_login(api)
    api.add(responses.GET, ORGS, status=401, json={'message': 'token expired'})
    api.add(responses.POST, BASE + '/v8/token', json=token_body(access='access-2', refresh='refresh-2'))
    api.add(responses.GET, ORGS, json=page([{'id': SESSION, 'name': 'x'}]))
    assert client.get('/Organizations')['results'][0]['name'] == 'x'
    assert form_of(api.calls[2])['grant_type'] == 'refresh_token'


def test_second_401_is_an_auth_error(api, client):
    add_login(api)
    api.add(responses.GET, ORGS, status=401, json={'message': 'token expired'})
    api.add(responses.POST, BASE + '/v8/token', json=token_body(access='access-2', refresh='refresh-2'))
    api.add(responses.GET, ORGS, status=401, json={'message': 'Access denied'})
    with pytest.raises(Vb365AuthenticationError) as err:
        client.get('/Organizations')
    assert err.value.status == 401
    assert 'GET /v8/Organizations' in err.value.msg


def test_refused_refresh_falls_back_to_login(api, client):
    add_login(api)
    api.add(responses.GET, ORGS, status=401, json={'message': 'expired'})
    api.add(responses.POST, BASE + '/v8/token', status=400, json={'message': 'invalid refresh token'})
    add_login(api, access='access-3', refresh='refresh-3')
    api.add(responses.GET, ORGS, json=page([]))
    client.get('/Organizations')
    assert form_of(api.calls[3])['grant_type'] == 'password'
    assert api.calls[4].request.headers['Authorization'] == 'Bearer access-3'


def test_wrong_password_message_has_no_secret(api, client):
    api.add(responses.POST, BASE + '/v8/token', status=400,
            json={'message': 'Invalid user name or password (got %s)' % SECRET, 'errorCode': 'ResourceAccessDenied'})
    with pytest.raises(Vb365AuthenticationError) as err:
        client.get('/Organizations')
    assert SECRET not in str(err.value)
    assert 'restore-admin' in str(err.value) and 'refused' in str(err.value)
    assert '********' in str(err.value)


def test_logout_revokes_and_forgets(api, client):
    add_login(api)
    api.add(responses.GET, ORGS, json=page([]))
    api.add(responses.POST, BASE + '/v8/token/logout', status=204)
    client.get('/Organizations')
    client.logout()
    assert api.calls[2].request.headers['Authorization'] == 'Bearer access-1'
    assert 'Authorization' not in client.session.headers


# ------------------------------------------------------------------ retries
def test_503_twice_then_ok_honours_retry_after(api, client, clock, warnings):
    add_login(api)
    api.add(responses.GET, ORGS, status=503, headers={'Retry-After': '2'}, json={'message': 'busy'})
    api.add(responses.GET, ORGS, status=503, headers={'Retry-After': '5'}, json={'message': 'busy'})
    api.add(responses.GET, ORGS, json=page([]))
    client.get('/Organizations')
    assert clock.sleeps == [2.0, 5.0]
    assert len(warnings) == 2
    assert 'HTTP 503' in warnings[0] and 'retry 1 of 3' in warnings[0]


def test_retry_after_as_http_date(api, client, clock):
    add_login(api)
    date = 'Mon, 23 Nov 2026 01:00:10 GMT'
    clock.now = 1795395600.0  # 2026-11-23T01:00:00Z
    api.add(responses.GET, ORGS, status=429, headers={'Retry-After': date})
    api.add(responses.GET, ORGS, json=page([]))
    client.get('/Organizations')
    assert clock.sleeps == [10.0]


def test_backoff_grows_with_jitter_when_no_retry_after(api, client, clock):
    add_login(api)
    for _attempt in range(3):
        api.add(responses.GET, ORGS, status=502)
    api.add(responses.GET, ORGS, json=page([]))
    client.get('/Organizations')
    assert len(clock.sleeps) == 3
    for attempt, delay in enumerate(clock.sleeps):
        ceiling = min(client.backoff_max, client.backoff_base * 2 ** attempt)
        assert ceiling / 2 <= delay <= ceiling


def test_retries_give_up_with_server_error(api, client, clock):
    add_login(api)
    for _attempt in range(4):
        api.add(responses.GET, ORGS, status=503, json={'message': 'maintenance', 'errorCode': 'ProxyOffline'})
    with pytest.raises(Vb365ServerError) as err:
        client.get('/Organizations')
    assert err.value.status == 503 and err.value.error_code == 'ProxyOffline'
    assert 'maintenance' in err.value.msg
    assert len(clock.sleeps) == 3


def test_write_not_retried_on_502(api, client, clock):
    add_login(api)
    stop = BASE + '/v8/RestoreSessions/%s/Stop' % SESSION
    api.add(responses.POST, stop, status=502)
    with pytest.raises(Vb365ServerError):
        client.post('/RestoreSessions/%s/Stop' % SESSION)
    assert clock.sleeps == []


def test_write_retried_on_503_and_429(api, client, clock):
    add_login(api)
    stop = BASE + '/v8/RestoreSessions/%s/Stop' % SESSION
    api.add(responses.POST, stop, status=503)
    api.add(responses.POST, stop, status=429)
    api.add(responses.POST, stop, status=204)
    assert client.post('/RestoreSessions/%s/Stop' % SESSION) is None
    assert len(clock.sleeps) == 2


def test_read_retried_on_connection_error(api, client, clock, warnings):
    add_login(api)
    api.add(responses.GET, ORGS, body=requests.exceptions.ConnectionError('Connection reset by peer'))
    api.add(responses.GET, ORGS, json=page([]))
    client.get('/Organizations')
    assert len(clock.sleeps) == 1 and 'ConnectionError' in warnings[0]


def test_write_not_retried_after_read_timeout(api, client, clock):
    add_login(api)
    stop = BASE + '/v8/RestoreSessions/%s/Stop' % SESSION
    api.add(responses.POST, stop, body=requests.exceptions.ReadTimeout('read timed out'))
    with pytest.raises(Vb365ConnectionError) as err:
        client.post('/RestoreSessions/%s/Stop' % SESSION)
    assert 'may have reached the server' in err.value.msg
    assert clock.sleeps == []


def test_write_retried_when_connection_refused(api, client, clock):
    add_login(api)
    stop = BASE + '/v8/RestoreSessions/%s/Stop' % SESSION
    api.add(responses.POST, stop, body=requests.exceptions.ConnectionError(
        'Failed to establish a new connection: [Errno 111] Connection refused'))
    api.add(responses.POST, stop, status=204)
    client.post('/RestoreSessions/%s/Stop' % SESSION)
    assert len(clock.sleeps) == 1


def test_tls_error_explains_ca_path(api, client):
    api.add(responses.POST, BASE + '/v8/token', body=requests.exceptions.SSLError('certificate verify failed'))
    with pytest.raises(Vb365ConnectionError) as err:
        client.get('/Organizations')
    assert 'ca_path' in err.value.msg


# ------------------------------------------------------------------ TLS settings
def test_ca_path_is_passed_on_every_request(api, clock, monkeypatch, tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('dummy')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    cli = Vb365Client('vb365.test', 'restore-admin', SECRET, ca_path=str(ca), sleep=clock.sleep, clock=clock.time)
    add_login(api)
    api.add(responses.GET, ORGS, json=page([]))
    cli.get('/Organizations')
    assert [c.request.req_kwargs['verify'] for c in api.calls] == [str(ca), str(ca)]


def test_validate_certs_false_is_passed(api, clock):
    cli = Vb365Client('vb365.test', 'restore-admin', SECRET, validate_certs=False, sleep=clock.sleep, clock=clock.time)
    add_login(api)
    cli.login()
    assert api.calls[0].request.req_kwargs['verify'] is False


# ------------------------------------------------------------------ errors and redaction
def test_not_found_maps_to_typed_error(api, client):
    add_login(api)
    url = BASE + '/v8/RestoreSessions/%s' % SESSION
    api.add(responses.GET, url, status=404, json={'message': 'Restore session not found.', 'errorCode': 'ResourceNotFound'})
    with pytest.raises(Vb365NotFoundError) as err:
        client.get('/RestoreSessions/%s' % SESSION)
    e = err.value
    assert (e.status, e.error_code, e.method, e.path) == (404, 'ResourceNotFound', 'GET', '/v8/RestoreSessions/%s' % SESSION)
    assert e.msg == 'GET /v8/RestoreSessions/%s failed: HTTP 404 ResourceNotFound: Restore session not found.' % SESSION


def test_server_echo_of_token_is_redacted(api, client):
    add_login(api, access='tok-abcdef123456')
    api.add(responses.GET, ORGS, status=400, json={'message': 'bad header Bearer tok-abcdef123456'})
    with pytest.raises(Exception) as err:
        client.get('/Organizations')
    assert 'tok-abcdef123456' not in str(err.value)


def test_redactor_masks_secret_fields_and_values():
    red = Redactor()
    red.add('hunter2-long')
    data = {'userName': 'ex-admin', 'userPassword': 'whatever', 'office365UserPassword': 'p',
            'applicationCertificate': 'MIIB...', 'note': 'pw is hunter2-long', 'items': [{'id': '1'}]}
    out = red.data(data)
    assert out['userPassword'] == out['office365UserPassword'] == out['applicationCertificate'] == '********'
    assert out['note'] == 'pw is ********' and out['userName'] == 'ex-admin' and out['items'] == [{'id': '1'}]
    assert data['userPassword'] == 'whatever'  # the original is untouched


# ------------------------------------------------------------------ paging
MAILBOXES = BASE + '/v8/RestoreSessions/%s/organization/mailboxes' % SESSION


def mailboxes(start, count):
    return [{'id': '00000000-0000-0000-0000-%012d' % i, 'name': 'm%d' % i} for i in range(start, start + count)]


def test_paging_reads_every_page(api, client):
    add_login(api)
    api.add(responses.GET, MAILBOXES, json=page(mailboxes(0, 3), 0, 3))
    api.add(responses.GET, MAILBOXES, json=page(mailboxes(3, 3), 3, 3))
    api.add(responses.GET, MAILBOXES, json=page(mailboxes(6, 1), 6, 3))
    result = client.paginate('/RestoreSessions/%s/organization/mailboxes' % SESSION, page_size=3)
    assert [m['name'] for m in result.items] == ['m%d' % i for i in range(7)]
    assert result.truncated is False and result.pages == 3
    offsets = [c.request.params['offset'] for c in api.calls[1:]]
    assert offsets == ['0', '3', '6']


def test_paging_survives_a_server_that_caps_the_page(api, client):
    """Asked for 10,000, the server serves 1,000 a page: a full page is not the end."""
    add_login(api)
    api.add(responses.GET, MAILBOXES, json=page(mailboxes(0, 1000), 0, 1000))
    api.add(responses.GET, MAILBOXES, json=page(mailboxes(1000, 1000), 1000, 1000))
    api.add(responses.GET, MAILBOXES, json=page([], 2000, 1000))
    result = client.paginate('/RestoreSessions/%s/organization/mailboxes' % SESSION)
    assert len(result.items) == 2000 and result.truncated is False
    assert api.calls[1].request.params['limit'] == '10000'


def test_limit_stops_and_says_truncated(api, client):
    add_login(api)
    api.add(responses.GET, MAILBOXES, json=page(mailboxes(0, 6), 0, 6))
    result = client.paginate('/RestoreSessions/%s/organization/mailboxes' % SESSION, limit=5)
    assert len(result.items) == 5 and result.truncated is True
    assert api.calls[1].request.params['limit'] == '6'  # one more than asked, to know


def test_limit_exactly_met_is_not_truncated(api, client):
    add_login(api)
    api.add(responses.GET, MAILBOXES, json=page(mailboxes(0, 5), 0, 6))
    result = client.paginate('/RestoreSessions/%s/organization/mailboxes' % SESSION, limit=5)
    assert len(result.items) == 5 and result.truncated is False


def test_search_pages_carry_set_id(api, client):
    add_login(api)
    url = MAILBOXES + '/search'
    set_id = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'
    api.add(responses.POST, url, json=page([{'id': 'i1'}, {'id': 'i2'}], 0, 2, set_id))
    api.add(responses.POST, url, json=page([{'id': 'i3'}], 2, 2, set_id))
    result = client.paginate('/RestoreSessions/%s/organization/mailboxes/search' % SESSION, method='POST',
                             json_body={'query': 'subject:invoice'}, page_size=2, use_set_id=True)
    assert [i['id'] for i in result.items] == ['i1', 'i2', 'i3']
    assert 'setId' not in api.calls[1].request.params
    assert api.calls[2].request.params['setId'] == set_id
    assert json_of(api.calls[2]) == {'query': 'subject:invoice'}


# ------------------------------------------------------------------ downloads
EXPORT = MAILBOXES + '/00000000-0000-0000-0000-000000000001/exportToPst'
EXPORT_PATH = '/RestoreSessions/%s/organization/mailboxes/00000000-0000-0000-0000-000000000001/exportToPst' % SESSION


def test_download_streams_to_file(api, client, tmp_path):
    content = bytes(range(256)) * 4096
    add_login(api)
    api.add(responses.POST, EXPORT, body=content, content_type='application/octet-stream',
            headers={'Content-Disposition': 'attachment; filename="alice.pst"'})
    dest = tmp_path / 'alice.pst.part'
    info = client.download(EXPORT_PATH, str(dest), json_body={}, chunk_size=65536)
    assert dest.read_bytes() == content
    assert info['sha256'] == hashlib.sha256(content).hexdigest()
    assert (info['size'], info['fetched'], info['filename'], info['resumed']) == (len(content), len(content), 'alice.pst', 0)


def test_download_resumes_a_partial_file_with_range(api, client, tmp_path):
    content = b'0123456789' * 1000
    dest = tmp_path / 'x.part'
    dest.write_bytes(content[:4000])
    add_login(api)
    api.add(responses.POST, EXPORT, body=content[4000:], status=206, content_type='application/octet-stream',
            headers={'Content-Range': 'bytes 4000-9999/10000'})
    info = client.download(EXPORT_PATH, str(dest), json_body={})
    assert api.calls[1].request.headers['Range'] == 'bytes=4000-'
    assert dest.read_bytes() == content
    assert info['fetched'] == 6000 and info['resumed'] == 1
    assert info['sha256'] == hashlib.sha256(content).hexdigest()


def test_download_restarts_when_server_ignores_range(api, client, tmp_path):
    content = b'abcdef' * 100
    dest = tmp_path / 'x.part'
    dest.write_bytes(b'stale bytes')
    add_login(api)
    api.add(responses.POST, EXPORT, body=content, status=200, content_type='application/octet-stream')
    info = client.download(EXPORT_PATH, str(dest), json_body={})
    assert dest.read_bytes() == content and info['restarts'] == 1


def test_download_resume_false_starts_over(api, client, tmp_path):
    dest = tmp_path / 'x.part'
    dest.write_bytes(b'old')
    add_login(api)
    api.add(responses.POST, EXPORT, body=b'new content', content_type='application/octet-stream')
    client.download(EXPORT_PATH, str(dest), json_body={}, resume=False)
    assert 'Range' not in api.calls[1].request.headers
    assert dest.read_bytes() == b'new content'


def test_download_error_body_is_reported(api, client, tmp_path):
    add_login(api)
    api.add(responses.POST, EXPORT, status=500,
            json={'message': 'Microsoft Outlook 64-bit is required to export to PST.', 'errorCode': None})
    with pytest.raises(Vb365ServerError) as err:
        client.download(EXPORT_PATH, str(tmp_path / 'x.part'), json_body={})
    assert 'Outlook' in err.value.msg


def test_download_unwritable_destination(api, client, tmp_path):
    add_login(api)
    api.add(responses.POST, EXPORT, body=b'data', content_type='application/octet-stream')
    with pytest.raises(Vb365DownloadError) as err:
        client.download(EXPORT_PATH, str(tmp_path / 'missing-dir' / 'x.part'), json_body={})
    assert 'cannot write' in err.value.msg


def test_download_a_text_or_json_answer_is_the_servers_error_not_the_file(api, client, tmp_path):
    add_login(api)
    api.add(responses.POST, EXPORT, status=200, json={'message': 'The export was cancelled by an operator.'})
    api.add(responses.POST, EXPORT, status=200, body='<html>Proxy: upstream busy</html>', content_type='text/html')
    for expected in ('cancelled by an operator', 'Proxy: upstream busy'):
        with pytest.raises(Vb365Error) as err:
            client.download(EXPORT_PATH, str(tmp_path / 'x.part'), json_body={})
        assert expected in err.value.msg and 'HTTP 200' in err.value.msg
    assert not (tmp_path / 'x.part').exists()


def test_download_starts_over_when_a_range_answer_is_not_the_rest(api, client, clock, warnings, tmp_path):
    content = b'0123456789' * 1000
    dest = tmp_path / 'x.part'
    dest.write_bytes(content[:4000])
    add_login(api)
    # The server sends bytes from 3000 on: appending them would corrupt the file.
    api.add(responses.POST, EXPORT, body=content[3000:], status=206, content_type='application/octet-stream',
            headers={'Content-Range': 'bytes 3000-9999/10000'})
    api.add(responses.POST, EXPORT, body=content, status=200, content_type='application/octet-stream')
    info = client.download(EXPORT_PATH, str(dest), json_body={})
    assert api.calls[1].request.headers['Range'] == 'bytes=4000-' and 'Range' not in api.calls[2].request.headers
    assert dest.read_bytes() == content and info['sha256'] == hashlib.sha256(content).hexdigest()
    assert (info['restarts'], info['resumed'], info['fetched']) == (1, 0, 10000)
    assert 'bytes from 3000 of a file of 10000 bytes' in warnings[0]


def test_download_starts_over_when_the_file_changed_size_between_two_answers(api, client, tmp_path):
    first, second = b'a' * 1000, b'b' * 1500
    add_login(api)
    api.add(responses.POST, EXPORT, body=first[:400], status=200, content_type='application/octet-stream',
            headers={'Content-Length': '1000'}, auto_calculate_content_length=False)
    api.add(responses.POST, EXPORT, body=second[400:], status=206, content_type='application/octet-stream',
            headers={'Content-Range': 'bytes 400-1499/1500'})
    api.add(responses.POST, EXPORT, body=second, status=200, content_type='application/octet-stream')
    dest = tmp_path / 'x.part'
    info = client.download(EXPORT_PATH, str(dest), json_body={})
    assert dest.read_bytes() == second and info['size'] == 1500 and info['restarts'] == 1


def test_download_without_room_for_the_file_fails_before_writing(api, client, tmp_path, monkeypatch):
    add_login(api)
    api.add(responses.POST, EXPORT, body=b'x' * 5000, content_type='application/octet-stream',
            auto_calculate_content_length=True)
    monkeypatch.setattr(client_mod.shutil, 'disk_usage', lambda path: type('Usage', (), {'free': 4096})())
    dest = tmp_path / 'x.part'
    with pytest.raises(Vb365DownloadError) as err:
        client.download(EXPORT_PATH, str(dest), json_body={})
    assert err.value.msg == 'no space left for %s: 5000 more bytes are needed, 4096 are free' % dest
    assert not dest.exists()


def test_download_a_full_disk_while_writing_is_said_plainly(api, client, tmp_path, monkeypatch):
    add_login(api)
    api.add(responses.POST, EXPORT, body=b'x' * 300000, content_type='application/octet-stream',
            auto_calculate_content_length=True)
    real_open = open

    class FullDisk:
        def __init__(self, path, mode, **kwargs):
            self.handle, self.written = real_open(path, mode, **kwargs), 0

        def write(self, data):
            if self.written + len(data) > 200000:
                raise OSError(28, 'No space left on device')
            self.written += len(data)
            return self.handle.write(data)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(client_mod, 'open', FullDisk, raising=False)
    dest = tmp_path / 'x.part'
    with pytest.raises(Vb365DownloadError) as err:
        client.download(EXPORT_PATH, str(dest), json_body={}, chunk_size=65536)
    assert err.value.msg == 'no space left on the device of %s: 196608 of 300000 bytes written' % dest


class ShortWrites:
    """A file that takes at most ``step`` bytes per write and fails once ``limit`` bytes are in."""

    def __init__(self, step, limit=None):
        self.data, self.step, self.limit, self.sizes = bytearray(), step, limit, []

    def write(self, view):
        if self.limit is not None and len(self.data) >= self.limit:
            raise OSError(28, 'No space left on device')
        taken = bytes(view[:self.step])
        self.sizes.append(len(view))
        self.data += taken
        return len(taken)


def test_sink_writes_every_byte_in_slices_and_hashes_what_is_written():
    digest = hashlib.sha256()
    handle = ShortWrites(step=50000)
    sink = client_mod._Sink(handle, digest, slice_size=65536)
    chunks = [bytes([n]) * 200000 for n in range(5)]
    for chunk in chunks:
        sink.put(chunk)
    sink.close()
    assert bytes(handle.data) == b''.join(chunks) and sink.written == 1000000
    assert digest.hexdigest() == hashlib.sha256(b''.join(chunks)).hexdigest()
    # No write asks for more than a slice, whatever the chunk size.
    assert max(handle.sizes) == 65536


def test_sink_hashes_only_the_bytes_written_before_a_failed_write():
    digest = hashlib.sha256()
    handle = ShortWrites(step=65536, limit=300000)
    sink = client_mod._Sink(handle, digest, slice_size=65536)
    sink.put(b'a' * 200000)
    with pytest.raises(OSError):
        sink.put(b'b' * 200000)
    sink.close()
    assert sink.written == len(handle.data) == 200000 + 2 * 65536
    assert digest.hexdigest() == hashlib.sha256(bytes(handle.data)).hexdigest()


def test_sink_fails_on_a_file_that_takes_no_bytes():
    handle = ShortWrites(step=0)
    sink = client_mod._Sink(handle, hashlib.sha256())
    with pytest.raises(OSError, match='the file took none of 5 bytes'):
        sink.put(b'12345')
    sink.close()
    assert sink.written == 0


def test_url_building(client):
    assert client.url('/Organizations') == BASE + '/v8/Organizations'
    assert client.url('RestoreSessions') == BASE + '/v8/RestoreSessions'
    assert client.url('/v8/token') == BASE + '/v8/token'
    assert client_mod.MAX_PAGE_SIZE == 10000
