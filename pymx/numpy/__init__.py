"""``mx.np``: MXNet 1.9.1's NumPy-compatible interface.

>>> from pymx import np, npx
>>> npx.set_np()
>>> x = np.arange(6).reshape(2, 3)
>>> x.sum()
array(15.)
>>> x[x > 2]
array([3., 4., 5.])
>>> npx.reset_np()

The array class is ``ndarray`` (``ndarray.py``), a subclass of the legacy
``NDArray`` with NumPy semantics; the functions are grouped by kind: ``creation``,
``elementwise``, ``reduction``, ``manipulation``, ``stacking``, ``rearranging``,
``matrices``, ``counting``, ``linalg``, ``random`` and ``utils``; ``fallback`` holds the
functions MXNet 1.9.1 itself runs with NumPy on the host.  All of
them call operators of the one registry, so autograd, ``hybridize`` and every backend
work on ``mx.np`` arrays as on legacy ones.  ``npx`` (``pymx/numpy_extension``) holds
the deep-learning operators and ``set_np``.  Chapter 3 teaches this package.
"""
from numpy import (bool_, float16, float32, float64, int8, int32, int64, uint8,  # noqa: F401
                   dtype, e, inf, nan, newaxis, pi)

from ..ndarray import register as _register
from .ndarray import ndarray
from .creation import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .manipulation import *  # noqa: F401,F403
from .stacking import *  # noqa: F401,F403
from .rearranging import *  # noqa: F401,F403
from .matrices import *  # noqa: F401,F403
from .counting import *  # noqa: F401,F403
from .fallback import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403
from .linalg import dot, matmul  # noqa: F401
from . import linalg, random  # noqa: F401

_register._NP_NDARRAY = ndarray
bool = bool_  # noqa: A001  (mx.np.bool, as MXNet 1.9.1 spells it)
