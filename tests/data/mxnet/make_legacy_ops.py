"""Write ``legacy_ops.json`` with **real MXNet 1.9.1**: forward values and gradients of
the legacy operators added to pymx together (hard_sigmoid, moveaxis, cumsum, im2col,
col2im, Crop, GridGenerator, BilinearSampler, SpatialTransformer, ROIPooling,
Correlation, the random_pdf_* densities, histogram, choose_element_0index,
fill_element_0index, onehot_encode, amp_cast, amp_multicast, cast_storage,
IdentityAttachKLSparseReg).  New cases go at the end, so that the random inputs of
the earlier ones stay the same.

Run it with the side virtualenv (MKL-DNN off: MXNet's MKL-DNN build rejects the AMP ops
on float16/float64 with "unknown type for MKLDNN")::

    MXNET_MKLDNN_ENABLED=0 MXNET_SUBGRAPH_BACKEND=NONE \\
        /work/venv-mxnet/bin/python tests/data/mxnet/make_legacy_ops.py

Each case: ``family`` (the test file that replays it), ``op``, ``kwargs``, ``inputs``
([dtype, shape, flat values]), ``grad`` (indices of the inputs that get a gradient),
``heads`` (one head gradient per output), ``outputs`` and ``grads`` (the gradients of
the ``grad`` inputs), each [dtype, shape, flat values].  ``aux`` lists the indices of
auxiliary-state inputs, run through a bound Symbol (``IdentityAttachKLSparseReg``);
``aux_after`` holds their values after forward + backward.
"""
import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
assert mx.__version__ == "1.9.1", mx.__version__
rng = np.random.default_rng(20260107)


def arr(shape, lo=-2.0, hi=2.0, dtype="float32"):
    """Uniform values in [lo, hi) of ``dtype``."""
    return rng.uniform(lo, hi, shape).astype(dtype)


CASES = []          # filled by case() and aux_case()


def enc(x):
    x = x.asnumpy() if hasattr(x, "asnumpy") else np.asarray(x)
    return [x.dtype.name, list(x.shape), x.reshape(-1).tolist()]


def case(family, op, inputs, grad=(), fn=None, **kwargs):
    """Run ``mx.nd.<op>`` (or ``fn``) on ``inputs``; gradients of inputs ``grad`` for
    random head gradients."""
    xs = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    for i in grad:
        xs[i].attach_grad()
    call = fn or (lambda *a: getattr(mx.nd, op)(*a, **kwargs))
    with mx.autograd.record():
        out = call(*xs)
    outs = out if isinstance(out, list) else [out]
    heads = [arr(o.shape, 0.5, 1.5, o.dtype) for o in outs]
    if grad:
        mx.autograd.backward(outs, [mx.nd.array(h, dtype=h.dtype) for h in heads])
    CASES.append({"family": family, "op": op, "kwargs": kwargs,
                  "inputs": [enc(x) for x in inputs], "grad": list(grad),
                  "heads": [enc(h) for h in heads], "outputs": [enc(o) for o in outs],
                  "grads": [enc(xs[i].grad) for i in grad], "aux": []})


def aux_case(family, op, data, aux, **kwargs):
    """A bound Symbol with auxiliary states: forward(is_train=True) + backward."""
    sym = getattr(mx.sym, op)(mx.sym.var("data"), **kwargs)
    exe = sym.bind(mx.cpu(), {"data": mx.nd.array(data)},
                   args_grad={"data": mx.nd.zeros(data.shape)},
                   aux_states=[mx.nd.array(a) for a in aux])
    out = exe.forward(is_train=True)[0]
    head = arr(out.shape, 0.5, 1.5)
    exe.backward(mx.nd.array(head))
    CASES.append({"family": family, "op": op, "kwargs": kwargs,
                  "inputs": [enc(data)] + [enc(a) for a in aux], "grad": [0],
                  "heads": [enc(head)], "outputs": [enc(out)],
                  "grads": [enc(exe.grad_arrays[0])],
                  "aux": list(range(1, 1 + len(aux))),
                  "aux_after": [enc(a) for a in exe.aux_arrays]})


# ---- elementwise ---------------------------------------------------------------------
x = np.array([[-3.0, -2.5, -1.0, 0.0, 1.0, 2.4, 3.0]], "float32")
case("elemwise", "hard_sigmoid", [x], grad=[0])
case("elemwise", "hard_sigmoid", [arr((3, 4), -4, 4)], grad=[0], alpha=0.3, beta=0.4)
case("elemwise", "hard_sigmoid", [arr((2, 3), dtype="float64")], grad=[0])
for dt in ("float32", "float64", "float16", "int32"):
    case("elemwise", "amp_cast", [arr((2, 3), dtype=dt)], grad=[0] if dt != "int32" else [],
         dtype="float16")
case("elemwise", "amp_cast", [arr((2, 3), dtype="float16")], grad=[0], dtype="float32")
case("elemwise", "amp_cast", [arr((3,), -3, 3)], dtype="int32")
for dts, narrow in ((("float16", "float32"), False), (("float16", "float32"), True),
                    (("float32", "float64"), False), (("float16", "float64"), False),
                    (("int32", "float16", "float32"), False)):
    ins = [arr((2, i + 1), dtype=dt) for i, dt in enumerate(dts)]
    grad = [i for i, dt in enumerate(dts) if dt != "int32"]
    case("elemwise", "amp_multicast", ins, grad=grad, num_outputs=len(dts),
         cast_narrow=narrow)
case("elemwise", "cast_storage", [arr((3, 2))], grad=[0], stype="default")

# ---- shape ---------------------------------------------------------------------------
for src, dst in ((0, 1), (0, -1), ((0, 1), (-1, -2)), (-1, 0), ((2, 0), (0, 1))):
    case("shape", "moveaxis", [arr((2, 3, 4))], grad=[0],
         fn=lambda t, s=src, d=dst: mx.nd.moveaxis(t, s, d), source=src, destination=dst)
case("spatial", "Crop", [arr((2, 3, 5, 6))], grad=[0], num_args=1, h_w=(2, 3), offset=(1, 2))
case("spatial", "Crop", [arr((1, 2, 5, 6))], grad=[0], num_args=1, h_w=(3, 3),
     center_crop=True)
case("spatial", "Crop", [arr((1, 2, 6, 7)), arr((1, 1, 3, 4))], grad=[0, 1], num_args=2)
case("spatial", "Crop", [arr((1, 2, 6, 7)), arr((1, 1, 3, 4))], grad=[0], num_args=2,
     center_crop=True)

# ---- reduce --------------------------------------------------------------------------
case("reduce", "cumsum", [arr((2, 3))], grad=[0])
case("reduce", "cumsum", [arr((2, 3, 4))], grad=[0], axis=1)
case("reduce", "cumsum", [arr((3, 4), dtype="float64")], grad=[0], axis=0)
case("reduce", "cumsum", [rng.integers(-5, 5, (2, 3)).astype("int32")], axis=1)
case("reduce", "cumsum", [rng.integers(0, 100, (2, 3)).astype("int8")], axis=1)
case("reduce", "cumsum", [arr((2, 3))], grad=[0], axis=1, dtype="float64")
case("reduce", "cumsum", [arr((2, 3), -5, 5)], axis=0, dtype="int32")

# ---- convolution: im2col, col2im -----------------------------------------------------
for shape, kw in (((2, 3, 4, 4), dict(kernel=(2, 2))),
                  ((1, 2, 5, 6), dict(kernel=(3, 2), stride=(2, 1), pad=(1, 0))),
                  ((1, 2, 7, 7), dict(kernel=(3, 3), dilate=(2, 2), pad=(1, 1))),
                  ((1, 2, 5, 5), dict(kernel=(2, 3), stride=(3, 2)))):
    # (2-D windows only: MXNet 1.9.1's CPU im2col of 1-D and 3-D windows fails with
    # "index = 3 must be in range [0, 3)" when its values are read)
    case("convolution", "im2col", [arr(shape)], grad=[0], **kw)
    cols = mx.nd.im2col(mx.nd.array(arr(shape)), **kw)
    case("convolution", "col2im", [arr(cols.shape)], grad=[0], output_size=shape[2:], **kw)

# ---- indexing ------------------------------------------------------------------------
data = arr((3, 4))
case("indexing", "choose_element_0index", [data, np.array([1, 3, 7], "float32")], grad=[0])
case("indexing", "choose_element_0index", [data, np.array([0, 2, 1, 2], "float32")],
     grad=[0], axis=0)
case("indexing", "choose_element_0index", [data, np.array([-1, 5, 2], "float32")],
     grad=[0], mode="wrap")
case("indexing", "fill_element_0index", [arr((3, 4)), arr((3,)),
                                         np.array([1, 3, 0], "float32")])
case("indexing", "onehot_encode", [np.array([1, 4, 0, 2], "float32"),
                                   np.zeros((4, 5), "float32")],
     fn=lambda i, o: mx.nd.onehot_encode(i, o))

# ---- regularization ------------------------------------------------------------------
aux_case("regularization", "IdentityAttachKLSparseReg", arr((4, 3), 0.05, 0.95),
         [arr((3,), 0.2, 0.8)])
aux_case("regularization", "IdentityAttachKLSparseReg", arr((5, 2), 0.05, 0.95),
         [arr((2,), 0.2, 0.8)], sparseness_target=0.3, penalty=0.5, momentum=0.5)

# ---- spatial sampling: GridGenerator, BilinearSampler, SpatialTransformer, ROIPooling -
case("spatial", "GridGenerator", [arr((2, 6), -1, 1)], grad=[0], transform_type="affine",
     target_shape=(3, 4))
case("spatial", "GridGenerator", [arr((1, 6), -1, 1)], grad=[0], transform_type="affine",
     target_shape=(2, 5))      # (MXNet's CPU GridGenerator takes float32 only)
case("spatial", "GridGenerator", [arr((2, 2, 3, 4), -1, 1)], grad=[0], transform_type="warp")
# grid points inside, on the border and outside the image (outside pixels count as 0)
case("spatial", "BilinearSampler", [arr((2, 3, 4, 5)), arr((2, 2, 3, 3), -1.5, 1.5)],
     grad=[0, 1])
case("spatial", "BilinearSampler", [arr((1, 2, 3, 3), dtype="float64"),
                                    arr((1, 2, 4, 2), -1.2, 1.2, "float64")], grad=[0, 1])
case("spatial", "SpatialTransformer", [arr((2, 3, 4, 5)), arr((2, 6), -1, 1)], grad=[0, 1],
     target_shape=(3, 3), transform_type="affine", sampler_type="bilinear")
case("spatial", "SpatialTransformer",
     [arr((1, 2, 5, 4)), np.array([[0.9, 0.1, 0.05, -0.1, 1.1, 0.0]], "float32")],
     grad=[0, 1], target_shape=(4, 6), transform_type="affine", sampler_type="bilinear")
# rois: inside, fractional (rounded half away from zero), outside (empty bins -> 0),
# inverted (at least 1x1), partly outside
rois = np.array([[0, 0, 0, 3, 3], [1, 1.5, 2.4, 6.6, 5.5], [0, -3, -3, -1, -1],
                 [1, 2, 2, 1, 1], [0, 5, 4, 20, 20]], "float32")
case("spatial", "ROIPooling", [arr((2, 2, 6, 7)), rois], grad=[0, 1], pooled_size=(2, 3),
     spatial_scale=1.0)
case("spatial", "ROIPooling", [arr((2, 2, 6, 7), dtype="float64"), rois.astype("float64")],
     grad=[0], pooled_size=(3, 2), spatial_scale=0.5)
case("spatial", "ROIPooling", [np.arange(36, dtype="float32").reshape(1, 1, 6, 6),
                               np.array([[0, 0.5, 0.5, 2.5, 2.5], [0, 1.5, 1.5, 1.5, 1.5]],
                                        "float32")],
     grad=[0], pooled_size=(1, 2), spatial_scale=1.0)
# ties: the gradient goes to the first maximum only
case("spatial", "ROIPooling", [np.full((1, 1, 3, 3), -5.0, "float32"),
                               np.array([[0, 0, 0, 2, 2]], "float32")],
     grad=[0], pooled_size=(1, 1), spatial_scale=1.0)

# ---- random_pdf_*: densities, log-densities and their gradients -----------------------
POS = dict(lo=0.5, hi=3.0)


def pdf_case(name, sample, *params, grad=None, **kwargs):
    for is_log in (False, True):
        case("pdf", f"random_pdf_{name}", [sample, *params],
             grad=range(1 + len(params)) if grad is None else grad, is_log=is_log, **kwargs)


# parameters of shape (2,) for samples of shape (2, 3) (extra axes after the group axes)
low = arr((2,), -1, 0)
pdf_case("uniform", arr((2, 3), -2, 2), low, low + arr((2,), 0.5, 2))    # some outside
pdf_case("normal", arr((2, 3)), arr((2,)), arr((2,), **POS))
pdf_case("normal", arr((2, 2, 2), dtype="float64"), arr((2, 2), dtype="float64"),
         arr((2, 2), 0.5, 3, "float64"))
pdf_case("gamma", arr((2, 3), 0.2, 4), arr((2,), **POS), arr((2,), **POS))   # beta: rate
pdf_case("exponential", arr((2, 3), 0.1, 3), arr((2,), **POS))
ints = rng.integers(0, 6, (2, 3)).astype("float32")
pdf_case("poisson", ints, arr((2,), **POS))
pdf_case("poisson", arr((3,), 0, 4), arr((3,), **POS))           # non-integer samples
pdf_case("negative_binomial", ints, arr((2,), **POS), arr((2,), 0.2, 0.8))
pdf_case("generalized_negative_binomial", ints, arr((2,), **POS), arr((2,), 0.2, 1.5))
# Dirichlet: alpha (2, 3), samples (2, 4, 3): the extra axis sits before the last one
pdf_case("dirichlet", rng.dirichlet([1, 2, 3], (2, 4)).astype("float32"),
         arr((2, 3), **POS))
pdf_case("dirichlet", rng.dirichlet([2, 1, 1, 3], 5).astype("float64"),
         arr((4,), 0.5, 3, "float64"))

# ---- histogram (MXNet's Python wrapper over _histogram); kwargs: bins (an int, or None
# when the second input holds the edges) and range ------------------------------------
def hist_case(data, bins=None, edges=None, range=None):
    inputs = [data] if edges is None else [data, edges]
    case("histogram", "histogram", inputs, bins=bins, range=range,
         fn=lambda x, *e: list(mx.nd.histogram(x, bins=e[0] if e else bins, range=range)))


odd = np.array([0, 1, 1, 2, 5, 9.5, 10, 11, -1, np.nan, 7.9999999, 2.0000001], "float32")
hist_case(odd, bins=5, range=(0, 10))                  # right edge in the last bin
hist_case(odd, edges=np.array([0, 1, 4, 10], "float32"))
hist_case(arr((3, 4)), bins=4, range=(-1.5, 1.5))
hist_case(np.array([0.1, 0.2, 0.3, 0.7], "float32"), bins=3, range=(0.1, 0.7))
hist_case(np.array([0, 1, 2, 3], "float32"), bins=3, range=(1, 1))   # widened by 0.5
hist_case(np.arange(4, dtype="int32"), bins=2, range=(0, 3))      # truncated int edges
hist_case(arr((5,), dtype="float64"), bins=3, range=(-2, 2))
hist_case(np.array([0, 1, 2, 3, 3], "float32"), bins=3)          # NumPy's, on the host

# ---- Correlation (FlowNet) -----------------------------------------------------------
for kw in (dict(), dict(kernel_size=3, max_displacement=2, stride1=2, stride2=2, pad_size=2),
           dict(kernel_size=1, max_displacement=3, stride2=2, pad_size=1, is_multiply=False),
           dict(kernel_size=3, max_displacement=1, pad_size=1, is_multiply=False)):
    case("spatial", "Correlation", [arr((2, 3, 7, 8)), arr((2, 3, 7, 8))], grad=[0, 1], **kw)
case("spatial", "Correlation", [arr((1, 2, 5, 5), dtype="float64"),
                                arr((1, 2, 5, 5), dtype="float64")], grad=[0, 1],
     max_displacement=2, pad_size=1)
# |a - b| at a == b: MXNet's sign is +1 for data1 and -1 for data2
case("spatial", "Correlation", [np.ones((1, 1, 3, 3), "float32"),
                                np.ones((1, 1, 3, 3), "float32")], grad=[0, 1],
     max_displacement=0, is_multiply=False)

with open(os.path.join(HERE, "legacy_ops.json"), "w") as f:
    json.dump({"mxnet": mx.__version__, "cases": CASES}, f)
print(f"wrote {len(CASES)} cases")
