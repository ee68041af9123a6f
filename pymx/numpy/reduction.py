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

from ..base import MXNetError
from ..ndarray import op as _nd
from ..ndarray.indexing import _reshape_exact

__all__ = ["sum", "mean", "prod", "max", "min", "argmax", "argmin", "std", "var",
           "cumsum", "amax", "amin", "product", "all", "any", "sometrue", "average",
           "percentile", "quantile"]


def _axes(axis, ndim):
    """The reduced axes as a tuple of non-negative ints (None: all)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for ax in axes:
        if not -ndim <= ax < (ndim or 1):
            raise MXNetError(f"axis {ax} is out of bounds for array of dimension {ndim}")
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
    if a.size == 0 and op in ("mean", "prod"):    # MXNet 1.9.1: 0, not NaN or 1
        from .creation import zeros
        shape = tuple(1 if i in axes else d for i, d in enumerate(a.shape)) if keepdims \
            else tuple(d for i, d in enumerate(a.shape) if i not in axes)
        return _finish(zeros(shape, dtype=a.dtype, ctx=a.context), a, (), True, out)
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
        raise MXNetError(f"{op}: axis must be an int or None, got {axis!r}")
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
    """Variance ``mean((a - mean(a))**2) * n / (n - ddof)`` over ``axis``.  MXNet 1.9.1
    keeps an integer input's dtype (the variance truncated: ``var([1, 2])`` is 0) and
    refuses bool input (MXNetError)."""
    if a.dtype.kind == "b":
        raise MXNetError("var/std: bool input is not supported")
    if dtype is None and a.dtype.kind in "iu":
        return _finish(var(a.astype(_np.float64), axis, None, None, ddof,
                           keepdims).astype(a.dtype), a, (), True, out)
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
    """Standard deviation: the square root of ``var`` (integer input: truncated, in
    its dtype, as MXNet 1.9.1)."""
    if dtype is None and a.dtype.kind in "iu":
        s = std(a.astype(_np.float64), axis, None, None, ddof, keepdims).astype(a.dtype)
        return _finish(s, a, (), True, out)
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
    if dtype is None and a.dtype == _np.bool_:
        dtype = _np.int64                           # MXNet: a bool running sum counts
    if dtype is not None:
        a = a.astype(dtype)
    if axis is None:
        a, axis = a.reshape(-1), 0
    _axes(axis, a.ndim)                                  # out of range: MXNetError
    n = a.shape[axis]
    # ``dot`` takes floats only: integers are summed in float64 (exact below 2**53)
    work = a.dtype if a.dtype.kind == "f" else _np.dtype(_np.float64)
    upper = array(_np.triu(_np.ones((n, n))), dtype=work, ctx=a.context)
    y = moveaxis(_nd.dot(moveaxis(a.astype(work, copy=False), axis, -1), upper), -1, axis)
    y = y.astype(a.dtype, copy=False)
    if out is not None:
        out[...] = y
        return out
    return y


amax, amin, product = max, min, prod


def _truth(op, a, axis, out, keepdims):
    """``all`` (op 'min') or ``any`` (op 'max') of ``a != 0``, as a bool array."""
    from .creation import asarray
    from .elementwise import binary
    a = asarray(a)
    nonzero = binary("not_equal", a, 0).astype(_np.int32)
    if a.size == 0:
        axes = _axes(axis, a.ndim)
        shape = tuple(1 if i in axes else d for i, d in enumerate(a.shape)) if keepdims \
            else tuple(d for i, d in enumerate(a.shape) if i not in axes)
        from .creation import full
        return _finish(full(shape, op == "min", dtype=_np.bool_, ctx=a.context), a,
                       (), True, out)
    return _finish(_reduce(op, nonzero, axis, None, None, keepdims).astype(_np.bool_), a,
                   (), True, out)


def all(a, axis=None, out=None, keepdims=False):  # noqa: A001 (NumPy's name)
    """True (a bool array; zero-dim for ``axis=None``) where every element along
    ``axis`` is non-zero; True for an empty reduction."""
    return _truth("min", a, axis, out, keepdims)


def any(a, axis=None, out=None, keepdims=False):  # noqa: A001 (NumPy's name)
    """True where some element along ``axis`` is non-zero; False for an empty one."""
    return _truth("max", a, axis, out, keepdims)


sometrue = any


def average(a, axis=None, weights=None, returned=False, out=None):
    """The weighted mean ``sum(a * w) / sum(w)`` along ``axis`` (``weights=None``:
    ``mean``).  1-D ``weights`` of the axis' length apply along ``axis``; otherwise
    they must have ``a``'s shape.  ``returned=True`` also gives ``sum(w)`` (for 1-D
    weights a zero-dim sum, as MXNet 1.9.1).  Integer input without weights keeps its
    dtype (the mean truncated, as MXNet).  Differentiable in ``a`` and ``weights``."""
    from .creation import asarray
    from .elementwise import binary
    if a.dtype.kind in "biu" and weights is None:
        avg = average(a.astype(_np.float32), axis, None, returned)
        return (avg[0].astype(a.dtype), avg[1]) if returned else avg.astype(a.dtype)
    if a.dtype.kind in "biu":
        a = a.astype(_np.float32)
    if weights is None:
        avg = mean(a, axis)
        n = a.size if axis is None else _np.prod([a.shape[i] for i in _axes(axis, a.ndim)])
        result = (avg, asarray(_np.full(avg.shape, n, dtype=a.dtype), ctx=a.context)) \
            if returned else avg
    else:
        w = asarray(weights, dtype=a.dtype if weights.dtype.kind in "biu" else None)
        if w.shape != a.shape:
            if axis is None:
                raise TypeError("average: Axis must be specified when shapes of a and "
                                f"weights differ ({a.shape} and {w.shape})")
            if w.ndim != 1 or w.shape[0] != a.shape[axis]:
                raise ValueError(f"average: 1-D weights need the length of axis {axis} of "
                                 f"{a.shape}, got shape {w.shape}")
            view = [1] * a.ndim
            view[axis] = w.shape[0]
            w1 = w
            w = _nd.broadcast_to(_reshape_exact(w, tuple(view)), shape=a.shape)
        scl = sum(w, axis)
        if returned and w.shape != getattr(weights, "shape", None):
            scl, avg = sum(w1), binary("true_divide", sum(binary("multiply", a, w), axis),
                                       scl)
            return avg, scl
        avg = binary("true_divide", sum(binary("multiply", a, w), axis), scl)
        result = (avg, scl) if returned else avg
    if out is not None:
        out[...] = result[0] if returned else result
    return result


def percentile(a, q, axis=None, out=None, overwrite_input=None, interpolation="linear",
               keepdims=False):
    """The ``q``-th percentiles (0..100) of ``a`` along ``axis``: sorted values
    interpolated at position ``q / 100 * (n - 1)`` (``interpolation``: 'linear',
    'lower', 'higher', 'midpoint', 'nearest').  Computed on the host (as MXNet: no
    gradient); the result has ``a``'s float dtype (float32 for integers)."""
    from .creation import array
    if overwrite_input is not None:
        raise NotImplementedError("percentile: overwrite_input is not supported (as MXNet)")
    qs = q.asnumpy() if hasattr(q, "asnumpy") else _np.asarray(q)
    if _np.any(qs < 0) or _np.any(qs > 100):
        raise ValueError("percentile: Percentiles must be in the range [0, 100]")
    y = _np.percentile(a.asnumpy(), qs, axis=axis, method=interpolation, keepdims=keepdims)
    dtype = a.dtype if a.dtype.kind == "f" else _np.float32
    y = array(_np.asarray(y), dtype=dtype, ctx=a.context)
    if out is not None:
        out[...] = y
        return out
    return y


def quantile(a, q, axis=None, out=None, overwrite_input=None, interpolation="linear",
             keepdims=False):
    """``percentile(a, 100 * q, ...)``: ``q`` in 0..1."""
    qs = q.asnumpy() if hasattr(q, "asnumpy") else _np.asarray(q, dtype=_np.float64)
    if _np.any(qs < 0) or _np.any(qs > 1):
        raise ValueError("quantile: Quantiles must be in the range [0, 1]")
    return percentile(a, qs * 100, axis, out, overwrite_input, interpolation, keepdims)
