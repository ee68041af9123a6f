"""Tests for ``pymx/ndarray/saveload.py``: MXNet's ``.params`` / ``nd.save`` format.

Where the expected bytes come from:

* ``tests/data/mxnet/*.params``, ``pickle_record.bin`` and ``params_manifest.json``
  were written by real MXNet 1.9.1 (``tests/data/mxnet/make_params_fixtures.py``,
  run with the side virtualenv ``/work/venv-mxnet``).
* ``tests/data/mxnet/legacy_ndarray.v0`` was **built by hand** by
  ``legacy_v0_bytes()`` below, following the notes (section 2.1): MXNet's own
  ``tests/python/unittest/legacy_ndarray.v0`` cannot be downloaded here and MXNet
  1.9.1 cannot write V0 records.  It has the layout the notes give for that file
  (3224 bytes: header 0x112, 6 V0 records of arange(128) float32, no names).
* The gpu-context record is the byte string from MXNet's
  ``test_load_saved_gpu_array_when_no_gpus_are_present``, as quoted in the notes.

The interop test (``test_mxnet_loads_pymx_files``) runs only when
``/work/venv-mxnet/bin/python`` exists; CI skips it.
"""
import hashlib
import json
import os
import pickle
import struct
import subprocess
import time
import tracemalloc

import numpy as np
import pytest

from pymx.base import DTYPE_TO_FLAG, FLAG_TO_DTYPE, MXNetError
from pymx.context import cpu
from pymx.ndarray import saveload
from pymx.ndarray.saveload import load, load_frombuffer, save

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "mxnet")
MXNET_PYTHON = "/work/venv-mxnet/bin/python"

V1, V2, V3 = 0xF993FAC8, 0xF993FAC9, 0xF993FACA
LIST_HEADER = struct.pack("<QQ", 0x112, 0)


def nd(a, ctx=None):
    """An NDArray holding numpy array ``a`` (the constructor takes native arrays)."""
    from pymx.ndarray.ndarray import NDArray
    return NDArray(np.asarray(a), ctx or cpu())


def assert_same(x, expected):
    """x is an NDArray equal to numpy ``expected`` in dtype, shape and values."""
    got = x.asnumpy()
    expected = np.asarray(expected)
    assert np.dtype(x.dtype) == expected.dtype, (x.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_array_equal(got, expected)


def list_file(records, names=()):
    """A whole file from record bytes and names, written by hand."""
    out = LIST_HEADER + struct.pack("<Q", len(records)) + b"".join(records)
    out += struct.pack("<Q", len(names))
    for n in names:
        raw = n.encode("utf-8")
        out += struct.pack("<Q", len(raw)) + raw
    return out


def v2_record(a, magic=V2, dev=(1, 0), flag=None):
    """One dense record written by hand from the notes' layout."""
    a = np.asarray(a)
    flag = DTYPE_TO_FLAG[a.dtype] if flag is None else flag
    return (struct.pack("<Ii", magic, 0) + struct.pack(f"<i{a.ndim}q", a.ndim, *a.shape)
            + struct.pack("<iii", dev[0], dev[1], flag)
            + a.astype(a.dtype.newbyteorder("<")).tobytes())


def legacy_v0_bytes():
    """MXNet's ``legacy_ndarray.v0``, rebuilt by hand from the notes (section 2.1):
    the list header, then 6 V0 records (u32 ndim=1, u32 dim=128, ctx cpu(0),
    type flag 0, 128 float32 values arange(128)), then 0 names."""
    data = np.arange(128, dtype="<f4").tobytes()
    record = struct.pack("<II", 1, 128) + struct.pack("<iii", 1, 0, 0) + data
    return list_file([record] * 6)


# ---------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------
SHAPES = [(1,), (5,), (2, 3), (2, 0, 1), (0,), (3, 1, 2, 2), (1, 1, 1, 1, 1, 1, 2), ()]


def sample(dtype, shape):
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    if dtype == np.bool_:
        return (np.arange(n) % 3 == 0).reshape(shape)
    if dtype.kind == "u":
        return (np.arange(n) * 7 % 200).astype(dtype).reshape(shape)
    step = 0.5 if dtype.kind == "f" else 3
    return ((np.arange(n) - n // 2) * step).astype(dtype).reshape(shape)


@pytest.mark.parametrize("dtype", sorted(d.name for d in DTYPE_TO_FLAG))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_round_trip_every_dtype_and_shape(tmp_path, dtype, shape):
    a = sample(dtype, shape)
    fname = tmp_path / "x.params"
    save(str(fname), [nd(a)])
    (y,) = load(str(fname))
    assert_same(y, a)
    assert y.context == cpu()


def test_round_trip_list_and_dict(tmp_path):
    arrays = [sample("float32", (2, 3)), sample("int64", (4,)), sample("float16", (2, 0, 1))]
    save(tmp_path / "l.params", [nd(a) for a in arrays])
    got = load(tmp_path / "l.params")
    assert isinstance(got, list) and len(got) == 3
    for y, a in zip(got, arrays):
        assert_same(y, a)

    d = {"arg:fc1_weight": sample("float32", (3, 4)), "aux:bn_moving_var": sample("float64", (3,)),
         "ünicode name": sample("uint8", (2,)), "": sample("bool", (3,))}
    save(tmp_path / "d.params", {k: nd(v) for k, v in d.items()})
    got = load(tmp_path / "d.params")
    assert isinstance(got, dict) and list(got) == list(d)       # order is kept
    for k, v in d.items():
        assert_same(got[k], v)


def test_save_single_array_empty_list_and_empty_dict(tmp_path):
    save(tmp_path / "one", nd(sample("int32", (2, 2))))
    (y,) = load(tmp_path / "one")
    assert_same(y, sample("int32", (2, 2)))
    save(tmp_path / "e1", [])
    assert load(tmp_path / "e1") == []
    save(tmp_path / "e2", {})                       # no names -> read back as a list, as MXNet
    assert load(tmp_path / "e2") == []
    assert (tmp_path / "e1").read_bytes() == list_file([])


def test_save_rejects_bad_arguments(tmp_path):
    with pytest.raises(TypeError):
        save(tmp_path / "f", [np.ones(3)])
    with pytest.raises(TypeError):
        save(tmp_path / "f", {1: nd(np.ones(3))})
    with pytest.raises(ValueError):
        save(tmp_path / "f", np.ones(3))
    with pytest.raises(TypeError):
        load_frombuffer("not bytes")
    assert os.listdir(tmp_path) == []


def test_written_bytes_follow_the_layout():
    """A float32 [0.0] on cpu(0): the record of the notes' gpu example, with dev_type 1."""
    rec = saveload._record_bytes(nd(np.zeros(1, "float32")))
    assert rec.hex() == "c9fa93f9" "00000000" "01000000" "0100000000000000" \
                        "01000000" "00000000" "00000000" "00000000"
    # a scalar cannot be written as V2 (ndim 0 means "none"): pymx writes V3
    rec = saveload._record_bytes(nd(np.array(3.5, "float32")))
    assert rec[:4] == struct.pack("<I", V3) and len(rec) == 4 + 4 + 4 + 8 + 4 + 4


def test_buffer_round_trip_and_memoryview(tmp_path):
    save(tmp_path / "f", {"a": nd(sample("float32", (2, 2)))})
    raw = (tmp_path / "f").read_bytes()
    for buf in (raw, bytearray(raw), memoryview(raw)):
        assert_same(load_frombuffer(buf)["a"], sample("float32", (2, 2)))


def test_loaded_arrays_are_writable_copies():
    buf = list_file([v2_record(np.arange(3, dtype="float32"))])
    (y,) = load_frombuffer(buf)
    y._data[0] = 42                                 # must not touch (or fail on) the buffer
    assert y.asnumpy()[0] == 42


# ---------------------------------------------------------------------------------------
# Older versions, odd records
# ---------------------------------------------------------------------------------------
def test_legacy_v0_file():
    built = legacy_v0_bytes()
    assert len(built) == 3224                       # the size the notes give for MXNet's file
    with open(os.path.join(DATA, "legacy_ndarray.v0"), "rb") as f:
        assert f.read() == built, "the frozen legacy_ndarray.v0 differs from legacy_v0_bytes()"
    got = load(os.path.join(DATA, "legacy_ndarray.v0"))
    assert isinstance(got, list) and len(got) == 6
    for y in got:
        assert_same(y, np.arange(128, dtype="float32"))


def test_v1_record_and_v0_multi_dim():
    a = sample("float64", (2, 3))
    v1 = (struct.pack("<I", V1) + struct.pack("<i2q", 2, 2, 3)      # magic, TShape (2, 3)
          + struct.pack("<iii", 1, 0, 1) + a.tobytes())              # cpu(0), float64, data
    v0 = (struct.pack("<I3I", 3, 1, 2, 2)                            # ndim 3, u32 dims (1, 2, 2)
          + struct.pack("<iii", 1, 0, 4) + np.arange(4, dtype="<i4").tobytes())   # int32
    got = load_frombuffer(list_file([v1, v0], ["a", "b"]))
    assert_same(got["a"], a)
    assert_same(got["b"], np.arange(4, dtype="int32").reshape(1, 2, 2))


def test_gpu_record_loads_on_cpu():
    """The bytes of MXNet's test_load_saved_gpu_array_when_no_gpus_are_present."""
    rec = bytes.fromhex("c9fa93f9" "00000000" "01000000" "0100000000000000"
                        "02000000" "00000000" "00000000" "00000000")
    y = saveload._record_from_bytes(rec)
    assert_same(y, np.zeros(1, "float32"))
    assert y.context == cpu()
    (y,) = load_frombuffer(list_file([rec]))
    assert y.context == cpu()


def test_every_type_flag_reads_as_its_dtype():
    for flag, dtype in sorted(FLAG_TO_DTYPE.items()):
        a = sample(dtype, (2, 2))
        (y,) = load_frombuffer(list_file([v2_record(a, flag=flag)]))
        assert_same(y, a)


def test_bfloat16_flag_loads_as_float32():
    f32 = np.array([1.5, -2.25, 3.0, 0.0], dtype="float32")
    bits = (f32.view(np.uint32) >> 16).astype("<u2")          # exact: low halves are zero
    rec = (struct.pack("<Ii", V2, 0) + struct.pack("<iq", 1, 4)
           + struct.pack("<iii", 1, 0, 12) + bits.tobytes())
    (y,) = load_frombuffer(list_file([rec]))
    assert_same(y, f32)


def test_none_records():
    """ndim 0 in V0/V1/V2 and ndim -1 in V3: a "none" array, whose record ends after
    the shape. It loads as None, and the next record still parses."""
    after = v2_record(np.arange(2, dtype="float32"))
    nones = [struct.pack("<Iii", V2, 0, 0), struct.pack("<Ii", V1, 0), struct.pack("<I", 0),
             struct.pack("<Iii", V3, 0, -1)]
    for none in nones:
        got = load_frombuffer(list_file([none, after]))
        assert got[0] is None
        assert_same(got[1], np.arange(2, dtype="float32"))
    with pytest.raises(MXNetError, match="none"):
        saveload._record_from_bytes(nones[0])


def test_v3_scalar_and_zero_size():
    rec = struct.pack("<Iii", V3, 0, 0) + struct.pack("<iii", 1, 0, 0) + struct.pack("<f", 2.5)
    (y,) = load_frombuffer(list_file([rec]))
    assert_same(y, np.array(2.5, "float32"))


def test_sparse_records_load_densely():
    """A row_sparse (5,3) with rows [1,3] and a csr (3,4), written by hand from MXNet's
    NDArray::Save (aux types and shapes after the type flag, aux data after the data)."""
    vals = np.arange(6, dtype="<f4").reshape(2, 3)
    rsp = (struct.pack("<Ii", V2, 1) + struct.pack("<i2q", 2, 2, 3) + struct.pack("<i2q", 2, 5, 3)
           + struct.pack("<iii", 1, 0, 0) + struct.pack("<i", 6) + struct.pack("<iq", 1, 2)
           + vals.tobytes() + np.array([1, 3], "<i8").tobytes())
    dense = np.zeros((5, 3), "float32")
    dense[[1, 3]] = vals
    csr_vals = np.array([1, 2, 3, 4], "<f4")
    indptr, idx = np.array([0, 2, 2, 4], "<i8"), np.array([0, 2, 1, 3], "<i8")
    csr = (struct.pack("<Ii", V2, 2) + struct.pack("<iq", 1, 4) + struct.pack("<i2q", 2, 3, 4)
           + struct.pack("<iii", 1, 0, 0) + struct.pack("<i", 6) + struct.pack("<iq", 1, 4)
           + struct.pack("<i", 6) + struct.pack("<iq", 1, 4)
           + csr_vals.tobytes() + indptr.tobytes() + idx.tobytes())
    got = load_frombuffer(list_file([rsp, csr]))
    assert_same(got[0], dense)
    assert_same(got[1], np.array([[1, 0, 2, 0], [0, 0, 0, 0], [0, 3, 0, 4]], "float32"))
    # an index outside the shape is corruption, not an IndexError
    bad = rsp[:-8] + np.array([7], "<i8").tobytes()
    with pytest.raises(MXNetError, match="row index out of range"):
        load_frombuffer(list_file([bad]))


# ---------------------------------------------------------------------------------------
# Corrupt and truncated input
# ---------------------------------------------------------------------------------------
def full_file():
    """A file with several record kinds and names, to be cut at every byte."""
    recs = [v2_record(sample("float32", (2, 3))), v2_record(sample("int8", (3,))),
            struct.pack("<II", 1, 2) + struct.pack("<iii", 1, 0, 0) + np.ones(2, "<f4").tobytes(),
            v2_record(np.zeros((2, 0, 1), "float32"))]
    return list_file(recs, ["w", "ünï", "c", "zero"])


def test_truncated_buffer_raises_at_every_cut():
    buf = full_file()
    assert len(load_frombuffer(buf)) == 4
    for cut in range(len(buf)):
        with pytest.raises(MXNetError, match="Invalid NDArray file format"):
            load_frombuffer(buf[:cut])


def test_truncated_pickle_record_raises_at_every_cut():
    rec = saveload._record_bytes(nd(sample("float64", (2, 2))))
    for cut in range(len(rec)):
        with pytest.raises(MXNetError):
            saveload._record_from_bytes(rec[:cut])
    with pytest.raises(MXNetError, match="unexpected bytes"):
        saveload._record_from_bytes(rec + b"\0")


def test_truncation_message_says_what_is_missing():
    buf = list_file([v2_record(sample("float32", (4,)))])
    with pytest.raises(MXNetError) as err:
        load_frombuffer(buf[:-10])     # cut 2 bytes into the data (8 more were the names count)
    msg = str(err.value)
    assert "record 0 of 1" in msg and "needs 16 bytes" in msg and "only 14 remain" in msg, msg


CORRUPT = {
    "huge V2 ndim": struct.pack("<Iii", V2, 0, 2**31 - 1),
    "huge V0 ndim": struct.pack("<I", 0xF0000000),
    "huge dim": struct.pack("<Iiiq", V2, 0, 1, 2**62) + struct.pack("<iii", 1, 0, 0),
    "dims overflow int64 product": struct.pack("<Iii3q", V2, 0, 3, 2**40, 2**40, 2**40)
                                   + struct.pack("<iii", 1, 0, 1),
    "huge V0 dim": struct.pack("<II", 1, 2**32 - 1) + struct.pack("<iii", 1, 0, 1),
    "negative dim": struct.pack("<Iiiq", V2, 0, 1, -5) + struct.pack("<iii", 1, 0, 0),
    "negative ndim": struct.pack("<Iii", V2, 0, -7),
    "more dims than numpy allows": struct.pack("<Iii", V2, 0, 100)
                                   + struct.pack("<100q", *[1] * 100)
                                   + struct.pack("<iii", 1, 0, 0) + b"\0" * 4,
    "unknown type flag": struct.pack("<Iiiq", V2, 0, 1, 1) + struct.pack("<iii", 1, 0, 99)
                         + b"\0" * 8,
    "unknown storage type": struct.pack("<Iii", V2, 7, 1),
    "huge sparse storage shape": struct.pack("<Iiiq", V2, 1, 1, 2**60)
                                 + struct.pack("<iq", 1, 2**60)
                                 + struct.pack("<iii", 1, 0, 0) + struct.pack("<iiq", 6, 1, 2**60),
}


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_corrupt_sizes_raise_quickly_without_allocating(name):
    buf = list_file([CORRUPT[name]])
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(MXNetError, match="Invalid NDArray file format"):
            load_frombuffer(buf)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - start < 1.0
    assert peak < 1 << 20, f"{name}: allocated {peak} bytes while reading {len(buf)}"


def test_corrupt_header_and_names():
    good = v2_record(np.ones(1, "float32"))
    with pytest.raises(MXNetError, match="list magic"):
        load_frombuffer(struct.pack("<QQQ", 0x113, 0, 0) + struct.pack("<Q", 0))
    with pytest.raises(MXNetError, match="2 names for 1 arrays"):
        load_frombuffer(list_file([good], ["a", "b"]))
    huge_count = LIST_HEADER + struct.pack("<Q", 2**63) + good
    with pytest.raises(MXNetError, match="record 1 of"):
        load_frombuffer(huge_count)
    huge_name = LIST_HEADER + struct.pack("<Q", 1) + good + struct.pack("<QQ", 1, 2**63)
    with pytest.raises(MXNetError, match="name bytes needs"):
        load_frombuffer(huge_name)
    bad_utf8 = LIST_HEADER + struct.pack("<Q", 1) + good + struct.pack("<QQ", 1, 1) + b"\xff"
    with pytest.raises(MXNetError, match="UTF-8"):
        load_frombuffer(bad_utf8)


def test_load_missing_file_is_an_mxnet_error(tmp_path):
    with pytest.raises(MXNetError):          # MXNet 1.9.1's C++ stream fails with MXNetError
        load(tmp_path / "missing.params")


# ---------------------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------------------
def test_failed_save_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "model.params"
    arrays = [nd(sample("float32", (100,))) for _ in range(3)]
    real = saveload._write_record
    calls = []

    def failing(f, arr):                   # write one record, then fail mid-file
        calls.append(arr)
        if len(calls) == 2:
            f.write(b"partial")
            raise OSError("disk full (simulated)")
        real(f, arr)

    monkeypatch.setattr(saveload, "_write_record", failing)
    with pytest.raises(OSError, match="disk full"):
        save(target, arrays)
    assert os.listdir(tmp_path) == []      # neither the target nor a temp file

    # an existing file keeps its old content when a new save fails
    monkeypatch.setattr(saveload, "_write_record", real)
    save(target, [nd(np.ones(2, "float32"))])
    old = target.read_bytes()
    calls.clear()
    monkeypatch.setattr(saveload, "_write_record", failing)
    with pytest.raises(OSError):
        save(target, arrays)
    assert target.read_bytes() == old
    assert os.listdir(tmp_path) == ["model.params"]


def test_save_fsyncs_before_replacing(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(saveload.os, "fsync",
                        lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(saveload.os, "replace",
                        lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    save(tmp_path / "f.params", [nd(np.ones(2, "float32"))])
    assert events[:2] == ["fsync", "replace"]
    assert os.listdir(tmp_path) == ["f.params"]


def test_saved_file_respects_umask(tmp_path):
    old = os.umask(0o022)
    try:
        save(tmp_path / "f.params", [nd(np.ones(2, "float32"))])
    finally:
        os.umask(old)
    assert (tmp_path / "f.params").stat().st_mode & 0o777 == 0o644


# ---------------------------------------------------------------------------------------
# Pickle
# ---------------------------------------------------------------------------------------
def test_pickle_round_trip():
    for a in (sample("float32", (2, 3)), sample("int64", (4,)), np.array(1.5, "float64"),
              np.zeros((2, 0, 1), "uint8")):
        y = pickle.loads(pickle.dumps(nd(a)))
        assert_same(y, a)
        assert y.context == cpu()
    state = nd(sample("float32", (2,))).__getstate__()
    assert state["handle"][:4] == struct.pack("<I", V2)       # one record, no list header


# ---------------------------------------------------------------------------------------
# Fixtures written by real MXNet 1.9.1
# ---------------------------------------------------------------------------------------
with open(os.path.join(DATA, "params_manifest.json"), encoding="utf-8") as _f:
    MANIFEST = json.load(_f)


def expected_arrays(info):
    return [(a["name"], np.array(a["values"], dtype=a["dtype"]).reshape(a["shape"]))
            for a in info["arrays"]]


@pytest.mark.parametrize("fname", sorted(MANIFEST["files"]))
def test_mxnet_fixture_loads(fname):
    info = MANIFEST["files"][fname]
    path = os.path.join(DATA, fname)
    with open(path, "rb") as f:
        raw = f.read()
    assert hashlib.sha256(raw).hexdigest() == info["sha256"], f"{fname} changed since it was made"
    expected = expected_arrays(info)
    if info["kind"] == "record":
        got = [saveload._record_from_bytes(raw)]
    else:
        got = load(path)
    if info["kind"] == "dict":
        assert isinstance(got, dict) and list(got) == [n for n, _ in expected]
        got = list(got.values())
    else:
        assert isinstance(got, list)
    assert len(got) == len(expected)
    for y, (name, e) in zip(got, expected):
        assert_same(y, e)


@pytest.mark.parametrize("fname", ["list.params", "dtypes_dict.params", "single.params",
                                   "empty_list.params", "checkpoint-0007.params"])
def test_pymx_rewrites_mxnet_files_byte_for_byte(tmp_path, fname):
    """Load an MXNet-written file and save it again: the bytes are identical."""
    src = os.path.join(DATA, fname)
    save(tmp_path / fname, load(src))
    with open(src, "rb") as f:
        assert (tmp_path / fname).read_bytes() == f.read()


def test_pymx_record_matches_mxnet_pickle_state():
    info = MANIFEST["files"]["pickle_record.bin"]
    ((_, a),) = expected_arrays(info)
    with open(os.path.join(DATA, "pickle_record.bin"), "rb") as f:
        assert saveload._record_bytes(nd(a)) == f.read()


# ---------------------------------------------------------------------------------------
# Interop: real MXNet 1.9.1 loads what pymx writes (only where the side venv exists)
# ---------------------------------------------------------------------------------------
MXNET_CHECK = r"""
import json, sys
import numpy as np
import mxnet as mx

cases = json.load(open(sys.argv[1]))
for case in cases:
    if case.get("np_shape"):
        with mx.util.np_shape(True):
            got = mx.nd.load(case["file"])
            got = {k: v.asnumpy() for k, v in got.items()} if isinstance(got, dict) \
                else [v.asnumpy() for v in got]
    else:
        got = mx.nd.load(case["file"])
        got = {k: v.asnumpy() for k, v in got.items()} if isinstance(got, dict) \
            else [v.asnumpy() for v in got]
    if case["kind"] == "dict":
        assert isinstance(got, dict) and list(got) == [a["name"] for a in case["arrays"]], \
            (case["file"], list(got))
        got = list(got.values())
    assert len(got) == len(case["arrays"]), case["file"]
    for g, a in zip(got, case["arrays"]):
        e = np.array(a["values"], dtype=a["dtype"]).reshape(a["shape"])
        assert g.dtype == e.dtype and g.shape == e.shape and (g == e).all(), \
            (case["file"], a["name"], g.dtype, g.shape, g.tolist(), e.tolist())
    print("ok", case["file"])
"""


def describe(name, a):
    flat = a.reshape(-1)
    return {"name": name, "dtype": a.dtype.name, "shape": list(a.shape),
            "values": [v.item() for v in (flat.astype(np.int64) if a.dtype == np.bool_ else flat)]}


@pytest.mark.skipif(not os.path.exists(MXNET_PYTHON),
                    reason="no MXNet 1.9.1 venv at /work/venv-mxnet")
def test_mxnet_loads_pymx_files(tmp_path):
    mx_dtypes = ["float32", "float64", "float16", "uint8", "int8", "int32", "int64", "bool"]
    cases = []

    def case(fname, kind, named, np_shape=False):
        path = str(tmp_path / fname)
        if kind == "dict":
            save(path, {n: nd(a) for n, a in named})
        else:
            save(path, [nd(a) for _, a in named])
        cases.append({"file": path, "kind": kind, "np_shape": np_shape,
                      "arrays": [describe(n, a) for n, a in named]})

    case("list.params", "list",
         [(None, sample("float32", (2, 3))), (None, sample("int32", (4, 1)))])
    case("dtypes.params", "dict", [(d, sample(d, (2, 3))) for d in mx_dtypes])
    case("zero.params", "list",
         [(None, np.zeros((2, 0, 1), "float32")), (None, sample("int64", (2,)))])
    case("ckpt.params", "dict", [("arg:fc1_weight", sample("float32", (3, 4))),
                                 ("arg:fc1_bias", sample("float32", (3,))),
                                 ("aux:bn1_moving_mean", sample("float32", (3,)))])
    case("scalar.params", "list", [(None, np.array(3.5, "float32"))], np_shape=True)
    # the hand-built files must be readable by MXNet too (checks our reading of the notes)
    (tmp_path / "legacy.v0").write_bytes(legacy_v0_bytes())
    cases.append({"file": str(tmp_path / "legacy.v0"), "kind": "list",
                  "arrays": [describe(None, np.arange(128, dtype="float32"))] * 6})
    gpu = bytes.fromhex("c9fa93f9000000000100000001000000000000000200000000000000"
                        "0000000000000000")
    (tmp_path / "gpu.params").write_bytes(list_file([gpu]))
    cases.append({"file": str(tmp_path / "gpu.params"), "kind": "list",
                  "arrays": [describe(None, np.zeros(1, "float32"))]})

    (tmp_path / "cases.json").write_text(json.dumps(cases))
    (tmp_path / "check.py").write_text(MXNET_CHECK)
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([MXNET_PYTHON, str(tmp_path / "check.py"), str(tmp_path / "cases.json")],
                          capture_output=True, text=True, timeout=300, env=env, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("ok ") == len(cases), proc.stdout
