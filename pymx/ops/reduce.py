"""Reductions: ``sum`` ``mean`` ``prod`` ``nansum`` ``nanprod`` ``max`` ``min`` ``norm``,
the index reductions ``argmax`` ``argmin`` ``argmax_channel``, and ``moments``.

Which axes are reduced (MXNet 1.x, ``src/operator/tensor/broadcast_reduce_op.h``):

* ``axis=None`` or ``axis=()`` reduces every axis;
* ``axis`` may be an int or a tuple; negative axes count from the end; a repeated
  axis or one out of range is an error;
* ``exclude=True`` reduces every axis *not* listed (``axis=()`` with ``exclude`` still
  means all axes).

Legacy shape rule: a reduction down to zero dimensions gives shape ``(1,)``, never
``()`` (``mx.nd.ones((2, 3)).sum().shape == (1,)``); ``keepdims=True`` keeps each
reduced axis with size 1.

Gradients broadcast the head gradient back over the reduced axes with
``_reduce_grad_expand`` (defined here): it reshapes ``dy`` to the keepdims shape and
broadcasts it to the input's shape, so the rules never need to know shapes.
"""
import math

import numpy as np

from ..base import MXNetError
from .registry import Attrs, Param, register
from .util import normalize_axis

_AXIS_PARAMS = {"axis": Param("shape", None, doc="axes to reduce (None or (): all)"),
                "keepdims": Param("bool", False, doc="keep reduced axes with size 1"),
                "exclude": Param("bool", False, doc="reduce the axes NOT in axis")}


# ---- axes and shapes ---------------------------------------------------------------------
def reduce_axes(op, axis, exclude, shape):
    """The sorted tuple of axes that ``op`` reduces for an input of ``shape``."""
    ndim = len(shape)
    if axis is None or len(axis) == 0:
        return tuple(range(ndim))
    axes = []
    for ax in axis:
        if not -ndim <= ax < ndim:
            raise MXNetError(f"{op}: reduction axis {ax} exceeds input dimensions "
                             f"{tuple(shape)}")
        axes.append(ax % ndim)
    if len(set(axes)) != len(axes):
        raise MXNetError(f"{op}: reduction axes have duplicates {tuple(axis)}")
    if exclude:
        return tuple(i for i in range(ndim) if i not in axes)
    return tuple(sorted(axes))


def reduced_shape(shape, axes, keepdims):
    """The output shape (legacy: ``(1,)`` instead of ``()``)."""
    if keepdims:
        out = tuple(1 if i in axes else d for i, d in enumerate(shape))
    else:
        out = tuple(d for i, d in enumerate(shape) if i not in axes)
    return out or (1,)


def _legacy(k, y):
    """MXNet 1.x never returns a 0-d array: reshape ``()`` to ``(1,)``."""
    return k.reshape(y, (1,)) if len(y.shape) == 0 else y


def _reduce_shape(op):
    def shape(a, data):
        return reduced_shape(data, reduce_axes(op, a.axis, a.exclude, data), a.keepdims)
    return shape


def _count(shape, axes):
    """How many input elements fold into one output element."""
    return math.prod(shape[i] for i in axes)


# ---- the gradient helper -------------------------------------------------------------------
def _reduce_grad_expand(k, a, dy, data):
    # dy has the reduced shape; give it the keepdims shape, then repeat it.
    # BEGIN EXERCISE reduce_grad
    axes = reduce_axes("_reduce_grad_expand", a.axis, a.exclude, data.shape)
    kept = tuple(1 if i in axes else d for i, d in enumerate(data.shape))
    out = k.broadcast_to(k.reshape(dy, kept), tuple(data.shape))
    if a.mean:
        return k.binary("divide", out, float(max(_count(data.shape, axes), 1)))
    return k.copy(out)                        # a private array, not a broadcast view
    # END EXERCISE reduce_grad


def _reduce_grad_expand_gradient(F, a, xs, ys, dys):
    reduce = F.mean if a.mean else F.sum          # the adjoint of "repeat" is "sum"
    return [reduce(dys[0], axis=a.axis, keepdims=a.keepdims, exclude=a.exclude), None]


register("_reduce_grad_expand", _reduce_grad_expand, inputs=("data", "like"),
         params=dict(_AXIS_PARAMS, mean=Param("bool", False)),
         infer_shape=lambda a, s: (s, [s[1]]), infer_type=lambda a, t: (t, [t[0]]),
         gradient=_reduce_grad_expand_gradient,
         doc="Broadcast ``data`` (the gradient of a reduction over ``axis``/``exclude`` "
             "with ``keepdims``) back to the shape of ``like``: reshape it to the "
             "keepdims shape, then repeat it along the reduced axes.  With ``mean=True`` "
             "divide by the number of elements reduced into each output (the gradient "
             "of ``mean``).  Its own gradient is the matching ``sum``/``mean``.")


def _expand(F, a, dy, x, mean=False):
    """``dy`` of a reduction of ``x`` (attributes ``a``), broadcast back to x's shape."""
    return F._reduce_grad_expand(dy, x, axis=a.axis, keepdims=a.keepdims,
                                 exclude=a.exclude, mean=mean)


# ---- sum, mean, prod, nansum, nanprod, max, min ---------------------------------------------
def _accurate_sum(k, op, x, axes, keepdims):
    """``k.reduce(op, ...)`` for the sums.  MXNet adds with Kahan compensation, so its
    float32 sums are (practically always) the correctly rounded sum; a plain float32
    loop (NumPy along a non-inner axis) drifts in the last digits (mean over axis 0 of
    0.1, 0.2, ... gives 990.1005 instead of 990.1).  float32 is summed in float64 and
    rounded once (on a backend that computes in float64: ``k.dtypes``)."""
    if x.dtype == np.float32 and op in ("sum", "nansum") and "float64" in k.dtypes:
        return k.astype(k.reduce(op, k.astype(x, "float64"), axes, keepdims), "float32")
    return k.reduce(op, x, axes, keepdims)


def _reduce_forward(name, kernel_op):
    def forward(k, a, x):
        axes = reduce_axes(name, a.axis, a.exclude, x.shape)
        return _legacy(k, _accurate_sum(k, kernel_op, x, axes, a.keepdims))
    return forward


def _mean(k, a, x):
    axes = reduce_axes("mean", a.axis, a.exclude, x.shape)
    total = _accurate_sum(k, "sum", x, axes, a.keepdims)
    n = _count(x.shape, axes)
    return _legacy(k, k.binary("divide", total, n if n else float("nan")))


def _nanprod_backward(k, a, dy, x, y):
    """``dy * y / x`` where x is a number, 0 where x is NaN."""
    is_num = k.binary("equal", x, x)
    return k.where(is_num, k.binary("multiply", dy, k.binary("divide", y, x)),
                   k.full(x.shape, 0, x.dtype))


def _nanprod_backward_gradient(F, a, xs, ys, dys):
    """``ograd * output / data`` is linear in ograd and in output, and its derivative in
    data is ``-ograd * output / data^2``; every term is the op itself again, which also
    keeps the zeros where data is NaN."""
    dy, x, y = xs
    g_dy = F._backward_nanprod(dys[0], x, dy)              # g * dy / x
    return [F._backward_nanprod(dys[0], x, y), -F._backward_nanprod(g_dy, x, y), g_dy]


register("_backward_nanprod", _nanprod_backward, inputs=("ograd", "data", "output"),
         infer_shape=lambda a, s: (s, [s[1]]), gradient=_nanprod_backward_gradient,
         doc="The gradient of ``nanprod`` given the head gradient and output broadcast "
             "to the input's shape: ``ograd * output / data``, and 0 where data is NaN.")

_REDUCE_DOC = (
    "{math} over ``axis`` of ``data``.\n\n"
    "``axis`` is None/() (all axes), an int or a tuple (negative counts from the end); "
    "``exclude=True`` reduces the axes NOT listed; ``keepdims=True`` keeps reduced axes "
    "with size 1.  Reducing every axis without keepdims gives shape ``(1,)`` (MXNet 1.x "
    "legacy), never ``()``.  {grad}")

#: name -> (forward, gradient ``(F, a, x, y, dy) -> dx``, math, gradient note, aliases)
_REDUCTIONS = {
    "sum": (_reduce_forward("sum", "sum"),
            lambda F, a, x, y, dy: _expand(F, a, dy, x),
            "The sum", "Gradient: ``dy`` repeated over the reduced axes.", ("sum_axis",)),
    "mean": (_mean, lambda F, a, x, y, dy: _expand(F, a, dy, x, mean=True),
             "The arithmetic mean", "Integer inputs give a truncated integer mean. "
             "Gradient: ``dy / n`` repeated over the reduced axes.", ()),
    "prod": (_reduce_forward("prod", "prod"),
             lambda F, a, x, y, dy: _expand(F, a, dy, x) * _expand(F, a, y, x) / x,
             "The product", "Gradient (MXNet's rule): ``dy * prod / x``, which is NaN "
             "where ``x == 0`` and the product is 0 (0/0), as in MXNet 1.9.1.", ()),
    "nansum": (_reduce_forward("nansum", "nansum"),
               lambda F, a, x, y, dy: _expand(F, a, dy, x) * (x == x),
               "The sum, treating NaN as 0,", "Gradient: ``dy``, and 0 where x is NaN.",
               ()),
    "nanprod": (_reduce_forward("nanprod", "nanprod"),
                lambda F, a, x, y, dy: F._backward_nanprod(
                    _expand(F, a, dy, x), x, _expand(F, a, y, x)),
                "The product, treating NaN as 1,",
                "Gradient: ``dy * nanprod / x``, and 0 where x is NaN.", ()),
    "max": (_reduce_forward("max", "max"),
            lambda F, a, x, y, dy: _expand(F, a, dy, x) * (x == _expand(F, a, y, x)),
            "The maximum", "Gradient (MXNet's rule): ``dy`` goes to **every** position "
            "equal to the maximum (ties each get the full ``dy``, not a share).",
            ("max_axis",)),
    "min": (_reduce_forward("min", "min"),
            lambda F, a, x, y, dy: _expand(F, a, dy, x) * (x == _expand(F, a, y, x)),
            "The minimum", "Gradient (MXNet's rule): ``dy`` goes to **every** position "
            "equal to the minimum.", ("min_axis",)),
}

for _name, (_fwd, _rule, _math, _grad, _aliases) in _REDUCTIONS.items():
    register(_name, _fwd, params=_AXIS_PARAMS, shape=_reduce_shape(_name),
             gradient=(lambda rule: lambda F, a, xs, ys, dys: [
                 rule(F, a, xs[0], ys[0], dys[0])])(_rule),
             aliases=_aliases, doc=_REDUCE_DOC.format(math=_math, grad=_grad))


# ---- norm -----------------------------------------------------------------------------------
def _norm_check(a):
    if a.ord not in (1, 2):
        raise MXNetError(f"norm: only supports ord=1 and ord=2, got ord={a.ord}")


def _nrm2_rows(a):
    """MXNet's ``nrm2`` reducer over each row of the (M, N) array ``a`` = |x|, in a's
    dtype.  It keeps a running ``scale`` (the largest |x| so far) and ``ssq`` (the sum
    of squares divided by scale^2), element by element in index order::

        if x > scale:  ssq = 1 + ssq * (scale / x) * (scale / x);  scale = x
        elif x != 0:   ssq = ssq + (x / scale) * (x / scale)
        result = scale * sqrt(ssq)

    Every step is rounded to the dtype, so float32 results differ from
    ``sqrt(sum(x * x))`` in the last digits, and integer arrays get integer division
    (``norm`` of int32 [3, 1, 2, 5, ...] is not the rounded true norm).  Few columns:
    one vectorised step per column.  Many columns: per row, the runs between new
    maxima are summed with ``cumsum`` (sequential, rounded like the C++ loop)."""
    dt = a.dtype
    m, n = a.shape
    ssq, scale = np.zeros(m, dt), np.zeros(m, dt)
    one = dt.type(1)
    div = np.floor_divide if dt.kind in "iu" else np.divide
    if n <= 64:
        for j in range(n):
            v = a[:, j]
            grow, keep = v > scale, (v != 0) & (v <= scale)
            r = div(scale, np.where(grow, v, one))
            q = div(v, np.where(keep, scale, one))
            ssq = np.where(grow, one + ssq * r * r, np.where(keep, ssq + q * q, ssq))
            scale = np.where(grow, v, scale)
    else:
        for i in range(m):
            row = a[i]
            highs = np.flatnonzero(row > np.maximum.accumulate(
                np.concatenate([[dt.type(0)], row[:-1]])))    # where a new maximum starts
            s, t = dt.type(0), dt.type(0)
            for b, e in zip(highs, list(highs[1:]) + [n]):
                r = div(s, row[b])
                s, t = row[b], one + t * r * r
                q = div(row[b + 1:e], s)
                t = np.cumsum(np.concatenate([[t], q * q]), dtype=dt)[-1]
            ssq[i], scale[i] = t, s
    if dt.kind == "f":      # a NaN anywhere makes ssq NaN for good (NaN / 0 on the way in)
        ssq = np.where(np.isnan(a).any(axis=1), dt.type("nan"), ssq)
    return (scale * np.sqrt(ssq)).astype(dt)


def _nrm2_host(x, axes, keepdims):
    """``nrm2`` of NumPy ``x`` over ``axes``, shaped as the reduction's output."""
    keep = [i for i in range(x.ndim) if i not in axes]
    rows = np.transpose(x, keep + list(axes)).reshape(
        int(np.prod([x.shape[i] for i in keep])), -1)
    y = _nrm2_rows(np.abs(rows)).reshape(tuple(x.shape[i] for i in keep))
    if keepdims:
        y = y.reshape(tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    return y


def _norm(k, a, x):
    _norm_check(a)
    axes = reduce_axes("norm", a.axis, False, x.shape)
    if a.ord == 1:
        y = k.reduce("sum", k.unary("abs", x), axes, a.keepdims)
    else:   # MXNet's scaled sum of squares, on the host (see _nrm2_rows)
        y = k.from_numpy(np.ascontiguousarray(_nrm2_host(k.to_numpy(x), axes, a.keepdims)))
    y = _legacy(k, y)
    return k.astype(y, a.out_dtype) if a.out_dtype else y


def _norm_gradient(F, a, xs, ys, dys):
    x, y, dy = xs[0], ys[0], dys[0]
    a = Attrs(a, exclude=False)
    if a.ord == 1:
        dx = _expand(F, a, dy, x) * F.sign(x)
    else:                                     # d sqrt(sum x^2) = x / norm (NaN at 0)
        dx = _expand(F, a, dy, x) * x / _expand(F, a, y, x)
    return [F._cast_like(dx, x) if a.out_dtype else dx]


def _norm_shape(a, data):
    return reduced_shape(data, reduce_axes("norm", a.axis, False, data), a.keepdims)


register("norm", _norm,
         params={"ord": Param("int", 2, doc="1 or 2"), "axis": _AXIS_PARAMS["axis"],
                 "out_dtype": Param("dtype", None, doc="dtype of the result"),
                 "keepdims": _AXIS_PARAMS["keepdims"]},
         shape=_norm_shape,
         infer_type=lambda a, t: (t, [a.out_dtype or t[0]]),
         gradient=_norm_gradient,
         doc="The vector norm over ``axis`` (None: all elements, giving shape ``(1,)``).\n\n"
             "``ord=2``: ``sqrt(sum(x**2))`` computed as MXNet does, with a running scale "
             "(``_nrm2_rows``; a host computation); ``ord=1``: ``sum(|x|)``; other "
             "orders raise. "
             "``out_dtype`` casts the result (MXNet 1.9.1 accepts it but fails on CPU for "
             "a dtype different from the input's; pymx casts).  Gradient: ``dy * x / "
             "norm`` (NaN where the norm is 0, as MXNet) for ord 2, ``dy * sign(x)`` for "
             "ord 1.")


# ---- argmax, argmin, argmax_channel -----------------------------------------------------------
def _arg_forward(name):
    def forward(k, a, x):
        if a.axis is None:                    # global: index into the flattened array
            idx = getattr(k, name)(k.reshape(x, (-1,)), 0, False)
            shape = (1,) * len(x.shape) if a.keepdims and len(x.shape) else (1,)
            return k.reshape(k.astype(idx, x.dtype), shape)
        axis = _arg_axis(name, a.axis, len(x.shape))
        return _legacy(k, k.astype(getattr(k, name)(x, axis, a.keepdims), x.dtype))
    return forward


def _arg_axis(op, axis, ndim):
    if not -ndim <= axis < ndim:
        raise MXNetError(f"{op}: axis {axis} exceeds the input dimension of {ndim}")
    return axis % ndim


def _arg_shape(name):
    def shape(a, data):
        if a.axis is None:
            return (1,) * len(data) if a.keepdims and len(data) else (1,)
        ax = _arg_axis(name, a.axis, len(data))
        return reduced_shape(data, (ax,), a.keepdims)
    return shape


_ZERO_GRAD = lambda F, a, xs, ys, dys: [F.zeros_like(xs[0])]    # noqa: E731

for _name, _which in (("argmax", "maximum"), ("argmin", "minimum")):
    register(_name, _arg_forward(_name),
             params={"axis": Param("int", None, doc="None: over the flattened array"),
                     "keepdims": Param("bool", False)},
             shape=_arg_shape(_name), gradient=_ZERO_GRAD,
             doc=f"Index of the first {_which} along ``axis`` (None: of the flattened "
                 "array, shape ``(1,)``).\n\nMXNet 1.x quirk: the indices are returned as "
                 "numbers **in the input's dtype** (float32 for the default float32 "
                 "arrays; measured on MXNet 1.9.1: float64 in, float64 out).  The "
                 "gradient is zero.")


def _argmax_channel(k, a, x):
    if len(x.shape) < 2:
        raise MXNetError(f"argmax_channel: data must have at least 2 dims, got "
                         f"{tuple(x.shape)}")
    return k.astype(k.argmax(x, 1, False), x.dtype)


register("argmax_channel", _argmax_channel,
         shape=lambda a, data: tuple(d for i, d in enumerate(data) if i != 1),
         gradient=_ZERO_GRAD,
         doc="``argmax(data, axis=1)``: for a (batch, channel) array the channel of the "
             "maximum in each row (for N-d input MXNet 1.9.1 also reduces axis 1: "
             "(2, 3, 4, 5) -> (2, 4, 5)).  Indices in the input's dtype.")


# ---- moments ----------------------------------------------------------------------------------
def _moments_axes(a, shape):
    if a.axes is None or len(a.axes) == 0:
        raise MXNetError("moments: empty axes is not supported; to compute global "
                         "moments pass all axes to the axes argument")
    return reduce_axes("moments", a.axes, False, shape)


def _moments(k, a, x):
    axes = _moments_axes(a, x.shape)
    n = _count(x.shape, axes)
    mean = k.binary("divide", k.reduce("sum", x, axes, True), n)
    dev = k.binary("subtract", x, k.broadcast_to(mean, x.shape))
    var = k.binary("divide", k.reduce("sum", k.unary("square", dev), axes, True), n)
    out = tuple(reduced_shape(x.shape, axes, a.keepdims) for _ in range(2))
    return k.reshape(mean, out[0]), k.reshape(var, out[1])


def _moments_gradient(F, a, xs, ys, dys):
    x, (mean, _), (dmean, dvar) = xs[0], ys, dys
    r = Attrs(axis=a.axes, keepdims=a.keepdims, exclude=False)
    centred = x - _expand(F, r, mean, x)
    # d mean / dx = 1/n;  d var / dx = 2 (x - mean) / n
    return [_expand(F, r, dmean, x, mean=True) + _expand(F, r, dvar, x, mean=True)
            * centred * 2]


def _moments_shape(a, data):
    out = reduced_shape(data, _moments_axes(a, data), a.keepdims)
    return [out, out]


register("moments", _moments, params={"axes": Param("shape", None),
                                      "keepdims": Param("bool", False)},
         outputs=("mean", "var"), shape=_moments_shape, gradient=_moments_gradient,
         doc="Mean and (biased) variance over ``axes``: returns ``[mean, var]`` with "
             "``var = mean((x - mean)**2)``.  ``axes`` must be given (MXNet raises for "
             "empty axes).")


# ---- cumsum --------------------------------------------------------------------------
def _cumsum(k, a, x):
    if a.dtype is not None and a.dtype != x.dtype.name:
        x = k.astype(x, a.dtype)
    if a.axis is None:
        return k.cumsum(k.reshape(x, (math.prod(x.shape),)), 0)
    return k.cumsum(x, normalize_axis("cumsum", a.axis, len(x.shape)))


def _cumsum_shape(a, data):
    if a.axis is None:
        return (math.prod(data),)
    normalize_axis("cumsum", a.axis, len(data))
    return tuple(data)


def _cumsum_gradient(F, a, xs, ys, dys):
    """``dx[i] = sum_{j >= i} dy[j]``: a cumsum of the reversed ``dy``, reversed back."""
    axis = 0 if a.axis is None else a.axis
    dx = F.reverse(F.cumsum(F.reverse(dys[0], axis=axis), axis=axis), axis=axis)
    return [F._cast_like(F.reshape_like(dx, xs[0]), xs[0])]


register("cumsum", _cumsum, inputs=("a",),
         params={"axis": Param("int", None),
                 "dtype": Param("dtype", None, choices=(
                     None, "float16", "float32", "float64", "int32", "int64", "int8"))},
         shape=_cumsum_shape,
         infer_type=lambda a, t: (t, [a.dtype or t[0]]),
         gradient=_cumsum_gradient,
         doc="""Inclusive cumulative sum along ``axis``: ``out[..., i, ...] = sum_{j <= i}
a[..., j, ...]``; ``axis=None`` (the default) flattens ``a`` first, giving shape
(a.size,).  The result has ``dtype`` (default: ``a``'s dtype; MXNet 1.9.1 keeps int8
and int32 as they are, unlike NumPy).  pymx accepts a negative axis, which MXNet 1.9.1
rejects.  The gradient is the reversed cumulative sum of ``dy``.""")
