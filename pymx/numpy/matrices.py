"""Diagonals, triangles and tensor products of ``mx.np``: ``diag``, ``diagonal``,
``diagflat``, ``trace``, ``tril``, ``outer``, ``inner``, ``vdot``, ``tensordot``,
``einsum``, ``diag_indices_from`` and ``indices``.

The contractions reduce to one matrix product.  ``tensordot(a, b, axes)`` sums over
pairs of axes ``(a_k, b_k)``:

    out[i.., j..] = sum_{k..} a[i.., k..] * b[k.., j..]

which is ``dot`` after moving a's summed axes last and b's first and flattening both
sides to matrices: (prod(free a), prod(summed)) @ (prod(summed), prod(free b)).
``inner`` sums over the last axes of both, ``vdot`` over everything, ``outer`` over
nothing.  ``einsum`` is its own operator (``pymx/ops/einsum.py``).  All are
differentiable; ``diag``/``diagonal`` are the legacy ``diag`` operator and ``tril``
multiplies by a 0/1 mask.
"""
import numpy as _np

from ..base import MXNetError

from ..ndarray import op as _nd
from ..ndarray.indexing import _reshape_exact
from ..ndarray.ndarray import _call
from ..ops.registry import get_op
from .creation import array, asarray
from .elementwise import binary, where
from .linalg import float_only
from .manipulation import transpose
from .reduction import sum as _sum

__all__ = ["diag", "diagonal", "diagflat", "trace", "tril", "outer", "inner", "vdot",
           "tensordot", "einsum", "diag_indices_from", "indices"]


def diag(v, k=0):
    """A 1-D ``v``: the square matrix with ``v`` on diagonal ``k``; a 2-D ``v``: its
    diagonal ``k`` (k > 0 above the main diagonal)."""
    v = asarray(v)
    if v.ndim not in (1, 2):
        raise ValueError(f"diag: Input must be 1- or 2-d, got shape {v.shape}")
    return _nd.diag(v, k=k)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal ``offset`` of the matrices in the plane ``(axis1, axis2)``; those
    two axes are removed and the diagonal becomes the last axis."""
    if a.ndim < 2:
        raise ValueError(f"diagonal: the input must have at least 2 dimensions, got "
                         f"shape {a.shape}")
    return _nd.diag(a, k=offset, axis1=axis1, axis2=axis2)


def diagflat(v, k=0):
    """The flattened input on diagonal ``k`` of a square matrix."""
    return _nd.diag(asarray(v).reshape(-1), k=k)


def trace(a, offset=0, axis1=0, axis2=1, out=None):
    """The sum of diagonal ``offset`` (in the plane ``axis1, axis2``); zero-dim for a
    matrix."""
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1, out=out)


def tril(m, k=0):
    """The lower triangle: elements above diagonal ``k`` set to 0 (in the last two
    axes; a vector is first broadcast to a square matrix, as NumPy)."""
    m = asarray(m)
    if m.ndim == 0:
        raise ValueError("tril: the input must have at least 1 dimension")
    if m.ndim == 1:
        m = _nd.broadcast_to(_reshape_exact(m, (1, m.shape[0])), shape=(m.shape[0],) * 2)
    mask = array(_np.tril(_np.ones(m.shape[-2:], dtype=bool), k), dtype=m.dtype,
                 ctx=m.context)
    if m.dtype == _np.bool_:
        return binary("multiply", m.astype(_np.int32), mask.astype(_np.int32)) \
            .astype(_np.bool_)
    return where(mask, m, 0)                            # (m * mask would give -0.)


def outer(a, b):
    """``out[i, j] = a[i] * b[j]`` of the flattened inputs."""
    a, b = asarray(a).reshape(-1), asarray(b).reshape(-1)
    float_only("outer", a, b)
    return binary("multiply", _reshape_exact(a, (a.shape[0], 1)),
                  _reshape_exact(b, (1, b.shape[0])))


def _contract_axes(axes, a, b):
    if isinstance(axes, (int, _np.integer)):
        if axes < 0 or axes > min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: axes={axes} out of range for shapes {a.shape} "
                             f"and {b.shape}")
        return list(range(a.ndim - axes, a.ndim)), list(range(axes))
    ax_a, ax_b = axes
    ax_a = [ax_a] if isinstance(ax_a, (int, _np.integer)) else list(ax_a)
    ax_b = [ax_b] if isinstance(ax_b, (int, _np.integer)) else list(ax_b)
    if len(ax_a) != len(ax_b):
        raise ValueError(f"tensordot: shape-mismatch for sum ({ax_a} and {ax_b})")
    return [x % a.ndim for x in ax_a], [x % b.ndim for x in ax_b]


def tensordot(a, b, axes=2):
    """Sum of products over the axes ``axes`` = ``(axes_a, axes_b)`` (or an int ``N``:
    a's last N with b's first N); see the module docstring."""
    a, b = asarray(a), asarray(b)
    float_only("tensordot", a, b)
    ax_a, ax_b = _contract_axes(axes, a, b)
    for i, j in zip(ax_a, ax_b):
        if a.shape[i] != b.shape[j]:
            raise MXNetError(f"tensordot: shape-mismatch for sum: axis {i} of {a.shape} "
                             f"and axis {j} of {b.shape}")
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = int(_np.prod([a.shape[i] for i in ax_a]))
    out_shape = tuple(a.shape[i] for i in free_a) + tuple(b.shape[i] for i in free_b)
    at = transpose(a, free_a + ax_a) if a.ndim > 1 else a
    bt = transpose(b, ax_b + free_b) if b.ndim > 1 else b
    m = _reshape_exact(at, (int(_np.prod(out_shape[:len(free_a)])), k))
    n = _reshape_exact(bt, (k, int(_np.prod(out_shape[len(free_a):]))))
    return _reshape_exact(_nd.dot(m, n), out_shape)


def inner(a, b):
    """Sum of products over the last axes: ``out[i.., j..] = sum_k a[i.., k] b[j.., k]``
    (for two vectors, the zero-dim inner product)."""
    a, b = asarray(a), asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        return binary("multiply", a, b)
    return tensordot(a, b, ([-1], [-1]))


def vdot(a, b):
    """The dot product of the flattened inputs (a zero-dim array)."""
    return tensordot(asarray(a).reshape(-1), asarray(b).reshape(-1), 1)


def einsum(*operands, **kwargs):
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``; see
    ``pymx/ops/einsum.py`` for the rules and the gradient.  ``optimize`` is accepted
    and ignored; ``out=`` receives the result."""
    out = kwargs.pop("out", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"einsum: unexpected keyword arguments {sorted(kwargs)}")
    if not operands or not isinstance(operands[0], str):
        raise TypeError("einsum: the first argument must be the subscripts string")
    subscripts, arrays = operands[0], [asarray(x) for x in operands[1:]]
    dtypes = {x.dtype for x in arrays}
    if len(dtypes) > 1:
        raise TypeError(f"einsum: all operands must have one dtype, got "
                        f"{sorted(str(d) for d in dtypes)}")
    attrs = {"subscripts": subscripts, "num_args": len(arrays)}
    op = get_op("_npi_einsum")
    shape = op.infer_shape(op.parse_attrs(attrs), [x.shape for x in arrays])[1][0]
    result = _reshape_exact(_call("_npi_einsum", arrays, attrs), shape)   # (1,) -> ()
    if out is not None:
        out[...] = result
        return out
    return result


def diag_indices_from(arr):
    """The indices of the main diagonal of a square array: ``arr.ndim`` copies of
    ``arange(n)`` (int64)."""
    if arr.ndim < 2 or len(set(arr.shape)) != 1:
        raise ValueError(f"diag_indices_from: input array must be at least 2-d and all "
                         f"dimensions of equal length, got shape {arr.shape}")
    idx = array(_np.arange(arr.shape[0]), dtype=_np.int64, ctx=arr.context)
    return tuple(idx.copy() for _ in range(arr.ndim))


def indices(dimensions, dtype=_np.int32, ctx=None):
    """The grid of indices: shape ``(len(dimensions),) + dimensions``, where
    ``out[i]`` holds each element's index along axis i (int32 by default, as MXNet)."""
    dims = tuple(dimensions)
    grid = _np.indices(dims, dtype=_np.int64) if dims else _np.zeros((0,), _np.int64)
    return array(grid, dtype=dtype, ctx=ctx)


