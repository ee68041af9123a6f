"""``FullyConnected`` (the dense layer) and its backward op.

``y = x W^T + b``: one matrix product.  With ``flatten=True`` (the default) all axes
after the first are collapsed first, so (N, C, H, W) data meets a weight of shape
(num_hidden, C*H*W); with ``flatten=False`` the product acts on the last axis only and
the leading axes are kept.  The weight's and bias's shapes follow from the data's, and
``infer_shape`` says so: that is how Gluon's deferred initialisation learns them.
"""
import math

from ..base import MXNetError
from .registry import Param, register, uniform_type


def _inputs(a):
    return ("data", "weight") if a.no_bias else ("data", "weight", "bias")


def _rows_cols(a, shape):
    """(rows, in_features) of the 2-D matrix the data is viewed as."""
    if len(shape) == 2:
        return shape
    if a.flatten:
        return shape[0], int(math.prod(shape[1:]))
    return int(math.prod(shape[:-1])), shape[-1]


def _out_shape(a, shape):
    return (shape[0], a.num_hidden) if a.flatten else tuple(shape[:-1]) + (a.num_hidden,)


def _infer_shape(a, in_shapes):
    data = in_shapes[0]
    if data is None:
        return in_shapes, [None]
    if len(data) == 0:
        raise MXNetError("FullyConnected: data must have at least one dim, got shape ()")
    _, num_input = _rows_cols(a, data)
    wanted = [tuple(data), (a.num_hidden, num_input), (a.num_hidden,)]
    out = list(in_shapes)
    for i, name in enumerate(_inputs(a)):
        if out[i] is not None and tuple(out[i]) != wanted[i]:
            raise MXNetError(f"FullyConnected: Shape inconsistent for {name!r}: provided "
                             f"{tuple(out[i])}, inferred {wanted[i]} from data {tuple(data)} "
                             f"(num_hidden={a.num_hidden}, flatten={a.flatten})")
        out[i] = wanted[i]
    return out, [_out_shape(a, data)]


def _check_dtypes(x, w, b):
    """MXNet 1.9.1 never promotes: data, weight and bias share one dtype (float64
    data into a float32 layer is an error), and that dtype is a float one."""
    if w.dtype != x.dtype or (b is not None and b.dtype != x.dtype):
        names = ("data", "weight", "bias") if b is not None else ("data", "weight")
        got = ", ".join(f"{n}={v.dtype.name}" for n, v in zip(names, (x, w, b)))
        raise MXNetError(f"FullyConnected: data, weight and bias must have one dtype, "
                         f"got {got}")
    if x.dtype.kind != "f":
        raise MXNetError(f"FullyConnected: only floating point dtypes are supported, "
                         f"got {x.dtype.name}")


def _forward(k, a, x, w, b=None, *, out=None):
    if x.dtype != w.dtype or x.dtype.kind != "f" or (b is not None and b.dtype != x.dtype):
        _check_dtypes(x, w, b)                                   # raises the error
    if not x.shape:
        _infer_shape(a, [x.shape, w.shape])                      # raises the error
    rows, cols = _rows_cols(a, x.shape)
    if tuple(w.shape) != (a.num_hidden, cols) or (
            b is not None and tuple(b.shape) != (a.num_hidden,)):   # raises the error
        _infer_shape(a, [x.shape, w.shape] + ([] if b is None else [b.shape]))
    y = None if out is None else k.reshape(out, (rows, a.num_hidden))
    y = k.matmul(k.reshape(x, (rows, cols)), w, transpose_b=True, out=y)
    if b is not None:                 # y is ours (new, or out): add the bias in place
        y = k.binary("add", y, k.broadcast_to(k.reshape(b, (1, a.num_hidden)), y.shape),
                     out=y)
    return out if out is not None else k.reshape(y, _out_shape(a, x.shape))


def _gradient(F, a, xs, ys, dys):
    # An input the tape does not track (``_node`` None: the batch of data, typically)
    # needs no gradient, so skip its ``dy W`` product, as MXNet's req='null' does.
    # (Symbols have no ``_node``: the executor always asks for every gradient.)
    data_grad = getattr(xs[0], "_node", True) is not None
    grads = F._backward_FullyConnected(dys[0], xs[0], xs[1], data_grad=data_grad, **a)
    if not data_grad:                 # one output (an NDArray) when also no_bias
        return [None] + ([grads] if a.no_bias else list(grads))
    return [grads[i] for i in range(len(xs))]      # works for a list and a Symbol


_PARAMS = {"num_hidden": Param("int", doc="number of output features"),
           "no_bias": Param("bool", False, doc="no bias input"),
           "flatten": Param("bool", True, doc="collapse all axes after the first")}

register(
    "FullyConnected", _forward, inputs=_inputs, params=_PARAMS,
    infer_shape=_infer_shape, infer_type=uniform_type, gradient=_gradient,
    doc="""Dense layer: ``y = x W^T + b``.

Shapes with ``flatten=True``: data (N, d1, ..., dk) is viewed as (N, d1*...*dk),
weight (num_hidden, d1*...*dk), bias (num_hidden,), output (N, num_hidden).  With
``flatten=False``: data (..., in), weight (num_hidden, in), output (..., num_hidden).
MXNet quirk: 1-D data (N,) with flatten=True is treated as (N, 1).
Dtypes: data, weight and bias must share one floating point dtype (MXNet 1.x does not
promote: a float32 ``Dense`` layer refuses float64 data until ``net.cast('float64')``).""")


def _bwd_outputs(a):
    return (["data_grad"] if a.data_grad else []) + ["weight_grad"] + \
        ([] if a.no_bias else ["bias_grad"])


def _bwd_infer_shape(a, in_shapes):
    dy, data, weight = in_shapes
    return in_shapes, ([data] if a.data_grad else []) + [weight] + \
        ([] if a.no_bias else [(a.num_hidden,)])


def _backward(k, a, dy, x, w):
    rows, cols = _rows_cols(a, x.shape)
    dy2 = k.reshape(dy, (rows, a.num_hidden))
    grads = []
    if a.data_grad:
        grads.append(k.reshape(k.matmul(dy2, w), tuple(x.shape)))          # dy W
    grads.append(k.matmul(dy2, k.reshape(x, (rows, cols)), transpose_a=True))  # dy^T x
    if not a.no_bias:
        grads.append(k.reduce("sum", dy2, (0,), False))
    return tuple(grads)


def _backward_gradient(F, a, xs, ys, dys):
    """The backward is bilinear: ``dx = dy W``, ``dW = dy^T x``, ``db = rowsum(dy)``.
    With head gradients (ddx, ddW, ddb) for those outputs:
    ``d dy = ddx W^T + x ddW^T + ddb`` (two FullyConnected calls), ``d x = dy ddW``
    and ``d W = dy^T ddx``."""
    dy, x, w = xs
    fc = {k: v for k, v in a.items() if k != "data_grad"}
    nb = dict(fc, no_bias=True)
    if not a.data_grad:                       # no d_data output, so no ddx term
        dys = [None] + list(dys)
    ddx, ddw = dys[0], dys[1]
    d_dy = F.FullyConnected(x, ddw, *dys[2:], **fc)
    d_x = F._backward_FullyConnected(dy, x, ddw, **nb)[0]
    d_w = None
    if ddx is not None:
        d_dy = d_dy + F.FullyConnected(ddx, w, **nb)
        d_w = F._backward_FullyConnected(dy, ddx, w, **nb)[1]
    return [d_dy, d_x, d_w]


register(
    "_backward_FullyConnected", _backward, inputs=("out_grad", "data", "weight"),
    params=dict(_PARAMS, data_grad=Param("bool", True, doc="compute d_data (pymx: "
                                         "False when data needs no gradient)")),
    outputs=_bwd_outputs, infer_shape=_bwd_infer_shape, gradient=_backward_gradient,
    doc="""FullyConnected's gradient: ``d_data = dy W``, ``d_weight = dy^T x``,
``d_bias = sum of dy over rows`` (x and dy viewed as 2-D matrices).  Outputs
``(data_grad, weight_grad, bias_grad)``; ``data_grad`` is left out when
``data_grad=False`` and ``bias_grad`` when ``no_bias``.  Differentiable again (the
second derivative of a dense network goes through it).""")
