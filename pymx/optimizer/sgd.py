"""The SGD family: SGD (and its old name ccSGD), NAG, Signum, LARS, LBSGD, DCASGD, SGLD.

Notation in the docstrings: ``g = rescale_grad * grad``, ``clip(x)`` clips to
``[-clip_gradient, clip_gradient]`` (skipped when ``clip_gradient`` is None), ``lr`` and
``wd`` are the weight's effective values (see ``optimizer.py``), ``mu`` the momentum.
"""
import logging
import math
import os
import warnings

import numpy as np

from .. import ndarray as nd
from .optimizer import Optimizer, register, _clip_kwargs, _as_list

__all__ = ["SGD", "ccSGD", "NAG", "Signum", "LARS", "LBSGD", "DCASGD", "SGLD"]


def _mp_state(opt, index, weight, name):
    """The state of the SGD-like optimizers: ``(momentum or None, weight32)`` for a
    float16 weight under ``multi_precision``, else just the momentum (or None)."""
    if opt.multi_precision and weight.dtype == np.float16:
        weight_master_copy = weight.astype(np.float32)
        return (opt.create_state(index, weight_master_copy), weight_master_copy)
    if weight.dtype == np.float16 and not opt.multi_precision:
        warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or "
                      "slow convergence. Consider using multi_precision=True option of the "
                      f"{name} optimizer")
    return opt.create_state(index, weight)


def _momentum_buffer(momentum, weight):
    """A zero momentum buffer like ``weight``, or None when ``momentum`` is 0."""
    if momentum != 0.0:
        return nd.zeros(weight.shape, weight.context, dtype=weight.dtype)
    return None


def _sgd_step(weight, grad, state, lr, wd, multi_precision, **kwargs):
    """One fused SGD step (with momentum if there is a momentum buffer)::

        no momentum: w = (1 - lr*wd) * w - lr * clip(g)
        momentum:    m = mu*m - lr*wd*w - lr*clip(g);  w = w + m

    ``multi_precision``: ``state = (momentum or None, weight32)``; the float32 copy is
    updated and cast into the float16 ``weight``.
    """
    if not multi_precision:
        if state is not None:
            nd.sgd_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            kwargs.pop("momentum", None)
            nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
    else:
        kwargs.pop("lazy_update", None)
        if state[0] is not None:
            nd.mp_sgd_mom_update(weight, grad, state[0], state[1], out=weight,
                                 lr=lr, wd=wd, **kwargs)
        else:
            kwargs.pop("momentum", None)
            nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kwargs)


def _multi_sgd(weights, grads, states, lrs, wds, momentum, multi_precision, **kwargs):
    """Update lists of weights with one ``multi_*sgd*_update`` call, as MXNet's SGD and
    LARS do: ``multi_sgd_update`` (``_mom_`` when ``momentum > 0``, ``_mp_`` for float16
    weights with float32 master copies).  ``lrs``/``wds`` are lists of floats, or two
    float32 NDArrays for the ``preloaded_`` variants (LARS computes them on the device).
    """
    columns = [weights, grads]
    if momentum > 0:
        columns.append([s[0] for s in states] if multi_precision else states)
        kwargs["momentum"] = momentum
    if multi_precision:
        columns.append([s[1] for s in states])
    data = [x for group in zip(*columns) for x in group]
    preloaded = isinstance(lrs, nd.NDArray)
    if preloaded:
        data += [lrs, wds]
    else:
        kwargs.update(lrs=lrs, wds=wds)
    name = ("preloaded_" if preloaded else "") + "multi_" + \
        ("mp_" if multi_precision else "") + "sgd_" + ("mom_" if momentum > 0 else "") + "update"
    getattr(nd, name)(*data, out=list(weights), num_weights=len(weights), **kwargs)


@register
class SGD(Optimizer):
    """Stochastic gradient descent, with momentum and weight decay::

        momentum = 0:  w = (1 - lr*wd) * w - lr * clip(g)
        momentum > 0:  m = mu*m - lr*(clip(g) + wd*w);   w = w + m

    Note the clip applies to ``g`` only, before weight decay is added.

    The ``Updater`` passes up to ``aggregate_num`` weights at once (the environment
    variable ``MXNET_OPTIMIZER_AGGREGATION_SIZE``, default 4), and every update, of one
    weight or of several, is one ``multi_sgd_update`` (``multi_sgd_mom_update``,
    ``multi_mp_sgd_*``) call, as in MXNet 1.9.1.  Its kernel computes
    ``w + (-lr*wd*w - lr*clip(g))``, which rounds differently from ``sgd_update``'s
    ``(1 - lr*wd)*w - ...`` when ``wd != 0`` (``ops/multi_tensor.py``).

    Parameters
    ----------
    momentum : float
        ``mu``; 0 means no momentum buffer at all (the state is None).
    lazy_update : bool
        A row_sparse gradient is applied one weight at a time with ``sgd_update`` /
        ``sgd_mom_update``; with ``lazy_update`` only the rows it stores change (weight
        decay and momentum included), as MXNet's; otherwise it is densified.
    multi_precision : bool
        float16 weights are updated through a float32 master copy (``multi_mp_sgd_*``).
    """

    def __init__(self, momentum=0.0, lazy_update=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "4"))

    def create_state_multi_precision(self, index, weight):
        return _mp_state(self, index, weight, "SGD")

    def create_state(self, index, weight):
        # BEGIN EXERCISE sgd_momentum
        if self.momentum != 0.0:
            return nd.zeros(weight.shape, weight.context, dtype=weight.dtype)
        return None
        # END EXERCISE sgd_momentum

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        indices, weights, grads, states = _as_list(indices, weights, grads, states)
        self._update_count(indices)              # all counted first, then the lrs
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        if any(g.stype != "default" for g in grads):     # row_sparse: one at a time
            for w, g, st, lr, wd in zip(weights, grads, states, lrs, wds):
                _sgd_step(w, g, st, lr, wd, multi_precision, momentum=self.momentum,
                          lazy_update=self.lazy_update, rescale_grad=self.rescale_grad,
                          **_clip_kwargs(self))
            return
        _multi_sgd(weights, grads, states, lrs, wds, self.momentum, multi_precision,
                   rescale_grad=self.rescale_grad, **_clip_kwargs(self))

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        w0 = weight[0] if isinstance(index, (tuple, list)) else weight
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and w0.dtype == np.float16)


@register
class ccSGD(SGD):  # noqa: N801  (MXNet's name)
    """[DEPRECATED] The same as ``SGD``; kept so that ``create('ccsgd')`` works."""


@register
class NAG(Optimizer):
    """Nesterov accelerated gradient (``mx.nd.nag_mom_update``)::

        d = clip(g) + wd*w
        w = w + mu*(mu*m - lr*d) - lr*d
        m = mu*m - lr*d

    i.e. the weight steps by the *look-ahead* momentum.  Quirk of MXNet 1.9.1's kernel:
    it writes the weight first and then recomputes ``d`` for the momentum from the
    *written* output, so with ``out=weight`` (as here) the momentum sees the new weight
    in its ``wd*w`` term.  Without momentum it is plain SGD (``sgd_update``).
    ``multi_precision`` as in SGD.
    """

    def __init__(self, momentum=0.0, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum

    def create_state_multi_precision(self, index, weight):
        return _mp_state(self, index, weight, "NAG")

    def create_state(self, index, weight):
        return _momentum_buffer(self.momentum, weight)

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = {"rescale_grad": self.rescale_grad, **_clip_kwargs(self)}
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if not multi_precision:
            if state is not None:
                nd.nag_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
            else:
                nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
        elif state[0] is not None:
            nd.mp_nag_mom_update(weight, grad, state[0], state[1], out=weight,
                                 lr=lr, wd=wd, **kwargs)
        else:
            nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kwargs)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        use_mp = self.multi_precision and weight.dtype == np.float16 \
            and isinstance(state, (tuple, list))
        self._update_impl(index, weight, grad, state, multi_precision=use_mp)


@register
class Signum(Optimizer):
    """Signum: SGD that steps by the *sign* of the momentum (``mx.nd.signum_update``)::

        m = mu*m - (1-mu) * (clip(g) + wd*w)
        w = (1 - lr*wd_lh) * w + lr * sign(m)

    With ``momentum=0`` it is signSGD (``mx.nd.signsgd_update``): ``w = (1-lr*wd)*w -
    lr*sign(grad)`` (the sign makes rescaling and clipping irrelevant).  ``wd_lh`` is the
    decoupled weight decay of Loshchilov & Hutter.  Defaults: lr 0.01, momentum 0.9.
    """

    def __init__(self, learning_rate=0.01, momentum=0.9, wd_lh=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh

    def create_state(self, index, weight):
        return _momentum_buffer(self.momentum, weight)

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = {"rescale_grad": self.rescale_grad, **_clip_kwargs(self)}
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if state is not None:
            if self.wd_lh:
                kwargs["wd_lh"] = self.wd_lh
            nd.signum_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            kwargs.pop("momentum", None)
            nd.signsgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)


@register
class LARS(Optimizer):
    """Layer-wise Adaptive Rate Scaling (You et al. 2017): SGD whose lr is scaled per layer::

        lr_layer = lr * eta * ||w|| / (||g|| + wd*||w|| + eps)   if ||w|| > 0 and ||g|| > 0
                 = lr                                           otherwise

    with ``||g|| = rescale_grad * ||grad||`` (unclipped), computed as MXNet does, in
    float32 on the device: ``multi_sum_sq`` of the weights and of the gradients, then
    ``multi_lars``.  Weights whose name ends in ``gamma``, ``beta`` or ``bias`` keep the
    plain lr.  The SGD step is ``preloaded_multi_sgd_*update`` (the lrs stay arrays).  Then one SGD step with momentum
    ``mu * cur_lr/last_lr`` when ``momentum_correction`` (Goyal et al.: rescale the momentum
    when a scheduler changes the global lr).  Only names ending ``_weight`` get weight
    decay on the Module path (``set_wd_mult`` differs from the base class: ``_gamma`` too
    gets 0).
    """

    _decayed_suffixes = ("_weight",)      # base class: ("_weight", "_gamma")

    def __init__(self, momentum=0.0, lazy_update=True, eta=0.001, eps=0,
                 momentum_correction=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.momentum_correction = momentum_correction
        self.lazy_update = lazy_update
        self.aggregate_num = 4
        self.eta = eta
        self.eps = eps
        self.skip = 0
        self.last_lr = None
        self.cur_lr = None

    def _get_lrs(self, indices):
        """As the base class, but remembers the previous and current global lr."""
        if self.cur_lr is not None:
            self.last_lr = self.cur_lr
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        if self.cur_lr is None:
            self.last_lr = lr
        self.cur_lr = lr
        return self._with_mults(lr, indices, "lr")

    def create_state_multi_precision(self, index, weight):
        return _mp_state(self, index, weight, "SGD")

    def create_state(self, index, weight):
        return _momentum_buffer(self.momentum, weight)

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        indices, weights, grads, states = _as_list(indices, weights, grads, states)
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        momentum = self.momentum
        if momentum > 0 and self.momentum_correction and self.last_lr != 0:
            momentum = momentum * (self.cur_lr / self.last_lr)
        # As MXNet: the LARS weights first, then those that keep their lr; the
        # coefficients by multi_sum_sq + multi_lars, in float32, on the device.
        names = [self.idx2name.get(i, str(i)) for i in indices]
        exempt = [n.endswith(("gamma", "beta", "bias")) for n in names]
        order = [i for i, e in enumerate(exempt) if not e] + [i for i, e in enumerate(exempt) if e]
        nb_lars = exempt.count(False)
        ctx = weights[0].context
        new_lrs = nd.array([lrs[i] for i in order], ctx=ctx, dtype="float32")
        new_wds = nd.array([wds[i] for i in order], ctx=ctx, dtype="float32")
        weights, grads, states = ([xs[i] for i in order] for xs in (weights, grads, states))
        if nb_lars > 0:
            w_sum_sq = nd.multi_sum_sq(*weights[:nb_lars], num_arrays=nb_lars)
            g_sum_sq = nd.multi_sum_sq(*grads[:nb_lars], num_arrays=nb_lars)
            nd.multi_lars(new_lrs[:nb_lars], w_sum_sq, g_sum_sq, new_wds[:nb_lars],
                          eta=self.eta, eps=self.eps, rescale_grad=self.rescale_grad,
                          out=new_lrs[:nb_lars])
        for start in range(0, len(weights), self.aggregate_num):
            part = slice(start, start + self.aggregate_num)
            _multi_sgd(weights[part], grads[part], states[part], new_lrs[part],
                       new_wds[part], momentum, multi_precision,
                       rescale_grad=self.rescale_grad, **_clip_kwargs(self))

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        w0 = weight[0] if isinstance(index, (tuple, list)) else weight
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and w0.dtype == np.float16)


@register
class LBSGD(Optimizer):
    """Large-batch SGD: emulates a batch ``batch_scale`` times larger by *accumulating*
    gradients and stepping once every ``batch_scale`` calls, with an lr warmup.

    Per call: ``cum_grad += grad``; when the per-index counter ``num_cums`` (starting at
    ``begin_epoch*updates_per_epoch + 1``) is a multiple of ``batch_scale``, take one SGD
    step with ``grad = cum_grad/batch_scale`` and ``lr * mult``, where for
    ``nup = num_cums < nwup = warmup_epochs*updates_per_epoch``::

        linear: mult = 1 + (batch_scale-1) * nup/nwup
        power2: mult = 1 + (batch_scale-1) * (nup/nwup)**2
        sqrt:   mult = 1 + (batch_scale-1) * sqrt(nup/nwup)
        lars:   mult = clip(sqrt(||w||^2 / (||g||^2 + wd*||w||^2 + 1e-18)), 0.01, 100)

    and ``mult = batch_scale`` after the warmup.  The other calls run ``sgd_update`` with
    lr 0 (the weight does not move).  Quirk kept: the lr is read *before* the update is
    counted.
    """

    def __init__(self, momentum=0.0, multi_precision=False, warmup_strategy="linear",
                 warmup_epochs=5, batch_scale=1, updates_per_epoch=32, begin_epoch=0,
                 num_epochs=60, **kwargs):
        super().__init__(**kwargs)
        logging.info("Running Large-Batch SGD Algorithm")
        self.momentum = momentum
        self.multi_precision = multi_precision
        self.warmup_strategy = warmup_strategy
        self.warmup_epochs = warmup_epochs
        self.batch_scale = batch_scale
        self.updates_per_epoch = updates_per_epoch
        self.init_updates = begin_epoch * updates_per_epoch
        self.num_epochs = num_epochs
        self.lbmult = 1
        self.cumgrads = {}
        self.adaptive = False
        self.admult = 1

    def create_state(self, index, weight):
        if self.multi_precision and weight.dtype == np.float16:
            weight_master_copy = weight.astype(np.float32)
            return (_momentum_buffer(self.momentum, weight_master_copy), weight_master_copy)
        if weight.dtype == np.float16 and not self.multi_precision:
            warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy "
                          "or slow convergence. Consider using multi_precision=True option "
                          "of the SGD optimizer")
        return _momentum_buffer(self.momentum, weight)

    def _get_lbmult(self, nup):
        """The warmup multiplier at accumulation count ``nup`` (see the class doc)."""
        nwup = self.warmup_epochs * self.updates_per_epoch
        maxmult = float(self.batch_scale)
        if nup >= nwup:
            return maxmult
        if nwup <= 1:
            return 1.0
        if self.warmup_strategy == "linear":
            return 1.0 + (maxmult - 1) * nup / nwup
        if self.warmup_strategy == "power2":
            return 1.0 + (maxmult - 1) * (nup * nup) / (nwup * nwup)
        if self.warmup_strategy == "sqrt":
            return 1.0 + (maxmult - 1) * math.sqrt(float(nup) / nwup)
        return 1.0

    def _l2norm(self, v):
        """The squared norm ``sum(v*v)`` (MXNet's name for it), on the host."""
        return float((v * v).asnumpy().sum())

    def _get_lars(self, weight, g, wd):
        """The 'lars' warmup multiplier, clipped to [0.01, 100]."""
        weight2 = self._l2norm(weight)
        grad2 = self._l2norm(g)
        lars = math.sqrt(weight2 / (grad2 + wd * weight2 + 1e-18))
        return min(max(lars, 0.01), 100)

    def _cumulate_gradient(self, grad, index):
        """Add ``grad`` to index's running sum; returns ``{'cum_grad', 'num_cums'}``."""
        cgrad = self.cumgrads.get(index, {})
        if cgrad and cgrad["num_cums"] > 0:
            cum_grad, num_cums = cgrad["cum_grad"] + grad, cgrad["num_cums"] + 1
        else:
            cum_grad, num_cums = grad, self.init_updates + 1
        cgrad = {"cum_grad": cum_grad, "num_cums": num_cums}
        self.cumgrads[index] = cgrad
        return cgrad

    def update(self, index, weight, grad, state):
        lr = self._get_lr(index)
        wd = self._get_wd(index)
        self._update_count(index)
        cgrad = self._cumulate_gradient(grad, index)
        if cgrad["num_cums"] % self.batch_scale == 0:
            grad = cgrad["cum_grad"] / self.batch_scale
            if self.warmup_strategy == "lars":
                lbmult = self._get_lars(weight, grad, wd)
            else:
                lbmult = self._get_lbmult(cgrad["num_cums"])
            kwargs = {"rescale_grad": self.rescale_grad, **_clip_kwargs(self)}
            if self.momentum > 0:
                kwargs["momentum"] = self.momentum
            _sgd_step(weight, grad, state, lr * lbmult, wd,
                      isinstance(state, (list, tuple)), **kwargs)
            self.cumgrads[index]["cum_grad"] = 0       # reset the accumulated gradient
        else:
            nd.sgd_update(weight, grad, out=weight, lr=0.0, wd=wd)


@register
class DCASGD(Optimizer):
    """Delay-compensated asynchronous SGD (Zheng et al. 2016), in Python::

        g' = clip(g)
        m  = mu*m - lr*(g' + wd*w + lamda * g'^2 * (w - w_prev))   (mu=0: m is just the step)
        w_prev = w;   w = w + m

    The state is ``(momentum or None, w_prev)``; ``w_prev`` starts as a copy of ``w``.
    """

    def __init__(self, momentum=0.0, lamda=0.04, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.weight_previous = {}
        self.lamda = lamda

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return (None, weight.copy())
        return (nd.zeros(weight.shape, weight.context, dtype=weight.dtype), weight.copy())

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        grad = grad * self.rescale_grad
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        mom, previous_weight = state
        step = -lr * (grad + wd * weight + self.lamda * grad * grad * (weight - previous_weight))
        if mom is not None:
            mom *= self.momentum
            mom += step
        else:
            mom = step
        weight.copyto(previous_weight)
        weight += mom


@register
class SGLD(Optimizer):
    """Stochastic Gradient Langevin Dynamics: a half gradient step plus Gaussian noise::

        w = w - lr/2 * (clip(g) + wd*w) + N(0, sqrt(lr))

    The noise is drawn with ``mx.nd.random.normal``, so ``mx.random.seed`` fixes it (but
    the numbers differ from MXNet's generator).
    """

    def create_state(self, index, weight):
        return None

    def update(self, index, weight, grad, state):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        grad = grad * self.rescale_grad
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        weight += -lr / 2 * (grad + wd * weight)
        weight += nd.random.normal(0, math.sqrt(lr), shape=weight.shape,
                                   dtype=weight.dtype, ctx=weight.context)
