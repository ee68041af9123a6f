"""``mx.sym.np``: the ``mx.np`` functions on Symbols, for ``F.np`` in a hybridized
block (``F = mx.sym`` while ``hybridize()`` traces ``hybrid_forward``).

A Symbol has no shape or dtype while it is traced, so only the functions that are one
registered operator with static attributes are here (the same table idea as
``mx.sym.npx``): the elementwise math (``exp``, ``add``, ``arctan2``...), reductions
along given axes, shape functions with explicit shapes and axes (``reshape``,
``transpose``, ``concatenate``, ``flip``...), ``dot`` and ``einsum``.  Functions whose
result shape depends on values (``unique``, ``nonzero``) or that run on the host
(the fallbacks, ``linalg.svd``) have no symbolic form, as in MXNet.

Difference from the imperative ``mx.np`` that a traced graph cannot avoid:
comparisons give 0/1 in the input's dtype (not ``bool``).  Values and gradients are
the same.
"""
from ..numpy.elementwise import _BINARY as _NP_BINARY, UNARY

__all__ = ["populate", "npx_reshape"]

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


def _scalar_if_all(op, x, axis, keepdims):
    """Reducing every axis: the legacy operator's shape (1,) becomes mx.np's ()."""
    return op.Reshape(x, shape=()) if axis is None and not keepdims else x


def _reduction(op, name):
    def fn(a, axis=None, dtype=None, out=None, keepdims=False):
        if dtype is not None:
            a = op.Cast(a, dtype=dtype)
        return _scalar_if_all(op, getattr(op, name)(a, axis=axis, keepdims=keepdims),
                              axis, keepdims)
    fn.__name__ = name
    fn.__doc__ = f"``{name}`` over ``axis`` of a Symbol."
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
    _populate_more(ns, op)


_F32 = "float32"            # mx.np's default dtype (also of arange and of the *_like fills)


def _populate_more(ns, op):
    """Functions with static attributes that take a few operators: creation, shape,
    sorting, statistics, tests and ``linalg.norm``.  Each follows its ``mx.np``
    counterpart (index results are int64, creation defaults to float32)."""
    import types

    def cast(x, dtype):
        return x if dtype is None else op.Cast(x, dtype=dtype)

    def flat(a, axis):                            # axis None: of the flattened array
        return (op.Reshape(a, shape=(-1,)), 0) if axis is None else (a, axis)

    def squeeze(a, axis=None):
        return op.squeeze(a, axis=axis)

    def ravel(a, order="C"):
        return op.Reshape(a, shape=(-1,))

    def copy(a):
        return op._copy(a)

    def broadcast_to(array, shape):
        return op.broadcast_to(array, shape=tuple(shape))

    def zeros(shape, dtype=None, order="C", ctx=None):
        return op._zeros(shape=shape, dtype=dtype or _F32)

    def ones(shape, dtype=None, order="C", ctx=None):
        return op._ones(shape=shape, dtype=dtype or _F32)

    def full(shape, fill_value, dtype=None, order="C", ctx=None, out=None):
        return op._full(shape=shape, value=float(fill_value), dtype=dtype or _F32)

    def zeros_like(a, dtype=None, order="C", ctx=None, out=None):
        return cast(op.zeros_like(a), dtype)

    def ones_like(a, dtype=None, order="C", ctx=None, out=None):
        return cast(op.ones_like(a), dtype)

    def full_like(a, fill_value, dtype=None, order="C", ctx=None, out=None):
        return cast(op._plus_scalar(op.zeros_like(a), scalar=float(fill_value)), dtype)

    def arange(start, stop=None, step=1, dtype=None, ctx=None):
        return op._arange(start=start, stop=stop, step=step, dtype=dtype or _F32)

    def eye(N, M=None, k=0, dtype=None, ctx=None):
        return op._eye(N=N, M=M or 0, k=k, dtype=dtype or _F32)

    def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0,
                 ctx=None):
        return op._linspace(start=start, stop=stop, num=num, endpoint=endpoint,
                            dtype=dtype or _F32)

    def split(ary, indices_or_sections, axis=0):
        if not isinstance(indices_or_sections, int):
            raise TypeError("split on Symbols: give the number of equal sections (the "
                            "split points need the shape, unknown while tracing)")
        parts = op.split(ary, num_outputs=indices_or_sections, axis=axis)
        return [parts[i] for i in range(indices_or_sections)]

    def argmax(a, axis=None, out=None):
        b, ax = flat(a, axis)
        return _scalar_if_all(op, op.Cast(op.argmax(b, axis=ax), dtype="int64"), axis, False)

    def argmin(a, axis=None, out=None):
        b, ax = flat(a, axis)
        return _scalar_if_all(op, op.Cast(op.argmin(b, axis=ax), dtype="int64"), axis, False)

    def cumsum(a, axis=None, dtype=None, out=None):
        return op.cumsum(cast(a, dtype), axis=axis)

    def sort(a, axis=-1, kind=None, order=None):
        a, axis = flat(a, axis)
        return op.sort(a, axis=axis)

    def argsort(a, axis=-1, kind=None, order=None):
        a, axis = flat(a, axis)
        return op.argsort(a, axis=axis, dtype="int64")

    def take(a, indices, axis=None, mode="raise", out=None):
        a, axis = flat(a, axis)
        return op.take(a, indices, axis=axis, mode="clip" if mode == "raise" else mode)

    def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        if ddof:
            raise TypeError("var/std on Symbols: ddof needs the axis length, unknown "
                            "while tracing; use ddof=0")
        a = cast(a, dtype)
        centred = op.broadcast_sub(a, op.mean(a, axis=axis, keepdims=True))
        return _scalar_if_all(op, op.mean(op.square(centred), axis=axis, keepdims=keepdims),
                              axis, keepdims)

    def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return op.sqrt(var(a, axis, dtype, None, ddof, keepdims))

    def average(a, axis=None, weights=None, returned=False, out=None):
        if weights is not None:
            w = weights
            return _scalar_if_all(op, op.broadcast_div(
                op.sum(op.broadcast_mul(a, w), axis=axis), op.sum(w, axis=axis)), axis, False)
        return _scalar_if_all(op, op.mean(a, axis=axis), axis, False)

    def outer(a, b):
        return op.dot(op.Reshape(a, shape=(-1, 1)), op.Reshape(b, shape=(1, -1)))

    def isnan(x, out=None):
        return op.broadcast_not_equal(x, x)

    def isinf(x, out=None):
        return op._equal_scalar(op.abs(x), scalar=float("inf"))

    def isfinite(x, out=None):
        return op.logical_not(op.broadcast_logical_or(isnan(x), isinf(x)))

    def logical_not(x, out=None):
        return op.logical_not(x)

    def norm(x, ord=None, axis=None, keepdims=False):
        if ord == 1:
            return _scalar_if_all(op, op.sum(op.abs(x), axis=axis, keepdims=keepdims),
                                  axis, keepdims)
        if ord not in (None, 2, "fro"):
            raise TypeError(f"linalg.norm on Symbols: ord={ord!r} is not supported "
                            "(None, 'fro', 2, 1 are)")
        return _scalar_if_all(op, op.sqrt(op.sum(op.square(x), axis=axis, keepdims=keepdims)),
                              axis, keepdims)

    for fn in (squeeze, ravel, copy, broadcast_to, zeros, ones, full, zeros_like, ones_like,
               full_like, arange, eye, linspace, split, argmax, argmin, cumsum, sort, argsort,
               take,
               var, std, average, outer, isnan, isinf, isfinite, logical_not):
        fn.__doc__ = f"``mx.np.{fn.__name__}`` on Symbols."
        setattr(ns, fn.__name__, fn)
    ns.linalg = getattr(ns, "linalg", None) or types.ModuleType(f"{ns.__name__}.linalg")
    norm.__doc__ = "``mx.np.linalg.norm`` on Symbols: ord None/'fro'/2 (2-norm), 1."
    ns.linalg.norm = norm


def npx_reshape(a, newshape, reverse=False, order="C"):
    """``npx.reshape`` on a Symbol: npx's codes translated to the legacy ``Reshape``'s
    (-2 copy a dim -> 0, -4 copy the rest -> -2, -5 merge two -> -3, -6 split -> -4);
    -3 (drop a dim of size 1) copies it and squeezes it out afterwards."""
    from . import op
    legacy, drop, codes = [], [], iter(newshape)
    for c in codes:
        if c == -6:
            legacy += [-4, next(codes), next(codes)]
            continue
        if c == -3:
            if reverse:
                raise TypeError("npx.reshape on Symbols: code -3 with reverse=True is not "
                                "supported")
            drop.append(len(legacy) - legacy.count(-4))   # (a split: 3 codes, 2 dims)
        legacy.append({-2: 0, -3: 0, -4: -2, -5: -3}.get(c, c))
    out = op.Reshape(a, shape=tuple(legacy), reverse=reverse)
    return op.squeeze(out, axis=tuple(drop)) if drop else out
