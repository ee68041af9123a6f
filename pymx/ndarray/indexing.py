"""``x[key]`` and ``x[key] = value`` for NDArray, with MXNet 1.x semantics.

Reading (``getitem``):

* **Basic keys** (ints, slices, ``...``, ``None`` and tuples of them) select a box.
  When the box is one contiguous run of memory, the result is a **view** that shares
  memory with ``x`` (``x[1]``, ``x[1:3]``, ``x[1, 2]``); otherwise it is a copy made by
  the ``slice`` op (``x[:, 1]``, ``x[::-1]``).  The rule, from MXNet: reading axes from
  the right, once an axis selects a proper subset, every axis to its left must select
  exactly one index.
* Indexing down to one element gives **shape (1,)**, not ``()`` (legacy semantics), so
  ``x[1, 2].asscalar()`` works.
* **Advanced keys** (lists, NumPy int arrays, NDArrays, possibly mixed with basic
  entries) follow NumPy's rules and return a copy.  The positions are computed on the
  host as flat indices and gathered with the ``_gather_flat`` op, whose gradient
  scatter-adds (so ``x[[0, 0, 2]]`` accumulates into row 0).  Boolean masks are not
  supported (MXNet 1.9.1 silently treats a NumPy bool array as the integers 0/1; pymx
  raises instead).
* With ``numpy=True`` (how ``mx.np.ndarray`` calls these functions) the NumPy rules
  hold instead: one element gives shape ``()``, and a boolean mask ``x[x > 0]``
  selects the elements where it is true (it is turned into the integer arrays of
  ``numpy.nonzero(mask)``, so the same gather and gradient serve both).

Under ``autograd.record()`` a view is recorded as ``slice`` followed by ``Reshape``
(what MXNet records), so gradients flow through ``x[1:3]`` as through any op.

Writing (``setitem``): the value (a number, NDArray, NumPy array or nested list) is
cast to ``x``'s dtype and broadcast to the selected region, then written **into x's
buffer**, so views stay views and writing through a view changes its parent.
``None`` entries in the key are ignored.  Under ``autograd.record()``, when ``x`` or the
value is part of the graph, basic assignment is recorded as ``_slice_assign`` /
``_slice_assign_scalar`` with ``out=x`` (MXNet's ops for this).  Overlapping writes
such as ``a[1:] = a[:-1]`` follow NumPy (MXNet 1.9.1 copies element by element and
smears ``a[0]``).
"""
import numpy as np

from ..base import FLAGS, MXNetError
from ..ops.util import scalar_for
from .ndarray import NDArray, array
from .register import record_view

__all__ = ["getitem", "setitem"]


def _op(name, *args, **kwargs):
    from . import op
    return getattr(op, name)(*args, **kwargs)


# ---- parsing a key ----------------------------------------------------------------------
def _index_array(k, numpy=False):
    """An int64 NumPy array from a list / NumPy array / NDArray index (or an error);
    with ``numpy`` a boolean mask gives a tuple of them (``numpy.nonzero``)."""
    if numpy:
        arr = k.asnumpy() if isinstance(k, NDArray) else np.asarray(k)
        if arr.dtype == np.bool_:
            return np.nonzero(arr)
    if isinstance(k, NDArray):
        if k.dtype == np.bool_:     # MXNet 1.9.1 raises ValueError here too
            raise ValueError("NDArray indexing with a boolean mask is not supported in "
                             "pymx (MXNet 1.x legacy NDArray); use integer indices")
        return k.asnumpy().astype(np.int64)
    arr = np.asarray(k)
    if arr.dtype == np.bool_:
        raise MXNetError("NDArray indexing with a boolean mask is not supported in pymx "
                         "(MXNet 1.x legacy NDArray); use integer indices, e.g. "
                         "np.nonzero(mask)")
    if arr.size == 0:
        return arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"NDArray does not support indexing with key {k!r}")
    return arr.astype(np.int64)


def _parse(key, ndim, numpy=False):
    """Split ``key`` into a list of entries: int, slice, None or an int64 array; the
    Ellipsis is expanded into full slices.  Returns (entries, has_arrays)."""
    if not isinstance(key, tuple):
        key = (key,)
    items, arrays = [], False
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, slice):
            items.append(k)
        elif isinstance(k, (bool, np.bool_)):
            if numpy:
                raise MXNetError("NDArray indexing with a boolean is not supported in pymx")
            items.append(int(k))      # legacy NDArray: True is the integer 1 (as MXNet)
        elif isinstance(k, (int, np.integer)):
            items.append(int(k))
        elif isinstance(k, (NDArray, np.ndarray, list, range)):
            index = _index_array(k, numpy)
            items.extend(index if isinstance(index, tuple) else [index])
            arrays = True
        else:
            raise ValueError(f"NDArray does not support indexing with key {k!r} of type "
                             f"{type(k).__name__}")
    if sum(k is Ellipsis for k in items) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(k is not None and k is not Ellipsis for k in items)
    if used > ndim:
        raise IndexError(f"too many indices ({used}) for array with {ndim} dimensions")
    for i, k in enumerate(items):
        if k is Ellipsis:
            items[i:i + 1] = [slice(None)] * (ndim - used)
            break
    return items, arrays


class _Box:
    """A basic key resolved against a shape: one ``range`` per axis of ``x``."""

    def __init__(self, items, shape):
        self.ranges = []       # one range per axis of x
        self.final = []        # the result's shape (ints dropped, None -> 1)
        self.region = []       # the selected region as NumPy sees it (no None axes)
        axis = 0
        for k in items:
            if k is None:
                self.final.append(1)
                continue
            n = shape[axis]
            if isinstance(k, int):
                if not -n <= k < n:
                    raise IndexError(f"index {k} is out of bounds for axis {axis} with "
                                     f"size {n}")
                k %= n
                r = range(k, k + 1)
            else:
                r = range(*k.indices(n))
                if len(r) == 0:
                    r = range(0, 0)
                self.final.append(len(r))
                self.region.append(len(r))
            self.ranges.append(r)
            axis += 1
        for n in shape[axis:]:
            self.ranges.append(range(n))
            self.final.append(n)
            self.region.append(n)
        self.final, self.region = tuple(self.final), tuple(self.region)
        self.box = tuple(len(r) for r in self.ranges)     # ints kept as size 1

    def key(self):
        """Python slices (each int became i:i+1)."""
        return tuple(slice(r.start, r.stop if r.stop >= 0 else None, r.step)
                     for r in self.ranges)

    def attrs(self):
        """begin/end/step attributes of the ``slice`` op for this box."""
        begin = tuple(r.start for r in self.ranges)
        end = tuple(r.stop if r.stop >= 0 else None for r in self.ranges)
        steps = tuple(r.step for r in self.ranges)
        return dict(begin=begin, end=end, step=() if all(s == 1 for s in steps) else steps)

    def is_contiguous(self, shape):
        """MXNet's rule: from the right, after the first axis that selects a proper
        subset, every axis must select exactly one index."""
        subset = False
        for r, n in zip(reversed(self.ranges), reversed(shape)):
            if len(r) != 1 and (subset or r.step != 1):
                return False
            if len(r) != n:
                subset = True
        return True


def _reshape_exact(x, shape):
    """A view of ``x`` with ``shape`` (no special codes), recorded as ``Reshape``."""
    if x.shape == tuple(shape):
        return x
    data = x._ctx.backend.reshape(x._data, tuple(shape))
    return record_view("Reshape", x, data, shape=tuple(shape))


def _flat_positions(shape, items):
    """Flat (C-order) positions of the elements NumPy's ``a[key]`` selects, in the
    result's layout: the sum over axes j of ``index_j * stride_j``, where each term is
    read through the key from a broadcast (copy-free) view."""
    np_key = tuple(items)
    strides = [int(np.prod(shape[j + 1:], dtype=np.int64)) for j in range(len(shape))]
    total = None
    for j, n in enumerate(shape):
        axis_pos = np.arange(n, dtype=np.int64) * strides[j]
        view = np.broadcast_to(axis_pos.reshape((n,) + (1,) * (len(shape) - j - 1)), shape)
        part = view[np_key]
        total = part if total is None else total + part
    if total is None:                                   # 0-d x
        raise IndexError("advanced indexing of a 0-d NDArray is not supported")
    return np.asarray(total, dtype=np.int64)


# ---- reading ----------------------------------------------------------------------------
def getitem(x, key, numpy=False):
    """``x[key]``: a view for contiguous basic keys, else a copy (module docstring).
    ``numpy``: NumPy's rules (0-d results, boolean masks)."""
    items, arrays = _parse(key, x.ndim, numpy)
    if arrays:
        flat = _flat_positions(x.shape, items)
        shape = flat.shape
        idx = array(flat.reshape(-1) if flat.ndim == 0 else flat, ctx=x._ctx,
                    dtype=np.int64)
        out = _op("_gather_flat", x, idx)
        return _reshape_exact(out, shape) if numpy else out
    box = _Box(items, x.shape)
    if box.is_contiguous(x.shape):
        data = x._ctx.backend.getitem(x._data, box.key())
        out = record_view("slice", x, data, **box.attrs())
    else:
        out = _op("slice", x, **box.attrs())
    return _reshape_exact(out, box.final if numpy else box.final or (1,))


# ---- writing ----------------------------------------------------------------------------
def _fit(vshape, target):
    """``vshape`` as it broadcasts to ``target`` (leading 1s trimmed or added), or None."""
    vs = tuple(vshape)
    while len(vs) > len(target) and vs[0] == 1:
        vs = vs[1:]
    if len(vs) > len(target):
        return None
    vs = (1,) * (len(target) - len(vs)) + vs
    if all(a == b or a == 1 for a, b in zip(vs, target)):
        return vs
    return None


def _value_array(x, value, region, with_none):
    """``value`` as an NDArray of x's dtype and context with shape ``region``.

    It may broadcast to the region, or to the shape the read ``x[key]`` would have had
    with its ``None`` axes (MXNet squeezes those, since ``None`` is ignored in writes).
    """
    if isinstance(value, NDArray):
        v = value.as_in_context(x._ctx)
        if v.dtype != x.dtype:
            v = v.astype(x.dtype)
    else:
        try:
            v = array(value, ctx=x._ctx, dtype=x.dtype)
        except (TypeError, ValueError):
            raise TypeError(f"NDArray does not support assignment with non-array-like "
                            f"object {value!r} of type {type(value).__name__}") from None
    for target in (region, with_none):
        fitted = _fit(v.shape, target)
        if fitted is not None:
            break
    else:
        raise ValueError(f"cannot broadcast the value of shape {v.shape} to the indexed "
                         f"region of shape {region}")
    if int(np.prod(target)) == 0:
        return None                                    # nothing to write
    v = _reshape_exact(v, fitted)
    if fitted != tuple(target):
        v = _op("broadcast_to", v, shape=target)
    return _reshape_exact(v, region)


def _in_graph(x, value):
    return FLAGS.recording and (x._node is not None or (
        isinstance(value, NDArray) and value._node is not None))


def setitem(x, key, value, numpy=False):
    """``x[key] = value``, written in place into ``x``'s buffer (module docstring).
    ``numpy``: boolean masks are allowed."""
    items, arrays = _parse(key, x.ndim, numpy)
    k = x._ctx.backend
    scalar = isinstance(value, (int, float, bool, np.number, np.bool_))
    if arrays:
        keep = [i for i in items if i is not None]
        flat = _flat_positions(x.shape, keep)
        region = tuple(flat.shape)
        with_none = tuple(_flat_positions(x.shape, items).shape)
        if _in_graph(x, value):
            raise MXNetError("NDArray: assignment with advanced (list/array) indices is "
                             "not differentiable in pymx; do it outside "
                             "autograd.record() or use basic indices")
        native_key = tuple(k.from_numpy(i) if isinstance(i, np.ndarray) else i
                           for i in keep)
        if scalar:
            k.setitem(x._data, native_key, scalar_for(x._data.dtype, value))
            return
        v = _value_array(x, value, region, with_none)
        if v is not None:
            k.setitem(x._data, native_key, v._data)
        return
    box = _Box([i for i in items if i is not None], x.shape)
    with_none = _Box(items, x.shape).final
    if scalar:
        if _in_graph(x, value):
            _op("_slice_assign_scalar", x, scalar=float(value), out=x, **box.attrs())
        else:
            k.setitem(x._data, box.key(), scalar_for(x._data.dtype, value))
        return
    v = _value_array(x, value, box.region, with_none)
    if v is None:
        return
    if _in_graph(x, v):
        _op("_slice_assign", x, _reshape_exact(v, box.box), out=x, **box.attrs())
    else:
        k.setitem(x._data, box.key(), k.reshape(v._data, box.box))
