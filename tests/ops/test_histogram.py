"""``_histogram`` and the Python ``histogram`` wrapper (``pymx/ops/histogram.py``)."""
import contextlib

import numpy as np
import pytest

import legacy_frozen
import pymx as mx
from pymx.base import MXNetError

histogram = mx.nd.histogram


# ---- against MXNet 1.9.1's mx.nd.histogram (tests/data/mxnet/make_legacy_ops.py) -----------
@pytest.mark.parametrize("case", legacy_frozen.cases("histogram"))
def test_histogram_matches_mxnet(case):
    xs = [legacy_frozen._array(spec) for spec in case["inputs"]]
    kw = case["kwargs"]
    rng = None if kw["range"] is None else tuple(kw["range"])
    numpy_side = rng is None and len(xs) == 1           # MXNet warns and asks NumPy
    with pytest.warns(UserWarning, match="range is not specified") if numpy_side else \
            contextlib.nullcontext():
        outs = histogram(xs[0], bins=xs[1] if len(xs) == 2 else kw["bins"], range=rng)
    assert len(outs) == 2
    for j, (o, spec) in enumerate(zip(outs, case["outputs"])):
        legacy_frozen._check(o, spec, f"histogram output {j}")


def test_symbol_histogram_infers_shapes_and_types():
    sym_histogram = mx.sym.histogram
    out = sym_histogram(mx.sym.var("a"), bins=4, range=(0, 1))
    assert out.infer_shape(a=(3, 5))[1] == [(4,), (5,)]
    assert [np.dtype(t) for t in out.infer_type(a="float64")[1]] == [np.int64, np.float64]
    with pytest.raises(ValueError, match="null range is not supported in symbol mode"):
        sym_histogram(mx.sym.var("a"), bins=4)


@pytest.mark.parametrize("call, match", [
    (lambda: histogram(mx.nd.ones(3), bins=3, range=(5, 1)),
     r"_histogram: range \(lo, hi\) needs lo <= hi, got \(5.0, 1.0\)"),
    (lambda: histogram(mx.nd.ones(3), bins=0, range=(0, 1)),
     r"_histogram: without a bins array, needs bin_cnt >= 1 .* bin_cnt=0"),
    (lambda: histogram(mx.nd.ones(3), bins=mx.nd.array([0, 1], dtype="float64")),
     r"_histogram: bins must be 1-D .* data's dtype float32; got shape \(2,\), float64"),
])
def test_bad_arguments_are_reported(call, match):
    with pytest.raises(MXNetError, match=match):
        call()


def test_bins_must_be_an_int_or_an_array():
    with pytest.raises(ValueError, match="bins argument should be either an integer"):
        histogram(mx.nd.ones(3), bins=[0, 1, 2])
