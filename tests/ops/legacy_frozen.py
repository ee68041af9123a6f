"""Replay the cases of ``tests/data/mxnet/legacy_ops.json`` (written with real MXNet 1.9.1
by ``tests/data/mxnet/make_legacy_ops.py``, which documents the format) in pymx: the
forward values and dtypes, the gradients for MXNet's head gradients, and the auxiliary
states after the call.  Each ``tests/ops/test_<family>.py`` replays its family."""
import json
import os

import numpy as np
import pytest

import pymx as mx

_PATH = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet", "legacy_ops.json")
with open(_PATH) as _f:
    _CASES = json.load(_f)["cases"]
TOL = {"float16": 2e-3, "float32": 1e-5, "float64": 1e-12}


def cases(family):
    """The cases of one family as ``pytest.param`` s (id: number and op)."""
    return [pytest.param(c, id=f"{i}-{c['op']}") for i, c in enumerate(_CASES)
            if c["family"] == family]


def _array(spec):
    dtype, shape, values = spec
    return mx.nd.array(np.array(values, dtype).reshape(shape), dtype=dtype)


def _check(got, spec, what, tol=None):
    dtype, shape, values = spec
    tol = TOL.get(dtype, 0) if tol is None else tol
    got_np = got.asnumpy()
    assert got_np.dtype == np.dtype(dtype) and got_np.shape == tuple(shape), \
        f"{what}: got {got_np.dtype}{got_np.shape}, MXNet {dtype}{tuple(shape)}"
    np.testing.assert_allclose(got_np.astype(np.float64).reshape(-1),
                               np.asarray(values, np.float64), rtol=tol, atol=tol,
                               err_msg=what)


def replay(case, grad_tol=None):
    """Run one frozen case in pymx and compare everything MXNet recorded (the gradients
    with tolerance ``grad_tol`` when given, else the dtype's)."""
    xs = [_array(spec) for spec in case["inputs"]]
    for i in case["grad"]:
        xs[i].attach_grad()
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    with mx.autograd.record():
        out = getattr(mx.nd, case["op"])(*xs, **kwargs)
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == len(case["outputs"])
    if case["grad"]:
        mx.autograd.backward(outs, [_array(h) for h in case["heads"]])
    for j, (o, spec) in enumerate(zip(outs, case["outputs"])):
        _check(o, spec, f"{case['op']} output {j}")
    for i, spec in zip(case["grad"], case["grads"]):
        _check(xs[i].grad, spec, f"{case['op']} gradient of input {i}", grad_tol)
    for i, spec in zip(case["aux"], case.get("aux_after", [])):
        _check(xs[i], spec, f"{case['op']} auxiliary state {i} after the call")
