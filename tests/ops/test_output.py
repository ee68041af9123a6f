"""Loss heads and losses: SoftmaxOutput/Softmax, the *RegressionOutput heads, SVMOutput,
MakeLoss, make_loss, softmax_cross_entropy and smooth_l1.

The heads' gradients ignore the head gradient, so they are checked against MXNet's
documented formulas (notes section 4 items 24 and 25) and against real MXNet 1.9.1
(``tests/data/mxnet/nnops_cases.json``, from ``tests/data/mxnet/make_nnops.py``).
"""
import json
import os

import numpy as np
import pytest

import pymx as mx
from pymx.test_utils import assert_almost_equal, check_gradient

CASES = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet", "nnops_cases.json")
HEADS = {"SoftmaxOutput", "LinearRegressionOutput", "LogisticRegressionOutput",
         "MAERegressionOutput", "SVMOutput", "MakeLoss", "make_loss", "softmax_cross_entropy",
         "smooth_l1"}


def _mxnet_cases(ops):
    with open(CASES) as f:
        return [c for c in json.load(f)["cases"] if c["op"] in ops]


@pytest.mark.parametrize("case", _mxnet_cases(HEADS), ids=lambda c: c["name"])
def test_mxnet_parity(case):
    arrays = {k: mx.nd.array(np.array(v)) for k, v in case["inputs"].items()}
    for k in case["grads"]:
        arrays[k].attach_grad()
    with mx.autograd.record():
        out = getattr(mx.nd, case["op"])(**arrays, **case["kwargs"])
    assert_almost_equal(out, np.array(case["outputs"][0]), rtol=1e-4, atol=1e-5,
                        names=("pymx", "mxnet"))
    out.backward(mx.nd.array(np.array(case["head"])))
    for k, e in case["grads"].items():
        assert_almost_equal(arrays[k].grad, np.array(e), rtol=1e-4, atol=1e-5,
                            names=(f"pymx d{k}", "mxnet"))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _head_grad(op, data, label, head=None, **kw):
    x, lab = mx.nd.array(data), mx.nd.array(label)
    x.attach_grad()
    lab.attach_grad()
    with mx.autograd.record():
        y = getattr(mx.nd, op)(x, lab, **kw)
    y.backward(head)
    return y.asnumpy(), x.grad.asnumpy(), lab.grad.asnumpy()


# ---- SoftmaxOutput -----------------------------------------------------------------------------
def test_softmax_output_ignores_head_gradient_and_label_gets_none():
    x = np.random.RandomState(0).randn(4, 3)
    lab = np.array([0, 2, 1, 1])
    y, g, gl = _head_grad("SoftmaxOutput", x, lab, head=mx.nd.ones((4, 3)) * 7)
    assert_almost_equal(y, _softmax(x), rtol=1e-5, atol=1e-6)
    assert_almost_equal(g, _softmax(x) - np.eye(3)[lab], rtol=1e-5, atol=1e-6)
    assert_almost_equal(gl, np.zeros(4))
    assert mx.nd.Softmax is not None and mx.ops.get_op("Softmax").name == "SoftmaxOutput"


@pytest.mark.parametrize("normalization", ["null", "batch", "valid"])
@pytest.mark.parametrize("use_ignore", [False, True])
def test_softmax_output_normalization(normalization, use_ignore):
    # test_operator.py::test_softmax_output_normalization: grad = (softmax - onehot) *
    # grad_scale / valid_cnt; ignored rows (use_ignore) get a zero gradient
    rng = np.random.RandomState(1)
    x = rng.randn(5, 4)
    lab = np.array([0, 3, -1, 2, -1])
    ignore = -1
    _, g, _ = _head_grad("SoftmaxOutput", x, lab, grad_scale=0.5, use_ignore=use_ignore,
                         ignore_label=ignore, normalization=normalization)
    expected = _softmax(x) - (lab[:, None] == np.arange(4))      # label -1: no one-hot
    if use_ignore:
        expected = expected * (lab != ignore)[:, None]
    cnt = {"null": 1, "batch": 5, "valid": max(1, int((lab != ignore).sum()))}[normalization]
    assert_almost_equal(g, expected * 0.5 / cnt, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("normalization", ["null", "batch", "valid"])
def test_softmax_output_multi_output(normalization):
    rng = np.random.RandomState(2)
    x = rng.randn(2, 3, 2, 2)
    lab = rng.randint(0, 3, (2, 2, 2))
    lab[0, 0, 0] = 1
    y, g, _ = _head_grad("SoftmaxOutput", x, lab, multi_output=True, use_ignore=True,
                         ignore_label=1, normalization=normalization)
    p = _softmax(x, axis=1)
    assert_almost_equal(y, p, rtol=1e-5, atol=1e-6)
    hot = (lab[:, None] == np.arange(3)[None, :, None, None])
    expected = (p - hot) * (lab != 1)[:, None]
    valid = max(1, int((lab != 1).sum()))
    scale = {"null": 1 / 4, "batch": 1 / (2 * 4), "valid": 1 / valid}[normalization]
    assert_almost_equal(g, expected * scale, rtol=1e-5, atol=1e-6)


def test_softmax_output_smoothing_probability_label_and_out_grad():
    x = np.random.RandomState(3).randn(3, 4)
    lab = np.array([1, 0, 3])
    _, g, _ = _head_grad("SoftmaxOutput", x, lab, smooth_alpha=0.3)
    target = np.where(lab[:, None] == np.arange(4), 0.7, 0.1)
    assert_almost_equal(g, _softmax(x) - target, rtol=1e-5, atol=1e-6)
    prob = _softmax(np.random.RandomState(4).randn(3, 4))
    _, g, _ = _head_grad("SoftmaxOutput", x, prob, grad_scale=2.0, normalization="batch")
    assert_almost_equal(g, (_softmax(x) - prob) * 2.0, rtol=1e-5, atol=1e-6)  # no division
    # MXNet 1.9.1 quirk: out_grad=True multiplies by the output, not the head gradient
    _, g, _ = _head_grad("SoftmaxOutput", x, lab, head=mx.nd.ones((3, 4)) * 3, out_grad=True)
    p = _softmax(x)
    assert_almost_equal(g, (p - np.eye(4)[lab]) * p, rtol=1e-5, atol=1e-6)


def test_softmax_output_preserve_shape_and_errors():
    x = np.random.RandomState(5).randn(2, 3, 4)
    lab = np.array([[0, 1, 3], [2, 2, 0]])
    y, g, _ = _head_grad("SoftmaxOutput", x, lab, preserve_shape=True)
    assert_almost_equal(y, _softmax(x), rtol=1e-5, atol=1e-6)
    assert_almost_equal(g, _softmax(x) - np.eye(4)[lab], rtol=1e-5, atol=1e-6)
    y = mx.nd.SoftmaxOutput(mx.nd.array(x), mx.nd.array([0, 1]))      # flattened rows
    assert_almost_equal(y, _softmax(x.reshape(2, 12)).reshape(2, 3, 4), rtol=1e-5, atol=1e-6)
    xa = mx.nd.array(x)
    xa.attach_grad()
    with mx.autograd.record():
        y = mx.nd.SoftmaxOutput(xa, mx.nd.array([0, 1, 2]))
    with pytest.raises(mx.MXNetError, match="SoftmaxOutput.*label"):
        y.backward()
    with pytest.raises(mx.MXNetError, match="SoftmaxOutput.*normalization"):
        mx.nd.SoftmaxOutput(xa, mx.nd.array([0, 1]), normalization="mean")
    op = mx.ops.get_op("SoftmaxOutput")
    a = op.parse_attrs({"multi_output": True})
    assert op.infer_shape(a, [(2, 3, 4, 5), None])[0][1] == (2, 20)
    assert op.infer_shape(op.parse_attrs({}), [(2, 3), None])[0][1] == (2,)


# ---- regression heads ---------------------------------------------------------------------------
@pytest.mark.parametrize("op,fwd,diff", [
    ("LinearRegressionOutput", lambda x: x, lambda d: d),
    ("LogisticRegressionOutput", lambda x: 1 / (1 + np.exp(-x)), lambda d: d),
    ("MAERegressionOutput", lambda x: x, np.sign)])
@pytest.mark.parametrize("shape,lshape", [((3, 4), (3, 4)), ((4, 1), (4,)),
                                         ((2, 3, 2), (2, 6))])
def test_regression_heads(op, fwd, diff, shape, lshape):
    rng = np.random.RandomState(6)
    x, lab = rng.randn(*shape), rng.randn(*lshape)
    y, g, gl = _head_grad(op, x, lab, head=mx.nd.ones(shape) * 5, grad_scale=1.5)
    assert_almost_equal(y, fwd(x), rtol=1e-5, atol=1e-6)
    num_output = lab.size / lab.shape[0]
    expected = diff(fwd(x) - lab.reshape(shape)) * 1.5 / num_output
    assert_almost_equal(g, expected, rtol=1e-5, atol=1e-6)
    assert_almost_equal(gl, np.zeros(lshape))
    with pytest.raises(mx.MXNetError, match=f"{op}.*label"):
        getattr(mx.nd, op)(mx.nd.array(x), mx.nd.ones((7,)))


# ---- SVMOutput ----------------------------------------------------------------------------------
@pytest.mark.parametrize("use_linear", [False, True])
def test_svm_output(use_linear):
    rng = np.random.RandomState(7)
    x, lab = rng.randn(5, 3), np.array([0, 2, 1, 1, 0])
    m, reg = 0.8, 0.6
    y, g, _ = _head_grad("SVMOutput", x, lab, margin=m, regularization_coefficient=reg,
                         use_linear=use_linear)
    assert_almost_equal(y, x, rtol=1e-6)
    hot = lab[:, None] == np.arange(3)
    sign = np.where(hot, 1.0, -1.0)
    s = x * sign
    active = m > s
    expected = (-reg * sign * active if use_linear
                else -2 * reg * (m - s) * sign * active)
    assert_almost_equal(g, expected, rtol=1e-5, atol=1e-6)


# ---- MakeLoss and make_loss ---------------------------------------------------------------------
@pytest.mark.parametrize("normalization", ["null", "batch", "valid"])
def test_make_loss(normalization):
    x = np.array([[0.1, 0.7, -2.0], [0.9, 0.2, 3.0]])
    xa = mx.nd.array(x)
    xa.attach_grad()
    with mx.autograd.record():
        y = mx.nd.MakeLoss(xa * 2, grad_scale=3.0, valid_thresh=0.5,
                           normalization=normalization)
    y.backward(mx.nd.ones((2, 3)) * 10)                   # ignored
    cnt = {"null": 1, "batch": 2, "valid": int((x * 2 > 0.5).sum())}[normalization]
    assert_almost_equal(y, x * 2)
    assert_almost_equal(xa.grad, np.full((2, 3), 2 * 3.0 / cnt))


def test_make_loss_lowercase():
    xa = mx.nd.array([[1.0, -2.0]])
    xa.attach_grad()
    with mx.autograd.record():
        y = mx.nd.make_loss(mx.nd.square(xa))
    y.backward(mx.nd.ones((1, 2)) * 4)                    # ignored: the grad is ones
    assert_almost_equal(xa.grad, [[2.0, -4.0]])
    assert mx.ops.get_op("make_loss").output_names({}) == ["loss"]


# ---- softmax_cross_entropy and smooth_l1 -----------------------------------------------------------
def test_softmax_cross_entropy():
    x = np.random.RandomState(8).randn(4, 5)
    lab = np.array([0, 4, 2, 2])
    y = mx.nd.softmax_cross_entropy(mx.nd.array(x, dtype="float64"),
                                    mx.nd.array(lab, dtype="float64"))
    assert y.shape == (1,)
    assert_almost_equal(y, [-np.log(_softmax(x)[np.arange(4), lab]).sum()])
    check_gradient(lambda x: mx.nd.softmax_cross_entropy(x, mx.nd.array(lab, dtype="float64")),
                   [x])
    with pytest.raises(mx.MXNetError, match="softmax_cross_entropy"):
        mx.nd.softmax_cross_entropy(mx.nd.ones((2, 3)), mx.nd.ones((3,)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0])
def test_smooth_l1(sigma, dtype):
    x = np.random.RandomState(9).uniform(-3, 3, (4, 5))
    y = mx.nd.smooth_l1(mx.nd.array(x, dtype=dtype), scalar=sigma)
    s2 = sigma ** 2
    ref = np.where(np.abs(x) < 1 / s2, 0.5 * s2 * x ** 2, np.abs(x) - 0.5 / s2)
    assert y.dtype == np.dtype(dtype)
    assert_almost_equal(y, ref, rtol=1e-5, atol=1e-6)
    x[np.abs(np.abs(x) - 1 / s2) < 1e-2] = 0.123      # keep away from the kink
    check_gradient(lambda x: mx.nd.smooth_l1(x, scalar=sigma), [x])
    # MXNet 1.9.1's scalar defaults to 1.0: 0.5 * x^2 inside |x| < 1
    assert mx.nd.smooth_l1(mx.nd.ones((2,)) * 0.5).asnumpy().tolist() == [0.125, 0.125]
