"""``Crop`` (``pymx/ops/spatial.py``)."""
import pytest

import legacy_frozen
import pymx as mx
from pymx.base import MXNetError


# ---- legacy ops against MXNet 1.9.1 (tests/data/mxnet/make_legacy_ops.py) ------------------
@pytest.mark.parametrize("case", legacy_frozen.cases("spatial"))
def test_legacy_ops_match_mxnet(case):
    legacy_frozen.replay(case)


@pytest.mark.parametrize("kwargs, match", [
    ({"h_w": (4, 3), "offset": (2, 0)}, r"window \(h, w\)=\(4, 3\) at offset \(y, x\)=\(2, 0\)"
                                        r" does not fit data of shape \(1, 2, 5, 6\)"),
    ({"h_w": (0, 0)}, r"window \(h, w\)=\(0, 0\)")])
def test_crop_window_must_fit(kwargs, match):
    with pytest.raises(MXNetError, match="Crop: the " + match):
        mx.nd.Crop(mx.nd.ones((1, 2, 5, 6)), **kwargs)


def test_crop_needs_4d_data():
    with pytest.raises(MXNetError, match=r"Crop: data must be 4-D .* got shape \(2, 5, 6\)"):
        mx.nd.Crop(mx.nd.ones((2, 5, 6)), h_w=(2, 2))


def test_crop_symbol_infers_the_shape_from_crop_like():
    sym = mx.sym.Crop(mx.sym.var("x"), mx.sym.var("like"), num_args=2, center_crop=True)
    _, out, _ = sym.infer_shape(x=(1, 2, 7, 8), like=(1, 1, 3, 4))
    assert out == [(1, 2, 3, 4)]
