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


class _Fn(gluon.HybridBlock):
    def __init__(self, fn, **kwargs):
        super().__init__(**kwargs)
        self.fn = fn

    def hybrid_forward(self, F, x, y):
        return self.fn(F, x, y)


# each: a function of (F, x, y) with x, y of shape (3, 4); the hybridized result must
# equal the imperative one in shape, dtype (except comparisons: 0/1 floats) and values
_CASES = {
    "squeeze": lambda F, x, y: F.np.squeeze(F.np.expand_dims(x, 0), axis=0),
    "ravel": lambda F, x, y: F.np.ravel(x),
    "broadcast_to": lambda F, x, y: F.np.broadcast_to(F.np.sum(x, axis=0, keepdims=True),
                                                      (3, 4)),
    "zeros": lambda F, x, y: x + F.np.zeros((3, 4)),
    "ones_like": lambda F, x, y: F.np.ones_like(x) * 2 + x,
    "full_like": lambda F, x, y: F.np.full_like(x, 3.0),
    "full": lambda F, x, y: x * F.np.full((4,), 0.5),
    "arange": lambda F, x, y: x + F.np.arange(4),
    "eye": lambda F, x, y: F.np.dot(x, F.np.eye(4)),
    "linspace": lambda F, x, y: x * F.np.linspace(0, 1, 4),
    "split": lambda F, x, y: F.np.split(x, 2, axis=1)[1],
    "argmax": lambda F, x, y: F.np.argmax(x, axis=1),
    "argmin_all": lambda F, x, y: F.np.argmin(x),
    "cumsum": lambda F, x, y: F.np.cumsum(x, axis=1),
    "sort": lambda F, x, y: F.np.sort(x, axis=1),
    "argsort": lambda F, x, y: F.np.argsort(x),
    "take": lambda F, x, y: F.np.take(x, F.np.argmax(y, axis=1), axis=1),
    "var": lambda F, x, y: F.np.var(x, axis=0),
    "std": lambda F, x, y: F.np.std(x, axis=1, keepdims=True),
    "average": lambda F, x, y: F.np.average(x, axis=0),
    "outer": lambda F, x, y: F.np.outer(F.np.sum(x, axis=0), F.np.sum(y, axis=1)),
    "sum_all": lambda F, x, y: F.np.sum(x),
    "norm_all": lambda F, x, y: F.np.linalg.norm(x),
    "norm_axis": lambda F, x, y: F.np.linalg.norm(x, axis=1),
    "norm1": lambda F, x, y: F.np.linalg.norm(x, ord=1, axis=0),
    "isnan": lambda F, x, y: F.np.isnan(F.np.log(x)),
    "isfinite": lambda F, x, y: F.np.isfinite(F.np.log(x)),
    "slicing": lambda F, x, y: x[:, 1:3] + y[1, :2] + x[-1, 2:] + y[::2, ::-2][0],
    "npx_reshape": lambda F, x, y: F.npx.reshape(x, (-2, 1, -1)),
    "npx_reshape_codes": lambda F, x, y: F.npx.reshape(F.np.expand_dims(x, 1),
                                                       (-2, -3, -6, 2, -1)),
}


@pytest.mark.parametrize("name", sorted(_CASES))
def test_more_f_np_functions_match_imperative(name):
    rng = onp.random.RandomState(0)
    x = np.array(rng.uniform(-1, 1, (3, 4)).astype("float32"))
    y = np.array(rng.uniform(-1, 1, (3, 4)).astype("float32"))
    block = _Fn(_CASES[name])
    eager = block(x, y)
    block.hybridize()
    hybrid = block(x, y)
    assert block._cached_op is not None
    assert hybrid.shape == eager.shape
    if eager.dtype != onp.bool_:
        assert hybrid.dtype == eager.dtype
    onp.testing.assert_allclose(hybrid.asnumpy().astype("float64"),
                                eager.asnumpy().astype("float64"), rtol=1e-6, atol=1e-6)


def test_np_symbols_print_as_mxnet():
    """d2l's hybridize chapter prints the traced input: ``<_Symbol data>``."""
    assert repr(mx.sym.var("data")) == "<_Symbol data>"
    npx.reset_np()
    assert repr(mx.sym.var("data")) == "<Symbol data>"
