"""PyTorch (CPU) versions of the harness's workloads: ``python torch_workloads.py NAME THREADS``.

Run by ``python -m benchmarks --python-torch PATH`` in a Python that has torch and numpy
(not pymx); prints one JSON line ``{implementation: [median, min, max]}`` in seconds.
``THREADS`` goes to ``torch.set_num_threads`` (intra-op OpenMP and MKL threads), the
parent also sets ``OMP_NUM_THREADS`` to it, as for MXNet.

The shapes are those of ``benchmarks/__main__.py``.  "jit.script" compiles the module to
TorchScript, the nearest offline analogue of Gluon's ``hybridize()`` (``torch.compile``
needs a C++ compiler at run time and is left out).  PyTorch's CPU ops are synchronous,
so no wait is needed before reading the clock.
"""
import json
import sys
import warnings

import timing  # benchmarks/timing.py: this script's folder is on sys.path

import torch
from torch import nn

warnings.filterwarnings("ignore", category=DeprecationWarning)   # torch.jit.script


def timeit(fn, repeat, number=1, warmup=3):
    """The harness's clock, by default with 3 warm-up calls (TorchScript's profiling
    executor specialises the graph during its first calls)."""
    return timing.timeit(fn, repeat, number, warmup)


def train_steps(net, X, y, repeat, number):
    """Eager and TorchScript timings of one SGD step (lr 0.1, mean cross-entropy)."""
    out = {}
    for label, model in [("eager", net), ("jit.script", torch.jit.script(net))]:
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        lossf = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss = lossf(model(X), y)
            loss.backward()
            opt.step()
        out[f"torch {label}"] = timeit(step, repeat, number)
    return out


def overhead():
    a = torch.ones(10)
    return {"torch exp": timeit(lambda: torch.exp(a), 7, 20000),
            "torch add": timeit(lambda: a + a, 7, 20000)}


def gemm():
    out = {}
    for m, k, n in [(2048, 2048, 2048), (512, 512, 512), (256, 784, 256)]:
        a, b = torch.rand(m, k), torch.rand(k, n)
        out[f"torch mm {m}x{k}x{n}"] = timeit(lambda: torch.mm(a, b), 3 if m == 2048 else 20)
    return out


def mlp_step():
    net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                        nn.Linear(256, 10))
    return train_steps(net, torch.rand(128, 784), torch.randint(0, 10, (128,)), 15, 5)


def lenet_step():
    net = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
                        nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                        nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
    return train_steps(net, torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,)), 15, 2)


def conv_fwd():
    x, w, b = torch.rand(32, 64, 56, 56), torch.rand(64, 64, 3, 3), torch.zeros(64)
    return {"torch conv2d": timeit(lambda: torch.nn.functional.conv2d(x, w, b, padding=1),
                                   5, warmup=1)}


if __name__ == "__main__":
    torch.set_num_threads(int(sys.argv[2]))
    torch.manual_seed(0)
    work = {"overhead": overhead, "gemm": gemm, "mlp_step": mlp_step,
            "lenet_step": lenet_step, "conv_fwd": conv_fwd}
    print(json.dumps(work[sys.argv[1]]()))
