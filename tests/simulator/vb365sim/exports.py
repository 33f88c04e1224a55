"""Deterministic export content, streamed in constant memory, with byte ranges and ZIP parts.

The bytes of an export are a pure function of its scope (a string naming what was exported)
and its size, so tests can recompute and compare them, and a ``Range`` request gets exactly
the rest of what a first request would have sent.
"""

from __future__ import annotations

import hashlib
import random
import struct
import zlib
from functools import lru_cache

BLOCK = 1 << 20  # the repeating pattern, 1 MiB
MAGIC = {'pst': b'!BDN', 'msg': b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1', 'zip': b''}


@lru_cache(maxsize=1)
def _pattern():
    rng = random.Random(365)
    data = bytes(rng.getrandbits(8) for _byte in range(4096))
    # Widen cheaply to BLOCK bytes, each 4 KiB page stamped with its index so that pages differ.
    pages = []
    for page in range(BLOCK // 4096):
        pages.append(struct.pack('>I', page) + data[4:])
    block = b''.join(pages)
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

    def iter(self, start=0, end=None, chunk=BLOCK):
        """Chunks of bytes [start, end)."""
        end = self.size if end is None else min(end, self.size)
        pos = start
        pattern = _pattern()
        while pos < end:
            if pos < len(self.header):
                piece = self.header[pos:min(end, len(self.header))]
            else:
                offset = (pos + self.shift) % BLOCK
                length = min(chunk, end - pos, BLOCK)
                piece = pattern[offset:offset + length]
            yield piece
            pos += len(piece)

    def sha256(self):
        digest = hashlib.sha256()
        for piece in self.iter():
            digest.update(piece)
        return digest.hexdigest()

    def crc32(self, start=0, end=None):
        crc = 0
        for piece in self.iter(start, end):
            crc = zlib.crc32(piece, crc)
        return crc & 0xffffffff


class ZipOfParts:
    """A stored (uncompressed) ZIP whose members are consecutive slices of one Content."""

    def __init__(self, content, part_size, base_name, extension):
        self.content = content
        self.members = []
        offset = 0
        index = 1
        while offset < content.size or (index == 1 and content.size == 0):
            length = min(part_size, content.size - offset)
            self.members.append(('%s_%d.%s' % (base_name, index, extension), offset, length))
            offset += length
            index += 1
            if length == 0:
                break
        self.segments = []
        central = []
        position = 0
        for name, start, length in self.members:
            crc = content.crc32(start, start + length)
            raw = name.encode()
            local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0x21, crc, length, length, len(raw), 0) + raw
            central.append(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 0, 0, 0x21, crc, length, length,
                                       len(raw), 0, 0, 0, 0, 0, position) + raw)
            self.segments.append(('bytes', local))
            self.segments.append(('slice', (start, start + length)))
            position += len(local) + length
        directory = b''.join(central)
        end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(self.members), len(self.members), len(directory),
                          position, 0)
        self.segments.append(('bytes', directory + end))
        self.size = sum(len(s[1]) if s[0] == 'bytes' else s[1][1] - s[1][0] for s in self.segments)

    def iter(self, start=0, end=None, chunk=BLOCK):
        end = self.size if end is None else min(end, self.size)
        pos = 0
        for kind, value in self.segments:
            length = len(value) if kind == 'bytes' else value[1] - value[0]
            seg_start, seg_end = pos, pos + length
            pos = seg_end
            if seg_end <= start or seg_start >= end:
                continue
            lo, hi = max(start, seg_start) - seg_start, min(end, seg_end) - seg_start
            if kind == 'bytes':
                yield value[lo:hi]
            else:
                yield from self.content.iter(value[0] + lo, value[0] + hi, chunk)

    def sha256(self):
        digest = hashlib.sha256()
        for piece in self.iter():
            digest.update(piece)
        return digest.hexdigest()


def build(scope, size, kind, base_name, part_limit=None):
    """(stream, filename): a Content, or a ZipOfParts when ``part_limit`` splits it."""
    content = Content(scope, size, kind)
    if part_limit and size > part_limit:
        return ZipOfParts(content, part_limit, base_name, kind), '%s.zip' % base_name
    return content, '%s.%s' % (base_name, kind)


def expected_bytes(scope, size, kind='pst', part_limit=None, base_name='export'):
    """All the bytes of an export (for tests with small sizes)."""
    stream, _name = build(scope, size, kind, base_name, part_limit)
    return b''.join(stream.iter())
