"""``mx.nd.sparse``: arrays that store only their non-zero parts (MXNet 1.x).

Two storage types (``stype``) besides ``'default'`` (dense):

* **csr** (``CSRNDArray``), 2-D only: compressed sparse rows.  ``data`` holds the
  stored values row after row, ``indices`` their column numbers and ``indptr``
  (length rows + 1) where each row starts: row ``i`` is
  ``data[indptr[i]:indptr[i+1]]`` at columns ``indices[indptr[i]:indptr[i+1]]``.
  ``[[0, 1, 0], [2, 0, 0], [0, 0, 0], [0, 0, 3]]`` is ``data [1, 2, 3]``,
  ``indices [1, 0, 2]``, ``indptr [0, 1, 2, 2, 3]``.
* **row_sparse** (``RowSparseNDArray``), any rank: a few whole rows (slices along
  axis 0).  ``data`` has shape ``(len(indices),) + shape[1:]`` and row ``k`` of it is
  row ``indices[k]`` of the array; every other row is zero.  Gradients of embedding
  tables are row_sparse: only the rows looked up in a batch are non-zero.

Index arrays are int64 as in MXNet.  The parts live on the host as NumPy arrays;
``context`` records where the array belongs, and its dense form (``_data``, what
every dense kernel reads) is made on that context when asked for.

How operators treat sparse inputs (``dispatch``, called by ``register.invoke``):

1. An operator with a sparse kernel here (``dot``, ``_sparse_retain``,
   ``elemwise_add``, ``abs``, ``_mul_scalar``, ``slice``, ``sum``, ``sgd_update``...)
   returns the storage type MXNet returns (``dot(csr.T, dense)`` is row_sparse).
2. Any other operator gets MXNet's **storage fallback**: the sparse inputs are
   densified, the dense kernel runs, and the result is dense; a sparse ``out=``
   receives the dense result converted to its own storage.  MXNet logs each distinct
   fallback once (``MXNET_STORAGE_FALLBACK_LOG_VERBOSE=0`` silences it); so does pymx,
   on the ``pymx.sparse`` logger, with MXNet's text.

Autograd records sparse calls like dense ones, so gradient rules run on sparse
arrays too: the gradient of ``dot(csr, w)`` for ``w`` is ``dot(csr.T, dy)``, which is
row_sparse.  A variable with a sparse gradient buffer (``attach_grad(stype=...)``)
receives it through ``_DenseMirror``.  Chapter 3 (``chapters/ch03_apis/sparse.md``)
teaches this file.
"""
import logging
import os

import numpy as np

from ..base import FLAGS, MXNetError, np_dtype
from ..context import Context, current_context
from . import register as _register
from .ndarray import NDArray, _reclass, array as _dense_array

__all__ = ["BaseSparseNDArray", "CSRNDArray", "RowSparseNDArray", "csr_matrix",
           "row_sparse_array", "zeros", "empty", "array", "dot", "retain",
           "elemwise_add", "elemwise_sub", "elemwise_mul", "add", "subtract", "multiply",
           "divide", "slice", "sum", "mean", "abs", "sqrt", "square", "negative",
           "cast_storage", "zeros_like", "dispatch"]

_AUX_DTYPE = np.dtype(np.int64)
_SLICE = slice                          # (the name ``slice`` is MXNet's op below)
_LOG = logging.getLogger("pymx.sparse")
_LOGGED = set()


# --------------------------------------------------------------------------------------
# The dense mirror: how writes into ``sparse._data`` reach the sparse parts
# --------------------------------------------------------------------------------------
class _DenseMirror(np.ndarray):
    """The dense form of a sparse array on the host, handed out as ``_data``.

    Code written for dense arrays writes results with ``k.setitem(x._data, ...)``
    (autograd's gradient buffers).  Such a write lands here and is passed on to the
    owner, which rebuilds its parts.  Writing a sparse array's mirror as a whole
    (``mirror[...] = other_mirror``) copies ``other``'s parts, so a row_sparse
    gradient keeps its row indices (also rows that happen to be zero)."""

    def __array_finalize__(self, obj):
        self._owner = None              # views and results are plain dense data

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        owner = self._owner
        if owner is not None:
            source = getattr(value, "_owner", None)
            if key is Ellipsis and source is not None and source.stype == owner.stype:
                owner._set_parts(source._values.astype(owner._values.dtype),
                                 [a.copy() for a in source._aux])
            else:
                owner._set_dense(np.asarray(self))
            owner._mirror = self


# --------------------------------------------------------------------------------------
# The classes
# --------------------------------------------------------------------------------------
class BaseSparseNDArray(NDArray):
    """An NDArray in a sparse storage format (see ``CSRNDArray``, ``RowSparseNDArray``).

    It is an ``NDArray``, so every operator accepts it (through storage fallback when
    the operator has no sparse kernel).  It cannot be reshaped or indexed freely."""
    __slots__ = ("_values", "_aux", "_sshape", "_mirror")
    _stype = None

    def __init__(self, values, aux, shape, ctx=None):
        self._values = values                  # numpy, stored values
        self._aux = list(aux)                  # numpy int64 index arrays
        self._sshape = tuple(int(d) for d in shape)
        self._mirror = None
        self._ctx = ctx if ctx is not None else current_context()
        self._node = None
        self._grad = None
        self._grad_req = "null"
        self._fresh_grad = False

    # ---- the dense view every dense kernel reads ----------------------------------------
    @property
    def _data(self):
        """The dense form as a native array of the context (made on demand)."""
        if self._ctx.backend.name != "numpy":
            return self._ctx.backend.from_numpy(self._dense_numpy())
        if self._mirror is None:
            mirror = self._dense_numpy().view(_DenseMirror)
            mirror._owner = self
            self._mirror = mirror
        return self._mirror

    @_data.setter
    def _data(self, value):
        self._set_dense(self._ctx.backend.to_numpy(value))

    def _set_parts(self, values, aux):
        self._values, self._aux, self._mirror = values, list(aux), None

    # ---- attributes ------------------------------------------------------------------
    @property
    def stype(self):
        """The storage type: 'csr' or 'row_sparse'."""
        return self._stype

    @property
    def shape(self):
        """The (dense) shape, a tuple of ints."""
        return self._sshape

    @property
    def dtype(self):
        """The element type of the values, as a NumPy type."""
        return self._values.dtype.type

    @property
    def ndim(self):
        """The number of dimensions."""
        return len(self._sshape)

    @property
    def size(self):
        """The number of elements of the dense shape."""
        return int(np.prod(self._sshape, dtype=np.int64))

    @property
    def data(self):
        """The stored values, a dense NDArray (for csr 1-D, for row_sparse
        ``(len(indices),) + shape[1:]``)."""
        return NDArray(self._ctx.backend.from_numpy(self._values), self._ctx)

    @property
    def indices(self):
        """The int64 index array: column numbers (csr) or row numbers (row_sparse)."""
        return NDArray(self._ctx.backend.from_numpy(self._aux[-1]), self._ctx)

    def _aux_data(self, i):
        """Aux array ``i`` as an NDArray (csr: 0 indptr, 1 indices; row_sparse: 0 indices)."""
        return NDArray(self._ctx.backend.from_numpy(self._aux[i]), self._ctx)

    # ---- conversion ------------------------------------------------------------------
    def asnumpy(self):
        """A dense NumPy copy."""
        return self._dense_numpy()

    def todense(self):
        """A dense NDArray with the same values (``tostype('default')``)."""
        return self.tostype("default")

    def tostype(self, stype):
        """A copy with storage ``stype``; csr <-> row_sparse raises ValueError (MXNet)."""
        if stype not in ("default", self._stype):
            raise ValueError(f"cast_storage from {self._stype} to {stype} is not supported")
        return cast_storage(self, stype=stype)

    def astype(self, dtype, copy=True):
        """A copy whose values have type ``dtype`` (same storage, same indices)."""
        if not copy and np.dtype(dtype) == self._values.dtype:
            return self
        return type(self)(self._values.astype(np_dtype(dtype)),
                          [a.copy() for a in self._aux], self._sshape, self._ctx)

    def copy(self):
        """A deep copy (same storage type and context)."""
        return type(self)(self._values.copy(), [a.copy() for a in self._aux],
                          self._sshape, self._ctx)

    def copyto(self, other):
        """Copy into ``other`` (an NDArray of this shape, dense or of this storage type)
        or to a new array on Context ``other``; returns the destination."""
        if isinstance(other, Context):
            return type(self)(self._values.copy(), [a.copy() for a in self._aux],
                              self._sshape, other)
        if not isinstance(other, NDArray):
            raise TypeError(f"copyto does not support type {type(other).__name__}")
        if other is self:
            return other
        if other.shape != self.shape:
            raise MXNetError(f"copyto: shape mismatch, source {self.shape} vs target "
                             f"{other.shape}")
        if other.stype == "default":
            return NDArray(self._ctx.backend.from_numpy(self._dense_numpy()),
                           self._ctx).copyto(other)
        if other.stype != self._stype:
            raise TypeError(f"copyto does not support destination NDArray stype "
                            f"{other.stype}")
        other._set_parts(self._values.astype(other._values.dtype),
                         [a.copy() for a in self._aux])
        return other

    def as_in_context(self, context):
        """``self`` if on ``context``, else a copy there."""
        return self if context == self._ctx else self.copyto(context)

    as_in_ctx = as_in_context

    def wait_to_read(self):
        """Block until the array is computed (pymx is eager: returns at once)."""

    def detach(self):
        """The same parts, cut out of the recorded graph."""
        return type(self)(self._values, self._aux, self._sshape, self._ctx)

    def reshape(self, *shape, **kwargs):
        """Not supported for sparse arrays (as in MXNet)."""
        raise MXNetError(f"reshape is not supported for {type(self).__name__}; "
                         "convert with tostype('default') first")

    def attach_grad(self, grad_req="write", stype=None):
        """Mark as a variable; the gradient buffer has storage ``stype`` (default:
        dense, as MXNet's)."""
        from .. import autograd
        autograd.mark_variables([self], [zeros(stype or "default", self.shape, self._ctx,
                                               self._values.dtype)], grad_reqs=grad_req)

    # ---- printing, pickling (``__str__``, ``__getstate__``: NDArray's) ---------------
    def __repr__(self):
        shape_info = "x".join(str(d) for d in self.shape)
        return f"\n<{type(self).__name__} {shape_info} @{self._ctx}>"

    def __setstate__(self, state):
        from .saveload import _record_from_bytes
        other = _record_from_bytes(state["handle"])
        BaseSparseNDArray.__init__(self, other._values, other._aux, other.shape, other._ctx)

    # ---- assignment ------------------------------------------------------------------
    def __setitem__(self, key, value):
        """Only ``x[:] = value`` (an NDArray, a NumPy array, or 0 to clear)."""
        if not (isinstance(key, _SLICE) and key == _SLICE(None)):
            raise ValueError(f"{type(self).__name__} only supports [:] for assignment")
        if isinstance(value, BaseSparseNDArray):
            if value is not self:
                value.copyto(self)
        elif isinstance(value, NDArray):
            if value.shape != self.shape:
                raise MXNetError(f"{type(self).__name__}[:] = value: shape {value.shape} "
                                 f"!= {self.shape}")
            self._set_dense(value.asnumpy())
        elif isinstance(value, (int, float, np.number)) and value == 0:
            self._set_dense(np.zeros(self.shape, self._values.dtype))
        elif isinstance(value, np.ndarray):
            self._set_dense(np.broadcast_to(value, self.shape))
        else:
            raise TypeError(f"{type(self).__name__}[:] = value: type "
                            f"{type(value).__name__} not supported")

    # ---- arithmetic: MXNet's ``add`` picks elemwise ops for equal shapes ----------------
    def _binary(self, other, array_op, scalar_op, reflect=False):
        if isinstance(other, NDArray) and other.shape == self.shape and \
                array_op in _ELEMWISE:
            pair = [other, self] if reflect else [self, other]
            return _register.invoke(_op(_ELEMWISE[array_op]), pair, {})
        return NDArray._binary(self, other, array_op, scalar_op, reflect)

    def _inplace(self, other, array_op, scalar_op):
        result = self._binary(other, array_op, scalar_op)
        if result is NotImplemented:
            raise TypeError(f"type {type(other).__name__} not supported")
        self[:] = result
        return self


_ELEMWISE = {"broadcast_add": "elemwise_add", "broadcast_sub": "elemwise_sub",
             "broadcast_mul": "elemwise_mul", "broadcast_div": "elemwise_div"}


class CSRNDArray(BaseSparseNDArray):
    """A 2-D array in compressed sparse row format (see the module docstring).

    ``data``, ``indices``, ``indptr`` are its parts; ``a[1:3]`` and ``a[i]`` slice rows
    (a CSRNDArray); ``asscipy()`` gives a ``scipy.sparse.csr_matrix``."""
    __slots__ = ()
    _stype = "csr"

    @property
    def indptr(self):
        """The int64 row pointer (length rows + 1)."""
        return self._aux_data(0)

    def _dense_numpy(self):
        dense = np.zeros(self._sshape, self._values.dtype)
        indptr, idx = self._aux
        rows = np.repeat(np.arange(self._sshape[0]), np.diff(indptr))
        np.add.at(dense, (rows, idx), self._values)    # duplicates add, as scipy
        return dense

    def _set_dense(self, dense):
        dense = np.asarray(dense, dtype=self._values.dtype)
        rows, cols = np.nonzero(dense)
        indptr = np.zeros(self._sshape[0] + 1, _AUX_DTYPE)
        np.cumsum(np.bincount(rows, minlength=self._sshape[0]), out=indptr[1:])
        self._set_parts(dense[rows, cols], [indptr, cols.astype(_AUX_DTYPE)])

    def __getitem__(self, key):
        """``a[i]`` (row i, as a 1-row CSRNDArray), ``a[start:stop]`` (rows)."""
        n = self._sshape[0]
        if isinstance(key, (int, np.integer)):
            begin = int(key) + n if key < 0 else int(key)
            if not 0 <= begin < n:
                raise IndexError(f"CSRNDArray: index {key} is out of bounds for axis 0 "
                                 f"with size {n}")
            return _slice_csr(self, (begin,), (begin + 1,))
        if isinstance(key, _SLICE):
            if key.step is not None:
                raise ValueError("CSRNDArray only supports continuous slicing on axis 0")
            if key.start is None and key.stop is None:
                return self
            begin, end, _ = key.indices(n)
            return _slice_csr(self, (begin,), (max(begin, end),))
        if isinstance(key, tuple):
            raise ValueError("Multi-dimension indexing is not supported")
        raise ValueError(f"Undefined behaviour for {key}")

    def asscipy(self):
        """A ``scipy.sparse.csr_matrix`` with a copy of the parts."""
        import scipy.sparse as spsp
        return spsp.csr_matrix((self._values.copy(), self._aux[1].copy(),
                                self._aux[0].copy()), shape=self._sshape)

    def check_format(self, full_check=True):
        """Raise MXNetError unless the parts form a valid csr matrix: indptr starts at 0,
        never decreases, ends at ``len(data)``; indices lie in ``[0, columns)`` and (with
        ``full_check``) increase strictly within each row."""
        indptr, idx = self._aux
        rows, cols = self._sshape
        where = f"CSRNDArray.check_format (shape {self._sshape})"
        if indptr.shape != (rows + 1,) or idx.shape != self._values.shape:
            raise MXNetError(f"{where}: indptr {indptr.shape} must have rows + 1 = "
                             f"{rows + 1} entries and indices {idx.shape} as many as data "
                             f"{self._values.shape}")
        if not full_check:
            return
        if indptr[0] != 0 or indptr[-1] != idx.size or (np.diff(indptr) < 0).any():
            raise MXNetError(f"{where}: indptr {indptr.tolist()} must start at 0, never "
                             f"decrease and end at len(data) = {idx.size}")
        if idx.size and (idx.min() < 0 or idx.max() >= cols):
            raise MXNetError(f"{where}: column indices must lie in [0, {cols})")
        row_of = np.repeat(np.arange(rows), np.diff(indptr))
        if ((np.diff(idx) <= 0) & (row_of[1:] == row_of[:-1])).any():
            raise MXNetError(f"{where}: column indices must increase within each row")


class RowSparseNDArray(BaseSparseNDArray):
    """An array holding only some rows (slices along axis 0); see the module
    docstring.  ``data`` holds those rows and ``indices`` their numbers."""
    __slots__ = ()
    _stype = "row_sparse"

    def _dense_numpy(self):
        dense = np.zeros(self._sshape, self._values.dtype)
        dense[self._aux[0]] = self._values
        return dense

    def _set_dense(self, dense):
        dense = np.asarray(dense, dtype=self._values.dtype)
        flat = dense.reshape(dense.shape[0], -1) if dense.ndim else dense
        rows = np.nonzero(flat.any(axis=1))[0]
        self._set_parts(dense[rows], [rows.astype(_AUX_DTYPE)])

    def __getitem__(self, key):
        """Only ``x[:]`` (the array itself), as in MXNet."""
        if isinstance(key, _SLICE) and key == _SLICE(None):
            return self
        raise ValueError("RowSparseNDArray only supports [:] for __getitem__")

    def retain(self, indices):
        """The rows listed in ``indices`` only (``sparse.retain``)."""
        return retain(self, indices)

    def check_format(self, full_check=True):
        """Raise MXNetError unless ``data`` has ``len(indices)`` rows of shape
        ``shape[1:]`` and (with ``full_check``) the indices increase strictly and lie
        in ``[0, shape[0])``."""
        (idx,) = self._aux
        where = f"RowSparseNDArray.check_format (shape {self._sshape})"
        if self._values.shape != idx.shape + self._sshape[1:]:
            raise MXNetError(f"{where}: data {self._values.shape} must be (len(indices),)"
                             f" + {self._sshape[1:]} with indices {idx.shape}")
        if not full_check:
            return
        if idx.size and (idx.min() < 0 or idx.max() >= self._sshape[0]):
            raise MXNetError(f"{where}: row indices must lie in [0, {self._sshape[0]})")
        if (np.diff(idx) <= 0).any():
            raise MXNetError(f"{where}: row indices must increase strictly")


_CLASSES = {"csr": CSRNDArray, "row_sparse": RowSparseNDArray}


# --------------------------------------------------------------------------------------
# Creation
# --------------------------------------------------------------------------------------
def _new(stype, values, aux, shape, ctx):
    return _CLASSES[stype](values, aux, shape, ctx if ctx is not None else current_context())


def _default_dtype(src, dtype):
    """MXNet's ``_prepare_default_dtype``: an NDArray, NumPy or scipy source keeps its
    dtype, anything else is float32."""
    if dtype is not None:
        return np_dtype(dtype)
    if isinstance(src, (NDArray, np.ndarray)) or _is_scipy(src):
        return np.dtype(src.dtype)
    return np.dtype(np.float32)


def _is_scipy(x):
    return type(x).__module__.startswith("scipy.sparse")


def _host(x, dtype):
    """An array-like (NDArray, NumPy, list) as a NumPy array of ``dtype``."""
    if isinstance(x, NDArray):
        x = x.asnumpy()
    try:
        return np.asarray(x).astype(dtype, copy=True)
    except (TypeError, ValueError):
        raise TypeError("values must be array like object") from None


def _check_shape(s1, s2):
    if s1 and s2 and tuple(s1) != tuple(s2):
        raise ValueError(f"Shape mismatch detected. {tuple(s1)} v.s. {tuple(s2)}")


def zeros(stype, shape, ctx=None, dtype=None, **kwargs):
    """An all-zero array of storage ``stype`` (no stored values; float32 default).

    >>> mx.nd.sparse.zeros('csr', (2, 3))     # doctest: +SKIP
    <CSRNDArray 2x3 @cpu(0)>"""
    if stype == "default":
        from .ndarray import zeros as dense_zeros
        return dense_zeros(shape, ctx=ctx, dtype=dtype, **kwargs)
    if stype not in _CLASSES:
        raise ValueError(f"unknown storage type {stype}")
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)
    dt = np_dtype(dtype)
    if stype == "csr":
        if len(shape) != 2:
            raise ValueError(f"sparse.zeros: a csr array is 2-D, got shape {shape}")
        return _new("csr", np.zeros(0, dt), [np.zeros(shape[0] + 1, _AUX_DTYPE),
                                             np.zeros(0, _AUX_DTYPE)], shape, ctx)
    return _new("row_sparse", np.zeros((0,) + shape[1:], dt), [np.zeros(0, _AUX_DTYPE)],
                shape, ctx)


def empty(stype, shape, ctx=None, dtype=None):
    """An empty (all-zero) sparse array: the same as ``zeros`` for sparse storage."""
    if stype not in _CLASSES:
        raise MXNetError(f"unknown stype : {stype}")
    return zeros(stype, shape, ctx=ctx, dtype=dtype)


def csr_matrix(arg1, shape=None, ctx=None, dtype=None):
    """A ``CSRNDArray`` from any of MXNet's forms:

    * ``csr_matrix((data, indices, indptr), shape=None)``: the parts (shape inferred
      as ``(len(indptr) - 1, max(indices) + 1)`` when omitted);
    * ``csr_matrix((data, (row, col)), shape=None)``: coordinates (duplicates add);
    * ``csr_matrix((M, N))``: an empty M x N matrix;
    * ``csr_matrix(S)``: a ``CSRNDArray`` or ``scipy.sparse`` matrix (copied);
    * ``csr_matrix(D)``: a dense NDArray, NumPy array or nested list (zeros dropped).

    The parts are not checked (call ``check_format``), as in MXNet.  dtype: that of a
    NumPy/NDArray/scipy source, else float32.
    """
    if isinstance(arg1, tuple):
        if len(arg1) == 2 and isinstance(arg1[1], tuple) and len(arg1[1]) == 2:
            import scipy.sparse as spsp
            data, (row, col) = arg1
            coo = spsp.coo_matrix((_host(data, _default_dtype(data, dtype)),
                                   (_host(row, np.int64), _host(col, np.int64))),
                                  shape=shape)
            _check_shape(coo.shape, shape)
            return array(coo.tocsr(), ctx=ctx, dtype=dtype)
        if len(arg1) == 2:
            _check_shape(arg1, shape)
            return empty("csr", arg1, ctx=ctx, dtype=dtype)
        if len(arg1) == 3:
            return _csr_from_parts(*arg1, shape=shape, ctx=ctx, dtype=dtype)
        raise ValueError(f"Unexpected length of input tuple: {len(arg1)}")
    if isinstance(arg1, CSRNDArray) or _is_scipy(arg1):
        _check_shape(arg1.shape, shape)
        return array(arg1, ctx=ctx, dtype=dtype)
    if isinstance(arg1, RowSparseNDArray):
        raise ValueError("Unexpected input type: RowSparseNDArray")
    dense = _host(arg1, _default_dtype(arg1, dtype))
    _check_shape(dense.shape, shape)
    if dense.ndim != 2:
        raise ValueError(f"csr_matrix: a csr array is 2-D, got shape {dense.shape}")
    out = zeros("csr", dense.shape, ctx=ctx, dtype=dense.dtype)
    out._set_dense(dense)
    return out


def _csr_from_parts(data, indices, indptr, shape=None, ctx=None, dtype=None):
    dt = _default_dtype(data, dtype)
    data, indices, indptr = _host(data, dt), _host(indices, _AUX_DTYPE), \
        _host(indptr, _AUX_DTYPE)
    if shape is None:
        if indices.size == 0:
            raise ValueError("invalid shape")
        shape = (len(indptr) - 1, int(indices.max()) + 1)
    if data.ndim != 1 or indptr.ndim != 1 or indices.ndim != 1 or indptr.size == 0 \
            or len(shape) != 2:
        raise ValueError(f"invalid shape: csr_matrix needs 1-D data {data.shape}, "
                         f"indices {indices.shape}, indptr {indptr.shape} and a 2-D "
                         f"shape, got {tuple(shape)}")
    return _new("csr", data, [indptr, indices], shape, ctx)


def row_sparse_array(arg1, shape=None, ctx=None, dtype=None):
    """A ``RowSparseNDArray`` from any of MXNet's forms:

    * ``row_sparse_array((data, indices), shape)``: rows ``data[k]`` at row numbers
      ``indices[k]`` (shape inferred as ``(max(indices) + 1,) + data.shape[1:]``);
    * ``row_sparse_array((D0, D1, ...))``: an empty array of that shape;
    * ``row_sparse_array(S)``: a ``RowSparseNDArray`` (copied);
    * ``row_sparse_array(D)``: a dense NDArray, NumPy array or nested list (all-zero
      rows dropped).
    """
    if isinstance(arg1, tuple):
        if len(arg1) < 2:
            raise ValueError(f"Unexpected length of input tuple: {len(arg1)}")
        if len(arg1) > 2 or all(isinstance(d, (int, np.integer)) for d in arg1):
            _check_shape(arg1, shape)
            return empty("row_sparse", arg1, ctx=ctx, dtype=dtype)
        data, indices = arg1
        dt = _default_dtype(data, dtype)
        data, indices = _host(data, dt), _host(indices, _AUX_DTYPE)
        if shape is None:
            if indices.size == 0:
                raise ValueError("invalid shape")
            shape = (int(indices.max()) + 1,) + data.shape[1:]
        shape = tuple(shape)
        if indices.ndim != 1 or data.shape != indices.shape + shape[1:]:
            raise ValueError(f"invalid shape: row_sparse_array needs data of shape "
                             f"(len(indices),) + {shape[1:]}, got data {data.shape} and "
                             f"indices {indices.shape}")
        return _new("row_sparse", data, [indices], shape, ctx)
    if isinstance(arg1, RowSparseNDArray):
        _check_shape(arg1.shape, shape)
        return array(arg1, ctx=ctx, dtype=dtype)
    if isinstance(arg1, CSRNDArray):
        raise ValueError("Unexpected input type: CSRNDArray")
    dense = _host(arg1, _default_dtype(arg1, dtype))
    _check_shape(dense.shape, shape)
    out = zeros("row_sparse", dense.shape, ctx=ctx, dtype=dense.dtype)
    out._set_dense(dense)
    return out


def array(source_array, ctx=None, dtype=None):
    """A sparse copy of a ``CSRNDArray``, ``RowSparseNDArray`` or scipy sparse matrix
    (scipy input is first put in canonical form: sorted indices, duplicates summed)."""
    if isinstance(source_array, BaseSparseNDArray):
        dt = _default_dtype(source_array, dtype)
        out = source_array.astype(dt)
        return out.copyto(ctx) if ctx is not None and ctx != out._ctx else out
    if isinstance(source_array, NDArray):
        raise MXNetError("Please use `tostype` to create RowSparseNDArray or CSRNDArray "
                         "from an NDArray")
    if _is_scipy(source_array):
        csr = source_array.tocsr(copy=True)
        csr.sum_duplicates()
        csr.sort_indices()
        dt = _default_dtype(source_array, dtype)
        return _new("csr", csr.data.astype(dt), [csr.indptr.astype(_AUX_DTYPE),
                                                 csr.indices.astype(_AUX_DTYPE)],
                    csr.shape, ctx)
    raise ValueError(f"Unexpected source_array type: {type(source_array).__name__}")


# --------------------------------------------------------------------------------------
# Dispatch: sparse kernels, else storage fallback (called by register.invoke)
# --------------------------------------------------------------------------------------
_KERNELS = {}


def _kernel(*names):
    """Register ``fn(attrs, inputs) -> result or NotImplemented`` for these ops."""
    def deco(fn):
        for name in names:
            _KERNELS[name] = fn
        return fn
    return deco


def _op(name):
    from ..ops.registry import get_op
    return get_op(name)


def _stypes(arrays):
    return "[" + "".join(f"{x.stype}, " for x in arrays) + "]"


def _log_fallback(op, a, inputs):
    """MXNet's storage-fallback message, logged once per distinct text."""
    if os.environ.get("MXNET_STORAGE_FALLBACK_LOG_VERBOSE", "1") == "0":
        return
    params = "{" + ", ".join(f'"{k}" : "{v}"' for k, v in sorted(a.items())
                             if k in op.params and v != op.defaults.get(k)) + "}"
    msg = ("\nStorage type fallback detected:\n"
           f"operator = {op.name}\ninput storage types = {_stypes(inputs)}\n"
           "output storage types = [default, ]\n"
           f"params = {params}\ncontext.dev_mask = {inputs[0]._ctx.device_type}\n"
           "The operator with default storage type will be dispatched for execution. "
           "You're seeing this warning message because the operator above is unable to "
           "process the given ndarrays with specified storage types, context and "
           "parameter. Temporary dense ndarrays are generated in order to execute the "
           "operator. This does not affect the correctness of the programme. You can set "
           "environment variable MXNET_STORAGE_FALLBACK_LOG_VERBOSE to 0 to suppress "
           "this warning.")
    if msg not in _LOGGED:
        _LOGGED.add(msg)
        _LOG.warning(msg)


def _dense_handle(x):
    """A dense NDArray over ``x``'s dense form, at ``x``'s place in the graph."""
    if not isinstance(x, BaseSparseNDArray):
        return x
    dense = _reclass(x, NDArray)
    if isinstance(dense._data, _DenseMirror):
        dense._data = dense._data.view(np.ndarray)
    return dense


def dispatch(op, inputs, kwargs, out=None):
    """Run operator ``op`` when an input or ``out`` is sparse (or ``op`` may make a
    sparse result from dense inputs: ``cast_storage``, ``_backward_Embedding``).

    A sparse kernel of ``_KERNELS`` runs first; it returns ``NotImplemented`` for
    storage combinations it does not handle, and then the storage fallback runs.
    """
    kernel = _KERNELS.get(op.name)
    if kernel is not None:
        a = op.parse_attrs(dict(kwargs))
        res = kernel(a, inputs)
        if res is not NotImplemented:
            outputs = list(res) if isinstance(res, (list, tuple)) else [res]
            if FLAGS.recording:
                from ..autograd import _record
                _record(op, a, inputs, outputs)
            if out is None:
                return res
            for target, value in zip(out if isinstance(out, (list, tuple)) else [out],
                                     outputs):
                _assign(op, target, value)
            return out
    sparse_in = [x for x in inputs if isinstance(x, BaseSparseNDArray)]
    if sparse_in:
        _log_fallback(op, op.parse_attrs(dict(kwargs)), inputs)
    dense_inputs = [_dense_handle(x) for x in inputs]
    if out is None or not any(isinstance(o, BaseSparseNDArray) for o in
                              (out if isinstance(out, (list, tuple)) else [out])):
        return _register.dense_invoke(op, dense_inputs, kwargs, out)
    res = _register.dense_invoke(op, dense_inputs, kwargs)
    for target, value in zip(out if isinstance(out, (list, tuple)) else [out],
                             res if isinstance(res, list) else [res]):
        _assign(op, target, value)
    return out


def _assign(op, target, value):
    """``out=target`` for a result ``value`` (either may be sparse)."""
    if target.shape != value.shape:
        raise MXNetError(f"{op.name}: out= has shape {target.shape} but the result has "
                         f"shape {value.shape}")
    if isinstance(target, BaseSparseNDArray):
        if isinstance(value, BaseSparseNDArray) and value.stype == target.stype:
            target._set_parts(value._values.astype(target._values.dtype), value._aux)
        else:
            target._set_dense(value.asnumpy())
    else:
        _register._write_into(op, target, _dense_handle(value)
                              if not isinstance(value, BaseSparseNDArray)
                              else NDArray(value._ctx.backend.from_numpy(
                                  value.asnumpy()), value._ctx))


def _like(x, values, aux=None):
    """A sparse array of x's class, shape and context with new values (same indices)."""
    return type(x)(values, x._aux if aux is None else aux, x._sshape, x._ctx)


def _dense(x):
    """x's dense form as NumPy (x dense or sparse)."""
    return x._dense_numpy() if isinstance(x, BaseSparseNDArray) else x.asnumpy()


def _dense_out(x, values):
    return NDArray(x._ctx.backend.from_numpy(np.ascontiguousarray(values)), x._ctx)


@_kernel("cast_storage")
def _k_cast_storage(a, inputs):
    (x,) = inputs
    if a.stype == "default":
        return _dense_out(x, _dense(x))
    if isinstance(x, BaseSparseNDArray):
        if x.stype != a.stype:
            raise MXNetError(f"cast_storage: cannot convert {x.stype} to {a.stype} "
                             "directly; go through 'default'")
        return x.copy()
    if a.stype == "csr" and x.ndim != 2:
        raise MXNetError(f"cast_storage: csr storage needs a 2-D array, got shape {x.shape}")
    out = zeros(a.stype, x.shape, x._ctx, x._data.dtype)
    out._set_dense(x.asnumpy())
    return out


def cast_storage(data, stype):
    """A copy of ``data`` with storage ``stype``; 'default' <-> 'csr'/'row_sparse'
    (dense to sparse drops zeros: whole rows for row_sparse, entries for csr)."""
    return _register.invoke(_op("cast_storage"), [data], {"stype": stype})


def _csr_parts(x):
    indptr, idx = x._aux
    rows = np.repeat(np.arange(x._sshape[0]), np.diff(indptr))
    return rows, idx, x._values


@_kernel("dot")
def _k_dot(a, inputs):
    lhs, rhs = inputs
    if a.transpose_b or lhs.dtype != rhs.dtype:
        return NotImplemented
    if isinstance(lhs, CSRNDArray) and rhs.ndim == 2:
        rows, cols, vals = _csr_parts(lhs)
        r = _dense(rhs)
        if not a.transpose_a:                 # (m, k) x (k, n) -> dense (m, n)
            if lhs.shape[1] != r.shape[0]:
                raise MXNetError(f"dot: shape mismatch, lhs {lhs.shape} x rhs {rhs.shape}")
            out = np.zeros((lhs.shape[0], r.shape[1]), r.dtype)
            np.add.at(out, rows, vals[:, None] * r[cols])
            return _dense_out(lhs, out)
        if lhs.shape[0] != r.shape[0]:        # (k, m)^T x (k, n) -> row_sparse (m, n)
            raise MXNetError(f"dot: shape mismatch, lhs.T {lhs.shape[::-1]} x rhs "
                             f"{rhs.shape}")
        used = np.unique(cols)
        out = np.zeros((used.size, r.shape[1]), r.dtype)
        np.add.at(out, np.searchsorted(used, cols), vals[:, None] * r[rows])
        return _new("row_sparse", out, [used], (lhs.shape[1], r.shape[1]), lhs._ctx)
    if isinstance(rhs, CSRNDArray) and not isinstance(lhs, BaseSparseNDArray) \
            and lhs.ndim == 2 and not a.transpose_a:
        rows, cols, vals = _csr_parts(rhs)    # (m, k) x (k, n) csr
        l = lhs.asnumpy()
        if l.shape[1] != rhs.shape[0]:
            raise MXNetError(f"dot: shape mismatch, lhs {lhs.shape} x rhs {rhs.shape}")
        out = np.zeros((l.shape[0], rhs.shape[1]), l.dtype)
        np.add.at(out.T, cols, vals[:, None] * l.T[rows])
        if a.forward_stype == "default":
            return _dense_out(lhs, out)
        res = zeros("csr", out.shape, lhs._ctx, out.dtype)
        res._set_dense(out)
        return res
    return NotImplemented


@_kernel("_backward_dot")
def _k_backward_dot(a, inputs):
    dy, lhs, rhs = inputs
    if not isinstance(lhs, CSRNDArray) or isinstance(rhs, BaseSparseNDArray) \
            or a.transpose_b or dy.ndim != 2:
        return NotImplemented
    rows, cols, vals = _csr_parts(lhs)
    g, r = _dense(dy), _dense(rhs)
    # d lhs: the gradient of the stored values only (lhs's pattern): sum_n dy r
    if a.transpose_a:                          # out = lhs^T rhs: d lhs[i, j] = r[i] . g[j]
        dvals = np.einsum("ij,ij->i", r[rows], g[cols])
        drhs = dot(lhs, dy)
    else:                                      # out = lhs rhs: d lhs[i, j] = g[i] . r[j]
        dvals = np.einsum("ij,ij->i", g[rows], r[cols])
        drhs = dot(lhs, dy, transpose_a=True)
    return [_like(lhs, dvals.astype(lhs._values.dtype)), drhs]


def dot(lhs, rhs, transpose_a=False, transpose_b=False, forward_stype=None):
    """MXNet's ``sparse.dot``; the result's storage depends on the inputs:

    ============================  ==========
    dot(csr, dense)               dense
    dot(csr, dense, transpose_a)  row_sparse (only the columns of csr that occur)
    dot(csr, row_sparse)          dense
    dot(dense, csr)               csr (``forward_stype='default'``: dense)
    ============================  ==========
    """
    kw = {"transpose_a": transpose_a, "transpose_b": transpose_b}
    if forward_stype is not None:
        kw["forward_stype"] = forward_stype
    return _register.invoke(_op("dot"), [lhs, rhs], kw)


@_kernel("_sparse_retain")
def _k_retain(a, inputs):
    data, idx = inputs
    if not isinstance(data, RowSparseNDArray):
        return NotImplemented
    want = _dense(idx).astype(np.int64).reshape(-1)
    stored = data._aux[0]
    pos = np.searchsorted(stored, want).clip(0, max(stored.size - 1, 0))
    present = (stored[pos] == want) if stored.size else np.zeros(want.size, bool)
    values = np.zeros((want.size,) + data._sshape[1:], data._values.dtype)
    values[present] = data._values[pos[present]]
    return _like(data, values, [want])


def retain(data, indices):
    """The rows ``indices`` of row_sparse ``data``, as a row_sparse array that stores
    exactly those rows, in the order given (MXNet expects them sorted); a row that
    ``data`` does not store comes out as zeros, as in MXNet 1.9.1."""
    if not isinstance(indices, NDArray):
        indices = _dense_array(indices)
    return _register.invoke(_op("_sparse_retain"), [data, indices], {})


def _union_rows(x, y):
    """Union of two row_sparse index sets and each side's values scattered onto it."""
    rows = np.union1d(x._aux[0], y._aux[0])
    out = []
    for z in (x, y):
        v = np.zeros((rows.size,) + x._sshape[1:], np.result_type(x._values, y._values))
        v[np.searchsorted(rows, z._aux[0])] = z._values
        out.append(v)
    return rows, out


def _binary_same(a, inputs, fn, keep):
    x, y = inputs
    if keep == "intersection" and x.shape == y.shape and \
            isinstance(y, BaseSparseNDArray) and not isinstance(x, BaseSparseNDArray):
        x, y = y, x                            # dense * sparse: the sparse pattern
    if keep == "intersection" and isinstance(x, BaseSparseNDArray) and \
            not isinstance(y, BaseSparseNDArray) and x.shape == y.shape:
        other = y.asnumpy()
        if isinstance(x, RowSparseNDArray):
            part = other[x._aux[0]]
        else:
            rows, cols, _ = _csr_parts(x)
            part = other[rows, cols]
        return _like(x, fn(x._values, part).astype(x._values.dtype))
    if not (isinstance(x, BaseSparseNDArray) and type(x) is type(y)) or x.shape != y.shape:
        return NotImplemented
    if isinstance(x, RowSparseNDArray):
        rows, (vx, vy) = _union_rows(x, y)
        if keep == "intersection":
            mask = np.isin(rows, x._aux[0]) & np.isin(rows, y._aux[0])
            rows, vx, vy = rows[mask], vx[mask], vy[mask]
        return _like(x, fn(vx, vy).astype(x._values.dtype), [rows])
    dense = fn(x._dense_numpy(), y._dense_numpy())
    pattern = np.zeros(x._sshape, bool)
    for z in (x, y) if keep == "union" else (x,):
        r, c, _ = _csr_parts(z)
        pattern[r, c] = True
    if keep == "intersection":
        r, c, _ = _csr_parts(y)
        other = np.zeros(x._sshape, bool)
        other[r, c] = True
        pattern &= other
    rows, cols = np.nonzero(pattern)
    indptr = np.zeros(x._sshape[0] + 1, _AUX_DTYPE)
    np.cumsum(np.bincount(rows, minlength=x._sshape[0]), out=indptr[1:])
    return _like(x, dense[rows, cols].astype(x._values.dtype),
                 [indptr, cols.astype(_AUX_DTYPE)])


_kernel("elemwise_add", "_grad_add")(lambda a, xs: _binary_same(a, xs, np.add, "union"))
_kernel("elemwise_sub")(lambda a, xs: _binary_same(a, xs, np.subtract, "union"))
_kernel("elemwise_mul")(lambda a, xs: _binary_same(a, xs, np.multiply, "intersection"))


def elemwise_add(lhs, rhs):
    """``lhs + rhs`` for equal shapes; row_sparse + row_sparse and csr + csr keep
    their storage (the union of the stored positions)."""
    return _register.invoke(_op("elemwise_add"), [lhs, rhs], {})


def elemwise_sub(lhs, rhs):
    """``lhs - rhs`` for equal shapes (storage as ``elemwise_add``)."""
    return _register.invoke(_op("elemwise_sub"), [lhs, rhs], {})


def elemwise_mul(lhs, rhs):
    """``lhs * rhs`` for equal shapes; two arrays of one sparse storage give that
    storage (the stored positions both have)."""
    return _register.invoke(_op("elemwise_mul"), [lhs, rhs], {})


def add(lhs, rhs):
    """``lhs + rhs``: elementwise for equal shapes (sparse stays sparse), else
    broadcast (dense)."""
    return lhs + rhs


def subtract(lhs, rhs):
    """``lhs - rhs`` (see ``add``)."""
    return lhs - rhs


def multiply(lhs, rhs):
    """``lhs * rhs`` (see ``add``); ``csr * scalar`` stays csr."""
    return lhs * rhs


def divide(lhs, rhs):
    """``lhs / rhs``; ``sparse / scalar`` keeps the storage, anything else is dense."""
    return lhs / rhs


# Unary ops with f(0) = 0 keep the storage and the stored positions (MXNet's
# "WITH_RSP_CSR" unary ops, checked with MXNet 1.9.1).
_ZERO_PRESERVING = {
    "abs": np.abs, "sign": np.sign, "round": np.round, "rint": np.rint, "ceil": np.ceil,
    "floor": np.floor, "trunc": np.trunc, "fix": np.fix, "square": np.square,
    "sqrt": np.sqrt, "cbrt": np.cbrt, "sin": np.sin, "tan": np.tan,
    "arcsin": np.arcsin, "arctan": np.arctan, "sinh": np.sinh, "tanh": np.tanh,
    "arcsinh": np.arcsinh, "arctanh": np.arctanh, "expm1": np.expm1,
    "log1p": np.log1p, "degrees": np.degrees, "radians": np.radians,
    "relu": lambda v: np.maximum(v, 0), "negative": np.negative,
}


def _unary(name):
    fn = _ZERO_PRESERVING[name]

    def kernel(a, inputs):
        (x,) = inputs
        if not isinstance(x, BaseSparseNDArray):
            return NotImplemented
        if name == "round":                  # MXNet rounds halves away from zero
            v = np.sign(x._values) * np.floor(np.abs(x._values) + 0.5)
        else:
            with np.errstate(all="ignore"):
                v = fn(x._values)
        return _like(x, v.astype(x._values.dtype))
    return kernel


for _name in _ZERO_PRESERVING:
    _kernel(_name)(_unary(_name))


def _scalar_kernel(fn):
    def kernel(a, inputs):
        (x,) = inputs
        if not isinstance(x, BaseSparseNDArray):
            return NotImplemented
        return _like(x, fn(x._values, np.asarray(a.scalar, x._values.dtype)))
    return kernel


_kernel("_mul_scalar")(_scalar_kernel(np.multiply))
_kernel("_div_scalar")(_scalar_kernel(np.divide))


@_kernel("clip")
def _k_clip(a, inputs):
    (x,) = inputs
    if not isinstance(x, BaseSparseNDArray):
        return NotImplemented
    if not a.a_min <= 0 <= a.a_max:
        raise MXNetError(f"clip: a {x.stype} input needs a_min <= 0 <= a_max (zeros "
                         f"must stay zero), got a_min={a.a_min}, a_max={a.a_max}")
    return _like(x, np.clip(x._values, a.a_min, a.a_max).astype(x._values.dtype))


@_kernel("zeros_like")
def _k_zeros_like(a, inputs):
    (x,) = inputs
    if not isinstance(x, BaseSparseNDArray):
        return NotImplemented
    return zeros(x.stype, x.shape, x._ctx, x._values.dtype)


def zeros_like(data):
    """An all-zero array of ``data``'s shape, dtype and storage."""
    return _register.invoke(_op("zeros_like"), [data], {})


def abs(data):   # noqa: A001  (MXNet's name)
    """Elementwise ``|x|``; sparse storage is kept."""
    return _register.invoke(_op("abs"), [data], {})


def sqrt(data):
    """Elementwise square root; sparse storage is kept."""
    return _register.invoke(_op("sqrt"), [data], {})


def square(data):
    """Elementwise square; sparse storage is kept."""
    return _register.invoke(_op("square"), [data], {})


def negative(data):
    """Elementwise ``-x``; sparse storage is kept."""
    return _register.invoke(_op("negative"), [data], {})


@_kernel("slice")
def _k_slice(a, inputs):
    (x,) = inputs
    if not isinstance(x, CSRNDArray) or any(s not in (None, 1) for s in (a.step or ())):
        return NotImplemented
    begin = [0 if b is None else b for b in a.begin]
    end = [x.shape[i] if (e is None) else e for i, e in enumerate(a.end)]
    return _slice_csr(x, begin, end)


def _slice_csr(x, begin, end):
    """Rows ``begin[0]:end[0]`` (and columns ``begin[1]:end[1]``) of csr ``x``."""
    full = list(x.shape)
    box = []
    for i in range(2):
        b = begin[i] if i < len(begin) else 0
        e = end[i] if i < len(end) else full[i]
        b, e = (b + full[i] if b < 0 else b), (e + full[i] if e < 0 else e)
        if not 0 <= b <= e <= full[i]:
            raise MXNetError(f"slice: begin {tuple(begin)} / end {tuple(end)} do not fit "
                             f"the csr shape {x.shape}")
        box.append((b, e))
    (r0, r1), (c0, c1) = box
    indptr, idx = x._aux
    lo, hi = indptr[r0], indptr[r1]
    vals, cols = x._values[lo:hi], idx[lo:hi]
    ptr = indptr[r0:r1 + 1] - lo
    if (c0, c1) != (0, full[1]):
        keep = (cols >= c0) & (cols < c1)
        counts = np.add.reduceat(keep.astype(np.int64), ptr[:-1]) if keep.size else \
            np.zeros(r1 - r0, np.int64)
        counts[np.diff(ptr) == 0] = 0          # reduceat repeats for empty rows
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(_AUX_DTYPE)
        vals, cols = vals[keep], cols[keep] - c0
    return _new("csr", vals.copy(), [ptr.astype(_AUX_DTYPE), cols.astype(_AUX_DTYPE)],
                (r1 - r0, c1 - c0), x._ctx)


def slice(data, begin, end, step=None):   # noqa: A001  (MXNet's name)
    """``data[begin:end]``; a csr input gives a csr result (rows, and columns when
    ``begin``/``end`` have two entries)."""
    kw = {"begin": begin, "end": end}
    if step is not None:
        kw["step"] = step
    return _register.invoke(_op("slice"), [data], kw)


def _reduce(name):
    def kernel(a, inputs):
        (x,) = inputs
        axis = a.axis if a.axis is None else tuple(a.axis)
        if not isinstance(x, CSRNDArray) or axis not in ((0,), (1,), (-1,), (-2,)) \
                or a.exclude:
            return NotImplemented
        rows, cols, vals = _csr_parts(x)
        ax = axis[0] % 2
        out = np.zeros(x.shape[1 - ax], x._values.dtype)
        np.add.at(out, cols if ax == 0 else rows, vals)
        if name == "mean":
            out = out / x.shape[ax]
        if a.keepdims:
            out = out.reshape((1, -1) if ax == 0 else (-1, 1))
        return _dense_out(x, out.astype(x._values.dtype))
    return kernel


_kernel("sum")(_reduce("sum"))
_kernel("mean")(_reduce("mean"))


def sum(data, axis=None, keepdims=False, exclude=False):   # noqa: A001
    """Sum; a csr input with ``axis`` 0 or 1 uses the sparse kernel (dense result)."""
    return _register.invoke(_op("sum"), [data], {"axis": axis, "keepdims": keepdims,
                                                 "exclude": exclude})


def mean(data, axis=None, keepdims=False, exclude=False):
    """Mean; a csr input with ``axis`` 0 or 1 uses the sparse kernel (dense result)."""
    return _register.invoke(_op("mean"), [data], {"axis": axis, "keepdims": keepdims,
                                                  "exclude": exclude})


@_kernel("_backward_Embedding")
def _k_backward_embedding(a, inputs):
    dy, data = inputs
    if not a.sparse_grad:
        return NotImplemented
    idx = np.clip(_dense(data), 0, a.input_dim - 1).astype(np.int64).reshape(-1)
    rows, where = np.unique(idx, return_inverse=True)
    g = _dense(dy).reshape(-1, a.output_dim)
    values = np.zeros((rows.size, a.output_dim), g.dtype)
    np.add.at(values, where.reshape(-1), g)
    return _new("row_sparse", values, [rows.astype(_AUX_DTYPE)],
                (a.input_dim, a.output_dim), dy._ctx)


def _sgd_rows(a, weight, grad, mom=None):
    """MXNet's lazy update: only the rows present in the row_sparse ``grad`` change,
    with ``g = clip(rescale_grad * grad[rows])``::

        no momentum: w[rows] = (1 - lr*wd) * w[rows] - lr * g
        momentum:    m[rows] = momentum*m[rows] - lr*wd*w[rows] - lr*g;  w[rows] += m[rows]
    """
    rows = grad._aux[0]
    w = weight.asnumpy()
    f = w.dtype.type
    lr, wd = f(a.lr), f(a.wd)
    g = grad._values.astype(w.dtype) * f(a.rescale_grad)
    if a.clip_gradient is not None and a.clip_gradient >= 0:
        g = np.clip(g, -f(a.clip_gradient), f(a.clip_gradient))
    if mom is None:
        w[rows] = (f(1) - lr * wd) * w[rows] - lr * g
        return _dense_out(weight, w), None
    m = mom.asnumpy()
    m[rows] = f(a.momentum) * m[rows] - lr * wd * w[rows] - lr * g
    w[rows] += m[rows]
    return _dense_out(weight, w), m


@_kernel("sgd_update")
def _k_sgd_update(a, inputs):
    weight, grad = inputs
    if not (isinstance(grad, RowSparseNDArray) and a.lazy_update) or \
            isinstance(weight, BaseSparseNDArray):
        return NotImplemented
    return _sgd_rows(a, weight, grad)[0]


@_kernel("sgd_mom_update")
def _k_sgd_mom_update(a, inputs):
    weight, grad, mom = inputs
    if not (isinstance(grad, RowSparseNDArray) and a.lazy_update) or \
            isinstance(weight, BaseSparseNDArray) or isinstance(mom, BaseSparseNDArray):
        return NotImplemented
    new_w, m = _sgd_rows(a, weight, grad, mom)
    mom._ctx.backend.setitem(mom._data, Ellipsis, mom._ctx.backend.from_numpy(m))
    return new_w


# Ops that may make a sparse result from dense inputs: register.invoke sends them here.
ALWAYS = frozenset({"cast_storage", "_backward_Embedding"})
TYPES = frozenset({CSRNDArray, RowSparseNDArray})


def __getattr__(name):
    """Every other ``mx.nd`` operator, as ``mx.nd.sparse.<name>`` (MXNet lists its
    operators with sparse support there; here they all take sparse inputs)."""
    from .. import ndarray as nd
    from ..ops.registry import list_ops
    if name in list_ops():
        return getattr(nd, name)
    raise AttributeError(f"module 'pymx.ndarray.sparse' has no attribute {name!r}")
