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


def float_only(fn, a, b):
    """MXNet 1.9.1's ``dot``-based kernels (``dot``, ``tensordot``, ``outer``...) are
    float32/float64 only on CPU: integer, bool or float16 input is an MXNetError."""
    if a.dtype not in (_onp.float32, _onp.float64) or \
            b.dtype not in (_onp.float32, _onp.float64):
        raise MXNetError(f"{fn}: only float32/float64 arrays are supported on CPU, got "
                         f"{a.dtype} and {b.dtype}")


def dot(a, b, out=None):
    """``sum_k a[..., k] * b[k, ...]``; scalars (0-d) multiply.  Float arrays only, as
    MXNet 1.9.1's CPU kernel (integer input is an MXNetError)."""
    _check("dot", a, b)
    float_only("dot", a, b)
    if a.ndim == 0 or b.ndim == 0:
        result = a * b
    elif b.ndim > 2:                   # sum over a's last axis and b's second-to-last
        from .matrices import tensordot
        result = tensordot(a, b, ([a.ndim - 1], [b.ndim - 2]))
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
    matrices whose leading axes broadcast (``(2, 3, 4) @ (4, 5)`` is ``(2, 3, 5)``); a
    1-D operand is a row (left) or column (right) vector, its axis removed after."""
    _check("matmul", a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise MXNetError("matmul: Input operand does not have enough dimensions")
    if a.ndim <= 2 and b.ndim <= 2:
        return dot(a, b, out)
    float_only("matmul", a, b)
    a2 = _reshape_exact(a, (1,) + a.shape) if a.ndim == 1 else a
    b2 = _reshape_exact(b, b.shape + (1,)) if b.ndim == 1 else b
    try:
        lead = tuple(_onp.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]))
    except ValueError:
        raise MXNetError(f"matmul: the stacks of shapes {a.shape} and {b.shape} do not "
                         f"broadcast") from None
    from .manipulation import broadcast_to
    a2, b2 = broadcast_to(a2, lead + a2.shape[-2:]), broadcast_to(b2, lead + b2.shape[-2:])
    result = _nd.batch_dot(_reshape_exact(a2, (-1,) + a2.shape[-2:]),
                           _reshape_exact(b2, (-1,) + b2.shape[-2:]))
    shape = lead + (a2.shape[-2], b2.shape[-1])
    shape = shape[:-2] + shape[-2 + (a.ndim == 1):len(shape) - (b.ndim == 1)] \
        if a.ndim == 1 or b.ndim == 1 else shape
    result = _reshape_exact(result, shape)
    if out is not None:
        out[...] = result
        return out
    return result


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector and matrix norms, as MXNet 1.9.1 computes them.

    * ``ord=None`` without ``axis``: the 2-norm ``sqrt(sum(x**2))`` of the flattened
      array (for a matrix: the Frobenius norm).
    * Vector norms (1-D ``x``, or an int ``axis``): ``ord=2``/None the 2-norm, 1 the sum
      of ``|x|``, 0 the count of non-zeros, any other p ``sum(|x|**p)**(1/p)`` over the
      non-zero elements (also negative p); ``ord=inf``/``-inf`` are an MXNetError in
      MXNet 1.9.1.
    * Matrix norms (2-D ``x``, a 2-tuple ``axis``, or the last two axes of N-D ``x``
      when ``ord`` is given): None/'fro' Frobenius, 1/-1 the largest/smallest column
      sum of ``|x|``, inf/-inf the largest/smallest row sum, 2/-2/'nuc' the
      largest/smallest/sum of the singular values (host SVD, no gradient; MXNet refuses
      a matrix with more rows than columns).  MXNet 1.9.1 treats another number p as
      inf (p > 0) or -inf (p <= 0).

    Reducing every axis gives a zero-dim array."""
    if ord is None and axis is None:
        y = _nd.norm(x, ord=2, axis=None, keepdims=keepdims)
        return y if keepdims else _reshape_exact(y, ())
    if axis is None:
        axis = (0,) if x.ndim == 1 else (x.ndim - 2, x.ndim - 1)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(a % x.ndim for a in axes)
    if len(axes) == 1:
        y = _vector_norm(x, ord, axes[0])
    elif len(axes) == 2:
        y = _matrix_norm(x, ord, axes)
    else:
        raise ValueError(f"norm: improper number of dimensions to norm: axis={axis}")
    if keepdims:
        return _reshape_exact(y, tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    return _reshape_exact(y, tuple(d for i, d in enumerate(x.shape) if i not in axes))


def _vector_norm(x, ord, axis):
    """The vector norm of ``x`` along ``axis``, keeping it (size 1)."""
    from .elementwise import binary
    if ord in (None, 2, "fro"):
        return _nd.norm(x, ord=2, axis=axis, keepdims=True)
    if ord == 1:
        return _nd.norm(x, ord=1, axis=axis, keepdims=True)
    if ord in (_onp.inf, -_onp.inf):
        raise MXNetError("norm: ord=inf/-inf vector norms are not supported by MXNet 1.9.1")
    if isinstance(ord, str):
        raise MXNetError(f"norm: invalid norm order {ord!r} for vectors")
    nonzero = binary("not_equal", x, 0).astype(x.dtype)
    if ord == 0:
        return _nd.sum(nonzero, axis=axis, keepdims=True)
    # MXNet 1.9.1 leaves zeros out of the sum (so a negative p gives no 0**p = inf)
    terms = binary("power", _nd.abs(x) + (1 - nonzero), float(ord)) * nonzero
    return binary("power", _nd.sum(terms, axis=axis, keepdims=True), 1.0 / ord)


def _matrix_norm(x, ord, axes):
    """The matrix norm over ``axes`` (rows, columns), keeping both (size 1)."""
    rows, cols = axes
    if ord in (None, "fro"):
        return _nd.sqrt(_nd.sum(x * x, axis=axes, keepdims=True))
    if ord in (2, -2, "nuc"):
        return _singular_norm(x, ord, rows, cols)
    if isinstance(ord, str):
        raise ValueError(f"norm: invalid norm order {ord!r} for matrices")
    if ord not in (1, -1):
        ord = _onp.inf if ord > 0 else -_onp.inf        # MXNet 1.9.1's treatment
    summed, over = (rows, cols) if ord in (1, -1) else (cols, rows)
    sums = _nd.sum(_nd.abs(x), axis=summed, keepdims=True)
    pick = _nd.max if ord in (1, _onp.inf) else _nd.min
    return pick(sums, axis=over, keepdims=True)


def _singular_norm(x, ord, rows, cols):
    from .creation import array
    host = _onp.moveaxis(x.asnumpy(), (rows, cols), (-2, -1))
    if host.shape[-2] > host.shape[-1]:
        raise MXNetError(f"norm: ord={ord!r} needs rows <= columns in MXNet 1.9.1, got a "
                         f"{host.shape[-2]}x{host.shape[-1]} matrix")
    sv = _onp.linalg.svd(host, compute_uv=False)
    value = sv.max(-1) if ord == 2 else sv.min(-1) if ord == -2 else sv.sum(-1)
    keep = [1 if i in (rows, cols) else d for i, d in enumerate(x.shape)]
    return array(value.reshape(keep), dtype=x.dtype, ctx=x.context)


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
    """``[sign, log|det|]`` (a list, as MXNet 1.9.1) of each square matrix, each
    zero-dim for one matrix (the log form does not overflow).  Differentiable through
    ``log|det|``."""
    _square("slogdet", a)
    sign, logdet = _nd.linalg_slogdet(a)
    return [_reshape_exact(sign, a.shape[:-2]), _reshape_exact(logdet, a.shape[:-2])]


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
