"""NDArray ``x[key]`` and ``x[key] = value`` (pymx/ndarray/indexing.py).

Expected shapes, values, view-or-copy and errors come from a real MXNet 1.9.1, frozen in
``tests/data/mxnet/shape_ops.json`` by ``tests/data/mxnet/make_shape.py``.
"""
import json
import os

import numpy as np
import pytest
from hypothesis import given, strategies as st

import pymx as mx
from pymx import autograd
from pymx.test_utils import assert_almost_equal, check_gradient

nd = mx.nd
with open(os.path.join(os.path.dirname(__file__), "data", "mxnet", "shape_ops.json")) as _f:
    MX = json.load(_f)
KEY_NS = {"np": np, "slice": slice, "Ellipsis": Ellipsis}
ERRORS = {"IndexError": IndexError, "ValueError": ValueError, "MXNetError": mx.MXNetError}


def base():
    return nd.arange(24).reshape(2, 3, 4)


# ---- reading: parity with MXNet ---------------------------------------------------------
@pytest.mark.parametrize("case", MX["getitem"], ids=lambda c: c["key"])
def test_getitem_matches_mxnet(case):
    key = eval(case["key"], KEY_NS)
    x = base()
    if "error" in case:
        with pytest.raises(ERRORS[case["error"]]):
            x[key]
        return
    out = x[key]
    want = case["outputs"][0]
    assert out.shape == tuple(want["shape"])
    assert out.asnumpy().ravel().tolist() == want["values"]
    v = x[key]                                     # view or copy, as MXNet decides
    v[:] = -1
    assert bool((x.asnumpy() == -1).any()) == case["view"], "view/copy differs from MXNet"


@pytest.mark.parametrize("case", MX["setitem"], ids=lambda c: f"{c['key']}={c['value']}")
def test_setitem_matches_mxnet(case):
    key = eval(case["key"], KEY_NS)
    x = nd.zeros((2, 3, 4))
    buf = x._data
    if "error" in case:
        with pytest.raises(ERRORS[case["error"]]):
            x[key] = eval(case["value"], {"np": np, "nd": nd})
        return
    x[key] = eval(case["value"], {"np": np, "nd": nd})
    assert x.asnumpy().ravel().tolist() == case["outputs"][0]["values"]
    assert x._data is buf                          # written in place


# ---- reading: semantics -----------------------------------------------------------------
def test_one_element_gives_shape_1_and_asscalar_works():
    a = np.arange(12.0).reshape(3, 4)
    x = nd.array(a)
    assert x[1, 2].shape == (1,)
    assert x[1, 2].asscalar() == a[1, 2]
    assert nd.array([5, 6])[1].shape == (1,)
    assert x[[1], [2]].shape == (1,)
    assert x[np.array(1), np.array(2)].shape == (1,)   # 0-d advanced index -> (1,)


def test_contiguous_slices_are_views():
    x = nd.arange(12).reshape(4, 3)
    v = x[1:3]
    v[:] = -1
    assert (x.asnumpy()[1:3] == -1).all()
    r = x[2]
    r[1] = 50                                        # writing through a view of a view
    assert x.asnumpy()[2, 1] == 50
    y = x[:, 1]                                      # not contiguous: a copy
    y[:] = 7
    assert (x.asnumpy()[:, 1] != 7).all()


def test_negative_steps():
    a = np.arange(24.0).reshape(2, 3, 4)
    x = nd.array(a)
    assert_almost_equal(x[::-1], a[::-1])
    assert_almost_equal(x[1, ::-2], a[1, ::-2])
    assert_almost_equal(x[:, 2:0:-1, ::-3], a[:, 2:0:-1, ::-3])
    assert x[-1::-5].shape == (1, 3, 4)
    assert x[0:-20:-1].shape == (1, 3, 4)
    assert x[-20::-1].shape == (0, 3, 4)             # empty, not the whole axis


def _basic_key(shape, data):
    """Ints and slices for a prefix of the axes, with None inserted anywhere."""
    def entry(n):
        return st.one_of(st.integers(-n, n - 1),
                         st.builds(slice, st.one_of(st.none(), st.integers(-n - 1, n + 1)),
                                   st.one_of(st.none(), st.integers(-n - 1, n + 1)),
                                   st.one_of(st.none(), st.integers(-3, 3).filter(bool))))
    m = data.draw(st.integers(0, len(shape)))
    key = list(data.draw(st.tuples(*[entry(n) for n in shape[:m]])))
    for _ in range(data.draw(st.integers(0, 2))):
        key.insert(data.draw(st.integers(0, len(key))), None)
    return tuple(key)


@given(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), st.data())
def test_basic_indexing_random_against_numpy(shape, data):
    a = np.random.rand(*shape)
    key = _basic_key(shape, data)
    want = a[key]
    out = nd.array(a, dtype=np.float64)[key]
    assert out.shape == (want.shape or (1,))
    assert_almost_equal(out, want.reshape(out.shape))


@given(st.lists(st.integers(1, 4), min_size=2, max_size=3).map(tuple), st.data())
def test_advanced_indexing_random_against_numpy(shape, data):
    a = np.random.rand(*shape)
    idx = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=0, max_size=5))
    col = data.draw(st.integers(-shape[1], shape[1] - 1))
    for key in [idx, (slice(None), [col, 0]), (idx, [col] * len(idx)), (Ellipsis, [0, 0])]:
        want = a[key]
        out = nd.array(a)[key]
        assert out.shape == (want.shape or (1,))
        assert_almost_equal(out, want.reshape(out.shape).astype(np.float32))


def test_advanced_index_types_and_copy():
    a = np.arange(12.0).reshape(3, 4)
    x = nd.array(a)
    for idx in ([2, 0], np.array([2, 0]), nd.array([2, 0]), nd.array([2, 0], dtype="int64"),
                range(2, -1, -2)):
        assert_almost_equal(x[idx], a[[2, 0]])
    assert_almost_equal(x[[1, 1, 0], [0, 1, 0]], a[[1, 1, 0], [0, 1, 0]])
    out = x[[0]]
    out[:] = -1
    assert x.asnumpy().min() == 0                    # advanced indexing copies
    assert x[[]].shape == (0, 4)


def test_index_errors():
    x = nd.zeros((2, 3))
    with pytest.raises(IndexError, match="out of bounds"):
        x[2]
    with pytest.raises(IndexError, match="axis 1"):
        x[0, -4]
    with pytest.raises(IndexError, match="too many"):
        x[0, 0, 0]
    with pytest.raises(IndexError):
        x[[0, 5]]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]
    with pytest.raises(mx.MXNetError, match="boolean"):
        x[np.array([True, False])]
    with pytest.raises(mx.MXNetError, match="boolean"):
        x[[True, False]]
    assert x[True].asnumpy().tolist() == x[1].asnumpy().tolist()   # MXNet: True is 1
    with pytest.raises(ValueError, match="does not support"):
        x[1.0]
    with pytest.raises(mx.MXNetError, match="boolean"):
        x[np.array([True, False])] = 1


# ---- writing ----------------------------------------------------------------------------
def test_setitem_values_and_broadcast():
    x = nd.zeros((3, 4))
    x[:] = 2
    assert (x.asnumpy() == 2).all()
    x[1] = nd.arange(4)
    x[2] = np.array([1.5, 2.5, 3.5, 4.5])
    x[0, 1:3] = [7, 8]
    want = np.full((3, 4), 2.0)
    want[1] = np.arange(4)
    want[2] = [1.5, 2.5, 3.5, 4.5]
    want[0, 1:3] = [7, 8]
    assert_almost_equal(x, want)
    x[...] = nd.ones((1, 4))                         # broadcast a row
    assert (x.asnumpy() == 1).all()
    x[None, 1, None] = nd.zeros((1, 4))              # None entries are ignored
    assert (x.asnumpy()[1] == 0).all()
    x[:, ::-2] = nd.array([[9, 8]])
    assert x.asnumpy()[0].tolist() == [1, 8, 1, 9]
    with pytest.raises(ValueError, match="broadcast"):
        x[0] = nd.ones((3,))
    with pytest.raises(TypeError):
        x[0] = "abc"


def test_setitem_casts_to_the_array_dtype():
    x = nd.zeros((3,), dtype="int32")
    x[:] = 2.7
    assert x.asnumpy().tolist() == [2, 2, 2]
    x[1] = nd.array([5.9])
    assert x.asnumpy().tolist() == [2, 5, 2] and x.dtype == np.int32
    y = nd.zeros((2,), dtype="float64")
    y[0] = np.float32(0.1)
    assert y.dtype == np.float64


def test_assign_a_row_and_writes_through_views():
    a = nd.arange(6).reshape(2, 3)
    a[0] = a[1]
    assert a.asnumpy().tolist() == [[3, 4, 5], [3, 4, 5]]
    p = nd.zeros((2, 3))
    v = p[1]
    v[:] = 4                                         # through a view: the parent changes
    v[0] = 1
    assert p.asnumpy().tolist() == [[0, 0, 0], [1, 4, 4]]
    w = p.reshape(3, 2)
    w[0] = 9
    assert p.asnumpy()[0, :2].tolist() == [9, 9]
    b = nd.arange(5)
    b[1:] = b[:-1]                                   # NumPy's answer (MXNet smears b[0])
    assert b.asnumpy().tolist() == [0, 0, 1, 2, 3]


def test_advanced_setitem():
    x = nd.zeros((3, 4))
    x[[0, 2], [1, 3]] = 5
    x[[1, 1]] = nd.arange(4)
    want = np.zeros((3, 4))
    want[[0, 2], [1, 3]] = 5
    want[1] = np.arange(4)
    assert_almost_equal(x, want)
    x[:, [0]] = np.array([[7], [8], [9]])
    assert x.asnumpy()[:, 0].tolist() == [7, 8, 9]


# ---- autograd ---------------------------------------------------------------------------
def test_gradient_through_views_and_copies():
    a = np.random.randn(4, 3)
    check_gradient(lambda x: x[1:3] * x[1:3], [a])
    check_gradient(lambda x: x[1, 2] * 3, [a])
    check_gradient(lambda x: x[:, ::-2], [a])
    check_gradient(lambda x: x[None, 2], [a])
    check_gradient(lambda x: x.reshape(2, 6)[1], [a])


def test_gradient_of_advanced_indexing_accumulates_repeats():
    a = np.random.randn(4, 3)
    check_gradient(lambda x: x[[0, 0, 2]], [a])
    check_gradient(lambda x: x[[1, 1, 0], [0, 1, 0]] * 2, [a])
    x = nd.array(a)
    x.attach_grad()
    with autograd.record():
        y = x[[0, 0, 2]]
    y.backward()
    assert x.grad.asnumpy()[:, 0].tolist() == [2, 0, 1, 0]


def _recorded_ops(y):
    """Op names from ``y`` back to the leaf, following first inputs."""
    names, node = [], y._node[0]
    while not node.is_leaf:
        names.append((node.op.name, dict(node.attrs)))
        node = node.entries[0][0]
    return names


def test_recorded_view_ops():
    x = nd.ones((4, 3))
    x.attach_grad()
    with autograd.record():
        y = x[1:3]
        z = x[1]
        w = x[:, 1]
    assert _recorded_ops(y) == [("slice", {"begin": (1, 0), "end": (3, 3), "step": ()})]
    assert [n for n, _ in _recorded_ops(z)] == ["Reshape", "slice"]
    assert _recorded_ops(z)[0][1]["shape"] == (3,)
    assert [n for n, _ in _recorded_ops(w)] == ["Reshape", "slice"]
    y[0, 0] = 5                                       # y is still a view of x
    assert x.asnumpy()[1, 0] == 5


def test_setitem_under_autograd_records_slice_assign():
    def fn(x, v):
        y = x * 1
        y[1:3] = v * 2
        y[0, ::2] = 5
        return y * y

    check_gradient(fn, [np.random.randn(4, 3), np.random.randn(2, 3)])
    check_gradient(lambda x, v: _assign_broadcast(x, v), [np.random.randn(3, 3),
                                                         np.random.randn(3)])


def _assign_broadcast(x, v):
    y = x + 0
    y[1:] = v                                        # v broadcast over two rows
    return y * x


def test_setitem_under_autograd_errors():
    x = nd.ones((3,))
    x.attach_grad()
    with autograd.record():
        with pytest.raises(mx.MXNetError, match="in-place"):
            x[0] = 2                                 # a leaf of the graph
        y = x * 2
        with pytest.raises(mx.MXNetError, match="advanced"):
            y[[0, 1]] = 1
        z = nd.zeros((3,))                            # not in the graph: plain write
        z[[0, 1]] = 1
    assert z.asnumpy().tolist() == [1, 1, 0]
