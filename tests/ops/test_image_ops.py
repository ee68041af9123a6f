"""``mx.nd.image`` / ``mx.sym.image`` (``pymx/ops/image.py``); values checked against
MXNet 1.9.1 (to_tensor, normalize and its gradient, flip_top_bottom, the errors)."""
import numpy as np
import pytest

import pymx as mx
from pymx.base import MXNetError
from pymx.test_utils import assert_almost_equal

IMG = np.arange(2 * 3 * 3).reshape(2, 3, 3)


def test_to_tensor():
    img = mx.nd.array(IMG, dtype="uint8")
    t = mx.nd.image.to_tensor(img)
    assert t.dtype == np.float32 and t.shape == (3, 2, 3)
    assert_almost_equal(t.asnumpy(), IMG.transpose(2, 0, 1) / 255.0)
    assert mx.nd.image.to_tensor(mx.nd.stack(img, img)).shape == (2, 3, 2, 3)
    s = mx.sym.image.to_tensor(mx.sym.var("d"))
    assert s.infer_shape(d=(4, 5, 3))[1] == [(3, 4, 5)]
    with pytest.raises(MXNetError):
        mx.nd.image.to_tensor(mx.nd.ones((3, 3)))


def test_normalize_and_its_gradient():
    t = mx.nd.image.to_tensor(mx.nd.array(IMG, dtype="uint8"))
    n = mx.nd.image.normalize(t, mean=(0.1, 0.2, 0.3), std=(0.5, 0.25, 2))
    # frozen from MXNet 1.9.1
    assert_almost_equal(n.asnumpy()[:, 0], [[-0.2, -0.1765, -0.1529],
                                            [-0.7843, -0.7373, -0.6902],
                                            [-0.1461, -0.1402, -0.1343]], atol=1e-4)
    assert_almost_equal(mx.nd.image.normalize(t, mean=0.5, std=2).asnumpy(),
                        (t.asnumpy() - 0.5) / 2)
    x = t.copy()
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.image.normalize(x, mean=(0.1, 0.2, 0.3), std=(0.5, 0.25, 2))
    y.backward(mx.nd.ones_like(y))
    assert_almost_equal(x.grad.asnumpy()[:, 0, 0], [2., 4., 0.5])
    with pytest.raises(MXNetError):       # MXNet's 4-value defaults fit no image
        mx.nd.image.normalize(t)
    with pytest.raises(MXNetError):
        mx.nd.image.normalize(mx.nd.ones((2, 3, 3)), mean=0.1, std=1)


def test_flips():
    img = mx.nd.array(IMG)
    assert mx.nd.image.flip_top_bottom(img).asnumpy().tolist() == IMG[::-1].tolist()
    assert mx.nd.image.flip_left_right(img).asnumpy().tolist() == IMG[:, ::-1].tolist()
    with pytest.raises(MXNetError):       # MXNet: one (H, W, C) image only
        mx.nd.image.flip_left_right(mx.nd.stack(img, img))
