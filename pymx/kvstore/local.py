"""``KVStore``: the single-process key-value store (types ``local`` and ``device``).

The store is a dict from key to one NDArray.  What each verb does::

    init(k, v)        store[k] = copy of v          (a second init of k is an error)
    push(k, [g0..gn]) merged = g0 + ... + gn         (one value per device, summed)
                      updater(k, merged, store[k])  if an updater/optimizer is set
                      store[k] = merged             otherwise ("assign")
    pull(k, out=[..]) every out <- store[k]
    pushpull(k, g, out)  push then pull (into ``g`` itself without ``out``)
    broadcast(k, v, out) init(k, v) then pull(k, out)

``local`` keeps the stored values on ``cpu(0)`` (MXNet: "copies all gradients to CPU
memory and updates weights there"), ``device`` on the context of the value given to
``init``; the numbers are the same.  With ``set_optimizer`` the store *is* the
optimizer: Gluon's ``Trainer`` and ``Module`` then push gradients and pull weights
(``update_on_kvstore=True``), and the optimizer state lives here, once per key
rather than once per device.

The updater is called as ``updater(key, merged, stored)``; like MXNet (whose C
callback passes a ``char*``), a str key reaches it as ``bytes``.

pymx runs eagerly: errors (an uninitialized key, a shape mismatch) are raised by the
call that causes them, where MXNet often reports them at a later ``wait``.
"""
import os

import numpy as np

from ..base import MXNetError
from ..context import cpu
from .. import ndarray as nd
from .. import optimizer as opt
from .compression import GradientCompression
from .kvstore import KVStoreBase, _key_value_pairs

__all__ = ["KVStore"]


class KVStore(KVStoreBase):
    """A key-value store inside one process; create it with ``mx.kv.create('local')``
    or ``mx.kv.create('device')``."""

    def __init__(self, name="local"):
        self._type = name
        self._store = {}
        self._key_type = None
        self._updater = None
        self._compression = None

    # ---- identity ------------------------------------------------------------------------
    @property
    def type(self):
        """The type name given to ``create``."""
        return self._type

    def is_capable(self, capability):
        """``'optimizer'``: True (the store can run an optimizer); else ValueError."""
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return True
        raise ValueError(f"Unknown capability: {capability}")

    # ---- helpers -------------------------------------------------------------------------
    def _pairs(self, keys, values, what):
        pairs = _key_value_pairs(keys, values, what)
        for key, _ in pairs:
            if self._key_type is None:
                self._key_type = type(key)
            elif type(key) is not self._key_type:
                raise MXNetError(f"KVStore.{what}: key {key!r} is a {type(key).__name__} but "
                                 f"this store uses {self._key_type.__name__} keys; mixed key "
                                 "types are not allowed")
        return pairs

    def _stored(self, key, what):
        if key not in self._store:
            raise MXNetError(f"KVStore.{what}: key {key!r} has not been initialized "
                             "(call kv.init(key, value) first)")
        return self._store[key]

    def _check_shape(self, key, stored, arrays, what):
        for a in arrays:
            if a.shape != stored.shape:
                raise MXNetError(f"KVStore.{what}: key {key!r} holds shape {stored.shape} "
                                 f"but got an array of shape {a.shape}")

    def _store_context(self, value):
        return cpu(0) if self._type == "local" else value.context

    def _init_value(self, key, value):
        """The value to store for ``key`` (dist: rank 0's)."""
        return value

    def _merge(self, key, arrays):
        """Sum the values pushed for ``key`` on the store's context (``device``
        compression: each device's value is quantized first; ``dist_*`` stores
        compress the sum instead, in ``_reduce``)."""
        stored = self._store[key]
        if self._compression is not None and "dist" not in self.type:
            arrays = [nd.array(self._compression.quantize((key, i), a.asnumpy()),
                               ctx=stored.context, dtype=stored.dtype)
                      for i, a in enumerate(arrays)]
        merged = arrays[0].as_in_context(stored.context).astype(stored.dtype, copy=True)
        for a in arrays[1:]:
            merged += a.as_in_context(stored.context).astype(stored.dtype, copy=False)
        return merged

    def _reduce(self, key, merged):
        """Combine this worker's sum with the other workers' (dist); local: as is."""
        return merged

    # ---- the verbs -----------------------------------------------------------------------
    def init(self, key, value):
        """Store a copy of ``value`` under ``key`` (or of each value under each key).
        Each key is initialized once: ``init`` (or ``broadcast``) twice is an error."""
        for k, arrays in self._pairs(key, value, "init"):
            for a in arrays:
                if k in self._store:
                    raise MXNetError(f"KVStore.init: duplicate init of key {k!r}. Please "
                                     "double check if you called kv.init or kv.broadcast "
                                     "with this key multiple times")
                a = self._init_value(k, a)
                self._store[k] = a.as_in_context(self._store_context(a)).copy()

    def push(self, key, value, priority=0):
        """Push values: per key, the values (several devices', or the same key listed
        several times) are summed, then the updater runs on the stored value, or,
        without one, the sum replaces it.  ``priority`` is accepted and ignored (pymx
        runs each push at once)."""
        grouped = {}
        for k, arrays in self._pairs(key, value, "push"):
            stored = self._stored(k, "push")
            self._check_shape(k, stored, arrays, "push")
            grouped.setdefault(k, []).extend(arrays)
        for k, arrays in grouped.items():
            merged = self._reduce(k, self._merge(k, arrays))
            if self._updater is not None:
                self._updater(k.encode() if isinstance(k, str) else k, merged,
                              self._store[k])
            else:
                self._store[k] = merged

    def pull(self, key, out=None, priority=0, ignore_sparse=True):
        """Copy the stored value of each key into every array of its ``out`` (a
        broadcast to the devices).  ``ignore_sparse`` has no effect: pymx arrays are
        dense."""
        if out is None:
            raise MXNetError("KVStore.pull: out is required (the arrays to fill)")
        for k, arrays in self._pairs(key, out, "pull"):
            stored = self._stored(k, "pull")
            self._check_shape(k, stored, arrays, "pull")
            for o in arrays:
                stored.copyto(o)

    def pushpull(self, key, value, out=None, priority=0):
        """``push(key, value)`` then ``pull(key, out)``; without ``out`` the result is
        written back into ``value``."""
        self.push(key, value, priority)
        self.pull(key, value if out is None else out, priority)

    def broadcast(self, key, value, out, priority=0):
        """``init(key, value)`` then ``pull(key, out)``: every array of ``out`` gets
        ``value`` (rank 0's, under ``dist_*``).  Like ``init``, once per key."""
        self.init(key, value)
        self.pull(key, out, priority)

    def row_sparse_pull(self, key, out=None, priority=0, row_ids=None):
        """Pull only the rows ``row_ids`` of the stored value into the row_sparse
        ``out``: as MXNet, ``out`` then stores exactly those rows (sorted, each once,
        zero rows included).  ``row_ids`` is one NDArray for every output, or one per
        output laid out like ``out``.  (A dense ``out``, an MXNetError in MXNet 1.9.1,
        receives the dense form of those rows.)"""
        if out is None or row_ids is None:
            raise MXNetError("KVStore.row_sparse_pull: out and row_ids are required")

        def spread(o):                     # one row_ids for every output
            return [spread(x) for x in o] if isinstance(o, (list, tuple)) else row_ids
        single = isinstance(row_ids, nd.NDArray) or (
            isinstance(row_ids, (list, tuple)) and len(row_ids) == 1 and
            isinstance(out, (list, tuple)) and len(out) > 1)
        if single and not isinstance(row_ids, nd.NDArray):
            row_ids = row_ids[0]
        id_pairs = _key_value_pairs(key, spread(out) if single else row_ids,
                                    "row_sparse_pull")
        for (k, arrays), (_, ids) in zip(self._pairs(key, out, "row_sparse_pull"), id_pairs):
            stored = self._stored(k, "row_sparse_pull")
            self._check_shape(k, stored, arrays, "row_sparse_pull")
            if len(ids) != len(arrays):
                raise MXNetError(f"KVStore.row_sparse_pull: {len(ids)} row_ids for "
                                 f"{len(arrays)} outputs of key {k!r}")
            rsp = stored if stored.stype == "row_sparse" else stored.tostype("row_sparse")
            for o, rid in zip(arrays, ids):
                rows = np.unique(rid.asnumpy().astype("int64"))
                kept = nd.sparse.retain(rsp, nd.array(rows, dtype="int64"))
                (kept if o.stype == "row_sparse" else kept.tostype("default")).copyto(o)

    # ---- the updater ---------------------------------------------------------------------
    def set_optimizer(self, optimizer):
        """Run ``optimizer`` on the store: ``_set_updater(mx.optimizer.get_updater(o))``.
        (MXNet's dist store pickles it to the servers; every pymx worker runs its own
        copy, see ``dist.py``.)"""
        self._set_updater(opt.get_updater(optimizer))

    def _set_updater(self, updater):
        """Set ``updater(key, merged, stored)``, called by every push."""
        self._updater = updater

    def set_gradient_compression(self, compression_params):
        """Compress pushed values, e.g. ``{'type': '2bit', 'threshold': 0.5}`` (see
        ``compression.py``).  ``device`` and ``dist_*`` stores only, as in MXNet."""
        if "device" not in self.type and "dist" not in self.type:
            raise MXNetError("Gradient compression is not supported for this type of "
                             f"kvstore ({self.type!r}); use 'device' or a 'dist_*' store")
        self._compression = GradientCompression(compression_params)

    # ---- optimizer states ----------------------------------------------------------------
    def save_optimizer_states(self, fname, dump_optimizer=False):
        """Write the updater's states (``Updater.get_states``: MXNet's pickled format,
        as ``Trainer.save_states``) to ``fname``, through a temporary file and a rename
        so a crash never leaves half a file."""
        if self._updater is None or not hasattr(self._updater, "get_states"):
            raise MXNetError("KVStore.save_optimizer_states: no optimizer is set on this "
                             "store (call set_optimizer first)")
        tmp = f"{fname}.tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(self._updater.get_states(dump_optimizer))
        os.replace(tmp, fname)

    def load_optimizer_states(self, fname):
        """Read ``save_optimizer_states``'s file (a pickle: load only files you
        trust, e.g. your own checkpoints)."""
        if self._updater is None or not hasattr(self._updater, "set_states"):
            raise MXNetError("KVStore.load_optimizer_states: no optimizer is set on this "
                             "store (call set_optimizer first)")
        with open(fname, "rb") as f:
            self._updater.set_states(f.read())

    def _barrier(self):
        """Wait for all workers (one process: returns at once)."""
