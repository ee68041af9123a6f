"""Sparse scenarios run the same way under MXNet 1.9.1 (``make_sparse_parity.py``) and
under pymx (``tests/test_sparse_parity.py``): each function takes the ``mx`` module and
returns plain JSON data (storage types, values rounded to 5 significant digits, error
class names).  Topics: storage-type inference of elementwise/scalar/broadcast ops,
the Python-level rules of sparse arrays (indexing, assignment, errors), ``_square_sum``,
autograd through ``sparse.dot``, lazy optimizer updates, ``Module`` training of the
"linear regression with sparse symbols" tutorial on a LibSVM file, ``simple_bind``
storage, gluon ``Embedding(sparse_grad=True)`` with lazy Adam, ``kv.row_sparse_pull``.
"""
import os
import warnings

import numpy as np


def _num(a):
    return [float("%.5g" % v) for v in np.asarray(a, dtype=np.float64).ravel()]


def describe(mx, x):
    """The class, storage, shape, values (and stored indices) of an array result."""
    if not isinstance(x, mx.nd.NDArray):
        return {"value": repr(x)}
    d = {"class": type(x).__name__, "stype": x.stype, "shape": list(x.shape),
         "dense": _num(x.asnumpy())}
    if x.stype != "default":
        d["indices"] = x.indices.asnumpy().tolist()
    return d


def attempt(mx, fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return describe(mx, fn())
    except Exception as err:  # noqa: BLE001 - the error class is the result
        return {"error": type(err).__name__}


def _inputs(mx):
    nd = mx.nd
    return {"nd": nd, "np": np, "mx": mx,
            "C": nd.array([[0, 1, 0], [-2, 0, 3]]).tostype("csr"),
            "R": nd.array([[0, 0], [1, -2], [0, 0]]).tostype("row_sparse"),
            "D3": nd.array([[1, 2, 3], [4, 5, 6]]),
            "D2": nd.array([[1, 2], [3, 4], [5, 6]])}


EXPRESSIONS = [
    # scalar ops: sparse stays sparse only when op(0, scalar) == 0
    "C + 0", "C + 1", "C - 0", "C * 0", "C / 2", "C > 0", "C >= 0", "C < 0", "C <= -1",
    "C == 1", "C != 0", "C != 1", "R > 0", "R + 0", "R - 1", "R == -2", "R <= 0",
    "nd.sparse.add(C, 0)", "nd.sparse.subtract(2, C)", "nd.sparse.divide(2, R)",
    "nd.sparse.multiply(2, C)", "nd.sparse.add(R, D2)", "nd.sparse.multiply(C, D3)",
    # broadcast with a row/column vector keeps csr for mul/div
    "nd.sparse.multiply(C, D3[0:1])", "nd.sparse.multiply(C, nd.ones((2, 1)) * 2)",
    "nd.sparse.divide(C, nd.ones((2, 1)) * 2)", "nd.sparse.add(C, D3[0:1])",
    "nd.broadcast_mul(C, D3[1:2])", "nd.broadcast_mul(R, D2[0:1])",
    # ops that keep the storage
    "nd.stop_gradient(C)", "nd.BlockGrad(R)", "nd.identity(R)", "nd.concat(C, C, dim=0)",
    "nd.concat(C, C, dim=1)", "nd.add_n(R, R, R)", "nd.add_n(R, D2)",
    "nd.dot(C, C, transpose_a=True)", "nd.dot(C, nd.ones((2, 2)), transpose_a=True)",
    "nd.dot(nd.ones((2, 2)), C)", "nd.dot(nd.ones((2, 3)), C, transpose_b=True)",
    "nd.dot(C, C, transpose_b=True)", "nd.array(C)", "nd.array(R, dtype='float64')",
    "nd.empty((2, 2), stype='row_sparse')", "nd.zeros((2, 2), stype='csr')",
    # _square_sum (row_sparse only)
    "nd._internal._square_sum(R, axis=0)", "nd._internal._square_sum(R, axis=1)",
    "nd._internal._square_sum(R, axis=1, keepdims=True)", "nd._internal._square_sum(R)",
    "nd._internal._square_sum(C, axis=1)",
    # the Python rules of sparse arrays
    "C.size", "R.size", "C.reshape((3, 2))", "C[1]", "C[-1]", "C[5]", "C[np.int64(1)]",
    "C[1:]", "C[0, 1]", "R[0]", "R[0:1]", "R[:]", "R[0, 1]", "C.tostype('foo')",
    "R.tostype('csr')", "C.as_np_ndarray()", "C.copyto(R)", "R.copyto(nd.zeros((4, 2)))",
    "C._num_aux", "R._aux_types", "bool(nd.sparse.zeros('csr', (1, 1)))",
    "nd.array([1., 0, 2]).tostype('csr')", "nd.cast_storage(nd.ones((2, 2, 2)), stype='csr')",
    "nd.sparse.zeros('csr', (2, 2, 2))", "nd.sparse.empty('foo', (2, 2))",
    "nd.sparse.array(D2)", "nd.sparse.row_sparse_array(([[1., 2]], [0, 1]), shape=(3, 2))",
    "nd.sparse.csr_matrix(([1., 2], [0], [0, 1, 2]), shape=(2, 2))",
    # norm: the sparse L2 kernel for the whole array, fallback otherwise
    "nd.norm(C * 1.1)", "nd.norm(R * 1.1, keepdims=True)", "nd.norm(C, ord=1)",
    "nd.norm(R, axis=1)", "C.norm()",
]


def expressions(mx):
    out = {}
    for expr in EXPRESSIONS:
        env = _inputs(mx)
        out[expr] = attempt(mx, lambda: eval(expr, env))
    return out


def assignments(mx):
    """``x[key] = value`` and in-place arithmetic on sparse arrays."""
    nd = mx.nd
    out = {}

    def setitem(make, key, value):
        def run():
            x = make()
            x[key] = value
            return x
        return run
    C = lambda: nd.array([[0, 1, 0], [-2, 0, 3]]).tostype("csr")      # noqa: E731
    R = lambda: nd.array([[0, 0], [1, -2], [0, 0]]).tostype("row_sparse")  # noqa: E731
    full = slice(None)
    for name, make, key, value in [
            ("C[:]=0", C, full, 0), ("C[:]=2", C, full, 2.0),
            ("C[:]=nd", C, full, nd.ones((2, 3))), ("C[:]=np", C, full, np.ones((2, 3))),
            ("C[0:1]=nd", C, slice(0, 1), nd.ones((2, 3))), ("C[0]=1", C, 0, 1),
            ("R[:]=0", R, full, 0), ("R[:]=1.5", R, full, 1.5),
            ("R[:]=nd", R, full, nd.ones((3, 2))), ("R[0]=1", R, 0, 1),
            ("R[1:2]=1", R, slice(1, 2), 1), ("R[:]=list", R, full, [1, 2]),
            ("R[:]=C", R, full, nd.ones((2, 3)).tostype("csr"))]:
        out[name] = attempt(mx, setitem(make, key, value))

    def inplace(make, op, value):
        def run():
            x = make()
            if op == "+":
                x += value
            elif op == "-":
                x -= value
            elif op == "*":
                x *= value
            else:
                x /= value
            return x
        return run
    for op in "+-*/":
        out["C%s=2" % op] = attempt(mx, inplace(C, op, 2))
        out["R%s=R" % op] = attempt(mx, inplace(R, op, R()))
        out["R%s=D" % op] = attempt(mx, inplace(R, op, nd.ones((3, 2))))
    return out


def autograd_dot(mx):
    """Gradients through ``sparse.dot`` and ``Embedding(sparse_grad=True)``."""
    nd, autograd = mx.nd, mx.autograd
    out = {}
    c = nd.sparse.csr_matrix(([1., 2, 3, 4], [0, 2, 1, 2], [0, 2, 3, 4]), shape=(3, 4))
    w = nd.array(np.arange(8).reshape(4, 2) / 4.)
    w.attach_grad(stype="row_sparse")
    with autograd.record():
        y = nd.sparse.dot(c, w)
        loss = (y * y).sum()
    loss.backward()
    out["dot grad"] = describe(mx, w.grad)
    c2 = nd.sparse.csr_matrix(([1., 2], [1, 3], [0, 1, 1, 2]), shape=(3, 4))
    x = nd.ones((3, 2))
    x.attach_grad()
    with autograd.record():
        z = nd.sparse.dot(c2, x, transpose_a=True)
    z.backward()
    out["dot transpose_a out"] = describe(mx, z)
    out["dot transpose_a grad"] = describe(mx, x.grad)
    r = nd.array([[0, 0], [1, -2], [0, 0]]).tostype("row_sparse")
    r.attach_grad()
    with autograd.record():
        s = nd._internal._square_sum(r, axis=1)
    s.backward()
    out["square_sum grad"] = describe(mx, r.grad)
    return out


def optimizer_ops(mx):
    """Lazy (row-wise) and standard updates with a row_sparse gradient."""
    nd = mx.nd
    out = {}

    def base():
        w = nd.array(np.arange(12).reshape(4, 3) / 10.)
        g = nd.sparse.row_sparse_array(([[1., -2, 3], [0.5, 0.5, 0.5]], [0, 2]),
                                       shape=(4, 3))
        return w, g
    for lazy in (True, False):
        w, g = base()
        m, v = nd.ones((4, 3)) * 0.1, nd.ones((4, 3)) * 0.2
        nd.sparse.adam_update(w, g, m, v, out=w, lr=0.1, wd=0.01, rescale_grad=0.5,
                              clip_gradient=1.2, lazy_update=lazy)
        out["adam %s" % lazy] = [describe(mx, a) for a in (w, m, v)]
        for wstype in ("default", "row_sparse"):
            w, g = base()
            w = w.tostype(wstype)
            m = nd.sparse.zeros(wstype, (4, 3))
            nd.sparse.sgd_mom_update(w, g, m, out=w, lr=0.1, wd=0.1, momentum=0.9,
                                     lazy_update=lazy)
            out["sgd_mom %s %s" % (lazy, wstype)] = [describe(mx, a) for a in (w, m)]
    for hstype in ("default", "row_sparse"):
        for wd in (0.0, 0.1):
            def run():
                w, g = base()
                h = nd.ones((4, 3)).tostype(hstype)
                w = w.tostype(hstype)
                nd.sparse.adagrad_update(w, g, h, out=w, lr=0.1, epsilon=1e-7, wd=wd)
                return nd.concat(w.tostype("default"), h.tostype("default"), dim=0)
            out["adagrad %s %s" % (hstype, wd)] = attempt(mx, run)
    return out


def gluon_embedding(mx):
    """``Embedding(sparse_grad=True)`` trained with several optimizers."""
    nd, gluon, autograd = mx.nd, mx.gluon, mx.autograd
    out = {}
    for opt, kw in [("sgd", {"learning_rate": 0.1, "momentum": 0.9}),
                    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.1,
                             "lazy_update": False}),
                    ("adam", {"learning_rate": 0.1}),
                    ("adam", {"learning_rate": 0.1, "lazy_update": False}),
                    ("ftrl", {"learning_rate": 0.1})]:
        net = gluon.nn.Embedding(6, 3, sparse_grad=True)
        net.initialize(mx.init.Constant(0.5))
        trainer = gluon.Trainer(net.collect_params(), opt, kw)
        for step in range(3):
            with autograd.record():
                o = net(nd.array([[1, 3], [3, 3]]) if step != 1 else nd.array([[0, 0]]))
                loss = (o * o).sum()
            loss.backward()
            trainer.step(2)
        out["%s %s" % (opt, sorted(kw.items()))] = [describe(mx, net.weight.data()),
                                                    describe(mx, net.weight.grad())]
    return out


def linear_regression_module(mx, workdir):
    """The "Train a Linear Regression Model with Sparse Symbols" tutorial: LibSVMIter,
    a csr data variable, a row_sparse weight, Module with SGD + momentum."""
    rng = np.random.RandomState(1)
    w_true = np.array([1., -2., 0.5, 0., 3., 0., 0., 1.5])
    lines = []
    for _ in range(20):
        cols = sorted(rng.choice(8, 3, replace=False))
        vals = rng.randint(1, 4, 3).astype(float)
        y = sum(v * w_true[c] for c, v in zip(cols, vals))
        lines.append("%g %s" % (y, " ".join("%d:%g" % (c, v) for c, v in zip(cols, vals))))
    path = os.path.join(workdir, "linreg.t")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    it = mx.io.LibSVMIter(data_libsvm=path, data_shape=(8,), batch_size=4)
    X = mx.sym.Variable("data", stype="csr")
    Y = mx.sym.Variable("softmax_label")
    weight = mx.sym.Variable("weight", stype="row_sparse", shape=(8, 1))
    bias = mx.sym.Variable("bias", shape=(1,))
    pred = mx.sym.broadcast_add(mx.sym.sparse.dot(X, weight), bias)
    net = mx.sym.LinearRegressionOutput(data=pred, label=Y, name="lro")
    mod = mx.mod.Module(symbol=net, data_names=["data"], label_names=["softmax_label"])
    mod.bind(data_shapes=it.provide_data, label_shapes=it.provide_label)
    mod.init_params(initializer=mx.init.Constant(0.1))
    mod.init_optimizer(optimizer=mx.optimizer.SGD(learning_rate=0.05, momentum=0.9,
                                                  rescale_grad=1.0 / 4))
    ex = mod._exec_group.execs[0]
    out = {"arg stypes": {k: v.stype for k, v in sorted(ex.arg_dict.items())},
           "grad stypes": {k: None if v is None else v.stype
                           for k, v in sorted(ex.grad_dict.items())}}
    metric = mx.metric.create("MSE")
    mses = []
    for _ in range(3):
        it.reset()
        metric.reset()
        for batch in it:
            mod.forward(batch, is_train=True)
            mod.update_metric(metric, batch.label)
            mod.backward()
            mod.update()
        mses.append(metric.get()[1])
    out["mse"] = _num(mses)
    args, _ = mod.get_params()
    out["params"] = {k: [v.stype, _num(v.asnumpy())] for k, v in sorted(args.items())}
    return out


def kvstore_pull(mx):
    """``kv.row_sparse_pull``: exactly the requested rows (sorted, once each)."""
    nd = mx.nd
    kv = mx.kv.create("local")
    shape = (5, 2)
    kv.init("w", nd.arange(10).reshape(shape).tostype("row_sparse"))
    out = {}
    for name, ids in (("0,3", [0, 3]), ("3,1,3", [3, 1, 3])):
        o = nd.sparse.zeros("row_sparse", shape)
        kv.row_sparse_pull("w", out=o, row_ids=nd.array(ids))
        out[name] = describe(mx, o)
    kv.push("w", nd.sparse.row_sparse_array(([[1., 1]], [2]), shape=shape))
    o = nd.sparse.zeros("row_sparse", shape)
    kv.row_sparse_pull("w", out=o, row_ids=nd.arange(5))
    out["after push"] = describe(mx, o)
    kv.init(["a", "b"], [nd.ones(shape).tostype("row_sparse")] * 2)
    oa, ob = nd.sparse.zeros("row_sparse", shape), nd.sparse.zeros("row_sparse", shape)
    kv.row_sparse_pull(["a", "b"], out=[oa, ob], row_ids=[nd.array([1]), nd.array([4])])
    out["list"] = [describe(mx, oa), describe(mx, ob)]
    return out


def binding(mx):
    """``simple_bind`` storage of arguments and gradients, and a forward/backward."""
    nd = mx.nd
    X = mx.sym.Variable("data", stype="csr")
    w = mx.sym.Variable("w", stype="row_sparse")
    y = mx.sym.sparse.dot(X, w)
    out = {}
    for name, kw in (("plain", {}), ("data null", {"grad_req": {"data": "null",
                                                                 "w": "write"}}),
                     ("w dense", {"stype_dict": {"w": "default"}})):
        e = y.simple_bind(mx.cpu(), data=(4, 8), w=(8, 1), **kw)
        out[name] = [[a.stype for a in e.arg_arrays],
                     [None if g is None else g.stype for g in e.grad_arrays]]
    e.arg_dict["data"][:] = nd.sparse.csr_matrix(([1., 2, 3], [0, 3, 5], [0, 1, 1, 2, 3]),
                                                 shape=(4, 8))
    e.arg_dict["w"][:] = nd.arange(8).reshape((8, 1))
    out["forward"] = _num(e.forward(is_train=True)[0].asnumpy())
    e.backward(nd.ones((4, 1)))
    out["grad"] = describe(mx, e.grad_dict["w"])
    fc = mx.sym.FullyConnected(mx.sym.var("d"), mx.sym.var("ww", stype="row_sparse"),
                               num_hidden=2, no_bias=True)
    e = fc.simple_bind(mx.cpu(), d=(4, 8))
    out["fc"] = [[a.stype for a in e.arg_arrays],
                 [None if g is None else g.stype for g in e.grad_arrays]]
    return out


def gradient_buffers(mx):
    """Gradients written into sparse buffers: a dense rule into a row_sparse buffer,
    ``zero_grad`` of row_sparse gradients, a csr buffer."""
    nd, autograd, gluon = mx.nd, mx.autograd, mx.gluon
    out = {}
    w = nd.array([[1., 2], [0, 0], [3, 4]])
    w.attach_grad(stype="row_sparse")
    with autograd.record():
        y = (w * nd.array([[1., 1], [0, 0], [2, 2]])).sum()
    y.backward()
    out["dense rule, rsp buffer"] = describe(mx, w.grad)
    e = nd.ones((5, 2))
    e.attach_grad(stype="row_sparse")
    for ids in ([1, 2], [4]):
        with autograd.record():
            o = nd.Embedding(nd.array(ids), e, input_dim=5, output_dim=2, sparse_grad=True)
        o.backward()
    out["write replaces rows"] = describe(mx, e.grad)
    c = nd.array([[1., 0], [0, 2]])
    c.attach_grad(stype="csr")
    with autograd.record():
        z = (c * 3).sum()
    z.backward()
    out["csr buffer"] = describe(mx, c.grad)
    p = gluon.Parameter("w", shape=(4, 2), grad_stype="row_sparse")
    p.initialize(init=mx.init.One())
    with autograd.record():
        loss = nd.Embedding(nd.array([3]), p.data(), input_dim=4, output_dim=2,
                            sparse_grad=True).sum()
    loss.backward()
    out["param grad"] = describe(mx, p.grad())
    p.zero_grad()
    out["after zero_grad"] = describe(mx, p.grad())
    r = nd.array([[0, 0], [1, -2], [0, 0]]).tostype("row_sparse")
    r.attach_grad()
    out["default grad stype"] = r.grad.stype
    return out


SCENARIOS = ["binding", "gradient_buffers", "expressions", "assignments", "autograd_dot", "optimizer_ops",
             "gluon_embedding", "kvstore_pull"]
