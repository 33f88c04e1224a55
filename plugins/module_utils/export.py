# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Export helpers: PST size limits, where the file goes (its partial file, its manifest), and the
parts of a ZIP.  The download itself is the client's.  docs/mailbox_export.md tells the rules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import json
import os
import re
import tempfile
import zipfile

from ansible_collections.vb365.restore.plugins.module_utils.client import sha256_of
from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365DownloadError, Vb365ParameterError

GIB = 1024 ** 3  # Veeam's "GB": 1 GB = 1073741824 bytes
MIN_LIMIT, MAX_LIMIT = 1 * GIB, 49 * GIB
# Every unit is a power of 1024, as Veeam counts.
UNITS = {'': 1, 'b': 1, 'k': 1024, 'm': 1024 ** 2, 'g': GIB, 't': 1024 ** 4}
ZIP_MAGIC = b'PK\x03\x04'
MSG_MAGIC = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'  # an OLE compound file, as MSG files are
COPY_BLOCK = 1024 * 1024


def parse_size_limit(value, option='pst_size_limit'):
    """Bytes from ``10GB``, ``10 GiB``, ``1.5G``, ``2048MB`` or a number of bytes; only 1 GB to 49 GB."""
    if value is None or str(value).strip() == '':
        return None
    text = str(value).strip()
    match = re.match(r'^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|(b))?$', text, re.IGNORECASE)
    if not match:
        raise Vb365ParameterError('%s: %r is not a size; give bytes or gigabytes such as 10GB (1 GB = 1073741824 bytes)'
                                  % (option, value))
    number, unit = match.group(1), (match.group(2) or match.group(3) or '').lower()
    size = int(float(number) * UNITS[unit])
    if not MIN_LIMIT <= size <= MAX_LIMIT:
        raise Vb365ParameterError('%s: %s is %d bytes; the PST size limit must be from 1 GB (%d bytes) to 49 GB (%d bytes)'
                                  % (option, value, size, MIN_LIMIT, MAX_LIMIT))
    return size


def request_key(request):
    """A stable short id of what was asked, for the manifest and the partial file."""
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode('utf-8')).hexdigest()[:16]


def file_kind(path):
    """'zip', 'msg' or 'pst' from the first bytes of a file."""
    with open(path, 'rb') as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        return 'zip'
    return 'msg' if head == MSG_MAGIC else 'pst'


def _write_json(directory, path, data):
    handle, tmp = tempfile.mkstemp(dir=directory, prefix='.vb365-')
    with os.fdopen(handle, 'w') as out:
        json.dump(data, out, indent=1, sort_keys=True)
    os.replace(tmp, path)


def _remove(path):
    try:
        os.remove(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise


class Destination:
    """Where an export is written: the final file, its partial file and its manifest.

    ``dest`` is a file path, or an existing directory (the file then takes the name the server
    gives it, known only once the answer arrives).  ``bind(key)`` names the partial file and the
    manifest of one request.
    """

    def __init__(self, dest, option='dest'):
        self.option = option
        self.dest = os.path.abspath(os.path.expanduser(dest))
        self.is_dir = os.path.isdir(self.dest)
        self.directory = self.dest if self.is_dir else os.path.dirname(self.dest)
        self.key = self.partial = self.partial_state = self.index = None

    def check_writable(self):
        if not os.path.isdir(self.directory):
            raise Vb365ParameterError('%s: the directory %s does not exist' % (self.option, self.directory))
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise Vb365ParameterError('%s: the directory %s is not writable' % (self.option, self.directory))
        if not self.is_dir and os.path.exists(self.dest) and not os.path.isfile(self.dest):
            raise Vb365ParameterError('%s: %s exists and is not a regular file' % (self.option, self.dest))
        # Permissions are not all (root, read-only file systems, ACLs): try. The file has no name and goes at once.
        try:
            tempfile.TemporaryFile(dir=self.directory).close()
        except OSError as exc:
            raise Vb365ParameterError('%s: cannot write in the directory %s: %s' % (
                self.option, self.directory, exc.strerror or exc))

    def bind(self, key):
        self.key = key
        if self.is_dir:
            stem = os.path.join(self.directory, '.vb365-export-%s' % key)
            self.partial, self.index = stem + '.part', stem + '.json'
        else:
            self.partial, self.index = self.dest + '.part', self.dest + '.vb365.json'
        self.partial_state = self.partial + '.json'
        return self

    def final_path(self, server_name, kind):
        if not self.is_dir:
            return self.dest
        name = os.path.basename((server_name or '').replace('\\', '/'))
        if name in ('', '.', '..'):
            name = 'export-%s.%s' % (self.key, kind)
        return os.path.join(self.directory, name)

    # ---------------------------------------------------------------- the finished file
    def load_manifest(self):
        try:
            with open(self.index) as handle:
                manifest = json.load(handle)
        except (OSError, IOError, ValueError):
            return None
        return manifest if isinstance(manifest, dict) else None

    def complete(self):
        """The manifest of a finished export of this request whose file is intact, else None."""
        manifest = self.load_manifest()
        if not manifest or manifest.get('key') != self.key:
            return None
        return manifest if _intact(manifest.get('dest'), manifest.get('size'), manifest.get('sha256')) else None

    def write_manifest(self, manifest):
        _write_json(self.directory, self.index, manifest)

    # ---------------------------------------------------------------- the partial file
    def claim_partial(self):
        """Keep a partial file only if this request left it, and mark it as this request's.

        Returns True when a partial file of another request, or of unknown origin, was deleted:
        resuming it would append this file's bytes to another one's.
        """
        try:
            with open(self.partial_state) as handle:
                owner = json.load(handle).get('key')
        except (OSError, IOError, ValueError, AttributeError):
            owner = None
        if owner == self.key:
            return False
        replaced = os.path.exists(self.partial)
        self.discard_partial()
        _write_json(self.directory, self.partial_state, {'key': self.key})
        return replaced

    def discard_partial(self):
        _remove(self.partial)
        _remove(self.partial_state)

    def finish(self, final):
        """Move the complete partial file to ``final``; then the partial file's record goes."""
        try:
            os.replace(self.partial, final)
        except OSError as exc:
            raise Vb365DownloadError('%s: cannot move the finished export %s to %s: %s' % (
                self.option, self.partial, final, exc.strerror or exc))
        _remove(self.partial_state)


def _intact(path, size, sha256):
    return bool(path) and os.path.isfile(path) and os.path.getsize(path) == size and sha256_of(path) == sha256


def parts_intact(files):
    """True when every extracted part is on disk with its size and SHA-256."""
    return bool(files) and all(_intact(p.get('path'), p.get('size'), p.get('sha256')) for p in files)


def zip_parts(path, extract_to=None):
    """The members of a ZIP (name, size, sha256, and path when extracted into ``extract_to``); None if
    ``path`` is not a ZIP.  Each part is written to a temporary file and renamed when complete."""
    if file_kind(path) != 'zip' or not zipfile.is_zipfile(path):
        return None
    parts = []
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if not i.is_dir()]
            names = [os.path.basename(i.filename.replace('\\', '/')) for i in members]
            clashes = sorted(set(n for n in names if names.count(n) > 1 or n in ('', '.', '..')))
            if clashes:
                raise Vb365DownloadError('%s: the ZIP holds members that cannot be extracted side by side: %s' % (
                    path, ', '.join(repr(n) for n in clashes)))
            if extract_to and not os.path.isdir(extract_to):
                os.makedirs(extract_to)
            for info, name in zip(members, names):
                parts.append(_part(archive, info, name, extract_to))
    except zipfile.BadZipfile as exc:
        raise Vb365DownloadError('%s: cannot read the ZIP of parts: %s' % (path, exc))
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise Vb365DownloadError('no space left to extract %s into %s' % (path, extract_to))
        raise Vb365DownloadError('cannot extract %s into %s: %s' % (path, extract_to, exc.strerror or exc))
    return parts


def _part(archive, info, name, extract_to):
    digest = hashlib.sha256()
    target = os.path.join(extract_to, name) if extract_to else None
    out = tmp = None
    if target:
        handle, tmp = tempfile.mkstemp(dir=extract_to, prefix='.%s.' % name, suffix='.part')
        out = os.fdopen(handle, 'wb')
    try:
        with archive.open(info) as source:
            for block in iter(lambda: source.read(COPY_BLOCK), b''):
                digest.update(block)
                if out:
                    out.write(block)
        if out:
            out.close()
            os.replace(tmp, target)
    except BaseException:
        if out:
            out.close()
            _remove(tmp)
        raise
    entry = {'name': name, 'size': info.file_size, 'sha256': digest.hexdigest()}
    if target:
        entry['path'] = target
    return entry
