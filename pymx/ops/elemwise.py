"""Elementwise operators: unary math, same-shape binary (``elemwise_*``), broadcasting
binary (``broadcast_*``), array-with-scalar (``_plus_scalar``...), ``cast``, ``clip``,
``add_n`` and ``BlockGrad``.

Each gradient rule is one line, written with the ops of namespace ``F`` so it works
for ``mx.nd`` (autograd) and ``mx.sym`` (the executor).  ``x`` is the input, ``y`` the
output and ``dy`` the gradient arriving from above; the rule returns ``dx``.
"""
import math

import numpy as np

from ..base import MXNetError
from .registry import Param, register, uniform_type
from .special import digamma
from .util import broadcast_shape, check_same_dtype, float_to_int, scalar_for

# ---- unary ------------------------------------------------------------------------------
#: name -> (kernel op in ``Backend.unary``, gradient ``(F, x, y, dy) -> dx`` or None)
_UNARY = {
    "negative": ("negative", lambda F, x, y, dy: -dy),
    "abs": ("abs", lambda F, x, y, dy: dy * F.sign(x)),
    "sign": ("sign", None),
    "round": ("round", None), "rint": ("rint", None), "fix": ("trunc", None),
    "floor": ("floor", None), "ceil": ("ceil", None), "trunc": ("trunc", None),
    "square": ("square", lambda F, x, y, dy: dy * x * 2),
    # BEGIN EXERCISE unary_grads
    "sqrt": ("sqrt", lambda F, x, y, dy: dy / (y * 2)),
    # END EXERCISE unary_grads
    "cbrt": ("cbrt", lambda F, x, y, dy: dy / (F.square(y) * 3)),
    "exp": ("exp", lambda F, x, y, dy: dy * y),
    "expm1": ("expm1", lambda F, x, y, dy: dy * (y + 1)),
    # BEGIN EXERCISE unary_grads
    "log": ("log", lambda F, x, y, dy: dy / x),
    # END EXERCISE unary_grads
    "log10": ("log10", lambda F, x, y, dy: dy / (x * math.log(10))),
    "log2": ("log2", lambda F, x, y, dy: dy / (x * math.log(2))),
    "log1p": ("log1p", lambda F, x, y, dy: dy / (x + 1)),
    "sin": ("sin", lambda F, x, y, dy: dy * F.cos(x)),
    "cos": ("cos", lambda F, x, y, dy: -dy * F.sin(x)),
    "tan": ("tan", lambda F, x, y, dy: dy * (F.square(y) + 1)),
    "arcsin": ("arcsin", lambda F, x, y, dy: dy * F.rsqrt(1 - F.square(x))),
    "arccos": ("arccos", lambda F, x, y, dy: -dy * F.rsqrt(1 - F.square(x))),
    "arctan": ("arctan", lambda F, x, y, dy: dy / (F.square(x) + 1)),
    "sinh": ("sinh", lambda F, x, y, dy: dy * F.cosh(x)),
    "cosh": ("cosh", lambda F, x, y, dy: dy * F.sinh(x)),
    # BEGIN EXERCISE unary_grads
    "tanh": ("tanh", lambda F, x, y, dy: dy * (1 - F.square(y))),
    # END EXERCISE unary_grads
    "arcsinh": ("arcsinh", lambda F, x, y, dy: dy * F.rsqrt(F.square(x) + 1)),
    "arccosh": ("arccosh", lambda F, x, y, dy: dy * F.rsqrt(F.square(x) - 1)),
    "arctanh": ("arctanh", lambda F, x, y, dy: dy / (1 - F.square(x))),
    "reciprocal": ("reciprocal", lambda F, x, y, dy: -dy * F.square(y)),
    # BEGIN EXERCISE unary_grads
    "relu": ("relu", lambda F, x, y, dy: dy * (x > 0)),
    "sigmoid": ("sigmoid", lambda F, x, y, dy: dy * y * (1 - y)),
    # END EXERCISE unary_grads
    "erf": ("erf", lambda F, x, y, dy: dy * F.exp(-F.square(x)) * (2 / math.sqrt(math.pi))),
    "erfinv": ("erfinv", lambda F, x, y, dy: dy * F.exp(F.square(y)) * (math.sqrt(math.pi) / 2)),
    "gammaln": ("gammaln", lambda F, x, y, dy: dy * digamma(F, x)),
    "gamma": ("gamma", lambda F, x, y, dy: dy * y * digamma(F, x)),
    "logical_not": ("logical_not", None),
}


def _unary_forward(kernel_op):
    def forward(k, a, x, *, out=None):
        if kernel_op == "sign" and x.dtype.kind == "f":
            # MXNet: a > 0 ? 1 : (a < 0 ? -1 : 0), so sign(NaN) is 0 (NumPy: NaN)
            y = k.unary("sign", x)
            y = k.where(k.binary("not_equal", x, x), k.full(x.shape, 0, x.dtype), y)
            return k.deliver(y, out)
        if kernel_op == "sigmoid" and x.dtype.kind in "iu":
            # MXNet computes ``DType(1 / (1 + exp(-x)))`` in float and truncates, so an
            # integer sigmoid is 0 everywhere (never 1): compute in float32, cast back.
            y = k.astype(k.unary("sigmoid", k.astype(x, "float32")), x.dtype)
            return k.deliver(y, out)
        return k.unary(kernel_op, x, out=out)
    return forward


def _unary_gradient(rule):
    if rule is None:
        return lambda F, a, xs, ys, dys: [F.zeros_like(xs[0])]
    return lambda F, a, xs, ys, dys: [rule(F, xs[0], ys[0], dys[0])]


for _name, (_kernel, _rule) in _UNARY.items():
    register(_name, _unary_forward(_kernel), gradient=_unary_gradient(_rule),
             inplace=[(0, 0)], doc=f"Elementwise ``{_name}`` of the input.")


# A few unary ops are compositions of others (micrograd style, one line each).
def _composite(name, fn, rule, doc):
    register(name, _half_in_float(fn), gradient=_unary_gradient(rule), inplace=[(0, 0)],
             doc=doc)


def _half_in_float(fn):
    """MXNet computes a float16 element's whole expression in float32 and rounds once
    (``DType(1.0f / sqrtf(a))``); so do that, instead of rounding every step to half."""
    def forward(k, a, x):
        if x.dtype.name == "float16":
            return k.astype(fn(k, a, k.astype(x, "float32")), "float16")
        return fn(k, a, x)
    return forward


_composite("rsqrt", lambda k, a, x: k.unary("reciprocal", k.unary("sqrt", x)),
           lambda F, x, y, dy: dy * y * y * y * -0.5, "``1 / sqrt(x)``.")
_composite("rcbrt", lambda k, a, x: k.unary("reciprocal", k.unary("cbrt", x)),
           lambda F, x, y, dy: dy * y / x * (-1.0 / 3), "``1 / cbrt(x)``.")
# MXNet's factors are float32 expressions (180.0f / PI with PI a float): 57.29577637,
# one ulp below float32(180 / pi), and 0.017453292; float64 inputs use them too.
_DEG = float(np.float32(180) / np.float32(math.pi))
_RAD = float(np.float32(math.pi) / np.float32(180))
_composite("degrees", lambda k, a, x: k.binary("multiply", x, _DEG),
           lambda F, x, y, dy: dy * _DEG, "Radians to degrees: ``x * (180.0f / pi)``.")
_composite("radians", lambda k, a, x: k.binary("multiply", x, _RAD),
           lambda F, x, y, dy: dy * _RAD, "Degrees to radians: ``x * (pi / 180.0f)``.")
_composite("softsign", lambda k, a, x: k.binary(
               "divide", x, k.binary("add", k.unary("abs", x), 1)),
           lambda F, x, y, dy: dy / F.square(F.abs(x) + 1), "``x / (1 + |x|)``.")

register("BlockGrad", lambda k, a, x: k.copy(x), aliases=("stop_gradient",),
         gradient=lambda F, a, xs, ys, dys: [F.zeros_like(xs[0])], inplace=[(0, 0)],
         doc="Passes ``data`` forward unchanged; its gradient is zero.")


def _cast_type(a, in_types):
    return in_types, [a.dtype]


register("Cast", lambda k, a, x: k.astype(x, a.dtype), aliases=("cast",),
         params={"dtype": Param("dtype")}, infer_type=_cast_type,
         gradient=lambda F, a, xs, ys, dys: [F._cast_like(dys[0], xs[0])],
         doc="Convert to ``dtype`` (float to int truncates toward zero).")
register("_cast_like", lambda k, a, x, like: k.astype(x, like.dtype),
         inputs=("data", "like"), infer_type=lambda a, t: (t, [t[1]]),
         gradient=lambda F, a, xs, ys, dys: [F._cast_like(dys[0], xs[0]), None],
         doc="Cast ``data`` to the dtype of ``like`` (Cast's gradient).")


def _clip(k, a, x):
    return k.clip(x, scalar_for(x.dtype, a.a_min), scalar_for(x.dtype, a.a_max))


register("clip", _clip, params={"a_min": Param("float"), "a_max": Param("float")},
         gradient=lambda F, a, xs, ys, dys: [
             dys[0] * (xs[0] >= a.a_min) * (xs[0] <= a.a_max)],
         inplace=[(0, 0)],
         doc="Clip values to ``[a_min, a_max]``; the gradient passes inside the closed "
             "interval (boundaries included) and is zero outside (MXNet's rule).")


# ---- binary: same shape, and broadcasting ----------------------------------------------
#: name -> (kernel op, gradient ``(F, a, b, y, dy) -> (da, db)`` or None).  The rules use
#: ``broadcast_*`` ops, not ``*``: under ``mx.sym``, ``*`` does not broadcast, and ``dy``
#: has the broadcast shape while ``a`` and ``b`` keep their own.
_mul, _div = (lambda F, x, y: F.broadcast_mul(x, y)), (lambda F, x, y: F.broadcast_div(x, y))
_BINARY = {
    "add": ("add", lambda F, a, b, y, dy: (dy, dy)),
    "sub": ("subtract", lambda F, a, b, y, dy: (dy, -dy)),
    "mul": ("multiply", lambda F, a, b, y, dy: (_mul(F, dy, b), _mul(F, dy, a))),
    "div": ("divide", lambda F, a, b, y, dy: (_div(F, dy, b), -_mul(F, dy, _div(F, y, b)))),
    "mod": ("mod", lambda F, a, b, y, dy: (dy, -_mul(F, dy, F.floor(_div(F, a, b))))),
    "power": ("power", lambda F, a, b, y, dy: (
        _mul(F, dy, _mul(F, b, F.broadcast_power(a, b - 1))), _mul(F, dy * y, F.log(a)))),
    "maximum": ("maximum", lambda F, a, b, y, dy: (
        _mul(F, dy, F.broadcast_greater_equal(a, b)), _mul(F, dy, F.broadcast_lesser(a, b)))),
    "minimum": ("minimum", lambda F, a, b, y, dy: (
        _mul(F, dy, F.broadcast_lesser_equal(a, b)), _mul(F, dy, F.broadcast_greater(a, b)))),
    "hypot": ("hypot", lambda F, a, b, y, dy: (_mul(F, dy, _div(F, a, y)),
                                                 _mul(F, dy, _div(F, b, y)))),
    "equal": ("equal", None), "not_equal": ("not_equal", None),
    "greater": ("greater", None), "greater_equal": ("greater_equal", None),
    "lesser": ("lesser", None), "lesser_equal": ("lesser_equal", None),
    "logical_and": ("logical_and", None), "logical_or": ("logical_or", None),
    "logical_xor": ("logical_xor", None),
}


def _is_scalar(v):
    return isinstance(v, (int, float, np.number))


def binary_kernel(k, kernel_op, lhs, rhs, out=None):
    """``k.binary`` with MXNet's arithmetic where it differs from NumPy's; ``lhs`` or
    ``rhs`` may be a number.

    * ``mod`` by zero is 0 (NumPy: NaN for floats);
    * integer ``power`` is ``powf`` in float32, converted back as C does (so
      ``int32 3 ** 16`` is 43046720, ``2 ** -1`` is 0 and overflow gives INT32_MIN);
      computed on the host."""
    dtype = np.dtype((rhs if _is_scalar(lhs) else lhs).dtype)
    if dtype.kind == "b" and not (_is_scalar(lhs) or _is_scalar(rhs)):
        # MXNet 1.x's legacy binary kernels have no boolean case
        raise MXNetError("operator does not support boolean type")
    if kernel_op == "power" and dtype.kind in "iu":
        host = [np.float32(v) if _is_scalar(v) else k.to_numpy(v).astype(np.float32)
                for v in (lhs, rhs)]
        with np.errstate(all="ignore"):     # powf, correctly rounded (via float64)
            res = np.power(host[0].astype(np.float64), host[1]).astype(np.float32)
        return k.deliver(k.from_numpy(np.ascontiguousarray(float_to_int(res, dtype))), out)
    if kernel_op == "mod" and dtype.kind == "f":
        res = k.binary("mod", lhs, rhs)
        if _is_scalar(rhs):
            zero = k.full(res.shape, 0, dtype) if rhs == 0 else None
            return k.deliver(zero if zero is not None else res, out)
        res = k.where(k.binary("equal", rhs, 0), k.full(res.shape, 0, dtype), res)
        return k.deliver(res, out)
    return k.binary(kernel_op, lhs, rhs, out=out)


def _elemwise_forward(name, kernel_op):
    def forward(k, a, lhs, rhs, *, out=None):
        if lhs.shape != rhs.shape:
            raise MXNetError(f"{name}: shapes must be equal (no broadcasting), got lhs "
                             f"{tuple(lhs.shape)} and rhs {tuple(rhs.shape)}; use "
                             f"broadcast_{name.split('_', 1)[1]}")
        check_same_dtype(name, lhs, rhs)
        return binary_kernel(k, kernel_op, lhs, rhs, out=out)
    return forward


def _broadcast_forward(name, kernel_op):
    def forward(k, a, lhs, rhs, *, out=None):
        check_same_dtype(name, lhs, rhs)
        if lhs.shape != rhs.shape:
            shape = broadcast_shape(name, lhs.shape, rhs.shape)
            lhs, rhs = k.broadcast_to(lhs, shape), k.broadcast_to(rhs, shape)
        return binary_kernel(k, kernel_op, lhs, rhs, out=out)
    return forward


def _binary_gradient(rule, reduce):
    if rule is None:
        return lambda F, a, xs, ys, dys: [F.zeros_like(xs[0]), F.zeros_like(xs[1])]

    def gradient(F, a, xs, ys, dys):
        lhs, rhs = xs
        da, db = rule(F, lhs, rhs, ys[0], dys[0])
        if reduce:                        # undo broadcasting: sum over expanded axes
            da, db = F._sum_like(da, lhs), F._sum_like(db, rhs)
        return [da, db]
    return gradient


def _broadcast_infer_shape(name):
    def infer(a, in_shapes):
        lhs, rhs = in_shapes
        if lhs is None or rhs is None:
            return in_shapes, [None]
        return in_shapes, [broadcast_shape(name, lhs, rhs)]
    return infer


for _name, (_kernel, _rule) in _BINARY.items():
    _ew, _bc = f"elemwise_{_name}", f"broadcast_{_name}"
    if _name in ("add", "sub", "mul", "div"):
        register(_ew, _elemwise_forward(_ew, _kernel), inputs=("lhs", "rhs"),
                 gradient=_binary_gradient(_rule, False), inplace=[(0, 0), (1, 0)],
                 infer_type=uniform_type,
                 aliases=("_" + {"add": "plus", "sub": "minus", "mul": "mul",
                                 "div": "div"}[_name],),
                 doc=f"``lhs {_name} rhs`` for arrays of one shape (no broadcasting).")
    # MXNet's same-shape ``_maximum``, ``_power``, ``_equal``... (what ``mx.sym.maximum(a,
    # b)``, ``a ** b``, ``a == b`` write into JSON) load as the broadcasting op
    _aliases = {"add": ("broadcast_plus",), "sub": ("broadcast_minus",)}.get(
        _name, () if _name in ("mul", "div") else (f"_{_name}",))
    register(_bc, _broadcast_forward(_bc, _kernel), inputs=("lhs", "rhs"),
             gradient=_binary_gradient(_rule, True), aliases=_aliases,
             infer_shape=_broadcast_infer_shape(_bc), infer_type=uniform_type,
             doc=f"``{_name}`` with NumPy-style broadcasting of ``lhs`` and ``rhs``.")


def _sum_like(k, a, x, like):
    """Sum ``x`` over the axes that broadcasting expanded, giving ``like``'s shape."""
    if tuple(x.shape) == tuple(like.shape):
        return x
    # BEGIN EXERCISE sum_like
    lead = len(x.shape) - len(like.shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(like.shape) if d == 1 and x.shape[lead + i] != 1)
    return k.reshape(k.reduce("sum", x, axes, False), like.shape)
    # END EXERCISE sum_like


register("_sum_like", _sum_like, inputs=("data", "like"),
         infer_shape=lambda a, s: (s, [s[1]]),
         gradient=lambda F, a, xs, ys, dys: [F.broadcast_like(dys[0], xs[0]), None],
         doc="Reduce ``data`` by summing to the shape of ``like`` (the adjoint of "
             "broadcasting; used by broadcast ops' gradients).")


# ---- array and scalar -------------------------------------------------------------------
#: name -> (kernel op, True when the scalar is the left operand, gradient
#: ``(F, x, y, dy, s) -> dx`` or None)
_SCALAR = {
    "_plus_scalar": ("add", False, lambda F, x, y, dy, s: dy),
    "_minus_scalar": ("subtract", False, lambda F, x, y, dy, s: dy),
    "_rminus_scalar": ("subtract", True, lambda F, x, y, dy, s: -dy),
    "_mul_scalar": ("multiply", False, lambda F, x, y, dy, s: dy * s),
    "_div_scalar": ("divide", False, lambda F, x, y, dy, s: dy / s),
    "_rdiv_scalar": ("divide", True, lambda F, x, y, dy, s: -dy * y / x),
    "_mod_scalar": ("mod", False, lambda F, x, y, dy, s: dy),
    "_rmod_scalar": ("mod", True, lambda F, x, y, dy, s: -dy * F.floor(s / x)),
    "_power_scalar": ("power", False, lambda F, x, y, dy, s: dy * s * x ** (s - 1)),
    "_rpower_scalar": ("power", True, lambda F, x, y, dy, s: dy * y * math.log(s)),
    "_maximum_scalar": ("maximum", False, lambda F, x, y, dy, s: dy * (x >= s)),
    "_minimum_scalar": ("minimum", False, lambda F, x, y, dy, s: dy * (x <= s)),
    "_hypot_scalar": ("hypot", False, lambda F, x, y, dy, s: dy * x / y),
}
for _cmp in ("equal", "not_equal", "greater", "greater_equal", "lesser", "lesser_equal",
             "logical_and", "logical_or", "logical_xor"):
    _SCALAR[f"_{_cmp}_scalar"] = (_cmp, False, None)

_SCALAR_ALIASES = {"_plus_scalar": ("_PlusScalar",), "_minus_scalar": ("_MinusScalar",),
                   "_mul_scalar": ("_MulScalar",), "_div_scalar": ("_DivScalar",)}


def _scalar_forward(kernel_op, reverse):
    def forward(k, a, x, *, out=None):
        s = scalar_for(x.dtype, a.scalar)
        return binary_kernel(k, kernel_op, s, x, out=out) if reverse else \
            binary_kernel(k, kernel_op, x, s, out=out)
    return forward


def _scalar_gradient(rule):
    if rule is None:
        return lambda F, a, xs, ys, dys: [F.zeros_like(xs[0])]
    return lambda F, a, xs, ys, dys: [rule(F, xs[0], ys[0], dys[0], a.scalar)]


for _name, (_kernel, _reverse, _rule) in _SCALAR.items():
    register(_name, _scalar_forward(_kernel, _reverse), params={"scalar": Param("float", 1.0)},
             gradient=_scalar_gradient(_rule), inplace=[(0, 0)],
             aliases=_SCALAR_ALIASES.get(_name, ()),
             doc=f"``{_name[1:-7]}`` of the array and the number ``scalar`` (cast to "
                 "the array's dtype first, as MXNet does).")


# ---- n-ary ----------------------------------------------------------------------------
def _add_n(k, a, *xs):
    check_same_dtype("add_n", *xs, names=[f"arg{i}" for i in range(len(xs))])
    out = xs[0]
    for x in xs[1:]:
        if x.shape != out.shape:
            raise MXNetError(f"add_n: all inputs must have one shape, got "
                             f"{tuple(xs[0].shape)} and {tuple(x.shape)}")
        out = k.binary("add", out, x)
    return k.copy(out) if len(xs) == 1 else out


register("add_n", _add_n, inputs="*data", aliases=("ElementWiseSum",),
         infer_type=uniform_type,
         gradient=lambda F, a, xs, ys, dys: [dys[0]] * len(xs), inplace=[(0, 0)],
         doc="The elementwise sum of any number of same-shape arrays.")


# ---- hard_sigmoid ---------------------------------------------------------------------
def _hs_params(a):
    """``alpha, beta`` rounded to float32, as MXNet stores them."""
    return float(np.float32(a.alpha)), float(np.float32(a.beta))


def _hard_sigmoid(k, a, x):
    alpha, beta = _hs_params(a)
    return k.clip(k.binary("add", k.binary("multiply", x, alpha), beta), 0, 1)


def _hard_sigmoid_gradient(F, a, xs, ys, dys):
    alpha, beta = _hs_params(a)
    z = xs[0] * alpha + beta
    return [dys[0] * ((z > 0) * (z < 1)) * alpha]


register("hard_sigmoid", _hard_sigmoid, inplace=[(0, 0)],
         params={"alpha": Param("float", 0.2, doc="slope"),
                 "beta": Param("float", 0.5, doc="bias")},
         gradient=_hard_sigmoid_gradient,
         doc="""Piecewise-linear sigmoid: ``y = clip(alpha * x + beta, 0, 1)``.

The gradient is ``alpha`` where ``0 < alpha * x + beta < 1`` (the open interval) and 0
elsewhere, as in MXNet.  Any shape; the output has the input's shape and dtype.
``alpha`` and ``beta`` are float32 parameters in MXNet, so float64 data is computed
with ``alpha = 0.2f = 0.200000003``.""")


# ---- mixed precision: amp_cast, amp_multicast; cast_storage ------------------------------
#: the dtypes AMP casts; others (float64, ints) pass through untouched (MXNet 1.9.1)
_AMP_FLOATS = ("float16", "float32", "bfloat16")


def _amp_target(a, dtype):
    return a.dtype if dtype.name in _AMP_FLOATS else dtype.name


def _amp_cast(k, a, x):
    dt = _amp_target(a, x.dtype)
    return k.copy(x) if dt == x.dtype.name else k.astype(x, dt)


register("amp_cast", _amp_cast,
         params={"dtype": Param("dtype")}, inplace=[(0, 0)],
         infer_type=lambda a, t: (t, [None if t[0] is None else
                                      _amp_target(a, np.dtype(t[0]))]),
         gradient=lambda F, a, xs, ys, dys: [F._cast_like(dys[0], xs[0])],
         doc="""Cast for automatic mixed precision: like ``Cast``, but only float16,
float32 (and bfloat16) inputs are converted to ``dtype``; float64 and integer inputs
pass through unchanged (MXNet 1.9.1: ``amp_cast(int32_x, dtype='float16')`` stays
int32).  The gradient is cast back to the input's dtype.""")


def _amp_multicast_types(a, in_types):
    """The common dtype of the float16/float32 inputs: the widest (or, with
    ``cast_narrow``, the narrowest); every other input keeps its dtype."""
    floats = [np.dtype(t) for t in in_types if t is not None and np.dtype(t).name in _AMP_FLOATS]
    if not floats:
        return in_types, list(in_types)
    pick = min if a.cast_narrow else max
    target = pick(floats, key=lambda d: d.itemsize).name
    return in_types, [None if t is None else
                      (target if np.dtype(t).name in _AMP_FLOATS else np.dtype(t).name)
                      for t in in_types]


def _amp_multicast(k, a, *xs):
    _, types = _amp_multicast_types(a, [x.dtype for x in xs])
    return tuple(k.copy(x) if x.dtype.name == t else k.astype(x, t)
                 for x, t in zip(xs, types))


register("amp_multicast", _amp_multicast, inputs="*data", key_var_num_args="num_outputs",
         params={"num_outputs": Param("int"), "cast_narrow": Param("bool", False)},
         outputs=lambda a: [f"output{i}" for i in range(a.num_outputs)],
         infer_shape=lambda a, s: (s, list(s)), infer_type=_amp_multicast_types,
         inplace=lambda a: [(i, i) for i in range(a.num_outputs)],
         gradient=lambda F, a, xs, ys, dys: [F._cast_like(d, x) for d, x in zip(dys, xs)],
         doc="""Cast ``num_outputs`` arrays to one dtype for mixed precision: the float16
and float32 inputs all become the widest of their dtypes (the narrowest with
``cast_narrow=True``); float64 and integer inputs pass through unchanged (so float16
with float64 stays float16 and float64, as in MXNet 1.9.1).  Output i has input i's
shape; each gradient is cast back to its input's dtype.""")


def _cast_storage(k, a, x):
    if a.stype == "csr" and len(x.shape) != 2:
        raise MXNetError(f"cast_storage: csr storage needs a 2-D array, got data of "
                         f"shape {tuple(x.shape)}")
    return k.copy(x)


register("cast_storage", _cast_storage,
         params={"stype": Param("str", choices=("csr", "default", "row_sparse"))},
         gradient=lambda F, a, xs, ys, dys: [dys[0]],
         doc="""Convert the storage type of ``data`` to ``stype`` ('default', 'csr' or
'row_sparse'; gradient: ``dy``).  Called on NDArrays it returns a ``CSRNDArray`` /
``RowSparseNDArray`` (``pymx/ndarray/sparse.py``); this dense forward, a copy, is what
the executor runs for a Symbol (pymx's executor stores every array densely).""")
