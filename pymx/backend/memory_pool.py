"""Keep freed host memory for the next array, as MXNet's pooled storage manager does.

MXNet never hands an NDArray's memory back to the operating system when the array
dies: its storage manager (``src/storage/pooled_storage_manager.h``) keeps freed
blocks in free lists by size and gives them to the next allocation that fits, because
asking the OS for memory is slow.  NumPy allocates with C ``malloc``, and glibc serves
a large request (above an adaptive threshold of 128 KB to 32 MB) with ``mmap`` and
returns it with ``munmap`` when freed.  Every large temporary (an im2col buffer, a GEMM
result) then arrives as fresh pages, and the kernel takes one page fault per 4 KB the
first time each page is written.  For LeNet's second convolution (batch 64) that was
40% of its backward pass: 10 ms with glibc's defaults, 6.3 ms when freed memory is
kept (on this project's 2-core benchmark machine).

``enable()`` gives NumPy's allocator the pool behaviour with two ``mallopt`` settings:
requests up to 32 MB (glibc's largest mmap threshold) come from the heap, and freed
heap memory goes back to the OS only when more than 512 MB of it sits at the top.
The price is MXNet's: a process keeps the memory of its largest working set.  Linux
with glibc only (elsewhere nothing happens); ``PYMX_HOST_MEMORY_POOL=0``, or any
``MALLOC_*`` tuning variable already in the environment, leaves malloc alone.
"""
import ctypes
import ctypes.util
import os

__all__ = ["enable"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3         # from glibc's <malloc.h>
_enabled = None


def enable():
    """Switch the pool on (once per process); returns whether malloc was tuned."""
    global _enabled
    if _enabled is None:
        _enabled = False
        if os.environ.get("PYMX_HOST_MEMORY_POOL", "1") in ("0", "false", "False") or \
                any(k.startswith("MALLOC_") for k in os.environ):
            return False
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            mallopt = libc.mallopt
        except (OSError, AttributeError):         # not glibc: nothing to tune
            return False
        _enabled = bool(mallopt(_M_MMAP_THRESHOLD, 32 * 2 ** 20)) and \
            bool(mallopt(_M_TRIM_THRESHOLD, 512 * 2 ** 20))
    return _enabled
