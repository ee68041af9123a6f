"""MXNet's image operators (``mx.nd.image.*``, ``mx.sym.image.*``, op names ``_image_*``).

Images here are **channel-last** ``(H, W, C)`` or batches ``(N, H, W, C)``, as decoded,
except where ``to_tensor`` has made them ``(C, H, W)``:

* ``to_tensor``: ``(H, W, C)`` -> ``(C, H, W)`` float32 divided by 255 (a batch too);
* ``normalize(mean, std)``: ``(x - mean[c]) / std[c]`` on ``(C, H, W)`` / ``(N, C, H, W)``
  with 1 or 3 channels; ``mean``/``std`` hold one value for every channel or one per
  channel (MXNet 1.9.1's defaults ``(0, 0, 0, 0)`` and ``(1, 1, 1, 1)`` fit neither, so
  they must be given: an MXNetError otherwise, as in MXNet);
* ``flip_left_right`` / ``flip_top_bottom``: reverse the width / height axis of one
  ``(H, W, C)`` image (MXNet 1.9.1's ``flip_left_right`` also zeroes the middle column
  of an odd width, a bug pymx does not copy).

Gradients: ``normalize``'s is ``dy / std[c]``, the flips' the same flip of ``dy``;
``to_tensor`` has none (its input is usually uint8), as in MXNet.
"""
from ..base import MXNetError
from .registry import Param, register

__all__ = []


def _check_ndim(op, x, dims=(3, 4)):
    if len(x.shape) not in dims:
        raise MXNetError(f"{op}: the input must be a 3-D image or a 4-D batch, got shape "
                         f"{tuple(x.shape)}")


def _to_tensor(k, a, x):
    _check_ndim("to_tensor", x)
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


def _per_channel(k, a, x, values, what):
    """``values`` (one for every channel, or one per channel) as a (C, 1, 1) array of
    x's dtype."""
    c = x.shape[-3]
    if c not in (1, 3):
        raise MXNetError(f"normalize: the input must have 1 or 3 channels, got shape "
                         f"{tuple(x.shape)}")
    v = list(values)
    if len(v) not in (1, c):          # (so MXNet's 4-value defaults fit no image)
        raise MXNetError(f"normalize: {what} must have either 1 or {c} elements for "
                         f"input of shape {tuple(x.shape)}, but got {tuple(v)}")
    if len(v) == 1:
        v = v * c
    import numpy as np
    return k.from_numpy(np.asarray(v, dtype=x.dtype).reshape(c, 1, 1))


def _normalize(k, a, x):
    _check_ndim("normalize", x)
    mean = _per_channel(k, a, x, a.mean, "mean")
    std = _per_channel(k, a, x, a.std, "std")
    return k.binary("divide", k.binary("subtract", x, k.broadcast_to(mean, x.shape)),
                    k.broadcast_to(std, x.shape))


def _normalize_gradient(F, a, xs, ys, dys):
    return [F._image_normalize(dys[0], mean=(0.0,), std=a.std)]


register("_image_normalize", _normalize,
         params={"mean": Param("floats", (0.0, 0.0, 0.0, 0.0), doc="per-channel mean"),
                 "std": Param("floats", (1.0, 1.0, 1.0, 1.0), doc="per-channel std")},
         gradient=_normalize_gradient,
         doc="``(x - mean[c]) / std[c]`` on (C, H, W) or (N, C, H, W), C = 1 or 3.")


def _flip(name, axis):
    def forward(k, a, x):
        _check_ndim(name, x, dims=(3,))          # MXNet: one (H, W, C) image only
        return k.flip(x, (axis,))
    return forward


for _name, _axis in (("flip_left_right", 1), ("flip_top_bottom", 0)):
    register(f"_image_{_name}", _flip(_name, _axis),
             gradient=lambda F, a, xs, ys, dys, _n=_name: [getattr(F, f"_image_{_n}")(dys[0])],
             doc=f"Reverse the {'width' if _axis == 1 else 'height'} axis of an (H, W, C) "
                 f"image.  (MXNet 1.9.1's ``flip_left_right`` zeroes the middle column of an "
                 f"odd width; pymx flips it in place.)" if _axis == 1 else
                 "Reverse the height axis of an (H, W, C) image.")
