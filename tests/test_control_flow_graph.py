"""Graph control flow: ``mx.sym.contrib.foreach/while_loop/cond`` and hybridized blocks
calling ``F.contrib.*`` (the ``_foreach``, ``_while_loop`` and ``_cond`` operators).

Frozen data: ``tests/data/mxnet/control_flow_graph.json`` and the exported net
``control_flow_net-*`` come from MXNet 1.9.1 (``tests/data/mxnet/make_control_flow_graph.py``).
MXNet 1.9.1's hybridized gradients through while_loop/cond are wrong (they differ from its
own imperative run), so the frozen gradients are those of MXNet's imperative run; pymx
gives them hybridized too.  The gradients of the three operators are also checked against
float64 central differences here (``test_gradient_coverage.py`` points to this file).
"""
import json
import os

import numpy as np
import pytest

import pymx as mx
from pymx import autograd, nd
from pymx.gluon import nn
from pymx.test_utils import assert_almost_equal, check_numeric_gradient

DATA = os.path.join(os.path.dirname(__file__), "data", "mxnet")
with open(os.path.join(DATA, "control_flow_graph.json")) as _f:
    FROZEN = json.load(_f)


class Net(nn.HybridBlock):
    """The net of make_control_flow_graph.py: foreach, then while_loop, then cond."""

    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.dense = nn.Dense(3, flatten=False, in_units=3)

    def hybrid_forward(self, F, x, s):
        def body(d, st):
            h = self.dense(d) + st[0]
            return F.tanh(h), [h * 0.5]
        out, st = F.contrib.foreach(body, x, [s])
        o2, (i, h2) = F.contrib.while_loop(lambda i, h: i < 3,
                                           lambda i, h: ([h * 2], [i + 1, h + 1]),
                                           [F.zeros((1,)), st[0]], max_iterations=4)
        o3 = F.contrib.cond(i.sum() > 2, lambda: h2 * 3, lambda: h2 - 1)
        return out, o2[0], o3


def _inputs():
    return nd.array(np.arange(24).reshape(4, 2, 3) / 10.0), nd.ones((2, 3))


def _run(net):
    x, s = _inputs()
    x.attach_grad()
    s.attach_grad()
    with autograd.record():
        out, o2, o3 = net(x, s)
        loss = (out * out).sum() + (o2[:3] * o2[:3]).sum() + (o3 * o3).sum()
    loss.backward()
    return {"out": out, "o2": o2, "o3": o3, "x_grad": x.grad, "s_grad": s.grad}


def _net(hybridize):
    mx.random.seed(0)
    net = Net(prefix="net_")
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    return net


@pytest.mark.parametrize("hybridize", [False, True])
def test_block_matches_mxnet(hybridize):
    net = _net(hybridize)
    res = _run(net)
    fwd, grads = FROZEN["forward"], FROZEN["gradients"]
    assert_almost_equal(res["out"].asnumpy(), np.array(fwd["out"]), rtol=1e-5, atol=1e-6)
    assert_almost_equal(res["o2"][:3].asnumpy(), np.array(fwd["o2"]), rtol=1e-5, atol=1e-5)
    assert_almost_equal(res["o3"].asnumpy(), np.array(fwd["o3"]), rtol=1e-5, atol=1e-5)
    assert res["o2"].shape == (4, 2, 3)
    assert (res["o2"][3].asnumpy() == 0).all()      # padding: pymx writes zeros
    for key in ("x_grad", "s_grad"):
        assert_almost_equal(res[key].asnumpy(), np.array(grads[key]), rtol=1e-4, atol=1e-4)
    assert_almost_equal(net.dense.weight.grad().asnumpy(), np.array(grads["weight_grad"]),
                        rtol=1e-4, atol=1e-3)
    assert_almost_equal(net.dense.bias.grad().asnumpy(), np.array(grads["bias_grad"]),
                        rtol=1e-4, atol=1e-3)


def test_mxnet_export_loads_and_runs():
    """MXNet's exported JSON (nested "subgraphs", num_args counting them) runs in pymx."""
    sb = nn.SymbolBlock.imports(os.path.join(DATA, "control_flow_net-symbol.json"),
                                ["data0", "data1"],
                                os.path.join(DATA, "control_flow_net-0000.params"))
    res = _run(sb)
    assert_almost_equal(res["out"].asnumpy(), np.array(FROZEN["forward"]["out"]),
                        rtol=1e-5, atol=1e-6)
    assert_almost_equal(res["o3"].asnumpy(), np.array(FROZEN["forward"]["o3"]),
                        rtol=1e-5, atol=1e-5)
    assert_almost_equal(res["x_grad"].asnumpy(), np.array(FROZEN["gradients"]["x_grad"]),
                        rtol=1e-4, atol=1e-4)


def test_export_round_trip(tmp_path):
    net = _net(True)
    x, s = _inputs()
    want = net(x, s)
    net.export(str(tmp_path / "cf"))
    text = (tmp_path / "cf-symbol.json").read_text()
    graph = json.loads(text)
    ops = {n["op"]: n for n in graph["nodes"]}
    assert ops["_foreach"]["attrs"]["num_args"] == "5"           # 4 inputs + the body
    assert ops["_foreach"]["attrs"]["remain_locs"] == "[1, 2]"   # MXNet's list format
    assert len(ops["_cond"]["subgraphs"]) == 3
    sym = mx.sym.load(str(tmp_path / "cf-symbol.json"))
    assert sym.tojson() == text
    sb = nn.SymbolBlock.imports(str(tmp_path / "cf-symbol.json"), ["data0", "data1"],
                                str(tmp_path / "cf-0000.params"))
    for a, b in zip(sb(x, s), want):
        assert_almost_equal(a.asnumpy(), b.asnumpy())


def test_symbol_foreach_executor():
    frozen = FROZEN["symbol_foreach"]
    data = mx.sym.var("data")
    out, st = mx.sym.contrib.foreach(lambda d, s: (d * 2 + s, d + s), data, mx.sym.var("s0"))
    g = mx.sym.Group([out, st])
    assert g.list_outputs() == frozen["outputs"]
    assert g.list_arguments() == frozen["arguments"]
    shapes = g.infer_shape(data=(3, 2), s0=(2,))
    assert [list(map(list, x)) for x in shapes] == frozen["infer_shape"]
    ex = g.bind(mx.cpu(), {"data": nd.array([[1, 2], [3, 4], [5, 6]]), "s0": nd.array([10, 20])},
                args_grad={"data": nd.zeros((3, 2)), "s0": nd.zeros((2,))})
    ex.forward(is_train=True)
    for o, want in zip(ex.outputs, frozen["values"]):
        assert_almost_equal(o.asnumpy(), np.array(want))
    ex.backward([nd.array([[1, 2], [3, 4], [5, 6]]), nd.array([0.5, -1])])
    assert_almost_equal(ex.grad_dict["data"].asnumpy(), np.array(frozen["data_grad"]))
    assert_almost_equal(ex.grad_dict["s0"].asnumpy(), np.array(frozen["s0_grad"]))


# ---- hybridized equals imperative (pymx's own imperative loops) -----------------------------
class Loops(nn.HybridBlock):
    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.dense = nn.Dense(2)          # deferred: shapes come through the loop

    def hybrid_forward(self, F, x, n):
        outs, (i, h) = F.contrib.while_loop(
            lambda i, h: i < n,
            lambda i, h: ([F.tanh(self.dense(h)) + h, i], [i + 1, F.tanh(self.dense(h)) + h]),
            [F.zeros((1,)), x], max_iterations=5)
        picked = F.contrib.cond(h.sum() > 0, lambda: [h * 2, x], lambda: [h - x, x * x])
        return outs[0], outs[1], i, picked[0], picked[1]


def test_while_loop_no_step_hybridized():
    """No step ran: zero outputs of the inferred shapes (the imperative loop returns [];
    MXNet 1.9.1's graph fails, its shapes unknown)."""
    mx.random.seed(1)
    net = Loops()
    net.initialize(mx.init.Xavier())
    net.hybridize()
    x = nd.array([[0.5, -0.2], [0.1, 0.3]])
    steps, counter, i, a, b = net(x, nd.array([0]))
    assert steps.shape == (5, 2, 2) and counter.shape == (5, 1)
    assert not steps.asnumpy().any() and i.asscalar() == 0
    assert_almost_equal(a.asnumpy(), x.asnumpy() * 2)


@pytest.mark.parametrize("steps", [2, 7])
def test_while_cond_hybridized_equals_imperative(steps):
    results = []
    for hybridize in (False, True):
        mx.random.seed(1)
        net = Loops()
        net.initialize(mx.init.Xavier())
        if hybridize:
            net.hybridize()
        x = nd.array([[0.5, -0.2], [0.1, 0.3]])
        x.attach_grad()
        with autograd.record():
            outs = net(x, nd.array([steps]))
            loss = sum((o * o).sum() for o in outs)
        loss.backward()
        grads = [x.grad.asnumpy()] + [p.grad().asnumpy()
                                     for p in net.collect_params().values()]
        results.append(([o.asnumpy() for o in outs], grads))
    (o1, g1), (o2, g2) = results
    assert o2[2].item() == min(steps, 5)
    for a, b in zip(o1 + g1, o2 + g2):
        assert_almost_equal(a, b, rtol=1e-5, atol=1e-6)


def test_nested_foreach_and_closure():
    """A loop inside a loop body; the body reads an array computed before the loop."""
    def model(F, x, w):
        scale = F.exp(w)                      # outside the loops: an input of the node

        def outer(row, st):
            inner, acc = F.contrib.foreach(lambda v, a: (v * scale, [a[0] + v * scale]),
                                           row, [st[0]])
            return inner.sum(), [acc[0]]
        return F.contrib.foreach(outer, x, [F.zeros((1,), dtype="float64")])
    x, w = mx.sym.var("x"), mx.sym.var("w")
    out, st = model(mx.sym, x, w)
    sym = mx.sym.Group([out, st[0]])
    xv, wv = np.arange(6, dtype="float64").reshape(2, 3, 1) / 3, np.array([0.3])
    ex = sym.bind(mx.cpu(), {"x": nd.array(xv, dtype="float64"),
                             "w": nd.array(wv, dtype="float64")})
    ex.forward()
    o_nd, st_nd = model(nd, nd.array(xv, dtype="float64"), nd.array(wv, dtype="float64"))
    assert_almost_equal(ex.outputs[0].asnumpy(), o_nd.asnumpy())
    assert_almost_equal(ex.outputs[1].asnumpy(), st_nd[0].asnumpy())
    check_numeric_gradient(sym, {"x": xv, "w": wv}, dtype="float64", rtol=1e-5, atol=1e-7)


# ---- gradients against central differences (for test_gradient_coverage.py) -----------------
def _foreach_sym():
    data, h0, w = mx.sym.var("data"), mx.sym.var("h0"), mx.sym.var("w")
    out, st = mx.sym.contrib.foreach(lambda d, s: (mx.sym.tanh(d * w + s[0]),
                                                   [mx.sym.sin(d + s[0]) * w]),
                                     data, [h0])
    return mx.sym.Group([out, st[0]]), {"data": (4, 3), "h0": (3,), "w": (3,)}


def _while_sym():
    x, w = mx.sym.var("x"), mx.sym.var("w")
    outs, (i, h) = mx.sym.contrib.while_loop(
        lambda i, h: i < 3, lambda i, h: ([h * w], [i + 1, mx.sym.tanh(h * w + 0.5)]),
        [mx.sym.zeros((1,), dtype="float64"), x], max_iterations=4)
    return mx.sym.Group([outs[0], h]), {"x": (2, 3), "w": (2, 3)}


def _cond_sym():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    out = mx.sym.contrib.cond(mx.sym.sum(a) > 0, lambda: a * b + mx.sym.exp(b),
                              lambda: a - b * b)
    return out, {"a": (2, 2), "b": (2, 2)}


@pytest.mark.parametrize("make", [_foreach_sym, _while_sym, _cond_sym],
                         ids=["_foreach", "_while_loop", "_cond"])
@pytest.mark.parametrize("seed", [0, 1])
def test_gradient_central_differences(make, seed):
    sym, shapes = make()
    rng = np.random.RandomState(seed)
    loc = {k: rng.uniform(-1, 1, s) for k, s in shapes.items()}
    check_numeric_gradient(sym, loc, dtype="float64", rtol=1e-5, atol=1e-7)


def test_errors():
    x = mx.sym.var("x")
    with pytest.raises(ValueError):
        mx.sym.contrib.while_loop(lambda i: i < 3, lambda i: ([], [i + 1]), [x])
    with pytest.raises(ValueError):               # a loop variable func does not use
        mx.sym.contrib.while_loop(lambda i, j: i < 3, lambda i, j: ([], [i + 1, i]), [x, x],
                                  max_iterations=3)
    with pytest.raises(mx.base.MXNetError):
        mx.sym.contrib.cond(x > 0, lambda: [x, x], lambda: x)
    with pytest.raises(TypeError):
        mx.sym.contrib.cond(True, lambda: x, lambda: x)


def test_symbol_block_returns_every_output():
    """SymbolBlock on a Group returns a list (MXNet's _flatten counts a Symbol's outputs)."""
    a, b = mx.sym.var("a"), mx.sym.var("b")
    block = nn.SymbolBlock(mx.sym.Group([a * 2, a + b]), [a, b])
    for hybridize in (False, True):
        if hybridize:
            block.hybridize()
        out = block(nd.ones(2), nd.ones(2))
        assert isinstance(out, list) and len(out) == 2
        assert out[1].asnumpy().tolist() == [2.0, 2.0]
