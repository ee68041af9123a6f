"""Write the fixtures of tests/test_symbolic_rnn.py and tests/test_bucketing_module.py
with **real MXNet 1.9.1** (``mx.rnn`` cells and ``mx.mod.BucketingModule``).

Run it with the side virtualenv (not part of pymx and not needed to run the tests)::

    MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python \\
        tests/data/mxnet/make_symbolic_rnn.py

The networks (cell configurations, the language model, its iterator) are defined once
in ``symbolic_rnn_models.py``, which the tests import too.  Writes (next to this
script):

* ``symbolic_rnn_cases.json``: per cell configuration (built in a fresh
  ``NameManager``), the unrolled symbol's ``list_arguments()``, ``list_outputs()``
  (outputs + final states grouped), the inputs and weights (seeded NumPy values) and
  MXNet's forward outputs (``is_train=False``); ``unpack_weights`` names and values of
  a fused LSTM; ``encode_sentences`` results; one epoch of ``BucketSentenceIter``
  batches after ``random.seed``/``np.random.seed``.
* ``bucket_lm-init.params``: the starting weights of a 2-layer LSTM language model
  (embedding 5, hidden 6, vocabulary 12); ``bucket_lm.json``: its corpus, the metric
  (perplexity) after each of 6 manual ``forward/backward/update`` steps on the
  bucketed batches (sgd, lr 0.5, momentum 0.9, wd 1e-4), and ``score`` on the corpus
  after one ``fit`` epoch; ``bucket_lm-steps.params`` (parameters after the manual
  steps) and ``bucket_lm-fit.params`` (after the ``fit`` epoch).
"""
import json
import os
import random
import sys

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from symbolic_rnn_models import (BATCH, BUCKETS, C, H, N, OPT, T, V,  # noqa: E402
                                 cell_configs, lm_iter, lm_sym_gen, unroll_case)

assert mx.__version__ == "1.9.1", mx.__version__


def cell_cases():
    rs = np.random.RandomState(0)
    cases = []
    for name, make, opts in cell_configs(mx):
        cell, outputs, group, layout, dshape = unroll_case(mx, make, opts)
        merged = isinstance(outputs, mx.sym.Symbol)
        arg_shapes, _, _ = group.infer_shape(data=dshape)
        args = {}
        for n, s in zip(group.list_arguments(), arg_shapes):
            args[n] = rs.uniform(-0.5, 0.5, s).astype(np.float32) if n != "data" \
                else rs.randn(*s).astype(np.float32)
        ex = group.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in args.items()})
        res = [o.asnumpy() for o in ex.forward(is_train=False)]
        cases.append({
            "name": name, "merged": merged, "arguments": group.list_arguments(),
            "outputs": group.list_outputs(),
            "args": {k: v.tolist() for k, v in args.items()},
            "expected": [r.tolist() for r in res],
            "params": sorted(cell.params._params),
        })
    return cases


def unpack_cases():
    rs = np.random.RandomState(1)
    out = []
    for mode, bi, layers in (("lstm", True, 2), ("gru", False, 1), ("rnn_relu", False, 2)):
        cell = mx.rnn.FusedRNNCell(H, num_layers=layers, mode=mode, bidirectional=bi,
                                   prefix="f_")
        with mx.name.NameManager():
            o, _ = cell.unroll(T, mx.sym.var("data"), layout="TNC", merge_outputs=True)
        shape = dict(zip(o.list_arguments(), o.infer_shape(data=(T, N, C))[0]))
        vec = rs.uniform(-1, 1, shape["f_parameters"]).astype(np.float32)
        unpacked = cell.unpack_weights({"f_parameters": mx.nd.array(vec)})
        unfused = cell.unfuse()
        with mx.name.NameManager():
            uo, _ = unfused.unroll(T, mx.sym.var("data"), layout="TNC",
                                   merge_outputs=True)
        stacked = unfused.pack_weights(unpacked)
        out.append({"mode": mode, "bidirectional": bi, "num_layers": layers,
                    "parameters": vec.tolist(),
                    "unpacked": {k: v.asnumpy().tolist() for k, v in unpacked.items()},
                    "unfused_arguments": uo.list_arguments(),
                    "unfused_packed": sorted(stacked)})
    cell = mx.rnn.LSTMCell(H, prefix="lstm_")
    w = {"lstm_i2h_weight": rs.randn(4 * H, C), "lstm_i2h_bias": rs.randn(4 * H),
         "lstm_h2h_weight": rs.randn(4 * H, H), "lstm_h2h_bias": rs.randn(4 * H)}
    unpacked = cell.unpack_weights({k: mx.nd.array(v) for k, v in w.items()})
    out.append({"mode": "lstm_cell", "args": {k: v.tolist() for k, v in w.items()},
                "unpacked": {k: v.asnumpy().tolist() for k, v in unpacked.items()}})
    return out


def corpus(rs, n, vocab):
    return [[vocab[i] for i in rs.randint(0, len(vocab), rs.randint(2, 9))]
            for _ in range(n)]


def io_cases():
    rs = np.random.RandomState(2)
    words = ["the", "time", "machine", "by", "h", "g", "wells", "i"]
    sents = corpus(rs, 20, words)
    enc1, vocab1 = mx.rnn.encode_sentences(sents, invalid_label=0, start_label=1)
    enc2, vocab2 = mx.rnn.encode_sentences([["time", "zzz", "the"]], vocab=dict(vocab1),
                                           unknown_token="<unk>")
    enc3, vocab3 = mx.rnn.encode_sentences(sents[:3])
    iters = []
    for layout, buckets in (("NT", [4, 6, 8]), ("TN", None)):
        random.seed(3)
        np.random.seed(3)
        it = mx.rnn.BucketSentenceIter(enc1, 3, buckets=buckets, invalid_label=0,
                                       layout=layout)
        epochs = []
        for _ in range(2):
            epochs.append([{"key": b.bucket_key, "data": b.data[0].asnumpy().tolist(),
                            "label": b.label[0].asnumpy().tolist(),
                            "provide_data": list(b.provide_data[0].shape)} for b in it])
            it.reset()
        iters.append({"layout": layout, "buckets": buckets, "final_buckets": it.buckets,
                      "default_bucket_key": it.default_bucket_key,
                      "provide_data": list(it.provide_data[0].shape), "epochs": epochs})
    return {"sentences": sents, "encoded": enc1, "vocab": vocab1, "encoded_unk": enc2,
            "vocab_unk": vocab2, "encoded_default": enc3, "vocab_default": vocab3,
            "iters": iters}


def bucket_lm():
    rs = np.random.RandomState(4)
    sentences = [list(rs.randint(1, V, rs.randint(2, 9))) for _ in range(40)]
    sentences = [[int(t) for t in s] for s in sentences]
    sym, _, _ = lm_sym_gen(mx)(max(BUCKETS))
    shapes = dict(zip(sym.list_arguments(),
                      sym.infer_shape(data=(BATCH, max(BUCKETS)),
                                      softmax_label=(BATCH, max(BUCKETS)))[0]))
    init = {k: mx.nd.array(rs.uniform(-0.4, 0.4, s)) for k, s in shapes.items()
            if k not in ("data", "softmax_label")}
    mx.nd.save(os.path.join(HERE, "bucket_lm-init.params"), init)

    it = lm_iter(mx, sentences)
    mod = mx.mod.BucketingModule(lm_sym_gen(mx), default_bucket_key=it.default_bucket_key)
    mod.bind(it.provide_data, it.provide_label)
    mod.init_params(arg_params=init)
    mod.init_optimizer(optimizer="sgd", optimizer_params=OPT)
    metric = mx.metric.Perplexity(0)
    steps = []
    for i, batch in enumerate(it):
        if i == 6:
            break
        mod.forward(batch, is_train=True)
        mod.backward()
        mod.update()
        mod.update_metric(metric, batch.label)
        steps.append({"key": batch.bucket_key, "perplexity": metric.get()[1],
                      "output_sum": float(mod.get_outputs()[0].asnumpy().sum())})
    arg, _ = mod.get_params()
    mx.nd.save(os.path.join(HERE, "bucket_lm-steps.params"), arg)

    it = lm_iter(mx, sentences)
    mod = mx.mod.BucketingModule(lm_sym_gen(mx), default_bucket_key=it.default_bucket_key)
    mod.fit(it, num_epoch=1, arg_params=init, optimizer="sgd", optimizer_params=OPT,
            eval_metric=mx.metric.Perplexity(0))
    arg, _ = mod.get_params()
    mx.nd.save(os.path.join(HERE, "bucket_lm-fit.params"), arg)
    score = mod.score(lm_iter(mx, sentences), mx.metric.Perplexity(0))
    with open(os.path.join(HERE, "bucket_lm.json"), "w") as f:
        json.dump({"sentences": sentences, "steps": steps, "score": score[0][1],
                   "bucket_keys": sorted(mod._buckets)}, f)


def main():
    with open(os.path.join(HERE, "symbolic_rnn_cases.json"), "w") as f:
        json.dump({"cells": cell_cases(), "unpack": unpack_cases(), "io": io_cases()}, f)
    bucket_lm()


if __name__ == "__main__":
    main()
