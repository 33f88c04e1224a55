# -*- coding: utf-8 -*-
"""Unit tests of the export helpers: size limits, destinations, manifests, ZIP parts."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile

import pytest

from ansible_collections.vb365.restore.plugins.module_utils.errors import Vb365DownloadError, Vb365ParameterError
from ansible_collections.vb365.restore.plugins.module_utils.export import (
    Destination,
    file_kind,
    parse_size_limit,
    parts_intact,
    request_key,
    zip_parts,
)

GIB = 1073741824


@pytest.mark.parametrize('value, size', [
    ('10GB', 10 * GIB), ('10 GiB', 10 * GIB), ('1GB', GIB), ('49GB', 49 * GIB), ('1.5GB', int(1.5 * GIB)),
    (str(GIB), GIB), ('2g', 2 * GIB), ('1024MB', GIB), ('1048576 KiB', GIB), ('%dB' % GIB, GIB), (None, None), ('', None),
])
def test_sizes(value, size):
    assert parse_size_limit(value) == size


@pytest.mark.parametrize('value', ['0.5GB', '50GB', '1073741823', '10MB', '1TB', 'big', '-1GB', '10 GBs', '1e10'])
def test_sizes_outside_the_range_or_unreadable(value):
    with pytest.raises(Vb365ParameterError) as err:
        parse_size_limit(value)
    assert err.value.msg.startswith('pst_size_limit:')


def test_destination_for_a_file_and_for_a_directory(tmp_path):
    as_file = Destination(str(tmp_path / 'x.pst')).bind('k1')
    assert (as_file.partial, as_file.partial_state, as_file.index) == (
        str(tmp_path / 'x.pst.part'), str(tmp_path / 'x.pst.part.json'), str(tmp_path / 'x.pst.vb365.json'))
    assert as_file.final_path('server-name.pst', 'pst') == str(tmp_path / 'x.pst')
    as_dir = Destination(str(tmp_path)).bind('k1')
    assert as_dir.final_path('../../etc/evil.pst', 'pst') == str(tmp_path / 'evil.pst')
    assert as_dir.final_path('..\\..\\evil.pst', 'pst') == str(tmp_path / 'evil.pst')
    assert as_dir.final_path('..', 'zip') == as_dir.final_path(None, 'zip') == str(tmp_path / 'export-k1.zip')
    assert (as_dir.partial, as_dir.index) == (str(tmp_path / '.vb365-export-k1.part'), str(tmp_path / '.vb365-export-k1.json'))


def test_a_missing_directory_or_one_that_refuses_files(tmp_path):
    with pytest.raises(Vb365ParameterError, match='does not exist'):
        Destination(str(tmp_path / 'nope' / 'x.pst')).check_writable()
    (tmp_path / 'afile').write_text('x')
    with pytest.raises(Vb365ParameterError, match='does not exist'):
        Destination(str(tmp_path / 'afile' / 'x.pst')).check_writable()
    # /sys takes no new file, even from root (whom permissions do not stop).
    with pytest.raises(Vb365ParameterError, match=r'^dest: (the directory /sys is not writable|cannot write in the directory /sys: )'):
        Destination('/sys/x.pst').check_writable()
    Destination(str(tmp_path / 'x.pst')).check_writable()
    assert sorted(os.listdir(str(tmp_path))) == ['afile']  # the probe leaves nothing


def test_manifest_is_trusted_only_for_the_same_request_and_an_intact_file(tmp_path):
    dest = tmp_path / 'x.pst'
    dest.write_bytes(b'content')
    target = Destination(str(dest)).bind('key')
    target.write_manifest({'key': 'key', 'dest': str(dest), 'size': 7, 'sha256': hashlib.sha256(b'content').hexdigest()})
    assert target.complete()['size'] == 7
    assert Destination(str(dest)).bind('other').complete() is None
    dest.write_bytes(b'contenT')
    assert target.complete() is None
    dest.write_bytes(b'content!')
    assert target.complete() is None
    (tmp_path / 'x.pst.vb365.json').write_text('not json')
    dest.write_bytes(b'content')
    assert target.complete() is None


def test_a_partial_file_is_kept_only_for_the_request_that_left_it(tmp_path):
    mine = Destination(str(tmp_path / 'x.pst')).bind('mine')
    assert mine.claim_partial() is False
    (tmp_path / 'x.pst.part').write_bytes(b'12345')
    assert mine.claim_partial() is False and (tmp_path / 'x.pst.part').read_bytes() == b'12345'
    other = Destination(str(tmp_path / 'x.pst')).bind('other')
    assert other.claim_partial() is True and not (tmp_path / 'x.pst.part').exists()
    assert json.loads((tmp_path / 'x.pst.part.json').read_text()) == {'key': 'other'}
    (tmp_path / 'x.pst.part.json').unlink()
    (tmp_path / 'x.pst.part').write_bytes(b'who left this?')
    assert other.claim_partial() is True and not (tmp_path / 'x.pst.part').exists()
    (tmp_path / 'x.pst.part').write_bytes(b'done')
    other.finish(str(tmp_path / 'x.pst'))
    assert (tmp_path / 'x.pst').read_bytes() == b'done' and os.listdir(str(tmp_path)) == ['x.pst']
    (tmp_path / 'x.pst.part').write_bytes(b'x')
    (tmp_path / 'adir').mkdir()
    with pytest.raises(Vb365DownloadError, match='cannot move the finished export'):
        other.finish(str(tmp_path / 'adir'))


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
    assert parts_intact(parts)
    (tmp_path / 'x' / 'x_1.pst').write_bytes(b'a' * 9 + b'b')
    assert not parts_intact(parts) and not parts_intact([]) and not parts_intact([dict(parts[1], path=None)])
    assert sorted(os.listdir(str(tmp_path / 'x'))) == ['x_1.pst', 'x_2.pst']  # no temporary file is left
    plain = tmp_path / 'y.pst'
    plain.write_bytes(b'!BDN not a zip')
    assert zip_parts(str(plain)) is None and file_kind(str(plain)) == 'pst'


def test_a_pst_that_happens_to_hold_a_zip_trailer_is_no_zip(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, 'w') as out:
        out.writestr('a', b'a')
    pst = tmp_path / 'x.pst'
    pst.write_bytes(b'!BDN' + b'\0' * 100 + inner.getvalue())
    assert zipfile.is_zipfile(str(pst)) and zip_parts(str(pst)) is None


def test_zip_members_that_cannot_sit_side_by_side_are_refused(tmp_path):
    archive = tmp_path / 'x.zip'
    with zipfile.ZipFile(str(archive), 'w') as out:
        out.writestr('a/x_1.pst', b'a')
        out.writestr('b/x_1.pst', b'b')
    with pytest.raises(Vb365DownloadError, match="cannot be extracted side by side: 'x_1.pst'"):
        zip_parts(str(archive), str(tmp_path / 'x'))
