"""Freeze MXNet 1.9.1's CPU random streams: ``random_streams.json``.

Run with MXNet 1.9.1 (``pip install mxnet==1.9.1 'numpy<1.24'``):
``MXNET_SUBGRAPH_BACKEND=NONE python tests/data/mxnet/make_random_streams.py``.
Each scenario seeds (or not), then evaluates its steps in order; the test
(``tests/ops/test_random_streams.py``) runs the same steps with ``mx = pymx``.  The
steps are plain expressions of ``mx`` so both libraries read the same table.
"""
import json
import os

import numpy as np

SCENARIOS = {
    # name: (seed or None, [expressions evaluated in order])
    "uniform_small": (1, ["mx.nd.random.uniform(shape=(5,))",
                          "mx.nd.random.uniform(-2, 3, shape=(2, 3))"]),
    "uniform_runs": (1, ["mx.nd.random.uniform(shape=(200,))",
                         "mx.nd.random.uniform(shape=(5,))"]),
    "uniform_many_states": (11, ["mx.nd.random.uniform(shape=(300, 250))"]),
    "uniform_dtypes": (3, ["mx.nd.random.uniform(-2, 5, shape=(70,), dtype='float64')",
                           "mx.nd.random.uniform(shape=(9,), dtype='float16')"]),
    "normal": (1, ["mx.nd.random.normal(shape=(301,))",
                   "mx.nd.random.normal(0.5, 0.01, shape=(7,))",
                   "mx.nd.random.normal(1, 2, shape=(5,), dtype='float64')"]),
    "normal_many_states": (12, ["mx.nd.random.normal(2, 3, shape=(100, 800))"]),
    "sample_ops": (4, ["mx.nd.sample_uniform(mx.nd.array([0, 1]), mx.nd.array([1, 3]), "
                       "shape=(70,))",
                       "mx.nd.sample_normal(mx.nd.array([0, 1]), mx.nd.array([1, 3]), "
                       "shape=(3,))"]),
    "dropout": (5, ["mx.nd.Dropout(mx.nd.ones((300,)), p=0.3, mode='always')",
                    "mx.nd.Dropout(mx.nd.ones((4, 50), dtype='float64'), p=0.5, "
                    "mode='always')",
                    "mx.nd.Dropout(mx.nd.ones((4, 3)), p=0.2, mode='always', axes=(1,))"]),
    "np_random": (5, ["mx.np.random.uniform(size=(5,))",
                      "mx.np.random.uniform(size=(70,))",
                      "mx.np.random.normal(size=(5,))",
                      "mx.np.random.uniform(2, 3, size=(3,), dtype='float64')",
                      "mx.np.random.normal(2, 3, size=(4,))",
                      "mx.np.random.uniform(3, 1, size=(2,))"]),
    "exponential": (5, ["mx.nd.random.exponential(2.0, shape=(5,))",
                        "mx.nd.random.exponential(0.5, shape=(70,), dtype='float64')",
                        "mx.nd.sample_exponential(mx.nd.array([1., 4.]), shape=(3,))"]),
    "unseeded": (None, ["mx.nd.random.uniform(shape=(3,))"]),
    "initializers": (7, ["init_net(mx, 'xavier')", "init_net(mx, 'normal')",
                         "init_net(mx, 'default')"]),
}


def init_net(mx, kind):
    """A Dense layer's weight after ``initialize``: Xavier / Normal(0.01) / default."""
    net = mx.gluon.nn.Dense(6, in_units=5)
    if kind == "default":
        net.initialize()
    else:
        net.initialize(mx.init.Xavier() if kind == "xavier" else mx.init.Normal(0.01))
    return net.weight.data()


def run(mx, seed, steps):
    """Seed (``None``: a fresh process's state is wanted, so the caller must run this
    scenario first or in a new process), then evaluate ``steps``; returns lists."""
    if seed is not None:
        mx.random.seed(seed)
    env = {"mx": mx, "init_net": init_net}
    out = []
    for step in steps:
        x = eval(step, env)
        out.append({"dtype": np.dtype(x.dtype).name, "shape": list(x.shape),
                    "values": sample(x.asnumpy().ravel()).tolist()})
    return out


def sample(flat):
    """All values of a small array; of a large one, the first and last 64 and every
    97th (which visits every run of the parallel generator)."""
    if flat.size <= 512:
        return flat
    return np.concatenate([flat[:64], flat[::97], flat[-64:]])


if __name__ == "__main__":
    import subprocess
    import sys
    import mxnet as mx
    if len(sys.argv) > 1:                     # one scenario in a fresh process
        print(json.dumps(run(mx, *SCENARIOS[sys.argv[1]])))
        sys.exit()
    result = {"mxnet": mx.__version__, "scenarios": {}}
    for name in SCENARIOS:
        text = subprocess.check_output([sys.executable, __file__, name])
        result["scenarios"][name] = json.loads(text)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "random_streams.json")
    with open(path, "w") as f:
        json.dump(result, f)
