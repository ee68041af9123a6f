"""Exercise dropout_mask: the mask of ``_dropout`` in ``pymx/ops/dropout.py``.

Oracles: the definition (every output is 0 or x / (1 - p)), the law of large numbers for
the kept fraction, and the generator itself: after ``mx.random.seed(s)`` the mask is
``_uniform(mask_shape, dtype) <= 1 - p`` (MXNet's rule and stream).
"""
import numpy as np
import pytest

import pymx as mx
from pymx.ops.dropout import _uniform

from support import HEADER, check_close, src

pytestmark = pytest.mark.exercise("dropout_mask")

SNIPPET = HEADER + """x = mx.nd.array({x})
with mx.autograd.train_mode():
    y = mx.nd.Dropout(x, p={p}, axes={axes})
print(y)
"""


def dropout(x, p, axes=(), mode="training"):
    with mx.autograd.train_mode():
        return mx.nd.Dropout(mx.nd.array(x), p=p, axes=axes, mode=mode).asnumpy()


def test_outputs_are_zero_or_scaled(repro):
    x = np.arange(1, 2001, dtype=np.float32).reshape(40, 50) / 100
    repro(SNIPPET.format(x="np.arange(1, 2001, dtype=np.float32).reshape(40, 50) / 100",
                         p=0.3, axes=()), p=0.3, shape=x.shape)
    y = dropout(x, 0.3)
    assert y.shape == x.shape and y.dtype == np.float32
    kept = y != 0
    check_close(y[kept], x[kept] / np.float32(0.7), "kept elements (x / (1 - p))")
    frac = kept.mean()
    assert 0.65 < frac < 0.75, f"kept a fraction {frac:.3f} of the elements, expected ~0.7"


def test_mask_is_drawn_from_the_generator(repro):
    x = np.ones((3, 4), dtype=np.float32)
    repro(SNIPPET.format(x=src(x), p=0.5, axes=()) .replace("x = ", "mx.random.seed(7)\nx = "),
          p=0.5, seed=7)
    mx.random.seed(7)
    keep = _uniform((3, 4), np.float32) <= 0.5
    mx.random.seed(7)
    y = dropout(x, 0.5)
    check_close(y, keep * np.float32(2.0), "mask after mx.random.seed(7)")


def test_axes_share_the_mask(repro):
    x = np.ones((4, 6, 5), dtype=np.float32)
    repro(SNIPPET.format(x="np.ones((4, 6, 5), dtype=np.float32)", p=0.5, axes=(1,)),
          p=0.5, axes=(1,), shape=x.shape)
    mx.random.seed(3)
    y = dropout(x, 0.5, axes=(1,))
    assert y.shape == x.shape
    assert (y == y[:, :1, :]).all(), "with axes=(1,) the mask must be the same along axis 1"
    mx.random.seed(3)
    keep = _uniform((4, 1, 5), np.float32) <= 0.5
    check_close(y, np.broadcast_to(keep * np.float32(2.0), x.shape), "mask of shape (4, 1, 5)")


def test_p_one_drops_everything(repro):
    x = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    repro(SNIPPET.format(x=src(x), p=1.0, axes=()), p=1.0, x=x)
    y = dropout(x, 1.0)
    assert np.isfinite(y).all(), f"p=1 gave {y}: no inf or nan (1/(1-p) is not computed)"
    check_close(y, np.zeros(3, np.float32), "p = 1")


def test_mode_always_outside_training(repro):
    x = np.ones((50, 40), dtype=np.float32)
    repro(HEADER + "x = mx.nd.ones((50, 40))\nprint(mx.nd.Dropout(x, p=0.5, mode='always'))",
          p=0.5, mode="always")
    y = mx.nd.Dropout(mx.nd.array(x), p=0.5, mode="always").asnumpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.4 < (y != 0).mean() < 0.6

