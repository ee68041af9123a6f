"""Differential parity of the legacy ``mx.nd`` API with MXNet 1.9.1.

Each test freezes what MXNet 1.9.1 printed for the same call (values "frozen from
MXNet 1.9.1", run with ``import mxnet``); pymx must give the same numbers, dtypes and
error types.
"""
import numpy as np
import pytest

import pymx as mx
from pymx import autograd
from pymx.base import MXNetError

nd = mx.nd


def _grad(fn, x):
    x = x.copy()
    x.attach_grad()
    with autograd.record():
        y = fn(x)
    y.backward()
    return x.grad.asnumpy()


# ---- NDArray API ---------------------------------------------------------------------
def test_reshape_size_mismatch_error_types():
    x = nd.arange(24).reshape((2, 3, 4))
    with pytest.raises(MXNetError):          # larger than the buffer: the C API refuses
        x.reshape((5, 5))
    with pytest.raises(ValueError):          # smaller: NDArray.reshape's Python check
        x.reshape((2, 2))
    with pytest.raises(ValueError):
        x.reshape((7, -1))
    assert x.reshape((-4, 1, 2, 0, 0)).shape == (1, 2, 3, 4)


def test_boolean_ndarray_index_is_a_value_error():
    x = nd.arange(24).reshape((2, 3, 4))
    with pytest.raises(ValueError):
        x[nd.array([0, 1], dtype="bool")]


def test_array_from_strings_is_a_type_error():
    with pytest.raises(TypeError):
        nd.array(["a"])


def test_slice_assign_methods_write_in_place():
    x = nd.ones((2, 2, 2))
    y = x.slice_assign(nd.zeros((1, 1, 2)), (0, 0, None), (1, 1, None), (None, None, None))
    assert y is x
    x.slice_assign_scalar(5, (1, None, None), (2, None, None), (None, None, -1))
    # frozen from MXNet 1.9.1
    assert x.asnumpy().tolist() == [[[0, 0], [1, 1]], [[5, 5], [5, 5]]]
    xi = nd.ones((3,), dtype="int32")
    xi.slice_assign_scalar(2.7, (0,), (2,), (None,))
    assert xi.asnumpy().tolist() == [2, 2, 1]


def test_param_less_ops_ignore_unknown_keywords():
    x = nd.arange(6).reshape((2, 3))
    assert nd.relu(x, foo=1).shape == (2, 3)              # MXNet ignores it
    assert nd.broadcast_add(x, x, foo=2).shape == (2, 3)
    with pytest.raises(MXNetError):                       # ops with parameters refuse
        nd.sum(x, foo=1)
    s = mx.sym.relu(mx.sym.var("a"), foo=1)
    assert s.list_attr() == {"foo": "1"}


# ---- scalar operands on integer arrays -------------------------------------------------
@pytest.mark.parametrize("dtype, value, added, equal", [
    # frozen from MXNet 1.9.1: nd.array([1, 2], dtype) + value, == value
    ("int32", float("inf"), [-2147483647, -2147483646], [0, 0]),
    ("int32", float("nan"), [-2147483647, -2147483646], [0, 0]),
    ("int32", 1e20, [-2147483647, -2147483646], [0, 0]),
    ("int64", -float("inf"), [-9223372036854775807, -9223372036854775806], [0, 0]),
    ("uint8", float("inf"), [1, 2], [0, 0]),
    ("int8", 1e19, [1, 2], [0, 0]),
])
def test_non_finite_scalar_on_int_array(dtype, value, added, equal):
    a = nd.array([1, 2], dtype=dtype)
    assert (a + value).asnumpy().tolist() == added
    assert (a == value).asnumpy().tolist() == equal


@pytest.mark.parametrize("dtype, value, expected", [
    # frozen from MXNet 1.9.1: nd.zeros((1,), dtype) + value
    ("int32", 3e9, -2147483648), ("int64", 3e9, 3000000000), ("uint8", 300, 44),
    ("uint8", -300, 212), ("int8", 300, 44), ("int8", -300, -44), ("int8", 70000.7, 112),
    ("int32", 70000.7, 70000),
])
def test_scalar_wraps_to_int_dtype(dtype, value, expected):
    assert (nd.zeros((1,), dtype=dtype) + value).asnumpy().tolist() == [expected]


# ---- functions -------------------------------------------------------------------------
def test_contrib_isinf_isnan_isfinite():
    x = nd.array([1, float("inf"), -float("inf"), float("nan"), 0])
    assert nd.contrib.isinf(x).asnumpy().tolist() == [0, 1, 1, 0, 0]
    assert nd.contrib.isnan(x).asnumpy().tolist() == [0, 0, 0, 1, 0]
    assert nd.contrib.isfinite(x).asnumpy().tolist() == [1, 0, 0, 0, 1]
    xi = nd.contrib.isfinite(nd.array([1, 2], dtype="int32"))
    assert xi.dtype == np.int32 and xi.asnumpy().tolist() == [1, 1]


def test_concatenate():
    r = nd.concatenate([nd.array([[1, 2]]), nd.array([[3, 4]])], axis=1)
    assert r.asnumpy().tolist() == [[1, 2, 3, 4]]
    a = nd.array([1])
    assert nd.concatenate([a], always_copy=False) is a
    with pytest.raises(AssertionError):
        nd.concatenate([nd.array([[1, 2]]), nd.array([[3]])], axis=0)
    with pytest.raises(AssertionError):
        nd.concatenate((nd.array([1]),))


@pytest.mark.parametrize("args, dtype, expected", [
    # frozen from MXNet 1.9.1: start and step are cast to the int dtype first
    ((0.5, 5, 1.5), "int32", [0, 1, 2]),
    ((-2.5, 3, 1.7), "int32", [-2, -1, 0, 1]),
    ((0, 3, 0.5), "int32", [0, 0, 0, 0, 0, 0]),
    ((2,), "uint8", [0, 1]),
])
def test_arange_integer_dtype(args, dtype, expected):
    assert nd.arange(*args, dtype=dtype).asnumpy().tolist() == expected
    r = nd.arange(-2.5, 3, 1.7, dtype="int64", repeat=2)
    assert r.asnumpy().tolist() == [-2, -2, -1, -1, 0, 0, 1, 1]


@pytest.mark.parametrize("dtype", ["int32", "uint8", "int64"])
def test_pad_is_float_only(dtype):
    x = nd.arange(4, dtype=dtype).reshape((1, 1, 2, 2))
    with pytest.raises(MXNetError):
        nd.pad(x, mode="constant", pad_width=(0, 0, 0, 0, 1, 0, 0, 1))


def test_scatter_nd_repeated_index_last_write_wins():
    r = nd.scatter_nd(nd.array([5, 6]), nd.array([[0, 0], [1, 1]]), shape=(2, 3))
    assert r.asnumpy().tolist() == [[0, 6, 0], [0, 0, 0]]       # frozen from MXNet 1.9.1


def test_smooth_l1_default_scalar_is_one():
    r = nd.smooth_l1(nd.array([-2, -0.5, 0.1, 1.5]))
    np.testing.assert_allclose(r.asnumpy(), [1.5, 0.125, 0.005, 1.0], rtol=1e-6)


def test_integer_sigmoid_truncates():
    assert nd.sigmoid(nd.array([1, 2, -1], dtype="int32")).asnumpy().tolist() == [0, 0, 0]


def test_softmax_length_must_be_integer():
    x = nd.array([[1, 2, 3, 0.5], [-1, 0, 4, 2]])
    with pytest.raises(MXNetError):
        nd.softmax(x, length=nd.array([2, 3]), use_length=True)
    r = nd.softmax(x, length=nd.array([2, 3], dtype="int32"), use_length=True)
    np.testing.assert_allclose(r.asnumpy(), [[0.2689, 0.7311, 0, 0],
                                             [0.0066, 0.0179, 0.9756, 0]], atol=1e-4)


def test_load_missing_file_is_mxnet_error(tmp_path):
    with pytest.raises(MXNetError):
        nd.load(str(tmp_path / "nope"))


# ---- norm: MXNet's scaled sum of squares ---------------------------------------------------
def test_norm_float32_digits():
    # frozen from MXNet 1.9.1 (float32 values; the true norm of arange(12) rounds to
    # 22.494444, MXNet's running-scale loop gives one ulp less)
    assert nd.arange(12).reshape((3, 4)).norm().asnumpy().tolist() == [22.494441986083984]
    xs = (nd.arange(1, 301) / 7.0).reshape((3, 100)) * nd.array([[1], [-1], [0.5]])
    assert xs.norm(axis=1).asnumpy().tolist() == [83.09693908691406, 218.91896057128906,
                                                  180.1126708984375]
    assert xs.norm(axis=0).asnumpy()[:5].tolist() == [
        20.35513687133789, 20.50833511352539, 20.662620544433594, 20.81796646118164,
        20.97435188293457]
    assert xs.norm().asnumpy().tolist() == [295.41693115234375]
    s = nd.sin(nd.arange(500)) * 3
    assert s.norm().asnumpy().tolist() == [47.41118621826172]
    assert s.reshape((5, 100)).norm(axis=1, keepdims=True).asnumpy().tolist() == [
        [21.215744018554688], [21.158676147460938], [21.15752601623535],
        [21.213481903076172], [21.269006729125977]]


def test_norm_integer_and_special_values():
    m = nd.array([[3, 1, 2, 5], [4, 4, 0, -1], [7, 2, 9, 1]], dtype="int32")
    assert m.norm().asnumpy().tolist() == [9]                    # frozen from MXNet 1.9.1
    assert m.norm(axis=1).asnumpy().tolist() == [5, 5, 9]
    assert np.isnan(nd.norm(nd.array([float("nan"), 1])).asscalar())
    assert nd.norm(nd.array([1, float("inf")])).asscalar() == float("inf")


# ---- gradients ---------------------------------------------------------------------------
def test_clip_gradient_includes_the_boundaries():
    g = _grad(lambda x: nd.clip(x, -1, 2), nd.array([-2, -1, 0, 1, 2, 3]))
    assert g.tolist() == [0, 1, 1, 1, 1, 0]                      # frozen from MXNet 1.9.1
    g = _grad(lambda x: x.clip(0.5, 1), nd.array([-2, -1, 0, 1, 2, 3]))
    assert g.tolist() == [0, 0, 0, 1, 0, 0]


def test_gelqf_gradient():
    A = nd.array([[1., 2., 0.5, -1.], [0.3, -2., 1., 2.]])
    g = _grad(lambda a: (nd.linalg.gelqf(a)[0] * nd.array([[1, -1, 2, 0.5],
                                                           [0.2, 1, -1, 3]])).sum()
              + (nd.linalg.gelqf(a)[1] * nd.array([[1, 0], [2, -1]])).sum(), A)
    np.testing.assert_allclose(g, [[-2.08493, 0.49384, -3.11937, -0.15693],   # frozen from
                                   [-1.34712, -0.73334, -1.72875, 1.32182]],  # MXNet 1.9.1
                               atol=2e-4)


def test_syevd_gradient():
    B = nd.array([[2., 1., 0.], [1., 3., -1.], [0., -1., 1.5]])

    def f(b):
        U, lam = nd.linalg.syevd(b)
        return (U * nd.array([[1, 2, 3], [-1, 0, 1], [0.5, 0.5, -2]])).sum() + \
            (lam * nd.array([1, -2, 0.5])).sum()
    np.testing.assert_allclose(_grad(f, B), [[-0.48195, 0.00488, -1.67519],  # frozen from
                                             [0.00488, 0.3188, 0.16153],     # MXNet 1.9.1
                                             [-1.67519, 0.16153, -0.33684]], atol=2e-4)


# ---- arithmetic quirks -----------------------------------------------------------------------
def test_degrees_radians_use_float32_factors():
    x = nd.array([1, 3, 100])
    # frozen from MXNet 1.9.1: 180.0f / PI is one ulp below float32(180 / pi)
    assert x.degrees().asnumpy().tolist() == [57.2957763671875, 171.8873291015625,
                                              5729.57763671875]
    x64 = nd.array([1, 3, 100], dtype="float64")
    assert x64.degrees().asnumpy().tolist() == [57.2957763671875, 171.8873291015625,
                                                5729.57763671875]
    assert nd.radians(x64).asnumpy().tolist() == [0.01745329238474369, 0.05235987715423107,
                                                  1.745329238474369]


def test_integer_power_goes_through_powf():
    a = nd.array([3, 3, 7, -2, 0], dtype="int32")
    b = nd.array([16, 19, 11, 3, -1], dtype="int32")
    # frozen from MXNet 1.9.1
    assert nd.broadcast_power(a, b).asnumpy().tolist() == [43046720, 1162261504, 1977326720,
                                                           -8, -2147483648]
    assert (a ** 16).asnumpy().tolist() == [43046720, 43046720, -2147483648, 65536, 0]
    assert (a ** -1).asnumpy().tolist() == [0, 0, 0, 0, -2147483648]
    assert (3 ** b).asnumpy().tolist() == [43046720, 1162261504, 177147, 27, 0]
    a64 = a.astype("int64")
    assert (a64 ** 39).asnumpy().tolist() == [4052555218645155840, 4052555218645155840,
                                              -9223372036854775808, -549755813888, 0]


def test_mod_by_zero_and_sign_of_nan_are_zero():
    # frozen from MXNet 1.9.1
    assert nd.broadcast_mod(nd.array([5., -5, 0]), nd.zeros(3)).asnumpy().tolist() == [0, 0, 0]
    assert (nd.array([5., -5]) % 0).asnumpy().tolist() == [0, 0]
    assert (3 % nd.array([0., 2])).asnumpy().tolist() == [0, 1]
    assert (nd.array([5, -5], dtype="int32") % 0).asnumpy().tolist() == [0, 0]
    assert nd.sign(nd.array([float("nan"), -0.0, 3, -2])).asnumpy().tolist() == [0, 0, 1, -1]


def test_broadcast_to_method_checks_like_mxnet():
    x = nd.arange(3).reshape((1, 3, 1))
    assert x.broadcast_to((2, 3, 3)).shape == (2, 3, 3)
    assert x.broadcast_to((4, 1, 3, 2)).shape == (4, 1, 3, 2)    # leading 1s added
    for bad in [(2, 0, 3), (3,)]:
        with pytest.raises(ValueError):
            x.broadcast_to(bad)
    assert nd.broadcast_to(x, shape=(2, 0, 3)).shape == (2, 3, 3)   # the op keeps 0


def test_float16_softmax_accumulates_in_half_precision():
    x = nd.array([[1, 2, 3, 0.5], [-1, 0, 4, 2]], dtype="float16")
    # frozen from MXNet 1.9.1 (a float32 computation gives 0.232177734375, 0.630859375...)
    assert nd.softmax(x).asnumpy().tolist() == [
        [0.0853271484375, 0.23193359375, 0.63037109375, 0.0517578125],
        [0.005802154541015625, 0.015777587890625, 0.861328125, 0.1165771484375]]
    assert nd.log_softmax(x, axis=0).asnumpy().tolist() == [
        [-0.1273193359375, -0.1273193359375, -1.3134765625, -1.701171875],
        [-2.126953125, -2.126953125, -0.3134765625, -0.2010498046875]]
    r = nd.softmax(x, temperature=2.0, dtype="float32")
    assert r.dtype == np.float32 and r.asnumpy().tolist() == [
        [0.16259765625, 0.26806640625, 0.442138671875, 0.126708984375],
        [0.0517578125, 0.0853271484375, 0.63037109375, 0.23193359375]]
    y = (nd.arange(40) * 0.37).reshape((2, 20)).astype("float16")
    assert nd.softmax(y).asnumpy()[:, -4:].tolist() == [
        [0.10211181640625, 0.1474609375, 0.2137451171875, 0.309814453125],
        [0.1019287109375, 0.147216796875, 0.214111328125, 0.30908203125]]


def test_ops_may_mix_cpu_device_ids():
    a = nd.ones((2,), ctx=mx.cpu(1))
    r = a + nd.ones((2,))
    assert r.context == mx.cpu(1) and r.asnumpy().tolist() == [2, 2]
    assert nd.concat(nd.ones((1,)), nd.ones((1,), ctx=mx.cpu(2)), dim=0).context == mx.cpu(0)


def test_float32_sums_are_compensated():
    x = nd.array((np.arange(1, 20001) * 0.1).reshape(100, 200))
    # frozen from MXNet 1.9.1 (Kahan summation; a plain float32 loop gives 990.1005...)
    assert x.sum(axis=1)[:3].asnumpy().tolist() == [2010.0, 6010.0, 10010.0]
    assert x.mean(axis=0)[:3].asnumpy().tolist() == [990.0999755859375, 990.2000122070312,
                                                     990.2999877929688]


def test_boolean_scalar_index_is_the_integer_one():
    x = nd.arange(12).reshape((3, 4))
    assert x[True].asnumpy().tolist() == [4, 5, 6, 7]            # frozen from MXNet 1.9.1


@pytest.mark.parametrize("other", ["float64", "int32"])
def test_joining_ops_need_one_dtype(other):
    a, b = nd.ones((1,)), nd.ones((1,), dtype=other)
    for fn in (lambda: nd.concat(a, b, dim=0), lambda: nd.stack(a, b),
               lambda: nd.add_n(a, b)):
        with pytest.raises(MXNetError):
            fn()


def test_small_error_types():
    with pytest.raises(MXNetError):
        nd.one_hot(nd.array([0, 1]), -1)
    assert nd.one_hot(nd.array([0, 1]), 0).shape == (2, 0)
    with pytest.raises(IndexError):                 # MXNet's len is shape[0]
        len(nd.array(1.0))
    with pytest.raises(AssertionError):
        nd.ones((2, 3)).reshape()
