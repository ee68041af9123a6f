"""Random sampling operators and the host generators they draw from.

**Where random numbers come from.**  Every draw in pymx happens on the host and is then
uploaded with ``k.from_numpy``, so the same seed gives the same numbers on every backend
(cpu, gpu, opencl), which is what makes ``check_consistency`` possible for random ops.
There are three host generators, all re-seeded by ``mx.random.seed``:

* ``parallel_rng()``: MXNet 1.9.1's parallel CPU generator, reproduced bit for bit
  (``mt19937.py``).  The uniform, normal and ``randint`` operators and ``Dropout`` draw
  from it, so after ``mx.random.seed(s)`` they give the numbers MXNet gives on
  ``cpu(0)``, and so do the initializers built on them;
* ``serial_rng()``: MXNet's serial CPU generator, which ``mx.np.random.uniform``,
  ``normal``, ``choice`` and ``multinomial`` and the ``shuffle`` operator use in MXNet;
* ``host_rng()``: a ``numpy.random.Generator`` (PCG64) for every other distribution
  (gamma, Poisson, multinomial...): the same statistics as
  MXNet, not its numbers.  (``exponential`` is MXNet's: ``-log(1 - U) / lam``.)

Like MXNet, the generators start from seed 0, so an unseeded program is reproducible
run to run (and its uniform and normal draws are MXNet's).  MXNet mixes the device id
into the seed, so its GPU streams differ from its CPU stream; pymx uses the CPU stream
for every device.

Other op modules that need randomness call these functions inside their forward and
draw from the result; never keep the returned object, because ``seed`` replaces it.

Operators:

* ``_random_<dist>`` (aliases ``random_<dist>``; ``uniform``/``normal`` too): scalar
  parameters, an output of ``shape``; no array inputs (like ``_zeros``, ``invoke``
  takes the context from ``ctx=``).
* ``_sample_<dist>`` (aliases ``sample_<dist>``): parameters are arrays of one shape
  S; the output has shape ``S + shape``, ``shape`` samples per parameter set.
* ``_sample_multinomial`` (optionally with the log-probability of each draw, which is
  differentiable) and ``_shuffle`` (permute along axis 0).
"""
import numpy as np

from ..base import MXNetError
from .mt19937 import ParallelRandom, SerialRandom
from .registry import Param, register

__all__ = ["host_rng", "parallel_rng", "serial_rng", "seed", "DEFAULT_SEED"]

#: The seed the generators start from before any ``mx.random.seed`` call (MXNet's too).
DEFAULT_SEED = 0
_STATE = {"seed": DEFAULT_SEED, "numpy": None, "parallel": None, "serial": None}


def seed(seed_state):
    """Re-seed the host generators (``mx.random.seed`` calls this)."""
    _STATE.update(seed=int(seed_state), numpy=None, parallel=None, serial=None)


def host_rng():
    """The host ``numpy.random.Generator`` for distributions MXNet's streams are not
    reproduced for.  Example: ``host_rng().gamma(2.0, 1.0, shape)``."""
    if _STATE["numpy"] is None:
        _STATE["numpy"] = np.random.Generator(np.random.PCG64(_STATE["seed"]))
    return _STATE["numpy"]


def parallel_rng():
    """MXNet's parallel CPU generator (``mt19937.ParallelRandom``), built on first use
    after each seed.  Example (a Dropout mask): ``parallel_rng().uniform(n, 'float32')``."""
    if _STATE["parallel"] is None:
        _STATE["parallel"] = ParallelRandom(_STATE["seed"])
    return _STATE["parallel"]


def serial_rng():
    """MXNet's serial CPU generator (``mt19937.SerialRandom``)."""
    if _STATE["serial"] is None:
        _STATE["serial"] = SerialRandom(_STATE["seed"])
    return _STATE["serial"]


# ---- helpers ---------------------------------------------------------------------------
_FLOATS = ("float16", "float32", "float64")


def _out_dtype(a, default="float32"):
    return a.dtype or default


def _shape_of(op, a):
    if a.shape is None:
        raise MXNetError(f"{op}: shape is required (MXNet cannot infer it imperatively)")
    return tuple(a.shape)


def _upload(k, values, dtype):
    return k.from_numpy(np.asarray(values).astype(dtype, copy=False))


def _check(op, ok, message):
    if not ok:
        raise MXNetError(f"{op}: {message}")


def _no_input_shape(op):
    return lambda a, in_shapes: ([], [_shape_of(op, a)])


def _typed(default):
    return lambda a, in_types: ([], [np.dtype(a.dtype or default)])


# Each distribution is written once as ``draw(params, size, dtype)`` on NumPy values;
# the same function serves the scalar ``_random_X`` op and the per-element ``_sample_X``
# op (whose params arrive already broadcast against ``size``).
def _size(size):
    return int(np.prod(size, dtype=np.int64))


def _draw_uniform(p, size, dtype):
    """MXNet's kernel: ``low + (high - low) * U`` in the compute type (float32 for
    float32 output, else float64), U from the parallel generator."""
    u = parallel_rng().uniform(_size(size), dtype).reshape(size)
    low, high = (np.asarray(v, u.dtype) for v in p)
    return low + (high - low) * u


def _draw_normal(p, size, dtype):
    """MXNet's kernel: ``Z * scale + loc`` in the compute type, Z from the parallel
    generator (polar method)."""
    z = parallel_rng().normal(_size(size), dtype).reshape(size)
    loc, scale = (np.asarray(v, z.dtype) for v in p)
    return z * scale + loc


def _draw_gamma(p, size, dtype):
    rng = host_rng()
    alpha, beta = p
    return rng.gamma(alpha, 1.0, size) * beta


def _draw_exponential(p, size, dtype):
    """MXNet's kernel: ``-log(1.0 - U) / lam`` in double, U from the parallel generator
    (``lam`` a C float)."""
    u = parallel_rng().uniform(_size(size), dtype).reshape(size).astype(np.float64)
    (lam,) = p
    return -np.log(1.0 - u) / np.asarray(lam, np.float32).astype(np.float64)


def _draw_poisson(p, size, dtype):
    rng = host_rng()
    (lam,) = p
    return rng.poisson(lam, size)


def _draw_negative_binomial(p, size, dtype):
    """Failures before the k-th success... as MXNet: Poisson(Gamma(k, (1 - p) / p))."""
    rng = host_rng()
    k, prob = p
    return rng.poisson(rng.gamma(k, 1.0, size) * ((1 - prob) / prob))


def _draw_generalized_negative_binomial(p, size, dtype):
    """Mean mu, variance mu + alpha mu^2: Poisson(Gamma(1/alpha, mu alpha)), or
    Poisson(mu) where alpha == 0 (MXNet's construction)."""
    rng = host_rng()
    mu, alpha = p
    zero = np.asarray(alpha) == 0
    safe = np.where(zero, 1.0, alpha)
    lam = rng.gamma(1.0 / safe, 1.0, size) * (mu * safe)
    return rng.poisson(np.where(zero, mu, lam), size)


def _check_gamma(op, p):
    _check(op, np.all(np.asarray(p[0]) > 0), "alpha parameter in gamma distribution has "
           "to be positive")
    _check(op, np.all(np.asarray(p[1]) > 0), "beta parameter in gamma distribution has to "
           "be positive")


def _check_poisson(op, p):
    _check(op, np.all(np.asarray(p[0]) >= 0), "lambda parameter in poisson distribution "
           "has to be non-negative")


def _check_negative_binomial(op, p):
    _check(op, np.all(np.asarray(p[0]) >= 0), "k parameter in negative binomial "
           "distribution has to be non-negative")
    prob = np.asarray(p[1])
    _check(op, np.all((prob > 0) & (prob <= 1)), "p parameter in negative binomial "
           "distribution has to be in (0, 1]")


def _check_gnb(op, p):
    _check(op, np.all(np.asarray(p[0]) >= 0), "mu parameter in generalized negative "
           "binomial distribution has to be non-negative")
    _check(op, np.all(np.asarray(p[1]) >= 0), "alpha parameter in generalized negative "
           "binomial distribution has to be non-negative")


# name: (scalar params with MXNet's defaults, sample-op input names, draw, check of
#        the scalar op, check of the sample op, math for the docstring, aliases of
#        _random_X)
_DISTS = {
    "uniform": ({"low": Param("float", 0.0), "high": Param("float", 1.0)},
                ("low", "high"), _draw_uniform,
                lambda op, p: _check(op, p[1] >= p[0], "low must be less or equal to high "
                                     "in uniform distribution"),
                None, "uniform on ``[low, high)``", ("uniform", "random_uniform")),
    "normal": ({"loc": Param("float", 0.0), "scale": Param("float", 1.0)},
               ("mu", "sigma"), _draw_normal,
               lambda op, p: _check(op, p[1] > 0, "scale parameter in gaussian has to be "
                                    "positive"),
               None, "normal with mean ``loc`` (mu) and standard deviation ``scale`` "
               "(sigma)", ("normal", "random_normal")),
    "gamma": ({"alpha": Param("float", 1.0), "beta": Param("float", 1.0)},
              ("alpha", "beta"), _draw_gamma, _check_gamma, _check_gamma,
              "gamma with shape ``alpha`` and **scale** ``beta`` (mean alpha beta)",
              ("random_gamma",)),
    "exponential": ({"lam": Param("float", 1.0)}, ("lam",), _draw_exponential,
                    lambda op, p: _check(op, p[0] > 0, "lambda parameter in exponential "
                                         "distribution has to be positive"),
                    None, "exponential with **rate** ``lam`` (mean 1/lam)",
                    ("random_exponential",)),
    "poisson": ({"lam": Param("float", 1.0)}, ("lam",), _draw_poisson,
                _check_poisson, _check_poisson, "Poisson with rate ``lam`` (as floats)",
                ("random_poisson",)),
    "negative_binomial": ({"k": Param("int", 1), "p": Param("float", 1.0)}, ("k", "p"),
                          _draw_negative_binomial, _check_negative_binomial,
                          _check_negative_binomial,
                          "negative binomial: failures before the ``k``-th success with "
                          "success probability ``p`` (mean k(1-p)/p)",
                          ("random_negative_binomial",)),
    "generalized_negative_binomial": (
        {"mu": Param("float", 1.0), "alpha": Param("float", 1.0)}, ("mu", "alpha"),
        _draw_generalized_negative_binomial, _check_gnb, _check_gnb,
        "generalized negative binomial with mean ``mu`` and dispersion ``alpha`` "
        "(variance mu + alpha mu^2)", ("random_generalized_negative_binomial",)),
}


def _random_forward(name, draw, check):
    op = f"_random_{name}"

    def forward(k, a, *unused):
        shape = _shape_of(op, a)
        params = [a[p] for p in _DISTS[name][0]]
        if check is not None:
            check(op, params)
        dtype = _out_dtype(a)
        return _upload(k, draw(params, shape, dtype), dtype)
    return forward


def _sample_forward(name, draw, check):
    op = f"_sample_{name}"

    def forward(k, a, *params):
        shapes = {tuple(p.shape) for p in params}
        if len(shapes) != 1:
            names = _DISTS[name][1]
            raise MXNetError(f"{op}: all parameter arrays must have one shape, got " +
                             ", ".join(f"{n}{tuple(p.shape)}" for n, p in zip(names, params)))
        s, t = tuple(params[0].shape), tuple(a.shape or ())
        host = [k.to_numpy(p).astype(np.float64).reshape(s + (1,) * len(t)) for p in params]
        if check is not None:
            check(op, host)
        dtype = _out_dtype(a)
        return _upload(k, draw(host, s + t, dtype), dtype)
    return forward


def _sample_shape(a, in_shapes):
    known = next((s for s in in_shapes if s is not None), None)
    if known is None:
        return in_shapes, [None]
    return [known] * len(in_shapes), [tuple(known) + tuple(a.shape or ())]


def _sample_type(a, in_types):
    return in_types, [np.dtype(a.dtype or "float32")]


def _zero_gradient(F, a, xs, ys, dys):
    """Samplers are not reparameterised in MXNet: their parameters get zero gradient."""
    return [F.zeros_like(x) for x in xs]


_CTX = Param("str", "", doc="Context of the output, e.g. 'cpu(0)' (imperative calls).")

for _name, (_params, _inputs, _draw, _check_r, _check_s, _math, _aliases) in _DISTS.items():
    _float_types = Param("dtype", None, choices=_FLOATS,
                         doc="Output dtype; None means float32.")
    register(f"_random_{_name}", _random_forward(_name, _draw, _check_r), inputs=(),
             params=dict(_params, shape=Param("shape", None), ctx=_CTX, dtype=_float_types),
             infer_shape=_no_input_shape(f"_random_{_name}"), infer_type=_typed("float32"),
             aliases=_aliases, doc=f"""\
Samples of the {_math} distribution, an array of ``shape`` (float32 unless ``dtype``).

Drawn on the host (seed with ``mx.random.seed``), so one seed gives the same numbers on
every backend; uniform and normal give MXNet's CPU numbers for the same seed.
Parameters are checked as MXNet does (MXNetError otherwise).""")
    register(f"_sample_{_name}", _sample_forward(_name, _draw, _check_s), inputs=_inputs,
             params={"shape": Param("shape", ()), "dtype": _float_types},
             infer_shape=_sample_shape, infer_type=_sample_type, gradient=_zero_gradient,
             aliases=(f"sample_{_name}",), doc=f"""\
Per-element sampling from the {_math} distribution: the parameter arrays
({', '.join(_inputs)}) share one shape S, and ``out[i...]`` holds ``shape`` samples
drawn with the parameters at ``i...``; out has shape ``S + shape``.

MXNet quirks: the output is float32 unless ``dtype`` is given, whatever the inputs'
dtype; the gradient is zero.""" + ("" if _check_s else """  Like MXNet, no parameter
check: a negative scale (or low > high) just flips the samples."""))


def _randint(k, a):
    shape = _shape_of("_random_randint", a)
    _check("_random_randint", a.high > a.low, f"high must be greater than low, got "
           f"low={a.low}, high={a.high} (MXNet crashes for low == high)")
    dtype = a.dtype or "int32"
    # MXNet: out = low + rand_int64() % (high - low), in int64 (C's truncated %),
    # then cast to dtype; drawn from the parallel generator, so MXNet's numbers.
    words = parallel_rng().int64(int(np.prod(shape, dtype=np.int64)))
    values = np.int64(a.low) + np.fmod(words, np.int64(a.high) - np.int64(a.low))
    return _upload(k, values.reshape(shape), dtype)


register("_random_randint", _randint, inputs=(),
         params={"low": Param("int"), "high": Param("int"), "shape": Param("shape", None),
                 "ctx": _CTX,
                 "dtype": Param("dtype", None, choices=("int32", "int64"),
                                doc="Output dtype; None means int32.")},
         infer_shape=_no_input_shape("_random_randint"), infer_type=_typed("int32"),
         aliases=("random_randint",), doc="""\
Integers drawn uniformly from ``[low, high)``, an array of ``shape`` (int32 unless
``dtype='int64'``).  ``low`` and ``high`` are required.""")


# ---- multinomial -------------------------------------------------------------------------
def _multinomial_shape(a, in_shapes):
    (data,) = in_shapes
    if data is None:
        return in_shapes, [None, None] if a.get_prob else [None]
    out = tuple(data[:-1]) + tuple(a.shape or ()) or (1,)
    return in_shapes, [out, out] if a.get_prob else [out]


def _sample_multinomial(k, a, data):
    if len(data.shape) < 1 or data.shape[-1] < 1:
        raise MXNetError(f"_sample_multinomial: data must have a non-empty last axis, "
                         f"got shape {tuple(data.shape)}")
    kk = data.shape[-1]
    batch = tuple(data.shape[:-1])
    t = tuple(a.shape or ())
    out_shape = batch + t or (1,)
    p = k.to_numpy(data).astype(np.float64).reshape(-1, kk)
    m = int(np.prod(t, dtype=np.int64))
    u = host_rng().random((p.shape[0], m))
    cum = np.cumsum(p, axis=1)
    # MXNet's rule: the first j with cum[j] > u (the last class if none)
    samples = np.minimum((cum[:, None, :] <= u[:, :, None]).sum(-1), kk - 1)
    out = _upload(k, samples.reshape(out_shape), a.dtype)
    if not a.get_prob:
        return out
    flat = (np.arange(p.shape[0])[:, None] * kk + samples).reshape(out_shape)
    chosen = k.take(k.reshape(data, (p.shape[0] * kk,)), k.from_numpy(flat), 0)
    return out, k.unary("log", chosen)


def _multinomial_gradient(F, a, xs, ys, dys):
    if not a.get_prob:
        return [F.zeros_like(xs[0])]
    return [F._backward_sample_multinomial(xs[0], ys[0], dys[1])]


register("_sample_multinomial", _sample_multinomial, inputs=("data",),
         params={"shape": Param("shape", ()), "get_prob": Param("bool", False),
                 "dtype": Param("dtype", "int32",
                                choices=("float16", "float32", "float64", "int32", "uint8"))},
         outputs=lambda a: ("output", "prob") if a.get_prob else ("output",),
         infer_shape=_multinomial_shape,
         infer_type=lambda a, t: (t, [np.dtype(a.dtype)] + ([t[0]] if a.get_prob else [])),
         gradient=_multinomial_gradient, aliases=("sample_multinomial",), doc="""\
Draw class indices from categorical distributions: ``data`` (d1, ..., dn-1, K) holds
K probabilities per distribution (they should sum to 1); ``shape`` samples are drawn
from each.  Out: ``(d1, ..., dn-1) + shape`` (``(1,)`` if that is empty) in ``dtype``
(int32 by default).

A sample is the first class j whose cumulative probability exceeds a uniform draw u
(MXNet's rule; unnormalised rows are not rescaled).  With ``get_prob=True`` a second
output holds ``log data[..., sample]`` in data's dtype; its gradient (the
score-function / REINFORCE estimator) is ``dy / data[..., sample]`` at the sampled
class (``_backward_sample_multinomial``); the samples have no gradient.""")


def _backward_sample_multinomial(k, a, data, samples, dprob):
    kk = data.shape[-1]
    rows = int(np.prod(data.shape[:-1], dtype=np.int64))
    m = int(np.prod(samples.shape, dtype=np.int64)) // rows if rows else 0
    s = k.reshape(k.astype(samples, "int64"), (rows, m))
    base = k.from_numpy(np.repeat(np.arange(rows, dtype=np.int64) * kk, m).reshape(rows, m))
    flat = k.reshape(k.binary("add", s, base), (rows * m,))
    p = k.reshape(data, (rows * kk,))
    g = k.binary("divide", k.reshape(k.astype(dprob, data.dtype), (rows * m,)),
                 k.take(p, flat, 0))
    return k.reshape(k.scatter_add((rows * kk,), flat, g, 0, data.dtype), tuple(data.shape))


register("_backward_sample_multinomial", _backward_sample_multinomial,
         inputs=("data", "samples", "ograd"),
         infer_shape=lambda a, s: (s, [s[0]]), infer_type=lambda a, t: (t, [t[0]]),
         doc="The gradient of multinomial's log-probability output: zeros shaped like "
             "``data``, then ``out[..., samples[..., j]] += ograd[..., j] / "
             "data[..., samples[..., j]]``.")


# ---- shuffle -----------------------------------------------------------------------------
def _shuffle(k, a, x):
    if not x.shape or x.shape[0] <= 1:
        return k.copy(x)
    perm = serial_rng().permutation(x.shape[0], backwards=len(x.shape) > 1)
    return k.take(x, k.from_numpy(perm.astype(np.int64)), 0)


register("_shuffle", _shuffle, inputs=("data",), aliases=("shuffle",), doc="""\
A copy of ``data`` with its items along axis 0 in a random order (rows of a matrix
move as wholes).  The permutation is MXNet's: ``random_shuffle`` on its serial
generator (``mt19937.SerialRandom.permutation``).""")


# ---- mx.np.random's uniform and normal: MXNet's serial generator ------------------------
def _npi_forward(name, transform):
    def forward(k, a):
        size = tuple(a.size) if a.size is not None else ()
        u = getattr(serial_rng(), name)(_size(size), "float32").reshape(size)
        return _upload(k, transform(a, u), a.dtype or "float32")
    return forward


def _npi_uniform_values(a, u):
    low, high = np.float32(a.low), np.float32(a.high)
    return low + (high - low) * u


def _npi_normal_values(a, z):
    _check("_npi_normal", a.scale >= 0, f"scale must be non-negative, got {a.scale}")
    return z * np.float32(a.scale) + np.float32(a.loc)


for _name, (_a, _b, _values) in {"uniform": (("low", 0.0), ("high", 1.0), _npi_uniform_values),
                                 "normal": (("loc", 0.0), ("scale", 1.0), _npi_normal_values)
                                 }.items():
    register(f"_npi_{_name}", _npi_forward(_name, _values), inputs=(),
             params={_a[0]: Param("float", _a[1]), _b[0]: Param("float", _b[1]),
                     "size": Param("shape", None, doc="output shape"), "ctx": _CTX,
                     "dtype": Param("dtype", None, choices=_FLOATS,
                                    doc="Output dtype; None means float32.")},
             infer_shape=lambda a, s: ([], [tuple(a.size or ())]),
             infer_type=_typed("float32"), doc=f"""\
``mx.np.random.{_name}``'s operator: samples of ``size`` computed in float32 and cast to
``dtype``, drawn from MXNet's *serial* CPU generator (``mt19937.SerialRandom``), as
MXNet 1.9.1 draws them (``nd.random.{_name}`` uses the parallel one)."""
             + (" ``low > high`` is allowed (the samples lie in ``(high, low]``)."
                if _name == "uniform" else " ``scale`` must be >= 0 (0 gives ``loc``)."))
