"""The optimizer base class, its registry, and the ``Updater`` that KVStore/Trainer call.

An optimizer turns a gradient into a weight change.  MXNet 1.9.1 splits the job in two:

* ``Optimizer`` knows the *rule* (SGD, Adam, ...) and the hyper-parameters.  For every
  weight it creates a *state* once (``create_state``: momentum, moving averages, ...) and
  then applies ``update(index, weight, grad, state)``, which **writes into ``weight`` and
  ``state`` in place**.  Most rules are one fused operator (``mx.nd.sgd_mom_update``,
  ``mx.nd.adam_update``, ...) called with ``out=weight``; a few are written in Python
  with ``mx.nd`` arithmetic (AdaGrad, AdaDelta, Adamax, Nadam, DCASGD, SGLD, LBSGD).
* ``Updater`` owns the states (a dict ``index -> state``) and is what KVStore and
  ``gluon.Trainer`` call, as **``updater(index, grad, weight)``** (grad before weight: the
  opposite of ``Optimizer.update``).

Per-weight learning rate and weight decay
-----------------------------------------
``lr = scheduler(num_update) if lr_scheduler else self.lr``, then multiplied by the first
multiplier found for the weight's ``index``:

1. ``param_dict[index].lr_mult`` (Gluon: the ``Parameter``),
2. ``lr_mult[index]`` (set with ``set_lr_mult({index: m})``),
3. ``lr_mult[idx2name[index]]`` (by name, the Module path), default 1.

``wd`` is the same with ``wd_mult``.  The **Module-path quirk**: when ``param_idx2name`` is
given, ``set_wd_mult`` gives every name that does not end in ``_weight`` or ``_gamma`` a
``wd_mult`` of 0 (biases and betas get no decay), unless the symbol's ``__wd_mult__``
attribute says otherwise.  Gluon's ``Parameter.wd_mult`` defaults to 1 for everything.

Update counts
-------------
``_update_count(index)`` is called by every rule before it asks for its lr: it increments
the weight's own count (which starts at ``begin_num_update``) and sets ``num_update`` to the
maximum count over all weights.  The scheduler sees ``num_update`` (1 on the first update);
Adam-like bias corrections use the weight's own count ``t``.  Counts are kept per device
(``_set_current_context``), as MXNet does for multi-GPU Module training.

Chapter 8 (training machinery) teaches this package.
"""
import pickle
import warnings

import numpy as np

from .. import ndarray as nd
from ..base import register_class
from ..ndarray import NDArray

__all__ = ["Optimizer", "Updater", "get_updater", "create", "register", "Test"]


class Optimizer:
    """The base class of every optimizer.

    Parameters
    ----------
    rescale_grad : float
        Multiply the gradient by this before using it (Trainer sets ``1/batch_size``).
    param_idx2name : dict of int to str
        Index -> parameter name; enables the name-based lr/wd multipliers (Module path).
    wd : float
        Weight decay (L2 penalty ``wd/2 * ||w||^2``, i.e. ``wd * w`` added to the gradient).
    clip_gradient : float or None
        Clip the (rescaled) gradient to ``[-clip_gradient, clip_gradient]``.  Fused rules
        treat ``0`` like ``None`` (no clipping); Python rules test ``is not None``, so ``0``
        clips every gradient to 0 there (MXNet's behaviour, kept).
    learning_rate : float or None
        The learning rate.  ``None`` and no scheduler -> 0.01.  Given together with a
        scheduler, it overwrites the scheduler's ``base_lr`` (and prints a warning).
    lr_scheduler : LRScheduler or None
        Called with ``num_update`` to get the learning rate.
    sym : Symbol or None
        Its variables' ``__lr_mult__``/``__wd_mult__`` attributes set the multipliers.
    begin_num_update : int
        The update count each weight starts from.
    multi_precision : bool
        For float16 weights keep a float32 master copy in the state and update that.
    param_dict : dict of int to gluon.Parameter
        Gluon's parameters, read for ``lr_mult``/``wd_mult``; not pickled.
    """

    opt_registry = {}
    # ``set_wd_mult`` keeps weight decay on names ending so (LARS: "_weight" only)
    _decayed_suffixes = ("_weight", "_gamma")

    def __init__(self, rescale_grad=1., param_idx2name=None, wd=0., clip_gradient=None,
                 learning_rate=None, lr_scheduler=None, sym=None, begin_num_update=0,
                 multi_precision=False, param_dict=None):
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if self.lr_scheduler is None and learning_rate is None:
            learning_rate = 0.01
        self.lr = learning_rate
        if self.lr_scheduler is not None and learning_rate is not None:
            if self.lr_scheduler.base_lr != learning_rate:
                # MXNet prints (does not warn) here.
                print(UserWarning("learning rate from ``lr_scheduler`` has been "
                                  "overwritten by ``learning_rate`` in optimizer."))
                self.lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.lr_mult = {}
        self.wd_mult = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._all_index_update_counts = {0: {}}
        self._index_update_count = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        self.aggregate_num = 0      # > 0: the Updater passes lists of up to this many weights
        if param_idx2name is None:
            param_idx2name = {}
        assert isinstance(param_idx2name, dict), \
            "param_idx2name should be a dict of param indexes to names."
        self.idx2name = param_idx2name.copy()
        self.sym_info = (sym.attr_dict(), sym.list_arguments()) if sym is not None else ()
        self.param_dict = param_dict if param_dict else {}
        self.set_lr_mult({})
        self.set_wd_mult({})

    # ---- registry ----------------------------------------------------------------------
    @staticmethod
    def register(klass):
        """Class decorator: make ``klass`` creatable as ``create(klass.__name__.lower())``.

        Registering a second class under the same name warns and replaces the first.
        """
        assert isinstance(klass, type)
        return register_class(Optimizer.opt_registry, klass, "optimizer")

    @staticmethod
    def create_optimizer(name, **kwargs):
        """An instance of the optimizer registered as ``name`` (case-insensitive).

        >>> type(create('Adam', learning_rate=0.1)).__name__
        'Adam'
        """
        if name.lower() in Optimizer.opt_registry:
            return Optimizer.opt_registry[name.lower()](**kwargs)
        raise ValueError(f"Cannot find optimizer {name}")

    # ---- learning rate -----------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current global lr: the scheduler's value at ``num_update``, else ``self.lr``."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr):
        """Set the global lr.  Raises ``UserWarning`` (as an exception) if a scheduler is set,
        because the scheduler owns the lr then."""
        if self.lr_scheduler is not None:
            raise UserWarning("LRScheduler of the optimizer has already been defined. Note "
                              "that set_learning_rate can mutate the value of the learning "
                              "rate of the optimizer only when the LRScheduler of the "
                              "optimizer is undefined.")
        self.lr = lr

    def set_lr_scale(self, args_lrscale):
        """[DEPRECATED] use ``set_lr_mult``."""
        raise DeprecationWarning

    def set_lr_mult(self, args_lr_mult):
        """Set per-parameter lr multipliers: ``{name or index: mult}``.

        Starts from the symbol's ``__lr_mult__`` attributes (if ``sym`` was given), then
        applies ``args_lr_mult``.  Replaces (does not merge with) earlier calls.
        """
        self.lr_mult = {}
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and "__lr_mult__" in attr[name]:
                    self.lr_mult[name] = float(attr[name]["__lr_mult__"])
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult):
        """Set per-parameter wd multipliers: ``{name or index: mult}``.

        Every name in ``param_idx2name`` not ending in ``_weight``/``_gamma`` first gets 0
        (no decay on biases, betas, ...); then the symbol's ``__wd_mult__`` attributes;
        then ``args_wd_mult``.
        """
        self.wd_mult = {}
        for n in self.idx2name.values():
            if not n.endswith(self._decayed_suffixes):
                self.wd_mult[n] = 0.0
        if self.sym_info:
            attr, arg_names = self.sym_info
            for name in arg_names:
                if name in attr and "__wd_mult__" in attr[name]:
                    self.wd_mult[name] = float(attr[name]["__wd_mult__"])
        self.wd_mult.update(args_wd_mult)

    # ---- counts ------------------------------------------------------------------------
    def _set_current_context(self, device_id):
        """Switch to the update counts of device ``device_id`` (one dict per device)."""
        if device_id not in self._all_index_update_counts:
            self._all_index_update_counts[device_id] = {}
        self._index_update_count = self._all_index_update_counts[device_id]

    def _update_count(self, index):
        """Count one more update of ``index`` (an int or a list); refresh ``num_update``."""
        if not isinstance(index, (list, tuple)):
            index = [index]
        for idx in index:
            if idx not in self._index_update_count:
                self._index_update_count[idx] = self.begin_num_update
            self._index_update_count[idx] += 1
            self.num_update = max(self._index_update_count[idx], self.num_update)

    def _with_mults(self, value, indices, kind):
        """``value`` once per index, times its ``kind`` ('lr' or 'wd') multiplier: the
        Parameter's ``lr_mult``/``wd_mult``, else ``self.lr_mult[index]``, else by name."""
        mults = getattr(self, kind + "_mult")
        values = [value for _ in indices]
        for i, index in enumerate(indices):
            if index in self.param_dict:
                values[i] *= getattr(self.param_dict[index], kind + "_mult")
            elif index in mults:
                values[i] *= mults[index]
            elif index in self.idx2name:
                values[i] *= mults.get(self.idx2name[index], 1.0)
        return values

    def _get_lrs(self, indices):
        """The effective learning rates of ``indices`` (global lr times multiplier)."""
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        return self._with_mults(lr, indices, "lr")

    def _get_lr(self, index):
        """The effective learning rate of one weight."""
        return self._get_lrs([index])[0]

    def _get_wds(self, indices):
        """The effective weight decays of ``indices`` (``wd`` times multiplier)."""
        return self._with_mults(self.wd, indices, "wd")

    def _get_wd(self, index):
        """The effective weight decay of one weight."""
        return self._get_wds([index])[0]

    # ---- states and updates --------------------------------------------------------------
    def create_state(self, index, weight):
        """The auxiliary state of ``weight`` (None, an NDArray, or a tuple of them).
        Called once per weight, before its first update."""
        return None

    def create_state_multi_precision(self, index, weight):
        """``create_state``, plus a float32 master copy of a float16 weight when
        ``multi_precision``: the state is then ``(weight32, state_of_weight32)``.

        (SGD, NAG and LARS override this and order the pair ``(state, weight32)``, the
        order their fused ``mp_*`` operators take.)  A float16 weight without
        ``multi_precision`` warns: accumulating in float16 loses small updates.
        """
        if self.multi_precision and weight.dtype == np.float16:
            weight_master_copy = weight.astype(np.float32)
            return (weight_master_copy,) + (self.create_state(index, weight_master_copy),)
        if weight.dtype == np.float16 and not self.multi_precision:
            warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy "
                          "or slow convergence. Consider using multi_precision=True option "
                          "of the optimizer")
        return self.create_state(index, weight)

    def update(self, index, weight, grad, state):
        """Apply one update: write the new ``weight`` (and ``state``) in place."""
        raise NotImplementedError()

    def update_multi_precision(self, index, weight, grad, state):
        """``update``, or for a float16 weight with ``multi_precision``: update the float32
        master copy ``state[0]`` with a float32 copy of ``grad``, then cast it into
        ``weight``."""
        if self.multi_precision and weight.dtype == np.float16:
            weight_master_copy, original_state = state[0], state[1]
            grad32 = grad.astype(np.float32)
            self.update(index, weight_master_copy, grad32, original_state)
            nd.cast(weight_master_copy, dtype=weight.dtype, out=weight)
        else:
            self.update(index, weight, grad, state)

    # ---- pickling (Updater.get_states(dump_optimizer=True)) ------------------------------
    def __getstate__(self):
        ret = self.__dict__.copy()
        del ret["param_dict"]             # Gluon Parameters are not saved with the optimizer
        return ret

    def __setstate__(self, state):
        self.__dict__ = state
        self.param_dict = {}


register = Optimizer.register
create = Optimizer.create_optimizer


def _clip_kwargs(opt, key="clip_gradient"):
    """``{key: clip_gradient}`` if clipping is on (truthy), else ``{}`` (the fused ops'
    default -1 means "no clipping")."""
    return {key: opt.clip_gradient} if opt.clip_gradient else {}


def _as_list(index, weight, grad, state):
    """Normalise a single update or an aggregated one (lists) to four lists."""
    if isinstance(index, (tuple, list)):
        return list(index), list(weight), list(grad), list(state)
    return [index], [weight], [grad], [state]


@register
class Test(Optimizer):
    """The optimizer of MXNet's unit tests: ``weight += rescale_grad * grad`` and the state
    becomes a copy of the new weight.  It does not count updates."""

    def create_state(self, index, weight):
        return nd.zeros(weight.shape, weight.context)

    def update(self, index, weight, grad, state):
        weight += grad * self.rescale_grad
        weight.copyto(state)


class Updater:
    """Holds the optimizer states and applies updates: ``updater(index, grad, weight)``.

    ``index``, ``grad`` and ``weight`` may be single items or equal-length lists.  The
    first time an index is seen its state is created with
    ``optimizer.create_state_multi_precision``.  If the optimizer has ``aggregate_num > 0``
    (SGD, LARS: 4; LAMB: 45) the weights are grouped by dtype and handed to
    ``update_multi_precision`` as lists of up to ``aggregate_num`` (MXNet then calls one
    multi-tensor operator; pymx loops, with the same counts, lrs and results).

    ``get_states(dump_optimizer=False)`` returns the states (optionally with the optimizer)
    as **pickled bytes**, and ``set_states`` reads them back, exactly as MXNet does; these
    are the bytes ``Trainer.save_states``/``Module.save_optimizer_states`` write.  Like any
    pickle, only load files you trust (your own checkpoints).
    """

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.states = {}
        self.states_synced = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index, grad, weight):
        if not isinstance(index, (list, tuple)):
            indices, grads, weights = [index], [grad], [weight]
        else:
            indices, grads, weights = list(index), list(grad), list(weight)
        if weights:
            self.optimizer._set_current_context(weights[0].context.device_id)
        for i, idx in enumerate(indices):
            if isinstance(idx, bytes):    # keys may arrive as C strings from a kvstore
                indices[i] = idx = idx.decode()
            if idx not in self.states:
                self.states[idx] = self.optimizer.create_state_multi_precision(idx, weights[i])
                self.states_synced[idx] = True
            elif not self.states_synced[idx]:
                self.states[idx] = self.sync_state_context(self.states[idx],
                                                           weights[i].context)
                self.states_synced[idx] = True
        if self.aggregate_updates:
            type_map = {}
            for i, w, g in zip(indices, weights, grads):
                type_map.setdefault(w.dtype, []).append((i, w, g))
            n = self.optimizer.aggregate_num
            for group in type_map.values():
                idxs, ws, gs = zip(*group)
                for start in range(0, len(idxs), n):
                    self.optimizer.update_multi_precision(
                        idxs[start:start + n], ws[start:start + n], gs[start:start + n],
                        [self.states[j] for j in idxs[start:start + n]])
        else:
            for i, w, g in zip(indices, weights, grads):
                self.optimizer.update_multi_precision(i, w, g, self.states[i])

    def sync_state_context(self, state, context):
        """Move a state (NDArray, or nested tuple/list of them) to ``context``."""
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            synced = [self.sync_state_context(s, context) for s in state]
            return tuple(synced) if isinstance(state, tuple) else synced
        return state

    def set_states(self, states):
        """Load states from ``get_states`` bytes (a pickle: trusted data only)."""
        states = pickle.loads(states)
        if isinstance(states, tuple) and len(states) == 2:
            self.states, self.optimizer = states
        else:
            self.states = states
        self.states_synced = dict.fromkeys(self.states.keys(), False)

    def get_states(self, dump_optimizer=False):
        """The states as pickled bytes; with ``dump_optimizer`` the pair (states, optimizer),
        which also saves the lr, the schedule and the update counts."""
        return pickle.dumps((self.states, self.optimizer) if dump_optimizer else self.states)


def get_updater(optimizer):
    """The ``Updater`` (a callable ``updater(index, grad, weight)``) for ``optimizer``."""
    return Updater(optimizer)
