"""``mx.np`` / ``mx.npx``: NumPy semantics as MXNet 1.9.1 implements them.

Expected values marked *MXNet 1.9.1* were printed by real MXNet 1.9.1 (pip wheel,
``from mxnet import np, npx; npx.set_np()``) for the same inputs and pasted here;
the others follow from NumPy.  Every test runs under ``npx.set_np()`` and the fixture
resets the switches, so no test leaks NumPy mode into the rest of the suite.
"""
import numpy as onp
import pytest

import pymx as mx
from pymx import autograd, np, npx
from pymx.base import MXNetError


@pytest.fixture(autouse=True)
def _np_mode():
    npx.set_np()
    yield
    npx.reset_np()


def same(a, expected, dtype=None):
    """``a`` is an mx.np array equal to ``expected`` (shape, values and dtype)."""
    assert isinstance(a, np.ndarray), f"{type(a).__name__} is not an mx.np.ndarray"
    expected = onp.asarray(expected, dtype=dtype or a.dtype)
    assert a.shape == expected.shape, f"shape {a.shape} != {expected.shape}"
    if dtype is not None:
        assert a.dtype == onp.dtype(dtype), f"dtype {a.dtype} != {dtype}"
    onp.testing.assert_allclose(a.asnumpy(), expected, rtol=1e-5, atol=1e-6)


# ---- the switches --------------------------------------------------------------------------
def test_switches_and_result_class():
    assert npx.is_np_array() and npx.is_np_shape()
    npx.reset_np()
    assert not npx.is_np_array() and not npx.is_np_shape()
    assert type(mx.nd.ones(2)) is mx.nd.NDArray
    assert mx.nd.ones((2, 3)).sum().shape == (1,)             # legacy untouched
    assert type(np.ones(2)) is np.ndarray                    # mx.np is np anyway
    assert type(np.ones(2) + 1) is np.ndarray
    with pytest.raises(ValueError):
        npx.set_np(shape=False, array=True)


def test_use_np_decorator():
    npx.reset_np()

    @npx.use_np
    def make():
        return mx.nd.zeros(2), npx.is_np_array()

    arr, flag = make()
    assert flag and type(arr) is np.ndarray and not npx.is_np_array()


# ---- creation: MXNet 1.9.1's default dtypes ------------------------------------------------
def test_creation_dtypes():
    # MXNet 1.9.1: np.array([1, 2]) -> array([1., 2.]) float32; np.arange(12) float32
    same(np.array([1, 2]), [1, 2], "float32")
    same(np.array([True, False]), [1, 0], "float32")
    same(np.array(onp.array([1., 2.])), [1, 2], "float64")
    same(np.array(onp.array([1, 2])), [1, 2], "int64")
    same(np.array([1, 2], dtype=int), [1, 2], "int64")
    same(np.ones(3), [1, 1, 1], "float32")
    same(np.arange(12), onp.arange(12), "float32")
    same(np.arange(2, 10, 3), [2, 5, 8], "float32")
    same(np.arange(5, dtype="int32"), onp.arange(5), "int32")
    same(np.full((2,), 3), [3, 3], "float32")
    same(np.zeros((2, 3), dtype="int32"), onp.zeros((2, 3)), "int32")
    same(np.ones_like(np.array([1, 2], dtype="int32")), [1, 1], "int32")
    same(np.full_like(np.zeros((2, 2)), 2), onp.full((2, 2), 2), "float32")
    same(np.linspace(0, 1, 5), [0, .25, .5, .75, 1], "float32")
    same(np.eye(2, 3, 1), [[0, 1, 0], [0, 0, 1]], "float32")
    same(np.array(3.5), 3.5, "float32")
    assert np.zeros(()).shape == () and np.empty((2, 0)).shape == (2, 0)
    assert np.array(mx.nd.ones(2, dtype="int32")).dtype == onp.int32


def test_meshgrid():
    # MXNet 1.9.1: meshgrid(arange(2), arange(3)) -> both (3, 2), first [[0, 1]] * 3
    xx, yy = np.meshgrid(np.arange(2), np.arange(3))
    same(xx, [[0, 1]] * 3)
    same(yy, [[0, 0], [1, 1], [2, 2]])
    ii, _ = np.meshgrid(np.arange(2), np.arange(3), indexing="ij")
    assert ii.shape == (2, 3)


# ---- printing --------------------------------------------------------------------------
def test_repr_and_str():
    # MXNet 1.9.1 reprs, verbatim
    assert repr(np.array([1, 2])) == "array([1., 2.])"
    assert repr(np.array([1, 2, 3], dtype="int32")) == "array([1, 2, 3], dtype=int32)"
    assert repr(np.array([1.5, 2.25], dtype="float64")) == "array([1.5 , 2.25], dtype=float64)"
    assert repr(np.zeros((2, 0))) == "array([], shape=(2, 0))"
    assert repr(np.array(3.5)) == "array(3.5)"
    assert repr(np.arange(3) > 1) == "array([False, False,  True])"
    assert repr(np.arange(6).reshape(2, 3).argmax(axis=1)) == "array([2, 2], dtype=int64)"
    assert str(np.array([[1, 2], [3, 4]])) == "[[1. 2.]\n [3. 4.]]"


# ---- zero-dim results, indexing -----------------------------------------------------------
def test_zero_dim_and_conversions():
    x = np.arange(12).reshape(3, 4)
    same(x.sum(), 66.0)                          # MXNet 1.9.1: array(66.)
    same(x[0, 1], 1.0)                           # MXNet 1.9.1: array(1.)
    assert x.sum().shape == () and x[0, 1].shape == ()
    assert x.sum().item() == 66.0 and float(x.sum()) == 66.0 and int(x[1, 1]) == 5
    assert isinstance(x[0, 0].item(), float)
    assert x.tolist()[0] == [0.0, 1.0, 2.0, 3.0]
    assert len(x) == 3 and x.size == 12 and x.ndim == 2 and x.T.shape == (4, 3)
    assert [r.shape for r in x] == [(4,)] * 3
    assert [float(v) for v in np.arange(3)] == [0.0, 1.0, 2.0]
    assert x.dtype == onp.dtype("float32") and x.astype("int32").dtype == onp.int32
    assert x.reshape(2, -1).shape == (2, 6) and x.reshape((-1,)).shape == (12,)
    assert np.reshape(x, (4, 3)).shape == (4, 3) and x.flatten().shape == (12,)
    with pytest.raises(TypeError):
        len(np.array(1.0))


def test_comparisons_give_bool_and_mask_indexing():
    x = np.arange(12).reshape(3, 4)
    m = x > 5
    assert m.dtype == onp.bool_
    same(x[m], [6, 7, 8, 9, 10, 11])             # MXNet 1.9.1
    same(np.equal(x, 2)[0], [False, False, True, False])
    same(np.less(x, 2)[0], [True, True, False, False])
    y = x.copy()
    y[y < 3] = -1
    same(y[0], [-1, -1, -1, 3])
    assert (m.sum()).dtype == onp.int64 and int(m.sum()) == 6   # MXNet 1.9.1: int64


def test_advanced_indexing():
    x = np.arange(12).reshape(3, 4)
    same(x[[0, 2], [1, 3]], [1, 11])                                 # MXNet 1.9.1
    same(x[range(3), np.array([0, 1, 2])], [0, 5, 10])              # MXNet 1.9.1
    same(x[np.array([2., 0.])], [[8, 9, 10, 11], [0, 1, 2, 3]])     # float index array
    same(x[:, 1], [1, 5, 9])
    same(x[..., 1], [1, 5, 9])
    assert x[None].shape == (1, 3, 4)
    same(x[-1, -1], 11)


def test_gradients_through_indexing():
    # MXNet 1.9.1: d/da sum(a[a > 2]**2) = [[0, 0, 0], [6, 8, 10]]
    a = np.arange(6).reshape(2, 3)
    a.attach_grad()
    with autograd.record():
        c = (a[a > 2] ** 2).sum()
    c.backward()
    same(a.grad, [[0, 0, 0], [6, 8, 10]])
    # MXNet 1.9.1: a[[0, 1], [2, 0]].backward() -> [[0, 0, 1], [1, 0, 0]]
    with autograd.record():
        y = a[np.array([0, 1]), np.array([2, 0])]
    y.backward()
    same(a.grad, [[0, 0, 1], [1, 0, 0]])
    assert type(a.grad) is np.ndarray


def test_backward_from_zero_dim_and_vector():
    a = np.array([1., 2., 3.])
    a.attach_grad()
    with autograd.record():
        loss = (a * a).sum()
    assert loss.shape == ()
    loss.backward()
    same(a.grad, [2, 4, 6])                      # MXNet 1.9.1
    with autograd.record():
        v = a * a
    v.backward()                                 # a vector head: ones
    same(a.grad, [2, 4, 6])


# ---- dtype rules of arithmetic ---------------------------------------------------------
def test_arithmetic_dtypes():
    i32, f = np.array([1, 2], dtype="int32"), np.ones(2)
    # MXNet 1.9.1, each pair: value and dtype
    same(f * (f > 0), [1, 1], "float32")
    same(i32 + f, [2, 3], "float32")
    same(i32 * 2, [2, 4], "int32")
    same(i32 / 2, [.5, 1], "float32")
    same(i32 + 1.5, [2, 3], "int32")             # the scalar never changes the dtype
    same(i32 * 2.5, [2, 4], "int32")
    x = np.arange(6).reshape(2, 3)
    same((x > 1) + 1, [[1, 1, 2], [2, 2, 2]], "int64")
    same(2 - x, [[2, 1, 0], [-1, -2, -3]])
    same(np.maximum(x, 2), [[2, 2, 2], [3, 4, 5]])
    same(np.power(x, 2), [[0, 1, 4], [9, 16, 25]])
    same(np.exp(i32), [2, 7], "int32")           # MXNet 1.9.1 keeps the int dtype
    with pytest.raises(MXNetError, match="broadcast"):
        np.ones((2, 3)) + np.ones((4,))
    with pytest.raises(TypeError):               # MXNet 1.9.1: np.equal(x, None) raises
        np.ones(2) == None  # noqa: E711,B015


def test_inplace_update_keeps_dtype_and_memory():
    w = np.ones((2, 2))
    view = w[:]
    w[:] -= 0.5 * np.ones((2, 2))
    same(view, onp.full((2, 2), 0.5))
    w += np.array([[1, 1], [1, 1]], dtype="int32")
    assert w.dtype == onp.float32


# ---- reductions -------------------------------------------------------------------------
def test_reductions():
    x = np.arange(12).reshape(3, 4)
    i32 = np.array([1, 2], dtype="int32")
    # MXNet 1.9.1 values
    same(np.sum(x, axis=0), [12, 15, 18, 21])
    same(np.sum(x, axis=1, keepdims=True), [[6], [22], [38]])
    same(x.sum(1, keepdims=True), [[6], [22], [38]])
    same(i32.sum(), 3, "int32")
    same(i32.mean(), 1.5, "float32")
    same(np.ones((2, 3, 4)).sum(axis=(0, 2)), [8, 8, 8])
    same(x.mean(axis=(0, 1)), 5.5)
    same(np.max(x), 11)
    same(x.max(axis=0), [8, 9, 10, 11])
    same(np.min(x, axis=1), [0, 4, 8])
    same(np.prod(np.array([1., 2., 3.])), 6)
    same(x.argmax(), 11, "int64")
    same(x.argmax(axis=1), [3, 3, 3], "int64")
    same(x.argmin(0), [0, 0, 0, 0], "int64")
    y = np.arange(6).reshape(2, 3)
    same(np.std(y), 1.7078252)
    same(np.var(y), 2.9166667)
    same(np.cumsum(np.arange(4)), [0, 1, 3, 6])
    same(np.cumsum(y, axis=0), [[0, 1, 2], [3, 5, 7]])
    same(np.linalg.norm(y), 7.4161987)
    same(np.linalg.norm(y, axis=1), [2.236068, 7.071068])


def test_cumsum_and_var_gradients():
    a = np.array([1., 2., 3.])
    a.attach_grad()
    with autograd.record():
        s = (np.cumsum(a) * np.array([1., 10., 100.])).sum()
    s.backward()
    same(a.grad, [111, 110, 100])
    with autograd.record():
        v = np.var(a)
    v.backward()
    same(a.grad, 2 * (onp.array([1, 2, 3]) - 2) / 3)


# ---- shape manipulation, products, selection -----------------------------------------------
def test_manipulation():
    x = np.arange(6).reshape(2, 3)
    # MXNet 1.9.1 values
    same(np.concatenate([x, x]), onp.concatenate([onp.arange(6).reshape(2, 3)] * 2))
    assert np.stack([x, x]).shape == (2, 2, 3)
    parts = np.split(np.arange(6), 3)
    assert isinstance(parts, list) and len(parts) == 3
    same(parts[1], [2, 3])
    same(np.split(x, 3, axis=1)[0], [[0], [3]])
    same(np.split(np.arange(6), [2, 5])[2], [5])
    same(np.transpose(x), [[0, 3], [1, 4], [2, 5]])
    assert x.transpose(1, 0).shape == (3, 2)
    assert np.expand_dims(x, 0).shape == (1, 2, 3)
    assert np.squeeze(np.ones((1, 3, 1))).shape == (3,)
    assert np.squeeze(np.ones((1, 1))).shape == ()
    assert np.broadcast_to(np.ones(3), (2, 3)).shape == (2, 3)
    same(np.tile(np.arange(2), 2), [0, 1, 0, 1])
    same(np.repeat(np.arange(2), 2), [0, 0, 1, 1])
    assert np.repeat(x, 2).shape == (12,)
    same(np.sort(np.array([3, 1, 2])), [1, 2, 3])
    same(np.argsort(np.array([3., 1, 2])), [1, 2, 0], "int64")
    with pytest.raises(ValueError, match="equal division"):
        np.split(np.arange(5), 2)


def test_products():
    x = np.arange(6).reshape(2, 3)
    same(np.dot(np.arange(3), np.arange(3)), 5)           # MXNet 1.9.1: array(5.)
    same(np.dot(x, np.ones((3, 2))), [[3, 3], [12, 12]])
    same(np.dot(np.ones((2, 3)), np.ones(3)), [3, 3])
    same(np.array([[1, 2], [3, 4]]) @ np.ones((2, 1)), [[3], [7]])
    assert np.matmul(np.ones((4, 2, 3)), np.ones((4, 3, 5))).shape == (4, 2, 5)
    with pytest.raises(MXNetError, match="dot"):
        np.dot(np.ones((2, 3)), np.ones((2, 3)))


def test_selection_and_tests():
    x = np.arange(12).reshape(3, 4)
    same(np.clip(x, 2, 5)[0], [2, 2, 2, 3])
    same(np.clip(x, None, 3)[2], [3, 3, 3, 3])
    same(np.where(x > 5, x, 0)[1], [0, 0, 6, 7])
    # MXNet 1.9.1: where(x > 2, x, [10., 20., 30.]) on arange(6).reshape(2, 3)
    y = np.arange(6).reshape(2, 3)
    same(np.where(y > 2, y, np.array([10., 20., 30.])), [[10, 20, 30], [3, 4, 5]])
    same(np.isnan(np.array([1., onp.nan])), [False, True])
    assert np.allclose(np.ones(2), np.ones(2)) is True
    assert np.allclose(np.ones(2), np.zeros(2)) is False
    assert np.pi == onp.pi and np.newaxis is None and np.float32 is onp.float32


# ---- random -------------------------------------------------------------------------------
def test_random():
    a = np.random.normal(0, 1, (2, 3))
    assert a.shape == (2, 3) and a.dtype == onp.float32
    assert np.random.normal(0, 1).shape == ()
    u = np.random.uniform(size=(1000,))
    assert 0 <= float(u.min()) and float(u.max()) < 1
    r = np.random.randint(0, 5, (3,))
    assert r.dtype == onp.int64 and r.shape == (3,)
    c = np.random.choice(4, 4, replace=False)
    assert sorted(c.tolist()) == [0, 1, 2, 3]
    y = np.arange(5)
    np.random.shuffle(y)
    assert sorted(y.tolist()) == [0, 1, 2, 3, 4]
    np.random.seed(3)
    first = np.random.normal(size=(4,)).tolist()
    np.random.seed(3)
    assert np.random.normal(size=(4,)).tolist() == first


# ---- npx -------------------------------------------------------------------------------
def test_npx_operators():
    x = np.arange(6).reshape(2, 3)
    # MXNet 1.9.1 values
    same(npx.softmax(x), [[0.09003057, 0.24472848, 0.6652409]] * 2)
    same(npx.pick(x, np.array([0, 1])), [0, 4])
    same(npx.one_hot(np.array([0, 2]), 3), [[1, 0, 0], [0, 0, 1]])
    same(npx.relu(x - 2), [[0, 0, 0], [1, 2, 3]])
    same(npx.topk(x, k=2), [[2, 1], [2, 1]])
    same(npx.sequence_mask(np.ones((3, 2)), np.array([1., 2.]), use_sequence_length=True),
         [[1, 1], [0, 1], [0, 0]])
    same(npx.batch_dot(np.ones((2, 1, 3)), np.ones((2, 3, 1))), [[[3]], [[3]]])
    same(npx.embedding(np.array([0., 2.]), np.arange(6).reshape(3, 2), input_dim=3,
                       output_dim=2), [[0, 1], [4, 5]])
    w = np.ones((4, 3))
    same(npx.fully_connected(np.ones((2, 3)), w, num_hidden=4), onp.full((2, 4), 3))
    assert npx.num_gpus() == 0 and npx.cpu() == mx.cpu()


def test_npx_reshape_codes():
    x = np.ones((2, 3, 4))
    assert npx.reshape(x, (-2, -1)).shape == (2, 12)        # MXNet 1.9.1
    assert npx.reshape(x, (-5, -4)).shape == (6, 4)
    assert npx.reshape(x, (-6, 1, 2, -4)).shape == (1, 2, 3, 4)
    assert npx.reshape(np.ones((2, 1, 3)), (-2, -3, -2)).shape == (2, 3)
    with pytest.raises(MXNetError, match="npx.reshape"):     # MXNet 1.9.1: MXNetError
        npx.reshape(x, (5, -1, 7))


def test_save_load(tmp_path):
    # MXNet 1.9.1: npx.load gives a list for one array or a list, a dict for a dict
    f = str(tmp_path / "x")
    npx.save(f, np.arange(4))
    (x,) = npx.load(f)
    same(x, [0, 1, 2, 3])
    npx.save(f, {"x": np.arange(2), "y": np.zeros(2)})
    d = npx.load(f)
    assert sorted(d) == ["x", "y"] and type(d["y"]) is np.ndarray


# ---- legacy <-> np conversions ------------------------------------------------------------
def test_conversions_share_memory_and_history():
    npx.reset_np()
    z = mx.nd.ones((2, 2))
    zz = z.as_np_ndarray()
    zz[0, 0] = 5
    assert z.asnumpy()[0, 0] == 5 and type(zz) is np.ndarray   # shared, as MXNet
    back = zz.as_nd_ndarray()
    back[1, 1] = 7
    assert zz[1, 1].item() == 7 and back[1, 1].shape == (1,)
    w = np.ones(3)
    w.attach_grad()
    with autograd.record():
        loss = (w.as_nd_ndarray() * 2).sum()
    loss.backward()
    same(w.grad, [2, 2, 2])


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match="dot"):
        np.dot(np.ones(2), [1, 2])
    with pytest.raises(MXNetError, match="matmul"):          # MXNet 1.9.1: MXNetError
        np.matmul(np.ones((2, 2, 3)), np.ones((3, 3, 2)))
    with pytest.raises(MXNetError, match="out of bounds"):
        np.sum(np.ones((2, 3)), axis=2)


def test_official_numpy_functions_dispatch_to_mx_np():
    """NEP 18, frozen from MXNet 1.9.1 (numpy 1.23): the official NumPy functions of
    MXNet's dispatch list return mx.np arrays (and are recorded); others run on the
    host (``onp.allclose`` gives a Python bool); a NumPy array among the arguments of a
    dispatched function is a TypeError."""
    x = np.array([[1., -2.], [3., 4.]])
    for got in (onp.dot(x, x), onp.concatenate([x, x]), onp.where(x > 0, x, 0),
                onp.stack([x, x]), onp.linalg.norm(x), onp.ones_like(x)):
        assert type(got) is np.ndarray
    same(onp.dot(x, x), [[-5., -10.], [15., 10.]])
    same(onp.where(x > 0, x, 0), [[1., 0.], [3., 4.]])
    assert abs(float(onp.linalg.norm(x)) - 5.477226) < 1e-5
    assert onp.allclose(x, x) is True
    assert onp.shape(x) == (2, 2)
    with pytest.raises(TypeError):
        onp.concatenate([x, onp.ones((1, 2))])
    x.attach_grad()
    with autograd.record():
        y = onp.dot(x, x).sum()
    y.backward()
    same(x.grad, [[3., 11.], [1., 9.]])
