"""``DistKVStore``: ``dist_sync`` (and friends) over MPI, for ``mpiexec -n N``.

MXNet's distributed store runs three kinds of processes (the paper's figure 5,
arXiv:1512.01274 section 3.3): *workers* compute gradients, *servers* hold the
weights, sum the workers' pushes and run the optimizer, and a *scheduler* introduces
them to each other (``tools/launch.py`` starts them all, ps-lite carries the messages).

pymx keeps the worker's API and drops the extra processes: **every worker holds a
full replica of the server.**  Launched as ``mpiexec -n N python train.py``, the N
processes (``rank`` 0..N-1 of MPI's ``COMM_WORLD``) do::

    init(k, v)    rank 0's v is broadcast (MPI Bcast): every replica starts equal
    push(k, gs)   1. sum this worker's devices        g_w = sum(gs)
                  2. (2-bit compression of g_w, with this worker's residual)
                  3. all-gather g_w of every worker and sum them in rank order
                  4. updater(k, sum, store[k])  -- the same numbers on every worker
    pull(k, out)  a local copy: the replicas are identical, nothing to send

Summing the gathered values in rank order (rather than an MPI ``Allreduce``, whose
order of additions may differ between ranks) gives every worker the same bits, so
the replicas never drift apart: after each push all workers hold identical weights
and identical optimizer states.  The costs: each worker stores the gathered values
of all N workers for a moment and runs the optimizer itself (N times the server
work of MXNet, spread over N processes).  With compression, step 3 gathers the
packed 2-bit codes (16 values per uint32), the bytes a real worker would send.

As in MXNet's ``dist_sync``, the gradients of all workers are **summed**, not
averaged: with ``Trainer.step(batch_size)`` pass the global batch size
(``batch_size * num_workers``) to get the mean gradient; ``Module`` does that for
you.  Every worker must make the same ``init``/``push`` calls in the same order
(a worker that skips one leaves the others waiting, as a missing push stalls an
MXNet server).

``dist_device_sync`` is the same store (pymx reduces in host memory either way).
``dist_async`` is accepted for compatibility but is **synchronous** here: MXNet's
servers apply each worker's push as soon as it arrives, which needs a server process
(or one-sided MPI) that this teaching store leaves out.

Without ``mpiexec`` MPI starts a single process: ``rank`` 0, ``num_workers`` 1.
mpi4py is optional (``pip install 'pymx[dist]'``); ``create('dist_sync')`` without it
raises ``MXNetError``.
"""
import os

import numpy as np

from ..base import MXNetError
from .. import ndarray as nd
from .compression import pack_2bit, unpack_2bit
from .local import KVStore

__all__ = ["DistKVStore", "launched_by_mpiexec"]

#: environment variables set by MPI launchers (MPICH/Hydra, Intel MPI, Open MPI, PMIx)
_LAUNCHER_VARS = ("PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK")


def launched_by_mpiexec():
    """Whether this process was started by an MPI launcher (``mpiexec``/``mpirun``),
    judged from its environment, without starting MPI."""
    return any(v in os.environ for v in _LAUNCHER_VARS)


def _comm_world():
    try:
        from mpi4py import MPI
    except Exception as err:   # ImportError, or mpi4py's RuntimeError for a missing libmpi
        raise MXNetError("the 'dist_*' kvstores need mpi4py and an MPI library: "
                         "pip install 'pymx[dist]' (mpi4py and MPICH), then run under "
                         f"mpiexec -n 2 ... ({type(err).__name__}: {err})") from None
    return MPI.COMM_WORLD


class DistKVStore(KVStore):
    """A ``dist_sync``/``dist_device_sync``/``dist_async`` store over MPI (see the
    module docstring); create it with ``mx.kv.create('dist_sync')``."""

    def __init__(self, name="dist_sync"):
        super().__init__(name)
        self._comm = _comm_world()

    @property
    def rank(self):
        """This process's rank in MPI's ``COMM_WORLD``."""
        return self._comm.Get_rank()

    @property
    def num_workers(self):
        """The number of processes ``mpiexec`` started (1 without it)."""
        return self._comm.Get_size()

    def _store_context(self, value):
        return value.context

    def _init_value(self, key, value):
        """Rank 0's value, broadcast to every worker."""
        buf = np.ascontiguousarray(value.asnumpy())
        self._comm.Bcast(buf, root=0)
        return nd.array(buf, ctx=value.context, dtype=buf.dtype)

    def _reduce(self, key, merged):
        """The sum over all workers of their merged values, in rank order."""
        local = np.ascontiguousarray(merged.asnumpy())
        if self._compression is not None:
            t = self._compression.threshold
            packed = pack_2bit(self._compression.quantize(key, local), t)
            gathered = np.empty((self.num_workers,) + packed.shape, packed.dtype)
            self._comm.Allgather(packed, gathered)
            parts = [unpack_2bit(p, t, local.shape, local.dtype) for p in gathered]
        else:
            parts = np.empty((self.num_workers,) + local.shape, local.dtype)
            self._comm.Allgather(local, parts)
        total = parts[0].copy()
        for p in parts[1:]:
            total += p
        return nd.array(total, ctx=merged.context, dtype=local.dtype)

    def _barrier(self):
        """Wait until every worker has reached this call (MPI Barrier)."""
        self._comm.Barrier()
