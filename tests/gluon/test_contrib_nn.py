"""gluon.contrib.nn against real MXNet 1.9.1: parameter names, repr, outputs,
gradients, hybridized symbol JSON and warnings frozen in tests/data/mxnet/
gluon_contrib.json (written by tests/data/mxnet/make_gluon_contrib.py)."""
import json
import os
import re
import warnings

import numpy as np
import pytest

import pymx as mx
from pymx import autograd, gluon
from pymx.gluon import nn
from pymx.gluon.contrib import nn as cnn
from pymx.test_utils import assert_almost_equal

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet")
with open(os.path.join(DATA, "gluon_contrib.json")) as _f:
    NN = json.load(_f)["nn"]


def _np(d):
    return np.array(d["values"], dtype=np.float32).reshape(d["shape"])


def _renamed(case, block):
    """``case`` with MXNet's automatic prefix (``syncbatchnorm1_``: its counter depends
    on what was made before) replaced by ``block``'s."""
    text = json.dumps(case)
    theirs = re.search(type(block).__name__.lower() + r"\d+_", text).group(0)
    return json.loads(text.replace(theirs, block.prefix))


def _set_params(block, values):
    for name, p in block.collect_params().items():
        p.set_data(mx.nd.array(_np(values[name[len(block.prefix):]])))


def _check_run(block, case, x):
    """Forward + backward of sum(out * head) against the frozen case."""
    x = mx.nd.array(x)
    x.attach_grad()
    with autograd.record():
        out = block(x)
        (out * mx.nd.array(_np(case["head"]))).sum().backward()
    assert_almost_equal(out.asnumpy(), _np(case["out"]), rtol=1e-5, atol=1e-5)
    assert_almost_equal(x.grad.asnumpy(), _np(case["x_grad"]), rtol=1e-5, atol=1e-5)
    for name, p in block.collect_params().items():
        if p.grad_req != "null":
            assert_almost_equal(p.grad().asnumpy(), _np(case["grads"][name[len(block.prefix):]]),
                                rtol=1e-4, atol=1e-5)


def _symbol(block, x):
    block.hybridize()
    block(mx.nd.array(x))
    return json.loads(block._cached_graph[1].tojson())


def _same_graph(ours, theirs):
    assert ours["nodes"] == theirs["nodes"]
    assert ours["arg_nodes"] == theirs["arg_nodes"]
    assert ours["heads"] == theirs["heads"]


@pytest.mark.parametrize("kind", ["HybridConcurrent", "Concurrent"])
def test_concurrent_matches_mxnet(kind):
    case = NN[kind]
    net = getattr(cnn, kind)(axis=1, prefix=kind.lower() + "_")
    with net.name_scope():
        net.add(nn.Dense(4, in_units=3), nn.Dense(2, in_units=3, activation="relu"),
                cnn.Identity())
    net.initialize()
    assert list(net.collect_params().keys()) == case["names"]
    assert repr(net) == case["repr"]
    _set_params(net, case["params"])
    x = _np(case["x"])
    _check_run(net, case, x)
    assert net(mx.nd.array(x)).shape == (2, 4 + 2 + 3)
    if kind == "HybridConcurrent":
        _same_graph(_symbol(net, x), case["symbol"])
        _check_run(net, case, x)                       # hybridized: same numbers


@pytest.mark.parametrize("kind", ["PixelShuffle1D", "PixelShuffle2D", "PixelShuffle3D"])
def test_pixel_shuffle_matches_mxnet(kind):
    factor = NN[kind]["factor"]
    blk = getattr(cnn, kind)(factor if isinstance(factor, int) else tuple(factor))
    case = _renamed(NN[kind], blk)
    assert repr(blk) == case["repr"]
    x = _np(case["x"])
    assert_almost_equal(blk(mx.nd.array(x)).asnumpy(), _np(case["out"]), rtol=0, atol=0)
    _same_graph(_symbol(blk, x), case["symbol"])
    assert_almost_equal(blk(mx.nd.array(x)).asnumpy(), _np(case["out"]), rtol=0, atol=0)


def test_pixel_shuffle_2d_is_the_documented_permutation():
    """out[n, c, h*f1 + i, w*f2 + j] = x[n, (c*f1 + i)*f2 + j, h, w]."""
    f1, f2, c, h, w = 2, 3, 2, 3, 4
    x = np.arange(c * f1 * f2 * h * w, dtype=np.float32).reshape(1, c * f1 * f2, h, w)
    out = cnn.PixelShuffle2D((f1, f2))(mx.nd.array(x)).asnumpy()
    expect = x.reshape(1, c, f1, f2, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(
        1, c, h * f1, w * f2)
    assert np.array_equal(out, expect)
    with pytest.raises(AssertionError, match="wrong length 3"):
        cnn.PixelShuffle2D((1, 2, 3))


def test_sparse_embedding_matches_mxnet():
    emb = cnn.SparseEmbedding(10, 4)
    case = _renamed(NN["SparseEmbedding"], emb)
    emb.initialize()
    assert list(emb.collect_params().keys()) == case["names"]
    assert repr(emb) == case["repr"]
    _set_params(emb, case["params"])
    with autograd.record():
        out = emb(mx.nd.array(_np(case["x"])))
        (out * mx.nd.array(_np(case["head"]))).sum().backward()
    assert_almost_equal(out.asnumpy(), _np(case["out"]), rtol=0, atol=0)
    # MXNet's gradient is row_sparse; densified it is ours (unused rows are 0)
    assert case["grad_stype"] == "row_sparse"
    assert_almost_equal(emb.weight.grad().asnumpy(), _np(case["weight_grad"]),
                        rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("key", ["SyncBatchNorm", "SyncBatchNorm_noscale"])
def test_sync_batch_norm_matches_mxnet(key):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        bn = cnn.SyncBatchNorm(in_channels=3, scale=NN[key]["scale"])
    case = _renamed(NN[key], bn)
    assert [str(m.message) for m in w] == case["warnings"]
    bn.initialize()
    assert list(bn.collect_params().keys()) == case["names"]
    assert repr(bn) == case["repr"]
    _set_params(bn, case["params"])
    x = _np(case["x"])
    _check_run(bn, case["train"], x)
    assert_almost_equal(bn.running_mean.data().asnumpy(), _np(case["running_mean"]),
                        rtol=1e-5, atol=1e-6)
    assert_almost_equal(bn.running_var.data().asnumpy(), _np(case["running_var"]),
                        rtol=1e-5, atol=1e-6)
    assert_almost_equal(bn(mx.nd.array(x)).asnumpy(), _np(case["predict"]),
                        rtol=1e-5, atol=1e-5)
    _same_graph(_symbol(bn, x), case["symbol"])
    assert_almost_equal(bn(mx.nd.array(x)).asnumpy(), _np(case["predict"]),
                        rtol=1e-5, atol=1e-5)


def test_sync_batch_norm_is_batch_norm_on_one_device():
    """Same outputs and gradients as nn.BatchNorm; the third output is the variance."""
    rng = np.random.RandomState(1)
    x = rng.uniform(-2, 2, (5, 3, 4)).astype(np.float32)
    outs = []
    for layer in (nn.BatchNorm(in_channels=3), cnn.SyncBatchNorm(in_channels=3,
                                                                 num_devices=1)):
        layer.initialize()
        xa = mx.nd.array(x)
        xa.attach_grad()
        with autograd.record():
            y = layer(xa)
            (y * y).sum().backward()
        outs.append((y.asnumpy(), xa.grad.asnumpy(), layer.gamma.grad().asnumpy(),
                     layer.running_var.data().asnumpy()))
    for ours, ref in zip(*outs):
        assert_almost_equal(ours, ref, rtol=1e-5, atol=1e-5)
    g, b = mx.nd.ones(3), mx.nd.zeros(3)
    with autograd.train_mode():
        _, mean, var = mx.nd.contrib.SyncBatchNorm(mx.nd.array(x), g, b, mx.nd.zeros(3),
                                                   mx.nd.ones(3), key="k",
                                                   output_mean_var=True)
    assert_almost_equal(mean.asnumpy(), x.mean(axis=(0, 2)), rtol=1e-5, atol=1e-6)
    assert_almost_equal(var.asnumpy(), x.var(axis=(0, 2)), rtol=1e-4, atol=1e-6)


def test_sync_batch_norm_bad_input():
    g = mx.nd.ones(3)
    with pytest.raises(mx.MXNetError, match="SyncBatchNorm.*at least 2 dimensions"):
        mx.nd.contrib.SyncBatchNorm(mx.nd.ones((3,)), g, g, g, g, key="k")
    with pytest.raises(mx.MXNetError, match="SyncBatchNorm: gamma must have shape"):
        mx.nd.contrib.SyncBatchNorm(mx.nd.ones((2, 4)), g, g, g, g, key="k")


def test_densenet_uses_contrib_blocks():
    """The model zoo's concatenating blocks are gluon.contrib.nn's, as in MXNet."""
    from pymx.gluon.model_zoo.vision import _common
    assert _common.HybridConcurrent is cnn.HybridConcurrent
    assert _common.Identity is cnn.Identity
    assert isinstance(gluon.contrib.nn.Identity(), gluon.HybridBlock)
