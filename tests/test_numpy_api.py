"""The ``mx.np`` functions beyond d2l's core (stacking, flips, pads, einsum, linalg,
fallbacks...) against MXNet 1.9.1.

``tests/data/mxnet/numpy_api.json`` holds what a real MXNet 1.9.1 returned for each
case string (values, shape, dtype, result class, or the error class);
``tests/data/mxnet/make_numpy_api.py`` regenerates it.  The same strings are evaluated
here with ``pymx.numpy``.  ``GRADS`` cases compare ``x.grad`` after ``backward()``.
"""
import json
import os

import numpy as onp
import pytest

import pymx as mx
from pymx import autograd, np, npx

DATA = os.path.join(os.path.dirname(__file__), "data", "mxnet", "numpy_api.json")
with open(DATA) as _f:
    MX = json.load(_f)

#: MXNet 1.9.1 raises where NumPy answers; pymx gives NumPy's answer (README bullet)
MXNET_BUGS = {
    "np.insert(a, 1, 5, axis=1)": "MXNet's _npi_insert_scalar fails on axis=1",
    "np.insert(a, [0, 2], np.array([7., 8.]), axis=1)": "MXNet rejects a list obj",
    "np.delete(a, [0, 2], axis=1)": "MXNet rejects a list obj",
    "np.diff(bo)": "MXNet has no bool diff",
    "np.hypot(i, i)": "MXNet's hypot rejects integers",
    "np.deg2rad(a)": "AttributeError inside MXNet 1.9.1",
    "np.rad2deg(v)": "AttributeError inside MXNet 1.9.1",
    "np.histogram(a, bins=3)": "MXNet needs range= with an int bins",
    "np.take(a, np.array([-1, 2]), axis=1)": "MXNet's mode='raise' rejects negative indices",
    "np.unravel_index(np.array([1, 5]), (2, 3))": "MXNet's fallback passes floats",
    "np.insert(a, 1, np.array([7., 8.]), axis=0)": "MXNet returns uninitialised memory "
                                                  "where NumPy raises (shapes mismatch)",
    "np.pad(a, ((1, 1), (2, 0)), mode='constant', constant_values=7)":
        "MXNet ignores constant_values",
    "np.diff(a, prepend=0)": "MXNet ignores prepend",
}
#: cases where pymx knowingly differs (none now: ``reshape`` is a copy, as in MXNet)
DIFFERS = set()
#: MXNet 1.9.1's rot90 gradient rotates the head gradient forward again instead of
#: back; pymx gives the true gradient (checked in ``test_rot90_gradient_is_the_inverse``)
MXNET_GRAD_BUGS = {"np.rot90(x) * np.arange(9).reshape(3, 3)"}
#: MXNet 1.9.1 has no gradient here (raises in backward); pymx's composition has one
GRAD_ONLY_PYMX = {
    "np.pad(x, ((1, 1), (2, 0)), mode='edge')",
    "np.pad(x, 1, mode='reflect') if False else np.pad(x, ((1, 1), (1, 1)), mode='reflect')",
    "np.linalg.solve(x, np.array([1., 2., 3.]))",
    "np.insert(x, 1, 5.) * np.arange(10)",
    "np.delete(x, 1, axis=0) * np.arange(6).reshape(2, 3)",
}


@pytest.fixture(autouse=True)
def _np_mode():
    npx.set_np()
    yield
    npx.reset_np()


def _env():
    env = {"np": np, "onp": onp}
    for name, src in MX["inputs"].items():
        host = eval(src)  # noqa: S307 - the generator's own input strings
        env[name] = np.array(host, dtype=host.dtype)
    return env


def check(got, exp, code):
    """``got`` (a pymx result) matches the recorded MXNet result ``exp``."""
    if "items" in exp:
        assert isinstance(got, (list, tuple)), (code, type(got))
        assert len(got) == len(exp["items"]), (code, len(got))
        for g, e in zip(got, exp["items"]):
            check(g, e, code)
        return
    if "scalar" in exp:
        assert not isinstance(got, mx.nd.NDArray), (code, "expected a scalar", got)
        if exp["type"] == "dtype":
            assert onp.dtype(got).name == exp["scalar"], (code, got)
        else:
            assert isinstance(got, (bool, int, float, onp.generic)), (code, type(got))
            assert onp.isclose(got, exp["scalar"], rtol=1e-5), (code, got, exp)
        return
    assert isinstance(got, np.ndarray), (code, type(got).__name__)
    assert list(got.shape) == exp["shape"], (code, got.shape, exp["shape"])
    assert got.dtype.name == exp["dtype"], (code, got.dtype, exp["dtype"])
    onp.testing.assert_allclose(got.asnumpy().ravel().astype(onp.float64),
                                onp.asarray(exp["values"], dtype=onp.float64),
                                rtol=1e-4, atol=1e-5, err_msg=code)


@pytest.mark.parametrize("case", MX["cases"], ids=lambda c: c["code"])
def test_matches_mxnet(case):
    code, env = case["code"], _env()
    if code in DIFFERS:
        pytest.skip("pymx's reshape is a view (README: where pymx differs)")
    if "error" in case and code not in MXNET_BUGS:
        with pytest.raises(Exception) as info:
            eval(code, env)  # noqa: S307
        allowed = {"MXNetError", case["error"]}
        assert type(info.value).__name__ in allowed or isinstance(
            info.value, (ValueError, TypeError, IndexError)), (code, info.value)
        return
    if code in MXNET_BUGS:
        host = {k: (v.asnumpy() if hasattr(v, "asnumpy") else v) for k, v in env.items()}
        try:
            want = eval(code.replace("np.", "onp."), host)  # noqa: S307
        except ValueError:
            with pytest.raises((ValueError, mx.MXNetError)):
                eval(code, env)  # noqa: S307
            return
        got = eval(code, env)  # noqa: S307
        got = got if isinstance(got, (list, tuple)) else [got]
        want = want if isinstance(want, (list, tuple)) else [want]
        for g, w in zip(got, want):
            onp.testing.assert_allclose(g.asnumpy(), w, rtol=1e-5, err_msg=code)
        return
    check(eval(code, env), case, code)  # noqa: S307


@pytest.mark.parametrize("case", MX["grads"], ids=lambda c: c["code"])
def test_gradient_matches_mxnet(case):
    code = case["code"]
    x = np.array(eval(MX["x"]))  # noqa: S307
    x.attach_grad()
    if "error" in case and code not in GRAD_ONLY_PYMX:
        with pytest.raises(mx.MXNetError):
            with autograd.record():
                eval(code, dict(_env(), x=x)).backward()  # noqa: S307
        return
    with autograd.record():
        y = eval(code, dict(_env(), x=x))  # noqa: S307
    y.backward()
    if code in MXNET_GRAD_BUGS:
        pytest.skip("MXNet 1.9.1's gradient is wrong here; see the rot90 test")
    if code in GRAD_ONLY_PYMX:
        assert onp.isfinite(x.grad.asnumpy()).all()
        return
    assert "error" not in case, case
    check(x.grad, case, code)


def test_fallback_is_host_numpy_without_autograd():
    x = np.array([[1., 0.], [2., 3.]])
    assert np.count_nonzero(x) == 3 and not isinstance(np.count_nonzero(x), np.ndarray)
    assert np.cov(x).dtype == onp.float64                 # NumPy's dtype, as MXNet
    assert np.count_nonzero([1, 0]) == 1                   # no mx array: plain NumPy
    x.attach_grad()
    with autograd.record():
        with pytest.raises(ValueError, match="Falling back to NumPy operator cov"):
            np.cov(x)


def test_financial_fallbacks_match_numpy_financial_formulas():
    assert onp.isclose(np.pv(0.05 / 12, 10 * 12, -100, 15692.93), -100.00067131625819)
    assert onp.isclose(np.ppmt(0.1 / 12, 1, 60, 55000), -710.254125786425)
    assert onp.isclose(np.rate(10, 0, -3500, 10000), 0.1106908537142689)
    assert onp.isclose(np.npv(0.281, [-100, 39, 59, 55, 20]), -0.0084785916384548798)


def test_einsum_gradient_of_three_operands_and_ellipsis():
    rng = onp.random.default_rng(0)
    A, B, C = (rng.standard_normal(s).astype("float64") for s in ((2, 3), (3, 4), (4,)))
    xs = [np.array(v, dtype="float64") for v in (A, B, C)]
    for v in xs:
        v.attach_grad()
    with autograd.record():
        y = np.einsum("...j,jk,k->...", *xs)
    y.backward()
    onp.testing.assert_allclose(xs[0].grad.asnumpy(), onp.tile(B @ C, (2, 1)))
    onp.testing.assert_allclose(xs[2].grad.asnumpy(), (A @ B).sum(0))


def test_linalg_svd_reconstructs_and_eigh_diagonalises():
    a = np.array([[1., 2., 3.], [4., 5., 6.5]])
    ut, s, v = np.linalg.svd(a)
    onp.testing.assert_allclose(((ut * s) @ v).asnumpy(), a.asnumpy(), rtol=1e-5)
    w, q = np.linalg.eigh(np.array([[2., 1.], [1., 2.]]))
    onp.testing.assert_allclose(w.asnumpy(), [1., 3.], rtol=1e-6)
    with pytest.raises(mx.MXNetError, match="Complex eigvals"):
        np.linalg.eig(np.array([[0., -1.], [1., 0.]]))


def test_rot90_gradient_is_the_inverse_rotation():
    w = onp.arange(9.).reshape(3, 3)
    x = np.zeros((3, 3))
    x.attach_grad()
    with autograd.record():
        y = (np.rot90(x) * np.array(w)).sum()
    y.backward()
    onp.testing.assert_array_equal(x.grad.asnumpy(), onp.rot90(w, -1))
