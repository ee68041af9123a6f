"""``F.np`` in a hybridized block: ``mx.sym.np`` (``pymx/symbol/numpy.py``) gives the
same outputs and gradients as the imperative ``mx.np`` the block runs before
``hybridize()``."""
import numpy as onp
import pytest

import pymx as mx
from pymx import autograd, gluon, np, npx


@pytest.fixture(autouse=True)
def _np_mode():
    npx.set_np()
    yield
    npx.reset_np()


class NpBlock(gluon.HybridBlock):
    """A block written only with ``F.np`` functions (elementwise, broadcasting,
    reductions along an axis, shape functions, einsum, arctan2)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.w = self.params.get("w", shape=(4, 3))

    def hybrid_forward(self, F, x, w):
        h = F.np.tanh(F.np.dot(x, w))                       # (2, 3)
        h = F.np.add(F.np.multiply(h, 2.0), F.np.exp(F.np.negative(h)))
        t = F.np.transpose(F.np.reshape(h, (3, 2)), (1, 0))  # (2, 3)
        z = F.np.concatenate([h, F.np.flip(t, axis=1)], axis=1)   # (2, 6)
        e = F.np.einsum("ij,kj->ik", z, z)                  # (2, 2)
        a = F.np.arctan2(e, F.np.maximum(e, 1.0))
        s = F.np.sum(F.np.square(a), axis=1, keepdims=True)
        return F.np.subtract(F.np.mean(z, axis=0), 0.5), F.np.sqrt(s)


def _run(net, x):
    x = x.copy()
    x.attach_grad()
    with autograd.record():
        m, s = net(x)
        loss = (m * m).sum() + s.sum()
    loss.backward()
    return m.asnumpy(), s.asnumpy(), x.grad.asnumpy(), net.w.grad().asnumpy()


def test_hybridized_block_with_f_np_matches_imperative():
    mx.random.seed(0)
    net = NpBlock()
    net.initialize(mx.init.Uniform(0.5))
    x = np.array(onp.random.default_rng(1).standard_normal((2, 4)).astype("float32"))
    eager = _run(net, x)
    net.hybridize()
    hybrid = _run(net, x)
    assert net._cached_op is not None                   # really ran the graph
    for e, h in zip(eager, hybrid):
        onp.testing.assert_allclose(h.reshape(e.shape), e, rtol=1e-5, atol=1e-6)


def test_sym_np_binary_takes_scalars_on_either_side():
    x = mx.sym.var("x")
    y = mx.sym.np.subtract(1.0, mx.sym.np.power(x, 2.0))
    out = y.eval(x=mx.nd.array([1., 2., 3.]))[0]
    onp.testing.assert_allclose(out.asnumpy(), [0., -3., -8.])
