"""Convolution and its adjoint: ``Convolution``, ``Deconvolution`` and their backward ops.

The whole file rests on one identity.  ``im2col`` unfolds every receptive field of
``x`` (N, C, *spatial) into a column: ``cols`` has shape (N, C*K, L), where
``K = prod(kernel)`` taps and ``L = prod(out_spatial)`` output positions.  Then a
convolution is a matrix product per sample::

    y[n] = W2 @ cols[n]        W2 = weight.reshape(F, C*K)        y[n]: (F, L)

and ``y`` is already NCHW: reshape (N, F, L) to (N, F, *out_spatial), no transpose.
(DESIGN section 7: this buffer layout plus batched GEMMs beats the (N*L, C*K) row
layout followed by a transpose.)  With ``num_group = g`` the channels split into g
independent convolutions; we fold the group axis into the batch axis, so it is still
one batched GEMM of N*g products (F/g, C*K/g) @ (C*K/g, L).

Three helpers compute the three products a layer needs:

* ``_conv_data``:   y  = W  @ im2col(x)                  (Convolution forward)
* ``_conv_adjoint``: dx = col2im(W^T @ dy)                (its gradient w.r.t. x)
* ``_conv_weight``: dW = sum_n dy[n] @ im2col(x)[n]^T     (its gradient w.r.t. W)

``Deconvolution`` ("transposed convolution") *is* ``_conv_adjoint``: its forward is
Convolution's data gradient, and its data gradient is Convolution's forward.  That is
why its weight is laid out (C_in, F/g, *kernel): it is the weight of the convolution
that maps the deconvolution's output back to its input.
"""
import math

from ..base import MXNetError
from .params import Attrs
from .registry import Param, register, uniform_type

# ---- geometry ------------------------------------------------------------------------------
_LAYOUTS = (None, "NCW", "NCHW", "NCDHW", "NHWC", "NDHWC")
_CUDNN_TUNE = (None, "fastest", "limited_workspace", "off")


def _prod(xs):
    return int(math.prod(xs))


def _geometry(op, a, ndim):
    """``(kernel, stride, dilate, pad)`` with MXNet's defaults filled in (1, 1, 0)."""
    kernel = tuple(a.kernel)
    d = len(kernel)
    if d not in (1, 2, 3):
        raise MXNetError(f"{op}: kernel must have 1, 2 or 3 dims, got kernel={kernel}")
    if ndim is not None and ndim != d + 2:
        raise MXNetError(f"{op}: a {d}-D kernel {kernel} needs {d + 2}-D data "
                         f"({('NCW', 'NCHW', 'NCDHW')[d - 1]}), got {ndim}-D data")
    if a.layout not in (None, ("NCW", "NCHW", "NCDHW")[d - 1]):
        raise MXNetError(f"{op}: layout={a.layout!r} is not supported for {d}-D data (MXNet "
                         f"supports NHWC/NDHWC only on GPU; use the default "
                         f"{('NCW', 'NCHW', 'NCDHW')[d - 1]})")

    def fill(name, value, default):
        value = tuple(value) or (default,) * d
        if len(value) != d:
            raise MXNetError(f"{op}: {name}={value} must have {d} values like kernel={kernel}")
        return value
    stride, dilate, pad = fill("stride", a.stride, 1), fill("dilate", a.dilate, 1), \
        fill("pad", a.pad, 0)
    if min(kernel) < 1 or min(stride) < 1 or min(dilate) < 1 or min(pad) < 0:
        raise MXNetError(f"{op}: kernel, stride and dilate must be positive and pad "
                         f"non-negative, got kernel={kernel} stride={stride} "
                         f"dilate={dilate} pad={pad}")
    return kernel, stride, dilate, pad


def _conv_out(op, spatial, kernel, stride, dilate, pad):
    """``out = (in + 2 pad - dilate (kernel - 1) - 1) // stride + 1`` per spatial dim."""
    out = []
    for s, k, st, dl, p in zip(spatial, kernel, stride, dilate, pad):
        span = dl * (k - 1) + 1
        if span > s + 2 * p:
            raise MXNetError(f"{op}: the dilated kernel ({span}) exceeds the padded input "
                             f"({s} + 2*{p}); input spatial shape {tuple(spatial)}, "
                             f"kernel={kernel}, dilate={dilate}, pad={pad}")
        out.append((s + 2 * p - span) // st + 1)
    return tuple(out)


def _check_groups(op, channels, num_filter, g):
    if g < 1 or channels % g or num_filter % g:
        raise MXNetError(f"{op}: num_group={g} must divide both the input channels "
                         f"({channels}) and num_filter ({num_filter})")


def _check_float(op, x, w, b=None):
    """Data, weight and bias share one floating point dtype: MXNet 1.x does not
    promote, so float64 data into a float32 layer is an error."""
    if w.dtype != x.dtype or (b is not None and b.dtype != x.dtype):
        got = ", ".join(f"{n}={v.dtype.name}" for n, v in
                        zip(("data", "weight", "bias"), (x, w, b)) if v is not None)
        raise MXNetError(f"{op}: data, weight and bias must have one dtype, got {got}")
    if x.dtype.kind != "f":
        raise MXNetError(f"{op}: this operation only supports floating point types, "
                         f"not {x.dtype.name}")


def _fill_shapes(op, names, given, inferred):
    """Merge inferred shapes into the given ones; a conflict is MXNet's
    'Shape inconsistent' error naming the argument."""
    out = list(given)
    for i, (name, g, s) in enumerate(zip(names, given, inferred)):
        if s is None:
            continue
        if g is not None and tuple(g) != tuple(s):
            raise MXNetError(f"{op}: Shape inconsistent for {name!r}: provided "
                             f"{tuple(g)}, inferred {tuple(s)}")
        out[i] = tuple(s)
    return out


# ---- the three products ------------------------------------------------------------------
def _grouped_weight(k, w, n, g):
    """(F, C/g, *kernel) -> (N*g, F/g, C/g*K): the weight seen by each (sample, group)
    pair of the batched GEMM (a broadcast, so a view when g == 1)."""
    f = w.shape[0]
    ck = _prod(w.shape[1:])
    wg = k.reshape(w, (1, g, f // g, ck))
    return k.reshape(k.broadcast_to(wg, (n, g, f // g, ck)), (n * g, f // g, ck))


def _conv_data(k, x, w, g, kernel, stride, dilate, pad):
    """Convolution forward without bias: (N, C, *in) -> (N, F, L)."""
    n, f = x.shape[0], w.shape[0]
    cols = k.im2col(x, kernel, stride, pad, dilate)           # (N, C*K, L)
    l = cols.shape[2]
    cols = k.reshape(cols, (n * g, cols.shape[1] // g, l))
    y = k.batch_matmul(_grouped_weight(k, w, n, g), cols)     # (N*g, F/g, L)
    return k.reshape(y, (n, f, l))


def _conv_adjoint(k, dy, w, x_shape, g, kernel, stride, dilate, pad):
    """The adjoint of ``_conv_data`` in x: col2im(W^T @ dy), shape ``x_shape``."""
    n, f = dy.shape[0], dy.shape[1]
    l = _prod(dy.shape[2:])
    dy = k.reshape(dy, (n * g, f // g, l))
    dcols = k.batch_matmul(_grouped_weight(k, w, n, g), dy, transpose_a=True)
    dcols = k.reshape(dcols, (n, x_shape[1] * _prod(kernel), l))
    return k.col2im(dcols, tuple(x_shape), kernel, stride, pad, dilate)


def _conv_weight(k, dy, x, w_shape, g, kernel, stride, dilate, pad):
    """The gradient in W: sum over samples of dy[n] @ im2col(x)[n]^T, shape ``w_shape``."""
    n, f = dy.shape[0], dy.shape[1]
    cols = k.im2col(x, kernel, stride, pad, dilate)
    l = cols.shape[2]
    cols = k.reshape(cols, (n * g, cols.shape[1] // g, l))
    dy = k.reshape(dy, (n * g, f // g, l))
    dw = k.batch_matmul(dy, cols, transpose_b=True)           # (N*g, F/g, C/g*K)
    dw = k.reduce("sum", k.reshape(dw, (n, _prod(w_shape))), (0,), False)
    return k.reshape(dw, tuple(w_shape))


def _add_bias(k, y, b, out=None):
    """y (N, F, L) + b (F,) broadcast over N and L (written into ``out`` if given)."""
    return k.binary("add", y, k.broadcast_to(k.reshape(b, (1, b.shape[0], 1)), y.shape),
                    out=out)


def _bias_grad(k, dy):
    return k.reduce("sum", dy, (0,) + tuple(range(2, len(dy.shape))), False)


# ---- Convolution -----------------------------------------------------------------------------
def _conv_params(deconv=False):
    p = {"kernel": Param("shape", doc="kernel size: (w,), (h, w) or (d, h, w)"),
         "stride": Param("shape", (), doc="stride per spatial dim; default 1"),
         "dilate": Param("shape", (), doc="dilation per spatial dim; default 1"),
         "pad": Param("shape", (), doc="zero padding per spatial dim; default 0")}
    if deconv:
        p["adj"] = Param("shape", (), doc="extra output size on the high side (< stride)")
        p["target_shape"] = Param("shape", (), doc="output spatial shape; overrides pad/adj")
    p.update({
        "num_filter": Param("int", doc="number of output channels"),
        "num_group": Param("int", 1, doc="number of channel groups"),
        "workspace": Param("int", 512 if deconv else 1024, doc="ignored (MB of scratch)"),
        "no_bias": Param("bool", deconv, doc="no bias input"),
        "cudnn_tune": Param("str", None, choices=_CUDNN_TUNE, doc="ignored"),
        "cudnn_off": Param("bool", False, doc="ignored"),
        "layout": Param("str", None, choices=_LAYOUTS, doc="only NCW/NCHW/NCDHW here"),
    })
    return p


def _conv_inputs(a):
    return ("data", "weight") if a.no_bias else ("data", "weight", "bias")


def _conv_infer_shape(a, in_shapes):
    op = "Convolution"
    data = in_shapes[0]
    if data is None:
        return in_shapes, [None]
    kernel, stride, dilate, pad = _geometry(op, a, len(data))
    n, c = data[0], data[1]
    _check_groups(op, c, a.num_filter, a.num_group)
    shapes = [data, (a.num_filter, c // a.num_group) + kernel, (a.num_filter,)]
    in_shapes = _fill_shapes(op, _conv_inputs(a), in_shapes, shapes)
    out = (n, a.num_filter) + _conv_out(op, data[2:], kernel, stride, dilate, pad)
    return in_shapes, [out]


def _fused(k, a, kernel, w_shape):
    """Use the backend's optional fused ``conv2d`` kernels (NumPy has them) for 2-D,
    one-group convolutions; otherwise the portable im2col + batched GEMM path."""
    return len(kernel) == 2 and a.num_group == 1 and getattr(k, "conv2d", None) is not None


def _convolution(k, a, x, w, b=None, *, out=None):
    _check_float("Convolution", x, w, b)
    _conv_infer_shape(a, [x.shape, w.shape] + ([] if b is None else [b.shape]))
    kernel, stride, dilate, pad = _geometry("Convolution", a, len(x.shape))
    spatial = _conv_out("Convolution", x.shape[2:], kernel, stride, dilate, pad)
    if _fused(k, a, kernel, w.shape):            # the backend's one-GEMM 2-D kernel
        return k.conv2d(x, w, b, stride, pad, dilate, out=out)
    y = _conv_data(k, x, w, a.num_group, kernel, stride, dilate, pad)
    if b is not None:                            # y is new: add the bias in place
        y = _add_bias(k, y, b, out=y if out is None else k.reshape(out, y.shape))
    if out is None:
        return k.reshape(y, (x.shape[0], a.num_filter) + spatial)
    return out if b is not None else k.deliver(k.reshape(y, out.shape), out)


def _outputs(grads, n):
    """The n outputs of a multi-output F op (a list under mx.nd, a Symbol under mx.sym)."""
    return [grads[i] for i in range(n)]


def _second_order(forward, backward):
    """The gradient of ``backward`` (``_backward_Convolution`` or ``_backward_Deconvolution``),
    i.e. second derivatives through ``forward``.

    The backward op maps ``(dy, x, w)`` to ``(dx, dw[, db])`` where ``dx = A(dy, w)`` and
    ``dw = B(dy, x)`` are *bilinear* and ``db = sum(dy)`` is linear.  So for heads
    ``(gx, gw[, gb])`` each input's gradient is one of the products again:

    * ``d dy = forward(gx, w) + forward(x, gw) + broadcast(gb)``: ``forward(., w)`` is
      the adjoint of ``A(., w)``, and ``forward(x, .)`` the adjoint of ``B(., x)``;
    * ``d x = A(dy, gw)``: the data-gradient of the backward op with weight ``gw``;
    * ``d w = B(dy, gx)``: its weight-gradient with ``gx`` in the place of data.
    """
    def gradient(F, a, xs, ys, dys):
        dy, x, w = xs
        if not a.get("data_grad", True):      # no d_data output, so no gx head
            dys = [None] + list(dys)
        gx, gw = dys[0], dys[1]
        lin = {k: v for k, v in a.items() if k != "data_grad"}
        lin["no_bias"] = True
        fwd, bwd = getattr(F, forward), getattr(F, backward)
        d_dy = fwd(x, gw, **lin)
        if gx is not None:
            d_dy = d_dy + fwd(gx, w, **lin)
        if not a.no_bias:
            bias_shape = (1, -1) + (1,) * len(a.kernel)
            d_dy = d_dy + F.broadcast_like(F.reshape(dys[2], shape=bias_shape), dy)
        d_w = None if gx is None else bwd(dy, gx, w, **lin)[1]
        return [d_dy, bwd(dy, x, gw, **lin)[0], d_w]
    return gradient


def _conv_gradient(F, a, xs, ys, dys):
    # Data off the tape (``_node`` None: a batch of images) needs no gradient: skip the
    # col2im, as MXNet's req='null' does.
    data_grad = getattr(xs[0], "_node", True) is not None
    grads = F._backward_Convolution(dys[0], xs[0], xs[1], data_grad=data_grad, **a)
    if not data_grad:                 # one output (an NDArray) when also no_bias
        return [None] + ([grads] if a.no_bias else _outputs(grads, len(xs) - 1))
    return _outputs(grads, len(xs))


register(
    "Convolution", _convolution, inputs=_conv_inputs, params=_conv_params(),
    infer_shape=_conv_infer_shape, infer_type=uniform_type, gradient=_conv_gradient,
    doc="""Convolution over 1, 2 or 3 spatial dims (NCW, NCHW, NCDHW).

``y[n, f, o] = sum_{c, t} W[f, c, t] * x_pad[n, g(f)*C/g + c, o*stride + t*dilate]
+ b[f]``, where ``t`` runs over the kernel taps and ``g(f)`` is the group of filter
``f``.  Shapes: data (N, C, *in), weight (num_filter, C/num_group, *kernel), bias
(num_filter,), output (N, num_filter, *out) with
``out = (in + 2*pad - dilate*(kernel-1) - 1) // stride + 1``.

Computed as ``im2col`` (columns (N, C*K, L)) followed by one batched matrix product
that yields NCHW directly.  2-D, one group, NumPy backend: the ``conv2d`` kernels,
which split the batch over a thread pool and, for tall columns (C*K >= 2F), use
columns (C*K, N*L) and one GEMM per part.  ``stride``/``dilate`` default to 1 and ``pad`` to 0 per
dim.  ``workspace``, ``cudnn_tune`` and ``cudnn_off`` are accepted and ignored; only
the channel-first layouts are supported (MXNet supports NHWC only on GPU).
Floating-point dtypes only, as in MXNet.""")


def _bwd_conv_outputs(a):
    return (["data_grad"] if a.get("data_grad", True) else []) + ["weight_grad"] + \
        ([] if a.no_bias else ["bias_grad"])


def _bwd_conv_infer_shape(a, in_shapes):
    dy, data, weight = in_shapes
    return in_shapes, ([data] if a.get("data_grad", True) else []) + [weight] + \
        ([] if a.no_bias else [(a.num_filter,)])


def _backward_convolution(k, a, dy, x, w):
    kernel, stride, dilate, pad = _geometry("_backward_Convolution", a, len(x.shape))
    g = a.num_group
    if _fused(k, a, kernel, w.shape):
        dx, dw, db = k.conv2d_backward(dy, x, w, stride, pad, dilate, not a.no_bias,
                                       a.data_grad)
    else:
        dx = (_conv_adjoint(k, dy, w, x.shape, g, kernel, stride, dilate, pad)
              if a.data_grad else None)
        dw = _conv_weight(k, dy, x, w.shape, g, kernel, stride, dilate, pad)
        db = None if a.no_bias else _bias_grad(k, dy)
    return tuple(t for t, want in ((dx, a.data_grad), (dw, True), (db, not a.no_bias))
                 if want)


register(
    "_backward_Convolution", _backward_convolution, inputs=("out_grad", "data", "weight"),
    params=dict(_conv_params(), data_grad=Param(
        "bool", True, doc="compute d_data (False: its input needs no gradient)")),
    outputs=_bwd_conv_outputs, infer_shape=_bwd_conv_infer_shape,
    gradient=_second_order("Convolution", "_backward_Convolution"),
    doc="""Convolution's gradient: ``(d_data, d_weight[, d_bias])`` from ``out_grad``.

``d_data = col2im(W^T @ dy)`` (a Deconvolution of dy), ``d_weight = sum_n dy[n] @
im2col(x)[n]^T``, ``d_bias = dy summed over N and space``; ``data_grad=False`` leaves
out ``d_data``.  Its own gradient (second
derivatives through Convolution) is made of Convolutions and of itself again.""")


# ---- Deconvolution ---------------------------------------------------------------------------
def _deconv_geometry(op, a, data_shape):
    """``(kernel, stride, dilate, pad, adj, out_spatial)``; ``target_shape`` (when any
    entry is non-zero) overrides pad and adj as MXNet's ``InferPad`` does."""
    kernel, stride, dilate, pad = _geometry(op, a, len(data_shape))
    d = len(kernel)
    spatial = data_shape[2:]
    target = tuple(a.target_shape)
    if any(target):
        if len(target) != d:
            raise MXNetError(f"{op}: target_shape={target} must have {d} values")
        pad, adj = [], []
        for s, k, st, dl, t in zip(spatial, kernel, stride, dilate, target):
            total = st * (s - 1) + dl * (k - 1) + 1
            if total < t:
                raise MXNetError(f"{op}: too big target shape {target} for input "
                                 f"{tuple(spatial)} (at most {total} here)")
            total -= t
            adj.append(total % 2)
            pad.append((total + 1) // 2)
        pad, adj = tuple(pad), tuple(adj)
    else:
        adj = tuple(a.adj) or (0,) * d
        if len(adj) != d:
            raise MXNetError(f"{op}: adj={adj} must have {d} values like kernel={kernel}")
    for aj, st in zip(adj, stride):
        if not 0 <= aj < st:
            raise MXNetError(f"{op}: adj={adj} must be smaller than stride={stride}")
    out = tuple(st * (s - 1) + dl * (k - 1) + 1 - 2 * p + aj
                for s, k, st, dl, p, aj in zip(spatial, kernel, stride, dilate, pad, adj))
    if min(out, default=1) < 0:
        raise MXNetError(f"{op}: pad={pad} is too large: the output shape would be {out}")
    return kernel, stride, dilate, pad, adj, out


def _deconv_infer_shape(a, in_shapes):
    op = "Deconvolution"
    data = in_shapes[0]
    if data is None:
        return in_shapes, [None]
    kernel, stride, dilate, pad, adj, out = _deconv_geometry(op, a, data)
    n, c = data[0], data[1]
    _check_groups(op, c, a.num_filter, a.num_group)
    shapes = [data, (c, a.num_filter // a.num_group) + kernel, (a.num_filter,)]
    in_shapes = _fill_shapes(op, _conv_inputs(a), in_shapes, shapes)
    return in_shapes, [(n, a.num_filter) + out]


def _deconvolution(k, a, x, w, b=None):
    _check_float("Deconvolution", x, w, b)
    _deconv_infer_shape(a, [x.shape, w.shape] + ([] if b is None else [b.shape]))
    kernel, stride, dilate, pad, adj, out = _deconv_geometry("Deconvolution", a, x.shape)
    y_shape = (x.shape[0], a.num_filter) + out
    y = _conv_adjoint(k, x, w, y_shape, a.num_group, kernel, stride, dilate, pad)
    if b is not None:
        y = k.reshape(_add_bias(k, k.reshape(y, y_shape[:2] + (_prod(out),)), b), y_shape)
    return y


def _deconv_gradient(F, a, xs, ys, dys):
    return _outputs(F._backward_Deconvolution(dys[0], xs[0], xs[1], **a), len(xs))


register(
    "Deconvolution", _deconvolution, inputs=_conv_inputs, params=_conv_params(deconv=True),
    infer_shape=_deconv_infer_shape, infer_type=uniform_type, gradient=_deconv_gradient,
    doc="""Transposed convolution: the adjoint (gradient w.r.t. its input) of a Convolution.

``y = col2im(W^T @ x) + b``.  Shapes: data (N, C, *in), weight
(C, num_filter/num_group, *kernel), bias (num_filter,), output
(N, num_filter, *out) with ``out = (in-1)*stride - 2*pad + dilate*(kernel-1) + adj + 1``.

``adj`` must be smaller than ``stride``.  When ``target_shape`` has a non-zero entry,
``pad`` and ``adj`` are ignored and computed (MXNet's ``InferPad``):
``total = stride*(in-1) + dilate*(kernel-1) + 1 - target``, ``adj = total % 2``,
``pad = (total + 1) // 2``.  MXNet quirks: **``no_bias`` defaults to True** and
``workspace`` to 512 (Convolution: False and 1024).  Floating-point dtypes only.
(MXNet 1.9.1's CPU build computes *dilated* Deconvolution wrongly in its oneDNN
forward; pymx follows the definition, which MXNet's own backward agrees with.)""")


def _backward_deconvolution(k, a, dy, x, w):
    kernel, stride, dilate, pad, adj, out = _deconv_geometry(
        "_backward_Deconvolution", a, x.shape)
    g = a.num_group
    dx = _conv_data(k, dy, w, g, kernel, stride, dilate, pad)          # (N, C, L_in)
    dx = k.reshape(dx, tuple(x.shape))
    dw = _conv_weight(k, x, dy, w.shape, g, kernel, stride, dilate, pad)
    return (dx, dw) if a.no_bias else (dx, dw, _bias_grad(k, dy))


register(
    "_backward_Deconvolution", _backward_deconvolution,
    inputs=("out_grad", "data", "weight"), params=_conv_params(deconv=True),
    outputs=_bwd_conv_outputs, infer_shape=_bwd_conv_infer_shape,
    gradient=_second_order("Deconvolution", "_backward_Deconvolution"),
    doc="""Deconvolution's gradient ``(d_data, d_weight[, d_bias])``: d_data is a
Convolution of out_grad with the same weight; d_weight swaps the roles of data and
out_grad in Convolution's weight gradient.""")


# ---- im2col and col2im as operators -----------------------------------------------------------
_COL_PARAMS = {
    "kernel": Param("shape", doc="sliding window: (w,), (h, w) or (d, h, w)"),
    "stride": Param("shape", (), doc="default 1 per dim"),
    "dilate": Param("shape", (), doc="default 1 per dim"),
    "pad": Param("shape", (), doc="zero padding on both sides; default 0 per dim"),
}


def _col_geometry(op, a, ndim):
    return _geometry(op, Attrs(a, layout=None), ndim)


def _im2col_shape(a, data):
    kernel, stride, dilate, pad = _col_geometry("im2col", a, len(data))
    out = _conv_out("im2col", data[2:], kernel, stride, dilate, pad)
    return (data[0], data[1] * _prod(kernel), _prod(out))


def _im2col(k, a, x):
    _im2col_shape(a, x.shape)
    kernel, stride, dilate, pad = _col_geometry("im2col", a, len(x.shape))
    return k.im2col(x, kernel, stride, pad, dilate)


def _col2im_shape(a, data):
    op = "col2im"
    size = tuple(a.output_size)
    kernel, stride, dilate, pad = _col_geometry(op, a, len(size) + 2)
    out = _conv_out(op, size, kernel, stride, dilate, pad)
    if len(data) != 3 or data[1] % _prod(kernel) or data[2] != _prod(out):
        raise MXNetError(f"{op}: data must be (N, C*{_prod(kernel)}, {_prod(out)}) for "
                         f"output_size={size}, kernel={kernel}, stride={stride}, "
                         f"dilate={dilate}, pad={pad}; got {tuple(data)}")
    return (data[0], data[1] // _prod(kernel)) + size


def _col2im(k, a, cols):
    shape = _col2im_shape(a, cols.shape)
    kernel, stride, dilate, pad = _col_geometry("col2im", a, len(shape))
    return k.col2im(cols, shape, kernel, stride, pad, dilate)


def _col_attrs(a):
    return {key: a[key] for key in _COL_PARAMS}


register("im2col", _im2col, params=_COL_PARAMS, shape=_im2col_shape,
         gradient=lambda F, a, xs, ys, dys: [F._backward_im2col(dys[0], xs[0], **a)],
         doc="""Unfold every sliding window of ``data`` into a column.

Shapes: data (N, C, *spatial) with 1-3 spatial dims; the output is (N, C*K, L) with
``K = prod(kernel)`` and ``L = prod(out)``, ``out[i] = (spatial[i] + 2 pad[i] -
dilate[i] (kernel[i] - 1) - 1) // stride[i] + 1``.  Row ``c*K + t`` holds channel c at
kernel tap t (row-major over the window), column l the window at output position l; the
padding reads as 0.  A convolution is then ``weight.reshape(F, C*K) @ cols[n]``.  The
gradient is ``col2im`` of ``dy`` (overlapping windows add up).""")


def _backward_im2col(k, a, dy, x):
    kernel, stride, dilate, pad = _col_geometry("im2col", a, len(x.shape))
    return k.col2im(dy, tuple(x.shape), kernel, stride, pad, dilate)


register("_backward_im2col", _backward_im2col, inputs=("out_grad", "data"),
         params=_COL_PARAMS, infer_shape=lambda a, s: (s, [s[1]]),
         gradient=lambda F, a, xs, ys, dys: [F.im2col(dys[0], **a), None],
         doc="""im2col's gradient: ``col2im`` of ``out_grad`` into the shape of ``data``
(read for its shape only).  Linear in out_grad; its gradient is ``im2col``.""")

register("col2im", _col2im, params=dict(_COL_PARAMS, output_size=Param(
             "shape", doc="spatial shape of the image: (w,), (h, w) or (d, h, w)")),
         shape=_col2im_shape,
         gradient=lambda F, a, xs, ys, dys: [F.im2col(dys[0], **_col_attrs(a))],
         doc="""The adjoint of ``im2col``: sum columns back into an image.

Shapes: data (N, C*K, L) -> (N, C, *output_size), with ``K = prod(kernel)`` and ``L``
the number of windows that fit ``output_size`` (see ``im2col``).  Every column entry is
added to the pixel it was read from, so ``col2im(im2col(x))`` is ``x`` times the number
of windows covering each pixel (not ``x``).  The gradient is ``im2col`` of ``dy``.""")
