"""gluon.nn layers: forward against NumPy formulas, gradients (input and parameters)
against float64 central differences, and hybridized == imperative."""
import numpy as np
import pytest

import pymx as mx
from pymx import autograd
from pymx.gluon import nn
from pymx.test_utils import assert_almost_equal, check_gradient

RS = np.random.RandomState(42)


def _init(layer, x):
    layer.initialize(mx.init.Uniform(0.5))
    layer.cast("float64")
    layer(mx.nd.array(x, dtype="float64"))       # finishes deferred initialization
    return [p.data().asnumpy() for p in layer._reg_params.values()]


def _check(layer, x, ref=None, grad=True, train=True):
    """Forward vs ``ref(x, *params)``; gradients of hybrid_forward in x and params."""
    params = _init(layer, x)
    names = list(layer._reg_params)
    X = mx.nd.array(x, dtype="float64")
    with autograd.record(train_mode=train):
        y = layer(X)
    if ref is not None:
        assert_almost_equal(y.asnumpy(), ref(x, *params), rtol=1e-6, atol=1e-8)

    def fn(xx, *ps):
        return layer.hybrid_forward(mx.nd, xx, **dict(zip(names, ps)))
    if grad:
        check_gradient(fn, [x] + params, train_mode=train, rtol=1e-3, atol=1e-5)
    # hybridized gives the same output
    layer.hybridize()
    with autograd.record(train_mode=train):
        y2 = layer(X)
    assert_almost_equal(y2.asnumpy(), y.asnumpy(), rtol=1e-6, atol=1e-8)
    return y


def test_dense():
    x = RS.uniform(-1, 1, (3, 2, 4))
    _check(nn.Dense(5), x, lambda x, w, b: x.reshape(3, -1) @ w.T + b)
    _check(nn.Dense(5, flatten=False, activation="tanh"), x,
           lambda x, w, b: np.tanh(x @ w.T + b))
    _check(nn.Dense(2, use_bias=False, in_units=8), x, lambda x, w: x.reshape(3, -1) @ w.T)


def _conv2d_ref(x, w, b, stride=1, pad=0):
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    ho, wo = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out + b[None, :, None, None]


def test_conv_layers():
    x = RS.uniform(-1, 1, (2, 3, 6, 6))
    _check(nn.Conv2D(4, 3), x, _conv2d_ref)
    _check(nn.Conv2D(2, (3, 3), strides=2, padding=1, activation="relu"), x,
           lambda x, w, b: np.maximum(_conv2d_ref(x, w, b, 2, 1), 0))
    y = _check(nn.Conv2DTranspose(2, 3, strides=2, output_padding=1), x)
    assert y.shape == (2, 2, 14, 14)
    x1 = RS.uniform(-1, 1, (2, 3, 7))
    _check(nn.Conv1D(2, 3), x1,
           lambda x, w, b: _conv2d_ref(x[:, :, None], w[:, :, None], b)[:, :, 0])
    assert _check(nn.Conv1DTranspose(2, 3), x1).shape == (2, 2, 9)
    x3 = RS.uniform(-1, 1, (1, 2, 4, 4, 4))
    assert _check(nn.Conv3D(2, 2), x3, grad=False).shape == (1, 2, 3, 3, 3)
    assert _check(nn.Conv3DTranspose(2, 2), x3, grad=False).shape == (1, 2, 5, 5, 5)
    conv = nn.Conv2D(6, 3, groups=3, in_channels=3)
    assert conv.weight.shape == (6, 1, 3, 3)
    deconv = nn.Conv2DTranspose(6, 3, groups=3)
    assert deconv.weight.shape == (0, 2, 3, 3)


def test_pooling_layers():
    x = RS.uniform(-1, 1, (2, 3, 4, 6))
    pooled = x.reshape(2, 3, 2, 2, 3, 2)
    _check(nn.MaxPool2D(), x, lambda x: pooled.max(axis=(3, 5)))
    _check(nn.AvgPool2D(), x, lambda x: pooled.mean(axis=(3, 5)))
    _check(nn.GlobalMaxPool2D(), x, lambda x: x.max(axis=(2, 3), keepdims=True))
    _check(nn.GlobalAvgPool2D(), x, lambda x: x.mean(axis=(2, 3), keepdims=True))
    assert _check(nn.MaxPool2D(3, 2, ceil_mode=True), x).shape == (2, 3, 2, 3)
    x1 = RS.uniform(-1, 1, (2, 3, 6))
    _check(nn.MaxPool1D(), x1, lambda x: x.reshape(2, 3, 3, 2).max(axis=3))
    _check(nn.AvgPool1D(3), x1, lambda x: x.reshape(2, 3, 2, 3).mean(axis=3))
    _check(nn.GlobalAvgPool1D(), x1, lambda x: x.mean(axis=2, keepdims=True))
    _check(nn.GlobalMaxPool1D(), x1, lambda x: x.max(axis=2, keepdims=True))
    x3 = RS.uniform(-1, 1, (1, 2, 4, 4, 4))
    _check(nn.MaxPool3D(), x3,
           lambda x: x.reshape(1, 2, 2, 2, 2, 2, 2, 2).max(axis=(3, 5, 7)))
    _check(nn.AvgPool3D(), x3,
           lambda x: x.reshape(1, 2, 2, 2, 2, 2, 2, 2).mean(axis=(3, 5, 7)))
    _check(nn.GlobalAvgPool3D(), x3, lambda x: x.mean(axis=(2, 3, 4), keepdims=True))
    _check(nn.GlobalMaxPool3D(), x3, lambda x: x.max(axis=(2, 3, 4), keepdims=True))


def test_reflection_pad():
    x = RS.uniform(-1, 1, (1, 2, 3, 4))
    _check(nn.ReflectionPad2D(1), x,
           lambda x: np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="reflect"))


def test_normalization_layers():
    x = RS.uniform(-1, 1, (4, 3, 2, 2))

    def bn_train(x, gamma, beta, mean, var):
        m = x.mean(axis=(0, 2, 3), keepdims=True)
        v = x.var(axis=(0, 2, 3), keepdims=True)              # biased
        return (x - m) / np.sqrt(v + 1e-5) * gamma[None, :, None, None] + \
            beta[None, :, None, None]

    bn = nn.BatchNorm()
    _check(bn, x, bn_train)
    assert bn.running_mean.grad_req == "null"
    with pytest.raises(RuntimeError, match="grad_req='null'"):
        bn.running_var.grad()

    def bn_eval(x, gamma, beta, mean, var):
        return (x - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5) \
            * gamma[None, :, None, None] + beta[None, :, None, None]
    _check(nn.BatchNorm(), x, bn_eval, train=False, grad=False)
    # running statistics: running = running * 0.9 + batch * 0.1, moved by the backward
    # (MXNet's CPU kernels); a training forward alone leaves them alone
    bn2 = nn.BatchNorm(in_channels=3)
    bn2.initialize()
    with autograd.train_mode():
        bn2(mx.nd.array(x))
    assert (bn2.running_mean.data().asnumpy() == 0).all()
    with autograd.record():
        y = bn2(mx.nd.array(x))
    assert (bn2.running_mean.data().asnumpy() == 0).all()
    y.backward()
    assert_almost_equal(bn2.running_mean.data().asnumpy(), 0.1 * x.mean(axis=(0, 2, 3)),
                        rtol=1e-5, atol=1e-6)
    assert_almost_equal(bn2.running_var.data().asnumpy(),
                        0.9 + 0.1 * x.var(axis=(0, 2, 3)), rtol=1e-5, atol=1e-6)
    assert nn.BatchNorm(scale=False)._kwargs["fix_gamma"] is True

    def inorm(x, gamma, beta):
        m = x.mean(axis=(2, 3), keepdims=True)
        v = x.var(axis=(2, 3), keepdims=True)
        return (x - m) / np.sqrt(v + 1e-5) * gamma[None, :, None, None] + \
            beta[None, :, None, None]
    _check(nn.InstanceNorm(), x, inorm)

    def lnorm(x, gamma, beta):
        m = x.mean(axis=-1, keepdims=True)
        v = x.var(axis=-1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-5) * gamma + beta
    _check(nn.LayerNorm(), x, lnorm)

    def gnorm(x, gamma, beta):
        g = x.reshape(4, 3, -1)                              # 3 groups of 1 channel
        m = g.mean(axis=2, keepdims=True)
        v = g.var(axis=2, keepdims=True)
        return ((g - m) / np.sqrt(v + 1e-5)).reshape(x.shape) * \
            gamma[None, :, None, None] + beta[None, :, None, None]
    _check(nn.GroupNorm(3), x, gnorm)


def test_activation_layers():
    x = RS.uniform(-2, 2, (3, 4))
    from math import erf
    _check(nn.Activation("relu"), x + 0.01, lambda x: np.maximum(x, 0))
    _check(nn.Activation("sigmoid"), x, lambda x: 1 / (1 + np.exp(-x)))
    _check(nn.Activation("softrelu"), x, lambda x: np.log1p(np.exp(x)))
    _check(nn.LeakyReLU(0.1), x, lambda x: np.where(x > 0, x, 0.1 * x))
    _check(nn.PReLU(), x, lambda x, a: np.where(x > 0, x, a[0] * x))
    _check(nn.ELU(0.5), x, lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1)))
    lam, alpha = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
    _check(nn.SELU(), x, lambda x: lam * np.where(x > 0, x, alpha * (np.exp(x) - 1)))
    _check(nn.GELU(), x,
           lambda x: x * 0.5 * (1 + np.vectorize(erf)(x / np.sqrt(2))))
    _check(nn.Swish(2.0), x, lambda x: x / (1 + np.exp(-2 * x)))
    assert nn.Activation("tanh").name.startswith("tanh")
    p = nn.PReLU(in_channels=4)
    p.initialize()
    assert p.alpha.data().asnumpy().tolist() == [0.25] * 4


def test_embedding_flatten_dropout_lambdas():
    idx = np.array([[0, 3], [2, 2]], dtype=np.float64)
    emb = nn.Embedding(4, 3)
    w = _init(emb, idx)[0]
    out = emb(mx.nd.array(idx, dtype="float64"))
    assert_almost_equal(out.asnumpy(), w[idx.astype(int)])
    x = RS.uniform(-1, 1, (2, 3, 4))
    _check(nn.Flatten(), x, lambda x: x.reshape(2, -1))
    _check(nn.HybridLambda("tanh"), x, np.tanh)
    _check(nn.HybridLambda(lambda F, x: F.relu(x) * 2), x, lambda x: np.maximum(x, 0) * 2)
    lam = nn.Lambda("exp")
    assert_almost_equal(lam(mx.nd.array(x)).asnumpy(), np.exp(x), rtol=1e-6)
    drop = nn.Dropout(0.5)
    ones = mx.nd.ones((200, 50))
    assert (drop(ones).asnumpy() == 1).all()                  # identity in prediction
    with autograd.record():
        y = drop(ones)
    vals = set(np.unique(y.asnumpy()).tolist())
    assert vals == {0.0, 2.0}
    with autograd.record():
        y = nn.Dropout(0.5, axes=(1,))(ones)
    rows = y.asnumpy()
    assert ((rows == rows[:, :1])).all()                      # one mask value per row
