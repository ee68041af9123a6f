"""The ``random_pdf_*`` densities (``pymx/ops/pdf.py``)."""
import math

import numpy as np
import pytest

import legacy_frozen
import pymx as mx
from pymx.base import MXNetError

#: MXNet's float64 digamma (in the gamma, negative binomial and Dirichlet gradients) is
#: off by about 1e-7; pymx's (pymx/ops/special.py) is good to about 1e-12
_DIGAMMA_F64 = 1e-6
_DIGAMMA_OPS = {f"random_pdf_{n}" for n in (
    "gamma", "negative_binomial", "generalized_negative_binomial", "dirichlet")}


# ---- against MXNet 1.9.1 (tests/data/mxnet/make_legacy_ops.py) ------------------------------
@pytest.mark.parametrize("case", legacy_frozen.cases("pdf"))
def test_pdf_ops_match_mxnet(case):
    loose = case["inputs"][0][0] == "float64" and case["op"] in _DIGAMMA_OPS
    legacy_frozen.replay(case, grad_tol=_DIGAMMA_F64 if loose else None)


def _grads(op, sample, *params, **kwargs):
    xs = [mx.nd.array(v, dtype="float64") for v in (sample, *params)]
    for x in xs:
        x.attach_grad()
    with mx.autograd.record():
        y = getattr(mx.nd, op)(*xs, **kwargs)
    y.backward()
    return y.asnumpy(), [x.grad.asnumpy() for x in xs]


def test_uniform_ignores_the_support_and_gives_the_sample_no_gradient():
    y, (dx, dlow, dhigh) = _grads("random_pdf_uniform", [[-5.0, 0.5, 9.0]], [0.0], [2.0])
    np.testing.assert_allclose(y, [[0.5, 0.5, 0.5]])
    np.testing.assert_array_equal(dx, 0)
    # d/dlow 1/(high - low) = 1/(high - low)^2, summed over the 3 samples
    np.testing.assert_allclose(dlow, [3 * 0.25])
    np.testing.assert_allclose(dhigh, [-0.75])


def test_gamma_beta_is_a_rate():
    y, _ = _grads("random_pdf_gamma", [[1.0]], [2.0], [3.0])
    np.testing.assert_allclose(y, [[9 * math.exp(-3)]])       # beta^a x^(a-1) e^(-beta x)


@pytest.mark.parametrize("op, params", [("random_pdf_poisson", ([2.0],)),
                                        ("random_pdf_negative_binomial", ([2.0], [0.3])),
                                        ("random_pdf_generalized_negative_binomial",
                                         ([2.0], [0.5]))])
def test_counting_densities_give_the_sample_no_gradient(op, params):
    y, grads = _grads(op, [[0.0, 1.0, 2.5]], *params)
    assert np.all(y > 0)
    np.testing.assert_array_equal(grads[0], 0)
    assert all(np.all(g != 0) for g in grads[1:])


def test_dirichlet_sample_has_extra_axes_before_the_last():
    alpha = mx.nd.array([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]])
    x = mx.nd.array(np.full((2, 4, 3), 1 / 3))
    y = mx.nd.random_pdf_dirichlet(x, alpha, is_log=True)
    assert y.shape == (2, 4)
    # lgamma(6) - lgamma(2) - lgamma(3) + 3 log(1/3) for the first group
    np.testing.assert_allclose(y.asnumpy()[0], math.lgamma(6) - math.lgamma(3) - 3 * math.log(3),
                               rtol=1e-5)
    sym = mx.sym.random_pdf_dirichlet(mx.sym.var("x"), mx.sym.var("alpha"))
    assert sym.infer_shape(x=(2, 4, 3), alpha=(2, 3))[1] == [(2, 4)]


@pytest.mark.parametrize("call, match", [
    (lambda: mx.nd.random_pdf_normal(mx.nd.ones((3, 2)), mx.nd.zeros(2), mx.nd.ones(2)),
     r"random_pdf_normal: sample of shape \(3, 2\) does not fit parameters of shape \(2,\)"),
    (lambda: mx.nd.random_pdf_normal(mx.nd.ones((2, 3)), mx.nd.zeros(2), mx.nd.ones(3)),
     r"random_pdf_normal: the parameters must have one shape, got \[\(2,\), \(3,\)\]"),
    (lambda: mx.nd.random_pdf_dirichlet(mx.nd.ones((2, 4, 2)), mx.nd.ones((2, 3))),
     r"random_pdf_dirichlet: sample of shape \(2, 4, 2\) does not fit .* \(2, 3\)"),
])
def test_shapes_are_checked(call, match):
    with pytest.raises(MXNetError, match=match):
        call()
