"""``_square_sum`` (``mx.nd._internal._square_sum``): the sum of squares along axes.

``out = sum(data ** 2, axis)``.  MXNet 1.9.1 defines it for a 2-D **row_sparse**
``data`` only (the optimizers' row-wise norms use it): ``axis=0`` gives a dense
``(columns,)``, ``axis=1`` a dense ``(rows,)`` or, with ``keepdims``, a row_sparse
``(rows, 1)`` storing the rows ``data`` stores; no axis or both axes are an
MXNetError.  That sparse kernel is in ``pymx/ndarray/sparse.py``.  This dense
definition (an MXNetError in MXNet, which has no dense kernel) computes the same sum,
so the gradient rule can be checked.  Gradient: ``2 * data * dy`` (dy broadcast back).
"""
from .reduce import _AXIS_PARAMS, _expand, _reduce_shape, reduce_axes
from .registry import register


def _square_sum(k, a, data):
    axes = reduce_axes("_square_sum", a.axis, a.exclude, data.shape)
    out = k.reduce("sum", k.unary("square", data), axes, a.keepdims)
    return k.reshape(out, (1,)) if len(out.shape) == 0 else out     # as sum: (1,)


register("_square_sum", _square_sum, params=_AXIS_PARAMS, shape=_reduce_shape("sum"),
         gradient=lambda F, a, xs, ys, dys: [2 * xs[0] * _expand(F, a, dys[0], xs[0])],
         doc=__doc__.split("\n\n", 1)[1])
