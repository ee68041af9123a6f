"""Broadcasting binary operators that only ``mx.np`` has: ``_npi_arctan2``.

``arctan2(y, x)`` is the angle of the point ``(x, y)``, in ``(-pi, pi]``, with the
quadrant that ``y / x`` alone loses.  Its partial derivatives are those of
``arctan(y / x)`` without the division:

    d/dy = x / (x^2 + y^2),        d/dx = -y / (x^2 + y^2).

The forward is the backend's ``arctan2`` kernel after broadcasting (``elemwise.py``'s
``broadcast_*`` machinery); the gradient sums over broadcast axes with ``_sum_like``.
"""
from .elemwise import _binary_gradient, _broadcast_forward, _broadcast_infer_shape
from .registry import register


def _arctan2_rule(F, y, x, out, dy):
    r2 = F.broadcast_add(F.square(y), F.square(x))
    return F.broadcast_mul(dy, F.broadcast_div(x, r2)), \
        -F.broadcast_mul(dy, F.broadcast_div(y, r2))


register("_npi_arctan2", _broadcast_forward("_npi_arctan2", "arctan2"), inputs=("x1", "x2"),
         gradient=_binary_gradient(_arctan2_rule, True),
         infer_shape=_broadcast_infer_shape("_npi_arctan2"),
         doc="``arctan2(x1, x2)``: the angle of the point ``(x2, x1)`` in ``(-pi, pi]``, "
             "with NumPy broadcasting (``mx.np.arctan2``).  Gradient: ``x2 / r^2`` and "
             "``-x1 / r^2``, ``r^2 = x1^2 + x2^2``.")
