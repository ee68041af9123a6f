"""``Crop``, ``GridGenerator``, ``BilinearSampler``, ``SpatialTransformer``, ``ROIPooling``,
``Correlation`` (``pymx/ops/spatial.py``)."""
import numpy as np
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


# ---- GridGenerator, BilinearSampler, SpatialTransformer, ROIPooling ------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: mx.nd.GridGenerator(mx.nd.ones((2, 4)), transform_type="affine",
                                 target_shape=(3, 3)),
     r"GridGenerator: transform_type='affine' needs data of shape \(batch, 6\), got \(2, 4\)"),
    (lambda: mx.nd.GridGenerator(mx.nd.ones((2, 6)), transform_type="affine"),
     r"GridGenerator: transform_type='affine' needs target_shape .* got \(0, 0\)"),
    (lambda: mx.nd.GridGenerator(mx.nd.ones((2, 3, 4, 4)), transform_type="warp"),
     r"GridGenerator: transform_type='warp' needs a flow .* got \(2, 3, 4, 4\)"),
    (lambda: mx.nd.BilinearSampler(mx.nd.ones((2, 1, 4, 4)), mx.nd.ones((3, 2, 2, 2))),
     r"BilinearSampler: needs data .* got data \(2, 1, 4, 4\) and grid \(3, 2, 2, 2\)"),
    (lambda: mx.nd.SpatialTransformer(mx.nd.ones((2, 1, 4, 4)), mx.nd.ones((2, 4)),
                                      target_shape=(2, 2), transform_type="affine",
                                      sampler_type="bilinear"),
     r"SpatialTransformer: needs data .* got data \(2, 1, 4, 4\) and loc \(2, 4\)"),
    (lambda: mx.nd.ROIPooling(mx.nd.ones((1, 1, 4, 4)), mx.nd.ones((2, 4)),
                              pooled_size=(2, 2), spatial_scale=1.0),
     r"ROIPooling: needs data \(N, C, H, W\) and rois \(R, 5\) .* rois \(2, 4\)"),
    (lambda: mx.nd.ROIPooling(mx.nd.ones((2, 1, 4, 4)), mx.nd.array([[0, 0, 0, 1, 1],
                                                                     [2, 0, 0, 1, 1]]),
                              pooled_size=(2, 2), spatial_scale=1.0),
     r"ROIPooling: rois\[1\] has batch index 2, data has batch size 2"),
    (lambda: mx.nd.Correlation(mx.nd.ones((1, 1, 4, 4)), mx.nd.ones((1, 1, 4, 5))),
     r"Correlation: data1 and data2 must be .* got \(1, 1, 4, 4\) and \(1, 1, 4, 5\)"),
    (lambda: mx.nd.Correlation(mx.nd.ones((1, 1, 4, 4)), mx.nd.ones((1, 1, 4, 4)),
                               kernel_size=2),
     r"Correlation: kernel_size must be odd, got 2"),
    (lambda: mx.nd.Correlation(mx.nd.ones((1, 1, 4, 4)), mx.nd.ones((1, 1, 4, 4)),
                               max_displacement=5),
     r"Correlation: the neighbourhood \(max_displacement=5\) .* shape \(1, 1, 4, 4\)"),
])
def test_sampling_ops_check_their_inputs(call, match):
    with pytest.raises(MXNetError, match=match):
        call()


def test_sampling_ops_infer_shapes_symbolically():
    grid = mx.sym.GridGenerator(mx.sym.var("theta"), transform_type="affine",
                                target_shape=(5, 6))
    out = mx.sym.BilinearSampler(mx.sym.var("data"), grid)
    _, shapes, _ = out.infer_shape(theta=(2, 6), data=(2, 3, 8, 8))
    assert shapes == [(2, 3, 5, 6)]
    st = mx.sym.SpatialTransformer(mx.sym.var("data"), mx.sym.var("loc"), target_shape=(4, 3),
                                   transform_type="affine", sampler_type="bilinear")
    args, shapes, _ = st.infer_shape(data=(2, 3, 8, 8))
    assert args == [(2, 3, 8, 8), (2, 6)] and shapes == [(2, 3, 4, 3)]
    roi = mx.sym.ROIPooling(mx.sym.var("data"), mx.sym.var("rois"), pooled_size=(2, 3),
                            spatial_scale=0.5)
    assert roi.infer_shape(data=(2, 4, 8, 8), rois=(7, 5))[1] == [(7, 4, 2, 3)]
    corr = mx.sym.Correlation(mx.sym.var("a"), mx.sym.var("b"), kernel_size=3,
                              max_displacement=2, stride1=2, stride2=2, pad_size=2)
    assert corr.infer_shape(a=(2, 3, 7, 8))[1] == [(2, 9, 3, 3)]


def test_identity_affine_grid_samples_the_image_back():
    """theta = [1, 0, 0, 0, 1, 0] on the input's own size reproduces the input."""
    x = mx.nd.array(np.random.RandomState(0).uniform(-1, 1, (2, 3, 4, 5)))
    theta = mx.nd.array([[1, 0, 0, 0, 1, 0]] * 2)
    y = mx.nd.SpatialTransformer(x, theta, target_shape=(4, 5), transform_type="affine",
                                 sampler_type="bilinear")
    np.testing.assert_allclose(y.asnumpy(), x.asnumpy(), rtol=1e-5, atol=1e-6)
