"""Activation, LeakyReLU and Dropout.

Forward values against NumPy formulas, gradients against central differences, the
train/predict behaviour of Dropout (notes section 4 items 13 and 33), and parity with
real MXNet 1.9.1 (``tests/data/mxnet/nnops_cases.json``, from ``make_nnops.py``).
"""
import json
import math
import os

import numpy as np
import pytest
import scipy.special
from hypothesis import given, strategies as st

import pymx as mx
from pymx.ndarray.ndarray import NDArray
from pymx.test_utils import assert_almost_equal, check_gradient

CASES = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet", "nnops_cases.json")


def _mxnet_cases(ops):
    with open(CASES) as f:
        return [c for c in json.load(f)["cases"] if c["op"] in ops]


def replay(c, skip_outputs=()):
    """Run one frozen MXNet case through pymx and compare outputs and gradients."""
    arrays = {k: mx.nd.array(np.array(v)) for k, v in c["inputs"].items()}
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
        assert_almost_equal(arrays[k].grad, np.array(e), rtol=1e-4, atol=1e-5,
                            names=(f"pymx d{k}", "mxnet"))


@pytest.mark.parametrize("case", _mxnet_cases({"Activation", "LeakyReLU"}),
                         ids=lambda c: c["name"])
def test_mxnet_parity(case):
    # rrelu's mask output in predict mode is uninitialised memory in MXNet
    replay(case, skip_outputs=(1,) if case["kwargs"].get("act_type") == "rrelu" else ())


# ---- Activation -------------------------------------------------------------------------------
ACT = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softrelu": lambda x: np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20)))),
    "softsign": lambda x: x / (1 + np.abs(x)),
}


@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=3),
       act=st.sampled_from(sorted(ACT)), dtype=st.sampled_from(["float32", "float64"]))
def test_activation_forward(shape, act, dtype):
    x = np.random.RandomState(sum(shape)).uniform(-5, 5, shape)
    y = mx.nd.Activation(mx.nd.array(x, dtype=dtype), act_type=act)
    assert y.dtype == np.dtype(dtype) and y.shape == tuple(shape)
    assert_almost_equal(y, ACT[act](x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("act", sorted(ACT))
def test_activation_gradient(act):
    x = np.random.RandomState(0).uniform(-3, 3, (3, 4))
    x[np.abs(x) < 0.05] = 0.3                       # keep away from relu's kink
    check_gradient(lambda x: mx.nd.Activation(x, act_type=act), [x])


def test_activation_extremes_and_strided():
    x = np.array([-1000.0, -30.0, 0.0, 25.0, 1000.0])
    y = mx.nd.Activation(mx.nd.array(x), act_type="softrelu").asnumpy()
    assert np.all(np.isfinite(y)) and y[-1] == 1000.0 and y[0] == 0.0
    base = np.random.randn(4, 6)
    strided = NDArray(base[:, ::2].astype(np.float32), mx.cpu())
    assert_almost_equal(mx.nd.Activation(strided, act_type="tanh"), np.tanh(base[:, ::2]))


def test_activation_errors():
    with pytest.raises(mx.MXNetError, match="Activation.*act_type"):
        mx.nd.Activation(mx.nd.ones((2,)))
    with pytest.raises(mx.MXNetError, match="Activation.*act_type"):
        mx.nd.Activation(mx.nd.ones((2,)), act_type="swish")
    with pytest.raises(mx.MXNetError, match="Activation.*floating"):
        mx.nd.Activation(mx.nd.ones((2,), dtype="int32"), act_type="relu")


# ---- LeakyReLU --------------------------------------------------------------------------------
SELU_A, SELU_L = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
LEAKY = {
    "leaky": lambda x, s: np.where(x > 0, x, s * x),
    "elu": lambda x, s: np.where(x > 0, x, s * np.expm1(np.minimum(x, 0))),
    "selu": lambda x, s: SELU_L * np.where(x > 0, x, SELU_A * np.expm1(np.minimum(x, 0))),
    "gelu": lambda x, s: 0.5 * x * (1 + scipy.special.erf(x / math.sqrt(2))),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("act", sorted(LEAKY))
def test_leaky_forward_and_gradient(act, dtype):
    x = np.random.RandomState(1).uniform(-3, 3, (2, 3, 4))
    y = mx.nd.LeakyReLU(mx.nd.array(x, dtype=dtype), act_type=act, slope=0.2)
    assert y.dtype == np.dtype(dtype)
    assert_almost_equal(y, LEAKY[act](x, 0.2), rtol=1e-5, atol=1e-6)
    check_gradient(lambda x: mx.nd.LeakyReLU(x, act_type=act, slope=0.2), [x])


def test_leaky_default_and_input_names():
    x = mx.nd.array([-4.0, 2.0])
    assert_almost_equal(mx.nd.LeakyReLU(x), [-1.0, 2.0])         # leaky, slope 0.25
    op = mx.ops.get_op("LeakyReLU")
    assert op.input_names(op.parse_attrs({"act_type": "prelu"})) == ["data", "gamma"]
    assert op.input_names(op.parse_attrs({})) == ["data"]
    assert op.output_names(op.parse_attrs({"act_type": "rrelu"})) == ["output", "mask"]


def test_selu_gradient_is_the_derivative_not_mxnets():
    # MXNet 1.9.1 returns lambda*(alpha + y) below zero; pymx the true derivative
    x = mx.nd.array([-2.0], dtype="float64")
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.LeakyReLU(x, act_type="selu")
    y.backward()
    assert_almost_equal(x.grad, [SELU_L * SELU_A * math.exp(-2.0)])
    assert abs(x.grad.asnumpy()[0] - 0.16085884) > 0.05


@pytest.mark.parametrize("gshape", [(3,), (1,)])
def test_prelu(gshape):
    rng = np.random.RandomState(2)
    x, g = rng.uniform(-2, 2, (2, 3, 2)), rng.uniform(0.1, 0.5, gshape)
    y = mx.nd.LeakyReLU(mx.nd.array(x), mx.nd.array(g), act_type="prelu")
    assert_almost_equal(y, np.where(x > 0, x, x * g.reshape(1, -1, 1)), rtol=1e-5, atol=1e-6)
    check_gradient(lambda x, g: mx.nd.LeakyReLU(x, g, act_type="prelu"), [x, g])
    with pytest.raises(mx.MXNetError, match="LeakyReLU.*gamma"):
        mx.nd.LeakyReLU(mx.nd.array(x), mx.nd.ones((2,)), act_type="prelu")


def test_rrelu_train_and_predict():
    x = -np.ones((200,))
    y, mask = mx.nd.LeakyReLU(mx.nd.array(x), act_type="rrelu")       # two visible outputs
    assert_almost_equal(mask, np.full(200, (0.125 + 0.334) / 2))
    assert_almost_equal(y, x * (0.125 + 0.334) / 2)
    xa = mx.nd.array(x)
    xa.attach_grad()
    with mx.autograd.record():
        y, mask = mx.nd.LeakyReLU(xa, act_type="rrelu", lower_bound=0.1, upper_bound=0.3)
    m = mask.asnumpy()
    assert m.min() >= 0.1 and m.max() <= 0.3 and m.std() > 0.01
    assert_almost_equal(y, -m)
    y.backward()
    assert_almost_equal(xa.grad, m)


# ---- Dropout ----------------------------------------------------------------------------------
def test_dropout_identity_when_not_training():
    x = mx.nd.array(np.random.randn(3, 4))
    assert_almost_equal(mx.nd.Dropout(x, p=0.5), x)
    with mx.autograd.record(train_mode=False):
        assert_almost_equal(mx.nd.Dropout(x), x)
    with mx.autograd.record(), mx.autograd.predict_mode():      # records, but identity
        assert_almost_equal(mx.nd.Dropout(x), x)


def test_dropout_training_mask_and_gradient():
    # notes item 13: the grad of Dropout(x=ones) equals the output (mask / (1-p))
    x = mx.nd.ones((50, 40))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Dropout(x, p=0.3)
    y.backward()
    out = y.asnumpy()
    assert np.all(np.isclose(out, 0) | np.isclose(out, 1 / 0.7))
    assert 0.2 < (out == 0).mean() < 0.4
    assert_almost_equal(x.grad, out)


def test_dropout_train_mode_outside_record_and_mode_always():
    x = mx.nd.ones((1000,))
    with mx.autograd.train_mode():
        assert (mx.nd.Dropout(x).asnumpy() == 0).any()
    assert (mx.nd.Dropout(x, mode="always").asnumpy() == 0).any()
    assert_almost_equal(mx.nd.Dropout(x, p=0.0, mode="always"), x)


@pytest.mark.parametrize("axes", [(1,), (0, 2), (-1,)])
def test_dropout_axes_share_the_mask(axes):
    with mx.autograd.train_mode():
        y = mx.nd.Dropout(mx.nd.ones((6, 40, 4)), p=0.5, axes=axes).asnumpy()
    for ax in axes:
        assert np.all(y == np.take(y, [0], axis=ax)), f"mask not shared along {ax}"
    assert (y == 0).any() and (y == 2).any()


def test_dropout_outputs_and_errors():
    op = mx.ops.get_op("Dropout")
    a = op.parse_attrs({})
    assert op.output_names(a) == ["output", "mask"] and op.num_visible_outputs(a) == 1
    with pytest.raises(mx.MXNetError, match="Dropout.*p"):
        mx.nd.Dropout(mx.nd.ones((2,)), p=1.5, mode="always")
    with pytest.raises(mx.MXNetError, match="Dropout.*mode"):
        mx.nd.Dropout(mx.nd.ones((2,)), mode="sometimes")
    with mx.autograd.train_mode():
        assert_almost_equal(mx.nd.Dropout(mx.nd.ones((5,)), p=1.0), np.zeros(5))


def test_dropout_seeded():
    seed = getattr(getattr(mx, "random", None), "seed", None)
    if seed is None:
        pytest.skip("mx.random.seed is not available yet")
    with mx.autograd.train_mode():
        seed(7)
        a = mx.nd.Dropout(mx.nd.ones((100,))).asnumpy()
        seed(7)
        b = mx.nd.Dropout(mx.nd.ones((100,))).asnumpy()
    np.testing.assert_array_equal(a, b)
