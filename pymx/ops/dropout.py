"""``Dropout``: zero random elements while training, and scale the rest up.

The random mask is drawn on the host and then uploaded (``k.from_numpy``), so one seed
gives the same mask on every backend: MXNet's CPU mask, drawn as MXNet's kernel does
(keep an element when ``U <= 1 - p``, ``U`` from the parallel generator of
``random.py``, one number per mask element).
"""
import numpy as np

from ..base import FLAGS, MXNetError
from .registry import Param, register
from .util import normalize_axes

_FALLBACK_RNG = []


def host_rng():
    """The host ``numpy.random.Generator`` random ops draw from.

    It is ``pymx.ops.random.host_rng()`` (seeded by ``mx.random.seed``) when that module
    provides one; otherwise a private ``numpy.random.default_rng()``.
    """
    try:
        from . import random as _random
        return _random.host_rng()
    except (ImportError, AttributeError):
        if not _FALLBACK_RNG:
            _FALLBACK_RNG.append(np.random.default_rng())
        return _FALLBACK_RNG[0]


def _uniform(shape, dtype):
    """Uniform numbers in [0, 1) of ``shape``: MXNet's parallel CPU stream (see
    ``random.py``), in the compute type of ``dtype``."""
    from .random import parallel_rng
    return parallel_rng().uniform(int(np.prod(shape, dtype=np.int64)), dtype).reshape(shape)


def _dropout(k, a, x):
    if x.dtype.kind != "f":
        raise MXNetError(f"Dropout: data must be a floating point array, got {x.dtype.name}")
    if not 0 <= a.p <= 1:
        raise MXNetError(f"Dropout: argument 'p' must be in [0, 1], got {a.p}")
    active = a.mode == "always" or FLAGS.training
    if not active or a.p == 0:
        return k.copy(x), k.full(x.shape, 1, x.dtype)
    # BEGIN EXERCISE dropout_mask
    axes = normalize_axes("Dropout", a.axes, len(x.shape), "axes") if a.axes else ()
    mask_shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    keep = np.float32(1) - np.float32(a.p)         # MXNet: float pkeep = 1.0f - p
    scale = np.float32(1) / keep if keep > 0 else np.float32(0)   # p=1: all zeros
    draw = _uniform(mask_shape, x.dtype) <= keep
    mask = k.from_numpy((draw * scale).astype(x.dtype))
    if mask_shape != tuple(x.shape):
        mask = k.copy(k.broadcast_to(mask, x.shape))
    return k.binary("multiply", x, mask), mask
    # END EXERCISE dropout_mask


register(
    "Dropout", _dropout,
    params={"p": Param("float", 0.5),
            "mode": Param("str", "training", choices=("training", "always")),
            "axes": Param("shape", ()),
            "cudnn_off": Param("bool", False, optional=True)},
    outputs=("output", "mask"), num_visible_outputs=1, inplace=[(0, 0)],
    infer_shape=lambda a, s: (s, [s[0], s[0]]),
    gradient=lambda F, a, xs, ys, dys: [dys[0] * ys[1]],
    doc=r"""Dropout: ``out = data * mask`` where each mask element is ``1/(1-p)`` with
probability ``1-p`` and ``0`` with probability ``p``.

Active only while training (``autograd.record()`` or ``autograd.train_mode()``; it
follows ``is_training()``, not ``is_recording()``), or always with ``mode='always'``.
Otherwise it is the identity (and the mask is all ones).

``axes`` share one mask value along those axes (variational dropout): the mask is
drawn with shape ``data.shape`` where ``axes`` are set to 1, then broadcast.

Outputs ``(output, mask)``, both of ``data``'s shape; only ``output`` is visible.
The gradient is ``dy * mask``, so the gradient of ``Dropout(ones)`` equals its output.
The mask comes from pymx's copy of MXNet's CPU generator (seed with
``mx.random.seed``), so the same seed gives MXNet's mask, on every backend.
``p=1`` gives zeros (MXNet would compute ``0 * inf``).""")
