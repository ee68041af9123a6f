"""Indexing operators: ``take``, ``batch_take``, ``pick``, ``one_hot``, ``gather_nd``,
``scatter_nd``, ``where``, ``topk``, ``sort``, ``argsort``, ``ravel_multi_index`` and
``unravel_index``, with the backward ops their gradients use (``_backward_take``,
``_backward_pick``, ``_backward_gather_nd``).

Two ideas carry every op here:

* **Index normalisation.**  MXNet stores indices as floats (``float32`` by default), so
  an index array is first turned into ``int64`` by truncating toward zero (``2.7 -> 2``,
  ``-1.5 -> -1``), then made valid for an axis of length ``n`` by the ``mode``:
  ``clip`` to ``[0, n - 1]``, ``wrap`` modulo ``n``, or ``raise`` an error.
* **Flat positions.**  Picking along one axis, gathering by rows of coordinates, and
  their adjoints all become one 1-D ``take`` (or ``scatter_add``) on the flattened
  array once each index is turned into a position of ``data.reshape(-1)``:
  ``flat = base + index * stride[axis]``, where ``base`` (the offset of each position
  with the indexed axis set to 0) depends only on shapes, so it is built on the host.

The adjoint of a gather is a scatter-add of the output gradient into zeros of the
input's shape (repeated indices accumulate), so every gradient here is one
``scatter_add`` kernel.
"""
import numpy as np

from ..base import MXNetError
from .registry import Param, register
from .util import is_integer, normalize_axis


class IndexOutOfBounds(MXNetError, IndexError):
    """An index outside its axis (MXNet raises ``IndexError`` in gather_nd); it is
    both an ``MXNetError`` and an ``IndexError``."""


def _prod(shape):
    out = 1
    for d in shape:
        out *= int(d)
    return out


def _to_int(k, idx):
    """Indices as int64, truncating floats toward zero (MXNet's cast)."""
    return idx if np.dtype(idx.dtype) == np.int64 else k.astype(idx, "int64")


def _normalize(k, op, idx, n, mode):
    """int64 indices valid for an axis of length ``n`` under ``mode``."""
    clipped = mode == "clip" and not is_integer(idx.dtype)
    if clipped:
        idx = k.clip(idx, 0.0, float(max(n - 1, 0)))      # clip first: no int overflow
    idx = _to_int(k, idx)
    if _prod(idx.shape) and n == 0:
        raise MXNetError(f"{op}: cannot index an axis of length 0")
    if mode == "clip":
        return idx if clipped else k.clip(idx, 0, max(n - 1, 0))
    if mode == "wrap":
        return k.binary("mod", idx, n) if n else idx
    if _prod(idx.shape):                                      # mode == 'raise'
        lo = int(k.to_numpy(k.reduce("min", idx, tuple(range(len(idx.shape))), False)))
        hi = int(k.to_numpy(k.reduce("max", idx, tuple(range(len(idx.shape))), False)))
        if lo < 0 or hi >= n:
            raise MXNetError(f"{op}: indices out of bound: found {lo if lo < 0 else hi} "
                             f"for an axis of length {n} (mode='raise')")
    return idx


def _lines(k, idx, shape, axis):
    """``idx`` reshaped to ``shape`` with ``shape[axis]`` replaced by the number of
    positions per line (by size, so ``pick``'s index without the axis works too)."""
    n = shape[axis]
    rest = _prod(shape) // n if n else _prod(shape[:axis] + shape[axis + 1:])
    length = _prod(idx.shape) // rest if rest else 0
    return k.reshape(idx, tuple(shape[:axis]) + (length,) + tuple(shape[axis + 1:]))


def _no_grad(n):
    """The gradient of an op whose inputs are indices or selectors: zeros."""
    return lambda F, a, xs, ys, dys: [F.zeros_like(x) for x in xs[:n]] + [None] * (len(xs) - n)


_MODE = Param("str", "clip", choices=("clip", "raise", "wrap"),
              doc="Out-of-range indices: clip to the range, wrap around, or raise.")


# ---- take -------------------------------------------------------------------------------
def _take(k, a, x, indices):
    axis = normalize_axis("take", a.axis, len(x.shape))
    idx = _normalize(k, "take", indices, x.shape[axis], a.mode)
    return k.take(x, idx, axis)


def _take_shape(a, x, indices):
    axis = normalize_axis("take", a.axis, len(x))
    return tuple(x[:axis]) + tuple(indices) + tuple(x[axis + 1:])


register("take", _take, inputs=("a", "indices"),
         params={"axis": Param("int", 0), "mode": _MODE},
         shape=_take_shape, infer_type=lambda a, t: (t, [t[0]]),
         gradient=lambda F, a, xs, ys, dys: [
             F._backward_take(dys[0], xs[1], xs[0], axis=a.axis, mode=a.mode), None],
         doc="""\
Take slices of ``a`` along ``axis`` at ``indices``:
``out[i..., j..., k...] = a[i..., index(indices[j...]), k...]``.

Shapes: a (d0, ..., dn-1), indices of any shape J; out =
``a.shape[:axis] + J + a.shape[axis+1:]``, in a's dtype.

MXNet quirks: indices are usually floats; they are truncated toward zero.  The
**default mode is 'clip'** (out-of-range indices go to the nearest end, so ``-1`` picks
the *first* row); 'wrap' takes them modulo the axis length (so ``-1`` is the last);
'raise' raises MXNetError.  The gradient scatter-adds ``dy`` into zeros shaped like
``a`` (``_backward_take``); repeated indices accumulate; indices get no gradient.""")


def _backward_take(k, a, dy, indices, like):
    axis = normalize_axis("_backward_take", a.axis, len(like.shape))
    idx = _normalize(k, "_backward_take", indices, like.shape[axis], a.mode)
    return k.scatter_add(tuple(like.shape), idx, dy, axis, dy.dtype)


register("_backward_take", _backward_take, inputs=("ograd", "indices", "data"),
         params={"axis": Param("int", 0), "mode": _MODE},
         infer_shape=lambda a, s: (s, [s[2]]), infer_type=lambda a, t: (t, [t[0]]),
         gradient=lambda F, a, xs, ys, dys: [
             F.take(dys[0], xs[1], axis=a.axis, mode=a.mode), None, None],
         doc="take's gradient: zeros shaped like ``data``, then "
             "``out[..., index(indices[j]), ...] += ograd[..., j, ...]`` along ``axis``.")


# ---- batch_take and pick ------------------------------------------------------------------
def _batch_take(k, a, x, indices):
    if len(x.shape) < 2:
        raise MXNetError(f"batch_take: data must have at least 2 dimensions, got shape "
                         f"{tuple(x.shape)}")
    if not is_integer(indices.dtype):
        raise MXNetError(f"batch_take: indices must be an integer array (MXNet requires "
                         f"int32), got {np.dtype(indices.dtype).name}")
    rows = _prod(x.shape[:-1])
    if _prod(indices.shape) != rows:
        raise MXNetError(f"batch_take: indices must have one entry per row of data "
                         f"{tuple(x.shape)} ({rows}), got shape {tuple(indices.shape)}")
    idx = _normalize(k, "batch_take", indices, x.shape[-1], "clip")
    axis = len(x.shape) - 1
    out = k.take_along_axis(x, _lines(k, idx, tuple(x.shape), axis), axis)
    return k.reshape(out, tuple(indices.shape))


register("batch_take", _batch_take, inputs=("a", "indices"),
         shape=lambda a, x, idx: tuple(idx), infer_type=lambda a, t: (t, [t[0]]),
         gradient=lambda F, a, xs, ys, dys: [
             F._backward_pick(dys[0], xs[1], xs[0], axis=-1, mode="clip"), None],
         doc="""\
One element per row: ``out[i] = a.reshape(-1, a.shape[-1])[i, indices[i]]``.

Shapes: a (d0, ..., dn-1) with n >= 2; indices with ``d0 * ... * dn-2`` elements; out has
indices' shape.  MXNet quirks: indices must be integers (MXNet insists on int32) and
are clipped to ``[0, dn-1 - 1]``; MXNet calls the op deprecated in favour of ``pick``.""")


def _pick_axis(op, a, ndim):
    if a.axis is None:
        raise MXNetError(f"{op}: axis=None is not supported by pick yet. Must specify "
                         "an axis.")
    return normalize_axis(op, a.axis, ndim)


def _check_pick_index(shape, axis, ishape):
    without = tuple(shape[:axis]) + tuple(shape[axis + 1:])
    keep = tuple(shape[:axis]) + (1,) + tuple(shape[axis + 1:])
    if tuple(ishape) not in (without, keep):
        raise MXNetError(f"pick: index must have shape {without} (or {keep}) for data "
                         f"{tuple(shape)} and axis={axis}, got {tuple(ishape)}")
    return without, keep


def _pick(k, a, x, index):
    axis = _pick_axis("pick", a, len(x.shape))
    without, keep = _check_pick_index(x.shape, axis, index.shape)
    idx = _normalize(k, "pick", k.reshape(index, keep), x.shape[axis], a.mode)
    out = k.take_along_axis(x, idx, axis)
    return k.reshape(out, keep if a.keepdims else without)


def _pick_shape(a, x, index):
    axis = _pick_axis("pick", a, len(x))
    without, keep = _check_pick_index(x, axis, index)
    return keep if a.keepdims else without


_PICK_PARAMS = {"axis": Param("int", -1, optional=True),
                "keepdims": Param("bool", False),
                "mode": Param("str", "clip", choices=("clip", "wrap"))}

register("pick", _pick, inputs=("data", "index"), params=_PICK_PARAMS,
         aliases=("choose_element_0index",),
         shape=_pick_shape, infer_type=lambda a, t: (t, [t[0]]),
         gradient=lambda F, a, xs, ys, dys: [
             F._backward_pick(dys[0], xs[1], xs[0], axis=a.axis, mode=a.mode), None],
         doc="""\
Pick one element along ``axis`` for every other position:
``out[i, j] = data[i, index[i, j], j]`` (for a 3-D ``data`` and ``axis=1``).

Shapes: data (d0, ..., dn-1); index has data's shape without ``axis`` (or with size 1
there); out has data's shape without ``axis``, or with size 1 there if ``keepdims``.

MXNet quirks: index is usually float and is truncated; 'clip' (default) or 'wrap'
handle out-of-range values (no 'raise'); ``axis=None`` is rejected.  The gradient
scatter-adds ``dy`` into zeros shaped like data (``_backward_pick``).""")


def _backward_pick(k, a, dy, index, like):
    shape = tuple(like.shape)
    if a.axis is None:                                   # index into the flattened array
        idx = _normalize(k, "_backward_pick", index, _prod(shape), a.mode)
        m = _prod(idx.shape)
        out = k.scatter_add((_prod(shape),), k.reshape(idx, (m,)), k.reshape(dy, (m,)), 0,
                            dy.dtype)
        return k.reshape(out, shape)
    axis = normalize_axis("_backward_pick", a.axis, len(shape))
    idx = _lines(k, _normalize(k, "_backward_pick", index, shape[axis], a.mode), shape, axis)
    return k.scatter_add_along_axis(shape, idx, k.reshape(dy, tuple(idx.shape)), axis,
                                    dy.dtype)


register("_backward_pick", _backward_pick, inputs=("ograd", "index", "data"),
         params={"axis": Param("int", -1, optional=True), "keepdims": Param("bool", False),
                 "mode": Param("str", "clip", choices=("clip", "wrap"))},
         infer_shape=lambda a, s: (s, [s[2]]), infer_type=lambda a, t: (t, [t[0]]),
         gradient=lambda F, a, xs, ys, dys: [F._take_along_axis(
             dys[0], xs[1], xs[0], axis=a.axis, mode=a.mode), None, None],
         doc="""\
The adjoint of picking along an axis: zeros shaped like ``data``, then
``out[..., index[..., j, ...], ...] += ograd[..., j, ...]`` along ``axis``.  ``index``
may hold any number L of positions per line (1 for pick and batch_take, k for topk,
the axis length for sort); ``axis=None`` means positions in ``data.reshape(-1)``.""")


def _take_along_axis(k, a, data, index, like):
    shape = tuple(data.shape)
    if a.axis is None:
        flat = _normalize(k, "_take_along_axis", index, _prod(shape), a.mode)
        out = k.take(k.reshape(data, (_prod(shape),)), flat, 0)   # positions in data.ravel()
        return k.reshape(out, tuple(like.shape))
    axis = normalize_axis("_take_along_axis", a.axis, len(shape))
    idx = _lines(k, _normalize(k, "_take_along_axis", index, shape[axis], a.mode), shape,
                 axis)
    return k.reshape(k.take_along_axis(data, idx, axis), tuple(like.shape))


register("_take_along_axis", _take_along_axis, inputs=("data", "index", "like"),
         params={"axis": Param("int", -1, optional=True),
                 "mode": Param("str", "clip", choices=("clip", "wrap"))},
         infer_shape=lambda a, s: (s, [s[2]]), infer_type=lambda a, t: (t, [t[0]]),
         gradient=lambda F, a, xs, ys, dys: [F._backward_pick(
             dys[0], xs[1], xs[0], axis=a.axis, mode=a.mode), None, None],
         doc="""\
``data`` gathered at ``index`` along ``axis`` (NumPy's ``take_along_axis``; ``index``
holds L positions per line, ``axis=None`` means positions in the flattened data),
reshaped to ``like``'s shape.  The adjoint of ``_backward_pick``: its gradient, which
makes pick, topk and sort twice differentiable.  (pymx only; not an MXNet op.)""")


# ---- one_hot -----------------------------------------------------------------------------
def _one_hot_shape(a, s):
    if a.depth < 0:
        raise MXNetError(f"one_hot: depth must be non-negative, got {a.depth}")
    return tuple(s) + (a.depth,)


def _one_hot(k, a, indices):
    _one_hot_shape(a, indices.shape)
    return k.one_hot(_to_int(k, indices), a.depth, a.on_value, a.off_value, a.dtype)


register("one_hot", _one_hot, inputs=("indices",),
         params={"depth": Param("int"), "on_value": Param("float", 1.0),
                 "off_value": Param("float", 0.0), "dtype": Param("dtype", "float32")},
         shape=_one_hot_shape,
         infer_type=lambda a, t: (t, [np.dtype(a.dtype)]), gradient=_no_grad(1),
         doc="""\
``out[i..., j] = on_value if int(indices[i...]) == j else off_value``.

Shapes: indices of any shape S; out ``S + (depth,)`` in ``dtype`` (float32 default).
MXNet quirks: indices are truncated toward zero; negative or ``>= depth`` indices
give a row of ``off_value`` (no error, no wrapping); ``on_value`` is cast to an
integer ``dtype`` by truncation.  No gradient flows to indices.""")


# ---- gather_nd and scatter_nd ------------------------------------------------------------
def _nd_positions(k, op, indices, shape):
    """Flat positions into ``shape[:M]`` for ``indices`` of shape (M, Y...), wrapping
    negative entries once (``-1`` is the last) and raising IndexOutOfBounds outside."""
    if len(indices.shape) < 2:
        raise MXNetError(f"{op}: indices must have at least 2 dimensions (M, ...), got "
                         f"shape {tuple(indices.shape)}")
    m = indices.shape[0]
    if m > len(shape):
        raise MXNetError(f"{op}: indices.shape[0] = {m} exceeds the number of data "
                         f"dimensions {len(shape)}")
    idx = _to_int(k, indices)
    ydims = tuple(range(1, len(idx.shape)))
    if _prod(idx.shape):
        lo = k.to_numpy(k.reduce("min", idx, ydims, False))
        hi = k.to_numpy(k.reduce("max", idx, ydims, False))
        for j in range(m):
            bad = lo[j] if lo[j] < -shape[j] else (hi[j] if hi[j] >= shape[j] else None)
            if bad is not None:
                raise IndexOutOfBounds(f"{op}: index {int(bad)} is out of bounds for axis "
                                       f"{j} with size {shape[j]}")
    sizes = k.from_numpy(np.asarray(shape[:m], np.int64).reshape((m,) + (1,) * len(ydims)))
    sizes = k.broadcast_to(sizes, tuple(idx.shape))
    neg = k.binary("lesser", idx, 0)                        # 1 where idx < 0
    idx = k.binary("add", idx, k.binary("multiply", neg, sizes))
    strides = [_prod(shape[j + 1:m]) for j in range(m)]
    st = k.from_numpy(np.asarray(strides, np.int64).reshape((m,) + (1,) * len(ydims)))
    prod = k.binary("multiply", idx, k.broadcast_to(st, tuple(idx.shape)))
    return k.reduce("sum", prod, (0,), False)               # shape Y


def _gather_nd(k, a, x, indices):
    shape = tuple(x.shape)
    flat = _nd_positions(k, "gather_nd", indices, shape)
    m = indices.shape[0]
    rows = k.reshape(x, (_prod(shape[:m]),) + shape[m:])
    return k.take(rows, flat, 0)


def _gather_nd_shape(a, data, indices):
    if len(indices) < 2 or indices[0] > len(data):
        raise MXNetError(f"gather_nd: indices shape {tuple(indices)} does not fit data "
                         f"shape {tuple(data)} (need (M, ...) with M <= data.ndim)")
    return tuple(indices[1:]) + tuple(data[indices[0]:])


register("gather_nd", _gather_nd, inputs=("data", "indices"),
         shape=_gather_nd_shape, infer_type=lambda a, t: (t, [t[0]]),
         gradient=lambda F, a, xs, ys, dys: [
             F._backward_gather_nd(dys[0], xs[1], xs[0]), None],
         doc="""\
Gather elements or slices by rows of coordinates:
``out[y...] = data[indices[0, y...], ..., indices[M-1, y...]]`` (a slice of the
remaining axes).

Shapes: data (X0, ..., XN-1), indices (M, Y0, ..., YK-1) with M <= N; out
``(Y0, ..., YK-1, XM, ..., XN-1)``.  Row m of indices indexes axis m.

MXNet quirks: indices need at least 2 dimensions (one coordinate is (M, 1)); negative
indices count from the end; out-of-range ones raise IndexError (here an
``IndexOutOfBounds``, both MXNetError and IndexError).  The gradient scatter-adds
``dy`` into zeros shaped like data (``_backward_gather_nd``).""")


def _backward_gather_nd(k, a, dy, indices, like):
    shape = tuple(like.shape)
    m = indices.shape[0]
    flat = _nd_positions(k, "_backward_gather_nd", indices, shape)
    out = k.scatter_add((_prod(shape[:m]),) + shape[m:], flat, dy, 0, dy.dtype)
    return k.reshape(out, shape)


register("_backward_gather_nd", _backward_gather_nd, inputs=("data", "indices", "like"),
         infer_shape=lambda a, s: (s, [s[2]]), infer_type=lambda a, t: (t, [t[0]]),
         gradient=lambda F, a, xs, ys, dys: [F.gather_nd(dys[0], xs[1]), None, None],
         doc="""\
gather_nd's gradient (scatter_nd with accumulation): zeros shaped like ``like``,
then ``out[indices[:, y...]] += data[y...]``.  (MXNet's op takes a ``shape``
parameter; pymx passes the forward input as ``like`` because gradient rules never
read shapes.)""")


def _scatter_nd(k, a, x, indices):
    shape = tuple(a.shape)
    want = tuple(indices.shape[1:]) + shape[indices.shape[0]:] \
        if len(indices.shape) >= 2 and indices.shape[0] <= len(shape) else None
    if want is not None and tuple(x.shape) != want:
        raise MXNetError(f"scatter_nd: data must have shape {want} for indices "
                         f"{tuple(indices.shape)} and shape={shape}, got {tuple(x.shape)}")
    flat = _nd_positions(k, "scatter_nd", indices, shape)
    m = indices.shape[0]
    pos = k.to_numpy(flat).reshape(-1)
    if np.unique(pos).size != pos.size:
        # Repeated coordinates: MXNet's CPU kernel writes in order, so the last write
        # wins.  Keep only the last occurrence of each position.
        _, first_of_reversed = np.unique(pos[::-1], return_index=True)
        keep = np.sort(pos.size - 1 - first_of_reversed)
        x = k.take(k.reshape(x, (pos.size,) + shape[m:]), k.from_numpy(keep), 0)
        flat = k.from_numpy(pos[keep])
    out = k.scatter_add((_prod(shape[:m]),) + shape[m:], flat, x, 0, x.dtype)
    return k.reshape(out, shape)


register("scatter_nd", _scatter_nd, inputs=("data", "indices"),
         params={"shape": Param("shape")},
         shape=lambda a, data, indices: tuple(a.shape), infer_type=lambda a, t: (t, [t[0]]),
         gradient=lambda F, a, xs, ys, dys: [F.gather_nd(dys[0], xs[1]), None],
         doc="""\
Scatter ``data`` into zeros of ``shape``:
``out[indices[0, y...], ..., indices[M-1, y...]] = data[y...]``.

Shapes: data (Y0, ..., YK-1, XM, ..., XN-1), indices (M, Y0, ..., YK-1), out
``shape = (X0, ..., XN-1)``.  The inverse of gather_nd; its gradient is
``gather_nd(dy, indices)``.

MXNet quirks: with repeated indices MXNet documents the result as undefined; its CPU
kernel writes in order, so the last write wins (pymx does the same;
``_backward_gather_nd`` adds instead).  Negative indices count
from the end here as in gather_nd (MXNet writes out of bounds).""")


# ---- where -------------------------------------------------------------------------------
def _where(k, a, cond, x, y):
    if tuple(x.shape) != tuple(y.shape):
        raise MXNetError(f"where: x and y must have the same shape, got x "
                         f"{tuple(x.shape)} and y {tuple(y.shape)}")
    if np.dtype(x.dtype) != np.dtype(y.dtype):
        raise MXNetError(f"where: x and y must have the same dtype, got x "
                         f"{np.dtype(x.dtype).name} and y {np.dtype(y.dtype).name}")
    if tuple(cond.shape) != tuple(x.shape):
        if len(cond.shape) != 1 or not x.shape or cond.shape[0] != x.shape[0]:
            raise MXNetError(f"where: condition must have the shape of x {tuple(x.shape)} "
                             f"or be 1-D of length x.shape[0], got {tuple(cond.shape)}")
        cond = k.broadcast_to(k.reshape(cond, (cond.shape[0],) + (1,) * (len(x.shape) - 1)),
                              tuple(x.shape))
    return k.where(cond, x, y)


def _where_gradient(F, a, xs, ys, dys):
    cond, dy = xs[0], dys[0]
    zero = F.zeros_like(dy)
    return [F.zeros_like(cond), F.where(cond, dy, zero), F.where(cond, zero, dy)]


register("where", _where, inputs=("condition", "x", "y"),
         shape=lambda a, c, x, y: tuple(x), infer_type=lambda a, t: (t, [t[1]]),
         gradient=_where_gradient,
         doc="""\
``out = x where condition != 0, else y`` (NaN counts as true).

Shapes: x and y of one shape and dtype; condition either that same shape, or 1-D of
length ``x.shape[0]`` (then it selects whole rows, an MXNet feature); out like x.
Gradients: ``dx = where(cond, dy, 0)``, ``dy_ = where(cond, 0, dy)``; condition gets
zeros.""")


# ---- sorting: topk, sort, argsort --------------------------------------------------------
def _order(k, x, axis, is_ascend):
    """int64 positions that sort ``x`` along ``axis``; ties keep their order in both
    directions (MXNet's stable sort).  Descending sorts ``-x`` (ints go via int64)."""
    if is_ascend:
        return k.argsort(x, axis)
    if is_integer(x.dtype):
        x = k.astype(x, "int64")
    return k.argsort(k.unary("negative", x), axis)


def _first(k, x, axis, n):
    key = (slice(None),) * axis + (slice(0, n),)
    return k.copy(k.getitem(x, key))


def _topk_k(op, a, n):
    kk = n if a.k < 1 else a.k
    if kk > n:
        raise MXNetError(f"{op}: k must be smaller than or equal to the axis length {n}, "
                         f"got k = {a.k}")
    return kk


def _topk(k, a, x):
    shape = tuple(x.shape)
    if a.axis is None:
        x = k.reshape(x, (_prod(shape),))
        axis = 0
    else:
        axis = normalize_axis("topk", a.axis, len(shape))
    n = x.shape[axis]
    kk = _topk_k("topk", a, n)
    idx = _first(k, _order(k, x, axis, a.is_ascend), axis, kk)
    if a.ret_typ == "indices":
        return k.astype(idx, a.dtype)
    if a.ret_typ == "mask":
        ones = k.full(tuple(idx.shape), 1, x.dtype)
        return k.reshape(k.scatter_add_along_axis(tuple(x.shape), idx, ones, axis, x.dtype),
                         shape)
    values = k.take_along_axis(x, idx, axis)
    if a.ret_typ == "value":
        return values
    return values, k.astype(idx, a.dtype)


def _topk_shape(a, x):
    if a.ret_typ == "mask":
        return tuple(x)
    if a.axis is None:
        out = (_topk_k("topk", a, _prod(x)),)
    else:
        axis = normalize_axis("topk", a.axis, len(x))
        out = tuple(x[:axis]) + (_topk_k("topk", a, x[axis]),) + tuple(x[axis + 1:])
    return [out, out] if a.ret_typ == "both" else out


def _topk_type(a, t):
    idx = np.dtype(a.dtype)
    return t, {"indices": [idx], "both": [t[0], idx]}.get(a.ret_typ, [t[0]])


def _topk_gradient(F, a, xs, ys, dys):
    x = xs[0]
    if a.ret_typ not in ("value", "both"):
        return [F.zeros_like(x)]
    idx = F.topk(x, axis=a.axis, k=a.k, ret_typ="indices", is_ascend=a.is_ascend,
                 dtype="int64")
    return [F._backward_pick(dys[0], idx, x, axis=a.axis)]


register("topk", _topk, inputs=("data",),
         params={"axis": Param("int", -1, optional=True), "k": Param("int", 1),
                 "ret_typ": Param("str", "indices",
                                  choices=("both", "indices", "mask", "value")),
                 "is_ascend": Param("bool", False),
                 "dtype": Param("dtype", "float32")},
         outputs=lambda a: ("output0", "output1") if a.ret_typ == "both" else ("output",),
         shape=_topk_shape, infer_type=_topk_type, gradient=_topk_gradient,
         doc="""\
The ``k`` largest (or, with ``is_ascend``, smallest) elements along ``axis``, sorted.

``ret_typ``: 'indices' (default; positions along the axis, as ``dtype``, **float32 by
default**), 'value', 'both' (a list ``[value, indices]``) or 'mask' (0/1 in data's
dtype, 1 at the chosen positions, data's shape).  Shapes: data's shape with the axis
length replaced by k; ``axis=None`` flattens first.  ``k < 1`` means the whole axis;
``k`` larger than the axis raises MXNetError.  Ties keep their original order.
The gradient (for 'value' and 'both') scatters ``dy`` back to the chosen positions.""")


def _sort(k, a, x):
    if a.axis is None:
        x, axis = k.reshape(x, (_prod(x.shape),)), 0
    else:
        axis = normalize_axis("sort", a.axis, len(x.shape))
    if a.is_ascend:
        return k.sort(x, axis)
    return k.take_along_axis(x, _order(k, x, axis, False), axis)


def _sort_shape(a, x):
    return (_prod(x),) if a.axis is None else tuple(x)


register("sort", _sort, inputs=("data",),
         params={"axis": Param("int", -1, optional=True), "is_ascend": Param("bool", True)},
         shape=_sort_shape,
         gradient=lambda F, a, xs, ys, dys: [F._backward_pick(
             dys[0], F.argsort(xs[0], axis=a.axis, is_ascend=a.is_ascend, dtype="int64"),
             xs[0], axis=a.axis)],
         doc="""\
A sorted copy of ``data`` along ``axis`` (``axis=None``: of the flattened array).
The gradient sends each ``dy`` back to where its value came from (through argsort).""")


def _argsort(k, a, x):
    if a.axis is None:
        x, axis = k.reshape(x, (_prod(x.shape),)), 0
    else:
        axis = normalize_axis("argsort", a.axis, len(x.shape))
    return k.astype(_order(k, x, axis, a.is_ascend), a.dtype)


register("argsort", _argsort, inputs=("data",),
         params={"axis": Param("int", -1, optional=True), "is_ascend": Param("bool", True),
                 "dtype": Param("dtype", "float32")},
         shape=_sort_shape, infer_type=lambda a, t: (t, [np.dtype(a.dtype)]),
         gradient=_no_grad(1),
         doc="""\
Positions that sort ``data`` along ``axis`` (``axis=None``: of the flattened array),
as ``dtype`` (**float32 by default**).  Ties keep their original order, also when
``is_ascend=False``.""")


# ---- ravel_multi_index and unravel_index ---------------------------------------------------
def _ravel(k, a, x):
    shape = tuple(a.shape or ())
    if len(x.shape) != 2:
        raise MXNetError(f"_ravel_multi_index: data must be 2-D (ndim, N), got shape "
                         f"{tuple(x.shape)}")
    if x.shape[0] != len(shape):
        raise MXNetError(f"_ravel_multi_index: data.shape[0] = {x.shape[0]} must equal "
                         f"the number of dimensions of shape={shape}")
    strides = np.asarray([_prod(shape[j + 1:]) for j in range(len(shape))], np.int64)
    st = k.broadcast_to(k.from_numpy(strides.reshape(-1, 1)), tuple(x.shape))
    flat = k.reduce("sum", k.binary("multiply", _to_int(k, x), st), (0,), False)
    return k.astype(flat, x.dtype)


register("_ravel_multi_index", _ravel, aliases=("ravel_multi_index",),
         params={"shape": Param("shape", None)},
         shape=lambda a, x: (x[1],), gradient=_no_grad(1),
         doc="""\
Multi-indices to flat indices: column j of ``data`` (ndim, N) is one multi-index;
``out[j] = sum_i data[i, j] * prod(shape[i+1:])``, in data's dtype.

MXNet quirks: entries are truncated to integers and not range-checked;
``shape[0]`` may be -1 (it is never used).""")


def _unravel(k, a, x):
    shape = tuple(a.shape or ())
    if not shape:
        raise MXNetError("_unravel_index: shape must not be empty")
    rem = _to_int(k, x)
    coords = []
    for size in reversed(shape[1:]):                    # C division: truncate toward 0
        q = k.binary("divide", rem, size)
        coords.append(k.binary("subtract", rem, k.binary("multiply", q, size)))
        rem = q
    coords.append(rem)
    return k.astype(k.stack(coords[::-1], 0), x.dtype)


register("_unravel_index", _unravel, aliases=("unravel_index",),
         params={"shape": Param("shape", None)},
         shape=lambda a, x: (len(a.shape or ()),) + tuple(x), gradient=_no_grad(1),
         doc="""\
Flat indices to multi-indices: ``out[:, j]`` is the position of ``data[j]`` in an
array of ``shape`` (C order), in data's dtype; out has shape ``(len(shape),) +
data.shape``.

MXNet quirks: data is truncated to integers; the first coordinate is the plain
quotient (never wrapped), so ``shape[0]`` may be -1 and out-of-range input gives an
out-of-range first coordinate; C integer division (toward zero) for negative input.
MXNet documents 1-D data (its result for N-d data is wrong); pymx unravels any shape.""")


# ---- the legacy 0-index helpers: onehot_encode, fill_element_0index -----------------------
def _check_rows(op, matrix, vectors):
    """``matrix`` must be 2-D and each of ``vectors`` (name, shape) must be (rows,)."""
    if len(matrix) != 2 or any(tuple(v) != (matrix[0],) for _, v in vectors):
        desc = ", ".join(f"{n}{tuple(v)}" for n, v in vectors)
        raise MXNetError(f"{op}: expects a 2-D matrix and one value per row, got "
                         f"matrix {tuple(matrix)} and {desc}")


def _onehot_encode(k, a, indices, like):
    _check_rows("onehot_encode", like.shape, [("indices", indices.shape)])
    return k.one_hot(_to_int(k, indices), like.shape[1], 1, 0, like.dtype)


register("_onehot_encode", _onehot_encode, inputs=("lhs", "rhs"),
         infer_shape=lambda a, s: (s, [s[1]]), infer_type=lambda a, t: (t, [t[1]]),
         doc="""The deprecated one-hot encoding: ``out[i, j] = 1 if j == lhs[i] else 0``,
with the shape (n, depth) and dtype of ``rhs``.  ``mx.nd.onehot_encode(indices, out)``
(``ndarray/__init__.py``) calls it with ``out=out``, so that it writes ``out`` as
MXNet's does.  Prefer ``one_hot``.  Indices out of [0, depth) give a zero row.  No
gradient.""")


def _fill_element_0index(k, a, lhs, mhs, rhs):
    _check_rows("fill_element_0index", lhs.shape, [("mhs", mhs.shape), ("rhs", rhs.shape)])
    hit = k.one_hot(_to_int(k, rhs), lhs.shape[1], 1, 0, lhs.dtype)
    values = k.broadcast_to(k.reshape(mhs, (lhs.shape[0], 1)), tuple(lhs.shape))
    return k.where(hit, values, lhs)


register("fill_element_0index", _fill_element_0index, inputs=("lhs", "mhs", "rhs"),
         infer_shape=lambda a, s: (s, [s[0]]),
         doc="""Overwrite one element of each row: ``out = lhs`` except ``out[i, rhs[i]] =
mhs[i]``.  Shapes: lhs (n, m), mhs and rhs (n,); ``rhs`` holds 0-based column indices
(one out of [0, m) leaves its row unchanged).  A legacy MXNet function with no
gradient.""")
