"""Fused kernels for the ops that look them up (``pymx.ops.util.fused``), written once.

``fused.c`` holds the kernel bodies (one text, both dialects); this module holds the
host side both backends share: **whether** a fused kernel takes a call, and **with which
scalars**.  Each ``*_plan(a, *arrays, dtypes)`` gets the op's parsed attributes and the
arrays' shapes/dtypes (native arrays of any backend: only ``.shape``/``.dtype`` are
read) and returns a dict of launch values, or ``None`` to decline (the op's composite
then runs, and raises on bad input).  A backend launches the kernel named in the plan
with the plan's values converted to its element type.

Scalars are computed as the composite computes them: optimizer parameters are rounded
to float32 first (MXNet's C ``float`` parameters), and products such as ``lr * wd`` are
formed in Python (double) before the cast to ``T``.
"""
import numpy as np

from .dialect import prelude

__all__ = ["FUSED_OPS", "KERNEL_NAMES", "fused_source", "softmax_plan", "sgd_plan",
           "sgd_mom_plan", "adam_plan", "batchnorm_plan", "rows_layout", "FusedOps"]

#: op name -> the kernels of fused.c it launches.
FUSED_OPS = {
    "softmax": ("softmax_rows",), "log_softmax": ("log_softmax_rows",),
    "sgd_update": ("sgd_update",), "sgd_mom_update": ("sgd_mom_update",),
    "adam_update": ("adam_update",), "BatchNorm": ("batchnorm_stats", "batchnorm_apply"),
}
KERNEL_NAMES = tuple(k for names in FUSED_OPS.values() for k in names)


def fused_source(lang, dtype):
    """Every kernel of ``fused.c`` for element type ``dtype`` in dialect ``lang``."""
    from . import read_source
    return prelude(lang, dtype) + read_source("fused.c")


def _f32(v):
    return float(np.float32(v))


def _ok(dtypes, *arrays):
    """Every array has one dtype, and the backend computes in it."""
    dt = np.dtype(arrays[0].dtype)
    return dt.name in dtypes and all(np.dtype(x.dtype) == dt for x in arrays)


def rows_layout(shape, axis):
    """``(outer, n, inner)``: a C-contiguous array seen with ``axis`` in the middle."""
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    return outer, int(shape[axis]), inner


def softmax_plan(a, x, dtypes, log=False, length=None):
    """softmax / log_softmax over ``a.axis``: no ``use_length``, no output ``dtype``
    other than x's own, an axis in range, and not an empty axis."""
    nd = len(x.shape)
    if length is not None or a.use_length or not nd or not -nd <= a.axis < nd:
        return None
    if (a.dtype is not None and np.dtype(a.dtype) != x.dtype) or not _ok(dtypes, x):
        return None
    outer, n, inner = rows_layout(x.shape, a.axis % nd)
    if n == 0:
        return None                     # max over nothing: the composite raises, as NumPy
    t = 1.0 if a.temperature is None else a.temperature
    return dict(kernel="log_softmax_rows" if log else "softmax_rows", threads=outer * inner,
                outer=outer, n=n, inner=inner, t=t)


def _clip(a):
    return dict(clip=_f32(max(a.clip_gradient, 0.0)), clip_on=int(a.clip_gradient >= 0))


def sgd_plan(a, weight, grad, dtypes):
    if not _ok(dtypes, weight, grad):
        return None
    lr, wd = _f32(a.lr), _f32(a.wd)
    return dict(kernel="sgd_update", lr=lr, decay=1 - lr * wd,
                rescale=_f32(a.rescale_grad), **_clip(a))


def sgd_mom_plan(a, weight, grad, mom, dtypes):
    if not _ok(dtypes, weight, grad, mom):
        return None
    lr = _f32(a.lr)
    return dict(kernel="sgd_mom_update", lr=lr, lr_wd=lr * _f32(a.wd),
                momentum=_f32(a.momentum), rescale=_f32(a.rescale_grad), **_clip(a))


def adam_plan(a, weight, grad, mean, var, dtypes):
    if not _ok(dtypes, weight, grad, mean, var):
        return None
    b1, b2 = _f32(a.beta1), _f32(a.beta2)
    return dict(kernel="adam_update", lr=_f32(a.lr), beta1=b1, one_minus_beta1=1 - b1,
                beta2=b2, one_minus_beta2=1 - b2, epsilon=_f32(a.epsilon), wd=_f32(a.wd),
                rescale=_f32(a.rescale_grad), **_clip(a))


def batchnorm_plan(a, x, gamma, beta, moving_mean, moving_var, dtypes, training):
    """BatchNorm with every parameter of shape (C,) and x's dtype; ``training`` is
    ``is_training() and not use_global_stats`` (read by the caller)."""
    nd = len(x.shape)
    if not nd or not -nd <= a.axis < nd or not _ok(dtypes, x, gamma, beta, moving_mean,
                                                    moving_var):
        return None
    outer, c, inner = rows_layout(x.shape, a.axis % nd)
    if any(tuple(p.shape) != (c,) for p in (gamma, beta, moving_mean, moving_var)):
        return None
    return dict(outer=outer, C=c, inner=inner, eps=a.eps, training=int(bool(training)),
                fix_gamma=int(bool(a.fix_gamma)))


class FusedOps:
    """The ``fused_<op>`` methods of a backend, mixed in: each asks its plan and, when
    the kernel takes the call, hands the plan to the backend's launcher.  The backend
    provides ``plan_dtypes`` (the dtypes its kernels compute in), ``setitem`` and

    * ``_softmax(plan, x)``;
    * ``_update(plan, arrays, states, scalars)``: launch ``plan["kernel"]`` on
      ``(*arrays, *states, out, *plan[scalars], clip, clip_on, n)``;
    * ``_batchnorm(plan, x, gamma, beta, moving_mean, moving_var)``.
    """

    def _writeback(self, pairs):
        """After an in-place kernel: copy compact stand-ins back into strided states."""
        for state, buf in pairs:
            if buf is not state:
                self.setitem(state, Ellipsis, buf)

    def fused_softmax(self, a, x, length=None):
        """softmax over any axis, one thread per (outer, inner) row."""
        plan = softmax_plan(a, x, self.plan_dtypes, log=False, length=length)
        return None if plan is None else self._softmax(plan, x)

    def fused_log_softmax(self, a, x):
        """log_softmax over any axis, one thread per (outer, inner) row."""
        plan = softmax_plan(a, x, self.plan_dtypes, log=True)
        return None if plan is None else self._softmax(plan, x)

    def fused_sgd_update(self, a, weight, grad):
        """sgd_update in one elementwise kernel."""
        plan = sgd_plan(a, weight, grad, self.plan_dtypes)
        return None if plan is None else self._update(
            plan, (weight, grad), (), ("lr", "decay", "rescale"))

    def fused_sgd_mom_update(self, a, weight, grad, mom):
        """sgd_mom_update in one elementwise kernel; ``mom`` in place."""
        plan = sgd_mom_plan(a, weight, grad, mom, self.plan_dtypes)
        return None if plan is None else self._update(
            plan, (weight, grad), (mom,), ("lr", "lr_wd", "momentum", "rescale"))

    def fused_adam_update(self, a, weight, grad, mean, var):
        """adam_update in one elementwise kernel; ``mean`` and ``var`` in place."""
        plan = adam_plan(a, weight, grad, mean, var, self.plan_dtypes)
        return None if plan is None else self._update(
            plan, (weight, grad), (mean, var),
            ("lr", "beta1", "one_minus_beta1", "beta2", "one_minus_beta2", "epsilon", "wd",
             "rescale"))

    def fused_BatchNorm(self, a, x, gamma, beta, moving_mean, moving_var):
        """BatchNorm: one kernel for the per-channel statistics, one for the
        normalization; returns ``(output, mean, invstd)`` as the composite does (the
        running statistics move in the backward, ``_backward_BatchNorm``)."""
        from pymx.base import FLAGS            # the one thing read from pymx itself
        training = FLAGS.training and not a.use_global_stats
        plan = batchnorm_plan(a, x, gamma, beta, moving_mean, moving_var,
                              self.plan_dtypes, training)
        return None if plan is None else self._batchnorm(
            plan, x, gamma, beta, moving_mean, moving_var)
