"""Write ``gamma_grad_cases.json`` with **real MXNet 1.9.1**: the gradients of ``gamma``
and ``gammaln`` (``gamma_grad`` / ``gammaln_grad`` in ``src/operator/mshadow_op.h``, which
call Cephes' ``psi``) at points across the domain, in float32 and float64.

Run it with the side virtualenv (not part of pymx and not needed to run the tests)::

    MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python tests/data/mxnet/make_gamma_grad.py

Non-finite results are stored as the strings ``"inf"``, ``"-inf"``, ``"nan"``; float64
``DBL_MAX`` (MXNet's value of psi at the poles 0, -1, -2, ...) stays a number.
"""
import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
assert mx.__version__ == "1.9.1", mx.__version__

POINTS = [-7.25, -2.5, -1.5, -1.0, -0.75, -0.5, -0.3, 0.0, 1e-3, 0.2, 0.5, 1.0, 1.4616321,
          2.0, 3.7, 5.5, 10.0, 33.3, 100.0, 1e5]


def number(v):
    return float(v) if np.isfinite(v) else str(v)


def main():
    out = {"points": POINTS, "grads": {}}
    for dtype in ("float32", "float64"):
        for op in ("gamma", "gammaln"):
            x = mx.nd.array(POINTS, dtype=dtype)
            x.attach_grad()
            with mx.autograd.record():
                y = getattr(mx.nd, op)(x)
            y.backward()
            out["grads"][f"{op}_{dtype}"] = [number(v) for v in
                                             x.grad.asnumpy().astype(np.float64)]
    with open(os.path.join(HERE, "gamma_grad_cases.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
