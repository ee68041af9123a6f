"""Legacy spatial operators of MXNet's vision layers: ``Crop``, ``GridGenerator``,
``BilinearSampler``, ``SpatialTransformer`` and ``ROIPooling``.

``Crop`` cuts an (h, w) window out of NCHW images; its gradient writes ``dy`` back into
zeros at the same place (``_backward_Crop``), and the gradient of that is ``Crop`` again:
cropping and zero-padding are adjoint data movements.
"""
import math

import numpy as np

from ..base import MXNetError
from .registry import REQUIRED, Param, register


def _crop_window(a, shapes):
    """``(top, left, h, w)`` of the window Crop takes from data of ``shapes[0]``."""
    op = "Crop"
    data = tuple(shapes[0])
    if len(data) != 4:
        raise MXNetError(f"{op}: data must be 4-D (N, C, H, W), got shape {data}")
    if len(shapes) == 2:
        like = tuple(shapes[1])
        if len(like) != 4:
            raise MXNetError(f"{op}: crop_like must be 4-D (N, C, H, W), got shape {like}")
        h, w = like[2:]
    else:
        h, w = a.h_w
    H, W = data[2:]
    if a.center_crop:
        top, left = (H - h) // 2, (W - w) // 2
    else:
        top, left = a.offset
    if h < 1 or w < 1 or top < 0 or left < 0 or top + h > H or left + w > W:
        raise MXNetError(f"{op}: the window (h, w)=({h}, {w}) at offset (y, x)=({top}, "
                         f"{left}) does not fit data of shape {data}")
    return top, left, h, w


def _crop_key(a, shapes):
    top, left, h, w = _crop_window(a, shapes)
    return (slice(None), slice(None), slice(top, top + h), slice(left, left + w))


def _crop(k, a, *xs):
    if len(xs) not in (1, 2):
        raise MXNetError(f"Crop: takes data and an optional crop_like, got {len(xs)} inputs")
    return k.copy(k.getitem(xs[0], _crop_key(a, [x.shape for x in xs])))


def _crop_shape(a, in_shapes):
    if in_shapes[0] is None or any(s is None for s in in_shapes):
        return in_shapes, [None]
    _, _, h, w = _crop_window(a, in_shapes)
    return in_shapes, [tuple(in_shapes[0][:2]) + (h, w)]


_CROP_PARAMS = {
    "num_args": Param("int", 1, doc="1 (data) or 2 (data, crop_like)"),
    "offset": Param("shape", (0, 0), doc="(y, x) of the window's top-left corner"),
    "h_w": Param("shape", (0, 0), doc="(h, w) of the window when there is no crop_like"),
    "center_crop": Param("bool", False, doc="center the window (offset is ignored)"),
}


def _crop_gradient(F, a, xs, ys, dys):
    dx = F._backward_Crop(dys[0], *xs, **a)
    return [dx] + [F.zeros_like(x) for x in xs[1:]]


register("Crop", _crop, inputs="*data", params=_CROP_PARAMS, infer_shape=_crop_shape,
         gradient=_crop_gradient,
         doc="""Crop NCHW images to an (h, w) window.

``out = data[:, :, y:y+h, x:x+w]``.  The window's size is ``h_w``, or the H and W of
a second input ``crop_like`` (``num_args=2``); its corner is ``offset`` = (y, x), or,
with ``center_crop=True``, ``((H - h) // 2, (W - w) // 2)``.  The gradient of data is
``dy`` placed into zeros at the window; crop_like gets a zero gradient.  (Not the
``crop`` op, which is an alias of ``slice``.)""")


def _backward_crop(k, a, dy, *xs):
    key = _crop_key(a, [x.shape for x in xs])
    dx = k.full(tuple(xs[0].shape), 0, dy.dtype)
    k.setitem(dx, key, dy)
    return dx


register("_backward_Crop", _backward_crop, inputs="*data", params=_CROP_PARAMS,
         infer_shape=lambda a, s: (s, [s[1]]),
         gradient=lambda F, a, xs, ys, dys: [
             F.Crop(dys[0], *xs[2:], **dict(a, num_args=len(xs) - 1))] + [None] * (len(xs) - 1),
         doc="""Crop's gradient: inputs (out_grad, data[, crop_like]); ``out_grad`` written
into zeros of data's shape at the window.  Linear in out_grad; its gradient is Crop.""")


# ---- GridGenerator, BilinearSampler, SpatialTransformer --------------------------------
# A sampling grid holds, for every output pixel, the source position (x, y) in normalized
# coordinates: -1 is the first pixel's centre, +1 the last one's.  Channel 0 is x, 1 is y.

def _target_grid(k, H, W, dtype):
    """The identity grid of an (H, W) output as a (3, H*W) array of rows (x, y, 1):
    ``x_j = -1 + j * 2 / (W - 1)``, ``y_i = -1 + i * 2 / (H - 1)``.  Built on the host
    from the shape alone.  (A side of 1 divides by zero: NaN, as MXNet.)"""
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = -1.0 + np.arange(W) * (np.float64(2.0) / (W - 1))
        ys = -1.0 + np.arange(H) * (np.float64(2.0) / (H - 1))
    x, y = np.meshgrid(xs, ys)
    dst = np.stack([x.reshape(-1), y.reshape(-1), np.ones(H * W)]).astype(dtype)
    return k.from_numpy(dst)


def _grid_attrs(a, shape):
    """Check GridGenerator's data ``shape``; return the output's (H, W)."""
    op, shape = "GridGenerator", tuple(shape)
    if a.transform_type == "affine":
        if len(shape) != 2 or shape[1] != 6:
            raise MXNetError(f"{op}: transform_type='affine' needs data of shape (batch, 6),"
                             f" got {shape}")
        if len(a.target_shape) != 2 or min(a.target_shape) < 1:
            raise MXNetError(f"{op}: transform_type='affine' needs target_shape (H, W) with "
                             f"H, W >= 1, got {tuple(a.target_shape)}")
        return tuple(a.target_shape)
    if len(shape) != 4 or shape[1] != 2:
        raise MXNetError(f"{op}: transform_type='warp' needs a flow of shape (batch, 2, H, "
                         f"W), got {shape}")
    return shape[2:]


def _warp_scale(k, H, W, dtype):
    """Per-channel factors ``(2 / (W - 1), 2 / (H - 1))`` as a (1, 2, 1, 1) array."""
    with np.errstate(divide="ignore"):
        s = np.float64(2.0) / (np.array([W, H], np.float64) - 1)
    return k.from_numpy(s.reshape(1, 2, 1, 1).astype(dtype))


def _affine_grid(k, theta, H, W):
    """``grid[n] = theta[n].reshape(2, 3) @ target_grid``, shaped (N, 2, H, W)."""
    n = theta.shape[0]
    dst = k.broadcast_to(k.reshape(_target_grid(k, H, W, theta.dtype), (1, 3, H * W)),
                         (n, 3, H * W))
    return k.reshape(k.batch_matmul(k.reshape(theta, (n, 2, 3)), dst), (n, 2, H, W))


def _grid_generator(k, a, data):
    H, W = _grid_attrs(a, data.shape)
    if a.transform_type == "affine":
        return _affine_grid(k, data, H, W)
    # warp: pixel offsets (flow) plus the pixel's own position, then normalized
    n = data.shape[0]
    pix = k.from_numpy(_pixel_positions(H, W, data.dtype))
    pos = k.binary("add", data, k.broadcast_to(pix, (n, 2, H, W)))
    scale = k.broadcast_to(_warp_scale(k, H, W, data.dtype), (n, 2, H, W))
    return k.binary("subtract", k.binary("multiply", pos, scale), 1.0)


def _pixel_positions(H, W, dtype):
    """(1, 2, H, W) host array: channel 0 the column j, channel 1 the row i."""
    y, x = np.mgrid[0:H, 0:W]
    return np.stack([x, y])[None].astype(dtype)


def _grid_generator_shape(a, s):
    if s[0] is None:
        return s, [None]
    return s, [(s[0][0], 2) + _grid_attrs(a, s[0])]


_GRID_PARAMS = {
    "transform_type": Param("str", REQUIRED, choices=("affine", "warp"),
                            doc="'affine': data is (N, 6); 'warp': data is a flow (N, 2, H, W)"),
    "target_shape": Param("shape", (0, 0), doc="(H, W) of the output grid ('affine' only)"),
}

register("GridGenerator", _grid_generator, params=_GRID_PARAMS,
         infer_shape=_grid_generator_shape,
         gradient=lambda F, a, xs, ys, dys: [F._backward_GridGenerator(dys[0], xs[0], **a)],
         doc="""Make a sampling grid (N, 2, H, W) for ``BilinearSampler``.

* ``transform_type='affine'``: data (N, 6) is a 2x3 matrix ``theta`` per sample and
  ``grid[n, :, i, j] = theta[n] @ (x_j, y_i, 1)`` with ``x_j = -1 + 2j / (W - 1)``,
  ``y_i = -1 + 2i / (H - 1)`` and ``(H, W) = target_shape`` (required).
* ``transform_type='warp'``: data is an optical flow (N, 2, H, W) in pixels and
  ``grid[n, 0, i, j] = (flow[n, 0, i, j] + j) / ((W - 1) / 2) - 1`` (x), likewise
  channel 1 with ``i`` and ``H`` (y); target_shape is ignored.

Both are linear in data; the gradient is ``_backward_GridGenerator``.  MXNet quirk kept:
an output side of 1 divides by zero and gives NaN.  Difference: MXNet's CPU kernel takes
float32 only ("Other DTypes are not supported!"); pymx takes any float dtype.""")


def _backward_grid_generator(k, a, dy, data):
    H, W = _grid_attrs(a, data.shape)
    n = data.shape[0]
    if a.transform_type == "affine":       # d theta = dy (N, 2, HW) @ target_grid^T
        dst = k.broadcast_to(k.reshape(_target_grid(k, H, W, dy.dtype), (1, 3, H * W)),
                             (n, 3, H * W))
        return k.reshape(k.batch_matmul(k.reshape(dy, (n, 2, H * W)), dst,
                                        transpose_b=True), (n, 6))
    scale = k.broadcast_to(_warp_scale(k, H, W, dy.dtype), (n, 2, H, W))
    return k.binary("multiply", dy, scale)


register("_backward_GridGenerator", _backward_grid_generator, inputs=("ograd", "data"),
         params=_GRID_PARAMS, infer_shape=lambda a, s: (s, [s[1]]),
         doc="""GridGenerator's gradient w.r.t. data, inputs (out_grad, data):
``dy.reshape(N, 2, H*W) @ target_grid.T`` flattened to (N, 6) for 'affine';
``dy * (2 / (W - 1), 2 / (H - 1))`` per channel for 'warp'.""")


def _check_sampler(op, data, grid):
    if len(data) != 4 or len(grid) != 4 or grid[1] != 2 or grid[0] != data[0]:
        raise MXNetError(f"{op}: needs data (N, C, H, W) and grid (N, 2, H_out, W_out) "
                         f"with the same N, got data {tuple(data)} and grid {tuple(grid)}")


def _corners(k, grid, H, W):
    """The four neighbours of every sampling point, as ``(pos, wx, wy, sx, sy, ok)``:
    ``pos`` (N, 1, P) the flat position ``y * W + x`` (clipped into the image), ``wx,
    wy`` the bilinear weights, ``sx, sy`` their derivatives' signs, ``ok`` 1 where the
    neighbour lies inside the image (outside pixels count as 0, as MXNet)."""
    n, _, ho, wo = grid.shape
    p = ho * wo
    g = k.reshape(grid, (n, 2, p))

    def real(c, side):                     # (g + 1) * (side - 1) / 2, in pixels
        v = k.reshape(k.copy(k.getitem(g, (slice(None), slice(c, c + 1)))), (n, 1, p))
        return k.binary("divide", k.binary("multiply", k.binary("add", v, 1.0),
                                           float(side - 1)), 2.0)

    x, y = real(0, W), real(1, H)
    x0, y0 = k.unary("floor", x), k.unary("floor", y)
    fx, fy = k.binary("subtract", x, x0), k.binary("subtract", y, y0)
    out = []
    for dy_ in (0, 1):
        for dx_ in (0, 1):
            xi, yi = k.binary("add", x0, float(dx_)), k.binary("add", y0, float(dy_))
            ok = k.binary("multiply",
                          k.binary("multiply", k.binary("greater_equal", xi, 0.0),
                                   k.binary("lesser_equal", xi, float(W - 1))),
                          k.binary("multiply", k.binary("greater_equal", yi, 0.0),
                                   k.binary("lesser_equal", yi, float(H - 1))))
            pos = k.binary("add", k.binary("multiply", k.clip(yi, 0, H - 1), float(W)),
                           k.clip(xi, 0, W - 1))
            wx = fx if dx_ else k.binary("subtract", k.full(fx.shape, 1, fx.dtype), fx)
            wy = fy if dy_ else k.binary("subtract", k.full(fy.shape, 1, fy.dtype), fy)
            out.append((k.astype(pos, "int64"), wx, wy, 1.0 if dx_ else -1.0,
                        1.0 if dy_ else -1.0, ok))
    return out


def _gather(k, data, pos):
    """``data`` (N, C, H, W) at flat positions ``pos`` (N, 1, P): (N, C, P)."""
    n, c, h, w = data.shape
    return k.take_along_axis(k.reshape(data, (n, c, h * w)),
                             k.broadcast_to(pos, (n, c, pos.shape[2])), 2)


def _bilinear(k, data, grid):
    """``out = sum over the 4 neighbours of ok * wx * wy * data[neighbour]``."""
    n, c = data.shape[:2]
    ho, wo = grid.shape[2:]
    out = None
    for pos, wx, wy, _, _, ok in _corners(k, grid, *data.shape[2:]):
        w = k.broadcast_to(k.binary("multiply", k.binary("multiply", wx, wy), ok),
                           (n, c, ho * wo))
        term = k.binary("multiply", _gather(k, data, pos), w)
        out = term if out is None else k.binary("add", out, term)
    return k.reshape(out, (n, c, ho, wo))


def _bilinear_sampler(k, a, data, grid):
    _check_sampler("BilinearSampler", data.shape, grid.shape)
    return _bilinear(k, data, grid)


def _sampler_shape(a, s):
    if s[0] is None or s[1] is None:
        return s, [None]
    _check_sampler("BilinearSampler", s[0], s[1])
    return s, [tuple(s[0][:2]) + tuple(s[1][2:])]


register("BilinearSampler", _bilinear_sampler, inputs=("data", "grid"),
         params={"cudnn_off": Param("bool", None, optional=True, doc="ignored (no cuDNN)")},
         infer_shape=_sampler_shape,
         gradient=lambda F, a, xs, ys, dys: list(
             F._backward_BilinearSampler(dys[0], *xs)),
         doc="""Sample data (N, C, H, W) at the points of grid (N, 2, Ho, Wo): (N, C, Ho, Wo).

The grid holds normalized (x, y) in [-1, 1] (channel 0 is x); in pixels
``x' = (x + 1) * (W - 1) / 2``, ``y' = (y + 1) * (H - 1) / 2``, and the output is the
bilinear interpolation of the four pixels around (x', y'); pixels outside the image
count as 0 (so points far outside give 0).  Gradients (``_backward_BilinearSampler``):
data gets ``dy`` spread to the four pixels with the bilinear weights; the grid gets the
exact derivative of the interpolation w.r.t. x' and y' (summed over channels), times
``(W - 1) / 2`` and ``(H - 1) / 2``.  The weights' kinks at whole pixels are not
smoothed, as MXNet.""")


def _backward_bilinear(k, a, dy, data, grid):
    n, c, h, w = data.shape
    ho, wo = grid.shape[2:]
    p = ho * wo
    g = k.reshape(dy, (n, c, p))
    ddata = None
    dxy = [None, None]                    # d out / d x', d out / d y', summed over C
    for pos, wx, wy, sx, sy, ok in _corners(k, grid, h, w):
        okb = k.broadcast_to(ok, (n, c, p))
        wts = k.broadcast_to(k.binary("multiply", wx, wy), (n, c, p))
        posb = k.broadcast_to(pos, (n, c, p))
        part = k.scatter_add_along_axis((n, c, h * w), posb, k.binary(
            "multiply", g, k.binary("multiply", wts, okb)), 2, data.dtype)
        ddata = part if ddata is None else k.binary("add", ddata, part)
        gv = k.binary("multiply", g, k.binary("multiply", _gather(k, data, pos), okb))
        for i, (other, s) in enumerate(((wy, sx), (wx, sy))):  # d(wx*wy)/dx = sx * wy
            t = k.reduce("sum", k.binary("multiply", gv, k.broadcast_to(
                k.binary("multiply", other, s), (n, c, p))), (1,), True)
            dxy[i] = t if dxy[i] is None else k.binary("add", dxy[i], t)
    dgrid = k.concat([k.binary("divide", k.binary("multiply", dxy[0], float(w - 1)), 2.0),
                      k.binary("divide", k.binary("multiply", dxy[1], float(h - 1)), 2.0)],
                     1)
    return k.reshape(ddata, (n, c, h, w)), k.reshape(dgrid, (n, 2, ho, wo))


register("_backward_BilinearSampler", _backward_bilinear, inputs=("ograd", "data", "grid"),
         params={"cudnn_off": Param("bool", None, optional=True)},
         outputs=("data_grad", "grid_grad"), infer_shape=lambda a, s: (s, [s[1], s[2]]),
         doc="""BilinearSampler's gradients (data_grad, grid_grad) from inputs (out_grad,
data, grid); see BilinearSampler.""")


def _spatial_transformer(k, a, data, loc):
    op = "SpatialTransformer"
    if len(data.shape) != 4 or tuple(loc.shape) != (data.shape[0], 6):
        raise MXNetError(f"{op}: needs data (N, C, H, W) and loc (N, 6), got data "
                         f"{tuple(data.shape)} and loc {tuple(loc.shape)}")
    H, W = a.target_shape
    if H < 1 or W < 1:
        raise MXNetError(f"{op}: needs target_shape (H, W) with H, W >= 1, got "
                         f"{tuple(a.target_shape)}")
    return _bilinear(k, data, _affine_grid(k, loc, H, W))


def _affine(a):
    """GridGenerator's attributes for SpatialTransformer's attributes ``a``."""
    return {"transform_type": "affine", "target_shape": tuple(a.target_shape)}


def _spatial_transformer_shape(a, s):
    if s[0] is None:
        return s, [None]
    H, W = a.target_shape
    return [s[0], (s[0][0], 6)], [tuple(s[0][:2]) + (H, W)]


def _spatial_transformer_gradient(F, a, xs, ys, dys):
    data, loc = xs
    grid = F.GridGenerator(loc, **_affine(a))
    ddata, dgrid = F._backward_BilinearSampler(dys[0], data, grid)
    return [ddata, F._backward_GridGenerator(dgrid, loc, **_affine(a))]


register("SpatialTransformer", _spatial_transformer, inputs=("data", "loc"),
         params={"target_shape": Param("shape", (0, 0), doc="(H, W) of the output"),
                 "transform_type": Param("str", REQUIRED, choices=("affine",)),
                 "sampler_type": Param("str", REQUIRED, choices=("bilinear",)),
                 "cudnn_off": Param("bool", None, optional=True, doc="ignored")},
         infer_shape=_spatial_transformer_shape, gradient=_spatial_transformer_gradient,
         doc="""A spatial transformer network's sampler: ``BilinearSampler(data,
GridGenerator(loc, transform_type='affine', target_shape=target_shape))``.

data (N, C, H, W), loc (N, 6) (a 2x3 affine matrix per sample, e.g. from a localisation
net initialised to the identity ``[1, 0, 0, 0, 1, 0]``); the output is (N, C, *target_shape).
Forward and both gradients are those of the two ops chained (checked against MXNet).
Difference: MXNet's CPU version rejects float16 ("FP16 gemm on cpu not implemented");
pymx takes it.""")


# ---- ROIPooling ----------------------------------------------------------------------

def _roi_bins(a, data_shape, rois):
    """Host bookkeeping from the (small) rois array: ``(flat, mask, empty)`` where
    ``flat`` (R, C, P, K) holds positions in ``data.reshape(-1)`` of the K pixels of each
    of the P = ph * pw bins (padded), ``mask`` (R, 1, P, K) marks the real ones and
    ``empty`` (R, 1, P) the bins without pixels."""
    op = "ROIPooling"
    n, c, h, w = data_shape
    ph, pw = a.pooled_size
    rnd = lambda v: int(np.sign(v) * np.floor(abs(v) + 0.5))   # C round(): half away
    bins = []
    for r, (b, x1, y1, x2, y2) in enumerate(np.asarray(rois, np.float64)):
        b = int(b)                          # truncated, as MXNet's static_cast<int>
        if not 0 <= b < n:
            raise MXNetError(f"{op}: rois[{r}] has batch index {b}, data has batch size {n}")
        sw, sh, ew, eh = (rnd(v * a.spatial_scale) for v in (x1, y1, x2, y2))
        bh, bw = max(eh - sh + 1, 1) / ph, max(ew - sw + 1, 1) / pw
        for i in range(ph):
            hs, he = (min(max(v + sh, 0), h) for v in (int(np.floor(i * bh)),
                                                     int(np.ceil((i + 1) * bh))))
            for j in range(pw):
                ws, we = (min(max(v + sw, 0), w) for v in (int(np.floor(j * bw)),
                                                         int(np.ceil((j + 1) * bw))))
                yy, xx = np.mgrid[hs:he, ws:we]
                bins.append((b, (yy * w + xx).reshape(-1)))
    k_max = max([len(p) for _, p in bins] + [1])
    R, P = len(rois), ph * pw
    pos = np.zeros((R * P, k_max), np.int64)
    mask = np.zeros((R * P, k_max), bool)
    base = np.zeros((R * P, 1), np.int64)
    for i, (b, p) in enumerate(bins):
        pos[i, :len(p)], mask[i, :len(p)], base[i] = p, True, b * c * h * w
    chan = (np.arange(c, dtype=np.int64) * h * w).reshape(1, c, 1, 1)
    flat = (base + pos).reshape(R, 1, P, k_max) + chan
    return flat, mask.reshape(R, 1, P, k_max), ~mask.any(1).reshape(R, 1, P)


def _check_roi(data, rois):
    if len(data) != 4 or len(rois) != 2 or rois[1] != 5:
        raise MXNetError(f"ROIPooling: needs data (N, C, H, W) and rois (R, 5) rows "
                         f"[batch_index, x1, y1, x2, y2], got data {tuple(data)} and rois "
                         f"{tuple(rois)}")


def _roi_values(k, a, data, rois):
    """``(values, flat, empty)``: values (R, C, P, K) of every bin's pixels, -inf at
    padding; flat and empty as ``_roi_bins`` (on the device)."""
    _check_roi(data.shape, rois.shape)
    flat, mask, empty = _roi_bins(a, tuple(data.shape), k.to_numpy(rois))
    shape = tuple(flat.shape[:1]) + (data.shape[1],) + tuple(flat.shape[2:])
    flat = k.from_numpy(np.broadcast_to(flat, shape).copy())
    vals = k.take(k.reshape(data, (math.prod(data.shape),)), k.reshape(
        flat, (math.prod(shape),)), 0)
    mask = k.broadcast_to(k.from_numpy(mask), shape)
    vals = k.where(mask, k.reshape(vals, shape), k.full(shape, -math.inf, data.dtype))
    return vals, flat, k.broadcast_to(k.from_numpy(empty), shape[:3])


def _roi_pooling(k, a, data, rois):
    vals, _, empty = _roi_values(k, a, data, rois)
    r, c, p, _ = vals.shape
    best = k.reduce("max", vals, (3,), False)
    out = k.where(empty, k.full((r, c, p), 0, data.dtype), best)
    return k.reshape(out, (r, c) + tuple(a.pooled_size))


def _roi_shape(a, s):
    if s[0] is None or s[1] is None:
        return s, [None]
    _check_roi(s[0], s[1])
    return s, [(s[1][0], s[0][1]) + tuple(a.pooled_size)]


_ROI_PARAMS = {
    "pooled_size": Param("shape", REQUIRED, doc="(ph, pw) of the output per region"),
    "spatial_scale": Param("float", REQUIRED, doc="rois coordinates times this give "
                                                  "feature-map pixels (1 / total stride)"),
}

register("ROIPooling", _roi_pooling, inputs=("data", "rois"), params=_ROI_PARAMS,
         infer_shape=_roi_shape,
         gradient=lambda F, a, xs, ys, dys: [
             F._backward_ROIPooling(dys[0], *xs, **a), F.zeros_like(xs[1])],
         doc="""Max pooling over regions of interest (Fast R-CNN): (R, C, ph, pw).

data (N, C, H, W); rois (R, 5), rows ``[batch_index, x1, y1, x2, y2]`` in image
coordinates.  Each corner is scaled by ``spatial_scale`` and rounded (half away from
zero); the region ``y1..y2, x1..x2`` (inclusive, at least 1x1) is cut into ph x pw bins
of size ``(y2 - y1 + 1) / ph`` by ``(x2 - x1 + 1) / pw``: bin (i, j) covers rows
``floor(i * bh) .. ceil((i + 1) * bh)`` from y1 (clipped to the image), and the output is
the maximum there, or 0 for a bin that lies outside the image.  The gradient goes to the
first maximum of each bin (``_backward_ROIPooling``); rois get a zero gradient, as MXNet.
Difference from MXNet: a batch index outside [0, N) raises MXNetError (MXNet's release
build does not check it).  The region bookkeeping reads rois on the host.""")


def _backward_roi_pooling(k, a, dy, data, rois):
    vals, flat, empty = _roi_values(k, a, data, rois)
    r, c, p, _ = vals.shape
    first = k.reshape(k.argmax(vals, 3, True), (r, c, p, 1))      # first maximum
    at = k.reshape(k.take_along_axis(flat, first, 3), (r * c * p,))
    g = k.where(empty, k.full((r, c, p), 0, dy.dtype), k.reshape(dy, (r, c, p)))
    dx = k.scatter_add((math.prod(data.shape),), at, k.reshape(g, (r * c * p,)), 0,
                       data.dtype)
    return k.reshape(dx, tuple(data.shape))


register("_backward_ROIPooling", _backward_roi_pooling, inputs=("ograd", "data", "rois"),
         params=_ROI_PARAMS, infer_shape=lambda a, s: (s, [s[1]]),
         doc="""ROIPooling's gradient w.r.t. data, inputs (out_grad, data, rois): each
bin's out_grad added at its first maximum (nothing for empty bins).""")


# ---- Correlation (FlowNet) -----------------------------------------------------------

def _corr_geometry(a, s1, s2):
    """``(top_h, top_w, radius, grid_w)`` of Correlation for data shapes s1, s2."""
    op = "Correlation"
    if len(s1) != 4 or tuple(s1) != tuple(s2):
        raise MXNetError(f"{op}: data1 and data2 must be 4-D (N, C, H, W) of one shape, "
                         f"got {tuple(s1)} and {tuple(s2)}")
    if a.kernel_size % 2 == 0:
        raise MXNetError(f"{op}: kernel_size must be odd, got {a.kernel_size}")
    border = a.max_displacement + (a.kernel_size - 1) // 2
    top_h, top_w = (-(-(side + 2 * a.pad_size - 2 * border) // a.stride1)
                    for side in s1[2:])
    if top_h < 1 or top_w < 1:
        raise MXNetError(f"{op}: the neighbourhood (max_displacement={a.max_displacement}) "
                         f"and kernel (kernel_size={a.kernel_size}) do not fit data of "
                         f"shape {tuple(s1)} padded by {a.pad_size}")
    radius = a.max_displacement // a.stride2
    return top_h, top_w, radius, 2 * radius + 1


def _corr_windows(a, shape):
    """For every output channel (a displacement) and kernel offset: the slices of the
    padded data1 and data2 that meet, ``(channel, key1, key2)``."""
    top_h, top_w, radius, grid_w = _corr_geometry(a, shape, shape)
    md, s1 = a.max_displacement, a.stride1

    def key(y, x):
        return (slice(None), slice(None), slice(y, y + s1 * (top_h - 1) + 1, s1),
                slice(x, x + s1 * (top_w - 1) + 1, s1))
    for tc in range(grid_w * grid_w):
        dx, dy = ((tc % grid_w - radius) * a.stride2, (tc // grid_w - radius) * a.stride2)
        for h in range(a.kernel_size):
            for w in range(a.kernel_size):
                yield tc, key(md + h, md + w), key(md + h + dy, md + w + dx)


def _corr_pad(k, a, x):
    p = a.pad_size
    return k.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), "constant", 0)


def _correlation(k, a, data1, data2):
    _corr_geometry(a, data1.shape, data2.shape)
    p1, p2 = _corr_pad(k, a, data1), _corr_pad(k, a, data2)
    norm = float(a.kernel_size * a.kernel_size * data1.shape[1])
    sums = {}
    for tc, key1, key2 in _corr_windows(a, data1.shape):
        u, v = k.getitem(p1, key1), k.getitem(p2, key2)
        term = k.binary("multiply", u, v) if a.is_multiply else \
            k.unary("abs", k.binary("subtract", u, v))
        term = k.reduce("sum", term, (1,), False)
        sums[tc] = term if tc not in sums else k.binary("add", sums[tc], term)
    return k.binary("divide", k.stack([sums[tc] for tc in sorted(sums)], 1), norm)


def _correlation_shape(a, s):
    if s[0] is None or s[1] is None:
        known = s[0] or s[1]
        s = [known, known]
        if known is None:
            return s, [None]
    top_h, top_w, _, grid_w = _corr_geometry(a, s[0], s[1])
    return s, [(s[0][0], grid_w * grid_w, top_h, top_w)]


_CORR_PARAMS = {
    "kernel_size": Param("int", 1, doc="side of the (odd) patch compared"),
    "max_displacement": Param("int", 1, doc="largest displacement searched"),
    "stride1": Param("int", 1, doc="stride of the patch centres in data1"),
    "stride2": Param("int", 1, doc="stride of the displacements"),
    "pad_size": Param("int", 0, doc="zero padding of both inputs"),
    "is_multiply": Param("bool", True, doc="products (True) or absolute differences"),
}

register("Correlation", _correlation, inputs=("data1", "data2"), params=_CORR_PARAMS,
         infer_shape=_correlation_shape,
         gradient=lambda F, a, xs, ys, dys: list(F._backward_Correlation(dys[0], *xs, **a)),
         doc="""FlowNet's correlation layer: compare patches of data1 with displaced
patches of data2, both (N, C, H, W) and zero-padded by ``pad_size``.

With ``k = kernel_size``, ``d = max_displacement``, ``r = d // stride2`` and
``D = 2r + 1``, the output is (N, D*D, top_h, top_w) with ``top_h = ceil((H + 2 pad -
2 (d + (k - 1) / 2)) / stride1)`` (likewise top_w), and for channel ``c = (p + r) D +
(q + r)`` (displacement ``(p, q) * stride2`` in (y, x))::

    out[n, c, i, j] = sum over channels and a k x k patch of
                      f(data1[y1 + h, x1 + w], data2[y1 + h + p s2, x1 + w + q s2]) / (k k C)

where ``(y1, x1) = (i, j) * stride1 + d`` in padded coordinates and ``f(a, b) = a b``
(``is_multiply``) or ``|a - b|``.  Gradients (``_backward_Correlation``): the
products' partners, or ``sign(a - b)`` with ``sign = 1 where a >= b`` (as MXNet, also at
a == b).  kernel_size must be odd.  Difference from MXNet: data1 and data2 of different
shapes raise MXNetError (MXNet reads out of bounds).""")


def _backward_correlation(k, a, dy, data1, data2):
    n, c, h, w = data1.shape
    p1, p2 = _corr_pad(k, a, data1), _corr_pad(k, a, data2)
    g1, g2 = k.full(tuple(p1.shape), 0, dy.dtype), k.full(tuple(p2.shape), 0, dy.dtype)
    norm = float(a.kernel_size * a.kernel_size * c)
    for tc, key1, key2 in _corr_windows(a, data1.shape):
        u, v = k.getitem(p1, key1), k.getitem(p2, key2)
        g = k.binary("divide", k.broadcast_to(k.getitem(dy, (slice(None), slice(
            tc, tc + 1))), tuple(u.shape)), norm)
        if a.is_multiply:
            d1, d2 = k.binary("multiply", g, v), k.binary("multiply", g, u)
        else:                               # d|u - v| = +-1, +1 where u >= v (as MXNet)
            sign = k.where(k.binary("greater_equal", u, v), k.full(u.shape, 1, u.dtype),
                           k.full(u.shape, -1, u.dtype))
            d1 = k.binary("multiply", g, sign)
            d2 = k.unary("negative", d1)
        k.setitem(g1, key1, k.binary("add", k.copy(k.getitem(g1, key1)), d1))
        k.setitem(g2, key2, k.binary("add", k.copy(k.getitem(g2, key2)), d2))
    inner = (slice(None), slice(None), slice(a.pad_size, a.pad_size + h),
             slice(a.pad_size, a.pad_size + w))
    return k.copy(k.getitem(g1, inner)), k.copy(k.getitem(g2, inner))


register("_backward_Correlation", _backward_correlation, inputs=("ograd", "data1", "data2"),
         params=_CORR_PARAMS, outputs=("data1_grad", "data2_grad"),
         infer_shape=lambda a, s: (s, [s[1], s[2]]),
         doc="""Correlation's gradients (data1_grad, data2_grad) from inputs (out_grad,
data1, data2); see Correlation.""")
