"""Linear algebra (pymx/ops/linalg.py): dot, batch_dot, khatri_rao and linalg_*.

Forward against NumPy, gradients against float64 central differences.  Values marked
"MXNet 1.9.1" come from tests/data/mxnet/reduce_linalg_mxnet.json, written by
tests/data/mxnet/make_reduce_linalg.py run on a real MXNet 1.9.1.
"""
import itertools
import json
import os

import numpy as np
import pytest
from hypothesis import given, strategies as st

import pymx as mx
from pymx.ndarray.ndarray import NDArray
from pymx.ops.registry import get_op
from pymx.test_utils import assert_almost_equal, check_gradient

FIXTURE = json.load(open(os.path.join(os.path.dirname(__file__), "..", "data", "mxnet",
                                      "reduce_linalg_mxnet.json")))
FLAGS = list(itertools.product([False, True], repeat=2))


def nd(a, dtype="float64"):
    return mx.nd.array(a, dtype=dtype)


def T(a):
    return np.swapaxes(a, -1, -2)


def np_dot(a, b, ta, tb):
    """MXNet's N-d dot in NumPy (DotShape's 2-D views)."""
    if a.ndim == 1 and b.ndim == 1:
        return np.array([a @ b])
    lv = (a.shape[0], -1) if ta else (-1, a.shape[-1])
    rv = (-1, b.shape[-1]) if tb else (b.shape[0], -1)
    a2, b2 = a.reshape(lv), b.reshape(rv)
    y = (a2.T if ta else a2) @ (b2.T if tb else b2)
    out = ((a.shape[1:] if ta else a.shape[:-1]) if a.ndim > 1 else ()) + \
          ((b.shape[:-1] if tb else b.shape[1:]) if b.ndim > 1 else ())
    return y.reshape(out or (1,))


# ---- dot ------------------------------------------------------------------------------------
def test_dot_matches_mxnet():
    for case in FIXTURE["dot_shapes"]:                            # MXNet 1.9.1
        a, b = np.array(case["a"]), np.array(case["b"])
        y = mx.nd.dot(nd(a), nd(b), transpose_a=bool(case["ta"]), transpose_b=bool(case["tb"]))
        assert list(y.shape) == case["shape"], case["shape"]
        assert_almost_equal(y, np.array(case["y"]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@given(m=st.integers(1, 4), k=st.integers(1, 4), n=st.integers(1, 4),
       ta=st.booleans(), tb=st.booleans())
def test_dot_2d(dtype, m, k, n, ta, tb):
    a = np.random.randn(*((k, m) if ta else (m, k))).astype(dtype)
    b = np.random.randn(*((n, k) if tb else (k, n))).astype(dtype)
    y = mx.nd.dot(nd(a, dtype), nd(b, dtype), transpose_a=ta, transpose_b=tb)
    assert y.dtype == np.dtype(dtype) and y.shape == (m, n)
    assert_almost_equal(y, (a.T if ta else a) @ (b.T if tb else b), rtol=1e-4, atol=1e-5)


DOT_ND = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3, 4), (4, 2)),
          ((2, 3, 2), (2, 3, 2)), ((2, 1, 3), (3, 2, 1))]


@pytest.mark.parametrize("sa,sb", DOT_ND)
@pytest.mark.parametrize("ta,tb", FLAGS)
def test_dot_nd_forward_and_gradient(sa, sb, ta, tb):
    if len(sa) == 1 and len(sb) == 1 and (ta or tb):
        return                                      # an error, tested below
    # choose shapes whose contracted sizes agree under the flags
    a = np.random.randn(*(sa[::-1] if ta and len(sa) > 1 else sa))
    b = np.random.randn(*(sb[::-1] if tb and len(sb) > 1 else sb))
    try:
        ref = np_dot(a, b, ta, tb)
    except ValueError:
        with pytest.raises(mx.MXNetError, match="dot"):
            mx.nd.dot(nd(a), nd(b), transpose_a=ta, transpose_b=tb)
        return
    y = mx.nd.dot(nd(a), nd(b), transpose_a=ta, transpose_b=tb)
    assert y.shape == ref.shape
    assert_almost_equal(y, ref)
    op = get_op("dot")
    attrs = op.parse_attrs(dict(transpose_a=ta, transpose_b=tb))
    assert op.infer_shape(attrs, [a.shape, b.shape])[1] == [ref.shape]
    check_gradient(lambda x, w: mx.nd.dot(x, w, transpose_a=ta, transpose_b=tb), [a, b])


def test_dot_edges():
    a = np.random.randn(4, 6)
    x = NDArray(a[:, ::2], mx.cpu())                           # strided (4, 3)
    w = NDArray(a.T[::2, :3], mx.cpu())                        # strided (3, 3)
    assert_almost_equal(mx.nd.dot(x, w), a[:, ::2] @ a.T[::2, :3])
    assert_almost_equal(x.dot(w, transpose_b=True), a[:, ::2] @ a.T[::2, :3].T)
    assert mx.nd.dot(mx.nd.ones((2, 0)), mx.nd.ones((0, 3))).asnumpy().tolist() == \
        [[0.0] * 3] * 2
    # MXNet 1.9.1 has no integer dot ("dot only supports float32/float64 for CPU")
    with pytest.raises(mx.MXNetError, match="dot.*floating point"):
        mx.nd.dot(nd([[1, 2]], "int32"), nd([[3], [4]], "int32"))


def test_dot_errors():
    with pytest.raises(mx.MXNetError, match=r"dot.*\(2, 3\).*\(4, 5\)"):
        mx.nd.dot(mx.nd.ones((2, 3)), mx.nd.ones((4, 5)))
    with pytest.raises(mx.MXNetError, match=r"dot.*\(2, 3, 4\).*\(3, 5\)"):
        mx.nd.dot(mx.nd.ones((2, 3, 4)), mx.nd.ones((3, 5)))
    with pytest.raises(mx.MXNetError, match=r"dot.*transpose vectors"):
        mx.nd.dot(mx.nd.ones((3,)), mx.nd.ones((3,)), transpose_a=True)
    with pytest.raises(mx.MXNetError, match=r"dot.*dtype"):
        mx.nd.dot(mx.nd.ones((2, 3)), mx.nd.ones((3, 2), dtype="float64"))


@pytest.mark.parametrize("ta,tb", FLAGS)
def test_backward_dot_second_order(ta, tb):
    a = np.random.randn(*((3, 2) if ta else (2, 3)))
    b = np.random.randn(*((4, 3) if tb else (3, 4)))
    dy = np.random.randn(2, 4)
    kw = dict(transpose_a=ta, transpose_b=tb)
    for out in (0, 1):
        check_gradient(lambda g, x, w: mx.nd._backward_dot(g, x, w, **kw)[out], [dy, a, b])


# ---- batch_dot ------------------------------------------------------------------------------
@pytest.mark.parametrize("ta,tb", FLAGS)
@pytest.mark.parametrize("batch", [(2,), (2, 1)])
def test_batch_dot(ta, tb, batch):
    a = np.random.randn(*(batch + ((3, 2) if ta else (2, 3))))
    b = np.random.randn(*(batch + ((4, 3) if tb else (3, 4))))
    y = mx.nd.batch_dot(nd(a), nd(b), transpose_a=ta, transpose_b=tb)
    ref = (T(a) if ta else a) @ (T(b) if tb else b)
    assert y.shape == batch + (2, 4)
    assert_almost_equal(y, ref)
    op = get_op("batch_dot")
    assert op.infer_shape(op.parse_attrs(dict(transpose_a=ta, transpose_b=tb)),
                          [a.shape, b.shape])[1] == [ref.shape]
    check_gradient(lambda x, w: mx.nd.batch_dot(x, w, transpose_a=ta, transpose_b=tb),
                   [a, b])


def test_batch_dot_errors():
    with pytest.raises(mx.MXNetError, match=r"batch_dot.*N >= 3"):
        mx.nd.batch_dot(mx.nd.ones((3, 4)), mx.nd.ones((4, 5)))
    with pytest.raises(mx.MXNetError, match=r"batch_dot.*batch"):
        mx.nd.batch_dot(mx.nd.ones((2, 3, 4)), mx.nd.ones((3, 4, 5)))
    with pytest.raises(mx.MXNetError, match=r"batch_dot.*\(2, 3, 4\).*\(2, 5, 4\)"):
        mx.nd.batch_dot(mx.nd.ones((2, 3, 4)), mx.nd.ones((2, 5, 4)))


# ---- khatri_rao -----------------------------------------------------------------------------
def test_khatri_rao():
    a, b, c = np.random.randn(2, 3), np.random.randn(4, 3), np.random.randn(1, 3)
    ref = np.einsum("ic,jc,kc->ijkc", a, b, c).reshape(-1, 3)
    assert_almost_equal(mx.nd.khatri_rao(nd(a), nd(b), nd(c)), ref)
    assert_almost_equal(mx.nd.khatri_rao(nd(a)), a)
    with pytest.raises(mx.MXNetError, match=r"khatri_rao.*columns"):
        mx.nd.khatri_rao(mx.nd.ones((2, 3)), mx.nd.ones((4, 2)))


# ---- gemm, gemm2, syrk, trmm, trsm ---------------------------------------------------------------
@pytest.mark.parametrize("ta,tb", FLAGS)
def test_gemm2_and_gemm(ta, tb):
    A = np.random.randn(*((2, 3, 2) if ta else (2, 2, 3)))
    B = np.random.randn(*((2, 4, 3) if tb else (2, 3, 4)))
    C = np.random.randn(2, 2, 4)
    ref = (T(A) if ta else A) @ (T(B) if tb else B)
    kw = dict(transpose_a=ta, transpose_b=tb)
    assert_almost_equal(mx.nd.linalg.gemm2(nd(A), nd(B), alpha=2.5, **kw), 2.5 * ref)
    assert_almost_equal(mx.nd.linalg_gemm(nd(A), nd(B), nd(C), alpha=2.0, beta=-0.5, **kw),
                        2 * ref - 0.5 * C)
    check_gradient(lambda x, y: mx.nd.linalg.gemm2(x, y, alpha=1.5, **kw), [A, B])
    check_gradient(lambda x, y, z: mx.nd.linalg.gemm(x, y, z, alpha=1.5, beta=0.5, **kw),
                   [A, B, C])


def test_gemm_axis():
    A, B = np.random.randn(2, 3, 2, 4), np.random.randn(2, 4, 2, 5)
    C = np.random.randn(2, 3, 2, 5)
    mv = lambda x: np.moveaxis(x, 1, -2)                           # noqa: E731
    ref = np.moveaxis(mv(A) @ mv(B), -2, 1)
    y = mx.nd.linalg.gemm2(nd(A), nd(B), axis=1)
    assert y.shape == (2, 3, 2, 5)
    assert_almost_equal(y, ref)
    assert_almost_equal(mx.nd.linalg.gemm(nd(A), nd(B), nd(C), axis=1, beta=2), ref + 2 * C)
    op = get_op("linalg_gemm2")
    assert op.infer_shape(op.parse_attrs({"axis": 1}), [A.shape, B.shape])[1] == [ref.shape]
    check_gradient(lambda x, w: mx.nd.linalg.gemm2(x, w, axis=1, transpose_b=True),
                   [A[:, :, :1], np.random.randn(2, 3, 1, 4)])


def test_gemm_errors():
    with pytest.raises(mx.MXNetError, match=r"gemm2.*floating point"):
        mx.nd.linalg.gemm2(mx.nd.ones((2, 3), dtype="int32"), mx.nd.ones((3, 2), dtype="int32"))
    with pytest.raises(mx.MXNetError, match=r"gemm2.*shape error"):
        mx.nd.linalg.gemm2(mx.nd.ones((2, 3)), mx.nd.ones((2, 3)))
    with pytest.raises(mx.MXNetError, match=r"gemm2.*batch"):
        mx.nd.linalg.gemm2(mx.nd.ones((2, 2, 3)), mx.nd.ones((3, 3, 2)))


@pytest.mark.parametrize("transpose", [False, True])
def test_syrk(transpose):
    A = np.random.randn(2, 3, 4)
    ref = 0.5 * ((T(A) @ A) if transpose else (A @ T(A)))
    assert_almost_equal(mx.nd.linalg.syrk(nd(A), transpose=transpose, alpha=0.5), ref)
    check_gradient(lambda x: mx.nd.linalg.syrk(x, transpose=transpose, alpha=0.5), [A])


TRI_CASES = list(itertools.product([False, True], [False, True], [False, True]))


@pytest.mark.parametrize("transpose,rightside,lower", TRI_CASES)
def test_trmm_trsm(transpose, rightside, lower):
    A = np.random.randn(2, 3, 3) + 3 * np.eye(3)
    B = np.random.randn(2, 4, 3) if rightside else np.random.randn(2, 3, 4)
    tri = np.tril(A) if lower else np.triu(A)
    M = T(tri) if transpose else tri
    kw = dict(transpose=transpose, rightside=rightside, lower=lower, alpha=1.5)
    prod = 1.5 * (B @ M if rightside else M @ B)
    assert_almost_equal(mx.nd.linalg.trmm(nd(A), nd(B), **kw), prod)
    X = mx.nd.linalg.trsm(nd(A), nd(B), **kw).asnumpy()
    assert_almost_equal(X @ M if rightside else M @ X, 1.5 * B)
    check_gradient(lambda a, b: mx.nd.linalg.trmm(a, b, **kw), [A, B])
    check_gradient(lambda a, b: mx.nd.linalg.trsm(a, b, **kw), [A, B])


# ---- potrf, potri, sumlogdiag, inverse, det, slogdet ------------------------------------------
def spd(X):
    """A symmetric positive definite matrix built from X with pymx ops."""
    eye = nd(np.broadcast_to(np.eye(X.shape[-1]), X.shape[:-1] + (X.shape[-1],)), X.dtype)
    return mx.nd.linalg.syrk(X) + eye * 2


def test_potrf_potri():
    X = np.random.randn(2, 3, 3)
    S = X @ T(X) + 2 * np.eye(3)
    L = mx.nd.linalg.potrf(nd(S))
    assert_almost_equal(L, np.linalg.cholesky(S))
    upper = S + np.triu(np.ones((3, 3)), 1)                      # upper triangle is ignored
    assert_almost_equal(mx.nd.linalg.potrf(nd(upper)), np.linalg.cholesky(S))
    assert_almost_equal(mx.nd.linalg.potri(L), np.linalg.inv(S))
    assert mx.nd.linalg.potrf(nd(S, "float32")).dtype == np.float32
    check_gradient(lambda x: mx.nd.linalg.potrf(spd(x)), [X])
    Lnp = np.tril(np.random.randn(2, 3, 3), -1) + np.diag([1.5, 2.0, 2.5])
    check_gradient(lambda x: mx.nd.linalg.potri(x), [Lnp])
    with pytest.raises(mx.MXNetError, match=r"potrf.*positive definite"):
        mx.nd.linalg.potrf(nd(-S))


def test_sumlogdiag_inverse_det_slogdet():
    A = np.random.randn(2, 3, 3) + 3 * np.eye(3)
    y = mx.nd.linalg.sumlogdiag(nd(np.abs(A)))
    assert y.shape == (2,)
    assert_almost_equal(y, np.log(np.abs(np.diagonal(A, axis1=1, axis2=2))).sum(-1))
    assert mx.nd.linalg.sumlogdiag(nd(np.abs(A[0]))).shape == (1,)
    assert_almost_equal(mx.nd.linalg.inverse(nd(A)), np.linalg.inv(A))
    d = mx.nd.linalg.det(nd(A))
    assert d.shape == (2,) and mx.nd.linalg.det(nd(A[0])).shape == (1,)
    assert_almost_equal(d, np.linalg.det(A))
    sign, logdet = mx.nd.linalg.slogdet(nd(-A))
    ref_sign, ref_log = np.linalg.slogdet(-A)
    assert_almost_equal(sign, ref_sign)
    assert_almost_equal(logdet, ref_log)
    check_gradient(lambda x: mx.nd.linalg.sumlogdiag(x), [np.abs(A)])
    check_gradient(lambda x: mx.nd.linalg.inverse(x), [A])
    check_gradient(lambda x: mx.nd.linalg.det(x), [A])
    check_gradient(lambda x: mx.nd.linalg.slogdet(x)[1], [-A])
    with pytest.raises(mx.MXNetError, match=r"inverse.*singular"):
        mx.nd.linalg.inverse(mx.nd.zeros((2, 2)))
    with pytest.raises(mx.MXNetError, match=r"det.*square"):
        mx.nd.linalg.det(mx.nd.ones((2, 3)))
    with pytest.raises(mx.MXNetError, match=r"det.*2 dimensions"):
        mx.nd.linalg.det(mx.nd.ones((3,)))


# ---- diag and triangle packing ------------------------------------------------------------------
@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 2])
def test_extract_make_diag(offset):
    A = np.random.randn(2, 4, 4)
    d = mx.nd.linalg.extractdiag(nd(A), offset=offset)
    assert_almost_equal(d, np.diagonal(A, offset, -2, -1))
    M = mx.nd.linalg.makediag(d, offset=offset)
    ref = np.stack([np.diag(v, offset) for v in d.asnumpy()])
    assert_almost_equal(M, ref)
    check_gradient(lambda x: mx.nd.linalg.extractdiag(x, offset=offset), [A])
    check_gradient(lambda x: mx.nd.linalg.makediag(x, offset=offset), [d.asnumpy()])


@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 2])
@pytest.mark.parametrize("lower", [True, False])
def test_extract_make_trian(offset, lower):
    M = np.arange(16, dtype=np.float64).reshape(4, 4)
    v = mx.nd.linalg.extracttrian(nd(M), offset=offset, lower=lower)
    assert v.asnumpy().tolist() == FIXTURE["extracttrian"][f"{offset},{int(lower)}"]
    back = mx.nd.linalg.maketrian(v, offset=offset, lower=lower).asnumpy()
    upper = offset > 0 or (offset == 0 and not lower)
    keep = np.triu(M, offset) if upper else np.tril(M, offset)
    assert_almost_equal(back, keep)
    A = np.random.randn(2, 4, 4)
    check_gradient(lambda x: mx.nd.linalg.extracttrian(x, offset=offset, lower=lower), [A])
    check_gradient(lambda x: mx.nd.linalg.maketrian(x, offset=offset, lower=lower),
                   [np.random.randn(2, v.shape[0])])


def test_diag_trian_errors():
    with pytest.raises(mx.MXNetError, match=r"extractdiag.*square"):
        mx.nd.linalg.extractdiag(mx.nd.ones((2, 3)))
    with pytest.raises(mx.MXNetError, match=r"extracttrian.*offset 3"):
        mx.nd.linalg.extracttrian(mx.nd.ones((3, 3)), offset=3)
    with pytest.raises(mx.MXNetError, match=r"maketrian.*triangular"):
        mx.nd.linalg.maketrian(mx.nd.ones((5,)))


# ---- gelqf, syevd ----------------------------------------------------------------------------------
def test_gelqf_matches_mxnet():
    f = FIXTURE["gelqf"]                                              # MXNet 1.9.1
    A = np.array(f["A"])
    Q, L = mx.nd.linalg.gelqf(nd(A))
    assert_almost_equal(Q, np.array(f["Q"]), atol=1e-10)
    assert_almost_equal(L, np.array(f["L"]), atol=1e-10)
    assert_almost_equal(L.asnumpy() @ Q.asnumpy(), A)
    with pytest.raises(mx.MXNetError, match=r"gelqf.*rows"):
        mx.nd.linalg.gelqf(mx.nd.ones((3, 2)))


def test_syevd_matches_mxnet():
    f = FIXTURE["syevd"]                                              # MXNet 1.9.1
    A = np.array(f["A"])
    # MXNet names it _linalg_syevd (no linalg_syevd alias; nd.linalg.syevd in MXNet)
    syevd = getattr(mx.nd.linalg, "syevd", mx.nd._internal._linalg_syevd)
    U, lam = syevd(nd(A))
    assert_almost_equal(lam, np.array(f["L"]), atol=1e-10)
    assert_almost_equal(U, np.array(f["U"]), atol=1e-8)
