"""Joining and cutting ``mx.np`` arrays: ``append``, ``vstack``/``row_stack``,
``hstack``, ``dstack``, ``column_stack``, ``atleast_1d/2d/3d``, ``array_split``,
``hsplit``/``vsplit``/``dsplit``, ``insert``, ``delete`` and ``broadcast_arrays``.

Every function is a composition of the legacy ``Concat``, ``_split_v2``, ``take`` and
``Reshape`` operators, so all of them are differentiable.  The *stack* family first
gives every input the rank it needs (``atleast_2d`` for ``vstack``: a length-n vector
becomes one row (1, n)) and then concatenates:

==================  ====================================  ==================
function            inputs made                           joined along axis
==================  ====================================  ==================
``vstack``          at least 2-D                          0
``hstack``          at least 1-D                          1 (0 for vectors)
``dstack``          at least 3-D: (n,) -> (1, n, 1)       2
``column_stack``    vectors become columns (n, 1)         1
==================  ====================================  ==================
"""
import numpy as _np

from ..ndarray import op as _nd
from ..ndarray.indexing import _reshape_exact
from .creation import array, asarray
from .manipulation import broadcast_to, concatenate, split

__all__ = ["append", "vstack", "row_stack", "hstack", "dstack", "column_stack",
           "atleast_1d", "atleast_2d", "atleast_3d", "array_split", "hsplit", "vsplit",
           "dsplit", "insert", "delete", "broadcast_arrays"]


def _atleast(arys, ndim, where):
    out = []
    for a in arys:
        a = asarray(a)
        if a.ndim < ndim:
            shape = {0: (1,) * ndim, 1: where(a.shape[0]) if a.ndim == 1 else None,
                     2: a.shape + (1,)}[a.ndim]
            a = _reshape_exact(a, shape[:ndim] if a.ndim == 0 else shape)
        out.append(a.copy())                                # always a copy, as MXNet
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    """Each input with at least one axis (a scalar becomes shape (1,)); one array, or
    a list for several."""
    return _atleast(arys, 1, lambda n: (n,))


def atleast_2d(*arys):
    """Each input with at least two axes: (n,) becomes (1, n), a scalar (1, 1)."""
    return _atleast(arys, 2, lambda n: (1, n))


def atleast_3d(*arys):
    """Each input with at least three axes: (n,) becomes (1, n, 1), (m, n) becomes
    (m, n, 1), a scalar (1, 1, 1)."""
    return _atleast(arys, 3, lambda n: (1, n, 1))


def _list(x):
    return x if isinstance(x, list) else [x]


def vstack(tup, out=None):
    """Stack along the first axis, vectors as rows: (n,) and (n,) give (2, n)."""
    return concatenate(_list(atleast_2d(*tup)), axis=0, out=out)


row_stack = vstack


def hstack(tup):
    """Stack along the second axis (the first for vectors: they are joined end to
    end)."""
    arrays = _list(atleast_1d(*tup))
    return concatenate(arrays, axis=0 if arrays[0].ndim == 1 else 1)


def dstack(tup):
    """Stack along the third axis (depth): (m, n) inputs give (m, n, k)."""
    return concatenate(_list(atleast_3d(*tup)), axis=2)


def column_stack(tup):
    """Stack vectors as columns ((n,) inputs give (n, k)); 2-D inputs along axis 1."""
    arrays = [asarray(a) for a in tup]
    arrays = [_reshape_exact(a, (a.shape[0], 1)) if a.ndim == 1 else a for a in arrays]
    return concatenate(arrays, axis=1)


def append(arr, values, axis=None):
    """``values`` appended at the end of ``arr`` along ``axis`` (None: both flattened)."""
    arr, values = asarray(arr), asarray(values, dtype=arr.dtype)
    if axis is None:
        return concatenate([arr.reshape(-1), values.reshape(-1)], axis=0)
    return concatenate([arr, values], axis=axis)


def array_split(ary, indices_or_sections, axis=0):
    """Like ``split``, but ``sections`` need not divide the axis: the first
    ``n % sections`` parts get one element more."""
    if isinstance(indices_or_sections, (int, _np.integer)):
        n, k = ary.shape[axis], int(indices_or_sections)
        if k <= 0:
            raise ValueError("array_split: number sections must be larger than 0.")
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        indices_or_sections = list(_np.cumsum(sizes)[:-1])
    indices = [int(i) for i in indices_or_sections]
    if not indices:
        return [ary.copy()]
    return split(ary, indices, axis=axis)


def _axis_split(name, axis, min_ndim):
    def fn(ary, indices_or_sections):
        if ary.ndim < min_ndim:
            raise ValueError(f"{name} only works on arrays of {min_ndim} or more "
                             f"dimensions, got shape {ary.shape}")
        ax = 0 if name == "hsplit" and ary.ndim == 1 else axis
        if name == "hsplit":          # MXNet 1.9.1: uneven sections are allowed
            return array_split(ary, indices_or_sections, axis=ax)
        return split(ary, indices_or_sections, axis=ax)
    fn.__name__ = name
    fn.__doc__ = (f"``split`` along axis {axis}" + (" (axis 0 for a vector; sections "
                  "need not divide the axis, as MXNet 1.9.1's ``array_split``)" if
                  name == "hsplit" else "; equal sections must divide the axis."))
    return fn


hsplit = _axis_split("hsplit", 1, 1)
vsplit = _axis_split("vsplit", 0, 2)
dsplit = _axis_split("dsplit", 2, 3)


def _positions(obj, n, name):
    """``obj`` (int, slice, list or array of ints) as a NumPy int64 vector."""
    if isinstance(obj, slice):
        return _np.arange(n)[obj]
    if hasattr(obj, "asnumpy"):
        obj = obj.asnumpy()
    pos = _np.asarray(obj)
    if pos.dtype.kind not in "iu":
        raise IndexError(f"{name}: index must be an integer, a slice or an integer array,"
                         f" got {pos.dtype}")
    return pos.astype(_np.int64)


def delete(arr, obj, axis=None):
    """``arr`` without the sub-arrays at ``obj`` (int, slice or ints) along ``axis``
    (None: of the flattened array).  A gather (``take``) of the kept positions, so the
    gradient flows to them."""
    if axis is None:
        arr, axis = arr.reshape(-1), 0
    n = arr.shape[axis]
    drop = _positions(obj, n, "delete")
    if _np.any((drop < -n) | (drop >= n)):
        raise IndexError(f"delete: index {drop.tolist()} is out of bounds for axis {axis} "
                         f"with size {n}")
    keep = _np.setdiff1d(_np.arange(n), drop % n if n else drop)
    return _nd.take(arr, array(keep, dtype=_np.int64, ctx=arr.context), axis=axis)


def insert(arr, obj, values, axis=None):
    """``values`` inserted before the positions ``obj`` along ``axis`` (None: into the
    flattened array).  A scalar ``obj`` inserts ``values`` as a block there; a
    sequence inserts one value before each index.  Differentiable in ``arr`` and
    ``values`` (a gather from their concatenation)."""
    if axis is None:
        arr, axis = arr.reshape(-1), 0
    axis = axis % arr.ndim
    n = arr.shape[axis]
    values = asarray(values, dtype=arr.dtype, ctx=arr.context)
    scalar = isinstance(obj, (int, _np.integer))
    pos = _positions(obj, n + 1, "insert")
    if _np.any((pos < -n) | (pos > n)):
        raise IndexError(f"insert: index {pos.tolist()} is out of bounds for axis {axis} "
                         f"with size {n}")
    pos = pos % (n + 1) if n else pos
    block = list(arr.shape)
    if scalar:                 # NumPy: values get arr's rank, then axis 0 -> axis
        if values.ndim < arr.ndim:
            values = _reshape_exact(values, (1,) * (arr.ndim - values.ndim) + values.shape)
        values = _nd.moveaxis(values, 0, axis) if axis else values
        k = values.shape[axis]
        block[axis] = k
        order = _np.insert(_np.arange(n), int(pos), _np.arange(n, n + k))
    else:
        block[axis] = len(pos)
        order = _np.insert(_np.arange(n), pos, _np.arange(n, n + len(pos)))
    values = broadcast_to(values, tuple(block))
    joined = concatenate([arr, values], axis=axis)
    return _nd.take(joined, array(order, dtype=_np.int64, ctx=arr.context), axis=axis)


def broadcast_arrays(*args):
    """The inputs broadcast to their common shape (a list)."""
    shape = _np.broadcast_shapes(*(a.shape for a in args))
    return [broadcast_to(a, shape) for a in args]
