# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of the collection for the VB365 REST API (v8).

Everything that talks to the server lives here: login and token refresh, retries with
backoff, TLS, timeouts, paging, streamed downloads with ``Range`` resume, error mapping and
secret redaction.  Modules never call ``requests`` themselves.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.message
import email.utils
import errno
import hashlib
import os
import queue
import random
import re
import shutil
import threading
import time
from urllib.parse import quote, urlencode

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by ansible-test's import test
    requests = None
    HTTPAdapter = object
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.vb365.restore.plugins.module_utils.errors import (
    Vb365AuthenticationError,
    Vb365ConnectionError,
    Vb365DownloadError,
    Vb365Error,
    Vb365ServerError,
    error_class_for_status,
)
from ansible_collections.vb365.restore.plugins.module_utils.operations import (
    FILE,
    LOGOUT,
    PAGE,
    TOKEN,
)

API_VERSION = 'v8'
DEFAULT_PORT = 4443
MAX_PAGE_SIZE = 10000
REDACTED = '********'

# Statuses worth another try, and which of them prove the server did not process a write.
RETRY_STATUSES = frozenset((429, 502, 503, 504))
WRITE_SAFE_STATUSES = frozenset((429, 503))
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS'))

# Body fields that always hold secrets, whatever their value.
SECRET_FIELDS = frozenset((
    'password', 'userpassword', 'office365userpassword', 'onpremisesuserpassword',
    'applicationcertificate', 'applicationcertificatepassword', 'access_token',
    'refresh_token', 'assertion', 'usercode',
))


def normalize_server(server):
    """Turn ``host``, ``host:port`` or a URL into ``https://host:port``."""
    if not server or not str(server).strip():
        raise ValueError('server is empty')
    server = str(server).strip().rstrip('/')
    if re.search(r'\s', server):
        raise ValueError('server %r contains a space' % server)
    if '://' not in server:
        server = 'https://' + server
    match = re.match(r'^(https?)://([^/?#@]+)(/.*)?$', server, re.IGNORECASE)
    if not match:
        raise ValueError('server %r is not a host name, host:port or URL' % server)
    scheme, netloc, path = match.group(1).lower(), match.group(2), match.group(3) or ''
    if path and not re.match(r'^/v\d+$', path, re.IGNORECASE):
        raise ValueError('server %r has a path; give the host (and port) only' % server)
    host, port = netloc, None
    bracketed = re.match(r'^(\[[0-9A-Fa-f:.]+\])(?::(.*))?$', netloc)
    if bracketed:
        host, port = bracketed.group(1), bracketed.group(2)
    elif ':' in netloc:
        host, port = netloc.rsplit(':', 1)
    if not bracketed and not re.match(r'^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$', host):
        raise ValueError('server %r: %r is not a host name or IP address' % (server, host))
    if port is not None:
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError('server %r: the port must be a number from 1 to 65535, not %r' % (server, port))
        port = int(port)
    return '%s://%s:%d' % (scheme, host, port or DEFAULT_PORT)


def grant_form(grant_type, **fields):
    """The form body of a ``POST /token`` request, for every grant type in one place.

    ``disable_antiforgery_token=true`` goes with every grant: the antiforgery token is a browser
    cookie, and a server that enforces it refuses any grant sent without this field.
    """
    form = {'grant_type': grant_type}
    form.update((key, value) for key, value in fields.items() if value is not None)
    form['disable_antiforgery_token'] = 'true'
    return form


class Redactor:
    """Replaces every registered secret, and secret-looking fields, with a mask."""

    def __init__(self):
        self._secrets = set()

    def add(self, *values):
        for value in values:
            if value and isinstance(value, str) and len(value) >= 3:
                self._secrets.add(value)

    def text(self, value):
        if value is None:
            return value
        text = value if isinstance(value, str) else str(value)
        # Longest first, so that a secret containing another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = re.sub(r'(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+', r'\1' + REDACTED, text)
        return text

    def data(self, value):
        """A deep copy of JSON-like data with secret fields and values masked."""
        if isinstance(value, dict):
            return dict(
                (k, REDACTED if str(k).lower() in SECRET_FIELDS and v not in (None, '') else self.data(v))
                for k, v in value.items()
            )
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


class Page:
    """The result of reading a paged collection."""

    def __init__(self, items, truncated, pages):
        self.items = items
        self.truncated = truncated
        self.pages = pages


class Vb365Client:
    """A logged-in conversation with one VB365 server.

    ``warn`` receives one message per retry; ``sleep`` and ``clock`` are injectable so that
    tests run without waiting.
    """

    def __init__(self, server, username, password, validate_certs=True, ca_path=None,
                 timeout=60, max_retries=4, backoff_base=1.0, backoff_max=60.0,
                 warn=None, sleep=None, clock=None, session=None, redactor=None, auth=None):
        if not HAS_REQUESTS:
            raise Vb365Error('the Python library requests is required: %s' % REQUESTS_IMPORT_ERROR)
        self.base_url = normalize_server(server)
        self.username = username
        self._password = password
        self.redactor = redactor or Redactor()
        self.redactor.add(password)
        # The sign-in method (auth.SignIn) builds the token request; None: the password grant.
        self.auth = auth
        if auth is not None:
            self.redactor.add(*auth.secrets())
        # validate_certs: false turns verification off, also when a CA bundle is given (the
        # module warns that ca_path is ignored then). A CA bundle given by the user wins over
        # REQUESTS_CA_BUNDLE: it is passed on every request, where the environment cannot override it.
        if not validate_certs:
            self.verify = False
        elif ca_path:
            self.verify = ca_path
        else:
            self.verify = True
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._warn = warn or (lambda msg: None)
        self._sleep = sleep or time.sleep
        self._clock = clock or time.time
        self.session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=8, max_retries=0)
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)
        self.session.headers.update({'Accept': 'application/json', 'User-Agent': 'vb365.restore-ansible'})
        self._access_token = None
        self._refresh_token = None
        self._expires_at = 0.0
        self._lifetime = 0.0
        self.trace = []

    # ------------------------------------------------------------------ helpers
    def url(self, path):
        if path.startswith('http://') or path.startswith('https://'):
            return path
        if not path.startswith('/'):
            path = '/' + path
        if not re.match(r'^/v\d+/', path):
            path = '/%s%s' % (API_VERSION, path)
        return self.base_url + path

    @staticmethod
    def path_of(url):
        return re.sub(r'^https?://[^/]+', '', url)

    def warn(self, msg):
        self._warn(self.redactor.text(msg))

    def _record(self, method, url, status, started, note=None):
        entry = {
            'method': method,
            'path': self.path_of(url),
            'status': status,
            'ms': int((self._clock() - started) * 1000),
        }
        if note:
            entry['note'] = self.redactor.text(note)
        self.trace.append(entry)
        # Keep the trace bounded on long waits.
        if len(self.trace) > 200:
            del self.trace[:len(self.trace) - 200]

    def _backoff(self, attempt, response=None):
        """Seconds to wait before try ``attempt + 1``: Retry-After, else exponential with jitter."""
        if response is not None:
            retry_after = response.headers.get('Retry-After')
            if retry_after:
                retry_after = retry_after.strip()
                if retry_after.isdigit():
                    return min(float(retry_after), self.backoff_max)
                parsed = email.utils.parsedate_tz(retry_after)
                if parsed:
                    return max(0.0, min(email.utils.mktime_tz(parsed) - self._clock(), self.backoff_max))
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** attempt))
        return ceiling / 2.0 + random.uniform(0, ceiling / 2.0)

    def _error_from_response(self, method, url, response):
        path = self.path_of(url)
        server_message = None
        error_code = None
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            server_message = body.get('message') or body.get('error_description') or body.get('error')
            error_code = body.get('errorCode')
        if not server_message:
            text = (response.text or '').strip() if response.headers.get('Content-Type', '').startswith(('text', 'application/json')) else ''
            server_message = text[:300] or (response.reason or 'no message')
        msg = '%s %s failed: HTTP %s%s: %s' % (
            method, path, response.status_code,
            (' %s' % error_code) if error_code else '', server_message)
        cls = error_class_for_status(response.status_code)
        return cls(self.redactor.text(msg), status=response.status_code, error_code=error_code,
                   method=method, path=path)

    # ------------------------------------------------------------------ tokens
    def _token_request(self, form, refresh=False):
        # The token endpoint gets no stale bearer header; TOKEN says a lost answer may be asked again.
        response = self.send(TOKEN, body=form, note='refresh' if refresh else 'login', expected=(200,),
                             raise_errors=False)
        if response.status_code != 200:
            err = self._error_from_response('POST', response.url, response)
            response.close()
            raise Vb365AuthenticationError(
                ('token refresh refused: %s' if refresh else
                 'login to %s as %s refused: %%s' % (self.base_url, self.username)) % err.msg,
                status=response.status_code, error_code=err.error_code, method='POST', path=err.path)
        try:
            body = response.json()
            access = body['access_token']
        except (ValueError, KeyError, TypeError):
            raise Vb365AuthenticationError('the token endpoint of %s answered without an access token' % self.base_url)
        self._access_token = access
        self._refresh_token = body.get('refresh_token')
        self.redactor.add(access, self._refresh_token)
        lifetime = float(body.get('expires_in') or 3600)
        self._lifetime = lifetime
        self._expires_at = self._clock() + lifetime
        self.session.headers['Authorization'] = 'Bearer %s' % access

    def login(self):
        if self.auth is not None:
            self._token_request(self.auth.token_form(self))
            return
        if not self.username or not self._password:
            raise Vb365AuthenticationError('username and password are required to log in to %s' % self.base_url)
        self._token_request(grant_form('password', username=self.username, password=self._password))

    def refresh(self):
        """Renew the access token; fall back to a new login when the refresh token is refused."""
        if self._refresh_token:
            try:
                self._token_request(grant_form('refresh_token', refresh_token=self._refresh_token), refresh=True)
                return
            except Vb365AuthenticationError:
                pass
        self.login()

    def _ensure_token(self):
        if self._access_token is None:
            self.login()
            return
        margin = min(60.0, self._lifetime * 0.1)
        if self._clock() >= self._expires_at - margin:
            self.refresh()

    def logout(self):
        """End the API session; errors are ignored (the token expires anyway)."""
        if self._access_token is None:
            return
        try:
            # Sent once (retries=0): the module is ending, and the token expires anyway. No refresh
            # of the token either (auth=False): the bearer header in place is the one to end.
            self.send(LOGOUT, raise_errors=False, auth=False, retries=0).close()
        except Vb365Error:
            pass
        finally:
            self._access_token = None
            self.session.headers.pop('Authorization', None)

    # ------------------------------------------------------------------ requests
    def _connection_error(self, method, url, exc):
        path = self.path_of(url)
        what = describe_connection_failure(exc, self.base_url, self.timeout)
        return Vb365ConnectionError(self.redactor.text('%s %s: %s' % (method, path, what)), method=method, path=path)

    @staticmethod
    def _not_sent(exc):
        """True when the connection failed before the request could reach the server."""
        if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError)):
            return True
        if isinstance(exc, requests.exceptions.ConnectionError):
            text = str(exc)
            markers = ('NewConnectionError', 'Connection refused', 'Name or service', 'Failed to establish',
                       'nodename nor servname')
            return any(marker in text for marker in markers)
        return False

    def request(self, method, path, params=None, json_body=None, idempotent=None, stream=False,
                headers=None, expected=None):
        """Send one API request with auth, retries and error mapping; returns the response.

        ``idempotent`` says whether a failure after the request was sent may be retried
        (default: true for GET).  ``expected`` lists statuses treated as success (default 2xx).
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        return self._send(method, self.url(path), params=params, json_body=json_body, idempotent=idempotent,
                          stream=stream, headers=headers, expected=expected)

    def _send(self, method, url, params=None, json_body=None, data=None, idempotent=False, stream=False,
              headers=None, expected=None, auth=True, note=None, raise_errors=True, retries=None):
        """The one sending loop: every request, the token requests too, is retried here.

        A connection error is retried when the request is idempotent or provably did not reach
        the server; 429/502/503/504 when idempotent, 429/503 always (the server did not process
        it). With ``auth`` a token is ensured first and a 401 refreshes it once. ``retries``
        lowers the number of retries (``max_retries``) for one request.
        """
        max_retries = self.max_retries if retries is None else min(retries, self.max_retries)
        refreshed = False
        attempt = 0
        while True:
            if auth:
                self._ensure_token()
            started = self._clock()
            try:
                response = self.session.request(
                    method, url, params=params, json=json_body, data=data, verify=self.verify,
                    timeout=self.timeout, stream=stream, headers=headers)
            except requests.exceptions.RequestException as exc:
                self._record(method, url, None, started, type(exc).__name__)
                retryable = idempotent or self._not_sent(exc)
                if isinstance(exc, requests.exceptions.SSLError) or not retryable or attempt >= max_retries:
                    err = self._connection_error(method, url, exc)
                    if not retryable and not isinstance(exc, requests.exceptions.SSLError):
                        err.msg += ' (the request may have reached the server: not retried)'
                        err.args = (err.msg,)
                        err.maybe_processed = True
                    raise err
                delay = self._backoff(attempt)
                attempt += 1
                self.warn('%s %s: %s; retry %d of %d in %.1f s' % (
                    method, self.path_of(url), type(exc).__name__, attempt, max_retries, delay))
                self._sleep(delay)
                continue
            self._record(method, url, response.status_code, started, note)
            status = response.status_code
            if auth and status == 401 and not refreshed:
                response.close()
                refreshed = True
                self.refresh()
                continue
            if status in RETRY_STATUSES and (idempotent or status in WRITE_SAFE_STATUSES) \
                    and attempt < max_retries:
                delay = self._backoff(attempt, response)
                response.close()
                attempt += 1
                self.warn('%s %s: HTTP %d; retry %d of %d in %.1f s' % (
                    method, self.path_of(url), status, attempt, max_retries, delay))
                self._sleep(delay)
                continue
            ok = (status in expected) if expected else (200 <= status < 300)
            if not ok and raise_errors:
                try:
                    err = self._error_from_response(method, url, response)
                finally:
                    response.close()
                if not idempotent and status in (502, 504):
                    # A gateway answered: the server behind it may have received the request.
                    err.msg += (' (a gateway answered: the server may have received the request and acted on it; '
                                'it was not sent again)')
                    err.args = (err.msg,)
                    err.maybe_processed = True
                raise err
            return response

    def json(self, method, path, params=None, json_body=None, idempotent=None):
        """A request whose answer is JSON (or empty); returns the decoded body or None."""
        response = self.request(method, path, params=params, json_body=json_body, idempotent=idempotent)
        return self._decoded(method, response)

    def _decoded(self, method, response):
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise Vb365ServerError('%s %s: the server answered with something that is not JSON' % (
                method, self.path_of(response.url)), status=response.status_code, method=method,
                path=self.path_of(response.url))

    def get(self, path, params=None):
        return self.json('GET', path, params=params)

    def post(self, path, json_body=None, params=None, idempotent=False):
        return self.json('POST', path, params=params, json_body=json_body, idempotent=idempotent)

    # ------------------------------------------------------------------ operations
    @staticmethod
    def path_for(op, path_values):
        """The path of one request of ``op``; every path value is URL-encoded here, and only here."""
        given, wanted = set(path_values), set(op.path_names)
        if given != wanted:
            raise ValueError('%s takes the path values %s, not %s' % (
                op.name, ', '.join(sorted(wanted)) or 'none', ', '.join(sorted(given)) or 'none'))
        return op.path.format(**dict((name, quote(str(value), safe='')) for name, value in path_values.items()))

    def shown_path(self, request):
        """The path of a ``Request`` as the user sees it (in check mode's planned requests, in messages)."""
        path = self.path_of(self.url(self.path_for(request.op, request.path_values)))
        return '%s?%s' % (path, urlencode(request.params)) if request.params else path

    @staticmethod
    def check_request(op, params=None, body=None):
        """Refuse a query parameter or body field that ``op`` does not accept, or a body without a
        field it always needs: a mistake in the collection, caught before anything is sent."""
        unknown = sorted(set(params or ()) - op.query)
        if unknown:
            raise ValueError('%s takes no query parameter %s' % (op.name, ', '.join(unknown)))
        if body is None:
            if op.always:
                raise ValueError('%s needs a body with %s' % (op.name, ', '.join(sorted(op.always))))
            return
        unknown = sorted(set(body) - op.body)
        missing = sorted(op.always - set(body))
        if unknown or missing:
            raise ValueError('%s: the body %s' % (op.name, '; '.join(
                text for text in ('has fields the operation does not take: %s' % ', '.join(unknown) if unknown else '',
                                  'lacks %s' % ', '.join(missing) if missing else '') if text)))

    def send(self, op, params=None, body=None, path_values=None, headers=None, **options):
        """One request of ``op`` through the retrying send loop; returns the response."""
        path_values = path_values or {}
        self.check_request(op, params, body)
        url = self.url(self.path_for(op, path_values))
        if not op.auth:
            headers = dict(headers or {}, Accept='application/json', Authorization=None)
        if op.form:
            options['data'] = body
        else:
            options['json_body'] = body
        options.setdefault('auth', op.auth)
        return self._send(op.method, url, params=params, idempotent=op.idempotent, headers=headers, **options)

    def call(self, op, params=None, body=None, limit=None, page_size=MAX_PAGE_SIZE, dest=None, resume=True,
             progress=None, **path_values):
        """Run one operation of operations.py, whatever its kind of answer.

        A page operation is read to the end (or to ``limit`` items) and returns a ``Page``; a file
        operation is streamed to ``dest`` and returns what ``download`` does; any other returns the
        decoded JSON answer, or None when there is none.
        """
        if op.answer == PAGE:
            self.check_request(op, dict(params or {}, offset=0, limit=0), body)
            return self.paginate(self.path_for(op, path_values), method=op.method, params=params, json_body=body,
                                 limit=limit, page_size=page_size, use_set_id='setId' in op.query)
        if op.answer == FILE:
            self.check_request(op, params, body)
            return self.download(self.path_for(op, path_values), dest, json_body=body, method=op.method,
                                 resume=resume, progress=progress)
        # A request without sign-in is noted in the trace by its operation's name.
        response = self.send(op, params=params, body=body, path_values=path_values,
                             note=None if op.auth else op.name.replace('_', ' '))
        return self._decoded(op.method, response)

    # ------------------------------------------------------------------ paging
    def paginate(self, path, method='GET', params=None, json_body=None, limit=None, page_size=MAX_PAGE_SIZE,
                 use_set_id=False):
        """Read a paged collection to the end (or to ``limit`` items) and return a ``Page``.

        Pages follow ``offset``/``limit``; the server's own ``limit`` in each answer says how many
        it serves at most, so a server that caps the page size is never mistaken for the end.
        ``use_set_id`` sends the ``setId`` of the first page on the next ones (searches).
        ``truncated`` is true only when ``limit`` stopped the reading and more items exist.
        """
        items = []
        offset = 0
        set_id = None
        pages = 0
        page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
        while True:
            want = page_size
            if limit is not None:
                # Ask for one more than needed, to know whether the limit cut anything.
                want = min(page_size, limit - len(items) + 1)
            query = dict(params or {})
            query.update({'offset': offset, 'limit': want})
            if set_id:
                query['setId'] = set_id
            body = self.json(method, path, params=query, json_body=json_body, idempotent=True) or {}
            pages += 1
            results = body.get('results') or []
            if use_set_id and body.get('setId'):
                set_id = body['setId']
            items.extend(results)
            if limit is not None and len(items) > limit:
                return Page(items[:limit], True, pages)
            served = body.get('limit') or want
            if not results or len(results) < min(served, want):
                return Page(items, False, pages)
            offset += len(results)

    # ------------------------------------------------------------------ downloads
    def download(self, path, dest, json_body=None, method='POST', resume=True, chunk_size=1024 * 1024,
                 max_cuts=5, progress=None):
        """Stream a file answer to ``dest`` in constant memory, resuming a cut transfer with Range.

        ``dest`` is written in place (callers pass a temporary path and rename it when complete).
        When ``resume`` is true and ``dest`` already holds bytes, the first request asks for the
        rest.  A JSON or text answer is the server's error, not the file.  Once the size is known,
        a file system without room for the rest fails at once.  A ``206`` whose range does not
        start where the kept bytes end, or that belongs to a file of another size, is not appended:
        the transfer starts over.  Returns a dict: size, sha256, filename (from
        Content-Disposition), content_type, fetched (bytes received over the network), resumed
        (number of Range requests that the server honoured) and restarts (times it started over
        because the server ignored Range or answered with another file).
        """
        have = os.path.getsize(dest) if (resume and os.path.exists(dest)) else 0
        if not resume and os.path.exists(dest):
            os.remove(dest)
        # The digest follows the bytes on disk: the kept part is hashed once, locally.
        digest = _sha256_file(dest) if have else hashlib.sha256()
        fetched = 0
        resumed = 0
        restarts = 0
        cuts = 0
        total = None
        filename = None
        content_type = None
        while True:
            # The file as it is: a Range counts the bytes of the representation sent, and those of
            # a compressed one are not the bytes on disk.
            headers = {'Accept': 'application/octet-stream, application/json', 'Accept-Encoding': 'identity'}
            if have:
                headers['Range'] = 'bytes=%d-' % have
            response = self.request(method, path, json_body=json_body, stream=True, headers=headers,
                                    idempotent=True, expected=(200, 206))
            try:
                content_type = response.headers.get('Content-Type', '')
                if _is_error_body(content_type):
                    raise self._error_from_response(method, response.url, response)
                filename = _filename_from_disposition(response.headers.get('Content-Disposition')) or filename
                start, whole = _content_range(response.headers.get('Content-Range'))
                encoded = response.headers.get('Content-Encoding', '').strip().lower() not in ('', 'identity')
                if response.status_code == 206:
                    if encoded or not have or start != have or (
                            whole is not None and total is not None and whole != total):
                        # Not the rest of the kept bytes, or of another file: start over without Range.
                        restarts += 1
                        have, total, digest = _emptied(dest)
                        raise _Restart('the server answered with bytes from %s of a file of %s bytes' % (start, whole))
                    resumed += 1
                    total = whole if whole is not None else total
                    mode = 'ab'
                else:
                    if have:
                        restarts += 1
                    have = 0
                    digest = hashlib.sha256()
                    length = response.headers.get('Content-Length')
                    # A compressed answer's length is not the size of the file.
                    total = int(length) if length and length.isdigit() and not encoded else None
                    mode = 'wb'
                if total is not None:
                    _check_free_space(dest, total)
                with open(dest, mode, buffering=0) as handle:
                    sink = _Sink(handle, digest)
                    try:
                        for chunk in response.iter_content(chunk_size=chunk_size):
                            if chunk:
                                sink.put(chunk)
                                if progress:
                                    progress(have + sink.written, total)
                    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError,
                            requests.exceptions.ReadTimeout) as exc:
                        cut_reason = type(exc).__name__
                    else:
                        cut_reason = None
                    finally:
                        # Every byte written is hashed before going on.
                        sink.close()
                        have += sink.written
                        fetched += sink.written
                if cut_reason is None and total is not None and have < total:
                    cut_reason = 'short body'
                if cut_reason is None:
                    break
                if encoded:
                    # The server compressed the file although asked not to: the bytes kept cannot
                    # be matched with a Range, so the next answer starts from the first byte.
                    restarts += 1
                    have, total, digest = _emptied(dest)
            except _Restart as exc:
                cut_reason = str(exc)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise Vb365DownloadError('no space left on the device of %s: %d of %s bytes written' % (
                        dest, have, total if total is not None else 'an unknown number of'))
                raise Vb365DownloadError('cannot write %s: %s' % (dest, exc.strerror or exc))
            finally:
                response.close()
            cuts += 1
            if cuts > max_cuts:
                raise Vb365DownloadError(
                    '%s %s: the transfer was cut %d times; %d of %s bytes are in %s' % (
                        method, self.path_of(response.url), cuts, have, total, dest),
                    method=method, path=self.path_of(response.url))
            delay = self._backoff(cuts - 1)
            self.warn('%s %s: transfer cut at %d of %s bytes (%s); resuming in %.1f s' % (
                method, self.path_of(response.url), have, total if total is not None else '?', cut_reason, delay))
            self._sleep(delay)
        return {
            'size': have,
            'sha256': digest.hexdigest(),
            'filename': filename,
            'content_type': content_type,
            'fetched': fetched,
            'resumed': resumed,
            'restarts': restarts,
        }


class _Sink:
    """Writes the chunks of a download to ``handle`` in the calling thread and hashes them in a
    thread of its own, so that hashing runs on another core while the next chunk is read: TLS reads,
    file writes and hashlib all release the GIL. Each chunk is written in slices of ``slice_size``
    bytes, the size that measured fastest (bench/write_slices.py, docs/mailbox_export.md). At most
    ``depth`` chunks wait to be hashed. ``written`` counts the bytes on disk; only those are hashed,
    also when a write fails (the error is raised to the caller)."""

    def __init__(self, handle, digest, depth=4, slice_size=64 * 1024):
        self.handle = handle
        self.slice_size = slice_size
        self.written = 0
        self._worker = _Worker(digest.update, depth)

    def put(self, chunk):
        view = memoryview(chunk)
        done = 0
        try:
            while done < len(view):
                count = self.handle.write(view[done:done + self.slice_size])
                if not count:
                    raise OSError(errno.EIO, 'the file took none of %d bytes' % min(self.slice_size, len(view) - done))
                done += count
        finally:
            if done:
                self._worker.queue.put(chunk if done == len(view) else view[:done])
                self.written += done

    def close(self):
        """Wait until every byte written is hashed."""
        self._worker.finish()


class _Worker:
    """A thread that calls ``func`` on each item of its bounded queue, in order, until ``finish``."""

    def __init__(self, func, depth):
        self.func = func
        self.queue = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, name='vb365-download')
        self._thread.daemon = True
        self._thread.start()

    def _run(self):
        for item in iter(self.queue.get, None):
            self.func(item)

    def finish(self):
        self.queue.put(None)
        self._thread.join()


def _emptied(dest):
    """Empty ``dest`` for a download that starts over; the state of nothing kept: (have, total, digest)."""
    open(dest, 'wb').close()
    return 0, None, hashlib.sha256()


class _Restart(Exception):
    """A ranged answer that cannot be appended: the download starts over."""


def _is_error_body(content_type):
    """True for a JSON or text answer: the server's error message, not the file asked for."""
    media = (content_type or '').split(';')[0].strip().lower()
    return media.startswith('text/') or media == 'application/json' or media.endswith('+json')


def _check_free_space(dest, total):
    """Fail before writing when the file system of ``dest`` has no room for a file of ``total`` bytes."""
    try:
        kept = os.path.getsize(dest) if os.path.exists(dest) else 0
        free = shutil.disk_usage(os.path.dirname(os.path.abspath(dest))).free
    except OSError:
        return
    if total - kept > free:
        raise Vb365DownloadError('no space left for %s: %d more bytes are needed, %d are free' % (
            dest, total - kept, free))


def _sha256_file(path, chunk_size=1024 * 1024):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(chunk_size), b''):
            digest.update(block)
    return digest


def sha256_of(path):
    """The hex SHA-256 of a file, read in constant memory."""
    return _sha256_file(path).hexdigest()


def _filename_from_disposition(value):
    """The file name of a ``Content-Disposition`` header (``filename*=UTF-8''...`` decoded, RFC 2231),
    without any directory part; None when it names none."""
    if not value:
        return None
    header = email.message.Message()
    name = None
    try:
        header['Content-Disposition'] = value
        # RFC 6266: filename* (RFC 2231, decoded by the parser into a tuple) wins over filename.
        for key, param in (header.get_params(header='content-disposition') or [])[1:]:
            if key.lower() != 'filename':
                continue
            if isinstance(param, tuple) or name is None:
                name = email.utils.collapse_rfc2231_value(param)
            if isinstance(param, tuple):
                break
    except (ValueError, TypeError, LookupError):
        return None
    if not name:
        return None
    name = os.path.basename(name.replace('\\', '/').strip())
    return name if name not in ('', '.', '..') else None


def describe_connection_failure(exc, base_url, timeout):
    """What went wrong on the wire, in words that say whether the server answered at all.

    "cannot reach" only when no connection was made; a read timeout or an answer cut short
    means the server received the request.
    """
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        low = text.lower()
        if 'hostname mismatch' in low or "doesn't match" in low or 'not valid for' in low or 'ip address mismatch' in low:
            return ('TLS: the certificate of %s is not issued for that host name (hostname mismatch): connect with '
                    'a name the certificate lists: %s' % (base_url, exc))
        if 'certificate verify failed' in low:
            return ('TLS: the server certificate of %s is not trusted: set ca_path / VB365_CA_PATH to the CA that '
                    'signed it: %s' % (base_url, exc))
        return 'TLS handshake with %s failed: %s' % (base_url, exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return 'cannot reach %s: no connection within %s s: %s' % (base_url, timeout, exc)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return ('%s received the request but sent no answer within %s s (request_timeout); it may still be '
                'working on it: %s' % (base_url, timeout, exc))
    if Vb365Client._not_sent(exc):
        return 'cannot reach %s: %s' % (base_url, exc)
    return '%s closed the connection before its answer was complete: %s' % (base_url, exc)


def _content_range(value):
    """(first byte, size of the whole file) of ``Content-Range: bytes a-b/size``; (None, None) if absent."""
    match = re.match(r'bytes\s+(\d+)-\d+/(\d+|\*)', (value or '').strip())
    if not match:
        return None, None
    return int(match.group(1)), (int(match.group(2)) if match.group(2) != '*' else None)
