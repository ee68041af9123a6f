"""Using every core for one kernel: split the batch, one BLAS thread per part.

NumPy runs a kernel on one core, except inside BLAS, which has its own threads.  For a
convolution that is not enough: half of its time is copying (im2col, the batch-last
transposes, col2im's strided adds), and a GEMM of LeNet's size gains little from
OpenBLAS's threads.  MXNet runs such a layer with OpenMP over all cores.  pymx does
the same with a thread pool: ``parallel_for(fn, n)`` calls ``fn(slice)`` on ``n``'s
parts at once (NumPy releases the GIL inside its loops and BLAS calls), while BLAS
is held at one thread so the parts do not fight over the cores.

``PYMX_NUM_THREADS`` (else ``OMP_NUM_THREADS``, else the number of cores) sets the
number of parts; 1 turns the pool off.  Measured on 2 cores, LeNet's second
convolution (batch 64): forward 4.1 -> 2.0 ms, backward 7.7 -> 4.9 ms.

One catch: after a multi-threaded GEMM, OpenBLAS's idle threads *spin* for about
0.1 s (``OPENBLAS_THREAD_TIMEOUT``, default 2^28 cycles) on the very cores the pool
needs, and the parts then run slower than one thread would.  ``import pymx`` sets
``OPENBLAS_THREAD_TIMEOUT=4`` (sleep at once) when NumPy is not loaded yet; when it
was loaded first, with BLAS threads and without that setting, ``parallel_for`` runs
the parts one after the other, as before.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

__all__ = ["num_threads", "parallel_for"]

_pool = None
_blas = None                 # threadpoolctl's BLAS controllers (None: not looked up yet)
_lock = threading.Lock()
_depth = 0                   # parallel regions open (the BLAS limit is set once)


def _after_fork():
    """A forked child (a DataLoader worker) has none of the parent's threads: start a
    new pool when it needs one."""
    global _pool, _lock, _depth
    _pool, _lock, _depth = None, threading.Lock(), 0


os.register_at_fork(after_in_child=_after_fork)


def num_threads():
    """How many parts ``parallel_for`` splits work into."""
    for var in ("PYMX_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1


def _blas_controllers():
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController
            _blas = [c for c in ThreadpoolController().lib_controllers
                     if c.user_api == "blas"]
        except Exception:            # no threadpoolctl: BLAS keeps its own threads
            _blas = []
    return _blas


def _enter():
    """Hold BLAS at one thread while a region runs; returns what to restore."""
    global _depth
    with _lock:
        _depth += 1
        if _depth > 1:
            return []
        saved = []
        for c in _blas_controllers():
            n = c.get_num_threads()
            if n != 1:
                saved.append((c, n))
                c.set_num_threads(1)
        return saved


def _leave(saved):
    global _depth
    with _lock:
        _depth -= 1
        for c, n in saved:
            c.set_num_threads(n)


def _blas_may_spin():
    import pymx
    return not pymx._BLAS_QUIET and any(c.get_num_threads() > 1 for c in _blas_controllers())


def parallel_for(fn, n, min_part=1):
    """Call ``fn(part)`` for contiguous slices covering ``range(n)`` (at most
    ``num_threads()`` of them, each at least ``min_part`` long), in parallel; returns
    the results in order."""
    global _pool
    parts = max(1, min(num_threads(), n // max(min_part, 1)))
    if parts > 1 and _blas_may_spin():
        parts = 1
    if parts == 1:
        return [fn(slice(0, n))]
    bounds = [n * i // parts for i in range(parts + 1)]
    slices = [slice(bounds[i], bounds[i + 1]) for i in range(parts)]
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=max(num_threads() - 1, 1),
                                   thread_name_prefix="pymx-cpu")
    saved = _enter()
    futures = []
    try:
        futures = [_pool.submit(fn, s) for s in slices[1:]]
        first = fn(slices[0])                    # the caller does a part too
    finally:
        wait(futures)                            # every part is done before BLAS
        _leave(saved)                            # gets its threads back
    return [first] + [f.result() for f in futures]
