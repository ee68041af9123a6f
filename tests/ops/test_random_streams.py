"""pymx's uniform, normal and Dropout draws are MXNet 1.9.1's CPU numbers, bit for bit.

The expected values were produced by real MXNet 1.9.1 on CPU with
``tests/data/mxnet/make_random_streams.py`` (``random_streams.json``); the test runs the
same scenario steps (seed, then expressions of ``mx``) with ``mx = pymx``.  See
``pymx/ops/mt19937.py`` for the generators.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import pymx as mx
from pymx.ops import mt19937

HERE = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet")
sys.path.insert(0, HERE)
import make_random_streams as streams  # noqa: E402

FROZEN = json.load(open(os.path.join(HERE, "random_streams.json")))["scenarios"]


@pytest.mark.parametrize("name", [n for n in streams.SCENARIOS if n != "unseeded"])
def test_scenario_matches_mxnet(name):
    got = streams.run(mx, *streams.SCENARIOS[name])
    for step, g, want in zip(streams.SCENARIOS[name][1], got, FROZEN[name]):
        assert g["shape"] == want["shape"] and g["dtype"] == want["dtype"], step
        np.testing.assert_array_equal(np.asarray(g["values"], want["dtype"]),
                                      np.asarray(want["values"], want["dtype"]),
                                      err_msg=step)


def test_unseeded_process_starts_from_mxnets_seed_0():
    code = ("import json, sys; sys.path.insert(0, %r); import make_random_streams as s; "
            "import pymx; print(json.dumps(s.run(pymx, *s.SCENARIOS['unseeded'])))" % HERE)
    got = json.loads(subprocess.check_output([sys.executable, "-c", code]))
    assert got == FROZEN["unseeded"]


def test_init_genrand_is_std_mt19937_seeding():
    # std::mt19937(5489) (the C++ default seed) gives 3499211612 first (C++ standard,
    # [rand.predef]: the 10000th output is 4123659995).
    bits = mt19937.twister(mt19937.init_genrand([5489])[0])
    words = bits.random_raw(10000)
    assert words[0] == 3499211612 and words[-1] == 4123659995


def test_parallel_runs_split_like_launch_rng():
    runs = mt19937.ParallelRandom.runs
    assert runs(3) == [(0, 0, 3)]
    assert runs(200) == [(0, 0, 50), (1, 50, 100), (2, 100, 150), (3, 150, 200)]
    big = runs(64 * 1024 + 1)                     # capped at 1024 twisters
    assert max(t for t, _, _ in big) < 1024 and big[-1][2] == 64 * 1024 + 1


def test_polar_method_statistics_and_no_overdraw():
    p = mt19937.ParallelRandom(9)
    z = p.normal(200000)
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    # drawing 5 then 5 more from one twister equals drawing 10 at once per element
    a, b = mt19937.SerialRandom(3), mt19937.SerialRandom(3)
    np.testing.assert_array_equal(np.concatenate([a.normal(4), a.normal(6)]), b.normal(10))


def test_seed_resets_every_stream():
    mx.random.seed(123)
    first = [mx.nd.random.uniform(shape=(70,)).asnumpy(), mx.np.random.normal(size=3).asnumpy(),
             mx.nd.random.gamma(2, 1, shape=(4,)).asnumpy()]
    mx.random.seed(123)
    again = [mx.nd.random.uniform(shape=(70,)).asnumpy(), mx.np.random.normal(size=3).asnumpy(),
             mx.nd.random.gamma(2, 1, shape=(4,)).asnumpy()]
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x, y)
