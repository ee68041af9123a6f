"""Freeze MXNet 1.9.1's ONNX export for tests/test_onnx.py.

Run with the MXNet venv, after ``pip install onnx==1.13.1`` there (the newest onnx
that works with its protobuf):

    MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python tests/data/mxnet/make_onnx.py

Writes ``onnx_small.onnx`` and ``onnx_many.onnx`` (small models MXNet exported) and
``onnx_small.json`` (their inputs, MXNet's outputs, and the ONNX op types MXNet writes
for the book's LeNet).
"""
import json
import os
import tempfile

import numpy as np
import mxnet as mx
import onnx
from mxnet.gluon import nn

HERE = os.path.dirname(os.path.abspath(__file__))


def lenet_ops():
    """ONNX op types of the book's LeNet (pymx.cli.build_net('lenet')) as MXNet exports it."""
    net = nn.HybridSequential(prefix="lenet_")
    with net.name_scope():
        net.add(nn.Conv2D(20, kernel_size=5, activation="relu"),
                nn.MaxPool2D(pool_size=2, strides=2),
                nn.Conv2D(50, kernel_size=5, activation="relu"),
                nn.MaxPool2D(pool_size=2, strides=2),
                nn.Dense(500, activation="relu"),
                nn.Dense(10))
    net.initialize(mx.init.Xavier())
    net.hybridize()
    net(mx.nd.zeros((1, 1, 28, 28)))
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "lenet")
        net.export(prefix)
        path = mx.onnx.export_model(prefix + "-symbol.json", prefix + "-0000.params",
                                    in_shapes=[(1, 1, 28, 28)], in_types=np.float32,
                                    onnx_file_path=os.path.join(tmp, "lenet.onnx"))
        return [n.op_type for n in onnx.load(path).graph.node]


def small():
    data = mx.sym.var("data")
    h = mx.sym.Convolution(data, num_filter=4, kernel=(3, 3), pad=(1, 1), name="conv")
    h = mx.sym.BatchNorm(h, fix_gamma=False, name="bn")
    h = mx.sym.LeakyReLU(h, act_type="leaky", slope=0.1, name="lrelu")
    h = mx.sym.Pooling(h, kernel=(2, 2), stride=(2, 2), pool_type="avg", name="pool")
    h = mx.sym.Reshape(h, shape=(0, -1), name="reshape")
    h = mx.sym.FullyConnected(h, num_hidden=6, name="fc")
    h = mx.sym.softmax(h * 2 + 1, axis=-1, name="sm")
    args, _, auxs = h.infer_shape(data=(2, 3, 6, 6))
    rng = np.random.RandomState(1)
    params = {n: mx.nd.array(rng.randn(*s) * 0.5) for n, s in zip(h.list_arguments(), args)
              if n != "data"}
    params.update({n: mx.nd.array(rng.rand(*s) + 0.5)
                   for n, s in zip(h.list_auxiliary_states(), auxs)})
    mx.onnx.export_model(h, params, in_shapes=[(2, 3, 6, 6)],
                         onnx_file_path=os.path.join(HERE, "onnx_small.onnx"))
    x = rng.rand(2, 3, 6, 6).astype(np.float32)
    ex = h.bind(mx.cpu(), {"data": mx.nd.array(x),
                           **{k: v for k, v in params.items() if k in h.list_arguments()}},
                aux_states={k: v for k, v in params.items() if k in h.list_auxiliary_states()})
    y = ex.forward(is_train=False)[0].asnumpy()
    return x, y


def many():
    """A chain of many layer types (MXNet's exporter writes PRelu with a slope that
    ONNX Runtime refuses to broadcast; pymx's importer reads it as MXNet meant)."""
    S = mx.sym
    x = S.var("data")
    h = S.Deconvolution(x, num_filter=4, kernel=(2, 2), stride=(2, 2), no_bias=False, name="deconv")
    h = S.LeakyReLU(h, act_type="prelu", name="prelu")
    h = S.InstanceNorm(h, name="inorm")
    h = S.LeakyReLU(h, act_type="gelu") + S.LeakyReLU(h, act_type="elu", slope=0.5)
    h = S.Pad(h, mode="edge", pad_width=(0, 0, 0, 0, 1, 1, 1, 1))
    h = S.UpSampling(h, scale=2, sample_type="nearest", num_args=1)
    h = S.Pooling(h, kernel=(3, 3), stride=(2, 2), pool_type="max", pooling_convention="full")
    h = S.Concat(h, S.clip(h, -0.3, 0.3), S.zeros_like(h) + 1, dim=1)
    h = S.transpose(h, axes=(0, 2, 3, 1))
    h = S.slice_axis(h, axis=1, begin=1, end=4)
    h = S.squeeze(S.expand_dims(h, axis=1), axis=1)
    h = S.Reshape(h, shape=(0, -1))
    h = S.log_softmax(S.exp(h * 0.5) - S.abs(h) / 3, axis=-1)
    args, _, auxs = h.infer_shape(data=(2, 3, 4, 4))
    rng = np.random.RandomState(2)
    params = {n: mx.nd.array(rng.uniform(-1, 1, s)) for n, s in zip(h.list_arguments(), args)
              if n != "data"}
    mx.onnx.export_model(h, params, in_shapes=[(2, 3, 4, 4)],
                         onnx_file_path=os.path.join(HERE, "onnx_many.onnx"))
    x = rng.uniform(-2, 2, (2, 3, 4, 4)).astype(np.float32)
    ex = h.bind(mx.cpu(), {"data": mx.nd.array(x), **params})
    return x, ex.forward(is_train=False)[0].asnumpy()


if __name__ == "__main__":
    x, y = small()
    x2, y2 = many()
    with open(os.path.join(HERE, "onnx_small.json"), "w") as f:
        json.dump({"mxnet": mx.__version__, "onnx": onnx.__version__,
                   "x": x.tolist(), "y": y.tolist(), "lenet_ops": lenet_ops(),
                   "many_x": x2.tolist(), "many_y": y2.tolist()}, f)
