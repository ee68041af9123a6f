"""The multi-tensor ops (``pymx/ops/multi_tensor.py``) and how the SGD and LARS
optimizers use them.

The expected values come from real MXNet 1.9.1: ``tests/data/mxnet/multi_tensor.json``,
written by ``tests/data/mxnet/make_multi_tensor.py`` (run with MXNet 1.9.1; the script
documents the format).
"""
import json
import os

import numpy as np
import pytest

import pymx as mx
from pymx.base import MXNetError

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "data", "mxnet", "multi_tensor.json")) as _f:
    FROZEN = json.load(_f)["cases"]
TOL = {"float16": 1e-3, "float32": 1e-6, "float64": 1e-12}


def _ids():
    return [f"{i}-{c['op']}" for i, c in enumerate(FROZEN)]


def _close(got, want, dtype):
    np.testing.assert_allclose(got.astype(np.float64), np.asarray(want, np.float64),
                               rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("case", FROZEN, ids=_ids())
def test_matches_mxnet(case):
    xs = [mx.nd.array(np.array(v, dtype).reshape(shape), dtype=dtype)
          for dtype, shape, v in case["inputs"]]
    kwargs = dict(case["kwargs"])
    for key in ("lrs", "wds"):
        if key in kwargs:
            kwargs[key] = tuple(kwargs[key])
    if case["out"] is not None:
        outs = [xs[i] for i in case["out"]]
        kwargs["out"] = outs if len(outs) > 1 else outs[0]
    if case["flag"] is not None:
        kwargs["out"] = mx.nd.array([case["flag"]])
    res = getattr(mx.nd, case["op"])(*xs, **kwargs)
    res = res if isinstance(res, list) else [res]
    assert len(res) == len(case["result"])
    for r, (dtype, shape, want) in zip(res, case["result"]):
        assert r.dtype == np.dtype(dtype) and r.shape == tuple(shape)
        _close(r.asnumpy().reshape(-1), want, dtype)
    for x, want in zip(xs, case["after"]):          # momenta, master copies: in place
        _close(x.asnumpy().reshape(-1), want, np.dtype(x.dtype).name)


def test_out_writes_into_the_weights_and_returns_out():
    w1, w2 = mx.nd.array([1.0, 2.0]), mx.nd.ones((2, 2))
    buf1, buf2 = w1._data, w2._data
    out = [w1, w2]
    res = mx.nd.multi_sgd_update(w1, mx.nd.ones(2), w2, mx.nd.ones((2, 2)), lrs=(0.5, 0.25),
                                 wds=(0.0, 0.0), num_weights=2, out=out)
    assert res is out and w1._data is buf1 and w2._data is buf2
    np.testing.assert_allclose(w1.asnumpy(), [0.5, 1.5])
    np.testing.assert_allclose(w2.asnumpy(), np.full((2, 2), 0.75))
    new = mx.nd.multi_sgd_update(w1, mx.nd.ones(2), lrs=(0.5,), wds=(0.0,))
    assert isinstance(new, mx.nd.NDArray) and new._data is not w1._data   # no out: new


def test_bad_calls_name_the_op():
    w, g = mx.nd.ones((2, 3)), mx.nd.ones((2, 3))
    with pytest.raises(MXNetError, match="multi_sgd_update: expected 4 array inputs"):
        mx.nd.multi_sgd_update(w, g, w, lrs=(0.1, 0.1), wds=(0, 0), num_weights=2, out=[w, w])
    with pytest.raises(MXNetError, match="lrs has 1 values for num_weights=2"):
        mx.nd.multi_sgd_update(w, g, w, g, lrs=(0.1,), wds=(0, 0), num_weights=2, out=[w, w])
    with pytest.raises(MXNetError, match=r"multi_sgd_mom_update \(weight 0\).*mom has shape"):
        mx.nd.multi_sgd_mom_update(w, g, mx.nd.ones(3), lrs=(0.1,), wds=(0.0,), out=w)
    with pytest.raises(MXNetError, match="weight32 must be float32"):
        mx.nd.multi_mp_sgd_update(w.astype("float16"), g.astype("float16"), w.astype("float16"),
                                  lrs=(0.1,), wds=(0.0,))
    with pytest.raises(MXNetError, match="one dtype"):
        mx.nd.multi_sum_sq(w, w.astype("float64"), num_arrays=2)


def test_symbol_outputs_and_shapes():
    names = "abcd"
    s = mx.sym.multi_sgd_update(*[mx.sym.var(n) for n in names], lrs=(0.1, 0.2),
                                wds=(0.0, 0.0), num_weights=2)
    assert s.list_outputs() == [f"{s.name}_output0", f"{s.name}_output1"]
    _, out_shapes, _ = s.infer_shape(a=(3,), b=(3,), c=(2, 2), d=(2, 2))
    assert out_shapes == [(3,), (2, 2)]


def _sgd_calls(monkeypatch):
    calls = []
    for name in ("multi_sgd_update", "multi_sgd_mom_update", "sgd_update", "sgd_mom_update"):
        fn = getattr(mx.nd, name)

        def spy(*args, _fn=fn, _name=name, **kwargs):
            calls.append((_name, kwargs.get("num_weights", 1)))
            return _fn(*args, **kwargs)
        monkeypatch.setattr(mx.nd, name, spy)
    return calls


@pytest.mark.parametrize("momentum, op", [(0.0, "multi_sgd_update"),
                                          (0.9, "multi_sgd_mom_update")])
def test_sgd_updates_groups_of_aggregation_size(monkeypatch, momentum, op):
    """MXNet 1.9.1's SGD: one multi-SGD call per group of MXNET_OPTIMIZER_AGGREGATION_SIZE
    weights (default 4) through the Updater, and for a single weight too."""
    calls = _sgd_calls(monkeypatch)
    opt = mx.optimizer.SGD(learning_rate=0.1, momentum=momentum)
    assert opt.aggregate_num == 4
    upd = mx.optimizer.get_updater(opt)
    ws = [mx.nd.ones((i + 1,)) for i in range(6)]
    upd(list(range(6)), [mx.nd.ones((i + 1,)) for i in range(6)], ws)
    assert calls == [(op, 4), (op, 2)]
    calls.clear()
    opt.update(0, ws[0], mx.nd.ones((1,)), upd.states[0])
    assert calls == [(op, 1)]
    monkeypatch.setenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "2")
    assert mx.optimizer.SGD().aggregate_num == 2


def test_sgd_weight_decay_rounds_as_the_multi_kernel():
    """With wd != 0 MXNet's SGD (through multi_sgd_update) computes w + (-lr*wd*w - lr*g),
    not sgd_update's (1 - lr*wd)*w - lr*g; the float32 results differ in the last bit
    for some inputs, and the optimizer must give the multi kernel's."""
    rng = np.random.RandomState(0)
    w0 = rng.uniform(-1, 1, 1000).astype(np.float32)
    g = rng.uniform(-1, 1, 1000).astype(np.float32)
    lr, wd = np.float32(0.1), np.float32(0.3)
    multi = w0 + (-(lr * wd) * w0 - lr * g)
    single = (np.float32(1) - lr * wd) * w0 - lr * g
    assert (multi != single).any()                   # the two formulas do differ here
    w = mx.nd.array(w0)
    mx.optimizer.SGD(learning_rate=0.1, wd=0.3).update(0, w, mx.nd.array(g), None)
    np.testing.assert_array_equal(w.asnumpy(), multi)


def test_lars_uses_sum_sq_lars_and_preloaded_sgd(monkeypatch):
    used = []
    for name in ("multi_sum_sq", "multi_lars", "preloaded_multi_sgd_mom_update"):
        fn = getattr(mx.nd, name)
        monkeypatch.setattr(mx.nd, name, lambda *a, _fn=fn, _n=name, **k: (used.append(_n),
                                                                            _fn(*a, **k))[1])
    opt = mx.optimizer.LARS(learning_rate=0.1, momentum=0.9, eta=0.01,
                            param_idx2name={0: "fc_weight", 1: "fc_bias"})
    ws = [mx.nd.ones((3,)), mx.nd.ones((3,))]
    states = [opt.create_state(i, w) for i, w in enumerate(ws)]
    opt.update([0, 1], ws, [mx.nd.ones((3,)) * 2, mx.nd.ones((3,)) * 2], states)
    assert used == ["multi_sum_sq", "multi_sum_sq", "multi_lars",
                    "preloaded_multi_sgd_mom_update"]
    # fc_weight: lr * eta * ||w|| / ||g|| = 0.1 * 0.01 * sqrt(3) / sqrt(12) = 5e-4
    np.testing.assert_allclose(ws[0].asnumpy(), 1 - 5e-4 * 2, rtol=1e-6)
    np.testing.assert_allclose(ws[1].asnumpy(), 1 - 0.1 * 2, rtol=1e-6)   # bias: plain lr
