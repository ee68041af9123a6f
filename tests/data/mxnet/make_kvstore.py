"""Regenerate the MXNet 1.9.1 fixtures of tests/kvstore/.

Run with a real MXNet:
    MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python tests/data/mxnet/make_kvstore.py

Writes ``kvstore_cases.json`` next to this script.  Every input array is stored with
its result, so the pymx tests replay exactly what MXNet saw:

* ``push_pull``: a 'local' and a 'device' store, several devices' values pushed for one
  key (summed), pulled into two outputs; a list of keys with a repeated key.
* ``updater``: a Python updater ``stored += 2 * recv``; the type of the key it receives
  for an int and a str key (MXNet hands str keys over as bytes).
* ``optimizer``: ``set_optimizer(SGD(lr .1, momentum .9, wd .01))`` and Adam on a
  'device' store, three pushes of two devices' gradients, the weight pulled after each.
* ``compression``: 2-bit compression (threshold 0.5) on a 'device' store, two devices,
  five pushes without an updater and three with SGD: error-feedback residuals at work.
* ``row_sparse_pull``: the dense view of ``row_sparse_pull(row_ids=[0, 2])``.
* ``trainer``: a two-layer Gluon net on ``mx.cpu(0), mx.cpu(1)``, three ``step``s for
  several (kvstore, update_on_kvstore, optimizer, compression) settings; the parameters
  on both contexts after each step.
* ``module``: a Module over two contexts with kvstore 'local' / None, two updates.
"""
import json
import os

import numpy as np
import mxnet as mx
from mxnet import autograd, gluon

HERE = os.path.dirname(os.path.abspath(__file__))


def arr(a):
    return a.asnumpy().tolist() if hasattr(a, "asnumpy") else np.asarray(a).tolist()


def push_pull_cases():
    rng = np.random.RandomState(0)
    cases = []
    for kind in ("local", "device"):
        kv = mx.kv.create(kind)
        init = rng.randn(2, 3).astype(np.float32)
        vals = [rng.randn(2, 3).astype(np.float32) for _ in range(3)]
        kv.init(3, mx.nd.array(init))
        kv.push(3, [mx.nd.array(v, ctx=mx.cpu(i)) for i, v in enumerate(vals)])
        outs = [mx.nd.zeros((2, 3), ctx=mx.cpu(i)) for i in range(2)]
        kv.pull(3, out=outs)
        # a list of keys, the same key twice: its values are summed
        kv.init([5, 6], [mx.nd.zeros((2,)), mx.nd.zeros((2,))])
        kv.push([5, 5, 6], [mx.nd.array([1, 2]), mx.nd.array([10, 20]), mx.nd.array([7, 7])])
        o5, o6 = mx.nd.zeros((2,)), mx.nd.zeros((2,))
        kv.pull([5, 6], out=[o5, o6])
        cases.append({"kind": kind, "init": arr(init), "values": [arr(v) for v in vals],
                      "pulled": [arr(o) for o in outs], "key5": arr(o5), "key6": arr(o6)})
    return cases


def updater_case():
    seen = []

    def upd(key, recv, stored):
        seen.append(type(key).__name__)
        stored += recv * 2

    kv = mx.kv.create("local")
    kv._set_updater(upd)
    kv.init(3, mx.nd.ones((2, 3)))
    kv.push(3, [mx.nd.ones((2, 3)), mx.nd.ones((2, 3)) * 2])
    out = mx.nd.zeros((2, 3))
    kv.pull(3, out=out)
    kv2 = mx.kv.create("local")
    kv2._set_updater(upd)
    kv2.init("w", mx.nd.ones((2,)))
    kv2.push("w", mx.nd.ones((2,)))
    out2 = mx.nd.zeros((2,))
    kv2.pull("w", out=out2)
    mx.nd.waitall()
    return {"int_key": arr(out), "str_key": arr(out2), "key_types": seen}


def optimizer_cases():
    rng = np.random.RandomState(1)
    cases = []
    for name, params in (("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}),
                         ("adam", {"learning_rate": 0.01})):
        kv = mx.kv.create("device")
        kv.set_optimizer(mx.optimizer.create(name, **params))
        w0 = rng.randn(3, 2).astype(np.float32)
        kv.init(0, mx.nd.array(w0))
        grads, pulled = [], []
        for _ in range(3):
            g = [rng.randn(3, 2).astype(np.float32) for _ in range(2)]
            kv.push(0, [mx.nd.array(x, ctx=mx.cpu(i)) for i, x in enumerate(g)])
            out = mx.nd.zeros((3, 2))
            kv.pull(0, out=out)
            grads.append([arr(x) for x in g])
            pulled.append(arr(out))
        cases.append({"optimizer": name, "params": params, "init": arr(w0), "grads": grads,
                      "pulled": pulled})
    return cases


def compression_cases():
    rng = np.random.RandomState(2)
    cases = []
    for with_opt in (False, True):
        kv = mx.kv.create("device")
        kv.set_gradient_compression({"type": "2bit", "threshold": 0.5})
        if with_opt:
            kv.set_optimizer(mx.optimizer.create("sgd", learning_rate=0.1))
        w0 = rng.randn(2, 5).astype(np.float32)
        kv.init("w", mx.nd.array(w0))
        grads, pulled = [], []
        for _ in range(3 if with_opt else 5):
            g = [(rng.randn(2, 5) * 0.6).astype(np.float32) for _ in range(2)]
            kv.push("w", [mx.nd.array(x, ctx=mx.cpu(i)) for i, x in enumerate(g)])
            out = mx.nd.zeros((2, 5))
            kv.pull("w", out=out)
            grads.append([arr(x) for x in g])
            pulled.append(arr(out))
        cases.append({"with_optimizer": with_opt, "threshold": 0.5, "init": arr(w0),
                      "grads": grads, "pulled": pulled})
    return cases


def row_sparse_case():
    kv = mx.kv.create("local")
    w = np.arange(12, dtype=np.float32).reshape(4, 3)
    kv.init("emb", mx.nd.array(w).tostype("row_sparse"))
    out = mx.nd.sparse.zeros("row_sparse", (4, 3))
    kv.row_sparse_pull("emb", out=out, row_ids=mx.nd.array([2, 0, 2]))
    return {"init": arr(w), "row_ids": [2, 0, 2], "dense": arr(out.tostype("default"))}


def make_net(w1, b1, w2, b2, ctx):
    net = gluon.nn.HybridSequential()
    with net.name_scope():
        net.add(gluon.nn.Dense(4, activation="tanh", in_units=3))
        net.add(gluon.nn.Dense(2, in_units=4))
    net.initialize(ctx=ctx)
    for p, v in zip(net.collect_params().values(), (w1, b1, w2, b2)):
        p.set_data(mx.nd.array(v))
    return net


def trainer_cases():
    rng = np.random.RandomState(3)
    w1, b1 = rng.randn(4, 3).astype(np.float32), rng.randn(4).astype(np.float32)
    w2, b2 = rng.randn(2, 4).astype(np.float32), rng.randn(2).astype(np.float32)
    X = [rng.randn(6, 3).astype(np.float32) for _ in range(3)]
    Y = [rng.randint(0, 2, size=6).astype(np.float32) for _ in range(3)]
    ctx = [mx.cpu(0), mx.cpu(1)]
    settings = [
        {"kvstore": "device", "update_on_kvstore": None, "optimizer": "sgd",
         "optimizer_params": {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}},
        {"kvstore": "device", "update_on_kvstore": False, "optimizer": "sgd",
         "optimizer_params": {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}},
        {"kvstore": "local", "update_on_kvstore": None, "optimizer": "adam",
         "optimizer_params": {"learning_rate": 0.05}},
        {"kvstore": "local", "update_on_kvstore": False, "optimizer": "adam",
         "optimizer_params": {"learning_rate": 0.05}},
        {"kvstore": "device", "update_on_kvstore": None, "optimizer": "sgd",
         "optimizer_params": {"learning_rate": 0.5},
         "compression_params": {"type": "2bit", "threshold": 0.1}},
        {"kvstore": None, "update_on_kvstore": None, "optimizer": "sgd",
         "optimizer_params": {"learning_rate": 0.5}},
    ]
    cases = []
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    for s in settings:
        net = make_net(w1, b1, w2, b2, ctx)
        trainer = gluon.Trainer(net.collect_params(), s["optimizer"], s["optimizer_params"],
                                kvstore=s["kvstore"], update_on_kvstore=s["update_on_kvstore"],
                                compression_params=s.get("compression_params"))
        steps = []
        for x, y in zip(X, Y):
            xs = gluon.utils.split_and_load(mx.nd.array(x), ctx)
            ys = gluon.utils.split_and_load(mx.nd.array(y), ctx)
            with autograd.record():
                losses = [loss_fn(net(a), b) for a, b in zip(xs, ys)]
            for l in losses:
                l.backward()
            trainer.step(6)
            steps.append({name[len(net.prefix):]: [arr(d) for d in p.list_data()]
                          for name, p in net.collect_params().items()})
        cases.append(dict(s, steps=steps,
                          used_update_on_kvstore=bool(trainer._update_on_kvstore),
                          has_kvstore=trainer._kvstore is not None))
    return {"init": {"w1": arr(w1), "b1": arr(b1), "w2": arr(w2), "b2": arr(b2)},
            "X": [arr(x) for x in X], "Y": [arr(y) for y in Y], "cases": cases}


def module_cases():
    rng = np.random.RandomState(4)
    data = mx.sym.var("data")
    net = mx.sym.FullyConnected(data, num_hidden=4, name="fc1")
    net = mx.sym.Activation(net, act_type="tanh")
    net = mx.sym.FullyConnected(net, num_hidden=3, name="fc2")
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    args = {"fc1_weight": rng.randn(4, 5), "fc1_bias": rng.randn(4),
            "fc2_weight": rng.randn(3, 4), "fc2_bias": rng.randn(3)}
    args = {k: v.astype(np.float32) for k, v in args.items()}
    X = [rng.randn(6, 5).astype(np.float32) for _ in range(2)]
    Y = [rng.randint(0, 3, size=6).astype(np.float32) for _ in range(2)]
    cases = []
    for kvstore in ("local", None):
        mod = mx.mod.Module(net, context=[mx.cpu(0), mx.cpu(1)])
        mod.bind(data_shapes=[("data", (6, 5))], label_shapes=[("softmax_label", (6,))])
        mod.init_params(arg_params={k: mx.nd.array(v) for k, v in args.items()})
        mod.init_optimizer(kvstore=kvstore, optimizer="sgd",
                           optimizer_params={"learning_rate": 0.1, "momentum": 0.9,
                                             "wd": 0.01})
        for x, y in zip(X, Y):
            mod.forward_backward(mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)]))
            mod.update()
        per_device = {name: [arr(a) for a in arrays] for name, arrays in
                      zip(mod._exec_group.param_names, mod._exec_group.param_arrays)}
        arg, _ = mod.get_params()
        cases.append({"kvstore": kvstore, "update_on_kvstore": bool(mod._update_on_kvstore),
                      "idx2name": {str(k): v for k, v in mod._optimizer.idx2name.items()},
                      "per_device": per_device,
                      "get_params": {k: arr(v) for k, v in arg.items()}})
    return {"args": {k: arr(v) for k, v in args.items()}, "X": [arr(x) for x in X],
            "Y": [arr(y) for y in Y], "cases": cases}


def main():
    out = {"mxnet_version": mx.__version__, "push_pull": push_pull_cases(),
           "updater": updater_case(), "optimizer": optimizer_cases(),
           "compression": compression_cases(), "row_sparse_pull": row_sparse_case(),
           "trainer": trainer_cases(), "module": module_cases()}
    with open(os.path.join(HERE, "kvstore_cases.json"), "w") as f:
        json.dump(out, f)
    print("wrote kvstore_cases.json")


if __name__ == "__main__":
    main()
