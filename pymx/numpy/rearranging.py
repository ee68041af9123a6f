"""Rearranging and differencing ``mx.np`` arrays: ``flip``/``fliplr``/``flipud``,
``roll``, ``rot90``, ``pad``, ``resize``, ``diff`` and ``ediff1d``.

All are compositions of differentiable legacy operators:

* ``flip`` is ``reverse``; ``rot90`` is a flip and a transpose;
* ``roll``, ``resize`` and the non-constant ``pad`` modes are **gathers**
  (``take``) with an index vector computed on the host: ``roll`` by ``s`` takes
  ``(i - s) mod n``, ``pad(mode='reflect')`` takes NumPy's own ``pad`` of
  ``arange(n)``, so the gradient of each output element goes back to its source;
* ``diff`` subtracts two shifted slices (``slice_axis``) ``n`` times.
"""
import numpy as _np

from ..ndarray import op as _nd
from .creation import array, asarray, full
from .elementwise import binary
from .manipulation import concatenate, transpose
from .reduction import _axes

__all__ = ["flip", "fliplr", "flipud", "roll", "rot90", "pad", "resize", "diff",
           "ediff1d"]


def flip(m, axis=None, out=None):
    """Reverse the order of the elements along ``axis`` (an int, a tuple, or None for
    every axis).  The gradient is the head gradient flipped back."""
    m = asarray(m)
    axes = _axes(axis, m.ndim)
    result = _nd.reverse(m, axis=axes) if axes and m.ndim else m.copy()
    if out is not None:
        out[...] = result
        return out
    return result


def fliplr(m):
    """Flip left and right: ``flip(m, axis=1)`` (needs 2 or more dimensions)."""
    if m.ndim < 2:
        raise ValueError(f"fliplr: Input must be >= 2-d, got shape {m.shape}")
    return flip(m, 1)


def flipud(m):
    """Flip up and down: ``flip(m, axis=0)`` (needs 1 or more dimensions)."""
    if m.ndim < 1:
        raise ValueError("flipud: Input must be >= 1-d.")
    return flip(m, 0)


def _gather(a, index, axis):
    return _nd.take(a, array(index, dtype=_np.int64, ctx=a.context), axis=axis)


def roll(a, shift, axis=None):
    """Shift the elements by ``shift`` places along ``axis`` (ints or tuples of the
    same length; None: the flattened array, then the shape is restored); elements
    that fall off one end come back at the other."""
    if axis is None:
        return roll(a.reshape(-1), shift, 0).reshape(a.shape)
    shifts = (shift,) if isinstance(shift, (int, _np.integer)) else tuple(shift)
    axes = (axis,) if isinstance(axis, (int, _np.integer)) else tuple(axis)
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    if len(axes) == 1 and len(shifts) > 1:
        axes = axes * len(shifts)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: shift and axis must have the same length, got {shift} "
                         f"and {axis}")
    for s, ax in zip(shifts, axes):
        n = a.shape[ax]
        if n:
            a = _gather(a, (_np.arange(n) - s) % n, ax % a.ndim)
    return a


def rot90(m, k=1, axes=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``axes``, from the first axis
    towards the second (counter-clockwise for a matrix shown with rows down)."""
    axes = tuple(axes)
    if len(axes) != 2 or axes[0] % m.ndim == axes[1] % m.ndim:
        raise ValueError(f"rot90: axes must be two different axes, got {axes}")
    k %= 4
    if k == 0:
        return m.copy()
    if k == 2:
        return flip(m, axes)
    order = list(range(m.ndim))
    order[axes[0]], order[axes[1]] = order[axes[1]], order[axes[0]]
    if k == 1:
        return transpose(flip(m, axes[1]), order)
    return flip(transpose(m, order), axes[1])


def _pad_widths(pad_width, ndim):
    w = _np.asarray(pad_width, dtype=_np.int64)
    try:
        w = _np.broadcast_to(w, (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width} cannot be broadcast to ({ndim}, 2)") \
            from None
    if _np.any(w < 0):
        raise ValueError(f"pad: index can't contain negative values, got {pad_width}")
    return w


def pad(x, pad_width, mode="constant", **kwargs):
    """Pad every axis ``i`` with ``pad_width[i] = (before, after)`` elements (one pair
    or one number broadcasts to all axes).  Modes: 'constant' (``constant_values``,
    default 0), 'edge', 'reflect', 'symmetric', 'maximum', 'minimum'.  Differentiable
    in ``x``."""
    widths = _pad_widths(pad_width, x.ndim)
    for ax in range(x.ndim):
        before, after = (int(v) for v in widths[ax])
        if not before and not after:
            continue
        n = x.shape[ax]
        if mode == "constant":
            value = kwargs.get("constant_values", 0)
            parts = []
            for size in (before, after):
                shape = x.shape[:ax] + (size,) + x.shape[ax + 1:]
                parts.append(full(shape, value, dtype=x.dtype, ctx=x.context))
            x = concatenate([parts[0], x, parts[1]], axis=ax)
        elif mode in ("edge", "reflect", "symmetric"):
            x = _gather(x, _np.pad(_np.arange(n), (before, after), mode=mode), ax)
        elif mode in ("maximum", "minimum"):
            stat = getattr(_nd, mode[:3])(x, axis=ax, keepdims=True)
            x = concatenate([_nd.repeat(stat, repeats=before, axis=ax), x,
                             _nd.repeat(stat, repeats=after, axis=ax)], axis=ax)
        else:
            raise ValueError(f"pad: mode {mode!r} is not supported (constant, edge, "
                             "reflect, symmetric, maximum, minimum)")
    return x


def resize(a, new_shape):
    """An array of ``new_shape`` filled with ``a``'s elements (flattened) repeated
    cyclically; an empty ``a`` gives zeros."""
    shape = (new_shape,) if isinstance(new_shape, (int, _np.integer)) else tuple(new_shape)
    size = int(_np.prod(shape))
    if a.size == 0:
        return full(shape, 0, dtype=a.dtype, ctx=a.context)
    return _gather(a.reshape(-1), _np.arange(size) % a.size, 0).reshape(shape)


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """The ``n``-th discrete difference along ``axis``: ``out[i] = a[i + 1] - a[i]``,
    applied ``n`` times; ``prepend``/``append`` are joined to ``a`` first.  A bool
    array differs by ``!=``."""
    if n < 0:
        raise ValueError(f"diff: order must be non-negative but got {n}")
    a = asarray(a)
    axis %= a.ndim
    extra = []
    for v in (prepend, append):
        if v is None:
            extra.append(None)
            continue
        v = asarray(v, dtype=a.dtype, ctx=a.context)
        if v.ndim == 0:
            v = full(a.shape[:axis] + (1,) + a.shape[axis + 1:], v.item(), dtype=a.dtype,
                     ctx=a.context)
        extra.append(v)
    a = concatenate([v for v in (extra[0], a, extra[1]) if v is not None], axis=axis)
    for _ in range(n):
        m = a.shape[axis]
        if m == 0:
            break
        hi = _nd.slice_axis(a, axis=axis, begin=1, end=m)
        lo = _nd.slice_axis(a, axis=axis, begin=0, end=m - 1)
        a = binary("not_equal", hi, lo) if a.dtype == _np.bool_ else hi - lo
    return a


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of consecutive elements of the flattened array, with ``to_begin``
    and ``to_end`` joined at the ends."""
    ary = asarray(ary).reshape(-1)
    parts = [diff(ary)]
    if to_begin is not None:
        parts.insert(0, asarray(to_begin, dtype=ary.dtype, ctx=ary.context).reshape(-1))
    if to_end is not None:
        parts.append(asarray(to_end, dtype=ary.dtype, ctx=ary.context).reshape(-1))
    return concatenate(parts, axis=0)
