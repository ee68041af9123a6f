"""``mx.npx.random``: MXNet 1.9.1's extra samplers (``bernoulli``, ``uniform_n``,
``normal_n``) and ``seed``.

They draw on the host generator of ``mx.random`` (seeded by ``seed``): MXNet's shapes
and dtypes, not MXNet's numbers.  ``uniform_n``/``normal_n`` put ``batch_shape`` in
front of the parameters' broadcast shape: ``normal_n(np.zeros(3), 1, (2,))`` has shape
(2, 3).
"""
import numpy as _onp

from .. import random as _mx_random
from ..ndarray.ndarray import NDArray
from ..numpy.random import _host

__all__ = ["seed", "bernoulli", "uniform_n", "normal_n"]

seed = _mx_random.seed


def bernoulli(prob=None, logit=None, size=None, dtype=None, ctx=None, out=None):
    """1 with probability ``prob`` (or ``sigmoid(logit)``), else 0; float32 unless
    ``dtype``.  Exactly one of ``prob`` and ``logit`` must be given (ValueError)."""
    if (prob is None) == (logit is None):
        raise ValueError(f"Either `prob` or `logit` must be specified, but not both. "
                         f"Received prob={prob}, logit={logit}")
    if prob is None:
        logit = logit.asnumpy() if isinstance(logit, NDArray) else logit
        prob = 1.0 / (1.0 + _onp.exp(-_onp.asarray(logit, dtype=_onp.float64)))
        if prob.ndim == 0:
            prob = float(prob)
        else:
            from ..numpy.creation import array
            prob = array(prob, dtype=_onp.float64)
    return _host(lambda g, p, n: (g.random(n) < p), (prob,), None if size == () else size,
                 dtype, ctx, out)


def _batch(batch_shape, *params):
    shapes = [p.shape if isinstance(p, NDArray) else () for p in params]
    batch = () if batch_shape is None else \
        (batch_shape,) if isinstance(batch_shape, int) else tuple(batch_shape)
    return batch + tuple(_onp.broadcast_shapes(*shapes))


def uniform_n(low=0.0, high=1.0, batch_shape=None, dtype=None, ctx=None):
    """Uniform samples on [low, high) of shape ``batch_shape + broadcast(low, high)``."""
    return _host(lambda g, a, b, n: g.uniform(a, b, n), (low, high),
                 _batch(batch_shape, low, high), dtype, ctx, None)


def normal_n(loc=0.0, scale=1.0, batch_shape=None, dtype=None, ctx=None):
    """N(loc, scale^2) samples of shape ``batch_shape + broadcast(loc, scale)``."""
    return _host(lambda g, m, s, n: g.normal(m, s, n), (loc, scale),
                 _batch(batch_shape, loc, scale), dtype, ctx, None)
