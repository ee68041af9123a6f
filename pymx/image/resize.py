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

Float images are resized with these weights in float (float32, or float64 for
float64).  uint8 images are resized in OpenCV 3.4's fixed-point arithmetic (11-bit
weights, its rounding in each kernel), so they get MXNet 1.9.1's pixels exactly.

The resampling itself is ``resize_array`` of ``pymx/ops/image.py``, the kernel of the
``_image_resize`` operator (``mx.nd.image.resize``), so both resize alike.
"""
import random

import numpy as np

from ..base import MXNetError
from .. import ndarray as nd
from ..ops.image import resize_array

__all__ = ["imresize", "resize_short", "resize_array"]


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
