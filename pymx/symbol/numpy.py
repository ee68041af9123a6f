"""``mx.sym.np``: the ``mx.np`` functions on Symbols, for ``F.np`` in a hybridized
block (``F = mx.sym`` while ``hybridize()`` traces ``hybrid_forward``).

A Symbol has no shape or dtype while it is traced, so only the functions that are one
registered operator with static attributes are here (the same table idea as
``mx.sym.npx``): the elementwise math (``exp``, ``add``, ``arctan2``...), reductions
along given axes, shape functions with explicit shapes and axes (``reshape``,
``transpose``, ``concatenate``, ``flip``...), ``dot`` and ``einsum``.  Functions whose
result shape depends on values (``unique``, ``nonzero``) or that run on the host
(the fallbacks, ``linalg.svd``) have no symbolic form, as in MXNet.

Differences from the imperative ``mx.np`` that a traced graph cannot avoid: reducing
every axis gives shape ``(1,)`` (not ``()``) and comparisons give 0/1 in the input's
dtype (not ``bool``).  Values and gradients are the same.
"""
from ..numpy.elementwise import _BINARY as _NP_BINARY, UNARY

__all__ = ["populate"]

#: np name -> (op on two Symbols, op on Symbol-then-scalar, op on scalar-then-Symbol):
#: mx.np's own table plus the aliases and ``hypot``
_BINARY = dict(_NP_BINARY, divide=_NP_BINARY["true_divide"],
               remainder=_NP_BINARY["mod"],
               hypot=("broadcast_hypot", "_hypot_scalar", "_hypot_scalar"))
_REDUCE = ("sum", "mean", "prod", "max", "min")


def _binary(op, name, ops):
    array_op, scalar_op, rscalar_op = ops

    def fn(x1, x2, out=None):
        from .symbol import Symbol
        if isinstance(x1, Symbol) and isinstance(x2, Symbol):
            return getattr(op, array_op)(x1, x2)
        if isinstance(x1, Symbol):
            return getattr(op, scalar_op)(x1, scalar=float(x2))
        return getattr(op, rscalar_op)(x2, scalar=float(x1))
    fn.__name__ = name
    fn.__doc__ = f"``{name}(x1, x2)`` on Symbols (``{array_op}``; a scalar side: " \
                 f"``{scalar_op}``)."
    return fn


def _unary(op, name, op_name):
    def fn(x, out=None):
        return getattr(op, op_name)(x)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}`` on a Symbol (``{op_name}``)."
    return fn


def _reduction(op, name):
    def fn(a, axis=None, dtype=None, out=None, keepdims=False):
        if dtype is not None:
            a = op.Cast(a, dtype=dtype)
        return getattr(op, name)(a, axis=axis, keepdims=keepdims)
    fn.__name__ = name
    fn.__doc__ = f"``{name}`` over ``axis`` of a Symbol (all axes give shape (1,))."
    return fn


def populate(ns, op):
    """Fill module ``ns`` (``mx.sym.np``) with the functions above, built on ``op``
    (``mx.sym.op``, the registry's Symbol functions)."""
    for name, ops in _BINARY.items():
        setattr(ns, name, _binary(op, name, ops))
    for name, op_name in UNARY.items():
        setattr(ns, name, _unary(op, name, op_name))
    for name in _REDUCE:
        setattr(ns, name, _reduction(op, name))
    ns.amax, ns.amin = ns.max, ns.min
    ns.arctan2 = lambda x1, x2, out=None: op._npi_arctan2(x1, x2)
    ns.dot = lambda a, b, out=None: op.dot(a, b)
    ns.reshape = lambda a, newshape, order="C": op.Reshape(a, shape=tuple(newshape))
    ns.transpose = lambda a, axes=None: op.transpose(a, axes=tuple(axes or ()))
    ns.swapaxes = lambda a, axis1, axis2: op.SwapAxis(a, dim1=axis1, dim2=axis2)
    ns.moveaxis = lambda a, source, destination: op.moveaxis(a, source=source,
                                                             destination=destination)
    ns.expand_dims = lambda a, axis: op.expand_dims(a, axis=axis)
    ns.concatenate = lambda seq, axis=0, out=None: op.Concat(*seq, dim=axis,
                                                             num_args=len(seq))
    ns.stack = lambda arrays, axis=0, out=None: op.stack(*arrays, axis=axis,
                                                         num_args=len(arrays))
    ns.flip = lambda m, axis=None, out=None: op.reverse(
        m, axis=(axis,) if isinstance(axis, int) else tuple(axis))
    ns.tile = lambda a, reps: op.tile(a, reps=(reps,) if isinstance(reps, int) else reps)
    ns.repeat = lambda a, repeats, axis=None: op.repeat(a, repeats=repeats, axis=axis)
    ns.clip = lambda a, a_min, a_max, out=None: op.clip(a, a_min=a_min, a_max=a_max)
    ns.where = lambda condition, x, y: op.where(condition, x, y)
    ns.diagonal = lambda a, offset=0, axis1=0, axis2=1: op.diag(
        a, k=offset, axis1=axis1, axis2=axis2)
    ns.diag = lambda v, k=0: op.diag(v, k=k)
    ns.einsum = lambda *operands, **kw: op._npi_einsum(
        *operands[1:], subscripts=operands[0], num_args=len(operands) - 1)
    for name in ("arctan2", "dot", "reshape", "transpose", "swapaxes", "moveaxis",
                 "expand_dims", "concatenate", "stack", "flip", "tile", "repeat", "clip",
                 "where", "diagonal", "diag", "einsum"):
        fn = getattr(ns, name)
        fn.__name__ = name
        fn.__doc__ = f"``mx.np.{name}`` on Symbols (one registered operator)."
