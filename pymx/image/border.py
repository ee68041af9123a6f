"""``copyMakeBorder``: pad an (H, W, C) image on its four sides, as OpenCV's function
of that name.  ``type`` is OpenCV's ``BorderTypes`` code (pixels ``abcdefgh``, padded
by 3)::

    0 constant      vvv|abcdefgh|vvv   (v = value, or values per channel)
    1 replicate     aaa|abcdefgh|hhh
    2 reflect       cba|abcdefgh|hgf
    3 wrap          fgh|abcdefgh|abc
    4 reflect_101   dcb|abcdefgh|gfe

These are the codes MXNet 1.9.1 passes to OpenCV (checked against it); its docstring
lists 1..4 in another order.
"""
import numpy as np

from ..base import MXNetError
from .. import ndarray as nd

__all__ = ["copyMakeBorder"]

_NUMPY_MODE = {1: "edge", 2: "symmetric", 3: "wrap", 4: "reflect"}


def copyMakeBorder(src, top, bot, left, right, type=0, value=0, values=()):  # noqa: A002
    """Pad ``src`` by ``top``/``bot`` rows and ``left``/``right`` columns (see the
    module docstring for ``type``).  ``values`` (one per channel) overrides ``value``."""
    if src.ndim != 3 or min(top, bot, left, right) < 0:
        raise MXNetError(f"copyMakeBorder: expected an (H, W, C) image and margins >= 0, "
                         f"got shape {src.shape}, margins {(top, bot, left, right)}")
    a = src.asnumpy()
    pad = ((top, bot), (left, right), (0, 0))
    if type == 0:
        fill = np.asarray(values, np.float64) if len(values) else np.float64(value)
        out = np.empty((a.shape[0] + top + bot, a.shape[1] + left + right, a.shape[2]),
                       a.dtype)
        out[...] = fill.astype(a.dtype)                  # one value, or one per channel
        out[top:top + a.shape[0], left:left + a.shape[1]] = a
    elif type in _NUMPY_MODE:
        out = np.pad(a, pad, mode=_NUMPY_MODE[type])
    else:
        raise MXNetError(f"copyMakeBorder: type must be 0..4 (OpenCV border codes), got {type}")
    return nd.array(out, ctx=src.context, dtype=a.dtype)
