"""``KVStoreBase``: what every key-value store offers, the registry, and ``create``.

A *key-value store* is the parameter server of the MXNet paper (Chen et al. 2015,
arXiv:1512.01274, section 3.3): values live under keys (one key per parameter), and
workers talk to it with two verbs::

    kv.push(key, grads)      # send values; the store sums them (and may run an updater)
    kv.pull(key, out=ws)     # copy the stored value into every array of ``ws``

``create(name)`` picks the implementation by name:

=====================  ===============================================================
``local``               one process; pushed values are summed on the CPU
``device``              one process; summed on the device of the stored value
``nccl``                MXNet's NVIDIA NCCL store: not in pymx (a clear error)
``dist_sync``           several processes under ``mpiexec`` (``dist.py``, mpi4py)
``dist_device_sync``    the same as ``dist_sync`` here (there is only host memory)
``dist_async``          accepted, but **synchronous** in pymx (see ``dist.py``)
a registered name       a class registered with ``KVStoreBase.register`` (e.g.
                        ``teststore``, the custom store of MXNet's tests)
=====================  ===============================================================

MXNet 1.9.1 quietly makes a ``local`` store for any other name; pymx raises
``MXNetError`` instead.

Keys are ints or strs, never both in one store.  ``_key_value_pairs`` turns the
forms ``push``/``pull``/``init`` accept (one key and one value, one key and a list
of per-device values, a list of keys and a list of those) into ``[(key, [arrays])]``.

Chapter 11 (``chapters/ch11_distributed``) teaches this package.
"""

import numpy as np

from ..base import MXNetError, register_class
from ..ndarray import NDArray

__all__ = ["KVStoreBase", "TestStore", "create"]


def _normalize_key(key):
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return int(key)
    if isinstance(key, str):
        return key
    raise MXNetError(f"KVStore: a key must be an int or a str, got {type(key).__name__} "
                     f"{key!r}")


def _key_value_pairs(keys, values, what):
    """``[(key, [NDArray, ...]), ...]`` in call order (a key may repeat).

    ``what`` names the method for error messages.  A list of keys needs a list of
    values of the same length; every key's value is an NDArray or a list of them."""
    if isinstance(keys, (list, tuple)):
        if not isinstance(values, (list, tuple)) or len(keys) != len(values):
            n = len(values) if isinstance(values, (list, tuple)) else 1
            raise MXNetError(f"KVStore.{what}: {len(keys)} keys but {n} values")
        pairs = [_key_value_pairs(k, v, what)[0] for k, v in zip(keys, values)]
        if len({type(k) for k, _ in pairs}) > 1:
            raise MXNetError(f"KVStore.{what}: inconsistent types of keys detected "
                             f"({[k for k, _ in pairs]}): use all int or all str keys")
        return pairs
    key = _normalize_key(keys)
    arrays = list(values) if isinstance(values, (list, tuple)) else [values]
    for a in arrays:
        if not isinstance(a, NDArray):
            raise MXNetError(f"KVStore.{what}: the value of key {key!r} must be an NDArray "
                             f"or a list of NDArrays, got {type(a).__name__}")
    if not arrays:
        raise MXNetError(f"KVStore.{what}: empty list of values for key {key!r}")
    return [(key, arrays)]


class KVStoreBase:
    """The interface of a key-value store for data-parallel training.

    Subclasses implement ``broadcast``, ``pushpull``, ``is_capable``, ``set_optimizer``,
    the optimizer-state file methods, and the ``type``/``rank``/``num_workers``
    properties.  ``@KVStoreBase.register`` makes a subclass creatable by its lower-case
    class name: ``mx.kv.create('mystore')``.
    """

    #: the capability ``is_capable`` is asked about: can the store run an optimizer?
    OPTIMIZER = "optimizer"
    kv_registry = {}

    def broadcast(self, key, value, out, priority=0):
        """Copy rank 0's ``value`` of ``key`` into every array of ``out``."""
        raise NotImplementedError()

    def pushpull(self, key, value, out=None, priority=0):
        """Push ``value`` (summed) and pull the result into ``out`` (default: ``value``)."""
        raise NotImplementedError()

    def set_optimizer(self, optimizer):
        """Run ``optimizer`` on the store: a push then updates the stored value."""
        raise NotImplementedError()

    def is_capable(self, capability):
        """Whether the store supports ``capability`` (only ``'optimizer'`` is defined)."""
        raise NotImplementedError()

    def save_optimizer_states(self, fname, dump_optimizer=False):
        """Write the store's optimizer states to ``fname``."""
        raise NotImplementedError()

    def load_optimizer_states(self, fname):
        """Read optimizer states written by ``save_optimizer_states``."""
        raise NotImplementedError()

    @property
    def type(self):
        """The store's type name (``'local'``, ``'dist_sync'``, ...)."""
        raise NotImplementedError()

    @property
    def rank(self):
        """This worker's number, in ``range(num_workers)``: 0 unless a distributed
        store says otherwise."""
        return 0

    @property
    def num_workers(self):
        """How many worker processes share the store: 1 unless a distributed store
        says otherwise."""
        return 1

    @staticmethod
    def register(klass):
        """Class decorator: make ``klass`` creatable as ``create(klass.__name__.lower())``
        (a name registered twice warns and the newer class wins)."""
        if not isinstance(klass, type):
            raise TypeError(f"KVStoreBase.register needs a class, got {klass!r}")
        return register_class(KVStoreBase.kv_registry, klass, "kvstore")


@KVStoreBase.register
class TestStore(KVStoreBase):
    """MXNet's example of a custom store (``create('teststore')``): ``pushpull`` sums
    the values and writes the sum out; there is no stored state and no optimizer."""

    def broadcast(self, key, value, out, priority=0):
        """Copy ``value`` into every array of ``out``."""
        for o in (out if isinstance(out, list) else [out]):
            value.copyto(o)

    def pushpull(self, key, value, out=None, priority=0):
        """Sum the list ``value`` and write the sum to ``out`` (or back into ``value``)."""
        values = value if isinstance(value, list) else [value]
        total = values[0].copy()
        for v in values[1:]:
            total += v.as_in_context(total.context)
        targets = values if out is None else (out if isinstance(out, list) else [out])
        for o in targets:
            total.copyto(o)

    @staticmethod
    def is_capable(capability):
        """``'optimizer'``: False; anything else raises ValueError (as MXNet)."""
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return False
        raise ValueError(f"Unknown capability: {capability}")

    @property
    def type(self):
        """``'teststore'``."""
        return "teststore"


_LOCAL = ("local", "device")
_DIST = ("dist_sync", "dist_device_sync", "dist_async")


def create(name="local"):
    """Create a key-value store by type name (see the module docstring).

    ``dist_*`` types need mpi4py (``pip install 'pymx[dist]'``) and are meant to run
    under ``mpiexec -n N``; without ``mpiexec`` they work with one worker.
    """
    if not isinstance(name, str):
        raise TypeError("name must be a string")
    name = name.lower()
    if name in KVStoreBase.kv_registry:
        return KVStoreBase.kv_registry[name]()
    if name in _LOCAL:
        from .local import KVStore
        return KVStore(name)
    if name in _DIST:
        from .dist import DistKVStore
        return DistKVStore(name)
    if name == "nccl":
        raise MXNetError("kvstore 'nccl' reduces over NVIDIA GPUs with the NCCL library, "
                         "which pymx does not have: use 'device' or 'local'")
    known = sorted(set(_LOCAL + _DIST) | set(KVStoreBase.kv_registry))
    raise MXNetError(f"unknown kvstore type {name!r}; choose one of {', '.join(known)}")
