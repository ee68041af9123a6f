"""Convolution and Deconvolution: forward against direct NumPy sums over kernel taps,
shape inference, gradients (float64 central differences), adjointness, MXNet quirks
and errors.  Values marked "mxnet 1.9.1" were checked against a real MXNet 1.9.1."""
import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st

import legacy_frozen
import pymx as mx
from pymx.base import MXNetError
from pymx.ops import get_op
from pymx.test_utils import assert_almost_equal, check_gradient


# ---- NumPy references: one einsum per kernel tap (no im2col) --------------------------
def ref_conv(x, w, b, stride, pad, dilate, g):
    n, c = x.shape[:2]
    f, kernel = w.shape[0], w.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pad])
    out = [(s + 2 * p - dl * (k - 1) - 1) // st + 1
           for s, p, dl, k, st in zip(x.shape[2:], pad, dilate, kernel, stride)]
    y = np.zeros((n, f) + tuple(out))
    cg, fg = c // g, f // g
    for t in itertools.product(*[range(k) for k in kernel]):
        window = tuple(slice(ti * dl, ti * dl + st * (o - 1) + 1, st)
                       for ti, dl, st, o in zip(t, dilate, stride, out))
        patch = xp[(slice(None), slice(None)) + window]
        for gi in range(g):
            wt = w[(slice(gi * fg, (gi + 1) * fg), slice(None)) + t]
            y[:, gi * fg:(gi + 1) * fg] += np.einsum("fc,nc...->nf...", wt,
                                                     patch[:, gi * cg:(gi + 1) * cg])
    if b is not None:
        y += b.reshape((1, f) + (1,) * len(kernel))
    return y


def ref_deconv(x, w, b, stride, pad, dilate, adj, g):
    """Scatter form: every input pixel adds ``x * W[c, f, t]`` at ``i*stride + t*dilate``."""
    n, c = x.shape[:2]
    fg, kernel = w.shape[1], w.shape[2:]
    f = fg * g
    full = [(s - 1) * st + dl * (k - 1) + 1 + aj
            for s, st, dl, k, aj in zip(x.shape[2:], stride, dilate, kernel, adj)]
    yp = np.zeros((n, f) + tuple(full))
    cg = c // g
    for t in itertools.product(*[range(k) for k in kernel]):
        window = tuple(slice(ti * dl, ti * dl + st * (s - 1) + 1, st)
                       for ti, dl, st, s in zip(t, dilate, stride, x.shape[2:]))
        for gi in range(g):
            wt = w[(slice(gi * cg, (gi + 1) * cg), slice(None)) + t]       # (cg, fg)
            yp[(slice(None), slice(gi * fg, (gi + 1) * fg)) + window] += np.einsum(
                "cf,nc...->nf...", wt, x[:, gi * cg:(gi + 1) * cg])
    inner = tuple(slice(p, fl - p) for p, fl in zip(pad, full))
    y = yp[(slice(None), slice(None)) + inner]
    if b is not None:
        y = y + b.reshape((1, f) + (1,) * len(kernel))
    return y


def _nd(a, dtype="float64"):
    return mx.nd.array(a, dtype=dtype)


def _strided(a, dtype=np.float32):
    """A non-contiguous NDArray: a strided view of a twice-as-wide array."""
    wide = np.repeat(np.asarray(a, dtype), 2, axis=-1)
    return mx.nd.NDArray(wide[..., ::2], mx.cpu())


@st.composite
def conv_cases(draw):
    d = draw(st.integers(1, 3))
    g = draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(d))
    dilate = tuple(draw(st.integers(1, 2)) for _ in range(d))
    pad = tuple(draw(st.integers(0, 2)) for _ in range(d))
    spatial = tuple(max(draw(st.integers(1, 5 if d < 3 else 4)), dl * (k - 1) + 1 - 2 * p)
                    for k, dl, p in zip(kernel, dilate, pad))
    n = draw(st.integers(0, 2))
    c, f = g * draw(st.integers(1, 2)), g * draw(st.integers(1, 3))
    return dict(d=d, g=g, kernel=kernel, stride=stride, dilate=dilate, pad=pad,
                shape=(n, c) + spatial, f=f, no_bias=draw(st.booleans()),
                dtype=draw(st.sampled_from(["float32", "float64"])))


@given(conv_cases())
def test_convolution_forward_matches_numpy(case):
    x = np.random.randn(*case["shape"])
    w = np.random.randn(case["f"], case["shape"][1] // case["g"], *case["kernel"])
    b = None if case["no_bias"] else np.random.randn(case["f"])
    args = [_nd(x, case["dtype"]), _nd(w, case["dtype"])] + \
        ([] if b is None else [_nd(b, case["dtype"])])
    y = mx.nd.Convolution(*args, kernel=case["kernel"], stride=case["stride"],
                          dilate=case["dilate"], pad=case["pad"], num_filter=case["f"],
                          num_group=case["g"], no_bias=case["no_bias"])
    expected = ref_conv(x, w, b, case["stride"], case["pad"], case["dilate"], case["g"])
    assert y.shape == expected.shape and y.dtype == np.dtype(case["dtype"])
    tol = 1e-4 if case["dtype"] == "float32" else 1e-10
    assert_almost_equal(y, expected, rtol=tol, atol=tol)


@given(conv_cases(), st.integers(0, 1))
def test_deconvolution_forward_matches_numpy(case, adj_extra):
    stride = case["stride"]
    adj = tuple(min(adj_extra, s - 1) for s in stride)
    x = np.random.randn(*case["shape"])
    c, g, f = case["shape"][1], case["g"], case["f"]
    w = np.random.randn(c, f // g, *case["kernel"])
    b = None if case["no_bias"] else np.random.randn(f)
    pad = tuple(min(p, (dl * (k - 1) + 1 + (s - 1) * st + a) // 2)
                for p, dl, k, s, st, a in zip(case["pad"], case["dilate"], case["kernel"],
                                               case["shape"][2:], stride, adj))
    args = [_nd(x, case["dtype"]), _nd(w, case["dtype"])] + \
        ([] if b is None else [_nd(b, case["dtype"])])
    y = mx.nd.Deconvolution(*args, kernel=case["kernel"], stride=stride, adj=adj,
                            dilate=case["dilate"], pad=pad, num_filter=f, num_group=g,
                            no_bias=case["no_bias"])
    expected = ref_deconv(x, w, b, stride, pad, case["dilate"], adj, g)
    assert y.shape == expected.shape
    tol = 1e-4 if case["dtype"] == "float32" else 1e-10
    assert_almost_equal(y, expected, rtol=tol, atol=tol)


def test_deconvolution_is_the_adjoint_of_convolution():
    """<conv(x), y> == <x, deconv(y)> for the same weight and geometry."""
    x, y = np.random.randn(2, 4, 7, 6), np.random.randn(2, 6, 4, 3)
    w = np.random.randn(6, 2, 3, 2)
    kw = dict(kernel=(3, 2), stride=(2, 2), pad=(1, 1), dilate=(1, 2), num_group=2)
    cx = mx.nd.Convolution(_nd(x), _nd(w), num_filter=6, no_bias=True, **kw).asnumpy()
    dy = mx.nd.Deconvolution(_nd(y), _nd(w), num_filter=4, adj=(0, 1), **kw).asnumpy()
    assert dy.shape == x.shape
    assert np.isclose((cx * y).sum(), (x * dy).sum(), rtol=1e-10)


def test_convolution_1x1_is_a_matrix_product():
    x, w = np.random.randn(2, 3, 4, 5), np.random.randn(6, 3, 1, 1)
    y = mx.nd.Convolution(_nd(x), _nd(w), kernel=(1, 1), num_filter=6, no_bias=True)
    assert_almost_equal(y, np.einsum("fc,nchw->nfhw", w[:, :, 0, 0], x))


def test_float32_default_and_non_contiguous_data():
    x, w, b = np.random.randn(2, 3, 5, 8), np.random.randn(4, 3, 3, 3), np.random.randn(4)
    y = mx.nd.Convolution(_strided(x), mx.nd.array(w), mx.nd.array(b), kernel=(3, 3),
                          pad=(1, 1), num_filter=4)
    assert y.dtype == np.float32
    assert_almost_equal(y, ref_conv(x, w, b, (1, 1), (1, 1), (1, 1), 1), rtol=1e-4,
                        atol=1e-4)


def test_defaults_and_input_names():
    conv, deconv = get_op("Convolution"), get_op("Deconvolution")
    a = conv.parse_attrs({"kernel": (3, 3), "num_filter": 2})
    assert (a.no_bias, a.num_group, a.workspace, a.stride) == (False, 1, 1024, ())
    assert conv.input_names(a) == ["data", "weight", "bias"]
    # MXNet 1.9.1: Deconvolution's no_bias defaults to True and workspace to 512.
    a = deconv.parse_attrs({"kernel": (3, 3), "num_filter": 2})
    assert (a.no_bias, a.workspace) == (True, 512)
    assert deconv.input_names(a) == ["data", "weight"]
    assert list(conv.params)[:5] == ["kernel", "stride", "dilate", "pad", "num_filter"]
    assert list(deconv.params)[:7] == ["kernel", "stride", "dilate", "pad", "adj",
                                       "target_shape", "num_filter"]


def test_infer_shape_fills_weight_and_bias():
    conv = get_op("Convolution")
    a = conv.parse_attrs({"kernel": (3, 3), "num_filter": 8, "num_group": 2,
                          "stride": (2, 2), "pad": (1, 1)})
    ins, outs = conv.infer_shape(a, [(5, 4, 9, 10), None, None])
    assert ins == [(5, 4, 9, 10), (8, 2, 3, 3), (8,)] and outs == [(5, 8, 5, 5)]
    assert conv.infer_shape(a, [None, None, None]) == ([None, None, None], [None])
    deconv = get_op("Deconvolution")
    a = deconv.parse_attrs({"kernel": (4,), "num_filter": 6, "num_group": 3,
                            "stride": (2,), "pad": (1,), "adj": (1,)})
    ins, outs = deconv.infer_shape(a, [(2, 3, 5), None])
    assert ins == [(2, 3, 5), (3, 2, 4)] and outs == [(2, 6, 11)]


def test_deconvolution_target_shape_overrides_pad_and_adj():
    """MXNet's InferPad: total = s*(in-1) + d*(k-1) + 1 - target; adj = total % 2;
    pad = (total + 1) // 2 (given pad/adj are ignored)."""
    x, w = np.random.randn(1, 2, 4, 4), np.random.randn(2, 3, 3, 3)
    for target in (8, 9, 7):
        y = mx.nd.Deconvolution(_nd(x), _nd(w), kernel=(3, 3), stride=(2, 2), pad=(5, 5),
                                target_shape=(target, target), num_filter=3)
        total = 2 * 3 + 3 - target
        adj, pad = total % 2, (total + 1) // 2
        assert y.shape == (1, 3, target, target)
        assert_almost_equal(y, ref_deconv(x, w, None, (2, 2), (pad, pad), (1, 1),
                                          (adj, adj), 1))
    with pytest.raises(MXNetError, match="Deconvolution.*too big target shape"):
        mx.nd.Deconvolution(_nd(x), _nd(w), kernel=(3, 3), stride=(2, 2),
                            target_shape=(10, 10), num_filter=3)


def test_deconvolution_default_output_size():
    # mxnet 1.9.1: (1, 2, 4, 4) data, kernel 3, stride 2 -> 9x9; adj=1 -> 10x10
    x, w = mx.nd.ones((1, 2, 4, 4)), mx.nd.ones((2, 3, 3, 3))
    y = mx.nd.Deconvolution(x, w, kernel=(3, 3), stride=(2, 2), num_filter=3)
    assert y.shape == (1, 3, 9, 9)
    assert_almost_equal(y.asnumpy()[0, 0, 0, :8], [2, 2, 4, 2, 4, 2, 4, 2])
    y = mx.nd.Deconvolution(x, w, kernel=(3, 3), stride=(2, 2), adj=(1, 1), num_filter=3)
    assert y.shape == (1, 3, 10, 10)


CONV_GRAD_CASES = [
    dict(shape=(2, 2, 5, 4), kernel=(3, 2), stride=(1, 1), pad=(1, 0), dilate=(1, 1), g=1, f=3),
    dict(shape=(1, 4, 6, 5), kernel=(3, 3), stride=(2, 2), pad=(1, 1), dilate=(1, 1), g=2, f=4),
    dict(shape=(2, 2, 7, 6), kernel=(2, 2), stride=(1, 2), pad=(0, 1), dilate=(2, 2), g=1, f=2),
    dict(shape=(2, 3, 7), kernel=(3,), stride=(2,), pad=(1,), dilate=(1,), g=1, f=2),
    dict(shape=(1, 2, 4, 3, 4), kernel=(2, 2, 3), stride=(1, 2, 1), pad=(1, 0, 1),
         dilate=(1, 1, 1), g=2, f=2),
]


@pytest.mark.parametrize("case", CONV_GRAD_CASES)
@pytest.mark.parametrize("no_bias", [False, True])
def test_convolution_gradient(case, no_bias):
    c = case["shape"][1]
    inputs = [np.random.randn(*case["shape"]),
              np.random.randn(case["f"], c // case["g"], *case["kernel"])]
    if not no_bias:
        inputs.append(np.random.randn(case["f"]))
    check_gradient(lambda *xs: mx.nd.Convolution(
        *xs, kernel=case["kernel"], stride=case["stride"], pad=case["pad"],
        dilate=case["dilate"], num_filter=case["f"], num_group=case["g"],
        no_bias=no_bias), inputs)


DECONV_GRAD_CASES = [
    dict(shape=(2, 2, 3, 3), kernel=(3, 2), stride=(2, 1), pad=(1, 0), dilate=(1, 1),
         adj=(1, 0), g=1, f=3),
    dict(shape=(1, 4, 3, 2), kernel=(2, 3), stride=(2, 2), pad=(0, 1), dilate=(2, 1),
         adj=(0, 1), g=2, f=2),
    dict(shape=(2, 2, 4), kernel=(3,), stride=(3,), pad=(1,), dilate=(1,), adj=(2,), g=1, f=2),
    dict(shape=(1, 2, 2, 2, 3), kernel=(2, 2, 2), stride=(1, 2, 1), pad=(0, 1, 0),
         dilate=(1, 1, 2), adj=(0, 1, 0), g=1, f=2),
]


@pytest.mark.parametrize("case", DECONV_GRAD_CASES)
@pytest.mark.parametrize("no_bias", [True, False])
def test_deconvolution_gradient(case, no_bias):
    c = case["shape"][1]
    inputs = [np.random.randn(*case["shape"]),
              np.random.randn(c, case["f"] // case["g"], *case["kernel"])]
    if not no_bias:
        inputs.append(np.random.randn(case["f"]))
    check_gradient(lambda *xs: mx.nd.Deconvolution(
        *xs, kernel=case["kernel"], stride=case["stride"], pad=case["pad"], adj=case["adj"],
        dilate=case["dilate"], num_filter=case["f"], num_group=case["g"],
        no_bias=no_bias), inputs)


def test_backward_op_outputs():
    x, w = _nd(np.random.randn(2, 3, 5, 5)), _nd(np.random.randn(4, 3, 3, 3))
    dy = _nd(np.random.randn(2, 4, 3, 3))
    grads = mx.nd._backward_Convolution(dy, x, w, kernel=(3, 3), num_filter=4)
    assert [g.shape for g in grads] == [(2, 3, 5, 5), (4, 3, 3, 3), (4,)]
    assert_almost_equal(grads[2], dy.asnumpy().sum(axis=(0, 2, 3)))
    grads = mx.nd._backward_Convolution(dy, x, w, kernel=(3, 3), num_filter=4, no_bias=True)
    assert len(grads) == 2


def _conv(x_shape, w_shape, **kw):
    args = [mx.nd.ones(x_shape), mx.nd.ones(w_shape)]
    return mx.nd.Convolution(*args, no_bias=True, **kw)


def test_errors_name_op_and_argument():
    with pytest.raises(MXNetError, match="Convolution.*weight"):
        _conv((1, 3, 5, 5), (4, 2, 3, 3), kernel=(3, 3), num_filter=4)
    with pytest.raises(MXNetError, match="Convolution.*num_group"):
        _conv((1, 3, 5, 5), (4, 1, 3, 3), kernel=(3, 3), num_filter=4, num_group=3)
    with pytest.raises(MXNetError, match="Convolution.*exceeds"):
        _conv((1, 3, 2, 2), (4, 3, 3, 3), kernel=(3, 3), num_filter=4)
    with pytest.raises(MXNetError, match="Convolution.*layout"):
        _conv((1, 3, 5, 5), (4, 3, 3, 3), kernel=(3, 3), num_filter=4, layout="NHWC")
    with pytest.raises(MXNetError, match="Convolution.*stride"):
        _conv((1, 3, 5, 5), (4, 3, 3, 3), kernel=(3, 3), stride=(1, 1, 1), num_filter=4)
    with pytest.raises(MXNetError, match="Convolution.*kernel"):
        _conv((1, 3, 5, 5), (4, 3, 3, 3), num_filter=4)
    with pytest.raises(MXNetError, match="Convolution.*4-D data"):
        _conv((1, 3, 5), (4, 3, 3, 3), kernel=(3, 3), num_filter=4)
    with pytest.raises(MXNetError, match="Convolution.*floating point"):
        mx.nd.Convolution(mx.nd.ones((1, 3, 5, 5), dtype="int32"),
                          mx.nd.ones((4, 3, 3, 3), dtype="int32"), kernel=(3, 3),
                          num_filter=4, no_bias=True)
    with pytest.raises(MXNetError, match="Deconvolution.*adj"):
        mx.nd.Deconvolution(mx.nd.ones((1, 2, 4, 4)), mx.nd.ones((2, 3, 3, 3)),
                            kernel=(3, 3), stride=(2, 2), adj=(2, 2), num_filter=3)
    with pytest.raises(MXNetError, match="Deconvolution.*weight"):
        mx.nd.Deconvolution(mx.nd.ones((1, 2, 4, 4)), mx.nd.ones((3, 3, 3, 3)),
                            kernel=(3, 3), num_filter=3)


def test_no_data_gradient_for_data_off_the_tape():
    """Data that needs no gradient is not back-propagated into (MXNet's req='null'):
    the weight and bias gradients are unchanged, and the backward op has no d_data."""
    rng = np.random.RandomState(3)
    x, w, b = (mx.nd.array(rng.randn(*s)) for s in ((2, 3, 6, 6), (4, 3, 3, 3), (4,)))
    grads = {}
    for track in (True, False):
        for v in (w, b) + ((x,) if track else ()):
            v.attach_grad()
        if not track:
            x = mx.nd.array(x.asnumpy())
        with mx.autograd.record():
            y = mx.nd.Convolution(x, w, b, kernel=(3, 3), num_filter=4)
        y.backward(mx.nd.ones_like(y))
        grads[track] = (w.grad.asnumpy(), b.grad.asnumpy())
    for g_on, g_off in zip(grads[True], grads[False]):
        np.testing.assert_allclose(g_on, g_off, rtol=1e-6)
    dy = mx.nd.ones((2, 4, 4, 4))
    outs = mx.nd._backward_Convolution(dy, x, w, kernel=(3, 3), num_filter=4,
                                       data_grad=False)
    assert [o.shape for o in outs] == [(4, 3, 3, 3), (4,)]


# ---- legacy ops against MXNet 1.9.1 (tests/data/mxnet/make_legacy_ops.py) ------------------
@pytest.mark.parametrize("case", legacy_frozen.cases("convolution"))
def test_legacy_ops_match_mxnet(case):
    legacy_frozen.replay(case)


def test_col2im_checks_the_column_shape():
    with pytest.raises(mx.MXNetError, match=r"col2im: data must be \(N, C\*4, 9\) for "
                                            r"output_size=\(4, 4\).* got \(1, 8, 8\)"):
        mx.nd.col2im(mx.nd.ones((1, 8, 8)), output_size=(4, 4), kernel=(2, 2))


def test_im2col_kernel_must_fit():
    with pytest.raises(mx.MXNetError, match=r"im2col: the dilated kernel \(5\) exceeds"):
        mx.nd.im2col(mx.nd.ones((1, 1, 4, 4)), kernel=(5, 5))


def test_im2col_and_col2im_are_adjoint_in_3d():
    """<col2im(c), x> == <c, im2col(x)> (MXNet 1.9.1 itself fails on 3-D windows)."""
    kw = dict(kernel=(2, 2, 2), stride=(1, 2, 1), pad=(1, 0, 0))
    x = mx.nd.array(np.random.RandomState(0).uniform(-1, 1, (1, 2, 3, 4, 4)))
    cols = mx.nd.im2col(x, **kw)
    c = mx.nd.array(np.random.RandomState(1).uniform(-1, 1, cols.shape))
    lhs = (mx.nd.col2im(c, output_size=(3, 4, 4), **kw) * x).sum().asscalar()
    assert abs(lhs - (c * cols).sum().asscalar()) < 1e-4
