"""Normalization layers: ``BatchNorm``, ``LayerNorm``, ``InstanceNorm``, ``GroupNorm``,
``L2Normalization`` and ``LRN``, each with its ``_backward_*`` op.

All of them share one piece of math.  Normalize ``x`` over some axes ``R`` (``m`` =
the number of elements reduced) with ``mean`` and ``invstd = 1/sqrt(var + eps)``::

    xhat = (x - mean) * invstd            y = gamma * xhat + beta

and the gradient, with ``w = dy * gamma``, is::

    dx     = invstd * (w - mean_R(w) - xhat * mean_R(w * xhat))
    dgamma = sum(dy * xhat)      dbeta = sum(dy)     (over every axis but gamma's)

(``_norm_dx`` below).  The forward passes and these backward ops are written in
backend kernels; the gradient rules only call the ``_backward_*`` op.  The backward
ops' own gradients (second derivatives) are F-op compositions: ``_Groups`` and
``_norm_backward_gradient`` for the four mean/variance norms, ``_l2_backward_gradient``
for L2Normalization, ``_lrn_backward_gradient`` for LRN.
"""
from ..base import FLAGS, MXNetError
from .registry import DtypeConflict, Param, register, uniform_type
from .util import broadcast_shape, fused, normalize_axis


# ---- kernel helpers ------------------------------------------------------------------------
def _check_float(op, x, *params):
    if x.dtype.kind != "f":
        raise MXNetError(f"{op}: data must be a floating point array, got {x.dtype.name}")
    for p in params:                     # gamma, beta: data's dtype (no type promotion)
        if p.dtype != x.dtype:
            raise MXNetError(f"{op}: gamma and beta must have data's dtype "
                             f"{x.dtype.name}, got {p.dtype.name}")


def _bc(k, v, shape):
    """Broadcast ``v`` (keepdims-shaped) to ``shape``."""
    return v if tuple(v.shape) == tuple(shape) else k.broadcast_to(v, shape)


def _mul(k, a, b):
    shape = broadcast_shape("mul", a.shape, b.shape)
    return k.binary("multiply", _bc(k, a, shape), _bc(k, b, shape))


def _sub(k, a, b):
    return k.binary("subtract", a, _bc(k, b, a.shape))


def _add(k, a, b):
    return k.binary("add", a, _bc(k, b, a.shape))


def _mean(k, x, axes):
    """Mean over ``axes`` with keepdims (0 elements give NaN, as NumPy)."""
    m = 1
    for ax in axes:
        m *= x.shape[ax]
    return k.binary("divide", k.reduce("sum", x, axes, True), float(m) if m else float("nan"))


def _moments(k, x, axes, eps):
    """``mean`` and ``invstd = 1/sqrt(biased var + eps)``, both keepdims."""
    mean = _mean(k, x, axes)
    centered = _sub(k, x, mean)
    var = _mean(k, k.unary("square", centered), axes)
    invstd = k.unary("reciprocal", k.unary("sqrt", k.binary("add", var, eps)))
    return mean, var, invstd


def _norm_dx(k, w, xhat, invstd, axes):
    """``invstd * (w - mean(w) - xhat * mean(w * xhat))`` with means over ``axes``."""
    # BEGIN EXERCISE batchnorm_backward
    t = _sub(k, w, _mean(k, w, axes))
    t = k.binary("subtract", t, _mul(k, xhat, _mean(k, k.binary("multiply", w, xhat), axes)))
    return _mul(k, t, invstd)
    # END EXERCISE batchnorm_backward


def _param_shape(ndim, axis, size):
    """(1, .., size, .., 1): a per-channel vector shaped to broadcast along ``axis``."""
    return tuple(size if i == axis else 1 for i in range(ndim))


def _check_param(op, name, p, size):
    if tuple(p.shape) != (size,):
        raise MXNetError(f"{op}: {name} must have shape ({size},), got {tuple(p.shape)}")


def _three(grads):
    """The three outputs of a ``_backward_*`` op (an NDArray list or a Symbol group)."""
    return [grads[0], grads[1], grads[2]]


# ---- second derivatives (F ops) -----------------------------------------------------------
class _Groups:
    """How a normalization sees its data, written with ``F`` ops (no shapes): ``x`` and
    every full-shaped array are reshaped by ``view`` (GroupNorm: to (N, G, rest)) and
    back by ``unview``; ``mean(v)`` averages over each normalized group, broadcast back;
    ``chan(p)`` broadcasts a per-channel (gamma-shaped) vector; ``chan_sum(v)`` sums to
    gamma's shape; ``s`` is ``invstd`` and ``xhat`` the normalized data, full-shaped.

    The batch statistics are recomputed from ``x`` with F ops (not taken from the
    backward op's mean/std inputs), so their dependence on x stays differentiable;
    only constant statistics (BatchNorm's running ones) are passed in."""

    def __init__(self, F, x, axes, exclude, chan_axis, eps, view=None, stats=None):
        self.F, self._axes, self._exclude, self._chan = F, axes, exclude, chan_axis
        self.view = view or (lambda v: v)
        self.unview = (lambda v: F.reshape_like(v, x)) if view else (lambda v: v)
        self.x = xv = self.view(x)
        self.chan_shape = F.sum(xv, axis=chan_axis, exclude=True, keepdims=True)
        self.batch_stats = stats is None
        if stats is None:
            centered = xv - self.mean(xv)
            self.s = F.rsqrt(self.mean(F.square(centered)) + eps)
            self.xhat = centered * self.s
        else:
            mean, invstd = stats
            self.s = self.chan(invstd)
            self.xhat = (xv - self.chan(mean)) * self.s

    def mean(self, v):
        F = self.F
        return F.broadcast_like(F.mean(v, axis=self._axes, exclude=self._exclude,
                                       keepdims=True), v)

    def chan(self, p):
        return self.F.broadcast_like(self.F.reshape_like(p, self.chan_shape), self.x)

    def chan_sum(self, v):
        return self.F.sum(v, axis=self._chan, exclude=True)

    def norm_dx(self, v):
        """``s * (v - mean(v) - xhat * mean(v * xhat))``: dx for ``w = v`` (self-adjoint)."""
        return self.s * (v - self.mean(v) - self.xhat * self.mean(v * self.xhat))


def _norm_backward_gradient(F, grp, dy, gamma, dx, dys):
    """The gradient of ``(dx, dgamma, dbeta) = (N(gamma dy), sum(dy xhat), sum(dy))``,
    ``N = grp.norm_dx``, for heads ``(gx, gg, gb)``, with mean and invstd functions of
    x (the batch statistics).  Derivation, per group with
    ``w = gamma dy``, ``dx = s (w - mean(w) - xhat B)``, ``B = mean(w xhat)``:

    * ``d dy = gamma N(gx) + gg xhat + gb`` (N is self-adjoint);
    * ``d gamma = sum(dy N(gx))``;
    * ``d x``: x moves ``xhat`` by ``N(dx)`` and ``s`` by ``-s^2 mean(xhat dx)``, so
      ``d x = N(u) - s xhat mean(gx dx)`` with
      ``u = gg dy - s (B gx + mean(gx xhat) w)``.

    With constant statistics (BatchNorm in inference) ``N`` is just ``* s`` and
    ``d x = s gg dy``.
    Returns ``[d dy, d x, d gamma]`` in the view's shape (unview them)."""
    dy, gx, dx = grp.view(dy), grp.view(dys[0]), grp.view(dx)
    w = grp.chan(gamma) * dy
    gg, gb, h, s = grp.chan(dys[1]), grp.chan(dys[2]), grp.xhat, grp.s
    norm = grp.norm_dx if grp.batch_stats else (lambda v: s * v)
    n_gx = norm(gx)
    d_dy = grp.chan(gamma) * n_gx + gg * h + gb
    if grp.batch_stats:
        u = gg * dy - s * (grp.mean(w * h) * gx + grp.mean(gx * h) * w)
        d_x = norm(u) - s * h * grp.mean(gx * dx)
    else:
        d_x = s * gg * dy
    return [d_dy, d_x, grp.chan_sum(dy * n_gx)]


def _second_order(groups, gamma_fixed=lambda a: False):
    """A ``_backward_*`` op's gradient from a ``_Groups`` builder ``groups(F, a, x, mean,
    stat)``; the mean and spread inputs get None (batch statistics are recomputed from
    x, running ones are constants)."""
    def gradient(F, a, xs, ys, dys):
        dy, x, gamma, mean, stat = xs[:5]          # (BatchNorm's: + the running stats)
        grp = groups(F, a, x, mean, stat)
        fixed = gamma_fixed(a)
        if fixed:                 # gamma is ones and dgamma a constant zero
            gamma, dys = F.ones_like(gamma), [dys[0], F.zeros_like(gamma), dys[2]]
        d_dy, d_x, d_gamma = _norm_backward_gradient(F, grp, dy, gamma, ys[0], dys)
        return [grp.unview(d_dy), grp.unview(d_x), None if fixed else d_gamma] + \
            [None] * (len(xs) - 3)
    return gradient


# ---- BatchNorm -----------------------------------------------------------------------------
def _bn_axis(a, x):
    return normalize_axis("BatchNorm", a.axis, len(x.shape))


def batch_norm_core(k, op, a, axis, x, gamma, beta, moving_mean, moving_var):
    """Batch normalization over every axis but ``axis`` (shared by ``BatchNorm`` and
    ``_contrib_SyncBatchNorm``): returns ``(y, mean, var, invstd)``, the statistics of
    shape (C,) in x's dtype.  While training (and not ``use_global_stats``) they are the
    batch's, otherwise the running ones.  The running statistics do not move here: the
    backward moves them (``_bn_backward``), as MXNet's CPU kernels do."""
    _check_float(op, x)
    c = x.shape[axis]
    _check_bn_dtypes(op, x, (gamma, beta, moving_mean, moving_var))
    for name, p in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean),
                    ("moving_var", moving_var)):
        _check_param(op, name, p, c)
    axes = tuple(i for i in range(len(x.shape)) if i != axis)
    pshape = _param_shape(len(x.shape), axis, c)
    if FLAGS.training and not a.use_global_stats:
        mean, var, invstd = (k.reshape(v, (c,)) for v in _moments(k, x, axes, a.eps))
    else:
        mean, var = k.astype(moving_mean, x.dtype), k.astype(moving_var, x.dtype)
        invstd = k.unary("reciprocal", k.unary("sqrt", k.binary("add", var, a.eps)))
    scale = invstd if a.fix_gamma else k.binary("multiply", invstd, k.astype(gamma, x.dtype))
    y = k.binary("multiply", _sub(k, x, k.reshape(mean, pshape)),
                 k.broadcast_to(k.reshape(scale, pshape), x.shape))
    y = _add(k, y, k.reshape(k.astype(beta, x.dtype), pshape))
    return y, mean, var, invstd


def _check_bn_dtypes(op, x, params):
    """MXNet: the four parameters are float32 for float16 data, else the data's dtype
    (no type promotion: a float32 BatchNorm refuses float64 data).  pymx also takes
    float16 parameters for float16 data, which MXNet refuses."""
    acc = accumulation_type(x)
    for name, p in zip(("gamma", "beta", "moving_mean", "moving_var"), params):
        if p.dtype.name not in (acc, x.dtype.name):
            raise MXNetError(f"{op}: {name} must be {acc} for {x.dtype.name} data "
                             f"(no type promotion), got {p.dtype.name}")


def accumulation_type(x):
    """The dtype of the statistics outputs: float32 for float16 data, else x's."""
    return "float32" if x.dtype.name == "float16" else x.dtype.name


@fused("BatchNorm")
def _batch_norm(k, a, x, gamma, beta, moving_mean, moving_var):
    if x.dtype.name == "float16":     # MXNet's CPU kernel: float32 math, one rounding
        params = (gamma, beta, moving_mean, moving_var)
        _check_bn_dtypes("BatchNorm", x, params)
        y, mean, invstd = _batch_norm(k, a, k.astype(x, "float32"), *(
            p if p.dtype.name == "float32" else k.astype(p, "float32") for p in params))
        return k.astype(y, "float16"), mean, invstd
    y, mean, _, invstd = batch_norm_core(k, "BatchNorm", a, _bn_axis(a, x), x, gamma,
                                         beta, moving_mean, moving_var)
    acc = accumulation_type(x)
    return y, k.astype(mean, acc), k.astype(invstd, acc)


def _move_running_stats(k, a, mean, invstd, moving_mean, moving_var):
    """The running statistics take a step towards the batch's, in place::

        moving_mean = moving_mean * momentum + mean * (1 - momentum)
        moving_var  = moving_var  * momentum + var  * (1 - momentum)

    with ``var = 1/invstd^2 - eps`` recovered from the saved inverse std, as MXNet's
    CPU backward does (MXNet moves them in the backward pass, not the forward)."""
    var = k.binary("subtract", k.unary("reciprocal", k.binary("multiply", invstd, invstd)),
                   a.eps)
    for run, batch in ((moving_mean, mean), (moving_var, var)):
        batch = k.astype(batch, run.dtype) if batch.dtype != run.dtype else batch
        k.setitem(run, Ellipsis, k.binary("add", k.binary("multiply", run, a.momentum),
                                          k.binary("multiply", batch, 1 - a.momentum)))


def _bn_backward(k, a, dy, x, gamma, mean, invstd, moving_mean, moving_var):
    if FLAGS.training and not a.use_global_stats:     # where MXNet's CPU kernels move them
        _move_running_stats(k, a, mean, invstd, moving_mean, moving_var)
    axis = _bn_axis(a, x)
    c = x.shape[axis]
    axes = tuple(i for i in range(len(x.shape)) if i != axis)
    pshape = _param_shape(len(x.shape), axis, c)
    mean = k.reshape(k.astype(mean, x.dtype), pshape)
    invstd = k.reshape(k.astype(invstd, x.dtype), pshape)
    g = k.full(pshape, 1, x.dtype) if a.fix_gamma else k.reshape(k.astype(gamma, x.dtype), pshape)
    # BEGIN EXERCISE batchnorm_backward
    xhat = _mul(k, _sub(k, x, mean), invstd)
    dbeta = k.reshape(k.reduce("sum", dy, axes, False), (c,))
    if a.fix_gamma:
        dgamma = k.full((c,), 0, gamma.dtype)
    else:
        dgamma = k.astype(k.reshape(k.reduce("sum", k.binary("multiply", dy, xhat), axes,
                                             False), (c,)), gamma.dtype)
    if FLAGS.training and not a.use_global_stats:
        dx = _norm_dx(k, _mul(k, dy, g), xhat, invstd, axes)
    else:
        dx = _mul(k, dy, k.binary("multiply", g, invstd))
    return dx, dgamma, k.astype(dbeta, gamma.dtype)
    # END EXERCISE batchnorm_backward


def _bn_infer_shape(a, in_shapes):
    data = in_shapes[0]
    if data is None:
        return in_shapes, [None, None, None]
    c = data[normalize_axis("BatchNorm", a.axis, len(data))]
    return [data] + [(c,)] * 4, [data, (c,), (c,)]


def _bn_infer_type(a, in_types):
    t = next((x for x in in_types if x is not None), None)
    if t is None:
        return in_types, [None, None, None]
    import numpy as np
    acc = np.dtype("float32") if np.dtype(t) == np.float16 else np.dtype(t)
    if in_types[0] is not None and any(x is not None and np.dtype(x) not in (acc, np.dtype(t))
                                       for x in in_types[1:]):
        raise DtypeConflict(f"BatchNorm: the parameters must be {acc.name} for "
                            f"{np.dtype(t).name} data, got {[str(x) for x in in_types[1:]]}")
    return [in_types[0] or t] + [x or acc for x in in_types[1:]], [np.dtype(t), acc, acc]


_BN_PARAMS = {
    "eps": Param("float", 1e-3), "momentum": Param("float", 0.9),
    "fix_gamma": Param("bool", True), "use_global_stats": Param("bool", False),
    "output_mean_var": Param("bool", False), "axis": Param("int", 1),
    "cudnn_off": Param("bool", False),
    "min_calib_range": Param("float", None), "max_calib_range": Param("float", None),
}

register(
    "BatchNorm", _batch_norm,
    inputs=("data", "gamma", "beta", "moving_mean", "moving_var"),
    aux=("moving_mean", "moving_var"), params=_BN_PARAMS,
    outputs=("output", "mean", "var"),
    num_visible_outputs=lambda a: 3 if a.output_mean_var else 1,
    infer_shape=_bn_infer_shape, infer_type=_bn_infer_type,
    gradient=lambda F, a, xs, ys, dys: _three(F._backward_BatchNorm(
        dys[0], xs[0], xs[1], ys[1], ys[2], xs[3], xs[4], **a)) + [None, None],
    doc=r"""Batch normalization over every axis except ``axis`` (the channel axis, 1).

Training (``is_training()`` and not ``use_global_stats``)::

    mean = mean(data over N and spatial axes)      var = mean((data - mean)^2)   # biased
    out  = (data - mean) / sqrt(var + eps) * gamma + beta

and **the backward** (``_backward_BatchNorm``, in training) moves the running
statistics in place, as MXNet 1.9.1's CPU kernels do::

    moving_mean = moving_mean * momentum + mean * (1 - momentum)
    moving_var  = moving_var  * momentum + var  * (1 - momentum)

So they move once per forward + backward under ``record()``: a training-mode forward
alone (``autograd.train_mode()``, or a recorded forward never differentiated) leaves
them alone (cuDNN, on GPUs, moves them in the forward instead).

Inference (or ``use_global_stats=True``) uses ``moving_mean``/``moving_var`` instead.
``fix_gamma=True`` (**the op's default**, with ``eps=1e-3``; Gluon's layer passes
``fix_gamma=not scale`` and ``epsilon=1e-5``) treats ``gamma`` as ones, and its
gradient is zero.

Shapes: ``data`` (N, C, ...), ``gamma``/``beta``/``moving_mean``/``moving_var`` (C,).
``moving_mean`` and ``moving_var`` are auxiliary states (no gradient).  Outputs
``(output, mean, var)``: only ``output`` is visible unless ``output_mean_var``; as in
MXNet's CPU kernel the third output holds the **inverse std** ``1/sqrt(var + eps)``
(of the batch when training, of the running variance otherwise), not the variance.

Difference from MXNet: with ``fix_gamma=True`` MXNet's CPU forward also overwrites
``gamma`` with ones in place; pymx leaves ``gamma`` alone and ignores it.  The backward
follows the training flag of the backward pass (MXNet's ``is_train``), as MXNet does.""")

register(
    "_backward_BatchNorm", _bn_backward,
    inputs=("ograd", "data", "gamma", "mean", "invstd", "moving_mean", "moving_var"),
    aux=("moving_mean", "moving_var"), params=_BN_PARAMS,
    outputs=("data_grad", "gamma_grad", "beta_grad"),
    # batch or running statistics, by the training flag when the rule runs: the backward
    # pass's under autograd, but graph-building time (usually inference) under mx.sym
    gradient=_second_order(
        lambda F, a, x, mean, invstd: _Groups(
            F, x, a.axis, True, a.axis, a.eps,
            stats=None if FLAGS.training and not a.use_global_stats else (mean, invstd)),
        gamma_fixed=lambda a: a.fix_gamma),
    infer_shape=lambda a, s: (s, [s[1], s[2], s[2]]),
    infer_type=lambda a, t: (t, [t[1], t[2], t[2]]),
    doc=r"""BatchNorm's backward: ``(ograd, data, gamma, mean, invstd, moving_mean,
moving_var)`` -> ``(d data, d gamma, d beta)``; in training it also moves the running
statistics (the aux inputs) in place.  Training: ``dx = gamma*invstd*(dy - mean(dy) -
xhat*mean(dy*xhat))``; inference: ``dx = dy*gamma*invstd``.  ``dgamma = sum(dy*xhat)``
(0 with ``fix_gamma``), ``dbeta = sum(dy)``, sums over every axis but ``axis``.""")


# ---- LayerNorm -----------------------------------------------------------------------------
def _ln_axis(op, a, x):
    return normalize_axis(op, a.axis, len(x.shape))


def _layer_norm(k, a, x, gamma, beta):
    _check_float("LayerNorm", x, gamma, beta)
    axis = _ln_axis("LayerNorm", a, x)
    c = x.shape[axis]
    _check_param("LayerNorm", "gamma", gamma, c)
    _check_param("LayerNorm", "beta", beta, c)
    pshape = _param_shape(len(x.shape), axis, c)
    mean, var, invstd = _moments(k, x, (axis,), a.eps)
    xhat = _mul(k, _sub(k, x, mean), invstd)
    y = _add(k, _mul(k, xhat, k.reshape(gamma, pshape)), k.reshape(beta, pshape))
    std = k.unary("sqrt", k.binary("add", var, a.eps))
    return y, mean, std


def _ln_backward(k, a, dy, x, gamma, mean, std):
    axis = _ln_axis("LayerNorm", a, x)
    c = x.shape[axis]
    pshape = _param_shape(len(x.shape), axis, c)
    others = tuple(i for i in range(len(x.shape)) if i != axis)
    invstd = k.unary("reciprocal", std)
    xhat = _mul(k, _sub(k, x, mean), invstd)
    dx = _norm_dx(k, _mul(k, dy, k.reshape(gamma, pshape)), xhat, invstd, (axis,))
    dgamma = k.reshape(k.reduce("sum", k.binary("multiply", dy, xhat), others, False), (c,))
    dbeta = k.reshape(k.reduce("sum", dy, others, False), (c,))
    return dx, dgamma, dbeta


def _ln_infer_shape(a, in_shapes):
    data = in_shapes[0]
    if data is None:
        return in_shapes, [None, None, None]
    axis = normalize_axis("LayerNorm", a.axis, len(data))
    red = tuple(1 if i == axis else d for i, d in enumerate(data))
    return [data, (data[axis],), (data[axis],)], [data, red, red]


_LN_PARAMS = {"axis": Param("int", -1), "eps": Param("float", 1e-5),
              "output_mean_var": Param("bool", False)}

register(
    "LayerNorm", _layer_norm, inputs=("data", "gamma", "beta"), params=_LN_PARAMS,
    outputs=("output", "mean", "std"),
    num_visible_outputs=lambda a: 3 if a.output_mean_var else 1,
    infer_shape=_ln_infer_shape, infer_type=uniform_type,
    gradient=lambda F, a, xs, ys, dys: _three(F._backward_LayerNorm(
        dys[0], xs[0], xs[1], ys[1], ys[2], **a)),
    doc=r"""Layer normalization along one axis (the last by default)::

    out = (data - mean(data, axis)) / sqrt(var(data, axis) + eps) * gamma + beta

``gamma``/``beta`` have shape ``(data.shape[axis],)``.  Outputs ``(output, mean,
std)`` with ``std = sqrt(var + eps)``; ``mean``/``std`` keep ``axis`` with size 1.
Only ``output`` is visible unless ``output_mean_var``; no gradient flows through
``mean``/``std``.  Same in training and inference.""")

register(
    "_backward_LayerNorm", _ln_backward, inputs=("ograd", "data", "gamma", "mean", "std"),
    params=_LN_PARAMS, outputs=("data_grad", "gamma_grad", "beta_grad"),
    gradient=_second_order(
        lambda F, a, x, mean, std: _Groups(F, x, a.axis, False, a.axis, a.eps)),
    infer_shape=lambda a, s: (s, [s[1], s[2], s[2]]),
    doc="LayerNorm's backward: ``(ograd, data, gamma, mean, std)`` -> ``(d data, "
        "d gamma, d beta)``.")


# ---- InstanceNorm and GroupNorm ------------------------------------------------------------
def _instance_norm(k, a, x, gamma, beta):
    _check_float("InstanceNorm", x, gamma, beta)
    if len(x.shape) < 3:
        raise MXNetError(f"InstanceNorm: data must have at least 3 dimensions (N, C, ...), "
                         f"got shape {tuple(x.shape)}")
    n, c = x.shape[:2]
    _check_param("InstanceNorm", "gamma", gamma, c)
    _check_param("InstanceNorm", "beta", beta, c)
    axes = tuple(range(2, len(x.shape)))
    pshape = _param_shape(len(x.shape), 1, c)
    mean, var, invstd = _moments(k, x, axes, a.eps)
    xhat = _mul(k, _sub(k, x, mean), invstd)
    y = _add(k, _mul(k, xhat, k.reshape(gamma, pshape)), k.reshape(beta, pshape))
    return y, k.reshape(mean, (n, c)), k.reshape(var, (n, c))


def _in_backward(k, a, dy, x, gamma, mean, var):
    n, c = x.shape[:2]
    axes = tuple(range(2, len(x.shape)))
    keep = (n, c) + (1,) * len(axes)
    pshape = _param_shape(len(x.shape), 1, c)
    mean = k.reshape(mean, keep)
    invstd = k.reshape(k.unary("reciprocal", k.unary("sqrt", k.binary("add", var, a.eps))),
                       keep)
    xhat = _mul(k, _sub(k, x, mean), invstd)
    dx = _norm_dx(k, _mul(k, dy, k.reshape(gamma, pshape)), xhat, invstd, axes)
    others = (0,) + axes
    dgamma = k.reshape(k.reduce("sum", k.binary("multiply", dy, xhat), others, False), (c,))
    dbeta = k.reshape(k.reduce("sum", dy, others, False), (c,))
    return dx, dgamma, dbeta


def _in_infer_shape(a, in_shapes):
    data = in_shapes[0]
    if data is None:
        return in_shapes, [None, None, None]
    return [data, (data[1],), (data[1],)], [data, tuple(data[:2]), tuple(data[:2])]


register(
    "InstanceNorm", _instance_norm, inputs=("data", "gamma", "beta"),
    params={"eps": Param("float", 1e-3)}, outputs=("output", "mean", "var"),
    num_visible_outputs=1, infer_shape=_in_infer_shape,
    gradient=lambda F, a, xs, ys, dys: _three(F._backward_InstanceNorm(
        dys[0], xs[0], xs[1], ys[1], ys[2], **a)),
    doc=r"""Instance normalization: each (sample, channel) plane of ``data`` (N, C, ...)
is normalized over its spatial axes::

    out[n, c] = (data[n, c] - mean[n, c]) / sqrt(var[n, c] + eps) * gamma[c] + beta[c]

``gamma``/``beta`` have shape (C,); ``data`` needs at least 3 dimensions.  The hidden
outputs ``mean``/``var`` have shape (N, C).  Same in training and inference.""")

register(
    "_backward_InstanceNorm", _in_backward, inputs=("ograd", "data", "gamma", "mean", "var"),
    params={"eps": Param("float", 1e-3)}, outputs=("data_grad", "gamma_grad", "beta_grad"),
    gradient=_second_order(lambda F, a, x, mean, var: _Groups(F, x, (0, 1), True, 1, a.eps)),
    infer_shape=lambda a, s: (s, [s[1], s[2], s[2]]),
    doc="InstanceNorm's backward: ``(ograd, data, gamma, mean, var)`` -> ``(d data, "
        "d gamma, d beta)``.")


def _grouped(op, a, x):
    if len(x.shape) < 2:
        raise MXNetError(f"{op}: data must have at least 2 dimensions (N, C, ...), got "
                         f"shape {tuple(x.shape)}")
    n, c = x.shape[:2]
    g = a.num_groups
    if g <= 0 or c % g:
        raise MXNetError(f"{op}: the number of channels {c} must be divisible by "
                         f"num_groups={g}")
    shape = (n, g, c // g) + tuple(x.shape[2:])
    return shape, tuple(range(2, len(shape))), _param_shape(len(shape), 1, g)


def _group_norm(k, a, x, gamma, beta):
    _check_float("GroupNorm", x, gamma, beta)
    shape, axes, pshape = _grouped("GroupNorm", a, x)
    _check_param("GroupNorm", "gamma", gamma, a.num_groups)
    _check_param("GroupNorm", "beta", beta, a.num_groups)
    xg = k.reshape(k.copy(x), shape)
    mean, var, invstd = _moments(k, xg, axes, a.eps)
    xhat = _mul(k, _sub(k, xg, mean), invstd)
    y = _add(k, _mul(k, xhat, k.reshape(gamma, pshape)), k.reshape(beta, pshape))
    std = k.unary("sqrt", k.binary("add", var, a.eps))
    ng = shape[:2]
    return k.reshape(y, x.shape), k.reshape(mean, ng), k.reshape(std, ng)


def _gn_backward(k, a, dy, x, gamma, mean, std):
    shape, axes, pshape = _grouped("GroupNorm", a, x)
    keep = shape[:2] + (1,) * len(axes)
    xg, dyg = k.reshape(k.copy(x), shape), k.reshape(k.copy(dy), shape)
    invstd = k.reshape(k.unary("reciprocal", std), keep)
    xhat = _mul(k, _sub(k, xg, k.reshape(mean, keep)), invstd)
    dx = _norm_dx(k, _mul(k, dyg, k.reshape(gamma, pshape)), xhat, invstd, axes)
    others = (0,) + axes
    g = a.num_groups
    dgamma = k.reshape(k.reduce("sum", k.binary("multiply", dyg, xhat), others, False), (g,))
    dbeta = k.reshape(k.reduce("sum", dyg, others, False), (g,))
    return k.reshape(dx, x.shape), dgamma, dbeta


def _gn_infer_shape(a, in_shapes):
    data = in_shapes[0]
    if data is None:
        return in_shapes, [None, None, None]
    g = (a.num_groups,)
    return [data, g, g], [data, (data[0], a.num_groups), (data[0], a.num_groups)]


_GN_PARAMS = {"num_groups": Param("int", 1), "eps": Param("float", 1e-5),
              "output_mean_var": Param("bool", False)}

register(
    "GroupNorm", _group_norm, inputs=("data", "gamma", "beta"), params=_GN_PARAMS,
    outputs=("output", "mean", "std"),
    num_visible_outputs=lambda a: 3 if a.output_mean_var else 1,
    infer_shape=_gn_infer_shape,
    gradient=lambda F, a, xs, ys, dys: _three(F._backward_GroupNorm(
        dys[0], xs[0], xs[1], ys[1], ys[2], **a)),
    doc=r"""Group normalization: the C channels of ``data`` (N, C, ...) are split into
``num_groups`` groups, and each (sample, group) is normalized over its channels and
spatial axes::

    x = data.reshape(N, G, C // G, ...)
    out = ((x - mean) / sqrt(var + eps) * gamma + beta).reshape(data.shape)

MXNet 1.9.1 quirk: ``gamma`` and ``beta`` have shape ``(num_groups,)`` (one scale per
**group**, not per channel as in MXNet 2).  Outputs ``(output, mean, std)``, ``mean``
and ``std = sqrt(var + eps)`` of shape (N, G); only ``output`` is visible unless
``output_mean_var``.""")

register(
    "_backward_GroupNorm", _gn_backward, inputs=("ograd", "data", "gamma", "mean", "std"),
    params=_GN_PARAMS, outputs=("data_grad", "gamma_grad", "beta_grad"),
    gradient=_second_order(lambda F, a, x, mean, std: _Groups(
        F, x, 2, False, 1, a.eps, view=lambda v: F.reshape(v, shape=(0, a.num_groups, -1)))),
    infer_shape=lambda a, s: (s, [s[1], s[2], s[2]]),
    doc="GroupNorm's backward: ``(ograd, data, gamma, mean, std)`` -> ``(d data, "
        "d gamma, d beta)``.")


# ---- L2Normalization -----------------------------------------------------------------------
def _l2_axes(a, x):
    nd = len(x.shape)
    if a.mode == "instance":
        return tuple(range(1, nd))
    if nd < 2 or (a.mode == "spatial" and nd < 3):
        raise MXNetError(f"L2Normalization: mode={a.mode!r} needs more dimensions than "
                         f"shape {tuple(x.shape)}")
    return (1,) if a.mode == "channel" else tuple(range(2, nd))


def _l2_norm(k, a, x):
    _check_float("L2Normalization", x)
    axes = _l2_axes(a, x)
    norm = k.unary("sqrt", k.binary("add", k.reduce("sum", k.unary("square", x), axes, True),
                                     a.eps))
    y = k.binary("divide", x, k.broadcast_to(norm, x.shape))
    kept = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    return y, k.reshape(norm, kept)


def _l2_backward(k, a, dy, y, norm):
    axes = _l2_axes(a, y)
    keep = tuple(1 if i in axes else d for i, d in enumerate(y.shape))
    s = k.reduce("sum", k.binary("multiply", dy, y), axes, True)
    t = k.binary("subtract", dy, _mul(k, y, s))
    return k.binary("divide", t, k.broadcast_to(k.reshape(norm, keep), y.shape))


def _l2_infer_shape(a, in_shapes):
    data = in_shapes[0]
    if data is None:
        return in_shapes, [None, None]
    axes = {"instance": range(1, len(data)), "channel": (1,),
            "spatial": range(2, len(data))}[a.mode]
    return in_shapes, [data, tuple(d for i, d in enumerate(data) if i not in axes)]


_L2_PARAMS = {"eps": Param("float", 1e-10),
              "mode": Param("str", "instance", choices=("channel", "instance", "spatial"))}


def _l2_sum(F, a, v):
    """``v`` summed over the axes ``mode`` normalizes, keepdims (F ops, no shapes)."""
    if a.mode == "channel":
        return F.sum(v, axis=1, keepdims=True)
    return F.sum(v, axis=0 if a.mode == "instance" else (0, 1), exclude=True, keepdims=True)


def _l2_gradient(F, a, xs, ys, dys):
    """``dx`` from the output's head gradient, plus ``y * d norm`` from the hidden ``norm``
    output's (d norm / dx = y).  That second head is zero unless a second derivative
    sends something back through ``norm``, which ``_backward_L2Normalization`` reads."""
    y, norm = ys
    d_norm = F.reshape_like(dys[1], _l2_sum(F, a, y))
    return [F._backward_L2Normalization(dys[0], y, norm, **a) + F.broadcast_mul(y, d_norm)]


def _l2_backward_gradient(F, a, xs, ys, dys):
    """``dx = (dy - y * S(dy * y)) / norm``, ``S`` the keepdims sum: linear in dy (and
    self-adjoint, so d dy is the op itself), quadratic in y, and ``d norm = -S(g * dx) /
    norm`` reshaped to norm's shape."""
    dy, y, norm = xs
    g = dys[0]
    n = F.reshape_like(norm, _l2_sum(F, a, y))               # norm with the summed axes kept
    cross = F.broadcast_mul(g, _l2_sum(F, a, dy * y)) + F.broadcast_mul(dy, _l2_sum(F, a, g * y))
    d_norm = -F.reshape_like(_l2_sum(F, a, g * ys[0]), norm) / norm
    return [F._backward_L2Normalization(g, y, norm, **a), -F.broadcast_div(cross, n), d_norm]


register(
    "L2Normalization", _l2_norm, params=_L2_PARAMS, outputs=("output", "norm"),
    num_visible_outputs=1, infer_shape=_l2_infer_shape, gradient=_l2_gradient,
    doc=r"""Divide by the L2 norm: ``out = data / sqrt(sum(data^2) + eps)``, where the
sum runs over every axis but 0 (``mode='instance'``), over axis 1 (``'channel'``), or
over axes 2.. (``'spatial'``).  The hidden output ``norm`` has the non-reduced axes.
Gradient: ``dx = (dy - out * sum(dy * out)) / norm``.""")

register(
    "_backward_L2Normalization", _l2_backward, inputs=("ograd", "output", "norm"),
    params=_L2_PARAMS, infer_shape=lambda a, s: (s, [s[1]]), gradient=_l2_backward_gradient,
    doc="L2Normalization's backward: ``(dy - y * sum(dy * y)) / norm``.")


# ---- LRN -----------------------------------------------------------------------------------
def _channel_window_sum(k, v, nsize):
    """``out[:, c] = sum(v[:, c - nsize//2 : c + nsize//2 + 1])`` (zeros outside)."""
    half = nsize // 2
    c = v.shape[1]
    widths = [(0, 0)] * len(v.shape)
    widths[1] = (half, half)
    padded = k.pad(v, tuple(widths), "constant", 0)
    rest = (slice(None),) * (len(v.shape) - 2)
    out = None
    for j in range(nsize):
        part = k.getitem(padded, (slice(None), slice(j, j + c)) + rest)
        out = k.copy(part) if out is None else k.binary("add", out, part)
    return out


def _lrn(k, a, x):
    _check_float("LRN", x)
    if len(x.shape) != 4:
        raise MXNetError(f"LRN: data must be 4-D (N, C, H, W), got shape {tuple(x.shape)}")
    if a.nsize < 1 or a.nsize % 2 == 0:
        raise MXNetError(f"LRN: argument 'nsize' must be a positive odd number, got {a.nsize}")
    salpha = a.alpha / a.nsize
    norm = k.binary("add", k.binary("multiply", _channel_window_sum(
        k, k.unary("square", x), a.nsize), salpha), a.knorm)
    return k.binary("multiply", x, k.binary("power", norm, -a.beta)), norm


def _lrn_backward(k, a, dy, x, norm):
    salpha = a.alpha / a.nsize
    t = k.binary("multiply", k.binary("multiply", dy, x), k.binary("power", norm, -a.beta - 1))
    win = _channel_window_sum(k, t, a.nsize)
    dx = k.binary("multiply", dy, k.binary("power", norm, -a.beta))
    return k.binary("subtract", dx, k.binary("multiply", x, k.binary(
        "multiply", win, 2.0 * a.beta * salpha)))


_LRN_PARAMS = {"alpha": Param("float", 1e-4), "beta": Param("float", 0.75),
               "knorm": Param("float", 2.0), "nsize": Param("int")}

register(
    "LRN", _lrn, params=_LRN_PARAMS, outputs=("output", "tmp_norm"), num_visible_outputs=1,
    infer_shape=lambda a, s: (s, [s[0], s[0]]),
    gradient=lambda F, a, xs, ys, dys: [F._backward_LRN(dys[0], xs[0], ys[1], **a)],
    doc=r"""Local response normalization across channels of ``data`` (N, C, H, W)::

    norm[:, c] = knorm + alpha / nsize * sum(data[:, c'] ** 2 for |c' - c| <= nsize // 2)
    out = data * norm ** -beta

``nsize`` (odd) is the window; channels outside the array count as zero.  The hidden
output ``tmp_norm`` holds ``norm``.""")

def _window_sum(F, v, nsize):
    """``_channel_window_sum`` with F ops: a sum Pooling of window (nsize, 1, 1) over the
    channels, seen as a depth axis of (N, 1, C, H, W).  The window is symmetric, so
    the map is its own adjoint."""
    half = nsize // 2
    pooled = F.Pooling(F.expand_dims(v, axis=1), kernel=(nsize, 1, 1), pad=(half, 0, 0),
                       pool_type="sum")
    return F.reshape_like(pooled, v)


def _lrn_backward_gradient(F, a, xs, ys, dys):
    """The gradient of ``dx = dy p - c x W(dy x q)``, where ``W`` is the window sum,
    ``n = knorm + s W(x^2)`` (s = alpha / nsize) is recomputed from x with F ops,
    ``p = n^-beta``, ``q = n^(-beta-1)`` and ``c = 2 beta s``.  For the head ``g``:
    ``d dy = g p - c x q W(g x)``; x enters directly, through ``dy x q``, and through
    ``n`` (``dn = 2 s W(x dx)``), whose coefficient is
    ``m = -beta g dy q + c (beta + 1) W(g x) dy x q / n``:
    ``d x = -c g W(dy x q) - c dy q W(g x) + 2 s x W(m)``.  The norm input gets None."""
    dy, x, _ = xs
    g, b, s = dys[0], a.beta, a.alpha / a.nsize
    c = 2 * b * s
    n = _window_sum(F, F.square(x), a.nsize) * s + a.knorm
    p, q = n ** -b, n ** (-b - 1)
    w_gx = _window_sum(F, g * x, a.nsize)
    m = -b * g * dy * q + c * (b + 1) * w_gx * dy * x * q / n
    d_x = -c * g * _window_sum(F, dy * x * q, a.nsize) - c * dy * q * w_gx \
        + 2 * s * x * _window_sum(F, m, a.nsize)
    return [g * p - c * x * q * w_gx, d_x, None]


register(
    "_backward_LRN", _lrn_backward, inputs=("ograd", "data", "tmp_norm"), params=_LRN_PARAMS,
    infer_shape=lambda a, s: (s, [s[1]]), gradient=_lrn_backward_gradient,
    doc="LRN's backward: ``dy * norm^-beta - 2 beta alpha/nsize * x * window_sum(dy * x * "
        "norm^(-beta-1))``.")
