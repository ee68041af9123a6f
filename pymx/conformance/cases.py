"""How to call every registered operator: the conformance suite's case table.

``CASES[op_name]`` is a ``Case`` or a list of them.  A case is data:

* ``inputs``: one spec per array input, in the op's input order:

  - ``"S"``: the shape the suite draws (hypothesis: rank 1-3, sides 0-4 unless the case
    says ``min_side``/``ndim``), values uniform in [-2, 2);
  - ``"B"``: a shape that broadcasts to ``"S"`` (some sides of S replaced by 1);
  - ``A(shape, lo, hi)``: a float array (shape ``"S"``, ``"B"``, a tuple, or ``None`` to
    let the op's shape inference fill it in); ``kind`` asks for structure: ``"nz"``
    (``|x| >= 0.25``, for divisors), ``"spd"`` (symmetric positive definite), ``"tril"``
    (lower triangular, diagonal in [1, 2)), ``"prob"`` (rows that sum to 1),
    ``"distinct"`` (no two values closer than ``(hi - lo) / 2n``: max, sort and top-k
    have no tie within a finite-difference step, so their gradients are smooth),
    ``"between:<step>"`` (inside the cells ``[lo + k*step, lo + (k+1)*step]``, away from
    their edges: bilinear sampling's kinks at the pixel lines);
  - ``I(shape, hi, lo=0)``: integer values in [lo, hi) (indices, labels, lengths),
    stored in the tested dtype (MXNet's convention) unless ``dtype`` is given; they
    never get a gradient.

* ``attrs``: a dict, or a list of dicts from which the suite draws one; ``"$dtype"``
  stands for the dtype under test.
* ``dtypes``: ``"float"`` (float16/32/64, the default), ``"all"`` (ints too) or a tuple
  of dtype names, always intersected with the backend's ``dtypes``.
* ``grad``: False when the gradient should not be compared (random ops, ops whose
  gradient is zero almost everywhere are still compared: zeros must match too).
* ``tol``: a tolerance (rtol = atol) or ``{dtype: tol}`` overriding the per-dtype default.

Ops named ``_backward_X`` are not listed: they run on the tested backend whenever X's
gradient is checked, and the suite reports them with X's gradient result.
"""

__all__ = ["A", "I", "Case", "CASES", "VIA", "KERNEL_CASES"]


class A:
    """A float input: ``A(shape, lo, hi, kind=None, grad=True, dtype=None)``."""

    def __init__(self, shape="S", lo=-2.0, hi=2.0, kind=None, grad=True, dtype=None):
        self.shape, self.lo, self.hi, self.kind = shape, lo, hi, kind
        self.grad, self.dtype = grad, dtype

    def __repr__(self):
        return f"A({self.shape!r}, {self.lo}, {self.hi}" + \
            (f", kind={self.kind!r}" if self.kind else "") + ")"


class I(A):
    """An integer-valued input in [lo, hi): ``I(shape, hi, lo=0, dtype=None)``."""

    def __init__(self, shape, hi, lo=0, dtype=None):
        super().__init__(shape, lo, hi, kind="int", grad=False, dtype=dtype)


class Case:
    """One way to call an op (see the module docstring)."""

    def __init__(self, *inputs, attrs=None, dtypes="float", grad=True, tol=None,
                 min_side=0, ndim=(1, 3), train=True):
        self.inputs = [s if isinstance(s, A) else A(s) for s in inputs]
        self.attrs = attrs if isinstance(attrs, list) else [attrs or {}]
        self.dtypes, self.grad, self.tol = dtypes, grad, tol
        self.min_side, self.ndim, self.train = min_side, ndim, train


C = Case
POS, NZ, UNIT = A("S", 0.1, 3.0), A("S", kind="nz"), A("S", -0.9, 0.9)
ANY = dict(dtypes="all")
M = dict(min_side=1)                                  # reductions that need elements
IMG = (2, 3, 5, 5)
F3264 = dict(dtypes=("float32", "float64"))          # LAPACK-backed ops, CTC
_DISTINCT = A("S", kind="distinct")                  # max, sort: no near-ties


CASES = {
    # ---- elementwise unary ---------------------------------------------------------------
    # abs and relu off their kink at 0 (a central difference across it is no derivative)
    "abs": C(NZ, **ANY), "negative": C("S", **ANY), "sign": C("S", **ANY),
    "square": C("S", **ANY), "relu": C(NZ), "sigmoid": C("S"), "softsign": C("S"),
    "tanh": C("S"), "exp": C("S"), "expm1": C("S"), "sin": C("S"), "cos": C("S"),
    "tan": C(A("S", -1.2, 1.2)), "sinh": C("S"), "cosh": C("S"), "arctan": C("S"),
    "arcsinh": C("S"), "arcsin": C(UNIT), "arccos": C(UNIT), "arctanh": C(UNIT),
    "arccosh": C(A("S", 1.1, 3.0)), "erf": C("S"), "erfinv": C(UNIT),
    "gamma": C(A("S", 0.2, 3.0)), "gammaln": C(A("S", 0.2, 3.0)),
    "log": C(POS), "log2": C(POS), "log10": C(POS), "log1p": C(A("S", -0.5, 3.0)),
    "sqrt": C(POS), "rsqrt": C(POS), "cbrt": C(POS), "rcbrt": C(POS), "reciprocal": C(NZ),
    "floor": C("S"), "ceil": C("S"), "trunc": C("S"), "fix": C("S"), "rint": C("S"),
    "round": C("S"), "degrees": C("S"), "radians": C("S"), "logical_not": C("S", **ANY),
    "BlockGrad": C("S", **ANY), "_copy": C("S", **ANY), "make_loss": C("S"),
    "zeros_like": C("S", **ANY), "ones_like": C("S", **ANY), "Flatten": C("S", **ANY),
    "shape_array": C("S", **ANY), "size_array": C("S", **ANY),
    "Activation": C(NZ, attrs=[{"act_type": t} for t in
                                ("relu", "sigmoid", "tanh", "softrelu", "softsign")]),
    "LeakyReLU": [C("S", attrs=[{"act_type": t} for t in ("leaky", "elu", "selu", "gelu")]),
                  C((2, 3, 4), (3,), attrs={"act_type": "prelu"}),
                  C((2, 3), attrs={"act_type": "rrelu"})],
    "Cast": C("S", attrs=[{"dtype": "float32"}, {"dtype": "float64"}]),
    "_cast_like": C("S", "S"),
    "clip": C("S", attrs={"a_min": -1.0, "a_max": 1.5}),
    "smooth_l1": C("S", attrs={"scalar": 1.0}),
    # ---- scalar ops ---------------------------------------------------------------------
    **{n: C("S", attrs={"scalar": 1.5}, **ANY) for n in (
        "_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar", "_maximum_scalar",
        "_minimum_scalar", "_equal_scalar", "_not_equal_scalar", "_greater_scalar",
        "_greater_equal_scalar", "_lesser_scalar", "_lesser_equal_scalar",
        "_logical_and_scalar", "_logical_or_scalar", "_logical_xor_scalar")},
    "_div_scalar": C("S", attrs={"scalar": 2.0}), "_rdiv_scalar": C(NZ, attrs={"scalar": 2.0}),
    "_mod_scalar": C("S", attrs={"scalar": 1.3}), "_rmod_scalar": C(NZ, attrs={"scalar": 1.3}),
    "_power_scalar": C(POS, attrs={"scalar": 2.5}), "_rpower_scalar": C("S", attrs={"scalar": 2.0}),
    "_hypot_scalar": C("S", attrs={"scalar": 1.5}),
    # ---- binary -------------------------------------------------------------------------
    "elemwise_add": C("S", "S", **ANY), "elemwise_sub": C("S", "S", **ANY),
    "elemwise_mul": C("S", "S", **ANY), "elemwise_div": C("S", NZ),
    **{f"broadcast_{n}": C("S", "B", **ANY) for n in (
        "add", "sub", "mul", "maximum", "minimum", "equal", "not_equal", "greater",
        "greater_equal", "lesser", "lesser_equal", "logical_and", "logical_or",
        "logical_xor")},
    "broadcast_div": C("S", A("B", kind="nz")), "broadcast_mod": C("S", A("B", kind="nz")),
    "broadcast_power": C(POS, A("B", -1.0, 2.0)), "broadcast_hypot": C("S", "B"),
    "add_n": C("S", "S", "S", **ANY),
    "where": C(I("S", 2), "S", "S", **ANY),
    "_sum_like": C("S", A("B", grad=False)),
    # ---- reductions ---------------------------------------------------------------------
    **{n: C("S", attrs=[{}, {"axis": -1, "keepdims": True}, {"axis": 0, "exclude": True}])
       for n in ("sum", "mean", "nansum")},
    "prod": C(A("S", 0.5, 1.5), attrs=[{}, {"axis": -1, "keepdims": True}]),
    "nanprod": C(A("S", 0.5, 1.5), attrs=[{}, {"axis": -1}]),
    "max": C(_DISTINCT, attrs=[{}, {"axis": -1, "keepdims": True}], **M),
    "min": C(_DISTINCT, attrs=[{}, {"axis": -1, "keepdims": True}], **M),
    "norm": C("S", attrs=[{}, {"ord": 1, "axis": -1}, {"ord": 2, "axis": -1, "keepdims": True}],
              **M),
    "moments": C("S", attrs={"axes": (0,)}, **M),
    "argmax": C("S", attrs=[{"axis": -1}, {"axis": 0, "keepdims": True}], **M),
    "argmin": C("S", attrs=[{"axis": -1}, {"axis": 0, "keepdims": True}], **M),
    "argmax_channel": C((3, 4)),
    "sort": C(_DISTINCT, attrs=[{"axis": -1}, {"axis": 0, "is_ascend": False}], **ANY),
    "argsort": C("S", attrs=[{"axis": -1}, {"axis": 0, "is_ascend": False}]),
    "topk": C(_DISTINCT, attrs=[{"axis": -1, "k": 1, "ret_typ": t} for t in
                          ("indices", "value", "both", "mask")], **M),
    "_reduce_grad_expand": C((2,), A((2, 3), grad=False), attrs={"axis": (1,)}),
    # ---- shape and layout ---------------------------------------------------------------
    "Reshape": C("S", attrs=[{"shape": (-1,)}, {"shape": (0, -1)}], **ANY),
    "transpose": C("S", attrs=[{}, {"axes": (0,)}], ndim=(1, 1), **ANY),
    "SwapAxis": C("S", attrs={"dim1": 0, "dim2": 1}, ndim=(2, 3), **ANY),
    "expand_dims": C("S", attrs={"axis": 0}, **ANY),
    "squeeze": C((2, 1, 3), attrs=[{}, {"axis": 1}], **ANY),
    "broadcast_to": C((1, 3), attrs={"shape": (2, 3)}, **ANY),
    "broadcast_axis": C((2, 1, 3), attrs={"axis": 1, "size": 4}, **ANY),
    "broadcast_like": C((1, 3), A((2, 3), grad=False)),
    "reshape_like": C((6,), A((2, 3), grad=False)),
    "slice": C((4, 5), attrs=[{"begin": (1, 0), "end": (3, 4)},
                              {"begin": (None, 4), "end": (None, 0), "step": (2, -2)}], **ANY),
    "slice_axis": C((4, 5), attrs={"axis": 1, "begin": 1, "end": -1}, **ANY),
    "slice_like": C((4, 5), A((2, 3), grad=False)),
    # min_side=1: tile's gradient reshapes with -1, which fails on a size-0 dy
    "tile": C("S", attrs={"reps": (2, 1)}, min_side=1, **ANY),
    "repeat": C("S", attrs=[{"repeats": 2}, {"repeats": 2, "axis": 0}], **ANY),
    "reverse": C("S", attrs={"axis": 0}, **ANY),
    "Pad": C((1, 2, 3, 3), attrs=[{"mode": m, "pad_width": (0, 0, 0, 0, 1, 1, 2, 1)}
                                  for m in ("constant", "edge", "reflect")]),
    "Concat": C("S", "S", attrs=[{"dim": 0}, {"dim": -1}], **ANY),
    "stack": C("S", "S", attrs=[{"axis": 0}, {"axis": -1}], **ANY),
    "SliceChannel": C((2, 4), attrs=[{"num_outputs": 2, "axis": 1},
                                     {"num_outputs": 2, "axis": 0, "squeeze_axis": True}]),
    "_split_v2": C((4, 3), attrs=[{"indices": (0, 1), "axis": 0}, {"indices": (0,), "sections": 3,
                                                                 "axis": 1}]),
    "depth_to_space": C((1, 8, 2, 3), attrs={"block_size": 2}),
    "space_to_depth": C((1, 2, 4, 6), attrs={"block_size": 2}),
    "diag": [C((3, 4), attrs=[{}, {"k": 1}, {"k": -1}]), C((4,), attrs={"k": 1})],
    "_slice_assign": C((4, 5), (2, 5), attrs={"begin": (1, None), "end": (3, None)}),
    "_slice_assign_scalar": C((4, 5), attrs={"scalar": 2.0, "begin": (1, 1), "end": (3, 4)}),
    "khatri_rao": C((3, 2), (4, 2)),
    "_npi_einsum": [C((2, 3), (3, 4), attrs={"subscripts": "ij,jk->ik"}),
                    C((3, 3), attrs={"subscripts": "ii->i"}),
                    C((2, 3), (3,), attrs={"subscripts": "...j,j"})],
    "_npi_arctan2": C("S", A("B", 0.5, 2.0)),
    "_linalg_mT": C((2, 3, 4)),
    # ---- indexing -----------------------------------------------------------------------
    "one_hot": C(I((2, 3), 4), attrs=[{"depth": 4}, {"depth": 4, "on_value": 2.0,
                                                    "off_value": -1.0, "dtype": "$dtype"}]),
    "take": [C((5, 3), I((2, 2), 5), attrs=[{}, {"axis": 1, "mode": "wrap"}], **ANY),
             C((5, 3), I((4,), 9, lo=-3), attrs=[{"mode": "clip"}, {"mode": "wrap"}])],
    "_take_along_axis": C((3, 4), I((3, 2), 4), A((3, 2), grad=False)),
    "pick": [C((3, 4), I((3,), 4), attrs=[{}, {"axis": -1, "keepdims": True}]),
             C((3, 4), I((4,), 5), attrs={"axis": 0, "mode": "wrap"})],
    "batch_take": C((3, 4), I((3,), 4, dtype="int32")),
    "gather_nd": C((3, 4), I((2, 5), 3)),
    "scatter_nd": C((5,), I((2, 5), 3), attrs={"shape": (3, 4)}),
    "_gather_flat": C((3, 4), I((5,), 12, dtype="int64")),
    "Embedding": C(I((2, 3), 5), (5, 4), attrs={"input_dim": 5, "output_dim": 4}),
    "_ravel_multi_index": C(I((2, 5), 3), attrs={"shape": (3, 4)}),
    "_unravel_index": C(I((5,), 12), attrs={"shape": (3, 4)}),
    # ---- creation and random ------------------------------------------------------------
    "_zeros": C(attrs={"shape": (2, 3), "dtype": "$dtype"}, **ANY),
    "_ones": C(attrs={"shape": (2, 3), "dtype": "$dtype"}, **ANY),
    "_full": C(attrs={"shape": (2, 3), "value": 1.5, "dtype": "$dtype"}),
    "_arange": C(attrs=[{"start": 0.0, "stop": 5.0, "dtype": "$dtype"},
                        {"start": 1.0, "stop": 4.0, "step": 0.5, "repeat": 2, "dtype": "$dtype"}]),
    "_linspace": C(attrs={"start": 0.0, "stop": 1.0, "num": 5, "dtype": "$dtype"}),
    "_eye": C(attrs=[{"N": 3, "dtype": "$dtype"}, {"N": 3, "M": 4, "k": 1, "dtype": "$dtype"}]),
    **{f"_random_{n}": C(attrs=dict(shape=(3, 4), dtype="$dtype", **kw), grad=False)
       for n, kw in [("uniform", {}), ("normal", {}), ("exponential", {}), ("gamma", {}),
                     ("poisson", {}), ("negative_binomial", {}),
                     ("generalized_negative_binomial", {})]},
    "_random_randint": C(attrs={"low": 0, "high": 5, "shape": (3, 4)}, grad=False),
    **{f"_sample_{n}": C(*ins, attrs={"shape": (2,), "dtype": "$dtype"}, grad=False)
       for n, ins in [("uniform", (A((3,), -1, 0), A((3,), 1, 2))),
                      ("normal", ((3,), A((3,), 0.5, 2))), ("exponential", (A((3,), 0.5, 2),)),
                      ("gamma", (A((3,), 0.5, 2), A((3,), 0.5, 2))),
                      ("poisson", (A((3,), 0.5, 4),)),
                      ("negative_binomial", (I((3,), 5, 1), A((3,), 0.2, 0.8))),
                      ("generalized_negative_binomial", (A((3,), 0.5, 2), A((3,), 0.2, 1)))]},
    "_sample_multinomial": C(A((3, 4), kind="prob"), attrs=[{"shape": (2,)},
                                                            {"shape": (2,), "get_prob": True}],
                             grad=False),
    "_shuffle": C((5, 3), grad=False),
    "Dropout": C("S", attrs=[{"p": 0.5}, {"p": 0.3, "mode": "always", "axes": (0,)}]),
    # ---- neural network -----------------------------------------------------------------
    "FullyConnected": [C((2, 5), (3, 5), (3,), attrs={"num_hidden": 3}),
                       C((2, 2, 3), (4, 3), attrs={"num_hidden": 4, "no_bias": True,
                                                   "flatten": False})],
    "Convolution": [C(IMG, (4, 3, 3, 3), (4,), attrs=[
                        {"kernel": (3, 3), "num_filter": 4},
                        {"kernel": (3, 3), "num_filter": 4, "pad": (1, 1), "stride": (2, 2)},
                        {"kernel": (3, 3), "num_filter": 4, "dilate": (2, 1)}],
                      tol={"float16": 0.3}),
                    C((2, 4, 6), (4, 2, 3), attrs={"kernel": (3,), "num_filter": 4, "num_group": 2,
                                                   "no_bias": True})],
    "Deconvolution": C((2, 3, 4, 4), (3, 2, 3, 3), attrs=[
        {"kernel": (3, 3), "num_filter": 2},
        {"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "pad": (1, 1), "adj": (1, 1)}],
        tol={"float16": 0.3}),
    "Pooling": C(A((2, 2, 5, 5), kind="distinct"), attrs=[
        {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max"},
        {"kernel": (3, 3), "pool_type": "avg", "pad": (1, 1)},
        {"kernel": (2, 2), "stride": (2, 2), "pool_type": "sum", "pooling_convention": "full"},
        {"kernel": (2, 2), "pool_type": "lp", "p_value": 2},
        {"kernel": (1, 1), "pool_type": "max", "global_pool": True}]),
    "UpSampling": [C((2, 2, 3, 3), attrs={"scale": 2, "sample_type": "nearest"}),
                   C((1, 2, 3, 3), (2, 1, 4, 4), attrs={"scale": 2, "sample_type": "bilinear",
                                                        "num_filter": 2, "num_args": 2})],
    "BatchNorm": C((2, 3, 4), None, None, A(None, grad=False), A(None, 0.5, 2, grad=False),
                   attrs=[{}, {"fix_gamma": False}, {"use_global_stats": True},
                          {"axis": -1, "fix_gamma": False}], tol={"float16": 0.3}),
    "_contrib_SyncBatchNorm": C((2, 3, 4), None, None, A(None, grad=False),
                               A(None, 0.5, 2, grad=False),
                               attrs=[{"key": "k"}, {"key": "k", "fix_gamma": False},
                                      {"key": "k", "use_global_stats": True}],
                               tol={"float16": 0.3}),
    "LayerNorm": C((2, 3, 4), (4,), (4,), attrs=[{}, {"output_mean_var": True}]),
    "InstanceNorm": C((2, 3, 4), (3,), (3,)),
    "GroupNorm": C((2, 4, 3), None, None, attrs={"num_groups": 2}),
    "L2Normalization": C((2, 3, 4), attrs=[{}, {"mode": "channel"}, {"mode": "spatial"}]),
    "LRN": C((2, 4, 3, 3), attrs={"nsize": 3}),
    "softmax": C("S", attrs=[{}, {"axis": 0, "temperature": 2.0}], **M),
    "log_softmax": C("S", attrs=[{}, {"axis": 0}], **M),
    "softmin": C("S", attrs={}, **M),
    "SoftmaxActivation": C((2, 3, 4), attrs=[{}, {"mode": "channel"}]),
    "SoftmaxOutput": C((3, 4), I((3,), 4), attrs=[{}, {"normalization": "batch"},
                                                  {"use_ignore": True, "ignore_label": 1}]),
    "softmax_cross_entropy": C((3, 4), I((3,), 4)),
    "LinearRegressionOutput": C((3, 4), A((3, 4), grad=False)),
    "LogisticRegressionOutput": C((3, 4), A((3, 4), 0, 1, grad=False)),
    "MAERegressionOutput": C((3, 4), A((3, 4), grad=False)),
    "SVMOutput": C((3, 4), I((3,), 4), attrs=[{}, {"use_linear": True}]),
    "MakeLoss": C("S", attrs=[{}, {"normalization": "batch"}]),
    "CTCLoss": C((5, 2, 4), I((2, 2), 4, lo=1), **F3264),
    "SequenceMask": C((4, 2, 3), I((2,), 5, lo=1), attrs={"use_sequence_length": True,
                                                          "value": -1.0}),
    "SequenceLast": C((4, 2, 3), I((2,), 5, lo=1), attrs={"use_sequence_length": True}),
    "SequenceReverse": C((4, 2, 3), I((2,), 5, lo=1), attrs={"use_sequence_length": True}),
    "RNN": [C((3, 2, 4), A(None, -0.5, 0.5), (1, 2, 5), attrs=[
                {"state_size": 5, "num_layers": 1, "mode": "rnn_tanh"},
                {"state_size": 5, "num_layers": 1, "mode": "gru", "state_outputs": True}]),
            C((3, 2, 4), A(None, -0.5, 0.5), (2, 2, 5), (2, 2, 5),
              attrs={"state_size": 5, "num_layers": 1, "mode": "lstm", "bidirectional": True})],
    # ---- linear algebra -----------------------------------------------------------------
    "dot": [C((3, 4), (4, 5)), C((4, 3), (5, 4), attrs={"transpose_a": True,
                                                            "transpose_b": True})],
    "batch_dot": [C((2, 3, 4), (2, 4, 5)), C((2, 4, 3), (2, 4, 5), attrs={"transpose_a": True})],
    "_linalg_gemm": C((2, 3, 4), (2, 4, 5), (2, 3, 5), attrs={"alpha": 0.5, "beta": 2.0}, **F3264),
    "_linalg_gemm2": C((2, 4, 3), (2, 4, 5), attrs={"transpose_a": True, "alpha": 2.0}, **F3264),
    "_linalg_potrf": C(A((3, 3), kind="spd"), **F3264),
    "_linalg_potri": C(A((3, 3), kind="tril"), **F3264),
    "_linalg_trmm": C(A((3, 3), kind="tril"), (3, 4), attrs=[{}, {"transpose": True}], **F3264),
    "_linalg_trsm": C(A((3, 3), kind="tril"), (3, 4), attrs=[{}, {"transpose": True,
                                                                  "alpha": 2.0}], **F3264),
    "_linalg_syrk": C((3, 4), attrs=[{}, {"transpose": True, "alpha": 0.5}], **F3264),
    "_linalg_gelqf": C((3, 4), grad=False, **F3264),
    "_linalg_syevd": C(A((3, 3), kind="spd"), grad=False, **F3264),
    "_linalg_inverse": C(A((2, 3, 3), kind="spd"), **F3264),
    "_linalg_det": C(A((3, 3), kind="spd"), **F3264),
    "_linalg_slogdet": C(A((3, 3), kind="spd"), **F3264),
    "_linalg_sumlogdiag": C(A((3, 3), kind="spd"), **F3264),
    "_linalg_extractdiag": C((3, 3), attrs=[{}, {"offset": 1}]),
    "_linalg_makediag": C((2, 3), attrs=[{}, {"offset": -1}]),
    "_linalg_extracttrian": C((3, 3), attrs=[{}, {"offset": 1, "lower": False}]),
    "_linalg_maketrian": C((6,), attrs=[{}, {"lower": False}]),
    # ---- legacy ops: activation, casts, layout, windows --------------------------------
    "hard_sigmoid": C("S", attrs=[{}, {"alpha": 0.3, "beta": 0.4}]),
    "amp_cast": C("S", attrs=[{"dtype": "float32"}, {"dtype": "float16"}]),
    "amp_multicast": C("S", "S", attrs=[{"num_outputs": 2}, {"num_outputs": 2,
                                                             "cast_narrow": True}]),
    "cast_storage": C("S", attrs={"stype": "default"}, **ANY),
    "moveaxis": C((2, 3, 4), attrs=[{"source": (0,), "destination": (2,)},
                                    {"source": (0, 1), "destination": (-1, -2)}], **ANY),
    "cumsum": C("S", attrs=[{}, {"axis": 0}, {"axis": -1}]),
    "im2col": C((1, 2, 5, 5), attrs=[{"kernel": (2, 2)},
                                     {"kernel": (3, 2), "stride": (2, 1), "pad": (1, 0),
                                      "dilate": (1, 2)}]),
    "col2im": C((1, 8, 16), attrs={"kernel": (2, 2), "output_size": (5, 5)}),
    "Crop": [C((1, 2, 5, 6), attrs=[{"h_w": (2, 3), "offset": (1, 2)},
                                    {"h_w": (3, 3), "center_crop": True}]),
             C((1, 2, 5, 6), A((1, 1, 3, 4), grad=False), attrs={"num_args": 2})],
    "GridGenerator": [C((2, 6), attrs={"transform_type": "affine", "target_shape": (3, 4)}),
                      C((2, 2, 3, 4), attrs={"transform_type": "warp"})],
    # grid points inside and outside the image (outside pixels count as 0), off the
    # pixel lines (spacing 2/(5-1) = 0.5 on both axes), where the gradient has kinks
    "BilinearSampler": C((2, 3, 5, 5), A((2, 2, 3, 3), -1.5, 1.5, kind="between:0.5")),
    "SpatialTransformer": C((2, 2, 5, 5), A((2, 6), -1, 1),
                            attrs={"target_shape": (3, 3), "transform_type": "affine",
                                   "sampler_type": "bilinear"}),
    # rois rows [batch, x1, y1, x2, y2] drawn from {0, 1}: valid batch indices; "distinct"
    # data has no ties within a finite-difference step
    "ROIPooling": C(A((2, 2, 4, 5), kind="distinct"), I((3, 5), 2),
                    attrs=[{"pooled_size": (2, 2), "spatial_scale": 1.0},
                           {"pooled_size": (1, 2), "spatial_scale": 2.0}]),
    # ---- random_pdf_*: parameters (2,) for samples (2, 3); counts get no gradient (MXNet)
    **{f"_random_pdf_{n}": C(*ins, attrs=[{}, {"is_log": True}]) for n, ins in (
        ("uniform", (A((2, 3)), A((2,), -1, 0), A((2,), 0.5, 1.5))),
        ("normal", (A((2, 3)), A((2,)), A((2,), 0.5, 2))),
        ("gamma", (A((2, 3), 0.2, 3), A((2,), 0.5, 3), A((2,), 0.5, 3))),
        ("exponential", (A((2, 3), 0.1, 3), A((2,), 0.5, 3))),
        ("poisson", (A((2, 3), 0, 5, grad=False), A((2,), 0.5, 3))),
        ("negative_binomial", (A((2, 3), 0, 5, grad=False), A((2,), 0.5, 3),
                               A((2,), 0.2, 0.8))),
        ("generalized_negative_binomial", (A((2, 3), 0, 5, grad=False), A((2,), 0.5, 3),
                                           A((2,), 0.2, 1.5))),
        ("dirichlet", (A((2, 4, 3), 0.1, 1), A((2, 3), 0.5, 3))))},
    "_pdf_broadcast": [C((2,), A((2, 3), grad=False)),
                       C((2, 3), A((2, 4, 3), grad=False), attrs={"vector": True})],
    "_pdf_sum": [C((2, 3), A((2,), grad=False)),
                 C((2, 4, 3), A((2, 3), grad=False), attrs={"vector": True})],
    "_sparse_retain": C((5, 3), I((3,), 5)),
    "_histogram": C("S", attrs=[{"bin_cnt": 4, "range": (-1.0, 1.0)},
                                {"bin_cnt": 1, "range": (0.5, 0.5)}], grad=False),
    "Correlation": C((1, 2, 5, 6), (1, 2, 5, 6), attrs=[
        {}, {"kernel_size": 3, "max_displacement": 2, "stride1": 2, "stride2": 2,
             "pad_size": 2}, {"max_displacement": 2, "pad_size": 1, "is_multiply": False}]),
    "fill_element_0index": C((3, 4), (3,), I((3,), 4)),
    "_onehot_encode": C(I((3,), 5), A((3, 5), grad=False), grad=False),
    # the KL penalty is not a derivative of the forward (the identity): central
    # differences check penalty=0; tests/ops/test_regularization.py checks it vs MXNet
    "IdentityAttachKLSparseReg": C((4, 3), A((3,), 0.2, 0.8, grad=False),
                                   attrs={"penalty": 0.0}),
}

# ---- optimizer updates: weight, grad and states of one shape; no gradient ----------------
_OPT = {
    "sgd_update": (2, {}), "sgd_mom_update": (3, {"momentum": 0.9}),
    "nag_mom_update": (3, {"momentum": 0.9}), "signsgd_update": (2, {}),
    "signum_update": (3, {"momentum": 0.9, "wd_lh": 0.01}),
    "adam_update": (4, {"clip_gradient": 1.0}), "rmsprop_update": (3, {"clip_weights": 1.5}),
    "rmspropalex_update": (5, {}), "ftml_update": (5, {"t": 2}), "ftrl_update": (4, {}),
    "lamb_update_phase1": (4, {"t": 1, "wd": 0.01}),
}
for _name, (_n, _kw) in _OPT.items():
    _ins = ["S", "S"] + [A("S", 0.2, 1.0)] * (_n - 2)      # states positive (adam's var, ...)
    if _name == "rmspropalex_update":                       # n > g^2
        _ins = ["S", "S", A("S", 1.0, 2.0), A("S", -0.5, 0.5), "S"]
    CASES[_name] = C(*_ins, attrs=dict({"lr": 0.1, "wd": 0.01, "rescale_grad": 0.5}, **_kw)
                     if _name != "lamb_update_phase1" else _kw, grad=False)
_F32 = A("S", dtype="float32")
CASES.update({
    "lamb_update_phase2": C("S", "S", A((1,), 0.5, 1), A((1,), 0.5, 1), attrs={"lr": 0.1},
                            grad=False),
    "mp_sgd_update": C("S", "S", _F32, attrs={"lr": 0.1}, grad=False),
    "mp_sgd_mom_update": C("S", "S", _F32, _F32, attrs={"lr": 0.1, "momentum": 0.9}, grad=False),
    "mp_nag_mom_update": C("S", "S", _F32, _F32, attrs={"lr": 0.1, "momentum": 0.9}, grad=False),
    "mp_lamb_update_phase1": C("S", "S", A("S", 0.2, 1, dtype="float32"),
                               A("S", 0.2, 1, dtype="float32"), _F32,
                               attrs={"t": 1, "wd": 0.01}, grad=False),
    "mp_lamb_update_phase2": C("S", "S", A((1,), 0.5, 1), A((1,), 0.5, 1), _F32,
                               attrs={"lr": 0.1}, grad=False),
})

# ---- multi-tensor ops: two weights of one shape per call ---------------------------------
_TWO = {"lrs": (0.1, 0.2), "wds": (0.01, 0.0), "rescale_grad": 0.5, "num_weights": 2}
_LRS, _WDS = A((2,), 0.05, 0.2, dtype="float32"), A((2,), 0.0, 0.02, dtype="float32")
_MOM = A("S", 0.2, 1.0)
for _name, _per in (("multi_sgd_update", ["S", "S"]), ("multi_sgd_mom_update", ["S", "S", _MOM]),
                    ("multi_mp_sgd_update", ["S", "S", _F32]),
                    ("multi_mp_sgd_mom_update", ["S", "S", _F32, _F32])):
    _kw = dict(_TWO, momentum=0.9) if "mom" in _name else _TWO
    _clip = dict(_kw, clip_gradient=0.5)
    CASES[_name] = C(*_per * 2, attrs=[_kw, _clip], grad=False)
    _pre = {k: v for k, v in _kw.items() if k not in ("lrs", "wds")}
    CASES["preloaded_" + _name] = C(*_per * 2, _LRS, _WDS, attrs=_pre, grad=False)
CASES.update({
    "multi_sum_sq": C("S", "S", attrs={"num_arrays": 2}, grad=False),
    "multi_all_finite": C("S", "S", attrs={"num_arrays": 2}, grad=False),
    "all_finite": C("S", grad=False),
    "reset_arrays": C("S", "S", attrs={"num_arrays": 2}, grad=False, **ANY),
    "multi_lars": C(A((3,), 0.05, 0.2), A((3,), 0.0, 4.0), A((3,), 0.0, 4.0), A((3,), 0.0, 0.1),
                    attrs={"eta": 0.01, "eps": 1e-8, "rescale_grad": 0.5}, grad=False),
})

#: ``_backward_X`` -> the op whose gradient runs it, where the name does not say.
VIA = {"_backward_linear_reg_out": "LinearRegressionOutput",
       "_backward_logistic_reg_out": "LogisticRegressionOutput",
       "_backward_mae_reg_out": "MAERegressionOutput",
       "_backward_gather_flat": "_gather_flat", "_backward_nanprod": "nanprod",
       "_backward_sample_multinomial": "_sample_multinomial"}

#: Arguments for contract kernels, to check fused variants named ``<kernel>_<variant>``
#: (``matmul_naive``): a list of (array shapes, keyword arguments).
KERNEL_CASES = {
    "matmul": [([(5, 7), (7, 3)], {}), ([(7, 5), (3, 7)], dict(transpose_a=True, transpose_b=True)),
               ([(0, 4), (4, 3)], {}), ([(1, 1), (1, 1)], {}), ([(33, 65), (65, 17)], {}),
               ([(4, 0), (0, 3)], {})],
    "batch_matmul": [([(2, 5, 7), (2, 7, 3)], {}), ([(3, 4, 5), (3, 6, 4)],
                                                    dict(transpose_a=True, transpose_b=True))],
}

# ---- contrib: detection (pymx/ops/detection.py, roi_align.py) and layers (contrib_layers.py)
_UNIT_BOXES = dict(dtypes=("float32", "float64"))      # host bookkeeping, sorted scores
CASES.update({
    "_contrib_MultiBoxPrior": C((1, 2, 3, 4), attrs=[{"sizes": (0.5, 0.25), "ratios": (1, 2)},
                                                     {"clip": True, "steps": (0.3, 0.2)}]),
    "_contrib_MultiBoxTarget": C(A((1, 6, 4), 0, 1), A((2, 2, 5), 0, 1), (2, 3, 6),
                                 attrs=[{}, {"negative_mining_ratio": 2.0}], **_UNIT_BOXES),
    "_contrib_MultiBoxDetection": C(A((2, 3, 6), 0, 1), A((2, 24), -0.5, 0.5),
                                    A((1, 6, 4), 0, 1), attrs=[{}, {"force_suppress": True}],
                                    **_UNIT_BOXES),
    # distinct values: no score ties and no IoU on the threshold within a step
    "_contrib_box_nms": C(A((2, 5, 6), kind="distinct"),
                          attrs=[{}, {"id_index": 0}, {"topk": 3}], **_UNIT_BOXES),
    "_contrib_box_iou": C((3, 4), (2, 4), attrs=[{}, {"format": "center"}]),
    "_contrib_bipartite_matching": C(A((2, 3, 4), kind="distinct"),
                                     attrs={"threshold": 0.1}, **_UNIT_BOXES),
    "_contrib_box_encode": C(A((2, 3), -1, 0.4), I((2, 3), 2), A((2, 3, 4), 0, 1),
                             A((2, 2, 4), 0, 1), (4,), A((4,), 0.5, 1.5)),
    "_contrib_box_decode": C((2, 3, 4), A((1, 3, 4), 0.1, 1), attrs=[{}, {"format": "corner"}]),
    # rois [batch, x1, y1, x2, y2] drawn from {0, 1}; the op is linear in data
    "_contrib_ROIAlign": C((2, 2, 5, 5), I((3, 5), 2),
                           attrs=[{"pooled_size": (2, 2), "spatial_scale": 1.0},
                                  {"pooled_size": (1, 2), "spatial_scale": 2.0,
                                   "sample_ratio": 2}]),
    "_contrib_BilinearResize2D": C((1, 2, 4, 5), attrs=[
        {"height": 6, "width": 3}, {"height": 3, "width": 7, "align_corners": False},
        {"mode": "to_odd_up"}]),
    "_contrib_AdaptiveAvgPooling2D": C((1, 2, 5, 4), attrs=[{"output_size": 2},
                                                            {"output_size": (3, 3)}]),
    "_contrib_boolean_mask": C((4, 3), I((4,), 2)),
    "_contrib_index_copy": C((5, 3), I((2,), 5), (2, 3)),
    "_contrib_backward_index_copy": C((5, 3), (5, 3), I((2,), 5), (2, 3), grad=False),
    "_contrib_index_array": C((2, 3), attrs=[{}, {"axes": (1,)}]),
    "_contrib_arange_like": C("S", attrs=[{}, {"start": 1.0, "step": 0.5, "repeat": 2}]),
    "_contrib_div_sqrt_dim": C("S"),
    "_contrib_quadratic": C("S", attrs=[{"a": 1.5, "b": -2.0, "c": 0.5}, {}]),
    "_contrib_gradientmultiplier": C("S", attrs={"scalar": -0.5}),
    "_contrib_allclose": C("S", "S", attrs=[{}, {"rtol": 0.5, "atol": 1.0}], grad=False),
})
VIA.update({"_backward_contrib_box_nms": "_contrib_box_nms",
            "_backward_contrib_BilinearResize2D": "_contrib_BilinearResize2D",
            "_backward_contrib_AdaptiveAvgPooling2D": "_contrib_AdaptiveAvgPooling2D",
            "_backward_contrib_boolean_mask": "_contrib_boolean_mask"})
