"""MXNet's image operators (``mx.nd.image.*``, ``mx.sym.image.*``, op names ``_image_*``).

Images here are **channel-last** ``(H, W, C)`` or batches ``(N, H, W, C)``, as decoded,
except where ``to_tensor`` has made them ``(C, H, W)``:

* ``to_tensor``: ``(H, W, C)`` -> ``(C, H, W)`` float32 divided by 255 (a batch too);
* ``normalize(mean, std)``: ``(x - mean[c]) / std[c]`` on ``(C, H, W)`` / ``(N, C, H, W)``
  with 1 or 3 channels; ``mean``/``std`` hold one value for every channel or one per
  channel (MXNet 1.9.1's defaults ``(0, 0, 0, 0)`` and ``(1, 1, 1, 1)`` fit neither, so
  they must be given: an MXNetError otherwise, as in MXNet);
* ``flip_left_right`` / ``flip_top_bottom``: reverse the width / height axis of one
  ``(H, W, C)`` image;
* ``crop(x, y, width, height)``: the region whose top-left corner is (x, y), of an
  image or a batch with 1 or 3 channels;
* ``resize(size, keep_ratio, interp)``: OpenCV's ``cv::resize`` of an image or a batch
  (uint8, float32, float64; any number of channels); ``size`` is (width, height) or
  one int (a square, or with ``keep_ratio`` the shorter side).  uint8 images get
  OpenCV 3.4's fixed-point results exactly (``_resize_uint8``), float images its float
  results up to rounding;
* the augmentations of one ``(H, W, C)`` image with 1 or 3 channels (MXNet's
  ``src/operator/image/image_random-inl.h``; ``gray`` uses the luma weights
  (0.299, 0.587, 0.114))::

    random_flip_left_right / _top_bottom: flip with probability 1/2
    random_brightness(lo, hi):  x * a,                          a ~ U(lo, hi)
    random_contrast(lo, hi):    x * a + (1-a) * mean(gray(x)),  a ~ U(lo, hi)
    random_saturation(lo, hi):  x * a + (1-a) * gray(x)         (per pixel; see below)
    random_hue(lo, hi):         rotate the hue by a * 360 degrees, a ~ U(lo, hi)
    adjust_lighting(alpha):     x + eigvec @ (eigval * alpha)   (AlexNet's PCA noise)
    random_lighting(alpha_std): adjust_lighting with alpha ~ N(0, alpha_std, 3)
    random_color_jitter(b, c, s, h): the four first ones with a non-zero strength, in a
        random order, factors 1 + U(-b, b) ... and hue U(-h, h)

**Arithmetic** (so that uint8 results agree): every colour op computes in float32 and
casts back to the image's dtype; a uint8 result is clamped to [0, 255] and truncated
(MXNet's ``saturate_cast``), other integers truncated (and wrapped, as a C cast).

**Random numbers**: the random ops draw from MXNet's serial CPU generator
(``ops.random.serial_rng``), one ``std::uniform_real_distribution<float>`` float per
factor (a flip: one ``std::bernoulli_distribution`` double), so after
``mx.random.seed(s)`` they give MXNet 1.9.1's numbers.

**Gradients**: ``normalize``'s is ``dy / std[c]``, the flips' the same flip of ``dy``,
``crop``'s ``dy`` padded with zeros back to the input's shape; the random and lighting
ops pass ``dy`` through unchanged (MXNet's ``_copy``, even when the image was flipped);
``to_tensor`` and ``resize`` have none, as in MXNet.

**Where pymx differs** (MXNet's results there are not defined): MXNet's flips never
write the middle column (row) of an odd width (height), and with 1 channel its hue
and lighting ops, and ``random_color_jitter`` with all four strengths 0, never write
their output: pymx copies those pixels from the input.  A crop region that is not
inside the image (a negative ``x`` included) is an MXNetError.

The host kernels here (NumPy, on the image downloaded with ``k.to_numpy``) are the only
definitions of these computations: ``gluon.data.vision.transforms`` calls the
operators, and ``mx.image.imresize`` calls ``resize_array``.
"""
import numpy as np

from ..base import MXNetError
from .random import serial_rng
from .registry import Param, register

__all__ = ["resize_array", "hue_rotate"]


def _check_ndim(op, x, dims=(3, 4)):
    if len(x.shape) not in dims:
        raise MXNetError(f"{op}: the input must be a 3-D image or a 4-D batch, got shape "
                         f"{tuple(x.shape)}")


def _to_tensor(k, a, x):
    _check_ndim("_image_to_tensor", x)
    axes = (2, 0, 1) if len(x.shape) == 3 else (0, 3, 1, 2)
    return k.binary("divide", k.transpose(k.astype(x, "float32"), axes), 255.0)


def _to_tensor_shape(a, in_shapes):
    s = in_shapes[0]
    if s is None:
        return in_shapes, [None]
    return in_shapes, [(s[2], s[0], s[1]) if len(s) == 3 else (s[0], s[3], s[1], s[2])]


register("_image_to_tensor", _to_tensor, infer_shape=_to_tensor_shape,
         infer_type=lambda a, t: (t, ["float32"]), gradient=None,
         doc="(H, W, C) or (N, H, W, C) -> (C, H, W) or (N, C, H, W) float32 / 255.")


def _check_normalize(a, shape):
    """MXNet's checks: a (C, H, W) or (N, C, H, W) input with C = 1 or 3, and ``mean``
    and ``std`` with one value or C values (so MXNet's 4-value defaults fit no image)."""
    shape = tuple(shape)
    if len(shape) not in (3, 4):
        raise MXNetError(f"_image_normalize: the input must be a 3-D image or a 4-D batch, "
                         f"got shape {shape}")
    c = shape[-3]
    if c not in (1, 3):
        raise MXNetError(f"_image_normalize: the input must have 1 or 3 channels, got "
                         f"shape {shape}")
    for what, v in (("mean", a.mean), ("std", a.std)):
        if len(v) not in (1, c):
            raise MXNetError(f"_image_normalize: {what} must have either 1 or {c} elements "
                             f"for input of shape {shape}, but got {tuple(v)}")


def _per_channel(k, x, values):
    """``values`` (one for every channel, or one per channel) as a (C, 1, 1) array of
    x's dtype."""
    c = x.shape[-3]
    v = list(values) * (c if len(values) == 1 else 1)
    return k.from_numpy(np.asarray(v, dtype=x.dtype).reshape(c, 1, 1))


def _normalize(k, a, x):
    _check_normalize(a, x.shape)
    mean, std = _per_channel(k, x, a.mean), _per_channel(k, x, a.std)
    return k.binary("divide", k.binary("subtract", x, k.broadcast_to(mean, x.shape)),
                    k.broadcast_to(std, x.shape))


def _normalize_shape(a, in_shapes):
    if in_shapes[0] is not None:
        _check_normalize(a, in_shapes[0])
    return in_shapes, [in_shapes[0]]


def _normalize_gradient(F, a, xs, ys, dys):
    return [F._image_normalize(dys[0], mean=(0.0,), std=a.std)]


register("_image_normalize", _normalize,
         params={"mean": Param("floats", (0.0, 0.0, 0.0, 0.0), doc="per-channel mean"),
                 "std": Param("floats", (1.0, 1.0, 1.0, 1.0), doc="per-channel std")},
         infer_shape=_normalize_shape, gradient=_normalize_gradient,
         doc="``(x - mean[c]) / std[c]`` on (C, H, W) or (N, C, H, W), C = 1 or 3.")


def _flip(name, axis):
    def forward(k, a, x):
        _check_ndim(f"_image_{name}", x, dims=(3,))   # MXNet: one (H, W, C) image only
        return k.flip(x, (axis,))
    return forward


for _name, _axis in (("flip_left_right", 1), ("flip_top_bottom", 0)):
    register(f"_image_{_name}", _flip(_name, _axis),
             gradient=lambda F, a, xs, ys, dys, _n=_name: [getattr(F, f"_image_{_n}")(dys[0])],
             doc=f"Reverse the {'width' if _axis == 1 else 'height'} axis of an (H, W, C) "
                 f"image.")


def _check_image(op, shape, dims=(3,), channels=(1, 3)):
    """MXNet's shape checks: ``dims`` axes, the last one holding ``channels``."""
    shape = tuple(shape)
    if len(shape) not in dims or (channels and shape[-1] not in channels):
        what = "an (H, W, C) image" + (" or (N, H, W, C) batch" if 4 in dims else "")
        if channels:
            what += f" with {' or '.join(map(str, channels))} channels"
        raise MXNetError(f"_image_{op}: the input must be {what}, got shape {shape}")


def _host(op, compute, dims=(3,), channels=(1, 3)):
    """A forward that checks the image, downloads it, runs ``compute(img, a)`` (NumPy)
    and uploads the result: image operators run on the host, as MXNet's CPU kernels."""
    def forward(k, a, x):
        _check_image(op, x.shape, dims, channels)
        return k.from_numpy(np.ascontiguousarray(compute(k.to_numpy(x), a)))
    return forward


def _image_shape_rule(op, dims=(3,), channels=(1, 3)):
    """Shape rule of the ops whose output has the input's shape (MXNet's ImageShape)."""
    def infer(a, in_shapes):
        s = in_shapes[0]
        if s is not None:
            _check_image(op, s, dims, channels)
        return in_shapes, [s]
    return infer


def _saturate(out, dtype):
    """MXNet's ``saturate_cast`` of float32 results to the image's dtype: uint8 is
    clamped to [0, 255] and truncated; other integers are truncated and wrap around
    (a plain C cast: int8 -129.5 becomes 127)."""
    dtype = np.dtype(dtype)
    if dtype == np.uint8:
        return np.trunc(np.clip(out, 0, 255)).astype(dtype)
    if dtype.kind in "iu":
        return np.trunc(out).astype(np.int64).astype(dtype)
    return out.astype(dtype)


def _pass_through(F, a, xs, ys, dys):
    """MXNet's gradient of the augmentation ops: ``dy`` unchanged (``_copy``)."""
    return [F._copy(dys[0])]


# ---- crop ------------------------------------------------------------------------------
def _crop_key(op, a, shape):
    """The index of the crop region in an (H, W, C) image or (N, H, W, C) batch."""
    H, W = shape[-3], shape[-2]
    x, y, w, h = a.x, a.y, a.width, a.height
    if x < 0 or y < 0 or w <= 0 or h <= 0 or x + w > W or y + h > H:
        raise MXNetError(f"_image_{op}: the region x={x}, y={y}, width={w}, height={h} is not "
                         f"inside the {W}x{H} image of shape {tuple(shape)}")
    return (Ellipsis, slice(y, y + h), slice(x, x + w), slice(None))


def _crop(k, a, x):
    _check_image("crop", x.shape, dims=(3, 4))
    return k.copy(k.getitem(x, _crop_key("crop", a, x.shape)))


def _crop_shape(a, in_shapes):
    s = in_shapes[0]
    if s is None:
        return in_shapes, [None]
    _check_image("crop", s, dims=(3, 4))
    _crop_key("crop", a, s)
    return in_shapes, [tuple(s[:-3]) + (a.height, a.width, s[-1])]


def _backward_crop(k, a, dy, x):
    """``dy`` back in the crop region of zeros shaped like the input."""
    H, W = x.shape[-3], x.shape[-2]
    pad = [(0, 0)] * (len(x.shape) - 3) + [(a.y, H - a.y - a.height),
                                          (a.x, W - a.x - a.width), (0, 0)]
    return k.pad(dy, pad, "constant", 0)


_CROP_PARAMS = {"x": Param("int", doc="left boundary of the region"),
                "y": Param("int", doc="top boundary of the region"),
                "width": Param("int", doc="width of the region"),
                "height": Param("int", doc="height of the region")}

register("_image_crop", _crop, params=_CROP_PARAMS, infer_shape=_crop_shape,
         gradient=lambda F, a, xs, ys, dys: [F._backward_image_crop(dys[0], xs[0], **a)],
         doc="The ``width`` x ``height`` region with top-left corner (``x``, ``y``) of an "
             "(H, W, C) image or (N, H, W, C) batch with 1 or 3 channels.")
register("_backward_image_crop", _backward_crop, inputs=("out_grad", "data"),
         params=_CROP_PARAMS, infer_shape=lambda a, s: (s, [s[1]]),
         doc="Gradient of ``_image_crop``: ``out_grad`` padded with zeros to the shape "
             "of ``data``.")


# ---- resize ----------------------------------------------------------------------------
# MXNet resizes with OpenCV's ``cv::resize``; pymx computes the same sampling rule with
# NumPy.  A resize is separable: each output row is a weighted sum of input rows, each
# output column a weighted sum of input columns, so one axis is a matrix ``W`` of shape
# (n_out, n_in) and the image is resized as ``Wy @ img @ Wx.T`` (per channel).  The
# interpolation code says how a row of ``W`` is made (OpenCV's rules, source pixel
# centres at ``s = (i + 0.5) * n_in / n_out - 0.5``, borders replicated)::
#
#     0 nearest    W[i, floor(i * n_in / n_out)] = 1 (no half-pixel shift)
#     1 bilinear   2 taps around s, weights 1 - f, f (f = s - floor(s))
#     2 bicubic    4 taps, Keys' cubic with a = -0.75
#     3 area       shrinking both axes: the overlap of [i, i+1) * n_in / n_out with
#                  each input pixel; otherwise bilinear taps with OpenCV's "area" offsets
#     4 lanczos    8 taps of sinc(d) * sinc(d / 4), normalised to sum 1
#
# Float images are resized with these float weights; uint8 images with OpenCV's
# fixed-point arithmetic (below), which gives its integers exactly.

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
    ``floor(i * scale)`` with fraction ``(i+1) - (sx+1) / scale`` (0 if negative),
    computed as OpenCV does (``_centres``)."""
    s, f = _centres(n_out, n_in, area=True)
    f = f.astype(np.float64)
    return s[:, None] + np.array([0, 1]), np.stack([1 - f, f], axis=1)


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
    if interp == 0:                        # scale as OpenCV: 1 / (n_out / n_in)
        idx = np.floor(np.arange(n_out) * (1.0 / (n_out / n_in)))[:, None]
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


# ---- uint8 images: OpenCV 3.4's fixed-point arithmetic, bit for bit ---------------------
# OpenCV resizes uint8 images in integers: each row is first resized along the width
# with integer weights ``round(w * 2048)`` (11 fractional bits), then rows are blended
# along the height, each kernel with its own rounding.  Float sums rounded once differ
# from that by one level on a few percent of the pixels, so pymx reproduces it.
_ONE = 2048                                        # INTER_RESIZE_COEF_SCALE


def _centres(n_out, n_in, area=False):
    """Source coordinates of the output pixels along one axis, in float32 as OpenCV:
    the integer part ``s`` and the fraction ``f``.  ``area``: INTER_AREA when enlarging,
    ``s = floor(i * scale)``, ``f = frac((i + 1) - (s + 1) / scale)`` (0 if <= 0)."""
    inv = n_out / n_in
    i = np.arange(n_out)
    if area:
        s = np.floor(i * (1.0 / inv)).astype(np.int64)
        f = ((i + 1) - (s + 1) * inv).astype(np.float32)
        f = np.where(f <= 0, np.float32(0), f - np.floor(f)).astype(np.float32)
        return s, f
    x = ((i + 0.5) * (1.0 / inv) - 0.5).astype(np.float32)
    s = np.floor(x).astype(np.int64)
    return s, x - s.astype(np.float32)


def _cubic_coefficients(x):
    """OpenCV's ``interpolateCubic`` (A = -0.75) of fractions ``x``, in float32."""
    f, A, one = np.float32, np.float32(-0.75), np.float32(1)
    x1, y = x + one, one - x
    c0 = ((A * x1 - f(5) * A) * x1 + f(8) * A) * x1 - f(4) * A
    c1 = ((A + f(2)) * x - (A + f(3))) * x * x + one
    c2 = ((A + f(2)) * y - (A + f(3))) * y * y + one
    return np.stack([c0, c1, c2, one - c0 - c1 - c2], axis=1)


_S45 = 0.70710678118654752440084436210485
_LANCZOS_CS = np.array([[1, 0], [-_S45, -_S45], [0, 1], [_S45, -_S45],
                        [-1, 0], [_S45, _S45], [0, -1], [-_S45, _S45]])


def _lanczos_coefficients(x):
    """OpenCV's ``interpolateLanczos4``: sin/cos in double, each of the 8 taps rounded
    to float32 and normalised by their float32 sum (a fraction below float32's epsilon:
    the centre tap alone)."""
    out = np.zeros((len(x), 8), np.float32)
    for i, xi in enumerate(x.astype(np.float64)):
        if xi < np.finfo(np.float32).eps:
            out[i, 3] = 1
            continue
        y0 = -(xi + 3) * np.pi * 0.25
        y = -(xi + 3 - np.arange(8)) * np.pi * 0.25
        c = ((_LANCZOS_CS[:, 0] * np.sin(y0) + _LANCZOS_CS[:, 1] * np.cos(y0)) /
             (y * y)).astype(np.float32)
        total = np.float32(0)
        for v in c:                                 # a float accumulator, in order
            total = np.float32(total + v)
        out[i] = c * (np.float32(1) / total)
    return out


def _fixed_taps(interp, n_out, n_in, along_width):
    """Integer taps of one axis: source indices (n_out, K), clipped to the image, and
    weights ``round(c * 2048)``.  For (bi)linear taps a centre outside the image is
    moved onto the border pixel along the width only; along the height both rows are
    the border row with the unmoved weights (which matters for the rounding)."""
    s, f = _centres(n_out, n_in, area=interp == 3)
    if interp in (1, 3):
        if along_width:
            border = (s < 0) | (s >= n_in - 1)
            f, s = np.where(border, np.float32(0), f), np.clip(s, 0, n_in - 1)
        c, first = np.stack([np.float32(1) - f, f], axis=1), 0
    elif interp == 2:
        c, first = _cubic_coefficients(f), -1
    else:
        c, first = _lanczos_coefficients(f), -3
    idx = np.clip(s[:, None] + np.arange(first, first + c.shape[1]), 0, n_in - 1)
    return idx, np.rint(c * np.float32(_ONE)).astype(np.int64)


def _vertical_linear(S, b):
    """Two rows blended as OpenCV's SIMD kernel (and its matching scalar loop):
    ``(((b0 * (S0 >> 4)) >> 16) + ((b1 * (S1 >> 4)) >> 16) + 2) >> 2``."""
    t = ((b[:, 0, None] * (S[:, 0] >> 4)) >> 16) + ((b[:, 1, None] * (S[:, 1] >> 4)) >> 16)
    return (t + 2) >> 2


def _vertical_fixed(S, b):
    """Rows blended in integers and rounded: ``(sum_k S_k * b_k + 2**21) >> 22``."""
    return ((S * b[:, :, None]).sum(axis=1) + (1 << 21)) >> 22


def _vertical_cubic(S, b):
    """OpenCV's SSE2 cubic kernel: in float32, ``((S0 b0 + S1 b1) + S2 b2) + S3 b3``
    with ``b_k / 2048**2``, rounded to nearest even, on the elements of each row up to
    the last whole block of 8; the rest of the row as ``_vertical_fixed``."""
    bf = b.astype(np.float32) * np.float32(1.0 / (_ONE * _ONE))
    Sf = S.astype(np.float32)
    acc = Sf[:, 0] * bf[:, 0, None]
    for k in range(1, 4):
        acc = acc + Sf[:, k] * bf[:, k, None]
    out = _vertical_fixed(S, b)
    n = S.shape[-1] // 8 * 8                       # elements done 8 at a time
    out[:, :n] = np.rint(acc[:, :n])
    return out


def _area_table(n_in, n_out, scale):
    """OpenCV's ``computeResizeAreaTab``: (output, source, float32 weight) triples, the
    overlap of each output cell [i, i+1) * scale with the source pixels."""
    tab = []
    for i in range(n_out):
        lo = i * scale
        hi = lo + scale
        cell = min(scale, n_in - lo)
        s1, s2 = int(np.ceil(lo)), min(int(np.floor(hi)), n_in - 1)
        s1 = min(s1, s2)
        if s1 - lo > 1e-3:
            tab.append((i, s1 - 1, np.float32((s1 - lo) / cell)))
        tab.extend((i, s, np.float32(1.0 / cell)) for s in range(s1, s2))
        if hi - s2 > 1e-3:
            tab.append((i, s2, np.float32(min(hi - s2, 1.0, cell) / cell)))
    return tab


def _shrink_area_uint8(p, w, h, sx, sy):
    """INTER_AREA shrinking both axes.  Integer factors: block sums, ``(sum + 2) >> 2``
    for 2 x 2 blocks, else ``round(sum * float32(1 / area))``; otherwise OpenCV's float
    accumulation over ``_area_table`` weights, along the width then the height."""
    H, W, C = p.shape
    ix, iy = int(round(sx)), int(round(sy))
    eps = np.finfo(np.float64).eps
    if abs(sx - ix) < eps and abs(sy - iy) < eps:
        sums = p[:h * iy, :w * ix].reshape(h, iy, w, ix, C).sum(axis=(1, 3))
        if ix == 2 and iy == 2:
            return (sums + 2) >> 2
        return np.rint(sums.astype(np.float32) * np.float32(1.0 / (ix * iy)))
    src = p.astype(np.float32)
    rows = np.zeros((H, w, C), np.float32)
    for i, s, a in _area_table(W, w, sx):
        rows[:, i] = rows[:, i] + src[:, s] * a
    out, started = np.zeros((h, w, C), np.float32), set()
    for i, s, b in _area_table(H, h, sy):
        out[i] = out[i] + b * rows[s] if i in started else b * rows[s]
        started.add(i)
    return np.rint(out)


def _resize_uint8(img, w, h, interp):
    """OpenCV 3.4's ``cv::resize`` of a uint8 image (codes 1-4), exactly; returns the
    integer results as float32."""
    H, W = img.shape[:2]
    p = img.astype(np.int64).reshape(H, W, -1)
    sx, sy = 1.0 / (w / W), 1.0 / (h / H)
    if interp == 3 and sx >= 1 and sy >= 1:
        out = _shrink_area_uint8(p, w, h, sx, sy)
    else:
        xi, a = _fixed_taps(interp, w, W, along_width=True)
        yi, b = _fixed_taps(interp, h, H, along_width=False)
        rows = np.einsum("hwkc,wk->hwc", p[:, xi], a).reshape(H, -1)   # integers
        combine = {1: _vertical_linear, 3: _vertical_linear, 2: _vertical_cubic,
                   4: _vertical_fixed}[interp]
        out = combine(rows[yi], b)
    out = np.clip(out, 0, 255).astype(np.float32)
    return out.reshape((h, w) + img.shape[2:])


def resize_array(img, w, h, interp=1):
    """Resize a NumPy image (H, W) or (H, W, C) to width ``w``, height ``h``.

    Returns float32 (float64 for a float64 image), unrounded; ``interp`` is one of the
    codes 0..4 above.  A uint8 image gets OpenCV's exact integers (``_resize_uint8``;
    nearest needs no arithmetic)."""
    if interp not in (0, 1, 2, 3, 4):
        raise ValueError(f"resize: interp must be 0..4 (or 9, 10 before selection), got {interp}")
    if img.dtype == np.uint8 and interp != 0:
        return _resize_uint8(img, w, h, interp)
    H, W_in = img.shape[:2]
    work = np.float64 if img.dtype == np.float64 else np.float32
    shrink_both = w <= W_in and h <= H
    wy = _weights(h, H, interp, shrink_both).astype(work)
    wx = _weights(w, W_in, interp, shrink_both).astype(work)
    rows = np.tensordot(wy, img.astype(work), axes=(1, 0))            # (h, W, C)
    return np.moveaxis(np.tensordot(wx, rows, axes=(1, 1)), 0, 1)     # (h, w, C)


def _resize_hw(a, h, w):
    """The output (height, width) for an h x w image (MXNet's ``GetHeightAndWidth``):
    ``size`` = (width, height), or one int: a square, or with ``keep_ratio`` the
    shorter side, the other one scaled and truncated."""
    size = tuple(a.size)
    if len(size) not in (1, 2) or min(size) <= 0:
        raise MXNetError(f"_image_resize: size must be one or two positive ints (width, height), "
                         f"got {size}")
    if len(size) == 2:
        return size[1], size[0]
    s = size[0]
    if not a.keep_ratio:
        return s, s
    return (h * s // w, s) if h > w else (s, w * s // h)


def _resize_shape(a, in_shapes):
    s = in_shapes[0]
    if s is None:
        return in_shapes, [None]
    _check_image("resize", s, dims=(3, 4), channels=None)
    nh, nw = _resize_hw(a, s[-3], s[-2])
    return in_shapes, [tuple(s[:-3]) + (nh, nw, s[-1])]


def _resize(img, a):
    if img.dtype not in (np.uint8, np.float32, np.float64):
        raise MXNetError(f"_image_resize: the image must be uint8, float32 or float64 (OpenCV), "
                         f"got {img.dtype}")
    if a.interp not in (0, 1, 2, 3, 4):
        raise MXNetError(f"_image_resize: interp must be one of 0 (nearest), 1 (bilinear), "
                         f"2 (cubic), 3 (area), 4 (lanczos), got {a.interp}")
    nh, nw = _resize_hw(a, img.shape[-3], img.shape[-2])
    one = lambda i: resize_array(i, nw, nh, a.interp)             # noqa: E731
    out = one(img) if img.ndim == 3 else np.stack([one(i) for i in img])
    if img.dtype == np.uint8:                                     # OpenCV rounds
        out = np.clip(np.rint(out), 0, 255)
    return out.astype(img.dtype)


register("_image_resize", _host("resize", _resize, dims=(3, 4), channels=None),
         params={"size": Param("shape", (), doc="(width, height), or one int"),
                 "keep_ratio": Param("bool", False,
                                     doc="with one int size: resize the shorter side"),
                 "interp": Param("int", 1, doc="0 nearest, 1 bilinear, 2 cubic, 3 area, "
                                               "4 lanczos")},
         infer_shape=_resize_shape, gradient=None,
         doc="Resize an (H, W, C) image or (N, H, W, C) batch with OpenCV's rules.")


# ---- colour ----------------------------------------------------------------------------
_GRAY = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_EIGVAL = np.array([55.46, 4.794, 1.148], dtype=np.float32)
_EIGVEC = np.array([[-0.5675, 0.7192, 0.4009],
                    [-0.5808, -0.0045, -0.8140],
                    [-0.5836, -0.6948, 0.4203]], dtype=np.float32)


def _f32(img):
    return img.astype(np.float32)


def _rounder(img):
    """MXNet multiplies a float16 pixel by a float factor in float16 (mshadow's
    ``half_t`` operators) where the kernel does not first cast it to float: round
    such products to float16 for a float16 image."""
    if img.dtype == np.float16:
        return lambda p: p.astype(np.float16).astype(np.float32)
    return lambda p: p


def brightness(img, alpha):
    """``x * alpha``."""
    return _f32(img) * np.float32(alpha)


def contrast(img, alpha):
    """``x * alpha + (1 - alpha) * mean(gray)`` (one channel: its mean)."""
    f, r = _f32(img), _rounder(img)
    gray = f[..., 0] if f.shape[-1] == 1 else r(f[..., :3] * _GRAY).sum(-1)
    alpha = np.float32(alpha)
    return r(f * alpha) + (np.float32(1) - alpha) * np.float32(gray.mean())


def saturation(img, alpha):
    """``x * alpha + (1 - alpha) * gray``, per pixel.  MXNet 1.9.1 quirk, kept so the
    numbers agree: its kernel's "gray" is only ``0.114 * B`` (each coefficient's term
    overwrites the last one instead of adding to it).  One channel: unchanged."""
    f = _f32(img)
    if f.shape[-1] == 1:
        return f
    r, alpha = _rounder(img), np.float32(alpha)
    return r(f * alpha) + (np.float32(1) - alpha) * r(f[..., 2:3] * _GRAY[2])


_HLS_SECTORS = np.array([[1, 3, 0], [1, 0, 2], [3, 0, 1],     # tab indices of (b, g, r)
                         [0, 2, 1], [0, 1, 3], [2, 1, 0]])


def hue_rotate(img, alpha):
    """Rotate the hue by ``alpha`` turns through HLS, step by step in float32 as MXNet's
    kernel (``RGB2HLSConvert``/``HLS2RGBConvert``), so uint8 results agree after
    truncation: RGB/255 -> (h degrees, l, s); ``h += alpha * 360``; back to RGB * 255.
    One channel: unchanged.
    """
    f32 = np.float32
    x = img.astype(f32)
    if x.shape[-1] == 1:
        return x
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


def lighting(img, alpha):
    """``x + eigvec @ (eigval * alpha)``: one RGB offset for every pixel (ImageNet's
    PCA of pixel colours).  One channel: unchanged."""
    f = _f32(img)
    if f.shape[-1] == 1:
        return f
    return f + _EIGVEC @ (np.asarray(alpha, np.float32) * _EIGVAL)


# ---- the serial generator's draws, as libstdc++ makes them ------------------------------
def uniform(lo, hi):
    """``std::uniform_real_distribution<float>(lo, hi)``: ``u * (hi - lo) + lo`` in
    float32, ``u`` one float from the serial generator."""
    u = serial_rng().uniform(1, "float32")[0]
    lo, hi = np.float32(lo), np.float32(hi)
    return u * (hi - lo) + lo


def _coin():
    """``std::bernoulli_distribution(0.5)``: one double from the serial generator, true
    when below 0.5."""
    return serial_rng().uniform(1, "float64")[0] < 0.5


def _uniform_int(bits, lo, hi):
    """``std::uniform_int_distribution(lo, hi)`` of libstdc++ on a ``std::mt19937``:
    ``scaling = (2**32 - 1) // n``, redraw words ``>= n * scaling``, divide."""
    n = hi - lo + 1
    scaling = 0xFFFFFFFF // n
    while True:
        w = int(bits.random_raw())
        if w < n * scaling:
            return lo + w // scaling


def _shuffle4():
    """``std::shuffle`` of [0, 1, 2, 3] as in MXNet's build of libstdc++: for i = 1, 2,
    3 swap element i with element ``uniform_int(0, i)`` (three draws)."""
    bits = serial_rng()._bits
    order = [0, 1, 2, 3]
    for i in range(1, 4):
        j = _uniform_int(bits, 0, i)
        order[i], order[j] = order[j], order[i]
    return order


# ---- the augmentation operators ---------------------------------------------------------
def _random_flip(axis):
    def compute(img, a):
        # MXNet: bernoulli true -> copy, false -> flip
        return img.copy() if _coin() else np.flip(img, axis)
    return compute


def _random_enhance(adjust):
    def compute(img, a):
        return _saturate(adjust(img, uniform(a.min_factor, a.max_factor)), img.dtype)
    return compute


def _color_jitter(img, a):
    """Shuffle (brightness, contrast, saturation, hue), then apply each one whose
    strength is > 0 with its own factor, casting back to the image's dtype after each."""
    out = img
    strengths = (a.brightness, a.contrast, a.saturation, a.hue)
    for i in _shuffle4():
        if strengths[i] <= 0:
            continue
        f = uniform(-strengths[i], strengths[i])
        if i == 3:
            out = hue_rotate(out, f)
        else:
            out = (brightness, contrast, saturation)[i](out, np.float32(1.0 + f))
        out = _saturate(out, img.dtype)
    return out.copy() if out is img else out


def _adjust_lighting(img, a):
    if len(a.alpha) != 3:
        raise MXNetError(f"_image_adjust_lighting: alpha must hold 3 values (R, G, B), "
                         f"got {a.alpha}")
    return _saturate(lighting(img, a.alpha), img.dtype)


def _random_lighting(img, a):
    alpha = serial_rng().normal(3, "float32") * np.float32(a.alpha_std)
    return _saturate(lighting(img, alpha), img.dtype)


def _factor_params(what):
    return {"min_factor": Param("float", doc=f"smallest {what} factor (>= 0)"),
            "max_factor": Param("float", doc=f"largest {what} factor (>= 0)")}


def _checked_factors(compute, op):
    def run(img, a):
        if a.min_factor < 0 or a.max_factor < 0:
            raise MXNetError(f"_image_{op}: min_factor and max_factor must be >= 0, got "
                             f"{a.min_factor}, {a.max_factor}")
        return compute(img, a)
    return run


_AUGMENTATIONS = {
    "random_flip_left_right": (_random_flip(1), {}, "Flip the width axis with probability 1/2."),
    "random_flip_top_bottom": (_random_flip(0), {}, "Flip the height axis with probability 1/2."),
    "random_brightness": (_random_enhance(brightness), _factor_params("brightness"),
                          "``x * a``, a ~ U(min_factor, max_factor)."),
    "random_contrast": (_random_enhance(contrast), _factor_params("contrast"),
                        "``x * a + (1 - a) * mean(gray(x))``, a ~ U(min_factor, max_factor)."),
    "random_saturation": (_random_enhance(saturation), _factor_params("saturation"),
                          "``x * a + (1 - a) * gray``, a ~ U(min_factor, max_factor) "
                          "(MXNet's gray: 0.114 * B)."),
    "random_hue": (_random_enhance(hue_rotate), _factor_params("hue"),
                   "Rotate the hue by a turns, a ~ U(min_factor, max_factor)."),
    "random_color_jitter": (_color_jitter,
                            {k: Param("float", doc=f"how much to jitter {k}")
                             for k in ("brightness", "contrast", "saturation", "hue")},
                            "Brightness, contrast, saturation and hue jitter in a random "
                            "order."),
    "adjust_lighting": (_adjust_lighting,
                        {"alpha": Param("floats", doc="the PCA weights of R, G, B")},
                        "``x + eigvec @ (eigval * alpha)`` (ImageNet's PCA)."),
    "random_lighting": (_random_lighting,
                        {"alpha_std": Param("float", 0.05, doc="std of the PCA weights")},
                        "``adjust_lighting`` with alpha ~ N(0, alpha_std, 3)."),
}

for _name, (_compute, _params, _doc) in _AUGMENTATIONS.items():
    if "min_factor" in _params:
        _compute = _checked_factors(_compute, _name)
    register(f"_image_{_name}", _host(_name, _compute), params=_params,
             infer_shape=_image_shape_rule(_name), gradient=_pass_through,
             doc=_doc + "  One (H, W, C) image with 1 or 3 channels.")
