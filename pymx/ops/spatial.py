"""Legacy spatial operators of MXNet's vision layers: ``Crop``.

``Crop`` cuts an (h, w) window out of NCHW images; its gradient writes ``dy`` back into
zeros at the same place (``_backward_Crop``), and the gradient of that is ``Crop`` again:
cropping and zero-padding are adjoint data movements.
"""
from ..base import MXNetError
from .registry import Param, register


def _crop_window(a, shapes):
    """``(top, left, h, w)`` of the window Crop takes from data of ``shapes[0]``."""
    op = "Crop"
    data = tuple(shapes[0])
    if len(data) != 4:
        raise MXNetError(f"{op}: data must be 4-D (N, C, H, W), got shape {data}")
    if len(shapes) == 2:
        like = tuple(shapes[1])
        if len(like) != 4:
            raise MXNetError(f"{op}: crop_like must be 4-D (N, C, H, W), got shape {like}")
        h, w = like[2:]
    else:
        h, w = a.h_w
    H, W = data[2:]
    if a.center_crop:
        top, left = (H - h) // 2, (W - w) // 2
    else:
        top, left = a.offset
    if h < 1 or w < 1 or top < 0 or left < 0 or top + h > H or left + w > W:
        raise MXNetError(f"{op}: the window (h, w)=({h}, {w}) at offset (y, x)=({top}, "
                         f"{left}) does not fit data of shape {data}")
    return top, left, h, w


def _crop_key(a, shapes):
    top, left, h, w = _crop_window(a, shapes)
    return (slice(None), slice(None), slice(top, top + h), slice(left, left + w))


def _crop(k, a, *xs):
    if len(xs) not in (1, 2):
        raise MXNetError(f"Crop: takes data and an optional crop_like, got {len(xs)} inputs")
    return k.copy(k.getitem(xs[0], _crop_key(a, [x.shape for x in xs])))


def _crop_shape(a, in_shapes):
    if in_shapes[0] is None or any(s is None for s in in_shapes):
        return in_shapes, [None]
    _, _, h, w = _crop_window(a, in_shapes)
    return in_shapes, [tuple(in_shapes[0][:2]) + (h, w)]


_CROP_PARAMS = {
    "num_args": Param("int", 1, doc="1 (data) or 2 (data, crop_like)"),
    "offset": Param("shape", (0, 0), doc="(y, x) of the window's top-left corner"),
    "h_w": Param("shape", (0, 0), doc="(h, w) of the window when there is no crop_like"),
    "center_crop": Param("bool", False, doc="center the window (offset is ignored)"),
}


def _crop_gradient(F, a, xs, ys, dys):
    dx = F._backward_Crop(dys[0], *xs, **a)
    return [dx] + [F.zeros_like(x) for x in xs[1:]]


register("Crop", _crop, inputs="*data", params=_CROP_PARAMS, infer_shape=_crop_shape,
         gradient=_crop_gradient,
         doc="""Crop NCHW images to an (h, w) window.

``out = data[:, :, y:y+h, x:x+w]``.  The window's size is ``h_w``, or the H and W of
a second input ``crop_like`` (``num_args=2``); its corner is ``offset`` = (y, x), or,
with ``center_crop=True``, ``((H - h) // 2, (W - w) // 2)``.  The gradient of data is
``dy`` placed into zeros at the window; crop_like gets a zero gradient.  (Not the
``crop`` op, which is an alias of ``slice``.)""")


def _backward_crop(k, a, dy, *xs):
    key = _crop_key(a, [x.shape for x in xs])
    dx = k.full(tuple(xs[0].shape), 0, dy.dtype)
    k.setitem(dx, key, dy)
    return dx


register("_backward_Crop", _backward_crop, inputs="*data", params=_CROP_PARAMS,
         infer_shape=lambda a, s: (s, [s[1]]),
         gradient=lambda F, a, xs, ys, dys: [
             F.Crop(dys[0], *xs[2:], **dict(a, num_args=len(xs) - 1))] + [None] * (len(xs) - 1),
         doc="""Crop's gradient: inputs (out_grad, data[, crop_like]); ``out_grad`` written
into zeros of data's shape at the window.  Linear in out_grad; its gradient is Crop.""")
