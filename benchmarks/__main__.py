"""The benchmark harness: ``python -m benchmarks [names...] [--python-mxnet PATH] ...``.

Each workload is timed as a median (with the spread: min and max) over repeated runs,
pymx beside a hand-written NumPy version of the same computation (the floor pymx is
held to) and, when ``--python-mxnet`` points at a Python with mxnet 1.9.1 installed,
MXNet itself in a subprocess (``--python-torch PATH``: PyTorch's CPU build likewise, with
the scripts of ``torch_workloads.py``).  Results go to ``BENCHMARKS.md`` with the machine, BLAS
and versions beside them.  Benchmarks are not tests: nothing here asserts a speed.

Workloads: ``overhead`` (a small elementwise op through ``mx.nd`` vs NumPy), ``gemm``,
``mlp_step`` (784-256-256-10 ReLU MLP, batch 128, softmax cross-entropy, SGD, float32),
``conv_fwd`` (batch 32, 64->64, 3x3, 56x56, pad 1) and ``lenet_step`` (batch 64).
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

# What ``import pymx`` does when it comes first (pymx/backend/parallel.py): idle
# OpenBLAS threads sleep instead of spinning.  NumPy is imported just below, so the
# harness sets it itself; the NumPy baselines run in this process with it too.
_USER_BLAS_TIMEOUT = os.environ.get("OPENBLAS_THREAD_TIMEOUT")
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pymx as mx  # noqa: E402
from pymx import autograd  # noqa: E402
from pymx.backend.parallel import num_threads as kernel_threads  # noqa: E402
from pymx.models_scratch import cross_entropy, lenet_forward, lenet_params, mlp_forward, mlp_params  # noqa: E402
from benchmarks.timing import timeit  # noqa: E402


def timeit_group(fns, repeat=15, number=1, warmup=2):
    """Like ``timeit`` for several implementations that take turns (round robin), so a
    burst of load from other processes on a shared machine hurts them all alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    runs = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            runs[name].append((time.perf_counter() - t0) / number)
    return {name: (statistics.median(r), min(r), max(r)) for name, r in runs.items()}


def gluon_step(net_name, X, y, hybridize):
    """A Gluon training step (forward, SoftmaxCrossEntropyLoss, backward, sgd Trainer)
    on the book's net as built by ``pymx train``."""
    from pymx import gluon
    from pymx.cli import build_net
    net = build_net(net_name)
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize(static_alloc=True, static_shape=True)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    lossf = gluon.loss.SoftmaxCrossEntropyLoss()
    n = X.shape[0]

    def step():
        with autograd.record():
            loss = lossf(net(X), y)
        loss.backward()
        trainer.step(n)
        return loss
    step()
    return step


# ---- workloads: each returns {implementation: (median, min, max)} ----------------------
def bench_overhead():
    """Per-op cost of ``mx.nd`` on a 10-element array vs the same NumPy call."""
    a, an = mx.nd.ones((10,)), np.ones(10, np.float32)
    out = {}
    for name, fn in [("exp", lambda: mx.nd.exp(a)), ("add", lambda: a + a),
                     ("mul_scalar", lambda: a * 2.0)]:
        out[f"pymx {name}"] = timeit(fn, number=20000)
    for name, fn in [("exp", lambda: np.exp(an)), ("add", lambda: an + an),
                     ("mul_scalar", lambda: an * np.float32(2.0))]:
        out[f"numpy {name}"] = timeit(fn, number=20000)
    return out


def bench_gemm():
    out = {}
    for m, k, n in [(2048, 2048, 2048), (512, 512, 512), (256, 784, 256)]:
        a = np.random.rand(m, k).astype(np.float32)
        b = np.random.rand(k, n).astype(np.float32)
        x, y = mx.nd.array(a), mx.nd.array(b)
        rep = 3 if m == 2048 else 20
        out[f"pymx dot {m}x{k}x{n}"] = timeit(lambda: mx.nd.dot(x, y).wait_to_read(), rep)
        out[f"numpy @ {m}x{k}x{n}"] = timeit(lambda: a @ b, rep)
    return out


def numpy_mlp_step(X, y, params, lr):
    """A hand-written forward and backward of the MLP, then SGD: the floor."""
    W1, b1, W2, b2, W3, b3 = params
    n = len(X)
    h1 = X @ W1.T + b1
    a1 = np.maximum(h1, 0)
    h2 = a1 @ W2.T + b2
    a2 = np.maximum(h2, 0)
    z = a2 @ W3.T + b3
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean()
    dz = p
    dz[np.arange(n), y] -= 1
    dz /= n
    da2 = dz @ W3
    dh2 = da2 * (h2 > 0)
    da1 = dh2 @ W2
    dh1 = da1 * (h1 > 0)
    grads = [dh1.T @ X, dh1.sum(0), dh2.T @ a1, dh2.sum(0), dz.T @ a2, dz.sum(0)]
    for w, g in zip(params, grads):
        w -= lr * g
    return loss


def bench_mlp_step():
    rng = np.random.RandomState(0)
    X = rng.rand(128, 784).astype(np.float32)
    y = rng.randint(0, 10, 128)
    p = mlp_params(rng)
    np_params = [p[k].copy() for k in ("fc0_weight", "fc0_bias", "fc1_weight", "fc1_bias",
                                       "fc2_weight", "fc2_bias")]
    params = {k: mx.nd.array(v) for k, v in p.items()}
    for v in params.values():
        v.attach_grad()
    Xn, yn = mx.nd.array(X), mx.nd.array(y)

    def pymx_step():
        with autograd.record():
            loss = cross_entropy(mx.nd, mlp_forward(mx.nd, params, Xn), yn)
        loss.backward()
        for w in params.values():
            mx.nd.sgd_update(w, w.grad, lr=0.1, out=w)
        return loss

    return timeit_group({
        "numpy hand-written": lambda: numpy_mlp_step(X, y, np_params, 0.1),
        "pymx imperative (scratch nd + autograd)": pymx_step,
        "pymx Gluon imperative": gluon_step("mlp", Xn, yn, False),
        "pymx Gluon hybridized": gluon_step("mlp", Xn, yn, True)}, 15, 5)


def bench_conv_fwd():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from conv_fwd import numpy_conv
    rng = np.random.RandomState(0)
    x = rng.rand(32, 64, 56, 56).astype(np.float32)
    w = rng.rand(64, 64, 3, 3).astype(np.float32)
    b = rng.rand(64).astype(np.float32)
    xn, wn, bn = mx.nd.array(x), mx.nd.array(w), mx.nd.array(b)
    return {"pymx Convolution": timeit(lambda: mx.nd.Convolution(
                xn, wn, bn, kernel=(3, 3), pad=(1, 1), num_filter=64).wait_to_read(), 5),
            "numpy im2col + GEMM": timeit(lambda: numpy_conv(x, w, b), 5)}


def _im2col_plain(x, k):
    """The straightforward im2col: (N, C*k*k, Ho*Wo), one slice copy per tap."""
    n, c, h, w = x.shape
    ho, wo = h - k + 1, w - k + 1
    cols = np.empty((n, c, k, k, ho, wo), x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j] = x[:, :, i:i + ho, j:j + wo]
    return cols.reshape(n, c * k * k, ho * wo)


def _col2im_plain(cols, shape, k):
    n, c, h, w = shape
    ho, wo = h - k + 1, w - k + 1
    cols = cols.reshape(n, c, k, k, ho, wo)
    dx = np.zeros(shape, cols.dtype)
    for i in range(k):
        for j in range(k):
            dx[:, :, i:i + ho, j:j + wo] += cols[:, :, i, j]
    return dx


def _maxpool2(x):
    """2x2/2 max pooling as np.maximum over four strided views, plus the argmax mask."""
    a, b = x[:, :, 0::2, 0::2], x[:, :, 0::2, 1::2]
    c, d = x[:, :, 1::2, 0::2], x[:, :, 1::2, 1::2]
    return np.maximum(np.maximum(a, b), np.maximum(c, d))


def _maxpool2_grad(x, y, dy):
    dx = np.zeros_like(x)
    taken = np.zeros(y.shape, bool)
    for i in (0, 1):
        for j in (0, 1):
            hit = (x[:, :, i::2, j::2] == y) & ~taken
            taken |= hit
            dx[:, :, i::2, j::2] = dy * hit
    return dx


def numpy_lenet_step(X, y, p, lr):
    """LeNet forward, backward and SGD in straightforward NumPy (im2col per sample
    layout, batched matmuls, strided-view pooling): the floor of the issue."""
    n = len(X)
    W1, b1, W2, b2, W3, b3, W4, b4 = p
    c1 = _im2col_plain(X, 5)                                  # (N, 25, 576)
    z1 = (W1.reshape(20, -1) @ c1 + b1[:, None]).reshape(n, 20, 24, 24)
    a1 = np.maximum(z1, 0)
    p1 = _maxpool2(a1)                                        # (N, 20, 12, 12)
    c2 = _im2col_plain(p1, 5)                                 # (N, 500, 64)
    z2 = (W2.reshape(50, -1) @ c2 + b2[:, None]).reshape(n, 50, 8, 8)
    a2 = np.maximum(z2, 0)
    p2 = _maxpool2(a2).reshape(n, 800)
    z3 = p2 @ W3.T + b3
    a3 = np.maximum(z3, 0)
    z = a3 @ W4.T + b4
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    pr = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(pr[np.arange(n), y]).mean()
    dz = pr
    dz[np.arange(n), y] -= 1
    dz /= n
    g4, gb4 = dz.T @ a3, dz.sum(0)
    dz3 = (dz @ W4) * (z3 > 0)
    g3, gb3 = dz3.T @ p2, dz3.sum(0)
    dp2 = (dz3 @ W3).reshape(n, 50, 4, 4)
    dz2 = _maxpool2_grad(a2, _maxpool2(a2), dp2) * (z2 > 0)
    dz2f = dz2.reshape(n, 50, 64)
    g2 = np.matmul(dz2f, c2.transpose(0, 2, 1)).sum(0).reshape(W2.shape)
    gb2 = dz2f.sum((0, 2))
    dp1 = _col2im_plain(W2.reshape(50, -1).T @ dz2f, p1.shape, 5)
    dz1 = _maxpool2_grad(a1, p1, dp1) * (z1 > 0)
    dz1f = dz1.reshape(n, 20, 576)
    g1 = np.matmul(dz1f, c1.transpose(0, 2, 1)).sum(0).reshape(W1.shape)
    gb1 = dz1f.sum((0, 2))
    for w, g in zip(p, (g1, gb1, g2, gb2, g3, gb3, g4, gb4)):
        w -= lr * g
    return loss


def bench_lenet_step():
    rng = np.random.RandomState(0)
    Xnp = rng.rand(64, 1, 28, 28).astype(np.float32)
    ynp = rng.randint(0, 10, 64)
    X, y = mx.nd.array(Xnp), mx.nd.array(ynp)
    init = lenet_params(rng)
    params = {k: mx.nd.array(v) for k, v in init.items()}
    for v in params.values():
        v.attach_grad()
    np_params = [init[k].copy() for k in ("conv0_weight", "conv0_bias", "conv1_weight",
                                          "conv1_bias", "fc0_weight", "fc0_bias",
                                          "fc1_weight", "fc1_bias")]

    def step():
        with autograd.record():
            loss = cross_entropy(mx.nd, lenet_forward(mx.nd, params, X), y)
        loss.backward()
        for w in params.values():
            mx.nd.sgd_update(w, w.grad, lr=0.1, out=w)
        return loss

    return timeit_group({
        "numpy hand-written (straightforward im2col)":
            lambda: numpy_lenet_step(Xnp, ynp, np_params, 0.01),
        "pymx imperative (scratch nd + autograd)": step,
        "pymx Gluon imperative": gluon_step("lenet", X, y, False),
        "pymx Gluon hybridized": gluon_step("lenet", X, y, True)}, 15, 2)


WORKLOADS = {"overhead": bench_overhead, "gemm": bench_gemm, "mlp_step": bench_mlp_step,
             "conv_fwd": bench_conv_fwd, "lenet_step": bench_lenet_step}

# MXNet 1.9.1 versions of the same workloads, run in the user's mxnet environment.
_MXNET = r"""
import json, statistics, sys, time
import numpy as np
import mxnet as mx
from mxnet import autograd, gluon

def timeit(fn, repeat, number=1):
    fn(); mx.nd.waitall()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        mx.nd.waitall()
        runs.append((time.perf_counter() - t0) / number)
    return statistics.median(runs), min(runs), max(runs)

out = {}
which = sys.argv[1]
if which == "overhead":
    a = mx.nd.ones((10,))
    out["mxnet exp"] = timeit(lambda: mx.nd.exp(a).wait_to_read(), 7, 2000)
    out["mxnet add"] = timeit(lambda: (a + a).wait_to_read(), 7, 2000)
if which == "mlp_step":
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(256, activation="relu"), gluon.nn.Dense(256, activation="relu"),
            gluon.nn.Dense(10))
    net.initialize()
    X = mx.nd.random.uniform(shape=(128, 784)); y = mx.nd.array(np.random.randint(0, 10, 128))
    lossf = gluon.loss.SoftmaxCrossEntropyLoss()
    tr = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    def step():
        with autograd.record():
            l = lossf(net(X), y)
        l.backward(); tr.step(128)
    out["mxnet Gluon imperative"] = timeit(step, 15, 5)
    net.hybridize(static_alloc=True, static_shape=True)
    out["mxnet Gluon hybridized"] = timeit(step, 15, 5)
if which == "lenet_step":
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Conv2D(20, 5, activation="relu"), gluon.nn.MaxPool2D(2, 2),
            gluon.nn.Conv2D(50, 5, activation="relu"), gluon.nn.MaxPool2D(2, 2),
            gluon.nn.Dense(500, activation="relu"), gluon.nn.Dense(10))
    net.initialize(mx.init.Xavier())
    X = mx.nd.random.uniform(shape=(64, 1, 28, 28)); y = mx.nd.array(np.random.randint(0, 10, 64))
    lossf = gluon.loss.SoftmaxCrossEntropyLoss()
    tr = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    def step():
        with autograd.record():
            l = lossf(net(X), y)
        l.backward(); tr.step(64)
    out["mxnet Gluon imperative"] = timeit(step, 15, 2)
    net.hybridize(static_alloc=True, static_shape=True)
    out["mxnet Gluon hybridized"] = timeit(step, 15, 2)
if which == "conv_fwd":
    x = mx.nd.random.uniform(shape=(32, 64, 56, 56)); w = mx.nd.random.uniform(shape=(64, 64, 3, 3))
    b = mx.nd.zeros(64)
    out["mxnet Convolution"] = timeit(lambda: mx.nd.Convolution(x, w, b, kernel=(3, 3), pad=(1, 1), num_filter=64), 5)
print(json.dumps(out))
"""


# The other frameworks, each run in its own Python: option -> (module, the arguments after
# that Python (NAME and THREADS are appended), the workloads it has, extra environment).
# MXNet's environment has NumPy < 1.24, whose bundled OpenBLAS does not know this CPU:
# name the core type so that MXNet's BLAS is not 5x slower (DESIGN section 7).
OTHERS = {
    "python_mxnet": ("mxnet", ["-c", _MXNET], ("overhead", "mlp_step", "conv_fwd", "lenet_step"),
                     {"OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "SkylakeX")}),
    "python_torch": ("torch", [os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                            "torch_workloads.py")], tuple(WORKLOADS), {}),
}


def run_elsewhere(argv, name, threads, env=None):
    """Run ``argv + [name, threads]`` (a workload script in another Python) with
    ``OMP_NUM_THREADS=threads`` and read the JSON line it prints last,
    ``{implementation: [median, min, max]}``; the labels get the thread count.  A side
    that fails (not installed, crashed, timed out) gives ``{}`` and a warning."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), **(env or {}))
    if _USER_BLAS_TIMEOUT is None:            # MXNet and PyTorch run with their defaults
        env.pop("OPENBLAS_THREAD_TIMEOUT", None)
    try:
        res = subprocess.run([*argv, name, str(threads)], env=env, capture_output=True,
                             text=True, timeout=600)
        found = json.loads(res.stdout.strip().splitlines()[-1]) if res.returncode == 0 else {}
        why = (res.stderr.strip().splitlines() or ["no output"])[-1]
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError) as err:
        found, why = {}, repr(err)
    if not found:
        print(f"  warning: {argv[0]} gave no timings for {name}: {why}", file=sys.stderr)
    return {f"{k} (OMP_NUM_THREADS={threads})": tuple(v) for k, v in found.items()}


def version_in(python, module):
    """``module.__version__`` as seen by another Python, or "unavailable"."""
    try:
        res = subprocess.run([python, "-c", f"import {module}; print({module}.__version__)"],
                             capture_output=True, text=True, timeout=120)
        return res.stdout.strip() or "unavailable"
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"


def machine_info():
    try:
        import threadpoolctl
        blas = [f"{p['internal_api']} {p['version']} ({p.get('architecture')}, "
                f"{p['num_threads']} threads)" for p in threadpoolctl.threadpool_info()
                if p["user_api"] == "blas"]
    except ImportError:                      # pip install threadpoolctl to name the BLAS
        blas = []
    return {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "python": platform.python_version(), "numpy": np.__version__,
            "pymx": mx.__version__, "blas": "; ".join(blas) or "unknown",
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "load average at the end (1/5/15 min; 2 = both cores busy)":
                " / ".join(f"{v:.1f}" for v in os.getloadavg()),
            "OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / OPENBLAS_THREAD_TIMEOUT (pymx side)":
                " / ".join(os.environ.get(v, "unset") for v in (
                    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_THREAD_TIMEOUT")),
            "pymx kernel threads (pymx/backend/parallel.py)": str(kernel_threads())}


def write_table(results, info, path):
    """Write ``BENCHMARKS.md``: the machine, then one table per workload, rows in the
    order measured (gemm's grouped by shape); hand-written notes below the marker stay."""
    lines = ["# Benchmarks", "", "Written by `python -m benchmarks`; figures are medians "
             "(min-max) of repeated runs on the machine below.", ""]
    lines += [f"- {k}: {v}" for k, v in info.items()] + [""]
    lines += ["Implementations of one workload take turns (round robin), so load from other "
              "processes hits them alike; on a shared machine compare the *min* column and "
              "the ratios, and prefer `OPENBLAS_NUM_THREADS=1` (multi-threaded BLAS on "
              "busy cores spin-waits: 10-100x slower small GEMMs). MXNet and PyTorch (CPU) "
              "run after pymx, each in a subprocess per `OMP_NUM_THREADS` shown (MXNet with "
              "`OPENBLAS_CORETYPE=SkylakeX`; PyTorch also calls `torch.set_num_threads` with "
              "it). `torch jit.script` is the module compiled to TorchScript, PyTorch's "
              "nearest offline analogue of `hybridize()` (`torch.compile` needs a compiler "
              "at run time and is not timed). The last column is the median over the first "
              "row's median (in gemm: the first row of the same shape).", ""]
    for name, rows in results.items():
        lines += [f"## {name}", "", "| implementation | median | min | max | median / first row |",
                  "|---|---|---|---|---|"]
        groups = {}                                  # gemm: one group per shape
        for impl, timing in rows.items():
            shape = re.search(r"\d+x\d+x\d+", impl)
            groups.setdefault(shape and shape.group(), {})[impl] = timing
        for group in groups.values():
            base = next(iter(group.values()))[0]
            for impl, (med, lo, hi) in group.items():
                unit, scale = ("us", 1e6) if med < 1e-3 else ("ms", 1e3)
                lines.append(f"| {impl} | {med * scale:.2f} {unit} | {lo * scale:.2f} | "
                             f"{hi * scale:.2f} | {med / base:.2f}x |")
        lines.append("")
    marker = "<!-- hand-written notes below: kept when the harness rewrites this file -->"
    notes = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
        if marker in old:
            notes = old[old.index(marker):]
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + ("\n" + notes if notes else "\n" + marker + "\n"))
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[[]] + list(WORKLOADS),
                        help="workloads to run (default: all)")
    parser.add_argument("--python-mxnet", help="a Python with mxnet 1.9.1 to time too")
    parser.add_argument("--python-torch", help="a Python with torch (CPU) to time too")
    parser.add_argument("--output", default=os.path.join(ROOT, "BENCHMARKS.md"))
    args = parser.parse_args(argv)
    results = {}
    for name in args.names or list(WORKLOADS):
        print(f"running {name} ...", flush=True)
        results[name] = WORKLOADS[name]()
        for option, (_, script, names, env) in OTHERS.items():
            python = getattr(args, option)
            if python and name in names:
                for threads in (1, 2):
                    results[name].update(run_elsewhere([python, *script], name, threads, env))
        for impl, (med, lo, hi) in results[name].items():
            print(f"  {impl:45s} {med * 1e3:10.4f} ms  ({lo * 1e3:.4f}-{hi * 1e3:.4f})")
    info = machine_info()
    for option, (module, *_) in OTHERS.items():
        if getattr(args, option):
            info[module] = version_in(getattr(args, option), module)
    write_table(results, info, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
