# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.restore contributors
# GNU General Public License v3.0+ (https://www.gnu.org/licenses/gpl-3.0.txt)
"""Export helpers: PST size limits, where the file goes, the manifest that makes re-runs
idempotent, and the parts of a ZIP.  The download itself is the client's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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


def parse_size_limit(value, option='pst_size_limit'):
    """Bytes from ``10GB``, ``10 GiB``, ``1.5GB`` or a number of bytes; only 1 GB to 49 GB."""
    if value is None or str(value).strip() == '':
        return None
    text = str(value).strip()
    match = re.match(r'^(\d+(?:\.\d+)?)\s*(GB|GIB|G)?$', text, re.IGNORECASE)
    if not match:
        raise Vb365ParameterError('%s: %r is not a size; give bytes or gigabytes such as 10GB (1 GB = 1073741824 bytes)'
                                  % (option, value))
    number, unit = match.groups()
    size = int(float(number) * GIB) if unit else int(float(number))
    if not MIN_LIMIT <= size <= MAX_LIMIT:
        raise Vb365ParameterError('%s: %s is %d bytes; the PST size limit must be from 1 GB (%d bytes) to 49 GB (%d bytes)'
                                  % (option, value, size, MIN_LIMIT, MAX_LIMIT))
    return size


def request_key(request):
    """A stable short id of what was asked, for the manifest and the partial file's name."""
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode('utf-8')).hexdigest()[:16]


class Destination:
    """Where an export is written: the final file, its partial file and its manifest.

    ``dest`` is a file path, or an existing directory (the file then takes the name the server
    gives it, known only once the answer arrives).
    """

    def __init__(self, dest, key):
        self.dest = os.path.abspath(os.path.expanduser(dest))
        self.key = key
        self.is_dir = os.path.isdir(self.dest)
        self.directory = self.dest if self.is_dir else os.path.dirname(self.dest)
        if self.is_dir:
            self.partial = os.path.join(self.directory, '.vb365-export-%s.part' % key)
            self.index = os.path.join(self.directory, '.vb365-export-%s.json' % key)
        else:
            self.partial = self.dest + '.part'
            self.index = self.dest + '.vb365.json'

    def check_writable(self, option='dest'):
        if not os.path.isdir(self.directory):
            raise Vb365ParameterError('%s: the directory %s does not exist' % (option, self.directory))
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise Vb365ParameterError('%s: the directory %s is not writable' % (option, self.directory))
        if not self.is_dir and os.path.exists(self.dest) and not os.path.isfile(self.dest):
            raise Vb365ParameterError('%s: %s exists and is not a regular file' % (option, self.dest))

    def final_path(self, server_name):
        if not self.is_dir:
            return self.dest
        name = os.path.basename(server_name or '') or 'export-%s.pst' % self.key
        return os.path.join(self.directory, name)

    def load_manifest(self):
        try:
            with open(self.index) as handle:
                manifest = json.load(handle)
        except (OSError, IOError, ValueError):
            return None
        return manifest if isinstance(manifest, dict) else None

    def complete(self, key):
        """The manifest of a finished export of the same request whose file is intact, else None."""
        manifest = self.load_manifest()
        if not manifest or manifest.get('key') != key:
            return None
        path = manifest.get('dest')
        if not path or not os.path.isfile(path) or os.path.getsize(path) != manifest.get('size'):
            return None
        if sha256_of(path) != manifest.get('sha256'):
            return None
        return manifest

    def write_manifest(self, manifest):
        handle, tmp = tempfile.mkstemp(dir=self.directory, prefix='.vb365-manifest-')
        with os.fdopen(handle, 'w') as out:
            json.dump(manifest, out, indent=1, sort_keys=True)
        os.rename(tmp, self.index)

    def discard_partial(self):
        if os.path.exists(self.partial):
            os.remove(self.partial)


def zip_parts(path, extract_to=None):
    """The members of a ZIP of parts (name, size, sha256), extracted next to it when asked."""
    if not zipfile.is_zipfile(path):
        return None
    parts = []
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                name = os.path.basename(info.filename)
                if not name or name in ('.', '..'):
                    continue
                digest = hashlib.sha256()
                target = None
                if extract_to:
                    if not os.path.isdir(extract_to):
                        os.makedirs(extract_to)
                    target = os.path.join(extract_to, name)
                with archive.open(info) as source:
                    out = open(target, 'wb') if target else None
                    try:
                        for block in iter(lambda: source.read(1024 * 1024), b''):
                            digest.update(block)
                            if out:
                                out.write(block)
                    finally:
                        if out:
                            out.close()
                entry = {'name': name, 'size': info.file_size, 'sha256': digest.hexdigest()}
                if target:
                    entry['path'] = target
                parts.append(entry)
    except (zipfile.BadZipfile, OSError) as exc:
        raise Vb365DownloadError('%s: cannot read the ZIP of parts: %s' % (path, exc))
    return parts
