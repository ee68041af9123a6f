"""Image transforms (``gluon.data.vision.transforms``): Blocks applied to one image.

``ToTensor``: an HWC (or NHWC) uint8 image in [0, 255] -> CHW (NCHW) float32 in [0, 1].
``Normalize(mean, std)``: ``(x - mean[c]) / std[c]`` per channel of a CHW float image.
``Cast(dtype)``.  ``Rotate``/``RandomRotation``: of CHW float32 images
(``mx.image.imrotate``).  ``Compose([t1, t2])``: apply in order.  Use them with
``dataset.transform_first(Compose([ToTensor(), Normalize(0.13, 0.31)]))``.
"""
import random

import numpy as np

from .... import image
from ... import nn
from ...block import HybridBlock, Block
from ...nn import Sequential, HybridSequential  # noqa: F401  (MXNet's module has them)

__all__ = ["Compose", "Cast", "ToTensor", "Normalize", "RandomApply", "Rotate",
           "RandomRotation"]


class Compose(nn.Sequential):
    """Apply ``transforms`` one after another.

    As in MXNet, each run of two or more consecutive HybridBlocks is grouped into one
    hybridized ``HybridSequential`` (so ``print(compose)`` shows that nesting);
    plain callables are wrapped in ``nn.Lambda``.
    """

    def __init__(self, transforms):
        super().__init__()
        hybrid = []

        def flush():
            if len(hybrid) == 1:
                self.add(hybrid[0])
            elif len(hybrid) > 1:
                hblock = nn.HybridSequential()
                hblock.add(*hybrid)
                hblock.hybridize()
                self.add(hblock)
            hybrid.clear()

        with self.name_scope():
            for t in transforms:
                if isinstance(t, HybridBlock):
                    hybrid.append(t)
                    continue
                flush()
                self.add(t if isinstance(t, Block) else nn.Lambda(t))
            flush()


class RandomApply(nn.Sequential):
    """Apply ``transforms`` (one Block, e.g. a ``Compose``) with probability ``p``,
    drawn with Python's ``random`` as MXNet does."""

    def __init__(self, transforms, p=0.5):
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, x):
        if self.p < random.random():
            return x
        return self.transforms(x)


class Cast(HybridBlock):
    """Cast to ``dtype`` (default float32)."""

    def __init__(self, dtype="float32"):
        super().__init__()
        self._dtype = dtype

    def hybrid_forward(self, F, x):
        return F.cast(x, self._dtype)


class ToTensor(HybridBlock):
    """(H, W, C) uint8 -> (C, H, W) float32 / 255; (N, H, W, C) -> (N, C, H, W)
    (``F.image.to_tensor``)."""

    def hybrid_forward(self, F, x):
        return F.image.to_tensor(x)


class Normalize(HybridBlock):
    """``(x - mean) / std`` per channel of a (C, H, W) or (N, C, H, W) image;
    ``mean``/``std`` are a number or one value per channel, and the channel axis must
    hold 1 or 3 channels (``F.image.normalize``)."""

    def __init__(self, mean=0.0, std=1.0):
        super().__init__()
        self._mean = mean
        self._std = std

    def hybrid_forward(self, F, x):
        return F.image.normalize(x, self._mean, self._std)


# Resize, crops, flips and colour jitter (host-side NumPy image ops).


class Rotate(Block):
    """Rotate (C, H, W) or (N, C, H, W) float32 images by ``rotation_degrees``
    counter-clockwise about their centre, keeping the shape (``mx.image.imrotate``:
    zeros where no pixel lands; ``zoom_in`` leaves no zeros, ``zoom_out`` keeps the
    whole image).  Use it after ``ToTensor``."""

    def __init__(self, rotation_degrees, zoom_in=False, zoom_out=False):
        super().__init__()
        self._args = (rotation_degrees, zoom_in, zoom_out)

    def forward(self, x):
        if x.dtype != np.float32:
            raise TypeError("This transformation only supports float32. "
                            "Consider calling it after ToTensor")
        return image.imrotate(x, *self._args)


class RandomRotation(Block):
    """``Rotate`` by an angle drawn uniformly from ``angle_limits`` (degrees), with
    probability ``rotate_with_proba`` (NumPy's generator, as MXNet: one
    ``np.random.random()`` draw for the coin, then ``mx.image.random_rotate``)."""

    def __init__(self, angle_limits, zoom_in=False, zoom_out=False, rotate_with_proba=1.0):
        super().__init__()
        lower, upper = angle_limits
        if lower >= upper:
            raise ValueError("`angle_limits` must be an ordered tuple")
        if not 0 <= rotate_with_proba <= 1:
            raise ValueError("Probability of rotating the image should be between 0 and 1")
        self._args = (angle_limits, zoom_in, zoom_out)
        self._rotate_with_proba = rotate_with_proba

    def forward(self, x):
        if np.random.random() > self._rotate_with_proba:
            return x
        if x.dtype != np.float32:
            raise TypeError("This transformation only supports float32. "
                            "Consider calling it after ToTensor")
        return image.random_rotate(x, *self._args)


from .transforms_image import *  # noqa: F401,F403,E402
from . import transforms_image as _ti  # noqa: E402

__all__ += [n for n in _ti.__all__ if n != "imresize"]
