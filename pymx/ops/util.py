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
    """MXNet casts a scalar operand to the array's dtype before computing."""
    return int(value) if is_integer(dtype) else float(value)


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
