"""Exercise stable_softmax: ``softmax_kernel`` and ``log_softmax_kernel`` in
``pymx/ops/softmax.py``, through ``mx.nd.softmax`` / ``mx.nd.log_softmax``.

Oracle: float64 NumPy with the maximum subtracted (exact for these inputs).
"""
import numpy as np
import pytest

import pymx as mx

from support import HEADER, check_close, src

pytestmark = pytest.mark.exercise("stable_softmax")


def np_log_softmax(x, axis):
    x = x.astype(np.float64)
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


SMALL = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]], dtype=np.float32)
HUGE = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]], dtype=np.float32)

SNIPPET = HEADER + """x = mx.nd.array({x})
print(mx.nd.{op}(x, **{kw!r}))
"""


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("name,x_np", [("small", SMALL), ("huge", HUGE)])
@pytest.mark.parametrize("axis", [-1, 0])
def test_matches_numpy_and_never_overflows(repro, op, name, x_np, axis):
    kw = {"axis": axis}
    repro(SNIPPET.format(x=src(x_np), op=op, kw=kw), x=x_np, op=op, attrs=kw)
    got = getattr(mx.nd, op)(mx.nd.array(x_np), **kw).asnumpy()
    assert np.all(np.isfinite(got)), f"{op} of the {name} input gave {got.tolist()}"
    expected = np_log_softmax(x_np, axis)
    if op == "softmax":
        expected = np.exp(expected)
    check_close(got, expected, f"{op}(axis={axis}) of the {name} input", rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_temperature(repro, op):
    kw = {"axis": -1, "temperature": 2.5}
    repro(SNIPPET.format(x=src(HUGE), op=op, kw=kw), x=HUGE, op=op, attrs=kw)
    got = getattr(mx.nd, op)(mx.nd.array(HUGE), **kw).asnumpy()
    expected = np_log_softmax(HUGE / 2.5, -1)
    check_close(got, np.exp(expected) if op == "softmax" else expected,
                f"{op} with temperature 2.5", rtol=1e-5, atol=1e-6)


def test_float64_and_3d(repro):
    x_np = np.random.RandomState(0).randn(2, 3, 4) * 50
    repro(SNIPPET.format(x=src(x_np), op="softmax", kw={"axis": 1}), x=x_np)
    got = mx.nd.softmax(mx.nd.array(x_np, dtype=np.float64), axis=1)
    assert got.dtype == np.float64
    check_close(got.asnumpy(), np.exp(np_log_softmax(x_np, 1)), "softmax(axis=1)",
                rtol=1e-10, atol=1e-12)


def test_length_mask(repro):
    """use_length: only the first length[i] entries of row i take part; the rest are 0.
    A row of length 0 is all zeros (not nan)."""
    x_np = np.array([[1.0, 2.0, 3.0, 4.0], [500.0, 0.0, 900.0, 1.0], [1.0, 1.0, 1.0, 1.0]],
                    dtype=np.float32)
    length = np.array([2, 3, 0], dtype=np.int32)       # MXNet requires integer lengths
    repro(HEADER + f"""x = mx.nd.array({src(x_np)})
length = mx.nd.array({src(length)}, dtype="int32")
print(mx.nd.softmax(x, length, axis=-1, use_length=True))
""", x=x_np, length=length)
    got = mx.nd.softmax(mx.nd.array(x_np), mx.nd.array(length, dtype="int32"), axis=-1,
                        use_length=True).asnumpy()
    expected = np.zeros((3, 4))
    for i, n in enumerate(length.astype(int)):
        if n:
            expected[i, :n] = np.exp(np_log_softmax(x_np[i:i + 1, :n], -1))
    check_close(got, expected, "masked softmax", rtol=1e-5, atol=1e-6)
