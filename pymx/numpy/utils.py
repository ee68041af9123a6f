"""Small ``mx.np`` helpers that are not computations: ``shape``, ``shares_memory``,
``may_share_memory``, ``set_printoptions``, ``finfo``, ``genfromtxt`` and the
constants ``PINF``, ``NINF``, ``PZERO``, ``NZERO``, ``NAN``/``NaN``.

``shares_memory(a, b)`` answers from the buffers: a basic-indexing view
(``x[1:]``, ``x.reshape(...)``) shares its base's memory, an operator's result never
does.
"""
import numpy as _onp

from .fallback import fallback

__all__ = ["shape", "shares_memory", "may_share_memory", "set_printoptions", "finfo",
           "genfromtxt", "PINF", "NINF", "PZERO", "NZERO", "NAN", "NaN"]

PINF, NINF = float("inf"), float("-inf")
PZERO, NZERO = 0.0, -0.0
NAN = NaN = float("nan")


def finfo(dtype):
    """Machine limits of a float type: NumPy's ``finfo`` (``mx.np.finfo`` is NumPy's in
    MXNet 1.9.1 too), e.g. ``finfo(np.float32).eps``."""
    return _onp.finfo(dtype)


genfromtxt = fallback(_onp.genfromtxt, "genfromtxt")


def shape(a):
    """The shape of ``a`` as a tuple (also for lists and scalars)."""
    return tuple(a.shape) if hasattr(a, "shape") else _onp.shape(a)


def _buffers(a, b):
    da, db = getattr(a, "_data", a), getattr(b, "_data", b)
    if isinstance(da, _onp.ndarray) and isinstance(db, _onp.ndarray):
        return da, db
    return None, None


def shares_memory(a, b, max_work=None):
    """True when ``a`` and ``b`` have an element's memory in common (exactly)."""
    da, db = _buffers(a, b)
    if da is None:
        return a is b
    return bool(_onp.shares_memory(da, db))


def may_share_memory(a, b, max_work=None):
    """True when the memory ranges of ``a`` and ``b`` overlap (a quick bounds test:
    it may say True for interleaved views that share nothing)."""
    da, db = _buffers(a, b)
    if da is None:
        return a is b
    return bool(_onp.may_share_memory(da, db))


def set_printoptions(precision=None, threshold=None, **kwarg):
    """Set NumPy's print options (``mx.np`` arrays print through NumPy); MXNet only
    takes ``precision`` and ``threshold``."""
    if kwarg:
        raise NotImplementedError(f"set_printoptions: only precision and threshold are "
                                  f"supported, got {sorted(kwarg)}")
    _onp.set_printoptions(precision=precision, threshold=threshold)
