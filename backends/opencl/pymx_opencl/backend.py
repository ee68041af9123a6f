"""The OpenCL backend: pymx's kernels in OpenCL C, run through PyOpenCL.

Arrays are ``pyopencl.array.Array``; PyOpenCL gives us device buffers and a way to
launch kernels, but little of NumPy, so every kernel below is a small OpenCL C
program.  They come from three places:

* ``pymx_kernels`` (shared with the CUDA backend): the elementwise expression table and
  im2col / col2im, emitted as OpenCL C;
* ``kernels/*.cl`` next to this file: layout moves, conversions, reductions, matmul;
* the NumPy reference, for the few kernels written nowhere else (``FALLBACKS`` below):
  the contract's ``@kernel`` default copies the inputs to the host, runs NumPy and
  copies the result back.

How a call runs, e.g. ``unary("exp", x)`` on a float32 array::

    program = self._program("elementwise", float32)    # built once, then cached
    kernel = program's "unary_exp"                      # retrieved once, then cached
    kernel(queue, (n,), None, x, out, n)                # queued; returns at once

Kernels see **compact** buffers (C-contiguous, offset 0): ``_compact`` makes a copy
when an input is a strided view.  The one exception is ``strided_copy`` itself, which
reads and writes any layout and so implements transpose, slicing, broadcasting,
flipping, concatenation and setitem (see ``kernels/layout.cl``).

Arithmetic kernels run in float32 and float64 (``dtypes``).  Other dtypes still work:
moves (copy, slicing, take, ...) are dtype-blind, and arithmetic on integers falls
back to the host.  Chapter 13 of the book walks through this file.
"""
import os
from importlib import resources

import numpy as np
import pyopencl as cl
import pyopencl.array as cla

import pymx_kernels
from pymx.backend import Backend, UNARY_OPS, BINARY_OPS
from pymx.base import MXNetError

from .fused import FusedKernels

__all__ = ["OpenCLBackend", "list_devices", "select_device", "FALLBACKS", "MATMUL_TILES"]

#: Kernels of the contract this backend leaves to the host (the NumPy reference).
FALLBACKS = {
    "arange": "tiny, and numpy.arange's float rounding is easier to match on the host",
    "cumsum": "a parallel scan is a lesson of its own",
    "sort": "a parallel sort is a lesson of its own",
    "argsort": "same as sort",
    "getitem": "only for advanced (integer-array) keys; basic keys are native",
    "setitem": "only for advanced keys; done in place through the host",
    "pad": "only modes 'edge' and 'reflect'; 'constant' is native",
}

#: Tile parameters of ``matmul_tiled`` per dtype (see kernels/matmul.cl).  TV is one
#: 256-bit vector; WM rows x 2 vectors = 12 vector accumulators fit the 16 AVX2 registers.
MATMUL_TILES = {
    "float32": dict(TV="float8", VW=8, TK=128, WM=6, LY=8),
    "float64": dict(TV="double4", VW=4, TK=128, WM=6, LY=8),
}

MAX_DIMS = 8                                   # must match layout.cl
LOCAL_SIZES = {1: (64,), 2: (64, 1), 3: (64, 1, 1)}   # work-group sizes by launch dimension
_WIDTH_TYPES = {1: "uchar", 2: "ushort", 4: "uint", 8: "ulong"}   # moves by element width
_PLAN = np.dtype([("ndim", "i8"), ("shape", "i8", MAX_DIMS),
                  ("src_offset", "i8"), ("src_strides", "i8", MAX_DIMS),
                  ("dst_offset", "i8"), ("dst_strides", "i8", MAX_DIMS)])

# op -> (IDENTITY, MAP(v), COMBINE(a, b)) for kernels/reduce.cl
_NAN_MAX = "(((a) != (a) || (a) > (b)) ? (a) : (b))"       # NaN-propagating, as np.max
_NAN_MIN = "(((a) != (a) || (a) < (b)) ? (a) : (b))"
REDUCERS = {
    "sum": ("(T)0", "(v)", "((a) + (b))"),
    "prod": ("(T)1", "(v)", "((a) * (b))"),
    "max": ("(T)(-INFINITY)", "(v)", _NAN_MAX),
    "min": ("(T)INFINITY", "(v)", _NAN_MIN),
    "nansum": ("(T)0", "((v) != (v) ? (T)0 : (v))", "((a) + (b))"),
    "nanprod": ("(T)1", "((v) != (v) ? (T)1 : (v))", "((a) * (b))"),
}
_ARG_BETTER = {"argmax": "((v) > (best) || ((v) != (v) && (best) == (best)))",
               "argmin": "((v) < (best) || ((v) != (v) && (best) == (best)))"}


# ---- devices ---------------------------------------------------------------------------
def list_devices():
    """Every OpenCL device of every platform, platforms in order: device ids count these."""
    try:
        platforms = cl.get_platforms()
    except cl.Error:                         # no ICD loader / no platform installed
        platforms = []
    return [d for p in platforms for d in p.get_devices()]


def select_device(device_id=0):
    """The device behind ``mx.opencl(device_id)``.

    ``PYMX_OPENCL_DEVICE`` works like ``CUDA_VISIBLE_DEVICES``: a comma-separated list
    of selectors, each a number (an index into ``list_devices()``) or a piece of a
    platform or device name (``pocl``, ``nvidia``, ``intel``, case-insensitive).
    ``mx.opencl(i)`` is the i-th selected device.  Unset, every device is selected.
    """
    devices = list_devices()
    if not devices:
        raise MXNetError("no OpenCL device found; for a CPU device: pip install 'pyopencl[pocl]'")
    env = os.environ.get("PYMX_OPENCL_DEVICE", "").strip()
    visible = [_match_device(devices, s.strip()) for s in env.split(",")] if env else devices
    if not 0 <= device_id < len(visible):
        names = ", ".join(f"{i}: {d.name}" for i, d in enumerate(visible))
        raise MXNetError(f"opencl({device_id}) does not exist; OpenCL devices: {names}"
                         + (f" (PYMX_OPENCL_DEVICE={env!r})" if env else ""))
    return visible[device_id]


def _match_device(devices, selector):
    if selector.lstrip("-").isdigit():
        index = int(selector)
        if not 0 <= index < len(devices):
            raise MXNetError(f"PYMX_OPENCL_DEVICE: no OpenCL device number {index} "
                             f"(there are {len(devices)})")
        return devices[index]
    for d in devices:
        if selector.lower() in _device_label(d).lower():
            return d
    raise MXNetError(f"PYMX_OPENCL_DEVICE: no OpenCL device matches {selector!r}; devices: "
                     + ", ".join(_device_label(d) for d in devices))


def _device_label(d):
    """What a name selector is matched against: platform name and vendor, device name
    and vendor.  PoCL's platform is 'Portable Computing Language' by 'The pocl project'
    and its device e.g. 'pthread-AMD EPYC' by 'AuthenticAMD': 'pocl' is only in the
    platform vendor."""
    p = d.platform
    return f"{p.name} ({p.vendor}) / {d.name} ({d.vendor})"


# ---- layouts ---------------------------------------------------------------------------
class Layout:
    """Where the elements of an array live in its buffer, counted in elements:
    element ``(i_0, .., i_k)`` is at ``offset + sum(i_d * strides[d])``."""

    def __init__(self, shape, strides, offset=0):
        self.shape, self.strides, self.offset = tuple(shape), tuple(strides), offset

    @classmethod
    def of(cls, x):
        """The layout of a PyOpenCL array (which may itself be a strided view)."""
        item = x.dtype.itemsize
        return cls(x.shape, [s // item for s in x.strides], x.offset // item)

    @classmethod
    def contiguous(cls, shape, offset=0):
        strides, step = [], 1
        for n in reversed(shape):
            strides.insert(0, step)
            step *= n
        return cls(shape, strides, offset)

    def permute(self, axes):
        """transpose: shape and strides permuted together."""
        return Layout([self.shape[a] for a in axes], [self.strides[a] for a in axes],
                      self.offset)

    def broadcast(self, shape):
        """broadcast_to: new leading axes and stretched size-1 axes get stride 0."""
        shape = tuple(shape)
        lead = len(shape) - len(self.shape)
        if lead < 0:
            raise ValueError(f"cannot broadcast shape {self.shape} to {shape}")
        strides = [0] * lead
        for n, (m, s) in zip(shape[lead:], zip(self.shape, self.strides)):
            if m != n and m != 1:
                raise ValueError(f"cannot broadcast shape {self.shape} to {shape}")
            strides.append(s if m == n else 0)
        return Layout(shape, strides, self.offset)

    def flip(self, axes):
        """Reverse ``axes``: start at the last element, walk backwards."""
        strides, offset = list(self.strides), self.offset
        for a in axes:
            offset += (self.shape[a] - 1) * strides[a] if self.shape[a] else 0
            strides[a] = -strides[a]
        return Layout(self.shape, strides, offset)

    def index(self, key):
        """Basic indexing (ints, slices, None, Ellipsis) as NumPy does it, on the layout."""
        key = key if isinstance(key, tuple) else (key,)
        used = sum(k is not None and k is not Ellipsis for k in key)
        if used > len(self.shape):
            raise IndexError(f"too many indices for array of shape {self.shape}")
        if Ellipsis in key:
            at = key.index(Ellipsis)
            key = key[:at] + (slice(None),) * (len(self.shape) - used) + key[at + 1:]
        else:
            key = key + (slice(None),) * (len(self.shape) - used)
        shape, strides, offset, axis = [], [], self.offset, 0
        for k in key:
            if k is None:                                   # new axis
                shape.append(1)
                strides.append(0)
                continue
            n, s = self.shape[axis], self.strides[axis]
            if isinstance(k, slice):
                start, stop, step = k.indices(n)
                shape.append(len(range(start, stop, step)))
                strides.append(s * step)
                offset += start * s if shape[-1] else 0
            else:                                           # an integer drops the axis
                i = int(k)
                if not -n <= i < n:
                    raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
                offset += (i % n) * s
            axis += 1
        return Layout(shape, strides, offset)


def _is_basic_key(key):
    key = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer))
               and not isinstance(k, bool) for k in key)


def _merge_axes(shape, *stride_lists):
    """Drop size-1 axes and merge neighbours that are contiguous in every layout, so a
    (64, 32, 16) C-contiguous copy becomes one axis of 32768: fewer divisions per element."""
    axes = [(n, [s[a] for s in stride_lists]) for a, n in enumerate(shape) if n != 1]
    merged = []
    for n, strides in axes:
        if merged and all(so == si * n for so, si in zip(merged[-1][1], strides)):
            merged[-1] = (merged[-1][0] * n, strides)
        else:
            merged.append((n, strides))
    return [m[0] for m in merged], [[m[1][i] for m in merged] for i in range(len(stride_lists))]


def _prod(shape):
    out = 1
    for n in shape:
        out *= int(n)
    return out


# ---- the backend -----------------------------------------------------------------------
class OpenCLBackend(FusedKernels, Backend):
    """pymx kernels in OpenCL C.  One instance per device; see the module docstring.
    The fused kernels (``fused_softmax``, ``fused_BatchNorm``, ...) are in ``fused.py``."""
    name = "opencl"
    dtypes = ("float32", "float64")

    def __init__(self, device_id=0):
        super().__init__(device_id)
        self.device = select_device(device_id)
        self.context = cl.Context([self.device])
        self.queue = cl.CommandQueue(self.context)
        if "cl_khr_fp64" not in self.device.extensions:
            self.dtypes = ("float32",)                     # say only what we compute in
        self._programs = {}      # (name, types...) -> built cl.Program
        self._kernels = {}       # (program key, kernel name) -> cl.Kernel
        self._geometry = {}      # im2col geometry tuples -> uploaded int64 arrays

    def __repr__(self):
        return f"OpenCLBackend({self.device_id}: {self.device.platform.name} / {self.device.name})"

    # ---- programs and launches ---------------------------------------------------------
    def _program(self, key, source, options=()):
        """Build ``source`` once per ``key`` and keep it (PyOpenCL also caches the binary
        on disk, so a second Python process skips the compiler)."""
        prg = self._programs.get(key)
        if prg is None:
            prg = self._programs[key] = cl.Program(self.context, source).build(
                options=list(options))
        return prg

    def _kernel(self, key, source, name, options=()):
        k = self._kernels.get((key, name))
        if k is None:
            k = self._kernels[(key, name)] = getattr(
                self._program(key, source(), options), name)
        return k

    def _run(self, kernel, global_size, local_size, *args):
        """Queue a kernel (it runs asynchronously; ``to_numpy``/``synchronize`` wait).

        Without a ``local_size`` we pick a fixed one and round the global size up (every
        kernel checks its index against n): PoCL compiles a kernel once per work-group
        size, and letting the driver choose would give a new size for many n."""
        if not _prod(global_size):
            return
        if local_size is None:
            local_size = LOCAL_SIZES[len(global_size)]
            global_size = [-(-g // l) * l for g, l in zip(global_size, local_size)]
        kernel(self.queue, tuple(global_size), tuple(local_size), *args)

    @staticmethod
    def _read(filename):
        return resources.files(__package__).joinpath("kernels", filename).read_text()

    def _typed(self, dtype, filename, **defines):
        """Source of ``kernels/filename`` for element type T = ``dtype`` plus #defines."""
        head = pymx_kernels.prelude("opencl", dtype)
        head += "".join(f"#define {k} {v}\n" for k, v in defines.items())
        return head + self._read(filename)

    def _is_float(self, *arrays):
        return all(a.dtype.name in self.dtypes for a in arrays)

    # ---- memory ----------------------------------------------------------------------
    def is_native(self, a):
        return isinstance(a, cla.Array)

    def from_numpy(self, a):
        a = np.asarray(a, order="C")                  # (ascontiguousarray makes 0-d 1-d)
        out = self.empty(a.shape, a.dtype)
        if a.size:
            cl.enqueue_copy(self.queue, out.base_data, a)
        return out

    def from_dlpack(self, x):
        """Upload a DLPack producer whose memory is on the host (a NumPy array, a CPU
        tensor): read in place through ``numpy.from_dlpack``, one copy to the device.
        ``NDArray.copyto`` tries this first; other producers raise BufferError and take
        the host path.  PyOpenCL arrays are no DLPack producers (PyOpenCL has no
        ``__dlpack__``), so opencl -> cpu is always ``to_numpy``."""
        device = getattr(x, "__dlpack_device__", lambda: (None, 0))()[0]
        if device != 1:                                  # 1 = kDLCPU
            raise BufferError(f"opencl: cannot import DLPack memory on device {device}")
        return self.from_numpy(np.from_dlpack(x))

    def to_numpy(self, x):
        x = self._compact(x)
        out = np.empty(x.shape, x.dtype)
        if x.size:
            cl.enqueue_copy(self.queue, out, x.base_data)     # blocking by default
        return out

    def empty(self, shape, dtype):
        return cla.empty(self.queue, tuple(int(n) for n in shape), np.dtype(dtype))

    def synchronize(self):
        self.queue.finish()

    def full(self, shape, value, dtype):
        dtype = np.dtype(dtype)
        width = _WIDTH_TYPES.get(dtype.itemsize)
        if width is None:
            return self.run_on_host("full", shape, value, dtype)
        out = self.empty(shape, dtype)
        # the value's bits, as an unsigned integer of the same width
        bits = np.array(value).astype(dtype).view(f"u{dtype.itemsize}")[()]
        k = self._kernel(("layout", width), lambda: self._layout_source(width), "fill")
        self._run(k, (out.size,), None, out.base_data, bits, np.int64(out.size))
        return out

    def copy(self, x):
        if self._compact_already(x):
            out = self.empty(x.shape, x.dtype)
            if x.size:
                cl.enqueue_copy(self.queue, out.base_data, x.base_data, byte_count=x.nbytes)
            return out
        return self._copy_layout(x, Layout.of(x))

    def astype(self, x, dtype):
        dtype = np.dtype(dtype)
        if dtype == x.dtype:
            return self.copy(x)
        types = pymx_kernels.C_TYPES["opencl"]
        if "float16" in (x.dtype.name, dtype.name) or not (
                x.dtype.name in types and dtype.name in types):
            return self.run_on_host("astype", x, dtype)        # half needs cl_khr_fp16
        x = self._compact(x)
        out = self.empty(x.shape, dtype)
        k = self._convert_kernel("astype", x.dtype, dtype)
        self._run(k, (x.size,), None, x.base_data, out.base_data, np.int64(x.size))
        return out

    def _convert_kernel(self, name, src, dst):
        s, d = pymx_kernels.c_type(src, "opencl"), pymx_kernels.c_type(dst, "opencl")
        fp64 = np.float64 in (np.dtype(src), np.dtype(dst))
        head = "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n" if fp64 else ""
        head += f"typedef {s} S;\ntypedef {d} D;\n"
        if np.dtype(dst) == np.bool_:                 # bool(0.5) is True, (uchar)0.5 is 0
            head += "#define CONVERT(v) ((D)((v) != (S)0))\n"
        else:
            head += "#define CONVERT(v) ((D)(v))\n"
        key = ("convert", np.dtype(src).name, np.dtype(dst).name)   # bool and uint8 differ
        return self._kernel(key, lambda: head + self._read("convert.cl"), name)

    # ---- layout ----------------------------------------------------------------------
    def _layout_source(self, width):
        return f"typedef {width} B;\n" + self._read("layout.cl")

    @staticmethod
    def _compact_already(x):
        return x.flags.c_contiguous and x.offset == 0

    def _compact(self, x):
        """``x`` itself when C-contiguous with offset 0, else a compact copy."""
        return x if self._compact_already(x) else self._copy_layout(x, Layout.of(x))

    def _copy_layout(self, src, layout, dst=None, dst_layout=None):
        """Copy the elements of ``src`` seen through ``layout`` into ``dst`` seen through
        ``dst_layout`` (default: a new C-contiguous array of ``layout.shape``)."""
        if dst is None:
            dst = self.empty(layout.shape, src.dtype)
            dst_layout = Layout.contiguous(layout.shape)
        n = _prod(layout.shape)
        if n == 0:
            return dst
        shape, (s_str, d_str) = _merge_axes(layout.shape, layout.strides, dst_layout.strides)
        if len(shape) > MAX_DIMS:
            raise MXNetError(f"OpenCL strided copy supports {MAX_DIMS} dimensions "
                             f"after merging, got shape {layout.shape}")
        plan = np.zeros((), _PLAN)
        plan["ndim"] = len(shape)
        plan["shape"][:len(shape)] = shape
        plan["src_offset"], plan["dst_offset"] = layout.offset, dst_layout.offset
        plan["src_strides"][:len(shape)] = s_str
        plan["dst_strides"][:len(shape)] = d_str
        width = _WIDTH_TYPES[src.dtype.itemsize]
        k = self._kernel(("layout", width), lambda: self._layout_source(width), "strided_copy")
        self._run(k, (n,), None, src.base_data, dst.base_data, plan, np.int64(n))
        return dst

    def reshape(self, x, shape):
        return self._compact(x).reshape(tuple(shape))

    def transpose(self, x, axes):
        return self._copy_layout(x, Layout.of(x).permute(axes))

    def broadcast_to(self, x, shape):
        return self._copy_layout(x, Layout.of(x).broadcast(shape))

    def flip(self, x, axes):
        axes = (axes,) if isinstance(axes, int) else tuple(axes)
        return self._copy_layout(x, Layout.of(x).flip([a % x.ndim for a in axes]))

    def getitem(self, x, key):
        """Basic keys: a compact copy of the selected layout (never a view).  Keys with
        integer arrays: the host fallback."""
        if not _is_basic_key(key):
            host = self.to_numpy(x)[self._host_key(key)]
            return self.from_numpy(host)
        return self._copy_layout(x, Layout.of(x).index(key))

    def _host_key(self, key):
        """``key`` with device index arrays downloaded.  (Not ``run_on_host``: it would
        turn the key tuple into a list, which NumPy reads as a different index.)"""
        if isinstance(key, tuple):
            return tuple(self._host_key(k) for k in key)
        return self.to_numpy(key) if self.is_native(key) else key

    def setitem(self, x, key, value):
        """In place.  Basic keys: one strided copy from ``value`` (broadcast) into the
        selected layout of ``x``.  Advanced keys: download, assign, upload in place."""
        if not _is_basic_key(key):
            host = self.to_numpy(x)
            host[self._host_key(key)] = self.to_numpy(value) if self.is_native(value) else value
            self._copy_layout(self.from_numpy(host), Layout.contiguous(x.shape), x, Layout.of(x))
            return
        target = Layout.of(x).index(key)
        if self.is_native(value):
            value = self.astype(value, x.dtype) if value.dtype != x.dtype else value
            if value.base_data is x.base_data:             # x[1:] = x[:-1]: copy first
                value = self.copy(value)
        else:
            value = self.from_numpy(np.asarray(value, dtype=x.dtype))
        self._copy_layout(value, Layout.of(value).broadcast(target.shape), x, target)

    def concat(self, xs, axis):
        shape = list(xs[0].shape)
        shape[axis] = sum(x.shape[axis] for x in xs)
        out = self.empty(shape, xs[0].dtype)
        start = 0
        for x in xs:                                   # each piece into its slab of out
            key = (slice(None),) * axis + (slice(start, start + x.shape[axis]),)
            self._copy_layout(x, Layout.of(x), out, Layout.of(out).index(key))
            start += x.shape[axis]
        return out

    def stack(self, xs, axis):
        axis = axis % (xs[0].ndim + 1)
        return self.concat([self.reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])
                            for x in xs], axis)

    def pad(self, x, pad_width, mode, value):
        if mode != "constant":
            return self.run_on_host("pad", x, pad_width, mode, value)
        shape = [n + lo + hi for n, (lo, hi) in zip(x.shape, pad_width)]
        out = self.full(shape, value, x.dtype)
        inner = tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape, pad_width))
        self._copy_layout(x, Layout.of(x), out, Layout.of(out).index(inner))
        return out

    def tile(self, x, reps):
        """``tile`` = broadcast along new interleaved axes, then reshape: x (a, b) with
        reps (r, s) is read as (r, a, s, b) with stride 0 on the r and s axes."""
        reps = (reps,) if isinstance(reps, int) else tuple(reps)
        d = max(x.ndim, len(reps))
        reps = (1,) * (d - len(reps)) + reps
        lay = Layout.of(x).broadcast((1,) * (d - x.ndim) + x.shape)
        shape, strides = [], []
        for r, n, s in zip(reps, lay.shape, lay.strides):
            shape += [r, n]
            strides += [0, s]
        out = self._copy_layout(x, Layout(shape, strides, lay.offset))
        return out.reshape(tuple(r * n for r, n in zip(reps, lay.shape)))

    def repeat(self, x, repeats, axis):
        """``repeat`` with one count: a new stride-0 axis right after ``axis``."""
        if not isinstance(repeats, (int, np.integer)):
            return self.run_on_host("repeat", x, repeats, axis)
        if axis is None:
            x, axis = self.reshape(x, (x.size,)), 0
        axis %= x.ndim
        lay = Layout.of(x)
        shape = list(lay.shape[:axis + 1]) + [repeats] + list(lay.shape[axis + 1:])
        strides = list(lay.strides[:axis + 1]) + [0] + list(lay.strides[axis + 1:])
        out = self._copy_layout(x, Layout(shape, strides, lay.offset))
        new = list(x.shape)
        new[axis] *= repeats
        return out.reshape(tuple(new))

    # ---- elementwise -------------------------------------------------------------------
    def _elementwise(self, dtype, name):
        return self._kernel(("elementwise", dtype.name),
                            lambda: pymx_kernels.elementwise_source("opencl", dtype), name)

    def _target(self, out, like):
        """``out`` when a kernel can write into it directly (compact, same dtype), else
        a new array (``deliver`` then copies it into ``out``)."""
        if out is not None and self._compact_already(out) and out.dtype == like.dtype:
            return out
        return self.empty(like.shape, like.dtype)

    def unary(self, op, x, out=None):
        if op not in UNARY_OPS:
            raise MXNetError(f"unknown unary op {op!r}")
        if not self._is_float(x):
            return self.run_on_host("unary", op, x, out=out)
        x = self._compact(x)
        res = self._target(out, x)      # (out may be x: each work-item reads, then writes)
        k = self._elementwise(x.dtype, pymx_kernels.unary_kernel_name(op))
        self._run(k, (x.size,), None, x.base_data, res.base_data, np.int64(x.size))
        return self.deliver(res, out)

    def binary(self, op, a, b, out=None):
        """``b`` (or ``a``) may be a Python scalar; a scalar ``b`` is passed by value, a
        scalar ``a`` is first filled into an array."""
        if op not in BINARY_OPS:
            raise MXNetError(f"unknown binary op {op!r}")
        a, b = (self.from_numpy(t) if isinstance(t, np.ndarray) and t.ndim else t for t in (a, b))
        if not self.is_native(a) and not self.is_native(b):
            raise MXNetError("binary: at least one operand must be an OpenCL array")
        ref = a if self.is_native(a) else b
        if not self._is_float(ref):
            return self.run_on_host("binary", op, a, b, out=out)
        dtype = ref.dtype
        if not self.is_native(a):                          # scalar - array
            a = self.full(b.shape, a, dtype)
        a = self._compact(a)
        res = self._target(out, a)
        n = np.int64(a.size)
        if self.is_native(b):
            if b.shape != a.shape:
                b = self.broadcast_to(b, a.shape)
            b = self._compact(b if b.dtype == dtype else self.astype(b, dtype))
            k = self._elementwise(dtype, pymx_kernels.binary_kernel_name(op))
            self._run(k, (a.size,), None, a.base_data, b.base_data, res.base_data, n)
        else:
            k = self._elementwise(dtype, pymx_kernels.binary_kernel_name(op, scalar=True))
            self._run(k, (a.size,), None, a.base_data, dtype.type(b), res.base_data, n)
        return self.deliver(res, out)

    def where(self, cond, a, b):
        if not self.is_native(a):
            a = self.full(cond.shape, a, b.dtype if self.is_native(b) else np.float32)
        if not self.is_native(b):
            b = self.full(cond.shape, b, a.dtype)
        if a.dtype != b.dtype or "float16" in (cond.dtype.name, a.dtype.name) \
                or a.dtype.name not in pymx_kernels.C_TYPES["opencl"]:
            return self.run_on_host("where", cond, a, b)
        cond, a, b = (self._compact(t) for t in (cond, a, b))
        out = self.empty(a.shape, a.dtype)
        k = self._convert_kernel("where", cond.dtype, a.dtype)
        self._run(k, (a.size,), None, cond.base_data, a.base_data, b.base_data,
                  out.base_data, np.int64(a.size))
        return out

    def clip(self, x, lo, hi):
        if not self._is_float(x):
            return self.run_on_host("clip", x, lo, hi)
        x = self._compact(x)
        out = self.empty(x.shape, x.dtype)
        t = x.dtype.type
        k = self._kernel(("misc", x.dtype.name), lambda: self._typed(x.dtype, "misc.cl"), "clip")
        self._run(k, (x.size,), None, x.base_data, out.base_data,
                  t(0 if lo is None else lo), t(0 if hi is None else hi),
                  np.int32(lo is not None), np.int32(hi is not None), np.int64(x.size))
        return out

    # ---- reductions --------------------------------------------------------------------
    def _rows(self, x, axes):
        """Move ``axes`` to the end and view x as (rows, K): returns (compact array,
        kept shape, K)."""
        kept = [a for a in range(x.ndim) if a not in axes]
        perm = kept + sorted(axes)
        if perm != list(range(x.ndim)):
            x = self.transpose(x, perm)
        x = self._compact(x)
        return x, [x.shape[i] for i in range(len(kept))], _prod(x.shape[len(kept):])

    def reduce(self, op, x, axes, keepdims):
        if op not in REDUCERS:
            raise MXNetError(f"unknown reduction {op!r}")
        axes = tuple(range(x.ndim)) if axes is None else tuple(a % max(x.ndim, 1) for a in (
            (axes,) if isinstance(axes, int) else axes))
        if not self._is_float(x):
            return self.run_on_host("reduce", op, x, axes, keepdims)
        rows_x, kept, K = self._rows(x, axes)
        rows = _prod(kept)
        if K == 0 and rows and op in ("max", "min"):
            raise ValueError(f"zero-size array to reduction operation {op} which has no identity")
        out = self.empty(kept, x.dtype)
        identity, map_, combine = REDUCERS[op]
        k = self._kernel(("reduce", op, x.dtype.name),
                         lambda: self._typed(x.dtype, "reduce.cl", IDENTITY=identity,
                                             **{"MAP(v)": map_, "COMBINE(a, b)": combine,
                                                "BETTER(v, best)": "0"}),
                         "reduce_rows")
        local = 1
        while local < min(K, 128):                    # a power of two, at most 128
            local *= 2
        self._run(k, (rows * local,), (local,), rows_x.base_data, np.int64(K),
                  out.base_data, cl.LocalMemory(local * x.dtype.itemsize))
        if keepdims:
            out = out.reshape(tuple(1 if a in axes else n for a, n in enumerate(x.shape)))
        return out

    def _argreduce(self, op, x, axis, keepdims):
        if not self._is_float(x):
            return self.run_on_host(op, x, axis, keepdims)
        if axis is None:                                   # over the flattened array
            rows_x, kept, K = self._compact(x), [], x.size
            keep_shape = (1,) * x.ndim
        else:
            axis %= x.ndim
            rows_x, kept, K = self._rows(x, (axis,))
            keep_shape = tuple(1 if a == axis else n for a, n in enumerate(x.shape))
        if K == 0:
            raise ValueError(f"attempt to get {op} of an empty sequence")
        rows = _prod(kept)
        out = self.empty(kept, np.int64)
        k = self._kernel(("argreduce", op, x.dtype.name),
                         lambda: self._typed(x.dtype, "reduce.cl", IDENTITY="0",
                                             **{"MAP(v)": "(v)", "COMBINE(a, b)": "(a)",
                                                "BETTER(v, best)": _ARG_BETTER[op]}),
                         "arg_rows")
        self._run(k, (rows,), None, rows_x.base_data, np.int64(K), out.base_data, np.int64(rows))
        return out.reshape(keep_shape) if keepdims else out

    def argmax(self, x, axis, keepdims):
        return self._argreduce("argmax", x, axis, keepdims)

    def argmin(self, x, axis, keepdims):
        return self._argreduce("argmin", x, axis, keepdims)

    # ---- linear algebra ----------------------------------------------------------------
    def _matmul_kernel(self, dtype, name):
        tiles = MATMUL_TILES[dtype.name]
        defines = dict(tiles, VLOAD=f"vload{tiles['VW']}", VSTORE=f"vstore{tiles['VW']}")
        return self._kernel(("matmul", dtype.name),
                            lambda: self._typed(dtype, "matmul.cl", **defines), name,
                            options=("-cl-mad-enable",))

    def _gemm(self, a, b, ta, tb, name):
        """C[i] = op(a[i]) @ op(b[i]) for compact 3-D a, b; transposes become strides."""
        a, b = self._compact(a), self._compact(b)
        batch = a.shape[0]
        m, k = (a.shape[2], a.shape[1]) if ta else (a.shape[1], a.shape[2])
        k2, n = (b.shape[2], b.shape[1]) if tb else (b.shape[1], b.shape[2])
        if k != k2 or b.shape[0] != batch:
            raise MXNetError(f"matmul: shapes {a.shape} and {b.shape} do not match "
                             f"(transpose_a={ta}, transpose_b={tb})")
        out = self.empty((batch, m, n), a.dtype)
        # element (i, kk) of op(a[p]) is a[p*sa_b + i*sa_m + kk*sa_k], likewise for b
        sa_b, sa_m, sa_k = a.shape[1] * a.shape[2], *((1, m) if ta else (k, 1))
        sb_b, sb_k, sb_n = b.shape[1] * b.shape[2], *((1, k) if tb else (n, 1))
        i64 = np.int64
        args = (i64(m), i64(n), i64(k), a.base_data, i64(sa_b), i64(sa_m), i64(sa_k),
                b.base_data, i64(sb_b), i64(sb_k), i64(sb_n), out.base_data)
        kern = self._matmul_kernel(a.dtype, name)
        if name == "matmul_naive":
            self._run(kern, (n, m, batch), None, *args)
        else:
            t = MATMUL_TILES[a.dtype.name]
            bn, rows, ly = 2 * t["VW"], t["WM"] * t["LY"], t["LY"]
            grid = (-(-n // bn), -(-m // rows) * ly, batch)
            self._run(kern, grid, (1, ly, 1), *args)
        return out

    def _matmul(self, a, b, transpose_a, transpose_b, name, out=None):
        if a.ndim != 2 or b.ndim != 2 or a.dtype != b.dtype or not self._is_float(a):
            return self.run_on_host("matmul", a, b, transpose_a, transpose_b, out=out)
        res = self._gemm(self.reshape(a, (1,) + a.shape), self.reshape(b, (1,) + b.shape),
                         transpose_a, transpose_b, name)
        return self.deliver(res.reshape(res.shape[1:]), out)

    def matmul(self, a, b, transpose_a=False, transpose_b=False, out=None):
        """The tiled, register-blocked kernel (kernels/matmul.cl, ``matmul_tiled``)."""
        return self._matmul(a, b, transpose_a, transpose_b, "matmul_tiled", out)

    def matmul_naive(self, a, b, transpose_a=False, transpose_b=False):
        """The one-work-item-per-output kernel, kept for teaching and benchmarks."""
        return self._matmul(a, b, transpose_a, transpose_b, "matmul_naive")

    def batch_matmul(self, a, b, transpose_a=False, transpose_b=False):
        if a.ndim != 3 or b.ndim != 3 or a.dtype != b.dtype or not self._is_float(a):
            return self.run_on_host("batch_matmul", a, b, transpose_a, transpose_b)
        return self._gemm(a, b, transpose_a, transpose_b, "matmul_tiled")

    # ---- indexing ----------------------------------------------------------------------
    def _indices(self, indices):
        """Indices as a compact int64 device array (the kernels wrap negative indices
        and clamp the rest into range, so no kernel reads outside its buffer; NumPy
        would raise, MXNet's take clips, as here)."""
        if not self.is_native(indices):
            indices = self.from_numpy(np.asarray(indices))
        if indices.dtype != np.int64:
            return self.astype(indices, np.int64)
        return self._compact(indices)

    def take(self, x, indices, axis):
        if axis is None:
            x, axis = self.reshape(x, (x.size,)), 0
        axis %= x.ndim
        ishape = tuple(indices.shape) if hasattr(indices, "shape") else np.shape(indices)
        out_shape = x.shape[:axis] + ishape + x.shape[axis + 1:]
        A = x.shape[axis]
        out = self.empty(out_shape, x.dtype)
        if out.size == 0:
            return out
        if A == 0:
            raise IndexError("cannot do a non-empty take from an empty axis")
        idx = self._indices(indices)
        x = self._compact(x)
        width = _WIDTH_TYPES[x.dtype.itemsize]
        k = self._kernel(("layout", width), lambda: self._layout_source(width), "take")
        post = _prod(x.shape[axis + 1:])
        self._run(k, (out.size,), None, x.base_data, idx.base_data, out.base_data,
                  np.int64(A), np.int64(idx.size), np.int64(post), np.int64(out.size))
        return out

    def scatter_add(self, shape, indices, values, axis, dtype):
        dtype = np.dtype(dtype)
        if dtype.name not in self.dtypes:
            return self.run_on_host("scatter_add", shape, indices, values, axis, dtype)
        shape = tuple(shape)
        axis %= len(shape)
        out = self.full(shape, 0, dtype)
        ishape = tuple(indices.shape) if hasattr(indices, "shape") else np.shape(indices)
        J, A, post = _prod(ishape), shape[axis], _prod(shape[axis + 1:])
        columns = _prod(shape[:axis]) * post
        if J == 0 or columns == 0:
            return out
        idx = self._indices(indices)
        if not self.is_native(values):
            values = self.from_numpy(np.asarray(values))
        values = self._compact(values if values.dtype == dtype else self.astype(values, dtype))
        k = self._kernel(("misc", dtype.name), lambda: self._typed(dtype, "misc.cl"), "scatter_add")
        self._run(k, (columns,), None, values.base_data, idx.base_data, out.base_data,
                  np.int64(A), np.int64(J), np.int64(post), np.int64(columns))
        return out

    def one_hot(self, indices, depth, on_value, off_value, dtype):
        dtype = np.dtype(dtype)
        if not self.is_native(indices):
            indices = self.from_numpy(np.asarray(indices))
        types = pymx_kernels.C_TYPES["opencl"]
        if "float16" in (indices.dtype.name, dtype.name) or dtype.name not in types \
                or indices.dtype.name not in types:
            return self.run_on_host("one_hot", indices, depth, on_value, off_value, dtype)
        indices = self._compact(indices)
        out = self.empty(indices.shape + (depth,), dtype)
        k = self._convert_kernel("one_hot", indices.dtype, dtype)
        self._run(k, (out.size,), None, indices.base_data, out.base_data,
                  dtype.type(on_value), dtype.type(off_value), np.int64(depth),
                  np.int64(out.size))
        return out

    # ---- convolution -------------------------------------------------------------------
    def _conv_geometry(self, spatial, kernel, stride, pad, dilate):
        key = (tuple(spatial), tuple(kernel), tuple(stride), tuple(pad), tuple(dilate))
        g = self._geometry.get(key)
        if g is None:
            out = pymx_kernels.conv_out_size(*key)
            g = self._geometry[key] = (self.from_numpy(pymx_kernels.conv_geometry(*key)), out)
        return g

    def _conv_kernel(self, dtype, name):
        return self._kernel(("conv", dtype.name),
                            lambda: pymx_kernels.conv_source("opencl", dtype), name)

    def im2col(self, x, kernel, stride, pad, dilate):
        if not self._is_float(x):
            return self.run_on_host("im2col", x, kernel, stride, pad, dilate)
        x = self._compact(x)
        n, c, *spatial = x.shape
        g, out_sp = self._conv_geometry(spatial, kernel, stride, pad, dilate)
        cols = self.empty((n, c * _prod(kernel), _prod(out_sp)), x.dtype)
        self._run(self._conv_kernel(x.dtype, "im2col"), (cols.size,), None,
                  x.base_data, g.base_data, cols.base_data, np.int64(cols.size))
        return cols

    def col2im(self, cols, shape, kernel, stride, pad, dilate):
        if not self._is_float(cols):
            return self.run_on_host("col2im", cols, shape, kernel, stride, pad, dilate)
        cols = self._compact(cols)
        n, c, *spatial = shape
        g, _ = self._conv_geometry(spatial, kernel, stride, pad, dilate)
        x = self.empty(tuple(shape), cols.dtype)
        self._run(self._conv_kernel(cols.dtype, "col2im"), (x.size,), None,
                  cols.base_data, g.base_data, x.base_data, np.int64(x.size))
        return x
