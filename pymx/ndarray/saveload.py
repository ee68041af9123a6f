"""``nd.save`` / ``nd.load``: MXNet's binary NDArray file format (``.params`` files).

This is the format of ``mx.nd.save``, ``net.save_parameters``, ``export`` and
``save_checkpoint``; MXNet writes it in ``src/ndarray/ndarray.cc`` (``NDArray::Save``
and the list ``Save``), and the notes describe it in section 2.1.  Every integer is
**little-endian**; vectors and strings are written the dmlc way, a ``u64`` count
followed by the items.

A file (a *list file*)::

    u64 magic = 0x112            u64 reserved = 0
    u64 N                        then N NDArray records
    u64 K                        0 for a list, N for a dict; then K names,
                                 each one: u64 byte length, UTF-8 bytes (no NUL)

One NDArray record, version 2 (the only one pymx writes for ndim >= 1)::

    u32 magic = 0xF993FAC9
    i32 stype                    0 dense | 1 row_sparse | 2 csr
    [sparse only] TShape storage_shape
    TShape shape                 i32 ndim, then ndim x i64
                                 -- ndim == 0 means a "none" array: the record ends here
    i32 dev_type, i32 dev_id     the context it was saved from (1 cpu, 2 gpu, ...)
    i32 type_flag                mshadow's dtype number (``base.DTYPE_TO_FLAG``)
    [sparse only] per aux array: i32 aux_type_flag, TShape aux_shape
    data                         prod(storage shape) x itemsize bytes, C order
    [sparse only] the aux arrays' raw bytes

Older records, which ``load`` still reads:

* **V1** (magic ``0xF993FAC8``): no ``stype`` field, otherwise as V2 (dense only).
* **V0** (*any other* first u32): that u32 *is* ``ndim``, followed by ndim **u32**
  dims (not i64), then context, type flag and data as above.
* **V3** (magic ``0xF993FACA``) is what MXNet writes under NumPy shape semantics
  (``mx.util.np_shape``): the layout of V2, but ``ndim == 0`` is a real scalar with
  one element of data, and ``ndim == -1`` (or a dim of -1) marks the "none" array.

What pymx does, and where it differs from MXNet 1.9.1:

* ``save`` writes V2 records, except for a shape ``()`` array, which it writes as a
  V3 record.  V2 cannot hold a scalar at all: MXNet 1.9.1 in legacy mode writes the
  shape ``(0 dims)`` *and then the data*, but its reader stops after the shape
  ("none"), so such a file cannot be read back, by MXNet or anyone.  MXNet reads
  pymx's V3 scalar only inside ``with mx.util.np_shape(True)``.
* ``load`` reads V0, V1, V2 and V3 alike; MXNet refuses to mix V3 with legacy mode.
* A "none" record (no data) loads as ``None``.  For V0/V1 records MXNet 1.9.1 reads
  ``ndim == 0`` as a one-element array, but the writers of those versions ended the
  record after the shape, exactly as V2 does, so pymx reads them as "none" too.
* Every array loads on ``cpu(0)``, whatever context it was saved from (MXNet copies
  to the saved GPU when one exists).  The saved context is otherwise ignored.
* Sparse records (``row_sparse``, ``csr``) load as ``RowSparseNDArray`` /
  ``CSRNDArray`` and are written back byte for byte as MXNet writes them (a V2 record
  with storage shape, int64 aux arrays).  The indices are checked to lie inside the
  shape and a csr ``indptr`` to be monotonic.
* ``bfloat16`` (type flag 12) has no NumPy dtype; it loads as ``float32`` (exact:
  a bfloat16 is the upper half of a float32).
* Files are written atomically: to a temporary file in the same directory, which is
  flushed, fsynced and then renamed over the target, so a crash never leaves a
  half-written ``.params`` file behind.
* A truncated or corrupt input raises ``MXNetError`` naming the record, the field
  and the bytes it needed versus the bytes left; every size is checked against the
  remaining buffer *before* anything is allocated.  Trailing bytes after the names
  are ignored, as MXNet ignores them.

Pickling an NDArray stores exactly one record without the list header
(``_record_bytes`` / ``_record_from_bytes``), as MXNet's ``__getstate__`` does.
"""
import io
import os
import struct

import numpy as np

from ..base import DTYPE_TO_FLAG, FLAG_TO_DTYPE, MXNetError

__all__ = ["save", "load", "load_frombuffer"]

LIST_MAGIC = 0x112                     # kMXAPINDArrayListMagic
V1_MAGIC = 0xF993FAC8                  # int64 TShape, no storage type
V2_MAGIC = 0xF993FAC9                  # + storage type (what MXNet 1.x writes)
V3_MAGIC = 0xF993FACA                  # + NumPy shape semantics (ndim 0 is a scalar)

STYPE_DEFAULT, STYPE_ROW_SPARSE, STYPE_CSR = 0, 1, 2
STYPE_NAMES = {STYPE_DEFAULT: "default", STYPE_ROW_SPARSE: "row_sparse", STYPE_CSR: "csr"}
# How many aux (index) arrays each storage type has: row_sparse idx; csr indptr, idx.
NUM_AUX = {STYPE_DEFAULT: 0, STYPE_ROW_SPARSE: 1, STYPE_CSR: 2}

BFLOAT16_FLAG = 12                     # mshadow::kBfloat16; NumPy has no such dtype
DEV_CPU = 1                            # MXNet's device type id for cpu
MXNET_DEVICES = (1, 2, 3, 5)           # cpu, gpu, cpu_pinned, cpu_shared

_BAD = "Invalid NDArray file format"   # MXNet's message prefix, kept for familiarity


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------
def _header_fields(arr):
    """(magic, shape, dev_type, dev_id, type_flag, little-endian C-order numpy data)."""
    data = np.asarray(arr.asnumpy(), order="C")     # (ascontiguousarray would make () into (1,))
    dtype = data.dtype
    if dtype not in DTYPE_TO_FLAG:
        raise MXNetError(f"nd.save: dtype {dtype} has no MXNet type flag; "
                         f"expected one of {sorted(d.name for d in DTYPE_TO_FLAG)}")
    data = data.astype(dtype.newbyteorder("<"), copy=False)   # no-op on little-endian hosts
    ctx = arr.context
    dev_type, dev_id = ctx.device_typeid, ctx.device_id
    if dev_type not in MXNET_DEVICES:  # pymx-only devices (opencl): MXNet could not place them
        dev_type, dev_id = DEV_CPU, 0
    magic = V3_MAGIC if data.ndim == 0 else V2_MAGIC          # see the module docstring
    return magic, data.shape, dev_type, dev_id, DTYPE_TO_FLAG[dtype], data


def _write_record(f, arr):
    """Write one record of NDArray ``arr`` to the binary file object ``f``."""
    if arr.stype != "default":
        return _write_sparse_record(f, arr)
    magic, shape, dev_type, dev_id, flag, data = _header_fields(arr)
    f.write(struct.pack("<Ii", magic, STYPE_DEFAULT))
    f.write(struct.pack(f"<i{len(shape)}q", len(shape), *shape))    # TShape
    f.write(struct.pack("<iii", dev_type, dev_id, flag))             # context, type flag
    f.write(data.reshape(-1).view(np.uint8))                         # raw data, C order


def _write_sparse_record(f, arr):
    """A row_sparse or csr record: storage shape before the shape, aux types and
    shapes after the type flag, the values and then the aux arrays (MXNet's order)."""
    values = np.ascontiguousarray(arr._values)
    if values.dtype not in DTYPE_TO_FLAG:
        raise MXNetError(f"nd.save: dtype {values.dtype} has no MXNet type flag")
    stype = STYPE_ROW_SPARSE if arr.stype == "row_sparse" else STYPE_CSR
    ctx = arr.context
    dev_type, dev_id = ctx.device_typeid, ctx.device_id
    if dev_type not in MXNET_DEVICES:
        dev_type, dev_id = DEV_CPU, 0
    aux = [np.ascontiguousarray(a, dtype="<i8") for a in arr._aux]
    f.write(struct.pack("<Ii", V2_MAGIC, stype))
    for shape in (values.shape, arr.shape):                           # TShapes
        f.write(struct.pack(f"<i{len(shape)}q", len(shape), *shape))
    f.write(struct.pack("<iii", dev_type, dev_id, DTYPE_TO_FLAG[values.dtype]))
    for a in aux:
        f.write(struct.pack("<iiq", DTYPE_TO_FLAG[np.dtype(np.int64)], 1, a.size))
    f.write(values.astype(values.dtype.newbyteorder("<"), copy=False).reshape(-1).view(np.uint8))
    for a in aux:
        f.write(a.view(np.uint8))


def _record_bytes(arr):
    """One record, no list header: the state ``NDArray.__getstate__`` pickles."""
    f = io.BytesIO()
    _write_record(f, arr)
    return f.getvalue()


def _write_list(f, arrays, names):
    f.write(struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays)))
    for arr in arrays:
        _write_record(f, arr)
    f.write(struct.pack("<Q", len(names)))
    for name in names:
        raw = name.encode("utf-8")
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)


def _as_arrays_and_names(data):
    """Check ``save``'s argument the way MXNet does; return (arrays, names)."""
    from .ndarray import NDArray
    if isinstance(data, NDArray):
        return [data], []
    if isinstance(data, dict):
        if any(not isinstance(k, str) for k in data) or \
                any(not isinstance(v, NDArray) for v in data.values()):
            raise TypeError("save only accept dict str->NDArray or list of NDArray")
        return list(data.values()), list(data.keys())
    if isinstance(data, (list, tuple)):
        if any(not isinstance(v, NDArray) for v in data):
            raise TypeError("save only accept dict str->NDArray or list of NDArray")
        return list(data), []
    raise ValueError("data needs to either be a NDArray, dict of str, NDArray pairs "
                     "or a list of NDarrays.")


def save(fname, data):
    """Save an NDArray, a list of NDArrays or a dict ``str -> NDArray`` to ``fname``.

    The file is MXNet's binary format (V2 records), readable by ``mx.nd.load`` of
    MXNet 1.x.  The write is atomic: ``fname`` either keeps its old content or gets
    the complete new one.

    >>> save('w.params', {'arg:fc_weight': nd.ones((2, 3))})   # doctest: +SKIP
    """
    arrays, names = _as_arrays_and_names(data)
    fname = os.fspath(fname)
    directory = os.path.dirname(os.path.abspath(fname))
    base = os.path.basename(fname)
    # A fresh hidden name next to the target (same file system, so the rename is
    # atomic).  O_EXCL never clobbers another file; mode 0o666 lets umask apply.
    for _ in range(100):
        tmp = os.path.join(directory, f".{base}.{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)
            break
        except FileExistsError:
            continue
    else:
        raise MXNetError(f"nd.save: could not create a temporary file in {directory}")
    try:
        with os.fdopen(fd, "wb") as f:
            _write_list(f, arrays, names)
            f.flush()
            os.fsync(f.fileno())          # the bytes are on disk before the rename
        os.replace(tmp, fname)            # atomic: readers see old or new, never half
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)                 # make the rename itself durable


def _fsync_dir(directory):
    """fsync a directory so a rename survives a crash (a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------
class _Reader:
    """A cursor over a byte buffer that refuses to read past its end.

    ``where`` names the part being read ("record 3"), so that every error says
    which record, which field, how many bytes were needed and how many were left.
    """

    def __init__(self, buf):
        self.buf = memoryview(buf).cast("B")
        self.pos = 0
        self.where = "file header"

    def remaining(self):
        return len(self.buf) - self.pos

    def fail(self, message):
        raise MXNetError(f"{_BAD}: {self.where}: {message} "
                         f"(at byte offset {self.pos} of {len(self.buf)})")

    def need(self, nbytes, what):
        """Check that ``nbytes`` remain; called BEFORE anything of that size is made."""
        if nbytes > self.remaining():
            self.fail(f"{what} needs {nbytes} bytes but only {self.remaining()} remain")

    def unpack(self, fmt, what):
        """Read fixed-size fields with ``struct`` (``fmt`` is little-endian)."""
        size = struct.calcsize(fmt)
        self.need(size, what)
        values = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return values if len(values) > 1 else values[0]

    def array(self, dtype, count, what):
        """``count`` items of ``dtype`` as a read-only view into the buffer."""
        dtype = np.dtype(dtype)
        self.need(count * dtype.itemsize, what)
        out = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += count * dtype.itemsize
        return out

    def tshape(self, what):
        """An i32 ndim then ndim i64 dims (V1/V2/V3); returns (ndim, dims tuple)."""
        ndim = self.unpack("<i", f"{what} ndim")
        if ndim < -1:
            self.fail(f"{what} has ndim {ndim}, which is negative")
        dims = self.array("<i8", max(ndim, 0), f"{what} with ndim {ndim}")
        return ndim, tuple(int(d) for d in dims)


def _dtype_of(r, flag, what):
    """The numpy dtype stored under mshadow type ``flag`` (bfloat16: raw uint16 bits)."""
    if flag == BFLOAT16_FLAG:
        return np.dtype("<u2")
    if flag not in FLAG_TO_DTYPE:
        r.fail(f"{what} {flag} is not an mshadow type flag (known: "
               f"{sorted(FLAG_TO_DTYPE) + [BFLOAT16_FLAG]})")
    return FLAG_TO_DTYPE[flag].newbyteorder("<")


def _numel(r, shape, what):
    """prod(shape) as a Python int (no overflow); a negative dim means corruption."""
    if any(d < 0 for d in shape):
        r.fail(f"{what} {shape} has a negative dimension")
    n = 1
    for d in shape:
        n *= d
    return n


def _read_data(r, dtype, shape, what):
    """The raw C-order data of ``shape``: size-checked first, then copied out."""
    count = _numel(r, shape, what)
    r.need(count * dtype.itemsize, f"{what} {shape} of {dtype.name}")
    try:
        return r.array(dtype, count, what).reshape(shape).copy()   # own, writable memory
    except (ValueError, MemoryError) as err:      # e.g. more dims than numpy allows
        r.fail(f"cannot make an array of shape {shape}: {err}")


def _finish_dtype(flag, data):
    """Native byte order; bfloat16 bits widened to float32 (exact)."""
    if flag == BFLOAT16_FLAG:
        return (data.astype(np.uint32) << 16).view(np.float32)
    return data.astype(data.dtype.newbyteorder("="), copy=False)


def _read_record(r):
    """Read one record at the cursor: a numpy array, or None for a "none" record."""
    # BEGIN EXERCISE saveload_records
    magic = r.unpack("<I", "magic")
    if magic in (V2_MAGIC, V3_MAGIC):
        version = 2 if magic == V2_MAGIC else 3
        stype = r.unpack("<i", "storage type")
        if stype not in NUM_AUX:
            r.fail(f"storage type {stype} is not 0 (default), 1 (row_sparse) or 2 (csr)")
        if NUM_AUX[stype]:
            _, storage_shape = r.tshape("storage shape")
        ndim, shape = r.tshape("shape")
        if version == 2 and ndim == 0:
            return None                   # legacy "none" array: the record ends here
        if version == 3 and (ndim == -1 or -1 in shape):
            return None                   # np-shape "unknown" array: ends here too
        if ndim == -1:
            r.fail("shape has ndim -1 in a V2 record")
    elif magic == V1_MAGIC:
        stype = STYPE_DEFAULT
        ndim, shape = r.tshape("shape")
        if ndim == 0:
            return None                   # "none" array
        if ndim == -1:
            r.fail("shape has ndim -1 in a V1 record")
    else:                                 # V0: the u32 we just read was ndim
        stype, ndim = STYPE_DEFAULT, magic
        dims = r.array("<u4", ndim, f"V0 shape with ndim {ndim} (first u32 {magic:#x} "
                                    "is no known magic, so it was read as a V0 ndim)")
        shape = tuple(int(d) for d in dims)
        if ndim == 0:
            return None

    r.unpack("<ii", "context (dev_type, dev_id)")     # ignored: everything loads on cpu
    flag = r.unpack("<i", "type flag")
    dtype = _dtype_of(r, flag, "type flag")
    # END EXERCISE saveload_records

    if stype == STYPE_DEFAULT:
        return _finish_dtype(flag, _read_data(r, dtype, shape, "data"))

    # Sparse: aux types and shapes, the stored values, then the aux arrays.
    aux_meta = []
    for i in range(NUM_AUX[stype]):
        aux_flag = r.unpack("<i", f"aux {i} type flag")
        aux_dtype = _dtype_of(r, aux_flag, f"aux {i} type flag")
        if aux_dtype.kind not in "iu":
            r.fail(f"aux {i} (an index array) has non-integer dtype {aux_dtype.name}")
        _, aux_shape = r.tshape(f"aux {i} shape")
        aux_meta.append((aux_dtype, aux_shape))
    values = _finish_dtype(flag, _read_data(r, dtype, storage_shape, "sparse values"))
    aux = [_read_data(r, t, s, f"aux {i} data") for i, (t, s) in enumerate(aux_meta)]
    return _sparse_parts(r, stype, shape, values, aux)


def _sparse_parts(r, stype, shape, values, aux):
    """Check a row_sparse or csr record's parts against ``shape``; returns
    ``(stype name, shape, values, aux list)`` (``_to_ndarray`` makes the array)."""
    name = STYPE_NAMES[stype]
    _numel(r, shape, f"{name} shape")
    aux = [a.astype(np.int64) for a in aux]
    if stype == STYPE_ROW_SPARSE:          # values[k] is row idx[k]
        (idx,) = aux
        if len(shape) < 1 or values.shape[1:] != shape[1:] or idx.shape != values.shape[:1]:
            r.fail(f"row_sparse values {values.shape} / indices {idx.shape} "
                   f"do not fit shape {shape}")
        if idx.size and (idx.min() < 0 or idx.max() >= shape[0]):
            r.fail(f"row_sparse row index out of range [0, {shape[0]})")
        return name, shape, values, aux
    indptr, idx = aux                      # csr: row i holds values[indptr[i]:indptr[i+1]]
    if (len(shape) != 2 or indptr.shape != (shape[0] + 1,) or idx.shape != values.shape
            or values.ndim != 1):
        r.fail(f"csr values {values.shape} / indptr {indptr.shape} / indices {idx.shape} "
               f"do not fit shape {shape}")
    steps = np.diff(indptr.astype(np.int64))
    if indptr[0] != 0 or indptr[-1] != values.size or (steps < 0).any():
        r.fail("csr indptr must start at 0, never decrease, and end at the number of values")
    if idx.size and (idx.min() < 0 or idx.max() >= shape[1]):
        r.fail(f"csr column index out of range [0, {shape[1]})")
    return name, shape, values, aux


def _to_ndarray(data):
    """Wrap a loaded numpy array (or sparse parts) as an NDArray on cpu(0) (None
    stays None)."""
    if data is None:
        return None
    from ..context import cpu
    from .ndarray import NDArray
    if isinstance(data, tuple):
        from .sparse import _CLASSES
        name, shape, values, aux = data
        return _CLASSES[name](values, aux, shape, cpu())
    return NDArray(data, cpu())


def _read_list(buf):
    """Parse a whole list file; returns (list of numpy arrays or None, list of names)."""
    r = _Reader(buf)
    magic = r.unpack("<Q", "list magic")
    if magic != LIST_MAGIC:
        r.fail(f"list magic is {magic:#x}, expected {LIST_MAGIC:#x} "
               "(is this an MXNet .params / nd.save file?)")
    r.unpack("<Q", "reserved field")
    count = r.unpack("<Q", "number of arrays")
    arrays = []
    for i in range(count):                # each record checks its own sizes
        r.where = f"record {i} of {count}"
        arrays.append(_read_record(r))
    r.where = "names"
    num_names = r.unpack("<Q", "number of names")
    if num_names not in (0, count):
        r.fail(f"there are {num_names} names for {count} arrays (expected 0 or {count})")
    names = []
    for i in range(num_names):
        r.where = f"name {i} of {num_names}"
        length = r.unpack("<Q", "name length")
        raw = r.array(np.uint8, length, "name bytes").tobytes()
        try:
            names.append(raw.decode("utf-8"))
        except UnicodeDecodeError as err:
            r.fail(f"name is not UTF-8: {err}")
    return arrays, names                  # trailing bytes are ignored, as in MXNet


def load_frombuffer(buf):
    """Load a list or dict of NDArrays from the bytes of an ``nd.save`` file.

    Returns a list when the file holds no names, else a dict ``name -> NDArray``.
    """
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError("buf required to be a string or bytes")
    arrays, names = _read_list(buf)
    arrays = [_to_ndarray(a) for a in arrays]
    return dict(zip(names, arrays)) if names else arrays


def load(fname):
    """Load what ``save`` (or MXNet's ``nd.save``) wrote: a list or a dict of NDArrays."""
    try:
        with open(os.fspath(fname), "rb") as f:
            buf = f.read()
    except OSError as err:      # MXNet's C++ stream fails with MXNetError
        raise MXNetError(f"nd.load: cannot open {fname!r}: {err.strerror}") from None
    return load_frombuffer(buf)


def _record_from_bytes(buf):
    """The NDArray in one record without list header (``NDArray.__setstate__``)."""
    r = _Reader(buf)
    r.where = "pickled NDArray record"
    data = _read_record(r)
    if data is None:
        r.fail("holds a 'none' array (no shape, no data)")
    if r.remaining():
        r.fail(f"{r.remaining()} unexpected bytes after the record")
    return _to_ndarray(data)
