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

from ..ndarray.indexing import getitem, setitem
from ..ndarray.ndarray import NDArray, _reclass
from . import elementwise as _ew
from . import linalg as _linalg
from . import manipulation as _manip
from . import reduction as _red

__all__ = ["ndarray"]


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

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

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
        other types (bool excepted, as NumPy) and ``ctx=`` for a non-cpu device."""
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

    # ---- indexing ----------------------------------------------------------------------
    def __getitem__(self, key):
        """NumPy indexing: ints give zero-dim results; lists, ranges, integer arrays
        and boolean masks select elements (a copy; its gradient scatter-adds)."""
        return getitem(self, key, numpy=True)

    def __setitem__(self, key, value):
        setitem(self, key, value, numpy=True)

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
    def __eq__(self, o): return _ew.binary("equal", self, o)
    def __ne__(self, o): return _ew.binary("not_equal", self, o)
    def __gt__(self, o): return _ew.binary("greater", self, o)
    def __ge__(self, o): return _ew.binary("greater_equal", self, o)
    def __lt__(self, o): return _ew.binary("less", self, o)
    def __le__(self, o): return _ew.binary("less_equal", self, o)
    def __matmul__(self, o): return _linalg.matmul(self, o)
    def __rmatmul__(self, o): return _linalg.matmul(o, self)
    __hash__ = NDArray.__hash__

    def _inplace(self, other, array_op, scalar_op):
        """``x op= y`` keeps x's dtype: y is cast to it first."""
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

    def flatten(self, order="C"):
        """A 1-D copy (NumPy's ``flatten``; the legacy method keeps the first axis)."""
        return self.reshape(-1).copy()

    def repeat(self, repeats, axis=None):
        """``np.repeat(self, repeats, axis)``."""
        return _manip.repeat(self, repeats, axis)

    def tile(self, reps):
        """``np.tile(self, reps)``."""
        return _manip.tile(self, reps)

    def expand_dims(self, axis):
        """``np.expand_dims(self, axis)``."""
        return _manip.expand_dims(self, axis)

    def broadcast_to(self, shape):
        """``np.broadcast_to(self, shape)``."""
        return _manip.broadcast_to(self, shape)

    def sort(self, axis=-1):
        """Sort in place along ``axis``, as NumPy's method does."""
        self[...] = _manip.sort(self, axis)

    def argsort(self, axis=-1):
        """``np.argsort(self, axis)``: int64 indices."""
        return _manip.argsort(self, axis)
