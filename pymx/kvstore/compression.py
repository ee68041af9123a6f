"""2-bit gradient compression with error feedback (MXNet's ``'2bit'`` type).

Each gradient element is sent as one of three values, ``+t``, ``0`` or ``-t`` (the
threshold ``t``), which needs 2 bits instead of 32: 16 elements fit in one float's
worth of bits.  What is not sent is not lost: each sender keeps a **residual** ``r``
(one per key and sending device) and adds it to the next gradient::

    r += g
    q  = +t  where r >= t
         -t  where r <= -t
          0  elsewhere
    r -= q                     # the part not sent yet, carried to the next push

So a small gradient is sent once its residual has added up to ``t``, and a large one
is sent as ``t`` per push until the residual drains: at most ``t`` per element and
push, whatever ``g`` is.  The receiver decodes and sums the ``q`` of all senders.

Where MXNet applies it (and pymx likewise, ``local.py``/``dist.py``): a ``device``
store compresses each device's value before summing them; a ``dist_*`` store first
sums the devices of a worker (uncompressed), then compresses what the worker sends.
A ``local`` store refuses compression, as in MXNet.
"""
import numpy as np

from ..base import MXNetError

__all__ = ["GradientCompression", "pack_2bit", "unpack_2bit"]

_ZERO, _NEG, _POS = 0, 2, 3           # the 2-bit codes: 00, 10, 11 (MXNet's choice)


def pack_2bit(q, threshold):
    """Codes of a quantized array ``q`` (values in ``{-t, 0, t}``), 16 to a uint32."""
    codes = np.full(q.size, _ZERO, np.uint32)
    flat = q.ravel()
    codes[flat > 0] = _POS
    codes[flat < 0] = _NEG
    codes = np.concatenate([codes, np.zeros(-q.size % 16, np.uint32)]).reshape(-1, 16)
    shifts = np.arange(30, -1, -2, dtype=np.uint32)       # element 0 in the top bits
    return np.bitwise_or.reduce(codes << shifts, axis=1).astype(np.uint32)


def unpack_2bit(packed, threshold, shape, dtype=np.float32):
    """The inverse of ``pack_2bit``: an array of ``shape`` with values in ``{-t, 0, t}``."""
    shifts = np.arange(30, -1, -2, dtype=np.uint32)
    codes = ((packed[:, None] >> shifts) & 3).ravel()[:int(np.prod(shape))]
    t = np.asarray(threshold, dtype)
    out = np.where(codes == _POS, t, np.where(codes == _NEG, -t, np.zeros((), dtype)))
    return out.astype(dtype).reshape(shape)


class GradientCompression:
    """The ``{'type': '2bit', 'threshold': t}`` setting and the residuals it keeps.

    ``quantize(slot, g)`` (a NumPy array) returns ``q`` and updates the residual of
    ``slot`` (a hashable: ``(key, device)`` or ``key``), as in the module docstring.
    """

    def __init__(self, params):
        if not isinstance(params, dict) or "type" not in params:
            raise MXNetError("set_gradient_compression needs a dict with a 'type', e.g. "
                             f"{{'type': '2bit', 'threshold': 0.5}}, got {params!r}")
        unknown = set(params) - {"type", "threshold"}
        if unknown:
            raise MXNetError(f"set_gradient_compression: unknown argument(s) {sorted(unknown)}")
        self.type = str(params["type"]).lower()
        if self.type != "2bit":
            raise MXNetError(f"Unknown type for gradient compression {params['type']!r}: "
                             "only '2bit' is supported")
        self.threshold = float(params.get("threshold", 0.5))
        if not self.threshold > 0:
            raise MXNetError(f"2bit gradient compression: threshold must be > 0, got "
                             f"{self.threshold}")
        self.residuals = {}

    def quantize(self, slot, grad):
        """``q`` in ``{-t, 0, t}`` for ``residual[slot] + grad``; keeps the rest."""
        r = self.residuals.get(slot)
        if r is None or r.shape != grad.shape:
            r = np.zeros(grad.shape, grad.dtype)
        r = r + grad
        t = np.asarray(self.threshold, grad.dtype)
        q = np.where(r >= t, t, np.where(r <= -t, -t, np.zeros((), grad.dtype)))
        self.residuals[slot] = r - q
        return q.astype(grad.dtype)
