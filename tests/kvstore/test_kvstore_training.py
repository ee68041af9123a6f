"""Gluon ``Trainer`` and ``Module`` over two contexts with a kvstore, against MXNet 1.9.1.

Expected values: ``tests/data/mxnet/kvstore_cases.json`` (sections ``trainer`` and
``module``), written by real MXNet 1.9.1 with ``tests/data/mxnet/make_kvstore.py``.
"""
import json
import os

import numpy as np
import pytest

import pymx as mx
from pymx import autograd, gluon

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet", "kvstore_cases.json")
CTX = [mx.cpu(0), mx.cpu(1)]


@pytest.fixture(scope="module")
def cases():
    with open(DATA) as f:
        return json.load(f)


def make_net(init):
    net = gluon.nn.HybridSequential()
    with net.name_scope():
        net.add(gluon.nn.Dense(4, activation="tanh", in_units=3))
        net.add(gluon.nn.Dense(2, in_units=4))
    net.initialize(ctx=CTX)
    for p, k in zip(net.collect_params().values(), ("w1", "b1", "w2", "b2")):
        p.set_data(mx.nd.array(init[k]))
    return net


def train(net, trainer, X, Y, on_step=None):
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    for x, y in zip(X, Y):
        xs = gluon.utils.split_and_load(mx.nd.array(x), CTX)
        ys = gluon.utils.split_and_load(mx.nd.array(y), CTX)
        with autograd.record():
            losses = [loss_fn(net(a), b) for a, b in zip(xs, ys)]
        for l in losses:
            l.backward()
        trainer.step(6)
        if on_step:
            on_step()


def case_id(c):
    comp = "-2bit" if c.get("compression_params") else ""
    return f"{c['kvstore']}-uokv{c['update_on_kvstore']}-{c['optimizer']}{comp}"


def test_trainer_two_contexts_matches_mxnet(cases):
    t = cases["trainer"]
    for c in t["cases"]:
        net = make_net(t["init"])
        trainer = gluon.Trainer(net.collect_params(), c["optimizer"], c["optimizer_params"],
                                kvstore=c["kvstore"], update_on_kvstore=c["update_on_kvstore"],
                                compression_params=c.get("compression_params"))
        got = []
        train(net, trainer, t["X"], t["Y"], on_step=lambda: got.append(
            {n[len(net.prefix):]: [d.asnumpy() for d in p.list_data()]
             for n, p in net.collect_params().items()}))
        assert (trainer._kvstore is not None) == c["has_kvstore"], case_id(c)
        assert bool(trainer._update_on_kvstore) == c["used_update_on_kvstore"], case_id(c)
        for step, (mine, theirs) in enumerate(zip(got, c["steps"])):
            for name, copies in theirs.items():
                for k, want in enumerate(copies):
                    np.testing.assert_allclose(mine[name][k], np.array(want, np.float32),
                                               rtol=1e-4, atol=1e-5,
                                               err_msg=f"{case_id(c)} step {step} {name} "
                                                       f"ctx {k}")


def test_one_context_has_no_kvstore_and_several_do():
    p = gluon.Parameter("w", shape=(2,))
    p.initialize(init="zeros", ctx=mx.cpu())
    t = gluon.Trainer([p], "sgd", {"learning_rate": 0.1})
    t._ensure_kvstore()
    assert t._kvstore is None and not t._update_on_kvstore
    q = gluon.Parameter("v", shape=(2,))
    q.initialize(init="zeros", ctx=CTX)
    t2 = gluon.Trainer([q], "sgd", {"learning_rate": 0.1}, kvstore="local")
    t2._ensure_kvstore()
    assert t2._kvstore.type == "local" and t2._update_on_kvstore


def test_allreduce_and_update_need_update_on_kvstore_false():
    x = gluon.Parameter("x", shape=(4,))
    x.initialize(ctx=CTX, init="zeros")
    t = gluon.Trainer([x], "sgd", {"learning_rate": 1.0})
    with pytest.raises(AssertionError, match="update_on_kvstore"):
        t.allreduce_grads()
    t2 = gluon.Trainer([x], "sgd", {"learning_rate": 1.0}, update_on_kvstore=False)
    with autograd.record():
        for k, w in enumerate(x.list_data()):
            (w * (k + 1)).backward()
    t2.allreduce_grads()
    for g in x.list_grad():
        np.testing.assert_array_equal(g.asnumpy(), 3)      # 1 + 2, on both contexts
    t2.update(1)
    np.testing.assert_array_equal(x.data(mx.cpu(1)).asnumpy(), -3)


def test_teststore_cannot_run_the_optimizer():
    x = gluon.Parameter("x", shape=(2,))
    x.initialize(ctx=CTX, init="zeros")
    with pytest.raises(ValueError, match="update_on_kvstore=False"):
        gluon.Trainer([x], "sgd", kvstore=mx.kv.create("teststore"),
                      update_on_kvstore=True)._ensure_kvstore()
    t = gluon.Trainer([x], "sgd", {"learning_rate": 1.0}, kvstore=mx.kv.create("teststore"))
    with autograd.record():
        for w in x.list_data():
            (w + 1).backward()
    t.step(1)
    assert t._update_on_kvstore is False
    np.testing.assert_array_equal(x.data(mx.cpu(1)).asnumpy(), -2)


def test_trainer_states_round_trip_on_kvstore(tmp_path, cases):
    t = cases["trainer"]
    c = t["cases"][0]                                    # device, on kvstore, sgd+momentum
    net = make_net(t["init"])
    trainer = gluon.Trainer(net.collect_params(), c["optimizer"], c["optimizer_params"])
    train(net, trainer, t["X"][:2], t["Y"][:2])
    fname = str(tmp_path / "t.states")
    trainer.save_states(fname)
    saved = {n: p.data(mx.cpu(0)).asnumpy() for n, p in net.collect_params().items()}
    net2 = make_net(t["init"])
    for (n, p), (_, q) in zip(net.collect_params().items(), net2.collect_params().items()):
        q.set_data(mx.nd.array(saved[n]))
    trainer2 = gluon.Trainer(net2.collect_params(), c["optimizer"], c["optimizer_params"])
    trainer2.load_states(fname)
    train(net, trainer, t["X"][2:], t["Y"][2:])
    train(net2, trainer2, t["X"][2:], t["Y"][2:])
    for (n, p), (_, q) in zip(net.collect_params().items(), net2.collect_params().items()):
        np.testing.assert_allclose(q.data(mx.cpu(1)).asnumpy(), p.data(mx.cpu(1)).asnumpy(),
                                   rtol=1e-6, err_msg=n)


def module_symbol():
    data = mx.sym.var("data")
    net = mx.sym.FullyConnected(data, num_hidden=4, name="fc1")
    net = mx.sym.Activation(net, act_type="tanh")
    net = mx.sym.FullyConnected(net, num_hidden=3, name="fc2")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def test_module_two_contexts_kvstore_matches_mxnet(cases):
    m = cases["module"]
    for c in m["cases"]:
        mod = mx.mod.Module(module_symbol(), context=CTX)
        mod.bind(data_shapes=[("data", (6, 5))], label_shapes=[("softmax_label", (6,))])
        mod.init_params(arg_params={k: mx.nd.array(v) for k, v in m["args"].items()})
        mod.init_optimizer(kvstore=c["kvstore"], optimizer="sgd",
                           optimizer_params={"learning_rate": 0.1, "momentum": 0.9,
                                             "wd": 0.01})
        assert bool(mod._update_on_kvstore) == c["update_on_kvstore"]
        assert {str(k): v for k, v in mod._optimizer.idx2name.items()} == c["idx2name"]
        for x, y in zip(m["X"], m["Y"]):
            mod.forward_backward(mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)]))
            mod.update()
        for name, arrays in zip(mod._exec_group.param_names, mod._exec_group.param_arrays):
            for k, a in enumerate(arrays):
                np.testing.assert_allclose(a.asnumpy(), np.array(c["per_device"][name][k]),
                                           rtol=1e-4, atol=1e-5,
                                           err_msg=f"{c['kvstore']} {name} dev {k}")
        arg, _ = mod.get_params()
        for name, want in c["get_params"].items():
            np.testing.assert_allclose(arg[name].asnumpy(), np.array(want), rtol=1e-4,
                                       atol=1e-5, err_msg=f"{c['kvstore']} {name}")


def test_module_optimizer_states_through_kvstore(tmp_path):
    mod = mx.mod.Module(module_symbol(), context=CTX)
    mod.bind(data_shapes=[("data", (6, 5))], label_shapes=[("softmax_label", (6,))])
    mod.init_params()
    mod.init_optimizer(optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    assert mod._update_on_kvstore and mod._updater is None
    batch = mx.io.DataBatch([mx.nd.ones((6, 5))], [mx.nd.array([0, 1, 2, 0, 1, 2])])
    mod.forward_backward(batch)
    mod.update()
    fname = str(tmp_path / "m.states")
    mod.save_optimizer_states(fname)
    mod.load_optimizer_states(fname)
    assert set(mod._kvstore._updater.states) == {"fc1_weight", "fc1_bias", "fc2_weight",
                                                 "fc2_bias"}
