"""``NDArray``: an n-dimensional array on a context, and the functions that create one.

An NDArray is a thin handle: ``_data`` is the backend's native array (a
``numpy.ndarray`` on ``cpu``) and ``_ctx`` is the context that owns it.  Every
computation goes through an operator of the registry (``invoke`` in
``register.py``), so that autograd can record it; the methods here only translate
MXNet's Python API into operator calls.

MXNet 1.x quirks kept on purpose (notes section 1(a)):

* ``nd.array(numpy_float64)`` is **float32**; only an NDArray source keeps its dtype.
* Arithmetic broadcasts; comparisons return 0/1 in the input dtype.
* ``x.reshape`` (the method) returns a view; ``nd.reshape`` (the op) returns a copy.
* Indexing down to one element gives shape ``(1,)``, not ``()``.

Chapter 3 (``chapters/ch03_apis``) teaches this file.
"""
import numpy as np

from ..base import MX_DTYPES, MXNetError, np_dtype
from ..context import Context, current_context
from ..engine import get_engine
from ..ops.registry import get_op
from . import op as _nd_op
from .register import invoke, record_view, result_class

__all__ = ["NDArray", "array", "empty", "zeros", "ones", "full", "arange", "linspace",
           "eye", "waitall", "from_numpy", "from_dlpack", "to_dlpack_for_read",
           "to_dlpack_for_write"]


def _op(name, *args, **kwargs):
    """Call ``mx.nd.<name>`` (late-bound: the functions are generated after this file)."""
    return getattr(_nd_op, name)(*args, **kwargs)


_OPS = {}


def _call(name, inputs, attrs, out=None):
    """The short path for NDArray's operators: ``invoke`` with a cached ``Op``."""
    op = _OPS.get(name)
    if op is None:
        op = _OPS[name] = get_op(name)
    return invoke(op, inputs, attrs, out)


class NDArray:
    """An array on a device.  Create one with ``mx.nd.array``/``zeros``/...; never the
    constructor, which takes a backend-native array and its context."""
    __slots__ = ("_data", "_ctx", "_node", "_grad", "_grad_req", "_fresh_grad", "__weakref__")
    __array_ufunc__ = None               # NumPy defers `np_array + nd` to our __radd__

    def __init__(self, data, ctx=None):
        self._data = data
        self._ctx = ctx if ctx is not None else current_context()
        self._node = None                # autograd: (node, output index) or None
        self._grad = None
        self._grad_req = "null"
        self._fresh_grad = False

    # ---- attributes --------------------------------------------------------------------
    @property
    def shape(self):
        """The shape, a tuple of ints."""
        return tuple(self._data.shape)

    @property
    def dtype(self):
        """The element type as a NumPy type (``numpy.float32``), as MXNet returns it."""
        return self._data.dtype.type

    @property
    def context(self):
        """The context (device) that holds the data."""
        return self._ctx

    ctx = context

    @property
    def ndim(self):
        return len(self._data.shape)

    @property
    def size(self):
        return int(np.prod(self._data.shape, dtype=np.int64))

    @property
    def stype(self):
        """Storage type; pymx stores every array densely ('default')."""
        return "default"

    @property
    def handle(self):
        """MXNet's C handle; in pymx the native array itself."""
        return self._data

    @property
    def writable(self):
        return True

    @property
    def T(self):
        """The transpose (all axes reversed)."""
        return _op("transpose", self)

    @property
    def grad(self):
        """The gradient buffer made by ``attach_grad`` (None before)."""
        return self._grad

    # ---- conversion --------------------------------------------------------------------
    def asnumpy(self):
        """A NumPy copy of the data (waits for pending writes first)."""
        get_engine().wait_for_var(self)
        return self._ctx.backend.to_numpy(self._data)

    def asscalar(self):
        """The single element as a NumPy scalar; ValueError unless ``size == 1``.

        (MXNet 1.9.1 returns ``asnumpy()[()]`` for shapes other than (1,): for (1, 1)
        the NumPy array itself, which ``int()``/``float()`` accepted under NumPy 1.x but
        NumPy 2 refuses; pymx gives the scalar, so ``int(y.argmax(axis=1).asscalar())``
        keeps working.)"""
        if self.size != 1:
            raise ValueError("The current array is not a scalar")
        return self.asnumpy().reshape(-1)[0]

    def astype(self, dtype, copy=True):
        """A copy converted to ``dtype``; with ``copy=False`` and the same dtype, ``self``."""
        if not copy and np.dtype(dtype) == self._data.dtype:
            return self
        return _op("cast", self, dtype=_mx_dtype(dtype).name)

    def copy(self):
        """A deep copy on the same context."""
        return _op("_copy", self)

    def copyto(self, other):
        """Copy into NDArray ``other`` (returned), or to a new array on Context ``other``."""
        if isinstance(other, Context):
            if other == self._ctx:
                return self.copy()
            return type(self)(_transfer(self._data, self._ctx, other), other)
        if isinstance(other, NDArray):
            if other is self:
                return other
            if other.shape != self.shape:
                raise MXNetError(f"copyto: shape mismatch, source {self.shape} "
                                 f"vs target {other.shape}")
            data = self._data if other._ctx == self._ctx else \
                _transfer(self._data, self._ctx, other._ctx)
            other._ctx.backend.setitem(other._data, Ellipsis,
                                       other._ctx.backend.astype(data, other._data.dtype)
                                       if data.dtype != other._data.dtype else data)
            return other
        raise TypeError(f"copyto does not support type {type(other).__name__}")

    def as_in_context(self, context):
        """``self`` if already on ``context``, else a copy there."""
        return self if context == self._ctx else self.copyto(context)

    as_in_ctx = as_in_context

    def slice_assign(self, rhs, begin, end, step):
        """In place: ``self[begin:end:step] = rhs`` (per-axis tuples, None for a
        default); returns ``self`` (MXNet's ``_slice_assign`` with ``out=self``)."""
        return _call("_slice_assign", [self, rhs],
                     {"begin": begin, "end": end, "step": step}, out=self)

    def slice_assign_scalar(self, value, begin, end, step):
        """In place: ``self[begin:end:step] = value`` for a number; returns ``self``."""
        return _call("_slice_assign_scalar", [self],
                     {"scalar": float(value), "begin": begin, "end": end, "step": step},
                     out=self)

    def to_dlpack_for_read(self):
        """A DLPack capsule sharing this array's memory (see ``nd.to_dlpack_for_read``)."""
        return to_dlpack_for_read(self)

    def to_dlpack_for_write(self):
        """A DLPack capsule sharing this array's memory, for writing."""
        return to_dlpack_for_write(self)

    def as_np_ndarray(self):
        """The same array as an ``mx.np.ndarray`` (NumPy semantics): shares memory and
        the autograd history, as MXNet's does."""
        from .register import _NP_NDARRAY
        return _reclass(self, _NP_NDARRAY)

    def as_nd_ndarray(self):
        """The same array as a legacy ``NDArray``: shares memory and autograd history."""
        return _reclass(self, NDArray)

    @property
    def stype(self):
        """The storage type: 'default' (dense); sparse arrays are in ``nd.sparse``."""
        return "default"

    def tostype(self, stype):
        """A copy with storage ``stype``: 'default', 'csr' (2-D) or 'row_sparse'."""
        if stype == "csr" and len(self.shape) != 2:     # MXNet checks this in Python
            raise ValueError(f"To convert to a CSR, the NDArray should be 2 Dimensional. "
                             f"Current shape is {self.shape}")
        return _op("cast_storage", self, stype=stype)

    def wait_to_read(self):
        """Block until pending writes to this array are done (eager in pymx)."""
        get_engine().wait_for_var(self)

    def __dlpack__(self, stream=None):
        get_engine().wait_for_var(self)
        if not hasattr(self._data, "__dlpack__"):
            raise BufferError(f"arrays on {self._ctx} do not support DLPack; use asnumpy() "
                              "or as_in_context()")
        return self._data.__dlpack__() if stream is None else self._data.__dlpack__(stream=stream)

    def __dlpack_device__(self):
        if not hasattr(self._data, "__dlpack_device__"):
            raise BufferError(f"arrays on {self._ctx} do not support DLPack")
        return self._data.__dlpack_device__()

    def __array__(self, dtype=None, copy=None):
        out = self.asnumpy()
        return out if dtype is None else out.astype(dtype)

    # ---- autograd ----------------------------------------------------------------------
    def attach_grad(self, grad_req="write", stype=None):
        """Allocate a zero gradient buffer and mark this array as a variable to
        differentiate with respect to.  ``grad_req``: 'write', 'add' or 'null';
        ``stype='row_sparse'`` makes the gradient buffer row_sparse."""
        from .. import autograd
        grad = zeros_like_native(self) if stype in (None, "default") else \
            _nd_op.cast_storage(zeros_like_native(self), stype=stype)
        autograd.mark_variables([self], [grad], grad_reqs=grad_req)

    def detach(self):
        """The same data, cut out of the recorded graph (its gradient stops here)."""
        return type(self)(self._data, self._ctx)

    def backward(self, out_grad=None, retain_graph=False, train_mode=True):
        """Back-propagate from this array (ones when ``out_grad`` is None)."""
        from .. import autograd
        autograd.backward([self], None if out_grad is None else [out_grad],
                          retain_graph=retain_graph, train_mode=train_mode)

    # ---- shape -------------------------------------------------------------------------
    def reshape(self, *shape, **kwargs):
        """A view with a new shape.  Accepts ``reshape(2, 3)``, ``reshape((2, 3))`` and
        MXNet's special codes 0, -1, -2, -3, -4 and ``reverse=True`` (see ``Reshape``)."""
        assert shape or "shape" in kwargs, "Shape must be provided."   # MXNet's check
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = shape[0]
        shape = kwargs.pop("shape", shape)
        reverse = kwargs.pop("reverse", False)
        if kwargs:
            raise TypeError(f"reshape: unexpected arguments {sorted(kwargs)}")
        from ..ops.shape import infer_reshape
        target = infer_reshape(self.shape, tuple(shape), reverse)
        data = self._ctx.backend.reshape(self._data, target)
        return record_view("Reshape", self, data, shape=target)

    def reshape_like(self, other):
        """A view of ``self`` with ``other``'s shape (no special codes)."""
        data = self._ctx.backend.reshape(self._data, other.shape)
        return record_view("Reshape", self, data, shape=other.shape)

    def __len__(self):
        if self.ndim == 0:       # MXNet returns shape[0]: IndexError for a 0-d array
            raise IndexError("len() of a 0-d NDArray (its shape () has no first axis)")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self):
        size = self.size
        if size == 0:
            return False
        if size == 1:
            return bool(self.asnumpy().reshape(-1)[0])
        raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")

    __nonzero__ = __bool__

    # ---- indexing ----------------------------------------------------------------------
    def __getitem__(self, key):
        from .indexing import getitem
        return getitem(self, key)

    def __setitem__(self, key, value):
        from .indexing import setitem
        setitem(self, key, value)

    # ---- printing and pickling ---------------------------------------------------------
    def __repr__(self):
        shape_info = "x".join(str(d) for d in self.shape)
        return f"\n{self.asnumpy()}\n<NDArray {shape_info} @{self._ctx}>"

    def __str__(self):
        return repr(self)

    def __getstate__(self):
        from .saveload import _record_bytes
        return {"handle": _record_bytes(self)}

    def __setstate__(self, state):
        from .saveload import _record_from_bytes
        other = _record_from_bytes(state["handle"])
        self._data, self._ctx = other._data, other._ctx
        self._node, self._grad, self._grad_req, self._fresh_grad = None, None, "null", False

    # ---- arithmetic: broadcasting ops, scalars on either side --------------------------
    def _binary(self, other, array_op, scalar_op, reflect=False):
        """``self op other`` (or ``other op self`` when ``reflect``) for an NDArray
        or a Python/NumPy scalar.  A NumPy array is a TypeError, as in MXNet 1.9.1
        (wrap it with ``mx.nd.array`` first)."""
        if isinstance(other, NDArray):
            return _call(array_op, [other, self] if reflect else [self, other], {})
        if isinstance(other, (int, float, bool, np.number)):
            return _call(scalar_op, [self], {"scalar": float(other)})
        if isinstance(other, np.ndarray):
            raise TypeError(f"type {type(other)} not supported")
        return NotImplemented

    def _inplace(self, other, array_op, scalar_op):
        """``self op= other``: the same op, written into self's buffer."""
        if isinstance(other, (int, float, bool, np.number)):
            return _call(scalar_op, [self], {"scalar": float(other)}, out=self)
        if not isinstance(other, NDArray):
            raise TypeError(f"type {type(other).__name__} not supported")
        return _call(array_op, [self, other], {}, out=self)

    def __add__(self, o): return self._binary(o, "broadcast_add", "_plus_scalar")
    def __radd__(self, o): return self.__add__(o)                     # o + self
    def __sub__(self, o): return self._binary(o, "broadcast_sub", "_minus_scalar")
    def __rsub__(self, o): return self._binary(o, "broadcast_sub", "_rminus_scalar", True)
    def __mul__(self, o): return self._binary(o, "broadcast_mul", "_mul_scalar")
    def __rmul__(self, o): return self.__mul__(o)                     # o * self
    def __truediv__(self, o): return self._binary(o, "broadcast_div", "_div_scalar")
    def __rtruediv__(self, o): return self._binary(o, "broadcast_div", "_rdiv_scalar", True)
    __div__, __rdiv__ = __truediv__, __rtruediv__
    def __mod__(self, o): return self._binary(o, "broadcast_mod", "_mod_scalar")
    def __rmod__(self, o): return self._binary(o, "broadcast_mod", "_rmod_scalar", True)
    def __pow__(self, o): return self._binary(o, "broadcast_power", "_power_scalar")
    def __rpow__(self, o): return self._binary(o, "broadcast_power", "_rpower_scalar", True)
    def __neg__(self): return _call("negative", [self], {})
    def __pos__(self): return self
    def __abs__(self): return _op("abs", self)
    def __eq__(self, o): return self._binary(o, "broadcast_equal", "_equal_scalar")
    def __ne__(self, o): return self._binary(o, "broadcast_not_equal", "_not_equal_scalar")
    def __gt__(self, o): return self._binary(o, "broadcast_greater", "_greater_scalar")
    def __ge__(self, o): return self._binary(o, "broadcast_greater_equal", "_greater_equal_scalar")
    def __lt__(self, o): return self._binary(o, "broadcast_lesser", "_lesser_scalar")
    def __le__(self, o): return self._binary(o, "broadcast_lesser_equal", "_lesser_equal_scalar")
    def __iadd__(self, o): return self._inplace(o, "broadcast_add", "_plus_scalar")
    def __isub__(self, o): return self._inplace(o, "broadcast_sub", "_minus_scalar")
    def __imul__(self, o): return self._inplace(o, "broadcast_mul", "_mul_scalar")
    def __itruediv__(self, o): return self._inplace(o, "broadcast_div", "_div_scalar")
    def __imod__(self, o): return self._inplace(o, "broadcast_mod", "_mod_scalar")
    __idiv__ = __itruediv__
    __hash__ = object.__hash__


#: Methods that call the operator of the same name with ``self`` as first input
#: (MXNet's "fluent" methods).
FLUENT_METHODS = (
    "sum", "mean", "prod", "nansum", "nanprod", "max", "min", "norm", "argmax", "argmin",
    "argmax_channel", "topk", "sort", "argsort", "clip", "abs", "sign", "round", "rint",
    "fix", "floor", "ceil", "trunc", "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt",
    "rsqrt", "cbrt", "rcbrt", "square", "reciprocal", "relu", "sigmoid", "softmax",
    "log_softmax", "softmin", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh",
    "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "degrees", "radians", "transpose",
    "swapaxes", "flatten", "expand_dims", "squeeze", "tile", "repeat", "pad", "flip",
    "split", "split_v2", "slice", "slice_axis", "slice_like", "take", "pick", "one_hot",
    "broadcast_to", "broadcast_like", "broadcast_axes", "diag", "depth_to_space",
    "space_to_depth", "zeros_like", "ones_like", "shape_array", "size_array", "dot",
    "nanmean", "erf", "erfinv", "gamma", "gammaln", "batch_dot",
)


def _make_fluent(name):
    def method(self, *args, **kwargs):
        return _op(name, self, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"Same as ``mx.nd.{name}(self, ...)``."
    return method


for _name in FLUENT_METHODS:
    setattr(NDArray, _name, _make_fluent(_name))
NDArray.broadcast_axis = NDArray.broadcast_axes


def _broadcast_to_method(self, shape):
    """``x.broadcast_to(shape)``: MXNet's Python method, stricter and more lenient than
    the op: a shorter ``self.shape`` is first padded with leading 1s (the op needs equal
    ranks), and every axis that changes must have size 1 (so the op's ``0`` = "keep"
    code is refused); ValueError otherwise."""
    shape = tuple(shape)
    cur = self.shape
    err = (f"operands could not be broadcast together with remapped shapes "
           f"[original->remapped]: {cur} and requested shape {shape}")
    if len(shape) < len(cur):
        raise ValueError(err)
    cur = (1,) * (len(shape) - len(cur)) + cur
    if any(c != s and c != 1 for c, s in zip(cur, shape)):
        raise ValueError(err)
    x = self.reshape(cur) if cur != self.shape else self
    return _op("broadcast_to", x, shape=shape)


NDArray.broadcast_to = _broadcast_to_method


def _transfer(data, src_ctx, dst_ctx):
    """Move a native array between backends (always a copy): DLPack when both sides
    speak it, else through host memory.

    A backend speaks DLPack on the receiving side with an optional method
    ``from_dlpack(x)`` returning a new native array; the NumPy backend takes any
    producer whose memory is on the CPU (``numpy.from_dlpack``).  A producer on
    another device (CuPy to NumPy) or without ``__dlpack__`` (PyOpenCL) goes through
    ``to_numpy``/``from_numpy``."""
    src, dst = src_ctx.backend, dst_ctx.backend
    if src is dst:
        return src.copy(data)
    from_dlpack = getattr(dst, "from_dlpack", None)
    if from_dlpack is None and dst.name == "numpy":
        from_dlpack = lambda x: np.array(np.from_dlpack(x), copy=True)  # noqa: E731
    if from_dlpack is not None and hasattr(data, "__dlpack__"):
        try:
            return from_dlpack(data)
        except (TypeError, ValueError, BufferError, RuntimeError, AttributeError):
            pass
    return dst.from_numpy(src.to_numpy(data))


def zeros_like_native(x):
    """A zero array of x's class, shape, dtype and context (no autograd)."""
    return type(x)(x._ctx.backend.full(x.shape, 0, x._data.dtype), x._ctx)


def _reclass(x, cls):
    """``x`` seen as an array of class ``cls``: a new handle on the same buffer, the
    same place in the recorded graph and the same gradient buffer."""
    if type(x) is cls:
        return x
    y = cls(x._data, x._ctx)
    y._node, y._grad, y._grad_req, y._fresh_grad = x._node, x._grad, x._grad_req, x._fresh_grad
    return y


# ---- creation -------------------------------------------------------------------------
def _shape_tuple(shape):
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)


def array(source_array, ctx=None, dtype=None):
    """An NDArray holding a copy of ``source_array`` (NDArray, NumPy array, list, scalar).

    The dtype defaults to **float32**, even for float64 or int NumPy input (MXNet 1.x);
    only an NDArray source keeps its own dtype.  A sparse NDArray or a
    ``scipy.sparse.csr_matrix`` gives a sparse copy (``nd.sparse.array``), as MXNet.
    """
    if getattr(source_array, "stype", "default") != "default" or \
            type(source_array).__name__ in ("csr_matrix", "csr_array"):
        from .sparse import array as sparse_array
        return sparse_array(source_array, ctx=ctx, dtype=dtype)
    ctx = ctx if ctx is not None else current_context()
    if isinstance(source_array, NDArray):
        dtype = source_array.dtype if dtype is None else dtype
        source = source_array.asnumpy()
    else:
        try:
            source = np.asarray(source_array)
        except (ValueError, TypeError) as err:
            raise TypeError(f"source_array must be array like object: {err}") from None
        if source.dtype == object or source.dtype.kind in "USV":
            raise TypeError("source_array must be array like object (got ragged or "
                            "non-numeric data)")
    data = source.astype(_mx_dtype(dtype), copy=False)
    return result_class()(ctx.backend.from_numpy(data), ctx)


def from_numpy(ndarray, zero_copy=True):
    """An NDArray on cpu holding ``ndarray`` (shared memory when ``zero_copy``; dtype kept)."""
    ctx = Context("cpu", 0)
    data = np.ascontiguousarray(ndarray) if zero_copy else np.array(ndarray, copy=True)
    return result_class()(data, ctx)


def _mx_dtype(dtype):
    """``np_dtype(dtype)``, but a KeyError for a dtype MXNet 1.9.1 has no array type
    for (int16, uint16, uint32, uint64, complex...), as its ``_DTYPE_NP_TO_MX[...]``."""
    dt = np_dtype(dtype)
    if dt not in MX_DTYPES:
        raise KeyError(dt.type)
    return dt


def empty(shape, ctx=None, dtype=None, stype=None):
    """An uninitialised array (float32 unless ``dtype``); an empty sparse one for
    ``stype='csr'`` or ``'row_sparse'``."""
    if stype not in (None, "default"):
        from .sparse import empty as sparse_empty
        return sparse_empty(stype, shape, ctx=ctx, dtype=dtype)
    ctx = ctx if ctx is not None else current_context()
    return result_class()(ctx.backend.empty(_shape_tuple(shape), _mx_dtype(dtype)), ctx)


def zeros(shape, ctx=None, dtype=None, **kwargs):
    """An array of zeros (float32 unless ``dtype``); a sparse one for ``stype='csr'``
    or ``'row_sparse'``."""
    stype = kwargs.pop("stype", None)
    if stype not in (None, "default"):
        from .sparse import zeros as sparse_zeros
        return sparse_zeros(stype, shape, ctx=ctx, dtype=dtype, **kwargs)
    return _op("_zeros", shape=_shape_tuple(shape), ctx=ctx, dtype=np_dtype(dtype).name,
               **kwargs)


def ones(shape, ctx=None, dtype=None, **kwargs):
    """An array of ones (float32 unless ``dtype``)."""
    return _op("_ones", shape=_shape_tuple(shape), ctx=ctx, dtype=np_dtype(dtype).name,
               **kwargs)


def full(shape, val, ctx=None, dtype=np.float32, out=None):
    """An array filled with ``val``."""
    return _op("_full", shape=_shape_tuple(shape), value=float(val), ctx=ctx,
               dtype=_mx_dtype(dtype).name, out=out)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx=None, dtype=np.float32):
    """``[start, stop)`` in steps of ``step``, each value repeated ``repeat`` times."""
    return _op("_arange", start=start, stop=stop, step=step, repeat=repeat, ctx=ctx,
               dtype=np_dtype(dtype).name)


def linspace(start, stop, num, endpoint=True, ctx=None, dtype=np.float32):
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    return _op("_linspace", start=start, stop=stop, num=num, endpoint=endpoint, ctx=ctx,
               dtype=np_dtype(dtype).name)


def eye(N, M=0, k=0, ctx=None, dtype=np.float32, **kwargs):
    """An N x M (M=0 means N) matrix with ones on diagonal ``k``."""
    return _op("_eye", N=N, M=M, k=k, ctx=ctx, dtype=np_dtype(dtype).name, **kwargs)


def waitall():
    """Wait for all pushed work (eager in pymx).  Like MXNet, it does not rethrow errors."""
    get_engine().wait_for_all()


def from_dlpack(dlpack):
    """An NDArray sharing memory with a DLPack capsule or an object with ``__dlpack__``."""
    data = np.from_dlpack(dlpack) if hasattr(dlpack, "__dlpack__") else \
        np.from_dlpack(_Capsule(dlpack))
    return NDArray(data, Context("cpu", 0))


class _Capsule:
    """Adapts a bare DLPack capsule to the ``__dlpack__`` protocol NumPy expects."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, stream=None, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)


def to_dlpack_for_read(data):
    """A DLPack capsule that shares ``data``'s memory (read only by convention)."""
    data.wait_to_read()
    return data._data.__dlpack__()


def to_dlpack_for_write(data):
    """A DLPack capsule that shares ``data``'s memory, for writing."""
    return data._data.__dlpack__()
