"""Contexts: *where* an array lives.  ``mx.cpu(0)``, ``mx.gpu(1)``, ``mx.opencl(0)``.

A context is a device type and an index.  Each device type is served by one backend
(DESIGN section 2): ``cpu`` (and ``cpu_pinned``/``cpu_shared``) by the NumPy reference,
``gpu`` by CuPy, ``opencl`` by PyOpenCL.  ``with ctx:`` makes ``ctx`` the default for
arrays created inside the block, exactly as in MXNet.

Any other installed backend (``pymx.backend.list_backends()``) is a device type of its
own name: ``Context('mybackend', 0)``.  That is how a third party's backend gets arrays
(and runs the conformance suite) without a change to pymx.
"""
import threading

from .base import MXNetError

__all__ = ["Context", "cpu", "gpu", "opencl", "cpu_pinned", "current_context", "num_gpus"]

#: MXNet's device type ids (they appear in ``.params`` files).
DEVTYPE_IDS = {"cpu": 1, "gpu": 2, "cpu_pinned": 3, "cpu_shared": 5, "opencl": 16}
DEVTYPE_NAMES = {v: k for k, v in DEVTYPE_IDS.items()}
#: Which backend serves which device type.
BACKEND_OF = {"cpu": "numpy", "cpu_pinned": "numpy", "cpu_shared": "numpy",
              "gpu": "cupy", "opencl": "opencl"}


class Context:
    """A device: ``Context('cpu', 0)`` or ``Context(other_context)``.

    Two contexts are equal when type and id are equal; ``repr`` is ``cpu(0)``.
    """
    _default = threading.local()
    devtype2str = DEVTYPE_NAMES
    devstr2type = DEVTYPE_IDS

    def __init__(self, device_type, device_id=0):
        if isinstance(device_type, Context):
            device_type, device_id = device_type.device_type, device_type.device_id
        elif isinstance(device_type, int):
            device_type = DEVTYPE_NAMES[device_type]
        if device_type not in DEVTYPE_IDS and not _is_backend(device_type):
            raise ValueError(f"unknown device type {device_type!r}; "
                             f"expected one of {sorted(DEVTYPE_IDS)}")
        self.device_type = device_type
        self.device_id = int(device_id)
        self._old = []

    @property
    def device_typeid(self):
        if self.device_type not in DEVTYPE_IDS:
            raise ValueError(f"device type {self.device_type!r} (a backend of its own) has "
                             "no MXNet device type id")
        return DEVTYPE_IDS[self.device_type]

    @property
    def backend(self):
        """The backend instance that owns arrays in this context (created on first use)."""
        backend = self.__dict__.get("_backend")
        if backend is None:
            from .backend import get_backend
            backend = self._backend = get_backend(
                BACKEND_OF.get(self.device_type, self.device_type), self.device_id)
        return backend

    def empty_cache(self):
        """MXNet frees cached GPU memory here; the NumPy backend has no cache."""

    def __eq__(self, other):
        return (isinstance(other, Context) and self.device_type == other.device_type
                and self.device_id == other.device_id)

    def __hash__(self):
        return hash((self.device_type, self.device_id))

    def __repr__(self):
        return f"{self.device_type}({self.device_id})"

    __str__ = __repr__

    def __enter__(self):
        self._old.append(getattr(Context._default, "value", None))
        Context._default.value = self
        return self

    def __exit__(self, *exc):
        Context._default.value = self._old.pop()


def _is_backend(name):
    """Is ``name`` a backend without a device type of MXNet's (a third party's)?"""
    if not isinstance(name, str):
        return False
    from .backend import list_backends
    return name in list_backends()


def cpu(device_id=0):
    """The CPU; arrays here are NumPy arrays (the reference backend)."""
    return Context("cpu", device_id)


def cpu_pinned(device_id=0):
    """Page-locked CPU memory in MXNet; the same as ``cpu`` in pymx."""
    return Context("cpu_pinned", device_id)


def gpu(device_id=0):
    """CUDA device ``device_id``, served by the CuPy backend."""
    return Context("gpu", device_id)


def opencl(device_id=0):
    """OpenCL device ``device_id`` (or ``PYMX_OPENCL_DEVICE``), served by PyOpenCL."""
    return Context("opencl", device_id)


def current_context():
    """The context set by the innermost ``with ctx:``, else ``cpu(0)``."""
    ctx = getattr(Context._default, "value", None)
    return ctx if ctx is not None else Context("cpu", 0)


def num_gpus():
    """How many CUDA devices CuPy sees (0 when CuPy is missing or finds none)."""
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount()
    except Exception:  # no cupy, no driver, no device: all mean zero GPUs
        return 0


def gpu_memory_info(device_id=0):
    """``(free, total)`` bytes of CUDA GPU ``device_id``, as CuPy's runtime reports them."""
    if device_id >= num_gpus():
        raise MXNetError(f"gpu_memory_info: no GPU {device_id} (CuPy sees {num_gpus()})")
    import cupy
    with cupy.cuda.Device(device_id):
        return cupy.cuda.runtime.memGetInfo()
