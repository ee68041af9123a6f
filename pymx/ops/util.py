"""Small helpers shared by operator definitions (axis handling, dtype checks, broadcasting,
fused kernels)."""
import functools

import numpy as np

from ..base import MXNetError

__all__ = ["normalize_axis", "normalize_axes", "broadcast_shape", "scalar_for",
           "is_integer", "check_same_dtype", "fused"]


def normalize_axis(op, axis, ndim, name="axis"):
    """A non-negative axis, or a clear error naming the op and the shape rank."""
    if not -ndim <= axis < max(ndim, 1):
        raise MXNetError(f"{op}: {name}={axis} is out of range for an array of {ndim} dims")
    return axis % ndim if ndim else 0


def normalize_axes(op, axes, ndim, name="axis"):
    """A sorted tuple of non-negative axes (None means all axes)."""
    if axes is None or axes == ():
        return tuple(range(ndim))
    if isinstance(axes, int):
        axes = (axes,)
    out = tuple(sorted({normalize_axis(op, a, ndim, name) for a in axes}))
    return out


def broadcast_shape(op, lhs, rhs):
    """NumPy broadcasting of two shapes, or MXNetError naming both shapes."""
    ndim = max(len(lhs), len(rhs))
    lhs = (1,) * (ndim - len(lhs)) + tuple(lhs)
    rhs = (1,) * (ndim - len(rhs)) + tuple(rhs)
    out = []
    for a, b in zip(lhs, rhs):
        if a != b and a != 1 and b != 1:
            raise MXNetError(f"{op}: operands could not be broadcast together with "
                             f"shapes lhs {lhs} and rhs {rhs}")
        out.append(b if a == 1 else a)
    return tuple(out)


def is_integer(dtype):
    """Integer or boolean dtype (where MXNet casts scalars and truncates)."""
    return np.dtype(dtype).kind in "iub"


def scalar_for(dtype, value):
    """MXNet casts a scalar operand to the array's dtype before computing.

    The scalar travels as a C ``double`` and is converted with x86's truncating
    conversion: through int64 for int64 arrays and through int32 for narrower ones.  A
    value that does not fit (or inf/NaN) becomes the "integer indefinite" value
    (INT32_MIN / INT64_MIN), and the result then wraps to the dtype's width, so
    ``int8 + 300`` adds 44 and ``uint8 + inf`` adds 0 (as MXNet 1.9.1 computes).
    """
    dt = np.dtype(dtype)
    if not is_integer(dt):
        return float(value)
    v = float(value)
    bits = 64 if dt.itemsize == 8 else 32
    lo = -2 ** (bits - 1)
    i = int(v) if lo <= v < -lo else lo          # NaN fails both tests
    if dt.kind == "b":
        return i
    width = 8 * dt.itemsize
    i &= (1 << width) - 1                           # wrap to the dtype's width
    if dt.kind == "i" and i >= 1 << (width - 1):
        i -= 1 << width
    return i


def float_to_int(values, dtype):
    """NumPy float ``values`` converted to integer ``dtype`` as MXNet's C++ casts do on
    x86 (the conversion ``scalar_for`` describes, elementwise): truncate toward zero;
    out of range, inf or NaN give INT32_MIN (INT64_MIN for 64-bit dtypes); then wrap to
    the dtype's width."""
    dt = np.dtype(dtype)
    bits = 64 if dt.itemsize == 8 else 32
    lo = -2.0 ** (bits - 1)
    v = np.asarray(values, np.float64)
    ok = (v >= lo) & (v < -lo)                          # NaN fails both
    i = np.where(ok, np.trunc(np.where(ok, v, 0)), 0).astype(np.int64)
    i[~ok] = int(lo)
    return i.astype(dt)       # int64 -> narrower ints wraps modulo 2**width


def check_same_dtype(op, *arrays, names=("lhs", "rhs")):
    """Raise MXNetError naming ``op`` and each input's dtype unless all dtypes agree
    (MXNet 1.x never promotes types between the inputs of one operator)."""
    dts = [a.dtype for a in arrays]
    if any(d != dts[0] for d in dts):
        desc = ", ".join(f"{n}={np.dtype(d).name}" for n, d in zip(names, dts))
        raise MXNetError(f"{op}: inputs must have the same dtype, got {desc}")


def fused(name):
    """Decorate an op's forward: a backend may replace it with one fused kernel.

    ``@fused("softmax")`` on ``forward(k, a, *xs)`` first calls the backend's method
    ``k.fused_softmax(a, *xs)`` (same arguments as the forward) when ``k`` has one.
    The fused kernel returns the forward's result, or ``None`` to decline (a dtype,
    layout or attribute it does not handle, or bad input: the composite then raises
    the error); then the decorated function, the **composite** written in contract
    kernels, runs.  The NumPy reference backend has no fused kernels: its composite is
    the reference.  The conformance suite checks fused == composite == reference.
    """
    attr = "fused_" + name

    def decorate(composite):
        from .registry import takes_out

        @functools.wraps(composite)
        def forward(k, a, *xs, **out):          # ``out=`` when the composite takes it
            kernel = getattr(k, attr, None)
            res = None if kernel is None else kernel(a, *xs)
            if res is None:
                return composite(k, a, *xs, **out)
            return k.deliver(res, out.get("out"))
        forward.composite, forward.fused_name = composite, attr
        forward.takes_out = takes_out(composite)
        return forward
    return decorate
