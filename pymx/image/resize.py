"""Resizing images: ``imresize``, ``resize_short`` and the interpolation codes.

MXNet resizes with OpenCV's ``cv::resize``; pymx computes the same sampling rule with
NumPy.  A resize is separable: each output row is a weighted sum of input rows, each
output column a weighted sum of input columns, so one axis is a matrix ``W`` of shape
(n_out, n_in) and the image is resized as ``Wy @ img @ Wx.T`` (per channel).  The
interpolation code says how a row of ``W`` is made (OpenCV's rules, source pixel
centres at ``s = (i + 0.5) * n_in / n_out - 0.5``, borders replicated)::

    0 nearest    W[i, floor(i * n_in / n_out)] = 1 (no half-pixel shift)
    1 bilinear   2 taps around s, weights 1 - f, f (f = s - floor(s))
    2 bicubic    4 taps, Keys' cubic with a = -0.75
    3 area       shrinking both axes: the overlap of [i, i+1) * n_in / n_out with
                 each input pixel; otherwise bilinear taps with OpenCV's "area" offsets
    4 lanczos    8 taps of sinc(d) * sinc(d / 4), normalised to sum 1
    9 auto       cubic to enlarge, area to shrink, bilinear otherwise
    10 random    one of 0..4, drawn with Python's ``random`` (as MXNet)

For uint8 images OpenCV sums in fixed point (11-bit weights); pymx sums in float and
rounds, so a uint8 pixel can differ from MXNet's by 1 level (nearest is exact); this
bound holds for every code and is checked against MXNet 1.9.1 in ``tests/test_image.py``.
"""
import random

import numpy as np

from ..base import MXNetError
from .. import ndarray as nd

__all__ = ["imresize", "resize_short", "resize_array"]


def _taps(n_out, n_in, radius, kernel):
    """Weights of ``2 * radius`` source pixels around each output centre."""
    s = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    x0 = np.floor(s)
    offsets = np.arange(1 - radius, radius + 1)
    idx = x0[:, None] + offsets                          # (n_out, taps)
    w = kernel(s[:, None] - idx)
    return idx, w / w.sum(axis=1, keepdims=True)


def _cubic(d, a=-0.75):
    d = np.abs(d)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.where(d <= 1, near, np.where(d < 2, far, 0.0))


def _lanczos4(d):
    return np.where(np.abs(d) < 4, np.sinc(d) * np.sinc(d / 4), 0.0)


def _linear(d):
    return np.maximum(0.0, 1 - np.abs(d))


def _area_offsets(n_out, n_in):
    """OpenCV's INTER_AREA when not shrinking both axes: bilinear taps at
    ``floor(i * scale)`` with fraction ``(i+1) - (sx+1) / scale`` (0 if negative)."""
    scale = n_in / n_out
    sx = np.floor(np.arange(n_out) * scale)
    f = (np.arange(n_out) + 1) - (sx + 1) / scale
    f = np.where(f <= 0, 0.0, f - np.floor(f))
    return sx[:, None] + np.array([0, 1]), np.stack([1 - f, f], axis=1)


def _box(n_out, n_in):
    """Area averaging: output pixel i covers source span [i, i+1) * scale."""
    scale = n_in / n_out
    lo = np.arange(n_out)[:, None] * scale
    cols = np.arange(n_in)[None, :]
    overlap = np.minimum(lo + scale, cols + 1) - np.maximum(lo, cols)
    return np.clip(overlap, 0, None) / scale


def _weights(n_out, n_in, interp, shrink_both):
    """The (n_out, n_in) resampling matrix of one axis."""
    if interp == 3 and shrink_both:
        return _box(n_out, n_in)
    if interp == 0:
        idx = np.floor(np.arange(n_out) * (n_in / n_out))[:, None]
        w = np.ones_like(idx)
    elif interp == 3:
        idx, w = _area_offsets(n_out, n_in)
    else:
        radius, kernel = {1: (1, _linear), 2: (2, _cubic), 4: (4, _lanczos4)}[interp]
        idx, w = _taps(n_out, n_in, radius, kernel)
    W = np.zeros((n_out, n_in))
    rows = np.broadcast_to(np.arange(n_out)[:, None], idx.shape)
    np.add.at(W, (rows, np.clip(idx, 0, n_in - 1).astype(np.int64)), w)
    return W


def resize_array(img, w, h, interp=1):
    """Resize a NumPy image (H, W) or (H, W, C) to width ``w``, height ``h``.

    Returns float32 (unrounded); ``interp`` is one of the codes 0..4 above."""
    if interp not in (0, 1, 2, 3, 4):
        raise ValueError(f"resize: interp must be 0..4 (or 9, 10 before selection), got {interp}")
    H, W_in = img.shape[:2]
    shrink_both = w <= W_in and h <= H
    wy = _weights(h, H, interp, shrink_both).astype(np.float32)
    wx = _weights(w, W_in, interp, shrink_both).astype(np.float32)
    rows = np.tensordot(wy, img.astype(np.float32), axes=(1, 0))      # (h, W, C)
    return np.moveaxis(np.tensordot(wx, rows, axes=(1, 1)), 0, 1)     # (h, w, C)


def _to_dtype(arr, dtype):
    """Float results back to the source dtype: integers are rounded and saturated."""
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        arr = np.clip(np.rint(arr), info.min, info.max)
    return arr.astype(dtype)


def get_interp_method(interp, sizes=()):
    """Resolve codes 9 (auto, from ``sizes`` = (old_h, old_w, new_h, new_w)) and 10
    (random) to one of 0..4, as MXNet's ``_get_interp_method``."""
    if interp == 9:
        if not sizes:
            return 2
        oh, ow, nh, nw = sizes
        if nh > oh and nw > ow:
            return 2
        if nh < oh and nw < ow:
            return 3
        return 1
    if interp == 10:
        return random.randint(0, 4)
    if interp not in (0, 1, 2, 3, 4):
        raise ValueError(f"Unknown interp method {interp}")
    return interp


def imresize(src, w, h, interp=1, out=None):
    """Resize an (H, W, C) image NDArray to width ``w`` and height ``h``, keeping its
    dtype (``mx.image.imresize``)."""
    if src.ndim != 3 or w <= 0 or h <= 0:
        raise MXNetError(f"imresize: expected an (H, W, C) image and w, h > 0, got shape "
                         f"{src.shape}, w={w}, h={h}")
    a = src.asnumpy()
    res = nd.array(_to_dtype(resize_array(a, int(w), int(h), get_interp_method(interp)),
                             a.dtype), ctx=src.context, dtype=a.dtype)
    if out is None:
        return res
    out[:] = res
    return out


def resize_short(src, size, interp=2):
    """Resize so that the shorter edge is ``size``; the longer one keeps the aspect
    ratio, rounded down (``size * long // short``)."""
    h, w, _ = src.shape
    if h > w:
        new_h, new_w = size * h // w, size
    else:
        new_h, new_w = size, size * w // h
    return imresize(src, new_w, new_h, interp=get_interp_method(interp, (h, w, new_h, new_w)))
