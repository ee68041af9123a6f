"""``mx.mod.BucketingModule`` training the bucketing LSTM language model of MXNet's
example/rnn/bucketing/lstm_bucketing.py (2 stacked ``mx.rnn.LSTMCell``s, merged unroll,
``BucketSentenceIter``), on a small synthetic corpus.

Parity data: tests/data/mxnet/bucket_lm*.{json,params}, written by real MXNet 1.9.1
with tests/data/mxnet/make_symbolic_rnn.py from the same starting weights and the
same batch order (``random.seed(7)``, ``np.random.seed(7)`` before the iterator):
the perplexity after each of 6 manual forward/backward/update steps, the parameters
after them, the parameters after one ``fit`` epoch and ``score`` afterwards.
"""
import json
import os
import sys

import numpy as np
import pytest

import pymx as mx

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "mxnet")
sys.path.insert(0, DATA)
import symbolic_rnn_models as models  # noqa: E402
from symbolic_rnn_models import BATCH, BUCKETS, OPT, V  # noqa: E402

with open(os.path.join(DATA, "bucket_lm.json")) as _f:
    LM = json.load(_f)


def lm_sym_gen():
    return models.lm_sym_gen(mx)


def lm_iter():
    return models.lm_iter(mx, LM["sentences"])


def init_params():
    return mx.nd.load(os.path.join(DATA, "bucket_lm-init.params"))


def assert_params(arg, fname, rtol=1e-4, atol=1e-5):
    expected = mx.nd.load(os.path.join(DATA, fname))
    assert sorted(arg) == sorted(expected)
    for k, v in expected.items():
        np.testing.assert_allclose(arg[k].asnumpy(), v.asnumpy(), rtol=rtol, atol=atol,
                                   err_msg=k)


def test_manual_steps_match_mxnet():
    """Six forward/backward/update steps over three buckets: the perplexity after each
    step and the final parameters equal MXNet's; one set of parameter arrays serves
    every bucket."""
    it = lm_iter()
    mod = mx.mod.BucketingModule(lm_sym_gen(), default_bucket_key=it.default_bucket_key)
    mod.bind(it.provide_data, it.provide_label)
    mod.init_params(arg_params=init_params())
    mod.init_optimizer(optimizer="sgd", optimizer_params=OPT)
    metric = mx.metric.Perplexity(0)
    for i, batch in enumerate(it):
        if i == len(LM["steps"]):
            break
        step = LM["steps"][i]
        assert batch.bucket_key == step["key"]
        mod.forward(batch, is_train=True)
        mod.backward()
        mod.update()
        mod.update_metric(metric, batch.label)
        assert mod.get_outputs()[0].shape == (BATCH * step["key"], V)
        assert metric.get()[1] == pytest.approx(step["perplexity"], rel=1e-4)
    assert sorted(mod._buckets) == BUCKETS
    default = mod._buckets[it.default_bucket_key]._exec_group.execs[0]
    for key in BUCKETS:
        ex = mod._buckets[key]._exec_group.execs[0]
        assert ex.arg_dict["lstm_l0_h2h_weight"] is default.arg_dict["lstm_l0_h2h_weight"]
        assert ex.grad_dict["pred_weight"] is default.grad_dict["pred_weight"]
    assert_params(mod.get_params()[0], "bucket_lm-steps.params")


def test_fit_and_score_match_mxnet():
    """``fit`` for one epoch (BaseModule's loop: ``prepare`` binds new buckets ahead)
    and ``score`` afterwards give MXNet's parameters and perplexity."""
    it = lm_iter()
    mod = mx.mod.BucketingModule(lm_sym_gen(), default_bucket_key=it.default_bucket_key)
    mod.fit(it, num_epoch=1, arg_params=init_params(), optimizer="sgd",
            optimizer_params=OPT, eval_metric=mx.metric.Perplexity(0))
    assert sorted(mod._buckets) == LM["bucket_keys"]
    assert_params(mod.get_params()[0], "bucket_lm-fit.params")
    score = mod.score(lm_iter(), mx.metric.Perplexity(0))
    assert score[0][1] == pytest.approx(LM["score"], rel=1e-4)


def test_checkpoint_roundtrip_and_rebind(tmp_path):
    """``save_checkpoint`` writes the params, one symbol per bucket and the keys;
    ``load`` + ``bind`` reproduces the outputs; ``bind(force_rebind=True)`` for
    inference keeps the parameters; ``set_params``/``get_params`` go through the
    shared arrays."""
    it = lm_iter()
    mod = mx.mod.BucketingModule(lm_sym_gen(), default_bucket_key=it.default_bucket_key)
    mod.bind(it.provide_data, it.provide_label)
    mod.init_params(arg_params=init_params())
    batches = list(it)
    small = next(b for b in batches if b.bucket_key == 4)
    mod.forward(small, is_train=False)
    expected = mod.get_outputs()[0].asnumpy()
    prefix = str(tmp_path / "lm")
    mod.save_checkpoint(prefix, 2)
    assert os.path.exists(f"{prefix}-0002.params")
    for key in mod._buckets:
        assert os.path.exists(f"{prefix}-{key}-symbol.json")
    loaded = mx.mod.BucketingModule.load(prefix, 2, sym_gen=lm_sym_gen(),
                                         default_bucket_key=8)
    loaded.bind(it.provide_data, it.provide_label, for_training=False)
    loaded.forward(small)
    np.testing.assert_allclose(loaded.get_outputs()[0].asnumpy(), expected, rtol=1e-6)

    mod.bind(it.provide_data, it.provide_label, for_training=False, force_rebind=True)
    assert list(mod._buckets) == [8]
    mod.forward(small)
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), expected, rtol=1e-6)
    arg, aux = mod.get_params()
    arg = {k: v * 0 for k, v in arg.items()}
    mod.set_params(arg, aux)
    mod.forward(small)
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), 1.0 / V, rtol=1e-6)


def test_errors_and_names():
    """Unknown data names fail at construction; ``shared_module`` is refused;
    ``data_names``/``output_names`` come from the default bucket before binding."""
    def bad_gen(key):
        return mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2), ("data",), ()
    with pytest.raises(ValueError, match="data"):
        mx.mod.BucketingModule(bad_gen, default_bucket_key=3)
    with pytest.raises(AssertionError):
        mx.mod.BucketingModule(lm_sym_gen())              # no default bucket key
    mod = mx.mod.BucketingModule(lm_sym_gen(), default_bucket_key=8)
    assert mod.data_names == ("data",) and mod.output_names == ["softmax_output"]
    with pytest.raises(AssertionError, match="shared_module"):
        mod.bind([("data", (4, 8))], [("softmax_label", (4, 8))], shared_module=mod)
