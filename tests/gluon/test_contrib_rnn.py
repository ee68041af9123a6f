"""gluon.contrib.rnn and gluon.contrib.data against real MXNet 1.9.1: parameter names,
repr, state shapes, unrolled outputs, final states and gradients for fixed weights
(tests/data/mxnet/gluon_contrib.json, written by
tests/data/mxnet/make_gluon_contrib.py); VariationalDropoutCell's shared masks;
IntervalSampler's order."""
import json
import os
import re

import numpy as np
import pytest

import pymx as mx
from pymx import autograd, gluon
from pymx.gluon.contrib import rnn as crnn
from pymx.gluon.contrib.data import IntervalSampler
from pymx.test_utils import assert_almost_equal

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet")
with open(os.path.join(DATA, "gluon_contrib.json")) as _f:
    _ALL = json.load(_f)
RNN = _ALL["rnn"]
CELLS = sorted(k for k in RNN if k != "VariationalDropoutCell")


def _np(d):
    return np.array(d["values"], dtype=np.float32).reshape(d["shape"])


def _make(name):
    if name == "LSTMPCell":
        return crnn.LSTMPCell(4, 3, input_size=5)
    kw = dict(RNN[name]["kwargs"])
    return getattr(crnn, name)(tuple(kw.pop("input_shape")), kw.pop("hidden_channels"),
                               kw.pop("i2h_kernel"), kw.pop("h2h_kernel"), **kw)


@pytest.mark.parametrize("name", CELLS)
def test_cell_matches_mxnet(name):
    case = RNN[name]
    cell = _make(name)
    cell.initialize()
    # the counter in the prefix depends on how many cells were made before
    assert re.sub(r"\d+_$", "", cell.prefix) == re.sub(r"\d+_$", "", case["prefix"])
    assert [n[len(cell.prefix):] for n in cell.collect_params()] == \
        [n[len(case["prefix"]):] for n in case["names"]]
    assert repr(cell) == case["repr"]
    info = cell.state_info(2)
    assert [dict(shape=list(i["shape"]), layout=i["__layout__"]) for i in info] == \
        case["state_info"]
    for pname, p in cell.collect_params().items():
        p.set_data(mx.nd.array(_np(case["params"][pname[len(cell.prefix):]])))
    x = mx.nd.array(_np(case["x"]))
    x.attach_grad()
    states = [mx.nd.array(_np(s)) for s in case["states"]]
    with autograd.record():
        outs, new_states = cell.unroll(3, x, states, layout="NTC", merge_outputs=True)
        (outs * mx.nd.array(_np(case["head"]))).sum().backward()
    assert_almost_equal(outs.asnumpy(), _np(case["out"]), rtol=1e-5, atol=1e-5)
    for ours, theirs in zip(new_states, case["new_states"]):
        assert_almost_equal(ours.asnumpy(), _np(theirs), rtol=1e-5, atol=1e-5)
    assert_almost_equal(x.grad.asnumpy(), _np(case["x_grad"]), rtol=1e-4, atol=1e-5)
    for pname, p in cell.collect_params().items():
        assert_almost_equal(p.grad().asnumpy(), _np(case["grads"][pname[len(cell.prefix):]]),
                            rtol=1e-4, atol=1e-5)


def test_hybridized_conv_lstm_and_deferred_lstmp():
    """A hybridized ConvLSTM gives the eager numbers; LSTMPCell infers its input size."""
    case = RNN["Conv2DLSTMCell"]
    cell = _make("Conv2DLSTMCell")
    cell.initialize()
    for pname, p in cell.collect_params().items():
        p.set_data(mx.nd.array(_np(case["params"][pname[len(cell.prefix):]])))
    cell.hybridize()
    outs, _ = cell.unroll(3, mx.nd.array(_np(case["x"])),
                          [mx.nd.array(_np(s)) for s in case["states"]], merge_outputs=True)
    assert_almost_equal(outs.asnumpy(), _np(case["out"]), rtol=1e-5, atol=1e-5)
    lstmp = crnn.LSTMPCell(6, 2)
    lstmp.initialize()
    out, states = lstmp(mx.nd.ones((3, 7)), lstmp.begin_state(3))
    assert out.shape == (3, 2) and states[1].shape == (3, 6)
    assert lstmp.i2h_weight.shape == (24, 7)


def test_conv_cell_argument_checks():
    with pytest.raises(AssertionError, match="Only support odd number"):
        crnn.Conv2DRNNCell((1, 4, 4), 2, 3, 2)
    with pytest.raises(AssertionError, match="For 2D convolution"):
        crnn.Conv2DGRUCell((1, 4, 4), 2, (3, 3, 3), 3)
    cell = crnn.Conv1DRNNCell((2, 5), 3, 3, 3, conv_layout="NWC")
    cell.initialize()
    with pytest.raises(mx.MXNetError, match="layout"):
        cell(mx.nd.ones((1, 2, 5)), cell.begin_state(1))


def test_variational_dropout_names_and_shared_masks():
    case = RNN["VariationalDropoutCell"]
    base = gluon.rnn.LSTMCell(3, input_size=2)
    vd = crnn.VariationalDropoutCell(base, drop_inputs=0.5, drop_states=0.5,
                                     drop_outputs=0.5)
    assert list(vd.collect_params().keys()) == case["names"]
    assert repr(vd) == case["repr"] and vd.prefix == case["prefix"]
    vd.initialize()
    x = mx.nd.ones((4, 6, 2))
    for drop_states in (0.5, 0.0):       # step by step, then whole-sequence dropout
        base = gluon.rnn.LSTMCell(8, input_size=2)
        base.initialize(mx.init.Constant(0.1))
        vd = crnn.VariationalDropoutCell(base, drop_inputs=0.0, drop_states=drop_states,
                                         drop_outputs=0.5)
        with autograd.train_mode():
            outs, _ = vd.unroll(6, x, merge_outputs=True)
        zero = outs.asnumpy() == 0                # (N, T, H): one mask for all steps
        assert zero.any() and not zero.all()
        assert (zero == zero[:, :1]).all()
        outs, _ = vd.unroll(6, x, merge_outputs=True)        # inference: no dropout
        assert not (outs.asnumpy() == 0).any()
    with pytest.raises(AssertionError, match="BidirectionalCell doesn't support"):
        crnn.VariationalDropoutCell(gluon.rnn.BidirectionalCell(
            gluon.rnn.LSTMCell(2), gluon.rnn.LSTMCell(2)), drop_states=0.5)


def test_interval_sampler_matches_mxnet():
    frozen = _ALL["interval_sampler"]
    assert list(IntervalSampler(13, 3)) == frozen["13_3"]
    assert list(IntervalSampler(13, 3, rollover=False)) == frozen["13_3_norollover"]
    assert len(IntervalSampler(13, 3, rollover=False)) == frozen["len_norollover"]
    with pytest.raises(AssertionError, match="Interval 5 must be smaller"):
        IntervalSampler(4, 5)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(np.arange(6)), batch_size=3,
                                   sampler=IntervalSampler(6, 2))
    assert [b.asnumpy().tolist() for b in loader] == [[0, 2, 4], [1, 3, 5]]
