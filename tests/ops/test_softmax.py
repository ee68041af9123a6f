"""softmax, log_softmax, softmin and SoftmaxActivation.

Forward values against NumPy formulas (with hypothesis-drawn shapes and axes),
gradients against central differences, and parity with real MXNet 1.9.1
(``tests/data/mxnet/nnops_cases.json``, from ``tests/data/mxnet/make_nnops.py``).
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


def _mxnet_cases(ops):
    with open(CASES) as f:
        return [c for c in json.load(f)["cases"] if c["op"] in ops]


def replay(c, check_grads=True):
    """Run one frozen MXNet case through pymx and compare outputs and gradients."""
    arrays = {k: mx.nd.array(np.array(v), dtype=c["input_dtypes"][k]
                             if c["input_dtypes"][k] == "int32" else "float32")
              for k, v in c["inputs"].items()}
    for k in c["grads"]:
        arrays[k].attach_grad()
    with mx.autograd.record(train_mode=c["train"]):
        out = getattr(mx.nd, c["op"])(**arrays, **c["kwargs"])
    assert_almost_equal(out, np.array(c["outputs"][0]), rtol=1e-4, atol=1e-5,
                        names=("pymx", "mxnet"))
    if c["grads"]:
        out.backward(mx.nd.array(np.array(c["head"])))
        for k, e in c["grads"].items():
            if check_grads:
                assert_almost_equal(arrays[k].grad, np.array(e), rtol=1e-4, atol=1e-5,
                                    names=(f"pymx d{k}", "mxnet"))
    return arrays


@pytest.mark.parametrize("case", _mxnet_cases({"softmax", "log_softmax", "softmin",
                                               "SoftmaxActivation"}),
                         ids=lambda c: c["name"])
def test_mxnet_parity(case):
    # MXNet's SoftmaxActivation backward always sums over axis 1, wrong for 'instance'
    # on 3-D data; pymx returns the true gradient (checked numerically below)
    replay(case, check_grads=case["name"] != "softmax_activation_instance")


def _np_softmax(x, axis, t=1.0):
    z = x / t
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3), data=st.data())
def test_softmax_family_forward(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    t = data.draw(st.sampled_from([None, 0.5, 3.0]))
    x = np.random.RandomState(len(shape)).uniform(-5, 5, shape)
    xa = mx.nd.array(x, dtype=dtype)
    tt = 1.0 if t is None else t
    for op, ref in ((mx.nd.softmax, _np_softmax(x, axis, tt)),
                    (mx.nd.log_softmax, np.log(_np_softmax(x, axis, tt))),
                    (mx.nd.softmin, _np_softmax(-x, axis, tt))):
        y = op(xa, axis=axis, temperature=t)
        assert y.dtype == np.dtype(dtype) and y.shape == tuple(shape)
        assert_almost_equal(y, ref, rtol=1e-4, atol=1e-5)


def test_softmax_is_stable_and_fluent():
    x = mx.nd.array([[1000.0, 1000.0, -1000.0], [-1e4, 0.0, 1e4]])
    assert_almost_equal(x.softmax(), [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    assert np.all(np.isfinite(x.log_softmax().asnumpy()[:, :2]))
    assert_almost_equal(x.softmin(axis=0), _np_softmax(-x.asnumpy().astype(np.float64), 0))


def test_softmax_dtype_length_and_edges():
    y = mx.nd.softmax(mx.nd.array([[1, 2, 3]], dtype="float16"), dtype="float32")
    assert y.dtype == np.float32
    assert_almost_equal(y, _np_softmax(np.array([[1.0, 2, 3]]), -1), rtol=1e-3)
    x = np.arange(12.0).reshape(3, 4)
    y = mx.nd.softmax(mx.nd.array(x), mx.nd.array([1, 2, 0], dtype="int32"), use_length=True)
    assert_almost_equal(y, [[1, 0, 0, 0], [0.26894143, 0.7310586, 0, 0], [0, 0, 0, 0]])
    assert mx.nd.softmax(mx.nd.zeros((0, 3))).shape == (0, 3)
    strided = NDArray(np.random.randn(3, 8)[:, ::2].astype(np.float32), mx.cpu())
    assert_almost_equal(mx.nd.softmax(strided), _np_softmax(strided.asnumpy(), -1),
                        rtol=1e-5, atol=1e-6)


def test_softmax_length_masks_along_axis0():
    x = np.random.RandomState(3).randn(3, 2)
    y = mx.nd.softmax(mx.nd.array(x), mx.nd.array([2, 3], dtype="int32"), axis=0,
                      use_length=True)
    ref = np.zeros_like(x)
    ref[:2, 0] = _np_softmax(x[:2, 0], 0)
    ref[:, 1] = _np_softmax(x[:, 1], 0)
    assert_almost_equal(y, ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op,kw", [("softmax", {}), ("softmax", {"axis": 0}),
                                   ("softmax", {"temperature": 2.0}),
                                   ("log_softmax", {"axis": 1, "temperature": 0.5}),
                                   ("softmin", {"axis": -1})])
def test_softmax_family_gradient(op, kw):
    x = np.random.RandomState(4).randn(2, 3, 4)
    check_gradient(lambda x: getattr(mx.nd, op)(x, **kw), [x])


def test_softmax_gradient_with_length_and_dtype():
    x = np.random.RandomState(5).randn(3, 4)
    length = mx.nd.array([1, 4, 2], dtype="int64")    # MXNet requires integer lengths
    check_gradient(lambda x: mx.nd.softmax(x, length, use_length=True), [x])
    xa = mx.nd.array(x, dtype="float16")
    xa.attach_grad()
    with mx.autograd.record():
        y = mx.nd.softmax(xa, dtype="float32")
    y.backward()
    assert xa.grad.dtype == np.float16
    assert_almost_equal(xa.grad, np.zeros((3, 4)), atol=1e-3)   # rows sum to 1: zero grad


@pytest.mark.parametrize("mode", ["instance", "channel"])
def test_softmax_activation(mode):
    x = np.random.RandomState(6).randn(2, 3, 4)
    y = mx.nd.SoftmaxActivation(mx.nd.array(x, dtype="float64"), mode=mode)
    assert_almost_equal(y, _np_softmax(x, -1 if mode == "instance" else 1))
    check_gradient(lambda x: mx.nd.SoftmaxActivation(x, mode=mode), [x])


def test_softmax_errors():
    with pytest.raises(mx.MXNetError, match="softmax.*axis"):
        mx.nd.softmax(mx.nd.ones((2, 3)), axis=2)
    with pytest.raises(mx.MXNetError, match="softmax.*length"):
        mx.nd.softmax(mx.nd.ones((2, 3)), mx.nd.ones((3,)), use_length=True)
    with pytest.raises(mx.MXNetError, match="log_softmax.*use_length"):
        mx.nd.log_softmax(mx.nd.ones((2, 3)), use_length=True)
    with pytest.raises(mx.MXNetError, match="softmax.*floating"):
        mx.nd.softmax(mx.nd.ones((2, 3), dtype="int32"))
    with pytest.raises(mx.MXNetError, match="SoftmaxActivation.*3 dimensions"):
        mx.nd.SoftmaxActivation(mx.nd.ones((2, 3)), mode="channel")
