"""``Trainer``: applies an optimizer to a set of Parameters.

The training loop of Gluon::

    with autograd.record():
        loss = loss_fn(net(x), y)          # one value per sample
    loss.backward()                        # gradient of the *sum* over the batch
    trainer.step(batch_size)               # w -= lr * grad / batch_size (for SGD)

``step(batch_size)`` is ``allreduce_grads()`` (when a parameter lives on several
contexts, its gradients are **summed** and the sum written back to every copy) followed
by ``update(batch_size)``: the optimizer runs on every copy with
``rescale_grad = 1 / batch_size``, so all copies stay equal.

A parameter whose gradient was not written by a backward since the last step is
*stale*: ``step`` raises ``UserWarning`` (as an exception, like MXNet) unless
``ignore_stale_grad=True``, which skips those parameters.

How the gradients of several contexts meet (MXNet 1.9.1, ``mx.model._create_kvstore``):

* ``kvstore='device'`` (default) or ``'local'`` with **one** context: no store at all,
  the optimizer runs on the only copy.
* With several contexts (or any ``dist_*`` store) a ``mx.kv`` store is created at the
  first ``step`` (so deferred-init parameters have their shapes); every parameter is
  ``broadcast`` into it (key = its index), which also makes all copies equal.
* ``update_on_kvstore`` (None: ``MXNET_UPDATE_ON_KVSTORE``, default 1): the store runs
  the optimizer; ``step`` is ``kv.pushpull(i, grads, out=weights)``: gradients go
  in, summed, updated weights come out, with one optimizer state per parameter.
  ``False``: ``kv.pushpull(i, grads)`` writes the *sum* back into every gradient and
  each context runs its own updater (its own state) on it: the same numbers.
  ``allreduce_grads``/``update`` need ``update_on_kvstore=False``.
* ``kvstore=None`` with several contexts: nothing is summed, each copy follows its
  own gradient (the copies drift apart, as in MXNet).
* ``dist_*``: the gradients of all workers are summed (pass the global batch size
  to ``step``); rank 0's weights are broadcast at the first ``step``, i.e. *after* the
  first backward, so seed every worker alike; ``dist_async`` forces
  ``update_on_kvstore=True``.  ``compression_params`` go to
  ``kv.set_gradient_compression``.

The store holds its own copy of the weights, so when a parameter's value changes after
the first ``step`` while the store runs the optimizer (``set_data``,
``load_parameters``, ``reset_ctx``), the parameter calls ``trainer._reset_kvstore()``
and the next ``step`` starts a new store from the new values (as in MXNet).
"""
from .. import optimizer as opt
from ..model import _create_kvstore
from .parameter import ParameterDict, Parameter

__all__ = ["Trainer"]


class Trainer:
    """Updates ``params`` with ``optimizer``.

    Parameters
    ----------
    params : ParameterDict, dict or list of Parameter
        A dict is taken in sorted key order (the index of each parameter is its
        position, which is the optimizer's state key).
    optimizer : str or Optimizer
    optimizer_params : dict
        Keyword arguments of ``mx.optimizer.create`` (``learning_rate``, ``wd``, ...);
        must be empty when ``optimizer`` is an instance.
    kvstore : str, KVStore or None
        A ``mx.kv.create`` name ('device', 'local', 'dist_sync', ...) or a store.
    compression_params : dict
        e.g. ``{'type': '2bit', 'threshold': 0.5}`` (``device`` and ``dist_*`` stores).
    update_on_kvstore : bool or None
        Run the optimizer on the store (see the module docstring).
    """

    def __init__(self, params, optimizer, optimizer_params=None, kvstore="device",
                 compression_params=None, update_on_kvstore=None):
        if isinstance(params, (dict, ParameterDict)):
            params = [params[key] for key in sorted(list(params.keys()))]
        if not isinstance(params, (list, tuple)):
            raise ValueError(f"First argument must be a list or dict of Parameters, got "
                             f"{type(params)}.")
        self._params = []
        self._param2idx = {}
        for i, param in enumerate(params):
            if not isinstance(param, Parameter):
                raise ValueError(f"First argument must be a list or dict of Parameters, "
                                 f"got list of {type(param)}.")
            self._param2idx[param.name] = i
            self._params.append(param)
            param._set_trainer(self)
        self._compression_params = compression_params
        self._contexts = self._check_contexts()
        self._init_optimizer(optimizer, optimizer_params or {})
        self._scale = self._optimizer.rescale_grad
        if kvstore is not None and not isinstance(kvstore, str) and \
                not hasattr(kvstore, "pushpull"):
            raise TypeError(f"kvstore must be a str, a KVStore or None, got {type(kvstore)}")
        self._kvstore_params = {"kvstore": kvstore, "update_on_kvstore": update_on_kvstore}
        self._kv_initialized = False
        self._kvstore = None
        self._update_on_kvstore = None
        self._distributed = None
        self._params_to_init = []
        self._reset_kvstore()

    def _check_contexts(self):
        contexts = None
        for param in self._params:
            ctx = param.list_ctx()
            if contexts is not None and contexts != ctx:
                raise AssertionError(
                    "All Parameters must be initialized on the same set of contexts, but "
                    f"Parameter {param.name} is initialized on {ctx} while previous "
                    f"Parameters are initialized on {contexts}.")
            contexts = ctx
        return contexts or []

    def _init_optimizer(self, optimizer, optimizer_params):
        param_dict = {i: param for i, param in enumerate(self._params)}
        if isinstance(optimizer, opt.Optimizer):
            if optimizer_params:
                raise AssertionError("optimizer_params must be None if optimizer is an "
                                     "instance of Optimizer instead of str")
            self._optimizer = optimizer
            self._optimizer.param_dict = param_dict
        else:
            self._optimizer = opt.create(optimizer, param_dict=param_dict, **optimizer_params)
        self._updaters = [opt.get_updater(self._optimizer) for _ in self._contexts]

    # ---- the kvstore -------------------------------------------------------------------
    def _reset_kvstore(self):
        """Forget the store: it is made again (and refilled) at the next ``step``."""
        if self._kvstore and "dist" in self._kvstore.type:
            raise RuntimeError("Cannot reset distributed KVStore.")
        self._kv_initialized = False
        self._kvstore = None
        self._distributed = None
        self._update_on_kvstore = None
        self._params_to_init = list(self._params)

    def _init_kvstore(self):
        """Create the store and decide ``update_on_kvstore`` (MXNet's rules)."""
        config = self._kvstore_params
        kvstore, update_on_kvstore = _create_kvstore(      # reads only each .shape
            config["kvstore"], len(self._contexts), {p.name: p for p in self._params})
        self._distributed = "dist" in kvstore.type if kvstore else False
        if self._distributed and "async" in kvstore.type:
            update_on_kvstore = True
            if config["update_on_kvstore"] is False:
                raise ValueError("Please set update_on_kvstore=True when training in "
                                 "async mode.")
        if config["update_on_kvstore"] is not None:
            update_on_kvstore = config["update_on_kvstore"]
        if update_on_kvstore and kvstore is not None and not kvstore.is_capable("optimizer"):
            if config["update_on_kvstore"]:
                raise ValueError("Please set update_on_kvstore=False when training with "
                                 f"{type(kvstore)}")
            update_on_kvstore = False
        if kvstore:
            if self._compression_params:
                kvstore.set_gradient_compression(self._compression_params)
            if update_on_kvstore:
                kvstore.set_optimizer(self._optimizer)
            self._kvstore = kvstore
            self._update_on_kvstore = bool(update_on_kvstore)
        else:
            self._kvstore = None
            self._update_on_kvstore = None
        self._kv_initialized = True

    def _init_params(self):
        """Broadcast each parameter (key: its index) into the store and to all its
        copies; parameters still waiting for deferred init are kept for later."""
        waiting = []
        if self._kvstore:
            for param in self._params_to_init:
                if param._deferred_init:
                    waiting.append(param)
                    continue
                arrays = param._check_and_get(param._data, list)
                self._kvstore.broadcast(self._param2idx[param.name], arrays[0], arrays)
        self._params_to_init = waiting

    def _ensure_kvstore(self):
        if not self._kv_initialized:
            self._init_kvstore()
        if self._params_to_init:
            self._init_params()

    def _check_and_rescale_grad(self, scale):
        if self._update_on_kvstore and self._distributed and self._kv_initialized:
            if self._optimizer.rescale_grad != scale:
                raise UserWarning("Possible change in the `batch_size` from previous `step` "
                                  "detected. Optimizer gradient normalizing factor will not "
                                  "change w.r.t new batch_size when update_on_kvstore=True "
                                  "and when distributed kvstore is used.")
        self._optimizer.rescale_grad = scale

    # ---- learning rate -----------------------------------------------------------------
    @property
    def learning_rate(self):
        """The optimizer's current learning rate."""
        return self._optimizer.learning_rate

    @property
    def optimizer(self):
        return self._optimizer

    def set_learning_rate(self, lr):
        """Set the optimizer's learning rate (UserWarning raised if it has a scheduler)."""
        self._optimizer.set_learning_rate(lr)

    # ---- the step ----------------------------------------------------------------------
    def step(self, batch_size, ignore_stale_grad=False):
        """``allreduce_grads()`` then the update with ``rescale_grad = 1/batch_size``.
        Call it after ``backward`` and outside ``record()``."""
        self._check_and_rescale_grad(self._scale / batch_size)
        self._ensure_kvstore()
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self):
        """Sum each parameter's gradients over its contexts (and workers), written back
        to every copy.  For doing something with the summed gradients (clipping)
        before ``update``; needs ``update_on_kvstore=False``."""
        self._ensure_kvstore()
        if self._kvstore and self._update_on_kvstore:
            raise AssertionError("allreduce_grads() when parameters are updated on kvstore "
                                 "is not supported. Try setting `update_on_kvstore` to False "
                                 "when creating trainer.")
        self._allreduce_grads()

    def _allreduce_grads(self):
        if not self._kvstore:
            return
        for i, param in enumerate(self._params):
            if param.grad_req == "null":
                continue
            if self._update_on_kvstore:     # grads in, updated weights out
                self._kvstore.pushpull(i, param.list_grad(), out=param.list_data(),
                                       priority=-i)
            else:                           # grads in, summed grads out
                self._kvstore.pushpull(i, param.list_grad(), priority=-i)

    def update(self, batch_size, ignore_stale_grad=False):
        """The update half of ``step`` (after ``allreduce_grads``)."""
        self._ensure_kvstore()
        if self._kvstore and self._update_on_kvstore:
            raise AssertionError("update() when parameters are updated on kvstore is not "
                                 "supported. Try setting `update_on_kvstore` to False when "
                                 "creating trainer.")
        self._check_and_rescale_grad(self._scale / batch_size)
        self._update(ignore_stale_grad)

    def _update(self, ignore_stale_grad=False):
        updates = [[] for _ in self._updaters]
        for i, param in enumerate(self._params):
            if param.grad_req == "null":
                continue
            if not ignore_stale_grad:
                for data in param._check_and_get(param._data, list):
                    if not data._fresh_grad:
                        raise UserWarning(
                            f"Gradient of Parameter `{param.name}` on context {data.context} "
                            "has not been updated by backward since last `step`. This could "
                            "mean a bug in your model that made it only use a subset of the "
                            "Parameters (Blocks) for this iteration. If you are "
                            "intentionally only using a subset, call step with "
                            "ignore_stale_grad=True to suppress this warning and skip "
                            "updating of Parameters with stale gradient")
            on_kvstore = self._kvstore and self._update_on_kvstore
            for upd, arr, grad in zip(updates, param.list_data(), param.list_grad()):
                if not ignore_stale_grad or arr._fresh_grad:
                    if not on_kvstore:      # the store already updated the weights
                        upd.append((i, grad, arr))
                    arr._fresh_grad = False
        for updater, upd in zip(self._updaters, updates):
            if upd:
                idx, grads, weights = zip(*upd)
                updater(list(idx), list(grads), list(weights))

    # ---- states ------------------------------------------------------------------------
    def save_states(self, fname):
        """Write the optimizer and its states (momentum, ...) to ``fname`` (a pickle,
        MXNet's format; ``param_dict`` is not saved).  With ``update_on_kvstore`` the
        states are the store's."""
        self._ensure_kvstore()
        if self._update_on_kvstore:
            self._kvstore.save_optimizer_states(fname, dump_optimizer=True)
        else:
            with open(fname, "wb") as fout:
                fout.write(self._updaters[0].get_states(dump_optimizer=True))

    def load_states(self, fname):
        """Read ``save_states``'s file (trusted files only: it is a pickle)."""
        self._ensure_kvstore()
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
            self._optimizer = self._kvstore._updater.optimizer
        else:
            with open(fname, "rb") as f:
                states = f.read()
            for updater in self._updaters:
                updater.set_states(states)
                updater.optimizer = self._updaters[0].optimizer
            self._optimizer = self._updaters[0].optimizer
        self._optimizer.param_dict = {i: p for i, p in enumerate(self._params)}
