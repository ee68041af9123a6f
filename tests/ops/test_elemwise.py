"""Elementwise ops added for MXNet parity: ``hard_sigmoid``, ``amp_cast``, ``amp_multicast``,
``cast_storage`` (``pymx/ops/elemwise.py``)."""
import numpy as np
import pytest

import legacy_frozen
import pymx as mx
from pymx.base import MXNetError


# ---- legacy ops against MXNet 1.9.1 (tests/data/mxnet/make_legacy_ops.py) ------------------
@pytest.mark.parametrize("case", legacy_frozen.cases("elemwise"))
def test_legacy_ops_match_mxnet(case):
    legacy_frozen.replay(case)


def test_hard_sigmoid_gradient_is_zero_outside_the_open_interval():
    x = mx.nd.array([-2.5, 2.5, 0.0])             # z = 0, 1, 0.5 with the defaults
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.hard_sigmoid(x)
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [0.0, 0.0, 0.2], rtol=1e-6)


def test_amp_multicast_symbol_type_inference():
    sym = mx.sym.amp_multicast(mx.sym.var("a"), mx.sym.var("b"), mx.sym.var("c"),
                               num_outputs=3)
    _, out, _ = sym.infer_type(a="float16", b="float32", c="float64")
    assert out == [np.float32, np.float32, np.float64]


@pytest.mark.parametrize("stype", ["csr", "row_sparse"])
def test_cast_storage_to_sparse_gives_sparse_arrays(stype):
    """(tests/test_sparse.py checks the parts against MXNet 1.9.1.)"""
    out = mx.nd.cast_storage(mx.nd.ones((2, 3)), stype=stype)
    assert out.stype == stype and out.asnumpy().tolist() == [[1, 1, 1]] * 2
    with pytest.raises(MXNetError, match="cast_storage: csr.*\\(2, 3, 1\\)"):
        mx.nd.cast_storage(mx.nd.ones((2, 3, 1)), stype="csr")


def test_rint_sends_halves_down_as_mxnet():
    """MXNet 1.9.1's ``rint`` takes floor on a tie (``a - floor <= ceil - a``), unlike
    IEEE rint; ``round`` sends halves away from zero.  Values printed by MXNet 1.9.1."""
    x = mx.nd.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, 2.6, -2.6])
    np.testing.assert_array_equal(mx.nd.rint(x).asnumpy(),
                                  [-3, -2, -1, 0, 1, 2, 2, 3, -3])
    np.testing.assert_array_equal(mx.nd.round(x).asnumpy(),
                                  [-3, -2, -1, 1, 2, 3, 2, 3, -3])
