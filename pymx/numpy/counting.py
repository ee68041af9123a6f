"""Finding, counting and looking up in ``mx.np`` arrays: ``nonzero``, ``unique``,
``bincount``, ``histogram``, ``take``, ``unravel_index`` and ``polyval``.

The results of ``nonzero``, ``unique`` and ``bincount`` have data-dependent shapes,
which no operator of a static graph can produce: as in MXNet 1.9.1 they are computed
on the host and have no gradient.  Indices come back as **int64**.  ``take`` and
``polyval`` are compositions of operators and differentiable.
"""
import numpy as _np

from ..base import MXNetError
from ..ndarray import op as _nd
from .creation import array, asarray

__all__ = ["nonzero", "unique", "bincount", "histogram", "take", "unravel_index",
           "polyval"]


def _host_result(x, like, dtype=None):
    return array(_np.ascontiguousarray(x), dtype=x.dtype if dtype is None else dtype,
                 ctx=like.context)


def nonzero(a):
    """A tuple with one int64 index array per axis: the positions of the non-zero
    elements, in C order (``a[nonzero(a)]`` selects them)."""
    a = asarray(a)
    return tuple(_host_result(i, a, _np.int64) for i in _np.nonzero(a.asnumpy()))


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None):
    """The sorted unique elements (of the flattened array, or the unique slices along
    ``axis``); optionally also the first positions, the inverse mapping and the counts
    (int64 arrays)."""
    ar = asarray(ar)
    res = _np.unique(ar.asnumpy(), return_index=return_index,
                     return_inverse=return_inverse, return_counts=return_counts, axis=axis)
    if not isinstance(res, tuple):
        return _host_result(res, ar)
    values, extras = res[0], res[1:]
    if return_inverse and axis is None:           # NumPy 2 keeps the input's shape
        pos = 1 if return_index else 0
        extras = list(extras)
        extras[pos] = extras[pos].reshape(-1)
    return (_host_result(values, ar),) + tuple(_host_result(e, ar, _np.int64)
                                               for e in extras)


def bincount(x, weights=None, minlength=0):
    """How often each value ``0, 1, ..., max(x)`` occurs in the non-negative integer
    vector ``x`` (int64), or the sum of ``weights`` per value; at least ``minlength``
    bins."""
    x = asarray(x)
    if x.ndim != 1 or x.dtype.kind not in "iu":
        raise TypeError(f"bincount: input must be a 1-D array of non-negative integers, "
                        f"got shape {x.shape} of {x.dtype}")
    if minlength < 0:
        raise ValueError("bincount: minlength must be non-negative")
    xs = x.asnumpy()
    if xs.size and xs.min() < 0:
        raise ValueError("bincount: input array should not contain negative values")
    if weights is None:
        return _host_result(_np.bincount(xs, minlength=minlength), x, _np.int64)
    w = asarray(weights)
    return _host_result(_np.bincount(xs, w.asnumpy(), minlength=minlength), x, w.dtype)


def histogram(a, bins=10, range=None, normed=None, weights=None, density=None):  # noqa: A002
    """``[counts, edges]`` (a list, as MXNet): ``bins`` equal bins over ``range``
    (default: the data's min and max) or the given edges; the last bin includes its
    right edge.  The counts are int64, the edges have ``a``'s dtype (computed as
    NumPy, then cast)."""
    a = asarray(a)
    if normed or density or weights is not None:
        raise NotImplementedError("histogram: normed, density and weights are not "
                                  "supported (as MXNet 1.9.1)")
    edges = bins.asnumpy() if hasattr(bins, "asnumpy") else bins
    counts, edges = _np.histogram(a.asnumpy(), bins=edges, range=range)
    return [_host_result(counts, a, _np.int64), _host_result(edges, a, a.dtype)]  # a list


def take(a, indices, axis=None, mode="raise", out=None):
    """Elements of ``a`` at ``indices`` along ``axis`` (None: of the flattened array);
    the result has shape ``a.shape[:axis] + indices.shape + a.shape[axis+1:]``.
    ``mode``: 'raise' (an out-of-range index is an MXNetError), 'clip' or 'wrap'
    (another mode: NotImplementedError, as MXNet).
    The gradient scatter-adds into the taken positions."""
    a = asarray(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    idx = asarray(indices, dtype=_np.int64 if not hasattr(indices, "dtype") else None,
                  ctx=a.context)
    n = a.shape[axis]
    if mode == "raise":
        host = idx.asnumpy()
        if host.size and (host.min() < -n or host.max() >= n):
            raise MXNetError(f"take: index {host.tolist()} is out of bounds for axis "
                             f"{axis} with size {n}")
        idx, mode = array(host % max(n, 1), dtype=_np.int64, ctx=a.context), "clip"
    elif mode not in ("clip", "wrap"):
        raise NotImplementedError(f"function take does not support mode {mode!r}")
    result = _nd.take(a, idx, axis=axis, mode=mode)
    if out is not None:
        out[...] = result
        return out
    return result


def unravel_index(indices, shape, order="C"):
    """The coordinates (a tuple of int64 arrays, or of ints for an int) of flat
    ``indices`` in an array of ``shape``."""
    if order != "C":
        raise NotImplementedError("unravel_index: only order='C' is supported")
    if isinstance(indices, (int, _np.integer)):
        return tuple(int(i) for i in _np.unravel_index(indices, shape))
    idx = asarray(indices)
    coords = _np.unravel_index(idx.asnumpy().astype(_np.int64), shape)
    return tuple(_host_result(c, idx, _np.int64) for c in coords)


def polyval(p, x):
    """The polynomial with coefficients ``p`` (highest power first) at ``x``, by
    Horner's rule ``((p0 x + p1) x + p2) ...``; ``x`` may be an array."""
    p, x = asarray(p), asarray(x)
    if p.ndim != 1:
        raise ValueError(f"polyval: p must be 1-D, got shape {p.shape}")
    y = x * 0 + p[0]
    for i in range(1, p.shape[0]):
        y = y * x + p[i]
    return y
