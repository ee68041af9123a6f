"""Elementwise ``mx.np`` functions: arithmetic and comparisons with NumPy
broadcasting (``binary``), the unary math functions, ``clip``, ``where``, ``isnan``
and ``allclose``.

Each calls the legacy operator that computes it (``broadcast_add``,
``_plus_scalar``, ``exp``...); what this file adds is NumPy's treatment of dtypes, in
MXNet 1.9.1's version (measured):

* two arrays of different dtypes are promoted: bool < any number, an int with a float
  gives the float (``int32 + float32`` is float32, not NumPy's float64), else the
  wider type;
* a Python scalar never changes the array's dtype (``int32_array + 1.5`` is int32,
  computed as MXNet does by casting the scalar), except that a bool array becomes
  int64 first (``(x > 1) + 1`` is int64);
* true division of integers gives float32;
* comparisons give ``bool`` arrays.
"""
import numpy as _np

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
_SCALARS = (int, float, bool, _np.number, _np.bool_)


def result_type(a, b):
    """The dtype of an operation on arrays of dtypes ``a`` and ``b`` (module docstring)."""
    a, b = _np.dtype(a), _np.dtype(b)
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
    either side, with NumPy broadcasting and MXNet's dtype rules.  Returns
    ``NotImplemented`` for an operand that is neither (so ``x == None`` is False)."""
    from .creation import array
    array_op, scalar_op, rscalar_op = _BINARY[name]
    if not isinstance(x1, NDArray) and not isinstance(x2, NDArray):
        return binary(name, array(x1), x2)
    if isinstance(x1, NDArray) and isinstance(x2, NDArray):
        dtype = result_type(x1.dtype, x2.dtype)
        if name == "true_divide" and dtype.kind in "biu":
            dtype = _np.dtype(_np.float32)
        out = _call(array_op, [_cast(x1, dtype), _cast(x2, dtype)], {})
    else:
        x, scalar, op = (x1, x2, scalar_op) if isinstance(x1, NDArray) else \
            (x2, x1, rscalar_op)
        if isinstance(scalar, (list, tuple, _np.ndarray)):
            scalar = array(scalar, dtype=x.dtype)
            return binary(name, *((x, scalar) if x is x1 else (scalar, x)))
        if not isinstance(scalar, _SCALARS):
            return NotImplemented
        if x.dtype.kind == "b":
            x = x.astype(_np.int64)
        if name == "true_divide" and x.dtype.kind in "iu":
            x = x.astype(_np.float32)
        out = _call(op, [x], {"scalar": float(scalar)})
    return out.astype(_np.bool_) if name in _COMPARISONS else out


def _binary_function(name):
    def fn(x1, x2, out=None):
        result = binary(name, x1, x2)
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


def where(condition, x, y):
    """``x`` where ``condition`` is true, else ``y``; the three broadcast together and
    ``x``/``y`` may be scalars.  The gradient goes to x where the condition holds and
    to y elsewhere."""
    from .creation import asarray
    from .manipulation import broadcast_to
    condition = asarray(condition)
    xa = x if isinstance(x, NDArray) else None
    ya = y if isinstance(y, NDArray) else None
    dtype = result_type(xa.dtype if xa is not None else _np.float32,
                        ya.dtype if ya is not None else _np.float32)
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
        raise TypeError(f"{name}: only integer or bool inputs are supported, got "
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
    """Round to ``decimals`` decimal places, halves to even (NumPy's rule, not the
    legacy ``round``'s halves away from zero): ``x * 10**d`` rounded, ``/ 10**d``."""
    from .creation import asarray
    x = asarray(x)
    if x.dtype.kind in "biu" and decimals >= 0:
        return _finish(x.copy(), out)
    if decimals == 0:
        return _finish(_half_even(x), out)
    scale = 10.0 ** decimals
    return _finish(binary("true_divide", _half_even(binary("multiply", x, scale)), scale),
                   out)


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
