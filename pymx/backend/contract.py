"""The backend contract: every kernel an accelerator can provide, and what it must do.

A backend owns a *native array* type (``numpy.ndarray``, ``cupy.ndarray``, a PyOpenCL
array).  Native arrays must have ``.shape`` (a tuple) and ``.dtype`` (a NumPy dtype).
Operators (``pymx/ops``) are written only in terms of the kernels below, so an operator
runs on every backend.

Rules every kernel follows (the NumPy backend in ``numpy_backend.py`` is the
executable spec; a backend is correct when the conformance suite says it matches):

* Kernels return a **new** native array unless the docstring says "in place".
  ``unary``, ``binary`` and ``matmul`` also take ``out=``, a native array of the
  result's shape and dtype: they write the result there (``out`` may be one of the
  operands of an elementwise kernel) and return it.  That is how an operator writes
  straight into a planned memory block or updates a weight in place (MXNet's
  ``kWriteTo`` / ``kWriteInplace``) instead of computing a new array and copying it.
* Binary kernels get operands that are already broadcast to one shape, except that
  either operand may be a Python scalar (``k.binary("subtract", 1.0, x)``).
* Comparisons return 0/1 **in the input dtype** (MXNet 1.x), never bool.
* ``axes`` are non-negative ints; ``keepdims`` keeps reduced axes with size 1.

Only the memory kernels (``from_numpy``, ``to_numpy``, ``empty``, ``setitem``) are
abstract.  Every other kernel has a default that
copies its inputs to the host, runs the NumPy reference and copies the result back:
a new backend is *correct* as soon as it can move memory, and then gets *fast* one
kernel at a time.  ``Backend.native_kernels()`` lists what a backend really implements.
"""
import functools
import inspect
import math

__all__ = ["Backend", "kernel", "composite", "UNARY_OPS", "BINARY_OPS", "REDUCE_OPS"]

#: Elementwise unary kernels ``unary(op, x)``: name -> the math.
UNARY_OPS = {
    "negative": "-x", "abs": "|x|", "sign": "-1, 0 or 1", "exp": "e^x", "expm1": "e^x - 1",
    "log": "ln x", "log1p": "ln(1 + x)", "log2": "log2 x", "log10": "log10 x",
    "sqrt": "sqrt x", "square": "x^2", "reciprocal": "1 / x", "cbrt": "x^(1/3)",
    "sin": "sin x", "cos": "cos x", "tan": "tan x", "arcsin": "asin x", "arccos": "acos x",
    "arctan": "atan x", "sinh": "sinh x", "cosh": "cosh x", "tanh": "tanh x",
    "arcsinh": "asinh x", "arccosh": "acosh x", "arctanh": "atanh x",
    "floor": "floor x", "ceil": "ceil x", "trunc": "trunc x",
    "rint": "round half to even", "round": "round half away from zero",
    "sigmoid": "1 / (1 + e^-x)", "relu": "max(x, 0)", "erf": "the error function",
    "erfinv": "inverse of erf", "gamma": "the gamma function", "gammaln": "ln |gamma(x)|",
    "logical_not": "1 if x == 0 else 0",
}
#: Elementwise binary kernels ``binary(op, a, b)``.
BINARY_OPS = {
    "add": "a + b", "subtract": "a - b", "multiply": "a * b", "divide": "a / b",
    "mod": "a mod b (sign of b, as Python)", "power": "a ^ b", "maximum": "max(a, b)",
    "minimum": "min(a, b)", "hypot": "sqrt(a^2 + b^2)", "arctan2": "atan2(a, b)",
    "equal": "a == b", "not_equal": "a != b", "greater": "a > b",
    "greater_equal": "a >= b", "lesser": "a < b", "lesser_equal": "a <= b",
    "logical_and": "a && b", "logical_or": "a || b", "logical_xor": "a xor b",
}
#: Reductions ``reduce(op, x, axes, keepdims)``.
REDUCE_OPS = {"sum": "sum", "prod": "product", "max": "maximum", "min": "minimum",
              "nansum": "sum treating NaN as 0", "nanprod": "product treating NaN as 1"}


def kernel(fn):
    """Declare a contract kernel whose default runs the NumPy reference on the host."""
    name = fn.__name__

    @functools.wraps(fn)
    def on_host(self, *args, **kwargs):
        return self.run_on_host(name, *args, **kwargs)

    on_host.is_fallback = True
    return on_host


def composite(fn):
    """Declare a contract kernel whose default is composed of other kernels, so it runs
    wherever they run (on the device); a backend may replace it with one kernel."""
    fn.is_fallback = True
    return fn


def _add_out(fn):
    @functools.wraps(fn)
    def with_out(self, *args, out=None, **kwargs):
        return self.deliver(fn(self, *args, **kwargs), out)
    return with_out


class Backend:
    """Base class of all backends.  Subclasses set ``name`` and implement memory kernels.

    One instance serves one device (``device_id``).  Register a backend with the
    entry point group ``pymx.backends`` (see ``pymx/backend/__init__.py``).
    """
    name = "abstract"
    #: dtypes this backend computes in; the conformance suite tests exactly these.
    dtypes = ("float32", "float64", "float16", "uint8", "int8", "int32", "int64")

    def __init__(self, device_id=0):
        self.device_id = device_id

    #: kernels that take ``out=`` (see the module docstring)
    WRITE_INTO = ("unary", "binary", "matmul")

    def __init_subclass__(cls, **kwargs):
        """A backend may write ``unary``/``binary``/``matmul`` without ``out=``: the
        base class then adds it (compute a new array, then ``setitem`` it into out)."""
        super().__init_subclass__(**kwargs)
        for name in cls.WRITE_INTO:
            fn = cls.__dict__.get(name)
            if fn is not None and "out" not in inspect.signature(fn).parameters:
                setattr(cls, name, _add_out(fn))

    # ---- memory: the only kernels a backend must write itself ---------------------
    def from_numpy(self, a):
        """Upload a NumPy array (any layout); returns a native array with the same values."""
        raise NotImplementedError

    def to_numpy(self, x):
        """Download a native array into a new C-contiguous NumPy array."""
        raise NotImplementedError

    def empty(self, shape, dtype):
        """An uninitialised native array."""
        raise NotImplementedError

    def setitem(self, x, key, value):
        """In place: ``x[key] = value``, where value is a scalar or a broadcastable array.
        Required (a host fallback could only write into a host copy): ``x[...] = v`` is
        how results are written into existing arrays (``out=``, optimizer states)."""
        raise NotImplementedError

    def synchronize(self):
        """Block until all queued device work is done (no-op on synchronous backends)."""

    # ---- the host fallback ------------------------------------------------------------
    def run_on_host(self, name, *args, **kwargs):
        """Run the NumPy reference kernel ``name`` on host copies of native arguments."""
        from .numpy_backend import NumpyBackend
        ref = NumpyBackend.reference()
        def conv(a):                 # native arrays to NumPy, recursing into lists/tuples
            if self.is_native(a):
                return self.to_numpy(a)
            if isinstance(a, (list, tuple)):
                return type(a)(conv(b) for b in a)
            return a
        dest = kwargs.pop("out", None)
        out = getattr(ref, name)(*[conv(a) for a in args],
                                 **{k: conv(v) for k, v in kwargs.items()})
        if isinstance(out, tuple):
            return tuple(self.from_numpy(o) for o in out)
        if dest is not None:             # ``out=``: write the host result into it
            return self.deliver(self.from_numpy(out), dest)
        return self.from_numpy(out) if hasattr(out, "shape") else out

    def deliver(self, res, out):
        """``res``, or ``res`` written into ``out`` (and ``out`` returned) when the
        caller gave a destination that ``res`` is not already."""
        if out is None or res is out:
            return res
        self.setitem(out, Ellipsis, res)
        return out

    def is_native(self, a):
        """Is ``a`` this backend's native array type?"""
        return False

    @classmethod
    def native_kernels(cls):
        """Names of the kernels this backend implements itself (not host fallbacks)."""
        names = [n for n in dir(cls) if not n.startswith("_")]
        return sorted(n for n in names if callable(getattr(cls, n))
                      and hasattr(getattr(Backend, n, None), "is_fallback")
                      and not hasattr(getattr(cls, n), "is_fallback"))

    # ---- memory -----------------------------------------------------------------------
    @kernel
    def full(self, shape, value, dtype):
        """A new array of ``shape`` filled with ``value``."""

    @kernel
    def copy(self, x):
        """A C-contiguous copy of ``x``."""

    @kernel
    def astype(self, x, dtype):
        """A copy of ``x`` converted to ``dtype`` (C casting rules; float->int truncates)."""

    @kernel
    def arange(self, start, stop, step, dtype):
        """``[start, start + step, ...)`` below ``stop``, like ``numpy.arange``."""

    # ---- layout -----------------------------------------------------------------------
    @kernel
    def reshape(self, x, shape):
        """``x`` with a new shape of the same size; a view when ``x`` is contiguous."""

    @kernel
    def transpose(self, x, axes):
        """Permute axes: ``out.shape[i] == x.shape[axes[i]]``."""

    @kernel
    def broadcast_to(self, x, shape):
        """Repeat size-1 axes (and prepend axes) so that ``x`` has ``shape``."""

    @kernel
    def getitem(self, x, key):
        """Basic indexing (ints, slices, None, Ellipsis) or advanced indexing with
        integer native arrays, NumPy semantics; always an array (all-int keys give a
        0-d array).  Basic keys may return a view or a copy, so callers never write
        through the result; callers that need a private copy call ``copy``."""


    @kernel
    def concat(self, xs, axis):
        """Join arrays of equal shape except along ``axis``."""

    @kernel
    def stack(self, xs, axis):
        """Join arrays of equal shape along a new ``axis``."""

    @kernel
    def pad(self, x, pad_width, mode, value):
        """Pad with ``((before, after), ...)`` per axis; mode 'constant', 'edge' or 'reflect'."""

    @kernel
    def flip(self, x, axes):
        """Reverse the order of elements along ``axes``."""

    @kernel
    def tile(self, x, reps):
        """Repeat the whole array ``reps[i]`` times along axis i (NumPy ``tile``)."""

    @kernel
    def repeat(self, x, repeats, axis):
        """Repeat each element ``repeats`` times along ``axis`` (None: flatten first)."""

    # ---- elementwise ------------------------------------------------------------------
    @kernel
    def unary(self, op, x, out=None):
        """Elementwise ``op`` from ``UNARY_OPS``; the result has x's dtype (except for
        ``sign``-like ops on ints, which also keep it).  ``out``: write it there (may
        be ``x``)."""

    @kernel
    def binary(self, op, a, b, out=None):
        """Elementwise ``op`` from ``BINARY_OPS`` on same-shape arrays (``b`` may be a
        Python scalar).  The result has ``a``'s dtype.  ``out``: write it there (may
        be ``a`` or ``b``)."""

    @kernel
    def where(self, cond, a, b):
        """``a`` where ``cond`` is non-zero, else ``b`` (all one shape)."""

    @kernel
    def clip(self, x, lo, hi):
        """Elementwise ``min(max(x, lo), hi)``; ``lo``/``hi`` are scalars or None."""

    # ---- reductions -------------------------------------------------------------------
    @kernel
    def reduce(self, op, x, axes, keepdims):
        """Reduce ``x`` over ``axes`` (a tuple) with ``op`` from ``REDUCE_OPS``."""

    @kernel
    def argmax(self, x, axis, keepdims):
        """Index of the first maximum along ``axis`` (int64)."""

    @kernel
    def argmin(self, x, axis, keepdims):
        """Index of the first minimum along ``axis`` (int64)."""

    @kernel
    def cumsum(self, x, axis):
        """Inclusive prefix sums along ``axis``."""

    # ---- linear algebra ---------------------------------------------------------------
    @kernel
    def matmul(self, a, b, transpose_a=False, transpose_b=False, out=None):
        """2-D product ``op(a) @ op(b)`` where op transposes when asked; ``out``: write
        it there (never ``a`` or ``b``)."""

    @kernel
    def batch_matmul(self, a, b, transpose_a=False, transpose_b=False):
        """``out[i] = op(a[i]) @ op(b[i])`` for 3-D ``a`` and ``b``."""

    # ---- indexing ---------------------------------------------------------------------
    @kernel
    def take(self, x, indices, axis):
        """``out = x`` indexed by integer ``indices`` along ``axis``.  Callers pass
        indices already in range (ops clip or wrap first, as MXNet's ``mode`` says)."""

    @kernel
    def scatter_add(self, shape, indices, values, axis, dtype):
        """The adjoint of ``take``: zeros of ``shape``, then ``out[.., indices[i], ..] +=
        values[.., i, ..]`` along ``axis``, summing repeated indices."""

    @composite
    def take_along_axis(self, x, indices, axis):
        """NumPy's ``take_along_axis``: ``out[..., j, ...] = x[..., indices[..., j, ...],
        ...]`` along ``axis``.  ``indices`` (int64, in range) has ``x``'s ndim and
        ``x``'s shape except along ``axis``; ``out`` has ``indices``' shape.
        Default: the flat position of every index, then one ``take``."""
        flat = self._flat_positions(indices, tuple(x.shape), axis)
        return self.take(self.reshape(x, (math.prod(x.shape),)), flat, 0)

    @composite
    def scatter_add_along_axis(self, shape, indices, values, axis, dtype):
        """The adjoint of ``take_along_axis``: zeros of ``shape``, then
        ``out[..., indices[..., j, ...], ...] += values[..., j, ...]``, summing repeats."""
        flat = self._flat_positions(indices, tuple(shape), axis)
        m = math.prod(indices.shape)
        out = self.scatter_add((math.prod(shape),), self.reshape(flat, (m,)),
                               self.reshape(values, (m,)), 0, dtype)
        return self.reshape(out, tuple(shape))

    def _flat_positions(self, indices, shape, axis):
        """Positions in ``x.reshape(-1)`` (x of ``shape``) of ``indices`` along ``axis``:
        ``base + indices * stride``, where ``base`` (computed on the host from the shape
        alone) is each line's position with the axis index set to 0."""
        import numpy as np
        stride = math.prod(shape[axis + 1:])
        inner = np.arange(stride, dtype=np.int64)
        outer = np.arange(math.prod(shape[:axis]), dtype=np.int64)
        base = (outer[:, None] * (shape[axis] * stride) + inner[None, :]).reshape(
            tuple(shape[:axis]) + (1,) + tuple(shape[axis + 1:]))
        base = self.broadcast_to(self.from_numpy(base), tuple(indices.shape))
        return self.binary("add", self.binary("multiply", indices, stride), base)

    @kernel
    def one_hot(self, indices, depth, on_value, off_value, dtype):
        """``out[..., j] = on_value if indices[...] == j else off_value``."""

    @kernel
    def sort(self, x, axis):
        """Values sorted ascending along ``axis`` (stable)."""

    @kernel
    def argsort(self, x, axis):
        """Indices (int64) that sort ``x`` ascending along ``axis`` (stable)."""

    # ---- convolution ------------------------------------------------------------------
    @kernel
    def im2col(self, x, kernel, stride, pad, dilate):
        """Unfold ``x`` of shape (N, C, *spatial) into columns (N, C*prod(kernel),
        prod(out_spatial)), zero-padding by ``pad``.  ``out_spatial[i] =
        (spatial[i] + 2 pad[i] - dilate[i] (kernel[i] - 1) - 1) // stride[i] + 1``."""

    @kernel
    def col2im(self, cols, shape, kernel, stride, pad, dilate):
        """The adjoint of ``im2col``: sum the columns back into an array of ``shape``."""
