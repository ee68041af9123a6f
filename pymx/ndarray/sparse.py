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
   ``elemwise_add``, ``abs``, ``_mul_scalar``, ``_plus_scalar``, ``_greater_scalar``,
   ``broadcast_mul``, ``slice``, ``sum``, ``norm``, ``concat``, ``add_n``,
   ``sgd_update``, ``adam_update``...) returns the storage type MXNet returns
   (``dot(csr.T, dense)`` is row_sparse; ``csr + 0`` is csr but ``csr + 1`` dense).
2. Any other operator gets MXNet's **storage fallback**: the sparse inputs are
   densified, the dense kernel runs, and the result is dense; a sparse ``out=``
   receives the dense result converted to its own storage, and a sparse input the
   kernel updated in place (an optimizer state) gets the update written back.  MXNet
   logs each distinct fallback once (``MXNET_STORAGE_FALLBACK_LOG_VERBOSE=0``
   silences it); so does pymx, on the ``pymx.sparse`` logger, with MXNet's text.

Autograd records sparse calls like dense ones, so gradient rules run on sparse
arrays too: the gradient of ``dot(csr, w)`` for ``w`` is ``dot(csr.T, dy)``, which is
row_sparse.  A variable with a sparse gradient buffer (``attach_grad(stype=...)``)
receives it through ``_DenseMirror``.  Chapter 3 (``chapters/ch03_apis/sparse.md``)
teaches this file.
"""
import builtins
import logging
import operator
import os
import warnings

import numpy as np

from ..base import FLAGS, MXNetError, NotSupportedForSparseNDArray, np_dtype
from ..context import Context, current_context
from . import register as _register
from .ndarray import NDArray, _reclass, array as _dense_array

__all__ = ["BaseSparseNDArray", "CSRNDArray", "RowSparseNDArray", "csr_matrix",
           "row_sparse_array", "zeros", "empty", "array", "dot", "retain",
           "elemwise_add", "elemwise_sub", "elemwise_mul", "add", "subtract", "multiply",
           "divide", "slice", "sum", "mean", "abs", "sqrt", "square", "negative",
           "cast_storage", "zeros_like", "adagrad_update", "dispatch"]

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
        """Disabled, as in MXNet ("ambiguous" for a sparse array): NotImplementedError."""
        raise NotImplementedError("size is not defined for a sparse NDArray")

    @property
    def data(self):
        """The stored values, a dense NDArray (for csr 1-D, for row_sparse
        ``(len(indices),) + shape[1:]``)."""
        return NDArray(self._ctx.backend.from_numpy(self._values), self._ctx)

    @data.setter
    def data(self, value):
        raise NotImplementedError("the parts of a sparse NDArray are read-only")

    @property
    def indices(self):
        """The int64 index array: column numbers (csr) or row numbers (row_sparse)."""
        return NDArray(self._ctx.backend.from_numpy(self._aux[-1]), self._ctx)

    @indices.setter
    def indices(self, value):
        raise NotImplementedError("the parts of a sparse NDArray are read-only")

    @property
    def _num_aux(self):
        """How many index arrays the storage type has (csr 2, row_sparse 1)."""
        return len(self._aux)

    @property
    def _aux_types(self):
        """The NumPy types of the index arrays (always int64)."""
        return [a.dtype.type for a in self._aux]

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
        """A copy with storage ``stype``; csr <-> row_sparse raises ValueError (MXNet),
        an unknown name MXNetError (``cast_storage`` rejects it)."""
        if {stype, self._stype} == {"csr", "row_sparse"}:
            raise ValueError(f"cast_storage from {self._stype} to {stype} is not supported")
        return cast_storage(self, stype=stype)

    def as_np_ndarray(self):
        """Not available: ``mx.np`` has no sparse arrays (ValueError, as MXNet)."""
        raise ValueError("as_np_ndarray is not supported for a sparse NDArray; "
                         "convert with tostype('default') first")

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
        if other is self:                     # MXNet warns and returns False
            warnings.warn("You are attempting to copy an array to itself", RuntimeWarning)
            return False
        if other.stype not in ("default", self._stype):
            raise TypeError(f"copyto does not support destination NDArray stype "
                            f"{other.stype}")
        if other.shape != self.shape:
            raise MXNetError(f"copyto: shape mismatch, source {self.shape} vs target "
                             f"{other.shape}")
        if other.stype == "default":
            return NDArray(self._ctx.backend.from_numpy(self._dense_numpy()),
                           self._ctx).copyto(other)
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
        """Not supported for sparse arrays: ``NotSupportedForSparseNDArray`` (MXNet)."""
        raise NotSupportedForSparseNDArray(f"reshape is not supported for "
                                           f"{type(self).__name__}; convert with "
                                           "tostype('default') first")

    def attach_grad(self, grad_req="write", stype=None):
        """Mark as a variable; the gradient buffer has storage ``stype`` (default:
        this array's own storage, MXNet's ``zeros_like(self)``)."""
        from .. import autograd
        autograd.mark_variables([self], [zeros(stype or self._stype, self.shape, self._ctx,
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
        """Only ``x[:] = value``: an NDArray (copied in), a NumPy array, or (row_sparse
        only) a number, which fills every row.  MXNet's error types: another slice is a
        ValueError; an int/tuple key an ``Exception`` (csr) or TypeError (row_sparse)."""
        name = type(self).__name__
        if not isinstance(key, _SLICE):
            if isinstance(self, CSRNDArray):   # MXNet raises a bare Exception here
                raise Exception(f"{name} only supports [:] for assignment")
            raise TypeError(f"{name} only supports [:] for assignment")
        if key != _SLICE(None):
            raise ValueError(f"Assignment with slice for {name} is not implemented yet.")
        if isinstance(value, NDArray):
            if value is not self:
                value.copyto(self)
        elif isinstance(value, (int, float, np.number)):
            if isinstance(self, CSRNDArray):
                raise ValueError("Assigning numeric types to CSRNDArray is not "
                                 "implemented yet.")
            self._set_parts(np.full(self._sshape, value, self._values.dtype),
                            [np.arange(self._sshape[0], dtype=_AUX_DTYPE)])
        elif isinstance(value, (np.ndarray, np.generic)):
            self._set_dense(np.broadcast_to(value, self.shape))
        else:
            raise TypeError(f"{name}[:] = value: type {type(value).__name__} not supported")

    def _clear(self):
        """Make every value zero (no stored entries)."""
        self._set_dense(np.zeros(self._sshape, self._values.dtype))

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
        if result is not self:
            result.copyto(self)
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
        dense[rows, idx] = self._values        # as MXNet: a repeated column: the last
        return dense

    def _set_dense(self, dense):
        dense = np.asarray(dense, dtype=self._values.dtype)
        rows, cols = np.nonzero(dense)
        indptr = np.zeros(self._sshape[0] + 1, _AUX_DTYPE)
        np.cumsum(np.bincount(rows, minlength=self._sshape[0]), out=indptr[1:])
        self._set_parts(dense[rows, cols], [indptr, cols.astype(_AUX_DTYPE)])

    def __getitem__(self, key):
        """``a[i]`` (row i, as a 1-row CSRNDArray), ``a[start:stop]`` (rows).

        As in MXNet only a Python ``int`` counts as an index (a NumPy integer is a
        ValueError) and an index out of range is the ``slice`` operator's MXNetError."""
        n = self._sshape[0]
        if isinstance(key, int):
            begin = int(key) + n if key < 0 else int(key)
            if not 0 <= begin < n:
                raise MXNetError(f"CSRNDArray: index {key} is out of bounds for axis 0 "
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
        """Only ``x[:]`` (the array itself), as in MXNet; like MXNet an int or another
        slice raises a bare ``Exception``, a tuple a ValueError."""
        if isinstance(key, _SLICE):
            if key != _SLICE(None):
                raise Exception("RowSparseNDArray only supports [:] for __getitem__")
            return self
        if isinstance(key, int):
            raise Exception("__getitem__ with int key is not implemented for "
                            "RowSparseNDArray yet")
        if isinstance(key, tuple):
            raise ValueError("Multi-dimension indexing is not supported")
        raise ValueError(f"Undefined behaviour for {key}")

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
            raise MXNetError(f"sparse.zeros: a csr array is 2-D, got shape {shape}")
        return _new("csr", np.zeros(0, dt), [np.zeros(shape[0] + 1, _AUX_DTYPE),
                                             np.zeros(0, _AUX_DTYPE)], shape, ctx)
    return _new("row_sparse", np.zeros((0,) + shape[1:], dt), [np.zeros(0, _AUX_DTYPE)],
                shape, ctx)


def empty(stype, shape, ctx=None, dtype=None):
    """An empty (all-zero) sparse array: the same as ``zeros`` for sparse storage."""
    if stype not in _CLASSES:                 # MXNet raises a bare Exception here
        raise Exception(f"unknown stype : {stype}")
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
    if data.shape != indices.shape:           # MXNet's C++ check
        raise MXNetError(f"csr_matrix: data {data.shape} and indices {indices.shape} "
                         "must have the same length")
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
        if indices.ndim != 1:
            raise ValueError(f"invalid shape: row_sparse_array needs 1-D indices, got "
                             f"{indices.shape}")
        if data.shape != indices.shape + shape[1:]:     # MXNet's C++ check
            raise MXNetError(f"invalid shape: row_sparse_array needs data of shape "
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
    if isinstance(source_array, NDArray):     # an ``assert`` in MXNet
        raise AssertionError("Please use `tostype` to create RowSparseNDArray or "
                             "CSRNDArray from an NDArray")
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
                _record_sparse(op, a, inputs, outputs)
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
        res = _register.dense_invoke(op, dense_inputs, kwargs, out)
    else:
        res = _register.dense_invoke(op, dense_inputs, kwargs)
        for target, value in zip(out if isinstance(out, (list, tuple)) else [out],
                                 res if isinstance(res, list) else [res]):
            _assign(op, target, value)
        res = out
    _write_back(inputs, dense_inputs, out)
    return res


def _write_back(inputs, dense_inputs, out):
    """A fallback kernel may update an input in place (an optimizer's momentum, an aux
    state): such a write lands in the temporary dense copy, so copy it back into the
    sparse input (MXNet writes the dense result back into the sparse array too).
    (``out`` arrays already hold the result.)"""
    targets = out if isinstance(out, (list, tuple)) else [out]
    for x, d in zip(inputs, dense_inputs):
        if isinstance(x, BaseSparseNDArray) and d is not x and \
                not any(x is t for t in targets):
            new = d._ctx.backend.to_numpy(d._data)
            if not np.array_equal(new, x._dense_numpy()):
                x._set_dense(new)


def _record_sparse(op, a, inputs, outputs):
    """Record a sparse kernel's call on the autograd tape.  The tape saves the outputs'
    dense values (what gradient rules read), then the sparse results take the place
    in the graph of those dense handles."""
    from ..autograd import _record
    handles = [_dense_handle(o) for o in outputs]
    _record(op, a, inputs, handles)
    for o, h in zip(outputs, handles):
        o._node = h._node


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
    if lhs.dtype != rhs.dtype or (a.transpose_b and not isinstance(rhs, CSRNDArray)):
        return NotImplemented
    if isinstance(lhs, CSRNDArray) and rhs.ndim == 2 and not a.transpose_b:
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
        if isinstance(rhs, CSRNDArray):       # csr.T x csr: MXNet's result is dense
            return _dense_out(lhs, _dense(lhs).T @ r)
        used = np.unique(cols)
        out = np.zeros((used.size, r.shape[1]), r.dtype)
        np.add.at(out, np.searchsorted(used, cols), vals[:, None] * r[rows])
        return _new("row_sparse", out, [used], (lhs.shape[1], r.shape[1]), lhs._ctx)
    if isinstance(rhs, CSRNDArray) and not isinstance(lhs, BaseSparseNDArray) \
            and lhs.ndim == 2 and not a.transpose_a and a.transpose_b:
        if lhs.shape[1] != rhs.shape[1]:      # dense x csr.T: csr (MXNet 1.9.1)
            raise MXNetError(f"dot: shape mismatch, lhs {lhs.shape} x rhs.T "
                             f"{rhs.shape[::-1]}")
        out = lhs.asnumpy() @ _dense(rhs).T
        if a.forward_stype == "default":
            return _dense_out(lhs, out)
        res = zeros("csr", out.shape, lhs._ctx, out.dtype)
        res._set_dense(out)
        return res
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


def _ufunc(lhs, rhs, elemwise, broadcast, scalar_op, python_op):
    """MXNet's ``sparse.add/subtract/multiply/divide``: two arrays of one shape use the
    elementwise op (sparse storage can stay), other arrays the broadcast op, an array
    and a number the scalar op.  Quirk kept from MXNet 1.9.1: the scalar op is called
    as ``scalar_op(array, number)`` also when the number is on the left, so
    ``subtract(2, x)`` is ``x - 2`` and ``divide(2, x)`` is ``x / 2``."""
    numbers = (int, float, np.number)
    if isinstance(lhs, numbers):
        if isinstance(rhs, numbers):
            return python_op(lhs, rhs)
        lhs, rhs = rhs, lhs
    if isinstance(rhs, numbers):
        return _register.invoke(_op(scalar_op), [lhs], {"scalar": float(rhs)})
    if not isinstance(rhs, NDArray):
        raise TypeError(f"type {type(rhs)} not supported")
    name = elemwise if lhs.shape == rhs.shape else broadcast
    return _register.invoke(_op(name), [lhs, rhs], {})


def add(lhs, rhs):
    """``lhs + rhs``: elementwise for equal shapes (rsp + rsp and csr + csr stay
    sparse), else broadcast (dense); a number: ``_plus_scalar`` (see ``_ufunc``)."""
    return _ufunc(lhs, rhs, "elemwise_add", "broadcast_add", "_plus_scalar", operator.add)


def subtract(lhs, rhs):
    """``lhs - rhs`` (see ``add``; ``subtract(2, x)`` is ``x - 2`` as in MXNet)."""
    return _ufunc(lhs, rhs, "elemwise_sub", "broadcast_sub", "_minus_scalar",
                  operator.sub)


def multiply(lhs, rhs):
    """``lhs * rhs`` (see ``add``); ``csr * scalar`` and ``csr * row vector`` stay csr."""
    return _ufunc(lhs, rhs, "elemwise_mul", "broadcast_mul", "_mul_scalar", operator.mul)


def divide(lhs, rhs):
    """``lhs / rhs``; ``sparse / scalar`` keeps the storage (``divide(2, x)`` is
    ``x / 2`` as in MXNet)."""
    return _ufunc(lhs, rhs, "elemwise_div", "broadcast_div", "_div_scalar",
                  operator.truediv)


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


def _zero_rule_kernel(fn):
    """A scalar op that keeps sparse storage only when ``fn(0, scalar) == 0`` (then the
    stored values are mapped); otherwise its result is dense, computed directly (MXNet
    1.9.1: ``csr + 0`` and ``csr > 1`` are csr, ``csr + 1`` and ``csr < 1`` dense, with no
    storage fallback)."""
    def kernel(a, inputs):
        (x,) = inputs
        if not isinstance(x, BaseSparseNDArray):
            return NotImplemented
        dtype = x._values.dtype
        scalar = np.asarray(a.scalar, dtype)
        if fn(np.zeros((), dtype), scalar) == 0:
            return _like(x, np.asarray(fn(x._values, scalar)).astype(dtype))
        return _dense_out(x, np.asarray(fn(x._dense_numpy(), scalar)).astype(dtype))
    return kernel


for _name, _fn in {"_plus_scalar": np.add, "_minus_scalar": np.subtract,
                   "_greater_scalar": np.greater, "_greater_equal_scalar": np.greater_equal,
                   "_lesser_scalar": np.less, "_lesser_equal_scalar": np.less_equal,
                   "_equal_scalar": np.equal, "_not_equal_scalar": np.not_equal}.items():
    _kernel(_name)(_zero_rule_kernel(_fn))


def _broadcast_scale(fn):
    """``broadcast_mul/div(csr, v)`` with a dense row ``(1, n)`` or column ``(m, 1)``
    ``v`` scales the stored values and stays csr (MXNet's csr-dense broadcast kernel);
    anything else falls back to dense."""
    def kernel(a, inputs):
        x, v = inputs
        if not isinstance(x, CSRNDArray) or isinstance(v, BaseSparseNDArray) or \
                v.ndim != 2 or v.shape not in ((1, x.shape[1]), (x.shape[0], 1)):
            return NotImplemented
        rows, cols, vals = _csr_parts(x)
        factor = v.asnumpy()
        factor = factor[0, cols] if factor.shape[0] == 1 else factor[rows, 0]
        return _like(x, fn(vals, factor).astype(x._values.dtype))
    return kernel


_kernel("broadcast_mul")(_broadcast_scale(np.multiply))
_kernel("broadcast_div")(_broadcast_scale(np.divide))


@_kernel("BlockGrad", "_copy")
def _k_identity(a, inputs):
    """``stop_gradient`` / ``identity`` (``_copy``) keep the storage: a copy."""
    (x,) = inputs
    if not isinstance(x, BaseSparseNDArray):
        return NotImplemented
    return x.copy()


@_kernel("Concat")
def _k_concat(a, inputs):
    """``concat`` of csr arrays along axis 0 stacks their rows and stays csr."""
    if not all(isinstance(x, CSRNDArray) for x in inputs) or a.dim != 0 or \
            len({x.shape[1] for x in inputs}) != 1:
        return NotImplemented
    ptrs, offset = [np.zeros(1, _AUX_DTYPE)], 0
    for x in inputs:
        ptrs.append(x._aux[0][1:] + offset)
        offset += x._aux[0][-1]
    return _new("csr", np.concatenate([x._values for x in inputs]),
                [np.concatenate(ptrs), np.concatenate([x._aux[1] for x in inputs])],
                (builtins.sum(x.shape[0] for x in inputs), inputs[0].shape[1]),
                inputs[0]._ctx)


@_kernel("add_n")
def _k_add_n(a, inputs):
    """``add_n`` of row_sparse arrays stays row_sparse (the union of their rows)."""
    if not all(isinstance(x, RowSparseNDArray) for x in inputs) or \
            len({x.shape for x in inputs}) != 1:
        return NotImplemented
    total = inputs[0]
    for x in inputs[1:]:
        rows, (vt, vx) = _union_rows(total, x)
        total = _like(total, (vt + vx).astype(total._values.dtype), [rows])
    return total.copy() if total is inputs[0] else total


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


@_kernel("norm")
def _k_norm(a, inputs):
    """The L2 norm of all values of a csr/row_sparse array: ``sqrt(sum(data^2))`` over
    the stored values only (MXNet's sparse kernel; other ``ord``/``axis`` fall back)."""
    (x,) = inputs
    if not isinstance(x, BaseSparseNDArray) or a.ord != 2 or a.axis not in (None, ()) \
            or a.out_dtype is not None:
        return NotImplemented
    total = np.sqrt(np.sum(np.square(x._values.astype(np.float64))))
    shape = (1,) * x.ndim if a.keepdims else (1,)
    return _dense_out(x, np.full(shape, total, x._values.dtype))


@_kernel("_square_sum")
def _k_square_sum(a, inputs):
    """Sum of squares of a 2-D row_sparse array along one axis (see ops/square_sum)."""
    (x,) = inputs
    axis = None if a.axis is None else tuple(a.axis)
    if not isinstance(x, RowSparseNDArray) or x.ndim != 2 or a.exclude or \
            axis not in ((0,), (1,), (-1,), (-2,)):
        raise MXNetError(f"_square_sum: supports a 2-D row_sparse input with axis 0 or "
                         f"1 only (got {x.stype} of shape {x.shape}, axis={a.axis})")
    ax = axis[0] % 2
    sq = np.square(x._values)
    if ax == 0:
        out = sq.sum(axis=0)
        return _dense_out(x, out.reshape(1, -1) if a.keepdims else out)
    rows = sq.sum(axis=1)
    if a.keepdims:
        return _new("row_sparse", rows.reshape(-1, 1), [x._aux[0].copy()],
                    (x.shape[0], 1), x._ctx)
    out = np.zeros(x.shape[0], x._values.dtype)
    out[x._aux[0]] = rows
    return _dense_out(x, out)


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
    w = _dense(weight)
    f = w.dtype.type
    lr, wd = f(a.lr), f(a.wd)
    g = grad._values.astype(w.dtype) * f(a.rescale_grad)
    if a.clip_gradient is not None and a.clip_gradient >= 0:
        g = np.clip(g, -f(a.clip_gradient), f(a.clip_gradient))
    if mom is None:
        w[rows] = (f(1) - lr * wd) * w[rows] - lr * g
        return _dense_out(weight, w), None
    m = _dense(mom)
    m[rows] = f(a.momentum) * m[rows] - lr * wd * w[rows] - lr * g
    w[rows] += m[rows]
    return _dense_out(weight, w), m


def _lazy(a, grad, *others):
    """Whether an optimizer op takes MXNet's lazy (row-wise) path: a row_sparse
    gradient with ``lazy_update``, and weight/states dense or row_sparse."""
    return isinstance(grad, RowSparseNDArray) and a.lazy_update and \
        not any(isinstance(x, CSRNDArray) for x in others)


def _store_state(state, value):
    """Write NumPy ``value`` into an optimizer state (dense, or row_sparse as MXNet's
    states of a row_sparse weight: MXNet's kernels leave such a state storing every
    row)."""
    if isinstance(state, RowSparseNDArray):
        state._set_parts(value.astype(state._values.dtype),
                         [np.arange(state.shape[0], dtype=_AUX_DTYPE)])
    elif isinstance(state, BaseSparseNDArray):
        state._set_dense(value)
    else:
        state._ctx.backend.setitem(state._data, Ellipsis, state._ctx.backend.from_numpy(value))


@_kernel("sgd_update")
def _k_sgd_update(a, inputs):
    weight, grad = inputs
    if not _lazy(a, grad, weight):
        return NotImplemented
    return _sgd_rows(a, weight, grad)[0]


@_kernel("sgd_mom_update")
def _k_sgd_mom_update(a, inputs):
    weight, grad, mom = inputs
    if not _lazy(a, grad, weight, mom):
        return NotImplemented
    new_w, m = _sgd_rows(a, weight, grad, mom)
    _store_state(mom, m)
    return new_w


@_kernel("adam_update")
def _k_adam_update(a, inputs):
    """MXNet's lazy Adam: with a row_sparse ``grad`` and ``lazy_update`` only the rows
    the gradient stores change -- their ``mean``, ``var`` (in place) and weight::

        g = clip(rescale_grad * grad[rows] + wd * w[rows])
        mean[rows] = beta1 * mean[rows] + (1 - beta1) * g
        var[rows]  = beta2 * var[rows]  + (1 - beta2) * g^2
        w[rows]   -= lr * mean[rows] / (sqrt(var[rows]) + epsilon)

    Without ``lazy_update`` the dense rule runs on the densified gradient (every row
    moves: its mean decays), as MXNet's "std update"."""
    weight, grad, mean, var = inputs
    if not _lazy(a, grad, weight, mean, var):
        return NotImplemented
    rows = grad._aux[0]
    w, m, v = _dense(weight), _dense(mean), _dense(var)
    f = w.dtype.type
    g = grad._values.astype(w.dtype) * f(a.rescale_grad) + f(a.wd) * w[rows]
    if a.clip_gradient is not None and a.clip_gradient >= 0:
        g = np.clip(g, -f(a.clip_gradient), f(a.clip_gradient))
    b1, b2 = f(a.beta1), f(a.beta2)
    m[rows] = b1 * m[rows] + (f(1) - b1) * g
    v[rows] = b2 * v[rows] + (f(1) - b2) * g * g
    w[rows] -= f(a.lr) * m[rows] / (np.sqrt(v[rows]) + f(a.epsilon))
    _store_state(mean, m)
    _store_state(var, v)
    return _dense_out(weight, w)


def adagrad_update(weight, grad, history, lr, epsilon=1e-7, wd=0.0, rescale_grad=1.0,
                   clip_gradient=-1.0, out=None, name=None):
    """MXNet's ``sparse.adagrad_update`` (``_sparse_adagrad_update``): a lazy AdaGrad
    step for a row_sparse ``grad``; only the rows it stores change::

        g = clip(rescale_grad * grad[rows])
        history[rows] += g^2                          (in place)
        w[rows] -= lr * g / (sqrt(history[rows]) + epsilon)

    MXNet supports no weight decay here (``wd`` != 0 is an MXNetError).  The result
    goes to ``out`` (usually ``weight``), which is returned."""
    if wd != 0:
        raise MXNetError(f"sparse adagrad_update does not support wd, got wd={wd}")
    if not isinstance(grad, RowSparseNDArray):
        raise MXNetError(f"sparse adagrad_update needs a row_sparse grad, got {grad.stype}")
    rows = grad._aux[0]
    w, h = _dense(weight), _dense(history)
    f = w.dtype.type
    g = grad._values.astype(w.dtype) * f(rescale_grad)
    if clip_gradient is not None and clip_gradient >= 0:
        g = np.clip(g, -f(clip_gradient), f(clip_gradient))
    h[rows] += g * g
    w[rows] -= f(lr) * g / (np.sqrt(h[rows]) + f(epsilon))
    _store_state(history, h)
    result = _dense_out(weight, w)
    if out is None:
        return result if not isinstance(weight, BaseSparseNDArray) else \
            cast_storage(result, weight.stype)
    _assign(_op("sgd_update"), out, result)
    return out


# --------------------------------------------------------------------------------------
# Binding a Symbol: which arrays simple_bind makes sparse
# --------------------------------------------------------------------------------------
_STYPE_CODES = {"0": "default", "1": "row_sparse", "2": "csr"}


def bind_stypes(symbol, stype_dict=None):
    """The storage types ``simple_bind`` gives the arguments and their gradients, as
    two dicts name -> stype.

    An argument has the storage of its variable (``Variable(stype=...)``, written as
    ``__storage_type__``) unless ``stype_dict`` names it.  A gradient is row_sparse
    where MXNet's storage inference makes it so for the common sparse models: the
    ``rhs`` of ``dot(csr, rhs)`` (its gradient is ``dot(csr.T, dy)``) and the weight of
    ``Embedding(sparse_grad=True)``; every other gradient is dense."""
    stype_dict = dict(stype_dict or {})
    args = {}
    for node in symbol._variables()[0]:
        code = node.attrs.get("__storage_type__", "0")
        args[node.name] = stype_dict.get(node.name, _STYPE_CODES.get(str(code), "default"))
    grads = dict.fromkeys(args, "default")
    for node in symbol._topo():
        if node.op is None:
            continue
        ins = [e[0] for e in node.inputs]
        if node.op.name == "dot" and len(ins) == 2 and ins[0].is_variable and \
                args.get(ins[0].name) == "csr" and ins[1].is_variable and \
                not node.parsed.transpose_b:
            grads[ins[1].name] = "row_sparse"
        elif node.op.name == "Embedding" and node.parsed.sparse_grad and \
                len(ins) == 2 and ins[1].is_variable:
            grads[ins[1].name] = "row_sparse"
    return args, grads


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
