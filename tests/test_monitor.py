"""``mx.monitor.Monitor`` on a ``Module``.

The statistics below were printed by the same script on real MXNet 1.9.1 (one batch of
a 4-2 dense layer with SoftmaxOutput, weights 0.1, SGD lr 0.1).  MXNet names the
backward results ``fc_backward_output<i>``; pymx reports its backward graph's own node
names, which differ, so only the names both share are compared."""
import logging

import numpy as np
import pytest

import pymx as mx

MXNET = {"data": 0.63598746, "fc_bias": 0.010000001, "fc_output": 0.23453826,
         "fc_weight": 0.100670226, "softmax_label": 0.7745967, "softmax_output": 0.5}


def _module():
    np.random.seed(0)
    X = np.random.rand(20, 4).astype("float32")
    y = (X.sum(1) > 2).astype("float32")
    it = mx.io.NDArrayIter(X, y, batch_size=10)
    fc = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2, name="fc")
    mod = mx.mod.Module(mx.sym.SoftmaxOutput(fc, name="softmax"))
    mod.bind(it.provide_data, it.provide_label)
    mod.init_params(mx.init.Constant(0.1))
    mod.init_optimizer(optimizer_params={"learning_rate": 0.1})
    return mod, it


def test_statistics_match_mxnet_and_interval():
    mod, it = _module()
    mon = mx.mon.Monitor(2, pattern=".*", sort=True)
    mod.install_monitor(mon)
    results = []
    for batch in it:
        mon.tic()
        mod.forward_backward(batch)
        mod.update()
        results.append(mon.toc())
    first, second = results
    assert second == []                      # interval 2: the second batch is skipped
    got = {name: float(text.split()[0]) for step, name, text in first}
    assert {step for step, _, _ in first} == {1}
    for name, value in MXNET.items():
        assert got[name] == pytest.approx(value, rel=1e-6), name
    assert [name for _, name, _ in first] == sorted(got)          # sort=True
    assert any(name.endswith("weight_grad") for name in got)     # backward results too


def test_pattern_stat_func_and_toc_print(caplog):
    mod, it = _module()
    mon = mx.monitor.Monitor(1, stat_func=lambda x: mx.nd.max(x), pattern="fc_.*")
    mod.install_monitor(mon)
    batch = next(iter(it))
    mon.tic()
    mod.forward_backward(batch)
    with caplog.at_level(logging.INFO):
        mon.toc_print()
    lines = [r.getMessage() for r in caplog.records]
    assert lines and all(line.startswith("Batch:       1 fc_") for line in lines)
    assert any(line.startswith("Batch:       1 fc_weight") and "0.1" in line
               for line in lines)
