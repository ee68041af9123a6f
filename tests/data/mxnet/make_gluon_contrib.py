"""Write ``gluon_contrib.json`` with **real MXNet 1.9.1** (``mx.gluon.contrib``).

    MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python \\
        tests/data/mxnet/make_gluon_contrib.py

Every block gets seeded uniform parameters (keyed by the name without the block's
prefix) and seeded inputs; the file records the parameter names, ``repr``, outputs,
gradients of ``sum(out * head)``, the hybridized symbol JSON and the warnings raised:

* ``nn``: ``HybridConcurrent``/``Concurrent``/``Identity``, ``PixelShuffle1D/2D/3D``,
  ``SparseEmbedding``, ``SyncBatchNorm`` (training: outputs, gradients and the running
  statistics after forward + backward; inference);
* ``rnn``: ``LSTMPCell`` and the nine ``Conv*{RNN,LSTM,GRU}Cell`` unrolled 3 steps with
  begin states, and ``VariationalDropoutCell``'s names;
* ``estimator``: a 2-epoch fit of a small net on fixed data with every handler: the log
  lines (times masked as ``<t>``), the warnings, the metric names and values, and the
  files ``CheckpointHandler`` left.
"""
import json
import logging
import os
import re
import shutil
import tempfile
import warnings

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon
from mxnet.gluon import nn
from mxnet.gluon.contrib import estimator as est_mod
from mxnet.gluon.contrib import nn as cnn
from mxnet.gluon.contrib import rnn as crnn
from mxnet.gluon.contrib.data import IntervalSampler

HERE = os.path.dirname(os.path.abspath(__file__))
assert mx.__version__ == "1.9.1", mx.__version__


def arr(x):
    x = x.asnumpy() if hasattr(x, "asnumpy") else np.asarray(x)
    return {"shape": list(x.shape), "values": [round(float(v), 7) for v in x.reshape(-1)]}


def uniform(rng, shape, lo=-0.5, hi=0.5):
    return rng.uniform(lo, hi, shape).astype(np.float32)


def set_params(block, rng):
    values = {}
    for name, p in block.collect_params().items():
        key = name[len(block.prefix):]
        v = uniform(rng, p.shape, 0.5, 1.5) if key.endswith("_var") else uniform(rng, p.shape)
        p.set_data(mx.nd.array(v))
        values[key] = arr(v)
    return values


def run(block, x, rng, train=True, extra=()):
    """Forward (+ backward of sum(out * head)) -> dict of out, head, grads."""
    x = mx.nd.array(x)
    x.attach_grad()
    with autograd.record(train_mode=train):
        out = block(x, *extra)
        head = mx.nd.array(uniform(rng, out.shape, -1, 1))
        (out * head).sum().backward()
    grads = {name[len(block.prefix):]: arr(p.grad())
             for name, p in block.collect_params().items() if p.grad_req != "null"}
    return {"out": arr(out), "head": arr(head), "x_grad": arr(x.grad), "grads": grads}


def sym_json(block, x):
    block.hybridize()
    block(mx.nd.array(x))
    return json.loads(block._cached_graph[1].tojson())


def nn_cases(rng):
    cases = {}
    # HybridConcurrent / Concurrent / Identity
    for kind in ("HybridConcurrent", "Concurrent"):
        net = getattr(cnn, kind)(axis=1, prefix=kind.lower() + "_")
        with net.name_scope():
            net.add(nn.Dense(4, in_units=3), nn.Dense(2, in_units=3, activation="relu"),
                    cnn.Identity())
        net.initialize()
        x = uniform(rng, (2, 3), -1, 1)
        case = {"names": list(net.collect_params().keys()), "params": set_params(net, rng),
                "x": arr(x), "repr": repr(net)}
        case.update(run(net, x, rng))
        if kind == "HybridConcurrent":
            case["symbol"] = sym_json(net, x)
        cases[kind] = case
    # PixelShuffle
    for kind, factor, shape in (("PixelShuffle1D", 2, (2, 6, 3)),
                                ("PixelShuffle2D", (2, 3), (1, 12, 2, 3)),
                                ("PixelShuffle3D", (2, 1, 2), (1, 8, 2, 3, 2))):
        blk = getattr(cnn, kind)(factor)
        x = uniform(rng, shape, -1, 1)
        case = {"factor": factor, "x": arr(x), "repr": repr(blk),
                "out": arr(blk(mx.nd.array(x)))}
        case["symbol"] = sym_json(blk, x)
        cases[kind] = case
    # SparseEmbedding
    emb = cnn.SparseEmbedding(10, 4)
    emb.initialize()
    idx = np.array([[1, 3, 3], [0, 9, 1]], np.float32)
    case = {"names": list(emb.collect_params().keys()), "params": set_params(emb, rng),
            "x": arr(idx), "repr": repr(emb)}
    gluon.Trainer(emb.collect_params(), "sgd")     # row_sparse_data needs a Trainer
    x = mx.nd.array(idx)
    with autograd.record():
        out = emb(x)
        head = mx.nd.array(uniform(rng, out.shape, -1, 1))
        (out * head).sum().backward()
    case.update(out=arr(out), head=arr(head),
                weight_grad=arr(emb.weight.grad().tostype("default")),
                grad_stype=emb.weight.grad().stype)
    cases["SparseEmbedding"] = case
    # SyncBatchNorm
    for scale in (True, False):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            bn = cnn.SyncBatchNorm(in_channels=3, scale=scale)
        bn.initialize()
        x = uniform(rng, (4, 3, 2, 2), -2, 2)
        case = {"scale": scale, "warnings": [str(m.message) for m in w],
                "names": list(bn.collect_params().keys()), "params": set_params(bn, rng),
                "x": arr(x), "repr": repr(bn)}
        case["train"] = run(bn, x, rng)
        case["running_mean"] = arr(bn.running_mean.data())
        case["running_var"] = arr(bn.running_var.data())
        case["predict"] = arr(bn(mx.nd.array(x)))
        case["symbol"] = sym_json(bn, x)
        cases["SyncBatchNorm" + ("" if scale else "_noscale")] = case
    return cases


def rnn_cases(rng):
    cases = {}
    n, t = 2, 3
    cell = crnn.LSTMPCell(4, 3, input_size=5)
    cell.initialize()
    cases["LSTMPCell"] = cell_case(cell, rng, (5,), n, t)
    specs = {1: ((2, 5), "NCW"), 2: ((2, 4, 3), "NCHW"), 3: ((1, 3, 3, 2), "NCDHW")}
    for dims, (shape, layout) in specs.items():
        for kind in ("RNN", "LSTM", "GRU"):
            name = f"Conv{dims}D{kind}Cell"
            kw = dict(i2h_pad=0 if kind == "GRU" and dims < 3 else 1)
            cell = getattr(crnn, name)(shape, 2, 3, 3, **kw)
            cell.initialize()
            case = cell_case(cell, rng, shape, n, t)
            case["kwargs"] = dict(kw, input_shape=list(shape), hidden_channels=2,
                                  i2h_kernel=3, h2h_kernel=3)
            cases[name] = case
    base = gluon.rnn.LSTMCell(3, input_size=2)
    vd = crnn.VariationalDropoutCell(base, drop_inputs=0.5, drop_states=0.5,
                                     drop_outputs=0.5)
    cases["VariationalDropoutCell"] = {"names": list(vd.collect_params().keys()),
                                       "repr": repr(vd), "alias": vd._alias(),
                                       "prefix": vd.prefix}
    return cases


def cell_case(cell, rng, step_shape, n, t):
    params = set_params(cell, rng)
    x = mx.nd.array(uniform(rng, (n, t) + tuple(step_shape), -1, 1))
    states = [mx.nd.array(uniform(rng, info["shape"], -1, 1))
              for info in cell.state_info(n)]
    x.attach_grad()
    with autograd.record():
        outs, new_states = cell.unroll(t, x, states, layout="NTC", merge_outputs=True)
        head = mx.nd.array(uniform(rng, outs.shape, -1, 1))
        (outs * head).sum().backward()
    return {"names": list(cell.collect_params().keys()), "params": params,
            "prefix": cell.prefix, "repr": repr(cell), "x": arr(x),
            "states": [arr(s) for s in states],
            "state_info": [dict(shape=list(i["shape"]), layout=i["__layout__"])
                           for i in cell.state_info(n)],
            "out": arr(outs), "new_states": [arr(s) for s in new_states],
            "head": arr(head), "x_grad": arr(x.grad),
            "grads": {k[len(cell.prefix):]: arr(p.grad())
                      for k, p in cell.collect_params().items()}}


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        msg = record.getMessage()
        self.lines.append(re.sub(r"\d+\.\d+s|\d+s", "<t>", msg))


def estimator_case(rng):
    x = uniform(rng, (12, 4), -1, 1)
    y = rng.randint(0, 3, (12,)).astype(np.float32)
    xv = uniform(rng, (6, 4), -1, 1)
    yv = rng.randint(0, 3, (6,)).astype(np.float32)
    train = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=4)
    val = gluon.data.DataLoader(gluon.data.ArrayDataset(xv, yv), batch_size=3)
    net = nn.HybridSequential(prefix="net_")
    with net.name_scope():
        net.add(nn.Dense(5, activation="tanh", in_units=4), nn.Dense(3, in_units=5))
    net.initialize()
    params = set_params(net, rng)
    net.hybridize()
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": 0.5, "momentum": 0.9})
    tmp = tempfile.mkdtemp()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        est = est_mod.Estimator(net, loss, trainer=trainer, context=mx.cpu())
        cap = _Capture()
        est.logger.addHandler(cap)
        handlers = [
            est_mod.MetricHandler(metrics=est.train_metrics),
            est_mod.ValidationHandler(val_data=val, eval_fn=est.evaluate),
            est_mod.LoggingHandler(log_interval=2, metrics=est.train_metrics
                                   + est.val_metrics),
            est_mod.CheckpointHandler(tmp, model_prefix="m", monitor=est.val_metrics[0],
                                      save_best=True, verbose=1, max_checkpoints=1),
            est_mod.EarlyStoppingHandler(monitor=est.val_metrics[1], patience=5),
            est_mod.GradientUpdateHandler(),
        ]
        est.fit(train, val_data=val, epochs=2, event_handlers=handlers)
    files = sorted(os.listdir(tmp))
    shutil.rmtree(tmp)
    weights = {k[len(net.prefix):]: arr(p.data()) for k, p in net.collect_params().items()}
    # a second estimator with the defaults: the warning and handlers MXNet adds
    net2 = nn.Dense(3, in_units=4, prefix="d_")
    net2.initialize()
    set_params(net2, rng)
    with warnings.catch_warnings(record=True) as w2:
        warnings.simplefilter("always")
        est2 = est_mod.Estimator(net2, gluon.loss.L2Loss())
        cap2 = _Capture()
        est2.logger.addHandler(cap2)
        yl = uniform(rng, (12, 3))
        est2.fit(gluon.data.DataLoader(gluon.data.ArrayDataset(x, yl), batch_size=6),
                 batches=3)
    return {"x": arr(x), "y": arr(y), "xv": arr(xv), "yv": arr(yv), "params": params,
            "log": cap.lines, "warnings": [str(m.message) for m in w], "files": files,
            "train_metrics": [list(m.get()) for m in est.train_metrics],
            "val_metrics": [list(m.get()) for m in est.val_metrics],
            "weights": weights,
            "default": {"log": cap2.lines, "warnings": [str(m.message) for m in w2],
                        "train_metrics": [list(m.get()) for m in est2.train_metrics],
                        "val_metrics": [m.name for m in est2.val_metrics]}}


def resume_case(rng):
    """Files CheckpointHandler leaves when a run is resumed (epochs, then batches)."""
    x = uniform(rng, (12, 4), -1, 1)
    y = rng.randint(0, 3, (12,)).astype(np.float32)
    train = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=4)

    def fit(folder, prefix, resume=False, **kw):
        net = nn.Dense(3, in_units=4)
        net.initialize()
        est = est_mod.Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(),
                                trainer=gluon.Trainer(net.collect_params(), "sgd"))
        periods = {k: kw.pop(k) for k in ("epoch_period", "batch_period") if k in kw}
        est.fit(train, event_handlers=[est_mod.CheckpointHandler(
            folder, model_prefix=prefix, resume_from_checkpoint=resume, **periods)], **kw)
        return sorted(os.listdir(folder))

    out = {}
    with tempfile.TemporaryDirectory() as d:
        out["epochs"] = [fit(d, "r", epochs=1), fit(d, "r", True, epochs=3)]
    with tempfile.TemporaryDirectory() as d:
        out["batches"] = [fit(d, "b", batches=2, epoch_period=None, batch_period=1),
                          fit(d, "b", True, batches=5, epoch_period=None, batch_period=2)]
    return out


def main():
    rng = np.random.RandomState(0)
    out = {"nn": nn_cases(rng), "rnn": rnn_cases(rng), "estimator": estimator_case(rng),
           "interval_sampler": {"13_3": list(IntervalSampler(13, 3)),
                                "13_3_norollover": list(IntervalSampler(13, 3, False)),
                                "len_norollover": len(IntervalSampler(13, 3, False))},
           "resume": resume_case(rng)}
    with open(os.path.join(HERE, "gluon_contrib.json"), "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)


if __name__ == "__main__":
    main()
