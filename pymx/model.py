"""Checkpoints of symbolic models: ``prefix-symbol.json`` + ``prefix-%04d.params``.

``save_checkpoint(prefix, epoch, sym, arg_params, aux_params)`` writes the graph (symbol
JSON, notes 2.2) and one ``.params`` file (the NDArray list format of notes 2.1, saved as a
dict) whose keys are ``'arg:<name>'`` for arguments (weights, biases) and ``'aux:<name>'``
for auxiliary states (BatchNorm's moving statistics).  These are exactly the files real
MXNet 1.9.1 writes and reads, so models move both ways.

MXNet's old ``FeedForward`` estimator (deprecated since 0.9) is not provided: use
``mx.mod.Module``.

The kvstore helpers shared by ``Module`` and Gluon's ``Trainer`` also live here, as in
MXNet: ``_create_kvstore`` (which store, and whether the optimizer runs on it),
``_initialize_kvstore``, ``_update_params_on_kvstore`` and ``_update_params``.
"""
import logging
import os
from collections import namedtuple

import numpy as np

from .context import cpu
from . import ndarray as nd
from . import kvstore as kvs

__all__ = ["BatchEndParam", "save_checkpoint", "load_checkpoint", "load_params"]

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
