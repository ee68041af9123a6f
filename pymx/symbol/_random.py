"""``mx.sym.random``: MXNet 1.9.1's Python wrappers around the random operators.

As in ``mx.nd.random``, each function looks at its distribution parameters: numbers
call ``_random_<dist>`` (``shape`` samples), Symbols call ``_sample_<dist>`` (one set of
``shape`` samples per parameter element).  Mixing both is an ``AssertionError``.  The
node is named after the operator called (``_random_uniform0``, ``_sample_normal0``),
and only the arguments given become attributes.
"""
from numbers import Number

from . import op as _op
from .symbol import Symbol

__all__ = ["install"]


class _NullType:
    """MXNet's ``_Null``: "argument not given" (distinct from None)."""

    def __repr__(self):
        return "_Null"


_Null = _NullType()


def _random_helper(random, sampler, params, shape, dtype, kwargs):
    """Call ``sampler`` for Symbol parameters, ``random`` for numbers."""
    given = {k: v for k, v in (("shape", shape), ("dtype", dtype)) if v is not _Null}
    kind = Symbol if isinstance(params[0], Symbol) else Number
    if not isinstance(params[0], (Symbol, Number)):
        raise ValueError("Distribution parameters must be either Symbol or numbers, "
                         f"but got {type(params[0])}.")
    for p in params[1:]:
        if not isinstance(p, kind):
            raise AssertionError("Distribution parameters must all have the same type, "
                                 f"but got both {type(params[0])} and {type(p)}.")
    if kind is Symbol:
        if sampler is None:
            raise ValueError("randint: low and high must be numbers, not Symbols")
        return getattr(_op, sampler)(*params, **given, **kwargs)
    return getattr(_op, random)(*params, **given, **kwargs)


def uniform(low=0, high=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples uniform on ``[low, high)``."""
    return _random_helper("_random_uniform", "_sample_uniform", [low, high], shape, dtype,
                          kwargs)


def normal(loc=0, scale=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from a normal distribution N(loc, scale**2)."""
    return _random_helper("_random_normal", "_sample_normal", [loc, scale], shape, dtype,
                          kwargs)


def randn(*shape, **kwargs):
    """Standard normal samples of shape ``shape`` (given as separate ints)."""
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", _Null)
    return _random_helper("_random_normal", "_sample_normal", [loc, scale], shape, dtype,
                          kwargs)


def poisson(lam=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from a Poisson distribution with rate ``lam``."""
    return _random_helper("_random_poisson", "_sample_poisson", [lam], shape, dtype,
                          kwargs)


def exponential(scale=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from an exponential distribution with mean ``scale``."""
    return _random_helper("_random_exponential", "_sample_exponential", [1.0 / scale],
                          shape, dtype, kwargs)


def gamma(alpha=1, beta=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from a gamma distribution (shape ``alpha``, scale ``beta``)."""
    return _random_helper("_random_gamma", "_sample_gamma", [alpha, beta], shape, dtype,
                          kwargs)


def negative_binomial(k=1, p=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from a negative binomial distribution."""
    return _random_helper("_random_negative_binomial", "_sample_negative_binomial",
                          [k, p], shape, dtype, kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=_Null, dtype=_Null, **kwargs):
    """Samples from a generalized negative binomial distribution."""
    return _random_helper("_random_generalized_negative_binomial",
                          "_sample_generalized_negative_binomial", [mu, alpha], shape,
                          dtype, kwargs)


def multinomial(data, shape=_Null, get_prob=True, dtype="int32", **kwargs):
    """Samples category indices from the distributions in ``data``."""
    return _op._sample_multinomial(data, shape, get_prob, dtype=dtype, **kwargs)


def shuffle(data, **kwargs):
    """Shuffles ``data`` along its first axis."""
    return _op._shuffle(data, **kwargs)


def randint(low, high, shape=_Null, dtype=_Null, **kwargs):
    """Integers uniform on ``[low, high)``."""
    return _random_helper("_random_randint", None, [low, high], shape, dtype, kwargs)


def install(namespace):
    """Put the wrappers into the ``mx.sym.random`` namespace (over the raw ops)."""
    for name in ("uniform", "normal", "randn", "poisson", "exponential", "gamma",
                 "negative_binomial", "generalized_negative_binomial", "multinomial",
                 "shuffle", "randint"):
        setattr(namespace, name, globals()[name])
