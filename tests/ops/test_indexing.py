"""Indexing operators: take, batch_take, pick, one_hot, gather_nd, scatter_nd, where,
topk, sort, argsort, ravel_multi_index, unravel_index.

Forwards are checked against NumPy formulas (hypothesis-drawn shapes, negative axes,
strided inputs, size-0 edges, several dtypes), gradients against float64 central
differences, and MXNet's quirks against outputs frozen from the real MXNet 1.9.1 by
``tests/data/mxnet/make_indexing.py`` (``indexing_cases.json``).
"""
import json
import os

import numpy as np
import pytest
from hypothesis import given, strategies as st

import legacy_frozen
import pymx as mx
from pymx.ops import get_op
from pymx.test_utils import assert_almost_equal, check_gradient

nd = mx.nd
DATA = os.path.join(os.path.dirname(__file__), os.pardir, "data", "mxnet",
                    "indexing_cases.json")
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)
float_dtypes = st.sampled_from(["float32", "float64"])


def strided(a):
    """An NDArray whose native array is a non-contiguous view with a's values."""
    a = np.asarray(a)
    wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype) if a.ndim else a
    if a.ndim:
        wide[..., ::2] = a
        view = wide[..., ::2]
        assert not view.flags.c_contiguous or a.shape[-1] <= 1
        return nd.NDArray(view, mx.cpu())
    return nd.NDArray(a.copy(), mx.cpu())


def ref_index(idx, n, mode):
    idx = np.trunc(np.asarray(idx, np.float64)).astype(np.int64)
    return np.clip(idx, 0, n - 1) if mode == "clip" else np.mod(idx, n)


# ---- MXNet parity ------------------------------------------------------------------------
with open(DATA) as _f:
    CASES = json.load(_f)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['op']}-{i}" for i, c in enumerate(CASES)])
def test_mxnet_parity(case):
    """Outputs (values, dtype, shape) or the error of MXNet 1.9.1 on the same inputs."""
    arrays = [nd.array(np.array(x["values"], dtype="float64"), dtype=x["dtype"])
              for x in case["inputs"]]
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    fn = getattr(nd, case["op"])
    if "error" in case:
        expected = IndexError if case["error"] == "IndexError" else mx.MXNetError
        with pytest.raises(expected) as info:
            fn(*arrays, **kwargs)
        assert isinstance(info.value, mx.MXNetError)
        assert str(info.value).lstrip("_").startswith(case["op"]), str(info.value)
        return
    out = fn(*arrays, **kwargs)
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == len(case["outputs"])
    for got, want in zip(outs, case["outputs"]):
        assert got.shape == tuple(want["shape"]), (got.shape, want["shape"])
        assert np.dtype(got.dtype).name == want["dtype"]
        np.testing.assert_array_equal(got.asnumpy().astype(np.float64),
                                      np.array(want["values"], dtype=np.float64))


# ---- take --------------------------------------------------------------------------------
@given(shape=shapes, ishape=st.lists(st.integers(0, 3), max_size=2).map(tuple),
       axis_seed=st.integers(0, 10), mode=st.sampled_from(["clip", "wrap"]),
       dtype=st.sampled_from(["float32", "float64", "int32"]), idx_int=st.booleans())
def test_take_matches_numpy(shape, ishape, axis_seed, mode, dtype, idx_int):
    rng = np.random.default_rng(axis_seed)
    axis = axis_seed % (2 * len(shape)) - len(shape)              # negative axes too
    a = rng.integers(-50, 50, shape).astype(dtype)
    n = shape[axis]
    raw = rng.uniform(-2 * n - 1, 2 * n + 1, ishape)
    idx = np.trunc(raw) if idx_int else raw
    indices = nd.array(idx, dtype="int32" if idx_int else "float32")
    out = nd.take(nd.array(a, dtype=dtype), indices, axis=axis, mode=mode)
    want = np.take(a, ref_index(indices.asnumpy(), n, mode), axis=axis)
    assert out.dtype == np.dtype(dtype)
    assert out.shape == want.shape
    np.testing.assert_array_equal(out.asnumpy(), want)


def test_take_defaults_clip_and_strided_input():
    a = np.arange(12.0).reshape(3, 4)
    out = nd.take(strided(a), nd.array([-1, 1, 9]))
    np.testing.assert_array_equal(out.asnumpy(), a[[0, 1, 2]])
    out = nd.array(a).take(nd.array([3, -1]), axis=1)          # fluent method
    np.testing.assert_array_equal(out.asnumpy(), a[:, [3, 0]])


def test_take_raise_mode():
    a = nd.array([[1, 2], [3, 4]])
    np.testing.assert_array_equal(nd.take(a, nd.array([1, 0]), mode="raise").asnumpy(),
                                  [[3, 4], [1, 2]])
    for bad in ([2], [-1], [0, 5]):
        with pytest.raises(mx.MXNetError, match="take.*out of bound"):
            nd.take(a, nd.array(bad), mode="raise")


def test_take_size_zero():
    a = nd.array(np.arange(6).reshape(2, 3))
    assert nd.take(a, nd.zeros((0,))).shape == (0, 3)
    assert nd.take(a, nd.zeros((2, 0)), axis=1).shape == (2, 2, 0)
    assert nd.take(nd.zeros((0, 3)), nd.zeros((0,))).shape == (0, 3)
    with pytest.raises(mx.MXNetError, match="take"):
        nd.take(nd.zeros((0, 3)), nd.array([0]))


def test_take_bad_arguments():
    a = nd.ones((2, 3))
    with pytest.raises(mx.MXNetError, match="take.*mode"):
        nd.take(a, nd.array([0]), mode="nearest")
    with pytest.raises(mx.MXNetError, match="take.*axis"):
        nd.take(a, nd.array([0]), axis=-3)


@pytest.mark.parametrize("mode", ["clip", "wrap"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_take_gradient(mode, axis):
    idx = nd.array([[0, 2, 2], [-1, 5, 1]])               # repeats and out-of-range
    a = np.random.normal(size=(3, 4, 2))
    check_gradient(lambda x: nd.take(x, idx, axis=axis, mode=mode), [a])


def test_take_gradient_accumulates_repeats():
    a = nd.zeros((3, 2))
    a.attach_grad()
    with mx.autograd.record():
        y = nd.take(a, nd.array([2, 2, 0, 7]))
    y.backward()
    np.testing.assert_array_equal(a.grad.asnumpy(), [[1, 1], [0, 0], [3, 3]])


def test_backward_take_is_linear_with_gradient():
    idx = nd.array([0, 2, 2, 1])
    like = nd.zeros((3, 2), dtype="float64")
    dy = np.random.normal(size=(4, 2))
    out = nd._backward_take(nd.array(dy, dtype="float64"), idx, like, axis=0)
    want = np.zeros((3, 2))
    np.add.at(want, [0, 2, 2, 1], dy)
    assert_almost_equal(out, want)
    check_gradient(lambda g: nd._backward_take(g, idx, like, axis=0), [dy])


def test_take_second_order_gradient():
    """``_backward_take`` has its own gradient (a take), so grad-of-grad works."""
    x = nd.array([1.0, 2.0, 3.0], dtype="float64")
    x.attach_grad()
    with mx.autograd.record():
        y = (nd.take(x, nd.array([0, 2, 2])) ** 2).sum()
        g, = mx.autograd.grad(y, [x], create_graph=True)
        z = (g * g).sum()                          # = 4 x0^2 + 16 x2^2
    z.backward()
    np.testing.assert_array_equal(g.asnumpy(), [2, 0, 12])
    np.testing.assert_array_equal(x.grad.asnumpy(), [8, 0, 96])


# ---- batch_take and pick -----------------------------------------------------------------
def test_batch_take():
    a = np.arange(24.0).reshape(2, 3, 4)
    idx = np.array([[0, 3, 9], [-2, 1, 2]])
    out = nd.batch_take(nd.array(a), nd.array(idx, dtype="int32"))
    rows = a.reshape(-1, 4)
    want = rows[np.arange(6), np.clip(idx.reshape(-1), 0, 3)].reshape(2, 3)
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out.asnumpy(), want)
    with pytest.raises(mx.MXNetError, match="batch_take.*integer"):
        nd.batch_take(nd.array(a), nd.array(idx))
    with pytest.raises(mx.MXNetError, match="batch_take.*one entry per row"):
        nd.batch_take(nd.array(a), nd.array([0, 1], dtype="int32"))
    check_gradient(lambda x: nd.batch_take(x, nd.array([1, 1, 0], dtype="int32")),
                   [np.random.normal(size=(3, 2))])


def ref_pick(data, index, axis, keepdims, mode):
    n = data.shape[axis]
    idx = ref_index(index, n, mode)
    idx = idx.reshape(data.shape[:axis] + (1,) + data.shape[axis + 1:])
    out = np.take_along_axis(data, idx, axis=axis)
    return out if keepdims else np.squeeze(out, axis)


@given(shape=shapes, seed=st.integers(0, 100), keepdims=st.booleans(),
       mode=st.sampled_from(["clip", "wrap"]), dtype=float_dtypes,
       keep_index=st.booleans())
def test_pick_matches_numpy(shape, seed, keepdims, mode, dtype, keep_index):
    rng = np.random.default_rng(seed)
    axis = seed % (2 * len(shape)) - len(shape)
    data = rng.normal(size=shape).astype(dtype)
    ax = axis % len(shape)
    ishape = shape[:ax] + ((1,) if keep_index else ()) + shape[ax + 1:]
    index = np.trunc(rng.uniform(-shape[ax] - 2, 2 * shape[ax] + 2, ishape))
    out = nd.pick(nd.array(data, dtype=dtype), nd.array(index), axis=axis,
                  keepdims=keepdims, mode=mode)
    want = ref_pick(data, index, ax, keepdims, mode)
    assert out.shape == want.shape and out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.asnumpy(), want)


def test_pick_strided_and_errors():
    a = np.arange(12.0).reshape(3, 4)
    out = nd.pick(strided(a), nd.array([3, 0, 1]))
    np.testing.assert_array_equal(out.asnumpy(), [3, 4, 9])
    with pytest.raises(mx.MXNetError, match="pick.*axis=None"):
        nd.pick(nd.array(a), nd.array([0]), axis=None)
    with pytest.raises(mx.MXNetError, match="pick.*mode"):
        nd.pick(nd.array(a), nd.array([0, 0, 0]), mode="raise")
    with pytest.raises(mx.MXNetError, match="pick.*index must have shape"):
        nd.pick(nd.array(a), nd.array([0, 0]))


@pytest.mark.parametrize("axis,keepdims,mode", [(-1, False, "clip"), (0, True, "wrap"),
                                                 (1, False, "wrap")])
def test_pick_gradient(axis, keepdims, mode):
    data = np.random.normal(size=(3, 4, 2))
    ishape = list(data.shape)
    del ishape[axis]
    index = nd.array(np.random.randint(-2, 6, ishape))
    check_gradient(lambda x: nd.pick(x, index, axis=axis, keepdims=keepdims, mode=mode),
                   [data])


# ---- one_hot -----------------------------------------------------------------------------
@given(shape=st.lists(st.integers(0, 4), max_size=3).map(tuple), depth=st.integers(0, 5),
       dtype=st.sampled_from(["float32", "float64", "int32", "uint8"]))
def test_one_hot_matches_numpy(shape, depth, dtype):
    rng = np.random.default_rng(len(shape) + depth)
    idx = rng.uniform(-2, depth + 2, shape) if shape else np.zeros(())
    out = nd.one_hot(nd.array(idx), depth, on_value=3, off_value=-1 if dtype[0] != "u" else 1,
                     dtype=dtype)
    ti = np.trunc(idx.astype(np.float32)).astype(np.int64)
    want = np.where(ti[..., None] == np.arange(depth), 3,
                    -1 if dtype[0] != "u" else 1).astype(dtype)
    assert out.shape == want.shape and out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.asnumpy(), want)


def test_one_hot_default_dtype_and_errors():
    out = nd.array([0, 2]).one_hot(3)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.asnumpy(), [[1, 0, 0], [0, 0, 1]])
    with pytest.raises(mx.MXNetError, match="one_hot.*depth"):
        nd.one_hot(nd.array([0]))
    with pytest.raises(mx.MXNetError, match="one_hot.*dtype"):
        nd.one_hot(nd.array([0]), 2, dtype="complex77")


# ---- gather_nd and scatter_nd --------------------------------------------------------------
@given(shape=shapes, m_seed=st.integers(0, 100), yshape=st.lists(st.integers(0, 3), min_size=1,
                                                                  max_size=2).map(tuple),
       dtype=st.sampled_from(["float32", "float64", "int64"]))
def test_gather_nd_matches_numpy(shape, m_seed, yshape, dtype):
    rng = np.random.default_rng(m_seed)
    m = m_seed % len(shape) + 1
    data = rng.integers(-9, 9, shape).astype(dtype)
    idx = np.stack([rng.integers(-shape[j], shape[j], yshape) for j in range(m)])
    out = nd.gather_nd(nd.array(data, dtype=dtype), nd.array(idx))
    want = data[tuple(idx)]
    assert out.shape == want.shape and out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.asnumpy(), want)


def test_gather_nd_strided_and_out_of_bounds():
    a = np.arange(12.0).reshape(3, 4)
    out = nd.gather_nd(strided(a), nd.array([[2, 0], [-1, 1]]))
    np.testing.assert_array_equal(out.asnumpy(), [a[2, -1], a[0, 1]])
    with pytest.raises(IndexError, match="gather_nd: index 4 is out of bounds for axis 1"):
        nd.gather_nd(nd.array(a), nd.array([[0], [4]]))
    with pytest.raises(mx.MXNetError, match="gather_nd: index -4 is out of bounds"):
        nd.gather_nd(nd.array(a), nd.array([[-4]]))


def test_scatter_nd_inverts_gather_nd():
    data = np.arange(24.0).reshape(2, 3, 4)
    idx = np.array([[0, 1, 1], [2, 0, 1]])
    g = nd.gather_nd(nd.array(data), nd.array(idx))
    out = nd.scatter_nd(g, nd.array(idx), shape=(2, 3, 4))
    want = np.zeros_like(data)
    want[0, 2] = data[0, 2]
    want[1, 0] = data[1, 0]
    want[1, 1] = data[1, 1]
    np.testing.assert_array_equal(out.asnumpy(), want)
    with pytest.raises(mx.MXNetError, match="scatter_nd: data must have shape"):
        nd.scatter_nd(nd.ones((2,)), nd.array(idx), shape=(2, 3, 4))
    with pytest.raises(mx.MXNetError, match="scatter_nd.*shape"):
        nd.scatter_nd(g, nd.array(idx))


def test_gather_scatter_nd_gradients():
    idx = nd.array([[0, 1, 1, 0], [2, 0, 0, 2]])                # repeated positions
    check_gradient(lambda x: nd.gather_nd(x, idx), [np.random.normal(size=(2, 3, 2))])
    uniq = nd.array([[0, 1, 1], [2, 0, 1]])
    check_gradient(lambda x: nd.scatter_nd(x, uniq, shape=(2, 3, 2)),
                   [np.random.normal(size=(3, 2))])
    like = nd.zeros((2, 3, 2), dtype="float64")
    check_gradient(lambda g: nd._backward_gather_nd(g, idx, like),
                   [np.random.normal(size=(4, 2))])


def test_gather_nd_gradient_accumulates():
    x = nd.zeros((2, 2))
    x.attach_grad()
    with mx.autograd.record():
        y = nd.gather_nd(x, nd.array([[1, 1, 0], [0, 0, 1]]))
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [[0, 1], [2, 0]])


# ---- where -------------------------------------------------------------------------------
@given(shape=shapes, dtype=st.sampled_from(["float32", "float64", "int32"]),
       rows=st.booleans(), seed=st.integers(0, 50))
def test_where_matches_numpy(shape, dtype, rows, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 5, shape).astype(dtype)
    y = rng.integers(-5, 5, shape).astype(dtype)
    cshape = shape[:1] if rows else shape
    cond = rng.integers(-1, 2, cshape).astype(np.float32)
    out = nd.where(nd.array(cond), nd.array(x, dtype=dtype), strided(y))
    c = cond.reshape(cshape + (1,) * (len(shape) - len(cshape))) != 0
    want = np.where(c, x, y)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.asnumpy(), want)


def test_where_errors():
    x = nd.ones((2, 3))
    with pytest.raises(mx.MXNetError, match="where: condition must have the shape"):
        nd.where(nd.ones((3,)), x, x)
    with pytest.raises(mx.MXNetError, match="where: x and y must have the same shape"):
        nd.where(nd.ones((2,)), x, nd.ones((2, 1)))
    with pytest.raises(mx.MXNetError, match="where: x and y must have the same dtype"):
        nd.where(nd.ones((2,)), x, nd.ones((2, 3), dtype="float64"))


@pytest.mark.parametrize("rows", [False, True])
def test_where_gradient(rows):
    cond = nd.array([1, 0, 1]) if rows else nd.array([[1, 0], [0, 0], [3, -1]])
    x, y = np.random.normal(size=(2, 3, 2))
    check_gradient(lambda a, b: nd.where(cond, a, b), [x, y])
    c = nd.array(cond.asnumpy(), dtype="float64")
    c.attach_grad()
    with mx.autograd.record():
        out = nd.where(c, nd.array(x, dtype="float64"), nd.array(y, dtype="float64"))
    out.backward()
    np.testing.assert_array_equal(c.grad.asnumpy(), np.zeros(c.shape))


# ---- topk, sort, argsort -----------------------------------------------------------------
def ref_order(a, axis, ascend):
    """Stable order; descending keeps ties in their original order too (MXNet)."""
    return np.argsort(a if ascend else -a, axis=axis, kind="stable")


@given(shape=shapes, seed=st.integers(0, 100), ascend=st.booleans(),
       dtype=st.sampled_from(["float32", "float64", "int32", "uint8"]),
       flat=st.booleans())
def test_sort_argsort_match_numpy(shape, seed, ascend, dtype, flat):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 5, shape).astype(dtype)                   # many ties
    axis = None if flat else seed % (2 * len(shape)) - len(shape)
    ra = a.reshape(-1) if flat else a
    rax = 0 if flat else axis
    order = ref_order(ra.astype(np.float64), rax, ascend)
    s = nd.sort(nd.array(a, dtype=dtype), axis=axis, is_ascend=ascend)
    np.testing.assert_array_equal(s.asnumpy(), np.take_along_axis(ra, order, rax))
    assert s.dtype == np.dtype(dtype)
    o = nd.argsort(strided(a), axis=axis, is_ascend=ascend)
    assert o.dtype == np.float32
    np.testing.assert_array_equal(o.asnumpy(), order)


@given(shape=shapes, seed=st.integers(0, 100), ascend=st.booleans(),
       ret=st.sampled_from(["indices", "value", "both", "mask"]), k=st.integers(-1, 4),
       dtype=float_dtypes)
def test_topk_matches_numpy(shape, seed, ascend, ret, k, dtype):
    rng = np.random.default_rng(seed)
    axis = seed % (2 * len(shape)) - len(shape)
    a = rng.integers(0, 4, shape).astype(dtype)
    n = shape[axis]
    if k > n:
        with pytest.raises(mx.MXNetError, match="topk: k must be"):
            nd.topk(nd.array(a, dtype=dtype), axis=axis, k=k)
        return
    kk = n if k < 1 else k
    order = np.take(ref_order(a, axis, ascend), np.arange(kk), axis=axis)
    out = nd.topk(nd.array(a, dtype=dtype), axis=axis, k=k, ret_typ=ret, is_ascend=ascend)
    values = np.take_along_axis(a, order, axis)
    if ret == "indices":
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.asnumpy(), order)
    elif ret == "value":
        np.testing.assert_array_equal(out.asnumpy(), values)
    elif ret == "both":
        assert isinstance(out, list) and len(out) == 2
        np.testing.assert_array_equal(out[0].asnumpy(), values)
        np.testing.assert_array_equal(out[1].asnumpy(), order)
    else:
        mask = np.zeros_like(a)
        np.put_along_axis(mask, order, 1, axis)
        assert out.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(out.asnumpy(), mask)


def test_sort_size_zero_and_one():
    assert nd.sort(nd.zeros((2, 0))).shape == (2, 0)
    assert nd.argsort(nd.zeros((0, 3)), axis=0).shape == (0, 3)
    assert nd.topk(nd.zeros((2, 0)), ret_typ="value", k=0).shape == (2, 0)
    np.testing.assert_array_equal(nd.topk(nd.array([7.0]), ret_typ="value").asnumpy(), [7])


def test_topk_errors():
    with pytest.raises(mx.MXNetError, match="topk.*ret_typ"):
        nd.topk(nd.ones((3,)), ret_typ="values")
    with pytest.raises(mx.MXNetError, match="topk.*axis"):
        nd.topk(nd.ones((3,)), axis=1)


@pytest.mark.parametrize("kwargs", [dict(k=2, ret_typ="value"),
                                    dict(k=3, ret_typ="both", axis=0, is_ascend=True),
                                    dict(k=4, ret_typ="value", axis=None)])
def test_topk_gradient(kwargs):
    a = np.random.permutation(24).reshape(4, 6) + np.random.uniform(0, 0.5, (4, 6))
    check_gradient(lambda x: nd.topk(x, **kwargs), [a])


def test_topk_indices_have_zero_gradient():
    x = nd.array([3.0, 1.0, 2.0])
    x.attach_grad()
    with mx.autograd.record():
        y = nd.topk(x, k=2, ret_typ="mask")
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [0, 0, 0])


@pytest.mark.parametrize("axis,ascend", [(-1, True), (0, False), (None, True)])
def test_sort_gradient(axis, ascend):
    a = np.random.permutation(12).reshape(3, 4) + np.random.uniform(0, 0.5, (3, 4))
    check_gradient(lambda x: nd.sort(x, axis=axis, is_ascend=ascend), [a])


# ---- ravel_multi_index / unravel_index ----------------------------------------------------
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=4).map(tuple),
       n=st.integers(0, 6), dtype=st.sampled_from(["float32", "float64", "int32", "int64"]))
def test_ravel_unravel_roundtrip(shape, n, dtype):
    rng = np.random.default_rng(n)
    flat = rng.integers(0, int(np.prod(shape)), n)
    multi = np.array(np.unravel_index(flat, shape)).reshape(len(shape), n)
    r = nd.ravel_multi_index(nd.array(multi, dtype=dtype), shape=shape)
    assert r.dtype == np.dtype(dtype) and r.shape == (n,)
    np.testing.assert_array_equal(r.asnumpy(), flat)
    u = nd.unravel_index(nd.array(flat, dtype=dtype), shape=shape)
    assert u.dtype == np.dtype(dtype) and u.shape == (len(shape), n)
    np.testing.assert_array_equal(u.asnumpy(), multi)
    u2 = nd._unravel_index(nd.array(flat.reshape(1, n), dtype=dtype), shape=shape)
    assert u2.shape == (len(shape), 1, n)                        # pymx: any data shape


def test_ravel_errors():
    with pytest.raises(mx.MXNetError, match="ravel_multi_index: data must be 2-D"):
        nd.ravel_multi_index(nd.ones((2,)), shape=(3, 3))
    with pytest.raises(mx.MXNetError, match="unravel_index: shape must not be empty"):
        nd.unravel_index(nd.ones((2,)))


# ---- shape and type inference agree with the forward (Symbol relies on them) -----------
@pytest.mark.parametrize("name,inputs,kwargs", [
    ("take", [np.ones((2, 3, 4)), np.zeros((5, 1))], dict(axis=-2)),
    ("batch_take", [np.ones((2, 3)), np.zeros((2,), "int32")], {}),
    ("pick", [np.ones((2, 3, 4)), np.zeros((2, 4))], dict(axis=1, keepdims=True)),
    ("one_hot", [np.zeros((2, 3))], dict(depth=4, dtype="int32")),
    ("gather_nd", [np.ones((2, 3, 4)), np.zeros((2, 5))], {}),
    ("scatter_nd", [np.ones((5, 4)), np.zeros((2, 5))], dict(shape=(2, 3, 4))),
    ("where", [np.ones((2,)), np.ones((2, 3)), np.ones((2, 3))], {}),
    ("topk", [np.ones((2, 5))], dict(k=3, ret_typ="both", dtype="int64")),
    ("topk", [np.ones((2, 5))], dict(k=3, axis=None)),
    ("topk", [np.ones((2, 5))], dict(k=3, ret_typ="mask")),
    ("sort", [np.ones((2, 5))], dict(axis=None)),
    ("argsort", [np.ones((2, 5))], dict(dtype="int32")),
    ("_ravel_multi_index", [np.zeros((2, 7))], dict(shape=(3, 4))),
    ("_unravel_index", [np.zeros((7,))], dict(shape=(3, 4))),
])
def test_infer_shape_and_type_match_forward(name, inputs, kwargs):
    op = get_op(name)
    a = op.parse_attrs(dict(kwargs))
    arrays = [nd.array(x, dtype=x.dtype if x.dtype != np.float64 else "float32")
              for x in inputs]
    out = getattr(nd, name)(*arrays, **kwargs)
    outs = out if isinstance(out, list) else [out]
    _, shapes_ = op.infer_shape(a, [x.shape for x in arrays])
    _, types = op.infer_type(a, [np.dtype(x.dtype) for x in arrays])
    assert [tuple(s) for s in shapes_] == [o.shape for o in outs]
    assert [np.dtype(t) for t in types] == [np.dtype(o.dtype) for o in outs]


def test_docstrings_and_aliases():
    assert nd.ravel_multi_index is not None and nd.unravel_index is not None
    assert get_op("ravel_multi_index") is get_op("_ravel_multi_index")
    assert "clip" in nd.take.__doc__ and "float32" in nd.topk.__doc__


# ---- legacy ops against MXNet 1.9.1 (tests/data/mxnet/make_legacy_ops.py) ------------------
@pytest.mark.parametrize("case", legacy_frozen.cases("indexing"))
def test_legacy_ops_match_mxnet(case):
    legacy_frozen.replay(case)


def test_fill_element_0index_checks_shapes():
    with pytest.raises(mx.MXNetError, match=r"fill_element_0index: .* got matrix \(3, 4\) "
                                            r"and mhs\(2,\), rhs\(3,\)"):
        mx.nd.fill_element_0index(mx.nd.zeros((3, 4)), mx.nd.ones(2), mx.nd.ones(3))


def test_onehot_encode_writes_into_out():
    """MXNet's legacy ``onehot_encode(indices, out)`` writes ``out`` and returns it."""
    out = mx.nd.zeros((2, 3))
    assert mx.nd.onehot_encode(mx.nd.array([2, 0]), out) is out
    np.testing.assert_array_equal(out.asnumpy(), [[0, 0, 1], [1, 0, 0]])
