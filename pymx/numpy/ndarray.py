"""``mx.np.ndarray``: an NDArray with NumPy semantics, as MXNet 1.9.1 implements them.

It is the legacy ``NDArray`` (same buffer, context, autograd slots; every computation
still goes through the operator registry) with the Python surface of a NumPy array:

====================  ===================================  ==========================
                      legacy ``mx.nd.NDArray``             ``mx.np.ndarray``
====================  ===================================  ==========================
``x.sum()``           shape ``(1,)``                       shape ``()`` (zero-dim)
``x[0, 1]``           shape ``(1,)``                       shape ``()``
``x > 0``             0/1 in x's dtype                     ``bool``
``x[x > 0]``          error                                the selected elements
``x.argmax()``        float32 indices                      int64 indices
``x.dtype``           ``numpy.float32`` (a type)           ``dtype('float32')``
``int32 + float32``   error                                float32
``repr(x)``           ``[..] <NDArray 2x3 @cpu(0)>``       ``array([..])``
====================  ===================================  ==========================

What stays MXNet and not NumPy (measured on MXNet 1.9.1): the default dtype is
float32 (``np.array([1, 2])``, ``np.arange(3)``), a Python scalar never changes an
array's dtype (``int32_array + 1.5`` is int32; ``np.exp(int32_array)`` is int32), and
an integer array divided by anything is float32.

An operator's result has the class of its first array input
(``pymx.ndarray.register.result_class``), so the legacy ops below (``sum``,
``broadcast_add``, ``_gather_flat``...) return ``mx.np.ndarray`` s when given them:
this file only translates NumPy's Python API into those ops and fixes shapes and
dtypes.  Chapter 3 (``chapters/ch03_apis``) teaches it.
"""
import numpy as _np

from ..base import MXNetError
from ..ndarray.indexing import getitem, setitem
from ..ndarray.ndarray import NDArray, _reclass
from . import elementwise as _ew
from . import linalg as _linalg
from . import manipulation as _manip
from . import reduction as _red

__all__ = ["ndarray"]

# NumPy >= 2.2 appends ``shape=(..)`` to the repr of a summarized array; MXNet's NumPy 1.x
# does not, and NumPy's 2.1 legacy print mode restores that.
_LEGACY_REPR = ({"legacy": "2.1"}
                if tuple(int(v) for v in _np.__version__.split(".")[:2]) >= (2, 2) else {})


class ndarray(NDArray):
    """An array on a device with NumPy semantics (see the module docstring).  Create
    one with ``mx.np.array``/``zeros``/...; never the constructor, which takes a
    backend-native array and its context."""
    __slots__ = ()                        # same layout as NDArray: a view, not a copy

    # ---- attributes --------------------------------------------------------------------
    @property
    def dtype(self):
        """The element type as a ``numpy.dtype`` (``dtype('float32')``)."""
        return self._data.dtype

    @property
    def T(self):
        """The transpose (all axes reversed); a 1-D or 0-d array is unchanged."""
        return self.transpose()

    @property
    def grad(self):
        """The gradient buffer made by ``attach_grad`` (None before)."""
        g = self._grad
        return None if g is None else _reclass(g, ndarray)

    # ---- conversion --------------------------------------------------------------------
    def item(self, *args):
        """The element as a Python number (``float``/``int``/``bool``)."""
        return self.asnumpy().item(*args)

    def tolist(self):
        """Nested Python lists of Python numbers."""
        return self.asnumpy().tolist()

    def __index__(self):
        if self.dtype.kind not in "iub":
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return int(self.item())

    def as_np_ndarray(self):
        """``self``: already an ``mx.np.ndarray``."""
        return self

    # ---- printing ----------------------------------------------------------------------
    def __format__(self, spec):
        """``f"{x:.3f}"`` formats a zero-dim array's element (d2l prints losses this way);
        a format spec on a larger array is a TypeError, as in MXNet."""
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError("Cannot format mxnet.numpy.ndarray with format_spec")
        return str(self)

    def __repr__(self):
        """NumPy's repr without ``dtype=float32`` (the default), with the dtype for
        other types (bool excepted, as NumPy) and ``ctx=`` for a non-cpu device.
        MXNet 1.9.1 runs NumPy 1.x, whose repr of a summarized array (``...``) has no
        ``shape=`` suffix; NumPy >= 2.2 adds one unless printing in its 2.1 legacy mode."""
        with _np.printoptions(**_LEGACY_REPR):
            text = repr(self.asnumpy())
        if "dtype=" in text:
            if self.dtype == _np.float32:
                text = text[:text.rindex(",")] + ")"
        elif self.dtype not in (_np.float32, _np.bool_):
            text = text[:-1] + f", dtype={self.dtype})"
        if self._ctx.device_type == "cpu":
            return text
        return text[:-1] + f", ctx={self._ctx})"

    def __str__(self):
        text = str(self.asnumpy())
        if self._ctx.device_type == "cpu" or self.ndim == 0:
            return text
        return f"{text} @{self._ctx}"

    def __iter__(self):
        """The sub-arrays along axis 0; nothing for a zero-dim array (as MXNet 1.9.1)."""
        for i in range(self.shape[0] if self.ndim else 0):
            yield self[i]

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """A NumPy ufunc called on an mx.np array runs the mx.np function of that name
        (``numpy.exp(x)`` is ``mx.np.exp(x)``), as MXNet 1.9.1 dispatches it."""
        from .. import numpy as _mxnp
        fn = getattr(_mxnp, ufunc.__name__, None) if method == "__call__" else None
        if fn is None:
            raise NotImplementedError(f"numpy.{ufunc.__name__}.{method} is not supported "
                                      f"on mx.np arrays")
        return fn(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """An official NumPy function called on mx.np arrays: its mx.np namesake for the
        functions MXNet 1.9.1 dispatches, else NumPy on host copies (``fallback.py``)."""
        from .fallback import array_function
        return array_function(func, types, args, kwargs)

    # ---- indexing ----------------------------------------------------------------------
    def __getitem__(self, key):
        """NumPy indexing: ints give zero-dim results; lists, ranges, integer arrays
        and boolean masks select elements (a copy; its gradient scatter-adds)."""
        return getitem(self, key, numpy=True)

    def __setitem__(self, key, value):
        """``x[key] = value``; a value that does not broadcast to the indexed region is an
        MXNetError here (the legacy ``NDArray`` raises ValueError)."""
        try:
            setitem(self, key, value, numpy=True)
        except ValueError as e:
            if "cannot broadcast" not in str(e):
                raise
            raise MXNetError(str(e)) from None

    # ---- arithmetic and comparisons (elementwise.py: dtype rules) ----------------------
    def __add__(self, o): return _ew.binary("add", self, o)
    def __radd__(self, o): return _ew.binary("add", o, self)
    def __sub__(self, o): return _ew.binary("subtract", self, o)
    def __rsub__(self, o): return _ew.binary("subtract", o, self)
    def __mul__(self, o): return _ew.binary("multiply", self, o)
    def __rmul__(self, o): return _ew.binary("multiply", o, self)
    def __truediv__(self, o): return _ew.binary("true_divide", self, o)
    def __rtruediv__(self, o): return _ew.binary("true_divide", o, self)
    def __mod__(self, o): return _ew.binary("mod", self, o)
    def __rmod__(self, o): return _ew.binary("mod", o, self)
    def __pow__(self, o): return _ew.binary("power", self, o)
    def __rpow__(self, o): return _ew.binary("power", o, self)
    def __eq__(self, o): return _ew.equal(self, o)
    def __ne__(self, o): return _ew.not_equal(self, o)
    def __gt__(self, o): return _ew.binary("greater", self, o)
    def __ge__(self, o): return _ew.binary("greater_equal", self, o)
    def __lt__(self, o): return _ew.binary("less", self, o)
    def __le__(self, o): return _ew.binary("less_equal", self, o)
    def __invert__(self): return _ew.invert(self)
    def __and__(self, o): return _ew.bitwise_and(self, o)
    def __or__(self, o): return _ew.bitwise_or(self, o)
    def __xor__(self, o): return _ew.bitwise_xor(self, o)
    def __iand__(self, o): return _ew.bitwise_and(self, o, out=self)
    def __ior__(self, o): return _ew.bitwise_or(self, o, out=self)
    def __ixor__(self, o): return _ew.bitwise_xor(self, o, out=self)
    def __matmul__(self, o): return _linalg.matmul(self, o)
    def __rmatmul__(self, o): return _linalg.matmul(o, self)
    __hash__ = NDArray.__hash__

    def _inplace(self, other, array_op, scalar_op):
        """``x op= y`` is MXNet's ``op(x, y, out=x)``: an MXNetError when the result's
        dtype (the rules of ``elementwise.py``) is not x's (``int32_x /= 2``,
        ``bool_x += 1``, ``int32_x += float32_y``), and when x is already in a graph
        being recorded (a non-leaf inside ``autograd.record()``)."""
        from ..autograd import is_recording
        if is_recording() and self._node is not None:
            raise MXNetError("Assigning to NDArrays that are already in a computational "
                             "graph will cause undefined behavior when evaluating "
                             "gradients: no in-place operation (+=, *=...) on it inside "
                             "a record section")
        dtype = _ew.inplace_result_type(_INPLACE_NAMES[array_op], self, other)
        if dtype is not None and dtype != self.dtype:
            raise MXNetError(f"{_INPLACE_NAMES[array_op]}: the result ({dtype}) cannot be "
                             f"written into the {self.dtype} array in place")
        if isinstance(other, NDArray) and self.dtype == other.dtype == _np.bool_:
            # two masks: MXNet's bool kernels (+ is or, * is and; - is an error)
            self[...] = _ew.binary(_INPLACE_NAMES[array_op], self, other)
            return self
        if isinstance(other, NDArray) and other.dtype != self.dtype:
            other = other.astype(self.dtype)
        return NDArray._inplace(self, other, array_op, scalar_op)

    # ---- methods with NumPy signatures -------------------------------------------------
    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        """``np.sum(self, ...)``: zero-dim when every axis is reduced."""
        return _red.sum(self, axis, dtype, out, keepdims)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        """``np.mean(self, ...)``; integer input gives float32."""
        return _red.mean(self, axis, dtype, out, keepdims)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False):
        """``np.prod(self, ...)``."""
        return _red.prod(self, axis, dtype, out, keepdims)

    def max(self, axis=None, out=None, keepdims=False):
        """``np.max(self, ...)``."""
        return _red.max(self, axis, out, keepdims)

    def min(self, axis=None, out=None, keepdims=False):
        """``np.min(self, ...)``."""
        return _red.min(self, axis, out, keepdims)

    def argmax(self, axis=None, out=None):
        """``np.argmax(self, axis)``: int64 indices."""
        return _red.argmax(self, axis, out)

    def argmin(self, axis=None, out=None):
        """``np.argmin(self, axis)``: int64 indices."""
        return _red.argmin(self, axis, out)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        """``np.std(self, ...)``."""
        return _red.std(self, axis, dtype, out, ddof, keepdims)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        """``np.var(self, ...)``."""
        return _red.var(self, axis, dtype, out, ddof, keepdims)

    def cumsum(self, axis=None, dtype=None, out=None):
        """``np.cumsum(self, axis)``."""
        return _red.cumsum(self, axis, dtype, out)

    def dot(self, b, out=None):
        """``np.dot(self, b)``."""
        return _linalg.dot(self, b, out)

    def transpose(self, *axes):
        """``x.transpose()``, ``x.transpose(1, 0)`` or ``x.transpose((1, 0))``."""
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return _manip.transpose(self, axes or None)

    def squeeze(self, axis=None):
        """``np.squeeze(self, axis)``."""
        return _manip.squeeze(self, axis)

    def repeat(self, repeats, axis=None):
        """``np.repeat(self, repeats, axis)``."""
        return _manip.repeat(self, repeats, axis)

    def broadcast_to(self, shape):
        """``np.broadcast_to(self, shape)``."""
        return _manip.broadcast_to(self, shape)

    def sort(self, axis=-1, kind=None, order=None):
        """MXNet 1.9.1's method says ``raise sort(self, ...)`` instead of ``return``:
        the sorted copy is computed, then raising a non-exception is a TypeError and
        ``self`` is left as it was.  Use ``np.sort(x)``."""
        _manip.sort(self, axis)
        raise TypeError("exceptions must derive from BaseException (mxnet.numpy.ndarray."
                        "sort is broken in MXNet 1.9.1: use np.sort)")

    def argsort(self, axis=-1, kind=None, order=None):
        """``np.argsort(self, axis)``: int64 indices."""
        return _manip.argsort(self, axis)

    def round(self, decimals=0, out=None):
        """``np.round(self, decimals)``: halves to even."""
        return _ew.round(self, decimals, out)

    def __round__(self, n=0):
        return _ew.round(self, n)

    def clip(self, min=None, max=None, out=None):  # noqa: A002 (MXNet's names)
        """``np.clip(self, min, max)``; one bound may be None."""
        return _ew.clip(self, min, max, out)

    def take(self, indices, axis=None, mode="raise"):
        """``np.take(self, indices, axis)``: of the flattened array for ``axis=None``."""
        from .counting import take
        return take(self, indices, axis, mode)

    def all(self, axis=None, out=None, keepdims=False):
        """``np.all(self, ...)``: a bool array."""
        return _red.all(self, axis, out, keepdims)

    def any(self, axis=None, out=None, keepdims=False):
        """``np.any(self, ...)``: a bool array."""
        return _red.any(self, axis, out, keepdims)

    def nonzero(self):
        """``np.nonzero(self)``: one int64 index array per axis."""
        from .counting import nonzero
        return nonzero(self)

    def reshape(self, *args, **kwargs):
        """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``; only ``order='C'`` as keyword.
        NumPy's rule, not the legacy codes: one entry may be -1 (inferred), 0 means a
        length of 0, and any other negative entry is an MXNetError."""
        if len(kwargs) > 1 or (kwargs and "order" not in kwargs):
            raise TypeError(f"reshape: unexpected keyword arguments {sorted(kwargs)} "
                            "(only order is accepted)")
        if not args:
            raise TypeError("reshape() takes exactly 1 argument (0 given)")
        if kwargs.get("order", "C") != "C":
            raise NotImplementedError(f"only supports C-order, while received "
                                      f"{kwargs['order']}")
        shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
        return _manip.reshape(self, shape)

    def reshape_view(self, *shape, **kwargs):
        """The legacy ``NDArray.reshape`` (MXNet's special codes 0, -2, -3, -4)."""
        return NDArray.reshape(self, *shape, **kwargs)

    def flatten(self, order="C"):
        """A 1-D copy (NumPy's ``flatten``; the legacy method keeps the first axis)."""
        return self.reshape(-1, order=order)

    # ---- conversions MXNet refuses on mx.np arrays -------------------------------------
    def __pos__(self):
        raise TypeError("bad operand type for unary +: 'ndarray'")

    def __float__(self):
        if self.size != 1:
            raise TypeError("only size-1 arrays can be converted to Python scalars")
        return float(self.item())

    def __int__(self):
        if self.size != 1:
            raise TypeError("only size-1 arrays can be converted to Python scalars")
        return int(self.item())

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]


#: the legacy op of ``x op= y`` (``NDArray.__iadd__``...) -> the mx.np function
_INPLACE_NAMES = {"broadcast_add": "add", "broadcast_sub": "subtract",
                  "broadcast_mul": "multiply", "broadcast_div": "true_divide",
                  "broadcast_mod": "mod"}


def _no_method(name):
    def method(self, *args, **kwargs):
        raise AttributeError(f"mxnet.numpy.ndarray object has no attribute {name}")
    method.__name__ = name
    method.__doc__ = (f"Not on ``mx.np`` arrays (an AttributeError, as in MXNet 1.9.1): "
                      f"use the function ``np.{name}``/``npx.{name}``.")
    return method


#: Legacy fluent methods that MXNet 1.9.1's ``mx.np.ndarray`` overrides to raise
#: AttributeError (``x.exp()`` works on ``mx.nd`` arrays, not on ``mx.np`` ones).
NO_METHODS = (
    "asscalar", "reshape_like", "zeros_like", "ones_like", "broadcast_axes", "pad",
    "split", "split_v2", "slice", "slice_axis", "slice_like", "one_hot", "pick", "topk",
    "argmax_channel", "abs", "sign", "shape_array", "size_array", "expand_dims", "tile",
    "flip", "depth_to_space", "space_to_depth", "diag", "nansum", "nanprod", "norm",
    "rint", "fix", "floor", "ceil", "trunc", "sin", "cos", "tan", "arcsin", "arccos",
    "arctan", "degrees", "radians", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
    "arctanh", "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt", "rsqrt", "cbrt",
    "rcbrt", "square", "reciprocal", "relu", "sigmoid", "softmax", "log_softmax",
    "softmin", "broadcast_like", "tostype")
for _name in NO_METHODS:
    setattr(ndarray, _name, _no_method(_name))


class _Absent:
    """A legacy method ``mx.np.ndarray`` does not have at all (``hasattr`` is False)."""
    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        raise AttributeError(f"'ndarray' object has no attribute '{self.name}'")


for _name in ("batch_dot", "broadcast_axis", "erf", "erfinv", "gamma", "gammaln",
              "nanmean"):
    _absent = _Absent()
    _absent.__set_name__(ndarray, _name)
    setattr(ndarray, _name, _absent)
