"""``mx.np.random``: NumPy-style random draws (``size`` rather than ``shape``).

``uniform`` and ``normal`` are MXNet's ``_npi_uniform``/``_npi_normal`` operators,
which draw from MXNet's serial CPU generator (so a seed gives MXNet's numbers), and so
do ``choice``, ``multinomial``, ``exponential`` and ``shuffle`` (MXNet's algorithms,
see their docstrings); ``randint`` is the legacy operator, on MXNet's parallel
generator (MXNet's numbers too).  All are seeded by ``seed`` (``mx.random.seed``).
``size=None`` gives one draw as a zero-dim array.  Defaults as MXNet 1.9.1: float32
samples, int64 from ``randint`` and ``choice``.

The other distributions (``gamma``, ``beta``...) draw on the host generator of
``mx.random`` (``host_rng``): seeded, with MXNet's shapes and dtypes, but not
MXNet's numbers.
"""
import numpy as _np

from .. import random as _mx_random
from ..base import MXNetError
from ..ndarray import op as _nd
from ..ndarray import random as _nd_random
from ..ndarray.indexing import _reshape_exact
from ..ndarray.ndarray import NDArray, arange
from ..ops import random as _ops_random

__all__ = ["seed", "normal", "uniform", "randint", "choice", "shuffle", "rand", "randn",
           "multinomial", "gamma", "exponential", "beta", "chisquare", "gumbel", "logistic",
           "lognormal", "pareto", "power", "rayleigh", "weibull", "multivariate_normal"]

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


def _serial_arrays(name, a, b, size, dtype, ctx):
    """``uniform``/``normal`` with array parameters, as MXNet's ``_npi_*`` kernels:
    standard draws of the serial generator for the output shape (``size``, else the
    parameters' broadcast shape), then ``low + (high - low) * u`` or
    ``loc + scale * z`` with the parameters broadcast, in float32."""
    from .creation import array
    host = [p.asnumpy().astype(_np.float32) if isinstance(p, NDArray) else _np.float32(p)
            for p in (a, b)]
    shape = _np.broadcast_shapes(*(_np.shape(p) for p in host)) if size is None \
        else _size(size)[1]
    draw = getattr(_ops_random.serial_rng(), name)
    z = draw(int(_np.prod(shape)), "float32").reshape(shape)
    values = host[0] + (host[1] - host[0]) * z if name == "uniform" else host[0] + host[1] * z
    return array(values.astype(_np.float32), dtype=dtype or _np.float32, ctx=ctx)


def normal(loc=0.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples of N(loc, scale^2) (float32 arithmetic, then ``dtype``); scale < 0 is a
    ValueError, as in MXNet.  Array parameters broadcast."""
    if isinstance(loc, NDArray) or isinstance(scale, NDArray):
        return _out(_serial_arrays("normal", loc, scale, size, dtype, ctx), out)
    return _out(_serial("normal", loc, scale, size, dtype, ctx), out)


def uniform(low=0.0, high=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples uniform on [low, high) (float32 arithmetic, then ``dtype``).  Array
    parameters broadcast."""
    if isinstance(low, NDArray) or isinstance(high, NDArray):
        return _out(_serial_arrays("uniform", low, high, size, dtype, ctx), out)
    return _out(_serial("uniform", low, high, size, dtype, ctx), out)


def rand(*size, **kwargs):
    """``uniform(0, 1, size)`` with the dimensions as arguments: ``rand(2, 3)``."""
    return uniform(0, 1, size=tuple(size), **kwargs)


def randn(*size, **kwargs):
    """``normal(0, 1, size)`` with the dimensions as arguments: ``randn(2, 3)``."""
    return normal(0, 1, size=tuple(size), **kwargs)


def _host(draw, params, size, dtype, ctx, out):
    """``draw(generator, *params, shape)`` on the host generator, as an ``mx.np`` array
    of ``dtype`` (float32 by default).  ``params`` may be numbers or arrays; the shape
    is ``size``, or (``size=None``) the parameters' broadcast shape (() for numbers)."""
    from .creation import array
    host = [p.asnumpy().astype(_np.float64) if isinstance(p, NDArray) else float(p)
            for p in params]
    if size is None:
        shape = _np.broadcast_shapes(*(_np.shape(p) for p in host))
    else:
        shape = (size,) if isinstance(size, int) else tuple(size)
    values = draw(_ops_random.host_rng(), *host, shape)
    return _out(array(_np.asarray(values), dtype=dtype or _np.float32, ctx=ctx), out)


def multinomial(n, pvals, size=None):
    """Counts of ``n`` draws among ``len(pvals)`` outcomes with probabilities ``pvals``
    (a list or an ``mx.np`` array; a NumPy array is a ValueError, as MXNet): int64 of
    shape ``size + (len(pvals),)``.  d2l: ``np.random.multinomial(10, [1/6] * 6)``.

    MXNet 1.9.1's ``_npi_multinomial`` on its serial generator: one float64 uniform
    ``u`` per draw (plus ``len(pvals)`` more, unused, when ``pvals`` is a list); a draw
    lands in the first outcome whose running sum of ``pvals`` exceeds ``u``, computed in
    the dtype of ``pvals`` (float64 for a list), else in the last outcome.  A running
    sum above 1 is an MXNetError."""
    from .creation import array
    if isinstance(pvals, NDArray):
        probs, extra = pvals.asnumpy(), 0
    else:
        if isinstance(pvals, _np.ndarray):
            raise ValueError("numpy ndarray is not supported!")
        if any(isinstance(p, list) for p in pvals):
            raise ValueError("object too deep for desired array")
        probs = _np.asarray(pvals, dtype=_np.float64)
        extra = len(probs)                  # MXNet's scratch holds pvals after the draws
    shape = () if size is None else (size,) if isinstance(size, int) else tuple(size)
    k = len(probs)
    num_output, n = int(_np.prod(shape, dtype=_np.int64)), int(n)
    counts = _np.zeros((num_output, k), _np.int64)
    if k and num_output:
        acc = _np.cumsum(probs, dtype=probs.dtype)      # one rounding per step, as in C
        if (acc > 1.0).any():
            raise MXNetError("multinomial: sum(pvals[:-1]) > 1.0")
        u = _ops_random.serial_rng().uniform(num_output * n + extra, "float64")
        loc = u[:num_output * n].astype(probs.dtype).reshape(num_output, n)
        bins = _np.minimum(_np.searchsorted(acc, loc, side="right"), k - 1)
        for i in range(num_output):
            counts[i] = _np.bincount(bins[i], minlength=k)
    return array(counts.reshape(shape + (k,)), dtype=_np.int64)


def gamma(shape, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Gamma samples with shape ``k`` and **scale** ``theta`` (mean ``k * theta``)."""
    return _host(lambda g, k, t, n: g.gamma(k, t, n), (shape, scale), size, dtype, ctx, out)


def exponential(scale=1.0, size=None, ctx=None, out=None):
    """Exponential samples with **scale** ``beta`` (mean ``beta``; NumPy's convention).

    MXNet's ``_npi_exponential``: ``-scale * log(u)`` for float32 uniforms ``u`` of
    the serial generator (so MXNet's numbers), computed in double and rounded to
    float32; an array ``scale`` broadcasts (the shape is ``size``, else its shape)."""
    from .creation import array
    if isinstance(scale, NDArray):
        scales = scale.asnumpy().astype(_np.float64)
        shape = scales.shape if size is None else _size(size)[1]
        final = shape
    else:
        scales = _np.float64(_np.float32(scale))
        shape, final = _size(size)
    u = _ops_random.serial_rng().uniform(int(_np.prod(shape)), "float32").reshape(shape)
    values = (-scales * _np.log(u.astype(_np.float64))).astype(_np.float32)
    return _out(_reshape_exact(array(values, dtype=_np.float32, ctx=ctx), final), out)


def beta(a, b, size=None, dtype=None, ctx=None):
    """Beta(a, b) samples, as MXNet makes them: ``X / (X + Y)`` with X ~ Gamma(a),
    Y ~ Gamma(b) in float64, then cast to ``dtype``."""
    return _host(lambda g, a_, b_, n: g.beta(a_, b_, n), (a, b),
                 None if size == () else size, dtype, ctx, None)


def chisquare(df, size=None, dtype=None, ctx=None):
    """Chi-square samples with ``df`` degrees of freedom (``gamma(df / 2, 2)``)."""
    return _host(lambda g, k, n: g.chisquare(k, n), (df,), None if size == () else size,
                 dtype, ctx, None)


def gumbel(loc=0.0, scale=1.0, size=None, ctx=None, out=None):
    """Gumbel samples ``loc - scale * log(-log(u))``."""
    return _host(lambda g, m, s, n: g.gumbel(m, s, n), (loc, scale), size, None, ctx, out)


def logistic(loc=0.0, scale=1.0, size=None, ctx=None, out=None):
    """Logistic samples ``loc + scale * log(u / (1 - u))``."""
    return _host(lambda g, m, s, n: g.logistic(m, s, n), (loc, scale), size, None, ctx, out)


def lognormal(mean=0.0, sigma=1.0, size=None, dtype=None, ctx=None, out=None):
    """``exp`` of ``normal(mean, sigma)`` samples."""
    return _out(_nd.exp(normal(mean, sigma, size, dtype, ctx)), out)


def pareto(a, size=None, ctx=None, out=None):
    """Pareto II (Lomax) samples with shape ``a``, as NumPy's ``pareto``."""
    return _host(lambda g, a_, n: g.pareto(a_, n), (a,), size, None, ctx, out)


def power(a, size=None):
    """Samples of the power distribution ``p(x) = a x^(a-1)`` on [0, 1]."""
    return _host(lambda g, a_, n: g.power(a_, n), (a,), size, None, None, None)


def rayleigh(scale=1.0, size=None, ctx=None, out=None):
    """Rayleigh samples ``scale * sqrt(-2 log(u))``."""
    return _host(lambda g, s, n: g.rayleigh(s, n), (scale,), size, None, ctx, out)


def weibull(a, size=None, ctx=None, out=None):
    """Weibull samples with shape ``a`` (scale 1): ``(-log(u))^(1/a)``."""
    return _host(lambda g, a_, n: g.weibull(a_, n), (a,), size, None, ctx, out)


def multivariate_normal(mean, cov, size=None, check_valid=None, tol=None):
    """Samples of N(mean, cov) (float32), shape ``size + mean.shape[-1:]``."""
    if check_valid is not None or tol is not None:
        raise NotImplementedError("multivariate_normal: check_valid and tol are not "
                                  "supported")
    from .creation import array
    mean_h, cov_h = (v.asnumpy() if isinstance(v, NDArray) else _np.asarray(v)
                     for v in (mean, cov))
    shape = None if size is None else (size,) if isinstance(size, int) else tuple(size)
    values = _ops_random.host_rng().multivariate_normal(mean_h, cov_h, shape)
    return array(values, dtype=_np.float32)


def randint(low, high=None, size=None, dtype=None, ctx=None, out=None):
    """Integers uniform on [low, high) (``randint(n)``: on [0, n)), int64 by default."""
    if high is None:
        low, high = 0, low
    return _out(_draw(_nd_random.randint, [int(low), int(high)], size,
                      dtype or _np.int64, ctx), out)


def choice(a, size=None, replace=True, p=None, ctx=None, out=None):
    """Samples from ``arange(a)`` (an int) or from the 1-D array ``a``: uniformly, or
    with probabilities ``p``; without ``replace`` each element at most once.

    MXNet 1.9.1's ``_npi_choice`` algorithms on its serial generator (so the same
    numbers for the same seed), with ``n`` candidates and ``k`` samples:

    * uniform, with replacement: ``word % n`` for ``k`` 32-bit words;
    * uniform, without: reservoir sampling with ``m = min(k, n - k)`` words,
      ``z_i = word_i % (n - m + i + 1)``; ``indices = arange(n)``, and for each ``i``
      with ``z_i < n - m`` swap ``indices[z_i]`` and ``indices[n - m + i]``; the sample
      is the last ``k`` indices if ``2k < n``, else the first ``k`` (so
      ``choice(n, n, replace=False)`` is ``arange(n)``, unshuffled, as in MXNet);
    * weighted, with replacement: a float32 uniform ``u`` per sample; the sample is
      the number of running sums of ``p`` (float32) below ``u``;
    * weighted, without: Gumbel keys ``-log(-log(u)) + log(p)`` for ``n`` uniforms,
      the ``k`` largest keys win."""
    from .creation import array
    n = a if isinstance(a, int) else len(a)
    shape, final = _size(size)
    count = int(_np.prod(shape))
    if not replace and count > n:
        raise ValueError("choice: cannot take a larger sample than population when "
                         "replace=False")
    rng = _ops_random.serial_rng()
    if p is not None:
        if not isinstance(p, NDArray):          # MXNet 1.9.1 asserts an mx.np array here
            raise AssertionError("choice: p must be an mx.np array")
        weights = p.asnumpy().astype(_np.float32)
        if replace:
            u = rng.uniform(count, "float32")
            acc = _np.cumsum(weights, dtype=_np.float32)
            idx = (acc[None, :] < u[:, None]).sum(axis=1)
        else:
            u = rng.uniform(n, "float32")
            with _np.errstate(divide="ignore"):
                keys = -_np.log(-_np.log(u)) + _np.log(weights)
            idx = _np.argsort(-keys, kind="stable")[:count]
    elif replace:
        idx = rng.words(count).astype(_np.int64) % n
    else:
        m = min(count, n - count)
        split = n - m
        z = rng.words(m).astype(_np.int64) % (_np.arange(m) + split + 1)
        indices = _np.arange(n, dtype=_np.int64)
        for i in _np.nonzero(z < split)[0]:             # the C++ loop's swaps, in order
            j = z[i]
            indices[j], indices[i + split] = indices[i + split], indices[j]
        idx = indices[n - count:] if 2 * count < n else indices[:count]
    idx = array(_np.asarray(idx, dtype=_np.int64).reshape(shape), dtype=_np.int64, ctx=ctx)
    idx = _reshape_exact(idx, final)
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
