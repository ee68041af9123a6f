"""float32 exp, log, sin... give MXNet's CPU results (almost always bit for bit).

MXNet's CPU kernels call C's ``expf``, ``logf``...; the NumPy backend computes float32
inputs in float64 and rounds once (``numpy_backend._VIA_FLOAT64``), which lands on the
same float32 for nearly every input.  Expected outputs: MXNet 1.9.1 on CPU, frozen by
``tests/data/mxnet/make_float32_math.py``.  NumPy's own float32 loops would match
only 60-90% of them (``exp``: ~60%).
"""
import os
import sys

import numpy as np
import pytest

import pymx as mx

HERE = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet")
sys.path.insert(0, HERE)
import make_float32_math as frozen  # noqa: E402

WANT = np.load(os.path.join(HERE, "float32_math.npz"))
# the least share of bit-equal outputs per function, just under what was measured on
# these inputs (exp 99.8%, log 99.7%, sigmoid and sqrt 100%, the trigonometric ones
# 92-99%; cosh 79% and log10 82%, where glibc is not correctly rounded)
AT_LEAST = {"exp": 0.997, "expm1": 0.92, "log": 0.995, "log2": 0.99, "log10": 0.8,
            "sin": 0.98, "cos": 0.975, "tan": 0.95, "arcsin": 0.92, "arccos": 0.9,
            "arctan": 0.92, "cosh": 0.78, "tanh": 0.93, "cbrt": 0.88, "sigmoid": 1.0,
            "sqrt": 1.0}


@pytest.mark.parametrize("name", frozen.FUNCS)
def test_matches_mxnet_bit_for_bit_nearly_always(name):
    x = frozen.inputs(name)
    got = getattr(mx.nd, name)(mx.nd.array(x)).asnumpy()
    want = WANT[name]
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-30)
    share = np.mean(got == want)
    assert share >= AT_LEAST[name], f"{name}: only {share:.3f} of outputs equal MXNet's"


def test_float64_inputs_are_computed_in_float64():
    x = np.linspace(-3, 3, 7)
    np.testing.assert_array_equal(mx.nd.exp(mx.nd.array(x, dtype="float64")).asnumpy(),
                                  np.exp(x))
