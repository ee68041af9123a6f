"""Freeze MXNet 1.9.1's answers for tests/symbol/test_mxnet_parity_symbolic.py.

Run with the real MXNet:
    MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python tests/data/mxnet/make_parity_symbolic.py
It writes parity_symbolic.json beside this file.  Every case below is a function of
the ``mx`` module, so the test runs the very same code on pymx and compares.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- attribute order: MXNet lists attributes in its unordered_map's order ----------
def attrs_variable(mx):
    a = mx.sym.var("a", shape=(2, 3), dtype="float32", lr_mult=2.0, wd_mult=0.5,
                   init=mx.init.One())
    return list(a.list_attr().items())


def attrs_convolution(mx):        # 11 attributes: the map grows from 11 to 23 buckets
    s = mx.sym.Convolution(mx.sym.var("data"), kernel=(3, 3), stride=(1, 1),
                           dilate=(1, 1), pad=(1, 1), num_filter=2, num_group=1,
                           workspace=512, no_bias=True, cudnn_tune="off",
                           cudnn_off=True, layout="NCHW", name="c")
    return list(s.attr_dict().items())


def attrs_batchnorm(mx):          # the aux variables get __init__ last
    s = mx.sym.BatchNorm(mx.sym.var("data"), eps=1e-3, momentum=0.8, fix_gamma=False,
                         use_global_stats=True, name="bn")
    return list(s.attr_dict().items())


def attrs_embedding_dtype_last(mx):
    s = mx.sym.Embedding(mx.sym.var("data"), dtype="float16", input_dim=10,
                         output_dim=3, sparse_grad=True, name="e")
    return list(s.attr_dict().items())


def attrs_scope(mx):              # AttrScope attributes reach the weights too
    with mx.AttrScope(ctx_group="dev1", lr_mult="0.1"):
        s = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2, name="fa")
    return list(s.attr_dict().items())


def attrs_concat(mx):
    return list(mx.sym.concat(mx.sym.var("x"), mx.sym.var("y"), dim=1,
                              name="cc").list_attr().items())


def attrs_many_keys(mx):
    rng = random.Random(7)
    out = []
    for n in (3, 10, 11, 12, 23, 24, 40):
        v = mx.sym.var("v")
        keys = ["__k%d_%d__" % (rng.randint(0, 999), i) for i in range(n)]
        v._set_attr(**{k: "x" for k in keys})
        out.append(list(v.list_attr()))
    return out


# ---- automatic names ------------------------------------------------------------------
def auto_names(mx):
    a, b = mx.sym.var("a"), mx.sym.var("b")
    syms = [a + b, a - 1, 1 - a, a * 2, 2 / a, a ** 2, 2 ** a, -a, a == 1, a != 1,
            a > 1, a >= 1, a < 1, a <= 1, mx.sym.maximum(a, b), mx.sym.maximum(a, 1),
            mx.sym.minimum(1, a), mx.sym.pow(a, b), mx.sym.pow(2, a), mx.sym.power(a, 3),
            mx.sym.hypot(a, 2), mx.sym.eye(3), mx.sym.linspace(0, 1, 5)]
    return [s.name for s in syms]


def attrs_python_strings(mx):     # MXNet stores str(value) as the caller wrote it
    import numpy as np
    d = mx.sym.var("d")
    syms = [mx.sym.reshape(d, shape=[2, -1]), mx.sym.transpose(d, axes=[1, 0]),
            mx.sym.sum(d, axis=1), mx.sym.sum(d, axis=(np.int64(0), 1)),
            mx.sym.ones(4), mx.sym.arange(1, 5, 2, dtype="int32"), d + np.float32(0.1),
            mx.sym.Cast(d, dtype=np.float16), mx.sym.norm(d, ord=2, axis=1),
            mx.sym.Pooling(d, kernel=[2, 2], pool_type="avg"), mx.sym.clip(d, 0, 1.5)]
    return [list(s.list_attr().items()) for s in syms]


def namespaced_names(mx):
    d = mx.sym.var("d")
    syms = [mx.sym.random.uniform(low=0, high=1, shape=(2, 2)),
            mx.sym.random.normal(0, 1, shape=(2,)), mx.sym.random_uniform(shape=(2,)),
            mx.sym.random.uniform(d, d), mx.sym.random.randn(2, 3),
            mx.sym.linalg.gemm2(d, d, transpose_b=True), mx.sym.contrib.arange_like(d)]
    return [[s.name, list(s.list_attr().items())] for s in syms]


def reprs_and_outputs(mx):
    d = mx.sym.var("d")
    sp = mx.sym.split(d, num_outputs=3, axis=1, name="sp")
    bn = mx.sym.BatchNorm(d, name="bn", output_mean_var=True)
    tk = mx.sym.topk(d, ret_typ="both", k=2, name="tk")
    return [repr(sp), repr(sp[1]), repr(mx.sym.Group([sp[0], sp[2]])),
            repr(mx.sym.Group([sp[0], d])), repr(bn), bn.list_outputs(),
            tk.list_outputs()]


# ---- FeedForward (MXNet's deprecated estimator) -------------------------------------
def feedforward_fit_predict(mx):
    import warnings
    import numpy as np
    mx.random.seed(5)
    np.random.seed(5)
    X = np.random.rand(50, 4).astype("float32")
    y = (X[:, 0] > 0.5).astype("float32")
    fc1 = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=8, name="fc1")
    fc2 = mx.sym.FullyConnected(mx.sym.Activation(fc1, act_type="relu"), num_hidden=2,
                                name="fc2")
    net = mx.sym.SoftmaxOutput(fc2, name="softmax")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = mx.model.FeedForward(net, num_epoch=3, learning_rate=0.5,
                                     numpy_batch_size=16, initializer=mx.init.Xavier())
    model.fit(X, y, eval_data=(X[:20], y[:20]), eval_end_callback=None)
    out, data, label = model.predict(mx.io.NDArrayIter(X[:7], y[:7], batch_size=5),
                                     return_data=True)
    return {"params": sorted(model.arg_params), "aux": sorted(model.aux_params),
            "fc2_bias": model.arg_params["fc2_bias"].asnumpy().round(4).tolist(),
            "predict": model.predict(X[:5]).round(4).tolist(),
            "score": round(model.score(mx.io.NDArrayIter(X, y, batch_size=10)), 6),
            "shapes": [out.shape, data.shape, label.shape]}


def sequential_module_fit(mx):
    import numpy as np
    np.random.seed(0)
    mx.random.seed(0)
    X = np.random.rand(12, 3).astype("float32")
    y = (np.arange(12) % 2).astype("float32")
    n1 = mx.sym.Activation(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=4,
                                                 name="fc1"), act_type="relu", name="r1")
    n2 = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2, name="fc2")

    def grad(scores, labels):            # softmax cross-entropy, by hand
        return (mx.nd.softmax(scores) - mx.nd.one_hot(labels, 2)) / scores.shape[0]

    seq = mx.mod.SequentialModule()
    seq.add(mx.mod.Module(n1, label_names=None))
    seq.add(mx.mod.Module(n2, label_names=None), auto_wiring=True)
    seq.add(mx.mod.PythonLossModule(grad_func=grad, data_names=["data"]),
            take_labels=True, auto_wiring=True)
    it = mx.io.NDArrayIter(X, y, batch_size=4)
    seq.fit(it, num_epoch=2, optimizer_params={"learning_rate": 0.5},
            initializer=mx.init.Xavier())
    return {"params": sorted(seq.get_params()[0]),
            "fc2_bias": seq.get_params()[0]["fc2_bias"].asnumpy().round(4).tolist(),
            "shapes": [str(seq.output_shapes), str(seq.label_shapes),
                       str(seq.data_shapes)],
            "predict": seq.predict(it).asnumpy().round(3).tolist()}


# ---- plot_network -----------------------------------------------------------------------
def plot_network_source(mx):
    data = mx.sym.var("data")
    c = mx.sym.Convolution(data, kernel=(3, 3), num_filter=8, name="conv1", pad=(1, 1),
                           stride=(2, 2))
    b = mx.sym.BatchNorm(c, name="bn1")
    a = mx.sym.Activation(b, act_type="relu", name="relu1")
    p = mx.sym.Pooling(a, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
    f = mx.sym.Flatten(p, name="flat")
    fc = mx.sym.FullyConnected(f, num_hidden=10, name="fc1")
    lr = mx.sym.LeakyReLU(fc, act_type="elu", name="lr")
    s = mx.sym.split(lr, num_outputs=2, axis=1, name="sp")
    e = mx.sym.Dropout(s[1], p=0.5) + s[0]
    out = mx.sym.SoftmaxOutput(mx.sym.Concat(e, fc, dim=1), name="softmax")
    shaped = mx.viz.plot_network(out, shape={"data": (1, 3, 16, 16)},
                                 dtype={"data": "float32"})
    weights = mx.viz.plot_network(out, hide_weights=False, title="net")
    # graphviz versions differ in a trailing newline only
    return [g.source.strip().splitlines() for g in (shaped, weights)]


CASES = [attrs_variable, attrs_convolution, attrs_batchnorm, attrs_embedding_dtype_last,
         attrs_scope, attrs_concat, attrs_many_keys, attrs_python_strings,
         namespaced_names, reprs_and_outputs, auto_names, feedforward_fit_predict,
         sequential_module_fit, plot_network_source]


if __name__ == "__main__":
    import mxnet
    frozen = {}
    for case in CASES:
        with mxnet.name.NameManager():        # automatic names count from 0 per case
            frozen[case.__name__] = case(mxnet)
    with open(os.path.join(HERE, "parity_symbolic.json"), "w") as f:
        json.dump(frozen, f, indent=1, sort_keys=True)
