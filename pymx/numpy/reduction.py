"""Reductions of ``mx.np``: ``sum``, ``mean``, ``prod``, ``max``, ``min``, ``argmax``,
``argmin``, ``std``, ``var`` and the running sum ``cumsum``.

Each is the legacy reduction operator plus NumPy's shape and dtype rules:

* reducing every axis without ``keepdims`` gives a **zero-dim** array (the legacy op
  gives ``(1,)``; a recorded ``Reshape`` view turns it into ``()``);
* ``sum``/``prod`` of a bool array count in int64; ``mean`` of an integer array is
  float32 (MXNet: ``np.array([1, 2], dtype='int32').mean()`` is ``array(1.5)``);
* ``argmax``/``argmin`` return **int64** indices (legacy: float32).

The gradients are those of the legacy ops (``_reduce_grad_expand``).
"""
import numpy as _np

from ..ndarray import op as _nd
from ..ndarray.indexing import _reshape_exact

__all__ = ["sum", "mean", "prod", "max", "min", "argmax", "argmin", "std", "var",
           "cumsum"]


def _axes(axis, ndim):
    """The reduced axes as a tuple of non-negative ints (None: all)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for ax in axes:
        if not -ndim <= ax < (ndim or 1):
            raise ValueError(f"axis {ax} is out of bounds for array of dimension {ndim}")
    return tuple(sorted(ax % (ndim or 1) for ax in axes))


def _finish(y, x, axes, keepdims, out):
    """Zero-dim when every axis was reduced; written into ``out`` when given."""
    if not keepdims and len(axes) == x.ndim:
        y = _reshape_exact(y, ())
    if out is not None:
        out[...] = y
        return out
    return y


def _reduce(op, a, axis, dtype, out, keepdims):
    if dtype is not None:
        a = a.astype(dtype)
    axes = _axes(axis, a.ndim)
    if not axes and a.ndim:                       # axis=(): nothing to reduce
        return _finish(a.copy(), a, axes, True, out)
    y = getattr(_nd, op)(a, axis=axes or None, keepdims=keepdims)
    return _finish(y, a, axes, keepdims, out)


def sum(a, axis=None, dtype=None, out=None, keepdims=False):
    """Sum over ``axis`` (None: all; an int or a tuple).  Bool counts as int64."""
    if dtype is None and a.dtype == _np.bool_:
        dtype = _np.int64
    return _reduce("sum", a, axis, dtype, out, keepdims)


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """Mean over ``axis``; integer or bool input gives float32."""
    if dtype is None and a.dtype.kind in "biu":
        dtype = _np.float32
    return _reduce("mean", a, axis, dtype, out, keepdims)


def prod(a, axis=None, dtype=None, out=None, keepdims=False):
    """Product over ``axis``.  Bool counts as int64."""
    if dtype is None and a.dtype == _np.bool_:
        dtype = _np.int64
    return _reduce("prod", a, axis, dtype, out, keepdims)


def max(a, axis=None, out=None, keepdims=False):
    """Largest value over ``axis`` (its gradient goes to the maxima)."""
    return _reduce("max", a, axis, None, out, keepdims)


def min(a, axis=None, out=None, keepdims=False):
    """Smallest value over ``axis``."""
    return _reduce("min", a, axis, None, out, keepdims)


def _arg(op, a, axis, out):
    if axis is not None and not isinstance(axis, int):
        raise TypeError(f"{op}: axis must be an int or None, got {axis!r}")
    y = getattr(_nd, op)(a, axis=axis).astype(_np.int64)
    return _finish(y, a, _axes(axis, a.ndim), False, out)


def argmax(a, axis=None, out=None):
    """Index (int64) of the first maximum along ``axis``; None: in the flattened
    array, a zero-dim result."""
    return _arg("argmax", a, axis, out)


def argmin(a, axis=None, out=None):
    """Index (int64) of the first minimum along ``axis`` (None: flattened)."""
    return _arg("argmin", a, axis, out)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Variance ``mean((a - mean(a))**2) * n / (n - ddof)`` over ``axis``."""
    centred = a - mean(a, axis, dtype, keepdims=True)
    v = mean(centred * centred, axis, dtype, keepdims=keepdims)
    if ddof:
        n = int(_np.prod([a.shape[i] for i in _axes(axis, a.ndim)]))
        v = v * (n / (n - ddof) if n > ddof else _np.inf)
    if out is not None:
        out[...] = v
        return out
    return v


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Standard deviation: the square root of ``var``."""
    s = _nd.sqrt(var(a, axis, dtype, None, ddof, keepdims))
    if out is not None:
        out[...] = s
        return out
    return s


def cumsum(a, axis=None, dtype=None, out=None):
    """Running sum along ``axis`` (None: of the flattened array).

    Written as a product with an upper-triangular matrix of ones,
    ``y[..., j] = sum_i x[..., i] * U[i, j]`` with ``U[i, j] = 1 if i <= j``: one
    ``dot``, so no new operator (and its gradient, the reversed running sum, is
    ``dot``'s).  O(n^2) work along the axis: fine for teaching-sized arrays."""
    from .creation import array
    from .manipulation import moveaxis
    if dtype is not None:
        a = a.astype(dtype)
    if axis is None:
        a, axis = a.reshape(-1), 0
    n = a.shape[axis]
    upper = array(_np.triu(_np.ones((n, n))), dtype=a.dtype, ctx=a.context)
    y = moveaxis(_nd.dot(moveaxis(a, axis, -1), upper), -1, axis)
    if out is not None:
        out[...] = y
        return out
    return y
