"""Contributed layers and helpers of ``mx.nd.contrib`` / ``mx.sym.contrib``:

* resizing: ``_contrib_BilinearResize2D``, ``_contrib_AdaptiveAvgPooling2D``.  Both are
  *separable linear maps* of the image: ``out = A_h @ x @ A_w.T`` for every (N, C)
  plane, with small matrices built on the host from the sizes (``_resize_matrix``,
  ``_pool_matrix``).  The gradient is the transpose, ``A_h.T @ dy @ A_w``;
* selection: ``_contrib_boolean_mask``, ``_contrib_index_copy``, ``_contrib_index_array``,
  ``_contrib_arange_like``;
* small math: ``_contrib_div_sqrt_dim``, ``_contrib_quadratic`` (MXNet's tutorial op),
  ``_contrib_gradientmultiplier``, ``_contrib_allclose``.

(``_contrib_SyncBatchNorm`` lives in ``sync_batch_norm.py``.)
"""
import math

import numpy as np

from ..base import MXNetError
from .registry import Param, REQUIRED, register

# ---- separable linear resampling -----------------------------------------------------


def _separable(k, x, ah, aw):
    """``ah @ plane @ aw.T`` for every plane of x (N, C, H, W); ah (Ho, H), aw (Wo, W)."""
    n, c, h, w = x.shape
    ho, wo = ah.shape[0], aw.shape[0]
    t = k.matmul(k.reshape(x, (n * c * h, w)), aw, transpose_b=True)     # (NCH, Wo)
    t = k.reshape(k.transpose(k.reshape(t, (n * c, h, wo)), (1, 0, 2)), (h, n * c * wo))
    t = k.reshape(k.matmul(ah, t), (ho, n * c, wo))
    return k.reshape(k.transpose(t, (1, 0, 2)), (n, c, ho, wo))


def _resize_matrix(size_in, size_out, align_corners):
    """(out, in) bilinear weights along one axis, MXNet's CPU rule (float32): source
    ``s = scale * o`` (align_corners, scale = (in - 1) / (out - 1)) or ``s = max(scale *
    (o + 0.5) - 0.5, 0)`` (scale = in / out); weights ``1 - f, f`` on pixels
    ``floor(s)`` and ``floor(s) + 1`` (the last pixel repeats)."""
    m = np.zeros((size_out, size_in), np.float32)
    if size_in == size_out:
        return np.eye(size_in, dtype=np.float32)
    f32 = np.float32
    if size_out > 1:
        scale = f32(size_in - 1) / f32(size_out - 1) if align_corners else \
            f32(size_in) / f32(size_out)
    else:
        scale = f32(0)
    for o in range(size_out):
        s = scale * f32(o) if align_corners else max(scale * (f32(o) + f32(0.5)) - f32(0.5),
                                                       f32(0))
        lo = int(s)
        step = 1 if lo < size_in - 1 else 0
        frac = f32(s) - f32(lo)
        m[o, lo] += f32(1) - frac
        m[o, lo + step] += frac
    return m


def _resize_size(a, shape, like=None):
    """(Ho, Wo) of BilinearResize2D for data shape (N, C, H, W)."""
    h, w = shape[2], shape[3]
    m = a.mode
    if m == "size":
        if a.scale_height is not None:       # MXNet reads scale_width only then, too
            return (int(np.float32(a.scale_height) * h),
                    int(np.float32(a.scale_width if a.scale_width is not None else 0) * w))
        return a.height, a.width
    if m == "odd_scale":
        if a.scale_height is None or a.scale_width is None:
            raise MXNetError("BilinearResize2D: mode 'odd_scale' needs scale_height and "
                             "scale_width")
        odd = lambda v, s: int(np.float32(s) * v) if v % 2 == 0 else \
            int(np.float32(s) * (v - 1)) + 1                               # noqa: E731
        return odd(h, a.scale_height), odd(w, a.scale_width)
    if m == "like":
        if like is None or len(like) != 4:
            raise MXNetError(f"BilinearResize2D: mode 'like' needs a 4-D second input, got "
                             f"{None if like is None else tuple(like)}")
        return like[2], like[3]
    even, up = m.startswith("to_even"), m.endswith("up")
    fix = lambda v: v if (v % 2 == 0) == even else (v + 1 if up else v - 1)  # noqa: E731
    return fix(h), fix(w)


def _check4(op, shape):
    if len(shape) != 4:
        raise MXNetError(f"{op}: data must be 4-D (N, C, H, W), got {tuple(shape)}")


def _resize_mats(a, shape, like=None):
    _check4("BilinearResize2D", shape)
    ho, wo = _resize_size(a, shape, like)
    if ho < 1 or wo < 1:
        raise MXNetError(f"BilinearResize2D: output size must be positive, got ({ho}, "
                         f"{wo}) for data {tuple(shape)}")
    return (_resize_matrix(shape[2], ho, a.align_corners),
            _resize_matrix(shape[3], wo, a.align_corners))


def _mats_on(k, mats, dtype, transpose=False):
    return [k.astype(k.from_numpy(m.T.copy() if transpose else m), dtype) for m in mats]


def _bilinear_resize(k, a, data, like=None):
    mats = _resize_mats(a, data.shape, None if like is None else like.shape)
    return _separable(k, data, *_mats_on(k, mats, data.dtype))


def _resize_shape(a, s):
    if s[0] is None or (a.mode == "like" and s[1] is None):
        return s, [None]
    ah, aw = _resize_mats(a, s[0], s[1] if a.mode == "like" else None)
    return s, [tuple(s[0][:2]) + (ah.shape[0], aw.shape[0])]


_RESIZE_PARAMS = {
    "height": Param("int", 1), "width": Param("int", 1),
    "scale_height": Param("float", None), "scale_width": Param("float", None),
    "mode": Param("str", "size", choices=("size", "odd_scale", "like", "to_even_down",
                                          "to_even_up", "to_odd_down", "to_odd_up")),
    "align_corners": Param("bool", True),
}


def _resize_gradient(F, a, xs, ys, dys):
    grads = [F._backward_contrib_BilinearResize2D(dys[0], *xs, **a)]
    return grads + [F.zeros_like(x) for x in xs[1:]]


register("_contrib_BilinearResize2D", _bilinear_resize,
         inputs=lambda a: ("data", "like") if a.mode == "like" else ("data",),
         params=_RESIZE_PARAMS, infer_shape=_resize_shape, gradient=_resize_gradient,
         doc="""Bilinear resize of data (N, C, H, W) to (N, C, Ho, Wo).

Output size by mode: 'size' (height, width; or int(scale * H), int(scale * W) when
scale_height is given), 'odd_scale' (``H * scale`` for even H, ``(H - 1) * scale + 1``
for odd), 'like' (the second input's H, W), 'to_even_down'/'to_even_up'/
'to_odd_down'/'to_odd_up' (H, W moved by one to the parity asked).  Interpolation: see
``_resize_matrix``; align_corners=True (the default) maps the corner pixels onto each
other.  Same size copies.  Gradient: the transposed resampling; 'like' gets zero.""")


def _backward_resize(k, a, dy, data, like=None):
    mats = _resize_mats(a, data.shape, None if like is None else like.shape)
    return _separable(k, dy, *_mats_on(k, mats, dy.dtype, transpose=True))


register("_backward_contrib_BilinearResize2D", _backward_resize,
         inputs=lambda a: ("ograd", "data", "like") if a.mode == "like" else ("ograd", "data"),
         params=_RESIZE_PARAMS, infer_shape=lambda a, s: (s, [s[1]]),
         doc="BilinearResize2D's gradient w.r.t. data: ``A_h.T @ dy @ A_w`` per plane.")


def _pool_matrix(size_in, size_out):
    """(out, in): row o averages input ``floor(o * in / out) .. ceil((o + 1) * in /
    out) - 1`` (adaptive average pooling along one axis)."""
    m = np.zeros((size_out, size_in), np.float32)
    for o in range(size_out):
        lo, hi = (o * size_in) // size_out, -((-(o + 1) * size_in) // size_out)
        m[o, lo:hi] = 1.0 / (hi - lo)
    return m


def _pool_size(a, shape):
    _check4("AdaptiveAvgPooling2D", shape)
    s = tuple(a.output_size)
    if len(s) > 2 or any(v < 1 for v in s):
        raise MXNetError(f"AdaptiveAvgPooling2D: output_size must be () , (s,) or (h, w) "
                         f"with positive sides, got {s}")
    return (1, 1) if not s else (s[0], s[0]) if len(s) == 1 else s


def _adaptive_mats(k, a, x, transpose=False):
    ho, wo = _pool_size(a, x.shape)
    return _mats_on(k, (_pool_matrix(x.shape[2], ho), _pool_matrix(x.shape[3], wo)),
                    x.dtype, transpose)


register("_contrib_AdaptiveAvgPooling2D",
         lambda k, a, data: _separable(k, data, *_adaptive_mats(k, a, data)),
         params={"output_size": Param("shape", (), doc="(), (s,) or (h, w)")},
         shape=lambda a, s: tuple(s[:2]) + tuple(_pool_size(a, s)),
         gradient=lambda F, a, xs, ys, dys: [
             F._backward_contrib_AdaptiveAvgPooling2D(dys[0], xs[0], **a)],
         doc="""Adaptive average pooling of data (N, C, H, W) to (N, C, *output_size).

Output cell (i, j) is the mean of input rows ``floor(i * H / Ho) .. ceil((i + 1) * H /
Ho) - 1`` and the same for columns (windows may overlap).  output_size ``()`` means
(1, 1) (MXNet 1.9.1 crashes on it), one number a square.  Gradient: each cell's
out_grad spread evenly over its window.""")

register("_backward_contrib_AdaptiveAvgPooling2D",
         lambda k, a, dy, data: _separable(k, dy, *_adaptive_mats(k, a, data, True)),
         inputs=("ograd", "data"), params={"output_size": Param("shape", ())},
         infer_shape=lambda a, s: (s, [s[1]]),
         doc="AdaptiveAvgPooling2D's gradient w.r.t. data (the transposed pooling).")


# ---- boolean_mask, index_copy, index_array, arange_like ------------------------------

def _mask_rows(k, op, data, index, axis):
    if len(index.shape) != 1 or index.shape[0] != data.shape[axis]:
        raise MXNetError(f"{op}: index must be 1-D of data.shape[{axis}] = "
                         f"{data.shape[axis]}, got {tuple(index.shape)}")
    return k.from_numpy(np.flatnonzero(k.to_numpy(index)).astype(np.int64))


def _boolean_mask(k, a, data, index):
    return k.take(data, _mask_rows(k, "boolean_mask", data, index, a.axis), a.axis)


register("_contrib_boolean_mask", _boolean_mask, inputs=("data", "index"),
         params={"axis": Param("int", 0)},
         infer_shape=lambda a, s: (s, [None]),
         gradient=lambda F, a, xs, ys, dys: [
             F._backward_contrib_boolean_mask(dys[0], *xs, **a), F.zeros_like(xs[1])],
         doc="""The slices of data along axis (0) where index (1-D) is nonzero, in order:
``data[index != 0]``.  The output's length depends on the values (unknown to shape
inference).  Gradient: out_grad put back at the selected rows, zero elsewhere.""")

register("_backward_contrib_boolean_mask",
         lambda k, a, dy, data, index: k.scatter_add(
             tuple(data.shape), _mask_rows(k, "boolean_mask", data, index, a.axis), dy,
             a.axis, dy.dtype),
         inputs=("ograd", "data", "index"), params={"axis": Param("int", 0)},
         infer_shape=lambda a, s: (s, [s[1]]),
         doc="boolean_mask's gradient: out_grad scattered back to the kept rows.")


def _copy_rows(k, old, index, new):
    """(int64 index, hit (N, 1, ...) 1 at the replaced rows) for index_copy."""
    op = "index_copy"
    if len(index.shape) != 1 or tuple(new.shape) != (index.shape[0],) + tuple(old.shape[1:]):
        raise MXNetError(f"{op}: needs index (M,) and new_tensor (M,) + old.shape[1:]; got "
                         f"old {tuple(old.shape)}, index {tuple(index.shape)}, new "
                         f"{tuple(new.shape)}")
    idx = k.astype(index, "int64")
    ones = k.full((index.shape[0],), 1, old.dtype)
    hit = k.scatter_add((old.shape[0],), idx, ones, 0, old.dtype)
    hit = k.broadcast_to(k.reshape(hit, (old.shape[0],) + (1,) * (len(old.shape) - 1)),
                         old.shape)
    return idx, k.binary("greater", hit, 0.0)


def _index_copy(k, a, old, index, new):
    idx, hit = _copy_rows(k, old, index, new)
    placed = k.scatter_add(tuple(old.shape), idx, new, 0, old.dtype)
    return k.where(hit, placed, old)


register("_contrib_index_copy", _index_copy, inputs=("old_tensor", "index_vector",
                                                     "new_tensor"),
         shape=lambda a, o, i, n: tuple(o),
         gradient=lambda F, a, xs, ys, dys: list(
             F._contrib_backward_index_copy(dys[0], *xs)),
         doc="""A copy of old_tensor (N, ...) whose rows ``index_vector[i]`` are replaced
by ``new_tensor[i]`` (new_tensor (M, ...)).  Gradient: old_tensor gets out_grad with the
replaced rows zeroed, new_tensor gets ``out_grad[index_vector]``, the index zero.""")


def _backward_index_copy(k, a, dy, old, index, new):
    idx, hit = _copy_rows(k, old, index, new)
    d_old = k.where(hit, k.full(tuple(old.shape), 0, dy.dtype), dy)
    return d_old, k.full(tuple(index.shape), 0, index.dtype), k.take(dy, idx, 0)


register("_contrib_backward_index_copy", _backward_index_copy,
         inputs=("ograd", "old_tensor", "index_vector", "new_tensor"),
         outputs=("old_grad", "index_grad", "new_grad"),
         infer_shape=lambda a, s: (s, [s[1], s[2], s[3]]),
         infer_type=lambda a, t: (t, [t[1], t[2], t[3]]),
         doc="index_copy's gradients (old_tensor, index_vector, new_tensor).")


def _index_axes(a, ndim):
    axes = range(ndim) if a.axes is None else a.axes
    out = []
    for ax in axes:
        if not -ndim <= ax < ndim:
            raise MXNetError(f"index_array: axis {ax} out of range for {ndim}-D data")
        out.append(ax % ndim)
    return out


def _index_array(k, a, data):
    grid = np.indices(tuple(data.shape), dtype=np.int64)
    axes = _index_axes(a, len(data.shape))
    return k.from_numpy(np.stack([grid[i] for i in axes], -1).reshape(
        tuple(data.shape) + (len(axes),)))


register("_contrib_index_array", _index_array,
         params={"axes": Param("shape", None, doc="which indices; None: all axes")},
         shape=lambda a, s: tuple(s) + (len(_index_axes(a, len(s))),),
         infer_type=lambda a, t: (t, [np.dtype("int64")]),
         gradient=lambda F, a, xs, ys, dys: [F.zeros_like(xs[0])],
         doc="""For every element of data, its index: int64 (*data.shape, len(axes));
``out[i, j, ..., :] = (i, j, ...)`` restricted to ``axes`` (default all).  Zero
gradient (only data's shape is used).""")


def _arange_len(a, shape):
    if a.axis is None:
        return tuple(shape)
    if not -len(shape) <= a.axis < len(shape):
        raise MXNetError(f"arange_like: axis {a.axis} out of range for {tuple(shape)}")
    return (shape[a.axis],)


def _arange_like(k, a, data):
    shape = _arange_len(a, data.shape)
    n = math.prod(shape)
    i = np.floor(np.arange(n, dtype=np.float64) / a.repeat)
    return k.from_numpy((a.start + i * a.step).astype(data.dtype).reshape(shape))


register("_contrib_arange_like", _arange_like, aliases=("_npx_arange_like",),
         params={"start": Param("float", 0.0), "step": Param("float", 1.0),
                 "repeat": Param("int", 1), "ctx": Param("str", None, doc="ignored"),
                 "axis": Param("int", None, doc="None: data's shape; else its length")},
         shape=lambda a, s: _arange_len(a, s),
         gradient=lambda F, a, xs, ys, dys: [F.zeros_like(xs[0])],
         doc="""``start + floor(i / repeat) * step`` for the flat index i, in data's shape
and dtype (or, with axis, a 1-D array of data.shape[axis]).  Zero gradient.""")


# ---- small math ----------------------------------------------------------------------

def _div_sqrt_dim(k, a, data):
    return k.binary("divide", data, float(math.sqrt(data.shape[-1])))


register("_contrib_div_sqrt_dim", _div_sqrt_dim,
         gradient=lambda F, a, xs, ys, dys: [F._contrib_div_sqrt_dim(dys[0])],
         doc="""``data / sqrt(data.shape[-1])`` (scaled dot-product attention's
scaling).  Gradient ``out_grad / sqrt(d)``.""")


def _quadratic(k, a, data):
    y = k.binary("multiply", k.binary("add", k.binary("multiply", data, a.a), a.b), data)
    return k.binary("add", y, a.c)


register("_contrib_quadratic", _quadratic,
         params={"a": Param("float", 0.0), "b": Param("float", 0.0),
                 "c": Param("float", 0.0)},
         gradient=lambda F, a, xs, ys, dys: [
             dys[0] * F._contrib_quadratic(xs[0], a=0.0, b=2 * a.a, c=a.b)],
         doc="""``a * x^2 + b * x + c`` elementwise (MXNet's "how to write an op" example,
computed as ``(a * x + b) * x + c``).  Gradient ``out_grad * (2 a x + b)``.""")

register("_contrib_gradientmultiplier", lambda k, a, data: k.copy(data),
         params={"scalar": Param("float", REQUIRED, doc="the gradient's factor")},
         gradient=lambda F, a, xs, ys, dys: [F._mul_scalar(dys[0], scalar=a.scalar)],
         doc="""The identity, whose gradient is ``scalar * out_grad`` (a negative scalar
makes a gradient reversal layer, as in domain-adversarial training).""")


def _allclose(k, a, x, y):
    if tuple(x.shape) != tuple(y.shape):
        raise MXNetError(f"allclose: a and b must have one shape, got {tuple(x.shape)} "
                         f"and {tuple(y.shape)}")
    p, q = k.to_numpy(x), k.to_numpy(y)
    ok = np.allclose(p, q, rtol=a.rtol, atol=a.atol, equal_nan=a.equal_nan)
    return k.from_numpy(np.array(ok, np.uint8))


register("_contrib_allclose", _allclose, inputs=("a", "b"),
         params={"rtol": Param("float", 1e-5), "atol": Param("float", 1e-8),
                 "equal_nan": Param("bool", True)},
         shape=lambda a, x, y: (), infer_type=lambda a, t: (t, [np.dtype("uint8")]),
         doc="""1 (uint8, shape ()) when ``|a - b| <= atol + rtol * |b|`` everywhere
(NaNs equal when equal_nan, the default), else 0.  No gradient.""")
