"""d2l-style ``mx.np``/``mx.npx`` code against MXNet 1.9.1, case by case.

``tests/data/mxnet/parity_np.json`` holds what a real MXNet 1.9.1 answered for each
case of ``tests/data/mxnet/make_parity_np.py`` (which regenerates it): the result's
class, dtype, shape and values, or the class of the exception.  The same strings run
here with pymx.  Topics: reprs, dtype promotion (comparisons and ``maximum`` refuse
mixed dtypes, ``var`` of ints stays int, int ``dot`` is an error), the ``mx.np.ndarray``
methods (NumPy signatures, and the legacy fluent methods MXNet refuses), ``np.round``'s
kernel, float32 ``arange``, scalars handed to NumPy, reshape being a copy, the
``np.random`` distributions and the ``npx`` operators.
"""
import importlib.util
import json
import math
import os

import numpy as onp
import pytest

import pymx as mx
from pymx import autograd, np, npx

HERE = os.path.join(os.path.dirname(__file__), "data", "mxnet")
with open(os.path.join(HERE, "parity_np.json")) as _f:
    MX = json.load(_f)
_spec = importlib.util.spec_from_file_location("make_parity_np",
                                               os.path.join(HERE, "make_parity_np.py"))
GEN = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(GEN)                     # CASES, SETUP, describe (no mxnet import)

EXACT = {c[1] for c in GEN.CASES if isinstance(c, tuple)}
#: cases whose values are random: compared by class, dtype and shape only
RANDOM = {"np.random.uniform(0, 1, (2, 3)) > 0.5"}


def _close(want, got, exact):
    if "float" in want:
        if "float" not in got or len(want["float"]) != len(got["float"]):
            return False
        for w, g in zip(want["float"], got["float"]):
            if w == "nan" or g == "nan":
                if w != g:
                    return False
            elif exact:
                if w != g:                             # repr strings: bit for bit, -0.0 too
                    return False
            elif not math.isclose(float(w), float(g), rel_tol=2e-6, abs_tol=1e-6):
                return False
        return True
    return want == got


def _same(want, got, exact, random=False):
    if "error" in want or "error" in got:
        return want == got
    if want["kind"] != got["kind"]:
        return False
    if "items" in want:
        return len(want["items"]) == len(got["items"]) and all(
            _same(w, g, exact, random) for w, g in zip(want["items"], got["items"]))
    if "values" in want:
        if want.get("dtype") != got.get("dtype") or want.get("shape") != got.get("shape"):
            return False
        return random or _close(want["values"], got["values"], exact)
    return want == got


@pytest.mark.parametrize("case", [c[1] if isinstance(c, tuple) else c for c in GEN.CASES])
def test_matches_mxnet(case):
    want = MX[case]
    got = GEN.run(np, npx, mx, autograd, case)
    assert _same(want, got, case in EXACT, case in RANDOM), (want, got)


def test_every_case_was_frozen():
    cases = {c[1] if isinstance(c, tuple) else c for c in GEN.CASES}
    assert cases == set(MX), sorted(cases ^ set(MX))


def test_known_values_spot_check():
    """A few frozen facts, written out, so that a broken JSON cannot hide them."""
    npx.set_np()
    try:
        # frozen from MXNet 1.9.1: 67 / 10 / 10 in float32, not float32(0.67)
        assert np.array([0.6667]).round(2).item() == float(onp.float32(0.66999996))
        # frozen from MXNet 1.9.1: 9 * 0.1f rounded to float32
        assert np.arange(0, 1, 0.1)[9].item() == float(onp.float32(0.90000004))
        assert np.arange(-8.0, 8.0, 0.1)[80].item() == 0.0
        assert math.copysign(1, np.round(np.array(-0.2)).item()) == -1     # -0.
        assert math.copysign(1, np.round(np.array(-0.5)).item()) == 1      # +0.
        with pytest.raises(AttributeError):
            np.ones(2).exp()
        with pytest.raises(mx.base.MXNetError):
            np.ones(2, dtype="int32") == np.ones(2)
        assert np.array([1, 3], dtype="int32").var().item() == 1      # int32: 1.0 truncated
        assert type(np.exp(1)) is onp.float64
    finally:
        npx.reset_np()
