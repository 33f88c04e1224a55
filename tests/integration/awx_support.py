"""What the AWX tests need from AWX itself, made small enough to run here.

- ``CREDENTIAL_TYPE``: the collection's credential type (``extensions/awx/vb365_credential_type.yml``).
- ``inject(credential_type, inputs, private_data_dir)``: the environment variables that AWX gives a
  job with a credential of that type, computed the way AWX's ``CredentialType.inject_credential``
  does it: every input that has a value is in the template namespace, a boolean input that was
  never set counts as False, each ``file`` injector is rendered into a new file under
  ``<private_data_dir>/env`` (its path is ``tower.filename.<label>``), and each ``env`` injector
  is rendered with Jinja2's immutable sandbox.
- ``FakeController``: the part of the AWX REST API (``/api/v2/``) that ``awx.awx.credential_type``
  uses: tokens, and listing, creating and updating credential types. It records every request.
- ``awx_collection()``: a collection path that holds awx.awx. Galaxy cannot be reached from here,
  so it comes out of the ``ansible`` package on PyPI (the awx.awx release that ``ANSIBLE_PACKAGE``
  bundles), downloaded once into ``.tmp/release/awx``.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CREDENTIAL_TYPE_FILE = os.path.join(ROOT, 'extensions', 'awx', 'vb365_credential_type.yml')
EXCHANGE_CREDENTIAL_TYPE_FILE = os.path.join(ROOT, 'extensions', 'awx', 'vb365_exchange_credential_type.yml')
CREATE_PLAYBOOK = os.path.join(ROOT, 'extensions', 'awx', 'create_credential_type.yml')
# ansible 12.3.0 bundles awx.awx 24.6.1 (and needs ansible-core 2.19, which is only installed by pip
# when the wheel is installed; here only its awx.awx files are taken out of it).
ANSIBLE_PACKAGE = 'ansible==12.3.0'
AWX_CACHE = os.path.join(ROOT, '.tmp', 'release', 'awx')


def load_credential_type(path=CREDENTIAL_TYPE_FILE):
    with open(path) as handle:
        return yaml.safe_load(handle)


CREDENTIAL_TYPE = load_credential_type()
EXCHANGE_CREDENTIAL_TYPE = load_credential_type(EXCHANGE_CREDENTIAL_TYPE_FILE)


# ------------------------------------------------------------------------------ injection
class _Namespace:
    """``tower`` and ``tower.filename`` in the injector templates."""


def inject(credential_type, inputs, private_data_dir):
    """The environment AWX adds to a job for a credential with these ``inputs``."""
    namespace = {}
    for name, value in inputs.items():
        if isinstance(value, bool) or value not in ('', None):
            namespace[name] = value
    for field in credential_type['inputs'].get('fields', []):
        if field.get('type') == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False

    tower = _Namespace()
    namespace['tower'] = tower
    sandbox = ImmutableSandboxedEnvironment()
    env_dir = os.path.join(private_data_dir, 'env')
    os.makedirs(env_dir, exist_ok=True)
    for label, template in credential_type['injectors'].get('file', {}).items():
        fd, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(fd, 'w') as handle:
            handle.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP)
        if '.' in label:
            if not hasattr(tower, 'filename'):
                tower.filename = _Namespace()
            setattr(tower.filename, label.split('.', 1)[1], path)
        else:
            tower.filename = path
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in credential_type['injectors'].get('env', {}).items())


def inject_extra_vars(credential_type, inputs):
    """The extra variables AWX gives a job for a credential with these ``inputs``: each ``extra_vars``
    injector rendered in the sandbox, nested dicts and lists walked, with the inputs that have a value."""
    namespace = dict((name, value) for name, value in inputs.items() if isinstance(value, bool) or value not in ('', None))
    sandbox = ImmutableSandboxedEnvironment()

    def build(node):
        if isinstance(node, dict):
            return dict((build(key), build(value)) for key, value in node.items())
        if isinstance(node, list):
            return [build(value) for value in node]
        return sandbox.from_string(node).render(**namespace)
    return build(credential_type['injectors'].get('extra_vars', {}))


# ------------------------------------------------------------------------------ controller
class FakeController:
    """``/api/v2/tokens/`` and ``/api/v2/credential_types/`` of an AWX controller, over HTTP on 127.0.0.1.

    ``token`` is the OAuth token it accepts (``CONTROLLER_OAUTH_TOKEN``), or it hands one out for
    ``username`` / ``password`` with basic auth. ``credential_types`` holds what was created;
    ``requests`` is every ``(method, path, body)`` in order.
    """

    def __init__(self):
        self.token = secrets.token_urlsafe(16)
        self.username = 'admin-%s' % secrets.token_hex(3)
        self.password = secrets.token_urlsafe(12)
        self.credential_types = {}
        self.requests = []
        self._lock = threading.Lock()
        controller = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

            def _send(self, status, body=None):
                data = json.dumps(body).encode() if body is not None else b''
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('X-API-Product-Name', 'AWX')
                self.send_header('X-API-Product-Version', '24.6.1')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self):
                length = int(self.headers.get('Content-Length') or 0)
                raw = self.rfile.read(length) if length else b''
                body = json.loads(raw) if raw else None
                with controller._lock:  # pylint: disable=protected-access
                    status, answer = controller.answer(self.command, self.path, self.headers, body)
                self._send(status, answer)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def _authorized(self, headers):
        return headers.get('Authorization') == 'Bearer %s' % self.token

    def answer(self, method, target, headers, body):
        url = urlsplit(target)
        self.requests.append((method, url.path, body))
        query = dict((key, values[-1]) for key, values in parse_qs(url.query).items())
        if url.path == '/api/v2/tokens/' and method == 'POST':
            expected = 'Basic ' + base64.b64encode(('%s:%s' % (self.username, self.password)).encode()).decode()
            if headers.get('Authorization') != expected:
                return 401, {'detail': 'Invalid username/password.'}
            return 201, {'id': 7, 'token': self.token}
        if url.path == '/api/v2/tokens/7/' and method == 'DELETE':
            return 204, None
        if not self._authorized(headers):
            return 401, {'detail': 'Authentication credentials were not provided.'}
        if url.path == '/api/v2/credential_types/' and method == 'GET':
            found = [item for item in self.credential_types.values()
                     if all(str(item.get(key)) == value for key, value in query.items())]
            return 200, {'count': len(found), 'next': None, 'previous': None, 'results': found}
        if url.path == '/api/v2/credential_types/' and method == 'POST':
            item = dict(body, id=len(self.credential_types) + 1, type='credential_type')
            item['url'] = '/api/v2/credential_types/%d/' % item['id']
            self.credential_types[item['id']] = item
            return 201, item
        for item_id, item in self.credential_types.items():
            if url.path == item['url'] and method == 'PATCH':
                item.update(body)
                return 200, item
            if url.path == item['url'] and method == 'GET':
                return 200, item
        return 404, {'detail': 'Not found.'}

    def writes(self):
        return [(method, path) for method, path, _body in self.requests if method in ('POST', 'PATCH', 'DELETE')
                and not path.startswith('/api/v2/tokens/')]


# ------------------------------------------------------------------------------ awx.awx
def awx_collection():
    """A collection path with awx.awx in it (downloaded once; safe with pytest-xdist workers)."""
    manifest = os.path.join(AWX_CACHE, 'ansible_collections', 'awx', 'awx', 'MANIFEST.json')
    os.makedirs(AWX_CACHE, exist_ok=True)
    with open(os.path.join(AWX_CACHE, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(manifest):
            with tempfile.TemporaryDirectory(dir=AWX_CACHE) as download:
                subprocess.run([sys.executable, '-m', 'pip', 'download', '--quiet', '--no-deps',
                                '--disable-pip-version-check', '--dest', download, ANSIBLE_PACKAGE],
                               check=True, stdin=subprocess.DEVNULL)
                [wheel] = [name for name in os.listdir(download) if name.endswith('.whl')]
                with zipfile.ZipFile(os.path.join(download, wheel)) as archive:
                    members = [name for name in archive.namelist() if name.startswith('ansible_collections/awx/awx/')]
                    archive.extractall(download, members)
                target = os.path.join(AWX_CACHE, 'ansible_collections')
                shutil.rmtree(target, ignore_errors=True)
                os.replace(os.path.join(download, 'ansible_collections'), target)
    return AWX_CACHE
