"""The elementwise kernels of the contract, written once as C expressions.

``UNARY_C[op]`` is an expression in ``x``; ``BINARY_C[op]`` an expression in ``a`` and
``b``.  Both have type ``T``, the element type.  Every constant is cast to ``T``
(``(T)1``, not ``1.0``): a bare ``1.0`` is a double, which would silently promote
float math, and on OpenCL devices without fp64 would not compile at all.

``elementwise_source(lang, dtype)`` wraps every expression in a kernel, in either
dialect (see ``dialect.py``).  For ``op = "exp"`` and ``lang = "opencl"`` it emits::

    KERNEL void unary_exp(GLOBAL const T* xs, GLOBAL T* out, const index_t n)
    {
        const index_t i = GLOBAL_ID;
        if (i < n) { const T x = xs[i]; out[i] = exp(x); }
    }

and each binary op gets two kernels, ``binary_<op>`` (two arrays) and
``binary_<op>_scalar`` (an array and a scalar ``b`` passed by value).

NaN conventions follow NumPy: ``maximum``/``minimum`` propagate NaN (C's ``fmax``
would drop it), ``relu(NaN)`` is NaN, ``sign(NaN)`` is NaN.
"""
from .dialect import prelude

__all__ = ["UNARY_C", "BINARY_C", "HELPERS", "elementwise_source",
           "unary_kernel_name", "binary_kernel_name"]

_ONE_IF = "({cond}) ? (T)1 : (T)0"      # comparisons give 0/1 in T (MXNet 1.x)

#: op -> C expression in ``x`` (one per op of ``pymx.backend.UNARY_OPS``).
UNARY_C = {
    "negative": "-x",
    "abs": "fabs(x)",
    "sign": "(x > (T)0) ? (T)1 : ((x < (T)0) ? (T)-1 : x)",   # x itself for 0 and NaN
    "exp": "exp(x)",
    "expm1": "expm1(x)",
    "log": "log(x)",
    "log1p": "log1p(x)",
    "log2": "log2(x)",
    "log10": "log10(x)",
    "sqrt": "sqrt(x)",
    "square": "x * x",
    "reciprocal": "(T)1 / x",
    "cbrt": "cbrt(x)",
    "sin": "sin(x)",
    "cos": "cos(x)",
    "tan": "tan(x)",
    "arcsin": "asin(x)",
    "arccos": "acos(x)",
    "arctan": "atan(x)",
    "sinh": "sinh(x)",
    "cosh": "cosh(x)",
    "tanh": "tanh(x)",
    "arcsinh": "asinh(x)",
    "arccosh": "acosh(x)",
    "arctanh": "atanh(x)",
    "floor": "floor(x)",
    "ceil": "ceil(x)",
    "trunc": "trunc(x)",
    "rint": "((x - floor(x) <= ceil(x) - x) ? floor(x) : ceil(x))",   # MXNet: ties down
    "round": "round(x)",               # C's round: halves away from zero, as MXNet
    "sigmoid": "pymx_sigmoid(x)",
    "relu": "(x < (T)0) ? (T)0 : x",   # keeps NaN
    "erf": "erf(x)",
    "erfinv": "pymx_erfinv(x)",        # not an OpenCL builtin: see HELPERS
    "gamma": "tgamma(x)",
    "gammaln": "lgamma(x)",            # ln|gamma(x)|, as scipy.special.gammaln
    "logical_not": _ONE_IF.format(cond="x == (T)0"),
}

#: op -> C expression in ``a`` and ``b`` (one per op of ``pymx.backend.BINARY_OPS``).
BINARY_C = {
    "add": "a + b",
    "subtract": "a - b",
    "multiply": "a * b",
    "divide": "a / b",
    "mod": "pymx_mod(a, b)",
    "power": "pow(a, b)",
    "maximum": "(a != a || a > b) ? a : b",     # NaN wins, as np.maximum
    "minimum": "(a != a || a < b) ? a : b",
    "hypot": "hypot(a, b)",
    "arctan2": "atan2(a, b)",
    "equal": _ONE_IF.format(cond="a == b"),
    "not_equal": _ONE_IF.format(cond="a != b"),
    "greater": _ONE_IF.format(cond="a > b"),
    "greater_equal": _ONE_IF.format(cond="a >= b"),
    "lesser": _ONE_IF.format(cond="a < b"),
    "lesser_equal": _ONE_IF.format(cond="a <= b"),
    "logical_and": _ONE_IF.format(cond="a != (T)0 && b != (T)0"),
    "logical_or": _ONE_IF.format(cond="a != (T)0 || b != (T)0"),
    "logical_xor": _ONE_IF.format(cond="(a != (T)0) != (b != (T)0)"),
}

#: Device functions the expressions call, valid C in both dialects.
HELPERS = r"""
// sigmoid without overflow: exp(-|x|) <= 1, and both branches are the same function.
DEVICE T pymx_sigmoid(T x)
{
    const T z = exp(-fabs(x));
    return (x >= (T)0) ? (T)1 / ((T)1 + z) : z / ((T)1 + z);
}

// Python's a % b: the remainder takes the sign of b (C's fmod takes the sign of a).
DEVICE T pymx_mod(T a, T b)
{
    T r = fmod(a, b);
    if (r != (T)0 && ((r < (T)0) != (b < (T)0))) r += b;
    return r;
}

// Inverse error function.  Giles' single-precision polynomial ("Approximating the
// erfinv function", GPU Computing Gems, 2011), then, in double, two Newton steps on
// erf(x) - y = 0 (erf'(x) = 2/sqrt(pi) exp(-x^2)) to reach double accuracy.
DEVICE T pymx_erfinv(T y)
{
    if (!(fabs(y) < (T)1))               // +-1 -> +-inf; |y| > 1 and NaN -> NaN
        return (y == (T)1) ? (T)PYMX_INF : ((y == (T)-1) ? -(T)PYMX_INF : (T)PYMX_NAN);
    T w = -log(((T)1 - y) * ((T)1 + y)), p;
    if (w < (T)5) {
        w = w - (T)2.5;
        p = (T)2.81022636e-08;
        p = (T)3.43273939e-07 + p * w;    p = (T)-3.5233877e-06 + p * w;
        p = (T)-4.39150654e-06 + p * w;   p = (T)0.00021858087 + p * w;
        p = (T)-0.00125372503 + p * w;    p = (T)-0.00417768164 + p * w;
        p = (T)0.246640727 + p * w;       p = (T)1.50140941 + p * w;
    } else {
        w = sqrt(w) - (T)3;
        p = (T)-0.000200214257;
        p = (T)0.000100950558 + p * w;    p = (T)0.00134934322 + p * w;
        p = (T)-0.00367342844 + p * w;    p = (T)0.00573950773 + p * w;
        p = (T)-0.0076224613 + p * w;     p = (T)0.00943887047 + p * w;
        p = (T)1.00167406 + p * w;        p = (T)2.83297682 + p * w;
    }
    T x = p * y;
    if (sizeof(T) > 4)                   // double: refine
        for (int step = 0; step < 2; ++step)
            x -= (erf(x) - y) / ((T)1.1283791670955126 * exp(-x * x));
    return x;
}
"""

_UNARY_KERNEL = """
KERNEL void unary_{op}(GLOBAL const T* xs, GLOBAL T* out, const index_t n)
{{
    const index_t i = GLOBAL_ID;
    if (i < n) {{ const T x = xs[i]; out[i] = {expr}; }}
}}
"""

_BINARY_KERNELS = """
KERNEL void binary_{op}(GLOBAL const T* as, GLOBAL const T* bs, GLOBAL T* out, const index_t n)
{{
    const index_t i = GLOBAL_ID;
    if (i < n) {{ const T a = as[i], b = bs[i]; out[i] = {expr}; }}
}}

KERNEL void binary_{op}_scalar(GLOBAL const T* as, const T b, GLOBAL T* out, const index_t n)
{{
    const index_t i = GLOBAL_ID;
    if (i < n) {{ const T a = as[i]; out[i] = {expr}; }}
}}
"""


def unary_kernel_name(op):
    """Name of the generated kernel for unary ``op``."""
    return f"unary_{op}"


def binary_kernel_name(op, scalar=False):
    """Name of the generated kernel for binary ``op`` (``scalar``: b passed by value)."""
    return f"binary_{op}_scalar" if scalar else f"binary_{op}"


def elementwise_source(lang, dtype):
    """One complete source file in ``lang`` holding every unary and binary kernel for
    element type ``dtype`` (float32 or float64): compile it once, launch by name."""
    parts = [prelude(lang, dtype), HELPERS]
    parts += [_UNARY_KERNEL.format(op=op, expr=expr) for op, expr in UNARY_C.items()]
    parts += [_BINARY_KERNELS.format(op=op, expr=expr) for op, expr in BINARY_C.items()]
    return "".join(parts)
