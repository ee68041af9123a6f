"""Activation functions: ``Activation`` (relu, sigmoid, tanh, softrelu, softsign) and
``LeakyReLU`` (leaky, prelu, rrelu, elu, selu, gelu).

Gradient rules are compositions of ``F`` ops (``x`` input, ``y`` output, ``dy`` head
gradient), so they differentiate again; masks such as ``x > 0`` are 0/1 arrays.
PReLU's gradient for ``gamma`` needs a reduction to gamma's shape, which is done by the
kernel op ``_backward_LeakyReLU``.
"""
import math

from ..base import FLAGS, MXNetError
from .dropout import host_rng
from .registry import Param, register

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


def _check_float(op, x):
    if x.dtype.kind != "f":
        raise MXNetError(f"{op}: data must be a floating point array, got {x.dtype.name}")


def _positive(k, x):
    """1 where x > 0, else 0 (x's dtype)."""
    return k.binary("greater", x, 0)


def _where_pos(k, x, neg):
    """``x`` where x > 0, else ``neg``."""
    return k.where(_positive(k, x), x, neg)


# ---- Activation ------------------------------------------------------------------------------
def _softrelu(k, x):
    # log(1 + e^x), and x itself above 20 (MXNet's threshold; also avoids overflow)
    soft = k.unary("log1p", k.unary("exp", k.clip(x, None, 20.0)))
    return k.where(k.binary("greater", x, 20.0), x, soft)


_ACT_FORWARD = {
    "relu": lambda k, x: k.unary("relu", x),
    "sigmoid": lambda k, x: k.unary("sigmoid", x),
    "tanh": lambda k, x: k.unary("tanh", x),
    "softrelu": _softrelu,
    "softsign": lambda k, x: k.binary("divide", x, k.binary("add", k.unary("abs", x), 1)),
}
_ACT_GRAD = {
    "relu": lambda F, x, y, dy: dy * (y > 0),
    "sigmoid": lambda F, x, y, dy: dy * y * (1 - y),
    "tanh": lambda F, x, y, dy: dy * (1 - F.square(y)),
    "softrelu": lambda F, x, y, dy: dy * F.sigmoid(x),
    "softsign": lambda F, x, y, dy: dy / F.square(F.abs(x) + 1),
}


def _activation(k, a, x, *, out=None):
    _check_float("Activation", x)
    if a.act_type in ("relu", "sigmoid", "tanh"):      # one kernel each: write into out
        return k.unary(a.act_type, x, out=out)
    return k.deliver(_ACT_FORWARD[a.act_type](k, x), out)


register(
    "Activation", _activation,
    params={"act_type": Param("str", choices=tuple(sorted(_ACT_FORWARD)))},
    gradient=lambda F, a, xs, ys, dys: [_ACT_GRAD[a.act_type](F, xs[0], ys[0], dys[0])],
    inplace=[(0, 0)],
    doc=r"""Elementwise activation ``act_type`` (required):

* ``relu``: ``max(x, 0)``
* ``sigmoid``: ``1 / (1 + exp(-x))``
* ``tanh``: ``tanh(x)``
* ``softrelu``: ``log(1 + exp(x))`` (softplus; ``x`` itself for ``x > 20``)
* ``softsign``: ``x / (1 + |x|)``

Same shape as ``data``; floating point dtypes only.""")


# ---- LeakyReLU ----------------------------------------------------------------------------
def _prelu_gamma_shape(x_shape, g_shape):
    """MXNet's ``expand_shape``: gamma (G,) lines up with axis 1 (axis 0 for 1-D data),
    where G is that axis's size or 1."""
    if len(g_shape) != 1:
        raise MXNetError(f"LeakyReLU: gamma must be 1-D, got shape {tuple(g_shape)}")
    axis = 1 if len(x_shape) > 1 else 0
    g = g_shape[0]
    if g not in (1, x_shape[axis]):
        raise MXNetError(f"LeakyReLU: cannot broadcast gamma {tuple(g_shape)} to data "
                         f"{tuple(x_shape)} (gamma needs size 1 or data.shape[{axis}])")
    return tuple(g if i == axis else 1 for i in range(len(x_shape)))


def _leaky_relu(k, a, x, gamma=None):
    _check_float("LeakyReLU", x)
    act = a.act_type
    if act == "leaky":
        return _where_pos(k, x, k.binary("multiply", x, a.slope))
    if act == "prelu":
        if gamma.dtype != x.dtype:                          # no type promotion
            raise MXNetError(f"LeakyReLU: gamma must have data's dtype {x.dtype.name}, "
                             f"got {gamma.dtype.name}")
        g = k.reshape(gamma, _prelu_gamma_shape(x.shape, gamma.shape))
        return _where_pos(k, x, k.binary("multiply", x, k.broadcast_to(g, x.shape)))
    if act == "rrelu":
        if FLAGS.training:
            draw = host_rng().uniform(a.lower_bound, a.upper_bound, tuple(x.shape))
            mask = k.from_numpy(draw.astype(x.dtype))
        else:
            mask = k.full(x.shape, (a.lower_bound + a.upper_bound) / 2, x.dtype)
        return _where_pos(k, x, k.binary("multiply", x, mask)), mask
    if act == "elu":
        neg = k.binary("multiply", k.unary("expm1", k.clip(x, None, 0.0)), a.slope)
        return _where_pos(k, x, neg)
    if act == "selu":
        neg = k.binary("multiply", k.unary("expm1", k.clip(x, None, 0.0)), SELU_ALPHA)
        return k.binary("multiply", _where_pos(k, x, neg), SELU_LAMBDA)
    # gelu, the erf form: x * Phi(x)
    phi = k.binary("multiply", k.binary("add", k.unary(
        "erf", k.binary("multiply", x, 1 / math.sqrt(2))), 1), 0.5)
    return k.binary("multiply", x, phi)


def _leaky_gradient(F, a, xs, ys, dys):
    x, y, dy = xs[0], ys[0], dys[0]
    act = a.act_type
    pos = x > 0
    if act == "leaky":
        return [dy * (pos * (1 - a.slope) + a.slope)]
    if act == "prelu":
        grads = F._backward_LeakyReLU(dy, x, xs[1], act_type="prelu")
        return [grads[0], grads[1]]
    if act == "rrelu":
        return [dy * (pos + (1 - pos) * ys[1])]
    if act == "elu":              # slope * e^x below 0 (clipped so e^x cannot overflow)
        return [dy * (pos + (1 - pos) * F.exp(F._minimum_scalar(x, scalar=0.0)) * a.slope)]
    if act == "selu":
        neg = F.exp(F._minimum_scalar(x, scalar=0.0)) * SELU_ALPHA
        return [dy * (pos + (1 - pos) * neg) * SELU_LAMBDA]
    # gelu: d/dx x Phi(x) = Phi(x) + x phi(x)
    cdf = (F.erf(x * (1 / math.sqrt(2))) + 1) * 0.5
    pdf = F.exp(F.square(x) * -0.5) * (1 / math.sqrt(2 * math.pi))
    return [dy * (cdf + x * pdf)]


def _prelu_backward(k, a, dy, x, gamma):
    gshape = _prelu_gamma_shape(x.shape, gamma.shape)
    g = k.broadcast_to(k.reshape(gamma, gshape), x.shape)
    pos = _positive(k, x)
    dx = k.binary("multiply", dy, k.where(pos, k.full(x.shape, 1, x.dtype), g))
    contrib = k.where(pos, k.full(x.shape, 0, x.dtype), k.binary("multiply", dy, x))
    axes = tuple(i for i, d in enumerate(gshape) if d == 1)
    dgamma = k.reshape(k.reduce("sum", contrib, axes, False) if axes else contrib,
                       gamma.shape)
    return dx, dgamma


def _leaky_infer_shape(a, in_shapes):
    data = in_shapes[0]
    n_out = 2 if a.act_type == "rrelu" else 1
    if data is None:
        return in_shapes, [None] * n_out
    if a.act_type == "prelu":
        gamma = in_shapes[1] if in_shapes[1] is not None else (data[1] if len(data) > 1
                                                                 else data[0],)
        return [data, gamma], [data]
    return [data], [data] * n_out


_LEAKY_PARAMS = {
    "act_type": Param("str", "leaky", choices=("elu", "gelu", "leaky", "prelu", "rrelu",
                                               "selu")),
    "slope": Param("float", 0.25), "lower_bound": Param("float", 0.125),
    "upper_bound": Param("float", 0.334),
}

register(
    "LeakyReLU", _leaky_relu,
    inputs=lambda a: ("data", "gamma") if a.act_type == "prelu" else ("data",),
    outputs=lambda a: ("output", "mask") if a.act_type == "rrelu" else ("output",),
    params=_LEAKY_PARAMS, infer_shape=_leaky_infer_shape, gradient=_leaky_gradient,
    doc=r"""Leaky rectified linear units and relatives, chosen by ``act_type``:

* ``leaky`` (default): ``x if x > 0 else slope * x``
* ``prelu``: ``x if x > 0 else gamma * x``, with a learned ``gamma`` input of shape
  (C,) or (1,) lined up with axis 1 (the only act_type that takes ``gamma``)
* ``rrelu``: ``x if x > 0 else r * x``; in training ``r ~ U(lower_bound,
  upper_bound)`` per element (from pymx's host generator), in inference ``r =
  (lower_bound + upper_bound) / 2``.  It has **two visible outputs** ``(output,
  mask)`` (MXNet 1.9.1 shows the mask ``r`` too).
* ``elu``: ``x if x > 0 else slope * (exp(x) - 1)``
* ``selu``: ``lambda * (x if x > 0 else alpha * (exp(x) - 1))``, alpha = 1.6733,
  lambda = 1.0507
* ``gelu``: ``x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))`` (the erf form, not tanh)

Gradients are the true derivatives.  Difference from MXNet 1.9.1: its ``selu``
gradient below zero is ``lambda * (alpha + out)`` (a bug; the derivative is
``out + lambda * alpha``); pymx returns the derivative.""")

def _gamma_to_data(F, g, x):
    """A gamma-shaped ``g`` broadcast like gamma in PReLU: ``prelu(-1, g) = -g``."""
    return -F.LeakyReLU(-F.ones_like(x), g, act_type="prelu")


def _data_to_gamma(F, v, x, gamma):
    """The adjoint: ``v`` summed to gamma's shape, by the backward op's gamma gradient
    (``sum(ograd * data)`` over ``data <= 0``) with data = -1."""
    return -F._backward_LeakyReLU(v, -F.ones_like(x), gamma, act_type="prelu")[1]


def _prelu_backward_gradient(F, a, xs, ys, dys):
    """``dx = dy * (1 if x > 0 else gamma)`` and ``dgamma = sum(dy * x over x <= 0)`` are
    linear in dy; dx is linear in gamma and dgamma in x (the masks are constant almost
    everywhere).  With heads ``(gx, gg)``:
    ``d dy = gx * (1 or gamma) + x * gg``, ``d x = dy * gg``, ``d gamma = sum(gx * dy)``,
    the last two over ``x <= 0`` only."""
    dy, x, gamma = xs
    gx, gg = dys
    neg = x <= 0
    gg_b = _gamma_to_data(F, gg, x)
    d_dy = F._backward_LeakyReLU(gx, x, gamma, act_type="prelu")[0] + neg * x * gg_b
    return [d_dy, neg * dy * gg_b, _data_to_gamma(F, neg * dy * gx, x, gamma)]


register(
    "_backward_LeakyReLU", _prelu_backward, inputs=("ograd", "data", "gamma"),
    params=_LEAKY_PARAMS, outputs=("data_grad", "gamma_grad"),
    gradient=_prelu_backward_gradient,
    infer_shape=lambda a, s: (s, [s[1], s[2]]),
    doc="PReLU's backward: ``dx = dy * (1 if x > 0 else gamma)``, ``dgamma = sum(dy * x "
        "where x <= 0)`` reduced to gamma's shape.")
