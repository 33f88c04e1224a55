# -*- coding: utf-8 -*-
"""Unit tests of the export helpers: size limits, destinations, manifests, ZIP parts."""

from __future__ import annotations

import hashlib
import os
import zipfile

import pytest

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365ParameterError
from ansible_collections.vb365.restore.plugins.module_utils.export import (
    Destination,
    parse_size_limit,
    request_key,
    zip_parts,
)

GIB = 1073741824


@pytest.mark.parametrize('value, size', [
    ('10GB', 10 * GIB), ('10 GiB', 10 * GIB), ('1GB', GIB), ('49GB', 49 * GIB), ('1.5GB', int(1.5 * GIB)),
    (str(GIB), GIB), ('2g', 2 * GIB), (None, None), ('', None),
])
def test_sizes(value, size):
    assert parse_size_limit(value) == size


@pytest.mark.parametrize('value', ['0.5GB', '50GB', '1073741823', '10MB', 'big', '-1GB'])
def test_sizes_outside_the_range_or_unreadable(value):
    with pytest.raises(Vb365ParameterError) as err:
        parse_size_limit(value)
    assert err.value.msg.startswith('pst_size_limit:')


def test_destination_for_a_file_and_for_a_directory(tmp_path):
    as_file = Destination(str(tmp_path / 'x.pst'), 'k1')
    assert (as_file.partial, as_file.index) == (str(tmp_path / 'x.pst.part'), str(tmp_path / 'x.pst.vb365.json'))
    assert as_file.final_path('server-name.pst') == str(tmp_path / 'x.pst')
    as_dir = Destination(str(tmp_path), 'k1')
    assert as_dir.final_path('../../etc/evil.pst') == str(tmp_path / 'evil.pst')
    assert as_dir.partial == str(tmp_path / '.vb365-export-k1.part')


def test_unwritable_or_missing_directory(tmp_path):
    with pytest.raises(Vb365ParameterError, match='does not exist'):
        Destination(str(tmp_path / 'nope' / 'x.pst'), 'k').check_writable()
    locked = tmp_path / 'locked'
    locked.mkdir()
    os.chmod(str(locked), 0o500)
    try:
        if os.access(str(locked), os.W_OK):  # root ignores permissions: check a file in the way instead
            (tmp_path / 'afile').write_text('x')
            with pytest.raises(Vb365ParameterError, match='does not exist'):
                Destination(str(tmp_path / 'afile' / 'x.pst'), 'k').check_writable()
        else:
            with pytest.raises(Vb365ParameterError, match='not writable'):
                Destination(str(locked / 'x.pst'), 'k').check_writable()
    finally:
        os.chmod(str(locked), 0o700)


def test_manifest_is_trusted_only_when_the_file_is_intact(tmp_path):
    dest = tmp_path / 'x.pst'
    dest.write_bytes(b'content')
    target = Destination(str(dest), 'key')
    target.write_manifest({'key': 'key', 'dest': str(dest), 'size': 7,
                           'sha256': hashlib.sha256(b'content').hexdigest()})
    assert target.complete('key')['size'] == 7
    assert target.complete('other') is None
    dest.write_bytes(b'contenT')
    assert target.complete('key') is None


def test_request_key_is_stable():
    assert request_key({'a': 1, 'b': [2]}) == request_key({'b': [2], 'a': 1}) != request_key({'a': 2, 'b': [2]})


def test_zip_parts_and_extraction(tmp_path):
    archive = tmp_path / 'x.zip'
    with zipfile.ZipFile(str(archive), 'w') as out:
        out.writestr('x_1.pst', b'a' * 10)
        out.writestr('x_2.pst', b'b' * 5)
    parts = zip_parts(str(archive), str(tmp_path / 'x'))
    assert [(p['name'], p['size']) for p in parts] == [('x_1.pst', 10), ('x_2.pst', 5)]
    assert (tmp_path / 'x' / 'x_2.pst').read_bytes() == b'b' * 5
    assert parts[0]['sha256'] == hashlib.sha256(b'a' * 10).hexdigest()
    plain = tmp_path / 'y.pst'
    plain.write_bytes(b'!BDN not a zip')
    assert zip_parts(str(plain)) is None
