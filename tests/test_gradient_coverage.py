"""Every registered op with a gradient rule has its gradient checked here.

For each op of ``pymx.ops.all_ops()`` whose ``gradient`` is not None, exactly one of
these tables says what to do:

* ``CASES`` (``pymx/conformance/cases.py``, the one table that says how to call each
  op: input shapes, value ranges, attributes; shared with the conformance suite) or
  ``LOCAL`` below (the ``_backward_*`` ops and overrides): the autograd gradient is
  compared with float64 central differences by ``pymx.test_utils.check_gradient``, on
  examples drawn by hypothesis (shape, attributes, seed).  Integer inputs (indices,
  labels, lengths) and inputs marked ``grad=False`` are left out via ``grad_inputs``.
  Several outputs are checked together (flattened and concatenated);
* ``ZERO``: the rule returns zeros (or None) on purpose; the test checks that the
  gradient is exactly zero for a random head gradient;
* ``LOSS_HEADS``: the gradient ignores the head gradient (MXNet's loss heads); it is
  compared with the documented formula, computed here in NumPy;
* ``KNOWN_WRONG``: rules known to be wrong, run as strict xfails so a fix shows up;
* ``SUBGRAPH``: control-flow ops, whose attributes include a subgraph (a Symbol) that
  the generic cases cannot draw: checked against float64 central differences in
  ``tests/test_control_flow_graph.py``.

``test_every_op_with_a_gradient_is_covered`` fails when an op with a gradient rule is
in none of them, so a new op must be added here.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pymx as mx
from pymx import autograd
from pymx.conformance.cases import A, CASES, I, Case
from pymx.conformance.runner import materialize
from pymx.ops import all_ops, get_op
from pymx.test_utils import assert_almost_equal, check_gradient

GRAD_OPS = sorted(op.name for op in all_ops() if op.gradient is not None)
F64 = "float64"

# ---- the rule returns zeros on purpose -----------------------------------------------------
_CMP = "comparison: 0/1 output, piecewise constant (zero gradient, as MXNet)"
ZERO = {
    **{n: "rounding: piecewise constant" for n in (
        "round", "rint", "fix", "floor", "ceil", "trunc", "sign")},
    **{f"broadcast_{n}": _CMP for n in (
        "equal", "not_equal", "greater", "greater_equal", "lesser", "lesser_equal",
        "logical_and", "logical_or", "logical_xor")},
    **{f"_{n}_scalar": _CMP for n in (
        "equal", "not_equal", "greater", "greater_equal", "lesser", "lesser_equal",
        "logical_and", "logical_or", "logical_xor")},
    "logical_not": _CMP,
    "BlockGrad": "stop_gradient: its purpose",
    "zeros_like": "output does not depend on the values",
    "ones_like": "output does not depend on the values",
    "argmax": "index output (float32), piecewise constant",
    "argmin": "index output (float32), piecewise constant",
    "argmax_channel": "index output, piecewise constant",
    "argsort": "index output, piecewise constant",
    "one_hot": "its only input is indices",
    "_ravel_multi_index": "integer index arithmetic",
    "_unravel_index": "integer index arithmetic",
    **{f"_contrib_{n}": "detection bookkeeping: zero gradient, as MXNet" for n in (
        "MultiBoxPrior", "MultiBoxTarget", "MultiBoxDetection", "box_iou",
        "bipartite_matching", "box_encode", "box_decode")},
    "_contrib_index_array": "output does not depend on the values",
    "_contrib_arange_like": "output does not depend on the values",
    **{f"_sample_{n}": "random draws: no gradient w.r.t. the distribution's parameters "
       "(as MXNet)" for n in ("uniform", "normal", "exponential", "gamma", "poisson",
                              "negative_binomial", "generalized_negative_binomial",
                              "multinomial")},
}

# ---- gradients that ignore the head gradient: the documented formula --------------------------
LOSS_HEADS = ("SoftmaxOutput", "LinearRegressionOutput", "LogisticRegressionOutput",
              "MAERegressionOutput", "SVMOutput", "MakeLoss", "make_loss")

# ---- MXNet's image augmentations pass the head gradient through (``_copy``) ----------------
PASS_THROUGH = {f"_image_{n}": kw for n, kw in (
    ("random_flip_left_right", {}), ("random_flip_top_bottom", {}),
    ("random_brightness", {"min_factor": 0.5, "max_factor": 1.5}),
    ("random_contrast", {"min_factor": 0.5, "max_factor": 1.5}),
    ("random_saturation", {"min_factor": 0.5, "max_factor": 1.5}),
    ("random_hue", {"min_factor": 0.5, "max_factor": 1.5}),
    ("random_color_jitter", {"brightness": 0.1, "contrast": 0.1, "saturation": 0.1,
                             "hue": 0.1}),
    ("adjust_lighting", {"alpha": (0.1, 0.2, 0.3)}), ("random_lighting", {}))}

# ---- rules known to be wrong (strict xfail: remove the entry when fixed) --------------------
SUBGRAPH = ("_foreach", "_while_loop", "_cond")
KNOWN_WRONG = {}      # empty: gamma/gammaln got their digamma rule (pymx/ops/special.py)

# ---- local cases: the _backward_* ops (w.r.t. their linear inputs) and overrides --------------
class _Cube(mx.operator.CustomOp):
    """A custom operator for ``Custom``'s check: y = x^3 in NumPy, dy/dx = 3 x^2."""

    def forward(self, is_train, req, in_data, out_data, aux):
        x = in_data[0].asnumpy()
        self.assign(out_data[0], req[0], mx.nd.array(x ** 3, dtype=x.dtype))

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        x, dy = in_data[0].asnumpy(), out_grad[0].asnumpy()
        self.assign(in_grad[0], req[0], mx.nd.array(3 * x * x * dy, dtype=x.dtype))


@mx.operator.register("_gradient_check_cube")
class _CubeProp(mx.operator.CustomOpProp):
    def create_operator(self, ctx, shapes, dtypes):
        return _Cube()


IMG = (1, 2, 4, 4)
LOCAL = {
    "Custom": Case("S", attrs={"op_type": "_gradient_check_cube"}),
    # mod jumps where a/b is an integer: keep a/b inside (0, 1) (the conformance cases
    # keep the signs and jumps, for the forward on every backend)
    "_mod_scalar": Case(A("S", 0.1, 1.2), attrs={"scalar": 1.3}),
    "_rmod_scalar": Case(A("S", 0.7, 1.25), attrs={"scalar": 1.3}),     # floor(1.3/x) = 1
    "broadcast_mod": Case(A("S", 0.1, 0.9), A("B", 1.0, 1.9)),
    "Cast": Case("S", attrs={"dtype": "float64"}),
    "_square_sum": Case((3, 4), attrs=[{"axis": (0,)}, {"axis": (1,), "keepdims": True}]),
    "_image_normalize": Case((3, 2, 2), attrs=[{"mean": (0.1, 0.2, 0.3), "std": (0.5, 2, 4)},
                                                {"mean": (0.5,), "std": (0.25,)}]),
    "_image_flip_left_right": Case((2, 3, 3)),
    "_image_flip_top_bottom": Case((2, 3, 3)),
    "_image_crop": Case((4, 5, 3), attrs={"x": 1, "y": 2, "width": 3, "height": 2}),
    # one coordinate: with repeated ones the last write wins and (as MXNet) the gradient
    # gather_nd(dy) still reaches the overwritten elements
    "scatter_nd": Case((1,), I((2, 1), 3), attrs={"shape": (3, 4)}),
    # central differences also nudge the index: keep it away from 0 (every row kept);
    # the rows-dropped gradients are frozen from MXNet in tests/ops/test_contrib.py
    "_contrib_boolean_mask": Case((4, 3), I((4,), 3, lo=1)),
    # scalar != 1 is not a derivative on purpose (tests/ops/test_contrib.py checks -0.5)
    "_contrib_gradientmultiplier": Case("S", attrs={"scalar": 1.0}),          # float32 would need looser tols
    "Dropout": Case("S", attrs=[{"p": 0.5}, {"p": 0.3, "axes": (0,)}]),   # seeded: see _fn
    "_backward_Concat": Case((2, 5), A((2, 2), grad=False), A((2, 3), grad=False),
                             attrs={"dim": 1}),
    "_backward_Embedding": Case((2, 3, 4), I((2, 3), 5), attrs={"input_dim": 5,
                                                                "output_dim": 4}),
    "_backward_FullyConnected": [
        Case((2, 3), (2, 5), (3, 5), attrs={"num_hidden": 3}),
        Case((2, 2, 3), (2, 2, 4), (3, 4), attrs={"num_hidden": 3, "flatten": False,
                                                  "no_bias": True}),
        Case((2, 3), A((2, 5), grad=False), (3, 5), attrs={"num_hidden": 3,
                                                           "data_grad": False})],
    "_backward_Convolution": [
        Case((1, 2, 3, 3), (1, 3, 5, 5), (2, 3, 3, 3), attrs=[
            {"kernel": (3, 3), "num_filter": 2},
            {"kernel": (3, 3), "num_filter": 2, "pad": (1, 1), "stride": (2, 2),
             "no_bias": True}]),
        Case((1, 4, 4), (1, 4, 6), (4, 2, 3), attrs={"kernel": (3,), "num_filter": 4,
                                                      "num_group": 2, "dilate": (1,)})],
    "_backward_Deconvolution": Case((1, 2, 6, 6), (1, 3, 3, 3), (3, 2, 3, 3), attrs=[
        {"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "pad": (1, 1), "adj": (1, 1)},
        {"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "dilate": (2, 2),
         "target_shape": (6, 6), "no_bias": False}]),
    "_backward_nanprod": Case((3, 4), A((3, 4), 0.5, 1.5), (3, 4)),
    "_backward_im2col": Case((1, 8, 9), A((1, 2, 4, 4), grad=False),
                             attrs={"kernel": (2, 2), "stride": (1, 1)}),
    "_backward_Crop": [Case((1, 2, 2, 3), A((1, 2, 5, 6), grad=False),
                            attrs={"h_w": (2, 3), "offset": (1, 2)}),
                       Case((1, 2, 3, 4), A((1, 2, 5, 6), grad=False),
                            A((1, 1, 3, 4), grad=False),
                            attrs={"num_args": 2, "center_crop": True})],
    "_backward_softmax_cross_entropy": Case((1,), (3, 4), I((3,), 4)),
    "_backward_UpSampling": [
        Case((1, 2, 4, 4), A((1, 2, 2, 2), grad=False), attrs={"scale": 2,
                                                              "sample_type": "nearest"}),
        Case((1, 3, 4, 4), A((1, 2, 2, 2), grad=False), A((1, 1, 4, 4), grad=False),
             attrs={"scale": 2, "sample_type": "nearest"}),
        Case((1, 2, 4, 4), A((1, 2, 2, 2), grad=False), A((1, 2, 1, 1), grad=False),
             attrs={"scale": 2, "sample_type": "nearest", "multi_input_mode": "sum"})],
    "_backward_LeakyReLU": [   # data away from the kink at 0 (|x| >= 0.25)
        Case((2, 3, 4), A((2, 3, 4), kind="nz"), (3,), attrs={"act_type": "prelu"}),
        Case((2, 3), A((2, 3), kind="nz"), (1,), attrs={"act_type": "prelu"})],
    "_backward_L2Normalization": [
        Case((2, 3, 4), (2, 3, 4), A((2,), 0.5, 2), attrs={}),
        Case((2, 3, 4), (2, 3, 4), A((2, 4), 0.5, 2), attrs={"mode": "channel"}),
        Case((2, 3, 4), (2, 3, 4), A((2, 3), 0.5, 2), attrs={"mode": "spatial"})],
    # mean and the spread are replaced by the statistics of data (see PRE)
    "_backward_LayerNorm": [
        Case((2, 3, 4), (2, 3, 4), (4,), A((2, 3, 1), grad=False), A((2, 3, 1), grad=False)),
        Case((2, 3, 4), (2, 3, 4), (3,), A((2, 1, 4), grad=False), A((2, 1, 4), grad=False),
             attrs={"axis": 1})],
    "_backward_InstanceNorm": [
        Case((2, 3, 4), (2, 3, 4), (3,), A((2, 3), grad=False), A((2, 3), grad=False)),
        Case((1, 2, 2, 3), (1, 2, 2, 3), (2,), A((1, 2), grad=False), A((1, 2), grad=False),
             attrs={"eps": 0.1})],
    "_backward_GroupNorm": Case((2, 4, 3), (2, 4, 3), (2,), A((2, 2), grad=False),
                                A((2, 2), grad=False), attrs={"num_groups": 2}),
    # (the last two inputs: the running statistics, which the backward moves in place)
    "_backward_BatchNorm": [
        Case((2, 3, 4), (2, 3, 4), (3,), A((3,), grad=False), A((3,), grad=False),
             A((3,), grad=False), A((3,), 0.5, 2, grad=False),
             attrs=[{"fix_gamma": False}, {}, {"use_global_stats": True, "fix_gamma": False}]),
        Case((2, 3, 4), (2, 3, 4), (4,), A((4,), grad=False), A((4,), grad=False),
             A((4,), grad=False), A((4,), 0.5, 2, grad=False),
             attrs={"axis": -1, "fix_gamma": False})],
    "_backward_LRN": Case((2, 4, 3, 3), (2, 4, 3, 3), A((2, 4, 3, 3), grad=False),
                          attrs=[{"nsize": 3}, {"nsize": 5, "alpha": 0.5, "beta": 0.6,
                                                "knorm": 1.0}]),
    "_backward_Pad": Case((1, 2, 5, 6), attrs=[{"mode": m, "pad_width": (0, 0, 0, 0, 1, 1,
                                                                          2, 1)}
                                               for m in ("constant", "edge", "reflect")]),
    # the pooled output input is replaced by Pooling(data) (see PRE)
    "_backward_Pooling": [
        Case((1, 2, 2, 2), A(IMG, grad=False), A((1, 2, 2, 2), grad=False),
             attrs=[{"kernel": (2, 2), "stride": (2, 2), "pool_type": t}
                    for t in ("avg", "sum", "max")]),
        Case(IMG, A(IMG, grad=False), A(IMG, grad=False),
             attrs={"kernel": (3, 3), "pad": (1, 1), "pool_type": "max"}),
        Case(IMG, A(IMG, 0.5, 2), A(IMG, grad=False),          # lp: x matters
             attrs=[{"kernel": (3, 3), "pad": (1, 1), "pool_type": "lp", "p_value": p}
                    for p in (1, 2, 3)]),
        Case((1, 2, 1, 1), A(IMG, 0.5, 2), A((1, 2, 1, 1), grad=False),
             attrs=[{"global_pool": True, "pool_type": t, "p_value": 2}
                    for t in ("max", "lp")])],
    "_max_pool_gather": [
        Case(IMG, A(IMG, grad=False), A(IMG, grad=False),
             attrs={"kernel": (3, 3), "pad": (1, 1), "pool_type": "max"}),
        Case(IMG, A(IMG, grad=False), A((1, 2, 2, 2), grad=False),
             attrs={"kernel": (3, 3), "stride": (2, 2), "pool_type": "max",
                    "pooling_convention": "full"}),
        Case(IMG, A(IMG, grad=False), A((1, 2, 1, 1), grad=False),
             attrs={"global_pool": True, "pool_type": "max"})],
    "_backward_SequenceLast": Case((2, 3), A((4, 2, 3), grad=False), I((2,), 5, lo=1),
                                   attrs={"use_sequence_length": True}),
    "_backward_diag": Case((3,), A((3, 4), grad=False), attrs={"k": 1}),
    "_backward_dot": Case((3, 5), (3, 4), (4, 5)),
    "_backward_gather_flat": Case((5,), I((5,), 12, dtype="int64"), A((3, 4), grad=False)),
    "_backward_gather_nd": Case((5,), I((2, 5), 3), A((3, 4), grad=False)),
    "_backward_slice_axis": Case((4, 3), A((4, 5), grad=False),
                                 attrs={"axis": 1, "begin": 1, "end": -1}),
    "_backward_slice_like": Case((2, 3), A((4, 5), grad=False), attrs={"axes": (0, 1)}),
    "_backward_take": Case((2, 2, 3), I((2, 2), 5), A((5, 3), grad=False)),
    "_backward_softmax": Case((3, 4), A((3, 4), 0.05, 0.5), attrs=[{}, {"axis": 0,
                                                                   "temperature": 2.0}]),
    "_backward_log_softmax": Case((3, 4), A((3, 4), -3, -0.5), attrs=[{}, {"axis": 0}]),
    "_backward_pick": [Case((3,), I((3,), 4), A((3, 4), grad=False)),
                       Case((3, 2), I((3, 2), 4), A((3, 4), grad=False),      # topk/sort
                            attrs={"axis": 1, "mode": "wrap"})],
    "_take_along_axis": [Case((3, 4), I((3, 2), 4), A((3, 2), grad=False)),
                         Case((3, 4), I((5,), 12), A((5,), grad=False), attrs={"axis": None})],
    "_backward_SoftmaxActivation": Case((2, 3, 4), A((2, 3, 4), 0.05, 0.5),
                                        attrs=[{}, {"mode": "channel"}]),
}

# ---- second order: rules whose gradient ops have no gradient (strict xfail) ----------------
#: op -> the backward op its rule calls that has ``gradient=None`` (its outputs are
#: constants on the tape, so the second derivative misses their terms), and why.
NOT_TWICE = {
    "CTCLoss": "_backward_CTCLoss: would need the derivative of the alpha-beta recursion",
    "RNN": "_backward_RNN: the fused recurrence's backward (pymx/ops/rnn.py) has no rule",
    "Custom": "_backward_Custom runs the user's backward (NumPy code), which has no rule; "
              "MXNet has no second order through custom operators either",
    "BilinearSampler": "_backward_BilinearSampler: would need the weights' cross "
                       "derivative and the sampled image's directional derivative; "
                       "MXNet has no second order here either",
    "SpatialTransformer": "_backward_BilinearSampler (as BilinearSampler)",
    "Correlation": "_backward_Correlation: MXNet has no second order here either",
    "_npi_einsum": "_backward_npi_einsum (a host einsum): MXNet has no second order "
                   "here either",
}
#: which case of the table shows the missing terms (default 0)
NOT_TWICE_CASE = {}

_SEEDED = {"Dropout", "LeakyReLU", "RNN"}      # random masks: reseed before every call
#: ops whose extra outputs carry no gradient (as MXNet): only output 0 is checked
FIRST_OUTPUT_ONLY = {"LayerNorm": "MXNet's backward ignores the mean/std head gradients",
                     "BatchNorm": "MXNet's backward ignores the mean/var head gradients",
                     "_contrib_SyncBatchNorm": "as BatchNorm: mean/var heads are ignored"}
#: inputs that must be derived from others: ``(inputs, attrs) -> inputs``, applied on the
#: tape.  potrf reads only part of its input (symmetrize); the pooling backward ops need
#: the pooled output of their data.
#: the normalization backward ops need the statistics of their data.
_POOLED = lambda xs, attrs: xs[:2] + [mx.nd.Pooling(xs[1], **attrs)]    # noqa: E731


def _norm_stats(name):
    def pre(xs, attrs):
        x, gamma = xs[1], xs[2]
        if name == "InstanceNorm":
            axes = tuple(range(2, x.ndim))
            mean = mx.nd.mean(x, axis=axes)
            var = mx.nd.mean(mx.nd.square(x - mx.nd.mean(x, axis=axes, keepdims=True)),
                             axis=axes)
            return xs[:3] + [mean, var]
        extra = [gamma * 0 + 0.1, gamma * 0 + 1.5] if name == "BatchNorm" else []
        out = getattr(mx.nd, name)(x, gamma, gamma * 0, *extra, output_mean_var=True,
                                   **attrs)
        return xs[:3] + [out[1], out[2]] + xs[5:]
    return pre


def _lrn_norm(xs, attrs):
    a = dict({"alpha": 1e-4, "knorm": 2.0}, **attrs)
    half = a["nsize"] // 2
    win = mx.nd.Pooling(mx.nd.square(xs[1]).expand_dims(1), kernel=(a["nsize"], 1, 1),
                        pad=(half, 0, 0), pool_type="sum").reshape(xs[1].shape)
    return xs[:2] + [win * (a["alpha"] / a["nsize"]) + a["knorm"]]


def _near_affine(xs, attrs):
    """SpatialTransformer's loc as a small change of a fixed affine map whose grid points
    lie between pixel lines (bilinear sampling has kinks on them: a point within a
    finite-difference step of one breaks the numeric gradient).  With 5x5 data the lines
    are 0.5 apart; the base map puts every point 0.13 / 0.39 past one, and 0.01 * loc
    moves it by at most 0.03."""
    base = mx.nd.array([[0.5, 0.0, 0.13, 0.0, 0.5, 0.39]] * xs[1].shape[0], dtype=xs[1].dtype)
    return [xs[0], xs[1] * 0.01 + base]


PRE = {"_linalg_potrf": lambda xs, attrs: [(xs[0] + xs[0].swapaxes(-1, -2)) * 0.5],
       "_linalg_syevd": lambda xs, attrs: [(xs[0] + xs[0].swapaxes(-1, -2)) * 0.5],
       "SpatialTransformer": _near_affine,
       "_backward_LRN": _lrn_norm,
       "_backward_Pooling": _POOLED, "_max_pool_gather": _POOLED,
       **{f"_backward_{n}": _norm_stats(n)
          for n in ("LayerNorm", "InstanceNorm", "GroupNorm", "BatchNorm")}}


def _table():
    out = {}
    for name in GRAD_OPS:
        cases = LOCAL.get(name, CASES.get(name))
        if cases is not None and name not in ZERO and name not in LOSS_HEADS:
            out[name] = cases if isinstance(cases, list) else [cases]
    return out


TABLE = _table()
CHECKED = sorted(n for n in TABLE if n not in KNOWN_WRONG)


def test_every_op_with_a_gradient_is_covered():
    missing = [n for n in GRAD_OPS if n not in TABLE and n not in ZERO
               and n not in LOSS_HEADS and n not in SUBGRAPH and n not in PASS_THROUGH]
    assert not missing, (f"ops with a gradient rule but no gradient check: {missing}; add "
                         "them to conformance/cases.py or to this file's tables")
    stale = [n for t in (ZERO, LOSS_HEADS, LOCAL, KNOWN_WRONG, SUBGRAPH, PASS_THROUGH) for n in t
             if n not in GRAD_OPS]
    assert not stale, f"listed ops that are unknown or have no gradient rule: {stale}"


# ---- drawing an example --------------------------------------------------------------------
def _draw(data, cases):
    ci = data.draw(st.integers(0, len(cases) - 1), label="case")
    case = cases[ci]
    lo, hi = case.ndim
    shape = data.draw(st.lists(st.integers(max(case.min_side, 1), 3), min_size=lo,
                               max_size=hi), label="shape")
    return case, dict(case=ci, attrs=data.draw(st.integers(0, len(case.attrs) - 1),
                                               label="attrs"),
                      shape=tuple(shape),
                      bcast=tuple(data.draw(st.lists(st.booleans(), min_size=len(shape),
                                                     max_size=len(shape)))),
                      seed=data.draw(st.integers(0, 2 ** 16), label="seed"))


def _fn(name, attrs, dtypes):
    """``mx.nd.<name>`` with ``attrs``; integer inputs are cast back to their own dtype
    (check_gradient hands every input over as float64); several float outputs are
    flattened and concatenated so that all of them are checked."""
    f = getattr(mx.nd, name)

    def fn(*xs):
        if name in _SEEDED:
            mx.random.seed(7)
        xs = [x if dt == F64 else x.astype(dt) for x, dt in zip(xs, dtypes)]
        if name in PRE:
            xs = PRE[name](xs, attrs)
        out = f(*xs, **attrs)
        if not isinstance(out, list):
            return out
        if name in FIRST_OUTPUT_ONLY:
            return out[0]
        outs = [o.reshape((-1,)) for o in out if o.dtype == np.float64]
        return outs[0] if len(outs) == 1 else mx.nd.concat(*outs, dim=0)
    return fn


def _example(name, data):
    op = get_op(name)
    case, params = _draw(data, TABLE[name])
    inputs, attrs = materialize(op, case, params, F64)
    grads = [i for i, spec in enumerate(case.inputs) if spec.grad and spec.kind != "int"]
    return inputs, attrs, [x.dtype.name for x in inputs], grads


@pytest.mark.parametrize("name", CHECKED)
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_gradient_matches_central_differences(name, data):
    inputs, attrs, dtypes, grads = _example(name, data)
    check_gradient(_fn(name, attrs, dtypes), inputs, grad_inputs=grads, rtol=1e-2,
                   atol=1e-4)


@pytest.mark.parametrize("name", sorted(KNOWN_WRONG))
@pytest.mark.xfail(strict=True, raises=AssertionError)
@settings(max_examples=2, deadline=None)
@given(data=st.data())
def test_known_wrong_gradients(name, data):
    inputs, attrs, dtypes, grads = _example(name, data)
    check_gradient(_fn(name, attrs, dtypes), inputs, grad_inputs=grads)


# ---- zero gradients ------------------------------------------------------------------------
def _zero_case(name):
    cases = CASES.get(name)
    if name == "BlockGrad":
        return [np.random.uniform(-2, 2, (3, 4))], {}
    case = cases if isinstance(cases, Case) else cases[0]
    params = dict(case=0, attrs=0, shape=(3, 4)[:max(case.ndim[0], 2)],
                  bcast=(False, True), seed=1)
    return materialize(get_op(name), case, params, F64)


@pytest.mark.parametrize("name", sorted(ZERO))
def test_zero_gradient_rules(name):
    inputs, attrs = _zero_case(name)
    xs = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    for x in xs:
        x.attach_grad()
        x.grad[:] = 7                                      # must be overwritten
    with autograd.record():
        out = getattr(mx.nd, name)(*xs, **attrs)
    out = out[0] if isinstance(out, list) else out
    out.backward(mx.nd.array(np.random.uniform(0.5, 1.5, out.shape), dtype=out.dtype))
    for i, x in enumerate(xs):
        assert not x.grad.asnumpy().any(), f"{name}: input {i} got a nonzero gradient"


@pytest.mark.parametrize("name", sorted(PASS_THROUGH))
def test_pass_through_gradient_rules(name):
    """MXNet 1.9.1's image augmentations (``ElemwiseGradUseNone{"_copy"}``): dx = dy,
    whatever the op did to the image."""
    x = mx.nd.array(np.random.uniform(0, 255, (4, 6, 3)))
    x.attach_grad()
    head = mx.nd.array(np.random.uniform(-1, 1, (4, 6, 3)))
    with autograd.record():
        out = getattr(mx.nd, name)(x, **PASS_THROUGH[name])
    out.backward(head)
    assert_almost_equal(x.grad, head)


# ---- loss heads: the documented formulas ------------------------------------------------------
def _head_grad(name, inputs, attrs):
    """Autograd's gradient of input 0 for a random head gradient (which must not
    matter), and the forward output."""
    xs = [mx.nd.array(x, dtype=np.float64) for x in inputs]
    xs[0].attach_grad()
    with autograd.record():
        out = getattr(mx.nd, name)(*xs, **attrs)
    out.backward(mx.nd.array(np.random.uniform(-3, 3, out.shape), dtype=np.float64))
    return xs[0].grad.asnumpy(), out.asnumpy()


def _softmax_np(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("attrs", [
    {}, {"grad_scale": 2.0}, {"normalization": "batch"},
    {"use_ignore": True, "ignore_label": 1, "normalization": "valid"},
    {"use_ignore": True, "ignore_label": 1, "normalization": "null"}])
def test_softmax_output_gradient_formula(attrs):
    x = np.random.uniform(-2, 2, (4, 3))
    label = np.array([0.0, 1.0, 2.0, 1.0])
    g, out = _head_grad("SoftmaxOutput", [x, label], attrs)
    want = (_softmax_np(x) - np.eye(3)[label.astype(int)]) * attrs.get("grad_scale", 1.0)
    keep = np.ones(4, bool)
    if attrs.get("use_ignore"):
        keep = label != attrs["ignore_label"]
        want[~keep] = 0
    norm = attrs.get("normalization", "null")
    want /= {"null": 1.0, "batch": 4.0, "valid": max(1.0, keep.sum())}[norm]
    assert_almost_equal(out, _softmax_np(x))
    assert_almost_equal(g, want, rtol=1e-6, atol=1e-12)


def test_softmax_output_multi_output_gradient_formula():
    x = np.random.uniform(-2, 2, (2, 3, 2, 2))            # (N, C, H, W)
    label = np.random.randint(0, 3, (2, 2, 2)).astype(np.float64)
    g, _ = _head_grad("SoftmaxOutput", [x, label], {"multi_output": True})
    e = np.exp(x - x.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    hot = np.moveaxis(np.eye(3)[label.astype(int)], -1, 1)
    # multi_output divides by H*W even under 'null' (checked with MXNet 1.9.1)
    assert_almost_equal(g, (p - hot) / 4, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name, forward, grad", [
    ("LinearRegressionOutput", lambda x: x, lambda o, y: o - y),
    ("LogisticRegressionOutput", lambda x: 1 / (1 + np.exp(-x)), lambda o, y: o - y),
    ("MAERegressionOutput", lambda x: x, lambda o, y: np.sign(o - y)),
])
@pytest.mark.parametrize("grad_scale", [1.0, 0.5])
def test_regression_output_gradient_formula(name, forward, grad, grad_scale):
    x, y = np.random.uniform(-2, 2, (3, 4)), np.random.uniform(0, 1, (3, 4))
    g, out = _head_grad(name, [x, y], {"grad_scale": grad_scale})
    assert_almost_equal(out, forward(x))
    # divided by the number of outputs per sample, shape[1] (notes section 4, item 25)
    assert_almost_equal(g, grad(forward(x), y) * grad_scale / 4, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("use_linear", [False, True])
def test_svm_output_gradient_formula(use_linear):
    x = np.random.uniform(-2, 2, (4, 3))
    label = np.array([0.0, 2.0, 1.0, 2.0])
    margin, reg = 1.0, 0.5
    g, out = _head_grad("SVMOutput", [x, label], {"margin": margin, "use_linear": use_linear,
                                                  "regularization_coefficient": reg})
    sign = 2 * np.eye(3)[label.astype(int)] - 1          # +1 on the label, -1 elsewhere
    s = x * sign
    active = margin > s
    want = -reg * active * sign if use_linear else -2 * reg * (margin - s) * active * sign
    assert_almost_equal(out, x)
    assert_almost_equal(g, want, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("attrs, scale", [
    ({}, 1.0), ({"grad_scale": 3.0}, 3.0), ({"normalization": "batch"}, 1 / 4),
    ({"normalization": "valid", "valid_thresh": 0.5}, None)])
def test_make_loss_gradient_formula(attrs, scale):
    x = np.random.uniform(0, 1, (4, 3))
    g, out = _head_grad("MakeLoss", [x], attrs)
    if scale is None:
        scale = 1 / max(1, (x > 0.5).sum())
    assert_almost_equal(out, x)
    assert_almost_equal(g, np.full(x.shape, scale), rtol=1e-6, atol=1e-12)


def test_make_loss_lowercase_gradient_is_ones():
    x = np.random.uniform(-1, 1, (2, 3))
    g, _ = _head_grad("make_loss", [x], {})
    assert_almost_equal(g, np.ones((2, 3)))


# ---- second order --------------------------------------------------------------------------
def _first_gradient(fn, grads):
    """``x -> d/dx sum(head * fn(x))`` through ``autograd.grad(create_graph=True)``:
    check_gradient then compares its autograd gradient (the second derivative) with
    central differences of this first-order autograd gradient."""
    def g(*xs):
        for i in grads:
            if xs[i]._node is None:                   # the numeric side: plain arrays
                xs[i].attach_grad()
        with autograd.record():
            out = fn(*xs)
            head = mx.nd.array(np.random.RandomState(3).uniform(0.5, 1.5, out.shape),
                               dtype=out.dtype)
            gs = autograd.grad(out, [xs[i] for i in grads], head_grads=head,
                               create_graph=True)
            # a gradient that does not depend on x is a constant: keep it on the tape
            gs = [gi + xs[i] * 0 for gi, i in zip(gs, grads)]
        return gs[0] if len(gs) == 1 else mx.nd.concat(*[x.reshape((-1,)) for x in gs],
                                                       dim=0)
    return g


@pytest.mark.parametrize("name", sorted(n for n in CHECKED if n not in NOT_TWICE))
@settings(max_examples=2, deadline=None)
@given(data=st.data())
def test_second_order_gradient(name, data):
    inputs, attrs, dtypes, grads = _example(name, data)
    if grads:
        check_gradient(_first_gradient(_fn(name, attrs, dtypes), grads), inputs,
                       grad_inputs=grads)


@pytest.mark.parametrize("name", sorted(NOT_TWICE))
@pytest.mark.xfail(strict=True, raises=(AssertionError, mx.MXNetError))
def test_second_order_known_missing(name):
    ci = NOT_TWICE_CASE.get(name, 0)
    op, case = get_op(name), TABLE[name][ci]
    nd = max(case.ndim[0], 2)
    params = dict(case=ci, attrs=0, shape=(2, 3, 2)[:nd], bcast=(False,) * nd, seed=5)
    inputs, attrs = materialize(op, case, params, F64)
    grads = [i for i, spec in enumerate(case.inputs) if spec.grad and spec.kind != "int"]
    check_gradient(_first_gradient(_fn(name, attrs, [x.dtype.name for x in inputs]), grads),
                   inputs, grad_inputs=grads)


@pytest.mark.parametrize("name, fn", [
    ("pick squared", lambda x: mx.nd.pick(x, mx.nd.array([1, 0, 3], dtype=np.float64)) ** 2),
    ("sort weighted", lambda x: mx.nd.sort(x, axis=1) ** 3 * mx.nd.array(
        np.arange(4.0), dtype=np.float64)),
    ("topk values", lambda x: mx.nd.topk(x, k=2, ret_typ="value") ** 2),
    ("softmax of square", lambda x: mx.nd.softmax(x * x, axis=0) * x),
    ("log_softmax cubed", lambda x: mx.nd.log_softmax(x) ** 3),
    ("broadcast and reduce", lambda x: mx.nd.sum(mx.nd.broadcast_mul(
        x, mx.nd.exp(x).mean(axis=0, keepdims=True)), axis=1) ** 2),
])
def test_second_order_compositions(name, fn):
    """Gradients whose head gradient depends on x: the second derivative goes through
    the backward ops' own rules (``_backward_pick``, ``_backward_softmax``...)."""
    x = np.random.uniform(-1, 1, (3, 4))
    check_gradient(_first_gradient(fn, [0]), [x], grad_inputs=[0])


_W = np.random.RandomState(4).uniform(-1, 1, (3, 2, 3, 3))
_POOL3 = {"kernel": (3, 3), "pad": (1, 1)}


@pytest.mark.parametrize("name, fn", [
    ("overlapping max pooling of a square", lambda x: mx.nd.Pooling(
        x * x, pool_type="max", **_POOL3) * mx.nd.Pooling(x, pool_type="avg", **_POOL3)),
    ("lp pooling, p=3", lambda x: mx.nd.Pooling(x * x + 0.5, pool_type="lp", p_value=3,
                                                **_POOL3) ** 2),
    ("convolution squared", lambda x: mx.nd.Convolution(
        x, mx.nd.array(_W, dtype=np.float64), num_filter=3, no_bias=True, **_POOL3) ** 2),
    ("LRN of a square", lambda x: mx.nd.LRN(x * x, nsize=3, alpha=0.5, knorm=1.0) * x),
    ("layer norm of tanh", lambda x: mx.nd.tanh(mx.nd.LayerNorm(
        mx.nd.tanh(x), mx.nd.ones((4,), dtype=np.float64) * 1.5,
        mx.nd.zeros((4,), dtype=np.float64))) * x),
])
def test_second_order_image_compositions(name, fn):
    """As above on (1, 2, 4, 4) images: the head gradients of the pooling, convolution
    and normalization backward ops depend on x, so their own rules are exercised."""
    x = np.random.RandomState(0).uniform(-1, 1, (1, 2, 4, 4))
    check_gradient(_first_gradient(fn, [0]), [x], grad_inputs=[0])
