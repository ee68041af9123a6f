"""Shape and order functions of ``mx.np``: ``reshape``, ``transpose``, ``moveaxis``,
``expand_dims``, ``squeeze``, ``broadcast_to``, ``tile``, ``repeat``,
``concatenate``, ``stack``, ``split``, ``sort``, ``argsort``.

Each is one legacy operator (``transpose``, ``Concat``, ``SliceChannel``...) with
NumPy's signature; the differences from the legacy functions are NumPy's:
``concatenate`` joins along axis 0 (legacy ``nd.concat``: ``dim=1``), ``split`` always
returns a list, ``squeeze`` of a one-element array gives a zero-dim array,
``argsort`` gives int64 indices, and ``broadcast_to`` may add leading axes.
"""
import numpy as _np

from ..base import MXNetError
from ..ndarray import op as _nd
from ..ndarray.indexing import _reshape_exact

__all__ = ["reshape", "transpose", "moveaxis", "swapaxes", "expand_dims", "squeeze",
           "broadcast_to", "tile", "repeat", "concatenate", "stack", "split", "sort",
           "argsort", "ravel"]


def reshape(a, newshape, order="C"):
    """``a`` with a new shape of the same size: a **copy**, as MXNet 1.9.1's
    ``_np_reshape`` (NumPy gives a view; ``x.reshape_view`` does).  NumPy's rule: one entry may
    be -1 (inferred from the size), 0 is a length of 0; the legacy codes (0 = copy,
    -2, -3, -4) and a size mismatch are an MXNetError, as MXNet 1.9.1's ``_np_reshape``.
    ``order`` is ignored, as MXNet 1.9.1's function does (C order always; the method
    ``x.reshape(..., order='F')`` is a NotImplementedError)."""
    shape = (newshape,) if isinstance(newshape, (int, _np.integer)) else \
        tuple(int(d) for d in newshape)
    size = int(_np.prod(a.shape, dtype=_np.int64))
    known = int(_np.prod([d for d in shape if d != -1], dtype=_np.int64))
    if any(d < -1 for d in shape) or shape.count(-1) > 1:
        raise MXNetError(f"reshape: invalid shape {shape} (only one -1 and no other "
                         f"negative entry)")
    if -1 in shape:
        if known == 0 or size % known:
            raise MXNetError(f"reshape: cannot reshape array of shape {a.shape} into {shape}")
        shape = tuple(size // known if d == -1 else d for d in shape)
    elif known != size:
        raise MXNetError(f"reshape: cannot reshape array of size {size} into shape {shape}")
    return _reshape_exact(a, shape).copy()


def ravel(a, order="C"):
    """The elements as a 1-D array (a copy, as ``reshape``); only ``order='C'``."""
    if order != "C":
        raise NotImplementedError(f"ravel: only order='C' is supported, got {order!r}")
    return reshape(a, (-1,))


def transpose(a, axes=None):
    """Permute the axes (None: reverse them).  A 0-d or 1-D array is unchanged."""
    if a.ndim < 2 and axes is None:
        return a.copy()
    if axes and sorted(ax % a.ndim for ax in axes) != list(range(a.ndim)):
        raise ValueError(f"transpose: axes {tuple(axes)} do not match an array of "
                         f"dimension {a.ndim}")
    return _nd.transpose(a, axes=tuple(axes) if axes else ())


def moveaxis(a, source, destination):
    """Move axis ``source`` to position ``destination``, the others keep their order."""
    n = a.ndim
    src, dst = source % n, destination % n
    order = [i for i in range(n) if i != src]
    order.insert(dst, src)
    return a if order == list(range(n)) else transpose(a, order)


def swapaxes(a, axis1, axis2):
    """Exchange two axes (an axis out of range is an MXNetError)."""
    for ax in (axis1, axis2):
        if not -a.ndim <= ax < a.ndim:
            raise MXNetError(f"swapaxes: axis {ax} is out of bounds for array of dimension "
                             f"{a.ndim}")
    order = list(range(a.ndim))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return transpose(a, order)


def expand_dims(a, axis):
    """Insert an axis of size 1 at position ``axis``."""
    return _nd.expand_dims(a, axis=axis)


def squeeze(a, axis=None):
    """Remove axes of size 1 (those in ``axis``, or all); may give a zero-dim array."""
    if axis is None:
        shape = tuple(d for d in a.shape if d != 1)
    else:
        axes = {ax % a.ndim for ax in ((axis,) if isinstance(axis, int) else axis)}
        for ax in axes:
            if a.shape[ax] != 1:
                raise MXNetError(f"squeeze: cannot select an axis to squeeze out which has "
                                 f"size not equal to one (axis {ax} of shape {a.shape})")
        shape = tuple(d for i, d in enumerate(a.shape) if i not in axes)
    return _reshape_exact(a, shape).copy()                  # a copy, as MXNet 1.9.1


def broadcast_to(a, shape):
    """Repeat ``a`` along its size-1 axes (and new leading axes) to ``shape``."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if a.shape == shape:
        return a
    if a.ndim > len(shape):
        raise ValueError(f"broadcast_to: cannot broadcast shape {a.shape} to {shape}")
    if a.ndim < len(shape):
        a = _reshape_exact(a, (1,) * (len(shape) - a.ndim) + a.shape)
    return _nd.broadcast_to(a, shape=shape)


def tile(a, reps):
    """Repeat the whole array ``reps`` times (an int or one count per axis)."""
    return _nd.tile(a, reps=(reps,) if isinstance(reps, int) else tuple(reps))


def repeat(a, repeats, axis=None):
    """Repeat each element ``repeats`` times along ``axis`` (None: flattened)."""
    return _nd.repeat(a, repeats=repeats, axis=axis)


def _same_dtype(fn, arrays):
    """MXNet 1.9.1 joins arrays of one dtype only (no promotion): else MXNetError."""
    dtypes = {_np.dtype(x.dtype) for x in arrays if hasattr(x, "dtype")}
    if len(dtypes) > 1:
        raise MXNetError(f"{fn}: the arrays must have one dtype, got "
                         f"{sorted(d.name for d in dtypes)}")


def concatenate(seq, axis=0, out=None):
    """Join arrays along an existing axis (default 0; None: flatten them first)."""
    seq = list(seq)
    if not seq:
        raise ValueError("concatenate: need at least one array to concatenate")
    _same_dtype("concatenate", seq)
    if axis is None:
        seq, axis = [x.reshape(-1) for x in seq], 0
    result = _nd.concat(*seq, dim=axis)
    if out is not None:
        out[...] = result
        return out
    return result


def stack(arrays, axis=0, out=None):
    """Join same-shaped arrays along a new axis ``axis``."""
    arrays = list(arrays)
    if not arrays:
        raise ValueError("stack: need at least one array to stack")
    _same_dtype("stack", arrays)
    result = _nd.stack(*arrays, axis=axis)
    if out is not None:
        out[...] = result
        return out
    return result


def split(ary, indices_or_sections, axis=0):
    """A list of sub-arrays: ``sections`` equal parts (an int that must divide the
    axis), or the parts between the sorted ``indices``."""
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0 or ary.shape[axis] % n:
            raise ValueError(f"split: array split does not result in an equal division "
                             f"(axis {axis} of shape {ary.shape} into {n})")
        parts = _nd.split(ary, num_outputs=n, axis=axis)
    else:
        parts = _nd.split_v2(ary, tuple(indices_or_sections), axis=axis)
    return list(parts) if isinstance(parts, (list, tuple)) else [parts]


def sort(a, axis=-1):
    """A sorted copy along ``axis`` (None: of the flattened array)."""
    if axis is None:
        a, axis = a.reshape(-1), 0
    return _nd.sort(a, axis=axis)


def argsort(a, axis=-1):
    """The int64 indices that sort ``a`` along ``axis`` (None: flattened)."""
    if axis is None:
        a, axis = a.reshape(-1), 0
    return _nd.argsort(a, axis=axis, dtype=_np.int64)
