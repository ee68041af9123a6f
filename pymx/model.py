"""Checkpoints of symbolic models: ``prefix-symbol.json`` + ``prefix-%04d.params``.

``save_checkpoint(prefix, epoch, sym, arg_params, aux_params)`` writes the graph (symbol
JSON, notes 2.2) and one ``.params`` file (the NDArray list format of notes 2.1, saved as a
dict) whose keys are ``'arg:<name>'`` for arguments (weights, biases) and ``'aux:<name>'``
for auxiliary states (BatchNorm's moving statistics).  These are exactly the files real
MXNet 1.9.1 writes and reads, so models move both ways.

MXNet's old ``FeedForward`` estimator (deprecated since 0.9, still in 1.9.1) is here
too, for old scripts: ``FeedForward(sym, num_epoch=..., learning_rate=...).fit(X, y)``.
New code should use ``mx.mod.Module``.

The kvstore helpers shared by ``Module`` and Gluon's ``Trainer`` also live here, as in
MXNet: ``_create_kvstore`` (which store, and whether the optimizer runs on it),
``_initialize_kvstore``, ``_update_params_on_kvstore`` and ``_update_params``.
"""
import logging
import os
import time
import warnings
from collections import namedtuple

import numpy as np

from .context import cpu
from . import ndarray as nd
from . import kvstore as kvs

__all__ = ["BatchEndParam", "save_checkpoint", "load_checkpoint", "load_params",
           "FeedForward"]

#: What ``batch_end_callback``s receive: epoch, batch number, the metric, and the
#: caller's ``locals()``.
BatchEndParam = namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


def save_checkpoint(prefix, epoch, symbol, arg_params, aux_params, remove_amp_cast=True):
    """Write ``prefix-symbol.json`` (unless ``symbol`` is None) and
    ``prefix-%04d.params`` % epoch with ``arg:``/``aux:`` keys (arrays copied to cpu)."""
    if symbol is not None:
        symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
    save_dict = {f"arg:{k}": v.as_in_context(cpu()) for k, v in arg_params.items()}
    save_dict.update({f"aux:{k}": v.as_in_context(cpu()) for k, v in aux_params.items()})
    param_name = "%s-%04d.params" % (prefix, epoch)
    nd.save(param_name, save_dict)
    logging.info('Saved checkpoint to "%s"', param_name)


def load_params(prefix, epoch):
    """``(arg_params, aux_params)`` from ``prefix-%04d.params``; keys without an
    ``arg:``/``aux:`` tag are ignored (MXNet's behaviour)."""
    fname = "%s-%04d.params" % (prefix, epoch)
    save_dict = nd.load(fname)
    arg_params, aux_params = {}, {}
    if not save_dict:
        logging.warning("Params file '%s' is empty", fname)
        return arg_params, aux_params
    if not isinstance(save_dict, dict):
        raise ValueError(f"{fname} holds an unnamed list of arrays, not arg:/aux: entries")
    for k, v in save_dict.items():
        tp, _, name = k.partition(":")
        if tp == "arg":
            arg_params[name] = v
        elif tp == "aux":
            aux_params[name] = v
    return arg_params, aux_params


def load_checkpoint(prefix, epoch):
    """``(symbol, arg_params, aux_params)`` from ``prefix-symbol.json`` and
    ``prefix-%04d.params``."""
    from . import symbol as sym
    symbol = sym.load(f"{prefix}-symbol.json")
    arg_params, aux_params = load_params(prefix, epoch)
    return symbol, arg_params, aux_params


# ---- kvstore helpers (MXNet's model.py) ----------------------------------------------
def _create_kvstore(kvstore, num_device, arg_params):
    """``(kv, update_on_kvstore)`` for a kvstore name or object.

    A name with one device and no ``dist`` gives no store at all (``None``): there
    is nothing to sum.  ``update_on_kvstore`` starts from the environment variable
    ``MXNET_UPDATE_ON_KVSTORE`` (default 1); a ``'local'`` store with a parameter of
    more than 16M elements turns it off (MXNet's heuristic: updating such a weight
    on the CPU is slow), and so does a store that cannot run an optimizer."""
    update_on_kvstore = bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))
    if kvstore is None:
        kv = None
    elif isinstance(kvstore, kvs.KVStoreBase):
        kv = kvstore
    elif isinstance(kvstore, str):
        if num_device == 1 and "dist" not in kvstore:
            kv = None
        else:
            kv = kvs.create(kvstore)
            if kvstore == "local":
                max_size = max(int(np.prod(p.shape)) for p in arg_params.values())
                if max_size > 1024 * 1024 * 16:
                    update_on_kvstore = False
    else:
        raise TypeError(f"kvstore must be KVStore, str or None, got {type(kvstore).__name__}")
    if kv is None:
        update_on_kvstore = False
    else:
        update_on_kvstore &= kv.is_capable(kvs.KVStoreBase.OPTIMIZER)
    return kv, update_on_kvstore


def _initialize_kvstore(kvstore, param_arrays, arg_params, param_names, update_on_kvstore):
    """Put every parameter into the store: ``broadcast`` (store it and copy it to all
    devices) when the store runs the optimizer, else just ``init``."""
    for idx, param_on_devs in enumerate(param_arrays):
        name = param_names[idx]
        if update_on_kvstore:
            kvstore.broadcast(name, arg_params[name], out=param_on_devs)
        else:
            kvstore.init(name, arg_params[name])


def _update_params_on_kvstore(param_arrays, grad_arrays, kvstore, param_names):
    """Push every parameter's device gradients, pull the updated weight to every
    device (the store runs the optimizer)."""
    for index, (arg_list, grad_list) in enumerate(zip(param_arrays, grad_arrays)):
        if grad_list[0] is None:
            continue
        kvstore.pushpull(param_names[index], grad_list, out=arg_list, priority=-index)


def _update_params(param_arrays, grad_arrays, updater, num_device, kvstore=None,
                   param_names=None):
    """Sum the gradients through ``kvstore`` (if any), then run ``updater`` on every
    device with index ``i * num_device + k`` (a separate optimizer state per device)."""
    updates = [[] for _ in range(num_device)]
    for i, (arg_list, grad_list) in enumerate(zip(param_arrays, grad_arrays)):
        if grad_list[0] is None:
            continue
        if kvstore:
            kvstore.pushpull(param_names[i], grad_list, priority=-i)
        for k, (w, g) in enumerate(zip(arg_list, grad_list)):
            updates[k].append((i * num_device + k, g, w))
    for dev_updates in updates:
        if dev_updates:
            idx, grads, weights = zip(*dev_updates)
            updater(list(idx), list(grads), list(weights))


# ---- FeedForward: MXNet's pre-Module estimator --------------------------------------
def _multiple_callbacks(callbacks, *args, **kwargs):
    """Call one callback or each of a list."""
    if isinstance(callbacks, (list, tuple)):
        for cb in callbacks:
            cb(*args, **kwargs)
    elif callbacks:
        callbacks(*args, **kwargs)


def _check_arguments(symbol):
    """MXNet refuses a symbol with two arguments (or aux states) of one name."""
    for names, what in ((symbol.list_arguments(), "argument"),
                        (symbol.list_auxiliary_states(), "auxiliary state")):
        seen = set()
        for name in names:
            if name in seen:
                raise ValueError(f"Find duplicated {what} name \"{name}\", please make "
                                 "the weight name non-duplicated(using name arguments), "
                                 f"arguments are {names}")
            seen.add(name)


_LOG_VALIDATION = object()     # the default eval_end_callback (None means none)


class FeedForward:
    """MXNet's deprecated estimator: a symbol plus its parameters, trained by ``fit``
    on NumPy arrays or a ``DataIter`` and queried by ``predict``/``score``.

    It behaves as MXNet 1.9.1's: parameters are initialised in ``list_arguments()``
    order with ``initializer(name, array)`` (so ``__init__`` attributes are not
    consulted, unlike ``Module``); the optimizer gets ``rescale_grad=1/batch_size``
    plus the extra keyword arguments (``learning_rate=0.1``...); training logs only
    ``Epoch[i] Resetting Data Iterator`` and ``Epoch[i] Time cost=...`` (validation
    scores come from ``eval_end_callback``); ``predict`` returns NumPy arrays without
    the padding of the last batch.  NumPy inputs become an ``NDArrayIter`` of
    ``numpy_batch_size`` (shuffled, ``roll_over``, for training).
    """

    def __init__(self, symbol, ctx=None, num_epoch=None, epoch_size=None, optimizer="sgd",
                 initializer=None, numpy_batch_size=128, arg_params=None, aux_params=None,
                 allow_extra_params=False, begin_epoch=0, **kwargs):
        from .context import Context
        from .initializer import Uniform
        from .symbol import Symbol
        warnings.warn("\033[91mmxnet.model.FeedForward has been deprecated. "
                      "Please use mxnet.mod.Module instead.\033[0m",
                      DeprecationWarning, stacklevel=2)
        if isinstance(symbol, Symbol):
            self.symbol, self.sym_gen = symbol, None
        else:
            assert callable(symbol)
            self.symbol, self.sym_gen = None, symbol
        self.arg_params = arg_params
        self.aux_params = aux_params
        self.allow_extra_params = allow_extra_params
        self.argument_checked = False
        if self.sym_gen is None:
            self._check_arguments()
        if ctx is None:
            ctx = [cpu()]
        elif isinstance(ctx, Context):
            ctx = [ctx]
        self.ctx = ctx
        self.num_epoch = num_epoch
        self.epoch_size = epoch_size
        self.kwargs = kwargs.copy()
        self.optimizer = optimizer
        self.initializer = initializer if initializer is not None else Uniform(0.01)
        self.numpy_batch_size = numpy_batch_size
        self._pred_exec = None
        self.begin_epoch = begin_epoch

    def _check_arguments(self):
        """Check the symbol's names; with ``allow_extra_params`` drop given parameters
        the symbol does not have."""
        if self.argument_checked:
            return
        self.argument_checked = True
        _check_arguments(self.symbol)
        if self.allow_extra_params:
            if self.arg_params:
                names = set(self.symbol.list_arguments())
                self.arg_params = {k: v for k, v in self.arg_params.items() if k in names}
            if self.aux_params:
                names = set(self.symbol.list_auxiliary_states())
                self.aux_params = {k: v for k, v in self.aux_params.items() if k in names}

    @staticmethod
    def _is_data_arg(name):
        return name.endswith("data") or name.endswith("label")

    def _init_params(self, inputs, overwrite=False):
        """Create (or keep) the parameters for input descriptions ``inputs``; returns
        ``(arg_names, param_names, aux_names)``."""
        from .io import DataDesc
        inputs = [x if isinstance(x, DataDesc) else DataDesc(*x) for x in inputs]
        input_shapes = {item.name: item.shape for item in inputs}
        arg_shapes, _, aux_shapes = self.symbol.infer_shape(**input_shapes)
        assert arg_shapes is not None
        arg_dtypes, _, aux_dtypes = self.symbol.infer_type(
            **{item.name: item.dtype for item in inputs})
        assert arg_dtypes is not None
        arg_names = self.symbol.list_arguments()
        param_names = [k for k in arg_names if k not in input_shapes]
        aux_names = self.symbol.list_auxiliary_states()
        arg_params = {k: nd.zeros(shape=s, dtype=t)
                      for k, s, t in zip(arg_names, arg_shapes, arg_dtypes)
                      if k in param_names}
        aux_params = {k: nd.zeros(shape=s, dtype=t)
                      for k, s, t in zip(aux_names, aux_shapes, aux_dtypes)}
        for new, old in ((arg_params, self.arg_params), (aux_params, self.aux_params)):
            for k, v in new.items():         # list_arguments() order, as MXNet
                if old and k in old and not overwrite:
                    v[:] = old[k][:]
                else:
                    self.initializer(k, v)
        self.arg_params, self.aux_params = arg_params, aux_params
        return arg_names, list(param_names), aux_names

    def __getstate__(self):
        this = self.__dict__.copy()
        this["_pred_exec"] = None
        return this

    def __setstate__(self, state):
        self.__dict__.update(state)

    def _init_predictor(self, input_shapes, type_dict=None):
        """Bind (or reuse) the prediction executor for ``input_shapes``."""
        shapes = {name: self.arg_params[name].shape for name in self.arg_params}
        shapes.update(dict(input_shapes))
        if self._pred_exec is not None:
            arg_shapes, _, _ = self.symbol.infer_shape(**shapes)
            assert arg_shapes is not None, "Incomplete input shapes"
            if arg_shapes == [x.shape for x in self._pred_exec.arg_arrays]:
                return
        pred_exec = self.symbol.simple_bind(self.ctx[0], grad_req="null",
                                            type_dict=type_dict, **shapes)
        pred_exec.copy_params_from(self.arg_params, self.aux_params)
        _check_arguments(self.symbol)
        self._pred_exec = pred_exec

    def _init_iter(self, X, y, is_train):
        """A ``DataIter`` for ``X`` (returned as is) or for arrays ``X``, ``y``."""
        from . import io
        if isinstance(X, (np.ndarray, nd.NDArray)):
            if y is None:
                if is_train:
                    raise ValueError("y must be specified when X is numpy.ndarray")
                y = np.zeros(X.shape[0])
            if not isinstance(y, (np.ndarray, nd.NDArray)):
                raise TypeError("y must be ndarray when X is numpy.ndarray")
            if X.shape[0] != y.shape[0]:
                raise ValueError("The numbers of data points and labels not equal")
            if y.ndim == 2 and y.shape[1] == 1:
                y = y.flatten()
            if y.ndim != 1:
                raise ValueError("Label must be 1D or 2D (with 2nd dimension being 1)")
            batch = min(X.shape[0], self.numpy_batch_size)
            if is_train:
                return io.NDArrayIter(X, y, batch, shuffle=True,
                                      last_batch_handle="roll_over")
            return io.NDArrayIter(X, y, batch, shuffle=False)
        if not isinstance(X, io.DataIter):
            raise TypeError("X must be DataIter, NDArray or numpy.ndarray")
        return X

    def _init_eval_iter(self, eval_data):
        """``eval_data`` as a ``DataIter`` (it may be an ``(X, y)`` pair)."""
        from . import io
        if eval_data is None:
            return eval_data
        if isinstance(eval_data, (tuple, list)) and len(eval_data) == 2:
            if eval_data[0] is None:
                raise ValueError("Eval data is NONE")
            if eval_data[1] is None and isinstance(eval_data[0], io.DataIter):
                return eval_data[0]
            data, label = (np.array(x) if isinstance(x, list) else x for x in eval_data)
            return self._init_iter(data, label, is_train=True)
        if not isinstance(eval_data, io.DataIter):
            raise TypeError("Eval data must be DataIter, or NDArray/numpy.ndarray/list "
                            "pair (i.e. tuple/list of length 2)")
        return eval_data

    def _predictor_for(self, X, reset):
        """Prepare iterator ``X`` and the predictor; returns ``(X, data arrays)``."""
        from .io import DataDesc
        X = self._init_iter(X, None, is_train=False)
        if reset:
            X.reset()
        type_dict = {k: v.dtype for k, v in self.arg_params.items()}
        for x in X.provide_data:
            type_dict[x[0]] = x.dtype if isinstance(x, DataDesc) else np.float32
        self._init_predictor(X.provide_data, type_dict)
        return X, [self._pred_exec.arg_dict[x[0]] for x in X.provide_data]

    def predict(self, X, num_batch=None, return_data=False, reset=True):
        """The outputs over ``X`` as NumPy arrays (one array for a single output),
        the padding of the last batch removed; with ``return_data`` also the data and
        labels: ``(outputs, data, label)``."""
        X, data_arrays = self._predictor_for(X, reset)
        batch_size = X.batch_size
        outputs = [[] for _ in self._pred_exec.outputs]
        data_list = [[] for _ in X.provide_data]
        label_list = [[] for _ in X.provide_label]
        for i, batch in enumerate(X):
            for src, dst in zip(batch.data, data_arrays):
                src.copyto(dst)
            self._pred_exec.forward(is_train=False)
            real_size = batch_size - batch.pad
            for o_list, o_nd in zip(outputs, self._pred_exec.outputs):
                o_list.append(o_nd[0:real_size].asnumpy())
            if return_data:
                for j, x in enumerate(batch.data):
                    data_list[j].append(x[0:real_size].asnumpy())
                for j, x in enumerate(batch.label):
                    label_list[j].append(x[0:real_size].asnumpy())
            if num_batch is not None and i + 1 == num_batch:
                break
        outputs = [np.concatenate(x) for x in outputs]
        if len(outputs) == 1:
            outputs = outputs[0]
        if not return_data:
            return outputs
        data = [np.concatenate(x) for x in data_list]
        label = [np.concatenate(x) for x in label_list]
        return (outputs, data[0] if len(data) == 1 else data,
                label[0] if len(label) == 1 else label)

    def score(self, X, eval_metric="acc", num_batch=None, batch_end_callback=None,
              reset=True):
        """The value of ``eval_metric`` over ``X`` (a number, not a name/value pair)."""
        from . import metric
        if not isinstance(eval_metric, metric.EvalMetric):
            eval_metric = metric.create(eval_metric)
        X, data_arrays = self._predictor_for(X, reset)
        for i, batch in enumerate(X):
            if num_batch is not None and i == num_batch:
                break
            for src, dst in zip(batch.data, data_arrays):
                src.copyto(dst)
            self._pred_exec.forward(is_train=False)
            eval_metric.update(batch.label, self._pred_exec.outputs)
            if batch_end_callback is not None:
                _multiple_callbacks(batch_end_callback, BatchEndParam(
                    epoch=0, nbatch=i, eval_metric=eval_metric, locals=locals()))
        return eval_metric.get()[1]

    def fit(self, X, y=None, eval_data=None, eval_metric="acc", epoch_end_callback=None,
            batch_end_callback=None, kvstore="local", logger=None, work_load_list=None,
            monitor=None, eval_end_callback=_LOG_VALIDATION, eval_batch_end_callback=None):
        """Train for epochs ``begin_epoch .. num_epoch - 1``.  ``eval_end_callback``
        defaults to ``LogValidationMetricsCallback()`` (``Epoch[i] Validation-...``)."""
        from . import metric
        from . import optimizer as opt
        from .callback import LogValidationMetricsCallback
        from .module.executor_group import DataParallelExecutorGroup
        if eval_end_callback is _LOG_VALIDATION:
            eval_end_callback = LogValidationMetricsCallback()
        logger = logger or logging
        data = self._init_iter(X, y, is_train=True)
        eval_data = self._init_eval_iter(eval_data)
        if self.sym_gen:
            self.symbol = self.sym_gen(data.default_bucket_key)
            self._check_arguments()
        self.kwargs["sym"] = self.symbol
        arg_names, param_names, aux_names = self._init_params(
            data.provide_data + data.provide_label)
        if not isinstance(eval_metric, metric.EvalMetric):
            eval_metric = metric.create(eval_metric)
        kv, update_on_kvstore = _create_kvstore(kvstore, len(self.ctx), self.arg_params)
        num_dev = len(self.ctx)
        param_idx2name = {}
        for i, n in enumerate(param_names):
            if update_on_kvstore:
                param_idx2name[i] = n
            else:
                param_idx2name.update({i * num_dev + k: n for k in range(num_dev)})
        self.kwargs["param_idx2name"] = param_idx2name
        if isinstance(self.optimizer, str):
            batch_size = data.batch_size
            if kv and "dist" in kv.type and "_async" not in kv.type:
                batch_size *= kv.num_workers
            optimizer = opt.create(self.optimizer, rescale_grad=1.0 / batch_size,
                                   **self.kwargs)
        else:
            optimizer = self.optimizer
            if not optimizer.idx2name:
                optimizer.idx2name = param_idx2name.copy()
        logger.info("Start training with %s", str(self.ctx))
        group = DataParallelExecutorGroup(
            self.symbol, self.ctx, work_load_list or [1] * num_dev, data.provide_data,
            data.provide_label, param_names, True, False, logger=logger)
        if monitor:
            group.install_monitor(monitor)
        group.set_params(self.arg_params, self.aux_params)
        updater = None
        if update_on_kvstore:
            kv.set_optimizer(optimizer)
        else:
            updater = opt.get_updater(optimizer)
        if kv:
            _initialize_kvstore(kv, group.param_arrays, self.arg_params, param_names,
                                update_on_kvstore)
        self._train(group, data, eval_data, eval_metric, kv, update_on_kvstore, updater,
                    param_names, epoch_end_callback, batch_end_callback, logger, monitor,
                    eval_end_callback, eval_batch_end_callback)

    def _train(self, group, data, eval_data, eval_metric, kv, update_on_kvstore, updater,
               param_names, epoch_end_callback, batch_end_callback, logger, monitor,
               eval_end_callback, eval_batch_end_callback):
        """MXNet's ``_train_multi_device`` loop."""
        data.reset()
        for epoch in range(self.begin_epoch, self.num_epoch):
            tic = time.time()
            eval_metric.reset()
            nbatch = 0
            while True:
                do_reset = True
                for data_batch in data:
                    if monitor is not None:
                        monitor.tic()
                    group.forward(data_batch, is_train=True)
                    group.backward()
                    if update_on_kvstore:
                        _update_params_on_kvstore(group.param_arrays, group.grad_arrays,
                                                  kv, param_names)
                    else:
                        _update_params(group.param_arrays, group.grad_arrays, updater,
                                       len(self.ctx), kv, param_names)
                    if monitor is not None:
                        monitor.toc_print()
                    group.update_metric(eval_metric, data_batch.label)
                    nbatch += 1
                    if batch_end_callback is not None:
                        _multiple_callbacks(batch_end_callback, BatchEndParam(
                            epoch=epoch, nbatch=nbatch, eval_metric=eval_metric,
                            locals=locals()))
                    if self.epoch_size is not None and nbatch >= self.epoch_size:
                        do_reset = False
                        break
                if do_reset:
                    logger.info("Epoch[%d] Resetting Data Iterator", epoch)
                    data.reset()
                if self.epoch_size is None or nbatch >= self.epoch_size:
                    break
            logger.info("Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)
            if epoch_end_callback or epoch + 1 == self.num_epoch:
                group.get_params(self.arg_params, self.aux_params)
            _multiple_callbacks(epoch_end_callback, epoch, self.symbol, self.arg_params,
                                self.aux_params)
            if eval_data:
                eval_metric.reset()
                eval_data.reset()
                total = 0
                for i, eval_batch in enumerate(eval_data):
                    group.forward(eval_batch, is_train=False)
                    group.update_metric(eval_metric, eval_batch.label)
                    if eval_batch_end_callback is not None:
                        _multiple_callbacks(eval_batch_end_callback, BatchEndParam(
                            epoch=epoch, nbatch=i, eval_metric=eval_metric,
                            locals=locals()))
                    total += 1
                if eval_end_callback is not None:
                    _multiple_callbacks(eval_end_callback, BatchEndParam(
                        epoch=epoch, nbatch=total, eval_metric=eval_metric,
                        locals=locals()))
                eval_data.reset()

    def save(self, prefix, epoch=None, remove_amp_cast=True):
        """``save_checkpoint`` of the symbol and parameters (epoch: ``num_epoch``)."""
        if epoch is None:
            epoch = self.num_epoch
        assert epoch is not None
        save_checkpoint(prefix, epoch, self.symbol, self.arg_params, self.aux_params,
                        remove_amp_cast=remove_amp_cast)

    @staticmethod
    def load(prefix, epoch, ctx=None, **kwargs):
        """A model from ``prefix-symbol.json`` and ``prefix-%04d.params``, ready to
        predict or to continue training from ``epoch``."""
        symbol, arg_params, aux_params = load_checkpoint(prefix, epoch)
        return FeedForward(symbol, ctx=ctx, arg_params=arg_params, aux_params=aux_params,
                           begin_epoch=epoch, **kwargs)

    @staticmethod
    def create(symbol, X, y=None, ctx=None, num_epoch=None, epoch_size=None,
               optimizer="sgd", initializer=None, eval_data=None, eval_metric="acc",
               epoch_end_callback=None, batch_end_callback=None, kvstore="local",
               logger=None, work_load_list=None, eval_end_callback=_LOG_VALIDATION,
               eval_batch_end_callback=None, **kwargs):
        """Build a ``FeedForward`` and ``fit`` it in one call."""
        model = FeedForward(symbol, ctx=ctx, num_epoch=num_epoch, epoch_size=epoch_size,
                            optimizer=optimizer, initializer=initializer, **kwargs)
        model.fit(X, y, eval_data=eval_data, eval_metric=eval_metric,
                  epoch_end_callback=epoch_end_callback,
                  batch_end_callback=batch_end_callback, kvstore=kvstore, logger=logger,
                  work_load_list=work_load_list, eval_end_callback=eval_end_callback,
                  eval_batch_end_callback=eval_batch_end_callback)
        return model
