"""Image transforms on HWC images (``gluon.data.vision.transforms``): resizing,
cropping, flips and colour jitter.

As in MXNet 1.9.1, each hybrid transform is one call of an image operator
(``F.image.resize``, ``F.image.random_brightness``...; ``pymx/ops/image.py`` defines
them and documents their maths), so it traces into a Symbol and ``Compose``
hybridizes it with its neighbours; ``CenterCrop`` and ``RandomResizedCrop`` are plain
Blocks over ``mx.image.center_crop`` / ``random_size_crop``.

The operators take an (H, W, C) image of uint8 or float (``Resize`` and ``CropResize``
a batch (N, H, W, C) too) and return one of the same dtype; the random ones draw from
MXNet's serial generator, so after ``mx.random.seed(s)`` they give MXNet's images.
Strengths become factor ranges as in MXNet: ``RandomBrightness(b)`` draws its factor
from ``U(max(0, 1 - b), 1 + b)`` (contrast, saturation and hue alike).
"""
from numbers import Number

from .... import image
from ....ops.image import hue_rotate as _hue  # noqa: F401  (the one hue kernel)
from ....ops.image import resize_array as imresize  # the one resizer
from ...block import Block, HybridBlock

__all__ = ["Resize", "CenterCrop", "CropResize", "RandomResizedCrop", "RandomFlipLeftRight",
           "RandomFlipTopBottom", "RandomBrightness", "RandomContrast", "RandomSaturation",
           "RandomHue", "RandomColorJitter", "RandomLighting", "imresize"]


def _pair(size):
    """An int size means a square: ``(size, size)``."""
    return (size, size) if isinstance(size, Number) else size


class Resize(HybridBlock):
    """Resize to ``size`` = (width, height) or an int (square).  With ``keep_ratio`` and
    an int size, the shorter side becomes ``size`` and the other keeps the aspect ratio
    (truncated).  Images and batches (``F.image.resize``)."""

    def __init__(self, size, keep_ratio=False, interpolation=1):
        super().__init__()
        self._keep = keep_ratio
        self._size = size
        self._interpolation = interpolation

    def hybrid_forward(self, F, x):
        return F.image.resize(x, self._size, self._keep, self._interpolation)


class CenterCrop(Block):
    """Crop the centre ``size`` = (width, height) or int region of an image; a smaller
    image gives the largest centred region of that aspect ratio, resized to ``size``
    (``mx.image.center_crop``)."""

    def __init__(self, size, interpolation=1):
        super().__init__()
        self._args = (_pair(size), interpolation)

    def forward(self, x):
        return image.center_crop(x, *self._args)[0]


class CropResize(HybridBlock):
    """Crop the ``width`` x ``height`` region whose top-left corner is (``x``, ``y``)
    (``F.image.crop``), then, if ``size`` (int or (w, h)) is given, resize it with
    ``interpolation`` (``F.image.resize``; None: its default, bilinear).  Images and
    batches."""

    def __init__(self, x, y, width, height, size=None, interpolation=None):
        super().__init__()
        self._x, self._y, self._width, self._height = x, y, width, height
        self._size = size
        self._interpolation = interpolation

    def hybrid_forward(self, F, x):
        out = F.image.crop(x, self._x, self._y, self._width, self._height)
        if self._size:
            out = F.image.resize(out, self._size, False, self._interpolation)
        return out


class RandomResizedCrop(Block):
    """Crop a random region with area fraction in ``scale`` and aspect ratio (w/h) in
    ``ratio`` (log-uniform), resized to ``size``; after 10 failed draws, a centre crop.
    It is ``mx.image.random_size_crop`` (the Inception augmentation), which draws with
    Python's ``random`` module, as MXNet's does."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=1):
        super().__init__()
        self._args = (_pair(size), scale, ratio, interpolation)

    def forward(self, x):
        return image.random_size_crop(x, *self._args)[0]


class RandomFlipLeftRight(HybridBlock):
    """Mirror the image horizontally (the W axis) with probability 0.5."""

    def hybrid_forward(self, F, x):
        return F.image.random_flip_left_right(x)


class RandomFlipTopBottom(HybridBlock):
    """Flip the image vertically (the H axis) with probability 0.5."""

    def hybrid_forward(self, F, x):
        return F.image.random_flip_top_bottom(x)


class _RandomEnhance(HybridBlock):
    """A colour jitter whose factor is drawn from ``U(max(0, 1 - s), 1 + s)`` by the
    operator ``F.image.<_op>``."""
    _op = None

    def __init__(self, strength):
        super().__init__()
        self._args = (max(0, 1 - strength), 1 + strength)

    def hybrid_forward(self, F, x):
        return getattr(F.image, self._op)(x, *self._args)


class RandomBrightness(_RandomEnhance):
    """Scale the image by a factor drawn from U(1-brightness, 1+brightness)."""
    _op = "random_brightness"

    def __init__(self, brightness):
        super().__init__(brightness)


class RandomContrast(_RandomEnhance):
    """Blend with the mean gray level: ``x*a + (1-a)*mean(gray)``, a ~ U(1-c, 1+c)."""
    _op = "random_contrast"

    def __init__(self, contrast):
        super().__init__(contrast)


class RandomSaturation(_RandomEnhance):
    """Blend with each pixel's gray: ``x*a + (1-a)*gray``, a ~ U(1-s, 1+s)."""
    _op = "random_saturation"

    def __init__(self, saturation):
        super().__init__(saturation)


class RandomHue(_RandomEnhance):
    """Rotate the hue by a ~ U(max(0, 1-hue), 1+hue) turns (MXNet's range: a factor
    around 1, i.e. a rotation by about one full turn)."""
    _op = "random_hue"

    def __init__(self, hue):
        super().__init__(hue)


class RandomColorJitter(HybridBlock):
    """Brightness, contrast, saturation and hue jitter in a random order (MXNet's
    ``random_color_jitter``): shuffle the four, then apply each non-zero one with its
    own factor, the result cast to the image dtype after each step."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self._args = (brightness, contrast, saturation, hue)

    def hybrid_forward(self, F, x):
        return F.image.random_color_jitter(x, *self._args)


class RandomLighting(HybridBlock):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (eigval * N(0, alpha, 3))`` to
    every pixel's RGB."""

    def __init__(self, alpha):
        super().__init__()
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.image.random_lighting(x, self._alpha)
