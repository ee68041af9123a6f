"""``DataLoader``: turn a Dataset into an iterator of batches.

The loader asks its *batch sampler* for lists of indices, fetches
``[dataset[i] for i in indices]`` and merges them with ``batchify_fn``.  The default
``default_batchify_fn`` stacks NDArrays (``nd.stack``), recurses into tuples (so
``(data, label)`` samples give ``[data_batch, label_batch]``) and turns anything else
into ``nd.array(np.asarray(items), dtype=that dtype)``, which **keeps float64 and int
dtypes** (unlike plain ``nd.array``'s float32 default).

With ``num_workers > 0`` the batches are built by a pool of worker *processes*
(``multiprocessing``, fork where available, so the dataset is not copied up front);
``thread_pool=True`` uses threads instead.  Up to ``prefetch`` (default
``2 * num_workers``) batches are requested ahead.  An exception in a worker is
re-raised in the caller by the ``next()`` that asks for that batch; a batch that takes
longer than ``timeout`` seconds raises ``multiprocessing.TimeoutError``.  Worker
processes return NumPy arrays, converted to NDArrays in the main process.
"""
import multiprocessing
import multiprocessing.pool

import numpy as np

from ... import ndarray as nd
from ...context import cpu_pinned
from . import sampler as _sampler

__all__ = ["DataLoader", "default_batchify_fn", "default_mp_batchify_fn"]


def default_batchify_fn(data):
    """Merge a list of samples into a batch (see the module docstring)."""
    if isinstance(data[0], nd.NDArray):
        return nd.stack(*data)
    if isinstance(data[0], tuple):
        return [default_batchify_fn(list(i)) for i in zip(*data)]
    data = np.asarray(data)
    return nd.array(data, dtype=data.dtype)


def _np_batchify(data):
    """The worker-process half of the default batchify: NumPy arrays only (cheap to
    send between processes); ``_to_nd`` finishes in the main process."""
    if isinstance(data[0], nd.NDArray):
        return np.stack([d.asnumpy() for d in data])
    if isinstance(data[0], tuple):
        return [_np_batchify(list(i)) for i in zip(*data)]
    return np.asarray(data)


def _to_nd(batch):
    if isinstance(batch, np.ndarray):
        return nd.array(batch, dtype=batch.dtype)
    if isinstance(batch, list):
        return [_to_nd(b) for b in batch]
    return batch


#: MXNet's name for the batchify used with worker processes (shared memory there).
default_mp_batchify_fn = default_batchify_fn

_worker_dataset = None


def _worker_initializer(dataset):
    """Runs once in each worker process: keep the dataset in a global."""
    global _worker_dataset
    _worker_dataset = dataset


def _worker_fn(samples, batchify_fn, dataset=None):
    """Build one batch in a worker (process or thread)."""
    dataset = _worker_dataset if dataset is None else dataset
    if batchify_fn is None:
        return _np_batchify([dataset[i] for i in samples])
    return batchify_fn([dataset[i] for i in samples])


class _MultiWorkerIter:
    """Iterate over batches computed by a worker pool, ``prefetch`` in flight."""

    def __init__(self, pool, batchify_fn, batch_sampler, pin_memory, pin_device_id,
                 prefetch, timeout, dataset=None):
        self._pool = pool
        self._batchify_fn = batchify_fn
        self._batch_sampler = batch_sampler
        self._iter = iter(batch_sampler)
        self._pending = {}
        self._sent_idx = 0
        self._rcvd_idx = 0
        self._pin_memory = pin_memory
        self._pin_device_id = pin_device_id
        self._timeout = timeout
        self._dataset = dataset                # set for thread pools only
        for _ in range(prefetch):
            self._push_next()

    def __len__(self):
        return len(self._batch_sampler)

    def _push_next(self):
        r = next(self._iter, None)
        if r is None:
            return
        self._pending[self._sent_idx] = self._pool.apply_async(
            _worker_fn, (r, self._batchify_fn, self._dataset))
        self._sent_idx += 1

    def __next__(self):
        self._push_next()
        if self._rcvd_idx == self._sent_idx:
            if self._pending:
                raise AssertionError("Data buffer should be empty at this moment")
            raise StopIteration
        ret = self._pending.pop(self._rcvd_idx)
        try:
            batch = ret.get(self._timeout)
        except multiprocessing.TimeoutError:
            raise multiprocessing.TimeoutError(
                f"Worker timed out after {self._timeout} seconds. This might be caused by "
                "a slow or stuck dataset __getitem__ or batchify_fn; raise timeout= or use "
                "num_workers=0 to debug.") from None
        self._rcvd_idx += 1
        if self._dataset is None and self._batchify_fn is None:
            batch = _to_nd(batch)
        if self._pin_memory:
            batch = _as_in_context(batch, cpu_pinned(self._pin_device_id))
        return batch

    def __iter__(self):
        return self


def _as_in_context(data, ctx):
    if isinstance(data, nd.NDArray):
        return data.as_in_context(ctx)
    if isinstance(data, (list, tuple)):
        return [_as_in_context(d, ctx) for d in data]
    return data


class DataLoader:
    """Load batches from ``dataset``.

    Parameters
    ----------
    dataset : Dataset (anything with ``__getitem__`` and ``__len__``)
    batch_size : int
        Samples per batch (required unless ``batch_sampler`` is given).
    shuffle : bool
        A new random order each epoch (exclusive with ``sampler``).
    sampler : Sampler
        The index order (exclusive with ``shuffle``).
    last_batch : 'keep', 'discard' or 'rollover' (default 'keep')
        What to do with an incomplete last batch (see ``BatchSampler``).
    batch_sampler : Sampler of index lists
        Exclusive with batch_size, shuffle, sampler and last_batch.
    batchify_fn : callable
        Merges a list of samples into a batch (``default_batchify_fn``).
    num_workers : int
        Worker processes (0: load in the main process).
    pin_memory, pin_device_id
        Copy batches to ``cpu_pinned(pin_device_id)``.
    prefetch : int
        Batches requested ahead (default ``2 * num_workers``).
    thread_pool : bool
        Use threads instead of processes.
    timeout : int
        Seconds to wait for one batch from a worker.
    """

    def __init__(self, dataset, batch_size=None, shuffle=False, sampler=None,
                 last_batch=None, batch_sampler=None, batchify_fn=None, num_workers=0,
                 pin_memory=False, pin_device_id=0, prefetch=None, thread_pool=False,
                 timeout=120, auto_reload=False):
        self._dataset = dataset
        self._pin_memory = pin_memory
        self._pin_device_id = pin_device_id
        self._thread_pool = thread_pool
        self._timeout = timeout
        if batch_sampler is None:
            if batch_size is None:
                raise ValueError("batch_size must be specified unless batch_sampler is "
                                 "specified")
            if sampler is None:
                sampler = _sampler.RandomSampler(len(dataset)) if shuffle else \
                    _sampler.SequentialSampler(len(dataset))
            elif shuffle:
                raise ValueError("shuffle must not be specified if sampler is specified")
            batch_sampler = _sampler.BatchSampler(sampler, batch_size,
                                                  last_batch if last_batch else "keep")
        elif batch_size is not None or shuffle or sampler is not None or \
                last_batch is not None:
            raise ValueError("batch_size, shuffle, sampler and last_batch must not be "
                             "specified if batch_sampler is specified.")
        self._batch_sampler = batch_sampler
        self._num_workers = num_workers if num_workers >= 0 else 0
        self._worker_pool = None
        self._prefetch = max(0, int(prefetch) if prefetch is not None else
                             2 * self._num_workers)
        self._user_batchify = batchify_fn
        self._batchify_fn = batchify_fn if batchify_fn is not None else default_batchify_fn
        if self._num_workers > 0:
            if self._thread_pool:
                self._worker_pool = multiprocessing.pool.ThreadPool(self._num_workers)
            else:
                methods = multiprocessing.get_all_start_methods()
                mp = multiprocessing.get_context("fork" if "fork" in methods else None)
                self._worker_pool = mp.Pool(self._num_workers,
                                            initializer=_worker_initializer,
                                            initargs=[self._dataset])
        self.auto_reload = auto_reload
        self._iter = None
        if auto_reload:
            self.refresh()

    def __iter__(self):
        """One epoch of batches.  As MXNet, the epoch's iterator is made ahead by
        ``refresh`` (at construction and after each epoch when ``auto_reload``, so
        workers prefetch early) or here, and is used only once."""
        if self._iter is None:
            self.refresh()
        it, self._iter = self._iter, None
        yield from it
        if self._iter is None and self.auto_reload:
            self.refresh()

    def refresh(self):
        """Make the next epoch's iterator now (workers start prefetching)."""
        self._iter = self._prefetch_iter()

    def clean(self):
        """Drop the prepared iterator; the next ``__iter__`` makes a new one."""
        self._iter = None

    def _prefetch_iter(self):
        if self._num_workers == 0:
            def same_process_iter():
                for batch in self._batch_sampler:
                    ret = self._batchify_fn([self._dataset[idx] for idx in batch])
                    if self._pin_memory:
                        ret = _as_in_context(ret, cpu_pinned(self._pin_device_id))
                    yield ret
            return same_process_iter()
        if self._thread_pool:
            return _MultiWorkerIter(self._worker_pool, self._batchify_fn, self._batch_sampler,
                                    self._pin_memory, self._pin_device_id, self._prefetch,
                                    self._timeout, dataset=self._dataset)
        return _MultiWorkerIter(self._worker_pool, self._user_batchify, self._batch_sampler,
                                self._pin_memory, self._pin_device_id, self._prefetch,
                                self._timeout)

    def __len__(self):
        return len(self._batch_sampler)

    def __del__(self):
        pool = getattr(self, "_worker_pool", None)
        if pool is not None:
            pool.terminate()
            self._worker_pool = None
