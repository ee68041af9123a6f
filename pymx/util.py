"""``mx.util``: the two NumPy-semantics switches of MXNet 1.9.1 (``npx.set_np``).

MXNet 1.x grew a second front end, ``mx.np`` (``pymx/numpy/``), whose arrays follow
NumPy: zero-dim arrays, boolean comparisons, int64 indices.  Two process-wide switches
say how the *rest* of the library behaves:

* **array semantics** (``is_np_array``): arrays created without array inputs
  (``nd.zeros`` inside ``Parameter.initialize``, ``nd.array`` inside a DataLoader)
  are ``mx.np.ndarray`` s, so Gluon hands out NumPy-style arrays;
* **shape semantics** (``is_np_shape``): ``()`` is a valid (zero-dim) shape.  pymx
  always accepts zero-dim shapes, so this switch is only recorded and reported.

``npx.set_np()`` turns both on and ``npx.reset_np()`` both off.  An operator's
result takes the class of its first array input (``register.result_class``), so a
legacy ``NDArray`` stays legacy and an ``mx.np.ndarray`` stays NumPy-style whatever
the switches say; only creation without array inputs reads them.

Difference from MXNet 1.9.1: there the switches are per thread and ``mx.nd.zeros``
always makes a legacy ``NDArray``; in pymx they are per process and every creation
function follows them (that is how Gluon's parameters become ``mx.np.ndarray`` s).
"""
import functools
from contextlib import contextmanager

__all__ = ["set_np", "reset_np", "is_np_array", "is_np_shape", "set_np_shape",
           "use_np", "use_np_array", "use_np_shape", "np_array", "np_shape",
           "get_gpu_count", "get_gpu_memory", "getenv", "setenv"]


class _NumpyMode:
    """The two switches (module docstring)."""
    array = False
    shape = False


NP_MODE = _NumpyMode()


def is_np_array():
    """True after ``npx.set_np()``: arrays are created as ``mx.np.ndarray``."""
    return NP_MODE.array


def is_np_shape():
    """True after ``npx.set_np()``: zero-dim and zero-size shapes are valid."""
    return NP_MODE.shape


def set_np_shape(active):
    """Turn NumPy shape semantics on or off; returns the previous value."""
    if not active and NP_MODE.array:
        raise ValueError("NumPy Shape semantics is required in using NumPy array "
                         "semantics (call npx.reset_np() to leave both)")
    prev, NP_MODE.shape = NP_MODE.shape, bool(active)
    return prev


def set_np(shape=True, array=True):
    """Turn NumPy shape and array semantics on (both, by default).  Array semantics
    without shape semantics is a ValueError, as in MXNet."""
    if not shape and array:
        raise ValueError("NumPy Shape semantics is required in using NumPy array semantics.")
    NP_MODE.array = bool(array)
    NP_MODE.shape = bool(shape)


def reset_np():
    """Back to legacy semantics (both switches off)."""
    set_np(shape=False, array=False)


@contextmanager
def _mode(**switches):
    """Set some switches (``shape=``, ``array=``) inside a ``with`` block."""
    old = {name: getattr(NP_MODE, name) for name in switches}
    for name, value in switches.items():
        setattr(NP_MODE, name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(NP_MODE, name, value)


def np_shape(active=True):
    """``with np_shape():`` NumPy shape semantics inside the block."""
    return _mode(shape=active)


def np_array(active=True):
    """``with np_array():`` NumPy array semantics inside the block."""
    return _mode(array=active)


def _decorate(func, **switches):
    if isinstance(func, type):                    # a class: wrap each method
        for name, method in list(vars(func).items()):
            if callable(method) and not isinstance(method, type):
                setattr(func, name, _decorate(method, **switches))
        return func
    if not callable(func):
        raise TypeError(f"use_np: expected a function or a class, got {type(func).__name__}")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        with _mode(**switches):
            return func(*args, **kwargs)
    return wrapped


def use_np_shape(func):
    """Decorator: run ``func`` (or every method of a class) with shape semantics on."""
    return _decorate(func, shape=True)


def use_np_array(func):
    """Decorator: run ``func`` (or every method of a class) with array semantics on."""
    return _decorate(func, array=True)


def use_np(func):
    """Decorator: run ``func`` (or every method of a class, e.g. a Gluon Block) with
    both switches on, as if ``npx.set_np()`` had been called around each call."""
    return _decorate(func, shape=True, array=True)


# ---- the other helpers of MXNet's mx.util ---------------------------------------------------
def get_gpu_count():
    """How many CUDA GPUs there are (through CuPy; 0 without it)."""
    from .context import num_gpus
    return num_gpus()


def get_gpu_memory(gpu_dev_id):
    """``(free, total)`` bytes of GPU ``gpu_dev_id`` (MXNetError without such a GPU)."""
    from .context import gpu_memory_info
    return gpu_memory_info(gpu_dev_id)


def getenv(name):
    """The environment variable ``name`` as MXNet's backend sees it (None if unset)."""
    import os
    return os.environ.get(name)


def setenv(name, value):
    """Set (or, with ``value=None``, unset) the environment variable ``name``.  pymx
    reads its variables when it needs them, so this takes effect as in MXNet."""
    import os
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = str(value)
