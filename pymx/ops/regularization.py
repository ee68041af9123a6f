"""``IdentityAttachKLSparseReg``: an identity layer whose *gradient* adds a sparsity
penalty (the KL-divergence regulariser of sparse autoencoders).

The forward pass returns its input.  A running average ``rho_hat`` of each unit's mean
activation is kept as an auxiliary state, and the backward pass adds the derivative of
``penalty * KL(rho || rho_hat)`` with respect to the activation::

    dx = dy + penalty * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))

The penalty term is not the derivative of the forward (the identity): it is how the
layer pushes activations toward the target ``rho`` (``sparseness_target``).
"""
from ..base import FLAGS, MXNetError
from .registry import Param, register


def _check_kl(x, avg):
    if len(x.shape) != 2 or tuple(avg.shape) != (x.shape[1],):
        raise MXNetError(f"IdentityAttachKLSparseReg: data must be 2-D (N, C) with "
                         f"moving_avg (C,), got data {tuple(x.shape)} and moving_avg "
                         f"{tuple(avg.shape)}")


def _kl_forward(k, a, x, avg):
    """Identity; in training also ``moving_avg = momentum * moving_avg + (1 - momentum)
    * mean(data, axis=0)``, in place (MXNet does this in the backward pass)."""
    _check_kl(x, avg)
    if FLAGS.training:
        mean = k.binary("divide", k.reduce("sum", x, (0,), False), max(x.shape[0], 1))
        k.setitem(avg, Ellipsis, k.binary("add", k.binary("multiply", avg, a.momentum),
                                          k.binary("multiply", mean, 1 - a.momentum)))
    return k.copy(x)


def _kl_gradient(F, a, xs, ys, dys):
    rho, avg = a.sparseness_target, xs[1]
    penalty = (-rho / avg + (1 - rho) / (1 - avg)) * a.penalty
    return [F.broadcast_add(dys[0], F.expand_dims(penalty, axis=0)), None]


register("IdentityAttachKLSparseReg", _kl_forward, inputs=("data", "moving_avg"),
         aux=("moving_avg",),
         params={"sparseness_target": Param("float", 0.1, doc="the target rho"),
                 "penalty": Param("float", 0.001, doc="weight of the KL penalty"),
                 "momentum": Param("float", 0.9, doc="momentum of the running average")},
         infer_shape=lambda a, s: ([s[0], s[1] if s[1] is not None or s[0] is None
                                   else (s[0][1],)], [s[0]]),
         gradient=_kl_gradient,
         doc="""Identity forward; the backward adds a KL sparsity penalty (see the module
docstring).  Shapes: data (N, C), auxiliary state moving_avg (C,).  In training,
``moving_avg`` becomes ``momentum * moving_avg + (1 - momentum) * mean(data, axis=0)``
and the gradient uses the updated value.  Difference from MXNet: pymx updates
moving_avg in the training forward pass, MXNet in the backward pass (the same values
when every forward is followed by a backward).""")
