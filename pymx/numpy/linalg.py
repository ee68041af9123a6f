"""``mx.np.dot``, ``mx.np.matmul`` and ``mx.np.linalg``.

``dot`` is the legacy ``dot`` operator with NumPy's result shapes: for 1-D by 1-D the
inner product is a zero-dim array (legacy: shape ``(1,)``); 2-D by 2-D is the matrix
product; N-D by 1-D or 2-D sums over the last axis of ``a`` and the first of ``b``.
``matmul`` (``a @ b``) is ``dot`` up to two dimensions and ``batch_dot`` for stacks
of matrices with the same leading axes.

``mx.np.linalg`` treats the last two axes as the matrix and leading axes as a batch.
Where MXNet 1.9.1 has a gradient, the function is built from the legacy ``linalg_*``
operators, which have one: ``inv`` (``linalg_inverse``), ``det``/``slogdet``,
``cholesky`` (``linalg_potrf``), ``solve`` (``inv(a) @ b``), ``tensorinv`` and
``tensorsolve`` (reshapes around them).  ``svd``, ``pinv``, ``eig``, ``eigh``,
``eigvals`` and ``eigvalsh`` are host computations (``numpy.linalg``) without a
gradient (MXNet 1.9.1 has one for ``svd`` only); ``cond``, ``lstsq``,
``matrix_power``, ``matrix_rank``, ``multi_dot`` and ``qr`` are MXNet's NumPy
fallbacks (``pymx.numpy.fallback``).  Results are float32 for float32 input.
"""
import numpy as _onp

from ..ndarray import op as _nd
from ..ndarray.indexing import _reshape_exact
from ..ndarray.ndarray import NDArray
from ..base import MXNetError
from .fallback import LINALG_FALLBACK_NAMES, fallback

__all__ = ["norm", "svd", "cholesky", "inv", "det", "slogdet", "solve", "tensorinv",
           "tensorsolve", "pinv", "eig", "eigh", "eigvals", "eigvalsh"] + \
    list(LINALG_FALLBACK_NAMES)


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


# ---- decompositions, inverses and solves ------------------------------------------------
def _square(fn, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise MXNetError(f"{fn}: input must be a (batch of) square matrices, got shape "
                         f"{a.shape}")
    if a.dtype not in (_onp.float32, _onp.float64):
        raise MXNetError(f"{fn}: only float32 and float64 are supported, got {a.dtype}")


def inv(a):
    """The inverse of each square matrix (``linalg_inverse``; gradient
    ``-A^-T dY A^-T``).  A singular matrix raises MXNetError."""
    _square("inv", a)
    return _nd.linalg_inverse(a)


def det(a):
    """The determinant of each square matrix (zero-dim for one matrix); gradient
    ``dy * det(A) * A^-T``."""
    _square("det", a)
    return _reshape_exact(_nd.linalg_det(a), a.shape[:-2])


def slogdet(a):
    """``(sign, log|det|)`` of each square matrix, each zero-dim for one matrix (the
    log form does not overflow).  Differentiable through ``log|det|``."""
    _square("slogdet", a)
    sign, logdet = _nd.linalg_slogdet(a)
    return _reshape_exact(sign, a.shape[:-2]), _reshape_exact(logdet, a.shape[:-2])


def cholesky(a):
    """The lower triangular ``L`` with ``a = L @ L.T`` for symmetric positive definite
    ``a`` (``linalg_potrf``, differentiable)."""
    _square("cholesky", a)
    return _nd.linalg_potrf(a)


def solve(a, b):
    """``x`` with ``a @ x = b``: ``b`` is (..., M) (one right-hand side per matrix) or
    (..., M, K).  Computed as ``inv(a) @ b``, so the gradient is those ops'."""
    _square("solve", a)
    vector = b.ndim == a.ndim - 1
    bm = _reshape_exact(b, b.shape + (1,)) if vector else b
    if bm.shape[-2] != a.shape[-1] or bm.shape[:-2] != a.shape[:-2]:
        raise MXNetError(f"solve: shapes {a.shape} and {b.shape} do not match")
    x = _nd.linalg_gemm2(_nd.linalg_inverse(a), bm.astype(a.dtype))
    return _reshape_exact(x, b.shape) if vector else x


def tensorinv(a, ind=2):
    """The inverse of ``a`` seen as a matrix from its first ``ind`` axes to the rest:
    ``tensordot(tensorinv(a), a, ind)`` is the identity; the result has shape
    ``a.shape[ind:] + a.shape[:ind]``."""
    if ind <= 0:
        raise ValueError(f"tensorinv: Invalid ind argument {ind}")
    rows, cols = int(_onp.prod(a.shape[:ind])), int(_onp.prod(a.shape[ind:]))
    if rows != cols:
        raise MXNetError(f"tensorinv: a.shape[:ind] and a.shape[ind:] must have equal "
                         f"products, got {a.shape} with ind={ind}")
    return _reshape_exact(inv(_reshape_exact(a, (rows, cols))), a.shape[ind:] + a.shape[:ind])


def tensorsolve(a, b, axes=None):
    """``x`` with ``tensordot(a, x, x.ndim) == b``; ``x`` has shape
    ``a.shape[b.ndim:]``.  ``axes`` first moves those axes of ``a`` to the end."""
    if axes is not None:
        from .manipulation import moveaxis
        for k in sorted(ax % a.ndim for ax in axes)[::-1]:
            a = moveaxis(a, k, -1)
    x_shape = a.shape[b.ndim:]
    rows, cols = int(_onp.prod(a.shape[:b.ndim])), int(_onp.prod(x_shape))
    if rows != cols:
        raise MXNetError(f"tensorsolve: a of shape {a.shape} is not square over b's "
                         f"shape {b.shape}")
    x = solve(_reshape_exact(a, (rows, cols)), _reshape_exact(b, (rows,)))
    return _reshape_exact(x, x_shape)


def _host(fn, a, *args):
    from .creation import array
    out = fn(a.asnumpy(), *args)
    if isinstance(out, tuple):
        return tuple(array(_onp.ascontiguousarray(o), dtype=a.dtype, ctx=a.context)
                     for o in out)
    return array(_onp.ascontiguousarray(out), dtype=a.dtype, ctx=a.context)


def svd(a):
    """``(ut, s, v)`` with ``a = ut @ diag(s) @ v`` for (..., M, N) matrices with
    M <= N (MXNet's restriction): ``ut`` (M, M) orthogonal, ``s`` the M singular
    values in descending order, ``v`` (M, N) with orthonormal rows.  Host computation
    without a gradient in pymx (MXNet 1.9.1 has one)."""
    if a.ndim < 2 or a.shape[-2] > a.shape[-1]:
        raise MXNetError(f"svd: Input A shape wrong: The second to last dimension must be "
                         f"less than or equal to the last dimension, got {a.shape}")
    return _host(lambda x: tuple(_onp.linalg.svd(x, full_matrices=False)), a)


def pinv(a, rcond=1e-15, hermitian=False):
    """The Moore-Penrose pseudo-inverse: ``v.T @ diag(1/s) @ ut.T`` over the singular
    values ``s > rcond * max(s)`` (host computation, no gradient, as MXNet 1.9.1)."""
    rc = rcond.asnumpy() if hasattr(rcond, "asnumpy") else rcond
    return _host(lambda x: _onp.linalg.pinv(x, rc, hermitian=hermitian), a)


def _real(fn, w):
    if _onp.iscomplexobj(w) and _onp.any(_onp.abs(w.imag) > 1e-15):
        raise MXNetError(f"{fn}: Complex eigvals is unsupported in linalg temporary.")
    return _onp.real(w)


def eig(a):
    """``(w, v)``: eigenvalues and eigenvectors (columns of ``v``) of a general square
    matrix; complex eigenvalues raise MXNetError (MXNet has no complex arrays).  Host
    computation, no gradient."""
    _square("eig", a)
    return _host(lambda x: tuple(_real("eig", r) for r in _onp.linalg.eig(x)), a)


def eigvals(a):
    """The eigenvalues of a general square matrix (real only; see ``eig``)."""
    _square("eigvals", a)
    return _host(lambda x: _real("eigvals", _onp.linalg.eigvals(x)), a)


def eigh(a, UPLO="L"):
    """``(w, v)`` of a symmetric matrix: ascending eigenvalues and orthonormal
    eigenvectors (columns of ``v``), reading the ``UPLO`` ('L' or 'U') triangle.
    Host computation, no gradient (as MXNet 1.9.1)."""
    _square("eigh", a)
    return _host(lambda x: tuple(_onp.linalg.eigh(x, UPLO)), a)


def eigvalsh(a, UPLO="L"):
    """The ascending eigenvalues of a symmetric matrix (see ``eigh``)."""
    _square("eigvalsh", a)
    return _host(lambda x: _onp.linalg.eigvalsh(x, UPLO), a)


for _name in LINALG_FALLBACK_NAMES:
    globals()[_name] = fallback(getattr(_onp.linalg, _name), _name)
