"""Write ``parity_model_zoo.json`` with **real MXNet 1.9.1**: for every name
``gluon.model_zoo.vision.get_model`` accepts, a compact fingerprint of the network.

Per model (built with ``classes=10``, resnets with ``thumbnail=True``, after
``mx.random.seed(0)``):

* ``repr_sha1``/``repr_lines``: ``print(net)`` text;
* ``params_sha1``/``n_params``/``first``/``last``: ``collect_params()`` in order, each as
  ``"name shape dtype grad_req"`` with shapes from ``net.infer_shape`` (no forward), for
  the net built with ``prefix="net_"``; ``prefix_hint``: the automatic prefix's stem;
* ``out``: the output (batch 2, rounded to 6 decimals) of ``net.initialize(Xavier())``
  on ``mx.nd.random.uniform`` input of side ``size`` (the smallest the net accepts);
* ``export_ops``/``export_nodes``: the op sequence and node count of ``net.export``'s
  JSON after ``hybridize()``.

    MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python tests/data/mxnet/make_parity_model_zoo.py
"""
import hashlib
import json
import os
import tempfile

import mxnet as mx
from mxnet.gluon.model_zoo import vision

HERE = os.path.dirname(os.path.abspath(__file__))
assert mx.__version__ == "1.9.1", mx.__version__

NAMES = (["alexnet"] + ["densenet%d" % n for n in (121, 161, 169, 201)] + ["inceptionv3"]
         + ["mobilenet%s" % m for m in ("1.0", "0.75", "0.5", "0.25")]
         + ["mobilenetv2_%s" % m for m in ("1.0", "0.75", "0.5", "0.25")]
         + ["resnet%d_v%d" % (n, v) for v in (1, 2) for n in (18, 34, 50, 101, 152)]
         + ["squeezenet1.0", "squeezenet1.1"]
         + ["vgg%d%s" % (n, bn) for n in (11, 13, 16, 19) for bn in ("", "_bn")])


def size_of(name):
    """The smallest convenient input side: the fixed final pools of DenseNet (7),
    SqueezeNet (13) and Inception (8) need the full 224/299 input."""
    if name == "inceptionv3":
        return 299
    if name.startswith(("densenet", "squeezenet")):
        return 224
    return 64 if name == "alexnet" else 32


def kwargs_of(name):
    return dict(classes=10, thumbnail=True) if name.startswith("resnet") else dict(classes=10)


def sha1(text):
    return hashlib.sha1(text.encode()).hexdigest()


def param_lines(net):
    return ["%s %s %s %s" % (k, tuple(p.shape), p.dtype.__name__ if isinstance(p.dtype, type)
                             else str(p.dtype), p.grad_req)
            for k, p in net.collect_params().items()]


def fingerprint(name, tmp):
    size = size_of(name)
    rec = {"size": size, "kwargs": kwargs_of(name)}
    # a fixed top-level prefix makes every parameter name independent of earlier nets
    shaped = vision.get_model(name, prefix="net_", **kwargs_of(name))
    shaped.initialize()
    shaped.infer_shape(mx.nd.zeros((1, 3, size, size)))   # (this can draw random numbers)
    lines = param_lines(shaped)
    rec.update(params_sha1=sha1("\n".join(lines)), n_params=len(lines), first=lines[0],
               last=lines[-1])
    mx.random.seed(0)
    net = vision.get_model(name, **kwargs_of(name))
    rec["repr_sha1"] = sha1(repr(net))
    rec["repr_lines"] = repr(net).count("\n") + 1
    rec["prefix_hint"] = type(net).__name__.lower()     # automatic prefix: hint + count + "_"
    net.initialize(mx.init.Xavier())
    x = mx.nd.random.uniform(shape=(2, 3, size, size))
    out = net(x).asnumpy()
    rec["out_shape"] = list(out.shape)
    rec["out"] = [round(float(v), 6) for v in out.ravel()]
    net.hybridize()
    net(x)
    net.export(os.path.join(tmp, name))
    with open(os.path.join(tmp, name + "-symbol.json")) as f:
        nodes = json.load(f)["nodes"]
    rec["export_nodes"] = len(nodes)
    rec["export_ops_sha1"] = sha1(" ".join(n["op"] for n in nodes))
    rec["export_op_counts"] = {op: sum(n["op"] == op for n in nodes)
                               for op in sorted({n["op"] for n in nodes})}
    return rec


if __name__ == "__main__":
    tmp = tempfile.mkdtemp()
    out = {}
    for name in NAMES:
        out[name] = fingerprint(name, tmp)
        print(name, out[name]["n_params"], out[name]["export_nodes"], flush=True)
    with open(os.path.join(HERE, "parity_model_zoo.json"), "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
