"""Freeze MXNet 1.9.1's float32 elementwise math: ``float32_math.npz``.

Run with MXNet 1.9.1: ``python tests/data/mxnet/make_float32_math.py``.  For each
function, 1000 float32 inputs (``inputs(name)``, seeded) and MXNet's CPU outputs;
``tests/ops/test_float32_math.py`` measures how many pymx outputs equal them bit for bit.
"""
import os

import numpy as np

FUNCS = ("exp", "expm1", "log", "log2", "log10", "sin", "cos", "tan", "arcsin", "arccos",
         "arctan", "cosh", "tanh", "cbrt", "sigmoid", "sqrt")


def inputs(name):
    """1000 float32 inputs inside ``name``'s domain."""
    r = np.random.RandomState(sum(map(ord, name))).uniform(-10, 10, 1000).astype(np.float32)
    if name in ("log", "log2", "log10", "sqrt"):
        return np.abs(r) + np.float32(1e-3)
    if name in ("arcsin", "arccos"):
        return r / np.float32(10.5)
    return r


if __name__ == "__main__":
    import mxnet as mx
    out = {name: getattr(mx.nd, name)(mx.nd.array(inputs(name))).asnumpy() for name in FUNCS}
    np.savez_compressed(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "float32_math.npz"), **out)
