"""Image transforms on HWC images (``gluon.data.vision.transforms``): resizing,
cropping, flips and colour jitter.

They take an NDArray image (H, W, C) — or a batch (N, H, W, C) where noted — of uint8 or
float, and return one of the same dtype (uint8 results are rounded and saturated to
[0, 255], as MXNet's ``saturate_cast``).  Like MXNet's CPU image operators they run on
the host with NumPy (data augmentation is data-loading work, not part of the graph);
random draws come from pymx's seeded host generator (``mx.random.seed``).

Colour maths (MXNet's ``src/operator/image/image_random-inl.h``; ``gray`` uses the
luma weights (0.299, 0.587, 0.114))::

    RandomBrightness(b):  x * a,                          a ~ U(1-b, 1+b)
    RandomContrast(c):    x * a + (1-a) * mean(gray(x)),  a ~ U(1-c, 1+c)
    RandomSaturation(s):  x * a + (1-a) * gray(x),        a ~ U(1-s, 1+s) (per pixel gray)
    RandomHue(h):         rotate the hue by a * 360 degrees, a ~ U(-h, h)
    RandomLighting(alpha): x + eigvec @ (eigval * N(0, alpha, 3))  (AlexNet PCA noise)
    RandomColorJitter:    the four above (those with a non-zero strength), random order
"""
import numpy as np

from .... import ndarray as nd
from ....image.resize import resize_array as imresize  # the one resizer
from ...block import Block

__all__ = ["Resize", "CenterCrop", "RandomResizedCrop", "RandomFlipLeftRight",
           "RandomFlipTopBottom", "RandomBrightness", "RandomContrast", "RandomSaturation",
           "RandomHue", "RandomColorJitter", "RandomLighting", "imresize"]

_GRAY = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_EIGVAL = np.array([55.46, 4.794, 1.148], dtype=np.float32)
_EIGVEC = np.array([[-0.5675, 0.7192, 0.4009],
                    [-0.5808, -0.0045, -0.8140],
                    [-0.5836, -0.6948, 0.4203]], dtype=np.float32)


def _rng():
    try:
        from ....ops import random as _random
        return _random.host_rng()
    except (ImportError, AttributeError):
        return np.random


def _serial():
    """MXNet's serial CPU generator (``pymx/ops/mt19937.py``): MXNet's image operators
    (``random_brightness``, ``random_flip_left_right``...) draw from it."""
    from ....ops.random import serial_rng
    return serial_rng()


def _uniform(lo, hi):
    """``std::uniform_real_distribution<float>(lo, hi)``: ``u * (hi - lo) + lo`` in
    float32, ``u`` one float from the serial generator."""
    u = _serial().uniform(1, "float32")[0]
    lo, hi = np.float32(lo), np.float32(hi)
    return float(u * (hi - lo) + lo)


def _factor(x):
    """MXNet's jitter factor: uniform on ``[max(0, 1 - x), 1 + x]``."""
    return _uniform(max(0, 1 - x), 1 + x)


def _finish(out, dtype, ctx, to_int=np.rint):
    """Back to the input dtype as an NDArray; integer types saturate after ``to_int``
    (OpenCV's resizing rounds; MXNet's colour operators truncate: ``np.trunc``)."""
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        out = np.clip(to_int(out), info.min, info.max)
    return nd.array(out.astype(dtype), ctx=ctx, dtype=dtype)


def _per_image(fn, x, to_int=np.rint):
    """Apply ``fn`` (HWC numpy -> numpy) to an image or each image of a batch."""
    a = x.asnumpy()
    if a.ndim == 4:
        return _finish(np.stack([fn(i) for i in a]), a.dtype, x.context, to_int)
    if a.ndim != 3:
        raise ValueError(f"expected an (H, W, C) image or an (N, H, W, C) batch, got shape "
                         f"{a.shape}")
    return _finish(fn(a), a.dtype, x.context, to_int)


def _size_wh(size):
    return (size, size) if isinstance(size, int) else tuple(size)


class Resize(Block):
    """Resize to ``size`` = (width, height) or an int (square).  With ``keep_ratio`` and
    an int size, the shorter side becomes ``size`` and the other keeps the aspect ratio.
    Images and batches."""

    def __init__(self, size, keep_ratio=False, interpolation=1):
        super().__init__()
        self._size, self._keep, self._interpolation = size, keep_ratio, interpolation

    def _target(self, h, w):
        if isinstance(self._size, int) and self._keep:
            if h > w:
                return self._size, int(h * self._size / w)
            return int(w * self._size / h), self._size
        return _size_wh(self._size)

    def forward(self, x):
        def fn(img):
            w, h = self._target(*img.shape[:2])
            return imresize(img, w, h, self._interpolation)
        return _per_image(fn, x)


def _center_crop(img, size, interpolation):
    """Crop the centre (w, h) region; a smaller image gives the largest centred region
    of the same aspect ratio, resized to (w, h) (MXNet's ``image.center_crop``)."""
    H, W = img.shape[:2]
    w, h = size
    cw, ch = w, h
    if cw > W or ch > H:                       # scale the crop down to fit
        ratio = min(W / cw, H / ch)
        cw, ch = int(cw * ratio), int(ch * ratio)
    x0, y0 = (W - cw) // 2, (H - ch) // 2
    out = img[y0:y0 + ch, x0:x0 + cw]
    if (cw, ch) != (w, h):
        out = imresize(out, w, h, interpolation)
    return out


class CenterCrop(Block):
    """Crop the centre ``size`` = (width, height) or int region of an image."""

    def __init__(self, size, interpolation=1):
        super().__init__()
        self._size, self._interpolation = _size_wh(size), interpolation

    def forward(self, x):
        return _per_image(lambda img: _center_crop(img, self._size, self._interpolation), x)


class RandomResizedCrop(Block):
    """Crop a random region with area fraction in ``scale`` and aspect ratio (w/h) in
    ``ratio`` (log-uniform), resized to ``size``; after 10 failed draws, a centre crop.
    It is ``mx.image.random_size_crop`` (the Inception augmentation), which draws with
    Python's ``random`` module, as MXNet's does."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=1):
        super().__init__()
        self._size, self._scale, self._ratio = _size_wh(size), scale, ratio
        self._interpolation = interpolation

    def _crop(self, img):
        from ....image.crop import random_size_crop
        return random_size_crop(nd.array(img, dtype=img.dtype), self._size, self._scale,
                                self._ratio, self._interpolation)[0].asnumpy()

    def forward(self, x):
        return _per_image(self._crop, x)


class _RandomFlip(Block):
    _axis = 1

    def forward(self, x):
        """Flip when ``std::bernoulli_distribution``'s double draw is >= 0.5 (MXNet's
        ``random_flip_*`` operators: two words of the serial generator)."""
        a = x.asnumpy()
        if _serial().uniform(1, "float64")[0] >= 0.5:
            a = np.flip(a, axis=self._axis + (a.ndim == 4))
        return nd.array(np.ascontiguousarray(a), ctx=x.context, dtype=a.dtype)


class RandomFlipLeftRight(_RandomFlip):
    """Mirror the image horizontally (the W axis) with probability 0.5."""
    _axis = 1


class RandomFlipTopBottom(_RandomFlip):
    """Flip the image vertically (the H axis) with probability 0.5."""
    _axis = 0


def _brightness(img, a):
    return img.astype(np.float32) * a


def _contrast(img, a):
    f = img.astype(np.float32)
    return f * a + (1 - a) * float((f[..., :3] @ _GRAY).mean())


def _saturation(img, a):
    """``a * img + (1 - a) * gray``.  MXNet 1.9.1 quirk, kept so the numbers agree: its
    kernel's "gray" is only ``0.114 * B`` (each coefficient's term overwrites the last
    one instead of adding to it); contrast uses the full ``0.299 R + 0.587 G + 0.114 B``."""
    f = img.astype(np.float32)
    return f * a + (1 - a) * (f[..., 2:3] * _GRAY[2])


def _hue(img, a):
    """Rotate the hue by ``a`` turns keeping HSV saturation and value (the same as
    MXNet's HLS rotation: max and min of each pixel are unchanged)."""
    f = img.astype(np.float32)
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    mx_, mn = f[..., :3].max(-1), f[..., :3].min(-1)
    d = mx_ - mn
    safe = np.where(d == 0, 1, d)
    h = np.where(mx_ == r, ((g - b) / safe) % 6,
                 np.where(mx_ == g, (b - r) / safe + 2, (r - g) / safe + 4))
    h = np.where(d == 0, 0, h) / 6.0
    h = (h + a) % 1.0
    i = np.floor(h * 6).astype(np.int64) % 6
    fr = h * 6 - np.floor(h * 6)
    p, q, t = mn, mx_ - d * fr, mn + d * fr
    choices = [(mx_, t, p), (q, mx_, p), (p, mx_, t), (p, q, mx_), (t, p, mx_), (mx_, p, q)]
    out = np.empty_like(f)
    for c in range(3):
        out[..., c] = np.select([i == k for k in range(6)], [ch[c] for ch in choices])
    out[..., 3:] = f[..., 3:]
    return out


class _ColorBlock(Block):
    def forward(self, x):
        return _per_image(self._apply, x, np.trunc)    # MXNet's saturate_cast truncates


class RandomBrightness(_ColorBlock):
    """Scale the image by a factor drawn from U(1-brightness, 1+brightness)."""

    def __init__(self, brightness):
        super().__init__()
        self._b = brightness

    def _apply(self, img):
        return _brightness(img, _factor(self._b))


class RandomContrast(_ColorBlock):
    """Blend with the mean gray level: ``x*a + (1-a)*mean(gray)``, a ~ U(1-c, 1+c)."""

    def __init__(self, contrast):
        super().__init__()
        self._c = contrast

    def _apply(self, img):
        return _contrast(img, _factor(self._c))


class RandomSaturation(_ColorBlock):
    """Blend with each pixel's gray: ``x*a + (1-a)*gray``, a ~ U(1-s, 1+s)."""

    def __init__(self, saturation):
        super().__init__()
        self._s = saturation

    def _apply(self, img):
        return _saturation(img, _factor(self._s))


class RandomHue(_ColorBlock):
    """Rotate the hue by U(-hue, hue) turns."""

    def __init__(self, hue):
        super().__init__()
        self._h = hue

    def _apply(self, img):
        return _hue(img, _factor(self._h) - 1)     # MXNet: h + 360 * factor degrees


class RandomColorJitter(_ColorBlock):
    """Brightness, contrast, saturation and hue jitter (the non-zero ones) in a random
    order."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self._ops = [(fn, s) for fn, s in ((_brightness, brightness), (_contrast, contrast),
                                           (_saturation, saturation), (_hue, hue)) if s > 0]

    def _apply(self, img):
        out = img.astype(np.float32)
        for k in _rng().permutation(len(self._ops)):
            fn, s = self._ops[k]
            a = _uniform(-s, s)
            out = fn(out, a if fn is _hue else 1 + a)
        return out


class RandomLighting(_ColorBlock):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (eigval * N(0, alpha, 3))`` to
    every pixel's RGB."""

    def __init__(self, alpha):
        super().__init__()
        self._alpha = alpha

    def _apply(self, img):
        w = _serial().normal(3, "float32") * np.float32(self._alpha)   # one distribution
        return img.astype(np.float32) + _EIGVEC @ (w * _EIGVAL)
