"""Things every floor of pymx needs: the error type, dtype names and the run-time flags.

MXNet raises ``MXNetError`` (a ``RuntimeError``) for almost everything that goes wrong
inside an operator; pymx does the same, and names the operator, the argument and the
shapes in the message.  Unlike MXNet, pymx runs eagerly, so the error is raised at the
line that caused it and not at a later ``asnumpy()`` (see chapter 10, the engine).

The two flags ``recording`` and ``training`` live here, on the lowest floor, because
operators (Dropout, BatchNorm) read ``training`` while autograd (floor 5) sets both.
"""
import threading
import warnings

import numpy as np

__all__ = ["MXNetError", "np_dtype", "dtype_name", "DTYPE_TO_FLAG", "FLAG_TO_DTYPE",
           "register_class"]


class MXNetError(RuntimeError):
    """The error MXNet raises from its C++ core; pymx raises it for bad op input."""


class NotSupportedForSparseNDArray(MXNetError):
    """A dense-only NDArray method called on a sparse array (``csr.reshape(...)``)."""


#: mshadow's type flags, as written in ``.params`` files (notes 2.1).
DTYPE_TO_FLAG = {
    np.dtype(np.float32): 0, np.dtype(np.float64): 1, np.dtype(np.float16): 2,
    np.dtype(np.uint8): 3, np.dtype(np.int32): 4, np.dtype(np.int8): 5,
    np.dtype(np.int64): 6, np.dtype(np.bool_): 7, np.dtype(np.int16): 8,
    np.dtype(np.uint16): 9, np.dtype(np.uint32): 10, np.dtype(np.uint64): 11,
}
FLAG_TO_DTYPE = {flag: dt for dt, flag in DTYPE_TO_FLAG.items()}
#: The dtypes an MXNet 1.9.1 array may have (flags 0-7; its Python front end maps no
#: others): ``nd.array(..., dtype='int16')`` is a KeyError, ``nd.zeros`` an MXNetError.
MX_DTYPES = frozenset(dt for dt, flag in DTYPE_TO_FLAG.items() if flag <= 7)


def np_dtype(dtype, default=np.float32):
    """Normalise anything MXNet accepts as a dtype ('float32', np.float32, None) to np.dtype."""
    if dtype is None:
        return np.dtype(default)
    try:
        return np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"unknown dtype {dtype!r}") from err


def dtype_name(dtype):
    """'float32' for any dtype spelling; this is how symbol JSON writes dtypes."""
    return np.dtype(dtype).name


def register_class(registry, klass, kind):
    """``registry[klass.__name__.lower()] = klass``, as MXNet's ``Optimizer.register``
    and ``KVStoreBase.register`` do: a name registered twice warns (MXNet's text, with
    ``kind`` 'optimizer' or 'kvstore') and the newer class wins.  Returns ``klass``."""
    name = klass.__name__.lower()
    if name in registry:
        old = registry[name]
        warnings.warn(f"WARNING: New {kind} {klass.__module__}.{klass.__name__} is "
                      f"overriding existing {kind} {old.__module__}.{old.__name__}")
    registry[name] = klass
    return klass


class _Flags(threading.local):
    """Per-thread autograd flags: is the tape recording, is the network training."""

    def __init__(self):
        self.recording = False
        self.training = False


FLAGS = _Flags()
