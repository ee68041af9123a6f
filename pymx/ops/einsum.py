"""``_npi_einsum``: Einstein summation, and its gradient ``_backward_npi_einsum``.

``einsum('ij,jk->ik', A, B)`` names every axis of every operand with a letter; the
output keeps the letters after ``->`` and sums over all others:

    out[ik] = sum_j A[ij] * B[jk].

A letter repeated inside one operand takes its diagonal (``'ii->i'``); without ``->``
the output has the letters that occur once, in alphabetical order; ``...`` stands for
the remaining (broadcast) axes.  The forward is a host computation (``numpy.einsum``).

**Gradient.**  The output is linear in each operand, so the gradient of operand ``i``
is again an einsum: the head gradient ``g`` (letters of the output) times every other
operand, summed down to operand ``i``'s letters.  Two cases need extra factors:

* a letter of operand ``i`` that appears nowhere else was summed out of ``i`` alone:
  a vector of ones with that letter broadcasts ``g`` along it;
* a letter repeated in operand ``i`` (a diagonal): the second occurrence is renamed and
  an identity matrix ties the two names, so the gradient lands on the diagonal.

``_backward_npi_einsum(g, x0, x1, ...)`` returns one gradient per operand (host
computation; no second-order gradient, as MXNet).
"""
import string

import numpy as np

from ..base import MXNetError
from .linalg import _host
from .registry import Param, register

__all__ = ["parse_einsum"]


def parse_einsum(subscripts, shapes):
    """``(terms, out)``: each operand's letters and the output's, with ``...`` expanded
    into fresh upper-case letters (per operand, right-aligned as broadcasting) and the
    implicit output (no ``->``) made explicit.  Raises MXNetError on a bad spec."""
    op = "_npi_einsum"
    spec = subscripts.replace(" ", "")
    lhs, arrow, out = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise MXNetError(f"{op}: subscripts {subscripts!r} name {len(terms)} operands, got "
                         f"{len(shapes)}")
    spare = [c for c in string.ascii_uppercase if c not in spec]
    n_ell = max([len(s) - len(t.replace("...", "")) for t, s in zip(terms, shapes)
                 if "..." in t] or [0])
    ell = "".join(spare[:n_ell])
    expanded = []
    for t, s in zip(terms, shapes):
        k = len(s) - len(t.replace("...", "")) if "..." in t else 0
        t = t.replace("...", ell[n_ell - k:] if k else "")
        if len(t) != len(s) or not all(c.isalpha() for c in t):
            raise MXNetError(f"{op}: operand term {t!r} does not match shape {tuple(s)} "
                             f"(subscripts {subscripts!r})")
        expanded.append(t)
    if arrow:
        out = out.replace("...", ell)
    else:
        letters = "".join(expanded)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                   and c not in ell))
    return expanded, out


def _spec(terms, out):
    return ",".join(terms) + "->" + out


def _einsum(k, a, *xs):
    terms, out = parse_einsum(a.subscripts, [tuple(x.shape) for x in xs])
    return _host(k, lambda *hs: np.asarray(np.einsum(_spec(terms, out), *hs),
                                           dtype=hs[0].dtype), *xs)


def _einsum_shape(a, shapes):
    if any(s is None for s in shapes):
        return shapes, [None]
    terms, out = parse_einsum(a.subscripts, shapes)
    sizes = {}
    for t, s in zip(terms, shapes):
        for c, n in zip(t, s):
            if sizes.get(c, 1) not in (1, n) and n != 1:
                raise MXNetError(f"_npi_einsum: letter {c!r} has sizes {sizes[c]} and {n} "
                                 f"(subscripts {a.subscripts!r}, shapes {shapes})")
            sizes[c] = max(sizes.get(c, 1), n)
    return shapes, [tuple(sizes[c] for c in out)]


def operand_gradient(i, terms, out, g, xs):
    """The gradient of ``einsum(terms -> out)(*xs)`` w.r.t. ``xs[i]`` for the head
    gradient ``g`` (NumPy arrays; see the module docstring)."""
    spare = iter(c for c in string.ascii_letters if c not in "".join(terms) + out)
    mine, ops, specs = "", [g], [out]
    for c in terms[i]:
        if c in mine:                       # repeated letter: a renamed diagonal
            fresh = next(spare)
            ops.append(np.eye(xs[i].shape[len(mine)], dtype=g.dtype))
            specs.append(c + fresh)
            mine += fresh
        else:
            mine += c
    others = "".join(t for j, t in enumerate(terms) if j != i) + out
    for pos, c in enumerate(terms[i]):
        if c not in others and c == mine[pos]:   # summed out of operand i alone
            ops.append(np.ones(xs[i].shape[pos], dtype=g.dtype))
            specs.append(c)
    for j, (t, x) in enumerate(zip(terms, xs)):
        if j != i:
            ops.append(x)
            specs.append(t)
    grad = np.einsum(",".join(specs) + "->" + mine, *ops)
    return np.asarray(grad, dtype=xs[i].dtype).reshape(xs[i].shape)


def _backward_einsum(k, a, g, *xs):
    terms, out = parse_einsum(a.subscripts, [tuple(x.shape) for x in xs])
    g = k.reshape(g, _einsum_shape(a, [tuple(x.shape) for x in xs])[1][0])  # (1,) -> ()
    return _host(k, lambda hg, *hs: tuple(operand_gradient(i, terms, out, hg, hs)
                                          for i in range(len(hs))), g, *xs)


def _einsum_gradient(F, a, xs, ys, dys):
    g = F._backward_npi_einsum(dys[0], *xs, subscripts=a.subscripts, num_args=len(xs) + 1)
    return [g] if len(xs) == 1 else [g[i] for i in range(len(xs))]


_PARAMS = {"subscripts": Param("str", "", doc="the einsum spec, e.g. 'ij,jk->ik'"),
           "optimize": Param("int", 0, doc="accepted for MXNet compatibility; unused")}

register("_npi_einsum", _einsum, inputs="*data", params=_PARAMS,
         infer_shape=_einsum_shape,
         gradient=_einsum_gradient,
         doc="Einstein summation over the operands (``mx.np.einsum``); see the module "
             "docstring for the spec.  Host computation (``numpy.einsum``).")

register("_backward_npi_einsum", _backward_einsum, inputs="*data", params=_PARAMS,
         outputs=lambda a: tuple(f"grad{i}" for i in range(a.num_args - 1)),
         infer_shape=lambda a, s: (s, list(s[1:])),
         infer_type=lambda a, t: (t, list(t[1:])),
         doc="The gradients of ``_npi_einsum`` w.r.t. each operand given the head "
             "gradient (first input): each is an einsum of the head gradient with the "
             "other operands.  Host computation.")
