"""Linear algebra: ``dot``, ``batch_dot``, ``khatri_rao`` and the ``linalg_*`` family.

Products are backend kernels (``k.matmul``, ``k.batch_matmul``).  Factorizations and
solves (``potrf``, ``potri``, ``trsm``, ``inverse``, ``det``, ``slogdet``, ``gelqf``,
``syevd``) have no kernel in the contract: they are **host computations** that copy
the matrices to NumPy (``k.to_numpy``), call ``numpy.linalg`` and upload the result
(``k.from_numpy``).  That is slow on an accelerator but simple and exact.

``linalg_*`` ops treat the last two axes as the matrix and all leading axes as a batch
(batch shapes must be equal: there is no broadcasting).  MXNet registers them as
``_linalg_X`` with the alias ``linalg_X`` (``nd.linalg.X``); only float32 and float64
are supported.

The gradient rules follow ``src/operator/tensor/la_op-inl.h`` and are written with
these same ops, so they work under ``mx.sym`` and give higher-order gradients.
Notation in the docstrings: ``op(A)`` is ``A`` or ``A^T`` as the transpose flag says;
``tril``/``triu`` keep the lower/upper triangle.
"""
import math

import numpy as np

from ..base import MXNetError
from .registry import Param, register, uniform_type
from .util import check_same_dtype


# ---- helpers -----------------------------------------------------------------------------
def _shape(x):
    return tuple(x.shape)


def _check_float(op, *xs):
    for x in xs:
        if np.dtype(x.dtype) not in (np.float32, np.float64):
            raise MXNetError(f"{op}: this operation only supports 32-bit and 64-bit "
                             f"floating point, got {np.dtype(x.dtype).name}")


def _check_matrices(op, *shapes, square=False, batch=True):
    """Every input has >= 2 dims and (``batch``) one batch shape; square if asked."""
    for s in shapes:
        if len(s) < 2:
            raise MXNetError(f"{op}: input must have at least 2 dimensions, got {s}")
        if square and s[-1] != s[-2]:
            raise MXNetError(f"{op}: input must be a tensor of square matrices, got {s}")
    if batch and any(s[:-2] != shapes[0][:-2] for s in shapes):
        raise MXNetError(f"{op}: batch dimensions must be equal, got "
                         f"{' and '.join(map(str, shapes))}")


def _bmm(k, a, b, ta=False, tb=False):
    """``op(a) @ op(b)`` over matching leading batch axes, with the matmul kernels."""
    if len(a.shape) == 2:
        return k.matmul(a, b, ta, tb)
    batch = _shape(a)[:-2]
    n = math.prod(batch)
    out = k.batch_matmul(k.reshape(a, (n,) + _shape(a)[-2:]),
                         k.reshape(b, (n,) + _shape(b)[-2:]), ta, tb)
    return k.reshape(out, batch + _shape(out)[-2:])


def _swap_last(k, x):
    nd = len(x.shape)
    return k.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _host(k, fn, *xs):
    """Run ``fn`` on host (NumPy) copies of ``xs``; upload the result(s)."""
    out = fn(*[k.to_numpy(x) for x in xs])
    if isinstance(out, tuple):
        return tuple(k.from_numpy(np.ascontiguousarray(o)) for o in out)
    return k.from_numpy(np.ascontiguousarray(out))


def _legacy(shape):
    return tuple(shape) or (1,)


def _mm_grads(mm, A, B, dY, ta, tb):
    """Gradients of ``Y = op(A) op(B)`` written with ``mm(x, y, ta, tb)`` only."""
    # BEGIN EXERCISE dot_grad
    if not ta and not tb:            # Y = A B:      dA = dY B^T,   dB = A^T dY
        return mm(dY, B, False, True), mm(A, dY, True, False)
    if ta and not tb:                # Y = A^T B:    dA = B dY^T,   dB = A dY
        return mm(B, dY, False, True), mm(A, dY, False, False)
    if not ta and tb:                # Y = A B^T:    dA = dY B,     dB = dY^T A
        return mm(dY, B, False, False), mm(dY, A, True, False)
    return mm(B, dY, True, True), mm(dY, A, True, True)   # Y = A^T B^T
    # END EXERCISE dot_grad


# ---- dot ------------------------------------------------------------------------------------
def _dot_views(op, ls, rs, ta, tb):
    """MXNet's ``DotShape``: the 2-D views of lhs and rhs and the output shape.

    Not transposed, lhs is ``(prod(ls[:-1]), ls[-1])`` and rhs ``(rs[0], prod(rs[1:]))``;
    ``transpose_a`` views lhs as ``(ls[0], prod(ls[1:]))`` (its *first* axis is
    contracted), ``transpose_b`` views rhs as ``(prod(rs[:-1]), rs[-1])``.
    """
    if len(ls) == 0 or len(rs) == 0:
        raise MXNetError(f"{op}: scalar tensors are not supported, got lhs {ls} and rhs {rs}")
    if len(ls) == 1 and len(rs) == 1 and (ta or tb):
        raise MXNetError(f"{op}: cannot transpose vectors (lhs {ls}, rhs {rs})")
    lv = (ls[0], math.prod(ls[1:])) if ta else (math.prod(ls[:-1]), ls[-1])
    rv = (math.prod(rs[:-1]), rs[-1]) if tb else (rs[0], math.prod(rs[1:]))
    if lv[0 if ta else 1] != rv[1 if tb else 0]:
        raise MXNetError(f"{op}: shape error: lhs {ls} X rhs {rs} with transpose_a={ta}, "
                         f"transpose_b={tb}: contracted sizes {lv[0 if ta else 1]} and "
                         f"{rv[1 if tb else 0]} differ")
    out = (ls[1:] if ta else ls[:-1]) if len(ls) > 1 else ()
    out += (rs[:-1] if tb else rs[1:]) if len(rs) > 1 else ()
    return lv, rv, _legacy(out)


def _check_dot_dtypes(op, lhs, rhs):
    """One dtype, and a float one: MXNet's dot has no integer kernel.  (float16, which
    MXNet 1.9.1 computes on GPU only, pymx computes everywhere.)"""
    check_same_dtype(op, lhs, rhs)
    if lhs.dtype.kind != "f":
        raise MXNetError(f"{op}: only floating point dtypes are supported, got "
                         f"{np.dtype(lhs.dtype).name}")


def _dot(k, a, lhs, rhs):
    _check_dot_dtypes("dot", lhs, rhs)
    lv, rv, out = _dot_views("dot", _shape(lhs), _shape(rhs), a.transpose_a, a.transpose_b)
    y = k.matmul(k.reshape(lhs, lv), k.reshape(rhs, rv), a.transpose_a, a.transpose_b)
    return k.reshape(y, out)


def _backward_dot(k, a, dy, lhs, rhs):
    ta, tb = a.transpose_a, a.transpose_b
    lv, rv, _ = _dot_views("_backward_dot", _shape(lhs), _shape(rhs), ta, tb)
    dy2 = k.reshape(dy, (lv[1] if ta else lv[0], rv[0] if tb else rv[1]))
    mm = lambda x, y, tx, ty: k.matmul(x, y, tx, ty)           # noqa: E731
    dl, dr = _mm_grads(mm, k.reshape(lhs, lv), k.reshape(rhs, rv), dy2, ta, tb)
    return k.reshape(dl, _shape(lhs)), k.reshape(dr, _shape(rhs))


def _backward_dot_gradient(F, a, xs, ys, dys):
    # outputs (dA, dB) = (Ja(dy, B), Jb(dy, A)) are bilinear; with heads gA, gB:
    # d/d dy = dot(gA, B) + dot(A, gB);  (d/dA, d/dB) = _backward_dot(dy, gA, gB).
    dy, lhs, rhs = xs
    ga, gb = dys
    kw = dict(transpose_a=a.transpose_a, transpose_b=a.transpose_b)
    d = F._backward_dot(dy, ga, gb, **kw)
    return [F.dot(ga, rhs, **kw) + F.dot(lhs, gb, **kw), d[0], d[1]]


_TRANSPOSE_PARAMS = {"transpose_a": Param("bool", False), "transpose_b": Param("bool", False),
                     "forward_stype": Param("str", None, choices=(None, "default", "csr",
                                                                 "row_sparse"))}

register("dot", _dot, inputs=("lhs", "rhs"), params=_TRANSPOSE_PARAMS,
         infer_type=uniform_type,
         shape=lambda a, l, r: _dot_views("dot", l, r, a.transpose_a, a.transpose_b)[2],
         gradient=lambda F, a, xs, ys, dys: list(F._backward_dot(
             dys[0], xs[0], xs[1], transpose_a=a.transpose_a, transpose_b=a.transpose_b)),
         doc="Dot product; for N-d arrays it contracts the **last** axis of ``lhs`` with "
             "the **first** axis of ``rhs``: ``out[i.., j..] = sum_k lhs[i.., k] rhs[k, "
             "j..]``, out shape ``lhs.shape[:-1] + rhs.shape[1:]``.\n\n"
             "MXNet's N-d transposes (``DotShape``): ``transpose_a=True`` contracts "
             "lhs's *first* axis (lhs viewed as ``(lhs.shape[0], rest)``, transposed) "
             "and keeps ``lhs.shape[1:]``; ``transpose_b=True`` contracts rhs's *last* "
             "axis and keeps ``rhs.shape[:-1]``.  1-D . 1-D gives shape ``(1,)`` and may "
             "not be transposed.  Mismatched contracted sizes raise MXNetError naming "
             "both shapes.  ``forward_stype`` (sparse output) is accepted and ignored.")

register("_backward_dot", _backward_dot, inputs=("ograd", "lhs", "rhs"),
         params=_TRANSPOSE_PARAMS, outputs=("lhs_grad", "rhs_grad"),
         infer_shape=lambda a, s: (s, [s[1], s[2]]),
         gradient=_backward_dot_gradient,
         doc="The gradient of ``dot``: ``(d lhs, d rhs)`` given the head gradient "
             "``ograd``; computed on MXNet's 2-D views of lhs and rhs.")


# ---- batch_dot ------------------------------------------------------------------------------
def _batch_dot_shape(a, ls, rs):
    op = "batch_dot"
    if len(ls) < 3 or len(rs) < 3 or len(ls) != len(rs):
        raise MXNetError(f"{op}: only supports N-D x N-D arrays with N >= 3, got lhs "
                         f"{ls} and rhs {rs}")
    if ls[:-2] != rs[:-2]:
        raise MXNetError(f"{op}: the leading batch dimensions must be equal, got lhs "
                         f"{ls} and rhs {rs}")
    m, kl = (ls[-1], ls[-2]) if a.transpose_a else (ls[-2], ls[-1])
    kr, n = (rs[-1], rs[-2]) if a.transpose_b else (rs[-2], rs[-1])
    if kl != kr:
        raise MXNetError(f"{op}: shape error: lhs {ls} X rhs {rs} with transpose_a="
                         f"{a.transpose_a}, transpose_b={a.transpose_b}")
    return ls[:-2] + (m, n)


def _batch_dot(k, a, lhs, rhs):
    _check_dot_dtypes("batch_dot", lhs, rhs)
    _batch_dot_shape(a, _shape(lhs), _shape(rhs))
    return _bmm(k, lhs, rhs, a.transpose_a, a.transpose_b)


def _batch_dot_gradient(F, a, xs, ys, dys):
    mm = lambda x, y, tx, ty: F.batch_dot(x, y, transpose_a=tx, transpose_b=ty)  # noqa
    return list(_mm_grads(mm, xs[0], xs[1], dys[0], a.transpose_a, a.transpose_b))


register("batch_dot", _batch_dot, inputs=("lhs", "rhs"), params=_TRANSPOSE_PARAMS,
         infer_type=uniform_type,
         shape=_batch_dot_shape, gradient=_batch_dot_gradient,
         doc="Batched matrix product: ``out[b..] = op(lhs[b..]) @ op(rhs[b..])`` over the "
             "last two axes; the leading (batch) axes must be equal (MXNet 1.9.1 accepts "
             "N >= 3 dims, both inputs with the same N).  (B, M, K) x (B, K, N) -> "
             "(B, M, N).")


# ---- khatri_rao -----------------------------------------------------------------------------
def _khatri_rao_shape(a, *shapes):
    for s in shapes:
        if len(s) != 2 or s[1] != shapes[0][1]:
            raise MXNetError(f"khatri_rao: inputs must be 2-D with the same number of "
                             f"columns, got {list(shapes)}")
    return (math.prod(s[0] for s in shapes), shapes[0][1])


def _khatri_rao(k, a, *xs):
    _khatri_rao_shape(a, *[_shape(x) for x in xs])
    out = k.copy(xs[0])
    for x in xs[1:]:               # out[i * J + j, c] = out[i, c] * x[j, c]
        (i, c), j = _shape(out), x.shape[0]
        full = (i, j, c)
        out = k.binary("multiply", k.broadcast_to(k.reshape(out, (i, 1, c)), full),
                       k.broadcast_to(k.reshape(x, (1, j, c)), full))
        out = k.reshape(out, (i * j, c))
    return out


register("khatri_rao", _khatri_rao, inputs="*data", shape=_khatri_rao_shape,
         doc="Column-wise Kronecker product of 2-D matrices with one number of columns: "
             "for A (I, C) and B (J, C), ``out[i*J + j, c] = A[i, c] * B[j, c]``, shape "
             "(I*J, C); more inputs fold left to right.  Not differentiable (as in MXNet "
             "1.9.1, which registers no gradient; pymx treats it as a constant).")


# ---- private: the matrix transpose ----------------------------------------------------------
register("_linalg_mT", lambda k, a, x: _swap_last(k, x),
         shape=lambda a, s: s[:-2] + (s[-1], s[-2]),
         gradient=lambda F, a, xs, ys, dys: [F._linalg_mT(dys[0])],
         doc="Swap the last two axes (the array API's ``.mT``); used by gradient rules.")


def _tri(F, x, lower=True, offset=0):
    """Keep the lower (upper) triangle of the last two axes, through the packed form."""
    return F.linalg_maketrian(F.linalg_extracttrian(x, offset=offset, lower=lower),
                              offset=offset, lower=lower)


# ---- gemm, gemm2 ----------------------------------------------------------------------------
def _gemm_axis(op, axis, ndim):
    if not -ndim <= axis < ndim:
        raise MXNetError(f"{op}: axis {axis} is out of range for {ndim} dims")
    return axis % ndim


def _move(k, x, src, dst):
    """``numpy.moveaxis`` with the transpose kernel."""
    if src == dst:
        return x
    order = [i for i in range(len(x.shape)) if i != src]
    order.insert(dst, src)
    return k.transpose(x, tuple(order))


def _gemm2_shape(op, a, sa, sb):
    _check_matrices(op, sa, sb, batch=False)
    ax = _gemm_axis(op, a.axis, len(sa))
    mv = lambda s: s[:ax] + s[ax + 1:-1] + (s[ax], s[-1])       # noqa: E731
    ma, mb = mv(sa), mv(sb)
    if ma[:-2] != mb[:-2]:
        raise MXNetError(f"{op}: batch dimensions must be equal, got A {sa} and B {sb}")
    m, ka = (ma[-1], ma[-2]) if a.transpose_a else (ma[-2], ma[-1])
    kb, n = (mb[-1], mb[-2]) if a.transpose_b else (mb[-2], mb[-1])
    if ka != kb:
        raise MXNetError(f"{op}: shape error: A {sa} X B {sb} with transpose_a="
                         f"{a.transpose_a}, transpose_b={a.transpose_b}, axis={a.axis}")
    out = ma[:-2] + (m, n)
    return out[:ax] + (out[-2],) + out[ax:-2] + (out[-1],)


def _gemm_product(k, a, op, A, B):
    _check_float(op, A, B)
    check_same_dtype(op, A, B, names=("A", "B"))
    _gemm2_shape(op, a, _shape(A), _shape(B))
    nd = len(A.shape)
    ax = _gemm_axis(op, a.axis, nd)
    y = _bmm(k, _move(k, A, ax, nd - 2), _move(k, B, ax, nd - 2),
             a.transpose_a, a.transpose_b)
    if a.alpha != 1:
        y = k.binary("multiply", y, a.alpha)
    return _move(k, y, nd - 2, ax)


def _gemm2(k, a, A, B):
    return _gemm_product(k, a, "_linalg_gemm2", A, B)


def _gemm(k, a, A, B, C):
    y = _gemm_product(k, a, "_linalg_gemm", A, B)
    if _shape(C) != _shape(y):
        raise MXNetError(f"_linalg_gemm: C must have the shape of op(A) op(B), "
                         f"{_shape(y)}, got {_shape(C)}")
    return k.binary("add", y, k.binary("multiply", C, a.beta))


def _gemm_mm(F, a):
    return lambda x, y, tx, ty: F.linalg_gemm2(x, y, transpose_a=tx, transpose_b=ty,
                                               alpha=a.alpha, axis=a.axis)


_GEMM2_PARAMS = {"transpose_a": Param("bool", False), "transpose_b": Param("bool", False),
                 "alpha": Param("float", 1.0), "axis": Param("int", -2)}

register("_linalg_gemm2", _gemm2, inputs=("A", "B"), params=_GEMM2_PARAMS,
         aliases=("linalg_gemm2",),
         shape=lambda a, sa, sb: _gemm2_shape("_linalg_gemm2", a, sa, sb),
         gradient=lambda F, a, xs, ys, dys: list(_mm_grads(
             _gemm_mm(F, a), xs[0], xs[1], dys[0], a.transpose_a, a.transpose_b)),
         doc="``out = alpha * op(A) @ op(B)`` on the last two axes (batched over the "
             "leading axes).  ``axis`` (default -2) names the axis that holds the matrix "
             "rows: it is moved next to the last axis (``numpy.moveaxis``) before the "
             "product and back after.")

register("_linalg_gemm", _gemm, inputs=("A", "B", "C"),
         params={"transpose_a": Param("bool", False), "transpose_b": Param("bool", False),
                 "alpha": Param("float", 1.0), "beta": Param("float", 1.0),
                 "axis": Param("int", -2)},
         aliases=("linalg_gemm",),
         shape=lambda a, sa, sb, sc: _gemm2_shape("_linalg_gemm", a, sa, sb),
         gradient=lambda F, a, xs, ys, dys: list(_mm_grads(
             _gemm_mm(F, a), xs[0], xs[1], dys[0], a.transpose_a, a.transpose_b))
             + [dys[0] * a.beta],
         doc="``out = alpha * op(A) @ op(B) + beta * C`` (batched; ``axis`` as in "
             "``linalg_gemm2``).  C has the output's shape.")


# ---- syrk, trmm, trsm -------------------------------------------------------------------------
def _syrk(k, a, A):
    _check_float("_linalg_syrk", A)
    _check_matrices("_linalg_syrk", _shape(A))
    y = _bmm(k, A, A, a.transpose, not a.transpose)
    return k.binary("multiply", y, a.alpha) if a.alpha != 1 else y


def _syrk_gradient(F, a, xs, ys, dys):
    A, G = xs[0], dys[0]
    mm = lambda x, y, tx=False, ty=False: F.linalg_gemm2(            # noqa: E731
        x, y, transpose_a=tx, transpose_b=ty, alpha=a.alpha)
    if a.transpose:                        # Y = alpha A^T A:  dA = alpha A (G + G^T)
        return [mm(A, G) + mm(A, G, ty=True)]
    return [mm(G, A) + mm(G, A, tx=True)]  # Y = alpha A A^T:  dA = alpha (G + G^T) A


register("_linalg_syrk", _syrk, inputs=("A",),
         params={"transpose": Param("bool", False), "alpha": Param("float", 1.0)},
         aliases=("linalg_syrk",),
         shape=lambda a, s: s[:-2] + ((s[-1],) * 2 if a.transpose else (s[-2],) * 2),
         gradient=_syrk_gradient,
         doc="``out = alpha * A @ A^T`` (``transpose=True``: ``alpha * A^T @ A``); "
             "batched over leading axes.")


def _tri_mask(k, A, lower):
    """``A`` with the other triangle set to zero (the mask is built on the host)."""
    n = A.shape[-1]
    mask = np.tril(np.ones((n, n))) if lower else np.triu(np.ones((n, n)))
    mask = k.from_numpy(mask.astype(np.dtype(A.dtype)))
    return k.binary("multiply", A, k.broadcast_to(mask, _shape(A)))


_TRI_PARAMS = {"transpose": Param("bool", False), "rightside": Param("bool", False),
               "lower": Param("bool", True), "alpha": Param("float", 1.0)}


def _tri_check(op, A, B, rightside):
    _check_float(op, A, B)
    check_same_dtype(op, A, B, names=("A", "B"))
    sa, sb = _shape(A), _shape(B)
    _check_matrices(op, sa, sb)
    if sa[-1] != sa[-2]:
        raise MXNetError(f"{op}: A must be a tensor of square matrices, got {sa}")
    if sb[-1 if rightside else -2] != sa[-1]:
        raise MXNetError(f"{op}: shape error: A {sa} and B {sb} with rightside={rightside}")


def _trmm(k, a, A, B):
    _tri_check("_linalg_trmm", A, B, a.rightside)
    T = _tri_mask(k, A, a.lower)
    y = _bmm(k, B, T, False, a.transpose) if a.rightside else _bmm(k, T, B, a.transpose)
    return k.binary("multiply", y, a.alpha) if a.alpha != 1 else y



def _trmm_gradient(F, a, xs, ys, dys):
    A, B, G = xs[0], xs[1], dys[0]
    t, r = a.transpose, a.rightside
    dB = F.linalg_trmm(A, G, transpose=not t, rightside=r, lower=a.lower, alpha=a.alpha)
    mm = lambda x, y, tx=False, ty=False: F.linalg_gemm2(            # noqa: E731
        x, y, transpose_a=tx, transpose_b=ty, alpha=a.alpha)
    if not r:     # Y = alpha M B:  dM = alpha G B^T  (dA = dM, or dM^T if transposed)
        dA = mm(B, G, ty=True) if t else mm(G, B, ty=True)
    else:         # Y = alpha B M:  dM = alpha B^T G
        dA = mm(G, B, tx=True) if t else mm(B, G, tx=True)
    return [_tri(F, dA, a.lower), dB]


register("_linalg_trmm", _trmm, inputs=("A", "B"), params=_TRI_PARAMS,
         aliases=("linalg_trmm",), shape=lambda a, sa, sb: sb, gradient=_trmm_gradient,
         doc="Triangular matrix multiply: ``out = alpha * op(T) @ B`` (``rightside=True``: "
             "``alpha * B @ op(T)``) where T is the lower (``lower=True``) or upper "
             "triangle of the square matrix A; the other triangle of A is ignored.")


def _trsm_host(t, r, lower, alpha):
    def solve(A, B):
        T = np.tril(A) if lower else np.triu(A)
        M = np.swapaxes(T, -1, -2) if t else T
        if r:                              # X M = alpha B  <=>  M^T X^T = alpha B^T
            X = np.swapaxes(np.linalg.solve(np.swapaxes(M, -1, -2),
                                            np.swapaxes(B, -1, -2)), -1, -2)
        else:
            X = np.linalg.solve(M, B)
        return (alpha * X).astype(A.dtype)
    return solve


def _trsm(k, a, A, B):
    _tri_check("_linalg_trsm", A, B, a.rightside)
    return _host(k, _trsm_host(a.transpose, a.rightside, a.lower, a.alpha), A, B)


def _trsm_gradient(F, a, xs, ys, dys):
    A, Y, G = xs[0], ys[0], dys[0]
    t, r = a.transpose, a.rightside
    # H = M^-T G (left) or G M^-T (right), M = op(T);  dB = alpha H
    H = F.linalg_trsm(A, G, transpose=not t, rightside=r, lower=a.lower)
    mm = lambda x, y, tx=False, ty=False: F.linalg_gemm2(            # noqa: E731
        x, y, transpose_a=tx, transpose_b=ty, alpha=-1.0)
    if not r:     # dM = -H Y^T
        dA = mm(Y, H, ty=True) if t else mm(H, Y, ty=True)
    else:         # dM = -Y^T H
        dA = mm(H, Y, tx=True) if t else mm(Y, H, tx=True)
    return [_tri(F, dA, a.lower), H * a.alpha]


register("_linalg_trsm", _trsm, inputs=("A", "B"), params=_TRI_PARAMS,
         aliases=("linalg_trsm",), shape=lambda a, sa, sb: sb, gradient=_trsm_gradient,
         doc="Triangular solve: ``out = alpha * op(T)^-1 @ B`` (``rightside=True``: "
             "``alpha * B @ op(T)^-1``), T the lower/upper triangle of A.  Host "
             "computation (``numpy.linalg.solve``).")


# ---- potrf, potri -------------------------------------------------------------------------------
def _cholesky(A):
    try:
        return np.linalg.cholesky(A)          # reads only the lower triangle
    except np.linalg.LinAlgError:
        raise MXNetError("_linalg_potrf: the Cholesky factorization failed; the input "
                         "matrix must be symmetric positive definite") from None


def _potrf(k, a, A):
    _check_float("_linalg_potrf", A)
    _check_matrices("_linalg_potrf", _shape(A), square=True)
    return _host(k, _cholesky, A)


def _potrf_gradient(F, a, xs, ys, dys):
    L, G = ys[0], dys[0]
    # dA = 1/2 L^-T copyLTU(L^T G) L^-1, copyLTU mirrors the lower triangle upwards
    P = F.linalg_gemm2(L, G, transpose_a=True)
    S = _tri(F, P) + F._linalg_mT(_tri(F, P, offset=-1))
    X = F.linalg_trsm(L, S, transpose=True)                 # L^-T S
    return [F.linalg_trsm(L, X, rightside=True, alpha=0.5)]  # ... L^-1, halved


register("_linalg_potrf", _potrf, inputs=("A",), aliases=("linalg_potrf",),
         gradient=_potrf_gradient,
         doc="Cholesky factor: the lower triangular L with ``A = L @ L^T`` (upper triangle "
             "0), for symmetric positive definite A; only A's lower triangle is read.  "
             "Host computation.  The gradient is symmetric: ``1/2 L^-T copyLTU(L^T dL) "
             "L^-1`` (MXNet's formula).")


def _potri_host(L):
    Li = np.linalg.inv(np.tril(L))
    return (np.swapaxes(Li, -1, -2) @ Li).astype(L.dtype)


def _potri(k, a, A):
    _check_float("_linalg_potri", A)
    _check_matrices("_linalg_potri", _shape(A), square=True)
    return _host(k, _potri_host, A)


def _potri_gradient(F, a, xs, ys, dys):
    L, Y, G = xs[0], ys[0], dys[0]
    # Y = L^-T L^-1:  dL = tril(-Y (G + G^T) L^-T)
    M = F.linalg_gemm2(Y, G) + F.linalg_gemm2(Y, G, transpose_b=True)
    return [_tri(F, F.linalg_trsm(L, M, rightside=True, transpose=True, alpha=-1.0))]


register("_linalg_potri", _potri, inputs=("A",), aliases=("linalg_potri",),
         gradient=_potri_gradient,
         doc="Inverse from a Cholesky factor: for lower triangular L (only its lower "
             "triangle is read) ``out = (L @ L^T)^-1``.  Host computation.")


# ---- sumlogdiag, inverse, det, slogdet -------------------------------------------------------
def _diag_index(k, n, offset):
    """Host-built row and column indices of diagonal ``offset`` of an n x n matrix."""
    i = np.arange(n - abs(offset))
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    return k.from_numpy(rows), k.from_numpy(cols)


def _sumlogdiag(k, a, A):
    _check_float("_linalg_sumlogdiag", A)
    _check_matrices("_linalg_sumlogdiag", _shape(A), square=True)
    rows, cols = _diag_index(k, A.shape[-1], 0)
    d = k.getitem(A, (Ellipsis, rows, cols))
    y = k.reduce("sum", k.unary("log", d), (len(d.shape) - 1,), False)
    return k.reshape(y, _legacy(_shape(y)))


register("_linalg_sumlogdiag", _sumlogdiag, inputs=("A",), aliases=("linalg_sumlogdiag",),
         shape=lambda a, s: _legacy(s[:-2]),
         gradient=lambda F, a, xs, ys, dys: [F.linalg_makediag(
             F._reduce_grad_expand(dys[0], F.linalg_extractdiag(xs[0]), axis=-1)
             / F.linalg_extractdiag(xs[0]))],
         doc="``sum(log(diag(A)))`` per matrix: shape = the batch shape ((1,) for one "
             "matrix).  Gradient: ``dy / diag(A)`` on the diagonal.")


def _square_host(op, fn):
    def forward(k, a, A):
        _check_float(op, A)
        _check_matrices(op, _shape(A), square=True)
        return _host(k, fn, A)
    return forward


def _inv_host(A):
    try:
        return np.linalg.inv(A).astype(A.dtype)
    except np.linalg.LinAlgError:
        raise MXNetError("_linalg_inverse: the input matrix is singular") from None


register("_linalg_inverse", _square_host("_linalg_inverse", _inv_host), inputs=("A",),
         aliases=("linalg_inverse",),
         gradient=lambda F, a, xs, ys, dys: [F.linalg_gemm2(     # -Y^T G Y^T
             F.linalg_gemm2(ys[0], dys[0], transpose_a=True), ys[0], transpose_b=True,
             alpha=-1.0)],
         doc="Matrix inverse (batched).  Host computation; a singular matrix raises.  "
             "Gradient: ``-Y^T dY Y^T`` with ``Y = A^-1``.")


def _det_host(A):
    return np.asarray(np.linalg.det(A), dtype=A.dtype).reshape(_legacy(A.shape[:-2]))


def _slogdet_host(A):
    sign, logabs = np.linalg.slogdet(A)
    shape = _legacy(A.shape[:-2])
    return (np.asarray(sign, A.dtype).reshape(shape),
            np.asarray(logabs, A.dtype).reshape(shape))


def _det_grad(F, A, scale):
    # d det / dA = det * A^-T;  d log|det| / dA = A^-T
    return F._reduce_grad_expand(scale, A, axis=(-2, -1)) * F._linalg_mT(
        F.linalg_inverse(A))


register("_linalg_det", _square_host("_linalg_det", _det_host), inputs=("A",),
         aliases=("linalg_det",), shape=lambda a, s: _legacy(s[:-2]),
         gradient=lambda F, a, xs, ys, dys: [_det_grad(F, xs[0], dys[0] * ys[0])],
         doc="Determinant per matrix: shape = the batch shape ((1,) for one matrix).  "
             "Host computation.  Gradient: ``dy * det(A) * A^-T`` (undefined for "
             "singular A).")

register("_linalg_slogdet", _square_host("_linalg_slogdet", _slogdet_host), inputs=("A",),
         aliases=("linalg_slogdet",), outputs=("sign", "logdet"),
         shape=lambda a, s: [_legacy(s[:-2])] * 2,
         gradient=lambda F, a, xs, ys, dys: [_det_grad(F, xs[0], dys[1])],
         doc="``(sign, log|det A|)`` per matrix, each of the batch shape.  Host "
             "computation.  Gradient (through log|det| only): ``dy * A^-T``.")


# ---- extractdiag, makediag, extracttrian, maketrian ------------------------------------------
def _offset_check(op, n, offset):
    if n - abs(offset) <= 0:
        raise MXNetError(f"{op}: illegal offset {offset} for diag/trian extraction of a "
                         f"matrix with dimension {n}")


def _extractdiag(k, a, A):
    _check_matrices("_linalg_extractdiag", _shape(A), square=True)
    n = A.shape[-1]
    _offset_check("_linalg_extractdiag", n, a.offset)
    rows, cols = _diag_index(k, n, a.offset)
    return k.copy(k.getitem(A, (Ellipsis, rows, cols)))


def _makediag(k, a, v):
    if len(v.shape) < 1:
        raise MXNetError("_linalg_makediag: input must have at least 1 dimension")
    n = v.shape[-1] + abs(a.offset)
    out = k.full(_shape(v)[:-1] + (n, n), 0, v.dtype)
    rows, cols = _diag_index(k, n, a.offset)
    k.setitem(out, (Ellipsis, rows, cols), v)
    return out


def _trian_index(k, n, offset, lower):
    """Host-built indices of MXNet's packed triangle.

    The lower triangle (offset <= 0, ``lower``) is packed row by row; the upper one
    (offset > 0, or offset 0 with ``lower=False``) column by column, so the packed
    upper triangle of A is the packed lower triangle of A^T.
    """
    upper = offset > 0 or (offset == 0 and not lower)
    off = -abs(offset)
    rows, cols = np.tril_indices(n, off)      # row-major order
    if upper:
        rows, cols = cols, rows
    return k.from_numpy(rows), k.from_numpy(cols)


def _extracttrian(k, a, A):
    _check_matrices("_linalg_extracttrian", _shape(A), square=True)
    n = A.shape[-1]
    _offset_check("_linalg_extracttrian", n, a.offset)
    rows, cols = _trian_index(k, n, a.offset, a.lower)
    return k.copy(k.getitem(A, (Ellipsis, rows, cols)))


def _trian_size(op, length, offset):
    """Matrix size n for a packed triangle of ``length`` entries and ``offset``."""
    m = int((math.isqrt(8 * length + 1) - 1) // 2)
    if m * (m + 1) // 2 != length:
        raise MXNetError(f"{op}: the last axis has {length} entries, not a triangular "
                         f"number m*(m+1)/2")
    return m + abs(offset)


def _maketrian(k, a, v):
    if len(v.shape) < 1:
        raise MXNetError("_linalg_maketrian: input must have at least 1 dimension")
    n = _trian_size("_linalg_maketrian", v.shape[-1], a.offset)
    out = k.full(_shape(v)[:-1] + (n, n), 0, v.dtype)
    rows, cols = _trian_index(k, n, a.offset, a.lower)
    k.setitem(out, (Ellipsis, rows, cols), v)
    return out


def _trian_len(n, offset):
    m = n - abs(offset)
    return m * (m + 1) // 2


_OFFSET = {"offset": Param("int", 0)}
_TRIAN = {"offset": Param("int", 0), "lower": Param("bool", True)}

register("_linalg_extractdiag", _extractdiag, inputs=("A",), params=_OFFSET,
         aliases=("linalg_extractdiag",),
         shape=lambda a, s: s[:-2] + (s[-1] - abs(a.offset),),
         gradient=lambda F, a, xs, ys, dys: [F.linalg_makediag(dys[0], offset=a.offset)],
         doc="Diagonal ``offset`` (>0 above, <0 below the main one) of each square "
             "matrix: shape ``batch + (n - |offset|,)``.")
register("_linalg_makediag", _makediag, inputs=("A",), params=_OFFSET,
         aliases=("linalg_makediag",),
         shape=lambda a, s: s[:-1] + (s[-1] + abs(a.offset),) * 2,
         gradient=lambda F, a, xs, ys, dys: [F.linalg_extractdiag(dys[0], offset=a.offset)],
         doc="Square matrices with the last axis of A on diagonal ``offset`` and zeros "
             "elsewhere: (..., m) -> (..., m + |offset|, m + |offset|).")
register("_linalg_extracttrian", _extracttrian, inputs=("A",), params=_TRIAN,
         aliases=("linalg_extracttrian",),
         shape=lambda a, s: s[:-2] + (_trian_len(s[-1], a.offset),),
         gradient=lambda F, a, xs, ys, dys: [F.linalg_maketrian(
             dys[0], offset=a.offset, lower=a.lower)],
         doc="Pack a triangle of each square matrix into a vector.  ``offset < 0`` (or 0 "
             "with ``lower=True``): the lower triangle below diagonal ``offset``, row by "
             "row; ``offset > 0`` (or 0 with ``lower=False``): the upper triangle, column "
             "by column (``lower`` only matters for offset 0).  Length ``m (m + 1) / 2`` "
             "with ``m = n - |offset|``.")
register("_linalg_maketrian", _maketrian, inputs=("A",), params=_TRIAN,
         aliases=("linalg_maketrian",),
         shape=lambda a, s: s[:-1] + ((_trian_size("_linalg_maketrian", s[-1], a.offset),)
                                      * 2),
         gradient=lambda F, a, xs, ys, dys: [F.linalg_extracttrian(
             dys[0], offset=a.offset, lower=a.lower)],
         doc="The inverse of ``linalg_extracttrian``: a packed triangle (last axis of "
             "length m (m + 1) / 2) into square matrices of size ``m + |offset|`` with "
             "zeros elsewhere.")


# ---- gelqf, syevd ----------------------------------------------------------------
def _gelqf_host(A):
    if A.shape[-2] > A.shape[-1]:
        raise MXNetError(f"_linalg_gelqf: A must have no more rows than columns, got "
                         f"{A.shape}")
    q, r = np.linalg.qr(np.swapaxes(A, -1, -2))       # A^T = q r  =>  A = r^T q^T
    return (np.swapaxes(q, -1, -2).astype(A.dtype), np.swapaxes(r, -1, -2).astype(A.dtype))


def _gelqf(k, a, A):
    _check_float("_linalg_gelqf", A)
    _check_matrices("_linalg_gelqf", _shape(A))
    return _host(k, _gelqf_host, A)


def _gelqf_gradient(F, a, xs, ys, dys):
    Q, L = ys
    dQ, dL = dys
    # MXNet's rule: M = L^T dL - dQ Q^T;  dA = L^-T (dQ + copyLTU(M) Q)
    M = F.linalg_gemm2(L, dL, transpose_a=True) - F.linalg_gemm2(dQ, Q, transpose_b=True)
    S = _tri(F, M) + F._linalg_mT(_tri(F, M, offset=-1))     # copyLTU(M)
    return [F.linalg_trsm(L, dQ + F.linalg_gemm2(S, Q), transpose=True)]


register("_linalg_gelqf", _gelqf, inputs=("A",), aliases=("linalg_gelqf",),
         outputs=("Q", "L"), shape=lambda a, s: [s, s[:-1] + (s[-2],)],
         gradient=_gelqf_gradient,
         doc="LQ factorization ``A = L @ Q`` of (x, y) matrices with x <= y: returns "
             "``[Q, L]``, Q (x, y) with orthonormal rows and L (x, x) lower triangular "
             "(signs as LAPACK's Householder QR of A^T).  Host computation.  Gradient "
             "(MXNet's): ``M = L^T dL - dQ Q^T``, ``dA = L^-T (dQ + copyLTU(M) Q)``, "
             "copyLTU mirroring the lower triangle upwards.")


def _syevd_host(A):
    w, v = np.linalg.eigh(A)                  # reads the lower triangle; w ascending
    U = np.swapaxes(v, -1, -2)                # rows are eigenvectors
    big = np.take_along_axis(U, np.argmax(np.abs(U), axis=-1)[..., None], axis=-1)
    U = U * np.where(big < 0, -1, 1)          # largest |entry| of each row positive
    return U.astype(A.dtype), w.astype(A.dtype)


def _syevd_gradient(F, a, xs, ys, dys):
    U, lam = ys
    dU, dlam = dys
    # MXNet's rule: dA = U^T Y U with Y_ii = dL_i and, off the diagonal,
    # Y_ij = (X_ij - X_ji) / (2 (L_i - L_j)) where X = dU U^T.  As in MXNet, a gap
    # |L_i - L_j| below 1e-30 (equal eigenvalues) is replaced by 1e-30 (signed as the
    # lower triangle's i > j), so degenerate spectra give huge, not NaN, gradients.
    X = F.linalg_gemm2(dU, U, transpose_b=True)
    eye = F.linalg_makediag(F.ones_like(lam))
    gap = F.broadcast_sub(F.expand_dims(lam, axis=-1), F.expand_dims(lam, axis=-2))
    ones = F.ones_like(X)
    side = _tri(F, ones, offset=-1) - _tri(F, ones, lower=False, offset=1)  # +1 / -1
    tiny = F.abs(gap) < 1e-30
    gap = tiny * side * 1e-30 + (1 - tiny) * gap + eye                        # diag: 1
    Y = (X - F._linalg_mT(X)) * 0.5 * (1 - eye) / gap + F.linalg_makediag(dlam)
    return [F.linalg_gemm2(F.linalg_gemm2(U, Y, transpose_a=True), U)]


register("_linalg_syevd", _square_host("_linalg_syevd", _syevd_host), inputs=("A",),
         outputs=("U", "L"), shape=lambda a, s: [s, s[:-1]], gradient=_syevd_gradient,
         doc="Eigendecomposition of symmetric A: ``A = U^T diag(L) U`` with eigenvalues "
             "L ascending and the eigenvectors as the rows of U, each signed so that its "
             "largest-magnitude entry is positive.  Host computation (``numpy.linalg."
             "eigh``).  Gradient (MXNet's): ``U^T Y U`` with ``Y_ii = dL_i`` and "
             "``Y_ij = (X_ij - X_ji) / (2 (L_i - L_j))``, ``X = dU U^T``.")
