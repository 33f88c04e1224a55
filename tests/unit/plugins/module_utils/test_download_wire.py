# -*- coding: utf-8 -*-
"""Downloads against a real HTTP server on 127.0.0.1, for what a mocked transport cannot show: a
body in chunked transfer coding (no Content-Length), a connection dropped in the middle of it, and
a server that compresses the file although the client asked for it as it is."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.vb365.restore.plugins.module_utils.client import Vb365Client

EXPORT = '/v8/RestoreSessions/11111111-2222-3333-4444-555555555555/organization/mailboxes/m1/exportToPst'
CONTENT = b''.join(hashlib.sha256(b'%d' % n).digest() for n in range(40000))  # 1,280,000 bytes


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass

    def do_POST(self):  # pylint: disable=invalid-name
        length = int(self.headers.get('Content-Length') or 0)
        self.rfile.read(length)
        if self.path == '/v8/token':
            body = json.dumps({'access_token': 'a' * 20, 'refresh_token': 'r' * 20, 'expires_in': 3600,
                               'token_type': 'bearer'}).encode()
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.server.seen.append({'range': self.headers.get('Range'),
                                 'accept_encoding': self.headers.get('Accept-Encoding')})
        self.server.answers.pop(0)(self)


def chunked(data, cut_after=None, status=200, headers=None):
    """An answer in chunked transfer coding; with ``cut_after`` the connection drops after that many bytes."""
    def answer(handler):
        handler.send_response(status)
        handler.send_header('Content-Type', 'application/octet-stream')
        handler.send_header('Transfer-Encoding', 'chunked')
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        sent = 0
        for start in range(0, len(data), 100000):
            piece = data[start:start + 100000]
            if cut_after is not None and sent + len(piece) > cut_after:
                piece = piece[:cut_after - sent]
                handler.wfile.write(b'%x\r\n%s' % (len(piece) + 10, piece))
                handler.wfile.flush()
                handler.close_connection = True
                return
            handler.wfile.write(b'%x\r\n%s\r\n' % (len(piece), piece))
            sent += len(piece)
        handler.wfile.write(b'0\r\n\r\n')
    return answer


def whole(data, headers=None):
    """An answer with a Content-Length."""
    def answer(handler):
        handler.send_response(200)
        handler.send_header('Content-Type', 'application/octet-stream')
        handler.send_header('Content-Length', str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)
    return answer


def kept(path):
    return path.stat().st_size


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    httpd.daemon_threads = True
    httpd.seen, httpd.answers = [], []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def client(server):
    warnings = []
    client = Vb365Client('http://127.0.0.1:%d' % server.server_address[1], 'restore-admin', 'pw',
                         warn=warnings.append, sleep=lambda seconds: None, timeout=10)
    client.warnings = warnings
    return client


def test_a_chunked_answer_without_length_is_written_whole(server, client, tmp_path):
    server.answers.append(chunked(CONTENT))
    dest = tmp_path / 'bob.pst.part'
    info = client.download(EXPORT, str(dest), json_body={})
    assert dest.read_bytes() == CONTENT
    assert (info['size'], info['sha256'], info['resumed'], info['restarts']) == (
        len(CONTENT), hashlib.sha256(CONTENT).hexdigest(), 0, 0)
    assert server.seen == [{'range': None, 'accept_encoding': 'identity'}]


def test_a_chunked_answer_cut_in_the_middle_is_resumed_from_the_bytes_on_disk(server, client, tmp_path):
    dest = tmp_path / 'bob.pst.part'

    def the_rest(handler):
        start = kept(dest)
        headers = {'Content-Range': 'bytes %d-%d/%d' % (start, len(CONTENT) - 1, len(CONTENT))}
        chunked(CONTENT[start:], status=206, headers=headers)(handler)

    server.answers.extend([chunked(CONTENT, cut_after=650000), the_rest])
    info = client.download(EXPORT, str(dest), json_body={})
    assert dest.read_bytes() == CONTENT and info['sha256'] == hashlib.sha256(CONTENT).hexdigest()
    first, second = server.seen
    resumed_from = int(second['range'][len('bytes='):-1])
    # What was written before the cut stays; at most one read of it is lost.
    assert first['range'] is None and 650000 - 1024 * 1024 <= resumed_from <= 650000
    assert info['resumed'] == 1 and info['fetched'] == len(CONTENT)
    assert client.warnings and 'transfer cut at %d of ? bytes' % resumed_from in client.warnings[0]


def test_a_compressed_answer_is_decoded_and_its_length_is_not_taken_for_the_size(server, client, tmp_path):
    packed = gzip.compress(CONTENT)
    assert len(packed) > len(CONTENT)  # the content does not compress
    server.answers.append(whole(packed, headers={'Content-Encoding': 'gzip'}))
    dest = tmp_path / 'bob.pst.part'
    info = client.download(EXPORT, str(dest), json_body={})
    assert dest.read_bytes() == CONTENT and info['sha256'] == hashlib.sha256(CONTENT).hexdigest()
    assert (info['size'], info['resumed'], info['restarts'], len(server.seen)) == (len(CONTENT), 0, 0, 1)


def test_a_compressed_answer_cut_in_the_middle_starts_over(server, client, tmp_path):
    packed = gzip.compress(CONTENT)
    server.answers.append(chunked(packed, cut_after=len(packed) // 2, headers={'Content-Encoding': 'gzip'}))
    server.answers.append(chunked(packed, headers={'Content-Encoding': 'gzip'}))
    dest = tmp_path / 'bob.pst.part'
    info = client.download(EXPORT, str(dest), json_body={})
    assert dest.read_bytes() == CONTENT and info['sha256'] == hashlib.sha256(CONTENT).hexdigest()
    # The decoded bytes kept cannot be matched with a Range of compressed ones: no Range is sent.
    assert [seen['range'] for seen in server.seen] == [None, None]
    assert info['restarts'] == 1 and info['resumed'] == 0 and info['size'] == len(CONTENT)
