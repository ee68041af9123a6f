"""Freeze MXNet 1.9.1 outputs of the ``mx.np`` functions added for the NumPy API.

Run with a real MXNet 1.9.1 (``MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python
make_numpy_api.py``); it writes ``numpy_api.json`` beside this file.  Each case is a
Python expression evaluated with ``np`` (``mxnet.numpy``), ``onp`` (NumPy) and the
named inputs of ``INPUTS`` in scope; ``tests/test_numpy_api.py`` evaluates the same
strings with ``pymx.numpy``.  ``GRADS`` cases are evaluated inside
``autograd.record()`` on ``x`` (``attach_grad``), then ``backward()``; what is stored
is ``x.grad``.
"""
import json
import os

import numpy as onp
import mxnet as mx
from mxnet import autograd, np, npx

INPUTS = {
    "a": ("onp.arange(6, dtype='float32').reshape(2, 3)", None),
    "b": ("onp.array([[4., 1, 0], [1, 3, 1], [0, 1, 2]], dtype='float32')", None),
    "i": ("onp.array([[3, 1, 2], [0, 5, 1]], dtype='int32')", None),
    "v": ("onp.array([1.5, -2.5, 0.5, 2.5], dtype='float32')", None),
    "c": ("onp.arange(24, dtype='float32').reshape(2, 3, 4)", None),
    "bo": ("onp.array([[True, False, True], [False, False, True]])", None),
    "f": ("onp.array([onp.nan, onp.inf, -onp.inf, 1.0, 0.0], dtype='float32')", None),
    "ix": ("onp.array([0, 1, 1, 3, 1], dtype='int64')", None),
}

CASES = [
    # stacking
    "np.vstack([a, a])", "np.vstack([v, v])", "np.row_stack([v, v])", "np.hstack([a, a])",
    "np.hstack([v, v])", "np.dstack([a, a])", "np.column_stack([v, v])",
    "np.column_stack([a.T, a.T])", "np.append(a, a)", "np.append(a, a, axis=1)",
    "np.atleast_1d(np.array(3.))", "np.atleast_2d(v)", "np.atleast_3d(a)",
    "np.atleast_3d(v)", "np.atleast_1d(a, v)", "np.array_split(np.arange(7), 3)",
    "np.array_split(c, 2, axis=2)", "np.hsplit(a, 3)", "np.vsplit(c, 2)", "np.dsplit(c, [1, 3])",
    "np.insert(a, 1, 5)", "np.insert(a, 1, 5, axis=1)", "np.insert(a, 1, np.array([7., 8.]), axis=0)",
    "np.insert(a, [0, 2], np.array([7., 8.]), axis=1)", "np.delete(a, 1)",
    "np.delete(a, 1, axis=1)", "np.delete(a, [0, 2], axis=1)", "np.delete(c, slice(0, 2), axis=2)",
    "np.broadcast_arrays(v.reshape(4, 1), a[0])",
    # rearranging
    "np.flip(a)", "np.flip(c, 1)", "np.flip(c, (0, 2))", "np.fliplr(a)", "np.flipud(a)",
    "np.roll(a, 1)", "np.roll(a, -1, axis=1)", "np.roll(c, (1, 2), axis=(0, 2))",
    "np.rot90(a)", "np.rot90(a, 2)", "np.rot90(a, 3)", "np.rot90(c, 1, (1, 2))",
    "np.pad(a, ((1, 1), (2, 0)))", "np.pad(a, ((1, 1), (2, 0)), mode='constant', constant_values=7)",
    "np.pad(a, ((1, 2), (2, 2)), mode='edge')", "np.pad(a, ((1, 1), (2, 2)), mode='reflect')",
    "np.pad(a, ((1, 1), (2, 2)), mode='symmetric')", "np.pad(a, ((1, 1), (1, 1)), mode='maximum')",
    "np.pad(a, ((0, 1), (1, 0)), mode='minimum')", "np.resize(a, (4, 2))", "np.resize(a, 9)",
    "np.diff(a)", "np.diff(a, axis=0)", "np.diff(c, n=2)", "np.diff(i)", "np.diff(bo)",
    "np.diff(a, prepend=0)", "np.ediff1d(a)", "np.ediff1d(v, to_begin=np.array([9.]), to_end=np.array([7., 8.]))",
    # matrices
    "np.diag(b)", "np.diag(b, 1)", "np.diag(v)", "np.diag(v, -1)", "np.diagonal(c)",
    "np.diagonal(c, 1, 1, 2)", "np.diagflat(a)", "np.trace(b)", "np.trace(c)", "np.trace(b, 1)",
    "np.tril(b)", "np.tril(b, -1)", "np.tril(c, 1)", "np.tril(v)", "np.outer(v, a)", "np.inner(a, a)",
    "np.inner(v, v)", "np.vdot(a, a)", "np.tensordot(c, c, axes=([1, 2], [1, 2]))",
    "np.tensordot(a, b)", "np.tensordot(a, b, axes=1)", "np.tensordot(c, a, axes=0).shape",
    "np.einsum('ij,jk->ik', a, b)", "np.einsum('ii->i', b)", "np.einsum('ii', b)",
    "np.einsum('ij->', a)", "np.einsum('ij', a)", "np.einsum('ji', a)", "np.einsum('bij,bjk->bik', c, c.transpose(0, 2, 1))",
    "np.einsum('...j,j', a, a[0])", "np.einsum('i,j->ij', v, v)", "np.diag_indices_from(b)",
    "np.indices((2, 3))", "np.indices((2, 3), dtype='float32')",
    # elementwise
    "np.arctan2(a, b[:2])", "np.arctan2(i, 2)", "np.arctan2(-1.0, v)", "np.hypot(a, 2)",
    "np.hypot(i, i)", "np.copysign(a, -1)", "np.copysign(v, a[0, :1] - 1)", "np.ldexp(a, 2)",
    "np.ldexp(a, i.astype('float32'))", "np.lcm(i, 4)", "np.lcm(i, i + 2)",
    "np.remainder(a, 4)", "np.remainder(i, -4)", "np.fabs(v)", "np.deg2rad(a)", "np.rad2deg(v)",
    "np.logical_not(a)", "np.logical_not(bo)", "np.bitwise_and(i, 3)", "np.bitwise_or(i, i)",
    "np.bitwise_xor(i, 6)", "np.bitwise_not(i)", "np.invert(bo)", "np.round(v)",
    "np.round(np.array([0.125, 1.375, -2.55]), 2)", "np.around(v)", "np.round_(v)", "np.round(i)",
    "np.isposinf(f)", "np.isneginf(f)", "np.nan_to_num(f)", "np.nan_to_num(f, nan=1.0, posinf=2.0, neginf=-3.0)",
    "np.nan_to_num(i)",
    # reductions
    "np.all(a)", "np.all(a, axis=0)", "np.any(a, axis=1, keepdims=True)", "np.all(bo, axis=-1)",
    "np.any(np.zeros((2, 0)), axis=1)", "np.all(np.zeros((0,)))", "np.amax(c, axis=(0, 2))",
    "np.amin(i, axis=-1)", "np.amax(a, keepdims=True)", "np.product(a + 1)", "np.sometrue(bo)",
    "np.average(a)", "np.average(a, axis=1)", "np.average(i, axis=0)",
    "np.average(a, axis=1, weights=np.array([1., 2., 3.]))", "np.average(a, weights=a + 1)",
    "np.average(a, axis=0, weights=np.array([1., 3.]), returned=True)",
    "np.percentile(a, 50)", "np.percentile(a, 30, axis=1)", "np.percentile(c, np.array([10., 90.]), axis=0)",
    "np.percentile(a, 40, interpolation='lower')", "np.percentile(a, 40, interpolation='nearest', keepdims=True)",
    "np.percentile(i, 50)", "np.quantile(a, 0.25)", "np.quantile(c, 0.5, axis=(1, 2))",
    # counting and lookup
    "np.nonzero(i)", "np.nonzero(bo)", "np.unique(ix)", "np.unique(i)",
    "np.unique(ix, return_index=True, return_inverse=True, return_counts=True)",
    "np.unique(np.array([[1, 0], [1, 0], [2, 3]]), axis=0)", "np.bincount(ix)",
    "np.bincount(ix, minlength=7)", "np.bincount(ix, weights=np.array([.5, 1., 1., 2., 1.]))",
    "np.histogram(a, bins=3)", "np.histogram(v, bins=4, range=(-3, 3))",
    "np.take(a, np.array([0, 4]))", "np.take(a, np.array([[1, 0]]), axis=1)",
    "np.take(a, np.array([-1, 2]), axis=1)", "np.take(a, np.array([5]), axis=1, mode='clip')",
    "np.take(a, np.array([5, -4]), axis=1, mode='wrap')", "np.unravel_index(np.array([1, 5]), (2, 3))",
    "np.unravel_index(4, (2, 3))", "np.polyval(np.array([1., 2., 3.]), v)",
    # creation
    "np.copy(a)", "np.identity(3)", "np.identity(2, dtype='int32')", "np.empty_like(i).shape",
    "np.empty_like(i).dtype", "np.logspace(0, 2, 5)", "np.logspace(0, 3, 4, base=2, endpoint=False)",
    "np.blackman(5)", "np.hamming(4)", "np.hanning(6)", "np.hanning(1)",
    # linalg
    "np.linalg.inv(b)", "np.linalg.det(b)", "np.linalg.det(np.stack([b, b * 2]))", "np.linalg.slogdet(b)",
    "np.linalg.cholesky(b)", "np.linalg.solve(b, v[:3])", "np.linalg.solve(b, a.T)",
    "np.linalg.tensorinv(b, ind=1)", "np.linalg.tensorsolve(b, v[:3])",
    "np.linalg.eigvalsh(b)", "np.linalg.eigh(b)[0]", "np.abs(np.linalg.eigh(b)[1])",
    "np.linalg.eigvals(b)", "np.linalg.svd(a)[1]", "np.linalg.pinv(a)", "np.linalg.matrix_rank(a)",
    "np.linalg.matrix_power(b, 3)", "np.linalg.multi_dot([a, b, b])", "np.linalg.cond(b)",
    "np.abs(np.linalg.qr(b)[1])",
    # fallbacks: NumPy's result types
    "np.count_nonzero(a)", "np.count_nonzero(i, axis=0)", "np.argwhere(i)", "np.cov(a)",
    "np.corrcoef(a)", "np.searchsorted(np.arange(5), np.array([2.5, 0.]))", "np.ptp(a, axis=1)",
    "np.nanmax(f[1:] * 0 + a[0, :1])", "np.nanargmax(f)", "np.interp(v, np.array([0., 2.]), np.array([0., 10.]))",
    "np.isclose(a, a + 1e-9)", "np.array_equal(a, a)", "np.ndim(c)", "np.size(c)", "np.polyfit(v, v * 2 + 1, 1)",
    "np.tril_indices_from(b)", "np.msort(i)", "np.trapz(a)", "np.in1d(ix, np.array([1, 3]))",
    "np.heaviside(v, 0.5)", "np.signbit(v)", "np.digitize(v, np.array([0., 1.]))",
    "np.shape(c)", "np.shares_memory(a, a[1:])", "np.shares_memory(a, a + 1)", "np.may_share_memory(a, a.reshape(-1))",
    # errors
    "np.linalg.svd(a.T)", "np.linalg.inv(a)", "np.diag(c)", "np.fliplr(v)", "np.tensordot(a, a, axes=([0], [1]))",
    "np.bincount(a)", "np.percentile(a, 150)", "np.take(a, np.array([7]), axis=1)", "np.hsplit(a, 2)",
    "np.vsplit(v, 2)", "np.einsum('ij,jk', a, a)",
]

GRADS = [
    "np.vstack([x, x * 2]) * np.arange(6).reshape(2, 3)", "np.flip(x, 0) * np.arange(3)",
    "np.roll(x, 1) * np.arange(9).reshape(3, 3)", "np.rot90(x) * np.arange(9).reshape(3, 3)",
    "np.pad(x, ((1, 1), (2, 0)), mode='edge')", "np.pad(x, 1, mode='reflect') if False else np.pad(x, ((1, 1), (1, 1)), mode='reflect')",
    "np.diff(x, n=2, axis=0) * 3", "np.tril(x, -1) * x", "np.trace(x * x)", "np.diagonal(x, 1) * 2",
    "np.outer(x[0], x[1])", "np.tensordot(x, x.T, axes=1) * np.arange(9).reshape(3, 3)",
    "np.einsum('ij,jk->ik', x, x) * np.arange(9).reshape(3, 3)", "np.einsum('ii->i', x) * np.arange(3)",
    "np.einsum('ij->j', x) * np.arange(3)", "np.vdot(x, x)", "np.inner(x, x + 1)",
    "np.arctan2(x, x.T + 1)", "np.hypot(x, 2)", "np.ldexp(x, 2)", "np.average(x, axis=1, weights=np.array([1., 2., 3.]))",
    "np.amax(x, axis=0)", "np.linalg.inv(x)", "np.linalg.det(x)", "np.linalg.slogdet(x)[1]",
    "np.linalg.cholesky(x) * np.arange(9).reshape(3, 3)", "np.linalg.solve(x, np.array([1., 2., 3.]))",
    "np.linalg.tensorinv(x, ind=1)", "np.append(x, x[0]) * np.arange(12)",
    "np.take(x, np.array([0, 4, 4]))", "np.nan_to_num(x * 2)", "np.diagflat(x[0]) * np.arange(9).reshape(3, 3)",
    "np.hstack([x, x * 2]).sum(axis=0) * np.arange(6)", "np.insert(x, 1, 5.) * np.arange(10)",
    "np.delete(x, 1, axis=0) * np.arange(6).reshape(2, 3)",
]
X = "onp.array([[4., 1, 0], [1, 3, 1], [0, 1, 2]], dtype='float32')"


def record(value):
    """A JSON-able description of a result (arrays, tuples/lists, scalars)."""
    if isinstance(value, mx.nd.NDArray):
        return {"shape": list(value.shape), "dtype": onp.dtype(value.dtype).name,
                "cls": type(value).__name__, "values": value.asnumpy().ravel().tolist()}
    if isinstance(value, (list, tuple)):
        return {"seq": type(value).__name__ if type(value) in (list, tuple) else "tuple",
                "items": [record(v) for v in value]}
    if isinstance(value, (bool, onp.bool_)):
        return {"scalar": bool(value), "type": "bool"}
    if isinstance(value, (int, onp.integer)):
        return {"scalar": int(value), "type": "int"}
    if isinstance(value, (float, onp.floating)):
        return {"scalar": float(value), "type": "float"}
    if isinstance(value, onp.dtype):
        return {"scalar": value.name, "type": "dtype"}
    raise TypeError(f"cannot record {type(value)}")


def run(code, env):
    try:
        return record(eval(code, env))  # noqa: S307 - our own case strings
    except Exception as err:  # noqa: BLE001 - the error class is the expectation
        return {"error": type(err).__name__}


def main():
    npx.set_np()
    env = {"np": np, "onp": onp}
    env.update({k: np.array(eval(src)) for k, (src, _) in INPUTS.items()})  # noqa: S307
    for k, (src, _) in INPUTS.items():
        env[k] = np.array(eval(src), dtype=eval(src).dtype)  # noqa: S307
    cases = [{"code": c, **run(c, env)} for c in CASES]
    grads = []
    for code in GRADS:
        x = np.array(eval(X))  # noqa: S307
        x.attach_grad()
        try:
            with autograd.record():
                y = eval(code, dict(env, x=x))  # noqa: S307
            y.backward()
            grads.append({"code": code, **record(x.grad)})
        except Exception as err:  # noqa: BLE001
            grads.append({"code": code, "error": type(err).__name__})
    out = {"mxnet": mx.__version__, "inputs": {k: s for k, (s, _) in INPUTS.items()},
           "x": X, "cases": cases, "grads": grads}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "numpy_api.json"),
              "w") as f:
        json.dump(out, f, indent=0)


if __name__ == "__main__":
    main()
