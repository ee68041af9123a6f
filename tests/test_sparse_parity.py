"""Sparse arrays against MXNet 1.9.1, scenario by scenario.

``tests/data/mxnet/sparse_parity_scenarios.py`` holds the scenarios (storage-type
inference of scalar/broadcast/elementwise ops, the Python rules of sparse arrays,
``_square_sum``, autograd through ``sparse.dot``, lazy optimizer updates, gluon
``Embedding(sparse_grad=True)``, ``kv.row_sparse_pull`` and the Module tutorial "linear
regression with sparse symbols" on a LibSVM file).  ``make_sparse_parity.py`` ran them
with MXNet 1.9.1 and froze the answers in ``sparse_parity.json``; here pymx runs the
same code and must give the same storage types, classes, shapes, stored rows, values
(5 significant digits) and error classes.
"""
import json
import logging
import os
import sys

import numpy as np
import pytest

import pymx as mx

HERE = os.path.join(os.path.dirname(__file__), "data", "mxnet")
sys.path.insert(0, HERE)
import sparse_parity_scenarios as sc  # noqa: E402

with open(os.path.join(HERE, "sparse_parity.json")) as _f:
    FROZEN = json.load(_f)


@pytest.fixture(autouse=True)
def _quiet():
    logging.disable(logging.WARNING)      # the storage-fallback messages
    yield
    logging.disable(logging.NOTSET)


def same(got, want, where):
    """Compare JSON-like results; floats to 5 significant digits (both sides rounded)."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), (where, got, want)
        for k in want:
            same(got[k], want[k], f"{where} / {k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), (where, got, want)
        if want and all(isinstance(v, float) for v in want):
            np.testing.assert_allclose(got, want, rtol=2e-4, atol=1e-6, err_msg=where)
        else:
            for i, (g, w) in enumerate(zip(got, want)):
                same(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=1e-6, err_msg=where)
    else:
        assert got == want, (where, got, want)


@pytest.mark.parametrize("expr", sc.EXPRESSIONS)
def test_expression_matches_mxnet(expr):
    env = sc._inputs(mx)
    same(sc.attempt(mx, lambda: eval(expr, env)), FROZEN["expressions"][expr], expr)


@pytest.mark.parametrize("name", [n for n in sc.SCENARIOS if n != "expressions"])
def test_scenario_matches_mxnet(name):
    same(getattr(sc, name)(mx), FROZEN[name], name)


def test_linear_regression_tutorial_matches_mxnet(tmp_path):
    """Module + LibSVMIter + csr data + row_sparse weight: the weight, its gradient and
    the momentum are row_sparse and the update is lazy, so the MSE curve and the final
    parameters equal MXNet's."""
    same(sc.linear_regression_module(mx, str(tmp_path)),
         FROZEN["linear_regression_module"], "linear regression")


def test_fallback_writes_in_place_updates_back_into_sparse_states():
    """A fallback kernel that updates a sparse input in place (the momentum of a
    non-lazy sgd_mom_update) must change the sparse array itself."""
    nd = mx.nd
    w = nd.ones((3, 2)).tostype("row_sparse")
    m = nd.sparse.zeros("row_sparse", (3, 2))
    g = nd.sparse.row_sparse_array(([[1., 1]], [1]), shape=(3, 2))
    nd.sgd_mom_update(w, g, m, out=w, lr=0.5, momentum=0.9, lazy_update=False)
    assert m.stype == "row_sparse"
    assert m.asnumpy().tolist() == [[0, 0], [-0.5, -0.5], [0, 0]]
    assert w.asnumpy().tolist() == [[1, 1], [0.5, 0.5], [1, 1]]


def test_sparse_kernel_results_can_be_recorded():
    """A sparse result (row_sparse ``dot(csr.T, x)``) takes its place on the tape."""
    nd = mx.nd
    c = nd.sparse.csr_matrix(([1., 2], [1, 3], [0, 1, 1, 2]), shape=(3, 4))
    x = nd.ones((3, 2))
    x.attach_grad()
    with mx.autograd.record():
        z = nd.sparse.dot(c, x, transpose_a=True)
    assert z.stype == "row_sparse" and z.indices.asnumpy().tolist() == [1, 3]
    z.backward()
    assert x.grad.asnumpy().tolist() == [[1, 1], [0, 0], [2, 2]]
