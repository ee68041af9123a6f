"""Elementwise ``mx.np`` functions: arithmetic and comparisons with NumPy
broadcasting (``binary``), the unary math functions, ``clip``, ``where``, ``isnan``
and ``allclose``.

Each calls the legacy operator that computes it (``broadcast_add``,
``_plus_scalar``, ``exp``...); what this file adds is NumPy's treatment of dtypes, in
MXNet 1.9.1's version (measured):

* two arrays of different dtypes are promoted: bool < any number, an int with a float
  gives the float (``int32 + float32`` is float32, not NumPy's float64), int8 with
  uint8 gives int32, else the wider type;
* a Python scalar never changes the array's dtype (``int32_array + 1.5`` is int32,
  computed as MXNet does by casting the scalar), except that a bool array becomes
  int64 first (``(x > 1) + 1`` is int64);
* true division of integers gives float32;
* comparisons give ``bool`` arrays, and two arrays compared must have one dtype
  (``int32_array == float32_array`` is an MXNetError: d2l's ``accuracy`` casts first);
  so must the two arrays of ``maximum``/``minimum``.
"""
import numpy as _np

from ..base import MXNetError
from ..ndarray import op as _nd
from ..ndarray.ndarray import NDArray, _call

__all__ = ["add", "subtract", "multiply", "divide", "true_divide", "mod", "power",
           "maximum", "minimum", "equal", "not_equal", "greater", "greater_equal",
           "less", "less_equal", "clip", "where", "isnan", "isinf", "isfinite",
           "allclose"]

#: name -> (op on two arrays, op on array-then-scalar, op on scalar-then-array)
_BINARY = {
    "add": ("broadcast_add", "_plus_scalar", "_plus_scalar"),
    "subtract": ("broadcast_sub", "_minus_scalar", "_rminus_scalar"),
    "multiply": ("broadcast_mul", "_mul_scalar", "_mul_scalar"),
    "true_divide": ("broadcast_div", "_div_scalar", "_rdiv_scalar"),
    "mod": ("broadcast_mod", "_mod_scalar", "_rmod_scalar"),
    "power": ("broadcast_power", "_power_scalar", "_rpower_scalar"),
    "maximum": ("broadcast_maximum", "_maximum_scalar", "_maximum_scalar"),
    "minimum": ("broadcast_minimum", "_minimum_scalar", "_minimum_scalar"),
    "equal": ("broadcast_equal", "_equal_scalar", "_equal_scalar"),
    "not_equal": ("broadcast_not_equal", "_not_equal_scalar", "_not_equal_scalar"),
    "greater": ("broadcast_greater", "_greater_scalar", "_lesser_scalar"),
    "greater_equal": ("broadcast_greater_equal", "_greater_equal_scalar",
                      "_lesser_equal_scalar"),
    "less": ("broadcast_lesser", "_lesser_scalar", "_greater_scalar"),
    "less_equal": ("broadcast_lesser_equal", "_lesser_equal_scalar",
                   "_greater_equal_scalar"),
}
_COMPARISONS = ("equal", "not_equal", "greater", "greater_equal", "less", "less_equal")
#: ops MXNet 1.9.1 does not promote: two arrays of different dtypes are an MXNetError
_SAME_DTYPE = _COMPARISONS + ("maximum", "minimum")
_SCALARS = (int, float, bool, _np.number, _np.bool_)


def result_type(a, b):
    """The dtype of an operation on arrays of dtypes ``a`` and ``b`` (module docstring)."""
    a, b = _np.dtype(a), _np.dtype(b)
    if {a.name, b.name} == {"int8", "uint8"}:
        return _np.dtype(_np.int32)                     # MXNet's table (NumPy: int16)
    if a == b or b.kind == "b":
        return a
    if a.kind == "b":
        return b
    if (a.kind == "f") != (b.kind == "f"):
        return a if a.kind == "f" else b
    return _np.promote_types(a, b)


def _cast(x, dtype):
    return x if x.dtype == dtype else x.astype(dtype)


def binary(name, x1, x2):
    """``x1 <name> x2`` (``name`` a key of ``_BINARY``) for arrays and scalars on
    either side, with NumPy broadcasting and MXNet's dtype rules.  A list, tuple or
    NumPy array operand is a TypeError, as in MXNet 1.9.1; ``NotImplemented`` for any
    other operand."""
    from .creation import array
    array_op, scalar_op, rscalar_op = _BINARY[name]
    if not isinstance(x1, NDArray) and not isinstance(x2, NDArray):
        return binary(name, array(x1), x2)
    if isinstance(x1, NDArray) and isinstance(x2, NDArray):
        if name in _SAME_DTYPE and x1.dtype != x2.dtype:
            raise MXNetError(f"{name}: the two arrays must have one dtype, got {x1.dtype} "
                             f"and {x2.dtype} (MXNet 1.9.1 does not promote here)")
        dtype = result_type(x1.dtype, x2.dtype)
        if name == "true_divide" and dtype.kind in "biu":
            dtype = _np.dtype(_np.float32)
        if dtype.kind == "b":
            return _bool_binary(name, array_op, x1, x2)
        out = _call(array_op, [_cast(x1, dtype), _cast(x2, dtype)], {})
    else:
        x, scalar, op = (x1, x2, scalar_op) if isinstance(x1, NDArray) else \
            (x2, x1, rscalar_op)
        if isinstance(scalar, (list, tuple, _np.ndarray)):     # as MXNet 1.9.1
            raise TypeError(f"{name}: type {type(scalar).__name__} not supported (make an "
                            f"mx.np array of it first)")
        if not isinstance(scalar, _SCALARS):
            return NotImplemented
        if x.dtype.kind == "b":
            x = x.astype(_np.int64)
        if name == "true_divide" and x.dtype.kind in "iu":
            x = x.astype(_np.float32)
        out = _call(op, [x], {"scalar": float(scalar)})
    return out.astype(_np.bool_) if name in _COMPARISONS else out


#: ops MXNet 1.9.1's ``_npi`` kernels refuse on two bool arrays (``a - b`` of masks)
_NO_BOOL = ("subtract", "mod", "maximum", "minimum")


def _bool_binary(name, array_op, x1, x2):
    """Two bool arrays: MXNet's NumPy kernels compute ``+`` as logical or, ``*`` as
    logical and, ``**`` and comparisons on 0/1 and give bool; ``-``, ``%``,
    ``maximum`` and ``minimum`` are an MXNetError.  The legacy kernels underneath
    take no bool arrays, so compute on int8 and cast back."""
    if name in _NO_BOOL:
        raise MXNetError(f"{name}: not supported for two bool arrays (as in MXNet 1.9.1)")
    out = _call(array_op, [x1.astype(_np.int8), x2.astype(_np.int8)], {})
    return out.astype(_np.bool_)


def inplace_result_type(name, x, other):
    """The dtype ``binary(name, x, other)`` would have (None for an operand it does not
    take): what ``x op= other`` must fit into."""
    if isinstance(other, NDArray):
        dtype = result_type(x.dtype, other.dtype)
    elif isinstance(other, _SCALARS):
        dtype = _np.dtype(_np.int64) if x.dtype.kind == "b" else x.dtype
    else:
        return None
    if name == "true_divide" and dtype.kind in "biu":
        return _np.dtype(_np.float32)
    return dtype


def _binary_function(name):
    def fn(x1, x2, out=None):
        result = binary(name, x1, x2)
        if result is NotImplemented:        # np.equal(x, None), x == None: as MXNet
            raise TypeError(f"{name}: operands must be arrays or numbers, got "
                            f"{type(x1).__name__} and {type(x2).__name__}")
        if out is not None:
            out[...] = result
            return out
        return result
    fn.__name__ = name
    fn.__doc__ = (f"``{name}(x1, x2)`` elementwise, with NumPy broadcasting; either "
                  "side may be a scalar (see ``binary`` for the dtype rules).")
    return fn


add = _binary_function("add")
subtract = _binary_function("subtract")
multiply = _binary_function("multiply")
true_divide = divide = _binary_function("true_divide")
mod = _binary_function("mod")
power = _binary_function("power")
maximum = _binary_function("maximum")
minimum = _binary_function("minimum")
equal = _binary_function("equal")
not_equal = _binary_function("not_equal")
greater = _binary_function("greater")
greater_equal = _binary_function("greater_equal")
less = _binary_function("less")
less_equal = _binary_function("less_equal")


# ---- unary ----------------------------------------------------------------------------
#: mx.np name -> legacy op (the same math; an integer array keeps its dtype, as MXNet)
UNARY = {name: name for name in (
    "exp", "expm1", "log", "log10", "log2", "log1p", "sqrt", "cbrt", "square", "sign",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "arcsinh", "arccosh", "arctanh", "floor", "ceil", "trunc", "rint", "fix",
    "negative", "reciprocal", "degrees", "radians")}
UNARY.update(abs="abs", absolute="abs")


def _unary_function(name, op):
    def fn(x, out=None):
        from .creation import asarray
        result = getattr(_nd, op)(asarray(x))
        if out is not None:
            out[...] = result
            return out
        return result
    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}`` (the legacy ``{op}`` operator)."
    return fn


for _name, _op in UNARY.items():
    globals()[_name] = _unary_function(_name, _op)
__all__ += list(UNARY)


# ---- selection and tests -------------------------------------------------------------
def clip(a, a_min, a_max, out=None):
    """Limit the values to ``[a_min, a_max]`` (None: no bound on that side).  The
    gradient passes where the value was inside the range."""
    if a_min is None and a_max is None:
        raise ValueError("clip: a_min and a_max cannot both be None")
    lo = -_np.inf if a_min is None else a_min
    hi = _np.inf if a_max is None else a_max
    result = _nd.clip(a, lo, hi)
    if out is not None:
        out[...] = result
        return out
    return result


def where(condition, x=None, y=None):
    """``x`` where ``condition`` is true, else ``y``; the three broadcast together and
    ``x``/``y`` may be scalars.  The gradient goes to x where the condition holds and
    to y elsewhere.  ``where(condition)`` alone is ``nonzero(condition)``."""
    from .creation import asarray
    from .manipulation import broadcast_to
    if x is None and y is None:
        from .counting import nonzero
        return nonzero(condition)
    if x is None or y is None:
        raise ValueError("where: either both or neither of x and y should be given")
    condition = asarray(condition)
    xa = x if isinstance(x, NDArray) else None
    ya = y if isinstance(y, NDArray) else None
    if xa is not None and ya is not None and xa.dtype != ya.dtype:
        raise MXNetError(f"where: x and y must have one dtype, got {xa.dtype} and "
                         f"{ya.dtype}")
    like = xa if xa is not None else ya                 # a scalar takes the array's dtype
    dtype = like.dtype if like is not None else _np.dtype(_np.float32)
    x, y = asarray(x, dtype=dtype, ctx=condition.context), \
        asarray(y, dtype=dtype, ctx=condition.context)
    shape = _np.broadcast_shapes(condition.shape, x.shape, y.shape)
    cond, x, y = (broadcast_to(v, shape) for v in (condition, x, y))
    return _nd.where(cond.astype(dtype), x, y)


def isnan(x):
    """True where ``x`` is NaN (the one value not equal to itself)."""
    return binary("not_equal", x, x)


def isinf(x):
    """True where ``x`` is +inf or -inf."""
    return binary("equal", _nd.abs(x), _np.inf)


def isfinite(x):
    """True where ``x`` is neither NaN nor infinite (``x - x`` is 0 exactly there)."""
    return binary("equal", binary("subtract", x, x), 0)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a Python bool) when ``|a - b| <= atol + rtol * |b|`` everywhere."""
    from .creation import asarray
    a, b = asarray(a), asarray(b)
    diff = _nd.abs(binary("subtract", a, b))
    close = binary("less_equal", diff, binary("add", binary("multiply", _nd.abs(b), rtol),
                                             atol))
    if equal_nan:
        close = binary("greater", binary("add", close.astype(_np.int32),
                                         (isnan(a).astype(_np.int32) * isnan(b))), 0)
    return bool(close.asnumpy().all())


# ---- more NumPy math (MXNet 1.9.1's _npi_* functions) ---------------------------------
remainder = _binary_function("mod")
remainder.__name__ = "remainder"
UNARY.update(fabs="abs", deg2rad="radians", rad2deg="degrees")
for _name in ("fabs", "deg2rad", "rad2deg"):
    globals()[_name] = _unary_function(_name, UNARY[_name])


def _arrays(x1, x2):
    """Both operands as ``mx.np`` arrays of one dtype (``result_type``), a scalar taking
    the array's dtype, on the array's context."""
    from .creation import asarray
    like = x1 if isinstance(x1, NDArray) else x2 if isinstance(x2, NDArray) else None
    if like is None:
        x1, x2 = asarray(x1), asarray(x2)
        like = x1
    dtype = result_type(*(v.dtype if isinstance(v, NDArray) else like.dtype
                          for v in (x1, x2)))
    return (asarray(x1, dtype=dtype, ctx=like.context),
            asarray(x2, dtype=dtype, ctx=like.context))


def _finish(result, out):
    if out is not None:
        out[...] = result
        return out
    return result


def arctan2(x1, x2, out=None):
    """The angle of the point ``(x2, x1)`` in ``(-pi, pi]`` (``arctan(x1 / x2)`` with
    the quadrant), broadcast.  Integer input gives an integer result (the angle
    truncated, as MXNet 1.9.1).  Differentiable (``_npi_arctan2``:
    ``d/dx1 = x2 / r^2``, ``d/dx2 = -x1 / r^2``)."""
    x1, x2 = _arrays(x1, x2)
    if x1.dtype.kind in "biu":
        angle = _call("_npi_arctan2", [x1.astype(_np.float32), x2.astype(_np.float32)], {})
        return _finish(angle.astype(x1.dtype), out)
    return _finish(_call("_npi_arctan2", [x1, x2], {}), out)


def hypot(x1, x2, out=None):
    """``sqrt(x1**2 + x2**2)`` elementwise, broadcast (``broadcast_hypot``)."""
    x1, x2 = _arrays(x1, x2)
    if x1.dtype.kind in "biu":
        x1, x2 = x1.astype(_np.float32), x2.astype(_np.float32)
    return _finish(_nd.broadcast_hypot(x1, x2), out)


def copysign(x1, x2, out=None):
    """``|x1|`` with the sign of ``x2`` (negative where ``x2 < 0``), broadcast; the
    gradient w.r.t. x1 is ``sign(x1) * sign``, none w.r.t. x2."""
    x1, x2 = _arrays(x1, x2)
    sign = 1 - 2 * binary("less", x2, 0).astype(x1.dtype)
    return _finish(binary("multiply", _nd.abs(x1), sign), out)


def ldexp(x1, x2, out=None):
    """``x1 * 2**x2`` elementwise, broadcast (differentiable in both)."""
    x1, x2 = _arrays(x1, x2)
    return _finish(binary("multiply", x1, binary("power", 2.0, x2)), out)


def _host_binary(name, fn, x1, x2, out, kinds="iub"):
    """``fn`` (a NumPy ufunc) on the host for integer/bool inputs: no gradient."""
    from .creation import array
    x1, x2 = _arrays(x1, x2)
    if x1.dtype.kind not in kinds:
        raise MXNetError(f"{name}: only integer or bool inputs are supported, got "
                         f"{x1.dtype}")
    return _finish(array(fn(x1.asnumpy(), x2.asnumpy()), dtype=x1.dtype, ctx=x1.context),
                   out)


def lcm(x1, x2, out=None):
    """Least common multiple of integer arrays, broadcast (``|x1 * x2| / gcd``)."""
    return _host_binary("lcm", _np.lcm, x1, x2, out, "iu")


def bitwise_and(x1, x2, out=None):
    """Bitwise AND of integer or bool arrays."""
    return _host_binary("bitwise_and", _np.bitwise_and, x1, x2, out)


def bitwise_or(x1, x2, out=None):
    """Bitwise OR of integer or bool arrays."""
    return _host_binary("bitwise_or", _np.bitwise_or, x1, x2, out)


def bitwise_xor(x1, x2, out=None):
    """Bitwise XOR of integer or bool arrays."""
    return _host_binary("bitwise_xor", _np.bitwise_xor, x1, x2, out)


def invert(x, out=None):
    """Bitwise NOT (``~x``) of an integer or bool array (for bool: logical not)."""
    return _host_binary("invert", lambda a, b: _np.invert(a), x, x, out)


bitwise_not = invert


def logical_not(x, out=None):
    """True where ``x`` is zero (a bool array)."""
    from .creation import asarray
    return _finish(_nd.logical_not(asarray(x)).astype(_np.bool_), out)


def _half_even(x):
    """NumPy's rounding: the nearer integer, the even one on a tie (MXNet's legacy
    ``rint`` takes the lower one, ``round`` the one away from zero)."""
    f = _nd.floor(x)
    d = x - f
    tie = f + _nd._mod_scalar(f, scalar=2.0)      # the even one of f and f + 1
    return _nd.where(d > 0.5, f + 1, _nd.where(d < 0.5, f, tie))


def round(x, decimals=0, out=None):  # noqa: A001 (NumPy's name)
    """Round to ``decimals`` decimal places, halves to even, step by step as MXNet
    1.9.1's ``_npi_around`` kernel does (which fixes its float32 results):

    * ``t = x`` multiplied by 10 ``decimals`` times (divided, for ``decimals < 0``),
      one float32 rounding per step;
    * ``r`` = ``t`` rounded half to even; ``r`` is -0 only where ``-0.5 < t < 0``
      (so ``round(-0.2)`` is -0. but ``round(-0.5)`` is 0.);
    * ``r`` divided by 10 ``decimals`` times (multiplied, for ``decimals < 0``).

    So ``round(0.67, 2)`` is ``67 / 10 / 10`` = 0.66999996 in float32.  Integer arrays:
    unchanged for ``decimals >= 0``; else truncated towards zero to a multiple of
    ``10**-decimals`` (C integer division: ``round(-35, -1)`` is -30)."""
    from .creation import array, asarray
    x = asarray(x)
    if x.dtype.kind in "biu":
        if decimals >= 0:
            return _finish(x.copy(), out)
        p = 10 ** -decimals
        host = x.asnumpy()
        host = _np.sign(host) * (_np.abs(host) // p) * p
        return _finish(array(host, dtype=x.dtype, ctx=x.context), out)
    up, down = ("_mul_scalar", "_div_scalar") if decimals >= 0 else \
        ("_div_scalar", "_mul_scalar")
    steps = decimals if decimals >= 0 else -decimals    # (``abs`` is np.abs here)
    t = x
    for _ in range(steps):
        t = getattr(_nd, up)(t, scalar=10.0)
    r = _half_even(t)
    # r is 0 exactly where -0.5 < t < 0 among the negatives (bool masks: no ``*``)
    negative_zero = (t < 0) & (t > -0.5)
    r = _nd.where(negative_zero, t * 0, r)             # t * 0 is -0. for t < 0
    for _ in range(steps):
        r = getattr(_nd, down)(r, scalar=10.0)
    return _finish(r, out)


around = round_ = round


def isposinf(x, out=None):
    """True where ``x`` is +inf."""
    return _finish(binary("equal", x, _np.inf), out)


def isneginf(x, out=None):
    """True where ``x`` is -inf."""
    return _finish(binary("equal", x, -_np.inf), out)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN -> ``nan``, +inf -> ``posinf`` (default: the dtype's largest value), -inf
    -> ``neginf`` (the most negative).  The gradient is 1 where ``x`` is finite, 0
    elsewhere.  ``copy=False`` writes into ``x``.  Integer arrays are returned as is."""
    from .creation import asarray, full_like
    x = asarray(x)
    if x.dtype.kind in "biu":
        return x.copy() if copy else x
    info = _np.finfo(x.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    y = where(isnan(x), full_like(x, nan), x)
    y = where(isposinf(x), full_like(x, posinf), y)
    y = where(isneginf(x), full_like(x, neginf), y)
    if not copy:
        x[...] = y
        return x
    return y


__all__ += ["remainder", "fabs", "deg2rad", "rad2deg", "arctan2", "hypot", "copysign",
            "ldexp", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor", "invert",
            "bitwise_not", "logical_not", "round", "around", "round_", "isposinf",
            "isneginf", "nan_to_num"]


# ---- numbers in, NumPy numbers out ----------------------------------------------------
def _numbers_to_numpy(fn, numpy_fn, nin):
    """MXNet 1.9.1 hands a call whose ``nin`` operands are all Python or NumPy numbers
    to official NumPy: ``np.exp(2)`` is ``numpy.float64(7.389...)`` and
    ``np.add(7, 2)`` is ``numpy.int64(9)``, not mx arrays."""
    def wrapper(*args, **kwargs):
        if len(args) >= nin and all(isinstance(a, _SCALARS) for a in args[:nin]) \
                and kwargs.get("out") is None:
            return numpy_fn(*args[:nin] if nin else args)
        return fn(*args, **kwargs)
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper


#: functions with a scalar NumPy twin; the value is the twin's name when it differs
#: (MXNet's ``fabs`` of an int is NumPy's ``abs``: ``np.fabs(2)`` is int64 2)
_NUMPY_TWINS = dict({name: name for name in UNARY}, fabs="abs")
_NUMPY_TWINS.update({name: name for name in (
    "add", "subtract", "multiply", "divide", "true_divide", "mod", "remainder", "power",
    "maximum", "minimum", "equal", "not_equal", "greater", "greater_equal", "less",
    "less_equal", "arctan2", "hypot", "copysign", "ldexp", "lcm", "bitwise_and",
    "bitwise_or", "bitwise_xor", "invert", "bitwise_not", "logical_not", "isnan",
    "isinf", "isfinite", "isposinf", "isneginf")})
for _name, _twin in _NUMPY_TWINS.items():
    _ufunc = getattr(_np, _twin)
    if _name in ("floor", "ceil", "trunc", "fix", "rint"):   # NumPy 1.x: float64 for ints
        _ufunc = (lambda f: lambda x: f(_np.float64(x) if isinstance(x, (int, _np.integer))
                                        else x))(_ufunc)
    globals()[_name] = _numbers_to_numpy(globals()[_name], _ufunc, getattr(_ufunc, "nin", 1))
for _name in ("round", "around", "round_"):            # round(x, decimals): not a ufunc
    globals()[_name] = _numbers_to_numpy(globals()[_name],
                                         lambda x, decimals=0: _np.round(x, decimals), 1)
