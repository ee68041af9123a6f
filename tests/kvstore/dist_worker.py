"""One worker of ``mpiexec -n 2 python dist_worker.py OUT_DIR`` (run by
test_kvstore_dist.py).  Checks what it can alone with asserts, and writes what it
pulled and trained to ``OUT_DIR/rank<r>.json`` so the test can compare the workers."""
import json
import os
import sys

import numpy as np

import pymx as mx
from pymx import autograd, gluon

def abort_on_error(kind, value, tb):
    """A failed check on one worker must not leave the other waiting forever."""
    sys.__excepthook__(kind, value, tb)
    from mpi4py import MPI
    MPI.COMM_WORLD.Abort(1)


sys.excepthook = abort_on_error
kv = mx.kv.create("dist_sync")
rank, n = kv.rank, kv.num_workers
assert n == 2, f"run me with mpiexec -n 2 (num_workers={n})"
out = {}

# init: rank 0's value wins; push: devices summed, then workers summed
kv.init("a", mx.nd.full((2, 3), 100 + rank))
kv.push("a", [mx.nd.full((2, 3), rank + 1), mx.nd.full((2, 3), 10, ctx=mx.cpu(1))])
a = mx.nd.zeros((2, 3))
kv.pull("a", out=a)
assert (a.asnumpy() == (1 + 10) + (2 + 10)).all(), a
out["a"] = a.asnumpy().tolist()

b = mx.nd.zeros((2,))
kv.broadcast("b", mx.nd.full((2,), 7 + rank), out=b)
assert (b.asnumpy() == 7).all(), b

# the optimizer on the store: SGD with the summed gradient, identical on both workers
kv2 = mx.kv.create("dist_sync")
kv2.set_optimizer(mx.optimizer.create("sgd", learning_rate=0.1, momentum=0.9))
kv2.init(0, mx.nd.ones((4,)) * (rank + 5))
w, mom = np.full(4, 5.0, np.float32), np.zeros(4, np.float32)
for step in range(3):
    grads = [np.arange(4, dtype=np.float32) * (r + 1) + step for r in range(n)]
    kv2.push(0, mx.nd.array(grads[rank]))
    mom = 0.9 * mom - 0.1 * (grads[0] + grads[1])
    w = w + mom
pulled = mx.nd.zeros((4,))
kv2.pull(0, out=pulled)
np.testing.assert_allclose(pulled.asnumpy(), w, rtol=1e-6)
out["sgd"] = pulled.asnumpy().tolist()

# 2-bit compression: each worker keeps its own residual; the sum of the quantized parts
kv3 = mx.kv.create("dist_sync")
kv3.set_gradient_compression({"type": "2bit", "threshold": 0.5})
kv3.init("g", mx.nd.zeros((5,)))
res = [np.zeros(5, np.float32) for _ in range(n)]
for step in range(4):
    grads = [np.linspace(-1, 1, 5).astype(np.float32) * (r + 1) * 0.4 for r in range(n)]
    kv3.push("g", mx.nd.array(grads[rank]))
    want = np.zeros(5, np.float32)
    for r in range(n):
        res[r] += grads[r]
        q = np.where(res[r] >= 0.5, 0.5, np.where(res[r] <= -0.5, -0.5, 0)).astype(np.float32)
        res[r] -= q
        want += q
    got = mx.nd.zeros((5,))
    kv3.pull("g", out=got)
    np.testing.assert_allclose(got.asnumpy(), want, err_msg=f"compressed push {step}")
out["compressed"] = got.asnumpy().tolist()

# a Gluon Trainer: different data per worker, the same weights everywhere.  The same
# seed too: the Trainer broadcasts rank 0's weights at its first step, *after* the
# first backward (MXNet 1.9.1 does the same), so the first gradients need equal weights.
mx.random.seed(0)
net = gluon.nn.Dense(3, in_units=4)
net.initialize(mx.init.Normal(1.0))
trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5, "momentum": 0.5},
                        kvstore="dist_sync")
rng = np.random.RandomState(42)
X = rng.randn(3, 2, 8, 4).astype(np.float32)        # step, worker, batch, features
Y = rng.randint(0, 3, size=(3, 2, 8)).astype(np.float32)
loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
for step in range(3):
    with autograd.record():
        loss = loss_fn(net(mx.nd.array(X[step, rank])), mx.nd.array(Y[step, rank]))
    loss.backward()
    trainer.step(16)
assert trainer._distributed and trainer._update_on_kvstore
out["trainer"] = {k: p.data().asnumpy().tolist() for k, p in net.collect_params().items()}
out["init0"] = None
if rank == 0:          # the single-process equivalent: the 2 workers as 2 contexts
    mx.random.seed(0)
    ref = gluon.nn.Dense(3, in_units=4, prefix=net.prefix)
    ref.initialize(mx.init.Normal(1.0), ctx=[mx.cpu(0), mx.cpu(1)])
    rt = gluon.Trainer(ref.collect_params(), "sgd", {"learning_rate": 0.5, "momentum": 0.5})
    for step in range(3):
        with autograd.record():
            losses = [loss_fn(ref(mx.nd.array(X[step, r], ctx=mx.cpu(r))),
                              mx.nd.array(Y[step, r], ctx=mx.cpu(r))) for r in range(2)]
        for l in losses:
            l.backward()
        rt.step(16)
    for k, p in ref.collect_params().items():
        np.testing.assert_allclose(out["trainer"][k], p.data(mx.cpu(0)).asnumpy(),
                                   rtol=1e-5, atol=1e-6, err_msg=k)
kv._barrier()
with open(os.path.join(sys.argv[1], f"rank{rank}.json"), "w") as f:
    json.dump(out, f)
