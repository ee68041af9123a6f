"""Cropping: ``fixed_crop``, ``center_crop``, ``random_crop``, ``random_size_crop`` and
``scale_down``.

Sizes are (width, height), as OpenCV; images are (H, W, C).  A crop larger than the
image is first scaled down to fit (keeping its aspect ratio, ``scale_down``), then the
cut-out region is resized to the requested size.  The crop functions return the image
and the region ``(x0, y0, w, h)`` they cut.

Random positions and sizes are drawn with Python's ``random`` module, exactly as MXNet
draws them, so ``random.seed(s)`` gives the regions MXNet 1.9.1 gives for the same seed
(``mx.random.seed`` does not seed them, in MXNet either).
"""
import random
from numbers import Number

import numpy as np

from .resize import get_interp_method, imresize

__all__ = ["scale_down", "fixed_crop", "center_crop", "random_crop", "random_size_crop"]


def scale_down(src_size, size):
    """Shrink the crop ``size`` = (w, h) to fit in ``src_size`` = (w, h), keeping its
    aspect ratio; sizes are truncated to ints."""
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


def _image_hw(fn, src):
    """(H, W) of an (H, W, C) image; another shape is a ValueError, as MXNet's
    ``h, w, _ = src.shape``."""
    if src.ndim != 3:
        raise ValueError(f"{fn}: expected an (H, W, C) image, got shape {src.shape}")
    return src.shape[0], src.shape[1]


def fixed_crop(src, x0, y0, w, h, size=None, interp=2):
    """The region ``src[y0:y0+h, x0:x0+w]``, resized to ``size`` = (w, h) if given.
    As in MXNet, a region reaching past the image is clipped by the slice, and any
    array is sliced on its first two axes."""
    out = src[y0:y0 + h, x0:x0 + w]
    if size is not None and (w, h) != tuple(size):
        sizes = (h, w, size[1], size[0])
        out = imresize(out, *size, interp=get_interp_method(interp, sizes))
    return out


def center_crop(src, size, interp=2):
    """Crop the centre ``size`` = (w, h) region (scaled down to fit, then resized to
    ``size``).  Returns ``(image, (x0, y0, w, h))``."""
    h, w = _image_hw("center_crop", src)
    new_w, new_h = scale_down((w, h), size)
    x0, y0 = int((w - new_w) / 2), int((h - new_h) / 2)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def random_crop(src, size, interp=2):
    """Crop a ``size`` = (w, h) region at a uniformly random position.
    Returns ``(image, (x0, y0, w, h))``."""
    h, w = _image_hw("random_crop", src)
    new_w, new_h = scale_down((w, h), size)
    x0 = random.randint(0, w - new_w)
    y0 = random.randint(0, h - new_h)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def random_size_crop(src, size, area, ratio, interp=2):
    """The Inception crop: a region covering a random fraction ``area`` = (min, max)
    (a number means (number, 1.0)) of the image, with aspect ratio w/h drawn
    log-uniformly from ``ratio`` = (min, max), resized to ``size`` = (w, h).  After 10
    draws that do not fit, a centre crop.  Returns ``(image, (x0, y0, w, h))``."""
    h, w = _image_hw("random_size_crop", src)
    if isinstance(area, Number):
        area = (area, 1.0)
    for _ in range(10):
        target_area = random.uniform(area[0], area[1]) * h * w
        new_ratio = np.exp(random.uniform(np.log(ratio[0]), np.log(ratio[1])))
        new_w = int(round(np.sqrt(target_area * new_ratio)))
        new_h = int(round(np.sqrt(target_area / new_ratio)))
        if new_w <= w and new_h <= h:
            x0 = random.randint(0, w - new_w)
            y0 = random.randint(0, h - new_h)
            return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)
    return center_crop(src, size, interp)
