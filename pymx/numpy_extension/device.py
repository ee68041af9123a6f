"""Contexts and files for ``mx.npx``: ``cpu``, ``gpu``, ``cpu_pinned``, ``num_gpus``,
``gpu_memory_info``, ``waitall``,
``save`` and ``load`` (the ``.params`` format of ``mx.nd.save``; what is loaded comes
back as ``mx.np`` arrays, in a list or a dict as it was saved)."""
from ..context import (Context, cpu, cpu_pinned, gpu, gpu_memory_info,  # noqa: F401
                       num_gpus, current_context)
from ..ndarray import load as _nd_load, save as _nd_save, waitall  # noqa: F401
from ..ndarray.ndarray import NDArray

__all__ = ["cpu", "cpu_pinned", "gpu", "gpu_memory_info", "num_gpus", "current_context",
           "waitall", "save", "load"]          # (and ``Context``, documented in mx.context)


def save(file, arr):
    """Save an array, a list of arrays or a ``str -> array`` dict to ``file``."""
    if isinstance(arr, NDArray):
        arr = [arr]
    _nd_save(file, arr)


def load(file):
    """The arrays saved in ``file`` as ``mx.np`` arrays (a list, or a dict)."""
    loaded = _nd_load(file)
    if isinstance(loaded, dict):
        return {k: v.as_np_ndarray() for k, v in loaded.items()}
    return [v.as_np_ndarray() for v in loaded]
