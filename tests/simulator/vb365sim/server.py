"""The simulator's HTTPS server: routing, validation against the spec, faults, control API.

``Simulator`` runs it in this process (tests); ``run.py`` runs it as a background process
(demo, CI).  One thread per connection (HTTP/1.1 keep-alive); the TLS handshake happens in
that thread, so a slow or silent client never holds up the others.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from . import models
from .api import Api, ApiError, State, now, redact
from .data import LAST_BACKUP, iso, parse_time
from .operators import ANONYMOUS
from .spec import default_validator
from .tls import make_certificates

HANDSHAKE_TIMEOUT = 15  # seconds for a client to complete the TLS handshake
IDLE_TIMEOUT = 300  # seconds a keep-alive connection may stay silent
FULL_CHECK_RESULTS = 300  # pages with more results are checked on one result per distinct shape


class Context:
    """One request as the API handlers see it."""

    def __init__(self, template, path, params, query, raw, content_type, token=None):
        self.template, self.path, self.params, self.query, self.raw = template, path, params, query, raw
        self.token = token
        self.json = None
        self.form = {}
        if raw:
            if (content_type or '').lower().startswith('application/x-www-form-urlencoded'):
                self.form = dict(parse_qsl(raw.decode('utf-8', 'replace'), keep_blank_values=True))
            else:
                try:
                    self.json = json.loads(raw.decode('utf-8'))
                except ValueError:
                    raise ApiError(400, 'The request body is not valid JSON.')
                if self.json is not None and not isinstance(self.json, dict):
                    raise ApiError(400, 'The request body must be a JSON object.')


class Router:
    """(method, path) -> (template, path parameters) over the simulated operations; the
    template with the most literal characters wins (/mailboxes/search over /mailboxes/{id})."""

    def __init__(self, routes):
        self.entries = []
        for method, template in routes:
            pattern = '^' + re.sub(r'\\\{([^}]+)\\\}', r'(?P<\1>[^/]+)', re.escape(template)) + '$'
            literal = len(re.sub(r'\{[^}]+\}', '', template))
            self.entries.append((method, template, re.compile(pattern), re.compile(pattern, re.IGNORECASE), literal))
        self.entries.sort(key=lambda e: -e[4])

    def match(self, method, path, case_insensitive=False):
        for entry_method, template, exact, loose, _literal in self.entries:
            if entry_method != method:
                continue
            found = (loose if case_insensitive else exact).match(path)
            if found:
                return template, found.groupdict()
        return None, None

    def methods_for(self, path):
        return sorted(set(e[0] for e in self.entries if e[3].match(path)))


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, handler, context):
        self.ssl_context = context
        super().__init__(address, handler)

    def finish_request(self, request, client_address):
        request.settimeout(HANDSHAKE_TIMEOUT)
        try:
            connection = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ValueError):
            return  # a failed handshake (or a port probe): nothing to answer
        try:
            connection.settimeout(None)
            self.RequestHandlerClass(connection, client_address, self)
        finally:
            try:
                connection.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError)):
            return  # clients that go away are not the simulator's problem
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'vb365sim/1.0'
    sys_version = ''
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True
    sim = None  # set on the subclass made per server

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return  # the request log is in the state (GET /_sim/requests)

    def _read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            parts = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b';', 1)[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def _dispatch(self):
        self._answered = False
        try:
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            try:
                raw = self._read_body()
            except ValueError:
                self.close_connection = True
                return self.send_json(400, {'message': 'Bad request body framing', 'errorCode':
                                            'ParameterValidationFailure', 'stackTrace': None})
            if path == '/_sim' or path.startswith('/_sim/'):
                return self._control(path[len('/_sim/'):], query, raw)
            if path.startswith('/identity/'):
                return self.sim.identity(self, path, raw)
            if not path.startswith('/v8/'):
                return self.send_json(404, {'message': 'No such resource: %s' % path, 'errorCode': 'ResourceNotFound',
                                            'stackTrace': None})
            self.sim.handle_api(self, path, query, raw)
        except (ConnectionError, TimeoutError, ssl.SSLError):
            self.close_connection = True
        except Exception as exc:  # pylint: disable=broad-except
            detail = traceback.format_exc()
            sys.stderr.write('vb365sim: error on %s %s\n%s' % (self.command, self.path, detail))
            where = self.path.split('?')[0]
            self.sim.record_violation('simulator error on %s %s: %s: %s' % (self.command, where, type(exc).__name__, exc))
            self.close_connection = True  # said in the answer, so that clients do not reuse the connection
            if not self._answered:
                try:
                    self.send_json(500, {'message': 'Simulator error: %s: %s' % (type(exc).__name__, exc),
                                         'errorCode': 'HttpError', 'stackTrace': None})
                except OSError:
                    pass
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch  # noqa: N815 (the names http.server calls)

    # ------------------------------------------------------------------ sending
    def send_json(self, status, body, headers=None):
        """Headers and body in one write; returns the number of body bytes."""
        data = b'' if body is None else json.dumps(body).encode()
        self._answered = True
        self.send_response(status)
        if body is not None:
            self.send_header('Content-Type', 'application/json; charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header('Connection', 'close')
        self._headers_buffer.append(b'\r\n' + data)  # one TLS record for small answers
        self.flush_headers()
        return len(data)

    def drop(self):
        """Close the connection without (or in the middle of) an answer."""
        self._answered = True
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ------------------------------------------------------------------ control API
    def _control(self, name, query, raw):
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            return self.send_json(403, {'message': 'the control API answers loopback clients only'})
        try:
            body = json.loads(raw.decode() or 'null') if raw else None
        except ValueError:
            return self.send_json(400, {'message': 'the body is not JSON'})
        status, answer = self.sim.control(self.command, name.strip('/'), query, body)
        return self.send_json(status, answer)


class Simulator:
    """The simulated VB365 server. ``start()`` it, use ``url``, ``ca_path`` and ``state``, ``stop()`` it."""

    def __init__(self, username, password, state_dir, port=0, latency_ms=0, token_lifetime=3600,
                 bulk_mailboxes=1000, strict=True, seed=1, restore_delay_ms=None, host='127.0.0.1',
                 server_model=None):
        if not username or not password:
            raise ValueError('the simulator needs a user name and a password')
        if server_model is not None:
            models.choices_of(server_model)  # an unknown model is a ValueError naming the known ones
        self.state_dir = str(state_dir)
        self.host, self.port = host, port
        self.state = State(username, password, seed=seed, bulk_mailboxes=bulk_mailboxes, latency_ms=latency_ms,
                           token_lifetime=token_lifetime, strict=strict, restore_delay_ms=restore_delay_ms,
                           server_model=server_model)
        self.api = Api(self.state)
        self.router = Router(self.api.routes)
        self.validator = default_validator()
        self.httpd = None
        self.thread = None
        self.url = None
        self.ca_path = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        paths = make_certificates(self.state_dir)
        self.ca_path = paths['ca.pem']
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(paths['server.pem'], paths['server.key'])
        handler = type('BoundHandler', (Handler,), {'sim': self})
        self.httpd = _TLSServer((self.host, self.port), handler, context)
        self.port = self.httpd.server_address[1]
        self.url = 'https://%s:%d' % (self.host, self.port)
        self.state.public_url = self.url
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.1},
                                       name='vb365sim', daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def record_violation(self, text):
        with self.state.lock:
            self.state.violations.append(text)

    # ------------------------------------------------------------------ the API
    def _fault(self, method, path):
        with self.state.lock:
            for rule in self.state.faults:
                if rule['times'] <= 0:
                    continue
                if rule.get('method') and rule['method'].upper() != method:
                    continue
                if not rule['_re'].search(path):
                    continue
                if rule.get('after'):
                    rule['after'] -= 1  # let this many matching requests through first
                    continue
                rule['times'] -= 1
                return dict(rule)
        return None

    def _stop_explore_sessions(self):
        """Stop every working explore session, as an administrator would from the console."""
        with self.state.lock:
            for session in self.state.sessions.values():
                if session.get('_kind') == 'explore' and session.get('state') == 'Working':
                    session.update(state='Stopped', endTime=iso(now()), eTag=session['eTag'] + 1)

    def _check_response(self, method, path, status, body):
        """Spec problems of a JSON answer (big pages: one result per distinct shape)."""
        if body is None:
            return self.validator.validate_response(method, path, status, None, None)
        results = body.get('results') if isinstance(body, dict) else None
        if isinstance(results, list) and len(results) > FULL_CHECK_RESULTS:
            shapes = {}
            for result in results:
                if isinstance(result, dict):
                    shape = (tuple(result), tuple(map(type, result.values())))
                else:
                    shape = type(result).__name__
                shapes.setdefault(shape, result)
            body = dict(body, results=[results[0]] + list(shapes.values()) + [results[-1]])
        return self.validator.validate_response(method, path, status, 'application/json', json.dumps(body).encode())

    def handle_api(self, handler, path, query, raw):
        state = self.state
        method = handler.command
        started = time.time()
        latency = float(state.config.get('latency_ms') or 0)
        if latency > 0:
            time.sleep(latency / 1000.0)
        content_type = handler.headers.get('Content-Type')
        entry = {'method': method, 'path': path, 'query': query, 'body': self._logged_body(raw, content_type),
                 'status': None, 'range': handler.headers.get('Range'), 'bytes': 0, 'time': started}
        try:
            problems = self.validator.validate_request(method, path, query, content_type, raw)
        except ValueError as exc:  # e.g. a body that is not UTF-8
            problems = ['%s %s: the request cannot be read: %s' % (method, path, exc)]
        if problems:
            with state.lock:
                state.violations.extend('request: %s' % p for p in problems)
            if state.config.get('strict'):
                return self._reply_error(handler, entry, path, ApiError(400, '; '.join(problems)))
        fault = self._fault(method, path)
        if fault and fault.get('delay_ms'):
            time.sleep(float(fault['delay_ms']) / 1000.0)  # longer than the client waits: a read timeout
            entry['fault'] = True  # served late: its log entry appears only now
        if fault and fault.get('stop_sessions'):
            self._stop_explore_sessions()
        if fault and fault.get('reset'):
            entry['status'] = 'reset'
            self._log(entry, started)
            return handler.drop()
        if fault and fault.get('status'):
            headers = {'Retry-After': str(fault['retry_after'])} if fault.get('retry_after') is not None else {}
            body = fault.get('body') or {'message': 'Injected fault: HTTP %s' % fault['status'],
                                         'errorCode': ApiError(int(fault['status']), '').code, 'stackTrace': None}
            entry['status'] = int(fault['status'])
            entry['fault'] = True
            entry['bytes'] = handler.send_json(int(fault['status']), body, headers)
            return self._log(entry, started)
        template, params = self.router.match(method, path)
        if template is None:
            template, params = self.router.match(method, path, case_insensitive=True)  # the real server ignores case
        if template is None:
            if self.router.methods_for(path):
                return self._reply_error(handler, entry, path, ApiError(405, 'The requested resource does not '
                                                                             'support http method %s.' % method))
            return self._reply_error(handler, entry, path, ApiError(404, 'No simulated resource matches %s %s.' % (
                method, path)))
        route = self.api.routes[(method, template)]
        token = None
        try:
            if template not in ANONYMOUS:
                if fault and fault.get('expire_token'):
                    raise ApiError(401, 'The access token has expired.')
                with state.lock:
                    token, _user = state.check_bearer(handler.headers.get('Authorization'))
            ctx = Context(template, path, params, query, raw, content_type, token)
            with state.lock:
                reply = route(ctx)
        except ApiError as exc:
            return self._reply_error(handler, entry, path, exc)
        if fault and fault.get('lose_answer'):
            # Served (the server's state changed) but the answer never leaves: a cut answer.
            entry.update(status='lost', served=reply.status)
            self._log(entry, started)
            return handler.drop()
        if reply.stream is not None:
            return self._send_stream(handler, entry, path, reply, fault, started)
        problems = self._check_response(method, path, reply.status,
                                        reply.body if reply.spec_body is None else reply.spec_body)
        if problems:
            with state.lock:
                state.violations.extend('response: %s' % p for p in problems)
            if state.config.get('strict'):
                return self._reply_error(handler, entry, path, ApiError(500, 'Simulator bug: the answer breaks the '
                                                                             'spec: ' + '; '.join(problems)))
        entry['status'] = reply.status
        entry['bytes'] = handler.send_json(reply.status, reply.body, reply.headers)
        self._log(entry, started)

    @staticmethod
    def _logged_body(raw, content_type):
        if not raw:
            return None
        try:
            if 'x-www-form-urlencoded' in (content_type or ''):
                return redact(dict(parse_qsl(raw.decode('utf-8', 'replace'), keep_blank_values=True)))
            return redact(json.loads(raw.decode('utf-8')))
        except ValueError:
            return '<not JSON: %d bytes>' % len(raw)

    def _reply_error(self, handler, entry, path, exc):
        body = {'message': exc.message, 'errorCode': exc.code, 'stackTrace': None}
        if self.router.match(handler.command, path)[0] is not None:
            problems = self.validator.validate_response(handler.command, path, exc.status, 'application/json',
                                                        json.dumps(body).encode())
            if problems:
                self.record_violation('response: %s' % '; '.join(problems))
        entry['status'] = exc.status
        entry['error'] = exc.message[:500]
        entry['bytes'] = handler.send_json(exc.status, body)
        self._log(entry, entry['time'])

    def _send_stream(self, handler, entry, path, reply, fault, started):
        stream, record = reply.stream, reply.export
        total = stream.size
        start = 0
        status = 200
        headers = dict(reply.headers)
        match = re.match(r'^\s*bytes=(\d+)-\s*$', handler.headers.get('Range') or '')
        if match and 0 < int(match.group(1)) < total and self.api.range_honoured(record):
            # Only "bytes=N-" is honoured; any other Range (or one past the end) gets the whole file.
            start = int(match.group(1))
            status = 206
            headers['Content-Range'] = 'bytes %d-%d/%d' % (start, total - 1, total)
        problems = self.validator.validate_response(handler.command, path, 200, 'application/octet-stream', None)
        if problems:
            self.record_violation('response: %s' % '; '.join(problems))
        handler._answered = True  # pylint: disable=protected-access
        handler.send_response(status)
        handler.send_header('Content-Type', 'application/octet-stream')
        handler.send_header('Content-Length', str(total - start))
        handler.send_header('Accept-Ranges', 'bytes')
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        cut = fault.get('cut_after_bytes') if fault else None
        sent = 0
        complete = False
        try:
            for piece in stream.iter(start):
                if cut is not None and sent + len(piece) >= cut:
                    handler.wfile.write(piece[:max(0, cut - sent)])
                    sent = cut
                    break
                handler.wfile.write(piece)
                sent += len(piece)
            else:
                complete = True
        except (ConnectionError, TimeoutError, ssl.SSLError, OSError):
            handler.close_connection = True
        if cut is not None:
            handler.drop()
        entry.update(status=status, bytes=sent, cut=cut is not None)
        with self.state.lock:
            record.update(status=status, range_start=start, bytes_sent=sent, complete=complete)
        self._log(entry, started)

    def identity(self, handler, path, raw):
        """A request to the simulated Microsoft identity platform (identity.py)."""
        form = dict(parse_qsl(raw.decode('utf-8', 'replace'), keep_blank_values=True)) if raw else {}
        with self.state.lock:
            status, answer = self.state.directory.handle(handler.command, path, form)
        return handler.send_json(status, answer)

    def _log(self, entry, started):
        entry['ms'] = int((time.time() - started) * 1000)
        with self.state.lock:
            self.state.requests.append(entry)

    # ------------------------------------------------------------------ the control API
    def control(self, method, name, query, body):
        """(status, JSON answer) of a control call (GET|POST|DELETE /_sim/<name>)."""
        state = self.state
        with state.lock:
            if name == 'health':
                return 200, {'ok': True, 'url': self.url}
            if name == 'reset' and method == 'POST':
                state.reset()
                return 200, {'ok': True}
            if name == 'config':
                if method == 'POST':
                    unknown = sorted(set(body or {}) - set(state.config))
                    if unknown:
                        return 400, {'message': 'unknown config keys: %s (known: %s)' % (unknown, sorted(state.config))}
                    problem = models.config_problem(body)
                    if problem:
                        return 400, {'message': problem}
                    state.config.update(body or {})
                return 200, dict(state.config)
            if name == 'faults':
                if method == 'POST':
                    rules = (body or {}).get('rules')
                    if not isinstance(rules, list):
                        return 400, {'message': 'POST /_sim/faults takes {"rules": [...]}'}
                    for rule in rules:
                        rule = dict(rule)
                        rule.setdefault('times', 1)
                        try:
                            rule['_re'] = re.compile(rule.get('path') or '.*')
                        except re.error as exc:
                            return 400, {'message': 'path: not a regular expression: %s' % exc}
                        state.faults.append(rule)
                elif method == 'DELETE':
                    state.faults[:] = []
                return 200, [dict((k, v) for k, v in r.items() if k != '_re') for r in state.faults]
            if name == 'requests':
                if method == 'DELETE':
                    state.requests.clear()
                return 200, list(state.requests)
            if name == 'violations':
                if method == 'DELETE':
                    state.violations[:] = []
                return 200, list(state.violations)
            if name == 'sessions':
                return 200, [self.api.control_view(s) for s in state.sessions.values()]
            if name == 'operations':
                return 200, [self.api.operation_view(op) for op in state.operations]
            if name == 'sent':
                return 200, list(state.sent)
            if name == 'identity' or name.startswith('identity/'):
                return state.directory.control(method, name.partition('/')[2], body)
            if name == 'oauth':
                return 200, self.api.email.oauth_view()
            if name == 'repositories':
                return 200, [dict((k, v) for k, v in r.items() if not k.startswith('_')) for r in state.catalog.repositories]
            if name == 'tokens':
                return 200, dict(state.counters, live=state.live_tokens())
            if name.startswith('production/'):
                key = name.split('/', 1)[1].lower() + ('#archive' if _flag(query.get('archive')) else '')
                if key not in state.production:
                    return 404, {'message': 'no mailbox %s' % key}
                return 200, sorted((dict(r) for r in state.production[key].values()),
                                   key=lambda r: (r['folder'].lower(), r['id']))
            if name.startswith('backup/'):
                return self.backup_view(name.split('/', 1)[1], query)
            if name == 'mailboxes':
                org = query.get('organization')
                return 200, [dict(m.api(), organization=state.dataset.by_org[m.org_id].name)
                             for m in state.dataset.mailboxes.values()
                             if not org or state.dataset.by_org[m.org_id].name == org]
            exports_list = name == 'exports'
            records = list(state.exports) if exports_list else None
        if exports_list:
            # SHA-256 of each export's whole content, computed once (outside the lock: big exports take a while).
            for record in records:
                if record['sha256'] is None:
                    record['sha256'] = record['_stream'].sha256()
            return 200, [dict((k, v) for k, v in r.items() if not k.startswith('_')) for r in records]
        return 404, {'message': 'unknown control endpoint %s %s' % (method, name)}

    def backup_view(self, email, query):
        """What a session with these options shows of a mailbox (for tests)."""
        archive = _flag(query.get('archive'))
        try:
            pit = parse_time(query['dateTime']) if query.get('dateTime') else LAST_BACKUP
        except ValueError:
            return 400, {'message': 'dateTime: not a date and time'}
        session = {'_pit': min(pit, LAST_BACKUP), '_deleted': _flag(query.get('showDeleted')),
                   '_all_versions': _flag(query.get('showAllVersions'))}
        for mailbox in self.state.dataset.mailboxes.values():
            if mailbox.email.lower() == email.lower() and mailbox.is_archive == archive:
                return 200, [dict(i.api(), folder=i.folder_path, size=i.size,
                                  deleted=self.api.deleted_in_view(session, i), version=i.version)
                             for i in self.api.visible(session, mailbox)]
        return 404, {'message': 'no mailbox %s%s' % (email, ' (archive)' if archive else '')}


def _flag(value):
    return str(value).lower() in ('1', 'true', 'yes')
