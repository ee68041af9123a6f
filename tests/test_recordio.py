"""``mx.recordio`` and the RecordIO datasets.

``tests/data/mxnet/recordio.rec``/``.idx`` were written by real MXNet 1.9.1
(``tests/data/mxnet/make_recordio.py``, which lists the five records); pymx must read
them and write the same bytes."""
import importlib.util
import os
import pickle

import numpy as np
import pytest

import pymx as mx
from pymx.base import MXNetError

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "mxnet")
_spec = importlib.util.spec_from_file_location("make_recordio",
                                               os.path.join(DATA, "make_recordio.py"))
_make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_make)
RECORDS = _make.records(mx.recordio)


def _mxnet_files():
    return os.path.join(DATA, "recordio.idx"), os.path.join(DATA, "recordio.rec")


def test_reads_mxnet_files_by_key_and_in_order():
    idx, rec = _mxnet_files()
    r = mx.recordio.MXIndexedRecordIO(idx, rec, "r")
    assert r.keys == [0, 1, 2, 3, 4]
    assert [r.read_idx(i) for i in (4, 0, 3, 1, 2)] == [RECORDS[i] for i in (4, 0, 3, 1, 2)]
    seq = mx.recordio.MXRecordIO(rec, "r")
    assert [seq.read() for _ in range(5)] == RECORDS and seq.read() is None
    seq.reset()
    assert seq.read() == RECORDS[0]


def test_writes_the_same_bytes_as_mxnet(tmp_path):
    idx, rec = str(tmp_path / "x.idx"), str(tmp_path / "x.rec")
    w = mx.recordio.MXIndexedRecordIO(idx, rec, "w")
    for i, r in enumerate(RECORDS):
        w.write_idx(i, r)
    w.close()
    for mine, theirs in zip((idx, rec), _mxnet_files()):
        with open(mine, "rb") as a, open(theirs, "rb") as b:
            assert a.read() == b.read()


def test_pack_unpack_headers():
    h, s = mx.recordio.unpack(RECORDS[2])
    assert (h.flag, h.label, h.id, h.id2, s) == (0, 4.0, 2574, 0, b"payload!")
    h, s = mx.recordio.unpack(RECORDS[3])       # MXNet: flag = number of labels
    assert h.flag == 3 and s == b"xyz" and (h.id, h.id2) == (7, 9)
    np.testing.assert_array_equal(h.label, np.array([1.0, 2.5, -3.0], np.float32))


def test_image_records_and_dataset(tmp_path):
    pytest.importorskip("PIL")
    rng = np.random.RandomState(0)
    bgr = rng.randint(0, 256, (5, 4, 3)).astype(np.uint8)
    idx, rec = str(tmp_path / "img.idx"), str(tmp_path / "img.rec")
    w = mx.recordio.MXIndexedRecordIO(idx, rec, "w")
    for i in range(3):
        w.write_idx(i, mx.recordio.pack_img((0, float(i), i, 0), bgr, img_fmt=".png"))
    w.close()
    h, img = mx.recordio.unpack_img(mx.recordio.MXIndexedRecordIO(idx, rec, "r").read_idx(1))
    assert h.label == 1.0
    np.testing.assert_array_equal(img, bgr)          # PNG is lossless; BGR kept
    ds = mx.gluon.data.vision.ImageRecordDataset(rec)
    assert len(ds) == 3
    x, y = ds[2]
    assert x.shape == (5, 4, 3) and x.dtype == np.uint8 and y == 2.0
    np.testing.assert_array_equal(x.asnumpy(), bgr[:, :, ::-1])   # RGB, as imdecode
    gray, _ = mx.gluon.data.vision.ImageRecordDataset(rec, flag=0)[0]
    assert gray.shape == (5, 4, 1)
    raw = mx.gluon.data.RecordFileDataset(rec)
    assert len(raw) == 3 and mx.recordio.unpack(raw[0])[0].label == 0.0
    loader = mx.gluon.data.DataLoader(ds, batch_size=2)
    assert [b[0].shape for b in loader] == [(2, 5, 4, 3), (1, 5, 4, 3)]


def test_pickled_reader_reopens(tmp_path):
    idx, rec = _mxnet_files()
    r = mx.recordio.MXIndexedRecordIO(idx, rec, "r")
    copy = pickle.loads(pickle.dumps(r))
    assert copy.read_idx(2) == RECORDS[2]


def test_bad_files(tmp_path):
    bad = tmp_path / "bad.rec"
    bad.write_bytes(b"\x00" * 12)
    with pytest.raises(MXNetError, match="not a RecordIO file"):
        mx.recordio.MXRecordIO(str(bad), "r").read()
    cut = tmp_path / "cut.rec"
    with open(os.path.join(DATA, "recordio.rec"), "rb") as f:
        cut.write_bytes(f.read()[:30])
    r = mx.recordio.MXRecordIO(str(cut), "r")
    r.read(), r.read()
    with pytest.raises(MXNetError, match="truncated"):
        r.read()
    with pytest.raises(ValueError, match="invalid flag"):
        mx.recordio.MXRecordIO(str(bad), "a")
