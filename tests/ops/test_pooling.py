"""Pooling and UpSampling: forward against a loop-per-window NumPy transcription of
MXNet's ``pool.h``, pinned MXNet 1.9.1 values (marked "mxnet 1.9.1": computed with a
real MXNet 1.9.1 and copied here), gradients, shape inference and errors."""
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import pymx as mx
from pymx.base import MXNetError
from pymx.ops import get_op
from pymx.test_utils import assert_almost_equal, check_gradient


def ref_pool(x, kernel, stride, pad, pool_type, convention="valid", cip=True, p=None):
    """One window at a time, as MXNet's pool.h does it."""
    spatial = x.shape[2:]
    out = []
    for s, k, st_, pd in zip(spatial, kernel, stride, pad):
        if convention == "valid":
            out.append((s + 2 * pd - k) // st_ + 1)
        elif convention == "full":
            out.append(1 + math.ceil((s + 2 * pd - k) / st_))
        else:
            out.append(math.ceil((s + 2 * pd) / st_))
    y = np.zeros(x.shape[:2] + tuple(out))
    for o in itertools.product(*[range(v) for v in out]):
        starts = [oi * st_ - pd for oi, st_, pd in zip(o, stride, pad)]
        ends = [min(b + k, s + pd) for b, k, s, pd in zip(starts, kernel, spatial, pad)]
        size = np.prod([e - b for b, e in zip(starts, ends)])
        lo = [max(b, 0) for b in starts]
        hi = [min(e, s) for e, s in zip(ends, spatial)]
        win = x[(slice(None), slice(None)) + tuple(slice(a, b) for a, b in zip(lo, hi))]
        win = win.reshape(x.shape[:2] + (int(np.prod(win.shape[2:])),))
        if pool_type == "max":
            v = win.max(-1) if win.shape[-1] else np.finfo(x.dtype).min
        elif pool_type == "lp":
            v = np.sum(win ** p, -1)
            v = v if p == 1 else np.sqrt(v) if p == 2 else np.cbrt(v)
        else:
            v = win.sum(-1)
            if pool_type == "avg":
                v = v / max(size if cip else win.shape[-1], 1)
        y[(slice(None), slice(None)) + o] = v
    return y


def _nd(a, dtype="float64"):
    return mx.nd.array(a, dtype=dtype)


def _strided(a, dtype=np.float32):
    """A non-contiguous NDArray: a strided view of a twice-as-wide array."""
    wide = np.repeat(np.asarray(a, dtype), 2, axis=-1)
    return mx.nd.NDArray(wide[..., ::2], mx.cpu())


@st.composite
def pool_cases(draw):
    d = draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
    pad = tuple(draw(st.integers(0, k - 1)) for k in kernel)
    spatial = tuple(max(draw(st.integers(1, 6 if d < 3 else 4)), k - 2 * p)
                    for k, p in zip(kernel, pad))
    shape = (draw(st.integers(0, 2)), draw(st.integers(1, 2))) + spatial
    return dict(shape=shape, kernel=kernel, stride=stride, pad=pad,
                pool_type=draw(st.sampled_from(["max", "avg", "sum"])),
                convention=draw(st.sampled_from(["valid", "full"])),
                cip=draw(st.sampled_from([None, True, False])),
                dtype=draw(st.sampled_from(["float32", "float64"])))


@given(pool_cases())
def test_pooling_forward_matches_reference(case):
    x = np.random.randn(*case["shape"]).astype(case["dtype"])
    y = mx.nd.Pooling(_nd(x, case["dtype"]), kernel=case["kernel"], stride=case["stride"],
                      pad=case["pad"], pool_type=case["pool_type"],
                      pooling_convention=case["convention"],
                      count_include_pad=case["cip"])
    expected = ref_pool(x, case["kernel"], case["stride"], case["pad"], case["pool_type"],
                        case["convention"], case["cip"] is not False)
    assert y.shape == expected.shape and y.dtype == np.dtype(case["dtype"])
    tol = 1e-5 if case["dtype"] == "float32" else 1e-12
    assert_almost_equal(y, expected, rtol=tol, atol=tol)


def test_tiled_max_pool_equals_reshape_max():
    x = np.random.randn(2, 3, 8, 6)
    y = mx.nd.Pooling(_nd(x), kernel=(2, 2), stride=(2, 2))
    assert_almost_equal(y, x.reshape(2, 3, 4, 2, 3, 2).max(axis=(3, 5)))
    y = mx.nd.Pooling(_nd(x), kernel=(2, 3), stride=(2, 3), pool_type="avg")
    assert_almost_equal(y, x.reshape(2, 3, 4, 2, 2, 3).mean(axis=(3, 5)))
    x = np.random.randn(1, 2, 7, 5)                   # the last row/column is dropped
    y = mx.nd.Pooling(_nd(x), kernel=(2, 2), stride=(2, 2))
    assert_almost_equal(y, x[:, :, :6, :4].reshape(1, 2, 3, 2, 2, 2).max(axis=(3, 5)))


def test_non_contiguous_input_and_float32_default():
    x = np.random.randn(2, 2, 5, 6)
    y = mx.nd.Pooling(_strided(x), kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="avg")
    assert y.dtype == np.float32
    assert_almost_equal(y, ref_pool(x, (3, 3), (2, 2), (1, 1), "avg"), rtol=1e-5, atol=1e-5)


X7 = np.arange(1, 8, dtype=np.float64).reshape(1, 1, 7)


@pytest.mark.parametrize("kw,expected", [
    # mxnet 1.9.1
    (dict(kernel=(3,), stride=(2,), pad=(1,), pooling_convention="full", pool_type="avg"),
     [1, 3, 5, 13 / 3]),
    (dict(kernel=(3,), stride=(2,), pad=(1,), pooling_convention="full", pool_type="avg",
          count_include_pad=False), [1.5, 3, 5, 6.5]),
    (dict(kernel=(3,), stride=(2,), pad=(1,), pool_type="avg", count_include_pad=False),
     [1.5, 3, 5, 6.5]),
    (dict(kernel=(3,), stride=(3,), pooling_convention="full", pool_type="avg"), [2, 5, 7]),
    (dict(kernel=(2,), stride=(2,), pooling_convention="same", pool_type="avg"),
     [1.5, 3.5, 5.5, 7]),
    (dict(kernel=(4,), stride=(2,), pooling_convention="same", pool_type="avg"),
     [2.5, 4.5, 6, 7]),
    (dict(kernel=(3,), stride=(3,), pooling_convention="same", pool_type="avg"), [2, 5, 7]),
    (dict(kernel=(3,), stride=(3,), pad=(1,), pooling_convention="full"), [2, 5, 7]),
    # a 'full' window past the end of the input: avg 0, max -FLT_MAX
    (dict(kernel=(1,), stride=(4,), pooling_convention="full", pool_type="avg"), [1, 5, 0]),
    (dict(kernel=(1,), stride=(4,), pooling_convention="full", pool_type="avg",
          count_include_pad=False), [1, 5, 0]),
])
def test_pinned_mxnet_values(kw, expected):
    assert_almost_equal(mx.nd.Pooling(_nd(X7), **kw).asnumpy().ravel(), expected)


def test_lp_pooling_has_no_absolute_value():
    # mxnet 1.9.1: p=1 is the plain sum and p=3 keeps the sign of the sum of cubes
    x = _nd(X7 - 4)
    for p, expected in [(1, [-6, 0, 6]), (2, [3.7416575, 1.4142135, 3.7416575]),
                        (3, [-3.3019273, 0, 3.3019273])]:
        y = mx.nd.Pooling(x, kernel=(3,), stride=(2,), pool_type="lp", p_value=p)
        assert_almost_equal(y.asnumpy().ravel(), expected, rtol=1e-6)


def test_all_padding_window_gives_lowest_value():
    # mxnet 1.9.1: a window that holds only padding outputs -FLT_MAX, not -inf
    x = mx.nd.array(np.random.randn(1, 1, 5, 1, 1))
    y = mx.nd.Pooling(x, kernel=(2, 1, 1), stride=(2, 1, 1), pad=(1, 0, 0),
                      pooling_convention="full")
    assert y.shape == (1, 1, 4, 1, 1)
    assert y.asnumpy().ravel()[-1] == np.finfo(np.float32).min


def test_max_gradient_goes_to_first_maximum():
    # mxnet 1.9.1 values
    x = _nd(np.array([[[1, 3, 3, 2, 3, 3]]]))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(x, kernel=(3,), stride=(1,))
    y.backward()
    assert_almost_equal(x.grad, [[[0, 2, 1, 0, 1, 0]]])
    x = _nd(np.array([[[[1, 3], [3, 2]]]]))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(x, kernel=(2, 2), stride=(2, 2))
    y.backward()
    assert_almost_equal(x.grad, [[[[0, 1], [0, 0]]]])
    x = _nd(np.array([[[[1, 3], [3, 2]]]]))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(x, global_pool=True)
    y.backward()
    assert_almost_equal(x.grad, [[[[0, 1], [0, 0]]]])


@pytest.mark.parametrize("pool_type", ["max", "avg", "sum", "lp"])
def test_global_pool_ignores_kernel_and_pad(pool_type):
    x = np.random.randn(2, 3, 4, 5)
    y = mx.nd.Pooling(_nd(x), kernel=(1, 1), pad=(1, 1), global_pool=True,
                      pool_type=pool_type, p_value=2)
    expected = {"max": x.max((2, 3)), "avg": x.mean((2, 3)), "sum": x.sum((2, 3)),
                "lp": np.sqrt((x ** 2).sum((2, 3)))}[pool_type]
    assert y.shape == (2, 3, 1, 1)
    assert_almost_equal(y.asnumpy()[:, :, 0, 0], expected)


def _distinct(shape):
    """Values far apart, so no two elements of a window tie within eps."""
    return np.random.permutation(np.prod(shape)).reshape(shape) * 0.1 + \
        np.random.uniform(0, 0.01, shape)


POOL_GRAD_CASES = [
    dict(shape=(2, 2, 5, 4), kernel=(2, 2), stride=(2, 2), pad=(0, 0)),
    dict(shape=(1, 2, 5, 5), kernel=(3, 3), stride=(2, 2), pad=(1, 1)),
    dict(shape=(1, 2, 5, 4), kernel=(3, 2), stride=(1, 1), pad=(1, 0), convention="full"),
    dict(shape=(2, 2, 7), kernel=(3,), stride=(2,), pad=(1,), convention="full"),
    dict(shape=(1, 1, 4, 3, 4), kernel=(2, 2, 3), stride=(2, 1, 2), pad=(1, 1, 1)),
]


@pytest.mark.parametrize("case", POOL_GRAD_CASES)
@pytest.mark.parametrize("pool_type,cip", [("max", None), ("avg", None), ("avg", False),
                                           ("sum", None)])
def test_pooling_gradient(case, pool_type, cip):
    check_gradient(lambda x: mx.nd.Pooling(
        x, kernel=case["kernel"], stride=case["stride"], pad=case["pad"],
        pool_type=pool_type, pooling_convention=case.get("convention", "valid"),
        count_include_pad=cip), [_distinct(case["shape"])])


@pytest.mark.parametrize("p", [1, 2, 3])
def test_lp_and_global_gradients(p):
    x = np.random.uniform(0.5, 1.5, (1, 2, 4, 4))
    check_gradient(lambda x: mx.nd.Pooling(x, kernel=(2, 2), stride=(1, 1), pad=(1, 1),
                                           pool_type="lp", p_value=p), [x])
    check_gradient(lambda x: mx.nd.Pooling(x, global_pool=True, pool_type="lp",
                                           p_value=p), [x])


@pytest.mark.parametrize("pool_type", ["max", "avg", "sum"])
def test_global_gradient(pool_type):
    check_gradient(lambda x: mx.nd.Pooling(x, global_pool=True, pool_type=pool_type),
                   [_distinct((2, 2, 3, 3))])


def test_avg_pool_second_derivative():
    x = _nd(np.random.randn(1, 1, 4, 4))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(x, kernel=(2, 2), stride=(1, 1), pool_type="avg")
        (gx,) = mx.autograd.grad(y * y, [x], create_graph=True)
    gx.backward()
    # gx = B(2 P(x)) with B = _backward_Pooling, the adjoint of P = Pooling, so
    # d/dx sum(gx) = 2 B(P(1)).
    kw = dict(kernel=(2, 2), stride=(1, 1), pool_type="avg")
    p1 = mx.nd.Pooling(mx.nd.ones((1, 1, 4, 4), dtype="float64"), **kw)
    expected = mx.nd._backward_Pooling(p1, x, y, **kw) * 2
    assert_almost_equal(expected.asnumpy()[0, 0, 0], [0.5, 1, 1, 0.5])
    assert_almost_equal(x.grad, expected)


def test_infer_shape():
    op = get_op("Pooling")
    a = op.parse_attrs({"kernel": (3, 3), "stride": (2, 2), "pooling_convention": "full"})
    assert op.infer_shape(a, [(2, 3, 8, 7)]) == ([(2, 3, 8, 7)], [(2, 3, 4, 3)])
    a = op.parse_attrs({"global_pool": True})
    assert op.infer_shape(a, [(2, 3, 8, 7, 6)])[1] == [(2, 3, 1, 1, 1)]
    assert list(op.params)[:6] == ["kernel", "pool_type", "global_pool", "cudnn_off",
                                   "pooling_convention", "stride"]


def test_errors_name_op_and_argument():
    x = mx.nd.ones((1, 1, 4, 4))
    with pytest.raises(MXNetError, match="Pooling.*floating point"):
        mx.nd.Pooling(mx.nd.ones((1, 1, 4, 4), dtype="int32"), kernel=(2, 2))
    with pytest.raises(MXNetError, match="Pooling.*p_value"):
        mx.nd.Pooling(x, kernel=(2, 2), pool_type="lp")
    with pytest.raises(MXNetError, match="Pooling.*p_value"):
        mx.nd.Pooling(x, kernel=(2, 2), pool_type="lp", p_value=4)
    with pytest.raises(MXNetError, match="Pooling.*exceeds"):
        mx.nd.Pooling(x, kernel=(5, 2))
    with pytest.raises(MXNetError, match="Pooling.*kernel"):
        mx.nd.Pooling(x)
    with pytest.raises(MXNetError, match="Pooling.*4-D data"):
        mx.nd.Pooling(mx.nd.ones((1, 2, 3)), kernel=(2, 2))
    with pytest.raises(MXNetError, match="Pooling.*same"):
        mx.nd.Pooling(x, kernel=(2, 2), pooling_convention="same")
    with pytest.raises(MXNetError, match="Pooling.*pool_type"):
        mx.nd.Pooling(x, kernel=(2, 2), pool_type="median")


# ---- UpSampling ----------------------------------------------------------------------------
def _nearest(x, s):
    return x.repeat(s, axis=2).repeat(s, axis=3)


@given(n=st.integers(0, 2), c=st.integers(1, 3), h=st.integers(1, 3), w=st.integers(1, 3),
       scale=st.integers(1, 3), dtype=st.sampled_from(["float32", "float64"]))
def test_upsampling_nearest_forward(n, c, h, w, scale, dtype):
    x = np.random.randn(n, c, h, w)
    y = mx.nd.UpSampling(_nd(x, dtype), scale=scale, sample_type="nearest")
    assert y.dtype == np.dtype(dtype)
    assert_almost_equal(y, _nearest(x, scale))


def test_upsampling_multiple_inputs():
    a, b = np.random.randn(2, 2, 2, 2), np.random.randn(2, 3, 1, 1)
    y = mx.nd.UpSampling(_nd(a), _nd(b), scale=2, sample_type="nearest", num_args=2)
    assert y.shape == (2, 5, 4, 4)                  # mxnet 1.9.1: b is scaled by 4
    assert_almost_equal(y, np.concatenate([_nearest(a, 2), _nearest(b, 4)], axis=1))
    b = np.random.randn(2, 2, 1, 1)
    y = mx.nd.UpSampling(_nd(a), _nd(b), scale=2, sample_type="nearest", num_args=2,
                         multi_input_mode="sum")
    assert_almost_equal(y, _nearest(a, 2) + _nearest(b, 4))


@pytest.mark.parametrize("mode", ["concat", "sum"])
def test_upsampling_nearest_gradient(mode):
    a = np.random.randn(1, 2, 2, 2)
    b = np.random.randn(1, 2 if mode == "sum" else 1, 1, 1)
    check_gradient(lambda a, b: mx.nd.UpSampling(a, b, scale=3, sample_type="nearest",
                                                 num_args=2, multi_input_mode=mode), [a, b])
    check_gradient(lambda a: mx.nd.UpSampling(a, scale=2, sample_type="nearest"), [a])


def test_upsampling_bilinear_is_a_depthwise_deconvolution():
    # mxnet 1.9.1: arange(4) data, ones weight, scale 2 -> first row below
    d, w = _nd(np.arange(4.0).reshape(1, 1, 2, 2)), mx.nd.ones((1, 1, 4, 4), dtype="float64")
    y = mx.nd.UpSampling(d, w, scale=2, sample_type="bilinear", num_filter=1, num_args=2)
    assert y.shape == (1, 1, 4, 4)
    assert_almost_equal(y.asnumpy().ravel()[:8], [0, 1, 1, 1, 2, 6, 6, 4])
    x, w = np.random.randn(1, 2, 3, 3), np.random.randn(2, 1, 5, 5)
    y = mx.nd.UpSampling(_nd(x), _nd(w), scale=3, sample_type="bilinear", num_filter=2,
                         num_args=2)
    z = mx.nd.Deconvolution(_nd(x), _nd(w), kernel=(5, 5), stride=(3, 3), pad=(1, 1),
                            num_filter=2, num_group=2)
    assert y.shape == (1, 2, 9, 9)
    assert_almost_equal(y, z)
    ins, _ = get_op("UpSampling").infer_shape(
        get_op("UpSampling").parse_attrs({"scale": 2, "sample_type": "bilinear",
                                          "num_filter": 2, "num_args": 2}),
        [(1, 2, 3, 3), None])
    assert ins[1] == (2, 1, 4, 4)
    check_gradient(lambda x, w: mx.nd.UpSampling(x, w, scale=2, sample_type="bilinear",
                                                 num_filter=2, num_args=2),
                   [np.random.randn(1, 2, 2, 2), np.random.randn(2, 1, 4, 4)])


def test_upsampling_errors():
    with pytest.raises(MXNetError, match="UpSampling.*4-D"):
        mx.nd.UpSampling(mx.nd.ones((1, 2, 2)), scale=2, sample_type="nearest")
    with pytest.raises(MXNetError, match="UpSampling.*integer factor"):
        mx.nd.UpSampling(mx.nd.ones((1, 1, 2, 2)), mx.nd.ones((1, 1, 3, 3)), scale=2,
                         sample_type="nearest", num_args=2)
    with pytest.raises(MXNetError, match="UpSampling.*sample_type"):
        mx.nd.UpSampling(mx.nd.ones((1, 1, 2, 2)), scale=2)
    with pytest.raises(MXNetError, match="UpSampling.*num_filter"):
        mx.nd.UpSampling(mx.nd.ones((1, 1, 2, 2)), mx.nd.ones((1, 1, 4, 4)), scale=2,
                         sample_type="bilinear", num_args=2)


@pytest.mark.parametrize("shape,k", [((2, 3, 6, 8), 2), ((1, 2, 7, 7), 3), ((2, 2, 9), 3)])
def test_tiled_max_pool_gradient_goes_to_the_first_maximum(shape, k):
    """Windows that tile the input take the reshape path; ties (ReLU zeros) must still
    send the gradient to the first maximum in row-major order, as MXNet's pool.h."""
    rng = np.random.RandomState(0)
    x = rng.randint(0, 3, shape).astype(np.float32)          # many ties
    d = len(shape) - 2
    xa = mx.nd.array(x)
    xa.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Pooling(xa, kernel=(k,) * d, stride=(k,) * d, pool_type="max")
    dy = rng.rand(*y.shape).astype(np.float32)
    y.backward(mx.nd.array(dy))
    want_y = np.zeros(y.shape, np.float32)
    want_dx = np.zeros(shape, np.float32)
    for idx in np.ndindex(*y.shape):
        n, c, o = idx[0], idx[1], idx[2:]
        window = x[(n, c) + tuple(slice(i * k, i * k + k) for i in o)]
        first = np.unravel_index(np.argmax(window), window.shape)
        want_y[idx] = window.max()
        want_dx[(n, c) + tuple(i * k + f for i, f in zip(o, first))] += dy[idx]
    np.testing.assert_array_equal(y.asnumpy(), want_y)
    np.testing.assert_allclose(xa.grad.asnumpy(), want_dx, rtol=1e-6)
