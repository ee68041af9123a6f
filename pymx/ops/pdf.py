r"""Probability densities of samples: the ``random_pdf_*`` operators of MXNet 1.9.1.

``random_pdf_normal(sample, mu, sigma, is_log=False)`` evaluates the density (or, with
``is_log``, its logarithm) of every element of ``sample`` under the distribution whose
parameters are given per *group*: the parameters all have one shape P and ``sample`` has
shape ``P + E`` (E: any number of extra axes), so ``sample[i..., j...]`` is evaluated
with ``mu[i...]``.  The Dirichlet is a vector distribution: alpha has shape ``P + (k,)``,
the sample ``P + E + (k,)`` (the extra axes sit *before* the last axis), and the output
drops the last axis.  The output has the sample's dtype.

Every op computes ``log p`` in backend kernels (``exp`` of it unless ``is_log``):

============================  ===================================================================
op (parameters)               log-density
============================  ===================================================================
uniform (low, high)           ``-log(high - low)``, also outside [low, high] (MXNet does not check)
normal (mu, sigma)            ``-(x - mu)^2 / (2 sigma^2) - log(sigma) - log(2 pi) / 2``
                              (pi rounded to float32, as MXNet, also for float64)
gamma (alpha, beta)           ``alpha log(beta) + (alpha - 1) log(x) - beta x - lgamma(alpha)``:
                              **beta is a rate** (MXNet's docs say scale)
exponential (lam)             ``log(lam) - lam x``
poisson (lam)                 ``x log(lam) - lgamma(x + 1) - lam`` (x need not be an integer)
negative_binomial (k, p)      ``lgamma(x + k) - lgamma(x + 1) - lgamma(k) + k log p + x log(1 - p)``
generalized_negative_         the negative binomial with ``k = 1 / alpha``,
binomial (mu, alpha)          ``p = 1 / (1 + alpha mu)`` (NaN at alpha = 0: no Poisson limit)
dirichlet (alpha)             ``sum((alpha - 1) log x) + lgamma(sum alpha) - sum lgamma(alpha)``
============================  ===================================================================

Gradients, as MXNet's ``_backward_pdf_*``: with ``s = dy`` (``is_log``) or ``s = dy * pdf``,
each parameter gets ``s * d log p / d param`` summed over the extra axes; the sample gets
``s * d log p / dx`` for the continuous densities, but **0** for uniform, poisson and both
negative binomials.  The parameters are spread over the sample's shape by the helper op
``_pdf_broadcast`` and the per-element gradients summed back by its adjoint ``_pdf_sum``.
"""
import math

from ..base import MXNetError
from .registry import Param, register
from .special import digamma


# ---- parameter groups: broadcast over the sample, and the adjoint sum ---------------------
def _param_view(op, sample, param, vector):
    """The shape to reshape a parameter of shape ``param`` to so that it broadcasts over
    ``sample`` (size-1 extra axes), after checking that the shapes fit."""
    sample, param = tuple(sample), tuple(param)
    lead = param[:-1] if vector else param
    extra = len(sample) - len(param)
    fits = extra >= 0 and sample[:len(lead)] == lead and (
        not vector or (len(param) >= 1 and sample[-1] == param[-1]))
    if not fits:
        where = "P + extra axes + (k,) for alpha of shape P + (k,)" if vector else \
            "the parameters' shape followed by any extra axes"
        raise MXNetError(f"{op}: sample of shape {sample} does not fit parameters of shape "
                         f"{param}: the sample's shape must be {where}")
    return lead + (1,) * extra + (param[-1:] if vector else ())


def _broadcast(k, op, param, sample_shape, vector):
    view = _param_view(op, sample_shape, param.shape, vector)
    return k.broadcast_to(k.reshape(param, view), tuple(sample_shape))


_HELPER_PARAMS = {"vector": Param("bool", False, doc="Dirichlet layout (last axis is k)")}

register("_pdf_broadcast",
         lambda k, a, param, sample: _broadcast(k, "_pdf_broadcast", param, sample.shape,
                                                a.vector),
         inputs=("param", "sample"), params=_HELPER_PARAMS,
         infer_shape=lambda a, s: (s, [s[1]]),
         gradient=lambda F, a, xs, ys, dys: [F._pdf_sum(dys[0], xs[0], **a), None],
         doc="""``param`` of shape P spread over ``sample`` of shape P + E (for
``vector=True``, P[:-1] + E + P[-1:]): each group's value repeated over its extra axes.
A helper of the ``random_pdf_*`` gradients (not an MXNet op); its adjoint is ``_pdf_sum``.""")


def _pdf_sum(k, a, g, param):
    view = _param_view("_pdf_sum", g.shape, param.shape, a.vector)
    axes = tuple(i for i, (v, s) in enumerate(zip(view, g.shape)) if v == 1 and s != 1)
    return k.reshape(k.reduce("sum", g, axes, False), tuple(param.shape))


register("_pdf_sum", _pdf_sum, inputs=("data", "param"), params=_HELPER_PARAMS,
         infer_shape=lambda a, s: (s, [s[1]]),
         gradient=lambda F, a, xs, ys, dys: [F._pdf_broadcast(dys[0], xs[0], **a), None],
         doc="""``data`` of a sample's shape summed over the extra axes to ``param``'s
shape: the adjoint of ``_pdf_broadcast``.  A helper of the ``random_pdf_*`` gradients.""")


# ---- log-densities in kernels ------------------------------------------------------------
class _V:
    """A native array with arithmetic operators over backend kernels, so that the
    log-densities below read as formulas.  Operands: ``_V`` s of one shape, or scalars."""

    def __init__(self, k, v):
        self.k, self.v = k, v

    def _op(self, name, other, swap=False):
        k = self.k
        b = other.v if isinstance(other, _V) else other
        if swap:                                    # scalar (op) array
            b = k.full(tuple(self.v.shape), b, self.v.dtype)
            return _V(k, k.binary(name, b, self.v))
        return _V(k, k.binary(name, self.v, b))

    __add__ = __radd__ = lambda s, o: s._op("add", o)
    __mul__ = __rmul__ = lambda s, o: s._op("multiply", o)
    __sub__ = lambda s, o: s._op("subtract", o)
    __rsub__ = lambda s, o: s._op("subtract", o, True)
    __truediv__ = lambda s, o: s._op("divide", o)
    __rtruediv__ = lambda s, o: s._op("divide", o, True)

    def __neg__(self):
        return _V(self.k, self.k.unary("negative", self.v))

    def log(self):
        return _V(self.k, self.k.unary("log", self.v))

    def lgamma(self):
        return _V(self.k, self.k.unary("gammaln", self.v))


def _lp_uniform(x, low, high):
    return -(high - low).log()                  # the parameters are spread to x's shape


#: ``log(sqrt(2 pi))`` with MXNet's float32 pi (``mxnet_op::PI``), even for float64
_LOG_SQRT_2PI = 0.5 * math.log(2 * 3.1415927410125732)


def _lp_normal(x, mu, sigma):
    z = (x - mu) / sigma
    return -(z * z) * 0.5 - sigma.log() - _LOG_SQRT_2PI


def _lp_gamma(x, alpha, beta):
    return alpha * beta.log() + (alpha - 1) * x.log() - beta * x - alpha.lgamma()


def _lp_exponential(x, lam):
    return lam.log() - lam * x


def _lp_poisson(x, lam):
    return x * lam.log() - (x + 1).lgamma() - lam


def _lp_negative_binomial(x, k, p):
    return ((x + k).lgamma() - (x + 1).lgamma() - k.lgamma() + k * p.log()
            + x * (1 - p).log())


def _lp_generalized_negative_binomial(x, mu, alpha):
    return _lp_negative_binomial(x, 1 / alpha, 1 / (alpha * mu + 1))


def _lp_dirichlet(x, alpha):
    """Per component; the op sums the last axis and adds ``lgamma(sum alpha)``."""
    return (alpha - 1) * x.log() - alpha.lgamma()


# ---- per-element derivatives of log p, written with F -------------------------------------
# Each takes (F, x, *params spread over x) and returns (d/dx or None for 0, [d/dparam]).
def _d_uniform(F, x, low, high):
    return None, [1 / (high - low), 1 / (low - high)]


def _d_normal(F, x, mu, sigma):
    d = (x - mu) / (sigma * sigma)
    return -d, [d, (x - mu) * d / sigma - 1 / sigma]


def _d_gamma(F, x, alpha, beta):
    return (alpha - 1) / x - beta, [F.log(beta * x) - digamma(F, alpha), alpha / beta - x]


def _d_exponential(F, x, lam):
    return -lam, [1 / lam - x]


def _d_poisson(F, x, lam):
    return None, [x / lam - 1]


def _d_negative_binomial(F, x, k, p):
    return None, [digamma(F, x + k) - digamma(F, k) + F.log(p), k / p - x / (1 - p)]


def _d_generalized_negative_binomial(F, x, mu, alpha):
    """The negative binomial's, through ``k = 1 / alpha`` and ``p = 1 / (1 + alpha mu)``:
    ``dk/dalpha = -k^2``, ``dp/dmu = -alpha p^2``, ``dp/dalpha = -mu p^2``."""
    k, p = 1 / alpha, 1 / (alpha * mu + 1)
    _, (dk, dp) = _d_negative_binomial(F, x, k, p)
    return None, [-dp * alpha * p * p, -dk * k * k - dp * mu * p * p]


def _d_dirichlet(F, x, alpha):
    total = F.sum(alpha, axis=-1, keepdims=True)
    return (alpha - 1) / x, [F.broadcast_add(F.log(x) - digamma(F, alpha), digamma(F, total))]


#: name -> (parameter names, log p, its derivatives)
_DISTRIBUTIONS = {
    "uniform": (("low", "high"), _lp_uniform, _d_uniform),
    "normal": (("mu", "sigma"), _lp_normal, _d_normal),
    "gamma": (("alpha", "beta"), _lp_gamma, _d_gamma),
    "exponential": (("lam",), _lp_exponential, _d_exponential),
    "poisson": (("lam",), _lp_poisson, _d_poisson),
    "negative_binomial": (("k", "p"), _lp_negative_binomial, _d_negative_binomial),
    "generalized_negative_binomial": (("mu", "alpha"), _lp_generalized_negative_binomial,
                                      _d_generalized_negative_binomial),
    "dirichlet": (("alpha",), _lp_dirichlet, _d_dirichlet),
}


def _check_params(op, params):
    shapes = [tuple(p.shape) for p in params]
    if any(s != shapes[0] for s in shapes):
        raise MXNetError(f"{op}: the parameters must have one shape, got {shapes}")


def _pdf_forward(name):
    op, (_, log_p, _) = f"random_pdf_{name}", _DISTRIBUTIONS[name]
    vector = name == "dirichlet"

    def forward(k, a, sample, *params):
        _check_params(op, params)
        spread = [_V(k, _broadcast(k, op, p, sample.shape, vector)) for p in params]
        lp = log_p(_V(k, sample), *spread).v
        if vector:                          # sum over the last axis, + lgamma(sum alpha)
            lp = k.reduce("sum", lp, (len(sample.shape) - 1,), False)
            total = k.reduce("sum", params[0], (len(params[0].shape) - 1,), False)
            lp = k.binary("add", lp, _broadcast(k, op, k.unary("gammaln", total), lp.shape,
                                                False))
        return lp if a.is_log else k.unary("exp", lp)
    return forward


def _pdf_gradient(name):
    _, _, d_log_p = _DISTRIBUTIONS[name]
    vector = name == "dirichlet"

    def gradient(F, a, xs, ys, dys):
        x, params = xs[0], xs[1:]
        spread = [F._pdf_broadcast(p, x, vector=vector) for p in params]
        s = dys[0] if a.is_log else dys[0] * ys[0]           # d out / d log p
        if vector:
            s = F.expand_dims(s, axis=-1)
        dx, dps = d_log_p(F, x, *spread)
        mul = F.broadcast_mul if vector else (lambda u, v: u * v)
        return [F.zeros_like(x) if dx is None else mul(s, dx)] + [
            F._pdf_sum(mul(s, d), p, vector=vector) for d, p in zip(dps, params)]
    return gradient


def _pdf_shape(name):
    op, vector = f"random_pdf_{name}", name == "dirichlet"

    def infer(a, s):
        sample, params = s[0], s[1:]
        known = next((p for p in params if p is not None), None)
        if sample is None or known is None:
            return s, [None if sample is None else (sample[:-1] if vector else sample)]
        _param_view(op, sample, known, vector)
        return [sample] + [known] * len(params), [sample[:-1] if vector else sample]
    return infer


for _name, (_params, _, _) in _DISTRIBUTIONS.items():
    _vec = _name == "dirichlet"
    register(
        f"_random_pdf_{_name}", _pdf_forward(_name), inputs=("sample",) + _params,
        params={"is_log": Param("bool", False, doc="return the log-density")},
        infer_shape=_pdf_shape(_name), gradient=_pdf_gradient(_name),
        aliases=(f"random_pdf_{_name}",),
        doc=f"""The {_name} density (``is_log``: log-density) of each sample element
under parameters ``{', '.join(_params)}`` given per group: """ + (
            "alpha (P + (k,)), sample (P + E + (k,)), output P + E."
            if _vec else "parameters of shape P, sample and output of shape P + E.")
        + " See ``pymx/ops/pdf.py`` for the formula and MXNet's gradient conventions.")
