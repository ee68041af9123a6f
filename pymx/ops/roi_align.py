"""``_contrib_ROIAlign`` (Mask R-CNN's RoIAlign) and its gradient ``_backward_ROIAlign``.

For fixed rois the op is **linear in data**: every output element is a weighted sum of
at most ``4 * grid_h * grid_w`` input pixels.  The host reads the (small) rois array and
builds, for every output bin, the flat positions of those pixels and their weights
(``_sample_plan``); the forward is then a gather and a weighted sum, and the gradient
the transpose: a scatter-add of ``out_grad * weight`` to the same positions.  Both are
backend kernels, so the heavy part runs on any backend.
"""
import math

import numpy as np

from ..base import MXNetError
from .registry import Param, REQUIRED, register


def _axis_samples(start, bin_size, pooled, grid):
    """Sample coordinates along one axis: (pooled, grid), ``start + p * bin +
    (i + 0.5) * bin / grid``."""
    p = np.arange(pooled, dtype=np.float32).reshape(-1, 1)
    i = np.arange(grid, dtype=np.float32).reshape(1, -1)
    return np.float32(start) + p * np.float32(bin_size) + \
        (i + np.float32(0.5)) * np.float32(bin_size) / np.float32(grid)


def _bilinear_1d(v, size):
    """(low, high, weight of high, inside) for coordinates v along an axis of ``size``
    pixels, MXNet's rules: outside [-1, size] contributes nothing, below 0 clamps to 0,
    at or beyond the last pixel clamps to it."""
    inside = (v >= -1.0) & (v <= size)
    v = np.maximum(v, 0)
    low = v.astype(np.int64)
    last = low >= size - 1
    low = np.where(last, size - 1, low)
    high = np.where(last, size - 1, low + 1)
    frac = np.where(last, 0, v - low).astype(np.float32)
    return low, high, frac, inside


def _sample_plan(a, data_shape, rois):
    """``(pos, wts)``: (R, C_out, P, S) flat positions into data.reshape(-1) and their
    weights (already divided by the number of samples per bin)."""
    n, c, h, w = data_shape
    ph, pw = a.pooled_size
    c_out = c // (ph * pw) if a.position_sensitive else c
    r_n = rois.shape[0]
    off = 0.5 if a.aligned else 0.0
    plans = []
    for r in range(r_n):
        b = int(rois[r, 0])
        if not b < n:
            raise MXNetError(f"ROIAlign: rois[{r}] has batch index {b}, data has batch "
                             f"size {n}")
        x1, y1, x2, y2 = (np.float32(v) * np.float32(a.spatial_scale) - np.float32(off)
                          for v in rois[r, 1:5])
        rw, rh = x2 - x1, y2 - y1
        if a.aligned:
            if not (rw > 0 and rh > 0):
                raise MXNetError(f"ROIAlign: with aligned=True rois[{r}] must have "
                                 f"positive width and height, got {rois[r].tolist()}")
        else:
            rw, rh = max(rw, np.float32(1)), max(rh, np.float32(1))
        bh, bw = rh / np.float32(ph), rw / np.float32(pw)
        gh = a.sample_ratio if a.sample_ratio > 0 else int(math.ceil(rh / ph))
        gw = a.sample_ratio if a.sample_ratio > 0 else int(math.ceil(rw / pw))
        ly, hy, fy, iy = _bilinear_1d(_axis_samples(y1, bh, ph, gh), h)    # (ph, gh)
        lx, hx, fx, ix = _bilinear_1d(_axis_samples(x1, bw, pw, gw), w)    # (pw, gw)
        # (ph, pw, gh, gw, 4): the four neighbours of every sample
        Y = lambda t: t[:, None, :, None]                                  # noqa: E731
        X = lambda t: t[None, :, None, :]                                  # noqa: E731
        ok = (Y(iy) & X(ix)).astype(np.float32)
        pos = np.stack([Y(ly) * w + X(lx), Y(ly) * w + X(hx), Y(hy) * w + X(lx),
                        Y(hy) * w + X(hx)], -1)
        wy0, wy1, wx0, wx1 = Y(1 - fy), Y(fy), X(1 - fx), X(fx)
        wts = np.stack([wy0 * wx0, wy0 * wx1, wy1 * wx0, wy1 * wx1], -1) * ok[..., None]
        wts = wts / np.float32(gh * gw)
        pos = pos.reshape(ph * pw, -1)
        wts = wts.reshape(ph * pw, -1)
        ch = np.arange(c_out).reshape(-1, 1, 1)
        if a.position_sensitive:      # output channel c, bin p reads input channel c*P + p
            ch = ch * (ph * pw) + np.arange(ph * pw).reshape(1, -1, 1)
        valid = b >= 0                # negative batch index: output 0
        base = (max(b, 0) * c + ch) * h * w
        plans.append((base + pos[None], np.broadcast_to(wts * valid, (c_out,) + wts.shape)))
    s_max = max([p.shape[-1] for p, _ in plans] + [1])
    pos = np.zeros((r_n, c_out, ph * pw, s_max), np.int64)
    wts = np.zeros((r_n, c_out, ph * pw, s_max), np.float32)
    for r, (p, wt) in enumerate(plans):
        pos[r, ..., :p.shape[-1]] = np.broadcast_to(p, wt.shape)
        wts[r, ..., :p.shape[-1]] = wt
    return pos, wts


def _check(a, sd, sr):
    op = "ROIAlign"
    if len(sd) != 4 or len(sr) != 2 or sr[1] != 5:
        raise MXNetError(f"{op}: needs data (N, C, H, W) and rois (R, 5) rows [batch_index, "
                         f"x1, y1, x2, y2]; got data {tuple(sd)}, rois {tuple(sr)}")
    ph, pw = a.pooled_size
    if a.position_sensitive and sd[1] % (ph * pw):
        raise MXNetError(f"{op}: position_sensitive needs channels ({sd[1]}) divisible by "
                         f"pooled_size[0] * pooled_size[1] = {ph * pw}")


def _plan_on(k, a, data, rois):
    _check(a, data.shape, rois.shape)
    pos, wts = _sample_plan(a, tuple(data.shape), k.to_numpy(rois))
    return k.from_numpy(pos), k.astype(k.from_numpy(wts), data.dtype)


def _roi_align(k, a, data, rois):
    pos, wts = _plan_on(k, a, data, rois)
    flat = k.reshape(data, (math.prod(data.shape),))
    vals = k.reshape(k.take(flat, k.reshape(pos, (math.prod(pos.shape),)), 0), pos.shape)
    out = k.reduce("sum", k.binary("multiply", vals, wts), (3,), False)
    r, c = pos.shape[:2]
    return k.reshape(out, (r, c) + tuple(a.pooled_size))


def _shape(a, s):
    if s[0] is None or s[1] is None:
        return s, [None]
    _check(a, s[0], s[1])
    ph, pw = a.pooled_size
    c = s[0][1] // (ph * pw) if a.position_sensitive else s[0][1]
    return s, [(s[1][0], c, ph, pw)]


_PARAMS = {
    "pooled_size": Param("shape", REQUIRED, doc="(ph, pw) of the output per roi"),
    "spatial_scale": Param("float", REQUIRED, doc="roi coordinates times this are "
                                                  "feature-map pixels"),
    "sample_ratio": Param("int", -1, doc="samples per bin side; -1: ceil(roi / pooled)"),
    "position_sensitive": Param("bool", False, doc="R-FCN's position-sensitive pooling"),
    "aligned": Param("bool", False, doc="Detectron2's half-pixel shift"),
}

register("_contrib_ROIAlign", _roi_align, inputs=("data", "rois"), params=_PARAMS,
         infer_shape=_shape,
         gradient=lambda F, a, xs, ys, dys: [F._backward_ROIAlign(dys[0], *xs, **a),
                                             F.zeros_like(xs[1])],
         doc="""RoIAlign (He et al. 2017): (R, C, ph, pw) features of each region of
interest, without rounding.

data (N, C, H, W); rois (R, 5) rows ``[batch_index, x1, y1, x2, y2]`` in image
coordinates, scaled by spatial_scale (and shifted by -0.5 with aligned=True).  A region
(at least 1x1 unless aligned) is cut into ph x pw bins; each bin averages
``grid_h x grid_w`` bilinear samples at ``start + (i + 0.5) * bin / grid`` (grid =
sample_ratio, or ceil(bin size) when -1).  A sample outside ``[-1, size]`` counts 0; one
below 0 is moved to 0, one beyond the last pixel to it.  position_sensitive (R-FCN):
output channel c of bin p reads input channel ``c * ph * pw + p``.  Gradient: data gets
out_grad spread with the same weights; rois get zero, as MXNet.  A negative batch index
gives zeros (MXNet writes only one element of such a region and leaves the rest
unset).""")


def _backward_roi_align(k, a, dy, data, rois):
    pos, wts = _plan_on(k, a, data, rois)
    g = k.binary("multiply", k.broadcast_to(k.reshape(dy, pos.shape[:3] + (1,)), pos.shape),
                 wts)
    n = math.prod(pos.shape)
    dx = k.scatter_add((math.prod(data.shape),), k.reshape(pos, (n,)), k.reshape(g, (n,)),
                       0, data.dtype)
    return k.reshape(dx, tuple(data.shape))


register("_backward_ROIAlign", _backward_roi_align, inputs=("ograd", "data", "rois"),
         params=_PARAMS, infer_shape=lambda a, s: (s, [s[1]]),
         doc="""ROIAlign's gradient w.r.t. data, inputs (out_grad, data, rois): the
transpose of the (linear) forward, a scatter-add of out_grad times the sample
weights.""")
