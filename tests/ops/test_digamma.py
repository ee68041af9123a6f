"""ψ (digamma, ``pymx/ops/special.py``) and the gradients of ``gamma`` / ``gammaln`` it
gives: against ``scipy.special``, known values, real MXNet 1.9.1 (frozen in
``tests/data/mxnet/gamma_grad_cases.json`` by ``make_gamma_grad.py``), central
differences, second derivatives (trigamma) and the symbolic front end."""
import json
import math
import os

import numpy as np
import pytest
from scipy import special

import pymx as mx
from pymx import autograd
from pymx.ops.special import digamma
from pymx.test_utils import assert_almost_equal, check_gradient

EULER = 0.5772156649015329
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet", "gamma_grad_cases.json")
#: negatives (non-integers, half-integers, far from 0), tiny and huge positives, a root
GRID = np.concatenate([np.linspace(-12.3, 40.0, 1201), [-1e6 + 0.25, -0.5, -1.5, 1e-6, 1e-3,
                                                        1.4616321449683622, 1e4, 1e9]])


def _psi(x, dtype):
    return digamma(mx.nd, mx.nd.array(x, dtype=dtype)).asnumpy()


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-11), ("float32", 1e-6)])
def test_digamma_matches_scipy(dtype, tol):
    x = GRID.astype(dtype)                        # compare at the value the dtype holds
    got = _psi(x, dtype)
    assert got.dtype == np.dtype(dtype)
    want = special.digamma(x.astype(np.float64))
    assert np.isfinite(want).all()
    # relative error, absolute where |psi| < 1 (psi has a root near 1.4616)
    err = np.abs(got - want) / np.maximum(np.abs(want), 1)
    assert err.max() < tol, (x[err.argmax()], got[err.argmax()], want[err.argmax()])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_digamma_known_values(dtype):
    n = np.arange(1, 9)
    harmonic = np.cumsum(1 / n)                                   # H_1 .. H_8
    x = np.concatenate([[1.0, 0.5, -0.5, 0.25], n + 1.0])
    want = np.concatenate([
        [-EULER, -EULER - 2 * math.log(2),
         2 - EULER - 2 * math.log(2),                              # psi(-1/2) = psi(1/2) + 2
         -EULER - math.pi / 2 - 3 * math.log(2)],                 # Gauss's psi(1/4)
        harmonic - EULER])
    assert_almost_equal(_psi(x, dtype), want, rtol=1e-6, atol=1e-6)


def test_digamma_recurrence_and_reflection():
    x = np.random.RandomState(0).uniform(-9, 9, 200)
    psi = lambda v: _psi(v, "float64")
    assert_almost_equal(psi(x + 1), psi(x) + 1 / x, rtol=1e-10, atol=1e-10)
    assert_almost_equal(psi(1 - x) - psi(x), math.pi / np.tan(math.pi * x), rtol=1e-9,
                        atol=1e-9)


def test_digamma_poles_and_nonfinite_as_mxnet():
    """Cephes' psi returns DBL_MAX at 0, -1, -2, ... (inf once cast to float32)."""
    x = [0.0, -1.0, -2.0, -30.0]
    assert (_psi(x, "float64") == np.finfo(np.float64).max).all()
    assert np.isposinf(_psi(x, "float32")).all()
    got = _psi([np.inf, np.nan], "float64")
    assert np.isposinf(got[0]) and np.isnan(got[1])


def test_digamma_under_symbol_matches_ndarray():
    x = GRID[::40]
    out = digamma(mx.sym, mx.sym.var("x")).eval(x=mx.nd.array(x, dtype="float64"))[0]
    assert_almost_equal(out.asnumpy(), _psi(x, "float64"), rtol=1e-14, atol=0)


# ---- the gradients --------------------------------------------------------------------------
def _grad(op, x, dtype):
    x = mx.nd.array(x, dtype=dtype)
    x.attach_grad()
    with autograd.record():
        y = getattr(mx.nd, op)(x)
    y.backward()
    return x.grad.asnumpy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["gamma", "gammaln"])
def test_gradient_matches_mxnet(op, dtype):
    with open(DATA) as f:
        case = json.load(f)
    want = np.array([float(v) for v in case["grads"][f"{op}_{dtype}"]])
    got = _grad(op, case["points"], dtype).astype(np.float64)
    fin = np.isfinite(want)
    assert np.array_equal(np.isnan(got), np.isnan(want)), (got, want)
    assert np.array_equal(got[~fin & ~np.isnan(want)], want[~fin & ~np.isnan(want)])
    # both psi's are good to ~1e-7 absolute (MXNet's float64 one too: it calls logf)
    assert_almost_equal(got[fin], want[fin], rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("op, lo, hi", [("gammaln", -4.9, -4.1), ("gammaln", 0.05, 8),
                                        ("gamma", -2.9, -2.1), ("gamma", 0.1, 5)])
def test_gradient_against_central_differences(op, lo, hi):
    x = np.random.RandomState(1).uniform(lo, hi, (3, 4))
    check_gradient(getattr(mx.nd, op), [x], rtol=1e-5, atol=1e-7)


def test_second_derivative_of_gammaln_is_trigamma():
    x = mx.nd.array([-3.7, -0.4, 0.3, 1.0, 2.5, 25.0], dtype="float64")
    x.attach_grad()
    with autograd.record():
        (dx,) = autograd.grad(mx.nd.gammaln(x), [x], create_graph=True)
    dx.backward()
    assert_almost_equal(dx.asnumpy(), special.digamma(x.asnumpy()), rtol=1e-11, atol=0)
    assert_almost_equal(x.grad.asnumpy(), special.polygamma(1, x.asnumpy()), rtol=1e-9,
                        atol=0)


def test_gradient_through_the_symbolic_executor():
    x = np.array([[-1.5, 0.3, 2.0], [4.0, 0.7, -0.2]])
    v = mx.sym.var("x")
    sym = mx.sym.gamma(v) + mx.sym.gammaln(v)
    grad = mx.nd.zeros(x.shape, dtype="float64")
    exe = sym.bind(args={"x": mx.nd.array(x, dtype="float64")}, args_grad={"x": grad})
    exe.forward(is_train=True)
    exe.backward(mx.nd.ones(x.shape, dtype="float64"))
    want = special.gamma(x) * special.digamma(x) + special.digamma(x)
    assert_almost_equal(grad.asnumpy(), want, rtol=1e-10, atol=1e-12)
