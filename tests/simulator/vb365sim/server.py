"""The simulator's HTTPS server: routing, validation against the spec, faults, control API.

``Simulator`` runs it in-process (tests); ``run.py`` runs it as a background process (demo, CI).
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from .api import Api, ApiError, State, redact
from .spec import SpecError, default_validator
from .tls import make_certificates


class Context:
    """One request as the API handlers see it."""

    def __init__(self, template, params, query, raw, content_type, token=None):
        self.template, self.params, self.query, self.raw = template, params, query, raw
        self.token = token
        self.json = None
        self.form = {}
        if raw:
            if (content_type or '').startswith('application/x-www-form-urlencoded'):
                self.form = dict(parse_qsl(raw.decode('utf-8'), keep_blank_values=True))
            else:
                try:
                    self.json = json.loads(raw.decode('utf-8'))
                except ValueError:
                    raise ApiError(400, 'The request body is not valid JSON.')


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'vb365sim/1.0'
    sim = None  # set on the subclass made per server

    def log_message(self, fmt, *args):  # quiet; the request log is in the state
        return

    def _dispatch(self):
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length) if length else b''
        if path.startswith('/_sim/') or path == '/_sim':
            return self._control(path[len('/_sim/'):], query, raw)
        if not path.startswith('/v8/'):
            return self._send_json(404, {'message': 'Not found', 'errorCode': 'ResourceNotFound', 'stackTrace': None})
        self.sim.handle_api(self, path, query, raw)

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self._dispatch()

    def do_POST(self):  # noqa: N802
        self._dispatch()

    def do_PUT(self):  # noqa: N802
        self._dispatch()

    def do_DELETE(self):  # noqa: N802
        self._dispatch()

    # ------------------------------------------------------------------ sending
    def _send_json(self, status, body, headers=None):
        data = b'' if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header('Content-Type', 'application/json; charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if data:
            self.wfile.write(data)
        return len(data)

    def _reset(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ------------------------------------------------------------------ control API
    def _control(self, name, query, raw):
        state = self.sim.state
        body = json.loads(raw.decode() or 'null') if raw else None
        method = self.command
        with state.lock:
            if name == 'health':
                return self._send_json(200, {'ok': True})
            if name == 'reset' and method == 'POST':
                state.reset()
                return self._send_json(200, {'ok': True})
            if name == 'config':
                if method == 'POST':
                    unknown = sorted(set(body or {}) - set(state.config))
                    if unknown:
                        return self._send_json(400, {'message': 'unknown config keys: %s' % unknown})
                    state.config.update(body or {})
                return self._send_json(200, state.config)
            if name == 'faults':
                if method == 'POST':
                    for rule in (body or {}).get('rules', []):
                        rule = dict(rule)
                        rule.setdefault('times', 1)
                        rule['_re'] = re.compile(rule.get('path', '.*'))
                        state.faults.append(rule)
                elif method == 'DELETE':
                    state.faults[:] = []
                return self._send_json(200, [dict((k, v) for k, v in r.items() if k != '_re') for r in state.faults])
            if name == 'requests':
                if method == 'DELETE':
                    state.requests[:] = []
                return self._send_json(200, state.requests)
            if name == 'violations':
                if method == 'DELETE':
                    state.violations[:] = []
                return self._send_json(200, state.violations)
            if name == 'sessions':
                return self._send_json(200, [dict(Api.public(s), kind=s['_kind']) for s in state.sessions.values()])
            if name == 'sent':
                return self._send_json(200, state.sent)
            if name == 'exports':
                return self._send_json(200, [dict((k, v) for k, v in e.items() if not k.startswith('_'))
                                             for e in state.exports])
            if name == 'tokens':
                return self._send_json(200, dict(state.counters, live=len(state.tokens)))
            if name.startswith('production/'):
                key = name.split('/', 1)[1].lower()
                if query.get('archive') in ('1', 'true'):
                    key += '#archive'
                if key not in state.production:
                    return self._send_json(404, {'message': 'no mailbox %s' % key})
                return self._send_json(200, sorted(state.production[key].values(), key=lambda r: (r['folder'], r['id'])))
            if name.startswith('backup/'):
                return self._send_json(200, self.sim.backup_view(name.split('/', 1)[1], query))
            if name == 'mailboxes':
                org = query.get('organization')
                found = [dict(m.api(), organization=state.dataset.by_org[m.org_id].name)
                         for m in state.dataset.mailboxes.values()
                         if not org or state.dataset.by_org[m.org_id].name == org]
                return self._send_json(200, found)
        return self._send_json(404, {'message': 'unknown control endpoint %s' % name})


class Simulator:
    """The simulated VB365 server. ``start()`` it, use ``url`` and ``ca_path``, ``stop()`` it."""

    def __init__(self, username, password, state_dir, port=0, latency_ms=0, token_lifetime=3600,
                 bulk_mailboxes=1000, strict=True, seed=1, restore_delay_ms=None):
        if not username or not password:
            raise ValueError('the simulator needs a username and a password')
        self.state_dir = str(state_dir)
        self.port = port
        self.state = State(username, password, seed=seed, bulk_mailboxes=bulk_mailboxes, latency_ms=latency_ms,
                           token_lifetime=token_lifetime, strict=strict, restore_delay_ms=restore_delay_ms)
        self.api = Api(self.state)
        self.validator = default_validator()
        self.httpd = None
        self.thread = None
        self.url = None
        self.ca_path = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        paths = make_certificates(self.state_dir)
        self.ca_path = paths['ca.pem']
        handler = type('BoundHandler', (Handler,), {'sim': self})
        self.httpd = ThreadingHTTPServer(('127.0.0.1', self.port), handler)
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(paths['server.pem'], paths['server.key'])
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = 'https://127.0.0.1:%d' % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

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
                rule['times'] -= 1
                return dict(rule)
        return None

    def handle_api(self, handler, path, query, raw):
        state = self.state
        method = handler.command
        started = time.time()
        latency = float(state.config.get('latency_ms') or 0)
        if latency:
            time.sleep(latency / 1000.0)
        content_type = handler.headers.get('Content-Type')
        entry = {'method': method, 'path': path, 'query': query, 'status': None, 'range': handler.headers.get('Range')}
        try:
            entry['body'] = redact(json.loads(raw.decode())) if raw and 'json' in (content_type or '') else (
                redact(dict(parse_qsl(raw.decode()))) if raw else None)
        except ValueError:
            entry['body'] = '<not JSON>'
        fault = self._fault(method, path)
        if fault and fault.get('reset'):
            entry['status'] = 'reset'
            self._log(entry)
            handler._reset()
            return
        problems = self.validator.validate_request(method, path, query, content_type, raw)
        if problems:
            with state.lock:
                state.violations.extend('request: %s' % p for p in problems)
            if state.config.get('strict'):
                return self._reply_error(handler, entry, path, ApiError(400, '; '.join(problems)))
        if fault and fault.get('status'):
            headers = {'Retry-After': str(fault['retry_after'])} if fault.get('retry_after') is not None else {}
            body = fault.get('body') or {'message': 'Injected fault %s' % fault['status'], 'errorCode': None,
                                         'stackTrace': None}
            entry['status'] = fault['status']
            self._log(entry)
            handler._send_json(int(fault['status']), body, headers)
            return
        try:
            template, _op, params = self.validator.match(method, path)
        except SpecError as exc:
            try:
                template, _op, params = self._loose_match(method, path)
            except SpecError:
                return self._reply_error(handler, entry, path, ApiError(404, str(exc)))
        route = self.api.routes.get((method, template))
        if route is None:
            return self._reply_error(handler, entry, path, ApiError(404, '%s %s is not simulated' % (method, template)))
        token = None
        try:
            if template != '/v8/token':
                if fault and fault.get('expire_token'):
                    raise ApiError(401, 'The access token has expired.')
                token, _user = state.check_bearer(handler.headers.get('Authorization'))
            ctx = Context(template, params, query, raw, content_type, token)
            with state.lock:
                reply = route(ctx)
        except ApiError as exc:
            return self._reply_error(handler, entry, path, exc)
        if reply.stream is not None:
            return self._send_stream(handler, entry, path, reply, fault)
        data = None if reply.body is None else json.dumps(reply.body).encode()
        ctype = 'application/json' if data is not None else None
        problems = self.validator.validate_response(method, path, reply.status, ctype, data)
        if problems:
            with state.lock:
                state.violations.extend('response: %s' % p for p in problems)
            if state.config.get('strict'):
                return self._reply_error(handler, entry, path, ApiError(500, 'simulator bug: ' + '; '.join(problems)))
        entry['status'] = reply.status
        entry['ms'] = int((time.time() - started) * 1000)
        self._log(entry)
        handler._send_json(reply.status, reply.body, reply.headers)

    def _loose_match(self, method, path):
        # The real server is case-insensitive: serve the request (the violation is already recorded).
        for template, _strict, loose, item in self.validator._routes:  # pylint: disable=protected-access
            match = loose.match(path)
            if match and method.lower() in item:
                return template, item[method.lower()], match.groupdict()
        raise SpecError(path)

    def _reply_error(self, handler, entry, path, exc):
        body = {'message': exc.message, 'errorCode': exc.code, 'stackTrace': None}
        problems = self.validator.validate_response(handler.command, path, exc.status, 'application/json',
                                                    json.dumps(body).encode())
        if problems and not any(s in problems[0] for s in ('no such path in the spec', 'letter case')):
            with self.state.lock:
                self.state.violations.extend('response: %s' % p for p in problems)
        entry['status'] = exc.status
        self._log(entry)
        handler._send_json(exc.status, body)

    def _send_stream(self, handler, entry, path, reply, fault):
        stream = reply.stream
        total = stream.size
        start = 0
        status = 200
        rng = handler.headers.get('Range')
        headers = dict(reply.headers)
        if rng:
            match = re.match(r'bytes=(\d+)-$', rng.strip())
            if match and int(match.group(1)) < total:
                start = int(match.group(1))
                status = 206
                headers['Content-Range'] = 'bytes %d-%d/%d' % (start, total - 1, total)
        problems = self.validator.validate_response(handler.command, path, 200, 'application/octet-stream', b'x')
        if problems:
            with self.state.lock:
                self.state.violations.extend('response: %s' % p for p in problems)
        handler.send_response(status)
        handler.send_header('Content-Type', 'application/octet-stream')
        handler.send_header('Content-Length', str(total - start))
        handler.send_header('Accept-Ranges', 'bytes')
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        cut = fault.get('cut_after_bytes') if fault else None
        sent = 0
        try:
            for piece in stream.iter(start):
                if cut is not None and sent + len(piece) >= cut:
                    handler.wfile.write(piece[:max(0, cut - sent)])
                    sent = cut
                    handler.wfile.flush()
                    handler._reset()
                    break
                handler.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            handler.close_connection = True
        entry.update(status=status, bytes=sent, cut=cut is not None)
        self._log(entry)

    def _log(self, entry):
        with self.state.lock:
            self.state.requests.append(entry)

    # ------------------------------------------------------------------ test views
    def backup_view(self, email, query):
        """What a session with these options would show for a mailbox (for tests)."""
        from .data import LAST_BACKUP, parse_time  # pylint: disable=import-outside-toplevel
        state = self.state
        archive = query.get('archive') in ('1', 'true')
        session = {'_pit': parse_time(query['dateTime']) if query.get('dateTime') else LAST_BACKUP,
                   '_deleted': query.get('showDeleted') in ('1', 'true'),
                   '_all_versions': query.get('showAllVersions') in ('1', 'true')}
        for mailbox in state.dataset.mailboxes.values():
            if mailbox.email.lower() == email.lower() and mailbox.is_archive == archive:
                return [dict(i.api(), folder=i.folder_path, size=i.size) for i in self.api.visible(session, mailbox)]
        return []


def export_sha256(stream):
    digest = hashlib.sha256()
    for piece in stream.iter():
        digest.update(piece)
    return digest.hexdigest()
