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
from ....base import MXNetError
from ....image.resize import resize_array as imresize  # the one resizer
from ...block import Block, HybridBlock, _is_symbol

__all__ = ["Resize", "CenterCrop", "CropResize", "RandomResizedCrop", "RandomFlipLeftRight",
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


class _HostHybridBlock(HybridBlock):
    """A transform that is a HybridBlock in MXNet (its image operator can be traced
    into a graph, and ``Compose`` groups it with its hybrid neighbours) but that pymx
    runs on the host with NumPy: it takes NDArrays only, and ``hybridize`` leaves it
    imperative.  Tracing it into a Symbol is an error."""

    def hybridize(self, active=True, **kwargs):
        """Nothing to compile: the transform always runs on the host."""

    def __call__(self, x, *args):
        if _is_symbol(x):
            raise MXNetError(f"{type(self).__name__}: pymx runs this image transform on "
                             "the host with NumPy; it cannot be traced into a Symbol")
        return super().__call__(x, *args)


class Resize(_HostHybridBlock):
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


class CropResize(_HostHybridBlock):
    """Crop the ``width`` x ``height`` region whose top-left corner is (``x``, ``y``),
    then, if ``size`` (int or (w, h)) is given, resize it with ``interpolation``.
    Images and batches.  (MXNet passes ``interpolation=None`` on to its resize
    operator, which rejects it: give an interpolation code with ``size``.)"""

    def __init__(self, x, y, width, height, size=None, interpolation=None):
        super().__init__()
        self._box = (x, y, width, height)
        self._size, self._interpolation = size, interpolation

    def forward(self, x):
        x0, y0, w, h = self._box
        H, W = x.shape[-3:-1]
        if x0 < 0 or y0 < 0 or w <= 0 or h <= 0 or x0 + w > W or y0 + h > H:
            raise MXNetError(f"CropResize: the region x={x0}, y={y0}, width={w}, "
                             f"height={h} is not inside the {W}x{H} image")
        if self._size and self._interpolation is None:
            raise MXNetError("CropResize: size is given but interpolation is None")

        def fn(img):
            out = img[y0:y0 + h, x0:x0 + w]
            if self._size:
                out = imresize(out, *_size_wh(self._size), self._interpolation)
            return out
        return _per_image(fn, x)


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


class _RandomFlip(_HostHybridBlock):
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


_HLS_SECTORS = np.array([[1, 3, 0], [1, 0, 2], [3, 0, 1],     # tab indices of (b, g, r)
                         [0, 2, 1], [0, 1, 3], [2, 1, 0]])


def _hue(img, alpha):
    """Rotate the hue by ``alpha`` turns through HLS, step by step in float32 as MXNet's
    kernel (``RGB2HLSConvert``/``HLS2RGBConvert``), so uint8 results agree after
    truncation: RGB/255 -> (h degrees, l, s); ``h += alpha * 360``; back to RGB * 255.
    """
    f32 = np.float32
    x = img.astype(f32)
    r, g, b = (x[..., c] / f32(255) for c in range(3))
    vmax, vmin = np.maximum(np.maximum(r, g), b), np.minimum(np.minimum(r, g), b)
    diff = vmax - vmin
    l = (vmax + vmin) * f32(0.5)
    chroma = diff > np.finfo(f32).eps
    lo, hi = (l < f32(0.5)).astype(f32), (l >= f32(0.5)).astype(f32)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = lo * diff / (vmax + vmin) + hi * diff / (f32(2) - vmax - vmin)
        d = f32(60) / diff
        is_r = vmax == r
        is_g = ~is_r & (vmax == g)
        h = is_r.astype(f32) * (g - b) * d
        h = h + is_g.astype(f32) * ((b - r) * d + f32(120))
        h = h + (~is_r & ~is_g).astype(f32) * ((r - g) * d + f32(240))
    h = h + (h < 0).astype(f32) * f32(360)
    h, s = np.where(chroma, h, f32(0)), np.where(chroma, s, f32(0))
    h = h + f32(alpha) * f32(360)
    # HLS -> RGB
    p2 = (l <= f32(0.5)).astype(f32) * l * (f32(1) + s) + \
        (l > f32(0.5)).astype(f32) * (l + s - l * s)
    p1 = f32(2) * l - p2
    h = h * f32(1.0 / 60.0)
    while (h < 0).any():
        h = np.where(h < 0, h + f32(6), h)
    while (h >= 6).any():
        h = np.where(h >= 6, h - f32(6), h)
    sector = h.astype(np.int64)
    h = h - sector.astype(f32)
    tab = np.stack([p2, p1, p1 + (p2 - p1) * (f32(1) - h), p1 + (p2 - p1) * h], axis=-1)
    idx = _HLS_SECTORS[sector]                             # (..., 3): b, g, r
    bgr = np.take_along_axis(tab, idx, axis=-1)
    rgb = np.where((s != 0)[..., None], bgr[..., ::-1], l[..., None])
    out = x.copy()
    out[..., :3] = rgb * f32(255)
    return out


class _ColorBlock(_HostHybridBlock):
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
        return _hue(img, _factor(self._h))     # MXNet: h + 360 * factor (1 +- hue) degrees


def _uniform_int(bits, lo, hi):
    """``std::uniform_int_distribution(lo, hi)`` of libstdc++ on a ``std::mt19937``:
    ``scaling = (2**32 - 1) // n``, redraw words ``>= n * scaling``, divide."""
    n = hi - lo + 1
    scaling = 0xFFFFFFFF // n
    while True:
        w = int(bits.random_raw())
        if w < n * scaling:
            return lo + w // scaling


def _shuffle4(bits):
    """``std::shuffle`` of [0, 1, 2, 3] as in MXNet's build of libstdc++: for i = 1, 2,
    3 swap element i with element ``uniform_int(0, i)`` (three draws)."""
    order = [0, 1, 2, 3]
    for i in range(1, 4):
        j = _uniform_int(bits, 0, i)
        order[i], order[j] = order[j], order[i]
    return order


class RandomColorJitter(_ColorBlock):
    """Brightness, contrast, saturation and hue jitter in a random order (MXNet's
    ``random_color_jitter``): shuffle the four, then apply each non-zero one with its
    own factor, the result cast to the image dtype after each step."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self._args = (brightness, contrast, saturation, hue)

    def forward(self, x):
        def fn(img):
            out = img
            for k in _shuffle4(_serial()._bits):
                strength = self._args[k]
                if strength <= 0:
                    continue
                op = (_brightness, _contrast, _saturation, _hue)[k]
                a = _uniform(-strength, strength)
                out = op(out, a if k == 3 else np.float32(1.0 + a))
                if np.issubdtype(img.dtype, np.integer):      # saturate_cast each step
                    info = np.iinfo(img.dtype)
                    out = np.clip(np.trunc(out), info.min, info.max).astype(img.dtype)
            return out
        return _per_image(fn, x, np.trunc)


class RandomLighting(_ColorBlock):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (eigval * N(0, alpha, 3))`` to
    every pixel's RGB."""

    def __init__(self, alpha):
        super().__init__()
        self._alpha = alpha

    def _apply(self, img):
        w = _serial().normal(3, "float32") * np.float32(self._alpha)   # one distribution
        return img.astype(np.float32) + _EIGVEC @ (w * _EIGVAL)
