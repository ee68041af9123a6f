"""Decoding images: ``imdecode`` (bytes to pixels) and ``imread`` (a file).

MXNet decodes with OpenCV; pymx with Pillow (``pip install pillow``, the ``pymx[image]``
extra).  The result is an (H, W, C) uint8 NDArray in RGB order (``to_rgb=0``: BGR,
OpenCV's order), or (H, W, 1) gray for ``flag=0``.  Colour images lose their alpha
channel and gray files get three equal channels, as with OpenCV.  PNG pixels are
exact; JPEG pixels depend on the JPEG library's IDCT and may differ from MXNet's by a
few levels.  This is the one decoder of pymx: ``gluon.data.vision`` datasets and
``ImageIter`` call it.
"""
import io

import numpy as np

from ..base import MXNetError
from .. import ndarray as nd

__all__ = ["imdecode", "imread"]


def _pil_image():
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError("Decoding images needs Pillow: pip install pillow") from err
    return Image


def imdecode(buf, flag=1, to_rgb=1, out=None):
    """Decode an encoded image (JPEG, PNG, ...) to an (H, W, C) uint8 NDArray.

    Parameters
    ----------
    buf : bytes, bytearray, numpy.ndarray or NDArray of uint8
        The file's bytes.
    flag : {0, 1}, default 1
        1: three colour channels; 0: one gray channel, shape (H, W, 1).
    to_rgb : {0, 1}, default 1
        1: RGB order (MXNet's default); 0: BGR (OpenCV's).
    out : NDArray, optional
        Written with the result (and returned).
    """
    if isinstance(buf, nd.NDArray):
        buf = buf.asnumpy()
    if not isinstance(buf, (bytes, bytearray, np.ndarray)):
        raise ValueError("imdecode: buf must be of type bytes, bytearray or numpy.ndarray, "
                         f"got {type(buf).__name__}; convert a str to bytes first")
    data = buf.astype(np.uint8).tobytes() if isinstance(buf, np.ndarray) else bytes(buf)
    Image = _pil_image()
    try:
        with Image.open(io.BytesIO(data)) as img:
            arr = np.asarray(img.convert("RGB" if flag else "L"))
    except (OSError, SyntaxError, ValueError) as err:
        raise MXNetError(f"imdecode: cannot decode {len(data)} bytes as an image "
                         f"({err})") from None
    if arr.ndim == 2:
        arr = arr[:, :, None]
    elif not to_rgb:
        arr = arr[:, :, ::-1]
    res = nd.array(np.ascontiguousarray(arr), dtype=np.uint8)
    if out is None:
        return res
    out[:] = res
    return out


def imread(filename, flag=1, to_rgb=1, out=None):
    """Read and decode the image file ``filename`` (see ``imdecode``)."""
    with open(filename, "rb") as f:
        return imdecode(f.read(), flag, to_rgb, out)
