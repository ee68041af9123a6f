"""``imrotate`` and ``random_rotate``: rotate (C, H, W) float32 images about their centre.

Unlike the other ``mx.image`` functions these work on **channel-first** float32
NDArrays (one image (C, H, W) or a batch (N, C, H, W)), as MXNet's do, and they are
operators: the rotation is a sampling grid fed to ``BilinearSampler``.  For output
pixel (y, x), with coordinates taken from the centre ``(cy, cx) = ((H-1)/2, (W-1)/2)``::

    x' = (x - cx) cos(a) - (y - cy) sin(a)        y' = (x - cx) sin(a) + (y - cy) cos(a)

is where it samples, normalized to [-1, 1] by ``cx`` and ``cy`` *after* rotating (so
the aspect ratio is kept).  Points outside the image read zeros.  ``zoom_in`` scales
the grid so that no zero corner shows; ``zoom_out`` so that the whole rotated image
fits (MXNet's corner geometry, with the diagonal of the full size (H, W)).
"""
import numbers

import numpy as np

__all__ = ["imrotate", "random_rotate"]


def _zoom(h, w, rad, zoom_in):
    """Per-image grid scale: where the rotated corners land, relative to the frame."""
    rho, corner = np.hypot(h, w), np.arctan(h / w)
    spans = [np.abs(rho * trig(corner + sign * np.abs(rad)))
             for trig in (np.cos, np.sin) for sign in (1, -1)]
    max_x, max_y = np.maximum(spans[0], spans[1]), np.maximum(spans[2], spans[3])
    if zoom_in:
        return np.minimum(w / max_x, h / max_y)
    return np.maximum(max_x / w, max_y / h)


def imrotate(src, rotation_degrees, zoom_in=False, zoom_out=False):
    """Rotate ``src`` ((C, H, W) or (N, C, H, W) float32) by ``rotation_degrees``
    counter-clockwise (a number, or an NDArray with one angle per image)."""
    from .. import ndarray as nd
    if zoom_in and zoom_out:
        raise ValueError("`zoom_in` and `zoom_out` cannot be both True")
    if src.dtype != np.float32:
        raise TypeError("Only `float32` images are supported by this function")
    single = src.ndim == 3
    if single:
        src = src.expand_dims(axis=0)
    elif src.ndim != 4:
        raise ValueError("Only 3D and 4D are supported by this function")
    n, _, h, w = src.shape
    if isinstance(rotation_degrees, numbers.Number):
        degrees = np.full(n, float(rotation_degrees), np.float32)
    else:
        degrees = rotation_degrees.asnumpy().astype(np.float32).reshape(-1)
    if len(degrees) != n:
        raise ValueError("The number of images must be equal to the number of rotation "
                         "angles")
    rad = (np.pi * degrees / 180).astype(np.float32)[:, None, None]
    cy, cx = np.float32(h - 1) / 2, np.float32(w - 1) / 2
    ys = np.arange(h, dtype=np.float32)[:, None] - cy
    xs = np.arange(w, dtype=np.float32)[None, :] - cx
    cos, sin = np.cos(rad), np.sin(rad)
    grid_x = (xs * cos - ys * sin) / cx
    grid_y = (xs * sin + ys * cos) / cy
    grid = np.stack([grid_x, grid_y], axis=1)               # (N, 2, H, W)
    if zoom_in or zoom_out:
        grid = grid * _zoom(np.float32(h), np.float32(w), rad, zoom_in)[:, None]
    out = nd.BilinearSampler(src, nd.array(grid.astype(np.float32), ctx=src.context))
    return out[0] if single else out


def random_rotate(src, angle_limits, zoom_in=False, zoom_out=False):
    """``imrotate`` by an angle drawn uniformly from ``angle_limits`` (degrees) with
    ``numpy.random``, one per image of a batch (as MXNet draws them)."""
    from .. import ndarray as nd
    if src.ndim == 3:
        degrees = np.random.uniform(*angle_limits)
    else:
        degrees = nd.array(np.random.uniform(*angle_limits, size=src.shape[0]),
                           ctx=src.context)
    return imrotate(src, degrees, zoom_in=zoom_in, zoom_out=zoom_out)
