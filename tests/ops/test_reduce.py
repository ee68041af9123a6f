"""Reductions (pymx/ops/reduce.py): forward against NumPy, gradients against float64
central differences, MXNet 1.9.1's quirks.

Values marked "MXNet 1.9.1" come from tests/data/mxnet/reduce_linalg_mxnet.json,
written by tests/data/mxnet/make_reduce_linalg.py run on a real MXNet 1.9.1.
"""
import json
import os

import numpy as np
import pytest
from hypothesis import given, strategies as st

import legacy_frozen
import pymx as mx
from pymx.ndarray.ndarray import NDArray
from pymx.ops.registry import get_op
from pymx.test_utils import assert_almost_equal, check_gradient

FIXTURE = json.load(open(os.path.join(os.path.dirname(__file__), "..", "data", "mxnet",
                                      "reduce_linalg_mxnet.json")))

NUMPY = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "nansum": np.nansum,
         "nanprod": np.nanprod, "max": np.max, "min": np.min}


def np_axes(ndim, axis, exclude):
    if axis is None or axis == ():
        return tuple(range(ndim))
    axis = (axis,) if isinstance(axis, int) else axis
    axes = {a % ndim for a in axis}
    return tuple(i for i in range(ndim) if (i not in axes) == exclude)


def np_reduce(name, x, axis, keepdims, exclude):
    out = NUMPY[name](x, axis=np_axes(x.ndim, axis, exclude), keepdims=keepdims)
    out = np.asarray(out)
    return out.reshape(1) if out.ndim == 0 else out


# ---- the legacy shape and dtype checks --------------------------------------------------
def test_sum_to_scalar_has_shape_1():
    assert mx.nd.ones((2, 3)).sum().shape == (1,)
    assert mx.nd.ones((2, 3)).sum(keepdims=True).shape == (1, 1)
    assert mx.nd.sum(mx.nd.ones((2, 3)), axis=()).shape == (1,)


def test_argmax_dtype_follows_input():
    x = mx.nd.array([[1, 3, 2]])
    assert x.argmax(axis=1).dtype == np.float32
    for dt, expected in FIXTURE["argmax_dtype"].items():      # MXNet 1.9.1
        got = mx.nd.argmax(mx.nd.array([[1, 3, 2]], dtype=dt), axis=1)
        assert np.dtype(got.dtype).name == expected, (dt, got.dtype)
        assert got.asnumpy().tolist() == [1]


# ---- forward against NumPy ---------------------------------------------------------------
@st.composite
def reduce_case(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    ndim = len(shape)
    kind = draw(st.sampled_from(["none", "empty", "int", "tuple"]))
    if kind == "none":
        axis = None
    elif kind == "empty":
        axis = ()
    elif kind == "int":
        axis = draw(st.integers(-ndim, ndim - 1))
    else:
        axis = tuple(draw(st.lists(st.integers(-ndim, ndim - 1), max_size=ndim,
                                   unique_by=lambda a: a % ndim)))
    return shape, axis, draw(st.booleans()), draw(st.booleans())


@pytest.mark.parametrize("name", sorted(NUMPY))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@given(case=reduce_case())
def test_reduce_forward(name, dtype, case):
    shape, axis, keepdims, exclude = case
    x = np.random.uniform(0.5, 1.5, size=shape).astype(dtype)
    if name.startswith("nan") and x.size > 1:
        x.flat[0] = np.nan
    y = getattr(mx.nd, name)(mx.nd.array(x, dtype=dtype), axis=axis, keepdims=keepdims,
                             exclude=exclude)
    expected = np_reduce(name, x, axis, keepdims, exclude)
    assert y.shape == expected.shape, (name, case, y.shape, expected.shape)
    assert y.dtype == np.dtype(dtype)
    assert_almost_equal(y, expected, rtol=1e-5, atol=1e-6)
    # the shape rule Symbol uses agrees with forward
    op = get_op(name)
    a = op.parse_attrs(dict(axis=axis, keepdims=keepdims, exclude=exclude))
    assert op.infer_shape(a, [shape])[1] == [y.shape]


@pytest.mark.parametrize("name", sorted(NUMPY))
def test_reduce_non_contiguous(name):
    base = np.random.uniform(0.5, 1.5, size=(4, 6))
    view = base[:, ::2].T                                  # (3, 4), strided
    x = NDArray(view, mx.cpu())
    for axis in (0, -1, None):
        assert_almost_equal(getattr(mx.nd, name)(x, axis=axis),
                            np_reduce(name, view, axis, False, False), rtol=1e-6)


def test_reduce_exclude_and_aliases():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    nx = mx.nd.array(x)
    assert_almost_equal(mx.nd.sum(nx, axis=1, exclude=True), x.sum(axis=(0, 2)))
    assert_almost_equal(mx.nd.sum(nx, axis=(0, 1, 2), exclude=True), x)  # nothing reduced
    assert mx.nd.sum(nx, axis=(), exclude=True).shape == (1,)
    assert_almost_equal(mx.nd.sum_axis(nx, axis=2), x.sum(axis=2))
    assert_almost_equal(mx.nd.max_axis(nx, axis=0), x.max(axis=0))
    assert_almost_equal(mx.nd.min_axis(nx, axis=-1), x.min(axis=-1))
    assert_almost_equal(nx.sum(axis=-1, keepdims=True), x.sum(axis=-1, keepdims=True))


def test_reduce_integers():
    x = np.array([[0, 1, 2], [3, 4, 5]], dtype=np.int32)
    nx = mx.nd.array(x, dtype="int32")
    assert mx.nd.sum(nx, axis=0).dtype == np.int32
    assert mx.nd.sum(nx, axis=0).asnumpy().tolist() == [3, 5, 7]
    assert mx.nd.max(nx).asnumpy().tolist() == [5]
    assert mx.nd.prod(nx + 1, axis=1).asnumpy().tolist() == [6, 120]
    # MXNet 1.9.1: an integer mean is a truncated integer; norm of ints stays an int
    assert mx.nd.mean(nx, axis=1).asnumpy().tolist() == FIXTURE["mean_int"]
    assert mx.nd.norm(mx.nd.ones((2, 3), dtype="int32")).asnumpy().tolist() == \
        FIXTURE["norm_int"]


def test_reduce_size_zero_and_size_one():
    x = np.zeros((2, 0, 3), dtype=np.float32)
    nx = mx.nd.array(x)
    assert_almost_equal(mx.nd.sum(nx, axis=1), np.zeros((2, 3)))
    assert_almost_equal(mx.nd.prod(nx, axis=1), np.ones((2, 3)))
    assert mx.nd.sum(nx, axis=0).shape == (0, 3)
    one = mx.nd.array([[7.0]])
    for name in NUMPY:
        y = getattr(mx.nd, name)(one)
        assert y.shape == (1,) and y.asscalar() == 7.0, name


def test_reduce_errors():
    x = mx.nd.ones((2, 3))
    with pytest.raises(mx.MXNetError, match=r"sum.*duplicates"):
        mx.nd.sum(x, axis=(0, -2))
    with pytest.raises(mx.MXNetError, match=r"max.*axis 2 exceeds"):
        mx.nd.max(x, axis=2)
    with pytest.raises(mx.MXNetError, match=r"mean.*-3"):
        mx.nd.mean(x, axis=-3)
    with pytest.raises(mx.MXNetError, match=r"norm.*ord"):
        mx.nd.norm(x, ord=3)
    with pytest.raises(mx.MXNetError, match=r"moments.*axes"):
        mx.nd.moments(x)
    with pytest.raises(mx.MXNetError, match=r"argmax.*axis 2"):
        mx.nd.argmax(x, axis=2)


# ---- norm -------------------------------------------------------------------------------
@pytest.mark.parametrize("ord_", [1, 2])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (None, True), (1, False),
                                           ((0, 2), True), (-1, False)])
def test_norm_forward(ord_, axis, keepdims):
    x = np.random.randn(2, 3, 4).astype(np.float32)
    y = mx.nd.norm(mx.nd.array(x), ord=ord_, axis=axis, keepdims=keepdims)
    ax = None if axis is None else axis
    if ord_ == 2:
        ref = np.sqrt(np.sum(x * x, axis=ax, keepdims=keepdims))
    else:
        ref = np.sum(np.abs(x), axis=ax, keepdims=keepdims)
    ref = np.asarray(ref).reshape(np.shape(ref) or (1,))
    assert y.shape == ref.shape
    assert_almost_equal(y, ref, rtol=1e-5)


def test_norm_out_dtype():
    y = mx.nd.norm(mx.nd.ones((2, 2)), out_dtype="float64")
    assert y.dtype == np.float64 and y.asscalar() == 2.0
    op = get_op("norm")
    assert op.infer_type(op.parse_attrs({"out_dtype": "float64"}), [np.float32])[1] == \
        [np.dtype("float64")]


# ---- argmax, argmin, argmax_channel -----------------------------------------------------------
def test_argmax_argmin():
    x = np.array([[1, 5, 5, 0], [7, 2, 7, 7], [0, 0, -1, 3]], dtype=np.float32)
    nx = mx.nd.array(x)
    for axis in (0, 1, -1):
        assert_almost_equal(mx.nd.argmax(nx, axis=axis), np.argmax(x, axis=axis))
        assert_almost_equal(mx.nd.argmin(nx, axis=axis), np.argmin(x, axis=axis))
    assert mx.nd.argmax(nx).asnumpy().tolist() == [4.0]          # flattened, first max
    assert mx.nd.argmax(nx, keepdims=True).shape == (1, 1)
    assert mx.nd.argmin(nx, axis=1, keepdims=True).shape == (3, 1)
    assert mx.nd.argmin(nx).asnumpy().tolist() == [10.0]
    strided = NDArray(x[:, ::2], mx.cpu())
    assert_almost_equal(mx.nd.argmax(strided, axis=1), np.argmax(x[:, ::2], axis=1))


def test_argmax_channel():
    x = np.random.randn(4, 5).astype(np.float32)
    y = mx.nd.argmax_channel(mx.nd.array(x))
    assert y.dtype == np.float32
    assert_almost_equal(y, np.argmax(x, axis=-1))
    # MXNet 1.9.1 reduces axis 1 of an N-d input
    x4 = np.random.randn(2, 3, 4, 5)
    y4 = mx.nd.argmax_channel(mx.nd.array(x4))
    assert list(y4.shape) == FIXTURE["argmax_channel_shape"]
    assert_almost_equal(y4, np.argmax(x4, axis=1))


def test_argmax_gradient_is_zero():
    x = mx.nd.array([[1, 2], [4, 3]])
    x.attach_grad()
    with mx.autograd.record():
        y = (mx.nd.argmax(x, axis=1) + mx.nd.sum(x, axis=1))
    y.backward()
    assert_almost_equal(x.grad, np.ones((2, 2)))


# ---- moments -------------------------------------------------------------------------------
@pytest.mark.parametrize("axes,keepdims", [((0,), False), ((1, 2), True), ((0, 1, 2), False),
                                           ((-1,), False)])
def test_moments(axes, keepdims):
    x = np.random.randn(2, 3, 4)
    mean, var = mx.nd.moments(mx.nd.array(x, dtype="float64"), axes=axes, keepdims=keepdims)
    ref_m = np.mean(x, axis=axes, keepdims=keepdims)
    ref_v = np.var(x, axis=axes, keepdims=keepdims)             # biased
    ref_m, ref_v = (np.asarray(r).reshape(np.shape(r) or (1,)) for r in (ref_m, ref_v))
    assert mean.shape == ref_m.shape and var.shape == ref_v.shape
    assert_almost_equal(mean, ref_m)
    assert_almost_equal(var, ref_v)
    check_gradient(lambda a: mx.nd.moments(a, axes=axes, keepdims=keepdims)[1], [x])
    check_gradient(lambda a: mx.nd.moments(a, axes=axes, keepdims=keepdims)[0], [x])


# ---- gradients -------------------------------------------------------------------------------
GRAD_CASES = [(None, False, False), (1, False, False), ((0, 2), True, False),
              (-1, True, False), (1, False, True), ((), False, False)]


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "nansum", "nanprod", "max", "min"])
@pytest.mark.parametrize("axis,keepdims,exclude", GRAD_CASES)
def test_reduce_gradient(name, axis, keepdims, exclude):
    x = np.random.permutation(24).reshape(2, 3, 4) / 24.0 + 0.5   # distinct, nonzero
    check_gradient(lambda a: getattr(mx.nd, name)(a, axis=axis, keepdims=keepdims,
                                                  exclude=exclude), [x])


def test_nan_reduce_gradient_with_nan():
    x = np.random.uniform(0.5, 1.5, (2, 3))
    x[0, 1] = np.nan
    for name in ("nansum", "nanprod"):
        nx = mx.nd.array(x, dtype="float64")
        nx.attach_grad()
        with mx.autograd.record():
            y = getattr(mx.nd, name)(nx, axis=1)
        y.backward()
        g = nx.grad.asnumpy()
        assert g[0, 1] == 0 and np.all(np.isfinite(g)), (name, g)
        ref = np.ones_like(x) if name == "nansum" else np.nanprod(x, 1, keepdims=True) / x
        ref[0, 1] = 0
        assert_almost_equal(g, ref)


@pytest.mark.parametrize("ord_", [1, 2])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, True), ((0, 2), False)])
def test_norm_gradient(ord_, axis, keepdims):
    x = np.random.uniform(0.2, 1.0, (2, 3, 2)) * np.sign(np.random.randn(2, 3, 2))
    check_gradient(lambda a: mx.nd.norm(a, ord=ord_, axis=axis, keepdims=keepdims), [x])


def _grad(fn, x):
    nx = mx.nd.array(x, dtype="float64")
    nx.attach_grad()
    with mx.autograd.record():
        y = fn(nx)
    y.backward()
    return nx.grad.asnumpy()


def test_mxnet_gradient_quirks():
    # MXNet 1.9.1: every tied maximum gets the full gradient
    assert_almost_equal(_grad(lambda a: a.max(axis=1), [[1, 3, 3], [2, 2, 0]]),
                        np.array(FIXTURE["max_grad_ties"]))
    # prod's gradient is prod / x: NaN (0/0) where x == 0
    assert_almost_equal(_grad(lambda a: a.prod(axis=1), [[1, 0, 3], [2, 5, 1]]),
                        np.array(FIXTURE["prod_grad_zero"]), equal_nan=True)
    # norm's gradient is x / norm: NaN for an all-zero row
    assert_almost_equal(_grad(lambda a: a.norm(axis=1), [[0, 0, 0], [1, -2, 0]]),
                        np.array(FIXTURE["norm_grad_zero"]), equal_nan=True)


def test_reduce_grad_expand_and_second_order():
    like = np.zeros((2, 3, 4))
    dy = np.random.randn(2, 4)
    out = mx.nd._reduce_grad_expand(mx.nd.array(dy, dtype="float64"),
                                    mx.nd.array(like, dtype="float64"), axis=1)
    assert_almost_equal(out, np.broadcast_to(dy[:, None, :], like.shape))
    for mean in (False, True):
        check_gradient(lambda d, l: mx.nd._reduce_grad_expand(d, l, axis=1, mean=mean),
                       [dy, like], grad_inputs=[0])


def test_sum_second_order():
    if not hasattr(mx.nd, "broadcast_like"):      # broadcast ops' rules need it
        pytest.skip("broadcast_like (pymx/ops/shape.py) is not registered yet")
    # d/dx of d(sum(x^3))/dx = 6 x, through sum's rule recorded with create_graph
    x = mx.nd.array([[1.0, 2.0], [3.0, -1.0]], dtype="float64")
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.sum(x * x * x, axis=1)
        g = mx.autograd.grad(y, [x], create_graph=True)[0]
    g.backward()
    assert_almost_equal(x.grad, 6 * x.asnumpy())


# ---- legacy ops against MXNet 1.9.1 (tests/data/mxnet/make_legacy_ops.py) ------------------
@pytest.mark.parametrize("case", legacy_frozen.cases("reduce"))
def test_legacy_ops_match_mxnet(case):
    legacy_frozen.replay(case)


def test_cumsum_accepts_a_negative_axis_and_checks_it():
    x = mx.nd.array([[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(mx.nd.cumsum(x, axis=-1).asnumpy(), [[1, 3, 6], [4, 9, 15]])
    with pytest.raises(mx.MXNetError, match="cumsum: axis=2 is out of range .* 2 dims"):
        mx.nd.cumsum(x, axis=2)
