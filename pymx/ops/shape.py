"""Shape operators: reshape, transpose, concatenate, split, slice, pad, tile, broadcast.

None of these ops does arithmetic; they move elements around.  That makes their
gradients *adjoints of data movement*: the gradient of a slice writes ``dy`` back into
zeros, the gradient of a broadcast sums over the broadcast axes, the gradient of a
transpose is the inverse transpose.  Each rule is written with the ops of namespace
``F`` and the attributes only (never ``.shape``), so the same rule works for
``mx.sym``: where an adjoint needs a shape known only at run time (Concat, slice_axis,
slice_like, Pad, diag) it is its own ``_backward_X`` op, as in MXNet.

MXNet 1.9.1 quirks kept here (notes section 1(a)):

* ``Reshape``'s special codes 0, -1, -2, -3, -4 and ``reverse`` (``infer_reshape``).
  The *op* returns a copy; ``NDArray.reshape`` (the method) returns a view.
* ``Concat``'s ``dim`` defaults to **1**; ``SliceChannel`` (``split``) splits axis 1.
* ``squeeze`` never returns a 0-d array: squeezing (1, 1, 1) gives (1,).
* ``Flatten`` keeps axis 0: (N, a, b) -> (N, a*b), and (N,) -> (N, 1).
* ``Pad`` only pads 4-D and 5-D arrays, and never the first two axes.
* ``broadcast_to``: a 0 in ``shape`` keeps that dimension.
* ``crop`` is an alias of ``slice`` (the old ``Crop`` layer is a different op).

pymx accepts negative axes everywhere, also where MXNet 1.9.1 rejects them
(``transpose``, ``flip``, ``broadcast_axis``), and allows zero-size results where
legacy MXNet cannot represent them (0 meant "unknown" in its shapes).
"""
import math

import numpy as np

from ..base import MXNetError
from .params import REQUIRED, Param
from .registry import register, uniform_type
from .util import check_same_dtype, normalize_axis, scalar_for

__all__ = ["infer_reshape", "make_split_v2"]


def _prod(shape):
    return int(math.prod(shape))


def _same_dims(op, shapes, skip, what):
    """Check that ``shapes`` agree on every axis except ``skip``."""
    first = shapes[0]
    for i, s in enumerate(shapes[1:], 1):
        if len(s) != len(first) or any(a != b for j, (a, b) in enumerate(zip(s, first))
                                       if j != skip):
            raise MXNetError(f"{op}: all inputs must have the same shape {what}, got "
                             f"arg0{tuple(first)} and arg{i}{tuple(s)}")


class _OptInts(Param):
    """MXNet's ``Tuple<optional<int>>`` (``slice``'s begin/end/step): ints or None."""

    def __init__(self, default=REQUIRED, doc=""):
        super().__init__("optints", default, doc=doc)

    @staticmethod
    def _optints(v):
        if v is None or isinstance(v, (int, np.integer)):
            v = (v,)
        return tuple(None if e is None else int(e) for e in v)


# ---- Reshape ----------------------------------------------------------------------------
def infer_reshape(shape, target, reverse=False):
    """The output shape of reshaping ``shape`` by ``target`` with MXNet's special codes.

    Each entry of ``target`` is read left to right against the input dims:

    * ``d > 0``: output dim d (consumes one input dim);
    * ``0``: copy the current input dim;
    * ``-1``: infer this dim from the total size (at most one; consumes one input dim);
    * ``-2``: copy all remaining input dims;
    * ``-3``: merge the next two input dims into their product;
    * ``-4``: split the next input dim into the two following entries of ``target``
      (one of them may be -1).

    With ``reverse=True`` both ``shape`` and ``target`` are read right to left (and the
    result reversed back), so for (10, 5, 4) ``(-1, 0)`` gives (40, 5) normally and
    (50, 4) reversed.  A malformed ``target`` or a result larger than the input raises
    MXNetError; a smaller result raises **ValueError** (as ``NDArray.reshape`` in MXNet).
    """
    # BEGIN EXERCISE reshape_codes
    dshape, params = list(shape), list(target)
    if reverse:
        dshape.reverse()
        params.reverse()
    out, src, inf = [], 0, -1
    i = 0
    while i < len(params):
        d = params[i]
        if d == 0:
            if src >= len(dshape):
                raise MXNetError(f"Reshape: code 0 at position {i} of {tuple(target)} "
                                 f"has no input dim left to copy (input {tuple(shape)})")
            out.append(dshape[src])
            src += 1
        elif d == -1:
            if inf >= 0:
                raise MXNetError(f"Reshape: one and only one dim can be inferred, "
                                 f"got {tuple(target)}")
            inf = len(out)
            out.append(1)
            src += 1
        elif d == -2:
            out.extend(dshape[src:])
            src = len(dshape)
        elif d == -3:
            if src + 1 >= len(dshape):
                raise MXNetError(f"Reshape: code -3 in {tuple(target)} needs two input "
                                 f"dims to merge (input {tuple(shape)})")
            out.append(dshape[src] * dshape[src + 1])
            src += 2
        elif d == -4:
            if i + 2 >= len(params) or src >= len(dshape):
                raise MXNetError(f"Reshape: code -4 in {tuple(target)} needs one input "
                                 f"dim and two following values (input {tuple(shape)})")
            d0, d1, d2 = dshape[src], params[i + 1], params[i + 2]
            src += 1
            i += 2
            if d1 == -1 and d2 == -1:
                raise MXNetError("Reshape: split dims cannot both be -1")
            if d1 == -1:
                d1 = d0 // d2 if d2 else 0
            if d2 == -1:
                d2 = d0 // d1 if d1 else 0
            if d1 * d2 != d0:
                raise MXNetError(f"Reshape: split dims {d1}, {d2} do not divide "
                                 f"original dim {d0}")
            out.extend([d1, d2])
        elif d > 0:
            out.append(d)
            src += 1
        else:
            raise MXNetError(f"Reshape: shape dim size must be >= -4, got {d} "
                             f"in {tuple(target)}")
        i += 1
    size = _prod(shape)
    if inf >= 0:
        rest = _prod(out)
        if rest == 0:
            raise ValueError(f"Cannot reshape array of size {size} into shape "
                             f"{tuple(target)}: -1 is ambiguous with a zero-size dim")
        out[inf] = size // rest
    if reverse:
        out.reverse()
    if _prod(out) > size:       # MXNet's C API refuses to grow the buffer ...
        raise MXNetError(f"Reshape: new shape {tuple(out)} is larger than the array's "
                         f"size {size}")
    if _prod(out) != size:      # ... and NDArray.reshape's Python check the rest
        raise ValueError(f"Cannot reshape array of size {size} into shape {tuple(target)}")
    return tuple(out)
    # END EXERCISE reshape_codes


def _reshape_shape(a, shape):
    """Output shape of the Reshape op for input ``shape`` and attributes ``a``."""
    if a.shape:
        return infer_reshape(shape, a.shape, a.reverse)
    if a.target_shape:                      # the deprecated form: one 0 is inferred
        out = list(a.target_shape)
        start = 1 if a.keep_highest else 0
        if a.keep_highest:
            out[0] = shape[0]
        zeros = [i for i in range(start, len(out)) if out[i] == 0]
        if len(zeros) == 1:
            out[zeros[0]] = 1
            out[zeros[0]] = _prod(shape) // _prod(out)
        out = tuple(out)
    else:                                   # shape=(): a 0-d array (size 1 only)
        out = ()
    if _prod(out) != _prod(shape):
        raise MXNetError(f"Reshape: target shape {out} has a different size from the "
                         f"input shape {tuple(shape)}")
    return out


register("Reshape", lambda k, a, x: k.reshape(k.copy(x), _reshape_shape(a, x.shape)),
         aliases=("reshape",),
         params={"shape": Param("shape", ()), "reverse": Param("bool", False),
                 "target_shape": Param("shape", (), doc="deprecated; use shape"),
                 "keep_highest": Param("bool", False, doc="deprecated; use shape")},
         shape=_reshape_shape, inplace=[(0, 0)],
         gradient=lambda F, a, xs, ys, dys: [F.reshape_like(dys[0], xs[0])],
         doc="""Give ``data`` a new shape with the same number of elements (a copy).

``shape`` may use MXNet's special codes: ``0`` copies an input dim, ``-1`` infers
one dim, ``-2`` copies all remaining dims, ``-3`` merges two dims, ``-4`` splits one
dim into the next two values.  For input (2, 3, 4): ``(4, 0, 2)`` -> (4, 3, 2),
``(2, -2)`` -> (2, 3, 4), ``(-3, 4)`` -> (6, 4), ``(-4, 1, 2, -2)`` -> (1, 2, 3, 4).
``reverse=True`` matches the codes from the right: for (10, 5, 4), ``(-1, 0)`` gives
(40, 5) but (50, 4) reversed.  The op returns a copy; the method ``x.reshape`` returns
a view.  The gradient is ``dy`` reshaped back to the input's shape.""")


def _reshape_like_shape(a, lhs, rhs):
    def bound(v, n, default):
        v = default if v is None else v
        return v + n if v < 0 else v
    lb, le = bound(a.lhs_begin, len(lhs), 0), bound(a.lhs_end, len(lhs), len(lhs))
    rb, re_ = bound(a.rhs_begin, len(rhs), 0), bound(a.rhs_end, len(rhs), len(rhs))
    if not (0 <= lb <= le <= len(lhs) and 0 <= rb <= re_ <= len(rhs)):
        raise MXNetError(f"reshape_like: invalid ranges lhs[{a.lhs_begin}:{a.lhs_end}] "
                         f"of {tuple(lhs)} or rhs[{a.rhs_begin}:{a.rhs_end}] of {tuple(rhs)}")
    out = tuple(lhs[:lb]) + tuple(rhs[rb:re_]) + tuple(lhs[le:])
    if _prod(out) != _prod(lhs):
        raise MXNetError(f"reshape_like: cannot reshape lhs with shape {tuple(lhs)} to "
                         f"new shape {out} because they have different size")
    return out


register("reshape_like",
         lambda k, a, lhs, rhs: k.reshape(k.copy(lhs), _reshape_like_shape(a, lhs.shape,
                                                                          rhs.shape)),
         inputs=("lhs", "rhs"),
         params={"lhs_begin": Param("int", None), "lhs_end": Param("int", None),
                 "rhs_begin": Param("int", None), "rhs_end": Param("int", None)},
         shape=_reshape_like_shape,
         gradient=lambda F, a, xs, ys, dys: [F.reshape_like(dys[0], xs[0]), None],
         doc="""Reshape ``lhs`` to the shape of ``rhs`` (a copy).

With the ranges, ``lhs.shape[lhs_begin:lhs_end]`` is replaced by
``rhs.shape[rhs_begin:rhs_end]``: lhs (30, 7), rhs (15, 2, 4), lhs 0:1, rhs 0:2 gives
(15, 2, 7).  ``rhs`` only lends its shape and gets no gradient.""")


def _flatten_shape(a, shape):
    if len(shape) == 0:
        raise MXNetError("Flatten: the input must have at least one dimension")
    return (shape[0], _prod(shape[1:]))


register("Flatten", lambda k, a, x: k.reshape(k.copy(x), _flatten_shape(a, x.shape)),
         aliases=("flatten",), params={}, shape=_flatten_shape, inplace=[(0, 0)],
         gradient=lambda F, a, xs, ys, dys: [F.reshape_like(dys[0], xs[0])],
         doc="Collapse all axes but the first: (N, d1, ..., dk) -> (N, d1*...*dk); "
             "a 1-D (N,) becomes (N, 1).")


def _expand_dims_shape(a, shape):
    n = len(shape)
    if not -n - 1 <= a.axis <= n:
        raise MXNetError(f"expand_dims: axis must be in the range [{-n - 1}, {n}] "
                         f"({a.axis} provided)")
    ax = a.axis + n + 1 if a.axis < 0 else a.axis
    return tuple(shape[:ax]) + (1,) + tuple(shape[ax:])


register("expand_dims",
         lambda k, a, x: k.reshape(k.copy(x), _expand_dims_shape(a, x.shape)),
         params={"axis": Param("int")}, shape=_expand_dims_shape,
         gradient=lambda F, a, xs, ys, dys: [F.reshape_like(dys[0], xs[0])],
         doc="Insert a size-1 axis at ``axis`` (range [-ndim-1, ndim]; negative counts "
             "from the end of the *output*): (2, 3), axis=-1 -> (2, 3, 1).")


def _squeeze_shape(a, shape):
    if a.axis is None:
        out = tuple(d for d in shape if d != 1)
    else:
        axes = {normalize_axis("squeeze", ax, len(shape)) for ax in a.axis}
        for ax in sorted(axes):
            if shape[ax] != 1:
                raise MXNetError(f"squeeze: cannot select an axis to squeeze out which "
                                 f"has size={shape[ax]} not equal to one (axis {ax} of "
                                 f"{tuple(shape)})")
        out = tuple(d for i, d in enumerate(shape) if i not in axes)
    return out or (1,)


register("squeeze", lambda k, a, x: k.reshape(k.copy(x), _squeeze_shape(a, x.shape)),
         params={"axis": Param("shape", None)}, shape=_squeeze_shape,
         gradient=lambda F, a, xs, ys, dys: [F.reshape_like(dys[0], xs[0])],
         doc="Remove size-1 axes (all of them, or those in ``axis``, which must have "
             "size 1).  MXNet 1.x never returns a 0-d array: (1, 1, 1) -> (1,).")


# ---- axis permutations ------------------------------------------------------------------
def _transpose_axes(a, ndim):
    if not a.axes:
        return tuple(range(ndim))[::-1]
    if len(a.axes) != ndim:
        raise MXNetError(f"transpose: axes {a.axes} must have one entry per input "
                         f"dimension ({ndim})")
    axes = tuple(normalize_axis("transpose", ax, ndim, "axes") for ax in a.axes)
    if sorted(axes) != list(range(ndim)):
        raise MXNetError(f"transpose: axes {a.axes} is not a permutation of "
                         f"0..{ndim - 1}")
    return axes


def _inverse_axes(a):
    if not a.axes:
        return ()
    n = len(a.axes)
    return tuple(int(i) for i in np.argsort([ax % n for ax in a.axes]))


register("transpose", lambda k, a, x: k.transpose(x, _transpose_axes(a, len(x.shape))),
         params={"axes": Param("shape", ())},
         shape=lambda a, s: tuple(s[i] for i in _transpose_axes(a, len(s))),
         gradient=lambda F, a, xs, ys, dys: [F.transpose(dys[0], axes=_inverse_axes(a))],
         doc="Permute axes: ``out.shape[i] = data.shape[axes[i]]``; the default "
             "``axes=()`` reverses them.  The gradient applies the inverse permutation.")


def _moveaxis_order(a, ndim):
    """The transpose order that moves axes ``source`` to ``destination`` and keeps the
    others in their order (NumPy's ``moveaxis``)."""
    src = tuple(normalize_axis("moveaxis", ax, ndim, "source") for ax in a.source)
    dst = tuple(normalize_axis("moveaxis", ax, ndim, "destination") for ax in a.destination)
    if len(src) != len(dst) or len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise MXNetError(f"moveaxis: source {a.source} and destination {a.destination} "
                         f"must be unique axes, as many of each (input of {ndim} dims)")
    order = [i for i in range(ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tuple(order)


register("moveaxis", lambda k, a, x: k.transpose(x, _moveaxis_order(a, len(x.shape))),
         inputs=("tensor",),
         params={"source": Param("shape"), "destination": Param("shape")},
         shape=lambda a, s: tuple(s[i] for i in _moveaxis_order(a, len(s))),
         gradient=lambda F, a, xs, ys, dys: [F.moveaxis(dys[0], source=a.destination,
                                                        destination=a.source)],
         doc="""Move axes ``source`` (an int or a tuple) to positions ``destination``;
the other axes keep their order: for (3, 4, 5), ``moveaxis(x, 0, -1)`` -> (4, 5, 3) and
``moveaxis(x, (0, 1), (-1, -2))`` -> (5, 4, 3).  A ``transpose``; the gradient moves
the axes back.  (In MXNet 1.9.1 this is a Python function of ``mx.nd`` only, raising
ValueError for bad axes; pymx registers it as an op, so ``mx.sym`` has it too.)""")


def _swap_axes(a, ndim):
    d1 = normalize_axis("SwapAxis", a.dim1, ndim, "dim1")
    d2 = normalize_axis("SwapAxis", a.dim2, ndim, "dim2")
    axes = list(range(ndim))
    axes[d1], axes[d2] = axes[d2], axes[d1]
    return tuple(axes)


register("SwapAxis", lambda k, a, x: k.transpose(x, _swap_axes(a, len(x.shape))),
         aliases=("swapaxes",),
         params={"dim1": Param("int", 0), "dim2": Param("int", 0)},
         shape=lambda a, s: tuple(s[i] for i in _swap_axes(a, len(s))),
         gradient=lambda F, a, xs, ys, dys: [F.SwapAxis(dys[0], dim1=a.dim1, dim2=a.dim2)],
         doc="Interchange axes ``dim1`` and ``dim2`` (its own inverse).")


def _flip_axes(a, ndim):
    return tuple(sorted({normalize_axis("reverse", ax, ndim) for ax in a.axis}))


def _flip_shape(a, shape):
    _flip_axes(a, len(shape))                # validates the axes
    return tuple(shape)


register("reverse", lambda k, a, x: k.flip(x, _flip_axes(a, len(x.shape))),
         aliases=("flip",), params={"axis": Param("shape")},
         shape=_flip_shape,
         gradient=lambda F, a, xs, ys, dys: [F.reverse(dys[0], axis=a.axis)],
         doc="Reverse the order of elements along each axis in ``axis`` (its own "
             "inverse, so also its own gradient).")


def _d2s_check(op, a, shape, depth):
    b = a.block_size
    if len(shape) != 4:
        raise MXNetError(f"{op}: requires exactly a 4-D (N, C, H, W) input, got "
                         f"{tuple(shape)}")
    if b <= 0:
        raise MXNetError(f"{op}: block_size must be positive, got {b}")
    if depth and shape[1] % (b * b):
        raise MXNetError(f"{op}: the depth dimension {shape[1]} must be a multiple of "
                         f"block_size^2 = {b * b}")
    if not depth and (shape[2] % b or shape[3] % b):
        raise MXNetError(f"{op}: the spatial dimensions {tuple(shape[2:])} must be "
                         f"multiples of block_size = {b}")


def _d2s_shape(a, s):
    _d2s_check("depth_to_space", a, s, True)
    b = a.block_size
    return (s[0], s[1] // (b * b), s[2] * b, s[3] * b)


def _s2d_shape(a, s):
    _d2s_check("space_to_depth", a, s, False)
    b = a.block_size
    return (s[0], s[1] * b * b, s[2] // b, s[3] // b)


def _depth_to_space(k, a, x):
    out = _d2s_shape(a, x.shape)
    n, c, h, w = x.shape
    b = a.block_size
    y = k.reshape(k.copy(x), (n, b, b, c // (b * b), h, w))
    return k.reshape(k.transpose(y, (0, 3, 4, 1, 5, 2)), out)


def _space_to_depth(k, a, x):
    out = _s2d_shape(a, x.shape)
    n, c, h, w = x.shape
    b = a.block_size
    y = k.reshape(k.copy(x), (n, c, h // b, b, w // b, b))
    return k.reshape(k.transpose(y, (0, 3, 5, 1, 2, 4)), out)


register("depth_to_space", _depth_to_space, params={"block_size": Param("int")},
         shape=_d2s_shape,
         gradient=lambda F, a, xs, ys, dys: [F.space_to_depth(dys[0], a.block_size)],
         doc="""Move depth into b x b spatial blocks: (N, C, H, W) -> (N, C/b², H·b, W·b).

``out = x.reshape(N, b, b, C/b², H, W).transpose(0, 3, 4, 1, 5, 2).reshape(...)``
(the DCR order).  ``space_to_depth`` is its inverse and its gradient.""")
register("space_to_depth", _space_to_depth, params={"block_size": Param("int")},
         shape=_s2d_shape,
         gradient=lambda F, a, xs, ys, dys: [F.depth_to_space(dys[0], a.block_size)],
         doc="""Move b x b spatial blocks into depth: (N, C, H, W) -> (N, C·b², H/b, W/b).

``out = x.reshape(N, C, H/b, b, W/b, b).transpose(0, 3, 5, 1, 2, 4).reshape(...)``,
the inverse of ``depth_to_space``.""")


# ---- joining and splitting --------------------------------------------------------------
def _concat_shape(a, *shapes):
    dim = normalize_axis("Concat", a.dim, len(shapes[0]), "dim")
    _same_dims("Concat", shapes, dim, f"except on dim {a.dim}")
    out = list(shapes[0])
    out[dim] = sum(s[dim] for s in shapes)
    return tuple(out)


def _concat(k, a, *xs):
    _concat_shape(a, *[x.shape for x in xs])
    check_same_dtype("Concat", *xs, names=[f"data{i}" for i in range(len(xs))])
    if len(xs) == 1:
        return k.copy(xs[0])
    return k.concat(list(xs), normalize_axis("Concat", a.dim, len(xs[0].shape), "dim"))


def _concat_gradient(F, a, xs, ys, dys):
    if len(xs) == 1:
        return [dys[0]]
    return list(F._backward_Concat(dys[0], *xs, dim=a.dim))


register("Concat", _concat, inputs="*data", aliases=("concat",),
         params={"num_args": Param("int"), "dim": Param("int", 1)},
         shape=_concat_shape, gradient=_concat_gradient, infer_type=uniform_type,
         doc="""Join arrays along ``dim`` (**default 1**, MXNet's choice; NumPy's is 0).

All inputs have one shape except on ``dim``; the output's ``dim`` is the sum.  The
gradient cuts ``dy`` back into pieces (``_backward_Concat``).""")


def _backward_concat(k, a, dy, *likes):
    dim = normalize_axis("_backward_Concat", a.dim, len(dy.shape), "dim")
    out, start = [], 0
    for like in likes:
        n = like.shape[dim]
        key = (slice(None),) * dim + (slice(start, start + n),)
        out.append(k.copy(k.getitem(dy, key)))
        start += n
    return tuple(out) if len(out) > 1 else out[0]


register("_backward_Concat", _backward_concat, inputs="*data",
         params={"num_args": Param("int"), "dim": Param("int", 1)},
         outputs=lambda a: [f"output{i}" for i in range(a.num_args - 1)],
         infer_shape=lambda a, s: (s, list(s[1:])),
         infer_type=lambda a, t: (t, [t[0]] * (a.num_args - 1)),
         gradient=lambda F, a, xs, ys, dys: [F.Concat(*dys, dim=a.dim)]
         + [None] * (len(xs) - 1),
         doc="Concat's gradient: inputs ``(dy, x0, ..., xn)``; cuts ``dy`` along "
             "``dim`` into pieces shaped like each ``xi``.")


def _stack_shape(a, *shapes):
    _same_dims("stack", shapes, -1, "")
    ax = normalize_axis("stack", a.axis, len(shapes[0]) + 1)
    return tuple(shapes[0][:ax]) + (len(shapes),) + tuple(shapes[0][ax:])


def _stack(k, a, *xs):
    _stack_shape(a, *[x.shape for x in xs])
    check_same_dtype("stack", *xs, names=[f"data{i}" for i in range(len(xs))])
    return k.stack(list(xs), normalize_axis("stack", a.axis, len(xs[0].shape) + 1))


def _stack_gradient(F, a, xs, ys, dys):
    parts = F.split(dys[0], num_outputs=len(xs), axis=a.axis, squeeze_axis=True)
    return [parts] if len(xs) == 1 else list(parts)


register("stack", _stack, inputs="*data",
         params={"axis": Param("int", 0), "num_args": Param("int")},
         shape=_stack_shape, gradient=_stack_gradient, infer_type=uniform_type,
         doc="Join same-shape arrays along a new axis ``axis`` (range [-ndim-1, ndim]). "
             "The gradient splits ``dy`` along that axis and squeezes it.")


def _split_pieces(op, a, shape):
    """[(start, stop)] along the split axis, and the normalized axis."""
    ax = normalize_axis(op, a.axis, len(shape))
    n = shape[ax]
    if op == "SliceChannel" or a.sections > 0:
        parts = a.num_outputs if op == "SliceChannel" else a.sections
        if parts <= 0 or n % parts:
            raise MXNetError(f"{op}: You are trying to split the {ax}-th axis of input "
                             f"tensor with shape {tuple(shape)} into {parts} evenly "
                             f"sized chunks, but this is not possible because {parts} "
                             f"does not evenly divide {n}")
        step = n // parts
        pieces = [(i * step, (i + 1) * step) for i in range(parts)]
    else:
        idx = list(a.indices)
        if not idx:
            raise MXNetError("_split_v2: indices must not be empty when sections=0")
        ends = idx[1:] + [n]
        for i, (s, e) in enumerate(zip(idx, ends)):
            if s > e:
                raise MXNetError(f"_split_v2: start {s} is not less than end {e} for "
                                 f"subarray {i}")
            if e > n:
                raise MXNetError(f"_split_v2: end {e} is no less than the size of the "
                                 f"axis {n}")
        if idx[0] != 0:
            raise MXNetError(f"_split_v2: indices {tuple(idx)} must start with 0 (the "
                             "Python split_v2 prepends it)")
        pieces = list(zip(idx, ends))
    if a.squeeze_axis and any(e - s != 1 for s, e in pieces):
        raise MXNetError(f"{op}: squeeze_axis=True needs every piece to have size 1 "
                         f"along axis {ax} (input {tuple(shape)})")
    return pieces, ax


def _split_shapes(op):
    def shapes(a, shape):
        pieces, ax = _split_pieces(op, a, shape)
        out = []
        for s, e in pieces:
            piece = list(shape)
            piece[ax] = e - s
            if a.squeeze_axis:
                del piece[ax]
            out.append(tuple(piece))
        return out
    return shapes


def _split_forward(op):
    shapes = _split_shapes(op)

    def forward(k, a, x):
        pieces, ax = _split_pieces(op, a, x.shape)
        outs = []
        for (s, e), shape in zip(pieces, shapes(a, x.shape)):
            key = (slice(None),) * ax + (slice(s, e),)
            outs.append(k.reshape(k.copy(k.getitem(x, key)), shape))
        return tuple(outs) if len(outs) > 1 else outs[0]
    return forward


def _split_gradient(F, a, xs, ys, dys):
    parts = [F.expand_dims(d, axis=a.axis) if a.squeeze_axis else d for d in dys]
    return [F.Concat(*parts, dim=a.axis)]


register("SliceChannel", _split_forward("SliceChannel"), aliases=("split",),
         params={"num_outputs": Param("int"), "axis": Param("int", 1),
                 "squeeze_axis": Param("bool", False)},
         outputs=lambda a: [f"output{i}" for i in range(a.num_outputs)],
         shape=_split_shapes("SliceChannel"), gradient=_split_gradient,
         doc="""Split ``data`` along ``axis`` (**default 1**) into ``num_outputs`` equal
pieces (the size must divide evenly).  ``squeeze_axis=True`` removes the split axis,
which then must have size ``num_outputs``.  The gradient concatenates the pieces'
gradients.""")
register("_split_v2", _split_forward("_split_v2"),
         params={"indices": Param("shape"), "axis": Param("int", 1),
                 "squeeze_axis": Param("bool", False), "sections": Param("int", 0)},
         outputs=lambda a: [f"output{i}" for i in range(a.sections or len(a.indices))],
         shape=_split_shapes("_split_v2"), gradient=_split_gradient,
         doc="""Split ``data`` along ``axis`` at boundaries ``indices``, or into ``sections``
equal pieces when ``sections > 0``.  Piece i is ``[indices[i], indices[i+1])``, the last
runs to the end, so ``indices`` starts with 0.  Users call the Python wrapper
``split_v2(ary, indices_or_sections, axis=0, squeeze_axis=False)``, which prepends the
0 (NumPy's ``split`` convention).""")


def make_split_v2(F):
    """MXNet's Python ``split_v2`` for namespace ``F`` (``mx.nd`` or ``mx.sym``)."""
    def split_v2(ary, indices_or_sections, axis=0, squeeze_axis=False):
        """Split ``ary`` along ``axis`` like ``numpy.split``.

        ``indices_or_sections`` is an int (that many equal pieces) or a tuple of split
        points: ``split_v2(x, (1, 4))`` gives ``x[:1], x[1:4], x[4:]``.
        """
        if isinstance(indices_or_sections, (int, np.integer)):
            return F._split_v2(ary, indices=(), axis=axis, squeeze_axis=squeeze_axis,
                               sections=int(indices_or_sections))
        if isinstance(indices_or_sections, (tuple, list)):
            return F._split_v2(ary, indices=(0,) + tuple(indices_or_sections), axis=axis,
                               squeeze_axis=squeeze_axis)
        raise ValueError("indices_or_sections must either int or tuple of ints")
    return split_v2


# ---- repetition and broadcasting --------------------------------------------------------
def _tile_shape(a, shape):
    if any(r < 0 for r in a.reps):
        raise MXNetError(f"tile: reps {a.reps} must be non-negative")
    m = max(len(shape), len(a.reps))
    s = (1,) * (m - len(shape)) + tuple(shape)
    r = (1,) * (m - len(a.reps)) + tuple(a.reps)
    return tuple(d * n for d, n in zip(s, r))


def _tile_gradient(F, a, xs, ys, dys):
    reps, x, dy = a.reps, xs[0], dys[0]
    if not reps:
        return [dy]
    if 0 in reps:
        return [F.zeros_like(x)]
    m = len(reps)
    # Right to left, split each tiled dim into (r_i, s_i); -1 gathers the rest in L.
    codes = []
    for r in reversed(reps):
        codes += [-4, -1, r]
    codes.append(-1)
    split = F.reshape(dy, shape=tuple(reversed(codes)), reverse=True)  # (L, r0, s0, ...)
    axes = tuple(range(1, 2 * m, 2)) + (0,) + tuple(range(2, 2 * m + 1, 2))
    grouped = F.reshape(F.transpose(split, axes=axes), shape=(_prod(reps), -1))
    summed = F._sum_like(grouped, F.reshape(x, shape=(1, -1)))     # sum the r axes
    return [F.reshape_like(summed, x)]


register("tile", lambda k, a, x: k.tile(x, a.reps) if a.reps else k.copy(x),
         params={"reps": Param("shape")}, shape=_tile_shape, gradient=_tile_gradient,
         doc="""Repeat the whole array ``reps[i]`` times along axis i (NumPy ``tile``).

If ``reps`` is shorter than ``data.ndim`` it is padded with leading 1s; if longer,
``data`` gets leading size-1 axes.  (2, 3) with reps (2,) -> (2, 6).  The gradient
views ``dy`` as (r0, s0, r1, s1, ...) and sums over the r axes.""")


def _repeat_shape(a, shape):
    if a.repeats < 0:
        raise MXNetError(f"repeat: repeats must be non-negative, got {a.repeats}")
    if a.axis is None:
        return (_prod(shape) * a.repeats,)
    ax = normalize_axis("repeat", a.axis, len(shape))
    out = list(shape)
    out[ax] *= a.repeats
    return tuple(out)


def _repeat(k, a, x):
    _repeat_shape(a, x.shape)
    ax = None if a.axis is None else normalize_axis("repeat", a.axis, len(x.shape))
    return k.repeat(x, a.repeats, ax)


def _repeat_gradient(F, a, xs, ys, dys):
    x, dy, r = xs[0], dys[0], a.repeats
    if r == 0:
        return [F.zeros_like(x)]
    if a.axis is None:                       # (n*r,) -> (n, r), sum over r
        split, like = F.reshape(dy, shape=(-4, -1, r)), F.reshape(x, shape=(-1, 1))
    elif a.axis >= 0:                        # split axis into (n, r) from the left
        split = F.reshape(dy, shape=(0,) * a.axis + (-4, -1, r, -2))
        like = F.expand_dims(x, axis=a.axis + 1)
    else:                                    # ... or from the right
        codes = (0,) * (-a.axis - 1) + (-4, r, -1, -2)
        split = F.reshape(dy, shape=tuple(reversed(codes)), reverse=True)
        like = F.expand_dims(x, axis=a.axis)
    return [F.reshape_like(F._sum_like(split, like), x)]


register("repeat", _repeat,
         params={"repeats": Param("int"), "axis": Param("int", None)},
         shape=_repeat_shape, gradient=_repeat_gradient,
         doc="""Repeat each element ``repeats`` times along ``axis`` (NumPy ``repeat``);
``axis=None`` flattens first.  [1, 2] -> [1, 1, 2, 2].  The gradient sums each run of
``repeats`` gradients.""")


def _broadcast_to_shape(a, shape):
    if len(a.shape) != len(shape):
        raise MXNetError(f"broadcast_to: operand of shape {tuple(shape)} cannot be "
                         f"broadcasted to {a.shape} (the ranks must be equal)")
    out = tuple(d if t == 0 else t for d, t in zip(shape, a.shape))
    for d, t in zip(shape, out):
        if d != t and d != 1:
            raise MXNetError(f"broadcast_to: array cannot be broadcasted from "
                             f"{tuple(shape)} to {a.shape}")
    return out


register("broadcast_to",
         lambda k, a, x: k.copy(k.broadcast_to(x, _broadcast_to_shape(a, x.shape))),
         params={"shape": Param("shape", ())}, shape=_broadcast_to_shape,
         gradient=lambda F, a, xs, ys, dys: [F._sum_like(dys[0], xs[0])],
         doc="""Repeat size-1 axes to reach ``shape`` (same rank; a 0 in ``shape`` keeps
that dim: (1, 3) to (2, 0) gives (2, 3)).  The gradient sums over broadcast axes.""")


def _broadcast_like_shape(a, lhs, rhs):
    if a.lhs_axes is None and a.rhs_axes is None:
        if len(lhs) != len(rhs):
            raise MXNetError(f"broadcast_like: operand of shape {tuple(lhs)} cannot be "
                             f"broadcasted to {tuple(rhs)} (the ranks must be equal)")
        pairs = list(zip(range(len(lhs)), range(len(rhs))))
    else:
        la, ra = a.lhs_axes or (), a.rhs_axes or ()
        if len(la) != len(ra) or not la:
            raise MXNetError(f"broadcast_like: lhs_axes {a.lhs_axes} and rhs_axes "
                             f"{a.rhs_axes} must be given together, of equal length")
        pairs = [(normalize_axis("broadcast_like", i, len(lhs), "lhs_axes"),
                  normalize_axis("broadcast_like", j, len(rhs), "rhs_axes"))
                 for i, j in zip(la, ra)]
    out = list(lhs)
    for i, j in pairs:
        if lhs[i] != rhs[j] and lhs[i] != 1:
            raise MXNetError(f"broadcast_like: input axis {i} of {tuple(lhs)} cannot be "
                             f"broadcasted to {rhs[j]}")
        out[i] = rhs[j]
    return tuple(out)


register("broadcast_like",
         lambda k, a, lhs, rhs: k.copy(k.broadcast_to(
             lhs, _broadcast_like_shape(a, lhs.shape, rhs.shape))),
         inputs=("lhs", "rhs"),
         params={"lhs_axes": Param("shape", None), "rhs_axes": Param("shape", None)},
         shape=_broadcast_like_shape,
         gradient=lambda F, a, xs, ys, dys: [F._sum_like(dys[0], xs[0]), None],
         doc="""Broadcast ``lhs`` to the shape of ``rhs`` (same rank), or only the axes
``lhs_axes`` to the sizes of ``rhs``'s ``rhs_axes``.  ``rhs`` gets no gradient.""")


def _broadcast_axis_shape(a, shape):
    if len(a.axis) != len(a.size):
        raise MXNetError(f"broadcast_axis: axis {a.axis} and size {a.size} must have "
                         "equal length")
    out = list(shape)
    for ax, n in zip(a.axis, a.size):
        ax = normalize_axis("broadcast_axis", ax, len(shape))
        if shape[ax] != 1:
            raise MXNetError(f"broadcast_axis: broadcasting axis {ax} must have size 1, "
                             f"got {shape[ax]} in {tuple(shape)}")
        out[ax] = n
    return tuple(out)


register("broadcast_axis",
         lambda k, a, x: k.copy(k.broadcast_to(x, _broadcast_axis_shape(a, x.shape))),
         aliases=("broadcast_axes",),
         params={"axis": Param("shape", ()), "size": Param("shape", ())},
         shape=_broadcast_axis_shape,
         gradient=lambda F, a, xs, ys, dys: [F._sum_like(dys[0], xs[0])],
         doc="Broadcast the size-1 axes ``axis`` to sizes ``size``: (1, 3, 1) with "
             "axis (0, 2), size (2, 4) -> (2, 3, 4).")


# ---- padding ----------------------------------------------------------------------------
def _pad_pairs(a, shape):
    pw, n = a.pad_width, len(shape)
    if len(pw) != 2 * n:
        raise MXNetError(f"Pad: input shape {tuple(shape)} vs padding spec {pw} "
                         f"mismatch: pad_width needs 2*ndim = {2 * n} entries")
    if n not in (4, 5):
        raise MXNetError(f"Pad: current implementation only supports 4-D or 5-D input, "
                         f"got {tuple(shape)}")
    if any(pw[:4]):
        raise MXNetError(f"Pad: current implementation expects padding on the first "
                         f"two axes to be zero, got pad_width={pw}")
    pairs = [(pw[2 * i], pw[2 * i + 1]) for i in range(n)]
    if any(p < 0 for p in pw):
        raise MXNetError(f"Pad: pad_width must be non-negative, got {pw}")
    if a.mode == "reflect" and any(max(p) >= d for p, d in zip(pairs[2:], shape[2:])):
        raise MXNetError(f"Pad: current implementation of reflection padding only "
                         f"supports padding sizes smaller than the input size "
                         f"(pad_width={pw}, input {tuple(shape)})")
    return pairs


def _pad_shape(a, shape):
    return tuple(d + b + e for d, (b, e) in zip(shape, _pad_pairs(a, shape)))


def _pad(k, a, x):
    if np.dtype(x.dtype).kind != "f":     # MXNet's Pad kernel is float-only
        raise MXNetError(f"Pad: only floating point types are supported, got "
                         f"{np.dtype(x.dtype).name}")
    value = scalar_for(x.dtype, a.constant_value)
    return k.pad(x, _pad_pairs(a, x.shape), a.mode, value)


register("Pad", _pad, aliases=("pad",),
         params={"mode": Param("str", choices=("constant", "edge", "reflect")),
                 "pad_width": Param("shape"), "constant_value": Param("float", 0.0)},
         shape=_pad_shape,
         gradient=lambda F, a, xs, ys, dys: [F._backward_Pad(dys[0], mode=a.mode,
                                                             pad_width=a.pad_width)],
         doc="""Pad a 4-D or 5-D array.  ``pad_width`` is NumPy's, flattened:
``(before_0, after_0, ..., before_n, after_n)``, and the first four entries must be 0
(MXNet pads only spatial axes).  ``constant`` fills ``constant_value``, ``edge``
repeats the border, ``reflect`` mirrors without repeating it ([1, 2, 3] padded by 2 ->
[3, 2, 1, 2, 3, 2, 1]; pads must be smaller than the dim).  The gradient folds the
padding's gradient back onto the elements it copied (``_backward_Pad``).""")


def _backward_pad_shape(a, shape):
    pw = a.pad_width
    if len(pw) != 2 * len(shape):
        raise MXNetError(f"_backward_Pad: pad_width {pw} does not match {tuple(shape)}")
    return tuple(d - pw[2 * i] - pw[2 * i + 1] for i, d in enumerate(shape))


def _backward_pad(k, a, dy):
    """Fold ``dy`` (padded shape) back onto the input, one axis at a time."""
    out = dy
    for ax in range(len(dy.shape)):
        b, e = a.pad_width[2 * ax], a.pad_width[2 * ax + 1]
        if not b and not e:
            continue
        n = out.shape[ax] - b - e
        pre = (slice(None),) * ax
        grad = k.copy(k.getitem(out, pre + (slice(b, b + n),)))
        if a.mode != "constant":
            before = k.getitem(out, pre + (slice(0, b),))
            after = k.getitem(out, pre + (slice(b + n, b + n + e),))
            if a.mode == "edge":       # every padded copy came from the first/last element
                tgt0, tgt1 = pre + (slice(0, 1),), pre + (slice(n - 1, n),)
                before = k.reduce("sum", before, (ax,), True) if b else None
                after = k.reduce("sum", after, (ax,), True) if e else None
            else:                      # reflect: pad j before came from element b - j
                tgt0, tgt1 = pre + (slice(1, b + 1),), pre + (slice(n - 1 - e, n - 1),)
                before = k.flip(before, (ax,)) if b else None
                after = k.flip(after, (ax,)) if e else None
            for tgt, part in ((tgt0, before), (tgt1, after)):
                if part is not None:
                    k.setitem(grad, tgt, k.binary("add", k.getitem(grad, tgt), part))
        out = grad
    return out if out is not dy else k.copy(dy)


register("_backward_Pad", _backward_pad,
         params={"mode": Param("str", "constant", choices=("constant", "edge", "reflect")),
                 "pad_width": Param("shape")},
         shape=_backward_pad_shape,
         gradient=lambda F, a, xs, ys, dys: [F.Pad(dys[0], mode=a.mode,
                                                   pad_width=a.pad_width)],
         doc="Pad's gradient: the interior of ``dy``, plus (edge/reflect) the padded "
             "gradients added onto the elements they were copied from.")


# ---- slicing ----------------------------------------------------------------------------
def _slice_ranges(op, shape, begin, end, step):
    """Python ``range`` per axis for MXNet's (begin, end, step); missing axes are full.

    None entries take the defaults of Python slices, negative values count from the
    end, out-of-range bounds are clipped (NumPy/Python semantics).
    """
    if len(begin) != len(end):
        raise MXNetError(f"{op}: begin {begin} and end {end} must have the same length")
    if step and len(step) != len(begin):
        raise MXNetError(f"{op}: step {step} must have the same length as begin {begin}")
    if len(begin) > len(shape):
        raise MXNetError(f"{op}: slicing {len(begin)} axes exceeds the data dimensions "
                         f"{tuple(shape)}")
    out = []
    for i, n in enumerate(shape):
        if i < len(begin):
            s = step[i] if step and step[i] is not None else 1
            if s == 0:
                raise MXNetError(f"{op}: step[{i}] cannot be 0")
            r = range(*slice(begin[i], end[i], s).indices(n))
            out.append(r if len(r) else range(0, 0))    # (-1, -1, -1) would read as "all"
        else:
            out.append(range(n))
    return out


def _key(ranges):
    """Python slices for ``ranges`` (a stop of -1 with a negative step means "past 0")."""
    return tuple(slice(r.start, r.stop if r.stop >= 0 else None, r.step) for r in ranges)


def _slice_shape(a, shape):
    return tuple(len(r) for r in _slice_ranges("slice", shape, a.begin, a.end, a.step))


_SLICE_PARAMS = {"begin": _OptInts(), "end": _OptInts(), "step": _OptInts(())}

register("slice",
         lambda k, a, x: k.copy(k.getitem(x, _key(_slice_ranges(
             "slice", x.shape, a.begin, a.end, a.step)))),
         aliases=("crop",), params=_SLICE_PARAMS, shape=_slice_shape,
         gradient=lambda F, a, xs, ys, dys: [F._slice_assign(
             F.zeros_like(xs[0]), dys[0], begin=a.begin, end=a.end, step=a.step)],
         doc="""``data[begin[0]:end[0]:step[0], begin[1]:end[1]:step[1], ...]`` (a copy).

Axes beyond ``len(begin)`` are kept whole; None entries mean the slice default; steps
may be negative (``begin=(None,), end=(None,), step=(-1,)`` reverses axis 0).  Bounds
are clipped as in Python.  ``crop`` is an alias.  The gradient writes ``dy`` into zeros
(``_slice_assign``).""")


def _slice_assign(k, a, lhs, rhs):
    ranges = _slice_ranges("_slice_assign", lhs.shape, a.begin, a.end, a.step)
    region = tuple(len(r) for r in ranges)
    if tuple(rhs.shape) != region:
        raise MXNetError(f"_slice_assign: rhs has shape {tuple(rhs.shape)} but the "
                         f"slice of lhs has shape {region}")
    out = k.copy(lhs)
    k.setitem(out, _key(ranges), rhs)
    return out


def _slice_assign_infer(a, in_shapes):
    lhs, rhs = in_shapes
    if lhs is None:
        return in_shapes, [None]
    region = tuple(len(r) for r in _slice_ranges("_slice_assign", lhs, a.begin, a.end,
                                                 a.step))
    return [lhs, region], [tuple(lhs)]


register("_slice_assign", _slice_assign, inputs=("lhs", "rhs"), params=_SLICE_PARAMS,
         infer_shape=_slice_assign_infer, inplace=[(0, 0)],
         gradient=lambda F, a, xs, ys, dys: [
             F._slice_assign_scalar(dys[0], scalar=0, begin=a.begin, end=a.end, step=a.step),
             F.slice(dys[0], begin=a.begin, end=a.end, step=a.step)],
         doc="""A copy of ``lhs`` with ``lhs[begin:end:step] = rhs`` (``rhs`` has exactly
the slice's shape).  This is what ``x[a:b] = v`` records under autograd (with
``out=x``): the gradient of ``lhs`` is ``dy`` with the slice zeroed, that of ``rhs``
the slice of ``dy``.""")


def _slice_assign_scalar(k, a, x):
    out = k.copy(x)
    ranges = _slice_ranges("_slice_assign_scalar", x.shape, a.begin, a.end, a.step)
    k.setitem(out, _key(ranges), scalar_for(x.dtype, a.scalar))
    return out


register("_slice_assign_scalar", _slice_assign_scalar,
         params=dict({"scalar": Param("float", 0.0)}, **_SLICE_PARAMS), inplace=[(0, 0)],
         gradient=lambda F, a, xs, ys, dys: [F._slice_assign_scalar(
             dys[0], scalar=0, begin=a.begin, end=a.end, step=a.step)],
         doc="A copy of ``data`` with ``data[begin:end:step] = scalar`` (what "
             "``x[a:b] = 3`` records under autograd).")


def _slice_axis_range(a, shape):
    ax = normalize_axis("slice_axis", a.axis, len(shape))
    n = shape[ax]
    b = a.begin + n if a.begin < 0 else a.begin
    e = n if a.end is None else (a.end + n if a.end < 0 else a.end)
    if b < 0 or e > n or b >= e:
        raise MXNetError(f"slice_axis: invalid begin={a.begin}, end={a.end} for axis "
                         f"{ax} of size {n} (need 0 <= begin < end <= size)")
    return ax, b, e


def _slice_axis_shape(a, shape):
    ax, b, e = _slice_axis_range(a, shape)
    return tuple(shape[:ax]) + (e - b,) + tuple(shape[ax + 1:])


def _slice_axis(k, a, x):
    ax, b, e = _slice_axis_range(a, x.shape)
    return k.copy(k.getitem(x, (slice(None),) * ax + (slice(b, e),)))


register("slice_axis", _slice_axis,
         params={"axis": Param("int"), "begin": Param("int"),
                 "end": Param("int", optional=True)},
         shape=_slice_axis_shape,
         gradient=lambda F, a, xs, ys, dys: [F._backward_slice_axis(
             dys[0], xs[0], axis=a.axis, begin=a.begin, end=a.end)],
         doc="""``data[..., begin:end, ...]`` on axis ``axis`` (a copy).  Negative values
count from the end and ``end=None`` means the end; unlike ``slice``, MXNet requires
``0 <= begin < end <= size`` (no clipping).""")


def _backward_slice_axis(k, a, dy, data):
    ax, b, e = _slice_axis_range(a, data.shape)
    out = k.full(data.shape, 0, dy.dtype)
    k.setitem(out, (slice(None),) * ax + (slice(b, e),), dy)
    return out


register("_backward_slice_axis", _backward_slice_axis, inputs=("ograd", "data"),
         params={"axis": Param("int"), "begin": Param("int"),
                 "end": Param("int", optional=True)},
         infer_shape=lambda a, s: (s, [s[1]]),
         gradient=lambda F, a, xs, ys, dys: [F.slice_axis(
             dys[0], axis=a.axis, begin=a.begin, end=a.end), None],
         doc="slice_axis's gradient: zeros shaped like ``data`` with ``ograd`` written "
             "into the sliced range.")


def _slice_like_axes(a, shape, like):
    if not a.axes:
        if len(shape) != len(like):
            raise MXNetError(f"slice_like: by default all axes are sliced, but the "
                             f"ranks differ: {tuple(shape)} vs {tuple(like)}")
        return tuple(range(len(shape)))
    axes = tuple(normalize_axis("slice_like", ax, len(shape), "axes") for ax in a.axes)
    for ax in axes:
        if ax >= len(like):
            raise MXNetError(f"slice_like: axis {ax} exceeds the second input "
                             f"{tuple(like)}")
    return axes


def _slice_like_shape(a, shape, like):
    out = list(shape)
    for ax in _slice_like_axes(a, shape, like):
        if like[ax] > shape[ax]:
            raise MXNetError(f"slice_like: axis {ax} with size {like[ax]} exceeds the "
                             f"input's size {shape[ax]}")
        out[ax] = like[ax]
    return tuple(out)


def _slice_like(k, a, x, like):
    out = _slice_like_shape(a, x.shape, like.shape)
    return k.copy(k.getitem(x, tuple(slice(0, n) for n in out)))


register("slice_like", _slice_like, inputs=("data", "shape_like"),
         params={"axes": Param("shape", ())}, shape=_slice_like_shape,
         gradient=lambda F, a, xs, ys, dys: [
             F._backward_slice_like(dys[0], xs[0], axes=a.axes), None],
         doc="""``data[0:like.shape[0], 0:like.shape[1], ...]`` on ``axes`` (default: all
axes, then the ranks must match).  ``shape_like`` only lends its shape.""")


def _backward_slice_like(k, a, dy, data):
    out = k.full(data.shape, 0, dy.dtype)
    k.setitem(out, tuple(slice(0, n) for n in dy.shape), dy)
    return out


register("_backward_slice_like", _backward_slice_like, inputs=("ograd", "data"),
         params={"axes": Param("shape", ())}, infer_shape=lambda a, s: (s, [s[1]]),
         gradient=lambda F, a, xs, ys, dys: [F.slice_like(dys[0], xs[0]), None],
         doc="slice_like's gradient: zeros shaped like ``data`` with ``ograd`` in the "
             "leading corner.")


# ---- diagonals --------------------------------------------------------------------------
def _diag_plan(a, shape):
    """For ndim >= 2: (axes order moving axis1, axis2 last, s1, s2, flat index list)."""
    n = len(shape)
    a1 = normalize_axis("diag", a.axis1, n, "axis1")
    a2 = normalize_axis("diag", a.axis2, n, "axis2")
    if a1 == a2:
        raise MXNetError(f"diag: axis1 and axis2 cannot refer to the same axis {a1}")
    s1, s2 = shape[a1], shape[a2]
    if not -s1 <= a.k <= s2:
        raise MXNetError(f"diag: diagonal k={a.k} does not exist for a {s1} x {s2} "
                         f"matrix")
    d = max(0, min(s1 - max(-a.k, 0), s2 - max(a.k, 0)))
    i = np.arange(d, dtype=np.int64)
    flat = (i + max(-a.k, 0)) * s2 + (i + max(a.k, 0))
    order = tuple(j for j in range(n) if j not in (a1, a2)) + (a1, a2)
    return order, s1, s2, flat


def _diag_shape(a, shape):
    if len(shape) == 0:
        raise MXNetError("diag: the input must have at least one dimension")
    if len(shape) == 1:
        m = shape[0] + abs(a.k)
        return (m, m)
    order, s1, s2, flat = _diag_plan(a, shape)
    return tuple(shape[j] for j in order[:-2]) + (len(flat),)


def _diag(k, a, x):
    out_shape = _diag_shape(a, x.shape)
    if len(x.shape) == 1:                    # build a matrix: scatter x on diagonal k
        n, m = x.shape[0], out_shape[0]
        i = np.arange(n, dtype=np.int64)
        flat = (i + max(-a.k, 0)) * m + (i + max(a.k, 0))
        out = k.scatter_add((m * m,), k.from_numpy(flat), x, 0, x.dtype)
        return k.reshape(out, out_shape)
    order, s1, s2, flat = _diag_plan(a, x.shape)
    y = k.transpose(x, order)
    y = k.reshape(y, tuple(y.shape[:-2]) + (s1 * s2,))
    return k.take(y, k.from_numpy(flat), len(y.shape) - 1)


register("diag", _diag,
         params={"k": Param("int", 0), "axis1": Param("int", 0), "axis2": Param("int", 1)},
         shape=_diag_shape,
         gradient=lambda F, a, xs, ys, dys: [F._backward_diag(
             dys[0], xs[0], k=a.k, axis1=a.axis1, axis2=a.axis2)],
         doc="""Diagonal ``k`` (k > 0 above the main one, k < 0 below).

A 1-D input (n,) gives the (n+|k|) x (n+|k|) matrix with it on diagonal k.  An input
with ndim >= 2 gives ``out[..., i] = data[..., i + max(-k, 0), ..., i + max(k, 0)]``
over axes ``axis1``, ``axis2`` (those axes removed, the diagonal last: NumPy's
``diagonal``).  MXNet requires ``-size(axis1) <= k <= size(axis2)``.""")


def _backward_diag(k, a, dy, data):
    if len(data.shape) == 1:                 # the adjoint of building: extract
        return _diag(k, a, dy)
    order, s1, s2, flat = _diag_plan(a, data.shape)
    rest = tuple(data.shape[j] for j in order[:-2])
    out = k.scatter_add(rest + (s1 * s2,), k.from_numpy(flat), dy, len(rest), dy.dtype)
    out = k.reshape(out, rest + (s1, s2))
    return k.transpose(out, tuple(int(j) for j in np.argsort(order)))


register("_backward_diag", _backward_diag, inputs=("ograd", "data"),
         params={"k": Param("int", 0), "axis1": Param("int", 0), "axis2": Param("int", 1)},
         infer_shape=lambda a, s: (s, [s[1]]),
         gradient=lambda F, a, xs, ys, dys: [F.diag(dys[0], k=a.k, axis1=a.axis1,
                                                    axis2=a.axis2), None],
         doc="diag's gradient: ``ograd`` put back on diagonal k of zeros shaped like "
             "``data`` (or, for 1-D data, diagonal k extracted from ``ograd``).")


# ---- shape as data ----------------------------------------------------------------------
def _int64_type(a, in_types):
    return in_types, [np.dtype(np.int64)]


register("shape_array",
         lambda k, a, x: k.from_numpy(np.array(x.shape, dtype=np.int64)),
         shape=lambda a, s: (len(s),), infer_type=_int64_type,
         doc="The shape of ``data`` as a 1-D int64 array (no gradient).")
register("size_array",
         lambda k, a, x: k.from_numpy(np.array([_prod(x.shape)], dtype=np.int64)),
         shape=lambda a, s: (1,), infer_type=_int64_type,
         doc="The number of elements of ``data`` as a (1,) int64 array (no gradient).")


# ---- gather by flat index (advanced indexing) -------------------------------------------
def _gather_flat(k, a, x, idx):
    flat = k.reshape(x, (_prod(x.shape),))
    return k.take(flat, idx, 0)


register("_gather_flat", _gather_flat, inputs=("data", "indices"),
         infer_shape=lambda a, s: (s, [s[1]]),
         infer_type=lambda a, t: (t, [t[0]]),
         gradient=lambda F, a, xs, ys, dys: [F._backward_gather_flat(dys[0], xs[1], xs[0]),
                                             None],
         doc="""``out = data.reshape(-1)[indices]``: the result has the shape of the int64
``indices``.  NDArray advanced indexing (``x[[1, 1, 0], [0, 1, 0]]``) turns any NumPy
index into flat positions on the host and gathers with this op.  The gradient
scatter-adds ``dy`` back, so repeated indices accumulate.""")


def _backward_gather_flat(k, a, dy, idx, like):
    out = k.scatter_add((_prod(like.shape),), idx, dy, 0, dy.dtype)
    return k.reshape(out, like.shape)


register("_backward_gather_flat", _backward_gather_flat,
         inputs=("ograd", "indices", "data"), infer_shape=lambda a, s: (s, [s[2]]),
         gradient=lambda F, a, xs, ys, dys: [F._gather_flat(dys[0], xs[1]), None, None],
         doc="_gather_flat's gradient: zeros shaped like ``data``, then "
             "``out.flat[indices[i]] += ograd[i]`` (repeats accumulate).")
