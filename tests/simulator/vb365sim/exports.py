"""Deterministic export content, streamed in constant memory, with byte ranges and ZIP archives.

The bytes of an export are a pure function of its scope (a string naming what was exported)
and its size, so tests can recompute and compare them, and a ``Range`` request gets exactly
the rest of what a first request would have sent.  Nothing is ever held whole in memory: the
content is slices of one precomputed 1 MiB pattern, and a ZIP is its headers (computed once)
around such slices.

- ``Content(scope, size, kind)``: one PST or MSG file.
- ``Zip(members)``: a stored (not compressed) ZIP, ZIP64 when it needs to be;
  ``zip_of_parts`` splits one Content at a size limit (``<name>_1.pst``, ...),
  ``zip_of_items`` holds one MSG file per item.
- ``build(...)`` what the server sends, ``expected_bytes(...)`` / ``expected_iter(...)`` for tests.
"""

from __future__ import annotations

import hashlib
import random
import re
import struct
import threading
import zlib
from functools import lru_cache

BLOCK = 1 << 20  # the repeating pattern, 1 MiB
MAGIC = {'pst': b'!BDN', 'msg': b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1', 'zip': b''}
ZIP_DATE = ((2026 - 1980) << 9) | (11 << 5) | 22  # 2026-11-22, 00:00 (DOS date and time)
U32 = 0xFFFFFFFF


@lru_cache(maxsize=1)
def _pattern():
    rng = random.Random(365)
    data = rng.getrandbits(8 * 4096).to_bytes(4096, 'little')
    # Widen cheaply to BLOCK bytes, each 4 KiB page stamped with its index so that pages differ.
    block = b''.join(struct.pack('>I', page) + data[4:] for page in range(BLOCK // 4096))
    return block + block  # doubled, so any BLOCK-long window is one slice


class Content:
    """The virtual bytes of one exported file (PST or MSG)."""

    def __init__(self, scope, size, kind='pst'):
        self.scope = scope
        self.size = int(size)
        self.kind = kind
        digest = hashlib.sha256(('%s:%s:%d' % (kind, scope, self.size)).encode()).digest()
        self.header = (MAGIC.get(kind, b'') + digest)[:self.size]
        self.shift = int.from_bytes(digest[:4], 'big') % BLOCK
        self._sha256 = None

    @property
    def identity(self):
        return ('content', self.kind, self.scope, self.size)

    def iter(self, start=0, end=None, chunk=BLOCK):
        """Chunks of bytes [start, end), each at most ``chunk`` (at most 1 MiB) long."""
        end = self.size if end is None else min(end, self.size)
        chunk = max(1, min(chunk, BLOCK))
        pos = max(0, start)
        pattern = _pattern()
        while pos < end:
            if pos < len(self.header):
                piece = self.header[pos:min(end, len(self.header))]
            else:
                offset = (pos + self.shift) % BLOCK
                piece = pattern[offset:offset + min(chunk, end - pos)]
            yield piece
            pos += len(piece)

    def crc32(self, start=0, end=None):
        end = self.size if end is None else min(end, self.size)
        return _crc32(self.kind, self.scope, self.size, start, end)

    def sha256(self):
        if self._sha256 is None:
            self._sha256 = _sha256_of(self)
        return self._sha256


@lru_cache(maxsize=4096)
def _crc32(kind, scope, size, start, end):
    """CRC-32 of bytes [start, end) of a Content without reading them all: past the header the
    content repeats the 1 MiB pattern, so whole periods are combined arithmetically."""
    content = Content(scope, size, kind)
    crc, pos = 0, start
    header = len(content.header)
    if pos < min(end, header):
        crc = zlib.crc32(content.header[pos:min(end, header)])
        pos = min(end, header)
    if pos >= end:
        return crc & U32
    pattern = _pattern()
    offset = (pos + content.shift) % BLOCK
    first = min(end - pos, BLOCK - offset)
    crc = zlib.crc32(pattern[offset:offset + first], crc)
    pos += first  # now at the start of a period
    periods, rest = divmod(end - pos, BLOCK)
    if periods:
        crc = crc32_combine(crc, _periods_crc32(periods), periods * BLOCK)
    if rest:
        crc = zlib.crc32(pattern[:rest], crc)
    return crc & U32


# CRC-32 arithmetic (polynomials over GF(2) modulo the reflected CRC-32 polynomial), to combine
# the CRCs of two byte strings into the CRC of their concatenation.
_POLY = 0xEDB88320


def _multmodp(a, b):
    """a * b modulo the CRC polynomial (a != 0)."""
    m, product = 1 << 31, 0
    while True:
        if a & m:
            product ^= b
            if a & (m - 1) == 0:
                return product
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _x2n_table():
    table = [1 << 30]  # x^1
    for _power in range(1, 32):
        table.append(_multmodp(table[-1], table[-1]))  # x^(2^k)
    return table


_X2N = _x2n_table()


def _x2nmodp(n, k):
    """x^(n * 2^k) modulo the CRC polynomial."""
    product = 1 << 31  # x^0
    while n:
        if n & 1:
            product = _multmodp(_X2N[k & 31], product)
        n >>= 1
        k += 1
    return product


def crc32_combine(crc1, crc2, length2):
    """The CRC-32 of A + B from crc32(A), crc32(B) and len(B)."""
    return _multmodp(_x2nmodp(length2, 3), crc1) ^ crc2


@lru_cache(maxsize=256)
def _periods_crc32(count):
    """CRC-32 of the pattern's period repeated ``count`` times (by doubling)."""
    base, base_length = zlib.crc32(_pattern()[:BLOCK]), BLOCK
    result, result_length = 0, 0
    while count:
        if count & 1:
            result = crc32_combine(result, base, base_length) if result_length else base
            result_length += base_length
        base = crc32_combine(base, base, base_length)
        base_length *= 2
        count >>= 1
    return result


def _sha256_of(stream):
    digest = hashlib.sha256()
    for piece in stream.iter():
        digest.update(piece)
    return digest.hexdigest()


class Zip:
    """A stored (uncompressed) ZIP of members ``(name, content, start, length)``: each member is
    the slice [start, start + length) of a Content.  ZIP64 records are written when a size or an
    offset does not fit in 32 bits (or when ``zip64`` is true)."""

    def __init__(self, members, zip64=None):
        self.members = list(members)
        if zip64 is None:
            total = sum(m[3] + 200 + 2 * len(m[0]) for m in self.members)
            zip64 = total >= U32 or len(self.members) >= 0xFFFF
        self.zip64 = zip64
        self.segments = []
        central = []
        position = 0
        for name, content, start, length in self.members:
            crc = content.crc32(start, start + length)
            raw = name.encode('utf-8')
            flags = 0x800 if not raw.isascii() else 0
            if zip64:
                extra = struct.pack('<HHQQ', 1, 16, length, length)
                local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, flags, 0, 0, ZIP_DATE, crc, U32, U32, len(raw),
                                    len(extra)) + raw + extra
                cextra = struct.pack('<HHQQQ', 1, 24, length, length, position)
                central.append(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, flags, 0, 0, ZIP_DATE, crc, U32,
                                           U32, len(raw), len(cextra), 0, 0, 0, 0, U32) + raw + cextra)
            else:
                local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, flags, 0, 0, ZIP_DATE, crc, length, length,
                                    len(raw), 0) + raw
                central.append(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, flags, 0, 0, ZIP_DATE, crc,
                                           length, length, len(raw), 0, 0, 0, 0, 0, position) + raw)
            self.segments.append(('bytes', local))
            self.segments.append(('slice', (content, start, start + length)))
            position += len(local) + length
        directory = b''.join(central)
        count = len(self.members)
        tail = b''
        if zip64:
            record = struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, count, count, len(directory), position)
            locator = struct.pack('<IIQI', 0x07064b50, 0, position + len(directory), 1)
            tail = record + locator
            end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                              min(len(directory), U32), U32, 0)
        else:
            end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, count, count, len(directory), position, 0)
        self.segments.append(('bytes', directory + tail + end))
        self.size = sum(len(v) if k == 'bytes' else v[2] - v[1] for k, v in self.segments)
        self._sha256 = None

    @property
    def identity(self):
        return ('zip', tuple((name, content.identity, start, length) for name, content, start, length in self.members))

    def iter(self, start=0, end=None, chunk=BLOCK):
        end = self.size if end is None else min(end, self.size)
        pos = 0
        for kind, value in self.segments:
            length = len(value) if kind == 'bytes' else value[2] - value[1]
            seg_start, seg_end = pos, pos + length
            pos = seg_end
            if seg_end <= start or seg_start >= end:
                continue
            lo, hi = max(start, seg_start) - seg_start, min(end, seg_end) - seg_start
            if kind == 'bytes':
                yield value[lo:hi]
            else:
                content, first = value[0], value[1]
                yield from content.iter(first + lo, first + hi, chunk)

    def sha256(self):
        if self._sha256 is None:
            self._sha256 = _sha256_of(self)
        return self._sha256


def zip_of_parts(content, part_size, base_name, extension, zip64=None):
    """``content`` cut into parts of at most ``part_size`` bytes: ``<base>_1.<ext>``, ``<base>_2.<ext>``..."""
    part_size = max(1, int(part_size))
    members = []
    offset = 0
    while offset < content.size or not members:
        length = min(part_size, content.size - offset)
        members.append(('%s_%d.%s' % (base_name, len(members) + 1, extension), content, offset, length))
        offset += length
    return Zip(members, zip64)


def safe_name(text, default='item'):
    """A file name made of the text's letters, digits, spaces, dots, dashes and underscores."""
    name = re.sub(r'[^A-Za-z0-9 ._-]+', '_', text or '').strip(' ._')[:100]
    return name or default


def zip_of_items(scope, items, zip64=None):
    """One MSG file per item: ``items`` is [(item id, name, size)]; names are made unique."""
    members = []
    seen = {}
    for item_id, name, size in items:
        base = safe_name(name)
        count = seen.get(base.lower(), 0) + 1
        seen[base.lower()] = count
        file_name = '%s.msg' % base if count == 1 else '%s (%d).msg' % (base, count)
        members.append((file_name, Content('%s/%s' % (scope, item_id), size, 'msg'), 0, int(size)))
    return Zip(members, zip64)


def build(scope, size, kind, base_name, part_limit=None, items=None):
    """(stream, filename) of one export.

    PST: a Content, or a ZIP of parts when ``part_limit`` is smaller than ``size``.
    MSG: a Content for one item; for several ``items`` ([(id, name, size)]) a ZIP of MSG files.
    """
    if kind == 'msg' and items and len(items) > 1:
        return _cached_zip_of_items(scope, tuple(items)), '%s.zip' % base_name
    content = Content(scope, size, kind)
    if part_limit and content.size > part_limit:
        return _cached_zip_of_parts(scope, content.size, kind, part_limit, base_name), '%s.zip' % base_name
    return content, '%s.%s' % (base_name, kind)


_ZIP_LOCK = threading.Lock()


@lru_cache(maxsize=64)
def _zip_of_parts(scope, size, kind, part_limit, base_name):
    return zip_of_parts(Content(scope, size, kind), part_limit, base_name, kind)


@lru_cache(maxsize=64)
def _zip_of_items(scope, items):
    return zip_of_items(scope, items)


def _cached_zip_of_parts(*args):
    with _ZIP_LOCK:  # one thread computes the CRCs of a big ZIP; the others wait for it
        return _zip_of_parts(*args)


def _cached_zip_of_items(*args):
    with _ZIP_LOCK:
        return _zip_of_items(*args)


def expected_iter(scope, size, kind='pst', part_limit=None, base_name='export', items=None, start=0):
    """The bytes of an export from ``start`` on, in chunks (constant memory, for any size)."""
    stream, _name = build(scope, size, kind, base_name, part_limit, items)
    return stream.iter(start)


def expected_bytes(scope, size, kind='pst', part_limit=None, base_name='export', items=None):
    """All the bytes of an export (for tests with small sizes)."""
    return b''.join(expected_iter(scope, size, kind, part_limit, base_name, items))


def sha256_of(stream):
    """The SHA-256 of a stream's whole content (computed once per stream object)."""
    return stream.sha256()
