"""``Pooling`` (max, avg, sum, lp over 1-3 spatial dims), ``UpSampling`` and their
backward ops.

Pooling is written as a loop over the kernel *taps*, not over the data.  For a 2x2
window with stride 2 the four taps are the strided views ``x[:, :, 0::2, 0::2]``,
``x[:, :, 0::2, 1::2]``, ``x[:, :, 1::2, 0::2]`` and ``x[:, :, 1::2, 1::2]``; each has
the output's shape, and max pooling is ``maximum`` of the four.  In general tap ``t``
is the view ``x_pad[..., t : t + stride*(out-1) + 1 : stride]`` of the padded input.
No (N, C*K, L) column buffer is built (DESIGN section 7: views + ``maximum`` are about
25x faster than ``reshape(...).max(...)``), and the same loop in reverse scatters the
gradient back, tap by tap.

Edges follow MXNet's ``pool.h``: a window is clipped where it runs past the padded
input (``pooling_convention='full'`` and ``'same'`` create such windows), padding
never wins a max, and ``avg`` divides by the window size counted *with* padding (but
without the clipped part) unless ``count_include_pad=False``, which counts only real
elements.
"""
import itertools
import math

import numpy as np

from ..base import MXNetError
from .params import Attrs
from .registry import Param, get_op, register

_POOL_LAYOUTS = (None, "NCW", "NCHW", "NCDHW", "NWC", "NHWC", "NDHWC")


def _prod(xs):
    return int(math.prod(xs))


# ---- geometry ----------------------------------------------------------------------------
def _pool_geometry(a, shape):
    """``(kernel, stride, pad, out, extra)`` for data of ``shape``; ``extra`` is the
    padding needed past the high end so that clipped windows stay in bounds."""
    op = "Pooling"
    nd = len(shape)
    if not 3 <= nd <= 5:
        raise MXNetError(f"{op}: data should be 3-D (N, C, W), 4-D (N, C, H, W) or 5-D "
                         f"(N, C, D, H, W), got shape {tuple(shape)}")
    d = nd - 2
    if a.layout not in (None, ("NCW", "NCHW", "NCDHW")[d - 1]):
        raise MXNetError(f"{op}: layout={a.layout!r} is not supported for {d}-D pooling "
                         "(only channel-first layouts)")
    if a.pool_type == "lp" and a.p_value not in (1, 2, 3):
        raise MXNetError(f"{op}: pool_type='lp' needs p_value 1, 2 or 3, got {a.p_value}")
    spatial = tuple(shape[2:])
    if a.global_pool:
        return spatial, (1,) * d, (0,) * d, (1,) * d, (0,) * d
    kernel = tuple(a.kernel)
    if not kernel:
        raise MXNetError(f"{op}: kernel is required unless global_pool=True")
    if len(kernel) != d:
        raise MXNetError(f"{op}: a {len(kernel)}-D kernel {kernel} needs "
                         f"{len(kernel) + 2}-D data, got shape {tuple(shape)}")
    stride = tuple(a.stride) or (1,) * d
    pad = tuple(a.pad) or (0,) * d
    if len(stride) != d or len(pad) != d:
        raise MXNetError(f"{op}: stride={stride} and pad={pad} must have {d} values like "
                         f"kernel={kernel}")
    if min(kernel) < 1 or min(stride) < 1 or min(pad) < 0:
        raise MXNetError(f"{op}: kernel and stride must be positive and pad non-negative, "
                         f"got kernel={kernel} stride={stride} pad={pad}")
    if a.pooling_convention == "same":
        if d != 1 or any(pad):
            raise MXNetError(f"{op}: pooling_convention='same' supports only 1-D pooling "
                             f"without pad (MXNet), got data {tuple(shape)}, pad={pad}")
    out, extra = [], []
    for s, k, st, p in zip(spatial, kernel, stride, pad):
        if k > s + 2 * p:
            raise MXNetError(f"{op}: kernel size ({k}) exceeds input ({s} padded to "
                             f"{s + 2 * p}); kernel={kernel}, pad={pad}")
        if a.pooling_convention == "valid":
            o = (s + 2 * p - k) // st + 1
        elif a.pooling_convention == "full":
            o = 1 + -(-(s + 2 * p - k) // st)                     # ceil
        else:
            o = -(-(s + 2 * p) // st)
        out.append(o)
        extra.append(max(0, (o - 1) * st + k - (s + 2 * p)))
    return kernel, stride, pad, tuple(out), tuple(extra)


def _pool_shape(a, data):
    _, _, _, out, _ = _pool_geometry(a, data)
    return tuple(data[:2]) + out


def _check_float(op, x):
    if x.dtype.kind != "f":
        raise MXNetError(f"{op}: this operation only supports floating point types, "
                         f"not {x.dtype.name}")


def _avg_counts(a, spatial, kernel, stride, pad, out):
    """Per-output divisors of ``avg`` (a host array of shape ``out``: data-independent)."""
    per_dim = []
    for s, k, st, p, o in zip(spatial, kernel, stride, pad, out):
        start = np.arange(o) * st - p
        if a.count_include_pad is False:
            n = np.minimum(start + k, s) - np.maximum(start, 0)
        else:
            n = np.minimum(start + k, s + p) - start
        per_dim.append(n)
    counts = per_dim[0].astype(np.float64)
    for n in per_dim[1:]:
        counts = np.multiply.outer(counts, n)
    return np.maximum(counts, 1)     # an empty window ('full', stride > kernel) gives 0


def _counts_array(k, a, x, geometry):
    kernel, stride, pad, out, _ = geometry
    counts = _avg_counts(a, x.shape[2:], kernel, stride, pad, out)
    return k.from_numpy(counts.reshape((1, 1) + out).astype(x.dtype))


def _taps(kernel, stride, out):
    """``(key, ...)`` per kernel tap, in MXNet's scan order (row-major over the window)."""
    for t in itertools.product(*[range(k) for k in kernel]):
        yield (slice(None), slice(None)) + tuple(
            slice(ti, ti + st * (o - 1) + 1, st) for ti, st, o in zip(t, stride, out))


def _global_first_max(k, x):
    """Global max pooling's first-maximum mask: one-hot (N, C, prod(spatial))."""
    n, c, size = x.shape[0], x.shape[1], _prod(x.shape[2:])
    return k.one_hot(k.argmax(k.reshape(x, (n, c, size)), 2, False), size, 1, 0, x.dtype)


def _first_max_shares(k, xp, y, left, kernel, stride, out):
    """Route ``left`` (one value per window) to each window's *first* maximum, in
    MXNet's scan order: yields ``(tap key, share)`` where ``share`` is ``left`` at the
    windows whose first maximum sits at this tap and 0 elsewhere.  With ``left = dy``
    the shares are max pooling's gradient; with ``left = 1`` the first-maximum masks."""
    taps = list(_taps(kernel, stride, out))
    for i, key in enumerate(taps):
        share = k.binary("multiply", k.binary("equal", k.getitem(xp, key), y), left)
        if i + 1 < len(taps):
            left = k.binary("subtract", left, share)   # 0 once the first max took it
        yield key, share


def _padded(k, x, pad, extra, value):
    if not any(pad) and not any(extra):
        return x
    width = [(0, 0), (0, 0)] + [(p, p + e) for p, e in zip(pad, extra)]
    return k.pad(x, width, "constant", value)


def _lowest(x):
    """Max pooling's padding: the dtype's lowest finite value, which is also what
    MXNet outputs for a window that holds only padding."""
    return float(np.finfo(x.dtype).min)


def _lp_power(k, v, p):
    return v if p == 1 else k.binary("multiply", v, v) if p == 2 else \
        k.binary("multiply", k.binary("multiply", v, v), v)


def _lp_root(k, y, p):
    return y if p == 1 else k.unary("sqrt" if p == 2 else "cbrt", y)


# ---- Pooling -------------------------------------------------------------------------------
def _global_pool(k, a, x):
    axes = tuple(range(2, len(x.shape)))
    if a.pool_type == "max":
        return k.reduce("max", x, axes, True)
    if a.pool_type == "lp":
        return _lp_root(k, k.reduce("sum", _lp_power(k, x, a.p_value), axes, True), a.p_value)
    y = k.reduce("sum", x, axes, True)
    return k.binary("divide", y, float(_prod(x.shape[2:]))) if a.pool_type == "avg" else y


def _pooling(k, a, x, *, out=None):
    _check_float("Pooling", x)
    geometry = _pool_geometry(a, x.shape)
    if a.global_pool:
        y = _global_pool(k, a, x)
        return k.deliver(y, out)
    kernel, stride, pad, spatial, extra = geometry
    is_max = a.pool_type == "max"
    xp = _padded(k, x, pad, extra, _lowest(x) if is_max else 0)
    taps = (k.getitem(xp, key) for key in _taps(kernel, stride, spatial))   # views
    if a.pool_type == "lp":
        taps = (_lp_power(k, v, a.p_value) for v in taps)
    y = next(taps)
    if _prod(kernel) == 1:                             # never return a view of the input
        y = k.copy(y) if out is None else k.deliver(y, out)
    combine = "maximum" if is_max else "add"
    for i, v in enumerate(taps):        # the first combination is new (or out), then in place
        y = k.binary(combine, y, v, out=out if i == 0 else y)
    if a.pool_type == "avg":
        counts = _counts_array(k, a, x, geometry)
        y = k.binary("divide", y, k.broadcast_to(counts, y.shape), out=y)
    elif a.pool_type == "lp" and a.p_value != 1:
        y = k.unary("sqrt" if a.p_value == 2 else "cbrt", y, out=y)
    return y



def _pool_gradient(F, a, xs, ys, dys):
    return [F._backward_Pooling(dys[0], xs[0], ys[0], **a)]


_POOL_PARAMS = {
    "kernel": Param("shape", (), doc="window size: (w,), (h, w) or (d, h, w)"),
    "pool_type": Param("str", "max", choices=("avg", "lp", "max", "sum")),
    "global_pool": Param("bool", False, doc="pool over all spatial positions"),
    "cudnn_off": Param("bool", False, doc="ignored"),
    "pooling_convention": Param("str", "valid", choices=("full", "same", "valid")),
    "stride": Param("shape", (), doc="default 1 per dim"),
    "pad": Param("shape", (), doc="default 0 per dim"),
    "p_value": Param("int", None, doc="p of lp pooling: 1, 2 or 3"),
    "count_include_pad": Param("bool", None, doc="avg: count padding (None means True)"),
    "layout": Param("str", None, choices=_POOL_LAYOUTS, doc="only NCW/NCHW/NCDHW here"),
}

register(
    "Pooling", _pooling, params=_POOL_PARAMS, shape=_pool_shape, gradient=_pool_gradient,
    doc="""Pooling over 1, 2 or 3 spatial dims of (N, C, *spatial) data.

Window ``o`` covers ``[o*stride - pad, o*stride - pad + kernel)`` per dim and gives
``max`` (padding never wins; a window holding only padding gives the dtype's lowest
finite value, as MXNet's ``-FLT_MAX``), ``sum``, ``avg`` (sum / window size) or ``lp``
(``(sum x^p)^(1/p)`` for p_value 1, 2, 3: no absolute value, so p=1 is the plain sum
and p=3 keeps the sign).  Output size per dim:

* ``valid``: ``(in + 2*pad - kernel) // stride + 1``
* ``full``:  ``ceil((in + 2*pad - kernel) / stride) + 1`` (windows past the end are clipped)
* ``same``:  ``ceil(in / stride)``; MXNet allows it only for 1-D pooling without pad.

``global_pool=True`` ignores kernel, stride and pad and pools each channel to size 1.
``avg`` divides by ``min(start + kernel, in + pad) - start`` per dim (padding counted,
the clipped part not); with ``count_include_pad=False`` by the number of real
elements; a window lying wholly past the input ('full' with stride > kernel) gives 0.
The gradient of ``max`` goes to the *first* maximum of each window (row-major scan),
as in MXNet's ``pool.h``.  Floating-point dtypes only.""")


def _backward_pooling(k, a, dy, x, y):
    geometry = _pool_geometry(a, x.shape)
    kernel, stride, pad, out, extra = geometry
    pt = a.pool_type
    if a.global_pool:
        if pt == "max":                                 # one-hot of the first maximum
            hot = _global_first_max(k, x)
            g = k.binary("multiply", hot, k.broadcast_to(
                k.reshape(dy, tuple(x.shape[:2]) + (1,)), hot.shape))
            return k.reshape(g, tuple(x.shape))
        g = k.broadcast_to(dy, tuple(x.shape))
        if pt == "avg":
            return k.binary("divide", g, float(_prod(x.shape[2:])))
        if pt == "lp":
            return _lp_grad(k, a.p_value, g, x, k.broadcast_to(y, tuple(x.shape)))
        return k.copy(g)
    is_max = pt == "max"
    xp = _padded(k, x, pad, extra, _lowest(x) if is_max else 0)
    overlap = any(s < kk for s, kk in zip(stride, kernel))
    tiled = tuple(stride) == tuple(kernel) and all(      # every element in one window
        o * st == n for o, st, n in zip(out, stride, xp.shape[2:]))
    dxp = k.empty(tuple(xp.shape), x.dtype) if tiled else k.full(tuple(xp.shape), 0, x.dtype)
    if pt == "avg":
        dy = k.binary("divide", dy, k.broadcast_to(_counts_array(k, a, x, geometry), dy.shape))
    if is_max:
        grads = _first_max_shares(k, xp, y, dy, kernel, stride, out)
    elif pt == "lp":
        grads = ((key, _lp_grad(k, a.p_value, dy, k.getitem(xp, key), y))
                 for key in _taps(kernel, stride, out))
    else:
        grads = ((key, dy) for key in _taps(kernel, stride, out))
    for key, g in grads:
        if overlap:
            g = k.binary("add", k.getitem(dxp, key), g)
        k.setitem(dxp, key, g)
    inner = (slice(None), slice(None)) + tuple(slice(p, p + s)
                                               for p, s in zip(pad, x.shape[2:]))
    return k.copy(k.getitem(dxp, inner)) if any(pad) or any(extra) else dxp


def _lp_grad(k, p, dy, v, y):
    """d/dv (sum v^p)^(1/p) = (v / y)^(p-1), times the incoming gradient."""
    if p == 1:
        return dy
    r = k.binary("divide", v, y)
    if p == 3:
        r = k.binary("multiply", r, r)
    return k.binary("multiply", dy, r)


def _backward_pooling_gradient(F, a, xs, ys, dys):
    """Second derivatives through Pooling.  The backward op is linear in out_grad ``dy``:

    * avg, sum: its adjoint is the pooling itself, and nothing else depends on x;
    * max: ``dx`` routes ``dy`` through the first-maximum masks, constant almost
      everywhere in x and y; the adjoint *reads* each window's head gradient at that
      same position (``_max_pool_gather``);
    * lp: ``dx = x^(p-1) * S^T(dy / y^(p-1))`` with ``S`` sum pooling (``S^T`` its
      backward), differentiated term by term (p = 1 is plain sum pooling).
    """
    dy, x, y = xs
    g = dys[0]
    pt, p = a.pool_type, a.p_value
    if pt == "max":
        return [F._max_pool_gather(g, x, y, **a), None, None]
    if pt != "lp" or p == 1:
        return [F.Pooling(g, **dict(a, pool_type="sum" if pt == "lp" else pt)), None, None]
    sums = dict(a, pool_type="sum")
    x_p1 = x if p == 2 else x * x                                  # x^(p-1)
    y_p1 = y if p == 2 else y * y
    pooled = F.Pooling(x_p1 * g, **sums) / y_p1                    # S(x^(p-1) g) / y^(p-1)
    spread = F._backward_Pooling(dy / y_p1, x, y, **sums)           # S^T(dy / y^(p-1))
    d_x = spread * g * (1 if p == 2 else 2 * x)                    # d x^(p-1) / dx
    return [pooled, d_x, -(p - 1) * pooled * dy / y]


def _max_pool_gather(k, a, g, x, y):
    """For each max-pooling window of ``x`` (pooled output ``y``), the value of ``g`` at
    the window's first maximum: the adjoint of ``_backward_Pooling`` (max) in out_grad."""
    if a.pool_type != "max":
        raise MXNetError(f"_max_pool_gather: pool_type must be 'max', got {a.pool_type!r}")
    kernel, stride, pad, out, extra = _pool_geometry(a, x.shape)
    if a.global_pool:
        hot = _global_first_max(k, x)
        return k.reshape(k.reduce("sum", k.binary("multiply", hot, k.reshape(g, hot.shape)),
                                  (2,), False), tuple(y.shape))
    xp, gp = _padded(k, x, pad, extra, _lowest(x)), _padded(k, g, pad, extra, 0)
    picked = k.full(tuple(y.shape), 0, x.dtype)
    ones = k.full(tuple(y.shape), 1, x.dtype)
    for key, hit in _first_max_shares(k, xp, y, ones, kernel, stride, out):
        picked = k.binary("add", picked, k.binary("multiply", hit, k.getitem(gp, key)))
    return picked


register(
    "_max_pool_gather", _max_pool_gather, inputs=("data", "pooled_data", "output"),
    params=_POOL_PARAMS, infer_shape=lambda a, s: (s, [s[2]]),
    gradient=lambda F, a, xs, ys, dys: [F._backward_Pooling(dys[0], xs[1], xs[2], **a),
                                        None, None],
    doc="""Max pooling's routing read backwards (pymx-only, for second derivatives):
``out[window] = data[first position where pooled_data == output in that window]``.
Shapes: data and pooled_data (N, C, *spatial), output the pooled shape; ``pool_type``
must be 'max'.  It is the adjoint of ``_backward_Pooling`` in out_grad, and that op is
its gradient.""")

register(
    "_backward_Pooling", _backward_pooling, inputs=("out_grad", "data", "output"),
    params=_POOL_PARAMS, infer_shape=lambda a, s: (s, [s[1]]),
    gradient=_backward_pooling_gradient,
    doc="""Pooling's gradient w.r.t. data from ``out_grad``, the data and the pooled
output: ``max`` sends each window's gradient to its first maximum, ``sum`` copies it to
every element of the window, ``avg`` divides it by the window size first, ``lp``
multiplies it by ``(x / y)^(p-1)``; overlapping windows add up.""")


# ---- UpSampling --------------------------------------------------------------------------
def _bilinear_attrs(a):
    """MXNet implements bilinear UpSampling as a depthwise Deconvolution with these
    parameters (``upsampling.cc``: ``GetDeconvolutionParam``)."""
    s = a.scale
    kk = 2 * s - s % 2
    p = int(math.ceil((s - 1) / 2))
    if a.num_filter < 1:
        raise MXNetError("UpSampling: sample_type='bilinear' needs num_filter = the number "
                         "of channels")
    d = Attrs(get_op("Deconvolution").defaults)
    d.update(kernel=(kk, kk), stride=(s, s), pad=(p, p), num_filter=a.num_filter,
             num_group=a.num_filter, no_bias=True, workspace=a.workspace)
    return d


def _nearest_scales(a, shapes):
    """The integer upsampling factor of each input (all reach the first's size * scale)."""
    op = "UpSampling"
    if a.scale < 1:
        raise MXNetError(f"{op}: scale must be positive, got {a.scale}")
    first = shapes[0]
    scales = []
    for i, s in enumerate(shapes):
        if len(s) != 4:
            raise MXNetError(f"{op}: input {i} should be 4-D (N, C, H, W), got shape "
                             f"{tuple(s)}")
        oh, ow = first[2] * a.scale, first[3] * a.scale
        if s[0] != first[0] or s[2] == 0 or s[3] == 0 or oh % s[2] or ow % s[3] \
                or oh // s[2] != ow // s[3]:
            raise MXNetError(f"{op}: input {i} of shape {tuple(s)} cannot be upsampled by "
                             f"an integer factor to ({oh}, {ow})")
        scales.append(oh // s[2])
    if a.multi_input_mode == "sum" and any(s[1] != first[1] for s in shapes):
        raise MXNetError(f"{op}: all inputs need the same number of channels when "
                         "multi_input_mode='sum'")
    return scales


def _up_infer_shape(a, in_shapes):
    if a.sample_type == "bilinear":
        if len(in_shapes) != 2:
            raise MXNetError("UpSampling: sample_type='bilinear' takes 2 inputs (data, "
                             f"weight), got {len(in_shapes)}")
        return get_op("Deconvolution").infer_shape(_bilinear_attrs(a), in_shapes)
    if any(s is None for s in in_shapes):
        return in_shapes, [None]
    _nearest_scales(a, in_shapes)
    n, _, h, w = in_shapes[0]
    c = in_shapes[0][1] if a.multi_input_mode == "sum" else sum(s[1] for s in in_shapes)
    return in_shapes, [(n, c, h * a.scale, w * a.scale)]


def _upsampling(k, a, *xs):
    _check_float("UpSampling", xs[0])
    if a.sample_type == "bilinear":
        _up_infer_shape(a, [x.shape for x in xs])
        return get_op("Deconvolution").forward(k, _bilinear_attrs(a), *xs)
    ups = []
    for x, s in zip(xs, _nearest_scales(a, [x.shape for x in xs])):
        ups.append(k.repeat(k.repeat(x, s, 2), s, 3) if s > 1 else k.copy(x))
    if len(ups) == 1:
        return ups[0]
    if a.multi_input_mode == "concat":
        return k.concat(ups, 1)
    y = ups[0]
    for u in ups[1:]:
        y = k.binary("add", y, u)
    return y


def _up_gradient(F, a, xs, ys, dys):
    if a.sample_type == "bilinear":
        grads = F._backward_Deconvolution(dys[0], xs[0], xs[1], **_bilinear_attrs(a))
        return [grads[0], grads[1]]
    grads = F._backward_UpSampling(dys[0], *xs, **a)
    return [grads] if len(xs) == 1 else [grads[i] for i in range(len(xs))]


_UP_PARAMS = {
    "scale": Param("int", doc="upsampling factor"),
    "num_filter": Param("int", 0, doc="bilinear only: the number of channels"),
    "sample_type": Param("str", choices=("bilinear", "nearest")),
    "multi_input_mode": Param("str", "concat", choices=("concat", "sum")),
    "num_args": Param("int", 1, doc="number of inputs"),
    "workspace": Param("int", 512, doc="ignored"),
}

register(
    "UpSampling", _upsampling, inputs="*data", params=_UP_PARAMS,
    infer_shape=_up_infer_shape, gradient=_up_gradient,
    doc="""Upsample NCHW images by an integer ``scale``.

``nearest``: ``out[n, c, i, j] = x[n, c, i // s, j // s]``.  Several inputs are each
upsampled to the first one's size times ``scale`` (their factors must be integers) and
then concatenated along channels (``multi_input_mode='concat'``) or added ('sum').
``bilinear``: takes (data, weight) and is MXNet's depthwise Deconvolution with kernel
``2*scale - scale % 2``, stride ``scale``, pad ``ceil((scale - 1) / 2)`` and
``num_group = num_filter`` (the weight, (C, 1, k, k), is usually initialised with
``mx.init.Bilinear``).""")


def _bwd_up_outputs(a):
    return [f"data{i}_grad" for i in range(a.num_args - 1)]


def _backward_upsampling(k, a, dy, *xs):
    grads, c0 = [], 0
    for x, s in zip(xs, _nearest_scales(a, [x.shape for x in xs])):
        n, c, h, w = x.shape
        piece = dy
        if a.multi_input_mode == "concat" and len(xs) > 1:
            piece = k.getitem(dy, (slice(None), slice(c0, c0 + c)))
            c0 += c
        blocks = k.reshape(piece, (n, c, h, s, w, s))
        grads.append(k.reduce("sum", blocks, (3, 5), False))
    return tuple(grads) if len(grads) > 1 else grads[0]


def _backward_upsampling_gradient(F, a, xs, ys, dys):
    """Nearest upsampling is linear and its backward is its adjoint, so the backward's
    adjoint (in out_grad) is the upsampling itself; it does not depend on the data."""
    return [F.UpSampling(*dys, **dict(a, num_args=len(dys)))] + [None] * len(dys)


register(
    "_backward_UpSampling", _backward_upsampling, inputs="*data",
    params=_UP_PARAMS, outputs=_bwd_up_outputs, gradient=_backward_upsampling_gradient,
    infer_shape=lambda a, s: (s, list(s[1:])),
    doc="""Nearest UpSampling's gradient: inputs (out_grad, *data); each data gets the
sum of out_grad over its ``s x s`` blocks (its channel slice of it under 'concat').""")
