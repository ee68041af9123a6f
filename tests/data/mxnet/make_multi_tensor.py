"""Write ``multi_tensor.json`` with **real MXNet 1.9.1** (the multi-tensor ops).

Run it with the side virtualenv (not part of pymx and not needed to run the tests)::

    /work/venv-mxnet/bin/python tests/data/mxnet/make_multi_tensor.py

Each case: the op, its keyword arguments, the input arrays (dtype, shape, flat values),
which inputs ``out=`` names (MXNet requires ``out=`` for the multi-SGD ops; the
optimizer passes the weights), what MXNet returned and the values of every input after
the call (the ops update momenta, master copies and flags in place).
``tests/ops/test_multi_tensor.py`` replays the cases in pymx.
"""
import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
assert mx.__version__ == "1.9.1", mx.__version__

rng = np.random.default_rng(20261124)
CASES = []


def arr(shape, lo=-1.0, hi=1.0, dtype="float32"):
    return rng.uniform(lo, hi, shape).astype(dtype)


def case(op, inputs, out=None, flag=None, **kwargs):
    """``out``: indices of the inputs passed as ``out=`` (a list), or None; ``flag``: a
    value for a separate float32 ``out=`` array of shape (1,) (``multi_all_finite``)."""
    nd_in = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    kw = dict(kwargs)
    if out is not None:
        kw["out"] = [nd_in[i] for i in out] if len(out) > 1 else nd_in[out[0]]
    if flag is not None:
        kw["out"] = mx.nd.array([flag])
    res = getattr(mx.nd, op)(*nd_in, **kw)
    res = res if isinstance(res, list) else [res]
    CASES.append({
        "op": op, "kwargs": kwargs, "out": out, "flag": flag,
        "inputs": [[str(x.dtype), list(x.shape), x.reshape(-1).tolist()] for x in inputs],
        "result": [[str(r.dtype.__name__ if hasattr(r.dtype, "__name__") else r.dtype),
                    list(r.shape), r.asnumpy().reshape(-1).tolist()] for r in res],
        "after": [x.asnumpy().reshape(-1).tolist() for x in nd_in]})


SHAPES = [(3, 4), (5,)]
for extra in [{}, {"rescale_grad": 0.5, "clip_gradient": 0.3}, {"clip_gradient": 0.0}]:
    for wds in [(0.0, 0.0), (0.1, 0.01)]:
        two = dict(lrs=(0.1, 0.05), wds=wds, num_weights=2, **extra)
        ws = [arr(s) for s in SHAPES]
        gs = [arr(s, -3, 3) for s in SHAPES]
        ms = [arr(s) for s in SHAPES]
        case("multi_sgd_update", [ws[0], gs[0], ws[1], gs[1]], out=[0, 2], **two)
        case("multi_sgd_mom_update", [ws[0], gs[0], ms[0], ws[1], gs[1], ms[1]],
             out=[0, 3], momentum=0.9, **two)
        w16 = [w.astype("float16") for w in ws]
        case("multi_mp_sgd_update", [w16[0], gs[0].astype("float16"), ws[0],
                                     w16[1], gs[1].astype("float16"), ws[1]],
             out=[0, 3], **two)
        case("multi_mp_sgd_mom_update", [w16[0], gs[0].astype("float16"), ms[0], ws[0],
                                         w16[1], gs[1].astype("float16"), ms[1], ws[1]],
             out=[0, 4], momentum=0.9, **two)
        pre = {k: v for k, v in two.items() if k not in ("lrs", "wds")}
        lrs, wds_a = np.array(two["lrs"], "float32"), np.array(wds, "float32")
        case("preloaded_multi_sgd_update", [ws[0], gs[0], ws[1], gs[1], lrs, wds_a],
             out=[0, 2], **pre)
        case("preloaded_multi_sgd_mom_update",
             [ws[0], gs[0], ms[0], ws[1], gs[1], ms[1], lrs, wds_a], out=[0, 3],
             momentum=0.9, **pre)
        case("preloaded_multi_mp_sgd_update",
             [w16[0], gs[0].astype("float16"), ws[0], w16[1], gs[1].astype("float16"), ws[1],
              lrs, wds_a], out=[0, 3], **pre)
        case("preloaded_multi_mp_sgd_mom_update",
             [w16[0], gs[0].astype("float16"), ms[0], ws[0],
              w16[1], gs[1].astype("float16"), ms[1], ws[1], lrs, wds_a], out=[0, 4],
             momentum=0.9, **pre)
# one weight, float64 (products of scalars in double), a new out= array
case("multi_sgd_update", [arr((4,), dtype="float64"), arr((4,), dtype="float64")], out=[0],
     lrs=(0.1,), wds=(0.3,), num_weights=1, rescale_grad=0.7)
case("multi_sgd_mom_update", [arr((2, 2)), arr((2, 2)), arr((2, 2))], out=[0],
     lrs=(0.2,), wds=(0.1,), momentum=0.5, num_weights=1)

case("multi_sum_sq", [arr((3, 4), -3, 3), arr((7,)), arr((2, 2))], num_arrays=3)
case("multi_sum_sq", [arr((2, 2), dtype="float16"), arr((3,), dtype="float16")],
     num_arrays=2)
case("multi_sum_sq", [arr((1000,), -3, 3)], num_arrays=1)
fin = arr((3,))
case("multi_all_finite", [fin, arr((2, 2))], num_arrays=2)
case("multi_all_finite", [fin, np.array([1.0, np.inf], "float32")], num_arrays=2)
case("multi_all_finite", [np.array([np.nan], "float32"), fin], num_arrays=2)
case("multi_all_finite", [fin], flag=0.0, num_arrays=1, init_output=False)
case("multi_all_finite", [fin], flag=1.0, num_arrays=1, init_output=False)
case("multi_all_finite", [np.array([-np.inf], "float32")], flag=1.0, num_arrays=1,
     init_output=False)
case("multi_all_finite", [fin], flag=0.0, num_arrays=1)
case("all_finite", [arr((2, 3))])
case("all_finite", [np.array([1.0, np.nan], "float16")])
case("reset_arrays", [arr((2, 3)), arr((4,))], num_arrays=2)
case("multi_lars", [np.array([0.1, 0.2, 0.3, 0.4], "float32"),
                    np.array([4.0, 9.0, 1.0, 0.0], "float32"),
                    np.array([1.0, 0.0, 4.0, 2.0], "float32"),
                    np.array([0.0, 0.1, 0.2, 0.3], "float32")],
     eta=0.01, eps=1e-8, rescale_grad=0.5)
case("multi_lars", [arr((5,), 0.01, 0.2), arr((5,), 0.5, 9.0), arr((5,), 0.1, 4.0),
                    arr((5,), 0.0, 0.01)], eta=0.001, eps=0.0)

with open(os.path.join(HERE, "multi_tensor.json"), "w") as f:
    json.dump({"mxnet": mx.__version__, "cases": CASES}, f)
print(len(CASES), "cases")
