"""``_contrib_SyncBatchNorm`` (``mx.nd.contrib.SyncBatchNorm``): batch normalization
whose batch statistics are shared by ``ndev`` devices.

MXNet's kernel computes, per channel ``c`` (axis 1, always), ``E[x]`` and ``E[x^2]``
on each device, averages them over the ``ndev`` devices that registered under the
same ``key`` (a barrier), then::

    mean = E[x]       var = E[x^2] - mean^2          (biased, over N and the spatial axes)
    out  = gamma * (x - mean) / sqrt(var + eps) + beta

and the backward shares ``sum(dy)`` and ``sum(dy * (x - mean))`` the same way.  pymx
runs one device per process, so the shared statistics are this device's: the op is
``BatchNorm(axis=1)`` with one difference in its outputs: the third output is the
batch **variance** (``BatchNorm``'s CPU kernel gives the inverse std there).

Shapes: ``data`` (N, C, ...) with at least 2 dims; ``gamma``, ``beta``,
``moving_mean``, ``moving_var`` (C,).  Outputs ``(output, mean, var)``, only
``output`` visible unless ``output_mean_var``.  Outside training (or with
``use_global_stats``) ``mean``/``var`` are the running statistics.

The gradient is ``_backward_BatchNorm`` (axis 1) fed with ``1/sqrt(var + eps)``, which
also moves the running statistics, in the backward pass as MXNet's SyncBatchNorm does.
``fix_gamma`` ignores ``gamma`` without overwriting it (MXNet's kernel writes ones
into it).
"""
from ..base import MXNetError
from .normalization import (_BN_PARAMS, _bn_infer_type, _three, accumulation_type,
                            batch_norm_core)
from .registry import Param, REQUIRED, register

_OP = "SyncBatchNorm"


def _channels(x_shape):
    if len(x_shape) < 2:
        raise MXNetError(f"{_OP}: data must have at least 2 dimensions (N, C, ...), "
                         f"got shape {tuple(x_shape)}")
    return x_shape[1]


def _sync_batch_norm(k, a, x, gamma, beta, moving_mean, moving_var):
    _channels(x.shape)
    y, mean, var, _ = batch_norm_core(k, _OP, a, 1, x, gamma, beta, moving_mean,
                                      moving_var)
    acc = accumulation_type(x)
    return y, k.astype(mean, acc), k.astype(var, acc)


def _infer_shape(a, in_shapes):
    data = in_shapes[0]
    if data is None:
        return in_shapes, [None, None, None]
    c = _channels(data)
    return [data] + [(c,)] * 4, [data, (c,), (c,)]


def _gradient(F, a, xs, ys, dys):
    invstd = F.rsqrt(ys[2] + a.eps)
    grads = F._backward_BatchNorm(dys[0], xs[0], xs[1], ys[1], invstd, xs[3], xs[4], axis=1,
                                  eps=a.eps, momentum=a.momentum, fix_gamma=a.fix_gamma,
                                  use_global_stats=a.use_global_stats)
    return _three(grads) + [None, None]


_PARAMS = {k: _BN_PARAMS[k] for k in ("eps", "momentum", "fix_gamma", "use_global_stats",
                                      "output_mean_var")}
_PARAMS["ndev"] = Param("int", 1, doc="number of devices sharing the statistics")
_PARAMS["key"] = Param("str", REQUIRED, doc="the name shared by those devices' layers")

register(
    "_contrib_SyncBatchNorm", _sync_batch_norm,
    inputs=("data", "gamma", "beta", "moving_mean", "moving_var"),
    aux=("moving_mean", "moving_var"), params=_PARAMS,
    outputs=("output", "mean", "var"),
    num_visible_outputs=lambda a: 3 if a.output_mean_var else 1,
    infer_shape=_infer_shape, infer_type=_bn_infer_type, gradient=_gradient,
    doc=__doc__)
