"""Freeze MXNet 1.9.1's sparse NDArrays (``mx.nd.sparse``) as test data.

Run with a real MXNet 1.9.1 (``/work/venv-mxnet/bin/python make_sparse.py``; scipy is
needed for the COO form); it writes beside this file:

* ``sparse_cases.json``: for each case (a Python expression over the inputs ``CSR``,
  ``RSP``, ``D...`` defined in ``INPUTS``), the result's class, stype, shape, dtype,
  dense values and parts (``data``/``indices``/``indptr``), its ``repr``, or the error
  class; plus SGD updates with row_sparse gradients and the Embedding gradient;
* ``sparse_mxnet.params``: ``mx.nd.save`` of sparse arrays (csr and row_sparse, float32,
  float64 and int32 values, empty ones), read back and rewritten byte for byte;
* ``libsvm/*.t`` and ``libsvm_cases.json``: LibSVM files and the batches ``LibSVMIter``
  gives for several settings (two passes each, to see the round-batch wrap).
"""
import json
import logging
import os

import mxnet as mx
import numpy as np

logging.disable(logging.WARNING)      # the storage-fallback messages
HERE = os.path.dirname(os.path.abspath(__file__))
nd = mx.nd

INPUTS = """
CSR = nd.sparse.csr_matrix(([1., 2, 4, 3], [1, 0, 1, 2], [0, 1, 2, 2, 4]), shape=(4, 3))
CSRZ = nd.sparse.csr_matrix(([1., 0, 3], [1, 0, 2], [0, 1, 2, 2, 3]), shape=(4, 3))
RSP = nd.sparse.row_sparse_array(([[1., 2], [3, 4]], [1, 3]), shape=(4, 2))
RSPZ = nd.sparse.row_sparse_array(([[1., 2], [0, 0]], [1, 3]), shape=(4, 2))
D32 = nd.array([[1., 2], [3, 4], [5, 6]])
D42 = nd.array([[1., 2], [3, 4], [5, 6], [7, 8]])
D24 = nd.array([[1., 2, 3, 4], [5, 6, 7, 8]])
D43 = nd.array([[1., 2, 3], [4, 5, 6], [7, 8, 9], [1, 2, 3]])
"""

CASES = [
    # creation
    "CSR", "RSP", "CSRZ", "RSPZ",
    "nd.sparse.csr_matrix(np.array([[0, 1.5], [0, 0], [2, 0]]))",
    "nd.sparse.csr_matrix([[0, 1], [0, 0], [2, 0]])",
    "nd.sparse.csr_matrix(nd.array([[0, 1], [2, 0]], dtype='int32'))",
    "nd.sparse.csr_matrix((3, 4))",
    "nd.sparse.csr_matrix((np.array([1., 2, 3]), (np.array([0, 2, 2]), np.array([1, 0, 1]))), shape=(3, 2))",
    "nd.sparse.csr_matrix((np.array([1., 2]), np.array([2, 0]), np.array([0, 1, 2])))",
    "nd.sparse.csr_matrix(([1, 2], [2, 0], [0, 1, 2]), shape=(2, 3), dtype='float64')",
    "nd.sparse.csr_matrix(CSR)",
    "nd.sparse.csr_matrix(RSP)",
    "nd.sparse.csr_matrix(([1., 2], [0, 1], [0, 2]), shape=(3,))",
    "nd.sparse.row_sparse_array(([[1, 2]], [2]), shape=(3, 2))",
    "nd.sparse.row_sparse_array(np.array([[0, 0], [1, 2.5], [0, 0]]))",
    "nd.sparse.row_sparse_array((2, 3))",
    "nd.sparse.row_sparse_array((2, 3, 4))",
    "nd.sparse.row_sparse_array(([[[1, 2]], [[3, 4]]], [0, 2]), shape=(3, 1, 2))",
    "nd.sparse.row_sparse_array(([[1., 2]], [3]))",
    "nd.sparse.row_sparse_array(CSR)",
    "nd.sparse.row_sparse_array(([[1., 2]], [0, 1]), shape=(3, 2))",
    "nd.sparse.zeros('csr', (2, 3))", "nd.sparse.zeros('row_sparse', (2, 3), dtype='float16')",
    "nd.sparse.empty('row_sparse', (3, 2))", "nd.sparse.zeros('default', (2, 2))",
    "nd.sparse.array(CSR)", "nd.sparse.array(RSP, dtype='float64')",
    # conversions
    "D43.tostype('csr')", "D42.tostype('row_sparse')", "CSR.tostype('default')",
    "CSRZ.tostype('default').tostype('csr')", "RSPZ.tostype('default').tostype('row_sparse')",
    "CSR.tostype('row_sparse')", "RSP.tostype('csr')", "CSR.tostype('csr')",
    "nd.cast_storage(D42, stype='row_sparse')", "nd.sparse.cast_storage(CSR, stype='default')",
    "nd.array([1., 0, 2]).tostype('csr')",
    "CSR.astype('int32')", "RSP.astype('float64')", "CSR.copy()", "RSP.copyto(mx.cpu())",
    "CSR.copyto(nd.zeros((4, 3)))", "CSR.todense()",
    # slicing
    "CSR[1:3]", "CSR[1]", "CSR[-1]", "CSR[:]", "CSR[2:]",
    "nd.sparse.slice(CSR, begin=(1,), end=(3,))", "nd.slice(CSR, begin=(1, 1), end=(4, 3))",
    "nd.slice(RSP, begin=(1,), end=(3,))",
    # dot
    "nd.sparse.dot(CSR, D32)", "nd.dot(CSR, D42, transpose_a=True)",
    "nd.sparse.dot(CSR, nd.sparse.row_sparse_array(([[1., 2]], [0]), shape=(3, 2)))",
    "nd.sparse.dot(CSR, RSP, transpose_a=True)", "nd.sparse.dot(D24, nd.sparse.csr_matrix(D42.asnumpy()))",
    "nd.sparse.dot(D24, nd.sparse.csr_matrix(D42.asnumpy()), forward_stype='default')",
    "nd.sparse.dot(CSR, D42)",
    # retain, elementwise
    "nd.sparse.retain(RSP, nd.array([0, 1]))", "nd.sparse.retain(RSP, nd.array([3, 1, 2]))",
    "RSP.retain(nd.array([3]))",
    "nd.sparse.elemwise_add(RSP, RSPZ)", "RSP + RSP", "RSP - RSPZ", "CSR + CSR", "CSR - CSR",
    "CSR * CSR", "RSP * RSP", "RSP + D42", "D42 + RSP", "RSP * D42", "CSR * D43",
    "nd.sparse.add(RSP, RSP)", "nd.elemwise_add(RSP, D42)",
    "CSR * 2", "RSP * 0.5", "CSR / 2", "CSR + 1", "RSP / RSP",
    "nd.abs(CSR * -1)", "nd.sqrt(RSP)", "nd.square(CSR)", "nd.sparse.negative(RSP)",
    "nd.relu(CSR - 2 * CSR)", "nd.sign(RSPZ)", "nd.exp(CSR)", "nd.sigmoid(RSP)",
    "nd.zeros_like(CSR)", "nd.zeros_like(RSP)", "nd.ones_like(RSP)",
    "nd.clip(CSR, 0, 2)", "nd.clip(RSP, 0, 2)", "nd.clip(CSR, 1, 2)",
    "nd.round(CSR * 0.5)", "nd.sparse.abs(CSRZ)",
    # reductions
    "nd.sum(CSR)", "nd.sum(CSR, axis=0)", "nd.sum(CSR, axis=1)", "nd.mean(CSR, axis=0)",
    "nd.sum(CSR, axis=1, keepdims=True)", "nd.sum(RSP, axis=0)", "nd.sparse.mean(CSR, axis=1)",
    # formats that check_format rejects
    "nd.sparse.csr_matrix(([1., 2], [0, 1], [0, 2, 1]), shape=(2, 2)).check_format()",
    "nd.sparse.csr_matrix(([1., 2], [0, 5], [0, 1, 2]), shape=(2, 2)).check_format()",
    "nd.sparse.csr_matrix(([1., 2], [1, 0], [0, 2, 2]), shape=(2, 2)).check_format()",
    "nd.sparse.csr_matrix(([1., 2], [0, 1], [1, 1, 2]), shape=(2, 2)).check_format()",
    "nd.sparse.row_sparse_array(([[1.], [2]], [3, 1]), shape=(4, 1)).check_format()",
    "nd.sparse.row_sparse_array(([[1.], [2]], [1, 7]), shape=(4, 1)).check_format()",
    "nd.sparse.csr_matrix(([1., 2], [0, 1], [0, 1, 2]), shape=(2, 2)).check_format()",
    "RSP.reshape((2, 4))", "RSP[1]",
]


def parts(x):
    out = {"data": x.data.asnumpy().ravel().tolist(), "indices": x.indices.asnumpy().tolist()}
    if x.stype == "csr":
        out["indptr"] = x.indptr.asnumpy().tolist()
    return out


def describe(x):
    if not isinstance(x, mx.nd.NDArray):
        return {"value": repr(x)}
    d = {"class": type(x).__name__, "stype": x.stype, "shape": list(x.shape),
         "dtype": np.dtype(x.dtype).name, "dense": x.asnumpy().ravel().tolist(),
         "repr": repr(x)}
    if x.stype != "default":
        d.update(parts(x))
    return d


def run(expr, env):
    try:
        out = eval(expr, env)
        if isinstance(out, mx.nd.NDArray):
            out.wait_to_read()
    except Exception as err:  # noqa: BLE001 - the error class is recorded
        return {"error": type(err).__name__}
    return describe(out)


def sgd_cases():
    """sgd_update / sgd_mom_update of a dense weight with a row_sparse gradient."""
    out = []
    for lazy in (True, False):
        for mom in (0.0, 0.9):
            w = nd.array(np.arange(12).reshape(4, 3) / 10.0)
            g = nd.sparse.row_sparse_array(([[1., -2, 3], [0.5, 0.5, 0.5]], [0, 2]), shape=(4, 3))
            kw = dict(lr=0.1, wd=0.01, rescale_grad=0.5, clip_gradient=1.2, lazy_update=lazy)
            if mom:
                m = nd.ones((4, 3)) * 0.3
                nd.sgd_mom_update(w, g, m, out=w, momentum=mom, **kw)
                out.append({"lazy": lazy, "momentum": mom, "weight": w.asnumpy().tolist(),
                            "mom": m.asnumpy().tolist()})
            else:
                nd.sgd_update(w, g, out=w, **kw)
                out.append({"lazy": lazy, "momentum": mom, "weight": w.asnumpy().tolist()})
    return out


def embedding_grad():
    w = nd.arange(15).reshape((5, 3))
    w.attach_grad(stype="row_sparse")
    x = nd.array([[1, 3], [3, 0]])
    with mx.autograd.record():
        y = nd.Embedding(x, w, input_dim=5, output_dim=3, sparse_grad=True)
    y.backward(nd.arange(12).reshape((2, 2, 3)))
    return describe(w.grad)


def dot_grad():
    c = nd.sparse.csr_matrix(([1., 2, 4, 3], [1, 0, 1, 2], [0, 1, 2, 2, 4]), shape=(4, 3))
    w = nd.array([[1., 2], [3, 4], [5, 6]])
    w.attach_grad(stype="row_sparse")
    with mx.autograd.record():
        y = nd.sparse.dot(c, w)
    y.backward(nd.array([[1., 0], [0, 1], [1, 1], [2, 2]]))
    return describe(w.grad)


def save_params():
    env = {"nd": nd, "np": np}
    exec(INPUTS, env)
    arrays = {
        "csr": env["CSR"], "rsp": env["RSP"],
        "csr64": nd.sparse.csr_matrix(([1.5, 2], [2, 0], [0, 0, 2]), shape=(2, 3),
                                      dtype="float64"),
        "rsp_int": nd.sparse.row_sparse_array(([[[1, 2]], [[3, 4]]], [0, 2]), shape=(3, 1, 2),
                                              dtype="int32"),
        "csr_empty": nd.sparse.zeros("csr", (2, 5)),
        "rsp_empty": nd.sparse.zeros("row_sparse", (3, 2)),
        "dense": nd.array([1., 2]),
    }
    mx.nd.save(os.path.join(HERE, "sparse_mxnet.params"), arrays)
    return {k: describe(v) for k, v in arrays.items()}


LIBSVM = {
    "data.t": "1.0 0:0.5 2:1.2\n-2.0\n-3.0 0:0.6 1:2.4 2:1.2\n4 2:-1.2\n",
    "label.t": "1.0\n-2.0 0:0.125\n-3.0 2:1.2\n4 1:1.0 2:-1.2\n",
    "big.t": "".join(f"{i % 3} {i % 5}:{i + 0.5} {5 + i % 4}:{-i}\n" for i in range(11)),
}

LIBSVM_CASES = [
    dict(data_libsvm="data.t", data_shape=(3,), batch_size=3),
    dict(data_libsvm="data.t", data_shape=(3,), batch_size=2),
    dict(data_libsvm="data.t", data_shape=(3,), batch_size=3, label_libsvm="label.t",
         label_shape=(3,)),
    dict(data_libsvm="big.t", data_shape=(9,), batch_size=4),
    dict(data_libsvm="big.t", data_shape=(9,), batch_size=4, round_batch=False),
    dict(data_libsvm="big.t", data_shape=(9,), batch_size=2, num_parts=3, part_index=0),
    dict(data_libsvm="big.t", data_shape=(9,), batch_size=2, num_parts=3, part_index=1),
    dict(data_libsvm="big.t", data_shape=(9,), batch_size=3, num_parts=2, part_index=1),
]


def libsvm_cases():
    folder = os.path.join(HERE, "libsvm")
    os.makedirs(folder, exist_ok=True)
    for name, text in LIBSVM.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)
    out = []
    for case in LIBSVM_CASES:
        kw = dict(case)
        for key in ("data_libsvm", "label_libsvm"):
            if key in kw:
                kw[key] = os.path.join(folder, kw[key])
        try:
            it = mx.io.LibSVMIter(**kw)
        except mx.base.MXNetError:
            out.append({"kwargs": {k: list(v) if isinstance(v, tuple) else v
                                   for k, v in case.items()}, "error": "MXNetError"})
            continue
        passes = []
        for _ in range(2):
            batches = []
            for batch in it:
                batches.append({"data": describe(batch.data[0]),
                                "label": describe(batch.label[0]), "pad": batch.pad})
            passes.append(batches)
            it.reset()
        out.append({"kwargs": {k: list(v) if isinstance(v, tuple) else v
                               for k, v in case.items()},
                    "provide_data": [list(d.shape) for d in it.provide_data],
                    "provide_label": [list(d.shape) for d in it.provide_label],
                    "passes": passes})
    return out


def main():
    env = {"nd": nd, "np": np, "mx": mx}
    exec(INPUTS, env)
    cases = {expr: run(expr, env) for expr in CASES}
    result = {"inputs": INPUTS, "cases": cases, "sgd": sgd_cases(),
              "embedding_grad": embedding_grad(), "dot_grad": dot_grad(),
              "params": save_params()}
    with open(os.path.join(HERE, "sparse_cases.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    with open(os.path.join(HERE, "libsvm_cases.json"), "w") as f:
        json.dump(libsvm_cases(), f, indent=1)


if __name__ == "__main__":
    main()
