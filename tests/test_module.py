"""mx.mod.Module: bind/init/optimizer/forward/backward/update, fit/score/predict,
checkpoints, data parallelism over several cpu contexts, and MXNet 1.9.1 parity.

Parity data: tests/data/mxnet/module_mlp-* and module_mlp_io.json, written by real MXNet
1.9.1 with tests/data/mxnet/make_module.py (an MLP with BatchNorm, 2 sgd updates with
momentum and wd, then predictions).  The live interop test runs /work/venv-mxnet's MXNet
on a pymx checkpoint and is skipped when that venv is absent.
"""
import json
import logging
import os
import subprocess
import time

import numpy as np
import pytest

import pymx as mx
from pymx import io, model
from pymx import module as mod_pkg
from pymx import callback

Module = mod_pkg.Module
HERE = os.path.dirname(__file__)
FIX = os.path.join(HERE, "data", "mxnet")
MXNET_PY = "/work/venv-mxnet/bin/python"
with open(os.path.join(FIX, "module_mlp_io.json")) as f:
    IO = json.load(f)


def mlp(hidden=8, classes=3, bn=True):
    net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=hidden, name="fc1")
    if bn:
        net = mx.sym.BatchNorm(net, fix_gamma=False, name="bn1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    net = mx.sym.FullyConnected(net, num_hidden=classes, name="fc2")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def batch(i):
    return io.DataBatch([mx.nd.array(IO["x"][i])], [mx.nd.array(IO["y"][i])])


def trained_from_fixture(context=mx.cpu()):
    """Module.load of MXNet's starting checkpoint, then the same 2 updates as MXNet."""
    m = Module.load(os.path.join(FIX, "module_mlp"), 0, context=context)
    m.bind(data_shapes=[("data", (6, 5))], label_shapes=[("softmax_label", (6,))])
    m.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1,
                                                        "momentum": 0.9, "wd": 0.01})
    for i in range(2):
        m.forward_backward(batch(i))
        m.update()
    return m


def assert_params_equal(got, want, rtol=1e-5, atol=1e-6):
    assert sorted(got) == sorted(want)
    for k in want:
        np.testing.assert_allclose(got[k].asnumpy(), want[k].asnumpy(), rtol=rtol,
                                   atol=atol, err_msg=k)


def test_two_updates_match_mxnet():
    m = trained_from_fixture()
    _, arg, aux = model.load_checkpoint(os.path.join(FIX, "module_mlp"), 2)
    got_arg, got_aux = m.get_params()
    assert sorted(aux) == ["bn1_moving_mean", "bn1_moving_var"]
    assert_params_equal(got_arg, arg)
    assert_params_equal(got_aux, aux)
    # the Module-path optimizer: rescale 1/batch, wd only on _weight/_gamma
    o = m._optimizer
    assert o.rescale_grad == pytest.approx(1 / 6)
    assert o.idx2name == dict(enumerate(["fc1_weight", "fc1_bias", "bn1_gamma", "bn1_beta",
                                         "fc2_weight", "fc2_bias"]))
    assert [o._get_wd(i) for i in range(6)] == [0.01, 0, 0.01, 0, 0.01, 0]


def test_predict_matches_mxnet_and_drops_pad():
    m = Module.load(os.path.join(FIX, "module_mlp"), 2)
    m.bind(data_shapes=[("data", (6, 5))], for_training=False,
           label_shapes=[("softmax_label", (6,))])
    it = io.NDArrayIter(np.array(IO["x"][2], np.float32), None, 6)   # 10 -> 2 batches, pad 2
    pred = m.predict(it)
    assert pred.shape == (10, 3)
    np.testing.assert_allclose(pred.asnumpy(), IO["predict"], rtol=1e-5, atol=1e-6)
    per_batch = m.predict(it, merge_batches=False)
    assert [p[0].shape for p in per_batch] == [(6, 3), (4, 3)]
    assert isinstance(m.predict(it, always_output_list=True), list)
    outs = [(o[0].shape, n, b.pad) for o, n, b in m.iter_predict(it)]
    assert outs == [((6, 3), 0, 0), ((4, 3), 1, 2)]
    np.testing.assert_allclose(m.predict(np.array(IO["x"][2][:6], np.float32)).asnumpy(),
                               IO["predict"][:6], rtol=1e-5, atol=1e-6)


def test_training_forward_matches_mxnet():
    m = Module.load(os.path.join(FIX, "module_mlp"), 2)
    m.bind(data_shapes=[("data", (6, 5))], label_shapes=[("softmax_label", (6,))])
    x, y = IO["x"][2][:6], IO["y"][2][:6]
    m.forward(io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)]), is_train=True)
    np.testing.assert_allclose(m.get_outputs()[0].asnumpy(), IO["train_forward"],
                               rtol=1e-5, atol=1e-6)


def test_bind_init_and_names():
    net = mlp()
    m = Module(net)
    assert m.data_names == ["data"] and m.label_names == ["softmax_label"]
    assert m.output_names == ["softmax_output"]
    m.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    assert m.data_shapes[0].shape == (4, 5)
    assert m.output_shapes == [("softmax_output", (4, 3))]
    m.init_params()            # Uniform(0.01) by name: weights in [-0.01, 0.01], bias 0
    arg, aux = m.get_params()
    assert sorted(arg) == ["bn1_beta", "bn1_gamma", "fc1_bias", "fc1_weight", "fc2_bias",
                           "fc2_weight"]
    w = arg["fc1_weight"].asnumpy()
    assert np.abs(w).max() <= 0.01 and w.std() > 0
    assert (arg["fc1_bias"].asnumpy() == 0).all() and (arg["bn1_gamma"].asnumpy() == 1).all()
    assert (aux["bn1_moving_var"].asnumpy() == 1).all()
    with pytest.warns(UserWarning, match="already initialized"):
        m.init_params()
    with pytest.raises(ValueError, match="not found in symbol.list_arguments"):
        Module(net, data_names=("x",))
    with pytest.raises(ValueError, match="don't match"):
        Module(net).bind(data_shapes=[("x", (4, 5))])


def test_init_params_from_dicts_and_allow_missing():
    m = Module(mlp(bn=False))
    m.bind(data_shapes=[("data", (2, 5))], label_shapes=[("softmax_label", (2,))])
    given = {"fc1_weight": mx.nd.ones((8, 5))}
    with pytest.raises(RuntimeError, match="fc1_bias is not presented"):
        m.init_params(arg_params=given)
    m.init_params(mx.init.Constant(0.5), arg_params=given, allow_missing=True)
    arg, _ = m.get_params()
    assert (arg["fc1_weight"].asnumpy() == 1).all()
    assert (arg["fc2_weight"].asnumpy() == 0.5).all()
    m.set_params({"fc2_bias": mx.nd.ones((3,)) * 7}, {}, allow_missing=True)
    assert (m.get_params()[0]["fc2_bias"].asnumpy() == 7).all()


def test_fixed_params_and_input_grads():
    m = Module(mlp(bn=False), fixed_param_names=["fc1_weight"])
    m.bind(data_shapes=[("data", (6, 5))], label_shapes=[("softmax_label", (6,))],
           inputs_need_grad=True)
    m.init_params(mx.init.Xavier())
    m.init_optimizer(optimizer_params={"learning_rate": 0.5})
    before = {k: v.asnumpy().copy() for k, v in m.get_params()[0].items()}
    m.forward_backward(batch(0))
    m.update()
    after = {k: v.asnumpy() for k, v in m.get_params()[0].items()}
    np.testing.assert_array_equal(after["fc1_weight"], before["fc1_weight"])
    assert not np.allclose(after["fc2_weight"], before["fc2_weight"])
    g = m.get_input_grads()[0]
    assert g.shape == (6, 5) and np.abs(g.asnumpy()).sum() > 0


def test_update_equals_manual_sgd():
    """One update = w - lr * (grad / batch + wd * w) for weights, no wd for biases."""
    m = Module(mlp(bn=False))
    m.bind(data_shapes=[("data", (6, 5))], label_shapes=[("softmax_label", (6,))])
    m.init_params(mx.init.Xavier())
    m.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1, "wd": 0.1})
    before = {k: v.asnumpy().copy() for k, v in m.get_params()[0].items()}
    m.forward_backward(batch(0))
    grads = {k: g.asnumpy().copy() for k, g in m._exec_group.execs[0].grad_dict.items()
             if g is not None}
    m.update()
    after = m.get_params()[0]
    for k, w in before.items():
        wd = 0.1 if k.endswith("_weight") else 0.0
        np.testing.assert_allclose(after[k].asnumpy(), w - 0.1 * (grads[k] / 6 + wd * w),
                                   rtol=1e-5, atol=1e-7, err_msg=k)


def test_data_parallel_two_contexts_equals_one():
    one = trained_from_fixture(mx.cpu(0))
    two = trained_from_fixture([mx.cpu(0), mx.cpu(1)])
    assert [e._ctx for e in two._exec_group.execs] == [mx.cpu(0), mx.cpu(1)]
    assert two._exec_group.slices == [slice(0, 3), slice(3, 6)]
    a1, _ = one.get_params()
    a2, _ = two.get_params()
    # BatchNorm normalises per device slice, so compare an MLP without it
    m1, m2 = Module(mlp(bn=False)), Module(mlp(bn=False), context=[mx.cpu(0), mx.cpu(1)],
                                           work_load_list=[1, 2])
    for m in (m1, m2):
        m.bind(data_shapes=[("data", (6, 5))], label_shapes=[("softmax_label", (6,))])
        m.init_params(mx.init.Constant(0.1), arg_params=a1, allow_missing=True,
                      allow_extra=True)
        m.init_optimizer(optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
        for i in range(2):
            m.forward_backward(batch(i))
            m.update()
    assert m2._exec_group.slices == [slice(0, 2), slice(2, 6)]
    # two contexts + kvstore 'local': updates run on the store, idx2name is {i: name}
    assert m2._optimizer.idx2name[0] == "fc1_weight" and m2._optimizer.idx2name[1] == "fc1_bias"
    assert_params_equal(m2.get_params()[0], m1.get_params()[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m2.get_outputs()[0].asnumpy(), m1.get_outputs()[0].asnumpy(),
                               rtol=1e-5, atol=1e-6)
    metric = mx.metric.create("acc")
    m2.update_metric(metric, batch(1).label)
    assert metric.num_inst == 6
    assert a2.keys() == a1.keys()


def test_reshape_on_smaller_batch_and_score():
    m = Module(mlp(bn=False))
    x = np.array(IO["x"][2], np.float32)
    y = np.array(IO["y"][2], np.float32)
    it = io.NDArrayIter(x, y, 4, last_batch_handle="discard")
    m.bind(it.provide_data, it.provide_label)
    m.init_params(mx.init.Xavier())
    m.forward(io.DataBatch([mx.nd.array(x[:3])], [mx.nd.array(y[:3])]), is_train=False)
    assert m.get_outputs()[0].shape == (3, 3)
    m.forward(io.DataBatch([mx.nd.array(x[:4])], [mx.nd.array(y[:4])]), is_train=False)
    assert m.get_outputs()[0].shape == (4, 3)
    probs = m.predict(io.NDArrayIter(x, None, 4, last_batch_handle="discard")).asnumpy()
    acc = dict(m.score(it, "acc"))["accuracy"]
    assert acc == pytest.approx((probs.argmax(1) == y[:8]).mean())


def test_checkpoint_and_optimizer_states_roundtrip(tmp_path):
    m = trained_from_fixture()
    prefix = str(tmp_path / "mlp")
    m.save_checkpoint(prefix, 3, save_optimizer_states=True)
    assert sorted(os.listdir(tmp_path)) == ["mlp-0003.params", "mlp-0003.states",
                                            "mlp-symbol.json"]
    keys = sorted(mx.nd.load(prefix + "-0003.params"))
    assert "arg:fc1_weight" in keys and "aux:bn1_moving_mean" in keys
    m2 = Module.load(prefix, 3, load_optimizer_states=True)
    m2.bind(data_shapes=[("data", (6, 5))], label_shapes=[("softmax_label", (6,))])
    m2.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1,
                                                         "momentum": 0.9, "wd": 0.01})
    assert_params_equal(m2.get_params()[0], m.get_params()[0], rtol=0, atol=0)
    for mm in (m, m2):            # same momentum states -> same next step
        mm.forward_backward(batch(0))
        mm.update()
    assert_params_equal(m2.get_params()[0], m.get_params()[0], rtol=1e-6, atol=1e-7)
    m.save_params(str(tmp_path / "p.params"))
    m3 = Module(mlp())
    m3.bind(data_shapes=[("data", (6, 5))], label_shapes=[("softmax_label", (6,))])
    m3.init_params()
    m3.load_params(str(tmp_path / "p.params"))
    assert_params_equal(m3.get_params()[0], m.get_params()[0], rtol=0, atol=0)


def test_fit_small_with_callbacks(tmp_path, caplog):
    rng = np.random.RandomState(0)
    x = rng.randn(200, 5).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32) + (x[:, 1] > 0)
    train = io.NDArrayIter(x, y, 20, shuffle=True)
    val = io.NDArrayIter(x, y, 50)
    m = Module(mlp(hidden=16))
    seen = []
    with caplog.at_level(logging.INFO):
        m.fit(train, eval_data=val, num_epoch=3, initializer=mx.init.Xavier(),
              optimizer="adam", optimizer_params={"learning_rate": 0.05},
              batch_end_callback=[callback.Speedometer(20, 5), lambda p: seen.append(p)],
              epoch_end_callback=callback.do_checkpoint(str(tmp_path / "fit")))
    assert len(seen) == 30 and seen[-1].epoch == 2 and seen[-1].nbatch == 9
    text = caplog.text
    assert "Epoch[2] Train-accuracy=" in text and "Epoch[2] Validation-accuracy=" in text
    assert "Epoch[0] Batch [0-5]\tSpeed: " in text and "Batch [5-10]" not in text
    assert os.path.exists(tmp_path / "fit-0003.params")
    assert dict(m.score(val, "acc"))["accuracy"] > 0.85


@pytest.mark.skipif(not os.path.exists(MXNET_PY), reason="no real MXNet at " + MXNET_PY)
def test_pymx_checkpoint_loads_in_mxnet(tmp_path):
    m = trained_from_fixture()
    prefix = str(tmp_path / "pymx_mlp")
    m.save_checkpoint(prefix, 1)
    x = np.array(IO["x"][2], np.float32)
    np.save(tmp_path / "x.npy", x)
    with pytest.warns(UserWarning, match="label_shapes don't match"):   # as MXNet
        m.bind(data_shapes=[("data", (10, 5))], force_rebind=True, for_training=False)
    ours = m.predict(x).asnumpy()
    script = f"""
import numpy as np, mxnet as mx
m = mx.mod.Module.load({prefix!r}, 1)
m.bind(data_shapes=[('data', (10, 5))], for_training=False)
x = mx.nd.array(np.load({str(tmp_path / 'x.npy')!r}))
np.save({str(tmp_path / 'y.npy')!r}, m.predict(x).asnumpy())
"""
    r = subprocess.run([MXNET_PY, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), ours, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_fit_mlp_mnist_97_percent(caplog):
    """The issue's Show: Module.fit trains a 784-128-64-10 MLP on the bundled MNIST to
    >= 97% test accuracy in 2 epochs (sgd lr 0.1, momentum 0.9, the lr divided by 10
    after the first epoch, Xavier, batch 100), with a Speedometer log."""
    from threadpoolctl import threadpool_limits
    np.random.seed(0)
    mx.random.seed(0)
    mnist = mx.test_utils.get_mnist()
    train = io.NDArrayIter(mnist["train_data"].reshape(-1, 784), mnist["train_label"], 100,
                           shuffle=True)
    test = io.NDArrayIter(mnist["test_data"].reshape(-1, 784), mnist["test_label"], 100)
    net = mx.sym.var("data")
    for i, h in enumerate((128, 64), 1):
        net = mx.sym.FullyConnected(net, num_hidden=h, name=f"fc{i}")
        net = mx.sym.Activation(net, act_type="relu", name=f"relu{i}")
    net = mx.sym.FullyConnected(net, num_hidden=10, name="fc3")
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    m = Module(net, context=mx.cpu())
    start = time.time()
    # one BLAS thread: small GEMMs on a busy 2-core machine are much faster so
    with threadpool_limits(1), caplog.at_level(logging.INFO):
        m.fit(train, eval_data=test, num_epoch=2, initializer=mx.init.Xavier(),
              optimizer="sgd",
              optimizer_params={"learning_rate": 0.1, "momentum": 0.9,
                                "lr_scheduler": mx.lr_scheduler.FactorScheduler(
                                    600, 0.1, base_lr=0.1)},
              batch_end_callback=callback.Speedometer(100, 100))
        acc = dict(m.score(test, "acc"))["accuracy"]
    elapsed = time.time() - start
    print(f"\nMNIST MLP: test accuracy {acc:.4f} in {elapsed:.1f} s")
    print("\n".join(r.getMessage() for r in caplog.records if "Speed" in r.getMessage())[:400])
    assert "Epoch[1] Batch [400-500]\tSpeed: " in caplog.text
    assert acc >= 0.97
    assert elapsed < 120
