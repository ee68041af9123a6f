"""``softmax``, ``log_softmax``, ``softmin`` and ``SoftmaxActivation``.

Numerically stable: the maximum along the axis is subtracted before ``exp`` (softmax
does not change when every input moves by the same amount, and then no ``exp``
overflows).  With ``t`` the temperature and ``y = softmax(x / t)``::

    softmax:      d x = y * (dy - sum(dy * y)) / t               (_backward_softmax)
    log_softmax:  d x = (dy - exp(y) * sum(dy)) / t              (_backward_log_softmax)

The backward ops are written in kernels; their own gradients (for higher order) are
written in F ops.
"""
import numpy as np

from ..base import MXNetError
from .registry import Param, register
from .util import fused, normalize_axis


def _check_float(op, x):
    if x.dtype.kind != "f":
        raise MXNetError(f"{op}: data must be a floating point array, got {x.dtype.name}")


def _bmax(k, x, axes):
    return k.broadcast_to(k.reduce("max", x, axes, True), x.shape)


def _bsum(k, x, axes):
    return k.broadcast_to(k.reduce("sum", x, axes, True), x.shape)


def _length_mask(k, x, length, axis):
    """1 where the position along ``axis`` is below ``length`` (shape x minus axis)."""
    n = x.shape[axis]
    if length.dtype.kind not in "iu":
        raise MXNetError(f"softmax: length must have an integer dtype, got "
                         f"{length.dtype.name}")
    want = tuple(d for i, d in enumerate(x.shape) if i != axis)
    if tuple(length.shape) != want:
        raise MXNetError(f"softmax: length must have shape {want} (data's shape without "
                         f"axis {axis}), got {tuple(length.shape)}")
    pos = k.reshape(k.arange(0, n, 1, x.dtype), tuple(n if i == axis else 1
                                                      for i in range(len(x.shape))))
    lens = k.reshape(k.astype(length, x.dtype), tuple(1 if i == axis else d
                                                      for i, d in enumerate(x.shape)))
    return k.binary("lesser", k.broadcast_to(pos, x.shape), k.broadcast_to(lens, x.shape))


def softmax_kernel(k, x, axes, temperature=None, mask=None):
    """Softmax of native array ``x`` over ``axes`` (kernels only); ``mask`` (0/1, x's
    shape) removes positions: they get 0 and take no share of the sum."""
    # BEGIN EXERCISE stable_softmax
    if temperature is not None and temperature != 1.0:
        x = k.binary("divide", x, temperature)
    if mask is not None:
        x = k.where(mask, x, k.full(x.shape, float("-inf"), x.dtype))
        m = k.reduce("max", x, axes, True)
        m = k.where(k.binary("equal", m, float("-inf")), k.full(m.shape, 0, m.dtype), m)
        e = k.unary("exp", k.binary("subtract", x, k.broadcast_to(m, x.shape)))
        s = _bsum(k, e, axes)
        s = k.where(k.binary("equal", s, 0), k.full(s.shape, 1, s.dtype), s)   # all masked
        return k.binary("divide", e, s)
    e = k.unary("exp", k.binary("subtract", x, _bmax(k, x, axes)))
    return k.binary("divide", e, _bsum(k, e, axes))
    # END EXERCISE stable_softmax


def log_softmax_kernel(k, x, axes, temperature=None):
    """``x/t - max - log(sum(exp(x/t - max)))`` over ``axes``."""
    # BEGIN EXERCISE stable_softmax
    if temperature is not None and temperature != 1.0:
        x = k.binary("divide", x, temperature)
    shifted = k.binary("subtract", x, _bmax(k, x, axes))
    log_sum = k.unary("log", k.reduce("sum", k.unary("exp", shifted), axes, True))
    return k.binary("subtract", shifted, k.broadcast_to(log_sum, x.shape))
    # END EXERCISE stable_softmax


def _prepare(op, k, a, x):
    _check_float(op, x)
    axis = normalize_axis(op, a.axis, len(x.shape))
    if a.dtype is not None and a.dtype != x.dtype.name:
        x = k.astype(x, a.dtype)
    return x, axis


def _softmax_half_host(x, axis, temperature, log):
    """MXNet's CPU (log_)softmax of a float16 NumPy array (without
    ``MXNET_SAFE_ACCUMULATION``, the default): the accumulator is float16 too.  Per
    row: ``d = x - max`` (and ``/ t``) in half precision; ``e = expf(d)`` in float;
    ``sum = half(sum + e)`` element by element; ``out = half(e / sum)``, or
    ``half(d - logf(sum))`` for log_softmax.  Rounding the running sum to half each
    step makes the last digits differ from a float32 computation."""
    f16, f32 = np.float16, np.float32
    h = np.moveaxis(x, axis, -1)
    d = h - h.max(axis=-1, keepdims=True)
    if temperature is not None and temperature != 1.0:
        d = d / f16(temperature)
    e = np.exp(d.astype(np.float64)).astype(f32)          # expf, correctly rounded
    total = np.zeros(h.shape[:-1], f16)
    for j in range(h.shape[-1]):
        total = (total.astype(f32) + e[..., j]).astype(f16)
    total = total[..., None].astype(f32)
    if log:
        out = d.astype(f32) - np.log(total.astype(np.float64)).astype(f32)
    else:
        out = e / total
    return np.ascontiguousarray(np.moveaxis(out.astype(f16), -1, axis))


def _half(k, a, x, log):
    """float16 input: MXNet computes in half precision whatever ``dtype`` asks for the
    output (the result is then converted), see ``_softmax_half_host``."""
    axis = normalize_axis("softmax", a.axis, len(x.shape))
    y = _softmax_half_host(k.to_numpy(x), axis, a.temperature, log)
    return k.from_numpy(y.astype(a.dtype or np.float16))


@fused("softmax")
def _softmax(k, a, x, length=None):
    if x.dtype == np.float16 and not a.use_length:
        return _half(k, a, x, False)
    x, axis = _prepare("softmax", k, a, x)
    mask = _length_mask(k, x, length, axis) if a.use_length else None
    return softmax_kernel(k, x, (axis,), a.temperature, mask)


def _softmin(k, a, x):
    x, axis = _prepare("softmin", k, a, x)
    return softmax_kernel(k, k.unary("negative", x), (axis,), a.temperature)


@fused("log_softmax")
def _log_softmax(k, a, x):
    if a.use_length:
        raise MXNetError("log_softmax: use_length=True is not supported (MXNet 1.9.1 "
                         "accepts the parameter but log_softmax takes no length input)")
    if x.dtype == np.float16:
        return _half(k, a, x, True)
    x, axis = _prepare("log_softmax", k, a, x)
    return log_softmax_kernel(k, x, (axis,), a.temperature)


def _softmax_backward(k, a, dy, y):
    axis = normalize_axis("softmax", a.axis, len(y.shape))
    if dy.dtype != y.dtype:
        dy = k.astype(dy, y.dtype)
    g = k.binary("multiply", y, k.binary("subtract", dy, _bsum(
        k, k.binary("multiply", dy, y), (axis,))))
    t = a.temperature
    return k.binary("divide", g, t) if t is not None and t != 1.0 else g


def _log_softmax_backward(k, a, dy, y):
    axis = normalize_axis("log_softmax", a.axis, len(y.shape))
    if dy.dtype != y.dtype:
        dy = k.astype(dy, y.dtype)
    g = k.binary("subtract", dy, k.binary("multiply", k.unary("exp", y),
                                          _bsum(k, dy, (axis,))))
    t = a.temperature
    return k.binary("divide", g, t) if t is not None and t != 1.0 else g


def _to_input_dtype(F, a, g, x):
    return F._cast_like(g, x) if a.dtype is not None else g


def _softmax_type(a, in_types):
    import numpy as np
    t = in_types[0]
    if a.use_length and len(in_types) > 1 and in_types[1] is not None \
            and np.dtype(in_types[1]).kind not in "iu":
        raise MXNetError(f"softmax: length must have an integer dtype, got "
                         f"{np.dtype(in_types[1]).name}")
    out = np.dtype(a.dtype) if a.dtype is not None else t
    return in_types, [out]


def _softmax_infer_shape(a, in_shapes):
    data = in_shapes[0]
    if data is not None and a.use_length and in_shapes[1] is None:
        axis = normalize_axis("softmax", a.axis, len(data))
        in_shapes[1] = tuple(d for i, d in enumerate(data) if i != axis)
    return in_shapes, [data]


_SOFTMAX_PARAMS = {
    "axis": Param("int", -1), "temperature": Param("float", None),
    "dtype": Param("dtype", None, doc="output dtype (float16, float32, float64)"),
    "use_length": Param("bool", False, optional=True),
}

register(
    "softmax", _softmax,
    inputs=lambda a: ("data", "length") if a.use_length else ("data",),
    params=_SOFTMAX_PARAMS, infer_type=_softmax_type,
    infer_shape=_softmax_infer_shape,
    gradient=lambda F, a, xs, ys, dys: [
        _to_input_dtype(F, a, F._backward_softmax(dys[0], ys[0], **a), xs[0])] + (
        [None] if a.use_length else []),
    doc=r"""Softmax along ``axis`` (default -1)::

    out = exp(x / t - max) / sum(exp(x / t - max), axis)

``temperature`` ``t`` defaults to 1.  ``dtype`` chooses the output dtype (e.g.
float32 output for float16 input).  With ``use_length=True`` a second input
``length`` (data's shape without ``axis``, an integer dtype) keeps only the first
``length`` positions along ``axis``; the others output 0 (a length of 0 gives an
all-zero row).  ``length`` gets no gradient.""")

def _bsum_like(F, axis, x):
    """``sum(x, axis)`` broadcast back to x's shape, in F ops (for the rules below)."""
    return F.broadcast_like(F.sum(x, axis=axis, keepdims=True), x)


def _scale(a, x):
    t = a.temperature
    return x / t if t is not None and t != 1.0 else x


def _softmax_output_grad(F, axis, dy, y, h):
    """d/dy of ``sum(h * y (dy - sum(dy y)))``: ``h (dy - sum(dy y)) - dy sum(h y)``."""
    return h * (dy - _bsum_like(F, axis, dy * y)) - dy * _bsum_like(F, axis, h * y)


def _softmax_backward_gradient(F, a, xs, ys, dys):
    """g = y (dy - sum(dy y)) / t is linear in dy (its adjoint is itself) and, with
    head gradient h: d y = (h (dy - sum(dy y)) - dy sum(h y)) / t."""
    dy, y = xs
    h = dys[0]
    d_dy = F._backward_softmax(h, y, **a)
    d_y = _scale(a, _softmax_output_grad(F, a.axis, dy, y, h))
    return [d_dy, d_y]


def _log_softmax_backward_gradient(F, a, xs, ys, dys):
    """g = (dy - exp(y) sum(dy)) / t; with head gradient h:
    d dy = (h - sum(h exp(y))) / t and d y = -h exp(y) sum(dy) / t."""
    dy, y = xs
    h, e = dys[0], F.exp(y)
    d_dy = _scale(a, h - _bsum_like(F, a.axis, h * e))
    d_y = _scale(a, -h * e * _bsum_like(F, a.axis, dy))
    return [d_dy, d_y]


register(
    "_backward_softmax", _softmax_backward, inputs=("ograd", "output"),
    params=_SOFTMAX_PARAMS, infer_shape=lambda a, s: (s, [s[1]]),
    gradient=_softmax_backward_gradient,
    doc="softmax's backward: ``out * (ograd - sum(ograd * out, axis)) / t`` "
        "(differentiable again).")

register(
    "softmin", _softmin, params=_SOFTMAX_PARAMS, infer_type=_softmax_type,
    gradient=lambda F, a, xs, ys, dys: [
        _to_input_dtype(F, a, -F._backward_softmax(dys[0], ys[0], **a), xs[0])],
    doc=r"""``softmax(-data)`` along ``axis``: small inputs get large weights.
Parameters as ``softmax`` (``use_length`` is not supported).""")

register(
    "log_softmax", _log_softmax, params=_SOFTMAX_PARAMS, infer_type=_softmax_type,
    gradient=lambda F, a, xs, ys, dys: [
        _to_input_dtype(F, a, F._backward_log_softmax(dys[0], ys[0], **a), xs[0])],
    doc=r"""``log(softmax(data))`` along ``axis``, computed stably as
``x/t - max - log(sum(exp(x/t - max)))``.  ``use_length=True`` raises (MXNet 1.9.1
has the parameter but no ``length`` input for this op).""")

register(
    "_backward_log_softmax", _log_softmax_backward, inputs=("ograd", "output"),
    params=_SOFTMAX_PARAMS, infer_shape=lambda a, s: (s, [s[1]]),
    gradient=_log_softmax_backward_gradient,
    doc="log_softmax's backward: ``(ograd - exp(out) * sum(ograd, axis)) / t`` "
        "(differentiable again).")


# ---- SoftmaxActivation ------------------------------------------------------------------------
def _sa_axes(a, x):
    if a.mode == "channel":
        if len(x.shape) < 3:
            raise MXNetError(f"SoftmaxActivation: mode='channel' needs data with at least 3 "
                             f"dimensions, got shape {tuple(x.shape)}")
        return (1,)
    return (max(len(x.shape) - 1, 0),)


def _softmax_activation(k, a, x):
    _check_float("SoftmaxActivation", x)
    return softmax_kernel(k, x, _sa_axes(a, x))


def _sa_backward(k, a, dy, y):
    axes = _sa_axes(a, y)
    return k.binary("multiply", y, k.binary("subtract", dy, _bsum(
        k, k.binary("multiply", dy, y), axes)))


_SA_PARAMS = {"mode": Param("str", "instance", choices=("channel", "instance"))}

register(
    "SoftmaxActivation", _softmax_activation, params=_SA_PARAMS,
    gradient=lambda F, a, xs, ys, dys: [F._backward_SoftmaxActivation(dys[0], ys[0], **a)],
    doc=r"""Softmax activation (deprecated in MXNet in favour of ``softmax``).
``mode='instance'``: over the **last** axis (MXNet flattens data to 2-D keeping the last
axis, so for (N, C) data this is one softmax per sample); ``mode='channel'``: over
axis 1, for each position of data (N, C, d1, ...) with at least 3 dimensions.

The gradient is the true derivative.  MXNet 1.9.1's backward always sums over axis 1
(the channel formula), which is wrong for ``mode='instance'`` on data with more than 2
dimensions.""")

def _sa_backward_gradient(F, a, xs, ys, dys):
    """As ``_backward_softmax``'s gradient, over axis 1 ('channel') or the last axis."""
    dy, y = xs
    axis = 1 if a.mode == "channel" else -1
    return [F._backward_SoftmaxActivation(dys[0], y, **a),
            _softmax_output_grad(F, axis, dy, y, dys[0])]


register(
    "_backward_SoftmaxActivation", _sa_backward, inputs=("ograd", "output"),
    params=_SA_PARAMS, infer_shape=lambda a, s: (s, [s[1]]),
    gradient=_sa_backward_gradient,
    doc="SoftmaxActivation's backward: ``out * (ograd - sum(ograd * out))`` "
        "(differentiable again).")
