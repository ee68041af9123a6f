"""The ``mx.np`` functions that MXNet 1.9.1 runs with the official NumPy on the host.

MXNet 1.9.1 has no operator for about eighty NumPy functions (``count_nonzero``,
``searchsorted``, ``polyfit``, ``nanmax``...).  It still offers them: ``mx.np.cov`` is
NumPy's own ``cov``, which meets ``mx.np`` arrays through NumPy's
``__array_function__`` protocol, copies them to the host (``asnumpy``), computes, and
wraps each NumPy array of the result back into an ``mx.np.ndarray`` on the input's
context.  Measured consequences, kept here:

* the result's dtype is NumPy's (``mx.np.cov`` of float32 data is **float64**; index
  results such as ``argwhere`` are int64);
* Python and NumPy scalars stay scalars (``count_nonzero(x)`` is an ``int``);
* there is no gradient: calling one inside ``autograd.record()`` raises ValueError;
* called with no ``mx.np`` array among its arguments, the function is plain NumPy's.

``fallback`` wraps a NumPy function that way.  The functions NumPy 2 removed
(``alltrue``, ``msort``, ``trapz``, ``in1d`` and the financial ones) are written here
with NumPy 1.23's definitions.  Chapter 3 (``chapters/ch03_apis/numpy.md``) lists them.
"""
import functools
import re

import numpy as _onp

from ..ndarray.ndarray import NDArray

__all__ = []          # the wrapped names are added at the end

#: MXNet 1.9.1's ``mxnet.numpy.fallback.__all__`` (``allclose`` is in ``elementwise``)
FALLBACK_NAMES = (
    "alltrue", "apply_along_axis", "apply_over_axes", "argpartition", "argwhere",
    "array_equal", "array_equiv", "choose", "compress", "corrcoef", "correlate",
    "count_nonzero", "cov", "digitize", "divmod", "extract", "flatnonzero", "float_power",
    "frexp", "heaviside", "histogram2d", "histogram_bin_edges", "histogramdd", "i0",
    "in1d", "interp", "intersect1d", "isclose", "isin", "ix_", "lexsort",
    "min_scalar_type", "mirr", "modf", "msort", "nanargmax", "nanargmin", "nancumprod",
    "nancumsum", "nanmax", "nanmedian", "nanmin", "nanpercentile", "nanprod",
    "nanquantile", "ndim", "npv", "partition", "piecewise", "packbits", "poly", "polyadd",
    "polydiv", "polyfit", "polyint", "polymul", "polysub", "positive", "ppmt", "promote_types",
    "ptp", "pv", "rate", "real", "result_type", "rollaxis", "roots", "searchsorted", "select",
    "setdiff1d", "setxor1d", "signbit", "size", "spacing", "take_along_axis", "trapz",
    "tril_indices_from", "trim_zeros", "triu_indices_from", "union1d", "unpackbits",
    "unwrap", "vander")
#: MXNet 1.9.1's ``mxnet.numpy.fallback_linalg.__all__``
LINALG_FALLBACK_NAMES = ("cond", "lstsq", "matrix_power", "matrix_rank", "multi_dot", "qr")


def to_host(obj):
    """``obj`` with every ``mx`` array (also inside lists, tuples and dicts) replaced by
    its NumPy copy; returns ``(converted, context of the first array or None)``."""
    if isinstance(obj, NDArray):
        return obj.asnumpy(), obj.context
    if isinstance(obj, (list, tuple)):
        items = [to_host(v) for v in obj]
        ctx = next((c for _, c in items if c is not None), None)
        return type(obj)(v for v, _ in items), ctx
    if isinstance(obj, dict):
        items = {k: to_host(v) for k, v in obj.items()}
        ctx = next((c for _, c in items.values() if c is not None), None)
        return {k: v for k, (v, _) in items.items()}, ctx
    return obj, None


def _to_device(obj, ctx):
    """NumPy arrays in ``obj`` (a result) as ``mx.np`` arrays on ``ctx`` (same dtype)."""
    from .creation import array
    if isinstance(obj, _onp.ndarray):
        return array(_onp.ascontiguousarray(obj), dtype=obj.dtype, ctx=ctx)
    if isinstance(obj, (list, tuple)) and not hasattr(obj, "_fields"):
        return type(obj)(_to_device(v, ctx) for v in obj)
    if hasattr(obj, "_fields"):       # NumPy 2's named results (qr...): NumPy 1.23's tuple
        return tuple(_to_device(v, ctx) for v in obj)
    return obj


def fallback(fn, name=None):
    """``fn`` (a NumPy function) as MXNet 1.9.1's fallback ``mx.np.<name>``: ``mx``
    arrays go to the host, NumPy arrays in the result come back as ``mx.np`` arrays on
    the first input's context (dtype kept).  Inside ``autograd.record()`` it raises
    ValueError, as MXNet (there is no gradient through the host)."""
    name = name or fn.__name__

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .. import autograd
        (host_args, host_kwargs), ctx = to_host((args, kwargs))
        if ctx is None:
            return fn(*args, **kwargs)
        if autograd.is_recording():
            raise ValueError(f"Falling back to NumPy operator {name} with autograd active "
                             "is not supported. Please consider moving the operator to the "
                             "outside of the autograd scope.")
        return _to_device(fn(*host_args, **host_kwargs), ctx)
    summary = [re.sub(r":\w+:`([^`]*)`", r"``\1``", p.strip())        # roles -> literals
               for p in (fn.__doc__ or "").split("\n\n")
               if p.strip() and not p.strip().startswith(f"{name}(")]   # (a ufunc signature)
    wrapper.__doc__ = (f"NumPy's ``{name}``, run on the host (MXNet 1.9.1's fallback: no "
                       f"gradient, NumPy's result dtypes; see ``pymx.numpy.fallback``).\n\n"
                       + (summary[0] if summary else ""))
    return wrapper


# ---- NumPy 1.23 functions that NumPy 2 removed ----------------------------------------
def _alltrue(a, axis=None, out=None, keepdims=False):
    """True when every element (along ``axis``) is non-zero: ``all``'s old name."""
    return _onp.all(a, axis=axis, out=out, keepdims=keepdims)


def _msort(a):
    """A copy sorted along the first axis (``sort(a, axis=0)``)."""
    return _onp.sort(a, axis=0)


def _trapz(y, x=None, dx=1.0, axis=-1):
    """The trapezoidal rule: ``sum((y[1:] + y[:-1]) / 2 * diff(x))`` along ``axis``."""
    return getattr(_onp, "trapezoid", None)(y, x=x, dx=dx, axis=axis) \
        if hasattr(_onp, "trapezoid") else _onp.trapz(y, x=x, dx=dx, axis=axis)


def _in1d(ar1, ar2, assume_unique=False, invert=False):
    """For each element of the flattened ``ar1``: is it in ``ar2``?"""
    return _onp.isin(_onp.ravel(ar1), ar2, assume_unique=assume_unique, invert=invert)


def _npv(rate, values):
    """Net present value ``sum_t values[t] / (1 + rate)**t``."""
    values = _onp.atleast_2d(values)
    t = _onp.arange(values.shape[1])
    return (values / (1 + rate) ** t).sum(axis=1)[()] if values.shape[0] > 1 else \
        float((values[0] / (1 + rate) ** t).sum())


def _fact(rate, nper, w):
    """``sum_t (1 + rate)**t`` over the ``nper`` periods (``nper`` when rate is 0)."""
    safe = _onp.where(rate == 0, 1, rate)
    return _onp.where(rate == 0, nper, (1 + rate * w) * ((1 + rate) ** nper - 1) / safe)


def _pv(rate, nper, pmt, fv=0, when="end"):
    """Present value of ``nper`` payments ``pmt`` and a final value ``fv`` at ``rate``
    (``when``: payments at the 'end' or 'begin' of each period)."""
    w = {"end": 0, "begin": 1, 0: 0, 1: 1}[when]
    temp = (1 + rate) ** nper
    return -(fv + pmt * _fact(rate, nper, w)) / temp


def _fv(rate, nper, pmt, pv, w):
    temp = (1 + rate) ** nper
    return -(pv * temp + pmt * _fact(rate, nper, w))


def _pmt(rate, nper, pv, fv, w):
    temp = (1 + rate) ** nper
    return -(fv + pv * temp) / _fact(rate, nper, w)


def _ppmt(rate, per, nper, pv, fv=0, when="end"):
    """The principal part of payment ``per`` (1-based) of a loan ``pv`` over ``nper``
    periods: the payment minus its interest on the balance left after ``per - 1``."""
    w = {"end": 0, "begin": 1, 0: 0, 1: 1}[when]
    rate, per = _onp.asarray(rate, dtype=float), _onp.asarray(per)
    total = _pmt(rate, nper, pv, fv, w)
    interest = _fv(rate, per - 1, total, pv, w) * rate
    if w == 1:
        interest = _onp.where(per == 1, 0, interest / (1 + rate))
    interest = _onp.where(per < 1, _onp.nan, interest)
    return (total - interest)[()]


def _rate(nper, pmt, pv, fv, when="end", guess=None, tol=None, maxiter=100):
    """The interest rate per period that makes ``nper`` payments ``pmt`` repay ``pv``
    to ``fv`` (Newton's method from ``guess=0.1``; NaN when it does not converge)."""
    w = {"end": 0, "begin": 1, 0: 0, 1: 1}[when]
    r = 0.1 if guess is None else guess
    tol = 1e-6 if tol is None else tol
    for _ in range(maxiter):
        t1 = (r + 1) ** nper
        t2 = (r + 1) ** (nper - 1)
        g = fv + t1 * pv + pmt * (t1 - 1) * (r * w + 1) / r
        gp = (nper * t2 * pv - pmt * (t1 - 1) * (r * w + 1) / r ** 2
              + nper * pmt * t2 * (r * w + 1) / r + pmt * (t1 - 1) * w / r)
        step = g / gp
        r = r - step
        if _onp.all(_onp.abs(step) < tol):
            return r
    return _onp.nan


def _mirr(values, finance_rate, reinvest_rate):
    """Modified internal rate of return of the cash flows ``values``."""
    values = _onp.asarray(values, dtype=_onp.float64)
    n = values.size
    pos, neg = values > 0, values < 0
    if not (pos.any() and neg.any()):
        return _onp.nan
    numer = abs(_npv(reinvest_rate, values * pos))
    denom = abs(_npv(finance_rate, values * neg))
    return (numer / denom) ** (1 / (n - 1)) * (1 + reinvest_rate) - 1


def _count_nonzero(a, axis=None, *, keepdims=False):
    """The number of non-zero elements; a Python ``int`` for the whole array (NumPy
    1.23's type, which MXNet 1.9.1 returns; NumPy 2 gives ``numpy.int64``)."""
    result = _onp.count_nonzero(a, axis=axis, keepdims=keepdims)
    return int(result) if axis is None and not keepdims else result


_REMOVED = {"count_nonzero": _count_nonzero, "alltrue": _alltrue, "msort": _msort, "trapz": _trapz, "in1d": _in1d,
            "npv": _npv, "pv": _pv, "mirr": _mirr, "ppmt": _ppmt,
            "rate": _rate}


def _numpy_function(name, module=_onp):
    fn = _REMOVED.get(name) if module is _onp else None
    return fn if fn is not None else getattr(module, name)


for _name in FALLBACK_NAMES:
    globals()[_name] = fallback(_numpy_function(_name), _name)
__all__ += list(FALLBACK_NAMES)


# ---- official NumPy functions called on mx.np arrays (NEP 18) -------------------------
#: MXNet 1.9.1's ``numpy_dispatch_protocol._NUMPY_ARRAY_FUNCTION_LIST``: called with
#: ``mx.np`` arrays, these official NumPy functions run the ``mx.np`` function instead.
DISPATCHED_NAMES = (
    "all", "any", "sometrue", "argmin", "argmax", "around", "round", "round_", "argsort",
    "sort", "append", "broadcast_arrays", "broadcast_to", "clip", "concatenate", "copy",
    "cumsum", "diag", "diagonal", "diagflat", "dot", "expand_dims", "fix", "flip", "flipud",
    "fliplr", "inner", "insert", "max", "amax", "mean", "min", "amin", "nonzero",
    "ones_like", "atleast_1d", "atleast_2d", "atleast_3d", "prod", "product", "ravel",
    "repeat", "reshape", "roll", "split", "array_split", "hsplit", "vsplit", "dsplit",
    "squeeze", "stack", "std", "sum", "swapaxes", "take", "tensordot", "tile", "transpose",
    "unique", "unravel_index", "diag_indices_from", "delete", "var", "vdot", "vstack",
    "column_stack", "hstack", "dstack", "zeros_like", "linalg.norm", "linalg.cholesky",
    "linalg.inv", "linalg.solve", "linalg.tensorinv", "linalg.tensorsolve", "linalg.pinv",
    "linalg.eigvals", "linalg.eig", "linalg.eigvalsh", "linalg.eigh", "shape", "trace",
    "tril", "meshgrid", "outer", "einsum", "polyval", "shares_memory", "may_share_memory",
    "quantile", "percentile", "diff", "ediff1d", "resize", "where", "full_like", "bincount",
    "empty_like", "nan_to_num", "isnan", "isfinite", "isposinf", "isneginf", "isinf", "pad")
_DISPATCH = {}


def _dispatch_table():
    """{official NumPy function: mx.np function} for the names NumPy and pymx both have
    (NumPy 2 dropped ``sometrue``, ``round_`` and ``product``)."""
    if not _DISPATCH:
        from .. import numpy as mxnp
        for name in DISPATCHED_NAMES:
            parts = name.split(".")
            onp_fn, mx_fn = _onp, mxnp
            for part in parts:
                onp_fn, mx_fn = getattr(onp_fn, part, None), getattr(mx_fn, part, None)
            if onp_fn is not None and mx_fn is not None:
                _DISPATCH[onp_fn] = mx_fn
    return _DISPATCH


def array_function(func, types, args, kwargs):
    """``ndarray.__array_function__``: what an official NumPy function does when given
    ``mx.np`` arrays, as in MXNet 1.9.1.  A function of ``DISPATCHED_NAMES`` runs its
    ``mx.np`` namesake (``numpy.dot(x, y)`` is ``mx.np.dot(x, y)``, recorded by autograd)
    unless another array type takes part (NotImplemented: NumPy then raises TypeError);
    any other runs on host copies like ``fallback`` (``numpy.allclose(x, y)``)."""
    mx_fn = _dispatch_table().get(func)
    if mx_fn is None:
        return fallback(func)(*args, **kwargs)
    if not all(issubclass(t, NDArray) for t in types):
        return NotImplemented
    return mx_fn(*args, **kwargs)
