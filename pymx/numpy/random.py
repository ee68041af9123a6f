"""``mx.np.random``: NumPy-style random draws (``size`` rather than ``shape``).

``uniform`` and ``normal`` are MXNet's ``_npi_uniform``/``_npi_normal`` operators,
which draw from MXNet's serial CPU generator (so a seed gives MXNet's numbers); the
others are legacy random operators.  All are seeded by ``seed`` (``mx.random.seed``).  ``size=None`` gives one
draw as a zero-dim array.  Defaults as MXNet 1.9.1: float32 samples, int64 from
``randint`` and ``choice``.
"""
import numpy as _np

from .. import random as _mx_random
from ..ndarray import op as _nd
from ..ndarray import random as _nd_random
from ..ndarray.indexing import _reshape_exact
from ..ndarray.ndarray import NDArray, arange

__all__ = ["seed", "normal", "uniform", "randint", "choice", "shuffle"]

seed = _mx_random.seed


def _size(size):
    """The shape to draw and the shape to return."""
    if size is None:
        return (1,), ()
    size = (size,) if isinstance(size, int) else tuple(size)
    return size, size


def _draw(fn, params, size, dtype, ctx):
    shape, final = _size(size)
    for p in params:
        if isinstance(p, NDArray):
            raise TypeError(f"mx.np.random: array parameters are not supported by pymx "
                            f"(got an array for {fn.__name__}); pass numbers")
    x = fn(*params, shape=shape, dtype=_np.dtype(dtype or _np.float32).name, ctx=ctx)
    return _reshape_exact(x.as_np_ndarray(), final)


def _serial(name, a, b, size, dtype, ctx):
    for p in (a, b):
        if isinstance(p, NDArray):
            raise TypeError(f"mx.np.random.{name}: array parameters are not supported by "
                            "pymx; pass numbers")
    if name == "normal" and b < 0:
        raise ValueError(f"mx.np.random.normal: scale must be non-negative, got {b}")
    first, second = ("low", "high") if name == "uniform" else ("loc", "scale")
    shape, final = _size(size)
    x = getattr(_nd, f"_npi_{name}")(**{first: a, second: b}, size=shape, ctx=ctx,
                                     dtype=_np.dtype(dtype or _np.float32).name)
    return _reshape_exact(x.as_np_ndarray(), final)


def normal(loc=0.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples of N(loc, scale^2) (float32 arithmetic, then ``dtype``); scale < 0 is a
    ValueError, as in MXNet."""
    return _out(_serial("normal", loc, scale, size, dtype, ctx), out)


def uniform(low=0.0, high=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples uniform on [low, high) (float32 arithmetic, then ``dtype``)."""
    return _out(_serial("uniform", low, high, size, dtype, ctx), out)


def randint(low, high=None, size=None, dtype=None, ctx=None, out=None):
    """Integers uniform on [low, high) (``randint(n)``: on [0, n)), int64 by default."""
    if high is None:
        low, high = 0, low
    return _out(_draw(_nd_random.randint, [int(low), int(high)], size,
                      dtype or _np.int64, ctx), out)


def choice(a, size=None, replace=True, p=None, ctx=None, out=None):
    """Samples from ``arange(a)`` (an int) or from the 1-D array ``a``: uniformly, or
    with probabilities ``p``; without ``replace`` each element at most once."""
    from .creation import array
    n = a if isinstance(a, int) else len(a)
    shape, final = _size(size)
    count = int(_np.prod(shape))
    if p is not None:
        probs = array(p, ctx=ctx)
        idx = _nd_random.multinomial(probs, shape=count, dtype="int64")
    elif replace:
        idx = randint(0, n, count, ctx=ctx)
    else:
        if count > n:
            raise ValueError("choice: cannot take a larger sample than population when "
                             "replace=False")
        idx = _nd.slice_axis(_nd_random.shuffle(arange(0, n, dtype="int64", ctx=ctx)),
                             axis=0, begin=0, end=count)
    idx = _reshape_exact(idx.as_np_ndarray(), final)
    result = idx if isinstance(a, int) else array(a)[idx]
    return _out(result, out)


def shuffle(x):
    """Permute ``x`` in place along its first axis."""
    x[...] = _nd_random.shuffle(x)


def _out(result, out):
    if out is None:
        return result
    out[...] = result
    return out
