"""ONNX export/import (``mx.onnx``, ``mx.contrib.onnx``).

Differential: each converter's model is exported, run in ONNX Runtime and compared with
pymx's own forward (which other tests check against MXNet); then imported back and run
in pymx.  ``tests/data/mxnet/onnx_small.onnx`` was written by real MXNet 1.9.1.
"""
import json
import os

import numpy as np
import pytest

import pymx as mx
from pymx.base import MXNetError
from pymx.onnx.import_ import import_model, import_to_gluon

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

DATA = os.path.join(os.path.dirname(__file__), "data", "mxnet")


# ---- helpers ---------------------------------------------------------------------------
def _random_params(sym, shapes, rng):
    """Random arguments (not data, not labels) and positive auxiliary states."""
    arg_shapes, _, aux_shapes = sym.infer_shape(**shapes)
    params = {}
    for name, shape in zip(sym.list_arguments(), arg_shapes):
        if name not in shapes and not name.endswith("_label"):
            params[name] = mx.nd.array(rng.uniform(-1, 1, shape))
    for name, shape in zip(sym.list_auxiliary_states(), aux_shapes):
        params[name] = mx.nd.array(rng.uniform(0.5, 1.5, shape))
    return params


def _forward(sym, feed, params):
    """pymx's inference forward of ``sym`` (labels, if any, are zeros)."""
    args = {**feed, **{k: v for k, v in params.items() if k in sym.list_arguments()}}
    arg_shapes, _, _ = sym.infer_shape(**{k: v.shape for k, v in feed.items()})
    for name, shape in zip(sym.list_arguments(), arg_shapes):
        if name not in args:
            args[name] = mx.nd.zeros(shape)
    aux = {k: v for k, v in params.items() if k in sym.list_auxiliary_states()}
    ex = sym.bind(mx.cpu(), args, aux_states=aux, grad_req="null")
    return [o.asnumpy() for o in ex.forward(is_train=False)]


def _roundtrip(sym, shapes, tmp_path, low=-2.0, high=2.0, data=None, rtol=1e-4, atol=1e-5):
    """Export ``sym``, check the model, compare ONNX Runtime and the re-imported
    symbol with pymx's forward.  Returns the ONNX model."""
    rng = np.random.RandomState(0)
    params = _random_params(sym, shapes, rng)
    data = data or {k: rng.uniform(low, high, s).astype(np.float32) for k, s in shapes.items()}
    path = str(tmp_path / "m.onnx")
    assert mx.onnx.export_model(sym, params, list(shapes.values()), onnx_file_path=path) == path
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    expected = _forward(sym, {k: mx.nd.array(v, dtype=v.dtype) for k, v in data.items()}, params)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = sess.run(None, data)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)
    sym2, arg2, aux2 = import_model(path)
    back = _forward(sym2, {k: mx.nd.array(v, dtype=v.dtype) for k, v in data.items()},
                    {**arg2, **aux2})
    for b, e in zip(back, expected):
        np.testing.assert_allclose(b, e, rtol=rtol, atol=atol)
    return model


def _ops(model):
    return [n.op_type for n in model.graph.node]


X = mx.sym.var("data")
S = mx.sym

# (id, symbol, input shape, kwargs of _roundtrip)
CASES = [
    ("fc", S.FullyConnected(X, num_hidden=5, name="fc"), (2, 3, 4), {}),
    ("fc_no_flatten", S.FullyConnected(X, num_hidden=5, flatten=False), (2, 3, 4), {}),
    ("fc_no_bias", S.FullyConnected(X, num_hidden=5, no_bias=True), (2, 6), {}),
    ("fc_no_flatten_no_bias", S.FullyConnected(X, num_hidden=3, flatten=False, no_bias=True),
     (2, 3, 4), {}),
    ("conv1d", S.Convolution(X, num_filter=4, kernel=(3,), stride=(2,), pad=(1,)), (2, 3, 10), {}),
    ("conv2d_group_dilate", S.Convolution(X, num_filter=6, kernel=(3, 3), num_group=2,
                                          dilate=(2, 2), pad=(2, 1), stride=(1, 2)),
     (2, 4, 9, 9), {}),
    ("conv3d_no_bias", S.Convolution(X, num_filter=2, kernel=(3, 3, 3), no_bias=True),
     (1, 2, 5, 5, 5), {}),
    ("deconv", S.Deconvolution(X, num_filter=4, kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                               adj=(1, 1), no_bias=False), (2, 3, 5, 5), {}),
    ("deconv_group", S.Deconvolution(X, num_filter=6, kernel=(2, 2), num_group=3),
     (1, 3, 4, 4), {}),
    ("deconv1d", S.Deconvolution(X, num_filter=2, kernel=(3,), stride=(2,)), (1, 3, 6), {}),
] + [
    (f"act_{a}", S.Activation(X, act_type=a), (2, 7), {})
    for a in ("relu", "sigmoid", "tanh", "softrelu", "softsign")
] + [
    ("leaky", S.LeakyReLU(X, act_type="leaky", slope=0.1), (2, 7), {}),
    ("elu", S.LeakyReLU(X, act_type="elu", slope=0.7), (2, 7), {}),
    ("prelu", S.LeakyReLU(X, act_type="prelu", name="pr"), (2, 3, 4, 4), {}),
    ("prelu_2d", S.LeakyReLU(X, act_type="prelu"), (2, 5), {}),
    ("selu", S.LeakyReLU(X, act_type="selu"), (2, 7), {}),
    ("gelu", S.LeakyReLU(X, act_type="gelu"), (2, 7), {}),
    ("relu_op", S.relu(S.sigmoid(X)), (2, 3), {}),
    ("maxpool", S.Pooling(X, kernel=(2, 2), stride=(2, 2), pool_type="max"), (2, 3, 6, 6), {}),
    ("maxpool_full", S.Pooling(X, kernel=(3, 3), stride=(2, 2), pool_type="max",
                               pooling_convention="full"), (1, 2, 6, 6), {}),
    ("avgpool_pad", S.Pooling(X, kernel=(3, 3), stride=(1, 1), pad=(1, 1), pool_type="avg"),
     (1, 2, 5, 5), {}),
    ("avgpool_pad_exclude", S.Pooling(X, kernel=(3, 3), pad=(1, 1), pool_type="avg",
                                      count_include_pad=False), (1, 2, 5, 5), {}),
    ("avgpool_1d", S.Pooling(X, kernel=(2,), stride=(2,), pool_type="avg"), (1, 2, 6), {}),
    ("global_max", S.Pooling(X, kernel=(1, 1), global_pool=True, pool_type="max"),
     (2, 3, 4, 5), {}),
    ("global_avg", S.Pooling(X, kernel=(1, 1), global_pool=True, pool_type="avg"),
     (2, 3, 4, 5), {}),
    ("batchnorm_fix_gamma", S.BatchNorm(X, name="bn"), (2, 3, 4, 4), {}),
    ("batchnorm", S.BatchNorm(X, fix_gamma=False, eps=1e-5), (2, 3, 4, 4), {}),
    ("batchnorm_global_stats", S.BatchNorm(X, fix_gamma=False, use_global_stats=True),
     (2, 3), {}),
    ("flatten", S.Flatten(X), (2, 3, 4), {}),
    ("dropout", S.Dropout(X, p=0.5) * 1, (2, 3), {}),
    ("softmax", S.softmax(X, axis=1), (2, 3, 4), {}),
    ("softmax_temperature", S.softmax(X, temperature=2.0), (2, 5), {}),
    ("log_softmax", S.log_softmax(X), (2, 5), {}),
    ("softmax_output", S.SoftmaxOutput(X, name="softmax"), (2, 3, 2), {}),
    ("softmax_output_multi", S.SoftmaxOutput(X, multi_output=True), (2, 3, 2), {}),
    ("softmax_output_preserve", S.SoftmaxOutput(X, preserve_shape=True), (2, 3, 2), {}),
    ("softmax_act_instance", S.SoftmaxActivation(X), (2, 3, 2), {}),
    ("softmax_act_channel", S.SoftmaxActivation(X, mode="channel"), (2, 3, 2), {}),
    ("elemwise", S.elemwise_div(S.elemwise_mul(S.elemwise_sub(S.elemwise_add(X, X), S.abs(X)),
                                               X), S.exp(X)), (2, 3), {}),
    ("broadcast", S.broadcast_maximum(S.broadcast_power(S.abs(X), S.sum(X, axis=1, keepdims=True)
                                                        * 0.1),
                                      S.broadcast_minimum(X, S.mean(X, axis=0, keepdims=True))),
     (3, 4), {}),
    ("broadcast_arith", S.broadcast_div(S.broadcast_sub(S.broadcast_add(X, S.max(X, axis=1,
                                                                                 keepdims=True)),
                                                        S.min(X, axis=0, keepdims=True)),
                                        S.exp(S.broadcast_mul(X, X))), (3, 4), {}),
    ("scalars", 2 ** (((3 - (X + 1)) * 2 - 0.5) / 4) + 1 / (X ** 2 + 1) + S.maximum(X, 0.3)
     + S.minimum(X, -0.2), (2, 3), {}),
    ("concat", S.Concat(X, S.exp(X), X, dim=1), (2, 3, 2), {}),
    ("reshape_0_m1", S.Reshape(X, shape=(0, -1)), (2, 3, 4), {}),
    ("reshape_m3", S.Reshape(X, shape=(-3, -2)), (2, 3, 4), {}),
    ("reshape_m4", S.Reshape(X, shape=(0, -4, 2, -1, 0)), (2, 6, 4), {}),
    ("reshape_reverse", S.Reshape(X, shape=(-1, 0), reverse=True), (2, 3, 4), {}),
    ("transpose", S.transpose(X, axes=(1, 0, 2)) + S.transpose(S.transpose(X)), (3, 3, 3), {}),
    ("unary", S.sqrt(S.abs(X)) + S.log(S.square(X) + 1) - S.negative(X), (2, 5), {}),
    ("clip", S.clip(X, -0.5, 0.7), (2, 5), {}),
    ("reduce", S.sum(X, axis=(1, 2)) + S.mean(X, axis=0, exclude=True) + S.max(X, axis=(1, 2))
     - S.min(X, axis=(1, 2)), (2, 3, 4), {}),
    ("reduce_all", S.sum(X) + S.mean(X, keepdims=False), (2, 3), {}),
    ("layernorm", S.LayerNorm(X, name="ln"), (2, 3, 4), {}),
    ("layernorm_axis1", S.LayerNorm(X, axis=1), (2, 3, 4), {}),
    ("slice_axis", S.slice_axis(X, axis=1, begin=1, end=3) + S.slice_axis(X, axis=1, begin=-2,
                                                                           end=None),
     (2, 4), {}),
    ("expand_squeeze", S.squeeze(S.expand_dims(X, axis=1), axis=1) + S.squeeze(
        S.expand_dims(X, axis=-1)), (2, 3), {}),
    ("copy", S._copy(X) + S.identity(X) + S.BlockGrad(X), (2, 3), {}),
    ("cast", S.Cast(S.Cast(X * 10, dtype="int32"), dtype="float32"), (2, 3), {}),
    ("zeros_ones_like", S.zeros_like(X) + S.ones_like(X) * 2 + X, (2, 3), {}),
    ("instance_norm", S.InstanceNorm(X, eps=1e-3), (2, 3, 4, 4), {}),
    ("l2norm_instance", S.L2Normalization(X), (2, 3, 4), {}),
    ("l2norm_channel", S.L2Normalization(X, mode="channel"), (2, 3, 4), {}),
    ("l2norm_spatial", S.L2Normalization(X, mode="spatial"), (2, 3, 2, 2), {}),
    ("lrn", S.LRN(X, nsize=3, alpha=0.01, beta=0.5, knorm=1.5), (2, 5, 3, 3), {}),
    ("upsampling", S.UpSampling(X, scale=2, sample_type="nearest", num_args=1), (1, 2, 3, 3), {}),
    ("pad_constant", S.Pad(X, mode="constant", pad_width=(0, 0, 0, 0, 1, 2, 2, 1),
                           constant_value=0.5), (1, 2, 3, 3), {}),
    ("pad_edge", S.Pad(X, mode="edge", pad_width=(0, 0, 0, 0, 1, 1, 2, 2)), (1, 2, 3, 3), {}),
    ("pad_reflect", S.Pad(X, mode="reflect", pad_width=(0, 0, 0, 0, 1, 1, 2, 2)),
     (1, 2, 3, 3), {}),
    ("add_n", S.add_n(X, X * 2, X * 3), (2, 3), {}),
    ("split", S.split(X, num_outputs=2, axis=1), (2, 4, 3), {}),
    ("split_squeeze_used", S.elemwise_add(*S.split(X, num_outputs=2, axis=2, squeeze_axis=True)),
     (2, 3, 2), {}),
    ("dot", S.dot(X, S.var("w", shape=(3, 4))), (2, 3), {}),
    ("batch_dot", S.batch_dot(X, X, transpose_b=True), (2, 3, 4), {}),
]


@pytest.mark.parametrize("name,sym,shape,kw", CASES, ids=[c[0] for c in CASES])
def test_converter(name, sym, shape, kw, tmp_path):
    _roundtrip(sym, {"data": shape}, tmp_path, **kw)


def test_embedding(tmp_path):
    sym = mx.sym.Embedding(X, input_dim=7, output_dim=3, name="emb")
    idx = np.array([[0, 3, 6], [2, 2, 1]], dtype=np.float32)
    model = _roundtrip(sym, {"data": (2, 3)}, tmp_path, data={"data": idx})
    assert _ops(model) == ["Cast", "Gather"]


def test_log_sqrt_of_positive_input(tmp_path):
    _roundtrip(mx.sym.log(X) + mx.sym.sqrt(X) + mx.sym.rsqrt(X) + mx.sym.reciprocal(X),
               {"data": (2, 3)}, tmp_path, low=0.5, high=2.0)


def test_two_inputs_and_two_outputs(tmp_path):
    a, b = mx.sym.var("a"), mx.sym.var("b")
    sym = mx.sym.Group([mx.sym.broadcast_add(a, b, name="s"), mx.sym.elemwise_mul(a, a, name="p")])
    model = _roundtrip(sym, {"a": (2, 3), "b": (1, 3)}, tmp_path)
    assert [i.name for i in model.graph.input] == ["a", "b"]
    assert [o.name for o in model.graph.output] == ["s", "p"]


# ---- the model's structure ---------------------------------------------------------------
def test_mapping_and_names(tmp_path):
    h = mx.sym.Convolution(X, num_filter=4, kernel=(3, 3), name="conv")
    h = mx.sym.BatchNorm(h, name="bn")
    h = mx.sym.Activation(h, act_type="relu", name="relu")
    h = mx.sym.FullyConnected(h, num_hidden=2, name="fc")
    model = _roundtrip(h, {"data": (1, 2, 5, 5)}, tmp_path)
    assert _ops(model) == ["Conv", "BatchNormalization", "Relu", "Flatten", "Gemm"]
    assert model.opset_import[0].version == 13
    assert [i.name for i in model.graph.input] == ["data"]
    assert [o.name for o in model.graph.output] == ["fc"]      # "fc_output" without "_output"
    out = model.graph.output[0].type.tensor_type
    assert [d.dim_value for d in out.shape.dim] == [1, 2]
    inits = {t.name for t in model.graph.initializer}
    # fix_gamma=True: the stored gamma is replaced by ones and not written
    assert {"conv_weight", "conv_bias", "bn_beta", "bn_moving_mean", "fc_weight"} <= inits
    assert "bn_gamma" not in inits


def test_fix_gamma_ignores_stored_gamma(tmp_path):
    sym = mx.sym.BatchNorm(X, name="bn")                 # fix_gamma=True by default
    params = {"bn_gamma": mx.nd.array([5.0, 7.0]), "bn_beta": mx.nd.array([0.5, -1.0]),
              "bn_moving_mean": mx.nd.array([1.0, 2.0]), "bn_moving_var": mx.nd.array([4.0, 9.0])}
    path = mx.onnx.export_model(sym, params, [(1, 2, 1, 1)], onnx_file_path=str(tmp_path / "b.onnx"))
    x = np.array([3.0, 5.0], np.float32).reshape(1, 2, 1, 1)
    y = ort.InferenceSession(path).run(None, {"data": x})[0].reshape(-1)
    np.testing.assert_allclose(y, [(3 - 1) / np.sqrt(4 + 1e-3) + 0.5,
                                   (5 - 2) / np.sqrt(9 + 1e-3) - 1.0], rtol=1e-5, atol=1e-6)


def test_dynamic_batch(tmp_path):
    sym = mx.sym.FullyConnected(mx.sym.Reshape(X, shape=(0, -1)), num_hidden=3, name="fc")
    params = _random_params(sym, {"data": (2, 2, 2)}, np.random.RandomState(0))
    path = mx.onnx.export_model(sym, params, [(2, 2, 2)], onnx_file_path=str(tmp_path / "d.onnx"),
                                dynamic=True, dynamic_input_shapes=[(None, 2, 2)])
    model = onnx.load(path)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert not dims[0].HasField("dim_value") and [d.dim_value for d in dims[1:]] == [2, 2]
    x = np.random.RandomState(1).rand(5, 2, 2).astype(np.float32)
    got = ort.InferenceSession(path).run(None, {"data": x})[0]
    np.testing.assert_allclose(got, _forward(sym, {"data": mx.nd.array(x)}, params)[0],
                               rtol=1e-5, atol=1e-6)


def test_export_from_files_and_contrib_alias(tmp_path, capsys):
    sym = mx.sym.FullyConnected(X, num_hidden=2, name="fc")
    params = _random_params(sym, {"data": (1, 3)}, np.random.RandomState(0))
    prefix = str(tmp_path / "m")
    sym.save(prefix + "-symbol.json")
    mx.nd.save(prefix + "-0000.params", {"arg:" + k: v for k, v in params.items()})
    path = mx.onnx.export_model(prefix + "-symbol.json", prefix + "-0000.params",
                                in_shapes=[(1, 3)], in_types=[np.float32],
                                onnx_file_path=str(tmp_path / "f.onnx"))
    # the old names input_shape/input_type, the [arg_params, aux_params] form and the alias
    path2 = mx.contrib.onnx.export_model(sym, [params, {}], input_shape=[(1, 3)],
                                         input_type=np.float32,
                                         onnx_file_path=str(tmp_path / "g.onnx"))
    assert "mxnet.onnx.export_model is the preferred path" in capsys.readouterr().out
    x = np.ones((1, 3), np.float32)
    a = ort.InferenceSession(path).run(None, {"data": x})[0]
    b = ort.InferenceSession(path2).run(None, {"data": x})[0]
    np.testing.assert_array_equal(a, b)


def test_errors(tmp_path):
    with pytest.raises(MXNetError, match="topk"):
        sym = mx.sym.topk(X, k=2)
        mx.onnx.export_model(sym, {}, [(2, 5)], onnx_file_path=str(tmp_path / "e.onnx"))
    with pytest.raises(MXNetError, match="sum"):
        mx.onnx.export_model(mx.sym.Pooling(X, kernel=(2, 2), pool_type="sum"), {},
                             [(1, 1, 4, 4)], onnx_file_path=str(tmp_path / "e.onnx"))
    with pytest.raises(ValueError):
        mx.onnx.export_model(X, "not a dict", [(1,)], onnx_file_path=str(tmp_path / "e.onnx"))
    assert "Convolution" in mx.onnx.get_operator_support()


def test_missing_onnx_package_is_named(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "onnx" or name.startswith("onnx."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="pip install onnx"):
        mx.onnx.export_model(X, {}, [(1,)])


# ---- import ------------------------------------------------------------------------------
def test_metadata_and_import_to_gluon(tmp_path, capsys):
    h = mx.sym.Convolution(X, num_filter=3, kernel=(3, 3), name="conv")
    h = mx.sym.BatchNorm(h, fix_gamma=False, name="bn")
    h = mx.sym.FullyConnected(h, num_hidden=4, name="fc")
    rng = np.random.RandomState(0)
    params = _random_params(h, {"data": (2, 1, 5, 5)}, rng)
    path = mx.onnx.export_model(h, params, [(2, 1, 5, 5)], onnx_file_path=str(tmp_path / "m.onnx"))
    meta = mx.contrib.onnx.get_model_metadata(path)
    assert meta == {"input_tensor_data": [("data", (2, 1, 5, 5), 1)],
                    "output_tensor_data": [("fc", (2, 4))]}
    sym, arg_params, aux_params = mx.contrib.onnx.import_model(path)
    assert sorted(aux_params) == ["bn_moving_mean", "bn_moving_var"]
    assert sorted(arg_params) == ["bn_beta", "bn_gamma", "conv_bias", "conv_weight",
                                  "fc_bias", "fc_weight"]
    assert sym.list_outputs() == ["fc_output"]
    net = mx.contrib.onnx.import_to_gluon(path, mx.cpu())
    assert isinstance(net, mx.gluon.SymbolBlock)
    out = capsys.readouterr().out
    assert out.count("Calling mxnet.contrib.onnx.") == 3
    x = rng.rand(2, 1, 5, 5).astype(np.float32)
    expected = _forward(h, {"data": mx.nd.array(x)}, params)[0]
    np.testing.assert_allclose(net(mx.nd.array(x)).asnumpy(), expected, rtol=1e-5, atol=1e-6)


def test_import_model_written_by_mxnet():
    """``onnx_small.onnx`` was exported by real MXNet 1.9.1 (onnx 1.13.1, opset 18) by
    ``make_onnx.py``: Conv, BatchNorm, LeakyReLU, avg Pooling, Reshape, FullyConnected
    (which MXNet writes with Shape/Slice/Concat arithmetic), scalar ops and softmax."""
    with open(os.path.join(DATA, "onnx_small.json")) as f:
        frozen = json.load(f)
    path = os.path.join(DATA, "onnx_small.onnx")
    sym, arg_params, aux_params = import_model(path)
    x = np.array(frozen["x"], np.float32)
    y = _forward(sym, {"data": mx.nd.array(x)}, {**arg_params, **aux_params})[0]
    np.testing.assert_allclose(y, np.array(frozen["y"]), rtol=1e-5, atol=1e-6)
    # the op types MXNet 1.9.1 writes for the book's LeNet, and what pymx writes
    assert frozen["lenet_ops"] == ["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool",
                                   "Flatten", "Gemm", "Relu", "Flatten", "Gemm"]


def test_import_many_layers_written_by_mxnet():
    """``onnx_many.onnx`` (MXNet 1.9.1, opset 18): ConvTranspose, PRelu, InstanceNorm,
    GELU, Elu, Pad, Resize, MaxPool(ceil), Clip, ConstantOfShape, Concat, Transpose,
    Slice, Unsqueeze/Squeeze, Reshape, LogSoftmax, compared with MXNet's forward."""
    with open(os.path.join(DATA, "onnx_small.json")) as f:
        frozen = json.load(f)
    sym, arg_params, aux_params = import_model(os.path.join(DATA, "onnx_many.onnx"))
    y = _forward(sym, {"data": mx.nd.array(frozen["many_x"])}, {**arg_params, **aux_params})[0]
    np.testing.assert_allclose(y, np.array(frozen["many_y"]), rtol=1e-5, atol=1e-5)


# ---- end to end: Gluon nets ------------------------------------------------------------------
def _export_gluon(net, shape, tmp_path):
    x = mx.nd.array(np.random.RandomState(0).uniform(-1, 1, shape))
    net.hybridize()
    y = net(x).asnumpy()
    prefix = str(tmp_path / "net")
    net.export(prefix)
    path = mx.onnx.export_model(prefix + "-symbol.json", prefix + "-0000.params", [shape],
                                np.float32, str(tmp_path / "net.onnx"))
    onnx.checker.check_model(onnx.load(path))
    return path, x, y


def test_lenet_end_to_end(tmp_path):
    from pymx.cli import build_net
    net = build_net("lenet")
    net.initialize(mx.init.Xavier())
    path, x, y = _export_gluon(net, (2, 1, 28, 28), tmp_path)
    model = onnx.load(path)
    assert _ops(model) == ["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool",
                           "Flatten", "Gemm", "Relu", "Flatten", "Gemm"]
    got = ort.InferenceSession(path).run(None, {"data": x.asnumpy()})[0]
    np.testing.assert_allclose(got, y, rtol=1e-4, atol=1e-5)
    net2 = import_to_gluon(path, mx.cpu())
    np.testing.assert_allclose(net2(x).asnumpy(), y, rtol=1e-4, atol=1e-5)


def test_resnet18_end_to_end(tmp_path):
    from pymx.gluon.model_zoo import vision
    net = vision.resnet18_v1(classes=10)
    net.initialize(mx.init.Xavier())
    net(mx.nd.zeros((1, 3, 32, 32)))             # finish the deferred initialisation
    # non-trivial running statistics, so BatchNorm's inference path matters
    for name, p in net.collect_params().items():
        if name.endswith("running_var"):
            p.set_data(mx.nd.array(np.random.RandomState(1).uniform(0.5, 2, p.shape)))
    path, x, y = _export_gluon(net, (1, 3, 32, 32), tmp_path)
    got = ort.InferenceSession(path).run(None, {"data": x.asnumpy()})[0]
    np.testing.assert_allclose(got, y, rtol=1e-3, atol=1e-4)
    sym, arg_params, aux_params = import_model(path)
    back = _forward(sym, {"data": x}, {**arg_params, **aux_params})[0]
    np.testing.assert_allclose(back, y, rtol=1e-3, atol=1e-4)
