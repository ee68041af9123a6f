"""A hybridized ``foreach`` (the ``_foreach`` operator running its subgraph) on the
OpenCL context gives the NumPy context's outputs and gradients: the subgraph runs on
the node's own backend."""
import numpy as np
import pytest

pytest.importorskip("pyopencl")

import pymx as mx  # noqa: E402
from pymx.base import MXNetError  # noqa: E402
from pymx.gluon import nn  # noqa: E402
from pymx.test_utils import assert_almost_equal  # noqa: E402


class Recurrent(nn.HybridBlock):
    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.dense = nn.Dense(3, flatten=False, in_units=3)

    def hybrid_forward(self, F, x, s):
        def body(d, st):
            h = self.dense(d) + st[0]
            return F.tanh(h), [h * 0.5]
        return F.contrib.foreach(body, x, [s])[0]


def _run(ctx):
    mx.random.seed(0)
    net = Recurrent(prefix="rec_")
    net.initialize(mx.init.Xavier(), ctx=ctx)
    net.hybridize()
    x = mx.nd.array(np.arange(24).reshape(4, 2, 3) / 10.0, ctx=ctx)
    x.attach_grad()
    with mx.autograd.record():
        out = net(x, mx.nd.ones((2, 3), ctx=ctx))
    out.backward()
    return out.asnumpy(), x.grad.asnumpy(), net.dense.weight.grad().asnumpy()


def test_foreach_on_opencl_matches_numpy():
    try:
        mx.opencl(0).backend
    except MXNetError as err:
        pytest.skip(f"no OpenCL device: {err}")
    for a, b in zip(_run(mx.cpu()), _run(mx.opencl(0))):
        assert_almost_equal(a, b, rtol=1e-5, atol=1e-6)
