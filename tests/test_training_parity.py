"""A seeded Gluon training run gives MXNet 1.9.1's numbers.

The program (``tests/data/mxnet/make_training_parity.py``) draws its data and initial
weights with ``mx.random``, trains an MLP with BatchNorm and Dropout by Adam over a
shuffling DataLoader for 3 epochs, imperatively and hybridized.  Expected values: the
same program run by MXNet 1.9.1 (``training_parity.json``).  Because pymx reproduces
MXNet's random streams, only float32 rounding separates the two runs.
"""
import json
import os
import sys

import numpy as np
import pytest

import pymx as mx

HERE = os.path.join(os.path.dirname(__file__), "data", "mxnet")
sys.path.insert(0, HERE)
import make_training_parity as program  # noqa: E402

FROZEN = json.load(open(os.path.join(HERE, "training_parity.json")))


@pytest.mark.parametrize("mode", ["imperative", "hybridized"])
def test_seeded_training_matches_mxnet(mode):
    got = program.run(mx, mode == "hybridized")
    want = FROZEN[mode]
    np.testing.assert_allclose(got["history"], want["history"], rtol=2e-4)
    np.testing.assert_allclose(got["outputs"], want["outputs"], rtol=1e-3, atol=1e-4)
