"""``IdentityAttachKLSparseReg`` (``pymx/ops/regularization.py``)."""
import numpy as np
import pytest

import legacy_frozen
import pymx as mx
from pymx.base import MXNetError


# ---- legacy ops against MXNet 1.9.1 (tests/data/mxnet/make_legacy_ops.py) ------------------
@pytest.mark.parametrize("case", legacy_frozen.cases("regularization"))
def test_legacy_ops_match_mxnet(case):
    legacy_frozen.replay(case)


def test_moving_avg_is_not_updated_outside_training():
    avg = mx.nd.array([0.5, 0.5])
    y = mx.nd.IdentityAttachKLSparseReg(mx.nd.array([[0.1, 0.9]]), avg)
    np.testing.assert_array_equal(avg.asnumpy(), [0.5, 0.5])
    np.testing.assert_allclose(y.asnumpy(), [[0.1, 0.9]], rtol=1e-6)


def test_shapes_are_checked():
    with pytest.raises(MXNetError, match=r"IdentityAttachKLSparseReg: data must be 2-D .*"
                                         r"data \(2, 3\) and moving_avg \(2,\)"):
        mx.nd.IdentityAttachKLSparseReg(mx.nd.ones((2, 3)), mx.nd.ones(2))
