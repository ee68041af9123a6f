"""Exercise batchnorm_backward: ``_bn_backward`` and ``_norm_dx`` in
``pymx/ops/normalization.py``, through the op ``_backward_BatchNorm``.

Oracle: central differences in float64 of the NumPy function
``L = sum(dy * (gamma * (x - mean_B(x)) / sqrt(var_B(x) + eps) + beta))`` (training), or
with fixed statistics (inference).  The batch statistics are computed here in NumPy.
"""
import numpy as np
import pytest

import pymx as mx

from support import HEADER, check_close, src

pytestmark = pytest.mark.exercise("batchnorm_backward")
EPS = 1e-3


def bn_forward(x, gamma, beta, axis, training, mean=None, var=None):
    red = tuple(i for i in range(x.ndim) if i != axis)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    if training:
        mean, var = x.mean(axis=red), x.var(axis=red)
    xhat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + EPS)
    return gamma.reshape(shape) * xhat + beta.reshape(shape)


def numeric_grads(x, gamma, beta, dy, axis, training, mean=None, var=None, h=1e-6):
    def loss(x_, g_, b_):
        return float((dy * bn_forward(x_, g_, b_, axis, training, mean, var)).sum())
    out = []
    for which in range(3):
        args = [x.copy(), gamma.copy(), beta.copy()]
        grad = np.zeros_like(args[which])
        for i in np.ndindex(*args[which].shape):
            plus = [a.copy() for a in args]
            minus = [a.copy() for a in args]
            plus[which][i] += h
            minus[which][i] -= h
            grad[i] = (loss(*plus) - loss(*minus)) / (2 * h)
        out.append(grad)
    return out


SNIPPET = HEADER + """x = mx.nd.array({x}, dtype=np.float64)
dy = mx.nd.array({dy}, dtype=np.float64)
gamma = mx.nd.array({gamma}, dtype=np.float64)
mean, invstd = mx.nd.array({mean}, dtype=np.float64), mx.nd.array({invstd}, dtype=np.float64)
with mx.autograd.{mode}():
    running = mx.nd.zeros_like(mean), mx.nd.ones_like(mean)     # (moved in place)
    dx, dgamma, dbeta = mx.nd._backward_BatchNorm(dy, x, gamma, mean, invstd, *running,
                                                  eps={eps}, fix_gamma={fix_gamma},
                                                  axis={axis})
print(dx, dgamma, dbeta)
"""

CASES = [  # shape, axis
    ((4, 3), 1), ((2, 3, 2, 2), 1), ((2, 2, 3), -1), ((3, 2, 4), 1)]


def run_case(repro, shape, axis, training, fix_gamma):
    r = np.random.RandomState(sum(shape))
    x = r.randn(*shape) * 2 + 0.5
    ax = axis % len(shape)
    c = shape[ax]
    gamma = r.rand(c) + 0.5
    beta = r.randn(c)
    dy = r.randn(*shape)
    red = tuple(i for i in range(len(shape)) if i != ax)
    if training:
        mean, var = x.mean(axis=red), x.var(axis=red)
    else:
        mean, var = r.randn(c) * 0.1, r.rand(c) + 0.5
    invstd = 1 / np.sqrt(var + EPS)
    mode = "train_mode" if training else "predict_mode"
    repro(SNIPPET.format(x=src(x), dy=src(dy), gamma=src(gamma), mean=src(mean),
                         invstd=src(invstd), mode=mode, eps=EPS, fix_gamma=fix_gamma, axis=axis),
          shape=shape, axis=axis, training=training, fix_gamma=fix_gamma)
    with (mx.autograd.train_mode() if training else mx.autograd.predict_mode()):
        dx, dgamma, dbeta = mx.nd._backward_BatchNorm(
            mx.nd.array(dy, dtype=np.float64), mx.nd.array(x, dtype=np.float64),
            mx.nd.array(gamma, dtype=np.float64), mx.nd.array(mean, dtype=np.float64),
            mx.nd.array(invstd, dtype=np.float64), mx.nd.zeros(c, dtype=np.float64),
            mx.nd.ones(c, dtype=np.float64), eps=EPS, fix_gamma=fix_gamma, axis=axis)
    g_used = np.ones(c) if fix_gamma else gamma
    ex, eg, eb = numeric_grads(x, g_used, beta, dy, ax, training, mean, var)
    check_close(dx.asnumpy(), ex, "d data", rtol=1e-5, atol=1e-6)
    check_close(dbeta.asnumpy(), eb, "d beta", rtol=1e-5, atol=1e-6)
    check_close(dgamma.asnumpy(), np.zeros(c) if fix_gamma else eg, "d gamma",
                rtol=1e-5, atol=1e-6)
    assert dgamma.shape == (c,) and dbeta.shape == (c,)


@pytest.mark.parametrize("shape,axis", CASES, ids=[f"{s}-axis{a}" for s, a in CASES])
def test_training(repro, shape, axis):
    run_case(repro, shape, axis, training=True, fix_gamma=False)


@pytest.mark.parametrize("shape,axis", CASES[:2], ids=[f"{s}-axis{a}" for s, a in CASES[:2]])
def test_inference_uses_fixed_statistics(repro, shape, axis):
    run_case(repro, shape, axis, training=False, fix_gamma=False)


def test_fix_gamma(repro):
    run_case(repro, (4, 3), 1, training=True, fix_gamma=True)
