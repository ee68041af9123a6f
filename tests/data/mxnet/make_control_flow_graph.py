"""Freeze MXNet 1.9.1's results for graph control flow (tests/test_control_flow_graph.py).

Run with MXNet 1.9.1:  python make_control_flow_graph.py   (writes control_flow_graph.json
and control_flow_net-symbol.json / -0000.params beside this file).

The net below calls F.contrib.foreach, while_loop and cond.  MXNet's *hybridized* gradients
through while_loop/cond are wrong in 1.9.1 (they differ from its own imperative run of the
same block), so the gradients frozen here come from the imperative run; the forward values
of both runs agree and are frozen from the hybridized one.
"""
import json
import os

import mxnet as mx
import numpy as np
from mxnet.gluon import nn

HERE = os.path.dirname(os.path.abspath(__file__))


class Net(nn.HybridBlock):
    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.dense = nn.Dense(3, flatten=False, in_units=3)

    def hybrid_forward(self, F, x, s):
        def body(d, st):
            h = self.dense(d) + st[0]
            return F.tanh(h), [h * 0.5]
        out, st = F.contrib.foreach(body, x, [s])

        def c(i, h):
            return i < 3

        def f(i, h):
            return [h * 2], [i + 1, h + 1]
        o2, (i, h2) = F.contrib.while_loop(c, f, [F.zeros((1,)), st[0]], max_iterations=4)
        o3 = F.contrib.cond(i.sum() > 2, lambda: h2 * 3, lambda: h2 - 1)
        return out, o2[0], o3


def run(hybridize):
    mx.random.seed(0)
    net = Net(prefix="net_")
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    x = mx.nd.array(np.arange(24).reshape(4, 2, 3) / 10.0)
    s = mx.nd.ones((2, 3))
    x.attach_grad()
    s.attach_grad()
    with mx.autograd.record():
        out, o2, o3 = net(x, s)
        loss = (out * out).sum() + (o2[:3] * o2[:3]).sum() + (o3 * o3).sum()
    loss.backward()
    res = {"out": out.asnumpy().tolist(), "o2": o2[:3].asnumpy().tolist(),
           "o3": o3.asnumpy().tolist(), "x_grad": x.grad.asnumpy().tolist(),
           "s_grad": s.grad.asnumpy().tolist(),
           "weight_grad": net.dense.weight.grad().asnumpy().tolist(),
           "bias_grad": net.dense.bias.grad().asnumpy().tolist()}
    return net, res


def symbol_foreach():
    data = mx.sym.var("data")
    out, st = mx.sym.contrib.foreach(lambda d, s: (d * 2 + s, d + s), data, mx.sym.var("s0"))
    g = mx.sym.Group([out, st])
    ex = g.bind(mx.cpu(), {"data": mx.nd.array([[1, 2], [3, 4], [5, 6]]),
                           "s0": mx.nd.array([10, 20])},
                args_grad={"data": mx.nd.zeros((3, 2)), "s0": mx.nd.zeros((2,))})
    ex.forward(is_train=True)
    outs = [o.asnumpy().tolist() for o in ex.outputs]
    ex.backward([mx.nd.array([[1, 2], [3, 4], [5, 6]]), mx.nd.array([0.5, -1])])
    return {"outputs": g.list_outputs(), "arguments": g.list_arguments(),
            "infer_shape": [list(map(list, x)) for x in g.infer_shape(data=(3, 2), s0=(2,))],
            "values": outs, "data_grad": ex.grad_dict["data"].asnumpy().tolist(),
            "s0_grad": ex.grad_dict["s0"].asnumpy().tolist()}


if __name__ == "__main__":
    net, hybrid = run(True)
    net.export(os.path.join(HERE, "control_flow_net"))
    _, imperative = run(False)
    frozen = {"forward": {k: hybrid[k] for k in ("out", "o2", "o3")},
              "gradients": {k: imperative[k] for k in imperative if k.endswith("grad")},
              "symbol_foreach": symbol_foreach()}
    with open(os.path.join(HERE, "control_flow_graph.json"), "w") as f:
        json.dump(frozen, f, indent=1)
