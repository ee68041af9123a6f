"""``mx.rnn``: the legacy symbolic cells, their weights, ``encode_sentences``,
``BucketSentenceIter`` and the RNN checkpoints.

Parity data: tests/data/mxnet/symbolic_rnn_cases.json, written by real MXNet 1.9.1
with tests/data/mxnet/make_symbolic_rnn.py: per cell configuration the unrolled
symbol's ``list_arguments()``/``list_outputs()`` and its forward outputs for fixed
inputs and weights; a fused cell's ``unpack_weights``; the iterator's batches after
seeding Python's and NumPy's generators.
"""
import json
import os
import random
import sys

import numpy as np
import pytest

import pymx as mx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "data", "mxnet"))
from symbolic_rnn_models import H, cell_configs, unroll_case  # noqa: E402

with open(os.path.join(HERE, "data", "mxnet", "symbolic_rnn_cases.json")) as _f:
    CASES = json.load(_f)
CONFIGS = {name: (make, opts) for name, make, opts in cell_configs(mx)}


@pytest.mark.parametrize("case", CASES["cells"], ids=lambda c: c["name"])
def test_unrolled_symbol_matches_mxnet(case):
    """Same arguments, output names and outputs (forward, fixed weights) as MXNet."""
    cell, outputs, group, _, _ = unroll_case(mx, *CONFIGS[case["name"]])
    assert group.list_arguments() == case["arguments"]
    assert group.list_outputs() == case["outputs"]
    assert isinstance(outputs, mx.sym.Symbol) == case["merged"]
    assert sorted(cell.params._params) == case["params"]
    args = {k: mx.nd.array(np.array(v, dtype=np.float32)) for k, v in case["args"].items()}
    ex = group.bind(mx.cpu(), args)
    got = ex.forward(is_train=False)
    assert len(got) == len(case["expected"])
    for name, g, e in zip(case["outputs"], got, case["expected"]):
        np.testing.assert_allclose(g.asnumpy(), np.array(e), rtol=1e-4, atol=1e-5,
                                   err_msg=f"{case['name']}: output {name}")


def test_unrolled_lstm_trains_through_simple_bind():
    """The unrolled graph (begin-state zeros sized from the input) binds, runs
    backward, and gives the h2h weight a nonzero gradient; the sum of an output with
    respect to the data matches a central difference."""
    with mx.name.NameManager():
        cell = mx.rnn.LSTMCell(3, prefix="lstm_")
        out, _ = cell.unroll(2, mx.sym.var("data"), merge_outputs=True)
    rs = np.random.RandomState(0)
    ex = out.simple_bind(mx.cpu(), data=(2, 2, 4))
    for k, v in ex.arg_dict.items():
        v[:] = rs.uniform(-0.5, 0.5, v.shape)
    ex.forward(is_train=True)
    ex.backward(mx.nd.ones((2, 2, 3)))
    assert np.abs(ex.grad_dict["lstm_h2h_weight"].asnumpy()).sum() > 0
    x = ex.arg_dict["data"].asnumpy().copy()
    eps, i = 1e-2, (1, 0, 2)

    def f(xv):
        ex.arg_dict["data"][:] = xv
        return float(ex.forward(is_train=False)[0].asnumpy().astype(np.float64).sum())
    xp, xm = x.copy(), x.copy()
    xp[i] += eps
    xm[i] -= eps
    numeric = (f(xp) - f(xm)) / (2 * eps)
    assert abs(ex.grad_dict["data"].asnumpy()[i] - numeric) < 1e-2


def test_step_with_explicit_begin_state():
    """``begin_state()`` gives MXNet's ``_zeros`` of shape (0, H) (batch unknown);
    stepping the cell with them works and equals the unrolled graph."""
    cell = mx.rnn.GRUCell(3, prefix="gru_")
    states = cell.begin_state()
    assert [s.list_outputs() for s in states] == [["gru_begin_state_0_output"]]
    assert states[0].attr("__layout__") == "NC"
    x0, x1 = mx.sym.var("x0"), mx.sym.var("x1")
    h, states = cell(x0, states)
    h, states = cell(x1, states)
    assert sorted(h.list_arguments()) == \
        ["gru_h2h_bias", "gru_h2h_weight", "gru_i2h_bias", "gru_i2h_weight", "x0", "x1"]
    rs = np.random.RandomState(1)
    args = {n: mx.nd.array(rs.uniform(-1, 1, s)) for n, s in
            zip(h.list_arguments(), h.infer_shape(x0=(2, 3), x1=(2, 3))[0])}
    stepped = h.bind(mx.cpu(), args).forward()[0].asnumpy()
    unrolled, _ = cell.unroll(2, [x0, x1])
    ex = unrolled[1].bind(mx.cpu(), {k: v for k, v in args.items()})
    np.testing.assert_allclose(stepped, ex.forward()[0].asnumpy(), rtol=1e-5)


def test_modifier_rules():
    """A modified base cell cannot be used directly; fused and bidirectional cells
    cannot step or be zoned out."""
    base = mx.rnn.LSTMCell(3)
    mx.rnn.ZoneoutCell(base, zoneout_outputs=0.5)
    with pytest.raises(AssertionError, match="modifier"):
        base.begin_state()
    with pytest.raises(AssertionError):
        mx.rnn.ZoneoutCell(mx.rnn.FusedRNNCell(3))
    with pytest.raises(NotImplementedError):
        mx.rnn.FusedRNNCell(3)(mx.sym.var("x"), [])
    with pytest.raises(NotImplementedError):
        mx.rnn.BidirectionalCell(mx.rnn.RNNCell(3), mx.rnn.RNNCell(3))(mx.sym.var("x"), [])
    with pytest.raises(AssertionError, match="not both"):
        seq = mx.rnn.SequentialRNNCell(params=mx.rnn.RNNParams("x_"))
        cell = mx.rnn.RNNCell(3)
        cell.params                                   # now shared: not its own
        seq.add(cell)


def test_rnn_params_share_variables():
    """Two cells given one RNNParams use the same weight variables."""
    params = mx.rnn.RNNParams("shared_")
    a = mx.rnn.RNNCell(3, prefix="a_", params=params)
    b = mx.rnn.RNNCell(3, prefix="b_", params=params)
    out = a(mx.sym.var("x"), a.begin_state())[0] + b(mx.sym.var("y"), b.begin_state())[0]
    assert [n for n in out.list_arguments() if n.startswith("shared")] == \
        ["shared_i2h_weight", "shared_i2h_bias", "shared_h2h_weight", "shared_h2h_bias"]
    assert params.get("i2h_weight") is params.get("i2h_weight")


@pytest.mark.parametrize("case", CASES["unpack"], ids=lambda c: c["mode"])
def test_unpack_and_pack_weights(case):
    """``unpack_weights`` names and values equal MXNet's; ``pack_weights`` inverts it;
    an ``unfuse()``d cell has MXNet's arguments and accepts the unpacked names."""
    if case["mode"] == "lstm_cell":
        cell = mx.rnn.LSTMCell(H, prefix="lstm_")
        args = {k: mx.nd.array(v) for k, v in case["args"].items()}
        unpacked = cell.unpack_weights(args)
        assert sorted(unpacked) == sorted(case["unpacked"])
        for k, v in case["unpacked"].items():
            np.testing.assert_allclose(unpacked[k].asnumpy(), v, rtol=1e-6)
        packed = cell.pack_weights(unpacked)
        for k, v in args.items():
            np.testing.assert_array_equal(packed[k].asnumpy(), v.asnumpy())
        return
    cell = mx.rnn.FusedRNNCell(H, num_layers=case["num_layers"], mode=case["mode"],
                               bidirectional=case["bidirectional"], prefix="f_")
    vec = mx.nd.array(case["parameters"])
    unpacked = cell.unpack_weights({"f_parameters": vec})
    assert sorted(unpacked) == sorted(case["unpacked"])
    for k, v in case["unpacked"].items():
        np.testing.assert_allclose(unpacked[k].asnumpy(), v, rtol=1e-6, err_msg=k)
    np.testing.assert_array_equal(cell.pack_weights(unpacked)["f_parameters"].asnumpy(),
                                  vec.asnumpy())
    unfused = cell.unfuse()
    with mx.name.NameManager():
        out, _ = unfused.unroll(3, mx.sym.var("data"), layout="TNC", merge_outputs=True)
    assert out.list_arguments() == case["unfused_arguments"]
    assert sorted(unfused.pack_weights(unpacked)) == case["unfused_packed"]


def test_fused_and_unfused_compute_the_same():
    """A 2-layer bidirectional FusedRNNCell and its unfused stack, with the same
    (unpacked) weights, give the same outputs."""
    cell = mx.rnn.FusedRNNCell(3, num_layers=2, mode="gru", bidirectional=True, prefix="g_")
    out, _ = cell.unroll(4, mx.sym.var("data"), layout="TNC", merge_outputs=True)
    shapes = dict(zip(out.list_arguments(), out.infer_shape(data=(4, 2, 5))[0]))
    rs = np.random.RandomState(3)
    vec = mx.nd.array(rs.uniform(-0.5, 0.5, shapes["g_parameters"]))
    data = mx.nd.array(rs.randn(4, 2, 5))
    fused = out.bind(mx.cpu(), {"data": data, "g_parameters": vec}).forward()[0]
    unfused = cell.unfuse()
    uout, _ = unfused.unroll(4, mx.sym.var("data"), layout="TNC", merge_outputs=True)
    args = unfused.pack_weights(cell.unpack_weights({"g_parameters": vec}))
    args["data"] = data
    res = uout.bind(mx.cpu(), args).forward()[0]
    np.testing.assert_allclose(res.asnumpy(), fused.asnumpy(), rtol=1e-4, atol=1e-5)


def test_fused_rnn_initializer():
    """``init.FusedRNN`` (the packed vector's initializer) fills the LSTM forget-gate
    biases with ``forget_bias``, the other biases with 0 and the weights with the
    global initializer."""
    cell = mx.rnn.FusedRNNCell(3, num_layers=1, mode="lstm", forget_bias=1.5, prefix="f_")
    out, _ = cell.unroll(2, mx.sym.var("data"), layout="TNC", merge_outputs=True)
    mod = mx.mod.Module(out, label_names=None)
    mod.bind([("data", (2, 2, 4))], for_training=False)
    mod.init_params(mx.init.Uniform(0.1))
    parts = cell.unpack_weights(mod.get_params()[0])
    np.testing.assert_array_equal(parts["f_l0_i2h_f_bias"].asnumpy(), 1.5)
    np.testing.assert_array_equal(parts["f_l0_i2h_i_bias"].asnumpy(), 0)
    np.testing.assert_array_equal(parts["f_l0_h2h_f_bias"].asnumpy(), 1.5)
    w = parts["f_l0_i2h_c_weight"].asnumpy()
    assert w.shape == (3, 4) and 0 < np.abs(w).max() <= 0.1


def test_lstm_bias_initializer_on_module_path():
    """``LSTMCell``'s i2h bias carries ``LSTMBias(forget_bias)``: forget gate starts at
    ``forget_bias``, the rest at 0."""
    cell = mx.rnn.LSTMCell(2, prefix="l_", forget_bias=3.0)
    out, _ = cell.unroll(2, mx.sym.var("data"), merge_outputs=True)
    mod = mx.mod.Module(out, label_names=None)
    mod.bind([("data", (1, 2, 3))], for_training=False)
    mod.init_params(mx.init.Xavier())
    np.testing.assert_array_equal(mod.get_params()[0]["l_i2h_bias"].asnumpy(),
                                  [0, 0, 3, 3, 0, 0, 0, 0])
    np.testing.assert_array_equal(mod.get_params()[0]["l_h2h_bias"].asnumpy(), 0)


def test_encode_sentences_matches_mxnet():
    """Indices, vocabulary, ``unknown_token`` and the unknown-token error."""
    io = CASES["io"]
    enc, vocab = mx.rnn.encode_sentences(io["sentences"], invalid_label=0, start_label=1)
    assert enc == io["encoded"] and vocab == io["vocab"]
    enc, vocab = mx.rnn.encode_sentences([["time", "zzz", "the"]], vocab=dict(vocab),
                                         unknown_token="<unk>")
    assert enc == io["encoded_unk"] and vocab == io["vocab_unk"]
    enc, vocab = mx.rnn.encode_sentences(io["sentences"][:3])
    assert enc == io["encoded_default"] and vocab == io["vocab_default"]
    with pytest.raises(AssertionError, match="Unknown token"):
        mx.rnn.encode_sentences([["nope"]], vocab={"a": 0})


@pytest.mark.parametrize("case", CASES["io"]["iters"], ids=lambda c: c["layout"])
def test_bucket_sentence_iter_matches_mxnet(case):
    """Two epochs of batches (order, padding, labels, keys, shapes) after the same
    seeds."""
    random.seed(3)
    np.random.seed(3)
    it = mx.rnn.BucketSentenceIter(CASES["io"]["encoded"], 3, buckets=case["buckets"],
                                   invalid_label=0, layout=case["layout"])
    assert it.buckets == case["final_buckets"]
    assert it.default_bucket_key == case["default_bucket_key"]
    assert list(it.provide_data[0].shape) == case["provide_data"]
    for epoch in case["epochs"]:
        got = list(it)
        assert [b.bucket_key for b in got] == [e["key"] for e in epoch]
        for b, e in zip(got, epoch):
            np.testing.assert_array_equal(b.data[0].asnumpy(), e["data"])
            np.testing.assert_array_equal(b.label[0].asnumpy(), e["label"])
            assert list(b.provide_data[0].shape) == e["provide_data"]
            assert b.provide_data[0].layout == case["layout"]
        it.reset()


def test_bucket_sentence_iter_bad_layout():
    with pytest.raises(ValueError, match="Invalid layout"):
        mx.rnn.BucketSentenceIter([[1, 2, 3]] * 4, 2, layout="XY")


def test_rnn_checkpoint_roundtrip(tmp_path):
    """``save_rnn_checkpoint`` stores unpacked gates; ``load_rnn_checkpoint`` packs
    them back; ``do_rnn_checkpoint`` saves every ``period`` epochs."""
    cell = mx.rnn.FusedRNNCell(3, mode="lstm", prefix="f_")
    out, _ = cell.unroll(2, mx.sym.var("data"), layout="TNC", merge_outputs=True)
    n = out.infer_shape(data=(2, 1, 4))[0][1][0]
    vec = mx.nd.array(np.arange(n, dtype=np.float32))
    prefix = str(tmp_path / "m")
    mx.rnn.save_rnn_checkpoint(cell, prefix, 3, out, {"f_parameters": vec}, {})
    raw = mx.nd.load(f"{prefix}-0003.params")
    assert "arg:f_l0_i2h_f_weight" in raw and "arg:f_parameters" not in raw
    sym, arg, aux = mx.rnn.load_rnn_checkpoint([cell], prefix, 3)
    assert sym.list_arguments() == out.list_arguments() and aux == {}
    np.testing.assert_array_equal(arg["f_parameters"].asnumpy(), vec.asnumpy())
    callback = mx.rnn.do_rnn_checkpoint(cell, prefix, period=2)
    callback(0, out, {"f_parameters": vec}, {})
    assert not os.path.exists(f"{prefix}-0001.params")
    callback(1, out, {"f_parameters": vec}, {})
    assert os.path.exists(f"{prefix}-0002.params")
