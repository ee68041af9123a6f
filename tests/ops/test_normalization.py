"""BatchNorm, LayerNorm, InstanceNorm, GroupNorm, L2Normalization and LRN.

Forward values against NumPy formulas, gradients against central differences, the
train/predict behaviour of BatchNorm and its running statistics, and parity with real
MXNet 1.9.1 (``tests/data/mxnet/nnops_cases.json``, written by
``tests/data/mxnet/make_nnops.py``).
"""
import json
import os

import numpy as np
import pytest
from hypothesis import given, strategies as st

import pymx as mx
from pymx.ndarray.ndarray import NDArray
from pymx.test_utils import assert_almost_equal, check_gradient

CASES = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet", "nnops_cases.json")
OPS = {"BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm", "L2Normalization", "LRN"}


def _mxnet_cases(ops):
    with open(CASES) as f:
        return [c for c in json.load(f)["cases"] if c["op"] in ops]


def replay(c, skip_outputs=(), skip_grads=()):
    """Run one frozen MXNet case through pymx and compare everything it recorded."""
    arrays = {k: mx.nd.array(np.array(v), dtype=c["input_dtypes"][k]
                             if c["input_dtypes"][k] == "int32" else "float32")
              for k, v in c["inputs"].items()}
    for k in c["grads"]:
        arrays[k].attach_grad()
    with mx.autograd.record(train_mode=c["train"]):
        out = getattr(mx.nd, c["op"])(**arrays, **c["kwargs"])
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == len(c["outputs"]), c["name"]
    if c["grads"]:
        outs[0].backward(mx.nd.array(np.array(c["head"])), train_mode=c["train"])
    for i, (o, e) in enumerate(zip(outs, c["outputs"])):
        if i not in skip_outputs:
            assert_almost_equal(o, np.array(e), rtol=1e-4, atol=1e-5,
                                names=(f"pymx out{i}", "mxnet"))
    for k, e in c["grads"].items():
        if k not in skip_grads:
            assert_almost_equal(arrays[k].grad, np.array(e), rtol=1e-4, atol=1e-5,
                                names=(f"pymx d{k}", "mxnet"))
    for k, e in c["aux"].items():
        assert_almost_equal(arrays[k], np.array(e), rtol=1e-4, atol=1e-5,
                            names=(f"pymx {k}", "mxnet"))


@pytest.mark.parametrize("case", _mxnet_cases(OPS), ids=lambda c: c["name"])
def test_mxnet_parity(case):
    replay(case)


# ---- BatchNorm -----------------------------------------------------------------------------
def _bn_ref(x, gamma, beta, mean, var, eps, axis=1, fix_gamma=True):
    shape = [1] * x.ndim
    shape[axis] = -1
    g = np.ones_like(gamma) if fix_gamma else gamma
    return ((x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * g.reshape(shape)
            + beta.reshape(shape))


def _bn_inputs(c=3, dtype="float32"):
    rng = np.random.RandomState(1)
    return (rng.randn(4, c, 2, 3), rng.uniform(0.5, 2, c), rng.randn(c), rng.randn(c),
            rng.uniform(0.5, 2, c))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fix_gamma", [True, False])
def test_batchnorm_inference_uses_running_stats(dtype, fix_gamma):
    x, g, b, mm, mv = _bn_inputs()
    arrs = [mx.nd.array(v, dtype=dtype) for v in (x, g, b, mm, mv)]
    y = mx.nd.BatchNorm(*arrs, fix_gamma=fix_gamma, eps=1e-3)
    assert y.dtype == np.dtype(dtype)
    assert_almost_equal(y, _bn_ref(x, g, b, mm, mv, 1e-3, fix_gamma=fix_gamma), rtol=1e-4,
                        atol=1e-5)
    assert_almost_equal(arrs[3], mm)            # predict mode: running stats unchanged
    assert_almost_equal(arrs[4], mv)


def test_batchnorm_defaults_are_the_ops():
    op = mx.ops.get_op("BatchNorm")
    assert op.defaults["eps"] == 1e-3 and op.defaults["fix_gamma"] is True
    assert op.defaults["momentum"] == 0.9 and op.defaults["axis"] == 1
    assert op.aux == ("moving_mean", "moving_var")


@pytest.mark.parametrize("axis", [1, -1, 0])
def test_batchnorm_training_forward_and_running_update(axis):
    x, g, b, mm, mv = _bn_inputs()
    ax = axis % x.ndim
    c = x.shape[ax]
    rng = np.random.RandomState(2)
    g, b, mm, mv = rng.uniform(.5, 2, c), rng.randn(c), rng.randn(c), rng.uniform(.5, 2, c)
    arrs = [mx.nd.array(v, dtype="float64") for v in (x, g, b, mm, mv)]
    red = tuple(i for i in range(x.ndim) if i != ax)
    bmean, bvar = x.mean(axis=red), x.var(axis=red)            # biased variance
    arrs[0].attach_grad()
    with mx.autograd.record():
        y, mean, invstd = mx.nd.BatchNorm(*arrs, axis=axis, momentum=0.7, eps=1e-5,
                                          fix_gamma=False, output_mean_var=True)
    assert_almost_equal(y, _bn_ref(x, g, b, bmean, bvar, 1e-5, ax, False))
    assert_almost_equal(mean, bmean)
    assert_almost_equal(invstd, 1 / np.sqrt(bvar + 1e-5))     # MXNet: inverse std
    # as MXNet's CPU kernels, the running statistics move in the backward, not before
    assert_almost_equal(arrs[3], mm)
    assert_almost_equal(arrs[4], mv)
    y.backward()
    assert_almost_equal(arrs[3], mm * 0.7 + bmean * 0.3)
    assert_almost_equal(arrs[4], mv * 0.7 + bvar * 0.3)


def test_batchnorm_train_vs_predict_under_record():
    x, g, b, mm, mv = _bn_inputs()
    arrs = [mx.nd.array(v) for v in (x, g, b, mm, mv)]
    arrs[0].attach_grad()
    with mx.autograd.record():                          # training by default
        y = mx.nd.BatchNorm(*arrs)
    y.backward()
    assert not np.allclose(arrs[3].asnumpy(), mm)
    arrs = [mx.nd.array(v) for v in (x, g, b, mm, mv)]
    with mx.autograd.record(), mx.autograd.predict_mode():
        y = mx.nd.BatchNorm(*arrs)
    assert_almost_equal(arrs[3], mm)
    assert_almost_equal(y, _bn_ref(x, g, b, mm, mv, 1e-3), rtol=1e-4, atol=1e-5)
    arrs = [mx.nd.array(v) for v in (x, g, b, mm, mv)]
    with mx.autograd.train_mode():
        mx.nd.BatchNorm(*arrs, use_global_stats=True)
    assert_almost_equal(arrs[3], mm)                   # global stats: never updated


def test_batchnorm_outputs_visible():
    arrs = [mx.nd.array(v) for v in _bn_inputs()]
    assert isinstance(mx.nd.BatchNorm(*arrs), NDArray)
    out = mx.nd.BatchNorm(*arrs, output_mean_var=True)
    assert [o.shape for o in out] == [(4, 3, 2, 3), (3,), (3,)]


@pytest.mark.parametrize("fix_gamma", [True, False])
@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_gradient(fix_gamma, train):
    x, g, b, mm, mv = _bn_inputs(c=2)
    x = x[:3, :, :2, :2]

    def fn(x, g, b):
        mode = mx.autograd.train_mode() if train else mx.autograd.predict_mode()
        with mode:
            return mx.nd.BatchNorm(x, g, b, mx.nd.array(mm, dtype="float64"),
                                   mx.nd.array(mv, dtype="float64"), fix_gamma=fix_gamma)
    if train:
        check_gradient(fn, [x, g, b], grad_inputs=[0, 1, 2] if not fix_gamma else [0, 2])
    else:   # predict-mode gradient: backward must also run in predict mode
        xs = [mx.nd.array(v, dtype="float64") for v in (x, g, b)]
        for v in xs:
            v.attach_grad()
        with mx.autograd.record(train_mode=False):
            y = fn(*xs)
        dy = np.random.RandomState(0).uniform(0.5, 1.5, y.shape)
        y.backward(mx.nd.array(dy, dtype="float64"), train_mode=False)
        scale = (1.0 if fix_gamma else g) / np.sqrt(mv + 1e-3)
        assert_almost_equal(xs[0].grad, dy * scale.reshape(1, -1, 1, 1))
        assert_almost_equal(xs[2].grad, dy.sum(axis=(0, 2, 3)))


def test_batchnorm_fix_gamma_zero_gamma_grad():
    arrs = [mx.nd.array(v) for v in _bn_inputs()]
    arrs[1].attach_grad()
    with mx.autograd.record():
        y = mx.nd.BatchNorm(*arrs, fix_gamma=True)
    y.backward()
    assert_almost_equal(arrs[1].grad, np.zeros(3))
    assert_almost_equal(arrs[1], _bn_inputs()[1])     # pymx leaves gamma untouched


def test_batchnorm_noncontiguous_and_float16():
    x, g, b, mm, mv = _bn_inputs()
    big = np.concatenate([x, x + 1], axis=3)[..., ::2]       # a strided view
    xs = NDArray(big.astype(np.float32), mx.cpu())
    y = mx.nd.BatchNorm(xs, *[mx.nd.array(v) for v in (g, b, mm, mv)])
    assert_almost_equal(y, _bn_ref(big, g, b, mm, mv, 1e-3), rtol=1e-4, atol=1e-5)
    out = mx.nd.BatchNorm(*[mx.nd.array(v, dtype="float16") for v in (x,)],
                          *[mx.nd.array(v) for v in (g, b, mm, mv)], output_mean_var=True)
    assert out[0].dtype == np.float16 and out[1].dtype == np.float32


def test_batchnorm_errors():
    x, g, b, mm, mv = [mx.nd.array(v) for v in _bn_inputs()]
    with pytest.raises(mx.MXNetError, match="BatchNorm.*gamma"):
        mx.nd.BatchNorm(x, mx.nd.ones((4,)), b, mm, mv)
    with pytest.raises(mx.MXNetError, match="BatchNorm.*axis"):
        mx.nd.BatchNorm(x, g, b, mm, mv, axis=4)
    with pytest.raises(mx.MXNetError, match="BatchNorm.*floating"):
        mx.nd.BatchNorm(mx.nd.array(_bn_inputs()[0], dtype="int32"), g, b, mm, mv)


def test_batchnorm_infer_shape():
    op = mx.ops.get_op("BatchNorm")
    a = op.parse_attrs({})
    ins, outs = op.infer_shape(a, [(2, 5, 3), None, None, None, None])
    assert ins == [(2, 5, 3)] + [(5,)] * 4 and outs == [(2, 5, 3), (5,), (5,)]


# ---- LayerNorm, InstanceNorm, GroupNorm --------------------------------------------------------
def _ln_ref(x, g, b, axis, eps):
    shape = [1] * x.ndim
    shape[axis] = -1
    mean = x.mean(axis=axis, keepdims=True)
    std = np.sqrt(x.var(axis=axis, keepdims=True) + eps)
    return (x - mean) / std * g.reshape(shape) + b.reshape(shape), mean, std


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), data=st.data())
def test_layernorm_forward(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    rng = np.random.RandomState(len(shape))
    x = rng.randn(*shape)
    c = shape[axis]
    g, b = rng.randn(c), rng.randn(c)
    out = mx.nd.LayerNorm(*[mx.nd.array(v, dtype=dtype) for v in (x, g, b)], axis=axis,
                          output_mean_var=True)
    ref = _ln_ref(x, g, b, axis % len(shape), 1e-5)
    for o, r in zip(out, ref):
        assert o.dtype == np.dtype(dtype)
        assert_almost_equal(o, r, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_layernorm_gradient(axis):
    rng = np.random.RandomState(3)
    x = rng.randn(3, 4, 2)
    c = x.shape[axis]
    check_gradient(lambda x, g, b: mx.nd.LayerNorm(x, g, b, axis=axis),
                   [x, rng.randn(c), rng.randn(c)])


def test_layernorm_edges():
    y = mx.nd.LayerNorm(mx.nd.zeros((0, 4)), mx.nd.ones((4,)), mx.nd.zeros((4,)))
    assert y.shape == (0, 4)
    x = np.random.randn(3, 8)
    y = mx.nd.LayerNorm(NDArray(x[:, ::2].astype(np.float32), mx.cpu()),
                        mx.nd.ones((4,)), mx.nd.zeros((4,)))
    assert_almost_equal(y, _ln_ref(x[:, ::2], np.ones(4), np.zeros(4), 1, 1e-5)[0],
                        rtol=1e-4, atol=1e-4)
    with pytest.raises(mx.MXNetError, match="LayerNorm.*gamma"):
        mx.nd.LayerNorm(mx.nd.ones((2, 3)), mx.nd.ones((2,)), mx.nd.ones((3,)))


def test_instancenorm():
    rng = np.random.RandomState(4)
    x, g, b = rng.randn(2, 3, 4, 2), rng.randn(3), rng.randn(3)
    y = mx.nd.InstanceNorm(*[mx.nd.array(v, dtype="float64") for v in (x, g, b)], eps=1e-3)
    mean = x.mean(axis=(2, 3), keepdims=True)
    var = x.var(axis=(2, 3), keepdims=True)
    ref = (x - mean) / np.sqrt(var + 1e-3) * g.reshape(1, 3, 1, 1) + b.reshape(1, 3, 1, 1)
    assert_almost_equal(y, ref)
    check_gradient(lambda x, g, b: mx.nd.InstanceNorm(x, g, b), [x[:, :, :2], g, b])
    with pytest.raises(mx.MXNetError, match="InstanceNorm.*3 dimensions"):
        mx.nd.InstanceNorm(mx.nd.ones((2, 3)), mx.nd.ones((3,)), mx.nd.ones((3,)))


def test_groupnorm():
    rng = np.random.RandomState(5)
    x, g, b = rng.randn(2, 6, 3), rng.randn(3), rng.randn(3)       # gamma: one per group
    y, mean, std = mx.nd.GroupNorm(*[mx.nd.array(v, dtype="float64") for v in (x, g, b)],
                                   num_groups=3, output_mean_var=True)
    xg = x.reshape(2, 3, 2, 3)
    m = xg.mean(axis=(2, 3), keepdims=True)
    s = np.sqrt(xg.var(axis=(2, 3), keepdims=True) + 1e-5)
    ref = ((xg - m) / s * g.reshape(1, 3, 1, 1) + b.reshape(1, 3, 1, 1)).reshape(x.shape)
    assert_almost_equal(y, ref)
    assert_almost_equal(mean, m.reshape(2, 3))
    assert_almost_equal(std, s.reshape(2, 3))
    check_gradient(lambda x, g, b: mx.nd.GroupNorm(x, g, b, num_groups=3), [x, g, b])
    with pytest.raises(mx.MXNetError, match="GroupNorm.*divisible"):
        mx.nd.GroupNorm(mx.nd.ones((2, 5)), mx.nd.ones((2,)), mx.nd.ones((2,)), num_groups=2)


# ---- L2Normalization and LRN --------------------------------------------------------------
@pytest.mark.parametrize("mode,axes", [("instance", (1, 2, 3)), ("channel", (1,)),
                                       ("spatial", (2, 3))])
def test_l2_normalization(mode, axes):
    x = np.random.RandomState(6).randn(2, 3, 2, 2)
    y = mx.nd.L2Normalization(mx.nd.array(x, dtype="float64"), mode=mode, eps=1e-4)
    assert_almost_equal(y, x / np.sqrt((x ** 2).sum(axis=axes, keepdims=True) + 1e-4))
    check_gradient(lambda x: mx.nd.L2Normalization(x, mode=mode), [x])


def test_l2_normalization_default_mode_and_2d():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    y = mx.nd.L2Normalization(mx.nd.array(x))
    assert_almost_equal(y, [[0.6, 0.8], [0.0, 0.0]])
    with pytest.raises(mx.MXNetError, match="mode"):
        mx.nd.L2Normalization(mx.nd.array(x), mode="pixel")


def _lrn_ref(x, nsize, alpha, beta, knorm):
    c = x.shape[1]
    half = nsize // 2
    sq = np.pad(x ** 2, [(0, 0), (half, half), (0, 0), (0, 0)])
    win = sum(sq[:, j:j + c] for j in range(nsize))
    return x * (knorm + alpha / nsize * win) ** -beta


@pytest.mark.parametrize("nsize", [1, 3, 5])
def test_lrn(nsize):
    x = np.random.RandomState(7).randn(2, 4, 2, 3)
    y = mx.nd.LRN(mx.nd.array(x, dtype="float64"), nsize=nsize, alpha=0.5, beta=0.8, knorm=1.2)
    assert_almost_equal(y, _lrn_ref(x, nsize, 0.5, 0.8, 1.2))
    check_gradient(lambda x: mx.nd.LRN(x, nsize=nsize, alpha=0.5, beta=0.8, knorm=1.2), [x])


def test_lrn_errors():
    with pytest.raises(mx.MXNetError, match="LRN.*nsize"):
        mx.nd.LRN(mx.nd.ones((1, 2, 2, 2)))                 # nsize is required
    with pytest.raises(mx.MXNetError, match="LRN.*odd"):
        mx.nd.LRN(mx.nd.ones((1, 2, 2, 2)), nsize=2)
    with pytest.raises(mx.MXNetError, match="LRN.*4-D"):
        mx.nd.LRN(mx.nd.ones((2, 2)), nsize=3)


# ---- shape rules agree with the forward (all outputs, hidden ones included) -------------------
_R = np.random.RandomState(9)
SHAPE_CASES = [
    ("BatchNorm", [(2, 3, 4), (3,), (3,), (3,), (3,)], {}),
    ("BatchNorm", [(2, 3, 4), (4,), (4,), (4,), (4,)], {"axis": -1}),
    ("LayerNorm", [(2, 3, 4), (3,), (3,)], {"axis": 1}),
    ("InstanceNorm", [(2, 3, 4), (3,), (3,)], {}),
    ("GroupNorm", [(2, 4, 3), (2,), (2,)], {"num_groups": 2}),
    ("L2Normalization", [(2, 3, 4)], {"mode": "channel"}),
    ("L2Normalization", [(2, 3, 4)], {"mode": "spatial"}),
    ("L2Normalization", [(2, 3, 4)], {}),
    ("LRN", [(1, 3, 2, 2)], {"nsize": 3}),
    ("Dropout", [(2, 3)], {"mode": "always"}),
    ("Activation", [(2, 3)], {"act_type": "tanh"}),
    ("LeakyReLU", [(2, 3, 2), (3,)], {"act_type": "prelu"}),
    ("LeakyReLU", [(2, 3)], {"act_type": "rrelu"}),
    ("softmax", [(2, 3), (2,)], {"use_length": True}),
    ("SoftmaxActivation", [(2, 3, 2)], {"mode": "channel"}),
    ("SoftmaxOutput", [(4, 3), (4,)], {}),
    ("SoftmaxOutput", [(2, 3, 2), (2, 2)], {"multi_output": True}),
    ("LinearRegressionOutput", [(3, 1), (3,)], {}),
    ("SVMOutput", [(3, 4), (3,)], {}),
    ("MakeLoss", [(3, 4)], {}),
    ("softmax_cross_entropy", [(3, 4), (3,)], {}),
    ("smooth_l1", [(3, 4)], {"scalar": 1.0}),
]


@pytest.mark.parametrize("name,shapes,kwargs", SHAPE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(SHAPE_CASES)])
def test_infer_shape_matches_forward(name, shapes, kwargs):
    op = mx.ops.get_op(name)
    a = op.parse_attrs(kwargs)
    arrays = [_R.uniform(0.1, 1.0, s).astype(np.float32) for s in shapes]
    if name == "softmax" and len(arrays) > 1:        # softmax's length must be integer
        arrays[1] = arrays[1].astype(np.int32)
    outs = op.forward(mx.cpu().backend, a, *arrays)
    outs = outs if isinstance(outs, tuple) else (outs,)
    in_shapes, out_shapes = op.infer_shape(a, [shapes[0]] + [None] * (len(shapes) - 1))
    assert [tuple(o.shape) for o in outs] == [tuple(s) for s in out_shapes]
    assert [tuple(s) for s in in_shapes] == [tuple(s) for s in shapes]
    assert len(outs) == op.num_outputs(a)
