"""Running a memory plan: one preallocated block per storage id, one view per entry.

``memory_plan.py`` decides which graph entries share a block; this module makes that
real.  ``Storage(plan, shapes, dtypes, backend)`` allocates each block once, as raw
bytes (MXNet's ``data_pool_``), and gives every planned entry a view of its block with
the entry's shape and dtype (MXNet's ``NDArray::AsArray``).  When an operator has run,
``place(entry, result)`` writes the result into the entry's view, so two entries with
the same storage id really occupy the same memory, and an in-place output really
overwrites its input.  Unplanned entries (gradients written into bound arrays,
CachedOp outputs) keep the operator's own array, copied if it is a view into a block
(a later operator would overwrite it).

Operators that take ``out=`` (``Op.takes_out``: elementwise ops, Activation,
FullyConnected) compute straight into the entry's view, as MXNet's kernels write into
their output blobs.  Other pymx operators return new arrays, so each such result lives
briefly next to its block before ``place`` copies it in (like an operator's temporary
workspace, which MXNet does not count in the plan either); the blocks are what stays
allocated, and their sum is ``debug_str()``'s "Total N MB allocated".

``pool`` (a list shared between executors: ``shared_exec``, ``Executor.reshape``)
lends blocks: each block takes the smallest pooled buffer that is large enough and
not yet taken by this executor, else a new buffer is allocated and added to the pool
(MXNet's ``shared_pool`` in ``InitDataEntryMemory``).

Views are made with the native arrays' NumPy-style ``view``/``reshape`` (NumPy and
CuPy); on other backends ``Storage.supported`` is False and operators allocate as
before.  ``PYMX_EXEC_PLANNED_MEMORY=0`` switches planned execution off everywhere.
"""
import os

import numpy as np

from ..base import MXNetError

__all__ = ["Storage", "planned_memory_enabled"]


def planned_memory_enabled():
    return os.environ.get("PYMX_EXEC_PLANNED_MEMORY", "1") not in ("0", "false", "False")


def _root(a):
    """The array that owns ``a``'s memory (follows ``.base``)."""
    while getattr(a, "base", None) is not None:
        a = a.base
    return a


class Storage:
    """The blocks of one plan and the per-entry views into them."""

    def __init__(self, plan, shapes, dtypes, backend, pool=None):
        self.plan = plan
        self.backend = backend
        self.blocks = [None] * len(plan.block_bytes)
        self.allocated_bytes = 0        # bytes of the buffers this Storage allocated
        pool = pool if pool is not None else []
        taken = set()
        order = sorted(range(len(plan.block_bytes)), key=lambda s: -plan.block_bytes[s])
        for sid in order:
            need = max(int(plan.block_bytes[sid]), 1)
            pick = None
            for j, buf in enumerate(pool):
                if j not in taken and buf.shape[0] >= need and (
                        pick is None or buf.shape[0] < pool[pick].shape[0]):
                    pick = j
            if pick is None:
                pool.append(backend.empty((need,), np.uint8))
                self.allocated_bytes += need
                pick = len(pool) - 1
            taken.add(pick)
            self.blocks[sid] = pool[pick]
        self.pool = pool
        self._block_ids = {id(b) for b in self.blocks}
        self.views = {}
        for key, sid in plan.storage.items():
            if sid < 0 or key not in shapes:
                continue
            shape, dtype = tuple(shapes[key]), np.dtype(dtypes.get(key, np.float32))
            n = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            self.views[key] = self.blocks[sid][:n].view(dtype).reshape(shape)

    @staticmethod
    def supported(backend):
        probe = backend.empty((8,), np.uint8)
        return (type(probe).__module__.split(".")[0] in ("numpy", "cupy")
                and hasattr(probe, "view") and hasattr(probe, "base"))

    @property
    def total_bytes(self):
        """Bytes of the blocks in use (== ``plan.total_bytes`` unless pooled buffers
        are larger than the blocks they hold)."""
        return int(sum(b.shape[0] for b in self.blocks))

    def place(self, key, result, name=""):
        """Write ``result`` (an operator's output ``key``) into its planned view and
        return the view; unplanned entries get ``result`` (copied when it aliases a
        block)."""
        view = self.views.get(key)
        k = self.backend
        if view is None:
            if id(_root(result)) in self._block_ids:
                return k.copy(result)
            return result
        if result is not view:
            if tuple(result.shape) != tuple(view.shape):
                raise MXNetError(f"{name}: output shape {tuple(result.shape)} differs from "
                                 f"the planned shape {tuple(view.shape)}")
            k.setitem(view, Ellipsis, result)
        return view
