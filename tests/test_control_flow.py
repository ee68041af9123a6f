"""``mx.nd.contrib.foreach`` / ``while_loop`` / ``cond`` (``pymx/ndarray/control_flow.py``):
outputs and gradients through them against real MXNet 1.9.1 (the ``control_flow`` part of
``tests/data/mxnet/contrib_cases.json``, made by ``tests/data/mxnet/make_contrib.py``;
both run the programs of ``tests/data/mxnet/control_flow_bodies.py``)."""
import importlib.util
import json
import os

import numpy as np
import pytest

import pymx as mx
from pymx import autograd, nd
from pymx.test_utils import assert_almost_equal

DATA = os.path.join(os.path.dirname(__file__), "data", "mxnet", "contrib_cases.json")
with open(DATA) as _f:
    CF = json.load(_f)["control_flow"]
_spec = importlib.util.spec_from_file_location(
    "control_flow_bodies", os.path.join(os.path.dirname(DATA), "control_flow_bodies.py"))
bodies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bodies)


def arr(d):
    return np.array(d["values"], dtype=d["dtype"]).reshape(d["shape"])


def test_foreach_rnn_like_body_and_gradients():
    c = CF["foreach"]
    x, h0, w = (nd.array(arr(c[k])) for k in ("x", "h0", "w"))
    for a in (x, h0, w):
        a.attach_grad()
    outs, state = bodies.rnn_foreach(nd, autograd, x, h0, w)
    assert_almost_equal(outs.asnumpy(), arr(c["outs"]), rtol=1e-5, atol=1e-6)
    assert_almost_equal(state.asnumpy(), arr(c["state"]), rtol=1e-5, atol=1e-6)
    for a, g in zip((x, h0, w), c["grads"]):
        assert_almost_equal(a.grad.asnumpy(), arr(g), rtol=1e-4, atol=1e-5)


def test_foreach_lists_of_data_outputs_and_states():
    c = CF["foreach2"]
    outs, st = bodies.two_sequence_foreach(nd, nd.array(arr(CF["foreach"]["x"])),
                                           nd.array(arr(c["y"])))
    for got, want in zip(outs + st, c["outs"] + c["states"]):
        assert_almost_equal(got.asnumpy(), arr(want), rtol=1e-5, atol=1e-6)


def test_while_loop_stops_on_cond_pads_and_differentiates():
    c = CF["while_loop"]
    v = nd.array([1.5])
    v.attach_grad()
    outs, final = bodies.accumulate_while(nd, autograd, v)
    steps = int(final[0].asscalar())
    assert outs[0].shape == (8, 1) and steps == 4
    # the steps taken match MXNet; MXNet leaves the padding undefined, pymx zeros it
    assert_almost_equal(outs[0].asnumpy()[:steps], arr(c["outs"])[:steps])
    assert (outs[0].asnumpy()[steps:] == 0).all()
    for got, want in zip(final, c["final"]):
        assert_almost_equal(got.asnumpy(), arr(want))
    assert_almost_equal(v.grad.asnumpy(), arr(c["grad_v"]))


def test_while_loop_max_iterations_and_errors():
    outs, i = nd.contrib.while_loop(lambda i: i < 100, lambda i: (i * 1, i + 1),
                                    nd.array([0.0]), max_iterations=3)
    assert i.asscalar() == 3 and outs.shape == (3, 1)
    with pytest.raises(ValueError, match="max_iterations"):
        nd.contrib.while_loop(lambda i: i < 1, lambda i: (None, i), [nd.array([0.0])])
    with pytest.raises(ValueError, match="consistent"):
        nd.contrib.while_loop(lambda i, j: i < 1, lambda i, j: (None, [i + 1]),
                              [nd.array([0.0]), nd.array([0.0])], max_iterations=2)


@pytest.mark.parametrize("key,limit", [("cond_then", 5), ("cond_else", 7)])
def test_cond_runs_one_branch_with_gradients(key, limit):
    c = CF[key]
    a, b = nd.array([2.0]), nd.array([3.0])
    a.attach_grad()
    b.attach_grad()
    got = bodies.branch(nd, autograd, a, b, limit)
    assert len(got) == len(c["out"])
    for g, w in zip(got, c["out"]):
        assert_almost_equal(g.asnumpy(), arr(w))
    assert_almost_equal(a.grad.asnumpy(), arr(c["ga"]))
    assert_almost_equal(b.grad.asnumpy(), arr(c["gb"]))


def test_foreach_in_a_gluon_block_before_hybridize():
    class Cumsum(mx.gluon.Block):
        """Running sum over axis 0 with foreach."""

        def forward(self, x):
            outs, _ = nd.contrib.foreach(lambda d, s: (d + s[0], [d + s[0]]), x,
                                         [nd.zeros(x.shape[1:])])
            return outs

    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert_almost_equal(Cumsum()(nd.array(x)).asnumpy(), np.cumsum(x, 0))
