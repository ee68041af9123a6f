r"""The digamma function :math:`\psi(x) = \frac{d}{dx}\ln\Gamma(x)`, built from ops.

MXNet needs ψ for two gradients: ``d gammaln(x)/dx = ψ(x)`` and ``d gamma(x)/dx =
Γ(x) ψ(x)``.  MXNet computes it in C++ (``cephes::psi`` in
``src/operator/special_functions-inl.h``, used by ``gamma_grad`` / ``gammaln_grad`` in
``mshadow_op.h``).  pymx's backend contract has no ψ kernel, and does not need one:
``digamma(F, x)`` below is a composition of elementwise ops of the namespace ``F``
(``mx.nd`` or ``mx.sym``), so it runs on every backend, inside symbolic graphs too, and
autograd differentiates it like any other expression, which gives the trigamma function
(second derivatives of ``gammaln``) for free.  It is not an ``mx.nd`` op because MXNet
1.9.1 has none.

The recipe is Cephes', with a fixed number of steps instead of data-dependent loops
(ops cannot branch per element; ``where`` selects between both branches instead):

1. *Reflection*, for ``x <= 0`` (MXNet's domain split): ``ψ(x) = ψ(1 - x) - π / tan(π x)``.
   ``tan`` has period 1, so it is evaluated at ``r = x - round(x)`` in ``[-1/2, 1/2]``,
   which keeps ``π r`` exact for large ``|x|``.  The non-positive integers are poles:
   MXNet returns ``DBL_MAX`` there (``inf`` once cast to float32), and so does this.
2. *Recurrence*, ``ψ(s) = ψ(s + n) - Σ_{i<n} 1/(s + i)``, with ``n = 6``: after step 1
   ``s > 0``, so ``s + 6 > 6``.
3. *Asymptotic series* at ``t = s + 6``:
   ``ψ(t) ≈ ln t - 1/(2t) - Σ_{k=1..7} B_{2k} / (2k t^{2k})`` (Bernoulli numbers
   ``B_2 = 1/6, B_4 = -1/30, ...``).  For ``t > 6`` the first omitted term is below
   ``2e-13``, so float64 results are good to about 1e-12 and float32 ones to rounding.

A ``where`` passes gradients only to the branch it selects, but an ``inf`` or ``nan`` in
the other branch would still poison them (``0 * inf``).  So the reflection's input is
replaced by a harmless 0.25 wherever its result is not used (the "double where" trick).
"""
import math

#: ``B_2k / (2k)`` for k = 7, 6, ..., 1: the asymptotic series in ``z = 1/t²``, Horner order
_SERIES = (7 / 6 / 14, -691 / 2730 / 12, 5 / 66 / 10, -1 / 30 / 8, 1 / 42 / 6,
           -1 / 30 / 4, 1 / 6 / 2)
_SHIFT = 6
_DBL_MAX = 1.7976931348623157e308          # MXNet's value at the poles


def digamma(F, x):
    """ψ(x), the logarithmic derivative of the gamma function, elementwise, written with
    the ops of ``F`` (``mx.nd`` or ``mx.sym``); same dtype and shape as ``x``.

    Known values: ``ψ(1) = -γ`` (Euler's constant), ``ψ(1/2) = -γ - 2 ln 2``,
    ``ψ(n + 1) = 1 + 1/2 + ... + 1/n - γ``, ``ψ(x + 1) = ψ(x) + 1/x``.  At
    ``x = 0, -1, -2, ...`` it returns ``DBL_MAX`` (``inf`` in float32), as MXNet."""
    neg = x <= 0
    r = x - F.round(x)                                   # distance to the nearest integer
    pole = neg * (r == 0)
    r = F.where(neg * (r != 0), r, F.ones_like(x) * 0.25)
    reflection = F.where(neg, math.pi / F.tan(r * math.pi), F.zeros_like(x))
    s = F.where(neg, 1 - x, x)
    steps = 1 / s
    for i in range(1, _SHIFT):
        steps = steps + 1 / (s + i)
    t = s + _SHIFT
    z = 1 / (t * t)
    series = z * _SERIES[0] + _SERIES[1]
    for c in _SERIES[2:]:
        series = series * z + c
    psi = F.log(t) - 0.5 / t - series * z - steps - reflection
    return F.where(pole, F.ones_like(x) * _DBL_MAX, psi)
