"""``mx.np.dot``, ``mx.np.matmul`` and ``mx.np.linalg.norm``.

``dot`` is the legacy ``dot`` operator with NumPy's result shapes: for 1-D by 1-D the
inner product is a zero-dim array (legacy: shape ``(1,)``); 2-D by 2-D is the matrix
product; N-D by 1-D or 2-D sums over the last axis of ``a`` and the first of ``b``.
``matmul`` (``a @ b``) is ``dot`` up to two dimensions and ``batch_dot`` for stacks
of matrices with the same leading axes.
"""
from ..ndarray import op as _nd
from ..ndarray.indexing import _reshape_exact
from ..ndarray.ndarray import NDArray

__all__ = ["norm"]


def _check(fn, a, b):
    if not isinstance(a, NDArray) or not isinstance(b, NDArray):
        raise TypeError(f"{fn}: both operands must be mx.np arrays, got "
                        f"{type(a).__name__} and {type(b).__name__}")


def dot(a, b, out=None):
    """``sum_k a[..., k] * b[k, ...]``; scalars (0-d) multiply."""
    _check("dot", a, b)
    if a.ndim == 0 or b.ndim == 0:
        result = a * b
    elif b.ndim > 2:
        raise ValueError(f"dot: b with more than 2 dimensions is not supported, got shapes "
                         f"{a.shape} and {b.shape}")
    else:
        result = _nd.dot(a, b)
        if a.ndim == 1 and b.ndim == 1:
            result = _reshape_exact(result, ())
    if out is not None:
        out[...] = result
        return out
    return result


def matmul(a, b, out=None):
    """The matrix product ``a @ b``; arrays with more than 2 axes are stacks of
    matrices (same leading axes on both sides)."""
    _check("matmul", a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    if a.ndim <= 2 and b.ndim <= 2:
        return dot(a, b, out)
    if a.ndim != b.ndim or a.shape[:-2] != b.shape[:-2]:
        raise ValueError(f"matmul: stacks of matrices need the same leading axes, got "
                         f"shapes {a.shape} and {b.shape}")
    lead = a.shape[:-2]
    result = _nd.batch_dot(a.reshape((-1,) + a.shape[-2:]), b.reshape((-1,) + b.shape[-2:]))
    result = result.reshape(lead + result.shape[-2:])
    if out is not None:
        out[...] = result
        return out
    return result


def norm(x, ord=None, axis=None, keepdims=False):
    """The 2-norm ``sqrt(sum(x**2))`` of the flattened array (``ord=None``; for a
    matrix the Frobenius norm) or along ``axis``; ``ord=1``: the sum of absolute values
    along ``axis``.  Reducing every axis gives a zero-dim array."""
    if ord not in (None, 2, 1, "fro"):
        raise ValueError(f"norm: ord={ord!r} is not supported (None, 'fro', 1 or 2)")
    if ord == 2 and (axis is None and x.ndim == 2 or isinstance(axis, tuple)):
        raise ValueError("norm: the matrix 2-norm (largest singular value) is not supported")
    legacy_ord = 1 if ord == 1 else 2
    y = _nd.norm(x, ord=legacy_ord, axis=axis, keepdims=keepdims)
    every = axis is None or len((axis,) if isinstance(axis, int) else axis) == x.ndim
    return _reshape_exact(y, ()) if every and not keepdims else y
