"""gluon.model_zoo.vision against real MXNet 1.9.1, for every name ``get_model`` accepts.

The frozen data (tests/data/mxnet/parity_model_zoo.json, written with real MXNet by
tests/data/mxnet/make_parity_model_zoo.py) fingerprints each net built with
``classes=10`` (resnets ``thumbnail=True``) after ``mx.random.seed(0)``: its ``print``
text, its parameters in order (name, shape after ``infer_shape``, dtype, grad_req), the
output of a seeded ``Xavier`` initialisation on a seeded random input (pymx reproduces
MXNet's random streams, so the weights and outputs agree to float32 rounding), and the op
sequence of ``export``.  Also: hybridized == imperative, the star-exported names, and
``pretrained=True`` without the weights file raising MXNet's (offline) ``ConnectionError``.

The heavy nets are marked slow (run them with ``-m slow``)."""
import hashlib
import json
import re
import os

import numpy as np
import pytest

import pymx as mx
from pymx.gluon.model_zoo import model_store, vision

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet")
with open(os.path.join(DATA, "parity_model_zoo.json")) as _f:
    FROZEN = json.load(_f)

HEAVY = {"densenet121", "densenet161", "densenet169", "densenet201", "inceptionv3",
         "resnet101_v1", "resnet152_v1", "resnet101_v2", "resnet152_v2", "squeezenet1.0"} | \
    {n for n in FROZEN if n.startswith("vgg")}
NAMES = [pytest.param(n, marks=pytest.mark.slow) if n in HEAVY else n for n in sorted(FROZEN)]


def _sha1(text):
    return hashlib.sha1(text.encode()).hexdigest()


def _param_lines(net):
    """``"name shape dtype grad_req"`` per parameter, as the generator writes them."""
    return ["%s %s %s %s" % (k, tuple(p.shape), p.dtype.__name__ if isinstance(p.dtype, type)
                             else str(p.dtype), p.grad_req)
            for k, p in net.collect_params().items()]


def test_every_mxnet_name_is_covered():
    assert sorted(vision._MODELS) == sorted(FROZEN)


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_repr_and_parameters_match_mxnet(name):
    ref = FROZEN[name]
    net = vision.get_model(name, **ref["kwargs"])
    text = repr(net)
    assert (text.count("\n") + 1, _sha1(text)) == (ref["repr_lines"], ref["repr_sha1"])
    assert re.fullmatch(ref["prefix_hint"] + r"\d+_", net.prefix)
    net = vision.get_model(name, prefix="net_", **ref["kwargs"])
    net.initialize()
    net.infer_shape(mx.nd.zeros((1, 3, ref["size"], ref["size"])))
    lines = _param_lines(net)
    assert (len(lines), lines[0], lines[-1]) == (ref["n_params"], ref["first"], ref["last"])
    assert _sha1("\n".join(lines)) == ref["params_sha1"]
    # running statistics are not trained (nor is the input BatchNorm of ResNetV2, which has
    # scale=False, center=False: its gamma/beta are 'null' too, covered by params_sha1)
    assert all(p.grad_req == "null" for k, p in net.collect_params().items()
               if k.endswith(("running_mean", "running_var")))


@pytest.mark.parametrize("name", NAMES)
def test_seeded_xavier_output_and_export_match_mxnet(name, tmp_path):
    ref = FROZEN[name]
    size = ref["size"]
    mx.random.seed(0)
    net = vision.get_model(name, **ref["kwargs"])
    net.initialize(mx.init.Xavier())
    x = mx.nd.random.uniform(shape=(2, 3, size, size))
    out = net(x).asnumpy()
    assert list(out.shape) == ref["out_shape"] and out.dtype == np.float32
    np.testing.assert_allclose(out.ravel(), ref["out"], rtol=1e-3, atol=2e-5)
    net.hybridize()
    np.testing.assert_allclose(net(x).asnumpy(), out, rtol=1e-4, atol=1e-5)
    net.export(str(tmp_path / name))
    with open(tmp_path / (name + "-symbol.json")) as f:
        ops = [n["op"] for n in json.load(f)["nodes"]]
    assert {op: ops.count(op) for op in sorted(set(ops))} == ref["export_op_counts"]
    assert (len(ops), _sha1(" ".join(ops))) == (ref["export_nodes"], ref["export_ops_sha1"])


def test_star_exports_match_mxnet():
    # frozen from MXNet 1.9.1: these live in their modules but are not in ``vision``
    for hidden in ("get_densenet", "get_squeezenet", "RELU6", "LinearBottleneck"):
        assert not hasattr(vision, hidden), hidden
    import importlib
    assert importlib.import_module("pymx.gluon.model_zoo.vision.densenet").get_densenet
    assert importlib.import_module("pymx.gluon.model_zoo.vision.mobilenet").RELU6
    # ``vision.alexnet`` is the function (star import rebinds it), ``vision.mobilenet`` the module
    assert callable(vision.alexnet) and not hasattr(vision.alexnet, "__file__")
    assert vision.mobilenet.__name__.endswith("vision.mobilenet")


def test_short_hash_and_pretrained_without_weights(tmp_path, monkeypatch):
    # frozen from MXNet 1.9.1's model_store
    assert model_store.short_hash("resnet18_v1") == "a0666292"
    assert model_store.short_hash("mobilenetv2_0.25") == "ae8f9392"
    assert sorted(model_store._model_sha1) == sorted(vision._MODELS)
    with pytest.raises(ValueError):
        model_store.short_hash("resnet19_v1")
    # MXNet tries to download and, offline, raises requests' ConnectionError (an OSError)
    monkeypatch.setenv("MXNET_HOME", str(tmp_path / "home"))
    with pytest.raises(OSError) as info:
        vision.get_model("resnet18_v1", pretrained=True)
    assert type(info.value).__name__ == "ConnectionError"
    assert isinstance(info.value, mx.base.MXNetError)
    assert "resnet18_v1-a0666292.params" in str(info.value)
    assert str(tmp_path / "home" / "models") in str(info.value)


def test_pretrained_loads_the_official_file_name_and_purge(tmp_path):
    mx.random.seed(0)
    src = vision.get_model("mobilenet0.25")
    src.initialize(mx.init.Xavier())
    x = mx.nd.random.uniform(shape=(1, 3, 32, 32))
    ref = src(x).asnumpy()
    path = tmp_path / ("mobilenet0.25-%s.params" % model_store.short_hash("mobilenet0.25"))
    src.save_parameters(str(path))
    assert model_store.get_model_file("mobilenet0.25", root=str(tmp_path)) == str(path)
    net = vision.get_model("mobilenet0.25", pretrained=True, root=str(tmp_path), ctx=mx.cpu())
    np.testing.assert_allclose(net(x).asnumpy(), ref, rtol=1e-6)
    model_store.purge(str(tmp_path))
    assert os.listdir(tmp_path) == []
    with pytest.raises(FileNotFoundError):
        model_store.purge(str(tmp_path / "missing"))
