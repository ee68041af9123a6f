"""The ``mx.nd.contrib`` operators (``pymx/ops/detection.py``, ``roi_align.py``,
``contrib_layers.py``) against outputs and gradients frozen from real MXNet 1.9.1
(``tests/data/mxnet/contrib_cases.json``, made by ``tests/data/mxnet/make_contrib.py``),
plus hand-checked detection examples, the npx/sym names and errors."""
import json
import os

import numpy as np
import pytest

import pymx as mx
from pymx import autograd
from pymx.test_utils import assert_almost_equal

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet", "contrib_cases.json")
with open(DATA) as _f:
    FROZEN = json.load(_f)
CASES = FROZEN["cases"]


def arr(d):
    return np.array(d["values"], dtype=d["dtype"]).reshape(d["shape"])


def _id(c):
    return f"{c['op']}-{json.dumps(c['kwargs'], sort_keys=True)}-{c['note']}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_frozen_mxnet(case):
    ins = [mx.nd.array(arr(x), dtype=x["dtype"]) for x in case["inputs"]]
    grads = [int(i) for i in case["grads"]]
    for i in grads:
        ins[i].attach_grad()
    fn = getattr(mx.nd.contrib, case["op"])
    if grads or case["note"] != "inference" and case["op"] == "SyncBatchNorm":
        with autograd.record(train_mode=True):
            out = fn(*ins, **case["kwargs"])
    else:
        out = fn(*ins, **case["kwargs"])
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == len(case["outputs"])
    for got, want in zip(outs, case["outputs"]):
        want = arr(want)
        assert got.shape == want.shape, (got.shape, want.shape)
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        assert_almost_equal(got.asnumpy(), want, rtol=1e-4, atol=1e-5, equal_nan=True)
    if grads:
        autograd.backward(outs, [mx.nd.array(arr(h), dtype=h["dtype"])
                                 for h in case["heads"]])
        for i in grads:
            assert_almost_equal(ins[i].grad.asnumpy(), arr(case["grads"][str(i)]),
                                rtol=1e-4, atol=1e-5)


def test_npx_and_sym_names():
    from pymx import npx
    for name in ("multibox_prior", "multibox_target", "multibox_detection", "arange_like"):
        assert callable(getattr(npx, name)) and callable(getattr(mx.sym.npx, name))
    for name in ("MultiBoxPrior", "box_nms", "box_non_maximum_suppression", "ROIAlign",
                 "BilinearResize2D", "AdaptiveAvgPooling2D", "SyncBatchNorm", "quadratic"):
        assert callable(getattr(mx.nd.contrib, name)) and callable(
            getattr(mx.sym.contrib, name))


def test_multibox_prior_d2l_example():
    """d2l's anchor example: 561 x 728 feature map, sizes (0.75, 0.5, 0.25), ratios
    (1, 2, 0.5): 5 boxes per pixel; the first box at (250, 250) is centred there."""
    from pymx import np as mnp, npx
    X = mnp.zeros((1, 3, 561, 728))
    Y = npx.multibox_prior(X, sizes=[0.75, 0.5, 0.25], ratios=[1, 2, 0.5])
    assert Y.shape == (1, 2042040, 4) and isinstance(Y, mnp.ndarray)
    box = Y.reshape(561, 728, 5, 4)[250, 250, 0].asnumpy()
    assert_almost_equal(box, [0.06, 0.07, 0.63, 0.82], atol=0.01)


def test_box_nms_symbol_and_hidden_output():
    data = mx.sym.var("data")
    out = mx.sym.contrib.box_nms(data, overlap_thresh=0.5)
    assert len(out.list_outputs()) == 1
    x = np.array([[[0, 0.9, 0, 0, 1, 1], [0, 0.8, 0, 0, 1, 0.9], [1, 0.7, 2, 2, 3, 3]]],
                 np.float32)
    ex = out.bind(mx.cpu(), {"data": mx.nd.array(x)})
    got = ex.forward()[0].asnumpy()
    assert_almost_equal(got, np.array([x[0, 0], x[0, 2], [-1] * 6])[None])


def test_errors_name_the_op():
    with pytest.raises(mx.MXNetError, match="MultiBoxPrior"):
        mx.nd.contrib.MultiBoxPrior(mx.nd.zeros((2, 3)))
    with pytest.raises(mx.MXNetError, match="box_nms"):
        mx.nd.contrib.box_nms(mx.nd.zeros((2, 4)))
    with pytest.raises(mx.MXNetError, match="box_iou"):
        mx.nd.contrib.box_iou(mx.nd.zeros((2, 3)), mx.nd.zeros((2, 4)))
    with pytest.raises(mx.MXNetError, match="MultiBoxDetection"):
        mx.nd.contrib.MultiBoxDetection(mx.nd.zeros((1, 2, 3)), mx.nd.zeros((1, 8)),
                                        mx.nd.zeros((1, 3, 4)))
